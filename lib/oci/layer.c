/* layer.c: tar -> gzip -> file with both SHA-256 digests, in one pass (see layer.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "log.h"
#include "oci/layer.h"

#define IN_BUF (256 * 1024)
#define OUT_BUF (256 * 1024)
#define GZIP_OS_UNKNOWN 255

struct gz_sink {
	z_stream z;
	EVP_MD_CTX *tar_md, *blob_md;
	int fd;
	const char *path;
	unsigned char *in, *out;
	size_t in_len;
	unsigned long long tar_size, blob_size;
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
	unsigned char *buf = xmalloc(IN_BUF);
	unsigned long long total = 0;
	ssize_t n;
	while ((n = read(fd, buf, IN_BUF)) > 0 || (n < 0 && errno == EINTR)) {
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

static int write_all(struct gz_sink *g, const unsigned char *p, size_t n, struct strbuf *err)
{
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

/* Compress what is in the input buffer (all of it, or to the end with Z_FINISH). */
static int deflate_buffer(struct gz_sink *g, int flush, struct strbuf *err)
{
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)g->in_len;
	int zrc;
	do {
		g->z.next_out = g->out;
		g->z.avail_out = OUT_BUF;
		zrc = deflate(&g->z, flush);
		if (zrc == Z_STREAM_ERROR)
			return sb_fail(err, EXIT_SOFTWARE, "zlib: deflate failed");
		size_t have = OUT_BUF - g->z.avail_out;
		int rc = have ? write_all(g, g->out, have, err) : 0;
		if (rc)
			return rc;
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
	g->in_len = 0;
	return 0;
}

static int gz_write(void *ctx, const void *data, size_t n, struct strbuf *err)
{
	struct gz_sink *g = ctx;
	EVP_DigestUpdate(g->tar_md, data, n);
	g->tar_size += n;
	const unsigned char *p = data;
	while (n > 0) {
		size_t room = IN_BUF - g->in_len, take = n < room ? n : room;
		memcpy(g->in + g->in_len, p, take);
		g->in_len += take;
		p += take;
		n -= take;
		if (g->in_len == IN_BUF) {
			int rc = deflate_buffer(g, Z_NO_FLUSH, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int gz_init(struct gz_sink *g, int level, struct strbuf *err)
{
	memset(&g->z, 0, sizeof g->z);
	/* 15 + 16: a gzip wrapper around a 32 KiB window; memory level 8 (zlib's default) */
	if (deflateInit2(&g->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return sb_fail(err, EXIT_SOFTWARE, "zlib: cannot start deflate at level %d", level);
	static gz_header head; /* zeroed: no name, no comment, mtime 0 */
	head.os = GZIP_OS_UNKNOWN;
	deflateSetHeader(&g->z, &head);
	g->tar_md = EVP_MD_CTX_new();
	g->blob_md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(g->tar_md, EVP_sha256(), NULL);
	EVP_DigestInit_ex(g->blob_md, EVP_sha256(), NULL);
	g->in = xmalloc(IN_BUF);
	g->out = xmalloc(OUT_BUF);
	return 0;
}

static void gz_free(struct gz_sink *g)
{
	deflateEnd(&g->z);
	EVP_MD_CTX_free(g->tar_md);
	EVP_MD_CTX_free(g->blob_md);
	free(g->in);
	free(g->out);
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
	struct gz_sink g = { .fd = -1 };
	int rc = open_temp(tmpdir, &out->path, &g.fd, err);
	if (rc)
		return rc;
	g.path = out->path;
	if (!(rc = gz_init(&g, level, err))) {
		struct tar_sink sink = { gz_write, &g };
		rc = tar_write_tree(dir, o, &sink, &out->stats, err);
		if (!rc)
			rc = deflate_buffer(&g, Z_FINISH, err);
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
