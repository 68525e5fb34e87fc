# report: cloudctl-report's formats on a fixed input, checked byte for byte
# (SOURCE_DATE_EPOCH fixes the time); prom checked by promtool; diff, --write and
# bad input.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
D=$SRC/tests/cli/data
IN=$D/report-input.txt
R=cloudctl-report
export SOURCE_DATE_EPOCH=1800000000

run $R "$IN"
expect "table report" 0 "$(cat "$D/report.table")"
assert "warnings name file and line" grep -qx "cloudctl-report: warning: $IN:8: skipped: kind net" "$T/err"
assert "a bad field is named" grep -qx "cloudctl-report: warning: $IN:10: field 'vcpus': 'many' is not a whole number; taken as absent" "$T/err"
run $R -q -o md "$IN"
expect "md report" 0 "$(cat "$D/report.md")"
run $R -q -o csv < "$IN"
expect "csv report (stdin)" 0 "$(cat "$D/report.csv")"
assert "csv reads back with python" python3 -c "import csv,sys; rows=list(csv.DictReader(open('$T/out'))); sys.exit(not (rows[1]['host']=='node2' and rows[1]['states']=='running=1,crashed=1,paused=1'))"
run $R -q -o prom "$IN"
expect "prom exposition" 0 "$(cat "$D/report.prom")"
promtool check metrics < "$T/out" > "$T/promtool" 2>&1; prc=$?
assert "promtool check metrics (with lint) passes" test "$prc" = 0
assert "escaped label value" grep -qF 'cloudctl_vm_info{id="a3",name="db \"primary\"\\x",host="node2",tenant="",state="running",ip=""} 1' "$T/out"
assert "cpu counter in seconds" grep -qx 'cloudctl_vm_cpu_time_seconds_total{id="a1",name="web-1",host="node1",tenant="team-a"} 1.000000000' "$T/out"
run $R -q -o json "$IN"
expect_rc "json report" 0
assert "json: totals and groups" python3 -c "
import json,sys; d=json.load(open('$T/out'))
ok = d['totals']['instances']==5 and d['totals']['cpu_pct']==62.8 and [g['host'] for g in d['groups']]==['node1','node2'] \
  and d['groups'][0]['vcpus_of_capacity']=='3/16 (18.8%)' and d['top']['cpu'][0]['name']=='db \"primary\"\\\\x' \
  and [f['reason'] for f in d['flagged']]==['shut off for long','running without an address','in error'] and d['skipped']==2 \
  and d['generated_at']==1800000000
sys.exit(not ok)"
run $R -q --group-by tag.tenant -o csv "$IN"
expect "group by a tag" 0 "tag.tenant,instances,states,vcpus,mem_bytes,mem_used_bytes,disk_bytes,disk_used_bytes,cpu_pct,rx_bytes,tx_bytes,addresses,networks
-,3,\"running=1,crashed=1,paused=1\",5,9395240960,7340032000,0,0,75.5,9000,100,0,
team-a,1,running=1,2,2147483648,1677721600,10737418240,1073741824,50.0,2000,800,1,tenant-a=1
team-b,1,shutoff=1,1,1073741824,0,0,0,,0,0,0,"
run $R -q -o prom --group-by tag.tenant "$IN"
assert "prom group label for a tag" grep -qx 'cloudctl_instances{tag_tenant="team-a",state="running"} 1' "$T/out"

# Usage errors
run $R -o yaml "$IN"
expect "unknown report format" 64 "" "cloudctl-report: report: unknown output format 'yaml' (table md csv json html prom)"
run $R --group-by colour "$IN"
expect "bad --group-by" 64 "" "cloudctl-report: --group-by 'colour': host, tenant, state or tag.KEY"
run $R --push http://127.0.0.1:1 "$IN"
expect "--push needs prom" 64 "" "cloudctl-report: --push sends Prometheus text: use it with -o prom"
run $R /nonexistent/records
expect "missing input file" 66 "" "cloudctl-report: cannot open '/nonexistent/records': No such file or directory"

# Bad input: unparseable lines are exit 65 and nothing is written; the rest is reported
printf 'kind=vm id=x1 name=ok state=running\nkind=vm id=x2 name="broken\n' > "$T/bad"
run $R -o prom "$T/bad"
expect "unparseable line" 65 "" "cloudctl-report: $T/bad:2: unterminated quoted value for key 'name'"
printf 'kind=vm id=x1 name=ok\nkind=vm id=x2 name=\xff\xfe\n' > "$T/utf8"
run $R -o prom "$T/utf8"
expect "invalid UTF-8 is unparseable" 65 "" "cloudctl-report: $T/utf8:2: invalid UTF-8 at byte 20"
run $R -q -o prom --allow-empty < /dev/null
expect_rc "empty input, --allow-empty" 0
assert "empty input: promtool passes" bash -c "promtool check metrics < $T/out"
assert "empty input: nothing counted" grep -qx 'cloudctl_report_skipped_records 0' "$T/out"
run $R -q --allow-empty < /dev/null
expect "empty input: table" 0 "Totals
INSTANCES  VCPUS  MEMORY  MEM_USED  DISK  DISK_USED  RX   TX   ADDRESSES
0          0      0 B     0 B       0 B   0 B        0 B  0 B  0"
big=$(head -c 1048576 /dev/zero | tr '\0' 'x')
printf 'kind=vm id=big name=%s state=running host="a\\\\b\\nc\\"d"\n' "$big" > "$T/big"
run $R -q -o prom "$T/big"
expect_rc "a 1 MiB line" 0
assert "1 MiB label and escaped host pass promtool" bash -c "promtool check metrics < $T/out"
assert "host label escaped" grep -q 'host="a\\\\b\\nc\\"d"' "$T/out"
printf 'kind=vm id=m1 name=m1 state=running\nkind=image ref=x\nkind=vm name=m2 vcpus=2\n{"kind":"vm","id":"m3","vcpus":"x"}\n' > "$T/mixed"
run $R -o csv "$T/mixed"
expect_rc "mixed kinds and wrong types still report" 0 "skipped: kind image"
assert "three instances counted" grep -q '^-,3,' "$T/out"

# --write is atomic: a failed run leaves the old file as it was, and no temporary file
echo "old contents" > "$T/out.prom"
run $R -o prom --write "$T/out.prom" "$T/bad"
expect_rc "--write with bad input fails" 65
assert "old file untouched" test "$(cat "$T/out.prom")" = "old contents"
assert "no temporary file left" test "$(ls "$T" | grep -c 'out.prom.tmp')" = 0
run $R -q -o prom --write "$T/out.prom" "$IN"
expect "--write prints nothing" 0 ""
assert "--write wrote the exposition" cmp -s "$T/out.prom" "$D/report.prom"
assert "--write: mode 0644" test "$(stat -c %a "$T/out.prom")" = 644
run $R -o prom --write /nonexistent/dir/x.prom "$IN"
expect_rc "--write into a missing directory" 73 "^cloudctl-report: --write '/nonexistent/dir/x.prom': No such file or directory"

# diff
printf 'kind=vm id=a1 name=web-1 host=node1 state=running mem_used_mib=1000 net_rx_bytes=100\nkind=vm id=a2 name=web-2 host=node1 state=running\nkind=vm id=a3 name=db host=node2 state=running mem_used_mib=100\n' > "$T/old"
printf 'kind=vm id=a1 name=web-1 host=node1 state=running mem_used_mib=1100 net_rx_bytes=500\nkind=vm id=a3 name=db host=node2 state=shutoff mem_used_mib=100\nkind=vm id=a9 name=new host=node2 state=running\n' > "$T/new"
run $R diff "$T/old" "$T/new" -o kv
expect "diff" 0 "kind=change change=grown id=a1 name=web-1 host=node1 field=net_rx_bytes old=100 new=500 pct=400.0
kind=change change=state id=a3 name=db host=node2 field=state old=running new=shutoff
kind=change change=new id=a9 name=new host=node2
kind=change change=gone id=a2 name=web-2 host=node1"
run $R diff --threshold 5 "$T/old" "$T/new" -c change,field -o tsv
expect "diff --threshold" 0 "$(printf 'change\tfield\ngrown\tmem_used_mib\ngrown\tnet_rx_bytes\nstate\tstate\nnew\t\ngone\t')"
run $R diff "$T/old"
expect "diff needs two files" 64 "" "cloudctl-report: diff: give two files of records, OLD and NEW (see 'cloudctl-report diff --help')"

# html: deterministic, escaped (the browser checks are in report-real)
run $R -q -o html "$IN"
expect_rc "html report" 0
cp "$T/out" "$T/a.html"; $R -q -o html "$IN" > "$T/b.html"
assert "html: same input, same bytes" cmp -s "$T/a.html" "$T/b.html"
assert "html: names escaped" grep -q 'db &quot;primary&quot;\\x' "$T/a.html"
assert "html: the generation time from SOURCE_DATE_EPOCH" grep -q '2027-01-15T08:00:00Z' "$T/a.html"
assert "html: a Content-Security-Policy that forbids fetching" grep -q "default-src 'none'" "$T/a.html"
assert "html: an SVG donut" grep -q '<svg' "$T/a.html"

printf 'kind=vm id=s1 name=s1 status=ACTIVE host=42\nkind=vm id=s2 name=s2 state=shutoff host=42\n' > "$T/status"
run $R -q --group-by state -o csv "$T/status"
expect "group by state uses status when state is absent" 0 "state,instances,states,vcpus,mem_bytes,mem_used_bytes,disk_bytes,disk_used_bytes,rx_bytes,tx_bytes,addresses
ACTIVE,1,ACTIVE=1,0,0,0,0,0,0,0,0
shutoff,1,shutoff=1,0,0,0,0,0,0,0,0"
printf 'kind=vm id=p1 name=p1 state=running project=aa11\nkind=vm id=p2 name=p2 state=running project_id=bb22\nkind=vm id=p3 name=p3 state=running project=aa11 tenant=team-x\n' > "$T/projects"
run $R -q --group-by tenant -o csv "$T/projects"
expect "group by tenant: tenant, else project (cloudctl-vm on OpenStack), else project_id" 0 "tenant,instances,states,vcpus,mem_bytes,mem_used_bytes,disk_bytes,disk_used_bytes,rx_bytes,tx_bytes,addresses
aa11,1,running=1,0,0,0,0,0,0,0,0
bb22,1,running=1,0,0,0,0,0,0,0,0
team-x,1,running=1,0,0,0,0,0,0,0,0"
run $R -q -o json "$T/status"
assert "json: a host named 42 stays a string" python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(d['groups'][0]['host'] != '42')"
run $R -q -o prom --push 'http://user:s3cret@127.0.0.1:1' "$T/status"
expect_rc "push error hides the password in the URL" 69 "^cloudctl-report: --push: http://127.0.0.1:1/metrics/job/cloudctl/instance/"
assert "no password on stderr" bash -c "! grep -q s3cret '$T/err'"
# Nothing links libcurl: the HTTP layer loads it with its first request, and says when it cannot.
mkdir -p "$T/nolib" && : > "$T/nolib/libcurl.so.4"
run env LD_LIBRARY_PATH="$T/nolib" $R -q -o prom --push http://127.0.0.1:1 "$T/status"
expect "--push without a usable libcurl: exit 69, why" 69 "" "cloudctl-report: cannot use libcurl: $T/nolib/libcurl.so.4: file too short"
run $R -q -o prom --push http://127.0.0.1:1 --write /nonexistent/dir/x.prom "$T/status"
expect_rc "--write failing with --push says why" 73 "^cloudctl-report: --write '/nonexistent/dir/x.prom': No such file or directory"
