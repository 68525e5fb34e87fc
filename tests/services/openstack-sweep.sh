#!/bin/bash
# openstack-sweep.sh: delete what earlier test runs left on the cloud.
# The tests name every object they make t-<test>-<pid>-... and delete it on exit,
# but a run that is killed (CI's time limit, Ctrl-C, a crash) leaves its servers,
# which count against the tenants' quotas, and its external networks, which make
# "which external network?" ambiguous for the next run. tests/run calls this once,
# before any test, so every run starts from the cloud openstack-start.sh seeded.
# Only names starting "t-" are touched; the seeded objects (public, flavors, the
# image) never are. Never run it beside another test run.
set -uo pipefail
source "$(dirname "$0")/common.sh"
D=$SVC_DIR/openstack
[[ -s $D/env ]] || exit 0
set -a; . "$D/env"; set +a
export OS_CLOUD=admin
os() { openstack "$@" 2>/dev/null; }
ids() { # KIND... [--all-projects]: the IDs of the objects of KIND named t-*
	os "$@" list -f value -c ID -c Name | awk '$2 ~ /^t-/ { print $1 }'
}
n=0
servers=$(os server list --all-projects -f value -c ID -c Name | awk '$2 ~ /^t-/ { print $1 }')
if [[ -n $servers ]]; then
	# shellcheck disable=SC2086
	os server delete --wait $servers; n=$((n + $(wc -w <<<"$servers")))
fi
# floating IPs have no name: the tests mark theirs with the description
for f in $(os floating ip list --long -f value -c ID -c Description | awk '$2 ~ /^t-/ { print $1 }'); do
	os floating ip delete "$f"; n=$((n + 1))
done
for r in $(ids router); do
	os router unset --external-gateway "$r"
	for p in $(os port list --router "$r" -f value -c ID); do os router remove port "$r" "$p"; done
	os router delete "$r"; n=$((n + 1))
done
sweep() { # KIND...: delete the t-* objects of that kind ("security group" is two words)
	local list
	list=$(ids "$@")
	[[ -n $list ]] || return 0
	# shellcheck disable=SC2086
	os "$@" delete $list
	n=$((n + $(wc -w <<<"$list")))
}
sweep port
sweep network
sweep security group
echo "openstack-sweep: $n objects left by earlier runs deleted"
