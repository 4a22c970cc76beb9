/* cpu_level_cases.c — the registration, PSF and deconvolution cases whose
 * output bytes test_cpu_levels.sh compares between this CPU and an emulated
 * older one (qemu-x86_64 -cpu Haswell / Nehalem). Writes each result as raw
 * pixels into OUTDIR and prints the kernels it ran with. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int save(const char *dir, const char *name, const aia_image *img)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    const size_t n = (size_t)img->width * (size_t)img->height;
    const int ok = f && fwrite(img->data, aia_pixtype_size(img->pixtype), n, f) == n;
    if (f)
        fclose(f);
    CHECK_MSG(ok, "cannot write %s", path);
    return ok;
}

/* Registration of a rolled 1024² frame with NaN pixels: every spline order
 * the kernels treat apart (0-1 unfiltered, 3 with its own loop, 5) and
 * Keys. */
static void registration(const char *dir)
{
    aia_image *in = test_synth(171, 1024, 30.0, 7);
    float *d = in->data;
    for (long k = 0; k < 40; k++)
        d[(300 + 7 * k) * 1024 + 200 + 13 * k] = NAN;
    static const struct { int order; aia_interp interp; const char *name; } cases[] = {
        {0, AIA_INTERP_SPLINE, "reg_o0.f32"}, {1, AIA_INTERP_SPLINE, "reg_o1.f32"},
        {3, AIA_INTERP_SPLINE, "reg_o3.f32"}, {5, AIA_INTERP_SPLINE, "reg_o5.f32"},
        {3, AIA_INTERP_CUBIC_CONVOLUTION, "reg_keys.f32"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aia_register_options o;
        aia_register_options_default(&o);
        o.order = cases[i].order;
        o.interp = cases[i].interp;
        aia_image *out = NULL;
        CHECK_OK(aia_register(in, &o, &out, NULL));
        if (out)
            save(dir, cases[i].name, out);
        aia_image_free(out);
    }
    aia_image_free(in);
}

static void deconvolution(const char *dir)
{
    const long n = 256;
    aia_image *psf = test_small_psf(n, 1.5), *img = test_synth(171, n, 0.0, 3);
    static const struct { aia_pixtype p; const char *name; } cases[] = {
        {AIA_PIX_F32, "deconv_single.f32"}, {AIA_PIX_F64, "deconv_double.f64"}};
    for (int i = 0; i < 2; i++) {
        aia_deconv_plan *plan = NULL;
        aia_image *out = NULL;
        aia_deconv_options o;
        aia_deconv_options_default(&o);
        o.iterations = 10;
        CHECK_OK(aia_deconv_plan_new(psf, cases[i].p, 0, &plan));
        aia_image *in = img;
        aia_image *copy = NULL;
        if (cases[i].p == AIA_PIX_F64) {
            aia_image_create(n, n, AIA_PIX_F64, &copy);
            for (long k = 0; k < n * n; k++)
                ((double *)copy->data)[k] = ((const float *)img->data)[k];
            aia_header_free(copy->header);
            aia_header_copy(img->header, &copy->header);
            in = copy;
        }
        if (plan)
            CHECK_OK(aia_deconvolve(plan, in, &o, &out, NULL));
        if (out)
            save(dir, cases[i].name, out);
        aia_image_free(out);
        aia_image_free(copy);
        aia_deconv_plan_free(plan);
    }
    aia_image_free(psf);
    aia_image_free(img);
}

static void psf(const char *dir)
{
    aia_psf_options o;
    aia_psf_options_default(&o, 171);
    aia_image *p = NULL;
    CHECK_OK(aia_psf(&o, &p, NULL));
    if (p)
        save(dir, "psf171.f64", p);
    aia_image_free(p);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cpu_level_cases OUTDIR [register|deconvolve|psf]...\n");
        return 2;
    }
    printf("kernels: %s\n", aia_kernels());
    for (int i = 2; i < argc || argc == 2; i++) {
        const char *what = argc == 2 ? "all" : argv[i];
        if (!strcmp(what, "register") || !strcmp(what, "all"))
            registration(argv[1]);
        if (!strcmp(what, "deconvolve") || !strcmp(what, "all"))
            deconvolution(argv[1]);
        if (!strcmp(what, "psf") || !strcmp(what, "all"))
            psf(argv[1]);
        if (argc == 2)
            break;
    }
    return test_done("cpu_level_cases");
}
