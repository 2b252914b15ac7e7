/**
 * The process on Deno, through the `Deno` namespace: its `process` global would do the
 * same, but its first use starts Node's compatibility layer (see _shared/process_host.ts).
 *
 * @module
 */
import type { ProcessHost } from "../_shared/process_host.ts";
import { deno } from "./deno_api.ts";

/** Deno's names for the operating systems and CPUs whose Node names differ. */
const NODE_OS: Record<string, string> = { windows: "win32" };
const NODE_ARCH: Record<string, string> = { x86_64: "x64", aarch64: "arm64" };

/** Deno: its own arguments, environment, standard streams, signals and exit. */
export const denoHost: ProcessHost = {
  args: () => [...deno().args],
  os: () => NODE_OS[deno().build.os] ?? deno().build.os,
  arch: () => NODE_ARCH[deno().build.arch] ?? deno().build.arch,
  env: (name) => deno().env.get(name),
  isTerminal: (stream) => deno()[stream].isTerminal(),
  writeSync: (stream, bytes) => deno()[stream].writeSync(bytes),
  // A descriptor another program set non-blocking cannot be written safely on Deno: its
  // standard output buffers lines of its own, so after EAGAIN nobody can tell which bytes
  // went out (trying again wrote some twice). This write fails with EAGAIN too, and the
  // command ends with that error, as it did through Deno's `process.stdout`.
  async write(stream, bytes) {
    for (let done = 0; done < bytes.length;) done += await deno()[stream].write(bytes.subarray(done));
  },
  onTerminationSignal(listener) {
    const onInt = () => listener("SIGINT");
    const onTerm = () => listener("SIGTERM");
    deno().addSignalListener("SIGINT", onInt);
    // Windows has no SIGTERM to listen for; Deno refuses the listener there.
    let term = true;
    try {
      deno().addSignalListener("SIGTERM", onTerm);
    } catch {
      term = false;
    }
    return () => {
      deno().removeSignalListener("SIGINT", onInt);
      if (term) deno().removeSignalListener("SIGTERM", onTerm);
    };
  },
  exit: (code) => deno().exit(code),
  finish: (code) => deno().exit(code),
};
