/* client.h: talking to a Kubernetes API server: requests through lib/http with
 * the kubeconfig's credentials, errors from the server's Status objects, resource
 * paths found by discovery (/api, /apis), server-side apply, and watches.
 *
 * Every function that can fail returns 0 or an exit code (log.h) and leaves a
 * one-line reason in err: the server's own Status message when it sent one. */
#ifndef CLOUDCTL_KUBE_CLIENT_H
#define CLOUDCTL_KUBE_CLIENT_H

#include <jansson.h>
#include "kube/kubeconfig.h"
#include "util.h"

/* One resource type as discovery lists it. */
struct kube_resource {
	char *group;    /* "" for the core group */
	char *version;  /* "v1" */
	char *name;     /* plural: "deployments" */
	char *singular; /* "deployment" */
	char *kind;     /* "Deployment" */
	int namespaced;
	int preferred;  /* the group's preferred version: what names on the command line mean */
	struct strlist short_names;
};

struct kube_client {
	struct kube_target target;
	struct http_client *http;
	char *auth_header;  /* "Authorization: Bearer ...", a secret */
	struct kube_resource *res;
	size_t nres, allocres;
	struct strlist discovered; /* "group/version" lists already read; "*" when all were */
	long last_status;          /* HTTP status of the last request */
};

int kube_client_open(struct kube_client *kc, const char *kubeconfig, const char *context, struct strbuf *err);
void kube_client_close(struct kube_client *kc);

/* One request; path starts with '/'. content_type NULL: no body. On a 2xx with a
 * JSON body, *out (when out is not NULL) gets it. Any other status is an error,
 * described from the Status object the server sent. */
int kube_request(struct kube_client *kc, const char *method, const char *path, const char *content_type,
		 const char *body, json_t **out, struct strbuf *err);

/* GET a stream (a watch): each line of the body goes to on_line as it arrives;
 * a non-zero return ends the request there. timeout_ms bounds the whole request.
 * 0, or an exit code with err set. */
typedef int (*kube_line_fn)(const char *line, size_t len, void *arg);
int kube_stream_lines(struct kube_client *kc, const char *path, kube_line_fn on_line, void *arg, long timeout_ms,
		      struct strbuf *err);

/* The resource for apiVersion ("apps/v1", "v1") and kind; 66 when the server has none. */
int kube_resource_for_kind(struct kube_client *kc, const char *api_version, const char *kind,
			   const struct kube_resource **out, struct strbuf *err);
/* The resource a user names on the command line: plural, singular, short name or
 * kind, case-insensitive, optionally qualified by group ("deployments.apps").
 * The server's preferred version of each group is used. */
int kube_resource_lookup(struct kube_client *kc, const char *what, const struct kube_resource **out,
			 struct strbuf *err);

/* "/api/v1/namespaces/NS/pods/NAME" and the like; ns is ignored for cluster-scoped
 * resources, NULL ns on a namespaced one means every namespace, NULL name the
 * collection. Percent-encodes nothing: names are RFC 1123 and checked before. */
char *kube_path(const struct kube_resource *r, const char *ns, const char *name);

/* Server-side apply of one object (PATCH, application/apply-patch+yaml, the object
 * sent as JSON, which is YAML), as field manager `manager`. created is set to 1
 * when the server made the object (201). */
struct kube_apply_opts {
	const char *manager; /* default "cloudctl" */
	int force;           /* take the fields other managers own */
	int dry_run;         /* the server checks and answers, stores nothing */
};
int kube_apply(struct kube_client *kc, const json_t *obj, const char *default_ns, const struct kube_apply_opts *o,
	       json_t **result, int *created, struct strbuf *err);

/* Wait on one object: its current state is read, then watched (from that
 * resourceVersion, by name) until decide() is satisfied or deadline_ms
 * (kube_now_ms() clock) passes. decide() gets the event type ("ADDED" for the
 * state first read, "MODIFIED", "DELETED") and the object, or NULL when there is
 * none ("ADDED" and NULL: it did not exist when first read); it returns KUBE_WAIT_MORE, 0 when satisfied, or an exit code with err set.
 * A 410 Expired (history compacted) reads the object again and resumes. Returns 0,
 * what decide returned, 75 on timeout, or another exit code. */
#define KUBE_WAIT_MORE (-1)
typedef int (*kube_decide_fn)(const char *type, json_t *obj, void *arg, struct strbuf *err);
int kube_wait_object(struct kube_client *kc, const struct kube_resource *r, const char *ns, const char *name,
		     kube_decide_fn decide, void *arg, long long deadline_ms, struct strbuf *err);

long long kube_now_ms(void);

#endif
