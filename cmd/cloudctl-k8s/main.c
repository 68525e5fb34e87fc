/* cloudctl-k8s: multi-tenant Kubernetes: tenant manifests, and Kubespray
 * inventories made from cloudctl-vm records. */
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
	{ "tenant", cmd_tenant, tenant_opts, "render NAME", "A tenant's manifests: namespace, quota, limits, RBAC, network policies",
	  "words:render", "yaml json" },
	{ "inventory", cmd_inventory, inventory_opts, "[-]", "A Kubespray inventory from vm records on stdin", NULL,
	  "kubespray ini json" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct tool tool = {
	"cloudctl-k8s", "Multi-tenant Kubernetes: tenant manifests and Kubespray inventories.", verbs, NULL, NULL, NULL,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
