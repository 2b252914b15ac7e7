/**
 * Each server started with a limit of 128 open files (`prlimit --nofile=128:128`) and
 * flooded with 300 connections by a python3 peer, which then closes them all: the
 * server must stay up through the shortage and serve again once the connections are gone.
 */
import { test } from "uvu";
import { abuseSuite, echoProbe, fdFloodScenario, httpProbe } from "../_helpers/abuse.ts";
import { announceSkip } from "../_helpers/env.ts";
import { hasCommand, startEchoServer } from "../_helpers/net_process.ts";

const LIMIT = ["prlimit", "--nofile=128:128", "--"];
const hasPrlimit = hasCommand("prlimit");
if (!hasPrlimit) announceSkip("prlimit (util-linux) is not installed: the descriptor-flood scenarios are skipped");

if (hasPrlimit) {
  abuseSuite("echo-server (128 files)", () => ({
    name: "echo-server (128 files)",
    args: ["echo-server", "--port", "0", "--quiet"],
    wrapper: LIMIT,
    probe: echoProbe,
  }), [fdFloodScenario(300)]);

  abuseSuite("serve-api (128 files)", () => ({
    name: "serve-api (128 files)",
    args: ["serve-api", "--port", "0"],
    wrapper: LIMIT,
    probe: httpProbe,
  }), [fdFloodScenario(300)]);

  abuseSuite("proxy (128 files)", async () => {
    // On Node whatever the leg: only the proxy runs short of descriptors.
    const backend = await startEchoServer(["--quiet"], { runtime: "node" });
    return {
      name: "proxy (128 files)",
      args: ["proxy", "--listen", "127.0.0.1:0", "--backend", `127.0.0.1:${backend.port}`, "--health-interval", "0.5"],
      wrapper: LIMIT,
      probe: echoProbe,
      cleanup: async () => void await backend.proc.stop(),
    };
  }, [fdFloodScenario(300)]);
}

test.run();
