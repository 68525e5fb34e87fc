/* html.c: the report as one self-contained HTML page (-o html). Inline CSS and
 * inline SVG charts, no script and nothing fetched (a Content-Security-Policy
 * meta tag forbids it), so the page can be mailed, archived or served as a
 * static file and reads the same offline, printed, or on a phone.
 *
 * The page is built in a strbuf and written with one fwrite: the caller checks
 * the stream (finish_stdout). Every string that comes from the records goes
 * through add_esc, in text and in attributes alike. Void elements are written
 * "<meta ... />" so that the page is also well-formed XML, which lets a test
 * check it with an XML parser. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIB (1024LL * 1024)

/* Bar charts: rows of a label and a value above a bar. Lengths across are in
 * percent of the chart's width and lengths down in px, so that the bars stretch
 * with the page while the text keeps its size (a viewBox would shrink it to
 * nothing on a phone, or blow it up on a wide screen). */
#define ROW_H 34
#define BAR_Y 19       /* bar top, from the row top (under the text) */
#define BAR_H 10
#define TEXT_CHARS 44  /* characters of 13px text that fit the narrowest chart (a phone) */
#define LABEL_MIN 16   /* a label keeps at least this many, the value makes do */
#define GROUP_BARS_MAX 50 /* more rows make a chart nobody reads; the table has them all */

#define COLOUR_BAR "#2563eb"
#define COLOUR_BAR2 "#0d9488" /* second segment of a stacked bar (tx after rx) */
#define COLOUR_WARN "#b45309" /* near the limit */
#define COLOUR_OVER "#b91c1c" /* over the limit (overcommitted) */
#define COLOUR_TRACK "#e5e7eb"

/* Colours for states other than the known ones (known_state_colour). Every
 * colour here is at least 4.5:1 against white, so that an arc or a swatch stands
 * out from the page; the legend carries the numbers for print. */
static const char *const other_colours[] = {
	"#1d4ed8", "#0e7490", "#6d28d9", "#0369a1", "#4338ca",
};

static const char css[] =
	":root{--fg:#1f2937;--muted:#5b6472;--line:#e3e6ea;--panel:#f7f8fa}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{margin:0;color:var(--fg);background:#fff;"
	"font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
	"header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}\n"
	"header{padding-top:24px;padding-bottom:12px;border-bottom:1px solid var(--line)}\n"
	"h1{font-size:1.6rem;line-height:1.2;margin:0 0 4px}\n"
	"h2{font-size:1.15rem;margin:32px 0 12px}\n"
	".meta,.note{color:var(--muted);margin:0}\n"
	".note{font-size:.85rem;margin-top:8px}\n"
	".empty{font-size:1.1rem;color:var(--muted);margin:0 0 16px}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));"
	"gap:12px;margin:0}\n"
	".card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--panel)}\n"
	".card dt{color:var(--muted);font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}\n"
	".card dd{margin:2px 0 0;font-size:1.3rem;font-weight:600;font-variant-numeric:tabular-nums}\n"
	".card .sub{display:block;font-size:.8rem;font-weight:400;color:var(--muted)}\n"
	".inline-list{margin:12px 0 0;font-size:.9rem}\n"
	".table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px}\n"
	"table{border-collapse:collapse;width:100%;font-size:.875rem;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:6px 10px;text-align:left;vertical-align:top;white-space:nowrap;"
	"border-bottom:1px solid var(--line);background:#fff}\n"
	"thead th{background:var(--panel);font-weight:600}\n"
	"tfoot th,tfoot td{font-weight:600;border-top:2px solid var(--line);border-bottom:0}\n"
	"tbody th{font-weight:600}\n"
	".num{text-align:right}\n"
	".wrap{white-space:normal;min-width:14rem}\n"
	/* the group key stays in view while the rest of a wide row scrolls */
	".groups tr>:first-child{position:sticky;left:0;z-index:1}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(20rem,100%),1fr));"
	"gap:16px;margin-top:16px}\n"
	"figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:12px 14px}\n"
	"figcaption{font-weight:600;margin-bottom:8px}\n"
	"svg.bars{display:block;width:100%;overflow:visible}\n"
	".bars text{font-size:13px;fill:var(--fg)}\n"
	".bars .v{fill:var(--muted);font-variant-numeric:tabular-nums}\n"
	".donut{display:flex;flex-wrap:wrap;align-items:center;gap:16px 40px}\n"
	".donut svg.ring{display:block;width:200px;max-width:60vw;height:auto}\n"
	".donut .c{font-size:8px;font-weight:700}\n"
	".donut .l{font-size:3.2px;fill:var(--muted)}\n"
	".legend{list-style:none;margin:0;padding:0;font-variant-numeric:tabular-nums}\n"
	".legend li{display:flex;align-items:center;gap:8px;padding:2px 0}\n"
	".legend b{min-width:3ch;text-align:right}\n"
	".legend .p{color:var(--muted)}\n"
	".sw{width:12px;height:12px;flex:none}\n"
	".key{display:inline-flex;align-items:center;gap:4px;margin-right:12px;font-weight:400;"
	"font-size:.85rem;color:var(--muted)}\n"
	"footer{color:var(--muted);font-size:.8rem;padding-top:24px;padding-bottom:24px}\n"
	"@media (max-width:600px){body{font-size:14px}h2{margin-top:24px}"
	".cards{grid-template-columns:repeat(auto-fill,minmax(9rem,1fr))}.card dd{font-size:1.15rem}}\n"
	/* Printed: no backgrounds needed (SVG fills print anyway), the page width
	 * instead of a scroll box, and no chart or table row cut by a page break. */
	"@media print{@page{margin:12mm}"
	"body{font-size:10pt}"
	"header,main,footer{max-width:none;padding-left:0;padding-right:0}"
	".card,th,td,thead th{background:none}"
	".table-wrap{overflow:visible;border:0}"
	"table{font-size:8pt}"
	"th,td{padding:2px 4px;white-space:normal}.wrap{min-width:0}"
	".groups tr>:first-child{position:static}"
	"thead{display:table-header-group}"
	"table,tr,figure,.cards,.card,.donut{break-inside:avoid}"
	"h2{break-after:avoid}}\n";

/* Append s with the characters that mean something in HTML replaced, in text
 * and in quoted attributes alike. Control characters cannot appear in an HTML
 * document: they become U+FFFD. */
static void add_esc(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				sb_adds(sb, "\xef\xbf\xbd");
			else
				sb_addc(sb, (char)c);
		}
	}
}

/* add_esc, cut to at most max characters (UTF-8 sequences are kept whole) with
 * an ellipsis: SVG text does not wrap, so a long name would run over the value. */
static void add_esc_cut(struct strbuf *sb, const char *s, size_t max)
{
	size_t chars = 0, i;
	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars > max)
			break;
	if (!s[i]) {
		add_esc(sb, s);
		return;
	}
	/* i starts character max + 1: step back over character max, to make room
	 * for the ellipsis */
	do
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80);
	char *head = xstrndup(s, i);
	add_esc(sb, head);
	free(head);
	sb_adds(sb, "\xe2\x80\xa6");
}

static const char *or_none(const char *s)
{
	return *s ? s : "(none)";
}

static const char *inst_label(const struct inst *in)
{
	return *in->name ? in->name : or_none(in->id);
}

/* human_bytes with a no-break space before the unit: a size never wraps
 * between its number and its unit (printed, table cells wrap). */
static const char *bytes_text(long long bytes, char buf[32])
{
	char raw[32];
	const char *r = human_bytes(bytes, raw);
	size_t j = 0;
	for (; *r && j < 29; r++) {
		if (*r == ' ') {
			buf[j++] = '\xc2';
			buf[j++] = '\xa0';
		} else {
			buf[j++] = *r;
		}
	}
	buf[j] = '\0';
	return buf;
}

static const char *mib_text(long long mib, char buf[32])
{
	return bytes_text(mib * MIB, buf);
}

static const char *pct_text(double pct, char buf[32])
{
	if (pct < 0)
		snprintf(buf, 32, "n/a");
	else
		snprintf(buf, 32, "%.1f%%", pct);
	return buf;
}

static double ratio(long long part, long long whole)
{
	return whole > 0 ? (double)part / (double)whole : 0;
}

/* "12 / 32 (37.5%)": use against a capacity or a quota. A negative limit is
 * read as unlimited (the -1 of OpenStack quotas); a zero one has no percentage. */
static void add_use(struct strbuf *sb, const char *used, const char *limit,
		    long long u, long long l)
{
	if (l < 0) {
		sb_addf(sb, "%s / unlimited", used);
		return;
	}
	sb_addf(sb, "%s / %s", used, limit);
	if (l > 0)
		sb_addf(sb, " (%.1f%%)", 100.0 * ratio(u, l));
}

static void add_use_count(struct strbuf *sb, long long u, long long l)
{
	char a[32], b[32];
	snprintf(a, sizeof a, "%lld", u);
	snprintf(b, sizeof b, "%lld", l);
	add_use(sb, a, b, u, l);
}

static void add_use_mib(struct strbuf *sb, long long u, long long l)
{
	char a[32], b[32];
	add_use(sb, mib_text(u, a), mib_text(l, b), u, l);
}

/* "3 running, 1 shutoff" from a tally, in its (first-seen) order. */
static void add_tally(struct strbuf *sb, const struct tally *t, int count_first)
{
	if (!t->len) {
		sb_adds(sb, "\xe2\x80\x94");
		return;
	}
	for (size_t i = 0; i < t->len; i++) {
		if (i)
			sb_adds(sb, ", ");
		if (count_first) {
			sb_addf(sb, "%ld ", t->n[i]);
			add_esc(sb, or_none(t->name[i]));
		} else {
			add_esc(sb, or_none(t->name[i]));
			sb_addf(sb, " (%ld)", t->n[i]);
		}
	}
}

/* --- States ---------------------------------------------------------------- */

struct slice {
	const char *name;
	long n;
	const char *colour;
};

static const char *known_state_colour(const char *state)
{
	if (strcmp(state, "running") == 0)
		return "#15803d";
	if (strcmp(state, "shutoff") == 0)
		return "#6b7280";
	if (strcmp(state, "paused") == 0)
		return "#b45309";
	if (strcmp(state, "crashed") == 0 || strcmp(state, "error") == 0)
		return "#b91c1c";
	return NULL;
}

/* The states, most instances first (ties in tally order, so the page is the
 * same for the same input), each with its colour. The caller frees. */
static struct slice *state_slices(const struct tally *t)
{
	struct slice *s = xcalloc(t->len, sizeof *s);
	size_t others = 0;
	for (size_t i = 0; i < t->len; i++) {
		struct slice cur = { t->name[i], t->n[i], NULL };
		size_t j = i;
		for (; j > 0 && s[j - 1].n < cur.n; j--)
			s[j] = s[j - 1];
		s[j] = cur;
	}
	/* other states take the blues in order, after sorting, so that a state keeps
	 * the same colour in the donut and its legend */
	for (size_t i = 0; i < t->len; i++) {
		s[i].colour = known_state_colour(s[i].name);
		if (!s[i].colour)
			s[i].colour = other_colours[others++ % ARRAY_SIZE(other_colours)];
	}
	return s;
}

static void add_swatch(struct strbuf *sb, const char *colour)
{
	sb_addf(sb, "<svg class=\"sw\" viewBox=\"0 0 10 10\" aria-hidden=\"true\">"
		"<rect width=\"10\" height=\"10\" rx=\"2\" fill=\"%s\" /></svg>", colour);
}

/* The ring has a circumference of 100 units (r = 100 / 2pi), so that each
 * arc's dash is its percentage; the offset of 25 starts it at 12 o'clock. */
static void put_donut_svg(struct strbuf *sb, const struct slice *s, size_t n, long total)
{
	sb_adds(sb, "<svg class=\"ring\" viewBox=\"0 0 42 42\" role=\"img\" "
		"aria-label=\"Instances by state\">\n");
	double at = 0;
	for (size_t i = 0; i < n; i++) {
		double pct = 100.0 * ratio(s[i].n, total);
		/* a hairline between arcs when there are several */
		double gap = n > 1 && pct > 1 ? 0.4 : 0;
		sb_addf(sb, "<circle cx=\"21\" cy=\"21\" r=\"15.915494\" fill=\"none\" "
			"stroke=\"%s\" stroke-width=\"6\" stroke-dasharray=\"%.3f %.3f\" "
			"stroke-dashoffset=\"%.3f\"><title>",
			s[i].colour, pct - gap, 100 - pct + gap, 25 - at);
		add_esc(sb, or_none(s[i].name));
		sb_addf(sb, ": %ld (%.1f%%)</title></circle>\n", s[i].n, pct);
		at += pct;
	}
	sb_addf(sb, "<text class=\"c\" x=\"21\" y=\"22.5\" text-anchor=\"middle\">%ld</text>\n"
		"<text class=\"l\" x=\"21\" y=\"27\" text-anchor=\"middle\">%s</text>\n</svg>\n",
		total, total == 1 ? "instance" : "instances");
}

static void put_legend(struct strbuf *sb, const struct slice *s, size_t n, long total)
{
	sb_adds(sb, "<ul class=\"legend\">\n");
	for (size_t i = 0; i < n; i++) {
		sb_adds(sb, "<li>");
		add_swatch(sb, s[i].colour);
		sb_addf(sb, "<b>%ld</b><span>", s[i].n);
		add_esc(sb, or_none(s[i].name));
		sb_addf(sb, "</span><span class=\"p\">%.1f%%</span></li>\n",
			100.0 * ratio(s[i].n, total));
	}
	sb_adds(sb, "</ul>\n");
}

static void put_states(struct strbuf *sb, const struct agg *total)
{
	struct slice *s = state_slices(&total->states);
	sb_adds(sb, "<section id=\"states\">\n<h2>Instance states</h2>\n<div class=\"donut\">\n");
	put_donut_svg(sb, s, total->states.len, total->count);
	put_legend(sb, s, total->states.len, total->count);
	sb_adds(sb, "</div>\n</section>\n");
	free(s);
}

/* --- Bar charts ------------------------------------------------------------ */

struct bar {
	const char *label;   /* from the data: escaped, and cut to fit */
	char *tip;           /* tooltip, from the data: escaped (owned) */
	double v[2];         /* stacked segments; v[1] is 0 for a plain bar */
	double limit;        /* > 0: drawn against it on a track; else against the largest bar */
	char text[96];       /* the value, right-aligned above the bar */
};

static const char *bar_colour(const struct bar *b)
{
	if (b->limit <= 0)
		return COLOUR_BAR;
	double r = (b->v[0] + b->v[1]) / b->limit;
	return r > 1 ? COLOUR_OVER : r >= 0.8 ? COLOUR_WARN : COLOUR_BAR;
}

/* Width in percent for value v on a scale where full is 100%; a value above
 * zero stays visible. */
static double bar_width(double v, double full)
{
	if (v <= 0 || full <= 0)
		return 0;
	double w = 100 * v / full;
	if (w > 100)
		w = 100;
	return w < 0.5 ? 0.5 : w;
}

static void put_bar_row(struct strbuf *sb, const struct bar *b, int y, double scale_max)
{
	size_t len = strlen(b->text);
	size_t room = len + 2 + LABEL_MIN < TEXT_CHARS ? TEXT_CHARS - len - 2 : LABEL_MIN;
	double full = b->limit > 0 ? b->limit : scale_max;
	double w0 = bar_width(b->v[0], full);
	double w1 = bar_width(b->v[0] + b->v[1], full) - w0;

	sb_adds(sb, "<g><title>");
	add_esc(sb, b->tip ? b->tip : b->label);
	sb_addf(sb, "</title><text x=\"0\" y=\"%d\">", y + 14);
	add_esc_cut(sb, or_none(b->label), room);
	sb_addf(sb, "</text><text class=\"v\" x=\"100%%\" y=\"%d\" text-anchor=\"end\">", y + 14);
	add_esc(sb, b->text);
	sb_adds(sb, "</text>");
	if (b->limit > 0)
		sb_addf(sb, "<rect x=\"0\" y=\"%d\" width=\"100%%\" height=\"%d\" rx=\"2\" "
			"fill=\"%s\" />", y + BAR_Y, BAR_H, COLOUR_TRACK);
	if (w0 > 0)
		sb_addf(sb, "<rect x=\"0\" y=\"%d\" width=\"%.2f%%\" height=\"%d\" rx=\"2\" "
			"fill=\"%s\" />", y + BAR_Y, w0, BAR_H, bar_colour(b));
	if (w1 > 0)
		sb_addf(sb, "<rect x=\"%.2f%%\" y=\"%d\" width=\"%.2f%%\" height=\"%d\" "
			"fill=\"%s\" />", w0, y + BAR_Y, w1, BAR_H, COLOUR_BAR2);
	sb_adds(sb, "</g>\n");
}

/* One figure: caption (trusted markup), rows, and an optional note (trusted). */
static void put_bar_chart(struct strbuf *sb, const char *caption, const struct bar *b,
			  size_t n, const char *note)
{
	/* bars without a limit are drawn against the largest of all, so that they
	 * compare with the others in the chart */
	double scale_max = 0;
	for (size_t i = 0; i < n; i++)
		if (b[i].v[0] + b[i].v[1] > scale_max)
			scale_max = b[i].v[0] + b[i].v[1];
	sb_addf(sb, "<figure>\n<figcaption>%s</figcaption>\n", caption);
	if (!n) {
		sb_adds(sb, "<p class=\"note\">No data</p>\n</figure>\n");
		return;
	}
	sb_addf(sb, "<svg class=\"bars\" width=\"100%%\" height=\"%zu\">\n",
		n * ROW_H);
	for (size_t i = 0; i < n; i++)
		put_bar_row(sb, &b[i], (int)i * ROW_H, scale_max);
	sb_adds(sb, "</svg>\n");
	if (note)
		sb_addf(sb, "<p class=\"note\">%s</p>\n", note);
	sb_adds(sb, "</figure>\n");
}

static void free_bars(struct bar *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].tip);
	free(b);
}

/* --- Header and totals ----------------------------------------------------- */

static void put_head(struct strbuf *sb)
{
	sb_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\" />\n"
		/* the page works offline and cannot phone home, even if a name in the
		 * data were to slip past the escaping */
		"<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\" />\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
		"<meta name=\"color-scheme\" content=\"light\" />\n"
		"<meta name=\"generator\" content=\"cloudctl-report\" />\n"
		"<title>cloudctl report</title>\n<style>\n");
	sb_adds(sb, css);
	sb_adds(sb, "</style>\n</head>\n<body>\n");
}

static const char *group_by_name(const struct report *rp)
{
	return rp->group_by && *rp->group_by ? rp->group_by : "group";
}

static void put_header(struct strbuf *sb, const struct report *rp)
{
	time_t t = (time_t)rp->generated_at;
	struct tm tm;
	char when[32];
	sb_adds(sb, "<header>\n<h1>cloudctl report</h1>\n<p class=\"meta\">Generated ");
	if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
		sb_addf(sb, "<time datetime=\"%s\">%s</time>", when, when);
	else
		sb_adds(sb, "at an unknown time");
	sb_adds(sb, " \xc2\xb7 grouped by <b>");
	add_esc(sb, group_by_name(rp));
	sb_adds(sb, "</b></p>\n</header>\n<main>\n");
}

/* One figure of the overview; label and sub are markup. */
static void put_card(struct strbuf *sb, const char *label, const char *value, const char *sub)
{
	sb_addf(sb, "<div class=\"card\"><dt>%s</dt><dd>", label);
	add_esc(sb, value);
	if (sub && *sub)
		sb_addf(sb, "<span class=\"sub\">%s</span>", sub);
	sb_adds(sb, "</dd></div>\n");
}

static void put_count_card(struct strbuf *sb, const char *label, long long n, const char *sub)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", n);
	put_card(sb, label, v, sub);
}

/* "62.5% of allocated", or "" when there is nothing to compare with. */
static const char *share_text(long long part, long long whole, const char *of, char buf[64])
{
	buf[0] = '\0';
	if (whole > 0)
		snprintf(buf, 64, "%.1f%% of %s", 100.0 * ratio(part, whole), of);
	return buf;
}

static void put_resource_cards(struct strbuf *sb, const struct agg *a)
{
	char v[32], sub[64];
	put_card(sb, "Memory", mib_text(a->mem_mib, v), NULL);
	put_card(sb, "Memory used", mib_text(a->mem_used_mib, v),
		 share_text(a->mem_used_mib, a->mem_mib, "allocated", sub));
	put_card(sb, "Disk allocated", bytes_text(a->disk_bytes, v), NULL);
	put_card(sb, "Disk used", bytes_text(a->disk_used_bytes, v),
		 share_text(a->disk_used_bytes, a->disk_bytes, "allocated", sub));
	snprintf(sub, sizeof sub, "mean of %ld instance%s", a->cpu_pct_n,
		 a->cpu_pct_n == 1 ? "" : "s");
	put_card(sb, "CPU use", pct_text(agg_cpu_pct(a), v), a->cpu_pct_n > 0 ? sub : NULL);
	put_card(sb, "Network received", bytes_text(a->rx_bytes, v), NULL);
	put_card(sb, "Network sent", bytes_text(a->tx_bytes, v), NULL);
}

static void put_totals(struct strbuf *sb, const struct report *rp)
{
	const struct agg *a = &rp->total;
	char sub[64];
	sb_adds(sb, "<section id=\"totals\">\n<h2>Overview</h2>\n");
	if (!a->count)
		sb_adds(sb, "<p class=\"empty\">No instances</p>\n");
	sb_adds(sb, "<dl class=\"cards\">\n");
	put_count_card(sb, "Instances", a->count, NULL);
	put_count_card(sb, "vCPUs", a->vcpus, NULL);
	put_resource_cards(sb, a);
	snprintf(sub, sizeof sub, "of %ld", a->count);
	put_count_card(sb, "With an address", a->with_address, a->count ? sub : NULL);
	if (rp->flagged_total > 0)
		put_count_card(sb, "Flagged", rp->flagged_total, "listed below");
	if (rp->skipped > 0)
		put_count_card(sb, "Skipped records", rp->skipped, "not instances, or incomplete");
	sb_adds(sb, "</dl>\n");
	if (a->networks.len) {
		sb_adds(sb, "<p class=\"inline-list\"><b>Networks:</b> ");
		add_tally(sb, &a->networks, 0);
		sb_adds(sb, "</p>\n");
	}
	sb_adds(sb, "</section>\n");
}

/* --- Groups ---------------------------------------------------------------- */

static void th_num(struct strbuf *sb, const char *label)
{
	sb_addf(sb, "<th scope=\"col\" class=\"num\">%s</th>", label);
}

static void td_num(struct strbuf *sb, const char *text)
{
	sb_adds(sb, "<td class=\"num\">");
	add_esc(sb, text);
	sb_adds(sb, "</td>");
}

static void td_lld(struct strbuf *sb, long long n)
{
	sb_addf(sb, "<td class=\"num\">%lld</td>", n);
}

static void put_group_head(struct strbuf *sb, const char *group_by, int caps, int quotas)
{
	sb_adds(sb, "<thead><tr><th scope=\"col\">");
	add_esc(sb, group_by);
	sb_adds(sb, "</th>");
	th_num(sb, "Instances");
	sb_adds(sb, "<th scope=\"col\">States</th>");
	th_num(sb, "vCPUs");
	th_num(sb, "Memory");
	th_num(sb, "Memory used");
	th_num(sb, "Disk");
	th_num(sb, "Disk used");
	th_num(sb, "CPU");
	th_num(sb, "RX");
	th_num(sb, "TX");
	th_num(sb, "With address");
	sb_adds(sb, "<th scope=\"col\">Networks</th>");
	if (caps) {
		th_num(sb, "vCPUs / capacity");
		th_num(sb, "Memory / capacity");
	}
	if (quotas) {
		th_num(sb, "vCPUs / quota");
		th_num(sb, "Memory / quota");
		th_num(sb, "Instances / quota");
	}
	sb_adds(sb, "</tr></thead>\n");
}

/* One "used / limit" cell (MiB or a count); an em dash when the group has no
 * such limit. */
static void put_use_cell(struct strbuf *sb, int known, int mib, long long used, long long limit)
{
	struct strbuf cell = STRBUF_INIT;
	if (!known)
		sb_adds(&cell, "\xe2\x80\x94");
	else if (mib)
		add_use_mib(&cell, used, limit);
	else
		add_use_count(&cell, used, limit);
	td_num(sb, cell.buf);
	sb_release(&cell);
}

static void put_limit_cells(struct strbuf *sb, const struct agg *g, int caps, int quotas)
{
	if (caps) {
		put_use_cell(sb, g->has_capacity, 0, g->vcpus, g->cap_vcpus);
		put_use_cell(sb, g->has_capacity, 1, g->mem_mib, g->cap_mem_mib);
	}
	if (quotas) {
		put_use_cell(sb, g->has_quota, 0, g->vcpus, g->quota_vcpus);
		put_use_cell(sb, g->has_quota, 1, g->mem_mib, g->quota_mem_mib);
		put_use_cell(sb, g->has_quota, 0, g->count, g->quota_instances);
	}
}

/* One row; key is the group's value, or NULL for the totals row. */
static void put_group_row(struct strbuf *sb, const struct agg *g, const char *key,
			  int caps, int quotas)
{
	char v[32];
	sb_adds(sb, "<tr><th scope=\"row\">");
	add_esc(sb, key ? or_none(key) : "Total");
	sb_adds(sb, "</th>");
	td_lld(sb, g->count);
	sb_adds(sb, "<td class=\"wrap\">");
	add_tally(sb, &g->states, 1);
	sb_adds(sb, "</td>");
	td_lld(sb, g->vcpus);
	td_num(sb, mib_text(g->mem_mib, v));
	td_num(sb, mib_text(g->mem_used_mib, v));
	td_num(sb, bytes_text(g->disk_bytes, v));
	td_num(sb, bytes_text(g->disk_used_bytes, v));
	td_num(sb, pct_text(agg_cpu_pct(g), v));
	td_num(sb, bytes_text(g->rx_bytes, v));
	td_num(sb, bytes_text(g->tx_bytes, v));
	td_lld(sb, g->with_address);
	sb_adds(sb, "<td class=\"wrap\">");
	add_tally(sb, &g->networks, 0);
	sb_adds(sb, "</td>");
	put_limit_cells(sb, g, caps, quotas);
	sb_adds(sb, "</tr>\n");
}

static void put_group_table(struct strbuf *sb, const struct report *rp, const char *group_by)
{
	int caps = 0, quotas = 0;
	for (size_t i = 0; i < rp->ngroups; i++) {
		caps |= rp->groups[i].has_capacity;
		quotas |= rp->groups[i].has_quota;
	}
	sb_adds(sb, "<div class=\"table-wrap\">\n<table class=\"groups\">\n");
	put_group_head(sb, group_by, caps, quotas);
	sb_adds(sb, "<tbody>\n");
	for (size_t i = 0; i < rp->ngroups; i++)
		put_group_row(sb, &rp->groups[i], rp->groups[i].key, caps, quotas);
	sb_adds(sb, "</tbody>\n<tfoot>\n");
	put_group_row(sb, &rp->total, NULL, caps, quotas);
	sb_adds(sb, "</tfoot>\n</table>\n</div>\n");
}

/* The limit a group's use is drawn against: the hosts' capacity when known,
 * else the tenant's quota, else none (the bar is relative to the largest). */
static void group_bar(struct bar *b, const struct agg *g, int mem)
{
	long long use = mem ? g->mem_mib : g->vcpus;
	long long cap = mem ? g->cap_mem_mib : g->cap_vcpus;
	long long quota = mem ? g->quota_mem_mib : g->quota_vcpus;
	long long limit = 0;
	const char *of = "";
	if (g->has_capacity && cap > 0) {
		limit = cap;
		of = ", against the capacity";
	} else if (g->has_quota && quota > 0) {
		limit = quota;
		of = ", against the quota";
	}
	struct strbuf text = STRBUF_INIT;
	char v[32];
	if (limit && mem)
		add_use_mib(&text, use, limit);
	else if (limit)
		add_use_count(&text, use, limit);
	else if (mem)
		sb_adds(&text, mib_text(use, v));
	else
		sb_addf(&text, "%lld", use);

	b->label = or_none(g->key);
	b->v[0] = (double)use;
	b->limit = (double)limit;
	snprintf(b->text, sizeof b->text, "%s", text.buf);
	b->tip = xasprintf("%s: %s%s", b->label, text.buf, of);
	sb_release(&text);
}

static void put_group_bars(struct strbuf *sb, const struct report *rp)
{
	size_t n = rp->ngroups < GROUP_BARS_MAX ? rp->ngroups : GROUP_BARS_MAX;
	struct bar *cpu = xcalloc(n, sizeof *cpu), *mem = xcalloc(n, sizeof *mem);
	for (size_t i = 0; i < n; i++) {
		group_bar(&cpu[i], &rp->groups[i], 0);
		group_bar(&mem[i], &rp->groups[i], 1);
	}
	char *note = rp->ngroups > n
		? xasprintf("The first %zu of %zu groups; the table lists them all.", n, rp->ngroups)
		: NULL;
	sb_adds(sb, "<div class=\"charts\">\n");
	put_bar_chart(sb, "vCPUs", cpu, n, note);
	put_bar_chart(sb, "Memory", mem, n, note);
	sb_adds(sb, "</div>\n<p class=\"note\">A bar on a grey track is use against the host "
		"capacity or, without one, the tenant quota (amber from 80%, red over 100%); "
		"other bars are relative to the largest.</p>\n");
	free(note);
	free_bars(cpu, n);
	free_bars(mem, n);
}

static void put_groups(struct strbuf *sb, const struct report *rp)
{
	const char *group_by = group_by_name(rp);
	sb_adds(sb, "<section id=\"groups\">\n<h2>By ");
	add_esc(sb, group_by);
	sb_adds(sb, "</h2>\n");
	put_group_table(sb, rp, group_by);
	put_group_bars(sb, rp);
	sb_adds(sb, "</section>\n");
}

/* --- Top instances --------------------------------------------------------- */

static void top_bar(struct bar *b, const struct inst *in, enum top_kind kind)
{
	char a[32], c[32];
	b->label = inst_label(in);
	switch (kind) {
	case TOP_CPU:
		b->v[0] = in->cpu_pct > 0 ? in->cpu_pct : 0;
		b->limit = 100; /* the share of its own vCPUs: 100% is the most it can use */
		snprintf(b->text, sizeof b->text, "%s", pct_text(in->cpu_pct, a));
		break;
	case TOP_MEM:
		b->v[0] = (double)in->mem_used_mib;
		mib_text(in->mem_used_mib, a);
		if (in->mem_mib > 0)
			snprintf(b->text, sizeof b->text, "%s / %s", a, mib_text(in->mem_mib, c));
		else
			snprintf(b->text, sizeof b->text, "%s", a);
		break;
	default:
		b->v[0] = (double)in->rx_bytes;
		b->v[1] = (double)in->tx_bytes;
		snprintf(b->text, sizeof b->text, "%s", bytes_text(in->rx_bytes + in->tx_bytes, a));
		break;
	}
	if (kind == TOP_NET)
		b->tip = xasprintf("%s on %s: rx %s, tx %s", b->label, or_none(in->host),
				   bytes_text(in->rx_bytes, a), bytes_text(in->tx_bytes, c));
	else
		b->tip = xasprintf("%s on %s: %s", b->label, or_none(in->host), b->text);
}

static void put_top_chart(struct strbuf *sb, const struct report *rp, enum top_kind kind)
{
	static const char *const title[TOP_KINDS] = {
		[TOP_CPU] = "CPU use (% of its vCPUs)",
		[TOP_MEM] = "Memory used",
		[TOP_NET] = "Network traffic",
	};
	struct strbuf caption = STRBUF_INIT;
	sb_adds(&caption, title[kind]);
	if (kind == TOP_NET) { /* the key to the stacked bars */
		sb_adds(&caption, " <span class=\"key\">");
		add_swatch(&caption, COLOUR_BAR);
		sb_adds(&caption, "rx</span><span class=\"key\">");
		add_swatch(&caption, COLOUR_BAR2);
		sb_adds(&caption, "tx</span>");
	}
	size_t n = rp->ntop[kind];
	struct bar *b = xcalloc(n, sizeof *b);
	for (size_t i = 0; i < n; i++)
		top_bar(&b[i], rp->top[kind][i], kind);
	put_bar_chart(sb, caption.buf, b, n, NULL);
	free_bars(b, n);
	sb_release(&caption);
}

static void put_top(struct strbuf *sb, const struct report *rp)
{
	sb_adds(sb, "<section id=\"top\">\n<h2>Top instances</h2>\n<div class=\"charts\">\n");
	for (int k = 0; k < TOP_KINDS; k++)
		put_top_chart(sb, rp, (enum top_kind)k);
	sb_adds(sb, "</div>\n</section>\n");
}

/* --- Flagged instances ----------------------------------------------------- */

static void td_text(struct strbuf *sb, const char *s)
{
	sb_adds(sb, "<td>");
	add_esc(sb, s);
	sb_adds(sb, "</td>");
}

static void put_flagged(struct strbuf *sb, const struct report *rp)
{
	sb_adds(sb, "<section id=\"flagged\">\n<h2>Flagged instances</h2>\n");
	if (!rp->flagged_total) {
		sb_adds(sb, "<p class=\"note\">None.</p>\n</section>\n");
		return;
	}
	sb_adds(sb, "<div class=\"table-wrap\">\n<table>\n<thead><tr><th scope=\"col\">Name</th>"
		"<th scope=\"col\">Host</th><th scope=\"col\">State</th>"
		"<th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < rp->nflagged; i++) {
		const struct inst *in = rp->flagged[i];
		sb_adds(sb, "<tr>");
		td_text(sb, inst_label(in));
		td_text(sb, or_none(in->host));
		td_text(sb, or_none(in->state));
		sb_adds(sb, "<td class=\"wrap\">");
		add_esc(sb, in->flag ? in->flag : "");
		sb_adds(sb, "</td></tr>\n");
	}
	sb_adds(sb, "</tbody>\n</table>\n</div>\n");
	if (rp->flagged_total > (long)rp->nflagged)
		sb_addf(sb, "<p class=\"note\">and %ld more</p>\n",
			rp->flagged_total - (long)rp->nflagged);
	sb_adds(sb, "</section>\n");
}

/* --- The page -------------------------------------------------------------- */

void render_html(const struct report *rp, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	int any_top = 0;
	for (int k = 0; k < TOP_KINDS; k++)
		any_top |= rp->ntop[k] > 0;

	put_head(&sb);
	put_header(&sb, rp);
	put_totals(&sb, rp);
	/* an empty report is the overview and its "No instances", not empty charts */
	if (rp->total.count > 0)
		put_states(&sb, &rp->total);
	if (rp->ngroups > 0)
		put_groups(&sb, rp);
	if (any_top)
		put_top(&sb, rp);
	if (rp->total.count > 0)
		put_flagged(&sb, rp);
	sb_adds(&sb, "</main>\n<footer>cloudctl-report</footer>\n</body>\n</html>\n");
	fwrite(sb.buf, 1, sb.len, out);
	sb_release(&sb);
}
