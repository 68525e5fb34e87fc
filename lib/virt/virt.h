/* virt.h: cloudctl's libvirt client. Domains become vm records; tags and the
 * volumes a domain owns live in the domain's metadata under our own XML namespace. */
#ifndef CLOUDCTL_VIRT_H
#define CLOUDCTL_VIRT_H

#include <libvirt/libvirt.h>
#include "record.h"
#include "util.h"

#define VIRT_NS_URI "https://cloudctl.dev/xmlns/vm/1"
#define VIRT_NS_PREFIX "cloudctl"

struct virt_conn {
	virConnectPtr c;
	char *uri;      /* the URI libvirt actually connected to */
	char *hostname; /* the hypervisor's host name */
};

/* Open uri (NULL: LIBVIRT_DEFAULT_URI, then libvirt's own defaults). Returns 0 or an exit code. */
int virt_open(struct virt_conn *vc, const char *uri);
void virt_close(struct virt_conn *vc);
/* Whether the hypervisor runs on this machine (a URI with no host: qemu:///system,
 * test:///default), so that paths on the host can be checked here. */
int virt_is_local(const struct virt_conn *vc);

/* libvirt's last error as one line, and the exit code it maps to. */
const char *virt_errmsg(void);
int virt_errcode(void);
/* Report libvirt's last error prefixed by what we were doing; returns its exit code. */
int virt_fail(const char *what_fmt, ...) __attribute__((format(printf, 1, 2)));

/* "running", "shutoff", ... for a virDomainState; -1 for an unknown name. */
const char *virt_state_name(int state);
int virt_state_parse(const char *name);
extern const char virt_state_words[]; /* for help and completion */

/* Find a domain by UUID, name, or numeric ID (in that order). NULL when none
 * (libvirt's error is set). */
virDomainPtr virt_lookup(struct virt_conn *vc, const char *ident);
/* Find the domain a record names: its id (UUID) when present, else its name. */
virDomainPtr virt_lookup_record(struct virt_conn *vc, const struct record *r);

/* What list/show/stats put in a record. */
enum {
	VREC_TAGS = 1,   /* tag.K fields from our metadata */
	VREC_IP = 2,     /* ip (first IPv4 address from DHCP leases) for running domains */
	VREC_STATS = 4,  /* counters from virConnectGetAllDomainStats */
	VREC_DETAIL = 8, /* show: domain type, disks, NICs, autostart, persistence */
};

/* Records for every domain (list, stats), from one bulk stats call. */
int virt_list(struct virt_conn *vc, unsigned what, struct recset *out);
/* A record for one domain. Returns 0 or an exit code. */
int virt_record(struct virt_conn *vc, virDomainPtr d, unsigned what, struct record *r);

/* Our metadata: tags, the volumes the domain owns (deleted with it), and the
 * image its disk was made from. */
struct virt_meta {
	struct record tags;   /* key -> value, without the "tag." prefix */
	struct strlist vols;  /* "pool/volume" */
	char *image;          /* the backing file of create --image, or NULL */
};
#define VIRT_META_INIT { RECORD_INIT, STRLIST_INIT, NULL }
int virt_meta_get(virDomainPtr d, struct virt_meta *m);
void virt_meta_clear(struct virt_meta *m);
void virt_meta_xml(struct strbuf *sb, const struct record *tags, const struct strlist *vols, const char *image);

/* First IPv4 address of a running domain from DHCP leases, then the guest agent;
 * NULL when none. The caller frees it. */
char *virt_domain_ip(virDomainPtr d);

/* Whether the domain has a network interface (and so should get an address). */
int virt_has_nic(virDomainPtr d);

/* Domain type to use: "kvm" when the host's capabilities offer it for x86_64, else "qemu". */
char *virt_default_domain_type(struct virt_conn *vc);

/* Wait until the domain is in state (or, with want_ip, also has an address). Returns 0,
 * EXIT_TEMPFAIL on timeout, interrupt_exit_code() when a signal came, or another
 * exit code on error. timeout_ms < 0: forever. */
int virt_wait(virDomainPtr d, int state, int want_ip, long long timeout_ms);

/* Reboot d (force: reset it, without asking the guest). With wait, until the guest
 * is back: libvirt's reboot event (the guest went through a reset), then running;
 * 75 after timeout_ms (< 0: forever), 130 on a signal. Waiting needs
 * virt_events_init() before the connection is opened. */
int virt_reboot(virDomainPtr d, int force, int wait, long long timeout_ms);
void virt_events_init(void);

/* What create makes. Paths (image, kernel, initrd) are on the hypervisor host. */
struct vm_spec {
	const char *name;
	const char *domain_type;      /* "kvm" or "qemu" */
	unsigned vcpus;
	unsigned long long mem_mib;
	unsigned long long disk_bytes; /* 0 with no image: no disk */
	const char *image;            /* backing file of the disk (qcow2 overlay) */
	const char *pool;             /* storage pool for the disk and the seed */
	const char *kernel, *initrd, *cmdline;
	const struct strlist *networks; /* "NAME", "network:NAME", "bridge:BR", "user" */
	const struct record *tags;
	const char *user_data;        /* cloud-init user-data, or NULL */
	size_t user_data_len;
	const char *console_log;      /* serial console log file, or NULL */
	int start;
};

/* What can refuse a create, checked before anything is made: the networks of
 * spec exist (66), and its storage pool, unless it is "default" (made when
 * missing). Then for each VM name: the volumes create would make for it do not
 * exist yet (73). */
int virt_create_check(struct virt_conn *vc, const struct vm_spec *spec);
int virt_create_check_name(struct virt_conn *vc, const struct vm_spec *spec, const char *name);

/* Define (and start) one domain with its volumes. On failure everything made
 * so far is removed again, and so it is when a signal came (interrupted())
 * before the last step: then the exit code is interrupt_exit_code(). Returns 0 and
 * the domain in *out, or an exit code. */
int virt_create(struct virt_conn *vc, const struct vm_spec *spec, virDomainPtr *out);

/* Undefine a domain (stopping it first) and delete the volumes it owns unless
 * keep_storage. Returns 0 or an exit code; the domain may be gone even then
 * (a volume that could not be deleted is named on stderr). */
int virt_delete(virDomainPtr d, int keep_storage);

/* Append text with XML special characters escaped. */
void xml_escape(struct strbuf *sb, const char *s);

#endif
