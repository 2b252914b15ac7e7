/**
 * A real browser for tests of pages (the capture viewer, the HTML report): the machine's
 * Chromium (Debian's `chromium` package, which .ci/run installs), driven by playwright-core
 * with its executable path, so nothing downloads a browser of its own.
 *
 * The driver runs in the test process on every leg (Node, Deno and Bun all run
 * playwright-core); what differs per leg is the anynet server the page is loaded from.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";
import type { Browser } from "playwright-core";
import { root } from "./env.ts";

export type { Browser, Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable: ANYNET_CHROMIUM, else the usual Debian paths; undefined when none. */
export function findChromium(): string | undefined {
  const chosen = process.env.ANYNET_CHROMIUM;
  if (chosen) return existsSync(chosen) ? chosen : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Starts headless Chromium. The caller closes it (in a `finally` or an `after` hook).
 * A page that must work without a network opens in `browser.newContext({ offline: true })`.
 */
export async function launchBrowser(executablePath: string): Promise<Browser> {
  // createRequire rather than an import: Deno runs this file from source and resolves the
  // package the same way as Node and Bun this way.
  const { chromium } = createRequire(join(root, "package.json"))("playwright-core") as typeof import("playwright-core");
  return await chromium.launch({
    executablePath,
    // No sandbox: CI runs as root, where Chromium refuses to start with one.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: 20_000,
  });
}
