// TLS echo, server and client in one program: a throwaway CA and server certificate made
// in memory for the run (no openssl, no files), a TLS echo server that uses them, and a
// client that trusts only that CA and checks the server's certificate and name.
//
//   node examples/tls_echo.mjs [MESSAGE]
//   bun examples/tls_echo.mjs [MESSAGE]
//   deno run --allow-net=127.0.0.1 examples/tls_echo.mjs [MESSAGE]
import process from "node:process";
import { describeAddr, echo, serveEcho } from "anynet/echo";
import { createCertificates } from "anynet/tools";

const message = process.argv.slice(2).join(" ") || "Hello, Network World!";

const { caCert, cert, key } = await createCertificates({ hostnames: ["127.0.0.1", "localhost"] });
const server = await serveEcho({ hostname: "127.0.0.1", port: 0, tls: { cert, key } });
console.log(`TLS echo server listening on ${describeAddr(server.addr)}`);
try {
  // Verification is always on: the client would refuse a certificate its CAs did not sign.
  const received = await echo(message, {
    hostname: "127.0.0.1",
    port: server.addr.port,
    tls: { caCerts: [caCert] },
    timeout: 5000,
  });
  console.log(`Sent: ${message}`);
  console.log(`Received: ${received}`);
  process.exitCode = received === message ? 0 : 1;
} catch (error) {
  console.error(`tls_echo: ${error.code ?? "error"}: ${error.message}`);
  process.exitCode = 1;
} finally {
  await server.close();
}
