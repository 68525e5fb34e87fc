# columns-openstack: a -c column that no record of an acting verb can have is a
# usage error (64) before the verb acts, on the real OpenStack (issue 15): each
# refused command leaves Neutron and Nova as they were, read back with the
# openstack client. A column of the records piped in is accepted, and every
# field a tenant's records carry is one the verb declares.
# group: openstack
. "$(dirname "$0")/lib.sh"
NAME=columns-openstack; . "$(dirname "$0")/data/openstack/env.sh"
P=t-col-$$
X=$(( $$ % 200 + 20 ))
count() { openstack "$1" list -f value -c Name | grep -c "^$2\$"; }
cleanup_hook() {
	set +e
	os_delete_servers "$P"
	"$NET" tenant delete "$P" > /dev/null 2>&1
	for n in $(openstack network list -f value -c Name | grep "^$P"); do openstack network delete "$n" > /dev/null 2>&1; done
}
"$NET" tenant create "$P" --cidr "10.66.$X.0/24" > /dev/null || fail "setup" "tenant create $P"
netrec="kind=net name=$P-net driver=openstack cloud=tenant-a"

# name|stdin: the net record (net) or nothing (none)|command|what must still hold afterwards
while IFS='|' read -r name input cmd check; do
	[ -n "$cmd" ] || continue
	in=; [ "$input" = net ] && in=$netrec$'\n'
	# shellcheck disable=SC2086 # cmd is words
	run_in "$in" $cmd -c name,nosuch
	expect "$name -c nosuch: 64 before acting" 64 "" "${cmd%% *}: -c: no record has a column 'nosuch'"
	assert "$name: nothing was done ($check)" eval "$check"
done <<LIST
vm create|none|cloudctl-vm create --name $P-vm --image tiny-image --flavor m1.tiny --network $P-net|test "\$(count server $P-vm)" = 0
vm create -|net|cloudctl-vm create - --name $P-vm --image tiny-image --flavor m1.tiny|test "\$(count server $P-vm)" = 0
network create|none|cloudctl-net network create $P-n2|test "\$(count network $P-n2)" = 0
network delete|none|cloudctl-net network delete $P-net|test "\$(count network $P-net)" = 1
network delete -|net|cloudctl-net network delete -|test "\$(count network $P-net)" = 1
subnet create|none|cloudctl-net subnet create $P-s2 --network $P-net --cidr 10.65.$X.0/24|test "\$(count subnet $P-s2)" = 0
router create|none|cloudctl-net router create $P-r2|test "\$(count router $P-r2)" = 0
router set-gateway|none|cloudctl-net router set-gateway $P-router --external none|openstack router show $P-router -f value -c external_gateway_info | grep -q network_id
secgroup create|none|cloudctl-net secgroup create $P-sg2|test "\$(count 'security group' $P-sg2)" = 0
rule create|none|cloudctl-net rule create --security-group $P-sg --protocol tcp --port 2222|! openstack security group rule list $P-sg -f value -c 'Port Range' | grep -q 2222
port create|none|cloudctl-net port create $P-p2 --network $P-net|test "\$(count port $P-p2)" = 0
tenant create|none|cloudctl-net tenant create $P-t2 --cidr 10.64.$X.0/24|test "\$(count network $P-t2-net)" = 0
tenant delete|none|cloudctl-net tenant delete $P|test "\$(count router $P-router)" = 1
LIST

# A field only the piped records have passes through (cloudctl(7)); a field of
# the kind's own is the cloud's, never the stale one piped in
run_in "$netrec ticket=OPS-9 mtu=9"$'\n' "$NET" network show - -c name,ticket,mtu
expect "network show - -c with a piped field" 0 "name=$P-net ticket=OPS-9 mtu=$(openstack network show "$P-net" -f value -c mtu)"

# Every field a tenant's records print is one tenant create declares
run "$NET" tenant create "$P" --cidr "10.66.$X.0/24" -o kv
all=$(sed 's/=[^ ]*//g; s/ /\n/g' "$T/out" | sort -u | paste -sd, -)
run "$NET" tenant create "$P" --cidr "10.66.$X.0/24" -c "$all"
expect_rc "tenant create -c every field of its records ($all)" 0
