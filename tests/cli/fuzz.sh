# fuzz: every libFuzzer target (tests/fuzz) built with clang, ASan+UBSan, and run
# for FUZZ_SECONDS each (10 in the test run: a smoke campaign; `make fuzz` runs
# longer ones). The inputs earlier campaigns found (tests/fuzz/regress) run first.
# The targets are ASan builds already, so the ASan pass of the suite skips them.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -n "${CLOUDCTL_ASAN:-}" ]; then
	skip "fuzz" "the fuzz targets are ASan+UBSan builds; they run in the normal pass"
	exit 0
fi
if ! command -v clang > /dev/null; then
	fail "fuzz build" "clang is not installed (scripts/deps.sh installs it)"
	exit 0
fi
if ! make -C "$SRC" -s fuzz-build > "$T/build.log" 2>&1; then
	fail "fuzz build" "$(grep -m3 -E 'error|Error' "$T/build.log" | tr '\n' ' ')"
	exit 0
fi
ok "fuzz build"
FUZZ_SECONDS=${FUZZ_SECONDS:-10} FUZZ_OUT=$T/fuzz-out "$SRC/tests/fuzz/run"
