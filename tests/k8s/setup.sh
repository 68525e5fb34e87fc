#!/bin/bash
# tests/k8s/setup.sh: install the npm packages of tests/k8s (kubernetes-models, js-yaml; pinned
# in package.json, exact tree in package-lock.json) into tests/k8s/node_modules with `npm ci`,
# unless node_modules already matches package-lock.json (tests/npm-ci.sh). Needs the npm
# registry once; after that validate.js and kubectl-oracle.sh --normalise work offline. Prints
# one line.
# Exit 0: ready. 69: node (>= 18) or npm missing, the install line on stderr; or the npm
# registry unreachable. 1: npm ci failed otherwise (its log on stderr).
# Safe to run concurrently (flock on this directory) and repeatedly.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE" || exit 1
# shellcheck source=../npm-ci.sh
. "$HERE/../npm-ci.sh"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 18 ]; then
	echo "k8s setup: node $(node --version 2>/dev/null) is older than 18; install node >= 18 (Debian 12: $NPM_APT)" >&2; exit 69; fi

# the packages load
current() {
	node -e 'require("js-yaml"); require("kubernetes-models/v1"); require("@kubernetes-models/validate")' 2>/dev/null
}

npm_ci k8s node "the packages do not load"
