/* cloudctl-net: networks, subnets, routers, security groups and rules,
 * floating IPs and ports on OpenStack (Neutron), networks on libvirt, and a
 * one-command tenant network. main.c holds the verb table and picks the driver;
 * the verbs run in the driver's plugin (cloudctl-net-openstack.so or
 * cloudctl-net-libvirt.so), so --help and completion load neither. */
#include "net.h"

#include <stdlib.h>
#include <string.h>

static const struct verb verbs[] = {
	{ "network", NULL, network_opts, "list | show|delete [NET...|-] | create NAME",
	  "Networks (OpenStack and libvirt; libvirt also start, stop)", "words:list show create delete start stop",
	  NULL },
	{ "subnet", NULL, subnet_opts, "list | show|delete [SUBNET...|-] | create NAME --network NET --cidr CIDR",
	  "Subnets: range, gateway, DHCP, DNS servers, allocation pools", "words:list show create delete", NULL },
	{ "router", NULL, router_opts,
	  "list | show|delete [ROUTER...|-] | create NAME | add-interface|remove-interface ROUTER --subnet S | "
	  "set-gateway ROUTER --external NET|none",
	  "Routers, their interfaces and gateways",
	  "words:list show create delete add-interface remove-interface set-gateway", NULL },
	{ "secgroup", NULL, secgroup_opts, "list | show|delete [SG...|-] | create NAME", "Security groups",
	  "words:list show create delete", NULL },
	{ "rule", NULL, rule_opts, "list | delete [RULE...|-] | create --secgroup SG",
	  "Security group rules", "words:list create delete", NULL },
	{ "fip", NULL, fip_opts,
	  "list | show|delete|disassociate [FIP...|-] | create | associate FIP --server S|--port P",
	  "Floating IPs", "words:list show create associate disassociate delete", NULL },
	{ "port", NULL, port_opts, "list | show|delete [PORT...|-] | create NAME --network NET", "Ports",
	  "words:list show create delete", NULL },
	{ "tenant", NULL, tenant_opts, "create NAME --cidr CIDR | delete NAME",
	  "A tenant network: network, subnet, router with a gateway, security group", "words:create delete", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static int is_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

/* --driver, else $CLOUDCTL_NET_DRIVER, else what the other options and the
 * environment point at: an explicit --os-cloud or --connect first, then
 * OS_CLOUD / OS_AUTH_URL (an OpenStack user's shell), else libvirt. */
static const char *default_driver(void)
{
	if (is_set("CLOUDCTL_NET_DRIVER"))
		return getenv("CLOUDCTL_NET_DRIVER");
	if (net_os_cloud)
		return "openstack";
	if (net_connect.n)
		return "libvirt";
	if (is_set("OS_CLOUD") || is_set("OS_AUTH_URL"))
		return "openstack";
	return "libvirt";
}

static const char *plugin_for(const struct verb *v)
{
	if (!net_driver)
		net_driver = default_driver();
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

static const struct tool tool = {
	"cloudctl-net", "Networks, subnets, routers, security groups, floating IPs and ports: OpenStack and libvirt.",
	verbs, net_globals, NULL, NET_OPENSTACK_PLUGIN, plugin_for,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
