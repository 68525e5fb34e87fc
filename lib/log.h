/* log.h: diagnostics on stderr, exit codes, and the checked exit.
 *
 * Messages read "cloudctl-vm: what went wrong" in lower case with no full stop,
 * quoting the subject, as git and OpenBSD tools do. The verbosity is set by
 * -q (errors only), default (warnings), -v (info), -vv (debug and HTTP traces). */
#ifndef CLOUDCTL_LOG_H
#define CLOUDCTL_LOG_H

#include <stdio.h>
#include <sysexits.h>

/* Exit codes (sysexits.h), documented in man/cloudctl.7. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,           /* partial failure: some records failed (each reported) */
	EXIT_USAGE = EX_USAGE,   /* 64: bad option or operand */
	EXIT_DATA = EX_DATAERR,  /* 65: malformed input records or files */
	EXIT_NOTFOUND = EX_NOINPUT, /* 66: the named resource or input file does not exist */
	EXIT_UNAVAIL = EX_UNAVAILABLE, /* 69: the service cannot be reached */
	EXIT_SOFTWARE = EX_SOFTWARE, /* 70: internal error */
	EXIT_OSERR = EX_OSERR,   /* 71: out of memory, fork failed */
	EXIT_EXISTS = EX_CANTCREAT, /* 73: the resource to create already exists */
	EXIT_IOERR = EX_IOERR,   /* 74: write error (full disk) */
	EXIT_TEMPFAIL = EX_TEMPFAIL, /* 75: timed out or busy: retrying may work */
	EXIT_PERM = EX_NOPERM,   /* 77: permission denied */
	EXIT_CONFIG = EX_CONFIG, /* 78: configuration error */
};

enum log_level { LOG_QUIET = -1, LOG_WARN = 0, LOG_INFO = 1, LOG_DEBUG = 2, LOG_TRACE = 3 };

extern int log_level;
extern const char *progname;
/* Called before each message is written, or NULL: a tool that redraws a
 * status line on a terminal clears it there, so that the message gets a
 * line of its own. It must not log, and may run on any thread. */
extern void (*log_before)(void);

void log_init(const char *argv0);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* "prog: warning: ..." unless -q */
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: ..." always */
void errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* errorx then exit(code) */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* The exit code for a failed open or read of a file (err: its errno), the same
 * in every tool: 66 it does not exist or is no file (ENOENT, ENOTDIR, ELOOP,
 * EISDIR: a directory given as an input file), 77 permission denied (EACCES,
 * EPERM), 71 out of memory, 74 any other I/O error. */
int exit_for_errno(int err);

/* A write to out failed with err: 1 when that is because its reader went away
 * (EPIPE, or out is a pipe or socket, as git decides), which is not an error
 * ("| head -1"); 0 for a real write error such as a full disk. */
int reader_gone(FILE *out, int err);

/* Flush and check stdout; called once at exit. A reader that went away (EPIPE,
 * e.g. "| head -1") is quiet; any other write error (a full disk) is reported
 * and turns the exit code into 74. Returns the code to exit with. */
int finish_stdout(int code);
/* Report a failed write to stdout (err: its errno) once, by the rules above. */
int stdout_failed(int err, int code);

#endif
