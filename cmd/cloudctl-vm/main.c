/* cloudctl-vm: VM lifecycle on libvirt or OpenStack. main.c holds the verb
 * table and picks the driver; the verbs themselves are in the driver plugins
 * (cloudctl-vm-libvirt.so, cloudctl-vm-openstack.so), loaded only when a verb
 * runs, so --help, --version and completion start in a few ms. */
#include "vmopts.h"
#include "target.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *vm_verb = "";

static const struct opt globals[] = {
	OPT_STRING("driver", 'D', &vm_opts.target.driver, "DRIVER",
	  "libvirt or openstack (default: $CLOUDCTL_VM_DRIVER; else openstack when --os-cloud, OS_CLOUD or "
	  "OS_AUTH_URL is set; else libvirt)", .complete = "words:libvirt openstack"),
	OPT_LIST("connect", 'C', &vm_opts.target.connect_uris, "URI",
	  "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own default); list and stats take several",
	  .complete = "words:qemu:///system qemu:///session test:///default", .drivers = "libvirt"),
	OPT_STRING("os-cloud", 0, &vm_opts.target.os_cloud, "CLOUD",
	  "openstack: the cloud of clouds.yaml (default: $OS_CLOUD)",
	  .drivers = "openstack"),
	OPT_STRING("os-region-name", 0, &vm_opts.target.os_region, "REGION",
	  "openstack: region (default: $OS_REGION_NAME)",
	  .drivers = "openstack"),
	OPT_STRING("os-interface", 0, &vm_opts.target.os_interface, "INTERFACE",
	  "openstack: endpoint interface (default: $OS_INTERFACE, then public)",
	  .complete = "words:public internal admin", .drivers = "openstack"),
	OPT_END
};

#define VM_OPERAND "cmd:list -o tsv -c name"

/* The fields a VM record of an acting verb can have, on either driver
 * (cloudctl(7), "Fields of the cloud kinds"), and the detail fields of show:
 * -c is checked against them (and the piped records' keys) before anything
 * is created, started or deleted. */
#define VM_FIELDS "kind id name state driver cloud project uri host vcpus mem_mib flavor image ip fip net " \
	"net_id tag.* tags status keypair addresses security_groups az task_state user_id created updated " \
	"fault autostart persistent domain_type kernel disk.* nic.*"

static const struct verb verbs[] = {
	{ .name = "list", .opts = list_opts, .summary = "List VMs as records" },
	{ .name = "show", .opts = show_opts, .operands = "[VM...|-]", .summary = "Show VMs in detail",
	  .operand_complete = VM_OPERAND },
	{ .name = "create", .opts = create_opts, .operands = "[-]", .summary = "Create (define and start) VMs",
	  .columns = VM_FIELDS },
	{ .name = "start", .opts = start_opts, .operands = "[VM...|-]", .summary = "Start VMs",
	  .operand_complete = VM_OPERAND, .columns = VM_FIELDS },
	{ .name = "stop", .opts = stop_opts, .operands = "[VM...|-]",
	  .summary = "Shut VMs down gracefully, then by force with --force", .operand_complete = VM_OPERAND,
	  .columns = VM_FIELDS },
	{ .name = "reboot", .opts = reboot_opts, .operands = "[VM...|-]", .summary = "Reboot VMs",
	  .operand_complete = VM_OPERAND, .columns = VM_FIELDS },
	{ .name = "delete", .opts = delete_opts, .operands = "[VM...|-]",
	  .summary = "Delete VMs and the storage they own", .operand_complete = VM_OPERAND,
	  .columns = VM_FIELDS },
	{ .name = "wait", .opts = wait_opts, .operands = "[VM...|-]", .summary = "Wait until VMs reach a state",
	  .operand_complete = VM_OPERAND },
	{ .name = "stats", .opts = stats_opts, .operands = "[VM...|-]",
	  .summary = "CPU, memory, block and network counters", .operand_complete = VM_OPERAND },
	{ .name = NULL },
};

static int set_in_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

/* Where the command line says cloudctl-vm acts (lib/target.h picks the driver). */
static struct target_opts target_opts(void)
{
	const struct vm_target_opts *o = &vm_opts.target;
	return (struct target_opts){ o->driver, "CLOUDCTL_VM_DRIVER", o->os_cloud, o->connect_uris.n > 0 };
}

static const char *pick_driver(void)
{
	struct target_opts o = target_opts();
	return target_driver(&o);
}

/* Whether the verb takes records on stdin with these operands: "-", or no
 * operand for the verbs that act on VMs (stats without one lists every VM on
 * OpenStack; create reads stdin only with "-", as its man page says). */
static int reads_stdin(const struct verb *v)
{
	int n = tool_operand_count;
	int dash = n == 1 && strcmp(tool_operands[0], "-") == 0;
	if (strcmp(v->name, "list") == 0)
		return 0;
	if (strcmp(v->name, "create") == 0 || strcmp(v->name, "stats") == 0)
		return dash;
	return n == 0 || dash;
}

/* Read all of stdin, put the same bytes back on fd 0 (a memory file, so the
 * driver reads them as it always has), and parse them. A malformed line is
 * left for the driver to report, with its verb: *in is then empty. */
static int slurp_stdin(struct recset *in)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t got;
	while ((got = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			errorx("reading stdin: %s", strerror(errno));
			sb_release(&sb);
			return EXIT_IOERR;
		}
		sb_add(&sb, buf, (size_t)got);
	}
	int fd = memfd_create("cloudctl-vm-stdin", 0);
	size_t off = 0;
	while (fd >= 0 && off < sb.len && (got = write(fd, sb.buf + off, sb.len - off)) > 0)
		off += (size_t)got;
	if (fd < 0 || off < sb.len || lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, STDIN_FILENO) < 0) {
		errorx("keeping stdin: %s", strerror(errno));
		sb_release(&sb);
		return EXIT_OSERR;
	}
	close(fd);
	FILE *f = fmemopen(sb.buf, sb.len ? sb.len : 1, "r");
	struct strbuf err = STRBUF_INIT;
	if (f && sb.len && rec_read_all(f, "<stdin>", in, &err) < 0)
		recset_clear(in);
	if (f)
		fclose(f);
	sb_release(&err);
	sb_release(&sb);
	return 0;
}

/* The target the command line and the environment name, as far as they
 * say (the driver fills in the project, or the URI libvirt picked). */
static void named_target(struct target_spec *t, const char *driver)
{
	const struct vm_target_opts *o = &vm_opts.target;
	memset(t, 0, sizeof *t);
	t->driver = (char *)driver;
	if (strcmp(driver, "openstack") == 0)
		t->cloud = (char *)(o->os_cloud ? o->os_cloud : set_in_env("OS_CLOUD") ? getenv("OS_CLOUD")
				    : set_in_env("OS_AUTH_URL") ? "env" : NULL);
	else
		t->uri = o->connect_uris.n ? o->connect_uris.v[0]
			: set_in_env("LIBVIRT_DEFAULT_URI") ? getenv("LIBVIRT_DEFAULT_URI") : NULL;
}

/* The command named where it acts: an option or the environment. */
static int target_named(void)
{
	struct target_opts o = target_opts();
	return target_is_named(&o);
}

/* Records name their driver and cloud or URI (lib/target.h): with no target
 * named, the records' is taken; else a record of another driver, cloud or
 * URI is refused here, before a driver is even loaded. Exits 65 on either. */
static void settle_target_from_stdin(const struct verb *v)
{
	if (!reads_stdin(v) || isatty(STDIN_FILENO))
		return;
	static struct recset in = RECSET_INIT; /* kept for -c (tool_input) */
	int rc = slurp_stdin(&in);
	tool_input = &in;
	if (rc)
		exit(rc);
	struct strbuf err = STRBUF_INIT;
	struct target_spec from = TARGET_SPEC_INIT;
	if (!target_named()) {
		rc = target_from_records(&in, NULL, &from, &err);
		if (!rc && from.driver) { /* the strings the target takes are kept for the run */
			vm_opts.target.driver = from.driver;
			from.driver = NULL;
			if (from.cloud && strcmp(from.cloud, "env") != 0) {
				vm_opts.target.os_cloud = from.cloud;
				from.cloud = NULL;
			}
			if (from.uri)
				strlist_add(&vm_opts.target.connect_uris, from.uri);
		}
		if (rc)
			errorx("%s: %s", v->name, err.buf);
	} else {
		struct target_spec t;
		named_target(&t, pick_driver());
		rc = vm_check_target(&t, &in);
	}
	if (rc)
		exit(rc);
	target_spec_clear(&from);
	sb_release(&err);
}

/* --timeout of create, start and delete is the limit of --wait: alone it
 * would be accepted and do nothing. */
static int timeout_without_wait(const struct verb *v)
{
	if (strcmp(v->name, "create") == 0)
		return vm_opts.create.wait_timeout && !vm_opts.create.wait;
	if (strcmp(v->name, "start") == 0 || strcmp(v->name, "delete") == 0)
		return vm_opts.lifecycle.timeout && !vm_opts.lifecycle.wait;
	return 0;
}

/* The driver: options are checked against it by their scopes (opts.c). */
static int vm_pick_driver(const struct verb *v, const char **driver)
{
	if (timeout_without_wait(v)) {
		errorx("%s: --timeout is the limit of --wait: give --wait too", v->name);
		return EXIT_USAGE;
	}
	vm_verb = v->name;
	settle_target_from_stdin(v);
	vm_opts.target.driver = pick_driver();
	if (strcmp(vm_opts.target.driver, "libvirt") != 0 && strcmp(vm_opts.target.driver, "openstack") != 0) {
		errorx("--driver '%s': libvirt or openstack", vm_opts.target.driver);
		return EXIT_USAGE;
	}
	*driver = vm_opts.target.driver;
	return 0;
}

static const struct tool tool = {
	.name = "cloudctl-vm", .verbs = verbs, .globals = globals,
	.summary = "Create, list and control virtual machines on libvirt or OpenStack.",
	.drivers = "libvirt openstack", .pick_driver = vm_pick_driver,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
