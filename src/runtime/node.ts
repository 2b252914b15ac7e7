import type { RuntimeAdapter } from "./types.ts";

/** The Node.js adapter. */
export const nodeAdapter: RuntimeAdapter = {
  runtime: "node",
};
