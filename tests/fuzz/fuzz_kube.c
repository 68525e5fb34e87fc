/* fuzz_kube.c: what a Kubernetes API server answers (lib/kube): a Status object
 * read for the one-line error of a failed request, a watch (the object read,
 * then event lines {"type", "object"} cut as they arrive, ERROR events, a 410
 * that makes it read again and resume), then discovery (/api, /apis and the
 * group versions) to name a resource. Property: the watch hands decide an
 * object for every event but DELETED and a first read that found none. */
#include "fuzz.h"
#include "fuzz_http.h"
#include "kube/client.h"
#include "log.h"

#include <string.h>

static const char kubeconfig[] =
	"apiVersion: v1\n"
	"kind: Config\n"
	"current-context: fuzz\n"
	"clusters:\n"
	"- name: c\n"
	"  cluster: {server: \"https://kube.invalid:6443\"}\n"
	"users:\n"
	"- name: u\n"
	"  user: {token: fuzz-token}\n"
	"contexts:\n"
	"- name: fuzz\n"
	"  context: {cluster: c, user: u, namespace: default}\n";

/* Wait until the object is gone; anything else is one more event. */
static int until_deleted(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	int *events = arg;
	(void)err;
	(*events)++;
	FUZZ_ASSERT(obj || !strcmp(type, "DELETED") || (!strcmp(type, "ADDED") && *events == 1));
	return strcmp(type, "DELETED") ? KUBE_WAIT_MORE : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *path;
	if (!path) {
		log_level = LOG_QUIET;
		path = strdup(fuzz_file("kubeconfig", (const uint8_t *)kubeconfig, strlen(kubeconfig)));
	}
	struct kube_client kc;
	struct strbuf err = STRBUF_INIT;
	if (kube_client_open(&kc, path, NULL, &err) != 0)
		abort();
	fuzz_http_script(NULL, (const char *)data, size);
	json_t *obj = NULL;
	kube_request(&kc, "GET", "/api/v1/namespaces/default/configmaps/app", NULL, NULL, &obj, &err);
	json_decref(obj);
	sb_reset(&err);
	struct kube_resource deploy = { "apps", "v1", "deployments", "deployment", "Deployment", 1, 1, STRLIST_INIT };
	int events = 0;
	kube_wait_object(&kc, &deploy, "default", "web", until_deleted, &events, kube_now_ms() + 60000, &err);
	sb_reset(&err);
	const struct kube_resource *r;
	kube_resource_lookup(&kc, "deploy", &r, &err);
	sb_release(&err);
	kube_client_close(&kc);
	return 0;
}
