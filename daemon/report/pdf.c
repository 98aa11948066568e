/*
 * pdf.c - a report as an A4 PDF drawn with cairo: the same blocks as the
 * HTML (headings, paragraphs, flags, tables with their header repeated
 * on each page, the charts as vectors), text in DejaVu Sans so that it
 * can be searched and extracted.  The creation date is the data's date,
 * so the same report gives the same bytes.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "buf.h"
#include "chart.h"
#include "doc.h"
#include "xmalloc.h"

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 42.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - MARGIN - 14)
#define FONT "DejaVu Sans"

struct pdf {
	cairo_t *cr;
	double y;
	int page;
};

static void
color(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0,
	    ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static void
font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	    bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static double
text_w(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

static void
footer(struct pdf *p)
{
	char t[32];

	font(p->cr, 7.5, 0);
	color(p->cr, 0x6b7280);
	snprintf(t, sizeof(t), "page %d", p->page);
	cairo_move_to(p->cr, PAGE_W - MARGIN - text_w(p->cr, t),
	    PAGE_H - MARGIN + 6);
	cairo_show_text(p->cr, t);
}

static void
new_page(struct pdf *p)
{
	footer(p);
	cairo_show_page(p->cr);
	p->page++;
	p->y = MARGIN;
}

/* Makes room for h points, starting a page when there is not. */
static void
need(struct pdf *p, double h)
{
	if (p->y + h > BOTTOM && p->y > MARGIN)
		new_page(p);
}

/* Cuts a word wider than w at a character boundary that fits; returns
 * the bytes that fit (at least one character). */
static size_t
cut_word(cairo_t *cr, char *word, size_t len, double w)
{
	size_t cut = len - 1;

	while (cut > 1) {
		char keep;
		int fits;

		while (cut > 1 && ((unsigned char)word[cut] & 0xc0) == 0x80)
			cut--;
		keep = word[cut];
		word[cut] = '\0';
		fits = text_w(cr, word) <= w;
		word[cut] = keep;
		if (fits)
			break;
		cut--;
	}
	return cut;
}

/*
 * Splits s into lines no wider than w in the current font; calls draw
 * (when not NULL) for each with its index.  Returns the line count.  Each
 * word is measured once and a line's width is the sum of its words' and
 * spaces' (kerning across a space is negligible at these sizes).
 */
static int
wrap(cairo_t *cr, const char *s, double w,
    void (*draw)(void *, int, const char *), void *arg)
{
	struct buf line, word;
	double space = text_w(cr, " "), lw = 0;
	const char *p = s ? s : "";
	int n = 0;

	buf_init(&line, 0);
	buf_init(&word, 0);
	for (;;) {
		size_t k = strcspn(p, " \n");
		double ww;

		buf_reset(&word);
		buf_add(&word, p, k);
		ww = k ? text_w(cr, word.p) : 0;
		if (line.len > 0 && lw + space + ww > w) {
			if (draw)
				draw(arg, n, line.p);
			n++;
			buf_reset(&line);
			lw = 0;
		}
		while (line.len == 0 && ww > w && word.len > 1) {
			size_t cut = cut_word(cr, word.p, word.len, w);
			char keep = word.p[cut];

			word.p[cut] = '\0';
			if (draw)
				draw(arg, n, word.p);
			word.p[cut] = keep;
			n++;
			memmove(word.p, word.p + cut, word.len - cut);
			word.len -= cut;
			word.p[word.len] = '\0';
			ww = text_w(cr, word.p);
		}
		if (line.len > 0) {
			buf_addc(&line, ' ');
			lw += space;
		}
		buf_add(&line, word.p, word.len);
		lw += ww;
		p += k;
		if (*p == '\n' || *p == '\0') {
			if (line.len > 0 || *p == '\n') {
				if (draw)
					draw(arg, n, line.p);
				n++;
			}
			buf_reset(&line);
			lw = 0;
		}
		if (*p == '\0')
			break;
		p++;
	}
	buf_free(&line);
	buf_free(&word);
	return n;
}

struct at {
	cairo_t *cr;
	double x, y, lh;
};

static void
draw_line(void *arg, int i, const char *s)
{
	struct at *a = arg;

	cairo_move_to(a->cr, a->x, a->y + a->lh * (i + 1) - a->lh * 0.25);
	cairo_show_text(a->cr, s);
}

/* A wrapped paragraph at the current position. */
static void
para(struct pdf *p, const char *s, double size, int bold, unsigned rgb,
    double x, double w)
{
	struct at a = {p->cr, x, p->y, size * 1.35};
	int n;

	font(p->cr, size, bold);
	n = wrap(p->cr, s, w, NULL, NULL);
	need(p, n * a.lh);
	a.y = p->y;
	font(p->cr, size, bold);
	color(p->cr, rgb);
	wrap(p->cr, s, w, draw_line, &a);
	p->y += n * a.lh;
}

static void
flag(struct pdf *p, const struct doc_block *k)
{
	double top, lh = 9.5 * 1.35;
	int n1, n2;

	font(p->cr, 9.5, 0);
	n1 = wrap(p->cr, k->text, TEXT_W - 16, NULL, NULL);
	n2 = wrap(p->cr, k->action, TEXT_W - 16, NULL, NULL) + 1;
	need(p, (n1 + n2) * lh + 14);
	top = p->y;
	color(p->cr, k->level == 2 ? 0xfef2f2 : 0xfffbeb);
	cairo_rectangle(p->cr, MARGIN, top, TEXT_W, (n1 + n2) * lh + 10);
	cairo_fill(p->cr);
	color(p->cr, k->level == 2 ? 0xb91c1c : 0xd97706);
	cairo_rectangle(p->cr, MARGIN, top, 4, (n1 + n2) * lh + 10);
	cairo_fill(p->cr);
	p->y += 5;
	para(p, k->text, 9.5, 0, 0x1f2937, MARGIN + 12, TEXT_W - 16);
	para(p, "What you could do:", 9.5, 1, 0x065f46, MARGIN + 12,
	    TEXT_W - 16);
	para(p, k->action, 9.5, 0, 0x1f2937, MARGIN + 12, TEXT_W - 16);
	p->y = top + (n1 + n2) * lh + 16;
}

/* The widest single word of s (a column is not made narrower). */
static double
longest_word(cairo_t *cr, const char *s)
{
	char word[256];
	double most = 0;

	while (s != NULL && *s != '\0') {
		size_t k = strcspn(s, " \n");

		if (k > 0) {
			snprintf(word, sizeof(word), "%.*s", (int)k, s);
			if (text_w(cr, word) > most)
				most = text_w(cr, word);
		}
		s += k;
		s += *s != '\0';
	}
	return most;
}

/*
 * Column widths: natural widths (at most 220 points); while the table is
 * wider than the page, the column with the most room above its longest
 * word gives up a point.
 */
static void
widths(cairo_t *cr, const struct doc_table *t, double *w)
{
	double total = 0, *min = xcalloc(t->ncols, sizeof(*min));
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		font(cr, 8, 1);
		w[c] = text_w(cr, t->head[c]) + 8;
		min[c] = longest_word(cr, t->head[c]) + 8;
		font(cr, 8, 0);
		for (r = 0; r < t->nrows; r++) {
			const char *cell = t->cell[r * t->ncols + c];
			double x = text_w(cr, cell) + 8;

			if (x > w[c])
				w[c] = x;
			x = strchr(cell, ' ') ? longest_word(cr, cell) + 8 : x;
			if (x > min[c])
				min[c] = x;
		}
		if (w[c] > 220)
			w[c] = 220;
		if (min[c] > w[c])
			min[c] = w[c];
		total += w[c];
	}
	while (total > TEXT_W + 0.5) {
		size_t big = t->ncols;

		for (c = 0; c < t->ncols; c++)
			if (w[c] > min[c] && (big == t->ncols ||
			    w[c] - min[c] > w[big] - min[big]))
				big = c;
		if (big == t->ncols)
			break; /* every column at its longest word */
		w[big] -= 1;
		total -= 1;
	}
	free(min);
}

static double
row_height(cairo_t *cr, const char *const *cells, size_t n, const double *w,
    int bold)
{
	size_t c;
	int most = 1;

	font(cr, 8, bold);
	for (c = 0; c < n; c++) {
		int k = wrap(cr, cells[c], w[c] - 6, NULL, NULL);

		if (k > most)
			most = k;
	}
	return most * 8 * 1.3 + 4;
}

static void
draw_row(struct pdf *p, const char *const *cells, size_t n, const double *w,
    int bold, unsigned bg, double h)
{
	double x = MARGIN;
	size_t c;

	if (bg != 0xffffff) {
		color(p->cr, bg);
		cairo_rectangle(p->cr, MARGIN, p->y, TEXT_W, h);
		cairo_fill(p->cr);
	}
	for (c = 0; c < n; c++) {
		struct at a = {p->cr, x + 3, p->y + 1, 8 * 1.3};

		font(p->cr, 8, bold);
		color(p->cr, 0x1f2937);
		wrap(p->cr, cells[c], w[c] - 6, draw_line, &a);
		x += w[c];
	}
	color(p->cr, 0xe5e7eb);
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, p->y + h);
	cairo_line_to(p->cr, MARGIN + TEXT_W, p->y + h);
	cairo_stroke(p->cr);
	p->y += h;
}

static void
table(struct pdf *p, const struct doc_table *t)
{
	double *w = xcalloc(t->ncols, sizeof(*w)), hh;
	size_t r;

	widths(p->cr, t, w);
	hh = row_height(p->cr, t->head, t->ncols, w, 1);
	need(p, hh + 14);
	draw_row(p, t->head, t->ncols, w, 1, 0xf3f4f6, hh);
	for (r = 0; r < t->nrows; r++) {
		const char *const *cells = t->cell + r * t->ncols;
		double h = row_height(p->cr, cells, t->ncols, w, t->mark[r]);

		if (p->y + h > BOTTOM) {
			new_page(p);
			draw_row(p, t->head, t->ncols, w, 1, 0xf3f4f6, hh);
		}
		draw_row(p, cells, t->ncols, w, t->mark[r],
		    t->mark[r] ? 0xfff7ed : 0xffffff, h);
	}
	p->y += 8;
	free(w);
}

static void
chart(struct pdf *p, const struct chart *c)
{
	double s = TEXT_W / c->w, dash[] = {6, 4};
	cairo_t *cr = p->cr;
	size_t i, j;

	need(p, c->h * s + 20);
	para(p, c->title, 9.5, 1, 0x1f2937, MARGIN, TEXT_W);
	cairo_save(cr);
	cairo_translate(cr, MARGIN, p->y);
	cairo_scale(cr, s, s);
	for (i = 0; i < c->n; i++) {
		const struct chart_item *it = &c->it[i];

		color(cr, it->rgb);
		cairo_set_line_width(cr, it->size > 0 ? it->size : 1);
		cairo_set_dash(cr, dash, it->dashed ? 2 : 0, 0);
		switch (it->op) {
		case CH_LINE:
			cairo_move_to(cr, it->x, it->y);
			cairo_line_to(cr, it->x2, it->y2);
			cairo_stroke(cr);
			break;
		case CH_PATH:
			cairo_move_to(cr, it->pts[0], it->pts[1]);
			for (j = 1; j < it->npts; j++)
				cairo_line_to(cr, it->pts[2 * j],
				    it->pts[2 * j + 1]);
			cairo_stroke(cr);
			break;
		case CH_RECT:
			cairo_rectangle(cr, it->x, it->y, it->x2, it->y2);
			cairo_fill(cr);
			break;
		case CH_CIRCLE:
			cairo_new_sub_path(cr);
			cairo_arc(cr, it->x, it->y, it->x2, 0, 2 * M_PI);
			if (it->filled)
				cairo_fill(cr);
			else
				cairo_stroke(cr);
			break;
		case CH_TEXT: {
			double x = it->x, tw;

			font(cr, it->size, it->bold);
			tw = text_w(cr, it->text);
			if (it->anchor == CH_MIDDLE)
				x -= tw / 2;
			else if (it->anchor == CH_END)
				x -= tw;
			cairo_move_to(cr, x, it->y);
			cairo_show_text(cr, it->text);
			break;
		}
		}
	}
	cairo_restore(cr);
	p->y += c->h * s + 10;
}

static cairo_status_t
sink(void *arg, const unsigned char *data, unsigned int n)
{
	buf_add(arg, data, n);
	return CAIRO_STATUS_SUCCESS;
}

char *
render_pdf(const struct doc *d, size_t *len)
{
	cairo_surface_t *sf;
	struct pdf p = {NULL, MARGIN, 1};
	struct buf b;
	size_t i;
	int ok;

	buf_init(&b, 256u << 20);
	sf = cairo_pdf_surface_create_for_stream(sink, &b, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, d->title);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR,
	    "PARS hub");
	if (d->date != NULL) {
		cairo_pdf_surface_set_metadata(sf,
		    CAIRO_PDF_METADATA_CREATE_DATE, d->date);
		cairo_pdf_surface_set_metadata(sf,
		    CAIRO_PDF_METADATA_MOD_DATE, d->date);
	}
	p.cr = cairo_create(sf);
	para(&p, d->title, 17, 1, 0x1f2937, MARGIN, TEXT_W);
	p.y += 2;
	para(&p, d->subtitle, 9.5, 0, 0x4b5563, MARGIN, TEXT_W);
	p.y += 6;
	for (i = 0; i < d->n; i++) {
		const struct doc_block *k = &d->b[i];

		switch (k->kind) {
		case DOC_H2:
			/* A heading stays with what follows it: the whole
			 * chart, or the start of a table or text. */
			if (i + 1 < d->n && d->b[i + 1].kind == DOC_CHART)
				need(&p, 40 + d->b[i + 1].chart->h * TEXT_W /
				    d->b[i + 1].chart->w + 20);
			else
				need(&p, 150);
			p.y += 10;
			para(&p, k->text, 13, 1, 0x1f2937, MARGIN, TEXT_W);
			color(p.cr, 0xe5e7eb);
			cairo_set_line_width(p.cr, 1.5);
			cairo_move_to(p.cr, MARGIN, p.y + 2);
			cairo_line_to(p.cr, MARGIN + TEXT_W, p.y + 2);
			cairo_stroke(p.cr);
			p.y += 8;
			break;
		case DOC_P:
			para(&p, k->text, 10, 0, 0x1f2937, MARGIN, TEXT_W);
			p.y += 5;
			break;
		case DOC_NOTE:
			para(&p, k->text, 8.5, 0, 0x4b5563, MARGIN, TEXT_W);
			p.y += 5;
			break;
		case DOC_FLAG:
			flag(&p, k);
			break;
		case DOC_TABLE:
			table(&p, k->table);
			break;
		case DOC_CHART:
			chart(&p, k->chart);
			break;
		}
	}
	p.y += 10;
	para(&p, d->footer, 7.5, 0, 0x6b7280, MARGIN, TEXT_W);
	footer(&p);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(sf);
	ok = cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS && buf_ok(&b);
	cairo_surface_destroy(sf);
	if (!ok) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, len);
}

void
render_pdf_cleanup(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
