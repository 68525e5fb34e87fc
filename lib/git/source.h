/* source.h: the git commit a build directory comes from (libgit2). */
#ifndef CLOUDCTL_GIT_SOURCE_H
#define CLOUDCTL_GIT_SOURCE_H

#include <sys/stat.h>

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

/* The caller's own walk of dir: every entry that is not a directory, its path
 * (dir_rel "" for dir itself, else "a/b", then name) and lstat data; st NULL
 * for an entry named ".git" (not looked into). */
struct git_walked_file {
	const char *dir_rel, *name;
	const struct stat *st;
};
struct git_walk {
	/* Wait for the walk; 0 with every file in *files, -1 when it failed. */
	int (*files)(void *ctx, const struct git_walked_file **files, size_t *n);
	void *ctx;
};
/* git_source_read, with a walk of dir already under way: a clean tree is told
 * from git's index and that walk, without libgit2 walking the tree again
 * (every tracked file's stat data as the index has it, nothing tracked
 * missing, nothing untracked but ignored files, the index as HEAD); a file in
 * doubt (racy, another ctime or inode, a conflict, a submodule) makes it ask
 * git status as git_source_read does. walk NULL: git_source_read. */
int git_source_read_walked(const char *dir, const struct git_walk *walk, struct git_source *out, struct strbuf *err);
void git_source_clear(struct git_source *s);

/* Whether dir may be in a repository, cheaply (a few stat calls): 0 when
 * surely not (a ".git" nowhere above it, nor a bare repository's HEAD and
 * objects); git_source_read then says EXIT_NOTFOUND without libgit2. */
int git_source_maybe(const char *dir);

/* A remote URL fit to print and to put in a label: no user or password. */
char *git_url_without_credentials(const char *url);

#endif
