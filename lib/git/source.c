/* source.c: the git commit a build directory comes from (see source.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "http.h"
#include "redact.h"
#include "log.h"
#include "git/init.h"
#include "git/source.h"


static int git_fail(struct strbuf *err, int code, const char *what)
{
	const git_error *e = git_error_last();
	return sb_fail(err, code, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

char *git_url_without_credentials(const char *url)
{
	return redact_url(url);
}

/* dir relative to the work tree's top ("." for the top itself). */
static int relative_dir(const char *dir, const char *workdir, char **out, struct strbuf *err)
{
	char real[PATH_MAX], top[PATH_MAX];
	if (!realpath(dir, real))
		return sb_fail(err, errno == ENOENT ? EXIT_NOTFOUND : EXIT_IOERR, "%s: %s", dir, strerror(errno));
	if (!realpath(workdir, top))
		return sb_fail(err, EXIT_IOERR, "%s: %s", workdir, strerror(errno));
	size_t n = strlen(top);
	if (strcmp(real, top) == 0)
		*out = xstrdup(".");
	else if (strncmp(real, top, n) == 0 && real[n] == '/')
		*out = xstrdup(real + n + 1);
	else
		return sb_fail(err, EXIT_DATA, "%s: outside the work tree %s", dir, top);
	return 0;
}

static int in_subdir(const char *path, const char *subdir)
{
	size_t n = strlen(subdir);
	return strcmp(subdir, ".") == 0 || (strncmp(path, subdir, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

static const char *entry_path(const git_status_entry *e)
{
	const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
	if (!d)
		return NULL;
	return d->new_file.path ? d->new_file.path : d->old_file.path;
}

/* ---- a clean tree told from the index and the caller's walk ---- */

#define IGNORE_CHECKS_MAX 256 /* more untracked files: let git status tell */
#define GITLINK_MODE 0160000

static int same_time(const git_index_time *t, struct timespec ts)
{
	return t->seconds == (int32_t)ts.tv_sec && t->nanoseconds == (uint32_t)ts.tv_nsec;
}

/* The index's stat data is the file's, as git compares it (and more), and
 * the entry was written after the file last changed (else "racy": a change in
 * the same tick as the index keeps its times, and git would read the file). */
static int stat_matches(const git_index_entry *e, const struct stat *st, const struct stat *index_st)
{
	uint32_t mode = S_ISLNK(st->st_mode)  ? 0120000
			: S_ISREG(st->st_mode) ? (st->st_mode & 0100 ? 0100755 : 0100644)
					       : 0;
	return mode && e->mode == mode && e->file_size == (uint32_t)st->st_size && e->ino == (uint32_t)st->st_ino &&
	       e->uid == st->st_uid && e->gid == st->st_gid && same_time(&e->mtime, st->st_mtim) &&
	       same_time(&e->ctime, st->st_ctim) && st->st_mtim.tv_sec < index_st->st_mtim.tv_sec &&
	       st->st_ctim.tv_sec < index_st->st_mtim.tv_sec;
}

/* The number of index entries under subdir; -1 when one is in doubt (a
 * conflict, intent to add, skip-worktree, a submodule). */
static long tracked_under(git_index *idx, const char *subdir)
{
	long count = 0;
	size_t n = git_index_entrycount(idx);
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		if (!in_subdir(e->path, subdir))
			continue;
		if (GIT_INDEX_ENTRY_STAGE(e) != 0 || (e->flags & GIT_INDEX_ENTRY_EXTENDED) || e->mode == GITLINK_MODE)
			return -1;
		count++;
	}
	return count;
}

/* The index holds what commit sha (HEAD, as read) does under subdir: nothing staged. */
static int index_is_head(git_repository *repo, git_index *idx, const char *subdir, const char *sha)
{
	git_object *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	char *spec[1] = { (char *)subdir };
	if (strcmp(subdir, ".") != 0) {
		opts.pathspec.strings = spec; /* only a hint: deltas are checked below */
		opts.pathspec.count = 1;
		opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	char *spec_tree = xasprintf("%s^{tree}", sha);
	int same = git_revparse_single(&tree, repo, spec_tree) == 0 &&
		   git_diff_tree_to_index(&diff, repo, (git_tree *)tree, idx, &opts) == 0;
	free(spec_tree);
	for (size_t i = 0; same && i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (in_subdir(d->old_file.path, subdir) || in_subdir(d->new_file.path, subdir))
			same = 0;
	}
	git_diff_free(diff);
	git_object_free(tree);
	return same;
}

/* Every walked file is tracked with the stat data the index has, or ignored;
 * *matched counts the tracked ones. */
static int walked_files_clean(git_repository *repo, git_index *idx, const char *subdir, const struct stat *index_st,
			      const struct git_walked_file *f, size_t n, long *matched)
{
	struct strbuf path = STRBUF_INIT;
	int clean = 1, ignore_checks = 0, top = strcmp(subdir, ".") == 0;
	for (size_t i = 0; i < n && clean; i++) {
		sb_reset(&path);
		sb_addf(&path, "%s%s%s%s%s", top ? "" : subdir, top ? "" : "/", f[i].dir_rel, *f[i].dir_rel ? "/" : "",
			f[i].name);
		if (top && (str_eq(path.buf, ".git") || str_starts(path.buf, ".git/")))
			continue; /* the repository itself */
		const git_index_entry *e = git_index_get_bypath(idx, path.buf, 0);
		int ignored = 0;
		if (!f[i].st)
			clean = 0; /* a repository inside: git status tells what it makes of it */
		else if (e)
			clean = stat_matches(e, f[i].st, index_st);
		else
			clean = ++ignore_checks <= IGNORE_CHECKS_MAX &&
				git_ignore_path_is_ignored(&ignored, repo, path.buf) == 0 && ignored;
		*matched += e != NULL;
	}
	sb_release(&path);
	return clean;
}

/* NULL when the tree under the directory is surely clean, else why git
 * status has to tell. */
static const char *doubt(git_repository *repo, const struct git_source *s, git_index *idx,
			 const struct git_walked_file *files, size_t n)
{
	struct stat index_st;
	if (!git_index_path(idx) || stat(git_index_path(idx), &index_st) < 0)
		return "no index file";
	long tracked = tracked_under(idx, s->subdir), matched = 0;
	if (tracked < 0)
		return "an index entry in conflict, intent to add, skip-worktree or a submodule";
	if (!walked_files_clean(repo, idx, s->subdir, &index_st, files, n, &matched))
		return "a file with other stat data, racy, or untracked";
	if (matched != tracked)
		return "a tracked file missing";
	if (!index_is_head(repo, idx, s->subdir, s->sha))
		return "changes staged";
	return NULL;
}

/* 1 when the tree under the directory is surely clean; 0 when in doubt. */
static int clean_from_index(git_repository *repo, const struct git_source *s, const struct git_walk *walk)
{
	const struct git_walked_file *files;
	size_t n;
	git_index *idx = NULL;
	const char *why = walk->files(walk->ctx, &files, &n) < 0 ? "the walk failed"
			  : git_repository_index(&idx, repo) < 0  ? "no index"
								  : doubt(repo, s, idx, files, n);
	git_index_free(idx);
	if (why)
		debug("%s: git status, the index alone cannot tell (%s)", s->subdir, why);
	return why == NULL;
}

/* ---- git status ---- */

static int find_changes(git_repository *repo, struct git_source *s, struct strbuf *err)
{
	git_status_options opts;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY |
		     GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH;
	char *spec[1] = { s->subdir };
	if (strcmp(s->subdir, ".") != 0) {
		opts.pathspec.strings = spec; /* only a hint: entries are checked below */
		opts.pathspec.count = 1;
	}
	git_status_list *list;
	if (git_status_list_new(&list, repo, &opts) < 0)
		return git_fail(err, EXIT_IOERR, "git status");
	size_t n = git_status_list_entrycount(list);
	for (size_t i = 0; i < n && !s->dirty; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const char *p = entry_path(e);
		if (e->status != GIT_STATUS_CURRENT && !(e->status & GIT_STATUS_IGNORED) && p && in_subdir(p, s->subdir)) {
			s->dirty = 1;
			s->changed = xstrdup(p);
		}
	}
	git_status_list_free(list);
	return 0;
}

static char *remote_url(git_repository *repo)
{
	git_remote *r = NULL;
	if (git_remote_lookup(&r, repo, "origin") < 0) {
		git_strarray names = { NULL, 0 };
		if (git_remote_list(&names, repo) == 0 && names.count > 0)
			git_remote_lookup(&r, repo, names.strings[0]);
		git_strarray_dispose(&names);
	}
	char *url = NULL;
	if (r && git_remote_url(r))
		url = git_url_without_credentials(git_remote_url(r));
	git_remote_free(r);
	return url;
}

static int read_head(git_repository *repo, const char *dir, struct git_source *s, struct strbuf *err)
{
	git_oid oid;
	int grc = git_reference_name_to_id(&oid, repo, "HEAD");
	if (grc == GIT_EUNBORNBRANCH || grc == GIT_ENOTFOUND)
		return sb_fail(err, EXIT_DATA, "%s: the repository has no commit yet", dir);
	if (grc < 0)
		return git_fail(err, EXIT_IOERR, "HEAD");
	git_commit *c;
	if (git_commit_lookup(&c, repo, &oid) < 0)
		return git_fail(err, EXIT_DATA, "HEAD");
	git_oid_tostr(s->sha, sizeof s->sha, &oid);
	s->time = (long long)git_commit_time(c);
	git_commit_free(c);
	return 0;
}

/* Only what libgit2's search (git_repository_open_ext) would look at, and
 * more: when nothing is found, libgit2 need not be set up at all (that reads
 * every CA certificate). */
int git_source_maybe(const char *dir)
{
	char *path = realpath(dir, NULL);
	if (!path)
		return 1; /* let libgit2 tell what is wrong */
	struct stat st;
	int found = 0;
	for (size_t n = strlen(path); !found; ) {
		char *dotgit = xasprintf("%s/.git", n ? path : ""), *head = xasprintf("%s/HEAD", n ? path : ""),
		     *objects = xasprintf("%s/objects", n ? path : "");
		found = stat(dotgit, &st) == 0 ||
			(stat(head, &st) == 0 && S_ISREG(st.st_mode) && stat(objects, &st) == 0 && S_ISDIR(st.st_mode));
		free(dotgit);
		free(head);
		free(objects);
		if (n == 0)
			break;
		while (n > 0 && path[n - 1] != '/')
			n--;
		if (n > 0)
			n--; /* the slash: "/a/b" -> "/a", "/a" -> "" (the root) */
		path[n] = '\0';
	}
	free(path);
	return found;
}

int git_source_read(const char *dir, struct git_source *out, struct strbuf *err)
{
	return git_source_read_walked(dir, NULL, out, err);
}

int git_source_read_walked(const char *dir, const struct git_walk *walk, struct git_source *out, struct strbuf *err)
{
	memset(out, 0, sizeof *out);
	if (!git_source_maybe(dir))
		return sb_fail(err, EXIT_NOTFOUND, "%s: not in a git repository", dir);
	gitr_init();
	git_repository *repo;
	int grc = git_repository_open_ext(&repo, dir, 0, NULL);
	if (grc == GIT_ENOTFOUND)
		return sb_fail(err, EXIT_NOTFOUND, "%s: not in a git repository", dir);
	if (grc < 0)
		return git_fail(err, EXIT_DATA, dir);
	int rc = 0;
	const char *workdir = git_repository_workdir(repo);
	if (!workdir)
		rc = sb_fail(err, EXIT_DATA, "%s: a bare repository has no work tree to build", dir);
	if (!rc)
		rc = relative_dir(dir, workdir, &out->subdir, err);
	if (!rc)
		rc = read_head(repo, dir, out, err);
	if (!rc && walk && clean_from_index(repo, out, walk))
		debug("%s: clean (the index's stat data matches the tree)", dir);
	else if (!rc)
		rc = find_changes(repo, out, err);
	if (!rc)
		out->remote_url = remote_url(repo);
	git_repository_free(repo);
	if (rc)
		git_source_clear(out);
	return rc;
}

void git_source_clear(struct git_source *s)
{
	free(s->changed);
	free(s->subdir);
	free(s->remote_url);
	memset(s, 0, sizeof *s);
}
