/* make_seeds.c — seeds for the fuzz targets, made from the project's own
 * synthetic frames and hostile files (nothing of ../shared goes into the
 * repository): `make_seeds DIR` writes DIR/rice/ (real-looking RICE_1 tiles
 * in fuzz_rice's input format), DIR/fits/ (small valid and hostile FITS
 * files: tests/hostile.c, the crash reproducers of issue 12), DIR/header/
 * (card sets), DIR/time/, DIR/tables/ and DIR/spikes/. Run once; the seeds
 * are kept in tests/fuzz/corpus/. */
#include "aiaprep.h"
#include "io/rice.h"
#include "../hostile.h"

#include <fitsio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_seed(const char *dir, const char *name, int selector, size_t n, int block,
                       const unsigned char *bytes, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    const unsigned char head[4] = {(unsigned char)selector, (unsigned char)((n - 1) >> 8), (unsigned char)((n - 1) & 255),
                                   (unsigned char)(block - 1)};
    fwrite(head, 1, 4, f);
    fwrite(bytes, 1, len, f);
    fclose(f);
}

static void write_bytes(const char *dir, const char *name, const void *bytes, size_t n)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static long file_bytes(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fclose(f);
    return n;
}

static void fits_seeds(const char *top)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/fits", top);
    mkdir(dir, 0777);
    for (const hostile_case *c = hostile_cases; c->name; c++) {
        snprintf(path, sizeof path, "%s/%s", dir, c->name);
        if (c->make(path) || file_bytes(path) > 65536)
            remove(path); /* the large ones (a gzip bomb, 100000 tiles) stay in test_hostile */
    }
    snprintf(path, sizeof path, "%s/valid_rice_checksums.fits", dir);
    hostile_write_rice(path, 64, 48, 1);
    aia_synth_params p; /* a small level-1 frame, float32 in the primary */
    aia_image *img = NULL;
    if (aia_synth_defaults(171, 64, &p) == AIA_OK && aia_synth(&p, &img) == AIA_OK) {
        aia_write_options o;
        aia_write_options_default(&o);
        o.type = AIA_OUT_FLOAT32;
        o.overwrite = 1;
        snprintf(path, sizeof path, "%s/synth_float32.fits", dir);
        aia_image_write(img, path, &o, NULL);
        o.type = AIA_OUT_INT16;
        snprintf(path, sizeof path, "%s/synth_int16_rice.fits", dir);
        aia_image_write(img, path, &o, NULL);
        /* its header's cards, for fuzz_header */
        char hdir[4096];
        snprintf(hdir, sizeof hdir, "%s/header", top);
        mkdir(hdir, 0777);
        char cards[80 * 64];
        size_t n = 0;
        for (size_t i = 0; aia_header_card(img->header, i) && n + 80 <= sizeof cards; i++, n += 80)
            memcpy(cards + n, aia_header_card(img->header, i), 80);
        write_bytes(hdir, "synth_header", cards, n);
        static const char early[] = "A='''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''"
                                    "DATE-OBS= '2014-01-01T00:00:12.34'   / a string                                 "
                                    "CDELT1  =   6.00000000000000D-01 / D exponent                                     "
                                    "EXPTIME = 'nan     '                                                              ";
        write_bytes(hdir, "odd_cards", early, sizeof early - 1);
    }
    aia_image_free(img);
}

static void text_seeds(const char *top)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/time", top);
    mkdir(dir, 0777);
    static const char *const times[] = {"2014-01-01T00:00:12.34Z", "2014.01.01_00:00:35_TAI", "2016-12-31T23:59:60.5",
                                        "2014-02-31T00:00:00", "2014-01-01 00:00:00_UTC", "2016-02-29T12:00:00"};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "time%zu", i);
        write_bytes(dir, name, times[i], strlen(times[i]));
    }
    snprintf(dir, sizeof dir, "%s/tables", top);
    mkdir(dir, 0777);
    static const char pointing[] = "T_START,T_STOP,A_094_X0,A_094_Y0,A_094_IMSCALE,A_094_INSTROT\n"
                                   "2014-01-01T00:00:00Z,2014-01-01T03:00:00Z,256.7,255.0,4.8,0.1\n";
    static const char response[] = "DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH EPERDN DNPERPHT EFF_AREA EFF_WVLN "
                                   "EFFA_P1 EFFA_P2 EFFA_P3 RMSE\n2020-10-29T11:14:51 2010-03-24T00:00:00 "
                                   "2020-01-01T00:00:00 10 171_THIN 171 18.3 1.97 0.3 93.9 -0.0001 0 0 0.05\n";
    static const char errors[] = "DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH DNPERPHT COMPRESS CALERR CHIANTI "
                                 "EVEERR\n2012-02-10T01:12:01 2010-05-01T00:00:00 2050-05-01T00:00:00 3 94_THIN 94 "
                                 "1.975 26.196 0.250 0.500 0.087\n";
    write_bytes(dir, "pointing.csv", pointing, sizeof pointing - 1);
    write_bytes(dir, "response.txt", response, sizeof response - 1);
    write_bytes(dir, "errors.txt", errors, sizeof errors - 1);
    snprintf(dir, sizeof dir, "%s/spikes", top);
    mkdir(dir, 0777);
    char path[4200];
    snprintf(path, sizeof path, "%s/three.spikes.fits", dir);
    fitsfile *f = NULL;
    int st = 0;
    fits_create_diskfile(&f, path, &st);
    long dims[2] = {3, 2};
    const int v[6] = {0, 4096 * 100 + 7, 4096 * 4096 - 1, 1234, 16000, 77};
    fits_create_img(f, LONG_IMG, 2, dims, &st);
    fits_write_img(f, TINT, 1, 6, (void *)v, &st);
    fits_close_file(f, &st);
    const unsigned char pk[48] = {'P', 'K', 3, 4};
    write_bytes(dir, "zip", pk, sizeof pk);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rice", argv[1]);
    mkdir(argv[1], 0777);
    mkdir(dir, 0777);
    aia_synth_params p;
    aia_image *img = NULL;
    aia_synth_defaults(171, 512, &p);
    if (aia_synth(&p, &img))
        return 1;
    static const long rows[] = {0, 200, 256, 511}; /* corona, disk, centre, edge */
    int16_t px[512];
    int32_t px32[512];
    unsigned char out[8192];
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const float *src = (const float *)img->data + rows[r] * 512;
        for (int i = 0; i < 512; i++) {
            px[i] = (int16_t)src[i];
            px32[i] = (int32_t)src[i] * 16; /* the synoptic files' 1/16 DN */
        }
        size_t len;
        const int16_t *in16[1] = {px};
        unsigned char *o[1] = {out};
        aia_rice_encode16(in16, 1, 512, 32, o, &len);
        char name[64];
        snprintf(name, sizeof name, "row%ld_int16", rows[r]);
        write_seed(dir, name, 1, 512, 32, out, len);
        const int32_t *in32[1] = {px32};
        aia_rice_encode32(in32, 1, 512, 32, o, &len);
        snprintf(name, sizeof name, "row%ld_int32", rows[r]);
        write_seed(dir, name, 2, 512, 32, out, len);
    }
    /* four tiles at once (selector 0x31: 2-byte pixels, k = 4) */
    const int16_t *in4[4];
    unsigned char four[4][2048], joined[8192];
    unsigned char *o4[4] = {four[0], four[1], four[2], four[3]};
    size_t len4[4];
    int16_t rowpx[4][512];
    for (int s = 0; s < 4; s++) {
        for (int i = 0; i < 512; i++)
            rowpx[s][i] = (int16_t)((const float *)img->data)[(100 + 50 * s) * 512 + i];
        in4[s] = rowpx[s];
    }
    aia_rice_encode16(in4, 4, 512, 32, o4, len4);
    size_t part = 0;
    for (int s = 0; s < 4; s++)
        part = len4[s] > part ? len4[s] : part;
    memset(joined, 0, sizeof joined);
    for (int s = 0; s < 4; s++)
        memcpy(joined + (size_t)s * part, four[s], len4[s]);
    write_seed(dir, "four_int16", 0x31, 512, 32, joined, 4 * part);
    aia_image_free(img);
    fits_seeds(argv[1]);
    text_seeds(argv[1]);
    return 0;
}
