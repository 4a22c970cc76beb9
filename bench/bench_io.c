/* bench_io.c — FITS read and write times for a 4096 x 4096 AIA frame:
 * medians of repeated runs, with the machine's core count. Files go to
 * $TMPDIR (default /tmp). The frame is the 171 A sample level-1 frame of
 * ../shared/data (or AIAPREP_DATA) when present, else a synthetic one. */
#include "aiaprep.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNS 7

static char dir[4096];

static void bench_write(const char *what, const aia_image *img, aia_out_type t, aia_compression c,
                        int runs)
{
    double times[RUNS];
    char path[4200];
    snprintf(path, sizeof path, "%s/w.fits", dir);
    aia_write_options o;
    aia_write_options_default(&o);
    o.type = t;
    o.compression = c;
    o.overwrite = 1;
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now();
        if (aia_image_write(img, path, &o, NULL)) {
            fprintf(stderr, "write failed: %s\n", aia_last_error());
            exit(1);
        }
        times[i] = bench_now() - t0;
    }
    struct stat sb;
    stat(path, &sb);
    char label[128];
    snprintf(label, sizeof label, "%s (%.1f MB)", what, (double)sb.st_size / 1e6);
    bench_row(label, times, runs);
}

/* Reads of one file with checksum verification on and off, alternated so
 * that both see the same machine: the cost of verifying is their difference. */
static void bench_read(const char *what, const char *path, aia_pixtype pt)
{
    double times[2][RUNS];
    for (int i = 0; i < RUNS; i++)
        for (int verify = 1; verify >= 0; verify--) {
            aia_read_options o;
            aia_read_options_default(&o);
            o.verify_checksums = verify;
            aia_image *img = NULL;
            double t0 = bench_now();
            if (aia_image_read_with(path, pt, &o, &img)) {
                fprintf(stderr, "read failed: %s\n", aia_last_error());
                exit(1);
            }
            times[!verify][i] = bench_now() - t0;
            aia_image_free(img);
        }
    char label[160];
    snprintf(label, sizeof label, "%s (checksums verified)", what);
    bench_row(label, times[0], RUNS);
    snprintf(label, sizeof label, "%s (--no-verify)", what);
    bench_row(label, times[1], RUNS);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/aiaprep-bench-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    aia_image *img = NULL;
    char sample[4096];
    const char *shared = getenv("AIAPREP_DATA");
    snprintf(sample, sizeof sample, "%s/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits",
             shared && *shared ? shared : AIAPREP_DEFAULT_SHARED);
    const char *source = sample;
    if (aia_image_read(sample, AIA_PIX_F32, &img) != AIA_OK) {
        aia_synth_params p;
        aia_synth_defaults(171, 4096, &p);
        source = "aiaprep synth --channel 171";
        if (aia_synth(&p, &img)) {
            fprintf(stderr, "synth failed: %s\n", aia_last_error());
            return 1;
        }
    }
    bench_header("aiaprep bench_io: FITS I/O of one 4096 x 4096 AIA frame");
    printf("frame: %s\n", source);
    char rice[4200], raw[4200];
    snprintf(rice, sizeof rice, "%s/rice.fits", dir);
    snprintf(raw, sizeof raw, "%s/raw.fits", dir);
    aia_write_options o;
    aia_write_options_default(&o);
    aia_image_write(img, rice, &o, NULL);
    o.type = AIA_OUT_FLOAT32;
    aia_image_write(img, raw, &o, NULL);
    /* the inputs as JSOC ships them: their DATASUM/CHECKSUM are verified */
    if (source == sample)
        bench_read("read  the JSOC-layout sample as shipped", sample, AIA_PIX_F32);

    bench_read("read  int16 Rice -> float32", rice, AIA_PIX_F32);
    bench_read("read  float32 uncompressed -> float32", raw, AIA_PIX_F32);
    bench_write("write int16 Rice (default for DN)", img, AIA_OUT_INT16, AIA_COMP_RICE, RUNS);
    bench_write("write float32 uncompressed", img, AIA_OUT_FLOAT32, AIA_COMP_NONE, RUNS);
    bench_write("write float32 Rice quantised (lossy)", img, AIA_OUT_FLOAT32, AIA_COMP_RICE, RUNS);
    bench_write("write float32 GZIP_2 (lossless)", img, AIA_OUT_FLOAT32, AIA_COMP_GZIP2, 3);
    aia_image_free(img);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
