/* net.h: what the executable of cloudctl-net (main.c, options.c: the option
 * tables and their variables) shares with its two driver plugins,
 * cloudctl-net-openstack.so (cmd/cloudctl-net/openstack/) and
 * cloudctl-net-libvirt.so (cmd/cloudctl-net/libvirt/). The plugins read these
 * variables from the executable, which exports them (-rdynamic). */
#ifndef CLOUDCTL_NET_H
#define CLOUDCTL_NET_H

#include "log.h"
#include "opts.h"
#include "record.h"

/* Globals. */
extern const char *net_driver;     /* --driver: "openstack" or "libvirt" (after main.c's default) */
extern struct strlist net_connect; /* -C/--connect URI (libvirt); the first one is used */
extern const char *net_os_cloud, *net_os_region, *net_os_interface; /* --os-cloud ... (OpenStack) */
extern int net_all_projects;       /* --all-projects (OpenStack): names resolve in every project */

/* The "network" verb: ACTION [NAME...|-] with ACTION one of list, show, create,
 * delete; libvirt also start and stop. Both drivers read these. */
extern const char *net_cidr;       /* --cidr CIDR: libvirt: the host's address is the first one */
extern const char *net_mode;       /* --mode nat|isolated|route (libvirt; default nat) */
extern const char *net_dhcp_range; /* --dhcp-range START-END (libvirt; default: .2 to the last but one) */
extern int net_no_dhcp;            /* --no-dhcp */
extern const char *net_bridge;     /* --bridge NAME (libvirt; default: libvirt's virbrN) */
extern int net_autostart;          /* --autostart (libvirt) */
extern int net_no_start;           /* --no-start (libvirt: define only) */
extern int net_if_missing;         /* --if-missing: an existing one is reported, not an error */
extern int net_external, net_shared; /* --external, --shared (OpenStack) */
extern long long net_mtu;          /* --mtu N (0: the cloud's default) */

/* OpenStack verbs (cmd/cloudctl-net/openstack/): subnet, router, secgroup,
 * rule, fip, port and tenant; each takes an ACTION as its first operand. */
extern const char *net_network;    /* --network NET: subnet/port create, list filter */
extern const char *net_gateway;    /* --gateway IP|none (subnet create) */
extern struct strlist net_dns;     /* --dns IP, repeatable (subnet create, tenant create) */
extern struct strlist net_pools;   /* --pool START-END, repeatable (subnet create) */
extern const char *net_ext_net;    /* --external NET (router, fip, tenant create) */
extern const char *net_subnet;     /* --subnet SUBNET (router add-/remove-interface) */
extern const char *net_secgroup;   /* --security-group SG (rule) */
extern const char *net_direction;  /* --direction ingress|egress (rule create) */
extern const char *net_protocol;   /* --protocol tcp|udp|icmp|any (rule create) */
extern const char *net_ports;      /* --port N[-M] (rule create) */
extern const char *net_remote;     /* --remote CIDR (rule create) */
extern const char *net_server;     /* --server NAME|ID (fip associate) */
extern const char *net_port;       /* --port PORT (fip associate) */
extern const char *net_description; /* --description TEXT (create) */

/* Records on stdin, read once: main.c reads them before choosing the driver
 * when they name it; else the plugin's first call reads stdin. 0, or -1 with
 * the reason in err (the line named). */
int net_read_input(struct recset **in, struct strbuf *err);

/* The option tables (options.c), one per verb. */
extern const struct opt net_globals[], network_opts[], subnet_opts[], router_opts[], secgroup_opts[],
	rule_opts[], fip_opts[], port_opts[], tenant_opts[];

#endif
