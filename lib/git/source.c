/* source.c: the git commit a build directory comes from (see source.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "http.h"
#include "log.h"
#include "git/source.h"

static void shutdown_at_exit(void)
{
	git_libgit2_shutdown();
}

/* libgit2's global state: set up once, released at exit (its caches and
 * per-thread buffers would otherwise show as leaks). */
static void init_once(void)
{
	static int done;
	if (!done) {
		git_libgit2_init();
		atexit(shutdown_at_exit);
		done = 1;
	}
}

static int git_fail(struct strbuf *err, int code, const char *what)
{
	const git_error *e = git_error_last();
	return sb_fail(err, code, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

char *git_url_without_credentials(const char *url)
{
	return http_redact_url(url);
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

int git_source_read(const char *dir, struct git_source *out, struct strbuf *err)
{
	memset(out, 0, sizeof *out);
	init_once();
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
	if (!rc)
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
