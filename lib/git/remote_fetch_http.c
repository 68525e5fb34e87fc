/* remote_fetch_http.c: a fetch over https in two requests at most.
 *
 * libgit2 1.5 fetches as git does over smart HTTP: GET info/refs (first
 * without credentials, answered 401, then again with them), then POST
 * git-upload-pack once to negotiate and once more to say "done": four or five
 * requests, each a run of git behind git http-backend. A bump's cache knows
 * the last tip it saw, which the server has, so one "have" is all the
 * negotiation it needs: GET the advertisement (credentials sent up front),
 * and when the branch moved, one POST of want, have and done, answered with
 * the pack (gitprotocol-http(5), gitprotocol-pack(5): side-band-64k). The pack
 * goes into the cache through libgit2's indexer (git_odb_write_pack). Anything
 * unexpected leaves the cache as it was and libgit2 fetches instead. */
#include "remote_private.h"

#include <git2/sys/odb_backend.h>
#include <string.h>

#include "http.h"
#include "log.h"

#define ADVERT_TYPE "application/x-git-upload-pack-advertisement"
#define RESULT_TYPE "application/x-git-upload-pack-result"

/* The capability of the space-separated list [caps, end) that is name
 * ("side-band-64k"), or that starts with it when it ends in ':' or '='
 * ("symref=HEAD:"): its start, its length in *len; NULL when none. */
static const char *cap_find(const char *caps, const char *end, const char *name, size_t *len)
{
	size_t n = strlen(name);
	int prefix = n && (name[n - 1] == ':' || name[n - 1] == '=');
	for (const char *p = caps; p < end;) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *e = sp ? sp : end;
		size_t tl = (size_t)(e - p);
		if ((tl == n || (prefix && tl > n)) && !memcmp(p, name, n)) {
			*len = tl;
			return p;
		}
		p = e + 1;
	}
	return NULL;
}

int gitr_upload_advert(const char *body, size_t len, char **branch, git_oid *out)
{
	const char *p = body, *end = body + len, *data;
	size_t n;
	int r, found = 0, first = 1;
	char *ref = *branch ? xasprintf("refs/heads/%s", *branch) : NULL;
	if (gitr_pkt_next(&p, end, &data, &n) != 1 || n < 10 || memcmp(data, "# service=", 10) ||
	    gitr_pkt_next(&p, end, &data, &n) != 0)
		r = -1;
	else
		while ((r = gitr_pkt_next(&p, end, &data, &n)) == 1) {
			const char *nul = memchr(data, '\0', n);
			size_t line = nul ? (size_t)(nul - data) : n;
			if (first) {
				if (n == 0) { /* "0004": an empty first ref line has no capabilities */
					r = -1;
					break;
				}
				const char *cend = data + n - (data[n - 1] == '\n'), *head;
				size_t cl;
				if (!nul || !cap_find(nul + 1, cend, "side-band-64k", &cl)) {
					r = -1;
					break;
				}
				if (!ref && (head = cap_find(nul + 1, cend, "symref=HEAD:", &cl)) != NULL)
					ref = xstrndup(head + 12, cl - 12);
				first = 0;
			}
			while (line && data[line - 1] == '\n')
				line--;
			if (ref && line == 41 + strlen(ref) && data[40] == ' ' && !memcmp(data + 41, ref, line - 41) &&
			    git_oid_fromstrn(out, data, 40) == 0)
				found = 1;
		}
	/* symref=HEAD:X comes from the server: X need not name a branch, nor be
	 * 11 bytes long */
	int rc = r == 0 && ref && str_starts(ref, "refs/heads/") ? found : -1;
	if (rc == 1 && !*branch)
		*branch = xstrdup(ref + 11);
	free(ref);
	return rc;
}

/* What to say the cache has: the branch's tip as it last saw it. */
static int have_for(struct gitr *g, const char *branch, git_oid *have)
{
	if (!git_oid_is_zero(&g->tip)) {
		*have = g->tip;
		return 0;
	}
	char *hint = xasprintf("refs/remotes/origin/%s", branch);
	int rc = git_reference_name_to_id(have, g->repo, hint);
	free(hint);
	return rc;
}

int gitr_upload_result(const char *body, size_t len, git_odb_writepack *wp, git_indexer_progress *st)
{
	const char *p = body, *end = body + len, *data;
	size_t n;
	int r, packed = 0;
	while ((r = gitr_pkt_next(&p, end, &data, &n)) == 1) {
		if (!packed && n >= 3 && (!memcmp(data, "ACK", 3) || !memcmp(data, "NAK", 3)))
			continue;
		if (n == 0 || data[0] == 3 || data[0] > 3)
			return -1;
		if (data[0] == 1 && wp->append(wp, data + 1, n - 1, st) < 0)
			return -1;
		packed = 1;
	}
	return r == 0 && packed ? 0 : -1;
}

/* POST want, have and done; the pack into the cache. 0, or -1 (nothing kept). */
static int fetch_pack(struct gitr *g, struct http_client *c, const git_oid *want, const git_oid *have)
{
	struct strbuf body = STRBUF_INIT, line = STRBUF_INIT;
	sb_addf(&line, "want %s side-band-64k ofs-delta no-progress agent=cloudctl/%s\n", git_oid_tostr_s(want),
		CLOUDCTL_VERSION);
	gitr_pkt_line(&body, line.buf, line.len);
	sb_adds(&body, "0000");
	sb_reset(&line);
	sb_addf(&line, "have %s\n", git_oid_tostr_s(have));
	gitr_pkt_line(&body, line.buf, line.len);
	gitr_pkt_line(&body, "done\n", 5);
	struct http_response resp = HTTP_RESPONSE_INIT;
	gitr_http(g, c, "POST", "git-upload-pack", "upload-pack", body.buf, body.len, &resp);
	const char *type = http_header_get(&resp, "Content-Type");
	int rc = -1;
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress st = { 0 };
	if (resp.status == 200 && type && str_starts(type, RESULT_TYPE) && git_repository_odb(&odb, g->repo) == 0 &&
	    git_odb_write_pack(&wp, odb, NULL, NULL) == 0 && gitr_upload_result(resp.body.buf, resp.body.len, wp, &st) == 0 &&
	    wp->commit(wp, &st) == 0)
		rc = git_odb_exists(odb, want) ? 0 : -1;
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	http_response_release(&resp);
	sb_release(&body);
	sb_release(&line);
	return rc;
}

int gitr_fetch_http(struct gitr *g)
{
	/* A new cache (no tip of the branch, or of the default one, seen yet) is
	 * cloned by libgit2. */
	git_oid have;
	git_reference *head = NULL;
	int known = g->branch ? have_for(g, g->branch, &have) == 0
			      : git_reference_lookup(&head, g->repo, "refs/remotes/origin/HEAD") == 0;
	git_reference_free(head);
	if (!known)
		return GITR_FALLBACK;
	struct http_client *c = gitr_http_client(g);
	struct http_response resp = HTTP_RESPONSE_INIT;
	gitr_http(g, c, "GET", "info/refs?service=git-upload-pack", NULL, NULL, 0, &resp);
	const char *type = http_header_get(&resp, "Content-Type");
	char *branch = g->branch ? xstrdup(g->branch) : NULL;
	git_oid tip;
	int rc = GITR_FALLBACK;
	if (resp.status == 200 && type && str_starts(type, ADVERT_TYPE) &&
	    gitr_upload_advert(resp.body.buf, resp.body.len, &branch, &tip) == 1 &&
	    (g->branch || have_for(g, branch, &have) == 0)) {
		git_odb *odb = NULL;
		int present = git_repository_odb(&odb, g->repo) == 0 && git_odb_exists(odb, &tip);
		git_odb_free(odb);
		if (present || fetch_pack(g, c, &tip, &have) == 0) {
			if (!g->branch)
				g->branch = xstrdup(branch);
			g->tip = tip;
			gitr_set_hint(g, &tip);
			rc = 0;
		}
	}
	if (rc != 0)
		debug("fetch: %s: not in two requests, libgit2 fetches", g->display_url);
	free(branch);
	http_response_release(&resp);
	return rc;
}
