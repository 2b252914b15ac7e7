/**
 * `pcap stats --json` against the C loop (scripts/bench/_packet/stats.c), whole processes,
 * on every runtime: Node 22, 24 and 26 (dist/cli.js), Deno and Bun (both src/cli.ts and
 * dist/cli.js). Each round runs every contender once, in a new order, each right after a
 * run of the C loop, and each one's figure is the **median over the rounds of the ratio**
 * to that C run: both ran within the same second, so what the shared machine did
 * meanwhile weighs on both alike.
 *
 * Two placements, each its own set of rounds: every process pinned to one core (`taskset`
 * when the machine has it), which shows what the work costs one core; and on the whole
 * machine, as a user runs it, where the runtime's own threads (its garbage collector and
 * its compilers, which a pinned run makes wait their turn on the one core) run beside the
 * program. The C loop is one thread either way. The ratio of CPU
 * times (all threads, by /usr/bin/time) is printed too. With a baseline (a copy of another
 * tree with its dist/ and src/), that tree's CLI runs in the same rounds, for a
 * before/after comparison from one run. Last, each runtime starting an empty program, in
 * rounds of its own on the whole machine: the part of its ratio no program can remove.
 *
 * The C loop memory-maps the file (no copy) and computes the same packet, byte and
 * protocol counts, first and last timestamp, distinct flows and the packets and bytes of
 * the ten largest, with no checks of the file's structure and no other formats; the
 * figures of the two are compared after the first round.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findLeg, type Leg, LEG_NAMES, LegUnavailable } from "../../_legs.ts";
import { fromRoot } from "../../_run.ts";

/**
 * One program that prints the statistics of the capture named last on its command line,
 * or (`bare`) a runtime starting an empty program, run as it is.
 */
interface Contender {
  label: string;
  command: string;
  args: string[];
  bare?: boolean;
}

/** What one contender measured: its per-round ratios of wall time to the C loop's. */
export interface StatsRatio {
  label: string;
  /** The median of `ratios`. */
  ratio: number;
  ratios: number[];
  /** The median per-round ratio of CPU time (user + system), NaN without /usr/bin/time. */
  cpuRatio: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Every runtime of LEG_NAMES this machine has; those it lacks are said once, when `say`. */
function legsHere(say: boolean): Leg[] {
  const legs: Leg[] = [];
  for (const name of LEG_NAMES) {
    try {
      legs.push(findLeg(name));
    } catch (error) {
      if (!(error instanceof LegUnavailable)) throw error;
      if (say) console.log(`  (${name} skipped: ${error.message})`);
    }
  }
  return legs;
}

/** The CLI of the tree at `root` on every runtime this machine has. */
function contenders(root: string, suffix: string): Contender[] {
  const list: Contender[] = [];
  for (const leg of legsHere(suffix === "")) {
    const label = (entry = "") => `${leg.name} ${leg.version}${entry}${suffix}`;
    const run = leg.runtime === "deno" ? ["run", "-A", "--no-lock"] : [];
    if (leg.runtime === "node") list.push({ label: label(), command: leg.command, args: [join(root, "dist/cli.js")] });
    else {
      // Deno and Bun run the sources (Deno's JSR package, `bun src/cli.ts`) and the npm
      // package's bundled CLI, which their users can run as well: on Deno the bundle is
      // fewer files for `deno run` to load before it starts (see docs/benchmarks.md).
      list.push({ label: label(" src"), command: leg.command, args: [...run, join(root, "src/cli.ts")] });
      list.push({ label: label(" dist"), command: leg.command, args: [...run, join(root, "dist/cli.js")] });
    }
  }
  return list;
}

const pin = existsSync("/usr/bin/taskset") ? ["/usr/bin/taskset", "-c", "1"] : [];

/** Where the processes run: pinned to one core, or free on the whole machine. */
type Placement = "one core" | "whole machine";
// CPU time (user + system, all threads) of each run, when /usr/bin/time is there.
const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%U %S"] : [];

/** One run: wall time, CPU time (NaN without /usr/bin/time) and what it printed. */
function timeRun(c: Contender, file: string, placement: Placement): { ms: number; cpuMs: number; out: string } {
  const [command, ...args] = [
    ...timed,
    ...(placement === "one core" ? pin : []),
    c.command,
    ...c.args,
    ...(c.bare ? [] : [...(c.label === "C" ? [] : ["pcap", "stats", "--json"]), file]),
  ];
  const start = performance.now();
  const r = spawnSync(command, args, { encoding: "utf8", maxBuffer: 16 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}): ${r.stderr}`);
  const [user, system] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { ms, cpuMs: timed.length ? (user + system) * 1000 : NaN, out: r.stdout };
}

function compareCounts(label: string, ours: Record<string, unknown>, theirs: Record<string, unknown>): void {
  for (const key of ["packets", "bytes", "capturedBytes", "flows"]) {
    if (ours[key] !== theirs[key]) console.log(`  warning: ${key} differs: ${label} ${ours[key]}, C ${theirs[key]}`);
  }
  const p = ours.protocols as Record<string, number>;
  for (const [name, n] of Object.entries(theirs.protocols as Record<string, number>)) {
    if (p[name] !== n) console.log(`  warning: protocol ${name} differs: ${label} ${p[name]}, C ${n}`);
  }
  // anynet prints ISO 8601 with nanoseconds, the C loop microseconds since the epoch.
  const micros = (iso: unknown) =>
    Date.parse(`${String(iso).slice(0, 19)}Z`) * 1000 + Number(String(iso).slice(20, 26));
  for (const [key, theirKey] of [["first", "firstMicros"], ["last", "lastMicros"]]) {
    if (micros(ours[key]) !== theirs[theirKey]) {
      console.log(`  warning: ${key} differs: ${label} ${ours[key]}, C ${theirs[theirKey]} µs`);
    }
  }
  const top = (flows: unknown) => (flows as { packets: number; bytes: number }[]).map((f) => `${f.packets}/${f.bytes}`);
  if (top(ours.topFlows).join() !== top(theirs.topFlows).join()) {
    console.log(
      `  warning: the top flows' packets/bytes differ: ${label} ${top(ours.topFlows)}, C ${top(theirs.topFlows)}`,
    );
  }
}

/**
 * Times `pcap stats --json FILE` on every runtime against the C loop (compiled into `dir`)
 * for `rounds` rounds in each placement (pinned to one core when the machine can pin, then
 * on the whole machine), printing and returning each runtime's median per-round ratio.
 */
export function benchStatsAgainstC(
  file: string,
  dir: string,
  rounds: number,
  baseline?: string,
): (StatsRatio & { placement: Placement })[] {
  const cBin = join(dir, "stats_c");
  const cc = spawnSync("gcc", ["-O2", "-o", cBin, fromRoot("scripts/bench/_packet/stats.c")], { encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  const c: Contender = { label: "C", command: cBin, args: [] };
  const others = [...contenders(fromRoot(), ""), ...(baseline ? contenders(baseline, " (baseline)") : [])];
  const placements: Placement[] = pin.length ? ["one core", "whole machine"] : ["whole machine"];
  const results = placements.flatMap((placement) =>
    placedRounds(c, others, file, rounds, placement).map((result) => ({ ...result, placement }))
  );
  // What no program can take off its ratio: the runtime starting and ending with nothing to do.
  placedRounds(c, emptyPrograms(dir), file, rounds, "whole machine");
  return results;
}

/** Each runtime of this machine starting an empty module (written into `dir`). */
function emptyPrograms(dir: string): Contender[] {
  const empty = join(dir, "empty.mjs");
  writeFileSync(empty, "");
  return legsHere(false).map((leg) => ({
    label: `${leg.name} ${leg.version} empty`,
    command: leg.command,
    args: leg.runtime === "deno" ? ["run", empty] : [empty],
    bare: true,
  }));
}

/** The rounds of one placement, printed; each contender's median ratio to the C loop. */
function placedRounds(
  c: Contender,
  others: Contender[],
  file: string,
  rounds: number,
  placement: Placement,
): StatsRatio[] {
  const wall = new Map<string, number[]>(others.map((o) => [o.label, []]));
  const cpu = new Map<string, number[]>(others.map((o) => [o.label, []]));
  const cTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Each contender right after a run of the C loop, in a new order each round: its
    // ratio is to the C time of a moment ago, under the same load.
    const order = [...others].sort(() => Math.random() - 0.5);
    for (const o of order) {
      const cRun = timeRun(c, file, placement);
      const run = timeRun(o, file, placement);
      cTimes.push(cRun.ms);
      wall.get(o.label)!.push(run.ms / cRun.ms);
      cpu.get(o.label)!.push(run.cpuMs / cRun.cpuMs);
      if (round === 0 && !o.bare) compareCounts(o.label, JSON.parse(run.out), JSON.parse(cRun.out));
    }
  }
  const bare = others.every((o) => o.bare);
  const what = bare ? "an empty program (each runtime's start and exit alone)" : "pcap stats --json";
  console.log(
    `${what} against the C loop (whole processes, ${
      placement === "one core" ? "pinned to core 1" : "on the whole machine"
    }, ${rounds} ` +
      `rounds, each run right after one of the C loop; C ${median(cTimes).toFixed(0)} ms median, ` +
      `${Math.min(...cTimes).toFixed(0)}–${Math.max(...cTimes).toFixed(0)}${bare ? "" : "; target ≤ 2×"}):`,
  );
  const results: StatsRatio[] = [];
  for (const o of others) {
    const ratios = wall.get(o.label)!;
    const cpuRatios = cpu.get(o.label)!;
    results.push({ label: o.label, ratio: median(ratios), ratios, cpuRatio: median(cpuRatios) });
    const range = (r: number[]) => `${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}`;
    console.log(
      `  ${o.label.padEnd(26)} ${median(ratios).toFixed(2)}× the C time (rounds ${range(ratios)})` +
        (timed.length ? `, CPU time ${median(cpuRatios).toFixed(2)}× (${range(cpuRatios)})` : ""),
    );
  }
  return results;
}
