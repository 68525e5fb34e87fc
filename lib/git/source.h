/* source.h: the git commit a build directory comes from (libgit2). */
#ifndef CLOUDCTL_GIT_SOURCE_H
#define CLOUDCTL_GIT_SOURCE_H

#include "util.h"

struct git_source {
	char sha[41];      /* HEAD's commit, 40 hex digits */
	long long time;    /* its committer time, seconds since the epoch */
	int dirty;         /* the work tree under the directory differs from HEAD */
	char *changed;     /* then the first changed path (relative to the work tree) */
	char *remote_url;  /* origin's URL (else the first remote's), without credentials; NULL when none */
	char *subdir;      /* the directory relative to the work tree's top, "." for the top */
};

/* Find the repository holding dir (searching upwards) and describe it.
 * Returns 0; EXIT_NOTFOUND (66) when dir is in no repository (err says so);
 * 65 when HEAD has no commit yet; other codes with err. Untracked files under
 * dir count as changes; files git ignores do not. */
int git_source_read(const char *dir, struct git_source *out, struct strbuf *err);
void git_source_clear(struct git_source *s);

/* A remote URL fit to print and to put in a label: no user or password. */
char *git_url_without_credentials(const char *url);

#endif
