/* redact.c: secrets out of what is printed: the -vv traces of lib/http.c and
 * the URLs in error messages (see redact.h). */
#include "redact.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define REDACTED "<redacted>"

/* Names of secrets, compared after lower-casing and dropping '-', '_' and '.',
 * so that "X-Auth-Token", "client_secret" and "accessToken" all match. */
static const char *const secret_suffixes[] = {
	"password", "passwd", "secret", "token", "apikey", "privatekey", "secretkey",
	"secretaccesskey",
};
static const char *const secret_names[] = {
	"authorization", "proxyauthorization", "cookie", "setcookie",
};

/* Whether a header name, JSON key or form field names a secret. */
static int is_secret_name(const char *name, size_t len)
{
	char tail[32]; /* the end of the normalized name, enough for every word above */
	size_t n = 0, i = len;
	while (i > 0 && n < sizeof tail) {
		char ch = name[--i];
		if (ch != '-' && ch != '_' && ch != '.')
			tail[sizeof tail - ++n] = (char)tolower((unsigned char)ch);
	}
	const char *norm = tail + sizeof tail - n;
	int whole = i == 0; /* the whole name fitted in tail */
	for (size_t k = 0; k < ARRAY_SIZE(secret_suffixes); k++) {
		size_t sl = strlen(secret_suffixes[k]);
		if (sl <= n && memcmp(norm + n - sl, secret_suffixes[k], sl) == 0)
			return 1;
	}
	for (size_t k = 0; whole && k < ARRAY_SIZE(secret_names); k++)
		if (strlen(secret_names[k]) == n && memcmp(norm, secret_names[k], n) == 0)
			return 1;
	return 0;
}

static int is_key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

/* Whether ch is in the NUL-terminated set (never matching the NUL itself). */
static int is_one_of(char ch, const char *set)
{
	return ch != '\0' && strchr(set, ch) != NULL;
}

/* Drop the "user:password@" of every URL in s. */
static void strip_userinfo(struct strbuf *out, const char *s, size_t len)
{
	size_t copied = 0;
	for (size_t i = 0; i + 3 <= len; i++) {
		if (memcmp(s + i, "://", 3) != 0)
			continue;
		size_t host = i + 3, end = host, after_at = 0;
		for (; end < len && s[end] && !is_one_of(s[end], "/?# \t\r\n\"'\\<>"); end++)
			if (s[end] == '@')
				after_at = end + 1;
		if (after_at) {
			sb_add(out, s + copied, host - copied);
			copied = after_at;
		}
		i = end > host ? end - 1 : i;
	}
	sb_add(out, s + copied, len - copied);
}

/* Form and query fields: "password=hunter2&x=1" -> "password=<redacted>&x=1". */
static void redact_pairs(struct strbuf *out, const char *s, size_t len)
{
	size_t copied = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '=')
			continue;
		size_t key = i, end = i + 1;
		while (key > copied && is_key_char(s[key - 1]))
			key--;
		while (end < len && s[end] && !is_one_of(s[end], "&;# \t\r\n\"'\\<>"))
			end++;
		if (end == i + 1 || !is_secret_name(s + key, i - key))
			continue;
		sb_add(out, s + copied, i + 1 - copied);
		sb_adds(out, REDACTED);
		copied = end;
		i = end - 1;
	}
	sb_add(out, s + copied, len - copied);
}

static size_t backslashes_before(const char *s, size_t from, size_t pos)
{
	size_t n = 0;
	while (pos > from && s[pos - 1] == '\\')
		pos--, n++;
	return n;
}

/* How deep in JSON-inside-a-JSON-string a quote preceded by run backslashes
 * is: '"' is 0, '\"' is 1 (as in the echo of a JSON body), '\\\"' is 2. A run
 * ending in an even number is an escaped backslash before a plain quote. */
static int quote_level(size_t run)
{
	int level = 0;
	while (run & 1) {
		level++;
		run >>= 1;
	}
	return level;
}

/* Whether s[k...] is a quote of the level whose escape is esc backslashes. */
static int quote_at(const char *s, size_t len, size_t k, size_t esc)
{
	if (k + esc >= len || s[k + esc] != '"')
		return 0;
	for (size_t j = 0; j < esc; j++)
		if (s[k + j] != '\\')
			return 0;
	return 1;
}

static size_t skip_space(const char *s, size_t len, size_t k)
{
	while (k < len && is_one_of(s[k], " \t\r\n"))
		k++;
	return k;
}

/* Where the string value starting at start, at the given level, ends: at its
 * closing quote (less that quote's escape), or at the end of the text when it
 * was cut short, so that a truncated secret is hidden too. */
static size_t string_end(const char *s, size_t len, size_t start, int level)
{
	for (size_t j = start; j < len; j++) {
		if (s[j] != '"')
			continue;
		int l = quote_level(backslashes_before(s, start, j));
		if (l <= level)
			return j - (((size_t)1 << l) - 1);
	}
	return len;
}

/* Whether the quote at q opens a secret key with a string value, as in
 * "password": "..." or, one level down, \"password\":\"...\". Sets the
 * value's extent. */
static int secret_member_at(const char *s, size_t len, size_t q, size_t *vstart, size_t *vend)
{
	int level = quote_level(backslashes_before(s, 0, q));
	if (level > 8)
		return 0;
	size_t esc = ((size_t)1 << level) - 1;
	size_t key = q + 1, k = key;
	while (k < len && is_key_char(s[k]))
		k++;
	if (!quote_at(s, len, k, esc) || !is_secret_name(s + key, k - key))
		return 0;
	k = skip_space(s, len, k + esc + 1);
	if (k >= len || s[k] != ':')
		return 0;
	k = skip_space(s, len, k + 1);
	if (!quote_at(s, len, k, esc))
		return 0;
	*vstart = k + esc + 1;
	*vend = string_end(s, len, *vstart, level);
	return 1;
}

/* JSON string members whose key names a secret, at any depth, also inside
 * JSON that is itself a string value. The text need not be valid JSON. */
static void redact_json(struct strbuf *out, const char *s, size_t len)
{
	size_t copied = 0, vstart, vend;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '"' || !secret_member_at(s, len, i, &vstart, &vend))
			continue;
		sb_add(out, s + copied, vstart - copied);
		sb_adds(out, REDACTED);
		copied = vend;
		i = vend > i ? vend - 1 : i;
	}
	sb_add(out, s + copied, len - copied);
}

/* Every rule at once: URLs' userinfo, JSON members and form fields. */
void redact_into(struct strbuf *out, const char *s, size_t len)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	strip_userinfo(&a, s, len);
	redact_json(&b, a.buf, a.len);
	redact_pairs(out, b.buf, b.len);
	sb_release(&a);
	sb_release(&b);
}

char *redact_url(const char *url)
{
	struct strbuf out = STRBUF_INIT;
	redact_into(&out, url, strlen(url));
	return sb_detach(&out);
}

char *redact_body(const char *body, size_t len)
{
	struct strbuf out = STRBUF_INIT;
	redact_into(&out, body, len);
	return sb_detach(&out);
}

/* "Name: value" when Name is a plain header name; returns the name's length. */
static size_t header_name_len(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	if (!colon || colon == line)
		return 0;
	for (const char *p = line; p < colon; p++)
		if (isspace((unsigned char)*p))
			return 0;
	return (size_t)(colon - line);
}

/* The header's value goes when the header is a secret; any other line (other
 * headers, the request line) keeps all but secrets in URLs and query strings. */
char *redact_header(const char *line)
{
	size_t len = strlen(line), n = len;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	struct strbuf out = STRBUF_INIT;
	size_t name = header_name_len(line, n);
	if (name && is_secret_name(line, name)) {
		sb_add(&out, line, name);
		sb_adds(&out, ": " REDACTED);
	} else {
		redact_into(&out, line, n);
	}
	sb_add(&out, line + n, len - n);
	return sb_detach(&out);
}

/* Each line of a TEXT message from libcurl on its own ("Uses proxy env
 * variable ... == 'http://user:pass@...'" is one of them). Over HTTP/2
 * libcurl also shows each request header in brackets, as in
 * "h2h3 [authorization: Bearer ...]", cut short when long (no ']' then):
 * those go through the header rules. */
char *redact_trace_line(const char *line)
{
	const char *open = strchr(line, '[');
	size_t len = strlen(line);
	int closed = len > 0 && line[len - 1] == ']';
	if (open && header_name_len(open + 1, strlen(open + 1))) {
		char *inner = xstrndup(open + 1, (size_t)(line + len - closed - (open + 1)));
		char *clean = redact_header(inner);
		char *before = redact_body(line, (size_t)(open - line));
		char *out = xasprintf("%s[%s%s", before, clean, closed ? "]" : "");
		free(inner);
		free(clean);
		free(before);
		return out;
	}
	return redact_body(line, len);
}

