/* common.c: what the verbs of the libvirt driver of cloudctl-vm share: the connection, the VMs named
 * by operands or piped records, output. Part of the libvirt driver plugin. */
#include "vm.h"
#include "interrupt.h"
#include "target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vm_open(struct virt_conn *vc)
{
	return vm_open_for(vc, NULL);
}

static int is_vm_record(const struct record *r)
{
	const char *kind = rec_get(r, "kind");
	return !kind || strcmp(kind, "vm") == 0;
}

/* Whether main.c knew the URI when it checked the records: --connect (or
 * the records' uri, which it put there), or $LIBVIRT_DEFAULT_URI. */
static int uri_was_named(void)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");
	return vm_opts.target.connect_uris.n || (env && *env);
}

/* The URI: --connect (main.c adds the records' uri= when the command named
 * none), else $LIBVIRT_DEFAULT_URI, else libvirt's default. */
int vm_open_for(struct virt_conn *vc, const struct recset *in)
{
	memset(vc, 0, sizeof *vc);
	if (vm_opts.target.connect_uris.n > 1) {
		errorx("only list and stats take several --connect");
		return EXIT_USAGE;
	}
	int rc = virt_open(vc, vm_opts.target.connect_uris.n ? vm_opts.target.connect_uris.v[0] : NULL);
	if (!rc)
		info("%s: connected to %s", vm_verb, vc->uri);
	struct target_spec t = { (char *)"libvirt", NULL, vc->uri, NULL };
	if (!rc && in && !uri_was_named() && (rc = vm_check_target(&t, in)))
		virt_close(vc);
	return rc;
}

static int read_stdin_records(struct recset *in)
{
	if (isatty(STDIN_FILENO)) {
		errorx("no VM named: give names or pipe records (see '%s --help')", progname);
		return EXIT_USAGE;
	}
	struct strbuf err = STRBUF_INIT;
	if (rec_read_all(stdin, "<stdin>", in, &err) < 0) {
		errorx("%s", err.buf);
		sb_release(&err);
		return EXIT_DATA;
	}
	return 0;
}

static struct target *targets_add(struct targets *ts)
{
	ts->t = xgrow(ts->t, &ts->cap, ts->n + 1, sizeof *ts->t);
	struct target *t = &ts->t[ts->n++];
	memset(t, 0, sizeof *t);
	return t;
}

static int resolve_records(struct virt_conn *vc, struct recset *in, struct targets *ts)
{
	for (size_t i = 0; i < in->n; i++) {
		struct record *r = &in->r[i];
		if (!is_vm_record(r))
			continue; /* other records (e.g. a network) are not ours to act on */
		if (!rec_get(r, "id") && !rec_get(r, "name")) {
			errorx("<stdin>:%ld: a vm record needs an id or a name", r->line);
			return EXIT_DATA;
		}
		virDomainPtr d = virt_lookup_record(vc, r);
		if (!d)
			return virt_fail("<stdin>:%ld: vm '%s'", r->line,
					 rec_get(r, "name") ? rec_get(r, "name") : rec_get(r, "id"));
		struct target *t = targets_add(ts);
		rec_copy(&t->in, r);
		t->dom = d;
	}
	return 0;
}

static int from_stdin(int argc, char **argv)
{
	return argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0);
}

int vm_read_input(int argc, char **argv, struct recset *in)
{
	return from_stdin(argc, argv) ? read_stdin_records(in) : 0;
}

int targets_resolve(struct virt_conn *vc, int argc, char **argv, struct recset *in, struct targets *ts)
{
	if (from_stdin(argc, argv))
		return resolve_records(vc, in, ts);
	for (int i = 0; i < argc; i++) {
		virDomainPtr d = virt_lookup(vc, argv[i]);
		if (!d)
			return virt_fail("vm '%s'", argv[i]);
		targets_add(ts)->dom = d;
	}
	return 0;
}

void targets_free(struct targets *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		rec_clear(&ts->t[i].in);
		if (ts->t[i].dom)
			virDomainFree(ts->t[i].dom);
	}
	free(ts->t);
	memset(ts, 0, sizeof *ts);
}

/* Keys the libvirt driver writes itself: an input value for one of these is
 * stale (an old ip, a counter) and must not survive when the VM no longer has it. */
static int driver_key(const char *key)
{
	static const char *const prefixes[] = { "ip", "image", "fip", "tag.", "cpu", "mem_used_mib", "net", "block", "balloon",
						"vcpu", "disk.", "nic.", "kernel", "autostart", "persistent",
						"domain_type" };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (str_starts(key, prefixes[i]))
			return 1;
	return 0;
}

void vm_merge_input(struct record *out, const struct record *in)
{
	for (size_t i = 0; in && i < in->n; i++)
		if (!rec_get(out, in->f[i].key) && !driver_key(in->f[i].key))
			rec_set(out, in->f[i].key, in->f[i].val);
}

int vm_emit(struct rec_writer *w, struct virt_conn *vc, virDomainPtr dom, unsigned what)
{
	struct record r = RECORD_INIT;
	int rc = virt_record(vc, dom, what, &r);
	if (!rc)
		rec_write(w, &r);
	rec_clear(&r);
	return rc;
}

/* Whether the domain is no longer defined nor running. */
static int vm_gone(struct virt_conn *vc, virDomainPtr d)
{
	unsigned char uuid[VIR_UUID_BUFLEN];
	if (virDomainGetUUID(d, uuid) < 0)
		return 0;
	virDomainPtr again = virDomainLookupByUUID(vc->c, uuid);
	if (again)
		virDomainFree(again);
	virResetLastError();
	return again == NULL;
}

/* One VM: act, then its record; for a delete the record is taken first, since
 * afterwards there is no VM to ask. */
static int each_one(struct virt_conn *vc, struct target *t, const struct vm_each *e, struct rec_writer *w)
{
	struct record r = RECORD_INIT;
	int rc = 0, rec_rc = 0;
	int gone = 0;
	if (e->deletes)
		rec_rc = virt_record(vc, t->dom, e->what, &r);
	if (!rec_rc && e->act)
		rc = e->act(t->dom, e->ms);
	if (!e->deletes)
		rec_rc = virt_record(vc, t->dom, e->what, &r);
	else if ((gone = vm_gone(vc, t->dom)))
		rec_set(&r, "state", "deleted"); /* even when some of its storage stayed (rc) */
	if (!rec_rc && (!e->deletes || gone)) {
		vm_merge_input(&r, &t->in);
		rec_write(w, &r);
	}
	rec_clear(&r);
	return rc ? rc : rec_rc;
}

int vm_each_run(int argc, char **argv, const struct vm_each *e)
{
	struct virt_conn vc;
	struct recset in = RECSET_INIT;
	interrupt_install();
	int rc = vm_read_input(argc, argv, &in);
	if (!rc)
		rc = vm_open_for(&vc, &in);
	if (rc) {
		recset_clear(&in);
		return rc;
	}
	struct targets ts = { 0 };
	rc = targets_resolve(&vc, argc, argv, &in, &ts);
	recset_clear(&in);
	struct rec_writer *w = vm_writer(e->cols);
	int first = rc;
	size_t done = 0;
	for (; !rc && done < ts.n && !interrupted(); done++) {
		int r = each_one(&vc, &ts.t[done], e, w);
		first = first ? first : r;
	}
	if (!rc && interrupted()) {
		warnx("interrupted: %zu of %zu VMs were not acted on", ts.n - done, ts.n);
		first = interrupt_exit_code();
	}
	rc = vm_finish(w, first);
	targets_free(&ts);
	virt_close(&vc);
	return rc;
}
