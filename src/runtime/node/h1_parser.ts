/**
 * The HTTP client's response parser on Node: HTTP/1.1 responses read incrementally off one
 * connection, one response at a time (the transport never pipelines). It is strict, since
 * a client that trusts what a hostile server sends is a hole: a bad status line, obs-fold,
 * a byte that has no place in a header, Content-Length that conflicts with itself or comes
 * with Transfer-Encoding, a transfer coding other than chunked, a bad chunk size and a
 * head larger than {@linkcode MAX_HEAD_BYTES} are all refused with an {@linkcode HttpParseError}
 * whose code names the fault in Node's own parser's terms (`HPE_…`).
 *
 * To accept or refuse something else in a response's framing, edit this file.
 *
 * @module
 */

/** The largest response head accepted (status line and headers), Node's own default. */
export const MAX_HEAD_BYTES: number = 16 * 1024;

/** The longest chunk-size line accepted (size and extensions). */
const MAX_CHUNK_LINE = 1024;

/** A response that is not valid HTTP/1.1. */
export class HttpParseError extends Error {
  /** What was wrong, as Node's parser names it: `HPE_INVALID_STATUS` … */
  readonly code: string;

  constructor(code: string, message: string) {
    super(`Parse Error: ${message}`);
    this.name = "HttpParseError";
    this.code = code;
  }
}

/** A response's status line and headers, and what they say about the body and the connection. */
export interface ResponseHead {
  status: number;
  statusText: string;
  /** Names and values in turn, as they came (values without surrounding blanks). */
  rawHeaders: string[];
  /** Whether the connection must be closed after this response (`Connection: close`, HTTP/1.0). */
  close: boolean;
  /** The server's `Keep-Alive: timeout`, in ms, or undefined. */
  keepAliveMs: number | undefined;
}

/** What a parser tells its connection. */
export interface ParserEvents {
  /** A final (non-1xx) response head is in; its body follows. */
  head(head: ResponseHead): void;
  /** Some of the body, as it came off the wire (never empty). */
  body(chunk: Buffer): void;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// In a value or reason phrase: HTAB, SP, visible ASCII and obs-text; nothing else.
// deno-lint-ignore no-control-regex
const BAD_TEXT = /[\x00-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;
const DIGITS = /^\d{1,15}$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/;
const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout\s*=\s*(\d{1,9})/i;

/** Where the parser is in a response. */
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkEnd: 4,
  Trailer: 5,
  UntilClose: 6,
  Done: 7,
} as const;
type State = typeof State[keyof typeof State];

/** Removes HTAB and SP at both ends (String.prototype.trim would also take NBSP and other blanks). */
function trimBlanks(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Reads the responses of one connection, one after the other. */
export class ResponseParser {
  readonly #events: ParserEvents;
  #state: State;
  /** Bytes of a head or a chunk line that have not yet been parsed. */
  #pending: Buffer | undefined;
  /** Body bytes still to come in the current Content-Length body or chunk. */
  #remaining: number;
  /** Whether the response being read may have a body (not for HEAD). */
  #bodyAllowed: boolean;
  /** Bytes of trailer lines read so far. */
  #trailerBytes: number;

  constructor(events: ParserEvents) {
    this.#events = events;
    this.#state = State.Done;
    this.#pending = undefined;
    this.#remaining = 0;
    this.#bodyAllowed = true;
    this.#trailerBytes = 0;
  }

  /** Gets ready for the response to a request of `method`. */
  expect(method: string): void {
    this.#state = State.Head;
    this.#pending = undefined;
    this.#bodyAllowed = method !== "HEAD";
  }

  /** Whether the response has been read to its end. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Whether the body being read ends when the connection does (no length, not chunked). */
  get endsAtClose(): boolean {
    return this.#state === State.UntilClose;
  }

  /** Whether any part of a response head has arrived. */
  get started(): boolean {
    return this.#state !== State.Head || this.#pending !== undefined;
  }

  /**
   * Reads `chunk`. Returns -1 while the response goes on, or the offset in `chunk` where
   * it ended (bytes after it belong to no response). Throws an HttpParseError.
   */
  feed(chunk: Buffer): number {
    let at = 0;
    if (this.#pending !== undefined) {
      chunk = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    while (at < chunk.length) {
      switch (this.#state) {
        case State.Head: {
          const end = chunk.indexOf("\r\n\r\n", at, "latin1");
          if (end < 0) {
            if (chunk.length - at > MAX_HEAD_BYTES) throw new HttpParseError("HPE_HEADER_OVERFLOW", "Header overflow");
            // A head whose lines end in a bare LF never ends in CRLF CRLF: say so now.
            if (chunk.indexOf("\n\n", at, "latin1") >= 0) {
              throw new HttpParseError("HPE_LF_EXPECTED", "Header lines must end in CRLF");
            }
            this.#pending = chunk.subarray(at);
            return -1;
          }
          if (end - at > MAX_HEAD_BYTES) throw new HttpParseError("HPE_HEADER_OVERFLOW", "Header overflow");
          const head = chunk.toString("latin1", at, end);
          at = end + 4;
          this.#readHead(head);
          if ((this.#state as State) === State.Done) return at;
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const take = Math.min(this.#remaining, chunk.length - at);
          this.#events.body(take === chunk.length ? chunk : chunk.subarray(at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            if (this.#state === State.Length) {
              this.#state = State.Done;
              return at;
            }
            this.#state = State.ChunkEnd;
          }
          break;
        }
        case State.ChunkSize:
        case State.ChunkEnd:
        case State.Trailer: {
          const end = chunk.indexOf("\r\n", at, "latin1");
          if (end < 0) {
            if (chunk.length - at > MAX_CHUNK_LINE) throw this.#lineError();
            this.#pending = chunk.subarray(at);
            return -1;
          }
          if (end - at > MAX_CHUNK_LINE && this.#state !== State.Trailer) throw this.#lineError();
          const line = chunk.toString("latin1", at, end);
          at = end + 2;
          this.#readLine(line);
          if ((this.#state as State) === State.Done) return at;
          break;
        }
        case State.UntilClose:
          this.#events.body(at === 0 ? chunk : chunk.subarray(at));
          return -1;
        case State.Done:
          return at;
      }
    }
    return -1;
  }

  #lineError(): HttpParseError {
    return this.#state === State.Trailer
      ? new HttpParseError("HPE_HEADER_OVERFLOW", "Trailer overflow")
      : new HttpParseError("HPE_INVALID_CHUNK_SIZE", "Chunk size line too long");
  }

  /** One line after a chunk's data, a chunk-size line or a trailer line. */
  #readLine(line: string): void {
    if (this.#state === State.ChunkEnd) {
      if (line !== "") throw new HttpParseError("HPE_STRICT", "Expected CRLF after chunk data");
      this.#state = State.ChunkSize;
      return;
    }
    if (this.#state === State.Trailer) {
      if (line === "") {
        this.#state = State.Done;
        return;
      }
      this.#trailerBytes += line.length + 2;
      if (this.#trailerBytes > MAX_HEAD_BYTES) throw new HttpParseError("HPE_HEADER_OVERFLOW", "Trailer overflow");
      // Trailers are read and dropped (fetch does not show them), but must be well-formed.
      this.#headerLine(line);
      return;
    }
    const size = CHUNK_SIZE.exec(line);
    if (size === null || BAD_TEXT.test(line)) {
      throw new HttpParseError("HPE_INVALID_CHUNK_SIZE", `Invalid chunk size line '${printable(line)}'`);
    }
    const bytes = parseInt(size[1], 16);
    if (bytes > Number.MAX_SAFE_INTEGER) throw new HttpParseError("HPE_INVALID_CHUNK_SIZE", "Chunk size too large");
    if (bytes === 0) {
      this.#state = State.Trailer;
      this.#trailerBytes = 0;
    } else {
      this.#remaining = bytes;
      this.#state = State.ChunkData;
    }
  }

  /** Splits one header line into name and value, refusing what is not a header. */
  #headerLine(line: string): [string, string] {
    const colon = line.indexOf(":");
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      throw new HttpParseError("HPE_INVALID_HEADER_TOKEN", "Folded header line (obs-fold)");
    }
    if (colon <= 0) throw new HttpParseError("HPE_INVALID_HEADER_TOKEN", `Invalid header line '${printable(line)}'`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) {
      throw new HttpParseError("HPE_INVALID_HEADER_TOKEN", `Invalid header name '${printable(name)}'`);
    }
    const value = trimBlanks(line.slice(colon + 1));
    if (BAD_TEXT.test(value)) {
      throw new HttpParseError("HPE_INVALID_HEADER_TOKEN", `Invalid character in the value of header '${name}'`);
    }
    return [name, value];
  }

  #readHead(head: string): void {
    const lines = head.split("\r\n");
    const statusLine = STATUS_LINE.exec(lines[0]);
    if (statusLine === null || (statusLine[3] !== undefined && BAD_TEXT.test(statusLine[3]))) {
      throw new HttpParseError("HPE_INVALID_STATUS", `Invalid status line '${printable(lines[0])}'`);
    }
    const status = Number(statusLine[2]);
    const rawHeaders: string[] = [];
    let length = -1;
    let chunked = false;
    let close = statusLine[1] === "0";
    let keepAliveMs: number | undefined;
    for (let i = 1; i < lines.length; i++) {
      const [name, value] = this.#headerLine(lines[i]);
      rawHeaders.push(name, value);
      // The length first: most names are none of these, and the rest cost a lower-casing.
      switch (name.length) {
        case 14:
          if (name.toLowerCase() === "content-length") {
            for (const part of value.split(",")) {
              const digits = trimBlanks(part);
              if (!DIGITS.test(digits)) {
                throw new HttpParseError("HPE_INVALID_CONTENT_LENGTH", `Invalid Content-Length '${printable(value)}'`);
              }
              const bytes = Number(digits);
              if (length >= 0 && length !== bytes) {
                throw new HttpParseError("HPE_UNEXPECTED_CONTENT_LENGTH", "Conflicting Content-Length values");
              }
              length = bytes;
            }
          }
          break;
        case 17:
          if (name.toLowerCase() === "transfer-encoding") {
            // Chunked is the only transfer coding fetch's peers use; anything else (or
            // chunked twice) would leave the body's end to guesswork.
            if (chunked || value.toLowerCase() !== "chunked") {
              throw new HttpParseError(
                "HPE_INVALID_TRANSFER_ENCODING",
                `Unsupported Transfer-Encoding '${printable(value)}'`,
              );
            }
            chunked = true;
          }
          break;
        case 10: {
          const lower = name.toLowerCase();
          if (lower === "connection") {
            const tokens = value.toLowerCase();
            if (tokens.includes("close")) close = true;
            else if (statusLine[1] === "0" && tokens.includes("keep-alive")) close = false;
          } else if (lower === "keep-alive") {
            const seconds = KEEP_ALIVE_TIMEOUT.exec(value)?.[1];
            if (seconds !== undefined) keepAliveMs = Number(seconds) * 1000;
          }
          break;
        }
      }
    }
    if (chunked && length >= 0) {
      throw new HttpParseError("HPE_UNEXPECTED_CONTENT_LENGTH", "Content-Length with Transfer-Encoding");
    }
    if (status < 200) {
      // 101 switches protocols, which this client never asks for.
      if (status === 101) throw new HttpParseError("HPE_INVALID_STATUS", "Unexpected 101 Switching Protocols");
      // An interim response (100 Continue, 103 Early Hints): the final one follows.
      this.#state = State.Head;
      return;
    }
    this.#events.head({ status, statusText: statusLine[3] ?? "", rawHeaders, close, keepAliveMs });
    if (!this.#bodyAllowed || status === 204 || status === 304 || length === 0) {
      this.#state = State.Done;
    } else if (chunked) {
      this.#state = State.ChunkSize;
    } else if (length > 0) {
      this.#state = State.Length;
      this.#remaining = length;
    } else {
      this.#state = State.UntilClose;
    }
  }
}

/** A line from the wire, fit to quote in a message: at most 64 characters, control bytes escaped. */
function printable(text: string): string {
  const cut = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  // deno-lint-ignore no-control-regex
  return cut.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
