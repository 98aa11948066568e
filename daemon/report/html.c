/*
 * html.c - a report as one self-contained HTML file: inline CSS, charts
 * as inline SVG, no scripts, no external resources; readable on a phone
 * (the viewport scales, wide tables scroll sideways) and printable.
 */
#include "render.h"

#include <stdio.h>

#include "buf.h"
#include "chart.h"
#include "doc.h"

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#1f2937;"
    "margin:0 auto;max-width:60rem;padding:1rem;line-height:1.45;"
    "font-size:16px;background:#fff}"
    "h1{font-size:1.5rem;margin:.2rem 0}"
    "h2{font-size:1.2rem;margin:1.6rem 0 .4rem;padding-bottom:.2rem;"
    "border-bottom:2px solid #e5e7eb}"
    ".sub{color:#4b5563;margin:0 0 1rem}"
    ".note{color:#4b5563;font-size:.9rem}"
    ".flag{border-left:6px solid #d97706;background:#fffbeb;"
    "padding:.5rem .8rem;margin:.6rem 0}"
    ".flag.l2{border-color:#b91c1c;background:#fef2f2}"
    ".flag .do{margin:.3rem 0 0}"
    ".flag .do b{color:#065f46}"
    ".scroll{overflow-x:auto;margin:.5rem 0}"
    "table{border-collapse:collapse;font-size:.9rem;min-width:50%}"
    "th,td{border-bottom:1px solid #e5e7eb;padding:.3rem .5rem;"
    "text-align:left;vertical-align:top}"
    "th{background:#f3f4f6}"
    "tr.mark td{background:#fff7ed;font-weight:bold}"
    "figure{margin:1rem 0}"
    "figcaption{font-weight:bold;margin-bottom:.3rem}"
    "svg{width:100%;height:auto;max-width:40rem;display:block}"
    "footer{margin-top:2rem;color:#6b7280;font-size:.8rem}"
    "@media print{body{max-width:none;font-size:11pt}"
    ".scroll{overflow:visible}figure,table,.flag{break-inside:avoid}"
    "h2{break-after:avoid}}";

static void
esc(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *s);
		}
	}
}

static void
rgb(struct buf *b, unsigned c)
{
	buf_printf(b, "#%06x", c & 0xffffffu);
}

/* A line's or path's stroke attributes, closing the element. */
static void
stroke(struct buf *b, const struct chart_item *it)
{
	buf_printf(b, " stroke-width=\"%.1f\"%s stroke=\"", it->size,
	    it->dashed ? " stroke-dasharray=\"6 4\"" : "");
	rgb(b, it->rgb);
	buf_adds(b, "\"/>");
}

void
render_svg(struct buf *b, const struct chart *c)
{
	static const char *const anchor[] = {"start", "middle", "end"};
	size_t i, j;

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", c->w,
	    c->h);
	esc(b, c->desc);
	buf_adds(b, "\" font-family=\"DejaVu Sans,Verdana,Arial,sans-serif\">");
	buf_adds(b, "<title>");
	esc(b, c->desc);
	buf_adds(b, "</title>");
	for (i = 0; i < c->n; i++) {
		const struct chart_item *it = &c->it[i];

		switch (it->op) {
		case CH_LINE:
			buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
			    " y2=\"%.1f\"", it->x, it->y, it->x2, it->y2);
			stroke(b, it);
			break;
		case CH_PATH:
			buf_adds(b, "<polyline fill=\"none\" points=\"");
			for (j = 0; j < it->npts; j++)
				buf_printf(b, "%s%.1f,%.1f", j ? " " : "",
				    it->pts[2 * j], it->pts[2 * j + 1]);
			buf_addc(b, '"');
			stroke(b, it);
			break;
		case CH_RECT:
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"", it->x, it->y, it->x2,
			    it->y2);
			rgb(b, it->rgb);
			buf_adds(b, "\"/>");
			break;
		case CH_CIRCLE:
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\""
			    " %s=\"", it->x, it->y, it->x2,
			    it->filled ? "fill" : "fill=\"none\" stroke");
			rgb(b, it->rgb);
			buf_printf(b, "\" fill-opacity=\"%s\"/>",
			    it->rgb == CH_PEER ? "0.7" : "1");
			break;
		case CH_TEXT:
			buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
			    "font-size=\"%.0f\" text-anchor=\"%s\"%s fill=\"",
			    it->x, it->y, it->size, anchor[it->anchor],
			    it->bold ? " font-weight=\"bold\"" : "");
			rgb(b, it->rgb);
			buf_adds(b, "\">");
			esc(b, it->text);
			buf_adds(b, "</text>");
			break;
		}
	}
	buf_adds(b, "</svg>");
}

static void
table(struct buf *b, const struct doc_table *t)
{
	size_t r, c;

	buf_adds(b, "<div class=\"scroll\"><table><thead><tr>");
	for (c = 0; c < t->ncols; c++) {
		buf_adds(b, "<th scope=\"col\">");
		esc(b, t->head[c]);
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr></thead><tbody>\n");
	for (r = 0; r < t->nrows; r++) {
		buf_adds(b, t->mark[r] ? "<tr class=\"mark\">" : "<tr>");
		for (c = 0; c < t->ncols; c++) {
			buf_adds(b, "<td>");
			esc(b, t->cell[r * t->ncols + c]);
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody></table></div>\n");
}

char *
render_html(const struct doc *d, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b, 256u << 20);
	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en-GB\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
	    "<title>");
	esc(&b, d->title);
	buf_adds(&b, "</title><style>");
	buf_adds(&b, css);
	buf_adds(&b, "</style></head><body>\n<header><h1>");
	esc(&b, d->title);
	buf_adds(&b, "</h1><p class=\"sub\">");
	esc(&b, d->subtitle);
	buf_adds(&b, "</p></header>\n<main>\n");
	for (i = 0; i < d->n; i++) {
		const struct doc_block *k = &d->b[i];

		switch (k->kind) {
		case DOC_H2:
			buf_adds(&b, "<h2>");
			esc(&b, k->text);
			buf_adds(&b, "</h2>\n");
			break;
		case DOC_P:
		case DOC_NOTE:
			buf_adds(&b, k->kind == DOC_NOTE ? "<p class=\"note\">"
							 : "<p>");
			esc(&b, k->text);
			buf_adds(&b, "</p>\n");
			break;
		case DOC_FLAG:
			buf_printf(&b, "<div class=\"flag l%d\"><p>",
			    k->level);
			esc(&b, k->text);
			buf_adds(&b, "</p><p class=\"do\"><b>What you could "
			    "do:</b> ");
			esc(&b, k->action);
			buf_adds(&b, "</p></div>\n");
			break;
		case DOC_TABLE:
			table(&b, k->table);
			break;
		case DOC_CHART:
			buf_adds(&b, "<figure><figcaption>");
			esc(&b, k->chart->title);
			buf_adds(&b, "</figcaption>");
			render_svg(&b, k->chart);
			buf_adds(&b, "</figure>\n");
			break;
		}
	}
	buf_adds(&b, "</main>\n<footer>");
	esc(&b, d->footer);
	buf_adds(&b, "</footer>\n</body></html>\n");
	if (!buf_ok(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, len);
}
