/* test_rice.c — the library's RICE_1 codec against cfitsio's, the
 * reference: for adversarial tiles of 1-, 2- and 4-byte pixels (all zeros,
 * constant, maximal entropy, alternating extremes, one outlier, lengths not
 * a multiple of 32, one pixel, flat and raw blocks), one tile and four at
 * once, the encoder's bytes equal fits_rcomp*'s and the decoder's pixels
 * equal fits_rdecomp*'s; corrupt and truncated tiles are errors with a tile
 * and byte, never a crash (the sanitizer build checks the bounds). Then
 * every tile of the sample frames and real files in ../shared: decoded as
 * cfitsio decodes it, and encoded again to cfitsio's bytes (whole files
 * through both codecs and other readers: test_rice_files.sh). */
#include "testutil.h"

#include "io/rice.h"

#include <fitsio.h>
#include <fitsio2.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

enum { KINDS = 12 };
static const char *const kind_name[KINDS] = {"zeros", "constant", "random", "extremes", "outlier",
                                             "noise 4", "noise 64", "noise 2048", "ramp", "steps",
                                             "spikes", "levels"};

/* Pixel i of a tile of this kind, as a value of `bits` bits. */
static int64_t value(int kind, long i, long n, int bits)
{
    const int64_t lo = bits == 8 ? 0 : -(INT64_C(1) << (bits - 1)), hi = bits == 8 ? 255 : (INT64_C(1) << (bits - 1)) - 1;
    switch (kind) {
    case 0: return 0;
    case 1: return bits == 8 ? 200 : 1234;
    case 2: return lo + (int64_t)(next_random() % (uint64_t)(hi - lo + 1));
    case 3: return i & 1 ? lo : hi;
    case 4: return i == n / 2 ? hi : 10;
    case 5: return 100 + (int64_t)(next_random() % 4);
    case 6: return 100 + (int64_t)(next_random() % 64);
    case 7: return (bits == 8 ? 0 : 100) + (int64_t)(next_random() % (bits == 8 ? 256 : 2048));
    case 8: return (bits == 8 ? i % 256 : i * 37) ;
    case 9: return (i / 32) % 2 ? lo / 2 : hi / 2; /* a flat block, then a jump */
    case 11: { /* each block noise of another amplitude, 2^0 .. 2^(bits-1): every split level
                * in one tile, and the kinds changing from block to block */
        const int k = (int)((i / 32) % bits);
        const int64_t v = (int64_t)(next_random() % (UINT64_C(1) << k)) - (bits == 8 ? 0 : (INT64_C(1) << k) / 2);
        return v < lo ? lo : v > hi ? hi : v;
    }
    default: { /* a quiet floor with spikes of every size: codes of up to ~60 bits side by side, so
                * that two codes often do not fit in one look at the bits (the decoder's pairs) */
        const int64_t base = bits == 8 ? 100 : 1000, r = (int64_t)(next_random() % 8);
        if (next_random() % 6)
            return base + r;
        const int64_t spike = (int64_t)(next_random() % (UINT64_C(1) << (next_random() % (bits == 8 ? 7 : 15))));
        const int64_t v = next_random() % 2 ? base + spike : base - spike;
        return v < lo ? lo : v > hi ? hi : v;
    }
    }
}

/* cfitsio's encoder and decoder, for 1, 2, 4 bytes a pixel. */
static int cf_encode(const void *in, long n, unsigned char *out, int cap, int bp)
{
    if (bp == 1)
        return fits_rcomp_byte((signed char *)in, (int)n, out, cap, 32);
    if (bp == 2)
        return fits_rcomp_short((short *)in, (int)n, out, cap, 32);
    return fits_rcomp((int *)in, (int)n, out, cap, 32);
}

static int cf_decode(unsigned char *in, long len, void *out, long n, int bp)
{
    if (bp == 1)
        return fits_rdecomp_byte(in, (int)len, out, (int)n, 32);
    if (bp == 2)
        return fits_rdecomp_short(in, (int)len, out, (int)n, 32);
    return fits_rdecomp(in, (int)len, out, (int)n, 32);
}

static int our_encode(void *const in[], int k, long n, unsigned char *const out[], size_t len[], int bp)
{
    if (bp == 1)
        return aia_rice_encode8((const uint8_t *const *)in, k, (size_t)n, 32, out, len);
    if (bp == 2)
        return aia_rice_encode16((const int16_t *const *)in, k, (size_t)n, 32, out, len);
    return aia_rice_encode32((const int32_t *const *)in, k, (size_t)n, 32, out, len);
}

static int our_decode(unsigned char *const in[], const size_t len[], int k, void *const out[], long n, int bp,
                      aia_rice_error *e)
{
    if (bp == 1)
        return aia_rice_decode8((const unsigned char *const *)in, len, k, (uint8_t *const *)out, (size_t)n, 32, e);
    if (bp == 2)
        return aia_rice_decode16((const unsigned char *const *)in, len, k, (int16_t *const *)out, (size_t)n, 32, e);
    return aia_rice_decode32((const unsigned char *const *)in, len, k, (int32_t *const *)out, (size_t)n, 32, e);
}

static void set(void *a, long i, int64_t v, int bp)
{
    if (bp == 1)
        ((uint8_t *)a)[i] = (uint8_t)v;
    else if (bp == 2)
        ((int16_t *)a)[i] = (int16_t)v;
    else
        ((int32_t *)a)[i] = (int32_t)v;
}

/* k tiles of n pixels, kinds[s] each: both codecs, both directions. */
static int check_tiles(const int *kinds, int k, long n, int bp)
{
    void *in[4], *out[4], *ref = malloc((size_t)n * 4);
    unsigned char *enc[4];
    size_t len[4];
    const size_t cap = aia_rice_bound((size_t)n, bp) + 8 + AIA_RICE_PAD;
    unsigned char *cf = malloc(cap);
    for (int s = 0; s < k; s++) {
        in[s] = malloc((size_t)n * 4);
        out[s] = malloc((size_t)n * 4);
        enc[s] = calloc(cap, 1);
        for (long i = 0; i < n; i++)
            set(in[s], i, value(kinds[s], i, n, 8 * bp), bp);
    }
    int bad = our_encode(in, k, n, enc, len, bp) != 0;
    for (int s = 0; s < k && !bad; s++) {
        memset(cf, 0, cap);
        const int clen = cf_encode(in[s], n, cf, (int)cap, bp);
        bad |= clen < 0 || (size_t)clen != len[s] || memcmp(cf, enc[s], len[s]) != 0;
        bad |= cf_decode(cf, clen, ref, n, bp) != 0 || memcmp(ref, in[s], (size_t)n * (size_t)bp) != 0;
    }
    aia_rice_error e;
    bad |= our_decode(enc, len, k, out, n, bp, &e) != 0;
    for (int s = 0; s < k && !bad; s++)
        bad |= memcmp(out[s], in[s], (size_t)n * (size_t)bp) != 0;
    for (int s = 0; s < k; s++) {
        free(in[s]);
        free(out[s]);
        free(enc[s]);
    }
    free(cf);
    free(ref);
    return bad;
}

static void test_adversarial(void)
{
    static const long lengths[] = {1, 2, 31, 32, 33, 63, 64, 100, 4096, 4097};
    for (int bp = 1; bp <= 4; bp *= 2) {
        int bad = 0, cases = 0;
        for (int kind = 0; kind < KINDS; kind++)
            for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
                const int one[1] = {kind};
                int r = check_tiles(one, 1, lengths[l], bp);
                if (r && bad < 5)
                    fprintf(stderr, "  %d-byte %s tile of %ld: differs\n", bp, kind_name[kind], lengths[l]);
                bad += r;
                cases++;
                /* four at once: the same kind, and four different kinds */
                const int same[4] = {kind, kind, kind, kind};
                const int mixed[4] = {kind, (kind + 3) % KINDS, (kind + 5) % KINDS, (kind + 6) % KINDS};
                r = check_tiles(same, 4, lengths[l], bp) | check_tiles(mixed, 4, lengths[l], bp);
                if (r && bad < 5)
                    fprintf(stderr, "  %d-byte %s tiles of %ld, four at once: differ\n", bp, kind_name[kind],
                            lengths[l]);
                bad += r;
                cases += 2;
            }
        CHECK_MSG(bad == 0, "%d-byte pixels: %d of %d tile sets differ from cfitsio", bp, bad, cases);
    }
    /* the block kinds cfitsio chooses, each forced: all-zero blocks give a
     * 2-byte first pixel and 4-bit codes, raw blocks 16 bits a pixel */
    int16_t flat[64] = {0}, noisy[64];
    for (int i = 0; i < 64; i++) /* differences of +-16384: mapped ~32768, fs 14 */
        noisy[i] = (int16_t)(i & 1 ? 16384 : 0);
    unsigned char b[512] = {0};
    const int16_t *in[1] = {flat};
    unsigned char *out[1] = {b};
    size_t len[1];
    aia_rice_encode16(in, 1, 64, 32, out, len);
    CHECK_MSG(len[0] == 3, "two flat blocks: %zu bytes, expected 3 (first pixel + two 4-bit codes)", len[0]);
    in[0] = noisy;
    aia_rice_encode16(in, 1, 64, 32, out, len);
    CHECK_MSG(len[0] == 2 + 1 + 128, "two raw blocks: %zu bytes, expected %d", len[0], 2 + 1 + 128);
    CHECK_MSG(b[2] >> 4 == 15, "a raw block's code is fsmax + 1 = 15, got %d", b[2] >> 4);
}

/* Corrupt and truncated tiles: errors with the tile and a byte inside, no
 * crash, no hang; what decodes is not checked (a flipped bit can make
 * another valid stream). */
static void test_corrupt(void)
{
    enum { N = 4096 };
    int16_t px[N];
    for (long i = 0; i < N; i++)
        px[i] = (int16_t)value(6, i, N, 16);
    const size_t cap = aia_rice_bound(N, 2) + 8 + AIA_RICE_PAD;
    unsigned char *enc = calloc(cap, 1), *bad = calloc(cap, 1);
    const int16_t *in[1] = {px};
    unsigned char *out[1] = {enc};
    size_t len[1];
    aia_rice_encode16(in, 1, N, 32, out, len);
    int16_t dec[4][N];
    int16_t *douts[4] = {dec[0], dec[1], dec[2], dec[3]};
    aia_rice_error e;
    int truncated_found = 0, flips_rejected = 0;
    for (size_t cut = 0; cut < len[0]; cut += 1 + len[0] / 50) {
        memcpy(bad, enc, cut);
        memset(bad + cut, 0, cap - cut);
        const unsigned char *bin[1] = {bad};
        size_t blen[1] = {cut};
        truncated_found += aia_rice_decode16(bin, blen, 1, douts, N, 32, &e) != 0 && e.byte <= cut;
    }
    CHECK_MSG(truncated_found == (int)((len[0] + len[0] / 50) / (1 + len[0] / 50)),
              "every cut-short tile is an error within its bytes (%d)", truncated_found);
    for (int trial = 0; trial < 2000; trial++) {
        memcpy(bad, enc, len[0]);
        memset(bad + len[0], 0, cap - len[0]);
        for (int f = 0; f < 4; f++)
            bad[next_random() % len[0]] ^= (unsigned char)(1u << (next_random() % 8));
        /* four streams at once, the corrupt one in any place */
        const int where = trial % 4;
        const unsigned char *bin[4] = {enc, enc, enc, enc};
        size_t blen[4] = {len[0], len[0], len[0], len[0]};
        bin[where] = bad;
        if (aia_rice_decode16(bin, blen, 4, douts, N, 32, &e) != 0) {
            flips_rejected++;
            CHECK_MSG(e.tile == where && e.byte <= len[0], "the error names tile %d byte %zu (corrupt: %d)", e.tile,
                      e.byte, where);
        }
    }
    printf("test_rice: 2000 tiles with 4 flipped bits: %d rejected, the others decoded to other pixels\n",
           flips_rejected);
    CHECK(flips_rejected > 0);
    /* a stream of zeros: one endless unary run */
    memset(bad, 0, cap);
    bad[0] = 0x12;
    bad[2] = 0x10; /* first pixel 0x12??, block code 1 (fs = 0), then zeros */
    const unsigned char *zin[1] = {bad};
    size_t zlen[1] = {len[0]};
    CHECK_MSG(aia_rice_decode16(zin, zlen, 1, douts, N, 32, &e) != 0, "an all-zero stream is an error");
    free(enc);
    free(bad);
}

/* ---- real files ------------------------------------------------------------ */

/* Every tile of a Rice-compressed file: cfitsio's decoder and ours give the
 * same pixels; our encoder gives cfitsio's encoder's bytes for them. */
static void check_file_tiles(const char *path)
{
    fitsfile *f = NULL;
    int st = 0, hdutype = 0;
    if (fits_open_diskfile(&f, path, READONLY, &st)) {
        CHECK_MSG(0, "%s: cannot open", path);
        return;
    }
    fits_movabs_hdu(f, 2, &hdutype, &st);
    long nrows = 0, znaxis1 = 0, zval2 = 4, ztile2 = 1;
    int col = 0;
    char cmp[FLEN_VALUE] = "";
    fits_read_key(f, TSTRING, "ZCMPTYPE", cmp, NULL, &st);
    fits_read_key(f, TLONG, "ZNAXIS1", &znaxis1, NULL, &st);
    fits_get_num_rows(f, &nrows, &st);
    fits_get_colnum(f, CASEINSEN, "COMPRESSED_DATA", &col, &st);
    int tst = 0;
    fits_read_key(f, TLONG, "ZVAL2", &zval2, NULL, &tst);
    tst = 0;
    fits_read_key(f, TLONG, "ZTILE2", &ztile2, NULL, &tst);
    if (st || strcmp(cmp, "RICE_1") != 0 || ztile2 != 1) {
        printf("test_rice: %s: not one-row RICE_1 tiles, skipped\n", path);
        fits_close_file(f, &st);
        return;
    }
    const int bp = (int)zval2;
    long bad_decode = 0, bad_encode = 0, tiles = 0;
    const size_t cap = aia_rice_bound((size_t)znaxis1, bp) + 8 + AIA_RICE_PAD;
    unsigned char *bytes = malloc(cap * 2), *ours = bytes + cap;
    void *ref = malloc((size_t)znaxis1 * 4), *got = malloc((size_t)znaxis1 * 4);
    for (long r = 1; r <= nrows && !st; r++, tiles++) {
        LONGLONG repeat = 0, offset = 0;
        fits_read_descriptll(f, col, r, &repeat, &offset, &st);
        memset(bytes, 0, cap);
        fits_read_col(f, TBYTE, col, r, 1, repeat, NULL, bytes, NULL, &st);
        if (st)
            break;
        cf_decode(bytes, (long)repeat, ref, znaxis1, bp);
        unsigned char *in[1] = {bytes};
        void *out[1] = {got};
        size_t len[1] = {(size_t)repeat};
        aia_rice_error e;
        bad_decode += our_decode(in, len, 1, out, znaxis1, bp, &e) != 0 ||
                      memcmp(ref, got, (size_t)znaxis1 * (size_t)bp) != 0;
        /* encoding the pixels again: cfitsio's bytes */
        unsigned char *cf = malloc(cap);
        const int clen = cf_encode(ref, znaxis1, cf, (int)cap, bp);
        unsigned char *eo[1] = {ours};
        void *ein[1] = {ref};
        our_encode(ein, 1, znaxis1, eo, len, bp);
        bad_encode += clen < 0 || (size_t)clen != len[0] || memcmp(cf, ours, len[0]) != 0;
        free(cf);
    }
    CHECK_MSG(st == 0, "%s: cfitsio status %d", path, st);
    CHECK_MSG(bad_decode == 0, "%s: %ld of %ld tiles decode differently from cfitsio", path, bad_decode, tiles);
    CHECK_MSG(bad_encode == 0, "%s: %ld of %ld tiles encode differently from cfitsio", path, bad_encode, tiles);
    printf("test_rice: %s: %ld tiles of %d-byte pixels, decoded and encoded as cfitsio does\n", path, tiles, bp);
    free(bytes);
    free(ref);
    free(got);
    st = 0;
    fits_close_file(f, &st);
}

int main(int argc, char **argv)
{
    /* `test_rice --read FILE OUT` (used by test_rice.sh): read FILE with
     * the codec AIAPREP_RICE says, write its pixels as raw float32 to OUT,
     * and write FILE's image again as OUT.fits (int16 Rice) */
    if (argc == 4 && strcmp(argv[1], "--read") == 0) {
        aia_image *img = NULL;
        if (aia_image_read(argv[2], AIA_PIX_F32, &img)) {
            fprintf(stderr, "%s\n", aia_last_error());
            return 1;
        }
        FILE *f = fopen(argv[3], "wb");
        const size_t n = (size_t)img->width * (size_t)img->height;
        const int ok = f && fwrite(img->data, sizeof(float), n, f) == n;
        if (f)
            fclose(f);
        char fits[4200];
        snprintf(fits, sizeof fits, "%s.fits", argv[3]);
        aia_write_options w;
        aia_write_options_default(&w);
        w.overwrite = 1;
        const int wst = aia_image_write(img, fits, &w, NULL);
        if (wst)
            fprintf(stderr, "%s\n", aia_last_error());
        aia_image_free(img);
        printf("codec %s\n", aia_rice_codec());
        return ok && !wst ? 0 : 1;
    }
    test_adversarial();
    test_corrupt();
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("test_rice: the real-file part SKIPPED: no ../shared (AIAPREP_DATA)\n");
        return test_done("test_rice");
    }
    static const char *const files[] = {
        "data/level1/aia_lev1_94a_2014_01_01_synthetic.fits",  "data/level1/aia_lev1_131a_2014_01_01_synthetic.fits",
        "data/level1/aia_lev1_171a_2014_01_01_synthetic.fits", "data/level1/aia_lev1_193a_2014_01_01_synthetic.fits",
        "data/level1/aia_lev1_211a_2014_01_01_synthetic.fits", "data/level1/aia_lev1_335a_2014_01_01_synthetic.fits",
        "data/real/aia_lev1_171a_2013_03_10_cutout.fits",      "data/real/aia_lev1_1600a_2012_06_06_cutout.fits",
        "data/real/synoptic/aia_synoptic_lev15_0094_2014_01_01.fits",
        "data/real/synoptic/aia_synoptic_lev15_0171_2014_01_01.fits",
        "data/real/synoptic/aia_synoptic_lev15_0335_2014_01_01.fits"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", shared, files[i]);
        check_file_tiles(path);
    }
    return test_done("test_rice");
}
