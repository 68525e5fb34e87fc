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

/* The options every verb takes: the repository, how to reach it, and the
 * directory in it. */
struct deploy_common_opts {
	const char *git;           /* --git URL|PATH */
	const char *branch;        /* --branch; NULL: the remote's HEAD */
	const char *path;          /* --path: the directory of the kustomization or values file */
	const char *cacert, *username, *password_file; /* https */
	const char *ssh_identity, *known_hosts;        /* ssh */
	const char *cache_dir;     /* --cache-dir; NULL: $XDG_CACHE_HOME/cloudctl/git */
	int no_cache;              /* --no-cache: a temporary clone */
};

/* --values FILE --key KEY: a Helm values file instead of kustomization.yaml. */
struct values_opts {
	const char *file, *key;
};

/* How the verbs that commit (bump, rollback, promote) commit. */
struct commit_opts {
	int dry_run;               /* --dry-run: print the diff, change nothing */
	long long attempts;        /* --attempts: pushes when the branch moves; 0: 1000 */
	const char *author;        /* --author; NULL: $CLOUDCTL_GIT_AUTHOR, git config */
};

/* What bump and diff set, and where. */
struct image_set_opts {
	struct strlist images;     /* --image [NAME=]REF; none: records on stdin */
	const char *image_name;    /* --image-name: the repository the cluster pulls from */
	const char *pin;           /* --pin tag|digest; NULL: tag */
	struct values_opts values;
	int create;                /* --create: add the images: list, or the key */
	int force;                 /* --force: replace a newer deploy or a rollback */
};

/* The options of each verb. */
struct bump_opts {
	struct image_set_opts set;
	struct commit_opts commit;
};
struct diff_opts {
	struct image_set_opts set;
	int exit_code;             /* --exit-code: 1 when there are differences */
};
struct history_opts {
	const char *image;         /* --image: only this image */
	long long limit;           /* --limit: at most this many records; 0: all */
};
struct rollback_opts {
	const char *image;         /* --image; NULL: those of the last deploy */
	const char *at;            /* --at COMMIT: the tag the image had there */
	long long steps;           /* --steps: deploys to undo; 0: 1 */
	struct values_opts values;
	struct commit_opts commit;
};
struct promote_opts {
	const char *from, *to;     /* --from, --to: the overlays */
	const char *image;         /* --image: only this image */
	int force;                 /* --force: copy even an older source */
	struct values_opts values;
	struct commit_opts commit;
};

/* options.c: the tables of the verb table (main.c), and the entries that
 * run each verb with the struct its table fills. */
extern const struct opt bump_options[], diff_options[], history_options[], rollback_options[], promote_options[],
	common_options[];
int run_bump(int argc, char **argv);
int run_diff(int argc, char **argv);
int run_history(int argc, char **argv);
int run_rollback(int argc, char **argv);
int run_promote(int argc, char **argv);

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

/* The remote the options name, fetched; with trust_cache, a network
 * remote's tip may come from the cache unfetched (g->unverified: the push
 * finds out). Returns 0 or an exit code (reported). */
int deploy_open(const struct deploy_common_opts *repo, struct gitr *g, int trust_cache);
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
/* What a run is told by the options of its verb. */
struct run_opts {
	const struct deploy_common_opts *repo;
	const struct commit_opts *commit; /* NULL: the diff verb, which commits nothing */
	int exit_code;                    /* diff --exit-code */
};
/* Plan, then (unless nothing changed or --dry-run) commit and push, again on
 * the new tip when the branch moved; write kind=bump records (or, for diff,
 * the diff or records by -o). Returns the exit code. */
int deploy_run(const struct run_opts *o, plan_fn fn, void *arg, const char *action);

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
/* --values and --key: both or neither; 0 or EXIT_USAGE (reported) */
int values_opts_check(const struct values_opts *v);

int cmd_bump(const struct deploy_common_opts *repo, const struct bump_opts *o, int argc, char **argv);
int cmd_diff(const struct deploy_common_opts *repo, const struct diff_opts *o, int argc, char **argv);
int cmd_history(const struct deploy_common_opts *repo, const struct history_opts *o, int argc, char **argv);
int cmd_rollback(const struct deploy_common_opts *repo, const struct rollback_opts *o, int argc, char **argv);
int cmd_promote(const struct deploy_common_opts *repo, const struct promote_opts *o, int argc, char **argv);

#endif
