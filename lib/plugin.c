/* plugin.c: see plugin.h. */
#include "plugin.h"
#include "log.h"
#include "util.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *plugin_dir(void)
{
	const char *env = getenv("CLOUDCTL_PLUGIN_DIR");
	if (env && *env)
		return xstrdup(env);
#ifdef CLOUDCTL_PLUGINDIR
	/* a package's fixed place (make PLUGINDIR=/usr/libexec/cloudctl) */
	return xstrdup(CLOUDCTL_PLUGINDIR);
#else
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return xstrdup(".");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	*slash = '\0';
	return xasprintf("%s/../lib/cloudctl", exe);
#endif
}

int plugin_run(const char *name, const char *verb, int argc, char **argv)
{
	char *dir = plugin_dir();
	char *path = xasprintf("%s/%s.so", dir, name);
	char *sym = xasprintf("cmd_%s", verb);
	int rc = EXIT_UNAVAIL;
	debug("loading %s", path);
	/* Never unloaded: libvirt keeps threads and handlers for the life of the process. */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	int (*fn)(int, char **) = NULL;
	if (!h)
		errorx("cannot load the driver: %s", dlerror());
	else if (!(*(void **)&fn = dlsym(h, sym)))
		errorx("driver '%s' has no verb '%s'", path, verb);
	else
		rc = fn(argc, argv);
	free(dir);
	free(path);
	free(sym);
	return rc;
}
