/* lvnet.h: what the files of the libvirt driver of cloudctl-net
 * (cloudctl-net-libvirt.so) share. Every name that is not static starts with
 * lvnet_: the executable exports its symbols to the plugin, and one of the same
 * name there would be called instead of ours. */
#ifndef CLOUDCTL_NET_LIBVIRT_H
#define CLOUDCTL_NET_LIBVIRT_H

#include "../net.h"
#include "virt/network.h"

#define LVNET_COLUMNS "name,state,mode,cidr,gateway,bridge,pools,autostart"

/* "cloudctl-net: network ACTION: SUBJECT: why"; returns code. */
int lvnet_fail(int code, const char *action, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Open the connection: the first --connect, else LIBVIRT_DEFAULT_URI, else libvirt's default. */
int lvnet_open(struct virt_conn *vc);

/* The networks an action works on: its operands (names or UUIDs), or records
 * read from stdin when the operand is "-" or there is none. All are resolved
 * before anything is done, so a typo or a malformed line changes nothing. */
struct lvnet_target {
	struct record in; /* the input record (its extra fields pass through); empty for operands */
	char *label;      /* what the user named it by, for messages */
	virNetworkPtr net;
};
struct lvnet_targets {
	struct lvnet_target *t;
	size_t n, cap;
};
int lvnet_resolve(struct virt_conn *vc, const char *action, int argc, char **argv, struct lvnet_targets *ts);
void lvnet_targets_free(struct lvnet_targets *ts);

/* A network's record: kind id name state driver uri mode bridge cidr gateway
 * pools autostart persistent (vnet_record's fields, with the DHCP range as
 * pools=START-END as on OpenStack). lvnet_reorder makes a record of vnet_list so. */
void lvnet_record(const struct vnet *v, const char *uri, struct record *out);
void lvnet_reorder(struct record *r, const char *uri);

/* Output: the writer for -o/-c, a network's record on top of its input record. */
struct rec_writer *lvnet_writer(void);
void lvnet_merge_input(struct record *out, const struct record *in);
int lvnet_finish(struct rec_writer *w, int rc);

#endif
