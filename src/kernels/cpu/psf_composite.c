/* psf_composite.c — the CPU backend's PSF composite (kernels/backend.h):
 * aiapy's |FFT2(FFT2(e) FFT2(f))| / n², fftshifted, is the circular
 * convolution e (*) f reflected through index n/2; computed here with real
 * FFTs (FFTW, threaded), forward twice and inverse once. */
#include "kernels/cpu/fft.h"
#include "kernels/cpu/variant.h"
#include "kernels/backend.h"

#include <fftw3.h>
#include <math.h>

int aia_cpu_psf_composite(double *e, double *f, long n, int threads, double *out);

int aia_cpu_psf_composite(double *e, double *f, long n, int threads, double *out)
{
    const long nc = n / 2 + 1, stride = 2 * nc, centre = n / 2;
    fftw_complex *fe = (fftw_complex *)e, *ff = (fftw_complex *)f;
    /* measure = 0: known wisdom or FFTW_ESTIMATE, neither of which touches
     * the arrays, so they may already hold the patterns */
    fftw_plan fwd_e = aia_fft_plan_r2c((int)n, (int)n, e, fe, threads, 0);
    fftw_plan fwd_f = aia_fft_plan_r2c((int)n, (int)n, f, ff, threads, 0);
    fftw_plan inv = aia_fft_plan_c2r((int)n, (int)n, fe, e, threads, 0);
    int ok = fwd_e && fwd_f && inv;
    if (ok) {
        fftw_execute(fwd_e);
        fftw_execute(fwd_f);
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n * nc; i++) {
            const double a = fe[i][0], b = fe[i][1], c = ff[i][0], d = ff[i][1];
            fe[i][0] = a * c - b * d;
            fe[i][1] = a * d + b * c;
        }
        fftw_execute(inv);
        const double norm = 1.0 / ((double)n * (double)n); /* a power of two: exact */
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; i++) {
            /* out[i][j] = |conv[(n/2 - i) mod n][(n/2 - j) mod n]| / n^2 */
            const double *src = e + ((centre - i + n) % n) * stride;
            double *dst = out + i * n;
            for (long j = 0; j <= centre; j++)
                dst[j] = fabs(src[centre - j]) * norm;
            for (long j = centre + 1; j < n; j++)
                dst[j] = fabs(src[n + centre - j]) * norm;
        }
    }
    if (fwd_e)
        fftw_destroy_plan(fwd_e);
    if (fwd_f)
        fftw_destroy_plan(fwd_f);
    if (inv)
        fftw_destroy_plan(inv);
    return ok ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "cannot plan the PSF's FFTs");
}
