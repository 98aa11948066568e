/*
 * dates.h - calendar dates as people and systems write them.
 * Pure functions; the canonical form is "YYYY-MM-DD".
 */
#ifndef PARS_DATES_H
#define PARS_DATES_H

/*
 * Reads a date written as ISO (2024-03-05, with or without a time after
 * it), HL7 TS (20240305, 202403051230+0000), dd/mm/yyyy, dd-mm-yyyy,
 * dd.mm.yyyy, or "5 March 2024" / "5th Mar 2024" (any case).  Writes
 * "YYYY-MM-DD" into out.  Returns 0, or -1 when s is not a real date in one
 * of those forms (two-digit years are refused: 05/03/24 is ambiguous for a
 * date of birth).
 */
int date_parse(const char *s, char out[11]);
/* The same for a date that must start the string but may have more after
 * it (HL7 TS with a time, FHIR dateTime); kept separate for clarity. */
int date_parse_prefix(const char *s, char out[11]);
/* Writes "YYYY-MM-DD" for a real calendar date; 0, or -1 when y-m-d is
 * not one (1850..2200). */
int date_make(int y, int m, int d, char out[11]);
/* Days in month m (1-12) of year y. */
int date_month_days(int y, int m);
/* 1 when y-m-d is a real calendar date (1850..2200). */
int date_valid(int y, int m, int d);
/* Whole years from dob to at (both YYYY-MM-DD); -1 when either is NULL,
 * malformed, or at is before dob. */
int date_age(const char *dob, const char *at);
#define DATE_NONE (-1000000L)
/* Days since 1970-01-01 for YYYY-MM-DD, or DATE_NONE. */
long date_days(const char *ymd);

#endif
