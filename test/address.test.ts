import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatAddr } from "anynet/net";
import { formatEndpoint } from "anynet/tools";
import { importPrivate } from "./_helpers/private_module.ts";

const loading = importPrivate<typeof import("../src/_address.ts")>("_address");

test("bracketHost() puts an IPv6 address in brackets and leaves anything else alone", async () => {
  const { bracketHost } = await loading;
  assert.is(bracketHost("::1"), "[::1]");
  assert.is(bracketHost("fe80::1%eth0"), "[fe80::1%eth0]");
  assert.is(bracketHost("::ffff:127.0.0.1"), "[::ffff:127.0.0.1]");
  assert.is(bracketHost("127.0.0.1"), "127.0.0.1");
  assert.is(bracketHost("example.com"), "example.com");
});

test("formatAddr() and formatEndpoint() write HOST:PORT the same way", () => {
  assert.is(formatAddr({ hostname: "::1", port: 80 }), "[::1]:80");
  assert.is(formatAddr({ hostname: "10.0.0.1", port: 443 }), "10.0.0.1:443");
  assert.is(formatEndpoint("::1", 80), "[::1]:80");
  assert.is(formatEndpoint("10.0.0.1", 443), "10.0.0.1:443");
  // ss's way of saying "no port", kept by netstat.
  assert.is(formatEndpoint("::", 0), "[::]:*");
});

test.run();
