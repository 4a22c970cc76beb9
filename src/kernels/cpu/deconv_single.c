/* deconv_single.c — the Richardson–Lucy kernel in float32 (the default). */
#define REAL float
#define FFTW(name) fftwf_##name
#define KERNEL(name) aia_deconv_single_##name
#include "kernels/cpu/deconv_kernel.h"
