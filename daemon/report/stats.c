/*
 * stats.c - see stats.h.  The incomplete gamma function is evaluated by
 * its series below a + 1 and by its continued fraction (modified Lentz)
 * above; the inverse by Newton's method kept inside a bracket.
 */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define EPS 1e-15
#define ITMAX 100000

static double
gamma_series(double a, double x)
{
	double sum = 1.0 / a, term = sum, ap = a;
	int i;

	for (i = 0; i < ITMAX; i++) {
		ap += 1.0;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * EPS)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) = 1 - P(a, x) by continued fraction. */
static double
gamma_cfrac(double a, double x)
{
	double b = x + 1.0 - a, c = 1.0 / DBL_MIN, d = 1.0 / b, h = d;
	int i;

	for (i = 1; i < ITMAX; i++) {
		double an = -i * (i - a), del;

		b += 2.0;
		d = an * d + b;
		if (fabs(d) < DBL_MIN)
			d = DBL_MIN;
		c = b + an / c;
		if (fabs(c) < DBL_MIN)
			c = DBL_MIN;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < EPS)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

double
stats_gamma_p(double a, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x < a + 1.0)
		return gamma_series(a, x);
	return 1.0 - gamma_cfrac(a, x);
}

double
stats_gamma_p_inv(double a, double p)
{
	double lo = 0.0, hi, x, t;
	int i;

	if (p <= 0.0)
		return 0.0;
	if (p >= 1.0)
		return INFINITY;
	/* Wilson-Hilferty start, then a bracket around it. */
	t = stats_norm_quantile(p);
	x = a * pow(1.0 - 1.0 / (9.0 * a) + t / (3.0 * sqrt(a)), 3.0);
	if (!(x > 0.0) || !isfinite(x))
		x = a < 1.0 ? pow(p * tgamma(a + 1.0), 1.0 / a) : a;
	if (!(x > 0.0))
		x = DBL_MIN;
	hi = x;
	while (stats_gamma_p(a, hi) < p)
		hi = hi * 2.0 + 1.0;
	for (i = 0; i < 200; i++) {
		double f = stats_gamma_p(a, x) - p, dens, nx;

		if (f < 0.0)
			lo = x;
		else
			hi = x;
		if (fabs(f) < 1e-14 * (p < 0.5 ? p : 1.0 - p) ||
		    hi - lo < 1e-14 * hi)
			break;
		/* density of the gamma(a, 1) distribution at x */
		dens = exp((a - 1.0) * log(x) - x - lgamma(a));
		nx = dens > 0.0 ? x - f / dens : (lo + hi) / 2.0;
		if (!(nx > lo && nx < hi))
			nx = (lo + hi) / 2.0;
		x = nx;
	}
	return x;
}

double
stats_chisq_quantile(double p, double df)
{
	return 2.0 * stats_gamma_p_inv(df / 2.0, p);
}

/*
 * Acklam's rational approximation (relative error 1.15e-9), then one
 * Halley step on erfc, which brings it to full double precision.
 */
double
stats_norm_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01,
	    2.209460984245205e+02, -2.759285104469687e+02,
	    1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01,
	    1.615858368580409e+02, -1.556989798598866e+02,
	    6.680131188771972e+01, -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03,
	    -3.223964580411365e-01, -2.400758277161838e+00,
	    -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03,
	    3.224671290700398e-01, 2.445134137142996e+00,
	    3.754408661907416e+00};
	double q, r, x, e, u;

	if (p <= 0.0)
		return -INFINITY;
	if (p >= 1.0)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
			q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
			q + 1.0);
	} else if (p <= 1.0 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
			r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r +
			b[3]) * r + b[4]) * r + 1.0);
	} else {
		q = sqrt(-2.0 * log(1.0 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
			q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
			q + 1.0);
	}
	e = 0.5 * erfc(-x / sqrt(2.0)) - p;
	u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	return x - u / (1.0 + x * u / 2.0);
}

void
stats_poisson_limits(double x, double alpha, double *lo, double *hi)
{
	*lo = x > 0.0 ? stats_gamma_p_inv(x, alpha / 2.0) : 0.0;
	*hi = stats_gamma_p_inv(x + 1.0, 1.0 - alpha / 2.0);
}

double
stats_quantile_sorted(const double *s, size_t n, double q)
{
	double h, fl;
	size_t i;

	if (n == 0)
		return NAN;
	h = (double)(n - 1) * q;
	fl = floor(h);
	i = (size_t)fl;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + (h - fl) * (s[i + 1] - s[i]);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
stats_summary(const double *v, size_t n, struct stats_summary *out)
{
	double *s = xmalloc((n ? n : 1) * sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->n = n;
	out->median = stats_quantile_sorted(s, n, 0.5);
	out->q1 = stats_quantile_sorted(s, n, 0.25);
	out->q3 = stats_quantile_sorted(s, n, 0.75);
	free(s);
}

int
stats_funnel_fit(const double *obs, const double *den, size_t n,
    double winsor, size_t min_units, struct stats_funnel *f)
{
	double so = 0.0, sd = 0.0, sw = 0.0, sw2 = 0.0, sz2 = 0.0, *z;
	size_t i, k, m = 0;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++)
		if (den[i] > 0.0) {
			so += obs[i];
			sd += den[i];
			m++;
		}
	if (m == 0 || so <= 0.0)
		return -1;
	f->target = so / sd;
	f->units = m;
	if (m < min_units || m < 2)
		return 0;
	z = xmalloc(m * sizeof(*z));
	for (i = 0, k = 0; i < n; i++)
		if (den[i] > 0.0) {
			double s2 = f->target / den[i];

			z[k++] = (obs[i] / den[i] - f->target) / sqrt(s2);
			sw += 1.0 / s2;
			sw2 += 1.0 / (s2 * s2);
		}
	qsort(z, m, sizeof(*z), cmp_double);
	k = (size_t)floor(winsor * (double)m);
	for (i = 0; i < m; i++) {
		double zi = z[i];

		if (k > 0 && i < k)
			zi = z[k];
		else if (k > 0 && i >= m - k)
			zi = z[m - k - 1];
		sz2 += zi * zi;
	}
	free(z);
	f->phi = sz2 / (double)m;
	if ((double)m * f->phi > stats_chisq_quantile(0.95, (double)(m - 1))) {
		f->overdispersed = 1;
		f->tau2 = ((double)m * f->phi - (double)(m - 1)) /
		    (sw - sw2 / sw);
		if (f->tau2 < 0.0)
			f->tau2 = 0.0;
	}
	return 0;
}

void
stats_funnel_limits(const struct stats_funnel *f, double den, double lim[4])
{
	static const double alpha[2] = {STATS_ALPHA_95, STATS_ALPHA_998};
	int j;

	for (j = 0; j < 2; j++) {
		if (den <= 0.0) {
			lim[2 * j] = lim[2 * j + 1] = NAN;
		} else if (f->overdispersed) {
			double z = stats_norm_quantile(1.0 - alpha[j] / 2.0);
			double sd = sqrt(f->target / den + f->tau2);

			lim[2 * j] = f->target - z * sd;
			if (lim[2 * j] < 0.0)
				lim[2 * j] = 0.0;
			lim[2 * j + 1] = f->target + z * sd;
		} else {
			double e = f->target * den, lo, hi;

			stats_poisson_limits(e, alpha[j], &lo, &hi);
			lim[2 * j] = lo / den;
			lim[2 * j + 1] = hi / den;
		}
	}
}

int
stats_funnel_position(const double lim[4], double obs, double den)
{
	double y;

	if (den <= 0.0 || isnan(lim[0]))
		return 0;
	y = obs / den;
	if (y > lim[3])
		return 2;
	if (y > lim[1])
		return 1;
	if (y < lim[2])
		return -2;
	if (y < lim[0])
		return -1;
	return 0;
}
