/* fuzz_common.c: helpers linked into every fuzz target (fuzz.h). */
#include "fuzz.h"

#include <string.h>
#include <unistd.h>

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char dir[64] = "", path[128];
	if (!dir[0]) {
		/* $TMPDIR: a campaign on a tmpfs is not bound by the disk */
		const char *tmp = getenv("TMPDIR");
		if (!tmp || !*tmp || strlen(tmp) > 32)
			tmp = "/tmp";
		snprintf(dir, sizeof dir, "%s/cloudctl-fuzz.XXXXXX", tmp);
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return path;
}
