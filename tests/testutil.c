/* testutil.c — helpers shared by the test programs. */
#include "testutil.h"

#include <fitsio.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_checks, test_failures;
static char tmpdir[PATH_MAX];

int test_done(const char *name)
{
    test_cleanup();
    printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
    return test_failures ? 1 : 0;
}

int test_skip(const char *name, const char *reason)
{
    test_cleanup();
    printf("%s: SKIPPED: %s\n", name, reason);
    return 77;
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        int n = snprintf(tmpdir, sizeof tmpdir, "%s/aiaprep-test-XXXXXX", base ? base : "/tmp");
        if (n < 0 || (size_t)n >= sizeof tmpdir || !mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *test_path(const char *name)
{
    static char bufs[8][PATH_MAX];
    static int next;
    char *b = bufs[next++ % 8];
    int n = snprintf(b, PATH_MAX, "%s/%s", test_tmpdir(), name);
    if (n < 0 || n >= PATH_MAX)
        abort();
    return b;
}

void test_cleanup(void)
{
    if (!tmpdir[0])
        return;
    char cmd[2 * PATH_MAX + 40];
    int n = snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' && rm -rf '%s'", tmpdir, tmpdir);
    if (n < 0 || (size_t)n >= sizeof cmd || system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    tmpdir[0] = '\0';
}

const char *test_shared_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("AIAPREP_DATA");
    snprintf(dir, sizeof dir, "%s", env && *env ? env : AIAPREP_DEFAULT_SHARED);
    struct stat sb;
    return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) ? dir : NULL;
}

aia_image *test_small_psf(long n, double sigma)
{
    aia_image *p = NULL;
    if (aia_image_create(n, n, AIA_PIX_F64, &p) != AIA_OK)
        return NULL;
    double *d = p->data, sum = 0;
    for (long y = 0; y < n; y++)
        for (long x = 0; x < n; x++) {
            const double dx = (double)(x - n / 2), dy = (double)(y - n / 2);
            double v = exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            if ((labs(x - n / 2) == 9 || labs(y - n / 2) == 9) && labs(x - y) % 9 == 0)
                v += 0.01;
            d[y * n + x] = v;
            sum += v;
        }
    for (long i = 0; i < n * n; i++)
        d[i] /= sum;
    return p;
}

aia_image *test_synth(int channel, long size, double roll, uint64_t seed)
{
    aia_synth_params p;
    aia_image *img = NULL;
    if (aia_synth_defaults(channel, size, &p) != AIA_OK)
        return NULL;
    p.roll_deg = roll;
    p.seed = seed;
    if (aia_synth(&p, &img) != AIA_OK) {
        fprintf(stderr, "synth failed: %s\n", aia_last_error());
        return NULL;
    }
    return img;
}

static int read_part(fitsfile *f, test_ref_part *p)
{
    int st = 0;
    if (fits_movnam_hdu(f, IMAGE_HDU, (char *)p->name, 0, &st))
        return st;
    long dims[2];
    fits_get_img_size(f, 2, dims, &st);
    p->w = dims[0];
    p->h = dims[1];
    int s2 = 0;
    p->stride = 1;
    p->row0 = p->col0 = 0;
    fits_read_key(f, TLONG, "STRIDE", &p->stride, NULL, &s2);
    s2 = 0;
    fits_read_key(f, TLONG, "ROW0", &p->row0, NULL, &s2);
    s2 = 0;
    fits_read_key(f, TLONG, "COL0", &p->col0, NULL, &s2);
    p->data = malloc(sizeof(double) * (size_t)(p->w * p->h));
    double nulval = NAN;
    int any;
    fits_read_img(f, TDOUBLE, 1, p->w * p->h, &nulval, p->data, &any, &st);
    return st;
}

int test_ref_read(const char *path, test_ref_part parts[3])
{
    static const char *const names[3] = {"STRIDED", "CENTER", "LIMB"};
    fitsfile *f = NULL;
    int st = 0;
    for (int k = 0; k < 3; k++) {
        parts[k].name = names[k];
        parts[k].data = NULL;
    }
    if (fits_open_diskfile(&f, path, READONLY, &st))
        return st;
    for (int k = 0; k < 3 && !st; k++)
        st = read_part(f, &parts[k]);
    int cst = 0;
    fits_close_file(f, &cst);
    return st;
}

void test_ref_free(test_ref_part parts[3])
{
    for (int k = 0; k < 3; k++) {
        free(parts[k].data);
        parts[k].data = NULL;
    }
}

double test_fits_key(const char *path, const char *key)
{
    fitsfile *f = NULL;
    int st = 0;
    double v = NAN;
    if (fits_open_diskfile(&f, path, READONLY, &st) == 0) {
        if (fits_read_key(f, TDOUBLE, key, &v, NULL, &st))
            v = NAN;
        st = 0;
        fits_close_file(f, &st);
    }
    return v;
}

double test_ref_key(const char *path, const char *key)
{
    char name[64];
    snprintf(name, sizeof name, "REF %s", key);
    return test_fits_key(path, name);
}
