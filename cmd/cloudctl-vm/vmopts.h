/* vmopts.h: what the executable of cloudctl-vm (main.c, options.c, exports.c)
 * gives both of its driver plugins, cloudctl-vm-libvirt.so (vm.h) and
 * cloudctl-vm-openstack.so (openstack/osvm.h): the option variables and a few
 * helpers that need no libvirt. The plugins find them in the executable, which
 * exports its symbols (-rdynamic). No libvirt header may be included here. */
#ifndef CLOUDCTL_VMOPTS_H
#define CLOUDCTL_VMOPTS_H

#include "log.h"
#include "opts.h"
#include "record.h"
#include "target.h"

#define VM_COLUMNS "id,name,state,vcpus,mem_mib,host,ip,tags"
#define VM_STATS_COLUMNS "name,state,vcpus,mem_mib,cpu_time_ns,mem_used_mib,net_rx_bytes,net_tx_bytes,block_rd_bytes,block_wr_bytes"

/* Where every verb acts: the options before the verb (main.c's table). */
struct vm_target_opts {
	const char *driver;          /* --driver, NULL until main.c's vm_pick_driver decides */
	struct strlist connect_uris; /* --connect, repeatable for list and stats (libvirt) */
	const char *os_cloud, *os_region, *os_interface; /* --os-cloud ... (openstack) */
};

/* list's filters. */
struct vm_list_opts {
	const char *state, *name_glob; /* --state, --name */
	struct strlist tags;           /* --tag K=V, as given */
	int with_stats;                /* --stats */
};

#define VM_VCPUS_UNSET (-1) /* vcpus when --vcpus was not given */

/* create's, for both drivers (each refuses the other's by the table's scopes). */
struct vm_create_opts {
	const char *name_template, *memory, *disk, *image, *pool, *user_data;
	const char *kernel, *initrd, *cmdline, *domain_type, *console_log; /* libvirt */
	const char *flavor, *key_name, *ssh_key_file;                      /* openstack */
	const char *wait_timeout; /* --timeout: the limit of --wait, NULL: 5m */
	long long vcpus, count, start_index;
	struct strlist networks, tags, ports, security_groups;
	int wait, if_missing, no_start, no_network;
};

/* The lifecycle verbs' (start, stop, reboot, delete, wait): one meaning each
 * in every table that has it. */
struct vm_lifecycle_opts {
	int force, wait, no_wait, keep_storage, wait_for_ip, delete_keypair;
	const char *timeout;    /* --timeout, NULL: the verb's default */
	const char *wait_state; /* wait --state, default running */
};

/* What most verbs' tables have, with one meaning in each. */
struct vm_shared_opts {
	int all_projects;          /* --all-projects (openstack) */
	long long jobs;            /* --jobs: requests in parallel (openstack) */
	const char *stats_interval; /* --interval of stats and list --stats (libvirt) */
};

/* Every option value of cloudctl-vm, filled by the tables (main.c's for the
 * target, options.c's for the verbs); the one instance, vm_opts, is what the
 * plugins read. A table writes its verb's member and target or shared only. */
struct vm_options {
	struct vm_target_opts target;
	struct vm_list_opts list;
	struct vm_create_opts create;
	struct vm_lifecycle_opts lifecycle;
	struct vm_shared_opts shared;
};
extern struct vm_options vm_opts; /* options.c */
extern const char *vm_verb;       /* the verb that runs, for the lines that name it (main.c) */

extern const struct opt list_opts[], show_opts[], stats_opts[], create_opts[], start_opts[], stop_opts[],
	reboot_opts[], delete_opts[], wait_opts[];

/* The verbs: each driver plugin exports all of them (lib/plugin.h). */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_wait(int argc, char **argv);

/* Helpers shared by the drivers (exports.c). */
struct rec_writer *vm_writer(const char *default_cols);
/* Finish output and combine exit codes: the first error wins. */
int vm_finish(struct rec_writer *w, int rc);
/* Write recs (with want_tags, those list's filters keep: vm_list_keep), empty
 * it, and finish, as vm_finish; what the nodes or pages that answered gave is
 * written even when rc says some did not. */
int vm_write_records(struct recset *recs, const struct record *want_tags, const char *default_cols, int rc);
/* Tag arguments "k=v" into a record of k -> v; returns 0 or 64 with a message.
 * allow_bare_key: "k" alone means "has tag k" (value "\x01"). */
int parse_tags(const char *verb, const struct strlist *args, struct record *tags, int allow_bare_key);
/* Whether r's tag.* fields hold every tag of want (as parse_tags made it). */
int vm_tags_match(const struct record *r, const struct record *want);
/* list's filters: --state, --name GLOB, --tag (want_tags from parse_tags). */
int vm_list_keep(const struct record *r, const struct record *want_tags);
/* "web-%d", "db%02d": at most one %d with an optional zero-padded width. */
int vm_name_template_ok(const char *t, int *has_number);
char *vm_make_name(const char *t, long long n);
/* create: --name, --count and the template, checked the same for both drivers. */
int vm_check_names(void);
/* create -: the input holds no network (the command before it failed, or
 * made something else): the line, in the words of both drivers, and 65. */
int vm_no_net_records(void);
/* The records of in that t may act on: 0, or 65 with one line naming the verb
 * and the first record of another driver, cloud, URI or project. main.c runs
 * it before a driver is loaded; the libvirt driver only for the URI libvirt
 * picked by itself, which main cannot know. */
int vm_check_target(const struct target_spec *t, const struct recset *in);
/* Long work (create --wait) shows where it is on a status line of stderr,
 * redrawn in place: only when stderr is a terminal and -q is not given; a
 * message clears it first (log_before), and vm_progress_done at the end. */
void vm_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vm_progress_done(void);

#endif
