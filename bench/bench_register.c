/* bench_register.c — registration of one 4096 x 4096 frame (order 3, the
 * default grid): medians of repeated runs per stage, the whole file
 * (read -> register -> write), and the floors: memory traffic over measured
 * bandwidth. The frame is the 171 A sample of ../shared/data (AIAPREP_DATA)
 * when present, else a synthetic one. aiapy's register takes about 1.6 s on
 * one core of the 2-core development machine (README, issue 3). */
#include "aiaprep.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 9

static aia_image *load_frame(const char **source)
{
    static char sample[4096];
    const char *shared = getenv("AIAPREP_DATA");
    snprintf(sample, sizeof sample, "%s/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits",
             shared && *shared ? shared : AIAPREP_DEFAULT_SHARED);
    aia_image *img = NULL;
    *source = sample;
    if (aia_image_read(sample, AIA_PIX_F32, &img) == AIA_OK)
        return img;
    aia_synth_params p;
    aia_synth_defaults(171, 4096, &p);
    *source = "aiaprep synth --channel 171";
    return aia_synth(&p, &img) == AIA_OK ? img : NULL;
}

/* Streaming bandwidth: a 256 MiB copy (read + write), best of 5. */
static double copy_bandwidth(void)
{
    const size_t n = 256u << 20;
    char *a = malloc(n), *b = malloc(n);
    memset(a, 1, n);
    memset(b, 2, n);
    double best = 1e9;
    for (int i = 0; i < 5; i++) {
        double t0 = bench_now();
        memcpy(b, a, n);
        double t = bench_now() - t0;
        best = t < best ? t : best;
    }
    free(a);
    free(b);
    return 2.0 * (double)n / best; /* bytes read + written per second */
}

/* Registration as a batch does it: a plan for the frame, the output's
 * buffer and the workspace kept from one frame to the next. */
static int register_reusing(const aia_image *in, aia_workspace *ws, aia_image **out, aia_register_info *info)
{
    aia_register_plan *plan = NULL;
    int st = aia_register_plan_new(in->header, in->width, in->height, NULL, &plan);
    long w = 0, h = 0;
    if (!st)
        aia_register_plan_shape(plan, &w, &h);
    if (!st && (!*out || (*out)->width != w || (*out)->height != h)) {
        aia_image_free(*out);
        st = aia_image_create(w, h, AIA_PIX_F32, out);
    }
    if (!st) {
        aia_header_free((*out)->header);
        (*out)->header = NULL;
        st = aia_header_copy(in->header, &(*out)->header);
    }
    if (!st)
        st = aia_register_plan_header(plan, (*out)->header);
    if (!st)
        st = aia_register_execute(plan, aia_image_view(in), aia_image_view(*out), ws, info);
    aia_register_plan_free(plan);
    return st;
}

int main(int argc, char **argv)
{
    const int median_only = argc > 1 && strcmp(argv[1], "--register-median") == 0;
    const char *source;
    aia_image *in = load_frame(&source);
    if (!in) {
        fprintf(stderr, "no frame: %s\n", aia_last_error());
        return 1;
    }
    if (!median_only) {
        printf("frame: %s\n", source);
        bench_header("aiaprep bench_register: register one 4096 x 4096 frame, order 3, --grid 4096");
    }
    double total[RUNS], fresh[RUNS], scan[RUNS], pre[RUNS], samp[RUNS], fin[RUNS];
    aia_image *out = NULL;
    aia_register_info info;
    /* fresh memory on every call (aia_register) */
    for (int i = 0; i < RUNS; i++) {
        double t0 = bench_now();
        aia_register(in, NULL, &out, &info);
        fresh[i] = bench_now() - t0;
        aia_image_free(out);
        out = NULL;
    }
    /* a batch: a plan per frame, workspace and output reused */
    aia_workspace *ws = aia_workspace_new();
    register_reusing(in, ws, &out, &info); /* warm-up */
    for (int i = 0; i < RUNS; i++) {
        double t0 = bench_now();
        if (register_reusing(in, ws, &out, &info)) {
            fprintf(stderr, "register: %s\n", aia_last_error());
            return 1;
        }
        total[i] = bench_now() - t0;
        scan[i] = info.seconds_scan;
        pre[i] = info.seconds_prefilter;
        samp[i] = info.seconds_sample;
        fin[i] = info.seconds_finish;
    }
    if (median_only) { /* for compare_aiapy.py */
        printf("%.6f\n", bench_median(total, RUNS));
        return 0;
    }
    bench_row("  input statistics (min, max, NaN)", scan, RUNS);
    bench_row("  spline prefilter of the padded frame", pre, RUNS);
    bench_row("  sampling, 16 taps a pixel, clipped", samp, RUNS);
    bench_row("  NaN blobs (none in this frame)", fin, RUNS);
    double med = bench_median(total, RUNS);
    bench_row("register, workspace reused (as in a batch)", total, RUNS);
    bench_row("register, fresh memory each call", fresh, RUNS);
    printf("(aiapy's register took 1.6 s on this machine kind; `make bench` times it side by side)\n");
    (void)med;

    /* floors */
    const double bw = copy_bandwidth();
    const double frame = 4096.0 * 4096.0 * 4.0;
    /* read input, write output: the least any implementation moves */
    const double least = 2 * frame;
    /* this implementation: scan (R), row pass (R+W), column pass (R+W),
     * sampling (R+W) */
    const double ours = 7 * frame;
    printf("memory bandwidth (memcpy, 2 cores): %.1f GB/s\n", bw / 1e9);
    printf("floor, input read + output written (%.0f MB): %.1f ms; this design's traffic (%.0f MB): %.1f ms\n",
           least / 1e6, 1e3 * least / bw, ours / 1e6, 1e3 * ours / bw);
    printf("arithmetic: 16 taps x 2 flops + ~40 flops of weights and position = ~70 flops a pixel,\n"
           "  1.2 Gflop a frame; the prefilter ~20 flops a pixel, 0.3 Gflop\n");

    /* the whole file */
    char dir[] = "/tmp/aiaprep-bench-XXXXXX", path[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/out.fits", dir);
    double rd[RUNS], rg[RUNS], wr[RUNS];
    aia_write_options o;
    aia_write_options_default(&o);
    o.overwrite = 1;
    /* a file to read: the sample itself, or the synthetic frame written out */
    char input[64];
    snprintf(input, sizeof input, "%s/in.fits", dir);
    const int synthetic = strcmp(source, "aiaprep synth --channel 171") == 0;
    if (synthetic)
        aia_image_write(in, input, &o, NULL);
    aia_image *img = NULL; /* reused, as a batch does */
    for (int i = 0; i < RUNS; i++) {
        double t0 = bench_now();
        aia_image_read_into(synthetic ? input : source, AIA_PIX_F32, &img);
        double t1 = bench_now();
        register_reusing(img, ws, &out, NULL);
        double t2 = bench_now();
        aia_image_write(out, path, &o, NULL);
        double t3 = bench_now();
        rd[i] = t1 - t0;
        rg[i] = t2 - t1;
        wr[i] = t3 - t2;
    }
    aia_image_free(img);
    remove(input);
    printf("whole file, read -> register -> write int16 Rice (the default):\n");
    bench_row("  read (Rice int16 -> float32)", rd, RUNS);
    bench_row("  register", rg, RUNS);
    bench_row("  write (int16 Rice)", wr, RUNS);
    remove(path);
    remove(dir);
    aia_image_free(out);
    aia_workspace_free(ws);
    aia_image_free(in);
    return 0;
}
