// The project scripts' command line (scripts/_args.ts): every script reads its flags through
// parseFlags, so a mistake gets the same kind of message from `npm test` and `npm run bench`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { numberFlag, parseFlags, UsageError } from "../../scripts/_args.ts";

const flags = {
  runtime: { type: "string", short: "r", multiple: true },
  jobs: { type: "string", short: "j" },
  render: { type: "string", takes: "the file of a --json report" },
  "no-build": { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
} as const;

function mistake(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError");
}

test("parseFlags() reads long, short, repeated and = forms", () => {
  const line = parseFlags(["--runtime", "node24,deno", "-r", "bun", "--jobs=3", "--no-build", "-v"], flags);
  assert.equal(line.flags, { runtime: ["node24,deno", "bun"], jobs: "3", "no-build": true, verbose: true });
  assert.equal(line.positionals, []);
  assert.equal(line.rest, []);
});

test("parseFlags() leaves out the flags not given", () => {
  assert.equal(parseFlags([], flags).flags, {});
});

test("parseFlags() takes the next argument as the value, even when it starts with a dash", () => {
  assert.equal(parseFlags(["--jobs", "-5"], flags).flags, { jobs: "-5" });
});

test("parseFlags() keeps positionals in order when the script takes them", () => {
  const line = parseFlags(["cli", "--verbose", "docs", "--", "--odd"], flags, { positionals: true });
  assert.equal(line.positionals, ["cli", "docs", "--odd"]);
  assert.equal(line.flags, { verbose: true });
});

test("parseFlags() keeps what follows -- apart with passThrough", () => {
  const line = parseFlags(["--jobs", "2", "--", "--json", "x"], flags, { passThrough: true });
  assert.equal(line.flags, { jobs: "2" });
  assert.equal(line.rest, ["--json", "x"]);
});

test("parseFlags() names an unknown flag as written", () => {
  assert.is(mistake(() => parseFlags(["--bogus"], flags)), "unknown flag '--bogus'");
  assert.is(mistake(() => parseFlags(["-x"], flags)), "unknown flag '-x'");
});

test("parseFlags() refuses an argument that is not a flag when the script takes none", () => {
  assert.is(mistake(() => parseFlags(["echo"], flags)), "unknown argument 'echo'");
  assert.is(mistake(() => parseFlags(["--", "echo"], flags)), "unknown argument 'echo'");
});

test("parseFlags() says what a flag without its value needs", () => {
  assert.is(mistake(() => parseFlags(["--jobs"], flags)), "--jobs needs a value");
  assert.is(mistake(() => parseFlags(["-r"], flags)), "-r needs a value");
  assert.is(mistake(() => parseFlags(["--render"], flags)), "--render needs the file of a --json report");
});

test("parseFlags() refuses a value given to a flag that takes none", () => {
  assert.is(mistake(() => parseFlags(["--no-build=yes"], flags)), "--no-build takes no value: got 'yes'");
});

test("numberFlag() gives the fallback when the flag is absent and the number when it is in range", () => {
  assert.is(numberFlag("--rounds", undefined, 3, { min: 1, max: 100, integer: true }), 3);
  assert.is(numberFlag("--rounds", "7", 3, { min: 1, max: 100, integer: true }), 7);
  assert.is(numberFlag("--warmup", "0.3", 1, { min: 0, max: 600 }), 0.3);
  assert.is(numberFlag("--packets", "2e6", 1, { min: 1, integer: true }), 2_000_000);
});

test("numberFlag() names the flag, the accepted range and the value it refuses", () => {
  const rounds = { min: 1, max: 100, integer: true };
  assert.is(
    mistake(() => numberFlag("--rounds", "1.5", 3, rounds)),
    "--rounds must be an integer from 1 to 100: got '1.5'",
  );
  assert.is(
    mistake(() => numberFlag("--rounds", "101", 3, rounds)),
    "--rounds must be an integer from 1 to 100: got '101'",
  );
  assert.is(mistake(() => numberFlag("--rounds", "", 3, rounds)), "--rounds must be an integer from 1 to 100: got ''");
  assert.is(
    mistake(() => numberFlag("--warmup", "soon", 1, { min: 0, max: 600 })),
    "--warmup must be a number from 0 to 600: got 'soon'",
  );
  assert.is(
    mistake(() => numberFlag("--packets", "0", 1, { min: 1, integer: true })),
    "--packets must be an integer of at least 1: got '0'",
  );
  assert.is(
    mistake(() => numberFlag("--seed", "Infinity", 1, { min: 0 })),
    "--seed must be a number of at least 0: got 'Infinity'",
  );
});

test.run();
