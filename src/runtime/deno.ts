import type { RuntimeAdapter } from "./types.ts";

/** The Deno adapter. */
export const denoAdapter: RuntimeAdapter = {
  runtime: "deno",
};
