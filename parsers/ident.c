/*
 * ident.c - NHS identifiers (see ident.h).
 */
#include "ident.h"

#include <string.h>

#include "text.h"

int
nhs_number_normalise(const char *s, char out[11])
{
	size_t n = 0;

	if (s == NULL)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '-' || *s == '\t')
			continue;
		if (!is_ascii_digit(*s) || n == 10)
			return -1;
		out[n++] = *s;
	}
	out[n] = '\0';
	return n == 10 ? 0 : -1;
}

int
nhs_number_check(const char *d)
{
	int sum = 0, check, i;

	if (d == NULL)
		return 0;
	for (i = 0; i < 10; i++)
		if (!is_ascii_digit(d[i]))
			return 0;
	if (d[10] != '\0')
		return 0;
	for (i = 0; i < 9; i++)
		sum += (d[i] - '0') * (10 - i);
	check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10)
		return 0;
	return check == d[9] - '0';
}

/* 1 when s starts with n digits (so it does not end before them). */
static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_ascii_digit(s[i]))
			return 0;
	return 1;
}

int
ods_is_practice(const char *s)
{
	/* No strlen: each check stops at the NUL. */
	return s != NULL && is_ascii_upper(s[0]) && all_digits(s + 1, 5) &&
	    s[6] == '\0';
}

int
ods_is_org(const char *s)
{
	size_t n;

	if (s == NULL || !is_ascii_upper(s[0]))
		return 0;
	for (n = 1; n <= 6 && s[n] != '\0'; n++)
		if (!is_ascii_upper(s[n]) && !is_ascii_digit(s[n]))
			return 0;
	return n == 3 || n == 5 || n == 6;
}

int
gp_code_ok(const char *s)
{
	return s != NULL && s[0] == 'G' && all_digits(s + 1, 7) && s[8] == '\0';
}

int
consultant_code_ok(const char *s)
{
	return s != NULL && s[0] == 'C' && all_digits(s + 1, 7) && s[8] == '\0';
}
