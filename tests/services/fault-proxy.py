#!/usr/bin/env python3
"""fault-proxy: an HTTP proxy in front of one real API server that loses
answers on purpose, for the tests of what a client does when a request that
changes something gets no answer (tests/cli/os-retry.sh).

    fault-proxy.py --upstream http://127.0.0.1:8774 --port-file F --log L \\
                   --fault 'POST /v2.1/servers$ cut 1'

Every request is passed on to the upstream and its answer passed back, except
the first COUNT requests matching METHOD and the PATH regular expression of a
--fault, which get ACTION:
  drop  the connection is closed without passing the request on (nothing made)
  cut   the request is passed on, the upstream answers, and the client's
        connection is closed without that answer (made, but the client cannot know)
  502   the request is passed on, and the client gets 502 instead of the answer
  pass  passed through untouched (to let the first COUNT matches by: the faults
        are tried in the order given, the first with matches left applies)
Each request is logged as one line "METHOD PATH ACTION STATUS" (ACTION "pass"
for the ones passed through untouched), flushed at once.
"""
import argparse
import os
import http.client
import http.server
import re
import sys
import threading
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
       "content-length", "host"}


class Fault:
    def __init__(self, spec):
        parts = spec.split()
        if len(parts) not in (3, 4) or parts[2] not in ("drop", "cut", "502", "pass"):
            sys.exit(f"fault-proxy: --fault '{spec}': want 'METHOD PATH-REGEX drop|cut|502|pass [COUNT]'")
        self.method, self.path, self.action = parts[0], re.compile(parts[1]), parts[2]
        self.left = int(parts[3]) if len(parts) == 4 else 1

    def take(self, method, path):
        if self.left and method == self.method and self.path.search(path):
            self.left -= 1
            return True
        return False


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self, action, status):
        with self.server.lock:
            self.server.logf.write(f"{self.command} {self.path} {action} {status}\n")
            self.server.logf.flush()

    def upstream(self, body):
        up = urllib.parse.urlsplit(self.server.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=300)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r, data

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        with self.server.lock:
            fault = next((f for f in self.server.faults if f.take(self.command, self.path)), None)
        action = fault.action if fault else "pass"
        if action == "drop":
            self.note(action, "-")
            self.close_connection = True
            return
        r, data = self.upstream(body)
        self.note(action, r.status)
        if action == "cut":
            self.close_connection = True
            return
        if action == "502":
            r, data = None, b'{"message": "fault-proxy: bad gateway"}'
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
        else:
            self.send_response(r.status, r.reason)
            for k, v in r.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser(description="an HTTP proxy that loses answers on purpose")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fault", action="append", default=[])
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    srv.daemon_threads = True
    srv.upstream = a.upstream
    srv.faults = [Fault(f) for f in a.fault]
    srv.lock = threading.Lock()
    srv.logf = open(a.log, "a")
    with open(a.port_file + ".tmp", "w") as f:
        f.write(f"{srv.server_address[1]}\n")

    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
