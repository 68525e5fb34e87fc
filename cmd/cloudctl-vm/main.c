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

struct strlist vm_connect_uris;
const char *vm_driver, *vm_os_cloud, *vm_os_region, *vm_os_interface;
const char *vm_verb = "";

static const struct opt globals[] = {
	{ "driver", 'D', OPT_STRING, &vm_driver, "DRIVER",
	  "libvirt or openstack (default: $CLOUDCTL_VM_DRIVER; else openstack when --os-cloud, OS_CLOUD or "
	  "OS_AUTH_URL is set; else libvirt)", "words:libvirt openstack" },
	{ "connect", 'C', OPT_LIST, &vm_connect_uris, "URI",
	  "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own default); list and stats take several",
	  "words:qemu:///system qemu:///session test:///default" },
	{ "os-cloud", 0, OPT_STRING, &vm_os_cloud, "CLOUD", "openstack: the cloud of clouds.yaml (default: $OS_CLOUD)",
	  NULL },
	{ "os-region-name", 0, OPT_STRING, &vm_os_region, "REGION", "openstack: region (default: $OS_REGION_NAME)",
	  NULL },
	{ "os-interface", 0, OPT_STRING, &vm_os_interface, "INTERFACE",
	  "openstack: endpoint interface (default: $OS_INTERFACE, then public)", "words:public internal admin" },
	OPT_END
};

#define VM_OPERAND "cmd:list -o tsv -c name"

static const struct verb verbs[] = {
	{ "list", NULL, list_opts, NULL, "List VMs as records", NULL, NULL },
	{ "show", NULL, show_opts, "[VM...|-]", "Show VMs in detail", VM_OPERAND, NULL },
	{ "create", NULL, create_opts, "[-]", "Create (define and start) VMs", NULL, NULL },
	{ "start", NULL, start_opts, "[VM...|-]", "Start VMs", VM_OPERAND, NULL },
	{ "stop", NULL, stop_opts, "[VM...|-]", "Shut VMs down gracefully, then by force with --force",
	  VM_OPERAND, NULL },
	{ "reboot", NULL, reboot_opts, "[VM...|-]", "Reboot VMs", VM_OPERAND, NULL },
	{ "delete", NULL, delete_opts, "[VM...|-]", "Delete VMs and the storage they own", VM_OPERAND, NULL },
	{ "wait", NULL, wait_opts, "[VM...|-]", "Wait until VMs reach a state", VM_OPERAND, NULL },
	{ "stats", NULL, stats_opts, "[VM...|-]", "CPU, memory, block and network counters", VM_OPERAND, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static int set_in_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

/* --driver, else $CLOUDCTL_VM_DRIVER, else what the command line and the
 * environment point at: an OpenStack cloud named, or --connect for libvirt. */
static const char *pick_driver(void)
{
	if (vm_driver)
		return vm_driver;
	if (set_in_env("CLOUDCTL_VM_DRIVER"))
		return getenv("CLOUDCTL_VM_DRIVER");
	if (vm_os_cloud)
		return "openstack";
	if (vm_connect_uris.n)
		return "libvirt";
	if (set_in_env("OS_CLOUD") || set_in_env("OS_AUTH_URL"))
		return "openstack";
	return "libvirt";
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
	memset(t, 0, sizeof *t);
	t->driver = (char *)driver;
	if (strcmp(driver, "openstack") == 0)
		t->cloud = (char *)(vm_os_cloud ? vm_os_cloud : set_in_env("OS_CLOUD") ? getenv("OS_CLOUD")
				    : set_in_env("OS_AUTH_URL") ? "env" : NULL);
	else
		t->uri = vm_connect_uris.n ? vm_connect_uris.v[0]
			: set_in_env("LIBVIRT_DEFAULT_URI") ? getenv("LIBVIRT_DEFAULT_URI") : NULL;
}

/* The command named where it acts: an option or the environment. */
static int target_named(void)
{
	return vm_driver || set_in_env("CLOUDCTL_VM_DRIVER") || vm_os_cloud || vm_connect_uris.n ||
	       target_env_named();
}

/* Records name their driver and cloud or URI (lib/target.h): with no target
 * named, the records' is taken; else a record of another driver, cloud or
 * URI is refused here, before a driver is even loaded. Exits 65 on either. */
static void settle_target_from_stdin(const struct verb *v)
{
	if (!reads_stdin(v) || isatty(STDIN_FILENO))
		return;
	struct recset in = RECSET_INIT;
	int rc = slurp_stdin(&in);
	if (rc)
		exit(rc);
	struct strbuf err = STRBUF_INIT;
	struct target_spec from = TARGET_SPEC_INIT;
	if (!target_named()) {
		rc = target_from_records(&in, NULL, &from, &err);
		if (!rc && from.driver) { /* the strings vm_driver and vm_os_cloud take are kept for the run */
			vm_driver = from.driver;
			from.driver = NULL;
			if (from.cloud && strcmp(from.cloud, "env") != 0) {
				vm_os_cloud = from.cloud;
				from.cloud = NULL;
			}
			if (from.uri)
				strlist_add(&vm_connect_uris, from.uri);
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
	recset_clear(&in);
}

/* --timeout of create, start and delete is the limit of --wait: alone it
 * would be accepted and do nothing. */
static int timeout_without_wait(const struct verb *v)
{
	if (strcmp(v->name, "create") == 0)
		return c_timeout && !c_wait;
	if (strcmp(v->name, "start") == 0 || strcmp(v->name, "delete") == 0)
		return o_timeout && !o_wait;
	return 0;
}

static const char *plugin_for(const struct verb *v)
{
	if (timeout_without_wait(v)) {
		errorx("%s: --timeout is the limit of --wait: give --wait too", v->name);
		return NULL;
	}
	vm_verb = v->name;
	settle_target_from_stdin(v);
	vm_driver = pick_driver();
	if (strcmp(vm_driver, "libvirt") == 0) {
		const char *os = vm_os_cloud ? "--os-cloud" : vm_os_region ? "--os-region-name"
			: vm_os_interface ? "--os-interface" : o_delete_keypair ? "--delete-keypair"
			: list_all_projects ? "--all-projects" : NULL;
		if (os) {
			errorx("%s is for --driver openstack", os);
			return NULL;
		}
		return "cloudctl-vm-libvirt";
	}
	if (strcmp(vm_driver, "openstack") == 0) {
		if (vm_connect_uris.n) {
			errorx("--connect is for --driver libvirt");
			return NULL;
		}
		return "cloudctl-vm-openstack";
	}
	errorx("--driver '%s': libvirt or openstack", vm_driver);
	return NULL;
}

static const struct tool tool = {
	"cloudctl-vm", "Create, list and control virtual machines on libvirt or OpenStack.", verbs, globals, NULL,
	"cloudctl-vm-libvirt", plugin_for,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
