/* init.c: see init.h.
 *
 * Debian's libgit2 1.5 (mbedTLS) parses the whole system CA bundle inside
 * git_libgit2_init: some 140 certificates, 215 KB of base64 decoded in constant
 * time, 4-6 ms per process. That was a quarter of a local bump, which makes no
 * TLS connection at all, and an https one loads its CAs again anyway (set_ca in
 * remote.c: --cacert, GIT_SSL_CAINFO, SSL_CERT_FILE, or this same bundle). So
 * while git_libgit2_init runs, stat() of that bundle fails and libgit2 loads
 * none. libgit2's stat() reaches the one below because the executables export
 * it (-Wl,--export-dynamic-symbol=stat in the Makefile); one that did not would
 * parse the bundle at start as before, nothing else would change. */
#include "git/init.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int initializing;

/* libc's stat (the same system call as its own), but for the CA bundle while
 * libgit2 starts. */
int stat(const char *restrict path, struct stat *restrict st)
{
	if (initializing && strcmp(path, GITR_SYSTEM_CA) == 0) {
		errno = ENOENT;
		return -1;
	}
	return fstatat(AT_FDCWD, path, st, 0);
}

static void shutdown_at_exit(void)
{
	git_libgit2_shutdown(); /* frees libgit2's thread-local error state too */
}

void gitr_init(void)
{
	static int inited;
	if (inited++)
		return;
	initializing = 1;
	git_libgit2_init();
	initializing = 0;
	atexit(shutdown_at_exit);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0); /* remotes owned by another user are fine */
	gitr_stream_register();
}
