/**
 * A real browser for tests of pages (the capture viewer, the HTML report): the machine's
 * Chromium (Debian's `chromium` package, which .ci/run installs), driven by playwright-core
 * with its executable path, so nothing downloads a browser of its own.
 *
 * The driver runs in the test process on every leg (Node, Deno and Bun all run
 * playwright-core); what differs per leg is the anynet server the page is loaded from.
 *
 * Under scripts/test.ts every leg and file shares one Chromium, started by the first test
 * that asks (each start costs about two seconds of CPU, which CI pays in time). It lives
 * as long as the test run: a watchdog stops it once the runner's process is gone, however
 * the run ended. A test file run by hand starts and stops a browser of its own.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";
import type { Browser } from "playwright-core";
import { root } from "./env.ts";
import { sharedFixture } from "./shared_fixture.ts";

export type { Browser, BrowserContext, Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

// No sandbox: CI runs as root, where Chromium refuses to start with one.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];

/** The Chromium executable: ANYNET_CHROMIUM, else the usual Debian paths; undefined when none. */
export function findChromium(): string | undefined {
  const chosen = process.env.ANYNET_CHROMIUM;
  if (chosen) return existsSync(chosen) ? chosen : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

function playwright(): typeof import("playwright-core") {
  // createRequire rather than an import: Deno runs this file from source and resolves the
  // package the same way as Node and Bun this way.
  return createRequire(join(root, "package.json"))("playwright-core") as typeof import("playwright-core");
}

/**
 * Headless Chromium, shared by the whole test run when scripts/test.ts runs the file.
 * The caller closes what it got (in a `finally` or an `after` hook): for the shared
 * browser that closes the caller's contexts and disconnects, leaving the browser to the
 * others. A page that must work without a network opens in
 * `browser.newContext({ offline: true })`; use a context of your own rather than
 * `browser.newPage()` so that nothing of one test file is left for the next.
 */
export async function launchBrowser(executablePath: string): Promise<Browser> {
  const { chromium } = playwright();
  const runner = process.env.ANYNET_TEST_RUNNER_PID;
  if (!runner || !process.env.ANYNET_TEST_FIXTURES) {
    return await chromium.launch({ executablePath, args: FLAGS, timeout: 20_000 });
  }
  const folder = sharedFixture("chromium", (dir) => startSharedChromium(executablePath, dir, runner));
  const endpoint = readFileSync(join(folder, "endpoint"), "utf8");
  return await chromium.connectOverCDP(endpoint, { timeout: 20_000 });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Starts Chromium with a DevTools port, outliving this process, and writes its endpoint. */
function startSharedChromium(executablePath: string, dir: string, runnerPid: string): void {
  // Not in the fixtures folder: the runner removes that while the browser may still write.
  const profile = join(tmpdir(), `anynet-test-chromium-${Number(runnerPid)}`);
  rmSync(profile, { recursive: true, force: true });
  const args = [
    "--headless",
    ...FLAGS,
    // What playwright-core passes when it launches a browser itself: several test files
    // share this one, each in a tab of its own, and a tab in the background must still
    // run its timers and animation frames (the viewer draws its rows in one); no
    // component updates, sync or other calls home in between.
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--no-first-run",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    `--user-data-dir=${profile}`,
    "about:blank",
  ];
  // The shell keeps Chromium for as long as the runner lives, then stops it: a run that
  // is interrupted leaves no browser behind. Chromium's own group goes with it.
  const quoted = [executablePath, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const watchdog = `${quoted} >/dev/null 2>&1 & browser=$!
while kill -0 ${Number(runnerPid)} 2>/dev/null && kill -0 $browser 2>/dev/null; do sleep 1; done
kill $browser 2>/dev/null; wait $browser; rm -rf '${profile}'`;
  spawn("sh", ["-c", watchdog], { detached: true, stdio: "ignore" }).unref();
  // Chromium writes the port it chose, then the browser's path, once it listens.
  const portFile = join(profile, "DevToolsActivePort");
  const deadline = Date.now() + 20_000;
  while (!existsSync(portFile) || readFileSync(portFile, "utf8").split("\n").length < 2) {
    if (Date.now() > deadline) throw new Error(`Chromium (${executablePath}) did not open its DevTools port in 20 s`);
    Atomics.wait(sleeper, 0, 0, 50);
  }
  const port = readFileSync(portFile, "utf8").split("\n")[0];
  writeFileSync(join(dir, "endpoint"), `http://127.0.0.1:${port}`);
}
