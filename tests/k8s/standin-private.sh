# shellcheck shell=bash
# standin-private.sh: sourced by a test (after tests/cli/lib.sh) that needs a stand-in API
# server of its own: one that resets or compacts the store, or counts every request the
# server saw, which the shared one (other tests and sessions use it at once) cannot give.
# The next kube-apiserver-start.sh then starts one on a free port with its state in $T/svc
# (SVC, CLOUDCTL_SVC_DIR, KUBE_STANDIN_PORT), which is stopped on exit.
SVC=$T/svc
KUBE_STANDIN_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CLOUDCTL_SVC_DIR=$SVC KUBE_STANDIN_PORT
trap 'cleanup_hook; "$SRC/tests/services/kube-apiserver-stop.sh" > /dev/null 2>&1; rm -rf "$T"' EXIT
