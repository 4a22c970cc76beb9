/* plugin.h — what libaiaprep.so and the CUDA backend, libaiaprep_cuda.so,
 * say to each other. The library loads the plugin (dlopen) only when a CUDA
 * device is asked for, so that it never depends on the CUDA libraries; the
 * plugin exports one function, AIA_CUDA_PLUGIN_ENTRY, and reaches the
 * library only through the host table it is given (error messages, the
 * clock). C, included by both sides. Internal. */
#ifndef AIAPREP_KERNELS_CUDA_PLUGIN_H
#define AIAPREP_KERNELS_CUDA_PLUGIN_H

#include "kernels/backend.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever this file or kernels/backend.h changes shape: a plugin
 * of another version is refused, not called. */
#define AIA_CUDA_PLUGIN_ABI 2
#define AIA_CUDA_PLUGIN_ENTRY "aia_cuda_plugin_entry"
#define AIA_CUDA_PLUGIN_FILE "libaiaprep_cuda.so"

/* The library's side. */
typedef struct aia_cuda_host {
    int abi;
    int (*fail)(int status, const char *fmt, ...); /* the calling thread's message; returns status */
    double (*now)(void);                             /* monotonic seconds */
} aia_cuda_host;

/* The plugin's side. */
typedef struct aia_cuda_plugin {
    int abi;
    const char *build; /* e.g. "CUDA 13.0, kernels for sm_90 + compute_90 PTX" */
    /* The CUDA runtime, the driver and the devices this process sees, or
     * why none, one line each ("CUDA runtime: ...\n"), into buf. */
    void (*describe)(char *buf, size_t size);
    /* The backend of device `index`, opened once per process (thread-safe):
     * an error (the host's message says why) when there is no driver, no
     * such device, or the device cannot run this build's kernels. */
    int (*open)(int index, const aia_backend **out);
    /* For the benchmarks: the device's copy bandwidth, bytes read plus
     * written per second (a large device-to-device copy). */
    int (*measure_copy)(int index, double *bytes_per_second);
} aia_cuda_plugin;

typedef const aia_cuda_plugin *(*aia_cuda_plugin_entry_fn)(const aia_cuda_host *host);

#ifdef __cplusplus
}
#endif

#endif
