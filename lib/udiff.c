/* udiff.c: see udiff.h. Myers' O(ND) greedy diff (An O(ND) Difference
 * Algorithm, 1986), keeping each round's furthest-reaching paths to walk back. */
#include "udiff.h"

#include <stdlib.h>
#include <string.h>

struct line {
	const char *s;
	size_t n; /* with its '\n', if it has one */
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static void split_lines(const char *t, size_t len, struct lines *l)
{
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (t + i)) + 1 : len - i;
		l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
		l->v[l->n++] = (struct line){ t + i, n };
		i += n;
	}
}

static int same(const struct line *x, const struct line *y)
{
	return x->n == y->n && memcmp(x->s, y->s, x->n) == 0;
}

/* The edit script: for each step, ' ' (both advance), '-' (a) or '+' (b). */
struct script {
	char *op;
	size_t n, cap;
};

static void push(struct script *sc, char op)
{
	sc->op = xgrow(sc->op, &sc->cap, sc->n + 1, 1);
	sc->op[sc->n++] = op;
}

/* Myers on a[0..n) and b[0..m): the script, reversed, into sc; -1 when it
 * takes more than max_d edits. trace[d] holds V[-d..d] after round d. */
static int myers(const struct line *a, long n, const struct line *b, long m, long max_d,
		 struct script *sc)
{
	long off = max_d + 1, d, k, x, y;
	long *v = xcalloc((size_t)(2 * off + 1), sizeof *v);
	long **trace = xcalloc((size_t)max_d + 1, sizeof *trace);
	int found = 0;
	for (d = 0; d <= max_d && !found; d++) {
		for (k = -d; k <= d; k += 2) {
			x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
										 : v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && same(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m)
				found = 1;
		}
		trace[d] = xmalloc((size_t)(2 * d + 1) * sizeof **trace);
		memcpy(trace[d], v + off - d, (size_t)(2 * d + 1) * sizeof *v);
	}
	long rounds = d;
	if (found) {
		x = n, y = m;
		for (d = rounds - 1; d >= 0; d--) {
			k = x - y;
			long pk = 0, px = 0;
			if (d > 0) { /* the paths before round d: V[k] at p[k + d - 1] */
				const long *p = trace[d - 1];
				pk = (k == -d || (k != d && p[k - 1 + d - 1] < p[k + 1 + d - 1])) ? k + 1 : k - 1;
				px = p[pk + d - 1];
			}
			long py = px - pk;
			while (x > px && y > py)
				push(sc, ' '), x--, y--;
			if (d > 0)
				push(sc, x == px ? '+' : '-');
			x = px, y = py;
		}
	}
	for (d = 0; d < rounds; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return found ? 0 : -1;
}

/* The whole script for a and b: common head and tail, Myers in between (or
 * all of a's middle out and b's in). */
static void diff_script(const struct lines *a, const struct lines *b, struct script *sc)
{
	size_t head = 0, tail = 0;
	while (head < a->n && head < b->n && same(&a->v[head], &b->v[head]))
		head++;
	while (tail < a->n - head && tail < b->n - head &&
	       same(&a->v[a->n - 1 - tail], &b->v[b->n - 1 - tail]))
		tail++;
	long n = (long)(a->n - head - tail), m = (long)(b->n - head - tail);
	struct script mid = { 0 };
	if (myers(a->v + head, n, b->v + head, m, n + m < UDIFF_MAX_EDITS ? n + m : UDIFF_MAX_EDITS,
		  &mid) < 0) {
		mid.n = 0;
		for (long i = 0; i < m; i++)
			push(&mid, '+');
		for (long i = 0; i < n; i++)
			push(&mid, '-');
	}
	for (size_t i = 0; i < head; i++)
		push(sc, ' ');
	for (size_t i = mid.n; i-- > 0;)
		push(sc, mid.op[i]);
	for (size_t i = 0; i < tail; i++)
		push(sc, ' ');
	free(mid.op);
}

static void add_range(struct strbuf *out, char sign, size_t start, size_t count)
{
	if (count == 1)
		sb_addf(out, "%c%zu", sign, start + 1);
	else
		sb_addf(out, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

static void add_line(struct strbuf *out, char op, const struct line *l)
{
	sb_addc(out, op);
	sb_add(out, l->s, l->n);
	if (!l->n || l->s[l->n - 1] != '\n')
		sb_adds(out, "\n\\ No newline at end of file\n");
}

/* One hunk: script steps [from, to), starting at line ai of a and bj of b. */
static void add_hunk(struct strbuf *out, const struct script *sc, size_t from, size_t to,
		     const struct lines *a, const struct lines *b, size_t ai, size_t bj)
{
	size_t na = 0, nb = 0;
	for (size_t i = from; i < to; i++)
		na += sc->op[i] != '+', nb += sc->op[i] != '-';
	add_range(out, '-', ai, na);
	sb_addc(out, ' ');
	add_range(out, '+', bj, nb);
	sb_adds(out, " @@\n");
	for (size_t i = from; i < to; i++) {
		char op = sc->op[i];
		add_line(out, op, op == '+' ? &b->v[bj] : &a->v[ai]);
		ai += op != '+';
		bj += op != '-';
	}
}

void udiff(struct strbuf *out, const char *a_name, const char *b_name, const char *a,
	   size_t alen, const char *b, size_t blen, int context)
{
	struct lines la = { 0 }, lb = { 0 };
	struct script sc = { 0 };
	split_lines(a, alen, &la);
	split_lines(b, blen, &lb);
	diff_script(&la, &lb, &sc);
	size_t c = context > 0 ? (size_t)context : 0, i = 0, ai = 0, bj = 0;
	int header = 0;
	while (i < sc.n) {
		if (sc.op[i] == ' ') {
			i++, ai++, bj++;
			continue;
		}
		/* A change at step i: the hunk runs until 2c+1 unchanged steps in a row. */
		size_t back = 0;
		while (back < c && back < i && sc.op[i - back - 1] == ' ')
			back++;
		size_t end = i, same_run = 0;
		for (size_t j = i; j < sc.n; j++) {
			if (sc.op[j] != ' ') {
				end = j + 1;
				same_run = 0;
			} else if (++same_run > 2 * c) {
				break;
			}
		}
		size_t to = end + c < sc.n ? end + c : sc.n;
		if (!header) {
			sb_addf(out, "--- %s\n+++ %s\n", a_name, b_name);
			header = 1;
		}
		sb_adds(out, "@@ ");
		add_hunk(out, &sc, i - back, to, &la, &lb, ai - back, bj - back);
		for (; i < to; i++)
			ai += sc.op[i] != '+', bj += sc.op[i] != '-';
	}
	free(sc.op);
	free(la.v);
	free(lb.v);
}
