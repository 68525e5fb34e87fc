/* cloudctl-vm: VM lifecycle on libvirt or OpenStack. main.c holds the verb
 * table and picks the driver; the verbs themselves are in the driver plugins
 * (cloudctl-vm-libvirt.so, cloudctl-vm-openstack.so), loaded only when a verb
 * runs, so --help, --version and completion start in a few ms. */
#include "vmopts.h"

#include <stdlib.h>
#include <string.h>

struct strlist vm_connect_uris;
const char *vm_driver, *vm_os_cloud, *vm_os_region, *vm_os_interface;

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

static const char *plugin_for(const struct verb *v)
{
	(void)v;
	vm_driver = pick_driver();
	if (strcmp(vm_driver, "libvirt") == 0) {
		const char *os = vm_os_cloud ? "--os-cloud" : vm_os_region ? "--os-region-name"
			: vm_os_interface ? "--os-interface" : NULL;
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
