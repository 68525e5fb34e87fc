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

/* global options: where the API server is (api.c) */
extern const char *k_kubeconfig, *k_context, *k_namespace, *k_timeout;
/* tenant options (tenant.c, tenant_api.c) */
extern const char *t_cpu, *t_memory, *t_pods, *t_storage, *t_default_request, *t_default_limit;
extern struct strlist t_admin, t_edit, t_view, t_from_ns, t_labels;
extern int t_open_egress, t_wait;
extern struct kube_apply_opts t_apply; /* tenant apply: --force-conflicts, --dry-run */
/* apply (apply.c), get (get.c), wait (wait.c) */
extern const char *a_file, *g_selector, *w_for;
extern struct kube_apply_opts a_apply; /* apply: --field-manager, --force-conflicts, --dry-run */
extern int g_all_namespaces;
/* inventory options (inventory.c) */
extern long long i_control_plane, i_etcd;
extern const char *i_format;

/* check.c: values checked by the rules of the program that reads them */
int k8s_name_ok(const char *s);      /* RFC 1123 label (a namespace name) */
int k8s_subdomain_ok(const char *s, size_t max); /* RFC 1123 DNS subdomain */
int k8s_quantity_ok(const char *s);  /* a resource.Quantity such as 500m or 16Gi */
int k8s_quantity_more(const char *a, const char *b); /* a > b, both quantities */
int k8s_node_address(const char *s, char out[46], const char **why);
const char *k8s_label_problem(const char *key, const char *value); /* NULL when valid */
const char *k8s_show(struct strbuf *sb, const char *s); /* control characters escaped */
json_t *tenant_objects(const char *name);
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
