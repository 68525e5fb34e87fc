/* bump.c: bump and diff: set image tags (or digests) in a kustomization, or a
 * key of a Helm values file, from kind=image records or --image arguments. */
#include "deploy.h"

#include <string.h>
#include <unistd.h>

/* One image to set, from a record or an argument. */
struct want {
	char *name;        /* the kustomization entry's name */
	int named;         /* the name was given (image= or NAME=), not taken from the ref */
	struct image_ref ref;
	char *digest;      /* the record's digest (or the ref's) */
	char *source;
	long long stime;   /* -1: unknown */
	struct record in;
};
struct wants {
	struct want *w;
	size_t n, cap;
};

static void wants_clear(struct wants *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		free(ws->w[i].name), free(ws->w[i].digest), free(ws->w[i].source);
		image_ref_clear(&ws->w[i].ref);
		rec_clear(&ws->w[i].in);
	}
	free(ws->w);
}

/* One line saying why the reference is not one a cluster can pull, and 65; or 0. */
static int ref_check(const struct image_set_opts *set, const char *where, const char *ref, const struct image_ref *r,
		     const char *digest)
{
	const char *why;
	if ((why = image_repo_problem(r->repo)) != NULL) {
		if (set->image_name)
			errorx("%s: --image-name %s: %s", where, r->repo, why);
		else if (str_starts(r->repo, "oci:") || strchr("/.~", r->repo[0]))
			errorx("%s: '%s': the repository %s is %s (push it to a registry, or name the repository the "
			       "cluster pulls it from with --image-name REPOSITORY)", where, ref, r->repo, why);
		else
			errorx("%s: '%s': the repository %s is %s", where, ref, r->repo, why);
		return EXIT_DATA;
	}
	if (r->tag && (why = image_tag_problem(r->tag)) != NULL) {
		errorx("%s: '%s': the tag %s: %s", where, ref, r->tag, why);
		return EXIT_DATA;
	}
	const char *d = r->digest ? r->digest : digest;
	if (d && (why = image_digest_problem(d)) != NULL) {
		errorx("%s: the digest %s: %s", where, d, why);
		return EXIT_DATA;
	}
	return 0;
}

/* NAME=REF or REF; a record's ref, image, digest, source, source_time. */
static int want_add(const struct image_set_opts *set, struct wants *ws, const char *name, const char *ref,
		    const struct record *r, const char *where)
{
	ws->w = xgrow(ws->w, &ws->cap, ws->n + 1, sizeof *ws->w);
	struct want *w = &ws->w[ws->n++]; /* counted now: wants_clear frees it on every refusal below */
	memset(w, 0, sizeof *w);
	if (image_ref_parse(ref, &w->ref) < 0) {
		errorx("%s: '%s' is not an image reference (REPOSITORY[:TAG][@DIGEST])", where, ref);
		return EXIT_DATA;
	}
	const char *digest = r ? rec_get(r, "digest") : NULL, *st = r ? rec_get(r, "source_time") : NULL;
	if (set->image_name) { /* the repository the cluster pulls this image from */
		free(w->ref.repo);
		w->ref.repo = xstrdup(set->image_name);
	}
	int rc = ref_check(set, where, ref, &w->ref, digest && *digest && !w->ref.digest ? digest : NULL);
	if (rc)
		return rc;
	w->named = name != NULL;
	w->name = xstrdup(name ? name : w->ref.repo);
	w->digest = xstrdup(w->ref.digest ? w->ref.digest : digest && *digest ? digest : "");
	if (!*w->digest)
		free(w->digest), w->digest = NULL;
	w->source = r && rec_get(r, "source") && *rec_get(r, "source") ? xstrdup(rec_get(r, "source")) : NULL;
	w->stime = -1;
	if (st && *st && (w->stime = parse_source_time(st)) < 0) {
		errorx("%s: source_time '%s' is not a time (seconds since the epoch or RFC 3339)", where, st);
		return EXIT_DATA;
	}
	if (!w->ref.tag && !w->digest) {
		errorx("%s: '%s' has neither a tag nor a digest", where, ref);
		return EXIT_DATA;
	}
	if (!strcmp(set->pin ? set->pin : "tag", "digest") && !w->digest) {
		errorx("%s: --pin digest, but '%s' has no digest", where, ref);
		return EXIT_DATA;
	}
	if (r)
		rec_copy(&w->in, r);
	return 0;
}

static int read_wants(const struct image_set_opts *set, int argc, char **argv, struct wants *ws)
{
	int rc = 0;
	for (size_t i = 0; i < set->images.n && !rc; i++) {
		const char *a = set->images.v[i], *eq = strchr(a, '=');
		char *name = eq ? xstrndup(a, (size_t)(eq - a)) : NULL;
		char *where = xasprintf("--image %s", a);
		rc = want_add(set, ws, name, eq ? eq + 1 : a, NULL, where);
		free(where);
		free(name);
	}
	if (rc || (set->images.n && !(argc > 0 && !strcmp(argv[0], "-"))))
		return rc;
	if (isatty(STDIN_FILENO)) {
		errorx("no images: pipe kind=image records in (cloudctl-build ... | %s ...) or give --image NAME=REF",
		       progname);
		return EXIT_USAGE;
	}
	struct recset rs = RECSET_INIT;
	struct strbuf err = STRBUF_INIT;
	if (rec_read_all(stdin, NULL, &rs, &err) < 0) {
		errorx("%s", err.buf);
		sb_release(&err);
		recset_clear(&rs);
		return EXIT_DATA;
	}
	for (size_t i = 0; i < rs.n && !rc; i++) {
		const char *kind = rec_get(&rs.r[i], "kind"), *ref = rec_get(&rs.r[i], "ref");
		char *where = xasprintf("<stdin>:%ld", rs.r[i].line);
		if (kind && strcmp(kind, "image") != 0)
			debug("%s: kind=%s skipped", where, kind);
		else if (!ref || !*ref) {
			errorx("%s: a kind=image record needs ref=", where);
			rc = EXIT_DATA;
		} else {
			const char *img = rec_get(&rs.r[i], "image");
			rc = want_add(set, ws, img && *img ? img : NULL, ref, &rs.r[i], where);
		}
		free(where);
	}
	recset_clear(&rs);
	sb_release(&err);
	if (!rc && ws->n == 0) {
		errorx("no images: give kind=image records on stdin or --image NAME=REF");
		rc = EXIT_USAGE;
	}
	return rc;
}

/* The images[] entry whose name is w->name, or (when the name came from the
 * ref) whose newName is the ref's repository. */
static const json_t *find_entry(const json_t *doc, const struct want *w, const char **name)
{
	const json_t *imgs = json_object_get(doc, "images"), *e;
	size_t i;
	json_array_foreach(imgs, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		if (n && !strcmp(n, w->name)) {
			*name = n;
			return e;
		}
	}
	if (!w->named)
		json_array_foreach(imgs, i, e) {
			const char *nn = json_string_value(json_object_get(e, "newName"));
			if (nn && !strcmp(nn, w->ref.repo)) {
				*name = json_string_value(json_object_get(e, "name"));
				return e;
			}
		}
	*name = w->name;
	return NULL;
}

/* Refuse an older source than the branch's last deploy of the image, and a
 * source no newer than the one a rollback undid. */
static const char *guard(const struct image_set_opts *set, const struct want *w, const struct deploy_entry *last)
{
	if (set->force || !last->name)
		return NULL;
	int rb = !strcmp(last->verb, "rollback");
	if (w->stime < 0 || last->stime < 0)
		return rb ? "rolled-back" : NULL;
	if (w->stime < last->stime)
		return rb ? "rolled-back" : "older";
	if (rb && w->stime <= last->stime)
		return "rolled-back";
	return NULL;
}

static void warn_skip(const struct change *c, const struct deploy_entry *last, const struct want *w)
{
	char a[32] = "", b[32] = "";
	if (w->stime >= 0)
		fmt_time(a, sizeof a, w->stime);
	if (last->stime >= 0)
		fmt_time(b, sizeof b, last->stime);
	if (!strcmp(c->skipped, "older"))
		warnx("%s: not replaced: the branch has a newer deploy (%s, source %s) than this source (%s); --force to replace",
		      c->d.name, last->new_, b, a);
	else if (w->stime < 0)
		warnx("%s: not bumped: it was rolled back (to %s) and this record has no source_time to show it is newer "
		      "than the source undone%s%s%s; --force to bump", c->d.name, last->new_, *b ? " (" : "", b, *b ? ")" : "");
	else if (last->stime < 0)
		warnx("%s: not bumped: it was rolled back (to %s) and the rollback recorded no Source-Time to compare this "
		      "source (%s) with; --force to bump", c->d.name, last->new_, a);
	else
		warnx("%s: not bumped: it was rolled back (to %s) and this source (%s) is not newer than the one undone (%s); "
		      "--force to bump", c->d.name, last->new_, a, b);
}

struct bump_ctx {
	const struct image_set_opts *set;
	struct wants ws;
	char *path;
	char *values; /* --values FILE within path */
	int announced; /* the appended entries were reported (plans are redone when the branch moves) */
};

/* Whether the digest is set rather than the tag: --pin digest, or a ref without a tag. */
static int pins_digest(const struct image_set_opts *set, const struct want *w)
{
	return (set->pin && !strcmp(set->pin, "digest")) || !w->ref.tag;
}

/* Set one image in a kustomization: newTag or digest, and newName when the repository changed. */
static int set_kustomize(const struct image_set_opts *set, struct dfile *f, struct change *c, const struct want *w,
			 struct strbuf *err)
{
	const char *entry_name;
	const json_t *e = find_entry(f->e.doc, w, &entry_name);
	int pin_digest = pins_digest(set, w);
	const char *field = pin_digest ? "digest" : "newTag", *value = pin_digest ? w->digest : w->ref.tag;
	free(c->d.name);
	c->d.name = xstrdup(entry_name);
	const char *cur_name = e ? json_string_value(json_object_get(e, "newName")) : NULL;
	if (!cur_name)
		cur_name = entry_name;
	int rename = strcmp(cur_name, w->ref.repo) != 0;
	char *old = NULL, *oldname = NULL;
	char *cur = xstrdup(cur_name); /* entry_name and cur_name live in the document an edit replaces */
	int r = kustomize_set_image(&f->e, c->d.name, field, value, &old, err), r2 = YEDIT_UNCHANGED;
	if (r >= 0 && rename)
		r2 = kustomize_set_image(&f->e, c->d.name, "newName", w->ref.repo, &oldname, err);
	if (r < 0 || r2 < 0) {
		free(old);
		free(oldname);
		free(cur);
		return EXIT_DATA;
	}
	c->changed = r == YEDIT_CHANGED || r2 == YEDIT_CHANGED;
	c->appended = e == NULL;
	c->d.old = rename ? xasprintf("%s:%s", cur, old ? old : "none") : old ? old : NULL;
	c->d.new_ = rename ? xasprintf("%s:%s", w->ref.repo, value) : xstrdup(value);
	if (rename)
		free(old);
	free(oldname);
	free(cur);
	return 0;
}

const json_t *values_get(const json_t *doc, const char *key)
{
	char *k = xstrdup(key), *save = NULL;
	const json_t *v = doc;
	for (char *t = strtok_r(k, ".", &save); t && v; t = strtok_r(NULL, ".", &save))
		v = json_object_get(v, t);
	free(k);
	return v;
}

char *values_repository(const json_t *doc, const char *key)
{
	const char *dot = strrchr(key, '.');
	char *parent = dot ? xstrndup(key, (size_t)(dot - key)) : NULL;
	const json_t *m = parent ? values_get(doc, parent) : doc;
	free(parent);
	const char *repo = json_string_value(json_object_get(m, "repository")),
		   *reg = json_string_value(json_object_get(m, "registry"));
	if (!repo || !*repo)
		return NULL;
	return reg && *reg ? xasprintf("%s/%s", reg, repo) : xstrdup(repo);
}

char *values_scalar(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_number(v) || json_is_boolean(v))
		return json_dumps(v, JSON_ENCODE_ANY);
	return NULL;
}

int values_opts_check(const struct values_opts *v)
{
	if (!v->file != !v->key) {
		errorx("--values FILE and --key KEY go together");
		return EXIT_USAGE;
	}
	return 0;
}

/* Set the --key of a Helm values file: refused when the key is missing
 * (unless --create), when the values name another repository beside it, and
 * when a digest would go into a tag. A key holding a whole reference
 * (REPO:TAG) gets the whole reference. */
static int set_helm(const struct image_set_opts *set, struct dfile *f, struct change *c, const struct want *w,
		    struct strbuf *err)
{
	const char *key = set->values.key;
	int pin_digest = pins_digest(set, w);
	const char *value = pin_digest ? w->digest : w->ref.tag, *last = strrchr(key, '.');
	last = last ? last + 1 : key;
	const json_t *cur = values_get(f->e.doc, key);
	if (!cur && !set->create)
		return sb_fail(err, EXIT_DATA, "%s: no key %s (a chart's templates read only the keys its values have; "
			       "--create to add it)", f->path, key);
	if (cur && !json_is_string(cur) && !json_is_number(cur) && !json_is_null(cur))
		return sb_fail(err, EXIT_DATA, "%s: %s is not a scalar", f->path, key);
	char *repo = values_repository(f->e.doc, key), *whole = NULL;
	struct image_ref held = { 0 };
	if (!repo && json_string_value(cur) && strchr(json_string_value(cur), '/') &&
	    image_ref_parse(json_string_value(cur), &held) == 0 && !image_repo_problem(held.repo)) {
		repo = xstrdup(held.repo); /* the key holds REPO:TAG or REPO@DIGEST */
		whole = pin_digest ? xasprintf("%s@%s", w->ref.repo, value) : xasprintf("%s:%s", w->ref.repo, value);
		value = whole;
	}
	image_ref_clear(&held);
	int rc = 0;
	if (repo && strcmp(repo, w->ref.repo) != 0)
		rc = sb_fail(err, EXIT_DATA, "%s: the values name the repository %s beside %s, not %s: the chart would "
			     "deploy %s:%s", f->path, repo, key, w->ref.repo, repo, pin_digest ? value : w->ref.tag);
	else if (pin_digest && !whole && !strcmp(last, "tag"))
		rc = sb_fail(err, EXIT_DATA, "%s: a digest in %s would render %s:%s, not an image reference (--key the "
			     "chart's digest key, or --pin tag)", f->path, key, repo ? repo : w->ref.repo, value);
	char *old = NULL;
	int r = rc ? 0 : yedit_set_path(&f->e, key, value, &old, err);
	if (!rc && r < 0)
		rc = EXIT_DATA;
	if (!rc) {
		c->changed = r == YEDIT_CHANGED;
		c->d.old = old;
		c->d.new_ = xstrdup(value);
	}
	free(repo);
	free(whole);
	return rc;
}

/* What the edited kustomization renders for the change's entry must be the
 * image asked for. */
static int check_kustomize(struct gitr *g, const git_oid *tip, const struct bump_ctx *b, const struct dfile *f,
			   const struct change *c, const struct want *w, struct strbuf *err)
{
	int pin_digest = pins_digest(b->set, w);
	return render_check(g, tip, b->path, f->path, f->e.doc, c->d.name, w->ref.repo, pin_digest ? NULL : w->ref.tag,
			    pin_digest ? w->digest : NULL, err);
}

static int bump_plan(struct gitr *g, const git_oid *tip, struct plan *p, void *arg, struct strbuf *err)
{
	struct bump_ctx *b = arg;
	int rc = 0;
	char *file = NULL;
	p->verb = xstrdup("deploy");
	p->msg_path = xstrdup(b->path);
	if (b->values) {
		if (!gitr_is_dir(g, tip, b->path))
			return sb_fail(err, EXIT_NOTFOUND, "%s: no directory %s on branch %s", g->display_url, b->path, g->branch);
		file = *b->path ? xasprintf("%s/%s", b->path, b->values) : xstrdup(b->values);
	} else if ((rc = find_kustomization(g, tip, b->path, &file, err)) != 0)
		return rc;
	struct dfile *f = plan_file(p, g, tip, file, err, &rc);
	free(file);
	if (!f)
		return rc;
	if (!b->values && !b->set->create && !json_is_array(json_object_get(f->e.doc, "images")))
		return sb_fail(err, EXIT_DATA, "%s: no images: list (--create to add one)", f->path);
	char **names = xcalloc(b->ws.n + 1, sizeof *names);
	const char **look = xcalloc(b->ws.n + 1, sizeof *look);
	p->c = xcalloc(b->ws.n, sizeof *p->c);
	for (size_t i = 0; i < b->ws.n; i++) {
		const char *n;
		const json_t *e = find_entry(f->e.doc, &b->ws.w[i], &n);
		names[i] = xstrdup(b->values ? b->ws.w[i].name : n);
		/* guard() protects a deploy the file holds: an image the file lacks (added
		 * now) has none, and --force overrides it; the walk to find none would read
		 * the branch's whole history, a cost that grows with every commit. */
		look[i] = b->set->force || (!b->values && !e) ? "" : names[i];
	}
	struct deploy_entry *last = xcalloc(b->ws.n, sizeof *last);
	rc = history_last(g, tip, b->path, look, last, err);
	free(look);
	for (size_t i = 0; i < b->ws.n && !rc; i++) {
		const struct want *w = &b->ws.w[i];
		struct change *c = &p->c[p->nc++];
		c->d.verb = xstrdup("deploy");
		c->d.name = xstrdup(names[i]);
		c->d.source = w->source ? xstrdup(w->source) : NULL;
		c->d.digest = w->digest ? xstrdup(w->digest) : NULL;
		c->d.stime = w->stime;
		rec_copy(&c->in, &w->in);
		if ((c->skipped = guard(b->set, w, &last[i])) != NULL) {
			warn_skip(c, &last[i], w);
			c->d.old = last[i].new_ ? xstrdup(last[i].new_) : NULL;
			c->d.new_ = xstrdup(w->ref.tag ? w->ref.tag : w->digest);
			continue;
		}
		rc = b->values ? set_helm(b->set, f, c, w, err) : set_kustomize(b->set, f, c, w, err);
	}
	for (size_t i = 0; i < p->nc && !rc && !b->values; i++)
		if (!p->c[i].skipped)
			rc = check_kustomize(g, tip, b, f, &p->c[i], &b->ws.w[i], err);
	/* A new entry is how a mistyped repository lands: say so (once a run). */
	for (size_t i = 0; i < p->nc && !rc; i++)
		if (p->c[i].appended && !b->announced++)
			warnx("%s: no images entry matched %s: appended one named %s", f->path, b->ws.w[i].ref.repo,
			      p->c[i].d.name);
	struct deploy_log l = { last, b->ws.n, b->ws.n };
	for (size_t i = 0; i < l.n; i++)
		if (!last[i].name)
			last[i].name = xstrdup("");
	dlog_clear(&l);
	for (size_t i = 0; i < b->ws.n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int bump_or_diff(const struct image_set_opts *set, const struct run_opts *ro, int argc, char **argv)
{
	struct bump_ctx b = { set, { 0 }, NULL, NULL, 0 };
	if (!ro->repo->path) {
		errorx("--path DIR is required");
		return EXIT_USAGE;
	}
	if (set->pin && strcmp(set->pin, "tag") && strcmp(set->pin, "digest")) {
		errorx("--pin %s: want tag or digest", set->pin);
		return EXIT_USAGE;
	}
	int rc = values_opts_check(&set->values);
	if (rc)
		return rc;
	rc = read_wants(set, argc, argv, &b.ws);
	if (!rc && set->image_name && b.ws.n > 1) {
		errorx("--image-name: one image per run (%zu given)", b.ws.n);
		rc = EXIT_USAGE;
	}
	if (!rc && set->values.file && b.ws.n > 1) {
		errorx("--values: one image per run (%zu given)", b.ws.n);
		rc = EXIT_USAGE;
	}
	if (!rc) {
		b.path = clean_path(ro->repo->path);
		b.values = set->values.file ? clean_path(set->values.file) : NULL;
		rc = deploy_run(ro, bump_plan, &b, "bump");
	}
	free(b.path);
	free(b.values);
	wants_clear(&b.ws);
	return rc;
}

int cmd_bump(const struct deploy_common_opts *repo, const struct bump_opts *o, int argc, char **argv)
{
	struct run_opts ro = { .repo = repo, .commit = &o->commit };
	return bump_or_diff(&o->set, &ro, argc, argv);
}

int cmd_diff(const struct deploy_common_opts *repo, const struct diff_opts *o, int argc, char **argv)
{
	struct run_opts ro = { .repo = repo, .commit = NULL, .exit_code = o->exit_code };
	return bump_or_diff(&o->set, &ro, argc, argv);
}
