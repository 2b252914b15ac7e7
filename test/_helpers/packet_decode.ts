/**
 * Decodes a whole capture with one engine into plain records (for assertions).
 *
 * @module
 */
import { CaptureError, type CaptureSource, openCapture, type PacketRecord } from "anynet/packet";

export interface DecodedCapture {
  records: PacketRecord[];
  error?: CaptureError;
}

export async function decodeAll(
  source: CaptureSource,
  engine: "wasm" | "ts",
  options: { batchSize?: number; chunkSize?: number } = {},
): Promise<DecodedCapture> {
  const records: PacketRecord[] = [];
  try {
    for await (const batch of openCapture(source, { engine, ...options })) {
      for (const r of batch) records.push(r);
    }
  } catch (e) {
    if (e instanceof CaptureError) return { records, error: e };
    throw e;
  }
  return { records };
}

/** Decodes with both engines, asserts they agree, and returns the result. */
export async function decodeBoth(
  source: Uint8Array,
  options: { batchSize?: number; chunkSize?: number } = {},
): Promise<DecodedCapture> {
  const w = await decodeAll(source, "wasm", options);
  const t = await decodeAll(source, "ts", options);
  const a = JSON.stringify(w.records), b = JSON.stringify(t.records);
  if (a !== b) {
    for (let i = 0; i < Math.max(w.records.length, t.records.length); i++) {
      const x = JSON.stringify(w.records[i]), y = JSON.stringify(t.records[i]);
      if (x !== y) throw new Error(`engines disagree on record ${i + 1}:\nwasm ${x}\nts   ${y}`);
    }
  }
  if (w.error?.message !== t.error?.message) {
    throw new Error(`engines disagree on the file error: wasm ${w.error?.message}, ts ${t.error?.message}`);
  }
  return w;
}
