/* register.c — aiapy.calibrate.register: level 1 -> level 1.5.
 *
 * Reads top to bottom like aiapy-reference.md §2: the scale factor, sunpy's
 * padding rule, the affine map about the reference pixel, the padded frame's
 * spline coefficients, NaN substitution and NaN blobs, clipping to the input
 * range, the crop, and the header. Geometry is in double and made once per
 * frame (the plan); the pixels, float32 as aiapy's are for float32 maps, are
 * the backend's (kernels/backend.h). */
#include "core/core.h"
#include "kernels/backend.h"
#include "steps/cutout.h"
#include "steps/register_plan.h"
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
    opts->scale = 0.0;
    opts->missing = AIA_MISSING_AUTO;
    opts->missing_value = 0.0;
    opts->device = "cpu";
}

/* Everything register derives from the header before touching a pixel. */
typedef struct geometry {
    long nx, ny;            /* input                                          */
    double R[2][2];         /* the map's rotation matrix                      */
    double Rinv[2][2];
    double target, s;       /* target scale, scale factor                     */
    long pad_x, pad_y;      /* sunpy's padding ...                            */
    long unpad_x, unpad_y;  /* ... or unpadding                               */
    long NX, NY;            /* padded frame = the transform's output grid     */
    aia_affine map;         /* output grid -> padded frame                    */
    aia_window win;         /* the part of the output grid that is kept       */
    double center[2];       /* of the transform grid, 0-based: the Sun's place */
    double crpix_out[2];    /* 1-based, of the kept window                    */
} geometry;

/* A cutout: where it lies on the CCD, and its part of the level-1.5 grid. */
typedef struct cutout_place {
    int on;
    long ccd_x0, ccd_y0; /* the input's origin on the CCD                      */
    aia_window win;      /* its footprint, in the full frame's transform grid  */
} cutout_place;

struct aia_register_plan {
    geometry geo;                 /* the frame's (a cutout's: its full frame's) */
    cutout_place cut;
    aia_window win;               /* the output: geo.win, or the cutout's part  */
    double crpix_out[2];          /* 1-based, of the output                     */
    aia_register_geometry pixels; /* what the backend executes */
    const aia_backend *backend;   /* ... on the device of the options */
    double cdelt[2], rsun_obs;    /* of the input, for the header */
    int level_warning;
};

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

/* The output's side for an input side of n pixels: n at aiapy's target
 * scale; at another scale, the same field of view (n x default / target,
 * rounded up to n's parity, so that the centre stays where it was). */
static long output_side(long n, double default_target, double target)
{
    if (target == default_target)
        return n;
    long side = (long)ceil(n * (default_target / target) - 1e-9);
    if (side < 1)
        side = 1;
    return (side - n) % 2 ? side + 1 : side;
}

/* sunpy's submap of pixel corners lo..hi on an axis of n pixels: the slice
 * [floor(lo + 0.5), ceil(hi - 0.5) + 1), clipped to [0, n]. */
static void submap_slice(double lo, double hi, long n, long *start, long *end)
{
    long a = (long)floor(lo + 0.5), b = (long)ceil(hi - 0.5) + 1;
    *start = a < 0 ? 0 : (a > n ? n : a);
    *end = b < 0 ? 0 : (b > n ? n : b);
}

static int make_geometry(const aia_meta *m, long nx, long ny, const aia_register_options *o, geometry *p)
{
    memset(p, 0, sizeof *p);
    p->nx = nx;
    p->ny = ny;
    aia_meta_rotation_matrix(m, p->R); /* checked regular: check_header */
    inverse_2x2(p->R, p->Rinv);
    const double default_target = target_scale(m->cdelt1, nx, ny);
    if (!(default_target > 0.0))
        return aia_fail(AIA_ERR_UNSUPPORTED, "CDELT1 = %.9g arcsec/px is finer than half of level 1.5's %g "
                                             "arcsec/px (a %ld x %ld frame): aiapy's rule rounds the binning "
                                             "factor CDELT1 / %g to 0; registration takes full-resolution "
                                             "(0.6 arcsec/px) and binned frames",
                        m->cdelt1, TARGET_SCALE, nx, ny, TARGET_SCALE);
    p->target = o->scale > 0.0 ? o->scale : default_target;
    p->s = m->cdelt1 / p->target;
    /* the output's shape: the input's at the default scale */
    const long out_w = output_side(nx, default_target, p->target);
    const long out_h = output_side(ny, default_target, p->target);

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

    if (o->grid == AIA_GRID_FULL) {
        /* the input's shape (at the default scale), centred: the transform
         * grid without sunpy's unpad, cut to out_w x out_h */
        p->win = (aia_window){p->pad_x + (nx - out_w) / 2, p->pad_y + (ny - out_h) / 2, out_w, out_h};
    } else {
        /* §2.3 step 5 unpad, then §2.1 step 7 crop (both axes from CRPIX1
         * and the input's row count, as aiapy does; at another scale the
         * rows of its field of view) */
        const double crpix_tmp[2] = {c[0] + 1.0 - p->unpad_x, c[1] + 1.0 - p->unpad_y};
        const long w_tmp = p->NX - 2 * p->unpad_x, h_tmp = p->NY - 2 * p->unpad_y;
        const double center = floor(crpix_tmp[0]);
        const double clo = center - out_h / 2.0, chi = center + out_h / 2.0 - 1.0;
        long left, right, bottom, top;
        submap_slice(clo, chi, w_tmp, &left, &right);
        submap_slice(clo, chi, h_tmp, &bottom, &top);
        p->win = (aia_window){p->unpad_x + left, p->unpad_y + bottom, right - left, top - bottom};
        if (p->win.w <= 0 || p->win.h <= 0)
            return aia_fail(AIA_ERR_UNSUPPORTED, "aiapy's crop leaves no pixels for this frame");
    }
    p->center[0] = c[0];
    p->center[1] = c[1];
    p->crpix_out[0] = c[0] + 1.0 - (double)p->win.x0;
    p->crpix_out[1] = c[1] + 1.0 - (double)p->win.y0;
    return AIA_OK;
}

/* ---- cutouts ------------------------------------------------------------ */

/* The footprint of a cutout (nx x ny at (x0, y0) on the CCD) in the full
 * frame's transform grid: its corners mapped forward, the bounding box
 * rounded outward to whole output pixels, within the full output window. */
static int cutout_window(const geometry *g, long nx, long ny, long x0, long y0, aia_window *win)
{
    double inv[2][2];
    inverse_2x2(g->map.m, inv);
    const double ox = (double)(x0 + g->pad_x), oy = (double)(y0 + g->pad_y); /* in the padded frame */
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            const double px = ox + (i ? nx - 0.5 : -0.5) - g->map.shift[0];
            const double py = oy + (j ? ny - 0.5 : -0.5) - g->map.shift[1];
            const double q[2] = {inv[0][0] * px + inv[0][1] * py, inv[1][0] * px + inv[1][1] * py};
            for (int k = 0; k < 2; k++) {
                lo[k] = fmin(lo[k], q[k]);
                hi[k] = fmax(hi[k], q[k]);
            }
        }
    /* pixel i covers [i - 0.5, i + 0.5]: the first and last pixels touched */
    long a[2], b[2];
    const long full_lo[2] = {g->win.x0, g->win.y0}, full_hi[2] = {g->win.x0 + g->win.w, g->win.y0 + g->win.h};
    for (int k = 0; k < 2; k++) {
        a[k] = (long)floor(lo[k] + 0.5);
        b[k] = (long)ceil(hi[k] - 0.5) + 1;
        a[k] = a[k] < full_lo[k] ? full_lo[k] : a[k];
        b[k] = b[k] > full_hi[k] ? full_hi[k] : b[k];
    }
    if (a[0] >= b[0] || a[1] >= b[1])
        return aia_fail(AIA_ERR_UNSUPPORTED, "the cutout's footprint lies outside the %ld x %ld level-1.5 grid",
                        g->win.w, g->win.h);
    *win = (aia_window){a[0], a[1], b[0] - a[0], b[1] - a[1]};
    return AIA_OK;
}

/* A frame that is not full disk: registered as a cutout if it is one (the
 * geometry of its full frame, then its part), else refused, saying why it
 * is neither. `why` holds the full-disk check's message. */
static int cutout_geometry(const aia_meta *m, long nx, long ny, const aia_register_options *o, const char *why,
                           aia_register_plan *p)
{
    long x0 = 0, y0 = 0;
    int st = aia_cutout_locate(m, nx, ny, &x0, &y0);
    if (st) {
        char detail[512];
        snprintf(detail, sizeof detail, "%s", aia_last_error());
        return aia_fail(AIA_ERR_NOT_FULL_DISK, "%s; not a cutout of a full frame either: %s", why, detail);
    }
    aia_meta full = *m; /* the frame it came from: the same keys, CRPIX of the CCD */
    full.crpix1 = m->crpix1 + (double)x0;
    full.crpix2 = m->crpix2 + (double)y0;
    full.naxis1 = full.naxis2 = AIA_CCD_SIZE;
    if ((st = make_geometry(&full, AIA_CCD_SIZE, AIA_CCD_SIZE, o, &p->geo)))
        return st;
    p->cut = (cutout_place){.on = 1, .ccd_x0 = x0, .ccd_y0 = y0};
    return cutout_window(&p->geo, nx, ny, x0, y0, &p->cut.win);
}

/* ---- header ------------------------------------------------------------- */

int aia_register_plan_header(const aia_register_plan *plan, aia_header *h)
{
    const geometry *p = &plan->geo;
    const double cdelt1 = plan->cdelt[0] / p->s, cdelt2 = plan->cdelt[1] / p->s;
    double pc[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            pc[i][j] = p->R[i][0] * p->Rinv[0][j] + p->R[i][1] * p->Rinv[1][j];
    static const char *const removed[] = {"CROTA1", "CROTA2", "CD1_1", "CD1_2", "CD2_1", "CD2_2"};
    for (size_t i = 0; i < sizeof removed / sizeof removed[0]; i++)
        aia_header_delete(h, removed[i]);
    int st = 0;
    st = st ? st : aia_header_set_long(h, "NAXIS1", plan->win.w, NULL);
    st = st ? st : aia_header_set_long(h, "NAXIS2", plan->win.h, NULL);
    st = st ? st : aia_header_set_double(h, "CRPIX1", plan->crpix_out[0], NULL);
    st = st ? st : aia_header_set_double(h, "CRPIX2", plan->crpix_out[1], NULL);
    st = st ? st : aia_header_set_double(h, "CDELT1", cdelt1, NULL);
    st = st ? st : aia_header_set_double(h, "CDELT2", cdelt2, NULL);
    st = st ? st : aia_header_set_double(h, "PC1_1", pc[0][0], NULL);
    st = st ? st : aia_header_set_double(h, "PC1_2", pc[0][1], NULL);
    st = st ? st : aia_header_set_double(h, "PC2_1", pc[1][0], NULL);
    st = st ? st : aia_header_set_double(h, "PC2_2", pc[1][1], NULL);
    st = st ? st : aia_header_set_double(h, "R_SUN", plan->rsun_obs / cdelt1, "[pixel] RSUN_OBS / CDELT1");
    st = st ? st : aia_header_set_double(h, "LVL_NUM", 1.5, NULL);
    if (plan->cut.on) { /* which part of the full level-1.5 grid this is */
        st = st ? st : aia_header_set_long(h, "GRID_X0", plan->win.x0 - p->win.x0,
                                           "[pixel] x of pixel (0,0) in the full 1.5 grid");
        st = st ? st : aia_header_set_long(h, "GRID_Y0", plan->win.y0 - p->win.y0,
                                           "[pixel] y of pixel (0,0) in the full 1.5 grid");
        st = st ? st : aia_header_set_long(h, "GRID_NX", p->win.w, "[pixel] width of the full level-1.5 grid");
        st = st ? st : aia_header_set_long(h, "GRID_NY", p->win.h, "[pixel] height of the full level-1.5 grid");
    }
    return st;
}

/* ---- the plan ------------------------------------------------------------ */

static int check_header(const aia_register_options *o, const aia_meta *m)
{
    if (o->interp == AIA_INTERP_SPLINE && (o->order < 0 || o->order > 5))
        return aia_fail(AIA_ERR_ARG, "spline order %d: must be 0 to 5", o->order);
    if (!(o->scale >= 0.0) || !isfinite(o->scale))
        return aia_fail(AIA_ERR_ARG, "target scale %g arcsec/px: must be positive", o->scale);
    if (o->missing == AIA_MISSING_VALUE && !isfinite(o->missing_value))
        return aia_fail(AIA_ERR_ARG, "missing value %g: must be a finite number (or NaN mode)", o->missing_value);
    int st = aia_meta_require(m, AIA_KEYS_BASIC | AIA_KEYBIT(AIA_KEY_RSUN_OBS));
    if (st)
        return st;
    const char *types[2] = {m->ctype1, m->ctype2}, *want[2] = {"HPLN-TAN", "HPLT-TAN"};
    const aia_key keys[2] = {AIA_KEY_CTYPE1, AIA_KEY_CTYPE2};
    for (int i = 0; i < 2; i++)
        if (m->state[keys[i]] == AIA_KEYSTATE_OK && strcmp(types[i], want[i]) != 0)
            return aia_fail(AIA_ERR_UNSUPPORTED, "CTYPE%d is '%s', expected '%s'", i + 1, types[i], want[i]);
    /* the keys the geometry (and the full-disk check) divide by */
    double R[2][2];
    aia_meta_rotation_matrix(m, R);
    const double det = R[0][0] * R[1][1] - R[0][1] * R[1][0];
    if (!isfinite(det) || det == 0.0)
        return aia_fail(AIA_ERR_KEY_MALFORMED, "the rotation matrix (PC/CD/CROTA2) is singular: the header "
                                               "is damaged");
    if (!(m->cdelt1 > 0.0) || !(m->cdelt2 > 0.0))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "CDELT1, CDELT2 = %.9g, %.9g arcsec/px: a plate scale must be "
                                               "positive (a flipped axis belongs in the PC matrix or CROTA2)",
                        m->cdelt1, m->cdelt2);
    return AIA_OK;
}

/* What the backend executes: the frame's geometry, or for a cutout its
 * pixels without padding under the full frame's map moved to the cutout's
 * origin, over its footprint. */
static void backend_geometry(aia_register_plan *p, long width, long height, const aia_register_options *o)
{
    const geometry *g = &p->geo;
    const int keys = o->interp == AIA_INTERP_CUBIC_CONVOLUTION;
    aia_register_geometry *b = &p->pixels;
    *b = (aia_register_geometry){.nx = g->nx, .ny = g->ny, .pad_x = g->pad_x, .pad_y = g->pad_y,
                                 .NX = g->NX, .NY = g->NY, .map = g->map, .win = g->win,
                                 .kernel = keys ? AIA_KERNEL_KEYS : AIA_KERNEL_BSPLINE,
                                 .order = keys ? 3 : o->order};
    p->win = g->win;
    p->crpix_out[0] = g->crpix_out[0];
    p->crpix_out[1] = g->crpix_out[1];
    if (p->cut.on) {
        b->nx = b->NX = width;
        b->ny = b->NY = height;
        b->pad_x = b->pad_y = 0;
        b->map.shift[0] = g->map.shift[0] - (double)(g->pad_x + p->cut.ccd_x0);
        b->map.shift[1] = g->map.shift[1] - (double)(g->pad_y + p->cut.ccd_y0);
        b->win = p->win = p->cut.win;
        p->crpix_out[0] = g->center[0] + 1.0 - (double)p->win.x0;
        p->crpix_out[1] = g->center[1] + 1.0 - (double)p->win.y0;
    }
    switch (o->missing) {
    case AIA_MISSING_MIN: b->fill = AIA_FILL_MIN; break;
    case AIA_MISSING_NAN: b->fill = AIA_FILL_NAN; break;
    case AIA_MISSING_VALUE: b->fill = AIA_FILL_VALUE; break;
    default: b->fill = p->cut.on ? AIA_FILL_NAN : AIA_FILL_MIN; break;
    }
    b->fill_value = (float)o->missing_value;
}

int aia_register_plan_new(const aia_header *hdr, long width, long height, const aia_register_options *opts,
                          aia_register_plan **out)
{
    *out = NULL;
    aia_clear_error();
    aia_register_options defaults;
    if (!opts) {
        aia_register_options_default(&defaults);
        opts = &defaults;
    }
    aia_meta m;
    aia_meta_parse(hdr, &m);
    int st = check_header(opts, &m);
    const int full_disk = st ? st : aia_check_full_disk(&m, width, height);
    if (full_disk && full_disk != AIA_ERR_NOT_FULL_DISK)
        return full_disk;
    const aia_backend *backend = NULL;
    if ((st = aia_backend_open(opts->device, &backend, NULL, 0)))
        return st;
    aia_register_plan *p = calloc(1, sizeof *p);
    if (!p)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    if (full_disk == AIA_OK) {
        st = make_geometry(&m, width, height, opts, &p->geo);
    } else {
        char why[512];
        snprintf(why, sizeof why, "%s", aia_last_error());
        st = cutout_geometry(&m, width, height, opts, why, p);
    }
    if (st) {
        free(p);
        return st;
    }
    backend_geometry(p, width, height, opts);
    /* the CUDA backend registers full frames with aiapy's fill (the image
     * minimum); a cutout's footprint and other fills are the CPU's */
    if ((p->cut.on || p->pixels.fill != AIA_FILL_MIN) && strcmp(backend->name, "cpu") != 0 &&
        (st = aia_backend_open("cpu", &backend, NULL, 0))) {
        free(p);
        return st;
    }
    p->backend = backend;
    p->cdelt[0] = m.cdelt1;
    p->cdelt[1] = m.cdelt2;
    p->rsun_obs = m.rsun_obs;
    p->level_warning = m.state[AIA_KEY_LVL_NUM] != AIA_KEYSTATE_OK || m.lvl_num > 1.0;
    *out = p;
    return AIA_OK;
}

void aia_register_plan_free(aia_register_plan *plan) { free(plan); }

const aia_register_geometry *aia_register_plan_pixels(const aia_register_plan *plan) { return &plan->pixels; }

const aia_backend *aia_register_plan_backend(const aia_register_plan *plan) { return plan->backend; }

void aia_register_plan_shape(const aia_register_plan *plan, long *width, long *height)
{
    *width = plan->win.w;
    *height = plan->win.h;
}

/* ---- the pixels ---------------------------------------------------------- */

/* Whether two float32 views share any byte (their spans, first to last
 * pixel, intersect). */
static int views_overlap(aia_view a, aia_view b)
{
    const char *a0 = a.data, *b0 = b.data;
    const char *a1 = a0 + ((a.height - 1) * a.stride + a.width) * (long)sizeof(float);
    const char *b1 = b0 + ((b.height - 1) * b.stride + b.width) * (long)sizeof(float);
    return a0 < b1 && b0 < a1;
}

int aia_register_execute(const aia_register_plan *plan, aia_view in, aia_view out, aia_workspace *ws,
                         aia_register_info *info)
{
    return aia_register_execute_known(plan, in, NULL, out, ws, info);
}

int aia_register_execute_known(const aia_register_plan *plan, aia_view in, const aia_input_range *known,
                               aia_view out, aia_workspace *ws, aia_register_info *info)
{
    aia_clear_error();
    const aia_register_geometry *b = &plan->pixels;
    int st = aia_view_check(in, "registration input");
    st = st ? st : aia_view_check(out, "registration output");
    if (st)
        return st;
    if (in.type != AIA_PIX_F32 || out.type != AIA_PIX_F32)
        return aia_fail(AIA_ERR_UNSUPPORTED, "registration works on float32 pixels");
    if (in.width != b->nx || in.height != b->ny || out.width != plan->win.w || out.height != plan->win.h)
        return aia_fail(AIA_ERR_ARG, "registration: %ld x %ld -> %ld x %ld pixels given, the plan is for %ld x "
                                     "%ld -> %ld x %ld",
                        in.width, in.height, out.width, out.height, b->nx, b->ny, plan->win.w, plan->win.h);
    if (views_overlap(in, out) && !(in.data == out.data && in.stride == out.stride && in.width == out.width &&
                                    in.height == out.height))
        return aia_fail(AIA_ERR_ARG, "registration: the output overlaps the input without being it (in place "
                                     "takes the same pixels, shape and stride)");
    aia_workspace *own = ws ? NULL : aia_workspace_new();
    if (!ws && !own)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    aia_register_pixel_info px = {0};
    st = plan->backend->register_pixels(plan->backend, b, in.data, in.stride, known, out.data, out.stride,
                                        ws ? ws : own, &px);
    aia_workspace_free(own);
    if (st)
        return st;
    aia_register_info_fill(plan, &px, info);
    return AIA_OK;
}

void aia_register_info_fill(const aia_register_plan *plan, const aia_register_pixel_info *px,
                            aia_register_info *info)
{
    const geometry *p = &plan->geo;
    if (info) {
        info->scale_factor = p->s;
        info->target_scale = p->target;
        info->pad_x = p->pad_x ? p->pad_x : -p->unpad_x;
        info->pad_y = p->pad_y ? p->pad_y : -p->unpad_y;
        info->missing = px->fill;
        info->nan_input = px->nan_input;
        info->nan_output = px->nan_output;
        info->level_warning = plan->level_warning;
        info->seconds_scan = px->seconds_scan;
        info->seconds_prefilter = px->seconds_prefilter;
        info->seconds_sample = px->seconds_sample;
        info->seconds_finish = px->seconds_finish;
        info->cutout = plan->cut.on;
        info->ccd_x0 = plan->cut.ccd_x0;
        info->ccd_y0 = plan->cut.ccd_y0;
        info->grid_x0 = plan->win.x0 - p->win.x0;
        info->grid_y0 = plan->win.y0 - p->win.y0;
        info->grid_width = p->win.w;
        info->grid_height = p->win.h;
        /* the sampling's clip (register_pixels.c, sample): a number used as
         * the fill takes part in the range */
        const int fill_is_number = px->fill == px->fill;
        info->clip_min = fill_is_number ? fminf(px->fill, px->min) : px->min;
        info->clip_max = fill_is_number ? fmaxf(px->fill, px->max) : px->max;
    }
}

int aia_register(const aia_image *in, const aia_register_options *opts, aia_image **out,
                 aia_register_info *info)
{
    *out = NULL;
    if (in->pixtype != AIA_PIX_F32)
        return aia_fail(AIA_ERR_UNSUPPORTED, "registration works on float32 images");
    aia_register_plan *plan = NULL;
    aia_image *img = NULL;
    int st = aia_register_plan_new(in->header, in->width, in->height, opts, &plan);
    if (!st)
        st = aia_image_alloc(plan->win.w, plan->win.h, AIA_PIX_F32, 0, &img);
    if (!st) {
        aia_header_free(img->header);
        img->header = NULL;
        st = aia_header_copy(in->header, &img->header);
    }
    if (!st)
        st = aia_register_plan_header(plan, img->header);
    if (!st)
        st = aia_register_execute(plan, aia_image_view(in), aia_image_view(img), NULL, info);
    aia_register_plan_free(plan);
    if (st) {
        aia_image_free(img);
        return st;
    }
    *out = img;
    return AIA_OK;
}
