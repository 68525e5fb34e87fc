/* test_virtnet: libvirt networks (lib/virt/network.c): the checks of create's
 * arguments, the exact XML written, reading it back, and the network calls
 * against libvirt's test:///default driver (in process, no daemon). */
#include "check.h"
#include "log.h"
#include "virt/network.h"

#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

/* The XML of a spec, or the error text when the spec is refused (prefixed "64: "). */
static char *xml_of(const char *cidr, const char *mode, const char *range, int no_dhcp, const char *bridge)
{
	struct vnet n;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int rc = vnet_spec(&n, "t-net", cidr, mode, range, no_dhcp, bridge, &err);
	if (rc)
		sb_addf(&sb, "%d: %s", rc, err.buf);
	else
		vnet_xml(&sb, &n);
	vnet_free(&n);
	sb_release(&err);
	return sb_detach(&sb);
}

#define CHECK_XML(got_expr, want)                                                    \
	do {                                                                         \
		char *x_ = (got_expr);                                               \
		CHECK_STR(x_, want);                                                 \
		free(x_);                                                            \
	} while (0)

static void xml_nat_defaults(void)
{
	CHECK_XML(xml_of("192.168.150.0/24", NULL, NULL, 0, NULL),
		  "<network>\n"
		  "  <name>t-net</name>\n"
		  "  <forward mode='nat'/>\n"
		  "  <ip address='192.168.150.1' prefix='24'>\n"
		  "    <dhcp>\n"
		  "      <range start='192.168.150.2' end='192.168.150.254'/>\n"
		  "    </dhcp>\n"
		  "  </ip>\n"
		  "</network>\n");
}

static void xml_isolated_no_dhcp_bridge(void)
{
	CHECK_XML(xml_of("10.9.0.0/16", "isolated", NULL, 1, "cbr-test0"),
		  "<network>\n"
		  "  <name>t-net</name>\n"
		  "  <bridge name='cbr-test0' stp='on' delay='0'/>\n"
		  "  <ip address='10.9.0.1' prefix='16'/>\n"
		  "</network>\n");
}

static void xml_route_range(void)
{
	CHECK_XML(xml_of("172.16.4.0/22", "route", "172.16.5.10-172.16.6.20", 0, NULL),
		  "<network>\n"
		  "  <name>t-net</name>\n"
		  "  <forward mode='route'/>\n"
		  "  <ip address='172.16.4.1' prefix='22'>\n"
		  "    <dhcp>\n"
		  "      <range start='172.16.5.10' end='172.16.6.20'/>\n"
		  "    </dhcp>\n"
		  "  </ip>\n"
		  "</network>\n");
}

static void xml_smallest_and_largest(void)
{
	/* /30: the host .1, DHCP just .2 (the last but one); /8: to x.255.255.254 */
	CHECK_XML(xml_of("10.0.0.4/30", NULL, NULL, 0, NULL),
		  "<network>\n  <name>t-net</name>\n  <forward mode='nat'/>\n"
		  "  <ip address='10.0.0.5' prefix='30'>\n    <dhcp>\n"
		  "      <range start='10.0.0.6' end='10.0.0.6'/>\n    </dhcp>\n  </ip>\n</network>\n");
	CHECK_XML(xml_of("10.0.0.0/8", "isolated", NULL, 0, NULL),
		  "<network>\n  <name>t-net</name>\n"
		  "  <ip address='10.0.0.1' prefix='8'>\n    <dhcp>\n"
		  "      <range start='10.0.0.2' end='10.255.255.254'/>\n    </dhcp>\n  </ip>\n</network>\n");
}

static void xml_escapes_name(void)
{
	struct vnet n;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	CHECK_INT(vnet_spec(&n, "a<b&c", "10.1.0.0/24", "isolated", NULL, 1, NULL, &err), 0);
	vnet_xml(&sb, &n);
	CHECK(strstr(sb.buf, "<name>a&lt;b&amp;c</name>") != NULL);
	vnet_free(&n);
	sb_release(&sb);
	sb_release(&err);
}

static void spec_refuses(void)
{
	CHECK_XML(xml_of(NULL, NULL, NULL, 0, NULL), "64: --cidr is required (e.g. --cidr 192.168.150.0/24)");
	CHECK_XML(xml_of("192.168.150.0", NULL, NULL, 0, NULL),
		  "64: --cidr '192.168.150.0': expected an IPv4 network such as 192.168.150.0/24");
	CHECK_XML(xml_of("192.168.150.0/x", NULL, NULL, 0, NULL),
		  "64: --cidr '192.168.150.0/x': expected an IPv4 network such as 192.168.150.0/24");
	CHECK_XML(xml_of("192.168.300.0/24", NULL, NULL, 0, NULL),
		  "64: --cidr '192.168.300.0/24': expected an IPv4 network such as 192.168.150.0/24");
	CHECK_XML(xml_of("fd00::/64", NULL, NULL, 0, NULL),
		  "64: --cidr 'fd00::/64': expected an IPv4 network such as 192.168.150.0/24");
	CHECK_XML(xml_of("10.0.0.0/31", NULL, NULL, 0, NULL), "64: --cidr '10.0.0.0/31': the prefix must be /8 to /30");
	CHECK_XML(xml_of("10.0.0.0/7", NULL, NULL, 0, NULL), "64: --cidr '10.0.0.0/7': the prefix must be /8 to /30");
	CHECK_XML(xml_of("192.168.150.7/24", NULL, NULL, 0, NULL),
		  "64: --cidr '192.168.150.7/24': not a network address (did you mean 192.168.150.0/24?)");
	CHECK_XML(xml_of("10.1.0.0/24", "bridge", NULL, 0, NULL), "64: --mode 'bridge': not one of nat isolated route");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, NULL, 0, "this-name-is-too-long"),
		  "64: --bridge 'this-name-is-too-long': expected an interface name of 1 to 15 letters, digits, '_', '.', '-'");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.5-10.1.0.9", 1, NULL),
		  "64: --dhcp-range and --no-dhcp exclude each other");
}

static void spec_refuses_ranges(void)
{
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.5", 0, NULL),
		  "64: --dhcp-range '10.1.0.5': expected START-END such as 192.168.150.2-192.168.150.254");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.50-10.1.0.9", 0, NULL),
		  "64: --dhcp-range '10.1.0.50-10.1.0.9': the start is after the end");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.5-10.1.1.9", 0, NULL),
		  "64: --dhcp-range '10.1.0.5-10.1.1.9': 10.1.1.9 is not a host address of 10.1.0.0/24");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.5-10.1.0.255", 0, NULL),
		  "64: --dhcp-range '10.1.0.5-10.1.0.255': 10.1.0.255 is not a host address of 10.1.0.0/24");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.0-10.1.0.9", 0, NULL),
		  "64: --dhcp-range '10.1.0.0-10.1.0.9': 10.1.0.0 is not a host address of 10.1.0.0/24");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.1-10.1.0.9", 0, NULL),
		  "64: --dhcp-range '10.1.0.1-10.1.0.9': contains the host's address 10.1.0.1");
	CHECK_XML(xml_of("10.1.0.0/24", NULL, "10.1.0.x-10.1.0.9", 0, NULL),
		  "64: --dhcp-range '10.1.0.x-10.1.0.9': '10.1.0.x' is not an IPv4 address");
}

static void spec_refuses_names(void)
{
	const char *bad[] = { "", "a/b", "a b", "-x", "tab\there" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vnet n;
		struct strbuf err = STRBUF_INIT;
		CHECK_INT(vnet_spec(&n, bad[i], "10.1.0.0/24", NULL, NULL, 0, NULL, &err), EXIT_USAGE);
		CHECK_STR(err.buf, "not a network name (no '/', blanks or leading '-')");
		sb_release(&err);
	}
}

static char *record_of(const struct vnet *n)
{
	struct record r = RECORD_INIT;
	struct strbuf sb = STRBUF_INIT;
	vnet_record(n, &r);
	for (size_t i = 0; i < r.n; i++)
		sb_addf(&sb, "%s%s=%s", i ? " " : "", r.f[i].key, r.f[i].val);
	rec_clear(&r);
	return sb_detach(&sb);
}

/* What vnet_xml writes, vnet_parse_xml reads back unchanged. */
static void parse_round_trip(void)
{
	struct { const char *cidr, *mode, *range; int no_dhcp; const char *bridge; } cases[] = {
		{ "192.168.150.0/24", "nat", NULL, 0, NULL },
		{ "10.9.0.0/16", "isolated", NULL, 1, "cbr-test0" },
		{ "172.16.4.0/22", "route", "172.16.5.10-172.16.6.20", 0, "br1" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vnet a, b;
		struct strbuf xml = STRBUF_INIT, err = STRBUF_INIT;
		CHECK_INT(vnet_spec(&a, "rt", cases[i].cidr, cases[i].mode, cases[i].range, cases[i].no_dhcp,
				    cases[i].bridge, &err), 0);
		vnet_xml(&xml, &a);
		CHECK_INT(vnet_parse_xml(xml.buf, &b, &err), 0);
		char *ra = record_of(&a), *rb = record_of(&b);
		CHECK_STR(rb, ra);
		free(ra);
		free(rb);
		vnet_free(&a);
		vnet_free(&b);
		sb_release(&xml);
		sb_release(&err);
	}
}

/* libvirt's own form: a netmask, <forward/> without a mode, IPv6 first, extra elements. */
static void parse_libvirt_forms(void)
{
	const char *xml = "<network connections='2'>\n  <name>default</name>\n"
			  "  <uuid>178269d6-ecc0-4c53-93d2-f5394d938aec</uuid>\n  <forward/>\n"
			  "  <bridge name='virbr0' stp='on' delay='0'/>\n  <mac address='52:54:00:b8:66:fe'/>\n"
			  "  <ip family='ipv6' address='fd00::1' prefix='64'/>\n"
			  "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n    <dhcp>\n"
			  "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
			  "      <host mac='52:54:00:00:00:01' ip='192.168.122.9'/>\n    </dhcp>\n  </ip>\n</network>\n";
	struct vnet n;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(vnet_parse_xml(xml, &n, &err), 0);
	n.active = 1;
	n.persistent = 1;
	char *r = record_of(&n);
	CHECK_STR(r, "kind=net driver=libvirt id=178269d6-ecc0-4c53-93d2-f5394d938aec name=default state=active mode=nat "
		     "bridge=virbr0 cidr=192.168.122.0/24 gateway=192.168.122.1 dhcp_start=192.168.122.2 "
		     "dhcp_end=192.168.122.254 autostart=false persistent=true");
	free(r);
	vnet_free(&n);

	/* no <ip> at all (a bridge network): no address fields; a bad netmask is an error */
	CHECK_INT(vnet_parse_xml("<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>", &n, &err), 0);
	r = record_of(&n);
	CHECK_STR(r, "kind=net driver=libvirt name=br state=inactive mode=bridge bridge=br0 autostart=false persistent=false");
	free(r);
	vnet_free(&n);
	CHECK_INT(vnet_parse_xml("<network><name>x</name><ip address='10.0.0.1' netmask='255.0.255.0'/></network>", &n, &err),
		  EXIT_DATA);
	CHECK_STR(err.buf, "unexpected <ip> in the network's XML (address '10.0.0.1')");
	CHECK_INT(vnet_parse_xml("<domain/>", &n, &err), EXIT_DATA);
	CHECK_INT(vnet_parse_xml("not xml", &n, &err), EXIT_DATA);
	CHECK_STR(err.buf, "the network's XML cannot be read");
	sb_release(&err);
}

/* ---- against test:///default ----
 * Its networks get no bridge name, and its start cannot fail: that create undoes
 * a define whose start failed is checked against the real libvirtd, in
 * tests/cli/net-libvirt.sh. */

static struct virt_conn vc;

static void quiet_errors(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

static char *show(const char *name)
{
	struct strbuf err = STRBUF_INIT;
	virNetworkPtr net = vnet_lookup(&vc, name);
	char *r = NULL;
	struct vnet n;
	if (!net) {
		vnet_lookup_failed(&err);
		r = sb_detach(&err);
	} else if (vnet_get(net, &n, &err) == 0) {
		r = record_of(&n);
		vnet_free(&n);
	}
	if (net)
		virNetworkFree(net);
	sb_release(&err);
	return r;
}

static int create(const char *name, const char *cidr, const char *mode, int autostart, int no_start,
		  struct strbuf *err)
{
	struct vnet n;
	int rc = vnet_spec(&n, name, cidr, mode, NULL, 0, NULL, err);
	virNetworkPtr net = NULL;
	if (!rc)
		rc = vnet_create(&vc, &n, autostart, no_start, &net, err);
	if (net)
		virNetworkFree(net);
	vnet_free(&n);
	return rc;
}

/* show's record with the UUID (random) taken out */
static char *show_no_id(const char *name)
{
	char *r = show(name);
	char *id = r ? strstr(r, " id=") : NULL;
	if (id) {
		char *end = strchr(id + 1, ' ');
		memmove(id, end, strlen(end) + 1);
	}
	return r;
}

static void live_create_show(void)
{
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(create("t-nat", "10.200.0.0/24", "nat", 1, 0, &err), 0);
	char *r = show_no_id("t-nat");
	CHECK_STR(r, "kind=net driver=libvirt name=t-nat state=active mode=nat cidr=10.200.0.0/24 "
		     "gateway=10.200.0.1 dhcp_start=10.200.0.2 dhcp_end=10.200.0.254 autostart=true persistent=true");
	free(r);
	CHECK_INT(create("t-iso", "10.201.0.0/28", "isolated", 0, 1, &err), 0);
	r = show_no_id("t-iso");
	CHECK_STR(r, "kind=net driver=libvirt name=t-iso state=inactive mode=isolated cidr=10.201.0.0/28 "
		     "gateway=10.201.0.1 dhcp_start=10.201.0.2 dhcp_end=10.201.0.14 autostart=false persistent=true");
	free(r);
	CHECK_INT(create("t-nat", "10.202.0.0/24", "nat", 0, 0, &err), EXIT_EXISTS);
	CHECK_STR(err.buf, "already exists");
	sb_release(&err);
}

static void live_lookup(void)
{
	char *r = show("t-nat"), *id = r ? strstr(r, " id=") : NULL;
	CHECK(id != NULL);
	if (id) {
		char uuid[37];
		memcpy(uuid, id + 4, 36);
		uuid[36] = '\0';
		char *by_uuid = show(uuid);
		CHECK_STR(by_uuid, r);
		free(by_uuid);
		struct record rec = RECORD_INIT;
		rec_set(&rec, "id", uuid);
		rec_set(&rec, "name", "stale-name");
		virNetworkPtr net = vnet_lookup_record(&vc, &rec);
		CHECK(net && strcmp(virNetworkGetName(net), "t-nat") == 0);
		if (net)
			virNetworkFree(net);
		rec_clear(&rec);
	}
	free(r);
	char *missing = show("no-such-net");
	CHECK_STR(missing, "no such network");
	free(missing);
	struct strbuf err = STRBUF_INIT;
	virNetworkPtr none = vnet_lookup(&vc, "no-such-net");
	CHECK(none == NULL);
	CHECK_INT(vnet_lookup_failed(&err), EXIT_NOTFOUND);
	sb_release(&err);
}

static void live_list(void)
{
	struct recset all = RECSET_INIT;
	struct strbuf err = STRBUF_INIT, names = STRBUF_INIT;
	CHECK_INT(vnet_list(&vc, &all, &err), 0);
	for (size_t i = 0; i < all.n; i++)
		sb_addf(&names, "%s%s:%s", i ? " " : "", rec_get(&all.r[i], "name"), rec_get(&all.r[i], "state"));
	CHECK_STR(names.buf, "default:active t-iso:inactive t-nat:active");
	recset_clear(&all);
	sb_release(&err);
	sb_release(&names);
}

static const char *state_of(const char *name)
{
	static char buf[32];
	char *r = show(name), *s = r ? strstr(r, " state=") : NULL;
	snprintf(buf, sizeof buf, "%s", s ? s + 7 : "?");
	*strchrnul(buf, ' ') = '\0';
	free(r);
	return buf;
}

static void live_start_stop_delete(void)
{
	struct strbuf err = STRBUF_INIT;
	virNetworkPtr net = vnet_lookup(&vc, "t-iso");
	CHECK_INT(vnet_start(net, &err), 0);
	CHECK_STR(state_of("t-iso"), "active");
	CHECK_INT(vnet_start(net, &err), 0); /* again: nothing to do */
	CHECK_INT(vnet_stop(net, &err), 0);
	CHECK_STR(state_of("t-iso"), "inactive");
	CHECK_INT(vnet_stop(net, &err), 0);
	CHECK_INT(vnet_delete(net, &err), 0);
	CHECK_STR(state_of("t-iso"), "?");
	virNetworkFree(net);
	net = vnet_lookup(&vc, "t-nat");
	CHECK_INT(vnet_delete(net, &err), 0); /* an active one is stopped first */
	virNetworkFree(net);
	CHECK(vnet_lookup(&vc, "t-nat") == NULL);
	sb_release(&err);
}

int main(void)
{
	log_init("test_virtnet");
	RUN(xml_nat_defaults);
	RUN(xml_isolated_no_dhcp_bridge);
	RUN(xml_route_range);
	RUN(xml_smallest_and_largest);
	RUN(xml_escapes_name);
	RUN(spec_refuses);
	RUN(spec_refuses_ranges);
	RUN(spec_refuses_names);
	RUN(parse_round_trip);
	RUN(parse_libvirt_forms);
	/* Not virt_open: it asks for the host name, whose IDN lookup makes glibc
	 * dlopen libidn2, and LeakSanitizer counts that allocation as our leak. */
	virSetErrorFunc(NULL, quiet_errors);
	vc.c = virConnectOpen("test:///default");
	if (!vc.c) {
		printf("FAIL - test_default: cannot open test:///default: %s\n", virt_errmsg());
		return 1;
	}
	RUN(live_create_show);
	RUN(live_lookup);
	RUN(live_list);
	RUN(live_start_stop_delete);
	virConnectClose(vc.c);
	return CHECK_DONE("virtnet");
}
