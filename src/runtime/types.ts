import type { RuntimeName } from "./detect.ts";

/**
 * The contract every runtime adapter (`node.ts`, `deno.ts`, `bun.ts`) implements.
 *
 * Only the adapters touch `Deno`, `Bun` or `node:*` networking; everything above them
 * (src/net, src/echo, src/http, src/tools, the CLI) is written once against this
 * interface. Each capability lives in its own interface so that an adapter can be
 * read one concern at a time.
 */
export interface RuntimeAdapter {
  /** Which runtime this adapter drives. */
  readonly runtime: RuntimeName;
}
