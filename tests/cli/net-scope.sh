# net-scope: which objects a cloudctl-net command may act on, against the real
# OpenStack of tests/services/openstack-start.sh. Names and IDs resolve in the
# project of the credentials (as admin too), never in another project; two objects
# of one name are 65 with their IDs; records of another cloud or project are
# refused (lib/target); an empty stream is nothing to do; SIGINT or SIGTERM during
# tenant create leaves nothing behind. After each table the `openstack` client
# says what still exists.
# group: openstack
. "$(dirname "$0")/lib.sh"
NAME=net-scope; . "$(dirname "$0")/data/openstack/env.sh"

P=t-nsc-$$
OSA() { OS_CLOUD=tenant-a openstack "$@"; }
OSB() { OS_CLOUD=tenant-b openstack "$@"; }
OSX() { OS_CLOUD=admin openstack "$@"; }
ADMIN_P=$(OSX project show admin -f value -c id)
A_P=$(OSX project show tenant-a -f value -c id)

cleanup_hook() {
	set +e
	local c kind n
	for c in tenant-a tenant-b admin; do
		OS_CLOUD=$c "$NET" tenant delete "$P-t" > /dev/null 2>&1
		for id in $(OS_CLOUD=$c openstack floating ip list --long -f value -c ID -c Description | awk -v p="$P" '$2 == p {print $1}'); do
			OS_CLOUD=$c openstack floating ip delete "$id" > /dev/null 2>&1
		done
		for kind in port router "security group" subnet network; do
			for n in $(OS_CLOUD=$c openstack $kind list -f value -c ID -c Name | awk -v p="$P" 'index($2, p) == 1 {print $1}'); do
				OS_CLOUD=$c openstack $kind delete "$n" > /dev/null 2>&1
			done
		done
	done
}

# ---- the files the cloud comes from: missing 66, not readable 77 (as nobody: root reads all) ----
cp "$OS_CLIENT_CONFIG_FILE" "$T/clouds.yaml"; cp "$OS_CLIENT_SECURE_FILE" "$T/secure.yaml"
chmod 755 "$T"; chmod 000 "$T/clouds.yaml"; chmod 000 "$T/secure.yaml"
asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent "$@"; }
for var in OS_CLIENT_CONFIG_FILE OS_CLIENT_SECURE_FILE; do
	run env $var=$T/missing.yaml "$NET" network list
	expect "$var missing: 66, one line" 66 "" "cloudctl-net: network list: $T/missing.yaml: no such file (from $var)"
	if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
		f=$T/clouds.yaml; [ $var = OS_CLIENT_SECURE_FILE ] && f=$T/secure.yaml
		chmod 644 "$T/clouds.yaml"; [ $var = OS_CLIENT_CONFIG_FILE ] && chmod 000 "$T/clouds.yaml"
		run asnobody OS_CLIENT_CONFIG_FILE=$T/clouds.yaml OS_CLIENT_SECURE_FILE=$T/secure.yaml "$NET" network list
		expect "$var not readable: 77, one line" 77 "" "cloudctl-net: network list: $f: Permission denied"
	else
		skip "$var not readable: 77" "needs root and setpriv to run as nobody"
	fi
done
chmod 600 "$T/clouds.yaml" "$T/secure.yaml"; chmod 700 "$T"

# ---- tenant-b's objects, one of each kind, made with the openstack client ----
OSB network create "$P-o" -f value -c id > /dev/null
OSB subnet create "$P-o-s" --network "$P-o" --subnet-range 10.61.0.0/24 > /dev/null
OSB router create "$P-o-r" > /dev/null
OSB security group create "$P-o-g" > /dev/null
OSB port create "$P-o-p" --network "$P-o" > /dev/null
RULE_B=$(OSB security group rule create "$P-o-g" --protocol tcp --dst-port 2222 -f value -c id)
FIP_B=$(OSB floating ip create public --description "$P" -f value -c floating_ip_address)
id_b() { OSB "$@" -f value -c id; }
declare -A OTHER=(
	[network]="$P-o $(id_b network show "$P-o")"
	[subnet]="$P-o-s $(id_b subnet show "$P-o-s")"
	[router]="$P-o-r $(id_b router show "$P-o-r")"
	[secgroup]="$P-o-g $(id_b security group show "$P-o-g")"
	[port]="$P-o-p $(id_b port show "$P-o-p")"
	[rule]="$RULE_B"
	[fip]="$FIP_B $(OSB floating ip show "$FIP_B" -f value -c id)"
)
# every one of them, as tenant-b sees them
b_state() {
	echo "$(OSB network list --name "$P-o" -f value | wc -l) $(OSB subnet list --name "$P-o-s" -f value | wc -l)" \
		"$(OSB router list --name "$P-o-r" -f value | wc -l) $(OSB security group list -f value -c Name | grep -cx "$P-o-g")" \
		"$(OSB port list --name "$P-o-p" -f value | wc -l) $(OSB security group rule list "$P-o-g" -f value -c ID | grep -c "$RULE_B")" \
		"$(OSB floating ip list -f value -c "Floating IP Address" | grep -cx "$FIP_B")"
}
B_ALL="1 1 1 1 1 1 1"
assert "tenant-b's objects made" test "$(b_state)" = "$B_ALL"

# ---- another project's objects, by name and by ID: 66, as admin and as tenant-a ----
for cloud in admin tenant-a; do
	for kind in network subnet router secgroup port rule fip; do
		for ref in ${OTHER[$kind]}; do
			for action in show delete; do
				run env OS_CLOUD=$cloud "$NET" $kind $action "$ref"
				expect_rc "$cloud: $kind $action $ref of tenant-b: 66" 66 "^cloudctl-net: $kind $action: $ref: "
			done
		done
	done
	run env OS_CLOUD=$cloud "$NET" fip disassociate "$FIP_B"
	expect_rc "$cloud: fip disassociate of tenant-b's: 66" 66 "^cloudctl-net: fip disassociate: $FIP_B: "
	run env OS_CLOUD=$cloud "$NET" rule create --security-group "$P-o-g" --protocol udp
	expect_rc "$cloud: rule create in tenant-b's group: 66" 66 "^cloudctl-net: rule create: $P-o-g: no security group named"
	run env OS_CLOUD=$cloud "$NET" subnet create "$P-x" --network "$P-o" --cidr 10.62.0.0/24
	expect_rc "$cloud: subnet create on tenant-b's network: 66" 66 "^cloudctl-net: subnet create: $P-o: no network named"
	run env OS_CLOUD=$cloud "$NET" router add-interface "$P-o-r" --subnet "$P-o-s"
	expect_rc "$cloud: router add-interface on tenant-b's router: 66" 66 "^cloudctl-net: router add-interface: $P-o-r: "
done
run env OS_CLOUD=admin "$NET" network show "$P-o"
expect "admin: the message names the project" 66 "" \
	"cloudctl-net: network show: $P-o: no network named or with the ID '$P-o' in project admin"
run env OS_CLOUD=admin "$NET" network delete "${OTHER[network]#* }"
expect "admin: an ID of another project's: 66, its project named" 66 "" \
	"cloudctl-net: network delete: ${OTHER[network]#* }: the network with this ID is project $(OSX project show tenant-b -f value -c id)'s, not admin's (--all-projects reaches it)"
assert "tenant-b's objects all still exist" test "$(b_state)" = "$B_ALL"

# list: admin's own project, unless --all-projects
run env OS_CLOUD=admin "$NET" network list -o tsv -c name
assert "admin network list: not tenant-b's" test "$rc $(grep -cx "$P-o" "$T/out")" = "0 0"
run env OS_CLOUD=admin "$NET" --all-projects network list -o tsv -c name
assert "admin --all-projects network list: tenant-b's too" test "$rc $(grep -cx "$P-o" "$T/out")" = "0 1"
for kind in subnet router secgroup port; do
	run env OS_CLOUD=admin "$NET" $kind list -o tsv -c name
	assert "admin $kind list: not tenant-b's" test "$rc $(grep -c "^$P-o" "$T/out")" = "0 0"
done
run env OS_CLOUD=admin "$NET" --all-projects network show "$P-o" -o kv -c name
expect "admin --all-projects network show: tenant-b's" 0 "name=$P-o"
run env OS_CLOUD=admin "$NET" --all-projects network create "$P-x"
expect "--all-projects with create: 64" 64 "" "cloudctl-net: network create: --all-projects goes with list, show, delete and disassociate"

# ---- tenant create and delete as admin, with tenant-a's tenant of the same name ----
run "$NET" tenant create "$P-t" --cidr 10.63.0.0/24 --external none
expect_rc "tenant-a: tenant create" 0
A_IDS=$(sed 's/.* id=\([^ ]*\) .*/\1/' "$T/out" | sort | tr '\n' ' ')
run env OS_CLOUD=admin "$NET" tenant create "$P-t" --cidr 10.63.0.0/24 --external none -o kv -c kind,created,project
expect "admin: tenant create makes its own, adopts nothing of tenant-a's" 0 "kind=net created=true project=$ADMIN_P
kind=subnet created=true project=$ADMIN_P
kind=router created=true project=$ADMIN_P
kind=secgroup created=true project=$ADMIN_P"
run env OS_CLOUD=admin "$NET" tenant delete "$P-t" -o kv -c kind,state,project
expect "admin: tenant delete deletes its own" 0 "kind=router state=deleted project=$ADMIN_P
kind=subnet state=deleted project=$ADMIN_P
kind=net state=deleted project=$ADMIN_P
kind=secgroup state=deleted project=$ADMIN_P"
a_tenant() {
	echo "$(OSA network show "$P-t-net" -f value -c id) $(OSA subnet show "$P-t-subnet" -f value -c id)" \
		"$(OSA router show "$P-t-router" -f value -c id) $(OSA security group show "$P-t-sg" -f value -c id)" |
		tr ' ' '\n' | sort | tr '\n' ' '
}
assert "tenant-a's tenant is whole after admin's create and delete" test "$(a_tenant)" = "$A_IDS"

# ---- two objects of one name: 65 with both IDs, nothing done ----
OSA network create "$P-d" > /dev/null
OSA network create "$P-d" > /dev/null
OSA subnet create "$P-d-s" --network "$P-t-net" --subnet-range 10.64.0.0/24 > /dev/null
OSA subnet create "$P-d-s" --network "$P-t-net" --subnet-range 10.65.0.0/24 > /dev/null
OSA router create "$P-d-r" > /dev/null
OSA router create "$P-d-r" > /dev/null
OSA security group create "$P-d-g" > /dev/null
OSA security group create "$P-d-g" > /dev/null
OSA port create "$P-d-p" --network "$P-t-net" > /dev/null
OSA port create "$P-d-p" --network "$P-t-net" > /dev/null
declare -A DUP=([network]="$P-d network" [subnet]="$P-d-s subnet" [router]="$P-d-r router"
	[secgroup]="$P-d-g security group" [port]="$P-d-p port")
for kind in network subnet router secgroup port; do
	name=${DUP[$kind]%% *} what=${DUP[$kind]#* }
	ids=$(OSA $what list -f value -c ID -c Name | awk -v n="$name" '$2 == n {print $1}' | sort)
	for action in show delete; do
		run "$NET" $kind $action "$name"
		expect_rc "$kind $action of a name two share: 65" 65 \
			"^cloudctl-net: $kind $action: $name: 2 ${what}s match \(([0-9a-f-]{36}), ([0-9a-f-]{36})\); give an ID$"
		assert "$kind $action: the message names both IDs" \
			test "$(grep -o '[0-9a-f-]\{36\}' "$T/err" | sort | tr '\n' ' ')" = "$(echo $ids | tr ' ' '\n' | tr '\n' ' ')"
	done
	assert "$kind: both still exist" test "$(OSA ${what} list -f value -c Name | grep -cx "$name")" = 2
	case $kind in
	subnet) args=(--network "$P-t-net" --cidr 10.66.0.0/24) ;;
	port) args=(--network "$P-t-net") ;;
	*) args=() ;;
	esac
	run "$NET" $kind create "$name" --if-missing "${args[@]}"
	expect_rc "$kind create --if-missing of a name two share: 65" 65 "2 ${what}s match"
	assert "$kind: still two after create --if-missing" test "$(OSA ${what} list -f value -c Name | grep -cx "$name")" = 2
done
run env OS_CLOUD=admin "$NET" network show "$P-d"
expect_rc "admin: tenant-a's pair is not in admin's project: 66" 66 "in project admin$"
run env OS_CLOUD=admin "$NET" --all-projects network show "$P-d"
expect_rc "admin --all-projects: the pair: 65" 65 "2 networks match"

# ---- piped records: of another cloud or project refused, empty streams ----
"$NET" network show "$P-t-net" > "$T/a.rec"
assert "a record carries driver, cloud and project" test \
	"$(field driver < "$T/a.rec") $(field cloud < "$T/a.rec") $(field project < "$T/a.rec")" = "openstack tenant-a $A_P"
run env OS_CLOUD=tenant-b "$NET" network delete - < "$T/a.rec"
expect "tenant-a's record to tenant-b's delete: 65, the line named" 65 "" \
	"cloudctl-net: network delete: <stdin>:1: record is driver=openstack cloud=tenant-a project=$A_P; this command acts on driver=openstack cloud=tenant-b project=$(OSX project show tenant-b -f value -c id)"
sed "s/cloud=tenant-a/cloud=admin/" "$T/a.rec" > "$T/x.rec"
run env OS_CLOUD=admin "$NET" network delete - < "$T/x.rec"
expect_rc "a record of another project to admin's delete: 65" 65 "^cloudctl-net: network delete: <stdin>:1: record is .*project=$A_P; this command acts on .*project=$ADMIN_P$"
run env -u OS_CLOUD "$NET" network show - -o kv -c name,cloud < "$T/a.rec"
expect "no target named: the records' cloud and driver" 0 "name=$P-t-net cloud=tenant-a"
sed "s/ driver=openstack / driver=libvirt /" "$T/a.rec" > "$T/l.rec"
run "$NET" --driver openstack network delete - < "$T/l.rec"
expect_rc "a libvirt record to the OpenStack driver: 65" 65 "<stdin>:1: record is driver=libvirt"
assert "tenant-a's network still exists after the refusals" test "$(OSA network list --name "$P-t-net" -f value | wc -l)" = 1
for kind in network subnet router secgroup rule fip port; do
	run_in "" "$NET" $kind delete -
	expect "$kind delete of an empty stream: nothing to do" 0 "" ""
	run_in "kind=vm name=x
" "$NET" $kind delete -
	want=$kind; [ $kind = network ] && want=net
	expect "$kind delete of records of no kind=$want: 65" 65 "" "cloudctl-net: $kind delete: <stdin>: 1 record, none of kind=$want"
done

# ---- SIGINT and SIGTERM during tenant create: all or nothing, exit 130 or 0 ----
# tenant create makes 4 objects in about 20 s here; a signal at each delay
# falls in another step.
tenant_left() {
	echo "$(OSA network list --name "$P-s-net" -f value | wc -l) $(OSA subnet list --name "$P-s-subnet" -f value | wc -l)" \
		"$(OSA router list --name "$P-s-router" -f value | wc -l) $(OSA security group list -f value -c Name | grep -cx "$P-s-sg")"
}
for sig_delay in INT:1 TERM:3 INT:5 TERM:8 INT:12; do
	sig=${sig_delay%:*} delay=${sig_delay#*:}
	timeout --preserve-status -s $sig "$delay" "$NET" tenant create "$P-s" --cidr 10.67.0.0/24 -o kv > "$T/out" 2> "$T/err"
	rc=$?
	left=$(tenant_left)
	if [ $rc = 130 ] && [ "$(wc -l < "$T/out")" = 4 ]; then # in its last request: done, and said so
		assert "SIG$sig after ${delay}s: in the last step: 130, 4 records, all there" test \
			"$(cat "$T/err") $left" = "cloudctl-net: tenant create: interrupted 1 1 1 1"
		"$NET" tenant delete "$P-s" > /dev/null 2>&1
	elif [ $rc = 130 ]; then
		assert "SIG$sig after ${delay}s: 130, one line, nothing left" test \
			"$(wc -l < "$T/out") $(cat "$T/err") $left" = "0 cloudctl-net: tenant create: $P-s: interrupted: what this run made is deleted again 0 0 0 0"
	else
		assert "SIG$sig after ${delay}s: done before it (0), 4 records, all there" test "$rc $(wc -l < "$T/out") $left" = "0 4 1 1 1 1"
		"$NET" tenant delete "$P-s" > /dev/null 2>&1
	fi
done
"$NET" tenant create "$P-s" --cidr 10.67.0.0/24 > /dev/null 2>&1
sig=INT
timeout --preserve-status -s INT 4 "$NET" tenant delete "$P-s" -o kv -c kind,state > "$T/out" 2> "$T/err"
rc=$?
left=$(tenant_left) n=0
for v in $left; do n=$((n + v)); done
# each object either deleted (its record says so) or there (its record, without state=deleted)
# on a quiet machine the delete may end before the signal: then 0, all deleted
[ $rc = 0 ] && [ $n = 0 ] && rc=130
assert "SIG$sig during tenant delete: exit 130 (or done first), a record per object, each true" test \
	"$rc $(wc -l < "$T/out") $(grep -c state=deleted "$T/out")" = "130 4 $((4 - n))"
"$NET" tenant delete "$P-s" > /dev/null 2>&1
"$NET" tenant delete "$P-t" > /dev/null 2>&1
assert "tenant-b's objects all still exist at the end" test "$(b_state)" = "$B_ALL"
