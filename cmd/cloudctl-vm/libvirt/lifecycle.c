/* lifecycle.c: start, stop, reboot, delete, wait. Each acts on the VMs named by
 * operands or piped records, writes one record per VM, and exits with the first
 * error's code when some failed (each failure is reported on stderr). */
#include "vm.h"

#include <stdlib.h>
#include <string.h>

/* The lifecycle verbs' options (vmopts.h). */
static const struct vm_lifecycle_opts *const asked = &vm_opts.lifecycle;

static int timeout_ms(const char *dflt, long long *ms)
{
	const char *t = asked->timeout ? asked->timeout : dflt;
	if (parse_duration_ms(t, ms) == 0)
		return 0;
	errorx("--timeout '%s': expected a duration such as 90s or 5m", t);
	return EXIT_USAGE;
}

static int run_each(int argc, char **argv, int (*act)(virDomainPtr, long long), long long ms)
{
	struct vm_each e = { act, ms, VREC_TAGS | VREC_IP, VM_COLUMNS, 0 };
	return vm_each_run(argc, argv, &e);
}

static int is_active(virDomainPtr d)
{
	return virDomainIsActive(d) == 1;
}

static int is_paused(virDomainPtr d)
{
	int st, reason;
	return virDomainGetState(d, &st, &reason, 0) == 0 && st == VIR_DOMAIN_PAUSED;
}

static int start_one(virDomainPtr d, long long ms)
{
	const char *name = virDomainGetName(d);
	info("start: vm '%s': %s", name, !is_active(d) ? "starting" : is_paused(d) ? "resuming" : "running already");
	if (!is_active(d) && virDomainCreate(d) < 0)
		return virt_fail("cannot start '%s'", virDomainGetName(d));
	/* A paused VM is active but not running: start resumes it rather than say state=paused. */
	if (is_paused(d) && virDomainResume(d) < 0)
		return virt_fail("cannot resume '%s'", virDomainGetName(d));
	if (!asked->wait)
		return 0;
	info("start: vm '%s': waiting until it runs%s", name, virt_has_nic(d) ? " with an address" : "");
	int rc = virt_wait(d, VIR_DOMAIN_RUNNING, virt_has_nic(d), ms);
	if (rc == EXIT_TEMPFAIL)
		errorx("vm '%s' is not up with an address after %s", virDomainGetName(d),
		       asked->timeout ? asked->timeout : "5m");
	return rc;
}

int cmd_start(int argc, char **argv)
{
	long long ms;
	int rc = timeout_ms("5m", &ms);
	return rc ? rc : run_each(argc, argv, start_one, ms);
}

static int stop_one(virDomainPtr d, long long ms)
{
	const char *name = virDomainGetName(d);
	if (!is_active(d)) {
		info("stop: vm '%s': shut off already", name);
		return 0;
	}
	info("stop: vm '%s': shutting down (%s at most)", name, asked->timeout ? asked->timeout : "60s");
	if (ms > 0 && virDomainShutdown(d) < 0 && !asked->force)
		return virt_fail("cannot shut down '%s'", name);
	int rc = ms > 0 ? virt_wait(d, VIR_DOMAIN_SHUTOFF, 0, ms) : EXIT_TEMPFAIL;
	if (rc != EXIT_TEMPFAIL)
		return rc;
	if (!asked->force) {
		errorx("vm '%s' did not shut down within %s (use --force to power it off)", name,
		       asked->timeout ? asked->timeout : "60s");
		return EXIT_TEMPFAIL;
	}
	info("vm '%s' did not shut down in time: powering it off", name);
	if (is_active(d) && virDomainDestroy(d) < 0)
		return virt_fail("cannot power off '%s'", name);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	long long ms;
	int rc = timeout_ms("60s", &ms);
	return rc ? rc : run_each(argc, argv, stop_one, ms);
}

static int reboot_one(virDomainPtr d, long long ms)
{
	info("reboot: vm '%s': %s%s", virDomainGetName(d), asked->force ? "resetting" : "rebooting",
	     asked->no_wait ? "" : ", then waiting until it runs again");
	int rc = virt_reboot(d, asked->force, !asked->no_wait, ms);
	if (rc == EXIT_TEMPFAIL)
		errorx("vm '%s' did not reboot within %s%s", virDomainGetName(d),
		       asked->timeout ? asked->timeout : "5m",
		       asked->force ? "" : " (the guest may ignore the request: --force resets it)");
	return rc;
}

int cmd_reboot(int argc, char **argv)
{
	long long ms;
	int rc = timeout_ms("5m", &ms);
	if (!rc && !asked->no_wait)
		virt_events_init(); /* before the connection: it carries the reboot event */
	return rc ? rc : run_each(argc, argv, reboot_one, ms);
}

static int wait_one(virDomainPtr d, long long ms)
{
	const char *with_ip = asked->wait_for_ip ? " with an address" : "";
	info("wait: vm '%s': waiting until it is %s%s", virDomainGetName(d), asked->wait_state, with_ip);
	int rc = virt_wait(d, virt_state_parse(asked->wait_state), asked->wait_for_ip, ms);
	if (rc == EXIT_TEMPFAIL)
		errorx("vm '%s' is not %s%s after %s", virDomainGetName(d), asked->wait_state, with_ip,
		       asked->timeout ? asked->timeout : "5m");
	return rc;
}

int cmd_wait(int argc, char **argv)
{
	long long ms;
	int rc = timeout_ms("5m", &ms);
	if (!rc && virt_state_parse(asked->wait_state) < 0) {
		errorx("wait: --state '%s': not one of %s", asked->wait_state, virt_state_words);
		rc = EXIT_USAGE;
	}
	return rc ? rc : run_each(argc, argv, wait_one, ms);
}

static int delete_one(virDomainPtr d, long long ms)
{
	(void)ms;
	info("delete: vm '%s': deleting it%s", virDomainGetName(d),
	     asked->keep_storage ? " (its storage is kept)" : " and its storage");
	return virt_delete(d, asked->keep_storage);
}

int cmd_delete(int argc, char **argv)
{
	struct vm_each e = { delete_one, 0, VREC_TAGS, VM_COLUMNS, 1 };
	return vm_each_run(argc, argv, &e);
}
