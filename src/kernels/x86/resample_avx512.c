/* resample_avx512.c — the cubic B-spline over an interior span, 16 output
 * pixels at a time with AVX-512.
 *
 * Registration maps are nearly axis-aligned (AIA rolls are tenths of a
 * degree, scales within 0.2% of 1), so 16 neighbouring output pixels almost
 * always take their taps from the same 4 input rows, within a window of 32
 * columns. Then each row is 2 loads and each tap a permute within those
 * registers, instead of a gather. Groups that do not fit (large rolls or
 * scales) fall back to gathers. Positions are computed in double exactly as
 * scipy forms them; weights and taps are float32 (error ~1e-7 of the values,
 * far inside registration's tolerance). The avx2 level's kernel
 * (resample_avx2.c) does the same arithmetic in 8 lanes: the same bytes. */
#include "kernels/cpu/resample.h"

#if !(defined(__AVX512F__) && defined(__AVX512DQ__))
#error "resample_avx512.c belongs to the avx512 level only (-march=x86-64-v4)"
#endif
#include <immintrin.h>

#define WINDOW 32 /* columns held in two registers */

typedef struct group {
    __m512i ix, iy;                 /* integer parts (trunc = floor, >= 1) */
    __m512 wx[4], wy[4];            /* cubic B-spline weights               */
} group;

static inline void cubic_weights16(__m512 u, __m512 w[4])
{
    const __m512 one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
    const __m512 three = _mm512_set1_ps(3.0f), four = _mm512_set1_ps(4.0f);
    const __m512 sixth = _mm512_set1_ps(1.0f / 6.0f);
    const __m512 z = _mm512_sub_ps(one, u);
    /* w1 = (u^2 (u - 2) 3 + 4) / 6, w2 likewise in z, w0 = z^3 / 6 */
    w[1] = _mm512_mul_ps(_mm512_fmadd_ps(_mm512_mul_ps(_mm512_mul_ps(u, u), _mm512_sub_ps(u, two)), three, four), sixth);
    w[2] = _mm512_mul_ps(_mm512_fmadd_ps(_mm512_mul_ps(_mm512_mul_ps(z, z), _mm512_sub_ps(z, two)), three, four), sixth);
    w[0] = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(z, z), z), sixth);
    w[3] = _mm512_sub_ps(one, _mm512_add_ps(_mm512_add_ps(w[0], w[1]), w[2]));
}

/* 8 positions (double) -> integer part and fraction (float). */
static inline void split8(__m512d v, __m256i *i, __m256 *f)
{
    *i = _mm512_cvttpd_epi32(v);
    *f = _mm512_cvtpd_ps(_mm512_sub_pd(v, _mm512_cvtepi32_pd(*i)));
}

static inline __m512i join_epi32(__m256i lo, __m256i hi)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static inline __m512 join_ps(__m256 lo, __m256 hi)
{
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}

/* Positions and weights of output pixels xo .. xo+15 on row yo:
 * x = (shift_x + xo*m00) + yo*m01, as scipy. */
static inline void setup(const aia_affine *a, double xo, double yo, group *g)
{
    const __m512d lane = _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512d m00 = _mm512_set1_pd(a->m[0][0]), m10 = _mm512_set1_pd(a->m[1][0]);
    const __m512d sx = _mm512_set1_pd(a->shift[0]), sy = _mm512_set1_pd(a->shift[1]);
    const __m512d tx = _mm512_set1_pd(yo * a->m[0][1]), ty = _mm512_set1_pd(yo * a->m[1][1]);
    __m256i ixl, ixh, iyl, iyh;
    __m256 uxl, uxh, uyl, uyh;
    for (int half = 0; half < 2; half++) {
        const __m512d o = _mm512_add_pd(_mm512_set1_pd(xo + 8 * half), lane);
        const __m512d x = _mm512_add_pd(_mm512_add_pd(sx, _mm512_mul_pd(o, m00)), tx);
        const __m512d y = _mm512_add_pd(_mm512_add_pd(sy, _mm512_mul_pd(o, m10)), ty);
        split8(x, half ? &ixh : &ixl, half ? &uxh : &uxl);
        split8(y, half ? &iyh : &iyl, half ? &uyh : &uyl);
    }
    g->ix = join_epi32(ixl, ixh);
    g->iy = join_epi32(iyl, iyh);
    cubic_weights16(join_ps(uxl, uxh), g->wx);
    cubic_weights16(join_ps(uyl, uyh), g->wy);
}

/* All active lanes on one row, within WINDOW columns: loads + permutes. */
static inline __m512 taps_by_permute(const float *coef, long stride, const group *g, int row, int lo, int hi)
{
    const long base = (long)(row - 1) * stride + (lo - 1);
    const __m512i idx0 = _mm512_sub_epi32(g->ix, _mm512_set1_epi32(lo));
    const int width = hi - lo + 4; /* columns needed, <= WINDOW */
    /* masked loads read exactly the columns needed: never past the frame */
    const __mmask16 lower = width >= 16 ? (__mmask16)0xFFFFu : (__mmask16)((1u << width) - 1u);
    const __mmask16 upper = width > 16 ? (__mmask16)((1u << (width - 16)) - 1u) : 0;
    __m512 sum = _mm512_setzero_ps();
    for (int b = 0; b < 4; b++) {
        const float *r = coef + base + b * stride;
        const __m512 w0 = _mm512_maskz_loadu_ps(lower, r);
        const __m512 w1 = _mm512_maskz_loadu_ps(upper, r + 16);
        __m512 acc = _mm512_setzero_ps();
        for (int t = 0; t < 4; t++) {
            const __m512i idx = _mm512_add_epi32(idx0, _mm512_set1_epi32(t));
            acc = _mm512_fmadd_ps(_mm512_permutex2var_ps(w0, idx, w1), g->wx[t], acc);
        }
        sum = _mm512_fmadd_ps(acc, g->wy[b], sum);
    }
    return sum;
}

/* Any layout: one gather per tap. */
static inline __m512 taps_by_gather(const float *coef, long stride, const group *g, __mmask16 active)
{
    const __m512i first = _mm512_add_epi32(
        _mm512_mullo_epi32(_mm512_sub_epi32(g->iy, _mm512_set1_epi32(1)), _mm512_set1_epi32((int)stride)),
        _mm512_sub_epi32(g->ix, _mm512_set1_epi32(1)));
    __m512 sum = _mm512_setzero_ps();
    for (int b = 0; b < 4; b++) {
        __m512 acc = _mm512_setzero_ps();
        const __m512i rowi = _mm512_add_epi32(first, _mm512_set1_epi32(b * (int)stride));
        for (int t = 0; t < 4; t++) {
            const __m512i idx = _mm512_add_epi32(rowi, _mm512_set1_epi32(t));
            const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, idx, coef, 4);
            acc = _mm512_fmadd_ps(v, g->wx[t], acc);
        }
        sum = _mm512_fmadd_ps(acc, g->wy[b], sum);
    }
    return sum;
}

void aia_cubic_span_simd(const float *coef, long stride, const aia_affine *a, double yo, long x0, long i0,
                         long i1, float lo, float hi, float *out)
{
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    for (long i = i0; i < i1; i += 16) {
        const long n = i1 - i < 16 ? i1 - i : 16;
        const __mmask16 active = (__mmask16)(n == 16 ? 0xFFFFu : (1u << n) - 1u);
        group g;
        setup(a, (double)(x0 + i), yo, &g);
        /* inactive lanes copy lane 0, so that they do not widen the window */
        const int row0 = _mm_cvtsi128_si32(_mm512_castsi512_si128(g.iy));
        const int col0 = _mm_cvtsi128_si32(_mm512_castsi512_si128(g.ix));
        g.ix = _mm512_mask_mov_epi32(_mm512_set1_epi32(col0), active, g.ix);
        g.iy = _mm512_mask_mov_epi32(_mm512_set1_epi32(row0), active, g.iy);
        const int first = _mm512_reduce_min_epi32(g.ix), last = _mm512_reduce_max_epi32(g.ix);
        const __mmask16 same_row = _mm512_cmpeq_epi32_mask(g.iy, _mm512_set1_epi32(row0));
        const __m512 v = (same_row == 0xFFFFu && last - first + 4 <= WINDOW)
                             ? taps_by_permute(coef, stride, &g, row0, first, last)
                             : taps_by_gather(coef, stride, &g, active);
        _mm512_mask_storeu_ps(out + i, active, _mm512_min_ps(_mm512_max_ps(v, vlo), vhi));
    }
}
