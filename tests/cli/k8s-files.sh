# k8s-files: every file cloudctl-k8s is given by name, on the command line or in
# a kubeconfig (--kubeconfig, KUBECONFIG, tokenFile, certificate-authority,
# client-certificate, client-key, apply -f): missing or a directory 66,
# unreadable 77 (as nobody: root reads everything), one line naming the file and
# the entry, before any request. Run in both builds (ASan: the error paths).
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
K=cloudctl-k8s
. "$SRC/tests/k8s/standin-env.sh" k8s-files
chmod 711 "$T"
cp "$KUBE_STANDIN_DIR/ca.crt" "$T/ca.crt"
cp "$KUBE_STANDIN_DIR/admin.crt" "$T/admin.crt"; cp "$KUBE_STANDIN_DIR/admin.key" "$T/admin.key"
printf '%s' "$ADMIN_TOKEN" > "$T/token"
chmod 644 "$T/ca.crt" "$T/admin.crt" "$T/admin.key" "$T/token"
mkdir "$T/dir"
# kc NAME CA USER-STANZA: a kubeconfig in $T/NAME (readable by all)
kc() {
	printf 'apiVersion: v1\nkind: Config\ncurrent-context: s\nclusters:\n- name: c\n  cluster:\n    server: %s\n    certificate-authority: %s\ncontexts:\n- name: s\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n%s\n' \
		"$KUBE_STANDIN_URL" "$2" "$3" > "$T/$1"
	chmod 644 "$T/$1"
}
kc good "$T/ca.crt" "    tokenFile: $T/token"
run $K get ns default -o kv -c name --kubeconfig "$T/good"
expect "the kubeconfig of the table works as it is" 0 "name=default"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files-test\n' > "$T/cm.yaml"; chmod 644 "$T/cm.yaml"

# file cases: NAME|PATH that is bad|how the kubeconfig names it (FILE is replaced)|STDERR (FILE too)
# each is run three ways: PATH missing, a directory, unreadable by nobody
while IFS='|' read -r name what; do
	[ -n "$name" ] || continue
	for how in missing directory unreadable; do
		case $how in
		missing) f=$T/nosuch; want=66; why="No such file or directory" ;;
		directory) f=$T/dir; want=66; why="is a directory, not a file" ;;
		unreadable) f=$T/locked-$RANDOM; cp "$T/token" "$f"; chmod 600 "$f"; want=77; why="Permission denied" ;;
		esac
		env=() args=(get ns default)
		case $name in
		--kubeconfig) args+=(--kubeconfig "$f"); msg="kubeconfig: --kubeconfig '$f': $why" ;;
		KUBECONFIG) env=(KUBECONFIG="$f:$T/good"); msg="kubeconfig: KUBECONFIG: file '$f': $why"
			[ $how = missing ] && { want=0; msg=""; } ;; # as kubectl: a file not there is passed over
		tokenFile) kc k "$T/ca.crt" "    tokenFile: $f"; args+=(--kubeconfig "$T/k"); msg="kubeconfig: user 'u': tokenFile '$f': $why" ;;
		certificate-authority) kc k "$f" "    tokenFile: $T/token"; args+=(--kubeconfig "$T/k"); msg="kubeconfig: cluster 'c': certificate-authority '$f': $why" ;;
		client-certificate) kc k "$T/ca.crt" "    client-certificate: $f
    client-key: $T/admin.key"; args+=(--kubeconfig "$T/k"); msg="kubeconfig: user 'u': client-certificate '$f': $why" ;;
		client-key) kc k "$T/ca.crt" "    client-certificate: $T/admin.crt
    client-key: $f"; args+=(--kubeconfig "$T/k"); msg="kubeconfig: user 'u': client-key '$f': $why" ;;
		apply-f) args=(apply -n default -f "$f" --kubeconfig "$T/good"); msg="apply: -f '$f': $why" ;;
		esac
		if [ $how = unreadable ]; then
			if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
				skip "$name $how" "needs root (to drop to nobody)"; continue; fi
			run env "${env[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups "$CLOUDCTL_BIN/$K" "${args[@]}" -o kv -c name
		else
			run env "${env[@]}" $K "${args[@]}" -o kv -c name
		fi
		if [ -n "$msg" ]; then expect "$name $how: exit $want" "$want" "" "cloudctl-k8s: $msg"
		else expect "$name $how: passed over" 0 "name=default"; fi
	done
done <<'EOT'
--kubeconfig
KUBECONFIG
tokenFile
certificate-authority
client-certificate
client-key
apply-f
EOT

# the credential files made from *-data values (the client key) are removed when a
# signal ends a verb, as at a normal exit
NS=files-$$
api POST /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$NS\"}}" > /dev/null
$K apply -n "$NS" -f "$T/cm.yaml" > /dev/null
for sig in INT TERM HUP; do
	before=$(ls -d /tmp/cloudctl-kube.* 2>/dev/null | sort)
	$K wait -n "$NS" --for delete configmap/files-test --timeout 30s --kubeconfig "$KUBE_STANDIN_DIR/kubeconfig-data" > "$T/out" 2> "$T/err" &
	pid=$!
	for _ in $(seq 50); do
		new=$(comm -13 <(echo "$before") <(ls -d /tmp/cloudctl-kube.* 2>/dev/null | sort))
		[ -n "$new" ] && [ -e "$new/client.key" ] && break
		sleep 0.1
	done
	sleep 0.5
	kill -$sig $pid; { wait $pid; } 2>/dev/null; rc=$?
	assert "SIG$sig: the wait ends by the signal ($rc) and its key file is gone" \
		test -n "$new" -a ! -e "$new/client.key" -a ! -e "$new" -a "$rc" -gt 128
done
api DELETE "/api/v1/namespaces/$NS" > /dev/null
