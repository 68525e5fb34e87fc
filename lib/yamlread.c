/* yamlread.c: see yamlread.h.
 *
 * libyaml's loader builds each document as a node graph in which an alias is
 * the index of its anchored node; converting that graph to jansson walks
 * every alias again, which is exactly where the limits apply: depth stops
 * recursive aliases and hostile nesting, the node count stops billion laughs. */
#define _POSIX_C_SOURCE 200809L
#include "yamlread.h"
#include "log.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libyaml's header; lib/yaml.h is our emitter, found only by "yaml.h" since the
 * Makefile adds lib with -iquote. */
#include <yaml.h>

struct reader {
	const char *name;
	yaml_document_t *doc;
	size_t nodes; /* converted so far in this document, aliases counted again */
	unsigned char *open; /* per node: being converted (an alias to it recurses) */
	struct strbuf *err;
};

static int fail(struct reader *r, yaml_mark_t mark, const char *reason)
{
	sb_addf(r->err, "%s:%zu:%zu: %s", r->name, mark.line + 1, mark.column + 1, reason);
	return -1;
}

/* ---- scalars ---- */

static int word_in(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* go-yaml v2's resolve table: these exact spellings only ("TRue" is a string). */
static int is_null_word(const char *s)
{
	static const char *const w[] = { "", "~", "null", "Null", "NULL" };
	return word_in(s, w, ARRAY_SIZE(w));
}

/* 1 true, 0 false, -1 neither. */
static int bool_word(const char *s)
{
	static const char *const t[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
					 "true", "True", "TRUE" };
	static const char *const f[] = { "n", "N", "no", "No", "NO", "off", "Off", "OFF",
					 "false", "False", "FALSE" };
	if (word_in(s, t, ARRAY_SIZE(t)))
		return 1;
	return word_in(s, f, ARRAY_SIZE(f)) ? 0 : -1;
}

/* 1 for +inf, 2 for -inf, 3 for nan, 0 otherwise. */
static int inf_nan_word(const char *s)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF" };
	static const char *const nan[] = { ".nan", ".NaN", ".NAN" };
	if (word_in(s, nan, ARRAY_SIZE(nan)))
		return 3;
	if (*s == '+' || *s == '-')
		return word_in(s + 1, inf, ARRAY_SIZE(inf)) ? (*s == '+' ? 1 : 2) : 0;
	return word_in(s, inf, ARRAY_SIZE(inf));
}

/* Go's strconv.ParseInt(s, 0, 64), which go-yaml v2 applies once it has
 * dropped the underscores: optional sign, then 0x / 0o / 0b / leading-0 octal
 * or decimal, every remaining character a digit of that base. */
static int parse_int(const char *s, long long *out)
{
	const char *p = s + (*s == '+' || *s == '-');
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	/* strtoll would also take spaces, a second sign or another 0x. */
	if (!*p || strspn(p, "0123456789abcdefABCDEF") != strlen(p))
		return -1;
	char *buf = xasprintf("%.*s%s", *s == '-' ? 1 : 0, s, p);
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, base);
	int ok = !errno && !*end;
	free(buf);
	if (ok)
		*out = v;
	return ok ? 0 : -1;
}

/* go-yaml v2's yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_yaml_float(const char *s)
{
	const char *p = s + (*s == '+' || *s == '-');
	size_t d = strspn(p, "0123456789");
	if (d) {
		p += d;
		if (*p == '.')
			p += 1 + strspn(p + 1, "0123456789");
	} else {
		if (*p != '.' || !strspn(p + 1, "0123456789"))
			return 0;
		p += 1 + strspn(p + 1, "0123456789");
	}
	if (*p == 'e' || *p == 'E') {
		p += 1 + (p[1] == '+' || p[1] == '-');
		d = strspn(p, "0123456789");
		if (!d)
			return 0;
		p += d;
	}
	return *p == '\0';
}

/* A number (int, or a float; an int beyond int64 becomes a float, as JSON
 * readers take it), or NULL if s is no number. */
static json_t *resolve_number(const char *s)
{
	char *plain = xmalloc(strlen(s) + 1), *q = plain;
	for (const char *p = s; *p; p++)
		if (*p != '_')
			*q++ = *p;
	*q = '\0';
	long long i;
	json_t *v = NULL;
	if (parse_int(plain, &i) == 0)
		v = json_integer(i);
	else if (is_yaml_float(plain))
		v = json_real(strtod(plain, NULL));
	free(plain);
	return v;
}

static json_t *plain_scalar(struct reader *r, yaml_node_t *node, const char *s)
{
	int b;
	if (is_null_word(s))
		return json_null();
	if ((b = bool_word(s)) >= 0)
		return json_boolean(b);
	if (inf_nan_word(s)) {
		fail(r, node->start_mark, "infinity and NaN have no JSON value");
		return NULL;
	}
	json_t *v = resolve_number(s);
	if (v)
		return v;
	/* A float too large for a double (1e999): Go's ParseFloat fails too. */
	return json_string(s);
}

static json_t *scalar(struct reader *r, yaml_node_t *node)
{
	const char *s = (const char *)node->data.scalar.value;
	size_t n = node->data.scalar.length;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn_nocheck(s, n);
	/* A plain scalar cannot hold a NUL, so s is the whole text. */
	return plain_scalar(r, node, s);
}

/* ---- collections ---- */

static json_t *convert(struct reader *r, yaml_node_t *node, int depth);

static json_t *sequence(struct reader *r, yaml_node_t *node, int depth)
{
	json_t *arr = json_array();
	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		json_t *v = convert(r, yaml_document_get_node(r->doc, *it), depth + 1);
		if (!v) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	return arr;
}

static int is_merge_key(yaml_node_t *key)
{
	return key->type == YAML_SCALAR_NODE &&
	       key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       strcmp((const char *)key->data.scalar.value, "<<") == 0;
}

/* Keys of src that obj does not have yet: explicit keys are set after they
 * override, and an earlier merged map wins over a later one (go-yaml v2). */
static void merge_missing(json_t *obj, json_t *src)
{
	const char *k;
	size_t n;
	json_t *v;
	json_object_keylen_foreach(src, k, n, v)
		if (!json_object_getn(obj, k, n))
			json_object_setn(obj, k, n, v);
}

/* Merge a converted merge value into obj: a map, or a sequence of maps. */
static int merge_value(json_t *obj, json_t *v)
{
	if (json_is_object(v)) {
		merge_missing(obj, v);
		return 0;
	}
	if (!json_is_array(v))
		return -1;
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_object(json_array_get(v, i)))
			return -1;
	for (size_t i = 0; i < json_array_size(v); i++)
		merge_missing(obj, json_array_get(v, i));
	return 0;
}

/* "<<: *map" or "<<: [*a, *b]". */
static int apply_merge(struct reader *r, json_t *obj, yaml_node_t *vnode, int depth)
{
	json_t *v = convert(r, vnode, depth + 1);
	if (!v)
		return -1;
	int rc = merge_value(obj, v);
	json_decref(v);
	if (rc < 0)
		return fail(r, vnode->start_mark,
			    "a merge key (<<) takes a mapping or a sequence of mappings");
	return 0;
}

/* One "key: value"; explicit lists the keys written out in this mapping. */
static int add_pair(struct reader *r, json_t *obj, json_t *explicit, yaml_node_pair_t *p,
		    int depth)
{
	yaml_node_t *key = yaml_document_get_node(r->doc, p->key);
	yaml_node_t *val = yaml_document_get_node(r->doc, p->value);
	if (key->type != YAML_SCALAR_NODE)
		return fail(r, key->start_mark, "a mapping key must be a scalar");
	if (is_merge_key(key))
		return apply_merge(r, obj, val, depth);
	/* Keys are text in JSON: the scalar's own text, whatever it resolves to. */
	const char *k = (const char *)key->data.scalar.value;
	size_t n = key->data.scalar.length;
	if (json_object_getn(explicit, k, n)) {
		char *msg = xasprintf("duplicate key \"%s\"", k); /* up to a NUL, if any */
		fail(r, key->start_mark, msg);
		free(msg);
		return -1;
	}
	json_t *v = convert(r, val, depth + 1);
	if (!v)
		return -1;
	json_object_setn_new(explicit, k, n, json_true());
	json_object_setn_new(obj, k, n, v);
	return 0;
}

static json_t *mapping(struct reader *r, yaml_node_t *node, int depth)
{
	json_t *obj = json_object(), *explicit = json_object();
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		if (add_pair(r, obj, explicit, p, depth) < 0) {
			json_decref(obj);
			obj = NULL;
			break;
		}
	}
	json_decref(explicit);
	return obj;
}

static json_t *convert(struct reader *r, yaml_node_t *node, int depth)
{
	if (depth > YAMLREAD_MAX_DEPTH) {
		fail(r, node->start_mark, "nested deeper than 256 levels");
		return NULL;
	}
	if (++r->nodes > YAMLREAD_MAX_NODES) {
		fail(r, node->start_mark,
		     "aliases expand to more than 1000000 nodes");
		return NULL;
	}
	if (node->type == YAML_SCALAR_NODE)
		return scalar(r, node);
	size_t id = (size_t)(node - r->doc->nodes.start);
	if (r->open[id]) {
		fail(r, node->start_mark, "an alias refers to a collection that contains it");
		return NULL;
	}
	r->open[id] = 1;
	json_t *v = node->type == YAML_SEQUENCE_NODE ? sequence(r, node, depth)
						     : mapping(r, node, depth);
	r->open[id] = 0;
	return v;
}

/* ---- documents ---- */

static int parser_error(struct reader *r, yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		fputs("cloudctl: out of memory\n", stderr);
		exit(71);
	}
	struct strbuf msg = STRBUF_INIT;
	sb_adds(&msg, p->problem ? p->problem : "cannot parse YAML");
	if (p->context)
		sb_addf(&msg, " (%s at %zu:%zu)", p->context, p->context_mark.line + 1,
			p->context_mark.column + 1);
	fail(r, p->problem_mark, msg.buf);
	sb_release(&msg);
	return -1;
}

/* Load the next document into *out; 1 at the end of the stream. */
static int next_document(struct reader *r, yaml_parser_t *p, json_t **out)
{
	yaml_document_t doc;
	if (!yaml_parser_load(p, &doc))
		return parser_error(r, p);
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	int rc = 1;
	if (root) {
		r->doc = &doc;
		r->nodes = 0;
		r->open = xcalloc((size_t)(doc.nodes.top - doc.nodes.start), 1);
		*out = convert(r, root, 1);
		free(r->open);
		rc = *out ? 0 : -1;
	}
	yaml_document_delete(&doc);
	return rc;
}

/* Hostile nesting is refused from the events, before libyaml's loader sees
 * it: its scanner takes time quadratic in the depth of flow collections (a
 * line of 100,000 '[' took a minute). 0, or -1 with the error set; a syntax
 * error is left to the loader, which says it the usual way. */
static int nesting_ok(struct reader *r, const char *text, size_t len)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		fputs("cloudctl: out of memory\n", stderr);
		exit(71);
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int depth = 0, rc = 0;
	for (;;) {
		yaml_event_t e;
		if (!yaml_parser_parse(&p, &e))
			break;
		yaml_event_type_t t = e.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > YAMLREAD_MAX_DEPTH)
				rc = fail(r, e.start_mark, "nested deeper than 256 levels");
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(&e);
		if (rc || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

int yaml_read(const char *name, const char *text, size_t len, json_t **docs,
	      struct strbuf *err)
{
	struct reader r = { .name = name, .err = err };
	if (nesting_ok(&r, text, len) < 0)
		return -1;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		fputs("cloudctl: out of memory\n", stderr);
		exit(71);
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	json_t *arr = json_array(), *doc;
	int rc;
	while ((rc = next_document(&r, &p, &doc)) == 0)
		json_array_append_new(arr, doc);
	yaml_parser_delete(&p);
	if (rc < 0) {
		json_decref(arr);
		return -1;
	}
	*docs = arr;
	return 0;
}

int yaml_read_file(const char *path, json_t **docs, struct strbuf *err)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct strbuf sb = STRBUF_INIT;
	/* as the record reader does: a tool waiting on a terminal says for what */
	if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO))
		fprintf(stderr, "%s: reading YAML from the terminal (<stdin>): pipe it in or name a file; "
			"or type it and end with Ctrl-D\n", progname);
	if (sb_read_file(&sb, path) < 0) {
		sb_addf(err, "%s: %s", name, strerror(errno));
		sb_release(&sb);
		return -1;
	}
	int rc = yaml_read(name, sb.buf, sb.len, docs, err);
	sb_release(&sb);
	return rc;
}
