/*
 * chart.c - see chart.h.
 */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"

struct chart *
chart_new(struct arena *a, double w, double h, const char *title,
    const char *desc)
{
	struct chart *c = arena_zalloc(a, sizeof(*c));

	c->a = a;
	c->w = w;
	c->h = h;
	c->title = arena_strdup(a, title);
	c->desc = arena_strdup(a, desc);
	return c;
}

static struct chart_item *
item(struct chart *c, enum chart_op op, unsigned rgb)
{
	struct chart_item *it;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;

		c->it = arena_grow(c->a, c->it, c->cap * sizeof(*c->it),
		    ncap * sizeof(*c->it));
		c->cap = ncap;
	}
	it = &c->it[c->n++];
	memset(it, 0, sizeof(*it));
	it->op = op;
	it->rgb = rgb;
	return it;
}

void
chart_line(struct chart *c, double x1, double y1, double x2, double y2,
    unsigned rgb, double width, int dashed)
{
	struct chart_item *it = item(c, CH_LINE, rgb);

	it->x = x1;
	it->y = y1;
	it->x2 = x2;
	it->y2 = y2;
	it->size = width;
	it->dashed = dashed;
}

void
chart_path(struct chart *c, const double *xy, size_t n, unsigned rgb,
    double width, int dashed)
{
	struct chart_item *it;

	if (n < 2)
		return;
	it = item(c, CH_PATH, rgb);
	it->pts = arena_alloc(c->a, 2 * n * sizeof(double));
	memcpy(it->pts, xy, 2 * n * sizeof(double));
	it->npts = n;
	it->size = width;
	it->dashed = dashed;
}

void
chart_rect(struct chart *c, double x, double y, double w, double h,
    unsigned rgb)
{
	struct chart_item *it = item(c, CH_RECT, rgb);

	it->x = x;
	it->y = y;
	it->x2 = w;
	it->y2 = h;
	it->filled = 1;
}

void
chart_circle(struct chart *c, double x, double y, double r, unsigned rgb,
    int filled)
{
	struct chart_item *it = item(c, CH_CIRCLE, rgb);

	it->x = x;
	it->y = y;
	it->x2 = r;
	it->filled = filled;
	it->size = 1.2;
}

void
chart_text(struct chart *c, double x, double y, const char *text,
    double size, enum chart_anchor anchor, unsigned rgb, int bold)
{
	struct chart_item *it = item(c, CH_TEXT, rgb);

	it->x = x;
	it->y = y;
	it->text = arena_strdup(c->a, text);
	it->size = size;
	it->anchor = anchor;
	it->bold = bold;
}

/* A step of 1, 2 or 5 times a power of ten giving about five ticks. */
static double
nice_step(double max)
{
	double raw = max / 5.0, p, f;

	if (!(raw > 0.0))
		return 1.0;
	p = pow(10.0, floor(log10(raw)));
	f = raw / p;
	return (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * p;
}

static void
fmt_tick(char *out, size_t n, double v, double step)
{
	if (step >= 1.0 && fabs(v) >= 10000.0)
		snprintf(out, n, "%.0fk", v / 1000.0);
	else if (step >= 1.0)
		snprintf(out, n, "%.0f", v);
	else if (step >= 0.1)
		snprintf(out, n, "%.1f", v);
	else
		snprintf(out, n, "%.2f", v);
}

/* Plot area inside a chart. */
struct frame {
	double x0, y0, x1, y1;	 /* pixels: left, top, right, bottom */
	double xmin, xmax, ymax; /* data; y from 0 */
};

static double
fx(const struct frame *f, double v)
{
	return f->x0 + (v - f->xmin) / (f->xmax - f->xmin) * (f->x1 - f->x0);
}

static double
fy(const struct frame *f, double v)
{
	double y = f->y1 - v / f->ymax * (f->y1 - f->y0);

	return y < f->y0 ? f->y0 : y;
}

/* Horizontal grid lines and y labels; returns the rounded-up top. */
static void
y_axis(struct chart *c, struct frame *f, const char *label)
{
	double step = nice_step(f->ymax), v;
	char t[32];

	f->ymax = ceil(f->ymax / step) * step;
	for (v = 0.0; v <= f->ymax + step / 2; v += step) {
		chart_line(c, f->x0, fy(f, v), f->x1, fy(f, v), CH_GRID, 1, 0);
		fmt_tick(t, sizeof(t), v, step);
		chart_text(c, f->x0 - 6, fy(f, v) + 4, t, 11, CH_END, CH_INK,
		    0);
	}
	chart_text(c, 14, f->y0 - 10, label, 11, CH_START, CH_INK, 0);
	chart_line(c, f->x0, f->y1, f->x1, f->y1, CH_INK, 1, 0);
}

struct chart *
chart_funnel(struct arena *a, const double *den, const double *rate,
    size_t n, long mine, const struct stats_funnel *fn, const char *title,
    const char *desc)
{
	struct chart *c = chart_new(a, 640, 380, title, desc);
	struct frame f = {70, 40, 620, 330, 0, 0, 0};
	double xy[2 * 60], step, v;
	size_t i;
	int j, k;
	char t[32];

	for (i = 0; i < n; i++) {
		if (!(den[i] > 0) || isnan(rate[i]))
			continue;
		if (den[i] > f.xmax)
			f.xmax = den[i];
		if (rate[i] > f.ymax)
			f.ymax = rate[i];
	}
	f.xmax = f.xmax > 0 ? f.xmax * 1.1 : 10000;
	if (fn != NULL && fn->target > 0 && 3 * fn->target * 1000 > f.ymax)
		f.ymax = 3 * fn->target * 1000;
	if (!(f.ymax > 0))
		f.ymax = 1;
	f.ymax *= 1.1;
	y_axis(c, &f, "referrals per 1,000 weighted patients");
	step = nice_step(f.xmax);
	for (v = 0; v <= f.xmax; v += step) {
		fmt_tick(t, sizeof(t), v, step);
		chart_text(c, fx(&f, v), f.y1 + 16, t, 11, CH_MIDDLE, CH_INK,
		    0);
	}
	chart_text(c, (f.x0 + f.x1) / 2, f.y1 + 34,
	    "weighted list size (patients)", 11, CH_MIDDLE, CH_INK, 0);
	if (fn != NULL && fn->target > 0) {
		/* limits from a tenth of the axis out, where they are finite */
		for (k = 0; k < 4; k++) {
			size_t m = 0;

			for (j = 0; j < 60; j++) {
				double d = f.xmax * (0.04 + 0.96 * j / 59.0);
				double lim[4];

				stats_funnel_limits(fn, d, lim);
				xy[2 * m] = fx(&f, d);
				xy[2 * m + 1] = fy(&f, lim[k] * 1000.0);
				m++;
			}
			chart_path(c, xy, m, k < 2 ? CH_L95 : CH_L998, 1.5,
			    k < 2);
		}
		chart_line(c, f.x0, fy(&f, fn->target * 1000), f.x1,
		    fy(&f, fn->target * 1000), CH_INK, 1, 0);
	}
	for (i = 0; i < n; i++)
		if (den[i] > 0 && !isnan(rate[i]) && (long)i != mine)
			chart_circle(c, fx(&f, den[i]), fy(&f, rate[i]), 4,
			    CH_PEER, 1);
	if (mine >= 0 && den[mine] > 0 && !isnan(rate[mine])) {
		chart_circle(c, fx(&f, den[mine]), fy(&f, rate[mine]), 7,
		    CH_MINE, 1);
		chart_text(c, fx(&f, den[mine]) + 10, fy(&f, rate[mine]) - 8,
		    "you", 12, CH_START, CH_MINE, 1);
	}
	/* legend */
	chart_line(c, 360, 16, 384, 16, CH_L95, 1.5, 1);
	chart_text(c, 388, 20, "95%", 11, CH_START, CH_INK, 0);
	chart_line(c, 430, 16, 454, 16, CH_L998, 1.5, 0);
	chart_text(c, 458, 20, "99.8%", 11, CH_START, CH_INK, 0);
	chart_line(c, 510, 16, 534, 16, CH_INK, 1, 0);
	chart_text(c, 538, 20, "locality", 11, CH_START, CH_INK, 0);
	return c;
}

struct chart *
chart_bars(struct arena *a, const char *const *label, const double *val,
    const double *ref, size_t n, const char *unit, const char *title,
    const char *desc)
{
	double row = 26, h = 50 + row * (double)(n ? n : 1);
	struct chart *c = chart_new(a, 640, h, title, desc);
	struct frame f = {200, 30, 600, h - 20, 0, 0, 0};
	double step, v;
	size_t i;
	char t[32];

	for (i = 0; i < n; i++) {
		if (val[i] > f.xmax)
			f.xmax = val[i];
		if (ref != NULL && ref[i] > f.xmax)
			f.xmax = ref[i];
	}
	if (!(f.xmax > 0))
		f.xmax = 1;
	step = nice_step(f.xmax);
	f.xmax = ceil(f.xmax / step) * step;
	for (v = 0; v <= f.xmax + step / 2; v += step) {
		chart_line(c, fx(&f, v), f.y0, fx(&f, v), f.y1, CH_GRID, 1, 0);
		fmt_tick(t, sizeof(t), v, step);
		chart_text(c, fx(&f, v), f.y1 + 14, t, 11, CH_MIDDLE, CH_INK,
		    0);
	}
	chart_text(c, f.x1, 14, unit, 11, CH_END, CH_INK, 0);
	chart_rect(c, 200, 8, 12, 10, CH_MINE);
	chart_text(c, 216, 17, "you", 11, CH_START, CH_INK, 0);
	if (ref != NULL) {
		chart_line(c, 256, 6, 256, 20, CH_INK, 2.5, 0);
		chart_text(c, 262, 17, "peer median", 11, CH_START, CH_INK, 0);
	}
	for (i = 0; i < n; i++) {
		double y = f.y0 + row * (double)i;

		chart_text(c, f.x0 - 8, y + 17, label[i], 11, CH_END, CH_INK,
		    0);
		if (!isnan(val[i]) && val[i] > 0)
			chart_rect(c, f.x0, y + 6, fx(&f, val[i]) - f.x0, 14,
			    CH_MINE);
		if (ref != NULL && !isnan(ref[i]))
			chart_line(c, fx(&f, ref[i]), y + 2, fx(&f, ref[i]),
			    y + 24, CH_INK, 2.5, 0);
	}
	return c;
}

struct chart *
chart_trend(struct arena *a, const char *const *month, const double *mine,
    const double *peer, size_t n, const char *title, const char *desc)
{
	struct chart *c = chart_new(a, 640, 300, title, desc);
	struct frame f = {70, 40, 620, 250, 0, (double)(n > 1 ? n - 1 : 1), 0};
	double *xy = arena_alloc(a, 2 * (n ? n : 1) * sizeof(double));
	size_t i, m;
	int s;

	for (i = 0; i < n; i++) {
		if (!isnan(mine[i]) && mine[i] > f.ymax)
			f.ymax = mine[i];
		if (!isnan(peer[i]) && peer[i] > f.ymax)
			f.ymax = peer[i];
	}
	if (!(f.ymax > 0))
		f.ymax = 1;
	f.ymax *= 1.1;
	y_axis(c, &f, "referrals per 1,000 weighted patients a month");
	for (i = 0; i < n; i++)
		chart_text(c, fx(&f, (double)i), f.y1 + 16, month[i] + 2, 10,
		    CH_MIDDLE, CH_INK, 0);
	for (s = 0; s < 2; s++) {
		const double *v = s ? mine : peer;

		for (i = 0, m = 0; i < n; i++) {
			if (isnan(v[i]))
				continue;
			xy[2 * m] = fx(&f, (double)i);
			xy[2 * m + 1] = fy(&f, v[i]);
			m++;
			if (s)
				chart_circle(c, fx(&f, (double)i), fy(&f, v[i]),
				    3.5, CH_MINE, 1);
		}
		chart_path(c, xy, m, s ? CH_MINE : CH_PEER, s ? 2.5 : 2, !s);
	}
	chart_line(c, 360, 16, 384, 16, CH_MINE, 2.5, 0);
	chart_text(c, 388, 20, "you", 11, CH_START, CH_INK, 0);
	chart_line(c, 430, 16, 454, 16, CH_PEER, 2, 1);
	chart_text(c, 458, 20, "locality median", 11, CH_START, CH_INK, 0);
	return c;
}
