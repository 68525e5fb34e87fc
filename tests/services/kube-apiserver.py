#!/usr/bin/env python3
"""kube-apiserver.py: a stand-in Kubernetes API server for cloudctl's tests.

A real kube-apiserver cannot run on the test machines, so this one follows the
documented behaviour of the parts cloudctl uses (kubernetes.io: "Kubernetes API
Concepts", "Server-Side Apply", the Status kind; apimachinery's error formats):

  discovery   GET /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION
              (legacy discovery documents; the aggregated v2 form is not served)
  verbs       get, list, watch, create (POST), update (PUT), patch, delete,
              deletecollection, and the status subresources it lists
  patch       application/merge-patch+json (operation Update) and
              application/apply-patch+yaml (server-side apply). Apply bodies must
              be JSON (JSON is YAML; cloudctl sends JSON): anything else gets a
              400 "error decoding YAML: ..." saying so. Strategic merge patch and
              JSON patch get 415.
  apply       field ownership per manager in metadata.managedFields (FieldsV1),
              409 Conflict with FieldManagerConflict causes, force=true, shared
              ownership on equal values, removal of fields the applier dropped,
              dryRun=All. fieldManager missing -> 422 as the real server says.
  lists       labelSelector (=, ==, !=, exists, !, in, notin), fieldSelector
              metadata.name / metadata.namespace, limit + continue (consistent
              snapshots; 410 Expired once the history is compacted)
  watch       ?watch=1: chunked JSON lines ADDED/MODIFIED/DELETED, from a
              resourceVersion or starting with synthetic ADDED events; an ERROR
              event carrying a 410 Expired Status when the version is too old
  errors      Status objects with the real messages, reasons and codes
  auth        bearer tokens (kube-apiserver's --token-auth-file CSV format) or a
              client certificate (CN = user, O = groups); group system:masters
              may do anything, everyone else only get/list/watch (403 otherwise)
  controllers Deployment status (~300 ms to Available), ResourceQuota status,
              Namespace phase and its deletion (Terminating, ~1 s later gone
              with everything in it)

Simplifications (each documented where it is made): objects are kept in the
version they were written in (no conversion; apiVersion is relabelled on read);
only a few defaults are filled in; the schema knowledge for apply (which lists
merge by which keys, which maps are atomic) is a small table, see FIELD TABLES.

Test-only endpoints (group system:masters only):
  POST   /standin/reset     empty the store (default, kube-system, kube-public
                            are recreated), the history and the request log
  POST   /standin/compact   drop the watch history: older resourceVersions and
                            continue tokens now get 410 Expired
  GET    /standin/requests  the requests seen: {"items":[{method, path, query,
                            contentType, user, code}]} (not the /standin ones)
  DELETE /standin/requests  clear that log
  POST   /standin/delay     {"method": "PATCH", "seconds": 0.3}: answer every
                            later request of that method (not the /standin ones)
                            that much later, as a loaded server would; seconds 0
                            ends it; a reset ends every delay. For the tests of
                            what a client does when it is interrupted midway.
Unauthenticated: /healthz, /livez, /readyz ("ok") and /version, as on a real
server. Annotations honoured on Deployments: standin.cloudctl.dev/stuck: "true"
(never becomes available), standin.cloudctl.dev/fail: "true" (Progressing=False,
ProgressDeadlineExceeded).

Usage: kube-apiserver.py --dir STATE_DIR [--port N]   (see kube-apiserver-start.sh)
STATE_DIR holds ca.crt, server.crt, server.key and tokens.csv.
"""

import argparse
import base64
import copy
import hashlib
import heapq
import itertools
import json
import os
import re
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MISSING = object()  # "no value here", distinct from JSON null


def jdump(value):
    """Canonical compact JSON: the form used in FieldsV1 keys and for equality."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def same(a, b):
    """JSON equality that tells true from 1 (Python's == does not)."""
    return jdump(a) == jdump(b)


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ============================================================================
# 1. The resource catalogue (what discovery lists is exactly what is served)
# ============================================================================

class Resource:
    """One resource type, in every version of its group that serves it."""

    def __init__(self, group, versions, plural, singular, kind, namespaced,
                 short=(), status=False, categories=(), names="subdomain"):
        self.group, self.versions, self.plural = group, versions, plural
        self.singular, self.kind, self.namespaced = singular, kind, namespaced
        self.short, self.status, self.categories = list(short), status, list(categories)
        self.names = names  # the name rule: subdomain, label, dns1035 or segment

    @property
    def verbs(self):
        verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        if self.plural == "namespaces":  # the real server has no deletecollection for these
            verbs.remove("deletecollection")
        return verbs

    def qualified(self, sub=""):
        """deployments.apps, configmaps: how errors name a resource."""
        r = self.plural + ("/" + sub if sub else "")
        return r if not self.group else r + "." + self.group

    def qualified_kind(self):
        return self.kind if not self.group else self.kind + "." + self.group


ALL = ("all",)
RESOURCES = [
    Resource("", ["v1"], "namespaces", "namespace", "Namespace", False, ["ns"], True, names="label"),
    Resource("", ["v1"], "resourcequotas", "resourcequota", "ResourceQuota", True, ["quota"], True),
    Resource("", ["v1"], "limitranges", "limitrange", "LimitRange", True, ["limits"]),
    Resource("", ["v1"], "configmaps", "configmap", "ConfigMap", True, ["cm"]),
    Resource("", ["v1"], "services", "service", "Service", True, ["svc"], True, ALL, names="dns1035"),
    Resource("", ["v1"], "pods", "pod", "Pod", True, ["po"], True, ALL),
    Resource("", ["v1"], "serviceaccounts", "serviceaccount", "ServiceAccount", True, ["sa"]),
    Resource("", ["v1"], "secrets", "secret", "Secret", True),
    Resource("apps", ["v1"], "deployments", "deployment", "Deployment", True, ["deploy"], True, ALL),
    Resource("apps", ["v1"], "statefulsets", "statefulset", "StatefulSet", True, ["sts"], True, ALL),
    Resource("apps", ["v1"], "daemonsets", "daemonset", "DaemonSet", True, ["ds"], True, ALL),
    Resource("apps", ["v1"], "replicasets", "replicaset", "ReplicaSet", True, ["rs"], True, ALL),
    Resource("autoscaling", ["v2", "v1"], "horizontalpodautoscalers", "horizontalpodautoscaler",
             "HorizontalPodAutoscaler", True, ["hpa"], True, ALL),
    Resource("networking.k8s.io", ["v1"], "networkpolicies", "networkpolicy", "NetworkPolicy", True, ["netpol"]),
    Resource("networking.k8s.io", ["v1"], "ingresses", "ingress", "Ingress", True, ["ing"], True),
    Resource("rbac.authorization.k8s.io", ["v1"], "roles", "role", "Role", True, names="segment"),
    Resource("rbac.authorization.k8s.io", ["v1"], "rolebindings", "rolebinding", "RoleBinding", True, names="segment"),
    Resource("rbac.authorization.k8s.io", ["v1"], "clusterroles", "clusterrole", "ClusterRole", False, names="segment"),
    Resource("rbac.authorization.k8s.io", ["v1"], "clusterrolebindings", "clusterrolebinding",
             "ClusterRoleBinding", False, names="segment"),
]
# Groups in /apis order; the first version listed is the preferred one.
GROUPS = ["apps", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io"]
NAMESPACES = next(r for r in RESOURCES if r.plural == "namespaces")


def group_versions(group):
    out = []
    for r in RESOURCES:
        for v in r.versions:
            if r.group == group and v not in out:
                out.append(v)
    return out


def find_resource(group, version, plural):
    for r in RESOURCES:
        if r.group == group and version in r.versions and r.plural == plural:
            return r
    return None


def gv_string(group, version):
    return version if not group else group + "/" + version


def storage_hash(r):
    """A stable storageVersionHash, as real discovery documents carry one."""
    return base64.b64encode(hashlib.sha256(r.qualified_kind().encode()).digest()[:8]).decode()


def discovery_resources(group, version):
    items = []
    for r in RESOURCES:
        if r.group != group or version not in r.versions:
            continue
        entry = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                 "kind": r.kind, "verbs": r.verbs}
        if r.short:
            entry["shortNames"] = r.short
        if r.categories:
            entry["categories"] = r.categories
        entry["storageVersionHash"] = storage_hash(r)
        items.append(entry)
        if r.status:
            items.append({"name": r.plural + "/status", "singularName": "", "namespaced": r.namespaced,
                          "kind": r.kind, "verbs": ["get", "patch", "update"]})
    return items


def api_group(group):
    versions = [{"groupVersion": gv_string(group, v), "version": v} for v in group_versions(group)]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


# ============================================================================
# 2. Errors: every failure is a Status object with the real wording
# ============================================================================

class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message, "reason": self.reason}
        if self.details is not None:
            s["details"] = self.details
        s["code"] = self.code
        return s


def details_for(res, name, kind=None):
    """StatusDetails: name, group (omitted for the core group), kind (the plural for most errors)."""
    d = {}
    if name:
        d["name"] = name
    if res.group:
        d["group"] = res.group
    d["kind"] = kind or res.plural
    return d


def err_not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (res.qualified(), name), details_for(res, name))


def err_already_exists(res, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (res.qualified(), name),
                    details_for(res, name))


def err_modified(res, name):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    'please apply your changes to the latest version and try again' % (res.qualified(), name),
                    details_for(res, name))


def err_invalid(res, name, causes):
    """causes: [(field, message)] as field.ErrorList renders them."""
    msgs = ["%s: %s" % (f, m) for f, m in causes]
    joined = msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    d = details_for(res, name, kind=res.kind)
    d["causes"] = [{"reason": "FieldValueInvalid" if m.startswith("Invalid value") else
                    "FieldValueRequired" if m.startswith("Required value") else "FieldValueInvalid",
                    "message": m, "field": f} for f, m in causes]
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (res.qualified_kind(), name, joined), d)


def err_bad_request(message):
    return ApiError(400, "BadRequest", message)


def err_forbidden(res_name, group, name, why, sub=""):
    """res_name/group: the resource as authorization saw it (plural, or plural/sub)."""
    qualified = res_name + ("/" + sub if sub else "") + ("." + group if group else "")
    head = '%s "%s"' % (qualified, name) if name else qualified
    d = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = res_name + ("/" + sub if sub else "")
    return ApiError(403, "Forbidden", "%s is forbidden: %s" % (head, why), d)


def err_expired(message):
    return ApiError(410, "Expired", message)


ERR_UNAUTHORIZED = ApiError(401, "Unauthorized", "Unauthorized")
ERR_NO_ROUTE = ApiError(404, "NotFound", "the server could not find the requested resource", {})


# ============================================================================
# 3. Field tables and field paths (the FieldsV1 format of managedFields)
# ============================================================================
# A path is a tuple of elements: ("f", name) a field, ("k", '{"name":"x"}') a list
# item by its keys, ("v", '"x"') a member of a set-like list, ("i", 3) an index.
# The real server reads this from the OpenAPI schema; the stand-in knows only
# what these tables say. Every other list is atomic (owned and replaced whole).

LIST_KEYS = {  # lists of maps merged by key ("listType=map" in the real schema)
    "containers": ("name",), "initContainers": ("name",), "ephemeralContainers": ("name",),
    "env": ("name",), "volumes": ("name",), "volumeMounts": ("mountPath",),
    "imagePullSecrets": ("name",), "hostAliases": ("ip",), "conditions": ("type",),
    "ownerReferences": ("uid",),
}
ATOMIC_MAPS = {"selector", "podSelector", "namespaceSelector", "roleRef"}  # owned as one field
# Maps and pointer structs: when an update creates one, the map itself is owned
# too (shows as ".": {} in FieldsV1). Plain structs (spec, metadata) are not.
DOT_FIELDS = {"labels", "annotations", "data", "binaryData", "stringData", "nodeSelector", "hard",
              "used", "matchLabels", "rollingUpdate", "limits", "requests"}
# Never tracked: set by the server, not by a manager.
UNTRACKED_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                  "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName"}


def list_kind(path, items):
    """'atomic', 'set' or a tuple of key fields for the list at path."""
    name = path[-1][1] if path and path[-1][0] == "f" else None
    if name == "finalizers" and path == (("f", "metadata"), ("f", "finalizers")):
        return "set"
    keys = None
    if name == "ports":
        if len(path) >= 2 and path[-2][0] == "k":  # a container's ports
            keys = ("containerPort", "protocol")
        elif path == (("f", "spec"), ("f", "ports")) and any("targetPort" in i or "port" in i
                                                               for i in items if isinstance(i, dict)):
            keys = ("port", "protocol")  # a Service's ports
    else:
        keys = LIST_KEYS.get(name)
    if keys and all(isinstance(i, dict) and keys[0] in i for i in items):
        return keys
    return "atomic"


def item_key(item, keys):
    return jdump({k: item[k] for k in keys if k in item})


def is_atomic_map(path):
    return bool(path) and path[-1][0] == "f" and path[-1][1] in ATOMIC_MAPS


def tracked(path, scope):
    """Is this path managed at all, for a write to the main resource or to /status?"""
    if not path:
        return False
    if scope == "status":
        return path[0] == ("f", "status")
    if path[0] in (("f", "apiVersion"), ("f", "kind"), ("f", "status")):
        return False
    if path[0] == ("f", "metadata") and (len(path) == 1 or path[1][1] in UNTRACKED_META):
        return False
    return True


def applied_set(obj, scope):
    """The fields an apply configuration sets: its leaves and list items (ToFieldSet)."""
    out = set()

    def walk(v, path):
        if isinstance(v, dict) and not is_atomic_map(path):
            if not v:
                out.add(path)
            for k, c in v.items():
                walk(c, path + (("f", k),)) if c is not None else out.add(path + (("f", k),))
        elif isinstance(v, list):
            kind = list_kind(path, v)
            if kind == "atomic":
                out.add(path)
            elif kind == "set":
                out.update(path + (("v", jdump(e)),) for e in v)
            else:
                for item in v:
                    ip = path + (("k", item_key(item, kind)),)
                    out.add(ip)
                    for k, c in item.items():
                        walk(c, ip + (("f", k),))
        else:
            out.add(path)

    walk(obj, ())
    return {p for p in out if tracked(p, scope)}


def compare(old, new, scope):
    """(added, modified, removed) paths between two objects, as the real Compare reports them."""
    added, modified, removed = set(), set(), set()

    def leaf(o, n, path):
        if o is MISSING:
            added.add(path)
        elif n is MISSING:
            removed.add(path)
        elif not same(o, n):
            modified.add(path)

    def walk(o, n, path):
        ref = n if n is not MISSING else o
        if isinstance(ref, dict) and not is_atomic_map(path) and all(
                x is MISSING or isinstance(x, dict) for x in (o, n)):
            if path and path[-1][0] == "f" and path[-1][1] in DOT_FIELDS and (o is MISSING) != (n is MISSING):
                (added if o is MISSING else removed).add(path)
            od, nd = (o if o is not MISSING else {}), (n if n is not MISSING else {})
            for k in list(od) + [k for k in nd if k not in od]:
                walk(od.get(k, MISSING), nd.get(k, MISSING), path + (("f", k),))
            return
        if isinstance(ref, list) and all(x is MISSING or isinstance(x, list) for x in (o, n)):
            ol, nl = (o if o is not MISSING else []), (n if n is not MISSING else [])
            kind = list_kind(path, ol + nl)
            if kind == "set":
                os_, ns_ = {jdump(e) for e in ol}, {jdump(e) for e in nl}
                added.update(path + (("v", e),) for e in ns_ - os_)
                removed.update(path + (("v", e),) for e in os_ - ns_)
                return
            if kind != "atomic":
                om = {item_key(i, kind): i for i in ol}
                nm = {item_key(i, kind): i for i in nl}
                for key in list(om) + [k for k in nm if k not in om]:
                    ip = path + (("k", key),)
                    if key not in om:
                        added.add(ip)
                    elif key not in nm:
                        removed.add(ip)
                    walk(om.get(key, MISSING), nm.get(key, MISSING), ip)
                return
        leaf(o, n, path)

    walk(old, new, ())
    keep = lambda s: {p for p in s if tracked(p, scope)}  # noqa: E731
    return keep(added), keep(modified), keep(removed)


def pe_fieldsv1(pe):
    t, v = pe
    return "i:%d" % v if t == "i" else "%s:%s" % (t, v)


def to_fieldsv1(paths):
    """A set of paths as the nested FieldsV1 object ("." marks a member that has children)."""
    root = {}
    for p in sorted(paths, key=len):
        node = root
        for pe in p:
            node = node.setdefault(pe_fieldsv1(pe), {})
        node["."] = True

    def render(node):
        children = {k: v for k, v in node.items() if k != "."}
        out = {".": {}} if node.get(".") and children else {}
        for k in sorted(children, key=lambda k: ({"f": 0, "k": 1, "v": 2, "i": 3}[k[0]], k)):
            out[k] = render(children[k])
        return out

    return render(root)


def from_fieldsv1(fields, prefix=()):
    out = set()
    for k, v in fields.items():
        if k == ".":
            out.add(prefix)
            continue
        t, rest = k[0], k[2:]
        pe = (t, int(rest)) if t == "i" else (t, rest) if t == "f" else (t, jdump(json.loads(rest)))
        if v:
            out |= from_fieldsv1(v, prefix + (pe,))
        else:
            out.add(prefix + (pe,))
    return out


def go_quote(v):
    return json.dumps(v) if isinstance(v, str) else jdump(v)


def path_string(path):
    """.spec.template.spec.containers[name="web"].image, as conflict messages print it."""
    s = ""
    for t, v in path:
        if t == "f":
            s += "." + v
        elif t == "k":
            s += "[" + ",".join("%s=%s" % (k, go_quote(x)) for k, x in sorted(json.loads(v).items())) + "]"
        elif t == "v":
            s += "[=%s]" % go_quote(json.loads(v))
        else:
            s += "[%d]" % v
    return s


# --- walking and editing objects by path ---

def step(node, pe):
    t, v = pe
    if t == "f":
        return node.get(v, MISSING) if isinstance(node, dict) else MISSING
    if not isinstance(node, list):
        return MISSING
    if t == "k":
        want = json.loads(v)
        for item in node:
            if isinstance(item, dict) and all(same(item.get(k), x) for k, x in want.items()):
                return item
        return MISSING
    if t == "v":
        return next((e for e in node if jdump(e) == v), MISSING)
    return node[v] if 0 <= v < len(node) else MISSING


def remove_path(obj, path):
    """Delete the value at path; containers left empty on the way up go too."""
    if not path:
        return
    child = step(obj, path[0])
    if child is MISSING:
        return
    if len(path) > 1:
        remove_path(child, path[1:])
        if child not in ({}, []):
            return
    if isinstance(obj, dict):
        del obj[path[0][1]]
    else:
        obj.remove(child)


def merge_apply(live, cfg, path=()):
    """The applied configuration merged over the live object (maps by key, keyed lists by key)."""
    if isinstance(cfg, dict) and isinstance(live, dict) and not is_atomic_map(path):
        out = dict(live)
        for k, v in cfg.items():
            out[k] = merge_apply(live.get(k, MISSING), v, path + (("f", k),))
        return out
    if isinstance(cfg, list) and isinstance(live, list):
        kind = list_kind(path, live + cfg)
        if kind == "set":
            return live + [e for e in cfg if all(not same(e, x) for x in live)]
        if kind != "atomic":
            # The stand-in keeps the live order and appends new items; the real
            # merge interleaves by the applied order (not relied upon by tests).
            by_key = {item_key(i, kind): i for i in cfg}
            out = [merge_apply(i, by_key[item_key(i, kind)], path + (("k", item_key(i, kind)),))
                   if item_key(i, kind) in by_key else i for i in live]
            have = {item_key(i, kind) for i in live}
            return out + [copy.deepcopy(i) for i in cfg if item_key(i, kind) not in have]
    return copy.deepcopy(cfg)


def drop_nulls(v):
    if isinstance(v, dict):
        return {k: drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [drop_nulls(x) for x in v]
    return v


# --- managedFields entries ---

class Owner:
    """One metadata.managedFields entry, with its fields as a set of paths."""

    def __init__(self, manager, operation, api_version, fields, when=None, subresource=""):
        self.manager, self.operation, self.api_version = manager, operation, api_version
        self.fields, self.time, self.subresource = set(fields), when, subresource

    @property
    def ident(self):
        # As BuildManagerIdentifier: appliers are one manager whatever version they use.
        return (self.manager, self.operation, self.api_version if self.operation == "Update" else "",
                self.subresource)

    def printed(self):
        """The manager as conflict messages name it (printManager)."""
        s = json.dumps(self.manager)
        if self.subresource:
            s += " with subresource %s" % json.dumps(self.subresource)
        return s + (" using " + self.api_version if self.operation == "Update" else "")

    def encode(self):
        e = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
             "time": self.time or now_rfc3339(), "fieldsType": "FieldsV1",
             "fieldsV1": to_fieldsv1(self.fields)}
        if self.subresource:
            e["subresource"] = self.subresource
        return e


def decode_owners(obj):
    owners = {}
    for e in (obj or {}).get("metadata", {}).get("managedFields") or []:
        if not isinstance(e, dict) or not e.get("manager") and not e.get("fieldsV1"):
            continue
        o = Owner(e.get("manager", ""), e.get("operation", "Update"), e.get("apiVersion", ""),
                  from_fieldsv1(e.get("fieldsV1") or {}), e.get("time"), e.get("subresource", ""))
        owners[o.ident] = o
    return owners


def encode_owners(obj, owners):
    """Write the entries back, in the real server's order (Apply first, then by time, manager)."""
    live = [o for o in owners.values() if o.fields]
    live.sort(key=lambda o: (o.operation, o.time or "", o.manager, o.api_version, o.subresource))
    if live:
        obj["metadata"]["managedFields"] = [o.encode() for o in live]
    else:
        obj["metadata"].pop("managedFields", None)


def manager_update(old, new, owners, who, scope):
    """An Update operation (POST, PUT, merge patch): who takes what changed, others lose it."""
    added, modified, removed = compare(old if old is not None else {}, new, scope)
    taken = added | modified
    for o in owners.values():
        if o.ident != who.ident:
            o.fields -= taken | removed
    mine = owners.get(who.ident)
    if taken:
        if mine is None:
            mine = owners[who.ident] = who
        mine.fields = (mine.fields - removed) | taken
        mine.time = now_rfc3339()
    elif mine is not None:
        mine.fields -= removed


class ApplyConflict(Exception):
    def __init__(self, pairs):
        super().__init__("conflict")
        self.pairs = pairs  # [(Owner, path)]

    def error(self):
        causes = [{"reason": "FieldManagerConflict", "message": "conflict with " + o.printed(),
                   "field": path_string(p)} for o, p in self.pairs]
        if len(self.pairs) == 1:
            o, p = self.pairs[0]
            msg = "Apply failed with 1 conflict: conflict with %s: %s" % (o.printed(), path_string(p))
        else:
            lines = []
            for o in sorted({o.ident: o for o, _ in self.pairs}.values(), key=lambda o: jdump(o.ident)):
                lines.append("conflicts with %s:" % o.printed())
                lines += ["- " + path_string(p) for x, p in self.pairs if x.ident == o.ident]
            msg = "Apply failed with %d conflicts: %s" % (len(self.pairs), "\n".join(lines))
        return ApiError(409, "Conflict", msg, {"causes": causes})


def server_side_apply(live, cfg, owners, who, force, scope, finish):
    """Server-side apply (structured-merge-diff's Updater.Apply, simplified).

    live: the object without managedFields; cfg: the applied configuration;
    finish: fills in defaults (so that a dropped field falls back to its default).
    Returns the new object; updates owners in place; raises ApplyConflict."""
    mine_before = owners.get(who.ident)
    last = mine_before.fields if mine_before else set()
    cfg_set = applied_set(cfg, scope)
    merged = merge_apply(live, cfg)
    others = [o for o in owners.values() if o.ident != who.ident]
    owned_now = cfg_set.union(*[o.fields for o in others])
    # Fields this applier set before, has dropped now, and nobody else owns, go
    # (longest first; a parent stays while anyone owns something under it).
    for p in sorted(last - owned_now, key=len, reverse=True):
        if not any(q[:len(p)] == p and len(q) > len(p) for q in owned_now):
            remove_path(merged, p)
    merged = finish(drop_nulls(merged))
    added, modified, removed = compare(live, merged, scope)
    pairs = [(o, p) for o in others for p in sorted(o.fields & (added | modified), key=path_string)]
    if pairs and not force:
        raise ApplyConflict(pairs)
    for o in others:
        o.fields -= (added | modified | removed)
    if mine_before is None:
        owners[who.ident] = who
    owners[who.ident].fields = cfg_set
    owners[who.ident].api_version = who.api_version
    if added or modified or removed or mine_before is None:
        owners[who.ident].time = now_rfc3339()
    return merged


# ============================================================================
# 4. Object rules: names, labels, defaults, canonical field order
# ============================================================================

LABEL_RE = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
SUBDOMAIN_RE = LABEL_RE + r"(\." + LABEL_RE + r")*"
DNS1035_RE = r"[a-z]([-a-z0-9]*[a-z0-9])?"
LABEL_VALUE_RE = r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
NAME_PART_RE = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"


def name_errors(rule, name):
    """The messages of apimachinery's validation for each name rule."""
    if rule == "segment":  # path segment names (RBAC)
        if name in (".", ".."):
            return ["may not be '%s'" % name]
        bad = [c for c in ("/", "%") if c in name]
        return ["may not contain '%s'" % c for c in bad]
    if rule == "label":
        errs = [] if len(name) <= 63 else ["must be no more than 63 characters"]
        if not re.fullmatch(LABEL_RE, name):
            errs.append("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                        "regex used for validation is '%s')" % LABEL_RE)
        return errs
    if rule == "dns1035":
        errs = [] if len(name) <= 63 else ["must be no more than 63 characters"]
        if not re.fullmatch(DNS1035_RE, name):
            errs.append("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                        "'abc-123', regex used for validation is '%s')" % DNS1035_RE)
        return errs
    errs = [] if len(name) <= 253 else ["must be no more than 253 characters"]
    if not re.fullmatch(SUBDOMAIN_RE, name):
        errs.append("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                    "for validation is '%s')" % SUBDOMAIN_RE)
    return errs


def label_errors(labels):
    causes = []
    for k, v in (labels or {}).items():
        prefix, _, part = k.rpartition("/")
        if not part or len(part) > 63 or not re.fullmatch(NAME_PART_RE, part) or \
                (prefix and name_errors("subdomain", prefix)):
            causes.append(("metadata.labels", 'Invalid value: %s: name part must consist of alphanumeric '
                           "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                           "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '%s')"
                           % (json.dumps(k), NAME_PART_RE)))
        if not isinstance(v, str) or len(v) > 63 or not re.fullmatch(LABEL_VALUE_RE, v):
            causes.append(("metadata.labels", "Invalid value: %s: a valid label must be an empty string or "
                           "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                           "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                           "validation is '%s')" % (json.dumps(v), LABEL_VALUE_RE)))
    return causes


def validate(res, obj):
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    causes = []
    if not name:
        causes.append(("metadata.name", "Required value: name or generateName is required"))
    else:
        causes += [("metadata.name", "Invalid value: %s: %s" % (json.dumps(name), m))
                   for m in name_errors(res.names, name)]
    causes += label_errors(meta.get("labels"))
    if causes:
        raise err_invalid(res, name, causes)


def default_list_keys(obj):
    """Fill in list-map keys that have defaults (ports' protocol), in objects and apply configurations."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    pods = [spec]
    tmpl = spec.get("template")
    if isinstance(tmpl, dict) and isinstance(tmpl.get("spec"), dict):
        pods.append(tmpl["spec"])
    for pod in pods:
        for field in ("containers", "initContainers"):
            for c in pod.get(field) or []:
                for p in (c.get("ports") or []) if isinstance(c, dict) else []:
                    if isinstance(p, dict) and "containerPort" in p:
                        p.setdefault("protocol", "TCP")
    if obj.get("kind") == "Service":
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and "port" in p:
                p.setdefault("protocol", "TCP")


_cluster_ips = itertools.count(10)


def apply_defaults(res, obj, old):
    """The few defaults the stand-in fills in (the real server fills many more)."""
    default_list_keys(obj)
    spec = obj.get("spec")
    if res.kind == "Deployment" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault("strategy", {"type": "RollingUpdate",
                                     "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
    if res.kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    if res.kind == "Service" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and "port" in p:
                p.setdefault("targetPort", p["port"])
        old_ip = ((old or {}).get("spec") or {}).get("clusterIP")
        if spec.get("type") != "ExternalName" and "clusterIP" not in spec:
            n = next(_cluster_ips)
            spec["clusterIP"] = old_ip or "10.96.%d.%d" % (n // 250, n % 250 + 1)
            spec["clusterIPs"] = [spec["clusterIP"]]
    return obj


META_ORDER = ["name", "generateName", "namespace", "uid", "resourceVersion", "generation",
              "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
              "annotations", "ownerReferences", "finalizers", "managedFields"]


def canonical(obj):
    """apiVersion, kind, metadata (in the real order), the rest, status last."""
    meta = obj.get("metadata", {})
    m = {k: meta[k] for k in META_ORDER if k in meta}
    m.update({k: v for k, v in meta.items() if k not in m})
    out = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": m}
    out.update({k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")})
    if "status" in obj:
        out["status"] = obj["status"]
    return out


def without(obj, *meta_keys):
    o = copy.deepcopy(obj)
    for k in meta_keys:
        o.get("metadata", {}).pop(k, None)
    return o


def spec_part(obj):
    """What the generation counts: everything but metadata and status."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


# ============================================================================
# 5. Selectors
# ============================================================================

def split_terms(s):
    terms, depth, cur = [], 0, ""
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += c
    terms.append(cur)
    return [t.strip() for t in terms if t.strip()]


def parse_label_selector(s):
    """[(key, op, values)] for k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b)."""
    reqs = []
    for term in split_terms(s or ""):
        m = re.fullmatch(r"(\S+)\s+(in|notin)\s*\(([^)]*)\)", term)
        if m:
            vals = [v.strip() for v in m.group(3).split(",") if v.strip()]
            reqs.append((m.group(1), m.group(2), vals))
        elif term.startswith("!"):
            reqs.append((term[1:].strip(), "!", []))
        elif re.fullmatch(r"[^=!\s]+\s*(==|=|!=)\s*[^=!\s]*", term):
            k, op, v = re.fullmatch(r"([^=!\s]+)\s*(==|=|!=)\s*(.*)", term).groups()
            reqs.append((k, "!=" if op == "!=" else "=", [v]))
        elif re.fullmatch(r"[^=!\s()]+", term):
            reqs.append((term, "exists", []))
        else:
            raise err_bad_request("unable to parse requirement: found '%s', expected: "
                                  "'=', '!=', '==', 'in', notin'" % term)
        for v in reqs[-1][2]:
            if len(v) > 63 or not re.fullmatch(LABEL_VALUE_RE, v):
                raise err_bad_request("unable to parse requirement: values[0][%s]: Invalid value: %s: a valid "
                                      "label must be an empty string or consist of alphanumeric characters, '-', "
                                      "'_' or '.', and must start and end with an alphanumeric character"
                                      % (reqs[-1][0], json.dumps(v)))
    return reqs


def labels_match(reqs, labels):
    for key, op, vals in reqs:
        have, v = key in labels, labels.get(key)
        if op == "=":
            ok = have and v == vals[0]
        elif op == "!=":
            ok = not have or v != vals[0]
        elif op == "in":
            ok = have and v in vals
        elif op == "notin":
            ok = not have or v not in vals
        else:
            ok = have if op == "exists" else not have
        if not ok:
            return False
    return True


def parse_field_selector(s):
    reqs = []
    for term in split_terms(s or ""):
        m = re.fullmatch(r"([^=!]+)(==|=|!=)(.*)", term)
        if not m:
            raise err_bad_request("invalid selector: '%s'; can't understand '%s'" % (s, term))
        field, op, value = m.group(1).strip(), m.group(2), m.group(3).strip()
        if field not in ("metadata.name", "metadata.namespace"):
            raise err_bad_request("field label not supported: %s" % field)
        reqs.append((field, op != "!=", value))
    return reqs


def fields_match(reqs, obj):
    meta = obj.get("metadata", {})
    for field, equal, value in reqs:
        have = meta.get(field.split(".", 1)[1], "")
        if (have == value) != equal:
            return False
    return True


class Filter:
    """The label and field selectors of one list or watch."""

    def __init__(self, query, res, ns):
        self.labels = parse_label_selector(query.get("labelSelector", ""))
        self.fields = parse_field_selector(query.get("fieldSelector", ""))
        self.res, self.ns = res, ns
        self.empty = not self.labels and not self.fields

    def key_ok(self, key):
        return key[0] == self.res.group and key[1] == self.res.plural and (not self.ns or key[2] == self.ns)

    def __call__(self, obj):
        if obj is None:
            return False
        return labels_match(self.labels, obj.get("metadata", {}).get("labels") or {}) and \
            fields_match(self.fields, obj)


# ============================================================================
# 6. The store: objects, the resourceVersion counter, the event history
# ============================================================================

HISTORY_MAX = 5000


class Store:
    """Everything lives under one lock; `changed` wakes up the watches."""

    def __init__(self):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.rv = 0
        self.objects = {}        # (group, plural, namespace, name) -> object
        self.history = []        # [(rv, key, type, object, previous object)]
        self.oldest = 0          # history holds every event with rv > oldest
        self.epoch = 0           # bumped by reset: open watches end
        self.on_write = []       # controller hooks: fn(key, old, new)

    def put(self, key, obj, old):
        """Store (obj) or delete (obj None) with a new resourceVersion; record the event."""
        self.rv += 1
        if obj is not None:
            obj["metadata"]["resourceVersion"] = str(self.rv)
            obj = self.objects[key] = canonical(obj)
            etype = "ADDED" if old is None else "MODIFIED"
        else:
            self.objects.pop(key, None)
            etype = "DELETED"
            obj = copy.deepcopy(old)
            obj["metadata"]["resourceVersion"] = str(self.rv)
            obj = canonical(obj)
        self.history.append((self.rv, key, etype, obj, old))
        if len(self.history) > HISTORY_MAX:
            self.oldest = self.history.pop(0)[0]
        self.changed.notify_all()
        for hook in self.on_write:
            hook(key, old, None if etype == "DELETED" else obj)
        return obj

    def compact(self):
        self.history = []
        self.oldest = self.rv

    def parse_rv(self, s):
        try:
            rv = int(s)
            if rv < 0:
                raise ValueError
            return rv
        except (TypeError, ValueError):
            raise err_bad_request("invalid resource version: %s" % json.dumps(s))

    def snapshot(self, rv, flt):
        """The objects flt selects as they were at resourceVersion rv (None: now)."""
        objs = {k: o for k, o in self.objects.items() if flt.key_ok(k)}
        if rv is not None and rv < self.rv:
            if rv < self.oldest:
                return None
            for erv, key, etype, obj, old in reversed(self.history):
                if erv <= rv:
                    break
                if flt.key_ok(key):
                    if old is None:
                        objs.pop(key, None)
                    else:
                        objs[key] = old
        return objs


def sort_key(key):
    return key[2] + "/" + key[3] if key[2] else key[3]


# ============================================================================
# 7. The API: every verb, under the store's lock
# ============================================================================

EXPIRED_CONTINUE = ("The provided continue parameter is too old to display a consistent list result. You can "
                    "start a new list without the continue parameter, or use the continue token in this response "
                    "to retrieve the remainder of the results. Continuing with the provided token results in an "
                    "inconsistent list - objects that were created, modified, or deleted between the time the "
                    "first chunk was returned and now may show up in the list.")
PROTECTED_NAMESPACES = ("default", "kube-system", "kube-public")
CONTROLLER = "kube-controller-manager"


class Api:
    def __init__(self, store):
        self.s = store

    # --- reading ---

    def view(self, obj, gv):
        """A copy to send: relabelled to the version asked for (no field conversion)."""
        o = copy.deepcopy(obj)
        o["apiVersion"] = gv
        return o

    def get(self, res, gv, ns, name):
        with self.s.lock:
            obj = self.s.objects.get((res.group, res.plural, ns, name))
            if obj is None:
                raise err_not_found(res, name)
            return self.view(obj, gv)

    def list(self, res, gv, ns, query):
        flt = Filter(query, res, ns)
        limit = int(query.get("limit") or 0) if (query.get("limit") or "0").isdigit() else 0
        with self.s.lock:
            start, rv = "", None
            if query.get("continue"):
                start, rv = self.decode_continue(query["continue"])
            elif query.get("resourceVersionMatch") == "Exact":
                rv = self.s.parse_rv(query.get("resourceVersion"))
            objs = self.s.snapshot(rv, flt)
            if objs is None:  # rv is older than the history kept
                if query.get("continue"):
                    # As the real server: 410, and a token that continues inconsistently from now.
                    e = err_expired(EXPIRED_CONTINUE)
                    e.list_meta = {"continue": self.encode_continue(self.s.rv, start)}
                    raise e
                raise err_expired("too old resource version: %d (%d)" % (rv, self.s.oldest))
            list_rv = rv if rv is not None else self.s.rv
            keys = sorted((k for k in objs if sort_key(k) > start), key=sort_key)
            items = [self.view(objs[k], gv) for k in keys if flt(objs[k])]
        meta = {"resourceVersion": str(list_rv)}
        if limit and len(items) > limit:
            rest = len(items) - limit
            items = items[:limit]
            last = items[-1]["metadata"]
            meta["continue"] = self.encode_continue(list_rv, sort_key((0, 0, last.get("namespace", ""),
                                                                          last["name"])))
            if flt.empty:
                meta["remainingItemCount"] = rest
        return {"kind": res.kind + "List", "apiVersion": gv, "metadata": meta, "items": items}

    @staticmethod
    def encode_continue(rv, start):
        tok = {"v": "meta.k8s.io/v1", "rv": rv, "start": start + "\u0000"}
        return base64.urlsafe_b64encode(json.dumps(tok, separators=(",", ":")).encode()).decode().rstrip("=")

    @staticmethod
    def decode_continue(token):
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            tok = json.loads(raw)
            if tok.get("v") != "meta.k8s.io/v1" or not isinstance(tok.get("rv"), int):
                raise ValueError("unsupported continue token")
            return tok["start"].rstrip("\u0000"), tok["rv"]
        except (ValueError, KeyError, AttributeError) as e:
            raise err_bad_request("continue key is not valid: %s" % e)

    # --- writing: the common end of every write ---

    def key(self, res, ns, name):
        return (res.group, res.plural, ns if res.namespaced else "", name)

    def need_namespace(self, res, ns, name):
        """Creating in a namespace needs it to exist and not be terminating (NamespaceLifecycle)."""
        if not res.namespaced:
            return
        nso = self.s.objects.get(("", "namespaces", "", ns))
        if nso is None:
            raise err_not_found(NAMESPACES, ns)
        if nso["metadata"].get("deletionTimestamp"):
            raise err_forbidden(res.plural, res.group, name, "unable to create new content in namespace %s "
                                "because it is being terminated" % ns)

    def commit(self, res, gv, key, old, new, owners, dry_run):
        """Finish and store new (old None: a create). Returns (code, object sent)."""
        meta = new["metadata"]
        meta.pop("resourceVersion", None)
        if old is None:
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            meta["generation"] = 1
        else:
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "generation"):
                if k in old["metadata"]:
                    meta[k] = old["metadata"][k]
                else:
                    meta.pop(k, None)
            if not same(spec_part(old), spec_part(new)):
                meta["generation"] = old["metadata"].get("generation", 1) + 1
        encode_owners(new, owners)
        new = canonical(new)
        if old is not None and same(without(old, "resourceVersion"), new):
            return 200, self.view(old, gv)  # nothing changed: no write, same resourceVersion
        if dry_run:
            if old is not None:
                new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return (201 if old is None else 200), self.view(new, gv)
        stored = self.s.put(key, new, old)
        return (201 if old is None else 200), self.view(stored, gv)

    def prepare(self, res, gv, ns, name, body, what):
        """Check a body's apiVersion, kind, name and namespace against the URL."""
        if not isinstance(body, dict):
            raise err_bad_request("the body of the request must be a JSON object (%s)" % what)
        if body.get("apiVersion") not in (None, gv):
            raise err_bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                  % (body.get("apiVersion"), gv))
        if body.get("kind") not in (None, res.kind):
            raise err_bad_request("the kind in the data (%s) does not match the expected kind (%s)"
                                  % (body.get("kind"), res.kind))
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise err_bad_request("metadata must be an object")
        if name is not None and meta.get("name") not in (None, name):
            raise err_bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                  % (meta.get("name"), name))
        if name is not None:
            meta["name"] = name
        if res.namespaced:
            if meta.get("namespace") not in (None, "", ns):
                raise err_bad_request("the namespace of the provided object does not match the namespace sent "
                                      "on the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        body["apiVersion"], body["kind"] = gv, res.kind
        return body

    def keep_scope(self, res, old, new, sub):
        """A write to the main resource cannot change status; a write to /status only changes status."""
        if sub == "status":
            out = copy.deepcopy(old)
            if "status" in new:
                out["status"] = new["status"]
            else:
                out.pop("status", None)
            return out
        if res.status:
            new.pop("status", None)
            if old is not None and "status" in old:
                new["status"] = copy.deepcopy(old["status"])
        return new

    def finish_create(self, res, obj):
        """What the server sets on a new object (the namespace's phase, as its strategy does)."""
        if res.kind == "Namespace":
            obj["status"] = {"phase": "Active"}
        return obj

    # --- the verbs ---

    def create(self, res, gv, ns, body, who, dry_run):
        body = self.prepare(res, gv, ns, None, body, "create")
        meta = body["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(secrets.choice("bcdfghjklmnpqrstvwxz2456789")
                                                          for _ in range(5))
        with self.s.lock:
            validate(res, body)
            name = meta["name"]
            self.need_namespace(res, ns, name)
            key = self.key(res, ns, name)
            if key in self.s.objects:
                raise err_already_exists(res, name)
            new = apply_defaults(res, self.keep_scope(res, None, drop_nulls(body), ""), None)
            owners = {}
            new.get("metadata", {}).pop("managedFields", None)
            manager_update(None, new, owners, who, "main")
            new = self.finish_create(res, new)
            return self.commit(res, gv, key, None, new, owners, dry_run)

    def replace(self, res, gv, ns, name, body, who, sub, dry_run):
        body = self.prepare(res, gv, ns, name, body, "update")
        with self.s.lock:
            key = self.key(res, ns, name)
            old = self.s.objects.get(key)
            if old is None:
                raise err_not_found(res, name)
            want_rv = body["metadata"].get("resourceVersion")
            if want_rv and want_rv != old["metadata"]["resourceVersion"]:
                raise err_modified(res, name)
            return self.update_with(res, gv, key, old, body, who, sub, dry_run)

    def update_with(self, res, gv, key, old, new, who, sub, dry_run):
        """The common part of PUT and merge patch: an Update operation by who."""
        given = decode_owners(new)
        owners = given if given and sub != "status" else decode_owners(old)
        new = self.keep_scope(res, old, drop_nulls(new), sub)
        validate(res, new)
        new = apply_defaults(res, new, old)
        new["metadata"].pop("managedFields", None)
        live = without(old, "managedFields")
        who.subresource = sub
        manager_update(live, new, owners, who, "status" if sub == "status" else "main")
        return self.commit(res, gv, key, old, new, owners, dry_run)

    def merge_patch(self, res, gv, ns, name, patch, who, sub, dry_run):
        if not isinstance(patch, dict):
            raise err_bad_request("the patch must be a JSON object")
        with self.s.lock:
            key = self.key(res, ns, name)
            old = self.s.objects.get(key)
            if old is None:
                raise err_not_found(res, name)
            want_rv = (patch.get("metadata") or {}).get("resourceVersion")
            if want_rv and want_rv != old["metadata"]["resourceVersion"]:
                raise err_modified(res, name)
            new = json_merge_patch(copy.deepcopy(old), patch)
            new = self.prepare(res, gv, ns, name, new, "patch")
            return self.update_with(res, gv, key, old, new, who, sub, dry_run)

    def apply(self, res, gv, ns, name, cfg, who, force, sub, dry_run):
        if cfg.get("apiVersion") != gv:
            raise err_bad_request("Incorrect version specified in apply patch. Specified patch version: %s, "
                                  "expected: %s" % (cfg.get("apiVersion", ""), gv))
        if cfg.get("kind") != res.kind:
            raise err_bad_request("the kind in the apply patch (%s) does not match the expected kind (%s)"
                                  % (cfg.get("kind", ""), res.kind))
        if (cfg.get("metadata") or {}).get("managedFields") is not None:
            raise err_bad_request("metadata.managedFields must be nil")
        cfg = self.prepare(res, gv, ns, name, cfg, "apply")
        default_list_keys(cfg)
        scope = "status" if sub == "status" else "main"
        with self.s.lock:
            key = self.key(res, ns, name)
            old = self.s.objects.get(key)
            want_rv = cfg["metadata"].get("resourceVersion")
            if want_rv and (old is None or want_rv != old["metadata"]["resourceVersion"]):
                raise err_modified(res, name) if old is not None else err_not_found(res, name)
            if old is None:
                if sub:
                    raise err_not_found(res, name)
                self.need_namespace(res, ns, name)
                live = {"apiVersion": gv, "kind": res.kind, "metadata": {"name": name}}
                if res.namespaced:
                    live["metadata"]["namespace"] = ns
            else:
                live = without(old, "managedFields")
            cfg = copy.deepcopy(cfg)
            for k in UNTRACKED_META - {"name", "namespace"}:
                cfg["metadata"].pop(k, None)
            if scope == "main":
                cfg.pop("status", None)  # status belongs to the status subresource
            else:
                cfg = {"apiVersion": gv, "kind": res.kind, "metadata": cfg["metadata"],
                       "status": cfg.get("status", {})}
            owners = decode_owners(old)
            who.operation, who.subresource = "Apply", sub

            def finish(obj):
                validate(res, obj)
                return apply_defaults(res, obj, old)

            try:
                new = server_side_apply(live, cfg, owners, who, force, scope, finish)
            except ApplyConflict as c:
                raise c.error()
            if old is None:
                new = self.finish_create(res, new)
            return self.commit(res, gv, key, old, new, owners, dry_run)

    def delete(self, res, gv, ns, name, opts, dry_run):
        with self.s.lock:
            key = self.key(res, ns, name)
            old = self.s.objects.get(key)
            if old is None:
                raise err_not_found(res, name)
            pre = (opts or {}).get("preconditions") or {}
            if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the ResourceVersion '
                               "in the precondition (%s) does not match the ResourceVersion in record (%s). The "
                               "object might have been modified" % (res.qualified(), name, pre["resourceVersion"],
                                                                     old["metadata"]["resourceVersion"]),
                               details_for(res, name))
            if pre.get("uid") and pre["uid"] != old["metadata"]["uid"]:
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": Precondition failed: '
                               "UID in precondition: %s, UID in object meta: %s" % (
                                   res.qualified(), name, pre["uid"], old["metadata"]["uid"]),
                               details_for(res, name))
            if res.kind == "Namespace":
                return self.delete_namespace(res, gv, key, old, dry_run)
            if not dry_run:
                self.s.put(key, None, old)
            d = details_for(res, name)
            d["uid"] = old["metadata"]["uid"]
            return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": d}

    def delete_namespace(self, res, gv, key, old, dry_run):
        """A namespace is not gone at once: Terminating now, gone with its content ~1 s later."""
        name = key[3]
        if name in PROTECTED_NAMESPACES:
            raise err_forbidden("namespaces", "", name, "this namespace may not be deleted")
        if old["metadata"].get("deletionTimestamp"):
            return 200, self.view(old, gv)
        new = copy.deepcopy(old)
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new["status"] = {"phase": "Terminating"}
        if dry_run:
            return 200, self.view(new, gv)
        stored = self.s.put(key, canonical(new), old)
        SCHEDULER.at(1.0, finalize_namespace, self.s, name, self.s.epoch)
        return 200, self.view(stored, gv)

    def delete_collection(self, res, gv, ns, query, dry_run):
        flt = Filter(query, res, ns)
        with self.s.lock:
            keys = sorted((k for k, o in self.s.objects.items() if flt.key_ok(k) and flt(o)), key=sort_key)
            items = []
            for k in keys:
                old = self.s.objects[k]
                items.append(self.view(old, gv))
                if not dry_run:
                    self.s.put(k, None, old)
            return 200, {"kind": res.kind + "List", "apiVersion": gv,
                         "metadata": {"resourceVersion": str(self.s.rv)}, "items": items}


def json_merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = json_merge_patch(target.get(k), v)
    return target


# ============================================================================
# 8. Simulated controllers
# ============================================================================

class Scheduler(threading.Thread):
    """Runs fn(*args) after a delay, on one thread."""

    def __init__(self):
        super().__init__(daemon=True)
        self.cond = threading.Condition()
        self.heap, self.seq = [], itertools.count()

    def at(self, delay, fn, *args):
        with self.cond:
            heapq.heappush(self.heap, (time.monotonic() + delay, next(self.seq), fn, args))
            self.cond.notify()

    def run(self):
        while True:
            with self.cond:
                while not self.heap or self.heap[0][0] > time.monotonic():
                    self.cond.wait(self.heap[0][0] - time.monotonic() if self.heap else None)
                _, _, fn, args = heapq.heappop(self.heap)
            try:
                fn(*args)
            except Exception as e:  # a controller bug must not stop the others
                print("kube-apiserver: controller %s: %r" % (fn.__name__, e), file=sys.stderr, flush=True)


SCHEDULER = Scheduler()
STUCK, FAIL = "standin.cloudctl.dev/stuck", "standin.cloudctl.dev/fail"


def write_status(store, key, status):
    """A status update by kube-controller-manager through the status subresource."""
    old = store.objects.get(key)
    if old is None or same(old.get("status"), status):
        return
    new = copy.deepcopy(old)
    new["status"] = status
    owners = decode_owners(old)
    who = Owner(CONTROLLER, "Update", old["apiVersion"], set(), subresource="status")
    manager_update(without(old, "managedFields"), without(new, "managedFields"), owners, who, "status")
    encode_owners(new, owners)
    new["metadata"].pop("resourceVersion", None)
    store.put(key, canonical(new), old)


def condition(old_conds, ctype, status, reason, message):
    """A Deployment condition; lastTransitionTime kept while its status stays the same."""
    now = now_rfc3339()
    prev = next((c for c in old_conds if c.get("type") == ctype), {})
    return {"type": ctype, "status": status,
            "lastUpdateTime": prev.get("lastUpdateTime", now) if prev.get("reason") == reason else now,
            "lastTransitionTime": prev.get("lastTransitionTime", now) if prev.get("status") == status else now,
            "reason": reason, "message": message}


def deployment_status(obj, done):
    spec, meta = obj.get("spec") or {}, obj["metadata"]
    ann = meta.get("annotations") or {}
    replicas = spec.get("replicas", 1)
    prev = obj.get("status") or {}
    conds = prev.get("conditions") or []
    template = jdump(spec.get("template"))
    rs = "%s-%s" % (meta["name"], hashlib.sha256(template.encode()).hexdigest()[:10])
    stuck, fail = ann.get(STUCK) == "true", ann.get(FAIL) == "true"
    if done and not stuck and not fail:
        avail = replicas
        updated = replicas
        available = condition(conds, "Available", "True", "MinimumReplicasAvailable",
                              "Deployment has minimum availability.")
        progressing = condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                                'ReplicaSet "%s" has successfully progressed.' % rs)
    else:
        was = next((c for c in conds if c.get("type") == "Available"), {})
        avail = 0 if stuck or fail or was.get("status") != "True" else min(prev.get("availableReplicas", 0),
                                                                            replicas)
        updated = 0
        available = condition(conds, "Available", "True", "MinimumReplicasAvailable",
                              "Deployment has minimum availability.") if avail else \
            condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                      "Deployment does not have minimum availability.")
        if done and fail:
            progressing = condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                                    'ReplicaSet "%s" has timed out progressing.' % rs)
        else:
            progressing = condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                                    'ReplicaSet "%s" is progressing.' % rs)
    status = {"observedGeneration": meta.get("generation", 1), "replicas": replicas,
              "updatedReplicas": updated, "readyReplicas": avail, "availableReplicas": avail}
    if replicas - avail > 0:
        status["unavailableReplicas"] = replicas - avail
    status = {k: v for k, v in status.items() if v != 0 or k == "observedGeneration"}
    status["conditions"] = [available, progressing]
    return status


def reconcile_deployment(store, key, generation, done):
    with store.lock:
        obj = store.objects.get(key)
        if obj is None or obj["metadata"].get("generation") != generation:
            return  # gone, or a newer write has its own turn
        write_status(store, key, deployment_status(obj, done))


QUOTA_COUNTS = {"pods": ("", "pods"), "services": ("", "services"), "configmaps": ("", "configmaps"),
                "secrets": ("", "secrets"), "resourcequotas": ("", "resourcequotas")}


def quota_counted(store, ns, name):
    """How many objects a quota key like pods or count/deployments.apps counts, or None."""
    if name in QUOTA_COUNTS:
        group, plural = QUOTA_COUNTS[name]
    elif name.startswith("count/"):
        plural, _, group = name[len("count/"):].partition(".")
    else:
        return None
    return sum(1 for k in store.objects if k[0] == group and k[1] == plural and k[2] == ns)


def reconcile_quotas(store, ns):
    with store.lock:
        for key, obj in list(store.objects.items()):
            if key[:3] != ("", "resourcequotas", ns):
                continue
            hard = (obj.get("spec") or {}).get("hard") or {}
            used = {}
            for k in hard:
                n = quota_counted(store, ns, k)
                used[k] = str(n) if n is not None else "0"
            write_status(store, key, {"hard": dict(hard), "used": used} if hard else {})


def finalize_namespace(store, name, epoch):
    """The namespace controller: remove everything in it, then the namespace."""
    with store.lock:
        if store.epoch != epoch:
            return
        for key in sorted([k for k in store.objects if k[2] == name], key=sort_key):
            store.put(key, None, store.objects[key])
        key = ("", "namespaces", "", name)
        if key in store.objects:
            store.put(key, None, store.objects[key])


def controller_hook(store):
    """Called under the lock after every write: schedule what a controller would do."""
    def hook(key, old, new):
        group, plural, ns, name = key
        if plural == "deployments" and group == "apps" and new is not None:
            changed = old is None or not same(spec_part(old), spec_part(new)) or \
                old["metadata"].get("annotations") != new["metadata"].get("annotations")
            if changed:
                gen = new["metadata"].get("generation")
                SCHEDULER.at(0.05, reconcile_deployment, store, key, gen, False)
                SCHEDULER.at(0.3, reconcile_deployment, store, key, gen, True)
        if ns and not (plural == "resourcequotas" and old is not None and new is not None and
                       same(spec_part(old), spec_part(new))):
            SCHEDULER.at(0.1, reconcile_quotas, store, ns)
    return hook


def seed(store):
    """The namespaces every cluster has."""
    with store.lock:
        seed_locked(store)


def seed_locked(store):
    for name in PROTECTED_NAMESPACES:
        obj = {"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": name, "uid": str(uuid.uuid4()), "creationTimestamp": now_rfc3339(),
                            "labels": {"kubernetes.io/metadata.name": name}},
               "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
        store.put(("", "namespaces", "", name), canonical(obj), None)


# ============================================================================
# 9. Authentication and authorization
# ============================================================================

class User:
    def __init__(self, name, groups):
        self.name, self.groups = name, groups

    @property
    def admin(self):
        return "system:masters" in self.groups


def load_tokens(path):
    """kube-apiserver's --token-auth-file: token,user,uid,"group1,group2"."""
    import csv
    tokens = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 3 and not row[0].startswith("#"):
                groups = [g for g in (row[3].split(",") if len(row) > 3 else []) if g]
                tokens[row[0]] = User(row[1], groups + ["system:authenticated"])
    return tokens


def cert_user(cert):
    """The user of a verified client certificate: CN the name, O the groups."""
    if not cert:
        return None
    name, groups = None, []
    for rdn in cert.get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                name = v
            elif k == "organizationName":
                groups.append(v)
    return User(name, groups + ["system:authenticated"]) if name else None


READ_VERBS = ("get", "list", "watch")


def authorize(user, verb, res_name, group, ns, name, sub):
    """system:masters may do anything; everyone else may read (403 with RBAC's wording otherwise)."""
    if user.admin or verb in READ_VERBS:
        return
    resource = res_name + ("/" + sub if sub else "")
    where = 'in the namespace "%s"' % ns if ns else "at the cluster scope"
    why = 'User "%s" cannot %s resource "%s" in API group "%s" %s' % (user.name, verb, resource, group, where)
    raise err_forbidden(res_name, group, name, why, sub)


# ============================================================================
# 10. HTTP
# ============================================================================

class Route:
    """A resource request: /api/v1/... or /apis/GROUP/VERSION/..., parsed as the real RequestInfo does."""

    def __init__(self, group, version, parts):
        self.group, self.version, self.gv = group, version, gv_string(group, version)
        self.ns, self.name, self.sub = "", None, ""
        if len(parts) >= 2 and parts[0] == "namespaces":
            self.ns = parts[1]
            if len(parts) > 2 and parts[2] not in ("status", "finalize"):
                parts = parts[2:]
        self.plural = parts[0]
        if self.plural == "namespaces" and self.ns:  # /namespaces/NAME[/status]
            self.name, self.ns = self.ns, ""
            self.sub = parts[2] if len(parts) > 2 else ""
            self.extra = parts[3:]
        else:
            self.name = parts[1] if len(parts) > 1 else None
            self.sub = parts[2] if len(parts) > 2 else ""
            self.extra = parts[3:]
        self.res = find_resource(group, version, self.plural)

    def check(self):
        r = self.res
        if r is None or self.extra or (self.ns and not r.namespaced) or \
                (r.namespaced and self.name is not None and not self.ns) or \
                (self.sub and (self.sub != "status" or not r.status)):
            raise ERR_NO_ROUTE


STATE = {}  # filled by main(): store, api, tokens, requests log


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudctl-kube-standin/1"
    timeout = 120  # an idle keep-alive connection does not hold a thread forever
    disable_nagle_algorithm = True

    def setup(self):
        # The TLS handshake happens in the connection's own thread.
        self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        pass

    # --- replies ---

    def send_json(self, code, obj, headers=()):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.code = code

    def send_error_status(self, e):
        st = e.status()
        if getattr(e, "list_meta", None):
            st["metadata"] = e.list_meta
        self.send_json(e.code, st)

    def send_text(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.code = code

    # --- the request ---

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def authenticate(self):
        cert = cert_user(self.request.getpeercert())
        if cert:
            return cert
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            user = STATE["tokens"].get(auth[len("Bearer "):].strip())
            if user:
                return user
        raise ERR_UNAUTHORIZED

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        self.code, self.user = 0, None
        body = self.read_body()
        path = url.path.rstrip("/") or "/"
        try:
            if path in ("/healthz", "/livez", "/readyz") and self.command == "GET":
                return self.send_text(200, "ok")
            if path == "/version" and self.command == "GET":
                return self.send_json(200, {"major": "1", "minor": "30", "gitVersion": "v1.30.0-cloudctl-standin",
                                            "platform": "linux/amd64"})
            self.user = self.authenticate()
            if path.startswith("/standin/"):
                return self.standin(path, body)
            delay = STATE.get("delays", {}).get(self.command, 0)
            if delay:
                time.sleep(delay)
            self.route(path, body)
        except ApiError as e:
            self.send_error_status(e)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the stand-in: say so, as the real server's 500 does
            import traceback
            traceback.print_exc()
            self.send_error_status(ApiError(500, "InternalError", "Internal error occurred: %r" % e,
                                            {"causes": [{"message": repr(e)}]}))
        finally:
            if not path.startswith("/standin/") and self.code:
                self.log_request_seen(url, path)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def log_request_seen(self, url, path):
        entry = {"method": self.command, "path": path, "query": url.query,
                 "contentType": self.headers.get("Content-Type", ""),
                 "user": self.user.name if self.user else "", "code": self.code}
        with STATE["log_lock"]:
            STATE["requests"].append(entry)
            del STATE["requests"][:-10000]

    def route(self, path, body):
        parts = path.strip("/").split("/")
        if parts[0] == "api":
            if len(parts) == 1:
                return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                                            "serverAddress": self.server.addr}]})
            if parts[1] != "v1":
                raise ERR_NO_ROUTE
            group, version, rest = "", "v1", parts[2:]
        elif parts[0] == "apis":
            if len(parts) == 1:
                return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                            "groups": [api_group(g) for g in GROUPS]})
            if parts[1] not in GROUPS:
                raise ERR_NO_ROUTE
            if len(parts) == 2:
                g = api_group(parts[1])
                return self.send_json(200, dict({"kind": "APIGroup", "apiVersion": "v1"}, **g))
            if parts[2] not in group_versions(parts[1]):
                raise ERR_NO_ROUTE
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ERR_NO_ROUTE
        if not rest:
            doc = {"kind": "APIResourceList", "groupVersion": gv_string(group, version),
                   "resources": discovery_resources(group, version)}
            if group:  # the real /api/v1 document has no apiVersion; the group ones do
                doc = dict({"kind": "APIResourceList", "apiVersion": "v1"}, **doc)
            if self.command != "GET":
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                               "requested resource", {})
            return self.send_json(200, doc)
        r = Route(group, version, rest)
        r.check()
        self.resource_request(r, body)

    def verb(self, r):
        collection = r.name is None
        if self.command == "GET":
            if collection:
                return "watch" if self.query.get("watch") in ("1", "true") else "list"
            return "get"
        verbs = {"POST": "create" if collection else None, "PUT": None if collection else "update",
                 "PATCH": None if collection else "patch",
                 "DELETE": "deletecollection" if collection else "delete"}
        v = verbs.get(self.command)
        if v is None or (v == "deletecollection" and v not in r.res.verbs) or \
                (r.sub and v not in ("get", "update", "patch")):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                           "resource", {})
        return v

    def manager_for(self, r):
        """The Update manager: fieldManager, else the User-Agent's product, as the real server does."""
        m = self.query.get("fieldManager") or (self.headers.get("User-Agent") or "").split("/")[0] or "unknown"
        return Owner(m, "Update", r.gv, set(), subresource=r.sub)

    def resource_request(self, r, body):
        verb = self.verb(r)
        authorize(self.user, verb, r.res.plural, r.group, r.ns, r.name or "", r.sub)
        api = STATE["api"]
        dry = self.query.get("dryRun") == "All"
        if self.query.get("dryRun") not in (None, "", "All"):
            raise err_bad_request('dryRun: Unsupported value: "%s": supported values: "All"' % self.query["dryRun"])
        if verb == "get":
            return self.send_json(200, api.get(r.res, r.gv, r.ns, r.name))
        if verb == "list":
            return self.send_json(200, api.list(r.res, r.gv, r.ns, self.query))
        if verb == "watch":
            return self.watch(r)
        if verb == "delete":
            return self.send_json(*api.delete(r.res, r.gv, r.ns, r.name, self.json_body(body, optional=True), dry))
        if verb == "deletecollection":
            return self.send_json(*api.delete_collection(r.res, r.gv, r.ns, self.query, dry))
        if verb == "create":
            return self.send_json(*api.create(r.res, r.gv, r.ns, self.json_body(body), self.manager_for(r), dry))
        if verb == "update":
            return self.send_json(*api.replace(r.res, r.gv, r.ns, r.name, self.json_body(body),
                                               self.manager_for(r), r.sub, dry))
        self.patch(r, body, dry)

    def json_body(self, body, optional=False):
        if optional and not body.strip():
            return None
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            return json.loads(body)
        except ValueError as e:
            if "yaml" in ctype:
                raise ApiError(415, "UnsupportedMediaType", "the stand-in API server reads only JSON request "
                               "bodies (got %s)" % ctype, {})
            raise err_bad_request("couldn't get version/kind; json parse error: %s" % e)

    def patch(self, r, body, dry):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        api = STATE["api"]
        apply = ctype == "application/apply-patch+yaml"
        if ctype not in ("application/merge-patch+json", "application/apply-patch+yaml"):
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                           "accepted media types include: application/merge-patch+json, "
                           "application/apply-patch+yaml (the stand-in API server does not implement "
                           "application/json-patch+json or application/strategic-merge-patch+json)", {})
        force = self.query.get("force")
        if apply and not self.query.get("fieldManager"):
            raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                           "is required for apply patch",
                           {"group": "meta.k8s.io", "kind": "PatchOptions",
                            "causes": [{"reason": "FieldValueRequired", "message": "Required value: is required "
                                        "for apply patch", "field": "fieldManager"}]})
        if not apply and force is not None:
            raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
                           "specified for non-apply patch",
                           {"group": "meta.k8s.io", "kind": "PatchOptions",
                            "causes": [{"reason": "FieldValueForbidden", "message": "Forbidden: may not be "
                                        "specified for non-apply patch", "field": "force"}]})
        try:
            doc = json.loads(body)
        except ValueError as e:
            if apply:
                raise err_bad_request("error decoding YAML: the stand-in API server reads only JSON apply bodies "
                                      "(JSON is YAML; cloudctl sends JSON): %s" % e)
            raise err_bad_request("error decoding patch: %s" % e)
        if not apply:
            return self.send_json(*api.merge_patch(r.res, r.gv, r.ns, r.name, doc, self.manager_for(r), r.sub,
                                                   dry))
        if not isinstance(doc, dict):
            raise err_bad_request("error decoding YAML: the apply body is not an object")
        who = Owner(self.query["fieldManager"], "Apply", r.gv, set(), subresource=r.sub)
        self.send_json(*api.apply(r.res, r.gv, r.ns, r.name, doc, who, force in ("true", "1"), r.sub, dry))

    # --- watch ---

    def watch(self, r):
        store = STATE["store"]
        flt = Filter(self.query, r.res, r.ns)
        timeout = float(self.query.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        rv_param = self.query.get("resourceVersion", "")
        with store.lock:
            epoch = store.epoch
            if rv_param in ("", "0"):
                # No version: the current state as synthetic ADDED events, then what follows.
                objs = store.snapshot(None, flt)
                pending = [("ADDED", objs[k]) for k in sorted(objs, key=sort_key) if flt(objs[k])]
                last = store.rv
            else:
                last = store.parse_rv(rv_param)
                pending = []
                if last < store.oldest:
                    pending = [("ERROR", err_expired("too old resource version: %d (%d)"
                                                     % (last, store.oldest)).status())]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.code = 200
        try:
            while True:
                for etype, obj in pending:
                    self.chunk({"type": etype, "object": STATE["api"].view(obj, r.gv) if etype != "ERROR" else obj})
                if pending and pending[-1][0] == "ERROR":
                    break
                with store.lock:
                    pending, last = self.events_after(store, last, flt)
                    if not pending:
                        left = deadline - time.monotonic()
                        if left <= 0 or store.epoch != epoch:
                            break
                        store.changed.wait(min(left, 1.0))
                        pending, last = self.events_after(store, last, flt)
                    if store.epoch != epoch:
                        break
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    @staticmethod
    def events_after(store, last, flt):
        """The events after resourceVersion last that flt selects, as the watch cache sends them."""
        out = []
        for erv, key, etype, obj, old in store.history:
            if erv <= last or not flt.key_ok(key):
                continue
            new_ok = etype != "DELETED" and flt(obj)
            old_ok = old is not None and flt(old)
            if etype == "DELETED":
                if old_ok:
                    out.append(("DELETED", obj))
            elif new_ok and old_ok:
                out.append(("MODIFIED", obj))
            elif new_ok:
                out.append(("ADDED", obj))
            elif old_ok:  # no longer selected: a DELETED with the previous object
                gone = copy.deepcopy(old)
                gone["metadata"]["resourceVersion"] = str(erv)
                out.append(("DELETED", gone))
        return out, store.rv

    def chunk(self, event):
        data = (json.dumps(event) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    # --- test-only endpoints ---

    def standin(self, path, body):
        if not self.user.admin:
            # A non-resource URL: the real server's wording for those.
            raise ApiError(403, "Forbidden", 'forbidden: User "%s" cannot %s path "%s"' % (
                self.user.name, self.command.lower(), path), {})
        store = STATE["store"]
        if path == "/standin/reset" and self.command == "POST":
            with store.lock:
                store.objects.clear()
                store.epoch += 1
                store.changed.notify_all()
                seed_locked(store)
                store.compact()
            with STATE["log_lock"]:
                STATE["requests"].clear()
            STATE["delays"] = {}
            return self.send_json(200, {"reset": True, "resourceVersion": str(store.rv)})
        if path == "/standin/delay" and self.command == "POST":
            want = self.json_body(body)
            if not isinstance(want, dict) or not isinstance(want.get("method"), str) or \
                    not isinstance(want.get("seconds"), (int, float)) or not 0 <= want["seconds"] <= 10:
                raise err_bad_request('want {"method": "PATCH", "seconds": 0 to 10}')
            delays = dict(STATE.get("delays", {}))
            delays[want["method"].upper()] = want["seconds"]
            STATE["delays"] = delays
            return self.send_json(200, {"delays": delays})
        if path == "/standin/compact" and self.command == "POST":
            with store.lock:
                store.compact()
                return self.send_json(200, {"compacted": str(store.rv)})
        if path == "/standin/requests" and self.command in ("GET", "DELETE"):
            with STATE["log_lock"]:
                items = list(STATE["requests"])
                if self.command == "DELETE":
                    STATE["requests"].clear()
            return self.send_json(200, {"items": items})
        raise ERR_NO_ROUTE


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, ssl.SSLError) and "EOF" not in str(exc):
            print("kube-apiserver: TLS handshake with %s:%d failed: %s" % (client_address + (exc,)),
                  file=sys.stderr, flush=True)
        elif not isinstance(exc, (ssl.SSLError, OSError)):  # a client going away is not news
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="stand-in Kubernetes API server for cloudctl's tests")
    ap.add_argument("--dir", required=True, help="state directory: ca.crt, server.crt, server.key, tokens.csv")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("KUBE_STANDIN_PORT") or 16443))
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(args.dir, "server.crt"), os.path.join(args.dir, "server.key"))
    ctx.load_verify_locations(os.path.join(args.dir, "ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL  # client certificates are one way to authenticate, not required

    store = Store()
    store.on_write.append(controller_hook(store))
    seed(store)
    with store.lock:
        store.compact()
    STATE.update(store=store, api=Api(store), tokens=load_tokens(os.path.join(args.dir, "tokens.csv")),
                 requests=[], log_lock=threading.Lock())
    SCHEDULER.start()

    httpd = Server((args.host, args.port), Handler)
    httpd.ssl_context = ctx
    httpd.addr = "%s:%d" % (args.host, args.port)
    print("kube-apiserver stand-in: listening on https://%s" % httpd.addr, flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
