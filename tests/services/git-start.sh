#!/bin/bash
# git-start.sh: git remotes for cloudctl-deploy's tests, on loopback, from Debian packages.
# Idempotent: what runs is kept, what is missing or dead is (re)started.
#   http(s) lighttpd running `git http-backend` as CGI: http://127.0.0.1:8480/git/ and
#           https://127.0.0.1:8443/git/ (certificate from a CA made here; its SAN has
#           DNS:localhost, IP:127.0.0.1 and DNS:127.0.0.1 - mbedTLS, under Debian's libgit2,
#           matches hosts against DNS names only). Basic auth (htpasswd) on every request,
#           reads too: gituser / gitpass. Anonymous or a wrong password: 401.
#   ssh     a private sshd on 127.0.0.1:2222 with its own host keys (ed25519, RSA): key-only
#           login for the user cloudctl-git, whose shell is git-shell. Client keys id_ed25519
#           (OpenSSH format) and id_rsa (PEM); known_hosts lists the host keys for
#           [127.0.0.1]:2222 and [localhost]:2222.
# Both serve the same bare repositories in $SVC_DIR/git/repos (made by git/seed-repo.sh):
#   gitops.git     branch main: apps/shop/base, apps/shop/overlays/{dev,prod} (tests/services/git/gitops)
#   rejecting.git  the same, with a pre-receive hook that refuses every push
# Ports: CLOUDCTL_GIT_HTTP_PORT, CLOUDCTL_GIT_HTTPS_PORT, CLOUDCTL_GIT_SSH_PORT. State in
# $SVC_DIR/git/: tls/, htpasswd, lighttpd.conf, ssh/ (host and client keys, authorized_keys,
# known_hosts, sshd_config, gitconfig), home/ (the ssh user's), repos/, *.log, pids, and env (sourced by
# tests: set -a; . "$SVC_DIR/git/env"; set +a; every name is listed at the end of this script).
# Packages: lighttpd lighttpd-mod-openssl apache2-utils openssh-server openssh-client git openssl curl.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=git; D=$SVC_DIR/$N; mkdir -p "$D"; chmod 755 "$D"
HTTP_PORT=${CLOUDCTL_GIT_HTTP_PORT:-8480}
HTTPS_PORT=${CLOUDCTL_GIT_HTTPS_PORT:-8443}
SSH_PORT=${CLOUDCTL_GIT_SSH_PORT:-2222}
U=gituser P=gitpass
GU=cloudctl-git # the ssh user, and the group that may write the repositories
INSTALL="apt-get install -y --no-install-recommends lighttpd lighttpd-mod-openssl apache2-utils openssh-server openssh-client git openssl curl"
need_cmds "$INSTALL" lighttpd htpasswd /usr/sbin/sshd ssh ssh-keygen git git-shell openssl curl
# Debian ships lighttpd's TLS module apart (a Recommends, skipped by --no-install-recommends).
[ -e /usr/lib/lighttpd/mod_openssl.so ] || { echo "$N: lighttpd's mod_openssl is missing; install with: $INSTALL" >&2; exit 69; }
BACKEND=$(git --exec-path)/git-http-backend
[ -x "$BACKEND" ] || { echo "$N: $BACKEND is missing (package git)" >&2; exit 69; }
t0=$(date +%s%N); started=

# The ssh user: git-shell, no password but not locked (sshd without PAM refuses a locked
# account), its home in this state directory (git-shell changes into it). Its git finds the
# configuration that trusts the repositories (root owns them) through sshd's SetEnv below.
make_user() {
	local shell; shell=$(command -v git-shell)
	mkdir -p "$D/home"
	if ! id "$GU" >/dev/null 2>&1; then
		useradd --system --user-group -M -d "$D/home" -s "$shell" "$GU"
	elif [ "$(getent passwd "$GU" | cut -d: -f6,7)" != "$D/home:$shell" ]; then
		usermod -d "$D/home" -s "$shell" "$GU" # another CLOUDCTL_SVC_DIR than last time
	fi
	[ "$(getent shadow "$GU" | cut -d: -f2)" = '*' ] || usermod -p '*' "$GU"
}

make_ssh_files() {
	local s=$D/ssh k; mkdir -p "$s"
	[ -s "$s/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C cloudctl-git-host -f "$s/ssh_host_ed25519_key"
	[ -s "$s/ssh_host_rsa_key" ] || ssh-keygen -q -t rsa -b 3072 -N '' -C cloudctl-git-host -f "$s/ssh_host_rsa_key"
	[ -s "$s/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C cloudctl-test -f "$s/id_ed25519"
	[ -s "$s/id_rsa" ] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C cloudctl-test-rsa -f "$s/id_rsa"
	cat "$s/id_ed25519.pub" "$s/id_rsa.pub" >"$s/authorized_keys"; chmod 644 "$s/authorized_keys"
	printf '[safe]\n\tdirectory = *\n' >"$s/gitconfig"; chmod 644 "$s/gitconfig"
	: >"$s/known_hosts.new"
	for k in ed25519 rsa; do
		awk -v p="$SSH_PORT" '{ print "[127.0.0.1]:" p "," "[localhost]:" p " " $1 " " $2 }' \
			"$s/ssh_host_${k}_key.pub" >>"$s/known_hosts.new"
	done
	mv "$s/known_hosts.new" "$s/known_hosts"
	cat >"$s/sshd_config.new" <<-X
	# written by git-start.sh
	ListenAddress 127.0.0.1:$SSH_PORT
	HostKey $s/ssh_host_ed25519_key
	HostKey $s/ssh_host_rsa_key
	PidFile $s/sshd.pid
	AuthorizedKeysFile $s/authorized_keys
	# The keys live under /var/tmp (mode 1777), which StrictModes would refuse.
	StrictModes no
	AuthenticationMethods publickey
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PermitRootLogin no
	AllowUsers $GU
	# git refuses repositories another user owns unless its global configuration trusts them.
	SetEnv GIT_CONFIG_GLOBAL=$s/gitconfig
	UsePAM no
	PermitTTY no
	AllowTcpForwarding no
	AllowAgentForwarding no
	X11Forwarding no
	# libssh2 1.10 (under Debian's libgit2 1.5) signs with RSA only as SHA-1 "ssh-rsa",
	# which OpenSSH 9 refuses by default: accepted here so that the RSA key works too.
	PubkeyAcceptedAlgorithms +ssh-rsa
	LogLevel VERBOSE
	X
	mkdir -p /run/sshd; chmod 755 /run/sshd # sshd's privilege separation directory
	/usr/sbin/sshd -t -f "$s/sshd_config.new"
	install_config sshd sshd "$s/sshd_config"
}

make_http_files() {
	make_ca "$D/tls"
	[ -s "$D/htpasswd" ] || htpasswd -bc "$D/htpasswd" "$U" "$P" 2>/dev/null # apr1
	chmod 600 "$D/htpasswd"
	mkdir -p "$D/www"
	cat >"$D/lighttpd.conf.new" <<-X
	# written by git-start.sh: git http-backend (CGI) behind basic auth, http and https
	server.modules = ("mod_access", "mod_alias", "mod_auth", "mod_authn_file", "mod_setenv",
	                  "mod_cgi", "mod_openssl", "mod_accesslog")
	server.bind = "127.0.0.1"
	server.port = $HTTP_PORT
	server.document-root = "$D/www"
	server.errorlog = "$D/lighttpd-error.log"
	accesslog.filename = "$D/lighttpd-access.log"
	\$SERVER["socket"] == "127.0.0.1:$HTTPS_PORT" {
	  ssl.engine = "enable"
	  ssl.pemfile = "$D/tls/server.pem"
	}
	auth.backend = "htpasswd"
	auth.backend.htpasswd.userfile = "$D/htpasswd"
	auth.require = ( "/git/" => ( "method" => "basic", "realm" => "cloudctl-git", "require" => "valid-user" ) )
	alias.url = ( "/git/" => "$BACKEND/" )
	\$HTTP["url"] =~ "^/git/" {
	  cgi.assign = ( "" => "" )
	  setenv.set-environment = ( "GIT_PROJECT_ROOT" => "$D/repos", "GIT_HTTP_EXPORT_ALL" => "" )
	}
	X
	lighttpd -tt -f "$D/lighttpd.conf.new" >/dev/null
	install_config lighttpd lighttpd "$D/lighttpd.conf"
}

make_repos() {
	mkdir -p "$D/repos"; chmod 755 "$D/repos"
	[ -d "$D/repos/gitops.git" ] || GIT_SSH_GROUP=$GU "$HERE/git/seed-repo.sh" "$D/repos/gitops.git"
	[ -d "$D/repos/rejecting.git" ] || GIT_SSH_GROUP=$GU "$HERE/git/seed-repo.sh" --reject "$D/repos/rejecting.git"
}

# start NAME COMM PORT... -- CMD...: start a daemon unless ours runs; its PID goes to $D/NAME.pid
# and the pids file. Without fork (-D), so $! is the daemon; setsid, so a Ctrl-C in the caller's
# terminal does not reach it; stdio redirected, or "git-start.sh | tail" would never end.
start() {
	local name=$1 comm=$2 ports=() p; shift 2
	while [ "$1" != -- ]; do ports+=("$1"); shift; done; shift
	ours "$D/$name.pid" "$comm" && return 0
	for p in "${ports[@]}"; do
		if listening "$p"; then
			echo "$N: 127.0.0.1:$p is taken by a process this script did not start; stop it or set CLOUDCTL_GIT_*_PORT" >&2
			exit 69
		fi
	done
	setsid "$@" >>"$D/$name.out" 2>&1 </dev/null &
	echo $! >"$D/$name.pid"; record $N $!
	for p in "${ports[@]}"; do
		wait_port 127.0.0.1 "$p" 20 || { echo "$N: $name did not start; see $D/$name.out and $D/*.log" >&2; tail -5 "$D/$name.out" >&2; exit 1; }
	done
	started+=" $name"
}

# Keep only live PIDs in the pids file: a PID of ours that died may be reused by anyone.
prune_pids() {
	local keep=()
	ours "$D/lighttpd.pid" lighttpd && keep+=("$(cat "$D/lighttpd.pid")")
	ours "$D/sshd.pid" sshd && keep+=("$(cat "$D/sshd.pid")")
	if [ ${#keep[@]} = 0 ]; then rm -f "$D/pids"; else printf '%s\n' "${keep[@]}" >"$D/pids"; fi
}

# install_config NAME COMM FILE: FILE.new becomes FILE; when it differs and our daemon NAME runs
# with the old one (other ports, say), that daemon is ended so that start() starts it afresh.
install_config() {
	local name=$1 comm=$2 f=$3 p i
	if cmp -s "$f.new" "$f"; then rm -f "$f.new"; return 0; fi
	mv "$f.new" "$f"
	ours "$D/$name.pid" "$comm" || return 0
	p=$(cat "$D/$name.pid"); kill "$p"
	for ((i = 0; i < 50; i++)); do ours "$D/$name.pid" "$comm" || break; sleep 0.1; done
	ours "$D/$name.pid" "$comm" && kill -9 "$p"
	restarted+=" $name"
}
restarted=

make_user
make_ssh_files
make_http_files
make_repos
prune_pids
start lighttpd lighttpd "$HTTP_PORT" "$HTTPS_PORT" -- lighttpd -D -f "$D/lighttpd.conf"
# sshd writes its own PidFile in $D/ssh; ours is $D/sshd.pid.
start sshd sshd "$SSH_PORT" -- /usr/sbin/sshd -D -f "$D/ssh/sshd_config" -E "$D/sshd.log"

# Ready means serving: an authenticated smart-HTTP request over TLS with our CA.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$D/tls/ca.crt" -u "$U:$P" \
	"https://127.0.0.1:$HTTPS_PORT/git/gitops.git/info/refs?service=git-upload-pack") || true
[ "$code" = 200 ] || { echo "$N: https://127.0.0.1:$HTTPS_PORT/git/ answers $code, not 200; see $D/lighttpd-error.log" >&2; exit 1; }

SSH_CMD="ssh -F /dev/null -i $D/ssh/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$D/ssh/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes"
# env_line NAME VALUE: NAME=VALUE as the shell reads it back (quoted only where it must be)
env_line() {
	if [[ $2 =~ ^[A-Za-z0-9_./:@,+=-]*$ ]]; then printf '%s=%s\n' "$1" "$2"
	elif [[ $2 != *"'"* ]]; then printf "%s='%s'\n" "$1" "$2"
	else printf '%s=%q\n' "$1" "$2"; fi
}
{
	echo "# written by git-start.sh; source with: set -a; . $D/env; set +a"
	env_line GIT_REPOS "$D/repos"
	env_line GIT_SEED "$HERE/git/seed-repo.sh"
	env_line GIT_HTTP_BASE "http://127.0.0.1:$HTTP_PORT/git"
	env_line GIT_HTTPS_BASE "https://127.0.0.1:$HTTPS_PORT/git"
	env_line GIT_SSH_BASE "ssh://$GU@127.0.0.1:$SSH_PORT$D/repos"
	env_line GIT_HTTP_URL "http://127.0.0.1:$HTTP_PORT/git/gitops.git"
	env_line GIT_HTTPS_URL "https://127.0.0.1:$HTTPS_PORT/git/gitops.git"
	env_line GIT_SSH_URL "ssh://$GU@127.0.0.1:$SSH_PORT$D/repos/gitops.git"
	env_line GIT_REJECT_HTTPS_URL "https://127.0.0.1:$HTTPS_PORT/git/rejecting.git"
	env_line GIT_REJECT_SSH_URL "ssh://$GU@127.0.0.1:$SSH_PORT$D/repos/rejecting.git"
	env_line GIT_USER "$U"
	env_line GIT_PASS "$P"
	env_line GIT_CA "$D/tls/ca.crt"
	env_line GIT_SSH_USER "$GU"
	env_line GIT_HTTP_PORT "$HTTP_PORT"
	env_line GIT_HTTPS_PORT "$HTTPS_PORT"
	env_line GIT_SSH_PORT "$SSH_PORT"
	env_line GIT_SSH_KEY "$D/ssh/id_ed25519"
	env_line GIT_SSH_KEY_RSA "$D/ssh/id_rsa"
	env_line GIT_SSH_KNOWN_HOSTS "$D/ssh/known_hosts"
	env_line GIT_SSH_COMMAND "$SSH_CMD"
} >"$D/env.new"
mv "$D/env.new" "$D/env"
how=${started:+started$started}; how=${how:-already running}; how+=${restarted:+ (new configuration:$restarted)}
echo "$N: $how (pids $(tr '\n' ' ' <"$D/pids" | sed 's/ $//')); http://127.0.0.1:$HTTP_PORT/git/, https://127.0.0.1:$HTTPS_PORT/git/, ssh://$GU@127.0.0.1:$SSH_PORT; env in $D/env ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
