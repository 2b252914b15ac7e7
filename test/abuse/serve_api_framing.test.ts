/**
 * `anynet serve-api` (serve() underneath) against requests framed to confuse it:
 * oversized heads, pipelined requests, and smuggling-shaped requests whose body hides a
 * second request. A head too large must be refused with a 4xx status; pipelined
 * requests answered in order; an ambiguous request refused (400) or read one
 * consistent way: the hidden request is never answered, nothing is left half-parsed.
 */
import { test } from "uvu";
import { type AbuseScenario, abuseSuite, httpProbe, type ResponsesResult, runPeer } from "../_helpers/abuse.ts";

function bigRequest(
  kind: string,
  describe: string,
  allowed: number[],
  options: Record<string, unknown> = {},
): AbuseScenario {
  return {
    title: `oversized head: ${describe}; refused with ${allowed.join(" or ")}`,
    async run(server) {
      const r = await runPeer("big-request", server.port, { kind, ...options }).result;
      const answer = r.statuses.length ? `answered ${r.statuses.join(", ")}` : "no status line";
      const ending = r.eof
        ? "then closed"
        : r.reset
        ? "then reset"
        : r.timedOut
        ? `still open after ${r.seconds} s`
        : "";
      if (!allowed.includes(r.statuses[0]) || r.timedOut) {
        throw new Error(
          `${answer}, ${ending} (${r.sent} of ${r.headBytes} bytes sent${r.garbage ? `; ${r.garbage}` : ""})`,
        );
      }
    },
  };
}

function describeResponses(r: ResponsesResult): string {
  const list = r.responses.map((x) =>
    `${x.status}${x.json?.id !== undefined ? ` id ${x.json.id}` : ""}${
      x.json?.username ? ` user ${x.json.username}` : ""
    }`
  );
  const end = r.eof ? "EOF" : r.reset ? "reset" : r.timedOut ? "still open (timed out)" : "?";
  return `[${list.join(", ")}] then ${end}${r.garbage ? `; ${r.garbage}` : ""}`;
}

/**
 * A smuggling-shaped POST to /users/1 (405 when its framing is read one consistent
 * way) followed by `GET /posts/3` with `Connection: close`. `mustRefuse`: RFC 9112
 * requires 400 for this framing error. `mustClose`: it requires closing the connection
 * after answering. A 400 must end the connection too: past a framing error the server
 * no longer knows where the next request starts.
 */
function smuggling(
  variant: string,
  describe: string,
  rule: { mustRefuse?: boolean; mustClose?: boolean },
): AbuseScenario {
  return {
    title: `smuggling-shaped request (${variant}): ${describe}`,
    async run(server) {
      const r = await runPeer<ResponsesResult & { hiddenAnswered: boolean }>("smuggle", server.port, { variant })
        .result;
      const problems: string[] = [];
      if (r.hiddenAnswered) problems.push("the request hidden in the body was answered (desync)");
      if (r.garbage) problems.push(`unparseable bytes: ${r.garbage}`);
      if (r.timedOut) problems.push("the server neither answered everything nor closed within 6 s");
      if (r.responses.length === 0) problems.push("no response at all");
      if (rule.mustRefuse && r.responses[0]?.status !== 400) problems.push("the request was not refused with 400");
      if ((rule.mustClose || r.responses[0]?.status === 400) && r.responses.length > 1) {
        problems.push("the connection was not closed after the answer to the ambiguous request");
      }
      if (!r.eof && !r.reset && !r.timedOut) problems.push("the connection did not end");
      if (problems.length) throw new Error(`${problems.join("; ")}: ${describeResponses(r)}`);
    },
  };
}

abuseSuite("serve-api", () => ({ name: "serve-api", args: ["serve-api", "--port", "0"], probe: httpProbe }), [
  bigRequest("header", "one header of 1 MiB", [431, 400]),
  bigRequest("many-headers", "20000 headers", [431, 400], { count: 20000 }),
  bigRequest("request-line", "a request line of 1 MiB", [414, 431, 400]),
  {
    title: "pipelined: four GETs in one write are answered in order",
    async run(server) {
      const r = await runPeer<ResponsesResult>("pipelined", server.port, {
        paths: ["/posts/1", "/posts/2", "/posts/3", "/users/2"],
      }).result;
      const got = r.responses.map((x) => `${x.status}:${x.json?.id}`).join(" ");
      if (got !== "200:1 200:2 200:3 200:2" || r.garbage || !r.eof) {
        throw new Error(`expected 200:1 200:2 200:3 200:2 then EOF; got ${describeResponses(r)}`);
      }
    },
  },
  smuggling("cl-te", "Content-Length and Transfer-Encoding: chunked", { mustClose: true }),
  smuggling("te-cl", "Transfer-Encoding: chunked before Content-Length", { mustClose: true }),
  smuggling("dup-cl", "two different Content-Length headers", { mustRefuse: true }),
  smuggling("obs-fold", "Transfer-Encoding folded into the previous header (obs-fold)", {}),
  smuggling("bare-lf", "a header line ended by a bare LF, then Transfer-Encoding", {}),
  smuggling("space-before-colon", "'Transfer-Encoding : chunked' (space before the colon)", { mustRefuse: true }),
  smuggling("te-not-final-chunked", "Transfer-Encoding: chunked, identity (chunked not last)", { mustRefuse: true }),
]);

test.run();
