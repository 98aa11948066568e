/*
 * referral_json.h - the canonical referral as JSON, the stable interface
 * of `pars parse` (DESIGN.md lists the keys).  Never prints the NHS number
 * or the date of birth.
 */
#ifndef PARS_REFERRAL_JSON_H
#define PARS_REFERRAL_JSON_H

#include "buf.h"
#include "referral.h"

/*
 * Appends one referral as a JSON object, indented by indent spaces (keys
 * one deeper).  pseudonym is the hex HMAC of the NHS number, or NULL.
 */
void referral_json(struct buf *b, const struct referral *r,
    const char *pseudonym, int indent);

#endif
