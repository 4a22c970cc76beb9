/* spline.h — B-spline interpolation as scipy.ndimage does it (orders 0–5):
 * the filter poles and the interpolation weights (the prefilter itself is
 * in prefilter.c), and Keys cubic convolution as IDL. Internal. */
#ifndef AIAPREP_SPLINE_H
#define AIAPREP_SPLINE_H

#include "kernels/cpu/variant.h"

#include <stddef.h>

#define AIA_SPLINE_MAX_ORDER 5

/* The filter poles of a B-spline order (0 or 1 for orders 0–1, which need
 * no prefilter; 1 for orders 2–3; 2 for orders 4–5). */
int aia_spline_poles(int order, double poles[2]);

/* The order+1 interpolation weights for the taps starting at
 * aia_spline_first_tap(x, order), exactly as scipy computes them. */
void aia_spline_weights(double x, int order, double *w);

/* Index of the first tap: floor(x) - order/2 for odd orders,
 * floor(x + 0.5) - order/2 for even ones. */
static inline long aia_spline_first_tap(double x, int order)
{
    return (long)__builtin_floor(order & 1 ? x : x + 0.5) - order / 2;
}

/* Keys cubic-convolution weights (a = -0.5) for the four taps starting at
 * floor(x) - 1. */
void aia_cubic_convolution_weights(double x, double w[4]);

/* Whole-sample mirror of a tap index into [0, n): -k -> k, n-1+k -> n-1-k. */
static inline long aia_mirror_index(long i, long n)
{
    if (n <= 1)
        return 0;
    const long period = 2 * n - 2;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

#endif
