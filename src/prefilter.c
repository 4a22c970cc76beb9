/* prefilter.c — B-spline coefficients of a padded frame, as scipy's
 * spline_filter computes them for sunpy's padded array P.
 *
 * P is never built: the input is read with the padding (a constant) and the
 * NaN substitute put in on the fly. Lines are filtered in double and the
 * coefficients stored as float32 (half the memory traffic of double; the
 * error, ~1e-7 of the values, is far below the accuracy asked of
 * registration). Both passes work on strips of STRIP lines held interleaved,
 * [sample][line], so the recursion runs across lines in SIMD and each strip
 * stays in cache. */
#include "prefilter.h"

#include "spline.h"

#include <math.h>
#include <stdlib.h>

#define STRIP 16

/* Terms of the causal initial sum below this are zero at double precision
 * next to the first term (|z|^i c against c). */
#define INIT_TOLERANCE 1e-20

/* Filter `width` interleaved lines of n samples in place: c[i*width + k] is
 * sample i of line k. The arithmetic per line is scipy's (mirror boundary,
 * gain, causal and anti-causal passes per pole). */
static void filter_lines(double *c, long n, long width, int order)
{
    double poles[2];
    const int npoles = aia_spline_poles(order, poles);
    if (npoles == 0 || n < 2)
        return;
    double gain = 1.0;
    for (int p = 0; p < npoles; p++)
        gain *= (1.0 - poles[p]) * (1.0 - 1.0 / poles[p]);
    for (long i = 0; i < n * width; i++)
        c[i] *= gain;

    double c0[STRIP];
    for (int p = 0; p < npoles; p++) {
        const double z = poles[p];
        const double zn1 = pow(z, (double)(n - 1));
        /* causal initial value, mirror boundary */
        for (long k = 0; k < width; k++)
            c0[k] = c[k] + zn1 * c[(n - 1) * width + k];
        double zi = z;
        for (long i = 1; i < n - 1 && fabs(zi) > INIT_TOLERANCE; i++) {
            const double *a = c + i * width, *b = c + (n - 1 - i) * width;
            for (long k = 0; k < width; k++)
                c0[k] += zi * (a[k] + zn1 * b[k]);
            zi *= z;
        }
        for (long k = 0; k < width; k++)
            c[k] = c0[k] / (1.0 - zn1 * zn1);
        /* causal pass */
        for (long i = 1; i < n; i++) {
            double *cur = c + i * width;
            const double *prev = cur - width;
            for (long k = 0; k < width; k++)
                cur[k] += z * prev[k];
        }
        /* anti-causal initial value and pass */
        double *last = c + (n - 1) * width;
        const double *before_last = last - width;
        for (long k = 0; k < width; k++)
            last[k] = (z * before_last[k] + last[k]) * z / (z * z - 1.0);
        for (long i = n - 2; i >= 0; i--) {
            double *cur = c + i * width;
            const double *next = cur + width;
            for (long k = 0; k < width; k++)
                cur[k] = z * (next[k] - cur[k]);
        }
    }
}

/* Sample (X, Y) of the padded frame P. */
static inline double padded_value(const aia_padded *p, long X, long Y)
{
    const long x = X - p->pad_x, y = Y - p->pad_y;
    if (x < 0 || y < 0 || x >= p->nx || y >= p->ny)
        return p->fill;
    const float v = p->data[y * p->nx + x];
    return isnan(v) ? p->nan_value : v;
}

int aia_padded_coefficients(const aia_padded *p, int order, float *coef)
{
    const long NX = p->nx + 2 * p->pad_x, NY = p->ny + 2 * p->pad_y;
    const long nmax = NX > NY ? NX : NY;
    int ok = 1;
#pragma omp parallel
    {
        double *buf = malloc((size_t)nmax * STRIP * sizeof *buf);
        if (!buf) {
#pragma omp atomic write
            ok = 0;
        }
        /* pass 1, along x: strips of STRIP rows of P */
#pragma omp for schedule(static)
        for (long y0 = 0; y0 < NY; y0 += STRIP) {
            if (!buf)
                continue;
            const long rows = NY - y0 < STRIP ? NY - y0 : STRIP;
            for (long k = 0; k < rows; k++)
                for (long X = 0; X < NX; X++)
                    buf[X * rows + k] = padded_value(p, X, y0 + k);
            filter_lines(buf, NX, rows, order);
            for (long k = 0; k < rows; k++) {
                float *dst = coef + (y0 + k) * NX;
                for (long X = 0; X < NX; X++)
                    dst[X] = (float)buf[X * rows + k];
            }
        }
        /* pass 2, along y: strips of STRIP columns */
        if (order >= 2) {
#pragma omp for schedule(static)
            for (long x0 = 0; x0 < NX; x0 += STRIP) {
                if (!buf)
                    continue;
                const long cols = NX - x0 < STRIP ? NX - x0 : STRIP;
                for (long Y = 0; Y < NY; Y++)
                    for (long k = 0; k < cols; k++)
                        buf[Y * cols + k] = coef[Y * NX + x0 + k];
                filter_lines(buf, NY, cols, order);
                for (long Y = 0; Y < NY; Y++)
                    for (long k = 0; k < cols; k++)
                        coef[Y * NX + x0 + k] = (float)buf[Y * cols + k];
            }
        }
        free(buf);
    }
    return ok ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the spline prefilter");
}
