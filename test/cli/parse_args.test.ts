import { test } from "uvu";
import * as assert from "uvu/assert";
import { type CommandSpec, parseArgs, UsageError } from "anynet/cli";

const spec: CommandSpec = {
  name: "demo-cmd",
  summary: "a command for the tests",
  positionals: [{ name: "TARGET", description: "where to go" }],
  flags: [
    { name: "port", short: "p", type: "integer", description: "port", default: 65432, min: 0, max: 65535 },
    { name: "ratio", type: "number", description: "a ratio", min: 0 },
    { name: "udp", type: "boolean", description: "use UDP" },
    { name: "header", short: "H", type: "string", description: "a header", multiple: true },
    { name: "mode", type: "string", description: "mode", choices: ["fast", "slow"] },
  ],
  run: () => Promise.resolve(0),
};

function input(argv: string[]) {
  const parsed = parseArgs(spec, argv);
  if (parsed.help) throw new Error("unexpected help");
  return parsed.input;
}

function usageError(argv: string[]): string {
  try {
    parseArgs(spec, argv);
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
}

test("parseArgs() applies defaults and reads positionals", () => {
  const { flags, positionals } = input(["host"]);
  assert.is(flags.port, 65432);
  assert.is(flags.udp, undefined);
  assert.equal(positionals, ["host"]);
});

test("parseArgs() accepts --name value, --name=value and -x value", () => {
  assert.is(input(["--port", "80", "h"]).flags.port, 80);
  assert.is(input(["--port=81", "h"]).flags.port, 81);
  assert.is(input(["-p", "82", "h"]).flags.port, 82);
  assert.is(input(["-p83", "h"]).flags.port, 83);
});

test("parseArgs() collects a repeatable flag in order", () => {
  assert.equal(input(["-H", "A: 1", "--header", "B: 2", "h"]).flags.header, ["A: 1", "B: 2"]);
});

test("parseArgs() treats everything after -- as positional", () => {
  assert.equal(input(["--", "--port"]).positionals, ["--port"]);
});

test("parseArgs() reports help", () => {
  assert.equal(parseArgs(spec, ["--port", "1", "--help"]), { help: true });
});

test("parseArgs() rejects out-of-range and malformed integers, naming flag and value", () => {
  assert.is(usageError(["--port", "70000", "h"]), "--port must be an integer from 0 to 65535: got '70000'");
  assert.is(usageError(["--port", "0x10", "h"]), "--port must be an integer from 0 to 65535: got '0x10'");
  assert.is(usageError(["--port", "", "h"]), "--port must be an integer from 0 to 65535: got ''");
  assert.is(usageError(["--port", "1.5", "h"]), "--port must be an integer from 0 to 65535: got '1.5'");
});

test("parseArgs() accepts decimal numbers and rejects negative ones below min", () => {
  assert.is(input(["--ratio", "0.25", "h"]).flags.ratio, 0.25);
  assert.is(usageError(["--ratio", "-1", "h"]), "--ratio must be a number of at least 0: got '-1'");
  assert.is(usageError(["--ratio", "abc", "h"]), "--ratio must be a number of at least 0: got 'abc'");
});

test("parseArgs() checks choices", () => {
  assert.is(input(["--mode", "fast", "h"]).flags.mode, "fast");
  assert.is(usageError(["--mode", "medium", "h"]), "--mode must be one of fast, slow: got 'medium'");
});

test("parseArgs() reports missing values, unknown flags, repeats and argument counts", () => {
  assert.is(usageError(["h", "--port"]), "--port needs a value (PORT)");
  assert.is(usageError(["--nope", "h"]), "unknown flag '--nope'");
  assert.is(usageError(["-z", "h"]), "unknown flag '-z'");
  assert.is(usageError(["--port", "1", "--port", "2", "h"]), "--port was given more than once");
  assert.is(usageError([]), "missing argument TARGET (where to go)");
  assert.is(usageError(["a", "b"]), "unexpected argument 'b'");
  assert.is(usageError(["--udp=1", "h"]), "--udp takes no value: got '1'");
});

test.run();
