import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CaptureError, openCapture } from "anynet/packet";
import { announceSkip, root } from "../_helpers/env.ts";

// The capture corpus: the 830 pcap/pcapng files of tcpdump's own test suite (real traffic,
// and files crafted to crash dissectors) in tcpdump/, with tcpdump.tsv giving the frame
// count tshark reads from each. It is not part of the repository: a checkout finds it
// beside itself, at ../shared/corpus, or wherever ANYNET_CORPUS points (docs/packets.md).
const corpus = process.env.ANYNET_CORPUS ?? join(root, "..", "shared", "corpus");
const folder = join(corpus, "tcpdump");
const present = existsSync(folder) && existsSync(join(corpus, "tcpdump.tsv"));

interface Count {
  frames: number;
  /** Frames of a link type anynet reports as unsupported. */
  unsupported: number;
  error?: string;
}

async function count(bytes: Uint8Array, engine: "wasm" | "ts"): Promise<Count> {
  const result: Count = { frames: 0, unsupported: 0 };
  try {
    for await (const batch of openCapture(bytes, { engine })) {
      // Build every record too: the object path must survive hostile data as well.
      for (let i = 0; i < batch.length; i++) if (batch.get(i).link === "unsupported") result.unsupported++;
      result.frames += batch.length;
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    result.error = e.message;
  }
  return result;
}

if (!present) {
  announceSkip(
    `the capture corpus (tcpdump's 830 test captures with tshark's frame counts, kept outside the repository) ` +
      `is not at ${corpus}: set ANYNET_CORPUS to a folder holding tcpdump/ and tcpdump.tsv (docs/packets.md)`,
  );
  test.skip("openCapture() decodes the tcpdump corpus (corpus absent)", () => {});
} else {
  test("openCapture() decodes all tcpdump corpus files without a crash, frame counts as tshark's", async () => {
    const expected = new Map<string, number>();
    for (const line of readFileSync(join(corpus, "tcpdump.tsv"), "utf8").split("\n").slice(1)) {
      const [file, frames] = line.split("\t");
      if (file) expected.set(file, Number(frames));
    }
    const files = readdirSync(folder).filter((f) => expected.has(f)).sort();
    let match = 0, explained = 0;
    const mismatches: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(join(folder, file));
      const w = await count(bytes, "wasm");
      const t = await count(bytes, "ts");
      assert.equal(w, t, `${file}: engines disagree`);
      if (w.frames === expected.get(file)) match++;
      // tshark refuses to open a file whose link type it does not know (0 frames); anynet
      // reads it and reports each frame as an unsupported link type, as specified.
      else if (expected.get(file) === 0 && w.unsupported === w.frames && !w.error) explained++;
      else {mismatches.push(
          `${file}: anynet ${w.frames}, tshark ${expected.get(file)}${w.error ? ` (${w.error})` : ""}`,
        );}
    }
    console.log(
      `corpus: ${match} of ${files.length} files match tshark's frame count; ${explained} more are link types ` +
        `tshark cannot open (0 frames) that anynet reads as unsupported`,
    );
    assert.ok(files.length > 800, `only ${files.length} corpus files found`);
    assert.equal(mismatches, [], "unexplained frame-count mismatches");
  });
}

test.run();
