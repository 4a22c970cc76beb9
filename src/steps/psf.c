/* psf.c — the AIA point-spread function, aiapy's calculate_psf (0.12):
 * diffraction spikes of the entrance and focal-plane filter meshes (orders
 * -100..100, sinc^2 weights), a Gaussian core, the 0.18/0.82 mix, and the
 * composite of the two by FFT (aiapy-reference.md §5).
 *
 * This file decides the model: which spikes, where and how bright, in
 * aiapy's order (orders ascending, angles in table order). Adding them up
 * on the 4096² grid (each over the window where exp() is not 0 in double,
 * which gives aiapy's full-grid sums bit for bit), the core, the mix and the
 * composite are the backend's (kernels/backend.h, kernels/psf_pattern.h). */
#include "steps/psf_model.h"
#include "kernels/backend.h"
#include "kernels/psf_pattern.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N AIA_PSF_N
#define MESH_RATIO (363.0 / 34.0) /* mesh pitch / mesh width (µm)       */
#define AREA_NOT_MESH 0.82

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

/* aiapy's _psf for one mesh: the spikes of every order and arm, centred at
 * c0 + m (spacing cos a, spacing sin a) in aiapy's x-space (pixel k at
 * k + 0.5; the grid centre is 2048.5), with the order's weight. Order 0 has
 * weight 0 and adds +0.0, a no-op: it is left out. */
static aia_psf_spike *mesh_spikes(const double *angles, int nangles, double spacing, const int *orders,
                                  int norders, long *count)
{
    double dx[4], dy[4];
    for (int j = 0; j < nangles; j++) {
        const double a = angles[j] * (M_PI / 180.0); /* astropy deg -> rad */
        dx[j] = spacing * cos(a);
        dy[j] = spacing * sin(a);
    }
    const double c0 = 0.5 * N + 0.5; /* cx0 = cy0 = 2048.5 */
    aia_psf_spike *s = malloc(sizeof *s * (size_t)(norders > 0 ? norders : 1) * (size_t)nangles);
    long n = 0;
    for (int k = 0; s && k < norders; k++) {
        const int m = orders[k];
        if (m == 0)
            continue;
        const double i0 = aia_psf_order_weight(m);
        for (int j = 0; j < nangles; j++)
            s[n++] = (aia_psf_spike){c0 + dx[j] * m, c0 + dy[j] * m, i0};
    }
    *count = n;
    return s;
}

/* The model of both meshes for a channel; free mesh[i].spikes. */
static int psf_model(const aia_psf_mesh *ms, double w, const int *orders, int norders, aia_psf_model *model)
{
    static const double focal_angles[2] = {45.0, -45.0};
    memset(model, 0, sizeof *model);
    aia_psf_spike *e = mesh_spikes(ms->angles, 4, ms->spacing_e, orders, norders, &model->mesh[0].count);
    aia_psf_spike *f = mesh_spikes(focal_angles, 2, ms->spacing_fp, orders, norders, &model->mesh[1].count);
    model->mesh[0] = (aia_psf_mesh_model){e, model->mesh[0].count, w};
    model->mesh[1] = (aia_psf_mesh_model){f, model->mesh[1].count, w};
    model->spike_part = 1.0 - AREA_NOT_MESH; /* 0.18000000000000005, as in numpy */
    model->core_part = AREA_NOT_MESH;
    if (e && f)
        return AIA_OK;
    free(e);
    free(f);
    memset(model, 0, sizeof *model);
    return aia_fail(AIA_ERR_NOMEM, "out of memory");
}

void aia_psf_model_free(aia_psf_model *model)
{
    free((void *)model->mesh[0].spikes);
    free((void *)model->mesh[1].spikes);
    memset(model, 0, sizeof *model);
}

int aia_psf_model_of(const aia_psf_options *o, aia_psf_model *model)
{
    const aia_psf_mesh *ms = aia_psf_mesh_of(o->channel);
    if (!ms)
        return aia_fail(AIA_ERR_UNSUPPORTED, "no filter-mesh PSF model for %d A", o->channel);
    const double w = o->preflight_core ? ms->width_preflight : ms->width;
    return psf_model(ms, w, o->orders, o->norders, model);
}

int aia_psf_pattern(const aia_psf_options *o, int focal_plane, double *grid)
{
    const aia_psf_mesh *ms = aia_psf_mesh_of(o->channel);
    const double w = o->preflight_core ? ms->width_preflight : ms->width;
    aia_psf_model model;
    int st = psf_model(ms, w, o->orders, o->norders, &model);
    if (!st)
        st = aia_psf_pattern_fill(&model.mesh[focal_plane ? 1 : 0], model.spike_part, model.core_part, grid);
    free((void *)model.mesh[0].spikes);
    free((void *)model.mesh[1].spikes);
    return st;
}

void aia_psf_options_default(aia_psf_options *o, int channel)
{
    memset(o, 0, sizeof *o);
    o->channel = channel;
    o->device = "cpu";
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
    const aia_backend *backend = NULL;
    int st = aia_backend_open(o->device, &backend, NULL, 0);
    if (st)
        return st;
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
    aia_psf_model model;
    aia_image *img = NULL;
    double seconds[2] = {0, 0};
    st = psf_model(ms, w, orders, norders, &model);
    if (!st)
        st = aia_image_alloc(N, N, AIA_PIX_F64, 0, &img);
    if (!st)
        st = backend->psf_make(backend, &model, o->threads, img->data, seconds);
    free((void *)model.mesh[0].spikes);
    free((void *)model.mesh[1].spikes);
    if (st) {
        aia_image_free(img);
        return st;
    }

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
        info->seconds_spikes = seconds[0];
        info->seconds_fft = seconds[1];
    }
    *out = img;
    return AIA_OK;
}
