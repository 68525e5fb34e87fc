#!/bin/bash
# openstack-sweep.sh: delete what earlier test runs left on the cloud.
# The tests name every object they make t-<test>-<pid>-... and delete it on exit,
# but a run that is killed (CI's time limit, Ctrl-C, a crash) leaves its servers,
# which count against the tenants' quotas, and its external networks, which make
# "which external network?" ambiguous for the next run. tests/run calls this once,
# before any test, so every run starts from the cloud openstack-start.sh seeded.
# Only names starting "t-" are touched; the seeded objects (public, flavors, the
# image) never are; nor are those of a test still running here (the PID in
# t-<test>-<pid>-... is alive), so two runs side by side keep their objects.
set -uo pipefail
source "$(dirname "$0")/common.sh"
D=$SVC_DIR/openstack
[[ -s $D/env ]] || exit 0
set -a; . "$D/env"; set +a
export OS_CLOUD=admin
os() { openstack "$@" 2>/dev/null; }
# ID NAME lines in, the IDs of the t-* objects of no running test out
left_over() {
	local id name pid
	while read -r id name _; do
		[[ $name == t-* ]] || continue
		pid=$(sed -n 's/^t-[a-z]*-\([0-9][0-9]*\).*/\1/p' <<<"$name")
		[[ -n $pid && -d /proc/$pid ]] && continue
		echo "$id"
	done
}
ids() { # LIST-COMMAND...: the IDs of the objects it lists that are left over
	os "$@" -f value -c ID -c Name | left_over
}
n=0
servers=$(ids server list --all-projects)
if [[ -n $servers ]]; then
	# shellcheck disable=SC2086
	os server delete --wait $servers; n=$((n + $(wc -w <<<"$servers")))
fi
# floating IPs have no name: the tests mark theirs with the description
for f in $(os floating ip list --long -f value -c ID -c Description | left_over); do
	os floating ip delete "$f"; n=$((n + 1))
done
for r in $(ids router list); do
	os router unset --external-gateway "$r"
	for p in $(os port list --router "$r" -f value -c ID); do os router remove port "$r" "$p"; done
	os router delete "$r"; n=$((n + 1))
done
sweep() { # KIND...: delete the t-* objects of that kind ("security group" is two words)
	local list
	list=$(ids "$@" list)
	[[ -n $list ]] || return 0
	# shellcheck disable=SC2086
	os "$@" delete $list
	n=$((n + $(wc -w <<<"$list")))
}
sweep port
sweep network
sweep security group
# the quotas net-openstack.sh and os-faults.sh lower for a moment, back to the
# services' defaults (a run killed in between left tenant-b without routers)
os quota set --networks 100 --routers 10 --instances 10 tenant-b
echo "openstack-sweep: $n objects left by earlier runs deleted"
