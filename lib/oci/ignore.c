/* ignore.c: .dockerignore rules (see ignore.h). Docker turns each pattern into
 * a regular expression; this matcher walks the pattern directly with the same
 * meaning: '*' is [^/]*, '?' is [^/], a "**" then '/' is (.*\/)?, a final "**"
 * is .* */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "oci/ignore.h"
#include "oci/pathcheck.h"

struct pattern {
	char *pat;
	int exception; /* "!pattern" */
};

struct ignore {
	struct pattern *p;
	size_t n, cap;
	int exceptions;
};

/* ---- cleaning, as Go's filepath.Clean ---- */

static char *clean_path(const char *in)
{
	struct strlist parts = STRLIST_INIT;
	const char *s = in;
	while (*s) {
		size_t len = strcspn(s, "/");
		if (len == 2 && s[0] == '.' && s[1] == '.' && parts.n && strcmp(parts.v[parts.n - 1], "..") != 0) {
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
		} else if (len && !(len == 2 && s[0] == '.' && s[1] == '.' && in[0] == '/') &&
			   !(len == 1 && s[0] == '.')) {
			char *part = xstrndup(s, len);
			strlist_add(&parts, part);
			free(part);
		}
		s += len;
		while (*s == '/')
			s++;
	}
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			sb_addc(&out, '/');
		sb_adds(&out, parts.v[i]);
	}
	if (!out.len)
		sb_addc(&out, '.');
	strlist_clear(&parts);
	return sb_detach(&out);
}

/* ---- matching ---- */

/* Length of a bracket class starting at p ('['), or 0 when it is not closed. */
static size_t class_len(const char *p)
{
	size_t i = 1;
	if (p[i] == '^')
		i++;
	for (; p[i]; i++) {
		if (p[i] == '\\' && p[i + 1])
			i++;
		else if (p[i] == ']' && i > 1 + (p[1] == '^'))
			return i + 1;
	}
	return 0;
}

static int class_match(const char *p, size_t len, unsigned char c)
{
	size_t i = 1, end = len - 1;
	int neg = p[i] == '^', hit = 0;
	if (neg)
		i++;
	while (i < end) {
		unsigned char lo = (unsigned char)p[i];
		if (lo == '\\' && i + 1 < end)
			lo = (unsigned char)p[++i];
		unsigned char hi = lo;
		if (i + 2 < end && p[i + 1] == '-') {
			hi = (unsigned char)p[i + 2];
			if (hi == '\\' && i + 3 < end)
				hi = (unsigned char)p[i + 3], i++;
			i += 2;
		}
		if (c >= lo && c <= hi)
			hit = 1;
		i++;
	}
	return hit != neg && c != '/';
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static int match_here(const char *p, const char *s)
{
	for (;;) {
		if (!*p)
			return !*s;
		if (p[0] == '*' && p[1] == '*') {
			p += 2;
			if (*p == '/') {
				p++; /* (.*\/)? : here, or after any later '/' */
				if (match_here(p, s))
					return 1;
				for (const char *t = s; *t; t++)
					if (*t == '/' && match_here(p, t + 1))
						return 1;
				return 0;
			}
			if (!*p)
				return 1;
			for (const char *t = s;; t++) { /* ".*" in the middle of a name */
				if (match_here(p, t))
					return 1;
				if (!*t)
					return 0;
			}
		}
		if (*p == '*') {
			p++;
			for (const char *t = s;; t++) {
				if (match_here(p, t))
					return 1;
				if (!*t || *t == '/')
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			if (*s == '/')
				return 0;
			p++, s += char_len(s);
			continue;
		}
		if (*p == '[') {
			size_t len = class_len(p);
			if (!len || !class_match(p, len, (unsigned char)*s))
				return 0;
			p += len, s++;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		if (*p != *s)
			return 0;
		p++, s++;
	}
}

/* The pattern matches rel, or one of rel's parent directories. */
static int match_or_parent(const char *pat, const char *rel)
{
	if (match_here(pat, rel))
		return 1;
	char *copy = xstrdup(rel);
	int hit = 0;
	for (char *slash = strchr(copy, '/'); slash && !hit; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		hit = match_here(pat, copy);
		*slash = '/';
	}
	free(copy);
	return hit;
}

int ignore_match(const struct ignore *ig, const char *rel)
{
	if (!ig)
		return 0;
	int matched = 0;
	for (size_t i = 0; i < ig->n; i++) {
		if (ig->p[i].exception != matched)
			continue; /* it could not change the answer */
		if (match_or_parent(ig->p[i].pat, rel))
			matched = !ig->p[i].exception;
	}
	return matched;
}

/* ---- parsing ---- */

static int bad_syntax(const char *pat)
{
	for (const char *p = pat; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[') {
			size_t len = class_len(p);
			if (!len)
				return 1;
			p += len - 1;
		}
	}
	return 0;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\v' || s[n - 1] == '\f'))
		s[--n] = '\0';
	return s;
}

static int add_line(struct ignore *ig, char *line, const char *name, long lineno, struct strbuf *err)
{
	if (line[0] == '#')
		return 0;
	char *pat = trim(line);
	if (!*pat)
		return 0;
	int exception = pat[0] == '!';
	if (exception)
		pat = trim(pat + 1);
	if (exception && !*pat)
		return sb_fail(err, EXIT_DATA, "%s:%ld: illegal exclusion pattern '!'", name, lineno);
	char *clean = clean_path(pat);
	if (bad_syntax(clean)) {
		free(clean);
		return sb_fail(err, EXIT_DATA, "%s:%ld: bad pattern '%s' (unclosed '[')", name, lineno, pat);
	}
	ig->p = xgrow(ig->p, &ig->cap, ig->n + 1, sizeof *ig->p);
	ig->p[ig->n++] = (struct pattern){ clean, exception };
	ig->exceptions |= exception;
	return 0;
}

int ignore_parse(const char *text, size_t n, const char *name, struct ignore **out, struct strbuf *err)
{
	struct ignore *ig = xcalloc(1, sizeof *ig);
	char *copy = xstrndup(text, n);
	char *s = copy;
	if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3; /* a byte order mark */
	int rc = 0;
	for (long lineno = 1; s && !rc; lineno++) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		rc = add_line(ig, s, name, lineno, err);
		s = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (rc) {
		ignore_free(ig);
		ig = NULL;
	}
	*out = ig;
	return rc;
}

int ignore_load(const char *path, int optional, struct ignore **out, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	*out = NULL;
	if (sb_read_file(&text, path) < 0) {
		int e = errno;
		sb_release(&text);
		if (e == ENOENT && optional)
			return 0;
		return sb_fail(err, exit_for_errno(e), "%s: %s", path, strerror(e));
	}
	int rc = ignore_parse(text.buf, text.len, path, out, err);
	sb_release(&text);
	return rc;
}

int ignore_has_exceptions(const struct ignore *ig)
{
	return ig && ig->exceptions;
}

size_t ignore_count(const struct ignore *ig)
{
	return ig ? ig->n : 0;
}

void ignore_free(struct ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++)
		free(ig->p[i].pat);
	free(ig->p);
	free(ig);
}
