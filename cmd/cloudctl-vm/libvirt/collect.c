/* collect.c: records of every VM on one or more libvirt URIs (list, stats).
 * Several --connect URIs (e.g. qemu+ssh://node1/system ...) are queried in
 * parallel, one thread and one connection each, and merged in the order given,
 * so one cron job covers every node; a node that fails is reported and the
 * others still count. With an interval, each node is sampled twice and the
 * records get cpu_pct from the two cpu times. */
#include "vm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct node {
	const char *uri;     /* NULL: the default */
	unsigned what;
	long long interval_ms;
	struct recset out;
	int rc;
};

static double number(const struct record *r, const char *key)
{
	const char *v = rec_get(r, key);
	return v ? strtod(v, NULL) : -1;
}

/* cpu_pct between two samples: CPU time used / wall time / vCPUs. */
static void add_cpu_pct(struct recset *later, const struct recset *earlier)
{
	for (size_t i = 0; i < later->n; i++) {
		struct record *b = &later->r[i];
		for (size_t j = 0; j < earlier->n; j++) {
			const struct record *a = &earlier->r[j];
			if (strcmp(rec_get(a, "id"), rec_get(b, "id")) != 0)
				continue;
			double dt = number(b, "time") - number(a, "time"), vcpus = number(b, "vcpus");
			double used = number(b, "cpu_time_ns") - number(a, "cpu_time_ns");
			if (dt > 0 && vcpus > 0 && used >= 0 && rec_get(a, "cpu_time_ns"))
				rec_setf(b, "cpu_pct", "%.1f", used / (dt * 1e9) / vcpus * 100.0);
			break;
		}
	}
}

static void *collect_node(void *arg)
{
	struct node *n = arg;
	struct virt_conn vc;
	if ((n->rc = virt_open(&vc, n->uri)))
		return NULL;
	struct recset first = RECSET_INIT;
	if (n->interval_ms > 0 && !(n->rc = virt_list(&vc, VREC_STATS, &first)))
		sleep_ms(n->interval_ms);
	if (!n->rc)
		n->rc = virt_list(&vc, n->what, &n->out);
	if (!n->rc && n->interval_ms > 0)
		add_cpu_pct(&n->out, &first);
	recset_clear(&first);
	virt_close(&vc);
	return NULL;
}

int vm_collect(unsigned what, long long interval_ms, struct recset *out)
{
	const struct strlist *uris = &vm_opts.target.connect_uris;
	size_t count = uris->n ? uris->n : 1;
	struct node *nodes = xcalloc(count, sizeof *nodes);
	pthread_t *threads = xcalloc(count, sizeof *threads);
	for (size_t i = 0; i < count; i++) {
		nodes[i] = (struct node){ uris->n ? uris->v[i] : NULL, what, interval_ms, RECSET_INIT, 0 };
		if (count == 1 || pthread_create(&threads[i], NULL, collect_node, &nodes[i]) != 0) {
			collect_node(&nodes[i]);
			threads[i] = 0;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		if (threads[i])
			pthread_join(threads[i], NULL);
		rc = rc ? rc : nodes[i].rc;
		for (size_t j = 0; j < nodes[i].out.n; j++)
			rec_copy(recset_add(out), &nodes[i].out.r[j]);
		recset_clear(&nodes[i].out);
	}
	free(nodes);
	free(threads);
	return rc;
}
