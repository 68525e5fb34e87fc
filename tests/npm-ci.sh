# shellcheck shell=bash
# tests/npm-ci.sh: what tests/ci/setup.sh and tests/k8s/setup.sh share: `npm ci` of the
# package directory they cd to, unless its node_modules already matches package-lock.json.
# Source it from that directory, after `set -uo pipefail`. It checks that node is there
# (else exit 69, the apt-get line on stderr). The caller then defines current (0 when
# the tools in node_modules start) and calls
#   npm_ci NAME NODE WHAT
# which exits: 0 ready (one line "NAME setup: ..." on stdout); 69 npm missing or the npm
# registry unreachable; 1 npm ci failed (its log on stderr) or, after it, current still
# fails ("npm ci succeeded but WHAT"). NODE is the node binary named in those lines.
# Safe to run concurrently (flock on the directory) and repeatedly.
NPM_APT="apt-get install -y --no-install-recommends nodejs npm"
if ! command -v node >/dev/null 2>&1; then
	echo "$(basename "$PWD") setup: node missing; as root run: apt-get update && $NPM_APT" >&2; exit 69; fi
# node_modules is current when the lockfile it was installed from is this one (its
# sha256 is written there once npm ci succeeded) and its tools start (a half-finished
# or hand-edited tree fails).
stamp=node_modules/.cloudctl-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
ready() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && current; }

npm_ci() {
	local name=$1 node=$2 what=$3 t0 code
	exec 9<"$PWD"
	flock 9
	if ready; then
		echo "$name setup: node_modules up to date (node $("$node" --version))"; exit 0; fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "$name setup: npm missing; as root run: apt-get update && ${NPM_APT% nodejs npm} npm" >&2; exit 69; fi
	npm_log=$(mktemp "/tmp/cloudctl-$name-npm.XXXXXX")
	trap 'rm -f "$npm_log"' EXIT
	t0=$(date +%s)
	if ! npm ci --no-audit --no-fund >"$npm_log" 2>&1; then
		if grep -qE 'E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|network' "$npm_log"; then
			code=$(sed -n 's/^npm error code //p' "$npm_log" | head -1)
			echo "$name setup: npm ci failed: npm registry $(npm config get registry 2>/dev/null) unreachable (${code:-network error})" >&2
			exit 69; fi
		echo "$name setup: npm ci failed:" >&2; tail -30 "$npm_log" >&2; exit 1
	fi
	echo "$want" > "$stamp"
	if ! ready; then echo "$name setup: npm ci succeeded but $what" >&2; exit 1; fi
	echo "$name setup: npm ci done in $(( $(date +%s) - t0 ))s (node $("$node" --version), npm $(npm --version 2>/dev/null))"
}
