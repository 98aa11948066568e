/*
 * referral_json.c - a canonical referral as JSON (see referral_json.h).
 */
#include "referral_json.h"

static void
pad(struct buf *b, int n)
{
	while (n-- > 0)
		buf_addc(b, ' ');
}

static void
key(struct buf *b, int indent, const char *k, int *first)
{
	buf_adds(b, *first ? "\n" : ",\n");
	*first = 0;
	pad(b, indent);
	buf_json_str(b, k);
	buf_adds(b, ": ");
}

static void
str_field(struct buf *b, int indent, const char *k, const char *v, int *first)
{
	key(b, indent, k, first);
	buf_json_str(b, v);
}

static void
codes(struct buf *b, int indent, const char *k, const struct ref_codes *c,
    int *first)
{
	size_t i;

	key(b, indent, k, first);
	if (c->n == 0) {
		buf_adds(b, "[]");
		return;
	}
	buf_adds(b, "[");
	for (i = 0; i < c->n; i++) {
		buf_adds(b, i ? ",\n" : "\n");
		pad(b, indent + 2);
		buf_adds(b, "{ \"system\": ");
		buf_json_str(b, code_system_name(c->v[i].system));
		buf_adds(b, ", \"code\": ");
		buf_json_str(b, c->v[i].code);
		buf_adds(b, ", \"text\": ");
		buf_json_str(b, c->v[i].text);
		buf_adds(b, " }");
	}
	buf_addc(b, '\n');
	pad(b, indent);
	buf_addc(b, ']');
}

void
referral_json(struct buf *b, const struct referral *r, const char *pseudonym,
    int indent)
{
	int first = 1, in = indent + 2, sfirst = 1;
	size_t i;

	pad(b, indent);
	buf_addc(b, '{');
	str_field(b, in, "format", r->format, &first);
	key(b, in, "position", &first);
	buf_printf(b, "%zu", r->position);
	str_field(b, in, "source_id", r->source_id, &first);
	str_field(b, in, "status", ref_status_name(r->status), &first);
	str_field(b, in, "practice_ods", r->practice_ods, &first);
	str_field(b, in, "referrer_code", r->referrer_code, &first);
	str_field(b, in, "referrer_name", r->referrer_name, &first);
	key(b, in, "nhs_number_valid", &first);
	buf_adds(b, r->nhs_number_valid ? "true" : "false");
	str_field(b, in, "patient_pseudonym", pseudonym, &first);
	key(b, in, "age_years", &first);
	if (r->age_years >= 0)
		buf_printf(b, "%d", r->age_years);
	else
		buf_adds(b, "null");
	str_field(b, in, "sex", ref_sex_name(r->sex), &first);
	str_field(b, in, "referral_date", r->referral_date, &first);
	str_field(b, in, "priority", ref_priority_name(r->priority), &first);
	key(b, in, "specialty", &first);
	buf_adds(b, "{");
	str_field(b, in + 2, "tfc", r->tfc, &sfirst);
	str_field(b, in + 2, "ers_specialty", r->ers_specialty, &sfirst);
	str_field(b, in + 2, "ers_clinic_type", r->ers_clinic_type, &sfirst);
	str_field(b, in + 2, "text", r->specialty_text, &sfirst);
	buf_addc(b, '\n');
	pad(b, in);
	buf_addc(b, '}');
	str_field(b, in, "provider_ods", r->provider_ods, &first);
	str_field(b, in, "consultant_code", r->consultant_code, &first);
	codes(b, in, "diagnoses", &r->diagnoses, &first);
	codes(b, in, "procedures", &r->procedures, &first);
	str_field(b, in, "reason_text", r->reason_text, &first);
	str_field(b, in, "medication_text", r->medication_text, &first);
	str_field(b, in, "results_text", r->results_text, &first);
	key(b, in, "warnings", &first);
	if (r->warnings.n == 0) {
		buf_adds(b, "[]");
	} else {
		buf_addc(b, '[');
		for (i = 0; i < r->warnings.n; i++) {
			buf_adds(b, i ? ",\n" : "\n");
			pad(b, in + 2);
			buf_json_str(b, r->warnings.v[i]);
		}
		buf_addc(b, '\n');
		pad(b, in);
		buf_addc(b, ']');
	}
	buf_addc(b, '\n');
	pad(b, indent);
	buf_addc(b, '}');
}
