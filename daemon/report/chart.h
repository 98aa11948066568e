/*
 * chart.h - the report's charts as a display list (lines, paths,
 * rectangles, circles, text) in a w x h box, y downwards, that the SVG
 * writer (html.c) and the cairo writer (pdf.c) both draw.  The three
 * charts: a funnel plot, specialty bars against the peer median, and a
 * twelve-month trend.
 *
 * Items are allocated from the arena given to chart_new.
 */
#ifndef PARS_CHART_H
#define PARS_CHART_H

#include <stddef.h>

#include "stats.h"

struct arena;

enum chart_op { CH_LINE, CH_PATH, CH_RECT, CH_CIRCLE, CH_TEXT };
enum chart_anchor { CH_START, CH_MIDDLE, CH_END };

#define CH_INK 0x1f2937u     /* text, axes */
#define CH_GRID 0xe5e7eb
#define CH_PEER 0x9ca3afu    /* other practices */
#define CH_MINE 0xc2410cu    /* this practice */
#define CH_L95 0x2563ebu     /* 95% limits */
#define CH_L998 0x1e3a8au    /* 99.8% limits */

struct chart_item {
	enum chart_op op;
	double x, y, x2, y2; /* line ends; rect x, y, w, h; circle r in x2 */
	double *pts;	     /* path: npts (x, y) pairs */
	size_t npts;
	const char *text;
	enum chart_anchor anchor;
	double size; /* text size, line width */
	unsigned rgb;
	int dashed, filled, bold;
};

struct chart {
	double w, h;
	const char *title; /* shown above the chart */
	const char *desc;  /* what it shows, in words (alt text) */
	struct chart_item *it;
	size_t n, cap;
	struct arena *a;
};

struct chart *chart_new(struct arena *a, double w, double h,
    const char *title, const char *desc);
void chart_line(struct chart *c, double x1, double y1, double x2, double y2,
    unsigned rgb, double width, int dashed);
/* Copies n points (x0, y0, x1, y1, ...). */
void chart_path(struct chart *c, const double *xy, size_t n, unsigned rgb,
    double width, int dashed);
void chart_rect(struct chart *c, double x, double y, double w, double h,
    unsigned rgb);
void chart_circle(struct chart *c, double x, double y, double r,
    unsigned rgb, int filled);
void chart_text(struct chart *c, double x, double y, const char *text,
    double size, enum chart_anchor anchor, unsigned rgb, int bold);

/*
 * A funnel plot: rate per 1,000 (y) against weighted list size (x) for n
 * practices (den <= 0 or NAN rate: left out), mine highlighted (-1: none),
 * with the funnel's 95% and 99.8% limits and its target.
 */
struct chart *chart_funnel(struct arena *a, const double *den,
    const double *rate, size_t n, long mine, const struct stats_funnel *f,
    const char *title, const char *desc);
/* Horizontal bars of val (NAN: no bar) with a tick at ref (NAN: none). */
struct chart *chart_bars(struct arena *a, const char *const *label,
    const double *val, const double *ref, size_t n, const char *unit,
    const char *title, const char *desc);
/* Two lines over n months: mine and the peers' median. */
struct chart *chart_trend(struct arena *a, const char *const *month,
    const double *mine, const double *peer, size_t n, const char *title,
    const char *desc);

#endif
