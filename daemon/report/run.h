/*
 * run.h - a report run: one leader per database (advisory lock), the
 * figures for every practice in one pass, each practice's HTML, CSV and
 * PDF, delivery as configured with retries, and a record of it all in
 * pars.report_runs and pars.report_deliveries.  A re-run for the same
 * period finds the same figures and delivers nothing again.
 */
#ifndef PARS_RUN_H
#define PARS_RUN_H

#include <stddef.h>

#include "figures.h"

struct config;
struct db;

struct run_result {
	int skipped; /* another hub holds the lock */
	long long run_id;
	int reports, delivered, unchanged, held, failed;
	double secs_figures, secs_reports, secs_record; /* where the time went */
};

/*
 * Makes the reports for the period for the practices named (all members
 * when n_only is 0) and the locality summaries of their localities, and
 * delivers them.  Prints one line per report on stdout when verbose.
 * Returns 0 when every report was made and delivered (or unchanged or
 * held), 1 when some delivery failed (recorded, retried next run), -1 on
 * an error that stopped the run (err set).
 */
int report_run(const struct config *cfg, struct db *db,
    const struct fig_period *p, const char *const *only, size_t n_only,
    int verbose, struct run_result *res, char *err, size_t errlen);

/*
 * Delivers again every report whose last delivery failed, from the
 * files kept in the outbox (checked against their recorded SHA-256).
 * Returns the number still failing, or -1 with err set.
 */
int report_retry(const struct config *cfg, struct db *db, int verbose,
    char *err, size_t errlen);

/*
 * The periods a scheduled run makes on date today (YYYY-MM-DD): the
 * month to date (nightly); on reports.final_day the previous month's
 * final report; on that day of a quarter's first month the previous
 * quarter's summary.  Returns how many (at most 3) were filled in.
 */
int report_schedule(const struct config *cfg, const char *today,
    struct fig_period out[3]);

#endif
