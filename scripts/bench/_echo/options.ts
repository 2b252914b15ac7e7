/**
 * The command line of the echo benchmark.
 *
 * @module
 */
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

/** A misuse of the command line; the message says which flag and value. */
export class EchoBenchUsageError extends Error {
  override name = "EchoBenchUsageError";
}

/**
 * Parses the benchmark's arguments.
 *
 * @param args the arguments after `echo`
 * @returns the settings, or "help" when help was asked for
 * @throws EchoBenchUsageError on an unknown flag or a bad value
 */
export function parseOptions(args: string[]): EchoBenchOptions | "help" {
  const options: EchoBenchOptions = {
    runtimes: [],
    duration: 5,
    warmup: 1,
    rounds: 3,
    hold: 10000,
    settle: 2,
    noiseLimit: 25,
    pin: true,
    json: false,
    markdown: false,
  };
  const given = new Set<string>();
  const number = (flag: string, text: string | undefined, min: number, max: number, integer: boolean): number => {
    const value = Number(text);
    if (
      text === undefined || text.trim() === "" || !Number.isFinite(value) || value < min || value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new EchoBenchUsageError(
        `${flag} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}: got ${text ?? "nothing"}`,
      );
    }
    given.add(flag);
    return value;
  };
  let quick = false;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    switch (flag) {
      case "--runtime":
      case "-r": {
        const list = args[++i];
        if (list === undefined) throw new EchoBenchUsageError(`${flag} needs a value (node, deno, bun)`);
        for (const name of list.split(",")) {
          if (!runtimes.includes(name as Runtime)) {
            throw new EchoBenchUsageError(`unknown runtime '${name}' (expected node, deno or bun)`);
          }
          if (!options.runtimes.includes(name as Runtime)) options.runtimes.push(name as Runtime);
        }
        break;
      }
      case "--duration":
        options.duration = number(flag, args[++i], 0.1, 600, false);
        break;
      case "--warmup":
        options.warmup = number(flag, args[++i], 0, 600, false);
        break;
      case "--rounds":
        options.rounds = number(flag, args[++i], 1, 100, true);
        break;
      case "--hold":
        options.hold = number(flag, args[++i], 0, 50000, true);
        break;
      case "--settle":
        options.settle = number(flag, args[++i], 0, 600, false);
        break;
      case "--noise-limit":
        options.noiseLimit = number(flag, args[++i], 0, 10000, false);
        break;
      case "--quick":
        quick = true;
        break;
      case "--no-pin":
        options.pin = false;
        break;
      case "--json":
        options.json = true;
        break;
      case "--markdown":
        options.markdown = true;
        break;
      case "--render": {
        const file = args[++i];
        if (file === undefined || file.startsWith("-")) throw new EchoBenchUsageError("--render needs the file of a --json report");
        options.render = file;
        break;
      }
      case "--help":
      case "-h":
        return "help";
      default:
        throw new EchoBenchUsageError(`unknown argument '${flag}'`);
    }
  }
  if (quick) {
    // --quick only changes defaults: flags given explicitly still win.
    if (!given.has("--duration")) options.duration = 1;
    if (!given.has("--warmup")) options.warmup = 0.3;
    if (!given.has("--rounds")) options.rounds = 1;
    if (!given.has("--hold")) options.hold = 1000;
    if (!given.has("--settle")) options.settle = 0.5;
  }
  if (options.json && options.markdown) throw new EchoBenchUsageError("--json and --markdown cannot be combined");
  if (options.json && options.render) throw new EchoBenchUsageError("--json and --render cannot be combined");
  if (options.runtimes.length === 0) options.runtimes = [...runtimes];
  return options;
}
