/* deconv_math.h — the per-pixel arithmetic of the CUDA backend's
 * Richardson–Lucy iterations and of its PSF spectrum, as AIA_HD functions
 * (kernels/hd.h), in both precisions: the CPU kernel's expressions
 * (kernels/cpu/deconv_kernel.h, backend_cpu.c), element by element. On the
 * device the spectrum is the 2-D r2c transform in its natural layout,
 * n rows of n/2+1 complex values, re and im interleaved (cuFFT's and
 * FFTW's layout). tests/test_cuda_math.c runs the iteration with these
 * functions and FFTW's 2-D transforms on the host, against the CPU
 * backend. Internal. */
#ifndef AIAPREP_KERNELS_CUDA_DECONV_MATH_H
#define AIAPREP_KERNELS_CUDA_DECONV_MATH_H

#include "kernels/hd.h"

/* S[i] *= H[i], or conj(H[i]) (S, H: interleaved complex). */
#define AIA_CU_MUL_SPECTRUM(NAME, REAL)                                                            \
    AIA_HD void NAME(REAL *s, const REAL *h, long i, int conjugate)                                \
    {                                                                                              \
        const REAL a = s[2 * i], b = s[2 * i + 1], c = h[2 * i];                                   \
        const REAL d = conjugate ? -h[2 * i + 1] : h[2 * i + 1];                                   \
        s[2 * i] = a * c - b * d;                                                                  \
        s[2 * i + 1] = a * d + b * c;                                                              \
    }
AIA_CU_MUL_SPECTRUM(aia_cu_mul_spectrum_f, float)
AIA_CU_MUL_SPECTRUM(aia_cu_mul_spectrum_d, double)

/* ratio = img / est; 0 where est is exactly 0 (aiapy: NaN everywhere). */
AIA_HD float aia_cu_ratio_f(float img, float est) { return est != 0 ? img / est : 0; }
AIA_HD double aia_cu_ratio_d(double img, double est) { return est != 0 ? img / est : 0; }

/* The spectrum the plan keeps: the PSF's transform / n², in its precision. */
AIA_HD float aia_cu_spectrum_f(double v, double norm) { return (float)(v * norm); }
AIA_HD double aia_cu_spectrum_d(double v, double norm) { return v * norm; }

/* The PSF with its centre moved to (0, 0): pixel (r, c) of the shifted
 * array (backend_cpu.c psf_spectrum). */
AIA_HD double aia_cu_psf_shifted(const double *psf, long n, long r, long c)
{
    const long h = n / 2;
    return psf[((r + h) % n) * n + (c + h) % n];
}

#endif
