/* util.h: allocation that cannot fail, a growable string buffer, small string
 * helpers. Every cloudctl tool is short-lived: running out of memory ends the
 * process (exit 71) rather than unwinding. */
#ifndef CLOUDCTL_UTIL_H
#define CLOUDCTL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *p (an array of *cap elements of size sz) so that it holds at least n. */
void *xgrow(void *p, size_t *cap, size_t n, size_t sz);

/* strbuf: buf is never NULL and always NUL-terminated; len excludes the NUL.
 * Start from STRBUF_INIT, give the string away with sb_detach, free with sb_release.
 * A buffer that will hold a credential starts from STRBUF_SECRET_INIT: when it
 * grows, the old block is wiped before it is freed (realloc would leave a copy
 * behind), and sb_release wipes it too (lib/secret.h). */
struct strbuf {
	char *buf;
	size_t len, cap;
	int secret;
};
extern char sb_empty[];
#define STRBUF_INIT { sb_empty, 0, 0, 0 }
#define STRBUF_SECRET_INIT { sb_empty, 0, 0, 1 }

void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);

/* Replace err's text with the formatted reason and return code: for functions that
 * return an exit code and describe the failure in err. */
int sb_fail(struct strbuf *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Open an input file for reading ("-" is stdin); a directory is refused
 * (EISDIR). NULL with errno set: exit_for_errno (log.h) gives the exit code. */
FILE *open_input_file(const char *path);

/* Read a whole file (path "-" is stdin; through open_input_file) into sb; returns 0
 * or -1 with errno set. */
int sb_read_file(struct strbuf *sb, const char *path);

/* A growable list of owned strings, NULL-terminated (v[n] == NULL). */
struct strlist {
	char **v;
	size_t n, cap;
};
#define STRLIST_INIT { NULL, 0, 0 }
void strlist_add(struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);

int str_starts(const char *s, const char *prefix);
int str_ends(const char *s, const char *suffix);
int str_eq(const char *a, const char *b); /* NULL-safe */

/* Parse sizes and durations as users write them on the command line.
 * "512M", "2G", "1.5GiB", "100" (bytes unless default_unit says MiB...).
 * Return 0 on success, -1 on syntax error or overflow. */
int parse_size(const char *s, unsigned long long default_unit, unsigned long long *bytes);
/* A size from the environment variable name ("64M", "1G", bytes when bare), or
 * dflt when unset; a value that is no size dies with exit 78 naming it. */
long long env_size(const char *name, long long dflt);
/* "64 MiB" for whole MiB, else "N bytes": a limit as messages name it. */
const char *size_text(long long bytes, char *buf, size_t size);
/* "90", "90s", "1.5m", "2h", "7d", "250ms" -> milliseconds. Bare numbers are seconds. */
int parse_duration_ms(const char *s, long long *ms);
/* Decimal integer in [min,max]; the whole string must be consumed. */
int parse_ll(const char *s, long long min, long long max, long long *out);

/* Standard base64 (RFC 4648, padding optional, whitespace ignored) into out.
 * Returns 0, or -1 on a character outside the alphabet. */
int base64_decode(const char *in, struct strbuf *out);
/* n bytes of in appended to out as standard base64, padded. */
void base64_encode(struct strbuf *out, const unsigned char *in, size_t n);

/* Monotonic clock in milliseconds. */
long long now_ms(void);
void sleep_ms(long long ms);

/* A file written atomically: the data goes to a temporary file in the same
 * directory (so rename is atomic), which replaces path only at atomic_commit.
 * node_exporter's textfile collector relies on this: a reader never sees half a file. */
struct atomic_file {
	FILE *f;
	char *path, *tmp;
};
/* What is at path decides what is replaced (see cloudctl(7), FILES WRITTEN):
 * nothing or a regular file: path itself, keeping the existing file's mode
 * (mode is for a new file); a symlink: the regular file it leads to, in that
 * file's own directory, so the link stays. A directory, device, FIFO, socket or
 * a symlink to nothing is refused. Returns 0, or the exit code (73 refused or
 * cannot create, 77 permission denied, 74 other) with the reason in err. */
int atomic_create(struct atomic_file *af, const char *path, unsigned mode, struct strbuf *err);
/* The same, but a replaced file gets mode (for private files: caches, keys);
 * -1 with errno set (EEXIST for what is refused) on failure. */
int atomic_open(struct atomic_file *af, const char *path, unsigned mode);
int atomic_commit(struct atomic_file *af); /* flush, fsync, rename; -1 (errno) on failure, temp removed */
void atomic_abort(struct atomic_file *af);  /* remove the temporary file */

/* mkdir -p: path and every missing directory above it, made with mode (less
 * the umask); existing ones are left as they are. 0, or -1 with errno set. */
int mkdir_all(const char *path, unsigned mode);

/* Write data to path atomically: a temporary file in the same directory,
 * fsync, then rename. Returns 0 or -1 (errno set); the temporary file never stays. */
int write_file_atomic(const char *path, const void *data, size_t n, unsigned mode);
/* The same by atomic_create's rules, for files written for others (--write):
 * returns 0 or an exit code with the reason in err. */
int write_file_for(const char *path, const void *data, size_t n, unsigned mode, struct strbuf *err);

#endif
