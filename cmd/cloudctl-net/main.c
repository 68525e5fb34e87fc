/* cloudctl-net: networks, subnets, routers, security groups and rules,
 * floating IPs and ports on OpenStack (Neutron), networks on libvirt, and a
 * one-command tenant network. main.c holds the verb table and picks the driver;
 * the verbs run in the driver's plugin (cloudctl-net-openstack.so or
 * cloudctl-net-libvirt.so), so --help and completion load neither. A command
 * that names no target (driver, cloud, URI) and acts on piped records takes
 * its target from them (lib/target.h). */
#include "net.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"
#include "target.h"

static int dispatch(const char *verb, int argc, char **argv);

static int run_network(int argc, char **argv)
{
	return dispatch("network", argc, argv);
}

static int run_subnet(int argc, char **argv)
{
	return dispatch("subnet", argc, argv);
}

static int run_router(int argc, char **argv)
{
	return dispatch("router", argc, argv);
}

static int run_secgroup(int argc, char **argv)
{
	return dispatch("secgroup", argc, argv);
}

static int run_rule(int argc, char **argv)
{
	return dispatch("rule", argc, argv);
}

static int run_fip(int argc, char **argv)
{
	return dispatch("fip", argc, argv);
}

static int run_port(int argc, char **argv)
{
	return dispatch("port", argc, argv);
}

static int run_tenant(int argc, char **argv)
{
	return dispatch("tenant", argc, argv);
}

static const struct verb verbs[] = {
	{ "network", run_network, network_opts, "list | show|delete [NET...|-] | create NAME",
	  "Networks (OpenStack and libvirt; libvirt also start, stop)", "words:list show create delete start stop",
	  NULL },
	{ "subnet", run_subnet, subnet_opts, "list | show|delete [SUBNET...|-] | create NAME --network NET --cidr CIDR",
	  "Subnets: range, gateway, DHCP, DNS servers, allocation pools", "words:list show create delete", NULL },
	{ "router", run_router, router_opts,
	  "list | show|delete [ROUTER...|-] | create NAME | add-interface|remove-interface ROUTER --subnet S | "
	  "set-gateway ROUTER --external NET|none",
	  "Routers, their interfaces and gateways",
	  "words:list show create delete add-interface remove-interface set-gateway", NULL },
	{ "secgroup", run_secgroup, secgroup_opts, "list | show|delete [SG...|-] | create NAME", "Security groups",
	  "words:list show create delete", NULL },
	{ "rule", run_rule, rule_opts, "list | delete [RULE...|-] | create --secgroup SG",
	  "Security group rules", "words:list create delete", NULL },
	{ "fip", run_fip, fip_opts,
	  "list | show|delete|disassociate [FIP...|-] | create | associate FIP --server S|--port P",
	  "Floating IPs", "words:list show create associate disassociate delete", NULL },
	{ "port", run_port, port_opts, "list | show|delete [PORT...|-] | create NAME --network NET", "Ports",
	  "words:list show create delete", NULL },
	{ "tenant", run_tenant, tenant_opts, "create NAME --cidr CIDR | delete NAME",
	  "A tenant network: network, subnet, router with a gateway, security group", "words:create delete", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

/* Where the command line says cloudctl-net acts (lib/target.h picks the driver). */
static struct target_opts target_opts(void)
{
	return (struct target_opts){ net_driver, "CLOUDCTL_NET_DRIVER", net_os_cloud, net_connect.n > 0 };
}

static const char *plugin_for(const struct verb *v)
{
	if (!net_driver) {
		struct target_opts o = target_opts();
		net_driver = target_driver(&o);
	}
	if (!strcmp(net_driver, "openstack"))
		return NET_OPENSTACK_PLUGIN;
	if (strcmp(net_driver, "libvirt")) {
		errorx("unknown driver '%s' (openstack, libvirt)", net_driver);
		return NULL;
	}
	if (strcmp(v->name, "network")) {
		errorx("%s: only with --driver openstack", v->name);
		return NULL;
	}
	return NET_LIBVIRT_PLUGIN;
}

/* The actions that act on objects named by records when no operand (or "-")
 * names them. */
static int reads_records(int argc, char **argv)
{
	static const char *const actions[] = { "show", "delete", "disassociate", "start", "stop", NULL };
	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "-")))
		return 0;
	for (const char *const *a = actions; *a; a++)
		if (!strcmp(argv[0], *a))
			return 1;
	return 0;
}

/* Whether the command line or the environment names where to act. */
static int target_named(void)
{
	struct target_opts o = target_opts();
	return target_is_named(&o);
}

/* Nothing names a target and the records will: read them now, before the
 * driver is chosen, and take the driver, cloud or URI they name (all alike, or
 * 65). The plugin gets them from net_read_input. */
static int target_from_input(void)
{
	struct strbuf err = STRBUF_INIT;
	struct recset *in;
	struct target_spec t = TARGET_SPEC_INIT;
	int rc = 0;
	if (net_read_input(&in, &err) < 0)
		rc = EXIT_DATA;
	else
		rc = target_from_records(in, "<stdin>", &t, &err);
	if (rc) {
		errorx("%s", err.buf);
	} else if (t.driver) {
		net_driver = xstrdup(t.driver);
		if (t.cloud && strcmp(t.cloud, "env"))
			net_os_cloud = xstrdup(t.cloud);
		if (t.uri)
			strlist_add(&net_connect, t.uri);
	}
	target_spec_clear(&t);
	sb_release(&err);
	return rc;
}

static int dispatch(const char *verb, int argc, char **argv)
{
	int rc;
	if (reads_records(argc, argv) && !target_named() && !isatty(STDIN_FILENO) && (rc = target_from_input()))
		return rc;
	const struct verb *v = verbs;
	while (strcmp(v->name, verb))
		v++;
	const char *plugin = plugin_for(v);
	return plugin ? plugin_run(plugin, verb, argc, argv) : EXIT_USAGE;
}

static const struct tool tool = {
	"cloudctl-net", "Networks, subnets, routers, security groups, floating IPs and ports: OpenStack and libvirt.",
	verbs, net_globals, NULL, NET_OPENSTACK_PLUGIN, plugin_for,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
