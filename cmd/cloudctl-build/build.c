/* build.c: cloudctl-build [build] DIR --repo DEST: DIR becomes one reproducible
 * layer on the base image; the image is tagged with the commit and stored. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "build.h"
#include "git/source.h"
#include "oci/ignore.h"
#include "oci/image.h"
#include "oci/layer.h"
#include "oci/layout.h"
#include "oci/pathcheck.h"
#include "oci/ref.h"
#include "oci/regdest.h"

#define DEFAULT_PLATFORM "linux/amd64"
#define SHORT_SHA 12
#define MTIME_MAX 8589934591LL /* what tar's 11 octal digits hold */

struct build {
	const struct build_opts *opt;
	const struct build_common_opts *registry;
	const char *dir;
	struct git_source src;
	int have_git;
	long long epoch;
	char *created;
	struct strlist tags;
	struct oci_dest *dest, *base;
	struct oci_platform platform;
	json_t *entrypoint, *cmd;
	struct tree_walk *walk; /* the cache's fingerprint, walked while the rest goes on */
	/* the layer of dir's last build, and whether the destination has it,
	 * asked while the walk runs */
	char last_fp[65];
	struct layer last;
	int last_asked, last_present;
	/* the base image */
	json_t *base_config;
	struct oci_manifest base_manifest;
	char base_digest[OCI_DIGEST_MAX];
	/* the result */
	struct layer layer;
	int layer_cached; /* known from the cache, and the destination has it */
	unsigned long long tar_estimate; /* for progress */
	struct oci_desc config;
	char digest[OCI_DIGEST_MAX];
	unsigned long long size, uploaded;
	unsigned mounted, skipped;
	struct strbuf err;
};

/* ---- options ---- */

static int key_value_ok(const struct strlist *l, const char *opt)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');
		if (!eq || eq == l->v[i]) {
			errorx("build: %s '%s': expected KEY=VALUE", opt, l->v[i]);
			return 0;
		}
	}
	return 1;
}

/* Whether the destination reference names a tag ("oci:out:v1", "host/repo:v1"). */
static int repo_names_tag(const char *ref)
{
	if (str_starts(ref, "oci:")) {
		char *path, *tag;
		layout_split(ref + 4, &path, &tag);
		int has = tag != NULL;
		free(path);
		free(tag);
		return has;
	}
	const char *colon = strrchr(ref, ':');
	return colon && !strchr(colon, '/');
}

/* --source-url goes into every copy of the image: a URL, and never a password. */
static int source_url_ok(const char *url)
{
	if (!url)
		return 1;
	const char *p = url;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (p == url || !str_starts(p, "://") || !p[3]) {
		errorx("build: --source-url '%s': expected a URL (SCHEME://HOST/PATH, e.g. https://git.example.com/shop/app.git)",
		       url);
		return 0;
	}
	char *bare = git_url_without_credentials(url);
	int same = str_eq(bare, url);
	free(bare);
	if (!same)
		errorx("build: --source-url: has a user name or password; give the URL without them");
	return same;
}

static int check_options(struct build *b)
{
	const struct build_opts *o = b->opt;
	if (!o->repo) {
		errorx("build: --repo is required (oci:PATH[:TAG] or REGISTRY/NAME)");
		return EXIT_USAGE;
	}
	if (o->tag_format && strcmp(o->tag_format, "full") != 0 && strcmp(o->tag_format, "short") != 0) {
		errorx("build: --tag-format '%s': full or short", o->tag_format);
		return EXIT_USAGE;
	}
	if (o->tag_format && (o->tags.n || repo_names_tag(o->repo))) {
		/* it would be ignored: the image would not get the tag asked for */
		errorx("build: --tag-format chooses the default tag; with %s there is none", o->tags.n ? "--tag" : "a tag in --repo");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < o->tags.n; i++) {
		if (!oci_ref_tag_valid(o->tags.v[i])) {
			errorx("build: --tag '%s': a tag is [A-Za-z0-9_][A-Za-z0-9._-]*, at most 128", o->tags.v[i]);
			return EXIT_USAGE;
		}
	}
	if (!key_value_ok(&o->env, "--env") || !key_value_ok(&o->labels, "--label") || !source_url_ok(o->source_url))
		return EXIT_USAGE;
	if (o->jobs < 0 || o->jobs > 64) {
		errorx("build: --jobs %lld: between 1 and 64", o->jobs);
		return EXIT_USAGE;
	}
	if (o->platform && image_parse_platform(o->platform, &b->platform) < 0) {
		errorx("build: --platform '%s': expected OS/ARCH[/VARIANT], e.g. linux/amd64", o->platform);
		return EXIT_USAGE;
	}
	if ((o->entrypoint && image_parse_argv(o->entrypoint, &b->entrypoint, &b->err)) ||
	    (o->cmd && image_parse_argv(o->cmd, &b->cmd, &b->err))) {
		errorx("build: %s %s", b->entrypoint || !o->entrypoint ? "--cmd" : "--entrypoint", b->err.buf);
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- the source: commit, time, tags ---- */

static int read_epoch(struct build *b)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		if (parse_ll(sde, 0, MTIME_MAX, &b->epoch) < 0)
			return sb_fail(&b->err, EXIT_CONFIG,
				       "SOURCE_DATE_EPOCH '%s': not a number of seconds since 1970 (0 .. %lld)", sde,
				       MTIME_MAX);
	} else {
		b->epoch = b->have_git ? b->src.time : 0;
	}
	if (b->epoch < 0 || b->epoch > MTIME_MAX)
		return sb_fail(&b->err, EXIT_DATA, "commit time %lld: out of tar's range", b->epoch);
	b->created = image_rfc3339(b->epoch);
	return 0;
}

/* DIR must be a directory we can read before anything else happens. */
static int check_dir(struct build *b)
{
	return oci_check_dir(NULL, b->dir, &b->err);
}

static int read_source(struct build *b)
{
	struct git_walk walk = { cache_walk_files, b->walk };
	int rc = git_source_read_walked(b->dir, b->walk ? &walk : NULL, &b->src, &b->err);
	if (rc == EXIT_NOTFOUND && (b->opt->tags.n || repo_names_tag(b->opt->repo))) {
		rc = 0; /* a build without a commit: named by its tags */
		sb_reset(&b->err);
	}
	else if (rc == EXIT_NOTFOUND)
		sb_adds(&b->err, " (the default tag is the commit; give --tag to build anyway)");
	else if (!rc)
		b->have_git = 1;
	if (rc)
		return rc;
	if (b->src.dirty && !b->opt->allow_dirty)
		return sb_fail(&b->err, EXIT_DATA, "%s: uncommitted changes (%s); commit them or use --allow-dirty",
			       b->dir, b->src.changed);
	return read_epoch(b);
}

/* A --label the build sets itself would be dropped without a word: refused,
 * naming what sets it. */
static int check_labels(struct build *b)
{
	for (size_t i = 0; i < b->opt->labels.n; i++) {
		const char *kv = b->opt->labels.v[i];
		size_t n = strcspn(kv, "=");
		const char *how = NULL;
		if (strlen(LABEL_CREATED) == n && !strncmp(kv, LABEL_CREATED, n))
			how = "it is the commit's time, or SOURCE_DATE_EPOCH";
		else if (b->have_git && strlen(LABEL_REVISION) == n && !strncmp(kv, LABEL_REVISION, n))
			how = "it is the commit built";
		else if (b->opt->source_url && strlen(LABEL_SOURCE) == n && !strncmp(kv, LABEL_SOURCE, n))
			how = "--source-url sets it";
		if (how)
			return sb_fail(&b->err, EXIT_USAGE, "build: --label %.*s: set by cloudctl-build (%s)", (int)n, kv,
				       how);
	}
	return 0;
}

static void pick_tags(struct build *b)
{
	if (b->dest->tag)
		strlist_add(&b->tags, b->dest->tag);
	for (size_t i = 0; i < b->opt->tags.n; i++)
		strlist_add(&b->tags, b->opt->tags.v[i]);
	if (b->tags.n)
		return;
	int n = b->opt->tag_format && strcmp(b->opt->tag_format, "short") == 0 ? SHORT_SHA : 40;
	char *t = xasprintf("%.*s%s", n, b->src.sha, b->src.dirty ? "-dirty" : "");
	strlist_add(&b->tags, t);
	free(t);
}

/* ---- the base image ---- */

static int check_platform(struct build *b)
{
	const char *os = json_string_value(json_object_get(b->base_config, "os"));
	const char *arch = json_string_value(json_object_get(b->base_config, "architecture"));
	const char *variant = json_string_value(json_object_get(b->base_config, "variant"));
	if (!os || !arch)
		return sb_fail(&b->err, EXIT_DATA, "%s: the base image config has no os or architecture", b->opt->base);
	if (!b->opt->platform) {
		b->platform.os = xstrdup(os);
		b->platform.arch = xstrdup(arch);
		b->platform.variant = variant ? xstrdup(variant) : NULL;
		return 0;
	}
	if (!str_eq(os, b->platform.os) || !str_eq(arch, b->platform.arch))
		return sb_fail(&b->err, EXIT_DATA, "%s: the base image is %s/%s, not --platform %s", b->opt->base, os,
			       arch, b->opt->platform);
	return 0;
}

static int load_base(struct build *b)
{
	int rc = store_open(b->opt->base, 0, b->registry, b->opt->jobs, &b->base, &b->err);
	if (rc)
		return rc;
	if (!b->base->tag)
		return sb_fail(&b->err, EXIT_USAGE,
			       "--base '%s': name the image's tag (oci:PATH:TAG, REGISTRY/NAME:TAG or @DIGEST)", b->opt->base);
	struct oci_platform want = { 0 };
	if (!b->opt->platform)
		image_parse_platform(DEFAULT_PLATFORM, &want);
	struct strbuf bytes = STRBUF_INIT;
	char *mt = NULL;
	rc = store_resolve(b->base, b->base->tag, b->opt->platform ? &b->platform : &want, &bytes, &mt,
			   b->base_digest, &b->err);
	image_platform_clear(&want);
	if (!rc)
		rc = image_manifest_parse(bytes.buf, bytes.len, b->opt->base, &b->base_manifest, &b->err);
	if (!rc)
		rc = b->base->ops->get_blob(b->base, b->base_manifest.config.digest, &bytes, &b->err);
	if (!rc) {
		json_error_t je;
		b->base_config = json_loadb(bytes.buf, bytes.len, 0, &je);
		if (!json_is_object(b->base_config))
			rc = sb_fail(&b->err, EXIT_DATA, "%s: the base image config is not a JSON object", b->opt->base);
	}
	if (!rc)
		rc = check_platform(b);
	free(mt);
	sb_release(&bytes);
	return rc;
}

/* ---- the layer ---- */

static int make_layer(struct build *b);

/* While the walk runs, ask the destination for the layer of dir's last build:
 * an unchanged tree has that one again, and the connection to a registry
 * (TLS, authentication) is set up meanwhile, not after the walk. A failure
 * here is no error: the question is asked again once the layer is known. */
static void ask_last_layer(struct build *b)
{
	b->last.path = NULL;
	if (cache_last(b->dir, b->last_fp) < 0 || cache_lookup(b->last_fp, &b->last) < 0)
		return;
	struct strbuf err = STRBUF_INIT;
	b->last_asked = b->dest->ops->has_blob(b->dest, b->last.digest, b->last.size, &b->last_present, &err) == 0;
	sb_release(&err);
}

/* An unchanged tree whose layer the destination has: nothing to build. */
static int cached_layer(struct build *b, const char *fp)
{
	struct layer l = { .path = NULL };
	int present = 0;
	if (b->last_asked && strcmp(fp, b->last_fp) == 0) {
		l = b->last;
		present = b->last_present;
	} else if (cache_lookup(fp, &l) < 0) {
		return 0;
	}
	int rc = present ? 0 : b->dest->ops->has_blob(b->dest, l.digest, l.size, &present, &b->err);
	if (!rc && present) {
		b->layer = l;
		b->layer_cached = 1;
		debug("layer %s: from the cache, already at the destination", l.digest);
	}
	return rc;
}

static int build_layer(struct build *b)
{
	char fp[65];
	int have_fp = cache_fingerprint(b->walk, b->opt->ignore_file, b->epoch, !b->opt->keep_modes, fp) == 0;
	b->tar_estimate = cache_walk_tar_estimate(b->walk);
	cache_walk_free(b->walk);
	b->walk = NULL;
	int rc = have_fp ? cached_layer(b, fp) : 0;
	if (!rc && b->layer_cached)
		info("layer %s: %s is unchanged since its last build, and %s has that layer", b->layer.digest, b->dir,
		     b->opt->repo);
	if (!rc && !b->layer_cached)
		rc = make_layer(b);
	if (!rc && have_fp && !b->layer_cached)
		cache_store(fp, &b->layer);
	if (!rc && have_fp)
		cache_set_last(b->dir, fp);
	return rc;
}

static int make_layer(struct build *b)
{
	const char *ignore_path = b->opt->ignore_file;
	char *dflt = NULL;
	if (!ignore_path)
		ignore_path = dflt = xasprintf("%s/.dockerignore", b->dir);
	struct ignore *ig = NULL;
	int rc = ignore_load(ignore_path, b->opt->ignore_file == NULL, &ig, &b->err);
	struct tar_opts o = { .mtime = b->epoch, .ignore = ig, .git_modes = !b->opt->keep_modes,
			      .progress = progress_bytes };
	struct stat st;
	if (!rc && stat(ignore_path, &st) == 0) {
		o.skip_dev = st.st_dev;
		o.skip_ino = st.st_ino;
	}
	if (!rc)
		progress_phase("layer", b->tar_estimate, "building the layer of %s (about %.1f MiB of tar)", b->dir,
			       b->tar_estimate / 1048576.0);
	if (!rc)
		rc = layer_build(b->dir, &o, LAYER_GZIP_LEVEL, b->dest->ops->tmpdir(b->dest), &b->layer, &b->err);
	if (!rc)
		debug("layer %s: %llu entries, %llu bytes of files, tar %llu bytes, gzip %llu bytes", b->layer.digest,
		      b->layer.stats.entries, b->layer.stats.bytes, b->layer.tar_size, b->layer.size);
	ignore_free(ig);
	free(dflt);
	return rc;
}

/* ---- pushing ---- */

/* The config as a temporary file in the destination's temporary directory: *path. */
static int write_config(struct build *b, const struct strbuf *json, char **path)
{
	char *tmp = xasprintf("%s/.tmp-config-XXXXXX", b->dest->ops->tmpdir(b->dest));
	int fd = mkstemp(tmp), rc = 0;
	if (fd < 0 || fchmod(fd, 0644) < 0 || write(fd, json->buf, json->len) != (ssize_t)json->len || fsync(fd) < 0)
		rc = sb_fail(&b->err, EXIT_IOERR, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc) {
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		tmp = NULL;
	}
	*path = tmp;
	return rc;
}

static void add_task(struct blob_task *t, const char *digest, unsigned long long size, const char *path)
{
	snprintf(t->digest, sizeof t->digest, "%s", digest);
	t->size = size;
	t->path = path;
	t->take = path != NULL;
}

/* Every blob: the base's layers, ours, the config; in parallel. */
static int push_all_blobs(struct build *b, const char *config_path)
{
	size_t n = b->base_manifest.n + 2, k = 0;
	struct blob_task *t = xcalloc(n, sizeof *t);
	for (size_t i = 0; i < b->base_manifest.n; i++)
		add_task(&t[k++], b->base_manifest.layers[i].digest, b->base_manifest.layers[i].size, NULL);
	if (!b->layer_cached) /* else known to be there */
		add_task(&t[k++], b->layer.digest, b->layer.size, b->layer.path);
	add_task(&t[k++], b->config.digest, b->config.size, config_path);
	struct push_result res = { 0, 0, 0 };
	int jobs = regdest_is(b->dest) ? (int)(b->opt->jobs > 0 ? b->opt->jobs : BUILD_JOBS_DEFAULT) : 1;
	int rc = push_blobs(b->dest, b->base, t, k, jobs, &res, &b->err);
	free(t);
	b->uploaded = res.uploaded;
	b->mounted = res.mounted;
	b->skipped = res.skipped + (unsigned)b->layer_cached;
	return rc;
}

/* The labels that say where an image comes from describe the base in its
 * config, not this image (the base is named by the manifest's base.digest):
 * the base's commit must not pass for ours when we have none. */
static void drop_base_provenance(struct build *b)
{
	json_t *labels = json_object_get(json_object_get(b->base_config, "config"), "Labels");
	const char *keys[] = { LABEL_REVISION, LABEL_SOURCE, LABEL_CREATED };
	for (size_t i = 0; json_is_object(labels) && i < sizeof keys / sizeof *keys; i++)
		json_object_del(labels, keys[i]);
}

static int make_config(struct build *b, struct strbuf *json)
{
	drop_base_provenance(b);
	struct strlist labels = STRLIST_INIT;
	for (size_t i = 0; i < b->opt->labels.n; i++)
		strlist_add(&labels, b->opt->labels.v[i]);
	char *l;
	if (b->have_git) {
		strlist_add(&labels, (l = xasprintf("%s=%s", LABEL_REVISION, b->src.sha)));
		free(l);
	}
	/* Only when asked: a remote's URL is spelled differently in each clone
	 * (https or ssh, a mirror, a local path) and the digest must not be. */
	if (b->opt->source_url) {
		strlist_add(&labels, (l = xasprintf("%s=%s", LABEL_SOURCE, b->opt->source_url)));
		free(l);
	}
	strlist_add(&labels, (l = xasprintf("%s=%s", LABEL_CREATED, b->created)));
	free(l);
	char *by = xasprintf("cloudctl-build %s", b->have_git ? b->src.subdir : ".");
	if (!b->platform.os)
		image_parse_platform(DEFAULT_PLATFORM, &b->platform);
	struct image_settings s = {
		.platform = b->platform, .created = b->created, .entrypoint = b->entrypoint, .cmd = b->cmd,
		.env = &b->opt->env, .labels = &labels, .workdir = b->opt->workdir, .user = b->opt->user,
		.history_by = by, .diff_id = b->layer.diff_id,
	};
	int rc = image_config_build(b->base_config, &s, json, &b->err);
	free(by);
	strlist_clear(&labels);
	if (!rc) {
		b->config.media_type = xstrdup(MT_OCI_CONFIG);
		oci_digest_bytes(json->buf, json->len, b->config.digest);
		b->config.size = json->len;
	}
	return rc;
}

static int push_manifest(struct build *b)
{
	size_t n = b->base_manifest.n + 1;
	struct oci_desc *layers = xcalloc(n, sizeof *layers);
	b->size = b->config.size;
	for (size_t i = 0; i < n; i++) {
		const struct oci_desc *from = i + 1 < n ? &b->base_manifest.layers[i] : NULL;
		layers[i].media_type = (char *)(from ? image_layer_media_type(from->media_type) : MT_OCI_LAYER_GZIP);
		memcpy(layers[i].digest, from ? from->digest : b->layer.digest, OCI_DIGEST_MAX);
		layers[i].size = from ? from->size : b->layer.size;
		b->size += layers[i].size;
	}
	/* The base's digest, not its name: a local path would differ between clones. */
	json_t *ann = json_object();
	if (b->base)
		json_object_set_new(ann, ANNOTATION_BASE_DIGEST, json_string(b->base_digest));
	if (b->base && !str_starts(b->opt->base, "oci:"))
		json_object_set_new(ann, ANNOTATION_BASE_NAME, json_string(b->opt->base));
	struct strbuf m = STRBUF_INIT;
	image_manifest_build(&b->config, layers, n, ann, &m);
	json_decref(ann);
	free(layers);
	oci_digest_bytes(m.buf, m.len, b->digest);
	b->size += m.len;
	int rc = 0;
	progress_phase("tag", 0, "writing the manifest %s as %zu tag%s of %s", b->digest, b->tags.n,
		       b->tags.n == 1 ? "" : "s", b->dest->name);
	for (size_t i = 0; i < b->tags.n && !rc; i++)
		rc = b->dest->ops->put_manifest(b->dest, b->tags.v[i], MT_OCI_MANIFEST, m.buf, m.len, &b->err);
	sb_release(&m);
	return rc;
}

static int push(struct build *b)
{
	struct strbuf config = STRBUF_INIT;
	char *config_path = NULL;
	int rc = make_config(b, &config);
	if (!rc)
		rc = write_config(b, &config, &config_path);
	sb_release(&config);
	if (!rc)
		rc = push_all_blobs(b, config_path);
	free(config_path);
	free(b->layer.path); /* taken: renamed or removed */
	b->layer.path = NULL;
	if (!rc) /* last, so that a tag never names an image with a missing blob */
		rc = push_manifest(b);
	return rc;
}

static int report(struct build *b)
{
	struct record r = RECORD_INIT;
	rec_set(&r, "kind", "image");
	char *ref = store_ref(b->dest, b->tags.v[0]);
	rec_set(&r, "ref", ref);
	free(ref);
	rec_set(&r, "digest", b->digest);
	if (b->have_git) {
		rec_set(&r, "source", b->src.sha);
		/* what cloudctl-deploy compares so that an older build never replaces a newer deploy */
		rec_setf(&r, "source_time", "%lld", b->src.time);
	}
	rec_setf(&r, "size", "%llu", b->size);
	rec_setf(&r, "layers", "%zu", b->base_manifest.n + 1);
	rec_setf(&r, "uploaded", "%llu", b->uploaded);
	rec_setf(&r, "mounted", "%u", b->mounted);
	rec_setf(&r, "skipped", "%u", b->skipped);
	struct rec_writer *w = build_writer("ref,digest,source,source_time,size,layers,uploaded,mounted,skipped");
	rec_write(w, &r);
	rec_clear(&r);
	return build_finish(w, 0);
}

static void build_clear(struct build *b)
{
	cache_walk_free(b->walk);
	layer_discard(&b->layer);
	git_source_clear(&b->src);
	free(b->created);
	strlist_clear(&b->tags);
	if (b->dest)
		b->dest->ops->close(b->dest);
	if (b->base)
		b->base->ops->close(b->base);
	image_platform_clear(&b->platform);
	json_decref(b->entrypoint);
	json_decref(b->cmd);
	json_decref(b->base_config);
	image_manifest_clear(&b->base_manifest);
	oci_desc_clear(&b->config);
	sb_release(&b->err);
}

int cmd_build(const struct build_opts *o, const struct build_common_opts *registry, int argc, char **argv)
{
	if (argc != 1) {
		errorx(argc ? "build: one directory, not %d operands" : "build: name the directory to build (DIR)%.0d", argc);
		return EXIT_USAGE;
	}
	struct build b = { .opt = o, .registry = registry, .dir = argv[0], .err = STRBUF_INIT };
	int rc = check_options(&b);
	if (rc) {
		build_clear(&b);
		return rc;
	}
	rc = check_dir(&b);
	if (!rc)
		rc = check_input_files(registry, o->ignore_file, &b.err);
	if (!rc) {
		progress_phase("scan", 0, "scanning %s and reading its git commit", b.dir);
		b.walk = cache_walk_start(b.dir, git_source_maybe(b.dir));
	}
	if (!rc)
		rc = read_source(&b);
	if (!rc && b.have_git)
		info("%s: commit %s%s", b.dir, b.src.sha, b.src.dirty ? ", with uncommitted changes" : "");
	if (!rc)
		rc = check_labels(&b);
	if (!rc && o->base) {
		progress_phase("base", 0, "reading the base image %s", o->base);
		rc = load_base(&b);
	}
	if (!rc)
		rc = store_open(o->repo, 1, registry, o->jobs, &b.dest, &b.err);
	if (!rc && b.base)
		regdest_link_base(b.dest, b.base);
	if (!rc)
		pick_tags(&b);
	if (!rc)
		ask_last_layer(&b);
	if (!rc)
		rc = build_layer(&b);
	if (!rc)
		rc = push(&b);
	progress_end();
	if (!rc)
		rc = report(&b);
	else if (b.err.len)
		errorx("%s", b.err.buf);
	build_clear(&b);
	return rc;
}
