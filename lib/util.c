/* util.c: see util.h. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"
#include "log.h"
#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char sb_empty[1];

static void oom(void)
{
	die(EXIT_OSERR, "out of memory");
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb);
}

void *xgrow(void *p, size_t *cap, size_t n, size_t sz)
{
	if (n <= *cap)
		return p;
	size_t c = *cap ? *cap : 8;
	while (c < n) {
		if (c > SIZE_MAX / 2 / sz)
			oom();
		c *= 2;
	}
	*cap = c;
	return xrealloc(p, c * sz);
}

/* A secret moves to a new block and the old one is wiped before it is freed:
 * realloc would free it, or leave it behind, with the secret in it. */
static char *sb_move_wiped(struct strbuf *sb, size_t *cap, size_t need)
{
	char *p = xgrow(NULL, cap, need, 1);
	if (sb->cap) {
		memcpy(p, sb->buf, sb->len + 1);
		secret_wipe(sb->buf, sb->cap);
		free(sb->buf);
	}
	return p;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap;
	char *old = sb->cap ? sb->buf : NULL;
	char *p = sb->secret ? sb_move_wiped(sb, &cap, sb->len + extra + 1) : xgrow(old, &cap, sb->len + extra + 1, 1);
	if (!old)
		p[0] = '\0';
	sb->buf = p;
	sb->cap = cap;
}

void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

int sb_fail(struct strbuf *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_reset(err);
	sb_vaddf(err, fmt, ap);
	va_end(ap);
	return code;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->cap ? sb->buf : xstrdup("");
	sb->buf = sb_empty;
	sb->len = sb->cap = 0;
	return p;
}

void sb_release(struct strbuf *sb)
{
	if (sb->cap && sb->secret)
		secret_wipe(sb->buf, sb->cap);
	if (sb->cap)
		free(sb->buf);
	sb->buf = sb_empty;
	sb->len = sb->cap = 0;
}

FILE *open_input_file(const char *path)
{
	if (strcmp(path, "-") == 0)
		return stdin;
	FILE *f = fopen(path, "rb");
	struct stat st;
	/* fopen opens a directory for reading; reading it fails later, differently
	 * by libc. Say so now, the same way for every input file. */
	if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	return f;
}

int sb_read_file(struct strbuf *sb, const char *path)
{
	FILE *f = open_input_file(path);
	if (!f)
		return -1;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(sb, buf, n);
	int bad = ferror(f);
	int saved = errno;
	if (f != stdin)
		fclose(f);
	if (bad) {
		errno = saved ? saved : EIO;
		return -1;
	}
	return 0;
}

void strlist_add(struct strlist *l, const char *s)
{
	l->v = xgrow(l->v, &l->cap, l->n + 2, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int parse_ll(const char *s, long long min, long long max, long long *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

struct unit {
	const char *name;
	unsigned long long mult;
};

static const struct unit size_units[] = {
	{ "", 0 },      { "b", 1 },
	{ "k", 1ULL << 10 }, { "kib", 1ULL << 10 }, { "kb", 1000ULL },
	{ "m", 1ULL << 20 }, { "mib", 1ULL << 20 }, { "mb", 1000000ULL },
	{ "g", 1ULL << 30 }, { "gib", 1ULL << 30 }, { "gb", 1000000000ULL },
	{ "t", 1ULL << 40 }, { "tib", 1ULL << 40 }, { "tb", 1000000000000ULL },
};

/* Split "1.5GiB" into a number and a unit suffix. */
static int split_number(const char *s, double *num, const char **unit)
{
	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	char *end;
	errno = 0;
	*num = strtod(s, &end);
	if (errno || end == s || !isfinite(*num) || *num < 0)
		return -1;
	*unit = end;
	return 0;
}

int parse_size(const char *s, unsigned long long default_unit, unsigned long long *bytes)
{
	double num;
	const char *u;
	if (split_number(s, &num, &u) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(size_units); i++) {
		if (strcasecmp(u, size_units[i].name) != 0)
			continue;
		unsigned long long mult = size_units[i].mult ? size_units[i].mult : default_unit;
		double v = num * (double)mult;
		if (v >= 18446744073709551615.0 || v != v)
			return -1;
		*bytes = (unsigned long long)v;
		return 0;
	}
	return -1;
}

int parse_duration_ms(const char *s, long long *ms)
{
	static const struct unit units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	double num;
	const char *u;
	if (split_number(s, &num, &u) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(u, units[i].name) != 0)
			continue;
		double v = num * (double)units[i].mult;
		if (v > 9.2e15)
			return -1;
		*ms = (long long)v;
		return 0;
	}
	return -1;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

void base64_encode(struct strbuf *out, const unsigned char *in, size_t n)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		sb_addc(out, alphabet[(v >> 18) & 63]);
		sb_addc(out, alphabet[(v >> 12) & 63]);
		sb_addc(out, i + 1 < n ? alphabet[(v >> 6) & 63] : '=');
		sb_addc(out, i + 2 < n ? alphabet[v & 63] : '=');
	}
}

int base64_decode(const char *in, struct strbuf *out)
{
	unsigned acc = 0;
	int bits = 0;
	for (; *in && *in != '='; in++) {
		if (*in == '\n' || *in == '\r' || *in == ' ' || *in == '\t')
			continue;
		int v = b64_value(*in);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	for (; *in; in++)
		if (*in != '=' && *in != '\n' && *in != '\r')
			return -1;
	return 0;
}

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(long long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *file_type_name(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
	     : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "not a regular file";
}

/* The file that writing path replaces: path, or where its symlinks lead, so the
 * link stays a link and its target gets the new content in the target's own
 * directory. Only a regular file (or nothing) is replaced; *mode becomes the
 * existing file's. NULL with an exit code and "why" in err. */
static char *write_target(const char *path, unsigned *mode, int keep_mode, struct strbuf *err,
			  int *code)
{
	struct stat st;
	*code = EXIT_EXISTS;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return xstrdup(path);
		*code = exit_for_errno(errno) == EXIT_PERM ? EXIT_PERM : EXIT_EXISTS;
		sb_addf(err, "%s", strerror(errno));
		return NULL;
	}
	char *target = S_ISLNK(st.st_mode) ? realpath(path, NULL) : xstrdup(path);
	if (!target || stat(target, &st) < 0) {
		if (errno == ENOENT)
			sb_addf(err, "a symlink to nothing (refused: it could not be replaced atomically)");
		else
			sb_addf(err, "%s", strerror(errno));
		free(target);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		sb_addf(err, "%s, not a regular file (refused)", file_type_name(st.st_mode));
		free(target);
		return NULL;
	}
	if (keep_mode)
		*mode = st.st_mode & 07777;
	return target;
}

static int atomic_start(struct atomic_file *af, const char *path, unsigned mode, int keep_mode,
			struct strbuf *err)
{
	int code;
	af->f = NULL;
	af->path = write_target(path, &mode, keep_mode, err, &code);
	if (!af->path)
		return code;
	af->tmp = xasprintf("%s.tmp.XXXXXX", af->path);
	int fd = mkstemp(af->tmp);
	if (fd >= 0 && fchmod(fd, mode) == 0 && (af->f = fdopen(fd, "w")))
		return 0;
	int saved = errno;
	if (fd >= 0) {
		close(fd);
		unlink(af->tmp);
	}
	free(af->path);
	free(af->tmp);
	sb_addf(err, "%s", strerror(saved));
	errno = saved;
	return saved == EACCES || saved == EPERM ? EXIT_PERM : saved == ENOENT || saved == ENOTDIR ? EXIT_EXISTS
	     : EXIT_IOERR;
}

int atomic_create(struct atomic_file *af, const char *path, unsigned mode, struct strbuf *err)
{
	return atomic_start(af, path, mode, 1, err);
}

int atomic_open(struct atomic_file *af, const char *path, unsigned mode)
{
	struct strbuf err = STRBUF_INIT;
	int code = atomic_start(af, path, mode, 0, &err);
	sb_release(&err);
	if (code && code != EXIT_IOERR && code != EXIT_PERM)
		errno = EEXIST;
	return code ? -1 : 0;
}

static void atomic_release(struct atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	af->f = NULL;
}

int atomic_commit(struct atomic_file *af)
{
	int ok = fflush(af->f) == 0 && !ferror(af->f) && fsync(fileno(af->f)) == 0;
	int saved = errno;
	ok = (fclose(af->f) == 0) && ok;
	if (ok && rename(af->tmp, af->path) == 0) {
		atomic_release(af);
		return 0;
	}
	saved = errno ? errno : saved;
	unlink(af->tmp);
	atomic_release(af);
	errno = saved;
	return -1;
}

void atomic_abort(struct atomic_file *af)
{
	if (!af->f)
		return;
	fclose(af->f);
	unlink(af->tmp);
	atomic_release(af);
}

int mkdir_all(const char *path, unsigned mode)
{
	char *p = xstrdup(path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*q = '/';
	}
	int rc = mkdir(p, (mode_t)mode) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

int write_file_atomic(const char *path, const void *data, size_t n, unsigned mode)
{
	struct atomic_file af;
	if (atomic_open(&af, path, mode) < 0)
		return -1;
	if (fwrite(data, 1, n, af.f) != n) {
		int saved = errno;
		atomic_abort(&af);
		errno = saved;
		return -1;
	}
	return atomic_commit(&af);
}

int write_file_for(const char *path, const void *data, size_t n, unsigned mode, struct strbuf *err)
{
	struct atomic_file af;
	int code = atomic_create(&af, path, mode, err);
	if (code)
		return code;
	if (fwrite(data, 1, n, af.f) != n) {
		int saved = errno;
		atomic_abort(&af);
		sb_addf(err, "%s", strerror(saved));
		return EXIT_IOERR;
	}
	if (atomic_commit(&af) < 0) {
		sb_addf(err, "%s", strerror(errno));
		return EXIT_IOERR;
	}
	return 0;
}

/* A size from the environment ("64M", "1G", bytes when bare), or dflt. */
long long env_size(const char *name, long long dflt)
{
	const char *v = getenv(name);
	unsigned long long parsed;
	if (!v || !*v)
		return dflt;
	if (parse_size(v, 1, &parsed) < 0 || parsed == 0 || parsed > LLONG_MAX / 2)
		die(EXIT_CONFIG, "%s '%s': not a size such as 64M or 1G", name, v);
	return (long long)parsed;
}

const char *size_text(long long bytes, char *buf, size_t size)
{
	if (bytes >= 1LL << 30 && bytes % (1LL << 30) == 0)
		snprintf(buf, size, "%lld GiB", bytes >> 30);
	else if (bytes >= 1 << 20 && bytes % (1 << 20) == 0)
		snprintf(buf, size, "%lld MiB", bytes >> 20);
	else
		snprintf(buf, size, "%lld bytes", bytes);
	return buf;
}
