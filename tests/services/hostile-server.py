#!/usr/bin/env python3
"""hostile-server.py: an HTTP/1.1 server that misbehaves on purpose, for the
limits of lib/http.c (tests/cli/hostile.sh, cloudctl(7) LIMITS).

Listens on 127.0.0.1 on a free port and writes it to --port-file once ready.
With --cert and --key it speaks TLS. --other URL names a second listener (an
"other host") that links and redirects point to. --log FILE gets one line per
request: "METHOD PATH auth=0|1 token=0|1 cookie=0|1", whether it carried an
Authorization, X-Auth-Token or Cookie header.

The first path segment picks the misbehaviour; what follows it is ignored
unless said, so a tool may append its own path (cloudctl-report --push does):
  /ok                        200 "ok"
  /big-declared/N            200 declaring Content-Length N, then N bytes
  /big-chunked/N             200, N bytes chunked (no length declared)
  /endless                   200, chunked bytes that never end
  /many-headers/N            200 with N extra headers
  /fat-headers/N/SIZE        200 with N extra headers of SIZE bytes each
  /slow                      200, then one byte every 2 seconds, never done
  /deep/N                    200, JSON nested N arrays deep
A registry API (/v2/...): /v2/ asks for Basic credentials (any are taken),
or with --bearer-realm URL for a token from there;
tags lists by repository name:
  offsite    one tag, then a Link to --other's page (which has one more)
  cycle      pages ?last=a -> ?last=b -> back to ?last=a
  forever    a next page always
manifests: "deep/...:x" nested JSON; "stream/...:x" an image whose one
layer is --blob-size zero bytes (its blob sent with its length), "overlong"
the same image whose layer blob goes on without end (chunked), "redirect"
the same image whose layer blob is a 307 to --other's.
A compute API (/PREFIX/v2.1/servers/detail, PREFIX one of): nova-cycle (a
next link back to an earlier page), nova-forever (a new page each time),
nova-offsite (the next page on --other, which answers it with no link).
A Kubernetes API under /kube (the kubeconfig's server ends in /kube): core
v1 with configmaps; every configmap exists, and a watch of one sends a line
that never ends.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import ssl
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs


def load_sibling(name):
    """The module of a script beside this one (its name has dashes)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Its handler's TLS set-up (the handshake in the connection's thread) and quiet log.
http_test_server = load_sibling("http-test-server")

CHUNK = 1 << 16
ZEROS = bytes(CHUNK)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def zero_digest(size):
    h = hashlib.sha256()
    left = size
    while left:
        n = min(left, CHUNK)
        h.update(ZEROS[:n])
        left -= n
    return "sha256:" + h.hexdigest()


class Image:
    """A base image whose one layer is `size` zero bytes."""

    def __init__(self, size):
        self.layer_size = size
        self.layer_digest = zero_digest(size)
        self.config = json.dumps({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [self.layer_digest]},
            "config": {},
        }, sort_keys=True).encode()
        self.config_digest = "sha256:" + hashlib.sha256(self.config).hexdigest()
        self.manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": self.config_digest, "size": len(self.config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": self.layer_digest, "size": size}],
        }, sort_keys=True).encode()


class Handler(http_test_server.Handler):
    server_version = "hostile/1"
    timeout = 60

    def note(self):
        if not self.server.log:
            return
        has = lambda name: int(self.headers.get(name) is not None)
        line = "%s %s auth=%d token=%d cookie=%d\n" % (
            self.command, self.path, has("Authorization"), has("X-Auth-Token"), has("Cookie"))
        with self.server.log_lock, open(self.server.log, "a") as f:
            f.write(line)

    # ---- answers ----

    def head_only(self, code, headers=(), length=None, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def reply(self, code, body=b"", headers=(), ctype="application/json"):
        if isinstance(body, str):
            body = body.encode()
        self.head_only(code, headers, len(body), ctype)
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, doc, headers=(), ctype="application/json"):
        self.reply(200, json.dumps(doc), headers, ctype)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def stream_zeros(self, size, chunked):
        """size zero bytes (None: without end)."""
        left = size
        while left is None or left > 0:
            n = CHUNK if left is None else min(left, CHUNK)
            if chunked:
                self.chunk(ZEROS[:n])
            else:
                self.wfile.write(ZEROS[:n])
            if left is not None:
                left -= n
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    # ---- misbehaviours ----

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)

    def misbehave(self, parts):
        what, args = parts[0], parts[1:]
        num = lambda i, dflt: int(args[i]) if len(args) > i and args[i].isdigit() else dflt
        if what == "ok":
            self.reply(200, "ok", ctype="text/plain")
        elif what == "big-declared":
            self.head_only(200, length=num(0, 1 << 20))
            self.stream_zeros(num(0, 1 << 20), False)
        elif what == "big-chunked":
            self.head_only(200)
            self.stream_zeros(num(0, 1 << 20), True)
        elif what == "endless":
            self.head_only(200)
            self.stream_zeros(None, True)
        elif what == "many-headers":
            self.reply(200, "ok", [("X-Filler-%d" % i, "v") for i in range(num(0, 1000))])
        elif what == "fat-headers":
            self.reply(200, "ok", [("X-Fat-%d" % i, "f" * num(1, 1024)) for i in range(num(0, 300))])
        elif what == "slow":
            self.head_only(200, length=1000)
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(2)
        elif what == "deep":
            depth = num(0, 100000)
            self.reply(200, "[" * depth + "]" * depth)
        else:
            return False
        return True

    # ---- a registry ----

    def registry(self, path, query):
        if path == "/v2/" or path == "/v2":
            if self.server.bearer_realm:
                self.reply(401, '{"errors":[{"code":"UNAUTHORIZED"}]}',
                           [("WWW-Authenticate", 'Bearer realm="%s",service="hostile"' % self.server.bearer_realm)])
            elif self.headers.get("Authorization") is None:
                self.reply(401, '{"errors":[{"code":"UNAUTHORIZED"}]}',
                           [("WWW-Authenticate", 'Basic realm="hostile"')])
            else:
                self.reply_json({})
            return
        rest = path[len("/v2/"):]
        repo, _, tail = rest.partition("/")
        if tail == "tags/list":
            return self.tags(repo, query.get("last", [""])[0])
        kind, _, ref = tail.partition("/")
        if kind == "manifests":
            return self.manifest(repo)
        if kind == "blobs":
            return self.blob(repo, ref)
        self.reply(404, '{"errors":[{"code":"NAME_UNKNOWN"}]}')

    def tags(self, repo, last):
        base = "/v2/%s/tags/list" % repo
        link = None
        if repo == "offsite" and not last and self.server.other:
            link = "%s%s?last=a" % (self.server.other, base)
        elif repo == "cycle":
            link = "%s?last=%s" % (base, {"": "a", "a": "b", "b": "a"}[last])
        elif repo == "forever":
            link = "%s?last=%d" % (base, int(last or 0) + 1)
        tag = "after-" + last if last else "first"
        headers = [("Link", '<%s>; rel="next"' % link)] if link else []
        self.reply_json({"name": repo, "tags": [tag]}, headers)

    def manifest(self, repo):
        if repo == "deep":
            depth = 100000
            return self.reply(200, "[" * depth + "]" * depth, ctype=OCI_MANIFEST)
        img = self.server.image
        self.reply(200, img.manifest, [("Docker-Content-Digest",
                                        "sha256:" + hashlib.sha256(img.manifest).hexdigest())], OCI_MANIFEST)

    def blob(self, repo, digest):
        img = self.server.image
        if digest == img.config_digest:
            return self.reply(200, img.config, ctype="application/octet-stream")
        if digest != img.layer_digest:
            return self.reply(404, '{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        if repo == "overlong":
            self.head_only(200, ctype="application/octet-stream")
            return self.stream_zeros(None, True)
        if repo == "redirect" and self.server.other:
            return self.reply(307, "", [("Location", "%s/v2/%s/blobs/%s" % (self.server.other, repo, digest))])
        self.head_only(200, length=img.layer_size, ctype="application/octet-stream")
        if self.command != "HEAD":
            self.stream_zeros(img.layer_size, False)

    # ---- a Kubernetes API ----

    def kube(self, parts, query):
        path = "/".join(parts)
        if path == "api":
            return self.reply_json({"kind": "APIVersions", "versions": ["v1"]})
        if path == "apis":
            return self.reply_json({"kind": "APIGroupList", "groups": []})
        if path == "api/v1":
            return self.reply_json({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "configmaps", "singularName": "configmap", "namespaced": True, "kind": "ConfigMap",
                 "verbs": ["get", "list", "watch"]}]})
        if "watch" in query:
            self.head_only(200)
            return self.stream_without_newline()
        if len(parts) == 6 and parts[4] == "configmaps":
            return self.reply_json({"kind": "ConfigMap", "apiVersion": "v1",
                                    "metadata": {"name": parts[5], "namespace": parts[3], "resourceVersion": "1"}})
        self.reply(404, '{"kind":"Status","message":"not here","reason":"NotFound","code":404}')

    def stream_without_newline(self):
        while True:
            self.chunk(b'{"type":"MODIFIED","object":{"padding":"' + b"x" * CHUNK)

    # ---- a compute API ----

    def servers(self, prefix, query):
        marker = int(query.get("marker", ["0"])[0])
        here = "http://%s:%d" % self.server.server_address[:2]
        url = lambda host, m: "%s/%s/v2.1/servers/detail?marker=%d" % (host, prefix, m)
        nxt = None
        if prefix == "nova-cycle":
            nxt = url(here, {0: 1, 1: 2, 2: 1}[marker])
        elif prefix == "nova-forever":
            nxt = url(here, marker + 1)
        elif prefix == "nova-offsite" and marker == 0 and self.server.other:
            nxt = url(self.server.other, 1)
        server = {"id": "00000000-0000-0000-0000-%012d" % marker, "name": "page-%d" % marker,
                  "status": "ACTIVE", "addresses": {}, "metadata": {}, "tags": [],
                  "flavor": {"original_name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}}
        doc = {"servers": [server]}
        if nxt:
            doc["servers_links"] = [{"rel": "next", "href": nxt}]
        self.reply_json(doc)

    def route(self):
        self.note()
        self.read_body()
        u = urlsplit(self.path)
        query = parse_qs(u.query)
        parts = [p for p in u.path.split("/") if p]
        try:
            if u.path.startswith("/v2/") or u.path == "/v2":
                return self.registry(u.path, query)
            if len(parts) >= 3 and parts[1] == "v2.1" and parts[2] == "servers":
                return self.servers(parts[0], query)
            if parts and parts[0] == "kube":
                return self.kube(parts[1:], query)
            if parts and self.misbehave(parts):
                return
            self.reply(404, "no such misbehaviour", ctype="text/plain")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = route


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up on a misbehaviour is what the tests want


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--other", help="the base URL of the other listener")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--blob-size", type=int, default=1 << 20)
    ap.add_argument("--bearer-realm", help="the token server /v2/ names")
    args = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.log = args.log
    server.log_lock = threading.Lock()
    server.other = args.other
    server.bearer_realm = args.bearer_realm
    server.image = Image(args.blob_size)
    server.ssl_context = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.ssl_context = ctx
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
