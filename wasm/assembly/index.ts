/**
 * anynet's WebAssembly module: the packet decoder's hot path.
 *
 * Built with `--runtime stub` (no garbage collector) and `-O3` by scripts/build.ts and
 * embedded in the packages as base64 (src/packet/_wasm_embedded.ts). Nothing here
 * allocates or throws: the host places capture bytes in the input area and reads the
 * packet table back from memory (see capture.ts for the layout).
 */
export { internetChecksum } from "./checksum";
export { decode, decodeFrame, enableStats, errorAt, inputPtr, reserveInput, rows, setup, status, tablePtr } from "./capture";
export { cmsPtr, flowBound, flowCapacity, flowPtr, hllPtr, statsPtr } from "./stats";

/** First byte of linear memory free for the host to use: after static data, 16-aligned. */
export function scratchStart(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
