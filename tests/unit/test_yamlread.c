/* test_yamlread.c: YAML read as Kubernetes reads it, errors with their exact
 * positions, the limits, and yaml_emit's output read back to the same JSON. */
#include "check.h"
#include "util.h"
#include "yaml.h"
#include "yamlread.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!v)
		printf("    bad test JSON: %s at %d:%d\n", err.text, err.line, err.column);
	return v;
}

/* The documents of text as compact JSON text to free, or the error message. */
static char *read_as_json(const char *text)
{
	struct strbuf err = STRBUF_INIT;
	json_t *docs = NULL;
	if (yaml_read("t.yaml", text, strlen(text), &docs, &err) < 0)
		return sb_detach(&err);
	sb_release(&err);
	char *out = json_dumps(docs, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	json_decref(docs);
	return out;
}

#define CHECK_READ(text, want)                                                       \
	do {                                                                         \
		char *got_ = read_as_json(text);                                     \
		CHECK_STR(got_, want);                                               \
		free(got_);                                                          \
	} while (0)

/* One document holding "v: SCALAR", as JSON text of v's value. */
static char *scalar_as_json(const char *scalar)
{
	char *text = xasprintf("v: %s\n", scalar);
	struct strbuf err = STRBUF_INIT;
	json_t *docs = NULL;
	char *out;
	if (yaml_read("t", text, strlen(text), &docs, &err) < 0) {
		out = sb_detach(&err);
	} else {
		json_t *v = json_object_get(json_array_get(docs, 0), "v");
		out = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
		json_decref(docs);
	}
	sb_release(&err);
	free(text);
	return out;
}

static void check_scalars(const char *const (*cases)[2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = scalar_as_json(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0) {
			printf("    scalar [%s]\n", cases[i][0]);
			CHECK_STR(got, cases[i][1]);
		}
		free(got);
	}
}

static void test_kubeconfig(void)
{
	const char *text =
		"apiVersion: v1\n"
		"kind: Config\n"
		"clusters:\n"
		"- cluster:\n"
		"    certificate-authority-data: LS0tLS1CRUdJTg==\n"
		"    server: https://10.0.0.1:6443\n"
		"  name: prod\n"
		"- cluster:\n"
		"    insecure-skip-tls-verify: true\n"
		"    server: https://dev.example.com\n"
		"    port: 6443\n"
		"  name: dev\n"
		"users:\n"
		"- name: admin\n"
		"  user:\n"
		"    client-certificate-data: QUJD\n"
		"    token: \"0123\"\n"
		"contexts:\n"
		"- context: {cluster: prod, user: admin, namespace: default}\n"
		"  name: prod-admin\n"
		"current-context: prod-admin\n"
		"preferences: {}\n";
	CHECK_READ(text,
		   "[{\"apiVersion\":\"v1\",\"kind\":\"Config\",\"clusters\":["
		   "{\"cluster\":{\"certificate-authority-data\":\"LS0tLS1CRUdJTg==\","
		   "\"server\":\"https://10.0.0.1:6443\"},\"name\":\"prod\"},"
		   "{\"cluster\":{\"insecure-skip-tls-verify\":true,"
		   "\"server\":\"https://dev.example.com\",\"port\":6443},\"name\":\"dev\"}],"
		   "\"users\":[{\"name\":\"admin\",\"user\":{\"client-certificate-data\":\"QUJD\","
		   "\"token\":\"0123\"}}],"
		   "\"contexts\":[{\"context\":{\"cluster\":\"prod\",\"user\":\"admin\","
		   "\"namespace\":\"default\"},\"name\":\"prod-admin\"}],"
		   "\"current-context\":\"prod-admin\",\"preferences\":{}}]");
	/* The types, not only the text. */
	struct strbuf err = STRBUF_INIT;
	json_t *docs = NULL;
	CHECK(yaml_read("k", text, strlen(text), &docs, &err) == 0);
	json_t *dev = json_object_get(json_array_get(json_object_get(json_array_get(docs, 0),
								     "clusters"), 1), "cluster");
	CHECK(json_is_integer(json_object_get(dev, "port")));
	CHECK_INT(json_integer_value(json_object_get(dev, "port")), 6443);
	CHECK(json_is_true(json_object_get(dev, "insecure-skip-tls-verify")));
	json_decref(docs);
	sb_release(&err);
}

static void test_null_bool(void)
{
	static const char *const cases[][2] = {
		{ "", "null" }, { "~", "null" }, { "null", "null" }, { "Null", "null" },
		{ "NULL", "null" }, { "nULL", "\"nULL\"" },
		{ "true", "true" }, { "True", "true" }, { "TRUE", "true" },
		{ "yes", "true" }, { "Yes", "true" }, { "YES", "true" },
		{ "on", "true" }, { "On", "true" }, { "ON", "true" },
		{ "y", "true" }, { "Y", "true" },
		{ "false", "false" }, { "False", "false" }, { "FALSE", "false" },
		{ "no", "false" }, { "No", "false" }, { "NO", "false" },
		{ "off", "false" }, { "Off", "false" }, { "OFF", "false" },
		{ "n", "false" }, { "N", "false" },
		{ "tRUE", "\"tRUE\"" }, { "yEs", "\"yEs\"" }, { "nope", "\"nope\"" },
	};
	check_scalars(cases, ARRAY_SIZE(cases));
}

static void test_numbers(void)
{
	static const char *const cases[][2] = {
		{ "0", "0" }, { "42", "42" }, { "-17", "-17" }, { "+5", "5" },
		{ "1_000_000", "1000000" }, { "0x1F", "31" }, { "0xff", "255" },
		{ "-0x10", "-16" }, { "0o17", "15" }, { "017", "15" }, { "0b101", "5" },
		{ "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "9223372036854775808", "9.2233720368547758e18" },
		{ "1.5", "1.5" }, { "-0.25", "-0.25" }, { ".5", "0.5" }, { "1.", "1.0" },
		{ "1e3", "1000.0" }, { "1.5E-3", "0.0015" }, { "6.02e+23", "6.02e23" },
		{ "1_0.5", "10.5" }, { "09", "9.0" },
		{ "0x", "\"0x\"" }, { "1.2.3", "\"1.2.3\"" }, { "12ab", "\"12ab\"" },
		{ "1:30", "\"1:30\"" }, { "2024-01-02", "\"2024-01-02\"" },
	};
	check_scalars(cases, ARRAY_SIZE(cases));
}

static void test_inf_nan(void)
{
	static const char *const cases[][2] = {
		{ ".inf", "t:1:4: infinity and NaN have no JSON value" },
		{ "-.Inf", "t:1:4: infinity and NaN have no JSON value" },
		{ "+.INF", "t:1:4: infinity and NaN have no JSON value" },
		{ ".nan", "t:1:4: infinity and NaN have no JSON value" },
		{ ".NaN", "t:1:4: infinity and NaN have no JSON value" },
		{ ".Nan", "\".Nan\"" }, { "inf", "\"inf\"" },
	};
	check_scalars(cases, ARRAY_SIZE(cases));
}

static void test_quoted_stay_strings(void)
{
	static const char *const cases[][2] = {
		{ "\"8\"", "\"8\"" }, { "'8'", "\"8\"" }, { "\"true\"", "\"true\"" },
		{ "'null'", "\"null\"" }, { "\"\"", "\"\"" }, { "'~'", "\"~\"" },
		{ "\"0x1F\"", "\"0x1F\"" }, { "\"a\\u0000b\\tc\"", "\"a\\u0000b\\tc\"" },
		{ "\"caf\\u00e9\"", "\"caf\xc3\xa9\"" },
	};
	check_scalars(cases, ARRAY_SIZE(cases));
	CHECK_READ("v: |\n  8\n", "[{\"v\":\"8\\n\"}]");
}

static void test_multi_document(void)
{
	CHECK_READ("a: 1\n---\nb: 2\n---\n- x\n", "[{\"a\":1},{\"b\":2},[\"x\"]]");
	CHECK_READ("---\na: 1\n...\n---\n", "[{\"a\":1},null]");
	CHECK_READ("# only a comment\n", "[]");
	CHECK_READ("", "[]");
	CHECK_READ("42\n", "[42]");
}

static void test_flow(void)
{
	/* y is YAML 1.1's true, as kubectl reads it. */
	CHECK_READ("{a: 1, b: [x, y]}", "[{\"a\":1,\"b\":[\"x\",true]}]");
	CHECK_READ("{a: 1, b: [x, 'y']}", "[{\"a\":1,\"b\":[\"x\",\"y\"]}]");
	CHECK_READ("[1, \"2\", {c: null}, [], {}]", "[[1,\"2\",{\"c\":null},[],{}]]");
}

static void test_block_scalars(void)
{
	CHECK_READ("lit: |\n  line 1\n  line 2\n\n"
		   "fold: >\n  a\n  b\n\n  c\n"
		   "strip: |-\n  x\n"
		   "keep: |+\n  y\n\n",
		   "[{\"lit\":\"line 1\\nline 2\\n\",\"fold\":\"a b\\nc\\n\","
		   "\"strip\":\"x\",\"keep\":\"y\\n\\n\"}]");
}

static void test_anchors_merge(void)
{
	CHECK_READ("base: &b\n  image: nginx\n  port: 80\n"
		   "extra: &e {debug: on}\n"
		   "web:\n  <<: *b\n  port: 8080\n"
		   "both:\n  <<: [*e, *b]\n  name: x\n"
		   "list: &l [1, 2]\n"
		   "copy: *l\n",
		   "[{\"base\":{\"image\":\"nginx\",\"port\":80},\"extra\":{\"debug\":true},"
		   "\"web\":{\"image\":\"nginx\",\"port\":8080},"
		   "\"both\":{\"debug\":true,\"image\":\"nginx\",\"port\":80,\"name\":\"x\"},"
		   "\"list\":[1,2],\"copy\":[1,2]}]");
	/* An explicit key wins even when written before the merge. */
	CHECK_READ("b: &b {k: 1}\nm:\n  k: 2\n  <<: *b\n",
		   "[{\"b\":{\"k\":1},\"m\":{\"k\":2}}]");
	/* A quoted "<<" is an ordinary key. */
	CHECK_READ("\"<<\": 1\n", "[{\"<<\":1}]");
	CHECK_READ("a: 1\nm:\n  <<: 5\n",
		   "t.yaml:3:7: a merge key (<<) takes a mapping or a sequence of mappings");
	CHECK_READ("a: *nope\n", "t.yaml:1:4: found undefined alias");
	CHECK_READ("a: &a [1, *a]\n",
		   "t.yaml:1:4: an alias refers to a collection that contains it");
	CHECK_READ("a: &a {b: *a}\n",
		   "t.yaml:1:4: an alias refers to a collection that contains it");
}

static void test_key_errors(void)
{
	CHECK_READ("a: 1\nb:\n  c: 2\n  c: 3\n", "t.yaml:4:3: duplicate key \"c\"");
	CHECK_READ("? [1, 2]\n: x\n", "t.yaml:1:3: a mapping key must be a scalar");
	CHECK_READ("{a: 1}: x\n", "t.yaml:1:1: a mapping key must be a scalar");
	/* Keys are their text: 1 and "1" collide, 1 and 01 do not. */
	CHECK_READ("1: a\n01: b\n", "[{\"1\":\"a\",\"01\":\"b\"}]");
	CHECK_READ("1: a\n\"1\": b\n", "t.yaml:2:1: duplicate key \"1\"");
}

static void test_syntax_errors(void)
{
	/* At the end of the stream libyaml moves its mark to a new line. */
	CHECK_READ("a: [1, 2",
		   "t.yaml:2:1: did not find expected ',' or ']'"
		   " (while parsing a flow sequence at 1:4)");
	CHECK_READ("a: [1, 2\nb: 3\n",
		   "t.yaml:2:2: did not find expected ',' or ']'"
		   " (while parsing a flow sequence at 1:4)");
	CHECK_READ("a: 1\n b: 2\n",
		   "t.yaml:2:3: mapping values are not allowed in this context");
	CHECK_READ("a: \"x\n", "t.yaml:2:1: found unexpected end of stream"
			       " (while scanning a quoted scalar at 1:4)");
	CHECK_READ("x: 1\n---\n[1, 2\n",
		   "t.yaml:4:1: did not find expected ',' or ']'"
		   " (while parsing a flow sequence at 3:1)");
}

static void test_depth_limit(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 256; i++)
		sb_addc(&sb, '[');
	for (int i = 0; i < 256; i++)
		sb_addc(&sb, ']');
	char *ok = read_as_json(sb.buf);
	CHECK(ok[0] == '[' && ok[256] == '[' && ok[257] == ']');
	free(ok);

	sb_reset(&sb);
	for (int i = 0; i < 100000; i++)
		sb_addc(&sb, '[');
	for (int i = 0; i < 100000; i++)
		sb_addc(&sb, ']');
	CHECK_READ(sb.buf, "t.yaml:1:257: nested deeper than 256 levels");
	sb_release(&sb);

	sb_reset(&sb);
	for (int i = 0; i < 300; i++)
		sb_addf(&sb, "%*sk:\n", i * 2, "");
	CHECK_READ(sb.buf, "t.yaml:257:513: nested deeper than 256 levels");
	sb_release(&sb);
}

static void test_billion_laughs(void)
{
	const char *text =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	char *got = read_as_json(text);
	CHECK(strstr(got, ": aliases expand to more than 1000000 nodes") != NULL);
	CHECK(str_starts(got, "t.yaml:"));
	free(got);
	/* Just under the limit is fine: 10^5 x's and their lists. */
	char *ok = read_as_json("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n");
	CHECK(ok[0] == '[' && ok[1] == '{');
	free(ok);
}

/* yaml_emit, then yaml_read: the same JSON back. */
static void check_round_trip(const char *json)
{
	json_t *v = parse(json);
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	yaml_emit(&sb, v);
	json_t *docs = NULL;
	int rc = yaml_read("rt", sb.buf, sb.len, &docs, &err);
	CHECK_STR(err.buf, "");
	CHECK(rc == 0 && json_array_size(docs) == 1);
	if (rc == 0 && !json_equal(json_array_get(docs, 0), v)) {
		printf("    yaml:\n%s", sb.buf);
		char *got = json_dumps(json_array_get(docs, 0), JSON_ENCODE_ANY);
		CHECK_STR(got, json);
		free(got);
	}
	json_decref(docs);
	json_decref(v);
	sb_release(&sb);
	sb_release(&err);
}

static void test_round_trip(void)
{
	static const char *const docs[] = {
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\","
		"\"labels\":{\"app\":\"web\",\"tier\":\"1\"}},\"data\":{\"port\":\"8080\","
		"\"enabled\":\"yes\",\"empty\":\"\",\"nul\":\"null\",\"tilde\":\"~\","
		"\"multi\":\"a\\nb\\n\",\"tab\":\"a\\tb\",\"colon\":\"a: b\",\"hash\":\"a #b\","
		"\"lead\":\"- x\",\"date\":\"2024-01-02\",\"hex\":\"0x1F\",\"oct\":\"017\","
		"\"float\":\"1.5\",\"inf\":\".inf\",\"sexa\":\"1:30\",\"y\":\"y\",\"N\":\"N\","
		"\"merge\":\"<<\",\"utf\":\"caf\\u00e9 \\u2603\",\"ctl\":\"a\\u0001b\\u0000c\"}}",
		"[1,-2,0,9223372036854775807,-9223372036854775808,1.5,-0.001,1e+300,"
		"1.0,2.5e-10,true,false,null,\"\",[],{},[[1,[2]],{\"a\":[]}]]",
		"{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.25\","
		"\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
		"\"env\":[{\"name\":\"DEBUG\",\"value\":\"true\"},{\"name\":\"N\",\"value\":\"3\"}],"
		"\"args\":[\"--flag\",\"-v\",\"? q\",\"[x]\",\"{y}\",\"*a\",\"&b\",\"!t\",\"%p\","
		"\"@x\",\"`b\",\"'s'\",\"\\\"d\\\"\",\"...\",\"---\",\" lead\",\"trail \"]}]}}",
		"{\"<<\":{\"a\":1},\"1\":\"one\",\"true\":false,\"null\":null,\"\":\"empty key\","
		"\"a long key that goes on and on and on and on and on and on and on and on "
		"and on and on and on and on and on and on and on and on and on and on\":[1]}",
		"\"just a string\"",
		"12",
		"null",
	};
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++)
		check_round_trip(docs[i]);
}

/* A NUL in a key: jansson holds it, the emitter escapes it, the reader keeps it. */
static void test_round_trip_nul_key(void)
{
	json_t *v = json_object();
	json_object_setn_new(v, "k\0ey", 4, json_string("x"));
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	yaml_emit(&sb, v);
	CHECK_STR(sb.buf, "\"k\\u0000ey\": x\n");
	json_t *docs = NULL;
	CHECK(yaml_read("rt", sb.buf, sb.len, &docs, &err) == 0);
	/* json_equal looks keys up as C strings, so compare by hand. */
	json_t *back = json_array_get(docs, 0);
	CHECK_INT(json_object_size(back), 1);
	CHECK_STR(json_string_value(json_object_getn(back, "k\0ey", 4)), "x");
	json_decref(docs);
	json_decref(v);
	sb_release(&sb);
	sb_release(&err);
}

static void test_round_trip_stream(void)
{
	json_t *d[3] = { parse("{\"a\":1}"), parse("[\"x\",{\"b\":null}]"), parse("\"s\"") };
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	yaml_emit_stream(&sb, d, 3);
	json_t *docs = NULL, *want = json_array();
	for (int i = 0; i < 3; i++)
		json_array_append_new(want, d[i]);
	CHECK(yaml_read("rt", sb.buf, sb.len, &docs, &err) == 0);
	CHECK(json_equal(docs, want));
	json_decref(docs);
	json_decref(want);
	sb_release(&sb);
	sb_release(&err);
}

static void test_read_file(void)
{
	char path[] = "/tmp/test_yamlread.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "a: [1, 2]\n---\nb: c\n", 19) == 19);
	close(fd);
	struct strbuf err = STRBUF_INIT;
	json_t *docs = NULL;
	CHECK(yaml_read_file(path, &docs, &err) == 0);
	char *got = json_dumps(docs, JSON_COMPACT);
	CHECK_STR(got, "[{\"a\":[1,2]},{\"b\":\"c\"}]");
	free(got);
	json_decref(docs);
	unlink(path);
	docs = NULL;
	CHECK(yaml_read_file(path, &docs, &err) == -1);
	CHECK(docs == NULL);
	char *want = xasprintf("%s: No such file or directory", path);
	CHECK_STR(err.buf, want);
	free(want);
	sb_release(&err);
}

int main(void)
{
	RUN(test_kubeconfig);
	RUN(test_null_bool);
	RUN(test_numbers);
	RUN(test_inf_nan);
	RUN(test_quoted_stay_strings);
	RUN(test_multi_document);
	RUN(test_flow);
	RUN(test_block_scalars);
	RUN(test_anchors_merge);
	RUN(test_key_errors);
	RUN(test_syntax_errors);
	RUN(test_depth_limit);
	RUN(test_billion_laughs);
	RUN(test_round_trip);
	RUN(test_round_trip_nul_key);
	RUN(test_round_trip_stream);
	RUN(test_read_file);
	return CHECK_DONE("yamlread");
}
