/* cloudctl-k8s: multi-tenant Kubernetes: tenant manifests (rendered or applied),
 * Kubespray inventories made from cloudctl-vm records, and server-side apply,
 * get and wait against the API server of a kubeconfig. */
#include "k8s.h"

static const struct opt tenant_opts[] = {
	OPT_STRING("cpu", 0, &t_cpu, "QTY", "CPU quota, requests and limits (default 8)", .actions = "render apply"),
	OPT_STRING("memory", 0, &t_memory, "QTY", "memory quota, requests and limits (default 16Gi)",
	  .actions = "render apply"),
	OPT_STRING("pods", 0, &t_pods, "N", "at most N pods", .actions = "render apply"),
	OPT_STRING("storage", 0, &t_storage, "QTY", "storage requests quota, e.g. 100Gi", .actions = "render apply"),
	OPT_STRING("default-request", 0, &t_default_request, "cpu=Q,memory=Q",
	  "containers' default requests (default cpu=100m,memory=128Mi)", .actions = "render apply"),
	OPT_STRING("default-limit", 0, &t_default_limit, "cpu=Q,memory=Q",
	  "containers' default limits (default cpu=500m,memory=512Mi)", .actions = "render apply"),
	OPT_LIST("admin", 0, &t_admin, "WHO", "bind ClusterRole admin to USER, user:USER or group:GROUP; repeatable",
	  .actions = "render apply"),
	OPT_LIST("edit", 0, &t_edit, "WHO", "bind ClusterRole edit; repeatable", .actions = "render apply"),
	OPT_LIST("view", 0, &t_view, "WHO", "bind ClusterRole view; repeatable", .actions = "render apply"),
	OPT_LIST("allow-from-namespace", 0, &t_from_ns, "NS",
	  "allow ingress from namespace NS (e.g. the ingress controller's); repeatable", .actions = "render apply"),
	OPT_LIST("label", 0, &t_labels, "K=V", "label on the Namespace; repeatable", .actions = "render apply"),
	OPT_BOOL("open-egress", 0, &t_open_egress,
	  "no egress policy: pods reach anything (default: only DNS and their own namespace)",
	  .actions = "render apply"),
	OPT_BOOL("force-conflicts", 0, &t_apply.force, "apply: take over fields other managers own", .actions = "apply"),
	OPT_BOOL("dry-run", 0, &t_apply.dry_run, "apply: the server checks everything and stores nothing",
	  .actions = "apply"),
	OPT_BOOL("wait", 0, &t_wait, "delete: wait until the namespace is gone", .actions = "delete"),
	OPT_STRING("timeout", 0, &k_timeout, "DURATION", "delete --wait: give up after DURATION (default 5m)",
	  .actions = "delete"),
	OPT_END
};

static const struct opt apply_opts[] = {
	OPT_STRING("filename", 'f', &a_file, "FILE", "the YAML stream to apply; - for stdin", .complete = "file"),
	OPT_BOOL("force-conflicts", 0, &a_apply.force, "take over fields other managers own"),
	OPT_BOOL("dry-run", 0, &a_apply.dry_run, "the server checks everything and stores nothing"),
	OPT_STRING("field-manager", 0, &a_apply.manager, "NAME", "the field manager (default cloudctl)"),
	OPT_END
};

static const struct opt get_opts[] = {
	OPT_STRING("selector", 'l', &g_selector, "SELECTOR", "only objects with these labels (k=v,k!=v,k)"),
	OPT_BOOL("all-namespaces", 'A', &g_all_namespaces, "objects of every namespace"),
	OPT_END
};

static const struct opt wait_opts[] = {
	OPT_STRING("for", 0, &w_for, "WHAT", "condition=NAME[=VALUE] (VALUE default True) or delete",
	  .complete = "words:condition=Available condition=Ready delete"),
	OPT_STRING("timeout", 0, &k_timeout, "DURATION", "give up after DURATION (default 30s), exit 75"),
	OPT_END
};

static const struct opt rollout_opts[] = {
	OPT_STRING("timeout", 0, &k_timeout, "DURATION", "give up after DURATION (default 5m), exit 75"),
	OPT_END
};

static const struct opt globals[] = {
	OPT_STRING("kubeconfig", 0, &k_kubeconfig, "FILE", "the kubeconfig (default $KUBECONFIG, ~/.kube/config)",
	  .complete = "file"),
	OPT_STRING("context", 0, &k_context, "NAME", "the kubeconfig context (default its current-context)"),
	OPT_STRING("namespace", 'n', &k_namespace, "NS", "the namespace (default the context's, else default)"),
	OPT_END
};

static const struct opt inventory_opts[] = {
	OPT_INT("control-plane", 0, &i_control_plane, "N",
	  "control-plane nodes when no VM has a role tag (default 1; 3 from 6 hosts on)"),
	OPT_INT("etcd", 0, &i_etcd, "N", "etcd members, odd (default: the control-plane count, made odd)"),
	OPT_STRING("format", 0, &i_format, "FORMAT", "kubespray (hosts.yaml, default), ini or json; same as -o",
	  .complete = "words:kubespray ini json"),
	OPT_END
};

/* The fields of the record of an object applied (api/api.c, k8s_object_record),
 * which hold those of tenant delete's and tenant list's records. */
#define APPLIED_COLUMNS \
	"kind name namespace api replicas ready updated available phase node ip quota.* type cluster_ip created rv " \
	"result dry_run"

static const struct verb verbs[] = {
	{ .name = "tenant", .run = cmd_tenant, .opts = tenant_opts, .operands = "render|apply|delete NAME | list",
	  .summary = "A tenant: namespace, quota, limits, RBAC, network policies; rendered or applied",
	  .actions = "render apply delete list", .formats = "yaml json kv table tsv csv md", .columns = APPLIED_COLUMNS },
	{ .name = "apply", .opts = apply_opts, .operands = "-f FILE", .summary = "Server-side apply of a YAML stream",
	  .columns = APPLIED_COLUMNS },
	{ .name = "get", .opts = get_opts, .operands = "KIND [NAME...]", .summary = "Objects as records" },
	{ .name = "wait", .opts = wait_opts, .operands = "KIND/NAME...|-",
	  .summary = "Wait for a condition or a deletion" },
	{ .name = "rollout", .opts = rollout_opts, .operands = "status deployment/NAME",
	  .summary = "Wait for a deployment's rollout", .actions = "status" },
	{ .name = "inventory", .run = cmd_inventory, .opts = inventory_opts, .operands = "[-]",
	  .summary = "A Kubespray inventory from vm records on stdin", .formats = "kubespray ini json" },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-k8s",
	.summary = "Multi-tenant Kubernetes: tenants, Kubespray inventories, apply, get and wait.",
	.verbs = verbs,
	.globals = globals,
	.plugin = K8S_API_PLUGIN,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
