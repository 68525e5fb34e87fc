/* target.c: which records a command may act on (see target.h). */
#include "target.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

void target_spec_clear(struct target_spec *t)
{
	free(t->driver);
	free(t->cloud);
	free(t->uri);
	free(t->project);
	memset(t, 0, sizeof *t);
}

static int env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

int target_env_named(void)
{
	return env_set("OS_CLOUD") || env_set("OS_AUTH_URL") || env_set("LIBVIRT_DEFAULT_URI");
}

const char *target_driver(const struct target_opts *o)
{
	if (o->driver)
		return o->driver;
	if (env_set(o->driver_env))
		return getenv(o->driver_env);
	if (o->os_cloud)
		return "openstack";
	if (o->connect)
		return "libvirt";
	if (env_set("OS_CLOUD") || env_set("OS_AUTH_URL"))
		return "openstack";
	return "libvirt";
}

int target_is_named(const struct target_opts *o)
{
	return o->driver || env_set(o->driver_env) || o->os_cloud || o->connect || target_env_named();
}

int target_record_has(const struct record *r)
{
	const char *d = rec_get(r, "driver");
	return d && *d;
}

/* A record's target, pointing into the record (not owned). */
static struct target_spec record_target(const struct record *r)
{
	struct target_spec t = TARGET_SPEC_INIT;
	t.driver = (char *)rec_get(r, "driver");
	t.cloud = (char *)rec_get(r, "cloud");
	t.uri = (char *)rec_get(r, "uri");
	t.project = (char *)rec_get(r, "project");
	return t;
}

/* Two values differ only when both are known. */
static int differ(const char *a, const char *b)
{
	return a && *a && b && *b && strcmp(a, b) != 0;
}

static int targets_differ(const struct target_spec *a, const struct target_spec *b)
{
	return differ(a->driver, b->driver) || differ(a->cloud, b->cloud) || differ(a->uri, b->uri) ||
	       differ(a->project, b->project);
}

void target_describe(struct strbuf *sb, const struct target_spec *t)
{
	const char *keys[] = { "driver", "cloud", "uri", "project" };
	const char *vals[] = { t->driver, t->cloud, t->uri, t->project };
	int n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!vals[i] || !*vals[i])
			continue;
		sb_addf(sb, "%s%s=", n++ ? " " : "", keys[i]);
		rec_quote_value(sb, vals[i]);
	}
	if (!n)
		sb_adds(sb, "no driver");
}

void target_set_fields(struct record *r, const struct target_spec *t)
{
	const char *keys[] = { "driver", "cloud", "uri", "project" };
	const char *vals[] = { t->driver, t->cloud, t->uri, t->project };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (vals[i] && *vals[i])
			rec_set(r, keys[i], vals[i]);
}

/* Fill the unknown fields of out from r's (both describe the same target). */
static void take_missing(struct target_spec *out, const struct target_spec *r)
{
	char **dst[] = { &out->driver, &out->cloud, &out->uri, &out->project };
	char *src[] = { r->driver, r->cloud, r->uri, r->project };
	for (size_t i = 0; i < ARRAY_SIZE(dst); i++)
		if (!*dst[i] && src[i] && *src[i])
			*dst[i] = xstrdup(src[i]);
}

int target_from_records(const struct recset *in, const char *src, struct target_spec *out,
			struct strbuf *err)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < in->n; i++) {
		const struct record *r = &in->r[i];
		if (!target_record_has(r))
			continue;
		struct target_spec rt = record_target(r);
		if (out->driver && targets_differ(out, &rt)) {
			sb_reset(err);
			sb_addf(err, "%s:%ld: record is ", src ? src : "<stdin>", r->line);
			target_describe(err, &rt);
			sb_adds(err, "; earlier records are ");
			target_describe(err, out);
			target_spec_clear(out);
			return EXIT_DATA;
		}
		take_missing(out, &rt);
	}
	return 0;
}

int target_check_record(const struct target_spec *t, const struct record *r, const char *src,
			struct strbuf *err)
{
	if (!target_record_has(r))
		return 0;
	struct target_spec rt = record_target(r);
	if (!targets_differ(t, &rt))
		return 0;
	/* A record of another driver names a cloud or uri the target cannot have:
	 * say only what identifies each side. */
	sb_reset(err);
	sb_addf(err, "%s:%ld: record is ", src ? src : "<stdin>", r->line);
	target_describe(err, &rt);
	sb_adds(err, "; this command acts on ");
	target_describe(err, t);
	return EXIT_DATA;
}

int target_check_records(const struct target_spec *t, const struct recset *in, const char *src,
			 struct strbuf *err)
{
	for (size_t i = 0; i < in->n; i++) {
		int rc = target_check_record(t, &in->r[i], src, err);
		if (rc)
			return rc;
	}
	return 0;
}
