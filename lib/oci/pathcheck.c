/* pathcheck.c: files and directories the user names (see pathcheck.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "oci/pathcheck.h"

static int fail(const char *what, const char *path, int code, const char *why, struct strbuf *err)
{
	return sb_fail(err, code, "%s%s%s: %s", what ? what : "", what ? " " : "", path, why);
}

static const char *reason(int e)
{
	return e == ENOENT ? "no such file or directory" : e == ELOOP ? "symlink loop (too many levels of symbolic links)" : strerror(e);
}

/* Open path to read it (O_NONBLOCK: a FIFO does not wait for a writer) and
 * tell whether it is a directory; -1 with errno. */
static int probe(const char *path, int *is_dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return -1;
	int rc = fstat(fd, &st);
	int e = errno;
	close(fd);
	*is_dir = rc == 0 && S_ISDIR(st.st_mode);
	errno = e;
	return rc;
}

int oci_check_file(const char *what, const char *path, struct strbuf *err)
{
	int is_dir = 0;
	if (probe(path, &is_dir) < 0)
		return fail(what, path, exit_for_errno(errno), reason(errno), err);
	if (is_dir)
		return fail(what, path, EXIT_NOTFOUND, "a directory, not a file", err);
	return 0;
}

int oci_check_dir(const char *what, const char *path, struct strbuf *err)
{
	int is_dir = 0;
	if (probe(path, &is_dir) < 0)
		return fail(what, path, exit_for_errno(errno), errno == ENOENT ? "no such directory" : reason(errno), err);
	if (!is_dir)
		return fail(what, path, EXIT_NOTFOUND, "not a directory", err);
	return 0;
}
