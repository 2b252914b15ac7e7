/**
 * anynet installed the ways users install it, in fresh projects outside the repository:
 * the packed tarball of dist/ (what `npm install anynet` gets) and the repository from a
 * git URL (`npm install git+https://…`, which builds it with the "prepare" script). Each
 * project is made once per test run (./shared_fixture.ts) and holds a copy of
 * test/package/fixtures/consumer.ts, which uses every entry point.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { root, testNode, testRuntime } from "./env.ts";
import { sharedFixture } from "./shared_fixture.ts";

/** What a finished command gave. */
export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (at most `timeoutMs`); never throws for a non-zero exit. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Ran {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (result.error) return { status: null, stdout: result.stdout ?? "", stderr: String(result.error) };
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command that must succeed; throws with its output otherwise. */
export function mustRun(command: string, args: string[], cwd: string, timeoutMs = 300_000): string {
  const result = run(command, args, cwd, timeoutMs);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) failed with ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

const consumerSource = join(root, "test", "package", "fixtures", "consumer.ts");

/**
 * A new project folder with the consumer in it: a package of the given module `type` that
 * Deno reads through node_modules.
 */
export function newProject(folder: string, type: "module" | "commonjs" = "module"): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "consumer", private: true, type }));
  // Deno takes node_modules as npm left it, with no download of its own.
  writeFileSync(join(folder, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  copyFileSync(consumerSource, join(folder, "consumer.ts"));
}

/** Quiet `npm install` flags that take packages from npm's cache where it has them. */
export const npmFlags: readonly string[] = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

/** The tarball `npm pack dist/` makes, once per run. */
export function packedTarball(): string {
  const folder = sharedFixture("tarball", (dir) => {
    const packed = JSON.parse(mustRun("npm", ["pack", join(root, "dist"), "--json", "--pack-destination", dir], dir));
    writeFileSync(join(dir, "name"), packed[0].filename);
  });
  return join(folder, readFileSync(join(folder, "name"), "utf8"));
}

/** A project that installed the packed tarball, as `npm install anynet` would. */
export function tarballProject(): string {
  const tarball = packedTarball();
  return sharedFixture("tarball-project", (dir) => {
    newProject(dir);
    // Not --offline: the package's dependency (the Parquet writer) is resolved by its
    // registry entry, which `npm ci` does not put in npm's cache (it installs from the
    // lock file); a clean machine had it only when the git-URL install ran first.
    mustRun("npm", ["install", ...npmFlags, tarball], dir);
  });
}

/**
 * A project that installed the repository from a git URL. The repository is a snapshot
 * of the working tree (tracked and new files, as git would commit them), so uncommitted
 * work is what gets tested; npm clones it, installs its dev dependencies and runs
 * "prepare" (scripts/setup.mjs, which builds dist/) in the clone, then packs it.
 */
export function gitProject(): string {
  const folder = sharedFixture("git-project", (dir) => {
    const repo = join(dir, "repo");
    mkdirSync(repo);
    const listed = mustRun("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root);
    for (const file of listed.split("\0").filter(Boolean)) {
      try {
        mkdirSync(dirname(join(repo, file)), { recursive: true });
        cpSync(join(root, file), join(repo, file));
      } catch (error) {
        // A tracked file deleted in the working tree is not part of the snapshot.
        if ((error as { code?: string }).code !== "ENOENT") throw error;
      }
    }
    const git = ["-c", "user.name=anynet tests", "-c", "user.email=tests@anynet.invalid", "-c", "commit.gpgsign=false"];
    mustRun("git", ["init", "-q"], repo);
    mustRun("git", [...git, "add", "-A"], repo);
    mustRun("git", [...git, "commit", "-q", "-m", "snapshot"], repo);
    const project = join(dir, "project");
    newProject(project);
    mustRun("npm", ["install", ...npmFlags, `git+file://${repo}`], project, 600_000);
  });
  return join(folder, "project");
}

/** The command that runs a TypeScript or JavaScript file on the runtime under test. */
export function runtimeCommand(file: string): [string, string[]] {
  switch (testRuntime) {
    case "node":
      // Node 22.18+ strips the types of a .ts file by itself.
      return [testNode, [file]];
    case "deno":
      return [process.execPath, ["run", "-A", file]];
    case "bun":
      return [process.execPath, [file]];
  }
}

/** Runs the consumer (`consumer.ts`, or its compiled `file`) in `project` on the runtime under test; what it printed. */
export function runConsumer(project: string, file = "consumer.ts"): unknown {
  const [command, args] = runtimeCommand(file);
  return JSON.parse(mustRun(command, args, project));
}

/** What test/package/fixtures/consumer.ts prints when every entry point works. */
export function expectedConsumerOutput(): Record<string, unknown> {
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  return {
    version,
    runtime: testRuntime,
    echoed: "hello",
    answer: { ok: true },
    udpPackets: 1,
    addr: "[::1]:8080",
    hasEchoCommand: true,
  };
}
