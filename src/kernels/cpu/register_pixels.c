/* register_pixels.c — the CPU backend's registration pixel work for one
 * geometry (kernels/backend.h): the input scan (range, NaN rows), sunpy's
 * NaN substitute (the padded frame's nanmedian), the spline coefficients of
 * the padded frame, sampling through the affine map with clipping, and the
 * NaN blobs. aiapy-reference.md §2.3. */
#include "kernels/cpu/prefilter.h"
#include "kernels/cpu/resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int aia_cpu_register_pixels(const aia_backend *b, const aia_register_geometry *g, const float *in, long in_stride,
                            const aia_input_range *known, float *out, long out_stride, aia_workspace *ws,
                            aia_register_pixel_info *info);

typedef struct input_stats {
    float min, max;
    long long finite, bad;  /* bad: NaN (or Inf) */
    unsigned char *row_bad; /* per input row: has a bad pixel */
} input_stats;

static int scan_input(const aia_register_geometry *g, const float *d, long stride, input_stats *st)
{
    float mn = INFINITY, mx = -INFINITY;
    long long bad = 0;
    st->row_bad = calloc((size_t)g->ny, 1);
    if (!st->row_bad)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
#pragma omp parallel for schedule(static) reduction(min : mn) reduction(max : mx) reduction(+ : bad)
    for (long y = 0; y < g->ny; y++) {
        long row_bad = 0;
        float rmn = INFINITY, rmx = -INFINITY;
        const float *row = d + y * stride;
#pragma omp simd reduction(min : rmn) reduction(max : rmx) reduction(+ : row_bad)
        for (long x = 0; x < g->nx; x++) {
            const float v = row[x];
            const int ok = v - v == 0.0f; /* false for NaN and Inf */
            row_bad += ok ? 0 : 1;
            const float lo = ok ? v : INFINITY, hi = ok ? v : -INFINITY;
            rmn = lo < rmn ? lo : rmn; /* not fminf: that does not vectorise well */
            rmx = hi > rmx ? hi : rmx;
        }
        mn = rmn < mn ? rmn : mn;
        mx = rmx > mx ? rmx : mx;
        st->row_bad[y] = row_bad > 0;
        bad += row_bad;
    }
    st->min = mn;
    st->max = mx;
    st->bad = bad;
    st->finite = (long long)g->nx * g->ny - bad;
    return AIA_OK;
}

/* The statistics a caller's range stands for (no NaN or Inf pixel), and
 * the rows' ranges for the prefilter to fill in as it reads them, which
 * check it (rows_agree). */
static int assume_stats(const aia_register_geometry *g, const aia_input_range *known, input_stats *st,
                        aia_row_range **rows)
{
    *st = (input_stats){known->min, known->max, (long long)g->nx * g->ny, 0, calloc((size_t)g->ny, 1)};
    *rows = malloc((size_t)g->ny * sizeof **rows);
    if (!st->row_bad || !*rows) {
        free(*rows);
        *rows = NULL;
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    }
    return AIA_OK;
}

/* Whether the rows the prefilter read have the range assumed for them. */
static int rows_agree(const aia_register_geometry *g, const aia_row_range *rows, const input_stats *st)
{
    float mn = INFINITY, mx = -INFINITY;
    long bad = 0;
    for (long y = 0; y < g->ny; y++) {
        mn = rows[y].min < mn ? rows[y].min : mn;
        mx = rows[y].max > mx ? rows[y].max : mx;
        bad += rows[y].bad;
    }
    return bad == 0 && mn == st->min && mx == st->max;
}

/* The fill of the padding and of positions outside the frame. */
static float fill_of(const aia_register_geometry *g, const input_stats *st)
{
    return g->fill == AIA_FILL_VALUE ? g->fill_value : g->fill == AIA_FILL_NAN ? NAN : st->min;
}

/* NaN padding counts as NaN pixels (sunpy pads with `missing` and then
 * finds NaN in the padded frame). */
static int nan_padding(const aia_register_geometry *g)
{
    return g->fill == AIA_FILL_NAN && (g->pad_x > 0 || g->pad_y > 0);
}

/* Finite pixels below v (for where a fill value ranks among them). */
static uint64_t count_below(const float *d, long nx, long ny, long stride, float v)
{
    uint64_t n = 0;
#pragma omp parallel for schedule(static) reduction(+ : n)
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            const float u = d[y * stride + x];
            n += u - u == 0.0f && u < v; /* finite and below */
        }
    return n;
}

/* numpy.nanmedian of the padded frame: the finite pixels plus the padding,
 * which holds the fill (the image minimum by default; NaN padding does not
 * count); the mean of the two middle values is taken in float32, as numpy
 * does for a float32 array. The selection needs the pixels contiguous: a
 * strided input is packed first. */
static int padded_nanmedian(const aia_register_geometry *g, const float *in, long stride,
                            const input_stats *st, aia_workspace *ws, int slot, float *out)
{
    const float fill = fill_of(g, st);
    const uint64_t npad = g->fill == AIA_FILL_NAN ? 0 : (uint64_t)g->NX * g->NY - (uint64_t)g->nx * g->ny;
    const uint64_t n = (uint64_t)st->finite + npad;
    const size_t count = (size_t)g->nx * (size_t)g->ny;
    /* the padding ranks after the `below` finite pixels under the fill (none
     * below the minimum) */
    const uint64_t below = npad && g->fill == AIA_FILL_VALUE ? count_below(in, g->nx, g->ny, stride, fill) : 0;
    const float *v = in;
    if (stride != g->nx) {
        float *packed = aia_workspace_buffer(ws, slot, count * sizeof *packed);
        if (!packed)
            return aia_fail(AIA_ERR_NOMEM, "out of memory for the NaN substitute");
        for (long y = 0; y < g->ny; y++)
            memcpy(packed + y * g->nx, in + y * stride, (size_t)g->nx * sizeof *packed);
        v = packed;
    }
    float m[2];
    const uint64_t ranks[2] = {(n - 1) / 2, n / 2};
    for (int i = 0; i < 2; i++) {
        if (ranks[i] >= below && ranks[i] < below + npad) {
            m[i] = fill;
        } else {
            const uint64_t k = ranks[i] < below ? ranks[i] : ranks[i] - npad;
            int s = aia_select_float(v, count, k, &m[i]);
            if (s)
                return s;
        }
    }
    const float sum = m[0] + m[1];
    *out = n % 2 ? m[1] : sum / 2.0f;
    return AIA_OK;
}

/* The NaN mask of P convolved with a k x k box (zero padded, 'same'), as a
 * 0/1 map: 1 where a bad pixel lies within (k-1)/2 in both axes. Bad: the
 * NaN input pixels, and the padding when it is NaN. */
static void dilated_nan_mask(const aia_register_geometry *g, const float *d, long stride,
                             const input_stats *st, int radius, uint8_t *mask)
{
    const int pad_bad = nan_padding(g);
    /* with NaN padding, everything within `radius` of a padded side */
    const long xlo = g->pad_x > 0 ? g->pad_x + radius : 0, xhi = g->pad_x > 0 ? g->pad_x + g->nx - radius : g->NX;
    const long ylo = g->pad_y > 0 ? g->pad_y + radius : 0, yhi = g->pad_y > 0 ? g->pad_y + g->ny - radius : g->NY;
#pragma omp parallel for schedule(dynamic, 16)
    for (long Y = 0; Y < g->NY; Y++) {
        uint8_t *mrow = mask + Y * g->NX;
        memset(mrow, 0, (size_t)g->NX);
        if (pad_bad) {
            if (Y < ylo || Y >= yhi) {
                memset(mrow, 1, (size_t)g->NX);
                continue;
            }
            if (xlo > 0)
                memset(mrow, 1, (size_t)(xlo < g->NX ? xlo : g->NX));
            if (xhi < g->NX)
                memset(mrow + (xhi > 0 ? xhi : 0), 1, (size_t)(g->NX - (xhi > 0 ? xhi : 0)));
        }
        for (long dy = -radius; dy <= radius; dy++) {
            const long y = Y - g->pad_y + dy;
            if (y < 0 || y >= g->ny || !st->row_bad[y])
                continue;
            for (long x = 0; x < g->nx; x++) {
                if (isfinite(d[y * stride + x]))
                    continue;
                const long X = x + g->pad_x;
                const long a = X - radius < 0 ? 0 : X - radius;
                const long b = X + radius >= g->NX ? g->NX - 1 : X + radius;
                memset(mrow + a, 1, (size_t)(b - a + 1));
            }
        }
    }
}

/* A map that moves whole pixels (identity matrix, integer shift) samples
 * every spline exactly at its knots, where scipy returns the samples
 * themselves (to within 1e-16, which float32 rounding removes). */
static int is_whole_pixel_shift(const aia_affine *a)
{
    return a->m[0][0] == 1.0 && a->m[0][1] == 0.0 && a->m[1][0] == 0.0 && a->m[1][1] == 1.0 &&
           a->shift[0] == floor(a->shift[0]) && a->shift[1] == floor(a->shift[1]);
}

/* The output of such a map: the input moved, `missing` where it has no
 * pixel. NaN stays NaN (the NaN mask would make it NaN anyway). */
static void shifted_copy(const aia_register_geometry *g, const float *d, long stride, float missing,
                         float *out, long out_stride)
{
    const long dx = (long)g->map.shift[0] - g->pad_x, dy = (long)g->map.shift[1] - g->pad_y;
#pragma omp parallel for schedule(static)
    for (long j = 0; j < g->win.h; j++) {
        const long y = g->win.y0 + j + dy;
        for (long i = 0; i < g->win.w; i++) {
            const long x = g->win.x0 + i + dx;
            out[j * out_stride + i] =
                (x >= 0 && x < g->nx && y >= 0 && y < g->ny) ? d[y * stride + x] : missing;
        }
    }
}

enum { SLOT_COEF, SLOT_MASK, SLOT_PACKED }; /* workspace buffers */

/* A caller's range is of use where the prefilter reads every input row
 * (not for a whole-pixel shift, a copy) and is a range. */
static int range_usable(const aia_register_geometry *g, const aia_input_range *known)
{
    return known && !is_whole_pixel_shift(&g->map) && isfinite(known->min) && isfinite(known->max) &&
           known->min <= known->max;
}

/* The samples: spline coefficients of the padded frame, then sampling with
 * sunpy's clip (to [min, max] of the input for missing = min) done as the
 * samples are stored; the NaN blobs added afterwards only add NaN, which
 * the clip would keep, so the order does not matter. rows (st assumed, not
 * scanned): the prefilter finds each row's range, and where they disagree
 * with st, *wrong is set and nothing is sampled (out, which may be in, is
 * untouched). */
static int sample(const aia_register_geometry *g, const float *in, long stride, const input_stats *st,
                  aia_row_range *rows, aia_workspace *ws, float *out, long out_stride, double *t_prefiltered,
                  int *wrong)
{
    const int keys = g->kernel == AIA_KERNEL_KEYS;
    const float missing = fill_of(g, st); /* aiapy: missing = nanmin(data) unless given */
    /* sunpy's clip: to the range of the input and of `missing` when it is a
     * number (it takes part in the padded frame's range) */
    const float lo = g->fill == AIA_FILL_VALUE ? fminf(missing, st->min) : st->min;
    const float hi = g->fill == AIA_FILL_VALUE ? fmaxf(missing, st->max) : st->max;
    if (is_whole_pixel_shift(&g->map)) {
        if (in == out) { /* in place: move from a copy (the rows overlap) */
            float *copy = aia_workspace_buffer(ws, SLOT_COEF, (size_t)g->ny * (size_t)stride * sizeof(float));
            if (!copy)
                return aia_fail(AIA_ERR_NOMEM, "out of memory for a %ld x %ld frame", g->nx, g->ny);
            memcpy(copy, in, (size_t)g->ny * (size_t)stride * sizeof(float));
            in = copy;
        }
        *t_prefiltered = aia_now();
        shifted_copy(g, in, stride, missing, out, out_stride);
        return AIA_OK;
    }
    float nan_value = 0.0f;
    int s = st->bad || nan_padding(g) ? padded_nanmedian(g, in, stride, st, ws, SLOT_PACKED, &nan_value) : AIA_OK;
    if (s)
        return s;
    const long coef_stride = aia_coef_stride(g->NX);
    float *coef = aia_workspace_buffer(ws, SLOT_COEF, (size_t)coef_stride * (size_t)g->NY * sizeof(float));
    if (!coef)
        return aia_fail(AIA_ERR_NOMEM, "out of memory for a %ld x %ld frame", g->NX, g->NY);
    /* NaN padding is read as the NaN substitute, like any NaN pixel */
    const aia_padded padded = {in,        g->nx,     g->ny, stride, g->pad_x, g->pad_y,
                               g->fill == AIA_FILL_NAN ? nan_value : missing, nan_value, rows,
                               aia_workspace_reused(ws, SLOT_COEF)};
    if ((s = aia_padded_coefficients(&padded, keys ? 0 : g->order, coef, coef_stride)))
        return s;
    *t_prefiltered = aia_now();
    if (rows && !rows_agree(g, rows, st)) {
        *wrong = 1;
        return AIA_OK;
    }
    return aia_affine_sample(coef, coef_stride, g->NX, g->NY, &g->map, g->kernel, g->order, missing, lo, hi, &g->win,
                             out, out_stride);
}

int aia_cpu_register_pixels(const aia_backend *b, const aia_register_geometry *g, const float *in, long in_stride,
                            const aia_input_range *known, float *out, long out_stride, aia_workspace *ws,
                            aia_register_pixel_info *info)
{
    (void)b;
    double t[5] = {0};
    t[0] = aia_now();
    input_stats st = {0};
    aia_row_range *rows = NULL; /* set while st is assumed from `known` */
    int s = range_usable(g, known) ? assume_stats(g, known, &st, &rows) : scan_input(g, in, in_stride, &st);
    uint8_t *mask = NULL;
    for (;;) {
        if (s)
            break;
        if (st.finite == 0) {
            s = aia_fail(AIA_ERR_BAD_DATA, "every pixel is NaN/BLANK: nothing to register");
            break;
        }
        t[1] = aia_now();
        /* the NaN blobs' mask before the samples: out may be in itself */
        mask = NULL;
        if (st.bad || nan_padding(g)) {
            static const int radius[6] = {0, 0, 2, 2, 3, 3}; /* k = 1,1,5,5,7,7 */
            mask = aia_workspace_buffer(ws, SLOT_MASK, (size_t)g->NX * (size_t)g->NY);
            if (!mask) {
                s = aia_fail(AIA_ERR_NOMEM, "out of memory for the NaN mask");
                break;
            }
            dilated_nan_mask(g, in, in_stride, &st, radius[g->order], mask);
        }
        int wrong = 0;
        s = sample(g, in, in_stride, &st, rows, ws, out, out_stride, &t[2], &wrong);
        if (s || !wrong)
            break;
        /* the range assumed is not the input's: scan it, and start again */
        free(rows);
        rows = NULL;
        free(st.row_bad);
        st = (input_stats){0};
        t[0] = aia_now();
        s = scan_input(g, in, in_stride, &st);
    }
    free(rows);
    if (s) {
        free(st.row_bad);
        return s;
    }
    t[3] = aia_now();
    long long nan_out = 0;
    if (mask)
        nan_out = aia_affine_mask_nan(mask, g->NX, g->NY, &g->map, g->order < 1 ? g->order : 1, &g->win, out,
                                      out_stride);
    t[4] = aia_now();
    free(st.row_bad);
    info->min = st.min;
    info->max = st.max;
    info->fill = fill_of(g, &st);
    info->nan_input = st.bad;
    info->nan_output = nan_out;
    info->seconds_scan = t[1] - t[0];
    info->seconds_prefilter = t[2] - t[1];
    info->seconds_sample = t[3] - t[2];
    info->seconds_finish = t[4] - t[3];
    return AIA_OK;
}
