/**
 * The `anynet` CLI on each runtime leg, for the benchmarks that run it as a user would
 * (loadgen.ts, echo_rate.ts): which legs `--runtimes` names, and how to start the CLI on
 * each (Node runs the built package, Deno and Bun the sources).
 *
 * @module
 */
import { UsageError } from "../_args.ts";
import { findLeg, LEG_NAMES, LegUnavailable } from "../_legs.ts";
import { fromRoot } from "../_run.ts";

/** The usage line of `--runtimes`, with its default. */
export function runtimesUsage(fallback: string): string {
  return `  --runtimes LIST    comma-separated, of ${LEG_NAMES.join(", ")} (default ${fallback})`;
}

/**
 * The legs a `--runtimes LIST` value names, `fallback` when it was not given.
 *
 * @throws {UsageError} Naming an unknown leg.
 */
export function legNames(text: string | undefined, fallback: string): string[] {
  const names = (text ?? fallback).split(",").map((name) => name.trim());
  const unknown = names.find((name) => !LEG_NAMES.includes(name));
  if (unknown !== undefined) {
    throw new UsageError(`--runtimes takes names of ${LEG_NAMES.join(", ")}: got '${unknown}'`);
  }
  return names;
}

/** How to start the CLI on one leg. */
export interface CliLeg {
  name: string;
  version: string;
  command: string;
  /** The arguments before the CLI's own. */
  args: string[];
}

/** The CLI on each leg named that is installed; one that is not is reported and left out. */
export function cliLegs(names: readonly string[]): CliLeg[] {
  const legs: CliLeg[] = [];
  for (const name of names) {
    try {
      const leg = findLeg(name);
      const args = leg.runtime === "node"
        ? [fromRoot("dist/cli.js")]
        : leg.runtime === "deno"
        ? ["run", "-A", "--no-lock", fromRoot("src/cli.ts")]
        : [fromRoot("src/cli.ts")];
      legs.push({ name, version: leg.version, command: leg.command, args });
    } catch (error) {
      if (!(error instanceof LegUnavailable)) throw error;
      console.log(`${name}: skipped: ${error.message}`);
    }
  }
  return legs;
}
