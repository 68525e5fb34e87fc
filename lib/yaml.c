/* yaml.c: see yaml.h.
 *
 * The layout is go-yaml v2's, which is what Kubernetes users see: a map nests
 * by two spaces, a sequence under a map key is not indented at all, and a
 * collection inside a sequence item starts on the item's "- " line. Everything
 * is block style except empty collections, which block style cannot write.
 *
 * A string is written plain unless some reader could take it for something else
 * (a number, a bool, a date, a comment, an indicator); then it is double-quoted
 * with JSON-style escapes, which YAML 1.1 and 1.2 both read. Quoting a string
 * that did not need it is harmless, so when in doubt this quotes. */
#define _POSIX_C_SOURCE 200809L
#include "utf8.h"
#include "yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* go-yaml (like libyaml and PyYAML) writes a longer key as an explicit
 * "? key" entry; readers refuse implicit keys of more than 1024 characters. */
#define SIMPLE_KEY_MAX 128

#define DIGITS "0123456789"

/* Whether c may stand as it is inside a one-line scalar, for YAML 1.1 and 1.2
 * alike. Not tab and line breaks (they must be escaped), not U+0085, U+2028 and
 * U+2029 (YAML 1.1 line breaks), not U+FEFF (a byte order mark), nor anything
 * outside YAML's printable set (C0 and C1 controls, DEL, U+FFFE, U+FFFF). */
static int printable(unsigned long c)
{
	if (c < 0x80)
		return c >= 0x20 && c < 0x7f;
	if (c < 0xa0 || c == 0x2028 || c == 0x2029 || c == 0xfeff)
		return 0;
	return c <= 0xfffd || c >= 0x10000;
}

/* ---- what a plain scalar would be read as ---- */

/* How many of s[i..n) are in set, from i on. NUL never is. */
static size_t span(const char *s, size_t n, size_t i, const char *set)
{
	size_t j = i;
	while (j < n && s[j] && strchr(set, s[j]))
		j++;
	return j - i;
}

/* How many of s[0..n) are in set. */
static size_t count_in(const char *s, size_t n, const char *set)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] && strchr(set, s[i]);
	return k;
}

static int word_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* 12, 1_000, 017, 0.5, .5, 1., 1e3, 1.5E-3: integers and floats of YAML 1.1,
 * 1.2 and Go's strconv (go-yaml v2 drops the underscores before parsing). */
static int is_decimal(const char *s, size_t n)
{
	size_t m = span(s, n, 0, DIGITS "_.");
	if (!count_in(s, m, DIGITS) || count_in(s, m, ".") > 1)
		return 0;
	if (m < n && (s[m] == 'e' || s[m] == 'E')) {
		size_t i = m + 1 + span(s, n, m + 1, "+-");
		size_t d = span(s, n, i, DIGITS "_");
		if (i > m + 2 || !count_in(s + i, d, DIGITS))
			return 0;
		m = i + d;
	}
	return m == n;
}

/* 0x1F, 0o17, 0b101 (YAML 1.1, 1.2, Go) and Go's hexadecimal floats (0x1p-2). */
static int is_prefixed(const char *s, size_t n)
{
	const char *set;
	if (n < 3 || s[0] != '0')
		return 0;
	switch (s[1]) {
	case 'x': case 'X': set = DIGITS "abcdefABCDEF_.pP+-"; break;
	case 'o': case 'O': set = "01234567_"; break;
	case 'b': case 'B': set = "01_"; break;
	default: return 0;
	}
	return span(s, n, 2, set) == n - 2;
}

/* 1:30, 190:20:30.15: YAML 1.1's base 60 integers and floats; also times of day. */
static int is_sexagesimal(const char *s, size_t n)
{
	size_t i = span(s, n, 0, DIGITS "_"), groups = 0;
	if (!n || s[0] < '0' || s[0] > '9')
		return 0;
	while (i < n && s[i] == ':') {
		size_t d = span(s, n, i + 1, DIGITS "_");
		if (!d)
			return 0;
		i += 1 + d;
		groups++;
	}
	if (groups && i < n && s[i] == '.')
		i += 1 + span(s, n, i + 1, DIGITS "_");
	return groups && i == n;
}

/* .inf, -.Inf, .NaN (YAML); and +inf, -Infinity, which Go's ParseFloat takes
 * and go-yaml v2 tries on whatever starts with a sign. */
static int is_inf_nan(const char *s, size_t n, int sign)
{
	if (n && s[0] == '.')
		return word_is(s + 1, n - 1, "inf") || word_is(s + 1, n - 1, "nan");
	return sign && (word_is(s, n, "inf") || word_is(s, n, "infinity"));
}

static int looks_numeric(const char *s, size_t n)
{
	size_t sign = n && (s[0] == '+' || s[0] == '-');
	s += sign;
	n -= sign;
	return is_decimal(s, n) || is_prefixed(s, n) || is_sexagesimal(s, n) ||
	       is_inf_nan(s, n, sign > 0);
}

/* 2024-01-02, 2024-1-2T10:00:00Z, "2024-01-02 10:00": YAML 1.1 timestamps,
 * which go-yaml v2 and PyYAML turn into times. */
static int looks_like_date(const char *s, size_t n)
{
	if (n < 8 || span(s, n, 0, DIGITS) != 4 || s[4] != '-')
		return 0;
	size_t m = span(s, n, 5, DIGITS);
	if (m < 1 || m > 2 || 5 + m >= n || s[5 + m] != '-')
		return 0;
	size_t i = 6 + m, d = span(s, n, i, DIGITS);
	if (d < 1 || d > 2)
		return 0;
	i += d;
	return i == n || (s[i] && strchr("Tt \t", s[i]));
}

/* YAML 1.1 booleans and nulls, in any case (go-yaml v2 takes y and n, PyYAML
 * yes and On...), and the merge ("<<") and value ("=") keys of YAML 1.1. */
static int is_reserved_word(const char *s, size_t n)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "<<", "=",
	};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (word_is(s, n, words[i]))
			return 1;
	return 0;
}

/* Characters a plain scalar cannot hold: non-printable ones, and ": " or a
 * final ":" (a mapping key) and " #" (a comment). */
static int has_unsafe_chars(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned long c;
		size_t len = utf8_decode(u + i, n - i, &c);
		if (!len || !printable(c))
			return 1;
		if (c == ':' && (i + 1 == n || s[i + 1] == ' '))
			return 1;
		if (c == '#' && i > 0 && s[i - 1] == ' ')
			return 1;
		i += len;
	}
	return 0;
}

/* Whether s must be quoted. The first character must not be an indicator
 * (backquote and @ are reserved), and "..." would end a document. */
static int needs_quotes(const char *s, size_t n)
{
	if (!n || (s[0] && strchr("-?:,[]{}#&*!|>'\"%@` ", s[0])) || s[n - 1] == ' ')
		return 1;
	if (n >= 3 && memcmp(s, "...", 3) == 0)
		return 1;
	return is_reserved_word(s, n) || looks_numeric(s, n) || looks_like_date(s, n) ||
	       has_unsafe_chars(s, n);
}

/* ---- scalars ---- */

/* One character of a double-quoted scalar; returns the bytes used. A byte that
 * is not UTF-8 becomes U+FFFD: YAML has no way to write it. */
static size_t quote_char(struct strbuf *sb, const unsigned char *s, size_t n)
{
	unsigned long c;
	size_t len = utf8_decode(s, n, &c);
	if (!len) {
		sb_adds(sb, "\\uFFFD");
		return 1;
	}
	switch (c) {
	case '"': sb_adds(sb, "\\\""); break;
	case '\\': sb_adds(sb, "\\\\"); break;
	case '\b': sb_adds(sb, "\\b"); break;
	case '\f': sb_adds(sb, "\\f"); break;
	case '\n': sb_adds(sb, "\\n"); break;
	case '\r': sb_adds(sb, "\\r"); break;
	case '\t': sb_adds(sb, "\\t"); break;
	default:
		/* What printable() refuses is all below U+10000. */
		if (printable(c))
			sb_add(sb, s, len);
		else
			sb_addf(sb, "\\u%04lX", c);
	}
	return len;
}

static void emit_string(struct strbuf *sb, const char *s, size_t n)
{
	if (!needs_quotes(s, n)) {
		sb_add(sb, s, n);
		return;
	}
	sb_addc(sb, '"');
	for (size_t i = 0; i < n;)
		i += quote_char(sb, (const unsigned char *)s + i, n - i);
	sb_addc(sb, '"');
}

/* The shortest text that reads back as the same double, always with a dot in
 * the mantissa: "1" would read back as an integer, and YAML 1.1 reads "1e+06"
 * as a string (its floats need the dot). */
static void emit_real(struct strbuf *sb, double d)
{
	if (isnan(d) || isinf(d)) {
		sb_adds(sb, isnan(d) ? ".nan" : d > 0 ? ".inf" : "-.inf");
		return;
	}
	char buf[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* Under a locale with a decimal comma, should any tool ever set one. */
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	size_t m = strcspn(buf, "e");
	sb_add(sb, buf, m);
	if (!memchr(buf, '.', m))
		sb_adds(sb, ".0");
	sb_adds(sb, buf + m);
}

/* A value that stays on its line: a scalar or an empty collection. */
static void emit_scalar(struct strbuf *sb, const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT: sb_adds(sb, "{}"); break;
	case JSON_ARRAY: sb_adds(sb, "[]"); break;
	case JSON_STRING: emit_string(sb, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: sb_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_REAL: emit_real(sb, json_real_value(v)); break;
	case JSON_TRUE: sb_adds(sb, "true"); break;
	case JSON_FALSE: sb_adds(sb, "false"); break;
	case JSON_NULL: sb_adds(sb, "null"); break;
	}
}

/* ---- collections ---- */

static int is_map(const json_t *v)
{
	return json_is_object(v) && json_object_size(v) > 0;
}

static int is_seq(const json_t *v)
{
	return json_is_array(v) && json_array_size(v) > 0;
}

static void pad(struct strbuf *sb, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addc(sb, ' ');
}

/* A map's or sequence's lines at indent; with inline_first, the first line
 * goes where the output is (after a "- "), unindented. */
static void emit_map(struct strbuf *sb, const json_t *obj, size_t indent, int inline_first);
static void emit_seq(struct strbuf *sb, const json_t *arr, size_t indent, int inline_first);

/* After an indicator ("- " of an item, ": " of an explicit key's value) a
 * collection starts on the same line, the rest of it aligned under that. */
static void emit_item(struct strbuf *sb, char indicator, const json_t *v, size_t indent)
{
	sb_addc(sb, indicator);
	sb_addc(sb, ' ');
	if (is_map(v)) {
		emit_map(sb, v, indent + 2, 1);
	} else if (is_seq(v)) {
		emit_seq(sb, v, indent + 2, 1);
	} else {
		emit_scalar(sb, v);
		sb_addc(sb, '\n');
	}
}

/* A long key as go-yaml writes it: "? key", then ": value" on the next line. */
static void emit_explicit_pair(struct strbuf *sb, const char *key, size_t klen,
			       const json_t *v, size_t indent)
{
	sb_adds(sb, "? ");
	emit_string(sb, key, klen);
	sb_addc(sb, '\n');
	pad(sb, indent);
	emit_item(sb, ':', v, indent);
}

/* key: value. A sequence under a key is not indented (go-yaml style). */
static void emit_pair(struct strbuf *sb, const char *key, size_t klen, const json_t *v,
		      size_t indent)
{
	if (klen > SIMPLE_KEY_MAX) {
		emit_explicit_pair(sb, key, klen, v, indent);
		return;
	}
	emit_string(sb, key, klen);
	sb_addc(sb, ':');
	if (is_map(v)) {
		sb_addc(sb, '\n');
		emit_map(sb, v, indent + 2, 0);
	} else if (is_seq(v)) {
		sb_addc(sb, '\n');
		emit_seq(sb, v, indent, 0);
	} else {
		sb_addc(sb, ' ');
		emit_scalar(sb, v);
		sb_addc(sb, '\n');
	}
}

static void emit_map(struct strbuf *sb, const json_t *obj, size_t indent, int inline_first)
{
	/* The iterator API is not const, but only reads. */
	json_t *o = (json_t *)obj;
	for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
		if (!inline_first)
			pad(sb, indent);
		inline_first = 0;
		emit_pair(sb, json_object_iter_key(it), json_object_iter_key_len(it),
			  json_object_iter_value(it), indent);
	}
}

static void emit_seq(struct strbuf *sb, const json_t *arr, size_t indent, int inline_first)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		if (i || !inline_first)
			pad(sb, indent);
		emit_item(sb, '-', json_array_get(arr, i), indent);
	}
}

void yaml_emit(struct strbuf *sb, const json_t *v)
{
	if (is_map(v)) {
		emit_map(sb, v, 0, 0);
	} else if (is_seq(v)) {
		emit_seq(sb, v, 0, 0);
	} else {
		emit_scalar(sb, v);
		sb_addc(sb, '\n');
	}
}

void yaml_emit_stream(struct strbuf *sb, json_t *const *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(sb, "---\n");
		yaml_emit(sb, docs[i]);
	}
}
