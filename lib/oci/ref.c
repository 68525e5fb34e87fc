/* ref.c: see ref.h. */
#include "oci/ref.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static int is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static int is_alnum(char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

static int is_hex_lower(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* One path component: alphanumeric runs joined by ".", "_", "__" or "-"+. */
static int component_valid(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		size_t run = i;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == run)
			return 0; /* empty, or a separator at the start, the end or twice */
		if (i == n)
			return 1;
		if (s[i] == '.' || (s[i] == '_' && (i + 1 >= n || s[i + 1] != '_')))
			i++;
		else if (s[i] == '_')
			i += 2;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return 0;
	}
}

int oci_ref_repo_valid(const char *repo)
{
	if (!repo || !*repo || strlen(repo) > NAME_MAX_LEN)
		return 0;
	for (const char *p = repo;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (!component_valid(p, n))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

int oci_ref_tag_valid(const char *tag)
{
	size_t n = tag ? strlen(tag) : 0;
	if (n == 0 || n > TAG_MAX_LEN || !(is_alnum(tag[0]) || tag[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(tag[i]) && tag[i] != '_' && tag[i] != '.' && tag[i] != '-')
			return 0;
	return 1;
}

int oci_ref_digest_valid(const char *digest)
{
	size_t hex;
	if (str_starts(digest, "sha256:"))
		hex = 64;
	else if (str_starts(digest, "sha512:"))
		hex = 128;
	else
		return 0;
	const char *h = digest + 7;
	if (strlen(h) != hex)
		return 0;
	for (size_t i = 0; i < hex; i++)
		if (!is_hex_lower(h[i]))
			return 0;
	return 1;
}

/* A DNS label: alphanumeric at both ends, '-' inside. */
static int label_valid(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int port_valid(const char *s)
{
	long long port;
	return *s && strspn(s, "0123456789") == strlen(s) && parse_ll(s, 1, 65535, &port) == 0;
}

/* "[::1]" style: hex digits, ':' and '.' (an embedded IPv4) inside the brackets. */
static int ipv6_valid(const char *s, size_t n)
{
	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_hex_lower(s[i] | 0x20) && s[i] != ':' && s[i] != '.')
			return 0;
	return 1;
}

int oci_ref_host_valid(const char *host)
{
	if (!host || !*host)
		return 0;
	const char *end = host[0] == '[' ? strchr(host, ']') : NULL;
	const char *colon = strchr(end ? end : host, ':');
	size_t n = colon ? (size_t)(colon - host) : strlen(host);
	if (colon && !port_valid(colon + 1))
		return 0;
	if (host[0] == '[')
		return ipv6_valid(host, n);
	for (size_t i = 0; i < n;) {
		const char *dot = memchr(host + i, '.', n - i);
		size_t len = dot ? (size_t)(dot - host) - i : n - i;
		if (!label_valid(host + i, len))
			return 0;
		i += len + 1;
		if (dot && i == n)
			return 0; /* a trailing dot */
	}
	return 1;
}

/* Whether the first component names a registry, as distribution decides. */
static int looks_like_host(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && memcmp(s, "localhost", 9) == 0) ||
	       (n > 0 && s[0] == '[');
}

static int has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

/* name ("host/path") into host and repo. */
static int split_name(const char *text, const char *name, struct oci_ref *out, struct strbuf *err)
{
	const char *slash = strchr(name, '/');
	if (!slash || !looks_like_host(name, (size_t)(slash - name)))
		return sb_fail(err, EXIT_USAGE,
			       "invalid image reference '%s': no registry host (write HOST[:PORT]/NAME; "
			       "there is no default registry)", text);
	out->host = xstrndup(name, (size_t)(slash - name));
	out->repo = xstrdup(slash + 1);
	if (!oci_ref_host_valid(out->host))
		return sb_fail(err, EXIT_USAGE, "invalid image reference '%s': bad registry host '%s'", text, out->host);
	if (has_upper(out->repo))
		return sb_fail(err, EXIT_USAGE, "invalid image reference '%s': the repository name must be lower-case",
			       text);
	if (strlen(name) > NAME_MAX_LEN)
		return sb_fail(err, EXIT_USAGE, "invalid image reference '%s': the name is longer than %d characters",
			       text, NAME_MAX_LEN);
	if (!oci_ref_repo_valid(out->repo))
		return sb_fail(err, EXIT_USAGE,
			       "invalid image reference '%s': bad repository name '%s' (components of a-z 0-9 "
			       "joined by '.', '_', '__' or '-', separated by '/')", text, out->repo);
	return 0;
}

static int parse_into(const char *s, struct oci_ref *out, struct strbuf *err)
{
	char *name = xstrdup(s);
	int rc = 0;
	char *at = strchr(name, '@');
	if (at) {
		*at = '\0';
		out->digest = xstrdup(at + 1);
		if (!oci_ref_digest_valid(out->digest))
			rc = sb_fail(err, EXIT_USAGE, "invalid image reference '%s': bad digest '%s' (want sha256: and "
				     "64 lower-case hex digits)", s, out->digest);
	}
	char *last_slash = strrchr(name, '/'), *colon = strrchr(name, ':');
	if (!rc && colon && (!last_slash || colon > last_slash)) {
		*colon = '\0';
		out->tag = xstrdup(colon + 1);
		if (!oci_ref_tag_valid(out->tag))
			rc = sb_fail(err, EXIT_USAGE, "invalid image reference '%s': bad tag '%s' (A-Z a-z 0-9 _ . -, "
				     "at most 128, not starting with '.' or '-')", s, out->tag);
	}
	if (!rc)
		rc = split_name(s, name, out, err);
	free(name);
	return rc;
}

int oci_ref_parse(const char *s, struct oci_ref *out, struct strbuf *err)
{
	oci_ref_release(out);
	int rc = parse_into(s, out, err);
	if (rc)
		oci_ref_release(out);
	return rc;
}

void oci_ref_release(struct oci_ref *r)
{
	free(r->host);
	free(r->repo);
	free(r->tag);
	free(r->digest);
	*r = (struct oci_ref)OCI_REF_INIT;
}

char *oci_ref_string(const struct oci_ref *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s/%s", r->host, r->repo);
	if (r->tag)
		sb_addf(&sb, ":%s", r->tag);
	if (r->digest)
		sb_addf(&sb, "@%s", r->digest);
	return sb_detach(&sb);
}

const char *oci_ref_reference(const struct oci_ref *r)
{
	return r->digest ? r->digest : r->tag;
}
