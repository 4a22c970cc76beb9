/* test_bad_inputs.c — each kind of bad input gets its documented error,
 * naming the file and the problem. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (n)
        fwrite(bytes, 1, n, f);
    fclose(f);
}

static const char *good_frame(void)
{
    const char *path = test_path("good.fits");
    aia_image *img = test_synth(171, 256, 0.0, 1);
    aia_write_options o;
    aia_write_options_default(&o);
    CHECK_OK(aia_image_write(img, path, &o, NULL));
    aia_image_free(img);
    return path;
}

static void truncated_copy(const char *src, const char *dst, long keep)
{
    FILE *in = fopen(src, "rb");
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    write_bytes(dst, buf, (size_t)keep < n ? (size_t)keep : n);
}

int main(void)
{
    aia_image *img = NULL;
    const char *good = good_frame();
    CHECK_OK(aia_image_read(good, AIA_PIX_F32, &img));
    aia_image_free(img);

    struct stat sb;
    stat(good, &sb);
    const char *trunc = test_path("truncated.fits");
    truncated_copy(good, trunc, (long)sb.st_size / 2);
    CHECK_FAILS(aia_image_read(trunc, AIA_PIX_F32, &img), AIA_ERR_TRUNCATED, "truncated.fits: truncated");
    CHECK(img == NULL);
    /* cut inside the last block: found by the read itself */
    truncated_copy(good, trunc, (long)sb.st_size - 100);
    int st = aia_image_read(trunc, AIA_PIX_F32, &img);
    CHECK_MSG(st == AIA_ERR_TRUNCATED || st == AIA_OK, "status %d: %s", st, aia_last_error());
    aia_image_free(img);
    img = NULL;
    /* header only */
    truncated_copy(good, trunc, 2880 * 2);
    CHECK_FAILS(aia_image_read(trunc, AIA_PIX_F32, &img), AIA_ERR_TRUNCATED, "truncated");

    const char *empty = test_path("empty.fits");
    write_bytes(empty, "", 0);
    CHECK_FAILS(aia_image_read(empty, AIA_PIX_F32, &img), AIA_ERR_NOT_FITS, "empty.fits: empty file");

    const char *text = test_path("notes.fits");
    write_bytes(text, "this is not a FITS file\n", 24);
    CHECK_FAILS(aia_image_read(text, AIA_PIX_F32, &img), AIA_ERR_NOT_FITS, "notes.fits: not a FITS file");

    const char *shorty = test_path("short.fits");
    write_bytes(shorty, "SIMPLE  =                    T", 30);
    CHECK_FAILS(aia_image_read(shorty, AIA_PIX_F32, &img), AIA_ERR_TRUNCATED, "short.fits");

    CHECK_FAILS(aia_image_read(test_tmpdir(), AIA_PIX_F32, &img), AIA_ERR_NOT_REGULAR,
                "is a directory");
    CHECK_FAILS(aia_image_read(test_path("nope.fits"), AIA_PIX_F32, &img), AIA_ERR_IO,
                "nope.fits: cannot open: No such file");
    /* brackets are not cfitsio syntax here: the literal name is opened */
    CHECK_FAILS(aia_image_read(test_path("odd[1].fits"), AIA_PIX_F32, &img), AIA_ERR_IO,
                "odd[1].fits");

    /* missing CRPIX1: the file reads, the key check names file and key */
    aia_image *frame = test_synth(171, 128, 0.0, 1);
    aia_header_delete(frame->header, "CRPIX1");
    const char *nocrpix = test_path("nocrpix.fits");
    aia_write_options o;
    aia_write_options_default(&o);
    CHECK_OK(aia_image_write(frame, nocrpix, &o, NULL));
    aia_image_free(frame);
    CHECK_OK(aia_image_read(nocrpix, AIA_PIX_F32, &img));
    aia_meta m;
    aia_meta_parse(img->header, &m);
    CHECK_FAILS(aia_meta_require(&m, AIA_KEYS_BASIC), AIA_ERR_KEY_MISSING,
                "required header key CRPIX1 is missing");
    aia_image_free(img);

    /* an input is never modified by reading */
    struct stat before, after;
    stat(good, &before);
    CHECK_OK(aia_image_read(good, AIA_PIX_F32, &img));
    aia_image_free(img);
    stat(good, &after);
    CHECK(before.st_mtime == after.st_mtime && before.st_size == after.st_size);
    return test_done("test_bad_inputs");
}
