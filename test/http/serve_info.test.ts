// What serve() tells the handler besides the Request: the client's address, which some
// runtimes read only when the handler asks for it (Bun), must still be the connection's own.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, serve } from "anynet/http";
import { RawConnection } from "../_helpers/http_raw.ts";

let server: HttpServer;

test.before(async () => {
  server = await serve(async (_request, info) => {
    const first = info.remoteAddr;
    // After an await, as a handler that logs once its work is done reads it.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const again = info.remoteAddr;
    return Response.json({ first, same: again.hostname === first.hostname && again.port === first.port });
  }, { port: 0 });
});
test.after(() => server.close());

test("serve() gives the handler info.remoteAddr: the client's own address, the same on every read", async () => {
  const connection = await RawConnection.open(server.addr.port);
  try {
    const clientPort = connection.socket.localPort;
    const answers: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      connection.received = "";
      connection.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      answers.push(JSON.parse((await connection.response(5000)).body));
    }
    // Two requests on one keep-alive connection: both from the same address.
    const expected = { first: { hostname: "127.0.0.1", port: clientPort }, same: true };
    assert.equal(answers, [expected, expected]);
  } finally {
    connection.destroy();
  }
});

test.run();
