/* register.c — aiapy.calibrate.register: level 1 -> level 1.5.
 *
 * Reads top to bottom like aiapy-reference.md §2: the scale factor, sunpy's
 * padding rule, the affine map about the reference pixel, the padded frame's
 * spline coefficients, NaN substitution and NaN blobs, clipping to the input
 * range, the crop, and the header. Geometry is in double; pixels are float32
 * as aiapy's are for float32 maps. */
#include "core/core.h"
#include "kernels/cpu/prefilter.h"
#include "kernels/cpu/resample.h"
#include "steps/wcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_SCALE 0.6 /* arcsec/px of level 1.5 */

void aia_register_options_default(aia_register_options *opts)
{
    opts->order = 3;
    opts->interp = AIA_INTERP_SPLINE;
    opts->grid = AIA_GRID_FULL;
}

/* Everything register derives from the header before touching a pixel. */
typedef struct plan {
    long nx, ny;            /* input                                          */
    double R[2][2];         /* the map's rotation matrix                      */
    double Rinv[2][2];
    double target, s;       /* target scale, scale factor                     */
    long pad_x, pad_y;      /* sunpy's padding ...                            */
    long unpad_x, unpad_y;  /* ... or unpadding                               */
    long NX, NY;            /* padded frame = the transform's output grid     */
    aia_affine map;         /* output grid -> padded frame                    */
    aia_window win;         /* the part of the output grid that is kept       */
    double crpix_out[2];    /* 1-based, of the kept window                    */
} plan;

/* numpy.linalg.inv of a 2x2: LU with partial pivoting and two solves, as
 * LAPACK's dgesv does (an analytic inverse can differ by an ulp). */
static void inverse_2x2(const double a[2][2], double inv[2][2])
{
    const int swap = fabs(a[1][0]) > fabs(a[0][0]);
    const double a00 = a[swap][0], a01 = a[swap][1], a10 = a[!swap][0], a11 = a[!swap][1];
    const double l = a10 * (1.0 / a00), u11 = a11 - l * a01;
    for (int col = 0; col < 2; col++) {
        const double b0 = (swap ? col == 1 : col == 0) ? 1.0 : 0.0;
        const double b1 = (swap ? col == 0 : col == 1) ? 1.0 : 0.0;
        const double y1 = b1 - l * b0;
        const double x1 = y1 / u11;
        inv[0][col] = (b0 - a01 * x1) / a00;
        inv[1][col] = x1;
    }
}

/* §2.1 step 4: 0.6"/px, or k x 0.6 for maps that were already binned. */
static double target_scale(double cdelt1, long nx, long ny)
{
    const double k = nearbyint(cdelt1 / TARGET_SCALE); /* round half to even */
    if (k != 1.0 && !(nx == 4096 && ny == 4096))
        return k * TARGET_SCALE;
    return TARGET_SCALE;
}

/* sunpy's submap of pixel corners lo..hi on an axis of n pixels: the slice
 * [floor(lo + 0.5), ceil(hi - 0.5) + 1), clipped to [0, n]. */
static void submap_slice(double lo, double hi, long n, long *start, long *end)
{
    long a = (long)floor(lo + 0.5), b = (long)ceil(hi - 0.5) + 1;
    *start = a < 0 ? 0 : (a > n ? n : a);
    *end = b < 0 ? 0 : (b > n ? n : b);
}

static int make_plan(const aia_meta *m, long nx, long ny, aia_grid grid, plan *p)
{
    memset(p, 0, sizeof *p);
    p->nx = nx;
    p->ny = ny;
    aia_meta_rotation_matrix(m, p->R);
    const double det = p->R[0][0] * p->R[1][1] - p->R[0][1] * p->R[1][0];
    if (!isfinite(det) || det == 0.0)
        return aia_fail(AIA_ERR_KEY_MALFORMED, "the rotation matrix (PC/CD/CROTA2) is singular");
    inverse_2x2(p->R, p->Rinv);
    p->target = target_scale(m->cdelt1, nx, ny);
    if (!(p->target > 0.0))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "CDELT1 %.9g arcsec/px gives no target scale",
                        m->cdelt1);
    p->s = m->cdelt1 / p->target;

    /* §2.3 step 1-2: extent of the rotated, scaled frame; padding */
    const double cx[2] = {-0.5, (double)nx - 0.5}, cy[2] = {-0.5, (double)ny - 0.5};
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            const double r[2] = {(p->R[0][0] * cx[i] + p->R[0][1] * cy[j]) * p->s,
                                 (p->R[1][0] * cx[i] + p->R[1][1] * cy[j]) * p->s};
            for (int k = 0; k < 2; k++) {
                lo[k] = fmin(lo[k], r[k]);
                hi[k] = fmax(hi[k], r[k]);
            }
        }
    const long diff_x = (long)ceil((hi[0] - lo[0] - (double)nx) / 2.0);
    const long diff_y = (long)ceil((hi[1] - lo[1] - (double)ny) / 2.0);
    p->pad_x = diff_x > 0 ? diff_x : 0;
    p->pad_y = diff_y > 0 ? diff_y : 0;
    p->unpad_x = diff_x < 0 ? -diff_x : 0;
    p->unpad_y = diff_y < 0 ? -diff_y : 0;
    p->NX = nx + 2 * p->pad_x;
    p->NY = ny + 2 * p->pad_y;

    /* §2.3 step 3-4: rotate about the reference pixel, recentre */
    const double c[2] = {(p->NX - 1) / 2.0, (p->NY - 1) / 2.0};
    const double ref[2] = {m->crpix1 - 1.0 + p->pad_x, m->crpix2 - 1.0 + p->pad_y};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            p->map.m[i][j] = p->Rinv[i][j] / p->s;
    for (int i = 0; i < 2; i++)
        p->map.shift[i] = ref[i] - (p->map.m[i][0] * c[0] + p->map.m[i][1] * c[1]);

    if (grid == AIA_GRID_FULL) {
        /* the input's shape, centred: the transform grid without sunpy's
         * unpad, cut to nx x ny */
        p->win = (aia_window){p->pad_x, p->pad_y, nx, ny};
    } else {
        /* §2.3 step 5 unpad, then §2.1 step 7 crop (both axes from CRPIX1
         * and the input's row count, as aiapy does) */
        const double crpix_tmp[2] = {c[0] + 1.0 - p->unpad_x, c[1] + 1.0 - p->unpad_y};
        const long w_tmp = p->NX - 2 * p->unpad_x, h_tmp = p->NY - 2 * p->unpad_y;
        const double center = floor(crpix_tmp[0]);
        const double clo = center - ny / 2.0, chi = center + ny / 2.0 - 1.0;
        long left, right, bottom, top;
        submap_slice(clo, chi, w_tmp, &left, &right);
        submap_slice(clo, chi, h_tmp, &bottom, &top);
        p->win = (aia_window){p->unpad_x + left, p->unpad_y + bottom, right - left, top - bottom};
        if (p->win.w <= 0 || p->win.h <= 0)
            return aia_fail(AIA_ERR_UNSUPPORTED, "aiapy's crop leaves no pixels for this frame");
    }
    p->crpix_out[0] = c[0] + 1.0 - (double)p->win.x0;
    p->crpix_out[1] = c[1] + 1.0 - (double)p->win.y0;
    return AIA_OK;
}

/* ---- pixels ------------------------------------------------------------- */

typedef struct input_stats {
    float min, max;
    long long finite, bad; /* bad: NaN (or Inf) */
    unsigned char *row_bad; /* per input row: has a bad pixel */
} input_stats;

static int scan_input(const aia_image *in, input_stats *st)
{
    const float *d = in->data;
    float mn = INFINITY, mx = -INFINITY;
    long long bad = 0;
    st->row_bad = calloc((size_t)in->height, 1);
    if (!st->row_bad)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
#pragma omp parallel for schedule(static) reduction(min : mn) reduction(max : mx) reduction(+ : bad)
    for (long y = 0; y < in->height; y++) {
        long row_bad = 0;
        float rmn = INFINITY, rmx = -INFINITY;
        const float *row = d + y * in->width;
#pragma omp simd reduction(min : rmn) reduction(max : rmx) reduction(+ : row_bad)
        for (long x = 0; x < in->width; x++) {
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
    st->finite = (long long)in->width * in->height - bad;
    return AIA_OK;
}

/* numpy.nanmedian of the padded frame: the finite pixels plus the padding,
 * which holds the image minimum; the mean of the two middle values is taken
 * in float32, as numpy does for a float32 array. */
static int padded_nanmedian(const aia_image *in, const plan *p, const input_stats *st, float *out)
{
    const uint64_t npad = (uint64_t)p->NX * p->NY - (uint64_t)p->nx * p->ny;
    const uint64_t n = (uint64_t)st->finite + npad;
    const size_t count = (size_t)in->width * (size_t)in->height;
    float v[2];
    const uint64_t ranks[2] = {(n - 1) / 2, n / 2};
    for (int i = 0; i < 2; i++) {
        if (ranks[i] < npad) {
            v[i] = st->min;
        } else {
            int s = aia_select_float(in->data, count, ranks[i] - npad, &v[i]);
            if (s)
                return s;
        }
    }
    const float sum = v[0] + v[1];
    *out = n % 2 ? v[1] : sum / 2.0f;
    return AIA_OK;
}

/* The NaN mask of P convolved with a k x k box (zero padded, 'same'), as a
 * 0/1 map: 1 where a bad input pixel lies within (k-1)/2 in both axes. */
static void dilated_nan_mask(const aia_image *in, const plan *p, const input_stats *st, int radius,
                             uint8_t *mask)
{
    const float *d = in->data;
#pragma omp parallel for schedule(dynamic, 16)
    for (long Y = 0; Y < p->NY; Y++) {
        uint8_t *mrow = mask + Y * p->NX;
        memset(mrow, 0, (size_t)p->NX);
        for (long dy = -radius; dy <= radius; dy++) {
            const long y = Y - p->pad_y + dy;
            if (y < 0 || y >= p->ny || !st->row_bad[y])
                continue;
            for (long x = 0; x < p->nx; x++) {
                if (isfinite(d[y * p->nx + x]))
                    continue;
                const long X = x + p->pad_x;
                const long a = X - radius < 0 ? 0 : X - radius;
                const long b = X + radius >= p->NX ? p->NX - 1 : X + radius;
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
static void shifted_copy(const aia_image *in, const plan *p, float missing, float *out)
{
    const long dx = (long)p->map.shift[0] - p->pad_x, dy = (long)p->map.shift[1] - p->pad_y;
    const float *d = in->data;
#pragma omp parallel for schedule(static)
    for (long j = 0; j < p->win.h; j++) {
        const long y = p->win.y0 + j + dy;
        for (long i = 0; i < p->win.w; i++) {
            const long x = p->win.x0 + i + dx;
            out[j * p->win.w + i] =
                (x >= 0 && x < p->nx && y >= 0 && y < p->ny) ? d[y * p->nx + x] : missing;
        }
    }
}

/* ---- header ------------------------------------------------------------- */

static int update_header(aia_header *h, const plan *p, const aia_meta *m)
{
    const double cdelt1 = m->cdelt1 / p->s, cdelt2 = m->cdelt2 / p->s;
    double pc[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            pc[i][j] = p->R[i][0] * p->Rinv[0][j] + p->R[i][1] * p->Rinv[1][j];
    static const char *const removed[] = {"CROTA1", "CROTA2", "CD1_1", "CD1_2", "CD2_1", "CD2_2"};
    for (size_t i = 0; i < sizeof removed / sizeof removed[0]; i++)
        aia_header_delete(h, removed[i]);
    int st = 0;
    st = st ? st : aia_header_set_long(h, "NAXIS1", p->win.w, NULL);
    st = st ? st : aia_header_set_long(h, "NAXIS2", p->win.h, NULL);
    st = st ? st : aia_header_set_double(h, "CRPIX1", p->crpix_out[0], NULL);
    st = st ? st : aia_header_set_double(h, "CRPIX2", p->crpix_out[1], NULL);
    st = st ? st : aia_header_set_double(h, "CDELT1", cdelt1, NULL);
    st = st ? st : aia_header_set_double(h, "CDELT2", cdelt2, NULL);
    st = st ? st : aia_header_set_double(h, "PC1_1", pc[0][0], NULL);
    st = st ? st : aia_header_set_double(h, "PC1_2", pc[0][1], NULL);
    st = st ? st : aia_header_set_double(h, "PC2_1", pc[1][0], NULL);
    st = st ? st : aia_header_set_double(h, "PC2_2", pc[1][1], NULL);
    st = st ? st : aia_header_set_double(h, "R_SUN", m->rsun_obs / cdelt1, "[pixel] RSUN_OBS / CDELT1");
    st = st ? st : aia_header_set_double(h, "LVL_NUM", 1.5, NULL);
    return st;
}

/* ---- the whole step ----------------------------------------------------- */

static int check_input(const aia_image *in, const aia_register_options *o, const aia_meta *m,
                       const char *file)
{
    if (in->pixtype != AIA_PIX_F32)
        return aia_fail(AIA_ERR_UNSUPPORTED, "%s: registration works on float32 images", file);
    if (o->interp == AIA_INTERP_SPLINE && (o->order < 0 || o->order > 5))
        return aia_fail(AIA_ERR_ARG, "spline order %d: must be 0 to 5", o->order);
    int st = aia_meta_require(m, AIA_KEYS_BASIC | AIA_KEYBIT(AIA_KEY_RSUN_OBS), file);
    if (st)
        return st;
    const char *types[2] = {m->ctype1, m->ctype2}, *want[2] = {"HPLN-TAN", "HPLT-TAN"};
    const aia_key keys[2] = {AIA_KEY_CTYPE1, AIA_KEY_CTYPE2};
    for (int i = 0; i < 2; i++)
        if (m->state[keys[i]] == AIA_KEYSTATE_OK && strcmp(types[i], want[i]) != 0)
            return aia_fail(AIA_ERR_UNSUPPORTED, "%s: CTYPE%d is '%s', expected '%s'", file, i + 1,
                            types[i], want[i]);
    return aia_check_full_disk(m, in->width, in->height, file);
}

enum { SLOT_COEF, SLOT_MASK }; /* workspace buffers */

/* The output pixels: spline coefficients of the padded frame, sampling,
 * NaN blobs, clipping (t[] receives the stage boundaries). */
static int compute_pixels(const aia_image *in, const plan *p, const input_stats *stats,
                          const aia_register_options *opts, aia_workspace *ws, float *out,
                          long long *nan_out, double t[3])
{
    const int keys = opts->interp == AIA_INTERP_CUBIC_CONVOLUTION;
    const int order = keys ? 3 : opts->order;
    const float missing = stats->min; /* aiapy: missing = nanmin(data) */
    const size_t frame = (size_t)p->NX * (size_t)p->NY;
    int st = AIA_OK;
    if (is_whole_pixel_shift(&p->map)) {
        t[0] = aia_now();
        shifted_copy(in, p, missing, out);
    } else {
        float nan_value = 0.0f;
        if (stats->bad)
            st = padded_nanmedian(in, p, stats, &nan_value);
        float *coef = st ? NULL : aia_workspace_buffer(ws, SLOT_COEF, frame * sizeof(float));
        if (!st && !coef)
            return aia_fail(AIA_ERR_NOMEM, "out of memory for a %ld x %ld frame", p->NX, p->NY);
        if (!st) {
            const aia_padded padded = {in->data, p->nx, p->ny, p->pad_x, p->pad_y, missing, nan_value};
            st = aia_padded_coefficients(&padded, keys ? 0 : order, coef);
        }
        if (st)
            return st;
        t[0] = aia_now();
        /* sunpy's clip (to [min, max] of the input for missing = min) is
         * done as the samples are stored; the NaN blobs below only add NaN,
         * which the clip would keep, so the order does not matter */
        aia_affine_sample(coef, p->NX, p->NY, &p->map, keys ? AIA_KERNEL_KEYS : AIA_KERNEL_BSPLINE,
                          order, missing, stats->min, stats->max, &p->win, out);
    }
    t[1] = aia_now();
    *nan_out = 0;
    if (stats->bad) {
        static const int radius[6] = {0, 0, 2, 2, 3, 3}; /* k = 1,1,5,5,7,7 */
        uint8_t *mask = aia_workspace_buffer(ws, SLOT_MASK, frame);
        if (!mask)
            return aia_fail(AIA_ERR_NOMEM, "out of memory for the NaN mask");
        dilated_nan_mask(in, p, stats, radius[order], mask);
        *nan_out = aia_affine_mask_nan(mask, p->NX, p->NY, &p->map, order < 1 ? order : 1, &p->win, out);
    }
    t[2] = aia_now();
    return AIA_OK;
}

/* The output image: *out reused, or a new one; header = input's, updated. */
static int make_output(const aia_image *in, const plan *p, const aia_meta *m, aia_image **out,
                       aia_image **fresh)
{
    *fresh = NULL;
    aia_image *img = *out;
    int st;
    if (img) {
        st = aia_image_reshape(img, p->win.w, p->win.h, AIA_PIX_F32);
    } else {
        st = aia_image_alloc(p->win.w, p->win.h, AIA_PIX_F32, 0, &img);
        *fresh = img;
    }
    aia_header *h = NULL;
    if (!st)
        st = aia_header_copy(in->header, &h);
    if (!st)
        st = update_header(h, p, m);
    if (st) {
        aia_header_free(h);
        return st;
    }
    aia_header_free(img->header);
    img->header = h;
    *out = img;
    return AIA_OK;
}

int aia_register_ws(const aia_image *in, const aia_register_options *opts, const char *path,
                    aia_workspace *ws, aia_image **out, aia_register_info *info)
{
    aia_clear_error();
    aia_register_options defaults;
    if (!opts) {
        aia_register_options_default(&defaults);
        opts = &defaults;
    }
    const char *file = path ? path : "(image)";
    aia_meta m;
    aia_meta_parse(in->header, &m);
    int st = check_input(in, opts, &m, file);
    if (st)
        return st;
    plan p;
    if ((st = make_plan(&m, in->width, in->height, opts->grid, &p))) {
        aia_error_prefix(file);
        return st;
    }
    double t[5] = {0};
    t[0] = aia_now();
    input_stats stats = {0};
    if ((st = scan_input(in, &stats)))
        return st;
    if (stats.finite == 0) {
        free(stats.row_bad);
        return aia_fail(AIA_ERR_BAD_DATA, "%s: every pixel is NaN/BLANK: nothing to register", file);
    }
    t[1] = aia_now();
    aia_image *previous = *out, *fresh = NULL;
    long long nan_out = 0;
    st = make_output(in, &p, &m, out, &fresh);
    if (!st)
        st = compute_pixels(in, &p, &stats, opts, ws, (*out)->data, &nan_out, t + 2);
    free(stats.row_bad);
    if (st) {
        aia_image_free(fresh);
        *out = previous;
        aia_error_prefix(file);
        return st;
    }
    if (info) {
        info->scale_factor = p.s;
        info->target_scale = p.target;
        info->pad_x = p.pad_x ? p.pad_x : -p.unpad_x;
        info->pad_y = p.pad_y ? p.pad_y : -p.unpad_y;
        info->missing = stats.min;
        info->nan_input = stats.bad;
        info->nan_output = nan_out;
        info->level_warning = m.state[AIA_KEY_LVL_NUM] != AIA_KEYSTATE_OK || m.lvl_num > 1.0;
        info->seconds_scan = t[1] - t[0];
        info->seconds_prefilter = t[2] - t[1];
        info->seconds_sample = t[3] - t[2];
        info->seconds_finish = t[4] - t[3];
    }
    return AIA_OK;
}

int aia_register(const aia_image *in, const aia_register_options *opts, const char *path,
                 aia_image **out, aia_register_info *info)
{
    *out = NULL;
    aia_workspace *ws = aia_workspace_new();
    if (!ws)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    int st = aia_register_ws(in, opts, path, ws, out, info);
    aia_workspace_free(ws);
    return st;
}
