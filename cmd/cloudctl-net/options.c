/* options.c: the option tables of every cloudctl-net verb and the variables
 * they fill. They live in the executable (exported with -rdynamic), so --help
 * and completion load no driver, and both plugins read the same variables. */
#include "net.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* globals */
const char *net_driver;
struct strlist net_connect;
const char *net_os_cloud, *net_os_region, *net_os_interface;
int net_all_projects;

const struct opt net_globals[] = {
	{ "driver", 0, OPT_STRING, &net_driver, "DRIVER",
	  "openstack or libvirt (default: $CLOUDCTL_NET_DRIVER, else openstack with --os-cloud, "
	  "$OS_CLOUD or $OS_AUTH_URL, else libvirt)", "words:openstack libvirt" },
	{ "connect", 'C', OPT_LIST, &net_connect, "URI", "libvirt URI (default: $LIBVIRT_DEFAULT_URI)",
	  "words:qemu:///system qemu:///session test:///default" },
	{ "os-cloud", 0, OPT_STRING, &net_os_cloud, "CLOUD", "the cloud of clouds.yaml (default: $OS_CLOUD)", NULL },
	{ "os-region-name", 0, OPT_STRING, &net_os_region, "REGION", "OpenStack region (default: $OS_REGION_NAME)",
	  NULL },
	{ "os-interface", 0, OPT_STRING, &net_os_interface, "IFACE",
	  "OpenStack endpoint interface (default: public)", "words:public internal admin" },
	{ "all-projects", 0, OPT_BOOL, &net_all_projects, NULL,
	  "OpenStack: list, show, delete: every project's objects (admin; default: the credentials' project)", NULL },
	OPT_END
};

/* network (both drivers) */
const char *net_cidr, *net_mode, *net_dhcp_range, *net_bridge;
int net_no_dhcp, net_autostart, net_no_start, net_if_missing, net_external, net_shared;
long long net_mtu;
const char *net_description;

const struct opt network_opts[] = {
	{ "cidr", 0, OPT_STRING, &net_cidr, "CIDR", "libvirt: the network's address range (the host has the first)",
	  NULL },
	{ "mode", 0, OPT_STRING, &net_mode, "MODE", "libvirt: nat, isolated or route (default nat)",
	  "words:nat isolated route" },
	{ "dhcp-range", 0, OPT_STRING, &net_dhcp_range, "START-END", "libvirt: the DHCP range", NULL },
	{ "no-dhcp", 0, OPT_BOOL, &net_no_dhcp, NULL, "libvirt: no DHCP server", NULL },
	{ "bridge", 0, OPT_STRING, &net_bridge, "NAME", "libvirt: the bridge's name (default virbrN)", NULL },
	{ "autostart", 0, OPT_BOOL, &net_autostart, NULL, "libvirt: start the network with libvirtd", NULL },
	{ "no-start", 0, OPT_BOOL, &net_no_start, NULL, "libvirt: define the network only", NULL },
	{ "external", 0, OPT_BOOL, &net_external, NULL, "OpenStack: an external network (admin)", NULL },
	{ "shared", 0, OPT_BOOL, &net_shared, NULL, "OpenStack: shared with every project (admin)", NULL },
	{ "mtu", 0, OPT_INT, &net_mtu, "N", "OpenStack: the MTU (default: the cloud's)", NULL },
	{ "description", 0, OPT_STRING, &net_description, "TEXT", "OpenStack: a description", NULL },
	{ "if-missing", 0, OPT_BOOL, &net_if_missing, NULL, "create: one that exists already is reported, not an error",
	  NULL },
	OPT_END
};

/* subnet */
const char *net_network, *net_gateway;
struct strlist net_dns, net_pools;

const struct opt subnet_opts[] = {
	{ "network", 0, OPT_STRING, &net_network, "NET", "create: the subnet's network; list: only this network's",
	  "cmd:network list -o tsv -c name" },
	{ "cidr", 0, OPT_STRING, &net_cidr, "CIDR", "create: the address range, e.g. 10.20.0.0/24", NULL },
	{ "gateway", 0, OPT_STRING, &net_gateway, "IP|none", "create: the gateway (default: the first address)", NULL },
	{ "no-dhcp", 0, OPT_BOOL, &net_no_dhcp, NULL, "create: no DHCP on the subnet", NULL },
	{ "dns", 0, OPT_LIST, &net_dns, "IP", "create: a DNS server handed out by DHCP; repeatable", NULL },
	{ "pool", 0, OPT_LIST, &net_pools, "START-END", "create: an allocation pool; repeatable", NULL },
	{ "description", 0, OPT_STRING, &net_description, "TEXT", "create: a description", NULL },
	{ "if-missing", 0, OPT_BOOL, &net_if_missing, NULL, "create: one that exists already is reported", NULL },
	OPT_END
};

/* router */
const char *net_ext_net, *net_subnet;

const struct opt router_opts[] = {
	{ "external", 0, OPT_STRING, &net_ext_net, "NET",
	  "create, set-gateway: the gateway's external network (set-gateway: none clears it)",
	  "cmd:network list -o tsv -c name" },
	{ "subnet", 0, OPT_STRING, &net_subnet, "SUBNET", "add-interface, remove-interface: the subnet",
	  "cmd:subnet list -o tsv -c name" },
	{ "description", 0, OPT_STRING, &net_description, "TEXT", "create: a description", NULL },
	{ "if-missing", 0, OPT_BOOL, &net_if_missing, NULL, "create: one that exists already is reported", NULL },
	OPT_END
};

/* secgroup */
const struct opt secgroup_opts[] = {
	{ "description", 0, OPT_STRING, &net_description, "TEXT", "create: a description", NULL },
	{ "if-missing", 0, OPT_BOOL, &net_if_missing, NULL, "create: one that exists already is reported", NULL },
	OPT_END
};

/* rule */
const char *net_secgroup, *net_direction, *net_protocol, *net_ports, *net_remote;

const struct opt rule_opts[] = {
	{ "secgroup", 0, OPT_STRING, &net_secgroup, "SG", "create: the security group; list: only its rules",
	  "cmd:secgroup list -o tsv -c name" },
	{ "direction", 0, OPT_STRING, &net_direction, "DIR", "create: ingress (default) or egress",
	  "words:ingress egress" },
	{ "protocol", 0, OPT_STRING, &net_protocol, "PROTO", "create: tcp, udp, icmp or any (default any)",
	  "words:tcp udp icmp any" },
	{ "port", 0, OPT_STRING, &net_ports, "N[-M]", "create: a port or a range (tcp and udp)", NULL },
	{ "remote", 0, OPT_STRING, &net_remote, "CIDR",
	  "create: the peers' addresses (default: any IPv4); its family is the rule's", NULL },
	OPT_END
};

/* fip */
const char *net_server, *net_port;

const struct opt fip_opts[] = {
	{ "external", 0, OPT_STRING, &net_ext_net, "NET", "create: the external network (default: the only one)",
	  "cmd:network list -o tsv -c name" },
	{ "server", 0, OPT_STRING, &net_server, "SERVER", "associate: the server (name or ID) whose port gets it",
	  NULL },
	{ "port", 0, OPT_STRING, &net_port, "PORT", "associate: the port (name or ID) that gets it", NULL },
	{ "description", 0, OPT_STRING, &net_description, "TEXT", "create: a description", NULL },
	OPT_END
};

/* port */
const struct opt port_opts[] = {
	{ "network", 0, OPT_STRING, &net_network, "NET", "create: the port's network; list: only this network's",
	  "cmd:network list -o tsv -c name" },
	{ "description", 0, OPT_STRING, &net_description, "TEXT", "create: a description", NULL },
	{ "if-missing", 0, OPT_BOOL, &net_if_missing, NULL, "create: one that exists already is reported", NULL },
	OPT_END
};

/* tenant */
const struct opt tenant_opts[] = {
	{ "cidr", 0, OPT_STRING, &net_cidr, "CIDR", "create: the subnet's range, e.g. 10.20.0.0/24", NULL },
	{ "external", 0, OPT_STRING, &net_ext_net, "NET",
	  "create: the router's external network (default: the only one; none: no gateway)",
	  "cmd:network list -o tsv -c name" },
	{ "dns", 0, OPT_LIST, &net_dns, "IP", "create: a DNS server for the subnet; repeatable", NULL },
	OPT_END
};

/* ---- records on stdin ---- */

static struct recset input = RECSET_INIT;
static int input_read;

int net_read_input(struct recset **in, struct strbuf *err)
{
	*in = &input;
	if (input_read)
		return 0;
	input_read = 1;
	return rec_read_all(stdin, "<stdin>", &input, err);
}

/* ---- which options go with which driver and action ---- */

static const struct {
	const char *verb;
	const struct opt *opts;
} verb_opts[] = {
	{ "network", network_opts }, { "subnet", subnet_opts }, { "router", router_opts },
	{ "secgroup", secgroup_opts }, { "rule", rule_opts }, { "fip", fip_opts },
	{ "port", port_opts }, { "tenant", tenant_opts },
};

static int given(const struct opt *o)
{
	switch (o->type) {
	case OPT_STRING: return *(const char **)o->value != NULL;
	case OPT_INT: return *(long long *)o->value != 0;
	case OPT_LIST: return ((struct strlist *)o->value)->n > 0;
	default: return *(int *)o->value != 0;
	}
}

/* A scope is a help text's lead-in up to ':', made of words joined by ", "
 * ("create", "add-interface, remove-interface", "libvirt", "OpenStack"). Each
 * word goes to drivers (as --driver spells it) or to actions. */
static int is_scope_word(const char *w)
{
	if (!strcmp(w, "OpenStack"))
		return 1;
	if (!*w)
		return 0;
	for (; *w; w++)
		if (!islower((unsigned char)*w) && *w != '-')
			return 0;
	return 1;
}

static void add_scope(const char *seg, struct strlist *drivers, struct strlist *actions)
{
	size_t n = strcspn(seg, ":;");
	if (seg[n] != ':')
		return;
	struct strlist words = STRLIST_INIT;
	char *s = xstrndup(seg, n), *save = NULL;
	int ok = 1;
	for (char *w = strtok_r(s, ",", &save); w && ok; w = strtok_r(NULL, ",", &save)) {
		w += *w == ' ';
		ok = is_scope_word(w);
		strlist_add(&words, w);
	}
	for (size_t i = 0; ok && i < words.n; i++) {
		const char *w = words.v[i];
		int driver = !strcmp(w, "libvirt") || !strcmp(w, "OpenStack");
		strlist_add(driver ? drivers : actions, !strcmp(w, "OpenStack") ? "openstack" : w);
	}
	strlist_clear(&words);
	free(s);
}

static void scopes(const struct opt *o, struct strlist *drivers, struct strlist *actions)
{
	for (const char *seg = o->help; seg; seg = strstr(seg, "; ") ? strstr(seg, "; ") + 2 : NULL)
		add_scope(seg, drivers, actions);
}

static int listed(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

int net_check_options(const char *verb, const char *action, const char *driver, struct strbuf *why)
{
	const struct opt *o = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(verb_opts); i++)
		if (!strcmp(verb_opts[i].verb, verb))
			o = verb_opts[i].opts;
	int rc = 0;
	for (; !rc && o && o->name; o++) {
		struct strlist drivers = STRLIST_INIT, actions = STRLIST_INIT;
		if (given(o))
			scopes(o, &drivers, &actions);
		if (drivers.n && !listed(&drivers, driver)) {
			sb_addf(why, "--%s is for --driver %s", o->name, drivers.v[0]);
			rc = EXIT_USAGE;
		} else if (actions.n && !listed(&actions, action)) {
			sb_addf(why, "--%s goes with ", o->name);
			for (size_t i = 0; i < actions.n; i++)
				sb_addf(why, "%s%s", i ? (i + 1 == actions.n ? " or " : ", ") : "", actions.v[i]);
			rc = EXIT_USAGE;
		}
		strlist_clear(&drivers);
		strlist_clear(&actions);
	}
	return rc;
}
