/*
 * compose.h - the figures (figures.h) written up as report documents
 * (doc.h): a practice's own report, where the other practices of its
 * locality appear only as anonymous peers, and the locality summary for
 * the hub's staff, where every practice is named.
 */
#ifndef PARS_COMPOSE_H
#define PARS_COMPOSE_H

#include "figures.h"

struct doc;

/*
 * The report for practice p of set s.  Small counts are suppressed,
 * every flag says what the practice could do.  Returns the document
 * (caller frees with doc_free); *summary gets a malloc'ed JSON object of
 * the headline figures and the keys of the flags, PUNs and quarantined
 * documents (caller frees), used to say what changed between runs.
 */
struct doc *compose_practice(const struct fig_set *s,
    const struct fig_practice *p, char **summary);
/* The locality summary for the hub's staff (every practice named). */
struct doc *compose_locality(const struct fig_set *s,
    const struct fig_locality *l, char **summary);

/*
 * What changed between two summaries (JSON from compose_*): a short
 * sentence, e.g. "referrals 120 -> 125; new: 2 PUNs, flag rate_high".
 * *is_new is set when a flag, PUN or quarantined document is new.
 * Returns a malloc'ed string (caller frees); prev may be NULL (first).
 */
char *compose_changes(const char *prev, const char *cur, int *is_new);

/* Pence as pounds with thousands separators ("£1,234"); out >= 32. */
void compose_money(char *out, size_t n, long long pence);

#endif
