# shellcheck shell=bash disable=SC2034 # (HERE is for the scripts that source this)
# common.sh: sourced by the tests/services scripts.
# State lives under $CLOUDCTL_SVC_DIR (default /var/tmp/cloudctl-svc): each service
# keeps its files in $SVC_DIR/<name>/, appends the PIDs it started to
# $SVC_DIR/<name>/pids, and its stop script ends only those PIDs (never pkill/killall).
SVC_DIR=${CLOUDCTL_SVC_DIR:-/var/tmp/cloudctl-svc}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$SVC_DIR"

# Two test runs side by side (two worktrees, a second terminal) must not start one
# service at the same time: its state files race (seen: openstack-start.sh's
# appcred-id.new renamed by the other run). One start at a time per script;
# flock -o, so the daemons a start leaves running do not hold the lock.
case ${0##*/} in
*-start.sh|guest-build.sh)
	if [ -z "${CLOUDCTL_SVC_LOCKED:-}" ]; then
		CLOUDCTL_SVC_LOCKED=1 exec flock -o "$SVC_DIR/.${0##*/}.lock" "$0" "$@"
	fi ;;
esac

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 5; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
	"$@" >/dev/null 2>&1
}
wait_file() { wait_for "${2:-30}" test -s "$1"; }
# wait_port HOST PORT [SECONDS]
wait_port() { wait_for "${3:-30}" bash -c "exec 3<>/dev/tcp/$1/$2"; }

# record NAME PID...: remember PIDs we started
record() {
	local n=$1 p; shift; mkdir -p "$SVC_DIR/$n"
	for p in "$@"; do echo "$p" >>"$SVC_DIR/$n/pids"; done
}
# running NAME: true when there are recorded PIDs and all are alive
running() {
	local f="$SVC_DIR/$1/pids" p
	[ -s "$f" ] || return 1
	while read -r p; do alive "$p" || return 1; done <"$f"
}
# stop_pids NAME: TERM the recorded PIDs (newest first), KILL what is left after 5 s
stop_pids() {
	local f="$SVC_DIR/$1/pids" p i any
	[ -s "$f" ] || { rm -f "$f"; return 0; }
	for p in $(tac "$f"); do alive "$p" && kill "$p" 2>/dev/null; done
	for ((i = 0; i < 50; i++)); do
		any=0; for p in $(cat "$f"); do alive "$p" && any=1; done
		[ $any = 0 ] && break; sleep 0.1
	done
	for p in $(cat "$f"); do alive "$p" && kill -9 "$p" 2>/dev/null; done
	rm -f "$f"
}
# netns_exists NAME
netns_exists() { ip netns list 2>/dev/null | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }'; }
# need_cmds "apt-get line" CMD...: exit 69 (EX_UNAVAILABLE) naming the install line
need_cmds() {
	local line=$1 c missing=(); shift
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
	[ ${#missing[@]} = 0 ] && return 0
	echo "$(basename "$0"): missing ${missing[*]}; install with: $line" >&2
	exit 69
}

# ours PIDFILE COMM: the PID in PIDFILE is alive (not a zombie: PID 1 here may not reap) and is COMM
ours() {
	local p st
	p=$(cat "$1" 2>/dev/null) || return 1
	st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && grep -qx "$2" "/proc/$p/comm" 2>/dev/null
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# make_ca DIR: a CA (ca.crt) and a server certificate for 127.0.0.1/localhost signed by it
# (server.crt, server.key, and both in server.pem), kept once made. DNS:127.0.0.1 is there
# for mbedTLS (Debian's libgit2), which matches hosts against DNS names only.
make_ca() {
	local d=$1; mkdir -p "$d"
	if [ ! -s "$d/server.crt" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=cloudctl test CA" \
			-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
		openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
			-extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null
	fi
	[ -s "$d/server.pem" ] || cat "$d/server.crt" "$d/server.key" >"$d/server.pem"
	chmod 600 "$d/server.pem" "$d/server.key" "$d/ca.key"
}
