/* remote_commit.c: files read from commits of the cache, new commits made
 * from a parent's tree with some files replaced (nothing checked out), and
 * their author. */
#include "remote_private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

static int lookup_tree(struct gitr *g, const git_oid *commit, git_tree **tree)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, g->repo, commit) < 0 || git_commit_tree(tree, c) < 0 ? -1 : 0;
	git_commit_free(c);
	return rc;
}

int gitr_read(struct gitr *g, const git_oid *commit, const char *path, struct strbuf *out, struct strbuf *err)
{
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int rc = 0;
	sb_reset(out);
	if (lookup_tree(g, commit, &tree) < 0)
		return gitr_fail(g, err, EXIT_DATA, git_oid_tostr_s(commit));
	if (git_tree_entry_bypath(&te, tree, path) < 0 || git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no file %s on branch %s", g->display_url, path, g->branch);
	else if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(te)) < 0)
		rc = gitr_fail(g, err, EXIT_DATA, path);
	else
		sb_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	return rc;
}

int gitr_is_dir(struct gitr *g, const git_oid *commit, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	int dir = lookup_tree(g, commit, &tree) == 0 &&
		  (!*path || strcmp(path, ".") == 0 ||
		   (git_tree_entry_bypath(&te, tree, path) == 0 && git_tree_entry_type(te) == GIT_OBJECT_TREE));
	git_tree_entry_free(te);
	git_tree_free(tree);
	return dir;
}

int gitr_commit(struct gitr *g, const git_oid *parent, const struct gitr_change *ch, size_t n,
		const git_signature *sig, const char *msg, git_oid *out, struct strbuf *err)
{
	git_commit *pc = NULL;
	git_tree *ptree = NULL, *ntree = NULL;
	git_tree_update *up = xcalloc(n ? n : 1, sizeof *up);
	git_oid tree_id;
	int rc = 0;
	mode_t mask = g->write_umask >= 0 ? umask((mode_t)g->write_umask) : 0;
	if (git_commit_lookup(&pc, g->repo, parent) < 0 || git_commit_tree(&ptree, pc) < 0) {
		rc = gitr_fail(g, err, EXIT_DATA, "parent commit");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		git_tree_entry *te = NULL;
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].path = ch[i].path;
		up[i].filemode = GIT_FILEMODE_BLOB;
		if (git_tree_entry_bypath(&te, ptree, ch[i].path) == 0) {
			up[i].filemode = git_tree_entry_filemode(te);
			git_tree_entry_free(te);
		}
		if (git_blob_create_from_buffer(&up[i].id, g->repo, ch[i].data, ch[i].len) < 0) {
			rc = gitr_fail(g, err, EXIT_IOERR, ch[i].path);
			goto out;
		}
	}
	if (git_tree_create_updated(&tree_id, g->repo, ptree, n, up) < 0 || git_tree_lookup(&ntree, g->repo, &tree_id) < 0 ||
	    git_commit_create(out, g->repo, NULL, sig, sig, NULL, msg, ntree, 1, (const git_commit **)&pc) < 0)
		rc = gitr_fail(g, err, EXIT_IOERR, "commit");
out:
	if (g->write_umask >= 0)
		umask(mask);
	free(up);
	git_tree_free(ntree);
	git_tree_free(ptree);
	git_commit_free(pc);
	return rc;
}

static int parse_person(const char *spec, char **name, char **email)
{
	const char *lt = strchr(spec, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || gt[1] != '\0')
		return -1;
	const char *end = lt;
	while (end > spec && end[-1] == ' ')
		end--;
	if (end == spec)
		return -1;
	*name = xstrndup(spec, (size_t)(end - spec));
	*email = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

int gitr_author(const char *spec, git_signature **out, struct strbuf *err)
{
	char *name = NULL, *email = NULL;
	const char *env = getenv("CLOUDCTL_GIT_AUTHOR");
	gitr_init();
	if (spec || (env && *env)) {
		const char *s = spec ? spec : env;
		if (parse_person(s, &name, &email) < 0)
			return sb_fail(err, EXIT_USAGE, "%s '%s': want \"Name <email>\"", spec ? "--author" : "CLOUDCTL_GIT_AUTHOR", s);
	} else {
		git_config *cfg = NULL, *snap = NULL;
		const char *v;
		if (git_config_open_default(&cfg) == 0 && git_config_snapshot(&snap, cfg) == 0) {
			if (git_config_get_string(&v, snap, "user.name") == 0)
				name = xstrdup(v);
			if (git_config_get_string(&v, snap, "user.email") == 0)
				email = xstrdup(v);
		}
		git_config_free(snap);
		git_config_free(cfg);
		const char *en = getenv("GIT_AUTHOR_NAME"), *ee = getenv("GIT_AUTHOR_EMAIL");
		if (en && *en)
			free(name), name = xstrdup(en);
		if (ee && *ee)
			free(email), email = xstrdup(ee);
		if (!name)
			name = xstrdup("cloudctl");
		if (!email)
			email = xstrdup("cloudctl@localhost");
	}
	int rc = git_signature_now(out, name, email) < 0 ? sb_fail(err, EXIT_USAGE, "author '%s <%s>': %s", name, email,
								     git_error_last() ? git_error_last()->message : "invalid")
							  : 0;
	free(name);
	free(email);
	return rc;
}
