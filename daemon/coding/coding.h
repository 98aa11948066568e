/*
 * coding.h - coding a referral (DESIGN.md, "Coding"): practice, referrer,
 * consultant and provider checked against the reference data; the
 * treatment function code (TFC) from the best evidence; the HRG and the
 * price at tariff for the tariff year of the referral date.
 *
 * Evidence, best first (tfc_evidence):
 *   explicit         a TFC sent that is in ref.tfc and in use
 *   ers_clinic_type  the e-RS clinic type: ref.ers_clinic_type_tfc, else
 *                    its parent specialty (ref.ers_clinic_types) mapped
 *                    by ref.ers_specialty_tfc
 *   ers_specialty    the e-RS specialty: ref.ers_specialty_tfc
 *   main_specialty   a main specialty code sent where a TFC was expected
 *                    (or as the specialty text): ref.main_specialty_tfc
 *   consultant       the consultant's main specialty (ref.consultants)
 *                    mapped by ref.main_specialty_tfc
 *   synonym          the specialty text: ref.specialty_synonyms (the
 *                    whole text, else the longest phrase in it), then
 *                    the TFC titles
 *
 * Price: the procedure HRG of the first requested OPCS-4 procedure that
 * ref.procedure_hrg lists (longest prefix), priced by ref.hrg_prices;
 * else the first outpatient attendance at the TFC, WF01B (single
 * professional), or WF02B where the TFC has only a multi-professional
 * price.  Tariff years run 1 April to 31 March.
 *
 * For other stages (the rules, issue 6), the price lookups are exported
 * below; take a snapshot with coding_cache_get() (coderef.h) and release
 * it when done.  No function here touches the database.
 */
#ifndef PARS_CODING_H
#define PARS_CODING_H

#include <stddef.h>

#include "coderef.h"
#include "referrals.h"

struct db;
struct hub;

/* What a referral says that coding looks at (borrowed strings; NULL
 * where it does not say). */
struct coding_in {
	const char *practice, *referrer_code, *referrer_name;
	const char *date; /* YYYY-MM-DD */
	const char *tfc, *ers_specialty, *ers_clinic_type, *specialty_text;
	const char *provider, *consultant;
	const char *const *opcs4; /* requested OPCS-4 procedures */
	size_t nopcs4;
};

/*
 * Codes one referral against the snapshot into *out (every field set).
 * Never fails: what cannot be coded is said in out->warnings, one
 * "reason: detail" a line (details name codes, never patient data or
 * the text the practice wrote), and out->status is "coded" (TFC, price,
 * practice, referrer and provider all known), "partial" (a TFC, but
 * something else missing) or "uncoded" (no TFC).
 */
void coding_code(const struct coding_ref *ref, const struct coding_in *in,
    struct stored_coding *out);

struct referral;
/* coding_code for a canonical referral counted against practice. */
void coding_code_referral(const struct coding_ref *ref,
    const struct referral *r, const char *practice, struct stored_coding *out);

/* The tariff year of a YYYY-MM-DD date ("2024/25" for 2025-03-31,
 * "2025/26" for 2025-04-01) into out; 0, or -1 for a bad date. */
int coding_tariff_year(const char *date, char out[8]);

/*
 * The price in pence of a first outpatient attendance at TFC tfc in the
 * tariff year of date (WF01B, else WF02B), or -1 when not priced.  When
 * hrg is not NULL it is set to "WF01B" or "WF02B" (static).
 */
long long coding_first_attendance_price(const struct coding_ref *ref,
    const char *tfc, const char *date, const char **hrg);

/* A local alternative service (ref.alternative_services); strings owned
 * by the snapshot. */
struct coding_alt_service {
	const char *code, *name;
	const char *tfc;      /* the specialty it stands in for, or NULL */
	const char *replaces; /* first_attendance | procedure | diagnostic */
	long long price_pence;
};
/* Fills *out for the service called code; 0, or -1 when there is none. */
int coding_alt_service(const struct coding_ref *ref, const char *code,
    struct coding_alt_service *out);
/* Its price in pence, or -1 when there is no such service. */
long long coding_alt_service_price(const struct coding_ref *ref,
    const char *code);

/*
 * The processing step (process.c, store_batch): codes every referral of
 * the batch into refs[i].coding with the snapshot ref (the caller's, from
 * coding_cache_get).  Does nothing when coding.enabled is false.
 */
void coding_apply(const struct hub *hub, const struct coding_ref *ref,
    struct stored_ref *refs, size_t n);

/*
 * pars recode: codes stored referrals again with snapshot ref (after new
 * reference data), batch referrals at a time, each batch a transaction.
 * since (YYYY-MM-DD, or NULL for all) limits it to referrals dated from
 * then.  Adds to *seen and *changed (rows whose coding changed).
 * Returns 0, or -1 with db_error() set (batches already done stay).
 */
int coding_recode(struct db *db, const struct coding_ref *ref,
    const char *since, int batch, long *seen, long *changed);

#endif
