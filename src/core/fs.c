/* fs.c — file-system helpers: the cache directory, mkdir -p, the host name,
 * and temporary-file names: made here for every atomic write (FITS outputs,
 * the PSF cache, FFT wisdom) and recognised here when a later run removes
 * what a killed one left behind. */
#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_SUFFIX ".aiaprep-tmp"

int aia_cache_dir(char *buf, size_t size)
{
    const char *env = getenv("AIAPREP_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(buf, size, "%s", env);
    else if (xdg && *xdg)
        n = snprintf(buf, size, "%s/aiaprep", xdg);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.cache/aiaprep", home);
    else
        return aia_fail(AIA_ERR_ARG, "no cache directory: set AIAPREP_CACHE or HOME");
    if (n < 0 || (size_t)n >= size)
        return aia_fail(AIA_ERR_ARG, "cache directory path too long");
    return AIA_OK;
}

int aia_make_dirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

void aia_host_name(char *buf, size_t size)
{
    char host[256] = "host";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    size_t n = 0;
    for (const char *p = host; *p && n + 1 < size; p++)
        buf[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '-';
    buf[n] = '\0';
}

int aia_temp_name(const char *path, char *tmp, size_t size)
{
    static atomic_uint counter;
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    char host[64];
    aia_host_name(host, sizeof host);
    int n = snprintf(tmp, size, "%.*s.%s.%s.%ld-%u" TEMP_SUFFIX, dirlen, path, base, host, (long)getpid(),
                     atomic_fetch_add(&counter, 1u));
    if (n < 0 || (size_t)n >= size)
        return aia_fail(AIA_ERR_ARG, "%s: path too long for a temporary beside it", path);
    return AIA_OK;
}

/* The host and process of a temporary's name, or 0 if it is not one. */
static int parse_temp_name(const char *name, char *host, size_t host_size, long *pid)
{
    const size_t len = strlen(name), sl = strlen(TEMP_SUFFIX);
    if (len <= sl || strcmp(name + len - sl, TEMP_SUFFIX) != 0)
        return 0;
    char copy[512];
    snprintf(copy, sizeof copy, "%.*s", (int)(len - sl), name);
    char *dot_pid = strrchr(copy, '.'); /* ".PID-N" */
    if (!dot_pid)
        return 0;
    *dot_pid = '\0';
    char *dot_host = strrchr(copy, '.');
    if (!dot_host)
        return 0;
    *pid = strtol(dot_pid + 1, NULL, 10);
    snprintf(host, host_size, "%s", dot_host + 1);
    return *pid > 0;
}

int aia_cleanup_temporaries(const char *dir, int *removed)
{
    *removed = 0;
    DIR *d = opendir(dir);
    if (!d)
        return AIA_OK; /* nothing there yet */
    char here[64];
    aia_host_name(here, sizeof here);
    struct dirent *e;
    while ((e = readdir(d))) {
        char host[256];
        long pid;
        if (!parse_temp_name(e->d_name, host, sizeof host, &pid) || strcmp(host, here) != 0)
            continue; /* not a temporary, or another machine's: it may be running */
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* a live process's: being written */
        char path[4600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            (*removed)++;
    }
    closedir(d);
    return AIA_OK;
}
