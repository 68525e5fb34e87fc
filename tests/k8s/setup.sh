#!/bin/bash
# tests/k8s/setup.sh: install the npm packages of tests/k8s (kubernetes-models, js-yaml; pinned
# in package.json, exact tree in package-lock.json) into tests/k8s/node_modules with `npm ci`,
# unless node_modules already matches package-lock.json. Needs the npm registry once; after
# that validate.js and kubectl-oracle.sh --normalise work offline. Prints one line.
# Exit 0: ready. 69: node (>= 18) or npm missing, the install line on stderr; or the npm
# registry unreachable. 1: npm ci failed otherwise (its log on stderr).
# Safe to run concurrently (flock on this directory) and repeatedly.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE" || exit 1
APT="apt-get install -y --no-install-recommends nodejs npm"

if ! command -v node >/dev/null 2>&1; then
	echo "k8s setup: node missing; as root run: apt-get update && $APT" >&2; exit 69; fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 18 ]; then
	echo "k8s setup: node $(node --version 2>/dev/null) is older than 18; install node >= 18 (Debian 12: $APT)" >&2; exit 69; fi

# node_modules is current when the lockfile it was installed from is this one and the
# packages load (a half-finished or hand-edited tree fails the require).
stamp=node_modules/.cloudctl-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
current() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
		node -e 'require("js-yaml"); require("kubernetes-models/v1"); require("@kubernetes-models/validate")' 2>/dev/null
}

exec 9<"$HERE"
flock 9
if current; then
	echo "k8s setup: node_modules up to date (node $(node --version))"; exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
	echo "k8s setup: npm missing; as root run: apt-get update && ${APT% nodejs npm} npm" >&2; exit 69; fi
log=$(mktemp /tmp/cloudctl-k8s-npm.XXXXXX)
trap 'rm -f "$log"' EXIT
t0=$(date +%s)
if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
	if grep -qE 'E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|network' "$log"; then
		code=$(sed -n 's/^npm error code //p' "$log" | head -1)
		echo "k8s setup: npm ci failed: npm registry $(npm config get registry 2>/dev/null) unreachable (${code:-network error})" >&2
		exit 69; fi
	echo "k8s setup: npm ci failed:" >&2; tail -30 "$log" >&2; exit 1
fi
echo "$want" > "$stamp"
if ! current; then echo "k8s setup: npm ci succeeded but the packages do not load" >&2; exit 1; fi
echo "k8s setup: npm ci done in $(( $(date +%s) - t0 ))s (node $(node --version), npm $(npm --version 2>/dev/null))"
