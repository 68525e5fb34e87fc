/* network.c: cloudctl-net --driver libvirt network list|show|create|start|stop|delete.
 * Each action writes one net record per network; with several networks the
 * first error is the exit code, the others are still done and each failure is
 * reported on its own line. */
#include "lvnet.h"
#include "interrupt.h"

#include <stdlib.h>
#include <string.h>

/* network's options (net.h). */
static const struct net_network_opts *const asked = &net_opts.network;

/* What an action does to one network: NULL (show), start, stop, delete. */
typedef int (*lvnet_act)(virNetworkPtr net, struct strbuf *err);

/* One network: act, then write its record. Its record is taken before too:
 * after delete, or stopping a transient network, there is no network to ask,
 * and the record says state=deleted. */
static int each_one(const char *uri, const char *action, struct lvnet_target *t, lvnet_act act,
		    struct rec_writer *w)
{
	struct strbuf err = STRBUF_INIT;
	struct vnet v = { 0 }, after = { 0 };
	int rc = vnet_get(t->net, &v, &err), gone = act == vnet_delete;
	if (!rc && act)
		info("network %s: %s: %s", action, t->label,
		     act == vnet_delete ? "stopping it if active, then removing its definition"
		     : act == vnet_start ? (v.active ? "active already" : "starting it")
		     : (v.active ? "stopping it" : "inactive already"));
	if (!rc && act)
		rc = act(t->net, &err);
	if (!rc && !gone) {
		rc = vnet_get(t->net, &after, &err);
		gone = rc && !v.persistent && act == vnet_stop;
		rc = gone ? 0 : rc;
	}
	if (!rc) {
		struct record r = RECORD_INIT;
		lvnet_record(gone ? &v : &after, uri, &r);
		if (gone)
			rec_set(&r, "state", "deleted");
		lvnet_merge_input(&r, &t->in);
		rec_write(w, &r);
		rec_clear(&r);
	} else {
		lvnet_fail(rc, action, t->label, "%s", err.buf);
	}
	vnet_free(&v);
	vnet_free(&after);
	sb_release(&err);
	return rc;
}

static int each_run(const char *action, int argc, char **argv, lvnet_act act)
{
	struct virt_conn vc;
	int rc = lvnet_open(&vc);
	if (rc)
		return rc;
	struct lvnet_targets ts = { 0 };
	rc = lvnet_resolve(&vc, action, argc, argv, &ts);
	struct rec_writer *w = lvnet_writer();
	int first = rc;
	interrupt_install();
	for (size_t i = 0; !rc && i < ts.n; i++) { /* after a failure the others are still done */
		if (interrupted()) { /* each network done so far has its record */
			errorx("network %s: interrupted: %zu of %zu done", action, i, ts.n);
			first = interrupt_exit_code();
			break;
		}
		int r = each_one(vc.uri, action, &ts.t[i], act, w);
		first = first ? first : r;
	}
	rc = lvnet_finish(w, first);
	lvnet_targets_free(&ts);
	virt_close(&vc);
	return rc;
}

static int net_list(int argc)
{
	if (argc > 0)
		return lvnet_fail(EXIT_USAGE, "list", "operands", "list takes none (pipe to grep, or use show NAME)");
	struct virt_conn vc;
	int rc = lvnet_open(&vc);
	if (rc)
		return rc;
	struct recset all = RECSET_INIT;
	struct strbuf err = STRBUF_INIT;
	rc = vnet_list(&vc, &all, &err);
	if (rc)
		errorx("network list: %s", err.buf);
	struct rec_writer *w = lvnet_writer();
	for (size_t i = 0; i < all.n; i++) {
		lvnet_reorder(&all.r[i], vc.uri);
		rec_write(w, &all.r[i]);
	}
	rc = lvnet_finish(w, rc);
	recset_clear(&all);
	sb_release(&err);
	virt_close(&vc);
	return rc;
}

/* create NAME: everything checked before connecting; an existing network is an
 * error unless --if-missing, which reports it as it is. */
/* The record of one network, alone on the output; v is freed. */
static int write_one(struct vnet *v, const char *uri)
{
	struct record r = RECORD_INIT;
	lvnet_record(v, uri, &r);
	struct rec_writer *w = lvnet_writer();
	rec_write(w, &r);
	int rc = lvnet_finish(w, 0);
	rec_clear(&r);
	vnet_free(v);
	return rc;
}

/* --if-missing accepts only the network asked for: the fields of the two
 * records, as cloudctl-net writes them (bridge and autostart only when asked;
 * without --autostart either is fine). 0, or 73 naming the first that differs. */
static int same_as_asked(const struct vnet *spec, const struct vnet *have, const char *uri)
{
	static const char *const fields[] = { "mode", "cidr", "gateway", "pools", "bridge" };
	struct record want = RECORD_INIT, got = RECORD_INIT;
	lvnet_record(spec, uri, &want);
	lvnet_record(have, uri, &got);
	int rc = 0;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(fields); i++) {
		const char *f = fields[i], *a = rec_get(&want, f), *b = rec_get(&got, f);
		if ((strcmp(f, "bridge") || asked->bridge) && !str_eq(a, b))
			rc = lvnet_fail(EXIT_EXISTS, "create", spec->name, "exists with %s=%s; asked %s=%s (--if-missing takes only the same)", f,
					b ? b : "none", f, a ? a : "none");
	}
	if (!rc && asked->autostart && !have->autostart)
		rc = lvnet_fail(EXIT_EXISTS, "create", spec->name, "exists with autostart=false; asked autostart=true (--if-missing takes only the same)");
	rec_clear(&want);
	rec_clear(&got);
	return rc;
}

static int report_existing(struct virt_conn *vc, const struct vnet *spec)
{
	const char *name = spec->name;
	struct strbuf err = STRBUF_INIT;
	virNetworkPtr net = virNetworkLookupByName(vc->c, name);
	struct vnet v = { 0 };
	int rc = net ? vnet_get(net, &v, &err) : vnet_lookup_failed(&err);
	if (rc) {
		lvnet_fail(rc, "create", name, "%s", err.buf);
	} else if ((rc = same_as_asked(spec, &v, vc->uri))) {
		vnet_free(&v);
	} else {
		info("network '%s' exists already: reported as it is", name);
		rc = write_one(&v, vc->uri);
	}
	if (net)
		virNetworkFree(net);
	sb_release(&err);
	return rc;
}

static int emit_new(virNetworkPtr net, const char *name, const char *uri)
{
	struct strbuf err = STRBUF_INIT;
	struct vnet v;
	int rc = vnet_get(net, &v, &err);
	if (rc) {
		lvnet_fail(rc, "create", name, "created, but %s", err.buf);
	} else {
		rc = write_one(&v, uri);
	}
	sb_release(&err);
	return rc;
}

static int net_create(int argc, char **argv)
{
	if (argc == 0) {
		errorx("network create: the name is missing: network create NAME --cidr CIDR");
		return EXIT_USAGE;
	}
	if (argc > 1)
		return lvnet_fail(EXIT_USAGE, "create", argv[1], "one network at a time");
	struct strbuf err = STRBUF_INIT;
	struct vnet spec;
	int rc = vnet_spec(&spec, argv[0], asked->cidr, asked->mode, asked->dhcp_range, asked->no_dhcp, asked->bridge,
			   &err);
	if (rc) {
		lvnet_fail(rc, "create", argv[0], "%s", err.buf);
		sb_release(&err);
		return rc;
	}
	struct virt_conn vc;
	rc = lvnet_open(&vc);
	virNetworkPtr net = NULL;
	if (!rc)
		info("network create: %s: defining it%s%s", spec.name, asked->autostart ? ", autostart" : "",
		     asked->no_start ? "" : ", then starting it");
	if (!rc)
		rc = vnet_create(&vc, &spec, asked->autostart, asked->no_start, &net, &err);
	if (rc == EXIT_EXISTS && net_opts.create.if_missing)
		rc = report_existing(&vc, &spec);
	else if (rc == EXIT_EXISTS)
		lvnet_fail(rc, "create", spec.name, "%s (use --if-missing to accept it)", err.buf);
	else if (rc && vc.c)
		lvnet_fail(rc, "create", spec.name, "%s", err.buf);
	else if (!rc)
		rc = emit_new(net, spec.name, vc.uri);
	if (net)
		virNetworkFree(net);
	if (vc.c)
		virt_close(&vc);
	vnet_free(&spec);
	sb_release(&err);
	return rc;
}

int cmd_network(int argc, char **argv);

int cmd_network(int argc, char **argv)
{
	static const struct {
		const char *name;
		lvnet_act act;
	} actions[] = {
		{ "show", NULL }, { "start", vnet_start }, { "stop", vnet_stop }, { "delete", vnet_delete },
	};
	if (argc < 1) {
		errorx("network: the action is missing: list, show, create, start, stop or delete");
		return EXIT_USAGE;
	}
	/* options out of their driver's or action's scope were refused by tool_main */
	const char *action = argv[0];
	if (strcmp(action, "create") == 0)
		return net_create(argc - 1, argv + 1);
	if (strcmp(action, "list") == 0)
		return net_list(argc - 1);
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(action, actions[i].name) == 0)
			return each_run(action, argc - 1, argv + 1, actions[i].act);
	errorx("network: unknown action '%s': expected list, show, create, start, stop or delete", action);
	return EXIT_USAGE;
}
