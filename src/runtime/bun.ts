import type { RuntimeAdapter } from "./types.ts";

/** The Bun adapter. */
export const bunAdapter: RuntimeAdapter = {
  runtime: "bun",
};
