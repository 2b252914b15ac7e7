/**
 * `anynet echo-server` (TCP) under abuse from python3 peers: resets, half-closes, a
 * client that never reads, crowds of silent clients. After each: alive, serving, memory
 * back near its baseline.
 */
import { test } from "uvu";
import {
  abuseSuite,
  echoProbe,
  halfOpenScenario,
  idleScenario,
  neverReadScenario,
  resetMidWriteScenario,
  resetScenario,
} from "../_helpers/abuse.ts";

abuseSuite("echo-server", () => ({
  name: "echo-server",
  args: ["echo-server", "--port", "0", "--idle-timeout", "1"],
  probe: echoProbe,
}), [
  resetScenario(500),
  resetScenario(40, "bytes the server has to echo into a reset connection"),
  resetMidWriteScenario(),
  halfOpenScenario(),
  neverReadScenario(),
  idleScenario("many idle connections: 100 clients connect and say nothing; --idle-timeout 1 closes them all", {
    count: 100,
    withinS: 4,
  }),
]);

test.run();
