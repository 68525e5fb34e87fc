/* tarwriter.h: a directory tree as a reproducible tar stream (POSIX pax).
 *
 * The same tree gives the same bytes on any machine:
 * - entries depth-first, each directory's names in byte order (strcmp), a
 *   directory before what it holds; DIR itself is not an entry;
 * - every mtime is the one given (SOURCE_DATE_EPOCH or the commit time),
 *   uid/gid 0, no user or group names, no atime/ctime;
 * - modes kept (the permission bits with setuid/setgid/sticky), or, with
 *   git_modes, the modes git records: 0755 for a directory or a file its
 *   owner may run, 0644 for another file, 0777 for a symlink (the umask of
 *   a checkout, which differs between machines, then changes nothing);
 * - a pax extended header ('x') only where ustar cannot hold a value: a path
 *   or link target longer than 100 bytes or not ASCII, a size of 8 GiB or more;
 * - symlinks stored as links, never followed; a file seen again through
 *   another hard link is a link ('1') to the first path it was stored under;
 * - the stream ends with two zero blocks (no padding to a 10 KiB record).
 * Refused, with a one-line error naming the path: device files, FIFOs and
 * sockets (65), names or link targets that are not UTF-8 (65), a file that
 * vanishes or changes size while it is read (75), what cannot be read (77). */
#ifndef CLOUDCTL_OCI_TARWRITER_H
#define CLOUDCTL_OCI_TARWRITER_H

#include <sys/types.h>
#include "util.h"

struct ignore;

/* Where the stream goes. write returns 0, or an exit code with err set. */
struct tar_sink {
	int (*write)(void *ctx, const void *data, size_t n, struct strbuf *err);
	void *ctx;
};

struct tar_opts {
	long long mtime;             /* every entry's mtime, 0 .. 8589934591 */
	const struct ignore *ignore; /* .dockerignore rules, or NULL */
	/* A file never archived (the ignore file itself) when skip_ino != 0. */
	dev_t skip_dev;
	ino_t skip_ino;
	int git_modes;               /* modes as git records them (see above) */
	/* Called with the tar's bytes so far as they are written, or NULL. */
	void (*progress)(void *ctx, unsigned long long tar_bytes);
	void *progress_ctx;
	/* Test hook: called with each directory's path (relative, "" for the
	 * top) once its names are listed and before any of them is read. */
	void (*listed)(void *ctx, const char *rel);
	void *hook_ctx;
};

struct tar_stats {
	unsigned long long entries, bytes; /* entries written; bytes of file data */
};

/* Write the tree under dir (a directory; a symlink to one is followed) to sink.
 * Errors name the path as dir + "/" + the entry. Returns 0 or an exit code with
 * err set; the sink may then have received part of the stream. */
int tar_write_tree(const char *dir, const struct tar_opts *o, struct tar_sink *sink,
		   struct tar_stats *stats, struct strbuf *err);

/* One header, for the walker and for tests. type: '0' file, '1' hard link,
 * '2' symlink, '5' directory (path then ends in '/'). */
struct tar_header {
	const char *path;
	const char *linkname; /* NULL unless a link */
	char type;
	unsigned mode;
	unsigned long long size;
	long long mtime;
};
/* The header blocks (a pax header first when needed) appended to out. */
void tar_format_header(struct strbuf *out, const struct tar_header *h);
/* The zero padding after size bytes of data, and the end of the archive. */
size_t tar_padding(unsigned long long size);
extern const char tar_zero_block[512];

#endif
