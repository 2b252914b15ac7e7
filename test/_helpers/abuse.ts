/**
 * The abuse suite's harness: a server started as the CLI on the runtime under test, a
 * misbehaving peer written in Python (`abuse_peer.py`) aimed at it, and the same three
 * checks after every scenario: the server process is alive, it answers a normal request,
 * and its resident memory is back within {@linkcode RSS_GROWTH_LIMIT_KIB} of what it
 * was before the first scenario.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import { echo, udpEcho } from "anynet/echo";
import { get } from "anynet/http";
import { announceSkip, root, testRuntime } from "./env.ts";
import { firstDifference, pattern, sameBytes } from "./net_bytes.ts";
import { cliCommandFor, type CliProcess, startCli, waitForListening } from "./net_process.ts";

const PEER = join(root, "test", "_helpers", "abuse_peer.py");

/**
 * The python3 interpreter itself, asked once: `python3` may be a version manager's
 * shell shim that costs a second a start, and the suite starts a peer per scenario.
 * Undefined without python3: every abuse file then skips and says so.
 */
const python: string | undefined = (() => {
  const run = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8", timeout: 30000 });
  return run.status === 0 && run.stdout.trim() ? run.stdout.trim() : undefined;
})();

/** Whether python3 can run the peers. */
export const hasPython: boolean = python !== undefined;

/** Whether this process may open raw sockets (the spoofed-source datagrams need them). */
export const isRoot: boolean = process.getuid?.() === 0;

/**
 * How far above its baseline a server's resident memory may stay once a scenario is
 * over. Generous, because a runtime keeps heap it grew (JIT code, a larger young
 * generation, socket buffers freed to its own allocator); tight enough that a server
 * which kept what a peer sent (tens of MiB per scenario) or one buffer per dead
 * connection fails. Deno keeps the most: after 100 stalled TLS handshakes up to 53 MiB in
 * a loaded run, yet six rounds of them one after another left it 11 to 22 MiB above its
 * baseline, no more (retained, not leaked).
 */
export const RSS_GROWTH_LIMIT_KIB: number = 64 * 1024;

/**
 * How soon after a scenario a normal request must be answered, in milliseconds: a
 * server may need a moment to drop what the peer left behind, not seconds. (A loaded
 * test machine answers a normal request in well under a second.)
 */
export const RECOVER_MS: number = 3000;

/** The largest number of bytes a server may take from a client that never reads before it stops reading. */
export const NEVER_READ_LIMIT_BYTES: number = 64 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server's resident memory in KiB, from /proc; undefined where there is no /proc. */
export function rssKiB(pid: number | undefined): number | undefined {
  const path = `/proc/${pid}/status`;
  if (pid === undefined || !existsSync(path)) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(path, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // the process ended between the two calls
  }
}

/** How many files process `pid` has open, from /proc ("?" where there is none). */
function openFiles(pid: number | undefined): number | string {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return "?";
  }
}

/** The flags `anynet COMMAND --help` lists on the runtime under test. */
export function cliFlags(command: string): Set<string> {
  const [program, prefix] = cliCommandFor(testRuntime);
  const run = spawnSync(program, [...prefix, command, "--help"], { cwd: root, encoding: "utf8", timeout: 30000 });
  return new Set([...run.stdout.matchAll(/^\s+(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1]));
}

// ---------------------------------------------------------------------- probes

/** A normal echo client: 64 KiB over TCP (or TLS, trusting `caCert`) must come back intact. */
export async function echoProbe(port: number, timeout = 5000, caCert?: string): Promise<void> {
  const data = pattern(64 * 1024, port);
  const back = caCert === undefined
    ? await echo(data, { port, timeout })
    : await echo(data, { hostname: "localhost", port, timeout, tls: { caCerts: [caCert] } });
  if (!sameBytes(back, data)) throw new Error(`the echo came back different: ${firstDifference(back, data)}`);
}

/** A normal UDP echo (three tries: a datagram may be lost under load, and UDP has no retransmission). */
export async function udpProbe(port: number, timeout = 4500): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const reply = await udpEcho(`probe ${attempt}`, { port, timeout: Math.max(100, Math.round(timeout / 3)) });
      if (reply !== `probe ${attempt}`) throw new Error(`the datagram came back as ${JSON.stringify(reply)}`);
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no UDP echo in three tries: ${message(lastError)}`);
}

/** A normal HTTP request: GET /posts answers 200 with the 100 posts. */
export async function httpProbe(port: number, timeout = 5000): Promise<void> {
  const response = await get(`http://127.0.0.1:${port}/posts`, { timeout, retry: 0, throwHttpErrors: false });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /posts answered ${response.status}: ${text.slice(0, 200)}`);
  const posts = JSON.parse(text) as unknown[];
  if (posts.length !== 100) throw new Error(`GET /posts gave ${posts.length} posts, not 100`);
}

// ----------------------------------------------------------------------- peers

/** What a peer that held connections saw of them. */
export interface HeldResult {
  opened: number;
  openFailed: number;
  openFailures: string[];
  closedByServer: number;
  stillOpen: number;
  /** Seconds after the peer started holding. */
  firstClose: number | null;
  lastClose: number | null;
  /** How the connections ended: "eof", "reset", or an error text, with counts. */
  how: Record<string, number>;
  /** What the server sent before closing, per connection: an HTTP status or a hex prefix. */
  received: (number | string)[];
  stoppedByTest: boolean;
  dripped: number;
}

/** One HTTP response as the peer parsed it. */
export interface PeerResponse {
  status: number;
  bodyBytes: number;
  body: string;
  json?: { id?: number; username?: string; error?: string };
  jsonItems?: number;
}

/** The responses a peer read off one connection, in order. */
export interface ResponsesResult {
  responses: PeerResponse[];
  eof: boolean;
  reset: boolean;
  timedOut: boolean;
  /** Bytes after the last complete response that are not one, described. */
  garbage: string | null;
}

/** A peer's answer: the final JSON object it printed. */
// deno-lint-ignore no-explicit-any
export type PeerResult = Record<string, any>;

/** A running peer. */
export interface PeerRun<R> {
  /** The `holding` event, once the abuse is in place; rejects if the peer ended without one. */
  readonly holding: Promise<PeerResult>;
  /** The final result; rejects with the peer's own error or output when it failed. */
  readonly result: Promise<R>;
  /** Tells the peer to stop holding (closes its standard input). */
  stop(): void;
}

/**
 * Starts `abuse_peer.py SCENARIO 127.0.0.1 PORT OPTIONS` and follows its JSON lines.
 * Killed after `timeoutMs` so that a peer stuck on a server never hangs the file.
 */
export function runPeer<R = PeerResult>(
  scenario: string,
  port: number,
  options: Record<string, unknown> = {},
  timeoutMs = 30000,
): PeerRun<R> {
  // -I -S: no site packages, no user environment; the peer needs the standard library only
  // and starts in half the time.
  const child = spawn(python ?? "python3", [
    "-I",
    "-S",
    PEER,
    scenario,
    "127.0.0.1",
    String(port),
    JSON.stringify(options),
  ], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "", stderr = "";
  let onHolding!: (event: PeerResult) => void, noHolding!: (error: Error) => void;
  const holding = new Promise<PeerResult>((resolve, reject) => ((onHolding = resolve), (noHolding = reject)));
  holding.catch(() => {}); // not every caller waits for it
  let pending = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
    pending += s;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith('{"event": "holding"')) onHolding(JSON.parse(line));
    }
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  child.stdin.on("error", () => {}); // the peer may be gone when we close its input
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const result = new Promise<R>((resolve, reject) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trimEnd().split("\n").pop() ?? "";
      let parsed: PeerResult | undefined;
      try {
        parsed = JSON.parse(last);
      } catch {
        parsed = undefined;
      }
      const failure = `the ${scenario} peer ${
        signal ? `was killed (${signal}) after ${timeoutMs} ms` : `exited ${code}`
      }`;
      noHolding(new Error(`${failure} without holding: ${stdout}${stderr}`));
      if (parsed && "result" in parsed) resolve(parsed.result as R);
      else if (parsed && "error" in parsed) reject(new Error(`${failure}: ${parsed.error}`));
      else reject(new Error(`${failure}\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  result.catch(() => {}); // awaited by the caller; this only keeps an early failure from being unhandled
  return { holding, result, stop: () => child.stdin.end() };
}

// --------------------------------------------------------------------- servers

/** How to start one kind of server and what a normal request to it is. */
export interface ServerSpec {
  /** Its name in messages ("echo-server --tls"). */
  name: string;
  /** CLI arguments, with port 0 (the harness reads the real port from `listening on`). */
  args: string[];
  /** A normal request, answered within `timeoutMs`; throws (saying what went wrong) unless it is served. */
  probe(port: number, timeoutMs?: number): Promise<void>;
  /** A wrapper command such as `prlimit --nofile=128:128 --`. */
  wrapper?: string[];
  /** Stops what the spec started besides the server (a proxy's backend). */
  cleanup?(): void | Promise<void>;
}

/** A server under abuse. */
export class AbuseServer {
  private readonly makeSpec: () => ServerSpec | Promise<ServerSpec>;
  spec!: ServerSpec;
  proc!: CliProcess;
  port = 0;
  /** Resident memory after start-up and one normal request, in KiB. */
  baselineKiB: number | undefined;
  /** What the checks saw besides their verdict (a request that needed a retry), printed after each scenario. */
  notes: string[] = [];

  constructor(makeSpec: () => ServerSpec | Promise<ServerSpec>) {
    this.makeSpec = makeSpec;
  }

  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  alive(): boolean {
    return this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  /** Starts the server (and what its spec needs: certificates, a backend) from scratch. */
  async start(): Promise<void> {
    this.spec = await this.makeSpec();
    this.proc = startCli(this.spec.args, { wrapper: this.spec.wrapper });
    this.port = await waitForListening(this.proc);
    await this.spec.probe(this.port);
    await sleep(200);
    this.baselineKiB = rssKiB(this.pid);
  }

  /** Starts a fresh instance if the last scenario killed this one; says so on the output. */
  async ensureUp(): Promise<void> {
    if (this.alive()) return;
    console.log(`abuse: ${this.spec.name}: a fresh server for this scenario (the last one failed or died)`);
    await this.spec.cleanup?.();
    await this.start();
  }

  describeDeath(): string {
    const { exitCode, signalCode } = this.proc.child;
    const tail = this.proc.stderr().trimEnd().split("\n").slice(-6).join("\n");
    return `the server died (${signalCode ? `signal ${signalCode}` : `exit code ${exitCode}`})\nstderr tail:\n${tail}`;
  }

  /** Lines of the server's standard error so far. */
  stderrLines(): string[] {
    return this.proc.stderr().split("\n");
  }

  /**
   * The three checks after a scenario: alive; serving, with a normal request answered
   * within `recoverMs` of the scenario's end (retried until then: a server may need a
   * moment to let go of what the peer left, but not longer); memory back within the
   * limit (polled, as a runtime gives memory back lazily).
   */
  async check(recoverMs: number = RECOVER_MS): Promise<string[]> {
    const problems: string[] = [];
    if (!this.alive()) return [this.describeDeath()];
    const started = Date.now();
    let failures = 0;
    for (;;) {
      const probeStarted = Date.now();
      try {
        // No longer than the time left: a server that cannot answer in time has failed.
        await this.spec.probe(this.port, Math.max(500, recoverMs - (probeStarted - started)));
        const took = Date.now() - probeStarted, total = Date.now() - started;
        if (total > recoverMs) {
          problems.push(
            `a normal request was answered only ${total} ms after the scenario (limit ${recoverMs} ms${
              failures ? `, ${failures} failed before` : ""
            })`,
          );
        } else if (took > 300) this.notes.push(`the normal request took ${took} ms`);
        break;
      } catch (error) {
        if (!this.alive()) return [`${this.describeDeath()}\n(the normal request failed: ${message(error)})`];
        failures++;
        if (Date.now() - started > recoverMs) {
          problems.push(
            `a normal request still failed ${Date.now() - started} ms after the scenario: ${message(error)}`,
          );
          break;
        }
        if (failures <= 2) this.notes.push(`a normal request failed, retrying: ${message(error)}`);
        await sleep(250);
      }
    }
    const growth = await this.rssGrowthSettled(3000);
    if (growth !== undefined && growth > RSS_GROWTH_LIMIT_KIB) {
      problems.push(
        `resident memory stayed ${mib(growth)} above its baseline of ${mib(this.baselineKiB!)} (limit ${
          mib(RSS_GROWTH_LIMIT_KIB)
        })`,
      );
    }
    return problems;
  }

  /** Memory growth over the baseline now, in KiB (undefined without /proc). */
  rssGrowth(): number | undefined {
    const now = rssKiB(this.pid);
    return now === undefined || this.baselineKiB === undefined ? undefined : now - this.baselineKiB;
  }

  private async rssGrowthSettled(waitMs: number): Promise<number | undefined> {
    const started = Date.now();
    const first = this.rssGrowth();
    for (;;) {
      const growth = this.rssGrowth();
      if (growth === undefined || growth <= RSS_GROWTH_LIMIT_KIB || Date.now() - started > waitMs) {
        if (first !== undefined && first > RSS_GROWTH_LIMIT_KIB && growth !== undefined) {
          this.notes.push(
            `memory was ${mib(first)} above its baseline, ${mib(growth)} after ${Date.now() - started} ms`,
          );
        }
        return growth;
      }
      await sleep(250);
    }
  }

  /** Stops the server gracefully (SIGTERM) and returns how it exited. */
  stop(): Promise<{ code: number | null; signal: string | null }> {
    return this.proc.stop("SIGTERM");
  }

  /** Ends the server at once (a failed scenario may have left it looping). */
  async kill(): Promise<void> {
    if (this.alive()) this.proc.child.kill("SIGKILL");
    await this.proc.exited;
  }
}

/** A case that could not run because the server lacks a flag: it fails, but the server was not touched. */
export class MissingFeatureError extends Error {
  constructor(what: string) {
    super(`not testable yet: ${what}`);
    this.name = "MissingFeatureError";
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}

/**
 * Registers the abuse tests for one server in this file: `scenarios` run one after
 * another against the same process (started fresh if one of them killed it), each
 * followed by the three checks; a last test stops the server with SIGTERM and expects
 * exit 0. Without python3 the whole file is skipped with a visible reason.
 */
export function abuseSuite(
  name: string,
  spec: () => ServerSpec | Promise<ServerSpec>,
  scenarios: AbuseScenario[],
): void {
  const runnable = hasPython;
  if (!runnable) {
    announceSkip(
      `python3 is not installed: the abuse peers cannot run; ${name}'s ${scenarios.length} scenarios are skipped`,
    );
  }
  let server: AbuseServer | undefined;
  let started: Promise<AbuseServer> | undefined;
  const up = () =>
    started ??= (async () => {
      const s = new AbuseServer(spec);
      server = s;
      await s.start();
      return s;
    })();
  for (const scenario of scenarios) {
    const run = !runnable ? test.skip : test;
    run(`${name}: ${scenario.title}`, async () => {
      if (scenario.skip) {
        announceSkip(`${scenario.title}: ${scenario.skip}`);
        return;
      }
      const s = await up();
      await s.ensureUp();
      s.notes = [];
      let scenarioError: unknown;
      try {
        await scenario.run(s);
      } catch (error) {
        scenarioError = error;
      }
      const problems = await s.check(scenario.recoverMs);
      for (const note of s.notes) console.log(`abuse: ${name}: ${scenario.title}: ${note}`);
      if (scenarioError !== undefined || problems.length > 0) {
        // A server that failed one scenario may carry the damage into the next (an echo
        // loop, a leak): the next one gets a fresh process, so each failure is its own.
        if (!(scenarioError instanceof MissingFeatureError) || problems.length > 0) await s.kill();
        const parts = scenarioError === undefined ? [] : [message(scenarioError)];
        throw new Error([...parts, ...problems.map((p) => `after the scenario: ${p}`)].join("\n"));
      }
    });
  }
  (runnable ? test : test.skip)(`${name}: stops with SIGTERM and exits 0 after the abuse`, async () => {
    const s = await up();
    await s.ensureUp();
    const { code, signal } = await s.stop();
    if (code !== 0) {
      throw new Error(
        `exit ${code} (signal ${signal})\nstdout tail: ${s.proc.stdout().slice(-300)}\nstderr tail: ${
          s.proc.stderr().slice(-600)
        }`,
      );
    }
  });
  test.after(async () => {
    if (server?.alive()) await server.kill();
    await server?.spec.cleanup?.();
  });
}

/** One scenario of {@linkcode abuseSuite}. */
export interface AbuseScenario {
  title: string;
  /** Runs the peer and asserts on what it saw; the harness checks the server afterwards. */
  run(server: AbuseServer): Promise<void>;
  /** How long the server may take to serve again. @default {@linkcode RECOVER_MS} */
  recoverMs?: number;
  /** Why this scenario cannot run here (a missing tool or privilege): announced, not failed. */
  skip?: string;
}

// ------------------------------------------------------------ common scenarios

/** Fails unless every held connection was closed by the server within `withinS` seconds; `what` names them in the message. */
export function assertAllClosed(result: HeldResult, withinS: number, what = "the held connections"): void {
  const problems: string[] = [];
  if (result.openFailed > 0) {
    problems.push(`${result.openFailed} connections could not open (${result.openFailures[0]})`);
  }
  if (result.stillOpen > 0 || result.closedByServer < result.opened) {
    problems.push(
      `${result.stillOpen} of ${result.opened} connections were still open ${
        result.stoppedByTest ? "when the test stopped" : "at the peer's deadline"
      } (${result.closedByServer} closed by the server${
        result.lastClose === null ? "" : `, the last after ${result.lastClose} s`
      })`,
    );
  } else if (result.lastClose !== null && result.lastClose > withinS) {
    problems.push(`the server closed them all, but the last only after ${result.lastClose} s (limit ${withinS} s)`);
  }
  if (problems.length) throw new Error(`${what}: ${problems.join("; ")}`);
}

/** Scenario: `count` clients connect (sending `first`, if given) and reset at once. */
export function resetScenario(count: number, first?: string): AbuseScenario {
  return {
    title: `connect-and-reset: ${count} clients connect${first ? ", send a little" : ""} and reset (SO_LINGER 0)`,
    async run(server) {
      const r = await runPeer("reset", server.port, { count, first: first ?? "" }).result;
      if (r.resets !== count) throw new Error(`only ${r.resets} of ${count} resets went out: ${r.failures[0]}`);
    },
  };
}

/** Scenario: clients start a large write and reset in the middle of it. */
export function resetMidWriteScenario(options: { count?: number; head?: string; tls?: boolean } = {}): AbuseScenario {
  const count = options.count ?? 5;
  return {
    title: `reset mid-write: ${count} clients start a 4 MiB write${options.head ? " (a request body)" : ""} and reset`,
    async run(server) {
      const r = await runPeer("reset-mid-write", server.port, { count, head: options.head ?? "", tls: options.tls })
        .result;
      if (r.resets !== count) throw new Error(`only ${r.resets} of ${count} resets went out: ${r.failures[0]}`);
    },
  };
}

/**
 * Scenario: a client sends (1 MiB of bytes, or `request`), shuts down its write side
 * and keeps reading: everything must still come back (the echo, or the response),
 * followed by the server's own FIN.
 */
export function halfOpenScenario(request?: string): AbuseScenario {
  return {
    title: `half-open: the client shuts down its write side after ${request ? "a request" : "1 MiB"} and keeps reading`,
    async run(server) {
      const r = await runPeer("half-open", server.port, { request, seconds: 10 }).result;
      const problems: string[] = [];
      if (request === undefined && !r.same) problems.push(`${r.received} of ${r.sent} bytes came back intact`);
      if (request !== undefined && !/^HTTP\/1\.[01] 200 /.test(r.head ?? "")) {
        problems.push(`the answer began ${JSON.stringify(r.head)}, not with a 200 status line`);
      }
      if (!r.eof) {
        problems.push(r.reset ? "the server reset instead of closing" : `no FIN from the server in ${r.seconds} s`);
      }
      if (problems.length) throw new Error(problems.join("; "));
    },
  };
}

/**
 * Scenario: a client that writes and never reads. The server must stop reading it once
 * its own writes back up (it took less than {@linkcode NEVER_READ_LIMIT_BYTES}), keep
 * serving others meanwhile, and not grow while the client holds.
 */
export function neverReadScenario(options: { request?: string; tls?: boolean } = {}): AbuseScenario {
  return {
    title: `never-reading client: writes ${
      options.request ? "requests" : "bytes"
    } without reading; the server stops reading it`,
    async run(server) {
      const peer = runPeer("never-read", server.port, {
        request: options.request,
        tls: options.tls,
        limit: NEVER_READ_LIMIT_BYTES,
        stallSeconds: 0.5,
        hold: 20,
      });
      try {
        const held = await peer.holding;
        const problems: string[] = [];
        const took = `${(held.accepted / 2 ** 20).toFixed(1)} MiB`;
        if (held.accepted >= NEVER_READ_LIMIT_BYTES || (!held.stalled && !held.error)) {
          problems.push(
            `the server kept reading a client that never reads: it took ${took}${
              held.accepted >= NEVER_READ_LIMIT_BYTES ? "" : " and was still taking more when the peer gave up"
            }`,
          );
        } else if (held.error) {
          server.notes.push(`the server ended the never-reading connection after ${took}: ${held.error}`);
        }
        try {
          await server.spec.probe(server.port);
        } catch (error) {
          problems.push(`a normal request failed while the client held: ${message(error)}`);
        }
        const growth = server.rssGrowth();
        if (growth !== undefined && growth > RSS_GROWTH_LIMIT_KIB) {
          problems.push(
            `resident memory grew by ${mib(growth)} while the client held (it had sent ${took} before it stalled)`,
          );
        }
        if (problems.length) throw new Error(problems.join("; "));
      } finally {
        peer.stop();
        await peer.result.catch(() => {});
      }
    },
  };
}

/**
 * Scenario: `count` connections that say nothing (or `first`, then nothing). The server
 * must serve others meanwhile and close every one of them within `withinS` seconds.
 * `missing` names the server flag that would set the time limit when the command lacks
 * it: the case then fails at once, saying so.
 */
export function idleScenario(
  title: string,
  options: {
    peer?: string;
    count?: number;
    first?: string;
    withinS: number;
    peerOptions?: Record<string, unknown>;
    missing?: string;
  },
): AbuseScenario {
  return {
    title,
    async run(server) {
      if (options.missing) throw new MissingFeatureError(`no time limit can be set: ${options.missing}`);
      const peer = runPeer<HeldResult>(options.peer ?? "idle", server.port, {
        count: options.count ?? 30,
        first: options.first ?? "",
        // Past the limit the answer is known: a little slack for the last close to arrive.
        seconds: options.withinS + 0.5,
        ...options.peerOptions,
      });
      try {
        await peer.holding;
        await server.spec.probe(server.port).catch((error) => {
          throw new Error(`a normal request failed while the connections were held: ${message(error)}`);
        });
        assertAllClosed(await peer.result, options.withinS);
      } finally {
        peer.stop();
        await peer.result.catch(() => {});
      }
    },
  };
}

/**
 * Scenario: open connections until `count` or until they fail (the server runs with a
 * low descriptor limit), hold them, then close them all: the server must survive and
 * serve again.
 */
export function fdFloodScenario(count: number, first?: string): AbuseScenario {
  return {
    title: `descriptor flood: ${count} connections against a limit of 128 open files, then all closed`,
    recoverMs: 10000,
    async run(server) {
      const peer = runPeer<HeldResult>("fd-flood", server.port, { count, first: first ?? "", hold: 20 });
      try {
        const held = await peer.holding;
        await sleep(1000);
        // What the flood reached: open descriptors near the limit show the server was at it.
        server.notes.push(
          `${held.opened} connections open, ${held.failed} failed; ${openFiles(server.pid)} files open`,
        );
        if (!server.alive()) throw new Error(`with ${held.opened} connections open, ${server.describeDeath()}`);
      } finally {
        peer.stop();
        await peer.result.catch(() => {});
      }
    },
  };
}
