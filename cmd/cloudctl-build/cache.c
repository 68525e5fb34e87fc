/* cache.c: the layer of an unchanged tree without building it again.
 *
 * A fingerprint of DIR is the SHA-256 of every entry's path and stat data
 * (type and mode, size, inode, mtime and ctime to the nanosecond), as git's
 * index tells a changed file: a file rewritten in place gets a new ctime, so a
 * change is never missed, at worst a hit is (then the layer is built). The
 * fingerprint also covers what else the layer depends on: the time in its
 * headers, the ignore file, the gzip level, zlib's version and ours. An
 * entry changed within the last 2 s is "racy" (a write in the same clock tick
 * would keep its times): then nothing is looked up nor stored.
 *
 * The cache is $XDG_CACHE_HOME/cloudctl/build/<fingerprint> (else
 * ~/.cache/...): one line "digest diff_id size tar_size entries bytes". It
 * names a layer, never holds one: a hit is used only when the destination
 * already has that blob. */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "build.h"
#include "oci/layer.h"

#define RACY_NS 2000000000LL
#define WALK_FDS 32

static struct {
	EVP_MD_CTX *md;
	size_t root_len;
	long long now_ns, newest_ns;
} walk;

static long long ts_ns(struct timespec t)
{
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	char line[160];
	int n = snprintf(line, sizeof line, "\n%o %lld %ju %lld %lld ", (unsigned)st->st_mode, (long long)st->st_size,
			 (uintmax_t)st->st_ino, ts_ns(st->st_mtim), ts_ns(st->st_ctim));
	EVP_DigestUpdate(walk.md, line, (size_t)n);
	EVP_DigestUpdate(walk.md, path + walk.root_len, strlen(path + walk.root_len) + 1);
	long long t = ts_ns(st->st_mtim) > ts_ns(st->st_ctim) ? ts_ns(st->st_mtim) : ts_ns(st->st_ctim);
	if (t > walk.newest_ns)
		walk.newest_ns = t;
	return 0;
}

/* The fingerprint of dir as hex in out[65]; -1 when it cannot be had or is racy. */
int cache_fingerprint(const char *dir, const char *ignore_file, long long epoch, char out[65])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	walk.md = EVP_MD_CTX_new();
	char *real = realpath(dir, NULL); /* a symlink to DIR: walk what it points at */
	if (!real)
		return -1;
	walk.root_len = strlen(real);
	walk.now_ns = ts_ns(now);
	walk.newest_ns = 0;
	if (!walk.md || !EVP_DigestInit_ex(walk.md, EVP_sha256(), NULL)) {
		free(real);
		return -1;
	}
	char head[256];
	int n = snprintf(head, sizeof head, "cloudctl-build %s layer-v1 zlib %s level %d epoch %lld", CLOUDCTL_VERSION,
			 zlibVersion(), LAYER_GZIP_LEVEL, epoch);
	EVP_DigestUpdate(walk.md, head, (size_t)n);
	struct stat st;
	int rc = nftw(real, visit, WALK_FDS, FTW_PHYS);
	free(real);
	if (rc == 0 && ignore_file && stat(ignore_file, &st) == 0) { /* an ignore file outside DIR */
		walk.root_len = 0;
		visit(ignore_file, &st, 0, NULL);
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(walk.md, md, &len);
	EVP_MD_CTX_free(walk.md);
	walk.md = NULL;
	if (rc != 0 || walk.newest_ns > walk.now_ns - RACY_NS)
		return -1;
	for (unsigned i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static char *cache_path(const char *fp)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/cloudctl/build/%s", xdg, fp);
	return home && *home ? xasprintf("%s/.cache/cloudctl/build/%s", home, fp) : NULL;
}

/* The layer a fingerprint names: 0 with l filled (no path), -1 when unknown. */
int cache_lookup(const char *fp, struct layer *l)
{
	char *p = cache_path(fp);
	FILE *f = p ? fopen(p, "r") : NULL;
	free(p);
	if (!f)
		return -1;
	char digest[OCI_DIGEST_MAX], diff_id[OCI_DIGEST_MAX];
	int ok = fscanf(f, "%71s %71s %llu %llu %llu %llu", digest, diff_id, &l->size, &l->tar_size, &l->stats.entries,
			&l->stats.bytes) == 6 && oci_digest_valid(digest) && oci_digest_valid(diff_id);
	fclose(f);
	if (!ok)
		return -1;
	memcpy(l->digest, digest, OCI_DIGEST_MAX);
	memcpy(l->diff_id, diff_id, OCI_DIGEST_MAX);
	l->path = NULL;
	return 0;
}

static void mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
}

/* Remember the layer built for fp; a cache that cannot be written is no error. */
void cache_store(const char *fp, const struct layer *l)
{
	char *p = cache_path(fp);
	if (!p)
		return;
	mkdirs(p);
	char *line = xasprintf("%s %s %llu %llu %llu %llu\n", l->digest, l->diff_id, l->size, l->tar_size,
			       l->stats.entries, l->stats.bytes);
	if (write_file_atomic(p, line, strlen(line), 0600) < 0)
		debug("layer cache %s: %s", p, strerror(errno));
	free(line);
	free(p);
}
