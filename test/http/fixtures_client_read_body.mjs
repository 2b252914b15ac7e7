// Reads one response body the way the arguments say and prints one JSON line: how the
// read ended, how long it took, the longest the event loop went without running a timer
// (a 10 ms interval's largest gap) and the process's peak memory. Arguments: the URL, the
// request options as JSON (with "abortAfterMs" for a caller's signal that aborts), and
// how to read: "text", "bytes" or "stream" (read chunk by chunk, keeping nothing).
import { readFileSync } from "node:fs";
import process from "node:process";
import { get } from "anynet/http";

const [url, optionsJson, how] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const { abortAfterMs, ...options } = JSON.parse(optionsJson);
if (abortAfterMs !== undefined) options.signal = AbortSignal.timeout(abortAfterMs);
const started = performance.now();
let lastTick = started;
let maxGapMs = 0;
const heartbeat = setInterval(() => {
  const now = performance.now();
  maxGapMs = Math.max(maxGapMs, now - lastTick);
  lastTick = now;
}, 10);
let outcome;
try {
  const response = await get(url, { retry: 0, ...options });
  let length = 0;
  if (how === "stream") {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
    }
  } else if (how === "bytes") {
    length = (await response.bytes()).byteLength;
  } else {
    length = (await response.text()).length;
  }
  outcome = { ok: true, length };
} catch (error) {
  outcome = { ok: false, name: error?.name, message: error?.message };
}
clearInterval(heartbeat);
outcome.ms = Math.round(performance.now() - started);
outcome.maxGapMs = Math.round(maxGapMs);
try {
  const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  outcome.peakMiB = peak === undefined ? undefined : Math.round(Number(peak) / 1024);
} catch {
  // No /proc: the caller learns nothing about memory.
}
console.log(JSON.stringify(outcome));
