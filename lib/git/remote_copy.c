/* remote_copy.c: objects copied between two repositories on this machine, as
 * loose objects (a local fetch into the cache, a local push out of it). */
#include "remote_private.h"

#include "log.h"

/* Copy one object from src to dst unless dst has it. Returns 1 when copied,
 * 0 when dst had it, -1 on error. */
static int copy_object(git_odb *src, git_odb *dst, const git_oid *id)
{
	if (git_odb_exists(dst, id))
		return 0;
	git_odb_object *o = NULL;
	git_oid out;
	if (git_odb_read(&o, src, id) < 0)
		return -1;
	int rc = git_odb_write(&out, dst, git_odb_object_data(o), git_odb_object_size(o), git_odb_object_type(o));
	git_odb_object_free(o);
	return rc < 0 ? -1 : 1;
}

/* A tree and what it holds, stopping at subtrees dst already has. Children
 * are written before their tree, so that a tree in dst is always complete,
 * even while another run copies the same objects. */
static int copy_tree(git_repository *from, git_odb *src, git_odb *dst, const git_oid *id)
{
	if (git_odb_exists(dst, id))
		return 0;
	git_tree *t = NULL;
	if (git_tree_lookup(&t, from, id) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0, n = git_tree_entrycount(t); i < n && rc >= 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			rc = copy_tree(from, src, dst, git_tree_entry_id(e));
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			rc = copy_object(src, dst, git_tree_entry_id(e));
	}
	git_tree_free(t);
	return rc < 0 ? rc : copy_object(src, dst, id);
}

/* Loose objects, as receive-pack leaves small pushes: a pack per push (or
 * per local fetch) would pile up into thousands. */
int gitr_copy_loose(git_repository *from, git_repository *to, const git_oid *want, const git_oid *have)
{
	git_revwalk *walk = NULL;
	git_odb *src = NULL, *dst = NULL;
	int rc = -1;
	if (git_repository_odb(&src, from) < 0 || git_repository_odb(&dst, to) < 0 || git_revwalk_new(&walk, from) < 0 ||
	    git_revwalk_push(walk, want) < 0 || (have && !git_oid_is_zero(have) && git_revwalk_hide(walk, have) < 0))
		goto out;
	git_oid id;
	rc = 0;
	while (rc >= 0 && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, from, &id) < 0) {
			rc = -1;
			break;
		}
		rc = copy_tree(from, src, dst, git_commit_tree_id(c));
		git_commit_free(c);
		if (rc >= 0)
			rc = copy_object(src, dst, &id);
	}
out:
	git_revwalk_free(walk);
	git_odb_free(src);
	git_odb_free(dst);
	return rc < 0 ? -1 : 0;
}

