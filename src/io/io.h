/* io.h — what the FITS reader and writer share with the rest of the
 * library. Internal. */
#ifndef AIAPREP_IO_H
#define AIAPREP_IO_H

#include "core/core.h"

/* Map a cfitsio status to an aia status with a message naming the file. */
int aia_fail_fits(int fits_status, const char *path, const char *what);

/* 1 if the FITS file's CHECKSUM/DATASUM verify (or it has none), 0 if they
 * do not, -1 if the file cannot be read. */
int aia_fits_checksum_ok(const char *path);

#endif
