#!/bin/bash
# prometheus-start.sh: a Prometheus Pushgateway on http://127.0.0.1:9091 and a Prometheus
# server on http://127.0.0.1:9090 for the report tests, without systemd. Idempotent.
# - Prometheus scrapes every 1 s: job "pushgateway" (honor_labels: true, so pushed job/instance
#   labels are kept) and job "cloudctl" with the targets in $CLOUDCTL_PROM_TARGETS (optional,
#   "host:port" separated by spaces or commas). A second run with other targets rewrites the
#   configuration and reloads the running server (SIGHUP).
# - State in $SVC_DIR/prometheus/: prometheus.yml, data/ (TSDB, emptied at each fresh start),
#   the logs, pids (pushgateway, then prometheus). The pushgateway keeps pushes in memory only.
# - Ports are checked first: if something we did not start listens there, exit 69.
# - Both answer /-/ready, and every target has been scraped once (the pushgateway
#   successfully), before this returns: ~6 s after a fresh start, see scraped() below.
# - Writes $SVC_DIR/prometheus/env (PUSHGATEWAY_URL, PROMETHEUS_URL).
# Admin endpoints are on (127.0.0.1 only): pushgateway PUT /api/v1/admin/wipe,
# prometheus POST /-/reload and /api/v1/admin/tsdb/delete_series.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=prometheus; D=$SVC_DIR/$N; mkdir -p "$D"
PROM_PORT=${CLOUDCTL_PROMETHEUS_PORT:-9090}
PGW_PORT=${CLOUDCTL_PUSHGATEWAY_PORT:-9091}
PROM_URL=http://127.0.0.1:$PROM_PORT
PGW_URL=http://127.0.0.1:$PGW_PORT
need_cmds "apt-get install -y --no-install-recommends prometheus prometheus-pushgateway curl" \
	prometheus prometheus-pushgateway promtool curl
t0=$(date +%s%N)

ready() { curl -sf -o /dev/null --max-time 2 "$1/-/ready"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# who PORT: the listener on PORT, as ss names it (empty when ss cannot tell)
who() { ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))$/\1/p' | head -1; }
# ours_running: both recorded PIDs are our daemons and alive. Stricter than running(): a
# killed daemon stays a zombie (kill -0 succeeds) until PID 1 reaps it, and PIDs get reused.
ours_running() {
	local p n=0 st
	[ -s "$D/pids" ] || return 1
	while read -r p; do
		st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) || return 1
		[ -n "$st" ] && [ "$st" != Z ] || return 1
		grep -qx 'prometheus\|prometheus-push' "/proc/$p/comm" 2>/dev/null || return 1
		n=$((n + 1))
	done <"$D/pids"
	[ $n = 2 ]
}
# pid_of 0|1: the recorded pid of the pushgateway (0) or of prometheus (1)
pid_of() { sed -n "$(($1 == 0 ? 1 : 2))p" "$D/pids"; }
# scraped: Prometheus scrapes exactly the configured targets, each has been scraped at least
# once, and the pushgateway successfully. (The target list, not count(up): the "up" series of a
# job removed by a reload lingers 5 min without staleness markers. Prometheus hands new
# targets to its scrapers only every 5 s, so this takes ~6 s after a start or a reload.)
scraped() {
	local j
	j=$(curl -sf --max-time 2 "$PROM_URL/api/v1/targets?state=active") || return 1
	[ "$(grep -o '"scrapeUrl":"[^"]*"' <<<"$j" | sort)" = "$want_urls" ] || return 1
	! grep -q '"health":"unknown"' <<<"$j" || return 1
	curl -sf -G --max-time 2 --data-urlencode 'query=up{job="pushgateway"} == 1' \
		"$PROM_URL/api/v1/query" | grep -q '"value"'
}
started=0
# fail MSG: report, and end the daemons if this run started them
fail() {
	echo "$N: $1; see $D/pushgateway.log and $D/prometheus.log" >&2
	tail -n 5 "$D/pushgateway.log" "$D/prometheus.log" >&2 2>/dev/null || true
	if [ $started = 1 ]; then stop_pids $N; fi
	exit 1
}

# The configuration (also on re-runs: CLOUDCTL_PROM_TARGETS may have changed).
targets="" want_urls="\"scrapeUrl\":\"http://127.0.0.1:$PGW_PORT/metrics\""
for t in $(printf '%s\n' "${CLOUDCTL_PROM_TARGETS:-}" | awk -v RS='[, \t\n]+' 'NF && !seen[$0]++'); do
	[[ $t =~ ^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):[0-9]+$ ]] ||
		{ echo "$N: CLOUDCTL_PROM_TARGETS: '$t' is not host:port" >&2; exit 64; }
	targets="$targets${targets:+, }'$t'"; want_urls="$want_urls"$'\n'"\"scrapeUrl\":\"http://$t/metrics\""
done
want_urls=$(sort <<<"$want_urls")
cat >"$D/prometheus.yml.new" <<X
# written by prometheus-start.sh
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
scrape_configs:
- job_name: pushgateway
  honor_labels: true
  static_configs: [{targets: ['127.0.0.1:$PGW_PORT']}]
X
if [ -n "$targets" ]; then cat >>"$D/prometheus.yml.new" <<X
- job_name: cloudctl
  static_configs: [{targets: [$targets]}]
X
fi
promtool check config "$D/prometheus.yml.new" >"$D/promtool.out" 2>&1 ||
	{ cat "$D/promtool.out" >&2; echo "$N: bad CLOUDCTL_PROM_TARGETS '${CLOUDCTL_PROM_TARGETS:-}'" >&2; exit 64; }

if ours_running; then
	how="already running (pids $(tr '\n' ' ' <"$D/pids" | sed 's/ $//'))"
	if ! cmp -s "$D/prometheus.yml.new" "$D/prometheus.yml"; then
		mv "$D/prometheus.yml.new" "$D/prometheus.yml"
		kill -HUP "$(pid_of 1)"; how="$how, configuration reloaded"
	fi
	rm -f "$D/prometheus.yml.new"
else
	stop_pids $N # a half-dead earlier start: end what is left of it
	for p in "$PGW_PORT" "$PROM_PORT"; do
		if listening "$p"; then
			u=$(who "$p")
			echo "$N: 127.0.0.1:$p is already in use${u:+ by $u}, not by a server of ours; stop it or set CLOUDCTL_PROMETHEUS_PORT/CLOUDCTL_PUSHGATEWAY_PORT" >&2
			exit 69
		fi
	done
	mv "$D/prometheus.yml.new" "$D/prometheus.yml"
	rm -rf "$D/data"; mkdir -p "$D/data"
	# setsid: own session, so a Ctrl-C in the caller's terminal does not reach them; no
	# fork (a background job of a script is not a group leader), so $! is the daemon.
	# stdio redirected: a daemon holding the caller's stdout would keep "start | tail" open.
	setsid prometheus-pushgateway --web.listen-address="127.0.0.1:$PGW_PORT" \
		--persistence.file= --web.enable-admin-api \
		</dev/null >>"$D/pushgateway.log" 2>&1 &
	record $N $!
	setsid prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/data" \
		--storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$PROM_PORT" \
		--web.enable-lifecycle --web.enable-admin-api \
		</dev/null >>"$D/prometheus.log" 2>&1 &
	record $N $!
	started=1
	how="started, pids $(tr '\n' ' ' <"$D/pids" | sed 's/ $//')"
fi

wait_for 15 ready "$PGW_URL" || { alive "$(pid_of 0)" || fail "pushgateway exited"; fail "pushgateway not ready"; }
wait_for 30 ready "$PROM_URL" || { alive "$(pid_of 1)" || fail "prometheus exited"; fail "prometheus not ready"; }
wait_for 20 scraped || fail "prometheus has not scraped all its targets (or the pushgateway failed)"

cat >"$D/env" <<X
# source with: set -a; . $D/env; set +a
PUSHGATEWAY_URL=$PGW_URL
PROMETHEUS_URL=$PROM_URL
X
echo "$N: $how; pushgateway $PGW_URL, prometheus $PROM_URL (targets: pushgateway${targets:+, ${targets//\'/}}); env in $D/env ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
