/* fuzz_rice.c — the RICE_1 decoder on any bytes: it must never read or
 * write outside its buffers (the sanitizers watch), never hang, and what it
 * decodes must survive a round trip (encoded again and decoded, the same
 * pixels). The input: byte 0 picks the pixel width (1, 2, 4) and the
 * number of tiles decoded at once (1 to 4), bytes 1-2 the pixels a tile
 * (1 to 8192), byte 3 the block size (1 to 64: cfitsio writes 32), and the
 * rest is the tiles' data, split into equal parts. */
#include "fuzz.h"

#include "io/rice.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    const int bp = data[0] % 3 == 0 ? 1 : data[0] % 3 == 1 ? 2 : 4;
    const int k = 1 + (data[0] >> 4) % 4;
    const size_t n = 1 + (((size_t)data[1] << 8) | data[2]) % 8192;
    const int block = 1 + data[3] % 64;
    const size_t part = (size - 4) / (size_t)k;
    if (part == 0)
        return 0;
    /* each tile in its own buffer with the decoder's padding, so that the
     * sanitizers see any read past it */
    unsigned char *in[4] = {0};
    size_t len[4];
    void *out[4] = {0};
    for (int s = 0; s < k; s++) {
        in[s] = malloc(part + AIA_RICE_PAD);
        memcpy(in[s], data + 4 + (size_t)s * part, part);
        memset(in[s] + part, 0xA5, AIA_RICE_PAD);
        len[s] = part;
        out[s] = malloc(n * (size_t)bp);
    }
    aia_rice_error e;
    int st;
    if (bp == 1)
        st = aia_rice_decode8((const unsigned char *const *)in, len, k, (uint8_t *const *)out, n, block, &e);
    else if (bp == 2)
        st = aia_rice_decode16((const unsigned char *const *)in, len, k, (int16_t *const *)out, n, block, &e);
    else
        st = aia_rice_decode32((const unsigned char *const *)in, len, k, (int32_t *const *)out, n, block, &e);
    if (st) {
        FUZZ_REQUIRE(e.tile >= 0 && e.tile < k && e.byte <= len[e.tile] && e.why && *e.why);
    } else {
        /* decoded: encode again, decode again, the same pixels */
        const size_t cap = aia_rice_bound(n, bp) + 8 + AIA_RICE_PAD;
        unsigned char *enc[4];
        size_t elen[4];
        void *back[4];
        for (int s = 0; s < k; s++) {
            enc[s] = calloc(cap, 1);
            back[s] = malloc(n * (size_t)bp);
        }
        if (bp == 1) {
            FUZZ_REQUIRE(aia_rice_encode8((const uint8_t *const *)out, k, n, block, enc, elen) == 0);
            FUZZ_REQUIRE(aia_rice_decode8((const unsigned char *const *)enc, elen, k, (uint8_t *const *)back, n,
                                          block, &e) == 0);
        } else if (bp == 2) {
            FUZZ_REQUIRE(aia_rice_encode16((const int16_t *const *)out, k, n, block, enc, elen) == 0);
            FUZZ_REQUIRE(aia_rice_decode16((const unsigned char *const *)enc, elen, k, (int16_t *const *)back, n,
                                           block, &e) == 0);
        } else {
            FUZZ_REQUIRE(aia_rice_encode32((const int32_t *const *)out, k, n, block, enc, elen) == 0);
            FUZZ_REQUIRE(aia_rice_decode32((const unsigned char *const *)enc, elen, k, (int32_t *const *)back, n,
                                           block, &e) == 0);
        }
        for (int s = 0; s < k; s++) {
            FUZZ_REQUIRE(elen[s] <= aia_rice_bound(n, bp));
            FUZZ_REQUIRE(memcmp(out[s], back[s], n * (size_t)bp) == 0);
            free(enc[s]);
            free(back[s]);
        }
    }
    for (int s = 0; s < k; s++) {
        free(in[s]);
        free(out[s]);
    }
    return 0;
}
