/* vm.h: what the verbs of cloudctl-vm share. */
#ifndef CLOUDCTL_VM_H
#define CLOUDCTL_VM_H

#include "log.h"
#include "opts.h"
#include "record.h"
#include "virt/virt.h"
#include "../vmopts.h"
#include <libvirt/virterror.h>


/* Open the connection --connect / LIBVIRT_DEFAULT_URI / libvirt's default names. */
int vm_open(struct virt_conn *vc);
/* The same for a verb given records (in, may be NULL): with neither --connect nor
 * LIBVIRT_DEFAULT_URI, the uri= the vm records carry; records of another driver or
 * URI are refused (65, lib/target.h) before anything is done. */
int vm_open_for(struct virt_conn *vc, const struct recset *in);
/* The records on stdin when the operands are "-" or none (else in stays empty). */
int vm_read_input(int argc, char **argv, struct recset *in);

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
int targets_resolve(struct virt_conn *vc, int argc, char **argv, struct recset *in, struct targets *out);
void targets_free(struct targets *ts);

/* Every VM on every --connect URI, in parallel (collect.c). interval_ms > 0:
 * two samples, and cpu_pct. Returns the first node's error, keeping the rest. */
int vm_collect(unsigned what, long long interval_ms, struct recset *out);

/* Output (vm_writer and vm_finish: vmopts.h). Write the record of dom. Returns 0 or an exit code. */
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

#endif
