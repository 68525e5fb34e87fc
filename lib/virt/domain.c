/* domain.c: libvirt domains as vm records. list and stats take everything from
 * one virConnectGetAllDomainStats call, plus one metadata call per domain for its
 * tags and one address query per running domain. */
#include "virt/virt.h"
#include "log.h"
#include "virt/xpath.h"

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- metadata: <cloudctl:vm xmlns:cloudctl=NS><tag key=".." value=".."/><volume pool=".." name=".."/>
 *      <image path=".."/></cloudctl:vm> ---- */

static void meta_attr(struct strbuf *sb, const char *name, const char *value)
{
	sb_addf(sb, " %s='", name);
	xml_escape(sb, value);
	sb_addc(sb, '\'');
}

void virt_meta_xml(struct strbuf *sb, const struct record *tags, const struct strlist *vols, const char *image)
{
	sb_addf(sb, "<" VIRT_NS_PREFIX ":vm xmlns:" VIRT_NS_PREFIX "='%s'>", VIRT_NS_URI);
	for (size_t i = 0; tags && i < tags->n; i++) {
		sb_adds(sb, "<" VIRT_NS_PREFIX ":tag");
		meta_attr(sb, "key", tags->f[i].key);
		meta_attr(sb, "value", tags->f[i].val);
		sb_adds(sb, "/>");
	}
	for (size_t i = 0; vols && i < vols->n; i++) {
		const char *slash = strchr(vols->v[i], '/');
		char *pool = xstrndup(vols->v[i], (size_t)(slash - vols->v[i]));
		sb_adds(sb, "<" VIRT_NS_PREFIX ":volume");
		meta_attr(sb, "pool", pool);
		meta_attr(sb, "name", slash + 1);
		sb_adds(sb, "/>");
		free(pool);
	}
	if (image) {
		sb_adds(sb, "<" VIRT_NS_PREFIX ":image");
		meta_attr(sb, "path", image);
		sb_adds(sb, "/>");
	}
	sb_adds(sb, "</" VIRT_NS_PREFIX ":vm>");
}

void virt_meta_clear(struct virt_meta *m)
{
	rec_clear(&m->tags);
	strlist_clear(&m->vols);
	free(m->image);
	m->image = NULL;
}

static char *prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static void meta_node(xmlNodePtr n, struct virt_meta *m)
{
	char *a = NULL, *b = NULL;
	if (xmlStrcmp(n->name, (const xmlChar *)"tag") == 0) {
		a = prop(n, "key");
		b = prop(n, "value");
		if (a && b && rec_key_valid(a))
			rec_set(&m->tags, a, b);
	} else if (xmlStrcmp(n->name, (const xmlChar *)"volume") == 0) {
		a = prop(n, "pool");
		b = prop(n, "name");
		if (a && b) {
			char *pv = xasprintf("%s/%s", a, b);
			strlist_add(&m->vols, pv);
			free(pv);
		}
	} else if (xmlStrcmp(n->name, (const xmlChar *)"image") == 0 && !m->image) {
		m->image = prop(n, "path");
	}
	free(a);
	free(b);
}

static void meta_children(xmlNodePtr vm, struct virt_meta *m)
{
	for (xmlNodePtr n = vm->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			meta_node(n, m);
}

int virt_meta_get(virDomainPtr d, struct virt_meta *m)
{
	char *xml = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, VIRT_NS_URI, VIR_DOMAIN_AFFECT_CURRENT);
	if (!xml) {
		virErrorPtr e = virGetLastError();
		if (e && e->code == VIR_ERR_NO_DOMAIN_METADATA)
			return 0;
		/* Drivers without metadata support (some remote ones) simply have no tags. */
		if (e && e->code == VIR_ERR_NO_SUPPORT)
			return 0;
		return virt_fail("cannot read the metadata of '%s'", virDomainGetName(d));
	}
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "metadata.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(xml);
	if (!doc)
		return 0;
	meta_children(xmlDocGetRootElement(doc), m);
	xmlFreeDoc(doc);
	return 0;
}

/* ---- addresses ---- */

static char *first_ipv4(virDomainInterfacePtr *ifaces, int n)
{
	for (int i = 0; i < n; i++)
		for (unsigned j = 0; j < ifaces[i]->naddrs; j++)
			if (ifaces[i]->addrs[j].type == VIR_IP_ADDR_TYPE_IPV4)
				return xstrdup(ifaces[i]->addrs[j].addr);
	return NULL;
}

static char *ip_from(virDomainPtr d, unsigned source)
{
	virDomainInterfacePtr *ifaces = NULL;
	int n = virDomainInterfaceAddresses(d, &ifaces, source, 0);
	if (n < 0)
		return NULL;
	char *ip = first_ipv4(ifaces, n);
	for (int i = 0; i < n; i++)
		virDomainInterfaceFree(ifaces[i]);
	free(ifaces);
	return ip;
}

char *virt_domain_ip(virDomainPtr d)
{
	char *ip = ip_from(d, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE);
	if (!ip)
		ip = ip_from(d, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT);
	virResetLastError();
	return ip;
}

/* ---- stats ---- */

/* libvirt's stat names ("block.0.rd.bytes") are already record keys; anything
 * else is folded into [a-z0-9_.]. */
static void add_param(struct record *r, const virTypedParameter *p)
{
	char key[VIR_TYPED_PARAM_FIELD_LENGTH + 1];
	size_t i = 0;
	for (; p->field[i] && i < VIR_TYPED_PARAM_FIELD_LENGTH; i++) {
		char c = p->field[i];
		c = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		key[i] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_') ? c : '_';
	}
	key[i] = '\0';
	if (!rec_key_valid(key))
		return;
	switch (p->type) {
	case VIR_TYPED_PARAM_INT: rec_setf(r, key, "%d", p->value.i); break;
	case VIR_TYPED_PARAM_UINT: rec_setf(r, key, "%u", p->value.ui); break;
	case VIR_TYPED_PARAM_LLONG: rec_setf(r, key, "%lld", p->value.l); break;
	case VIR_TYPED_PARAM_ULLONG: rec_setf(r, key, "%llu", p->value.ul); break;
	case VIR_TYPED_PARAM_DOUBLE: rec_setf(r, key, "%g", p->value.d); break;
	case VIR_TYPED_PARAM_BOOLEAN: rec_set(r, key, p->value.b ? "true" : "false"); break;
	case VIR_TYPED_PARAM_STRING: rec_set(r, key, p->value.s); break;
	}
}

static int stat_ull(const virDomainStatsRecord *s, const char *name, unsigned long long *v)
{
	return virTypedParamsGetULLong(s->params, s->nparams, name, v) == 1;
}

static int stat_uint(const virDomainStatsRecord *s, const char *name, unsigned *v)
{
	int iv;
	if (virTypedParamsGetUInt(s->params, s->nparams, name, v) == 1)
		return 1;
	if (virTypedParamsGetInt(s->params, s->nparams, name, &iv) == 1) {
		*v = (unsigned)iv;
		return 1;
	}
	return 0;
}

/* Sum "PREFIX.N.SUFFIX" over N < PREFIX.count. */
static unsigned long long sum_devices(const virDomainStatsRecord *s, const char *prefix, const char *suffix)
{
	unsigned count = 0;
	unsigned long long total = 0, v;
	char name[VIR_TYPED_PARAM_FIELD_LENGTH];
	snprintf(name, sizeof name, "%s.count", prefix);
	stat_uint(s, name, &count);
	for (unsigned i = 0; i < count; i++) {
		snprintf(name, sizeof name, "%s.%u.%s", prefix, i, suffix);
		if (stat_ull(s, name, &v))
			total += v;
	}
	return total;
}

static void add_stats(struct record *r, const virDomainStatsRecord *s)
{
	unsigned long long v;
	if (stat_ull(s, "cpu.time", &v))
		rec_setf(r, "cpu_time_ns", "%llu", v);
	if (stat_ull(s, "balloon.rss", &v) || stat_ull(s, "balloon.current", &v))
		rec_setf(r, "mem_used_mib", "%llu", v / 1024);
	rec_setf(r, "net_rx_bytes", "%llu", sum_devices(s, "net", "rx.bytes"));
	rec_setf(r, "net_tx_bytes", "%llu", sum_devices(s, "net", "tx.bytes"));
	rec_setf(r, "block_rd_bytes", "%llu", sum_devices(s, "block", "rd.bytes"));
	rec_setf(r, "block_wr_bytes", "%llu", sum_devices(s, "block", "wr.bytes"));
	rec_setf(r, "disk_bytes", "%llu", sum_devices(s, "block", "capacity"));
	rec_setf(r, "disk_used_bytes", "%llu", sum_devices(s, "block", "physical"));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now); /* the sample time, for CPU use between two samples */
	rec_setf(r, "time", "%lld.%03ld", (long long)now.tv_sec, now.tv_nsec / 1000000);
	for (int i = 0; i < s->nparams; i++)
		if (!str_starts(s->params[i].field, "state."))
			add_param(r, &s->params[i]);
}

/* ---- records ---- */

static void add_tags(struct record *r, const struct record *tags)
{
	for (size_t i = 0; i < tags->n; i++) {
		char *k = xasprintf("tag.%s", tags->f[i].key);
		rec_set(r, k, tags->f[i].val);
		free(k);
	}
}

/* The fields every vm record starts with, in the order both drivers write them
 * (cloudctl(7)): kind id name state driver uri host vcpus mem_mib, from the
 * stats record when it has them. */
static int base_fields(struct virt_conn *vc, virDomainPtr d, const virDomainStatsRecord *s, struct record *r)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	unsigned state = 0, vcpus = 0;
	unsigned long long mem_kib = 0;
	int have = s && stat_uint(s, "state.state", &state) && stat_uint(s, "vcpu.current", &vcpus) &&
		   stat_ull(s, "balloon.maximum", &mem_kib);
	if (!have) {
		/* Drivers whose bulk stats lack vcpu/balloon (the test driver) */
		virDomainInfo info;
		if (virDomainGetInfo(d, &info) < 0)
			return virt_fail("cannot get information on '%s'", virDomainGetName(d));
		state = info.state;
		vcpus = info.nrVirtCpu;
		mem_kib = info.maxMem;
	}
	virDomainGetUUIDString(d, uuid);
	rec_set(r, "kind", "vm");
	rec_set(r, "id", uuid);
	rec_set(r, "name", virDomainGetName(d));
	rec_set(r, "state", virt_state_name((int)state));
	rec_set(r, "driver", "libvirt");
	rec_set(r, "uri", vc->uri ? vc->uri : "");
	rec_set(r, "host", vc->hostname);
	rec_setf(r, "vcpus", "%u", vcpus);
	rec_setf(r, "mem_mib", "%llu", mem_kib / 1024);
	return 0;
}

static int fill(struct virt_conn *vc, virDomainPtr d, const virDomainStatsRecord *s, unsigned what,
		struct record *r);

int virt_record(struct virt_conn *vc, virDomainPtr d, unsigned what, struct record *r)
{
	virDomainStatsRecordPtr *stats = NULL;
	virDomainPtr doms[] = { d, NULL };
	unsigned groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON;
	if (what & VREC_STATS)
		groups |= VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	int n = virDomainListGetStats(doms, groups, &stats, 0);
	if (n < 0)
		virResetLastError(); /* fall back to virDomainGetInfo */
	int rc = fill(vc, d, n > 0 ? stats[0] : NULL, what, r);
	if (stats)
		virDomainStatsRecordListFree(stats);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const virDomainStatsRecordPtr *x = a, *y = b;
	return strcmp(virDomainGetName((*x)->dom), virDomainGetName((*y)->dom));
}

int virt_list(struct virt_conn *vc, unsigned what, struct recset *out)
{
	virDomainStatsRecordPtr *stats = NULL;
	unsigned groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON;
	if (what & VREC_STATS)
		groups |= VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	int n = virConnectGetAllDomainStats(vc->c, groups, &stats, 0);
	if (n < 0)
		return virt_fail("cannot list domains on %s", vc->uri);
	qsort(stats, (size_t)n, sizeof *stats, by_name); /* stable output, like virsh list --all */
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = fill(vc, stats[i]->dom, stats[i], what, recset_add(out));
	virDomainStatsRecordListFree(stats);
	return rc;
}

/* The domain's definition, parsed once per record: image, net and tags, and
 * the details of show. Our metadata is under the prefix VIRT_NS_PREFIX. */
struct dom_xml {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

static int dom_xml_open(virDomainPtr d, struct dom_xml *x)
{
	x->ctx = NULL;
	char *xml = virDomainGetXMLDesc(d, 0);
	if (!xml)
		return virt_fail("cannot read the definition of '%s'", virDomainGetName(d));
	x->doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(xml);
	if (!x->doc) {
		errorx("libvirt gave a definition of '%s' that is not XML", virDomainGetName(d));
		return EXIT_SOFTWARE;
	}
	x->ctx = xmlXPathNewContext(x->doc);
	xmlXPathRegisterNs(x->ctx, (const xmlChar *)VIRT_NS_PREFIX, (const xmlChar *)VIRT_NS_URI);
	return 0;
}

static void dom_xml_close(struct dom_xml *x)
{
	if (x->ctx)
		xmlXPathFreeContext(x->ctx);
	if (x->doc)
		xmlFreeDoc(x->doc);
}

/* Our metadata element in a parsed definition. */
static void dom_meta(const struct dom_xml *x, struct virt_meta *m)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(
		(const xmlChar *)"/domain/metadata/" VIRT_NS_PREFIX ":vm", x->ctx);
	if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
		meta_children(o->nodesetval->nodeTab[0], m);
	xmlXPathFreeObject(o);
}

static void set_xpath(struct record *r, const char *key, xmlXPathContextPtr ctx, const char *expr);
static void add_detail(virDomainPtr d, const struct dom_xml *x, struct record *r);

/* net_id: the UUID of the libvirt network named by net= (cloudctl(7): net
 * holds the name, net_id the ID, on both drivers). */
static void add_net_id(struct virt_conn *vc, struct record *r)
{
	const char *net = rec_get(r, "net");
	char uuid[VIR_UUID_STRING_BUFLEN];
	virNetworkPtr n = net ? virNetworkLookupByName(vc->c, net) : NULL;
	if (n && virNetworkGetUUIDString(n, uuid) == 0)
		rec_set(r, "net_id", uuid);
	if (n)
		virNetworkFree(n);
	else
		virResetLastError(); /* a network since removed: no net_id */
}

/* The network of the first interface on a libvirt network: what a report groups by. */
#define NET_XPATH "string(/domain/devices/interface[source/@network][1]/source/@network)"

static int fill(struct virt_conn *vc, virDomainPtr d, const virDomainStatsRecord *s, unsigned what,
		struct record *r)
{
	struct dom_xml x = { NULL, NULL };
	int rc = base_fields(vc, d, s, r);
	if (!rc)
		rc = dom_xml_open(d, &x);
	if (rc) {
		dom_xml_close(&x);
		return rc;
	}
	struct virt_meta m = VIRT_META_INIT;
	dom_meta(&x, &m);
	if (m.image)
		rec_set(r, "image", m.image);
	if ((what & VREC_IP) && strcmp(rec_get(r, "state"), "running") == 0) {
		char *ip = virt_domain_ip(d);
		if (ip)
			rec_set(r, "ip", ip);
		free(ip);
	}
	set_xpath(r, "net", x.ctx, NET_XPATH);
	add_net_id(vc, r);
	if (what & VREC_TAGS)
		add_tags(r, &m.tags);
	if ((what & VREC_STATS) && s)
		add_stats(r, s);
	if (what & VREC_DETAIL)
		add_detail(d, &x, r);
	virt_meta_clear(&m);
	dom_xml_close(&x);
	return 0;
}

/* ---- show: details from the domain XML ---- */

static void set_xpath(struct record *r, const char *key, xmlXPathContextPtr ctx, const char *expr)
{
	char *v = virt_xpath_str(ctx, expr);
	if (v)
		rec_set(r, key, v);
	free(v);
}

/* The first of several XPath expressions (relative to node) that gives a non-empty string. */
static char *first_of(xmlXPathContextPtr ctx, const char *node, const char *const *exprs)
{
	char e[256];
	for (; *exprs; exprs++) {
		snprintf(e, sizeof e, "string(%s/%s)", node, *exprs);
		char *v = virt_xpath_str(ctx, e);
		if (v)
			return v;
	}
	return NULL;
}

static void set_first(struct record *r, const char *key, xmlXPathContextPtr ctx, const char *node,
		      const char *const *exprs)
{
	char *v = first_of(ctx, node, exprs);
	if (v)
		rec_set(r, key, v);
	free(v);
}

static int node_exists(xmlXPathContextPtr ctx, const char *node)
{
	char e[256];
	snprintf(e, sizeof e, "count(%s)", node);
	char *n = virt_xpath_str(ctx, e);
	int yes = n && strcmp(n, "0") != 0;
	free(n);
	return yes;
}

/* A field of a device record and where to find it: the first XPath (relative
 * to the device element) that gives a non-empty string. */
struct dev_field {
	const char *key;
	const char *const xpaths[4];
};

static const struct dev_field disk_fields[] = {
	{ "dev", { "target/@dev", NULL } },
	{ "device", { "@device", NULL } },
	{ "source", { "source/@file", "source/@dev", "source/@volume", NULL } },
	{ NULL, { NULL } },
};

static const struct dev_field nic_fields[] = {
	{ "mac", { "mac/@address", NULL } },
	{ "type", { "@type", NULL } },
	{ "source", { "source/@network", "source/@bridge", NULL } },
	{ NULL, { NULL } },
};

/* PREFIX.N.KEY for each ELEMENT under /domain/devices, N from 0 */
static void add_devices(struct record *r, xmlXPathContextPtr ctx, const char *element, const char *prefix,
			const struct dev_field *fields)
{
	char node[128], key[64];
	for (int i = 1; i < 64; i++) {
		snprintf(node, sizeof node, "/domain/devices/%s[%d]", element, i);
		if (!node_exists(ctx, node))
			break;
		for (const struct dev_field *f = fields; f->key; f++) {
			snprintf(key, sizeof key, "%s.%d.%s", prefix, i - 1, f->key);
			set_first(r, key, ctx, node, f->xpaths);
		}
	}
}

/* show: what the definition says beyond the fields every record has. */
static void add_detail(virDomainPtr d, const struct dom_xml *x, struct record *r)
{
	int autostart = 0;
	if (virDomainGetAutostart(d, &autostart) == 0)
		rec_set(r, "autostart", autostart ? "true" : "false");
	int persistent = virDomainIsPersistent(d);
	if (persistent >= 0)
		rec_set(r, "persistent", persistent ? "true" : "false");
	virResetLastError();
	set_xpath(r, "domain_type", x->ctx, "string(/domain/@type)");
	set_xpath(r, "kernel", x->ctx, "string(/domain/os/kernel)");
	add_devices(r, x->ctx, "disk", "disk", disk_fields);
	add_devices(r, x->ctx, "interface", "nic", nic_fields);
}

int virt_has_nic(virDomainPtr d)
{
	char *xml = virDomainGetXMLDesc(d, 0);
	int yes = xml && strstr(xml, "<interface ") != NULL;
	free(xml);
	return yes;
}

char *virt_default_domain_type(struct virt_conn *vc)
{
	char *caps = virConnectGetCapabilities(vc->c);
	if (!caps)
		return xstrdup("qemu");
	xmlDocPtr doc = xmlReadMemory(caps, (int)strlen(caps), "caps.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(caps);
	char *kvm = NULL;
	if (doc) {
		xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
		kvm = virt_xpath_str(ctx, "string(/capabilities/guest[arch/@name='x86_64']/arch/domain[@type='kvm']/@type)");
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
	}
	if (kvm)
		return kvm;
	return xstrdup("qemu");
}
