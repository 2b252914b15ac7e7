/**
 * anynet/net.
 *
 * @module
 */
export {};
