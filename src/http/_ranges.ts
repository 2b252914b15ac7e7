/**
 * Byte ranges (RFC 9110 §14): reading a `Range: bytes=…` header against a representation
 * of known size, and the `multipart/byteranges` body that answers several ranges at once.
 *
 * @module
 */

/** One satisfiable range: first and last byte, inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Most ranges one request may ask for. Many small or overlapping ranges cost the
 * server far more than the bytes they return (the "Apache killer" of 2011); past this
 * the header is ignored and the whole file is sent, as RFC 9110 §14.2 allows.
 */
export const MAX_RANGES = 16;

/**
 * What a `Range` header asks of a representation of `size` bytes:
 * - `undefined`: no usable range (absent, not `bytes`, malformed, or too many ranges):
 *   send the whole representation, as RFC 9110 §14.2 says to for a header one cannot use;
 * - `"unsatisfiable"`: well-formed, but no range overlaps the representation (416);
 * - the satisfiable ranges, clipped to the size, in the order asked.
 */
export function parseRange(header: string | null, size: number): ByteRange[] | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!match) return undefined;
  const specs = match[1]!.split(",").map((spec) => spec.trim()).filter((spec) => spec !== "");
  if (specs.length === 0 || specs.length > MAX_RANGES) return undefined;
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const parts = /^(\d*)-(\d*)$/.exec(spec);
    if (!parts || (parts[1] === "" && parts[2] === "")) return undefined;
    if (parts[1] === "") {
      // "-n": the last n bytes; "-0" asks for nothing.
      const suffix = Number(parts[2]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(parts[1]);
    if (parts[2] !== "" && Number(parts[2]) < start) return undefined;
    const end = parts[2] === "" ? size - 1 : Math.min(Number(parts[2]), size - 1);
    if (start < size) ranges.push({ start, end });
  }
  return ranges.length === 0 ? "unsatisfiable" : ranges;
}

/** The `Content-Range` value of one range of a representation of `size` bytes. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** The parts of a `multipart/byteranges` body, ready to be streamed in order. */
export interface MultipartPlan {
  /** The `Content-Type` of the whole body, with its boundary. */
  contentType: string;
  /** Its exact length, known before any file byte is read. */
  length: number;
  /** In order: text to send, then the file range it introduces; the last entry is the closing delimiter. */
  parts: { head: Uint8Array; range?: ByteRange }[];
}

/**
 * Lays out a `multipart/byteranges` answer (RFC 9110 §14.6) for `ranges` of a
 * representation of `size` bytes whose own type is `partType`.
 */
export function multipartPlan(ranges: ByteRange[], size: number, partType: string): MultipartPlan {
  const boundary = `anynet-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const parts: MultipartPlan["parts"] = [];
  let length = 0;
  ranges.forEach((range, index) => {
    const head = encoder.encode(
      `${index === 0 ? "" : "\r\n"}--${boundary}\r\nContent-Type: ${partType}\r\n` +
        `Content-Range: ${contentRange(range, size)}\r\n\r\n`,
    );
    parts.push({ head, range });
    length += head.length + range.end - range.start + 1;
  });
  const closing = encoder.encode(`\r\n--${boundary}--\r\n`);
  parts.push({ head: closing });
  length += closing.length;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, length, parts };
}
