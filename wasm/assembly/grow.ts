/**
 * Growing WebAssembly memory, for the input area (capture.ts) and the flow table
 * (stats.ts), which both take memory as they need it and must hear when there is none.
 */

/** Grows memory to hold everything below `end`; false when it cannot. */
export function holdUpTo(end: u64): bool {
  const pages = <i32>((end + 65535) >> 16);
  const have = memory.size();
  return pages <= have || memory.grow(pages - have) >= 0;
}
