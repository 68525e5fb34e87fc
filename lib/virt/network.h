/* network.h: libvirt virtual networks (NAT, isolated, routed; one IPv4 subnet
 * with an optional DHCP range) as net records. The XML is written and read here
 * and nowhere else, so that what create defines is exactly what show reports.
 *
 * Functions that can fail return 0 or an exit code (lib/log.h) and put the
 * reason, one line without the subject, in err; the caller names the subject
 * ("cloudctl-net: network start: NAME: why"). Nothing here prints. */
#ifndef CLOUDCTL_VIRT_NETWORK_H
#define CLOUDCTL_VIRT_NETWORK_H

#include <stdint.h>
#include "virt/virt.h"

/* Forward modes we create. Others libvirt knows (bridge, open, hostdev...) are
 * read and reported by name, never made. */
#define VNET_MODES "nat isolated route"

/* A network as cloudctl sees it: the argument of create and what parsing a
 * definition gives back. Addresses are in host byte order. */
struct vnet {
	char *name, *uuid;   /* uuid: NULL in a spec (libvirt picks one) */
	char *mode;          /* "nat", "isolated", "route", or libvirt's other forward modes */
	char *bridge;        /* NULL: libvirt picks virbrN */
	int has_ip;          /* an IPv4 <ip> element was there */
	uint32_t gateway;    /* the host's address on the network */
	int prefix;          /* 8..30 */
	int dhcp;            /* a DHCP range is served */
	uint32_t dhcp_start, dhcp_end;
	/* State, filled from libvirt (not from the XML). */
	int active, persistent, autostart;
};

void vnet_free(struct vnet *n); /* frees the strings, keeps the struct usable */

/* Build a spec from the command line and check it all: the name, mode, bridge,
 * CIDR (an IPv4 network address, /8 to /30), and the DHCP range (NULL: .2 to the
 * last but one; inside the subnet, not the gateway, start <= end; no_dhcp: none).
 * Returns 0 or EXIT_USAGE with the reason in err. */
int vnet_spec(struct vnet *n, const char *name, const char *cidr, const char *mode, const char *dhcp_range,
	      int no_dhcp, const char *bridge, struct strbuf *err);

/* The <network> definition of a spec (appended to sb). */
void vnet_xml(struct strbuf *sb, const struct vnet *n);

/* Read a <network> definition back (only the fields of struct vnet; the first
 * IPv4 <ip> and its first DHCP range). Returns 0 or EXIT_DATA with err. */
int vnet_parse_xml(const char *xml, struct vnet *n, struct strbuf *err);

/* Dotted quad of a host-order address into buf (16 bytes). */
const char *vnet_ntoa(uint32_t a, char buf[16]);
/* Network address of the subnet (gateway & mask). */
uint32_t vnet_network(const struct vnet *n);

/* The net record of n (kind=net driver=libvirt id= name= state= mode= bridge=
 * cidr= gateway= dhcp_start= dhcp_end= autostart= persistent=), appended to r. */
void vnet_record(const struct vnet *n, struct record *r);

/* Find a network by UUID, then by name. NULL when none (libvirt's error set:
 * vnet_lookup_failed tells "not found" from a broken connection). */
virNetworkPtr vnet_lookup(struct virt_conn *vc, const char *ident);
/* The network a record names: its id (UUID) when present, else its name. */
virNetworkPtr vnet_lookup_record(struct virt_conn *vc, const struct record *r);
/* After a failed lookup: EXIT_NOTFOUND with "not found", or libvirt's reason. */
int vnet_lookup_failed(struct strbuf *err);

/* Parse the definition and state of a network into n. */
int vnet_get(virNetworkPtr net, struct vnet *n, struct strbuf *err);

/* Define the persistent network n, set autostart, start it unless no_start. When
 * a step fails, the network is undefined again: nothing is left half made.
 * Returns 0 and the network in *out, EXIT_EXISTS when the name is taken, or
 * another exit code. */
int vnet_create(struct virt_conn *vc, const struct vnet *n, int autostart, int no_start, virNetworkPtr *out,
		struct strbuf *err);

/* Start (an active one: nothing), stop (destroy; an inactive one: nothing),
 * delete (destroy, then undefine). */
int vnet_start(virNetworkPtr net, struct strbuf *err);
int vnet_stop(virNetworkPtr net, struct strbuf *err);
int vnet_delete(virNetworkPtr net, struct strbuf *err);

/* Every network, active and inactive, sorted by name, into records. */
int vnet_list(struct virt_conn *vc, struct recset *out, struct strbuf *err);

#endif
