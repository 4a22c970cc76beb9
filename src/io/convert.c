/* convert.c — pixels on their way into an integer FITS image: the range
 * after rounding (to choose int16 or int32), and the conversion itself
 * (rounded half away from zero, NaN to BLANK), both vectorised. */
#include "io/io.h"
#include "io/pixel_stats.h"

#include <math.h>
#include <stdint.h>

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

/* Smallest and largest value x * scale after rounding half away from zero
 * (NaN ignored). Rounding is monotonic, so only the extremes need rounding. */
void aia_rounded_range(const aia_image *img, double scale, double *lo, double *hi)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    double mn, mx;
    if (img->pixtype == AIA_PIX_F64)
        range_f64(img->data, n, &mn, &mx);
    else
        range_f32(img->data, n, &mn, &mx);
    *lo = aia_round_half_away(mn * scale);
    *hi = aia_round_half_away(mx * scale);
}

/* Convert n pixels to integers, x * scale rounded half away from zero, NaN
 * to BLANK (the type's minimum); returns the number of BLANK pixels. scale
 * is 1 or a power of two (a sub-DN quantum), so the product is exact. The
 * values are known to fit (aia_resolve_output), so truncation goes through
 * int32 and the fraction x - trunc(x) is exact. Blocks of BLOCK pixels pass
 * three plain loops (NaN replaced; rounded; BLANK put and narrowed): written
 * so, each vectorises, where one loop doing all three does not (GCC 12).
 * The block's codes, still in L1 cache, are then counted in hist (when
 * given): the statistics of the output cost no pass of their own. */
#define BLOCK 4096
#define DEFINE_TO_INT(name, src_t, dst_t, blank)                                                   \
    DEFINE_BLOCK(name##_block_generic, src_t, dst_t, blank, )                                      \
    DEFINE_BLOCK_V3(name, src_t, dst_t, blank)                                                     \
    static int name##_block(const src_t *src, int n, src_t scale, dst_t *out)                     \
    {                                                                                              \
        return USE_V3(name, src, n, scale, out);                                                   \
    }                                                                                              \
    DEFINE_REST(name, src_t, dst_t)
#if AIA_HAVE_V3
#define DEFINE_BLOCK_V3(name, src_t, dst_t, blank) DEFINE_BLOCK(name##_block_v3, src_t, dst_t, blank, AIA_TARGET_V3)
#define USE_V3(name, src, n, scale, out) \
    (aia_cpu_x86_level() >= 3 ? name##_block_v3 : name##_block_generic)(src, n, scale, out)
#else
#define DEFINE_BLOCK_V3(name, src_t, dst_t, blank)
#define USE_V3(name, src, n, scale, out) name##_block_generic(src, n, scale, out)
#endif
#define DEFINE_BLOCK(fname, src_t, dst_t, blank, ATTR)                                             \
    static ATTR int fname(const src_t *src, int n, src_t scale, dst_t *out)                       \
    {                                                                                              \
        src_t v[BLOCK];                                                                            \
        int32_t r[BLOCK];                                                                          \
        for (int i = 0; i < n; i++) { /* product first: a conditional one does not vectorise */    \
            const src_t x = src[i] * scale;                                                        \
            v[i] = x == x ? x : (src_t)0;                                                          \
        }                                                                                          \
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
    static long long name##_here(const src_t *src, size_t n, src_t scale, dst_t *out, aia_code_hist *hist) \
    {                                                                                              \
        long long blanks = 0;                                                                      \
        for (size_t b = 0; b < n; b += BLOCK) {                                                    \
            const int k = (int)(n - b < BLOCK ? n - b : BLOCK);                                    \
            blanks += name##_block(src + b, k, scale, out + b);                                    \
            if (hist)                                                                              \
                add(hist, out + b, k);                                                             \
        }                                                                                          \
        return blanks;                                                                             \
    }                                                                                              \
    static long long name(const src_t *src, size_t n, src_t scale, dst_t *out, aia_code_hist *hist, \
                          int parallel)                                                            \
    {                                                                                              \
        if (!parallel)                                                                             \
            return name##_here(src, n, scale, out, hist);                                          \
        long long blanks = 0;                                                                      \
        _Pragma("omp parallel for schedule(static) reduction(+ : blanks)")                         \
        for (size_t b = 0; b < n; b += BLOCK)                                                      \
            blanks += name##_here(src + b, n - b < BLOCK ? n - b : BLOCK, scale, out + b, hist);   \
        return blanks;                                                                             \
    }
#define add aia_code_hist_add16
DEFINE_TO_INT(f32_to_int16, float, int16_t, INT16_MIN)
DEFINE_TO_INT(f64_to_int16, double, int16_t, INT16_MIN)
#undef add
#define add aia_code_hist_add32
DEFINE_TO_INT(f32_to_int32, float, int32_t, INT32_MIN)
DEFINE_TO_INT(f64_to_int32, double, int32_t, INT32_MIN)
#undef add
#undef DEFINE_TO_INT
#undef DEFINE_BLOCK
#undef DEFINE_BLOCK_V3
#undef DEFINE_REST
#undef USE_V3
#undef BLOCK

/* Rows [y0, y0 + rows) of img as integers of the output type, by a team of
 * threads or (parallel = 0) by the calling one. */
static long long convert_rows(const aia_image *img, aia_out_type type, long y0, long rows, void *out,
                              double scale, aia_code_hist *hist, int parallel)
{
    const size_t base = (size_t)y0 * (size_t)img->width, n = (size_t)rows * (size_t)img->width;
    const int f64 = img->pixtype == AIA_PIX_F64;
    if (type == AIA_OUT_INT16)
        return f64 ? f64_to_int16((const double *)img->data + base, n, scale, out, hist, parallel)
                   : f32_to_int16((const float *)img->data + base, n, (float)scale, out, hist, parallel);
    return f64 ? f64_to_int32((const double *)img->data + base, n, scale, out, hist, parallel)
               : f32_to_int32((const float *)img->data + base, n, (float)scale, out, hist, parallel);
}

long long aia_to_integers(const aia_image *img, aia_out_type type, long y0, long rows, void *out, double scale,
                          aia_code_hist *hist)
{
    return convert_rows(img, type, y0, rows, out, scale, hist, 1);
}

long long aia_to_integers_here(const aia_image *img, aia_out_type type, long y0, long rows, void *out,
                               double scale, aia_code_hist *hist)
{
    return convert_rows(img, type, y0, rows, out, scale, hist, 0);
}

