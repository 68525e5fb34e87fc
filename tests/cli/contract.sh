# contract: the rules of cloudctl(7) that hold in every tool, each tested as a table
# over the tools and verbs it applies to: --write over what is at PATH, a reader that
# goes away, the JSON type of fields, exit codes of input files, a terminal on stdin,
# CLOUDCTL_OUTPUT off a terminal, -c, usage errors on stderr. Needs no server: libvirt's
# test:///default driver, an OCI layout, a local git repository.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}
PATH=$BIN:$PATH
export HOME=$T XDG_CACHE_HOME=$T/cache GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export CLOUDCTL_GIT_AUTHOR="contract test <contract@cloudctl.invalid>"
unset CLOUDCTL_OUTPUT
VM="cloudctl-vm -C test:///default"

# --- fixtures ---
for i in $(seq 2000); do
	echo "kind=vm id=id-$i name=vm-$i state=running host=h$((i % 7)) tenant=t$((i % 3)) vcpus=2 mem_mib=2048 ip=10.0.$((i / 250)).$((i % 250))"
done > "$T/many.rec"
mkdir -p "$T/app" && echo hello > "$T/app/index.html"
cloudctl-build build "$T/app" --repo "oci:$T/layout:v1" >/dev/null 2>&1
# a GitOps repository: one overlay with one image
G=$T/gitops.git
git init -q --bare -b main "$G"
git clone -q "$G" "$T/work" 2>/dev/null
mkdir -p "$T/work/apps/x"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\nimages:\n  - name: registry.local/x\n    newTag: "1"\n' \
	> "$T/work/apps/x/kustomization.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n        - name: x\n          image: registry.local/x:0\n' \
	> "$T/work/apps/x/deployment.yaml"
git -C "$T/work" add -A && git -C "$T/work" -c user.name=t -c user.email=t@t commit -qm init && git -C "$T/work" push -q origin main 2>/dev/null
cloudctl-deploy bump --git "$G" --path apps/x --image registry.local/x:1.20 >/dev/null 2>&1

# --- 1. --write PATH: a regular file is replaced keeping its mode; a symlink's target is
# replaced in its own directory (the link stays); anything else is refused with 73 and
# left as it was ---
wtab() { # NAME SETUP WANT_RC CHECK
	local d=$T/w-$1; mkdir -p "$d/real"
	(cd "$d" && eval "$2")
	run timeout 10 cloudctl-report -o prom --write "$d/out.prom" "$T/many.rec"
	if [ "$rc" != "$3" ]; then fail "--write over $1: exit" "exit $rc, want $3; stderr: $(cat "$T/err")"; return; fi
	if [ "$3" != 0 ] && [ "$(wc -l <"$T/err")" != 1 ]; then fail "--write over $1: one line" "$(cat "$T/err")"; return; fi
	if [ -n "$(ls "$d" "$d/real" | grep '\.tmp\.')" ]; then fail "--write over $1: no temporary file left" "$(ls "$d" "$d/real")"; return; fi
	if (cd "$d" && eval "$4"); then ok "--write over $1"; else fail "--write over $1" "check failed: $4; stderr: $(cat "$T/err")"; fi
}
prom_ok() { grep -q '^cloudctl_instances' "$1"; }
wtab "nothing" ":" 0 'test -f out.prom && prom_ok out.prom'
wtab "a regular file (mode kept)" "echo old > out.prom; chmod 0640 out.prom" 0 \
	'prom_ok out.prom && [ "$(stat -c %a out.prom)" = 640 ]'
wtab "a symlink to a file" "echo old > real/target.prom; chmod 0604 real/target.prom; ln -s real/target.prom out.prom" 0 \
	'test -L out.prom && [ "$(readlink out.prom)" = real/target.prom ] && prom_ok real/target.prom && [ "$(stat -c %a real/target.prom)" = 604 ]'
wtab "a symlink to a symlink to a file" "echo old > real/t.prom; ln -s t.prom real/l.prom; ln -s real/l.prom out.prom" 0 \
	'test -L out.prom && test -L real/l.prom && prom_ok real/t.prom'
wtab "a dangling symlink" "ln -s real/nosuch.prom out.prom" 73 \
	'test -L out.prom && ! test -e real/nosuch.prom && grep -q "symlink to nothing" "$T/err"'
wtab "a directory" "mkdir out.prom" 73 'test -d out.prom && grep -q "a directory, not a regular file" "$T/err"'
wtab "a FIFO" "mkfifo out.prom" 73 'test -p out.prom && grep -q "a FIFO, not a regular file" "$T/err"'
wtab "a symlink to a directory" "ln -s real out.prom" 73 'test -L out.prom && grep -q "a directory" "$T/err"'
if [ "$(id -u)" = 0 ]; then
	wtab "a character device" "mknod out.prom c 1 3" 73 \
		'test -c out.prom && [ "$(stat -c %t,%T out.prom)" = 1,3 ] && grep -q "a character device" "$T/err"'
else skip "--write over a character device" "not root (mknod)"; fi
run cloudctl-report -o prom --write "$T/nosuch-dir/out.prom" "$T/many.rec"
expect_rc "--write into a missing directory: 73" 73 "No such file"
# --push with --write writes by the same rules
run timeout 10 cloudctl-report -o prom --write "$T/w-a FIFO/out.prom" --push http://127.0.0.1:9/ "$T/many.rec"
expect_rc "--write with --push over a FIFO: 73" 73 "a FIFO, not a regular file"

# --- 2. a reader that goes away early is not an error: every format of every tool, into
# head -c1 (a big output) and into a pipe already closed; exit 0, nothing on stderr ---
PIPES=(
	"$VM list|kv table json tsv csv md"
	"$VM show test|kv table json tsv csv md"
	"cloudctl-net -C test:///default network list|kv table json tsv csv md"
	"cloudctl-k8s tenant render team-a|yaml json"
	"cloudctl-k8s inventory < $T/many.rec|kubespray ini json"
	"cloudctl-build resolve oci:$T/layout:v1|kv table json tsv csv md"
	"cloudctl-build tags oci:$T/layout|kv table json tsv csv md"
	"cloudctl-deploy history --git $G --path apps/x|kv table json tsv csv md"
	"cloudctl-deploy diff --git $G --path apps/x --image registry.local/x:2|diff kv json table tsv csv md"
	"cloudctl-report $T/many.rec|table md csv json html prom"
	"cloudctl-report diff --allow-empty $T/many.rec /dev/null|kv table json tsv csv md"
)
for row in "${PIPES[@]}"; do
	cmd=${row%%|*}
	for f in ${row#*|}; do
		# the command must work at all, or the pipe tests prove nothing
		if ! eval "$cmd -o $f" >"$T/full" 2>"$T/err" || ! [ -s "$T/full" ]; then
			fail "$cmd -o $f: works" "exit or empty output: $(head -c 300 "$T/err")"; continue; fi
		eval "$cmd -o $f" 2>"$T/err" | head -c1 >/dev/null
		r=${PIPESTATUS[0]}
		if [ "$r" = 0 ] && ! [ -s "$T/err" ]; then ok "$cmd -o $f | head -c1"
		else fail "$cmd -o $f | head -c1" "exit $r, stderr: $(head -c 300 "$T/err")"; fi
		{ sleep 0.3; eval "$cmd -o $f" 2>"$T/err"; echo $? >"$T/rc"; } | true
		if [ "$(cat "$T/rc")" = 0 ] && ! [ -s "$T/err" ]; then ok "$cmd -o $f into a closed pipe"
		else fail "$cmd -o $f into a closed pipe" "exit $(cat "$T/rc"), stderr: $(head -c 300 "$T/err")"; fi
	done
done
# ... while a full disk still counts
if [ -w /dev/full ]; then
	run sh -c "cloudctl-report -o prom '$T/many.rec' > /dev/full"
	expect_rc "a write error that is not a closed pipe: 74" 74 "write error"
fi

# --- 3. JSON output: every field has a type (cloudctl(7) FIELD TYPES) ---
if command -v jq >/dev/null; then
	jtab() { # NAME CMD JQ-EXPR-THAT-MUST-BE-TRUE
		local out; out=$(eval "$2" 2>"$T/err")
		if [ -n "$out" ] && echo "$out" | jq -e -s "$3" >/dev/null 2>&1; then ok "json types: $1"
		else fail "json types: $1" "jq -s '$3' is not true of: $(echo "$out" | head -c 400) $(head -c 200 "$T/err")"; fi
	}
	jtab "vm list" "$VM list -o json" 'all(.[]; (.vcpus|type)=="number" and (.mem_mib|type)=="number" and (.name|type)=="string" and (.id|type)=="string")'
	jtab "vm show" "$VM show test -o json" 'all(.[]; (.autostart|type)=="boolean" and (.persistent|type)=="boolean")'
	jtab "vm stats" "$VM stats -o json" 'all(.[]; (.net_rx_bytes|type)=="number" and (.time|type)=="number" and (.driver|type)=="string")'
	jtab "net network list" "cloudctl-net -C test:///default network list -o json" 'all(.[]; (.autostart|type)=="boolean" and (.persistent|type)=="boolean" and (.name|type)=="string")'
	jtab "build resolve" "cloudctl-build resolve oci:$T/layout:v1 -o json" 'all(.[]; (.digest|type)=="string" and (.ref|type)=="string")'
	jtab "build: a build" "cloudctl-build build $T/app --repo oci:$T/layout:v2 -o json" 'all(.[]; (.size|type)=="number" and (.layers|type)=="number" and (.skipped|type)=="number")'
	jtab "deploy history: tags stay strings" "cloudctl-deploy history --git $G --path apps/x -o json" 'all(.[]; (.new|type)=="string" and (.old|type)=="string" and (.time|type)=="string")'
	jtab "deploy diff: booleans, tags as strings" "cloudctl-deploy diff --git $G --path apps/x --image registry.local/x:7 -o json" \
		'all(.[]; (.changed|type)=="boolean" and (.new=="7") and (.old=="1.20"))'
	jtab "deploy bump: unchanged is false" "cloudctl-deploy bump --git $G --path apps/x --image registry.local/x:1.20 -o json" \
		'all(.[]; .changed==false and .pushed==false and (.attempts|type)=="number") and ([.[]|select(.changed)]|length)==0'
	jtab "report json (a document of its own)" "cloudctl-report -o json $T/many.rec" '(.[0].totals.instances|type)=="number"'
	jtab "report diff" "cloudctl-report diff --allow-empty -o json /dev/null $T/many.rec" 'all(.[]; (.name|type)=="string")'
	jtab "unknown keys are strings" "echo 'kind=vm name=x nosuch=12 tag.v=1.20 vcpus=4' | cloudctl-report diff --allow-empty -o json /dev/null -" \
		'all(.[]; (.name|type)=="string")'
	# read both: JSON true and kv true are the same record
	run sh -c "printf '%s\n' '{\"kind\":\"bump\",\"changed\":true,\"n\":123456789012345678901234567890}' 'kind=bump changed=true n=123456789012345678901234567890' | cloudctl-report diff --allow-empty -o kv /dev/null - ; echo '{\"kind\":\"vm\",\"name\":\"a\",\"vcpus\":123456789012345678901234567890}' | cloudctl-report -o csv"
	expect_rc "a 30-digit number in JSON input reads as its digits, as in kv" 0 "'123456789012345678901234567890' is not a whole number"
else skip "json types" "jq not installed (apt-get install jq)"; fi

# --- 4. exit codes of input files: 66 not found, 77 permission denied, 66 a directory ---
echo 'x' > "$T/secret"; chmod 000 "$T/secret"
mkdir -p "$T/adir"
INPUTS=(
	"cloudctl-report FILE"
	"cloudctl-report diff FILE $T/many.rec"
	"cloudctl-report diff $T/many.rec FILE"
	"$VM create --name lib-contract-x --image /nonexistent --user-data FILE"
	"cloudctl-build build $T/app --repo oci:$T/layout:v3 --ignore-file FILE"
	"cloudctl-k8s apply -f FILE"
	"cloudctl-deploy bump --git $G --path apps/x --image registry.local/x:9 --password-file FILE --dry-run"
	"cloudctl-build resolve 127.0.0.1:9/x:1 --cacert FILE"
	"cloudctl-report -o prom --push http://127.0.0.1:9/ --cacert FILE $T/many.rec"
	"cloudctl-k8s get pods --kubeconfig FILE"
)
for row in "${INPUTS[@]}"; do
	for c in "nosuch:66:[Nn]o such file" "secret:77:[Pp]ermission denied" "adir:66:[Ii]s a directory|a directory, not"; do
		what=${c%%:*} rest=${c#*:}; want=${rest%%:*} msg=${rest#*:}
		# root reads any file: permission is tested as a user who cannot
		cmd=${row//FILE/$T/$what}
		if [ "$what" = secret ] && [ "$(id -u)" = 0 ]; then
			if ! id nobody >/dev/null 2>&1; then skip "${row%% *} $what" "no user nobody"; continue; fi
			chmod 755 "$T"; run runuser -u nobody -- env PATH="$PATH" HOME=/tmp XDG_CACHE_HOME=/tmp/contract-nobody-$$ sh -c "$cmd"
		else run sh -c "$cmd"; fi
		expect_rc "$row: $what: exit $want" "$want" "$msg"
	done
done

# --- 5. a verb that reads records from a terminal says so instead of waiting silently ---
if command -v script >/dev/null; then
	TTY=(
		"cloudctl-report"
		"cloudctl-report -o prom"
		"cloudctl-report diff - $T/many.rec"
		"cloudctl-deploy bump --git $G --path apps/x --dry-run"
		"cloudctl-vm -C test:///default stop"
		"cloudctl-vm -C test:///default start"
		"cloudctl-vm -C test:///default delete"
		"cloudctl-vm -C test:///default wait --state running"
		"cloudctl-net -C test:///default network delete"
		"cloudctl-k8s inventory"
		"cloudctl-k8s wait --for delete"
		"cloudctl-k8s apply -f -"
	)
	for cmd in "${TTY[@]}"; do
		# stdin is the pty; script's own stdin is empty, so a silent wait would end in the timeout
		out=$(timeout 10 script -qec "$cmd" /dev/null </dev/null 2>&1)
		if echo "$out" | grep -qiE 'terminal|pipe'; then ok "$cmd: a terminal on stdin is named"
		else fail "$cmd: a terminal on stdin is named" "said: $(echo "$out" | head -c 300)"; fi
	done
else skip "terminal on stdin" "script(1) not installed"; fi

# --- 6. output rules ---
# CLOUDCTL_OUTPUT=table never goes down a pipe; it does on a terminal; -o table is honoured
run env CLOUDCTL_OUTPUT=table $VM list -c name,state
expect "CLOUDCTL_OUTPUT=table into a pipe: kv" 0 "name=test state=running" ""
run env CLOUDCTL_OUTPUT=json $VM list -c name
expect "CLOUDCTL_OUTPUT=json into a pipe: json" 0 '{"name":"test"}' ""
run env CLOUDCTL_OUTPUT=table $VM list -c name -o table
expect "-o table into a pipe: table" 0 "NAME
test" ""
if command -v script >/dev/null; then
	out=$(CLOUDCTL_OUTPUT=json script -qec "$VM list -c name" /dev/null </dev/null | tr -d '\r')
	assert "CLOUDCTL_OUTPUT=json on a terminal: json" test "$out" = '{"name":"test"}'
fi
run env CLOUDCTL_OUTPUT=table sh -c "cloudctl-build resolve oci:$T/layout:v1 | cloudctl-deploy diff --git $G --path apps/x --image-name registry.local/x -o kv"
expect_rc "CLOUDCTL_OUTPUT=table: build | deploy still works" 0
# -c: an unknown column is a usage error naming it, in every format; -c a -c b is -c a,b
# (the formats that stream have written their records by then; table and md write nothing)
for f in kv json tsv csv; do
	run $VM list -o $f -c name,nosuch
	expect_rc "-c nosuch -o $f: 64, named" 64 "^cloudctl-vm: -c: no record has a column 'nosuch'\$"
done
for f in table md; do
	run $VM list -o $f -c name,nosuch
	expect "-c nosuch -o $f: 64, named, nothing printed" 64 "" "cloudctl-vm: -c: no record has a column 'nosuch'"
done
run $VM list -c name -c state,vcpus
expect "-c a -c b,c accumulates" 0 "name=test state=running vcpus=2" ""
run cloudctl-deploy history --git "$G" --path apps/x -c new -c nosuch
expect_rc "-c nosuch in deploy history: 64" 64 "no record has a column 'nosuch'"
# usage errors on stderr, --help on stdout
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	run $t --nosuch-option
	if [ "$rc" = 64 ] && ! [ -s "$T/out" ] && [ -s "$T/err" ]; then ok "$t: a usage error goes to stderr"
	else fail "$t: a usage error goes to stderr" "exit $rc, stdout $(head -c 100 "$T/out")"; fi
	run $t --help
	if [ "$rc" = 0 ] && [ -s "$T/out" ] && ! [ -s "$T/err" ]; then ok "$t --help goes to stdout"
	else fail "$t --help goes to stdout" "exit $rc"; fi
done
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy; do
	run $t
	if [ "$rc" = 64 ] && ! [ -s "$T/out" ] && [ -s "$T/err" ]; then ok "$t without a verb: usage on stderr"
	else fail "$t without a verb: usage on stderr" "exit $rc, stdout $(head -c 100 "$T/out")"; fi
done
# colour: every page says the same about NO_COLOR, and nothing prints colour
for p in "$SRC"/man/*.1 "$SRC"/man/cloudctl.7; do
	if grep -q NO_COLOR "$p" && ! grep -A3 'Ev NO_COLOR' "$p" | grep -q 'never prints colour\|never print colour'; then
		fail "$(basename "$p"): NO_COLOR as cloudctl(7) says" "$(grep -A3 'Ev NO_COLOR' "$p" | tr '\n' ' ')"
	else ok "$(basename "$p"): NO_COLOR as cloudctl(7) says"; fi
done
