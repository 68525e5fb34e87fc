/* build.h: what the verbs of cloudctl-build share. */
#ifndef CLOUDCTL_BUILD_H
#define CLOUDCTL_BUILD_H

#include "log.h"
#include "opts.h"
#include "record.h"
#include "util.h"
#include "oci/dest.h"

/* The options of the verb build. */
struct build_opts {
	const char *repo;        /* --repo: where the image goes */
	const char *base;        /* --base: the image to build on, or NULL */
	struct strlist tags;     /* --tag: the tags instead of the commit's */
	const char *tag_format;  /* --tag-format: full or short; NULL: full */
	int allow_dirty;         /* --allow-dirty */
	const char *entrypoint, *cmd; /* --entrypoint, --cmd: a JSON array or words */
	struct strlist env, labels;   /* --env, --label: K=V each */
	const char *source_url;  /* --source-url */
	int keep_modes;          /* --keep-modes */
	const char *workdir, *user, *platform; /* --workdir, --user, --platform */
	const char *ignore_file; /* --ignore-file; NULL: DIR/.dockerignore */
	long long jobs;          /* --jobs: parallel blob uploads; 0: BUILD_JOBS_DEFAULT */
};
#define BUILD_JOBS_DEFAULT 4
/* The registry options every verb takes. */
struct build_common_opts {
	const char *cacert, *auth_file;
	int insecure;
};

/* options.c: the tables of the verb table (main.c), and the entries that
 * run each verb with the struct its table fills. */
extern const struct opt build_options[], no_options[], registry_options[];
int run_build(int argc, char **argv);
int run_resolve(int argc, char **argv);
int run_tags(int argc, char **argv);

/* store.c: every file an option names (--cacert, --auth-file, and
 * --ignore-file when not NULL) is there and readable, whether or not this run
 * would read it: 0, or an exit code (66 missing or a directory, 77 not
 * allowed) with err set. */
int check_input_files(const struct build_common_opts *registry, const char *ignore_file, struct strbuf *err);
/* open what a reference names: "oci:PATH[:TAG]" is a layout (made
 * when create), anything else a registry repository, reached as registry
 * says with jobs parallel uploads (0: BUILD_JOBS_DEFAULT). */
int store_open(const char *ref, int create, const struct build_common_opts *registry, long long jobs,
	       struct oci_dest **out, struct strbuf *err);
/* "name:tag" for records ("oci:out:TAG", "host/repo:TAG"). */
char *store_ref(const struct oci_dest *d, const char *tag);
/* The manifest ref names (a tag, or the default) for platform p, resolving an
 * index: bytes, its media type and digest. */
struct oci_platform;
int store_resolve(struct oci_dest *d, const char *ref, const struct oci_platform *p, struct strbuf *bytes,
		  char **media_type, char digest[72], struct strbuf *err);

/* push.c: blobs to a destination by jobs workers. A task with path NULL is a
 * base layer (mounted or copied from base); take: path is a temporary file
 * that is removed whatever happens. */
struct blob_task {
	char digest[72];
	unsigned long long size;
	const char *path;
	int take;
	int done; /* set by push_blobs */
};
struct push_result {
	unsigned long long uploaded; /* blob bytes sent (a registry's own count) */
	unsigned mounted, skipped;
};
int push_blobs(struct oci_dest *dest, struct oci_dest *base, struct blob_task *t, size_t n, int jobs,
	       struct push_result *res, struct strbuf *err);

/* progress.c: each phase of the work, a line at -v, and a status line
 * redrawn on stderr when it is a terminal; total 0: of unknown size. */
void progress_phase(const char *label, unsigned long long total, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void progress_bytes(void *ctx, unsigned long long done);
void progress_blob(void *arg, const char *digest, long long done, long long total);
void progress_settle(const char *digest, unsigned long long size);
void progress_end(void);

/* cache.c: the layer of an unchanged tree, known without building it. The
 * walk of dir runs in the background from cache_walk_start; cache_fingerprint
 * waits for it (-1: no fingerprint, the tree racy or unreadable);
 * cache_walk_free stops and frees it (NULL is fine). keep_entries: keep every
 * entry's stat data for cache_walk_files. */
struct layer;
struct tree_walk;
struct tree_walk *cache_walk_start(const char *dir, int keep_entries);
int cache_fingerprint(struct tree_walk *w, const char *ignore_file, long long epoch, int git_modes, char out[65]);
void cache_walk_free(struct tree_walk *w);
/* About the size of the tar of the walked tree (headers and file data), for
 * progress; 0 when unknown. Waits for the walk. */
unsigned long long cache_walk_tar_estimate(struct tree_walk *w);
/* Its files, for a struct git_walk (git/source.h): ctx is the tree_walk
 * (-1 unless started with keep_entries). */
struct git_walked_file;
int cache_walk_files(void *ctx, const struct git_walked_file **files, size_t *n);
int cache_lookup(const char *fp, struct layer *l);
/* The fingerprint dir had when last built (0), or -1; and setting it. */
int cache_last(const char *dir, char fp[65]);
void cache_set_last(const char *dir, const char *fp);
void cache_store(const char *fp, const struct layer *l);

struct rec_writer *build_writer(const char *default_cols);
int build_finish(struct rec_writer *w, int rc);

int cmd_build(const struct build_opts *o, const struct build_common_opts *registry, int argc, char **argv);
int cmd_resolve(const struct build_common_opts *registry, int argc, char **argv);
int cmd_tags(const struct build_common_opts *registry, int argc, char **argv);

#endif
