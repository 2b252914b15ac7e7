/**
 * The data the REST API starts with: made up, but the same on every run.
 *
 * @module
 */
import type { ApiPost } from "./_rest_store.ts";

/** A user of the REST API. */
export interface ApiUser {
  id: number;
  name: string;
  username: string;
  email: string;
}

/** A comment on a post. */
export interface ApiComment {
  postId: number;
  id: number;
  name: string;
  email: string;
  body: string;
}

const NAMES = ["Ada", "Brian", "Chidi", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivo", "Jun"];
const WORDS = [
  "network",
  "packet",
  "socket",
  "retry",
  "timeout",
  "stream",
  "buffer",
  "header",
  "router",
  "latency",
  "bandwidth",
  "protocol",
  "server",
  "client",
  "handshake",
  "checksum",
  "payload",
  "frame",
  "window",
  "queue",
];

function words(seed: number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[(seed * 7 + i * 13 + i * i) % WORDS.length]);
  return out.join(" ");
}

/** The users, posts and comments the API starts with: 10, 100 and 500. */
export function seed(): { users: Map<number, ApiUser>; posts: ApiPost[]; comments: ApiComment[] } {
  const users = new Map<number, ApiUser>();
  NAMES.forEach((name, i) => {
    const id = i + 1;
    users.set(id, {
      id,
      name: `${name} Example`,
      username: name.toLowerCase(),
      email: `${name.toLowerCase()}@example.net`,
    });
  });
  const posts: ApiPost[] = [];
  const comments: ApiComment[] = [];
  for (let id = 1; id <= 100; id++) {
    posts.push({ userId: Math.ceil(id / 10), id, title: words(id, 4), body: words(id + 1000, 12) });
    for (let c = 1; c <= 5; c++) {
      const commentId = (id - 1) * 5 + c;
      const author = NAMES[(commentId * 3) % NAMES.length].toLowerCase();
      comments.push({
        postId: id,
        id: commentId,
        name: words(commentId + 2000, 3),
        email: `${author}@example.org`,
        body: words(commentId + 3000, 8),
      });
    }
  }
  return { users, posts, comments };
}
