/*
 * coderef_int.h - the inside of a coding snapshot, for coderef.c (which
 * builds it) and coding.c (which reads it).  Not for other modules: they
 * use coding.h.
 */
#ifndef PARS_CODEREF_INT_H
#define PARS_CODEREF_INT_H

#include <stdatomic.h>

#include "coderef.h"
#include "refmap.h"

struct arena;

/* A practice or provider: dates as days since 1970 (DATE_NONE unknown). */
struct cr_org {
	long open, close;
	const char *open_s, *close_s; /* YYYY-MM-DD or NULL */
	char status; /* ODS status, '\0' unknown */
};

struct cr_gp {
	const char *code, *practice;
	const char *surname, *initials; /* from "SURNAME INITIALS" */
	long left;			/* left the practice; DATE_NONE */
	struct cr_gp *next;		/* the next GP at the practice */
};

struct cr_consultant {
	const char *main_specialty; /* or NULL */
	const char *trust;
	struct cr_consultant *next; /* the same code at another trust */
};

struct cr_price {
	long long wf01a, wf01b, wf02a, wf02b; /* pence; -1 not priced */
};

struct cr_alt {
	const char *code, *name, *tfc, *replaces;
	long long price_pence;
};

struct cr_phrase {
	const char *phrase, *tfc;
};

struct cr_phrases {
	struct cr_phrase *v;
	size_t n, cap;
};

struct coding_ref {
	long long version;
	atomic_int refs;
	struct arena *arena;
	size_t rows;
	struct refmap practices;  /* code -> cr_org */
	struct refmap gps;	  /* "G code|practice" -> cr_gp */
	struct refmap gps_at;	  /* practice -> first cr_gp there */
	struct refmap gps_code;	  /* G code -> a cr_gp with it */
	struct refmap consultants; /* code -> cr_consultant list */
	struct refmap trusts;	  /* code -> cr_org */
	struct refmap tfc;	  /* code -> title, in-use codes only */
	struct refmap tfc_retired; /* code -> title, retired codes */
	struct refmap main_specs; /* code -> title */
	struct refmap clinic_types; /* code -> e-RS specialty */
	struct refmap clinic_tfc; /* clinic type -> tfc */
	struct refmap ers_spec_tfc; /* e-RS specialty -> tfc */
	struct refmap main_spec_tfc; /* main specialty -> tfc */
	struct refmap synonyms;	  /* normalised phrase -> tfc */
	struct refmap titles;	  /* normalised TFC title -> tfc */
	struct cr_phrases syn_list, title_list; /* for phrases inside text */
	struct refmap op_prices;  /* "2024/25|110" -> cr_price */
	struct refmap proc_hrg;	  /* OPCS-4 prefix -> hrg */
	struct refmap hrg_prices; /* "2024/25|HRG" -> long long pence */
	struct refmap alt;	  /* code -> cr_alt */
};

#endif
