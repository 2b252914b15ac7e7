import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { detectRuntime } from "anynet";
import { testRuntime } from "../_helpers/env.ts";

test("detectRuntime() names the runtime running the tests", () => {
  assert.is(detectRuntime().name, testRuntime);
});

test("detectRuntime() reports the runtime's own version", () => {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const expected = testRuntime === "deno"
    ? g.Deno!.version.deno
    : testRuntime === "bun"
    ? g.Bun!.version
    : process.versions.node;
  assert.is(detectRuntime().version, expected);
  assert.match(detectRuntime().version, /^\d+\.\d+\.\d+/);
});

test("each Node leg of the test run is the Node release it is named after", () => {
  // scripts/test.ts names the leg (node22, node24, node26); without it (a file run by hand) there is nothing to compare.
  const leg = process.env.ANYNET_TEST_LEG;
  const major = leg?.match(/^node(\d+)$/)?.[1];
  if (major === undefined) return;
  assert.is(detectRuntime().version.split(".")[0], major, `leg ${leg} runs Node ${detectRuntime().version}`);
});

test("detectRuntime() is not fooled by the Node compatibility layer of Deno and Bun", () => {
  // Deno and Bun both set process.versions.node; only a real Node may answer "node".
  if (typeof process.versions.node === "string" && testRuntime !== "node") {
    assert.is.not(detectRuntime().name, "node");
  }
  assert.is(detectRuntime(), detectRuntime(), "the answer is cached");
});

test.run();
