/**
 * anynet/tools.
 *
 * @module
 */
export {};
