/* deconvolve_impl.h — the two precisions of the Richardson–Lucy kernel
 * (deconv_kernel.h compiled as deconv_single.c and deconv_double.c). */
#ifndef AIAPREP_DECONVOLVE_IMPL_H
#define AIAPREP_DECONVOLVE_IMPL_H

#include "core/core.h"
#include "kernels/cpu/variant.h"

typedef struct aia_deconv_single_plan aia_deconv_single_plan;
typedef struct aia_deconv_double_plan aia_deconv_double_plan;

/* spectrum: the 2-D r2c FFT of the PSF moved to (0, 0), n x (n/2+1)
 * complex doubles. The plan keeps it (/ n²) in its precision. */
int aia_deconv_single_plan_new(const double *spectrum, long n, aia_deconv_single_plan **out);
int aia_deconv_double_plan_new(const double *spectrum, long n, aia_deconv_double_plan **out);
void aia_deconv_single_plan_free(aia_deconv_single_plan *p);
void aia_deconv_double_plan_free(aia_deconv_double_plan *p);

/* `iterations` Richardson–Lucy steps from u = img; img and u are n x n and
 * allocated with aia_backend_alloc (FFTW needs the alignment). Re-entrant:
 * several threads may run one plan at once. */
int aia_deconv_single_run(const aia_deconv_single_plan *p, const float *img, float *u, int iterations);
int aia_deconv_double_run(const aia_deconv_double_plan *p, const double *img, double *u, int iterations);

#endif
