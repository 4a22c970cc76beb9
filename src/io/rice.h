/* rice.h — the RICE_1 codec of FITS tiled-image compression (FITS standard
 * 4.0 §10.4.1; Pence, White & Seaman 2009), for tiles: the first pixel as
 * is, then blocks of `block` pixels (ZVAL1, 32 in practice), each coded by
 * its differences mapped to unsigned values with a split level chosen from
 * their mean: Rice codes (fs low bits as they are, the rest in unary), one
 * code for an all-zero block, or raw values for a noisy one. Pixels of 1, 2
 * or 4 bytes (ZVAL2). The bytes are exactly cfitsio's (its fits_rcomp*,
 * fits_rdecomp* are the reference the tests compare with).
 *
 * Both directions work on up to AIA_RICE_STREAMS tiles of the same length
 * at once: a Rice code's position depends on the one before it, so one
 * tile is a chain of dependent steps; several tiles interleaved keep the
 * processor busy. The decoder reads at most AIA_RICE_PAD bytes past the end
 * of a tile's data (the caller makes them readable; their values do not
 * matter: the position is checked at every block), never writes outside
 * the output, and stops at the first inconsistency with the tile and byte
 * offset where it saw it. Internal (the I/O layer's). */
#ifndef AIAPREP_IO_RICE_H
#define AIAPREP_IO_RICE_H

#include <stddef.h>
#include <stdint.h>

#define AIA_RICE_STREAMS 4
/* a block of AIA_RICE_MAX_BLOCK pixels of <= 56 bits each, and one load */
#define AIA_RICE_PAD (AIA_RICE_MAX_BLOCK * 7 + 16)
#define AIA_RICE_MAX_BLOCK 256

/* The most bytes a tile of n pixels can take. An encoder's output buffer
 * needs this plus 8. */
size_t aia_rice_bound(size_t n, int bytepix);

/* Encode k (1..AIA_RICE_STREAMS) tiles of n pixels each, in[s] into out[s]
 * (aia_rice_bound(n) + 8 bytes each), with blocks of `block` (1 to
 * AIA_RICE_MAX_BLOCK); the bytes used into len[s]. Returns 0, or -1 for a
 * block size out of range. */
int aia_rice_encode8(const uint8_t *const in[], int k, size_t n, int block, unsigned char *const out[],
                     size_t len[]);
int aia_rice_encode16(const int16_t *const in[], int k, size_t n, int block, unsigned char *const out[],
                      size_t len[]);
int aia_rice_encode32(const int32_t *const in[], int k, size_t n, int block, unsigned char *const out[],
                      size_t len[]);

/* Decode k tiles: len[s] bytes at in[s] into n pixels at out[s]. Returns
 * 0, or -1 for a corrupt or truncated tile, with err: the tile (index s),
 * the byte offset in its data, and a static description. */
typedef struct aia_rice_error {
    int tile;
    size_t byte;
    const char *why;
} aia_rice_error;
int aia_rice_decode8(const unsigned char *const in[], const size_t len[], int k, uint8_t *const out[], size_t n,
                     int block, aia_rice_error *err);
int aia_rice_decode16(const unsigned char *const in[], const size_t len[], int k, int16_t *const out[],
                      size_t n, int block, aia_rice_error *err);
int aia_rice_decode32(const unsigned char *const in[], const size_t len[], int k, int32_t *const out[],
                      size_t n, int block, aia_rice_error *err);

#endif
