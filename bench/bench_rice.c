/* bench_rice.c — the RICE_1 codec on a whole 4096 x 4096 int16 frame (the
 * 171 A sample level-1 frame's own tiles, or a synthetic frame's), one
 * thread: the library's decoder and encoder side by side with cfitsio's
 * (fits_rdecomp_short, fits_rcomp_short) in the same run, in ms, ns a pixel
 * and MB/s of pixel data, beside a plain memcpy of the 32 MiB frame. */
#include "aiaprep.h"
#include "bench_util.h"

#include "io/rice.h"

#include <fitsio.h>
#include <fitsio2.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 7

typedef struct frame {
    long nx, ny;
    int16_t *pix;           /* nx * ny                          */
    unsigned char *bytes;   /* the tiles, each at stride cap    */
    size_t *len, cap;
} frame;

/* The tiles of the sample file as stored, or the synthetic frame encoded. */
static int load(const char *path, frame *fr)
{
    fitsfile *f = NULL;
    int st = 0, type = 0, col = 0;
    long nrows = 0;
    if (fits_open_diskfile(&f, path, READONLY, &st))
        return -1;
    fits_movabs_hdu(f, 2, &type, &st);
    fits_read_key(f, TLONG, "ZNAXIS1", &fr->nx, NULL, &st);
    fits_read_key(f, TLONG, "ZNAXIS2", &fr->ny, NULL, &st);
    fits_get_num_rows(f, &nrows, &st);
    fits_get_colnum(f, CASEINSEN, "COMPRESSED_DATA", &col, &st);
    if (st || nrows != fr->ny)
        return -1;
    fr->cap = aia_rice_bound((size_t)fr->nx, 2) + 8 + AIA_RICE_PAD;
    fr->bytes = calloc((size_t)fr->ny, fr->cap);
    fr->len = malloc(sizeof(size_t) * (size_t)fr->ny);
    fr->pix = malloc(sizeof(int16_t) * (size_t)(fr->nx * fr->ny));
    for (long r = 0; r < fr->ny && !st; r++) {
        LONGLONG repeat = 0, off = 0;
        fits_read_descriptll(f, col, r + 1, &repeat, &off, &st);
        fits_read_col(f, TBYTE, col, r + 1, 1, repeat, NULL, fr->bytes + (size_t)r * fr->cap, NULL, &st);
        fr->len[r] = (size_t)repeat;
        fits_rdecomp_short(fr->bytes + (size_t)r * fr->cap, (int)repeat, (unsigned short *)fr->pix + r * fr->nx,
                           (int)fr->nx, 32);
    }
    fits_close_file(f, &st);
    return st ? -1 : 0;
}

static void synthetic(frame *fr)
{
    aia_synth_params p;
    aia_image *img = NULL;
    aia_synth_defaults(171, 4096, &p);
    aia_synth(&p, &img);
    fr->nx = fr->ny = 4096;
    fr->cap = aia_rice_bound((size_t)fr->nx, 2) + 8 + AIA_RICE_PAD;
    fr->bytes = calloc((size_t)fr->ny, fr->cap);
    fr->len = malloc(sizeof(size_t) * (size_t)fr->ny);
    fr->pix = malloc(sizeof(int16_t) * (size_t)(fr->nx * fr->ny));
    for (long i = 0; i < fr->nx * fr->ny; i++)
        fr->pix[i] = (int16_t)((float *)img->data)[i];
    for (long r = 0; r < fr->ny; r++)
        fr->len[r] = (size_t)fits_rcomp_short(fr->pix + r * fr->nx, (int)fr->nx, fr->bytes + (size_t)r * fr->cap,
                                              (int)fr->cap, 32);
    aia_image_free(img);
}

static void row(const char *what, double *t, long pixels)
{
    double v[RUNS];
    memcpy(v, t, sizeof v);
    const double med = bench_median(v, RUNS);
    char label[160];
    snprintf(label, sizeof label, "%s: %.2f ns/px, %.0f MB/s", what, 1e9 * med / (double)pixels,
             2.0 * (double)pixels / med / 1e6);
    bench_row(label, t, RUNS);
}

int main(void)
{
    char sample[4096];
    const char *shared = getenv("AIAPREP_DATA");
    snprintf(sample, sizeof sample, "%s/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits",
             shared && *shared ? shared : AIAPREP_DEFAULT_SHARED);
    frame fr = {0};
    const char *source = sample;
    if (load(sample, &fr)) {
        synthetic(&fr);
        source = "aiaprep synth --channel 171 (encoded by cfitsio)";
    }
    omp_set_num_threads(1);
    printf("frame: %s\n", source);
    bench_header("aiaprep bench_rice: RICE_1, 4096 x 4096 int16, one thread (medians)");
    const long n = fr.nx * fr.ny;
    size_t stored = 0;
    for (long r = 0; r < fr.ny; r++)
        stored += fr.len[r];
    printf("compressed: %.1f MB (%.2f bits a pixel)\n", (double)stored / 1e6, 8.0 * (double)stored / (double)n);
    int16_t *out = malloc(sizeof(int16_t) * (size_t)n);
    unsigned char *enc = calloc((size_t)fr.ny, fr.cap);
    size_t *len = malloc(sizeof(size_t) * (size_t)fr.ny);
    double ours_d[RUNS], cf_d[RUNS], ours_e[RUNS], cf_e[RUNS], copy[RUNS];
    int same = 1;
    for (int k = 0; k < RUNS; k++) {
        double t0 = bench_now();
        memcpy(out, fr.pix, sizeof(int16_t) * (size_t)n);
        copy[k] = bench_now() - t0;

        t0 = bench_now();
        for (long r = 0; r < fr.ny; r += AIA_RICE_STREAMS) {
            const unsigned char *in[AIA_RICE_STREAMS];
            int16_t *o[AIA_RICE_STREAMS];
            const int m = (int)(fr.ny - r < AIA_RICE_STREAMS ? fr.ny - r : AIA_RICE_STREAMS);
            for (int s = 0; s < m; s++) {
                in[s] = fr.bytes + (size_t)(r + s) * fr.cap;
                o[s] = out + (r + s) * fr.nx;
            }
            aia_rice_error e;
            same &= aia_rice_decode16(in, fr.len + r, m, o, (size_t)fr.nx, 32, &e) == 0;
        }
        ours_d[k] = bench_now() - t0;
        same &= memcmp(out, fr.pix, sizeof(int16_t) * (size_t)n) == 0;

        t0 = bench_now();
        for (long r = 0; r < fr.ny; r++)
            fits_rdecomp_short(fr.bytes + (size_t)r * fr.cap, (int)fr.len[r], (unsigned short *)out + r * fr.nx,
                               (int)fr.nx, 32);
        cf_d[k] = bench_now() - t0;

        t0 = bench_now();
        for (long r = 0; r < fr.ny; r += AIA_RICE_STREAMS) {
            const int16_t *in[AIA_RICE_STREAMS];
            unsigned char *o[AIA_RICE_STREAMS];
            const int m = (int)(fr.ny - r < AIA_RICE_STREAMS ? fr.ny - r : AIA_RICE_STREAMS);
            for (int s = 0; s < m; s++) {
                in[s] = fr.pix + (r + s) * fr.nx;
                o[s] = enc + (size_t)(r + s) * fr.cap;
            }
            aia_rice_encode16(in, m, (size_t)fr.nx, 32, o, len + r);
        }
        ours_e[k] = bench_now() - t0;

        t0 = bench_now();
        for (long r = 0; r < fr.ny; r++)
            fits_rcomp_short(fr.pix + r * fr.nx, (int)fr.nx, fr.bytes + (size_t)r * fr.cap, (int)fr.cap, 32);
        cf_e[k] = bench_now() - t0;
        for (long r = 0; r < fr.ny; r++)
            same &= len[r] == fr.len[r] && memcmp(enc + (size_t)r * fr.cap, fr.bytes + (size_t)r * fr.cap, len[r]) == 0;
    }
    row("memcpy of the int16 frame", copy, n);
    row("decode, aiaprep", ours_d, n);
    row("decode, cfitsio", cf_d, n);
    row("encode, aiaprep", ours_e, n);
    row("encode, cfitsio", cf_e, n);
    printf("speed-up (medians, same run): decode %.2fx, encode %.2fx; bytes and pixels identical: %s\n",
           bench_median(cf_d, RUNS) / bench_median(ours_d, RUNS), bench_median(cf_e, RUNS) / bench_median(ours_e, RUNS),
           same ? "yes" : "NO");
    return same ? 0 : 1;
}
