/* io.h — what the FITS reader and writer share with the rest of the
 * library. Internal. */
#ifndef AIAPREP_IO_H
#define AIAPREP_IO_H

#include "core/core.h"
#include "io/pixel_stats.h"

#include <fitsio.h>

/* Initialise cfitsio once per process (thread-safe; every entry point that
 * opens a file calls it, and the pipeline before it starts its workers). */
void aia_cfitsio_init(void);

/* Map a cfitsio status to an aia status with a message naming the file. */
int aia_fail_fits(int fits_status, const char *path, const char *what);

/* 1 if the FITS file's CHECKSUM/DATASUM verify (or it has none), 0 if they
 * do not, -1 if the file cannot be read. */
int aia_fits_checksum_ok(const char *path);

/* The smallest and largest pixel times scale after rounding half away from
 * zero (NaN ignored; lo > hi when there is no finite pixel). */
void aia_rounded_range(const aia_image *img, double scale, double *lo, double *hi);

/* Rows [y0, y0 + rows) of img as integers of the output type (int16 or
 * int32: x * scale rounded half away from zero, NaN -> the type's minimum,
 * BLANK), the values known to fit; returns the number of BLANK pixels.
 * scale is 1, or 1/quantum for a power-of-two sub-DN quantum. The codes
 * are counted in hist when it is not NULL. */
long long aia_to_integers(const aia_image *img, aia_out_type type, long y0, long rows, void *out, double scale,
                          aia_code_hist *hist);
/* The same in the calling thread alone, for use inside a parallel region
 * (hist counts in the calling thread's table). */
long long aia_to_integers_here(const aia_image *img, aia_out_type type, long y0, long rows, void *out,
                               double scale, aia_code_hist *hist);

/* Which Rice codec reads and writes integer tiles: "aiaprep" (tiles.c,
 * rice.c) or "cfitsio" (AIAPREP_RICE=cfitsio). Public as aia_rice_codec. */

/* The current HDU's pixels (a tile-compressed image) into data, with the
 * library's Rice decoder: *handled = 0 when it is not a Rice integer image
 * the decoder takes (or AIAPREP_RICE=cfitsio), and cfitsio should read it.
 * Errors name the file, and for a bad tile its row and byte. */
typedef struct aia_source aia_source;
int aia_tiles_read(fitsfile *f, const aia_source *src, aia_pixtype type, void *data, int *handled);

/* The pixels of a compressed HDU just created with Rice and one row per
 * tile, with the library's encoder (converted as aia_to_integers does with
 * scale and hist): *handled = 0 when cfitsio should write them. Returns a
 * cfitsio status. */
int aia_tiles_write(fitsfile *f, const aia_image *img, aia_out_type type, double scale, aia_code_hist *hist,
                    long long *blanks, int *handled);

#endif
