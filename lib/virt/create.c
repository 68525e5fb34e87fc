/* create.c: one VM = its volumes (a qcow2 disk, a cloud-init seed) + a domain
 * definition carrying our metadata. Volumes go through the storage pool API so a
 * remote libvirtd (qemu+ssh://) works the same as a local one. What can refuse
 * is checked before anything is made (virt_create_check*); whatever create made
 * is removed again when a later step fails or a signal comes between steps. */
#include "virt/virt.h"
#include "interrupt.h"
#include "iso9660.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/virterror.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

struct made {
	virStoragePoolPtr pool;
	struct strlist vols; /* "pool/name", recorded in the metadata */
	char *disk_vol, *seed_vol;
	char uuid[VIR_UUID_STRING_BUFLEN];
};

static void new_uuid(char out[VIR_UUID_STRING_BUFLEN])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != sizeof b)
		die(EXIT_OSERR, "getrandom failed: %s", strerror(errno));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, VIR_UUID_STRING_BUFLEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The pool for our volumes. "default" is made when missing, as virt-install does. */
static int open_pool(struct virt_conn *vc, const char *name, virStoragePoolPtr *out)
{
	*out = virStoragePoolLookupByName(vc->c, name);
	if (!*out && strcmp(name, "default") == 0) {
		info("creating storage pool 'default' in /var/lib/libvirt/images");
		const char *xml = "<pool type='dir'><name>default</name>"
				  "<target><path>/var/lib/libvirt/images</path></target></pool>";
		*out = virStoragePoolDefineXML(vc->c, xml, 0);
		if (*out && (virStoragePoolBuild(*out, 0) < 0 || virStoragePoolSetAutostart(*out, 1) < 0)) {
			virStoragePoolFree(*out);
			*out = NULL;
		}
	}
	if (!*out)
		return virt_fail("storage pool '%s'", name);
	if (virStoragePoolIsActive(*out) == 0 && virStoragePoolCreate(*out, 0) < 0)
		return virt_fail("cannot start storage pool '%s'", name);
	return 0;
}

/* qcow2 or raw, and the virtual size, of a local backing file. Remote paths
 * (not readable here) are taken as qcow2 of unknown size. */
static const char *image_format(const char *path, unsigned long long *size)
{
	unsigned char h[32];
	*size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "qcow2";
	ssize_t n = read(fd, h, sizeof h);
	off_t end = lseek(fd, 0, SEEK_END);
	close(fd);
	if (n == (ssize_t)sizeof h && memcmp(h, "QFI\xfb", 4) == 0) {
		for (int i = 24; i < 32; i++)
			*size = (*size << 8) | h[i];
		return "qcow2";
	}
	*size = end > 0 ? (unsigned long long)end : 0;
	return "raw";
}

static int make_volume(struct made *m, const char *xml, const char *name, char **made_name)
{
	virStorageVolPtr v = virStorageVolCreateXML(m->pool, xml, 0);
	if (!v)
		return virt_fail("cannot create volume '%s'", name);
	*made_name = xstrdup(name);
	char *pv = xasprintf("%s/%s", virStoragePoolGetName(m->pool), name);
	strlist_add(&m->vols, pv);
	free(pv);
	virStorageVolFree(v);
	return 0;
}

/* The volumes create makes for a VM: its disk and its cloud-init seed. */
static int has_disk(const struct vm_spec *s)
{
	return s->disk_bytes || s->image;
}

static char *disk_vol_name(const char *vm)
{
	return xasprintf("%s.qcow2", vm);
}

static char *seed_vol_name(const char *vm)
{
	return xasprintf("%s-seed.iso", vm);
}

static int make_disk(const struct vm_spec *s, struct made *m)
{
	struct strbuf xml = STRBUF_INIT;
	char *name = disk_vol_name(s->name);
	unsigned long long cap = s->disk_bytes, backing_size = 0;
	const char *fmt = s->image ? image_format(s->image, &backing_size) : NULL;
	if (!cap)
		cap = backing_size;
	sb_adds(&xml, "<volume><name>");
	xml_escape(&xml, name);
	sb_addf(&xml, "</name><capacity unit='bytes'>%llu</capacity>", cap);
	sb_adds(&xml, "<target><format type='qcow2'/></target>");
	if (s->image) {
		sb_adds(&xml, "<backingStore><path>");
		xml_escape(&xml, s->image);
		sb_addf(&xml, "</path><format type='%s'/></backingStore>", fmt);
	}
	sb_adds(&xml, "</volume>");
	int rc = make_volume(m, xml.buf, name, &m->disk_vol);
	sb_release(&xml);
	free(name);
	return rc;
}

/* cloud-init NoCloud: an ISO 9660 volume labelled "cidata" with user-data and meta-data. */
static int upload(virStorageVolPtr v, const struct strbuf *data)
{
	virStreamPtr st = virStreamNew(virStorageVolGetConnect(v), 0);
	int rc = -1;
	if (st && virStorageVolUpload(v, st, 0, data->len, 0) == 0) {
		size_t off = 0;
		while (off < data->len) {
			int n = virStreamSend(st, data->buf + off, data->len - off > 262144 ? 262144 : data->len - off);
			if (n < 0)
				break;
			off += (size_t)n;
		}
		rc = off == data->len && virStreamFinish(st) == 0 ? 0 : -1;
		if (rc < 0)
			virStreamAbort(st);
	}
	if (st)
		virStreamFree(st);
	return rc;
}

static int make_seed(const struct vm_spec *s, struct made *m)
{
	char *meta = xasprintf("instance-id: %s\nlocal-hostname: %s\n", m->uuid, s->name);
	struct iso_file files[] = {
		{ "meta-data", meta, strlen(meta) },
		{ "user-data", s->user_data, s->user_data_len },
	};
	struct strbuf iso = STRBUF_INIT, err = STRBUF_INIT, xml = STRBUF_INIT;
	int rc = 0;
	if (iso9660_build(&iso, "cidata", files, ARRAY_SIZE(files), &err) < 0) {
		errorx("cannot build the cloud-init seed: %s", err.buf);
		rc = EXIT_DATA;
	}
	char *name = seed_vol_name(s->name);
	if (!rc) {
		sb_adds(&xml, "<volume><name>");
		xml_escape(&xml, name);
		sb_addf(&xml, "</name><capacity unit='bytes'>%zu</capacity><target><format type='raw'/></target></volume>",
			iso.len);
		rc = make_volume(m, xml.buf, name, &m->seed_vol);
	}
	if (!rc) {
		virStorageVolPtr v = virStorageVolLookupByName(m->pool, name);
		if (!v || upload(v, &iso) < 0)
			rc = virt_fail("cannot upload the cloud-init seed '%s'", name);
		if (v)
			virStorageVolFree(v);
	}
	free(name);
	free(meta);
	sb_release(&iso);
	sb_release(&err);
	sb_release(&xml);
	return rc;
}

static void disk_xml(struct strbuf *x, const char *pool, const char *vol, const char *fmt, const char *dev,
		     int readonly)
{
	sb_addf(x, "<disk type='volume' device='disk'><driver name='qemu' type='%s'/><source pool='", fmt);
	xml_escape(x, pool);
	sb_adds(x, "' volume='");
	xml_escape(x, vol);
	sb_addf(x, "'/><target dev='%s' bus='virtio'/>%s</disk>", dev, readonly ? "<readonly/>" : "");
}

static void nic_xml(struct strbuf *x, const char *spec)
{
	if (strcmp(spec, "user") == 0) {
		sb_adds(x, "<interface type='user'><model type='virtio'/></interface>");
		return;
	}
	int bridge = str_starts(spec, "bridge:");
	const char *name = bridge ? spec + 7 : str_starts(spec, "network:") ? spec + 8 : spec;
	sb_addf(x, "<interface type='%s'><source %s='", bridge ? "bridge" : "network", bridge ? "bridge" : "network");
	xml_escape(x, name);
	sb_adds(x, "'/><model type='virtio'/></interface>");
}

static void os_xml(struct strbuf *x, const struct vm_spec *s)
{
	sb_adds(x, "<os><type arch='x86_64'>hvm</type>");
	if (s->kernel) {
		sb_adds(x, "<kernel>");
		xml_escape(x, s->kernel);
		sb_adds(x, "</kernel>");
	}
	if (s->initrd) {
		sb_adds(x, "<initrd>");
		xml_escape(x, s->initrd);
		sb_adds(x, "</initrd>");
	}
	if (s->cmdline) {
		sb_adds(x, "<cmdline>");
		xml_escape(x, s->cmdline);
		sb_adds(x, "</cmdline>");
	}
	if (!s->kernel)
		sb_adds(x, "<boot dev='hd'/>");
	sb_adds(x, "</os>");
}

static void domain_xml(struct strbuf *x, const struct vm_spec *s, const struct made *m)
{
	sb_addf(x, "<domain type='%s'><name>", s->domain_type);
	xml_escape(x, s->name);
	sb_addf(x, "</name><uuid>%s</uuid><metadata>", m->uuid);
	virt_meta_xml(x, s->tags, &m->vols, s->image);
	sb_addf(x, "</metadata><memory unit='MiB'>%llu</memory><vcpu>%u</vcpu>", s->mem_mib, s->vcpus);
	os_xml(x, s);
	sb_adds(x, "<features><acpi/><apic/></features><devices>");
	const char *pool = m->pool ? virStoragePoolGetName(m->pool) : "";
	char dev[] = "vda";
	if (m->disk_vol) {
		disk_xml(x, pool, m->disk_vol, "qcow2", dev, 0);
		dev[2]++;
	}
	if (m->seed_vol)
		disk_xml(x, pool, m->seed_vol, "raw", dev, 1);
	for (size_t i = 0; s->networks && i < s->networks->n; i++)
		nic_xml(x, s->networks->v[i]);
	sb_adds(x, "<serial type='pty'>");
	if (s->console_log) {
		sb_adds(x, "<log file='");
		xml_escape(x, s->console_log);
		sb_adds(x, "' append='off'/>");
	}
	sb_adds(x, "<target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>"
		   "<memballoon model='virtio'/></devices></domain>");
}

/* Delete the volumes "pool/name". One already gone is fine; one that stays is
 * named on stderr, and the first one's exit code returned. */
static int delete_volumes(virConnectPtr c, const struct strlist *vols)
{
	int rc = 0;
	for (size_t i = 0; i < vols->n; i++) {
		char *pool = xstrdup(vols->v[i]);
		char *slash = strchr(pool, '/');
		*slash = '\0';
		virStoragePoolPtr p = virStoragePoolLookupByName(c, pool);
		virStorageVolPtr v = p ? virStorageVolLookupByName(p, slash + 1) : NULL;
		if (v && virStorageVolDelete(v, 0) == 0) {
			debug("deleted volume %s", vols->v[i]);
		} else if (virt_errcode() == EXIT_NOTFOUND) {
			debug("volume %s is gone already", vols->v[i]);
		} else {
			int code = virt_fail("cannot delete volume '%s' (it is left)", vols->v[i]);
			rc = rc ? rc : code;
		}
		if (v)
			virStorageVolFree(v);
		if (p)
			virStoragePoolFree(p);
		free(pool);
	}
	return rc;
}

static int define_and_start(struct virt_conn *vc, const struct vm_spec *s, struct made *m, virDomainPtr *out)
{
	struct strbuf xml = STRBUF_INIT;
	domain_xml(&xml, s, m);
	debug("domain XML: %s", xml.buf);
	virDomainPtr d = virDomainDefineXML(vc->c, xml.buf);
	sb_release(&xml);
	if (!d)
		return virt_fail("cannot define '%s'", s->name);
	if (s->start && virDomainCreate(d) < 0) {
		int rc = virt_fail("cannot start '%s'", s->name);
		virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_NVRAM);
		virDomainFree(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* A signal between two steps: the VM is not made yet, so what was made for it goes. */
static int stop_asked(int rc, const struct vm_spec *s)
{
	if (rc || !interrupted())
		return rc;
	warnx("interrupted: removing what was made for '%s'", s->name);
	return interrupt_exit_code();
}

int virt_create(struct virt_conn *vc, const struct vm_spec *s, virDomainPtr *out)
{
	struct made m = { .pool = NULL, .vols = STRLIST_INIT };
	int rc = stop_asked(0, s);
	new_uuid(m.uuid);
	if (!rc && (has_disk(s) || s->user_data))
		rc = stop_asked(open_pool(vc, s->pool, &m.pool), s);
	if (!rc && has_disk(s))
		rc = stop_asked(make_disk(s, &m), s);
	if (!rc && s->user_data)
		rc = stop_asked(make_seed(s, &m), s);
	if (!rc) /* the last step: once it is done, the VM is made and the caller reports it */
		rc = define_and_start(vc, s, &m, out);
	if (rc)
		delete_volumes(vc->c, &m.vols);
	if (m.pool)
		virStoragePoolFree(m.pool);
	strlist_clear(&m.vols);
	free(m.disk_vol);
	free(m.seed_vol);
	return rc;
}

/* A storage pool create would use: it exists, or it is "default", which open_pool makes. */
static int check_pool(struct virt_conn *vc, const char *name, virStoragePoolPtr *out)
{
	*out = virStoragePoolLookupByName(vc->c, name);
	if (*out || strcmp(name, "default") == 0) {
		virResetLastError();
		return 0;
	}
	return virt_fail("create: --pool '%s'", name);
}

static int check_networks(struct virt_conn *vc, const struct strlist *nets)
{
	for (size_t i = 0; nets && i < nets->n; i++) {
		const char *spec = nets->v[i];
		if (strcmp(spec, "user") == 0 || str_starts(spec, "bridge:"))
			continue; /* a host bridge is not a libvirt object: libvirt checks it at start */
		const char *name = str_starts(spec, "network:") ? spec + 8 : spec;
		virNetworkPtr n = virNetworkLookupByName(vc->c, name);
		if (!n)
			return virt_fail("create: --network '%s'", spec);
		virNetworkFree(n);
	}
	return 0;
}

int virt_create_check(struct virt_conn *vc, const struct vm_spec *s)
{
	int rc = check_networks(vc, s->networks);
	if (!rc && (has_disk(s) || s->user_data)) {
		virStoragePoolPtr p = NULL;
		rc = check_pool(vc, s->pool, &p);
		if (p)
			virStoragePoolFree(p);
	}
	return rc;
}

static int check_volume_free(virStoragePoolPtr p, const char *vol)
{
	virStorageVolPtr v = virStorageVolLookupByName(p, vol);
	if (!v) {
		virResetLastError();
		return 0;
	}
	virStorageVolFree(v);
	errorx("create: volume '%s/%s' exists already: remove it or choose another name", virStoragePoolGetName(p),
	       vol);
	return EXIT_EXISTS;
}

int virt_create_check_name(struct virt_conn *vc, const struct vm_spec *s, const char *name)
{
	if (!has_disk(s) && !s->user_data)
		return 0;
	virStoragePoolPtr p = NULL;
	int rc = check_pool(vc, s->pool, &p);
	if (rc || !p)
		return rc; /* no pool yet: it has no volumes */
	char *disk = disk_vol_name(name), *seed = seed_vol_name(name);
	if (has_disk(s))
		rc = check_volume_free(p, disk);
	if (!rc && s->user_data)
		rc = check_volume_free(p, seed);
	free(disk);
	free(seed);
	virStoragePoolFree(p);
	return rc;
}

int virt_delete(virDomainPtr d, int keep_storage)
{
	struct virt_meta meta = VIRT_META_INIT;
	int rc = virt_meta_get(d, &meta);
	if (rc) {
		virt_meta_clear(&meta);
		return rc;
	}
	const char *name = virDomainGetName(d);
	if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0)
		rc = virt_fail("cannot stop '%s'", name);
	unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			 VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
	if (!rc && virDomainIsPersistent(d) == 1 && virDomainUndefineFlags(d, flags) < 0) {
		/* Drivers that know none of those extras (the test driver) refuse the flags. */
		virErrorPtr e = virGetLastError();
		int plain = e && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_NO_SUPPORT);
		if (!plain || virDomainUndefine(d) < 0)
			rc = virt_fail("cannot undefine '%s'", name);
	}
	if (!rc && !keep_storage)
		rc = delete_volumes(virDomainGetConnect(d), &meta.vols);
	virt_meta_clear(&meta);
	return rc;
}
