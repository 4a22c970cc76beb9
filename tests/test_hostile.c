/* test_hostile.c — the reader against hostile files (hostile.c): each is
 * refused with its status and a message that names the file and says what
 * is wrong, nothing crashes, hangs or leaks (the sanitizer build runs this
 * too); the valid ones read. Then random damage: 200 byte corruptions of a
 * Rice file, read by both Rice codecs, each either read or refused. */
#include "hostile.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static long max_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static void check_case(const hostile_case *c)
{
    const char *path = test_path(c->name);
    CHECK_MSG(c->make(path) == 0, "could not make %s", c->name);
    aia_image *img = NULL;
    const long rss0 = max_rss_mib();
    const int st = aia_image_read(path, AIA_PIX_F32, &img);
    CHECK_MSG(st == c->status, "%s: status %d (%s), expected %d; message: %s", c->name, st, aia_strerror(st),
              c->status, aia_last_error());
    if (c->status != AIA_OK) {
        CHECK_MSG(strstr(aia_last_error(), c->text) != NULL, "%s: message '%s' lacks '%s'", c->name,
                  aia_last_error(), c->text);
        CHECK_MSG(strstr(aia_last_error(), path) != NULL, "%s: message '%s' does not name the file", c->name,
                  aia_last_error());
    } else {
        CHECK(img && img->width == 64 && img->height == 48);
        /* the gzip bomb inflates 256 MiB past the FITS end: not read */
        CHECK_MSG(max_rss_mib() - rss0 < 128, "%s: reading grew the process by %ld MiB", c->name,
                  max_rss_mib() - rss0);
    }
    aia_image_free(img);
}

/* the same pixels from a plain and a gzip-wrapped copy */
static void check_gzip_equal(void)
{
    const char *plain = test_path("plain.fits"), *gz = test_path("gzip_wrapped.fits.gz");
    CHECK(hostile_write_rice(plain, 64, 48, 1) == 0);
    aia_image *a = NULL, *b = NULL;
    CHECK_OK(aia_image_read(plain, AIA_PIX_F32, &a));
    CHECK_OK(aia_image_read(gz, AIA_PIX_F32, &b));
    CHECK(a && b && memcmp(a->data, b->data, 64 * 48 * sizeof(float)) == 0);
    aia_image_free(a);
    aia_image_free(b);
}

/* verify_checksums = 0 reads what the checksum refuses */
static void check_no_verify(void)
{
    aia_read_options o;
    aia_read_options_default(&o);
    o.verify_checksums = 0;
    aia_image *img = NULL;
    CHECK_OK(aia_image_read_with(test_path("datasum_wrong.fits"), AIA_PIX_F32, &o, &img));
    aia_image_free(img);
    img = NULL;
    o.max_pixels = 100;
    CHECK_FAILS(aia_image_read_with(test_path("plain.fits"), AIA_PIX_F32, &o, &img), AIA_ERR_UNSUPPORTED,
                "64 x 48 pixels, more than the 100");
}

static void check_not_regular(void)
{
    aia_image *img = NULL;
    CHECK_FAILS(aia_image_read(test_tmpdir(), AIA_PIX_F32, &img), AIA_ERR_NOT_REGULAR, "is a directory");
    const char *fifo = test_path("fifo.fits");
    if (mkfifo(fifo, 0600) == 0) /* must not block waiting for a writer */
        CHECK_FAILS(aia_image_read(fifo, AIA_PIX_F32, &img), AIA_ERR_NOT_REGULAR, "not a regular file");
}

/* 200 corruptions of 4 bytes in the heap of a Rice file, by each codec */
static void check_random_damage(const char *codec)
{
    const char *good = test_path("damage_src.fits"), *bad = test_path("damaged.fits");
    CHECK(hostile_write_rice(good, 256, 64, 0) == 0);
    FILE *f = fopen(good, "rb");
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    unsigned char *bytes = malloc((size_t)n), *copy = malloc((size_t)n);
    fseek(f, 0, SEEK_SET);
    CHECK(fread(bytes, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    setenv("AIAPREP_RICE", codec, 1);
    unsigned seed = 12345;
    int read_ok = 0, refused = 0;
    for (int k = 0; k < 200; k++) {
        memcpy(copy, bytes, (size_t)n);
        seed = seed * 1103515245u + 12345u;
        const long at = 2880 * 2 + (long)(seed >> 8) % (n - 2880 * 2 - 4); /* past the headers */
        for (int i = 0; i < 4; i++) {
            seed = seed * 1103515245u + 12345u;
            copy[at + i] = (unsigned char)(seed >> 16);
        }
        f = fopen(bad, "wb");
        fwrite(copy, 1, (size_t)n, f);
        fclose(f);
        aia_image *img = NULL;
        const int st = aia_image_read(bad, AIA_PIX_F32, &img);
        if (st == AIA_OK)
            read_ok++;
        else
            refused++;
        CHECK_MSG(st == AIA_OK || strstr(aia_last_error(), bad), "damage at %ld: message '%s'", at,
                  aia_last_error());
        aia_image_free(img);
    }
    printf("random damage (%s codec): %d read, %d refused\n", codec, read_ok, refused);
    CHECK(refused > 0);
    free(bytes);
    free(copy);
}

int main(void)
{
    for (const hostile_case *c = hostile_cases; c->name; c++)
        check_case(c);
    check_gzip_equal();
    check_no_verify();
    check_not_regular();
    /* the codec is chosen once a process: this one runs ours; test_hostile_cfitsio the other */
    const char *codec = getenv("AIAPREP_RICE");
    check_random_damage(codec && strcmp(codec, "cfitsio") == 0 ? "cfitsio" : "aiaprep");
    test_cleanup();
    return test_done("test_hostile");
}
