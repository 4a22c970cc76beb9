/* device.c — device strings ("cpu", "auto", "cuda", "cuda:N") to backends,
 * and the CUDA backend's plugin: found and loaded (dlopen) the first time a
 * CUDA device is asked for, never before, so that libaiaprep.so runs where
 * there is no CUDA at all. Where there is no driver (libcuda.so.1), "auto"
 * does not even load the plugin. */
#include "kernels/backend.h"
#include "kernels/cuda/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- device strings ------------------------------------------------------ */

typedef enum { DEVICE_CPU, DEVICE_AUTO, DEVICE_CUDA } device_kind;

static int parse_device(const char *text, device_kind *kind, int *index)
{
    *index = 0;
    if (!text || !*text || strcmp(text, "cpu") == 0)
        return *kind = DEVICE_CPU, AIA_OK;
    if (strcmp(text, "auto") == 0)
        return *kind = DEVICE_AUTO, AIA_OK;
    if (strcmp(text, "cuda") == 0)
        return *kind = DEVICE_CUDA, AIA_OK;
    if (strncmp(text, "cuda:", 5) == 0) {
        char *end;
        errno = 0;
        const long v = strtol(text + 5, &end, 10);
        if (end != text + 5 && !*end && errno == 0 && v >= 0 && v < 1024) {
            *kind = DEVICE_CUDA;
            *index = (int)v;
            return AIA_OK;
        }
    }
    return aia_fail(AIA_ERR_ARG, "device '%.40s': auto, cpu, cuda or cuda:N (N = 0, 1, ...)", text);
}

/* ---- the plugin ---------------------------------------------------------- */

static pthread_once_t plugin_once = PTHREAD_ONCE_INIT;
static const aia_cuda_plugin *plugin;
static char plugin_why[600];  /* why there is none */
static char plugin_file[PATH_MAX];

#ifdef AIAPREP_WITH_CUDA
static const aia_cuda_host host = {AIA_CUDA_PLUGIN_ABI, aia_fail, aia_now};

/* Where the plugin may be: AIAPREP_CUDA_PLUGIN (a file), beside the
 * library that holds this code, where `make install` puts it, and where
 * the build made it (tests and benchmarks link the library statically). */
static int candidates(char paths[][PATH_MAX], int max)
{
    int n = 0;
    const char *env = getenv("AIAPREP_CUDA_PLUGIN");
    if (env && *env) {
        snprintf(paths[n++], PATH_MAX, "%s", env);
        return n; /* asked for: that one or none */
    }
    Dl_info info;
    if (dladdr((void *)aia_backend_open, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        if (slash)
            snprintf(paths[n++], PATH_MAX, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname,
                     AIA_CUDA_PLUGIN_FILE);
    }
#ifdef AIAPREP_CUDA_PLUGIN_INSTALLED
    if (n < max)
        snprintf(paths[n++], PATH_MAX, "%s", AIAPREP_CUDA_PLUGIN_INSTALLED);
#endif
#ifdef AIAPREP_CUDA_PLUGIN_BUILT
    if (n < max)
        snprintf(paths[n++], PATH_MAX, "%s", AIAPREP_CUDA_PLUGIN_BUILT);
#endif
    return n;
}
#endif

static void load_plugin(void)
{
#ifndef AIAPREP_WITH_CUDA
    snprintf(plugin_why, sizeof plugin_why,
             "this build of libaiaprep has no CUDA backend (it was built without the CUDA toolkit)");
#else
    char paths[4][PATH_MAX];
    const int n = candidates(paths, 4);
    char tried[sizeof plugin_why] = "";
    for (int i = 0; i < n && !plugin; i++) {
        void *h = dlopen(paths[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *e = dlerror();
            if (!tried[0] || (e && !strstr(e, "No such file")))
                snprintf(tried, sizeof tried, "%.500s", e ? e : paths[i]); /* the most telling failure */
            continue;
        }
        aia_cuda_plugin_entry_fn entry = (aia_cuda_plugin_entry_fn)dlsym(h, AIA_CUDA_PLUGIN_ENTRY);
        const aia_cuda_plugin *p = entry ? entry(&host) : NULL;
        if (!p || p->abi != AIA_CUDA_PLUGIN_ABI) {
            snprintf(tried, sizeof tried, "%.400s is not this library's CUDA backend (%s)", paths[i],
                     entry ? "another version" : "no entry point");
            dlclose(h);
            continue;
        }
        plugin = p; /* kept for the life of the process */
        snprintf(plugin_file, sizeof plugin_file, "%.4000s", paths[i]);
    }
    if (!plugin)
        snprintf(plugin_why, sizeof plugin_why, "cannot load the CUDA backend %s: %s", AIA_CUDA_PLUGIN_FILE,
                 tried[0] ? tried : "not found");
#endif
}

static const aia_cuda_plugin *cuda_plugin(void)
{
    pthread_once(&plugin_once, load_plugin);
    return plugin;
}

#ifdef AIAPREP_WITH_CUDA
/* Whether the CUDA driver can be loaded at all (without it no device can
 * be opened, and the plugin need not be loaded to say so). */
static int driver_present(char *why, size_t size)
{
    void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, size, "no CUDA driver (%s)", e ? e : "libcuda.so.1 cannot be loaded");
        return 0;
    }
    dlclose(h);
    return 1;
}
#endif

static int cuda_open(int index, const aia_backend **out)
{
#ifndef AIAPREP_WITH_CUDA
    (void)index;
    (void)out;
    cuda_plugin();
    return aia_fail(AIA_ERR_UNSUPPORTED, "%s", plugin_why);
#else
    char why[600];
    if (!driver_present(why, sizeof why))
        return aia_fail(AIA_ERR_UNSUPPORTED, "%s", why);
    const aia_cuda_plugin *p = cuda_plugin();
    if (!p)
        return aia_fail(AIA_ERR_UNSUPPORTED, "%s", plugin_why);
    return p->open(index, out);
#endif
}

/* ---- the public entry points --------------------------------------------- */

int aia_backend_open(const char *device, const aia_backend **out, char *note, size_t note_size)
{
    if (note && note_size)
        note[0] = '\0';
    device_kind kind;
    int index;
    int st = parse_device(device, &kind, &index);
    if (st)
        return st;
    if (kind == DEVICE_CPU) {
        *out = aia_backend_get();
        return AIA_OK;
    }
    st = cuda_open(index, out);
    if (st && kind == DEVICE_AUTO) {
        if (note && note_size)
            snprintf(note, note_size, "%s", aia_last_error());
        aia_clear_error();
        *out = aia_backend_get();
        return AIA_OK;
    }
    return st;
}

int aia_device_resolve(const char *device, char *resolved, size_t size, char *note, size_t note_size)
{
    aia_clear_error();
    const aia_backend *b = NULL;
    const int st = aia_backend_open(device, &b, note, note_size);
    if (resolved && size)
        snprintf(resolved, size, "%s", st ? "" : b->device);
    return st;
}

static char cuda_info[4096];

static void describe_cuda(void)
{
    const aia_cuda_plugin *p = cuda_plugin();
    if (!p) {
        snprintf(cuda_info, sizeof cuda_info, "CUDA: none: %s", plugin_why);
        return;
    }
    const int n = snprintf(cuda_info, sizeof cuda_info, "CUDA backend: %s (%s)\n", plugin_file, p->build);
    p->describe(cuda_info + n, sizeof cuda_info - (size_t)n);
    const size_t len = strlen(cuda_info);
    if (len && cuda_info[len - 1] == '\n')
        cuda_info[len - 1] = '\0';
}

const char *aia_cuda_info(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, describe_cuda);
    return cuda_info;
}

const char *aia_backends(void)
{
#ifdef AIAPREP_WITH_CUDA
    return "cpu cuda";
#else
    return "cpu";
#endif
}

int aia_cuda_measure_copy(int index, double *bytes_per_second)
{
    const aia_backend *b = NULL;
    int st = cuda_open(index, &b);
    return st ? st : cuda_plugin()->measure_copy(index, bytes_per_second);
}
