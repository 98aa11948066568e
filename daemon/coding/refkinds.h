/*
 * refkinds.h - the kinds of reference data file the hub loads (parsing
 * one is refparse.h).  No database, no I/O.
 *
 * Each kind is a table of fields: where the value comes from (a position
 * in an ODS row, a header name in a CSV file, a field of a FHIR code
 * system concept), its type (checked and normalised: dates to
 * YYYY-MM-DD, pounds to pence, OPCS-4 codes without the dot), and the
 * column of the ref.* table it goes to.  The key columns come first.
 */
#ifndef PARS_REFKINDS_H
#define PARS_REFKINDS_H

#include <stddef.h>

struct arena;

enum ref_type {
	RT_TEXT,	/* trimmed text */
	RT_PRACTICE,	/* ODS practice code */
	RT_PARENT,	/* a GP's practice: a letter, 5 letters or digits */
	RT_ORG,		/* ODS organisation code */
	RT_GP,		/* G + 7 digits */
	RT_CONSULTANT,	/* C + 7 digits */
	RT_GMC,		/* 7 digits */
	RT_CODE3,	/* 3 digits: TFC, main specialty */
	RT_ERSCODE,	/* e-RS code: A-Z, 0-9, _ */
	RT_SERVICE,	/* local code: A-Z, 0-9, _ and - */
	RT_DATE8,	/* CCYYMMDD (ODS) */
	RT_DATE,	/* a date as dates.h reads it */
	RT_DATETIME,	/* FHIR dateTime (the date part is kept) */
	RT_STATUS,	/* ODS status: A C D P */
	RT_INT,		/* whole number >= 0 */
	RT_NUM,		/* number >= 0, up to 2 decimals */
	RT_PENCE,	/* pounds (£1,234.56) to pence; - or n/a: none */
	RT_YEAR,	/* tariff year 2024/25 (2024-25, 2024/2025) */
	RT_OPCS,	/* OPCS-4 code or category, dot dropped */
	RT_HRG,		/* HRG: two letters, two digits, a letter */
	RT_POD,		/* point of delivery: 2-12 capitals */
	RT_PHRASE,	/* free-text phrase, normalised (see ref_phrase) */
	RT_REPLACES,	/* first_attendance | procedure | diagnostic */
};

#define REF_POS_YEAR (-1)     /* the load's year option */
#define REF_POS_COMPUTED (-2) /* set by the kind's check function */

enum { REF_REQ_VALUE = 1, REF_REQ_HEADER = 2 };

struct ref_field {
	const char *col;    /* column of the ref.* table */
	int pos;	    /* 1-based field of a headerless record */
	const char *header; /* CSV header names, "|"-separated; "~word":
			       a header containing the word */
	enum ref_type type;
	int required;	    /* REF_REQ_* */
};

enum ref_reader {
	RR_ODS,		     /* quoted, no header, a fixed number of fields */
	RR_CSV,		     /* the first record is the header */
	RR_CSV_FIND_HEADER,  /* title rows, then a header (Annex A sheets) */
	RR_XML_CODESYSTEM,   /* FHIR CodeSystem XML: code, display */
	RR_JSON_CODESYSTEM,  /* e-RS CodeSystem JSON: code, display,
				specialty, effectiveTo */
};

struct ref_kind {
	const char *name;
	const char *table;
	const char *about;	   /* the layout, in a line */
	const char *file_prefixes; /* documented file names, "|"-separated */
	const char *ext;	   /* file extension of that form */
	enum ref_reader reader;
	int nfields;		   /* RR_ODS: fields a row has */
	int nkeys;
	const struct ref_field *fields; /* keys first; ends at col NULL */
	int needs_year;
	/* Checks a row as a whole and fills computed fields; returns a
	 * reason to reject it, or NULL. */
	const char *(*check)(struct arena *a, const char **vals);
};

/* Every kind, in a sensible loading order; *n is how many. */
const struct ref_kind *ref_kinds(size_t *n);
const struct ref_kind *ref_kind_find(const char *name);
/*
 * The kind a file's documented name says (base name, case-blind prefix,
 * then extension), or NULL.  Writes the year a price file's name carries
 * (op-prices-2024-25.csv) into year, else "".
 */
const struct ref_kind *ref_kind_infer(const char *base, char year[8]);

/* Reads a tariff year written 2024/25, 2024-25 or 2024/2025 into
 * "2024/25"; 0 or -1. */
int ref_year_parse(const char *s, char out[8]);
/*
 * Normalises a specialty phrase the way ref.specialty_synonyms holds it:
 * ASCII lower case, "&" and "+" as " and ", any other run of
 * non-alphanumerics as one space, trimmed ("T&O" -> "t and o").
 * Truncates to outlen - 1 bytes; returns out.
 */
char *ref_phrase(const char *in, char *out, size_t outlen);

#endif
