/* capture.h: stderr into a file for a while, so that a test can check what was
 * written there (traces, warnings). */
#ifndef CLOUDCTL_CAPTURE_H
#define CLOUDCTL_CAPTURE_H

#include <fcntl.h>
#include "util.h"
#include <stdio.h>
#include <unistd.h>

static int capture_fd = -1;

static void capture_stderr_begin(const char *path)
{
	fflush(stderr);
	capture_fd = dup(STDERR_FILENO);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* What was written since capture_stderr_begin(path), to free. */
static char *capture_stderr_end(const char *path)
{
	fflush(stderr);
	dup2(capture_fd, STDERR_FILENO);
	close(capture_fd);
	capture_fd = -1;
	struct strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, path) < 0)
		sb_adds(&sb, "(cannot read the captured stderr)");
	return sb_detach(&sb);
}

#endif
