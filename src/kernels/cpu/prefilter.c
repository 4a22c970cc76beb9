/* prefilter.c — B-spline coefficients of a padded frame, as scipy's
 * spline_filter computes them for sunpy's padded array P.
 *
 * P is never built: the input is read with the padding (a constant) and the
 * NaN substitute put in on the fly. Lines are filtered in double and the
 * coefficients stored as float32 (half the memory traffic of double; the
 * error, ~1e-7 of the values, is far below the accuracy asked of
 * registration). Both passes work on lines held interleaved, [sample][line]
 * (STRIP rows for the row pass, PANEL columns for the column pass), so the
 * recursion runs across lines in SIMD and each set stays in cache. */
#include "kernels/cpu/prefilter.h"

#include "kernels/cpu/spline.h"
#include "kernels/cpu/transpose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STRIP 16
/* The column pass reads PANEL contiguous floats of each row at once, four
 * cache lines, and filters them together: 16 columns at a time it waited on
 * a cache miss a row (rows are 16 KiB apart); 64 took it from 69 to 52 ms
 * on one Zen 3 core (bench_register). */
#define PANEL (4 * STRIP)
/* ... and asks for the row AHEAD rows on while it copies one: each row of
 * the panel is in another 4 KiB page, where the hardware prefetchers do not
 * follow (one thread: 21.3-22.6 -> 18.8-20.4 ms for the pass; 8 ahead was
 * as good, 32 and 64 no better than none). */
#define AHEAD 16

/* Terms of the causal initial sum below this are zero at double precision
 * next to the first term (|z|^i c against c). */
#define INIT_TOLERANCE 1e-20

#define INLINE static inline __attribute__((always_inline))

/* One pole of the filter on lines of n samples: the pole, the gain folded
 * into its causal pass (scipy multiplies the line by the gain first; g*c[i]
 * in the first causal pass is the same product, and saves a sweep; 1 for
 * the poles after the first), and z^(n-1). */
typedef struct pole {
    double z, g, zn1;
} pole;

static int line_poles(int order, long n, pole p[2])
{
    double z[2];
    const int npoles = aia_spline_poles(order, z);
    double gain = 1.0;
    for (int i = 0; i < npoles; i++)
        gain *= (1.0 - z[i]) * (1.0 - 1.0 / z[i]);
    for (int i = 0; i < npoles; i++)
        p[i] = (pole){z[i], i == 0 ? gain : 1.0, pow(z[i], (double)(n - 1))};
    return npoles;
}

/* The samples the causal initial value below reads at each end of a line:
 * its terms up to the first below INIT_TOLERANCE (or the line's end). */
static long initial_terms(const pole *p, long n)
{
    long i = 1;
    for (double zi = p->z; i < n - 1 && fabs(zi) > INIT_TOLERANCE; i++)
        zi *= p->z;
    return i;
}

/* The arithmetic per line is scipy's (mirror boundary, gain, causal and
 * anti-causal passes per pole), on W interleaved lines: c[i*W + k] is
 * sample i of line k. With W a constant each loop over k is a few SIMD
 * operations, and the recursion runs across lines. */

/* c[0] of the causal pass, from the first and last initial_terms samples. */
INLINE void causal_initial(double *c, long n, int W, const pole *p)
{
    double c0[PANEL];
    for (int k = 0; k < W; k++)
        c0[k] = p->g * c[k] + p->zn1 * (p->g * c[(n - 1) * W + k]);
    double zi = p->z;
    for (long i = 1, ends = initial_terms(p, n); i < ends; i++) {
        const double *a = c + i * W, *b = c + (n - 1 - i) * W;
        for (int k = 0; k < W; k++)
            c0[k] += zi * (p->g * a[k] + p->zn1 * (p->g * b[k]));
        zi *= p->z;
    }
    for (int k = 0; k < W; k++)
        c[k] = c0[k] / (1.0 - p->zn1 * p->zn1);
}

INLINE void causal_step(double *cur, int W, const pole *p)
{
    const double *prev = cur - W;
    for (int k = 0; k < W; k++)
        cur[k] = p->g * cur[k] + p->z * prev[k];
}

/* the anti-causal initial value, at the last sample */
INLINE void anticausal_initial(double *last, int W, const pole *p)
{
    const double z = p->z, *before_last = last - W;
    for (int k = 0; k < W; k++)
        last[k] = (z * before_last[k] + last[k]) * z / (z * z - 1.0);
}

INLINE void anticausal_step(double *cur, int W, const pole *p)
{
    const double *next = cur + W;
    for (int k = 0; k < W; k++)
        cur[k] = p->z * (next[k] - cur[k]);
}

INLINE void causal_pass(double *c, long n, int W, const pole *p)
{
    causal_initial(c, n, W, p);
    for (long i = 1; i < n; i++)
        causal_step(c + i * W, W, p);
}

INLINE void anticausal_pass(double *c, long n, int W, const pole *p)
{
    anticausal_initial(c + (n - 1) * W, W, p);
    for (long i = n - 2; i >= 0; i--)
        anticausal_step(c + i * W, W, p);
}

/* Filter STRIP interleaved lines of n samples in place. */
static void filter_lines(double *c, long n, int order)
{
    pole p[2];
    const int npoles = line_poles(order, n, p);
    if (npoles == 0 || n < 2)
        return;
    for (int i = 0; i < npoles; i++) {
        causal_pass(c, n, STRIP, &p[i]);
        anticausal_pass(c, n, STRIP, &p[i]);
    }
}

/* Row Y of the padded frame P into line[0..NX). */
static void padded_row(const aia_padded *p, long Y, float *line)
{
    const long NX = p->nx + 2 * p->pad_x, y = Y - p->pad_y;
    const float fill = (float)p->fill, nan_value = (float)p->nan_value;
    if (y < 0 || y >= p->ny) {
        for (long X = 0; X < NX; X++)
            line[X] = fill;
        return;
    }
    const float *src = p->data + y * p->stride;
    for (long X = 0; X < p->pad_x; X++)
        line[X] = line[NX - 1 - X] = fill;
    float *dst = line + p->pad_x;
    if (!p->rows) {
        for (long x = 0; x < p->nx; x++) {
            const float v = src[x];
            dst[x] = v == v ? v : nan_value; /* v != v: NaN */
        }
        return;
    }
    /* the row's range as the registration's scan finds it (register_pixels.c) */
    float mn = INFINITY, mx = -INFINITY;
    long bad = 0;
#pragma omp simd reduction(min : mn) reduction(max : mx) reduction(+ : bad)
    for (long x = 0; x < p->nx; x++) {
        const float v = src[x];
        dst[x] = v == v ? v : nan_value;
        const int ok = v - v == 0.0f; /* false for NaN and Inf */
        bad += ok ? 0 : 1;
        const float lo = ok ? v : INFINITY, hi = ok ? v : -INFINITY;
        mn = lo < mn ? lo : mn;
        mx = hi > mx ? hi : mx;
    }
    p->rows[y] = (aia_row_range){mn, mx, bad};
}

/* Pass 1, along x, for rows [y0, y0 + rows) of P: build the rows (stage:
 * STRIP rows of NX floats, `stride` apart like the coefficients', so that
 * the tiles' loads stay within cache lines), turn them into the interleaved
 * strip tile by tile, filter, and turn them back. Lanes past the last row
 * are zeros. */
static void filter_rows(const aia_padded *p, int order, long y0, long rows, double *buf, float *stage,
                        float *coef, long stride)
{
    const long NX = p->nx + 2 * p->pad_x, tiled = NX / STRIP * STRIP;
    for (long k = 0; k < STRIP; k++) {
        if (k < rows)
            padded_row(p, y0 + k, stage + k * stride);
        else
            memset(stage + k * stride, 0, (size_t)NX * sizeof *stage);
    }
    for (long X = 0; X < tiled; X += STRIP)
        aia_tile_rows_to_strip(stage + X, stride, buf + X * STRIP);
    for (long X = tiled; X < NX; X++)
        for (long k = 0; k < STRIP; k++)
            buf[X * STRIP + k] = stage[k * stride + X];
    filter_lines(buf, NX, order);
    float *dst = coef + y0 * stride;
    for (long X = 0; X < tiled; X += STRIP)
        aia_tile_strip_to_rows(buf + X * STRIP, dst + X, stride, (int)rows, p->stream);
    for (long X = tiled; X < NX; X++)
        for (long k = 0; k < rows; k++)
            dst[k * stride + X] = (float)buf[X * STRIP + k];
    if (p->stream)
        aia_tile_rows_written(); /* the streamed rows, before the column pass reads them on any thread */
}

/* Row Y of a panel: cols <= PANEL coefficients as doubles, zeros after. */
INLINE void panel_load(const float *src, long cols, double *dst)
{
    if (cols == PANEL)
        for (int k = 0; k < PANEL; k++)
            dst[k] = src[k];
    else
        for (int k = 0; k < PANEL; k++)
            dst[k] = k < cols ? src[k] : 0.0;
}

INLINE void panel_store(const double *src, long cols, float *dst)
{
    if (cols == PANEL)
        for (int k = 0; k < PANEL; k++)
            dst[k] = (float)src[k];
    else
        for (long k = 0; k < cols; k++)
            dst[k] = (float)src[k];
}

/* Pass 2, along y, for columns [x0, x0 + cols), cols <= PANEL, in buf as
 * NY x PANEL interleaved lines (zeros past the last column). The first
 * causal pass runs as the rows are read and the last anti-causal pass as
 * they are written back, each on the row just moved (in L1): two sweeps of
 * the panel fewer than reading, filtering and writing in turn. */
static void filter_columns(long stride, long NY, int order, long x0, long cols, double *buf, float *coef)
{
    pole p[2];
    const int npoles = line_poles(order, NY, p);
    if (npoles == 0 || NY < 2)
        return; /* the coefficients are P itself */
    /* the rows the causal initial value reads, at both ends, first (the
     * loop below reads the head's again: the same values) */
    const long ends = initial_terms(&p[0], NY);
    for (long Y = 0; Y < ends; Y++)
        panel_load(coef + Y * stride + x0, cols, buf + Y * PANEL);
    for (long Y = NY - ends; Y < NY; Y++)
        panel_load(coef + Y * stride + x0, cols, buf + Y * PANEL);
    causal_initial(buf, NY, PANEL, &p[0]);
    for (long Y = 1; Y < NY; Y++) {
        const float *src = coef + Y * stride + x0;
        if (Y + AHEAD < NY) /* rows are 16 KiB apart: no prefetcher follows them */
            for (int l = 0; l < PANEL; l += 16)
                __builtin_prefetch(src + AHEAD * stride + l);
        panel_load(src, cols, buf + Y * PANEL);
        causal_step(buf + Y * PANEL, PANEL, &p[0]);
    }
    for (int i = 0; i < npoles; i++) {
        if (i > 0)
            causal_pass(buf, NY, PANEL, &p[i]);
        if (i < npoles - 1)
            anticausal_pass(buf, NY, PANEL, &p[i]);
    }
    const pole *last = &p[npoles - 1];
    anticausal_initial(buf + (NY - 1) * PANEL, PANEL, last);
    panel_store(buf + (NY - 1) * PANEL, cols, coef + (NY - 1) * stride + x0);
    for (long Y = NY - 2; Y >= 0; Y--) {
        float *dst = coef + Y * stride + x0;
        if (Y >= AHEAD)
            for (int l = 0; l < PANEL; l += 16)
                __builtin_prefetch(dst - AHEAD * stride + l, 1);
        anticausal_step(buf + Y * PANEL, PANEL, last);
        panel_store(buf + Y * PANEL, cols, dst);
    }
}

int aia_padded_coefficients(const aia_padded *p, int order, float *coef, long coef_stride)
{
    const long NX = p->nx + 2 * p->pad_x, NY = p->ny + 2 * p->pad_y;
    const long nmax = NX > NY ? NX : NY;
    int ok = 1;
#pragma omp parallel
    {
        double *buf = malloc((size_t)nmax * PANEL * sizeof *buf);
        float *stage = aligned_alloc(64, (size_t)coef_stride * STRIP * sizeof *stage);
        if (!buf || !stage) {
#pragma omp atomic write
            ok = 0;
        }
        if (order < 2) { /* no filter: P itself */
#pragma omp for schedule(static)
            for (long Y = 0; Y < NY; Y++)
                padded_row(p, Y, coef + Y * coef_stride);
        } else {
            /* dynamic: the row pass also first-touches the coefficients,
             * whose page clearing (the kernel's) varies from thread to
             * thread by tens of ms on a virtual machine; static halves left
             * one thread waiting on the other */
#pragma omp for schedule(dynamic, 4)
            for (long y0 = 0; y0 < NY; y0 += STRIP)
                if (buf && stage)
                    filter_rows(p, order, y0, NY - y0 < STRIP ? NY - y0 : STRIP, buf, stage, coef, coef_stride);
#pragma omp for schedule(dynamic, 1)
            for (long x0 = 0; x0 < NX; x0 += PANEL)
                if (buf)
                    filter_columns(coef_stride, NY, order, x0, NX - x0 < PANEL ? NX - x0 : PANEL, buf, coef);
        }
        free(buf);
        free(stage);
    }
    return ok ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the spline prefilter");
}
