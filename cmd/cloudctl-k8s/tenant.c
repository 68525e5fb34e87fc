/* tenant.c: cloudctl-k8s tenant render NAME: the manifests of an isolated
 * development environment on a shared cluster: Namespace, ResourceQuota,
 * LimitRange, RoleBindings to the built-in admin/edit/view ClusterRoles, and
 * NetworkPolicies (default deny ingress, allow from the same namespace and from
 * named namespaces, DNS egress). Every argument is checked before anything is
 * printed; the same flags always give the same bytes. */
#include "k8s.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The containers' defaults (LimitRange) from --default-request and
 * --default-limit, split; NULL where not given. */
struct container_defaults {
	char *req_cpu, *req_mem, *lim_cpu, *lim_mem;
};

static int check_quantity(const char *opt, const char *v)
{
	if (!v || k8s_quantity_ok(v))
		return 0;
	errorx("tenant: --%s '%s': not a Kubernetes quantity (e.g. 8, 500m, 16Gi)", opt, v);
	return EXIT_USAGE;
}

/* Subjects that stand for everyone, signed in or not: a role bound to them is
 * the tenant's namespace opened to the whole cluster, or to the world. */
static const char *const everyone[] = { "system:anonymous", "system:unauthenticated", "system:authenticated" };

static int check_subjects(const char *opt, const struct strlist *l)
{
	struct strbuf shown = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < l->n && !rc; i++) {
		const char *s = l->v[i];
		const char *name = str_starts(s, "group:") ? s + 6 : str_starts(s, "user:") ? s + 5 : s;
		size_t n = strlen(name);
		int blank_end = n && (name[0] == ' ' || name[n - 1] == ' ');
		int control = 0;
		for (const unsigned char *p = (const unsigned char *)name; *p; p++)
			control |= *p < 0x20 || *p == 0x7f;
		if (!*name || blank_end || control) {
			errorx("tenant: --%s '%s': expected USER, user:USER or group:GROUP (no control characters, "
			       "no space at either end)", opt, k8s_show(&shown, s));
			rc = EXIT_USAGE;
		}
		for (size_t e = 0; !rc && e < ARRAY_SIZE(everyone); e++) {
			if (!strcmp(name, everyone[e])) {
				errorx("tenant: --%s '%s': that is everyone%s, not a tenant's user or group", opt, s,
				       e == 2 ? " signed in to the cluster" : ", signed in or not");
				rc = EXIT_USAGE;
			}
		}
	}
	sb_release(&shown);
	return rc;
}

/* Labels the API server would refuse, or that would take the namespace from the
 * tenant: its own label, and the one Kubernetes sets to the namespace's name. */
static int check_labels(const struct strlist *labels)
{
	for (size_t i = 0; i < labels->n; i++) {
		const char *eq = strchr(labels->v[i], '=');
		if (!eq || eq == labels->v[i]) {
			errorx("tenant: --label '%s': expected KEY=VALUE", labels->v[i]);
			return EXIT_USAGE;
		}
		char *key = xstrndup(labels->v[i], (size_t)(eq - labels->v[i]));
		const char *why = k8s_label_problem(key, eq + 1);
		if (!why && (!strcmp(key, TENANT_LABEL) || !strcmp(key, "kubernetes.io/metadata.name")))
			why = "that label is set by cloudctl-k8s or by Kubernetes";
		free(key);
		if (why) {
			struct strbuf shown = STRBUF_INIT;
			errorx("tenant: --label '%s': %s", k8s_show(&shown, labels->v[i]), why);
			sb_release(&shown);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* "cpu=100m,memory=128Mi", as kubectl set resources --requests takes it. */
static int split_resources(const char *opt, const char *arg, char **cpu, char **mem)
{
	if (!arg)
		return 0;
	char *copy = xstrdup(arg), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		char **dst = str_starts(tok, "cpu=") ? cpu : str_starts(tok, "memory=") ? mem : NULL;
		if (!dst) {
			errorx("tenant: --%s '%s': expected cpu=QUANTITY,memory=QUANTITY", opt, arg);
			rc = EXIT_USAGE;
			break;
		}
		free(*dst);
		*dst = xstrdup(strchr(tok, '=') + 1);
	}
	free(copy);
	return rc;
}

/* What the API server refuses (a default request above the default limit: 422,
 * after the namespace and quota were made) and what would leave every
 * container without resources of its own unable to start (a default above
 * the quota). */
static int check_default(const char *what, const char *req, const char *lim, const char *quota, const char *qopt)
{
	if (k8s_quantity_more(req, lim)) {
		errorx("tenant: --default-request %s=%s is more than --default-limit %s=%s: the API server refuses it", what,
		       req, what, lim);
		return EXIT_USAGE;
	}
	if (k8s_quantity_more(lim, quota)) {
		errorx("tenant: --default-limit %s=%s is more than the quota --%s %s: no container without limits of its "
		       "own could start", what, lim, qopt, quota);
		return EXIT_USAGE;
	}
	return 0;
}

static int check_defaults(const struct tenant_options *o, const struct container_defaults *d)
{
	int rc = check_default("cpu", d->req_cpu ? d->req_cpu : "100m", d->lim_cpu ? d->lim_cpu : "500m", o->cpu, "cpu");
	return rc ? rc
		  : check_default("memory", d->req_mem ? d->req_mem : "128Mi", d->lim_mem ? d->lim_mem : "512Mi", o->memory,
				  "memory");
}

static int split_defaults(const struct tenant_options *o, struct container_defaults *d)
{
	int rc = split_resources("default-request", o->default_request, &d->req_cpu, &d->req_mem);
	return rc ? rc : split_resources("default-limit", o->default_limit, &d->lim_cpu, &d->lim_mem);
}

static void container_defaults_clear(struct container_defaults *d)
{
	free(d->req_cpu);
	free(d->req_mem);
	free(d->lim_cpu);
	free(d->lim_mem);
}

/* A tenant's namespace name: an RFC 1123 label, and not one of Kubernetes' own
 * (default, kube-*: "reserved for Kubernetes system namespaces"), where the
 * tenant's default-deny policies would cut the cluster's DNS and controllers off. */
int k8s_tenant_name_ok(const char *what, const char *name)
{
	struct strbuf shown = STRBUF_INIT;
	int rc = 0;
	if (!k8s_name_ok(name)) {
		errorx("%s: '%s' is not a valid namespace name (RFC 1123: lower-case letters, digits and '-', "
		       "at most 63, starting and ending with a letter or digit)", what, k8s_show(&shown, name));
		rc = EXIT_USAGE;
	} else if (!strcmp(name, "default") || str_starts(name, "kube-")) {
		errorx("%s: '%s' is a namespace of Kubernetes itself (default, kube-*), not one for a tenant", what, name);
		rc = EXIT_USAGE;
	}
	sb_release(&shown);
	return rc;
}

static int check_tenant_args(const struct tenant_options *o, const struct container_defaults *d, const char *name)
{
	int rc = k8s_tenant_name_ok("tenant", name);
	if (rc)
		return rc;
	for (size_t i = 0; i < o->from_ns.n; i++) {
		if (!k8s_name_ok(o->from_ns.v[i])) {
			errorx("tenant: --allow-from-namespace '%s': not a valid namespace name", o->from_ns.v[i]);
			return EXIT_USAGE;
		}
	}
	long long pods;
	if (o->pods && parse_ll(o->pods, 0, 1000000000, &pods) < 0) {
		errorx("tenant: --pods '%s': a whole number", o->pods);
		return EXIT_USAGE;
	}
	rc = check_quantity("cpu", o->cpu);
	rc = rc ? rc : check_quantity("memory", o->memory);
	rc = rc ? rc : check_quantity("storage", o->storage);
	rc = rc ? rc : check_quantity("default-request", d->req_cpu);
	rc = rc ? rc : check_quantity("default-request", d->req_mem);
	rc = rc ? rc : check_quantity("default-limit", d->lim_cpu);
	rc = rc ? rc : check_quantity("default-limit", d->lim_mem);
	rc = rc ? rc : check_subjects("admin", &o->admin);
	rc = rc ? rc : check_subjects("edit", &o->edit);
	rc = rc ? rc : check_subjects("view", &o->view);
	rc = rc ? rc : check_labels(&o->labels);
	return rc ? rc : check_defaults(o, d);
}

/* ---- objects ---- */

static json_t *meta(const char *name, const char *ns, const char *tenant)
{
	json_t *m = json_object();
	json_object_set_new(m, "name", json_string(name));
	if (ns)
		json_object_set_new(m, "namespace", json_string(ns));
	json_t *labels = json_object();
	json_object_set_new(labels, TENANT_LABEL, json_string(tenant));
	json_object_set_new(m, "labels", labels);
	return m;
}

static json_t *object(const char *api, const char *kind, json_t *metadata)
{
	json_t *o = json_object();
	json_object_set_new(o, "apiVersion", json_string(api));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "metadata", metadata);
	return o;
}

static json_t *namespace(const struct tenant_options *o, const char *name)
{
	json_t *m = meta(name, NULL, name);
	json_t *labels = json_object_get(m, "labels");
	for (size_t i = 0; i < o->labels.n; i++) {
		const char *eq = strchr(o->labels.v[i], '=');
		char *k = xstrndup(o->labels.v[i], (size_t)(eq - o->labels.v[i]));
		json_object_set_new(labels, k, json_string(eq + 1));
		free(k);
	}
	return object("v1", "Namespace", m);
}

/* --cpu and --memory bound the namespace's requests and its limits alike. */
static void set_requests_and_limits(json_t *hard, const char *resource, const char *qty)
{
	static const char *const bounds[] = { "requests", "limits" };
	for (size_t i = 0; i < ARRAY_SIZE(bounds); i++) {
		char *key = xasprintf("%s.%s", bounds[i], resource);
		json_object_set_new(hard, key, json_string(qty));
		free(key);
	}
}

static json_t *quota(const struct tenant_options *o, const char *name)
{
	char *qname = xasprintf("%s-quota", name);
	json_t *q = object("v1", "ResourceQuota", meta(qname, name, name));
	json_t *hard = json_object();
	set_requests_and_limits(hard, "cpu", o->cpu);
	set_requests_and_limits(hard, "memory", o->memory);
	if (o->pods)
		json_object_set_new(hard, "pods", json_string(o->pods));
	if (o->storage)
		json_object_set_new(hard, "requests.storage", json_string(o->storage));
	json_t *spec = json_object();
	json_object_set_new(spec, "hard", hard);
	json_object_set_new(q, "spec", spec);
	free(qname);
	return q;
}

static json_t *resources(const char *cpu, const char *mem)
{
	json_t *r = json_object();
	json_object_set_new(r, "cpu", json_string(cpu));
	json_object_set_new(r, "memory", json_string(mem));
	return r;
}

/* With a quota on requests and limits, a pod without them is refused; the
 * LimitRange gives every container defaults so plain manifests still run. */
static json_t *limit_range(const struct container_defaults *d, const char *name)
{
	char *lname = xasprintf("%s-limits", name);
	json_t *o = object("v1", "LimitRange", meta(lname, name, name));
	json_t *item = json_object();
	json_object_set_new(item, "type", json_string("Container"));
	json_object_set_new(item, "default", resources(d->lim_cpu ? d->lim_cpu : "500m", d->lim_mem ? d->lim_mem : "512Mi"));
	json_object_set_new(item, "defaultRequest",
			    resources(d->req_cpu ? d->req_cpu : "100m", d->req_mem ? d->req_mem : "128Mi"));
	json_t *limits = json_array();
	json_array_append_new(limits, item);
	json_t *spec = json_object();
	json_object_set_new(spec, "limits", limits);
	json_object_set_new(o, "spec", spec);
	free(lname);
	return o;
}

static json_t *subject(const char *s)
{
	int group = str_starts(s, "group:");
	const char *name = group ? s + 6 : str_starts(s, "user:") ? s + 5 : s;
	json_t *o = json_object();
	json_object_set_new(o, "apiGroup", json_string("rbac.authorization.k8s.io"));
	json_object_set_new(o, "kind", json_string(group ? "Group" : "User"));
	json_object_set_new(o, "name", json_string(name));
	return o;
}

static json_t *role_binding(const char *name, const char *role, const struct strlist *who)
{
	char *bname = xasprintf("%s-%s", name, role);
	json_t *o = object("rbac.authorization.k8s.io/v1", "RoleBinding", meta(bname, name, name));
	json_t *ref = json_object();
	json_object_set_new(ref, "apiGroup", json_string("rbac.authorization.k8s.io"));
	json_object_set_new(ref, "kind", json_string("ClusterRole"));
	json_object_set_new(ref, "name", json_string(role));
	json_object_set_new(o, "roleRef", ref);
	json_t *subjects = json_array();
	for (size_t i = 0; i < who->n; i++)
		json_array_append_new(subjects, subject(who->v[i]));
	json_object_set_new(o, "subjects", subjects);
	free(bname);
	return o;
}

static json_t *policy(const char *name, const char *pname, const char *type, json_t *rules)
{
	json_t *o = object("networking.k8s.io/v1", "NetworkPolicy", meta(pname, name, name));
	json_t *spec = json_object(), *types = json_array();
	json_object_set_new(spec, "podSelector", json_object());
	json_array_append_new(types, json_string(type));
	json_object_set_new(spec, "policyTypes", types);
	if (rules)
		json_object_set_new(spec, strcmp(type, "Ingress") == 0 ? "ingress" : "egress", rules);
	json_object_set_new(o, "spec", spec);
	return o;
}

/* [{from|to: [peer]}] */
static json_t *rule(const char *dir, json_t *peer, json_t *ports)
{
	json_t *r = json_object(), *peers = json_array();
	json_array_append_new(peers, peer);
	json_object_set_new(r, dir, peers);
	if (ports)
		json_object_set_new(r, "ports", ports);
	json_t *rules = json_array();
	json_array_append_new(rules, r);
	return rules;
}

static json_t *namespace_peer(const char *ns)
{
	json_t *labels = json_object(), *sel = json_object(), *peer = json_object();
	json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(ns));
	json_object_set_new(sel, "matchLabels", labels);
	json_object_set_new(peer, "namespaceSelector", sel);
	return peer;
}

static json_t *dns_ports(void)
{
	json_t *ports = json_array();
	static const char *const protocols[] = { "UDP", "TCP" };
	for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
		json_t *p = json_object();
		json_object_set_new(p, "protocol", json_string(protocols[i]));
		json_object_set_new(p, "port", json_integer(53));
		json_array_append_new(ports, p);
	}
	return ports;
}

static void add_policies(const struct tenant_options *o, json_t *list, const char *name)
{
	json_array_append_new(list, policy(name, "default-deny-ingress", "Ingress", NULL));
	json_t *same = json_object();
	json_object_set_new(same, "podSelector", json_object());
	json_array_append_new(list, policy(name, "allow-same-namespace", "Ingress", rule("from", same, NULL)));
	for (size_t i = 0; i < o->from_ns.n; i++) {
		char *pname = xasprintf("allow-from-%s", o->from_ns.v[i]);
		json_array_append_new(list, policy(name, pname, "Ingress", rule("from", namespace_peer(o->from_ns.v[i]), NULL)));
		free(pname);
	}
	if (o->open_egress)
		return;
	/* A policy that selects pods for Egress denies every other egress: so
	 * besides DNS (kube-system, port 53) the namespace's own pods are allowed,
	 * or the ingress allowed above could never be sent. */
	json_t *rules = rule("to", namespace_peer("kube-system"), dns_ports());
	json_t *same_ns = json_object(), *peers = json_array(), *r = json_object();
	json_object_set_new(same_ns, "podSelector", json_object());
	json_array_append_new(peers, same_ns);
	json_object_set_new(r, "to", peers);
	json_array_append_new(rules, r);
	json_array_append_new(list, policy(name, "allow-dns-egress", "Egress", rules));
}

json_t *tenant_objects(const char *name)
{
	const struct tenant_options *o = &k8s_opts()->tenant;
	struct container_defaults d = { 0 };
	split_defaults(o, &d); /* checked by cmd_tenant: it cannot fail here */
	json_t *list = json_array();
	json_array_append_new(list, namespace(o, name));
	json_array_append_new(list, quota(o, name));
	json_array_append_new(list, limit_range(&d, name));
	static const char *const roles[] = { "admin", "edit", "view" };
	const struct strlist *who[] = { &o->admin, &o->edit, &o->view };
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
		if (who[i]->n)
			json_array_append_new(list, role_binding(name, roles[i], who[i]));
	add_policies(o, list, name);
	container_defaults_clear(&d);
	return list;
}

static int render(const char *name)
{
	json_t *objs = tenant_objects(name);
	struct strbuf out = STRBUF_INIT;
	info("tenant render: %zu objects of tenant %s, as %s", json_array_size(objs), name,
	     strcmp(common.output, "json") == 0 ? "a JSON List" : "YAML documents");
	if (strcmp(common.output, "json") == 0) {
		json_t *l = json_object();
		json_object_set_new(l, "apiVersion", json_string("v1"));
		json_object_set_new(l, "kind", json_string("List"));
		json_object_set_new(l, "items", json_incref(objs));
		char *s = json_dumps(l, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		sb_adds(&out, s);
		sb_addc(&out, '\n');
		free(s);
		json_decref(l);
	} else {
		size_t n = json_array_size(objs);
		json_t **docs = xcalloc(n, sizeof *docs);
		for (size_t i = 0; i < n; i++)
			docs[i] = json_array_get(objs, i);
		yaml_emit_stream(&out, docs, n);
		free(docs);
	}
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	json_decref(objs);
	return 0;
}

int cmd_tenant(int argc, char **argv)
{
	static const char usage[] = "tenant: usage: tenant render|apply|delete NAME, or tenant list";
	if (argc < 1) {
		errorx("%s", usage);
		return EXIT_USAGE;
	}
	const char *action = argv[0];
	int list = !strcmp(action, "list");
	if (!list && strcmp(action, "render") && strcmp(action, "apply") && strcmp(action, "delete")) {
		errorx("tenant: unknown action '%s' (render, apply, delete, list)", action);
		return EXIT_USAGE;
	}
	if (argc != (list ? 1 : 2)) {
		errorx("%s", usage);
		return EXIT_USAGE;
	}
	if (!strcmp(action, "render") && common.output_set && strcmp(common.output, "yaml") && strcmp(common.output, "json")) {
		errorx("tenant render: -o %s: manifests are yaml or json", common.output);
		return EXIT_USAGE;
	}
	if (!strcmp(action, "render") && common.columns) { /* render's yaml and json are documents; apply's records */
		errorx("-c: -o %s writes a document, not records: it has no columns", common.output);
		return EXIT_USAGE;
	}
	if (list)
		return plugin_run(K8S_API_PLUGIN, "tenant_api", argc, argv);
	if (!strcmp(action, "delete")) {
		int rc = k8s_tenant_name_ok("tenant delete", argv[1]);
		return rc ? rc : plugin_run(K8S_API_PLUGIN, "tenant_api", argc, argv);
	}
	const struct tenant_options *o = &k8s_opts()->tenant;
	struct container_defaults d = { 0 };
	int rc = split_defaults(o, &d);
	rc = rc ? rc : check_tenant_args(o, &d, argv[1]);
	container_defaults_clear(&d);
	if (!rc)
		rc = !strcmp(action, "apply") ? plugin_run(K8S_API_PLUGIN, "tenant_api", argc, argv) : render(argv[1]);
	return rc;
}
