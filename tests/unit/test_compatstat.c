/* test_compatstat.c: lib/git/compat_stat.c replaces libc's stat() in every
 * program that links lib/git, this one included. While gitr_hide_system_ca(1)
 * holds, stat(GITR_SYSTEM_CA) fails with ENOENT; every other stat(), and that
 * one outside the window, answers as the system call does. */
#include "check.h"
#include "git/compat_stat.h"
#include "git/init.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* stat(path) answers as fstatat(AT_FDCWD, path, 0), the call libc's stat makes */
static int same_as_syscall(const char *path)
{
	struct stat a, b;
	errno = 0;
	int ra = stat(path, &a), ea = errno;
	errno = 0;
	int rb = fstatat(AT_FDCWD, path, &b, 0), eb = errno;
	if (ra != rb || ea != eb)
		return 0;
	return ra < 0 || (a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
			  a.st_mode == b.st_mode);
}

static int bundle_exists(void)
{
	struct stat st;
	return fstatat(AT_FDCWD, GITR_SYSTEM_CA, &st, 0) == 0;
}

static void test_hidden_only_in_the_window(void)
{
	struct stat st;
	gitr_hide_system_ca(1);
	errno = 0;
	CHECK_INT(stat(GITR_SYSTEM_CA, &st), -1);
	CHECK_INT(errno, ENOENT);
	gitr_hide_system_ca(0);
	CHECK(same_as_syscall(GITR_SYSTEM_CA));
	if (bundle_exists())
		CHECK_INT(stat(GITR_SYSTEM_CA, &st), 0);
}

static void test_other_paths_unaffected(void)
{
	char dir[] = "/tmp/cloudctl-compatstat.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *file = xasprintf("%s/f", dir), *missing = xasprintf("%s/missing", dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, "12345", 5) == 5);
	close(fd);
	for (int hide = 0; hide <= 1; hide++) {
		gitr_hide_system_ca(hide);
		struct stat st;
		CHECK(stat(file, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode));
		CHECK(same_as_syscall(file));
		CHECK(same_as_syscall(dir));
		CHECK(same_as_syscall(missing));
		CHECK(same_as_syscall("/"));
		/* the bundle's file under another spelling is not hidden */
		CHECK(same_as_syscall("/etc/ssl/certs/./ca-certificates.crt"));
	}
	gitr_hide_system_ca(0);
	unlink(file);
	rmdir(dir);
	free(file);
	free(missing);
}

/* gitr_init hides the bundle only while libgit2 starts */
static void test_init_leaves_stat_alone(void)
{
	gitr_init();
	CHECK(same_as_syscall(GITR_SYSTEM_CA));
	if (bundle_exists()) {
		struct stat st;
		CHECK_INT(stat(GITR_SYSTEM_CA, &st), 0);
	}
}

int main(void)
{
	RUN(test_hidden_only_in_the_window);
	RUN(test_other_paths_unaffected);
	RUN(test_init_leaves_stat_alone);
	return CHECK_DONE("compatstat");
}
