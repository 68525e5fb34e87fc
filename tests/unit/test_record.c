/* test_record.c: the record stream, lib/record.c. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static int parse(const char *line, struct record *r, struct strbuf *err)
{
	return rec_parse_line(line, strlen(line), r, err);
}

static struct strbuf err_text = STRBUF_INIT; /* parse_err's answer, reused */

/* The error text for a line that must not parse ("(parsed)" when it did). */
static const char *parse_err(const char *line)
{
	struct record r = RECORD_INIT;
	sb_reset(&err_text);
	int rc = parse(line, &r, &err_text);
	int empty = r.n == 0;
	rec_clear(&r);
	if (rc == 0)
		return "(parsed)";
	return empty ? err_text.buf : "(fields left after error)";
}

/* Parse each kv line and write them all in fmt; the caller frees the bytes. */
static char *write_lines(enum rec_format fmt, const char *cols, const char *defcols,
			 const char *const *lines, size_t n)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	struct rec_writer *w = rec_writer_new(out, fmt, cols, defcols);
	for (size_t i = 0; i < n; i++) {
		struct record r = RECORD_INIT;
		struct strbuf err = STRBUF_INIT;
		if (parse(lines[i], &r, &err) < 0)
			printf("    bad test input [%s]: %s\n", lines[i], err.buf);
		rec_write(w, &r);
		rec_clear(&r);
		sb_release(&err);
	}
	CHECK_INT(rec_writer_finish(w), 0);
	fclose(out);
	return buf;
}

static char *write_one(enum rec_format fmt, const char *cols, const char *line)
{
	return write_lines(fmt, cols, NULL, &line, 1);
}

/* rec_read_all over exactly n bytes of data (which may hold NUL bytes). */
static int read_bytes(const char *data, size_t n, struct recset *out, struct strbuf *err)
{
	FILE *f = tmpfile();
	fwrite(data, 1, n, f);
	rewind(f);
	int rc = rec_read_all(f, "<stdin>", out, err);
	fclose(f);
	return rc;
}

static int read_str(const char *data, struct recset *out, struct strbuf *err)
{
	return read_bytes(data, strlen(data), out, err);
}

/* ---- records ---- */

static void test_key_valid(void)
{
	CHECK(rec_key_valid("kind"));
	CHECK(rec_key_valid("tag.role"));
	CHECK(rec_key_valid("mem_mib"));
	CHECK(rec_key_valid("a1.b_2"));
	CHECK(!rec_key_valid(""));
	CHECK(!rec_key_valid(NULL));
	CHECK(!rec_key_valid("Name"));
	CHECK(!rec_key_valid("1a"));
	CHECK(!rec_key_valid("_a"));
	CHECK(!rec_key_valid("a-b"));
	CHECK(!rec_key_valid("a b"));
}

static void test_rec_set(void)
{
	struct record r = RECORD_INIT, c = RECORD_INIT;
	rec_set(&r, "kind", "vm");
	rec_set(&r, "name", "a");
	rec_set(&r, "state", "up");
	rec_set(&r, "name", "b"); /* in place */
	CHECK_INT(r.n, 3);
	CHECK_STR(r.f[1].key, "name");
	CHECK_STR(r.f[1].val, "b");
	rec_set(&r, "name", rec_get(&r, "name")); /* aliasing its own value */
	CHECK_STR(rec_get(&r, "name"), "b");
	rec_setf(&r, "mem_mib", "%d", 4096);
	CHECK_STR(r.f[3].key, "mem_mib");
	CHECK_STR(rec_get(&r, "mem_mib"), "4096");
	rec_set(&r, "name", NULL);
	CHECK_INT(r.n, 3);
	CHECK(rec_get(&r, "name") == NULL);
	CHECK_STR(r.f[1].key, "state");
	rec_del(&r, "absent");
	rec_del(&r, "mem_mib");
	CHECK_INT(r.n, 2);
	CHECK(rec_get(&r, "nothere") == NULL);
	r.line = 7;
	rec_copy(&c, &r);
	CHECK_INT(c.n, 2);
	CHECK_INT(c.line, 7);
	CHECK_STR(c.f[0].val, "vm");
	rec_clear(&r);
	CHECK_INT(r.n, 0);
	rec_set(&r, "x", "1"); /* still usable after clear */
	CHECK_STR(rec_get(&r, "x"), "1");
	rec_clear(&r);
	rec_clear(&c);
}

static void test_recset(void)
{
	struct recset s = RECSET_INIT;
	for (int i = 0; i < 20; i++)
		rec_setf(recset_add(&s), "n", "%d", i);
	CHECK_INT(s.n, 20);
	CHECK_STR(rec_get(&s.r[19], "n"), "19");
	recset_clear(&s);
	CHECK_INT(s.n, 0);
}

/* ---- kv encoding ---- */

static void check_quote(const char *val, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	rec_quote_value(&sb, val);
	CHECK_STR(sb.buf, want);
	sb_release(&sb);
}

static void test_quote_value(void)
{
	check_quote("abc", "abc");
	check_quote("a=b", "a=b");
	check_quote("10.0.0.1/24", "10.0.0.1/24");
	check_quote("größe", "größe");
	check_quote("", "\"\"");
	check_quote("a b", "\"a b\"");
	check_quote("say \"hi\"", "\"say \\\"hi\\\"\"");
	check_quote("c:\\dir", "\"c:\\\\dir\"");
	check_quote("l1\nl2", "\"l1\\nl2\"");
	check_quote("a\tb\rc", "\"a\\tb\\rc\"");
	check_quote("\x01\x1b\x7f", "\"\\x01\\x1b\\x7f\"");
	check_quote("bad\xff", "bad\xef\xbf\xbd"); /* ill-formed UTF-8 becomes U+FFFD */
}

static void test_roundtrip(void)
{
	static const char *const vals[] = {
		"plain", "a=b=c", "", " ", "two  spaces", "\"", "\\", "\\n literally",
		"nl\nnl", "tab\there", "cr\rhere", "esc\x1b[0m", "del\x7f", "\x01\x02\x1f",
		"ünïcödé ✓", "=", "#notacomment", "{notjson}", "'single'",
	};
	struct record r = RECORD_INIT, back = RECORD_INIT;
	struct strbuf line = STRBUF_INIT, again = STRBUF_INIT, err = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		char key[16];
		snprintf(key, sizeof key, "v%zu", i);
		rec_set(&r, key, vals[i]);
		if (line.len)
			sb_addc(&line, ' ');
		sb_addf(&line, "%s=", key);
		rec_quote_value(&line, vals[i]);
	}
	CHECK_INT(parse(line.buf, &back, &err), 0);
	CHECK_STR(err.buf, "");
	CHECK_INT(back.n, ARRAY_SIZE(vals));
	for (size_t i = 0; i < back.n && i < r.n; i++) {
		CHECK_STR(back.f[i].key, r.f[i].key);
		CHECK_STR(back.f[i].val, r.f[i].val);
	}
	for (size_t i = 0; i < back.n; i++) {
		if (again.len)
			sb_addc(&again, ' ');
		sb_addf(&again, "%s=", back.f[i].key);
		rec_quote_value(&again, back.f[i].val);
	}
	CHECK_STR(again.buf, line.buf);
	rec_clear(&r);
	rec_clear(&back);
	sb_release(&line);
	sb_release(&again);
	sb_release(&err);
}

/* ---- kv parsing ---- */

static void test_parse_kv(void)
{
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	r.line = 3;
	CHECK_INT(parse("  kind=vm  name=\"web 1\"\tempty=\"\" bare= eq=a=b url=http://x/?q=1&r=2  ",
			&r, &err), 0);
	CHECK_INT(r.line, 3);
	CHECK_INT(r.n, 6);
	CHECK_STR(r.f[0].key, "kind");
	CHECK_STR(r.f[0].val, "vm");
	CHECK_STR(rec_get(&r, "name"), "web 1");
	CHECK_STR(rec_get(&r, "empty"), "");
	CHECK_STR(rec_get(&r, "bare"), "");
	CHECK_STR(rec_get(&r, "eq"), "a=b");
	CHECK_STR(rec_get(&r, "url"), "http://x/?q=1&r=2");
	CHECK_STR(r.f[5].key, "url");

	CHECK_INT(parse("a=\"q\\\"b\\\\s\\nn\\tt\\rr\\x41\\x1b\\x7F\"", &r, &err), 0);
	CHECK_INT(r.n, 1);
	CHECK_STR(rec_get(&r, "a"), "q\"b\\s\nn\tt\rrA\x1b\x7f");

	CHECK_INT(parse("a=1 b=2\r\n", &r, &err), 0); /* CRLF, and r emptied first */
	CHECK_INT(r.n, 2);
	CHECK_STR(rec_get(&r, "b"), "2");

	CHECK_INT(parse("", &r, &err), 0);
	CHECK_INT(r.n, 0);
	CHECK_INT(parse("k=ünï\xe2\x9c\x93", &r, &err), 0);
	CHECK_STR(rec_get(&r, "k"), "ünï✓");
	rec_clear(&r);
	sb_release(&err);
}

static void test_parse_kv_errors(void)
{
	CHECK_STR(parse_err("kind=vm name=\"abc"), "unterminated quoted value for key 'name'");
	CHECK_STR(parse_err("name=\"abc\\"), "unterminated quoted value for key 'name'");
	CHECK_STR(parse_err("name=\"abc\\\""), "unterminated quoted value for key 'name'");
	CHECK_STR(parse_err("kind=vm Name=x"), "invalid key 'Name' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("1a=x"), "invalid key '1a' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("=x"), "invalid key '' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("a-b=x"), "invalid key 'a-b' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("\"a b\"=x"), "missing '=' in field '\"a' at column 1");
	CHECK_STR(parse_err("kind=vm foo"), "missing '=' in field 'foo' at column 9");
	CHECK_STR(parse_err("kind=vm foo bar=1"), "missing '=' in field 'foo' at column 9");
	CHECK_STR(parse_err("a=\"x\"y"), "text after closing quote for key 'a' at column 6");
	CHECK_STR(parse_err("a=\"x\"\"y\""), "text after closing quote for key 'a' at column 6");
	CHECK_STR(parse_err("a=\"\\q\""), "unknown escape '\\q' in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=\"\\u0041\""),
		  "unknown escape '\\u' in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=\"x\\é\""), "unknown escape '\\é' in value for key 'a' at column 5");
	CHECK_STR(parse_err("a=\"\\x00\""), "invalid escape '\\x00' in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=\"\\x80\""), "invalid escape '\\x80' in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=\"\\xg1\""), "invalid escape '\\xg1' in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=\"\\x4\""), "invalid escape '\\x4\"' in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=x\"y"), "unexpected '\"' in unquoted value for key 'a' at column 4");
	CHECK_STR(parse_err("a=x\\y"), "unexpected '\\' in unquoted value for key 'a' at column 4");
	CHECK_STR(parse_err("a=x\x01y"), "control character 0x01 in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=\"x\x7fy\""),
		  "control character 0x7f in value for key 'a' at column 5");
	CHECK_STR(parse_err("a=\"x\ty\""), "control character 0x09 in value for key 'a' at column 5");
	CHECK_STR(parse_err("a=x\ry"), "control character 0x0d in value for key 'a' at column 4");
	CHECK_STR(parse_err("a=1 b=2 a=3"), "duplicate key 'a'");
	CHECK_STR(parse_err("b=1 a=1 c=1 a=2 b=2"), "duplicate key 'a'"); /* repeated first */
	/* Offending text is shown on one line, and cut short. */
	CHECK_STR(parse_err("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ=1"),
		  "invalid key 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN...' "
		  "(keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("a=1 \x01\x02"), "missing '=' in field '\\x01\\x02' at column 5");
}

static void test_parse_bytes(void)
{
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(rec_parse_line("a=1 b=\0x", 8, &r, &err), -1);
	CHECK_STR(err.buf, "NUL byte in line");
	CHECK_STR(parse_err("a=\xff"), "invalid UTF-8 at byte 3");
	CHECK_STR(parse_err("a=\"é\" b=\xc3"), "invalid UTF-8 at byte 10"); /* cut short */
	CHECK_STR(parse_err("a=\xc0\xaf"), "invalid UTF-8 at byte 3");     /* overlong */
	CHECK_STR(parse_err("a=\xe0\x80\xaf"), "invalid UTF-8 at byte 3"); /* overlong */
	CHECK_STR(parse_err("a=\xed\xa0\x80"), "invalid UTF-8 at byte 3"); /* surrogate */
	CHECK_STR(parse_err("a=\xf4\x90\x80\x80"), "invalid UTF-8 at byte 3"); /* > U+10FFFF */
	CHECK_STR(parse_err("a=\xf0\x9f\x98\x80 b=\x80"), "invalid UTF-8 at byte 10");
	CHECK_STR(parse_err("a=\xf0\x9f\x98\x80"), "(parsed)");
	CHECK_STR(parse_err("{\"a\":\"\xff\"}"), "invalid UTF-8 at byte 7");
	rec_clear(&r);
	sb_release(&err);
}

/* ---- JSON Lines ---- */

static void test_parse_json(void)
{
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	const char *line =
		" {\"kind\":\"vm\",\"n\":42,\"neg\":-7,\"r\":1.5,\"t\":0.1,\"big\":1e300,"
		"\"one\":1.0,\"ok\":true,\"no\":false,\"gone\":null,"
		"\"tag\":{\"role\":\"w\",\"env\":\"dev\",\"x\":{\"y\":1},\"nil\":null},"
		"\"ips\":[\"10.0.0.1\",\"10.0.0.2\"],\"mix\":[1,\"a\",true,null,2.5],"
		"\"empty\":[],\"blank\":[\"\",\"b\"],\"s\":\"a b\\n\\u00e9\",\"hole\":{}}";
	CHECK_INT(parse(line, &r, &err), 0);
	CHECK_STR(err.buf, "");
	static const char *const want[][2] = {
		{ "kind", "vm" }, { "n", "42" }, { "neg", "-7" }, { "r", "1.5" },
		{ "t", "0.1" }, { "big", "1e+300" }, { "one", "1.0" }, { "ok", "true" },
		{ "no", "false" }, { "tag.role", "w" }, { "tag.env", "dev" }, { "tag.x.y", "1" },
		{ "ips", "10.0.0.1,10.0.0.2" }, { "mix", "1,a,true,2.5" }, { "empty", "" },
		{ "blank", ",b" }, { "s", "a b\né" },
	};
	CHECK_INT(r.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < r.n && i < ARRAY_SIZE(want); i++) {
		CHECK_STR(r.f[i].key, want[i][0]);
		CHECK_STR(r.f[i].val, want[i][1]);
	}
	CHECK_INT(parse("{\"x\":123456789012345678,\"y\":-9223372036854775808,"
			"\"z\":0.30000000000000004,\"w\":-0.0,\"v\":2.5e-8}", &r, &err), 0);
	CHECK_STR(rec_get(&r, "x"), "123456789012345678");
	CHECK_STR(rec_get(&r, "y"), "-9223372036854775808");
	CHECK_STR(rec_get(&r, "z"), "0.30000000000000004");
	CHECK_STR(rec_get(&r, "w"), "-0.0");
	CHECK_STR(rec_get(&r, "v"), "2.5e-08");
	CHECK_INT(parse("{}", &r, &err), 0);
	CHECK_INT(r.n, 0);
	rec_clear(&r);
	sb_release(&err);
}

static void test_parse_json_errors(void)
{
	CHECK_STR(parse_err("{\"a\":1"), "invalid JSON: '}' expected near end of file at column 6");
	CHECK_STR(parse_err("{\"a\":1} x=1"), "invalid JSON: end of file expected near 'x' at column 9");
	CHECK_STR(parse_err("{a:1}"), "invalid JSON: string or '}' expected near 'a' at column 2");
	CHECK_STR(parse_err("{\"a\":1,\"a\":2}"),
		  "invalid JSON: duplicate object key near '\"a\"' at column 10");
	CHECK(str_starts(parse_err("{\"a\":\"x\\u0000\"}"), "invalid JSON: \\u0000 is not allowed"));
	CHECK_STR(parse_err("{\"a\":\"\x01\"}"),
		  "invalid JSON: control character 0x1 near '\"' at column 6");
	CHECK_STR(parse_err("{\"é\":1,}"),
		  "invalid JSON: string or '}' expected near '}' at column 9");
	CHECK_STR(parse_err("{\"Name\":1}"), "invalid key 'Name' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("{\"tag\":{\"Role\":1}}"),
		  "invalid key 'tag.Role' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("{\"tag\":{\"-\":1}}"), "invalid key 'tag.-' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("{\"\":1}"), "invalid key '' (keys are [a-z][a-z0-9_.]*)");
	CHECK_STR(parse_err("{\"a\":[1,{\"b\":1}]}"),
		  "array for key 'a' holds an object or array (only scalars can be joined)");
	CHECK_STR(parse_err("{\"a\":[[1]]}"),
		  "array for key 'a' holds an object or array (only scalars can be joined)");
	CHECK_STR(parse_err("{\"tag.role\":\"a\",\"tag\":{\"role\":\"b\"}}"), "duplicate key 'tag.role'");
}

static void test_json_to_kv(void)
{
	char *out = write_one(FMT_KV, NULL,
			      "{\"kind\":\"vm\",\"name\":\"web 1\",\"n\":2,\"tag\":{\"role\":\"w\"},"
			      "\"ips\":[\"a\",\"b\"],\"ok\":true,\"x\":null,\"e\":\"\"}");
	CHECK_STR(out, "kind=vm name=\"web 1\" n=2 tag.role=w ips=a,b ok=true e=\"\"\n");
	free(out);
}

static void test_kv_to_json(void)
{
	/* Integer fields (vcpus, mem_mib, size, uptime_s, mtu, rules) are numbers
	 * when they have an integer's shape; unknown keys are strings whatever
	 * their shape; cpu_pct is a number; changed is a boolean. */
	const char *line = "kind=vm vcpus=1 id=007 mem_mib=-3 size=0 uptime_s=-0 mtu=123456789012345678 "
			   "rules=1234567890123456789 cpu_pct=1.5 n=1 plus=+1 e=\"\" s=\"a b\" "
			   "q=\"x\\\"y\\\\\" u=é/✓ nl=\"a\\nb\\x01\" t=true changed=true";
	char *out = write_one(FMT_JSON, NULL, line);
	CHECK_STR(out, "{\"kind\":\"vm\",\"vcpus\":1,\"id\":\"007\",\"mem_mib\":-3,\"size\":0,\"uptime_s\":\"-0\","
		       "\"mtu\":123456789012345678,\"rules\":\"1234567890123456789\","
		       "\"cpu_pct\":1.5,\"n\":\"1\",\"plus\":\"+1\",\"e\":\"\",\"s\":\"a b\","
		       "\"q\":\"x\\\"y\\\\\",\"u\":\"é/✓\",\"nl\":\"a\\nb\\u0001\",\"t\":\"true\","
		       "\"changed\":true}\n");
	/* ... and back: kv -> json -> kv keeps every byte. */
	char *line2 = xstrndup(out, strlen(out) - 1);
	char *back = write_one(FMT_KV, NULL, line2);
	char *want = xasprintf("%s\n", line);
	CHECK_STR(back, want);
	free(want);
	free(out);
	free(line2);
	free(back);

	out = write_one(FMT_JSON, NULL, "");
	CHECK_STR(out, "{}\n");
	free(out);
}

/* The case: a bump's booleans and its tags, whatever their shape. */
static void test_json_types(void)
{
	char *out = write_one(FMT_JSON, NULL, "kind=bump image=x old=1 new=1.20 changed=false "
				       "pushed=true attempts=2 skipped=\"same tag\"");
	CHECK_STR(out, "{\"kind\":\"bump\",\"image\":\"x\",\"old\":\"1\",\"new\":\"1.20\","
		       "\"changed\":false,\"pushed\":true,\"attempts\":2,\"skipped\":\"same tag\"}\n");
	free(out);
	/* a value without its type's shape stays text; a kind can give a key another type */
	out = write_one(FMT_JSON, NULL, "kind=image vcpus=four changed=yes skipped=3 time=1.5 tag.v=2");
	CHECK_STR(out, "{\"kind\":\"image\",\"vcpus\":\"four\",\"changed\":\"yes\",\"skipped\":3,"
		       "\"time\":1.5,\"tag.v\":\"2\"}\n");
	free(out);
	out = write_one(FMT_JSON, NULL, "kind=deploy time=2026-11-22T10:00:00Z");
	CHECK_STR(out, "{\"kind\":\"deploy\",\"time\":\"2026-11-22T10:00:00Z\"}\n");
	free(out);
	CHECK_INT(rec_field_type("net", "created"), REC_BOOLEAN);
	CHECK_INT(rec_field_type("pod", "created"), REC_STRING);
	CHECK_INT(rec_field_type(NULL, "block.0.rd.bytes"), REC_NUMBER);
	CHECK_INT(rec_field_type(NULL, "block.0.name"), REC_STRING);
	CHECK_INT(rec_field_type(NULL, "nosuch"), REC_STRING);
	/* JSON true and kv true read the same; both come back as JSON true */
	out = write_one(FMT_JSON, NULL, "{\"kind\":\"bump\",\"changed\":true,\"pushed\":\"false\"}");
	CHECK_STR(out, "{\"kind\":\"bump\",\"changed\":true,\"pushed\":false}\n");
	free(out);
	out = write_one(FMT_KV, NULL, "{\"kind\":\"bump\",\"changed\":true}");
	CHECK_STR(out, "kind=bump changed=true\n");
	free(out);
}

/* A number too long for a machine integer is text, as it is in kv: the
 * reader never fails on a number, whatever the encoding. */
static void test_json_big_integers(void)
{
	char *out = write_one(FMT_KV, NULL, "{\"vcpus\":123456789012345678901234567890,"
				       "\"s\":\"12345678901234567890123\",\"n\":-99999999999999999999,"
				       "\"r\":1234567890123456789012.5,\"a\":[1,22222222222222222222]}");
	CHECK_STR(out, "vcpus=123456789012345678901234567890 s=12345678901234567890123 "
		       "n=-99999999999999999999 r=1.2345678901234568e+21 a=1,22222222222222222222\n");
	free(out);
	out = write_one(FMT_KV, NULL, "{\"q\":\"a\\\"1234567890123456789012\\\"\",\"x\":1}");
	CHECK_STR(out, "q=\"a\\\"1234567890123456789012\\\"\" x=1\n");
	free(out);
}

/* ---- rec_read_all ---- */

static void test_read_all(void)
{
	struct recset s = RECSET_INIT;
	struct strbuf err = STRBUF_INIT;
	const char *in = "\n# a comment\n  \n\t# indented comment\nkind=vm name=a\r\n"
			 "{\"kind\":\"vm\",\"name\":\"b\"}\n\nkind=vm name=\"c d\"";
	CHECK_INT(read_str(in, &s, &err), 0);
	CHECK_INT(s.n, 3);
	CHECK_INT(s.r[0].line, 5);
	CHECK_STR(rec_get(&s.r[0], "name"), "a");
	CHECK_INT(s.r[1].line, 6);
	CHECK_STR(rec_get(&s.r[1], "name"), "b");
	CHECK_INT(s.r[2].line, 8);
	CHECK_STR(rec_get(&s.r[2], "name"), "c d");
	/* Appends to what is there; on error, only what this call added goes. */
	CHECK_INT(read_str("a=1\n#x\n\nb=\"2\nc=3\n", &s, &err), -1);
	CHECK_STR(err.buf, "<stdin>:4: unterminated quoted value for key 'b'");
	CHECK_INT(s.n, 3);
	CHECK_INT(read_str("", &s, &err), 0);
	CHECK_INT(s.n, 3);
	recset_clear(&s);

	FILE *f = tmpfile();
	fputs("ok=1\nbad\n", f);
	rewind(f);
	CHECK_INT(rec_read_all(f, "hosts.txt", &s, &err), -1);
	CHECK_STR(err.buf, "hosts.txt:2: missing '=' in field 'bad' at column 1");
	CHECK_INT(s.n, 0);
	fclose(f);
	recset_clear(&s);
	sb_release(&err);
}

static void test_read_all_bytes(void)
{
	struct recset s = RECSET_INIT;
	struct strbuf err = STRBUF_INIT;
	static const char nul[] = "a=1\nb=x\0y\nc=3\n";
	CHECK_INT(read_bytes(nul, sizeof nul - 1, &s, &err), -1);
	CHECK_STR(err.buf, "<stdin>:2: NUL byte in line");
	CHECK_INT(s.n, 0);
	static const char nul_comment[] = "a=1\n# x\0y\n";
	CHECK_INT(read_bytes(nul_comment, sizeof nul_comment - 1, &s, &err), -1);
	CHECK_STR(err.buf, "<stdin>:2: NUL byte in line");
	CHECK_INT(read_str("a=1\n\n# ok\nb=caf\xe9\n", &s, &err), -1);
	CHECK_STR(err.buf, "<stdin>:4: invalid UTF-8 at byte 6");
	CHECK_INT(s.n, 0);
	recset_clear(&s);
	sb_release(&err);
}

static void test_read_all_crlf(void)
{
	struct recset s = RECSET_INIT;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(read_str("a=1\r\nb=\"x y\"\r\n\r\nc=\r\n", &s, &err), 0);
	CHECK_INT(s.n, 3);
	CHECK_STR(rec_get(&s.r[0], "a"), "1");
	CHECK_STR(rec_get(&s.r[1], "b"), "x y");
	CHECK_STR(rec_get(&s.r[2], "c"), "");
	CHECK_INT(s.r[2].line, 4);
	recset_clear(&s);
	sb_release(&err);
}

static void test_read_all_long_line(void)
{
	struct recset s = RECSET_INIT;
	struct strbuf err = STRBUF_INIT, in = STRBUF_INIT;
	size_t big = 1 << 20;
	char *val = xmalloc(big + 1);
	memset(val, 'v', big);
	val[big] = '\0';
	val[1000] = ' '; /* quoted, to exercise the quoted path at size */
	sb_addf(&in, "kind=vm\nblob=");
	rec_quote_value(&in, val);
	sb_adds(&in, " after=1\n");
	CHECK_INT(read_bytes(in.buf, in.len, &s, &err), 0);
	CHECK_STR(err.buf, "");
	CHECK_INT(s.n, 2);
	CHECK(s.n == 2 && strcmp(rec_get(&s.r[1], "blob"), val) == 0);
	CHECK(s.n == 2 && str_eq(rec_get(&s.r[1], "after"), "1"));
	recset_clear(&s);
	free(val);

	/* Past the cap: one byte over. */
	sb_reset(&in);
	sb_adds(&in, "a=1\nk=");
	size_t want = (size_t)REC_LINE_MAX + 1 - 2;
	sb_grow(&in, want + 1);
	memset(in.buf + in.len, 'x', want);
	in.len += want;
	in.buf[in.len] = '\0';
	sb_addc(&in, '\n');
	CHECK_INT(read_bytes(in.buf, in.len, &s, &err), -1);
	CHECK_STR(err.buf, "<stdin>:2: line longer than 64 MiB");
	/* Exactly at the cap is fine. */
	in.len -= 2;
	in.buf[in.len++] = '\n';
	CHECK_INT(read_bytes(in.buf, in.len, &s, &err), 0);
	CHECK_INT(s.n, 2);
	recset_clear(&s);
	sb_release(&in);
	sb_release(&err);
}

/* ---- rec_reader ---- */

static FILE *file_with(const char *data)
{
	FILE *f = tmpfile();
	fputs(data, f);
	rewind(f);
	return f;
}

static void test_reader(void)
{
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	FILE *f = file_with("# head\n\nkind=vm name=a\r\n\t# x\n{\"name\":\"b\"}\n   \n"
			    "name=\"c d\"");
	struct rec_reader *rd = rec_reader_new(f, NULL);
	rec_set(&r, "stale", "1"); /* r is emptied first */
	CHECK_INT(rec_reader_next(rd, &r, &err), 1);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.line, 3);
	CHECK_STR(rec_get(&r, "name"), "a");
	CHECK_INT(rec_reader_line(rd), 3);
	CHECK_INT(rec_reader_next(rd, &r, &err), 1);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.line, 5);
	CHECK_STR(rec_get(&r, "name"), "b");
	CHECK_INT(rec_reader_next(rd, &r, &err), 1);
	CHECK_INT(r.line, 7);
	CHECK_STR(rec_get(&r, "name"), "c d");
	CHECK_INT(rec_reader_next(rd, &r, &err), 0);
	CHECK_INT(r.n, 0);
	CHECK_INT(rec_reader_line(rd), 7);
	CHECK_INT(rec_reader_next(rd, &r, &err), 0); /* the end stays the end */
	CHECK_STR(err.buf, "");
	rec_reader_free(rd);
	fclose(f);

	f = file_with("");
	rd = rec_reader_new(f, "empty");
	CHECK_INT(rec_reader_next(rd, &r, &err), 0);
	CHECK_INT(rec_reader_line(rd), 0);
	rec_reader_free(rd);
	fclose(f);
	rec_reader_free(NULL);
	rec_clear(&r);
	sb_release(&err);
}

static void test_reader_error(void)
{
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	FILE *f = file_with("n=1\nn=2\nn=3\nn=\"4\n\n# after\nn=5\n");
	struct rec_reader *rd = rec_reader_new(f, "<stdin>");
	for (int i = 1; i <= 3; i++) {
		char want[8];
		snprintf(want, sizeof want, "%d", i);
		CHECK_INT(rec_reader_next(rd, &r, &err), 1);
		CHECK_INT(r.line, i);
		CHECK_STR(rec_get(&r, "n"), want);
	}
	CHECK_STR(err.buf, "");
	CHECK_INT(rec_reader_next(rd, &r, &err), -1);
	CHECK_STR(err.buf, "<stdin>:4: unterminated quoted value for key 'n'");
	CHECK_INT(r.n, 0);
	CHECK_INT(rec_reader_line(rd), 4);
	/* It stops there: n=5 is never read. */
	sb_reset(&err);
	CHECK_INT(rec_reader_next(rd, &r, &err), -1);
	CHECK_STR(err.buf, "<stdin>:4: unterminated quoted value for key 'n'");
	CHECK_INT(rec_reader_line(rd), 4);
	rec_reader_free(rd);
	fclose(f);

	static const char nul[] = "a=1\n# x\0y\n";
	f = tmpfile();
	fwrite(nul, 1, sizeof nul - 1, f);
	rewind(f);
	rd = rec_reader_new(f, "in.kv");
	CHECK_INT(rec_reader_next(rd, &r, &err), 1);
	CHECK_INT(rec_reader_next(rd, &r, &err), -1);
	CHECK_STR(err.buf, "in.kv:2: NUL byte in line");
	rec_reader_free(rd);
	fclose(f);

	/* A stream that cannot be read is an error, not the end. */
	f = fopen("/dev/null", "w");
	rd = rec_reader_new(f, "out");
	CHECK_INT(rec_reader_next(rd, &r, &err), -1);
	CHECK_STR(err.buf, "out: read error: Bad file descriptor");
	CHECK_INT(rec_reader_line(rd), 0);
	rec_reader_free(rd);
	fclose(f);
	rec_clear(&r);
	sb_release(&err);
}

/* Many records through one struct record: the reader keeps no record. */
static void test_reader_many(void)
{
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	FILE *f = tmpfile();
	long n = 100000, got = 0, sum = 0;
	for (long i = 1; i <= n; i++)
		fprintf(f, i % 10 ? "kind=vm n=%ld\n" : "# %ld\n", i);
	rewind(f);
	struct rec_reader *rd = rec_reader_new(f, NULL);
	int rc;
	while ((rc = rec_reader_next(rd, &r, &err)) > 0) {
		got++;
		sum += atol(rec_get(&r, "n"));
		if (r.line != atol(rec_get(&r, "n")))
			break;
	}
	CHECK_INT(rc, 0);
	CHECK_INT(got, n - n / 10);
	CHECK_INT(sum, n * (n + 1) / 2 - 10 * (n / 10) * (n / 10 + 1) / 2);
	CHECK_INT(rec_reader_line(rd), n);
	rec_reader_free(rd);
	fclose(f);
	rec_clear(&r);
	sb_release(&err);
}

/* ---- formats ---- */

static void test_format_parse(void)
{
	CHECK_INT(rec_format_parse("kv"), FMT_KV);
	CHECK_INT(rec_format_parse("table"), FMT_TABLE);
	CHECK_INT(rec_format_parse("json"), FMT_JSON);
	CHECK_INT(rec_format_parse("tsv"), FMT_TSV);
	CHECK_INT(rec_format_parse("csv"), FMT_CSV);
	CHECK_INT(rec_format_parse("md"), FMT_MD);
	CHECK_INT(rec_format_parse("MD"), -1);
	CHECK_INT(rec_format_parse("markdown"), -1);
	/* The values are stable; new formats were appended. */
	CHECK_INT(FMT_TSV, 4);
	CHECK_INT(FMT_CSV, 5);
	CHECK_INT(FMT_MD, 6);
	CHECK_INT(rec_format_parse("JSON"), -1);
	CHECK_INT(rec_format_parse(""), -1);
	CHECK_INT(rec_format_parse(NULL), -1);
}

static void test_format_pick(void)
{
	struct strbuf err = STRBUF_INIT;
	FILE *f = tmpfile(); /* not a terminal */
	unsetenv("CLOUDCTL_OUTPUT");
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), FMT_KV);
	CHECK_INT(rec_format_pick(FMT_TSV, f, &err), FMT_TSV);
	setenv("CLOUDCTL_OUTPUT", "json", 1);
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), FMT_JSON);
	CHECK_INT(rec_format_pick(FMT_TABLE, f, &err), FMT_TABLE);
	setenv("CLOUDCTL_OUTPUT", "", 1);
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), FMT_KV);
	setenv("CLOUDCTL_OUTPUT", "yaml", 1);
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), -1);
	CHECK_STR(err.buf, "CLOUDCTL_OUTPUT: unknown output format 'yaml' "
			   "(kv, table, json, tsv, csv, md)");
	CHECK_INT(rec_format_pick(FMT_KV, f, &err), FMT_KV); /* -o wins over a bad variable */
	/* off a terminal, only the formats tools read: table never goes down a pipe */
	setenv("CLOUDCTL_OUTPUT", "md", 1);
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), FMT_KV);
	CHECK_INT(rec_format_pick(FMT_CSV, f, &err), FMT_CSV);
	setenv("CLOUDCTL_OUTPUT", "table", 1);
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), FMT_KV);
	CHECK_INT(rec_format_pick(FMT_TABLE, f, &err), FMT_TABLE); /* -o table is honoured */
	setenv("CLOUDCTL_OUTPUT", "csv", 1);
	CHECK_INT(rec_format_pick(FMT_AUTO, f, &err), FMT_KV);
	unsetenv("CLOUDCTL_OUTPUT");
	fclose(f);
	sb_release(&err);
}

static const char *const vms[] = {
	"kind=vm name=web-1 state=running tag.role=web tag.env=dev",
	"kind=vm name=größe state=stopped ip=10.0.0.5",
	"kind=vm name=x tags=own",
};

static void test_kv_writer(void)
{
	char *out = write_lines(FMT_KV, NULL, "name", vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "kind=vm name=web-1 state=running tag.role=web tag.env=dev\n"
		       "kind=vm name=größe state=stopped ip=10.0.0.5\n"
		       "kind=vm name=x tags=own\n");
	free(out);
	out = write_lines(FMT_KV, "ip, name,,tags", NULL, vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "name=web-1 tags=role=web,env=dev\n"
		       "ip=10.0.0.5 name=größe\n"
		       "name=x tags=own\n");
	free(out);
	out = write_lines(FMT_KV, NULL, NULL, NULL, 0);
	CHECK_STR(out, "");
	free(out);
}

static void test_json_writer(void)
{
	char *out = write_lines(FMT_JSON, "name,ip,tags", NULL, vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "{\"name\":\"web-1\",\"tags\":\"role=web,env=dev\"}\n"
		       "{\"name\":\"größe\",\"ip\":\"10.0.0.5\"}\n"
		       "{\"name\":\"x\",\"tags\":\"own\"}\n");
	free(out);
}

static void test_table(void)
{
	char *out = write_lines(FMT_TABLE, NULL, NULL, vms, 2);
	CHECK_STR(out, "KIND  NAME   STATE    TAG.ROLE  TAG.ENV  IP\n"
		       "vm    web-1  running  web       dev      -\n"
		       "vm    größe  stopped  -         -        10.0.0.5\n");
	free(out);
	/* default_cols, and the tags pseudo column; a real tags field wins. */
	out = write_lines(FMT_TABLE, NULL, "name,tags,ip", vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "NAME   TAGS              IP\n"
		       "web-1  role=web,env=dev  -\n"
		       "größe  -                 10.0.0.5\n"
		       "x      own               -\n");
	free(out);
	/* -c wins over default_cols; a trailing empty cell leaves no spaces. */
	static const char *const two[] = { "a=1 b=\"\"", "a=22 b=x" };
	out = write_lines(FMT_TABLE, "b,a", "a", two, 2);
	CHECK_STR(out, "B  A\n   1\nx  22\n");
	free(out);
	out = write_lines(FMT_TABLE, "a,b", "b", two, 2);
	CHECK_STR(out, "A   B\n1\n22  x\n");
	free(out);
	/* Control characters are escaped so a record stays one line. */
	static const char *const ctl[] = { "msg=\"l1\\nl2\\tt\\x1b\" n=1", "msg=ok n=2" };
	out = write_lines(FMT_TABLE, NULL, NULL, ctl, 2);
	CHECK_STR(out, "MSG            N\nl1\\nl2\\tt\\x1b  1\nok             2\n");
	free(out);
	out = write_lines(FMT_TABLE, NULL, "name", NULL, 0);
	CHECK_STR(out, "");
	free(out);
}

static void test_tsv(void)
{
	/* Without columns: the union of keys, so the output waits for every record. */
	static const char *const good[] = {
		"name=a desc=\"t\\tn\\nr\\rb\\\\ \\x01\" n=1",
		"name=b n=2 extra=e",
	};
	char *out = write_lines(FMT_TSV, NULL, NULL, good, 2);
	CHECK_STR(out, "name\tdesc\tn\textra\n"
		       "a\tt\\tn\\nr\\rb\\\\ \x01\t1\t\n"
		       "b\t\t2\te\n");
	free(out);
	out = write_lines(FMT_TSV, "n,tags,name", NULL, vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "n\ttags\tname\n"
		       "\trole=web,env=dev\tweb-1\n"
		       "\t\tgröße\n"
		       "\town\tx\n");
	free(out);
	out = write_lines(FMT_TSV, NULL, "name,ip", vms, 2);
	CHECK_STR(out, "name\tip\nweb-1\t\ngröße\t10.0.0.5\n");
	free(out);
	out = write_lines(FMT_TSV, "name", NULL, NULL, 0);
	CHECK_STR(out, "");
	free(out);
	out = write_lines(FMT_TSV, NULL, NULL, NULL, 0);
	CHECK_STR(out, "");
	free(out);
}

static void test_csv(void)
{
	/* Quoted only when needed; "" doubled; a leading space and a tab kept. */
	static const char *const rows[] = {
		"name=a desc=\"x, y\" n=1",
		"name=\"say \\\"hi\\\"\" desc=\"l1\\nl2\" n=2 extra=\" lead\"",
		"name=cr desc=\"a\\rb\" n=\"t\\tab\" extra=\"\\\\\"",
	};
	char *out = write_lines(FMT_CSV, NULL, NULL, rows, ARRAY_SIZE(rows));
	CHECK_STR(out, "name,desc,n,extra\n"
		       "a,\"x, y\",1,\n"
		       "\"say \"\"hi\"\"\",\"l1\nl2\",2, lead\n"
		       "cr,\"a\rb\",t\tab,\\\n");
	free(out);
	/* -c streams; the tags pseudo column; its comma gets it quoted. */
	out = write_lines(FMT_CSV, "n,tags,name", NULL, vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "n,tags,name\n"
		       ",\"role=web,env=dev\",web-1\n"
		       ",,größe\n"
		       ",own,x\n");
	free(out);
	out = write_lines(FMT_CSV, NULL, "name,ip", vms, 2);
	CHECK_STR(out, "name,ip\nweb-1,\ngröße,10.0.0.5\n");
	free(out);
	/* One column: an empty field is "", so the row is not a blank line. */
	static const char *const one[] = { "ip=1.2.3.4", "name=x", "ip=\"\"" };
	out = write_lines(FMT_CSV, "ip", NULL, one, ARRAY_SIZE(one));
	CHECK_STR(out, "ip\n1.2.3.4\n\"\"\n\"\"\n");
	free(out);
	out = write_one(FMT_CSV, NULL, "a=\"x\\\"\" b=\"\\\"\"");
	CHECK_STR(out, "a,b\n\"x\"\"\",\"\"\"\"\n");
	free(out);
	out = write_lines(FMT_CSV, "name", NULL, NULL, 0);
	CHECK_STR(out, "");
	free(out);
	out = write_lines(FMT_CSV, NULL, NULL, NULL, 0);
	CHECK_STR(out, "");
	free(out);
}

static void test_md(void)
{
	char *out = write_lines(FMT_MD, NULL, "name,state,tags,ip", vms, ARRAY_SIZE(vms));
	CHECK_STR(out, "| name | state | tags | ip |\n"
		       "|---|---|---|---|\n"
		       "| web-1 | running | role=web,env=dev | - |\n"
		       "| größe | stopped | - | 10.0.0.5 |\n"
		       "| x | - | own | - |\n");
	free(out);
	/* Right-aligned: every present value a number. Missing ones do not count;
	 * a column with none, or with "", "1e5", "+1", "1.", ".5", is text. */
	static const char *const nums[] = {
		"n=1 f=1.5 neg=-3 e=1e5 p=+1 d=1. s=.5 z=\"\" mixed=1",
		"n=007 f=-0.25 e=2 p=2 d=2 s=2 z=1 mixed=x",
		"f=10 neg=0 none.x=1",
	};
	out = write_lines(FMT_MD, "n,f,neg,e,p,d,s,z,mixed,gone", NULL, nums, ARRAY_SIZE(nums));
	CHECK_STR(out, "| n | f | neg | e | p | d | s | z | mixed | gone |\n"
		       "|---:|---:|---:|---|---|---|---|---|---|---|\n"
		       "| 1 | 1.5 | -3 | 1e5 | +1 | 1. | .5 |  | 1 | - |\n"
		       "| 007 | -0.25 | - | 2 | 2 | 2 | 2 | 1 | x | - |\n"
		       "| - | 10 | 0 | - | - | - | - | - | - | - |\n");
	free(out);
	/* Pipes and backslashes escaped, newlines as <br>, other controls as in table. */
	static const char *const esc[] = {
		"msg=\"a|b\" path=\"c:\\\\x\\\\|y\" n=1",
		"msg=\"l1\\nl2\\r\\n\\tt\\x1b\\x7f\" path=é n=2",
	};
	out = write_lines(FMT_MD, NULL, NULL, esc, ARRAY_SIZE(esc));
	CHECK_STR(out, "| msg | path | n |\n"
		       "|---|---|---:|\n"
		       "| a\\|b | c:\\\\x\\\\\\|y | 1 |\n"
		       "| l1<br>l2\\r<br>\\tt\\x1b\\x7f | é | 2 |\n");
	free(out);
	/* Column names as given, escaped the same way; bad UTF-8 repaired. */
	struct record r = RECORD_INIT;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct rec_writer *w = rec_writer_new(f, FMT_MD, "a|b,Name", NULL);
	rec_set(&r, "Name", "x\xffy");
	rec_write(w, &r);
	CHECK_INT(rec_writer_finish(w), 0);
	fclose(f);
	CHECK_STR(buf, "| a\\|b | Name |\n|---|---|\n| - | x\xef\xbf\xbdy |\n");
	free(buf);
	rec_clear(&r);
	out = write_lines(FMT_MD, NULL, "name", NULL, 0);
	CHECK_STR(out, "");
	free(out);
	out = write_lines(FMT_MD, NULL, NULL, NULL, 0);
	CHECK_STR(out, "");
	free(out);
}

static void test_writer_bad_utf8(void)
{
	struct record r = RECORD_INIT;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	rec_set(&r, "a", "x\xffy");
	struct rec_writer *w = rec_writer_new(out, FMT_JSON, NULL, NULL);
	rec_write(w, &r);
	CHECK_INT(rec_writer_finish(w), 0);
	w = rec_writer_new(out, FMT_KV, NULL, NULL);
	rec_write(w, &r);
	CHECK_INT(rec_writer_finish(w), 0);
	w = rec_writer_new(out, FMT_CSV, NULL, NULL);
	rec_write(w, &r);
	CHECK_INT(rec_writer_finish(w), 0);
	fclose(out);
	CHECK_STR(buf, "{\"a\":\"x\xef\xbf\xbdy\"}\na=x\xef\xbf\xbdy\na\nx\xef\xbf\xbdy\n");
	free(buf);
	rec_clear(&r);
}

static void test_writer_error(void)
{
	FILE *out = fopen("/dev/full", "w");
	if (!out)
		return;
	struct record r = RECORD_INIT;
	rec_set(&r, "kind", "vm");
	struct rec_writer *w = rec_writer_new(out, FMT_KV, NULL, NULL);
	rec_write(w, &r);
	CHECK_INT(rec_writer_finish(w), -1);
	fclose(out);
	rec_clear(&r);
}

int main(void)
{
	RUN(test_key_valid);
	RUN(test_rec_set);
	RUN(test_recset);
	RUN(test_quote_value);
	RUN(test_roundtrip);
	RUN(test_parse_kv);
	RUN(test_parse_kv_errors);
	RUN(test_parse_bytes);
	RUN(test_parse_json);
	RUN(test_parse_json_errors);
	RUN(test_json_to_kv);
	RUN(test_kv_to_json);
	RUN(test_read_all);
	RUN(test_read_all_bytes);
	RUN(test_read_all_crlf);
	RUN(test_read_all_long_line);
	RUN(test_reader);
	RUN(test_reader_error);
	RUN(test_reader_many);
	RUN(test_format_parse);
	RUN(test_format_pick);
	RUN(test_kv_writer);
	RUN(test_json_writer);
	RUN(test_table);
	RUN(test_json_types);
	RUN(test_json_big_integers);
	RUN(test_tsv);
	RUN(test_csv);
	RUN(test_md);
	RUN(test_writer_bad_utf8);
	RUN(test_writer_error);
	sb_release(&err_text);
	return CHECK_DONE("record");
}
