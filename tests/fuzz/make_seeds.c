/* make_seeds.c — seeds for the fuzz targets, made from the project's own
 * synthetic frames (nothing of ../shared goes into the repository):
 * `make_seeds DIR` writes DIR/rice/... (real-looking RICE_1 tiles in
 * fuzz_rice's input format). Run once; the seeds are kept in
 * tests/fuzz/corpus/. */
#include "aiaprep.h"
#include "io/rice.h"

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
    return 0;
}
