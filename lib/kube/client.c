/* client.c: requests to the API server and the errors it answers with. See client.h. */
#include "kube/client.h"
#include "secret.h"
#include "http.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

long long kube_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kube_client_open(struct kube_client *kc, const char *kubeconfig, const char *context, struct strbuf *err)
{
	memset(kc, 0, sizeof *kc);
	int rc = kube_config_load(kubeconfig, context, &kc->target, err);
	if (rc)
		return rc;
	struct http_opts o = HTTP_OPTS_INIT;
	o.cacert = kc->target.ca_file;
	o.insecure = kc->target.insecure;
	o.cert_file = kc->target.cert_file;
	o.key_file = kc->target.key_file;
	kc->http = http_client_new(&o);
	if (kc->target.token)
		kc->auth_header = xasprintf("Authorization: Bearer %s", kc->target.token);
	return 0;
}

void kube_client_close(struct kube_client *kc)
{
	http_client_free(kc->http);
	secret_free(kc->auth_header);
	for (size_t i = 0; i < kc->nres; i++) {
		struct kube_resource *r = &kc->res[i];
		free(r->group);
		free(r->version);
		free(r->name);
		free(r->singular);
		free(r->kind);
		strlist_clear(&r->short_names);
	}
	free(kc->res);
	strlist_clear(&kc->discovered);
	kube_target_free(&kc->target);
	memset(kc, 0, sizeof *kc);
}

/* The one line to show for a failed request: the Status object's message when
 * the server sent one (it names the object and the reason), else the HTTP status
 * and the start of the body. */
static int status_error(const char *method, const char *path, const struct http_response *resp, struct strbuf *err)
{
	int code = http_exit_code(resp);
	if (resp->status == 0)
		return sb_fail(err, code, "%s %s: %s", method, path, resp->errbuf);
	json_t *st = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	const char *msg = json_string_value(json_object_get(st, "message"));
	const char *reason = json_string_value(json_object_get(st, "reason"));
	if (msg && *msg)
		sb_fail(err, code, "%s (%s %ld)", msg, reason && *reason ? reason : "HTTP", resp->status);
	else
		sb_fail(err, code, "%s %s: HTTP %ld: %.*s", method, path, resp->status,
			(int)(resp->body.len > 120 ? 120 : resp->body.len), resp->body.buf);
	json_decref(st);
	/* 422 Invalid: the object is wrong, not a permission or a conflict */
	return resp->status == 422 ? EXIT_DATA : code;
}

/* Send one request; on a status other than 2xx, err says what the server said.
 * With a sink, a 2xx body goes there as it arrives. */
static int send_to(struct kube_client *kc, const char *method, const char *path, const char *content_type,
		   const char *body, const struct http_sink *sink, long timeout_ms, struct http_response *resp,
		   struct strbuf *err)
{
	char *url = xasprintf("%s%s", kc->target.server, path);
	char *ctype = content_type ? xasprintf("Content-Type: %s", content_type) : NULL;
	const char *headers[4];
	size_t nh = 0;
	headers[nh++] = "Accept: application/json";
	if (ctype)
		headers[nh++] = ctype;
	if (kc->auth_header)
		headers[nh++] = kc->auth_header;
	headers[nh] = NULL;
	/* server-side apply gives the same object however often it is sent */
	int idempotent = content_type && !strcmp(content_type, "application/apply-patch+yaml");
	struct http_request req = { method, url, headers, body, body ? strlen(body) : 0, idempotent };
	struct http_transfer x = { NULL, sink, timeout_ms, 0, 0 };
	http_do_transfer(kc->http, &req, &x, resp);
	kc->last_status = resp->status;
	free(ctype);
	free(url);
	if (resp->status < 200 || resp->status > 299)
		return status_error(method, path, resp, err);
	return 0;
}

static int send(struct kube_client *kc, const char *method, const char *path, const char *content_type,
		const char *body, struct http_response *resp, struct strbuf *err)
{
	return send_to(kc, method, path, content_type, body, NULL, 0, resp, err);
}

int kube_request(struct kube_client *kc, const char *method, const char *path, const char *content_type,
		 const char *body, json_t **out, struct strbuf *err)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	int rc = send(kc, method, path, content_type, body, &resp, err);
	if (!rc && out) {
		json_error_t je;
		*out = json_loadb(resp.body.buf, resp.body.len, 0, &je);
		if (!*out)
			rc = sb_fail(err, EXIT_DATA, "%s %s: the server's answer is not JSON: %s", method, path, je.text);
	}
	http_response_release(&resp);
	return rc;
}

/* A watch body cut into lines as it arrives. */
struct line_sink {
	struct strbuf partial;
	kube_line_fn on_line;
	void *arg;
	int stopped; /* on_line asked to stop: the transfer was ended on purpose */
	long long max_line; /* a line longer is refused: a server could send one without end */
	int too_long;
};

static int sink_write(void *arg, const void *data, size_t len)
{
	struct line_sink *ls = arg;
	sb_add(&ls->partial, data, len);
	size_t start = 0;
	char *nl;
	while (!ls->stopped && (nl = memchr(ls->partial.buf + start, '\n', ls->partial.len - start))) {
		size_t end = (size_t)(nl - ls->partial.buf);
		if (end > start && ls->on_line(ls->partial.buf + start, end - start, ls->arg))
			ls->stopped = 1;
		start = end + 1;
	}
	memmove(ls->partial.buf, ls->partial.buf + start, ls->partial.len - start);
	ls->partial.len -= start;
	ls->partial.buf[ls->partial.len] = '\0';
	ls->too_long = (long long)ls->partial.len > ls->max_line;
	return ls->stopped || ls->too_long ? -1 : 0;
}

int kube_stream_lines(struct kube_client *kc, const char *path, kube_line_fn on_line, void *arg, long timeout_ms,
		      struct strbuf *err)
{
	struct line_sink ls = { STRBUF_INIT, on_line, arg, 0, http_client_max_body(kc->http), 0 };
	struct http_sink sink = { sink_write, NULL, &ls };
	struct http_response resp = HTTP_RESPONSE_INIT;
	/* its own error text: on_line may have left one in err, which must stay */
	struct strbuf xerr = STRBUF_INIT;
	int rc = send_to(kc, "GET", path, NULL, NULL, &sink, timeout_ms, &resp, &xerr);
	if (rc && ls.stopped)
		rc = 0; /* we ended it */
	else if (ls.too_long)
		rc = sb_fail(err, EXIT_UNAVAIL, "GET %s: a line of the answer is longer than %lld bytes (CLOUDCTL_HTTP_MAX_BODY)",
			     path, ls.max_line);
	else if (rc)
		sb_fail(err, rc, "%s", xerr.buf);
	else if (ls.partial.len)
		on_line(ls.partial.buf, ls.partial.len, arg);
	sb_release(&xerr);
	http_response_release(&resp);
	sb_release(&ls.partial);
	return rc;
}

char *kube_path(const struct kube_resource *r, const char *ns, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	if (*r->group)
		sb_addf(&p, "/apis/%s/%s", r->group, r->version);
	else
		sb_addf(&p, "/api/%s", r->version);
	if (r->namespaced && ns)
		sb_addf(&p, "/namespaces/%s", ns);
	sb_addf(&p, "/%s", r->name);
	if (name)
		sb_addf(&p, "/%s", name);
	return sb_detach(&p);
}
