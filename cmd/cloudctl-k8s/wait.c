/* wait.c: cloudctl-k8s wait KIND/NAME --for condition=C[=V]|delete, and rollout
 * status deployment/NAME. Both read the object, then watch it from that
 * resourceVersion (lib/kube/watch.c), so no change is missed between the two. */
#include "k8s.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct target {
	char *kind, *name, *ns;
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

static int decide_wait(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	struct cond *c = arg;
	if (!c->type)
		return obj ? KUBE_WAIT_MORE : 0;
	if (!obj)
		return sb_fail(err, EXIT_NOTFOUND, "%s %s", c->what, strcmp(type, "ADDED") ? "was deleted" : "not found");
	const json_t *cd = condition(obj, c->type);
	const char *st = cd ? str_at(cd, "status", NULL) : NULL;
	return st && !strcasecmp(st, c->want) && !stale(obj) ? 0 : KUBE_WAIT_MORE;
}

/* kubectl's rollout status for a Deployment, line for line. */
static int decide_rollout(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	struct cond *c = arg;
	if (!obj)
		return sb_fail(err, EXIT_NOTFOUND, "%s %s", c->what, strcmp(type, "ADDED") ? "was deleted" : "not found");
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
	*out = xcalloc(in.n ? in.n : 1, sizeof **out);
	for (size_t i = 0; !rc && i < in.n; i++, (*n)++) {
		const struct record *r = &in.r[i];
		if (!rec_get(r, "kind") || !rec_get(r, "name")) {
			errorx("<stdin>:%ld: a record needs kind and name", r->line);
			rc = EXIT_DATA;
			break;
		}
		(*out)[i] = (struct target){ xstrdup(rec_get(r, "kind")), xstrdup(rec_get(r, "name")),
					     rec_get(r, "namespace") ? xstrdup(rec_get(r, "namespace")) : NULL };
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

/* Wait on one target; its record on success. */
static int wait_one(struct kube_client *kc, const struct target *t, struct cond *c, kube_decide_fn decide,
		    long long deadline, struct rec_writer *w)
{
	struct strbuf err = STRBUF_INIT;
	const struct kube_resource *res;
	const char *ns = t->ns ? t->ns : k8s_namespace(kc);
	char *what = xasprintf("%s/%s", t->kind, t->name);
	c->what = what;
	c->last[0] = '\0';
	int rc = kube_resource_lookup(kc, t->kind, &res, &err);
	if (!rc && decide == decide_rollout && strcmp(res->kind, "Deployment") != 0)
		rc = sb_fail(&err, EXIT_USAGE, "rollout status: only deployments (not %s)", res->kind);
	if (!rc)
		rc = kube_wait_object(kc, res, ns, t->name, decide, c, deadline, &err);
	if (rc == EXIT_TEMPFAIL)
		errorx("%s: timed out after %s waiting for %s", what, k_timeout ? k_timeout : "the default time",
		       decide == decide_rollout ? "the rollout" : c->type ? c->type : "its deletion");
	else if (rc)
		errorx("%s: %s", what, err.buf);
	if (!rc) {
		struct record r = { 0 };
		char *kind = xstrdup(res->singular);
		rec_set(&r, "kind", kind);
		rec_set(&r, "name", t->name);
		rec_set(&r, "namespace", res->namespaced ? ns : NULL);
		if (decide == decide_rollout)
			rec_set(&r, "rollout", "complete");
		else
			rec_set(&r, "for", w_for);
		rec_write(w, &r);
		rec_clear(&r);
		free(kind);
	}
	free(what);
	sb_release(&err);
	return rc;
}

static int wait_all(struct target *t, size_t n, struct cond *c, kube_decide_fn decide, long long default_ms)
{
	long long deadline = k8s_deadline(default_ms);
	if (deadline < 0) {
		errorx("--timeout '%s': not a duration (e.g. 30s, 5m)", k_timeout);
		return EXIT_USAGE;
	}
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	struct rec_writer *w = k8s_writer("kind,name,namespace");
	for (size_t i = 0; !rc && i < n; i++)
		rc = wait_one(&kc, &t[i], c, decide, deadline, w);
	rc = k8s_finish(w, rc);
	kube_client_close(&kc);
	return rc;
}

static int parse_for(struct cond *c)
{
	if (!w_for) {
		errorx("wait: say what to wait for: --for condition=NAME[=VALUE] or --for delete");
		return EXIT_USAGE;
	}
	if (!strcmp(w_for, "delete"))
		return 0;
	const char *p = w_for + strlen("condition=");
	if (!str_starts(w_for, "condition=") || !*p || *p == '=') {
		errorx("wait: --for '%s': expected condition=NAME[=VALUE] or delete", w_for);
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
