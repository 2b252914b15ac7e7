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

test("detectRuntime() is not fooled by the Node compatibility layer of Deno and Bun", () => {
  // Deno and Bun both set process.versions.node; only a real Node may answer "node".
  if (typeof process.versions.node === "string" && testRuntime !== "node") {
    assert.is.not(detectRuntime().name, "node");
  }
  assert.is(detectRuntime(), detectRuntime(), "the answer is cached");
});

test.run();
