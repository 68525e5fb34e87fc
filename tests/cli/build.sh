# build: cloudctl-build into an OCI image layout. The same commit in two clones
# gives the same digest; the layer's tar is checked with tar -tv; skopeo reads
# the labels; umoci unpacks and runc runs the image (as root); every refused
# input gets its exit code and one-line error.
. "$(dirname "$0")/lib.sh"
B=cloudctl-build
export TZ=UTC GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE='2024-05-01T12:00:00Z' GIT_COMMITTER_DATE='2024-05-01T12:00:00Z'
unset SOURCE_DATE_EPOCH
umask 022
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' && BUSYBOX=
[ -z "$BUSYBOX" ] && [ -x /bin/busybox ] && BUSYBOX=/bin/busybox

# the blob of the image's only (or last) layer: blob LAYOUT TAG
layer_blob() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d, tag = sys.argv[1:]
idx = json.load(open(f"{d}/index.json"))
m = [x for x in idx["manifests"] if x.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][0]
man = json.load(open(f"{d}/blobs/sha256/{m['digest'][7:]}"))
print(f"{d}/blobs/sha256/{man['layers'][-1]['digest'][7:]}")
EOF
}

# The source repository: a long name, modes, a symlink, a nested directory.
LONG=dir-with-a-rather-long-name-for-ustar/and-a-file-name-that-takes-the-path-well-beyond-one-hundred-bytes.txt
mkdir -p "$T/src/app/bin" "$T/src/app/etc" "$T/src/app/$(dirname $LONG)" "$T/src/docs"
cd "$T/src" && git init -q . && git checkout -q -b main
if [ -n "$BUSYBOX" ]; then cp "$BUSYBOX" app/bin/busybox; else printf '#!/bin/sh\n' > app/bin/busybox; fi
chmod 755 app/bin/busybox
echo hello from the image > app/etc/msg
echo secret > app/etc/local.env
printf '# comments and exclusions\n**/*.env\n' > app/.dockerignore
echo long > "app/$LONG"
printf '#!/bin/sh\n' > app/etc/run.sh && chmod 750 app/etc/run.sh
ln -s busybox app/bin/sh
echo outside > docs/readme
git add -A && git commit -qm one
git remote add origin https://ci-user:s3cret@git.example.com/shop/app.git
SHA=$(git rev-parse HEAD) STIME=$(git log -1 --format=%ct)
cd - >/dev/null
git clone -q "$T/src" "$T/c1" && git clone -q "$T/src" "$T/c2"
git -C "$T/c1" remote set-url origin https://ci-user:s3cret@git.example.com/shop/app.git
git -C "$T/c2" remote set-url origin https://git.example.com/shop/app.git
# checkouts do not keep modes other than 644/755
chmod 750 "$T/c1/app/etc/run.sh" "$T/c2/app/etc/run.sh"

run $B "$T/c1/app" --repo "oci:$T/l1" --entrypoint '["/bin/busybox","cat","/etc/msg"]'
expect_rc "build a commit" 0
D1=$(field digest < "$T/out")
assert "the record" test "$(sed "s/digest=sha256:[0-9a-f]*/digest=D/; s/size=[0-9]* /size=N /; s/uploaded=[0-9]* /uploaded=N /" "$T/out")" = \
	"kind=image ref=oci:$T/l1:$SHA digest=D source=$SHA source_time=$STIME size=N layers=1 uploaded=N mounted=0 skipped=0"
run $B "$T/c2/app" --repo "oci:$T/l2" --entrypoint '["/bin/busybox","cat","/etc/msg"]'
assert "a second clone gives the same digest, byte for byte" test "$(field digest < "$T/out")" = "$D1"
assert "the same layer blob in both layouts" cmp -s "$(layer_blob "$T/l1" "$SHA")" "$(layer_blob "$T/l2" "$SHA")"
SOURCE_DATE_EPOCH=1700000000 run $B "$T/c2/app" --repo "oci:$T/l3" --entrypoint '["/bin/busybox","cat","/etc/msg"]'
assert "another SOURCE_DATE_EPOCH, another digest" test "$(field digest < "$T/out")" != "$D1"

run $B "$T/c1/app" --repo "oci:$T/l1" --entrypoint '["/bin/busybox","cat","/etc/msg"]'
expect_rc "rebuild into the same layout" 0
assert "a rebuild writes no blob" test "$(field uploaded < "$T/out") $(field skipped < "$T/out")" = "0 2"

# the layer: sorted, exact modes, root-owned, the commit's time, the long name whole
run tar --numeric-owner -tvzf "$(layer_blob "$T/l1" "$SHA")"
got=$(awk '{ printf "%s %s %s %s %s", $1, $2, $3, $4, $5; for (i = 6; i <= NF; i++) printf " %s", $i; print "" }' "$T/out" | sed "s/ $(stat -c %s "$T/c1/app/bin/busybox") / BB /")
want="drwxr-xr-x 0/0 0 2024-05-01 12:00 bin/
-rwxr-xr-x 0/0 BB 2024-05-01 12:00 bin/busybox
lrwxrwxrwx 0/0 0 2024-05-01 12:00 bin/sh -> busybox
drwxr-xr-x 0/0 0 2024-05-01 12:00 dir-with-a-rather-long-name-for-ustar/
-rw-r--r-- 0/0 5 2024-05-01 12:00 $LONG
drwxr-xr-x 0/0 0 2024-05-01 12:00 etc/
-rw-r--r-- 0/0 21 2024-05-01 12:00 etc/msg
-rwxr-xr-x 0/0 10 2024-05-01 12:00 etc/run.sh"
if [ "$got" = "$want" ]; then ok "layer listing: sorted, git's modes (750 stored as 755), 0/0, commit time, long name via pax"
else fail "layer listing" "$(diff <(echo "$want") <(echo "$got") | head -20)"; fi
assert "the long name went through a pax header" sh -c "zcat '$(layer_blob "$T/l1" "$SHA")' | grep -aq '[0-9] path=$LONG'"

# tags
run $B "$T/c1/app" --repo "oci:$T/l1" --tag-format short
assert "--tag-format short: 12 digits" test "$(field ref < "$T/out")" = "oci:$T/l1:${SHA:0:12}"
run $B "$T/c1/app" --repo "oci:$T/l1:v1" --tag latest
assert "the tag in --repo, then --tag" test "$(field ref < "$T/out")" = "oci:$T/l1:v1"
run $B tags "oci:$T/l1"
expect "tags" 0 "kind=tag repo=oci:$T/l1 tag=${SHA:0:12}
kind=tag repo=oci:$T/l1 tag=$SHA
kind=tag repo=oci:$T/l1 tag=latest
kind=tag repo=oci:$T/l1 tag=v1"
run $B resolve "oci:$T/l1:$SHA"
assert "resolve: the digest of the build" test "$(field digest < "$T/out") $(field source < "$T/out")" = "$D1 $SHA"
run $B resolve "oci:$T/l1:nope"
expect "resolve a missing tag" 66 "" "cloudctl-build: oci:$T/l1: no tag 'nope'"

# a dirty work tree
echo changed >> "$T/c2/app/etc/msg"
run $B "$T/c2/app" --repo "oci:$T/l2"
expect "a dirty tree is refused" 65 "" "cloudctl-build: $T/c2/app: uncommitted changes (app/etc/msg); commit them or use --allow-dirty"
run $B "$T/c2/app" --repo "oci:$T/l2" --allow-dirty
assert "--allow-dirty: the tag says so" test "$(field ref < "$T/out")" = "oci:$T/l2:$SHA-dirty"
git -C "$T/c2" checkout -q app/etc/msg
echo x > "$T/c2/docs/new"
run $B "$T/c2/app" --repo "oci:$T/l2"
expect_rc "a change outside DIR does not make it dirty" 0

# the labels, through skopeo
if command -v skopeo >/dev/null; then
	run skopeo inspect "oci:$T/l1:$SHA"
	assert "skopeo: revision and created (no source: a remote's URL differs between clones)" python3 -c "
import json, sys
l = json.load(open('$T/out'))['Labels']
sys.exit(l != {'org.opencontainers.image.revision': '$SHA',
	'org.opencontainers.image.created': '2024-05-01T12:00:00Z'})"
	assert "skopeo: the digest" test "$(python3 -c "import json; print(json.load(open('$T/out'))['Digest'])")" = "$D1"
else
	skip "skopeo inspect" "skopeo not installed (apt-get install skopeo)"
fi

# a base image made here from busybox, the app on top; umoci unpacks, runc runs
run_image() { # LAYOUT TAG NAME: the output of the image's process
	rm -rf "$T/bundle"
	umoci unpack --image "$1:$2" "$T/bundle" >/dev/null 2>&1 || { echo "umoci unpack failed"; return; }
	python3 -c "import json; f='$T/bundle/config.json'; c=json.load(open(f)); c['process']['terminal']=False; json.dump(c, open(f,'w'))"
	(cd "$T/bundle" && timeout 30 runc run "cloudctl-test-$3-$$" 2>&1 < /dev/null)
}
mkdir -p "$T/base/bin" && cp "$T/c1/app/bin/busybox" "$T/base/bin/busybox"
run $B "$T/base" --repo "oci:$T/images:busybox" --entrypoint '/bin/busybox cat' --cmd /etc/msg --env PATH=/bin
expect_rc "a base image from a directory outside git, with --tag in the reference" 0
assert "no git: no source" test -z "$(field source < "$T/out")"
mkdir -p "$T/c1/app2/etc" && echo "hello from the base's entrypoint" > "$T/c1/app2/etc/msg"
git -C "$T/c1" add app2 && git -C "$T/c1" commit -qm two
run $B "$T/c1/app2" --repo "oci:$T/images:app" --base "oci:$T/images:busybox" --env MODE=test --label team=shop
expect_rc "build on a base" 0
assert "two layers, the base's already there" test "$(field layers < "$T/out") $(field skipped < "$T/out")" = "2 1"
if [ "$(id -u)" = 0 ] && command -v umoci >/dev/null && command -v runc >/dev/null && [ -n "$BUSYBOX" ]; then
	assert "umoci + runc: the image runs" test "$(run_image "$T/l1" "$SHA" one)" = "hello from the image"
	assert "umoci + runc: the base's entrypoint and cmd, the new layer's file" \
		test "$(run_image "$T/images" app two)" = "hello from the base's entrypoint"
else
	skip "umoci + runc" "needs root, umoci, runc and busybox-static"
fi
run $B resolve "oci:$T/images:app"
assert "resolve on a based image" test "$(field layers < "$T/out")" = 2

# refused input: exit code and one line
mkdir -p "$T/bad"
cp -r "$T/bad" "$T/bad-sock"; cp -r "$T/bad" "$T/bad-dev"; cp -r "$T/bad" "$T/bad-name"
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('$T/bad-sock/ctl.sock')"
run $B "$T/bad-sock" --repo "oci:$T/lbad" --tag t
expect "a socket" 65 "" "cloudctl-build: $T/bad-sock/ctl.sock: socket: device files, sockets and FIFOs cannot go into an image layer (exclude it in the ignore file)"
if mknod "$T/bad-dev/null0" c 1 3 2>/dev/null; then
	run $B "$T/bad-dev" --repo "oci:$T/lbad" --tag t
	expect "a device file" 65 "" "cloudctl-build: $T/bad-dev/null0: character device: device files, sockets and FIFOs cannot go into an image layer (exclude it in the ignore file)"
else
	skip "a device file" "mknod needs root"
fi
touch "$T/bad-name/$(printf 'latin1-\xe9')"
run $B "$T/bad-name" --repo "oci:$T/lbad" --tag t
expect "a name that is not UTF-8" 65 "" "cloudctl-build: $T/bad-name/latin1-\\xe9: file name is not UTF-8 (tar's pax headers need UTF-8)"
ln -s loop-b "$T/loop-a"; ln -s loop-a "$T/loop-b"
run $B "$T/loop-a" --repo "oci:$T/lbad" --tag t
expect "DIR is a symlink loop" 66 "" "cloudctl-build: $T/loop-a: symlink loop (too many levels of symbolic links)"
mkdir -p "$T/loops" && ln -s b "$T/loops/a" && ln -s a "$T/loops/b"
run $B "$T/loops" --repo "oci:$T/lloops" --tag t
expect_rc "a symlink loop inside DIR is stored as two links (never followed)" 0
run $B "$T/missing" --repo "oci:$T/lbad" --tag t
expect "a missing DIR" 66 "" "cloudctl-build: $T/missing: no such directory"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T/locked/dir" && chmod 711 "$T" "$T/locked" && chmod 000 "$T/locked/dir"
	run setpriv --reuid=65534 --regid=65534 --clear-groups $CLOUDCTL_BIN/$B "$T/locked/dir" --repo oci:/tmp/none --tag t
	expect "an unreadable DIR" 77 "" "cloudctl-build: $T/locked/dir: Permission denied"
	chmod 755 "$T/locked/dir"
else
	skip "an unreadable DIR" "needs root (to drop to nobody)"
fi
assert "nothing was written for refused input" test ! -e "$T/lbad/index.json"
run $B "$T/c1/app" --repo shop/app
expect "a destination that is neither oci: nor a registry" 64 "" "cloudctl-build: invalid image reference 'shop/app': no registry host (write HOST[:PORT]/NAME; there is no default registry)"
run $B "$T/c1/app" --repo "oci:$T/l1" --tag 'bad tag'
expect_rc "a bad --tag" 64 "a tag is"
run $B "$T/c1/app"
expect "no --repo" 64 "" "cloudctl-build: build: --repo is required (oci:PATH[:TAG] or REGISTRY/NAME)"
mkdir -p "$T/plain"
run $B "$T/plain" --repo "oci:$T/lbad"
expect "DIR in no repository, no --tag" 66 "" "cloudctl-build: $T/plain: not in a git repository (the default tag is the commit; give --tag to build anyway)"

# a 5 GiB sparse file: its size in the ustar header (it fits 11 octal digits)
if [ "${CLOUDCTL_SLOW_TESTS:-}" = 1 ]; then
	mkdir -p "$T/sparse" && truncate -s 5G "$T/sparse/big"
	run $B "$T/sparse" --repo "oci:$T/lsparse" --tag t
	expect_rc "a 5 GiB sparse file" 0
	assert "its size in the header" test "$(tar -tvzf "$(layer_blob "$T/lsparse" t)" | awk '{print $3}')" = 5368709120
else
	skip "a 5 GiB sparse file" "~30 s here (5 GiB of zeros through zlib); CLOUDCTL_SLOW_TESTS=1 runs it"
fi
