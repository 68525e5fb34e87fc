#!/usr/bin/env bash
# openstack-computes.sh -- more fake compute hosts for the cloud of openstack-start.sh.
#
# Why: on every build and delete, nova-compute's resource tracker (Zed) reads the
# placement allocations of each instance on its host, one GET per instance, so a host
# with N servers pays O(N) per server and 1000 servers on one host take hours on two
# CPUs. Spread over K hosts, each pays a K-th of that. bench/openstack uses this for
# its 1000-server list; the tests use the one host of openstack-start.sh.
#
# The extra hosts are cloudctl-2 .. cloudctl-N: the same nova-compute and fake driver
# as the first (cloudctl), each with its own state and lock directories, started and
# recorded the way openstack-start.sh does (own session, run/NAME.pid "PID STARTTIME"),
# so openstack-stop.sh stops them too.
#
# Usage: tests/services/openstack-computes.sh N   (as root) N hosts in all: start the
#        missing extra ones, wait until Nova maps them and they report; with N=1
#        (or fewer than run now) stop the extra ones above N and remove them from
#        Nova and placement (refused by Nova while a server is on one of them).
set -Eeuo pipefail
source "$(dirname "$0")/common.sh"
D=$SVC_DIR/openstack
E=$D/etc
N=${1:?usage: openstack-computes.sh N (compute hosts in all; 1: the first only)}
[[ $N =~ ^[0-9]+$ && $N -ge 1 ]] || { echo "openstack-computes.sh: N must be a number >= 1, not '$N'" >&2; exit 64; }
[[ -f $D/env ]] || { echo "openstack-computes.sh: no cloud ($D/env missing): run tests/services/openstack-start.sh" >&2; exit 69; }
for v in $(compgen -e | grep '^OS_'); do unset "$v"; done
set -a; . "$D/env"; set +a
export OS_CLOUD=admin

log() { echo "openstack-computes: $*" >&2; }
proc_start() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; st=${st##*) }; set -- $st; echo "${20}"; }
running() { # NAME: its pid file names a live process started when recorded
	local pid st
	[[ -f $D/run/$1.pid ]] && read -r pid st < "$D/run/$1.pid" || return 1
	[[ $(proc_start "$pid") == "$st" ]]
}
mysql_root() { mariadb --no-defaults --protocol=socket --socket="$D/run/mysqld.sock" -uroot -N "$@"; }
host_count() { mysql_root -e "select count(*) from nova_api.host_mappings where host like 'cloudctl-%'"; }

start_host() { # K
	local k=$1 name=nova-compute-$1 pid
	running "$name" && return 0
	mkdir -p "$D/data/nova-$k/instances" "$D/data/nova-$k/lock"
	cat > "$E/nova/compute-$k.conf" <<EOF
[DEFAULT]
host = cloudctl-$k
state_path = $D/data/nova-$k
instances_path = $D/data/nova-$k/instances
[oslo_concurrency]
lock_path = $D/data/nova-$k/lock
EOF
	setsid "$D/bin/nova-compute" --config-file "$E/nova/nova.conf" --config-file "$E/nova/compute-$k.conf" \
		>> "$D/log/$name.log" 2>&1 < /dev/null &
	pid=$!
	echo "$pid $(proc_start "$pid")" > "$D/run/$name.pid"
	log "cloudctl-$k: started (log $D/log/$name.log)"
}

remove_host() { # K
	local k=$1 id
	"$HERE/openstack-stop.sh" "nova-compute-$k" > /dev/null
	id=$(openstack compute service list --service nova-compute --host "cloudctl-$k" -f value -c ID)
	# the service's compute node and its resource provider go with it
	[[ -z $id ]] || openstack compute service delete "$id"
	rm -f "$E/nova/compute-$k.conf"
	log "cloudctl-$k: stopped and removed"
}

for f in "$D"/run/nova-compute-*.pid; do
	[[ -e $f ]] || continue
	k=${f##*/nova-compute-}; k=${k%.pid}
	(( k > N )) && remove_host "$k"
done
for ((k = 2; k <= N; k++)); do start_host "$k"; done
(( N > 1 )) || exit 0
# each host writes its compute_nodes row on its first resource update; then it can be mapped
deadline=$(( $(date +%s) + 180 ))
until [[ $(host_count) -ge $((N - 1)) ]]; do
	(( $(date +%s) > deadline )) && { log "hosts never registered, see $D/log/nova-compute-*.log"; exit 1; }
	"$D/bin/nova-manage" --config-file "$E/nova/nova.conf" --config-file "$E/nova/nova-db.conf" \
		cell_v2 discover_hosts > /dev/null 2>&1 || true
	sleep 2
done
until [[ $(openstack compute service list --service nova-compute -f value -c State | grep -c '^up$') -ge $N ]]; do
	(( $(date +%s) > deadline )) && { log "not every nova-compute reports up"; exit 1; }
	sleep 2
done
log "$N compute hosts up"
