/* options.c: the option tables of every cloudctl-k8s verb and the values they
 * fill, one struct per verb (k8s.h). They live in the executable (exported
 * with -rdynamic), so --help and completion load no plugin; the API plugin
 * (cloudctl-k8s-api.so, which brings libcurl and libyaml) reads the values
 * through k8s_opts() when a verb runs. A table writes its own verb's struct
 * and the global one, never another verb's. */
#include "k8s.h"

static struct k8s_options opts = {
	.tenant = { .cpu = "8", .memory = "16Gi" },
	.inventory = { .control_plane = -1, .etcd = -1 },
};

const struct k8s_options *k8s_opts(void)
{
	return &opts;
}

const struct opt tenant_opts[] = {
	OPT_STRING("cpu", 0, &opts.tenant.cpu, "QTY", "CPU quota, requests and limits (default 8)", .actions = "render apply"),
	OPT_STRING("memory", 0, &opts.tenant.memory, "QTY", "memory quota, requests and limits (default 16Gi)",
	  .actions = "render apply"),
	OPT_STRING("pods", 0, &opts.tenant.pods, "N", "at most N pods", .actions = "render apply"),
	OPT_STRING("storage", 0, &opts.tenant.storage, "QTY", "storage requests quota, e.g. 100Gi", .actions = "render apply"),
	OPT_STRING("default-request", 0, &opts.tenant.default_request, "cpu=Q,memory=Q",
	  "containers' default requests (default cpu=100m,memory=128Mi)", .actions = "render apply"),
	OPT_STRING("default-limit", 0, &opts.tenant.default_limit, "cpu=Q,memory=Q",
	  "containers' default limits (default cpu=500m,memory=512Mi)", .actions = "render apply"),
	OPT_LIST("admin", 0, &opts.tenant.admin, "WHO", "bind ClusterRole admin to USER, user:USER or group:GROUP; repeatable",
	  .actions = "render apply"),
	OPT_LIST("edit", 0, &opts.tenant.edit, "WHO", "bind ClusterRole edit; repeatable", .actions = "render apply"),
	OPT_LIST("view", 0, &opts.tenant.view, "WHO", "bind ClusterRole view; repeatable", .actions = "render apply"),
	OPT_LIST("allow-from-namespace", 0, &opts.tenant.from_ns, "NS",
	  "allow ingress from namespace NS (e.g. the ingress controller's); repeatable", .actions = "render apply"),
	OPT_LIST("label", 0, &opts.tenant.labels, "K=V", "label on the Namespace; repeatable", .actions = "render apply"),
	OPT_BOOL("open-egress", 0, &opts.tenant.open_egress,
	  "no egress policy: pods reach anything (default: only DNS and their own namespace)",
	  .actions = "render apply"),
	OPT_BOOL("force-conflicts", 0, &opts.tenant.apply.force, "apply: take over fields other managers own",
	  .actions = "apply"),
	OPT_BOOL("dry-run", 0, &opts.tenant.apply.dry_run, "apply: the server checks everything and stores nothing",
	  .actions = "apply"),
	OPT_BOOL("wait", 0, &opts.tenant.wait, "delete: wait until the namespace is gone", .actions = "delete"),
	OPT_STRING("timeout", 0, &opts.global.timeout, "DURATION", "delete --wait: give up after DURATION (default 5m)",
	  .actions = "delete"),
	OPT_END
};

const struct opt apply_opts[] = {
	OPT_STRING("filename", 'f', &opts.apply.file, "FILE", "the YAML stream to apply; - for stdin", .complete = "file"),
	OPT_BOOL("force-conflicts", 0, &opts.apply.apply.force, "take over fields other managers own"),
	OPT_BOOL("dry-run", 0, &opts.apply.apply.dry_run, "the server checks everything and stores nothing"),
	OPT_STRING("field-manager", 0, &opts.apply.apply.manager, "NAME", "the field manager (default cloudctl)"),
	OPT_END
};

const struct opt get_opts[] = {
	OPT_STRING("selector", 'l', &opts.get.selector, "SELECTOR", "only objects with these labels (k=v,k!=v,k)"),
	OPT_BOOL("all-namespaces", 'A', &opts.get.all_namespaces, "objects of every namespace"),
	OPT_END
};

const struct opt wait_opts[] = {
	OPT_STRING("for", 0, &opts.wait.condition, "WHAT", "condition=NAME[=VALUE] (VALUE default True) or delete",
	  .complete = "words:condition=Available condition=Ready delete"),
	OPT_STRING("timeout", 0, &opts.global.timeout, "DURATION", "give up after DURATION (default 30s), exit 75"),
	OPT_END
};

const struct opt rollout_opts[] = {
	OPT_STRING("timeout", 0, &opts.global.timeout, "DURATION", "give up after DURATION (default 5m), exit 75"),
	OPT_END
};

const struct opt k8s_globals[] = {
	OPT_STRING("kubeconfig", 0, &opts.global.kubeconfig, "FILE", "the kubeconfig (default $KUBECONFIG, ~/.kube/config)",
	  .complete = "file"),
	OPT_STRING("context", 0, &opts.global.context, "NAME", "the kubeconfig context (default its current-context)"),
	OPT_STRING("namespace", 'n', &opts.global.namespace, "NS", "the namespace (default the context's, else default)"),
	OPT_END
};

const struct opt inventory_opts[] = {
	OPT_INT("control-plane", 0, &opts.inventory.control_plane, "N",
	  "control-plane nodes when no VM has a role tag (default 1; 3 from 6 hosts on)"),
	OPT_INT("etcd", 0, &opts.inventory.etcd, "N", "etcd members, odd (default: the control-plane count, made odd)"),
	OPT_STRING("format", 0, &opts.inventory.format, "FORMAT", "kubespray (hosts.yaml, default), ini or json; same as -o",
	  .complete = "words:kubespray ini json"),
	OPT_END
};
