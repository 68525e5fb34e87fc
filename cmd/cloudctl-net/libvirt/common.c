/* common.c: what the actions of the libvirt driver of cloudctl-net share: the
 * connection, the networks named by operands or piped records, output. */
#include "lvnet.h"
#include "target.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lvnet_fail(int code, const char *action, const char *subject, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	errorx("network %s: %s: %s", action, subject, sb.buf);
	sb_release(&sb);
	return code;
}

int lvnet_open(struct virt_conn *vc)
{
	int rc = virt_open(vc, net_opts.target.connect_uris.n ? net_opts.target.connect_uris.v[0] : NULL);
	if (!rc)
		info("connected to %s", vc->uri);
	return rc;
}

static struct lvnet_target *targets_add(struct lvnet_targets *ts, const char *label)
{
	ts->t = xgrow(ts->t, &ts->cap, ts->n + 1, sizeof *ts->t);
	struct lvnet_target *t = &ts->t[ts->n++];
	memset(t, 0, sizeof *t);
	t->label = xstrdup(label);
	return t;
}

static int read_stdin(const char *action, struct recset **in)
{
	if (isatty(STDIN_FILENO)) {
		errorx("network %s: no network named: give names or pipe records (see '%s network --help')", action,
		       progname);
		return EXIT_USAGE;
	}
	struct strbuf err = STRBUF_INIT;
	int rc = 0;
	if (net_read_input(in, &err) < 0) {
		errorx("network %s: %s", action, err.buf);
		rc = EXIT_DATA;
	}
	sb_release(&err);
	return rc;
}

/* A record is ours when it is a net record (or says no kind) of this libvirt
 * connection (or says no driver and URI, lib/target.h): an OpenStack network,
 * or one of another host, piped here by mistake must not be matched by name
 * against a libvirt one of this host. */
static int check_record(struct virt_conn *vc, const char *action, const struct record *r, int *ours)
{
	const char *kind = rec_get(r, "kind");
	*ours = !kind || strcmp(kind, "net") == 0;
	if (!*ours)
		return 0; /* other records (a subnet, a vm) are not ours to act on */
	struct target_spec here = { "libvirt", NULL, vc->uri, NULL };
	struct strbuf err = STRBUF_INIT;
	int rc = target_check_record(&here, r, "<stdin>", &err);
	if (rc)
		errorx("network %s: %s", action, err.buf);
	sb_release(&err);
	if (rc)
		return rc;
	if (!rec_get(r, "id") && !rec_get(r, "name")) {
		errorx("network %s: <stdin>:%ld: a net record needs an id or a name", action, r->line);
		return EXIT_DATA;
	}
	return 0;
}

static int resolve_records(struct virt_conn *vc, const char *action, struct recset *in, struct lvnet_targets *ts)
{
	size_t mine = 0;
	for (size_t i = 0; i < in->n; i++) { /* every line checked before any lookup */
		int ours, rc = check_record(vc, action, &in->r[i], &ours);
		if (rc)
			return rc;
		mine += ours;
	}
	/* nothing piped: nothing to do; records, but no network among them: a mistake */
	if (in->n && !mine) {
		errorx("network %s: <stdin>: %zu record%s, none of kind=net", action, in->n, in->n == 1 ? "" : "s");
		return EXIT_DATA;
	}
	for (size_t i = 0; i < in->n; i++) {
		struct record *r = &in->r[i];
		int ours = !rec_get(r, "kind") || strcmp(rec_get(r, "kind"), "net") == 0;
		if (!ours)
			continue;
		const char *label = rec_get(r, "name") ? rec_get(r, "name") : rec_get(r, "id");
		virNetworkPtr net = vnet_lookup_record(vc, r);
		if (!net) {
			struct strbuf err = STRBUF_INIT;
			int rc = vnet_lookup_failed(&err);
			lvnet_fail(rc, action, label, "%s (<stdin>:%ld)", err.buf, r->line);
			sb_release(&err);
			return rc;
		}
		struct lvnet_target *t = targets_add(ts, label);
		rec_copy(&t->in, r);
		t->net = net;
	}
	return 0;
}

int lvnet_resolve(struct virt_conn *vc, const char *action, int argc, char **argv, struct lvnet_targets *ts)
{
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0)) {
		struct recset *in = NULL;
		int rc = read_stdin(action, &in);
		if (!rc)
			rc = resolve_records(vc, action, in, ts);
		return rc;
	}
	for (int i = 0; i < argc; i++) {
		virNetworkPtr net = vnet_lookup(vc, argv[i]);
		if (!net) {
			struct strbuf err = STRBUF_INIT;
			int rc = vnet_lookup_failed(&err);
			lvnet_fail(rc, action, argv[i], "%s", err.buf);
			sb_release(&err);
			return rc;
		}
		targets_add(ts, argv[i])->net = net;
	}
	return 0;
}

void lvnet_targets_free(struct lvnet_targets *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		rec_clear(&ts->t[i].in);
		free(ts->t[i].label);
		if (ts->t[i].net)
			virNetworkFree(ts->t[i].net);
	}
	free(ts->t);
	memset(ts, 0, sizeof *ts);
}

struct rec_writer *lvnet_writer(void)
{
	return rec_writer_new(stdout, common.format, common.columns, LVNET_COLUMNS);
}

/* The fields of a libvirt net record, in order (the OpenStack driver's begin
 * the same way: kind id name state driver, then where it lives). */
static const char *const record_keys[] = { "kind", "id", "name", "state", "driver", "uri", "mode", "bridge",
					    "cidr", "gateway", "pools", "autostart", "persistent" };

void lvnet_record(const struct vnet *v, const char *uri, struct record *out)
{
	struct record r = RECORD_INIT;
	vnet_record(v, &r);
	const char *start = rec_get(&r, "dhcp_start"), *end = rec_get(&r, "dhcp_end");
	if (start && end)
		rec_setf(&r, "pools", "%s-%s", start, end);
	rec_set(&r, "uri", uri);
	for (size_t i = 0; i < ARRAY_SIZE(record_keys); i++)
		rec_set(out, record_keys[i], rec_get(&r, record_keys[i]));
	rec_clear(&r);
}

/* A record of vnet_list into the order and words of lvnet_record. */
void lvnet_reorder(struct record *r, const char *uri)
{
	struct record in = RECORD_INIT;
	rec_copy(&in, r);
	rec_clear(r);
	const char *start = rec_get(&in, "dhcp_start"), *end = rec_get(&in, "dhcp_end");
	if (start && end)
		rec_setf(&in, "pools", "%s-%s", start, end);
	rec_set(&in, "uri", uri);
	for (size_t i = 0; i < ARRAY_SIZE(record_keys); i++)
		rec_set(r, record_keys[i], rec_get(&in, record_keys[i]));
	rec_clear(&in);
}

/* Keys this driver writes: an input value for one of them is stale (a network
 * without DHCP now has no pools) and must not survive. */
static int driver_key(const char *key)
{
	static const char *const keys[] = { "id", "state", "mode", "bridge", "cidr", "gateway", "pools",
					    "dhcp_start", "dhcp_end", "autostart", "persistent", "uri" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

void lvnet_merge_input(struct record *out, const struct record *in)
{
	for (size_t i = 0; in && i < in->n; i++)
		if (!rec_get(out, in->f[i].key) && !driver_key(in->f[i].key))
			rec_set(out, in->f[i].key, in->f[i].val);
}

int lvnet_finish(struct rec_writer *w, int rc)
{
	errno = 0;
	if (rec_writer_finish(w) < 0)
		rc = stdout_failed(errno, rc);
	return rc;
}
