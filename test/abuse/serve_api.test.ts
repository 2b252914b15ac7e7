/**
 * `anynet serve-api` (serve() underneath) under connection abuse from python3 peers:
 * resets, half-closes, a client that never reads its responses, silent and idle
 * keep-alive connections, and slowloris heads and bodies. The time limits come from
 * the server's flags, set short here; a flag the command does not have yet makes its
 * case fail at once, naming the flag.
 */
import { test } from "uvu";
import {
  abuseSuite,
  cliFlags,
  halfOpenScenario,
  httpProbe,
  idleScenario,
  neverReadScenario,
  resetMidWriteScenario,
  resetScenario,
} from "../_helpers/abuse.ts";
import { testRuntime } from "../_helpers/env.ts";

/** The limits these cases expect serve-api to take, with the values used here (seconds). */
const limits = { "headers-timeout": 1, "body-timeout": 2, "idle-timeout": 1 };
const flags = cliFlags("serve-api");
const missing = (flag: keyof typeof limits) =>
  flags.has(flag) ? undefined : `anynet serve-api has no --${flag} flag (expected: --${flag} SECONDS)`;
const limitArgs = Object.entries(limits).flatMap(([flag, value]) => flags.has(flag) ? [`--${flag}`, `${value}`] : []);

/**
 * Bun closes a connection that has not finished its first request head at its own fixed
 * limit (about 10 s, closed at 12-13 s), whatever --headers-timeout says: the documented
 * exception (docs/http.md, "Under abuse").
 */
const headsWithinS = testRuntime === "bun" ? 14 : 4;

const GET = "GET /posts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const BIG_POST_HEAD =
  "POST /posts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n";

abuseSuite("serve-api", () => ({
  name: "serve-api",
  args: ["serve-api", "--port", "0", ...limitArgs],
  probe: httpProbe,
}), [
  resetScenario(500),
  resetScenario(40, GET),
  resetMidWriteScenario({ head: BIG_POST_HEAD }),
  halfOpenScenario("GET /posts/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
  neverReadScenario({ request: GET }),
  idleScenario("silent connections: 50 clients connect and send nothing; closed within --headers-timeout 1", {
    count: 50,
    withinS: headsWithinS,
    missing: missing("headers-timeout"),
  }),
  idleScenario("idle keep-alive: 30 clients make one request, then say nothing; closed within --idle-timeout 1", {
    peer: "idle-keepalive",
    count: 30,
    withinS: 4,
    missing: missing("idle-timeout"),
  }),
  idleScenario("slowloris: 30 clients send a head one byte every 100 ms; closed within --headers-timeout 1", {
    peer: "slow-headers",
    count: 30,
    withinS: headsWithinS,
    peerOptions: { intervalMs: 100 },
    missing: missing("headers-timeout"),
  }),
  idleScenario("slow body: 30 clients send a body one byte every 100 ms; closed within --body-timeout 2", {
    peer: "slow-body",
    count: 30,
    withinS: 5,
    peerOptions: { intervalMs: 100 },
    missing: missing("body-timeout"),
  }),
]);

test.run();
