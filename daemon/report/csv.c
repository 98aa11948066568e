/*
 * csv.c - every figure of a report as CSV (RFC 4180, UTF-8, CRLF): one
 * line per table cell, "table,row,label,column,value", where label is the
 * row's first cell; then the flags.  Nothing in it depends on when it was
 * made, so the same figures give the same bytes (the run compares hashes).
 */
#include "render.h"

#include <string.h>

#include "buf.h"
#include "doc.h"

static void
field(struct buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void
line(struct buf *b, const char *t, size_t row, const char *label,
    const char *col, const char *val)
{
	field(b, t);
	buf_printf(b, ",%zu,", row);
	field(b, label);
	buf_addc(b, ',');
	field(b, col);
	buf_addc(b, ',');
	field(b, val);
	buf_adds(b, "\r\n");
}

char *
render_csv(const struct doc *d, size_t *len)
{
	struct buf b;
	size_t i, r, c, nflag = 0;

	buf_init(&b, 256u << 20);
	buf_adds(&b, "table,row,label,column,value\r\n");
	line(&b, "report", 1, "title", "value", d->title);
	line(&b, "report", 2, "period", "value", d->subtitle);
	for (i = 0; i < d->n; i++) {
		const struct doc_table *t = d->b[i].table;

		if (d->b[i].kind == DOC_FLAG) {
			nflag++;
			line(&b, "flags", nflag, d->b[i].key, "level",
			    d->b[i].level == 2 ? "alert" : "worth a look");
			line(&b, "flags", nflag, d->b[i].key, "finding",
			    d->b[i].text);
			line(&b, "flags", nflag, d->b[i].key, "what you could do",
			    d->b[i].action);
		}
		if (d->b[i].kind != DOC_TABLE)
			continue;
		for (r = 0; r < t->nrows; r++)
			for (c = 1; c < t->ncols; c++)
				line(&b, t->id, r + 1, t->cell[r * t->ncols],
				    t->head[c], t->cell[r * t->ncols + c]);
	}
	if (!buf_ok(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, len);
}
