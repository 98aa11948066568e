/*
 * findings.h - pars.findings: writing findings a batch at a time inside
 * the caller's transaction, and marking a re-run's predecessors.
 */
#ifndef PARS_FINDINGS_H
#define PARS_FINDINGS_H

#include <stddef.h>

#include "assess.h"

struct db;

/*
 * Inserts the findings (source 'rule' when rule_id is set, else
 * 'assessor'), all current.  Returns 0 or -1 (db_error() says why).
 */
int findings_insert(struct db *db, const struct finding *v, size_t n);
/*
 * Marks the current rule findings of the referrals not current (a re-run
 * replaces them); assessors' findings are never touched.  Returns how
 * many were marked, or -1.
 */
long findings_supersede(struct db *db, const long long *referral_ids,
    size_t n);
/* The ids as one array parameter ({1,2,3}); caller frees. */
char *findings_ids_array(const long long *ids, size_t n);

#endif
