#!/bin/bash
# libvirt-stop.sh: undo libvirt-start.sh. If the libvirtd is ours, destroy every running
# domain and active network through virsh (that ends their qemu and dnsmasq processes,
# which would outlive libvirtd); on a reused libvirtd, destroy only the networks we
# started. Then end only the PIDs libvirt-start.sh recorded (TERM, KILL after 5 s) and
# delete the netns if libvirt-start.sh created it. Never pkill/killall.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=libvirt; D=$SVC_DIR/$N
V=(virsh -q -c qemu:///system)
doms=0; nets=0
if running $N; then
	for d in $("${V[@]}" list --name 2>/dev/null); do "${V[@]}" destroy "$d" >/dev/null && doms=$((doms + 1)); done
	for n in $("${V[@]}" net-list --name 2>/dev/null); do "${V[@]}" net-destroy "$n" >/dev/null && nets=$((nets + 1)); done
elif [ -s "$D/networks" ] && "${V[@]}" version >/dev/null 2>&1; then
	for n in $(cat "$D/networks"); do
		"${V[@]}" net-destroy "$n" >/dev/null 2>&1 && nets=$((nets + 1))
	done
fi
rm -f "$D/networks"
pids=$([ -s "$D/pids" ] && tr '\n' ' ' <"$D/pids" | sed 's/ $//' || true)
stop_pids $N
ns=""
if [ -s "$D/netns" ]; then
	ns=$(cat "$D/netns")
	netns_exists "$ns" && ip netns delete "$ns"
	rm -f "$D/netns"
fi
echo "$N: stopped (destroyed $doms domains, $nets networks; ended pids: ${pids:-none}; netns deleted: ${ns:-none})"
