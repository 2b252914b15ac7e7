/**
 * `pcap export` throughput against `pcap decode --json` on the same capture, on each
 * runtime: whole-process time of each command (JSON lines to /dev/null, tables to a file
 * in the temp dir), the variants interleaved in rounds, MB/s of capture read, and the
 * median and range of the per-round ratio export/decode-json. Also the peak RSS of a
 * Parquet export, which the row-group streaming keeps flat as the capture grows.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";

const FORMATS = ["parquet", "csv", "ndjson"] as const;

function timed(command: string[], stdout: "ignore" | "pipe" = "ignore"): number {
  const start = performance.now();
  const r = spawnSync(command[0], command.slice(1), { stdio: ["ignore", stdout, "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command.join(" ")} failed: ${r.stderr}`);
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Prints the MB/s of each format and of `pcap decode --json` per runtime, and their ratios. */
export function benchExport(file: string, size: number, runtimes: Record<string, string[]>, rounds = 3): void {
  const dir = join(file, "..");
  for (const [runtime, cli] of Object.entries(runtimes)) {
    const ms: Record<string, number[]> = { json: [] };
    for (const f of FORMATS) ms[f] = [];
    for (let round = 0; round < rounds; round++) {
      ms.json.push(timed([...cli, "pcap", "decode", "--json", file]));
      for (const f of FORMATS) {
        const out = join(dir, `export.${f}`);
        ms[f].push(timed([...cli, "pcap", "export", file, "--format", f, "-o", out]));
        rmSync(out, { force: true });
      }
    }
    const mbps = (xs: number[]) => (size / 1e6 / (median(xs) / 1000)).toFixed(1);
    const parts = FORMATS.map((f) => {
      const ratios = ms[f].map((t, i) => ms.json[i] / t);
      const lo = Math.min(...ratios).toFixed(2), hi = Math.max(...ratios).toFixed(2);
      return `${f} ${mbps(ms[f])} MB/s (${median(ratios).toFixed(2)}× decode --json, ${lo}–${hi})`;
    });
    console.log(
      `pcap export (${runtime}, whole process, median of ${rounds} rounds): ${parts.join(", ")}; ` +
        `pcap decode --json ${mbps(ms.json)} MB/s`,
    );
  }
}

/** Peak RSS in MiB of a Parquet export of `file` on the runtime `cli` starts. */
export function exportPeakRss(file: string, cli: string[]): number {
  const out = join(file, "..", "rss.parquet");
  const r = spawnSync("/usr/bin/time", ["-f", "%M", ...cli, "pcap", "export", file, "-o", out], { encoding: "utf8" });
  rmSync(out, { force: true });
  if (r.status !== 0) throw new Error(`pcap export failed: ${r.stderr}`);
  return Number(r.stderr.trim().split("\n").pop()) / 1024;
}
