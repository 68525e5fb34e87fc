#!/usr/bin/env python3
"""http-test-server.py: a small HTTP/1.1 server for the tests of lib/http.c.

Listens on 127.0.0.1 (port 0 = any free one, or --port N), prints "PORT <n>"
as its first line on stdout, and serves until killed. With --cert and --key it
speaks TLS. Counters are kept per key in memory, so tests pick unique keys.

Endpoints (any method unless said otherwise):
  /ok                           200 "hello"
  /status/<code>                <code> "status <code>"
  /flaky/<key>/<n>/<code>       <code> the first n times for key, then 200 "ok after <n>"
  /retry-after/<key>/<secs>[/<code>]
                                first call <code> (default 503) with Retry-After: <secs>, then 200 "ok"
  /retry-after-date/<key>       first call 503 with an HTTP-date Retry-After 1 s ahead (2 s near a second's end), then 200 "ok"
  /count/<key>                  how many requests key got, as text
  /echo                         200 JSON {method, path, headers, body, peer_port}
  /slow/<secs>                  sleeps, then 200 "slow"
  /set-cookie                   200 with Set-Cookie: session=COOKIESECRET
  /headers                      200 with padded, repeated and odd-case headers
  /redirect                     302 to /ok
  /big/<n>                      200 with n bytes of "x"
A request carrying "Expect: 100-continue" gets an interim 100 response that
has an "X-Interim: yes" header, to check that only final headers are kept.
"""

import argparse
import email.utils
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counters = {}
counters_lock = threading.Lock()


def bump(key):
    """Count one request for key and return the new count."""
    with counters_lock:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]


def count(key):
    with counters_lock:
        return counters.get(key, 0)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudctl-test/1"
    timeout = 30  # an idle keep-alive connection does not hold a thread forever
    disable_nagle_algorithm = True  # headers and body are separate writes

    def setup(self):
        # The TLS handshake happens here, in the connection's own thread, so a
        # client that never completes it cannot stall the accept loop.
        if self.server.ssl_context:
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format, *args):
        pass

    def handle_expect_100(self):
        self.send_response_only(100)
        self.send_header("X-Interim", "yes")
        self.end_headers()
        return True

    def reply(self, code, body=b"", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def route(self):
        body = self.read_body()
        path = self.path.split("?", 1)[0]
        parts = path.strip("/").split("/")
        name, args = parts[0], parts[1:]
        handler = getattr(self, "ep_" + name.replace("-", "_"), None)
        if not name or handler is None:
            self.reply(404, "no such endpoint\n")
            return
        try:
            handler(args, body)
        except (ValueError, IndexError):
            self.reply(400, "bad arguments\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = route

    def ep_ok(self, args, body):
        self.reply(200, "hello")

    def ep_status(self, args, body):
        code = int(args[0])
        self.reply(code, "status %d" % code)

    def ep_flaky(self, args, body):
        key, fails, code = args[0], int(args[1]), int(args[2])
        if bump(key) <= fails:
            self.reply(code, "failing %d" % code)
        else:
            self.reply(200, "ok after %d" % fails)

    def ep_retry_after(self, args, body):
        key, secs = args[0], args[1]
        code = int(args[2]) if len(args) > 2 else 503
        if bump(key) == 1:
            self.reply(code, "wait", [("Retry-After", secs)])
        else:
            self.reply(200, "ok")

    def ep_retry_after_date(self, args, body):
        if bump(args[0]) == 1:
            # HTTP-dates have whole seconds and the client counts from its
            # own whole second: the next second is a 1 s wait for it, unless
            # that second is so close that the client may already be in it.
            now = time.time()
            when = email.utils.formatdate(int(now) + (2 if now % 1 > 0.9 else 1), usegmt=True)
            self.reply(503, "wait", [("Retry-After", when)])
        else:
            self.reply(200, "ok")

    def ep_count(self, args, body):
        self.reply(200, str(count(args[0])))

    def ep_echo(self, args, body):
        doc = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers.items()),
            "body": body.decode("utf-8", "replace"),
            "peer_port": self.client_address[1],
        }
        self.reply(200, json.dumps(doc, sort_keys=True, separators=(",", ":")),
                   [("Content-Type", "application/json")])

    def ep_slow(self, args, body):
        time.sleep(float(args[0]))
        self.reply(200, "slow")

    def ep_set_cookie(self, args, body):
        self.reply(200, "cookie set", [("Set-Cookie", "session=COOKIESECRET; Path=/")])

    def ep_headers(self, args, body):
        self.reply(200, "headers", [("X-Padded", "   spaced value   "),
                                    ("X-Twice", "first"), ("X-Twice", "second"),
                                    ("x-lower-case", "yes")])

    def ep_redirect(self, args, body):
        self.reply(302, "moved", [("Location", "/ok")])

    def ep_big(self, args, body):
        self.reply(200, "x" * int(args[0]))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    ssl_context = None

    def handle_error(self, request, client_address):
        # Clients that time out, hang up or reject our certificate are part of
        # the tests; anything else is a bug here and gets its traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def exit_with_parent():
    """End when the test that started us is gone, even if it crashed."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main():
    ap = argparse.ArgumentParser(description="HTTP test server for cloudctl")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", help="PEM certificate chain: serve TLS")
    ap.add_argument("--key", help="PEM private key of --cert")
    args = ap.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.ssl_context = ctx
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
