/* options.c: the option tables of every cloudctl-vm verb and vm_opts, the
 * struct they fill. They live in the executable, apart from the verbs, so that
 * --help, --version and completion never load a driver (see lib/plugin.c).
 * Both drivers (libvirt, openstack) read the same struct; an option only one
 * of them has a use for is refused by the other, never silently ignored. */
#include "vmopts.h"

/* The defaults are the initializers; the target is main.c's table's. */
struct vm_options vm_opts = {
	.create = { .pool = "default", .vcpus = VM_VCPUS_UNSET, .count = 1, .start_index = 1 },
	.lifecycle = { .wait_state = "running" },
	.shared = { .jobs = 8 },
};

#define JOBS_OPT OPT_INT("jobs", 'j', &vm_opts.shared.jobs, "N", "openstack: requests sent in parallel (default 8)")
/* Names and IDs resolve in the command's project; another's only when asked. */
#define ALL_PROJECTS_OPT \
	OPT_BOOL("all-projects", 'a', &vm_opts.shared.all_projects, \
		 "openstack: names and IDs of every project (admin); else the command's own", .drivers = "openstack")


/* list */
const struct opt list_opts[] = {
	OPT_STRING("state", 's', &vm_opts.list.state, "STATE", "only VMs in STATE (running, shutoff, paused, ...)",
	  .complete = "words:running blocked paused shutdown shutoff crashed pmsuspended building error suspended shelved"),
	OPT_STRING("name", 0, &vm_opts.list.name_glob, "GLOB", "only VMs whose name matches GLOB"),
	OPT_LIST("tag", 't', &vm_opts.list.tags, "K=V", "only VMs tagged K=V (K alone: having tag K); repeatable"),
	OPT_BOOL("stats", 0, &vm_opts.list.with_stats, "add the counters of 'stats' to each record"),
	OPT_STRING("interval", 0, &vm_opts.shared.stats_interval, "DURATION",
	  "with --stats: sample twice, DURATION apart, and add cpu_pct", .drivers = "libvirt",
	  .scope_note = "Nova's diagnostics are one sample"),
	OPT_BOOL("all-projects", 'a', &vm_opts.shared.all_projects, "openstack: the servers of every project (admin)",
	  .drivers = "openstack"),
	JOBS_OPT,
	OPT_END
};
const struct opt show_opts[] = { ALL_PROJECTS_OPT, JOBS_OPT, OPT_END };
const struct opt stats_opts[] = {
	OPT_STRING("interval", 0, &vm_opts.shared.stats_interval, "DURATION",
	  "sample twice, DURATION apart, and add cpu_pct",
	  .drivers = "libvirt", .scope_note = "Nova's diagnostics are one sample"),
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};


/* create */
const struct opt create_opts[] = {
	OPT_STRING("name", 0, &vm_opts.create.name_template, "NAME",
	  "VM name; with --count, a template with %d (e.g. web-%d)"),
	OPT_INT("count", 'N', &vm_opts.create.count, "N", "create N VMs (default 1)"),
	OPT_INT("start-index", 0, &vm_opts.create.start_index, "I",
	  "first number for %d in the name template (default 1)"),
	OPT_INT("vcpus", 0, &vm_opts.create.vcpus, "N",
	  "virtual CPUs (default 1); openstack: with --memory, picks the smallest flavor that fits"),
	OPT_STRING("memory", 'm', &vm_opts.create.memory, "SIZE",
	  "memory, e.g. 512M, 2G; a bare number is MiB (default 1G)"),
	OPT_STRING("flavor", 0, &vm_opts.create.flavor, "FLAVOR",
	  "openstack: flavor name or ID", .drivers = "openstack"),
	OPT_STRING("disk", 'd', &vm_opts.create.disk, "SIZE", "a new qcow2 disk of SIZE (a bare number is GiB)",
	  .drivers = "libvirt"),
	OPT_STRING("image", 'i', &vm_opts.create.image, "IMAGE",
	  "libvirt: disk image on the host, the backing file of the disk; openstack: image name or ID",
	  .complete = "file"),
	OPT_STRING("pool", 0, &vm_opts.create.pool, "POOL", "storage pool for disks and seeds (default 'default')"),
	OPT_STRING("kernel", 0, &vm_opts.create.kernel, "PATH",
	  "boot this kernel directly (path on the host)", .complete = "file",
	  .drivers = "libvirt"),
	OPT_STRING("initrd", 0, &vm_opts.create.initrd, "PATH",
	  "initramfs for --kernel", .complete = "file", .drivers = "libvirt"),
	OPT_STRING("cmdline", 0, &vm_opts.create.cmdline, "ARGS",
	  "kernel command line for --kernel", .drivers = "libvirt"),
	OPT_LIST("network", 0, &vm_opts.create.networks, "NET",
	  "libvirt network NAME, bridge:BR or user (default: 'default' when it exists); openstack: network "
	  "name or ID (default: what Nova picks); repeatable"),
	OPT_LIST("port", 0, &vm_opts.create.ports, "ID",
	  "openstack: attach this Neutron port; repeatable", .drivers = "openstack"),
	OPT_BOOL("no-network", 0, &vm_opts.create.no_network, "no network interface"),
	OPT_LIST("security-group", 0, &vm_opts.create.security_groups, "NAME",
	  "openstack: security group name or ID; repeatable",
	  .drivers = "openstack"),
	OPT_STRING("key-name", 'k', &vm_opts.create.key_name, "NAME",
	  "openstack: the keypair to inject (with --ssh-key: made from FILE when missing)", .drivers = "openstack"),
	OPT_STRING("ssh-key", 0, &vm_opts.create.ssh_key_file, "FILE",
	  "openstack: public key to inject; a keypair holding it is reused or made", .complete = "file",
	  .drivers = "openstack"),
	OPT_LIST("tag", 't', &vm_opts.create.tags, "K=V",
	  "tag kept in the domain's metadata (openstack: the server's); repeatable"),
	OPT_STRING("user-data", 0, &vm_opts.create.user_data, "FILE",
	  "cloud-init user-data: a NoCloud seed (openstack: Nova's user_data)", .complete = "file"),
	OPT_STRING("console-log", 0, &vm_opts.create.console_log, "FILE",
	  "also log the serial console to FILE (on the host)",
	  .complete = "file", .drivers = "libvirt"),
	OPT_STRING("domain-type", 0, &vm_opts.create.domain_type, "TYPE",
	  "kvm or qemu (default: kvm when the host offers it)",
	  .complete = "words:kvm qemu", .drivers = "libvirt"),
	OPT_BOOL("no-start", 0, &vm_opts.create.no_start, "define the VM but do not start it", .drivers = "libvirt"),
	OPT_BOOL("wait", 'w', &vm_opts.create.wait,
	  "wait until running, and until it has an address when it has a network"),
	OPT_STRING("timeout", 0, &vm_opts.create.wait_timeout, "DURATION", "limit for --wait (default 5m)"),
	OPT_BOOL("if-missing", 0, &vm_opts.create.if_missing, "a VM that exists already is reported, not an error"),
	JOBS_OPT,
	OPT_END
};


/* the lifecycle verbs */
const struct opt start_opts[] = {
	OPT_BOOL("wait", 'w', &vm_opts.lifecycle.wait, "wait until running and, with a network, addressed"),
	OPT_STRING("timeout", 0, &vm_opts.lifecycle.timeout, "DURATION", "limit for --wait (default 5m)"),
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt stop_opts[] = {
	OPT_STRING("timeout", 0, &vm_opts.lifecycle.timeout, "DURATION",
	  "how long the VM may take to be shut off (default 60s, both drivers)"),
	OPT_BOOL("force", 0, &vm_opts.lifecycle.force,
	  "libvirt: power off what did not shut down in time (Nova does that itself)",
	  .drivers = "libvirt", .scope_note = "Nova powers off what does not shut down"),
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt reboot_opts[] = {
	OPT_BOOL("force", 0, &vm_opts.lifecycle.force, "reset instead of asking the guest to reboot"),
	OPT_STRING("timeout", 0, &vm_opts.lifecycle.timeout, "DURATION",
	  "how long to wait for the guest to be back (default 5m)"),
	OPT_BOOL("no-wait", 0, &vm_opts.lifecycle.no_wait, "return once the reboot is asked for"),
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt delete_opts[] = {
	OPT_BOOL("keep-storage", 0, &vm_opts.lifecycle.keep_storage, "libvirt: keep the disks and seeds the VM owns",
	  .drivers = "libvirt"),
	OPT_BOOL("wait", 'w', &vm_opts.lifecycle.wait, "openstack: wait until the server is gone"),
	OPT_BOOL("delete-keypair", 0, &vm_opts.lifecycle.delete_keypair,
	  "openstack: also delete the cloudctl-* keypair create --ssh-key made, unless another server has it",
	  .drivers = "openstack"),
	OPT_STRING("timeout", 0, &vm_opts.lifecycle.timeout, "DURATION", "limit for --wait (default 5m)"),
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
const struct opt wait_opts[] = {
	OPT_STRING("state", 's', &vm_opts.lifecycle.wait_state, "STATE",
	  "the state to wait for (default running; openstack also: error, deleted, ...)",
	  .complete = "words:running paused shutoff"),
	OPT_BOOL("ip", 0, &vm_opts.lifecycle.wait_for_ip, "also wait for an IPv4 address"),
	OPT_STRING("timeout", 0, &vm_opts.lifecycle.timeout, "DURATION",
	  "give up after DURATION (default 5m), exit 75"),
	ALL_PROJECTS_OPT,
	JOBS_OPT,
	OPT_END
};
