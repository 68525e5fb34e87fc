/* target.h: never act on a record of another driver or cloud.
 *
 * A record written by a cloud-facing tool names where its object lives:
 *   driver=libvirt   uri=URI                       (the libvirt connection)
 *   driver=openstack cloud=NAME|env project=ID     (--os-cloud/OS_CLOUD, or `env`
 *                                                   when the OS_* variables made it)
 * A tool that reads records acts on one target (driver + cloud or uri + project):
 *  - when the command named no target (no --driver, --os-cloud, --connect, and no
 *    OS_CLOUD, OS_AUTH_URL or LIBVIRT_DEFAULT_URI in the environment), the target
 *    is taken from the records, which must all agree;
 *  - a record that names another driver, cloud, uri or project is refused (65)
 *    before anything is done.
 * A record without these fields (hand-written, older tools) is accepted as before.
 * Pure logic: nothing here talks to a server. */
#ifndef CLOUDCTL_TARGET_H
#define CLOUDCTL_TARGET_H

#include "record.h"
#include "util.h"

/* Where a command acts. Every field may be NULL (unknown). The strings are
 * owned by the struct when it was filled by target_from_records (free with
 * target_spec_clear); a caller filling it by hand may point anywhere and must
 * not call target_spec_clear. */
struct target_spec {
	char *driver;  /* "libvirt" or "openstack" */
	char *cloud;   /* openstack: the clouds.yaml name, or "env" */
	char *uri;     /* libvirt: the connection URI */
	char *project; /* openstack: the project ID */
};
#define TARGET_SPEC_INIT { NULL, NULL, NULL, NULL }
void target_spec_clear(struct target_spec *t);

/* Whether the environment names a target: OS_CLOUD, OS_AUTH_URL or
 * LIBVIRT_DEFAULT_URI set and not empty. A tool's own options (--driver,
 * --os-cloud, --connect) are for the tool to add. */
int target_env_named(void);

/* What a tool's command line says about where it acts. */
struct target_opts {
	const char *driver;     /* --driver, or NULL */
	const char *driver_env; /* the tool's variable: "CLOUDCTL_VM_DRIVER", ... */
	const char *os_cloud;   /* --os-cloud, or NULL */
	int connect;            /* --connect given */
};

/* The driver a tool runs: --driver, else $driver_env, else openstack with
 * --os-cloud, libvirt with --connect, else openstack when OS_CLOUD or
 * OS_AUTH_URL is set, else libvirt. Not checked: the caller says which it knows. */
const char *target_driver(const struct target_opts *o);

/* Whether the command line or the environment names where to act (then
 * records that name another target are refused rather than followed). */
int target_is_named(const struct target_opts *o);

/* Whether r names a target at all (has driver=). */
int target_record_has(const struct record *r);

/* The target the records name: the driver, cloud or uri, and project of the
 * records that have a driver= field (the others are skipped). All of them must
 * agree; else returns 65 with err "SRC:N: record is driver=... cloud=...; earlier
 * records are driver=... cloud=..." (src: "<stdin>" when NULL). Returns 0 with
 * out empty (driver NULL) when no record names a target. out is cleared first. */
int target_from_records(const struct recset *in, const char *src, struct target_spec *out,
			struct strbuf *err);

/* Whether record r may be acted on by a command acting on t: 0 when r names no
 * target, or the same driver and (when both sides know it) the same cloud, uri
 * and project; else 65 with err
 *   "<stdin>:N: record is driver=openstack cloud=tenant-a; this command acts on
 *    driver=libvirt uri=qemu:///system". */
int target_check_record(const struct target_spec *t, const struct record *r, const char *src,
			struct strbuf *err);

/* target_check_record for every record of in; the first refusal wins. */
int target_check_records(const struct target_spec *t, const struct recset *in, const char *src,
			 struct strbuf *err);

/* "driver=libvirt uri=qemu:///system", "driver=openstack cloud=env project=ab12":
 * the fields of t that are set, in that order, appended to sb. */
void target_describe(struct strbuf *sb, const struct target_spec *t);

/* Add t's fields to a record the tool writes (driver, then cloud or uri, then
 * project; the unknown ones are left out). */
void target_set_fields(struct record *r, const struct target_spec *t);

#endif
