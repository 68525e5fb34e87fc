/* network.c: libvirt virtual networks (see network.h): checking what create is
 * asked for, the XML both ways, and the network calls with their clean-up. */
#include "virt/network.h"
#include "cidr.h"
#include "log.h"
#include "virt/xpath.h"

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

void vnet_free(struct vnet *n)
{
	free(n->name);
	free(n->uuid);
	free(n->mode);
	free(n->bridge);
	memset(n, 0, sizeof *n);
}

/* ---- addresses ---- */

const char *vnet_ntoa(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static uint32_t mask_of(int prefix)
{
	return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

uint32_t vnet_network(const struct vnet *n)
{
	return n->gateway & mask_of(n->prefix);
}

/* "255.255.255.0" -> 24; -1 when the bits are not contiguous. */
static int netmask_prefix(uint32_t m)
{
	int p = 0;
	while (p < 32 && (m & (0x80000000u >> p)))
		p++;
	return mask_of(p) == m ? p : -1;
}

static int parse_cidr(struct vnet *n, const char *cidr, struct strbuf *err)
{
	unsigned char bytes[16];
	int family = 0, prefix = 0;
	if (cidr_split(cidr, &family, bytes, &prefix) < 0 || family != 4)
		return sb_fail(err, EXIT_USAGE, "--cidr '%s': expected an IPv4 network such as 192.168.150.0/24", cidr);
	if (prefix < 8 || prefix > 30)
		return sb_fail(err, EXIT_USAGE, "--cidr '%s': the prefix must be /8 to /30", cidr);
	uint32_t a = ipv4_of(bytes);
	uint32_t mask = mask_of(prefix);
	if (a & ~mask) {
		char buf[16];
		return sb_fail(err, EXIT_USAGE, "--cidr '%s': not a network address (did you mean %s/%d?)", cidr,
			       vnet_ntoa(a & mask, buf), prefix);
	}
	n->has_ip = 1;
	n->prefix = prefix;
	n->gateway = a + 1; /* the first address is the host's */
	return 0;
}

/* Inside the subnet, neither its network nor its broadcast address, nor the host's. */
static int dhcp_addr(const struct vnet *n, const char *range, const char *s, uint32_t *out, struct strbuf *err)
{
	uint32_t mask = mask_of(n->prefix), net = vnet_network(n);
	char g[16];
	if (ipv4_parse(s, out) < 0)
		return sb_fail(err, EXIT_USAGE, "--dhcp-range '%s': '%s' is not an IPv4 address", range, s);
	if ((*out & mask) != net || *out == net || *out == (net | ~mask))
		return sb_fail(err, EXIT_USAGE, "--dhcp-range '%s': %s is not a host address of %s/%d", range, s,
			       vnet_ntoa(net, g), n->prefix);
	return 0;
}

static int parse_dhcp_range(struct vnet *n, const char *range, struct strbuf *err)
{
	const char *dash = strchr(range, '-');
	if (!dash)
		return sb_fail(err, EXIT_USAGE, "--dhcp-range '%s': expected START-END such as 192.168.150.2-192.168.150.254",
			       range);
	char *start = xstrndup(range, (size_t)(dash - range));
	int rc = dhcp_addr(n, range, start, &n->dhcp_start, err);
	free(start);
	if (!rc)
		rc = dhcp_addr(n, range, dash + 1, &n->dhcp_end, err);
	if (rc)
		return rc;
	char g[16];
	if (n->dhcp_start > n->dhcp_end)
		return sb_fail(err, EXIT_USAGE, "--dhcp-range '%s': the start is after the end", range);
	if (n->dhcp_start <= n->gateway && n->gateway <= n->dhcp_end)
		return sb_fail(err, EXIT_USAGE, "--dhcp-range '%s': contains the host's address %s", range,
			       vnet_ntoa(n->gateway, g));
	return 0;
}

/* Names become file names (/etc/libvirt/qemu/networks/NAME.xml) and operands:
 * no slash, no blanks or control characters, no leading '-'. */
static int name_ok(const char *s)
{
	if (!*s || *s == '-' || strlen(s) > 200)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '/' || *s == 0x7f)
			return 0;
	return 1;
}

/* A Linux interface name: 1 to 15 characters (IFNAMSIZ - 1). */
static int bridge_ok(const char *s)
{
	size_t len = strlen(s);
	if (len < 1 || len > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int vnet_spec(struct vnet *n, const char *name, const char *cidr, const char *mode, const char *dhcp_range,
	      int no_dhcp, const char *bridge, struct strbuf *err)
{
	memset(n, 0, sizeof *n);
	if (!name_ok(name))
		return sb_fail(err, EXIT_USAGE, "not a network name (no '/', blanks or leading '-')");
	mode = mode ? mode : "nat";
	if (strcmp(mode, "nat") != 0 && strcmp(mode, "isolated") != 0 && strcmp(mode, "route") != 0)
		return sb_fail(err, EXIT_USAGE, "--mode '%s': not one of " VNET_MODES, mode);
	if (bridge && !bridge_ok(bridge))
		return sb_fail(err, EXIT_USAGE, "--bridge '%s': expected an interface name of 1 to 15 letters, digits, '_', '.', '-'",
			       bridge);
	if (!cidr)
		return sb_fail(err, EXIT_USAGE, "--cidr is required (e.g. --cidr 192.168.150.0/24)");
	if (no_dhcp && dhcp_range)
		return sb_fail(err, EXIT_USAGE, "--dhcp-range and --no-dhcp exclude each other");
	int rc = parse_cidr(n, cidr, err);
	if (!rc && dhcp_range)
		rc = parse_dhcp_range(n, dhcp_range, err);
	if (rc)
		return rc;
	if (!dhcp_range && !no_dhcp) {
		uint32_t net = vnet_network(n);
		n->dhcp_start = net + 2;
		n->dhcp_end = (net | ~mask_of(n->prefix)) - 1;
	}
	n->dhcp = !no_dhcp;
	n->name = xstrdup(name);
	n->mode = xstrdup(mode);
	n->bridge = bridge ? xstrdup(bridge) : NULL;
	return 0;
}

/* ---- XML ---- */

void vnet_xml(struct strbuf *sb, const struct vnet *n)
{
	char a[16], b[16];
	sb_adds(sb, "<network>\n  <name>");
	xml_escape(sb, n->name);
	sb_adds(sb, "</name>\n");
	if (n->uuid)
		sb_addf(sb, "  <uuid>%s</uuid>\n", n->uuid);
	if (strcmp(n->mode, "isolated") != 0) /* isolated: no <forward> at all */
		sb_addf(sb, "  <forward mode='%s'/>\n", n->mode);
	if (n->bridge) {
		sb_adds(sb, "  <bridge name='");
		xml_escape(sb, n->bridge);
		sb_adds(sb, "' stp='on' delay='0'/>\n");
	}
	if (n->has_ip) {
		sb_addf(sb, "  <ip address='%s' prefix='%d'", vnet_ntoa(n->gateway, a), n->prefix);
		if (n->dhcp)
			sb_addf(sb, ">\n    <dhcp>\n      <range start='%s' end='%s'/>\n    </dhcp>\n  </ip>\n",
				vnet_ntoa(n->dhcp_start, a), vnet_ntoa(n->dhcp_end, b));
		else
			sb_adds(sb, "/>\n");
	}
	sb_adds(sb, "</network>\n");
}

/* The first IPv4 <ip>: address with prefix or netmask, and its first DHCP range. */
#define IPV4 "/network/ip[not(@family) or @family='ipv4'][1]"

static int parse_ip(xmlXPathContextPtr ctx, struct vnet *n, struct strbuf *err)
{
	char *addr = virt_xpath_str(ctx, "string(" IPV4 "/@address)");
	char *prefix = virt_xpath_str(ctx, "string(" IPV4 "/@prefix)");
	char *mask = virt_xpath_str(ctx, "string(" IPV4 "/@netmask)");
	char *start = virt_xpath_str(ctx, "string(" IPV4 "/dhcp/range[1]/@start)");
	char *end = virt_xpath_str(ctx, "string(" IPV4 "/dhcp/range[1]/@end)");
	long long p = -1;
	uint32_t m;
	int rc = 0;
	if (!addr)
		goto out;
	if (prefix)
		parse_ll(prefix, 0, 32, &p);
	else if (mask && ipv4_parse(mask, &m) == 0)
		p = netmask_prefix(m);
	else if (!mask)
		p = 24; /* libvirt's default for an IPv4 address without either */
	if (ipv4_parse(addr, &n->gateway) < 0 || p < 0) {
		rc = sb_fail(err, EXIT_DATA, "unexpected <ip> in the network's XML (address '%s')", addr);
		goto out;
	}
	n->has_ip = 1;
	n->prefix = (int)p;
	n->dhcp = start && end && ipv4_parse(start, &n->dhcp_start) == 0 && ipv4_parse(end, &n->dhcp_end) == 0;
out:
	free(addr);
	free(prefix);
	free(mask);
	free(start);
	free(end);
	return rc;
}

static int parse_doc(xmlDocPtr doc, struct vnet *n, struct strbuf *err)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	if (!ctx)
		die(EXIT_OSERR, "out of memory");
	n->name = virt_xpath_str(ctx, "string(/network/name)");
	n->uuid = virt_xpath_str(ctx, "string(/network/uuid)");
	n->bridge = virt_xpath_str(ctx, "string(/network/bridge/@name)");
	char *has_forward = virt_xpath_str(ctx, "string(count(/network/forward))");
	n->mode = virt_xpath_str(ctx, "string(/network/forward/@mode)");
	if (!n->mode) /* no <forward>: isolated; <forward/> without a mode is NAT */
		n->mode = xstrdup(has_forward && strcmp(has_forward, "0") != 0 ? "nat" : "isolated");
	free(has_forward);
	int rc = n->name ? parse_ip(ctx, n, err) : sb_fail(err, EXIT_DATA, "the network's XML has no <name>");
	xmlXPathFreeContext(ctx);
	return rc;
}

int vnet_parse_xml(const char *xml, struct vnet *n, struct strbuf *err)
{
	memset(n, 0, sizeof *n);
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "network.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !xmlDocGetRootElement(doc) ||
	    xmlStrcmp(xmlDocGetRootElement(doc)->name, (const xmlChar *)"network") != 0) {
		xmlFreeDoc(doc);
		return sb_fail(err, EXIT_DATA, "the network's XML cannot be read");
	}
	int rc = parse_doc(doc, n, err);
	xmlFreeDoc(doc);
	if (rc)
		vnet_free(n);
	return rc;
}

/* ---- records ---- */

void vnet_record(const struct vnet *n, struct record *r)
{
	char a[16];
	rec_set(r, "kind", "net");
	rec_set(r, "driver", "libvirt");
	rec_set(r, "id", n->uuid);
	rec_set(r, "name", n->name);
	rec_set(r, "state", n->active ? "active" : "inactive");
	rec_set(r, "mode", n->mode);
	rec_set(r, "bridge", n->bridge);
	if (n->has_ip) {
		rec_setf(r, "cidr", "%s/%d", vnet_ntoa(vnet_network(n), a), n->prefix);
		rec_set(r, "gateway", vnet_ntoa(n->gateway, a));
	}
	if (n->has_ip && n->dhcp) {
		rec_set(r, "dhcp_start", vnet_ntoa(n->dhcp_start, a));
		rec_set(r, "dhcp_end", vnet_ntoa(n->dhcp_end, a));
	}
	rec_set(r, "autostart", n->autostart ? "true" : "false");
	rec_set(r, "persistent", n->persistent ? "true" : "false");
}

/* ---- libvirt ---- */

/* libvirt's last error as the reason, after what we were doing. */
static int lv_fail(struct strbuf *err, const char *what)
{
	virErrorPtr e = virGetLastError();
	int code = e && e->code == VIR_ERR_NETWORK_EXIST ? EXIT_EXISTS : virt_errcode();
	return sb_fail(err, code, "%s%s%s", what ? what : "", what ? ": " : "", virt_errmsg());
}

virNetworkPtr vnet_lookup(struct virt_conn *vc, const char *ident)
{
	virNetworkPtr n;
	if (strlen(ident) == VIR_UUID_STRING_BUFLEN - 1 && (n = virNetworkLookupByUUIDString(vc->c, ident)))
		return n;
	return virNetworkLookupByName(vc->c, ident);
}

virNetworkPtr vnet_lookup_record(struct virt_conn *vc, const struct record *r)
{
	const char *id = rec_get(r, "id"), *name = rec_get(r, "name");
	if (id && *id) {
		virNetworkPtr n = virNetworkLookupByUUIDString(vc->c, id);
		if (n || !name)
			return n;
	}
	return name ? virNetworkLookupByName(vc->c, name) : NULL;
}

int vnet_lookup_failed(struct strbuf *err)
{
	virErrorPtr e = virGetLastError();
	if (!e || e->code == VIR_ERR_NO_NETWORK || e->code == VIR_ERR_INVALID_ARG)
		return sb_fail(err, EXIT_NOTFOUND, "no such network");
	return lv_fail(err, NULL);
}

int vnet_get(virNetworkPtr net, struct vnet *n, struct strbuf *err)
{
	char *xml = virNetworkGetXMLDesc(net, 0);
	if (!xml)
		return lv_fail(err, "cannot read its definition");
	int rc = vnet_parse_xml(xml, n, err);
	free(xml);
	if (rc)
		return rc;
	int active = virNetworkIsActive(net), persistent = virNetworkIsPersistent(net), autostart = 0;
	if (active < 0 || persistent < 0 || virNetworkGetAutostart(net, &autostart) < 0) {
		vnet_free(n);
		return lv_fail(err, "cannot read its state");
	}
	n->active = active;
	n->persistent = persistent;
	n->autostart = autostart;
	return 0;
}

/* After a failed step of create: remove the definition again, keeping the
 * error of the step (not undefine's) as the reason. */
static int undo_define(virNetworkPtr net, struct strbuf *err, const char *what)
{
	int rc = lv_fail(err, what);
	if (virNetworkIsActive(net) == 1)
		virNetworkDestroy(net);
	if (virNetworkUndefine(net) < 0)
		sb_addf(err, " (and it could not be undefined again: %s)", virt_errmsg());
	virNetworkFree(net);
	return rc;
}

int vnet_create(struct virt_conn *vc, const struct vnet *n, int autostart, int no_start, virNetworkPtr *out,
		struct strbuf *err)
{
	*out = NULL;
	virNetworkPtr old = virNetworkLookupByName(vc->c, n->name);
	if (old) {
		virNetworkFree(old);
		return sb_fail(err, EXIT_EXISTS, "already exists");
	}
	struct strbuf xml = STRBUF_INIT;
	vnet_xml(&xml, n);
	debug("defining network:\n%s", xml.buf);
	virNetworkPtr net = virNetworkDefineXML(vc->c, xml.buf);
	sb_release(&xml);
	if (!net) {
		/* Another client defined the name between our check and our define. */
		int rc = lv_fail(err, "cannot define it");
		if ((old = virNetworkLookupByName(vc->c, n->name))) {
			virNetworkFree(old);
			rc = sb_fail(err, EXIT_EXISTS, "already exists");
		}
		return rc;
	}
	if (autostart && virNetworkSetAutostart(net, 1) < 0)
		return undo_define(net, err, "cannot set autostart (undefined again)");
	if (!no_start && virNetworkCreate(net) < 0)
		return undo_define(net, err, "cannot start it (undefined again)");
	*out = net;
	return 0;
}

int vnet_start(virNetworkPtr net, struct strbuf *err)
{
	if (virNetworkIsActive(net) == 1)
		return 0;
	return virNetworkCreate(net) < 0 ? lv_fail(err, "cannot start it") : 0;
}

int vnet_stop(virNetworkPtr net, struct strbuf *err)
{
	if (virNetworkIsActive(net) == 0)
		return 0;
	return virNetworkDestroy(net) < 0 ? lv_fail(err, "cannot stop it") : 0;
}

int vnet_delete(virNetworkPtr net, struct strbuf *err)
{
	/* A transient network is gone once destroyed; a persistent one is undefined too. */
	int persistent = virNetworkIsPersistent(net);
	int rc = vnet_stop(net, err);
	if (!rc && persistent == 1 && virNetworkUndefine(net) < 0)
		rc = lv_fail(err, "cannot undefine it");
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(rec_get(a, "name"), rec_get(b, "name"));
}

int vnet_list(struct virt_conn *vc, struct recset *out, struct strbuf *err)
{
	virNetworkPtr *nets = NULL;
	int n = virConnectListAllNetworks(vc->c, &nets, 0);
	if (n < 0)
		return lv_fail(err, "cannot list networks");
	size_t first = out->n;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct vnet v;
		int r = rc ? 0 : vnet_get(nets[i], &v, err);
		if (!rc && !r) {
			vnet_record(&v, recset_add(out));
			vnet_free(&v);
		} else if (r && virNetworkIsActive(nets[i]) >= 0) {
			rc = r;
		} else if (r) {
			sb_reset(err); /* it vanished between the listing and now: not listed */
		}
		virNetworkFree(nets[i]);
	}
	free(nets);
	if (!rc)
		qsort(out->r + first, out->n - first, sizeof *out->r, by_name);
	return rc;
}
