/* kinds.c: each Neutron resource's collection and the fields of its record. */
#include "osnet.h"

#include <string.h>

static const char *yesno(const json_t *v)
{
	return json_is_true(v) ? "true" : "false";
}

/* The strings of an array (or one member of each object in it), comma-joined. */
static void set_joined(struct record *r, const char *key, const json_t *arr, const char *member)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *s = member ? os_jstr(v, member) : json_string_value(v);
		if (s)
			sb_addf(&sb, "%s%s", sb.len ? "," : "", s);
	}
	if (sb.len)
		rec_set(r, key, sb.buf);
	sb_release(&sb);
}

static void fill_net(struct osn *x, struct record *r, const json_t *o)
{
	(void)x;
	rec_set(r, "external", yesno(json_object_get(o, "router:external")));
	rec_set(r, "shared", yesno(json_object_get(o, "shared")));
	json_t *mtu = json_object_get(o, "mtu");
	if (json_is_integer(mtu))
		rec_setf(r, "mtu", "%lld", (long long)json_integer_value(mtu));
	set_joined(r, "subnet_ids", json_object_get(o, "subnets"), NULL);
}

static void fill_subnet(struct osn *x, struct record *r, const json_t *o)
{
	osn_set_ref(x, r, &K_NET, "net", os_jstr(o, "network_id"));
	rec_set(r, "cidr", os_jstr(o, "cidr"));
	const char *gw = os_jstr(o, "gateway_ip");
	rec_set(r, "gateway", gw ? gw : "none");
	rec_set(r, "dhcp", yesno(json_object_get(o, "enable_dhcp")));
	set_joined(r, "dns", json_object_get(o, "dns_nameservers"), NULL);
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(o, "allocation_pools"), i, p)
		sb_addf(&sb, "%s%s-%s", sb.len ? "," : "", os_jstr(p, "start"), os_jstr(p, "end"));
	if (sb.len)
		rec_set(r, "pools", sb.buf);
	sb_release(&sb);
	rec_setf(r, "ip_version", "%lld", (long long)json_integer_value(json_object_get(o, "ip_version")));
}

static void fill_router(struct osn *x, struct record *r, const json_t *o)
{
	const json_t *gw = json_object_get(o, "external_gateway_info");
	osn_set_ref(x, r, &K_NET, "external_net", os_jstr(gw, "network_id"));
	set_joined(r, "external_ip", json_object_get(gw, "external_fixed_ips"), "ip_address");
}

static void fill_secgroup(struct osn *x, struct record *r, const json_t *o)
{
	(void)x;
	rec_setf(r, "rules", "%zu", json_array_size(json_object_get(o, "security_group_rules")));
}

static void fill_rule(struct osn *x, struct record *r, const json_t *o)
{
	osn_set_ref(x, r, &K_SECGROUP, "secgroup", os_jstr(o, "security_group_id"));
	rec_set(r, "direction", os_jstr(o, "direction"));
	const char *proto = os_jstr(o, "protocol");
	rec_set(r, "protocol", proto ? proto : "any");
	const json_t *lo = json_object_get(o, "port_range_min"), *hi = json_object_get(o, "port_range_max");
	if (!json_is_integer(lo))
		rec_set(r, "ports", "any");
	else if (!json_is_integer(hi) || json_integer_value(hi) == json_integer_value(lo))
		rec_setf(r, "ports", "%lld", (long long)json_integer_value(lo));
	else
		rec_setf(r, "ports", "%lld-%lld", (long long)json_integer_value(lo), (long long)json_integer_value(hi));
	const char *remote = os_jstr(o, "remote_ip_prefix"), *group = os_jstr(o, "remote_group_id");
	if (remote)
		rec_set(r, "remote", remote);
	else if (group)
		rec_setf(r, "remote", "secgroup:%s", group);
	else
		rec_set(r, "remote", "any");
	rec_set(r, "ethertype", os_jstr(o, "ethertype"));
}

static void fill_fip(struct osn *x, struct record *r, const json_t *o)
{
	rec_set(r, "ip", os_jstr(o, "floating_ip_address"));
	osn_set_ref(x, r, &K_NET, "net", os_jstr(o, "floating_network_id"));
	rec_set(r, "port_id", os_jstr(o, "port_id"));
	rec_set(r, "fixed_ip", os_jstr(o, "fixed_ip_address"));
	const json_t *pd = json_object_get(o, "port_details");
	const char *dev = os_jstr(pd, "device_id"), *owner = os_jstr(pd, "device_owner");
	if (dev && *dev && owner && str_starts(owner, "compute:"))
		rec_set(r, "server_id", dev);
}

static void fill_port(struct osn *x, struct record *r, const json_t *o)
{
	osn_set_ref(x, r, &K_NET, "net", os_jstr(o, "network_id"));
	set_joined(r, "ip", json_object_get(o, "fixed_ips"), "ip_address");
	rec_set(r, "mac", os_jstr(o, "mac_address"));
	const char *dev = os_jstr(o, "device_id");
	if (dev && *dev)
		rec_set(r, "device_id", dev);
	const char *owner = os_jstr(o, "device_owner");
	if (owner && *owner)
		rec_set(r, "owner", owner);
}

const struct kind K_NET = { "net", "network", "/v2.0/networks", "network", "networks", 1, 1, NULL, fill_net,
			    "name,id,state,external,shared,mtu,subnet_ids" };
const struct kind K_SUBNET = { "subnet", "subnet", "/v2.0/subnets", "subnet", "subnets", 1, 0, &K_NET, fill_subnet,
			       "name,id,cidr,gateway,dhcp,dns,pools,net" };
const struct kind K_ROUTER = { "router", "router", "/v2.0/routers", "router", "routers", 1, 1, &K_NET, fill_router,
			       "name,id,state,external_net,external_ip" };
const struct kind K_SECGROUP = { "secgroup", "security group", "/v2.0/security-groups", "security_group",
				 "security_groups", 1, 0, NULL, fill_secgroup, "name,id,rules" };
const struct kind K_RULE = { "rule", "security group rule", "/v2.0/security-group-rules", "security_group_rule",
			     "security_group_rules", 0, 0, &K_SECGROUP, fill_rule,
			     "id,secgroup,direction,ethertype,protocol,ports,remote" };
const struct kind K_FIP = { "fip", "floating IP", "/v2.0/floatingips", "floatingip", "floatingips", 0, 1, &K_NET,
			    fill_fip, "ip,id,state,fixed_ip,port_id,server_id" };
const struct kind K_PORT = { "port", "port", "/v2.0/ports", "port", "ports", 1, 1, &K_NET, fill_port,
			     "name,id,state,ip,mac,device_id,net" };
