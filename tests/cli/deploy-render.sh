# deploy-render: a deploy deploys what it says (issue 15). Every bump, rollback and
# promote is checked against what kustomize renders for the image (kubectl kustomize is
# the oracle where it is installed); refs no cluster can pull, malformed tags and
# digests, Helm keys that are missing or name another repository, a checked-out
# branch of a non-bare repository: refused with one line, nothing committed. Then the
# contract of cloudctl(7) for every verb (exit codes for missing, unreadable and
# directory files and paths, diff --exit-code, stdin on a terminal, -v), and a real
# https bump with --password-file (the use-after-free of issue 16), in both builds.
. "$(dirname "$0")/lib.sh"
NAME=deploy-render; . "$(dirname "$0")/data/deploy/env.sh"
cleanup_hook() { rm -rf "${GIT_REPOS:?}"/t-deploy-render-$$-*.git; }
fresh() { local r=t-deploy-render-$$-$1.git; "$GIT_SEED" "$GIT_REPOS/$r" >/dev/null; echo "$GIT_REPOS/$r"; }
count() { git --git-dir="$1" rev-list --count main; }
show() { git --git-dir="$1" show "main:$2"; }
Z64=$(printf '%064d' 0); D1=sha256:${Z64%?}1; D2=sha256:${Z64%?}2

# --- the repository: workloads whose images sit where kustomize looks ---
R=$(fresh r)
rm -rf "$T/w"; git clone -q "$R" "$T/w"; mkdir -p "$T/w/apps/r/base" "$T/w/apps/r/dev" "$T/w/apps/r/remote" "$T/w/charts/r"
cat >"$T/w/apps/r/base/workloads.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - name: init
          image: registry.local/r/init:1
      containers:
        - name: web
          image: registry.local/r/web:latest
        - name: pinned
          image: registry.local/r/pinned:1
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: cron
              image: registry.local/r/cron:1
EOF
printf 'resources:\n  - workloads.yaml\n' >"$T/w/apps/r/base/kustomization.yaml"
cat >"$T/w/apps/r/dev/kustomization.yaml" <<EOF
resources:
  - ../base
images:
  - name: registry.local/r/web
    newTag: "1"
  - name: registry.local/r/pinned
    newTag: "1"
    digest: $D1
EOF
# a base outside the repository: what it holds cannot be seen
printf 'resources:\n  - https://github.com/example/app//deploy?ref=v1\nimages:\n  - name: registry.local/r/far\n    newTag: "1"\n' \
	>"$T/w/apps/r/remote/kustomization.yaml"
cp "$DATA/values.yaml" "$T/w/charts/r/values.yaml"
git -C "$T/w" add -A && git -C "$T/w" -c user.name=t -c user.email=t@t commit -qm r && git -C "$T/w" push -q origin main
N0=$(count "$R")
DEVK=apps/r/dev/kustomization.yaml
DEVK0=$(show "$R" "$DEVK")

# --- bump: refused, one line, no commit, the file as it was ---
refused() { # NAME RC STDERR ARGS...: bump exits RC with exactly STDERR, nothing committed
	local name=$1 want=$2 line=$3; shift 3
	run "$D" bump --git "$R" "$@" </dev/null
	expect "bump refused: $name" "$want" "" "$line" &&
		assert "bump refused: $name: no commit" test "$(count "$R")" = "$N0"
}
while IFS='|' read -r name want line args; do
	eval "set -- $args" # the table's arguments, with its variables
	refused "$name" "$want" "$(eval "echo \"$line\"")" "$@"
done <<'EOF'
an oci: layout|65|cloudctl-deploy: --image oci:out:abc: 'oci:out:abc': the repository oci:out is an OCI image layout on this machine, which no cluster can pull (push it to a registry, or name the repository the cluster pulls it from with --image-name REPOSITORY)|--path apps/r/dev --image oci:out:abc
an oci: layout path|65|cloudctl-deploy: --image oci:/tmp/out:abc: 'oci:/tmp/out:abc': the repository oci:/tmp/out is an OCI image layout on this machine, which no cluster can pull (push it to a registry, or name the repository the cluster pulls it from with --image-name REPOSITORY)|--path apps/r/dev --image oci:/tmp/out:abc
a local path|65|cloudctl-deploy: --image ./out:1: './out:1': the repository ./out is a local path, which no cluster can pull (push it to a registry, or name the repository the cluster pulls it from with --image-name REPOSITORY)|--path apps/r/dev --image ./out:1
an upper-case repository|65|cloudctl-deploy: --image registry.local/r/Web:1: 'registry.local/r/Web:1': the repository registry.local/r/Web is not a repository name (lower-case letters, digits and . _ - between them, / between parts)|--path apps/r/dev --image registry.local/r/Web:1
a tag that starts with -|65|cloudctl-deploy: --image registry.local/r/web:-1: 'registry.local/r/web:-1': the tag -1: a tag starts with a letter, digit or _|--path apps/r/dev --image registry.local/r/web:-1
a short digest|65|cloudctl-deploy: --image registry.local/r/web@sha256:abc: the digest sha256:abc: a sha256 digest has 64 hex digits|--path apps/r/dev --image registry.local/r/web@sha256:abc
an upper-case digest|65|cloudctl-deploy: --image registry.local/r/web@sha256:${Z64%?}A: the digest sha256:${Z64%?}A: a digest's hex is lower-case 0-9a-f|--path apps/r/dev --image registry.local/r/web@sha256:${Z64%?}A
--image-name not a repository|65|cloudctl-deploy: --image oci:out:abc: --image-name oci:x: an OCI image layout on this machine, which no cluster can pull|--path apps/r/dev --image oci:out:abc --image-name oci:x
an image no workload uses (a typo)|65|cloudctl-deploy: $DEVK: images entry registry.local/r/wbe matches no image of apps/r/dev's workloads, so registry.local/r/wbe:2 would not be deployed (their images after kustomize: registry.local/r/init:1, registry.local/r/web:1, registry.local/r/pinned:1@$D1, registry.local/r/cron:1)|--path apps/r/dev --image registry.local/r/wbe:2
a tag under an entry's digest|65|cloudctl-deploy: $DEVK: kustomize would render registry.local/r/pinned:2@$D1, not registry.local/r/pinned:2: the entry's digest $D1 is what gets pulled (--pin digest, or remove the digest line)|--path apps/r/dev --image registry.local/r/pinned:2
--image-name with two images|64|cloudctl-deploy: --image-name: one image per run (2 given)|--path apps/r/dev --image oci:a:1 --image oci:b:1 --image-name registry.local/r/web
helm: a key the values lack|65|cloudctl-deploy: charts/r/values.yaml: no key image.nosuch (a chart's templates read only the keys its values have; --create to add it)|--path charts/r --values values.yaml --key image.nosuch --image registry.local/shop/frontend:2
helm: another repository|65|cloudctl-deploy: charts/r/values.yaml: the values name the repository registry.local/shop/frontend beside image.tag, not registry.local/shop/other: the chart would deploy registry.local/shop/frontend:2|--path charts/r --values values.yaml --key image.tag --image registry.local/shop/other:2
helm: a digest into a tag|65|cloudctl-deploy: charts/r/values.yaml: a digest in image.tag would render registry.local/shop/frontend:$D2, not an image reference (--key the chart's digest key, or --pin tag)|--path charts/r --values values.yaml --key image.tag --pin digest --image registry.local/shop/frontend@$D2
helm: an oci: layout|65|cloudctl-deploy: --image oci:out:2: 'oci:out:2': the repository oci:out is an OCI image layout on this machine, which no cluster can pull (push it to a registry, or name the repository the cluster pulls it from with --image-name REPOSITORY)|--path charts/r --values values.yaml --key image.tag --image oci:out:2
EOF
assert "bump refused: the kustomization as it was" test "$(show "$R" "$DEVK")" = "$DEVK0"
# The README's pipeline with an embedded OCI layout, its record as cloudctl-build writes it
for rec in "kind=image ref=oci:out:abc digest=$D2" "kind=image ref=oci:out:abc image=registry.local/r/web digest=$D2"; do
	run_in "$rec
" "$D" bump --git "$R" --path apps/r/dev -o kv
	expect_rc "bump refused: a record of an oci: layout (${rec#* * })" 65 "^cloudctl-deploy: <stdin>:1: 'oci:out:abc': the repository oci:out is an OCI image layout" &&
		assert "bump refused: oci: record (${rec#* * }): one line, no commit, no newName" \
			bash -c "[ \$(wc -l <'$T/err') = 1 ] && [ $(count "$R") = $N0 ] && ! git --git-dir='$R' show main:$DEVK | grep -q oci:"
done

# --- bump: what lands renders as asked (kubectl kustomize says so too) ---
rendered() { # DIR: the images kubectl kustomize renders for DIR at main, sorted
	rm -rf "$T/co"; git clone -q "$R" "$T/co" && kubectl kustomize "$T/co/$1" | sed -n 's/^[ -]*image: //p' | sort | tr '\n' ' '
}
landed() { # NAME STDERR ARGS...: bump exits 0 with exactly STDERR and one commit more
	local name=$1 line=$2; shift 2
	local n; n=$(count "$R")
	run "$D" bump --git "$R" "$@" -o kv </dev/null
	expect "bump lands: $name" 0 "$(cat "$T/out")" "$line" && assert "bump lands: $name: one commit" test "$(count "$R")" = $((n + 1))
}
run_in "kind=image ref=oci:out:abc digest=$D2
" "$D" bump --git "$R" --path apps/r/dev --image-name registry.local/r/web -o kv
expect_rc "bump lands: an oci: layout mapped by --image-name" 0 &&
	assert "--image-name: the entry's tag set, no newName" bash -c "git --git-dir='$R' show main:$DEVK | grep -qx '    newTag: \"abc\"' && ! git --git-dir='$R' show main:$DEVK | grep -q newName"
landed "initContainers: an image without an entry (appended, and said)" \
	"cloudctl-deploy: warning: $DEVK: no images entry matched registry.local/r/init: appended one named registry.local/r/init" \
	--path apps/r/dev --image registry.local/r/init:2
landed "a CronJob's containers" "cloudctl-deploy: warning: $DEVK: no images entry matched registry.local/r/cron: appended one named registry.local/r/cron" \
	--path apps/r/dev --image registry.local/r/cron:2
landed "--pin digest over an entry's digest" "" --path apps/r/dev --pin digest --image "registry.local/r/pinned@$D2"
landed "a resource outside the repository: said, not refused" \
	"cloudctl-deploy: warning: apps/r/remote/kustomization.yaml: cannot check that registry.local/r/far renders registry.local/r/far:2: no image it matches here, and not followed: https://github.com/example/app//deploy?ref=v1" \
	--path apps/r/remote --image registry.local/r/far:2
landed "helm: --create adds the key" "" --path charts/r --values values.yaml --key image.digest --create --pin digest --image "registry.local/shop/frontend@$D2"
assert "helm: --create: the key added" bash -c "git --git-dir='$R' show main:charts/r/values.yaml | grep -qx '  digest: $D2'"
if command -v kubectl >/dev/null; then
	assert "kubectl kustomize renders what the bumps said" test "$(rendered apps/r/dev)" = \
		"registry.local/r/cron:2 registry.local/r/init:2 registry.local/r/pinned:1@$D2 registry.local/r/web:abc "
else
	skip "kubectl kustomize renders what the bumps said" "kubectl is not installed"
fi

# --- rollback and promote: checked the same way, and for Helm values ---
H=(--git "$R" --values values.yaml --key image.tag)
mkdir -p "$T/w/charts/prod" && git -C "$T/w" pull -q && cp "$DATA/values.yaml" "$T/w/charts/prod/values.yaml" &&
	git -C "$T/w" add -A && git -C "$T/w" -c user.name=t -c user.email=t@t commit -qm prod && git -C "$T/w" push -q origin main
for t in 2.0 3.0; do run "$D" bump "${H[@]}" --path charts/r --image registry.local/shop/frontend:$t -o kv; done
n=$(count "$R")
run "$D" rollback "${H[@]}" --path charts/r -o kv -c action,image,old,new,changed
expect "helm: rollback" 0 "action=rollback image=registry.local/shop/frontend old=3.0 new=2.0 changed=true" &&
	assert "helm: rollback: the values file, one commit" bash -c "[ $(count "$R") = $((n + 1)) ] && git --git-dir='$R' show main:charts/r/values.yaml | grep -qx '  tag: \"2.0\"  # set by CI'"
run "$D" promote "${H[@]}" --from charts/r --to charts/prod -o kv -c action,image,old,new,changed
expect "helm: promote" 0 "action=promote image=registry.local/shop/frontend old=1.0 new=2.0 changed=true" &&
	assert "helm: promote: prod's values file" bash -c "git --git-dir='$R' show main:charts/prod/values.yaml | grep -qx '  tag: \"2.0\"  # set by CI'"
run "$D" history --git "$R" --path charts/prod -o tsv -c action,image,old,new
expect "helm: history of the promoted path" 0 "action	image	old	new
promote	registry.local/shop/frontend	1.0	2.0"
n=$(count "$R")
run "$D" rollback --git "$R" --path charts/r
expect "helm: rollback without --values says how" 66 "" "cloudctl-deploy: $R: no kustomization.yaml in charts/r on branch main (a Helm values file: --values FILE --key KEY)"
run "$D" rollback "${H[@]}" --path charts/r --key image.nosuch
expect_rc "helm: rollback of a key the values lack" 66 "^cloudctl-deploy: [0-9a-f]{40}: no key image.nosuch in values.yaml there$"
run "$D" rollback "${H[@]}" --path charts/r --at nosuchrev
expect "rollback --at a commit that is not there" 66 "" "cloudctl-deploy: --at nosuchrev: no such commit on main"
run "$D" rollback "${H[@]}" --path charts/r --at HEAD --steps 1
expect "rollback --at with --steps" 64 "" "cloudctl-deploy: --at and --steps: one or the other"
run "$D" rollback "${H[@]}" --path charts/r --to HEAD
expect_rc "rollback --to: the commit is --at (--to is promote's directory)" 64 "unknown option '--to'"
assert "helm: refused rollback and promote: no commit" test "$(count "$R")" = "$n"

# --- a local non-bare repository: its checked-out branch is refused, as git does ---
rm -rf "$T/nb"; git clone -q "$R" "$T/nb"; HEAD0=$(git -C "$T/nb" rev-parse HEAD)
run "$D" bump --git "$T/nb" --path apps/r/dev --image registry.local/r/web:nb1
expect "non-bare: the checked-out branch refused (77)" 77 "" "cloudctl-deploy: $T/nb: refusing to update the checked-out branch main of a non-bare repository, as git does (receive.denyCurrentBranch): push to a bare repository, or check out another branch there" &&
	assert "non-bare: the branch, the index and the work tree as they were" \
		bash -c "[ \$(git -C '$T/nb' rev-parse HEAD) = $HEAD0 ] && git -C '$T/nb' diff --quiet HEAD && [ -z \"\$(git -C '$T/nb' status --porcelain)\" ]"
git -C "$T/nb" branch -q other
run "$D" bump --git "$T/nb" --branch other --path apps/r/dev --image registry.local/r/web:nb2 -o kv
expect_rc "non-bare: a branch that is not checked out" 0 && assert "non-bare: other moved, main did not" \
	bash -c "[ \$(git -C '$T/nb' rev-parse HEAD) = $HEAD0 ] && [ \$(git -C '$T/nb' rev-parse other) != $HEAD0 ] && [ -z \"\$(git -C '$T/nb' status --porcelain)\" ]"
git -C "$T/nb" config receive.denyCurrentBranch updateInstead
run "$D" bump --git "$T/nb" --path apps/r/dev --image registry.local/r/web:nb3
expect_rc "non-bare: receive.denyCurrentBranch=updateInstead is refused too" 77 "receive.denyCurrentBranch=updateInstead"

# --- the contract, every verb: not found 66, unreadable 77, a directory 66, usage 64 ---
NC=$(count "$R")
mkdir -p "$T/adir"; printf 'x\n' >"$T/secret"; chmod 600 "$T/secret"; cp "$GIT_CA" "$T/ca.crt"; chmod 600 "$T/ca.crt"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
VERBS=("bump --path apps/r/dev --image registry.local/r/web:c1" "diff --path apps/r/dev --image registry.local/r/web:c1"
	"history --path apps/r/dev" "rollback --path apps/r/dev" "promote --from apps/r/dev --to apps/r/dev")
for v in "${VERBS[@]}"; do
	verb=${v%% *}
	# shellcheck disable=SC2086 # the verb and its options, split on purpose
	for opt in --cacert --password-file --ssh-identity --known-hosts; do
		run "$D" $v --git "$R" $opt "$T/nothere"
		expect "$verb $opt missing: 66" 66 "" "cloudctl-deploy: $opt $T/nothere: No such file or directory"
		run "$D" $v --git "$R" $opt "$T/adir"
		expect "$verb $opt a directory: 66" 66 "" "cloudctl-deploy: $opt $T/adir: a directory, not a file"
		if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
			run as_nobody "$D" $v --git "$R" $opt "$T/secret"
			expect "$verb $opt unreadable: 77" 77 "" "cloudctl-deploy: $opt $T/secret: Permission denied"
		else
			skip "$verb $opt unreadable: 77" "needs root to run as another user"
		fi
	done
	run "$D" $v --git "$R" --cache-dir "$T/secret"
	expect "$verb --cache-dir a file: 73" 73 "" "cloudctl-deploy: --cache-dir $T/secret: not a directory"
	case $verb in
	history) run "$D" history --git "$R" --path apps/nosuch
		expect "history: a path that is not there: 66" 66 "" "cloudctl-deploy: $R: no directory apps/nosuch on branch main, and no deploys of it on record" ;;
	rollback) run "$D" rollback --git "$R" --path apps/nosuch
		expect_rc "rollback: a path that is not there: 66" 66 "no directory apps/nosuch" ;;
	promote) run "$D" promote --git "$R" --from apps/nosuch --to apps/r/dev
		expect_rc "promote: a path that is not there: 66" 66 "no directory apps/nosuch" ;;
	*) run "$D" $v --git "$R" --path apps/nosuch
		expect_rc "$verb: a path that is not there: 66" 66 "no directory apps/nosuch" ;;
	esac
	run "$D" $v --git "$T/nothere.git"
	expect_rc "$verb: a repository that is not there: 66" 66
done
assert "the contract table: no commit" test "$(count "$R")" = "$NC"
# a verb that reads records and finds a terminal on stdin says how to give them
for verb in bump diff; do
	script -qec "$D $verb --git $R --path apps/r/dev" /dev/null >"$T/tty" 2>&1; rc=$?
	assert "$verb: stdin a terminal: 64 and how to give input" bash -c "[ $rc = 64 ] && grep -q 'no images: pipe kind=image records in' '$T/tty'"
done
# diff --exit-code: 1 when there are differences, 0 when none, as git diff --exit-code
cur=$(show "$R" "$DEVK" | sed -n 's/^    newTag: "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' | head -1)
for c in "registry.local/r/web:$cur 0 none" "registry.local/r/web:zz 1 differences"; do
	set -- $c
	for o in diff kv; do
		run "$D" diff --git "$R" --path apps/r/dev --image "$1" --exit-code -o $o
		expect_rc "diff --exit-code -o $o, $3: exit $2" "$2"
	done
done
run "$D" diff --git "$R" --path apps/r/dev --image registry.local/r/web:zz -o kv
expect_rc "diff without --exit-code: 0 with differences" 0
# old is "" when there was none, in bump and history alike
run "$D" history --git "$R" --path apps/r/dev --image registry.local/r/init -o kv -c old,new
expect "history: old=\"\" where there was none, as bump writes it" 0 'old="" new=2'
run "$D" history --git "$R" --path apps/r/dev --image registry.local/r/init -o json -c old
expect "history -o json: old is an empty string" 0 '{"old":""}'
# -v says what is being done
run "$D" -v bump --git "$R" --path apps/r/dev --image registry.local/r/web:v1 -o kv
expect_rc "-v bump" 0 && assert "-v: reading, committing and pushing said" \
	bash -c "grep -q 'reading branch' '$T/err' && grep -q 'committed [0-9a-f]* on' '$T/err' && grep -q 'pushed [0-9a-f]* to main' '$T/err'"
# a rollback message with no source times names what it lacks, not "?"
run "$D" rollback --git "$R" --path apps/r/dev --image registry.local/r/web -o kv
run "$D" bump --git "$R" --path apps/r/dev --image registry.local/r/web:v2 -o kv
expect "bump after a rollback, no source_time: the warning says what is missing" 0 "$(cat "$T/out")" \
	"cloudctl-deploy: warning: registry.local/r/web: not bumped: it was rolled back (to abc) and this record has no source_time to show it is newer than the source undone; --force to bump"

# --- https with --password-file: the password outlives gitr_open (issue 16) ---
RH=$(fresh https); NH=$(basename "$RH")
printf '%s\n' "$GIT_PASS" >"$T/pw"; chmod 600 "$T/pw"
run "$D" bump --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --username "$GIT_USER" --password-file "$T/pw" \
	--path apps/shop/overlays/dev --image registry.local/shop/frontend:pf1 -o kv
expect_rc "https: --password-file" 0 && assert "https: --password-file: the bump landed" \
	bash -c "git --git-dir='$RH' show main:apps/shop/overlays/dev/kustomization.yaml | grep -q 'newTag: pf1'"
assert "https: --password-file: the password never printed" bash -c "! grep -q -- '$GIT_PASS' '$T/err' '$T/out'"
printf 'Wr0ngPassw0rd\n' >"$T/pw-bad"
run "$D" bump --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --username "$GIT_USER" --password-file "$T/pw-bad" \
	--path apps/shop/overlays/dev --image registry.local/shop/frontend:pf2
expect "https: --password-file with a wrong password: 77, one line" 77 "" \
	"cloudctl-deploy: $GIT_HTTPS_BASE/$NH: authentication failed (wrong user name or password?)"
: >"$T/pw-empty"
run "$D" history --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --username "$GIT_USER" --password-file "$T/pw-empty" --path apps/shop/overlays/dev
expect "https: an empty --password-file: 65" 65 "" "cloudctl-deploy: --password-file $T/pw-empty: empty"
for v in "history --path apps/shop/overlays/dev" "diff --path apps/shop/overlays/dev --image registry.local/shop/frontend:pf3"; do
	# shellcheck disable=SC2086
	run "$D" $v --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --username "$GIT_USER" --password-file "$T/pw" --no-cache
	expect_rc "https: ${v%% *} with --password-file and a new clone" 0
done
