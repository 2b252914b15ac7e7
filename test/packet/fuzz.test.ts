import { test } from "uvu";
import * as assert from "uvu/assert";
import { compareEngines, fuzzCapture, mutateFile } from "../../scripts/_packet_fuzz.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";

test("WebAssembly and TypeScript decoders agree on 20,000 random and mutated frames", async () => {
  let packets = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const result = await compareEngines(fuzzCapture(seed, 2000), seed % 2 ? 4096 : undefined);
    assert.is(result.difference, undefined, `seed ${seed}: ${result.difference}`);
    packets += result.packets;
  }
  assert.is(packets, 20000);
});

test("WebAssembly and TypeScript decoders agree on damaged capture files", async () => {
  const pcapFile = pcap(sampleFrames().map((data) => ({ data })));
  const ngFile = fuzzCapture(99, 40);
  for (let seed = 1; seed <= 300; seed++) {
    const result = await compareEngines(mutateFile(seed % 2 ? pcapFile : ngFile, seed), seed % 3 ? 64 : undefined);
    assert.is(result.difference, undefined, `seed ${seed}: ${result.difference}`);
  }
});

test.run();
