/**
 * Packet analysis: decoding of frames and capture files, in WebAssembly with a
 * TypeScript reference implementation beside it.
 *
 * @module
 */
export { type ChecksumOptions, type Engine, internetChecksum } from "./checksum.ts";
