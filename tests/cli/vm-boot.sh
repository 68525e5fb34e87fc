# vm-boot: a guest that really boots (Debian's cloud kernel + a busybox initramfs from
# tests/services/guest-build.sh, under TCG), gets a DHCP address on the isolated
# cloudctl-test network, and reads the cloud-init NoCloud seed that create made.
. "$(dirname "$0")/lib.sh"
export LIBVIRT_DEFAULT_URI=qemu:///system
VM=cloudctl-vm
V="virsh -q -c qemu:///system"
G=$SVC/guest
if ! have_libvirtd; then skip "vm-boot" "no libvirtd answers on qemu:///system (run as root: tests/services/libvirt-start.sh)"; exit 0; fi
if [ ! -s "$G/vmlinuz" ]; then skip "vm-boot" "no guest kernel in $G (tests/services/guest-build.sh)"; exit 0; fi
cleanup_hook() { $VM list --tag suite=vm-boot -o kv 2>/dev/null | $VM delete - >/dev/null 2>&1; }
cleanup_hook
LOG=/var/log/libvirt/qemu/ctb-1-console.log
rm -f "$LOG"
printf '#cloud-config from vm-boot\nhostname: ctb-1\n' > "$T/user-data"

run $VM create --name ctb-1 --kernel "$G/vmlinuz" --initrd "$G/initrd.gz" --cmdline console=ttyS0 \
	--memory 256M --disk 256M --network cloudctl-test --user-data "$T/user-data" --console-log "$LOG" \
	--domain-type qemu --tag suite=vm-boot --wait --timeout 120s -o kv
expect_rc "create --wait boots to an address" 0
ip=$(field ip < "$T/out")
assert "the record carries the DHCP address ($ip)" bash -c "[[ '$ip' == 10.254.0.* ]]"
assert "virsh domifaddr agrees" bash -c "$V domifaddr ctb-1 --source lease | grep -q ' $ip/24'"
assert "state running" test "$(field state < "$T/out")" = running
for i in $(seq 1 60); do grep -qa 'GUEST: ready' "$LOG" 2>/dev/null && break; sleep 0.5; done
id=$(field id < "$T/out")
assert "the guest read meta-data from the seed" grep -qa "GUEST: seed label=cidata meta-data: instance-id: $id" "$LOG"
assert "the guest read user-data from the seed" grep -qa "GUEST: user-data: #cloud-config from vm-boot" "$LOG"

run $VM show ctb-1 -c name,state,ip,net,domain_type,disk.0.dev,disk.0.source,disk.1.dev,disk.1.source,nic.0.source
expect "show" 0 "name=ctb-1 state=running ip=$ip net=cloudctl-test domain_type=qemu disk.0.dev=vda disk.0.source=ctb-1.qcow2 disk.1.dev=vdb disk.1.source=ctb-1-seed.iso nic.0.source=cloudctl-test"
run $VM stats ctb-1 -o kv
rx=$(field net_rx_bytes < "$T/out"); rd=$(field block_rd_bytes < "$T/out")
assert "stats: network bytes received ($rx)" test "${rx:-0}" -gt 0
assert "stats: the seed was read ($rd bytes)" test "${rd:-0}" -gt 0
assert "stats: per-device counters" grep -q ' net.0.rx.bytes=[0-9]' "$T/out"

# reboot --force waits until the guest went through its reset, and the guest does boot again
boots=$(grep -ac 'GUEST: ready' "$LOG")
run $VM reboot --force --timeout 60s ctb-1 -c name,state
expect "reboot --force waits for the reset" 0 "name=ctb-1 state=running"
for i in $(seq 1 120); do [ "$(grep -ac 'GUEST: ready' "$LOG")" -gt "$boots" ] && break; sleep 0.5; done
assert "the guest booted again after reboot" test "$(grep -ac 'GUEST: ready' "$LOG")" -gt "$boots"

run bash -c "$VM list --tag suite=vm-boot | $VM stop --timeout 1s --force - -c name,state"
expect "stop --force (busybox ignores ACPI)" 0 "name=ctb-1 state=shutoff"
run $VM start ctb-1 --wait --timeout 120s -c name,state
expect "start --wait" 0 "name=ctb-1 state=running"
run $VM delete ctb-1 -c name,state
expect "delete" 0 "name=ctb-1 state=deleted"
assert "volumes deleted" bash -c "! $V vol-list default | grep -q ctb-1"
