/* msg.c: the commit messages of cloudctl-deploy, written and read back.
 *
 *	deploy(apps/shop/overlays/dev): registry.local/shop/frontend 3f2a1bc -> 9d8e7f6
 *
 *	Image: registry.local/shop/frontend
 *	Source-Commit: 9d8e7f6...
 *	Source-Time: 1704067200
 *	Image-Digest: sha256:...
 *
 * With several images the first line is "deploy(PATH): N images" and the
 * body has one "deploy(PATH): NAME OLD -> NEW" line each. The trailers are
 * grouped by "Image:"; history, rollback and the newer-source guard read them. */
#include "deploy.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

void dlog_clear(struct deploy_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		struct deploy_entry *e = &log->e[i];
		free(e->verb), free(e->name), free(e->old), free(e->new_), free(e->source), free(e->digest);
		free(e->rollback_to);
	}
	free(log->e);
	memset(log, 0, sizeof *log);
}

/* "VERB(PATH): NAME OLD -> NEW" */
static int parse_line(const char *line, size_t len, const char *path, struct deploy_log *log)
{
	char *s = xstrndup(line, len), *verb = s, *paren = strchr(s, '(');
	size_t pl = strlen(path);
	int ok = 0;
	if (paren && strncmp(paren + 1, path, pl) == 0 && strncmp(paren + 1 + pl, "): ", 3) == 0) {
		*paren = 0;
		char *rest = paren + 1 + pl + 3, *save = NULL;
		char *name = strtok_r(rest, " ", &save), *old = strtok_r(NULL, " ", &save),
		     *arrow = strtok_r(NULL, " ", &save), *nw = strtok_r(NULL, " ", &save);
		if ((!strcmp(verb, "deploy") || !strcmp(verb, "rollback") || !strcmp(verb, "promote")) && name && old &&
		    arrow && !strcmp(arrow, "->") && nw && !strtok_r(NULL, " ", &save)) {
			log->e = xgrow(log->e, &log->cap, log->n + 1, sizeof *log->e);
			struct deploy_entry *e = &log->e[log->n++];
			memset(e, 0, sizeof *e);
			e->verb = xstrdup(verb), e->name = xstrdup(name), e->old = xstrdup(old), e->new_ = xstrdup(nw);
			e->stime = -1;
			ok = 1;
		}
	}
	free(s);
	return ok;
}

static void set_trailer(struct deploy_entry *e, const char *key, const char *val)
{
	char **slot = !strcmp(key, "Source-Commit") ? &e->source
		      : !strcmp(key, "Image-Digest") ? &e->digest
		      : !strcmp(key, "Rollback-To")  ? &e->rollback_to
						     : NULL;
	if (slot) {
		free(*slot);
		*slot = xstrdup(val);
	} else if (!strcmp(key, "Source-Time"))
		e->stime = parse_source_time(val);
}

void dmsg_parse(const char *msg, const char *path, struct deploy_log *log)
{
	size_t first = log->n;
	struct deploy_entry *cur = NULL;
	for (const char *p = msg; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		if (parse_line(p, len, path, log))
			;
		else if (colon && colon > p && colon + 1 < p + len && colon[1] == ' ') {
			char *key = xstrndup(p, (size_t)(colon - p)), *val = xstrndup(colon + 2, len - (size_t)(colon - p) - 2);
			if (!strcmp(key, "Image")) {
				cur = NULL;
				for (size_t i = first; i < log->n && !cur; i++)
					if (!strcmp(log->e[i].name, val) && !log->e[i].source && log->e[i].stime < 0 &&
					    !log->e[i].digest && !log->e[i].rollback_to)
						cur = &log->e[i];
			} else if (cur)
				set_trailer(cur, key, val);
			free(key);
			free(val);
		}
		p = nl ? nl + 1 : p + len;
	}
}

static void entry_line(struct strbuf *out, const char *path, const struct deploy_entry *e)
{
	sb_addf(out, "%s(%s): %s %s -> %s\n", e->verb, path, e->name, e->old ? e->old : "none",
		e->new_ ? e->new_ : "none");
}

void dmsg_build(struct strbuf *out, const char *path, const struct deploy_entry *e, size_t n, const char *extra)
{
	if (n == 1)
		entry_line(out, path, &e[0]);
	else {
		sb_addf(out, "%s(%s): %zu images\n\n", e[0].verb, path, n);
		for (size_t i = 0; i < n; i++)
			entry_line(out, path, &e[i]);
	}
	sb_adds(out, "\n");
	for (size_t i = 0; i < n; i++) {
		sb_addf(out, "Image: %s\n", e[i].name);
		if (e[i].rollback_to)
			sb_addf(out, "Rollback-To: %s\n", e[i].rollback_to);
		if (e[i].source)
			sb_addf(out, "Source-Commit: %s\n", e[i].source);
		if (e[i].stime >= 0)
			sb_addf(out, "Source-Time: %lld\n", e[i].stime);
		if (e[i].digest)
			sb_addf(out, "Image-Digest: %s\n", e[i].digest);
	}
	if (extra && *extra)
		sb_adds(out, extra);
}

long long parse_source_time(const char *s)
{
	long long v;
	if (!s || !*s)
		return -1;
	if (parse_ll(s, 0, 253402300799LL, &v) == 0)
		return v;
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -1;
	if (*rest == '.')
		for (rest++; isdigit((unsigned char)*rest); rest++)
			;
	long long off = 0;
	if (*rest == 'Z' || *rest == 'z')
		rest++;
	else if ((*rest == '+' || *rest == '-') && isdigit((unsigned char)rest[1]) && isdigit((unsigned char)rest[2]) &&
		 rest[3] == ':' && isdigit((unsigned char)rest[4]) && isdigit((unsigned char)rest[5])) {
		off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 + ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
		if (*rest == '-')
			off = -off;
		rest += 6;
	} else
		return -1;
	if (*rest)
		return -1;
	return (long long)timegm(&tm) - off;
}

void fmt_time(char *buf, size_t n, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int image_ref_parse(const char *ref, struct image_ref *out)
{
	memset(out, 0, sizeof *out);
	char *s = xstrdup(ref), *at = strchr(s, '@');
	if (at) {
		*at = 0;
		out->digest = xstrdup(at + 1);
	}
	char *slash = strrchr(s, '/'), *colon = strrchr(s, ':');
	if (colon && (!slash || colon > slash)) {
		*colon = 0;
		out->tag = xstrdup(colon + 1);
	}
	out->repo = s;
	if (!*s || (out->tag && !*out->tag) || (out->digest && !strchr(out->digest, ':'))) {
		image_ref_clear(out);
		return -1;
	}
	return 0;
}

void image_ref_clear(struct image_ref *r)
{
	free(r->repo), free(r->tag), free(r->digest);
	memset(r, 0, sizeof *r);
}
