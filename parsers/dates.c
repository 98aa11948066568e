/*
 * dates.c - calendar dates (see dates.h).
 */
#include "dates.h"

#include <ctype.h>
#include <string.h>

#include "text.h"

static const char *const month_names[12] = {"january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october",
    "november", "december"};

int
date_month_days(int y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

int
date_valid(int y, int m, int d)
{
	if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= 28 || d <= date_month_days(y, m);
}

/* Reads exactly n digits at *p; returns the value or -1. */
static int
digits(const char **p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_ascii_digit((*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/* Reads 1 or 2 digits. */
static int
small_number(const char **p)
{
	int v;

	if (!is_ascii_digit(**p))
		return -1;
	v = **p - '0';
	(*p)++;
	if (is_ascii_digit(**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

static int
month_word(const char **p)
{
	char w[16];
	size_t n = 0;
	int i;

	while (isalpha((unsigned char)(*p)[n]) && n < sizeof(w) - 1) {
		w[n] = (char)tolower((unsigned char)(*p)[n]);
		n++;
	}
	w[n] = '\0';
	if (n < 3)
		return -1;
	for (i = 0; i < 12; i++)
		if (strncmp(month_names[i], w, n) == 0 &&
		    (n == 3 || n == strlen(month_names[i]) ||
			(i == 8 && n == 4))) { /* "Sept" */
			*p += n;
			return i + 1;
		}
	return -1;
}

int
date_make(int y, int m, int d, char out[11])
{
	if (!date_valid(y, m, d))
		return -1;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

/* Parses a date at the start of s; *end is set past it. */
static int
parse_at(const char *s, char out[11], const char **end)
{
	const char *p = s;
	int y, m, d;

	while (*p == ' ' || *p == '\t')
		p++;
	if (is_ascii_digit(p[0]) && is_ascii_digit(p[1]) &&
	    is_ascii_digit(p[2]) && is_ascii_digit(p[3])) {
		/* ISO YYYY-MM-DD or HL7 TS YYYYMMDD...: the digits as they
		 * are, once the date is known to be valid */
		const char *ys = p, *ms, *ds;

		y = digits(&p, 4);
		p += *p == '-';
		ms = p;
		if ((m = digits(&p, 2)) < 0 || (ys[4] == '-' && *p++ != '-'))
			return -1;
		ds = p;
		if ((d = digits(&p, 2)) < 0 || !date_valid(y, m, d))
			return -1;
		*end = p;
		memcpy(out, ys, 4);
		out[4] = '-';
		memcpy(out + 5, ms, 2);
		out[7] = '-';
		memcpy(out + 8, ds, 2);
		out[10] = '\0';
		return 0;
	}
	if ((d = small_number(&p)) < 0)
		return -1;
	if (*p == '/' || *p == '-' || *p == '.') {
		char sep = *p++;

		if ((m = small_number(&p)) < 0 || *p++ != sep)
			return -1;
		if ((y = digits(&p, 4)) < 0)
			return -1;
		*end = p;
		return date_make(y, m, d, out);
	}
	/* "5th March 2024", "05 Mar 2024", "5-Mar-2024" */
	if (strncasecmp_ascii(p, "st", 2) == 0 ||
	    strncasecmp_ascii(p, "nd", 2) == 0 ||
	    strncasecmp_ascii(p, "rd", 2) == 0 ||
	    strncasecmp_ascii(p, "th", 2) == 0)
		p += 2;
	while (*p == ' ' || *p == '-')
		p++;
	if ((m = month_word(&p)) < 0)
		return -1;
	if (*p == '.')
		p++;
	while (*p == ' ' || *p == '-' || *p == ',')
		p++;
	if ((y = digits(&p, 4)) < 0)
		return -1;
	*end = p;
	return date_make(y, m, d, out);
}

int
date_parse_prefix(const char *s, char out[11])
{
	const char *end;

	if (s == NULL)
		return -1;
	return parse_at(s, out, &end);
}

int
date_parse(const char *s, char out[11])
{
	const char *end;
	char tmp[11];

	if (s == NULL || parse_at(s, tmp, &end) < 0)
		return -1;
	/* Allow a time or zone after the date, nothing else that looks like
	 * more of a date. */
	if (*end != '\0' && *end != 'T' && *end != ' ' && *end != '+' &&
	    *end != '-' && !is_ascii_digit(*end))
		return -1;
	memcpy(out, tmp, 11);
	return 0;
}

/* Reads an ISO date "YYYY-MM-DD" and nothing more; returns 0 or -1. */
static int
iso_date(const char *s, int *y, int *m, int *d)
{
	const char *p = s;

	if (s == NULL || (*y = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (*m = digits(&p, 2)) < 0 || *p++ != '-' ||
	    (*d = digits(&p, 2)) < 0 || *p != '\0' || !date_valid(*y, *m, *d))
		return -1;
	return 0;
}

int
date_age(const char *dob, const char *at)
{
	int y1, m1, d1, y2, m2, d2, age;

	if (iso_date(dob, &y1, &m1, &d1) < 0 || iso_date(at, &y2, &m2, &d2) < 0)
		return -1;
	age = y2 - y1;
	if (m2 < m1 || (m2 == m1 && d2 < d1))
		age--;
	return age < 0 ? -1 : age;
}

long
date_days(const char *ymd)
{
	int y, m, d;
	long era, yoe, doy, doe;

	if (iso_date(ymd, &y, &m, &d) < 0)
		return DATE_NONE;
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}
