/* test_calibration.c — times with leap seconds; the pointing update (CSV
 * and JSOC export, row selection, aiapy's rules and warnings); degradation
 * (aiapy's V10 values to 1e-12); estimate_error against the formula worked
 * by hand; respike; the uncertainty HDU. */
#include "testutil.h"
#include "core/table.h"

#include <fitsio.h>
#include <zlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_times(void)
{
    aia_time a, b, c;
    CHECK_OK(aia_time_parse("2014-01-01T00:00:00Z", &a));
    CHECK_OK(aia_time_parse("2014.01.01_00:00:35_TAI", &b)); /* TAI - UTC = 35 s in 2014 */
    CHECK(aia_time_compare(&a, &b) == 0);
    CHECK_OK(aia_time_parse("2014.01.01_00:00:00_UTC", &c));
    CHECK(aia_time_compare(&a, &c) == 0);
    /* a day across the leap second of 2015-06-30 lasts 86401 s */
    CHECK_OK(aia_time_parse("2015-06-30T12:00:00", &a));
    CHECK_OK(aia_time_parse("2015-07-01T12:00:00.000", &b));
    CHECK(aia_time_days_between(&a, &b) == 86401.0 / 86400.0);
    CHECK_OK(aia_time_parse("2014-01-01T00:00:12.34Z", &a));
    CHECK_OK(aia_time_parse("2014-01-01T00:00:11.34", &b));
    CHECK(a.tai_us - b.tai_us == 1000000);
    char buf[40];
    aia_time_format_utc(&a, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "2014-01-01T00:00:12.340000") == 0, "%s", buf);
    CHECK_FAILS(aia_time_parse("yesterday", &a), AIA_ERR_ARG, "yesterday");
    CHECK_FAILS(aia_time_parse("2014-13-01T00:00:00", &a), AIA_ERR_ARG, "no month 13");
    /* days that do not exist are refused, not rolled into the next month */
    CHECK_FAILS(aia_time_parse("2014-02-31T00:00:00", &a), AIA_ERR_ARG, "2014-02 has no day 31");
    CHECK_FAILS(aia_time_parse("2015-02-29T00:00:00", &a), AIA_ERR_ARG, "has no day 29");
    CHECK_OK(aia_time_parse("2016-02-29T00:00:00", &a));
    CHECK_FAILS(aia_time_parse("2014-04-31T00:00:00", &a), AIA_ERR_ARG, "no day 31");
    CHECK_FAILS(aia_time_parse("2014-00-10T00:00:00", &a), AIA_ERR_ARG, "no month 0");
    /* no signs nor blanks inside fields (sscanf's %d took "-1" and " 5") */
    CHECK_FAILS(aia_time_parse("2014--1-01T00:00:00", &a), AIA_ERR_ARG, "is not YYYY-MM-DD");
    CHECK_FAILS(aia_time_parse("2014-01-01T-1:00:00", &a), AIA_ERR_ARG, "is not YYYY-MM-DD");
    CHECK_FAILS(aia_time_parse("-014-01-01T00:00:00", &a), AIA_ERR_ARG, "is not YYYY-MM-DD");
    CHECK_FAILS(aia_time_parse("2014-01-01T00: 5:00", &a), AIA_ERR_ARG, "is not YYYY-MM-DD");
    CHECK_FAILS(aia_time_parse("2014-01-01T00:00:-1", &a), AIA_ERR_ARG, "seconds");
    CHECK_FAILS(aia_time_parse("2014-01-01T24:00:00", &a), AIA_ERR_ARG, "impossible");
    /* from 1900 UTC on (fuzz_time found year 0000 TAI printing as UTC year -1) */
    CHECK_FAILS(aia_time_parse("0000-01-01 00:00:00_TAI", &a), AIA_ERR_ARG, "before 1900-01-01 UTC");
    CHECK_FAILS(aia_time_parse("1900.01.01_00:00:05_TAI", &a), AIA_ERR_ARG, "before 1900-01-01 UTC");
    CHECK_OK(aia_time_parse("1900-01-01T00:00:00Z", &a));
    char back[64];
    aia_time_format_utc(&a, back, sizeof back);
    CHECK(strncmp(back, "1900-01-01T00:00:00", 19) == 0);
    /* a leap second only at the end of a day */
    CHECK_OK(aia_time_parse("2016-12-31T23:59:60.5", &a));
    { /* a leap second is its own instant: one second after 23:59:59, printed as :60 */
        aia_time before, after;
        CHECK_OK(aia_time_parse("2016-12-31T23:59:59.5", &before));
        CHECK_OK(aia_time_parse("2017-01-01T00:00:00.5", &after));
        CHECK(fabs(aia_time_days_between(&before, &a) * 86400.0 - 1.0) < 1e-9);
        CHECK(fabs(aia_time_days_between(&a, &after) * 86400.0 - 1.0) < 1e-9);
        char text[64];
        aia_time_format_utc(&a, text, sizeof text);
        CHECK(strcmp(text, "2016-12-31T23:59:60.500000") == 0);
        CHECK_OK(aia_time_parse("1973-01-01 00:00:11_TAI", &before)); /* fuzz_time: 1972-12-31T23:59:60 UTC */
        aia_time_format_utc(&before, text, sizeof text);
        CHECK(strcmp(text, "1972-12-31T23:59:60.000000") == 0);
        CHECK_OK(aia_time_parse(text, &after));
        CHECK(aia_time_compare(&before, &after) == 0);
    }
    CHECK_FAILS(aia_time_parse("2016-12-31T12:00:60", &a), AIA_ERR_ARG, "impossible");
}

/* A frame header with the pointing keys of the 171 sample. */
static aia_header *pointing_header(int channel)
{
    aia_header *h = aia_header_new();
    aia_header_set_long(h, "WAVELNTH", channel, NULL);
    aia_header_set_string(h, "T_OBS", "2014-01-01T00:00:12.34Z", NULL);
    aia_header_set_double(h, "CRPIX1", 2056.879883, NULL);
    aia_header_set_double(h, "CRPIX2", 2045.51001, NULL);
    aia_header_set_double(h, "CDELT1", 0.599489, NULL);
    aia_header_set_double(h, "CDELT2", 0.599489, NULL);
    aia_header_set_double(h, "CROTA2", 0.019314, NULL);
    aia_header_set_double(h, "X0_MP", 2055.879883, NULL);
    aia_header_set_double(h, "Y0_MP", 2044.51001, NULL);
    aia_header_set_double(h, "SAT_ROT", -0.000013, NULL);
    aia_header_set_double(h, "PC1_1", 1.0, NULL);
    return h;
}

static const char pointing_csv[] =
    "T_START,T_STOP,A_171_X0,A_171_Y0,A_171_IMSCALE,A_171_INSTROT,A_1600_X0,A_1600_Y0,A_1600_IMSCALE,A_1600_INSTROT\n"
    "2013-12-31T21:00:00Z,2014-01-01T00:00:00Z,2055.679883,2044.610010,0.599489,0.019327,,,,\n"
    "2014-01-01T00:00:00Z,2014-01-01T03:00:00Z,2056.029883,2044.360010,0.599509,0.020327,2050.0,,0.6,\n"
    "2014-01-01T03:00:00Z,2014-01-01T06:00:00Z,2056.379883,2044.110010,0.599529,0.021327,,,,\n";

/* The same rows as a JSOC text export: TAI times, blanks, MISSING. */
static const char pointing_jsoc[] =
    "T_START T_STOP A_171_X0 A_171_Y0 A_171_IMSCALE A_171_INSTROT\n"
    "2013.12.31_21:00:35_TAI 2014.01.01_00:00:35_TAI 2055.679883 2044.610010 0.599489 0.019327\n"
    "2014.01.01_00:00:35_TAI 2014.01.01_03:00:35_TAI 2056.029883 2044.360010 0.599509 0.020327\n"
    "2014.01.01_03:00:35_TAI 2014.01.01_06:00:35_TAI 2056.379883 MISSING 0.599529 0.021327\n";

static void check_update(const char *table_path, const char *label)
{
    aia_pointing_table *t = NULL;
    CHECK_OK(aia_pointing_table_read(table_path, &t));
    if (!t)
        return;
    aia_header *h = pointing_header(171);
    aia_pointing_report r;
    CHECK_OK(aia_update_pointing(h, t, &r));
    aia_meta m;
    aia_meta_parse(h, &m);
    CHECK_MSG(r.row == 1, "%s: row %ld", label, r.row);
    /* aiapy: CRPIX = ((CRPIX - 1) + (X0_new - X0_MP)) + 1 */
    CHECK(m.crpix1 == ((2056.879883 - 1.0) + (2056.029883 - 2055.879883)) + 1.0);
    CHECK(m.crpix2 == ((2045.51001 - 1.0) + (2044.360010 - 2044.51001)) + 1.0);
    CHECK(m.cdelt1 == 0.599509 && m.cdelt2 == 0.599509);
    CHECK(m.crota2 == 0.020327 + -0.000013);
    CHECK(m.x0_mp == 2056.029883 && m.y0_mp == 2044.360010);
    CHECK(m.state[AIA_KEY_PC] == AIA_KEYSTATE_MISSING); /* PCi_j removed */
    CHECK(r.warnings == 0);
    /* T_START belongs to its row, T_STOP to the next */
    aia_header_set_string(h, "T_OBS", "2014-01-01T03:00:00Z", NULL);
    CHECK_OK(aia_update_pointing(h, t, &r));
    CHECK_MSG(r.row == 2, "%s: at T_STOP, row %ld", label, r.row);
    aia_header_set_string(h, "T_OBS", "2014-01-01T06:00:00Z", NULL);
    CHECK_FAILS(aia_update_pointing(h, t, &r), AIA_ERR_BAD_DATA, "no row of the pointing table");
    aia_header_free(h);
    aia_pointing_table_free(t);
}

static void test_pointing(void)
{
    const char *csv = test_path("mpt.csv"), *jsoc = test_path("mpt.txt");
    write_text(csv, pointing_csv);
    write_text(jsoc, pointing_jsoc);
    check_update(csv, "CSV");
    check_update(jsoc, "JSOC export");
    aia_pointing_table *t = NULL;
    CHECK_OK(aia_pointing_table_read(csv, &t));
    aia_pointing_report r;
    /* no columns for the channel (131 in the daily CSV) */
    aia_header *h = pointing_header(131);
    CHECK_FAILS(aia_update_pointing(h, t, &r), AIA_ERR_BAD_DATA, "no A_131_* columns");
    CHECK(strstr(aia_last_error(), "JSOC export") != NULL);
    aia_header_free(h);
    /* empty entries: those keys skipped, with aiapy's warning */
    h = pointing_header(1600);
    CHECK_OK(aia_update_pointing(h, t, &r));
    CHECK(r.warnings & AIA_POINTING_WARN_MISSING_VALUE);
    CHECK_MSG(strstr(r.missing, "A_1600_Y0") && strstr(r.missing, "A_1600_INSTROT") && !strstr(r.missing, "X0"),
              "missing: %s", r.missing);
    aia_meta m;
    aia_meta_parse(h, &m);
    CHECK(m.x0_mp == 2050.0 && m.crpix2 == 2045.51001 && m.cdelt1 == 0.6 && m.crota2 == 0.019314);
    aia_header_free(h);
    /* no X0_MP in the header: CRPIX left alone, with a warning */
    h = pointing_header(171);
    aia_header_delete(h, "X0_MP");
    aia_header_delete(h, "Y0_MP");
    CHECK_OK(aia_update_pointing(h, t, &r));
    aia_meta_parse(h, &m);
    CHECK((r.warnings & AIA_POINTING_WARN_NO_MP) && m.crpix1 == 2056.879883);
    /* a resampled map warns */
    aia_header_set_double(h, "CDELT1", 2.4, NULL);
    CHECK_OK(aia_update_pointing(h, t, &r));
    CHECK(r.warnings & AIA_POINTING_WARN_RESAMPLED);
    aia_header_free(h);
    aia_pointing_table_free(t);
    /* a table without T_START */
    write_text(csv, "A,B\n1,2\n");
    CHECK_FAILS(aia_pointing_table_read(csv, &t), AIA_ERR_BAD_DATA, "no T_START");
    CHECK_FAILS(aia_pointing_table_read(test_path("none.csv"), &t), AIA_ERR_IO, "none.csv");
}

static void test_degradation(const char *shared)
{
    /* a small table: the formula by hand */
    const char *path = test_path("response.txt");
    write_text(path,
               "DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH EPERDN DNPERPHT EFF_AREA EFF_WVLN EFFA_P1 EFFA_P2 EFFA_P3 RMSE\n"
               "2020-10-29T11:14:51.523 2010-03-24T00:00:00.000 2011-01-01T00:00:00.000 10 171_THIN 171 1 1 2.0 171 0.001 0 0 0\n"
               "2020-10-29T11:14:51.523 2011-01-01T00:00:00.000 2020-01-01T00:00:00.000 10 171_THIN 171 1 1 1.5 171 -0.0001 1e-8 -1e-12 0\n"
               "2020-10-29T11:14:51.523 2011-01-01T00:00:00.000 2020-01-01T00:00:00.000 9 171_THIN 171 1 1 9.0 171 0 0 0 0\n");
    aia_response_table *t = NULL;
    CHECK_OK(aia_response_table_read(path, &t));
    double d = 0;
    CHECK_OK(aia_degradation(t, 171, "2012-01-01T00:00:00", 10, &d));
    const double dt = 365.0; /* 2011-01-01 to 2012-01-01: no leap second */
    const double want = (-0.0001 * dt + 1e-8 * (dt * dt) + -1e-12 * pow(dt, 3.0) + 1.0) * (1.5 / 2.0);
    CHECK_MSG(d == want, "%.17g, by hand %.17g", d, want);
    CHECK_FAILS(aia_degradation(t, 193, "2012-01-01T00:00:00", 10, &d), AIA_ERR_BAD_DATA, "no rows for 193_THIN");
    CHECK_FAILS(aia_degradation(t, 171, "2009-01-01T00:00:00", 10, &d), AIA_ERR_BAD_DATA, "no 171_THIN version 10 epoch");
    CHECK_FAILS(aia_degradation(t, 171, "2012-01-01T00:00:00", 8, &d), AIA_ERR_BAD_DATA, "version 8");
    CHECK_FAILS(aia_degradation(t, 555, "2012-01-01T00:00:00", 10, &d), AIA_ERR_UNSUPPORTED, "555");
    /* correct_degradation divides the image by it (DATE-OBS) */
    aia_image *img = NULL;
    aia_image_create(4, 4, AIA_PIX_F32, &img);
    for (int i = 0; i < 16; i++)
        ((float *)img->data)[i] = 100.0f;
    aia_header_set_long(img->header, "WAVELNTH", 171, NULL);
    aia_header_set_string(img->header, "DATE-OBS", "2012-01-01T00:00:00", NULL);
    CHECK_OK(aia_correct_degradation(aia_image_view(img), (img)->header, t, 10, &d));
    CHECK(((float *)img->data)[3] == (float)(100.0 * (1.0 / want)));
    double stored = 0;
    CHECK_OK(aia_header_get_double(img->header, "DEGRADAT", &stored));
    CHECK(stored == want);
    aia_image_free(img);
    aia_response_table_free(t);

    if (!shared) {
        printf("SKIPPED: the V10 table values: no shared data folder\n");
        return;
    }
    /* aiapy-reference.md §4.2: the V10 table at 2015-01-01T00:00:00, 1e-12 */
    char v10[4096];
    snprintf(v10, sizeof v10, "%s/data/tables/aia_V10_20201119_190000_response_table.txt", shared);
    CHECK_OK(aia_response_table_read(v10, &t));
    const struct { int ch; double d; } ref[] = {
        {94, 0.9031803542673108},  {131, 0.6776373799468738}, {171, 0.7868931313968579},
        {193, 0.8618156774743074}, {211, 0.8299878322224179}, {304, 0.14925729560975612},
        {335, 0.3268535672061928}, {1600, 0.5604830627615063}, {1700, 0.8789503502906977}};
    for (size_t i = 0; t && i < sizeof ref / sizeof ref[0]; i++) {
        CHECK_OK(aia_degradation(t, ref[i].ch, "2015-01-01T00:00:00", 10, &d));
        CHECK_MSG(fabs(d - ref[i].d) <= 1e-12 * ref[i].d, "%d A: %.17g, aiapy %.17g", ref[i].ch, d, ref[i].d);
    }
    if (t) /* aiapy: 4500 with the SSW table is a ValueError */
        CHECK_FAILS(aia_degradation(t, 4500, "2015-01-01T00:00:00", 10, &d), AIA_ERR_BAD_DATA, "4500 version 3");
    aia_response_table_free(t);
}

/* aiapy-reference.md §4.3, the V3 table's rows. */
static const char error_table[] =
    "DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH DNPERPHT COMPRESS CALERR CHIANTI EVEERR\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 94_THIN 94 1.975 26.196 0.250 0.500 0.087\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 131_THIN 131 1.473 18.797 0.250 0.500 0.051\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 171_THIN 171 1.122 14.400 0.250 0.250 0.019\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 193_THIN 193 0.962 12.759 0.250 0.250 0.014\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 211_THIN 211 0.880 11.670 0.250 0.250 0.019\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 304_THIN 304 0.611 8.100 0.250 0.500 0.023\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 335_THIN 335 0.576 7.350 0.250 0.250 0.097\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 1600 1600 0.120 1.539 0.500 1.000 0.012\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 1700 1700 0.113 0.362 0.500 1.000 0.035\n"
    "2012-02-10T01:12:01.000 2010-05-01T00:00:00.000 2050-05-01T00:00:00.000 3 4500 4500 0.056 0.068 0.500 1.000 0.030\n";

/* The formula worked by hand, per term, from the table's numbers. */
static double by_hand(double c, double g, double comp_k, double rn, double cal, double chianti, int n)
{
    const double shot = sqrt(c * g) / sqrt((double)n);
    double comp = c < 25 ? 0 : fmax(shot / comp_k, 1 / sqrt(12.0));
    comp /= sqrt((double)n);
    const double terms = shot * shot + 0.18 * 0.18 + (rn * rn) / n + 1.0 / 12.0 / n + comp * comp +
                         (chianti * c) * (chianti * c) + (cal * c) * (cal * c);
    return sqrt(terms);
}

static void test_uncertainty(const char *shared)
{
    const char *path = test_path("errors.txt");
    write_text(path, error_table);
    aia_uncertainty_table *t = NULL;
    CHECK_OK(aia_uncertainty_table_read(path, &t));
    if (!t)
        return;
    const struct { int ch; double g, k, rn, cal, chianti, eve; } rows[] = {
        {94, 1.975, 26.196, 1.14, 0.25, 0.5, 0.087},   {131, 1.473, 18.797, 1.18, 0.25, 0.5, 0.051},
        {171, 1.122, 14.400, 1.15, 0.25, 0.25, 0.019}, {193, 0.962, 12.759, 1.20, 0.25, 0.25, 0.014},
        {211, 0.880, 11.670, 1.20, 0.25, 0.25, 0.019}, {304, 0.611, 8.100, 1.14, 0.25, 0.5, 0.023},
        {335, 0.576, 7.350, 1.18, 0.25, 0.25, 0.097},  {1600, 0.120, 1.539, 1.15, 0.5, 1.0, 0.012},
        {1700, 0.113, 0.362, 1.15, 0.5, 1.0, 0.035},   {4500, 0.056, 0.068, 1.15, 0.5, 1.0, 0.030}};
    const double counts[] = {0, 3, 24.9, 25, 100, 5000, 16000};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (int variant = 0; variant < 4; variant++) {
            aia_uncertainty_options o;
            aia_uncertainty_options_default(&o);
            o.include_preflight = variant == 1;
            o.include_eve = variant == 2;
            o.include_chianti = variant == 3;
            o.n_sample = variant == 3 ? 4 : 1;
            aia_uncertainty_terms terms;
            CHECK_OK(aia_uncertainty_model(t, rows[i].ch, &o, &terms));
            const double cal = variant == 1 ? rows[i].cal : variant == 2 ? rows[i].eve : 0;
            const double ch = variant == 3 ? rows[i].chianti : 0;
            for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
                const double got = aia_uncertainty_of(&terms, counts[k]);
                const double want = by_hand(counts[k], rows[i].g, rows[i].k, rows[i].rn, cal, ch, o.n_sample);
                CHECK_MSG(fabs(got - want) <= 1e-12 * want, "%d A, %g DN, variant %d: %.15g, by hand %.15g",
                          rows[i].ch, counts[k], variant, got, want);
            }
        }
    aia_uncertainty_options o;
    aia_uncertainty_options_default(&o);
    aia_uncertainty_terms terms;
    CHECK_OK(aia_uncertainty_model(t, 171, &o, &terms));
    CHECK(isnan(aia_uncertainty_of(&terms, -1.0))); /* aiapy: NaN below 0 */
    o.include_eve = o.include_preflight = 1;
    CHECK_FAILS(aia_uncertainty_model(t, 171, &o, &terms), AIA_ERR_ARG, "exclude each other");
    aia_uncertainty_options_default(&o);
    CHECK_FAILS(aia_uncertainty_model(t, 555, &o, &terms), AIA_ERR_BAD_DATA, "no row for 555");
    /* the image: same shape, EXTNAME, negative counts as 0 */
    aia_image *img = NULL, *err = NULL;
    aia_image_create(8, 8, AIA_PIX_F32, &img);
    aia_header_set_long(img->header, "WAVELNTH", 193, NULL);
    ((float *)img->data)[5] = 400.0f;
    ((float *)img->data)[6] = -2.0f;
    ((float *)img->data)[7] = NAN;
    CHECK_OK(aia_uncertainty_image(img, t, &o, &err));
    if (err) {
        CHECK_OK(aia_uncertainty_model(t, 193, &o, &terms));
        CHECK(((float *)err->data)[5] == (float)aia_uncertainty_of(&terms, 400.0));
        CHECK(((float *)err->data)[6] == (float)aia_uncertainty_of(&terms, 0.0));
        CHECK(isnan(((float *)err->data)[7]));
        char name[32];
        CHECK_OK(aia_header_get_string(err->header, "EXTNAME", name, sizeof name));
        CHECK(strcmp(name, "UNCERTAINTY") == 0);
    }
    aia_image_free(err);
    aia_image_free(img);
    aia_uncertainty_table_free(t);
    if (shared) { /* the real table reads and gives the same terms */
        char v3[4096];
        snprintf(v3, sizeof v3, "%s/data/tables/aia_V3_error_table.txt", shared);
        aia_uncertainty_table *real = NULL;
        CHECK_OK(aia_uncertainty_table_read(v3, &real));
        aia_uncertainty_terms a;
        if (real) {
            CHECK_OK(aia_uncertainty_model(real, 335, &o, &a));
            CHECK(a.dn_per_photon == 0.576 && a.compress == 7.35 && a.read_noise == 1.18);
        }
        aia_uncertainty_table_free(real);
    }
}

static void write_spikes(const char *path, const int32_t *idx, const int32_t *val, long n)
{
    fitsfile *f;
    int st = 0;
    remove(path);
    fits_create_diskfile(&f, path, &st);
    long dims[2] = {n, 2};
    fits_create_img(f, LONG_IMG, 2, dims, &st);
    fits_write_img(f, TINT, 1, n, (void *)idx, &st);
    fits_write_img(f, TINT, n + 1, n, (void *)val, &st);
    fits_close_file(f, &st);
}

/* A cutout (300 x 200 at (1000, 2000), as im_patch writes it) of a frame:
 * the frame's spikes moved to its origin, those outside dropped. */
static void test_respike_cutout(const aia_image *frame, const char *spikes)
{
    const long x0 = 1000, y0 = 2000, w = 300, h = 200;
    aia_image *cut = NULL;
    aia_image_create(w, h, AIA_PIX_F32, &cut);
    aia_header_free(cut->header);
    aia_header_copy(frame->header, &cut->header);
    for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++)
            ((float *)cut->data)[y * w + x] = ((const float *)frame->data)[(y0 + y) * 4096 + x0 + x];
    aia_meta m;
    aia_meta_parse(frame->header, &m);
    aia_header_set_double(cut->header, "CRPIX1", m.crpix1 - (double)x0, NULL);
    aia_header_set_double(cut->header, "CRPIX2", m.crpix2 - (double)y0, NULL);
    aia_header_set_double(cut->header, "LVL_NUM", 1.0, NULL);
    /* inside: the cutout's corners and a middle pixel; outside: next to it */
    const int32_t idx[6] = {y0 * 4096 + x0, (y0 + h - 1) * 4096 + x0 + w - 1, (y0 + 50) * 4096 + x0 + 70,
                            y0 * 4096 + x0 - 1, (y0 + h) * 4096 + x0, 5};
    const int32_t val[6] = {30001, 30002, 30003, 30004, 30005, 30006};
    write_spikes(spikes, idx, val, 6);
    const float before_outside_neighbour = ((float *)cut->data)[1];
    aia_header_set_long(cut->header, "NSPIKES", 6, NULL); /* the frame's count */
    long n = 0;
    CHECK_OK(aia_respike(aia_image_view(cut), cut->header, spikes, &n));
    const float *d = cut->data;
    CHECK_MSG(n == 3 && d[0] == 30001.0f && d[(h - 1) * w + w - 1] == 30002.0f && d[50 * w + 70] == 30003.0f,
              "%ld reinserted: %g %g %g", n, d[0], d[(h - 1) * w + w - 1], d[50 * w + 70]);
    CHECK(d[1] == before_outside_neighbour);
    /* NSPIKES counting the cutout's own spikes is accepted too, others not */
    aia_header_set_double(cut->header, "LVL_NUM", 1.0, NULL);
    aia_header_set_long(cut->header, "NSPIKES", 3, NULL);
    CHECK_OK(aia_respike(aia_image_view(cut), cut->header, spikes, &n));
    aia_header_set_double(cut->header, "LVL_NUM", 1.0, NULL);
    aia_header_set_long(cut->header, "NSPIKES", 4, NULL);
    CHECK_FAILS(aia_respike(aia_image_view(cut), cut->header, spikes, &n), AIA_ERR_BAD_DATA, "3 in the image");
    /* a sub-array whose place on the CCD is unknown */
    aia_header_delete(cut->header, "X0_MP");
    CHECK_FAILS(aia_respike(aia_image_view(cut), cut->header, spikes, &n), AIA_ERR_UNSUPPORTED, "X0_MP is missing");
    aia_image_free(cut);
}

static void test_respike(void)
{
    aia_image *img = test_synth(171, 4096, 0.0, 1);
    if (!img)
        return;
    const int32_t idx[3] = {0, 4096 * 100 + 7, 4096 * 4096 - 1}, val[3] = {1234, 16000, 77};
    const char *spikes = test_path("frame.spikes.fits");
    write_spikes(spikes, idx, val, 3);
    aia_header_set_long(img->header, "NSPIKES", 3, NULL);
    long n = 0;
    CHECK_OK(aia_respike(aia_image_view(img), (img)->header, spikes, &n));
    const float *d = img->data;
    CHECK(n == 3 && d[0] == 1234.0f && d[4096 * 100 + 7] == 16000.0f && d[4096 * 4096 - 1] == 77.0f);
    aia_meta m;
    aia_meta_parse(img->header, &m);
    long long ns = -1;
    aia_header_get_long(img->header, "NSPIKES", &ns);
    CHECK(m.lvl_num == 0.5 && ns == 0);
    CHECK(aia_header_find(img->header, "COMMENT") >= 0);
    /* again: now level 0.5, refused */
    CHECK_FAILS(aia_respike(aia_image_view(img), (img)->header, spikes, &n), AIA_ERR_BAD_DATA, "LVL_NUM 1.0");
    aia_header_set_double(img->header, "LVL_NUM", 1.0, NULL);
    CHECK_FAILS(aia_respike(aia_image_view(img), (img)->header, spikes, &n), AIA_ERR_BAD_DATA, "NSPIKES is 0");
    aia_header_set_long(img->header, "NSPIKES", 5, NULL); /* another frame's file */
    CHECK_FAILS(aia_respike(aia_image_view(img), (img)->header, spikes, &n), AIA_ERR_BAD_DATA, "not this frame's spikes file");
    CHECK_FAILS(aia_respike(aia_image_view(img), (img)->header, test_path("none.spikes.fits"), &n), AIA_ERR_IO, "none.spikes.fits");
    const int32_t bad[1] = {-5};
    write_spikes(spikes, bad, bad, 1);
    aia_header_set_long(img->header, "NSPIKES", 1, NULL);
    CHECK_FAILS(aia_respike(aia_image_view(img), (img)->header, spikes, &n), AIA_ERR_BAD_DATA, "outside the frame");
    test_respike_cutout(img, spikes);
    aia_image_free(img);
    aia_image *cut = test_synth(171, 256, 0.0, 1);
    aia_header_set_long(cut->header, "NSPIKES", 1, NULL);
    CHECK_FAILS(aia_respike(aia_image_view(cut), (cut)->header, spikes, &n), AIA_ERR_UNSUPPORTED, "cutout");
    aia_image_free(cut);
}

/* Spikes files get the checks images get: not FITS (a 48-byte zip asked
 * for a 4 GB allocation), a directory, a gzip whose header declares more
 * spikes than a frame has pixels (a 4 MB gzip inflated to 1 GB), values
 * that are not integers. */
static void test_respike_hostile(void)
{
    aia_image *img = test_synth(171, 4096, 0.0, 1);
    if (!img)
        return;
    aia_header_set_long(img->header, "NSPIKES", 1, NULL);
    long n = 0;
    const char *zip = test_path("zip.spikes.fits");
    FILE *f = fopen(zip, "wb");
    unsigned char pk[48] = {'P', 'K', 3, 4};
    memset(pk + 4, 0xff, 44);
    fwrite(pk, 1, sizeof pk, f);
    fclose(f);
    CHECK_FAILS(aia_respike(aia_image_view(img), img->header, zip, &n), AIA_ERR_NOT_FITS, "zip.spikes.fits: a zip file");
    CHECK_FAILS(aia_respike(aia_image_view(img), img->header, test_tmpdir(), &n), AIA_ERR_NOT_REGULAR, "is a directory");
    /* 2 x 2^27 int32 declared (1 GiB), the data zeros in a gzip */
    const char *bomb = test_path("bomb.spikes.fits.gz");
    char header[2880];
    memset(header, ' ', sizeof header);
    const char *cards[] = {"SIMPLE  =                    T", "BITPIX  =                   32",
                           "NAXIS   =                    2", "NAXIS1  =            134217728",
                           "NAXIS2  =                    2", "END"};
    for (int i = 0; i < 6; i++)
        memcpy(header + 80 * i, cards[i], strlen(cards[i]));
    gzFile gz = gzopen(bomb, "wb1");
    gzwrite(gz, header, sizeof header);
    char *zeros = calloc(1, 1 << 20);
    for (int i = 0; zeros && i < 64; i++)
        gzwrite(gz, zeros, 1 << 20);
    free(zeros);
    gzclose(gz);
    CHECK_FAILS(aia_respike(aia_image_view(img), img->header, bomb, &n), AIA_ERR_BAD_DATA,
                "bomb.spikes.fits.gz: not a spikes file: larger than");
    const int32_t idx[1] = {5};
    write_spikes(test_path("float.spikes.fits"), idx, idx, 1);
    fitsfile *ff = NULL; /* the same as float32 with a fraction */
    int st = 0;
    const char *fl = test_path("fraction.spikes.fits");
    remove(fl);
    fits_create_diskfile(&ff, fl, &st);
    long dims[2] = {1, 2};
    fits_create_img(ff, FLOAT_IMG, 2, dims, &st);
    const float v[2] = {5.0f, 2.5f};
    fits_write_img(ff, TFLOAT, 1, 2, (void *)v, &st);
    fits_close_file(ff, &st);
    CHECK_FAILS(aia_respike(aia_image_view(img), img->header, fl, &n), AIA_ERR_BAD_DATA, "not an integer");
    aia_image_free(img);
}

/* The uncertainty as a second HDU: written and read back with cfitsio. */
static void test_extra_hdu(void)
{
    aia_image *img = test_synth(171, 128, 0.0, 2), *err = NULL;
    aia_image_create(128, 128, AIA_PIX_F32, &err);
    aia_header_free(err->header);
    aia_header_copy(img->header, &err->header);
    aia_header_set_string(err->header, "EXTNAME", "UNCERTAINTY", NULL);
    for (long i = 0; i < 128 * 128; i++)
        ((float *)err->data)[i] = 3.5f + (float)(i % 7);
    for (int compressed = 0; compressed < 2; compressed++) {
        aia_write_options o;
        aia_write_options_default(&o);
        o.compression = compressed ? AIA_COMP_AUTO : AIA_COMP_NONE;
        o.type = compressed ? AIA_OUT_AUTO : AIA_OUT_FLOAT32;
        o.extra = err;
        const char *path = test_path(compressed ? "with_err_rice.fits" : "with_err.fits");
        CHECK_OK(aia_image_write(img, path, &o, NULL));
        fitsfile *f;
        int st = 0, nhdu = 0;
        fits_open_diskfile(&f, path, READONLY, &st);
        fits_get_num_hdus(f, &nhdu, &st);
        CHECK_MSG(nhdu == (compressed ? 3 : 2), "%d HDUs", nhdu);
        fits_movnam_hdu(f, IMAGE_HDU, "UNCERTAINTY", 0, &st);
        float back[128];
        float nul = NAN;
        int any;
        fits_read_img(f, TFLOAT, 1, 128, &nul, back, &any, &st);
        CHECK_MSG(st == 0, "cfitsio status %d", st);
        double worst = 0;
        for (int i = 0; i < 128; i++)
            worst = fmax(worst, fabs(back[i] - ((float *)err->data)[i]));
        /* quantised: steps of cfitsio's noise estimate / 16 (this pattern
         * jumps by 1 between neighbours, so ~0.1) */
        CHECK_MSG(worst <= (compressed ? 0.1 : 0.0), "uncertainty HDU off by %g", worst);
        fits_close_file(f, &st);
        aia_image *first = NULL; /* the image still reads first */
        CHECK_OK(aia_image_read(path, AIA_PIX_F32, &first));
        CHECK(first && ((float *)first->data)[100] == ((float *)img->data)[100]);
        aia_image_free(first);
    }
    aia_image_free(err);
    aia_image_free(img);
}

int main(void)
{
    const char *shared = test_shared_dir();
    test_times();
    test_pointing();
    test_degradation(shared);
    test_uncertainty(shared);
    test_respike();
    test_respike_hostile();
    test_extra_hdu();
    return test_done("test_calibration");
}
