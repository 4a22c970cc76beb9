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
#include "kernels/cpu/prefilter.h"

#include "kernels/cpu/spline.h"
#include "kernels/cpu/transpose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STRIP 16
/* The column pass reads PANEL contiguous floats of each row at once, four
 * cache lines, and filters them as PANEL / STRIP strips: one strip at a time
 * it waited on a cache miss a row (rows are NX floats apart); 4 strips took
 * it from 69 to 52 ms on one Zen 3 core (bench_register). */
#define PANEL (4 * STRIP)
/* ... and asks for the row AHEAD rows on while it copies one: each row of
 * the panel is in another 4 KiB page, where the hardware prefetchers do not
 * follow (one thread: 21.3-22.6 -> 18.8-20.4 ms for the pass; 8 ahead was
 * as good, 32 and 64 no better than none). */
#define AHEAD 16

/* Terms of the causal initial sum below this are zero at double precision
 * next to the first term (|z|^i c against c). */
#define INIT_TOLERANCE 1e-20

/* Filter STRIP interleaved lines of n samples in place: c[i*STRIP + k] is
 * sample i of line k. The arithmetic per line is scipy's (mirror boundary,
 * gain, causal and anti-causal passes per pole); the constant width lets
 * every inner loop become two AVX-512 (or four AVX2) operations. */
static void filter_lines(double *c, long n, int order)
{
    double poles[2];
    const int npoles = aia_spline_poles(order, poles);
    if (npoles == 0 || n < 2)
        return;
    double gain = 1.0;
    for (int p = 0; p < npoles; p++)
        gain *= (1.0 - poles[p]) * (1.0 - 1.0 / poles[p]);

    for (int p = 0; p < npoles; p++) {
        const double z = poles[p];
        const double zn1 = pow(z, (double)(n - 1));
        /* scipy multiplies the line by the gain first; folding it into the
         * first causal pass saves a sweep (g*c[i] is the same product) */
        const double g = p == 0 ? gain : 1.0;
        /* causal initial value, mirror boundary */
        double c0[STRIP];
        for (int k = 0; k < STRIP; k++)
            c0[k] = g * c[k] + zn1 * (g * c[(n - 1) * STRIP + k]);
        double zi = z;
        for (long i = 1; i < n - 1 && fabs(zi) > INIT_TOLERANCE; i++) {
            const double *a = c + i * STRIP, *b = c + (n - 1 - i) * STRIP;
            for (int k = 0; k < STRIP; k++)
                c0[k] += zi * (g * a[k] + zn1 * (g * b[k]));
            zi *= z;
        }
        for (int k = 0; k < STRIP; k++)
            c[k] = c0[k] / (1.0 - zn1 * zn1);
        /* causal pass */
        for (long i = 1; i < n; i++) {
            double *cur = c + i * STRIP;
            const double *prev = cur - STRIP;
            for (int k = 0; k < STRIP; k++)
                cur[k] = g * cur[k] + z * prev[k];
        }
        /* anti-causal initial value and pass */
        double *last = c + (n - 1) * STRIP;
        const double *before_last = last - STRIP;
        for (int k = 0; k < STRIP; k++)
            last[k] = (z * before_last[k] + last[k]) * z / (z * z - 1.0);
        for (long i = n - 2; i >= 0; i--) {
            double *cur = c + i * STRIP;
            const double *next = cur + STRIP;
            for (int k = 0; k < STRIP; k++)
                cur[k] = z * (next[k] - cur[k]);
        }
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
 * STRIP x NX floats), turn them into the interleaved strip tile by tile,
 * filter, and turn them back. Lanes past the last row are zeros. */
static void filter_rows(const aia_padded *p, int order, long y0, long rows, double *buf, float *stage,
                        float *coef)
{
    const long NX = p->nx + 2 * p->pad_x, tiled = NX / STRIP * STRIP;
    for (long k = 0; k < STRIP; k++) {
        if (k < rows)
            padded_row(p, y0 + k, stage + k * NX);
        else
            memset(stage + k * NX, 0, (size_t)NX * sizeof *stage);
    }
    for (long X = 0; X < tiled; X += STRIP)
        aia_tile_rows_to_strip(stage + X, NX, buf + X * STRIP);
    for (long X = tiled; X < NX; X++)
        for (long k = 0; k < STRIP; k++)
            buf[X * STRIP + k] = stage[k * NX + X];
    filter_lines(buf, NX, order);
    float *dst = coef + y0 * NX;
    for (long X = 0; X < tiled; X += STRIP)
        aia_tile_strip_to_rows(buf + X * STRIP, dst + X, NX, (int)rows);
    for (long X = tiled; X < NX; X++)
        for (long k = 0; k < rows; k++)
            dst[k * NX + X] = (float)buf[X * STRIP + k];
}

/* Pass 2, along y, for columns [x0, x0 + cols), cols <= PANEL: strip s of
 * the panel at buf + s * NY * STRIP; lanes past the last column are zeros. */
static void filter_columns(long NX, long NY, int order, long x0, long cols, double *buf, float *coef)
{
    const long size = NY * STRIP;
    if (cols == PANEL) {
        for (long Y = 0; Y < NY; Y++) {
            const float *src = coef + Y * NX + x0;
            if (Y + AHEAD < NY) /* rows are 16 KiB apart: no prefetcher follows them */
                for (int l = 0; l < PANEL; l += 16)
                    __builtin_prefetch(src + AHEAD * NX + l);
            for (int s = 0; s < PANEL / STRIP; s++)
                for (int k = 0; k < STRIP; k++)
                    buf[s * size + Y * STRIP + k] = src[s * STRIP + k];
        }
    } else {
        for (long Y = 0; Y < NY; Y++)
            for (int s = 0; s < PANEL / STRIP; s++)
                for (int k = 0; k < STRIP; k++)
                    buf[s * size + Y * STRIP + k] = s * STRIP + k < cols ? coef[Y * NX + x0 + s * STRIP + k] : 0.0;
    }
    for (int s = 0; s < PANEL / STRIP; s++)
        if (s * STRIP < cols)
            filter_lines(buf + s * size, NY, order);
    if (cols == PANEL) {
        for (long Y = 0; Y < NY; Y++) {
            float *dst = coef + Y * NX + x0;
            if (Y + AHEAD < NY)
                for (int l = 0; l < PANEL; l += 16)
                    __builtin_prefetch(dst + AHEAD * NX + l, 1);
            for (int s = 0; s < PANEL / STRIP; s++)
                for (int k = 0; k < STRIP; k++)
                    dst[s * STRIP + k] = (float)buf[s * size + Y * STRIP + k];
        }
    } else {
        for (long Y = 0; Y < NY; Y++)
            for (int s = 0; s < PANEL / STRIP; s++)
                for (int k = 0; k < STRIP; k++)
                    if (s * STRIP + k < cols)
                        coef[Y * NX + x0 + s * STRIP + k] = (float)buf[s * size + Y * STRIP + k];
    }
}

int aia_padded_coefficients(const aia_padded *p, int order, float *coef)
{
    const long NX = p->nx + 2 * p->pad_x, NY = p->ny + 2 * p->pad_y;
    const long nmax = NX > NY ? NX : NY;
    int ok = 1;
#pragma omp parallel
    {
        double *buf = malloc((size_t)nmax * PANEL * sizeof *buf);
        float *stage = malloc((size_t)NX * STRIP * sizeof *stage);
        if (!buf || !stage) {
#pragma omp atomic write
            ok = 0;
        }
        if (order < 2) { /* no filter: P itself */
#pragma omp for schedule(static)
            for (long Y = 0; Y < NY; Y++)
                padded_row(p, Y, coef + Y * NX);
        } else {
            /* dynamic: the row pass also first-touches the coefficients,
             * whose page clearing (the kernel's) varies from thread to
             * thread by tens of ms on a virtual machine; static halves left
             * one thread waiting on the other */
#pragma omp for schedule(dynamic, 4)
            for (long y0 = 0; y0 < NY; y0 += STRIP)
                if (buf && stage)
                    filter_rows(p, order, y0, NY - y0 < STRIP ? NY - y0 : STRIP, buf, stage, coef);
#pragma omp for schedule(dynamic, 1)
            for (long x0 = 0; x0 < NX; x0 += PANEL)
                if (buf)
                    filter_columns(NX, NY, order, x0, NX - x0 < PANEL ? NX - x0 : PANEL, buf, coef);
        }
        free(buf);
        free(stage);
    }
    return ok ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the spline prefilter");
}
