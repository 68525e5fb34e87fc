/* vm.h: what the verbs of cloudctl-vm share. */
#ifndef CLOUDCTL_VM_H
#define CLOUDCTL_VM_H

#include "log.h"
#include "opts.h"
#include "record.h"
#include "virt/virt.h"
#include <libvirt/virterror.h>

#define VM_COLUMNS "id,name,state,vcpus,mem_mib,host,ip,tags"
#define VM_STATS_COLUMNS "name,state,vcpus,mem_mib,cpu_time_ns,mem_used_mib,net_rx_bytes,net_tx_bytes,block_rd_bytes,block_wr_bytes"

extern struct strlist vm_connect_uris; /* --connect, repeatable for list and stats */

/* Open the connection --connect / LIBVIRT_DEFAULT_URI / libvirt's default names. */
int vm_open(struct virt_conn *vc);

/* The VMs a verb acts on: its operands (names, UUIDs, IDs), or records read from
 * stdin when the operand is "-" or there is none. Every one is resolved before
 * anything is done, so a typo or a malformed line changes nothing. */
struct target {
	struct record in; /* the input record (passes through), empty for operands */
	virDomainPtr dom;
};
struct targets {
	struct target *t;
	size_t n, cap;
};
int targets_resolve(struct virt_conn *vc, int argc, char **argv, struct targets *out);
void targets_free(struct targets *ts);

/* Every VM on every --connect URI, in parallel (collect.c). interval_ms > 0:
 * two samples, and cpu_pct. Returns the first node's error, keeping the rest. */
int vm_collect(unsigned what, long long interval_ms, struct recset *out);

/* Output. */
struct rec_writer *vm_writer(const char *default_cols);
/* Write the record of dom. Returns 0 or an exit code. */
int vm_emit(struct rec_writer *w, struct virt_conn *vc, virDomainPtr dom, unsigned what);

/* What a verb does with each VM it is given: act (NULL: nothing), then write the
 * VM's record (what: VREC_*) on top of the input record. The first error is the
 * exit code; the other VMs are still done and each failure is reported. */
struct vm_each {
	int (*act)(virDomainPtr d, long long ms);
	long long ms;      /* passed to act (a timeout) */
	unsigned what;
	const char *cols;  /* default table columns */
	int deletes;       /* act removes the VM: its record is taken before, with state=deleted */
};
int vm_each_run(int argc, char **argv, const struct vm_each *e);
/* Add the fields of in that out lacks, except those the driver owns. */
void vm_merge_input(struct record *out, const struct record *in);
/* Finish output and combine exit codes: the first error wins. */
int vm_finish(struct rec_writer *w, int rc);

/* Tag arguments "k=v" into a record of k -> v; returns 0 or 64 with a message. */
int parse_tags(const char *verb, const struct strlist *args, struct record *tags, int allow_bare_key);

int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_wait(int argc, char **argv);

/* Option variables (options.c). */
extern const char *list_state, *list_name;
extern struct strlist list_tags;
extern int list_stats;
extern const char *list_interval;
extern const char *c_name, *c_memory, *c_disk, *c_image, *c_kernel, *c_initrd, *c_cmdline;
extern const char *c_user_data, *c_pool, *c_type, *c_console_log, *c_timeout;
extern long long c_vcpus, c_count, c_start_index;
extern struct strlist c_networks, c_tags;
extern int c_wait, c_if_missing, c_no_start, c_no_network;
extern int o_force, o_wait, o_keep_storage, o_ip;
extern const char *o_timeout, *o_state;

extern const struct opt list_opts[], show_opts[], stats_opts[], create_opts[], start_opts[], stop_opts[],
	reboot_opts[], delete_opts[], wait_opts[];

#endif
