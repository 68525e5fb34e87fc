/* verbs.c: network, subnet, secgroup and port: list, show, create, delete. */
#include "osnet.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"

static const char *const crud[] = { "list", "show", "create", "delete", NULL };

/* list --network NET: the network's name or ID to a "?network_id=" filter. */
static int list_in_network(struct osn *x, const struct kind *k, const char *network)
{
	int rc = osn_open(x, k->cols);
	json_t *net = NULL;
	if (!rc && (rc = osn_lookup(x, &K_NET, network, OSN_USE, &net)))
		osn_fail(x, network, rc);
	if (!rc) {
		char *q = xasprintf("?network_id=%s", os_jstr(net, "id"));
		rc = osn_list_action(x, k, q);
		free(q);
	}
	json_decref(net);
	return osn_close(x, rc);
}

/* network */

/* libvirt's options were refused by their scope (opts.c) */
static int network_check(struct osn *x)
{
	if (net_opts.network.mtu && (net_opts.network.mtu < 68 || net_opts.network.mtu > 65535))
		return osn_usage(x, "--mtu %lld: not between 68 and 65535", net_opts.network.mtu);
	return 0;
}

static json_t *network_body(struct osn *x, int *rc)
{
	(void)x;
	*rc = 0;
	json_t *b = json_object();
	if (net_opts.network.external)
		json_object_set_new(b, "router:external", json_true());
	if (net_opts.network.shared)
		json_object_set_new(b, "shared", json_true());
	if (net_opts.network.mtu)
		json_object_set_new(b, "mtu", json_integer(net_opts.network.mtu));
	return b;
}

int cmd_network(int argc, char **argv)
{
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "network", argc, argv, crud);
	if (rc)
		return rc;
	return osn_simple(&x, &K_NET, argc - 1, argv + 1, NULL, network_check, network_body);
}

/* subnet */

int subnet_check(struct osn *x, const char *cidr, const char *gateway, const struct strlist *dns,
		 const struct strlist *pools, int *ip_version)
{
	int fam, prefix, f2;
	unsigned char net[16], a[16], b[16];
	if (!cidr)
		return osn_usage(x, "--cidr is needed");
	if (cidr_parse(cidr, &fam, net, &prefix))
		return osn_usage(x, "--cidr %s: not a network address with a prefix length (e.g. 10.20.0.0/24)", cidr);
	*ip_version = fam;
	if (gateway && strcmp(gateway, "none") &&
	    (ip_parse(gateway, &f2, a) || f2 != fam || !ip_in_cidr(a, net, prefix)))
		return osn_usage(x, "--gateway %s: not an address in %s (or none)", gateway, cidr);
	for (size_t i = 0; dns && i < dns->n; i++)
		if (ip_parse(dns->v[i], &f2, a))
			return osn_usage(x, "--dns %s: not an IP address", dns->v[i]);
	for (size_t i = 0; pools && i < pools->n; i++) {
		const char *p = pools->v[i], *dash = strchr(p, '-');
		char *start = dash ? xstrndup(p, (size_t)(dash - p)) : NULL;
		int bad = !dash || ip_parse(start, &f2, a) || f2 != fam || !ip_in_cidr(a, net, prefix) ||
			  ip_parse(dash + 1, &f2, b) || f2 != fam || !ip_in_cidr(b, net, prefix) || memcmp(a, b, 16) > 0;
		free(start);
		if (bad)
			return osn_usage(x, "--pool %s: not START-END, two addresses in %s in order", p, cidr);
	}
	return 0;
}

json_t *subnet_body(const char *net_id, const char *cidr, int ip_version, const char *gateway, int dhcp,
		    const struct strlist *dns, const struct strlist *pools)
{
	json_t *b = json_object();
	json_object_set_new(b, "network_id", json_string(net_id));
	json_object_set_new(b, "cidr", json_string(cidr));
	json_object_set_new(b, "ip_version", json_integer(ip_version));
	json_object_set_new(b, "enable_dhcp", json_boolean(dhcp));
	if (gateway)
		json_object_set_new(b, "gateway_ip", strcmp(gateway, "none") ? json_string(gateway) : json_null());
	if (dns && dns->n) {
		json_t *d = json_array();
		for (size_t i = 0; i < dns->n; i++)
			json_array_append_new(d, json_string(dns->v[i]));
		json_object_set_new(b, "dns_nameservers", d);
	}
	if (pools && pools->n) {
		json_t *ps = json_array();
		for (size_t i = 0; i < pools->n; i++) {
			const char *dash = strchr(pools->v[i], '-');
			json_t *p = json_object();
			json_object_set_new(p, "start", json_stringn(pools->v[i], (size_t)(dash - pools->v[i])));
			json_object_set_new(p, "end", json_string(dash + 1));
			json_array_append_new(ps, p);
		}
		json_object_set_new(b, "allocation_pools", ps);
	}
	return b;
}

static int subnet_version;

static int subnet_check_opts(struct osn *x)
{
	const struct net_subnet_opts *o = &net_opts.subnet;
	if (!o->network)
		return osn_usage(x, "--network is needed");
	return subnet_check(x, o->cidr, o->gateway, &o->dns, &o->pools, &subnet_version);
}

static json_t *subnet_create_body(struct osn *x, int *rc)
{
	const struct net_subnet_opts *o = &net_opts.subnet;
	json_t *net = NULL;
	if ((*rc = osn_find(x, &K_NET, o->network, &net))) {
		osn_fail(x, o->network, *rc);
		return NULL;
	}
	json_t *b = subnet_body(os_jstr(net, "id"), o->cidr, subnet_version, o->gateway, !o->no_dhcp, &o->dns, &o->pools);
	json_decref(net);
	return b;
}

int cmd_subnet(int argc, char **argv)
{
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "subnet", argc, argv, crud);
	if (rc)
		return rc;
	const char *network = net_opts.subnet.network;
	if (!strcmp(x.action, "list") && network)
		return argc == 1 ? list_in_network(&x, &K_SUBNET, network) : osn_operands(&x, argc - 1, 0, NULL);
	return osn_simple(&x, &K_SUBNET, argc - 1, argv + 1, NULL, subnet_check_opts, subnet_create_body);
}

/* secgroup */

static json_t *empty_body(struct osn *x, int *rc)
{
	(void)x;
	*rc = 0;
	return json_object();
}

int cmd_secgroup(int argc, char **argv)
{
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "secgroup", argc, argv, crud);
	if (rc)
		return rc;
	return osn_simple(&x, &K_SECGROUP, argc - 1, argv + 1, NULL, NULL, empty_body);
}

/* port */

static int port_check(struct osn *x)
{
	return net_opts.port.network ? 0 : osn_usage(x, "--network is needed");
}

static json_t *port_body(struct osn *x, int *rc)
{
	json_t *net = NULL;
	if ((*rc = osn_lookup(x, &K_NET, net_opts.port.network, OSN_USE, &net))) {
		osn_fail(x, net_opts.port.network, *rc);
		return NULL;
	}
	json_t *b = json_object();
	json_object_set_new(b, "network_id", json_string(os_jstr(net, "id")));
	json_decref(net);
	return b;
}

int cmd_port(int argc, char **argv)
{
	struct osn x = { .err = STRBUF_INIT };
	int rc = osn_begin(&x, "port", argc, argv, crud);
	if (rc)
		return rc;
	const char *network = net_opts.port.network;
	if (!strcmp(x.action, "list") && network)
		return argc == 1 ? list_in_network(&x, &K_PORT, network) : osn_operands(&x, argc - 1, 0, NULL);
	return osn_simple(&x, &K_PORT, argc - 1, argv + 1, NULL, port_check, port_body);
}
