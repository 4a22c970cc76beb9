/* test_shared_data.c — every FITS file in ../shared/data, decoded by
 * aiaprep, against cfitsio's own funpack output bit for bit; and a header
 * round trip through the writer that keeps every card in order.
 * SKIPPED when the shared folder or funpack is absent. */
#include "testutil.h"

#include <dirent.h>
#include <fitsio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int nfiles;

/* Raw stored values of the image HDU of an uncompressed file, with cfitsio's
 * scaling and null handling switched off, then scaled here by the header's
 * BSCALE/BZERO with BLANK -> NaN. This is the decoding we must equal. */
static double *raw_decode(const char *path, long *w, long *h)
{
    fitsfile *f;
    int st = 0, naxis = 0, bitpix = 0;
    if (fits_open_diskfile(&f, path, READONLY, &st))
        return NULL;
    fits_get_img_dim(f, &naxis, &st);
    if (naxis == 0)
        fits_movabs_hdu(f, 2, NULL, &st);
    long dims[2];
    fits_get_img_type(f, &bitpix, &st);
    fits_get_img_size(f, 2, dims, &st);
    double bscale = 1, bzero = 0;
    long long blank = 0;
    int s2 = 0, has_blank = 0;
    fits_read_key(f, TDOUBLE, "BSCALE", &bscale, NULL, &s2);
    s2 = 0;
    fits_read_key(f, TDOUBLE, "BZERO", &bzero, NULL, &s2);
    s2 = 0;
    has_blank = bitpix > 0 && fits_read_key(f, TLONGLONG, "BLANK", &blank, NULL, &s2) == 0;
    fits_set_bscale(f, 1.0, 0.0, &st);
    size_t n = (size_t)dims[0] * (size_t)dims[1];
    double *out = malloc(n * sizeof *out);
    if (bitpix > 0) {
        long long *raw = malloc(n * sizeof *raw);
        fits_read_img(f, TLONGLONG, 1, (LONGLONG)n, NULL, raw, NULL, &st);
        for (size_t i = 0; i < n; i++)
            out[i] = has_blank && raw[i] == blank ? NAN : (double)raw[i] * bscale + bzero;
        free(raw);
    } else {
        fits_read_img(f, TDOUBLE, 1, (LONGLONG)n, NULL, out, NULL, &st);
        for (size_t i = 0; i < n; i++)
            out[i] = out[i] * bscale + bzero;
    }
    int cst = 0;
    fits_close_file(f, &cst);
    if (st) {
        free(out);
        return NULL;
    }
    *w = dims[0];
    *h = dims[1];
    return out;
}

/* A card whose value is not valid FITS: an unquoted nan/inf, or a string
 * without its closing quote. */
static int invalid_value(const char *c)
{
    if (strncmp(c + 8, "= ", 2) != 0)
        return 0;
    const char *v = c + 10;
    while (*v == ' ')
        v++;
    if (*v == '\'') {
        for (const char *p = v + 1; *p; p++)
            if (*p == '\'') {
                if (p[1] != '\'')
                    return 0;
                p++;
            }
        return 1;
    }
    return strncasecmp(v, "nan", 3) == 0 || strncasecmp(v, "inf", 3) == 0 || strncasecmp(v, "-inf", 4) == 0;
}

static void check_file(const char *path)
{
    nfiles++;
    const char *unpacked = test_path("funpacked.fits");
    unlink(unpacked);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "funpack -O '%s' '%s'", unpacked, path);
    CHECK_MSG(system(cmd) == 0, "funpack failed on %s", path);

    aia_image *img = NULL;
    CHECK_OK(aia_image_read(path, AIA_PIX_F64, &img));
    long w = 0, h = 0;
    double *ref = raw_decode(unpacked, &w, &h);
    CHECK_MSG(ref != NULL, "cannot decode funpack output of %s", path);
    if (!img || !ref) {
        aia_image_free(img);
        free(ref);
        return;
    }
    CHECK(img->width == w && img->height == h);
    const double *d = img->data;
    long diff = 0, nan = 0;
    for (long i = 0; i < w * h; i++) {
        int same = isnan(ref[i]) ? isnan(d[i]) : memcmp(&ref[i], &d[i], sizeof(double)) == 0;
        diff += !same;
        nan += isnan(ref[i]) ? 1 : 0;
    }
    CHECK_MSG(diff == 0, "%s: %ld of %ld pixels differ from funpack", path, diff, w * h);

    /* float32 reading gives the same values wherever float32 holds them */
    aia_image *f32 = NULL;
    CHECK_OK(aia_image_read(path, AIA_PIX_F32, &f32));
    if (f32) {
        long d32 = 0;
        for (long i = 0; i < w * h; i++) {
            float want = (float)ref[i];
            float got = ((float *)f32->data)[i];
            d32 += isnan(want) ? !isnan(got) : got != want;
        }
        CHECK_MSG(d32 == 0, "%s: %ld float32 pixels differ", path, d32);
    }
    aia_image_free(f32);

    /* write (float64, so the values are exact) and read back: the same pixels
     * and every non-structural card, in order */
    const char *out = test_path("roundtrip.fits");
    aia_write_options o;
    aia_write_options_default(&o);
    o.type = AIA_OUT_FLOAT64;
    o.overwrite = 1;
    CHECK_OK(aia_image_write(img, out, &o, NULL));
    aia_image *back = NULL;
    CHECK_OK(aia_image_read(out, AIA_PIX_F64, &back));
    if (back) {
        /* NaN bit patterns may differ; compare values */
        long bd = 0;
        for (long i = 0; i < w * h; i++) {
            double a = d[i], b = ((double *)back->data)[i];
            bd += isnan(a) ? !isnan(b) : a != b;
        }
        CHECK_MSG(bd == 0, "%s: %ld pixels changed in the round trip", path, bd);
        size_t j = 0, kept = 0, expected = 0;
        for (size_t i = 0; i < aia_header_count(img->header); i++) {
            const char *c = aia_header_card(img->header, i);
            char kw[9];
            sscanf(c, "%8s", kw);
            if (!strcmp(kw, "SIMPLE") || !strcmp(kw, "BITPIX") || !strncmp(kw, "NAXIS", 5) ||
                !strcmp(kw, "EXTEND") || !strcmp(kw, "BSCALE") || !strcmp(kw, "BZERO") ||
                !strcmp(kw, "BLANK") || !strcmp(kw, "CHECKSUM") || !strcmp(kw, "DATASUM") ||
                !strcmp(kw, "PCOUNT") || !strcmp(kw, "GCOUNT") || !strcmp(kw, "XTENSION") ||
                !strncmp(c, "COMMENT   FITS (Flexible", 24) || !strncmp(c, "COMMENT   and Astro", 19))
                continue;
            expected++;
            /* a value FITS has no form for (JSOC's unquoted nan, IDL's
             * unterminated strings) comes back under its keyword, made valid */
            const int fixed = invalid_value(c);
            while (j < aia_header_count(back->header) &&
                   (fixed ? strncmp(aia_header_card(back->header, j), c, 8) != 0
                          : strcmp(aia_header_card(back->header, j), c) != 0))
                j++;
            if (fixed && j < aia_header_count(back->header))
                CHECK_MSG(!invalid_value(aia_header_card(back->header, j)), "%s: still invalid: %s", path,
                          aia_header_card(back->header, j));
            if (j < aia_header_count(back->header))
                kept++;
        }
        CHECK_MSG(kept == expected, "%s: %zu of %zu cards kept in order", path, kept, expected);
        aia_image_free(back);
    }
    printf("  %s: %ld x %ld, %ld NaN/BLANK, identical to funpack\n", path, w, h, nan);
    free(ref);
    aia_image_free(img);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    closedir(d);
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        struct stat sb;
        if (name[0] != '.' && stat(path, &sb) == 0) {
            if (S_ISDIR(sb.st_mode))
                walk(path);
            else if (strstr(name, ".fits"))
                check_file(path);
        }
        free(list[i]);
    }
    free(list);
}

int main(void)
{
    const char *shared = test_shared_dir();
    if (!shared)
        return test_skip("test_shared_data", "no shared data folder (set AIAPREP_DATA)");
    if (system("command -v funpack >/dev/null 2>&1") != 0)
        return test_skip("test_shared_data", "funpack (Debian libcfitsio-bin) not installed");
    char data[4096];
    snprintf(data, sizeof data, "%s/data", shared);
    walk(data);
    CHECK_MSG(nfiles >= 10, "only %d FITS files found under %s", nfiles, data);
    return test_done("test_shared_data");
}
