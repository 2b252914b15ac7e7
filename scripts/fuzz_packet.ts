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
import { numberFlag, parseFlags, readCommandLine } from "./_args.ts";
import { compareEngines, fuzzCapture, mutateFile } from "./_packet_fuzz.ts";
import { pcap, sampleFrames } from "./_packet_writer.ts";

const USAGE = "Usage: deno run -A scripts/fuzz_packet.ts [--frames N] [--files N] [--seed S]\n" +
  "  --frames N   frames to decode (default 1,000,000, in captures of 10,000)\n" +
  "  --files N    damaged capture files (default 5,000)\n" +
  "  --seed S     the first seed (default 1)";

const { frames, files, seed0 } = readCommandLine("fuzz", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    frames: { type: "string" },
    files: { type: "string" },
    seed: { type: "string" },
  });
  return {
    frames: numberFlag("--frames", flags.frames, 1_000_000, { min: 0, integer: true }),
    files: numberFlag("--files", flags.files, 5_000, { min: 0, integer: true }),
    seed0: numberFlag("--seed", flags.seed, 1, { min: 0, integer: true }),
  };
});
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
