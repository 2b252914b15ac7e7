// Capture statistics: read a pcap or pcapng file, list its first packets and sum it up
// (protocols, conversations), decoded in WebAssembly.
//
//   node examples/capture_stats.mjs [FILE]
//   bun examples/capture_stats.mjs [FILE]
//   deno run --allow-read examples/capture_stats.mjs [FILE]
//
// FILE defaults to examples/echo.pcap, shipped here: the traffic of one TCP and one UDP
// echo of "Hello, Network World!" on 127.0.0.1, as `anynet demo` writes it.
import process from "node:process";
import { fileURLToPath } from "node:url";
import { captureStats, openCapture } from "anynet/packet";

const file = process.argv[2] ?? fileURLToPath(new URL("./echo.pcap", import.meta.url));

try {
  let shown = 0;
  for await (const batch of openCapture(file)) {
    for (const packet of batch) {
      if (shown++ >= 5) break;
      const l4 = packet.tcp ?? packet.udp;
      const proto = packet.tcp ? "TCP" : packet.udp ? "UDP" : packet.ip ? `proto ${packet.ip.proto}` : packet.link;
      console.log(
        `#${packet.n} ${packet.ip?.src ?? "?"}:${l4?.sport ?? "-"} > ${packet.ip?.dst ?? "?"}:${
          l4?.dport ?? "-"
        } ${proto} ${packet.len} bytes`,
      );
    }
    if (shown >= 5) break;
  }

  const stats = await captureStats(file);
  console.log(`packets: ${stats.packets}, bytes: ${stats.bytes}, from ${stats.first} to ${stats.last}`);
  const protocols = Object.entries(stats.protocols).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`);
  console.log(`protocols: ${protocols.join(", ")}`);
  console.log(`flows: ${stats.flows}`);
  for (const flow of stats.topFlows) {
    console.log(`  ${flow.a} <-> ${flow.b} (protocol ${flow.proto}): ${flow.packets} packets, ${flow.bytes} bytes`);
  }
  if (stats.errors > 0) console.log(`packets with errors: ${stats.errors}`);
} catch (error) {
  console.error(`capture_stats: ${file}: ${error.message}`);
  process.exitCode = 1;
}
