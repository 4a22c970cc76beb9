/* psf.c — the AIA point-spread function, aiapy's calculate_psf (0.12):
 * diffraction spikes of the entrance and focal-plane filter meshes (orders
 * -100..100, sinc^2 weights), a Gaussian core, the 0.18/0.82 mix, and the
 * composite of the two by FFT (aiapy-reference.md §5).
 *
 * Each Gaussian spike is a product exp(-w dy^2) exp(-w dx^2); exp() is
 * exactly 0 in double below -745.13, so a spike is added only inside the
 * window where both factors can be non-zero. Adding a zero product changes
 * nothing, so the sums are bit-identical to aiapy's full-grid loop, in the
 * same order (orders ascending, angles in table order). The composite of
 * the two patterns is the backend's (kernels/backend.h). */
#include "steps/psf_model.h"
#include "kernels/backend.h"


#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 4096
#define STRIDE (2 * (N / 2 + 1)) /* doubles per row of the in-place real-FFT layout */
#define CENTER 2048           /* index of x - cx0 = 0: k + 0.5 - 2048.5 */
#define MESH_RATIO (363.0 / 34.0) /* mesh pitch / mesh width (µm)       */
#define AREA_NOT_MESH 0.82
#define EXP_ZERO 745.1332191019412 /* exp(-t) == 0 in double beyond this */
#define WINDOW_MAX 72                /* > 2 sqrt(EXP_ZERO / w) + 3 for w >= 0.9 */
#define TILE 64                      /* spikes mark the tiles they touch   */
#define TILES (N / TILE)

/* Which TILE x TILE tiles of the grid hold anything: the sums and the
 * normalisation visit only those (the rest of the grid stays 0). */
typedef struct touched {
    unsigned char t[TILES][TILES];
} touched;

static void mark(touched *tt, long x0, long x1, long y0, long y1)
{
    for (long ty = y0 / TILE; ty <= y1 / TILE; ty++)
        for (long tx = x0 / TILE; tx <= x1 / TILE; tx++)
            tt->t[ty][tx] = 1;
}

/* aiapy's filter_mesh_parameters (identical in IDL's aia_getmeshinfo). */
typedef aia_psf_mesh mesh;

static const mesh meshes[] = {
    {94, {49.81, 40.16, -40.28, -49.92}, 8.99, 0.207, 4.5, 0.951},
    {131, {50.27, 40.17, -39.70, -49.95}, 12.37, 0.289, 4.5, 1.033},
    {171, {49.81, 39.57, -40.13, -50.38}, 16.26, 0.377, 4.5, 0.962},
    {193, {49.82, 39.57, -40.12, -50.37}, 18.39, 0.425, 4.5, 1.512},
    {211, {49.78, 40.08, -40.34, -49.95}, 19.97, 0.465, 4.5, 1.199},
    {304, {49.76, 40.18, -40.14, -49.90}, 28.87, 0.670, 4.5, 1.247},
    {335, {50.40, 39.80, -39.64, -50.25}, 31.83, 0.738, 4.5, 0.962},
};

const aia_psf_mesh *aia_psf_mesh_of(int channel)
{
    for (size_t i = 0; i < sizeof meshes / sizeof meshes[0]; i++)
        if (meshes[i].channel == channel)
            return &meshes[i];
    return NULL;
}

/* numpy's sinc: sin(pi x) / (pi x), 1 at 0. */
static double sinc(double x)
{
    if (x == 0.0)
        return 1.0;
    const double y = M_PI * x;
    return sin(y) / y;
}

double aia_psf_order_weight(int m)
{
    const double s = sinc((double)m / MESH_RATIO);
    return m != 0 ? s * s : 0.0;
}

/* Add i0 * gy (x) gx of one spike centred at (cx, cy) in aiapy's x-space
 * (pixel k has coordinate k + 0.5; the grid centre is 2048.5), over the
 * window where exp() can be non-zero (half-width `half`). */
static void add_spike(double *S, touched *tt, double w, double i0, double cx, double cy, double half)
{
    long x0 = (long)floor(cx - 0.5 - half), x1 = (long)ceil(cx - 0.5 + half);
    long y0 = (long)floor(cy - 0.5 - half), y1 = (long)ceil(cy - 0.5 + half);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > N - 1 ? N - 1 : x1;
    y1 = y1 > N - 1 ? N - 1 : y1;
    if (x0 > x1 || y0 > y1)
        return; /* off the grid: dropped, as aiapy drops it */
    mark(tt, x0, x1, y0, y1);
    double gx[WINDOW_MAX], gy[WINDOW_MAX];
    for (long c = x0; c <= x1; c++) {
        const double d = ((double)c + 0.5) - cx;
        gx[c - x0] = exp(-w * (d * d));
    }
    for (long r = y0; r <= y1; r++) {
        const double d = ((double)r + 0.5) - cy;
        gy[r - y0] = exp(-w * (d * d));
    }
    for (long r = y0; r <= y1; r++) {
        double *row = S + r * STRIDE;
        for (long c = x0; c <= x1; c++)
            row[c] = row[c] + i0 * (gy[r - y0] * gx[c - x0]);
    }
}

/* Sum of the grid over its touched tiles: tile rows in double, added in
 * long double (numpy sums pairwise; any careful sum agrees to ~1e-16). */
static double grid_sum(const double *S, const touched *tt)
{
    long double sum = 0.0L;
#pragma omp parallel for schedule(dynamic) reduction(+ : sum)
    for (long t = 0; t < TILES * TILES; t++) {
        const long ty = t / TILES, tx = t % TILES;
        if (!tt->t[ty][tx])
            continue;
        for (long r = ty * TILE; r < (ty + 1) * TILE; r++) {
            double row = 0.0;
            for (long c = tx * TILE; c < (tx + 1) * TILE; c++)
                row += S[r * STRIDE + c];
            sum += row;
        }
    }
    return (double)sum;
}

/* aiapy's _psf: the spikes of one mesh, normalised, mixed with the core:
 *   (1 - 0.82) * S / sum(S) + 0.82 * core / sum(core)
 * into grid (STRIDE layout, zeroed by the caller). */
static int mesh_psf(const double *angles, int nangles, double spacing, double w, const int *orders,
                    int norders, double *grid)
{
    const double half = sqrt(EXP_ZERO / w) + 1.0;
    double dx[4], dy[4];
    for (int j = 0; j < nangles; j++) {
        const double a = angles[j] * (M_PI / 180.0); /* astropy deg -> rad */
        dx[j] = spacing * cos(a);
        dy[j] = spacing * sin(a);
    }
    const double c0 = 0.5 * N + 0.5; /* cx0 = cy0 = 2048.5 */
    touched *tt = calloc(1, sizeof *tt);
    if (!tt)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    for (int k = 0; k < norders; k++) {
        const int m = orders[k];
        if (m == 0)
            continue; /* weight 0: adds +0.0, a no-op */
        const double i0 = aia_psf_order_weight(m);
        for (int j = 0; j < nangles; j++)
            add_spike(grid, tt, w, i0, c0 + dx[j] * m, c0 + dy[j] * m, half);
    }
    const double sum_s = grid_sum(grid, tt);

    /* the core, exp(-w (r - 2048)^2) exp(-w (c - 2048)^2), over its window */
    const long h = (long)ceil(half);
    double g[WINDOW_MAX];
    for (long d = -h; d <= h; d++) {
        const double x = (double)(CENTER + d) + 0.5 - c0;
        g[d + h] = exp(-w * (x * x));
    }
    double sum_core = 0.0;
    for (long r = 0; r <= 2 * h; r++)
        for (long c = 0; c <= 2 * h; c++)
            sum_core += g[r] * g[c];

    mark(tt, CENTER - h, CENTER + h, CENTER - h, CENTER + h);
    /* elsewhere the grid is 0 and stays 0: 0.18 * (0/s) + 0.82 * (0/c) */
    const double spike_part = 1.0 - AREA_NOT_MESH; /* 0.18000000000000005, as in numpy */
#pragma omp parallel for schedule(dynamic)
    for (long t = 0; t < TILES * TILES; t++) {
        const long ty = t / TILES, tx = t % TILES;
        if (!tt->t[ty][tx])
            continue;
        for (long r = ty * TILE; r < (ty + 1) * TILE; r++) {
            double *row = grid + r * STRIDE;
            const long dr = r - CENTER;
            for (long c = tx * TILE; c < (tx + 1) * TILE; c++) {
                const long dc = c - CENTER;
                const double core = (labs(dr) <= h && labs(dc) <= h) ? g[dr + h] * g[dc + h] : 0.0;
                row[c] = spike_part * (row[c] / sum_s) + AREA_NOT_MESH * (core / sum_core);
            }
        }
    }
    free(tt);
    return AIA_OK;
}

int aia_psf_pattern(const aia_psf_options *o, int focal_plane, double *grid)
{
    const mesh *ms = aia_psf_mesh_of(o->channel);
    static const double focal_angles[2] = {45.0, -45.0};
    const double w = o->preflight_core ? ms->width_preflight : ms->width;
    return focal_plane ? mesh_psf(focal_angles, 2, ms->spacing_fp, w, o->orders, o->norders, grid)
                       : mesh_psf(ms->angles, 4, ms->spacing_e, w, o->orders, o->norders, grid);
}

void aia_psf_options_default(aia_psf_options *o, int channel)
{
    memset(o, 0, sizeof *o);
    o->channel = channel;
}

int aia_psf(const aia_psf_options *o, aia_image **out, aia_psf_info *info)
{
    *out = NULL;
    aia_clear_error();
    const mesh *ms = aia_psf_mesh_of(o->channel);
    if (!ms)
        return aia_fail(AIA_ERR_UNSUPPORTED,
                        "no filter-mesh PSF model for %d A: aiapy's PSF covers the EUV channels 94, "
                        "131, 171, 193, 211, 304 and 335 only",
                        o->channel);
    int default_orders[201];
    const int *orders = o->orders;
    int norders = o->norders;
    if (!orders) {
        for (int m = -100; m <= 100; m++)
            default_orders[m + 100] = m;
        orders = default_orders;
        norders = 201;
    }
    const double w = o->preflight_core ? ms->width_preflight : ms->width;
    double t0 = aia_now();
    /* the two patterns in the in-place real-FFT layout, zeroed in parallel
     * (first touch on every core) */
    double *pe = aia_backend_alloc(sizeof(double) * N * STRIDE), *pf = aia_backend_alloc(sizeof(double) * N * STRIDE);
    aia_image *img = NULL;
    int st = pe && pf ? aia_image_alloc(N, N, AIA_PIX_F64, 0, &img)
                      : aia_fail(AIA_ERR_NOMEM, "out of memory for the PSF");
    if (!st) {
#pragma omp parallel for schedule(static)
        for (long r = 0; r < N; r++) {
            memset(pe + r * STRIDE, 0, sizeof(double) * STRIDE);
            memset(pf + r * STRIDE, 0, sizeof(double) * STRIDE);
        }
    }
    static const double focal_angles[2] = {45.0, -45.0};
    if (!st)
        st = mesh_psf(ms->angles, 4, ms->spacing_e, w, orders, norders, pe);
    if (!st)
        st = mesh_psf(focal_angles, 2, ms->spacing_fp, w, orders, norders, pf);
    double t1 = aia_now();
    if (!st)
        st = aia_backend_get()->psf_composite(pe, pf, N, o->threads, img->data);
    aia_backend_free(pe);
    aia_backend_free(pf);
    if (st) {
        aia_image_free(img);
        return st;
    }
    double t2 = aia_now();

    aia_header *h = img->header;
    st = aia_header_set_long(h, "WAVELNTH", o->channel, "[angstrom] channel");
    st = st ? st : aia_header_set_string(h, "PSFMODEL", "aiapy calculate_psf 0.12", "filter-mesh diffraction model");
    st = st ? st : aia_header_set_string(h, "PSFCORE", o->preflight_core ? "preflight" : "default", "core width");
    st = st ? st : aia_header_set_double(h, "PSFWIDTH", w, "[px^-2] w of exp(-w d^2)");
    st = st ? st : aia_header_set_long(h, "PSFNORD", norders, "number of diffraction orders");
    st = st ? st : aia_header_set_long(h, "PSFORD1", orders[0], "first diffraction order");
    st = st ? st : aia_header_set_long(h, "PSFORDN", orders[norders - 1], "last diffraction order");
    st = st ? st : aia_header_set_long(h, "PSFMVER", AIA_PSF_MODEL_VERSION, "PSF model version");
    st = st ? st : aia_header_set_string(h, "PSFVERS", aia_version(), "aiaprep version");
    if (st) {
        aia_image_free(img);
        return st;
    }
    if (info) {
        info->seconds_spikes = t1 - t0;
        info->seconds_fft = t2 - t1;
    }
    *out = img;
    return AIA_OK;
}
