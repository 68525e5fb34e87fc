/* compat_stat.c: a workaround for libgit2, not a feature: a stat() that hides
 * the system CA bundle from git_libgit2_init.
 *
 * Why it exists. Debian's libgit2 (built with mbedTLS) parses the whole system
 * CA bundle inside git_libgit2_init, some 140 certificates decoded in constant
 * time, in every process. A local bump makes no TLS connection at all, and an
 * https one loads its CAs again anyway (set_ca in remote.c: --cacert,
 * GIT_SSL_CAINFO, SSL_CERT_FILE, or this same bundle), so that parse is never
 * used; libgit2 offers no option to skip it. So while gitr_init runs
 * git_libgit2_init, stat() of that bundle fails and libgit2 loads none. What
 * this saves a bump is in README.md's measured table.
 *
 * What it does to every other stat(). This definition replaces libc's stat()
 * in each executable that links lib/git (cloudctl-build, cloudctl-deploy and
 * the unit tests), for all of their code; the executables export it
 * (-Wl,--export-dynamic-symbol=stat in the Makefile), so the shared libraries
 * they load, libgit2 among them, call it too. Outside gitr_hide_system_ca(1) it
 * is exactly libc's stat: fstatat(AT_FDCWD, path, st, 0) is the call glibc's
 * stat makes. Inside it, only the path spelled as GITR_SYSTEM_CA is hidden;
 * the same file by another name, and every other path, answer as usual.
 * tests/unit/test_compatstat.c shows both. An executable that did not export
 * it would have libgit2 parse the bundle at start as before; nothing else
 * would change. */
#include "git/compat_stat.h"
#include "git/init.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static int hiding_system_ca;

void gitr_hide_system_ca(int hide)
{
	hiding_system_ca = hide;
}

int stat(const char *restrict path, struct stat *restrict st)
{
	if (hiding_system_ca && strcmp(path, GITR_SYSTEM_CA) == 0) {
		errno = ENOENT;
		return -1;
	}
	return fstatat(AT_FDCWD, path, st, 0);
}
