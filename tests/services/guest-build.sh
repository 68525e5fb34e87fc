#!/bin/bash
# guest-build.sh: a tiny bootable guest for qemu:///system tests, with no root disk:
# $SVC_DIR/guest/vmlinuz, Debian's cloud kernel (linux-image-*-cloud-amd64 fetched with
# apt-get download + dpkg -x, NOT installed), and $SVC_DIR/guest/initrd.gz, a
# busybox-static initramfs whose /init
#   - loads virtio-net, runs udhcpc on eth0,
#   - loads virtio_blk + isofs and, for each /dev/vd* holding an ISO 9660 with user-data
#     (a NoCloud seed), prints "GUEST: seed label=... meta-data: <line 1>" and
#     "GUEST: user-data: <line 1>",
#   - prints "GUEST: ready" and idles. Everything goes to ttyS0 (console=ttyS0).
# Cached: nothing is done when the outputs exist and this script has not changed.
set -euo pipefail
trap 'echo "$0: failed at line $LINENO" >&2' ERR
source "$(dirname "$0")/common.sh"
G=$SVC_DIR/guest; mkdir -p "$G/cache"
t0=$(date +%s%N)
stamp=$(sha256sum <"$0" | cut -c1-16)
if [ -s "$G/vmlinuz" ] && [ -s "$G/initrd.gz" ] && [ "$(cat "$G/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "guest: already built in $G"; exit 0
fi
need_cmds "apt-get install -y busybox-static cpio" busybox cpio dpkg apt-get gzip
BB=$(command -v busybox)
if ldd "$BB" >/dev/null 2>&1; then # dynamic: the plain busybox package, useless in an initramfs
	echo "$0: $BB is not static; install with: apt-get install -y busybox-static" >&2; exit 69
fi
PKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ && !p { print $2; p = 1 }')
[ -n "$PKG" ] || { echo "$0: apt knows no linux-image-cloud-amd64; run: apt-get update" >&2; exit 69; }

cd "$G/cache"
if ! ls "${PKG}"_*.deb >/dev/null 2>&1; then
	rm -f linux-image-*.deb # an older ABI
	apt-get download "$PKG" >/dev/null 2>&1 || { echo "$0: apt-get download $PKG failed (apt sources unreachable?)" >&2; exit 69; }
fi
cd "$G"; rm -rf x root
dpkg -x cache/"${PKG}"_*.deb x
M=$(echo x/lib/modules/*)
mkdir -p root/{bin,proc,sys,dev,mods,seed,etc/udhcpc}

# add_mod NAME LIST: copy NAME.ko and, first, its dependencies (from the module's own
# "depends=" modinfo string: the package has no modules.dep) into root/mods; append to LIST.
add_mod() {
	local name=$1 list=$2 ko dep
	grep -qx "$name.ko" root/mods/order* 2>/dev/null && return 0
	ko=$(find "$M/kernel" \( -name "$name.ko" -o -name "${name//_/-}.ko" \) -print -quit)
	[ -n "$ko" ] || { echo "$0: module $name not in $PKG" >&2; exit 1; }
	for dep in $(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | tr ',' ' '); do add_mod "$dep" "$list"; done
	cp "$ko" "root/mods/$name.ko"; echo "$name.ko" >>"root/mods/$list"
}
# virtio_pci before virtio_net (dependencies first): the order the recipe proved.
# virtio_balloon fails to load in this guest, so it is left out.
for m in virtio_pci virtio_net; do add_mod $m order; done
# isofs needs cdrom in this kernel build (depends=cdrom); the resolver adds it.
for m in virtio_blk isofs; do add_mod $m order2; done

cp "$BB" root/bin/busybox
for a in sh mount umount insmod ip udhcpc sleep usleep cat echo head ls mkdir dd sed tr ifconfig route; do
	ln -sf busybox root/bin/$a
done
# Debian's busybox udhcpc runs /etc/udhcpc/default.script (not /usr/share/udhcpc/...):
# without it the lease is obtained but the address is never set. -s names it anyway.
cat >root/etc/udhcpc/default.script <<'S'
#!/bin/sh
[ "$1" = bound ] || [ "$1" = renew ] || exit 0
ip addr add "$ip/${mask:-24}" dev "$interface"; [ -n "$router" ] && ip route add default via "$router"
echo "GUEST: dhcp bound $ip on $interface"
S
cat >root/init <<'S'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m; done
ip link set lo up; ip link set eth0 up && udhcpc -i eth0 -t 10 -T 2 -n -q -s /etc/udhcpc/default.script
for m in $(cat /mods/order2); do insmod /mods/$m; done
# virtio disks appear asynchronously after insmod; wait up to 2 s for the first
i=0; while [ $i -lt 20 ] && ! ls /dev/vd* >/dev/null 2>&1; do usleep 100000; i=$((i + 1)); done
for d in /dev/vd*; do
	[ -b "$d" ] || continue
	mount -t iso9660 -o ro "$d" /seed 2>/dev/null || continue
	if [ -f /seed/user-data ]; then
		# the volume id: 32 bytes at offset 40 of the PVD (sector 16), space-padded
		label=$(dd if="$d" bs=1 skip=32808 count=32 2>/dev/null | tr -d '\0' | sed 's/ *$//')
		echo "GUEST: seed label=$label meta-data: $(head -n 1 /seed/meta-data 2>/dev/null)"
		echo "GUEST: user-data: $(head -n 1 /seed/user-data)"
	fi
	umount /seed
done
echo "GUEST: ready"; ip -4 addr show eth0
while true; do sleep 3600; done
S
chmod +x root/init root/etc/udhcpc/default.script
cp x/boot/vmlinuz-* vmlinuz
(cd root && find . | LC_ALL=C sort | cpio -o -H newc 2>/dev/null | gzip -9) >initrd.gz
rm -rf x root
echo "$stamp" >stamp
echo "guest: built $G/vmlinuz ($(du -h vmlinuz | cut -f1), $PKG) + initrd.gz ($(du -h initrd.gz | cut -f1)) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
