#!/bin/bash
# registry-stop.sh: end the daemons registry-start.sh started (the PIDs in $SVC_DIR/registry/pids
# only); the data, certificates and env file are kept for the next start.
set -euo pipefail
source "$(dirname "$0")/common.sh"
stop_pids registry
rm -f "$SVC_DIR/registry/"{basic,token,auth}.pid
echo "registry: stopped"
