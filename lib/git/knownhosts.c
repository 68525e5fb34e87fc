/* knownhosts.c: OpenSSH known_hosts, read the way ssh reads it (sshd(8),
 * "SSH_KNOWN_HOSTS FILE FORMAT"). */
#include "knownhosts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"

void kh_key_type(const unsigned char *key, size_t keylen, struct strbuf *out)
{
	sb_reset(out);
	if (keylen < 4)
		return;
	size_t n = ((size_t)key[0] << 24) | ((size_t)key[1] << 16) | ((size_t)key[2] << 8) | key[3];
	if (n <= keylen - 4 && n < 64)
		sb_add(out, key + 4, n);
}

static int same_char(char p, char s)
{
	return p == '?' || tolower((unsigned char)p) == tolower((unsigned char)s);
}

/* Iterative, with one point to return to (the last '*'): a recursive match
 * of "a*a*a*...b" took exponential time (fuzz_knownhosts timed out on a line
 * of some 40 stars); this is O(pattern x name). */
int kh_pattern_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p && same_char(*p, *s)) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)) */
static int hashed_match(const char *entry, const char *name)
{
	struct strbuf salt = STRBUF_INIT, want = STRBUF_INIT;
	const char *bar = strchr(entry + 3, '|');
	int ok = 0;
	if (bar) {
		char *s = xstrndup(entry + 3, (size_t)(bar - entry - 3));
		if (base64_decode(s, &salt) == 0 && base64_decode(bar + 1, &want) == 0 && want.len == 20) {
			unsigned char mac[EVP_MAX_MD_SIZE];
			unsigned int maclen = 0;
			HMAC(EVP_sha1(), salt.buf, (int)salt.len, (const unsigned char *)name, strlen(name), mac,
			     &maclen);
			ok = maclen == 20 && memcmp(mac, want.buf, 20) == 0;
		}
		free(s);
	}
	sb_release(&salt);
	sb_release(&want);
	return ok;
}

/* Whether the comma-separated host list names name: some pattern matches and
 * no negated one does. */
static int hosts_match(char *list, const char *name)
{
	if (str_starts(list, "|1|"))
		return hashed_match(list, name);
	int hit = 0;
	for (char *save = NULL, *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int neg = *p == '!';
		if (kh_pattern_match(p + neg, name)) {
			if (neg)
				return 0;
			hit = 1;
		}
	}
	return hit;
}

struct kh_state {
	const char *name, *type;
	const unsigned char *key;
	size_t keylen;
	int result;
	struct strbuf *where;
};

/* One line: [@marker] hosts keytype base64key [comment] */
static void check_line(char *line, const char *file, long lineno, struct kh_state *st)
{
	char *save = NULL, *marker = NULL;
	char *f = strtok_r(line, " \t\r\n", &save);
	if (!f || *f == '#')
		return;
	if (*f == '@') {
		marker = f;
		f = strtok_r(NULL, " \t\r\n", &save);
	}
	char *type = strtok_r(NULL, " \t\r\n", &save), *b64 = strtok_r(NULL, " \t\r\n", &save);
	if (!f || !type || !b64 || (marker && strcmp(marker, "@revoked") != 0))
		return; /* malformed, or @cert-authority */
	struct strbuf blob = STRBUF_INIT;
	int same = base64_decode(b64, &blob) == 0 && blob.len == st->keylen &&
		   memcmp(blob.buf, st->key, st->keylen) == 0;
	sb_release(&blob);
	if (marker) { /* @revoked: the key, whatever the host */
		if (same) {
			st->result = KH_REVOKED;
			if (st->where)
				sb_addf(st->where, "%s:%ld", file, lineno);
		}
		return;
	}
	if (strcmp(type, st->type) != 0 || !hosts_match(f, st->name))
		return;
	if (same && st->result != KH_REVOKED)
		st->result = KH_MATCH;
	else if (!same && st->result == KH_UNKNOWN) {
		st->result = KH_CHANGED;
		if (st->where)
			sb_addf(st->where, "%s:%ld", file, lineno);
	}
}

static int check_file(const char *path, struct kh_state *st, struct strbuf *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return sb_fail(err, -1, "%s: %s", path, strerror(errno));
	}
	char *line = NULL;
	size_t cap = 0;
	long n = 0;
	while (getline(&line, &cap, f) > 0)
		check_line(line, path, ++n, st);
	free(line);
	fclose(f);
	return 0;
}

int kh_check(const char *const *files, const char *host, int port, const unsigned char *key,
	     size_t keylen, struct strbuf *where, struct strbuf *err)
{
	struct strbuf type = STRBUF_INIT;
	kh_key_type(key, keylen, &type);
	char *name = port == 22 || port <= 0 ? xstrdup(host) : xasprintf("[%s]:%d", host, port);
	struct kh_state st = { name, type.buf, key, keylen, KH_UNKNOWN, where };
	int rc = 0;
	for (size_t i = 0; files[i] && rc == 0; i++)
		rc = check_file(files[i], &st, err);
	/* A match in one file wins over another key in an older file, as in ssh;
	 * a revoked key never does. */
	free(name);
	sb_release(&type);
	return rc < 0 ? -1 : st.result;
}
