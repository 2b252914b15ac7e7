/**
 * The stores behind `request()`'s `cache` option: the {@linkcode CacheStore} interface a
 * store implements, the {@linkcode CachedResponse} it keeps, and {@linkcode MemoryCache},
 * the in-memory store with a byte bound that `cache: true` uses. What is stored and when
 * it is reused (RFC 9111) is decided by _cache_policy.ts and _cache_flow.ts, never by the
 * store: a store only keeps what it is given, within its bound.
 *
 * To change how responses are kept in memory (bound, eviction), edit it here.
 *
 * @module
 */
import { checkCount, checkFunction, checkOptionsObject } from "../_argument_checks.ts";

/**
 * What the cache did for a response (`response.cached`): `"hit"` when it answered from the
 * store without asking the server, `"revalidated"` when the server confirmed a stored
 * response with a 304 (its body came from the store), `"miss"` when the body came from the
 * server. Without the `cache` option it is `undefined`.
 */
export type CacheOutcome = "hit" | "revalidated" | "miss";

/** One stored response: everything needed to answer a later request, as plain data. */
export interface CachedResponse {
  /** The URL the response came from. */
  url: string;
  /** The status. */
  status: number;
  /** The status text. */
  statusText: string;
  /** The response headers, names in lower case. */
  headers: [string, string][];
  /** The body, decoded (as the caller read it). */
  body: Uint8Array;
  /** The request's values of the headers the response's `Vary` names (`null`: the request had none). */
  varyValues: [string, string | null][];
  /** When the request was sent (ms since the epoch, by the store's clock). */
  requestTime: number;
  /** When the response's headers came in (ms since the epoch, by the store's clock). */
  responseTime: number;
}

/**
 * Where a cache keeps responses. A key (method and URL) maps to the variants stored for it
 * (several when the response has `Vary`). Each method may return a promise, so a store may
 * live outside the process; a store that fails makes the request go to the server, never
 * fail.
 *
 * @example A store of your own, in a Map
 * ```ts
 * import { type CachedResponse, type CacheStore, get } from "anynet/http";
 * const map = new Map<string, readonly CachedResponse[]>();
 * const store: CacheStore = {
 *   maxEntryBytes: 1 << 20,
 *   get: (key) => map.get(key),
 *   set: (key, variants) => void map.set(key, variants),
 *   delete: (key) => void map.delete(key),
 * };
 * const response = await get("http://127.0.0.1:3000/posts/1", { cache: store });
 * console.log(response.cached); // "miss" the first time
 * ```
 */
export interface CacheStore {
  /**
   * The largest body the store takes, in bytes: a response body is buffered for the store
   * only up to this size, and a larger one is passed to the caller and not stored.
   */
  readonly maxEntryBytes: number;
  /** The variants stored under `key`, or `undefined`. */
  get(key: string): readonly CachedResponse[] | undefined | Promise<readonly CachedResponse[] | undefined>;
  /** Replaces the variants under `key`. The store may drop them (or others) to stay within its bound. */
  set(key: string, variants: readonly CachedResponse[]): void | Promise<void>;
  /** Drops everything under `key`. */
  delete(key: string): void | Promise<void>;
  /** The clock, in ms since the epoch, that freshness is measured by. @default Date.now */
  now?(): number;
}

/** Options of {@linkcode MemoryCache}. */
export interface MemoryCacheOptions {
  /** The most bytes (bodies plus headers) kept; the least recently used entries go first. @default 16 MiB */
  maxBytes?: number;
  /** The largest single response kept, in bytes. @default an eighth of `maxBytes` */
  maxEntryBytes?: number;
  /**
   * The clock freshness is measured by, in ms since the epoch. Meant for tests, which can
   * move time on instead of sleeping. @default Date.now
   */
  now?: () => number;
}

/** What one variant counts against a bound: its body, its headers and a little for the rest. */
function entryBytes(entry: CachedResponse): number {
  let bytes = entry.body.byteLength + entry.url.length + 64;
  for (const [name, value] of entry.headers) bytes += name.length + value.length + 4;
  return bytes;
}

const OPTION_NAMES: readonly string[] = ["maxBytes", "maxEntryBytes", "now"];
const CREATE = "create the memory cache";

/**
 * An in-memory {@linkcode CacheStore} bounded in bytes: when a new entry would pass
 * `maxBytes`, the least recently used keys are dropped until it fits. `request()` with
 * `cache: true` uses one shared instance with the defaults.
 *
 * @example A cache of at most 1 MiB
 * ```ts
 * import { get, MemoryCache } from "anynet/http";
 * const cache = new MemoryCache({ maxBytes: 1 << 20 });
 * await (await get("http://127.0.0.1:3000/posts/1", { cache })).text();
 * const again = await get("http://127.0.0.1:3000/posts/1", { cache });
 * console.log(again.cached, cache.size);
 * ```
 */
export class MemoryCache implements CacheStore {
  /** The most bytes kept. */
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly #now: () => number;
  /** Keys in least-recently-used order (a Map keeps insertion order; a read moves a key to the end). */
  readonly #entries = new Map<string, { variants: readonly CachedResponse[]; bytes: number }>();
  #bytes = 0;

  /**
   * @param options Bound and clock.
   * @throws {TypeError|RangeError} For an unknown option or a bound that is not a count of bytes.
   */
  constructor(options: MemoryCacheOptions = {}) {
    checkOptionsObject(CREATE, options, OPTION_NAMES, "", String);
    this.maxBytes = options.maxBytes === undefined
      ? 16 * 1024 * 1024
      : checkCount(CREATE, "maxBytes", options.maxBytes);
    this.maxEntryBytes = options.maxEntryBytes === undefined
      ? Math.floor(this.maxBytes / 8)
      : checkCount(CREATE, "maxEntryBytes", options.maxEntryBytes);
    this.#now = options.now === undefined ? Date.now : checkFunction(CREATE, "now", options.now);
  }

  /** How many bytes the stored entries count. */
  get bytes(): number {
    return this.#bytes;
  }

  /** How many keys are stored. */
  get size(): number {
    return this.#entries.size;
  }

  now(): number {
    return this.#now();
  }

  get(key: string): readonly CachedResponse[] | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.variants;
  }

  set(key: string, variants: readonly CachedResponse[]): void {
    this.delete(key);
    let bytes = 0;
    for (const variant of variants) bytes += entryBytes(variant);
    if (variants.length === 0 || bytes > this.maxBytes) return;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes + bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
    this.#entries.set(key, { variants, bytes });
    this.#bytes += bytes;
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
