/* build.h: what the verbs of cloudctl-build share. */
#ifndef CLOUDCTL_BUILD_H
#define CLOUDCTL_BUILD_H

#include "log.h"
#include "opts.h"
#include "record.h"
#include "util.h"
#include "oci/dest.h"

/* build options (build.c) */
extern const char *b_repo, *b_base, *b_tag_format, *b_entrypoint, *b_cmd, *b_workdir, *b_user, *b_platform,
	*b_ignore_file;
extern struct strlist b_tags, b_env, b_labels;
extern int b_allow_dirty;
extern long long b_jobs;

/* store.c: open what a reference names: "oci:PATH[:TAG]" is a layout (made
 * when create), anything else a registry repository. */
int store_open(const char *ref, int create, struct oci_dest **out, struct strbuf *err);
/* "name:tag" for records ("oci:out:TAG", "host/repo:TAG"). */
char *store_ref(const struct oci_dest *d, const char *tag);
/* The manifest ref names (a tag, or the default) for platform p, resolving an
 * index: bytes, its media type and digest. */
struct oci_platform;
int store_resolve(struct oci_dest *d, const char *ref, const struct oci_platform *p, struct strbuf *bytes,
		  char **media_type, char digest[72], struct strbuf *err);

struct rec_writer *build_writer(const char *default_cols);
int build_finish(struct rec_writer *w, int rc);

int cmd_build(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_tags(int argc, char **argv);

#endif
