/* curlapi.c: see curlapi.h. */
#include "curlapi.h"

#include <dlfcn.h>
#include <stdio.h>

#define CURL_SONAME "libcurl.so.4"

struct curl_api curl_api;

/* One entry per function: its name in libcurl and where its address goes. */
#define ENTRY(field, symbol) { #symbol, (void **)&curl_api.field }
static const struct {
	const char *symbol;
	void **slot;
} entries[] = {
	ENTRY(global_init, curl_global_init),
	ENTRY(global_cleanup, curl_global_cleanup),
	ENTRY(easy_init, curl_easy_init),
	ENTRY(easy_cleanup, curl_easy_cleanup),
	ENTRY(easy_reset, curl_easy_reset),
	ENTRY(easy_setopt, curl_easy_setopt),
	ENTRY(easy_getinfo, curl_easy_getinfo),
	ENTRY(easy_perform, curl_easy_perform),
	ENTRY(easy_strerror, curl_easy_strerror),
	ENTRY(slist_append, curl_slist_append),
	ENTRY(slist_free_all, curl_slist_free_all),
	ENTRY(url, curl_url),
	ENTRY(url_set, curl_url_set),
	ENTRY(url_get, curl_url_get),
	ENTRY(url_cleanup, curl_url_cleanup),
	ENTRY(free, curl_free),
	ENTRY(getdate, curl_getdate),
};

int curl_api_load(char *why, size_t why_size)
{
	/* Never unloaded: libcurl's global state lives until exit (curl_global_cleanup). */
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, why_size, "%s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
		void *fn = dlsym(h, entries[i].symbol);
		if (!fn) {
			snprintf(why, why_size, "%s: no %s", CURL_SONAME, entries[i].symbol);
			return -1;
		}
		*entries[i].slot = fn;
	}
	return 0;
}
