/**
 * What the load generators (`bench echo`, `bench http`) share on the command line: the
 * --connections and --duration flags, and the live line a terminal shows while they run.
 *
 * @module
 */
import { MAX_DELAY_S } from "../../_delay.ts";
import { isTerminal } from "../../runtime/process.ts";
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
