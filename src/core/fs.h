/* fs.h — file-system helpers (fs.c): directories, and the one owner of the
 * temporary-file names that atomic writes use and later runs clean up.
 * Internal. */
#ifndef AIAPREP_CORE_FS_H
#define AIAPREP_CORE_FS_H

#include "core/core.h"

/* mkdir -p: 0 on success (or if it exists), -1 otherwise. */
int aia_make_dirs(const char *path);

/* This machine's name with only [A-Za-z0-9-] (for temporary file names). */
void aia_host_name(char *buf, size_t size);

/* A temporary name beside path, ".NAME.HOST.PID-N.aiaprep-tmp" (N counts
 * up in the process): the host and PID let a later run tell a temporary of
 * a killed process (removable) from one being written. */
int aia_temp_name(const char *path, char *tmp, size_t size);

#endif
