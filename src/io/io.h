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

/* The smallest and largest pixel (NaN ignored; lo > hi when there is no
 * finite pixel). */
void aia_pixel_range(const aia_image *img, double *lo, double *hi);

/* How pixels become the integers of an output: the type (int16 or int32),
 * x * scale rounded half away from zero (scale 1, or 1/quantum for a
 * power-of-two sub-DN quantum), and the bounds [lo, hi] every finite
 * x * scale was found (the range pass) or promised (a caller's bound) to lie
 * in, which the type holds once rounded. */
typedef struct aia_int_coding {
    aia_out_type type;
    double scale, lo, hi;
} aia_int_coding;

/* Rows [y0, y0 + rows) of img as integers of c's type (NaN -> the type's
 * minimum, BLANK); returns the number of BLANK pixels, or -1 when a value
 * lies outside c's bounds (out then holds no usable codes). The codes are
 * counted in hist when it is not NULL. */
long long aia_to_integers(const aia_image *img, const aia_int_coding *c, long y0, long rows, void *out,
                          aia_code_hist *hist);
/* The same in the calling thread alone, for use inside a parallel region
 * (hist counts in the calling thread's table). */
long long aia_to_integers_here(const aia_image *img, const aia_int_coding *c, long y0, long rows, void *out,
                               aia_code_hist *hist);

/* Which Rice codec reads and writes integer tiles: "aiaprep" (tiles.c,
 * rice.c) or "cfitsio" (AIAPREP_RICE=cfitsio). Public as aia_rice_codec. */

/* The current HDU's pixels (a tile-compressed image) into data, with the
 * library's Rice decoder: *handled = 0 when it is not a Rice integer image
 * the decoder takes (or AIAPREP_RICE=cfitsio), and cfitsio should read it.
 * Errors name the file, and for a bad tile its row and byte. The range of
 * what it placed goes into si (range_known and after it) where it saw it. */
typedef struct aia_source aia_source;
int aia_tiles_read(fitsfile *f, const aia_source *src, aia_pixtype type, void *data, aia_source_info *si,
                   int *handled);

/* The ones'-complement sum of an HDU's data unit (its DATASUM), when the
 * writer knows it from the bytes it wrote. */
typedef struct aia_data_checksum {
    int known;
    uint32_t sum;
} aia_data_checksum;

/* The pixels of a compressed HDU just created with Rice and one row per
 * tile, with the library's encoder (converted as aia_to_integers does with
 * c and hist; *blanks = -1 when a value lies outside c's bounds, and the
 * rest is not written): *handled = 0 when cfitsio should write them. The
 * data unit's sum into *datasum where it is known (the table and heap as
 * written; no read of the file). Returns a cfitsio status. */
int aia_tiles_write(fitsfile *f, const aia_image *img, const aia_int_coding *c, aia_code_hist *hist,
                    long long *blanks, int *handled, aia_data_checksum *datasum);

#endif
