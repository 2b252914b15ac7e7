/**
 * The bound of the connection table of `conversations()` and `pcap conv`, in a module
 * of its own so that the CLI can name it without loading the decoder.
 *
 * @module
 */

/** The largest connection table allowed. */
export const MAX_CONNECTIONS: number = 8388608;
/**
 * The default bound: about 120 MB at worst (a connection takes about 460 bytes of
 * JavaScript heap). Connections that ended leave first, so only captures with more
 * connections open at once than this need more.
 */
export const DEFAULT_MAX_CONNECTIONS: number = 262144;
