#!/usr/bin/env python3
"""Misbehaving peers for the abuse tests: one scenario per run, standard library only.

Usage: abuse_peer.py SCENARIO HOST PORT [OPTIONS-JSON]

The peer reports what it saw, never whether that is right: the tests judge. It prints
JSON lines on standard output:
  {"event": "holding", ...}  once the abuse is in place and the test may check the
                             server beside it (scenarios that hold connections);
  {"result": {...}}          last, what happened;
  {"error": "..."}           last, instead, when the peer itself could not do its part.
A scenario that holds connections stops early when standard input closes, so the test
decides how long the abuse lasts; otherwise it ends at its own deadline.
"""

import json
import os
import random
import select
import socket
import ssl
import sys
import time

# Run with -I (isolated), which leaves this script's folder off the import path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import forged_udp_packet, raw_ipv4_socket, rst_close  # noqa: E402

CHUNK = 64 * 1024


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def pattern(size, seed=0):
    """Bytes that differ from position to position, so that a shifted echo shows."""
    block = bytes((i * 7 + seed) % 251 for i in range(251 * 16))
    return (block * (size // len(block) + 1))[:size]


class StdinWatch:
    """Tells when the test closed our standard input: the signal to stop holding."""

    def __init__(self):
        self.fd = sys.stdin.fileno()
        self.closed = False

    def poll(self):
        if not self.closed:
            readable, _, _ = select.select([self.fd], [], [], 0)
            if readable and not os.read(self.fd, 4096):
                self.closed = True
        return self.closed


def open_tcp(host, port, timeout=5.0, rcvbuf=None):
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        # Before connect: the window the server may fill is set at the handshake.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect((host, port))
    return sock


def tls_context():
    ctx = ssl.create_default_context()
    # The abuse is aimed at the server; who it is does not matter here.
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def client_hello():
    """The bytes of a real TLS ClientHello, made by the ssl module without a socket."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = tls_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def describe(error):
    return f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------- HTTP parsing


def parse_response(buf):
    """One HTTP/1.1 response from the start of buf: (response, bytes used), None when
    incomplete, or raises ValueError when the bytes are not a response at all."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > 65536:
            raise ValueError("no end of the response head in 64 KiB")
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ValueError(f"not a status line: {head[0][:80]!r}")
    status = int(parts[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    at = end + 4
    body = b""
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        while True:
            line_end = buf.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(buf[at:line_end].split(b";")[0], 16)
            at = line_end + 2
            if size == 0:
                trailer_end = buf.find(b"\r\n\r\n", at - 2)
                if trailer_end < 0:
                    return None
                at = trailer_end + 4
                break
            if len(buf) < at + size + 2:
                return None
            body += buf[at:at + size]
            at += size + 2
    elif "content-length" in headers:
        length = int(headers["content-length"][0])
        if len(buf) < at + length:
            return None
        body = buf[at:at + length]
        at += length
    elif status >= 200 and status not in (204, 304):
        # Delimited by the end of the connection: complete only at EOF (handled by caller).
        return None
    return {"status": status, "headers": headers, "body": body}, at


def read_responses(sock, deadline):
    """Reads until EOF, reset or deadline and parses every response in order."""
    buf = b""
    eof = reset = timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        sock.settimeout(left)
        try:
            data = sock.recv(CHUNK)
        except socket.timeout:
            timed_out = True
            break
        except ConnectionResetError:
            reset = True
            break
        if not data:
            eof = True
            break
        buf += data
    responses = []
    garbage = None
    while buf:
        try:
            parsed = parse_response(buf)
        except ValueError as error:
            garbage = f"{error} (at response {len(responses) + 1})"
            break
        if parsed is None:
            if (eof or reset) and buf.find(b"\r\n\r\n") >= 0:
                # Delimited by the end of the connection (or cut by a reset): the status counts.
                head, _, body = buf.partition(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                responses.append(summarise({"status": status, "headers": {}, "body": body}))
                buf = b""
            else:
                garbage = f"incomplete response ({len(buf)} bytes) after {len(responses)} complete"
            break
        response, used = parsed
        responses.append(summarise(response))
        buf = buf[used:]
    return {"responses": responses, "eof": eof, "reset": reset, "timedOut": timed_out, "garbage": garbage}


def summarise(response):
    body = response["body"]
    text = body[:200].decode("utf-8", "replace")
    summary = {"status": response["status"], "bodyBytes": len(body), "body": text}
    try:
        value = json.loads(body)
        if isinstance(value, dict):
            summary["json"] = {k: value[k] for k in ("id", "username", "error") if k in value}
        elif isinstance(value, list):
            summary["jsonItems"] = len(value)
    except ValueError:
        pass
    return summary


def http_request(method, path, headers=(), body=b"", close=False):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + list(headers)
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# ------------------------------------------------------------- holding connections


def watch_closures(socks, started, deadline, stdin, drip=None, interval=None, record=None):
    """Watches held connections until the server has closed them all, the deadline, or
    the test closes our stdin. With drip, sends each connection its next byte every
    interval seconds (a slow client). Returns when each was closed and how."""
    alive = {s.fileno(): s for s in socks}
    for s in socks:
        s.setblocking(False)
    closed = []  # (seconds after started, how)
    statuses = []
    received = {fd: b"" for fd in alive}
    next_drip = time.monotonic()
    dripped = 0
    while alive and time.monotonic() < deadline and not stdin.poll():
        wait = min(0.05, max(0.0, deadline - time.monotonic()))
        readable, _, _ = select.select(list(alive), [], [], wait)
        for fd in readable:
            sock = alive[fd]
            how = None
            try:
                data = sock.recv(CHUNK)
                if data:
                    received[fd] += data
                    if record is not None:
                        record(fd, data)
                    continue
                how = "eof"
            except ConnectionResetError:
                how = "reset"
            except BlockingIOError:
                continue
            except OSError as error:
                how = describe(error)
            closed.append((time.monotonic() - started, how))
            del alive[fd]
            sock.close()
        if drip is not None and time.monotonic() >= next_drip:
            next_drip += interval
            for fd, sock in list(alive.items()):
                try:
                    sock.send(drip(dripped))
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as error:
                    closed.append((time.monotonic() - started, "send: " + describe(error)))
                    del alive[fd]
                    sock.close()
            dripped += 1
    for data in received.values():
        if data.startswith(b"HTTP/"):
            statuses.append(int(data.split(b" ", 2)[1]))
        elif data:
            statuses.append(f"{len(data)} bytes: {data[:16].hex()}")
    for sock in alive.values():
        sock.close()
    times = [t for t, _ in closed]
    kinds = {}
    for _, how in closed:
        kinds[how] = kinds.get(how, 0) + 1
    return {
        "closedByServer": len(closed),
        "stillOpen": len(alive),
        "firstClose": round(min(times), 3) if times else None,
        "lastClose": round(max(times), 3) if times else None,
        "how": kinds,
        "received": statuses,
        "stoppedByTest": stdin.closed,
        "dripped": dripped,
    }


def open_many(host, port, count, first=b"", tls_hello=False):
    socks, failures = [], []
    if tls_hello:
        hello = client_hello()
        first = hello[:len(hello) // 2]
    for _ in range(count):
        try:
            sock = open_tcp(host, port, timeout=5)
            if first:
                sock.sendall(first)
            socks.append(sock)
        except OSError as error:
            failures.append(describe(error))
    return socks, failures


def held_scenario(host, port, opts, stdin, first=b"", drip=None, tls_hello=False):
    count = opts.get("count", 20)
    socks, failures = open_many(host, port, count, first=first, tls_hello=tls_hello)
    started = time.monotonic()
    emit({"event": "holding", "opened": len(socks), "failed": len(failures)})
    deadline = started + opts.get("seconds", 8)
    interval = opts.get("intervalMs", 100) / 1000
    result = watch_closures(socks, started, deadline, stdin, drip=drip, interval=interval)
    result.update({"opened": len(socks), "openFailures": failures[:3], "openFailed": len(failures)})
    return result


def idle(host, port, opts, stdin):
    """Connections that send nothing (or opts.first, then nothing)."""
    return held_scenario(host, port, opts, stdin, first=opts.get("first", "").encode())


def idle_keepalive(host, port, opts, stdin):
    """HTTP connections that make one request, read the answer, then say nothing more."""
    count = opts.get("count", 20)
    socks, failures = [], []
    for _ in range(count):
        try:
            sock = open_tcp(host, port)
            sock.sendall(http_request("GET", opts.get("path", "/posts/1")))
            buf = b""
            while parse_response(buf) is None:
                data = sock.recv(CHUNK)
                if not data:
                    raise ConnectionError("closed before the first answer")
                buf += data
            socks.append(sock)
        except (OSError, ValueError) as error:
            failures.append(describe(error))
    started = time.monotonic()
    emit({"event": "holding", "opened": len(socks), "failed": len(failures)})
    result = watch_closures(socks, started, started + opts.get("seconds", 8), stdin)
    result.update({"opened": len(socks), "openFailures": failures[:3], "openFailed": len(failures)})
    return result


def slow_headers(host, port, opts, stdin):
    """Slowloris: a request head that never ends, one byte every intervalMs."""
    endless = b"".join(b"X-Slow-%d: %d\r\n" % (i, i) for i in range(2000))
    return held_scenario(host, port, opts, stdin, first=b"GET /posts HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                         drip=lambda i: endless[i:i + 1])


def slow_body(host, port, opts, stdin):
    """A complete head announcing a body that then comes one byte every intervalMs."""
    head = http_request("POST", "/posts", ["Content-Type: application/json", "Content-Length: 100000"])
    return held_scenario(host, port, opts, stdin, first=head + b"{", drip=lambda i: b" ")


def tls_silent(host, port, opts, stdin):
    """TCP connections to a TLS port that never start the handshake."""
    return held_scenario(host, port, opts, stdin)


def tls_half_hello(host, port, opts, stdin):
    """TLS handshakes that stop halfway through the ClientHello."""
    return held_scenario(host, port, opts, stdin, tls_hello=True)


# --------------------------------------------------------------- stream abuse


def reset(host, port, opts, stdin):
    """Connect, optionally send a little, then close with a reset."""
    done, failures = 0, []
    first = opts.get("first", "").encode()
    for _ in range(opts.get("count", 20)):
        try:
            sock = open_tcp(host, port)
            if first:
                sock.sendall(first)
            rst_close(sock)
            done += 1
        except OSError as error:
            failures.append(describe(error))
    return {"resets": done, "failures": failures[:3], "failed": len(failures)}


def reset_mid_write(host, port, opts, stdin):
    """Start a large write (an echo stream, or a request body) and reset in the middle."""
    done, sent_total, failures, server_first = 0, 0, [], 0
    head = opts.get("head", "").encode()
    size = opts.get("bytes", 4 * 1024 * 1024)
    data = pattern(size)
    for i in range(opts.get("count", 5)):
        try:
            sock = open_tcp(host, port, rcvbuf=4096)
            if opts.get("tls"):
                sock = tls_context().wrap_socket(sock, server_hostname="localhost")
            sock.setblocking(False)
            payload = head + data
            sent = 0
            stop_at = time.monotonic() + 1.0
            # Send until the server's window is full (or half the data is out), then reset.
            while sent < len(payload) // 2 and time.monotonic() < stop_at:
                try:
                    sent += sock.send(payload[sent:sent + CHUNK])
                except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                    select.select([], [sock], [], 0.05)
                except (BrokenPipeError, ConnectionResetError):
                    # The server ended the connection first (a body over its limit gets
                    # 413 and a close): the write was cut short all the same.
                    server_first += 1
                    break
            sent_total += sent
            # No close_notify on TLS either: the point is the abrupt end.
            rst_close(sock)
            done += 1
        except OSError as error:
            failures.append(describe(error))
    return {"resets": done, "bytesSent": sent_total, "closedByServerFirst": server_first, "failures": failures[:3],
            "failed": len(failures)}


def half_open(host, port, opts, stdin):
    """Send, shut down the write side, and keep reading: everything must still come back."""
    request = opts.get("request")
    data = request.encode() if request is not None else pattern(opts.get("bytes", 1024 * 1024), 5)
    started = time.monotonic()
    deadline = started + opts.get("seconds", 10)
    sock = open_tcp(host, port)
    sock.setblocking(False)
    sent, received = 0, bytearray()
    eof = reset_seen = False
    shut = False
    while time.monotonic() < deadline:
        want_write = [sock] if sent < len(data) else []
        readable, writable, _ = select.select([sock], want_write, [], 0.1)
        if writable:
            try:
                sent += sock.send(data[sent:sent + CHUNK])
            except BlockingIOError:
                pass
        if sent == len(data) and not shut:
            sock.shutdown(socket.SHUT_WR)
            shut = True
        if readable:
            try:
                chunk = sock.recv(CHUNK)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                reset_seen = True
                break
            if not chunk:
                eof = True
                break
            received += chunk
    sock.close()
    result = {
        "sent": sent,
        "received": len(received),
        "eof": eof,
        "reset": reset_seen,
        "seconds": round(time.monotonic() - started, 3),
    }
    if request is not None:
        result["head"] = bytes(received[:200]).decode("latin-1").split("\r\n")[0]
    else:
        result["same"] = bytes(received) == data
    return result


def never_read(host, port, opts, stdin):
    """Write and never read: the server's answers back up, and it must stop reading us
    instead of buffering without bound. Reports how much the server took."""
    payload = opts.get("request", "").encode() or pattern(CHUNK, 9)
    if len(payload) < CHUNK:
        payload = payload * (CHUNK // len(payload) + 1)
    limit = opts.get("limit", 256 * 1024 * 1024)
    stall_for = opts.get("stallSeconds", 1.0)
    sock = open_tcp(host, port, rcvbuf=4096)
    if opts.get("tls"):
        sock = tls_context().wrap_socket(sock, server_hostname="localhost")
    sock.setblocking(False)
    started = time.monotonic()
    give_up = started + opts.get("seconds", 5)
    accepted, last_progress, offset = 0, started, 0
    error = None
    while accepted < limit and time.monotonic() < give_up:
        if time.monotonic() - last_progress >= stall_for:
            break
        try:
            n = sock.send(payload[offset:] + payload[:offset] if offset else payload)
            accepted += n
            offset = (offset + n) % len(payload)
            last_progress = time.monotonic()
        except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
            select.select([], [sock], [], 0.05)
        except OSError as exc:
            error = describe(exc)
            break
    stalled = time.monotonic() - last_progress >= stall_for
    # A server may also end the connection of a client that does not read: that bounds it too.
    emit({"event": "holding", "accepted": accepted, "stalled": stalled, "error": error})
    hold_until = time.monotonic() + opts.get("hold", 20)
    while time.monotonic() < hold_until and not stdin.poll():
        time.sleep(0.05)
    rst_close(sock)
    return {
        "accepted": accepted,
        "stalled": stalled,
        "seconds": round(last_progress - started, 3),
        "error": error,
    }


# ------------------------------------------------------------------ HTTP framing


def big_request(host, port, opts, stdin):
    """A request whose head is too large: one huge header, very many headers, or a huge
    request line. Sends while watching for the answer, then reads it."""
    kind = opts.get("kind", "header")
    size = opts.get("bytes", 1024 * 1024)
    if kind == "header":
        head = http_request("GET", "/posts", ["X-Big: " + "a" * size])
    elif kind == "many-headers":
        head = http_request("GET", "/posts", [f"X-H{i}: v" for i in range(opts.get("count", 20000))])
    elif kind == "request-line":
        head = http_request("GET", "/posts?q=" + "a" * size)
    else:
        raise ValueError(f"unknown kind {kind}")
    sock = open_tcp(host, port)
    sock.setblocking(False)
    started = time.monotonic()
    deadline = started + opts.get("seconds", 6)
    sent = 0
    send_error = None
    while sent < len(head) and time.monotonic() < deadline:
        readable, writable, _ = select.select([sock], [sock], [], 0.1)
        if readable:
            break  # the server answered (or closed) before reading all of it
        if writable:
            try:
                sent += sock.send(head[sent:sent + CHUNK])
            except BlockingIOError:
                pass
            except OSError as error:
                send_error = describe(error)
                break
    sock.setblocking(True)
    result = read_responses(sock, deadline)
    sock.close()
    statuses = [r["status"] for r in result["responses"]]
    return {
        "kind": kind,
        "headBytes": len(head),
        "sent": sent,
        "sendError": send_error,
        "statuses": statuses,
        "eof": result["eof"],
        "reset": result["reset"],
        "timedOut": result["timedOut"],
        "garbage": result["garbage"],
        "seconds": round(time.monotonic() - started, 3),
    }


def pipelined(host, port, opts, stdin):
    """Several requests in one write; the answers must come in order."""
    paths = opts.get("paths", ["/posts/1", "/posts/2", "/posts/3", "/users/2"])
    data = b"".join(http_request("GET", p, close=(i == len(paths) - 1)) for i, p in enumerate(paths))
    sock = open_tcp(host, port)
    sock.sendall(data)
    result = read_responses(sock, time.monotonic() + opts.get("seconds", 6))
    sock.close()
    result["paths"] = paths
    return result


HIDDEN = b"GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
MARKER = b"GET /posts/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def smuggle_payload(variant):
    """A POST whose framing is ambiguous. Read one way, its body is a chunked body that
    ends at once followed by a hidden `GET /users/1`; read the other way, the hidden
    request is only body bytes. A correct server never answers the hidden request.
    The POST goes to /users/1, which takes no POST: the application's answer (405) and
    a refusal of the framing (400) tell apart."""
    body = b"0\r\n\r\n" + HIDDEN
    cl = f"Content-Length: {len(body)}"
    common = ["Content-Type: application/json"]
    if variant == "cl-te":
        headers = common + [cl, "Transfer-Encoding: chunked"]
    elif variant == "te-cl":
        headers = common + ["Transfer-Encoding: chunked", cl]
    elif variant == "dup-cl":
        # Two different lengths: the first covers the hidden request, the second does not.
        headers = common + [cl, "Content-Length: 5"]
        body = b"0\r\n\r\n" + HIDDEN
    elif variant == "obs-fold":
        headers = common + ["X-Pad: x\r\n Transfer-Encoding: chunked", cl]
    elif variant == "bare-lf":
        headers = common + ["X-Pad: x\nTransfer-Encoding: chunked", cl]
    elif variant == "space-before-colon":
        headers = common + ["Transfer-Encoding : chunked", cl]
    elif variant == "te-not-final-chunked":
        headers = common + ["Transfer-Encoding: chunked, identity", cl]
    else:
        raise ValueError(f"unknown variant {variant}")
    return http_request("POST", "/users/1", headers, body)


def smuggle(host, port, opts, stdin):
    variant = opts["variant"]
    sock = open_tcp(host, port)
    sock.sendall(smuggle_payload(variant) + MARKER)
    result = read_responses(sock, time.monotonic() + opts.get("seconds", 6))
    sock.close()
    result["variant"] = variant
    result["hiddenAnswered"] = any("username" in r.get("json", {}) for r in result["responses"])
    return result


# ------------------------------------------------------------------------- TLS


def tls_garbage(host, port, opts, stdin):
    """Bytes that are not TLS where a ClientHello belongs: random junk, or a handshake
    record header announcing 16 KiB that never come. Counts how the server ends them."""
    kind = opts.get("kind", "junk")
    rng = random.Random(7)
    socks, failures = [], []
    for _ in range(opts.get("count", 10)):
        junk = bytes(rng.getrandbits(8) for _ in range(2048))
        payload = b"GARBAGE " + junk if kind == "junk" else b"\x16\x03\x01\x40\x00" + junk[:100]
        try:
            sock = open_tcp(host, port)
            sock.sendall(payload)
            socks.append(sock)
        except OSError as error:
            failures.append(describe(error))
    started = time.monotonic()
    emit({"event": "holding", "opened": len(socks), "failed": len(failures)})
    result = watch_closures(socks, started, started + opts.get("seconds", 8), stdin)
    result.update({"kind": kind, "opened": len(socks), "openFailed": len(failures), "openFailures": failures[:3]})
    return result


def tls_abort_after_hello(host, port, opts, stdin):
    """Send a real ClientHello, wait for the server's first flight, then reset."""
    hello = client_hello()
    answered, silent, failures = 0, 0, []
    for _ in range(opts.get("count", 10)):
        try:
            sock = open_tcp(host, port, timeout=opts.get("seconds", 5))
            sock.sendall(hello)
            first = sock.recv(5)
            if first[:1] == b"\x16":
                answered += 1
            else:
                silent += 1
            rst_close(sock)
        except OSError as error:
            failures.append(describe(error))
    return {"serverHellos": answered, "otherAnswers": silent, "failed": len(failures), "failures": failures[:3]}


# ------------------------------------------------------------------------- UDP


def udp_oversized(host, port, opts, stdin):
    """The largest datagrams IPv4 carries, and a few sizes that need fragments."""
    sizes = opts.get("sizes", [65507, 65000, 9000, 1473])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024 * 1024)
    sent, errors = [], []
    for size in sizes:
        try:
            sock.sendto(pattern(size, size % 7), (host, port))
            sent.append(size)
        except OSError as error:
            errors.append(f"{size}: {describe(error)}")
    echoed = []
    sock.settimeout(0.5)
    deadline = time.monotonic() + opts.get("seconds", 3)
    while len(echoed) < len(sent) and time.monotonic() < deadline:
        try:
            data, _ = sock.recvfrom(70000)
            echoed.append(len(data))
        except socket.timeout:
            pass
    sock.close()
    return {"sent": sent, "echoed": sorted(echoed, reverse=True), "errors": errors}


def udp_flood(host, port, opts, stdin):
    """Datagrams as fast as the kernel takes them, from many ports, never reading the
    echoes (they pile up and are dropped on our side)."""
    sockets = []
    for _ in range(opts.get("sockets", 64)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        sockets.append(sock)
    data = pattern(opts.get("size", 1000), 3)
    total = opts.get("datagrams", 20000)
    started = time.monotonic()
    deadline = started + opts.get("seconds", 3)
    sent = dropped = 0
    i = 0
    while sent < total and time.monotonic() < deadline:
        try:
            sockets[i % len(sockets)].sendto(data, (host, port))
            sent += 1
        except (BlockingIOError, OSError):
            dropped += 1
            if dropped % 64 == 0:
                time.sleep(0.001)
        i += 1
    for sock in sockets:
        sock.close()
    return {"sent": sent, "notSent": dropped, "seconds": round(time.monotonic() - started, 3)}


def udp_spoof(host, port, opts, stdin):
    """A datagram whose source address is forged (a raw socket with our own IPv4
    header): from the server's own address and port (an echo to itself), or from port 0
    (an echo nobody can receive). Needs root (CAP_NET_RAW)."""
    src_host = opts.get("srcHost", host)
    src_port = opts["srcPort"]
    payload = opts.get("payload", "spoofed").encode()
    try:
        raw = raw_ipv4_socket()
    except PermissionError as error:
        return {"sent": 0, "unavailable": describe(error)}
    packet = forged_udp_packet(src_host, src_port, host, port, payload)
    sent = 0
    for _ in range(opts.get("count", 1)):
        raw.sendto(packet, (host, 0))
        sent += 1
    raw.close()
    return {"sent": sent}


# ------------------------------------------------------------------ descriptors


def fd_flood(host, port, opts, stdin):
    """Open connections until the count or until they fail, hold them until the test
    says, then close them all (FIN)."""
    count = opts.get("count", 300)
    first = opts.get("first", "").encode()
    socks, failures = [], []
    consecutive = 0
    started = time.monotonic()
    while len(socks) < count and consecutive < opts.get("maxFailures", 5):
        try:
            sock = open_tcp(host, port, timeout=opts.get("connectTimeout", 2))
            if first:
                sock.sendall(first)
            socks.append(sock)
            consecutive = 0
        except OSError as error:
            failures.append(describe(error))
            consecutive += 1
    emit({"event": "holding", "opened": len(socks), "failed": len(failures)})
    result = watch_closures(socks, started, started + opts.get("hold", 20), stdin)
    result.update({"opened": len(socks), "openFailed": len(failures), "openFailures": failures[:3]})
    return result


SCENARIOS = {
    "reset": reset,
    "reset-mid-write": reset_mid_write,
    "half-open": half_open,
    "never-read": never_read,
    "idle": idle,
    "idle-keepalive": idle_keepalive,
    "slow-headers": slow_headers,
    "slow-body": slow_body,
    "big-request": big_request,
    "pipelined": pipelined,
    "smuggle": smuggle,
    "tls-silent": tls_silent,
    "tls-half-hello": tls_half_hello,
    "tls-garbage": tls_garbage,
    "tls-abort-after-hello": tls_abort_after_hello,
    "udp-oversized": udp_oversized,
    "udp-flood": udp_flood,
    "udp-spoof": udp_spoof,
    "fd-flood": fd_flood,
}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in SCENARIOS:
        sys.stderr.write(__doc__ + "\nScenarios: " + ", ".join(SCENARIOS) + "\n")
        return 2
    scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    opts = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    try:
        result = SCENARIOS[scenario](host, port, opts, StdinWatch())
    except Exception as error:  # reported to the test as data, not a traceback
        emit({"error": f"{scenario}: {describe(error)}"})
        return 1
    emit({"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
