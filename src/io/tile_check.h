/* tile_check.h — the tiles of a compressed image checked before cfitsio
 * decodes them. Internal. */
#ifndef AIAPREP_IO_TILE_CHECK_H
#define AIAPREP_IO_TILE_CHECK_H

#include "io/fits_scan.h"

/* Every heap descriptor of compressed HDU h (number `index`) inside the
 * heap; with streams (cfitsio, not the library's Rice decoder, will decode
 * the tiles): every tile decodes within its bytes to its pixel count, and
 * compression types whose decoders cannot be checked are refused.
 * AIA_ERR_CORRUPT / AIA_ERR_UNSUPPORTED name the file, HDU and tile. */
int aia_tiles_check(const aia_source *s, const aia_hdu *h, int index, int streams);

#endif
