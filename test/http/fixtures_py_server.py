"""A tiny HTTP server on Python's http.server for anynet's client tests: behaviours that
need a server anynet did not write (statuses, Retry-After, hangs, stalls, redirects).

Usage: python3 fixtures_py_server.py  (prints "port N" once listening on 127.0.0.1)
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="text/plain", headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        key = "/".join(parts[:2])
        with lock:
            counts[key] = counts.get(key, 0) + 1
            seen = counts[key]
        if parts[:1] == ["status"]:
            return self.send(int(parts[1]), f"status {parts[1]} from python")
        if parts[:1] == ["json"]:
            return self.send(200, json.dumps({"hello": "python", "method": self.command, "body": body.decode()}), "application/json")
        if parts[:1] == ["flaky"]:
            failures = int(parts[2])
            if seen <= failures:
                extra = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
                return self.send(503, "busy", headers=extra)
            return self.send(200, f"recovered after {failures}")
        if parts[:1] == ["count"]:
            with lock:
                return self.send(200, str(counts.get("/".join(["flaky", parts[1]]), 0)))
        if parts[:1] == ["hang"]:
            time.sleep(60)
            return
        if parts[:1] == ["stall"]:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(60)
            return
        if parts[:1] == ["redirect"]:
            n = int(parts[1])
            if n == 0:
                return self.send(200, "redirects done")
            return self.send(302, "", headers={"Location": f"/redirect/{n - 1}"})
        if parts[:1] == ["away"]:
            return self.send(302, "", headers={"Location": query["to"][0]})
        if parts[:1] == ["headers"]:
            return self.send(200, json.dumps({k.lower(): v for k, v in self.headers.items()}), "application/json")
        if parts[:1] == ["big"]:
            # HTTP/1.0 without Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.wfile.write(b"y" * int(parts[1]))
            return
        return self.send(404, "not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"port {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
sys.exit(0)
