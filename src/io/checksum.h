/* checksum.h — FITS DATASUM/CHECKSUM (ones'-complement sums). Internal. */
#ifndef AIAPREP_IO_CHECKSUM_H
#define AIAPREP_IO_CHECKSUM_H

#include "io/fits_scan.h"

#include <stddef.h>
#include <stdint.h>

/* The ones'-complement sum of n bytes (a multiple of 4) as big-endian
 * 32-bit words, added to start. */
uint32_t aia_ones_sum(const unsigned char *p, size_t n, uint32_t start);

/* Verify the DATASUM and CHECKSUM of HDU `index` when it has them:
 * AIA_ERR_CHECKSUM naming the file and the HDU when they disagree. */
int aia_fits_verify_checksums(const aia_source *s, const aia_hdu *h, int index);

#endif
