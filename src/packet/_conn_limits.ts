/**
 * The bound of the connection table of `conversations()` and `pcap conv`, in a module
 * of its own so that the CLI can name it without loading the decoder.
 *
 * @module
 */

/** The largest connection table allowed. */
export const MAX_CONNECTIONS: number = 8388608;
/** The default bound. */
export const DEFAULT_MAX_CONNECTIONS: number = 1048576;
