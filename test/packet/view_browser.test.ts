/// <reference lib="dom" />
/**
 * `anynet pcap view` in a real browser: the CLI on the leg's runtime serves the viewer,
 * headless Chromium opens it, and what the page shows is checked against what
 * `pcap decode` prints for the same capture. One browser for the whole file.
 * ANYNET_SCREENSHOTS=1 also writes docs/images/viewer.png and viewer-dark.png.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../_helpers/cli.ts";
import { exchange } from "../_helpers/http_raw.ts";
import { announceSkip, root } from "../_helpers/env.ts";
import { type Browser, findChromium, launchBrowser, type Page } from "../_helpers/browser.ts";
import { type CliProcess, startCli, waitForListening } from "../_helpers/net_process.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";
import { captureSummary } from "anynet/packet";

const dir = mkdtempSync(join(tmpdir(), "anynet-view-"));
const frames = sampleFrames();
const sample = join(dir, "sample.pcap");
writeFileSync(sample, pcap(frames.map((data, i) => ({ data, sec: 1700000000 + i, frac: 250000 }))));
// A second, smaller capture for the file chooser.
const other = join(dir, "other.pcap");
writeFileSync(other, pcap(frames.slice(0, 3).map((data, i) => ({ data, sec: 1800000000 + i }))));
const FILTER = "udp.port == 53 || arp || tls";

const chromium = findChromium();
let viewer: CliProcess | undefined;
let base = "";
let browser: Browser | undefined;
let page: Page | undefined;
let decoded: string[] = [];
let filtered: string[] = [];

test.before(async () => {
  viewer = startCli(["pcap", "view", sample]);
  const [port, all, some] = await Promise.all([
    waitForListening(viewer),
    runCli(["pcap", "decode", sample]),
    runCli(["pcap", "decode", sample, "--filter", FILTER]),
  ]);
  base = `http://127.0.0.1:${port}/`;
  decoded = all.stdout.trim().split("\n");
  filtered = some.stdout.trim().split("\n");
  if (!chromium) return announceSkip("no Chromium (Debian's chromium package): the browser tests of pcap view");
  browser = await launchBrowser(chromium);
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(base);
  await page.waitForSelector("body[data-state=done]", { timeout: 20_000 });
});

test.after(async () => {
  await browser?.close();
  const exit = await viewer?.stop("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
  // Stopping cleanly is part of the command's contract: checked after everything else ran.
  assert.equal(exit, { code: 0, signal: null }, viewer?.stderr());
});

/**
 * Waits until the list shows `count` rows: the table draws in the next animation frame,
 * after the attribute that says a load or a filter is done.
 */
async function rowsDrawn(p: Page, count: number): Promise<void> {
  await p.waitForFunction((n) => document.querySelectorAll("#list .row:not([hidden])").length === n, count);
}

/** The rows the list draws now, each as `pcap decode` would print it. */
function shownLines(p: Page): Promise<string[]> {
  return p.$$eval("#list .row:not([hidden])", (rows) =>
    rows.map((row) => {
      const cell = (name: string) => row.querySelector(`.c-${name}`)!.textContent;
      return `${cell("no")} ${cell("time")} ${cell("info")}`;
    }));
}

test("pcap view serves the page, the scripts and the capture with its length; other hosts and paths are refused", async () => {
  const capture = await fetch(new URL("capture", base));
  assert.is(capture.status, 200);
  assert.is(capture.headers.get("content-length"), String((await capture.arrayBuffer()).byteLength));
  assert.match(await fetch(base).then((r) => r.text()), /<input id="filter"/);
  assert.match(await fetch(new URL("worker.js", base)).then((r) => r.text()), /postMessage/);
  assert.is((await fetch(new URL("nothing", base))).status, 404);
  assert.is((await fetch(base, { method: "POST" })).status, 405);
  // A name rebound to 127.0.0.1 reaches the port but not the capture.
  const port = Number(new URL(base).port);
  const foreign = await exchange(
    port,
    `GET /capture HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`,
  );
  assert.match(foreign, /^HTTP\/1\.1 421 /);
});

test("pcap view refuses a missing file, a directory and a bad port with exit 2 and no stack trace", async () => {
  const cases = [
    [[join(dir, "missing.pcap")], /cannot read capture '.*missing\.pcap': no such file/],
    [[dir], /not a regular file/],
    [[sample, "--port", "70000"], /--port/],
  ] as const;
  const runs = await Promise.all(cases.map(([args]) => runCli(["pcap", "view", ...args])));
  runs.forEach((run, i) => {
    assert.is(run.code, 2, run.stderr);
    assert.match(run.stderr.split("\n")[0], cases[i][1]);
    assert.not.match(run.stderr, /\n\s+at /);
  });
});

test("the viewer lists the packets pcap decode prints, with the same number, time and text", async () => {
  if (!page) return;
  assert.is(await page.getAttribute("body", "data-packets"), String(decoded.length));
  await rowsDrawn(page, decoded.length);
  const lines = await shownLines(page);
  assert.equal(lines, decoded);
  assert.equal(
    await page.$$eval("#list .row:not([hidden]) .c-proto", (cells) => cells.slice(0, 4).map((c) => c.textContent)),
    ["TCP", "TLS", "HTTP", "DNS"],
  );
});

test("a display filter narrows the list to the frames pcap decode --filter keeps; a bad one shows where", async () => {
  if (!page) return;
  await page.fill("#filter", FILTER);
  await page.press("#filter", "Enter");
  await page.waitForSelector("body[data-filtered]");
  await rowsDrawn(page, filtered.length);
  assert.equal(await shownLines(page), filtered);
  assert.ok(filtered.length > 1 && filtered.length < decoded.length);
  await page.fill("#filter", "udp.port == 53 orr arp");
  await page.press("#filter", "Enter");
  const error = await page.textContent("#filter-error");
  assert.match(error!, /found 'orr' at column 16/);
  assert.is(error!.split("\n")[2].indexOf("^"), 15);
  assert.is(await page.getAttribute("#filter", "aria-invalid"), "true");
  // The list stays as the last good filter left it.
  assert.equal(await shownLines(page), filtered);
  await page.fill("#filter", "");
  await page.press("#filter", "Enter");
  await rowsDrawn(page, decoded.length);
});

test("selecting a packet shows its layers and fields and highlights a field's bytes", async () => {
  if (!page) return;
  await page.click("#list .row[data-index='1']");
  await page.waitForSelector("#tree .node");
  const labels = await page.$$eval("#tree .node", (nodes) => nodes.map((n) => n.textContent));
  for (const label of ["IPv4, 192.168.1.10 > 93.184.216.34", "Destination port: 443", "Server name: example.com"]) {
    assert.ok(labels.includes(label), `${label} in ${labels.join(" | ")}`);
  }
  await page.click("#tree .node >> text=Server name: example.com");
  assert.is(await page.$$eval("#hex .hex-ascii .hl", (s) => s.map((x) => x.textContent).join("")), "example.com");
  await page.click("#tree .node >> text=Source: 192.168.1.10");
  assert.equal(await page.$$eval("#hex .hex-bytes .hl", (s) => s.map((x) => x.textContent)), ["c0", "a8", "01", "0a"]);
});

test("the keyboard moves the selection, toggles the detail and reaches the filter", async () => {
  if (!page) return;
  const selected = () => page!.getAttribute("body", "data-selected");
  await page.click("#list .row[data-index='0']");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  assert.is(await selected(), "3");
  await page.keyboard.press("End");
  assert.is(await selected(), String(decoded.length));
  await page.keyboard.press("ArrowUp");
  assert.is(await selected(), String(decoded.length - 1));
  await page.keyboard.press("Home");
  assert.is(await selected(), "1");
  await page.keyboard.press("PageDown");
  assert.is(await selected(), String(decoded.length));
  await page.waitForSelector("#list .row.selected[data-index='9']");
  // The selected frame's detail comes from the worker and opens the pane: wait for it, or
  // it could open the pane again between the two Enters.
  await page.waitForSelector(`body[data-detail='${decoded.length}']`);
  await page.keyboard.press("Enter");
  assert.ok(await page.$("#detail.closed"));
  await page.keyboard.press("Enter");
  assert.not.ok(await page.$("#detail.closed"));
  await page.keyboard.press("/");
  assert.is(await page.evaluate(() => document.activeElement?.id), "filter");
});

test("screenshots for the docs (ANYNET_SCREENSHOTS=1)", async () => {
  if (!page || process.env.ANYNET_SCREENSHOTS !== "1") return;
  await page.fill("#filter", "");
  await page.press("#filter", "Enter");
  await page.click("#list .row[data-index='1']");
  await page.click("#tree .node >> text=Server name: example.com");
  await page.screenshot({ path: join(root, "docs", "images", "viewer.png") });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: join(root, "docs", "images", "viewer-dark.png") });
  await page.emulateMedia({ colorScheme: "light" });
});

test("the Statistics tab shows the report's summary of the capture: packets, conversations, the I/O graph", async () => {
  if (!page) return;
  const summary = await captureSummary(sample);
  await page.click("[data-tab=stats]");
  await page.waitForSelector("#stats #summary-io canvas", { timeout: 20_000 });
  const facts = await page.$$eval("#stats table.facts tr", (rows) => rows.map((r) => r.textContent));
  assert.ok(facts.includes(`Packets${decoded.length.toLocaleString("en-US")}`), facts.join("\n"));
  const rows = await page.$$eval("#stats #summary-conversations tbody tr", (trs) => trs.length);
  assert.is(rows, summary.conversations.top.length);
  assert.ok(rows > 0);
  await page.click("[data-tab=packets]");
});

test("a capture chosen on the page opens in place of the served one", async () => {
  if (!page) return;
  await page.setInputFiles("#open-file", other);
  await page.waitForFunction(() => document.body.dataset.state === "done" && document.body.dataset.packets === "3");
  await rowsDrawn(page, 3);
  assert.equal((await shownLines(page)).map((l) => l.split(" ").slice(0, 2).join(" ")), [
    "1 1800000000.000000000",
    "2 1800000001.000000000",
    "3 1800000002.000000000",
  ]);
});

test.run();
