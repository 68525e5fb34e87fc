/* k8s.h: what the verbs of cloudctl-k8s share. */
#ifndef CLOUDCTL_K8S_H
#define CLOUDCTL_K8S_H

#include <jansson.h>
#include "kube/client.h"
#include "log.h"
#include "opts.h"
#include "plugin.h"
#include "record.h"
#include "util.h"
#include "yaml.h"
#include "yamlread.h"

/* The verbs that talk to an API server, with libcurl and libyaml, are a plugin:
 * render, inventory and --help start without loading them. */
#define K8S_API_PLUGIN "cloudctl-k8s-api"

/* Namespaces and objects of a tenant carry this label, its value the tenant's name. */
#define TENANT_LABEL "cloudctl.dev/tenant"

/* The option values, one struct per verb (filled by the tables of options.c,
 * which live in the executable so --help needs no plugin); a verb reads its
 * own through k8s_opts(), in the executable and in the API plugin alike. */
struct global_options { /* every verb: where the API server is (api.c) */
	const char *kubeconfig, *context, *namespace;
	const char *timeout; /* tenant delete --wait, wait, rollout: how long at most */
};
struct tenant_options { /* tenant.c, api/tenant_api.c */
	const char *cpu, *memory, *pods, *storage, *default_request, *default_limit;
	struct strlist admin, edit, view, from_ns, labels;
	int open_egress;
	int wait;                    /* delete --wait */
	struct kube_apply_opts apply; /* apply: --force-conflicts, --dry-run */
};
struct apply_options { /* api/apply.c */
	const char *file;
	struct kube_apply_opts apply; /* --field-manager, --force-conflicts, --dry-run */
};
struct get_options { /* api/get.c */
	const char *selector;
	int all_namespaces;
};
struct wait_options { /* api/wait.c */
	const char *condition; /* --for */
};
struct inventory_options { /* inventory.c */
	long long control_plane, etcd; /* -1: not given */
	const char *format;            /* --format; else -o, whose default is kubespray */
};
struct k8s_options {
	struct global_options global;
	struct tenant_options tenant;
	struct apply_options apply;
	struct get_options get;
	struct wait_options wait;
	struct inventory_options inventory;
};
/* What the command line gave (options.c), read-only to the verbs. */
const struct k8s_options *k8s_opts(void);
extern const struct opt k8s_globals[], tenant_opts[], apply_opts[], get_opts[], wait_opts[], rollout_opts[],
	inventory_opts[];

/* check.c: values checked by the rules of the program that reads them */
int k8s_name_ok(const char *s);      /* RFC 1123 label (a namespace name) */
int k8s_subdomain_ok(const char *s, size_t max); /* RFC 1123 DNS subdomain */
int k8s_quantity_ok(const char *s);  /* a resource.Quantity such as 500m or 16Gi */
int k8s_quantity_more(const char *a, const char *b); /* a > b, both quantities */
int k8s_node_address(const char *s, char out[46], const char **why);
const char *k8s_label_problem(const char *key, const char *value); /* NULL when valid */
const char *k8s_show(struct strbuf *sb, const char *s); /* control characters escaped */
json_t *tenant_objects(const char *name); /* after cmd_tenant checked the options */
int k8s_tenant_name_ok(const char *what, const char *name); /* 0, or 64 with a message */

/* api.c */
int k8s_connect(struct kube_client *kc);
const char *k8s_namespace(const struct kube_client *kc); /* -n, else the context's */
struct rec_writer *k8s_writer(const char *default_cols);
int k8s_finish(struct rec_writer *w, int rc);
void k8s_object_record(struct record *r, const json_t *obj, const char *kind);
long long k8s_deadline(long long default_ms); /* from --timeout; -1 when it is not a duration */
/* Apply objs in order, a record for each to w; stops at the first failure, or
 * after the object in flight when interrupted (k8s_catch_interrupts): 130.
 * *applied counts the objects applied. */
int k8s_apply_objects(struct kube_client *kc, const json_t *objs, const struct kube_apply_opts *o, const char *what,
		      struct rec_writer *w, size_t *applied);
void k8s_catch_interrupts(void);
const char *k8s_interrupted(void); /* "SIGINT", "SIGTERM" once caught, else NULL */
#define K8S_EXIT_INTERRUPTED 130
int k8s_list(struct kube_client *kc, const char *path, const char *selector,
	     void (*emit)(const json_t *item, const char *kind, void *arg), void *arg, struct strbuf *err);

int cmd_tenant(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
/* in the API plugin (K8S_API_PLUGIN): the verbs that talk to an API server */
int cmd_tenant_api(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_rollout(int argc, char **argv);

#endif
