/* core.h — the plumbing every layer of libaiaprep shares: the status
 * message of the calling thread, image allocation, scratch memory, the
 * median selector, rounding. Nothing here is public. */
#ifndef AIAPREP_CORE_H
#define AIAPREP_CORE_H

#include "aiaprep.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define AIA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AIA_PRINTF(a, b)
#endif

/* Record the detail message of a failure for this thread and return status,
 * so that error paths read `return aia_fail(AIA_ERR_IO, "%s: ...", path);`. */
int aia_fail(int status, const char *fmt, ...) AIA_PRINTF(2, 3);
/* Clear this thread's detail message. */
void aia_clear_error(void);
/* Prefix this thread's detail message with "prefix: ". */
void aia_error_prefix(const char *prefix);

/* aia_image_create, but the pixels are left uninitialised when !zero (for
 * readers that overwrite every pixel: saves clearing 64 MiB per frame). */
int aia_image_alloc(long width, long height, aia_pixtype pixtype, int zero, aia_image **out);

/* Give img this shape, reusing its buffer when it is large enough; the
 * pixels are left undefined. */
int aia_image_reshape(aia_image *img, long width, long height, aia_pixtype pixtype);

/* The k-th smallest (0-based) finite value of v[0..n), NaN/Inf ignored. */
int aia_select_float(const float *v, size_t n, uint64_t k, float *out);

/* Monotonic wall-clock seconds. */
double aia_now(void);

/* The x86-64 level this CPU runs (cpu.c): 4 (x86-64-v4), 3 (x86-64-v3) or 0
 * (older, or not x86-64). */
int aia_cpu_x86_level(void);

/* A function compiled a second time for x86-64-v3 (AVX2, FMA, BMI2) with
 * this attribute, beside its plain build, and picked when
 * aia_cpu_x86_level() >= 3: the I/O layer's loops (the kernels have their
 * own per-level builds). */
#if defined(__x86_64__) && defined(__GNUC__)
#define AIA_HAVE_V3 1
#define AIA_TARGET_V3 __attribute__((target("arch=x86-64-v3")))
#else
#define AIA_HAVE_V3 0
#define AIA_TARGET_V3
#endif

/* malloc for frame-sized buffers: from 2 MiB up, 2 MiB-aligned and marked
 * for transparent huge pages (memory.c); freed with free(). */
void *aia_alloc_frame(size_t bytes);

/* A workspace buffer of at least `bytes`, kept for the next call (slot is a
 * small integer naming the use). NULL when out of memory. */
void *aia_workspace_buffer(aia_workspace *ws, int slot, size_t bytes);

/* Whether the buffer the slot's last aia_workspace_buffer call returned had
 * been returned before (its pages in place: not fresh). A pass that streams
 * its stores past the caches does so only then: into fresh pages, which the
 * kernel clears through the caches as they are first touched, plain stores
 * were faster (one frame, 24 pairs: 0.190 s with them, 0.205 s streaming). */
int aia_workspace_reused(const aia_workspace *ws, int slot);

/* Pixel i of an array of either type, as double; and stored back. */
static inline double aia_pixel(const void *data, aia_pixtype type, size_t i)
{
    return type == AIA_PIX_F64 ? ((const double *)data)[i] : (double)((const float *)data)[i];
}
static inline void aia_pixel_set(void *data, aia_pixtype type, size_t i, double v)
{
    if (type == AIA_PIX_F64)
        ((double *)data)[i] = v;
    else
        ((float *)data)[i] = (float)v;
}
/* Row y of a view. */
static inline void *aia_view_row(aia_view v, long y)
{
    return (char *)v.data + (size_t)y * (size_t)v.stride * aia_pixtype_size(v.type);
}
/* The median of a view's finite pixels (aia_image_stats' median); NaN if
 * there are none or memory runs out. */
double aia_view_median(aia_view v);

/* Check a view the caller lends: pixels, a known type, stride >= width;
 * `what` names it in the message. */
int aia_view_check(aia_view v, const char *what);

/* Round half away from zero, as C's round(), but inlined and vectorisable:
 * libm's round() is a call per pixel. x - trunc(x) is exact in binary
 * floating point, so the comparison with 0.5 decides exactly. */
static inline double aia_round_half_away(double x)
{
    double t = __builtin_trunc(x);
    return __builtin_fabs(x - t) >= 0.5 ? t + __builtin_copysign(1.0, x) : t;
}

#endif
