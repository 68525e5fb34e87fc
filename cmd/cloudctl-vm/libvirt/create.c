/* create.c: cloudctl-vm create. Everything that can refuse is checked before
 * the first VM is made: the arguments, the files they name, the networks and
 * the pool, and that every name (and the volumes it would get) is free. A
 * signal stops the run between VMs: the one in flight is finished (its record
 * written) or undone, and the exit code is 130. */
#include "vm.h"
#include "interrupt.h"
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* create's options; the missing --vcpus and --memory get their defaults here. */
static struct vm_create_opts *const asked = &vm_opts.create;

struct plan {
	int from_stdin; /* operand "-": the networks come from kind=net records */
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

/* The sizes' defaults, which the OpenStack driver does without (it picks a
 * flavor); options libvirt has no use for were refused by their scope (opts.c). */
static void default_sizes(void)
{
	if (asked->vcpus == VM_VCPUS_UNSET)
		asked->vcpus = 1;
	if (!asked->memory)
		asked->memory = "1G";
}

static int check_sizes(struct plan *p)
{
	unsigned long long bytes;
	if (asked->vcpus < 1 || asked->vcpus > 4096) {
		errorx("create: --vcpus '%lld': must be 1 to 4096", asked->vcpus);
		return EXIT_USAGE;
	}
	if (parse_size(asked->memory, 1ULL << 20, &bytes) < 0 || bytes < (1ULL << 20))
		return bad("create: --memory '%s': expected a size such as 512M or 2G", asked->memory);
	p->spec.mem_mib = bytes >> 20;
	if (asked->disk && (parse_size(asked->disk, 1ULL << 30, &bytes) < 0 || bytes < (1ULL << 20)))
		return bad("create: --disk '%s': expected a size such as 10G", asked->disk);
	p->spec.disk_bytes = asked->disk ? bytes : 0;
	if (parse_duration_ms(asked->wait_timeout ? asked->wait_timeout : "5m", &p->timeout_ms) < 0)
		return bad("create: --timeout '%s': expected a duration such as 90s or 5m", asked->wait_timeout);
	return 0;
}

/* A file that cannot be used: exit_for_errno's code, as for any file a
 * tool reads (cloudctl(7)). */
static int file_error(const char *opt, const char *path, int err)
{
	errorx("create: %s '%s': %s", opt, path, strerror(err));
	return exit_for_errno(err);
}

/* A file on the hypervisor host that the VM reads (a kernel, an image). */
static int check_host_file(const char *opt, const char *path)
{
	if (!path)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return file_error(opt, path, errno);
	struct stat st;
	int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
	close(fd);
	return dir ? file_error(opt, path, EISDIR) : 0;
}

/* A file the host writes (the console log): its directory must exist. */
static int check_host_dir_of(const char *opt, const char *path)
{
	if (!path)
		return 0;
	char *copy = xstrdup(path);
	struct stat st;
	int rc = 0;
	const char *dir = dirname(copy);
	if (stat(dir, &st) < 0)
		rc = file_error(opt, path, errno);
	else if (!S_ISDIR(st.st_mode))
		rc = file_error(opt, path, ENOTDIR);
	free(copy);
	return rc;
}

/* The paths are on the hypervisor host: checked here when that is this machine;
 * on a remote host libvirt reports them when it uses them. */
static int check_host_files(struct virt_conn *vc)
{
	if (!virt_is_local(vc)) {
		debug("%s is remote: --kernel, --initrd, --image and --console-log are checked there", vc->uri);
		return 0;
	}
	int rc = check_host_file("--kernel", asked->kernel);
	if (!rc)
		rc = check_host_file("--initrd", asked->initrd);
	if (!rc)
		rc = check_host_file("--image", asked->image);
	if (!rc)
		rc = check_host_dir_of("--console-log", asked->console_log);
	return rc;
}

static int check_files(struct plan *p)
{
	if ((asked->initrd || asked->cmdline) && !asked->kernel)
		return bad("create: %s", "--initrd and --cmdline need --kernel");
	if (asked->no_network && asked->networks.n)
		return bad("create: %s", "--network and --no-network exclude each other");
	if (asked->no_start && asked->wait)
		return bad("create: %s", "--wait and --no-start exclude each other");
	if (asked->user_data) {
		if (sb_read_file(&p->user_data, asked->user_data) < 0)
			return file_error("--user-data", asked->user_data, errno);
		p->spec.user_data = p->user_data.buf;
		p->spec.user_data_len = p->user_data.len;
	}
	return 0;
}

static int check_args(int argc, char **argv, struct plan *p)
{
	p->from_stdin = argc == 1 && strcmp(argv[0], "-") == 0;
	if (argc > 0 && !p->from_stdin)
		return bad("create: unexpected operand '%s' (only -: networks from records)", argv[0]);
	if (p->from_stdin && asked->no_network)
		return bad("create: %s", "--no-network and - (networks from records) exclude each other");
	if (p->from_stdin && asked->user_data && strcmp(asked->user_data, "-") == 0)
		return bad("create: %s", "--user-data - and - (records) both read standard input");
	int rc = vm_check_names();
	if (!rc && (strchr(asked->name_template, '/') || !*asked->name_template))
		rc = bad("create: --name '%s': a libvirt name may not contain '/'", asked->name_template);
	if (!rc) {
		default_sizes();
		rc = check_sizes(p);
	}
	if (!rc)
		rc = check_files(p);
	if (!rc)
		rc = parse_tags("create", &asked->tags, &p->tags, 0);
	if (!rc && asked->domain_type && strcmp(asked->domain_type, "kvm") && strcmp(asked->domain_type, "qemu"))
		rc = bad("create: --domain-type '%s': kvm or qemu", asked->domain_type);
	return rc;
}

static void fill_spec(struct virt_conn *vc, struct plan *p, char **type)
{
	struct vm_spec *s = &p->spec;
	*type = asked->domain_type ? xstrdup(asked->domain_type) : virt_default_domain_type(vc);
	s->domain_type = *type;
	s->vcpus = (unsigned)asked->vcpus;
	s->image = asked->image;
	s->pool = asked->pool;
	s->kernel = asked->kernel;
	s->initrd = asked->initrd;
	s->cmdline = asked->cmdline;
	s->tags = &p->tags;
	s->console_log = asked->console_log;
	s->start = !asked->no_start;
	if (!asked->networks.n && !asked->no_network) {
		/* virt-install's default: the "default" network when there is one. */
		virNetworkPtr n = virNetworkLookupByName(vc->c, "default");
		if (n) {
			strlist_add(&asked->networks, "default");
			virNetworkFree(n);
		}
		virResetLastError();
	}
	s->networks = &asked->networks;
}

/* Names already taken are an error (73) unless --if-missing; so are the volumes
 * a new VM would get. Checked for all first. */
static int check_free(struct virt_conn *vc, struct plan *p, char **names, virDomainPtr *existing)
{
	int rc = 0;
	for (long long i = 0; !rc && i < asked->count; i++) {
		existing[i] = virDomainLookupByName(vc->c, names[i]);
		virResetLastError();
		if (existing[i] && !asked->if_missing) {
			errorx("create: vm '%s' already exists (use --if-missing to accept it)", names[i]);
			rc = EXIT_EXISTS;
		} else if (!existing[i]) {
			rc = virt_create_check_name(vc, &p->spec, names[i]);
		}
	}
	return rc;
}

/* Everything that can refuse, before anything is made. */
static int check_target(struct virt_conn *vc, struct plan *p, char **names, virDomainPtr *existing)
{
	int rc = check_host_files(vc);
	if (!rc)
		rc = virt_create_check(vc, &p->spec);
	if (!rc)
		rc = check_free(vc, p, names, existing);
	return rc;
}

static int create_one(struct virt_conn *vc, struct plan *p, const char *name, virDomainPtr *d)
{
	p->spec.name = name;
	info("create: vm '%s': making its volumes and defining it%s", name,
	     asked->no_start ? "" : ", then starting it");
	int rc = virt_create(vc, &p->spec, d);
	if (rc || !asked->wait || asked->no_start)
		return rc;
	info("create: vm '%s': waiting until it runs%s", name, p->spec.networks->n > 0 ? " with an address" : "");
	rc = virt_wait(*d, VIR_DOMAIN_RUNNING, p->spec.networks->n > 0, p->timeout_ms);
	if (rc == EXIT_TEMPFAIL)
		errorx("create: vm '%s' has no address after %s", name,
		       asked->wait_timeout ? asked->wait_timeout : "5m");
	return rc;
}

static int create_all(struct virt_conn *vc, struct plan *p, char **names, virDomainPtr *doms)
{
	int rc = check_target(vc, p, names, doms);
	struct rec_writer *w = vm_writer(VM_COLUMNS);
	int first_err = 0;
	for (long long i = 0; !rc && i < asked->count && !interrupted(); i++) {
		int made = !doms[i];
		vm_progress("create: %lld of %lld VMs made%s", i, asked->count, asked->wait ? " and running" : "");
		if (!made)
			info("create: vm '%s' exists already (--if-missing): reported", names[i]);
		int r = made ? create_one(vc, p, names[i], &doms[i]) : 0;
		vm_progress_done(); /* the record gets a line of its own on a terminal */
		if (doms[i]) { /* made, or found: it exists, so it gets a record */
			int e = vm_emit(w, vc, doms[i], VREC_TAGS | VREC_IP);
			r = r ? r : e;
		}
		if (r && !first_err)
			first_err = r;
	}
	if (!rc && interrupted()) {
		warnx("create: interrupted: the VMs written above exist; no other was made");
		rc = interrupt_exit_code();
	}
	vm_progress_done();
	return vm_finish(w, rc ? rc : first_err);
}

/* create -: the libvirt networks of the kind=net records join those of --network.
 * The input must name at least one: an empty stream (the command before it
 * failed) is not "no network". Records of another driver were refused (65)
 * by main.c, or by vm_open_for for the URI libvirt picked. */
static int networks_from_records(const struct recset *in)
{
	size_t found = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct record *r = &in->r[i];
		if (!str_eq(rec_get(r, "kind"), "net"))
			continue; /* other kinds pass by */
		const char *name = rec_get(r, "name");
		if (!name || !*name) {
			errorx("<stdin>:%ld: a kind=net record needs a name", r->line);
			return EXIT_DATA;
		}
		strlist_add(&asked->networks, name);
		found++;
	}
	return found ? 0 : vm_no_net_records();
}

static int open_for(struct plan *p, struct virt_conn *vc)
{
	if (!p->from_stdin)
		return vm_open(vc);
	struct recset in = RECSET_INIT;
	char *dash[] = { (char *)"-" };
	int rc = vm_read_input(1, dash, &in);
	if (!rc)
		rc = vm_open_for(vc, &in);
	if (!rc && (rc = networks_from_records(&in)))
		virt_close(vc);
	recset_clear(&in);
	return rc;
}

static int create_named(struct plan *p)
{
	struct virt_conn vc;
	int rc = open_for(p, &vc);
	if (rc)
		return rc;
	size_t n = (size_t)asked->count;
	char **names = xcalloc(n, sizeof *names);
	virDomainPtr *doms = xcalloc(n, sizeof *doms);
	char *type = NULL;
	for (size_t i = 0; i < n; i++)
		names[i] = vm_make_name(asked->name_template, asked->start_index + (long long)i);
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
	interrupt_install();
	int rc = check_args(argc, argv, &p);
	if (!rc)
		rc = create_named(&p);
	rec_clear(&p.tags);
	sb_release(&p.user_data);
	strlist_clear(&asked->networks);
	strlist_clear(&asked->tags);
	return rc;
}
