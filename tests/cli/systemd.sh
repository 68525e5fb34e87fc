# systemd: the units of examples/systemd pass systemd-analyze verify (with the
# project's man pages on MANPATH, which verify looks up), and the report service's
# command runs for real, as systemd would start it (its $$ unescaped, its
# Environment= set), on the build's tools and libvirt's test driver: the HTML page
# and the metrics appear, promtool accepts the metrics, and a failing listing leaves
# both files as they were. systemd-run needs systemd as PID 1, which a test machine
# may not have: then that part says so and the command runs without it.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
U=$SRC/examples/systemd
if ! command -v systemd-analyze > /dev/null; then
	skip "systemd units" "systemd-analyze is not installed"
	exit 0
fi
mkdir -p "$T/man/man1" "$T/man/man7"
cp "$SRC"/man/*.1 "$T/man/man1/" && cp "$SRC"/man/*.7 "$T/man/man7/"
run env MANPATH="$T/man" systemd-analyze verify "$U/cloudctl-report.service" "$U/cloudctl-report.timer"
expect "systemd-analyze verify cloudctl-report.service and .timer" 0 ""

# ExecStart's command line, joined and unescaped as systemd does
cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$U/cloudctl-report.service" | sed 's/^ExecStart=//; s/\\$//' | tr -d '\n' | sed 's/\$\$/$/g')
script=$(printf '%s' "$cmd" | sed "s/^.* -c '//; s/'\$//")
report() { # run the service's script as systemd would: its environment, a runtime directory
	mkdir -p "$T/run"
	env CLOUDCTL_REPORT_HTML="$T/www/report.html" CLOUDCTL_REPORT_PROM="$T/textfile/cloudctl.prom" \
		RUNTIME_DIRECTORY="$T/run" "$@" bash -euo pipefail -c "$script" > "$T/out" 2> "$T/err"
	rc=$?
}
mkdir -p "$T/www" "$T/textfile"
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ "$(id -u)" = 0 ]; then
	# a transient service with the unit's runtime directory (not yet run on a
	# machine of the project's: none had systemd as PID 1)
	run systemd-run --wait --collect --quiet --pipe -p RuntimeDirectory=cloudctl-report-test \
		-E PATH="$PATH" -E LIBVIRT_DEFAULT_URI=test:///default -E CLOUDCTL_REPORT_HTML="$T/www/sd.html" \
		-E CLOUDCTL_REPORT_PROM="$T/textfile/sd.prom" bash -euo pipefail -c "$script"
	expect_rc "systemd-run of the service's command" 0
	assert "systemd-run: the page and the metrics" test -s "$T/www/sd.html" -a -s "$T/textfile/sd.prom"
else
	skip "systemd-run of cloudctl-report.service" "systemd is not PID 1 on this machine ($(cat /proc/1/comm 2>/dev/null)); the service's command runs directly below"
fi
report LIBVIRT_DEFAULT_URI=test:///default
expect_rc "the service's command on libvirt's test driver" 0
assert "it wrote the HTML page" grep -q '</html>' "$T/www/report.html"
assert "it wrote the metrics" grep -q '^cloudctl_instances' "$T/textfile/cloudctl.prom"
if command -v promtool > /dev/null; then
	assert "promtool check metrics accepts them" sh -c "promtool check metrics < '$T/textfile/cloudctl.prom'"
fi
cp "$T/www/report.html" "$T/html.before"; cp "$T/textfile/cloudctl.prom" "$T/prom.before"
report LIBVIRT_DEFAULT_URI=test:///nosuch-driver-file.xml
assert "a failing listing fails the service" test "$rc" != 0
assert "and leaves the page and the metrics as they were" sh -c \
	"cmp -s '$T/html.before' '$T/www/report.html' && cmp -s '$T/prom.before' '$T/textfile/cloudctl.prom'"
