/**
 * The Node the benchmarks run on: one of the test legs (scripts/_legs.ts), Node 26 unless
 * ANYNET_BENCH_NODE names another (`node22`, `node24`), so figures name an exact,
 * supported release instead of whatever `node` the machine has.
 *
 * @module
 */
import { findLeg, LegUnavailable, NODE_LEG_NAMES } from "../_legs.ts";

const wanted = Deno.env.get("ANYNET_BENCH_NODE") ?? NODE_LEG_NAMES.at(-1)!;
if (!NODE_LEG_NAMES.includes(wanted)) {
  console.error(`bench: ANYNET_BENCH_NODE must be one of ${NODE_LEG_NAMES.join(", ")}: got '${wanted}'`);
  Deno.exit(2);
}

function find() {
  try {
    return findLeg(wanted);
  } catch (error) {
    if (!(error instanceof LegUnavailable)) throw error;
    console.error(`bench: ${error.message}`);
    Deno.exit(2);
  }
}

/** The Node executable for benchmarks, and its exact version. */
export const benchNode: { command: string; version: string } = find();
