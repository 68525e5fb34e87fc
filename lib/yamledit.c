/* yamledit.c: see yamledit.h.
 *
 * libyaml's events carry the position of every node. The loader turns them
 * into a small tree of nodes with byte offsets (libyaml counts characters, not
 * bytes, and not a BOM: a table maps one to the other). An edit is one splice
 * of the text: the bytes of one scalar replaced, or whole lines inserted. The
 * new text is then loaded again from scratch and read with yaml_read; the edit
 * is kept only if that document equals the old one with the one value changed,
 * so a surprise in the layout becomes an error, never a wrong file. */
#define _POSIX_C_SOURCE 200809L
#include "yamledit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* libyaml's header; "yaml.h" is our emitter (the Makefile adds lib with -iquote). */
#include <yaml.h>

#include "utf8.h"
#include "yaml.h"
#include "yamlread.h"

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP, Y_ALIAS };

struct ynode {
	enum ykind kind;
	int flow, anchored, tagged;
	yaml_scalar_style_t style;
	char *value; /* a scalar's value (NUL-terminated; vlen may count inner NULs) */
	size_t vlen;
	size_t start, end; /* bytes of a scalar or alias, its properties included */
	size_t last;       /* just after the node's last content: where its lines end */
	size_t line, col;  /* 0-based, of start; col in characters */
	struct ynode **kid; /* items; for a mapping key, value, key, value... */
	size_t n, cap;
};

struct yedit_tree {
	struct ynode *root;
	size_t *off, nchars; /* byte offset of each character libyaml counts */
	size_t doc_end;      /* where an explicit "..." starts, or the text's end */
	const char *eol;     /* the file's line break: "\r\n" or "\n" */
};

/* ---- messages ---- */

static int fail_at(struct yedit *e, size_t line, size_t col, struct strbuf *err,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct yedit *e, size_t line, size_t col, struct strbuf *err,
		   const char *fmt, ...)
{
	va_list ap;
	sb_addf(err, "%s:%zu:%zu: ", e->name, line + 1, col + 1);
	va_start(ap, fmt);
	sb_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

#define FAIL_NODE(e, n, err, ...) fail_at((e), (n)->line, (n)->col, (err), __VA_ARGS__)

/* ---- the tree ---- */

static void node_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kid[i]);
	free(n->kid);
	free(n->value);
	free(n);
}

static void tree_free(struct yedit_tree *t)
{
	if (!t)
		return;
	node_free(t->root);
	free(t->off);
	free(t);
}

static void add_kid(struct ynode *n, struct ynode *k)
{
	n->kid = xgrow(n->kid, &n->cap, n->n + 1, sizeof *n->kid);
	n->kid[n->n++] = k;
}

struct loader {
	struct yedit *e;
	struct yedit_tree *t;
	const char *text;
	size_t len;
	yaml_parser_t p;
	struct strbuf *err;
};

static size_t byte_at(const struct loader *l, size_t index)
{
	return index <= l->t->nchars ? l->t->off[index] : l->len;
}

/* The character table: libyaml's mark.index counts characters after a BOM. */
static void index_chars(struct loader *l, size_t bom)
{
	struct yedit_tree *t = l->t;
	t->off = xmalloc((l->len - bom + 1) * sizeof *t->off);
	for (size_t i = bom; i < l->len; i++)
		if (((unsigned char)l->text[i] & 0xC0) != 0x80)
			t->off[t->nchars++] = i;
	t->off[t->nchars] = l->len;
}

/* The line holding byte b starts with a tab among its leading blanks. */
static int tab_indented(const struct loader *l, size_t b)
{
	size_t s = b < l->len ? b : l->len;
	while (s > 0 && l->text[s - 1] != '\n')
		s--;
	for (; s < l->len && (l->text[s] == ' ' || l->text[s] == '\t'); s++)
		if (l->text[s] == '\t')
			return 1;
	return 0;
}

static int parse_error(struct loader *l)
{
	yaml_parser_t *p = &l->p;
	if (p->error == YAML_MEMORY_ERROR) {
		fputs("cloudctl: out of memory\n", stderr);
		exit(71);
	}
	yaml_mark_t m = p->problem_mark;
	if (tab_indented(l, byte_at(l, m.index)))
		return fail_at(l->e, m.line, m.column, l->err,
			       "not valid YAML: a tab in the indentation (YAML indents with spaces only)");
	fail_at(l->e, m.line, m.column, l->err, "not valid YAML: %s",
		p->problem ? p->problem : "cannot parse");
	if (p->context)
		sb_addf(l->err, " (%s at %zu:%zu)", p->context, p->context_mark.line + 1,
			p->context_mark.column + 1);
	return -1;
}

static int next_event(struct loader *l, yaml_event_t *ev)
{
	return yaml_parser_parse(&l->p, ev) ? 0 : parse_error(l);
}

static struct ynode *read_node(struct loader *l, yaml_event_t *ev, int depth);

/* The items (or keys and values) of a collection up to its end event. */
static int read_kids(struct loader *l, struct ynode *n, yaml_event_type_t end, int depth)
{
	yaml_event_t ev;
	for (;;) {
		if (next_event(l, &ev) < 0)
			return -1;
		if (ev.type == end)
			break;
		struct ynode *k = read_node(l, &ev, depth + 1);
		if (!k)
			return -1;
		add_kid(n, k);
	}
	/* A flow collection ends at its bracket; a block one with its last content
	 * (its end event lies at the next token, past comments and blank lines). */
	n->last = n->flow ? byte_at(l, ev.end_mark.index)
			  : n->n ? n->kid[n->n - 1]->last : n->start;
	yaml_event_delete(&ev);
	return 0;
}

static void read_scalar(struct loader *l, struct ynode *n, yaml_event_t *ev)
{
	n->kind = Y_SCALAR;
	n->style = ev->data.scalar.style;
	n->vlen = ev->data.scalar.length;
	n->value = xmalloc(n->vlen + 1);
	memcpy(n->value, ev->data.scalar.value, n->vlen);
	n->value[n->vlen] = '\0';
	n->anchored = ev->data.scalar.anchor != NULL;
	n->tagged = ev->data.scalar.tag != NULL;
}

/* The node that starts with ev (consumed), or NULL after an error. */
static struct ynode *read_node(struct loader *l, yaml_event_t *ev, int depth)
{
	struct ynode *n = xcalloc(1, sizeof *n);
	n->start = byte_at(l, ev->start_mark.index);
	n->end = n->last = byte_at(l, ev->end_mark.index);
	n->line = ev->start_mark.line;
	n->col = ev->start_mark.column;
	yaml_event_type_t end = YAML_NO_EVENT;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		n->kind = Y_ALIAS;
		break;
	case YAML_SCALAR_EVENT:
		read_scalar(l, n, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		n->kind = Y_SEQ;
		n->flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		n->anchored = ev->data.sequence_start.anchor != NULL;
		n->tagged = ev->data.sequence_start.tag != NULL;
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		n->kind = Y_MAP;
		n->flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		n->anchored = ev->data.mapping_start.anchor != NULL;
		n->tagged = ev->data.mapping_start.tag != NULL;
		end = YAML_MAPPING_END_EVENT;
		break;
	default:
		break;
	}
	yaml_event_delete(ev);
	if (end != YAML_NO_EVENT && depth > YAMLREAD_MAX_DEPTH) {
		FAIL_NODE(l->e, n, l->err, "nested deeper than %d levels", YAMLREAD_MAX_DEPTH);
		node_free(n);
		return NULL;
	}
	if (end != YAML_NO_EVENT && read_kids(l, n, end, depth) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* After the root node: the document's end, then the stream's end. */
static int read_stream_end(struct loader *l)
{
	yaml_event_t ev;
	if (next_event(l, &ev) < 0)
		return -1;
	l->t->doc_end = ev.data.document_end.implicit ? l->len : byte_at(l, ev.start_mark.index);
	yaml_event_delete(&ev);
	if (next_event(l, &ev) < 0)
		return -1;
	int more = ev.type == YAML_DOCUMENT_START_EVENT;
	yaml_mark_t m = ev.start_mark;
	yaml_event_delete(&ev);
	if (more)
		return fail_at(l->e, m.line, m.column, l->err,
			       "a second YAML document: only files with one document can be edited");
	return 0;
}

static int read_document(struct loader *l)
{
	yaml_event_t ev;
	if (next_event(l, &ev) < 0)
		return -1;
	yaml_event_delete(&ev); /* the stream's start */
	if (next_event(l, &ev) < 0)
		return -1;
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_event_delete(&ev);
		return fail_at(l->e, 0, 0, l->err, "no YAML document in the file");
	}
	yaml_event_delete(&ev);
	if (next_event(l, &ev) < 0)
		return -1;
	l->t->root = read_node(l, &ev, 1);
	return l->t->root ? read_stream_end(l) : -1;
}

static const char *line_break(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	return nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* Parse text into a tree; NULL after an error. */
static struct yedit_tree *tree_load(struct yedit *e, const char *text, size_t len,
				    struct strbuf *err)
{
	struct loader l = { .e = e, .text = text, .len = len, .err = err };
	l.t = xcalloc(1, sizeof *l.t);
	size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	index_chars(&l, bom);
	l.t->eol = line_break(text, len);
	if (!yaml_parser_initialize(&l.p)) {
		fputs("cloudctl: out of memory\n", stderr);
		exit(71);
	}
	/* UTF-8 only: libyaml would take UTF-16 after a BOM, and our offsets would be wrong. */
	yaml_parser_set_encoding(&l.p, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&l.p, (const unsigned char *)text + bom, len - bom);
	int rc = read_document(&l);
	yaml_parser_delete(&l.p);
	if (rc < 0) {
		tree_free(l.t);
		return NULL;
	}
	return l.t;
}

/* The tree and the JSON document of text, into e (replacing what it had). */
static int load_into(struct yedit *e, const char *text, size_t len, struct strbuf *err)
{
	struct yedit_tree *t = tree_load(e, text, len, err);
	if (!t)
		return -1;
	json_t *docs = NULL;
	if (yaml_read(e->name, text, len, &docs, err) < 0) {
		tree_free(t);
		return -1;
	}
	tree_free(e->tree);
	json_decref(e->doc);
	e->tree = t;
	e->doc = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	return 0;
}

int yedit_load(struct yedit *e, const char *name, const char *text, size_t len,
	       struct strbuf *err)
{
	*e = (struct yedit){ .name = xstrdup(name), .text = STRBUF_INIT };
	if (load_into(e, text, len, err) == 0) {
		sb_add(&e->text, text, len);
		return 0;
	}
	yedit_release(e);
	return -1;
}

void yedit_release(struct yedit *e)
{
	free(e->name);
	sb_release(&e->text);
	json_decref(e->doc);
	tree_free(e->tree);
	*e = (struct yedit){ .text = STRBUF_INIT };
}

const char *yedit_text(const struct yedit *e, size_t *len)
{
	if (len)
		*len = e->text.len;
	return e->text.buf;
}

/* ---- writing values ---- */

/* A value we write: UTF-8 without control characters (no image reference or
 * tag has them, and then every quoting style can hold it). */
static int valid_value(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u == 0x7F)
			return 0;
	return utf8_valid(s, strlen(s));
}

/* s can be written plain and still read as this string: our emitter (which
 * quotes what any YAML 1.1 or 1.2 reader would take for a number, bool, null or
 * date) writes it plain, and our reader reads it back as the same string. */
static int plain_is_string(const char *s)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	json_t *v = json_string(s), *docs = NULL;
	yaml_emit(&sb, v);
	size_t n = strlen(s);
	int ok = sb.len == n + 1 && memcmp(sb.buf, s, n) == 0;
	if (ok) {
		sb_reset(&sb);
		sb_addf(&sb, "v: %s\n", s);
		ok = yaml_read("value", sb.buf, sb.len, &docs, &err) == 0 &&
		     json_equal(json_object_get(json_array_get(docs, 0), "v"), v);
	}
	json_decref(docs);
	json_decref(v);
	sb_release(&sb);
	sb_release(&err);
	return ok;
}

static void add_double_quoted(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}

/* s as a scalar in the given style; plain only where it stays a string. */
static void add_scalar(struct strbuf *sb, const char *s, yaml_scalar_style_t style)
{
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE) {
		sb_addc(sb, '\'');
		for (; *s; s++) {
			if (*s == '\'')
				sb_addc(sb, '\'');
			sb_addc(sb, *s);
		}
		sb_addc(sb, '\'');
	} else if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE || !plain_is_string(s)) {
		add_double_quoted(sb, s);
	} else {
		sb_adds(sb, s);
	}
}

static void pad(struct strbuf *sb, size_t n)
{
	while (n--)
		sb_addc(sb, ' ');
}

/* ---- splices ---- */

/* One edit: len bytes at `at` replaced by ins. */
struct splice {
	size_t at, len;
	struct strbuf ins;
};

/* Insert lines (each ending with the file's line break) after the line that
 * holds byte pos; at pos itself when it starts a line. At the end of a file
 * without a final line break, the break goes first and the last one is dropped,
 * so the file still ends the way it did. */
static void splice_lines(const struct yedit *e, size_t pos, struct strbuf *lines, struct splice *sp)
{
	const char *t = e->text.buf, *eol = e->tree->eol;
	if (pos > 0 && t[pos - 1] != '\n') {
		const char *nl = memchr(t + pos, '\n', e->text.len - pos);
		pos = nl ? (size_t)(nl - t) + 1 : e->text.len;
	}
	sp->at = pos;
	sp->len = 0;
	if (pos > 0 && t[pos - 1] != '\n') {
		sb_adds(&sp->ins, eol);
		lines->len -= strlen(eol);
		lines->buf[lines->len] = '\0';
	}
	sb_add(&sp->ins, lines->buf, lines->len);
}

/* ---- finding and checking nodes ---- */

/* The value of key in a mapping, or NULL. */
static struct ynode *map_get(const struct ynode *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kid[i];
		if (k->kind == Y_SCALAR && k->vlen == strlen(key) && strcmp(k->value, key) == 0)
			return map->kid[i + 1];
	}
	return NULL;
}

/* A node on the way to an edit must not be shared, typed or in flow style. */
static int check_touchable(struct yedit *e, const struct ynode *n, const char *what,
			   struct strbuf *err)
{
	if (n->kind == Y_ALIAS)
		return FAIL_NODE(e, n, err, "%s is an alias (*): cloudctl does not edit shared nodes", what);
	if (n->anchored)
		return FAIL_NODE(e, n, err, "%s has an anchor (&): cloudctl does not edit shared nodes", what);
	if (n->tagged)
		return FAIL_NODE(e, n, err, "%s has an explicit tag (!): cloudctl does not edit tagged nodes", what);
	if (n->flow)
		return FAIL_NODE(e, n, err,
				 "%s is in flow style (%s): cloudctl edits block style only, never rewrites flow style",
				 what, n->kind == Y_MAP ? "{...}" : "[...]");
	if (n->kind == Y_MAP && map_get(n, "<<"))
		return FAIL_NODE(e, n, err, "%s uses a merge key (<<): cloudctl does not edit merged mappings", what);
	return 0;
}

static int is_null_scalar(const struct ynode *n)
{
	static const char *const w[] = { "", "~", "null", "Null", "NULL" };
	if (n->kind != Y_SCALAR || n->style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (strcmp(n->value, w[i]) == 0)
			return 1;
	return 0;
}

/* The column of the "-" before a sequence item and the blanks after it; 0 if
 * the item does not follow a "-" on its own line. */
static int item_dash(const struct yedit *e, const struct ynode *item, size_t *dash, size_t *gap)
{
	size_t b = item->start, g = 0;
	while (b > 0 && e->text.buf[b - 1] == ' ')
		b--, g++;
	if (b == 0 || e->text.buf[b - 1] != '-' || g == 0 || item->col < g + 1)
		return 0;
	*dash = item->col - g - 1;
	*gap = g;
	return 1;
}

/* How block sequences under a key are indented in this file: the "-" relative
 * to the key, and the blanks after it; unindented "- " (kustomize's and most
 * tools' style) when no sequence says. */
static void seq_style(const struct yedit *e, size_t *rel, size_t *gap)
{
	const struct ynode *root = e->tree->root;
	*rel = 0;
	*gap = 1;
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct ynode *k = root->kid[i], *v = root->kid[i + 1];
		size_t dash;
		if (v->kind == Y_SEQ && !v->flow && v->n && item_dash(e, v->kid[0], &dash, gap)) {
			*rel = dash > k->col ? dash - k->col : 0;
			return;
		}
	}
}

/* ---- applying an edit ---- */

/* Apply sp, load the result, and keep it only if it reads as want. */
static int commit(struct yedit *e, struct splice *sp, json_t *want, const char *label,
		  const char *value, struct strbuf *err)
{
	struct strbuf t = STRBUF_INIT, lerr = STRBUF_INIT;
	sb_add(&t, e->text.buf, sp->at);
	sb_add(&t, sp->ins.buf, sp->ins.len);
	sb_add(&t, e->text.buf + sp->at + sp->len, e->text.len - sp->at - sp->len);
	struct yedit tmp = { .name = e->name, .text = STRBUF_INIT };
	int rc = load_into(&tmp, t.buf, t.len, &lerr);
	if (rc == 0 && !json_equal(tmp.doc, want))
		rc = -1;
	if (rc < 0) {
		sb_addf(err, "%s: cannot set %s to \"%s\" so that the file still reads the same otherwise%s%s",
			e->name, label, value, lerr.len ? ": " : "", lerr.buf);
	} else {
		tree_free(e->tree);
		json_decref(e->doc);
		e->tree = tmp.tree;
		e->doc = json_incref(tmp.doc);
		sb_release(&e->text);
		e->text = t;
		t = (struct strbuf)STRBUF_INIT;
		e->changed = 1;
	}
	json_decref(tmp.doc);
	if (rc < 0)
		tree_free(tmp.tree);
	sb_release(&t);
	sb_release(&lerr);
	return rc < 0 ? -1 : YEDIT_CHANGED;
}

/* The splice that sets key in a block mapping; YEDIT_UNCHANGED when its scalar
 * already reads as value. label names the key in messages. */
static int plan_set(struct yedit *e, const struct ynode *map, const char *key, const char *value,
		    const char *label, char **old, struct splice *sp, struct strbuf *err)
{
	const struct ynode *v = map_get(map, key);
	if (!v) {
		struct strbuf line = STRBUF_INIT;
		pad(&line, map->n ? map->kid[0]->col : map->col);
		add_scalar(&line, key, YAML_PLAIN_SCALAR_STYLE);
		sb_adds(&line, ": ");
		add_scalar(&line, value, YAML_PLAIN_SCALAR_STYLE);
		sb_adds(&line, e->tree->eol);
		splice_lines(e, map->last, &line, sp);
		sb_release(&line);
		return YEDIT_CHANGED;
	}
	if (check_touchable(e, v, label, err) < 0)
		return -1;
	if (v->kind != Y_SCALAR)
		return FAIL_NODE(e, v, err, "%s is a %s, not a scalar", label,
				 v->kind == Y_MAP ? "mapping" : "sequence");
	if (v->style == YAML_LITERAL_SCALAR_STYLE || v->style == YAML_FOLDED_SCALAR_STYLE)
		return FAIL_NODE(e, v, err, "%s is a block scalar (| or >): cloudctl does not rewrite it", label);
	int null = is_null_scalar(v);
	if (old)
		*old = null ? NULL : xstrdup(v->value);
	if (!null && v->vlen == strlen(value) && strcmp(v->value, value) == 0 &&
	    (v->style != YAML_PLAIN_SCALAR_STYLE || plain_is_string(value)))
		return YEDIT_UNCHANGED;
	sp->at = v->start;
	sp->len = v->end - v->start;
	/* "key:" with nothing after the colon: the empty scalar sits right after it. */
	if (v->vlen == 0 && sp->len == 0 && v->start > 0 && e->text.buf[v->start - 1] == ':')
		sb_addc(&sp->ins, ' ');
	add_scalar(&sp->ins, value, v->style);
	return YEDIT_CHANGED;
}

static int check_value(struct yedit *e, const char *label, const char *value, struct strbuf *err)
{
	if (valid_value(value))
		return 0;
	sb_addf(err, "%s: %s: the value is not UTF-8 text without control characters", e->name, label);
	return -1;
}

/* The root as a block mapping to edit. */
static const struct ynode *root_map(struct yedit *e, struct strbuf *err)
{
	const struct ynode *r = e->tree->root;
	if (r->kind != Y_MAP) {
		if (is_null_scalar(r))
			FAIL_NODE(e, r, err, "the document is empty");
		else
			FAIL_NODE(e, r, err, "the document is not a mapping");
		return NULL;
	}
	return check_touchable(e, r, "the document", err) < 0 ? NULL : r;
}

/* ---- items of a list, by name ---- */

/* Where an item edit goes: the top-level block sequence `list` whose items are
 * mappings told apart by the scalar at `key`; the item whose key reads `name`. */
struct item {
	const char *list, *key, *name;
};

static const char *item_name(const struct ynode *entry, const char *key)
{
	const struct ynode *n = entry->kind == Y_MAP ? map_get(entry, key) : NULL;
	return n && n->kind == Y_SCALAR ? n->value : NULL;
}

/* The item of seq named it->name, or NULL; -1 for an item that is not a
 * mapping, or two with that name. */
static int find_item(struct yedit *e, const struct ynode *seq, const struct item *it,
		     const struct ynode **found, struct strbuf *err)
{
	*found = NULL;
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *n = seq->kid[i];
		if (n->kind == Y_ALIAS)
			return FAIL_NODE(e, n, err, "%s[%zu] is an alias (*): cloudctl does not edit shared nodes",
					 it->list, i);
		if (n->kind != Y_MAP)
			return FAIL_NODE(e, n, err, "%s[%zu] is not a mapping", it->list, i);
		const char *name = item_name(n, it->key);
		if (!name || strcmp(name, it->name) != 0)
			continue;
		if (*found)
			return FAIL_NODE(e, n, err, "duplicate %s entries for %s (lines %zu and %zu)", it->list,
					 it->name, (*found)->line + 1, n->line + 1);
		*found = n;
	}
	return 0;
}

/* Lines of a new item: "- KEY: NAME" and "  FIELD: VALUE", "-" at column dash. */
static void item_lines(struct strbuf *sb, const struct yedit *e, size_t dash, size_t gap,
		       const struct item *it, const char *field, const char *value)
{
	pad(sb, dash);
	sb_addc(sb, '-');
	pad(sb, gap);
	sb_adds(sb, it->key);
	sb_adds(sb, ": ");
	add_scalar(sb, it->name, YAML_PLAIN_SCALAR_STYLE);
	sb_adds(sb, e->tree->eol);
	pad(sb, dash + 1 + gap);
	sb_adds(sb, field);
	sb_adds(sb, ": ");
	add_scalar(sb, value, YAML_PLAIN_SCALAR_STYLE);
	sb_adds(sb, e->tree->eol);
}

/* A new item after the last one, in the style of the first. */
static void plan_append(struct yedit *e, const struct ynode *seq, const struct item *it,
			const char *field, const char *value, struct splice *sp)
{
	size_t dash, gap;
	if (!item_dash(e, seq->kid[0], &dash, &gap)) {
		dash = seq->kid[0]->col >= 2 ? seq->kid[0]->col - 2 : 0;
		gap = 1;
	}
	struct strbuf lines = STRBUF_INIT;
	item_lines(&lines, e, dash, gap, it, field, value);
	splice_lines(e, seq->last, &lines, sp);
	sb_release(&lines);
}

/* "LIST:" with its first item at the end of the document; or, when the list
 * is null ("LIST:" or "LIST: ~"), the item under that line and the null
 * scalar's own bytes gone. */
static void plan_create(struct yedit *e, const struct ynode *root, const struct ynode *list,
			const struct item *it, const char *field, const char *value, struct splice *sp)
{
	size_t rel, gap, col = root->n ? root->kid[0]->col : 0;
	seq_style(e, &rel, &gap);
	struct strbuf lines = STRBUF_INIT;
	if (!list) {
		pad(&lines, col);
		sb_adds(&lines, it->list);
		sb_addc(&lines, ':');
		sb_adds(&lines, e->tree->eol);
	}
	item_lines(&lines, e, col + rel, gap, it, field, value);
	splice_lines(e, list ? list->end : e->tree->doc_end, &lines, sp);
	sb_release(&lines);
	if (list && list->end > list->start) {
		/* One splice from the null to the lines: what follows the null stays. */
		struct strbuf ins = STRBUF_INIT;
		sb_add(&ins, e->text.buf + list->end, sp->at - list->end);
		sb_add(&ins, sp->ins.buf, sp->ins.len);
		sb_release(&sp->ins);
		sp->ins = ins;
		sp->len = sp->at - list->start;
		sp->at = list->start;
	}
}

/* The document with list[key=name].field = value, as the edit must leave it. */
static json_t *want_item(const struct yedit *e, const struct item *it, const char *field,
			 const char *value)
{
	json_t *doc = json_deep_copy(e->doc), *list = json_object_get(doc, it->list), *entry = NULL;
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(doc, it->list, list);
	}
	for (size_t i = 0; i < json_array_size(list) && !entry; i++)
		if (str_eq(json_string_value(json_object_get(json_array_get(list, i), it->key)), it->name))
			entry = json_array_get(list, i);
	if (!entry) {
		entry = json_pack("{ss}", it->key, it->name);
		json_array_append_new(list, entry);
	}
	json_object_set_new(entry, field, json_string(value));
	return doc;
}

static int plan_item(struct yedit *e, const struct item *it, const char *field, const char *value,
		     const char *label, char **old, struct splice *sp, struct strbuf *err)
{
	const struct ynode *root = root_map(e, err), *list, *entry;
	if (!root)
		return -1;
	list = map_get(root, it->list);
	if (list && check_touchable(e, list, it->list, err) < 0)
		return -1;
	if (!list || is_null_scalar(list)) {
		plan_create(e, root, list, it, field, value, sp);
		return YEDIT_CHANGED;
	}
	if (list->kind != Y_SEQ)
		return FAIL_NODE(e, list, err, "%s is not a sequence", it->list);
	if (find_item(e, list, it, &entry, err) < 0)
		return -1;
	if (!entry) {
		plan_append(e, list, it, field, value, sp);
		return YEDIT_CHANGED;
	}
	char *what = xasprintf("the %s entry for %s", it->list, it->name);
	int rc = check_touchable(e, entry, what, err);
	free(what);
	return rc < 0 ? -1 : plan_set(e, entry, field, value, label, old, sp, err);
}

int yedit_set_item(struct yedit *e, const char *list, const char *key, const char *name,
		   const char *field, const char *value, char **old, struct strbuf *err)
{
	if (old)
		*old = NULL;
	const struct item it = { list, key, name };
	char *label = xasprintf("%s[%s=%s].%s", list, key, name, field);
	struct splice sp = { .ins = STRBUF_INIT };
	int rc = check_value(e, label, name, err) < 0 || check_value(e, label, value, err) < 0
			 ? -1 : plan_item(e, &it, field, value, label, old, &sp, err);
	if (rc == YEDIT_CHANGED) {
		json_t *want = want_item(e, &it, field, value);
		rc = commit(e, &sp, want, label, value, err);
		json_decref(want);
	}
	if (rc < 0 && old) {
		free(*old);
		*old = NULL;
	}
	sb_release(&sp.ins);
	free(label);
	return rc;
}

/* ---- key paths ---- */

/* The block mapping that holds the last key of path (split into keys). */
static const struct ynode *walk_path(struct yedit *e, struct strlist *keys, struct strbuf *label,
				     struct strbuf *err)
{
	const struct ynode *map = root_map(e, err);
	for (size_t i = 0; map && i + 1 < keys->n; i++) {
		const struct ynode *v = map_get(map, keys->v[i]);
		sb_addf(label, "%s%s", i ? "." : "", keys->v[i]);
		if (!v) {
			FAIL_NODE(e, map->n ? map->kid[0] : map, err,
				  "%s: no such key (keys on the way are not created)", label->buf);
			return NULL;
		}
		if (check_touchable(e, v, label->buf, err) < 0)
			return NULL;
		if (v->kind != Y_MAP) {
			FAIL_NODE(e, v, err, "%s is not a mapping", label->buf);
			return NULL;
		}
		map = v;
	}
	sb_addf(label, "%s%s", keys->n > 1 ? "." : "", keys->v[keys->n - 1]);
	return map;
}

static int split_path(const char *path, struct strlist *keys)
{
	const char *p = path;
	for (;;) {
		size_t n = strcspn(p, ".");
		if (!n)
			return -1;
		char *k = xstrndup(p, n);
		strlist_add(keys, k);
		free(k);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The document with the value at keys set, as the edit must leave it. */
static json_t *want_path(const struct yedit *e, const struct strlist *keys, const char *value)
{
	json_t *doc = json_deep_copy(e->doc), *o = doc;
	for (size_t i = 0; o && i + 1 < keys->n; i++)
		o = json_object_get(o, keys->v[i]);
	if (json_is_object(o))
		json_object_set_new(o, keys->v[keys->n - 1], json_string(value));
	return doc;
}

int yedit_set_path(struct yedit *e, const char *path, const char *value, char **old,
		   struct strbuf *err)
{
	if (old)
		*old = NULL;
	struct strlist keys = STRLIST_INIT;
	struct strbuf label = STRBUF_INIT;
	struct splice sp = { .ins = STRBUF_INIT };
	int rc = -1;
	const struct ynode *map = NULL;
	if (split_path(path, &keys) < 0 || !valid_value(path))
		sb_addf(err, "%s: key path \"%s\": keys separated by single dots", e->name, path);
	else if (check_value(e, path, value, err) == 0)
		map = walk_path(e, &keys, &label, err);
	if (map)
		rc = plan_set(e, map, keys.v[keys.n - 1], value, label.buf, old, &sp, err);
	if (rc == YEDIT_CHANGED) {
		json_t *want = want_path(e, &keys, value);
		rc = commit(e, &sp, want, label.buf, value, err);
		json_decref(want);
	}
	if (rc < 0 && old) {
		free(*old);
		*old = NULL;
	}
	sb_release(&sp.ins);
	sb_release(&label);
	strlist_clear(&keys);
	return rc;
}
