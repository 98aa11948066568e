/*
 * refcodesys.h - reading FHIR CodeSystem resources as records for the
 * reference loaders: the UK Core main specialty list (XML, through
 * xmlsafe) and the e-Referral Service code systems (JSON).  Pure.
 */
#ifndef PARS_REFCODESYS_H
#define PARS_REFCODESYS_H

#include <stddef.h>

#include "refcsv.h"

struct arena;

/*
 * XML: one record per concept, fields code and display; row is the
 * concept element's line.  Returns 0 with *recs (arena) and *n, or -1
 * with err set when buf is not a FHIR CodeSystem.
 */
int refcodesys_xml(const unsigned char *buf, size_t len, struct arena *a,
    struct refcsv_rec **recs, size_t *n, char *err, size_t errlen);
/*
 * JSON: one record per concept, fields code, display, the specialty
 * property's code (e-RS clinic types) and the effectiveTo date (property
 * or extension); row is the concept's number (1-based).  Returns as
 * refcodesys_xml.
 */
int refcodesys_json(const unsigned char *buf, size_t len, struct arena *a,
    struct refcsv_rec **recs, size_t *n, char *err, size_t errlen);

#endif
