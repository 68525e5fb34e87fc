/* create.c: cloudctl-vm --driver openstack create. Everything named (image,
 * flavor, networks, ports, security groups, keypair) is resolved and every
 * name checked to be free before the first server is asked for; then the
 * POSTs go out in parallel (--jobs), and --wait watches all the servers with
 * one list call a round. A POST that got no answer (or a 5xx, or timed
 * out) may have made its server: the name is looked up before it is sent
 * again, so a retry never makes two. Every server made is reported, with its
 * record, even when waiting for it failed. */
#include "osvm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "interrupt.h"

/* create's options (vmopts.h). */
static const struct vm_create_opts *const asked = &vm_opts.create;

/* Nova's limit on user_data, base64-encoded. */
#define USER_DATA_MAX 65535

struct plan {
	json_t *server;   /* the body's "server" object, less the name */
	char **names;
	size_t n;
	long long timeout_ms;
	int want_ip;      /* --wait: also an address (there is a network) */
	json_t **made;    /* per name: the server as last seen */
	char **ids;       /* per name: the ID Nova gave it, or NULL (not made by us) */
	int *existed;     /* per name: there before us (--if-missing) */
	struct strlist nets, groups, ports; /* from the options and from piped records */
	struct recset in; /* the piped records, checked against the cloud once it is open */
	int key_made;     /* resolve_key made the keypair: undone when no server is made */
};

static int usage(const char *fmt, const char *arg)
{
	errorx(fmt, arg);
	return EXIT_USAGE;
}

/* The options libvirt alone has a use for were refused by their scope (opts.c). */
static int check_options(int argc, char **argv)
{
	if (argc > 1 || (argc == 1 && strcmp(argv[0], "-") != 0))
		return usage("create: unexpected operand '%s' (records on stdin: '-')", argv[0]);
	int rc = vm_check_names();
	if (rc)
		return rc;
	if (!asked->image)
		return usage("create: %s", "--image is required (a Glance image name or ID)");
	if (asked->no_network && (asked->networks.n || asked->ports.n))
		return usage("create: %s", "--no-network excludes --network and --port");
	if (asked->flavor && (asked->vcpus != VM_VCPUS_UNSET || asked->memory))
		return usage("create: %s", "--flavor excludes --vcpus and --memory");
	if (!asked->flavor && asked->vcpus == VM_VCPUS_UNSET && !asked->memory)
		return usage("create: %s", "give --flavor, or --vcpus and/or --memory to pick one");
	if (asked->vcpus != VM_VCPUS_UNSET && (asked->vcpus < 1 || asked->vcpus > 4096)) {
		errorx("create: --vcpus '%lld': must be 1 to 4096", asked->vcpus);
		return EXIT_USAGE;
	}
	return 0;
}

/* Records on stdin, with the operand "-" only (as the libvirt driver: a
 * `ssh host cloudctl-vm create ...` has a pipe for stdin that never ends):
 * kind=net -> a network, kind=secgroup -> a security group, kind=port -> a
 * port; the rest (a subnet, a router) is not ours. */
static int read_records(int argc, struct plan *p)
{
	if (argc != 1)
		return 0;
	struct recset *in = &p->in;
	struct strbuf err = STRBUF_INIT;
	int rc = 0;
	if (rec_read_all(stdin, "<stdin>", in, &err) < 0) {
		errorx("create: %s", err.buf);
		rc = EXIT_DATA;
	}
	/* "-" says the networks come from the pipe: an empty one is a step before
	 * that failed (a tenant create refused), not "any network will do" */
	if (!rc && in->n == 0)
		rc = vm_no_net_records();
	for (size_t i = 0; !rc && i < in->n; i++) {
		const struct record *r = &in->r[i];
		const char *kind = rec_get(r, "kind"), *ref = rec_get(r, "id") ? rec_get(r, "id") : rec_get(r, "name");
		struct strlist *to = str_eq(kind, "net") ? &p->nets : str_eq(kind, "secgroup") ? &p->groups
			: str_eq(kind, "port") ? &p->ports : NULL;
		if (!to)
			continue;
		if (!ref) {
			errorx("create: <stdin>:%ld: a %s record needs an id or a name", r->line, kind);
			rc = EXIT_DATA;
		} else {
			strlist_add(to, ref);
		}
	}
	sb_release(&err);
	if (!rc && asked->no_network && (p->nets.n || p->ports.n))
		rc = usage("create: %s", "--no-network, but networks came on stdin");
	if (!rc && !asked->no_network && !p->nets.n && !p->ports.n)
		rc = vm_no_net_records();
	return rc;
}

static int add_user_data(struct plan *p)
{
	if (!asked->user_data)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, asked->user_data) < 0) {
		int e = errno;
		errorx("create: --user-data '%s': %s", asked->user_data, strerror(e));
		sb_release(&sb);
		return exit_for_errno(e);
	}
	struct strbuf b64 = STRBUF_INIT;
	base64_encode(&b64, (const unsigned char *)sb.buf, sb.len);
	sb_release(&sb);
	if (b64.len > USER_DATA_MAX) {
		errorx("create: --user-data '%s': %zu bytes in base64, Nova takes at most %d", asked->user_data,
		       b64.len, USER_DATA_MAX);
		sb_release(&b64);
		return EXIT_DATA;
	}
	json_object_set_new(p->server, "user_data", json_string(b64.buf));
	sb_release(&b64);
	return 0;
}

static int add_tags(struct plan *p)
{
	struct record tags = RECORD_INIT;
	int rc = parse_tags("create", &asked->tags, &tags, 0);
	if (!rc && tags.n) {
		json_t *meta = json_object();
		for (size_t i = 0; i < tags.n; i++)
			json_object_set_new(meta, tags.f[i].key, json_string(tags.f[i].val));
		json_object_set_new(p->server, "metadata", meta);
	}
	rec_clear(&tags);
	return rc;
}

static int fail(const char *what, const char *ref, struct strbuf *err, int rc)
{
	errorx("create: %s '%s': %s", what, ref, err->buf);
	sb_reset(err);
	return rc;
}

static int resolve_image(struct os_session *s, struct plan *p, struct strbuf *err)
{
	json_t *img = NULL;
	int rc = os_find(s, "image", "/v2/images", NULL, "images", "image", asked->image, &img, err);
	if (rc)
		return fail("--image", asked->image, err, rc);
	json_object_set_new(p->server, "imageRef", json_string(os_jstr(img, "id")));
	json_decref(img);
	return 0;
}

/* The flavor named, or the smallest (memory, then vCPUs, then disk) that
 * has the vCPUs and memory asked for. */
static int pick_flavor(const json_t *all, const json_t **best, struct strbuf *err)
{
	unsigned long long bytes = 0;
	if (asked->memory && (parse_size(asked->memory, 1ULL << 20, &bytes) < 0 || bytes < (1ULL << 20)))
		return sb_fail(err, EXIT_USAGE, "--memory '%s': expected a size such as 512M or 2G", asked->memory);
	long long mib = (long long)(bytes >> 20), vcpus = asked->vcpus == VM_VCPUS_UNSET ? 1 : asked->vcpus;
	size_t i;
	json_t *f;
	*best = NULL;
	json_array_foreach(all, i, f) {
		long long ram = json_integer_value(json_object_get(f, "ram"));
		long long cpu = json_integer_value(json_object_get(f, "vcpus"));
		long long disk = json_integer_value(json_object_get(f, "disk"));
		if (ram < mib || cpu < vcpus)
			continue;
		const json_t *b = *best;
		long long bram = b ? json_integer_value(json_object_get(b, "ram")) : 0;
		long long bcpu = b ? json_integer_value(json_object_get(b, "vcpus")) : 0;
		long long bdisk = b ? json_integer_value(json_object_get(b, "disk")) : 0;
		if (!b || ram < bram || (ram == bram && (cpu < bcpu || (cpu == bcpu && disk < bdisk))))
			*best = f;
	}
	if (!*best)
		return sb_fail(err, EXIT_NOTFOUND, "no flavor has %lld vCPUs and %lld MiB", vcpus, mib);
	return 0;
}

static int resolve_flavor(struct os_session *s, struct plan *p, struct strbuf *err)
{
	json_t *all = NULL, *f;
	const json_t *best = NULL;
	const char *what = asked->flavor ? asked->flavor : "--vcpus/--memory";
	int rc = os_list(s, "compute", "/flavors/detail", "flavors", &all, err);
	size_t i, n = 0;
	if (!rc && asked->flavor) {
		json_array_foreach(all, i, f)
			if (str_eq(os_jstr(f, "id"), asked->flavor)) /* an ID wins over a name */
				best = f, n = 1;
		json_array_foreach(all, i, f)
			if (!best && str_eq(os_jstr(f, "name"), asked->flavor) && n++ == 0)
				best = f;
		if (!n)
			rc = sb_fail(err, EXIT_NOTFOUND, "no flavor named or with the ID '%s'", asked->flavor);
		else if (n > 1)
			rc = sb_fail(err, EXIT_DATA, "%zu flavors are named '%s': give the ID", n, asked->flavor);
	} else if (!rc) {
		rc = pick_flavor(all, &best, err);
	}
	if (!rc) {
		json_object_set_new(p->server, "flavorRef", json_string(os_jstr(best, "id")));
		debug("create: flavor %s", os_jstr(best, "name"));
	}
	json_decref(all);
	return rc ? fail("--flavor", what, err, rc) : 0;
}

/* Networks and ports -> "networks": [{"uuid"}, {"port"}]; none -> "none";
 * neither given -> "auto" (Nova takes the project's only network). */
static int resolve_networks(struct os_session *s, struct plan *p, struct strbuf *err)
{
	if (asked->no_network) {
		json_object_set_new(p->server, "networks", json_string("none"));
		return 0;
	}
	if (!p->nets.n && !p->ports.n) {
		json_object_set_new(p->server, "networks", json_string("auto"));
		return 0;
	}
	json_t *list = json_array();
	json_object_set_new(p->server, "networks", list);
	for (size_t i = 0; i < p->nets.n + p->ports.n; i++) {
		int is_net = i < p->nets.n;
		const char *ref = is_net ? p->nets.v[i] : p->ports.v[i - p->nets.n];
		json_t *o = NULL;
		int rc = is_net ? os_find(s, "network", "/v2.0/networks", "network", "networks", "network", ref, &o, err)
				: os_find(s, "network", "/v2.0/ports", "port", "ports", "port", ref, &o, err);
		if (rc)
			return fail(is_net ? "--network" : "--port", ref, err, rc);
		json_array_append_new(list, json_pack("{s:s}", is_net ? "uuid" : "port", os_jstr(o, "id")));
		json_decref(o);
	}
	return 0;
}

static int resolve_groups(struct os_session *s, struct plan *p, struct strbuf *err)
{
	if (!p->groups.n)
		return 0;
	json_t *list = json_array();
	json_object_set_new(p->server, "security_groups", list);
	for (size_t i = 0; i < p->groups.n; i++) {
		json_t *g = NULL;
		int rc = os_find(s, "network", "/v2.0/security-groups", "security_group", "security_groups",
				 "security group", p->groups.v[i], &g, err);
		if (rc)
			return fail("--security-group", p->groups.v[i], err, rc);
		/* Nova takes a name or an ID here; the ID cannot be ambiguous */
		json_array_append_new(list, json_pack("{s:s}", "name", os_jstr(g, "id")));
		json_decref(g);
	}
	return 0;
}

static int resolve_key(struct os_session *s, struct plan *p, struct strbuf *err)
{
	if (!asked->key_name && !asked->ssh_key_file)
		return 0;
	char *name = NULL;
	int rc = osvm_keypair(s, asked->key_name, asked->ssh_key_file, &name, &p->key_made, err);
	if (rc)
		return asked->ssh_key_file ? fail("--ssh-key", asked->ssh_key_file, err, rc)
					   : fail("--key-name", asked->key_name, err, rc);
	json_object_set_new(p->server, "key_name", json_string(name));
	free(name);
	return 0;
}

/* The longest start all the names share (malloc'd). */
static char *common_start(char *const *names, size_t n)
{
	size_t len = strlen(names[0]);
	for (size_t i = 1; i < n; i++)
		for (size_t k = 0; k < len; k++)
			if (names[i][k] != names[0][k]) {
				len = k;
				break;
			}
	return xstrndup(names[0], len);
}

/* Is this name taken, by the list of the servers whose names start as ours
 * do? EXIT_EXISTS (said), or 0: free, or taken by a server --if-missing takes. */
static int name_taken(struct plan *p, size_t i, const json_t *found)
{
	size_t k;
	const json_t *sv;
	json_t *same = json_array();
	json_array_foreach(found, k, sv)
		if (str_eq(os_jstr(sv, "name"), p->names[i]))
			json_array_append(same, (json_t *)sv);
	int rc = 0;
	if (json_array_size(same) && !asked->if_missing) {
		errorx("create: server '%s' already exists (use --if-missing to accept it)", p->names[i]);
		rc = EXIT_EXISTS;
	} else if (json_array_size(same) > 1) { /* which one would --if-missing report? */
		struct strbuf err = STRBUF_INIT;
		rc = osvm_ambiguous(p->names[i], same, &err);
		errorx("create: %s", err.buf);
		sb_release(&err);
	} else if (json_array_size(same)) {
		p->made[i] = json_incref(json_array_get(same, 0));
		p->existed[i] = 1;
	}
	json_decref(same);
	return rc;
}

/* Phase 1: are the names free? One list call for all of them, of the servers
 * whose names start with what ours share (an exact name when there is one). */
static int check_names(struct os_session *s, struct plan *p)
{
	struct strbuf err = STRBUF_INIT;
	json_t *found = NULL;
	char *start = common_start(p->names, p->n);
	int rc = p->n == 1 ? osvm_servers_named(s, start, &found, &err) : osvm_servers_prefixed(s, start, &found, &err);
	if (rc && p->n == 1)
		errorx("create: server '%s': %s", start, err.buf);
	else if (rc)
		errorx("create: looking whether the names are free: %s", err.buf);
	int taken = 0; /* every name taken is said, not only the first */
	for (size_t i = 0; !rc && i < p->n; i++) {
		int one = name_taken(p, i, found);
		taken = taken ? taken : one;
	}
	json_decref(found);
	free(start);
	sb_release(&err);
	return rc ? rc : taken;
}

/* No answer (a timeout, a connection cut) or a 5xx: the server may exist all
 * the same. Any other refusal (a quota, a bad value) made nothing. */
static int maybe_made(const struct os_session *s, int rc)
{
	return rc && (s->last_status == 0 || s->last_status >= 500);
}

static int post_server(struct os_session *s, struct plan *p, size_t i, char **id)
{
	const char *name = p->names[i];
	/* a copy: the threads of --count must not write one shared object */
	json_t *body = json_pack("{s:o}", "server", json_deep_copy(p->server));
	json_object_set_new(json_object_get(body, "server"), "name", json_string(name));
	struct strbuf err = STRBUF_INIT;
	int rc = 0;
	info("create: server '%s': asking Nova to make it", name);
	for (int attempt = 1; attempt <= 3; attempt++) {
		json_t *out = NULL;
		sb_reset(&err);
		rc = os_call(s, "POST", "compute", "/servers", body, &out, &err);
		if (!rc) /* the answer also holds adminPass: only the ID is kept */
			*id = xstrdup(os_jstr(json_object_get(out, "server"), "id") ? os_jstr(json_object_get(out, "server"), "id") : "");
		json_decref(out);
		if (!maybe_made(s, rc))
			break;
		warnx("create: server '%s': %s: looking whether it was made before trying again", name, err.buf);
		json_t *found = NULL;
		struct strbuf e2 = STRBUF_INIT;
		int lrc = osvm_servers_named(s, name, &found, &e2);
		if (!lrc && json_array_size(found)) {
			*id = xstrdup(os_jstr(json_array_get(found, 0), "id"));
			rc = 0;
		} else if (lrc) {
			sb_addf(&err, "; it may have been made: looking for it failed: %s", e2.buf);
		}
		json_decref(found);
		sb_release(&e2);
		if (!rc || lrc) /* found it; or cannot tell: do not risk a second one */
			break;
		if (interrupt_sleep_ms(1000L * attempt))
			break;
	}
	if (rc)
		errorx("create: server '%s': %s", name, err.buf);
	json_decref(body);
	sb_release(&err);
	return rc;
}

static int active(const json_t *sv, const void *arg)
{
	const int *want_ip = arg;
	return str_eq(os_jstr(sv, "status"), "ACTIVE") && (!*want_ip || osvm_first_ipv4(sv, NULL));
}

/* Phase 2, per name: POST; without --wait, the server's record. */
static int post_one(struct os_session *s, size_t i, void *arg)
{
	struct plan *p = arg;
	if (p->existed[i])
		return 0;
	if (interrupted()) /* the POSTs in flight finish; no new one goes out */
		return interrupt_exit_code();
	int rc = post_server(s, p, i, &p->ids[i]);
	if (rc || asked->wait)
		return rc;
	struct strbuf err = STRBUF_INIT;
	if ((rc = osvm_get_server(s, p->ids[i], &p->made[i], &err)))
		errorx("create: server '%s' (%s) was made, but: %s", p->names[i], p->ids[i], err.buf);
	sb_release(&err);
	return rc;
}

/* A server that is done (ACTIVE with what --wait wants, or ERROR): its exit
 * code in *rc. Returns 0 while it is still building. */
static int settled(const struct plan *p, size_t i, const json_t *sv, int *rc)
{
	if (active(sv, &p->want_ip)) {
		*rc = 0;
		return 1;
	}
	const char *status = os_jstr(sv, "status");
	if (str_eq(status, "DELETED") || str_eq(status, "SOFT_DELETED")) {
		errorx("create: server '%s' was deleted while it was being built", p->names[i]);
		*rc = EXIT_UNAVAIL;
		return 1;
	}
	return (*rc = osvm_in_error("create", p->names[i], sv)) != 0;
}

/* "changes-since=" ten minutes ago (UTC): wide enough for a server clock that
 * is a little off; a server missing from the answer is asked for by ID. */
static char *changes_since(void)
{
	time_t t = time(NULL) - 600;
	struct tm tm;
	char stamp[32];
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xasprintf("changes-since=%s", stamp);
}

/* Is one of ours still in BUILD? The brief list of the servers in BUILD
 * (IDs and names only) costs Nova far less than the detailed one, which is
 * asked for only once none of ours is building. An error counts as "no":
 * the detailed list then says what is wrong. */
static int any_building(struct os_session *s, const struct plan *p, const char *since, const int *done)
{
	char *path = xasprintf("/servers?status=BUILD&%s", since);
	json_t *all = NULL;
	struct strbuf err = STRBUF_INIT;
	int rc = os_list(s, "compute", path, "servers", &all, &err), building = 0;
	for (size_t i = 0; !rc && i < p->n && !building; i++)
		building = !done[i] && p->ids[i] && osvm_find_id(all, p->ids[i]);
	json_decref(all);
	sb_release(&err);
	free(path);
	return building;
}

/* The servers as they are now: one paginated list for all of them, and a GET
 * for each one the list lacks. Returns 0, or the list's exit code (and why). */
static int look_all(struct os_session *s, struct plan *p, const char *since, const int *done, struct strbuf *why)
{
	json_t *all = NULL;
	struct strbuf err = STRBUF_INIT;
	char *path = xasprintf("/servers/detail?%s", since);
	int rc = os_list(s, "compute", path, "servers", &all, &err);
	free(path);
	if (rc)
		sb_addf(why, "%s", err.buf);
	for (size_t i = 0; !rc && i < p->n; i++) {
		if (done[i] || !p->ids[i])
			continue;
		json_t *sv = json_incref((json_t *)osvm_find_id(all, p->ids[i]));
		sb_reset(&err);
		int grc = sv ? 0 : osvm_get_server(s, p->ids[i], &sv, &err);
		if (grc == EXIT_NOTFOUND) /* deleted before Nova placed it: no trace is left */
			sv = json_pack("{s:s,s:s,s:s}", "id", p->ids[i], "name", p->names[i], "status", "DELETED");
		else if (grc)
			continue; /* asked again next round, until the timeout */
		json_decref(p->made[i]);
		p->made[i] = sv;
	}
	json_decref(all);
	sb_release(&err);
	return rc;
}

/* A list without an answer (or a 5xx) during --wait: nova-api restarting, say.
 * Asked again for up to 30 s in a row (one warning), then given up. */
static int lost_for_good(int rc, const struct strbuf *why, long long *failing_since)
{
	if (rc != EXIT_UNAVAIL && rc != EXIT_TEMPFAIL)
		return 1;
	if (!*failing_since) {
		*failing_since = now_ms();
		warnx("create: waiting for the servers: %s (asking again for up to 30s)", why->buf);
	}
	return now_ms() - *failing_since >= 30000;
}

/* Mark the servers that are done; returns how many are still building, and
 * the first failure's exit code in *first. */
static size_t still_building(const struct plan *p, int *done, int *first)
{
	size_t left = 0;
	for (size_t i = 0; i < p->n; i++) {
		int one = 0;
		if (done[i] || !p->ids[i])
			continue;
		if (p->made[i] && settled(p, i, p->made[i], &one)) {
			done[i] = 1;
			*first = *first ? *first : one;
		} else {
			left++;
		}
	}
	return left;
}

static void report_timeout(const struct plan *p, const int *done)
{
	for (size_t i = 0; i < p->n; i++)
		if (!done[i] && p->ids[i])
			errorx("create: server '%s' (%s) is not running%s after %s", p->names[i], p->ids[i],
			       p->want_ip ? " with an address" : "",
			       asked->wait_timeout ? asked->wait_timeout : "5m");
}

/* --wait, for every server POSTed: one list call a second whatever their
 * number, as cheap for Nova as a loop of curl could be (the brief list of
 * the servers in BUILD while one of ours is). */
static void show_progress(const struct plan *p, const int *done, long long start)
{
	size_t n = 0, ready = 0;
	for (size_t i = 0; i < p->n; i++) {
		n += p->ids[i] != NULL;
		ready += done[i];
	}
	vm_progress("create: %zu of %zu servers running%s (%llds)", ready, n, p->want_ip ? " with an address" : "",
		    (now_ms() - start) / 1000);
}

static int wait_all(struct os_session *s, struct plan *p)
{
	int *done = xcalloc(p->n, sizeof *done), first = 0, rc = 0;
	char *since = changes_since();
	long long start = now_ms(), failing_since = 0;
	struct strbuf why = STRBUF_INIT;
	info("create: waiting until the servers are running%s", p->want_ip ? " with an address" : "");
	for (unsigned round = 0;; round++) {
		show_progress(p, done, start);
		if (!round || !any_building(s, p, since, done)) {
			sb_reset(&why);
			rc = look_all(s, p, since, done, &why);
			if (rc && lost_for_good(rc, &why, &failing_since)) {
				errorx("create: waiting for the servers: %s", why.buf);
				break;
			}
			if (!rc)
				failing_since = 0;
			if (!rc && !still_building(p, done, &first))
				break;
		}
		if (p->timeout_ms >= 0 && now_ms() - start >= p->timeout_ms) {
			report_timeout(p, done);
			rc = EXIT_TEMPFAIL;
			break;
		}
		if (interrupt_sleep_ms(1000)) { /* the records say where each server is */
			rc = interrupt_exit_code();
			break;
		}
	}
	vm_progress_done();
	free(since);
	free(done);
	sb_release(&why);
	return first ? first : rc;
}

/* Every server POSTed is reported, if only by what its POST said. */
static void fill_unseen(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (!p->ids[i] || p->made[i])
			continue;
		p->made[i] = json_pack("{s:s,s:s,s:s}", "id", p->ids[i], "name", p->names[i], "status", "BUILD");
		json_t *key = json_object_get(p->server, "key_name");
		if (osvm_target.project)
			json_object_set_new(p->made[i], "tenant_id", json_string(osvm_target.project));
		if (key)
			json_object_set(p->made[i], "key_name", key);
	}
}

static int prepare(struct os_session *s, struct plan *p)
{
	struct strbuf err = STRBUF_INIT;
	int rc = resolve_image(s, p, &err);
	if (!rc)
		rc = resolve_flavor(s, p, &err);
	if (!rc)
		rc = resolve_networks(s, p, &err);
	if (!rc)
		rc = resolve_groups(s, p, &err);
	sb_release(&err);
	p->want_ip = !asked->no_network;
	return rc;
}

static int write_records(struct os_session *s, struct plan *p, int rc)
{
	json_t *names = NULL;
	osvm_names(s, &names);
	struct rec_writer *w = vm_writer(VM_COLUMNS);
	for (size_t i = 0; i < p->n; i++) {
		if (!p->made[i])
			continue;
		struct record r = RECORD_INIT;
		osvm_record(p->made[i], names, 0, &r);
		rec_write(w, &r);
		rec_clear(&r);
	}
	json_decref(names);
	return vm_finish(w, rc);
}

/* A keypair made for servers none of which was made is deleted again. */
static void undo_keypair(struct os_session *s, const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ids[i] || p->existed[i])
			return;
	const char *name = os_jstr(p->server, "key_name");
	if (!p->key_made || !name)
		return;
	struct strbuf err = STRBUF_INIT;
	if (osvm_keypair_delete(s, name, &err))
		errorx("create: no server was made, and the keypair '%s' made for it is left: %s", name, err.buf);
	else
		info("create: no server was made: keypair '%s' deleted again", name);
	sb_release(&err);
}

static int create_all(struct plan *p)
{
	struct os_client c;
	int rc = osvm_open("create", &c);
	if (rc)
		return rc;
	struct strbuf err = STRBUF_INIT;
	if ((rc = target_check_records(&osvm_target, &p->in, NULL, &err)))
		errorx("create: %s", err.buf); /* a net of another cloud or project */
	if (!rc)
		rc = prepare(&c.s, p);
	if (!rc)
		rc = check_names(&c.s, p);
	/* last of the checks, since it may make a keypair: every refusal comes first */
	if (!rc && interrupted())
		rc = interrupt_exit_code(); /* nothing made */
	if (!rc)
		rc = resolve_key(&c.s, p, &err);
	if (!rc && interrupted())
		rc = interrupt_exit_code();
	if (!rc) {
		rc = osvm_parallel(&c, p->n, post_one, p);
		int waited = asked->wait && !interrupted() ? wait_all(&c.s, p) : 0;
		fill_unseen(p);
		if (interrupted())
			rc = interrupt_exit_code();
		rc = write_records(&c.s, p, rc ? rc : waited);
	}
	undo_keypair(&c.s, p);
	sb_release(&err);
	os_client_close(&c);
	return rc;
}

int cmd_create(int argc, char **argv)
{
	struct plan p = { .server = json_object() };
	int rc = check_options(argc, argv);
	interrupt_install(); /* a signal ends the waits; every server made is reported, exit 130 */
	if (!rc)
		rc = osvm_timeout("create", asked->wait_timeout, "5m", &p.timeout_ms);
	for (size_t i = 0; !rc && i < asked->networks.n; i++)
		strlist_add(&p.nets, asked->networks.v[i]);
	for (size_t i = 0; !rc && i < asked->ports.n; i++)
		strlist_add(&p.ports, asked->ports.v[i]);
	for (size_t i = 0; !rc && i < asked->security_groups.n; i++)
		strlist_add(&p.groups, asked->security_groups.v[i]);
	if (!rc)
		rc = read_records(argc, &p);
	if (!rc && asked->count > 1 && p.ports.n) /* Nova would refuse every server after the first */
		rc = usage("create: %s", "a port serves one server: no --port (or port record) with --count above 1");
	if (!rc && p.ports.n && p.groups.n) /* Nova would ignore the groups without a word */
		rc = usage("create: %s", "a given port keeps its own security groups (Nova does not apply "
					 "--security-group to it): set them on the port, or give --network");
	if (!rc)
		rc = add_tags(&p);
	if (!rc)
		rc = add_user_data(&p);
	if (!rc) {
		p.n = (size_t)asked->count;
		p.names = xcalloc(p.n, sizeof *p.names);
		p.made = xcalloc(p.n, sizeof *p.made);
		p.ids = xcalloc(p.n, sizeof *p.ids);
		p.existed = xcalloc(p.n, sizeof *p.existed);
		for (size_t i = 0; i < p.n; i++)
			p.names[i] = vm_make_name(asked->name_template, asked->start_index + (long long)i);
		rc = create_all(&p);
	}
	for (size_t i = 0; i < p.n; i++) {
		free(p.names[i]);
		free(p.ids[i]);
		json_decref(p.made[i]);
	}
	free(p.names);
	free(p.ids);
	free(p.made);
	free(p.existed);
	strlist_clear(&p.nets);
	strlist_clear(&p.groups);
	strlist_clear(&p.ports);
	recset_clear(&p.in);
	json_decref(p.server);
	return rc;
}
