// A lean keep-alive HTTP/1.1 client on node:net, for the HTTP client benchmark: the ceiling
// of a client that writes HTTP/1.1 itself instead of going through node:http. One write of
// the request head per request; an incremental response parser (status line, headers,
// Content-Length and chunked bodies, strict about what it accepts); a pool of connections
// per origin. Plain http: only, GET only: what the benchmark needs.
import net from "node:net";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// deno-lint-ignore no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)$/;
const MAX_HEAD = 16 * 1024;

const HEAD = 0, LENGTH = 1, CHUNK_SIZE = 2, CHUNK_DATA = 3, CHUNK_END = 4, TRAILER = 5, CLOSE = 6;

class Response {
  constructor(status, statusText, raw) {
    this.status = status;
    this.statusText = statusText;
    this.raw = raw;
    this.chunks = [];
    this.done = false;
    this.error = undefined;
    this.waiter = undefined;
  }
  text() {
    if (this.done) return Promise.resolve(join(this.chunks));
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }
  finish() {
    this.done = true;
    if (this.waiter) this.waiter.resolve(join(this.chunks));
  }
  fail(error) {
    this.error = error;
    if (this.waiter) this.waiter.reject(error);
  }
}

function join(chunks) {
  if (chunks.length === 0) return "";
  if (chunks.length === 1) return chunks[0].toString();
  return Buffer.concat(chunks).toString();
}

class Connection {
  constructor(pool) {
    this.pool = pool;
    this.job = undefined;
    this.state = HEAD;
    this.pending = undefined; // unparsed bytes of a head or chunk-size line
    this.remaining = 0;
    this.response = undefined;
    this.keepAlive = true;
    const socket = (this.socket = net.connect(pool.port, pool.host));
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (error) => this.onClose(error));
    socket.on("close", () => this.onClose(new Error("connection closed")));
  }

  run(job) {
    this.job = job;
    this.state = HEAD;
    this.socket.write(job.head, "latin1");
  }

  onClose(error) {
    this.pool.forget(this);
    if (this.job) {
      const job = this.job;
      this.job = undefined;
      if (this.response === undefined) job.reject(error);
      else if (this.state === CLOSE) this.response.finish();
      else this.response.fail(error);
    }
  }

  fail(message) {
    const error = new TypeError("fetch failed", { cause: new Error(message) });
    const job = this.job;
    this.job = undefined;
    this.socket.destroy();
    if (job) {
      if (this.response === undefined) job.reject(error);
      else this.response.fail(error);
    }
  }

  onData(chunk) {
    if (this.job === undefined) return this.fail("data with no request");
    let at = 0;
    if (this.pending !== undefined) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    while (at < chunk.length && this.job !== undefined) {
      switch (this.state) {
        case HEAD: {
          const end = chunk.indexOf("\r\n\r\n", at, "latin1");
          if (end < 0) {
            if (chunk.length - at > MAX_HEAD) return this.fail("head too large");
            this.pending = chunk.subarray(at);
            return;
          }
          if (end - at > MAX_HEAD) return this.fail("head too large");
          if (!this.parseHead(chunk.latin1Slice(at, end))) return;
          at = end + 4;
          break;
        }
        case LENGTH: {
          const take = Math.min(this.remaining, chunk.length - at);
          this.response.chunks.push(chunk.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case CHUNK_SIZE:
        case CHUNK_END:
        case TRAILER: {
          const end = chunk.indexOf("\r\n", at, "latin1");
          if (end < 0) {
            this.pending = chunk.subarray(at);
            return;
          }
          const line = chunk.latin1Slice(at, end);
          at = end + 2;
          if (this.state === CHUNK_END) {
            if (line !== "") return this.fail("bad chunk end");
            this.state = CHUNK_SIZE;
          } else if (this.state === TRAILER) {
            if (line === "") this.complete();
          } else {
            const semi = line.indexOf(";");
            const hex = semi < 0 ? line : line.slice(0, semi);
            if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) return this.fail("bad chunk size");
            const size = parseInt(hex, 16);
            if (size === 0) this.state = TRAILER;
            else {
              this.remaining = size;
              this.state = CHUNK_DATA;
            }
          }
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, chunk.length - at);
          this.response.chunks.push(chunk.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = CHUNK_END;
          break;
        }
        case CLOSE:
          this.response.chunks.push(chunk.subarray(at));
          at = chunk.length;
          break;
      }
    }
    if (at < chunk.length && this.job === undefined) this.fail("data after the response");
  }

  parseHead(head) {
    const lines = head.split("\r\n");
    const status = STATUS_LINE.exec(lines[0]);
    if (status === null) return this.fail("bad status line"), false;
    const code = Number(status[1]);
    const raw = [];
    let length = -1;
    let chunked = false;
    let close = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(":");
      if (colon <= 0) return this.fail("bad header line"), false;
      const name = line.slice(0, colon);
      if (!TOKEN.test(name)) return this.fail("bad header name"), false;
      const value = line.slice(colon + 1).trim();
      if (BAD_VALUE.test(value)) return this.fail("bad header value"), false;
      raw.push(name, value);
      switch (name.length) {
        case 14:
          if (name.toLowerCase() === "content-length") {
            if (!/^\d{1,15}$/.test(value)) return this.fail("bad content-length"), false;
            const n = Number(value);
            if (length >= 0 && length !== n) return this.fail("conflicting content-length"), false;
            length = n;
          }
          break;
        case 17:
          if (name.toLowerCase() === "transfer-encoding") {
            if (value.toLowerCase() !== "chunked") return this.fail("unsupported transfer-encoding"), false;
            chunked = true;
          }
          break;
        case 10:
          if (name.toLowerCase() === "connection" && /close/i.test(value)) close = true;
          break;
      }
    }
    if (chunked && length >= 0) return this.fail("content-length with transfer-encoding"), false;
    if (code < 200) {
      this.state = HEAD;
      return true;
    }
    this.keepAlive = !close;
    const response = (this.response = new Response(code, status[2], raw));
    if (this.job.method === "HEAD" || code === 204 || code === 304 || length === 0) {
      this.job.resolve(response);
      this.complete();
    } else if (chunked) {
      this.state = CHUNK_SIZE;
      this.job.resolve(response);
    } else if (length > 0) {
      this.state = LENGTH;
      this.remaining = length;
      this.job.resolve(response);
    } else {
      this.state = CLOSE;
      this.keepAlive = false;
      this.job.resolve(response);
    }
    return true;
  }

  complete() {
    const response = this.response;
    this.response = undefined;
    this.job = undefined;
    this.state = HEAD;
    response.finish();
    if (this.keepAlive) this.pool.release(this);
    else this.socket.destroy();
  }
}

class Pool {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.idle = [];
    this.all = new Set();
    this.waiting = [];
  }
  acquire(job) {
    const idle = this.idle.pop();
    if (idle !== undefined) return idle.run(job);
    if (this.all.size < 256) {
      const connection = new Connection(this);
      this.all.add(connection);
      return connection.run(job);
    }
    this.waiting.push(job);
  }
  release(connection) {
    const job = this.waiting.shift();
    if (job !== undefined) connection.run(job);
    else this.idle.push(connection);
  }
  forget(connection) {
    this.all.delete(connection);
    const i = this.idle.indexOf(connection);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

const pools = new Map();
const targets = new Map();

/** GET `url` (http: only); resolves to a response with status, raw headers and text(). */
export function rawGet(url) {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    const port = parsed.port === "" ? 80 : Number(parsed.port);
    const key = `${parsed.hostname}:${port}`;
    let pool = pools.get(key);
    if (pool === undefined) pools.set(key, pool = new Pool(parsed.hostname, port));
    const head = `GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nhost: ${parsed.host}\r\n` +
      "accept: */*\r\naccept-language: *\r\nsec-fetch-mode: cors\r\nuser-agent: node\r\n" +
      "accept-encoding: gzip, deflate\r\n\r\n";
    targets.set(url, target = { pool, head });
  }
  return new Promise((resolve, reject) => target.pool.acquire({ method: "GET", head: target.head, resolve, reject }));
}
