/* mpi_load.c — prep's MPI mode, from the module libaiaprep_mpi.so (prep.h):
 * loaded with the first call, from AIAPREP_MPI_MODULE (a file), beside the
 * libaiaprep.so the program runs on (installed or in the build tree), where
 * `make install` puts it, or where the build made it. RTLD_GLOBAL: Open
 * MPI's own components, which it loads in turn, look for its symbols there. */
#include "prep.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const aiaprep_mpi_module *module;

int mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

static int candidates(char paths[][PATH_MAX], int max)
{
    int n = 0;
    const char *env = getenv("AIAPREP_MPI_MODULE");
    if (env && *env) {
        snprintf(paths[n++], PATH_MAX, "%s", env);
        return n; /* asked for: that one or none */
    }
    Dl_info info; /* beside the library this program runs on (installed, or the build tree's) */
    if (dladdr((void *)aia_version, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        if (slash)
            snprintf(paths[n++], PATH_MAX, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname,
                     AIAPREP_MPI_FILE);
    }
    if (n < max)
        snprintf(paths[n++], PATH_MAX, "%s", AIAPREP_MPI_MODULE_INSTALLED);
    if (n < max)
        snprintf(paths[n++], PATH_MAX, "%s", AIAPREP_MPI_MODULE_BUILT);
    return n;
}

static int load(void)
{
    if (module)
        return 1;
    char paths[3][PATH_MAX], why[600] = "not found";
    const int n = candidates(paths, 3);
    for (int i = 0; i < n && !module; i++) {
        void *h = dlopen(paths[i], RTLD_NOW | RTLD_GLOBAL);
        if (!h) {
            const char *e = dlerror();
            if (e && !strstr(e, "No such file"))
                snprintf(why, sizeof why, "%.500s", e); /* the most telling failure */
            continue;
        }
        aiaprep_mpi_entry_fn entry = (aiaprep_mpi_entry_fn)dlsym(h, AIAPREP_MPI_ENTRY);
        const aiaprep_mpi_module *m = entry ? entry() : NULL;
        if (m && m->abi == AIAPREP_MPI_ABI)
            module = m; /* kept for the life of the process */
        else {
            snprintf(why, sizeof why, "%.400s is not this program's MPI module", paths[i]);
            dlclose(h);
        }
    }
    if (!module)
        fprintf(stderr, "aiaprep prep: error: cannot load the MPI mode (%s): %s\n", AIAPREP_MPI_FILE, why);
    return module != NULL;
}

int mpi_start(int *rank, int *ranks) { return load() ? module->start(rank, ranks) : -1; }

int mpi_all_ok(int ok) { return module->all_ok(ok); }

int mpi_pipeline_run(const char *const *inputs, long n, const aia_prep_options *prep,
                     const aia_pipeline_options *opts, aia_pipeline_summary *sum)
{
    return module->pipeline_run(inputs, n, prep, opts, sum);
}

void mpi_stop(void) { module->stop(); }
