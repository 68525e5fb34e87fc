/* layer.c: tar -> gzip -> file with both SHA-256 digests, in one pass (see layer.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"
#include "oci/layer.h"
#include "oci/pgzip.h"

#define READ_BUF (256 * 1024)

struct gz_sink {
	struct pgzip *z;
	EVP_MD_CTX *tar_md, *blob_md;
	int fd;
	const char *path;
	unsigned long long tar_size, blob_size;
	const struct tar_opts *o; /* its progress callback */
};

static void hex_digest(EVP_MD_CTX *md, char out[OCI_DIGEST_MAX])
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestFinal_ex(md, sum, &n);
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", sum[i]);
}

void oci_digest_bytes(const void *data, size_t n, char out[OCI_DIGEST_MAX])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, data, n);
	hex_digest(md, out);
	EVP_MD_CTX_free(md);
}

int oci_digest_file(const char *path, char out[OCI_DIGEST_MAX], unsigned long long *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	unsigned char *buf = xmalloc(READ_BUF);
	unsigned long long total = 0;
	ssize_t n;
	while ((n = read(fd, buf, READ_BUF)) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0) {
			EVP_DigestUpdate(md, buf, (size_t)n);
			total += (unsigned long long)n;
		}
	}
	int saved = errno;
	free(buf);
	close(fd);
	if (n < 0) {
		EVP_MD_CTX_free(md);
		errno = saved;
		return -1;
	}
	hex_digest(md, out);
	EVP_MD_CTX_free(md);
	if (size)
		*size = total;
	return 0;
}

int oci_digest_valid(const char *s)
{
	if (!str_starts(s, "sha256:") || strlen(s) != 71)
		return 0;
	for (s += 7; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* pgzip's output: hashed and written, in order. */
static int write_all(void *arg, const unsigned char *p, size_t n, struct strbuf *err)
{
	struct gz_sink *g = arg;
	EVP_DigestUpdate(g->blob_md, p, n);
	g->blob_size += n;
	while (n > 0) {
		ssize_t w = write(g->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return sb_fail(err, EXIT_IOERR, "%s: %s", g->path, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The tar's bytes: hashed (the diff_id), then compressed. */
static int gz_write(void *ctx, const void *data, size_t n, struct strbuf *err)
{
	struct gz_sink *g = ctx;
	EVP_DigestUpdate(g->tar_md, data, n);
	g->tar_size += n;
	if (g->o->progress)
		g->o->progress(g->o->progress_ctx, g->tar_size);
	return pgzip_write(g->z, data, n, err);
}

static void gz_init(struct gz_sink *g, int level)
{
	g->z = pgzip_new(level, 0, write_all, g);
	g->tar_md = EVP_MD_CTX_new();
	g->blob_md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(g->tar_md, EVP_sha256(), NULL);
	EVP_DigestInit_ex(g->blob_md, EVP_sha256(), NULL);
}

static void gz_free(struct gz_sink *g)
{
	pgzip_free(g->z);
	EVP_MD_CTX_free(g->tar_md);
	EVP_MD_CTX_free(g->blob_md);
}

static int open_temp(const char *tmpdir, char **path, int *fd, struct strbuf *err)
{
	*path = xasprintf("%s/.tmp-layer-XXXXXX", tmpdir);
	*fd = mkstemp(*path);
	if (*fd < 0 || fchmod(*fd, 0644) < 0) {
		int e = errno;
		if (*fd >= 0) {
			close(*fd);
			unlink(*path);
		}
		free(*path);
		*path = NULL;
		return sb_fail(err, e == EACCES || e == EPERM || e == EROFS ? EXIT_PERM : EXIT_IOERR, "%s: %s",
			       tmpdir, strerror(e));
	}
	return 0;
}

int layer_build(const char *dir, const struct tar_opts *o, int level, const char *tmpdir,
		struct layer *out, struct strbuf *err)
{
	memset(out, 0, sizeof *out);
	struct gz_sink g = { .fd = -1, .o = o };
	int rc = open_temp(tmpdir, &out->path, &g.fd, err);
	if (rc)
		return rc;
	g.path = out->path;
	gz_init(&g, level);
	{
		struct tar_sink sink = { gz_write, &g };
		rc = tar_write_tree(dir, o, &sink, &out->stats, err);
		if (!rc)
			rc = pgzip_finish(g.z, err);
		if (!rc && fsync(g.fd) < 0)
			rc = sb_fail(err, EXIT_IOERR, "%s: %s", out->path, strerror(errno));
		if (!rc) {
			hex_digest(g.blob_md, out->digest);
			hex_digest(g.tar_md, out->diff_id);
			out->size = g.blob_size;
			out->tar_size = g.tar_size;
		}
		gz_free(&g);
	}
	if (close(g.fd) < 0 && !rc)
		rc = sb_fail(err, EXIT_IOERR, "%s: %s", out->path, strerror(errno));
	if (rc)
		layer_discard(out);
	return rc;
}

void layer_discard(struct layer *l)
{
	if (l->path) {
		unlink(l->path);
		free(l->path);
		l->path = NULL;
	}
}
