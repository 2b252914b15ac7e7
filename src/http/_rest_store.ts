/**
 * The REST API's posts, in memory and bounded: every post counts the bytes of its JSON
 * plus {@linkcode RECORD_OVERHEAD_BYTES}, and a write that would take the total past the
 * limit is refused with 507 Insufficient Storage (RFC 4918 §11.5) instead of growing the
 * process without end. A post is serialised before it is stored, so nothing is stored
 * that cannot be sent back.
 *
 * @module
 */
import { ApiFailure } from "./_rest_answer.ts";

/** A post of the REST API. */
export interface ApiPost {
  userId: number;
  id: number;
  title: string;
  body: string;
}

/** What each post costs besides its JSON: the record, the map entry, the strings' headers. */
export const RECORD_OVERHEAD_BYTES = 256;

/** One page of posts. */
export interface PostPage {
  posts: ApiPost[];
  /** How many posts match, on all pages. */
  total: number;
  /** Where the next page starts, or undefined on the last. */
  next: number | undefined;
}

const encoder = new TextEncoder();

function cost(post: ApiPost): number {
  return encoder.encode(JSON.stringify(post)).byteLength + RECORD_OVERHEAD_BYTES;
}

/** The posts, by id, within a byte budget. */
export class PostStore {
  readonly #posts = new Map<number, { post: ApiPost; bytes: number }>();
  readonly #maxBytes: number;
  #bytes = 0;
  #nextId = 1;

  /** Starts with `seed` (which counts towards the limit, and is kept whatever its size). */
  constructor(seed: Iterable<ApiPost>, maxBytes: number) {
    this.#maxBytes = maxBytes;
    for (const post of seed) {
      const bytes = cost(post);
      this.#posts.set(post.id, { post, bytes });
      this.#bytes += bytes;
      this.#nextId = Math.max(this.#nextId, post.id + 1);
    }
  }

  get(id: number): ApiPost | undefined {
    return this.#posts.get(id)?.post;
  }

  /** Stores a new post with the next id. */
  create(fields: Omit<ApiPost, "id">): ApiPost {
    const post: ApiPost = { userId: fields.userId, id: this.#nextId, title: fields.title, body: fields.body };
    this.#store(post);
    this.#nextId++;
    return post;
  }

  /** Replaces the post with the same id. */
  replace(post: ApiPost): void {
    this.#store(post);
  }

  delete(id: number): boolean {
    const entry = this.#posts.get(id);
    if (!entry) return false;
    this.#posts.delete(id);
    this.#bytes -= entry.bytes;
    return true;
  }

  /**
   * Up to `limit` posts from the `start`th match on, and no more than `maxBytes` of them
   * (one at least), so that a single request costs a bounded amount however full the
   * store is.
   */
  page(matches: (post: ApiPost) => boolean, start: number, limit: number, maxBytes: number): PostPage {
    const posts: ApiPost[] = [];
    let total = 0, bytes = 0, next: number | undefined;
    for (const { post, bytes: size } of this.#posts.values()) {
      if (!matches(post)) continue;
      const index = total++;
      if (index < start || next !== undefined) continue;
      if (posts.length === limit || (posts.length > 0 && bytes + size > maxBytes)) {
        next = index;
        continue;
      }
      posts.push(post);
      bytes += size;
    }
    return { posts, total, next };
  }

  #store(post: ApiPost): void {
    const bytes = cost(post);
    const previous = this.#posts.get(post.id)?.bytes ?? 0;
    if (this.#bytes - previous + bytes > this.#maxBytes) {
      throw new ApiFailure(
        507,
        `the store is full: it holds at most ${this.#maxBytes} bytes of posts (${this.#bytes} in use, this post needs ${bytes}); delete posts to make room`,
      );
    }
    this.#posts.set(post.id, { post, bytes });
    this.#bytes += bytes - previous;
  }
}
