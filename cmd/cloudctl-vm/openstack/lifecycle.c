/* lifecycle.c: start, stop, reboot, delete, wait. Every target is resolved
 * first; then the actions run in parallel (--jobs), each on its own session,
 * and each server's record is written in the order given. The first error is
 * the exit code; the other servers are still done and each failure reported. */
#include "osvm.h"

#include <stdlib.h>
#include <string.h>

#include "interrupt.h"

/* The lifecycle verbs' options (vmopts.h). */
static const struct vm_lifecycle_opts *const asked = &vm_opts.lifecycle;

struct act;
typedef int (*act_fn)(struct os_session *s, const struct act *a, const struct ostarget *t, json_t **now);
struct act {
	const char *verb;
	act_fn fn;
	long long ms;  /* timeout for whatever waiting the action does */
	int deletes;   /* the record is the one from before, state=deleted */
};

struct run {
	const struct act *a;
	struct ostargets *ts;
	json_t **now; /* the server as last seen after the action (NULL: as resolved) */
	int *rc;      /* each one's exit code */
};

static int run_job(struct os_session *s, size_t i, void *arg)
{
	struct run *r = arg;
	if (interrupted()) /* after a signal, no server is touched any more */
		return r->rc[i] = interrupt_exit_code();
	return r->rc[i] = r->a->fn(s, r->a, &r->ts->t[i], &r->now[i]);
}

static int listed(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static void keypair_record(struct rec_writer *w, const char *name, const char *state)
{
	struct record r = RECORD_INIT;
	rec_set(&r, "kind", "keypair");
	rec_set(&r, "name", name);
	rec_set(&r, "state", state);
	target_set_fields(&r, &osvm_target);
	rec_write(w, &r);
	rec_clear(&r);
}

/* Is keypair name injected in a server of the project other than those just
 * deleted (which Nova may still list while it deletes them)? */
static const char *used_by_other(const json_t *servers, const char *name, const struct ostargets *ts)
{
	size_t i;
	const json_t *sv;
	json_array_foreach(servers, i, sv) {
		int ours = 0;
		for (size_t k = 0; k < ts->n && !ours; k++)
			ours = str_eq(os_jstr(sv, "id"), os_jstr(ts->t[k].server, "id"));
		if (!ours && str_eq(os_jstr(sv, "key_name"), name))
			return os_jstr(sv, "name");
	}
	return NULL;
}

/* delete --delete-keypair: the keypairs `create --ssh-key` made (cloudctl-*)
 * for the servers deleted, when no other server of the project has one. */
static int delete_keypairs(struct os_session *s, const struct ostargets *ts, const int *failed,
			   struct rec_writer *w)
{
	json_t *servers = NULL;
	struct strbuf err = STRBUF_INIT;
	int rc = os_list(s, "compute", "/servers/detail", "servers", &servers, &err);
	if (rc)
		errorx("delete: --delete-keypair: %s", err.buf);
	struct strlist done = { 0 };
	for (size_t i = 0; !rc && i < ts->n; i++) {
		const char *kp = os_jstr(ts->t[i].server, "key_name"), *other;
		if (failed[i] || !kp || listed(&done, kp))
			continue;
		strlist_add(&done, kp);
		if (!str_starts(kp, "cloudctl-")) {
			info("delete: keypair '%s' was not made by cloudctl-vm create: kept", kp);
		} else if ((other = used_by_other(servers, kp, ts))) {
			warnx("delete: keypair '%s' is kept: server '%s' has it too", kp, other);
		} else {
			sb_reset(&err);
			int one = osvm_keypair_delete(s, kp, &err);
			if (one)
				errorx("delete: keypair '%s': %s", kp, err.buf);
			else
				keypair_record(w, kp, "deleted");
			rc = rc ? rc : one;
		}
	}
	strlist_clear(&done);
	json_decref(servers);
	sb_release(&err);
	return rc;
}

static int run_act(int argc, char **argv, const struct act *a)
{
	struct os_client c;
	int rc = osvm_open(a->verb, &c);
	if (rc)
		return rc;
	struct ostargets ts = { 0 };
	rc = osvm_targets(a->verb, &c.s, argc, argv, &ts);
	json_t *names = NULL;
	json_t **now = xcalloc(ts.n ? ts.n : 1, sizeof *now);
	int *failed = xcalloc(ts.n ? ts.n : 1, sizeof *failed);
	if (!rc) { /* names first: the main session is idle while the workers run,
		    * and a deleted server's ports are still there to say its net_id */
		osvm_names(&c.s, &names);
		struct run r = { a, &ts, now, failed };
		rc = osvm_parallel(&c, ts.n, run_job, &r);
	}
	struct rec_writer *w = vm_writer(VM_COLUMNS);
	for (size_t i = 0; i < ts.n && names; i++) {
		if (a->deletes && failed[i] && !now[i])
			continue; /* not deleted, and nothing new known about it */
		struct record rec = RECORD_INIT;
		osvm_record(now[i] ? now[i] : ts.t[i].server, names, 0, &rec);
		if (a->deletes && now[i]) { /* still there (no --wait, a timeout, a signal): its status says where */
			rec_set(&rec, "state", "deleting");
		} else if (a->deletes) { /* gone: Nova's word for it, not the status from before */
			rec_set(&rec, "state", "deleted");
			rec_set(&rec, "status", "DELETED");
		}
		osvm_merge_input(&rec, &ts.t[i].in);
		rec_write(w, &rec);
		rec_clear(&rec);
		json_decref(now[i]);
	}
	if (!rc && a->deletes && asked->delete_keypair && names)
		rc = delete_keypairs(&c.s, &ts, failed, w);
	if (!rc && interrupted())
		rc = interrupt_exit_code();
	rc = vm_finish(w, rc);
	free(now);
	free(failed);
	json_decref(names);
	osvm_targets_free(&ts);
	os_client_close(&c);
	return rc;
}

/* POST /servers/{id}/action with {name: arg} */
static int action(struct os_session *s, const struct act *a, const struct ostarget *t, const char *name,
		  json_t *arg)
{
	char *path = xasprintf("/servers/%s/action", os_jstr(t->server, "id"));
	info("%s: server '%s': asking Nova to %s", a->verb, t->ref, name);
	json_t *body = json_object();
	json_object_set_new(body, name, arg);
	struct strbuf err = STRBUF_INIT;
	int rc = os_call(s, "POST", "compute", path, body, NULL, &err);
	if (rc)
		errorx("%s: server '%s': %s", a->verb, t->ref, err.buf);
	sb_release(&err);
	json_decref(body);
	free(path);
	return rc;
}

struct want {
	const char *status; /* NULL: any */
	int ip;
};

static int reached(const json_t *sv, const void *arg)
{
	const struct want *w = arg;
	if (w->status && !str_eq(os_jstr(sv, "status"), w->status))
		return 0;
	if (w->status && os_jstr(sv, "OS-EXT-STS:task_state")) /* e.g. still "powering-off" */
		return 0;
	return !w->ip || osvm_first_ipv4(sv, NULL);
}

static int has_addresses(const json_t *sv)
{
	return json_object_size(json_object_get(sv, "addresses")) > 0;
}

static int settle(struct os_session *s, const struct act *a, const struct ostarget *t, const struct want *w,
		  const char *what, json_t **now)
{
	info("%s: server '%s': waiting until it is %s", a->verb, t->ref, what);
	int rc = osvm_poll(s, a->verb, os_jstr(t->server, "id"), t->ref, reached, w, 0, a->ms, now);
	if (rc == OSVM_TIMEOUT) {
		errorx("%s: server '%s' is not %s after %s", a->verb, t->ref, what,
		       asked->timeout ? asked->timeout : str_eq(a->verb, "stop") ? "60s" : "5m");
		rc = EXIT_TEMPFAIL;
	}
	return rc;
}

static int start_one(struct os_session *s, const struct act *a, const struct ostarget *t, json_t **now)
{
	if (!str_eq(os_jstr(t->server, "status"), "ACTIVE")) {
		int rc = action(s, a, t, "os-start", json_null());
		if (rc)
			return rc;
	} else {
		info("start: server '%s' is running already", t->ref);
	}
	struct want w = { "ACTIVE", asked->wait && has_addresses(t->server) };
	return settle(s, a, t, &w, w.ip ? "running with an address" : "running", now);
}

static int stop_one(struct os_session *s, const struct act *a, const struct ostarget *t, json_t **now)
{
	if (str_eq(os_jstr(t->server, "status"), "SHUTOFF")) {
		info("stop: server '%s' is shut off already", t->ref);
		return 0;
	}
	int rc = action(s, a, t, "os-stop", json_null());
	struct want w = { "SHUTOFF", 0 };
	return rc ? rc : settle(s, a, t, &w, "shut off", now);
}

static int reboot_one(struct os_session *s, const struct act *a, const struct ostarget *t, json_t **now)
{
	json_t *arg = json_pack("{s:s}", "type", asked->force ? "HARD" : "SOFT");
	int rc = action(s, a, t, "reboot", arg);
	struct want w = { "ACTIVE", 0 };
	return rc || asked->no_wait ? rc : settle(s, a, t, &w, "running again", now);
}

static int delete_one(struct os_session *s, const struct act *a, const struct ostarget *t, json_t **now)
{
	const char *id = os_jstr(t->server, "id");
	char *path = xasprintf("/servers/%s", id);
	struct strbuf err = STRBUF_INIT;
	info("delete: server '%s': deleting", t->ref);
	int rc = os_call(s, "DELETE", "compute", path, NULL, NULL, &err);
	if (rc)
		errorx("delete: server '%s': %s", t->ref, err.buf);
	free(path);
	json_t *last = NULL;
	if (!rc && !asked->wait) { /* what is true now: gone already, or still deleting */
		sb_reset(&err);
		int grc = osvm_get_server(s, id, &last, &err);
		if (grc && grc != EXIT_NOTFOUND)
			debug("delete: server '%s': %s", t->ref, err.buf);
		*now = last;
	}
	sb_release(&err);
	if (rc || !asked->wait)
		return rc;
	info("delete: server '%s': waiting until it is gone", t->ref);
	rc = osvm_poll(s, a->verb, id, t->ref, NULL, NULL, 1, a->ms, &last);
	if (rc == OSVM_TIMEOUT) {
		errorx("delete: server '%s' is still there after %s", t->ref, asked->timeout ? asked->timeout : "5m");
		rc = EXIT_TEMPFAIL;
	}
	if (rc)
		*now = last; /* its record shows where it stuck */
	else
		json_decref(last);
	return rc;
}

static int wait_one(struct os_session *s, const struct act *a, const struct ostarget *t, json_t **now)
{
	struct want w = { osvm_status_for(asked->wait_state), asked->wait_for_ip };
	int gone = strcmp(asked->wait_state, "deleted") == 0;
	const char *with_ip = asked->wait_for_ip ? " with an address" : "";
	info("wait: server '%s': waiting until it is %s%s", t->ref, asked->wait_state, with_ip);
	int rc = osvm_poll(s, a->verb, os_jstr(t->server, "id"), t->ref, reached, &w, gone, a->ms, now);
	if (rc == OSVM_TIMEOUT) {
		errorx("wait: server '%s' is not %s%s after %s", t->ref, asked->wait_state, with_ip,
		       asked->timeout ? asked->timeout : "5m");
		rc = EXIT_TEMPFAIL;
	}
	if (!rc && gone && !*now) {
		*now = json_pack("{s:s}", "status", "DELETED");
		json_object_update_missing(*now, t->server);
	} else if (!rc && gone) {
		json_object_set_new(*now, "status", json_string("DELETED"));
	}
	return rc;
}

/* dflt: the --timeout of the verb when none is given (cloudctl-vm(1)). */
static int run(const char *verb, act_fn fn, int deletes, const char *dflt, int argc, char **argv)
{
	struct act a = { verb, fn, 0, deletes };
	int rc = osvm_timeout(verb, asked->timeout, dflt, &a.ms);
	if (rc)
		return rc;
	interrupt_install(); /* a signal stops the waits; the records are written, exit 130 */
	return run_act(argc, argv, &a);
}

int cmd_start(int argc, char **argv)
{
	return run("start", start_one, 0, "5m", argc, argv);
}

int cmd_stop(int argc, char **argv)
{
	return run("stop", stop_one, 0, "60s", argc, argv);
}

int cmd_reboot(int argc, char **argv)
{
	return run("reboot", reboot_one, 0, "5m", argc, argv);
}

int cmd_delete(int argc, char **argv)
{
	return run("delete", delete_one, 1, "5m", argc, argv);
}

int cmd_wait(int argc, char **argv)
{
	if (!osvm_status_for(asked->wait_state)) {
		errorx("wait: --state '%s': not one of running shutoff paused suspended error deleted shelved",
		       asked->wait_state);
		return EXIT_USAGE;
	}
	return run("wait", wait_one, 0, "5m", argc, argv);
}
