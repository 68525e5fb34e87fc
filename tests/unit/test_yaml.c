/* test_yaml.c: YAML as kubectl prints it, and strings quoted wherever a YAML
 * 1.1 or 1.2 reader would take them for something else. With PyYAML installed,
 * the outputs also go through yaml.safe_load and must give back the same JSON. */
#include "check.h"
#include "util.h"
#include "yaml.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every output ends with a newline and has no trailing spaces. */
static void check_shape(const char *out)
{
	size_t n = strlen(out);
	CHECK(n > 0 && out[n - 1] == '\n');
	CHECK(strstr(out, " \n") == NULL);
}

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!v)
		printf("    bad test JSON: %s at %d:%d\n", err.text, err.line, err.column);
	return v;
}

/* yaml_emit of a value, as a string to free. */
static char *yaml_of_value(const json_t *v)
{
	struct strbuf sb = STRBUF_INIT;
	yaml_emit(&sb, v);
	check_shape(sb.buf);
	return sb_detach(&sb);
}

/* yaml_emit of JSON text. */
static char *yaml_of(const char *text)
{
	json_t *v = parse(text);
	char *out = v ? yaml_of_value(v) : xstrdup("(bad JSON)");
	json_decref(v);
	return out;
}

/* How a string is written as a value: a one-item list's line without its
 * "- " and newline. */
static char *scalar_of(json_t *str)
{
	json_t *a = json_array();
	json_array_append_new(a, str);
	char *out = yaml_of_value(a);
	json_decref(a);
	size_t n = strlen(out);
	if (n >= 3 && !strncmp(out, "- ", 2)) {
		memmove(out, out + 2, n - 2);
		out[n - 3] = '\0';
	}
	return out;
}

static void check_scalar(json_t *str, const char *want)
{
	char *got = scalar_of(str);
	CHECK_STR(got, want);
	free(got);
}

#define CHECK_YAML(json, want)                  \
	do {                                    \
		char *got_ = yaml_of(json);     \
		CHECK_STR(got_, want);          \
		free(got_);                     \
	} while (0)

/* ---- layout ---- */

static const char namespace_json[] =
	"{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"team-a\","
	" \"labels\": {\"cloudctl.dev/tenant\": \"acme\", \"kubernetes.io/metadata.name\": \"team-a\"}}}";

static void test_namespace(void)
{
	CHECK_YAML(namespace_json,
		   "apiVersion: v1\n"
		   "kind: Namespace\n"
		   "metadata:\n"
		   "  name: team-a\n"
		   "  labels:\n"
		   "    cloudctl.dev/tenant: acme\n"
		   "    kubernetes.io/metadata.name: team-a\n");
}

static const char rolebinding_json[] =
	"{\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"RoleBinding\","
	" \"metadata\": {\"name\": \"read-pods\", \"namespace\": \"team-a\"},"
	" \"roleRef\": {\"apiGroup\": \"rbac.authorization.k8s.io\", \"kind\": \"Role\","
	" \"name\": \"pod-reader\"},"
	" \"subjects\": [{\"kind\": \"User\", \"name\": \"alice\","
	" \"apiGroup\": \"rbac.authorization.k8s.io\"},"
	" {\"kind\": \"ServiceAccount\", \"name\": \"builder\", \"namespace\": \"ci\"}]}";

static void test_rolebinding(void)
{
	CHECK_YAML(rolebinding_json,
		   "apiVersion: rbac.authorization.k8s.io/v1\n"
		   "kind: RoleBinding\n"
		   "metadata:\n"
		   "  name: read-pods\n"
		   "  namespace: team-a\n"
		   "roleRef:\n"
		   "  apiGroup: rbac.authorization.k8s.io\n"
		   "  kind: Role\n"
		   "  name: pod-reader\n"
		   "subjects:\n"
		   "- kind: User\n"
		   "  name: alice\n"
		   "  apiGroup: rbac.authorization.k8s.io\n"
		   "- kind: ServiceAccount\n"
		   "  name: builder\n"
		   "  namespace: ci\n");
}

/* A list inside a list item's map is not indented relative to its key either. */
static const char pod_json[] =
	"{\"spec\": {\"containers\": [{\"name\": \"app\", \"args\": [\"--port\", \"8080\"],"
	" \"ports\": [{\"containerPort\": 8080, \"protocol\": \"TCP\"}],"
	" \"resources\": {\"limits\": {\"cpu\": \"8\", \"memory\": \"16Gi\"},"
	" \"requests\": {\"cpu\": \"100m\"}}}]}}";

static void test_pod(void)
{
	CHECK_YAML(pod_json,
		   "spec:\n"
		   "  containers:\n"
		   "  - name: app\n"
		   "    args:\n"
		   "    - \"--port\"\n"
		   "    - \"8080\"\n"
		   "    ports:\n"
		   "    - containerPort: 8080\n"
		   "      protocol: TCP\n"
		   "    resources:\n"
		   "      limits:\n"
		   "        cpu: \"8\"\n"
		   "        memory: 16Gi\n"
		   "      requests:\n"
		   "        cpu: 100m\n");
}

static const char nested_json[] =
	"{\"matrix\": [[1, 2], [3, [4, 5]], [], [{\"a\": 1, \"b\": [true, null]}]]}";

static void test_nested_lists(void)
{
	CHECK_YAML(nested_json,
		   "matrix:\n"
		   "- - 1\n"
		   "  - 2\n"
		   "- - 3\n"
		   "  - - 4\n"
		   "    - 5\n"
		   "- []\n"
		   "- - a: 1\n"
		   "    b:\n"
		   "    - true\n"
		   "    - null\n");
	CHECK_YAML("[[\"x\"], \"z\"]", "- - x\n- z\n");
	CHECK_YAML("[{\"a\": {\"b\": 1}, \"c\": 2}]", "- a:\n    b: 1\n  c: 2\n");
}

static const char empty_json[] =
	"{\"a\": {}, \"b\": [], \"c\": [{}, []], \"d\": {\"e\": {}}}";

static void test_empty(void)
{
	CHECK_YAML(empty_json, "a: {}\nb: []\nc:\n- {}\n- []\nd:\n  e: {}\n");
	CHECK_YAML("{}", "{}\n");
	CHECK_YAML("[]", "[]\n");
}

static const char scalars_json[] =
	"{\"nil\": null, \"t\": true, \"f\": false, \"i\": 42, \"neg\": -7,"
	" \"big\": 9223372036854775807, \"half\": 0.5, \"one\": 1.0, \"tenth\": 0.1,"
	" \"mega\": 1e6, \"tiny\": 1e-7, \"pi\": 3.141592653589793, \"neg0\": -0.0,"
	" \"third\": 0.3333333333333333, \"huge\": 1.7976931348623157e308}";

/* Reals come out shortest, and always with a dot so they read back as reals. */
static void test_scalars(void)
{
	CHECK_YAML(scalars_json,
		   "nil: null\n"
		   "t: true\n"
		   "f: false\n"
		   "i: 42\n"
		   "neg: -7\n"
		   "big: 9223372036854775807\n"
		   "half: 0.5\n"
		   "one: 1.0\n"
		   "tenth: 0.1\n"
		   "mega: 1.0e+06\n"
		   "tiny: 1.0e-07\n"
		   "pi: 3.141592653589793\n"
		   "neg0: -0.0\n"
		   "third: 0.3333333333333333\n"
		   "huge: 1.7976931348623157e+308\n");
}

/* ---- quoting ---- */

/* Each of these is something else, or not a string at all, when written plain. */
static const char *const must_quote[] = {
	"", "8", "-1", "0", "20240102", "--port", "0.5", "1e3", "1E3", "1.5e-3", "1.",
	"0x1F", "0X1f", "0o17",
	"017", "0b101", ".5", "1_000", "_1", "+1", "+0.5", ".inf", ".Inf", "-.inf",
	"+.INF", ".nan", ".NaN", "+inf", "-Infinity", "0x1p-2", "1:30", "12:30:45",
	"190:20:30.15",
	"true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
	"no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
	"null", "Null", "NULL", "~", "<<", "=",
	"-x", "?x", ":x", ",x", "[x", "]x", "{x", "}x", "#x", "&x", "*x", "!x", "|x",
	">x", "'x'", "%x", "@x", "`x", " x", "x ", "-", "?", ":", "---", "...", "...x",
	"a: b", "a:", "key::", "a #b", "{{ .Values.x }}",
	"2024-01-02", "2024-1-2", "2024-01-02T10:00:00Z", "2024-01-02 10:00:00",
	"2001-12-14t21:59:43.10-05:00",
};

/* Safe as they are; kubectl prints these plain too. */
static const char *const stay_plain[] = {
	"16Gi", "100m", "alice", "cloudctl.dev/tenant", "kube-system", "a-b_c.d",
	"v1", "1.2.3", "10.0.0.1", "8080/TCP", "1e", "e3", "0x", "0xg", "1_000x",
	"inf", "nan", "Infinity", "NaN", "yes!", "nope", "onion", "truthy", "_", ".",
	"a:b", "http://example.com:8080/x?q=1#frag", "a#b", "a\\b", "it's", "say \"hi\"",
	"a, b", "x-", "x?", "a [b] {c}", "2024-01-02-backup", "2024-01", "2024/01/02",
	"10:00-12:00", "a b", "héllo wörld", "日本語", "\xf0\x9f\x98\x80",
};

static void test_quoted(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(must_quote); i++) {
		char *want = xasprintf("\"%s\"", must_quote[i]);
		check_scalar(json_string(must_quote[i]), want);
		free(want);
	}
}

static void test_plain(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stay_plain); i++)
		check_scalar(json_string(stay_plain[i]), stay_plain[i]);
}

/* JSON-style escapes for what may not stand in a one-line scalar; U+0085,
 * U+2028 and U+2029 are line breaks to YAML 1.1, U+FEFF a byte order mark. */
static void test_escapes(void)
{
	check_scalar(json_string("a\nb"), "\"a\\nb\"");
	check_scalar(json_string("a\tb"), "\"a\\tb\"");
	check_scalar(json_string("\r\b\f"), "\"\\r\\b\\f\"");
	check_scalar(json_string("x\x01y\x1b"), "\"x\\u0001y\\u001B\"");
	check_scalar(json_string("del\x7f"), "\"del\\u007F\"");
	check_scalar(json_string("a: \"q\" \\"), "\"a: \\\"q\\\" \\\\\"");
	check_scalar(json_string("\"quoted\""), "\"\\\"quoted\\\"\"");
	check_scalar(json_string("nel\xc2\x85"), "\"nel\\u0085\"");
	check_scalar(json_string("c1\xc2\x9f"), "\"c1\\u009F\"");
	check_scalar(json_string("ls\xe2\x80\xa8ps\xe2\x80\xa9"), "\"ls\\u2028ps\\u2029\"");
	check_scalar(json_string("\xef\xbb\xbf" "bom"), "\"\\uFEFFbom\"");
	check_scalar(json_string("\xef\xbf\xbf"), "\"\\uFFFF\"");
	check_scalar(json_stringn("a\0b", 3), "\"a\\u0000b\"");
	/* Not UTF-8 (jansson only lets it in unchecked): U+FFFD, as YAML cannot say it. */
	check_scalar(json_stringn_nocheck("bad\xff\xc3", 5), "\"bad\\uFFFD\\uFFFD\"");
	check_scalar(json_stringn_nocheck("\xc0\x80", 2), "\"\\uFFFD\\uFFFD\"");
	check_scalar(json_stringn_nocheck("\xed\xa0\x80", 3), "\"\\uFFFD\\uFFFD\\uFFFD\"");
}

static void test_unicode(void)
{
	CHECK_YAML("{\"greeting\": \"h\\u00e9llo w\\u00f6rld \\u2713 \\u65e5\\u672c \\ud83d\\ude00\"}",
		   "greeting: héllo wörld ✓ 日本 \xf0\x9f\x98\x80\n");
	CHECK_YAML("{\"ünï\": \"ok\"}", "ünï: ok\n");
}

static const char keys_json[] =
	"{\"cloudctl.dev/tenant\": \"acme\", \"on\": true, \"8\": \"eight\", \"\": 1,"
	" \"a: b\": 2, \"-x\": [1], \"n\": {\"y\": {}}, \"key with space\": 3}";

static void test_keys(void)
{
	CHECK_YAML(keys_json,
		   "cloudctl.dev/tenant: acme\n"
		   "\"on\": true\n"
		   "\"8\": eight\n"
		   "\"\": 1\n"
		   "\"a: b\": 2\n"
		   "\"-x\":\n"
		   "- 1\n"
		   "\"n\":\n"
		   "  \"y\": {}\n"
		   "key with space: 3\n");
}

/* Over 128 bytes a key is explicit ("? key" / ": value"), as go-yaml writes it. */
static void test_long_keys(void)
{
	char k128[129], k129[130];
	memset(k128, 'k', 128);
	k128[128] = '\0';
	memset(k129, 'k', 129);
	k129[129] = '\0';

	json_t *o = json_object(), *inner = json_object();
	json_object_set_new(o, k128, json_integer(1));
	json_object_set_new(o, k129, json_string("v"));
	json_object_set_new(inner, k129, json_pack("{s:i, s:[i, i]}", "a", 1, "b", 2, 3));
	json_object_set_new(o, "x", inner);
	json_object_set_new(o, "z", json_pack("{s:[s]}", k129, "z"));
	char *got = yaml_of_value(o);
	char *want = xasprintf("%s: 1\n? %s\n: v\nx:\n  ? %s\n  : a: 1\n    b:\n    - 2\n    - 3\n"
			       "z:\n  ? %s\n  : - z\n", k128, k129, k129, k129);
	CHECK_STR(got, want);
	free(got);
	free(want);
	json_decref(o);
}

static void test_stream(void)
{
	json_t *docs[3] = { parse(namespace_json), parse("[\"a\", {\"b\": \"c\"}]"), parse("{}") };
	struct strbuf sb = STRBUF_INIT;
	yaml_emit_stream(&sb, docs, 3);
	CHECK_STR(sb.buf,
		  "apiVersion: v1\n"
		  "kind: Namespace\n"
		  "metadata:\n"
		  "  name: team-a\n"
		  "  labels:\n"
		  "    cloudctl.dev/tenant: acme\n"
		  "    kubernetes.io/metadata.name: team-a\n"
		  "---\n"
		  "- a\n"
		  "- b: c\n"
		  "---\n"
		  "{}\n");
	sb_reset(&sb);
	yaml_emit_stream(&sb, docs, 0);
	CHECK_STR(sb.buf, "");
	sb_release(&sb);
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++)
		json_decref(docs[i]);
}

/* ---- round trip through PyYAML (YAML 1.1) ---- */

/* The documents of yaml as python3 reads them with yaml.safe_load_all, or NULL. */
static json_t *pyyaml_load(const char *yaml)
{
	char path[] = "/tmp/test_yaml.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	fputs(yaml, f);
	fclose(f);

	char *cmd = xasprintf("python3 -c 'import sys, json, yaml; "
			      "f = open(sys.argv[1], encoding=\"utf-8\"); "
			      "json.dump(list(yaml.safe_load_all(f)), sys.stdout)' %s", path);
	FILE *p = popen(cmd, "r");
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sb_add(&out, buf, n);
	int rc = p ? pclose(p) : -1;
	unlink(path);
	free(cmd);
	json_t *docs = rc == 0 ? json_loads(out.buf, JSON_ALLOW_NUL, NULL) : NULL;
	sb_release(&out);
	return docs;
}

/* Emit docs as a stream; PyYAML must read back the same JSON, types and all. */
static void check_roundtrip(json_t *docs)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = json_array_size(docs);
	json_t **v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(docs, i);
	yaml_emit_stream(&sb, v, n);
	free(v);
	json_t *back = pyyaml_load(sb.buf);
	CHECK(back != NULL);
	CHECK(json_equal(back, docs));
	if (back && !json_equal(back, docs)) {
		char *s = json_dumps(back, JSON_COMPACT);
		printf("    yaml:\n%s    read back: %s\n", sb.buf, s);
		free(s);
	}
	json_decref(back);
	sb_release(&sb);
}

static void add_doc(json_t *docs, const char *text)
{
	json_array_append_new(docs, parse(text));
}

/* Every quoting case as a key and as a value, and as list items. */
static json_t *quoting_doc(void)
{
	json_t *o = json_object(), *list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(must_quote); i++) {
		json_object_set_new(o, must_quote[i], json_string(must_quote[i]));
		json_array_append_new(list, json_string(must_quote[i]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(stay_plain); i++) {
		json_object_set_new(o, stay_plain[i], json_string(stay_plain[i]));
		json_array_append_new(list, json_string(stay_plain[i]));
	}
	json_array_append_new(list, json_string("a\nb\tc\x01\x7f\xc2\x85\xe2\x80\xa8"
						"\xef\xbb\xbf\xef\xbf\xbf"));
	json_array_append_new(list, json_stringn("nul\0", 4));
	json_object_set_new(o, "list", list);
	return o;
}

static void test_pyyaml_roundtrip(void)
{
	json_t *docs = json_array();
	add_doc(docs, namespace_json);
	add_doc(docs, rolebinding_json);
	add_doc(docs, pod_json);
	add_doc(docs, nested_json);
	add_doc(docs, empty_json);
	add_doc(docs, scalars_json);
	add_doc(docs, keys_json);
	add_doc(docs, "[[[]], [{}], \"...\", \"---\"]");
	json_array_append_new(docs, quoting_doc());
	for (size_t i = 0; i < json_array_size(docs); i++) {
		json_t *one = json_pack("[O]", json_array_get(docs, i));
		check_roundtrip(one);
		json_decref(one);
	}
	check_roundtrip(docs);
	json_decref(docs);
}

static void test_pyyaml_long_keys(void)
{
	char key[301];
	memset(key, 'k', 300);
	key[300] = '\0';
	json_t *docs = json_pack("[{s:{s:i, s:[i]}, s:s, s:[{s:s}]}]", key, "a", 1, "b", 2, "x", key,
				 "l", key, "-y");
	check_roundtrip(docs);
	json_decref(docs);
}

int main(void)
{
	RUN(test_namespace);
	RUN(test_rolebinding);
	RUN(test_pod);
	RUN(test_nested_lists);
	RUN(test_empty);
	RUN(test_scalars);
	RUN(test_quoted);
	RUN(test_plain);
	RUN(test_escapes);
	RUN(test_unicode);
	RUN(test_keys);
	RUN(test_long_keys);
	RUN(test_stream);
	if (system("python3 -c 'import yaml' >/dev/null 2>&1") == 0) {
		RUN(test_pyyaml_roundtrip);
		RUN(test_pyyaml_long_keys);
	} else {
		printf("skip - pyyaml_roundtrip: python3 yaml (PyYAML) not available\n");
	}
	return CHECK_DONE("yaml");
}
