/* register.c — aiapy.calibrate.register: level 1 -> level 1.5.
 *
 * Reads top to bottom like aiapy-reference.md §2: the scale factor, sunpy's
 * padding rule, the affine map about the reference pixel, the padded frame's
 * spline coefficients, NaN substitution and NaN blobs, clipping to the input
 * range, the crop, and the header. Geometry is in double; pixels are float32
 * as aiapy's are for float32 maps. */
#include "core/core.h"
#include "kernels/backend.h"
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

/* The backend's description of the pixel work. */
static void geometry_of(const plan *p, const aia_register_options *o, aia_register_geometry *g)
{
    const int keys = o->interp == AIA_INTERP_CUBIC_CONVOLUTION;
    *g = (aia_register_geometry){.nx = p->nx, .ny = p->ny, .pad_x = p->pad_x, .pad_y = p->pad_y,
                                 .NX = p->NX, .NY = p->NY, .map = p->map, .win = p->win,
                                 .kernel = keys ? AIA_KERNEL_KEYS : AIA_KERNEL_BSPLINE,
                                 .order = keys ? 3 : o->order};
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
    aia_register_geometry g;
    geometry_of(&p, opts, &g);
    aia_image *previous = *out, *fresh = NULL;
    aia_register_pixel_info px = {0};
    st = make_output(in, &p, &m, out, &fresh);
    if (!st)
        st = aia_backend_get()->register_pixels(&g, in->data, in->width, (*out)->data, p.win.w, ws, &px);
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
        info->missing = px.min;
        info->nan_input = px.nan_input;
        info->nan_output = px.nan_output;
        info->level_warning = m.state[AIA_KEY_LVL_NUM] != AIA_KEYSTATE_OK || m.lvl_num > 1.0;
        info->seconds_scan = px.seconds_scan;
        info->seconds_prefilter = px.seconds_prefilter;
        info->seconds_sample = px.seconds_sample;
        info->seconds_finish = px.seconds_finish;
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
