/*
 * stats.h - the statistics of the practice reports: exact Poisson limits
 * (through the gamma / chi-square relationship), quartiles, and funnel
 * plots with the overdispersion adjustment of Spiegelhalter (2005):
 * Winsorised z-scores and a DerSimonian-Laird random-effects variance.
 *
 * Pure functions on doubles; no allocation except stats_summary's
 * scratch copy.
 */
#ifndef PARS_STATS_H
#define PARS_STATS_H

#include <stddef.h>

/* Regularised lower incomplete gamma P(a, x) for a > 0, x >= 0. */
double stats_gamma_p(double a, double x);
/* x with P(a, x) = p, for a > 0 and 0 < p < 1 (0 when p <= 0). */
double stats_gamma_p_inv(double a, double p);
/* The p-quantile of chi-square with df degrees of freedom. */
double stats_chisq_quantile(double p, double df);
/* The p-quantile of the standard normal distribution. */
double stats_norm_quantile(double p);

/*
 * Exact Poisson limits for a count x (real, >= 0) at two-sided level
 * 1 - alpha: lo = chi2(alpha/2, 2x)/2, hi = chi2(1 - alpha/2, 2x + 2)/2
 * (Garwood 1936), i.e. the gamma quantiles.  lo is 0 when x is 0.
 */
void stats_poisson_limits(double x, double alpha, double *lo, double *hi);

/*
 * The q-quantile of n sorted values by linear interpolation between order
 * statistics (Hyndman-Fan type 7, R's default); NAN when n is 0.
 */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

struct stats_summary {
	size_t n;
	double median, q1, q3;
};
/* Median and quartiles of n values (any order; v is not changed). */
void stats_summary(const double *v, size_t n, struct stats_summary *out);

/* Funnel-plot levels. */
#define STATS_ALPHA_95 0.05
#define STATS_ALPHA_998 0.002

/*
 * A funnel plot of counts obs[i] over denominators den[i] (patients) for
 * a group of units, around the group's rate target = sum obs / sum den.
 */
struct stats_funnel {
	double target;	   /* events per patient */
	size_t units;	   /* units with a denominator, I */
	double phi;	   /* overdispersion: mean squared Winsorised z */
	double tau2;	   /* between-unit variance of the rate (DL) */
	int overdispersed; /* I*phi beyond the chi-square(I-1) 95% point */
};

/*
 * Fits the funnel: target, Winsorised phi (the k = floor(winsor * I)
 * smallest and largest z-scores set to their neighbours'), and when
 * overdispersed the DerSimonian-Laird tau^2 (Spiegelhalter 2005, QSHC
 * 14:347).  Units with den <= 0 are left out.  Overdispersion is assessed
 * only with min_units units or more.  Returns 0, or -1 when no unit has
 * a denominator or there are no events.
 */
int stats_funnel_fit(const double *obs, const double *den, size_t n,
    double winsor, size_t min_units, struct stats_funnel *f);

/*
 * Control limits on the rate (events per patient) for a unit with
 * denominator den: lim[0], lim[1] the lower and upper 95% limits, lim[2],
 * lim[3] the 99.8% ones.  Exact Poisson limits around the expected count
 * target * den unless the funnel is overdispersed; then the random-effects
 * limits target -/+ z * sqrt(target / den + tau2), floored at 0.
 */
void stats_funnel_limits(const struct stats_funnel *f, double den,
    double lim[4]);

/*
 * Where obs/den falls: 2 above the upper 99.8% limit, 1 above the upper
 * 95% only, 0 inside, -1 below the lower 95%, -2 below the lower 99.8%.
 */
int stats_funnel_position(const double lim[4], double obs, double den);

#endif
