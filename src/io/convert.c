/* convert.c — pixels on their way into an integer FITS image: the range
 * after rounding (to choose int16 or int32), and the conversion itself
 * (rounded half away from zero, NaN to BLANK), both vectorised. */
#include "io/io.h"
#include "io/pixel_stats.h"

#include <math.h>
#include <stdint.h>
#if AIA_HAVE_V3
#include <immintrin.h>
#endif

/* Smallest and largest value of n pixels (NaN ignored) into *lo, *hi: each
 * extreme a plain select (x < lo ? x : lo is false for NaN) under an omp
 * simd reduction, so the loop becomes min/max instructions (written with
 * 16 lanes in arrays, GCC 12 left it scalar: 6 instructions a pixel); one
 * pass per 64 MiB frame at memory speed. */
#define DEFINE_RANGE(name, src_t)                                                                  \
    static void name(const src_t *p, size_t n, double *lo, double *hi)                             \
    {                                                                                              \
        double mn = INFINITY, mx = -INFINITY;                                                      \
        _Pragma("omp parallel for schedule(static) reduction(min : mn) reduction(max : mx)")      \
        for (size_t b = 0; b < n; b += 65536) {                                                    \
            const size_t end = n - b < 65536 ? n : b + 65536;                                     \
            src_t l = (src_t)INFINITY, h = (src_t)-INFINITY;                                       \
            _Pragma("omp simd reduction(min : l) reduction(max : h)")                              \
            for (size_t i = b; i < end; i++) {                                                     \
                l = p[i] < l ? p[i] : l;                                                           \
                h = p[i] > h ? p[i] : h;                                                           \
            }                                                                                      \
            mn = (double)l < mn ? (double)l : mn;                                                  \
            mx = (double)h > mx ? (double)h : mx;                                                  \
        }                                                                                          \
        *lo = mn;                                                                                  \
        *hi = mx;                                                                                  \
    }
DEFINE_RANGE(range_f32, float)
DEFINE_RANGE(range_f64, double)
#undef DEFINE_RANGE

/* Smallest and largest pixel (NaN ignored; lo > hi when none is finite). */
void aia_pixel_range(const aia_image *img, double *lo, double *hi)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    if (img->pixtype == AIA_PIX_F64)
        range_f64(img->data, n, lo, hi);
    else
        range_f32(img->data, n, lo, hi);
}

/* Convert n pixels to integers, x * scale rounded half away from zero, NaN
 * to BLANK (the type's minimum); returns the number of BLANK pixels, or -1
 * when some x * scale lies outside [lo, hi], the bounds the type was chosen
 * for (the codes are then not written: a caller's bound was wrong, and the
 * writer starts again with the range pass). scale is 1 or a power of two (a
 * sub-DN quantum), so the product is exact. Within the bounds the values
 * fit, so truncation goes through int32 and the fraction x - trunc(x) is
 * exact. Blocks of BLOCK pixels pass three plain loops (NaN replaced and
 * the extremes taken; rounded; BLANK put and narrowed): written so, each
 * vectorises, where one loop doing all three does not (GCC 12). The
 * block's codes, still in L1 cache, are then counted in hist (when given):
 * the statistics of the output cost no pass of their own. */
#define BLOCK 4096
#define DEFINE_TO_INT(name, src_t, dst_t, blank)                                                   \
    DEFINE_TO_INT_WITH(name, src_t, dst_t, blank, DEFINE_BLOCK_V3(name, src_t, dst_t, blank))
/* ... with the v3 block given (V3 empty: written out, as float -> int16 is) */
#define DEFINE_TO_INT_WITH(name, src_t, dst_t, blank, V3)                                         \
    DEFINE_BLOCK(name##_block_generic, src_t, dst_t, blank, )                                      \
    V3                                                                                             \
    static int name##_block(const src_t *src, int n, const double *k, dst_t *out)                  \
    {                                                                                              \
        return USE_V3(name, src, n, k, out);                                                       \
    }                                                                                              \
    DEFINE_REST(name, src_t, dst_t)
#if AIA_HAVE_V3
#define DEFINE_BLOCK_V3(name, src_t, dst_t, blank) DEFINE_BLOCK(name##_block_v3, src_t, dst_t, blank, AIA_TARGET_V3)
/* The default output's conversion (float32 to int16) at v3 in one pass of
 * eight lanes: the three loops' arithmetic (product, extremes ignoring NaN,
 * truncation and the fraction's two comparisons, BLANK), in registers. A
 * block past its bounds is refused after the pass (its codes unused), not
 * before: the conversions of such values are an instruction's defined
 * result here, not C's undefined one. 1.45-1.65x the three loops' speed (one
 * thread, the 171 A sample registered, best of 21: 13.6-15.8 -> 9.4-9.5 ms a
 * frame, the same codes). */
static AIA_TARGET_V3 int f32_to_int16_block_v3(const float *src, int n, const double *k, int16_t *out)
{
    const __m256 scale = _mm256_set1_ps((float)k[0]), half = _mm256_set1_ps(0.5f), mhalf = _mm256_set1_ps(-0.5f);
    const __m256i blank = _mm256_set1_epi32(INT16_MIN);
    __m256 lo = _mm256_set1_ps(INFINITY), hi = _mm256_set1_ps(-INFINITY);
    __m256i nans = _mm256_setzero_si256();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 a = _mm256_loadu_ps(src + i);
        const __m256 x = _mm256_mul_ps(a, scale);
        const __m256 nan = _mm256_cmp_ps(a, a, _CMP_UNORD_Q);
        lo = _mm256_min_ps(x, lo); /* NaN x: lo kept (min/max give the second operand) */
        hi = _mm256_max_ps(x, hi);
        const __m256 v = _mm256_andnot_ps(nan, x);
        const __m256i t = _mm256_cvttps_epi32(v);
        const __m256 frac = _mm256_sub_ps(v, _mm256_cvtepi32_ps(t));
        const __m256i up = _mm256_castps_si256(_mm256_cmp_ps(frac, half, _CMP_GE_OQ));
        const __m256i down = _mm256_castps_si256(_mm256_cmp_ps(frac, mhalf, _CMP_LE_OQ));
        const __m256i r = _mm256_add_epi32(_mm256_sub_epi32(t, up), down); /* true is -1 */
        const __m256i coded = _mm256_blendv_epi8(r, blank, _mm256_castps_si256(nan));
        const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(coded, coded), 0x08);
        _mm_storeu_si128((__m128i *)(out + i), _mm256_castsi256_si128(packed));
        nans = _mm256_sub_epi32(nans, _mm256_castps_si256(nan));
    }
    float l[8], h[8];
    int c[8];
    _mm256_storeu_ps(l, lo);
    _mm256_storeu_ps(h, hi);
    _mm256_storeu_si256((__m256i *)c, nans);
    float mn = INFINITY, mx = -INFINITY;
    int blanks = 0;
    for (int j = 0; j < 8; j++) {
        mn = l[j] < mn ? l[j] : mn;
        mx = h[j] > mx ? h[j] : mx;
        blanks += c[j];
    }
    for (; i < n; i++) { /* the rest as the three loops do it */
        const float x = src[i] * (float)k[0];
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
        const float v = x == x ? x : 0.0f;
        const int32_t t = (int32_t)(v < 2147483520.0f && v > -2147483520.0f ? v : 0.0f); /* refused below */
        const float frac = v - (float)t;
        out[i] = src[i] != src[i] ? (int16_t)INT16_MIN : (int16_t)(t + (frac >= 0.5f) - (frac <= -0.5f));
        blanks += src[i] != src[i];
    }
    return (double)mn < k[1] || (double)mx > k[2] ? -1 : blanks;
}
#define USE_V3(name, src, n, k, out) \
    (aia_cpu_x86_level() >= 3 ? name##_block_v3 : name##_block_generic)(src, n, k, out)
#else
#define DEFINE_BLOCK_V3(name, src_t, dst_t, blank)
#define USE_V3(name, src, n, k, out) name##_block_generic(src, n, k, out)
#endif
/* k: {scale, lo, hi}; the extremes compared in double, where each x is
 * exact (a bound rounded to the source type could admit a code past it). */
#define DEFINE_BLOCK(fname, src_t, dst_t, blank, ATTR)                                             \
    static ATTR int fname(const src_t *src, int n, const double *k, dst_t *out)                    \
    {                                                                                              \
        src_t v[BLOCK];                                                                            \
        int32_t r[BLOCK];                                                                          \
        const src_t scale = (src_t)k[0];                                                           \
        src_t lo = (src_t)INFINITY, hi = (src_t)-INFINITY;                                         \
        _Pragma("omp simd reduction(min : lo) reduction(max : hi)")                                \
        for (int i = 0; i < n; i++) { /* product first: a conditional one does not vectorise */    \
            const src_t x = src[i] * scale;                                                        \
            v[i] = x == x ? x : (src_t)0;                                                          \
            lo = x < lo ? x : lo; /* a plain select: false for NaN */                              \
            hi = x > hi ? x : hi;                                                                  \
        }                                                                                          \
        if ((double)lo < k[1] || (double)hi > k[2])                                                \
            return -1;                                                                             \
        for (int i = 0; i < n; i++) {                                                              \
            const int32_t t = (int32_t)v[i];                                                       \
            const src_t frac = v[i] - (src_t)t;                                                    \
            r[i] = t + (frac >= (src_t)0.5) - (frac <= (src_t)-0.5);                               \
        }                                                                                          \
        int blanks = 0;                                                                            \
        for (int i = 0; i < n; i++) {                                                              \
            out[i] = src[i] != src[i] ? (dst_t)(blank) : (dst_t)r[i];                              \
            blanks += src[i] != src[i];                                                            \
        }                                                                                          \
        return blanks;                                                                             \
    }
#define DEFINE_REST(name, src_t, dst_t)                                                            \
    static long long name##_here(const src_t *src, size_t n, const double *bounds, dst_t *out,    \
                                 aia_code_hist *hist)                                              \
    {                                                                                              \
        long long blanks = 0;                                                                      \
        for (size_t b = 0; b < n; b += BLOCK) {                                                    \
            const int m = (int)(n - b < BLOCK ? n - b : BLOCK);                                    \
            const int got = name##_block(src + b, m, bounds, out + b);                             \
            if (got < 0)                                                                           \
                return -1;                                                                         \
            blanks += got;                                                                         \
            if (hist)                                                                              \
                add(hist, out + b, m);                                                             \
        }                                                                                          \
        return blanks;                                                                             \
    }                                                                                              \
    static long long name(const src_t *src, size_t n, const double *bounds, dst_t *out,           \
                          aia_code_hist *hist, int parallel)                                       \
    {                                                                                              \
        if (!parallel)                                                                             \
            return name##_here(src, n, bounds, out, hist);                                         \
        long long blanks = 0;                                                                      \
        int outside = 0;                                                                           \
        _Pragma("omp parallel for schedule(static) reduction(+ : blanks) reduction(| : outside)")  \
        for (size_t b = 0; b < n; b += BLOCK) {                                                    \
            const long long got = name##_here(src + b, n - b < BLOCK ? n - b : BLOCK, bounds, out + b, hist); \
            outside |= got < 0;                                                                    \
            blanks += got < 0 ? 0 : got;                                                           \
        }                                                                                          \
        return outside ? -1 : blanks;                                                              \
    }
#define add aia_code_hist_add16
DEFINE_TO_INT_WITH(f32_to_int16, float, int16_t, INT16_MIN, )
DEFINE_TO_INT(f64_to_int16, double, int16_t, INT16_MIN)
#undef add
#define add aia_code_hist_add32
DEFINE_TO_INT(f32_to_int32, float, int32_t, INT32_MIN)
DEFINE_TO_INT(f64_to_int32, double, int32_t, INT32_MIN)
#undef add
#undef DEFINE_TO_INT
#undef DEFINE_TO_INT_WITH
#undef DEFINE_BLOCK
#undef DEFINE_BLOCK_V3
#undef DEFINE_REST
#undef USE_V3
#undef BLOCK

/* Rows [y0, y0 + rows) of img as integers of the output type, by a team of
 * threads or (parallel = 0) by the calling one. */
static long long convert_rows(const aia_image *img, const aia_int_coding *c, long y0, long rows, void *out,
                              aia_code_hist *hist, int parallel)
{
    const size_t base = (size_t)y0 * (size_t)img->width, n = (size_t)rows * (size_t)img->width;
    const int f64 = img->pixtype == AIA_PIX_F64;
    const double k[3] = {c->scale, c->lo, c->hi};
    if (c->type == AIA_OUT_INT16)
        return f64 ? f64_to_int16((const double *)img->data + base, n, k, out, hist, parallel)
                   : f32_to_int16((const float *)img->data + base, n, k, out, hist, parallel);
    return f64 ? f64_to_int32((const double *)img->data + base, n, k, out, hist, parallel)
               : f32_to_int32((const float *)img->data + base, n, k, out, hist, parallel);
}

long long aia_to_integers(const aia_image *img, const aia_int_coding *c, long y0, long rows, void *out,
                          aia_code_hist *hist)
{
    return convert_rows(img, c, y0, rows, out, hist, 1);
}

long long aia_to_integers_here(const aia_image *img, const aia_int_coding *c, long y0, long rows, void *out,
                               aia_code_hist *hist)
{
    return convert_rows(img, c, y0, rows, out, hist, 0);
}
