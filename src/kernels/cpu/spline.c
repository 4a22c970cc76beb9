/* spline.c — scipy.ndimage's B-spline prefilter and interpolation weights,
 * restated from the formulas (Unser 1999; scipy's ni_splines.c uses the same
 * standard expressions), plus Keys cubic convolution. */
#include "kernels/cpu/spline.h"

#include <math.h>

int aia_spline_poles(int order, double poles[2])
{
    /* scipy's literal constants: in double the order-3 pole differs by one
     * ulp from sqrt(3) - 2, and matching scipy means using these. */
    switch (order) {
    case 2:
        poles[0] = -0.171572875253809902396622551580603843;
        return 1;
    case 3:
        poles[0] = -0.267949192431122706472553658494127633;
        return 1;
    case 4:
        poles[0] = -0.361341225900220177092212841325675255;
        poles[1] = -0.013725429297339121360331226939128204;
        return 2;
    case 5:
        poles[0] = -0.430575347099973791851434783493520110;
        poles[1] = -0.043096288203264653822712376822550182;
        return 2;
    default:
        return 0;
    }
}

void aia_spline_weights(double x, int order, double *w)
{
    /* delta to the middle knot */
    x -= floor(order & 1 ? x : x + 0.5);
    double y = x, z = 1.0 - x, t;
    switch (order) {
    case 0:
        w[0] = 1.0;
        return;
    case 1:
        w[0] = 1.0 - x;
        break;
    case 2:
        w[1] = 0.75 - x * x;
        y = 0.5 - x;
        w[0] = 0.5 * y * y;
        break;
    case 3:
        w[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
        w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
        w[0] = z * z * z / 6.0;
        break;
    case 4:
        t = x * x;
        w[2] = t * (t * 0.25 - 0.625) + 115.0 / 192.0;
        y = 1.0 + x;
        w[1] = y * (y * (y * (5.0 - y) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
        w[3] = z * (z * (z * (5.0 - z) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
        y = 0.5 - x;
        t = y * y;
        w[0] = t * t / 24.0;
        break;
    case 5:
        t = y * y;
        w[2] = t * (t * (0.25 - y / 12.0) - 0.5) + 0.55;
        t = z * z;
        w[3] = t * (t * (0.25 - z / 12.0) - 0.5) + 0.55;
        y += 1.0;
        w[1] = y * (y * (y * (y * (y / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
        z += 1.0;
        w[4] = z * (z * (z * (z * (z / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
        y = 1.0 - x;
        t = y * y;
        w[0] = y * t * t / 120.0;
        break;
    default:
        return;
    }
    /* the weights sum to one: the last takes the remainder */
    w[order] = 1.0;
    for (int i = 0; i < order; i++)
        w[order] -= w[i];
}

/* Keys (1981) kernel with a = -0.5, the cubic convolution of IDL's
 * aia_prep (rot/poly_2d with CUBIC=-0.5). */
static double keys(double t)
{
    const double a = -0.5;
    t = fabs(t);
    if (t <= 1.0)
        return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
    if (t < 2.0)
        return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a;
    return 0.0;
}

void aia_cubic_convolution_weights(double x, double w[4])
{
    const double t = x - floor(x);
    w[0] = keys(1.0 + t);
    w[1] = keys(t);
    w[2] = keys(1.0 - t);
    w[3] = keys(2.0 - t);
}
