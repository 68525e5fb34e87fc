/* history.c: history (the deploys of a path from the git log), rollback (an
 * earlier tag restored in a new commit that later bumps respect) and promote
 * (tags copied between overlays). */
#include "deploy.h"

#include <string.h>

/* One entry of the log with the commit that made it. */
struct hist {
	struct deploy_entry e;
	git_oid commit;
	long long time;
	char *author;
};
struct hists {
	struct hist *h;
	size_t n, cap;
};

static void hists_clear(struct hists *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		struct deploy_log l = { &hs->h[i].e, 1, 1 };
		struct deploy_entry *copy = xmalloc(sizeof *copy);
		*copy = hs->h[i].e;
		l.e = copy;
		dlog_clear(&l);
		free(hs->h[i].author);
	}
	free(hs->h);
	memset(hs, 0, sizeof *hs);
}

/* Entries for path (only image name when given, only verbs in `verbs` when
 * given), newest first, at most max (0: all). */
static int history_collect(struct gitr *g, const git_oid *tip, const char *path, const char *name, const char *verbs,
			   long long max, struct hists *out, struct strbuf *err)
{
	git_revwalk *walk = NULL;
	int rc = history_walk(g, tip, path, &walk, err);
	if (rc)
		return rc;
	git_oid id;
	while ((max <= 0 || (long long)out->n < max) && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, g->repo, &id) < 0)
			continue;
		const char *msg = git_commit_message(c);
		struct deploy_log log = { 0 };
		if (strstr(msg, path))
			dmsg_parse(msg, path, &log);
		for (size_t i = 0; i < log.n && (max <= 0 || (long long)out->n < max); i++) {
			struct deploy_entry *e = &log.e[i];
			if ((name && strcmp(e->name, name)) || (verbs && !strstr(verbs, e->verb)))
				continue;
			out->h = xgrow(out->h, &out->cap, out->n + 1, sizeof *out->h);
			struct hist *h = &out->h[out->n++];
			h->e = *e;
			memset(e, 0, sizeof *e);
			e->name = xstrdup("");
			h->commit = id;
			h->time = (long long)git_commit_time(c);
			const git_signature *a = git_commit_author(c);
			h->author = xasprintf("%s <%s>", a->name, a->email);
		}
		dlog_clear(&log);
		git_commit_free(c);
	}
	git_revwalk_free(walk);
	return 0;
}

/* The commit message writes "none" for a value that was not there; records
 * write "" for it, as bump does. */
static const char *shown_value(const char *v)
{
	return v && strcmp(v, "none") ? v : "";
}

int cmd_history(const struct deploy_common_opts *repo, const struct history_opts *o, int argc, char **argv)
{
	if (!repo->path) {
		errorx("--path DIR is required");
		return EXIT_USAGE;
	}
	struct gitr g;
	int rc = deploy_open(repo, &g, 0);
	if (rc)
		return rc;
	char *path = clean_path(repo->path);
	struct hists hs = { 0 };
	struct strbuf err = STRBUF_INIT;
	if ((rc = history_collect(&g, &g.tip, path, o->image, NULL, o->limit, &hs, &err)) != 0)
		errorx("%s", err.buf);
	else if (hs.n == 0 && !gitr_is_dir(&g, &g.tip, path)) {
		/* a path that was never deployed and is not there: a typo, not "no deploys" */
		errorx("%s: no directory %s on branch %s, and no deploys of it on record", g.display_url, path, g.branch);
		rc = EXIT_NOTFOUND;
	}
	info("%s: %zu deploy%s of %s on branch %s", g.display_url, hs.n, hs.n == 1 ? "" : "s", path, g.branch);
	int fmt = rc ? 0 : rec_format_pick(common.format, stdout, &err);
	if (!rc && fmt < 0) {
		errorx("%s", err.buf);
		rc = EXIT_USAGE;
	}
	if (!rc) {
		struct rec_writer *w = rec_writer_new(stdout, fmt, common.columns, "time,action,image,old,new,source,commit");
		for (size_t i = 0; i < hs.n; i++) {
			struct hist *h = &hs.h[i];
			struct record r = RECORD_INIT;
			char t[32];
			fmt_time(t, sizeof t, h->time);
			rec_set(&r, "kind", "deploy");
			rec_set(&r, "commit", git_oid_tostr_s(&h->commit));
			rec_set(&r, "time", t);
			rec_set(&r, "author", h->author);
			rec_set(&r, "action", h->e.verb);
			rec_set(&r, "path", path);
			rec_set(&r, "image", h->e.name);
			rec_set(&r, "old", shown_value(h->e.old));
			rec_set(&r, "new", shown_value(h->e.new_));
			rec_set(&r, "source", h->e.source ? h->e.source : "");
			if (h->e.stime >= 0) {
				fmt_time(t, sizeof t, h->e.stime);
				rec_set(&r, "source_time", t);
			}
			if (h->e.digest)
				rec_set(&r, "digest", h->e.digest);
			if (h->e.rollback_to)
				rec_set(&r, "rollback_to", h->e.rollback_to);
			rec_write(w, &r);
			rec_clear(&r);
		}
		if (rec_writer_finish(w) < 0)
			rc = EXIT_IOERR;
	}
	hists_clear(&hs);
	free(path);
	sb_release(&err);
	gitr_close(&g);
	return rc;
}

/* --- the image fields of a kustomization entry --- */

static const json_t *entry_of(const json_t *doc, const char *name)
{
	const json_t *e;
	size_t i;
	json_array_foreach(json_object_get(doc, "images"), i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		if (n && !strcmp(n, name))
			return e;
	}
	return NULL;
}

/* What a bump's old/new show: the digest when pinned, else the tag. */
static char *shown(const json_t *e)
{
	const char *d = json_string_value(json_object_get(e, "digest")), *t = json_string_value(json_object_get(e, "newTag"));
	return d ? xstrdup(d) : t ? xstrdup(t) : NULL;
}

/* Set newName, newTag and digest of entry name in f to those of src. A field
 * set here but not in src would survive (yamledit never deletes), and a kept
 * digest or newName would still pick the image: refused. Returns 0 with
 * *changed, or EXIT_DATA. */
static int copy_fields(struct dfile *f, const char *name, const json_t *src, int *changed, struct strbuf *err)
{
	static const char *const fields[] = { "newName", "newTag", "digest" };
	const json_t *cur = entry_of(f->e.doc, name);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (cur && json_object_get(cur, fields[i]) && !json_object_get(src, fields[i]) &&
		    !(i == 1 && json_object_get(src, "digest")))
			return sb_fail(err, EXIT_DATA, "%s: %s has %s, which the source lacks: remove it by hand first",
				       f->path, name, fields[i]);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *v = json_string_value(json_object_get(src, fields[i]));
		if (!v)
			continue;
		int r = kustomize_set_image(&f->e, name, fields[i], v, NULL, err);
		if (r < 0)
			return EXIT_DATA;
		*changed |= r == YEDIT_CHANGED;
	}
	return 0;
}

/* What the edited kustomization renders for entry name must be what src
 * (the entry copied) says: its newName (or name), and its digest or tag. */
static int check_entry(struct gitr *g, const git_oid *tip, const char *dir, const struct dfile *f, const char *name,
		       const json_t *src, struct strbuf *err)
{
	const char *nn = json_string_value(json_object_get(src, "newName")),
		   *tag = json_string_value(json_object_get(src, "newTag")),
		   *digest = json_string_value(json_object_get(src, "digest"));
	return render_check(g, tip, dir, f->path, f->e.doc, name, nn ? nn : name, digest ? NULL : tag, digest, err);
}

/* FILE at commit, parsed as yamledit reads it (into doc); frees file. */
static int file_doc_at(struct gitr *g, const git_oid *commit, char *file, json_t **doc, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct yedit e;
	int rc = gitr_read(g, commit, file, &text, err);
	if (!rc) {
		struct strbuf e2 = STRBUF_INIT;
		if (yedit_load(&e, file, text.buf, text.len, &e2) < 0)
			rc = sb_fail(err, EXIT_DATA, "%s", e2.buf);
		else
			*doc = json_incref(e.doc);
		yedit_release(&e);
		sb_release(&e2);
	}
	sb_release(&text);
	free(file);
	return rc;
}

/* The kustomization of dir at commit, parsed (into doc). */
static int doc_at(struct gitr *g, const git_oid *commit, const char *dir, json_t **doc, struct strbuf *err)
{
	char *file = NULL;
	int rc = find_kustomization(g, commit, dir, &file, err);
	return rc ? rc : file_doc_at(g, commit, file, doc, err);
}

/* --- Helm values --- */

static char *values_path(const struct values_opts *vo, const char *dir)
{
	return *dir ? xasprintf("%s/%s", dir, vo->file) : xstrdup(vo->file);
}

/* The values file of dir at commit, parsed (into doc). */
static int values_doc_at(const struct values_opts *vo, struct gitr *g, const git_oid *commit, const char *dir,
			 json_t **doc, struct strbuf *err)
{
	if (!gitr_is_dir(g, commit, dir))
		return sb_fail(err, EXIT_NOTFOUND, "%s: no directory %s at %s", g->display_url, dir, git_oid_tostr_s(commit));
	return file_doc_at(g, commit, values_path(vo, dir), doc, err);
}

/* Set --key of f to the scalar src holds there: the change's old and new,
 * and whether it changed. The key must be in both. */
static int copy_value(const struct values_opts *vo, struct dfile *f, const json_t *src, const char *where,
		      struct change *c, struct strbuf *err)
{
	const char *key = vo->key;
	const json_t *cur = values_get(f->e.doc, key), *v = values_get(src, key);
	if (!v)
		return sb_fail(err, EXIT_NOTFOUND, "%s: no key %s in %s there", where, key, vo->file);
	if (!cur)
		return sb_fail(err, EXIT_DATA, "%s: no key %s (a chart's templates read only the keys its values have)",
			       f->path, key);
	char *nv = values_scalar(v);
	if (!nv)
		return sb_fail(err, EXIT_DATA, "%s: %s is not a scalar in %s", where, key, vo->file);
	free(c->d.old), free(c->d.new_);
	c->d.old = values_scalar(cur);
	c->d.new_ = nv;
	int r = yedit_set_path(&f->e, key, nv, NULL, err);
	if (r < 0)
		return EXIT_DATA;
	c->changed |= r == YEDIT_CHANGED;
	return 0;
}

/* --- rollback --- */

struct rb_ctx {
	const struct rollback_opts *opt;
	char *path;
};

static int rb_target(const struct rollback_opts *o, struct gitr *g, const git_oid *tip, const char *path,
		     const char *name, git_oid *target, long long *guard, char **source, struct strbuf *err)
{
	struct hists hs = { 0 };
	long long steps = o->steps > 0 ? o->steps : 1;
	int rc = history_collect(g, tip, path, name, NULL, 0, &hs, err);
	*guard = -1;
	/* Never below the newest source already undone by an earlier rollback. */
	if (!rc && hs.n && !strcmp(hs.h[0].e.verb, "rollback"))
		*guard = hs.h[0].e.stime;
	if (!rc && o->at) {
		git_object *at = NULL;
		if (git_revparse_single(&at, g->repo, o->at) < 0 || git_object_type(at) != GIT_OBJECT_COMMIT)
			rc = sb_fail(err, EXIT_NOTFOUND, "--at %s: no such commit on %s", o->at, g->branch);
		else
			*target = *git_object_id(at);
		git_object_free(at);
		for (size_t i = 0; !rc && i < hs.n && !git_oid_equal(&hs.h[i].commit, target); i++)
			if (strcmp(hs.h[i].e.verb, "rollback") && hs.h[i].e.stime > *guard)
				*guard = hs.h[i].e.stime;
	} else if (!rc) {
		long long seen = 0;
		size_t i;
		for (i = 0; i < hs.n && seen < steps; i++)
			if (strcmp(hs.h[i].e.verb, "rollback")) {
				seen++;
				if (hs.h[i].e.stime > *guard)
					*guard = hs.h[i].e.stime;
			}
		if (seen < steps)
			rc = sb_fail(err, EXIT_NOTFOUND, "%s in %s: %lld deploy%s on record, cannot undo %lld", name, path, seen,
				     seen == 1 ? "" : "s", steps);
		else {
			git_commit *c = NULL;
			if (git_commit_lookup(&c, g->repo, &hs.h[i - 1].commit) < 0 || git_commit_parentcount(c) < 1)
				rc = sb_fail(err, EXIT_NOTFOUND, "%s: the deploy %s has no parent", name,
					     git_oid_tostr_s(&hs.h[i - 1].commit));
			else
				*target = *git_commit_parent_id(c, 0);
			git_commit_free(c);
			for (size_t j = i; j < hs.n && !*source; j++)
				if (strcmp(hs.h[j].e.verb, "rollback") && hs.h[j].e.source)
					*source = xstrdup(hs.h[j].e.source);
		}
	}
	hists_clear(&hs);
	return rc;
}

/* The images of the newest deploy of path. */
static int last_deploy_images(struct gitr *g, const git_oid *tip, const char *path, struct strlist *names,
			      struct strbuf *err)
{
	struct hists hs = { 0 };
	int rc = history_collect(g, tip, path, NULL, "deploy promote", 0, &hs, err);
	for (size_t i = 0; !rc && i < hs.n && git_oid_equal(&hs.h[i].commit, &hs.h[0].commit); i++)
		strlist_add(names, hs.h[i].e.name);
	if (!rc && hs.n == 0)
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no deploys on record to roll back (--image NAME --at COMMIT)", path);
	hists_clear(&hs);
	return rc;
}

static int rb_plan(struct gitr *g, const git_oid *tip, struct plan *p, void *arg, struct strbuf *err)
{
	struct rb_ctx *ctx = arg;
	const struct rollback_opts *o = ctx->opt;
	char *file = NULL;
	int rc = 0;
	if (o->values.file && !gitr_is_dir(g, tip, ctx->path))
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no directory %s on branch %s", g->display_url, ctx->path, g->branch);
	else if (o->values.file)
		file = values_path(&o->values, ctx->path);
	else
		rc = find_kustomization(g, tip, ctx->path, &file, err);
	p->verb = xstrdup("rollback");
	p->msg_path = xstrdup(ctx->path);
	if (rc)
		return rc;
	struct dfile *f = plan_file(p, g, tip, file, err, &rc);
	free(file);
	if (!f)
		return rc;
	struct strlist names = STRLIST_INIT;
	if (o->image)
		strlist_add(&names, o->image);
	else
		rc = last_deploy_images(g, tip, ctx->path, &names, err);
	p->c = xcalloc(names.n ? names.n : 1, sizeof *p->c);
	for (size_t i = 0; i < names.n && !rc; i++) {
		git_oid target;
		long long guard;
		char *source = NULL;
		json_t *doc = NULL;
		if ((rc = rb_target(o, g, tip, ctx->path, names.v[i], &target, &guard, &source, err)) != 0 ||
		    (rc = o->values.file ? values_doc_at(&o->values, g, &target, ctx->path, &doc, err)
					 : doc_at(g, &target, ctx->path, &doc, err)) != 0) {
			free(source);
			break;
		}
		if (o->values.file) {
			struct change *c = &p->c[p->nc++];
			c->d.verb = xstrdup("rollback");
			c->d.name = xstrdup(names.v[i]);
			c->d.stime = guard;
			c->d.source = source;
			c->d.rollback_to = xstrdup(git_oid_tostr_s(&target));
			rc = copy_value(&o->values, f, doc, c->d.rollback_to, c, err);
			json_decref(doc);
			continue;
		}
		const json_t *src = entry_of(doc, names.v[i]), *cur = entry_of(f->e.doc, names.v[i]);
		struct change *c = &p->c[p->nc++];
		c->d.verb = xstrdup("rollback");
		c->d.name = xstrdup(names.v[i]);
		c->d.old = shown(cur);
		c->d.new_ = shown(src);
		c->d.stime = guard;
		c->d.source = source;
		c->d.rollback_to = xstrdup(git_oid_tostr_s(&target));
		if (!src)
			rc = sb_fail(err, EXIT_NOTFOUND, "%s: no image %s at %s", ctx->path, names.v[i], c->d.rollback_to);
		else
			rc = copy_fields(f, names.v[i], src, &c->changed, err);
		if (!rc)
			rc = check_entry(g, tip, ctx->path, f, names.v[i], src, err);
		json_decref(doc);
	}
	strlist_clear(&names);
	return rc;
}

int cmd_rollback(const struct deploy_common_opts *repo, const struct rollback_opts *o, int argc, char **argv)
{
	if (!repo->path) {
		errorx("--path DIR is required");
		return EXIT_USAGE;
	}
	if (o->at && o->steps) {
		errorx("--at and --steps: one or the other");
		return EXIT_USAGE;
	}
	if (values_opts_check(&o->values))
		return EXIT_USAGE;
	struct rb_ctx ctx = { o, clean_path(repo->path) };
	struct run_opts ro = { .repo = repo, .commit = &o->commit };
	int rc = deploy_run(&ro, rb_plan, &ctx, "rollback");
	free(ctx.path);
	return rc;
}

/* --- promote --- */

struct pr_ctx {
	const struct promote_opts *opt;
	char *from, *to;
};

/* promote of a Helm values key: --key of --from's values file into --to's */
static int pr_plan_values(struct gitr *g, const git_oid *tip, struct plan *p, struct pr_ctx *ctx, struct strbuf *err)
{
	const struct promote_opts *o = ctx->opt;
	const char *key = o->values.key;
	json_t *from = NULL;
	char *file = NULL, *name = NULL;
	struct dfile *f = NULL;
	int rc = values_doc_at(&o->values, g, tip, ctx->from, &from, err);
	if (!rc && !gitr_is_dir(g, tip, ctx->to))
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no directory %s on branch %s", g->display_url, ctx->to, g->branch);
	if (!rc) {
		file = values_path(&o->values, ctx->to);
		f = plan_file(p, g, tip, file, err, &rc);
		free(file);
	}
	if (rc) {
		json_decref(from);
		return rc;
	}
	/* the image's name, as bump records it: the repository the values name */
	name = o->image ? xstrdup(o->image) : values_repository(from, key);
	if (!name)
		name = xstrdup(key);
	const char *want[2] = { name, NULL };
	struct deploy_entry lf = { 0 }, lt = { 0 };
	p->c = xcalloc(1, sizeof *p->c);
	struct change *c = &p->c[p->nc++];
	c->d.verb = xstrdup("promote");
	c->d.name = xstrdup(name);
	if ((rc = history_last(g, tip, ctx->from, want, &lf, err)) == 0 &&
	    (rc = history_last(g, tip, ctx->to, want, &lt, err)) == 0) {
		c->d.stime = lf.name ? lf.stime : -1;
		c->d.source = lf.source ? xstrdup(lf.source) : NULL;
		c->d.digest = lf.digest ? xstrdup(lf.digest) : NULL;
		if (!o->force && c->d.stime >= 0 && lt.name && lt.stime > c->d.stime) {
			c->skipped = "older";
			c->d.old = values_scalar(values_get(f->e.doc, key));
			c->d.new_ = values_scalar(values_get(from, key));
			warnx("%s: not promoted: %s has a newer source than %s (--force to promote)", name, ctx->to, ctx->from);
		} else
			rc = copy_value(&o->values, f, from, ctx->from, c, err);
	}
	struct deploy_log l = { &lf, 1, 1 }, l2 = { &lt, 1, 1 };
	struct deploy_entry *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b);
	*a = lf, *b = lt;
	if (!a->name)
		a->name = xstrdup("");
	if (!b->name)
		b->name = xstrdup("");
	l.e = a, l2.e = b;
	dlog_clear(&l);
	dlog_clear(&l2);
	free(name);
	json_decref(from);
	return rc;
}

static int pr_plan(struct gitr *g, const git_oid *tip, struct plan *p, void *arg, struct strbuf *err)
{
	struct pr_ctx *ctx = arg;
	const struct promote_opts *o = ctx->opt;
	if (o->values.file) {
		p->verb = xstrdup("promote");
		p->msg_path = xstrdup(ctx->to);
		sb_addf(&p->trailers, "Promoted-From: %s\n", ctx->from);
		return pr_plan_values(g, tip, p, ctx, err);
	}
	char *file = NULL;
	json_t *from = NULL;
	p->verb = xstrdup("promote");
	p->msg_path = xstrdup(ctx->to);
	sb_addf(&p->trailers, "Promoted-From: %s\n", ctx->from);
	int rc = doc_at(g, tip, ctx->from, &from, err);
	if (!rc)
		rc = find_kustomization(g, tip, ctx->to, &file, err);
	struct dfile *f = rc ? NULL : plan_file(p, g, tip, file, err, &rc);
	free(file);
	const json_t *imgs = json_object_get(from, "images"), *e;
	size_t i, n = json_array_size(imgs);
	p->c = xcalloc(n ? n : 1, sizeof *p->c);
	char **names = xcalloc(n + 1, sizeof *names);
	size_t k = 0;
	json_array_foreach(imgs, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		if (name && (!o->image || !strcmp(o->image, name)))
			names[k++] = xstrdup(name);
	}
	if (!rc && o->image && k == 0)
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no image %s", ctx->from, o->image);
	struct deploy_entry *lf = xcalloc(k + 1, sizeof *lf), *lt = xcalloc(k + 1, sizeof *lt);
	if (!rc)
		rc = history_last(g, tip, ctx->from, (const char *const *)names, lf, err);
	if (!rc)
		rc = history_last(g, tip, ctx->to, (const char *const *)names, lt, err);
	for (size_t j = 0; j < k && !rc; j++) {
		const json_t *src = entry_of(from, names[j]);
		struct change *c = &p->c[p->nc++];
		c->d.verb = xstrdup("promote");
		c->d.name = xstrdup(names[j]);
		c->d.old = shown(entry_of(f->e.doc, names[j]));
		c->d.new_ = shown(src);
		c->d.stime = lf[j].name ? lf[j].stime : -1;
		c->d.source = lf[j].source ? xstrdup(lf[j].source) : NULL;
		c->d.digest = lf[j].digest ? xstrdup(lf[j].digest) : NULL;
		if (!o->force && c->d.stime >= 0 && lt[j].name && lt[j].stime > c->d.stime) {
			c->skipped = "older";
			warnx("%s: not promoted: %s has a newer source than %s (--force to promote)", names[j], ctx->to, ctx->from);
			continue;
		}
		rc = copy_fields(f, names[j], src, &c->changed, err);
		if (!rc)
			rc = check_entry(g, tip, ctx->to, f, names[j], src, err);
	}
	struct deploy_log l1 = { lf, k, k }, l2 = { lt, k, k };
	for (size_t j = 0; j < k; j++) {
		if (!lf[j].name)
			lf[j].name = xstrdup("");
		if (!lt[j].name)
			lt[j].name = xstrdup("");
		free(names[j]);
	}
	dlog_clear(&l1);
	dlog_clear(&l2);
	free(names);
	json_decref(from);
	return rc;
}

int cmd_promote(const struct deploy_common_opts *repo, const struct promote_opts *o, int argc, char **argv)
{
	if (!o->from || !o->to) {
		errorx("--from DIR and --to DIR are required");
		return EXIT_USAGE;
	}
	if (values_opts_check(&o->values))
		return EXIT_USAGE;
	struct pr_ctx ctx = { o, clean_path(o->from), clean_path(o->to) };
	struct run_opts ro = { .repo = repo, .commit = &o->commit };
	int rc = deploy_run(&ro, pr_plan, &ctx, "promote");
	free(ctx.from);
	free(ctx.to);
	return rc;
}
