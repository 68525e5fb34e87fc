#!/bin/bash
# libvirt-start.sh: a libvirtd for qemu:///system tests, without systemd. Idempotent.
# - If a libvirtd already answers on qemu:///system, it is reused (its PID is not ours).
# - Otherwise virtlogd + libvirtd are started by hand (-d, pidfiles) inside a network
#   namespace of our own ($CLOUDCTL_NETNS, default "cloudctl-virt"; empty = host ns), so
#   bridges, dnsmasq and nftables rules of libvirt networks never touch the host network.
#   Clients are unaffected: virsh talks to /run/libvirt/libvirt-sock from any netns.
# Then ensures the isolated network "cloudctl-test" (ccbr0, 10.254.0.1/24, DHCP .10-.200)
# and the "default" dir storage pool (/var/lib/libvirt/images) exist and are active,
# and writes $SVC_DIR/libvirt/env (LIBVIRT_DEFAULT_URI=qemu:///system).
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=libvirt; D=$SVC_DIR/$N; mkdir -p "$D"
NS=${CLOUDCTL_NETNS-cloudctl-virt}
NET=cloudctl-test
V=(virsh -q -c qemu:///system)
need_cmds "apt-get install -y libvirt-daemon-system libvirt-clients qemu-system-x86 dnsmasq-base iproute2" \
	libvirtd virtlogd virsh qemu-system-x86_64 dnsmasq ip
t0=$(date +%s%N)

if running $N; then
	how="already running (pids $(tr '\n' ' ' <"$D/pids"| sed 's/ $//'))"
elif "${V[@]}" version >/dev/null 2>&1; then
	how="reusing a libvirtd not started by us"
else
	rm -f "$D/pids" "$D/virtlogd.pid" "$D/libvirtd.pid"
	EXEC=()
	if [ -n "$NS" ]; then
		if ! netns_exists "$NS"; then
			ip netns add "$NS"; echo "$NS" >"$D/netns" # stop deletes only a netns we made
		fi
		ip -n "$NS" link set lo up
		EXEC=(ip netns exec "$NS")
	fi
	mkdir -p /run/libvirt /var/log/libvirt/qemu
	# stdin/stdout/stderr redirected: a daemon holding the caller's stdout would
	# keep "libvirt-start.sh | tail" from ever ending.
	"${EXEC[@]}" virtlogd -d -p "$D/virtlogd.pid" </dev/null >>"$D/daemons.log" 2>&1
	wait_file "$D/virtlogd.pid" 10 || { echo "$N: virtlogd did not start, see $D/daemons.log" >&2; exit 1; }
	record $N "$(cat "$D/virtlogd.pid")"
	"${EXEC[@]}" libvirtd -d -p "$D/libvirtd.pid" </dev/null >>"$D/daemons.log" 2>&1
	wait_file "$D/libvirtd.pid" 20 || { echo "$N: libvirtd did not start, see $D/daemons.log" >&2; exit 1; }
	record $N "$(cat "$D/libvirtd.pid")"
	# the first answer waits for QEMU's capability probe (1-9 s)
	wait_for 30 "${V[@]}" version || { echo "$N: libvirtd does not answer, see $D/daemons.log" >&2; exit 1; }
	how="started in netns ${NS:-(host)}, pids $(tr '\n' ' ' <"$D/pids" | sed 's/ $//')"
fi

# The isolated test network (no <forward>: guests reach only the host side, 10.254.0.1).
if ! "${V[@]}" net-info $NET >/dev/null 2>&1; then
	"${V[@]}" net-define /dev/stdin >/dev/null <<X
<network><name>$NET</name><bridge name='ccbr0'/>
  <ip address='10.254.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.254.0.10' end='10.254.0.200'/></dhcp></ip>
</network>
X
fi
# (output captured first: "virsh | grep -q" fails under pipefail when grep quits early)
info=$("${V[@]}" net-info $NET)
if ! grep -q '^Active: *yes' <<<"$info"; then
	"${V[@]}" net-start $NET >/dev/null
	grep -qx $NET "$D/networks" 2>/dev/null || echo $NET >>"$D/networks" # stop destroys these
fi

# virt-install's convention: a dir pool named "default" on /var/lib/libvirt/images.
if ! "${V[@]}" pool-info default >/dev/null 2>&1; then
	"${V[@]}" pool-define-as default dir --target /var/lib/libvirt/images >/dev/null
	"${V[@]}" pool-build default >/dev/null
	"${V[@]}" pool-autostart default >/dev/null
fi
info=$("${V[@]}" pool-info default)
grep -q '^State: *running' <<<"$info" || "${V[@]}" pool-start default >/dev/null

cat >"$D/env" <<X
# source with: set -a; . $D/env; set +a
LIBVIRT_DEFAULT_URI=qemu:///system
CLOUDCTL_TEST_NETWORK=$NET
CLOUDCTL_TEST_POOL=default
CLOUDCTL_GUEST_DIR=$SVC_DIR/guest
X
echo "$N: $how; network $NET + pool default active; env in $D/env ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
