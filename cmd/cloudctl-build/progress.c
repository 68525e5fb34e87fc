/* progress.c: one progress bar for a push, on stderr, only when stderr is a
 * terminal (and not -q): blob bytes done of the run's total. Upload workers
 * report from their own threads (registry.h's progress callback), so the
 * counts are under a lock; the bar is drawn at most every 100 ms. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build.h"

#define DRAW_EVERY_MS 100
#define BAR_WIDTH 30
#define MAX_BLOBS 256

static struct {
	pthread_mutex_t lock;
	int on;
	unsigned long long total, settled; /* settled: blobs finished, skipped or mounted */
	struct {
		char digest[80];
		long long done;
	} live[MAX_BLOBS];
	size_t n;
	long long last_draw;
} pb = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void draw(int final)
{
	unsigned long long done = pb.settled;
	for (size_t i = 0; i < pb.n; i++)
		done += (unsigned long long)pb.live[i].done;
	if (done > pb.total)
		done = pb.total;
	int fill = pb.total ? (int)(done * BAR_WIDTH / pb.total) : BAR_WIDTH;
	char bar[BAR_WIDTH + 1];
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\rpush [%s] %3d%% %.1f/%.1f MiB", bar, pb.total ? (int)(done * 100 / pb.total) : 100,
		done / 1048576.0, pb.total / 1048576.0);
	if (final)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

void progress_start(unsigned long long total)
{
	pthread_mutex_lock(&pb.lock);
	pb.on = isatty(STDERR_FILENO) && !common.quiet;
	pb.total = total;
	pb.settled = 0;
	pb.n = 0;
	pb.last_draw = 0;
	pthread_mutex_unlock(&pb.lock);
}

/* registry_opts.progress: done of total bytes of one blob (total -1: a download, not counted). */
void progress_blob(void *arg, const char *digest, long long done, long long total)
{
	(void)arg;
	if (total < 0)
		return;
	pthread_mutex_lock(&pb.lock);
	if (pb.on) {
		size_t i = 0;
		while (i < pb.n && strcmp(pb.live[i].digest, digest) != 0)
			i++;
		if (i == pb.n && pb.n < MAX_BLOBS)
			snprintf(pb.live[pb.n++].digest, sizeof pb.live[0].digest, "%s", digest);
		if (i < pb.n)
			pb.live[i].done = done;
		long long now = now_ms();
		if (now - pb.last_draw >= DRAW_EVERY_MS) {
			pb.last_draw = now;
			draw(0);
		}
	}
	pthread_mutex_unlock(&pb.lock);
}

/* A blob is finished (sent, skipped or mounted): its size counts as done. */
void progress_settle(const char *digest, unsigned long long size)
{
	pthread_mutex_lock(&pb.lock);
	if (pb.on) {
		for (size_t i = 0; i < pb.n; i++)
			if (strcmp(pb.live[i].digest, digest) == 0)
				pb.live[i].done = 0;
		pb.settled += size;
	}
	pthread_mutex_unlock(&pb.lock);
}

/* Clear the bar: nothing of it stays on the terminal. */
void progress_end(void)
{
	pthread_mutex_lock(&pb.lock);
	if (pb.on)
		draw(1);
	pb.on = 0;
	pthread_mutex_unlock(&pb.lock);
}
