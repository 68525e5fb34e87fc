/* client.c: the OpenStack driver's connection, parallel runner, images, and
 * the server -> vm record mapping. */
#include "osvm.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct target_spec osvm_target;

/* Where this command acts: the cloud as named (--os-cloud, OS_CLOUD; `env`
 * for the OS_* variables) and the project of the token. */
static void set_target(struct os_client *c)
{
	const char *named = vm_opts.target.os_cloud ? vm_opts.target.os_cloud : getenv("OS_CLOUD");
	target_spec_clear(&osvm_target);
	osvm_target.driver = xstrdup("openstack");
	osvm_target.cloud = xstrdup(named && *named ? named : "env");
	osvm_target.project = c->s.project_id ? xstrdup(c->s.project_id) : NULL;
}

int osvm_open(const char *verb, struct os_client *c)
{
	struct os_config_opts o = { vm_opts.target.os_cloud, vm_opts.target.os_region, vm_opts.target.os_interface };
	struct strbuf err = STRBUF_INIT;
	int rc = os_client_open(c, &o, &err);
	if (!rc) /* the project ID of the token: records carry it, and are checked against it */
		rc = os_authenticate(&c->s, 0, &err);
	if (rc) {
		errorx("%s: %s", verb, err.buf);
		os_client_close(c);
	} else {
		set_target(c);
		info("%s: cloud %s, project %s", verb, osvm_target.cloud,
		     osvm_target.project ? osvm_target.project : "(none)");
	}
	sb_release(&err);
	return rc;
}

struct pool {
	struct os_client *c;
	size_t n, next;
	osvm_job job;
	void *ctx;
	int *rc;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct os_session s;
	struct strbuf err = STRBUF_INIT;
	int open_rc = os_session_open(&s, &p->c->cloud, NULL, &err);
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		if (open_rc) { /* every job this thread takes fails the same way */
			errorx("%s", err.buf);
			p->rc[i] = open_rc;
			continue;
		}
		p->rc[i] = p->job(&s, i, p->ctx);
	}
	if (!open_rc)
		os_session_close(&s);
	sb_release(&err);
	return NULL;
}

int osvm_parallel(struct os_client *c, size_t n, osvm_job job, void *ctx)
{
	size_t threads = vm_opts.shared.jobs < 1 ? 1 : (size_t)vm_opts.shared.jobs;
	if (threads > n)
		threads = n;
	int first = 0;
	if (threads <= 1) {
		for (size_t i = 0; i < n; i++) {
			int rc = job(&c->s, i, ctx);
			first = first ? first : rc;
		}
		return first;
	}
	struct pool p = { c, n, 0, job, ctx, xcalloc(n, sizeof(int)), PTHREAD_MUTEX_INITIALIZER };
	pthread_t *tid = xcalloc(threads, sizeof *tid);
	size_t started = 0;
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &p) != 0)
			break;
	if (!started) /* no thread at all: do the work here */
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (size_t i = 0; i < n; i++)
		first = first ? first : p.rc[i];
	free(p.rc);
	free(tid);
	return first;
}

/* One list of a service as an object: the key field of each item -> its
 * value field; NULL (and a warning naming what is left out) when it fails. */
static json_t *list_map(struct os_session *s, const char *service, const char *path, const char *collection,
			const char *key, const char *value, const char *left_out)
{
	json_t *all = NULL, *item, *map;
	struct strbuf err = STRBUF_INIT;
	size_t i;
	if (os_list(s, service, path, collection, &all, &err)) {
		warnx("cannot list %s (%s): %s", collection, left_out, err.buf);
		sb_release(&err);
		return NULL;
	}
	map = json_object();
	json_array_foreach(all, i, item) {
		const char *k = os_jstr(item, key), *v = os_jstr(item, value);
		if (k && v && *v)
			json_object_set_new(map, k, json_string(v));
	}
	json_decref(all);
	sb_release(&err);
	return map;
}

void osvm_names(struct os_session *s, json_t **names)
{
	*names = json_object();
	debug("listing images and ports: the image= and net_id= of the records");
	json_t *images = list_map(s, "image", "/v2/images?limit=1000", "images", "id", "name", "image= shows IDs");
	json_t *nets = list_map(s, "network", "/v2.0/ports?fields=mac_address&fields=network_id", "ports",
				"mac_address", "network_id", "no net_id=");
	if (images)
		json_object_set_new(*names, "images", images);
	if (nets)
		json_object_set_new(*names, "net_ids", nets);
}

static const char *const states[][2] = {
	{ "ACTIVE", "running" }, { "SHUTOFF", "shutoff" }, { "PAUSED", "paused" }, { "SUSPENDED", "suspended" },
	{ "BUILD", "building" }, { "ERROR", "error" }, { "DELETED", "deleted" }, { "SOFT_DELETED", "deleted" },
	{ "REBOOT", "rebooting" }, { "HARD_REBOOT", "rebooting" }, { "SHELVED", "shelved" },
	{ "SHELVED_OFFLOADED", "shelved" }, { "RESIZE", "resizing" }, { "VERIFY_RESIZE", "resizing" },
	{ "REVERT_RESIZE", "resizing" }, { "MIGRATING", "migrating" }, { "RESCUE", "rescue" },
	{ "REBUILD", "rebuilding" }, { "PASSWORD", "running" }, { "UNKNOWN", "unknown" },
};

const char *osvm_state(const char *status)
{
	for (size_t i = 0; status && i < ARRAY_SIZE(states); i++)
		if (strcmp(states[i][0], status) == 0)
			return states[i][1];
	return "unknown";
}

const char *osvm_status_for(const char *state)
{
	for (size_t i = 0; state && i < ARRAY_SIZE(states); i++)
		if (strcmp(states[i][1], state) == 0)
			return states[i][0];
	return NULL;
}

/* The first fixed IPv4 entry of a server's addresses, and the name of its
 * network. */
static const json_t *first_fixed_ipv4(const json_t *server, const char **net)
{
	const char *key;
	json_t *addrs;
	json_object_foreach(json_object_get(server, "addresses"), key, addrs) {
		size_t i;
		json_t *a;
		json_array_foreach(addrs, i, a) {
			const char *type = os_jstr(a, "OS-EXT-IPS:type");
			if (json_integer_value(json_object_get(a, "version")) != 4 || (type && strcmp(type, "fixed")))
				continue;
			if (net)
				*net = key;
			return a;
		}
	}
	return NULL;
}

const char *osvm_first_ipv4(const json_t *server, const char **net)
{
	return os_jstr(first_fixed_ipv4(server, net), "addr");
}

/* The Neutron network of an address: Nova names it only by the network's
 * name, which another project's network may share; the port that holds the
 * address (by its MAC) says which network it is. */
static const char *net_id_of(const json_t *addr, const json_t *names)
{
	const char *mac = os_jstr(addr, "OS-EXT-IPS-MAC:mac_addr");
	return mac ? json_string_value(json_object_get(json_object_get(names, "net_ids"), mac)) : NULL;
}

static int is_floating(const json_t *a)
{
	return str_eq(os_jstr(a, "OS-EXT-IPS:type"), "floating");
}

/* The floating IPv4 addresses of a server, comma-separated ("" when none). */
static void floating_ips(const json_t *server, struct strbuf *out)
{
	const char *key;
	json_t *addrs, *a;
	size_t i;
	json_object_foreach(json_object_get(server, "addresses"), key, addrs)
		json_array_foreach(addrs, i, a)
			if (is_floating(a) && json_integer_value(json_object_get(a, "version")) == 4 && os_jstr(a, "addr"))
				sb_addf(out, "%s%s", out->len ? "," : "", os_jstr(a, "addr"));
}

static void set_nonempty(struct record *r, const char *key, const char *val)
{
	if (val && *val)
		rec_set(r, key, val);
}

static void add_tags(struct record *r, const json_t *meta)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)meta, k, v) {
		char *key = xasprintf("tag.%s", k);
		if (rec_key_valid(key) && json_is_string(v))
			rec_set(r, key, json_string_value(v));
		else
			debug("metadata key '%s' is not a record key: left out", k);
		free(key);
	}
}

static void add_image(struct record *r, const json_t *server, const json_t *names)
{
	const char *id = os_jstr(json_object_get(server, "image"), "id");
	if (!id)
		return; /* booted from a volume: Nova gives "" */
	const char *name = json_string_value(json_object_get(json_object_get(names, "images"), id));
	rec_set(r, "image", name ? name : id);
}

/* show: everything else worth a glance, still one field per fact. */
static void add_detail(struct record *r, const json_t *sv)
{
	struct strbuf ips = STRBUF_INIT, groups = STRBUF_INIT;
	const char *net;
	json_t *list, *a;
	size_t i;
	json_object_foreach(json_object_get(sv, "addresses"), net, list)
		json_array_foreach(list, i, a)
			sb_addf(&ips, "%s%s:%s%s", ips.len ? "," : "", net, os_jstr(a, "addr") ? os_jstr(a, "addr") : "",
				is_floating(a) ? "(floating)" : "");
	json_array_foreach(json_object_get(sv, "security_groups"), i, a)
		if (os_jstr(a, "name") && !strstr(groups.buf, os_jstr(a, "name")))
			sb_addf(&groups, "%s%s", groups.len ? "," : "", os_jstr(a, "name"));
	set_nonempty(r, "addresses", ips.buf);
	set_nonempty(r, "security_groups", groups.buf);
	set_nonempty(r, "az", os_jstr(sv, "OS-EXT-AZ:availability_zone"));
	set_nonempty(r, "task_state", os_jstr(sv, "OS-EXT-STS:task_state"));
	set_nonempty(r, "user_id", os_jstr(sv, "user_id"));
	set_nonempty(r, "created", os_jstr(sv, "created"));
	set_nonempty(r, "updated", os_jstr(sv, "updated"));
	set_nonempty(r, "fault", os_jstr(json_object_get(sv, "fault"), "message"));
	sb_release(&ips);
	sb_release(&groups);
}

/* The fields in the order of cloudctl(7): kind id name state driver cloud
 * project host vcpus mem_mib flavor image ip fip net net_id tag.* status, then
 * the details (keypair: the one Nova injected, which `create --ssh-key` may have made). */
void osvm_record(const json_t *sv, const json_t *names, unsigned what, struct record *r)
{
	const json_t *fl = json_object_get(sv, "flavor");
	const char *net = NULL;
	const json_t *first = first_fixed_ipv4(sv, &net);
	const char *status = os_jstr(sv, "status"), *ip = os_jstr(first, "addr");
	struct strbuf fips = STRBUF_INIT;
	rec_set(r, "kind", "vm");
	rec_set(r, "id", os_jstr(sv, "id"));
	rec_set(r, "name", os_jstr(sv, "name"));
	rec_set(r, "state", osvm_state(status));
	rec_set(r, "driver", "openstack");
	set_nonempty(r, "cloud", osvm_target.cloud);
	set_nonempty(r, "project", os_jstr(sv, "tenant_id"));
	set_nonempty(r, "host", os_jstr(sv, "OS-EXT-SRV-ATTR:host"));
	if (json_is_integer(json_object_get(fl, "vcpus")))
		rec_setf(r, "vcpus", "%lld", (long long)json_integer_value(json_object_get(fl, "vcpus")));
	if (json_is_integer(json_object_get(fl, "ram")))
		rec_setf(r, "mem_mib", "%lld", (long long)json_integer_value(json_object_get(fl, "ram")));
	set_nonempty(r, "flavor", os_jstr(fl, "original_name"));
	add_image(r, sv, names);
	set_nonempty(r, "ip", ip);
	floating_ips(sv, &fips);
	set_nonempty(r, "fip", fips.buf);
	set_nonempty(r, "net", net);
	set_nonempty(r, "net_id", net_id_of(first, names));
	add_tags(r, json_object_get(sv, "metadata"));
	set_nonempty(r, "status", status);
	set_nonempty(r, "keypair", os_jstr(sv, "key_name"));
	if (what & OSREC_DETAIL)
		add_detail(r, sv);
	sb_release(&fips);
}

/* Keys this driver writes: an input value for one of them is stale. */
static int driver_key(const char *key)
{
	static const char *const prefixes[] = { "ip", "net", "tag.", "host", "status", "task_state", "fault",
						"addresses", "cpu", "mem_used_mib", "block", "uptime", "stats_source",
						"flavor", "image", "vcpus", "mem_mib", "fip", "keypair",
						"cloud", "project", "driver" };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (str_starts(key, prefixes[i]))
			return 1;
	return 0;
}

void osvm_merge_input(struct record *out, const struct record *in)
{
	for (size_t i = 0; in && i < in->n; i++)
		if (!rec_get(out, in->f[i].key) && !driver_key(in->f[i].key))
			rec_set(out, in->f[i].key, in->f[i].val);
}

int osvm_timeout(const char *verb, const char *given, const char *dflt, long long *ms)
{
	const char *t = given ? given : dflt;
	if (parse_duration_ms(t, ms) == 0)
		return 0;
	errorx("%s: --timeout '%s': expected a duration such as 90s or 5m", verb, t);
	return EXIT_USAGE;
}
