/* make_bad_inputs.c — write the bad files of the pipeline's failure test
 * into DIR, each named for what is wrong with it:
 *   aia_lev1_171a_nocrpix1.fits   a full frame whose header lacks CRPIX1
 *   aia_lev1_171a_cutout.fits     a 160 x 120 cutout of a full frame
 *   aia_lev1_171a_corrupt.fits    not FITS at all
 *   aia_lev1_171a_truncated.fits  a frame cut off half-way
 * Usage: make_bad_inputs DIR */
#include "aiaprep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(const char *what)
{
    fprintf(stderr, "make_bad_inputs: %s: %s\n", what, aia_last_error());
    return 1;
}

static aia_image *frame(void)
{
    aia_synth_params p;
    aia_image *img = NULL;
    if (aia_synth_defaults(171, 256, &p) == AIA_OK)
        aia_synth(&p, &img);
    return img;
}

/* The pixels [x0, x0+w) x [y0, y0+h) with the header, CRPIX moved as
 * JSOC's cutout service does. */
static aia_image *cutout(const aia_image *full, long x0, long y0, long w, long h)
{
    aia_image *c = NULL;
    if (aia_image_create(w, h, full->pixtype, &c) != AIA_OK)
        return NULL;
    const size_t px = aia_pixtype_size(full->pixtype);
    for (long y = 0; y < h; y++)
        memcpy((char *)c->data + (size_t)(y * w) * px,
               (const char *)full->data + (size_t)((y0 + y) * full->width + x0) * px, (size_t)w * px);
    aia_header_free(c->header);
    c->header = NULL;
    double crpix1 = 0, crpix2 = 0;
    if (aia_header_copy(full->header, &c->header) != AIA_OK ||
        aia_header_get_double(full->header, "CRPIX1", &crpix1) != AIA_OK ||
        aia_header_get_double(full->header, "CRPIX2", &crpix2) != AIA_OK ||
        aia_header_set_double(c->header, "CRPIX1", crpix1 - (double)x0, NULL) != AIA_OK ||
        aia_header_set_double(c->header, "CRPIX2", crpix2 - (double)y0, NULL) != AIA_OK) {
        aia_image_free(c);
        return NULL;
    }
    return c;
}

static int write_image(const aia_image *img, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    aia_write_options o;
    aia_write_options_default(&o);
    o.overwrite = 1;
    return aia_image_write(img, path, &o, NULL) == AIA_OK ? 0 : fail(path);
}

static int write_text(const char *dir, const char *name, const char *bytes, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static int truncated_copy(const char *dir, const char *from, const char *to)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, from);
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || stat(path, &sb) != 0) {
        perror(path);
        return 1;
    }
    size_t n = (size_t)sb.st_size / 2;
    char *buf = malloc(n);
    int bad = !buf || fread(buf, 1, n, f) != n;
    fclose(f);
    if (!bad)
        bad = write_text(dir, to, buf, n);
    free(buf);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_bad_inputs DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    aia_image *full = frame();
    if (!full)
        return fail("synth");
    aia_image *cut = cutout(full, 40, 60, 160, 120);
    int bad = !cut ? fail("cutout") : write_image(cut, dir, "aia_lev1_171a_cutout.fits");
    bad |= write_image(full, dir, "aia_lev1_171a_truncated.fits");
    bad |= truncated_copy(dir, "aia_lev1_171a_truncated.fits", "aia_lev1_171a_truncated.fits");
    aia_header_delete(full->header, "CRPIX1");
    bad |= write_image(full, dir, "aia_lev1_171a_nocrpix1.fits");
    static const char junk[] = "This is not a FITS file, whatever its name says.\n";
    bad |= write_text(dir, "aia_lev1_171a_corrupt.fits", junk, sizeof junk - 1);
    aia_image_free(cut);
    aia_image_free(full);
    return bad;
}
