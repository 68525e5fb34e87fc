# columns: a -c column that an acting verb's records cannot have is a usage
# error (64) before the verb acts, not after it has built, pushed, committed
# or applied (issue 15). Each command would fail later anyway (its input is not
# there, 66): with a known column it does, so the refusal is known to come first.
# No server is needed.
. "$(dirname "$0")/lib.sh"
while IFS='|' read -r name tool known args; do
	[ -n "$tool" ] || continue
	# shellcheck disable=SC2086 # args are words
	run $tool $args -c "$known,nosuch"
	expect "$name -c nosuch: 64 before acting" 64 "" "$tool: -c: no record has a column 'nosuch'"
	# shellcheck disable=SC2086
	run $tool $args -c "$known"
	expect_rc "$name -c $known: not refused, fails later on the missing input (66)" 66
done <<LIST
build (the default verb)|cloudctl-build|digest|$T/nosuch --repo oci:$T/layout
build|cloudctl-build|uploaded|build $T/nosuch --repo oci:$T/layout
deploy bump|cloudctl-deploy|changed|bump --git $T/nosuch.git --path apps/x --image registry.local/x=registry.local/x:1
deploy rollback|cloudctl-deploy|old|rollback --git $T/nosuch.git --path apps/x
deploy promote|cloudctl-deploy|new|promote --git $T/nosuch.git --from apps/x --to apps/y
k8s apply|cloudctl-k8s|result|apply -f $T/nosuch.yaml
k8s tenant apply|cloudctl-k8s|result|--kubeconfig $T/nosuch tenant apply team-x
k8s tenant delete|cloudctl-k8s|name|--kubeconfig $T/nosuch tenant delete team-x
LIST
assert "nothing was written" test ! -e "$T/layout"

# A document (a report, manifests, an inventory, a diff) has no columns: -c with
# one is refused before the verb runs, never ignored (the whole document printed
# to someone who asked for two columns).
printf 'kind=vm name=a state=running ip=10.0.0.1\n' > "$T/vm.rec"
while IFS='|' read -r name tool fmt args; do
	[ -n "$tool" ] || continue
	# shellcheck disable=SC2086 # args are words
	run $tool $args -c name < "$T/vm.rec"
	expect "$name -c: refused" 64 "" "$tool: -c: -o $fmt writes a document, not records: it has no columns"
done <<LIST
k8s inventory (kubespray, the default)|cloudctl-k8s|kubespray|inventory
k8s inventory -o ini|cloudctl-k8s|ini|inventory -o ini
k8s inventory -o json|cloudctl-k8s|json|inventory -o json
k8s tenant render (yaml)|cloudctl-k8s|yaml|tenant render team-x
k8s tenant render -o json|cloudctl-k8s|json|tenant render team-x -o json
deploy diff (a unified diff)|cloudctl-deploy|diff|diff --git $T/nosuch.git --path apps/x --image registry.local/x=registry.local/x:1
report (table)|cloudctl-report|table|$T/vm.rec
LIST
run cloudctl-deploy diff -o kv -c image --git "$T/nosuch.git" --path apps/x --image registry.local/x=registry.local/x:1
expect_rc "deploy diff -o kv -c: records, not refused (fails later: no repository, 66)" 66
