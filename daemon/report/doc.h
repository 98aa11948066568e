/*
 * doc.h - a report as a list of blocks (headings, paragraphs, flags,
 * tables, charts) that the HTML, PDF and CSV writers all draw from, so
 * that the three carry the same figures.
 *
 * Everything is allocated from the document's arena: doc_free() frees it.
 */
#ifndef PARS_DOC_H
#define PARS_DOC_H

#include <stddef.h>

struct arena;
struct chart;

enum doc_kind { DOC_H2, DOC_P, DOC_NOTE, DOC_FLAG, DOC_TABLE, DOC_CHART };

struct doc_table {
	const char *id; /* names the table in the CSV */
	size_t ncols, nrows, cap;
	const char **head;
	const char **cell; /* nrows * ncols */
	int *mark;	   /* per row: 1 = this practice / a total */
};

struct doc_block {
	enum doc_kind kind;
	const char *text;   /* H2, P, NOTE; FLAG: what the figures show */
	const char *action; /* FLAG: what the practice could do */
	const char *key;    /* FLAG: stable key, for "what is new" */
	int level;	    /* FLAG: 2 alert, 1 worth a look */
	struct doc_table *table;
	struct chart *chart;
};

struct doc {
	struct arena *a;
	const char *title, *subtitle, *footer;
	const char *date; /* the data's date, for the PDF's metadata */
	struct doc_block *b;
	size_t n, cap;
};

/* A new empty document (caller frees with doc_free). */
struct doc *doc_new(const char *title, const char *subtitle);
void doc_free(struct doc *d);

void doc_h2(struct doc *d, const char *text);
void doc_p(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void doc_note(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void doc_flag(struct doc *d, int level, const char *key, const char *text,
    const char *action);
/* A table with ncols columns named by head (copied). */
struct doc_table *doc_table(struct doc *d, const char *id, size_t ncols,
    const char *const *head);
/* Appends a row of the table's ncols strings (copied; NULL shows "-"). */
void doc_row(struct doc *d, struct doc_table *t, int mark, ...);
void doc_chart(struct doc *d, struct chart *c);
/* A copy of a formatted string in the document's arena. */
char *doc_printf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
