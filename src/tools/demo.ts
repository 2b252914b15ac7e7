/**
 * The tour of anynet: TCP, UDP and TLS echo, the HTTP client against the local REST API,
 * and a capture of the tour's own traffic decoded and summed up, all on 127.0.0.1.
 *
 * @module
 */
import { checkDelayMs, checkOptionsObject, checkSignal } from "../_argument_checks.ts";
import { echo, serveEcho, serveUdpEcho, udpEcho } from "../echo/mod.ts";
import { createRestApi, get, isHttpError, serve } from "../http/mod.ts";
import { formatAddr, type NetAddr } from "../net/mod.ts";
import { buildTcpConversation, buildUdpFrame } from "../packet/build_frame.ts";
import { captureStats } from "../packet/capture_stats.ts";
import { openCapture } from "../packet/open_capture.ts";
import { writePcap } from "../packet/pcap_writer.ts";
import type { PacketRecord } from "../packet/packet_record.ts";
import { packetLine } from "../packet/_text.ts";
import { createCertificates } from "./certificates.ts";

/** The message the demo sends through every echo server. */
export const DEMO_MESSAGE: string = "Hello, Network World!";

/** The steps of the demo, in order. */
export const DEMO_STEPS: readonly { id: DemoStepId; title: string }[] = [
  { id: "tcp", title: "TCP echo" },
  { id: "udp", title: "UDP echo" },
  { id: "tls", title: "TLS echo" },
  { id: "http", title: "HTTP" },
  { id: "capture", title: "capture" },
  { id: "stats", title: "capture stats" },
];

/** Which step: `tcp`, `udp`, `tls`, `http`, `capture` (write and decode), `stats`. */
export type DemoStepId = "tcp" | "udp" | "tls" | "http" | "capture" | "stats";

/** What one step did. */
export interface DemoStep {
  /** 1 for the first step. */
  index: number;
  /** How many steps the demo has. */
  total: number;
  id: DemoStepId;
  /** A short name such as `TCP echo`. */
  title: string;
  /** Whether it worked. */
  ok: boolean;
  /** One line: what it did and what it got, or what failed and why. */
  summary: string;
  /** More lines worth showing (the decoded packets). */
  details: string[];
  /** How long it took, in milliseconds. */
  ms: number;
}

/** Options of {@linkcode runDemo}. */
export interface DemoOptions {
  /** Time limit of each step in milliseconds; a step over it fails and is cleaned up. @default 5000 */
  stepTimeout?: number;
  /** Stops the demo: the running step fails as interrupted, the rest are not run. */
  signal?: AbortSignal;
  /** Called as soon as each step has finished (to print it). Exceptions it throws are ignored. */
  onStep?: (step: DemoStep) => void;
}

/** What {@linkcode runDemo} resolves to. */
export interface DemoResult {
  /** Every step, in order (a step not run because of an interruption counts as failed). */
  steps: DemoStep[];
  /** Steps that worked. */
  passed: number;
  /** True when every step worked. */
  ok: boolean;
  /** The capture file written in the `capture` step (pcap), when it was written. */
  capture?: Uint8Array;
}

const HOST = "127.0.0.1";
const encoder = new TextEncoder();

/** One echo exchange as the servers saw it, for the capture. */
interface Exchange {
  client: NetAddr;
  server: NetAddr;
  start: number;
  end: number;
}

interface StepContext {
  signal: AbortSignal;
  limit: number;
  /** Registers a clean-up that runs when the step ends, however it ends. */
  defer(cleanup: () => unknown): void;
}

interface StepOutcome {
  summary: string;
  details?: string[];
}

class StepTimeout extends Error {
  constructor(ms: number) {
    super(`did not finish within ${ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`}`);
    this.name = "StepTimeout";
  }
}

class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function duration(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}

/** Settles within `ms`, whatever `work` does. */
async function bounded(work: unknown, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve(work).catch(() => {}),
      new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function runStep(
  run: (context: StepContext) => Promise<StepOutcome>,
  limit: number,
  outer: AbortSignal | undefined,
): Promise<{ ok: boolean; summary: string; details: string[] }> {
  const controller = new AbortController();
  const cleanups: (() => unknown)[] = [];
  const timer = setTimeout(() => controller.abort(new StepTimeout(limit)), limit);
  const onOuter = () => controller.abort(new Interrupted());
  if (outer?.aborted) onOuter();
  outer?.addEventListener("abort", onOuter, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  try {
    const work = run({ signal: controller.signal, limit, defer: (cleanup) => cleanups.push(cleanup) });
    // A step abandoned after its time limit may still fail later: that must not surface.
    work.catch(() => {});
    const outcome = await Promise.race([work, aborted]);
    return { ok: true, summary: outcome.summary, details: outcome.details ?? [] };
  } catch (error) {
    // An operation that saw the abort fails with its own words; the abort's reason is the clearer one.
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    return { ok: false, summary: firstLine(reason), details: [] };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuter);
    for (const cleanup of cleanups.reverse()) await bounded(cleanup(), 2000);
  }
}

/**
 * Runs the tour of anynet on 127.0.0.1 (nothing leaves the machine, no file is written):
 *
 * 1. `tcp`: a TCP echo server on a free port, and "Hello, Network World!" sent through it;
 * 2. `udp`: the same over UDP;
 * 3. `tls`: the same over TLS, with a throwaway CA and server certificate made for the run,
 *    the certificate verified by the client;
 * 4. `http`: the local REST API, and `GET /posts/1` with the HTTP client (a time limit per
 *    attempt and retries; the API answers the first request with 503 so that a retry shows);
 * 5. `capture`: a pcap of steps 1 and 2 (the runtimes cannot capture packets, so it is
 *    reconstructed from the real addresses, ports, payloads and times: TCP handshake, data
 *    both ways, FIN; the UDP datagram and its echo), decoded packet by packet;
 * 6. `stats`: that capture's statistics.
 *
 * Each step has a time limit and closes what it started, whether it worked or not.
 *
 * @param options Time limit per step, a signal to stop, a callback per step.
 * @returns Every step's outcome, and the capture.
 * @throws {RangeError} For a step timeout that is not a positive number.
 * @example Run it and count
 * ```ts
 * import { runDemo } from "anynet/tools";
 * const result = await runDemo({ onStep: (step) => console.log(step.title, step.ok ? "ok" : "FAIL", step.summary) });
 * console.log(`demo: ${result.passed} of ${result.steps.length} steps worked`);
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  checkOptionsObject("run the demo", options, ["stepTimeout", "signal", "onStep"]);
  const limit = checkDelayMs("run the demo", "stepTimeout", options.stepTimeout ?? 5000);
  checkSignal("run the demo", options.signal);
  const message = DEMO_MESSAGE;
  const messageBytes = encoder.encode(message).length;
  let tcpExchange: Exchange | undefined;
  let udpExchange: Exchange | undefined;
  let capture: Uint8Array | undefined;

  const run: Record<DemoStepId, (context: StepContext) => Promise<StepOutcome>> = {
    async tcp({ signal, limit, defer }) {
      const clients: NetAddr[] = [];
      const server = await serveEcho({
        hostname: HOST,
        port: 0,
        gracePeriod: 500,
        signal,
        onEvent: (event) => event.type === "open" && clients.push(event.remoteAddr),
      });
      defer(() => server.close());
      const start = Date.now(), t0 = performance.now();
      const reply = await echo(message, { hostname: HOST, port: server.addr.port, timeout: limit, signal });
      const ms = performance.now() - t0;
      if (reply !== message) throw new Error(`sent ${quote(message)} but got back ${quote(reply)}`);
      if (clients[0]) tcpExchange = { client: clients[0], server: server.addr, start, end: Date.now() };
      return {
        summary: `sent ${quote(message)} to the echo server on ${formatAddr(server.addr)} and got it back ` +
          `(${messageBytes} bytes each way, ${duration(ms)})`,
      };
    },

    async udp({ signal, limit, defer }) {
      const clients: NetAddr[] = [];
      const server = await serveUdpEcho({
        hostname: HOST,
        port: 0,
        signal,
        onEvent: (event) => event.type === "datagram" && clients.push(event.remoteAddr),
      });
      defer(() => server.close());
      const start = Date.now(), t0 = performance.now();
      const reply = await udpEcho(message, { hostname: HOST, port: server.addr.port, timeout: limit, signal });
      const ms = performance.now() - t0;
      if (reply !== message) throw new Error(`sent ${quote(message)} but got back ${quote(reply)}`);
      if (clients[0]) udpExchange = { client: clients[0], server: server.addr, start, end: Date.now() };
      return {
        summary: `sent ${quote(message)} in one datagram to ${
          formatAddr(server.addr)
        } and got the same datagram back (${duration(ms)})`,
      };
    },

    async tls({ signal, limit, defer }) {
      const t0 = performance.now();
      const { caCert, cert, key } = await createCertificates({ hostnames: [HOST, "localhost"] });
      const made = performance.now() - t0;
      const server = await serveEcho({ hostname: HOST, port: 0, gracePeriod: 500, tls: { cert, key }, signal });
      defer(() => server.close());
      const t1 = performance.now();
      const reply = await echo(message, {
        hostname: HOST,
        port: server.addr.port,
        tls: { caCerts: [caCert] },
        timeout: limit,
        signal,
      });
      const ms = performance.now() - t1;
      if (reply !== message) throw new Error(`sent ${quote(message)} but got back ${quote(reply)}`);
      return {
        summary: `made a throwaway CA and server certificate for ${HOST} (ECDSA P-256, ${duration(made)}), ` +
          `sent ${quote(message)} over TLS to ${formatAddr(server.addr)} and got it back, the certificate verified (${
            duration(ms)
          })`,
      };
    },

    async http({ signal, limit, defer }) {
      const api = createRestApi();
      let staged = false;
      const server = await serve((request, info) => {
        // Fail the first request once, on purpose, so that the client's retry can be seen.
        if (!staged) {
          staged = true;
          return new Response("busy, try again\n", { status: 503, headers: { "retry-after": "0" } });
        }
        return api(request, info);
      }, { hostname: HOST, port: 0, signal });
      defer(() => server.close());
      const retries: string[] = [];
      const perAttempt = Math.min(2000, limit);
      const url = `${server.url}/posts/1`;
      const t0 = performance.now();
      const response = await get(url, {
        timeout: perAttempt,
        retry: { limit: 2, backoffBase: 100 },
        signal,
        hooks: {
          beforeRetry: [({ error, retry, delay }) => {
            const what = isHttpError(error) ? `${error.status} ${error.statusText}` : firstLine(error);
            retries.push(
              `attempt ${retry}: ${what}${
                retry === 1 && isHttpError(error) && error.status === 503 ? " (staged by the demo)" : ""
              }, retried after ${Math.round(delay)} ms`,
            );
          }],
        },
      });
      const post = await response.json() as { id?: unknown; title?: unknown };
      const ms = performance.now() - t0;
      if (post.id !== 1 || typeof post.title !== "string") {
        throw new Error(`GET ${url} answered ${JSON.stringify(post)}, not post 1`);
      }
      const how = retries.length === 0
        ? "no retry needed"
        : `${retries.length} ${retries.length === 1 ? "retry" : "retries"}`;
      return {
        summary:
          `served the REST API on ${server.url} and fetched GET /posts/1: ${response.status} ${
            response.statusText || "OK"
          }, ` +
          `post 1 ${quote(post.title)} (${duration(ms)}, ${
            perAttempt / 1000
          } s limit per attempt, up to 2 retries: ${how})`,
        details: retries,
      };
    },

    async capture({ signal }) {
      if (!tcpExchange && !udpExchange) throw new Error("nothing to capture: the TCP and UDP echo steps did not work");
      const payload = encoder.encode(message);
      const records: { data: Uint8Array; time: number }[] = [];
      const spread = (frames: Uint8Array[], exchange: Exchange) => {
        const step = frames.length > 1 ? (exchange.end - exchange.start) / (frames.length - 1) : 0;
        frames.forEach((data, i) => records.push({ data, time: exchange.start + i * step }));
      };
      if (tcpExchange) {
        spread(
          buildTcpConversation({
            client: tcpExchange.client,
            server: tcpExchange.server,
            messages: [{ from: "client", data: payload }, { from: "server", data: payload }],
          }),
          tcpExchange,
        );
      }
      if (udpExchange) {
        spread([
          buildUdpFrame({ src: udpExchange.client, dst: udpExchange.server, payload }),
          buildUdpFrame({ src: udpExchange.server, dst: udpExchange.client, payload }),
        ], udpExchange);
      }
      const file = writePcap(records);
      const decoded: PacketRecord[] = [];
      for await (const batch of openCapture(file, { signal })) decoded.push(...batch);
      if (decoded.length !== records.length) {
        throw new Error(`wrote ${records.length} packets but decoded ${decoded.length}`);
      }
      const bad = decoded.filter((r) =>
        r.error || (r.ip?.v === 4 && !r.ip.checksumOk) || (r.tcp ?? r.udp)?.checksumOk !== true
      );
      if (bad.length > 0) {
        throw new Error(`${bad.length} of ${decoded.length} packets decoded with an error or a wrong checksum`);
      }
      capture = file;
      const steps = [tcpExchange && "TCP", udpExchange && "UDP"].filter(Boolean).join(" and ");
      // Times relative to the first packet read better than seconds since 1970.
      // (Seconds are subtracted before scaling: nanoseconds since 1970 are beyond a double's integers.)
      const { sec: sec0 = 0, nsec: nsec0 = 0 } = decoded[0];
      const relative = (r: PacketRecord) => {
        const ns = ((r.sec ?? 0) - sec0) * 1e9 + (r.nsec ?? 0) - nsec0;
        return packetLine({ ...r, sec: Math.floor(ns / 1e9), nsec: ns % 1e9 });
      };
      // One byte count names the capture everywhere (here and in the stats step): the
      // frames' bytes, as captureStats counts them; the file adds the pcap headers to it.
      const frameBytes = records.reduce((sum, r) => sum + r.data.length, 0);
      return {
        summary: `wrote a pcap of the ${steps} echo traffic above (${records.length} packets, ` +
          `${frameBytes} bytes of frames; the file is ${file.length} bytes with its pcap headers), ` +
          `reconstructed from the real addresses, ports, payloads and times as the runtimes cannot capture packets, ` +
          `and decoded it: every checksum correct`,
        details: decoded.map(relative),
      };
    },

    async stats({ signal }) {
      if (!capture) throw new Error("no capture to sum up: the capture step did not work");
      const stats = await captureStats(capture, { signal });
      if (stats.errors > 0) throw new Error(`${stats.errors} errors in the capture`);
      const p = stats.protocols;
      const top = stats.topFlows[0];
      const name = (proto: number) => (proto === 6 ? "TCP" : proto === 17 ? "UDP" : `protocol ${proto}`);
      return {
        summary:
          `${stats.packets} packets, ${stats.bytes} bytes of frames, ${stats.flows} flows (IPv4 ${p.ipv4}, TCP ${p.tcp}, UDP ${p.udp})` +
          (top
            ? `; largest flow ${name(top.proto)} ${top.a} <-> ${top.b}: ${top.packets} packets, ${top.bytes} bytes`
            : ""),
      };
    },
  };

  const steps: DemoStep[] = [];
  for (const [i, { id, title }] of DEMO_STEPS.entries()) {
    const t0 = performance.now();
    const outcome = options.signal?.aborted
      ? { ok: false, summary: "not run: interrupted", details: [] }
      : await runStep(run[id], limit, options.signal);
    const step: DemoStep = {
      index: i + 1,
      total: DEMO_STEPS.length,
      id,
      title,
      ...outcome,
      ms: performance.now() - t0,
    };
    steps.push(step);
    try {
      options.onStep?.(step);
    } catch {
      // a printing callback must not stop the demo
    }
  }
  const passed = steps.filter((s) => s.ok).length;
  return { steps, passed, ok: passed === steps.length, ...(capture ? { capture } : {}) };
}
