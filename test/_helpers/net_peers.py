"""Misbehaving and recording network peers for the socket and echo-server tests.

python3 net_peers.py COMMAND ARGS...; each command prints one line of JSON on stdout.

  reset PORT N              N clients that connect and reset at once (SO_LINGER 0)
  tls-reject PORT N CAFILE  N TLS clients that reject the server's certificate name
                            (they verify it for "wrong.example") and abort the handshake
  tls-abandon PORT N MODE   N clients that start a TLS handshake and give up: MODE "fin"
                            closes before sending anything, "partial-fin" sends half a
                            ClientHello then closes, "partial-reset" sends half then resets
  tls-stall PORT N HOLD     N clients that send half a ClientHello and wait HOLD seconds;
                            reports how many the server closed by then and when
  refused PORT N SEND       N clients, each reads what a full server does with it
                            ("eof", "reset", "data", "timeout"); with SEND=1 each sends first
  forge-udp SRC SPORT DST DPORT
                            one UDP datagram to DST:DPORT claiming to come from SRC:SPORT
                            (a raw socket: needs root; prints {"error": ...} otherwise)
  sni-server CERT KEY       a TLS server on 127.0.0.1 that prints {"port": N} once, then one
                            {"sni": NAME or null} line per client hello
"""
import json
import select
import socket
import ssl
import sys
import time

from peer_common import forged_udp_packet, raw_ipv4_socket, rst_close

# A TLS 1.2 record header and the start of a ClientHello that announces 508 more bytes:
# the server waits for the rest.
PARTIAL_CLIENT_HELLO = bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])


def say(value):
    print(json.dumps(value), flush=True)


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=20)


def cmd_reset(port, n):
    for _ in range(int(n)):
        rst_close(connect(int(port)))
    say({"sent": int(n)})


def cmd_tls_reject(port, n, cafile):
    outcomes = {}
    for _ in range(int(n)):
        context = ssl.create_default_context(cafile=cafile)
        try:
            with connect(int(port)) as raw:
                with context.wrap_socket(raw, server_hostname="wrong.example"):
                    outcome = "accepted"
        except ssl.SSLCertVerificationError:
            outcome = "rejected"
        except OSError as error:
            outcome = type(error).__name__
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    say(outcomes)


def cmd_tls_abandon(port, n, mode):
    for _ in range(int(n)):
        sock = connect(int(port))
        if mode != "fin":
            sock.sendall(PARTIAL_CLIENT_HELLO)
        if mode == "partial-reset":
            rst_close(sock)
        else:
            sock.close()
    say({"sent": int(n)})


def cmd_tls_stall(port, n, hold):
    socks = []
    for _ in range(int(n)):
        sock = connect(int(port))
        sock.sendall(PARTIAL_CLIENT_HELLO)
        socks.append(sock)
    started = time.monotonic()
    open_socks = {sock: None for sock in socks}
    closed_after = []
    while open_socks and time.monotonic() - started < float(hold):
        ready, _, _ = select.select(list(open_socks), [], [], 0.1)
        for sock in ready:
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:  # end of stream or reset: the server let go
                closed_after.append(round(time.monotonic() - started, 2))
                del open_socks[sock]
    for sock in socks:
        sock.close()
    say({"closed": len(closed_after), "open": len(open_socks), "latest": max(closed_after, default=None)})


def cmd_refused(port, n, send):
    outcomes = []
    for _ in range(int(n)):
        sock = connect(int(port))
        if send == "1":
            sock.sendall(b"hello")
        sock.settimeout(10)
        try:
            outcomes.append("eof" if sock.recv(100) == b"" else "data")
        except ConnectionResetError:
            outcomes.append("reset")
        except socket.timeout:
            outcomes.append("timeout")
        sock.close()
    say(outcomes)


def cmd_forge_udp(src, sport, dst, dport):
    try:
        raw = raw_ipv4_socket()
    except PermissionError as error:
        say({"error": f"no raw socket: {error}"})
        return
    raw.sendto(forged_udp_packet(src, int(sport), dst, int(dport), b"who am I talking to?"), (dst, 0))
    raw.close()
    say({"sent": 1})


def cmd_sni_server(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _context: say({"sni": name})
    server = socket.create_server(("127.0.0.1", 0))
    say({"port": server.getsockname()[1]})
    while True:
        client, _ = server.accept()
        try:
            with context.wrap_socket(client, server_side=True) as tls:
                data = tls.recv(100)
                if data:
                    tls.sendall(data)
        except (ssl.SSLError, OSError):
            pass


COMMANDS = {
    "reset": cmd_reset,
    "tls-reject": cmd_tls_reject,
    "tls-abandon": cmd_tls_abandon,
    "tls-stall": cmd_tls_stall,
    "refused": cmd_refused,
    "forge-udp": cmd_forge_udp,
    "sni-server": cmd_sni_server,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
