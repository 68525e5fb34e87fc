/* progress.c: what a build is doing, on stderr.
 *
 * Each phase (scanning DIR, building the layer, pushing) is announced with
 * progress_phase: a line at -v, and, only when stderr is a terminal (and not
 * -q), one status line redrawn in place from the moment the phase starts:
 * its name, and for work of known size a bar of bytes done. The line is drawn
 * at once when a phase starts, then at most every 100 ms while it goes, and
 * cleared at the end, so that nothing of it stays on the terminal.
 * Upload workers report from their own threads (registry.h's progress
 * callback), so the counts are under a lock. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build.h"

#define DRAW_EVERY_MS 100
#define BAR_WIDTH 30
#define MAX_BLOBS 256
#define LABEL_MAX 16

/* The line is on the terminal: read and cleared by log messages too (from
 * any thread, without the lock: see clear_for_log). */
static atomic_int drawn;

static struct {
	pthread_mutex_t lock;
	int tty;
	char label[LABEL_MAX];
	unsigned long long total, settled; /* settled: bytes of finished work (blobs sent, skipped or mounted) */
	struct {
		char digest[80];
		long long done;
	} live[MAX_BLOBS];
	size_t n;
	long long last_draw;
} pb = { .lock = PTHREAD_MUTEX_INITIALIZER, .tty = -1 };

static void clear_line(void);

static int on(void)
{
	if (pb.tty < 0) {
		pb.tty = isatty(STDERR_FILENO) && !common.quiet;
		if (pb.tty)
			log_before = clear_line;
	}
	return pb.tty;
}

static void draw(void)
{
	if (!pb.total) {
		fprintf(stderr, "\r%s ...\033[K", pb.label);
		fflush(stderr);
		atomic_store(&drawn, 1);
		return;
	}
	unsigned long long done = pb.settled;
	for (size_t i = 0; i < pb.n; i++)
		done += (unsigned long long)pb.live[i].done;
	if (done > pb.total)
		done = pb.total;
	int fill = (int)(done * BAR_WIDTH / pb.total);
	char bar[BAR_WIDTH + 1];
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%-5s [%s] %3d%% %.1f/%.1f MiB\033[K", pb.label, bar, (int)(done * 100 / pb.total),
		done / 1048576.0, pb.total / 1048576.0);
	fflush(stderr);
	atomic_store(&drawn, 1);
}

/* log_before, and the end of a phase: the message or what comes next starts
 * on a clean line; the next update draws the line again. */
static void clear_line(void)
{
	if (atomic_exchange(&drawn, 0)) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

void progress_phase(const char *label, unsigned long long total, const char *fmt, ...)
{
	pthread_mutex_lock(&pb.lock);
	int tty = on(); /* first: it sets log_before */
	if (log_level >= LOG_INFO) { /* on a line of its own (log_before) */
		char msg[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		info("%s", msg);
	}
	snprintf(pb.label, sizeof pb.label, "%s", label);
	pb.total = total;
	pb.settled = 0;
	pb.n = 0;
	pb.last_draw = now_ms();
	if (tty)
		draw();
	pthread_mutex_unlock(&pb.lock);
}

static void maybe_draw(void)
{
	long long now = now_ms();
	if (now - pb.last_draw >= DRAW_EVERY_MS) {
		pb.last_draw = now;
		draw();
	}
}

/* tar_opts.progress: the layer's tar bytes so far. */
void progress_bytes(void *ctx, unsigned long long done)
{
	(void)ctx;
	pthread_mutex_lock(&pb.lock);
	if (on()) {
		pb.settled = done;
		maybe_draw();
	}
	pthread_mutex_unlock(&pb.lock);
}

/* registry_opts.progress: done of total bytes of one blob (total -1: a download, not counted). */
void progress_blob(void *arg, const char *digest, long long done, long long total)
{
	(void)arg;
	if (total < 0)
		return;
	pthread_mutex_lock(&pb.lock);
	if (on()) {
		size_t i = 0;
		while (i < pb.n && strcmp(pb.live[i].digest, digest) != 0)
			i++;
		if (i == pb.n && pb.n < MAX_BLOBS)
			snprintf(pb.live[pb.n++].digest, sizeof pb.live[0].digest, "%s", digest);
		if (i < pb.n)
			pb.live[i].done = done;
		maybe_draw();
	}
	pthread_mutex_unlock(&pb.lock);
}

/* A blob is finished (sent, skipped or mounted): its size counts as done. */
void progress_settle(const char *digest, unsigned long long size)
{
	pthread_mutex_lock(&pb.lock);
	if (on()) {
		for (size_t i = 0; i < pb.n; i++)
			if (strcmp(pb.live[i].digest, digest) == 0)
				pb.live[i].done = 0;
		pb.settled += size;
		maybe_draw();
	}
	pthread_mutex_unlock(&pb.lock);
}

/* Clear the line: nothing of it stays on the terminal. */
void progress_end(void)
{
	pthread_mutex_lock(&pb.lock);
	if (on())
		clear_line();
	pb.total = 0;
	pthread_mutex_unlock(&pb.lock);
}
