/*
 * ident.h - NHS identifiers: NHS numbers, ODS codes, practitioner codes
 * (NHS-DATA.md, "Identifiers").  Pure functions, no allocation.
 */
#ifndef PARS_IDENT_H
#define PARS_IDENT_H

#include <stddef.h>

/*
 * Copies the digits of an NHS number written with or without spaces or
 * dashes ("943 476 5919") into out (11 bytes).  Returns 0, or -1 when s is
 * not ten digits once spaces and dashes are taken out.
 */
int nhs_number_normalise(const char *s, char out[11]);
/* 1 when the ten digits pass the modulus 11 check, else 0. */
int nhs_number_check(const char *digits);

/* GP practice: a letter and five digits (E82045, Y01234, W91026). */
int ods_is_practice(const char *s);
/* Organisation: 3 (trust) or 5 (site) alphanumerics, starting with a
 * letter; or a practice code. */
int ods_is_org(const char *s);
/* GP code: G and seven digits (accepts any second digit). */
int gp_code_ok(const char *s);
/* Consultant code: C and seven digits. */
int consultant_code_ok(const char *s);

#endif
