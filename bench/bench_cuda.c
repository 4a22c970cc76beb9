/* bench_cuda.c — the CUDA backend against the CPU backend on the same
 * machine, 4096² frames, medians of repeated runs (the first is a warm-up):
 *   Richardson–Lucy, 25 iterations, single and double: the iterations alone
 *     (a run of 25 less a run of 0: the uploads and the plan's work cancel)
 *     against the memory floor, 25 x 4 transforms x 2 passes (rows, then
 *     columns) each reading and writing the frame (n² reals and n(n/2+1)
 *     complex values) at the copy bandwidth measured in the same run;
 *   the PSF of one channel (171 A, all orders): patterns and composite;
 *   registration of one frame, order 3: the device's stages (events) and
 *     the transfers;
 *   level 1.6 of one frame in one call (the frame kept on the device).
 * Prints one line per measurement and "SKIPPED: why" without a device. */
#include "aiaprep.h"
#include "bench_util.h"
#include "kernels/backend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 5

static aia_image *frame(void)
{
    aia_image *img = NULL;
    const char *shared = getenv("AIAPREP_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits",
             shared ? shared : AIAPREP_DEFAULT_SHARED);
    if (aia_image_read(path, AIA_PIX_F32, &img) == AIA_OK)
        return img;
    aia_synth_params p;
    aia_synth_defaults(171, 4096, &p);
    return aia_synth(&p, &img) == AIA_OK ? img : NULL;
}

/* Median seconds of RUNS deconv_run calls with `iterations`. */
static double deconv_time(const aia_backend *b, const aia_image *psf, aia_pixtype p, int iterations)
{
    aia_backend_deconv *plan = NULL;
    const long n = psf->width;
    if (b->deconv_plan_new(b, psf->data, n, p, 0, &plan))
        return NAN;
    const size_t bytes = (size_t)n * n * aia_pixtype_size(p);
    void *img = aia_backend_alloc(bytes), *u = aia_backend_alloc(bytes);
    for (long i = 0; i < n * n; i++) {
        if (p == AIA_PIX_F64)
            ((double *)img)[i] = 100.0 + (double)(i % 977);
        else
            ((float *)img)[i] = 100.0f + (float)(i % 977);
    }
    double t[RUNS + 1];
    int ok = 1;
    for (int k = 0; k <= RUNS && ok; k++) {
        const double t0 = bench_now();
        ok = b->deconv_run(plan, img, u, iterations) == AIA_OK;
        t[k] = bench_now() - t0;
    }
    aia_backend_free(img);
    aia_backend_free(u);
    b->deconv_plan_free(plan);
    return ok ? bench_median(t + 1, RUNS) : NAN;
}

int main(void)
{
    char device[32];
    const aia_backend *gpu = NULL, *cpu = aia_backend_get();
    if (aia_device_resolve("cuda", device, sizeof device, NULL, 0) || aia_backend_open("cuda", &gpu, NULL, 0)) {
        printf("bench_cuda: SKIPPED: %s\n", aia_last_error());
        return 0;
    }
    printf("bench_cuda: %s (%s) against the CPU's %s kernels, %d cores\n", device, gpu->kernels, cpu->kernels,
           bench_cores());
    double bw = NAN;
    if (aia_cuda_measure_copy(0, &bw))
        printf("copy bandwidth: %s\n", aia_last_error());
    else
        printf("copy bandwidth (device to device, read + write): %.0f GB/s\n", bw * 1e-9);

    /* ---- Richardson-Lucy ---- */
    aia_psf_options po;
    aia_psf_options_default(&po, 171);
    aia_image *psf = NULL;
    if (aia_psf_cached(&po, NULL, &psf, NULL)) {
        printf("PSF: %s\n", aia_last_error());
        return 1;
    }
    const double n = 4096.0;
    for (int dbl = 0; dbl < 2; dbl++) {
        const aia_pixtype p = dbl ? AIA_PIX_F64 : AIA_PIX_F32;
        const double real = dbl ? 8 : 4;
        const double t25 = deconv_time(gpu, psf, p, 25), t0 = deconv_time(gpu, psf, p, 0);
        const double floor = 25.0 * 4 * 2 * (n * n * real + n * (n / 2 + 1) * 2 * real) / bw;
        const double cpu25 = deconv_time(cpu, psf, p, 25);
        printf("RL 25 iterations %s: %.2f ms on the device (%.2f ms with the transfers); floor %.2f ms, "
               "ratio %.2f; CPU %.0f ms (%.0fx)\n",
               dbl ? "double" : "single", 1e3 * (t25 - t0), 1e3 * t25, 1e3 * floor, (t25 - t0) / floor,
               1e3 * cpu25, cpu25 / t25);
        printf("TABLE rl_%s_ms %.2f floor_ms %.2f cpu_ms %.0f\n", dbl ? "double" : "single", 1e3 * (t25 - t0),
               1e3 * floor, 1e3 * cpu25);
    }

    /* ---- the PSF ---- */
    double tg[RUNS + 1], tc[3], spikes[RUNS + 1];
    for (int k = 0; k <= RUNS; k++) {
        aia_image *out = NULL;
        aia_psf_info info;
        po.device = "cuda";
        const double t0 = bench_now();
        aia_psf(&po, &out, &info);
        tg[k] = bench_now() - t0;
        spikes[k] = info.seconds_spikes;
        aia_image_free(out);
    }
    for (int k = 0; k < 3; k++) {
        aia_image *out = NULL;
        po.device = "cpu";
        const double t0 = bench_now();
        aia_psf(&po, &out, NULL);
        tc[k] = bench_now() - t0;
        aia_image_free(out);
    }
    printf("PSF of 171 A: %.1f ms (patterns %.1f ms); CPU %.0f ms (%.0fx)\n", 1e3 * bench_median(tg + 1, RUNS),
           1e3 * bench_median(spikes + 1, RUNS), 1e3 * bench_median(tc, 3),
           bench_median(tc, 3) / bench_median(tg + 1, RUNS));
    printf("TABLE psf_ms %.1f cpu_ms %.0f\n", 1e3 * bench_median(tg + 1, RUNS), 1e3 * bench_median(tc, 3));

    /* ---- registration and level 1.6 ---- */
    aia_image *img = frame();
    aia_register_options ro;
    aia_register_options_default(&ro);
    ro.device = "cuda";
    aia_register_plan *rg = NULL, *rc = NULL;
    if (!img || aia_register_plan_new(img->header, img->width, img->height, &ro, &rg)) {
        printf("registration: %s\n", aia_last_error());
        return 1;
    }
    ro.device = "cpu";
    aia_register_plan_new(img->header, img->width, img->height, &ro, &rc);
    long w, h;
    aia_register_plan_shape(rg, &w, &h);
    float *out = malloc(sizeof(float) * (size_t)(w * h));
    aia_workspace *ws = aia_workspace_new();
    double dev[RUNS + 1], copy[RUNS + 1], wall[RUNS + 1], cwall[3];
    for (int k = 0; k <= RUNS; k++) {
        aia_register_info info;
        const double t0 = bench_now();
        aia_register_execute(rg, aia_image_view(img), aia_view_of(out, w, h, w, AIA_PIX_F32), ws, &info);
        wall[k] = bench_now() - t0;
        dev[k] = info.seconds_scan + info.seconds_prefilter + info.seconds_sample;
        copy[k] = wall[k] - dev[k];
    }
    for (int k = 0; k < 3; k++) {
        const double t0 = bench_now();
        aia_register_execute(rc, aia_image_view(img), aia_view_of(out, w, h, w, AIA_PIX_F32), ws, NULL);
        cwall[k] = bench_now() - t0;
    }
    printf("registration order 3: %.2f ms on the device, %.1f ms with the transfers and the host's part; "
           "CPU %.0f ms (%.0fx)\n",
           1e3 * bench_median(dev + 1, RUNS), 1e3 * bench_median(wall + 1, RUNS), 1e3 * bench_median(cwall, 3),
           bench_median(cwall, 3) / bench_median(wall + 1, RUNS));
    (void)copy;
    printf("TABLE register_device_ms %.2f register_wall_ms %.1f cpu_ms %.0f\n", 1e3 * bench_median(dev + 1, RUNS),
           1e3 * bench_median(wall + 1, RUNS), 1e3 * bench_median(cwall, 3));

    aia_deconv_plan *dp = NULL;
    if (aia_deconv_plan_new_on(psf, AIA_PIX_F32, 0, "cuda", &dp) == AIA_OK) {
        double t[RUNS + 1];
        for (int k = 0; k <= RUNS; k++) {
            const double t0 = bench_now();
            aia_deconvolve_register_execute(dp, rg, aia_image_view(img), aia_view_of(out, w, h, w, AIA_PIX_F32),
                                            NULL, ws, NULL, NULL);
            t[k] = bench_now() - t0;
        }
        printf("level 1.6 of one frame in one call (single, 25 iterations): %.1f ms\n",
               1e3 * bench_median(t + 1, RUNS));
        printf("TABLE level16_ms %.1f\n", 1e3 * bench_median(t + 1, RUNS));
        aia_deconv_plan_free(dp);
    }
    free(out);
    aia_workspace_free(ws);
    aia_register_plan_free(rg);
    aia_register_plan_free(rc);
    aia_image_free(img);
    aia_image_free(psf);
    return 0;
}
