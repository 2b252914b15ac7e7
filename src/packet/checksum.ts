import type { Engine } from "./_engine.ts";
import { copyIn, wasmDecoder } from "./_wasm.ts";

export type { Engine } from "./_engine.ts";

/** Options for {@linkcode internetChecksum}. */
export interface ChecksumOptions {
  /** The implementation: WebAssembly or the TypeScript reference. @default {"wasm"} */
  engine?: Engine;
}

function checksumTs(bytes: Uint8Array): number {
  let sum = 0;
  let i = 0;
  for (; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < bytes.length) sum += bytes[i] << 8;
  // Fold carries; the sum stays far below 2^53 for any array JavaScript can hold.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * The Internet checksum of RFC 1071, as IPv4, ICMP, TCP and UDP headers carry it.
 *
 * @param bytes The data; an odd last byte counts as if followed by a zero byte.
 * @param options Which implementation to run.
 * @returns The 16-bit checksum; 0 when `bytes` already holds a correct checksum field.
 * @example Checksum of an IPv4 header
 * ```ts
 * import { internetChecksum } from "anynet/packet";
 * const header = new Uint8Array([0x45, 0, 0, 0x54, 0, 0, 0x40, 0, 0x40, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]);
 * console.assert(internetChecksum(header) === 0x3ca7);
 * ```
 */
export function internetChecksum(bytes: Uint8Array, options: ChecksumOptions = {}): number {
  const engine = options.engine ?? "wasm";
  if (engine === "ts") return checksumTs(bytes);
  if (engine !== "wasm") {
    throw new TypeError(`Cannot compute checksum: unknown engine '${engine}' (expected 'wasm' or 'ts')`);
  }
  const wasm = wasmDecoder();
  return wasm.internetChecksum(copyIn(bytes), bytes.length);
}
