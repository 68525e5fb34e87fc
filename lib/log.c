/* log.c: see log.h. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int log_level = LOG_WARN;
const char *progname = "cloudctl";
void (*log_before)(void);

void log_init(const char *argv0)
{
	if (argv0 && *argv0) {
		const char *slash = strrchr(argv0, '/');
		progname = slash ? slash + 1 : argv0;
	}
	/* A closed pipe is reported as EPIPE on write and handled in finish_stdout,
	 * instead of killing us halfway through an action on a server. */
	signal(SIGPIPE, SIG_IGN);
}

/* One message at level (LOG_QUIET: always), unless the verbosity is lower. */
static void vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	if (log_level < level)
		return;
	/* One fprintf per message so lines from threads do not interleave. */
	char buf[4096];
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (log_before)
		log_before();
	fprintf(stderr, "%s: %s%s\n", progname, prefix, buf);
}

/* The body of a variadic logging function whose last named argument is fmt. */
#define VLOG(level, prefix)                   \
	do {                                  \
		va_list ap;                   \
		va_start(ap, fmt);            \
		vlog(level, prefix, fmt, ap); \
		va_end(ap);                   \
	} while (0)

void log_msg(int level, const char *fmt, ...)
{
	VLOG(level, "");
}

void warnx(const char *fmt, ...)
{
	VLOG(LOG_WARN, "warning: ");
}

void errorx(const char *fmt, ...)
{
	VLOG(LOG_QUIET, "");
}

void die(int code, const char *fmt, ...)
{
	VLOG(LOG_QUIET, "");
	exit(finish_stdout(code));
}

int exit_for_errno(int err)
{
	switch (err) {
	case ENOENT: case ENOTDIR: case ELOOP: case EISDIR: case ENAMETOOLONG:
		return EXIT_NOTFOUND;
	case EACCES: case EPERM:
		return EXIT_PERM;
	case ENOMEM:
		return EXIT_OSERR;
	default:
		return EXIT_IOERR;
	}
}

int reader_gone(FILE *out, int err)
{
	struct stat st;
	if (err == EPIPE)
		return 1;
	return fstat(fileno(out), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static int stdout_reported;

int stdout_failed(int err, int code)
{
	if (stdout_reported)
		return code;
	stdout_reported = 1;
	/* As git does: a reader that went away ("| head -1") is not our error.
	 * Errors on pipes and sockets are ignored; on files (a full disk) they count. */
	if (reader_gone(stdout, err))
		return code;
	errorx("write error on standard output: %s", strerror(err ? err : EIO));
	return code ? code : EXIT_IOERR;
}

int finish_stdout(int code)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return code;
	return stdout_failed(errno, code);
}
