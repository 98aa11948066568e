/*
 * test_report_stats.c - the report statistics against figures worked out
 * another way: published tables (Garwood's exact Poisson limits, normal
 * and chi-square quantiles), Poisson probabilities summed term by term,
 * and a funnel fitted by hand (Python's math module, the formulas of
 * Spiegelhalter 2005 written out separately).
 */
#include <math.h>
#include <stdio.h>

#include "stats.h"
#include "t.h"

#define CLOSE(got, want, tol) CHECK(fabs((got) - (want)) <= (tol))

/* P(X <= x) for X ~ Poisson(mu), by summing the terms. */
static double
poisson_cdf(int x, double mu)
{
	double term = exp(-mu), sum = term;
	int k;

	for (k = 1; k <= x; k++) {
		term *= mu / k;
		sum += term;
	}
	return sum;
}

static void
test_quantiles(void)
{
	/* Standard tables. */
	CLOSE(stats_norm_quantile(0.975), 1.959963984540054, 1e-12);
	CLOSE(stats_norm_quantile(0.999), 3.090232306167813, 1e-12);
	CLOSE(stats_norm_quantile(0.001), -3.090232306167813, 1e-12);
	CLOSE(stats_norm_quantile(0.5), 0.0, 1e-15);
	CLOSE(stats_chisq_quantile(0.95, 1), 3.841458820694124, 1e-9);
	CLOSE(stats_chisq_quantile(0.95, 19), 30.14352720564616, 1e-9);
	CLOSE(stats_chisq_quantile(0.05, 10), 3.940299136119119, 1e-9);
	CLOSE(stats_chisq_quantile(0.999, 2), 13.81551055796427, 1e-8);
	/* P(1, x) = 1 - e^-x */
	CLOSE(stats_gamma_p(1.0, 2.0), 1.0 - exp(-2.0), 1e-14);
	CLOSE(stats_gamma_p(50.0, 60.0), 1.0 - poisson_cdf(49, 60.0), 1e-12);
}

static void
test_poisson_table(void)
{
	/* Garwood's exact 95% limits as tabulated (e.g. Sahai & Khurshid
	 * 1993, Table 1). */
	static const struct {
		int x;
		double lo, hi;
	} t[] = {
	    {0, 0.0, 3.689}, {1, 0.0253, 5.572}, {2, 0.2422, 7.225},
	    {5, 1.6235, 11.668}, {10, 4.7954, 18.390}, {20, 12.217, 30.888},
	};
	size_t i;
	double lo, hi;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		stats_poisson_limits(t[i].x, 0.05, &lo, &hi);
		CLOSE(lo, t[i].lo, 6e-4);
		CLOSE(hi, t[i].hi, 6e-4);
	}
}

/* The limits are where the tail sums of Poisson terms equal alpha/2. */
static void
test_poisson_sums(void)
{
	static const int xs[] = {1, 3, 7, 12, 40, 150, 600};
	static const double alphas[] = {STATS_ALPHA_95, STATS_ALPHA_998};
	size_t i, j;
	double lo, hi;

	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		for (j = 0; j < 2; j++) {
			double a = alphas[j];

			stats_poisson_limits(xs[i], a, &lo, &hi);
			/* P(X <= x | hi) = a/2 */
			CLOSE(poisson_cdf(xs[i], hi), a / 2, 1e-10);
			/* P(X >= x | lo) = a/2 */
			CLOSE(1.0 - poisson_cdf(xs[i] - 1, lo), a / 2, 1e-10);
			CHECK(lo < xs[i] && hi > xs[i]);
		}
	/* Non-integer expected counts (a funnel's E = rate * list): the
	 * gamma quantile, checked by its definition. */
	stats_poisson_limits(17.3, 0.05, &lo, &hi);
	CLOSE(stats_gamma_p(17.3, lo), 0.025, 1e-12);
	CLOSE(stats_gamma_p(18.3, hi), 0.975, 1e-12);
}

static void
test_summary(void)
{
	double v[] = {4, 1, 3, 2};
	double w[] = {7.5, 1, 12, 3, 3, 9, 100};
	struct stats_summary s;

	/* R: quantile(c(1,2,3,4)) -> 1.75 2.5 3.25 */
	stats_summary(v, 4, &s);
	CLOSE(s.median, 2.5, 1e-15);
	CLOSE(s.q1, 1.75, 1e-15);
	CLOSE(s.q3, 3.25, 1e-15);
	CHECK_INT(s.n, 4);
	/* sorted 1 3 3 7.5 9 12 100: median 7.5, q1 = 3, q3 = 10.5 */
	stats_summary(w, 7, &s);
	CLOSE(s.median, 7.5, 1e-15);
	CLOSE(s.q1, 3.0, 1e-15);
	CLOSE(s.q3, 10.5, 1e-15);
	CHECK(v[0] == 4); /* untouched */
	stats_summary(v, 1, &s);
	CLOSE(s.median, 4.0, 1e-15);
	stats_summary(v, 0, &s);
	CHECK(isnan(s.median));
}

static void
test_funnel(void)
{
	double obs[] = {30, 45, 12, 80, 25, 60, 18, 40, 130, 22};
	double den[] = {5000, 6000, 4000, 9000, 3000, 8000, 2500, 7000, 10000,
	    2000};
	double obs2[] = {30, 45, 12, 80, 25, 60, 18, 40, 95, 22};
	struct stats_funnel f;
	double lim[4], lo, hi;

	CHECK_INT(stats_funnel_fit(obs, den, 10, 0.1, 5, &f), 0);
	/* Worked out by hand in Python (see the file comment). */
	CLOSE(f.target, 0.008176991150442478, 1e-15);
	CLOSE(f.phi, 1.8823556238442454, 1e-12);
	CHECK(f.overdispersed); /* 10 * phi = 18.8 > chi2(0.95, 9) = 16.9 */
	CLOSE(f.tau2, 1.6197298294648155e-06, 1e-15);
	stats_funnel_limits(&f, 5000, lim);
	CLOSE(lim[3], 0.013752380072533724, 1e-12);
	CLOSE(lim[0], 0.00464082933332211, 1e-12);
	CHECK(lim[2] < lim[0] && lim[1] < lim[3]);

	/* Less spread: 10 * phi = 16.6 < 16.9, so exact Poisson limits. */
	CHECK_INT(stats_funnel_fit(obs2, den, 10, 0.1, 5, &f), 0);
	CLOSE(f.target, 0.0075575221238938055, 1e-15);
	CLOSE(f.phi, 1.6569140058944414, 1e-12);
	CHECK(!f.overdispersed);
	CLOSE(f.tau2, 0.0, 0.0);
	stats_funnel_limits(&f, 4000, lim);
	stats_poisson_limits(f.target * 4000, STATS_ALPHA_998, &lo, &hi);
	CLOSE(lim[2] * 4000, lo, 1e-9);
	CLOSE(lim[3] * 4000, hi, 1e-9);
	/* 12 in 4000 against an expected 30.2: far below 99.8% */
	CHECK_INT(stats_funnel_position(lim, 12, 4000), -2);
	CHECK_INT(stats_funnel_position(lim, 30, 4000), 0);
	CHECK_INT(stats_funnel_position(lim, 47, 4000), 1);

	/* Too few units to judge overdispersion: exact limits. */
	CHECK_INT(stats_funnel_fit(obs, den, 3, 0.1, 5, &f), 0);
	CHECK(!f.overdispersed);
	/* No denominators, no events. */
	CHECK_INT(stats_funnel_fit(obs, (double[]){0, 0}, 2, 0.1, 5, &f), -1);
	CHECK_INT(stats_funnel_fit((double[]){0, 0}, den, 2, 0.1, 5, &f), -1);
}

int
main(void)
{
	test_quantiles();
	test_poisson_table();
	test_poisson_sums();
	test_summary();
	test_funnel();
	return t_done("test_report_stats");
}
