/**
 * Loads the embedded WebAssembly module once, on first use.
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
}

let instance: DecoderExports | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The instantiated module (compiled synchronously on first call, then cached). */
export function wasmDecoder(): DecoderExports {
  if (!instance) {
    const module = new WebAssembly.Module(decodeBase64(DECODER_WASM_BASE64));
    instance = new WebAssembly.Instance(module, {
      // A stub-runtime module imports `abort` only if some code path can trap; give it
      // one that reports instead of silently continuing.
      env: {
        abort(_message: number, _file: number, line: number, column: number): never {
          throw new Error(`anynet WebAssembly aborted at ${line}:${column}`);
        },
      },
    }).exports as unknown as DecoderExports;
  }
  return instance;
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
