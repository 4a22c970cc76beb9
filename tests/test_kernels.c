/* test_kernels.c — the hand-written sampling kernels against one scalar
 * statement of their arithmetic: positions in double as scipy forms them,
 * the fraction rounded to float32, cubic B-spline weights and the 16 taps in
 * float32 with fused multiply-adds (fmaf, correctly rounded everywhere) in
 * the kernels' order. The avx2 kernel (8 lanes, permutes or gathers) and,
 * on a CPU with AVX-512, the avx512 kernel (16 lanes) must give these
 * bytes exactly: then the two levels agree with each other on any machine.
 * Maps: the nearly axis-aligned ones of registration (permutes) and large
 * rolls and scales (gathers), spans of every length up to and past a
 * group, starting anywhere. */
#include "testutil.h"

#include "kernels/backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef void span_fn(const float *coef, long NX, const aia_affine *a, double yo, long x0, long i0, long i1,
                     float lo, float hi, float *out);
typedef void avx2_span_fn(const float *coef, long NX, const aia_affine *a, const double *col_x,
                          const double *col_y, double yo, long i0, long i1, float lo, float hi, float *out);
typedef void columns_fn(const aia_affine *a, long x0, long n, double *col_x, double *col_y);
/* the levels' kernels exist where the library was built for x86-64 */
__attribute__((weak)) span_fn aia_cubic_span_simd_avx512;
__attribute__((weak)) avx2_span_fn aia_cubic_span_avx2_avx2;
__attribute__((weak)) columns_fn aia_cubic_columns_avx2_avx2;

/* The avx2 kernel takes the positions' column terms from a table made
 * once a frame: made here for the span's row, as the sampling makes it. */
static void avx2_span(const float *coef, long NX, const aia_affine *a, double yo, long x0, long i0, long i1,
                      float lo, float hi, float *out)
{
    /* the least the kernel may read, on the heap: the sanitizer build sees
     * a read past it (a multiple of 8, at least i1 + 7) */
    const long n = (i1 + 7 + 7) / 8 * 8;
    double *col_x = malloc((size_t)n * sizeof *col_x), *col_y = malloc((size_t)n * sizeof *col_y);
    if (col_x && col_y) {
        aia_cubic_columns_avx2_avx2(a, x0, n, col_x, col_y);
        aia_cubic_span_avx2_avx2(coef, NX, a, col_x, col_y, yo, i0, i1, lo, hi, out);
    }
    free(col_x);
    free(col_y);
}

static void weights(float u, float w[4])
{
    const float z = 1.0f - u, sixth = 1.0f / 6.0f;
    w[1] = fmaf((u * u) * (u - 2.0f), 3.0f, 4.0f) * sixth;
    w[2] = fmaf((z * z) * (z - 2.0f), 3.0f, 4.0f) * sixth;
    w[0] = ((z * z) * z) * sixth;
    w[3] = 1.0f - ((w[0] + w[1]) + w[2]);
}

static float reference(const float *coef, long NX, const aia_affine *a, double yo, double xo, float lo, float hi)
{
    const double x = (a->shift[0] + xo * a->m[0][0]) + yo * a->m[0][1];
    const double y = (a->shift[1] + xo * a->m[1][0]) + yo * a->m[1][1];
    const int ix = (int)x, iy = (int)y;
    float wx[4], wy[4];
    weights((float)(x - (double)ix), wx);
    weights((float)(y - (double)iy), wy);
    float sum = 0.0f;
    for (int b = 0; b < 4; b++) {
        float acc = 0.0f;
        for (int t = 0; t < 4; t++)
            acc = fmaf(coef[(long)(iy - 1 + b) * NX + (ix - 1 + t)], wx[t], acc);
        sum = fmaf(acc, wy[b], sum);
    }
    return sum < lo ? lo : (sum > hi ? hi : sum);
}

static int run_level(const char *name, span_fn *span)
{
    enum { NX = 300, NY = 300 };
    float *coef = malloc(sizeof(float) * NX * NY);
    uint64_t s = 12345;
    for (long i = 0; i < (long)NX * NY; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        coef[i] = (float)((s >> 40) % 100000) * 0.037f - 1500.0f;
    }
    static const struct { double roll_deg, scale; } maps[] = {
        {0.0, 1.0}, {0.3, 1.0015}, {-0.7, 0.998}, {45.0, 1.0}, {180.0, 1.0}, {10.0, 2.1}, {3.0, 0.4}};
    long bad = 0, total = 0;
    float out[96], want[96];
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++) {
        const double r = maps[m].roll_deg * M_PI / 180.0, k = maps[m].scale;
        /* the map about the frame's centre, positions kept well inside */
        aia_affine a = {{{cos(r) / k, -sin(r) / k}, {sin(r) / k, cos(r) / k}}, {0, 0}};
        a.shift[0] = 150.0 - (a.m[0][0] * 40 + a.m[0][1] * 40) + 0.123;
        a.shift[1] = 150.0 - (a.m[1][0] * 40 + a.m[1][1] * 40) + 0.456;
        for (int yo = 0; yo < 80; yo += 7)
            for (long len = 1; len <= 40; len += 3) {
                const long i0 = yo % 5, x0 = yo % 3;
                memset(out, 0, sizeof out);
                span(coef, NX, &a, (double)yo, x0, i0, i0 + len, -1000.0f, 2000.0f, out);
                for (long i = i0; i < i0 + len; i++) {
                    want[i] = reference(coef, NX, &a, (double)yo, (double)(x0 + i), -1000.0f, 2000.0f);
                    bad += memcmp(&out[i], &want[i], sizeof(float)) != 0;
                    total++;
                }
            }
    }
    CHECK_MSG(bad == 0, "%s: %ld of %ld pixels differ from the scalar statement", name, bad, total);
    printf("test_kernels: %s: %ld pixels, %ld different\n", name, total, bad);
    free(coef);
    return 0;
}

int main(void)
{
    printf("test_kernels: built %s, in use %s\n", aia_kernels_built(), aia_kernels());
#if defined(__x86_64__)
    if (aia_cubic_span_avx2_avx2 && aia_cubic_columns_avx2_avx2 && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma"))
        run_level("avx2", avx2_span);
    else
        printf("test_kernels: avx2 SKIPPED: not built, or this CPU has no AVX2/FMA\n");
    if (aia_cubic_span_simd_avx512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        run_level("avx512", aia_cubic_span_simd_avx512);
    else
        printf("test_kernels: avx512 SKIPPED: not built, or this CPU has no AVX-512\n");
#else
    printf("test_kernels: SKIPPED: the hand-written kernels are x86-64's\n");
#endif
    return test_done("test_kernels");
}
