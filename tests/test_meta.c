/* test_meta.c — typed AIA keys, required-key errors, rotation precedence. */
#include "testutil.h"

#include <math.h>
#include <string.h>

static aia_header *base(void)
{
    aia_header *h = aia_header_new();
    aia_header_set_long(h, "WAVELNTH", 171, NULL);
    aia_header_set_double(h, "CRPIX1", 2056.879883, NULL);
    aia_header_set_double(h, "CRPIX2", 2045.51001, NULL);
    aia_header_set_double(h, "CDELT1", 0.599489, NULL);
    aia_header_set_double(h, "CDELT2", 0.599489, NULL);
    aia_header_set_double(h, "CROTA2", 0.019314, NULL);
    aia_header_set_string(h, "T_OBS", "2014-01-01T00:00:12.34Z", NULL);
    aia_header_set_double(h, "EXPTIME", 1.999597, NULL);
    aia_header_set_long(h, "QUALITY", 0, NULL);
    aia_header_append_card(h, "OSCNMEAN=");
    return h;
}

static void test_parse(void)
{
    aia_header *h = base();
    aia_meta m;
    CHECK_OK(aia_meta_parse(h, &m));
    CHECK(m.wavelnth == 171.0);
    CHECK(m.crpix1 == 2056.879883 && m.crpix2 == 2045.51001);
    CHECK(m.state[AIA_KEY_CROTA2] == AIA_KEYSTATE_OK);
    CHECK(strcmp(m.t_obs, "2014-01-01T00:00:12.34Z") == 0);
    CHECK(m.state[AIA_KEY_RSUN_OBS] == AIA_KEYSTATE_MISSING);
    CHECK(m.state[AIA_KEY_CRVAL1] == AIA_KEYSTATE_MISSING && m.crval1 == 0.0);
    CHECK_OK(aia_meta_require(&m, AIA_KEYS_BASIC));
    /* a key only some steps need is an error only when asked for */
    CHECK_FAILS(aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_RSUN_OBS)), AIA_ERR_KEY_MISSING,
                "required header key RSUN_OBS is missing");
    aia_header_delete(h, "CRPIX1");
    CHECK_OK(aia_meta_parse(h, &m));
    CHECK_FAILS(aia_meta_require(&m, AIA_KEYS_BASIC), AIA_ERR_KEY_MISSING,
                "required header key CRPIX1 is missing");
    aia_header_append_card(h, "CRPIX1  = 'nan     '");
    aia_header_set_double(h, "CDELT1", 0.0, NULL);
    CHECK_OK(aia_meta_parse(h, &m));
    CHECK(m.state[AIA_KEY_CRPIX1] == AIA_KEYSTATE_MALFORMED);
    CHECK(m.state[AIA_KEY_CDELT1] == AIA_KEYSTATE_MALFORMED); /* zero plate scale */
    CHECK_FAILS(aia_meta_require(&m, AIA_KEYS_BASIC), AIA_ERR_KEY_MALFORMED,
                "header key CRPIX1 is malformed");
    aia_header_free(h);
}

static void test_rotation(void)
{
    aia_header *h = base();
    aia_meta m;
    double r[2][2];
    /* CROTA2 only */
    aia_meta_parse(h, &m);
    aia_meta_rotation_matrix(&m, r);
    double rho = 0.019314 * (M_PI / 180.0); /* numpy's deg2rad */
    CHECK(r[0][0] == cos(rho) && r[0][1] == -sin(rho) && r[1][0] == sin(rho) && r[1][1] == cos(rho));
    /* CD wins over CROTA2, divided row-wise by CDELT */
    aia_header_set_double(h, "CD1_1", 0.3, NULL);
    aia_header_set_double(h, "CD2_2", 0.6, NULL);
    aia_header_set_double(h, "CDELT2", 0.3, NULL);
    aia_meta_parse(h, &m);
    aia_meta_rotation_matrix(&m, r);
    CHECK(r[0][0] == 0.3 / 0.599489 && r[0][1] == 0.0 && r[1][0] == 0.0 && r[1][1] == 0.6 / 0.3);
    /* PC wins over both; absent PC cards take the identity defaults */
    aia_header_set_double(h, "PC1_2", 0.25, NULL);
    aia_meta_parse(h, &m);
    aia_meta_rotation_matrix(&m, r);
    CHECK(r[0][0] == 1.0 && r[0][1] == 0.25 && r[1][0] == 0.0 && r[1][1] == 1.0);
    /* lambda = CDELT2/CDELT1 enters the CROTA2 matrix */
    aia_header_delete(h, "PC1_2");
    aia_header_delete(h, "CD1_1");
    aia_header_delete(h, "CD2_2");
    aia_header_set_double(h, "CROTA2", 90.0, NULL);
    aia_meta_parse(h, &m);
    aia_meta_rotation_matrix(&m, r);
    double lam = 0.3 / 0.599489;
    CHECK(fabs(r[0][1] + lam) < 1e-15 && fabs(r[1][0] - 1.0 / lam) < 1e-15);
    aia_header_free(h);
}

int main(void)
{
    test_parse();
    test_rotation();
    CHECK(strcmp(aia_key_name(AIA_KEY_DATE_OBS), "DATE-OBS") == 0);
    return test_done("test_meta");
}
