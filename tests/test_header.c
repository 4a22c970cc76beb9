/* test_header.c — cards kept verbatim; tolerant typed getters; setters. */
#include "testutil.h"

#include <math.h>
#include <string.h>

static aia_header *make(void)
{
    aia_header *h = aia_header_new();
    const char *cards[] = {
        "CRPIX1  =          2056.879883 / [pixel]",
        "CDELT1  =             0.599489",
        "EXPNUM  = 1.5D+02",
        "OSCNMEAN=                                                                       ",
        "OSCNRMS = 'nan     '           /",
        "TEMPCCD =                  nan",
        "HGQUERY = 'aia.lev1_nrt2[2012.06.06_04:07:09_UTC-2012.06.06_04:07:55_UTC][? QUA",
        "T_OBS   = '2014-01-01T00:00:12.34Z'",
        "QUOTED  = 'it''s here'         / doubled quote",
        "STRNUM  = '12.5    '",
        "WAVELNTH=                  171",
        "LVL_NUM =                  1.0",
        "HISTORY first line",
        "COMMENT a comment",
    };
    for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++)
        aia_header_append_card(h, cards[i]);
    return h;
}

static void test_getters(void)
{
    aia_header *h = make();
    double d = 0;
    long long l = 0;
    char s[80];
    CHECK_OK(aia_header_get_double(h, "CRPIX1", &d));
    CHECK(d == 2056.879883);
    CHECK_OK(aia_header_get_double(h, "crpix1", &d)); /* keywords are case-insensitive */
    CHECK_OK(aia_header_get_double(h, "EXPNUM", &d));
    CHECK(d == 150.0);
    CHECK_FAILS(aia_header_get_double(h, "OSCNMEAN", &d), AIA_ERR_KEY_MALFORMED, "undefined");
    CHECK_FAILS(aia_header_get_double(h, "OSCNRMS", &d), AIA_ERR_KEY_MALFORMED, "OSCNRMS");
    CHECK_FAILS(aia_header_get_double(h, "TEMPCCD", &d), AIA_ERR_KEY_MALFORMED, "TEMPCCD");
    CHECK_FAILS(aia_header_get_double(h, "NOSUCH", &d), AIA_ERR_KEY_MISSING, "NOSUCH");
    CHECK_FAILS(aia_header_get_double(h, "T_OBS", &d), AIA_ERR_KEY_MALFORMED, "not a number");
    CHECK_OK(aia_header_get_double(h, "STRNUM", &d)); /* IDL writes numbers as strings */
    CHECK(d == 12.5);
    CHECK_OK(aia_header_get_string(h, "HGQUERY", s, sizeof s)); /* unterminated */
    CHECK(strcmp(s, "aia.lev1_nrt2[2012.06.06_04:07:09_UTC-2012.06.06_04:07:55_UTC][? QUA") == 0);
    CHECK_OK(aia_header_get_string(h, "T_OBS", s, sizeof s));
    CHECK(strcmp(s, "2014-01-01T00:00:12.34Z") == 0);
    CHECK_OK(aia_header_get_string(h, "QUOTED", s, sizeof s));
    CHECK(strcmp(s, "it's here") == 0);
    CHECK_OK(aia_header_get_string(h, "OSCNRMS", s, sizeof s));
    CHECK(strcmp(s, "nan") == 0);
    CHECK_FAILS(aia_header_get_string(h, "T_OBS", s, 5), AIA_ERR_KEY_MALFORMED, "longer");
    CHECK_OK(aia_header_get_long(h, "WAVELNTH", &l));
    CHECK(l == 171);
    CHECK_OK(aia_header_get_long(h, "LVL_NUM", &l));
    CHECK(l == 1);
    CHECK_FAILS(aia_header_get_long(h, "CDELT1", &l), AIA_ERR_KEY_MALFORMED, "integer");
    aia_header_free(h);
}

static void test_setters(void)
{
    aia_header *h = make();
    size_t n = aia_header_count(h);
    double d;
    char s[80];
    /* update in place, keeping position and comment */
    CHECK_OK(aia_header_set_double(h, "CRPIX1", 2048.5, NULL));
    CHECK(aia_header_count(h) == n);
    CHECK(aia_header_find(h, "CRPIX1") == 0);
    CHECK(strstr(aia_header_card(h, 0), "/ [pixel]") != NULL);
    CHECK_OK(aia_header_get_double(h, "CRPIX1", &d));
    CHECK(d == 2048.5);
    /* values read back exactly, including awkward doubles */
    const double vals[] = {0.1, 1.0 / 3.0, -5.4e-20, 696000000.0, 0.599489, 1e300, 2.0};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        CHECK_OK(aia_header_set_double(h, "TESTVAL", vals[i], "a test"));
        CHECK_OK(aia_header_get_double(h, "TESTVAL", &d));
        CHECK_MSG(d == vals[i], "%.17g read back as %.17g", vals[i], d);
    }
    CHECK(aia_header_count(h) == n + 1);
    CHECK_FAILS(aia_header_set_double(h, "BAD", NAN, NULL), AIA_ERR_ARG, "BAD");
    CHECK_OK(aia_header_set_string(h, "BUNIT", "DN / s", NULL));
    CHECK_OK(aia_header_get_string(h, "BUNIT", s, sizeof s));
    CHECK(strcmp(s, "DN / s") == 0);
    CHECK_OK(aia_header_set_string(h, "QUOTE2", "O'Brien", NULL));
    CHECK_OK(aia_header_get_string(h, "QUOTE2", s, sizeof s));
    CHECK(strcmp(s, "O'Brien") == 0);
    CHECK_OK(aia_header_set_long(h, "LVL_NUM", 2, NULL));
    /* delete removes every copy */
    aia_header_append_card(h, "DUP     =                    1");
    aia_header_append_card(h, "DUP     =                    2");
    CHECK(aia_header_delete(h, "DUP") == 2);
    CHECK(aia_header_find(h, "DUP") < 0);
    /* long HISTORY text is split over cards, nothing lost */
    char text[200];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    size_t before = aia_header_count(h);
    CHECK_OK(aia_header_add_history(h, text));
    CHECK(aia_header_count(h) == before + 3); /* 199 chars / 72 per card */
    CHECK(strncmp(aia_header_card(h, before), "HISTORY xxxx", 12) == 0);
    /* copy is deep */
    aia_header *c = NULL;
    CHECK_OK(aia_header_copy(h, &c));
    CHECK(aia_header_count(c) == aia_header_count(h));
    aia_header_delete(c, "CRPIX1");
    CHECK(aia_header_find(h, "CRPIX1") == 0);
    aia_header_free(c);
    aia_header_free(h);
}

static void test_card_text(void)
{
    aia_header *h = aia_header_new();
    aia_header_append_card(h, "SHORT   = 1");
    CHECK(strlen(aia_header_card(h, 0)) == 80); /* padded */
    CHECK(aia_header_card(h, 1) == NULL);
    aia_header_free(h);
}

/* Cards whose '=' stands before column 9: cfitsio's value splitter then
 * writes up to 73 bytes of value (more than its FLEN_VALUE); every getter
 * on such a card, with a value filling the card, must stay in bounds (the
 * sanitizer build checks) and answer OK, missing or malformed. */
static void test_early_equals(void)
{
    const char *fills[] = {"'", "1", " ", "/"};
    for (int col = 1; col <= 8; col++)
        for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
            char card[81];
            memset(card, 'x', 80);
            card[80] = '\0';
            memcpy(card, "ABCDEFGH", (size_t)col);
            card[col] = '=';
            memset(card + col + 1, fills[f][0], 79 - (size_t)col);
            aia_header *h = aia_header_new();
            CHECK_OK(aia_header_append_card(h, card));
            char kw[9];
            memcpy(kw, card, 8);
            kw[8] = '\0';
            char s[128];
            double d;
            long long l;
            const int a = aia_header_get_string(h, kw, s, sizeof s);
            const int b = aia_header_get_double(h, kw, &d);
            const int c = aia_header_get_long(h, kw, &l);
            CHECK(a == AIA_OK || a == AIA_ERR_KEY_MALFORMED || a == AIA_ERR_KEY_MISSING);
            CHECK(b == AIA_OK || b == AIA_ERR_KEY_MALFORMED || b == AIA_ERR_KEY_MISSING);
            CHECK(c == AIA_OK || c == AIA_ERR_KEY_MALFORMED || c == AIA_ERR_KEY_MISSING);
            const int e = aia_header_set_double(h, kw, 1.5, NULL); /* '=' in a key: refused */
            CHECK(e == AIA_OK || e == AIA_ERR_ARG);
            aia_header_free(h);
        }
}

int main(void)
{
    test_getters();
    test_setters();
    test_card_text();
    test_early_equals();
    return test_done("test_header");
}
