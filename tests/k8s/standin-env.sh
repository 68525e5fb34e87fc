# shellcheck shell=bash
# standin-env.sh NAME [private]: sourced by the tests of cloudctl-k8s that talk to the stand-in
# API server (after tests/cli/lib.sh): starts it when its env file is missing (else the
# test NAME is skipped, saying why, and the sourcing script exits), then sets
# KUBECONFIG (the admin's), KC, ADMIN_TOKEN, and defines
#   api METHOD PATH [BODY [CONTENT-TYPE]]  the stand-in's answer, as admin
#   py EXPR < JSON                         the python expression over d, printed
#   until_said TEXT                        wait until $T/err has TEXT
# standin-env.sh NAME private: a stand-in of the test's own instead (standin-private.sh).
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=tests/k8s/standin-private.sh
[ "${2:-}" = private ] && . "$SRC/tests/k8s/standin-private.sh"
if [ ! -f "$SVC/kube-apiserver/env" ]; then
	"$SRC/tests/services/kube-apiserver-start.sh" > "$T/start.log" 2>&1 ||
		{ skip "$1" "the stand-in API server did not start: $(tail -1 "$T/start.log")"; exit 0; }
fi
. "$SVC/kube-apiserver/env"
KC=$KUBE_STANDIN_DIR/kubeconfig
export KUBECONFIG=$KC
ADMIN_TOKEN=$(sed -n 's/^ *token: *//p' "$KC" | head -1)
api() {
	curl -sS --cacert "$KUBE_STANDIN_DIR/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" -X "$1" \
		${3:+--data-binary "$3"} ${3:+-H "Content-Type: ${4:-application/json}"} "$KUBE_STANDIN_URL$2"
}
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# until_said TEXT: wait (10 s at most) until a command in the background has written TEXT
# to $T/err (its -v lines say which step it is at: the moment to send it a signal)
until_said() {
	local i
	for ((i = 0; i < 1000; i++)); do grep -q "$1" "$T/err" && return 0; read -rt 0.01 <> <(:) || :; done
	return 1
}
