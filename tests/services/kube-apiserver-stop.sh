#!/bin/bash
# kube-apiserver-stop.sh: undo kube-apiserver-start.sh. Ends only the PID it recorded (TERM,
# KILL after 5 s) and removes the env file. Never pkill/killall. The certificates, tokens
# and kubeconfigs stay in $SVC_DIR/kube-apiserver/ for the next start.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=kube-apiserver; D=$SVC_DIR/$N
pids=""
if [ -s "$D/pids" ]; then pids=$(tr '\n' ' ' <"$D/pids" | sed 's/ $//'); fi
stop_pids $N
rm -f "$D/env"
echo "$N: stopped (ended pids: ${pids:-none})"
