// Runs on `npm install` / `npm ci` (the "prepare" script): makes sure the Deno and Bun
// binaries that the `deno` and `bun` dev dependencies ship really run, then builds the
// WebAssembly decoder and the npm package through scripts/build.ts.
//
// Plain JavaScript on purpose: it runs on whatever Node drives npm (which may be one that
// cannot run TypeScript), and it is what makes the TypeScript runners (Deno, Bun) usable
// in the first place.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

function works(name) {
  const run = spawnSync(bin(name), ["--version"], { encoding: "utf8" });
  return run.status === 0 && isNative(bin(name));
}

// The `deno` package's fallback bin is a Node script that starts the real binary as a
// child. It runs, but signals sent to it never reach Deno: a server stopped with SIGTERM
// keeps running. Only the native executable will do.
function isNative(path) {
  const fd = openSync(realpathSync(path), "r");
  const head = Buffer.alloc(2);
  readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  return head.toString("latin1") !== "#!";
}

// npm 11 may skip a dependency's install script (allowScripts, --ignore-scripts); both
// packages then leave a placeholder or a wrapper script behind. Their own install scripts put the real
// binary in place from the platform package that npm already installed.
const installers = { deno: "node_modules/deno/install.cjs", bun: "node_modules/bun/install.js" };
for (const [name, installer] of Object.entries(installers)) {
  if (works(name)) continue;
  if (!existsSync(join(root, installer))) {
    console.error(`setup: the '${name}' dev dependency is missing (${installer}); run 'npm ci' again`);
    process.exit(1);
  }
  console.error(`setup: '${name}' binary not in place, running ${installer}`);
  const fix = spawnSync(process.execPath, [installer], { cwd: root, stdio: "inherit" });
  if (fix.status !== 0 || !works(name)) {
    console.error(`setup: could not make node_modules/.bin/${name} run`);
    process.exit(1);
  }
}

const build = spawnSync(bin("deno"), ["run", "-A", "scripts/build.ts"], { cwd: root, stdio: "inherit" });
process.exit(build.status ?? 1);
