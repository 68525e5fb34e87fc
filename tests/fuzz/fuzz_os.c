/* fuzz_os.c: see fuzz_os.h. */
#include "fuzz_os.h"
#include "fuzz.h"
#include "log.h"

#include <string.h>
#include <sys/stat.h>

const char fuzz_os_login[] =
	"HTTP/1.1 201 Created\r\n"
	"X-Subject-Token: gAAAAfuzztoken\r\n"
	"Content-Type: application/json\r\n"
	"\r\n"
	"{\"token\": {\"expires_at\": \"2999-01-01T00:00:00.000000Z\", \"user\": {\"id\": \"u1\"},"
	" \"project\": {\"id\": \"p1\", \"name\": \"demo\"}, \"catalog\": ["
	"{\"type\": \"compute\", \"endpoints\": [{\"interface\": \"public\", \"region_id\": \"RegionOne\","
	" \"url\": \"https://nova.invalid/v2.1\"}]},"
	"{\"type\": \"network\", \"endpoints\": [{\"interface\": \"public\", \"region_id\": \"RegionOne\","
	" \"url\": \"https://neutron.invalid/\"}]},"
	"{\"type\": \"image\", \"endpoints\": [{\"interface\": \"public\", \"region_id\": \"RegionOne\","
	" \"url\": \"https://glance.invalid\"}]}]}}";

const struct os_cloud *fuzz_os_cloud(void)
{
	static struct os_cloud c;
	if (!c.name) {
		/* no cache file: every input starts from a login */
		setenv("CLOUDCTL_OS_NO_TOKEN_CACHE", "1", 1);
		log_level = LOG_QUIET;
		c.auth_type = OS_AUTH_PASSWORD;
		c.auth_url = xstrdup("https://keystone.invalid:5000/");
		c.username = xstrdup("demo");
		c.password = xstrdup("fuzz-password");
		c.user_domain_name = xstrdup("Default");
		c.project_name = xstrdup("demo");
		c.project_domain_name = xstrdup("Default");
		c.interface = xstrdup("public");
		c.name = xstrdup("fuzz");
	}
	return &c;
}

void fuzz_os_open(struct os_session *s)
{
	struct http_opts o = HTTP_OPTS_INIT;
	o.max_retries = 1;
	struct strbuf err = STRBUF_INIT;
	if (os_session_open(s, fuzz_os_cloud(), &o, &err) != 0)
		abort();
	sb_release(&err);
}

void fuzz_os_clouds_yaml(void)
{
	static const char yaml[] = "clouds:\n"
				   "  fuzz:\n"
				   "    auth: {auth_url: \"https://keystone.invalid:5000/\", username: demo,\n"
				   "      password: fuzz-password, user_domain_name: Default, project_name: demo,\n"
				   "      project_domain_name: Default}\n"
				   "    interface: public\n";
	const char *path = fuzz_file("clouds.yaml", (const uint8_t *)yaml, strlen(yaml));
	if (chmod(path, 0600) != 0) /* it holds a password */
		abort();
	fuzz_os_cloud(); /* the same settings: no token cache, quiet */
	setenv("OS_CLIENT_CONFIG_FILE", path, 1);
	setenv("OS_CLOUD", "fuzz", 1);
	unsetenv("OS_CLIENT_SECURE_FILE");
	unsetenv("OS_AUTH_URL");
}
