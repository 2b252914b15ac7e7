/**
 * Compiles the embedded WebAssembly module once, on first use. Each capture gets its own
 * instance (and memory), so several captures can be decoded at the same time.
 *
 * The bytes are embedded as base64 (src/packet/_wasm_embedded.ts, written by
 * scripts/build.ts) so that no runtime needs a file path or `fetch` to load them.
 *
 * @module
 */
import { DECODER_WASM_BASE64 } from "./_wasm_embedded.ts";

/** The functions the WebAssembly module exports. */
export interface DecoderExports {
  memory: WebAssembly.Memory;
  scratchStart(): number;
  internetChecksum(ptr: number, len: number): number;
  setup(capacity: number): void;
  tablePtr(): number;
  inputPtr(): number;
  decode(start: number, end: number, final: number): number;
  decodeFrame(caplen: number, len: number, link: number): void;
  rows(): number;
  status(): number;
  errorAt(): number;
  reserveInput(size: number): number;
  enableStats(maxFlows: number, seedLo: number, seedHi: number): number;
  statsPtr(): number;
  flowPtr(): number;
  flowCapacity(): number;
  flowBound(): number;
  hllPtr(): number;
  cmsPtr(): number;
}

let compiled: WebAssembly.Module | undefined;
let shared: DecoderExports | undefined;

interface Base64Decoders {
  /** Deno, Bun and Node 26 (a native loop). */
  fromBase64?: (text: string) => Uint8Array<ArrayBuffer>;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  // Native where the runtime has it: the loop below, run once and never optimised, takes
  // 1 to 7 ms of a command's start for the module's 20 KB.
  const decoders = Uint8Array as Base64Decoders;
  if (decoders.fromBase64) return decoders.fromBase64(text);
  const buffer = (globalThis as { Buffer?: { from(text: string, encoding: "base64"): Uint8Array<ArrayBuffer> } })
    .Buffer;
  if (buffer) return buffer.from(text, "base64");
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The compiled module (compiled synchronously on first call, then cached). */
export function wasmModule(): WebAssembly.Module {
  return compiled ??= new WebAssembly.Module(decodeBase64(DECODER_WASM_BASE64));
}

/** A shared instance for one-shot calls (checksums). */
export function wasmDecoder(): DecoderExports {
  if (!shared) {
    shared = new WebAssembly.Instance(wasmModule(), {
      // A stub-runtime module imports `abort` only if some code path can trap; give it
      // one that reports instead of silently continuing.
      env: {
        abort(_message: number, _file: number, line: number, column: number): never {
          throw new Error(`anynet WebAssembly aborted at ${line}:${column}`);
        },
      },
    }).exports as unknown as DecoderExports;
  }
  return shared;
}

/**
 * Copies `bytes` into WebAssembly memory at the scratch area, growing memory as needed.
 * @returns The pointer to the copy.
 */
export function copyIn(bytes: Uint8Array): number {
  const wasm = wasmDecoder();
  const ptr = wasm.scratchStart();
  const needed = ptr + bytes.length;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) wasm.memory.grow(Math.ceil((needed - have) / 65536));
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}
