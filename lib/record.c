/* record.c: see record.h. The wire format is specified in man/cloudctl.7; this
 * file is the only reader and writer of it, so every tool agrees on it. */
#define _POSIX_C_SOURCE 200809L
#include "record.h"
#include "log.h"
#include "utf8.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Errors show at most this many characters of the offending text, so that a
 * 1 MiB garbage key still gives a one-line message. */
#define SHOWN_MAX 40

static const char utf8_replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* ---- UTF-8 ---- */

/* Code points in a well-formed string: table widths count these, not bytes. */
static size_t utf8_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* ---- encoding values ---- */

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Which bytes an encoding escapes. Every mode replaces ill-formed UTF-8 with
 * U+FFFD, so what we write is always text the reader accepts. */
enum esc_mode {
	ESC_NONE,  /* json: jansson escapes, we only repair UTF-8 */
	ESC_KV,    /* inside kv quotes: " \ and control characters */
	ESC_SHOW,  /* table cells and error messages: control characters only */
	ESC_TSV,   /* tsv cells: tab, newline, CR and backslash */
	ESC_CSV,   /* inside csv quotes: only the quote, doubled */
	/* md cells: like ESC_SHOW, but a newline is <br> and '|' is escaped. So is
	 * '\': GFM reads a backslash before punctuation as an escape, so a value's
	 * \| or \* would lose it (and some renderers end the cell at \\|). */
	ESC_MD,
};

/* The escape for byte c in mode, written to buf; NULL when c is written as is. */
static const char *escape_for(unsigned char c, enum esc_mode mode, char buf[5])
{
	const char *e = NULL;
	switch (c) {
	case '\n': e = mode == ESC_MD ? "<br>" : "\\n"; break;
	case '\t': e = "\\t"; break;
	case '\r': e = "\\r"; break;
	case '"': return mode == ESC_KV ? "\\\"" : mode == ESC_CSV ? "\"\"" : NULL;
	case '\\':
		return mode == ESC_KV || mode == ESC_TSV || mode == ESC_MD ? "\\\\" : NULL;
	case '|': return mode == ESC_MD ? "\\|" : NULL;
	}
	if (mode == ESC_NONE || mode == ESC_CSV)
		return NULL;
	if (e)
		return e;
	if (mode == ESC_TSV || !is_ctl(c))
		return NULL;
	snprintf(buf, 5, "\\x%02x", c);
	return buf;
}

static void encode(struct strbuf *sb, const char *s, size_t n, enum esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	char buf[5];
	while (i < n) {
		size_t k = utf8_decode(p + i, n - i, NULL);
		const char *e = k == 1 ? escape_for(p[i], mode, buf) : NULL;
		if (!k) {
			sb_adds(sb, utf8_replacement);
			k = 1;
		} else if (e) {
			sb_adds(sb, e);
		} else {
			sb_add(sb, p + i, k);
		}
		i += k;
	}
}

static int needs_quotes(const char *val)
{
	if (!*val)
		return 1;
	for (const unsigned char *p = (const unsigned char *)val; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '\\' || is_ctl(*p))
			return 1;
	return 0;
}

void rec_quote_value(struct strbuf *sb, const char *val)
{
	int quote = needs_quotes(val);
	if (quote)
		sb_addc(sb, '"');
	encode(sb, val, strlen(val), quote ? ESC_KV : ESC_NONE);
	if (quote)
		sb_addc(sb, '"');
}

/* Append text from the input for an error message: one line, bounded length. */
static void add_shown(struct strbuf *sb, const char *s, size_t n)
{
	size_t end = 0, chars = 0;
	while (end < n && chars < SHOWN_MAX) {
		size_t k = utf8_decode((const unsigned char *)s + end, n - end, NULL);
		end += k ? k : 1;
		chars++;
	}
	encode(sb, s, end, ESC_SHOW);
	if (end < n)
		sb_adds(sb, "...");
}

/* ---- records ---- */

static int key_valid_n(const char *k, size_t n)
{
	if (n == 0 || k[0] < 'a' || k[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

int rec_key_valid(const char *key)
{
	return key && key_valid_n(key, strlen(key));
}

/* Linear: records are short. The first byte is compared inline because the
 * report's readers look up some twenty keys in every record. */
static long rec_find(const struct record *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].key[0] == key[0] && strcmp(r->f[i].key, key) == 0)
			return (long)i;
	return -1;
}

const char *rec_get(const struct record *r, const char *key)
{
	long i = rec_find(r, key);
	return i < 0 ? NULL : r->f[i].val;
}

/* Append a field, taking ownership of key and val. */
static void rec_append(struct record *r, char *key, char *val)
{
	r->f = xgrow(r->f, &r->cap, r->n + 1, sizeof *r->f);
	r->f[r->n].key = key;
	r->f[r->n].val = val;
	r->n++;
}

void rec_set(struct record *r, const char *key, const char *val)
{
	if (!val) {
		rec_del(r, key);
		return;
	}
	long i = rec_find(r, key);
	/* Copy before freeing: val may be the current value of the key. */
	char *copy = xstrdup(val);
	if (i < 0) {
		rec_append(r, xstrdup(key), copy);
		return;
	}
	free(r->f[i].val);
	r->f[i].val = copy;
}

void rec_setf(struct record *r, const char *key, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	rec_set(r, key, sb.buf);
	sb_release(&sb);
}

void rec_del(struct record *r, const char *key)
{
	long i = rec_find(r, key);
	if (i < 0)
		return;
	free(r->f[i].key);
	free(r->f[i].val);
	memmove(&r->f[i], &r->f[i + 1], (r->n - (size_t)i - 1) * sizeof *r->f);
	r->n--;
}

void rec_copy(struct record *dst, const struct record *src)
{
	rec_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		rec_append(dst, xstrdup(src->f[i].key), xstrdup(src->f[i].val));
	dst->line = src->line;
}

void rec_clear(struct record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->f[i].key);
		free(r->f[i].val);
	}
	free(r->f);
	*r = (struct record)RECORD_INIT;
}

struct record *recset_add(struct recset *s)
{
	s->r = xgrow(s->r, &s->cap, s->n + 1, sizeof *s->r);
	s->r[s->n] = (struct record)RECORD_INIT;
	return &s->r[s->n++];
}

/* Drop the records from index keep on. */
static void recset_truncate(struct recset *s, size_t keep)
{
	while (s->n > keep)
		rec_clear(&s->r[--s->n]);
}

void recset_clear(struct recset *s)
{
	recset_truncate(s, 0);
	free(s->r);
	*s = (struct recset)RECSET_INIT;
}

/* ---- parsing: common ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int set_error(struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_error(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;
	sb_reset(err);
	va_start(ap, fmt);
	sb_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

static int key_error(struct strbuf *err, const char *key, size_t n)
{
	sb_reset(err);
	sb_adds(err, "invalid key '");
	add_shown(err, key, n);
	sb_adds(err, "' (keys are [a-z][a-z0-9_.]*)");
	return -1;
}

static size_t strip_eol(const char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	return len;
}

/* What every line must satisfy before it is looked at, comments included. */
static int check_line(const char *line, size_t len, struct strbuf *err)
{
	if (len > REC_LINE_MAX)
		return set_error(err, "line longer than %d MiB", REC_LINE_MAX >> 20);
	if (memchr(line, '\0', len))
		return set_error(err, "NUL byte in line");
	size_t bad = utf8_invalid_at(line, len);
	if (bad < len)
		return set_error(err, "invalid UTF-8 at byte %zu", bad + 1);
	return 0;
}

struct key_pos {
	const char *key;
	size_t pos;
};

static int key_pos_cmp(const void *a, const void *b)
{
	const struct key_pos *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sorting makes this O(n log n): a 64 MiB line can hold millions of fields. Of
 * several duplicates, the one repeated earliest in the line is reported. */
static int check_duplicates(const struct record *r, struct strbuf *err)
{
	if (r->n < 2)
		return 0;
	struct key_pos *kp = xmalloc(r->n * sizeof *kp);
	for (size_t i = 0; i < r->n; i++)
		kp[i] = (struct key_pos){ r->f[i].key, i };
	qsort(kp, r->n, sizeof *kp, key_pos_cmp);
	size_t dup = SIZE_MAX;
	for (size_t i = 1; i < r->n; i++)
		if (strcmp(kp[i - 1].key, kp[i].key) == 0 && kp[i].pos < dup)
			dup = kp[i].pos;
	free(kp);
	if (dup == SIZE_MAX)
		return 0;
	sb_reset(err);
	sb_adds(err, "duplicate key '");
	add_shown(err, r->f[dup].key, strlen(r->f[dup].key));
	sb_addc(err, '\'');
	return -1;
}

/* ---- parsing: kv ---- */

struct kv_parser {
	const char *s;
	size_t len, i;
	const char *key; /* the field being read, for messages */
	size_t keylen;
	struct strbuf *err;
};

/* "<what> for key 'k' at column N"; col 0 leaves out the column. */
static int value_error(struct kv_parser *p, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int value_error(struct kv_parser *p, size_t col, const char *fmt, ...)
{
	va_list ap;
	sb_reset(p->err);
	va_start(ap, fmt);
	sb_vaddf(p->err, fmt, ap);
	va_end(ap);
	sb_adds(p->err, " for key '");
	add_shown(p->err, p->key, p->keylen);
	sb_addc(p->err, '\'');
	if (col)
		sb_addf(p->err, " at column %zu", col);
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Error for the escape starting at the backslash at index at, n bytes long. */
static int escape_error(struct kv_parser *p, size_t at, size_t n, const char *what)
{
	struct strbuf shown = STRBUF_INIT;
	if (n > p->len - at)
		n = p->len - at;
	add_shown(&shown, p->s + at, n);
	value_error(p, at + 1, "%s '%s' in value", what, shown.buf);
	sb_release(&shown);
	return -1;
}

/* \xHH stands for one ASCII byte: 00 would end the C string and bytes
 * from 80 up would not be UTF-8, so those are rejected. */
static int read_hex_escape(struct kv_parser *p, struct strbuf *val)
{
	size_t at = p->i; /* the backslash */
	int hi = at + 2 < p->len ? hex_digit(p->s[at + 2]) : -1;
	int lo = at + 3 < p->len ? hex_digit(p->s[at + 3]) : -1;
	int c = hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
	if (c < 1 || c > 0x7f)
		return escape_error(p, at, 4, "invalid escape");
	sb_addc(val, (char)c);
	p->i += 4;
	return 0;
}

static int read_escape(struct kv_parser *p, struct strbuf *val)
{
	char c = p->s[p->i + 1];
	const char *from = "\"\\ntr", *to = "\"\\\n\t\r";
	const char *hit = c ? strchr(from, c) : NULL;
	if (c == 'x')
		return read_hex_escape(p, val);
	if (!hit) {
		const unsigned char *after = (const unsigned char *)p->s + p->i + 1;
		size_t k = utf8_decode(after, p->len - p->i - 1, NULL);
		return escape_error(p, p->i, 1 + (k ? k : 1), "unknown escape");
	}
	sb_addc(val, to[hit - from]);
	p->i += 2;
	return 0;
}

static int control_error(struct kv_parser *p)
{
	return value_error(p, p->i + 1, "control character 0x%02x in value",
			   (unsigned char)p->s[p->i]);
}

static int read_quoted(struct kv_parser *p, struct strbuf *val)
{
	p->i++; /* the opening quote */
	for (;;) {
		size_t start = p->i;
		while (p->i < p->len && p->s[p->i] != '"' && p->s[p->i] != '\\' &&
		       !is_ctl((unsigned char)p->s[p->i]))
			p->i++;
		sb_add(val, p->s + start, p->i - start);
		if (p->i == p->len || (p->s[p->i] == '\\' && p->i + 1 == p->len))
			return value_error(p, 0, "unterminated quoted value");
		if (p->s[p->i] == '"')
			break;
		if (p->s[p->i] != '\\')
			return control_error(p);
		if (read_escape(p, val) < 0)
			return -1;
	}
	p->i++; /* the closing quote */
	if (p->i < p->len && !is_blank(p->s[p->i]))
		return value_error(p, p->i + 1, "text after closing quote");
	return 0;
}

/* A bare value never holds what the writer would have quoted: a stray quote or
 * backslash is more likely a mistake than data. */
static int read_bare(struct kv_parser *p, struct strbuf *val)
{
	size_t start = p->i;
	for (; p->i < p->len && !is_blank(p->s[p->i]); p->i++) {
		unsigned char c = (unsigned char)p->s[p->i];
		if (c == '"' || c == '\\')
			return value_error(p, p->i + 1, "unexpected '%c' in unquoted value", c);
		if (is_ctl(c))
			return control_error(p);
	}
	sb_add(val, p->s + start, p->i - start);
	return 0;
}

static int read_key(struct kv_parser *p)
{
	size_t start = p->i;
	while (p->i < p->len && p->s[p->i] != '=' && !is_blank(p->s[p->i]))
		p->i++;
	p->key = p->s + start;
	p->keylen = p->i - start;
	if (p->i == p->len || p->s[p->i] != '=') {
		sb_reset(p->err);
		sb_adds(p->err, "missing '=' in field '");
		add_shown(p->err, p->key, p->keylen);
		sb_addf(p->err, "' at column %zu", start + 1);
		return -1;
	}
	if (!key_valid_n(p->key, p->keylen))
		return key_error(p->err, p->key, p->keylen);
	p->i++; /* the '=' */
	return 0;
}

static int read_field(struct kv_parser *p, struct record *r)
{
	struct strbuf val = STRBUF_INIT;
	if (read_key(p) < 0)
		return -1;
	int rc = p->i < p->len && p->s[p->i] == '"' ? read_quoted(p, &val) : read_bare(p, &val);
	if (rc < 0) {
		sb_release(&val);
		return -1;
	}
	rec_append(r, xstrndup(p->key, p->keylen), sb_detach(&val));
	return 0;
}

static int parse_kv(const char *s, size_t len, struct record *r, struct strbuf *err)
{
	struct kv_parser p = { s, len, 0, NULL, 0, err };
	for (;;) {
		while (p.i < len && is_blank(s[p.i]))
			p.i++;
		if (p.i == len)
			return 0;
		if (read_field(&p, r) < 0)
			return -1;
	}
}

/* ---- parsing: JSON Lines ---- */

/* The shortest "%.Ng" that reads back as the same double, so 0.1 stays "0.1".
 * A real keeps a '.' or exponent, as jansson writes it, so it stays a real.
 * This assumes the "C" LC_NUMERIC, which no tool changes. */
static void add_real(struct strbuf *sb, double d)
{
	char buf[32];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	sb_adds(sb, buf);
	if (!strpbrk(buf, ".eE"))
		sb_adds(sb, ".0");
}

/* The text of a string, number or boolean; -1 for anything else. */
static int scalar_text(const json_t *v, struct strbuf *sb)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		sb_add(sb, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		sb_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	case JSON_REAL:
		add_real(sb, json_real_value(v));
		return 0;
	case JSON_TRUE:
		sb_adds(sb, "true");
		return 0;
	case JSON_FALSE:
		sb_adds(sb, "false");
		return 0;
	default:
		return -1;
	}
}

/* Arrays of scalars are comma-joined; null elements are absent, like null values. */
static int join_array(const json_t *arr, const char *key, struct strbuf *sb,
		      struct strbuf *err)
{
	size_t i;
	json_t *v;
	int first = 1;
	json_array_foreach(arr, i, v) {
		if (json_is_null(v))
			continue;
		if (json_is_object(v) || json_is_array(v)) {
			sb_reset(err);
			sb_adds(err, "array for key '");
			add_shown(err, key, strlen(key));
			sb_adds(err, "' holds an object or array (only scalars can be joined)");
			return -1;
		}
		if (!first)
			sb_addc(sb, ',');
		first = 0;
		scalar_text(v, sb);
	}
	return 0;
}

static int flatten(const json_t *obj, struct strbuf *key, struct record *r,
		   struct strbuf *err);

/* One member; key holds its flattened name. */
static int add_member(const json_t *v, struct strbuf *key, struct record *r,
		      struct strbuf *err)
{
	if (json_is_object(v))
		return flatten(v, key, r, err);
	if (json_is_null(v))
		return 0;
	if (!key_valid_n(key->buf, key->len))
		return key_error(err, key->buf, key->len);
	struct strbuf val = STRBUF_INIT;
	int rc = json_is_array(v) ? join_array(v, key->buf, &val, err) : scalar_text(v, &val);
	if (rc < 0) {
		sb_release(&val);
		return -1;
	}
	rec_append(r, xstrdup(key->buf), sb_detach(&val));
	return 0;
}

/* Nested objects become dotted keys: {"tag":{"role":"w"}} is tag.role=w. */
static int flatten(const json_t *obj, struct strbuf *key, struct record *r,
		   struct strbuf *err)
{
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)obj, name, v) {
		size_t mark = key->len;
		if (mark)
			sb_addc(key, '.');
		sb_adds(key, name);
		int rc = add_member(v, key, r, err);
		key->len = mark;
		key->buf[mark] = '\0';
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* jansson's text quotes the input, which may hold control characters; the
 * column is a byte offset like the kv ones (je->column counts characters). */
static int json_error(const json_error_t *je, struct strbuf *err)
{
	sb_reset(err);
	sb_adds(err, "invalid JSON: ");
	encode(err, je->text, strlen(je->text), ESC_SHOW);
	sb_addf(err, " at column %d", je->position);
	return -1;
}

/* Integers longer than this many digits are quoted before jansson reads the
 * line: it cannot hold them, and a value is text to the record layer. */
#define JSON_DIGITS_MAX 18

/* The digits at the start of s[0..len): the line is not NUL-terminated. */
static size_t digits_in(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* Copy the JSON text s to out with every integer of more than JSON_DIGITS_MAX
 * digits put in double quotes, so that it reads as the same digits, as it
 * does in kv. Returns 1 when something was quoted. */
static int quote_big_integers(const char *s, size_t len, struct strbuf *out)
{
	int in_string = 0, changed = 0;
	for (size_t i = 0; i < len;) {
		char c = s[i];
		if (in_string || c == '"') {
			if (in_string && c == '\\' && i + 1 < len) {
				sb_add(out, s + i, 2);
				i += 2;
				continue;
			}
			in_string = c == '"' ? !in_string : in_string;
			sb_addc(out, c);
			i++;
			continue;
		}
		size_t n = c == '-' || (c >= '0' && c <= '9') ? digits_in(s + i + (c == '-'), len - i - (c == '-')) : 0;
		size_t tok = n + (c == '-');
		int integer = n && !(i + tok < len && strchr(".eE", s[i + tok]));
		if (integer && n > JSON_DIGITS_MAX) {
			sb_addc(out, '"');
			sb_add(out, s + i, tok);
			sb_addc(out, '"');
			changed = 1;
		} else {
			sb_add(out, s + i, tok ? tok : 1);
		}
		i += tok ? tok : 1;
	}
	return changed;
}

static int parse_json(const char *s, size_t len, struct record *r, struct strbuf *err)
{
	json_error_t je;
	struct strbuf quoted = STRBUF_INIT;
	if (quote_big_integers(s, len, &quoted)) {
		s = quoted.buf;
		len = quoted.len;
	}
	/* Duplicate keys are an error in kv, so they are in JSON too. */
	json_t *root = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
	sb_release(&quoted);
	if (!root)
		return json_error(&je, err);
	struct strbuf key = STRBUF_INIT;
	int rc = json_is_object(root) ? flatten(root, &key, r, err)
				      : set_error(err, "JSON line is not an object");
	sb_release(&key);
	json_decref(root);
	return rc;
}

/* line has passed check_line. */
static int parse_checked(const char *line, size_t len, struct record *r, struct strbuf *err)
{
	size_t i = 0;
	while (i < len && is_blank(line[i]))
		i++;
	int rc = i < len && line[i] == '{' ? parse_json(line, len, r, err)
					   : parse_kv(line, len, r, err);
	if (rc == 0)
		rc = check_duplicates(r, err);
	if (rc < 0) {
		long keep = r->line;
		rec_clear(r);
		r->line = keep;
	}
	return rc;
}

int rec_parse_line(const char *line, size_t len, struct record *r, struct strbuf *err)
{
	long keep = r->line;
	rec_clear(r);
	r->line = keep;
	len = strip_eol(line, len);
	if (check_line(line, len, err) < 0)
		return -1;
	return parse_checked(line, len, r, err);
}

static int skipped_line(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && is_blank(line[i]))
		i++;
	return i == len || line[i] == '#';
}

/* ---- reading ---- */

struct rec_reader {
	FILE *f;
	char *name;
	char *buf; /* getline's, reused: it grows to the longest line seen */
	size_t cap;
	long line;
	int state;          /* 1 while reading; then 0 or -1, which every call returns */
	int hinted;         /* the terminal hint was given */
	struct strbuf why;  /* the reason a line is malformed */
	struct strbuf msg;  /* the error, "NAME:LINE: why", given again by later calls */
};

struct rec_reader *rec_reader_new(FILE *f, const char *name)
{
	struct rec_reader *rd = xcalloc(1, sizeof *rd);
	rd->f = f;
	rd->name = xstrdup(name ? name : "<stdin>");
	rd->state = 1;
	rd->why = (struct strbuf)STRBUF_INIT;
	rd->msg = (struct strbuf)STRBUF_INIT;
	return rd;
}

long rec_reader_line(const struct rec_reader *rd)
{
	return rd->line;
}

void rec_reader_free(struct rec_reader *rd)
{
	if (!rd)
		return;
	free(rd->name);
	free(rd->buf);
	sb_release(&rd->why);
	sb_release(&rd->msg);
	free(rd);
}

/* One line as getline gave it: 1 when it held a record (now in r), 0 when it is
 * skipped, -1 (reason in rd->why) when it is malformed. */
static int reader_line(struct rec_reader *rd, const char *line, size_t len, struct record *r)
{
	len = strip_eol(line, len);
	if (check_line(line, len, &rd->why) < 0)
		return -1;
	if (skipped_line(line, len))
		return 0;
	r->line = rd->line;
	return parse_checked(line, len, r, &rd->why) < 0 ? -1 : 1;
}

/* getline found no line: the end, or (-1, in rd->msg) a read error. */
static int reader_end(struct rec_reader *rd, int saved_errno)
{
	/* !feof: getline also stops on ENOMEM, which is not the end. */
	if (!ferror(rd->f) && feof(rd->f))
		return 0;
	return set_error(&rd->msg, "%s: read error: %s", rd->name,
			 strerror(saved_errno ? saved_errno : EIO));
}

/* A tool waiting for records on a terminal looks hung: say what it waits for. */
static void terminal_hint(struct rec_reader *rd)
{
	rd->hinted = 1;
	if (rd->state == 1 && isatty(fileno(rd->f)))
		fprintf(stderr, "%s: reading records from the terminal (%s): pipe them in or name a file; "
			"or type them, one a line, and end with Ctrl-D\n", progname, rd->name);
}

int rec_reader_next(struct rec_reader *rd, struct record *r, struct strbuf *err)
{
	rec_clear(r);
	if (!rd->hinted)
		terminal_hint(rd);
	while (rd->state == 1) {
		/* The cap is checked after getline: lines are bounded by memory first. */
		errno = 0;
		ssize_t got = getline(&rd->buf, &rd->cap, rd->f);
		if (got < 0) {
			rd->state = reader_end(rd, errno);
			break;
		}
		rd->line++;
		int rc = reader_line(rd, rd->buf, (size_t)got, r);
		if (rc > 0)
			return 1;
		if (rc < 0)
			rd->state = set_error(&rd->msg, "%s:%ld: %s", rd->name, rd->line,
					      rd->why.buf);
	}
	if (rd->state < 0) {
		sb_reset(err);
		sb_add(err, rd->msg.buf, rd->msg.len);
	}
	return rd->state;
}

int rec_read_all(FILE *f, const char *name, struct recset *out, struct strbuf *err)
{
	struct rec_reader *rd = rec_reader_new(f, name);
	size_t first = out->n;
	int rc;
	do
		rc = rec_reader_next(rd, recset_add(out), err);
	while (rc > 0);
	/* The last record added is empty; on error, all this call added goes. */
	recset_truncate(out, rc < 0 ? first : out->n - 1);
	rec_reader_free(rd);
	return rc;
}

/* ---- formats ---- */

static const char *const format_names[] = {
	[FMT_KV] = "kv", [FMT_TABLE] = "table", [FMT_JSON] = "json", [FMT_TSV] = "tsv",
	[FMT_CSV] = "csv", [FMT_MD] = "md",
};

int rec_format_parse(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(format_names); i++)
		if (format_names[i] && strcmp(name, format_names[i]) == 0)
			return (int)i;
	return -1;
}

int rec_format_pick(int explicit_fmt, FILE *out, struct strbuf *err)
{
	if (explicit_fmt != FMT_AUTO)
		return explicit_fmt;
	const char *env = getenv("CLOUDCTL_OUTPUT");
	int tty = isatty(fileno(out));
	if (env && *env) {
		int fmt = rec_format_parse(env);
		if (fmt < 0) {
			sb_reset(err);
			sb_adds(err, "CLOUDCTL_OUTPUT: unknown output format '");
			add_shown(err, env, strlen(env));
			sb_adds(err, "' (kv, table, json, tsv, csv, md)");
			return fmt;
		}
		/* Off a terminal it may only pick what the next tool reads: a table
		 * set for people must not break "cloudctl-build | cloudctl-deploy". */
		if (tty || fmt == FMT_KV || fmt == FMT_JSON)
			return fmt;
	}
	return tty ? FMT_TABLE : FMT_KV;
}

/* ---- the writer ---- */

struct rec_writer {
	FILE *out;
	enum rec_format fmt;
	/* kv, json: the -c columns, or NULL for every field. table, tsv, csv, md:
	 * -c or default_cols, or NULL for the union of keys (which needs every
	 * record, so tsv and csv then buffer like table). */
	char **cols;
	size_t ncols;
	int header_done;    /* tsv, csv */
	unsigned char *seen; /* per -c column: some record had it */
	char **known;       /* the default columns, known even when no record has them */
	size_t nknown;
	size_t written;     /* records given to rec_write */
	struct recset rows; /* table, md, and tsv or csv without columns */
	struct strbuf line; /* reused for every line written */
};

/* Split "a, b,c" into names; empty names are dropped. Returns the count. */
static size_t split_columns(const char *list, char ***out)
{
	size_t n = 0, cap = 0;
	char **cols = NULL;
	const char *p = list;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *s = p;
		while (len && is_blank(*s))
			s++, len--;
		while (len && is_blank(s[len - 1]))
			len--;
		if (len) {
			cols = xgrow(cols, &cap, n + 1, sizeof *cols);
			cols[n++] = xstrndup(s, len);
		}
		p = end ? end + 1 : NULL;
	}
	*out = cols;
	return n;
}

/* Formats that write one set of columns, under a header line. */
static int has_header(enum rec_format fmt)
{
	return fmt == FMT_TABLE || fmt == FMT_TSV || fmt == FMT_CSV || fmt == FMT_MD;
}

struct rec_writer *rec_writer_new(FILE *out, enum rec_format fmt, const char *columns,
				  const char *default_cols)
{
	struct rec_writer *w = xcalloc(1, sizeof *w);
	w->out = out;
	if (fmt == FMT_AUTO)
		fmt = isatty(fileno(out)) ? FMT_TABLE : FMT_KV;
	w->fmt = fmt;
	w->ncols = split_columns(columns, &w->cols);
	w->seen = w->ncols ? xcalloc(w->ncols, 1) : NULL;
	w->nknown = split_columns(default_cols, &w->known);
	if (!w->ncols && has_header(fmt)) {
		free(w->cols);
		w->ncols = split_columns(default_cols, &w->cols);
	}
	w->rows = (struct recset)RECSET_INIT;
	w->line = (struct strbuf)STRBUF_INIT;
	return w;
}

/* The value of column col: a field, or the "tags" pseudo column built in tmp.
 * NULL when absent. */
static const char *cell_value(const struct record *r, const char *col, struct strbuf *tmp)
{
	const char *v = rec_get(r, col);
	if (v || strcmp(col, "tags") != 0)
		return v;
	sb_reset(tmp);
	for (size_t i = 0; i < r->n; i++) {
		if (!str_starts(r->f[i].key, "tag."))
			continue;
		if (tmp->len)
			sb_addc(tmp, ',');
		sb_addf(tmp, "%s=%s", r->f[i].key + 4, r->f[i].val);
	}
	return tmp->len ? tmp->buf : NULL;
}

static void flush_line(struct rec_writer *w)
{
	fwrite(w->line.buf, 1, w->line.len, w->out);
	sb_reset(&w->line);
}

static void kv_field(struct strbuf *sb, const char *key, const char *val)
{
	if (sb->len)
		sb_addc(sb, ' ');
	sb_adds(sb, key);
	sb_addc(sb, '=');
	rec_quote_value(sb, val);
}

static void write_kv(struct rec_writer *w, const struct record *r)
{
	struct strbuf tmp = STRBUF_INIT;
	if (!w->cols) {
		for (size_t i = 0; i < r->n; i++)
			kv_field(&w->line, r->f[i].key, r->f[i].val);
	}
	for (size_t c = 0; c < w->ncols; c++) {
		const char *v = cell_value(r, w->cols[c], &tmp);
		if (v)
			kv_field(&w->line, w->cols[c], v);
	}
	if (w->line.len) { /* none of the -c columns: no blank line */
		sb_addc(&w->line, '\n');
		flush_line(w);
	}
	sb_release(&tmp);
}

/* -?[0-9]+(\.[0-9]+)?: what reads as a number in a column of them. Exponents,
 * "+1", "1." and ".5" are left as text. */
static int is_decimal(const char *s)
{
	size_t n;
	if (*s == '-')
		s++;
	if (!(n = strspn(s, "0123456789")))
		return 0;
	s += n;
	if (*s == '.' && (n = strspn(s + 1, "0123456789")))
		s += 1 + n;
	return *s == '\0';
}

/* -?(0|[1-9][0-9]{0,17}) but not "-0": those, and only those, read back from
 * JSON as the same text, so kv -> json -> kv keeps every byte. */
static int canonical_int(const char *s)
{
	const char *d = *s == '-' ? s + 1 : s;
	size_t n = strspn(d, "0123456789");
	if (n == 0 || n > 18 || d[n] != '\0')
		return 0;
	if (d[0] == '0')
		return n == 1 && d == s;
	return 1;
}

/* ---- field types (cloudctl(7), FIELD TYPES) ----
 * The one table of what JSON type each field is written as. The first entry
 * whose kind (NULL: any) and key pattern (fnmatch) match wins; a key in no
 * entry is a string. Tags, versions, names and ids are strings whatever their
 * shape: "1.20" and "1" alike. */
struct field_type_rule {
	const char *kind, *key;
	enum rec_type type;
};

static const struct field_type_rule field_types[] = {
	/* the same key, another meaning in these kinds */
	{ "bump", "skipped", REC_STRING },   /* why an image was left alone */
	{ "deploy", "time", REC_STRING },    /* 2026-11-22T10:00:00Z */
	{ "deploy", "source_time", REC_STRING },
	{ "net", "created", REC_BOOLEAN },   /* cloudctl-net tenant create: made by this run */
	{ "subnet", "created", REC_BOOLEAN },
	{ "router", "created", REC_BOOLEAN },
	{ "secgroup", "created", REC_BOOLEAN },
	{ NULL, "tag.*", REC_STRING },
	/* booleans */
	{ NULL, "changed", REC_BOOLEAN },
	{ NULL, "pushed", REC_BOOLEAN },
	{ NULL, "dry_run", REC_BOOLEAN },
	{ NULL, "autostart", REC_BOOLEAN },
	{ NULL, "persistent", REC_BOOLEAN },
	{ NULL, "shared", REC_BOOLEAN },
	{ NULL, "external", REC_BOOLEAN },
	{ NULL, "dhcp", REC_BOOLEAN },
	/* integers: counts, sizes in the unit the key names, times in seconds */
	{ NULL, "vcpus", REC_INTEGER },
	{ NULL, "mem_mib", REC_INTEGER },
	{ NULL, "mem_used_mib", REC_INTEGER },
	{ NULL, "mem_bytes", REC_INTEGER },
	{ NULL, "mem_used_bytes", REC_INTEGER },
	{ NULL, "disk_bytes", REC_INTEGER },
	{ NULL, "disk_used_bytes", REC_INTEGER },
	{ NULL, "cpu_time_ns", REC_INTEGER },
	{ NULL, "block_rd_bytes", REC_INTEGER },
	{ NULL, "block_wr_bytes", REC_INTEGER },
	{ NULL, "net_rx_bytes", REC_INTEGER },
	{ NULL, "net_tx_bytes", REC_INTEGER },
	{ NULL, "rx_bytes", REC_INTEGER },
	{ NULL, "tx_bytes", REC_INTEGER },
	{ NULL, "uptime_s", REC_INTEGER },
	{ NULL, "state_since", REC_INTEGER },
	{ NULL, "quota_*", REC_INTEGER },
	{ NULL, "instances", REC_INTEGER },
	{ NULL, "addresses", REC_INTEGER },
	{ NULL, "attempts", REC_INTEGER },
	{ NULL, "skipped", REC_INTEGER },
	{ NULL, "mounted", REC_INTEGER },
	{ NULL, "layers", REC_INTEGER },
	{ NULL, "size", REC_INTEGER },
	{ NULL, "uploaded", REC_INTEGER },
	{ NULL, "mtu", REC_INTEGER },
	{ NULL, "ip_version", REC_INTEGER },
	{ NULL, "replicas", REC_INTEGER },
	{ NULL, "rules", REC_INTEGER },
	{ NULL, "source_time", REC_INTEGER },
	/* libvirt's own statistics (cloudctl-vm stats): numbers but for names */
	{ NULL, "*.name", REC_STRING },
	{ NULL, "*.path", REC_STRING },
	{ NULL, "cpu.*", REC_NUMBER },
	{ NULL, "balloon.*", REC_NUMBER },
	{ NULL, "vcpu.*", REC_NUMBER },
	{ NULL, "net.*", REC_NUMBER },
	{ NULL, "block.*", REC_NUMBER },
	{ NULL, "state.*", REC_NUMBER },
	/* decimals */
	{ NULL, "cpu_pct", REC_NUMBER },
	{ NULL, "pct", REC_NUMBER },
	{ NULL, "time", REC_NUMBER }, /* seconds since the epoch, to the millisecond */
};

enum rec_type rec_field_type(const char *kind, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_types); i++) {
		const struct field_type_rule *t = &field_types[i];
		if ((!t->kind || str_eq(t->kind, kind)) && fnmatch(t->key, key, 0) == 0)
			return t->type;
	}
	return REC_STRING;
}

/* Significant digits a JSON real keeps: jansson writes this many, and 15 is
 * what a double holds for any decimal text, so "0.1" stays 0.1. */
#define REAL_DIGITS 15

/* A decimal that reads back from JSON as the same number: at most REAL_DIGITS
 * digits. */
static int json_decimal(const char *s)
{
	return is_decimal(s) && strchr(s, '.') && strlen(s) - (*s == '-') - 1 <= REAL_DIGITS;
}

/* A value of a typed field that does not have the type's shape ("vcpus=four")
 * is written as a string: the text is kept, never guessed at. */
static json_t *json_value(const char *kind, const char *key, const char *val, struct strbuf *tmp)
{
	switch (rec_field_type(kind, key)) {
	case REC_BOOLEAN:
		if (!strcmp(val, "true") || !strcmp(val, "false"))
			return json_boolean(val[0] == 't');
		break;
	case REC_NUMBER:
		if (json_decimal(val))
			return json_real(strtod(val, NULL));
		/* a whole number, too */
		__attribute__((fallthrough));
	case REC_INTEGER:
		if (canonical_int(val))
			return json_integer(strtoll(val, NULL, 10));
		break;
	case REC_STRING:
		break;
	}
	sb_reset(tmp);
	encode(tmp, val, strlen(val), ESC_NONE); /* jansson wants UTF-8 */
	return json_stringn(tmp->buf, tmp->len);
}

static void json_field(json_t *obj, const char *kind, const char *key, const char *val,
		       struct strbuf *tmp)
{
	json_object_set_new(obj, key, json_value(kind, key, val, tmp));
}

static void write_json(struct rec_writer *w, const struct record *r)
{
	struct strbuf tmp = STRBUF_INIT, cell = STRBUF_INIT;
	json_t *obj = json_object();
	const char *kind = rec_get(r, "kind");
	if (!w->cols) {
		for (size_t i = 0; i < r->n; i++)
			json_field(obj, kind, r->f[i].key, r->f[i].val, &tmp);
	}
	for (size_t c = 0; c < w->ncols; c++) {
		const char *v = cell_value(r, w->cols[c], &cell);
		if (v)
			json_field(obj, kind, w->cols[c], v, &tmp);
	}
	char *s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(REAL_DIGITS));
	sb_adds(&w->line, s);
	sb_addc(&w->line, '\n');
	flush_line(w);
	free(s);
	json_decref(obj);
	sb_release(&tmp);
	sb_release(&cell);
}

/* Columns of the formats with a header: the configured ones, or every key in
 * first-seen order. */
static size_t output_columns(const struct rec_writer *w, const char ***out)
{
	const char **cols = NULL;
	size_t n = 0, cap = 0;
	if (w->cols) {
		cols = xmalloc(w->ncols * sizeof *cols);
		for (n = 0; n < w->ncols; n++)
			cols[n] = w->cols[n];
	}
	for (size_t i = 0; !w->cols && i < w->rows.n; i++) {
		const struct record *r = &w->rows.r[i];
		for (size_t j = 0; j < r->n; j++) {
			size_t k = 0;
			while (k < n && strcmp(cols[k], r->f[j].key) != 0)
				k++;
			if (k < n)
				continue;
			cols = xgrow(cols, &cap, n + 1, sizeof *cols);
			cols[n++] = r->f[j].key;
		}
	}
	*out = cols;
	return n;
}

/* A csv field is quoted only when it must be. A row of one empty field is
 * quoted too, as Python's csv module does: an empty line reads as no row. */
static void csv_field(struct strbuf *sb, const char *v, size_t ncols)
{
	int quote = strpbrk(v, ",\"\r\n") || (ncols == 1 && !*v);
	if (quote)
		sb_addc(sb, '"');
	encode(sb, v, strlen(v), ESC_CSV);
	if (quote)
		sb_addc(sb, '"');
}

/* Cell c of n in a tsv or csv line. Lines end in \n, not RFC 4180's \r\n: as
 * everywhere in the suite, and spreadsheets and Python's csv module read both. */
static void delim_cell(struct rec_writer *w, size_t c, size_t n, const char *v)
{
	if (c)
		sb_addc(&w->line, w->fmt == FMT_CSV ? ',' : '\t');
	if (w->fmt == FMT_CSV)
		csv_field(&w->line, v, n);
	else
		encode(&w->line, v, strlen(v), ESC_TSV);
}

static void delim_header(struct rec_writer *w, const char **cols, size_t n)
{
	for (size_t c = 0; c < n; c++)
		delim_cell(w, c, n, cols[c]);
	sb_addc(&w->line, '\n');
	flush_line(w);
}

/* A missing value is an empty field. */
static void delim_row(struct rec_writer *w, const struct record *r, const char **cols,
		      size_t n)
{
	struct strbuf tmp = STRBUF_INIT;
	for (size_t c = 0; c < n; c++) {
		const char *v = cell_value(r, cols[c], &tmp);
		delim_cell(w, c, n, v ? v : "");
	}
	sb_addc(&w->line, '\n');
	flush_line(w);
	sb_release(&tmp);
}

static void write_delim(struct rec_writer *w, const struct record *r)
{
	if (!w->header_done)
		delim_header(w, (const char **)w->cols, w->ncols);
	w->header_done = 1;
	delim_row(w, r, (const char **)w->cols, w->ncols);
}

static void print_delim(struct rec_writer *w)
{
	const char **cols;
	size_t n = output_columns(w, &cols);
	if (n && w->rows.n)
		delim_header(w, cols, n);
	for (size_t i = 0; n && i < w->rows.n; i++)
		delim_row(w, &w->rows.r[i], cols, n);
	free(cols);
}

/* The text of one table cell, already escaped for display. */
static char *table_cell(const struct record *r, const char *col, struct strbuf *tmp)
{
	const char *v = cell_value(r, col, tmp);
	struct strbuf sb = STRBUF_INIT;
	if (!v)
		return xstrdup("-");
	encode(&sb, v, strlen(v), ESC_SHOW);
	return sb_detach(&sb);
}

static char *table_header(const char *col)
{
	struct strbuf sb = STRBUF_INIT;
	encode(&sb, col, strlen(col), ESC_SHOW);
	for (char *p = sb.buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return sb_detach(&sb);
}

static void table_line(struct rec_writer *w, char **cells, const size_t *width, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		if (c)
			sb_adds(&w->line, "  ");
		sb_adds(&w->line, cells[c]);
		for (size_t pad = utf8_width(cells[c]); pad < width[c]; pad++)
			sb_addc(&w->line, ' ');
	}
	while (w->line.len && w->line.buf[w->line.len - 1] == ' ')
		w->line.len--;
	w->line.buf[w->line.len] = '\0';
	sb_addc(&w->line, '\n');
	flush_line(w);
}

/* Cells are rendered once into a (rows + 1) x n grid, header first, to learn
 * the widths before anything is printed. */
static void print_table(struct rec_writer *w)
{
	if (!w->rows.n)
		return; /* not even the header */
	const char **cols;
	size_t n = output_columns(w, &cols), rows = w->rows.n + 1;
	struct strbuf tmp = STRBUF_INIT;
	char **cells = xcalloc(rows * n, sizeof *cells);
	size_t *width = xcalloc(n, sizeof *width);
	for (size_t i = 0; i < rows * n; i++) {
		size_t row = i / n, c = i % n;
		cells[i] = row ? table_cell(&w->rows.r[row - 1], cols[c], &tmp)
			       : table_header(cols[c]);
		size_t cw = utf8_width(cells[i]);
		if (cw > width[c])
			width[c] = cw;
	}
	for (size_t row = 0; n && row < rows; row++)
		table_line(w, cells + row * n, width, n);
	for (size_t i = 0; i < rows * n; i++)
		free(cells[i]);
	free(cells);
	free(width);
	free(cols);
	sb_release(&tmp);
}

/* Right-aligned: a column with values, every one of them a number. */
static int md_numeric(const struct rec_writer *w, const char *col, struct strbuf *tmp)
{
	int seen = 0;
	for (size_t i = 0; i < w->rows.n; i++) {
		const char *v = cell_value(&w->rows.r[i], col, tmp);
		if (!v)
			continue;
		if (!is_decimal(v))
			return 0;
		seen = 1;
	}
	return seen;
}

/* One line of r's cells, or (r NULL) of the column names as given, in the form
 * "| a | b |": no padding, so a cell is its value, escaped; "-" when missing. */
static void md_line(struct rec_writer *w, const struct record *r, const char **cols,
		    size_t n, struct strbuf *tmp)
{
	sb_addc(&w->line, '|');
	for (size_t c = 0; c < n; c++) {
		const char *v = r ? cell_value(r, cols[c], tmp) : cols[c];
		sb_addc(&w->line, ' ');
		if (v)
			encode(&w->line, v, strlen(v), ESC_MD);
		else
			sb_addc(&w->line, '-');
		sb_adds(&w->line, " |");
	}
	sb_addc(&w->line, '\n');
	flush_line(w);
}

/* The header, the alignment row, the rows: all at the end, for the alignment. */
static void print_md(struct rec_writer *w)
{
	const char **cols;
	size_t n = output_columns(w, &cols);
	struct strbuf tmp = STRBUF_INIT;
	if (n && w->rows.n) {
		md_line(w, NULL, cols, n, &tmp);
		sb_addc(&w->line, '|');
		for (size_t c = 0; c < n; c++)
			sb_adds(&w->line, md_numeric(w, cols[c], &tmp) ? "---:|" : "---|");
		sb_addc(&w->line, '\n');
		flush_line(w);
	}
	for (size_t i = 0; n && i < w->rows.n; i++)
		md_line(w, &w->rows.r[i], cols, n, &tmp);
	free(cols);
	sb_release(&tmp);
}

/* Note which -c columns r has. */
static void note_columns(struct rec_writer *w, const struct record *r)
{
	struct strbuf tmp = STRBUF_INIT;
	for (size_t c = 0; w->seen && c < w->ncols; c++)
		if (!w->seen[c] && cell_value(r, w->cols[c], &tmp))
			w->seen[c] = 1;
	sb_release(&tmp);
	w->written++;
}

/* A column name the suite knows: one of the tool's default columns, the
 * "tags" pseudo column, or a field of the FIELD TYPES table. */
static int known_column(const struct rec_writer *w, const char *col)
{
	if (strcmp(col, "tags") == 0)
		return 1;
	for (size_t i = 0; i < w->nknown; i++)
		if (strcmp(w->known[i], col) == 0)
			return 1;
	for (size_t i = 0; i < ARRAY_SIZE(field_types); i++)
		if (fnmatch(field_types[i].key, col, 0) == 0 && !strchr(field_types[i].key, '*'))
			return 1;
	return rec_columns_declared && rec_column_matches(rec_columns_declared, col);
}

const char *rec_columns_declared;

void rec_merge_input(struct record *out, const struct record *in, const char *own)
{
	for (size_t i = 0; in && i < in->n; i++)
		if (!rec_get(out, in->f[i].key) && !(own && rec_column_matches(own, in->f[i].key)))
			rec_set(out, in->f[i].key, in->f[i].val);
}

int rec_column_matches(const char *patterns, const char *col)
{
	struct strbuf pat = STRBUF_INIT;
	size_t n;
	int found = 0;
	for (const char *p = patterns; *p && !found; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		sb_reset(&pat);
		sb_add(&pat, p, n);
		found = fnmatch(pat.buf, col, 0) == 0;
	}
	sb_release(&pat);
	return found;
}

/* A -c column that none of the records written has, and that is no column the
 * suite knows, is a typing error, not an empty column: said on stderr, and the
 * tool exits 64 (rec_writer_finish). */
int rec_columns_strict;

static int check_columns(const struct rec_writer *w)
{
	int bad = 0;
	for (size_t c = 0; rec_columns_strict && w->seen && w->written && c < w->ncols; c++) {
		if (w->seen[c] || known_column(w, w->cols[c]))
			continue;
		struct strbuf shown = STRBUF_INIT;
		add_shown(&shown, w->cols[c], strlen(w->cols[c]));
		errorx("-c: no record has a column '%s'", shown.buf);
		sb_release(&shown);
		bad = 1;
	}
	return bad;
}

void rec_write(struct rec_writer *w, const struct record *r)
{
	int delim = w->fmt == FMT_TSV || w->fmt == FMT_CSV;
	note_columns(w, r);
	if (w->fmt == FMT_JSON)
		write_json(w, r);
	else if (delim && w->cols)
		write_delim(w, r);
	else if (has_header(w->fmt))
		rec_copy(recset_add(&w->rows), r); /* printed by rec_writer_finish */
	else
		write_kv(w, r);
}

int rec_writer_finish(struct rec_writer *w)
{
	if (!w)
		return 0;
	int bad_columns = check_columns(w);
	if (bad_columns)
		; /* the buffered formats print nothing */
	else if (w->fmt == FMT_TABLE)
		print_table(w);
	else if (w->fmt == FMT_MD)
		print_md(w);
	else if ((w->fmt == FMT_TSV || w->fmt == FMT_CSV) && !w->cols)
		print_delim(w);
	errno = 0;
	int rc = fflush(w->out) != 0 || ferror(w->out) ? -1 : 0;
	/* A reader that went away ("| head -1") is not an error, in every tool. */
	if (rc < 0 && reader_gone(w->out, errno))
		rc = 0;
	free(w->seen);
	for (size_t i = 0; i < w->nknown; i++)
		free(w->known[i]);
	free(w->known);
	for (size_t i = 0; i < w->ncols; i++)
		free(w->cols[i]);
	free(w->cols);
	recset_clear(&w->rows);
	sb_release(&w->line);
	free(w);
	if (bad_columns)
		exit(finish_stdout(EXIT_USAGE));
	return rc;
}
