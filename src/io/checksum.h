/* checksum.h — FITS DATASUM/CHECKSUM (ones'-complement sums). Internal. */
#ifndef AIAPREP_IO_CHECKSUM_H
#define AIAPREP_IO_CHECKSUM_H

#include "io/fits_scan.h"

#include <stddef.h>
#include <stdint.h>

/* The ones'-complement sum of n bytes (a multiple of 4) as big-endian
 * 32-bit words, added to start. */
uint32_t aia_ones_sum(const unsigned char *p, size_t n, uint32_t start);

/* The sum of n bytes (any n) that lie at byte offset `at` of the unit
 * summed: their words as if they began one (the last padded with zeros),
 * rotated into their place (a byte k places into a word weighs 2^(24 - 8k),
 * and rotating by 8 bits is multiplying by 2^8 in ones' complement). So a
 * writer can sum a data unit from the pieces it writes, in any order. */
uint32_t aia_ones_sum_at(const unsigned char *p, size_t n, long long at);

/* a + b in ones' complement */
uint32_t aia_ones_add(uint32_t a, uint32_t b);

/* The ones'-complement sum of bytes [at, at + bytes) of an open file, the
 * part past its end counted as zeros; -1 on a read error. */
int aia_fd_ones_sum(int fd, long long at, long long bytes, uint32_t *sum);

/* Verify the DATASUM and CHECKSUM of HDU `index` when it has them:
 * AIA_ERR_CHECKSUM naming the file and the HDU when they disagree. */
int aia_fits_verify_checksums(const aia_source *s, const aia_hdu *h, int index);

#endif
