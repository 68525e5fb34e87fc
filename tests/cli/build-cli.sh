# build-cli: cloudctl-build as a new user meets it. The same commit gives the
# same digest from clones whose origin is spelled differently, in other paths,
# checked out under another umask, and no local path gets into the image; every
# file or directory an option or operand names is checked the same way in every
# verb (missing or the wrong kind 66, not allowed 77, one line, nothing written);
# progress on a terminal from the start of the work; -v names each phase; bash
# and fish complete options after the default verb's directory operand.
. "$(dirname "$0")/lib.sh"
B=cloudctl-build
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export TZ=UTC GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE='2024-05-01T12:00:00Z' GIT_COMMITTER_DATE='2024-05-01T12:00:00Z'
export XDG_CACHE_HOME=$T/cache
unset SOURCE_DATE_EPOCH
umask 022

# a commit: a script, a data file, a directory
mkdir -p "$T/src/app/bin" "$T/src/app/etc"
git -C "$T/src" init -q . && git -C "$T/src" checkout -q -b main
printf '#!/bin/sh\necho hi\n' > "$T/src/app/bin/run" && chmod 755 "$T/src/app/bin/run"
echo data > "$T/src/app/etc/conf"
git -C "$T/src" add -A && git -C "$T/src" commit -qm one
SHA=$(git -C "$T/src" rev-parse HEAD)

# image LAYOUT TAG WHAT: WHAT is "layer" (the path of the last layer's blob) or
# "labels" (the config's labels, sorted, one K=V a line)
image() {
	python3 - "$@" <<'EOF'
import json, sys
d, tag, what = sys.argv[1:]
idx = json.load(open(f"{d}/index.json"))
m = [x for x in idx["manifests"] if x["annotations"]["org.opencontainers.image.ref.name"] == tag][0]
man = json.load(open(f"{d}/blobs/sha256/{m['digest'][7:]}"))
if what == "layer":
    print(f"{d}/blobs/sha256/{man['layers'][-1]['digest'][7:]}")
else:
    cfg = json.load(open(f"{d}/blobs/sha256/{man['config']['digest'][7:]}"))
    for k, v in sorted(cfg["config"]["Labels"].items()):
        print(f"{k}={v}")
EOF
}
layer_blob() { image "$1" "$2" layer; }
config_labels() { image "$1" "$2" labels; }

# ---- same commit, same digest ----
git clone -q "$T/src" "$T/one/clone" && git -C "$T/one/clone" remote set-url origin https://git.example.com/shop/app.git
(umask 002 && git clone -q "$T/src" "$T/elsewhere/deeper/other") &&
	git -C "$T/elsewhere/deeper/other" remote set-url origin git@git.example.com:shop/app.git
git clone -q "$T/src" "$T/third" # origin: a local path
assert "the umask 002 clone has other modes (the case tested)" \
	test "$(stat -c %a "$T/elsewhere/deeper/other/app/etc") $(stat -c %a "$T/one/clone/app/etc")" = "775 755"
digests=
for c in one/clone elsewhere/deeper/other third; do
	run $B "$T/$c/app" --repo "oci:$T/same-$(basename "$c")"
	[ "$rc" = 0 ] || fail "build $c" "exit $rc: $(cat "$T/err")"
	digests="$digests $(field digest < "$T/out")"
done
set -- $digests - - -
assert "three clones (https and ssh origins, a local one; other paths, another umask): one digest" \
	test "$1 $2" = "$3 $3"
for c in clone other third; do
	if grep -rlF -e "$T" -e /tmp/ -e git.example.com "$T/same-$c/blobs" > "$T/leak"; then
		fail "no local path nor remote in the config or manifest ($c)" "$(cat "$T/leak")"
	else ok "no local path nor remote in the config or manifest ($c)"; fi
done
chmod 750 "$T/third/app/bin/run"
run $B "$T/third/app" --repo "oci:$T/kept"
assert "git's modes: a chmod 750 changes nothing" test "$(field digest < "$T/out")" = "$1"
run $B "$T/third/app" --repo "oci:$T/kept" --keep-modes --tag k
assert "--keep-modes: the work tree's modes, another digest" test "$(field digest < "$T/out")" != "$1"
assert "--keep-modes: 750 kept" test "$(tar -tvzf "$(layer_blob "$T/kept" k)" bin/run | cut -c1-10)" = "-rwxr-x---"
chmod 755 "$T/third/app/bin/run"
assert "labels: the commit and its time only" test "$(config_labels "$T/same-clone" "$SHA")" = \
"org.opencontainers.image.created=2024-05-01T12:00:00Z
org.opencontainers.image.revision=$SHA"
run $B "$T/one/clone/app" --repo "oci:$T/withsrc" --source-url https://git.example.com/shop/app.git
expect_rc "--source-url" 0
assert "--source-url: the source label, as given" test "$(config_labels "$T/withsrc" "$SHA" | grep source)" = \
	"org.opencontainers.image.source=https://git.example.com/shop/app.git"
run $B "$T/elsewhere/deeper/other/app" --repo "oci:$T/withsrc2" --source-url https://git.example.com/shop/app.git
assert "--source-url: the same digest from the other clone" test "$(field digest < "$T/out")" = \
	"$(cloudctl-build resolve "oci:$T/withsrc:$SHA" | field digest)"
# refused --source-url: exit 64, one line, nothing written
while IFS='|' read -r name url want; do
	run $B "$T/one/clone/app" --repo "oci:$T/badsrc" --source-url "$url"
	expect "--source-url refused: $name" 64 "" "cloudctl-build: $want"
done <<EOF
a local path|/tmp/app|build: --source-url '/tmp/app': expected a URL (SCHEME://HOST/PATH, e.g. https://git.example.com/shop/app.git)
scp-like|git@git.example.com:shop/app.git|build: --source-url 'git@git.example.com:shop/app.git': expected a URL (SCHEME://HOST/PATH, e.g. https://git.example.com/shop/app.git)
with a password|https://ci:s3cret@git.example.com/shop/app.git|build: --source-url: has a user name or password; give the URL without them
EOF
assert "refused --source-url: no layout made" test ! -e "$T/badsrc"
if grep -rq s3cret "$T/err"; then fail "the password is not echoed" "$(cat "$T/err")"; else ok "the password is not echoed"; fi

# an option that would be ignored is refused: the image would not be tagged as asked
run $B "$T/one/clone/app" --repo "oci:$T/tf" --tag v1 --tag-format short
expect "--tag-format with --tag" 64 "" "cloudctl-build: build: --tag-format chooses the default tag; with --tag there is none"
run $B "$T/one/clone/app" --repo "oci:$T/tf:v1" --tag-format full
expect "--tag-format with a tag in --repo" 64 "" "cloudctl-build: build: --tag-format chooses the default tag; with a tag in --repo there is none"
assert "--tag-format refused: no layout made" test ! -e "$T/tf"

# a --label the build sets itself would be dropped: refused
while IFS='|' read -r label why; do
	run $B "$T/one/clone/app" --repo "oci:$T/lab" --source-url https://git.example.com/shop/app.git --label "$label=x"
	expect "--label $label" 64 "" "cloudctl-build: build: --label $label: set by cloudctl-build ($why)"
done <<EOF
org.opencontainers.image.created|it is the commit's time, or SOURCE_DATE_EPOCH
org.opencontainers.image.revision|it is the commit built
org.opencontainers.image.source|--source-url sets it
EOF
assert "--label refused: no layout made" test ! -e "$T/lab"
mkdir -p "$T/nogit" && echo x > "$T/nogit/x"
run $B "$T/nogit" --repo "oci:$T/withsrc:ontop" --base "oci:$T/withsrc:$SHA" --label team=shop
expect_rc "a directory outside git on a base built from git" 0
assert "the base's commit does not pass for the image's: no source in the record" test -z "$(field source < "$T/out")"
assert "nor in resolve" test -z "$($B resolve "oci:$T/withsrc:ontop" | field source)"
assert "the labels: ours, none of the base's provenance" test "$(config_labels "$T/withsrc" ontop)" = \
"org.opencontainers.image.created=1970-01-01T00:00:00Z
team=shop"

# ---- files and directories that options and operands name ----
mkdir -p "$T/f/adir" "$T/f/ro" && touch "$T/f/afile" && echo '{}' > "$T/f/secret" && chmod 600 "$T/f/secret"
mkdir -p "$T/f/locked" && chmod 000 "$T/f/locked"
chmod 711 "$T" "$T/f" && chmod 755 "$T/f/ro"
run $B "$T/one/clone/app" --repo "oci:$T/f/good"
expect_rc "a layout to read" 0
APP=$T/one/clone/app GOOD=oci:$T/f/good
M="$T/f/missing" D="$T/f/adir" F="$T/f/afile" S="$T/f/secret"
# who|args|exit|stderr: who is "root", or "nobody" (setpriv) for permission denied
table="
root|$M --repo oci:$T/f/out --tag t|66|$M: no such directory
root|$F --repo oci:$T/f/out --tag t|66|$F: not a directory
nobody|$T/f/locked --repo oci:$T/f/ro/out --tag t|77|$T/f/locked: Permission denied
nobody|$APP --repo oci:$T/f/ro/out|77|$T/f/ro/out: Permission denied
root|$APP --repo oci:$F:t|66|oci:$F: not a directory (a file is on its path)
root|$APP --repo oci:$F/sub:t|66|oci:$F/sub: not a directory (a file is on its path)
root|$APP --repo oci:$T/f/out --base oci:$M:t|66|oci:$M: not an OCI image layout (no oci-layout file)
root|$APP --repo oci:$T/f/out --base oci:$F:t|66|oci:$F: not a directory (a file is on its path)
root|resolve oci:$M:t|66|oci:$M: not an OCI image layout (no oci-layout file)
root|resolve oci:$F:t|66|oci:$F: not a directory (a file is on its path)
root|resolve $GOOD:nope|66|$GOOD: no tag 'nope'
root|tags oci:$M|66|oci:$M: not an OCI image layout (no oci-layout file)
root|tags oci:$D|66|oci:$D: not an OCI image layout (no oci-layout file)"
for opt in --ignore-file --cacert --auth-file; do
	table="$table
root|$APP --repo oci:$T/f/out $opt $M|66|$opt $M: no such file or directory
root|$APP --repo oci:$T/f/out $opt $D|66|$opt $D: a directory, not a file
nobody|$APP --repo oci:$T/f/ro/out --tag t $opt $S|77|$opt $S: Permission denied"
	[ $opt = --cacert ] && table="$table
root|$APP --repo oci:$T/f/out --cacert $F|65|--cacert $F: no PEM certificate (-----BEGIN CERTIFICATE-----) in it
root|resolve $GOOD:$SHA --cacert $F|65|--cacert $F: no PEM certificate (-----BEGIN CERTIFICATE-----) in it
root|tags $GOOD --cacert $F|65|--cacert $F: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
	[ $opt = --ignore-file ] && continue
	for verb in "resolve $GOOD:$SHA" "tags $GOOD"; do
		table="$table
root|$verb $opt $M|66|$opt $M: no such file or directory
root|$verb $opt $D|66|$opt $D: a directory, not a file
nobody|$verb $opt $S|77|$opt $S: Permission denied"
	done
done
while IFS='|' read -r who args want_rc want_err; do
	[ -z "$who" ] && continue
	# shellcheck disable=SC2086 # args are words
	if [ "$who" = nobody ]; then
		if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
			skip "$args" "needs root and setpriv (to drop to nobody)"; continue; fi
		run env HOME="$T/f/ro" setpriv --reuid=65534 --regid=65534 --clear-groups "$CLOUDCTL_BIN/$B" $args
	else
		run $B $args
	fi
	expect "$who: $args" "$want_rc" "" "cloudctl-build: $want_err"
done <<EOF
$table
EOF
run $B tags "$GOOD" --cacert <(cat /etc/ssl/certs/ca-certificates.crt 2>/dev/null || echo '-----BEGIN CERTIFICATE-----')
expect "--cacert from a pipe: accepted, not read ahead of TLS" 0 "kind=tag repo=$GOOD tag=$SHA"
assert "nothing was written for refused files" test ! -e "$T/f/out" -a -z "$(ls "$T/f/ro")"

# --ignore-file that is not there: the same on a warm cache as on a cold one
sleep 2.1 # the tree is no longer racy: the cache is used
run $B "$APP" --repo "oci:$T/warm"
run $B "$APP" --repo "oci:$T/warm"
assert "warm cache: the layer came from the cache" test "$(field skipped < "$T/out")" = 2
for cache in "$T/cache" "$T/cold"; do
	XDG_CACHE_HOME=$cache run $B "$APP" --repo "oci:$T/warm" --ignore-file "$T/nosuch"
	expect "--ignore-file missing, cache $(basename "$cache")" 66 "" \
		"cloudctl-build: --ignore-file $T/nosuch: no such file or directory"
done

# ---- -v: each phase on stderr ----
run $B -v "$T/third/app" --repo "oci:$T/verbose" --tag v1
expect_rc "-v builds" 0
want="cloudctl-build: scanning $T/third/app and reading its git commit
cloudctl-build: $T/third/app: commit $SHA
cloudctl-build: building the layer of $T/third/app (about 0.0 MiB of tar)
cloudctl-build: pushing 2 blobs (0.0 MiB) to oci:$T/verbose
cloudctl-build: writing the manifest D as 1 tag of oci:$T/verbose"
got=$(sed 's/manifest sha256:[0-9a-f]* /manifest D /' "$T/err")
if [ "$got" = "$want" ]; then ok "-v: one line a phase"; else fail "-v: one line a phase" "$(diff <(echo "$want") <(echo "$got"))"; fi
run $B -v resolve "oci:$T/verbose:v1"
expect "resolve -v" 0 "$(cat "$T/out")" "cloudctl-build: resolving oci:$T/verbose:v1 (for linux/amd64 when it is an index)"
run $B -v tags "oci:$T/verbose"
expect "tags -v" 0 "kind=tag repo=oci:$T/verbose tag=v1" "cloudctl-build: listing the tags of oci:$T/verbose"
run $B "$T/third/app" --repo "oci:$T/verbose" --tag v2
expect "no -v, not a terminal: nothing on stderr" 0 "$(cat "$T/out")" ""

# ---- progress on a terminal ----
# 48 MiB of random bytes (gzip cannot shrink them: about 1.5 s of work here)
mkdir -p "$T/big" && head -c $((48 * 1048576)) /dev/urandom > "$T/big/blob"
script -qfec "$CLOUDCTL_BIN/$B $T/big --repo oci:$T/bigout --tag t -o kv" "$T/typescript" > /dev/null 2>&1
rc=$?
expect_rc "a build under a terminal" 0
tr '\r' '\n' < "$T/typescript" | sed 's/\x1b\[K//g' > "$T/lines"
first=$(grep -E -m1 '^(scan|base|layer|push|tag) ' "$T/lines")
partial=$(grep -cE '^layer \[[#.]+\] +([1-9]|[1-9][0-9])% ' "$T/lines")
record=$(grep -n '^kind=image' "$T/lines" | head -1 | cut -d: -f1)
assert "progress: the scan is shown first, at the start" test "$first" = "scan ..."
assert "progress: the layer's bar moves while it is built (at least 3 draws between 1% and 99%)" test "$partial" -ge 3
assert "progress: all before the record" test "$(grep -n '^layer \[' "$T/lines" | tail -1 | cut -d: -f1)" -lt "${record:-0}"
assert "progress: the line is cleared at the end (ESC [K after the last draw)" grep -q $'\r\x1b\\[K' "$T/typescript"
script -qfec "$CLOUDCTL_BIN/$B -q $T/big --repo oci:$T/bigout --tag t2 -o kv" "$T/typescript" > /dev/null 2>&1
assert "-q: no progress" test -z "$(tr '\r' '\n' < "$T/typescript" | grep -E '^(scan|layer|push)')"

# ---- completion after the default verb's directory operand ----
bcomp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cloudctl_build; printf "%s\n" "${COMPREPLY[@]}" | sort' \
		_ "$SRC/completions/cloudctl-build.bash" "$@" | sed '/^$/d' | tr '\n' ' '
}
cd "$T/one/clone" || exit 1
while IFS='|' read -r words want; do
	# shellcheck disable=SC2086 # words are words
	assert "bash: cloudctl-build $words<TAB>" test "$(eval "bcomp cloudctl-build $words")" = "$want"
done <<'EOF'
./app --re|--repo 
--re|--repo 
./app --repo oci:x --tag-f|--tag-format 
./app --tag-format ''|full short 
--tag-format ''|full short 
build ./app --allow|--allow-dirty 
resolve --re|
a|app 
./app ''|.git app 
''|.git app build resolve tags 
EOF
if command -v fish >/dev/null; then
	fcomp() { fish -c "source '$SRC/completions/cloudctl-build.fish'; complete -C '$1'" | cut -f1 | sort | tr '\n' ' '; }
	assert "fish: cloudctl-build ./app --re<TAB>" test "$(fcomp 'cloudctl-build ./app --re')" = "--repo "
	assert "fish: cloudctl-build --re<TAB>" test "$(fcomp 'cloudctl-build --re')" = "--repo "
	assert "fish: not another verb's" test "$(fcomp 'cloudctl-build tags --re')" = ""
	assert "fish: the directory operand" test "$(fcomp 'cloudctl-build ap')" = "app/ "
else
	skip "fish completion" "fish not installed"
fi
if command -v zsh >/dev/null; then
	assert "zsh completion parses" zsh -n "$SRC/completions/_cloudctl-build"
else
	skip "zsh completion parses" "zsh not installed"
fi
cd - > /dev/null
