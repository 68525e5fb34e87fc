/* options.c: the option tables of every cloudctl-net verb and net_opts, the
 * struct they fill. They live in the executable (exported with -rdynamic), so
 * --help and completion load no driver, and both plugins read the same struct. */
#include "net.h"

#include <stdlib.h>
#include <string.h>

struct net_options net_opts;

const struct opt net_globals[] = {
	OPT_STRING("driver", 'D', &net_opts.target.driver, "DRIVER",
	  "openstack or libvirt (default: $CLOUDCTL_NET_DRIVER, else openstack with --os-cloud, "
	  "$OS_CLOUD or $OS_AUTH_URL, else libvirt)", .complete = "words:openstack libvirt"),
	OPT_LIST("connect", 'C', &net_opts.target.connect_uris, "URI", "libvirt URI (default: $LIBVIRT_DEFAULT_URI)",
	  .complete = "words:qemu:///system qemu:///session test:///default"),
	OPT_STRING("os-cloud", 0, &net_opts.target.os_cloud, "CLOUD", "the cloud of clouds.yaml (default: $OS_CLOUD)"),
	OPT_STRING("os-region-name", 0, &net_opts.target.os_region, "REGION",
	  "OpenStack region (default: $OS_REGION_NAME)"),
	OPT_STRING("os-interface", 0, &net_opts.target.os_interface, "IFACE",
	  "OpenStack endpoint interface (default: public)", .complete = "words:public internal admin"),
	OPT_BOOL("all-projects", 0, &net_opts.target.all_projects,
	  "OpenStack: list, show, delete: every project's objects (admin; default: the credentials' project)",
	  .drivers = "openstack"),
	OPT_END
};

/* The create action's options as the OpenStack verbs word them. */
#define DESCRIPTION_OPT \
	OPT_STRING("description", 0, &net_opts.create.description, "TEXT", "create: a description", .actions = "create")
#define IF_MISSING_OPT \
	OPT_BOOL("if-missing", 0, &net_opts.create.if_missing, "create: one that exists already is reported", \
		 .actions = "create")

/* network (both drivers) */
const struct opt network_opts[] = {
	OPT_STRING("cidr", 0, &net_opts.network.cidr, "CIDR",
	  "libvirt: the network's address range (the host has the first)", .drivers = "libvirt", .actions = "create"),
	OPT_STRING("mode", 0, &net_opts.network.mode, "MODE", "libvirt: nat, isolated or route (default nat)",
	  .complete = "words:nat isolated route", .drivers = "libvirt", .actions = "create"),
	OPT_STRING("dhcp-range", 0, &net_opts.network.dhcp_range, "START-END", "libvirt: the DHCP range",
	  .drivers = "libvirt", .actions = "create"),
	OPT_BOOL("no-dhcp", 0, &net_opts.network.no_dhcp, "libvirt: no DHCP server", .drivers = "libvirt",
	  .actions = "create"),
	OPT_STRING("bridge", 0, &net_opts.network.bridge, "NAME", "libvirt: the bridge's name (default virbrN)",
	  .drivers = "libvirt", .actions = "create"),
	OPT_BOOL("autostart", 0, &net_opts.network.autostart, "libvirt: start the network with libvirtd",
	  .drivers = "libvirt", .actions = "create"),
	OPT_BOOL("no-start", 0, &net_opts.network.no_start, "libvirt: define the network only", .drivers = "libvirt",
	  .actions = "create"),
	OPT_BOOL("external", 0, &net_opts.network.external, "OpenStack: an external network (admin)",
	  .drivers = "openstack"),
	OPT_BOOL("shared", 0, &net_opts.network.shared, "OpenStack: shared with every project (admin)",
	  .drivers = "openstack"),
	OPT_INT("mtu", 0, &net_opts.network.mtu, "N", "OpenStack: the MTU (default: the cloud's)",
	  .drivers = "openstack"),
	OPT_STRING("description", 0, &net_opts.create.description, "TEXT", "OpenStack: a description",
	  .drivers = "openstack"),
	OPT_BOOL("if-missing", 0, &net_opts.create.if_missing,
	  "create: one that exists already is reported, not an error", .actions = "create"),
	OPT_END
};

/* subnet */
const struct opt subnet_opts[] = {
	OPT_STRING("network", 0, &net_opts.subnet.network, "NET",
	  "create: the subnet's network; list: only this network's", .complete = "cmd:network list -o tsv -c name",
	  .actions = "create list"),
	OPT_STRING("cidr", 0, &net_opts.subnet.cidr, "CIDR", "create: the address range, e.g. 10.20.0.0/24",
	  .actions = "create"),
	OPT_STRING("gateway", 0, &net_opts.subnet.gateway, "IP|none",
	  "create: the gateway (default: the first address)", .actions = "create"),
	OPT_BOOL("no-dhcp", 0, &net_opts.subnet.no_dhcp, "create: no DHCP on the subnet", .actions = "create"),
	OPT_LIST("dns", 0, &net_opts.subnet.dns, "IP", "create: a DNS server handed out by DHCP; repeatable",
	  .actions = "create"),
	OPT_LIST("pool", 0, &net_opts.subnet.pools, "START-END", "create: an allocation pool; repeatable",
	  .actions = "create"),
	DESCRIPTION_OPT,
	IF_MISSING_OPT,
	OPT_END
};

/* router */
const struct opt router_opts[] = {
	OPT_STRING("external", 0, &net_opts.router.external_net, "NET",
	  "create, set-gateway: the gateway's external network (set-gateway: none clears it)",
	  .complete = "cmd:network list -o tsv -c name", .actions = "create set-gateway"),
	OPT_STRING("subnet", 0, &net_opts.router.subnet, "SUBNET", "add-interface, remove-interface: the subnet",
	  .complete = "cmd:subnet list -o tsv -c name", .actions = "add-interface remove-interface"),
	DESCRIPTION_OPT,
	IF_MISSING_OPT,
	OPT_END
};

/* secgroup */
const struct opt secgroup_opts[] = {
	DESCRIPTION_OPT,
	IF_MISSING_OPT,
	OPT_END
};

/* rule */
const struct opt rule_opts[] = {
	OPT_STRING("security-group", 0, &net_opts.rule.security_group, "SG",
	  "create: the security group; list: only its rules", .complete = "cmd:secgroup list -o tsv -c name",
	  .actions = "create list"),
	OPT_STRING("direction", 0, &net_opts.rule.direction, "DIR", "create: ingress (default) or egress",
	  .complete = "words:ingress egress", .actions = "create"),
	OPT_STRING("protocol", 0, &net_opts.rule.protocol, "PROTO", "create: tcp, udp, icmp or any (default any)",
	  .complete = "words:tcp udp icmp any", .actions = "create"),
	OPT_STRING("port", 0, &net_opts.rule.ports, "N[-M]", "create: a port or a range (tcp and udp)",
	  .actions = "create"),
	OPT_STRING("remote", 0, &net_opts.rule.remote, "CIDR",
	  "create: the peers' addresses (default: any IPv4); its family is the rule's", .actions = "create"),
	OPT_END
};

/* fip */
const struct opt fip_opts[] = {
	OPT_STRING("external", 0, &net_opts.fip.external_net, "NET",
	  "create: the external network (default: the only one)", .complete = "cmd:network list -o tsv -c name",
	  .actions = "create"),
	OPT_STRING("server", 0, &net_opts.fip.server, "SERVER",
	  "associate: the server (name or ID) whose port gets it", .actions = "associate"),
	OPT_STRING("port", 0, &net_opts.fip.port, "PORT", "associate: the port (name or ID) that gets it",
	  .actions = "associate"),
	DESCRIPTION_OPT,
	OPT_END
};

/* port */
const struct opt port_opts[] = {
	OPT_STRING("network", 0, &net_opts.port.network, "NET",
	  "create: the port's network; list: only this network's", .complete = "cmd:network list -o tsv -c name",
	  .actions = "create list"),
	DESCRIPTION_OPT,
	IF_MISSING_OPT,
	OPT_END
};

/* tenant */
const struct opt tenant_opts[] = {
	OPT_STRING("cidr", 0, &net_opts.tenant.cidr, "CIDR", "create: the subnet's range, e.g. 10.20.0.0/24",
	  .actions = "create"),
	OPT_STRING("external", 0, &net_opts.tenant.external_net, "NET",
	  "create: the router's external network (default: the only one; none: no gateway)",
	  .complete = "cmd:network list -o tsv -c name", .actions = "create"),
	OPT_LIST("dns", 0, &net_opts.tenant.dns, "IP", "create: a DNS server for the subnet; repeatable",
	  .actions = "create"),
	OPT_END
};

/* ---- records on stdin ---- */

static struct recset input = RECSET_INIT;
static int input_read, input_rc;
static struct strbuf input_err = STRBUF_INIT;

/* Read once (main.c reads them before the verb, for the target and -c); a
 * later call gets the same records, or the same error. */
int net_read_input(struct recset **in, struct strbuf *err)
{
	*in = &input;
	if (!input_read) {
		input_read = 1;
		input_rc = rec_read_all(stdin, "<stdin>", &input, &input_err);
	}
	if (input_rc < 0)
		sb_adds(err, input_err.buf);
	return input_rc;
}
