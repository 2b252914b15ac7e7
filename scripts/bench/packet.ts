/**
 * Packet decoder benchmark (`npm run bench -- packet [--packets N] [--big N]`):
 *
 * 1. writes a capture of N (1,000,000) Ethernet packets, realistic mix, snaplen 256;
 * 2. packets/s of the WebAssembly batch decode and of the TypeScript reference
 *    (decode calls on chunks in memory, best of 5, and openCapture end to end, best of 3),
 *    and of a few compiled display filters on the decoded rows (_packet/filters.ts);
 * 3. whole-process time of `pcap stats --json` on every runtime against a plain C loop
 *    computing the same counts (compiled with gcc -O2 into the temp dir), as medians of
 *    per-round ratios, pinned to one core and then on the whole machine (_packet/stats_vs_c.ts; `--rounds N`, `--baseline DIR` to time
 *    another tree's CLI in the same rounds, `--stats-only` to stop after it), and checks
 *    that the counts agree;
 * 4. `pcap export` MB/s (Parquet, CSV, NDJSON) against `pcap decode --json` per runtime
 *    (_packet/export.ts);
 * 5. peak RSS of `pcap stats` and of a Parquet export on the N-packet capture and on one
 *    of 10·N packets.
 *
 * With `--flows F`, only the flow-table bound instead (scripts/bench/_packet/flows.ts): a
 * capture of F distinct flows through `pcap stats` on both engines, with exit code, peak
 * RSS and time (`--cli PATH` for another build of the CLI, `-- ARGS` for `pcap stats`).
 *
 * Needs a build (`npm run build`) for dist/cli.js.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCapture } from "../../src/packet/mod.ts";
import { createEngine } from "../../src/packet/_engine.ts";
import { numberFlag, parseFlags, readCommandLine } from "../_args.ts";
import { fromRoot } from "../_run.ts";
import { benchNode } from "./_node.ts";
import { benchExport, exportPeakRss } from "./_packet/export.ts";
import { benchFilters } from "./_packet/filters.ts";
import { benchFlowBound } from "./_packet/flows.ts";
import { benchStatsAgainstC } from "./_packet/stats_vs_c.ts";
import { writeBenchCapture } from "./_packet/generate.ts";

const USAGE = "Usage: npm run bench -- packet [--packets N] [--big N] [--rounds R] [--baseline DIR] [--stats-only]\n" +
  "       npm run bench -- packet --flows F [--cli PATH] [-- PCAP-STATS-ARGS...]\n" +
  "  --packets N   packets in the capture (default 1,000,000)\n" +
  "  --big N       packets in the capture for the second peak RSS (default 10 × --packets)\n" +
  "  --rounds R    rounds of pcap stats against the C loop (default 5)\n" +
  "  --baseline DIR  also time the CLI of another tree (its dist/ and src/) in those rounds\n" +
  "  --stats-only  stop after pcap stats against the C loop\n" +
  "  --flows F     only the flow-table bound: a capture of F distinct flows through pcap stats\n" +
  "  --cli PATH    with --flows: the CLI to run (default dist/cli.js)";

const { N, BIG, FLOWS, ROUNDS, baseline, statsOnly, cli, statsArgs } = readCommandLine("bench packet", USAGE, () => {
  const { flags, rest } = parseFlags(Deno.args, {
    packets: { type: "string" },
    big: { type: "string" },
    flows: { type: "string" },
    rounds: { type: "string" },
    baseline: { type: "string", takes: "a tree with dist/ and src/" },
    "stats-only": { type: "boolean" },
    cli: { type: "string", takes: "the path of a built dist/cli.js" },
  }, { passThrough: true });
  const packets = numberFlag("--packets", flags.packets, 1_000_000, { min: 1, integer: true });
  return {
    N: packets,
    BIG: numberFlag("--big", flags.big, 10 * packets, { min: 1, integer: true }),
    FLOWS: numberFlag("--flows", flags.flows, 0, { min: 0, integer: true }),
    ROUNDS: numberFlag("--rounds", flags.rounds, 5, { min: 1, integer: true }),
    baseline: flags.baseline,
    statsOnly: flags["stats-only"] === true,
    cli: flags.cli ?? fromRoot("dist/cli.js"),
    statsArgs: rest,
  };
});

if (!existsSync(fromRoot("dist/cli.js"))) {
  console.error("bench packet: dist/cli.js is missing; run `npm run build` first");
  Deno.exit(1);
}
if (FLOWS > 0) {
  // The flow-table bound alone: a capture of that many distinct flows through both engines.
  benchFlowBound(FLOWS, cli, statsArgs);
  Deno.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "anynet-bench-packet-"));
try {
  const file = join(dir, "bench.pcap");
  let t = performance.now();
  const size = writeBenchCapture(file, N);
  console.log(
    `capture: ${N.toLocaleString("en")} packets, ${(size / 1048576).toFixed(1)} MiB (written in ${
      ((performance.now() - t) / 1000).toFixed(1)
    } s)`,
  );

  if (statsOnly) {
    benchStatsAgainstC(file, dir, ROUNDS, baseline);
    // Deno.exit() skips the finally below.
    rmSync(dir, { recursive: true, force: true });
    Deno.exit(0);
  }
  const bytes = readFileSync(file);
  // (a) The batch decode itself: 4 MiB chunks are copied into the engine's input buffer
  // (not timed, as a file read would put them there), then only the decode calls that turn
  // each chunk into batches of 4096 rows are timed.
  const decodeOnly = (engine: "wasm" | "ts") => {
    const CHUNK = 4 << 20;
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const e = createEngine(engine, 4096);
      let carry = 0, n = 0, timed = 0;
      for (let o = 0; o <= bytes.length; o += CHUNK) {
        const piece = bytes.subarray(o, o + CHUNK);
        e.ensureInput(carry + piece.length);
        e.input().set(piece, carry);
        const end = carry + piece.length;
        const final = o + CHUNK >= bytes.length;
        const start = performance.now();
        let at = 0;
        for (;;) {
          at = e.decode(at, end, final);
          n += e.rows();
          if (e.rows() < 4096) break;
        }
        timed += performance.now() - start;
        e.input().copyWithin(0, at, end);
        carry = end - at;
        if (final) break;
      }
      if (n !== N || e.status() !== 0) throw new Error(`decoded ${n} packets (status ${e.status()}), expected ${N}`);
      best = Math.min(best, timed);
    }
    return N / (best / 1000);
  };
  // (b) End to end through openCapture: chunks copied in, batches yielded.
  const openRate = async (engine: "wasm" | "ts") => {
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      let n = 0;
      for await (const batch of openCapture(bytes, { engine, chunkSize: 4 << 20 })) n += batch.length;
      if (n !== N) throw new Error(`decoded ${n} packets, expected ${N}`);
      best = Math.min(best, performance.now() - start);
    }
    return N / (best / 1000);
  };
  const wasmPps = decodeOnly("wasm");
  const tsPps = decodeOnly("ts");
  console.log(
    `batch decode (decode calls on 4 MiB chunks in memory, best of 5): wasm ${(wasmPps / 1e6).toFixed(1)} Mpps, ts ${
      (tsPps / 1e6).toFixed(1)
    } Mpps (wasm/ts ${(wasmPps / tsPps).toFixed(2)}×; target wasm ≥ 20 Mpps)`,
  );
  const wasmOpen = await openRate("wasm");
  const tsOpen = await openRate("ts");
  console.log(
    `openCapture end to end (bytes → batches, best of 3): wasm ${(wasmOpen / 1e6).toFixed(1)} Mpps, ts ${
      (tsOpen / 1e6).toFixed(1)
    } Mpps`,
  );

  for (const f of await benchFilters(bytes)) {
    console.log(
      `filter on decoded rows (best of 3): ${(f.pps / 1e6).toFixed(1)} Mpps, ${f.matches} matches: ${f.expression}` +
        " (target ≥ 10 Mpps)",
    );
  }

  if (!statsOnly) benchStatsAgainstC(file, dir, ROUNDS, baseline);

  // Peak RSS of the whole process, on each runtime (streaming keeps it flat).
  const runtimes: Record<string, string[]> = {
    node: [benchNode.command, fromRoot("dist/cli.js")],
    deno: [fromRoot("node_modules/.bin/deno"), "run", "-A", "--no-lock", fromRoot("src/cli.ts")],
    bun: [fromRoot("node_modules/.bin/bun"), fromRoot("src/cli.ts")],
  };
  const peakRss = (path: string, runtime: string) => {
    const r = spawnSync("/usr/bin/time", ["-f", "%M", ...runtimes[runtime], "pcap", "stats", "--json", path], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`pcap stats on ${runtime} failed: ${r.stderr}`);
    return Number(r.stderr.trim().split("\n").pop()) / 1024;
  };
  const rss1: Record<string, number> = {};
  for (const runtime of Object.keys(runtimes)) rss1[runtime] = peakRss(file, runtime);
  benchExport(file, size, runtimes);
  const exportRss1 = exportPeakRss(file, runtimes.node);
  rmSync(file);
  const big = join(dir, "big.pcap");
  t = performance.now();
  const bigSize = writeBenchCapture(big, BIG, 2);
  console.log(
    `big capture: ${BIG.toLocaleString("en")} packets, ${(bigSize / 1048576).toFixed(0)} MiB (written in ${
      ((performance.now() - t) / 1000).toFixed(1)
    } s)`,
  );
  const exportRss10 = exportPeakRss(big, runtimes.node);
  console.log(
    `peak RSS of pcap export --format parquet (node): ${exportRss1.toFixed(0)} MiB for ${
      N.toLocaleString("en")
    } packets, ${exportRss10.toFixed(0)} MiB for ${BIG.toLocaleString("en")} (${
      (exportRss10 / exportRss1).toFixed(2)
    }×)`,
  );
  for (const runtime of Object.keys(runtimes)) {
    const rss10 = peakRss(big, runtime);
    console.log(
      `peak RSS of pcap stats (${runtime}): ${rss1[runtime].toFixed(0)} MiB for ${N.toLocaleString("en")} packets, ${
        rss10.toFixed(0)
      } MiB for ${BIG.toLocaleString("en")} (${(rss10 / rss1[runtime]).toFixed(2)}×)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
