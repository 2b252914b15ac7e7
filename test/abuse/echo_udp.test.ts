/**
 * `anynet echo-server --udp` under abuse from python3 peers: the largest datagrams,
 * floods from many ports, and datagrams with a forged source (the server's own address,
 * port 0), sent through a raw socket when the tests run as root.
 */
import { test } from "uvu";
import { type AbuseServer, abuseSuite, isRoot, runPeer, udpProbe } from "../_helpers/abuse.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const needsRoot = isRoot
  ? undefined
  : "forging a source address needs a raw socket, and these tests do not run as root";

/** Log lines about datagrams from `source` the server printed since line `from`. */
function datagramsFrom(server: AbuseServer, source: string, from: number): number {
  return server.stderrLines().slice(from).filter((line) => line.includes(`from ${source} `)).length;
}

abuseSuite("echo-server --udp", () => ({
  name: "echo-server --udp",
  args: ["echo-server", "--port", "0", "--udp"],
  probe: udpProbe,
}), [
  {
    title: "oversized datagrams: 65507 (the IPv4 maximum), 65000, 9000 and 1473 bytes; none echoed cut short",
    async run(server) {
      const r = await runPeer("udp-oversized", server.port).result;
      const cut = (r.echoed as number[]).filter((size) => !(r.sent as number[]).includes(size));
      if (cut.length) throw new Error(`echoes of sizes nobody sent (cut short?): ${cut.join(", ")}; sent ${r.sent}`);
      console.log(`abuse: echo-server --udp echoed sizes ${r.echoed.join(", ") || "none"} of ${r.sent.join(", ")}`);
    },
  },
  {
    title: "flood: 20000 datagrams of 1000 bytes from 64 ports that never read the echoes",
    async run(server) {
      const r = await runPeer("udp-flood", server.port, { datagrams: 20000, sockets: 64, size: 1000 }).result;
      if (r.sent < 1000) throw new Error(`the flood could only send ${r.sent} datagrams`);
    },
  },
  {
    title: "a datagram forged from the server's own address does not start an echo loop",
    skip: needsRoot,
    async run(server) {
      const from = server.stderrLines().length;
      const r = await runPeer("udp-spoof", server.port, { srcPort: server.port, payload: "loop?" }).result;
      if (r.unavailable) throw new Error(`the raw socket could not be opened as root: ${r.unavailable}`);
      await sleep(1500);
      const seen = datagramsFrom(server, `127.0.0.1:${server.port}`, from);
      if (seen > 1) throw new Error(`the server echoed to itself: ${seen} datagrams from its own address in 1.5 s`);
    },
  },
  {
    title: "a datagram forged from port 0 (an echo no one can receive) leaves the server up",
    skip: needsRoot,
    async run(server) {
      const r = await runPeer("udp-spoof", server.port, { srcPort: 0, count: 3 }).result;
      if (r.unavailable) throw new Error(`the raw socket could not be opened as root: ${r.unavailable}`);
      await sleep(500);
    },
  },
]);

test.run();
