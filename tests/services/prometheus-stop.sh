#!/bin/bash
# prometheus-stop.sh: undo prometheus-start.sh. Ends only the PIDs it recorded (prometheus
# first, then the pushgateway; TERM, KILL after 5 s) and removes the env file. Never pkill/killall.
# The TSDB and logs stay in $SVC_DIR/prometheus/ for a look afterwards.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=prometheus; D=$SVC_DIR/$N
pids=""
if [ -s "$D/pids" ]; then pids=$(tr '\n' ' ' <"$D/pids" | sed 's/ $//'); fi
stop_pids $N
rm -f "$D/env"
echo "$N: stopped (ended pids: ${pids:-none})"
