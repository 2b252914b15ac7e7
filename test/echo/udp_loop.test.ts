/**
 * The UDP echo server and datagrams that claim to come from the server itself: echoing
 * one would send it back to the server, which would echo it again, forever. Such a
 * datagram is forged with a raw socket (root only), from each spelling of "this server":
 * its bound address, a loopback address when it listens on all interfaces, the
 * IPv4-mapped form on a dual-stack socket, and another address of this machine.
 */
import { networkInterfaces } from "node:os";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type EchoEvent, serveUdpEcho, udpEcho } from "anynet/echo";
import { announceSkip } from "../_helpers/env.ts";
import { hasPython } from "../_helpers/http_python.ts";
import { isRoot, runPeer } from "../_helpers/net_peers.ts";
import { startEchoServer } from "../_helpers/net_process.ts";

const canForge = hasPython() && isRoot();
if (!canForge) {
  announceSkip(
    "forging a UDP source address needs python3 and root (a raw socket): the UDP self-loop tests are skipped",
  );
}

/** An IPv4 address of this machine that is not loopback, if it has one. */
function otherLocalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === "IPv4" && !info.internal) return info.address;
  }
  return undefined;
}

async function forge(src: string, sport: number, dst: string, dport: number): Promise<void> {
  const result = await runPeer("forge-udp", [src, sport, dst, dport]) as { sent?: number; error?: string };
  assert.is(result.error, undefined, `could not forge the datagram: ${result.error}`);
}

const cases: { host: string; from: string; to: string; seenAs: RegExp }[] = [
  { host: "127.0.0.1", from: "127.0.0.1", to: "127.0.0.1", seenAs: /127\.0\.0\.1/ },
  { host: "0.0.0.0", from: "127.0.0.1", to: "127.0.0.1", seenAs: /127\.0\.0\.1/ },
  { host: "0.0.0.0", from: "127.0.0.2", to: "127.0.0.1", seenAs: /127\.0\.0\.2/ },
  { host: "::", from: "127.0.0.1", to: "127.0.0.1", seenAs: /(::ffff:)?127\.0\.0\.1/ },
];
const local = otherLocalAddress();
if (local) cases.push({ host: "0.0.0.0", from: local, to: local, seenAs: new RegExp(local.replaceAll(".", "\\.")) });
else {announceSkip(
    "this machine has no non-loopback IPv4 address: that spelling of the server's own address is not tried",
  );}

for (const { host, from, to, seenAs } of cases) {
  (canForge ? test : test.skip)(
    `echo-server --udp --host ${host} drops a datagram from ${from} and its own port instead of echoing it to itself`,
    async () => {
      const { proc, port } = await startEchoServer(["--udp", "--host", host]);
      try {
        await forge(from, port, to, port);
        // A well-behaved client after it is still served, and the server is not busy echoing itself.
        assert.is(await udpEcho("after the forgery", { hostname: to, port, timeout: 10_000 }), "after the forgery");
        await new Promise((resolve) => setTimeout(resolve, 500));
        const log = proc.stderr();
        const own = new RegExp(`datagram from \\[?${seenAs.source}\\]?:${port} `);
        assert.not.match(log, own, `the forged datagram was echoed:\n${log.slice(0, 2000)}`);
        assert.match(
          log,
          new RegExp(
            `^dropped a datagram from \\[?${seenAs.source}\\]?:${port}: it comes from this server's own address`,
            "m",
          ),
        );
      } finally {
        const { code } = await proc.stop("SIGTERM", 10_000);
        assert.is(code, 0, `the server stops on SIGTERM\n${proc.stderr().slice(-2000)}`);
      }
    },
  );
}

(canForge ? test : test.skip)("serveUdpEcho() counts the datagrams it drops as its own and reports each", async () => {
  const events: EchoEvent[] = [];
  await using server = await serveUdpEcho({ hostname: "0.0.0.0", port: 0, onEvent: (e) => events.push(e) });
  const port = server.addr.port;
  await forge("127.0.0.1", port, "127.0.0.1", port);
  await forge("127.0.0.1", port, "127.0.0.1", port);
  assert.is(await udpEcho("served", { port, timeout: 10_000 }), "served");
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(server.droppedDatagrams, 2);
  const drops = events.filter((e) => e.type === "drop");
  assert.is(drops.length, 2);
  assert.equal(drops[0]!.remoteAddr, { hostname: "127.0.0.1", port });
  assert.is(events.filter((e) => e.type === "datagram" && e.remoteAddr.port === port).length, 0);
});

test.run();
