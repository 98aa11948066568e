/*
 * figures.h - every figure of a report run, for every practice of the
 * localities in scope, loaded in one pass: a handful of aggregate queries
 * over the whole database (not one per practice per figure), then the
 * statistics in C.
 *
 * Everything hangs off one arena freed by figures_free().
 */
#ifndef PARS_FIGURES_H
#define PARS_FIGURES_H

#include <stddef.h>

#include "stats.h"

struct arena;
struct db;

#define FIG_MONTHS 12

struct fig_period {
	char from[11], to[11]; /* inclusive, YYYY-MM-DD */
	char label[32];	       /* 2025-01, 2025-Q1, 2025-01-01..2025-01-15 */
	char kind[12];	       /* nightly, monthly, quarterly, adhoc */
	char months[FIG_MONTHS][8]; /* the trend's months, oldest first */
	char tariff_year[8];	    /* of the period's start: 2024/25 */
};

struct fig_opts {
	int min_count;	     /* counts under this are suppressed (5) */
	double min_expected; /* no outlier flag below this expected count */
	double winsor;	     /* fraction Winsorised at each end (0.1) */
	int min_units;	     /* practices needed to judge overdispersion */
	const char *contract_pod; /* shadow contract lines counted ("": all) */
};

struct fig_tfc {
	const char *tfc, *title; /* tfc "" when the referral is not coded */
	long long n, cost, priced;
	double rate;	    /* per 1,000 weighted patients; NAN: no list */
	double peer_median; /* other practices' rates; NAN: no peers */
	double lim[4];	    /* funnel limits per 1,000 (stats.h order) */
	int judged;	    /* expected count big enough to flag */
	int position;	    /* stats_funnel_position when judged */
	int overdispersed;  /* limits widened for this specialty */
};

struct fig_cost {
	const char *provider, *tfc, *title;
	long long n, cost;
	double share_activity, share_value; /* the practice's share of the
					       shadow contract; NAN: none */
};

struct fig_pun {
	const char *source_id, *date, *tfc, *title, *alt_code, *alt_name;
	long long saving; /* pence; -1 unknown */
};

struct fig_den_theme {
	const char *theme, *title;
	long long n;
};

struct fig_den_clin {
	const char *code, *name;
	long long n;
};

struct fig_doc {
	long long id;
	const char *received, *reason;
};

struct fig_locality;

struct fig_practice {
	const char *code, *name, *locality, *email;
	struct fig_locality *loc;
	int selected; /* a report is wanted for it */
	double weighted, raw; /* 0: no list size */
	long long n, cost, priced, uncoded;
	double rate;		   /* NAN without a list size */
	int rank, ranked;	   /* 1 = highest rate of `ranked` */
	struct stats_summary peers; /* other practices' rates */
	double lim[4];
	int judged, position;
	long long trend[FIG_MONTHS];
	double trend_rate[FIG_MONTHS];
	struct fig_tfc *tfc;
	size_t ntfc;
	struct fig_cost *costs; /* by provider and TFC */
	size_t ncosts;
	struct fig_pun *puns;
	size_t npuns;
	long long saving_total;
	struct fig_den_theme *den_themes; /* by theme, then title */
	size_t nden_themes;
	struct fig_den_clin *den_clins; /* the practice's own clinicians */
	size_t nden_clins;
	long long dens, dens_other_clinicians;
	long long docs_received, docs_stored, docs_quarantined, docs_waiting,
	    refs_stored;
	struct fig_doc *quarantined;
	size_t nquarantined;
};

struct fig_locality {
	const char *name;
	struct fig_practice **members;
	size_t n;
	struct stats_funnel funnel;
	int have_funnel;
	double trend_median[FIG_MONTHS]; /* median rate per month */
	struct stats_summary rates;	  /* all members' rates */
};

struct fig_set {
	struct arena *arena;
	struct fig_period period;
	struct fig_opts opts;
	struct fig_practice *practices; /* by locality, then code */
	size_t n;
	struct fig_locality *localities;
	size_t nloc;
};

/*
 * Fills a period: "YYYY-MM" (a month; kind monthly), "YYYY-Qn" (a
 * quarter), or from/to dates (kind adhoc).  Returns 0, or -1 with err set.
 */
int figures_period_month(struct fig_period *p, const char *ym,
    const char *kind, char *err, size_t errlen);
int figures_period_quarter(struct fig_period *p, const char *yq, char *err,
    size_t errlen);
int figures_period_range(struct fig_period *p, const char *from,
    const char *to, char *err, size_t errlen);

void figures_opts_default(struct fig_opts *o);

/*
 * Loads the figures of every member practice in the localities of the
 * practices named (all localities when n_only is 0); the named ones are
 * marked selected.  Returns the set (caller frees with figures_free), or
 * NULL with err set (a database error or an unknown practice).
 */
struct fig_set *figures_load(struct db *db, const struct fig_period *p,
    const struct fig_opts *o, const char *const *only, size_t n_only,
    char *err, size_t errlen);
void figures_free(struct fig_set *s);

#endif
