/**
 * HTML report benchmark (`npm run bench -- report [--packets N] [--rounds R]`): writes the
 * packet benchmark's capture (N packets, 1,000,000 by default), then on every runtime times
 * `pcap report FILE -o OUT` right after `pcap stats --json FILE` in each of R rounds (5), on
 * one core (`taskset -c 1`), and prints the median and range of the per-round ratios
 * report/stats of wall and CPU time, the peak RSS of each, and the report's size.
 *
 * Needs a build (`npm run build`) for dist/cli.js.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { numberFlag, parseFlags, readCommandLine } from "../_args.ts";
import { fromRoot } from "../_run.ts";
import { benchNode } from "./_node.ts";
import { writeBenchCapture } from "./_packet/generate.ts";

const USAGE = "Usage: npm run bench -- report [--packets N] [--rounds R]\n" +
  "  --packets N   packets in the capture (default 1,000,000)\n" +
  "  --rounds R    rounds of report against stats per runtime (default 5)";

const { N, ROUNDS } = readCommandLine("bench report", USAGE, () => {
  const { flags } = parseFlags(Deno.args, { packets: { type: "string" }, rounds: { type: "string" } });
  return {
    N: numberFlag("--packets", flags.packets, 1_000_000, { min: 1, integer: true }),
    ROUNDS: numberFlag("--rounds", flags.rounds, 5, { min: 1, integer: true }),
  };
});

const runtimes: Record<string, string[]> = {
  [`node ${benchNode.version}`]: [benchNode.command, fromRoot("dist/cli.js")],
  deno: [fromRoot("node_modules/.bin/deno"), "run", "-A", "--no-lock", fromRoot("src/cli.ts")],
  bun: [fromRoot("node_modules/.bin/bun"), fromRoot("src/cli.ts")],
};
const pin = existsSync("/usr/bin/taskset") ? ["/usr/bin/taskset", "-c", "1"] : [];

/** One run: wall time, CPU time (user + system) and peak RSS. */
function timeRun(command: string[]): { ms: number; cpuMs: number; rssMiB: number } {
  const [program, ...args] = ["/usr/bin/time", "-f", "%U %S %M", ...pin, ...command];
  const start = performance.now();
  const r = spawnSync(program, args, { encoding: "utf8", maxBuffer: 16 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command.join(" ")} failed (exit ${r.status}): ${r.stderr}`);
  const [user, system, rss] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { ms, cpuMs: (user + system) * 1000, rssMiB: rss / 1024 };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

const dir = mkdtempSync(join(tmpdir(), "anynet-bench-report-"));
try {
  const file = join(dir, "bench.pcap");
  const size = writeBenchCapture(file, N);
  const out = join(dir, "report.html");
  console.log(`capture: ${N.toLocaleString("en")} packets, ${(size / 1048576).toFixed(0)} MiB; ${ROUNDS} rounds`);
  for (const [label, cli] of Object.entries(runtimes)) {
    const wall: number[] = [], cpu: number[] = [], times: number[] = [], rss: [number, number][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const stats = timeRun([...cli, "pcap", "stats", "--json", file]);
      const report = timeRun([...cli, "pcap", "report", file, "-o", out]);
      wall.push(report.ms / stats.ms);
      cpu.push(report.cpuMs / stats.cpuMs);
      times.push(report.ms);
      rss.push([stats.rssMiB, report.rssMiB]);
    }
    console.log(
      `${label.padEnd(14)} report ${median(times).toFixed(0)} ms median; report/stats wall ${
        median(wall).toFixed(2)
      }× (rounds ${range(wall)}), CPU ${median(cpu).toFixed(2)}× (${range(cpu)}); peak RSS stats ${
        median(rss.map((r) => r[0])).toFixed(0)
      } MiB, report ${median(rss.map((r) => r[1])).toFixed(0)} MiB; report ${
        (statSync(out).size / 1024).toFixed(0)
      } KiB`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
