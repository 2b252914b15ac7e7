/**
 * What the load generators (`bench echo`, `bench http`) share on the command line: the
 * --connections, --duration, --rate and --warmup flags, the live line a terminal shows
 * while they run, and the latency lines of their reports.
 *
 * @module
 */
import { MAX_DELAY_S } from "../../_delay.ts";
import { isTerminal } from "../../runtime/process.ts";
import type { HistogramBar, LatencySummary } from "../../tools/_histogram.ts";
import { MAX_RATE } from "../../tools/_load_schedule.ts";
import type { CommandIO, FlagSpec } from "../command.ts";

/** `--connections N` (`-c`), 10 by default. */
export const connectionsFlag: FlagSpec = {
  name: "connections",
  short: "c",
  type: "integer",
  min: 1,
  max: 100000,
  default: 10,
  valueName: "N",
  description: "Connections at once",
};

/** `--duration SECONDS` (`-d`), with the command's default. */
export function durationFlag(seconds: number, description = "How long to run"): FlagSpec {
  return {
    name: "duration",
    short: "d",
    type: "number",
    min: 0.001,
    max: MAX_DELAY_S,
    default: seconds,
    valueName: "SECONDS",
    description,
  };
}

/** `--rate PER_SECOND` (`-R`): open load, what it sends per second named by `what`. */
export function rateFlag(what: string): FlagSpec {
  return {
    name: "rate",
    short: "R",
    type: "number",
    min: 0.001,
    max: MAX_RATE,
    valueName: "PER_SECOND",
    description: `Send ${what} at this fixed rate; latency counts from each one's due time`,
  };
}

/** `--warmup SECONDS`, 0 by default. */
export const warmupFlag: FlagSpec = {
  name: "warmup",
  type: "number",
  min: 0,
  max: MAX_DELAY_S,
  default: 0,
  valueName: "SECONDS",
  description: "Load this long before measuring starts",
};

/** A number with `digits` decimals, or "-" for a figure that has no value. */
export const fixed = (value: number | null, digits: number): string => (value === null ? "-" : value.toFixed(digits));

/** The report's latency lines: percentiles, then min, mean and stdev, then the histogram's bars. */
export function latencyLines(l: LatencySummary, bars: readonly HistogramBar[], indent: string): string[] {
  const lines = [
    `p50 ${fixed(l.p50, 3)} ms, p90 ${fixed(l.p90, 3)} ms, p99 ${fixed(l.p99, 3)} ms, ` +
    `p99.9 ${fixed(l["p99.9"], 3)} ms, max ${fixed(l.max, 3)} ms`,
    `${indent}min ${fixed(l.min, 3)} ms, mean ${fixed(l.mean, 3)} ms, stdev ${fixed(l.stdev, 3)} ms`,
  ];
  const most = Math.max(1, ...bars.map((bar) => bar.count));
  for (const bar of bars) {
    const label = bar.upToMs < 1
      ? `${(bar.upToMs * 1000).toFixed(0)} µs`
      : `${bar.upToMs.toFixed(bar.upToMs < 10 ? 3 : 1)} ms`;
    lines.push(
      `  ≤ ${label.padStart(11)} ${String(bar.count).padStart(9)} ${"#".repeat(Math.round((bar.count / most) * 40))}`
        .trimEnd(),
    );
  }
  return lines;
}

/** A line on standard error rewritten in place; it stays silent unless standard error is a terminal and `wanted`. */
export interface LiveLine {
  /** Whether the line is shown. */
  readonly shown: boolean;
  /** Replaces the line's text. */
  show(text: string): void;
  /** Wipes the line, before the report. */
  clear(): Promise<void>;
}

/** The live line of a load run (none for `--json`, nor when standard error is a pipe or a file). */
export function liveLine(io: CommandIO, wanted: boolean): LiveLine {
  const shown = wanted && isTerminal("stderr");
  return {
    shown,
    show: (text) => {
      if (shown) void io.err(`\r${text}   `);
    },
    clear: () => (shown ? io.err("\r\x1b[K") : Promise.resolve()),
  };
}
