/**
 * anynet/http.
 *
 * @module
 */
export {};
