/// <reference lib="dom" />
/**
 * Capture viewer benchmark (`npm run bench -- viewer [--packets N] [--rounds R]`): writes
 * a capture of N (1,000,000) packets (the packet benchmark's mix), serves it with
 * `anynet pcap view` on Node, opens it in headless Chromium (Debian's chromium,
 * driven by playwright-core) R times, and prints per round: when the first rows were
 * drawn and when the whole capture was in (milliseconds from navigation start), the
 * worker's decode time, the page's JavaScript heap after a garbage collection, the bytes
 * the packet list's columns take, and the mean and worst frame while scrolling through
 * the list; then the medians, against the capture's size.
 *
 * Needs a build (`npm run build`) for dist/cli.js.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromRoot } from "../_run.ts";
import { parseFlags, readCommandLine } from "../_args.ts";
import { writeBenchCapture } from "./_packet/generate.ts";

const usage = "Usage: npm run bench -- viewer [--packets N] [--rounds R]";
const { packets, rounds } = readCommandLine("bench viewer", usage, () => {
  const { flags } = parseFlags(Deno.args, { packets: { type: "string" }, rounds: { type: "string" } });
  return { packets: Number(flags.packets ?? 1_000_000), rounds: Number(flags.rounds ?? 3) };
});
const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!chromiumPath) {
  console.error("bench viewer: no Chromium found (install Debian's chromium package)");
  Deno.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "anynet-bench-viewer-"));
const capture = join(dir, "bench.pcap");
writeBenchCapture(capture, packets);
const size = statSync(capture).size;
console.log(`capture: ${packets.toLocaleString("en")} packets, ${(size / 1048576).toFixed(1)} MiB`);

let server: ChildProcess | undefined;
const { chromium } = createRequire(fromRoot("package.json"))("playwright-core") as typeof import("playwright-core");
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  server = spawn("node", [fromRoot("dist/cli.js"), "pcap", "view", capture], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server!.stdout!.on("data", (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    server!.on("exit", () => reject(new Error(`pcap view exited: ${out}`)));
  });
  const results: Record<string, number>[] = [];
  for (let round = 0; round < rounds; round++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(url);
    await page.waitForSelector("body[data-state=done]", { timeout: 600_000 });
    const marks = await page.evaluate(() => ({ ...document.body.dataset }));
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize")!.value;
    // Scroll through the list in 120 steps and time each frame.
    const frames = await page.evaluate(async () => {
      const list = document.getElementById("list")!;
      const times: number[] = [];
      let last = performance.now();
      for (let i = 1; i <= 120; i++) {
        list.scrollTop = (list.scrollHeight * i) / 120;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const now = performance.now();
        times.push((now - last) / 2);
        last = now;
      }
      return times;
    });
    results.push({
      firstRows: Number(marks.firstRowsMs),
      loaded: Number(marks.loadedMs),
      decode: Number(marks.decodeMs),
      heapMiB: heap / 1048576,
      listMiB: Number(marks.listBytes) / 1048576,
      frameMean: frames.reduce((a, b) => a + b, 0) / frames.length,
      frameWorst: Math.max(...frames),
    });
    console.log(
      `round ${round + 1}: ${
        JSON.stringify(results.at(-1), (_k, v) => typeof v === "number" ? Math.round(v * 10) / 10 : v)
      }`,
    );
    await page.close();
  }
  const median = (key: string) => {
    const values = results.map((r) => r[key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  console.log(
    `median: first rows ${median("firstRows")} ms, all ${median("loaded")} ms (worker decode ${
      median("decode")
    } ms), ` +
      `JS heap ${median("heapMiB").toFixed(1)} MiB (list columns ${median("listMiB").toFixed(1)} MiB) for a ` +
      `${(size / 1048576).toFixed(1)} MiB capture; scrolling: mean frame ${median("frameMean").toFixed(1)} ms, ` +
      `worst ${median("frameWorst").toFixed(1)} ms`,
  );
} finally {
  await browser.close();
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
