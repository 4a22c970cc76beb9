/* deconv_double.c — the Richardson–Lucy kernel in float64 (--precision double). */
#define REAL double
#define FFTW(name) fftw_##name
#define KERNEL(name) aia_deconv_double_##name
#include "kernels/cpu/deconv_kernel.h"
