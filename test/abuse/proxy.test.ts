/**
 * `anynet proxy` in front of an echo backend under abuse from python3 peers: resets
 * before and during a transfer, half-closes, a client that never reads, silent clients.
 * After each: alive, proxying an echo, memory back near its baseline.
 */
import { test } from "uvu";
import {
  abuseSuite,
  cliFlags,
  echoProbe,
  halfOpenScenario,
  idleScenario,
  neverReadScenario,
  resetMidWriteScenario,
  resetScenario,
} from "../_helpers/abuse.ts";
import { startEchoServer } from "../_helpers/net_process.ts";

const hasIdleTimeout = cliFlags("proxy").has("idle-timeout");

abuseSuite("proxy", async () => {
  // The backend runs on Node whatever the leg: the proxy is under test here, and a
  // backend that fell to the abuse passed through would fail the proxy's cases.
  const backend = await startEchoServer(["--quiet"], { runtime: "node" });
  return {
    name: "proxy",
    args: [
      "proxy",
      "--listen",
      "127.0.0.1:0",
      "--backend",
      `127.0.0.1:${backend.port}`,
      "--health-interval",
      "0.5",
      ...(hasIdleTimeout ? ["--idle-timeout", "1"] : []),
    ],
    probe: echoProbe,
    cleanup: async () => void await backend.proc.stop(),
  };
}, [
  resetScenario(500),
  resetScenario(40, "bytes on their way to the backend when the client resets"),
  resetMidWriteScenario(),
  halfOpenScenario(),
  neverReadScenario(),
  idleScenario("many idle connections: 100 clients connect and say nothing; --idle-timeout 1 closes them all", {
    count: 100,
    withinS: 4,
    missing: hasIdleTimeout ? undefined : "anynet proxy has no --idle-timeout flag",
  }),
]);

test.run();
