/* osenv.h: for the unit tests that talk to the real cloud of
 * tests/services/openstack-start.sh: its env file (KEY=value lines:
 * OS_CLIENT_CONFIG_FILE, OS_CLIENT_SECURE_FILE) read into the environment. */
#ifndef CLOUDCTL_TEST_OSENV_H
#define CLOUDCTL_TEST_OSENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns 0, or -1 when the file is missing (the cloud is not running). */
static int load_env_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		setenv(line, eq + 1, 1);
	}
	fclose(f);
	return 0;
}

#endif
