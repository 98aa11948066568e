/*
 * codes.c - clinical code shapes (see codes.h).
 */
#include "codes.h"

#include <ctype.h>
#include <string.h>

int
code_icd10_ok(const char *s)
{
	size_t n, i;

	if (s == NULL || !isupper((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
		return 0;
	n = strlen(s);
	i = 3;
	if (i < n && s[i] == '.')
		i++;
	if (n - i > 4 || (s[i - 1] == '.' && i == n))
		return 0;
	for (; i < n; i++)
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
code_opcs4_ok(const char *s)
{
	size_t n;

	if (s == NULL || !isupper((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
		return 0;
	n = strlen(s);
	if (n == 3)
		return 1;
	if (n == 4)
		return isdigit((unsigned char)s[3]);
	return n == 5 && s[3] == '.' && isdigit((unsigned char)s[4]);
}

int
code_snomed_ok(const char *s)
{
	size_t n, i;

	if (s == NULL || s[0] == '0')
		return 0;
	n = strlen(s);
	if (n < 6 || n > 18)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

enum code_system
code_system_from_name(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum code_system cs;
	} names[] = {
	    {"icd10", CS_ICD10},
	    {"icd", CS_ICD10},
	    {"i10", CS_ICD10},
	    {"icd10uk", CS_ICD10},
	    {"icd105thedition", CS_ICD10},
	    {"snomedct", CS_SNOMED},
	    {"snomed", CS_SNOMED},
	    {"sct", CS_SNOMED},
	    {"snomedctuk", CS_SNOMED},
	    {"opcs4", CS_OPCS4},
	    {"opcs", CS_OPCS4},
	    {"opcs410", CS_OPCS4},
	};
	char w[24];
	size_t i, k = 0;

	/* Letters and digits only, lower case: "SNOMED-CT" is "snomedct". */
	for (i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c)) {
			if (k == sizeof(w) - 1)
				return CS_OTHER;
			w[k++] = (char)tolower(c);
		} else if (c != ' ' && c != '-' && c != '_' && c != '.') {
			return CS_OTHER;
		}
	}
	w[k] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(w, names[i].name) == 0)
			return names[i].cs;
	return CS_OTHER;
}
