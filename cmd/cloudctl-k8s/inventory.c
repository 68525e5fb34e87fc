/* inventory.c: cloudctl-vm records -> an Ansible inventory for Kubespray
 * (hosts.yaml with kube_control_plane, kube_node, etcd, k8s_cluster, calico_rr),
 * or the same as INI or as Ansible's JSON inventory. Control-plane nodes are the
 * VMs tagged role=control-plane (or master) when the records carry roles, else the
 * first N by name; etcd runs on the control-plane nodes first. */
#include "k8s.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct host {
	const char *name, *role;
	char ip[46]; /* INET6_ADDRSTRLEN: the address as Ansible's facts write it */
	long line;
	int control, etcd, node;
};

/* The roles a VM may carry (tag.role): a typo must not make a worker of a
 * control-plane machine. */
static const char *const control_roles[] = { "control-plane", "master", "controlplane" };
static const char *const worker_roles[] = { "worker", "node" };

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static int is_control_role(const char *role)
{
	return in_list(role, control_roles, ARRAY_SIZE(control_roles));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct host *)a)->name, ((const struct host *)b)->name);
}

/* Names Ansible reads as something else: its implicit groups and host, and
 * the one Kubespray group whose name is a valid host name. */
static const char *const reserved_names[] = { "all", "ungrouped", "localhost", "etcd" };

/* What Kubespray needs of a host: a name it can make the node's hostname (its
 * "Stop if bad hostname" check: an RFC 1123 subdomain; Linux takes 64
 * characters) and an address of its own that other hosts reach. */
static int check_host(const struct record *r, const struct host *seen, size_t nseen, struct host *h)
{
	struct strbuf a = STRBUF_INIT;
	const char *name = h->name, *ip = rec_get(r, "ip"), *why = NULL;
	int rc = 0;
	if (!k8s_subdomain_ok(name, 64) || in_list(name, reserved_names, ARRAY_SIZE(reserved_names))) {
		errorx("<stdin>:%ld: name '%s': not a valid node name (%s)", r->line, k8s_show(&a, name),
		       k8s_subdomain_ok(name, 64) ? "Ansible reads it as one of its groups or as this machine"
						  : "lower-case letters, digits, '-' and '.', at most 64, each part "
						    "starting and ending with a letter or digit");
		rc = EXIT_DATA;
	} else if (!ip || !*ip) {
		errorx("<stdin>:%ld: vm '%s' has no address (ip): start it and wait for one (cloudctl-vm wait --ip)",
		       r->line, name);
		rc = EXIT_DATA;
	} else if (k8s_node_address(ip, h->ip, &why) < 0) {
		errorx("<stdin>:%ld: ip '%s': %s%s", r->line, k8s_show(&a, ip), why,
		       str_starts(why, "not") ? "" : ", not one the other nodes can reach");
		rc = EXIT_DATA;
	} else if (h->role && !is_control_role(h->role) && !in_list(h->role, worker_roles, ARRAY_SIZE(worker_roles))) {
		errorx("<stdin>:%ld: tag.role '%s': not a node role (control-plane, master, controlplane, worker, node)",
		       r->line, k8s_show(&a, h->role));
		rc = EXIT_DATA;
	}
	for (size_t j = 0; !rc && j < nseen; j++) {
		if (!strcmp(seen[j].name, name)) {
			errorx("<stdin>:%ld: vm '%s' appears twice (line %ld too): an inventory needs unique names", r->line,
			       name, seen[j].line);
			rc = EXIT_DATA;
		} else if (!strcmp(seen[j].ip, h->ip)) {
			errorx("<stdin>:%ld: vm '%s': address %s already belongs to vm '%s' (line %ld): every node needs "
			       "its own", r->line, name, h->ip, seen[j].name, seen[j].line);
			rc = EXIT_DATA;
		}
	}
	sb_release(&a);
	return rc;
}

/* Hosts from vm records; every one needs a name and an address. */
static int read_hosts(const struct recset *in, struct host **out, size_t *n)
{
	*out = xcalloc(in->n ? in->n : 1, sizeof **out);
	*n = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct record *r = &in->r[i];
		const char *kind = rec_get(r, "kind");
		if (kind && strcmp(kind, "vm") != 0)
			continue;
		const char *name = rec_get(r, "name");
		if (!name || !*name) {
			errorx("<stdin>:%ld: a vm record without a name", r->line);
			return EXIT_DATA;
		}
		struct host *h = &(*out)[*n];
		*h = (struct host){ .name = name, .role = rec_get(r, "tag.role"), .line = r->line };
		int rc = check_host(r, *out, *n, h);
		if (rc)
			return rc;
		(*n)++;
	}
	if (*n == 0) {
		errorx("inventory: no vm records on stdin (pipe in 'cloudctl-vm list')");
		return EXIT_DATA;
	}
	qsort(*out, *n, sizeof **out, by_name);
	return 0;
}

static size_t with_role(const struct host *h, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += h[i].role != NULL;
	return k;
}

/* The control plane: the roles' when the records give roles, else the first N. */
static int choose_control_plane(const struct inventory_options *o, struct host *h, size_t n, long long *cp)
{
	*cp = o->control_plane >= 0 ? o->control_plane : (n >= 6 ? 3 : 1);
	if (!with_role(h, n)) {
		if (*cp < 1 || (size_t)*cp > n) {
			errorx("inventory: --control-plane %lld: between 1 and the %zu hosts", *cp, n);
			return EXIT_USAGE;
		}
		for (size_t i = 0; i < (size_t)*cp; i++)
			h[i].control = 1;
		return 0;
	}
	long long roles = 0;
	for (size_t i = 0; i < n; i++)
		roles += h[i].control = is_control_role(h[i].role);
	if (!roles) {
		errorx("inventory: the records give roles (tag.role) but none is control-plane: a cluster needs one");
		return EXIT_DATA;
	}
	if (o->control_plane >= 0 && o->control_plane != roles) {
		errorx("inventory: --control-plane %lld: the records' roles make %lld control-plane nodes", o->control_plane,
		       roles);
		return EXIT_USAGE;
	}
	*cp = roles;
	return 0;
}

static int assign(const struct inventory_options *o, struct host *h, size_t n)
{
	/* Defaults: one control-plane node (and etcd member) up to five hosts,
	 * three from six on, where losing one node must not stop the cluster. */
	long long cp;
	int rc = choose_control_plane(o, h, n, &cp);
	if (rc)
		return rc;
	/* etcd: as many members as control-plane nodes, made odd */
	long long etcd = o->etcd >= 0 ? o->etcd : (cp % 2 ? cp : cp - 1);
	if (etcd % 2 == 0 || etcd < 1) {
		errorx("inventory: --etcd %lld: etcd needs an odd number of members (1, 3, 5...)", etcd);
		return EXIT_USAGE;
	}
	if ((size_t)etcd > n) {
		errorx("inventory: --etcd %lld: more than the %zu hosts", etcd, n);
		return EXIT_USAGE;
	}
	/* etcd on control-plane nodes first, then the others, by name */
	long long left = etcd;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n && left > 0; i++)
			if (!h[i].etcd && (pass || h[i].control)) {
				h[i].etcd = 1;
				left--;
			}
	/* Workers: the hosts that are not control plane; all of them when that
	 * leaves none (a one- or two-node cluster schedules on its control plane). */
	size_t workers = 0;
	for (size_t i = 0; i < n; i++)
		workers += h[i].node = !h[i].control;
	for (size_t i = 0; !workers && i < n; i++)
		h[i].node = 1;
	return 0;
}

/* ---- output ---- */

enum { G_CONTROL, G_NODE, G_ETCD, G_GROUPS };
static const char *const group_names[G_GROUPS] = { "kube_control_plane", "kube_node", "etcd" };

static int in_group(const struct host *h, int g)
{
	return g == G_CONTROL ? h->control : g == G_NODE ? h->node : h->etcd;
}

static json_t *hosts_map(const struct host *h, size_t n, int g)
{
	json_t *m = json_object();
	for (size_t i = 0; i < n; i++)
		if (in_group(&h[i], g))
			json_object_set_new(m, h[i].name, json_null());
	return m;
}

static json_t *with_hosts(json_t *hosts)
{
	json_t *o = json_object();
	json_object_set_new(o, "hosts", hosts);
	return o;
}

/* Each host's variables, by name: the address Ansible connects to and the ones
 * Kubespray gives the node (the same one: the VM has one address). */
static json_t *host_vars(const struct host *h, size_t n)
{
	json_t *hosts = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *vars = json_object();
		json_object_set_new(vars, "ansible_host", json_string(h[i].ip));
		json_object_set_new(vars, "ip", json_string(h[i].ip));
		json_object_set_new(vars, "access_ip", json_string(h[i].ip));
		json_object_set_new(hosts, h[i].name, vars);
	}
	return hosts;
}

static json_t *kubespray(const struct host *h, size_t n)
{
	json_t *all = json_object(), *hosts = host_vars(h, n), *children = json_object();
	for (int g = 0; g < G_GROUPS; g++)
		json_object_set_new(children, group_names[g], with_hosts(hosts_map(h, n, g)));
	json_t *k8s = json_object(), *kc = json_object();
	json_object_set_new(kc, "kube_control_plane", json_null());
	json_object_set_new(kc, "kube_node", json_null());
	json_object_set_new(k8s, "children", kc);
	json_object_set_new(children, "k8s_cluster", k8s);
	json_object_set_new(children, "calico_rr", with_hosts(json_object()));
	json_object_set_new(all, "hosts", hosts);
	json_object_set_new(all, "children", children);
	json_t *doc = json_object();
	json_object_set_new(doc, "all", all);
	return doc;
}

static void ini(struct strbuf *sb, const struct host *h, size_t n)
{
	sb_adds(sb, "[all]\n");
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s ansible_host=%s ip=%s access_ip=%s\n", h[i].name, h[i].ip, h[i].ip, h[i].ip);
	for (int g = 0; g < G_GROUPS; g++) {
		sb_addf(sb, "\n[%s]\n", group_names[g]);
		for (size_t i = 0; i < n; i++)
			if (in_group(&h[i], g))
				sb_addf(sb, "%s\n", h[i].name);
	}
	sb_adds(sb, "\n[calico_rr]\n\n[k8s_cluster:children]\nkube_control_plane\nkube_node\n");
}

/* Ansible's JSON inventory (what an inventory script prints for --list). */
static json_t *ansible_json(const struct host *h, size_t n)
{
	json_t *doc = json_object(), *hostvars = host_vars(h, n), *meta = json_object();
	json_object_set_new(meta, "hostvars", hostvars);
	json_object_set_new(doc, "_meta", meta);
	for (int g = 0; g < G_GROUPS; g++) {
		json_t *names = json_array();
		for (size_t i = 0; i < n; i++)
			if (in_group(&h[i], g))
				json_array_append_new(names, json_string(h[i].name));
		json_t *grp = json_object();
		json_object_set_new(grp, "hosts", names);
		json_object_set_new(doc, group_names[g], grp);
	}
	json_t *k8s = json_object(), *kc = json_array(), *all = json_object(), *ac = json_array();
	json_array_append_new(kc, json_string("kube_control_plane"));
	json_array_append_new(kc, json_string("kube_node"));
	json_object_set_new(k8s, "children", kc);
	json_object_set_new(doc, "k8s_cluster", k8s);
	json_object_set_new(doc, "calico_rr", with_hosts(json_array()));
	json_array_append_new(ac, json_string("k8s_cluster"));
	json_array_append_new(ac, json_string("etcd"));
	json_array_append_new(ac, json_string("calico_rr"));
	json_object_set_new(all, "children", ac);
	json_object_set_new(doc, "all", all);
	return doc;
}

/* -v: who is what, and the format written. */
static void say_groups(const struct host *h, size_t n, const char *format)
{
	size_t count[G_GROUPS] = { 0 };
	for (size_t i = 0; i < n; i++)
		for (int g = 0; g < G_GROUPS; g++)
			count[g] += in_group(&h[i], g) != 0;
	info("inventory: %zu host%s: %zu control-plane, %zu node, %zu etcd; writing %s", n, n == 1 ? "" : "s",
	     count[G_CONTROL], count[G_NODE], count[G_ETCD], format);
}

static void emit(const struct host *h, size_t n, const char *format, struct strbuf *out)
{
	if (!strcmp(format, "ini")) {
		ini(out, h, n);
		return;
	}
	json_t *doc = !strcmp(format, "json") ? ansible_json(h, n) : kubespray(h, n);
	if (!strcmp(format, "json")) {
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		sb_adds(out, s);
		sb_addc(out, '\n');
		free(s);
	} else {
		yaml_emit(out, doc);
	}
	json_decref(doc);
}

int cmd_inventory(int argc, char **argv)
{
	if (argc > 1 || (argc == 1 && strcmp(argv[0], "-") != 0)) {
		errorx("inventory: reads vm records on stdin; no operand but '-'");
		return EXIT_USAGE;
	}
	const struct inventory_options *o = &k8s_opts()->inventory;
	const char *format = o->format ? o->format : common.output; /* -o's default is kubespray */
	if (strcmp(format, "kubespray") && strcmp(format, "ini") && strcmp(format, "json")) {
		errorx("inventory: --format '%s': kubespray, ini or json", format);
		return EXIT_USAGE;
	}
	if (isatty(STDIN_FILENO)) {
		errorx("inventory: pipe vm records in, e.g. cloudctl-vm list --tag cluster=dev | cloudctl-k8s inventory");
		return EXIT_USAGE;
	}
	struct recset in = RECSET_INIT;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct host *hosts = NULL;
	size_t n = 0;
	int rc = rec_read_all(stdin, "<stdin>", &in, &err) < 0 ? EXIT_DATA : 0;
	if (rc)
		errorx("%s", err.buf);
	if (!rc) {
		info("inventory: read %zu record%s from <stdin>", in.n, in.n == 1 ? "" : "s");
		rc = read_hosts(&in, &hosts, &n);
	}
	if (!rc)
		rc = assign(o, hosts, n);
	if (!rc) {
		say_groups(hosts, n, format);
		emit(hosts, n, format, &out);
		fwrite(out.buf, 1, out.len, stdout);
	}
	free(hosts);
	recset_clear(&in);
	sb_release(&err);
	sb_release(&out);
	return rc;
}
