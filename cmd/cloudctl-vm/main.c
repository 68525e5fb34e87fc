/* cloudctl-vm: VM lifecycle on libvirt. main.c holds the verb table; the verbs
 * themselves are in the libvirt driver plugin (cloudctl-vm-libvirt.so), loaded
 * only when a verb runs, so --help, --version and completion start in a few ms. */
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct opt globals[] = {
	{ "connect", 'C', OPT_LIST, &vm_connect_uris, "URI",
	  "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own default); list and stats take several",
	  "words:qemu:///system qemu:///session test:///default" },
	OPT_END
};

#define VM_OPERAND "cmd:list -o tsv -c name"

static const struct verb verbs[] = {
	{ "list", NULL, list_opts, NULL, "List VMs as records", NULL, NULL },
	{ "show", NULL, show_opts, "[VM...|-]", "Show VMs in detail", VM_OPERAND, NULL },
	{ "create", NULL, create_opts, NULL, "Create (define and start) VMs", NULL, NULL },
	{ "start", NULL, start_opts, "[VM...|-]", "Start VMs", VM_OPERAND, NULL },
	{ "stop", NULL, stop_opts, "[VM...|-]", "Shut VMs down gracefully, then by force with --force",
	  VM_OPERAND, NULL },
	{ "reboot", NULL, reboot_opts, "[VM...|-]", "Reboot VMs", VM_OPERAND, NULL },
	{ "delete", NULL, delete_opts, "[VM...|-]", "Delete VMs and the storage they own", VM_OPERAND, NULL },
	{ "wait", NULL, wait_opts, "[VM...|-]", "Wait until VMs reach a state", VM_OPERAND, NULL },
	{ "stats", NULL, stats_opts, "[VM...|-]", "CPU, memory, block and network counters", VM_OPERAND, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct tool tool = {
	"cloudctl-vm", "Create, list and control virtual machines on libvirt.", verbs, globals, NULL,
	"cloudctl-vm-libvirt", NULL,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
