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

/* Globals (main.c). */
extern struct strlist vm_connect_uris; /* --connect, repeatable for list and stats (libvirt) */
extern const char *vm_driver;          /* --driver, NULL until main.c's vm_pick_driver decides */
extern const char *vm_os_cloud, *vm_os_region, *vm_os_interface; /* --os-cloud ... (openstack) */
extern const char *vm_verb;            /* the verb that runs, for the lines that name it */

/* Option variables (options.c): list_ list's, c_ create's, o_ those several
 * verbs' tables share (a verb's table writes no other verb's own). */
extern const char *list_state, *list_name;
extern struct strlist list_tags;
extern int list_stats;
extern const char *c_name, *c_memory, *c_disk, *c_image, *c_kernel, *c_initrd, *c_cmdline;
extern const char *c_user_data, *c_pool, *c_type, *c_console_log, *c_timeout;
extern const char *c_flavor, *c_key_name, *c_ssh_key;
extern long long c_vcpus, c_count, c_start_index;
#define VM_VCPUS_UNSET (-1) /* c_vcpus when --vcpus was not given */
extern struct strlist c_networks, c_tags, c_ports, c_secgroups;
extern int c_wait, c_if_missing, c_no_start, c_no_network;
extern int o_force, o_wait, o_no_wait, o_keep_storage, o_ip, o_delete_keypair, o_all_projects;
extern const char *o_timeout, *o_state, *o_interval;
extern long long o_jobs;

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
