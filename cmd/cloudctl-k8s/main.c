/* cloudctl-k8s: multi-tenant Kubernetes: tenant manifests (rendered or applied),
 * Kubespray inventories made from cloudctl-vm records, and server-side apply,
 * get and wait against the API server of a kubeconfig. main.c holds the verb
 * table; the option tables and values are in options.c, the verbs that talk
 * to an API server in the plugin (api/). */
#include "k8s.h"

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
	  .summary = "A Kubespray inventory from vm records on stdin", .formats = "kubespray ini json",
	  .document_formats = "kubespray ini json" },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-k8s",
	.summary = "Multi-tenant Kubernetes: tenants, Kubespray inventories, apply, get and wait.",
	.verbs = verbs,
	.globals = k8s_globals,
	.plugin = K8S_API_PLUGIN,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
