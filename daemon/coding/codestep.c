/*
 * codestep.c - the coding step of processing (see coding_apply in
 * coding.h): runs between parsing and storing, in the batch's
 * transaction, against the process-wide reference snapshot.
 */
#include "coding.h"

#include "config.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "referral.h"

#define MAX_PROCEDURES 16

void
coding_code_referral(const struct coding_ref *ref, const struct referral *r,
    const char *practice, struct stored_coding *out)
{
	const char *opcs4[MAX_PROCEDURES];
	struct coding_in in = {
	    .practice = practice,
	    .referrer_code = r->referrer_code,
	    .referrer_name = r->referrer_name,
	    .date = r->referral_date,
	    .tfc = r->tfc,
	    .ers_specialty = r->ers_specialty,
	    .ers_clinic_type = r->ers_clinic_type,
	    .specialty_text = r->specialty_text,
	    .provider = r->provider_ods,
	    .consultant = r->consultant_code,
	    .opcs4 = opcs4,
	};
	size_t j;

	for (j = 0; j < r->procedures.n && in.nopcs4 < MAX_PROCEDURES; j++)
		if (r->procedures.v[j].system == CS_OPCS4)
			opcs4[in.nopcs4++] = r->procedures.v[j].code;
	coding_code(ref, &in, out);
}

void
coding_apply(const struct hub *hub, const struct coding_ref *ref,
    struct stored_ref *refs, size_t n)
{
	size_t i;

	if (!hub->cfg->coding.enabled)
		return;
	for (i = 0; i < n; i++)
		coding_code_referral(ref, refs[i].r, refs[i].practice_ods,
		    &refs[i].coding);
}
