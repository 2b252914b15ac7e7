/**
 * The runtimes the test suite runs on ("legs"): Node 22, 24 and 26 from the npm packages
 * that scripts/node-matrix pins, and the Deno and Bun that the `deno` and `bun` dev
 * dependencies ship. The machine's own `node` only drives npm and the build; it is not
 * a leg, so the suite means the same thing whatever Node a machine has.
 *
 * scripts/node-matrix is a package of its own, installed here the first time a Node leg
 * is asked for, not a dev dependency of the root: npm installs every dev dependency of a
 * package installed from a git URL before it builds it, and three Node releases (about
 * 590 MB) have no part in building anynet.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { bin, fromRoot } from "./_run.ts";

/** The runtime a leg runs the tests on. */
export type Runtime = "node" | "deno" | "bun";

/** One runtime at one version that the whole suite runs on. */
export interface Leg {
  /** What `--runtime` calls it: `node22`, `node24`, `node26`, `deno` or `bun`. */
  name: string;
  runtime: Runtime;
  /** The executable. */
  command: string;
  /** The exact version the executable reports, such as `24.22.3`. */
  version: string;
}

/** The Node.js majors the suite runs on, oldest first: the supported releases. */
export const NODE_MAJORS: readonly number[] = [22, 24, 26];

/** The Node legs' names (`node22`, …), oldest first: what `--runtime node` stands for. */
export const NODE_LEG_NAMES: readonly string[] = NODE_MAJORS.map((major) => `node${major}`);

/** Every leg's name, in the order the suite runs them. */
export const LEG_NAMES: readonly string[] = [...NODE_LEG_NAMES, "deno", "bun"];

/** Why a leg cannot run on this machine. */
export class LegUnavailable extends Error {}

// scripts/node-matrix/package.json lists each major once per platform, under an alias
// such as "node24-linux-x64"; npm installs the one this machine can run.
const matrixRequire = createRequire(fromRoot("scripts", "node-matrix", "package.json"));

const MATRIX_INSTALL = "npm ci --prefix scripts/node-matrix";
const MATRIX_NPM_FLAGS = ["--no-audit", "--no-fund", "--loglevel=error"];
let matrixInstallTried = false;

/** Installs scripts/node-matrix's packages (once per run); false when npm failed. */
function installNodeMatrix(): boolean {
  if (matrixInstallTried) return false;
  matrixInstallTried = true;
  console.error(`legs: installing the Node releases the suite runs on (${MATRIX_INSTALL})`);
  const result = spawnSync("npm", ["ci", "--prefix", fromRoot("scripts", "node-matrix"), ...MATRIX_NPM_FLAGS], {
    stdio: "inherit",
  });
  return result.status === 0;
}

function resolveMatrixPackage(alias: string): string | undefined {
  try {
    return matrixRequire.resolve(`${alias}/package.json`);
  } catch {
    return undefined;
  }
}

function nodeBinary(major: number, install: boolean): string {
  const alias = `node${major}-${process.platform}-${process.arch}`;
  const listed = Object.keys(
    JSON.parse(Deno.readTextFileSync(fromRoot("scripts", "node-matrix", "package.json"))).optionalDependencies,
  ) as string[];
  if (!listed.includes(alias)) {
    const platforms = [...new Set(listed.map((name) => name.replace(/^node\d+-/, "")))].join(", ");
    throw new LegUnavailable(
      `no Node ${major} build for ${process.platform}-${process.arch} in scripts/node-matrix (it pins ${platforms})`,
    );
  }
  let packageJson = resolveMatrixPackage(alias);
  if (packageJson === undefined && install && installNodeMatrix()) packageJson = resolveMatrixPackage(alias);
  if (packageJson === undefined) {
    throw new LegUnavailable(
      `Node ${major} is not installed (${alias} is missing from scripts/node-matrix/node_modules): run ${MATRIX_INSTALL}`,
    );
  }
  const path = join(dirname(packageJson), "bin", "node");
  if (!existsSync(path)) throw new LegUnavailable(`Node ${major}: ${path} is missing; run ${MATRIX_INSTALL}`);
  return path;
}

function versionOf(command: string, name: string): string {
  const run = spawnSync(command, ["--version"], { encoding: "utf8" });
  if (run.status !== 0) {
    throw new LegUnavailable(`${name}: '${command} --version' failed (${run.error?.message ?? `exit ${run.status}`})`);
  }
  // node: "v24.22.3"; deno: "deno 2.9.6 (stable, …)\nv8 …"; bun: "1.4.5".
  const version = run.stdout.match(/\d+\.\d+\.\d+\S*/)?.[0];
  if (!version) throw new LegUnavailable(`${name}: cannot read a version from '${run.stdout.trim()}'`);
  return version;
}

/**
 * The newest Node leg's executable that this machine has (for the Node processes that
 * Deno and Bun legs' tests start), or undefined when it has none.
 */
export function newestInstalledNode(): string | undefined {
  for (const major of [...NODE_MAJORS].reverse()) {
    try {
      return nodeBinary(major, false);
    } catch (error) {
      if (!(error instanceof LegUnavailable)) throw error;
    }
  }
  return undefined;
}

/**
 * The leg called `name`, with its executable and exact version. A Node leg whose release
 * is not installed yet is installed first (see the module's doc).
 *
 * @throws {LegUnavailable} When this machine cannot run it (no build for this platform,
 *   or the package could not be installed).
 */
export function findLeg(name: string): Leg {
  const major = name.match(/^node(\d+)$/)?.[1];
  if (major !== undefined) {
    const command = nodeBinary(Number(major), true);
    return { name, runtime: "node", command, version: versionOf(command, name) };
  }
  if (name === "deno" || name === "bun") {
    const command = bin(name);
    return { name, runtime: name, command, version: versionOf(command, name) };
  }
  throw new LegUnavailable(`unknown leg '${name}'`);
}
