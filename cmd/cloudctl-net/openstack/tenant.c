/* tenant.c: tenant create NAME: network NAME-net, subnet NAME-subnet, router
 * NAME-router (gateway on the external network, an interface on the subnet),
 * security group NAME-sg (ssh and ICMP in over IPv4; Neutron's default rules
 * let everything out). A second run creates only what is missing; a failure
 * midway, or SIGINT/SIGTERM between two steps, deletes again what this run
 * created (the step in flight is finished first: a request is never cut).
 * tenant delete NAME undoes it. */
#include "osnet.h"
#include "interrupt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* tenant's options (net.h). */
static const struct net_tenant_opts *const asked = &net_opts.tenant;

enum { T_NET, T_SUBNET, T_ROUTER, T_SG, T_N };

struct tenant {
	const char *name;
	char *names[T_N];
	json_t *obj[T_N];   /* found or created */
	int created[T_N];
	int iface_added, gw_set;
	json_t *ext;        /* the external network, or NULL */
};

static const struct kind *const kinds[T_N] = { &K_NET, &K_SUBNET, &K_ROUTER, &K_SECGROUP };
static const char *const suffixes[T_N] = { "-net", "-subnet", "-router", "-sg" };

/* The rules NAME-sg must have besides Neutron's egress defaults. */
static const struct { const char *protocol, *ports; } wanted_rules[] = { { "tcp", "22" }, { "icmp", NULL } };
#define TENANT_REMOTE "0.0.0.0/0"

static void tenant_release(struct tenant *t)
{
	for (int i = 0; i < T_N; i++) {
		free(t->names[i]);
		json_decref(t->obj[i]);
	}
	json_decref(t->ext);
}

static const char *id_of(const struct tenant *t, int i)
{
	return os_jstr(t->obj[i], "id");
}

static const char *id_of_ext(const struct tenant *t)
{
	return os_jstr(t->ext, "id");
}

/* Each object of the tenant, or NULL where there is none. */
static int find_all(struct osn *x, struct tenant *t)
{
	for (int i = 0; i < T_N; i++) {
		t->names[i] = xasprintf("%s%s", t->name, suffixes[i]);
		int rc = osn_find(x, kinds[i], t->names[i], &t->obj[i]);
		if (rc == EXIT_NOTFOUND) {
			sb_reset(&x->err);
			continue;
		}
		if (rc)
			return osn_fail(x, t->names[i], rc);
	}
	return 0;
}

static int create(struct osn *x, struct tenant *t, int i, json_t *body)
{
	json_object_set_new(body, "name", json_string(t->names[i]));
	int rc = osn_post(x, kinds[i], body, &t->obj[i]);
	if (rc)
		return osn_fail(x, t->names[i], rc);
	t->created[i] = 1;
	return 0;
}

/* Does the router have an interface on the subnet? */
static int has_interface(struct osn *x, struct tenant *t, int *yes)
{
	json_t *ports = NULL, *p, *ip;
	char *q = xasprintf("?device_id=%s&network_id=%s", id_of(t, T_ROUTER), id_of(t, T_NET));
	int rc = osn_get_list(x, &K_PORT, q, &ports);
	free(q);
	size_t i, j;
	*yes = 0;
	json_array_foreach(ports, i, p)
		json_array_foreach(json_object_get(p, "fixed_ips"), j, ip)
			*yes |= str_eq(os_jstr(ip, "subnet_id"), id_of(t, T_SUBNET));
	json_decref(ports);
	return rc ? osn_fail(x, t->names[T_ROUTER], rc) : 0;
}

static int ensure_router(struct osn *x, struct tenant *t)
{
	const char *ext_id = t->ext ? os_jstr(t->ext, "id") : NULL;
	json_t *gw = ext_id ? json_pack("{s:s}", "network_id", ext_id) : NULL;
	int rc = 0, yes;
	if (!t->obj[T_ROUTER]) {
		json_t *b = json_object();
		if (gw)
			json_object_set(b, "external_gateway_info", gw);
		rc = create(x, t, T_ROUTER, b);
	} else if (gw && !os_jstr(json_object_get(t->obj[T_ROUTER], "external_gateway_info"), "network_id")) {
		json_t *updated = NULL;
		if ((rc = osn_put(x, &K_ROUTER, id_of(t, T_ROUTER), json_pack("{s:O}", "external_gateway_info", gw),
				  &updated)))
			osn_fail(x, t->names[T_ROUTER], rc);
		else {
			json_decref(t->obj[T_ROUTER]);
			t->obj[T_ROUTER] = updated;
			t->gw_set = 1;
		}
	}
	json_decref(gw);
	if (rc || (rc = has_interface(x, t, &yes)) || yes)
		return rc;
	if ((rc = router_interface(x, id_of(t, T_ROUTER), id_of(t, T_SUBNET), 1, NULL)))
		return osn_fail(x, t->names[T_ROUTER], rc);
	t->iface_added = 1;
	return 0;
}

static int rule_present(const json_t *rules, const char *protocol, const char *ports)
{
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		json_t *lo = json_object_get(r, "port_range_min");
		if (str_eq(os_jstr(r, "direction"), "ingress") && str_eq(os_jstr(r, "ethertype"), "IPv4") &&
		    str_eq(os_jstr(r, "protocol"), protocol) && str_eq(os_jstr(r, "remote_ip_prefix"), TENANT_REMOTE) &&
		    (ports ? json_integer_value(lo) == atoll(ports) : json_is_null(lo) || !lo))
			return 1;
	}
	return 0;
}

static int ensure_secgroup(struct osn *x, struct tenant *t)
{
	int rc;
	if (!t->obj[T_SG]) {
		json_t *b = json_pack("{s:s}", "description", "cloudctl-net tenant: ssh and ICMP in, everything out");
		if ((rc = create(x, t, T_SG, b)))
			return rc;
	}
	const json_t *rules = json_object_get(t->obj[T_SG], "security_group_rules");
	for (size_t i = 0; i < ARRAY_SIZE(wanted_rules); i++) {
		if (rule_present(rules, wanted_rules[i].protocol, wanted_rules[i].ports))
			continue;
		json_t *b = rule_body(id_of(t, T_SG), "ingress", wanted_rules[i].protocol, wanted_rules[i].ports,
				      TENANT_REMOTE);
		if ((rc = osn_post(x, &K_RULE, b, NULL)))
			return osn_fail(x, t->names[T_SG], rc);
	}
	/* the group again, with its rules counted */
	json_t *sg = NULL;
	if ((rc = osn_find(x, &K_SECGROUP, id_of(t, T_SG), &sg)))
		return osn_fail(x, t->names[T_SG], rc);
	json_decref(t->obj[T_SG]);
	t->obj[T_SG] = sg;
	return 0;
}

/* DELETE of a subnet or network that Neutron still answers with 409 for a
 * moment after its router interface went, or while the DHCP agent is making
 * its port: tried again for up to 10 s. Sleeps run to their end even after a
 * signal: this is the undoing, it must finish. */
static int delete_settled(struct osn *x, int i, const char *id)
{
	int rc = osn_delete_id(x, kinds[i], id);
	for (int tries = 0; rc == EXIT_EXISTS && (i == T_SUBNET || i == T_NET) && tries < 20; tries++) {
		struct timespec ts = { 0, 500 * 1000 * 1000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		sb_reset(&x->err);
		rc = osn_delete_id(x, kinds[i], id);
	}
	return rc;
}

/* Undo what this run did, newest first; each failure is reported and the rest
 * is still tried. */
static void rollback(struct osn *x, struct tenant *t)
{
	int rc;
	if (t->created[T_SG] && (rc = osn_delete_id(x, &K_SECGROUP, id_of(t, T_SG))))
		osn_fail(x, t->names[T_SG], rc);
	if (t->iface_added && (rc = router_interface(x, id_of(t, T_ROUTER), id_of(t, T_SUBNET), 0, NULL)))
		osn_fail(x, t->names[T_ROUTER], rc);
	if (t->gw_set && !t->created[T_ROUTER] &&
	    (rc = osn_put(x, &K_ROUTER, id_of(t, T_ROUTER), json_pack("{s:{}}", "external_gateway_info"), NULL)))
		osn_fail(x, t->names[T_ROUTER], rc);
	for (int i = T_ROUTER; i >= T_NET; i--)
		if (t->created[i] && (rc = delete_settled(x, i, id_of(t, i))))
			osn_fail(x, t->names[i], rc);
}

/* The DNS servers of a subnet, comma-joined, in Neutron's order. */
static char *dns_of(const json_t *sn)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(sn, "dns_nameservers"), i, v)
		sb_addf(&sb, "%s%s", sb.len ? "," : "", json_string_value(v));
	return sb_detach(&sb);
}

/* An existing router's gateway must be on the external network asked for
 * (none: not looked at): a router left on another one is not what was asked. */
static int check_router(struct osn *x, struct tenant *t)
{
	const char *gw = os_jstr(json_object_get(t->obj[T_ROUTER], "external_gateway_info"), "network_id");
	if (!t->obj[T_ROUTER] || !t->ext || !gw || str_eq(gw, id_of_ext(t)))
		return 0;
	sb_fail(&x->err, EXIT_EXISTS, "exists with its gateway on network %s, not %s", gw, id_of_ext(t));
	return osn_fail(x, t->names[T_ROUTER], EXIT_EXISTS);
}

/* An existing subnet must be the one asked for: its range, and the DNS
 * servers when --dns is given. */
static int check_existing(struct osn *x, struct tenant *t)
{
	const json_t *sn = t->obj[T_SUBNET];
	if (!sn)
		return check_router(x, t);
	struct strbuf want = STRBUF_INIT;
	for (size_t i = 0; i < asked->dns.n; i++)
		sb_addf(&want, "%s%s", i ? "," : "", asked->dns.v[i]);
	char *have = dns_of(sn);
	int dns_differ = asked->dns.n && strcmp(have, want.buf);
	if (dns_differ)
		sb_fail(&x->err, EXIT_EXISTS, "exists with DNS servers %s, not %s", *have ? have : "none", want.buf);
	free(have);
	sb_release(&want);
	if (dns_differ)
		return osn_fail(x, t->names[T_SUBNET], EXIT_EXISTS);
	if (!str_eq(os_jstr(sn, "cidr"), asked->cidr))
		sb_fail(&x->err, EXIT_EXISTS, "exists with cidr %s, not %s", os_jstr(sn, "cidr"), asked->cidr);
	else if (!t->obj[T_NET] || !str_eq(os_jstr(sn, "network_id"), id_of(t, T_NET)))
		sb_fail(&x->err, EXIT_EXISTS, "exists on another network than %s", t->names[T_NET]);
	else
		return check_router(x, t);
	return osn_fail(x, t->names[T_SUBNET], EXIT_EXISTS);
}

static void refetch(struct osn *x, struct tenant *t, int i)
{
	json_t *o = NULL;
	if (!osn_find(x, kinds[i], id_of(t, i), &o)) {
		json_decref(t->obj[i]);
		t->obj[i] = o;
	}
	sb_reset(&x->err);
}

/* After each step: a signal stops the run here (130). */
static int step_done(struct osn *x, struct tenant *t, int rc)
{
	if (rc || !interrupted())
		return rc;
	sb_fail(&x->err, interrupt_exit_code(), "interrupted: what this run made is deleted again");
	return osn_fail(x, t->name, interrupt_exit_code());
}

static int tenant_create(struct osn *x, struct tenant *t, int ip_version)
{
	int rc;
	if (!str_eq(asked->external_net, "none") && (rc = osn_external_net(x, asked->external_net, &t->ext)))
		return osn_fail(x, asked->external_net ? asked->external_net : t->name, rc);
	if ((rc = find_all(x, t)) || (rc = check_existing(x, t)) || (rc = step_done(x, t, 0)))
		return rc;
	if (!t->obj[T_NET])
		rc = step_done(x, t, create(x, t, T_NET, json_object()));
	if (!rc && !t->obj[T_SUBNET]) {
		json_t *body = subnet_body(id_of(t, T_NET), asked->cidr, ip_version, NULL, 1, &asked->dns, NULL);
		rc = step_done(x, t, create(x, t, T_SUBNET, body));
	}
	if (!rc)
		rc = step_done(x, t, ensure_router(x, t));
	if (!rc)
		rc = step_done(x, t, ensure_secgroup(x, t));
	if (rc) {
		rollback(x, t);
		return rc;
	}
	/* the network (with its subnet) and the router (with its gateway) as they are now */
	if (t->created[T_SUBNET])
		refetch(x, t, T_NET);
	if (t->iface_added || t->gw_set)
		refetch(x, t, T_ROUTER);
	for (int i = 0; i < T_N; i++) {
		struct record r = RECORD_INIT;
		osn_record(x, &r, kinds[i], t->obj[i]);
		rec_set(&r, "tenant", t->name);
		rec_set(&r, "created", t->created[i] ? "true" : "false");
		rec_write(x->w, &r);
		rec_clear(&r);
	}
	return 0;
}

static void emit_state(struct osn *x, struct tenant *t, int i, const char *state)
{
	struct record r = RECORD_INIT;
	if (t->obj[i])
		osn_record(x, &r, kinds[i], t->obj[i]);
	else { /* the fields every record begins with (osn_record), as far as known */
		rec_set(&r, "kind", kinds[i]->kind);
		rec_set(&r, "name", t->names[i]);
		rec_set(&r, "state", state);
		rec_set(&r, "driver", "openstack");
		rec_set(&r, "cloud", osn_cloud(x));
		rec_set(&r, "project", x->project);
	}
	rec_set(&r, "tenant", t->name);
	if (state)
		rec_set(&r, "state", state);
	rec_write(x->w, &r);
	rec_clear(&r);
}

/* Every interface of the router removed, then its gateway cleared. */
static int strip_router(struct osn *x, struct tenant *t)
{
	json_t *ports = NULL, *p, *ip;
	char *q = xasprintf("?device_id=%s", id_of(t, T_ROUTER));
	int rc = osn_get_list(x, &K_PORT, q, &ports);
	free(q);
	size_t i, j;
	json_array_foreach(ports, i, p) {
		if (rc || !str_starts(os_jstr(p, "device_owner"), "network:router_interface"))
			continue;
		json_array_foreach(json_object_get(p, "fixed_ips"), j, ip)
			if (!rc)
				rc = router_interface(x, id_of(t, T_ROUTER), os_jstr(ip, "subnet_id"), 0, NULL);
	}
	json_decref(ports);
	if (!rc && os_jstr(json_object_get(t->obj[T_ROUTER], "external_gateway_info"), "network_id"))
		rc = osn_put(x, &K_ROUTER, id_of(t, T_ROUTER), json_pack("{s:{}}", "external_gateway_info"), NULL);
	return rc ? osn_fail(x, t->names[T_ROUTER], rc) : 0;
}

static int tenant_delete(struct osn *x, struct tenant *t)
{
	static const int order[] = { T_ROUTER, T_SUBNET, T_NET, T_SG };
	int rc = find_all(x, t);
	if (rc)
		return rc;
	if (t->obj[T_ROUTER] && (rc = strip_router(x, t)))
		return rc;
	for (size_t n = 0; n < ARRAY_SIZE(order); n++) {
		int i = order[n];
		if (interrupted()) { /* what is left gets its record as it is */
			if (t->obj[i])
				emit_state(x, t, i, NULL);
			rc = interrupt_exit_code();
			continue;
		}
		if (!t->obj[i]) {
			info("tenant delete: %s: not there", t->names[i]);
			emit_state(x, t, i, "absent");
			continue;
		}
		if ((rc = delete_settled(x, i, id_of(t, i))))
			return osn_fail(x, t->names[i], rc);
		emit_state(x, t, i, "deleted");
	}
	if (rc) {
		sb_fail(&x->err, rc, "interrupted: the objects not deleted are written as they are");
		osn_fail(x, t->name, rc);
	}
	return rc;
}

int cmd_tenant(int argc, char **argv)
{
	static const char *const actions[] = { "create", "delete", NULL };
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "tenant", argc, argv, actions), ip_version = 4;
	if (rc || (rc = osn_operands(&x, argc - 1, 1, "NAME")))
		return rc;
	struct tenant t = { .name = argv[1] };
	if (!*t.name || strpbrk(t.name, " /"))
		return osn_usage(&x, "'%s': not a usable name", t.name);
	int create_it = !strcmp(x.action, "create");
	if (create_it && (rc = subnet_check(&x, asked->cidr, NULL, &asked->dns, NULL, &ip_version)))
		return rc;
	if ((rc = osn_open(&x, "kind,name,id,status,created,state")))
		return rc;
	rc = create_it ? tenant_create(&x, &t, ip_version) : tenant_delete(&x, &t);
	tenant_release(&t);
	return osn_close(&x, rc);
}
