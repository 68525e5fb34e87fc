/* cloudctl-vm: VM lifecycle on libvirt. main.c holds the verb table and what
 * the verbs share: the connection, the VMs named by operands or records, output. */
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *vm_connect_uri;

static const struct opt globals[] = {
	{ "connect", 'C', OPT_STRING, &vm_connect_uri, "URI",
	  "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own default)",
	  "words:qemu:///system qemu:///session test:///default" },
	OPT_END
};

#define VM_OPERAND "cmd:list -o tsv -c name"

static const struct verb verbs[] = {
	{ "list", cmd_list, list_opts, NULL, "List VMs as records", NULL },
	{ "show", cmd_show, show_opts, "[VM...|-]", "Show VMs in detail", VM_OPERAND },
	{ "create", cmd_create, create_opts, NULL, "Create (define and start) VMs", NULL },
	{ "start", cmd_start, start_opts, "[VM...|-]", "Start VMs", VM_OPERAND },
	{ "stop", cmd_stop, stop_opts, "[VM...|-]", "Shut VMs down gracefully, then by force with --force",
	  VM_OPERAND },
	{ "reboot", cmd_reboot, reboot_opts, "[VM...|-]", "Reboot VMs", VM_OPERAND },
	{ "delete", cmd_delete, delete_opts, "[VM...|-]", "Delete VMs and the storage they own", VM_OPERAND },
	{ "wait", cmd_wait, wait_opts, "[VM...|-]", "Wait until VMs reach a state", VM_OPERAND },
	{ "stats", cmd_stats, stats_opts, "[VM...|-]", "CPU, memory, block and network counters", VM_OPERAND },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

static const struct tool tool = {
	"cloudctl-vm", "Create, list and control virtual machines on libvirt.", verbs, globals, NULL,
};

int vm_open(struct virt_conn *vc)
{
	return virt_open(vc, vm_connect_uri);
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
		const char *kind = rec_get(r, "kind");
		if (kind && strcmp(kind, "vm") != 0)
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

int targets_resolve(struct virt_conn *vc, int argc, char **argv, struct targets *ts)
{
	int from_stdin = argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0);
	if (from_stdin) {
		struct recset in = RECSET_INIT;
		int rc = read_stdin_records(&in);
		if (!rc)
			rc = resolve_records(vc, &in, ts);
		recset_clear(&in);
		return rc;
	}
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

struct rec_writer *vm_writer(const char *default_cols)
{
	return rec_writer_new(stdout, common.format, common.columns, default_cols);
}

int vm_emit(struct rec_writer *w, struct virt_conn *vc, const struct record *in, virDomainPtr dom, unsigned what)
{
	struct record r = RECORD_INIT;
	int rc = virt_record(vc, dom, what, &r);
	if (!rc) {
		struct record out = RECORD_INIT;
		/* Fresh fields first, in their usual order; then what the input carried
		 * that we do not know about (it passes through). */
		rec_copy(&out, &r);
		for (size_t i = 0; in && i < in->n; i++)
			if (!rec_get(&out, in->f[i].key) && !str_starts(in->f[i].key, "tag."))
				rec_set(&out, in->f[i].key, in->f[i].val);
		rec_write(w, &out);
		rec_clear(&out);
	}
	rec_clear(&r);
	return rc;
}

int vm_finish(struct rec_writer *w, int rc)
{
	errno = 0;
	if (rec_writer_finish(w) < 0)
		rc = stdout_failed(errno, rc);
	return rc;
}

int parse_tags(const char *verb, const struct strlist *args, struct record *tags, int allow_bare_key)
{
	for (size_t i = 0; i < args->n; i++) {
		const char *a = args->v[i], *eq = strchr(a, '=');
		char *k = eq ? xstrndup(a, (size_t)(eq - a)) : xstrdup(a);
		int bad = !rec_key_valid(k) || (!eq && !allow_bare_key);
		if (bad) {
			errorx("%s: --tag '%s': expected KEY=VALUE with KEY matching [a-z][a-z0-9_.]*", verb, a);
			free(k);
			return EXIT_USAGE;
		}
		rec_set(tags, k, eq ? eq + 1 : NULL);
		if (!eq)
			rec_set(tags, k, "\x01"); /* bare key: "has this tag" */
		free(k);
	}
	return 0;
}

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
