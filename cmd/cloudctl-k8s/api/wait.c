/* wait.c: cloudctl-k8s wait KIND/NAME --for condition=C[=V]|delete, and rollout
 * status deployment/NAME. Both read the object, then watch it from that
 * resourceVersion (lib/kube/watch.c), so no change is missed between the two. */
#include "../k8s.h"
#include "http.h"
#include "interrupt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct target {
	char *kind, *name, *ns;
	long line; /* of its record on stdin; 0 for an operand */
	const struct kube_resource *res;
};

struct cond {
	const char *type;  /* NULL: wait for deletion */
	char *want;        /* "True" unless given */
	const char *what;  /* "deployment/web", for messages */
	char last[256];    /* rollout: the last progress line shown */
};

static const char *str_at(const json_t *obj, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(obj, k1);
	return json_string_value(k2 ? json_object_get(v, k2) : v);
}

static long long int_at(const json_t *obj, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(obj, k1);
	return json_integer_value(k2 ? json_object_get(v, k2) : v);
}

/* The controller has not looked at the latest spec yet: its conditions are old. */
static int stale(const json_t *obj)
{
	const json_t *og = json_object_get(json_object_get(obj, "status"), "observedGeneration");
	return og && json_integer_value(og) < int_at(obj, "metadata", "generation");
}

static const json_t *condition(const json_t *obj, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c) {
		const char *t = str_at(c, "type", NULL);
		if (t && !strcasecmp(t, type))
			return c;
	}
	return NULL;
}

/* An object that is not there: it never was (as first read), or was deleted. */
static int absent(const char *type, const struct cond *c, struct strbuf *err)
{
	if (!strcmp(type, "ADDED"))
		return sb_fail(err, EXIT_NOTFOUND, "does not exist");
	return sb_fail(err, EXIT_NOTFOUND, "was deleted while waiting for %s", c->type ? c->type : "its rollout");
}

static int decide_wait(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	struct cond *c = arg;
	if (!c->type)
		return obj ? KUBE_WAIT_MORE : 0;
	if (!obj)
		return absent(type, c, err);
	const json_t *cd = condition(obj, c->type);
	const char *st = cd ? str_at(cd, "status", NULL) : NULL;
	return st && !strcasecmp(st, c->want) && !stale(obj) ? 0 : KUBE_WAIT_MORE;
}

/* kubectl's rollout status for a Deployment, line for line. */
static int decide_rollout(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	struct cond *c = arg;
	if (!obj)
		return absent(type, c, err);
	const char *name = str_at(obj, "metadata", "name");
	char line[256];
	const json_t *st = json_object_get(obj, "status"), *want = json_object_get(json_object_get(obj, "spec"), "replicas");
	long long replicas = want ? json_integer_value(want) : 1;
	long long updated = int_at(st, "updatedReplicas", NULL), total = int_at(st, "replicas", NULL);
	long long available = int_at(st, "availableReplicas", NULL);
	const json_t *prog = condition(obj, "Progressing");
	if (!json_object_get(st, "observedGeneration") || stale(obj))
		snprintf(line, sizeof line, "waiting for deployment spec update to be observed");
	else if (prog && str_at(prog, "reason", NULL) && !strcmp(str_at(prog, "reason", NULL), "ProgressDeadlineExceeded"))
		return sb_fail(err, EXIT_FAIL, "deployment \"%s\" exceeded its progress deadline", name);
	else if (updated < replicas)
		snprintf(line, sizeof line, "waiting for deployment \"%s\" rollout to finish: %lld out of %lld new replicas have been updated",
			 name, updated, replicas);
	else if (total > updated)
		snprintf(line, sizeof line, "waiting for deployment \"%s\" rollout to finish: %lld old replicas are pending termination",
			 name, total - updated);
	else if (available < updated)
		snprintf(line, sizeof line, "waiting for deployment \"%s\" rollout to finish: %lld of %lld updated replicas are available",
			 name, available, updated);
	else
		return 0;
	if (strcmp(line, c->last) != 0) {
		log_msg(LOG_WARN, "%s", line);
		snprintf(c->last, sizeof c->last, "%s", line);
	}
	return KUBE_WAIT_MORE;
}

/* The status conditions of the kinds whose set is known (the Kubernetes API
 * reference; their controllers set no others): an empty list for kinds with no
 * status conditions at all. Kinds not listed (Pod, with its readiness gates,
 * Node, Service, StatefulSet, DaemonSet, custom resources...) may have any. */
static const char *const no_conditions[] = { NULL };
static const char *const deployment_conditions[] = { "Available", "Progressing", "ReplicaFailure", NULL };
static const char *const replica_conditions[] = { "ReplicaFailure", NULL };
static const char *const job_conditions[] = { "Complete", "Failed", "Suspended", "FailureTarget",
					      "SuccessCriteriaMet", NULL };
static const char *const hpa_conditions[] = { "AbleToScale", "ScalingActive", "ScalingLimited", NULL };
static const char *const pdb_conditions[] = { "DisruptionAllowed", NULL };
static const char *const namespace_conditions[] = { "NamespaceDeletionDiscoveryFailure",
						    "NamespaceDeletionContentFailure",
						    "NamespaceDeletionGroupVersionParsingFailure",
						    "NamespaceContentRemaining", "NamespaceFinalizersRemaining", NULL };
static const char *const crd_conditions[] = { "Established", "NamesAccepted", "NonStructuralSchema", "Terminating",
					      "KubernetesAPIApprovalPolicyConformant", NULL };
static const char *const csr_conditions[] = { "Approved", "Denied", "Failed", NULL };
static const char *const apiservice_conditions[] = { "Available", NULL };

static const struct {
	const char *group, *kind;
	const char *const *types;
} kind_conditions[] = {
	{ "", "ConfigMap", no_conditions },
	{ "", "Secret", no_conditions },
	{ "", "ServiceAccount", no_conditions },
	{ "", "Endpoints", no_conditions },
	{ "", "LimitRange", no_conditions },
	{ "", "ResourceQuota", no_conditions },
	{ "", "Event", no_conditions },
	{ "", "PodTemplate", no_conditions },
	{ "", "PersistentVolume", no_conditions },
	{ "", "Namespace", namespace_conditions },
	{ "", "ReplicationController", replica_conditions },
	{ "apps", "Deployment", deployment_conditions },
	{ "apps", "ReplicaSet", replica_conditions },
	{ "apps", "ControllerRevision", no_conditions },
	{ "batch", "Job", job_conditions },
	{ "batch", "CronJob", no_conditions },
	{ "autoscaling", "HorizontalPodAutoscaler", hpa_conditions },
	{ "policy", "PodDisruptionBudget", pdb_conditions },
	{ "networking.k8s.io", "NetworkPolicy", no_conditions },
	{ "networking.k8s.io", "Ingress", no_conditions },
	{ "networking.k8s.io", "IngressClass", no_conditions },
	{ "rbac.authorization.k8s.io", "Role", no_conditions },
	{ "rbac.authorization.k8s.io", "RoleBinding", no_conditions },
	{ "rbac.authorization.k8s.io", "ClusterRole", no_conditions },
	{ "rbac.authorization.k8s.io", "ClusterRoleBinding", no_conditions },
	{ "storage.k8s.io", "StorageClass", no_conditions },
	{ "scheduling.k8s.io", "PriorityClass", no_conditions },
	{ "coordination.k8s.io", "Lease", no_conditions },
	{ "discovery.k8s.io", "EndpointSlice", no_conditions },
	{ "apiextensions.k8s.io", "CustomResourceDefinition", crd_conditions },
	{ "apiregistration.k8s.io", "APIService", apiservice_conditions },
	{ "certificates.k8s.io", "CertificateSigningRequest", csr_conditions },
};

/* 0 when the kind may have the condition, else 65 and why. */
static int condition_known(const struct kube_resource *res, const char *type, struct strbuf *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_conditions); i++) {
		const char *const *t = kind_conditions[i].types;
		if (strcmp(kind_conditions[i].group, res->group) || strcmp(kind_conditions[i].kind, res->kind))
			continue;
		if (!*t)
			return sb_fail(err, EXIT_DATA, "a %s has no status conditions: nothing to wait for (--for delete waits "
				       "for its deletion)", res->kind);
		struct strbuf names = STRBUF_INIT;
		for (; *t; t++) {
			if (!strcasecmp(*t, type)) {
				sb_release(&names);
				return 0;
			}
			sb_addf(&names, "%s%s", names.len ? ", " : "", *t);
		}
		int rc = sb_fail(err, EXIT_DATA, "a %s has no condition %s (its conditions: %s)", res->kind, type, names.buf);
		sb_release(&names);
		return rc;
	}
	return 0;
}

static int parse_target(const char *arg, struct target *t)
{
	const char *slash = strchr(arg, '/');
	if (!slash || slash == arg || !slash[1] || strchr(slash + 1, '/')) {
		errorx("'%s': name the object as KIND/NAME, e.g. deployment/web", arg);
		return EXIT_USAGE;
	}
	t->kind = xstrndup(arg, (size_t)(slash - arg));
	t->name = xstrdup(slash + 1);
	return 0;
}

/* KIND/NAME operands, or records (kind, name, namespace) on stdin: what apply printed. */
static int read_targets(int argc, char **argv, struct target **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (argc > 0 && strcmp(argv[0], "-") != 0) {
		*out = xcalloc((size_t)argc, sizeof **out);
		for (int i = 0; i < argc; i++, (*n)++)
			if (parse_target(argv[i], &(*out)[i]))
				return EXIT_USAGE;
		return 0;
	}
	if (isatty(STDIN_FILENO)) {
		errorx("name the object as KIND/NAME, or pipe its records in");
		return EXIT_USAGE;
	}
	struct recset in = { 0 };
	struct strbuf err = STRBUF_INIT;
	int rc = 0;
	if (rec_read_all(stdin, "<stdin>", &in, &err) < 0) {
		errorx("%s", err.buf);
		rc = EXIT_DATA;
	}
	if (!rc && in.n == 0) {
		errorx("no records on stdin: nothing to wait for (did the command before the pipe fail?)");
		rc = EXIT_DATA;
	}
	*out = xcalloc(in.n ? in.n : 1, sizeof **out);
	for (size_t i = 0; !rc && i < in.n; i++, (*n)++) {
		const struct record *r = &in.r[i];
		if (!rec_get(r, "kind") || !rec_get(r, "name")) {
			errorx("<stdin>:%ld: a record needs kind and name", r->line);
			rc = EXIT_DATA;
			break;
		}
		(*out)[i] = (struct target){ xstrdup(rec_get(r, "kind")), xstrdup(rec_get(r, "name")),
					     rec_get(r, "namespace") ? xstrdup(rec_get(r, "namespace")) : NULL, r->line,
					     NULL };
	}
	recset_clear(&in);
	sb_release(&err);
	return rc;
}

static void free_targets(struct target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].kind);
		free(t[i].name);
		free(t[i].ns);
	}
	free(t);
}

/* "<stdin>:3: deployment/web" or "deployment/web": how messages name a target. */
static char *target_name(const struct target *t)
{
	return t->line ? xasprintf("<stdin>:%ld: %s/%s", t->line, t->kind, t->name) : xasprintf("%s/%s", t->kind, t->name);
}

/* Before waiting on any: every kind known to the server, and the condition one
 * it can have. */
static int check_target(struct kube_client *kc, struct target *t, const struct cond *c, kube_decide_fn decide)
{
	struct strbuf err = STRBUF_INIT;
	int rc = kube_resource_lookup(kc, t->kind, &t->res, &err);
	if (!rc && decide == decide_rollout && strcmp(t->res->kind, "Deployment") != 0)
		rc = sb_fail(&err, EXIT_USAGE, "rollout status: only deployments (not %s)", t->res->kind);
	if (!rc && decide != decide_rollout && c->type)
		rc = condition_known(t->res, c->type, &err);
	if (rc) {
		char *what = target_name(t);
		errorx("%s: %s", what, err.buf);
		free(what);
	}
	sb_release(&err);
	return rc;
}

/* -v: what is waited for, where, and how long at most. */
static void say_waiting(const char *what, const char *ns, const struct cond *c, int rollout, long long deadline)
{
	char *goal = rollout ? xstrdup("its rollout") : c->type ? xasprintf("condition %s=%s", c->type, c->want)
							     : xstrdup("its deletion");
	long long left_ms = deadline - kube_now_ms();
	info("%s: waiting for %s%s%s (at most %lld s)", what, goal, ns ? " in namespace " : "", ns ? ns : "",
	     left_ms > 0 ? (left_ms + 999) / 1000 : 0);
	free(goal);
}

/* Wait on one target; its record on success. */
static int wait_one(struct kube_client *kc, const struct target *t, struct cond *c, kube_decide_fn decide,
		    long long deadline, struct rec_writer *w)
{
	struct strbuf err = STRBUF_INIT;
	const struct kube_resource *res = t->res;
	const char *ns = t->ns ? t->ns : k8s_namespace(kc);
	char *what = target_name(t);
	c->what = what;
	c->last[0] = '\0';
	say_waiting(what, res->namespaced ? ns : NULL, c, decide == decide_rollout, deadline);
	int rc = kube_wait_object(kc, res, ns, t->name, decide, c, deadline, &err);
	const char *timeout = k8s_opts()->global.timeout;
	if (rc && k8s_interrupted()) {
		errorx("%s: interrupted (%s) while waiting: the records say which waits were done", what,
		       k8s_interrupted());
		rc = K8S_EXIT_INTERRUPTED;
	} else if (rc == EXIT_TEMPFAIL)
		errorx("%s: timed out after %s waiting for %s", what, timeout ? timeout : "the default time",
		       decide == decide_rollout ? "the rollout" : c->type ? c->type : "its deletion");
	else if (rc == EXIT_NOTFOUND && res->namespaced)
		errorx("%s: %s (in namespace %s)", what, err.buf, ns);
	else if (rc)
		errorx("%s: %s", what, err.buf);
	if (!rc) {
		struct record r = { 0 };
		rec_set(&r, "kind", res->singular);
		rec_set(&r, "name", t->name);
		rec_set(&r, "namespace", res->namespaced ? ns : NULL);
		if (decide == decide_rollout)
			rec_set(&r, "rollout", "complete");
		else
			rec_set(&r, "for", k8s_opts()->wait.condition);
		rec_write(w, &r);
		rec_clear(&r);
	}
	free(what);
	sb_release(&err);
	return rc;
}

static int wait_all(struct target *t, size_t n, struct cond *c, kube_decide_fn decide, long long default_ms)
{
	long long deadline = k8s_deadline(default_ms);
	if (deadline < 0) {
		errorx("--timeout '%s': not a duration (e.g. 30s, 5m)", k8s_opts()->global.timeout);
		return EXIT_USAGE;
	}
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = check_target(&kc, &t[i], c, decide);
	struct rec_writer *w = rc ? NULL : k8s_writer("kind,name,namespace");
	if (!rc && !w)
		rc = EXIT_CONFIG;
	/* a wait makes nothing: a signal ends it at once, after the records of
	 * the waits already done (a kill would lose them in stdout's buffer) */
	k8s_catch_interrupts();
	http_client_stop_when(kc.http, interrupted);
	for (size_t i = 0; !rc && i < n; i++)
		rc = wait_one(&kc, &t[i], c, decide, deadline, w);
	rc = k8s_finish(w, rc);
	kube_client_close(&kc);
	return rc;
}

static int parse_for(struct cond *c)
{
	const char *for_what = k8s_opts()->wait.condition;
	if (!for_what) {
		errorx("wait: say what to wait for: --for condition=NAME[=VALUE] or --for delete");
		return EXIT_USAGE;
	}
	if (!strcmp(for_what, "delete"))
		return 0;
	const char *p = for_what + strlen("condition=");
	if (!str_starts(for_what, "condition=") || !*p || *p == '=') {
		errorx("wait: --for '%s': expected condition=NAME[=VALUE] or delete", for_what);
		return EXIT_USAGE;
	}
	const char *eq = strchr(p, '=');
	c->type = eq ? xstrndup(p, (size_t)(eq - p)) : xstrdup(p);
	c->want = xstrdup(eq ? eq + 1 : "True");
	return 0;
}

int cmd_wait(int argc, char **argv)
{
	struct cond c = { 0 };
	struct target *t = NULL;
	size_t n = 0;
	int rc = parse_for(&c);
	rc = rc ? rc : read_targets(argc, argv, &t, &n);
	rc = rc ? rc : wait_all(t, n, &c, decide_wait, 30000);
	free_targets(t, n);
	free((char *)c.type);
	free(c.want);
	return rc;
}

int cmd_rollout(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "status") != 0) {
		errorx("rollout: usage: rollout status deployment/NAME");
		return EXIT_USAGE;
	}
	struct cond c = { 0 };
	struct target *t = NULL;
	size_t n = 0;
	int rc = read_targets(argc - 1, argv + 1, &t, &n);
	rc = rc ? rc : wait_all(t, n, &c, decide_rollout, 300000);
	free_targets(t, n);
	return rc;
}
