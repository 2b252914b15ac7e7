/**
 * The capture timestamps' ISO 8601 text is made by arithmetic (_iso_time.ts): it must be
 * what Date#toISOString() gives for the whole seconds, at every date Date can name.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { importPrivate } from "../_helpers/private_module.ts";

const { isoTime } = await importPrivate<typeof import("../../src/packet/_iso_time.ts")>("packet/_iso_time");

function byDate(sec: number, nsec: number): string {
  return `${new Date(Math.floor(sec) * 1000).toISOString().slice(0, -5)}.${String(nsec).padStart(9, "0")}Z`;
}

test("isoTime() writes what Date writes, at the edges of days, years, eras and Date's range", () => {
  const edges = [
    0,
    -1,
    1,
    86399,
    86400,
    1_700_000_000,
    951_782_400, // 2000-02-29
    951_868_800, // 2000-03-01
    4_107_456_000, // 2100-02-28
    -2_208_988_800, // 1900-01-01
    253_402_300_799, // 9999-12-31T23:59:59
    253_402_300_800, // +010000-01-01
    -62_167_219_200, // 0000-01-01
    -62_167_219_201, // -000001-12-31T23:59:59
    8.64e12,
    -8.64e12,
  ];
  for (const sec of edges) {
    for (const nsec of [0, 7, 999_999_999]) assert.is(isoTime(sec, nsec), byDate(sec, nsec), `${sec} ${nsec}`);
  }
  assert.is(isoTime(1_700_000_000, 11_000), "2023-11-14T22:13:20.000011000Z");
});

test("isoTime() agrees with Date on 100,000 seconds across Date's whole range", () => {
  let state = 0x9e3779b9;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; i < 100_000; i++) {
    // Half across the whole range, half within a few centuries of now, where captures are.
    const sec = Math.floor(i % 2 === 0 ? (next() * 2 - 1) * 8.64e12 : next() * 2 ** 34 - 2 ** 33);
    const nsec = Math.floor(next() * 1e9);
    const got = isoTime(sec, nsec);
    if (got !== byDate(sec, nsec)) assert.is(got, byDate(sec, nsec), `${sec} ${nsec}`);
  }
});

test("isoTime() writes seconds beyond Date's range as plain seconds", () => {
  assert.is(isoTime(8.64e12 + 1, 5), "8640000000001.000000005");
  assert.is(isoTime(-1e15, 0), "-1000000000000000.000000000");
  assert.is(isoTime(Number.NaN, 0), "NaN.000000000");
});

test.run();
