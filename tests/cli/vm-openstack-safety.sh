# vm-openstack-safety: cloudctl-vm --driver openstack never acts on the wrong object,
# leaves nothing behind without a record, and refuses bad files with the right code;
# each case is a row of a table (verb x bad case) run against the real OpenStack of
# tests/services/openstack-start.sh as tenant-a, and the `openstack` client says what
# the cloud holds afterwards. Servers are --no-network (cheap for Nova) and reused
# across rows; at most 4 exist at a time.
# group: openstack
. "$(dirname "$0")/lib.sh"
NAME=vm-openstack-safety; . "$(dirname "$0")/data/openstack/env.sh"
P=t-vms-$$ # every server of this run starts with it
NONET=(--image tiny-image --flavor m1.tiny)
BOOT=("${NONET[@]}" --no-network)
VERBS="show start stop reboot delete wait stats"
KP=""

cleanup_hook() {
	os_delete_servers --prefix "$P"
	[ -n "$KP" ] && openstack keypair delete "$KP" >/dev/null 2>&1
	rm -rf "$NOBODY_DIR"
}
status_of() { openstack server show -f value -c status "$1" 2>&1; }
keypairs() { openstack keypair list -f value -c Name | sort | tr '\n' ' '; }
PROJ=$(openstack token issue -f value -c project_id)

ssh-keygen -q -t ed25519 -N '' -C "vms-$$" -f "$T/key" </dev/null >/dev/null
ssh-keygen -q -t ed25519 -N '' -C "vms2-$$" -f "$T/key2" </dev/null >/dev/null

# --- two servers sharing the keypair --ssh-key makes; the record names it ---
run $VM create --count 2 --name "$P-k%d" "${BOOT[@]}" --ssh-key "$T/key.pub" --tag suite=safety --wait -o kv </dev/null
KP=$(field keypair <"$T/out")
ID1=$(openstack server show "$P-k1" -f value -c id 2>/dev/null)
expect "create: the record in the order of cloudctl-vm(1), with the keypair made" 0 \
	"kind=vm id=$ID1 name=$P-k1 state=running driver=openstack cloud=tenant-a project=$PROJ vcpus=1 mem_mib=512 flavor=m1.tiny image=tiny-image tag.suite=safety status=ACTIVE keypair=$KP
$(sed -n 2p "$T/out")"
assert "the keypair is cloudctl-<hash>, and Nova has it" test "${KP#cloudctl-}" != "$KP" -a \
	"$(openstack server show "$P-k2" -f value -c key_name)" = "$KP"
if [ -z "$ID1" ]; then fail "vm-openstack-safety setup" "no server $P-k1"; exit 0; fi

# --- a record of another cloud, project or driver: refused by every verb ------
REC=$($VM list --name "$P-k1" -o kv)
for verb in $VERBS; do
	run_in "$REC
" env OS_CLOUD=tenant-b $VM "$verb" -
	expect "$verb: a tenant-a record given to tenant-b" 65 "" \
		"cloudctl-vm: $verb: <stdin>:1: record is driver=openstack cloud=tenant-a project=$PROJ; this command acts on driver=openstack cloud=tenant-b"
	run_in "$REC
" $VM --connect test:///default "$verb" -
	expect "$verb: an OpenStack record given to libvirt" 65 "" \
		"cloudctl-vm: $verb: <stdin>:1: record is driver=openstack cloud=tenant-a project=$PROJ; this command acts on driver=libvirt uri=test:///default"
	run_in "kind=vm name=$P-k1
kind=vm id=$ID1 name=$P-k1 driver=openstack cloud=tenant-a project=0000
" $VM "$verb" -
	expect "$verb: a record of another project" 65 "" \
		"cloudctl-vm: $verb: <stdin>:2: record is driver=openstack cloud=tenant-a project=0000; this command acts on driver=openstack cloud=tenant-a project=$PROJ"
done
assert "after the refusals the server is ACTIVE" test "$(status_of "$ID1")" = ACTIVE
run_in "$REC
" env -u OS_CLOUD $VM show -o kv -c name,cloud -
expect "no cloud named: the record's is used" 0 "name=$P-k1 cloud=tenant-a"
run_in "kind=net name=$P-n driver=openstack cloud=tenant-b project=0000
" $VM create --name "$P-x" "${NONET[@]}" -
expect "create -: a net record of another cloud" 65 "" \
	"cloudctl-vm: create: <stdin>:1: record is driver=openstack cloud=tenant-b project=0000; this command acts on driver=openstack cloud=tenant-a"

# --- an empty stream: nothing to do for the verbs that act on what they get;
# create - needs its networks ----------------------------------------------
for verb in $VERBS; do
	run $VM "$verb" - </dev/null
	expect "$verb - with no records: nothing to do" 0 "" ""
done
run $VM create --name "$P-x" --image tiny-image --flavor m1.tiny - </dev/null
expect "create - with no records" 65 "" "cloudctl-vm: create: no kind=net record on standard input: create - takes its networks from it"
run_in "kind=subnet name=$P-sub
" $VM create --name "$P-x" --image tiny-image --flavor m1.tiny -
expect "create - with no net record" 65 "" "cloudctl-vm: create: no kind=net record on standard input: create - takes its networks from it"
assert "no server $P-x was made" test -z "$(openstack server list --name "^$P-x" -f value -c ID)"

# --- files: a private key, a missing, unreadable or directory file ----------
KEYS=$(keypairs)
run $VM create --name "$P-x" "${BOOT[@]}" --ssh-key "$T/key" </dev/null
expect "--ssh-key given a private key" 65 "" "cloudctl-vm: create: --ssh-key '$T/key': not an OpenSSH public key (one line: TYPE BASE64 [COMMENT])"
run $VM create --name "$P-x" "${BOOT[@]}" --ssh-key "$T/none.pub" </dev/null
expect "--ssh-key missing" 66 "" "cloudctl-vm: create: --ssh-key '$T/none.pub': No such file or directory"
run $VM create --name "$P-x" "${BOOT[@]}" --ssh-key "$T" </dev/null
expect "--ssh-key a directory" 66 "" "cloudctl-vm: create: --ssh-key '$T': Is a directory"
run $VM create --name "$P-x" "${BOOT[@]}" --user-data "$T" </dev/null
expect "--user-data a directory" 66 "" "cloudctl-vm: create: --user-data '$T': Is a directory"
run env OS_CLIENT_CONFIG_FILE="$T/none.yaml" $VM list
expect "clouds.yaml missing" 66 "" "cloudctl-vm: list: $T/none.yaml: no such file (from OS_CLIENT_CONFIG_FILE)"
run env OS_CLIENT_SECURE_FILE="$T" $VM list
expect "secure.yaml a directory" 66 "" "cloudctl-vm: list: $T: not a file (from OS_CLIENT_SECURE_FILE)"
# permission denied (77): as nobody, with credentials nobody can read but a key it cannot
NOBODY_DIR=$(mktemp -d /tmp/vms-nobody.XXXXXX)
chmod 755 "$NOBODY_DIR"
mkdir "$NOBODY_DIR/cache" && chown 65534:65534 "$NOBODY_DIR/cache"
cp "$OS_CLIENT_CONFIG_FILE" "$OS_CLIENT_SECURE_FILE" "$T/key.pub" "$NOBODY_DIR/"
chmod 600 "$NOBODY_DIR/key.pub"
chmod 644 "$NOBODY_DIR/clouds.yaml" "$NOBODY_DIR/secure.yaml"
cp "$NOBODY_DIR/secure.yaml" "$NOBODY_DIR/secret.yaml" && chmod 600 "$NOBODY_DIR/secret.yaml"
AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$NOBODY_DIR" XDG_CACHE_HOME="$NOBODY_DIR/cache"
	OS_CLIENT_CONFIG_FILE="$NOBODY_DIR/clouds.yaml" OS_CLIENT_SECURE_FILE="$NOBODY_DIR/secure.yaml")
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	run "${AS_NOBODY[@]}" $VM create --name "$P-x" "${BOOT[@]}" --ssh-key "$NOBODY_DIR/key.pub" </dev/null
	expect_rc "--ssh-key not readable" 77 "^cloudctl-vm: create: --ssh-key '$NOBODY_DIR/key.pub': Permission denied$"
	run "${AS_NOBODY[@]}" $VM create --name "$P-x" "${BOOT[@]}" --user-data "$NOBODY_DIR/key.pub" </dev/null
	expect_rc "--user-data not readable" 77 "^cloudctl-vm: create: --user-data '$NOBODY_DIR/key.pub': Permission denied$"
	run "${AS_NOBODY[@]}" OS_CLIENT_SECURE_FILE="$NOBODY_DIR/secret.yaml" $VM list
	expect "secure.yaml not readable" 77 "" "cloudctl-vm: list: $NOBODY_DIR/secret.yaml: Permission denied"
else
	skip "files not readable (77)" "needs root and setpriv to drop to nobody"
fi
# a name that exists (73) is found before --ssh-key makes a keypair
run $VM create --name "$P-k1" "${BOOT[@]}" --ssh-key "$T/key2.pub" </dev/null
expect "create: a name that exists, with a new --ssh-key" 73 "" \
	"cloudctl-vm: create: server '$P-k1' already exists (use --if-missing to accept it)"
assert "the refusals made no keypair and no server" test "$(keypairs)" = "$KEYS" -a \
	-z "$(openstack server list --name "^$P-x" -f value -c ID)"

# --- two servers of one name: every verb refuses the name, names both IDs ----
for _ in 1 2; do # --nic none: microversion 2.37
	openstack --os-compute-api-version 2.37 server create "${NONET[@]}" --nic none "$P-dup" -f value -c id >/dev/null
done
DUPS=$(openstack server list --name "^$P-dup\$" -f value -c ID | sort | tr '\n' ' ')
# the IDs in either order (Nova lists the newest first; creation times can tie)
set -- $DUPS
ambiguous() { printf '^cloudctl-vm: %s: %s%s: 2 servers match \\((%s, %s|%s, %s)\\); give an ID$' "$1" "$2" "$P-dup" \
	"$D1" "$D2" "$D2" "$D1"; }
D1=${1:-none} D2=${2:-none}
for verb in $VERBS; do
	run $VM "$verb" "$P-dup" </dev/null
	expect_rc "$verb NAME: two servers of that name" 65 "$(ambiguous "$verb" "")"
done
run_in "kind=vm name=$P-dup
" $VM delete -
expect_rc "delete -: a record naming two servers" 65 "$(ambiguous delete "<stdin>:1: ")"
run $VM create --name "$P-dup" "${BOOT[@]}" --if-missing </dev/null
expect_rc "create --if-missing: two servers of that name" 65 "$(ambiguous create "")"
assert "both are still there" test "$(openstack server list --name "^$P-dup\$" -f value -c ID | wc -l)" = 2

# --- delete without --wait says what is true; stop --force; stop's timeout ---
run $VM delete "$D1" -o kv -c name,state
assert "delete without --wait: deleting or deleted" grep -qxE "name=$P-dup state=(deleting|deleted)" "$T/out"
run $VM delete --wait "$D2" -o kv -c name,state,status
expect "delete --wait: deleted" 0 "name=$P-dup state=deleted status=DELETED"
run $VM stop --force "$P-k1"
expect "stop --force is libvirt's" 64 "" "cloudctl-vm: stop: --force is for --driver libvirt (Nova powers off what does not shut down)"
run $VM stop --help
assert "stop --help: one default for both drivers" grep -q "default 60s, both drivers" "$T/out"
run $VM stop "$P-k1" -o kv -c name,state,status
expect "stop" 0 "name=$P-k1 state=shutoff status=SHUTOFF"
assert "openstack: SHUTOFF" test "$(status_of "$ID1")" = SHUTOFF

# --- signals: the waits end, the records are written, exit 130 --------------
$VM wait "$P-k1" --state paused --timeout 2m -o kv -c name,state >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 3
kill -TERM $pid
wait $pid; rc=$?
expect "wait, SIGTERM: its record, exit 130" 130 "name=$P-k1 state=shutoff" ""
$VM create --count 3 --name "$P-i%d" "${BOOT[@]}" --wait --timeout 2m -o kv -c name </dev/null >"$T/out" 2>"$T/err" &
pid=$!
sleep 1.5 # the POSTs are out, the servers are building: --wait is polling
kill -INT $pid
wait $pid; rc=$?
ON_CLOUD=$(openstack server list --name "^$P-i" -f value -c Name | sort | tr '\n' ' ')
REPORTED=$(sed 's/^name=//' "$T/out" | sort | tr '\n' ' ')
echo "# create --count 3 --wait, SIGINT: exit $rc, reported: $REPORTED"
assert "create --count 3 --wait, SIGINT: exit 130, or 0 when all were running already" \
	test "$rc" = 130 -o "$rc:$(grep -c . "$T/out")" = 0:3
assert "create, SIGINT: a record for every server on the cloud" test -n "$ON_CLOUD" -a "$ON_CLOUD" = "$REPORTED"
os_delete_servers --prefix "$P-i"

# --- delete --delete-keypair: kept while another server has it, then deleted --
run $VM delete --wait --delete-keypair "$P-k1" -o kv -c kind,name,state
expect "delete --delete-keypair: another server has it" 0 "kind=vm name=$P-k1 state=deleted" \
	"cloudctl-vm: warning: delete: keypair '$KP' is kept: server '$P-k2' has it too"
run bash -c "$VM list --name '$P-k2' | $VM delete --delete-keypair - -o kv -c kind,name,state"
assert "delete --delete-keypair: the last server, then its keypair" test "$rc" = 0 -a \
	"$(sed -n 2p "$T/out")" = "kind=keypair name=$KP state=deleted" -a \
	"$(sed -n 1p "$T/out" | sed -E 's/state=(deleting|deleted)$/state=ok/')" = "kind=vm name=$P-k2 state=ok"
assert "openstack: the keypair is gone" test -z "$(openstack keypair list -f value -c Name | grep -x -- "$KP")"
