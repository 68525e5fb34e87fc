/* watch.c: waiting on one object with the watch API: read it, then watch from its
 * resourceVersion (fieldSelector metadata.name) so no change between the two is
 * missed; each event line is {"type": ..., "object": ...}. An ERROR event with a
 * 410 Status (the server compacted its history) means: read again and resume. */
#include "kube/client.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct waiter {
	struct kube_client *kc;
	kube_decide_fn decide;
	void *arg;
	struct strbuf *err;
	char *rv;     /* resourceVersion to resume from */
	int expired;  /* the server said 410: read the object again */
	int seen;     /* the object was read once: absent now means deleted */
	int rc;       /* KUBE_WAIT_MORE until decided */
};

static void set_rv(struct waiter *w, const json_t *obj)
{
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
	if (rv && *rv) {
		free(w->rv);
		w->rv = xstrdup(rv);
	}
}

/* The object's state now; NULL (and 0) when it does not exist. */
static int read_current(struct waiter *w, const struct kube_resource *r, const char *ns, const char *name)
{
	char *path = kube_path(r, ns, name);
	json_t *obj = NULL;
	int rc = kube_request(w->kc, "GET", path, NULL, NULL, &obj, w->err);
	free(path);
	if (rc == EXIT_NOTFOUND) {
		rc = 0;
		/* resume from the collection's resourceVersion: an object made later is seen */
		char *coll = kube_path(r, ns, NULL);
		char *lpath = xasprintf("%s?limit=1", coll);
		json_t *list = NULL;
		rc = kube_request(w->kc, "GET", lpath, NULL, NULL, &list, w->err);
		set_rv(w, list);
		json_decref(list);
		free(lpath);
		free(coll);
	}
	if (rc)
		return rc;
	set_rv(w, obj);
	/* absent at the first read: "ADDED" with no object (it never was, as far as
	 * we know); absent at a later read: it was deleted in between */
	w->rc = w->decide(obj || !w->seen ? "ADDED" : "DELETED", obj, w->arg, w->err);
	w->seen = 1;
	json_decref(obj);
	return 0;
}

/* One line of the watch stream; non-zero ends the watch. */
static int on_event(const char *line, size_t len, void *arg)
{
	struct waiter *w = arg;
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	if (!type) {
		w->rc = sb_fail(w->err, EXIT_DATA, "watch: an event that is not JSON: %.*s", (int)(len > 80 ? 80 : len), line);
	} else if (!strcmp(type, "ERROR")) {
		json_int_t code = json_integer_value(json_object_get(obj, "code"));
		if (code == 410)
			w->expired = 1;
		else
			w->rc = sb_fail(w->err, EXIT_UNAVAIL, "watch: %s",
					json_string_value(json_object_get(obj, "message")) ?: "error event");
	} else if (!json_is_object(obj)) {
		/* not a deletion: decide() takes a missing object for one */
		w->rc = sb_fail(w->err, EXIT_DATA, "watch: a %.20s event without its object", type);
	} else {
		set_rv(w, obj);
		if (strcmp(type, "BOOKMARK") != 0)
			w->rc = w->decide(type, !strcmp(type, "DELETED") ? NULL : obj, w->arg, w->err);
	}
	json_decref(ev);
	return w->rc != KUBE_WAIT_MORE || w->expired;
}

/* One watch request, which the server ends at the deadline (timeoutSeconds) if
 * nothing decides it before. */
static int watch_once(struct waiter *w, const struct kube_resource *r, const char *ns, const char *name,
		      long long deadline_ms)
{
	long long left = deadline_ms - kube_now_ms();
	long secs = left <= 0 ? 1 : (long)((left + 999) / 1000);
	char *coll = kube_path(r, ns, NULL);
	char *path = xasprintf("%s?watch=1&fieldSelector=metadata.name%%3D%s&resourceVersion=%s&timeoutSeconds=%ld",
			       coll, name, w->rv ? w->rv : "0", secs);
	/* the server ends the watch at timeoutSeconds; a few more seconds for one that does not */
	int rc = kube_stream_lines(w->kc, path, on_event, w, secs * 1000 + 5000, w->err);
	free(path);
	free(coll);
	return rc;
}

int kube_wait_object(struct kube_client *kc, const struct kube_resource *r, const char *ns, const char *name,
		     kube_decide_fn decide, void *arg, long long deadline_ms, struct strbuf *err)
{
	struct waiter w = { kc, decide, arg, err, NULL, 1, 0, KUBE_WAIT_MORE };
	int rc = 0;
	while (!rc && w.rc == KUBE_WAIT_MORE) {
		if (kube_now_ms() >= deadline_ms) {
			rc = EXIT_TEMPFAIL;
			break;
		}
		if (w.expired) {
			w.expired = 0;
			rc = read_current(&w, r, ns, name);
			continue;
		}
		rc = watch_once(&w, r, ns, name, deadline_ms);
	}
	free(w.rv);
	if (rc)
		return rc == EXIT_TEMPFAIL ? sb_fail(err, rc, "timed out") : rc;
	return w.rc;
}
