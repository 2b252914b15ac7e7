/**
 * Long differential fuzzing of the packet decoders: random and mutated frames (all link
 * types) and damaged capture files go through the WebAssembly and the TypeScript engine;
 * every record and every file-level error must be identical, and nothing may trap.
 * (test/packet/fuzz.test.ts runs a short version of the same in `npm test`.)
 *
 * Usage: deno run -A scripts/fuzz_packet.ts [--frames N] [--files N] [--seed S]
 *   --frames  frames to decode (default 1,000,000, in captures of 10,000)
 *   --files   damaged capture files (default 5,000)
 *
 * A difference or trap stops the run, writes the capture that shows it to
 * fuzz-failure-SEED.pcapng and exits 1. Each step prints its progress, so a hang shows
 * as a stalled counter (run it under `timeout` in automation).
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { compareEngines, fuzzCapture, mutateFile } from "./_packet_fuzz.ts";
import { pcap, sampleFrames } from "./_packet_writer.ts";

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}
const frames = flag("frames", 1_000_000);
const files = flag("files", 5_000);
const seed0 = flag("seed", 1);
const PER = 10_000;

async function check(file: Uint8Array, label: string, seed: number): Promise<number> {
  let result;
  try {
    result = await compareEngines(file, seed % 3 === 0 ? 4096 : undefined);
  } catch (e) {
    writeFileSync(`fuzz-failure-${seed}.pcapng`, file);
    console.error(`\nfuzz: ${label} seed ${seed}: a decoder failed: ${(e as Error).stack ?? e}`);
    Deno.exit(1);
  }
  if (result.difference) {
    writeFileSync(`fuzz-failure-${seed}.pcapng`, file);
    console.error(
      `\nfuzz: ${label} seed ${seed}: engines differ at ${result.difference}\n(capture written to fuzz-failure-${seed}.pcapng)`,
    );
    Deno.exit(1);
  }
  return result.packets;
}

const start = performance.now();
let done = 0;
for (let seed = seed0; done < frames; seed++) {
  done += await check(fuzzCapture(seed, Math.min(PER, frames - done)), "frames", seed);
  const s = (performance.now() - start) / 1000;
  Deno.stdout.writeSync(
    new TextEncoder().encode(`\rfuzz: ${done.toLocaleString("en")} frames identical (${s.toFixed(0)} s)`),
  );
}
console.log();
const bases = [pcap(sampleFrames().map((data) => ({ data }))), fuzzCapture(seed0 + 7777, 200)];
let packets = 0;
for (let i = 0; i < files; i++) {
  const seed = seed0 + i;
  packets += await check(mutateFile(bases[i % 2], seed), "damaged file", seed);
  if (i % 100 === 99) Deno.stdout.writeSync(new TextEncoder().encode(`\rfuzz: ${i + 1} damaged files identical`));
}
console.log(
  `\nfuzz: ${
    done.toLocaleString("en")
  } frames and ${files} damaged files (${packets} packets): both engines identical, no trap, in ${
    ((performance.now() - start) / 1000).toFixed(0)
  } s`,
);
