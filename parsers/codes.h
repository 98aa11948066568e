/*
 * codes.h - the shapes of clinical codes as people and exports write them
 * (ICD-10, OPCS-4, SNOMED CT), and code-system names in words.  Used by
 * the text formats (CSV batches, structured letters) and CDA to decide
 * whether a string is a code before it goes into the canonical referral.
 * Pure functions, no allocation.
 */
#ifndef PARS_CODES_H
#define PARS_CODES_H

#include <stddef.h>

#include "referral.h"

/*
 * ICD-10: a letter, two digits, then optionally '.' and up to four more
 * letters or digits: G56.0, M17.1, L82, G560, M1711, S72.0X.  Upper case
 * only (callers upper-case first).
 */
int code_icd10_ok(const char *s);
/* OPCS-4: a letter, two digits, optionally '.', and one digit: W37.1,
 * E36, E363. */
int code_opcs4_ok(const char *s);
/* SNOMED CT concept id: 6 to 18 digits, not starting with 0. */
int code_snomed_ok(const char *s);

/*
 * The code system a sender names in words: "ICD-10", "ICD10", "I10",
 * "SNOMED CT", "SNOMED", "SCT", "OPCS-4", "OPCS", ... (any case, spaces,
 * dashes).  CS_OTHER when not recognised.
 */
enum code_system code_system_from_name(const char *s, size_t n);

#endif
