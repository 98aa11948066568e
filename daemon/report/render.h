/*
 * render.h - a report document (doc.h) written out as HTML (html.c), CSV
 * (csv.c) and PDF drawn with cairo (pdf.c).  Each returns a malloc'ed
 * buffer (caller frees) and its length, or NULL when the output would
 * pass its cap (256 MiB) or cairo fails.
 */
#ifndef PARS_RENDER_H
#define PARS_RENDER_H

#include <stddef.h>

struct buf;
struct chart;
struct doc;

char *render_html(const struct doc *d, size_t *len);
char *render_csv(const struct doc *d, size_t *len);
char *render_pdf(const struct doc *d, size_t *len);
/* Frees cairo's and fontconfig's caches once no drawing is under way
 * (at the end of a run), so that leak checkers see nothing left. */
void render_pdf_cleanup(void);
/* A chart as an inline <svg> element, appended to b. */
void render_svg(struct buf *b, const struct chart *c);

#endif
