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
 * Entries named ".git" are left out, as the layer leaves them out: a git
 * command that rewrites .git/index does not change the fingerprint.
 *
 * The walk is what a re-push of an unchanged tree costs (one fstatat per
 * entry, and a system call is dear), so it runs in the background while the
 * build reads its source and opens the destination (cache_walk_start), in a
 * few threads taking directories from a queue. Each directory is stat'ed
 * relative to its own descriptor (no path lookup from the root) and hashed
 * on its own, its entries sorted by name; the fingerprint hashes the
 * directories' digests sorted by path, so it does not depend on which thread
 * read what, nor on the order the file system lists a directory in. In a git
 * work tree the walk keeps every entry's stat data, and git_source tells a
 * clean tree from the index and these (cache_walk_files) instead of walking
 * the tree a second time.
 *
 * The cache is $XDG_CACHE_HOME/cloudctl/build/<fingerprint> (else
 * ~/.cache/...): one line "digest diff_id size tar_size entries bytes". It
 * names a layer, never holds one: a hit is used only when the destination
 * already has that blob. Beside it, last-<SHA-256 of DIR's real path> holds
 * the fingerprint of DIR's last build, so that the destination can be asked
 * for that layer while the walk runs (cache_last). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "build.h"
#include "git/source.h"
#include "oci/layer.h"
#include "oci/pgzip.h"

#define RACY_NS 2000000000LL
#define WALK_THREADS_MAX 4
#define DIGEST_LEN 32
#define DENTS_BUF 32768
#define TAR_BLOCK 512ULL

struct entry {
	const char *name; /* in the directory's names */
	int dotgit;       /* ".git": never in a layer (tarwriter.c), so neither stat'ed nor hashed */
	struct stat st;
};

/* A directory walked: its digest, and its entries for git_source (kept, not
 * copied: a few MB for a tree of 30,000 files). */
struct dir_digest {
	char *rel; /* "" for DIR itself, else "a/b" */
	unsigned char md[DIGEST_LEN];
	struct entry *e;
	size_t n;
	char *names;
};

struct tree_walk {
	pthread_mutex_t lock;
	pthread_cond_t more;
	pthread_t threads[WALK_THREADS_MAX];
	int nthreads;
	int root;             /* DIR's descriptor; directories are opened from it */
	struct stat root_st;
	struct strlist queue; /* directories to read, relative to root */
	size_t next;          /* the first not taken */
	int busy;             /* threads reading a directory (may queue more) */
	struct dir_id { dev_t dev; ino_t ino; } *ids; /* what each queued directory was when stat'ed */
	size_t idcap;
	int keep;             /* the entries, for cache_walk_files */
	int failed, stop;
	long long start_ns;   /* when the walk began */
	long long newest_ns;  /* the latest mtime or ctime seen */
	unsigned long long tar_bytes; /* about the tar's size: a header an entry, files' data */
	struct dir_digest *dirs;
	size_t ndirs, cap;
	struct git_walked_file *files; /* made by cache_walk_files */
	size_t nfiles;
};

static long long ts_ns(struct timespec t)
{
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long newest(const struct stat *st)
{
	long long m = ts_ns(st->st_mtim), c = ts_ns(st->st_ctim);
	return m > c ? m : c;
}

/* An entry as the digest sees it: its stat data in binary (the cache is of
 * this machine, so byte order does not matter), then its name. */
static void add_stat_line(struct strbuf *sb, const char *name, const struct stat *st)
{
	uint64_t v[5] = { st->st_mode, (uint64_t)st->st_size, st->st_ino, (uint64_t)ts_ns(st->st_mtim),
			  (uint64_t)ts_ns(st->st_ctim) };
	sb_add(sb, v, sizeof v);
	sb_add(sb, name, strlen(name) + 1);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct dir_digest *)a)->rel, ((const struct dir_digest *)b)->rel);
}

static void sha256(const void *data, size_t n, unsigned char md[DIGEST_LEN])
{
	unsigned len = DIGEST_LEN;
	EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
}

/* ---- the queue of directories ---- */

static void queue_dir(struct tree_walk *w, const char *rel, const char *name, const struct stat *st)
{
	char *path = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	pthread_mutex_lock(&w->lock);
	strlist_add(&w->queue, path);
	w->ids = xgrow(w->ids, &w->idcap, w->queue.n, sizeof *w->ids);
	w->ids[w->queue.n - 1] = (struct dir_id){ st->st_dev, st->st_ino };
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
	free(path);
}

/* The next directory to read (its index in *i), or NULL when the walk is over. */
static const char *take_dir(struct tree_walk *w, size_t *i)
{
	pthread_mutex_lock(&w->lock);
	while (w->next == w->queue.n && w->busy && !w->failed && !w->stop)
		pthread_cond_wait(&w->more, &w->lock);
	const char *rel = NULL;
	if (w->next < w->queue.n && !w->failed && !w->stop) {
		*i = w->next;
		rel = w->queue.v[w->next++];
		w->busy++;
	} else {
		pthread_cond_broadcast(&w->more); /* over: wake the others */
	}
	pthread_mutex_unlock(&w->lock);
	return rel;
}

static void done_dir(struct tree_walk *w, const char *rel, const unsigned char *md, long long newest_ns, int ok,
		     struct entry *e, size_t n, char *names, unsigned long long tar_bytes)
{
	pthread_mutex_lock(&w->lock);
	w->busy--;
	w->tar_bytes += tar_bytes;
	if (!ok)
		w->failed = 1;
	if (newest_ns > w->newest_ns)
		w->newest_ns = newest_ns;
	if (ok) {
		w->dirs = xgrow(w->dirs, &w->cap, w->ndirs + 1, sizeof *w->dirs);
		struct dir_digest *d = &w->dirs[w->ndirs++];
		d->rel = xstrdup(rel);
		memcpy(d->md, md, DIGEST_LEN);
		d->e = e;
		d->n = n;
		d->names = names;
		e = NULL;
		names = NULL;
	}
	if (!w->busy || !ok)
		pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	free(e);
	free(names);
}

/* ---- one directory ---- */

/* Open directory i of the queue below the root, refusing what is no longer
 * the directory that was stat'ed (moved, or a component replaced by a
 * symlink meanwhile): its descriptor, or -1. */
static int open_dir(struct tree_walk *w, size_t i)
{
	pthread_mutex_lock(&w->lock); /* the arrays may grow meanwhile */
	const char *rel = w->queue.v[i];
	struct dir_id id = w->ids[i];
	pthread_mutex_unlock(&w->lock);
	int fd = openat(w->root, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_dev != id.dev || st.st_ino != id.ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The names in directory fd, each NUL-terminated, into names; their number,
 * or -1. getdents64 itself, not readdir: fdopendir costs two more system
 * calls a directory. */
static long read_names(int fd, struct strbuf *names)
{
	char buf[DENTS_BUF];
	long count = 0;
	for (;;) {
		ssize_t got = getdents64(fd, buf, sizeof buf);
		if (got <= 0)
			return got < 0 ? -1 : count;
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			off += de->d_reclen;
			const char *name = de->d_name;
			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
				continue;
			sb_add(names, name, strlen(name) + 1);
			count++;
		}
	}
}

/* Every entry of directory i with its stat data, sorted by name (the names
 * in names); -1 on any error. */
static int read_dir(struct tree_walk *w, size_t i, struct strbuf *names, struct entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int fd = open_dir(w, i);
	long count = fd >= 0 ? read_names(fd, names) : -1;
	int rc = count < 0 ? -1 : 0;
	*out = count > 0 ? xcalloc((size_t)count, sizeof **out) : NULL;
	for (size_t off = 0; *n < (size_t)(count > 0 ? count : 0); off += strlen(names->buf + off) + 1) {
		struct entry *e = &(*out)[*n];
		e->name = names->buf + off;
		e->dotgit = strcmp(e->name, ".git") == 0;
		if (!e->dotgit && fstatat(fd, e->name, &e->st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -1;
			break;
		}
		++*n;
	}
	if (fd >= 0)
		close(fd);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, by_name);
	return rc;
}

static void walk_one(struct tree_walk *w, const char *rel, size_t i)
{
	struct entry *e;
	size_t n;
	struct strbuf names = STRBUF_INIT, lines = STRBUF_INIT;
	int ok = read_dir(w, i, &names, &e, &n) == 0;
	long long t = 0;
	unsigned long long tar_bytes = 0;
	for (size_t k = 0; k < n && ok; k++) {
		if (e[k].dotgit)
			continue;
		tar_bytes += TAR_BLOCK;
		if (S_ISREG(e[k].st.st_mode))
			tar_bytes += ((unsigned long long)e[k].st.st_size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		if (S_ISDIR(e[k].st.st_mode))
			queue_dir(w, rel, e[k].name, &e[k].st);
		add_stat_line(&lines, e[k].name, &e[k].st);
		if (newest(&e[k].st) > t)
			t = newest(&e[k].st);
	}
	unsigned char md[DIGEST_LEN];
	sha256(lines.buf, lines.len, md);
	sb_release(&lines);
	if (!w->keep) { /* freed at once: the next directory reuses the memory */
		free(e);
		e = NULL;
		n = 0;
		sb_release(&names);
	}
	done_dir(w, rel, md, t, ok, e, n, names.len ? sb_detach(&names) : NULL, tar_bytes);
	sb_release(&names);
}

static void *walker(void *arg)
{
	struct tree_walk *w = arg;
	const char *rel;
	size_t i;
	while ((rel = take_dir(w, &i)))
		walk_one(w, rel, i);
	return NULL;
}

/* ---- the walk ---- */

static int walk_threads(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* one more than the CPUs: a thread waiting on the disk leaves a CPU idle */
	long n = cpus > 0 ? cpus + 1 : 2;
	return n > WALK_THREADS_MAX ? WALK_THREADS_MAX : (int)n;
}

struct tree_walk *cache_walk_start(const char *dir, int keep_entries)
{
	struct tree_walk *w = xcalloc(1, sizeof *w);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	w->start_ns = ts_ns(now);
	w->keep = keep_entries;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	w->root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* a symlink to DIR: walk what it points at */
	if (w->root < 0 || fstat(w->root, &w->root_st) < 0) {
		w->failed = 1;
		return w;
	}
	w->newest_ns = newest(&w->root_st);
	strlist_add(&w->queue, "");
	w->ids = xgrow(w->ids, &w->idcap, 1, sizeof *w->ids);
	w->ids[0] = (struct dir_id){ w->root_st.st_dev, w->root_st.st_ino };
	int want = walk_threads();
	for (int i = 0; i < want; i++)
		if (pthread_create(&w->threads[w->nthreads], NULL, walker, w) == 0)
			w->nthreads++;
	if (!w->nthreads)
		walker(w); /* no thread to be had: walk here */
	return w;
}

static void join(struct tree_walk *w)
{
	for (int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	w->nthreads = 0;
}

void cache_walk_free(struct tree_walk *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	join(w);
	for (size_t i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].rel);
		free(w->dirs[i].e);
		free(w->dirs[i].names);
	}
	free(w->dirs);
	free(w->files);
	free(w->ids);
	strlist_clear(&w->queue);
	if (w->root >= 0)
		close(w->root);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

unsigned long long cache_walk_tar_estimate(struct tree_walk *w)
{
	if (!w)
		return 0;
	join(w);
	return w->failed || w->stop ? 0 : w->tar_bytes;
}

/* Every entry that is not a directory, for git_source_read_walked (a
 * struct git_walk's files; a ".git" without stat data); waits for the walk. */
int cache_walk_files(void *ctx, const struct git_walked_file **files, size_t *n)
{
	struct tree_walk *w = ctx;
	join(w);
	if (w->failed || w->stop || !w->keep)
		return -1;
	if (!w->files) {
		size_t total = 0;
		for (size_t i = 0; i < w->ndirs; i++)
			total += w->dirs[i].n;
		w->files = xcalloc(total + 1, sizeof *w->files);
		for (size_t i = 0; i < w->ndirs; i++)
			for (size_t k = 0; k < w->dirs[i].n; k++)
				if (!S_ISDIR(w->dirs[i].e[k].st.st_mode))
					w->files[w->nfiles++] = (struct git_walked_file){
						w->dirs[i].rel, w->dirs[i].e[k].name,
						w->dirs[i].e[k].dotgit ? NULL : &w->dirs[i].e[k].st
					};
	}
	*files = w->files;
	*n = w->nfiles;
	return 0;
}

/* The fingerprint of the walked tree as hex in out[65]; -1 when it cannot be
 * had or is racy. Waits for the walk to end. */
int cache_fingerprint(struct tree_walk *w, const char *ignore_file, long long epoch, int git_modes, char out[65])
{
	join(w);
	if (w->failed || w->stop)
		return -1;
	struct strbuf all = STRBUF_INIT;
	/* everything the layer's bytes depend on besides the tree */
	sb_addf(&all, "cloudctl-build %s layer-v3 gzip blocks %d zlib %s level %d epoch %lld modes %s", CLOUDCTL_VERSION,
		PGZIP_BLOCK, zlibVersion(), LAYER_GZIP_LEVEL, epoch, git_modes ? "git" : "kept");
	add_stat_line(&all, "", &w->root_st);
	qsort(w->dirs, w->ndirs, sizeof *w->dirs, by_rel);
	for (size_t i = 0; i < w->ndirs; i++) {
		sb_add(&all, w->dirs[i].rel, strlen(w->dirs[i].rel) + 1);
		sb_add(&all, w->dirs[i].md, DIGEST_LEN);
	}
	long long t = w->newest_ns;
	struct stat st;
	if (ignore_file && stat(ignore_file, &st) == 0) { /* an ignore file outside DIR */
		add_stat_line(&all, ignore_file, &st);
		if (newest(&st) > t)
			t = newest(&st);
	}
	unsigned char md[DIGEST_LEN];
	sha256(all.buf, all.len, md);
	sb_release(&all);
	if (t > w->start_ns - RACY_NS)
		return -1;
	for (unsigned i = 0; i < DIGEST_LEN; i++)
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

static void mkdirs(char *path);

/* "last-<SHA-256 of DIR's real path>": the fingerprint DIR had when last built. */
static char *last_name(const char *dir)
{
	char *real = realpath(dir, NULL);
	if (!real)
		return NULL;
	unsigned char md[DIGEST_LEN];
	sha256(real, strlen(real), md);
	free(real);
	char hex[2 * DIGEST_LEN + 1];
	for (unsigned i = 0; i < DIGEST_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return xasprintf("last-%s", hex);
}

int cache_last(const char *dir, char fp[65])
{
	char *name = last_name(dir), *p = name ? cache_path(name) : NULL;
	FILE *f = p ? fopen(p, "r") : NULL;
	free(name);
	free(p);
	if (!f)
		return -1;
	int ok = fscanf(f, "%64[0-9a-f]", fp) == 1 && strlen(fp) == 64;
	fclose(f);
	return ok ? 0 : -1;
}

void cache_set_last(const char *dir, const char *fp)
{
	char old[65];
	if (cache_last(dir, old) == 0 && strcmp(old, fp) == 0)
		return; /* no write for an unchanged tree */
	char *name = last_name(dir), *p = name ? cache_path(name) : NULL;
	free(name);
	if (!p)
		return;
	mkdirs(p);
	char *line = xasprintf("%s\n", fp);
	if (write_file_atomic(p, line, strlen(line), 0600) < 0)
		debug("layer cache %s: %s", p, strerror(errno));
	free(line);
	free(p);
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
