/**
 * anynet/echo.
 *
 * @module
 */
export {};
