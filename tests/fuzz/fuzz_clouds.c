/* fuzz_clouds.c: clouds.yaml, as OS_CLOUD=fuzz reads it from $XDG_CONFIG_HOME. */
#include "fuzz.h"
#include "openstack/config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	const char *path = fuzz_file("clouds.yaml", data, size);
	if (!once) {
		/* $XDG_CONFIG_HOME/openstack/clouds.yaml, a link to the input */
		char dir[160], link[200];
		snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path), path);
		setenv("XDG_CONFIG_HOME", dir, 1);
		snprintf(link, sizeof link, "%s/openstack", dir);
		mkdir(link, 0700);
		strcat(link, "/clouds.yaml");
		if (symlink(path, link) != 0)
			abort();
		unsetenv("OS_CLOUD");
		unsetenv("OS_AUTH_URL");
		once = 1;
	}
	struct os_config_opts o = { .cloud = "fuzz" };
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	memset(&c, 0, sizeof c);
	if (os_config_load(&o, &c, &err) == 0)
		os_cloud_release(&c);
	sb_release(&err);
	return 0;
}
