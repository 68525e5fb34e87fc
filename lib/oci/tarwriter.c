/* tarwriter.c: a directory tree as a reproducible pax tar stream (see tarwriter.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "strmap.h"
#include "utf8.h"
#include "oci/ignore.h"
#include "oci/tarwriter.h"

#define BLOCK 512
#define USTAR_NAME_MAX 100
#define USTAR_SIZE_MAX 077777777777ULL /* 11 octal digits: 8 GiB - 1 */
#define READ_CHUNK (256 * 1024)

const char tar_zero_block[BLOCK];

/* ---- headers ---- */

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* A value fits in a ustar text field of width bytes (no NUL needed when full). */
static int fits_ustar(const char *s, size_t width)
{
	return strlen(s) <= width && is_ascii(s);
}

/* "%0*o" with a NUL in the last byte: the form GNU tar and Go write. */
static void put_octal(char *field, size_t width, unsigned long long v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%0*llo", (int)(width - 1), v);
	memcpy(field, tmp, width - 1);
	field[width - 1] = '\0';
}

/* A pax record "LEN key=value\n", where LEN counts the whole record itself. */
static void pax_record(struct strbuf *sb, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3; /* ' ', '=', '\n' */
	size_t len = body + 1;
	for (;;) {
		size_t digits = (size_t)snprintf(NULL, 0, "%zu", len);
		if (body + digits == len)
			break;
		len = body + digits;
	}
	sb_addf(sb, "%zu %s=%s\n", len, key, val);
}

/* The ustar name field when the real path is in a pax record: ASCII, short,
 * and the same on every run ("PaxHeaders.0/" as Go writes for the 'x' entry). */
static void ascii_stub(char *out, size_t width, const char *path)
{
	size_t i = 0;
	for (; path[i] && i < width; i++)
		out[i] = (unsigned char)path[i] < 0x80 ? path[i] : '_';
	if (i < width)
		memset(out + i, 0, width - i);
}

static void checksum(char *block)
{
	memset(block + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < BLOCK; i++)
		sum += (unsigned char)block[i];
	snprintf(block + 148, 8, "%06o", sum);
	block[155] = ' ';
}

static void ustar_block(struct strbuf *out, const char *name, const char *link, char type,
			unsigned mode, unsigned long long size, long long mtime)
{
	char b[BLOCK];
	memset(b, 0, sizeof b);
	ascii_stub(b, USTAR_NAME_MAX, name);
	put_octal(b + 100, 8, mode & 07777);
	put_octal(b + 108, 8, 0);
	put_octal(b + 116, 8, 0);
	put_octal(b + 124, 12, size);
	put_octal(b + 136, 12, (unsigned long long)mtime);
	b[156] = type;
	if (link)
		ascii_stub(b + 157, USTAR_NAME_MAX, link);
	memcpy(b + 257, "ustar\0" "00", 8);
	put_octal(b + 329, 8, 0);
	put_octal(b + 337, 8, 0);
	checksum(b);
	sb_add(out, b, sizeof b);
}

size_t tar_padding(unsigned long long size)
{
	return (size_t)((BLOCK - size % BLOCK) % BLOCK);
}

void tar_format_header(struct strbuf *out, const struct tar_header *h)
{
	struct strbuf pax = STRBUF_INIT;
	if (h->linkname && !fits_ustar(h->linkname, USTAR_NAME_MAX))
		pax_record(&pax, "linkpath", h->linkname);
	if (!fits_ustar(h->path, USTAR_NAME_MAX))
		pax_record(&pax, "path", h->path);
	if (h->size > USTAR_SIZE_MAX) {
		char n[32];
		snprintf(n, sizeof n, "%llu", h->size);
		pax_record(&pax, "size", n);
	}
	if (pax.len) {
		const char *base = strrchr(h->path, '/');
		base = base && base[1] ? base + 1 : h->path;
		char *xname = xasprintf("PaxHeaders.0/%s", base);
		ustar_block(out, xname, NULL, 'x', 0644, pax.len, h->mtime);
		free(xname);
		sb_add(out, pax.buf, pax.len);
		sb_add(out, tar_zero_block, tar_padding(pax.len));
	}
	sb_release(&pax);
	ustar_block(out, h->path, h->linkname, h->type, h->mode,
		    h->size > USTAR_SIZE_MAX ? 0 : h->size, h->mtime);
}

/* ---- the walk ---- */

struct pending_dir {
	char *rel;
	unsigned mode;
};

struct walk {
	const struct tar_opts *o;
	struct tar_sink *sink;
	struct tar_stats *st;
	struct strbuf *err;
	const char *top;
	struct strbuf hdr;
	struct strmap links;        /* "dev:ino" -> index in link_paths */
	struct strlist link_paths;
	char *buf;
	/* Excluded directories walked for the exceptions ('!') under them: their
	 * entries are written only before the first entry inside that is kept. */
	struct pending_dir *pend;
	size_t npend, cappend;
};

/* The path for messages: top/rel, bytes that are not printable ASCII as \xNN. */
static void show_path(struct strbuf *sb, const struct walk *w, const char *rel)
{
	sb_adds(sb, w->top);
	if (*rel && !str_ends(w->top, "/"))
		sb_addc(sb, '/');
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			sb_addf(sb, "\\x%02x", *p);
		else
			sb_addc(sb, (char)*p);
	}
}

static int walk_fail(struct walk *w, int code, const char *rel, const char *reason)
{
	sb_reset(w->err);
	show_path(w->err, w, rel);
	sb_addf(w->err, ": %s", reason);
	return code;
}

static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ESTALE:
		return EXIT_TEMPFAIL; /* it was listed a moment ago: it vanished */
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	case ELOOP:
		return EXIT_DATA;
	default:
		return EXIT_IOERR;
	}
}

static int walk_errno(struct walk *w, const char *rel, int e)
{
	if (e == ENOENT || e == ESTALE)
		return walk_fail(w, EXIT_TEMPFAIL, rel, "vanished during the build");
	return walk_fail(w, errno_code(e), rel, strerror(e));
}

static int emit(struct walk *w, const void *data, size_t n)
{
	return n ? w->sink->write(w->sink->ctx, data, n, w->err) : 0;
}

/* The mode git would record for an entry of this type (see tar_opts.git_modes). */
static unsigned git_mode(char type, unsigned mode)
{
	if (type == '5')
		return 0755;
	if (type == '2')
		return 0777;
	return mode & S_IXUSR ? 0755 : 0644;
}

static int emit_header(struct walk *w, const char *path, const char *link, char type,
		       unsigned mode, unsigned long long size)
{
	if (w->o->git_modes)
		mode = git_mode(type, mode);
	struct tar_header h = { path, link, type, mode, size, w->o->mtime };
	sb_reset(&w->hdr);
	tar_format_header(&w->hdr, &h);
	w->st->entries++;
	return emit(w, w->hdr.buf, w->hdr.len);
}

static int flush_pending(struct walk *w)
{
	int rc = 0;
	for (size_t i = 0; i < w->npend && !rc; i++) {
		char *name = xasprintf("%s/", w->pend[i].rel);
		rc = emit_header(w, name, NULL, '5', w->pend[i].mode, 0);
		free(name);
	}
	for (size_t i = 0; i < w->npend; i++)
		free(w->pend[i].rel);
	w->npend = 0;
	return rc;
}

/* size bytes of the open file fd, exactly: a file that shrinks or grows while
 * it is read would make a layer that matches no state of the tree. */
static int emit_data(struct walk *w, int fd, const char *rel, unsigned long long size)
{
	unsigned long long left = size;
	while (left > 0) {
		size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
		ssize_t got = read(fd, w->buf, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return walk_errno(w, rel, errno);
		if (got == 0)
			return walk_fail(w, EXIT_TEMPFAIL, rel, "shrank while it was read (changed during the build)");
		int rc = emit(w, w->buf, (size_t)got);
		if (rc)
			return rc;
		left -= (unsigned long long)got;
	}
	char extra;
	ssize_t more = read(fd, &extra, 1);
	if (more > 0)
		return walk_fail(w, EXIT_TEMPFAIL, rel, "grew while it was read (changed during the build)");
	w->st->bytes += size;
	return emit(w, tar_zero_block, tar_padding(size));
}

/* The first path a multiply-linked file was stored under, or NULL (and it is
 * remembered under rel). */
static const char *hard_link_target(struct walk *w, const struct stat *st, const char *rel)
{
	if (st->st_nlink < 2)
		return NULL;
	char key[64];
	snprintf(key, sizeof key, "%llu:%llu", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
	size_t idx;
	if (strmap_get(&w->links, key, &idx))
		return w->link_paths.v[idx];
	strmap_put(&w->links, key, w->link_paths.n);
	strlist_add(&w->link_paths, rel);
	return NULL;
}

static int add_file(struct walk *w, int dirfd, const char *name, const char *rel, const struct stat *st)
{
	int rc = flush_pending(w);
	if (rc)
		return rc;
	const char *first = hard_link_target(w, st, rel);
	if (first)
		return emit_header(w, rel, first, '1', st->st_mode, 0);
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ELOOP ? walk_fail(w, EXIT_TEMPFAIL, rel, "changed during the build")
				      : walk_errno(w, rel, errno);
	struct stat now;
	if (fstat(fd, &now) < 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		close(fd);
		return walk_fail(w, EXIT_TEMPFAIL, rel, "changed during the build");
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = emit_header(w, rel, NULL, '0', st->st_mode, (unsigned long long)st->st_size);
	if (!rc)
		rc = emit_data(w, fd, rel, (unsigned long long)st->st_size);
	close(fd);
	return rc;
}

static int add_symlink(struct walk *w, int dirfd, const char *name, const char *rel, const struct stat *st)
{
	size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
	char *target = xmalloc(cap);
	ssize_t n = readlinkat(dirfd, name, target, cap);
	int rc;
	if (n < 0)
		rc = walk_errno(w, rel, errno);
	else if ((size_t)n >= cap)
		rc = walk_fail(w, EXIT_TEMPFAIL, rel, "changed during the build");
	else if (target[n] = '\0', !utf8_valid(target, (size_t)n))
		rc = walk_fail(w, EXIT_DATA, rel, "symlink target is not UTF-8 (tar's pax headers need UTF-8)");
	else if (!(rc = flush_pending(w)))
		rc = emit_header(w, rel, target, '2', st->st_mode, 0);
	free(target);
	return rc;
}

static int walk_dir(struct walk *w, int fd, const char *rel);

static int add_dir(struct walk *w, int dirfd, const char *name, const char *rel, const struct stat *st,
		   int excluded)
{
	int rc = 0;
	if (excluded) {
		if (!ignore_has_exceptions(w->o->ignore))
			return 0; /* nothing under it can come back */
		w->pend = xgrow(w->pend, &w->cappend, w->npend + 1, sizeof *w->pend);
		w->pend[w->npend++] = (struct pending_dir){ xstrdup(rel), st->st_mode };
	} else {
		if ((rc = flush_pending(w)))
			return rc;
		char *slash = xasprintf("%s/", rel);
		rc = emit_header(w, slash, NULL, '5', st->st_mode, 0);
		free(slash);
		if (rc)
			return rc;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? walk_fail(w, EXIT_TEMPFAIL, rel, "changed during the build")
							   : walk_errno(w, rel, errno);
	rc = walk_dir(w, fd, rel);
	if (excluded && w->npend > 0 && strcmp(w->pend[w->npend - 1].rel, rel) == 0)
		free(w->pend[--w->npend].rel); /* nothing inside was kept */
	return rc;
}

static const char *special_kind(mode_t m)
{
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	if (S_ISFIFO(m))
		return "FIFO";
	if (S_ISSOCK(m))
		return "socket";
	return "file of unknown type";
}

static int add_entry(struct walk *w, int dirfd, const char *name, const char *rel)
{
	if (!utf8_valid(name, strlen(name)))
		return walk_fail(w, EXIT_DATA, rel, "file name is not UTF-8 (tar's pax headers need UTF-8)");
	if (strcmp(name, ".git") == 0)
		return 0;
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return walk_errno(w, rel, errno);
	if (w->o->skip_ino && st.st_ino == w->o->skip_ino && st.st_dev == w->o->skip_dev)
		return 0;
	int excluded = w->o->ignore && ignore_match(w->o->ignore, rel);
	if (S_ISDIR(st.st_mode))
		return add_dir(w, dirfd, name, rel, &st, excluded);
	if (excluded)
		return 0;
	if (S_ISREG(st.st_mode))
		return add_file(w, dirfd, name, rel, &st);
	if (S_ISLNK(st.st_mode))
		return add_symlink(w, dirfd, name, rel, &st);
	struct strbuf why = STRBUF_INIT;
	sb_addf(&why, "%s: device files, sockets and FIFOs cannot go into an image layer (exclude it in the ignore file)",
		special_kind(st.st_mode));
	int rc = walk_fail(w, EXIT_DATA, rel, why.buf);
	sb_release(&why);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every name in the directory, sorted; fd is taken over. */
static int list_dir(struct walk *w, int fd, const char *rel, DIR **dp, struct strlist *names)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return walk_errno(w, rel, e);
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strlist_add(names, de->d_name);
		errno = 0;
	}
	if (errno) {
		int e = errno;
		closedir(d);
		return walk_errno(w, rel, e);
	}
	if (names->n)
		qsort(names->v, names->n, sizeof *names->v, cmp_names);
	*dp = d;
	return 0;
}

static int walk_dir(struct walk *w, int fd, const char *rel)
{
	DIR *d = NULL;
	struct strlist names = STRLIST_INIT;
	int rc = list_dir(w, fd, rel, &d, &names);
	if (rc)
		return rc;
	if (w->o->listed)
		w->o->listed(w->o->hook_ctx, rel);
	for (size_t i = 0; i < names.n && !rc; i++) {
		char *child = *rel ? xasprintf("%s/%s", rel, names.v[i]) : xstrdup(names.v[i]);
		rc = add_entry(w, dirfd(d), names.v[i], child);
		free(child);
	}
	closedir(d);
	strlist_clear(&names);
	return rc;
}

static int open_top(struct walk *w, const char *dir, int *fd)
{
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	int e = errno;
	if (e == ENOENT)
		return walk_fail(w, EXIT_NOTFOUND, "", "no such directory");
	if (e == ELOOP)
		return walk_fail(w, EXIT_DATA, "", "symlink loop (too many levels of symbolic links)");
	return walk_fail(w, e == ENOTDIR ? EXIT_DATA : errno_code(e), "", strerror(e));
}

int tar_write_tree(const char *dir, const struct tar_opts *o, struct tar_sink *sink,
		   struct tar_stats *stats, struct strbuf *err)
{
	struct walk w = { .o = o, .sink = sink, .st = stats, .err = err, .top = dir,
			  .hdr = STRBUF_INIT, .links = STRMAP_INIT, .link_paths = STRLIST_INIT };
	memset(stats, 0, sizeof *stats);
	int fd, rc = open_top(&w, dir, &fd);
	if (!rc) {
		w.buf = xmalloc(READ_CHUNK);
		rc = walk_dir(&w, fd, "");
	}
	if (!rc)
		rc = emit(&w, tar_zero_block, BLOCK);
	if (!rc)
		rc = emit(&w, tar_zero_block, BLOCK);
	for (size_t i = 0; i < w.npend; i++)
		free(w.pend[i].rel);
	free(w.pend);
	free(w.buf);
	sb_release(&w.hdr);
	strmap_clear(&w.links);
	strlist_clear(&w.link_paths);
	return rc;
}
