/* create.c: cloudctl-vm create. Every argument is checked, and every name is
 * checked to be free, before the first VM is made. */
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


struct plan {
	struct vm_spec spec;
	struct record tags;
	struct strbuf user_data;
	long long timeout_ms;
};

static int bad(const char *fmt, const char *arg)
{
	errorx(fmt, arg);
	return EXIT_USAGE;
}

/* Options of the OpenStack driver that libvirt has no use for: refused, not ignored. */
static int check_driver_options(void)
{
	const char *which = c_flavor ? "--flavor" : c_key_name ? "--key-name" : c_ssh_key ? "--ssh-key"
		: c_ports.n ? "--port" : c_secgroups.n ? "--security-group" : NULL;
	if (which)
		return bad("create: %s is for --driver openstack", which);
	if (c_vcpus == VM_VCPUS_UNSET)
		c_vcpus = 1;
	if (!c_memory)
		c_memory = "1G";
	return 0;
}

static int check_sizes(struct plan *p)
{
	unsigned long long bytes;
	if (c_vcpus < 1 || c_vcpus > 4096) {
		errorx("create: --vcpus '%lld': must be 1 to 4096", c_vcpus);
		return EXIT_USAGE;
	}
	if (parse_size(c_memory, 1ULL << 20, &bytes) < 0 || bytes < (1ULL << 20))
		return bad("create: --memory '%s': expected a size such as 512M or 2G", c_memory);
	p->spec.mem_mib = bytes >> 20;
	if (c_disk && (parse_size(c_disk, 1ULL << 30, &bytes) < 0 || bytes < (1ULL << 20)))
		return bad("create: --disk '%s': expected a size such as 10G", c_disk);
	p->spec.disk_bytes = c_disk ? bytes : 0;
	if (parse_duration_ms(c_timeout, &p->timeout_ms) < 0)
		return bad("create: --timeout '%s': expected a duration such as 90s or 5m", c_timeout);
	return 0;
}

static int check_files(struct plan *p)
{
	if ((c_initrd || c_cmdline) && !c_kernel)
		return bad("create: %s", "--initrd and --cmdline need --kernel");
	if (c_no_network && c_networks.n)
		return bad("create: %s", "--network and --no-network exclude each other");
	if (c_user_data) {
		if (sb_read_file(&p->user_data, c_user_data) < 0) {
			errorx("create: --user-data '%s': %s", c_user_data, strerror(errno));
			return EXIT_NOTFOUND;
		}
		p->spec.user_data = p->user_data.buf;
		p->spec.user_data_len = p->user_data.len;
	}
	return 0;
}

static int check_args(int argc, struct plan *p)
{
	if (argc > 0)
		return bad("create: %s", "unexpected operand");
	int rc = vm_check_names();
	if (!rc)
		rc = check_driver_options();
	if (!rc)
		rc = check_sizes(p);
	if (!rc)
		rc = check_files(p);
	if (!rc)
		rc = parse_tags("create", &c_tags, &p->tags, 0);
	if (!rc && c_type && strcmp(c_type, "kvm") && strcmp(c_type, "qemu"))
		rc = bad("create: --domain-type '%s': kvm or qemu", c_type);
	return rc;
}

static void fill_spec(struct virt_conn *vc, struct plan *p, char **type)
{
	struct vm_spec *s = &p->spec;
	*type = c_type ? xstrdup(c_type) : virt_default_domain_type(vc);
	s->domain_type = *type;
	s->vcpus = (unsigned)c_vcpus;
	s->image = c_image;
	s->pool = c_pool;
	s->kernel = c_kernel;
	s->initrd = c_initrd;
	s->cmdline = c_cmdline;
	s->tags = &p->tags;
	s->console_log = c_console_log;
	s->start = !c_no_start;
	if (!c_networks.n && !c_no_network) {
		/* virt-install's default: the "default" network when there is one. */
		virNetworkPtr n = virNetworkLookupByName(vc->c, "default");
		if (n) {
			strlist_add(&c_networks, "default");
			virNetworkFree(n);
		}
		virResetLastError();
	}
	s->networks = &c_networks;
}

/* Names already taken are an error (73) unless --if-missing; checked for all first. */
static int check_free(struct virt_conn *vc, char **names, virDomainPtr *existing)
{
	for (long long i = 0; i < c_count; i++) {
		existing[i] = virDomainLookupByName(vc->c, names[i]);
		if (existing[i] && !c_if_missing) {
			errorx("create: vm '%s' already exists (use --if-missing to accept it)", names[i]);
			return EXIT_EXISTS;
		}
	}
	virResetLastError();
	return 0;
}

static int create_one(struct virt_conn *vc, struct plan *p, const char *name, virDomainPtr *d)
{
	p->spec.name = name;
	int rc = virt_create(vc, &p->spec, d);
	if (rc || !c_wait || c_no_start)
		return rc;
	rc = virt_wait(*d, VIR_DOMAIN_RUNNING, p->spec.networks->n > 0, p->timeout_ms);
	if (rc == EXIT_TEMPFAIL)
		errorx("create: vm '%s' has no address after %s", name, c_timeout);
	return rc;
}

static int create_all(struct virt_conn *vc, struct plan *p, char **names, virDomainPtr *doms)
{
	int rc = check_free(vc, names, doms);
	struct rec_writer *w = vm_writer(VM_COLUMNS);
	int first_err = 0;
	for (long long i = 0; !rc && i < c_count; i++) {
		int made = !doms[i];
		int r = made ? create_one(vc, p, names[i], &doms[i]) : 0;
		if (doms[i]) {
			int e = vm_emit(w, vc, doms[i], VREC_TAGS | VREC_IP);
			r = r ? r : e;
		}
		if (r && !first_err)
			first_err = r;
	}
	return vm_finish(w, rc ? rc : first_err);
}

static int create_named(struct plan *p)
{
	struct virt_conn vc;
	int rc = vm_open(&vc);
	if (rc)
		return rc;
	size_t n = (size_t)c_count;
	char **names = xcalloc(n, sizeof *names);
	virDomainPtr *doms = xcalloc(n, sizeof *doms);
	char *type = NULL;
	for (size_t i = 0; i < n; i++)
		names[i] = vm_make_name(c_name, c_start_index + (long long)i);
	fill_spec(&vc, p, &type);
	rc = create_all(&vc, p, names, doms);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		if (doms[i])
			virDomainFree(doms[i]);
	}
	free(names);
	free(doms);
	free(type);
	virt_close(&vc);
	return rc;
}

int cmd_create(int argc, char **argv)
{
	struct plan p = { .tags = RECORD_INIT, .user_data = STRBUF_INIT };
	int rc = check_args(argc, &p);
	if (!rc)
		rc = create_named(&p);
	rec_clear(&p.tags);
	sb_release(&p.user_data);
	strlist_clear(&c_networks);
	strlist_clear(&c_tags);
	return rc;
}
