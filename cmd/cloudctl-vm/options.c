/* options.c: the option tables of every cloudctl-vm verb and the variables they
 * fill. They live in the executable, apart from the verbs, so that --help,
 * --version and completion never load a driver (see lib/plugin.c). Both drivers
 * (libvirt, openstack) read the same variables; an option only one of them has
 * a use for is refused by the other, never silently ignored. */
#include "vmopts.h"

#define JOBS_OPT { "jobs", 'j', OPT_INT, &o_jobs, "N", "openstack: requests sent in parallel (default 8)", NULL }
/* Names and IDs resolve in the command's project; another's only when asked. */
#define ALL_PROJECTS_OPT { "all-projects", 'a', OPT_BOOL, &list_all_projects, NULL, \
	"openstack: names and IDs of every project (admin); else the command's own", NULL }


/* list */
const char *list_state, *list_name;
struct strlist list_tags;
int list_stats, list_all_projects;
const char *list_interval;
const struct opt list_opts[] = {
	{ "state", 's', OPT_STRING, &list_state, "STATE", "only VMs in STATE (running, shutoff, paused, ...)",
	  "words:running blocked paused shutdown shutoff crashed pmsuspended building error suspended shelved" },
	{ "name", 'n', OPT_STRING, &list_name, "GLOB", "only VMs whose name matches GLOB", NULL },
	{ "tag", 't', OPT_LIST, &list_tags, "K=V", "only VMs tagged K=V (K alone: having tag K); repeatable", NULL },
	{ "stats", 0, OPT_BOOL, &list_stats, NULL, "add the counters of 'stats' to each record", NULL },
	{ "interval", 0, OPT_STRING, &list_interval, "DURATION",
	  "with --stats: sample twice, DURATION apart, and add cpu_pct", NULL },
	{ "all-projects", 'a', OPT_BOOL, &list_all_projects, NULL, "openstack: the servers of every project (admin)", NULL },
	JOBS_OPT,
	OPT_END
};
const struct opt show_opts[] = { ALL_PROJECTS_OPT, JOBS_OPT, OPT_END };
const struct opt stats_opts[] = {
	{ "interval", 0, OPT_STRING, &list_interval, "DURATION", "sample twice, DURATION apart, and add cpu_pct", NULL },
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};


/* create */
const char *c_name, *c_memory, *c_disk, *c_image, *c_kernel, *c_initrd, *c_cmdline;
const char *c_user_data, *c_pool = "default", *c_type, *c_console_log, *c_timeout; /* NULL: 5m */
const char *c_flavor, *c_key_name, *c_ssh_key;
long long c_vcpus = VM_VCPUS_UNSET, c_count = 1, c_start_index = 1;
struct strlist c_networks, c_tags, c_ports, c_secgroups;
int c_wait, c_if_missing, c_no_start, c_no_network;
const struct opt create_opts[] = {
	{ "name", 'n', OPT_STRING, &c_name, "NAME", "VM name; with --count, a template with %d (e.g. web-%d)", NULL },
	{ "count", 'N', OPT_INT, &c_count, "N", "create N VMs (default 1)", NULL },
	{ "start-index", 0, OPT_INT, &c_start_index, "I", "first number for %d in the name template (default 1)", NULL },
	{ "vcpus", 0, OPT_INT, &c_vcpus, "N",
	  "virtual CPUs (default 1); openstack: with --memory, picks the smallest flavor that fits", NULL },
	{ "memory", 'm', OPT_STRING, &c_memory, "SIZE", "memory, e.g. 512M, 2G; a bare number is MiB (default 1G)", NULL },
	{ "flavor", 'f', OPT_STRING, &c_flavor, "FLAVOR", "openstack: flavor name or ID", NULL },
	{ "disk", 'd', OPT_STRING, &c_disk, "SIZE", "a new qcow2 disk of SIZE (a bare number is GiB)", NULL },
	{ "image", 'i', OPT_STRING, &c_image, "IMAGE",
	  "libvirt: disk image on the host, the backing file of the disk; openstack: image name or ID", "file" },
	{ "pool", 0, OPT_STRING, &c_pool, "POOL", "storage pool for disks and seeds (default 'default')", NULL },
	{ "kernel", 0, OPT_STRING, &c_kernel, "PATH", "boot this kernel directly (path on the host)", "file" },
	{ "initrd", 0, OPT_STRING, &c_initrd, "PATH", "initramfs for --kernel", "file" },
	{ "cmdline", 0, OPT_STRING, &c_cmdline, "ARGS", "kernel command line for --kernel", NULL },
	{ "network", 0, OPT_LIST, &c_networks, "NET",
	  "libvirt network NAME, bridge:BR or user (default: 'default' when it exists); openstack: network "
	  "name or ID (default: what Nova picks); repeatable", NULL },
	{ "port", 0, OPT_LIST, &c_ports, "ID", "openstack: attach this Neutron port; repeatable", NULL },
	{ "no-network", 0, OPT_BOOL, &c_no_network, NULL, "no network interface", NULL },
	{ "security-group", 0, OPT_LIST, &c_secgroups, "NAME", "openstack: security group name or ID; repeatable", NULL },
	{ "key-name", 'k', OPT_STRING, &c_key_name, "NAME",
	  "openstack: the keypair to inject (with --ssh-key: made from FILE when missing)", NULL },
	{ "ssh-key", 0, OPT_STRING, &c_ssh_key, "FILE",
	  "openstack: public key to inject; a keypair holding it is reused or made", "file" },
	{ "tag", 't', OPT_LIST, &c_tags, "K=V", "tag kept in the domain's metadata (openstack: the server's); repeatable", NULL },
	{ "user-data", 'u', OPT_STRING, &c_user_data, "FILE", "cloud-init user-data: a NoCloud seed (openstack: Nova's user_data)", "file" },
	{ "console-log", 0, OPT_STRING, &c_console_log, "FILE", "also log the serial console to FILE (on the host)", "file" },
	{ "domain-type", 0, OPT_STRING, &c_type, "TYPE", "kvm or qemu (default: kvm when the host offers it)",
	  "words:kvm qemu" },
	{ "no-start", 0, OPT_BOOL, &c_no_start, NULL, "define the VM but do not start it", NULL },
	{ "wait", 'w', OPT_BOOL, &c_wait, NULL, "wait until running, and until it has an address when it has a network", NULL },
	{ "timeout", 0, OPT_STRING, &c_timeout, "DURATION", "limit for --wait (default 5m)", NULL },
	{ "if-missing", 0, OPT_BOOL, &c_if_missing, NULL, "a VM that exists already is reported, not an error", NULL },
	JOBS_OPT,
	OPT_END
};


/* lifecycle */
int o_force, o_wait, o_no_wait, o_keep_storage, o_ip, o_delete_keypair;
const char *o_timeout, *o_state = "running";
long long o_jobs = 8;
const struct opt start_opts[] = {
	{ "wait", 'w', OPT_BOOL, &o_wait, NULL, "wait until running and, with a network, addressed", NULL },
	{ "timeout", 0, OPT_STRING, &o_timeout, "DURATION", "limit for --wait (default 5m)", NULL },
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt stop_opts[] = {
	{ "timeout", 0, OPT_STRING, &o_timeout, "DURATION",
	  "how long the VM may take to be shut off (default 60s, both drivers)", NULL },
	{ "force", 'f', OPT_BOOL, &o_force, NULL,
	  "libvirt: power off what did not shut down in time (Nova does that itself)", NULL },
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt reboot_opts[] = {
	{ "force", 'f', OPT_BOOL, &o_force, NULL, "reset instead of asking the guest to reboot", NULL },
	{ "timeout", 0, OPT_STRING, &o_timeout, "DURATION", "how long to wait for the guest to be back (default 5m)", NULL },
	{ "no-wait", 0, OPT_BOOL, &o_no_wait, NULL, "return once the reboot is asked for", NULL },
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt delete_opts[] = {
	{ "keep-storage", 0, OPT_BOOL, &o_keep_storage, NULL, "libvirt: keep the disks and seeds the VM owns", NULL },
	{ "wait", 'w', OPT_BOOL, &o_wait, NULL, "openstack: wait until the server is gone", NULL },
	{ "delete-keypair", 0, OPT_BOOL, &o_delete_keypair, NULL,
	  "openstack: also delete the cloudctl-* keypair create --ssh-key made, unless another server has it", NULL },
	{ "timeout", 0, OPT_STRING, &o_timeout, "DURATION", "limit for --wait (default 5m)", NULL },
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt wait_opts[] = {
	{ "state", 's', OPT_STRING, &o_state, "STATE", "the state to wait for (default running; openstack also: error, deleted, ...)",
	  "words:running paused shutoff" },
	{ "ip", 0, OPT_BOOL, &o_ip, NULL, "also wait for an IPv4 address", NULL },
	{ "timeout", 0, OPT_STRING, &o_timeout, "DURATION", "give up after DURATION (default 5m), exit 75", NULL },
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
