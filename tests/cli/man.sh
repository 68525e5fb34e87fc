# man: every page in man/ is clean mdoc for groff (-ww) and mandoc's linter, and every
# tool has its page.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
for f in "$SRC"/man/*.[17]; do
	n=$(basename "$f")
	run groff -mdoc -ww -z "$f"
	expect "$n: groff -mdoc -ww: no warning" 0 "" ""
	if command -v mandoc >/dev/null; then
		run mandoc -Tlint -W warning "$f"
		expect "$n: mandoc -Tlint: no warning" 0 "" ""
	else skip "$n: mandoc -Tlint" "mandoc not installed (apt-get install mandoc)"; fi
done
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	assert "$t has a man page" test -s "$SRC/man/$t.1"
done
