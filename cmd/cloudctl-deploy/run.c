/* run.c: the remote, the plan of one attempt, and the commit-push-retry loop
 * every changing verb shares. */
#include "deploy.h"
#include "secret.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "git/source.h"
#include "udiff.h"

char *clean_path(const char *p)
{
	while (str_starts(p, "./"))
		p += 2;
	while (*p == '/')
		p++;
	char *s = xstrdup(p);
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = 0;
	return s;
}

/* A file an option names must be a readable regular file: 66 when it is
 * missing or a directory, 77 when it cannot be read; 0 when it can. */
static int check_file_opt(const char *opt, const char *path, struct strbuf *err)
{
	struct stat st;
	if (!path)
		return 0;
	if (stat(path, &st) < 0)
		return sb_fail(err, errno == EACCES ? EXIT_PERM : EXIT_NOTFOUND, "%s %s: %s", opt, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return sb_fail(err, EXIT_NOTFOUND, "%s %s: a directory, not a file", opt, path);
	if (access(path, R_OK) < 0)
		return sb_fail(err, errno == EACCES ? EXIT_PERM : EXIT_IOERR, "%s %s: %s", opt, path, strerror(errno));
	return 0;
}

/* --cache-dir: a directory when it exists (it is made otherwise): 73 for
 * anything else, 77 when it cannot be searched. */
static int check_dir_opt(const char *opt, const char *path, struct strbuf *err)
{
	struct stat st;
	if (!path || stat(path, &st) < 0)
		return path && errno == EACCES ? sb_fail(err, EXIT_PERM, "%s %s: %s", opt, path, strerror(errno)) : 0;
	if (!S_ISDIR(st.st_mode))
		return sb_fail(err, EXIT_EXISTS, "%s %s: not a directory", opt, path);
	return 0;
}

static char *read_password_file(const char *file, struct strbuf *err, int *rc)
{
	struct strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, file) < 0) {
		*rc = sb_fail(err, errno == ENOENT ? EXIT_NOTFOUND : errno == EACCES ? EXIT_PERM : EXIT_IOERR,
			      "--password-file %s: %s", file, strerror(errno));
		sb_release(&sb);
		return NULL;
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r'))
		sb.buf[--sb.len] = 0;
	if (!sb.len) {
		*rc = sb_fail(err, EXIT_DATA, "--password-file %s: empty", file);
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

int deploy_open(const struct deploy_common_opts *repo, struct gitr *g, int trust_cache)
{
	struct strbuf err = STRBUF_INIT;
	int rc = 0;
	if (!repo->git) {
		errorx("--git URL|PATH is required");
		return EXIT_USAGE;
	}
	char *password = NULL;
	if ((rc = check_file_opt("--cacert", repo->cacert, &err)) ||
	    (rc = check_file_opt("--ssh-identity", repo->ssh_identity, &err)) ||
	    (rc = check_file_opt("--known-hosts", repo->known_hosts, &err)) ||
	    (rc = check_file_opt("--password-file", repo->password_file, &err)) ||
	    (rc = check_dir_opt("--cache-dir", repo->cache_dir, &err)) ||
	    (repo->password_file && !(password = read_password_file(repo->password_file, &err, &rc)))) {
		errorx("%s", err.buf);
		sb_release(&err);
		return rc;
	}
	struct gitr_opts o = { repo->git, repo->branch, repo->cacert, repo->username, password, repo->ssh_identity,
			       repo->known_hosts, repo->cache_dir, repo->no_cache, trust_cache };
	long long t0 = now_ms();
	char *shown = git_url_without_credentials(repo->git); /* --git may hold user:password@ */
	info("%s: reading branch %s%s", shown, repo->branch ? repo->branch : "(the remote's default)",
	     trust_cache ? " (from the clone cache when it has it)" : "");
	free(shown);
	rc = gitr_open(g, &o, &err);
	/* gitr_open keeps its own copy: this one is wiped now */
	secret_free(password);
	if (rc) {
		errorx("%s", err.buf);
		gitr_close(g); /* the caller closes only what opened */
	} else
		debug("%s %s %s at %s in %lld ms (cache %s)", g->unverified ? "cached" : "fetched", g->display_url,
		      g->branch, git_oid_tostr_s(&g->tip), now_ms() - t0, g->cache_path);
	sb_release(&err);
	return rc;
}

int find_kustomization(struct gitr *g, const git_oid *commit, const char *dir, char **path, struct strbuf *err)
{
	static const char *const names[] = { "kustomization.yaml", "kustomization.yml", "Kustomization" };
	if (!gitr_is_dir(g, commit, dir))
		return sb_fail(err, EXIT_NOTFOUND, "%s: no directory %s on branch %s", g->display_url, dir, g->branch);
	struct strbuf tmp = STRBUF_INIT, e2 = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = *dir ? xasprintf("%s/%s", dir, names[i]) : xstrdup(names[i]);
		if (gitr_read(g, commit, p, &tmp, &e2) == 0) {
			*path = p;
			sb_release(&tmp);
			sb_release(&e2);
			return 0;
		}
		free(p);
	}
	sb_release(&tmp);
	sb_release(&e2);
	return sb_fail(err, EXIT_NOTFOUND, "%s: no kustomization.yaml in %s on branch %s (a Helm values file: --values "
		       "FILE --key KEY)", g->display_url, dir, g->branch);
}

void plan_clear(struct plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		sb_release(&p->files[i].orig);
		yedit_release(&p->files[i].e);
	}
	for (size_t i = 0; i < p->nc; i++) {
		struct deploy_entry *d = &p->c[i].d;
		free(d->verb), free(d->name), free(d->old), free(d->new_), free(d->source), free(d->digest);
		free(d->rollback_to);
		rec_clear(&p->c[i].in);
	}
	free(p->c);
	free(p->verb);
	free(p->msg_path);
	sb_release(&p->trailers);
	memset(p, 0, sizeof *p);
}

/* The file at path of the tip, loaded for editing once per attempt. */
struct dfile *plan_file(struct plan *p, struct gitr *g, const git_oid *tip, const char *path, struct strbuf *err, int *rc)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i].path, path))
			return &p->files[i];
	if (p->nfiles == ARRAY_SIZE(p->files)) {
		*rc = sb_fail(err, EXIT_SOFTWARE, "too many files in one change");
		return NULL;
	}
	struct dfile *f = &p->files[p->nfiles];
	memset(f, 0, sizeof *f);
	f->orig = (struct strbuf)STRBUF_INIT;
	if ((*rc = gitr_read(g, tip, path, &f->orig, err)) != 0) {
		sb_release(&f->orig);
		return NULL;
	}
	struct strbuf e2 = STRBUF_INIT;
	if (yedit_load(&f->e, path, f->orig.buf, f->orig.len, &e2) < 0) {
		*rc = sb_fail(err, EXIT_DATA, "%s", e2.buf);
		sb_release(&e2);
		yedit_release(&f->e);
		sb_release(&f->orig);
		return NULL;
	}
	sb_release(&e2);
	f->path = xstrdup(path);
	p->nfiles++;
	return f;
}

int history_walk(struct gitr *g, const git_oid *tip, const char *path, git_revwalk **walk, struct strbuf *err)
{
	*walk = NULL;
	if (git_revwalk_new(walk, g->repo) < 0 || git_revwalk_push(*walk, tip) < 0) {
		git_revwalk_free(*walk);
		*walk = NULL;
		return sb_fail(err, EXIT_DATA, "history of %s: %s", path, git_error_last()->message);
	}
	/* git's default order, newest first, read as it goes: any other sorting
	 * makes libgit2 walk the whole history before the first commit. */
	git_revwalk_sorting(*walk, GIT_SORT_NONE);
	return 0;
}

int history_last(struct gitr *g, const git_oid *tip, const char *path, const char *const *want,
		 struct deploy_entry *found, struct strbuf *err)
{
	size_t nwant = 0, left = 0;
	for (; want[nwant]; nwant++)
		left += *want[nwant] != '\0';
	if (!left)
		return 0;
	git_revwalk *walk = NULL;
	int rc = history_walk(g, tip, path, &walk, err);
	if (rc)
		return rc;
	git_oid id;
	while (left && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, g->repo, &id) < 0)
			continue;
		const char *msg = git_commit_message(c);
		if (strstr(msg, path)) {
			struct deploy_log log = { 0 };
			dmsg_parse(msg, path, &log);
			for (size_t i = 0; i < log.n; i++)
				for (size_t j = 0; j < nwant; j++)
					if (!found[j].name && *want[j] && !strcmp(log.e[i].name, want[j])) {
						found[j] = log.e[i];
						memset(&log.e[i], 0, sizeof log.e[i]);
						log.e[i].name = xstrdup(""); /* moved to found[j] */
						left--;
					}
			dlog_clear(&log);
		}
		git_commit_free(c);
	}
	git_revwalk_free(walk);
	return 0;
}

/* --- output --- */

static struct rec_writer *writer(void)
{
	struct strbuf err = STRBUF_INIT;
	int fmt = rec_format_pick(common.format, stdout, &err);
	if (fmt < 0) {
		errorx("%s", err.buf);
		sb_release(&err);
		return NULL;
	}
	return rec_writer_new(stdout, fmt, common.columns, "image,old,new,changed,pushed,commit");
}

static void emit(struct rec_writer *w, struct gitr *g, const struct plan *p, const char *action, const char *commit,
		 int pushed, int attempts)
{
	for (size_t i = 0; i < p->nc; i++) {
		const struct change *c = &p->c[i];
		struct record r = RECORD_INIT;
		rec_copy(&r, &c->in);
		rec_set(&r, "kind", "bump");
		rec_set(&r, "action", action);
		rec_set(&r, "repo", g->display_url);
		rec_set(&r, "branch", g->branch);
		rec_set(&r, "path", p->msg_path);
		rec_set(&r, "image", c->d.name);
		rec_set(&r, "old", c->d.old ? c->d.old : "");
		rec_set(&r, "new", c->d.new_ ? c->d.new_ : "");
		rec_set(&r, "commit", c->changed && commit ? commit : "");
		rec_set(&r, "changed", c->changed ? "true" : "false");
		rec_set(&r, "pushed", c->changed && pushed ? "true" : "false");
		rec_setf(&r, "attempts", "%d", attempts);
		if (c->skipped)
			rec_set(&r, "skipped", c->skipped);
		rec_write(w, &r);
		rec_clear(&r);
	}
}

static int plan_changed(const struct plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].e.changed)
			return 1;
	return 0;
}

static void plan_diff(const struct plan *p, struct strbuf *out)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		size_t len;
		const char *t = yedit_text(&p->files[i].e, &len);
		char *a = xasprintf("a/%s", p->files[i].path), *b = xasprintf("b/%s", p->files[i].path);
		udiff(out, a, b, p->files[i].orig.buf, p->files[i].orig.len, t, len, 3);
		free(a);
		free(b);
	}
}

static int commit_plan(struct gitr *g, const struct plan *p, const git_signature *sig, git_oid *out, struct strbuf *err)
{
	struct gitr_change ch[ARRAY_SIZE(p->files)];
	size_t n = 0;
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].e.changed) {
			ch[n].path = p->files[i].path;
			ch[n].data = yedit_text(&p->files[i].e, &ch[n].len);
			n++;
		}
	struct deploy_entry *es = xcalloc(p->nc, sizeof *es);
	size_t ne = 0;
	for (size_t i = 0; i < p->nc; i++)
		if (p->c[i].changed)
			es[ne++] = p->c[i].d;
	struct strbuf msg = STRBUF_INIT;
	dmsg_build(&msg, p->msg_path, es, ne, p->trailers.buf);
	int rc = gitr_commit(g, &g->tip, ch, n, sig, msg.buf, out, err);
	sb_release(&msg);
	free(es);
	return rc;
}

/* Full jitter, capped: a random wait in [0, min(cap, base * 2^attempt)], the
 * cap 16 times what an attempt takes (fetch to refused push), within 100 ms
 * and 1 s. Each attempt costs the server about what a push does, so the runs
 * that keep being refused slow down the one that gets through: a cap of many
 * attempts spreads them out. On a loaded machine attempts take long, and a cap
 * of 16 of them alone would leave the CPUs idle at the end of a run: hence the
 * 1 s bound. The price: a run refused many times in a row waits longer, and a
 * fresh run may go first. README's measured table has the runs behind 16 and
 * 1 s. */
static void backoff(int attempt, long long cycle_ms)
{
	long long cap = cycle_ms * 16, base = 10, max = base << (attempt < 10 ? attempt : 10);
	cap = cap < 100 ? 100 : cap > 1000 ? 1000 : cap;
	if (max > cap)
		max = cap;
	sleep_ms(random() % (max + 1));
}

/* --exit-code: 1 when there are differences, as git diff --exit-code */
static int diff_status(const struct plan *p, int exit_code)
{
	return exit_code && plan_changed(p) ? EXIT_FAIL : 0;
}

static int diff_output(struct gitr *g, struct plan *p, const char *action, int exit_code)
{
	if (!strcmp(common.output, "diff") || !common.output[0]) {
		struct strbuf d = STRBUF_INIT;
		plan_diff(p, &d);
		fwrite(d.buf, 1, d.len, stdout);
		sb_release(&d);
		return diff_status(p, exit_code);
	}
	struct strbuf err = STRBUF_INIT;
	int fmt = rec_format_parse(common.output);
	struct rec_writer *w = rec_writer_new(stdout, fmt < 0 ? FMT_KV : fmt, common.columns,
					      "image,old,new,changed");
	emit(w, g, p, action, NULL, 0, 0);
	sb_release(&err);
	return rec_writer_finish(w) < 0 ? EXIT_IOERR : diff_status(p, exit_code);
}

/* One run of a changing verb: the remote, the plan of the current attempt, and
 * what the attempts so far have learned. */
struct run {
	const struct run_opts *o;
	plan_fn fn;
	void *arg;
	const char *action;
	int diff_verb;
	int dry_run;
	int writes; /* neither the diff verb nor --dry-run: commit, push, records */
	struct gitr g;
	struct plan p;
	struct strbuf err;
	git_signature *sig;
	int rc, attempt, pushed, refreshed;
	long long max_attempts;
	long long cycle; /* ms an attempt took, for the backoff */
	char commit[GIT_OID_HEXSZ + 1];
};

/* What a step of an attempt decided: go on to the next step, start another
 * attempt, or end the run with r->rc. */
enum next { NEXT_STEP, RETRY, STOP };

/* A push that did not land, for the step that decides whether to retry. */
struct unlanded {
	git_oid old_tip;   /* the tip the commit was made on */
	long long push_ms; /* commit and push */
	int rejected;      /* GITR_REJECTED: the remote refused it */
	struct strbuf why; /* the push's error */
};

/* rc != 0: say r->err and end the run with rc. */
static enum next stop_on_error(struct run *r, int rc)
{
	r->rc = rc;
	if (!rc)
		return NEXT_STEP;
	errorx("%s", r->err.buf);
	return STOP;
}

/* Take turns with runs on this machine; a first turn that had to wait starts
 * from a fresh tip, as the others have pushed meanwhile. Later attempts have
 * just fetched; an attempt on an unfetched tip that did not count is still the
 * first, and refreshes once. */
static enum next take_turn(struct run *r)
{
	if (!r->writes)
		return NEXT_STEP;
	int waited = gitr_lock(&r->g) > 0;
	if (!waited || r->attempt != 1 || r->refreshed++)
		return NEXT_STEP;
	return stop_on_error(r, gitr_refresh(&r->g, &r->err));
}

/* The verb's plan on the tip. An unfetched tip decides nothing alone: a
 * failure or "nothing to change" is made sure of on the fetched tip, in an
 * attempt that does not count. */
static enum next plan_attempt(struct run *r)
{
	plan_clear(&r->p);
	r->p.trailers = (struct strbuf)STRBUF_INIT;
	info("%s: working out the %s on %s at %s", r->g.display_url, r->diff_verb ? "diff" : r->action, r->g.branch,
	     git_oid_tostr_s(&r->g.tip));
	int rc = r->fn(&r->g, &r->g.tip, &r->p, r->arg, &r->err);
	if (r->g.unverified && (rc != 0 || !plan_changed(&r->p))) {
		sb_reset(&r->err);
		if (stop_on_error(r, gitr_fetch(&r->g, &r->err)) == STOP)
			return STOP;
		r->attempt--;
		return RETRY;
	}
	return stop_on_error(r, rc);
}

/* The runs that push nothing end here: the diff verb, nothing to change, and
 * --dry-run (which prints the diff). */
static enum next finish_without_push(struct run *r)
{
	if (r->diff_verb) {
		r->rc = diff_output(&r->g, &r->p, r->action, r->o->exit_code);
		return STOP;
	}
	int changed = plan_changed(&r->p);
	if (!changed)
		info("%s: nothing to change on %s at %s", r->p.msg_path, r->g.branch, git_oid_tostr_s(&r->g.tip));
	if (changed && !r->dry_run)
		return NEXT_STEP;
	if (r->dry_run) {
		struct strbuf d = STRBUF_INIT;
		plan_diff(&r->p, &d);
		fwrite(d.buf, 1, d.len, stdout);
		sb_release(&d);
	}
	return STOP;
}

/* Commit the plan on the tip and push it. Landed, or an error that a retry
 * cannot mend: STOP. A push that may land on the moved branch: NEXT_STEP,
 * with u saying what happened. */
static enum next commit_and_push(struct run *r, struct unlanded *u)
{
	git_oid id;
	long long t_push = now_ms();
	if (stop_on_error(r, commit_plan(&r->g, &r->p, r->sig, &id, &r->err)) == STOP)
		return STOP;
	char parent[GIT_OID_HEXSZ + 1]; /* git_oid_tostr_s has one buffer: one call per message */
	git_oid_tostr(parent, sizeof parent, &r->g.tip);
	info("%s: committed %s on %s (attempt %d): pushing to %s", r->p.msg_path, git_oid_tostr_s(&id), parent,
	     r->attempt, r->g.display_url);
	u->old_tip = r->g.tip;
	int rc = gitr_push(&r->g, &id, &r->err);
	u->push_ms = now_ms() - t_push;
	if (rc == 0) {
		git_oid_tostr(r->commit, sizeof r->commit, &id);
		r->pushed = 1;
		info("%s: pushed %s to %s in %lld ms", r->g.display_url, r->commit, r->g.branch, u->push_ms);
		r->rc = 0;
		return STOP;
	}
	if (rc > 0)
		return stop_on_error(r, rc);
	r->rc = rc;
	u->rejected = rc == GITR_REJECTED;
	sb_addf(&u->why, "%s", r->err.buf);
	return NEXT_STEP;
}

/* After a push that did not land: wait, fetch the branch and try again;
 * unless the attempts are used up, or the remote refused the push itself
 * (refused, and the branch did not move). */
static enum next fetch_for_retry(struct run *r, const struct unlanded *u)
{
	if (r->attempt >= r->max_attempts) {
		errorx("%s: the branch %s kept moving: gave up after %d attempts", r->g.display_url, r->g.branch,
		       r->attempt);
		r->rc = EXIT_TEMPFAIL;
		return STOP;
	}
	gitr_unlock(&r->g);
	backoff(r->attempt, r->cycle);
	gitr_lock(&r->g);
	long long t_fetch = now_ms();
	if (stop_on_error(r, gitr_fetch(&r->g, &r->err)) == STOP)
		return STOP;
	if (u->rejected && git_oid_equal(&u->old_tip, &r->g.tip)) {
		errorx("%s: the remote refused the push to %s: %s", r->g.display_url, r->g.branch, u->why.buf);
		r->rc = EXIT_PERM;
		return STOP;
	}
	r->cycle = (now_ms() - t_fetch) + u->push_ms; /* a fetch and a push */
	info("%s moved: attempt %d on %s", r->g.branch, r->attempt + 1, git_oid_tostr_s(&r->g.tip));
	return RETRY;
}

/* One attempt: plan on the tip, then commit and push. */
static enum next attempt_once(struct run *r)
{
	enum next n;
	if ((n = take_turn(r)) != NEXT_STEP || (n = plan_attempt(r)) != NEXT_STEP ||
	    (n = finish_without_push(r)) != NEXT_STEP)
		return n;
	struct unlanded u = { .why = STRBUF_INIT };
	n = commit_and_push(r, &u);
	if (n == NEXT_STEP)
		n = fetch_for_retry(r, &u);
	sb_release(&u.why);
	return n;
}

/* A record per image of the plan, once the run has pushed (or had nothing to). */
static int write_records(struct run *r)
{
	struct rec_writer *w = writer();
	if (!w)
		return EXIT_USAGE;
	emit(w, &r->g, &r->p, r->action, r->commit, r->pushed, r->attempt);
	return rec_writer_finish(w) < 0 ? EXIT_IOERR : 0;
}

int deploy_run(const struct run_opts *o, plan_fn fn, void *arg, const char *action)
{
	struct run r = { .o = o, .fn = fn, .arg = arg, .action = action, .diff_verb = o->commit == NULL,
			 .dry_run = o->commit && o->commit->dry_run, .err = STRBUF_INIT };
	r.writes = !r.diff_verb && !r.dry_run;
	srandom((unsigned)(getpid() ^ now_ms()));
	if (r.writes && (r.rc = gitr_author(o->commit->author, &r.sig, &r.err)) != 0) {
		errorx("%s", r.err.buf);
	} else if ((r.rc = deploy_open(o->repo, &r.g, r.writes)) == 0) {
		/* A bump over the network starts from the cache's tip without fetching
		 * (deploy_open's trust_cache): the push connection tells whether the
		 * branch is still there. */
		r.max_attempts = o->commit && o->commit->attempts > 0 ? o->commit->attempts : 1000;
		for (r.attempt = 1; attempt_once(&r) == RETRY; r.attempt++)
			;
		if (r.rc == 0 && r.writes)
			r.rc = write_records(&r);
		plan_clear(&r.p);
		gitr_close(&r.g);
	}
	git_signature_free(r.sig);
	sb_release(&r.err);
	return r.rc;
}
