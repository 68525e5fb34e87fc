/* openstack/catalog.c: a service's endpoint from the token's catalog (type,
 * interface, region, endpoint overrides, the project id filled in). */
#include "openstack/api.h"
#include "openstack/session_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static int type_matches(const char *have, const char *want)
{
	static const char *const block[] = { "block-storage", "volumev3", "volumev2", "volume", "block-store" };
	if (str_eq(have, want))
		return 1;
	int h = 0, w = 0;
	for (size_t i = 0; i < ARRAY_SIZE(block); i++) {
		h |= str_eq(have, block[i]);
		w |= str_eq(want, block[i]);
	}
	return h && w && str_eq(want, "block-storage");
}

static int endpoint_matches(const json_t *ep, const struct os_cloud *c)
{
	if (!str_eq(os_jstr(ep, "interface"), c->interface))
		return 0;
	if (!c->region_name)
		return 1;
	return str_eq(os_jstr(ep, "region_id"), c->region_name) || str_eq(os_jstr(ep, "region"), c->region_name);
}

/* Fill %(project_id)s / $(project_id)s (and the tenant_id spellings). */
static char *fill_template(const char *url, const char *project_id)
{
	static const char *const marks[] = { "%(project_id)s", "$(project_id)s", "%(tenant_id)s", "$(tenant_id)s" };
	struct strbuf out = STRBUF_INIT;
	const char *p = url;
	while (*p) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(marks); i++)
			if (str_starts(p, marks[i]))
				break;
		if (i < ARRAY_SIZE(marks)) {
			sb_adds(&out, project_id ? project_id : "");
			p += strlen(marks[i]);
		} else
			sb_addc(&out, *p++);
	}
	while (out.len && out.buf[out.len - 1] == '/')
		out.buf[--out.len] = '\0';
	return sb_detach(&out);
}

int os_endpoint(struct os_session *s, const char *service_type, char **url, struct strbuf *err)
{
	int rc = os_authenticate(s, 0, err);
	if (rc)
		return rc;
	const char *override = os_endpoint_override(s->cloud, service_type);
	if (override) {
		*url = fill_template(override, s->project_id);
		return 0;
	}
	size_t i, j;
	json_t *svc, *ep;
	json_array_foreach(s->catalog, i, svc) {
		if (!type_matches(os_jstr(svc, "type"), service_type))
			continue;
		json_array_foreach(json_object_get(svc, "endpoints"), j, ep) {
			const char *u = os_jstr(ep, "url");
			if (u && endpoint_matches(ep, s->cloud)) {
				*url = fill_template(u, s->project_id);
				return 0;
			}
		}
	}
	sb_fail(err, EXIT_NOTFOUND, "cloud \"%s\": no %s endpoint (interface %s", s->cloud->name, service_type,
		s->cloud->interface);
	if (s->cloud->region_name)
		sb_addf(err, ", region %s", s->cloud->region_name);
	sb_adds(err, ") in the service catalog");
	return EXIT_NOTFOUND;
}
