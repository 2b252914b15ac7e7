/**
 * The command line of the echo benchmark.
 *
 * @module
 */
import { numberFlag, parseFlags, UsageError } from "../../_args.ts";
import { type Runtime, runtimes } from "./servers.ts";

/** Settings of one benchmark run. */
export interface EchoBenchOptions {
  /** Runtimes to measure. @default ["node", "deno", "bun"] */
  runtimes: Runtime[];
  /** Measured seconds per run. @default 5 */
  duration: number;
  /** Unmeasured seconds before each run, for the JIT. @default 1 */
  warmup: number;
  /** Runs per server and load; the figures are medians. @default 3 */
  rounds: number;
  /** Idle connections for the memory figure; 0 skips it. @default 10000 */
  hold: number;
  /** Seconds the held connections stay idle before memory is read. @default 2 */
  settle: number;
  /**
   * A run during which other programs used more user CPU than this percent of one core is run
   * again, and each run waits for the machine to be this quiet first; 200 (two cores) turns it off.
   * @default 25
   */
  noiseLimit: number;
  /** Pin servers to core 0 and the load client to core 1. @default true */
  pin: boolean;
  /** Print JSON instead of tables. @default false */
  json: boolean;
  /** Print the tables as Markdown. @default false */
  markdown: boolean;
  /** Measure nothing: print the tables of this saved `--json` report. @default undefined */
  render?: string;
}

/** The usage text. */
export const usageText: string = `Usage: npm run bench -- echo [options]
  --runtime LIST     runtimes to measure, comma-separated (default node,deno,bun)
  --duration SECONDS measured seconds per run (default 5)
  --warmup SECONDS   unmeasured seconds before each run (default 1)
  --rounds N         runs per server and load, interleaved; figures are medians (default 3)
  --hold N           idle connections for the memory figure, 0 to skip (default 10000)
  --settle SECONDS   idle time before the memory is read (default 2)
  --noise-limit PCT  repeat a run (up to 3 attempts) during which other programs used more than
                     PCT% of a core, and wait up to 30 s for such a quiet machine before each
                     run (default 25; 200 turns it off)
  --quick            a short smoke run: --duration 1 --warmup 0.3 --rounds 1 --hold 1000 --settle 0.5
  --no-pin           do not pin servers to core 0 and the load client to core 1
  --json             print the results as JSON instead of tables
  --markdown         print the tables as Markdown (for docs/benchmarks.md)
  --render FILE      measure nothing; print the tables of a report saved with --json`;

const FLAGS = {
  runtime: { type: "string", short: "r", multiple: true, takes: "a value (node, deno, bun)" },
  duration: { type: "string" },
  warmup: { type: "string" },
  rounds: { type: "string" },
  hold: { type: "string" },
  settle: { type: "string" },
  "noise-limit": { type: "string" },
  quick: { type: "boolean" },
  "no-pin": { type: "boolean" },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  render: { type: "string", takes: "the file of a --json report" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses the benchmark's arguments.
 *
 * @param args the arguments after `echo`
 * @returns the settings, or "help" when help was asked for
 * @throws {UsageError} On an unknown flag or a bad value.
 */
export function parseOptions(args: string[]): EchoBenchOptions | "help" {
  const { flags } = parseFlags(args, FLAGS);
  if (flags.help) return "help";
  const selected: Runtime[] = [];
  for (const name of (flags.runtime ?? []).flatMap((list) => list.split(","))) {
    if (!runtimes.includes(name as Runtime)) {
      throw new UsageError(`unknown runtime '${name}' (expected node, deno or bun)`);
    }
    if (!selected.includes(name as Runtime)) selected.push(name as Runtime);
  }
  if (flags.render?.startsWith("-")) throw new UsageError("--render needs the file of a --json report");
  // --quick only changes defaults: flags given explicitly still win.
  const quick = flags.quick ?? false;
  const options: EchoBenchOptions = {
    runtimes: selected.length > 0 ? selected : [...runtimes],
    duration: numberFlag("--duration", flags.duration, quick ? 1 : 5, { min: 0.1, max: 600 }),
    warmup: numberFlag("--warmup", flags.warmup, quick ? 0.3 : 1, { min: 0, max: 600 }),
    rounds: numberFlag("--rounds", flags.rounds, quick ? 1 : 3, { min: 1, max: 100, integer: true }),
    hold: numberFlag("--hold", flags.hold, quick ? 1000 : 10000, { min: 0, max: 50000, integer: true }),
    settle: numberFlag("--settle", flags.settle, quick ? 0.5 : 2, { min: 0, max: 600 }),
    noiseLimit: numberFlag("--noise-limit", flags["noise-limit"], 25, { min: 0, max: 10000 }),
    pin: !flags["no-pin"],
    json: flags.json ?? false,
    markdown: flags.markdown ?? false,
    ...(flags.render !== undefined ? { render: flags.render } : {}),
  };
  if (options.json && options.markdown) throw new UsageError("--json and --markdown cannot be combined");
  if (options.json && options.render) throw new UsageError("--json and --render cannot be combined");
  return options;
}
