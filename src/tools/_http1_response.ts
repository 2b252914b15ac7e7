/**
 * The load generator's HTTP/1.1 response reader: it finds where a response ends
 * (RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; else chunked, else Content-Length,
 * else until the server closes) and keeps only what a load report needs: the status code,
 * the bytes, and whether the server will close the connection. Bodies are counted, never
 * copied or decoded, so reading costs little next to the server's work.
 *
 * @module
 */

const CR = 13, LF = 10;

/** A response that is not HTTP/1.x, or whose framing is broken. */
export class NotHttpError extends Error {}

/** Where the reader is within a response. */
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkDataEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const;
type State = (typeof State)[keyof typeof State];

/** The end of the first CRLF CRLF at or after `from`, or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + 3 < bytes.length; i++) {
    if (bytes[i + 3] === LF && bytes[i + 2] === CR && bytes[i + 1] === LF && bytes[i] === CR) return i + 4;
  }
  return -1;
}

/** The headers a reader needs, lower-case, by the length of their names. */
const WANTED = new Map([["connection".length, "connection"], ["content-length".length, "content-length"], [
  "transfer-encoding".length,
  "transfer-encoding",
]]);

/** The ASCII text of `bytes[start, end)`, lower-cased when `lower`. */
function ascii(bytes: Uint8Array, start: number, end: number, lower: boolean): string {
  let text = "";
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    text += String.fromCharCode(lower && c >= 65 && c <= 90 ? c + 32 : c);
  }
  return text;
}

/**
 * The values (lower-cased, trimmed) of Connection, Content-Length and Transfer-Encoding in
 * the head `bytes[0, end)`. Only names of those lengths are ever turned into strings: the
 * other headers cost a scan for their colon and line end.
 */
function wantedHeaders(bytes: Uint8Array, end: number): Map<string, string> {
  const found = new Map<string, string>();
  let line = bytes.indexOf(LF) + 1; // after the status line
  while (line > 0 && line < end - 2) {
    let next = bytes.indexOf(LF, line);
    if (next < 0 || next >= end) next = end - 1;
    const colon = bytes.indexOf(0x3a, line);
    if (colon > line && colon < next) {
      const name = WANTED.get(colon - line);
      if (name !== undefined && ascii(bytes, line, colon, true) === name) {
        const value = ascii(bytes, colon + 1, next, true).trim();
        found.set(name, found.has(name) ? `${found.get(name)}, ${value}` : value);
      }
    }
    line = next + 1;
  }
  return found;
}

/** Reads one response after another off a keep-alive connection, chunk by chunk. */
export class ResponseReader {
  /** The status code of the response being read (0 before its head). */
  status = 0;
  /** The server said `Connection: close` (or spoke HTTP/1.0 without keep-alive). */
  closes = false;
  /** Bytes of the current response so far, head included. */
  bytes = 0;
  #state: State = State.Head;
  #head: Uint8Array | undefined;
  #remaining = 0;
  #line = "";
  #noBody = false;

  /** Starts the next response; `noBody` for the answer to a HEAD request. */
  begin(noBody: boolean): void {
    this.status = 0;
    this.closes = false;
    this.bytes = 0;
    this.#state = State.Head;
    this.#head = undefined;
    this.#noBody = noBody;
  }

  /** Whether the response reads until the server closes (no length, not chunked). */
  get untilClose(): boolean {
    return this.#state === State.UntilClose;
  }

  /**
   * Takes the next bytes off the connection.
   *
   * @returns Whether the response is complete.
   * @throws {NotHttpError} When the bytes are not an HTTP/1.x response, or come after its end.
   */
  feed(chunk: Uint8Array): boolean {
    this.bytes += chunk.byteLength;
    let at = 0;
    if (this.#state === State.Head) {
      let bytes = chunk, from = 0;
      if (this.#head) {
        from = this.#head.length - 3;
        bytes = new Uint8Array(this.#head.length + chunk.length);
        bytes.set(this.#head);
        bytes.set(chunk, this.#head.length);
      }
      const end = headEnd(bytes, from);
      if (end < 0) {
        if (bytes.length > 65536) throw new NotHttpError("the response head is longer than 64 KiB");
        this.#head = bytes === chunk ? chunk.slice() : bytes;
        return false;
      }
      this.#readHead(bytes, end);
      // Where the body starts within this chunk.
      at = end - (bytes.length - chunk.length);
    }
    return this.#readBody(chunk, at);
  }

  /** The connection ended: completes a response read until close, else it was cut. */
  end(): boolean {
    if (this.#state === State.UntilClose) {
      this.#state = State.Done;
      return true;
    }
    return false;
  }

  #readHead(bytes: Uint8Array, end: number): void {
    // "HTTP/1.1 200 OK": the version, a space, three digits.
    if (
      bytes[0] !== 0x48 || bytes[1] !== 0x54 || bytes[2] !== 0x54 || bytes[3] !== 0x50 || bytes[4] !== 0x2f ||
      bytes[8] !== 0x20
    ) {
      throw new NotHttpError("the answer does not start with an HTTP/1.x status line");
    }
    const status = (bytes[9]! - 48) * 100 + (bytes[10]! - 48) * 10 + (bytes[11]! - 48);
    if (!(status >= 100 && status <= 999)) throw new NotHttpError("the status line has no 3-digit status code");
    const headers = wantedHeaders(bytes, end);
    const connection = headers.get("connection");
    // HTTP/1.0 closes unless it says keep-alive; 1.1 keeps the connection unless it says close.
    const http10 = bytes[7] === 0x30 && bytes[5] === 0x31;
    this.closes = http10 ? !connection?.includes("keep-alive") : connection?.includes("close") === true;
    if (status < 200) {
      // An interim answer (100 Continue): the real one follows.
      this.#head = undefined;
      this.#state = State.Head;
      if (status === 101) throw new NotHttpError("the server switched protocols (101)");
      return;
    }
    this.status = status;
    this.#head = undefined;
    if (this.#noBody || status === 204 || status === 304) {
      this.#state = State.Done;
      return;
    }
    const encoding = headers.get("transfer-encoding");
    if (encoding !== undefined && encoding.endsWith("chunked")) {
      this.#state = State.ChunkSize;
      this.#line = "";
      return;
    }
    const length = headers.get("content-length");
    if (length !== undefined) {
      const n = Number(length);
      if (!/^\d+$/.test(length) || !Number.isSafeInteger(n)) {
        throw new NotHttpError(`bad Content-Length '${length}'`);
      }
      this.#remaining = n;
      this.#state = n === 0 ? State.Done : State.Length;
      return;
    }
    this.#state = State.UntilClose;
    this.closes = true;
  }

  #readBody(chunk: Uint8Array, at: number): boolean {
    const length = chunk.length;
    while (at < length || this.#state === State.Done) {
      switch (this.#state) {
        case State.Done:
          if (at < length) throw new NotHttpError("the server sent bytes after the end of the response");
          return true;
        case State.Head: {
          // After an interim answer: the rest is the next head.
          const rest = chunk.subarray(at);
          this.bytes -= rest.length;
          return this.feed(rest);
        }
        case State.UntilClose:
          return false;
        case State.Length: {
          const take = Math.min(this.#remaining, length - at);
          this.#remaining -= take;
          at += take;
          if (this.#remaining === 0) this.#state = State.Done;
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.#remaining, length - at);
          this.#remaining -= take;
          at += take;
          if (this.#remaining === 0) this.#state = State.ChunkDataEnd;
          break;
        }
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers: {
          const byte = chunk[at++]!;
          if (byte !== LF) {
            if (byte !== CR) this.#line += String.fromCharCode(byte);
            if (this.#line.length > 4096) throw new NotHttpError("a chunk-size line is longer than 4 KiB");
            break;
          }
          const line = this.#line;
          this.#line = "";
          if (this.#state === State.ChunkDataEnd) {
            if (line !== "") throw new NotHttpError("a chunk is longer than its size says");
            this.#state = State.ChunkSize;
          } else if (this.#state === State.Trailers) {
            if (line === "") this.#state = State.Done;
          } else {
            const size = parseInt(line.split(";")[0]!.trim(), 16);
            if (!Number.isSafeInteger(size) || size < 0) throw new NotHttpError(`bad chunk size '${line}'`);
            this.#remaining = size;
            this.#state = size === 0 ? State.Trailers : State.ChunkData;
          }
          break;
        }
      }
    }
    return false;
  }
}
