// The serve benchmark reads wrk's text output: a figure read wrong (a unit, a missing error
// count) would turn into a wrong ratio in docs/benchmarks.md without anyone noticing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseWrkOutput, wrkCommand } from "../../scripts/bench/_wrk.ts";

// Real output of wrk 4.1.0 (Debian) with --latency, against a server answering 500.
const NON_2XX = `Running 1s test @ http://127.0.0.1:35929/bad
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   563.73us    1.80ms  24.97ms   94.18%
    Req/Sec    28.58k    14.83k   42.14k    70.00%
  Latency Distribution
     50%  121.00us
     75%  187.00us
     90%    1.36ms
     99%    8.68ms
  28325 requests in 1.00s, 3.84MB read
  Non-2xx or 3xx responses: 28325
Requests/sec:  28254.28
Transfer/sec:      3.83MB
`;

// The same shape with socket errors and latencies in seconds, as wrk prints them.
const SOCKET_ERRORS = `Running 2s test @ http://127.0.0.1:4000/small
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02s   300.00ms   2.00s    70.00%
    Req/Sec    12.00     3.00    20.00     60.00%
  Latency Distribution
     50%    1.01s
     75%    1.20s
     90%    1.50s
     99%    2.00s
  24 requests in 2.01s, 6.00KB read
  Socket errors: connect 1, read 2, write 3, timeout 4
Requests/sec:     11.94
Transfer/sec:      2.99KB
`;

test("parseWrkOutput reads requests/s, p50/p99 in ms, the request count and every kind of error", () => {
  assert.equal(parseWrkOutput(NON_2XX), {
    requestsPerSecond: 28254.28,
    p50Ms: 0.121,
    p99Ms: 8.68,
    requests: 28325,
    errors: 28325,
  });
  assert.equal(parseWrkOutput(SOCKET_ERRORS), {
    requestsPerSecond: 11.94,
    p50Ms: 1010,
    p99Ms: 2000,
    requests: 24,
    errors: 10,
  });
});

test("parseWrkOutput names what is missing instead of giving a number", () => {
  assert.throws(() => parseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused"), /Requests\/sec/);
  const withoutLatency = NON_2XX.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, "");
  assert.throws(() => parseWrkOutput(withoutLatency), /50% latency.*--latency/);
  assert.throws(
    () => parseWrkOutput(NON_2XX.replace("121.00us", "121.00xs")),
    /cannot read the 50% latency '121\.00xs'/,
  );
});

test("wrkCommand sends Connection: close only when asked, and pins wrk with taskset when given a core", () => {
  const [command, args] = wrkCommand({
    url: "http://127.0.0.1:1/x",
    seconds: 2,
    connections: 50,
    close: true,
    core: 1,
  });
  assert.is(command, "taskset");
  assert.equal(args.slice(0, 3), ["-c", "1", "wrk"]);
  assert.ok(args.includes("--latency") && args.includes("-c50") && args.includes("-d2s"));
  assert.equal(args.slice(args.indexOf("-H"), args.indexOf("-H") + 2), ["-H", "Connection: close"]);
  assert.is(args.at(-1), "http://127.0.0.1:1/x");
  const [plain, plainArgs] = wrkCommand({ url: "http://127.0.0.1:1/x", seconds: 1, connections: 4, close: false });
  assert.is(plain, "wrk");
  assert.not.ok(plainArgs.includes("-H"));
});

test.run();
