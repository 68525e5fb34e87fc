/* cloudctl-k8s: multi-tenant Kubernetes: tenant manifests (rendered or applied),
 * Kubespray inventories made from cloudctl-vm records, and server-side apply,
 * get and wait against the API server of a kubeconfig. */
#include "k8s.h"

static const struct opt tenant_opts[] = {
	{ "cpu", 0, OPT_STRING, &t_cpu, "QTY", "CPU quota, requests and limits (default 8)", NULL },
	{ "memory", 0, OPT_STRING, &t_memory, "QTY", "memory quota, requests and limits (default 16Gi)", NULL },
	{ "pods", 0, OPT_STRING, &t_pods, "N", "at most N pods", NULL },
	{ "storage", 0, OPT_STRING, &t_storage, "QTY", "storage requests quota, e.g. 100Gi", NULL },
	{ "default-request", 0, OPT_STRING, &t_default_request, "cpu=Q,memory=Q",
	  "containers' default requests (default cpu=100m,memory=128Mi)", NULL },
	{ "default-limit", 0, OPT_STRING, &t_default_limit, "cpu=Q,memory=Q",
	  "containers' default limits (default cpu=500m,memory=512Mi)", NULL },
	{ "admin", 0, OPT_LIST, &t_admin, "WHO", "bind ClusterRole admin to USER, user:USER or group:GROUP; repeatable", NULL },
	{ "edit", 0, OPT_LIST, &t_edit, "WHO", "bind ClusterRole edit; repeatable", NULL },
	{ "view", 0, OPT_LIST, &t_view, "WHO", "bind ClusterRole view; repeatable", NULL },
	{ "allow-from-namespace", 0, OPT_LIST, &t_from_ns, "NS",
	  "allow ingress from namespace NS (e.g. the ingress controller's); repeatable", NULL },
	{ "label", 'l', OPT_LIST, &t_labels, "K=V", "label on the Namespace; repeatable", NULL },
	{ "open-egress", 0, OPT_BOOL, &t_open_egress, NULL,
	  "no egress policy: pods reach anything (default: only DNS and their own namespace)", NULL },
	{ "force-conflicts", 0, OPT_BOOL, &a_force, NULL, "apply: take over fields other managers own", NULL },
	{ "dry-run", 0, OPT_BOOL, &a_dry_run, NULL, "apply: the server checks everything and stores nothing", NULL },
	{ "wait", 0, OPT_BOOL, &t_wait, NULL, "delete: wait until the namespace is gone", NULL },
	{ "timeout", 0, OPT_STRING, &k_timeout, "DURATION", "delete --wait: give up after DURATION (default 5m)", NULL },
	OPT_END
};

static const struct opt apply_opts[] = {
	{ "filename", 'f', OPT_STRING, &a_file, "FILE", "the YAML stream to apply; - for stdin", "file" },
	{ "force-conflicts", 0, OPT_BOOL, &a_force, NULL, "take over fields other managers own", NULL },
	{ "dry-run", 0, OPT_BOOL, &a_dry_run, NULL, "the server checks everything and stores nothing", NULL },
	{ "field-manager", 0, OPT_STRING, &a_manager, "NAME", "the field manager (default cloudctl)", NULL },
	OPT_END
};

static const struct opt get_opts[] = {
	{ "selector", 'l', OPT_STRING, &g_selector, "SELECTOR", "only objects with these labels (k=v,k!=v,k)", NULL },
	{ "all-namespaces", 'A', OPT_BOOL, &g_all_namespaces, NULL, "objects of every namespace", NULL },
	OPT_END
};

static const struct opt wait_opts[] = {
	{ "for", 0, OPT_STRING, &w_for, "WHAT", "condition=NAME[=VALUE] (VALUE default True) or delete",
	  "words:condition=Available condition=Ready delete" },
	{ "timeout", 0, OPT_STRING, &k_timeout, "DURATION", "give up after DURATION (default 30s), exit 75", NULL },
	OPT_END
};

static const struct opt rollout_opts[] = {
	{ "timeout", 0, OPT_STRING, &k_timeout, "DURATION", "give up after DURATION (default 5m), exit 75", NULL },
	OPT_END
};

static const struct opt globals[] = {
	{ "kubeconfig", 0, OPT_STRING, &k_kubeconfig, "FILE", "the kubeconfig (default $KUBECONFIG, ~/.kube/config)",
	  "file" },
	{ "context", 0, OPT_STRING, &k_context, "NAME", "the kubeconfig context (default its current-context)", NULL },
	{ "namespace", 'n', OPT_STRING, &k_namespace, "NS", "the namespace (default the context's, else default)",
	  NULL },
	OPT_END
};

static const struct opt inventory_opts[] = {
	{ "control-plane", 0, OPT_INT, &i_control_plane, "N",
	  "control-plane nodes when no VM has a role tag (default 1; 3 from 6 hosts on)", NULL },
	{ "etcd", 0, OPT_INT, &i_etcd, "N", "etcd members, odd (default: the control-plane count, made odd)", NULL },
	{ "format", 'f', OPT_STRING, &i_format, "FORMAT", "kubespray (hosts.yaml, default), ini or json; same as -o",
	  "words:kubespray ini json" },
	OPT_END
};

static const struct verb verbs[] = {
	{ "tenant", cmd_tenant, tenant_opts, "render|apply|delete NAME | list",
	  "A tenant: namespace, quota, limits, RBAC, network policies; rendered or applied",
	  "words:render apply delete list", "yaml json kv table tsv csv md" },
	{ "apply", NULL, apply_opts, "-f FILE", "Server-side apply of a YAML stream", NULL, NULL },
	{ "get", NULL, get_opts, "KIND [NAME...]", "Objects as records", NULL, NULL },
	{ "wait", NULL, wait_opts, "KIND/NAME...|-", "Wait for a condition or a deletion", NULL, NULL },
	{ "rollout", NULL, rollout_opts, "status deployment/NAME", "Wait for a deployment's rollout",
	  "words:status", NULL },
	{ "inventory", cmd_inventory, inventory_opts, "[-]", "A Kubespray inventory from vm records on stdin", NULL,
	  "kubespray ini json" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct tool tool = {
	"cloudctl-k8s", "Multi-tenant Kubernetes: tenants, Kubespray inventories, apply, get and wait.", verbs, globals,
	NULL, K8S_API_PLUGIN, NULL,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
