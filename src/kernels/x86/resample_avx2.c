/* resample_avx2.c — the cubic B-spline over an interior span at the avx2
 * level, 8 output pixels at a time, with the arithmetic of the avx512
 * kernel (resample_avx512.c) lane for lane: positions in double as scipy
 * forms them, the fraction rounded to float32, weights and taps in float32
 * with fused multiply-adds in the same order. So the avx2 and avx512 levels
 * give the same bytes (tests/test_kernels.c checks both against one scalar
 * statement of that arithmetic); the error, ~1e-7 of the values, is far
 * inside registration's tolerance.
 *
 * Registration maps are nearly axis-aligned with a scale near 1, so 8
 * neighbouring output pixels almost always take their taps from the same 4
 * input rows at 8 consecutive columns: each tap of each row is then one
 * unaligned load (taps_unit_stride; it halved the sampling time on a Zen 3
 * core, where the permutes below were the bound). Groups that straddle a
 * column step take the same 4 rows within 16 columns: two loads a row and
 * each tap two permutes and a blend, instead of a gather. Groups that do not
 * fit (large rolls or scales) are done a lane at a time. */
#include "kernels/cpu/resample.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "resample_avx2.c belongs to the avx2 level only (-march=x86-64-v3)"
#endif
#include <immintrin.h>

#define WINDOW 16 /* columns held in two registers */

typedef struct group {
    __m256i ix, iy;       /* integer parts (trunc = floor, >= 1) */
    __m256 wx[4], wy[4];  /* cubic B-spline weights               */
} group;

static inline void cubic_weights8(__m256 u, __m256 w[4])
{
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    const __m256 three = _mm256_set1_ps(3.0f), four = _mm256_set1_ps(4.0f);
    const __m256 sixth = _mm256_set1_ps(1.0f / 6.0f);
    const __m256 z = _mm256_sub_ps(one, u);
    /* w1 = (u^2 (u - 2) 3 + 4) / 6, w2 likewise in z, w0 = z^3 / 6 */
    w[1] = _mm256_mul_ps(_mm256_fmadd_ps(_mm256_mul_ps(_mm256_mul_ps(u, u), _mm256_sub_ps(u, two)), three, four), sixth);
    w[2] = _mm256_mul_ps(_mm256_fmadd_ps(_mm256_mul_ps(_mm256_mul_ps(z, z), _mm256_sub_ps(z, two)), three, four), sixth);
    w[0] = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(z, z), z), sixth);
    w[3] = _mm256_sub_ps(one, _mm256_add_ps(_mm256_add_ps(w[0], w[1]), w[2]));
}

/* 4 positions (double, >= 1) -> integer part and fraction (float). The
 * integer part by rounding down in double: for these positions the same
 * value as the truncated integer converted back, in one instruction
 * instead of two conversions. */
static inline void split4(__m256d v, __m128i *i, __m128 *f)
{
    const __m256d whole = _mm256_round_pd(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    *i = _mm256_cvttpd_epi32(whole);
    *f = _mm256_cvtpd_ps(_mm256_sub_pd(v, whole));
}

/* The terms of the positions that depend on the output column only,
 * shift + xo * m (x and y), for columns x0 .. x0 + n - 1 (n a multiple of
 * 8): the same for every row, so made once a frame (aia_cubic_columns). */
void aia_cubic_columns_avx2(const aia_affine *a, long x0, long n, double *col_x, double *col_y)
{
    const __m256d lane = _mm256_set_pd(3, 2, 1, 0);
    const __m256d m00 = _mm256_set1_pd(a->m[0][0]), m10 = _mm256_set1_pd(a->m[1][0]);
    const __m256d sx = _mm256_set1_pd(a->shift[0]), sy = _mm256_set1_pd(a->shift[1]);
    for (long i = 0; i < n; i += 4) {
        const __m256d o = _mm256_add_pd(_mm256_set1_pd((double)(x0 + i)), lane);
        _mm256_storeu_pd(col_x + i, _mm256_add_pd(sx, _mm256_mul_pd(o, m00)));
        _mm256_storeu_pd(col_y + i, _mm256_add_pd(sy, _mm256_mul_pd(o, m10)));
    }
}

/* Positions and weights of output pixels i .. i+7 on row yo:
 * x = (shift_x + xo*m00) + yo*m01, as scipy, the first term from the
 * column table. */
static inline void setup(const double *col_x, const double *col_y, __m256d tx, __m256d ty, long i, group *g)
{
    __m128i ix[2], iy[2];
    __m128 ux[2], uy[2];
    for (int half = 0; half < 2; half++) {
        const __m256d x = _mm256_add_pd(_mm256_loadu_pd(col_x + i + 4 * half), tx);
        const __m256d y = _mm256_add_pd(_mm256_loadu_pd(col_y + i + 4 * half), ty);
        split4(x, &ix[half], &ux[half]);
        split4(y, &iy[half], &uy[half]);
    }
    g->ix = _mm256_set_m128i(ix[1], ix[0]);
    g->iy = _mm256_set_m128i(iy[1], iy[0]);
    cubic_weights8(_mm256_set_m128(ux[1], ux[0]), g->wx);
    cubic_weights8(_mm256_set_m128(uy[1], uy[0]), g->wy);
}

static inline int hmin(__m256i v)
{
    __m128i m = _mm_min_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_min_epi32(m, _mm_shuffle_epi32(m, 0x4E));
    return _mm_cvtsi128_si32(_mm_min_epi32(m, _mm_shuffle_epi32(m, 0xB1)));
}

static inline int hmax(__m256i v)
{
    __m128i m = _mm_max_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_max_epi32(m, _mm_shuffle_epi32(m, 0x4E));
    return _mm_cvtsi128_si32(_mm_max_epi32(m, _mm_shuffle_epi32(m, 0xB1)));
}

/* All lanes on one row, within WINDOW columns: loads + permutes. The tap
 * loop runs outside the row loop (each row's sum is still its taps in
 * order), so that only one tap's index and blend mask are live: with all
 * four the registers spill. */
static inline __m256 taps_by_permute(const float *coef, long stride, const group *g, int row, int lo, int hi)
{
    const float *base = coef + (long)(row - 1) * stride + (lo - 1);
    const __m256i idx0 = _mm256_sub_epi32(g->ix, _mm256_set1_epi32(lo));
    const int width = hi - lo + 4; /* columns needed, <= WINDOW */
    /* masked loads read exactly the columns needed: never past the frame */
    const __m256i col = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i lower = _mm256_cmpgt_epi32(_mm256_set1_epi32(width), col);
    const __m256i upper = _mm256_cmpgt_epi32(_mm256_set1_epi32(width - 8), col);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int t = 0; t < 4; t++) {
        const __m256i idx = _mm256_add_epi32(idx0, _mm256_set1_epi32(t));
        const __m256 high = _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7)));
        for (int b = 0; b < 4; b++) {
            const float *r = base + b * stride;
            const __m256 from_lo = _mm256_permutevar8x32_ps(_mm256_maskload_ps(r, lower), idx);
            const __m256 from_hi = _mm256_permutevar8x32_ps(_mm256_maskload_ps(r + 8, upper), idx); /* idx mod 8 */
            acc[b] = _mm256_fmadd_ps(_mm256_blendv_ps(from_lo, from_hi, high), g->wx[t], acc[b]);
        }
    }
    __m256 sum = _mm256_setzero_ps();
    for (int b = 0; b < 4; b++)
        sum = _mm256_fmadd_ps(acc[b], g->wy[b], sum);
    return sum;
}

/* All lanes on one row, lane l's taps starting at column ix0 + l (the map's
 * scale is within a few 1e-3 of 1 and the roll small, so this holds for all
 * but about one group in a thousand): each tap of each row is then one
 * unaligned load, no permutes. The same fused multiply-adds, in the same
 * order, as the other two forms. */
static inline __m256 taps_unit_stride(const float *coef, long stride, const group *g, int row, int col)
{
    const float *base = coef + (long)(row - 1) * stride + (col - 1);
    __m256 sum = _mm256_setzero_ps();
    for (int b = 0; b < 4; b++) {
        const float *r = base + b * stride;
        __m256 acc = _mm256_setzero_ps();
        for (int t = 0; t < 4; t++)
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(r + t), g->wx[t], acc);
        sum = _mm256_fmadd_ps(acc, g->wy[b], sum);
    }
    return sum;
}

/* Any layout (large rolls or scales): each lane on its own, the same
 * fused multiply-adds in scalar form. Not gathers: they are slow on AMD
 * processors, and a gather version gave other values under qemu 7.2's
 * emulation, on which the tests run this level as a Haswell (right on the
 * hardware; the cause was not pinned down). */
static inline __m256 taps_by_lanes(const float *coef, long stride, const group *g)
{
    int ix[8], iy[8];
    float wx[4][8], wy[4][8], v[8];
    _mm256_storeu_si256((__m256i *)ix, g->ix);
    _mm256_storeu_si256((__m256i *)iy, g->iy);
    for (int t = 0; t < 4; t++) {
        _mm256_storeu_ps(wx[t], g->wx[t]);
        _mm256_storeu_ps(wy[t], g->wy[t]);
    }
    for (int l = 0; l < 8; l++) {
        const float *p = coef + (long)(iy[l] - 1) * stride + (ix[l] - 1);
        float sum = 0.0f;
        for (int b = 0; b < 4; b++) {
            float acc = 0.0f;
            for (int t = 0; t < 4; t++)
                acc = __builtin_fmaf(p[b * stride + t], wx[t][l], acc);
            sum = __builtin_fmaf(acc, wy[b][l], sum);
        }
        v[l] = sum;
    }
    return _mm256_loadu_ps(v);
}

void aia_cubic_span_avx2(const float *coef, long stride, const aia_affine *a, const double *col_x, const double *col_y,
                         double yo, long i0, long i1, float lo, float hi, float *out)
{
    const __m256d tx = _mm256_set1_pd(yo * a->m[0][1]), ty = _mm256_set1_pd(yo * a->m[1][1]);
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    const __m256i lanes = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    for (long i = i0, n; i < i1; i += n) {
        n = i1 - i < 8 ? i1 - i : 8;
        /* a short first group, so that the others start on 32 bytes */
        const long to_aligned = (long)((0u - (uintptr_t)(out + i)) & 31) / (long)sizeof(float);
        if (to_aligned && to_aligned < n)
            n = to_aligned;
        const __m256i active = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), lanes);
        group g;
        setup(col_x, col_y, tx, ty, i, &g);
        /* inactive lanes copy lane 0, so that they do not widen the window */
        const int row0 = _mm_cvtsi128_si32(_mm256_castsi256_si128(g.iy));
        const int col0 = _mm_cvtsi128_si32(_mm256_castsi256_si128(g.ix));
        g.ix = _mm256_blendv_epi8(_mm256_set1_epi32(col0), g.ix, active);
        g.iy = _mm256_blendv_epi8(_mm256_set1_epi32(row0), g.iy, active);
        const int same_row = _mm256_movemask_epi8(_mm256_cmpeq_epi32(g.iy, _mm256_set1_epi32(row0))) == -1;
        const int unit = n == 8 && _mm256_movemask_epi8(_mm256_cmpeq_epi32(
                                       g.ix, _mm256_add_epi32(_mm256_set1_epi32(col0), lanes))) == -1;
        __m256 v;
        if (same_row && unit) {
            v = taps_unit_stride(coef, stride, &g, row0, col0);
        } else {
            const int first = hmin(g.ix), last = hmax(g.ix);
            v = (same_row && last - first + 4 <= WINDOW) ? taps_by_permute(coef, stride, &g, row0, first, last)
                                                         : taps_by_lanes(coef, stride, &g);
        }
        const __m256 clipped = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
        if (n == 8) {
            /* streaming: the frame is far larger than the caches and read
             * again only by later passes, so reading each line in before
             * writing it (a plain store) would be traffic for nothing */
            _mm256_stream_ps(out + i, clipped);
        } else { /* the first or last group: not a masked store, which is slow on AMD */
            float tail[8];
            _mm256_storeu_ps(tail, clipped);
            for (long k = 0; k < n; k++)
                out[i + k] = tail[k];
        }
    }
    _mm_sfence(); /* the streamed rows before anything the caller does next */
}
