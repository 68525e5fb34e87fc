/* remote_http.c: a push over https in one request.
 *
 * libgit2 pushes as git does: GET info/refs?service=git-receive-pack for the
 * refs and capabilities, then POST git-receive-pack. Behind git http-backend
 * each request is a run of git on the server, most of what a bump costs it.
 * We already know what the branch should be (g->tip) and what to send (one
 * commit on it), so the command and the pack go in a single POST:
 * receive-pack checks the old value under its ref lock and reports per ref
 * (gitprotocol-http(5), gitprotocol-pack(5): report-status in side-band-64k).
 * A server that does not answer that POST with a receive-pack result (a 404,
 * a 401 to ask for credentials, another protocol) gets libgit2's push. */
#include "remote_private.h"
#include "secret.h"

#include <string.h>

#include "creds.h"
#include "http.h"
#include "log.h"

#define RESULT_TYPE "application/x-git-receive-pack-result"

void gitr_pkt_line(struct strbuf *sb, const char *data, size_t len)
{
	sb_addf(sb, "%04zx", len + 4);
	sb_add(sb, data, len);
}

int gitr_pkt_next(const char **p, const char *end, const char **data, size_t *len)
{
	if (end - *p < 4)
		return -1;
	unsigned n = 0;
	for (int i = 0; i < 4; i++) {
		char c = (*p)[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		n = n * 16 + (unsigned)v;
	}
	if (n == 0) {
		*p += 4;
		return 0;
	}
	if (n < 4 || (size_t)(end - *p) < n)
		return -1;
	*data = *p + 4;
	*len = n - 4;
	*p += n;
	return 1;
}

/* The objects of tree now that tree before (at the same path; may be NULL)
 * does not have at the same name: the trees down to each changed file. */
static int add_changed(git_packbuilder *pb, git_repository *repo, const git_tree *now, const git_tree *before)
{
	for (size_t i = 0; i < git_tree_entrycount(now); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(now, i);
		const git_tree_entry *old = before ? git_tree_entry_byname(before, git_tree_entry_name(e)) : NULL;
		git_object_t type = git_tree_entry_type(e);
		if ((old && git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(old))) || type == GIT_OBJECT_COMMIT)
			continue; /* unchanged, or a submodule's commit (not ours to send) */
		if (git_packbuilder_insert(pb, git_tree_entry_id(e), git_tree_entry_name(e)) < 0)
			return -1;
		if (type != GIT_OBJECT_TREE)
			continue;
		git_tree *sub = NULL, *oldsub = NULL;
		int rc = git_tree_lookup(&sub, repo, git_tree_entry_id(e));
		if (rc == 0 && old && git_tree_entry_type(old) == GIT_OBJECT_TREE)
			rc = git_tree_lookup(&oldsub, repo, git_tree_entry_id(old));
		if (rc == 0)
			rc = add_changed(pb, repo, sub, oldsub);
		git_tree_free(sub);
		git_tree_free(oldsub);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The pack of commit (whose one parent is g->tip): 1 when it is not such a
 * commit (libgit2 pushes it), 0 with pack filled, -1 on error. */
static int build_pack(struct gitr *g, const git_oid *commit, git_buf *pack)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_packbuilder *pb = NULL;
	int rc = -1;
	if (git_commit_lookup(&c, g->repo, commit) < 0)
		goto out;
	if (git_commit_parentcount(c) != 1 || !git_oid_equal(git_commit_parent_id(c, 0), &g->tip)) {
		rc = 1;
		goto out;
	}
	if (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&tree, c) < 0 || git_commit_tree(&ptree, parent) < 0 ||
	    git_packbuilder_new(&pb, g->repo) < 0)
		goto out;
	git_packbuilder_set_threads(pb, 1);
	if (git_packbuilder_insert(pb, commit, NULL) < 0)
		goto out;
	if (!git_oid_equal(git_tree_id(tree), git_tree_id(ptree)) &&
	    (git_packbuilder_insert(pb, git_tree_id(tree), NULL) < 0 || add_changed(pb, g->repo, tree, ptree) < 0))
		goto out;
	rc = git_packbuilder_write_buf(pack, pb) < 0 ? -1 : 0;
out:
	git_packbuilder_free(pb);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(c);
	return rc;
}

/* The last non-empty line of a side-band 2 message, into msg. */
static void keep_last_line(struct strbuf *msg, const char *data, size_t len)
{
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	size_t start = len;
	while (start && data[start - 1] != '\n' && data[start - 1] != '\r')
		start--;
	if (len > start) {
		sb_reset(msg);
		sb_add(msg, data + start, len - start);
	}
}

/* receive-pack's answer: its report (side-band 1) into report, the last line
 * of its messages (side-band 2, hooks' stderr) into msg. -1 when malformed;
 * a side-band 3 (fatal) message goes into msg with -1 too. */
static int demux(const char *body, size_t len, struct strbuf *report, struct strbuf *msg)
{
	const char *p = body, *end = body + len, *data;
	size_t n;
	int r;
	if (gitr_pkt_next(&p, end, &data, &n) == 1 && n && data[0] > 3) {
		sb_add(report, body, len); /* a server without side-band: the report as is */
		return 0;
	}
	p = body;
	while ((r = gitr_pkt_next(&p, end, &data, &n)) == 1) {
		if (n == 0)
			return -1;
		if (data[0] == 1)
			sb_add(report, data + 1, n - 1);
		else if (data[0] == 2)
			keep_last_line(msg, data + 1, n - 1);
		else {
			sb_reset(msg);
			sb_add(msg, data + 1, n - 1);
			return -1;
		}
	}
	return r == 0 ? 0 : -1;
}

/* The report-status lines: 0 when the ref was updated, GITR_REJECTED with the
 * server's reason in status, -1 when the report does not say. */
static int read_report(const struct strbuf *report, const char *ref, struct strbuf *status)
{
	const char *p = report->buf, *end = report->buf + report->len, *data;
	size_t n, rlen = strlen(ref);
	int r, unpack_ok = 0;
	while ((r = gitr_pkt_next(&p, end, &data, &n)) == 1) {
		while (n && data[n - 1] == '\n')
			n--;
		if (n >= 7 && !memcmp(data, "unpack ", 7)) {
			unpack_ok = n == 9 && !memcmp(data + 7, "ok", 2);
			if (!unpack_ok) {
				sb_reset(status);
				sb_add(status, data, n);
			}
		} else if (n == 3 + rlen && !memcmp(data, "ok ", 3) && !memcmp(data + 3, ref, rlen))
			return unpack_ok ? 0 : GITR_REJECTED;
		else if (n > 4 + rlen && !memcmp(data, "ng ", 3) && !memcmp(data + 3, ref, rlen) && data[3 + rlen] == ' ') {
			sb_reset(status);
			sb_add(status, data + 4 + rlen, n - 4 - rlen);
			return GITR_REJECTED;
		}
	}
	return -1;
}

struct http_client *gitr_http_client(struct gitr *g)
{
	/* One for the run: a retry's fetch rides the refused push's connection,
	 * and libcurl parses the CA bundle once, not per request. */
	if (g->http)
		return g->http;
	struct http_opts o = HTTP_OPTS_INIT;
	o.cacert = g->cacert;
	o.max_retries = 2; /* only failures before anything was sent, for a push */
	o.http1 = 1;       /* lighttpd ends an HTTP/2 stream it refuses (401) before its answer */
	o.user_agent = "git/2.0 (cloudctl/" CLOUDCTL_VERSION ")";
	return g->http = http_client_new(&o);
}

void gitr_http(struct gitr *g, struct http_client *c, const char *method, const char *path, const char *service,
	       const char *body, size_t len, struct http_response *resp)
{
	struct git_userpass up = { 0 };
	char *auth = NULL, *auth_h = NULL, *type_h = NULL, *accept_h = NULL;
	if (git_creds_lookup(g->url, g->cb->username, g->cb->password, &up)) {
		auth = http_basic_auth(up.user, up.password);
		auth_h = xasprintf("Authorization: %s", auth);
		secret_free(auth);
		git_userpass_clear(&up);
	}
	const char *headers[5] = { "Expect:" };
	size_t nh = 1;
	if (service) {
		headers[nh++] = type_h = xasprintf("Content-Type: application/x-git-%s-request", service);
		headers[nh++] = accept_h = xasprintf("Accept: application/x-git-%s-result", service);
	}
	headers[nh] = auth_h;
	char *url = xasprintf("%s%s%s", g->url, str_ends(g->url, "/") ? "" : "/", path);
	/* upload-pack only reads: its POST may be sent again */
	struct http_request req = { method, url, headers, body, len, service && !strcmp(service, "upload-pack") };
	long long t0 = now_ms();
	int rc = http_do(c, &req, resp);
	debug("%s %s/%s: HTTP %ld in %lld ms%s%s", method, g->display_url, path, resp->status, now_ms() - t0,
	      rc ? ": " : "", rc ? resp->errbuf : "");
	free(url);
	secret_free(auth_h);
	free(type_h);
	free(accept_h);
}

/* What the server answered: see gitr_push_http. */
static int answer(struct gitr *g, const struct http_response *resp, const char *ref, struct strbuf *err)
{
	if (resp->status == 0) {
		/* Unsent (a certificate refused, say) or refused before the body
		 * was read: libgit2 tries, and says why in its own words. */
		if (!resp->sent || (resp->cut_status && resp->cut_status != 200))
			return GITR_FALLBACK;
		return sb_fail(err, EXIT_UNAVAIL, "%s: push: %s", g->display_url, resp->errbuf);
	}
	const char *type = http_header_get(resp, "Content-Type");
	if (resp->status != 200 || !type || !str_starts(type, RESULT_TYPE))
		return GITR_FALLBACK;
	struct strbuf why = STRBUF_INIT;
	int rc = gitr_receive_report(resp->body.buf, resp->body.len, ref, &why);
	if (rc == -1)
		rc = sb_fail(err, EXIT_UNAVAIL, "%s: push: the server's answer cannot be read%s%s", g->display_url,
			     why.len ? ": " : "", why.buf);
	else if (rc == GITR_REJECTED) {
		sb_reset(err);
		sb_addf(err, "%s", why.buf);
	}
	sb_release(&why);
	return rc;
}

int gitr_receive_report(const char *body, size_t len, const char *ref, struct strbuf *why)
{
	struct strbuf report = STRBUF_INIT, msg = STRBUF_INIT;
	sb_reset(why);
	int rc = demux(body, len, &report, &msg) < 0 ? -1 : read_report(&report, ref, why);
	if (rc == -1) {
		sb_reset(why);
		sb_addf(why, "%s", msg.buf);
	} else if (rc == GITR_REJECTED && msg.len)
		sb_addf(why, " (remote: %s)", msg.buf);
	sb_release(&report);
	sb_release(&msg);
	return rc;
}

int gitr_push_http(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	git_buf pack = { 0 };
	int rc = build_pack(g, commit, &pack);
	if (rc != 0) {
		git_buf_dispose(&pack);
		return rc > 0 ? GITR_FALLBACK : gitr_fail(g, err, EXIT_SOFTWARE, "pack");
	}
	char *ref = xasprintf("refs/heads/%s", g->branch);
	char old[GIT_OID_HEXSZ + 1], new[GIT_OID_HEXSZ + 1];
	git_oid_tostr(old, sizeof old, &g->tip);
	git_oid_tostr(new, sizeof new, commit);
	struct strbuf body = STRBUF_INIT, cmd = STRBUF_INIT;
	sb_addf(&cmd, "%s %s %s", old, new, ref);
	sb_addc(&cmd, 0);
	sb_addf(&cmd, "report-status side-band-64k quiet agent=cloudctl/%s\n", CLOUDCTL_VERSION);
	gitr_pkt_line(&body, cmd.buf, cmd.len);
	sb_adds(&body, "0000");
	sb_add(&body, pack.ptr, pack.size);
	git_buf_dispose(&pack);
	struct http_response resp = HTTP_RESPONSE_INIT;
	gitr_http(g, gitr_http_client(g), "POST", "git-receive-pack", "receive-pack", body.buf, body.len, &resp);
	rc = answer(g, &resp, ref, err);
	http_response_release(&resp);
	sb_release(&body);
	sb_release(&cmd);
	free(ref);
	return rc;
}
