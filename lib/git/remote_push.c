/* remote_push.c: the branch moved to a new commit only if it is still where
 * the commit was made: compare-and-swap under git's ref lock for a remote on
 * this machine, receive-pack's own check over the network. */
#include "remote_private.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

mode_t gitr_shared_umask(git_repository *remote)
{
	git_config *cfg = NULL;
	const char *v = NULL;
	mode_t m = umask(0);
	umask(m);
	if (git_repository_config_snapshot(&cfg, remote) == 0 && git_config_get_string(&v, cfg, "core.sharedRepository") == 0 &&
	    (!strcmp(v, "group") || !strcmp(v, "true") || !strcmp(v, "1")))
		m &= (mode_t)~070;
	else if (v && (!strcmp(v, "all") || !strcmp(v, "world") || !strcmp(v, "everybody") || !strcmp(v, "2")))
		m &= (mode_t)~075;
	git_config_free(cfg);
	return m;
}

/* A remote on this machine (g->repo itself, the commit's objects already in
 * it): the branch moved under git's ref lock only if it still points at
 * g->tip. No hooks run (as with libgit2). */
static int push_local(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	git_reference *ref = NULL;
	char *name = xasprintf("refs/heads/%s", g->branch);
	git_oid now;
	int rc = 0;
	mode_t old = umask((mode_t)g->write_umask);
	if ((rc = gitr_branch_writable(g, err)) != 0)
		;
	else if (git_reference_name_to_id(&now, g->repo, name) < 0)
		rc = gitr_fail(g, err, EXIT_NOTFOUND, name);
	else if (!git_oid_equal(&now, &g->tip))
		rc = GITR_MOVED;
	else {
		int grc = git_reference_create_matching(&ref, g->repo, name, commit, 1, &g->tip, "cloudctl push");
		if (grc == GIT_EMODIFIED || grc == GIT_ELOCKED)
			rc = GITR_MOVED;
		else if (grc < 0)
			rc = gitr_fail(g, err, EXIT_IOERR, name);
	}
	umask(old);
	git_reference_free(ref);
	free(name);
	return rc;
}

/* 1 when the remote's branch is not at g->tip (or is gone), 0 when it is, <0 on error. */
static int advertised_moved(struct gitr *g, git_remote *r)
{
	const git_remote_head **heads;
	size_t n;
	if (git_remote_ls(&heads, &n, r) < 0)
		return -1;
	char *want = xasprintf("refs/heads/%s", g->branch);
	int moved = 1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(heads[i]->name, want))
			moved = !git_oid_equal(&heads[i]->oid, &g->tip);
	free(want);
	return moved;
}

static int push_network(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	if (str_starts(g->url, "https://")) {
		int rc = gitr_push_http(g, commit, err);
		if (rc != GITR_FALLBACK)
			return rc;
		debug("push: %s did not take the push in one request: pushing with libgit2", g->display_url);
	}
	/* libgit2 pushes from a ref: a temporary one of this process. */
	char *tmp = xasprintf("refs/cloudctl/push/%ld-%u", (long)getpid(), g->push_seq++);
	char *spec = xasprintf("%s:refs/heads/%s", tmp, g->branch);
	git_reference *ref = NULL;
	git_remote *r = NULL;
	int rc = 0;
	if (git_reference_create(&ref, g->repo, tmp, commit, 1, NULL) < 0) {
		rc = gitr_fail(g, err, EXIT_IOERR, tmp);
		goto out;
	}
	git_push_options po;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	gitr_cb_attach(&po.callbacks, g->cb);
	gitr_cb_reset(g->cb);
	git_strarray specs = { &spec, 1 };
	if (git_remote_create_anonymous(&r, g->repo, g->url) < 0) {
		rc = gitr_fail(g, err, EXIT_USAGE, "remote");
		goto out;
	}
	/* Connect first and compare the branch the server advertises with the
	 * tip the commit was made on: a tip taken from the cache unfetched may be
	 * old. receive-pack then checks that same value under its lock. */
	int grc = git_remote_connect(r, GIT_DIRECTION_PUSH, &po.callbacks, &po.proxy_opts, &po.custom_headers);
	if (grc == 0 && (grc = advertised_moved(g, r)) == 0)
		grc = git_remote_upload(r, &specs, &po);
	if (grc == GIT_ENONFASTFORWARD || grc == 1)
		rc = GITR_MOVED;
	else if (grc < 0)
		rc = gitr_fail(g, err, EXIT_UNAVAIL, "push");
	else if (g->cb->status.len) {
		sb_reset(err);
		sb_addf(err, "%s", g->cb->status.buf);
		if (g->cb->remote_msg.len)
			sb_addf(err, " (remote: %s)", g->cb->remote_msg.buf);
		rc = GITR_REJECTED;
	}
out:
	if (ref) {
		git_reference_delete(ref);
		git_reference_free(ref);
	}
	if (r)
		git_remote_disconnect(r);
	git_remote_free(r);
	free(spec);
	free(tmp);
	return rc;
}

int gitr_push(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	int rc = g->local ? push_local(g, commit, err) : push_network(g, commit, err);
	if (rc == 0 && !g->local)
		gitr_set_hint(g, commit); /* the next run (or a waiting one) starts from it */
	return rc;
}
