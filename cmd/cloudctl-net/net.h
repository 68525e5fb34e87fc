/* net.h: what the executable of cloudctl-net (main.c, options.c: the option
 * tables and their variables) shares with its two driver plugins,
 * cloudctl-net-openstack.so (cmd/cloudctl-net/openstack/) and
 * cloudctl-net-libvirt.so (cmd/cloudctl-net/libvirt/). The plugins read the
 * option values, net_opts, from the executable, which exports it (-rdynamic). */
#ifndef CLOUDCTL_NET_H
#define CLOUDCTL_NET_H

#include "log.h"
#include "opts.h"
#include "record.h"

/* Where every verb acts: the options before the verb (net_globals). */
struct net_target_opts {
	const char *driver;          /* --driver: "openstack" or "libvirt" (after main.c's default) */
	struct strlist connect_uris; /* -C/--connect URI (libvirt); the first one is used */
	const char *os_cloud, *os_region, *os_interface; /* --os-cloud ... (OpenStack) */
	int all_projects;            /* --all-projects (OpenStack): names resolve in every project */
};

/* The create action's, in every verb that has them: osn_create_named, which
 * creates for each verb, reads them (tenant's table has neither). */
struct net_create_opts {
	const char *description; /* --description TEXT (OpenStack) */
	int if_missing;          /* --if-missing: an existing one is reported, not an error */
};

/* network: ACTION [NAME...|-] with ACTION one of list, show, create, delete;
 * libvirt also start and stop. */
struct net_network_opts {
	const char *cidr;       /* --cidr CIDR (libvirt): the host's address is the first one */
	const char *mode;       /* --mode nat|isolated|route (libvirt; default nat) */
	const char *dhcp_range; /* --dhcp-range START-END (libvirt; default: .2 to the last but one) */
	const char *bridge;     /* --bridge NAME (libvirt; default: libvirt's virbrN) */
	int no_dhcp, autostart, no_start; /* libvirt; --no-start: define only */
	int external, shared;   /* OpenStack (admin) */
	long long mtu;          /* --mtu N (OpenStack; 0: the cloud's default) */
};

/* The OpenStack verbs (cmd/cloudctl-net/openstack/); each takes an ACTION as
 * its first operand. */
struct net_subnet_opts {
	const char *network;         /* --network NET: create's network, list's filter */
	const char *cidr, *gateway;  /* create: --cidr, --gateway IP|none */
	int no_dhcp;
	struct strlist dns, pools;   /* create: --dns IP, --pool START-END, repeatable */
};
struct net_router_opts {
	const char *external_net; /* --external NET (create, set-gateway; none clears it) */
	const char *subnet;       /* --subnet SUBNET (add-/remove-interface) */
};
struct net_rule_opts {
	const char *security_group;       /* create's group, list's filter */
	const char *direction, *protocol; /* create: ingress|egress, tcp|udp|icmp|any */
	const char *ports;                /* create: --port N[-M] */
	const char *remote;               /* create: --remote CIDR */
};
struct net_fip_opts {
	const char *external_net;   /* create: --external NET */
	const char *server, *port;  /* associate: --server NAME|ID or --port PORT */
};
struct net_port_opts {
	const char *network; /* --network NET: create's network, list's filter */
};
struct net_tenant_opts {
	const char *cidr, *external_net; /* create: the subnet's range, the router's external network */
	struct strlist dns;
};

/* Every option value of cloudctl-net: the tables of options.c fill them, and
 * the plugins read them from this one instance. A verb's table writes its own
 * member, and target and create only. */
struct net_options {
	struct net_target_opts target;
	struct net_create_opts create;
	struct net_network_opts network;
	struct net_subnet_opts subnet;
	struct net_router_opts router;
	struct net_rule_opts rule;
	struct net_fip_opts fip;
	struct net_port_opts port;
	struct net_tenant_opts tenant;
};
extern struct net_options net_opts;

/* Records on stdin, read once: main.c reads them before choosing the driver
 * when they name it; else the plugin's first call reads stdin. 0, or -1 with
 * the reason in err (the line named). */
int net_read_input(struct recset **in, struct strbuf *err);

/* The option tables (options.c), one per verb. */
extern const struct opt net_globals[], network_opts[], subnet_opts[], router_opts[], secgroup_opts[],
	rule_opts[], fip_opts[], port_opts[], tenant_opts[];

#endif
