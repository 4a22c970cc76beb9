/* test_output_header.c — what an output's header says about itself: the
 * statistics keys against the same numbers computed here by sorting (every
 * output type and compression, NaN pixels, DATAPnn only where present, the
 * same bytes on 1 and 2 threads), sub-DN quanta, XCEN/YCEN against IDL's,
 * BUNIT/PIXLUNIT, one HISTORY card per step and the options card read back
 * (aia_output_options_from_header), output names (JSOC export names,
 * templates with header fields); and the helpers under them: SHA-256,
 * JSON. */
#include "testutil.h"
#include "batch/batch.h"
#include "core/json.h"
#include "core/sha256.h"
#include "io/pixel_stats.h"
#include "steps/level15_header.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ---- SHA-256 and JSON ----------------------------------------------------- */

static void test_sha256(void)
{
    char hex[65];
    aia_sha256_of("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    aia_sha256_of("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* two blocks */
    aia_sha256_of(two, strlen(two), hex);
    CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);
    /* a million 'a', fed in uneven pieces */
    aia_sha256 s;
    aia_sha256_init(&s);
    char a[997];
    memset(a, 'a', sizeof a);
    long left = 1000000;
    while (left > 0) {
        const long k = left < 997 ? left : 997;
        aia_sha256_update(&s, a, (size_t)k);
        left -= k;
    }
    aia_sha256_hex(&s, hex);
    CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
    FILE *f = fopen(test_path("abc.txt"), "w");
    fputs("abc", f);
    fclose(f);
    CHECK_OK(aia_sha256_file(test_path("abc.txt"), hex));
    CHECK(strncmp(hex, "ba7816bf", 8) == 0);
    CHECK_FAILS(aia_sha256_file(test_path("none.txt"), hex), AIA_ERR_IO, "none.txt");
}

static void test_json(void)
{
    const char *text = "{\"keywords\": [{\"name\": \"T_START\", \"values\": [\"2014.01.01_00:00:35_TAI\", 12.5e1]}],"
                       " \"status\": 0, \"u\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\", \"ok\": true, \"no\": null}";
    aia_json *j = NULL;
    CHECK_OK(aia_json_parse(text, strlen(text), &j));
    const aia_json *status = aia_json_member(j, "status");
    CHECK(status && status->type == AIA_JSON_NUMBER && strcmp(status->text, "0") == 0);
    const aia_json *keys = aia_json_member(j, "keywords");
    CHECK(keys && keys->type == AIA_JSON_ARRAY && keys->n == 1);
    const aia_json *values = keys ? aia_json_member(&keys->items[0], "values") : NULL;
    CHECK(values && values->n == 2 && strcmp(values->items[1].text, "12.5e1") == 0);
    const aia_json *u = aia_json_member(j, "u");
    CHECK(u && strcmp(u->text, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"") == 0);
    CHECK(aia_json_member(j, "no") && aia_json_member(j, "no")->type == AIA_JSON_NULL);
    CHECK(aia_json_member(j, "absent") == NULL);
    aia_json_free(j);
    static const char *const bad[] = {"", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1} x", "<html>", "\"\\x\"",
                                      "[\"\\ud800\"]", "nul", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = NULL;
        CHECK_FAILS(aia_json_parse(bad[i], strlen(bad[i]), &j), AIA_ERR_BAD_DATA, "not JSON");
        CHECK(j == NULL);
    }
    char deep[200];
    memset(deep, '[', sizeof deep);
    CHECK_FAILS(aia_json_parse(deep, sizeof deep, &j), AIA_ERR_BAD_DATA, "nesting deeper");
}

/* ---- statistics ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The statistics of values[0..n) (finite ones), the way pixel_stats.h
 * defines them, by sorting. */
static void expected_stats(const double *values, size_t n, aia_pixel_stats *e)
{
    double *v = malloc(n * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i]))
            v[k++] = values[i];
    qsort(v, k, sizeof *v, cmp_double);
    e->finite = (long long)k;
    e->missing = (long long)(n - k);
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += v[i];
    e->mean = sum / (double)k;
    double m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = 0; i < k; i++) {
        const double d = v[i] - e->mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    const double var = m2 / (double)(k - 1);
    e->rms = sqrt(var);
    e->skew = m3 / (var * e->rms * (double)k);
    e->kurt = m4 / (var * var * (double)k) - 3.0;
    e->min = v[0];
    e->max = v[k - 1];
    e->median = v[k / 2];
    for (int i = 0; i < AIA_NPCT; i++)
        e->pct[i] = v[(size_t)aia_stats_pct[i] * k / 100];
    free(v);
}

static double key(const aia_header *h, const char *k)
{
    double v = NAN;
    if (aia_header_get_double(h, k, &v) != AIA_OK)
        v = NAN;
    aia_clear_error();
    return v;
}

static int close_to(double a, double b, double rel) { return fabs(a - b) <= rel * (fabs(b) + 1e-300); }

/* A test image: a skewed distribution with ties (whole and quarter DN),
 * negatives, a few NaN, a bright tail. */
static aia_image *stats_image(long w, long h, int quarters)
{
    aia_image *img = NULL;
    if (aia_image_create(w, h, AIA_PIX_F32, &img))
        return NULL;
    aia_header_set_long(img->header, "WAVELNTH", 171, NULL);
    aia_header_set_string(img->header, "BUNIT", "DN", NULL);
    aia_header_set_double(img->header, "DATAMEAN", 9999.0, "stale, from level 1");
    aia_header_set_double(img->header, "DATAP25", -1.0, NULL);
    aia_header_set_double(img->header, "DATAP99", -1.0, NULL);
    aia_header_set_long(img->header, "TOTVALS", 1, NULL);
    aia_header_set_double(img->header, "PERCENTD", 1.0, NULL);
    float *d = img->data;
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < w * h; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const double u = (double)(x >> 11) / 9007199254740992.0;
        double v = -20.0 * log(1.0 - u) - 5.0; /* exponential: skewed */
        if (i % 97 == 0)
            v *= 30;
        d[i] = quarters ? (float)(floor(v * 4) / 4) : (float)v;
    }
    for (long i = 0; i < w * h; i += 1013)
        d[i] = NAN;
    return img;
}

/* Write img as type/comp with statistics, read back, compare with the
 * sorted truth of the values as written (rounded for integers). */
static void check_stats_written(aia_image *img, aia_out_type type, aia_compression comp, double quantum,
                                const char *name)
{
    aia_write_options w;
    aia_write_options_default(&w);
    w.type = type;
    w.compression = comp;
    w.statistics = 1;
    w.quantum = quantum;
    w.overwrite = 1;
    CHECK_OK(aia_image_write(img, test_path(name), &w, NULL));
    aia_image *back = NULL;
    CHECK_OK(aia_image_read(test_path(name), AIA_PIX_F64, &back));
    if (!back)
        return;
    const size_t n = (size_t)img->width * (size_t)img->height;
    double *v = malloc(n * sizeof *v);
    const int lossy = comp == AIA_COMP_RICE && (type == AIA_OUT_FLOAT32 || type == AIA_OUT_FLOAT64);
    for (size_t i = 0; i < n; i++) /* what the file holds, or for lossy Rice what went in */
        v[i] = lossy ? ((const float *)img->data)[i] : ((const double *)back->data)[i];
    aia_pixel_stats e;
    expected_stats(v, n, &e);
    const aia_header *h = back->header;
    CHECK_MSG(key(h, "DATAVALS") == (double)e.finite, "%s: DATAVALS %g, expected %lld", name, key(h, "DATAVALS"),
              e.finite);
    CHECK_MSG(key(h, "MISSVALS") == (double)e.missing, "%s: MISSVALS %g", name, key(h, "MISSVALS"));
    CHECK_MSG(key(h, "DATAMIN") == e.min && key(h, "DATAMAX") == e.max, "%s: min/max %g %g, expected %g %g", name,
              key(h, "DATAMIN"), key(h, "DATAMAX"), e.min, e.max);
    CHECK_MSG(key(h, "DATAMEDN") == e.median, "%s: median %.17g, expected %.17g", name, key(h, "DATAMEDN"), e.median);
    CHECK_MSG(key(h, "DATAP25") == e.pct[2] && key(h, "DATAP99") == e.pct[7], "%s: P25 %g P99 %g, expected %g %g",
              name, key(h, "DATAP25"), key(h, "DATAP99"), e.pct[2], e.pct[7]);
    CHECK_MSG(aia_header_find(h, "DATAP01") < 0, "%s: DATAP01 added though the input had none", name);
    CHECK_MSG(close_to(key(h, "DATAMEAN"), e.mean, 1e-12) && close_to(key(h, "DATARMS"), e.rms, 1e-12),
              "%s: mean %.17g rms %.17g, expected %.17g %.17g", name, key(h, "DATAMEAN"), key(h, "DATARMS"), e.mean,
              e.rms);
    CHECK_MSG(close_to(key(h, "DATASKEW"), e.skew, 1e-10) && close_to(key(h, "DATAKURT"), e.kurt, 1e-10),
              "%s: skew %.17g kurt %.17g, expected %.17g %.17g", name, key(h, "DATASKEW"), key(h, "DATAKURT"), e.skew,
              e.kurt);
    CHECK_MSG(key(h, "TOTVALS") == (double)n, "%s: TOTVALS", name);
    CHECK_MSG(close_to(key(h, "PERCENTD"), 100.0 * (double)e.finite / (double)n, 1e-6), "%s: PERCENTD %g", name,
              key(h, "PERCENTD"));
    free(v);
    aia_image_free(back);
}

static void test_statistics(void)
{
    aia_image *img = stats_image(512, 300, 0), *q = stats_image(512, 300, 1);
    if (!img || !q)
        return;
    check_stats_written(img, AIA_OUT_AUTO, AIA_COMP_AUTO, 0, "auto.fits"); /* int16 Rice, our encoder */
    check_stats_written(img, AIA_OUT_INT32, AIA_COMP_RICE, 0, "int32.fits");
    check_stats_written(img, AIA_OUT_INT16, AIA_COMP_GZIP2, 0, "int16_gzip.fits"); /* cfitsio writes */
    check_stats_written(img, AIA_OUT_INT16, AIA_COMP_NONE, 0, "int16_plain.fits");
    check_stats_written(img, AIA_OUT_FLOAT32, AIA_COMP_NONE, 0, "float32.fits");
    check_stats_written(img, AIA_OUT_FLOAT64, AIA_COMP_NONE, 0, "float64.fits");
    check_stats_written(img, AIA_OUT_FLOAT32, AIA_COMP_GZIP2, 0, "float32_gzip.fits");
    check_stats_written(img, AIA_OUT_FLOAT32, AIA_COMP_RICE, 0, "float32_rice.fits"); /* of the values before */
    check_stats_written(q, AIA_OUT_AUTO, AIA_COMP_AUTO, 0.25, "quarter.fits");
    check_stats_written(q, AIA_OUT_AUTO, AIA_COMP_GZIP2, 0.25, "quarter_gzip.fits");
    /* a 1/16 DN quantum keeps quarter-DN values exactly, as BSCALE */
    aia_image *back = NULL;
    CHECK_OK(aia_image_read(test_path("quarter.fits"), AIA_PIX_F32, &back));
    if (back) {
        CHECK(back->source.bscale == 0.25 && back->source.bitpix > 0);
        long same = 0;
        for (long i = 0; i < q->width * q->height; i++)
            same += ((float *)back->data)[i] == ((float *)q->data)[i] ||
                    (isnan(((float *)back->data)[i]) && isnan(((float *)q->data)[i]));
        CHECK_MSG(same == q->width * q->height, "%ld of %ld quarter-DN pixels kept", same, q->width * q->height);
        aia_image_free(back);
    }
    /* a quantum that is not a power of two is not used: whole DN */
    aia_write_options w;
    aia_write_options_default(&w);
    w.quantum = 0.3;
    w.overwrite = 1;
    aia_write_result res;
    CHECK_OK(aia_image_write(q, test_path("third.fits"), &w, &res));
    CHECK(res.quantum == 1.0 && res.type == AIA_OUT_INT16);
    /* the same bytes on one thread and on two */
    aia_write_options_default(&w);
    w.statistics = 1;
    w.type = AIA_OUT_FLOAT32;
    omp_set_num_threads(1);
    CHECK_OK(aia_image_write(img, test_path("t1.fits"), &w, NULL));
    omp_set_num_threads(2);
    CHECK_OK(aia_image_write(img, test_path("t2.fits"), &w, NULL));
    FILE *a = fopen(test_path("t1.fits"), "rb"), *b = fopen(test_path("t2.fits"), "rb");
    int same = a && b;
    while (same) {
        const int ca = fgetc(a), cb = fgetc(b);
        same = ca == cb;
        if (ca == EOF)
            break;
    }
    CHECK_MSG(same, "float statistics differ between 1 and 2 threads");
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    /* no finite pixel: the count is 0, the numbers undefined */
    for (long i = 0; i < img->width * img->height; i++)
        ((float *)img->data)[i] = NAN;
    CHECK_OK(aia_image_write(img, test_path("allnan.fits"), &w, NULL));
    aia_header *h = NULL;
    CHECK_OK(aia_header_read(test_path("allnan.fits"), &h));
    if (h) {
        CHECK(key(h, "DATAVALS") == 0 && key(h, "MISSVALS") == (double)(img->width * img->height));
        CHECK_FAILS(aia_header_get_double(h, "DATAMEAN", &(double){0}), AIA_ERR_KEY_MALFORMED, "DATAMEAN");
        aia_header_free(h);
    }
    aia_image_free(img);
    aia_image_free(q);
}

/* Values FITS has no form for (JSOC's unquoted nan, IDL's unterminated
 * strings) go out as an undefined value / a closed string, in place. */
static void test_invalid_cards(void)
{
    aia_image *img = NULL;
    CHECK_OK(aia_image_create(16, 16, AIA_PIX_F32, &img));
    if (!img)
        return;
    aia_header_append_card(img->header, "OSCNMEAN=                  nan / overscan mean");
    aia_header_append_card(img->header, "TEMPCCD =                 -inf");
    aia_header_append_card(img->header, "GOOD    =              1.5D+03 / a D exponent is FITS");
    aia_header_append_card(img->header, "KEYWDDOC= 'https:  ");
    aia_header_append_card(img->header, "QUOTED  = 'it''s fine'");
    aia_header_append_card(img->header, "FLAG    =                    T");
    aia_write_options w;
    aia_write_options_default(&w);
    CHECK_OK(aia_image_write(img, test_path("cards.fits"), &w, NULL));
    aia_header *h = NULL;
    CHECK_OK(aia_header_read(test_path("cards.fits"), &h));
    if (h) {
        const long i = aia_header_find(h, "OSCNMEAN"), t = aia_header_find(h, "TEMPCCD");
        CHECK(i >= 0 && !strstr(aia_header_card(h, (size_t)i), "nan") && strstr(aia_header_card(h, (size_t)i), "overscan mean"));
        CHECK(t >= 0 && !strstr(aia_header_card(h, (size_t)t), "inf"));
        CHECK(i >= 0 && t == i + 1); /* in place */
        CHECK(key(h, "GOOD") == 1500.0);
        char text[80] = "";
        CHECK_OK(aia_header_get_string(h, "KEYWDDOC", text, sizeof text));
        CHECK(strcmp(text, "https:") == 0);
        CHECK_OK(aia_header_get_string(h, "QUOTED", text, sizeof text));
        CHECK(strcmp(text, "it's fine") == 0);
        const long k = aia_header_find(h, "KEYWDDOC");
        CHECK(k >= 0 && strstr(aia_header_card(h, (size_t)k), "'https:  '")); /* padded to 8, closed */
        aia_header_free(h);
    }
    aia_image_free(img);
}

/* ---- the level-1.5 keys ------------------------------------------------------ */

static void test_level15_keys(void)
{
    /* the IDL aia_prep product in ../shared/data/real: its CRPIX, CDELT and
     * NAXIS give its XCEN/YCEN (785.768141442, 497.242241333) */
    aia_header *h = aia_header_new();
    aia_header_set_long(h, "NAXIS1", 854, NULL);
    aia_header_set_long(h, "NAXIS2", 480, NULL);
    aia_header_set_double(h, "CRPIX1", -861.969970281, NULL);
    aia_header_set_double(h, "CRPIX2", -575.489990352, NULL);
    aia_header_set_double(h, "CDELT1", 0.609372966841, NULL);
    aia_header_set_double(h, "CDELT2", 0.609372966841, NULL);
    aia_header_set_double(h, "CRVAL1", 0.0, NULL);
    aia_header_set_string(h, "PIXLUNIT", "DN", NULL);
    aia_header_set_double(h, "X0_MP", 2058.389893, NULL);
    CHECK_OK(aia_level15_header(h));
    CHECK_MSG(fabs(key(h, "XCEN") - 785.768141442) < 1e-8 && fabs(key(h, "YCEN") - 497.242241333) < 1e-8,
              "XCEN %.12g YCEN %.12g", key(h, "XCEN"), key(h, "YCEN"));
    char unit[32] = "";
    CHECK_OK(aia_header_get_string(h, "BUNIT", unit, sizeof unit));
    CHECK(strcmp(unit, "DN") == 0);
    CHECK(aia_header_find(h, "PIXLUNIT") < 0);
    const size_t cards = aia_header_count(h);
    CHECK_OK(aia_level15_header(h)); /* again: nothing added twice */
    CHECK(aia_header_count(h) == cards);
    aia_header_set_string(h, "BUNIT", "DN / s", NULL);
    CHECK_OK(aia_level15_header(h));
    CHECK_OK(aia_header_get_string(h, "BUNIT", unit, sizeof unit));
    CHECK(strcmp(unit, "DN/s") == 0);
    aia_header_free(h);
    const char *shared = test_shared_dir();
    if (shared) { /* the IDL file itself */
        char path[4096];
        snprintf(path, sizeof path, "%s/data/real/aia_lev15_idl_1600a_2012_06_06_cutout.fits", shared);
        aia_header *idl = NULL, *mine = NULL;
        CHECK_OK(aia_header_read(path, &idl));
        if (idl && aia_header_copy(idl, &mine) == AIA_OK) {
            CHECK_OK(aia_level15_header(mine));
            CHECK_MSG(fabs(key(mine, "XCEN") - key(idl, "XCEN")) < 1e-6 && fabs(key(mine, "YCEN") - key(idl, "YCEN")) < 1e-6,
                      "XCEN/YCEN %.10g %.10g, IDL %.10g %.10g", key(mine, "XCEN"), key(mine, "YCEN"), key(idl, "XCEN"),
                      key(idl, "YCEN"));
        }
        aia_header_free(idl);
        aia_header_free(mine);
    }
}

/* ---- HISTORY ------------------------------------------------------------------- */

static void test_history(void)
{
    aia_header *h = aia_header_new();
    CHECK_OK(aia_history_step(h, "register", "short"));
    CHECK(strncmp(aia_header_card(h, 0), "HISTORY aiaprep ", 16) == 0 && strstr(aia_header_card(h, 0), "register: short"));
    const char *words = "a long entry that needs more than one card to say what it says about the step "
                        "and its tables, wrapped at spaces, continued with an indent";
    CHECK_OK(aia_history_step(h, "deconvolve", "%s", words));
    CHECK(aia_header_count(h) >= 3);
    CHECK(strncmp(aia_header_card(h, 2), "HISTORY     ", 12) == 0);
    for (size_t i = 0; i < aia_header_count(h); i++)
        CHECK(strlen(aia_header_card(h, i)) == 80);
    char opts[1024], version[32];
    CHECK_FAILS(aia_output_options_from_header(h, opts, sizeof opts, NULL, 0), AIA_ERR_KEY_MISSING, "options");

    /* the options card: canonical, long enough to continue, read back */
    aia_prep_options *o = aia_prep_options_new(), *same = aia_prep_options_new();
    CHECK_OK(aia_prep_option(o, "deconvolve", NULL));
    CHECK_OK(aia_prep_option(o, "iterations", "30"));
    CHECK_OK(aia_prep_option(o, "pointing", "auto"));
    CHECK_OK(aia_prep_option(o, "degradation", "auto"));
    CHECK_OK(aia_prep_option(o, "normalize", NULL));
    CHECK_OK(aia_prep_option(o, "dtype", "float32"));
    CHECK_OK(aia_prep_option(o, "output", "/some/where")); /* not science */
    CHECK_OK(aia_prep_option(same, "dtype", "float32"));
    CHECK_OK(aia_prep_option(same, "normalize", NULL));
    CHECK_OK(aia_prep_option(same, "order", "3")); /* the default, given */
    CHECK_OK(aia_prep_option(same, "degradation", "auto"));
    CHECK_OK(aia_prep_option(same, "pointing", "auto"));
    CHECK_OK(aia_prep_option(same, "iterations", "30"));
    CHECK_OK(aia_prep_option(same, "deconvolve", NULL));
    char a[1024], b[1024];
    aia_prep_options_describe(o, a, sizeof a);
    aia_prep_options_describe(same, b, sizeof b);
    CHECK_MSG(strcmp(a, b) == 0, "'%s' vs '%s'", a, b);
    CHECK(strstr(a, "--deconvolve --iterations 30 --precision single") && strstr(a, "--pointing auto") &&
          strstr(a, "--normalize") && strstr(a, "--dtype float32") && !strstr(a, "/some/where"));
    CHECK_OK(aia_history_options(h, o));
    CHECK_OK(aia_history_step(h, "after", "another entry"));
    CHECK_OK(aia_output_options_from_header(h, opts, sizeof opts, version, sizeof version));
    CHECK_MSG(strcmp(opts, a) == 0, "read back '%s', wrote '%s'", opts, a);
    CHECK(strcmp(version, aia_version()) == 0);
    CHECK_FAILS(aia_output_options_from_header(h, opts, 20, NULL, 0), AIA_ERR_ARG, "longer than");
    /* a table by checksum: a copy under another name is the same science */
    const char *t1 = test_path("err1.txt"), *t2 = test_path("err2.txt");
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(k ? t2 : t1, "w");
        fputs("DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH DNPERPHT COMPRESS CALERR CHIANTI EVEERR\n"
              "2012-02-10T01:12:01 2010-05-01T00:00:00 2050-05-01T00:00:00 3 171_THIN 171 1.122 14.400 0.250 0.250 "
              "0.019\n",
              f);
        fclose(f);
    }
    aia_prep_options *u1 = aia_prep_options_new(), *u2 = aia_prep_options_new();
    CHECK_OK(aia_prep_option(u1, "uncertainty", t1));
    CHECK_OK(aia_prep_option(u2, "uncertainty", t2));
    aia_prep_options_describe(u1, a, sizeof a);
    aia_prep_options_describe(u2, b, sizeof b);
    CHECK(strcmp(a, b) == 0 && strstr(a, "--uncertainty sha256:") && !strstr(a, "err1"));
    aia_prep_options_free(u1);
    aia_prep_options_free(u2);
    aia_prep_options_free(o);
    aia_prep_options_free(same);
    aia_header_free(h);
}

/* ---- names ----------------------------------------------------------------------- */

static void check_name(const char *input, const aia_header *hdr, const char *tmpl, const char *want)
{
    char out[4096] = "";
    CHECK_OK(aia_output_path_header(input, hdr, "out", "lev1.5", tmpl, out, sizeof out));
    CHECK_MSG(strcmp(out, want) == 0, "%s -> %s, expected %s", input, out, want);
}

static void test_names(void)
{
    check_name("/d/aia.lev1_euv_12s.2014-01-01T000011Z.171.image_lev1.fits", NULL, NULL,
               "out/aia.lev1.5_euv_12s.2014-01-01T000011Z.171.image_lev1.5.fits");
    check_name("aia_lev1_171a_2014_01_01t00_00_11_34z_image_lev1.fits", NULL, NULL,
               "out/aia_lev1.5_171a_2014_01_01t00_00_11_34z_image_lev1.5.fits");
    check_name("aia.lev1.1600A_2013-12-28T10:00:00.00Z.image_lev1.FITS", NULL, NULL,
               "out/aia.lev1.5.1600A_2013-12-28T10:00:00.00Z.image_lev1.5.fits");
    check_name("aia_lev1.5_171a.fits", NULL, NULL, "out/aia_lev1.5_171a_lev1.5.fits");
    check_name("hmi_lev15.fts", NULL, NULL, "out/hmi_lev15_lev1.5.fits");
    check_name("frame.fits.gz", NULL, NULL, "out/frame_lev1.5.fits");
    aia_header *h = aia_header_new();
    aia_header_set_long(h, "WAVELNTH", 171, NULL);
    aia_header_set_string(h, "T_OBS", "2014-01-01T00:00:12.34Z", NULL);
    aia_header_set_long(h, "FSN", 80982796, NULL);
    aia_header_set_string(h, "INSTRUME", "AIA 3/x", NULL);
    check_name("x/aia_lev1_171a.fits", h, "{date}/{wave}/{stem}_{t_obs}", "out/2014-01-01/0171/aia_lev1_171a_2014-01-01T000012Z.fits");
    check_name("x/aia_lev1_171a.fits", h, "{year}/{month}/{day}/{hour}/aia{wavelnth}_{time}_{fsn}.fits",
               "out/2014/01/01/00/aia171_000012_80982796.fits");
    check_name("x/aia_lev1_171a.fits", h, "{instrume}-{name}", "out/AIA_3_x-aia_lev1.5_171a.fits");
    char out[4096];
    CHECK_FAILS(aia_output_path_header("a.fits", h, "out", "lev1.5", "{quality}", out, sizeof out),
                AIA_ERR_KEY_MISSING, "no QUALITY");
    CHECK_FAILS(aia_output_path("a.fits", "out", "lev1.5", "{date}/{stem}", out, sizeof out), AIA_ERR_ARG,
                "needs the input's header");
    CHECK_FAILS(aia_output_path_header("a.fits", h, "out", "lev1.5", "../{stem}", out, sizeof out), AIA_ERR_ARG,
                "inside the output directory");
    CHECK_FAILS(aia_output_path_header("a.fits", h, "out", "lev1.5", "{st em}", out, sizeof out), AIA_ERR_ARG,
                "unknown field");
    CHECK_FAILS(aia_output_path_header("a.fits", h, "out", "lev1.5", "{stem", out, sizeof out), AIA_ERR_ARG,
                "without");
    CHECK(aia_template_needs_header("{date}/{stem}") && !aia_template_needs_header("{stem}_{level}") &&
          !aia_template_needs_header(NULL));
    aia_header_free(h);
}

int main(void)
{
    test_sha256();
    test_json();
    test_statistics();
    test_invalid_cards();
    test_level15_keys();
    test_history();
    test_names();
    test_cleanup();
    return test_done("test_output_header");
}
