/* bench_psf.c — the PSF of one channel (171 A, default core): medians of
 * repeated runs, split between the spikes (the two mesh patterns) and the
 * FFT composite. FFT plans come from wisdom in the cache directory when
 * present (`aiaprep psf` and deconvolution save it); the first run of a
 * process includes planning. aiapy 0.7.4 needs about 300 s for this on the
 * development machine. */
#include "aiaprep.h"
#include "bench_util.h"

#include <stdio.h>

#define RUNS 7

int main(void)
{
    bench_header("aiaprep bench_psf: calculate_psf(171), 4096 x 4096 float64");
    double total[RUNS], spikes[RUNS], fft[RUNS];
    aia_psf_options o;
    aia_psf_options_default(&o, 171);
    aia_image *psf = NULL;
    aia_psf_info info;
    double t0 = bench_now();
    aia_psf(&o, &psf, &info); /* warm-up: plans, first touch */
    printf("first call in the process: %.1f ms\n", 1e3 * (bench_now() - t0));
    aia_image_free(psf);
    for (int i = 0; i < RUNS; i++) {
        t0 = bench_now();
        if (aia_psf(&o, &psf, &info)) {
            fprintf(stderr, "psf: %s\n", aia_last_error());
            return 1;
        }
        total[i] = bench_now() - t0;
        spikes[i] = info.seconds_spikes;
        fft[i] = info.seconds_fft;
        aia_image_free(psf);
    }
    bench_row("  spikes and core (two mesh patterns)", spikes, RUNS);
    bench_row("  composite: 3 real FFTs, product, reflect", fft, RUNS);
    bench_row("PSF of one channel", total, RUNS);
    return 0;
}
