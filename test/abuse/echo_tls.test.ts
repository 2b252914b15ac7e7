/**
 * `anynet echo-server --tls` under abuse from python3 peers: handshakes that stall or
 * never start, bytes that are not TLS, clients that leave after the server's first
 * flight, resets and a client that never reads after the handshake.
 */
import { test } from "uvu";
import {
  abuseSuite,
  assertAllClosed,
  echoProbe,
  type HeldResult,
  idleScenario,
  message,
  neverReadScenario,
  resetMidWriteScenario,
  resetScenario,
  runPeer,
} from "../_helpers/abuse.ts";
import { announceSkip } from "../_helpers/env.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

const openssl = hasOpenssl();
if (!openssl) announceSkip("openssl is not installed: no certificate for the TLS abuse scenarios");

if (openssl) {
  abuseSuite("echo-server --tls", () => {
    const pki = makeTestPki();
    return {
      name: "echo-server --tls",
      args: [
        "echo-server",
        "--port",
        "0",
        "--tls",
        "--cert",
        pki.certPath,
        "--key",
        pki.keyPath,
        "--idle-timeout",
        "1",
      ],
      probe: (port, timeoutMs) => echoProbe(port, timeoutMs, pki.caCert),
      cleanup: () => pki.cleanup(),
    };
  }, [
    resetScenario(500),
    resetMidWriteScenario({ tls: true }),
    neverReadScenario({ tls: true }),
    {
      title: "stalled handshakes: 40 clients send nothing, 40 half a ClientHello, 20 a record header promising " +
        "16 KiB that never come; --idle-timeout 1 closes them all",
      async run(server) {
        // Three kinds at once, each in its own peer: they are independent, and waiting
        // out the time limit once instead of three times keeps the file short.
        const kinds = [
          { label: "silent", peer: "tls-silent", options: { count: 40 } },
          { label: "half a ClientHello", peer: "tls-half-hello", options: { count: 40 } },
          { label: "record header only", peer: "tls-garbage", options: { count: 20, kind: "bogus-record" } },
        ];
        const withinS = 4;
        const peers = kinds.map((k) =>
          runPeer<HeldResult>(k.peer, server.port, { ...k.options, seconds: withinS + 0.5 })
        );
        try {
          await Promise.all(peers.map((p) => p.holding));
          await server.spec.probe(server.port).catch((error) => {
            throw new Error(`a normal TLS echo failed beside the stalled handshakes: ${message(error)}`);
          });
          const failures: string[] = [];
          for (const [i, peer] of peers.entries()) {
            try {
              assertAllClosed(await peer.result, withinS, kinds[i].label);
            } catch (error) {
              failures.push(message(error));
            }
          }
          if (failures.length) throw new Error(failures.join("\n"));
        } finally {
          for (const peer of peers) peer.stop();
          await Promise.all(peers.map((p) => p.result.catch(() => {})));
        }
      },
    },
    idleScenario("garbage instead of a ClientHello: 20 clients send random bytes; each is closed at once", {
      peer: "tls-garbage",
      count: 20,
      withinS: 3,
      peerOptions: { kind: "junk" },
    }),
    {
      title: "abort after ServerHello: 30 clients send a ClientHello, read the first answer, then reset",
      async run(server) {
        const r = await runPeer("tls-abort-after-hello", server.port, { count: 30 }).result;
        if (r.serverHellos !== 30) {
          throw new Error(
            `${r.serverHellos} of 30 handshakes got a ServerHello (${r.otherAnswers} other answers, ${r.failed} failed: ${
              r.failures[0]
            })`,
          );
        }
      },
    },
  ]);
}

test.run();
