/* regdest.c: a registry repository as an oci_dest (see regdest.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "oci/layer.h"
#include "oci/ref.h"
#include "oci/regdest.h"
#include "oci/registry.h"

#define TAGS_PAGE 100          /* ask for pages: registries cap them anyway */
#define SMALL_BLOB_MAX (64 << 20) /* a config read into memory */

/* What a dest and its clones share. */
struct regshared {
	pthread_mutex_t lock;
	int refs;
	char *tmpdir;                /* made on first use */
	unsigned long long sent;     /* blob bytes of closed handles */
};

struct regdest {
	struct oci_dest d;
	struct regshared *sh;
	struct registry *r;
	char *repo;
};

static const struct oci_dest_ops regdest_ops;

static struct regdest *as_reg(struct oci_dest *d)
{
	return (struct regdest *)d;
}

/* ---- temporary files ---- */

static const char *rd_tmpdir(struct oci_dest *d)
{
	struct regshared *sh = as_reg(d)->sh;
	pthread_mutex_lock(&sh->lock);
	if (!sh->tmpdir) {
		const char *base = getenv("TMPDIR");
		char *t = xasprintf("%s/cloudctl-build.XXXXXX", base && *base ? base : "/var/tmp");
		if (!mkdtemp(t))
			die(EXIT_IOERR, "%s: cannot make a temporary directory: %s", t, strerror(errno));
		sh->tmpdir = t;
	}
	pthread_mutex_unlock(&sh->lock);
	return sh->tmpdir;
}

/* Remove the temporary directory and whatever a failed run left in it. */
static void remove_tmpdir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	while (dh && (de = readdir(dh))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	if (dh)
		closedir(dh);
	rmdir(dir);
}

/* ---- blobs ---- */

static int rd_has_blob(struct oci_dest *d, const char *digest, unsigned long long size, int *present,
		       struct strbuf *err)
{
	(void)size; /* content-addressed: the digest decides */
	struct regdest *g = as_reg(d);
	return registry_blob_exists(g->r, g->repo, digest, present, NULL, err);
}

static int rd_put_blob(struct oci_dest *d, const char *digest, unsigned long long size, const char *path, int take,
		       struct strbuf *err)
{
	(void)size;
	struct regdest *g = as_reg(d);
	int rc = registry_blob_upload_file(g->r, g->repo, digest, path, err);
	if (take)
		unlink(path);
	return rc;
}

static int rd_mount_blob(struct oci_dest *d, const char *digest, const char *from, int *mounted, struct strbuf *err)
{
	struct regdest *g = as_reg(d);
	return registry_blob_mount(g->r, g->repo, digest, from, mounted, err);
}

static int rd_put_manifest(struct oci_dest *d, const char *tag, const char *media_type, const void *bytes, size_t n,
			   struct strbuf *err)
{
	struct regdest *g = as_reg(d);
	char digest[OCI_DIGEST_MAX];
	if (!tag)
		oci_digest_bytes(bytes, n, digest);
	return registry_manifest_put(g->r, g->repo, tag ? tag : digest, media_type, bytes, n, NULL, err);
}

/* ---- reading ---- */

static int rd_get_manifest(struct oci_dest *d, const char *ref, struct strbuf *bytes, char **media_type,
			   struct strbuf *err)
{
	struct regdest *g = as_reg(d);
	*media_type = NULL;
	sb_reset(bytes);
	int rc = registry_manifest_get(g->r, g->repo, ref, NULL, bytes, media_type, NULL, err);
	if (!*media_type)
		*media_type = xstrdup("");
	return rc;
}

/* A new temporary file in dir: its fd, *path set; -1 with err set. */
static int temp_file(const char *dir, const char *what, char **path, struct strbuf *err)
{
	*path = xasprintf("%s/.tmp-%s-XXXXXX", dir, what);
	int fd = mkstemp(*path);
	if (fd < 0 || fchmod(fd, 0644) < 0) {
		sb_fail(err, EXIT_IOERR, "%s: %s", *path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(*path);
		}
		free(*path);
		*path = NULL;
		return -1;
	}
	return fd;
}

static int rd_get_blob(struct oci_dest *d, const char *digest, struct strbuf *bytes, struct strbuf *err)
{
	struct regdest *g = as_reg(d);
	char *path;
	int fd = temp_file(rd_tmpdir(d), "blob", &path, err);
	if (fd < 0)
		return EXIT_IOERR;
	unlink(path); /* the descriptor is enough */
	long long n = 0;
	int rc = registry_blob_get(g->r, g->repo, digest, SMALL_BLOB_MAX, fd, &n, err);
	sb_reset(bytes);
	if (!rc && n > SMALL_BLOB_MAX)
		rc = sb_fail(err, EXIT_DATA, "%s: blob %s: %lld bytes, too large for a config", d->name, digest, n);
	if (!rc) {
		sb_grow(bytes, (size_t)n);
		ssize_t got = pread(fd, bytes->buf, (size_t)n, 0);
		if (got != (ssize_t)n)
			rc = sb_fail(err, EXIT_IOERR, "%s: %s", path, got < 0 ? strerror(errno) : "short read");
		else
			bytes->len = (size_t)n, bytes->buf[n] = '\0';
	}
	close(fd);
	free(path);
	return rc;
}

static int rd_fetch_blob(struct oci_dest *d, const char *digest, unsigned long long size, const char *dir,
			 char **path, int *temp, struct strbuf *err)
{
	struct regdest *g = as_reg(d);
	*temp = 0;
	int fd = temp_file(dir, "fetch", path, err);
	if (fd < 0)
		return EXIT_IOERR;
	int rc = registry_blob_get(g->r, g->repo, digest, (long long)size, fd, NULL, err);
	if (!rc && fsync(fd) < 0)
		rc = sb_fail(err, EXIT_IOERR, "%s: %s", *path, strerror(errno));
	close(fd);
	if (rc) {
		unlink(*path);
		free(*path);
		*path = NULL;
		return rc;
	}
	*temp = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int rd_list_tags(struct oci_dest *d, struct strlist *tags, struct strbuf *err)
{
	struct regdest *g = as_reg(d);
	struct strlist all = STRLIST_INIT;
	int rc = registry_tags(g->r, g->repo, TAGS_PAGE, &all, err);
	if (!rc && all.n)
		qsort(all.v, all.n, sizeof *all.v, cmp_str);
	for (size_t i = 0; !rc && i < all.n; i++)
		if (i == 0 || strcmp(all.v[i], all.v[i - 1]) != 0)
			strlist_add(tags, all.v[i]);
	strlist_clear(&all);
	return rc;
}

static void rd_close(struct oci_dest *d)
{
	struct regdest *g = as_reg(d);
	struct regshared *sh = g->sh;
	pthread_mutex_lock(&sh->lock);
	sh->sent += (unsigned long long)registry_stats(g->r)->blob_bytes_sent;
	int last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->lock);
	registry_close(g->r);
	if (last) {
		if (sh->tmpdir)
			remove_tmpdir(sh->tmpdir);
		free(sh->tmpdir);
		pthread_mutex_destroy(&sh->lock);
		free(sh);
	}
	free(g->repo);
	free(d->name);
	free(d->tag);
	free(g);
}

static const struct oci_dest_ops regdest_ops = {
	.tmpdir = rd_tmpdir,
	.has_blob = rd_has_blob,
	.put_blob = rd_put_blob,
	.mount_blob = rd_mount_blob,
	.put_manifest = rd_put_manifest,
	.get_manifest = rd_get_manifest,
	.get_blob = rd_get_blob,
	.fetch_blob = rd_fetch_blob,
	.list_tags = rd_list_tags,
	.close = rd_close,
};

/* ---- opening ---- */

int regdest_open(const char *ref, const struct regdest_opts *o, int digest_ok, struct oci_dest **out,
		 struct strbuf *err)
{
	*out = NULL;
	struct oci_ref r = OCI_REF_INIT;
	int rc = oci_ref_parse(ref, &r, err);
	if (rc)
		return rc;
	if (r.digest && !digest_ok) {
		oci_ref_release(&r);
		return sb_fail(err, EXIT_USAGE, "'%s': a destination takes a tag, not a digest", ref);
	}
	struct registry_opts ro = REGISTRY_OPTS_INIT;
	if (o) {
		ro.cacert = o->cacert;
		ro.insecure = o->insecure;
		ro.auth_file = o->auth_file;
		ro.jobs = o->jobs;
		ro.progress = o->progress;
		ro.progress_arg = o->progress_arg;
	}
	struct registry *reg = registry_open(r.host, &ro, err);
	if (!reg) {
		oci_ref_release(&r);
		return EXIT_USAGE;
	}
	struct regdest *g = xcalloc(1, sizeof *g);
	g->sh = xcalloc(1, sizeof *g->sh);
	pthread_mutex_init(&g->sh->lock, NULL);
	g->sh->refs = 1;
	g->r = reg;
	g->repo = xstrdup(r.repo);
	g->d.ops = &regdest_ops;
	g->d.name = xasprintf("%s/%s", r.host, r.repo);
	g->d.tag = r.digest ? xstrdup(r.digest) : r.tag ? xstrdup(r.tag) : NULL;
	oci_ref_release(&r);
	*out = &g->d;
	return 0;
}

int regdest_is(const struct oci_dest *d)
{
	return d && d->ops == &regdest_ops;
}

struct oci_dest *regdest_clone(struct oci_dest *d)
{
	struct regdest *g = as_reg(d), *c = xcalloc(1, sizeof *c);
	pthread_mutex_lock(&g->sh->lock);
	g->sh->refs++;
	pthread_mutex_unlock(&g->sh->lock);
	c->sh = g->sh;
	c->r = registry_clone(g->r);
	c->repo = xstrdup(g->repo);
	c->d.ops = &regdest_ops;
	c->d.name = xstrdup(d->name);
	c->d.tag = d->tag ? xstrdup(d->tag) : NULL;
	c->d.same_host_repo = d->same_host_repo;
	return &c->d;
}

void regdest_link_base(struct oci_dest *dest, const struct oci_dest *base)
{
	if (!regdest_is(dest) || !regdest_is(base))
		return;
	const struct regdest *a = (const struct regdest *)dest, *b = (const struct regdest *)base;
	if (strcmp(registry_host(a->r), registry_host(b->r)) == 0 && strcmp(a->repo, b->repo) != 0)
		dest->same_host_repo = b->repo;
}

unsigned long long regdest_bytes_sent(const struct oci_dest *d)
{
	const struct regdest *g = (const struct regdest *)d;
	pthread_mutex_lock(&g->sh->lock);
	unsigned long long n = g->sh->sent + (unsigned long long)registry_stats(g->r)->blob_bytes_sent;
	pthread_mutex_unlock(&g->sh->lock);
	return n;
}
