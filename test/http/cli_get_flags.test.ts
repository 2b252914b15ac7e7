import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand, runCli, runCommand } from "../_helpers/cli.ts";
import { announceSkip } from "../_helpers/env.ts";
import { rawServer } from "../_helpers/http_servers.ts";

// The flags of `anynet get/post/…` that show and save what went over the wire: -i, -v,
// -o, --data @FILE / @-, --retry-on-timeout. Independent runs go in parallel: each is a
// process start on the runtime under test.

const BODY = "x".repeat(200_000);
const dir = mkdtempSync(join(tmpdir(), "anynet-get-flags-"));
/** Requests seen per path: a /stall-once… path leaves its first request unanswered. */
const counts = new Map<string, number>();

const server = await rawServer((req, res) => {
  const url = new URL(req.url!, "http://x");
  const count = (counts.get(url.pathname) ?? 0) + 1;
  counts.set(url.pathname, count);
  if (url.pathname.startsWith("/stall-once") && count === 1) return; // never answered
  if (url.pathname === "/echo") {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ got: JSON.parse(body), type: req.headers["content-type"] }));
    });
    return;
  }
  res.writeHead(200, { "content-type": "text/plain", "content-length": String(BODY.length), "x-test": "yes" });
  res.end(BODY);
});

test("get -i prints the status line and headers before the body; -v the request, response and timings on stderr", async () => {
  const run = await runCli(["get", `${server.url}/text`, "-i", "-v", "-H", "X-API-Key: s3cret"]);
  assert.is(run.code, 0, run.stderr);
  const [head, body] = run.stdout.split("\n\n", 2);
  assert.match(head, /^HTTP 200 OK\n/);
  assert.match(head, /\ncontent-length: 200000(\n|$)/);
  assert.match(head, /\nx-test: yes(\n|$)/);
  assert.is(body, BODY);
  const err = run.stderr;
  assert.match(err, new RegExp(`^> GET ${server.url}/text\n> host: ${new URL(server.url).host}\n`));
  assert.match(err, /\n> user-agent: anynet\/\d+\.\d+\.\d+ \((node|deno|bun) [^)]+\)\n/);
  assert.match(err, /\n> x-api-key: \(hidden\)\n/);
  assert.not.match(err, /s3cret/);
  assert.match(
    err,
    /\n>\n\* the runtime adds its own defaults too \(accept, accept-encoding, connection\)\n< HTTP 200 OK\n(< .*\n)*<\n/,
  );
  assert.match(err, /\n\* timings after the start at \d{4}-.*: dns .*, first byte \d+\.\d ms, end \d+\.\d ms\n$/);
});

test("post --data @FILE and @- send the JSON read from a file or standard input; mistakes name the source", async () => {
  const file = join(dir, "post.json");
  writeFileSync(file, '{"from": "file"}');
  writeFileSync(join(dir, "bad.json"), "{nope");
  const [fromFile, fromStdin, missing, bad, empty] = await Promise.all([
    runCli(["post", `${server.url}/echo`, "--data", `@${file}`]),
    runCli(["put", `${server.url}/echo`, "--data", "@-"], { input: '{"from": "stdin"}' }),
    runCli(["post", `${server.url}/echo`, "--data", `@${join(dir, "missing.json")}`]),
    runCli(["patch", `${server.url}/echo`, "--data", `@${join(dir, "bad.json")}`]),
    runCli(["post", `${server.url}/echo`, "--data", "@"]),
  ]);
  assert.is(fromFile.code, 0, fromFile.stderr);
  assert.equal(JSON.parse(fromFile.stdout), { got: { from: "file" }, type: "application/json" });
  assert.is(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(JSON.parse(fromStdin.stdout).got, { from: "stdin" });
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^anynet post: cannot read --data file '.*missing\.json': no such file\n$/);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^anynet patch: --data file '.*bad\.json' must be JSON: .*: got '\{nope'\n$/);
  assert.is(empty.code, 2);
  assert.match(empty.stderr, /--data @FILE needs a file name after '@'/);
});

test("get --retry-on-timeout retries an attempt that timed out; without it, none is retried", async () => {
  const flags = ["--timeout", "0.2", "--retries", "1"];
  const [retried, plain] = await Promise.all([
    runCli(["get", `${server.url}/stall-once-a`, ...flags, "--retry-on-timeout"]),
    runCli(["get", `${server.url}/stall-once-b`, ...flags]),
  ]);
  assert.is(retried.code, 0, retried.stderr);
  assert.is(retried.stdout, BODY);
  assert.match(retried.stderr, /^anynet get: retry 1\/1 in \d+ ms after: GET .* timed out after 200 ms/);
  assert.is(counts.get("/stall-once-a"), 2);
  assert.is(plain.code, 1);
  assert.match(plain.stderr, /^anynet get: GET .*\/stall-once-b timed out after 200 ms/);
  assert.is(counts.get("/stall-once-b"), 1);
});

test("get -o FILE writes the body, with no progress bar off a terminal; an unwritable FILE is one line", async () => {
  const out = join(dir, "body.txt");
  const [saved, noFolder, noName] = await Promise.all([
    runCli(["get", `${server.url}/text`, "-o", out]),
    runCli(["get", `${server.url}/text`, "-o", join(dir, "missing", "body.txt")]),
    runCli(["get", `${server.url}/text`, "-o", ""]),
  ]);
  assert.is(saved.code, 0, saved.stderr);
  assert.is(saved.stdout, "");
  assert.is(saved.stderr, "");
  assert.is(readFileSync(out, "utf8"), BODY);
  assert.is(noFolder.code, 1);
  assert.match(noFolder.stderr, /^anynet get: cannot write --output .*missing\/body\.txt: no such folder\n$/);
  assert.is(noName.code, 2);
  assert.match(noName.stderr, /^anynet get: -o needs a file name/);
});

test("get -o FILE draws a progress bar on stderr when it is a terminal", async () => {
  const out = join(dir, "tty.txt");
  const [command, prefix] = cliCommand();
  // script(1) gives the CLI a terminal for its standard streams and copies what it prints.
  const line = [command, ...prefix, "get", `${server.url}/text`, "-o", out].map((arg) => `'${arg}'`).join(" ");
  let run;
  try {
    run = await runCommand("script", ["-qec", line, "/dev/null"]);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
    announceSkip("script(1) is not installed");
    return;
  }
  assert.is(run.code, 0, run.stdout);
  assert.match(run.stdout, /\[#{25}\] 100% of 195 KiB/);
  assert.is(readFileSync(out, "utf8"), BODY);
});

test.after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
test.run();
