/* push.c: every blob of an image to the destination, by N workers in
 * parallel, each with its own handle (regdest_clone) on a registry. A blob
 * the destination has is skipped (HEAD); a base layer is mounted from the
 * base's repository on the same registry, else copied blob by blob. The
 * first failure stops the others from starting new blobs; its exit code and
 * message are the run's. The caller pushes the manifest only when every blob
 * is there. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "oci/regdest.h"

struct pusher {
	pthread_mutex_t lock;
	struct oci_dest *dest, *base;
	struct blob_task *t;
	size_t n, next;
	int rc;              /* the first failure */
	struct strbuf err;   /* its message */
	struct push_result res;
};

/* One handle per worker on a registry; a layout is stateless and shared. */
static struct oci_dest *worker_handle(struct oci_dest *d)
{
	return d && regdest_is(d) ? regdest_clone(d) : d;
}

static void worker_release(struct oci_dest *mine, struct oci_dest *shared)
{
	if (mine && mine != shared)
		mine->ops->close(mine);
}

/* A base layer the destination lacks: mount it, or copy it from the base. */
static int copy_base_layer(struct oci_dest *d, struct oci_dest *base, const struct blob_task *t, int *mounted,
			   unsigned long long *sent, struct strbuf *err)
{
	*mounted = 0;
	int rc = 0;
	if (d->ops->mount_blob && d->same_host_repo) {
		rc = d->ops->mount_blob(d, t->digest, d->same_host_repo, mounted, err);
		if (rc || *mounted)
			return rc;
	}
	char *path = NULL;
	int temp = 0;
	rc = base->ops->fetch_blob(base, t->digest, t->size, d->ops->tmpdir(d), &path, &temp, err);
	if (!rc)
		rc = d->ops->put_blob(d, t->digest, t->size, path, temp, err);
	if (!rc)
		*sent = t->size;
	free(path);
	return rc;
}

static int push_one(struct pusher *p, struct oci_dest *d, struct oci_dest *base, struct blob_task *t,
		    struct strbuf *err)
{
	int present = 0, mounted = 0, rc;
	unsigned long long sent = 0;
	if ((rc = d->ops->has_blob(d, t->digest, t->size, &present, err)))
		return rc;
	if (present) {
		if (t->path && t->take)
			unlink(t->path);
	} else if (!t->path) {
		rc = copy_base_layer(d, base, t, &mounted, &sent, err);
	} else {
		rc = d->ops->put_blob(d, t->digest, t->size, t->path, t->take, err);
		sent = rc ? 0 : t->size;
	}
	t->done = 1; /* a taken file is gone, whatever happened */
	if (rc)
		return rc;
	progress_settle(t->digest, t->size);
	pthread_mutex_lock(&p->lock);
	p->res.skipped += present;
	p->res.mounted += mounted;
	p->res.uploaded += sent;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void *worker(void *arg)
{
	struct pusher *p = arg;
	struct oci_dest *d = worker_handle(p->dest), *base = worker_handle(p->base);
	struct strbuf err = STRBUF_INIT;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->rc ? p->n : p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		sb_reset(&err);
		int rc = push_one(p, d, base, &p->t[i], &err);
		pthread_mutex_lock(&p->lock);
		if (rc && !p->rc) {
			p->rc = rc;
			sb_adds(&p->err, err.buf);
		}
		pthread_mutex_unlock(&p->lock);
	}
	sb_release(&err);
	worker_release(d, p->dest);
	worker_release(base, p->base);
	return NULL;
}

/* Largest first: the long uploads start at once and the small ones fill in. */
static int by_size_desc(const void *a, const void *b)
{
	const struct blob_task *x = a, *y = b;
	return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

/* One task per digest: the same blob twice (empty layers) is pushed once. */
static size_t dedupe(struct blob_task *t, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < k && strcmp(t[j].digest, t[i].digest) != 0)
			j++;
		if (j < k) {
			if (t[i].path && t[i].take)
				unlink(t[i].path);
			t[i].done = 1;
			continue;
		}
		t[k++] = t[i];
	}
	return k;
}

int push_blobs(struct oci_dest *dest, struct oci_dest *base, struct blob_task *t, size_t n, int jobs,
	       struct push_result *res, struct strbuf *err)
{
	n = dedupe(t, n);
	qsort(t, n, sizeof *t, by_size_desc);
	struct pusher p = { .dest = dest, .base = base, .t = t, .n = n, .err = STRBUF_INIT };
	pthread_mutex_init(&p.lock, NULL);
	unsigned long long total = 0;
	for (size_t i = 0; i < n; i++)
		total += t[i].size;
	progress_phase("push", total, "pushing %zu blobs (%.1f MiB) to %s", n, total / 1048576.0, dest->name);
	size_t workers = (size_t)(jobs > 0 ? jobs : 1);
	if (workers > n)
		workers = n ? n : 1;
	pthread_t *th = xcalloc(workers, sizeof *th);
	size_t started = 0;
	for (size_t i = 1; i < workers; i++)
		if (pthread_create(&th[i], NULL, worker, &p) == 0)
			started = i;
		else
			break;
	worker(&p); /* this thread is a worker too */
	for (size_t i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	free(th);
	progress_end();
	for (size_t i = 0; i < n; i++) /* files of blobs never started */
		if (!t[i].done && t[i].path && t[i].take)
			unlink(t[i].path);
	*res = p.res;
	if (regdest_is(dest))
		res->uploaded = regdest_bytes_sent(dest);
	int rc = p.rc;
	if (rc)
		sb_adds(err, p.err.buf);
	sb_release(&p.err);
	pthread_mutex_destroy(&p.lock);
	return rc;
}
