# report-real: cloudctl-report against the real things: a Pushgateway accepts the
# push (PUT replaces the group), Prometheus scrapes it and answers a query with the
# expected value, and the HTML page renders in headless Chromium with no console
# error and no request leaving the file.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
IN=$SRC/tests/cli/data/report-input.txt
R=cloudctl-report
ENVF=$SVC/prometheus/env

if [ -s "$ENVF" ] && curl -sf "$(sed -n 's/^PUSHGATEWAY_URL=//p' "$ENVF")/-/ready" >/dev/null 2>&1; then
	set -a; . "$ENVF"; set +a
	run $R -q -o prom --push "$PUSHGATEWAY_URL" --job cloudctl-test --instance ci "$IN"
	expect "push to the Pushgateway" 0 ""
	curl -sf "$PUSHGATEWAY_URL/metrics" > "$T/pgw"
	assert "the Pushgateway holds the samples, with job and instance" \
		grep -q '^cloudctl_instances{host="node2",instance="ci",job="cloudctl-test",state="crashed"} 1$' "$T/pgw"
	q='cloudctl_vcpus{job="cloudctl-test",host="node2",state="running"}'
	val=
	for i in $(seq 1 40); do
		val=$(curl -sfG --data-urlencode "query=$q" "$PROMETHEUS_URL/api/v1/query" |
			python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")')
		[ -n "$val" ] && break; sleep 0.5
	done
	assert "Prometheus scraped it and answers the query ($q = ${val:-nothing})" test "$val" = 4
	grep -v 'host=node2' "$IN" > "$T/less"
	run $R -q -o prom --push "$PUSHGATEWAY_URL/" --job cloudctl-test --instance ci "$T/less"
	expect "second push" 0 ""
	assert "PUT replaced the group: node2 is gone" bash -c "! curl -sf '$PUSHGATEWAY_URL/metrics' | grep -q 'host=\"node2\".*job=\"cloudctl-test\"'"
	# an upstream that failed: nothing pushed, the Pushgateway keeps the last good metrics
	curl -sf "$PUSHGATEWAY_URL/metrics" | grep 'job="cloudctl-test"' > "$T/pgw-before"
	run $R -q -o prom --push "$PUSHGATEWAY_URL" --job cloudctl-test --instance ci < /dev/null
	expect_rc "push of input without vm records: 65" 65 "^cloudctl-report: no vm records in <stdin>"
	curl -sf "$PUSHGATEWAY_URL/metrics" | grep 'job="cloudctl-test"' > "$T/pgw-after"
	assert "the Pushgateway still holds the last good push" \
		bash -c "[ -s '$T/pgw-before' ] && cmp -s '$T/pgw-before' '$T/pgw-after'"
	curl -sf -X DELETE "$PUSHGATEWAY_URL/metrics/job/cloudctl-test/instance/ci" >/dev/null
else
	skip "pushgateway and prometheus" "not running (as root: tests/services/prometheus-start.sh)"
fi
run $R -q -o prom --push http://127.0.0.1:1 "$IN"
expect_rc "push to a closed port" 69 "^cloudctl-report: --push: http://127.0.0.1:1/metrics/job/cloudctl/instance/"

$R -q -o html "$IN" > "$T/report.html"
if command -v chromium >/dev/null || [ -x /usr/lib/chromium/chromium ]; then
	run "$SRC/tests/services/browser-check.sh" "$T/report.html" "$T/desktop.png" 1280x1800
	expect_rc "html: no console errors, no requests (desktop)" 0
	assert "html: desktop screenshot taken" test "$(stat -c %s "$T/desktop.png" 2>/dev/null || echo 0)" -gt 20000
	run "$SRC/tests/services/browser-check.sh" "$T/report.html" "$T/phone.png" 390x1600
	expect_rc "html: no console errors, no requests (phone)" 0
	mkdir -p "$SRC/build/screenshots" && cp "$T/desktop.png" "$T/phone.png" "$SRC/build/screenshots/" 2>/dev/null
	printf '<html><body><img src="http://example.invalid/x.png"></body></html>' > "$T/leaky.html"
	run "$SRC/tests/services/browser-check.sh" "$T/leaky.html" "$T/leaky.png"
	assert "the browser check does catch a request leaving the page" bash -c "[ $rc = 1 ] && cat '$T/out' '$T/err' | grep -q 'request: GET http://example.invalid/x.png'"
else
	skip "html in chromium" "chromium not installed (apt-get install chromium)"
fi
assert "html: no script, no remote URL" bash -c "! grep -Eiq '<script|https?://' '$T/report.html'"
