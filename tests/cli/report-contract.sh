# report-contract: what cloudctl-report promises in every format. Input without
# a vm record (a cloudctl-vm list that failed) is exit 65 with one line, and
# nothing is written, replaced or pushed, unless --allow-empty; a file operand
# that is missing, a directory or unreadable exits 66, 66, 77; '-' is read once;
# a reader that goes away early is no error; diff --exit-code; -v says what is
# done; -c, which the report's formats cannot honour, is refused.
. "$(dirname "$0")/lib.sh"
R=cloudctl-report
export SOURCE_DATE_EPOCH=1800000000
FORMATS="table md csv json html prom"
chmod 755 "$T" # the permission cases run as nobody, who must reach the other files

printf 'kind=vm id=c1 name=c1 state=running host=h1 vcpus=2 mem_mib=1024\n' > "$T/one.rec"
printf 'kind=vm id=c1 name=c1 state=shutoff host=h1 vcpus=2 mem_mib=1024\nkind=vm id=c2 name=c2 state=running host=h2\n' > "$T/two.rec"
printf 'kind=host name=h1 vcpus=8 mem_mib=8192\nkind=net id=n1 name=n1\n' > "$T/novm.rec"
: > "$T/empty.rec"
printf 'kind=vm state=running vcpus=2\n' > "$T/noid.rec" # a vm record without id or name is skipped
# empty_msg INPUTS [N]: the line for inputs without a vm record, N records of other kinds in them
empty_msg() {
	local n=${2:-0} others=
	[ "$n" -gt 0 ] && others="only $n record$([ "$n" = 1 ] || echo s) of other kinds or without an id; "
	echo "cloudctl-report: no vm records in $1 (${others}did the command that wrote them fail?); --allow-empty if none is right"
}

# ---- empty input: formats x (records, none) x (stdout, --write) ----
for f in $FORMATS; do
	run $R -q -o "$f" "$T/one.rec"
	expect_rc "$f: records: exit 0" 0
	cp "$T/out" "$T/want.$f"
	assert "$f: records: a report on stdout" test -s "$T/want.$f"
	echo old > "$T/w.$f"
	run $R -q -o "$f" --write "$T/w.$f" "$T/one.rec"
	expect "$f --write: records: nothing on stdout" 0 ""
	assert "$f --write: records: the file holds what stdout would" cmp -s "$T/w.$f" "$T/want.$f"

	# the inputs without a vm record, how the message names them, the records they held
	for input in "stdin|<stdin>|0" "empty.rec|$T/empty.rec|0" "novm.rec|$T/novm.rec|2" "noid.rec|$T/noid.rec|1" \
		"empty.rec novm.rec|$T/empty.rec, $T/novm.rec|2"; do
		IFS='|' read -r files shown others <<< "$input"
		args=()
		[ "$files" != stdin ] && for x in $files; do args+=("$T/$x"); done
		run $R -q -o "$f" "${args[@]}" < /dev/null
		expect "$f: no vm in $files: exit 65, one line, no output" 65 "" "$(empty_msg "$shown" "$others")"
		echo old > "$T/w.$f" && touch -d @1700000000 "$T/w.$f"
		run $R -q -o "$f" --write "$T/w.$f" "${args[@]}" < /dev/null
		expect "$f --write: no vm in $files: exit 65" 65 "" "$(empty_msg "$shown" "$others")"
		assert "$f --write: no vm in $files: the old file, its old time" \
			test "$(cat "$T/w.$f") $(stat -c %Y "$T/w.$f")" = "old 1700000000"
		assert "$f --write: no vm in $files: no temporary file left" test "$(ls "$T" | grep -c "^w\.$f\.tmp")" = 0
	done

	run $R -q -o "$f" --allow-empty < /dev/null
	expect_rc "$f --allow-empty: exit 0" 0
	cp "$T/out" "$T/empty.$f"
	assert "$f --allow-empty: an empty report on stdout" test -s "$T/empty.$f"
	run $R -q -o "$f" --allow-empty --write "$T/w.$f" "$T/novm.rec"
	expect "$f --allow-empty --write: nothing on stdout" 0 ""
	assert "$f --allow-empty --write: the file is replaced" bash -c "! grep -qx old '$T/w.$f'"
done
run $R -q -o prom --allow-empty --write "$T/w.prom" < /dev/null
assert "prom --allow-empty: the empty exposition passes promtool" bash -c "promtool check metrics < '$T/w.prom'"
assert "html --allow-empty: a whole page" grep -q '</html>' "$T/empty.html"
assert "csv --allow-empty: the header alone" test "$(cat "$T/empty.csv")" = \
	"host,instances,vcpus,mem_bytes,mem_used_bytes,disk_bytes,disk_used_bytes,rx_bytes,tx_bytes,addresses"

# --push: nothing is sent, nothing written (a closed port would make it 69)
echo old > "$T/p.prom"
run $R -q -o prom --push http://127.0.0.1:1 --write "$T/p.prom" < /dev/null
expect "--push: no vm: exit 65 before any request" 65 "" "$(empty_msg "<stdin>")"
assert "--push --write: no vm: the old file" test "$(cat "$T/p.prom")" = old
run $R -q -o prom --push http://127.0.0.1:1 --allow-empty < /dev/null
expect_rc "--push --allow-empty: the push is tried" 69 "^cloudctl-report: --push: http://127.0.0.1:1/"

# ---- standard input once, and not a terminal ----
run $R -q -o csv - - < "$T/one.rec"
expect "report - -: refused" 64 "" "cloudctl-report: '-' is given twice: standard input can be read only once"
run $R -q -o csv "$T/one.rec" - "$T/two.rec" - < "$T/one.rec"
expect "report F - F -: refused" 64 "" "cloudctl-report: '-' is given twice: standard input can be read only once"
run $R diff - - < "$T/one.rec"
expect "diff - -: refused" 64 "" "cloudctl-report: '-' is given twice: standard input can be read only once"
run $R -q -o csv - "$T/novm.rec" < "$T/one.rec"
expect_rc "report - F: stdin, then the file" 0
assert "report - F: the vm from stdin is counted" grep -q '^h1,1,' "$T/out"
if command -v script >/dev/null; then
	tty_msg="cloudctl-report: standard input is a terminal: pipe records in (cloudctl-vm list | cloudctl-report) or name a file"
	for cmd in "-o csv" "-o prom -" "diff $T/one.rec -"; do
		script -qec "timeout 5 $(command -v $R) $cmd" /dev/null < /dev/null > "$T/tty" 2>&1; rc=$?
		assert "stdin a terminal ($cmd): 64 and how to give input, no waiting" \
			test "$rc $(tr -d '\r' < "$T/tty")" = "64 $tty_msg"
	done
else
	skip "stdin a terminal" "script(1) not installed"
fi

# ---- file operands: missing 66, a directory 66, unreadable 77 ----
mkdir "$T/adir"
printf 'kind=vm id=s1 name=s1\n' > "$T/secret.rec" && chmod 600 "$T/secret.rec"
mkdir "$T/ro" && chmod 555 "$T/ro"
# as nobody when root, since root reads anything
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
for c in "$T/nosuch.rec|66|cannot open '$T/nosuch.rec': No such file or directory" \
	"$T/one.rec/x|66|cannot open '$T/one.rec/x': Not a directory" \
	"$T/adir|66|'$T/adir' is a directory, not a file of records" \
	"$T/secret.rec|77|cannot open '$T/secret.rec': Permission denied"; do
	IFS='|' read -r file want msg <<< "$c"
	for cmd in "-o csv @" "-o prom @" "-o json $T/one.rec @" "diff @ $T/one.rec" "diff $T/one.rec @"; do
		# shellcheck disable=SC2086 # the words of the command
		run as_user "$(command -v $R)" -q ${cmd//@/$file}
		expect "${cmd//@/$(basename "$file")}: exit $want, one line" "$want" "" "cloudctl-report: $msg"
	done
done
run as_user "$(command -v $R)" -q -o prom --write "$T/ro/x.prom" "$T/one.rec"
expect "--write into a directory we may not write: 77" 77 "" "cloudctl-report: --write '$T/ro/x.prom': Permission denied"

# ---- nothing written before a usage error found late ----
cp "$T/one.rec" "$T/in.rec"
for f in $FORMATS; do
	run $R -q -o "$f" --write "$T/in.rec" "$T/two.rec" "$T/in.rec"
	expect "$f --write naming an input file: 64" 64 "" "cloudctl-report: --write '$T/in.rec' is also an input: the report would replace the records it reads"
	run $R -q -o "$f" --write "$T/./in.rec" < "$T/in.rec"
	expect "$f --write naming the file on stdin: 64" 64 "" "cloudctl-report: --write '$T/./in.rec' is also an input: the report would replace the records it reads"
	assert "$f --write naming an input: the input intact" cmp -s "$T/in.rec" "$T/one.rec"
done
for c in "--job a/b|--job 'a/b'" "--instance x:y|--instance 'x:y'"; do
	rm -f "$T/late.prom"
	# shellcheck disable=SC2086 # the option and its value
	run $R -q -o prom --write "$T/late.prom" --push http://127.0.0.1:1 ${c%%|*} "$T/one.rec"
	expect "--push ${c%%|*}: 64 before anything is read or written" 64 "" "cloudctl-report: ${c#*|}: letters, digits, '_', '.' and '-' only"
	assert "--push ${c%%|*}: no --write file made" test ! -e "$T/late.prom"
done

# a verb's options before the verb ran the default verb on a file named 'diff'
run $R --allow-empty diff "$T/one.rec" "$T/two.rec"
expect "an option before 'diff': 64, says why" 64 "" "cloudctl-report: 'diff' is a verb: give its options after it (cloudctl-report diff [OPTIONS] OLD NEW)"
run $R -g tenant report "$T/one.rec"
expect "an option before 'report': 64, says why" 64 "" "cloudctl-report: 'report' is a verb: give its options after it (cloudctl-report report [OPTIONS] [FILE...|-])"
(cd "$T" && cp one.rec diff && $R -q -o csv -g host diff > "$T/out" 2> "$T/err"); rc=$?
expect "a file that is named diff is still read" 0 "host,instances,states,vcpus,mem_bytes,mem_used_bytes,disk_bytes,disk_used_bytes,rx_bytes,tx_bytes,addresses
h1,1,running=1,2,1073741824,0,0,0,0,0,0"
rm -f "$T/diff"

# ---- a reader that goes away early: every format exits 0, silently ----
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "kind=vm id=m%d name=m%d state=running host=h%d vcpus=1 mem_mib=512\n", i, i, i }' > "$T/many.rec"
for f in $FORMATS; do
	$R -q -o "$f" "$T/many.rec" 2> "$T/err" | head -1 > /dev/null
	rc=${PIPESTATUS[0]}
	assert "$f | head -1: exit 0 (was $rc), nothing on stderr" test "$rc:$(cat "$T/err")" = "0:"
done
$R diff --allow-empty "$T/many.rec" "$T/empty.rec" 2> "$T/err" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
assert "diff | head -1: exit 0 (was $rc)" test "$rc:$(cat "$T/err")" = "0:"

# ---- diff: --exit-code, and an empty side ----
run $R diff -o kv "$T/one.rec" "$T/two.rec"
expect "diff: changes, exit 0 without --exit-code" 0 "kind=change change=state id=c1 name=c1 host=h1 field=state old=running new=shutoff
kind=change change=new id=c2 name=c2 host=h2"
run $R diff --exit-code -o kv "$T/one.rec" "$T/two.rec"
expect "diff --exit-code: changes, exit 1" 1 "kind=change change=state id=c1 name=c1 host=h1 field=state old=running new=shutoff
kind=change change=new id=c2 name=c2 host=h2"
run $R diff --exit-code -o kv "$T/two.rec" "$T/two.rec"
expect "diff --exit-code: the same, exit 0" 0 ""
run $R diff -o kv "$T/two.rec" "$T/two.rec"
expect "diff: the same, exit 0" 0 ""
run $R diff --exit-code "$T/one.rec" "$T/nosuch.rec"
expect "diff --exit-code: an error is still its own code" 66 "" "cloudctl-report: cannot open '$T/nosuch.rec': No such file or directory"
for side in old new; do
	if [ $side = old ]; then a=$T/empty.rec b=$T/one.rec ch=new bad=$a n=0; else a=$T/one.rec b=$T/novm.rec ch=gone bad=$b n=2; fi
	run $R diff -q -o kv "$a" "$b"
	expect "diff: $side without vm records: 65" 65 "" "$(empty_msg "$bad" $n)"
	run $R diff -q --allow-empty --exit-code -o kv "$a" "$b"
	expect "diff --allow-empty: $side without vm records: every vm $ch, exit 1" 1 "kind=change change=$ch id=c1 name=c1 host=h1"
done

# ---- -v says what is done; -c is refused ----
run $R -v -o csv --write "$T/v.csv" "$T/one.rec" - < "$T/novm.rec"
expect "-v: records read, instances, where the output goes" 0 "" "cloudctl-report: read 1 record from $T/one.rec
cloudctl-report: warning: <stdin>:2: skipped: kind net
cloudctl-report: read 2 records from <stdin>
cloudctl-report: 1 instance, 1 record skipped; writing csv to $T/v.csv
cloudctl-report: wrote $T/v.csv"
run $R -v -o prom --push http://127.0.0.1:1 --write "$T/v.prom" "$T/one.rec"
expect_rc "-v --push: exit 69 (nothing listens)" 69
assert "-v --push: what is read, written and pushed where" test "$(sed -n 1,3p "$T/err")" = "cloudctl-report: read 1 record from $T/one.rec
cloudctl-report: 1 instance, 0 records skipped; writing prom to the Pushgateway
cloudctl-report: wrote $T/v.prom"
run $R -v diff -o kv "$T/one.rec" "$T/two.rec"
expect_rc "diff -v: exit 0" 0
assert "diff -v: what was read and the count of changes" test "$(cat "$T/err")" = "cloudctl-report: read 1 record from $T/one.rec, 1 vm
cloudctl-report: read 2 records from $T/two.rec, 2 vms
cloudctl-report: 2 changes"
run $R -q -o csv "$T/one.rec"
assert "without -v: nothing on stderr" test ! -s "$T/err"
for f in $FORMATS; do
	run $R -o "$f" -c host,instances "$T/one.rec"
	expect "$f -c: refused, not ignored" 64 "" "cloudctl-report: -c: -o $f writes a document, not records: it has no columns"
done
run $R diff -c change,name -o tsv "$T/one.rec" "$T/two.rec"
expect "diff -c: columns" 0 "$(printf 'change\tname\nstate\tc1\nnew\tc2')"
