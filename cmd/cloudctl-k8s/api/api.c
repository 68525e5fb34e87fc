/* api.c: what the verbs that talk to the API server share: the connection from
 * the kubeconfig, the record writer, and objects turned into records. */
#include "../k8s.h"
#include "interrupt.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SIGINT or SIGTERM, once caught (lib/interrupt): the verb finishes the request
 * in flight, reports what exists and exits 130. */
void k8s_catch_interrupts(void)
{
	interrupt_install();
}

const char *k8s_interrupted(void)
{
	int sig = interrupted();
	return sig == SIGINT ? "SIGINT" : sig ? "SIGTERM" : NULL;
}

/* The credential files made from a kubeconfig's *-data values (a client key):
 * removed by kube_client_close, and by a signal that ends the process first. */
static char secret_files[4][4096];

static void remove_secrets_and_die(int sig)
{
	for (int i = 0; i < 3; i++)
		if (secret_files[i][0])
			unlink(secret_files[i]);
	if (secret_files[3][0])
		rmdir(secret_files[3]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_secrets(const struct kube_target *t)
{
	static const char *const names[] = { "ca.crt", "client.crt", "client.key" };
	if (!t->tmpdir)
		return;
	for (int i = 0; i < 3; i++)
		snprintf(secret_files[i], sizeof secret_files[i], "%s/%s", t->tmpdir, names[i]);
	snprintf(secret_files[3], sizeof secret_files[3], "%s", t->tmpdir);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = remove_secrets_and_die;
	sigemptyset(&sa.sa_mask);
	for (int s = 0; s < 3; s++)
		sigaction((int[]){ SIGINT, SIGTERM, SIGHUP }[s], &sa, NULL);
}

int k8s_connect(struct kube_client *kc)
{
	struct strbuf err = STRBUF_INIT;
	const struct global_options *g = &k8s_opts()->global;
	int rc = kube_client_open(kc, g->kubeconfig, g->context, &err);
	if (rc)
		errorx("kubeconfig: %s", err.buf);
	else
		guard_secrets(&kc->target);
	if (!rc)
		info("connecting to %s (context %s, user %s)", kc->target.server, kc->target.context, kc->target.user);
	sb_release(&err);
	return rc;
}

const char *k8s_namespace(const struct kube_client *kc)
{
	const char *ns = k8s_opts()->global.namespace;
	return ns ? ns : kc->target.namespace;
}

/* Records in the format -o picked; verbs with a document format of their own
 * (tenant) take yaml as "not chosen". */
struct rec_writer *k8s_writer(const char *default_cols)
{
	int fmt = common.format;
	if (common.output[0]) {
		fmt = FMT_AUTO;
		if (common.output_set && strcmp(common.output, "yaml") != 0)
			fmt = rec_format_parse(common.output);
		struct strbuf err = STRBUF_INIT;
		fmt = rec_format_pick(fmt, stdout, &err);
		if (fmt < 0) {
			errorx("%s", err.buf);
			sb_release(&err);
			return NULL;
		}
	}
	return rec_writer_new(stdout, fmt, common.columns, default_cols);
}

int k8s_finish(struct rec_writer *w, int rc)
{
	if (w && rec_writer_finish(w) < 0 && !rc)
		rc = EXIT_IOERR;
	return rc;
}

static const char *str_at(const json_t *obj, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(obj, k1);
	return json_string_value(k2 ? json_object_get(v, k2) : v);
}

/* "Deployment" -> "deployment": the record's kind. */
static void set_kind(struct record *r, const char *kind)
{
	char *k = xstrdup(kind ? kind : "object");
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rec_set(r, "kind", k);
	free(k);
}

/* "requests.cpu" -> "quota.requests.cpu.used": record keys are [a-z0-9_.] */
static void set_quota(struct record *r, const char *key, const char *which, const char *val)
{
	char *k = xasprintf("quota.%s.%s", key, which);
	for (char *p = k; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.')
			*p = '_';
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rec_set(r, k, val);
	free(k);
}

static void add_quota_fields(struct record *r, const json_t *status)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(status, "hard"), key, v) {
		set_quota(r, key, "hard", json_string_value(v));
		const char *used = json_string_value(json_object_get(json_object_get(status, "used"), key));
		set_quota(r, key, "used", used ? used : "0");
	}
}

static void set_int(struct record *r, const char *key, const json_t *v)
{
	rec_setf(r, key, "%lld", (long long)json_integer_value(v));
}

/* What kubectl get shows for the kinds tenants and deploys are made of. */
static void add_summary(struct record *r, const char *kind, const json_t *obj)
{
	const json_t *spec = json_object_get(obj, "spec"), *st = json_object_get(obj, "status");
	if (!kind)
		return;
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "ReplicaSet")) {
		const json_t *want = json_object_get(spec, "replicas");
		rec_setf(r, "replicas", "%lld", want ? (long long)json_integer_value(want) : 1LL);
		set_int(r, "ready", json_object_get(st, "readyReplicas"));
		set_int(r, "updated", json_object_get(st, "updatedReplicas"));
		set_int(r, "available", json_object_get(st, "availableReplicas"));
	} else if (!strcmp(kind, "Namespace") || !strcmp(kind, "Pod")) {
		rec_set(r, "phase", str_at(st, "phase", NULL));
		if (!strcmp(kind, "Pod")) {
			rec_set(r, "node", str_at(spec, "nodeName", NULL));
			rec_set(r, "ip", str_at(st, "podIP", NULL));
		}
	} else if (!strcmp(kind, "ResourceQuota")) {
		add_quota_fields(r, st);
	} else if (!strcmp(kind, "Service")) {
		rec_set(r, "type", str_at(spec, "type", NULL));
		rec_set(r, "cluster_ip", str_at(spec, "clusterIP", NULL));
	}
}

void k8s_object_record(struct record *r, const json_t *obj, const char *kind)
{
	const json_t *m = json_object_get(obj, "metadata");
	if (!kind)
		kind = str_at(obj, "kind", NULL);
	set_kind(r, kind);
	rec_set(r, "name", str_at(m, "name", NULL));
	rec_set(r, "namespace", str_at(m, "namespace", NULL));
	rec_set(r, "api", str_at(obj, "apiVersion", NULL));
	add_summary(r, kind, obj);
	rec_set(r, "created", str_at(m, "creationTimestamp", NULL));
	rec_set(r, "rv", str_at(m, "resourceVersion", NULL));
}

long long k8s_deadline(long long default_ms)
{
	long long ms = default_ms;
	const char *timeout = k8s_opts()->global.timeout;
	if (timeout && parse_duration_ms(timeout, &ms) < 0)
		return -1;
	return kube_now_ms() + ms;
}
