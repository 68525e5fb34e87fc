/* k8s.h: what the verbs of cloudctl-k8s share. */
#ifndef CLOUDCTL_K8S_H
#define CLOUDCTL_K8S_H

#include <jansson.h>
#include "log.h"
#include "opts.h"
#include "record.h"
#include "util.h"
#include "yaml.h"

/* tenant options (tenant.c) */
extern const char *t_cpu, *t_memory, *t_pods, *t_storage, *t_default_request, *t_default_limit;
extern struct strlist t_admin, t_edit, t_view, t_from_ns, t_labels;
extern int t_open_egress;
/* inventory options (inventory.c) */
extern long long i_control_plane, i_etcd;
extern const char *i_format;

int k8s_name_ok(const char *s);      /* RFC 1123 label (a namespace name) */
int k8s_quantity_ok(const char *s);  /* a resource.Quantity such as 500m or 16Gi */
json_t *tenant_objects(const char *name);

int cmd_tenant(int argc, char **argv);
int cmd_inventory(int argc, char **argv);

#endif
