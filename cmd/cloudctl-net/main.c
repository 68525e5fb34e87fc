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

#include "target.h"

/* The fields each kind's records can have (cloudctl(7), "Fields of the cloud
 * kinds"): -c is checked against them (and the piped records' keys) before
 * anything is created or deleted. */
#define COMMON_FIELDS "kind id name state driver cloud project uri status created "
#define NET_FIELDS "external shared mtu subnet_ids "
#define SUBNET_FIELDS "net net_id cidr gateway dhcp dns pools ip_version "
#define ROUTER_FIELDS "external_net external_net_id external_ip "
#define SECGROUP_FIELDS "rules "

/* The verbs run in the plugin of the driver (pick_driver). */
static const struct verb verbs[] = {
	{ .name = "network", .opts = network_opts, .operands = "list | show|delete [NET...|-] | create NAME",
	  .summary = "Networks (OpenStack and libvirt; libvirt also start, stop)",
	  .actions = "list show create delete start stop",
	  .columns = COMMON_FIELDS NET_FIELDS "mode bridge cidr gateway pools autostart persistent" },
	{ .name = "subnet", .opts = subnet_opts,
	  .operands = "list | show|delete [SUBNET...|-] | create NAME --network NET --cidr CIDR",
	  .summary = "Subnets: range, gateway, DHCP, DNS servers, allocation pools", .actions = "list show create delete",
	  .columns = COMMON_FIELDS SUBNET_FIELDS },
	{ .name = "router", .opts = router_opts,
	  .operands = "list | show|delete [ROUTER...|-] | create NAME | add-interface|remove-interface ROUTER --subnet S | "
		      "set-gateway ROUTER --external NET|none",
	  .summary = "Routers, their interfaces and gateways",
	  .actions = "list show create delete add-interface remove-interface set-gateway",
	  .columns = COMMON_FIELDS ROUTER_FIELDS "subnet subnet_id interface" },
	{ .name = "secgroup", .opts = secgroup_opts, .operands = "list | show|delete [SG...|-] | create NAME",
	  .summary = "Security groups", .actions = "list show create delete",
	  .columns = COMMON_FIELDS SECGROUP_FIELDS },
	{ .name = "rule", .opts = rule_opts, .operands = "list | delete [RULE...|-] | create --security-group SG",
	  .summary = "Security group rules", .actions = "list create delete",
	  .columns = COMMON_FIELDS "secgroup secgroup_id direction protocol ports remote ethertype" },
	{ .name = "fip", .opts = fip_opts,
	  .operands = "list | show|delete|disassociate [FIP...|-] | create | associate FIP --server S|--port P",
	  .summary = "Floating IPs", .actions = "list show create associate disassociate delete",
	  .columns = COMMON_FIELDS "ip net net_id port_id fixed_ip server_id" },
	{ .name = "port", .opts = port_opts, .operands = "list | show|delete [PORT...|-] | create NAME --network NET",
	  .summary = "Ports", .actions = "list show create delete",
	  .columns = COMMON_FIELDS "net net_id ip mac device_id owner" },
	{ .name = "tenant", .opts = tenant_opts, .operands = "create NAME --cidr CIDR | delete NAME",
	  .summary = "A tenant network: network, subnet, router with a gateway, security group",
	  .actions = "create delete",
	  .columns = COMMON_FIELDS NET_FIELDS SUBNET_FIELDS ROUTER_FIELDS SECGROUP_FIELDS "tenant" },
	{ .name = NULL },
};

/* Where the command line says cloudctl-net acts (lib/target.h picks the driver). */
static struct target_opts target_opts(void)
{
	const struct net_target_opts *o = &net_opts.target;
	return (struct target_opts){ o->driver, "CLOUDCTL_NET_DRIVER", o->os_cloud, o->connect_uris.n > 0 };
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
		net_opts.target.driver = xstrdup(t.driver);
		if (t.cloud && strcmp(t.cloud, "env"))
			net_opts.target.os_cloud = xstrdup(t.cloud);
		if (t.uri)
			strlist_add(&net_opts.target.connect_uris, t.uri);
	}
	target_spec_clear(&t);
	sb_release(&err);
	return rc;
}

/* The driver, once the records (when they name it) are read; the verbs but
 * network are OpenStack's. Options are checked against it by their scopes (opts.c). */
static int net_pick_driver(const struct verb *v, const char **driver)
{
	int rc;
	if (reads_records(tool_operand_count, tool_operands) && !isatty(STDIN_FILENO)) {
		if (!target_named() && (rc = target_from_input()))
			return rc;
		struct recset *in;
		struct strbuf err = STRBUF_INIT;
		if (net_read_input(&in, &err) == 0) /* else the verb reports it */
			tool_input = in;
		sb_release(&err);
	}
	if (!net_opts.target.driver) {
		struct target_opts o = target_opts();
		net_opts.target.driver = target_driver(&o);
	}
	if (strcmp(net_opts.target.driver, "openstack") != 0 && strcmp(net_opts.target.driver, "libvirt") != 0) {
		errorx("unknown driver '%s' (openstack, libvirt)", net_opts.target.driver);
		return EXIT_USAGE;
	}
	if (strcmp(net_opts.target.driver, "libvirt") == 0 && strcmp(v->name, "network") != 0) {
		errorx("%s: only with --driver openstack", v->name);
		return EXIT_USAGE;
	}
	*driver = net_opts.target.driver;
	return 0;
}

static const struct tool tool = {
	.name = "cloudctl-net", .verbs = verbs, .globals = net_globals,
	.summary = "Networks, subnets, routers, security groups, floating IPs and ports: OpenStack and libvirt.",
	.drivers = "openstack libvirt", .pick_driver = net_pick_driver,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
