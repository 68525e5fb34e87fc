/* deploy.h: what the verbs of cloudctl-deploy share. */
#ifndef CLOUDCTL_DEPLOY_H
#define CLOUDCTL_DEPLOY_H

#include <git2.h>
#include <jansson.h>

#include "git/remote.h"
#include "log.h"
#include "opts.h"
#include "record.h"
#include "util.h"
#include "kustomize.h"

/* global options (main.c) */
extern const char *d_git, *d_branch, *d_path, *d_cacert, *d_username, *d_password_file, *d_ssh_identity,
	*d_known_hosts, *d_cache_dir, *d_author;
extern int d_no_cache;
/* bump and diff */
extern struct strlist d_images;
extern const char *d_pin, *d_values, *d_key, *d_image_name;
extern int d_exit_code;
extern int d_force, d_dry_run, d_create;
extern long long d_attempts;
/* history, rollback, promote */
extern const char *d_image, *d_at, *d_to, *d_from;
extern long long d_steps, d_limit;

/* One image's change in one commit, as the commit message records it. */
struct deploy_entry {
	char *verb;      /* deploy, rollback, promote */
	char *name;      /* the kustomization's images[].name (or the Helm image) */
	char *old, *new_;
	char *source, *digest; /* Source-Commit, Image-Digest (may be NULL) */
	long long stime;       /* Source-Time: the source commit's time; -1 when unknown */
	char *rollback_to;     /* Rollback-To, for rollbacks */
};
struct deploy_log {
	struct deploy_entry *e;
	size_t n, cap;
};
/* The entries of a commit message for path (lines "VERB(PATH): NAME OLD -> NEW"
 * and the trailers grouped by "Image: NAME"), appended to log. */
void dmsg_parse(const char *msg, const char *path, struct deploy_log *log);
void dlog_clear(struct deploy_log *log);
/* The message for entries (the first line alone when there is one). */
void dmsg_build(struct strbuf *out, const char *path, const struct deploy_entry *e, size_t n, const char *extra_trailers);

/* A time as records carry it (seconds since the epoch, or RFC 3339) -> seconds; -1 when malformed. */
long long parse_source_time(const char *s);
/* RFC 3339 UTC */
void fmt_time(char *buf, size_t n, long long t);

/* An image reference: repository, and tag and/or digest. */
struct image_ref {
	char *repo, *tag, *digest;
};
int image_ref_parse(const char *ref, struct image_ref *out); /* -1 when it has no repository */
void image_ref_clear(struct image_ref *r);
/* Why a repository, tag or digest is not one a cluster can pull (an oci: layout,
 * a local path, the distribution grammar broken), or NULL when it is (render.c). */
const char *image_repo_problem(const char *repo);
const char *image_tag_problem(const char *tag);
const char *image_digest_problem(const char *digest);
/* After an edit of the kustomization FILE of DIR (its document kdoc, as edited):
 * the workloads' images that its images[] entry ENTRY matches must render, by
 * kustomize's rules, as REPO with TAG (and no digest) or with DIGEST; 0, or
 * EXIT_DATA with why in err. When ENTRY matches nothing and resources could not
 * be followed (remote, Helm charts), a warning instead. */
int render_check(struct gitr *g, const git_oid *tip, const char *dir, const char *file, const json_t *kdoc,
		 const char *entry, const char *repo, const char *tag, const char *digest, struct strbuf *err);

/* The remote of the global options, fetched; with trust_cache, a network
 * remote's tip may come from the cache unfetched (g->unverified: the push
 * finds out). Returns 0 or an exit code (reported). */
int deploy_open(struct gitr *g, int trust_cache);
/* "DIR/kustomization.yaml" (or .yml, Kustomization) at commit; EXIT_NOTFOUND
 * when DIR or the file is missing (err says which). */
int find_kustomization(struct gitr *g, const git_oid *commit, const char *dir, char **path, struct strbuf *err);
/* path without "./", leading or trailing slashes */
char *clean_path(const char *p);

/* A file being edited in one attempt. */
struct dfile {
	char *path;
	struct strbuf orig;
	struct yedit e;
};

/* What an attempt of a verb makes from the branch's tip: edited files and the
 * changes, one per image. */
struct change {
	struct deploy_entry d; /* name, old, new_, source, digest, stime */
	int changed;
	int appended;          /* a new images entry was added for it */
	const char *skipped;   /* why it was not applied: "older" / "rolled-back", or NULL */
	struct record in;      /* the input record, passed through */
};
struct plan {
	struct dfile files[2];
	size_t nfiles;
	struct change *c;
	size_t nc;
	char *verb;            /* deploy / rollback / promote */
	char *msg_path;        /* the PATH of the message */
	struct strbuf trailers; /* extra trailers for the message */
};
void plan_clear(struct plan *p);
struct dfile *plan_file(struct plan *p, struct gitr *g, const git_oid *tip, const char *path, struct strbuf *err, int *rc);

/* Build a plan for the tip; returns 0 or an exit code (err). */
typedef int (*plan_fn)(struct gitr *g, const git_oid *tip, struct plan *p, void *arg, struct strbuf *err);
/* Plan, then (unless nothing changed or --dry-run) commit and push, again on
 * the new tip when the branch moved; write kind=bump records (or, for diff,
 * the diff or records by -o). Returns the exit code. */
int deploy_run(plan_fn fn, void *arg, const char *action, int diff_verb);

/* The commits of tip, newest first, read as the walk goes; for the history of
 * path (named in the error). 0, or 65 with err and *walk NULL. */
int history_walk(struct gitr *g, const git_oid *tip, const char *path, git_revwalk **walk, struct strbuf *err);

/* The last entries per image name from the branch's history for path: the
 * newest entry of each name in want (NULL-terminated; "" for one not to look
 * for); found[i] stays zero-filled (name NULL) when none. Walks back from tip
 * until each is found, the whole history for one that never was. */
int history_last(struct gitr *g, const git_oid *tip, const char *path, const char *const *want,
		 struct deploy_entry *found, struct strbuf *err);

/* Helm values (bump.c): the value at a dotted key, or NULL; the repository the
 * values name beside the key (the chart convention: image.repository, with
 * image.registry before it when there is one), or NULL; a scalar as text. */
const json_t *values_get(const json_t *doc, const char *key);
char *values_repository(const json_t *doc, const char *key);
char *values_scalar(const json_t *v);
/* --values and --key for rollback and promote: check them; 0 or EXIT_USAGE */
int values_opts_check(void);

int cmd_bump(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_promote(int argc, char **argv);

#endif
