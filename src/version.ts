/**
 * The version of anynet. scripts/build.ts checks that it matches package.json and
 * deno.json, so the three never drift apart.
 */
export const VERSION: string = "0.1.0";
