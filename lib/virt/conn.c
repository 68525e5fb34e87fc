/* conn.c: connecting to libvirt, its errors as one line and an exit code,
 * domain lookup, states, waiting. */
#include "virt/virt.h"
#include "interrupt.h"
#include "log.h"

#include <errno.h>
#include <libvirt/virterror.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* libvirt prints every error to stderr unless told otherwise; we report
 * errors ourselves, once, with context. */
static void quiet_errors(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* The connection of the last virt_open: some failures (a daemon that went away)
 * leave their error on the connection rather than the thread. */
static _Thread_local virConnectPtr last_conn;

int virt_open(struct virt_conn *vc, const char *uri)
{
	memset(vc, 0, sizeof *vc);
	virSetErrorFunc(NULL, quiet_errors);
	debug("connecting to %s", uri ? uri : "libvirt's default URI");
	vc->c = virConnectOpen(uri);
	if (!vc->c) {
		errorx("cannot connect to libvirt%s%s: %s", uri ? " at " : "", uri ? uri : "", virt_errmsg());
		return virt_errcode() == EXIT_PERM ? EXIT_PERM : EXIT_UNAVAIL;
	}
	last_conn = vc->c;
	vc->uri = virConnectGetURI(vc->c);
	vc->hostname = virConnectGetHostname(vc->c);
	if (!vc->hostname)
		vc->hostname = xstrdup("");
	debug("connected to %s on %s", vc->uri ? vc->uri : "?", vc->hostname);
	return 0;
}

void virt_close(struct virt_conn *vc)
{
	if (vc->c)
		virConnectClose(vc->c);
	if (last_conn == vc->c)
		last_conn = NULL;
	free(vc->uri);
	free(vc->hostname);
	memset(vc, 0, sizeof *vc);
}

int virt_is_local(const struct virt_conn *vc)
{
	const char *sep = vc->uri ? strstr(vc->uri, "://") : NULL;
	return sep && sep[3] == '/';
}

static virErrorPtr last_error(void)
{
	virErrorPtr e = virGetLastError();
	if (!e && last_conn)
		e = virConnGetLastError(last_conn);
	return e;
}

const char *virt_errmsg(void)
{
	virErrorPtr e = last_error();
	return e && e->message ? e->message : "libvirt gave no reason (is libvirtd still running?)";
}

int virt_errcode(void)
{
	virErrorPtr e = last_error();
	if (!e)
		return EXIT_UNAVAIL;
	switch (e->code) {
	case VIR_ERR_NO_DOMAIN:
	case VIR_ERR_NO_NETWORK:
	case VIR_ERR_NO_STORAGE_POOL:
	case VIR_ERR_NO_STORAGE_VOL:
		return EXIT_NOTFOUND;
	case VIR_ERR_DOM_EXIST:
	case VIR_ERR_STORAGE_VOL_EXIST:
		return EXIT_EXISTS;
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_CANCELLED:
	case VIR_ERR_ACCESS_DENIED:
	case VIR_ERR_OPERATION_DENIED:
		return EXIT_PERM;
	case VIR_ERR_OPERATION_TIMEOUT:
	case VIR_ERR_AGENT_UNRESPONSIVE:
		return EXIT_TEMPFAIL;
	case VIR_ERR_SYSTEM_ERROR: /* int1 is the errno: a file the host lacks or may not touch */
		return e->int1 == ENOENT || e->int1 == ENOTDIR ? EXIT_NOTFOUND
			: e->int1 == EACCES || e->int1 == EPERM ? EXIT_PERM : EXIT_UNAVAIL;
	case VIR_ERR_NO_CONNECT:
	case VIR_ERR_RPC:
		return EXIT_UNAVAIL;
	case VIR_ERR_XML_ERROR:
	case VIR_ERR_XML_DETAIL:
	case VIR_ERR_INVALID_ARG:
	case VIR_ERR_CONFIG_UNSUPPORTED:
		return EXIT_DATA;
	default:
		return EXIT_FAIL;
	}
}

int virt_fail(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	int code = virt_errcode();
	errorx("%s: %s", sb.buf, virt_errmsg());
	sb_release(&sb);
	return code;
}

static const char *const state_names[] = {
	[VIR_DOMAIN_NOSTATE] = "nostate",   [VIR_DOMAIN_RUNNING] = "running",
	[VIR_DOMAIN_BLOCKED] = "blocked",   [VIR_DOMAIN_PAUSED] = "paused",
	[VIR_DOMAIN_SHUTDOWN] = "shutdown", [VIR_DOMAIN_SHUTOFF] = "shutoff",
	[VIR_DOMAIN_CRASHED] = "crashed",   [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
};

const char virt_state_words[] = "running blocked paused shutdown shutoff crashed pmsuspended nostate";

const char *virt_state_name(int state)
{
	if (state < 0 || (size_t)state >= ARRAY_SIZE(state_names) || !state_names[state])
		return "nostate";
	return state_names[state];
}

int virt_state_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (state_names[i] && strcmp(state_names[i], name) == 0)
			return (int)i;
	return -1;
}

virDomainPtr virt_lookup(struct virt_conn *vc, const char *ident)
{
	virDomainPtr d = NULL;
	if (strlen(ident) == 36 && (d = virDomainLookupByUUIDString(vc->c, ident)))
		return d;
	if ((d = virDomainLookupByName(vc->c, ident)))
		return d;
	long long id;
	if (parse_ll(ident, 1, 2147483647, &id) == 0 && (d = virDomainLookupByID(vc->c, (int)id)))
		return d;
	/* Leave a "not found" error naming what the user typed. */
	return virDomainLookupByName(vc->c, ident);
}

virDomainPtr virt_lookup_record(struct virt_conn *vc, const struct record *r)
{
	const char *id = rec_get(r, "id");
	if (id && *id) {
		virDomainPtr d = virDomainLookupByUUIDString(vc->c, id);
		if (d || !rec_get(r, "name"))
			return d;
	}
	const char *name = rec_get(r, "name");
	return name ? virDomainLookupByName(vc->c, name) : NULL;
}

int virt_wait(virDomainPtr d, int state, int want_ip, long long timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		int st, reason;
		if (virDomainGetState(d, &st, &reason, 0) < 0)
			return virt_fail("cannot get the state of '%s'", virDomainGetName(d));
		int ok = st == state;
		if (ok && want_ip) {
			char *ip = virt_domain_ip(d);
			ok = ip != NULL;
			free(ip);
		}
		if (ok)
			return 0;
		if (deadline >= 0 && now_ms() >= deadline)
			return EXIT_TEMPFAIL;
		if (interrupt_sleep_ms(want_ip ? 500 : 200))
			return interrupt_exit_code();
	}
}

/* ---- reboot: libvirt's reboot event says the guest went through its reset ---- */

void virt_events_init(void)
{
	static int done;
	if (!done++ && virEventRegisterDefaultImpl() < 0)
		warnx("cannot set up libvirt's event loop: %s", virt_errmsg());
}

static void on_reboot(virConnectPtr c, virDomainPtr d, void *opaque)
{
	(void)c;
	(void)d;
	*(int *)opaque = 1;
}

static void on_tick(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
}

/* Run libvirt's event loop until *flag is set: 0, 75 at the deadline, 130 on a signal. */
static int wait_flag(const int *flag, long long deadline)
{
	int timer = virEventAddTimeout(100, on_tick, NULL, NULL); /* wakes the loop up to look at the clock */
	int rc = 0;
	while (!*flag && !rc) {
		if (interrupted())
			rc = interrupt_exit_code();
		else if (deadline >= 0 && now_ms() >= deadline)
			rc = EXIT_TEMPFAIL;
		else if (virEventRunDefaultImpl() < 0)
			rc = virt_fail("libvirt's event loop failed");
	}
	if (timer >= 0)
		virEventRemoveTimeout(timer);
	return rc;
}

/* The test driver reboots in the call itself and sends no reboot event. */
static int reboots_in_the_call(virConnectPtr c)
{
	const char *type = virConnectGetType(c);
	return type && strcasecmp(type, "test") == 0; /* "TEST" */
}

int virt_reboot(virDomainPtr d, int force, int wait, long long timeout_ms)
{
	virConnectPtr c = virDomainGetConnect(d);
	const char *name = virDomainGetName(d);
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int rebooted = 0, watch = -1;
	if (wait && !reboots_in_the_call(c)) {
		watch = virConnectDomainEventRegisterAny(c, d, VIR_DOMAIN_EVENT_ID_REBOOT,
							 VIR_DOMAIN_EVENT_CALLBACK(on_reboot), &rebooted, NULL);
		if (watch < 0)
			return virt_fail("cannot watch '%s' for its reboot", name);
	}
	int rc = (force ? virDomainReset(d, 0) : virDomainReboot(d, 0)) < 0 ? virt_fail("cannot reboot '%s'", name) : 0;
	if (!rc && watch >= 0)
		rc = wait_flag(&rebooted, deadline);
	if (watch >= 0)
		virConnectDomainEventDeregisterAny(c, watch);
	if (!rc && wait) /* after the reset the guest runs again (a fake reboot resumes it) */
		rc = virt_wait(d, VIR_DOMAIN_RUNNING, 0, deadline < 0 ? -1 : deadline - now_ms());
	return rc;
}

void xml_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '&': sb_adds(sb, "&amp;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&apos;"); break;
		default: sb_addc(sb, *s);
		}
	}
}
