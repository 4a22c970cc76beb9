/* hd.h — functions that compile both for the host (C11, the tests and the
 * CPU side) and for a CUDA device: the per-pixel arithmetic of the CUDA
 * backend is written once, as AIA_HD functions in headers, so that a host
 * test can run it over the launch grid and compare it with the CPU backend.
 * Such headers use the common subset of C11 and CUDA C++ (no designated
 * initialisers, no templates, explicit casts from void *). Internal. */
#ifndef AIAPREP_KERNELS_HD_H
#define AIAPREP_KERNELS_HD_H

#if defined(__CUDACC__)
#define AIA_HD __host__ __device__ static inline
#else
#define AIA_HD static inline
#endif

#endif
