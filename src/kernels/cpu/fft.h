/* fft.h — FFTW set-up shared by the PSF and deconvolution. Internal. */
#ifndef AIAPREP_FFT_H
#define AIAPREP_FFT_H

#include <fftw3.h>

/* Initialise FFTW's threads (OpenMP, the library's runtime), make the
 * planner thread-safe and load the wisdom saved in the cache directory;
 * idempotent and safe from any thread. */
void aia_fft_init(void);
void aia_fft_set_threads(int threads); /* 0: OpenMP's default */
int aia_fft_threads(void);

/* Save what the planner has learnt (after FFTW_MEASURE planning) to the
 * cache directory, atomically; errors are ignored (it is only a speed-up). */
void aia_fft_save_wisdom(int single);

/* 2-D real FFT plans (n0 x n1). With known wisdom (saved earlier, or planned
 * earlier in this process) the plan is FFTW_MEASURE quality at no cost.
 * Without: measure = 1 plans with FFTW_MEASURE (seconds; the arrays are
 * overwritten) and saves the wisdom for next time, measure = 0 takes
 * FFTW_ESTIMATE. NULL on failure. */
fftw_plan aia_fft_plan_r2c(int n0, int n1, double *in, fftw_complex *out, int measure);
fftw_plan aia_fft_plan_c2r(int n0, int n1, fftw_complex *in, double *out, int measure);
fftwf_plan aia_fftf_plan_r2c(int n0, int n1, float *in, fftwf_complex *out, int measure);
fftwf_plan aia_fftf_plan_c2r(int n0, int n1, fftwf_complex *in, float *out, int measure);

#endif
