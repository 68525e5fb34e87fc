#!/bin/bash
# git-stop.sh: end the daemons git-start.sh started (lighttpd and sshd: the PIDs in
# $SVC_DIR/git/pids only; an ssh session still open ends with its client) and remove the env
# file. The repositories, keys and certificates stay for the next start.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=git; D=$SVC_DIR/$N
pids=""
if [ -s "$D/pids" ]; then pids=$(tr '\n' ' ' <"$D/pids" | sed 's/ $//'); fi
stop_pids $N
rm -f "$D/lighttpd.pid" "$D/sshd.pid" "$D/env"
echo "$N: stopped (ended pids: ${pids:-none})"
