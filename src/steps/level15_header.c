/* level15_header.c — what IDL's aia_fix_header adds to a registered
 * header besides the WCS: the field centre XCEN/YCEN; and what downstream
 * readers need: a BUNIT they parse (sunpy 4.1 reads 'DN/s' but not
 * 'DN / s'), no second unit key, and the level-1 pointing keys labelled as
 * such. */
#include "steps/level15_header.h"

#include <string.h>

const char aia_level1_pointing_comment[] = "X0_MP Y0_MP IMSCL_MP INST_ROT SAT_ROT: level-1 pointing, as JSOC/IDL";

/* IDL's comp_fits_cen: the world coordinate of the array centre along one
 * axis, without the rotation (none is left at level 1.5). */
static int set_centre(aia_header *hdr, int axis)
{
    char crpix[16], cdelt[16], naxis[16], crval[16];
    snprintf(crpix, sizeof crpix, "CRPIX%d", axis);
    snprintf(cdelt, sizeof cdelt, "CDELT%d", axis);
    snprintf(naxis, sizeof naxis, "NAXIS%d", axis);
    snprintf(crval, sizeof crval, "CRVAL%d", axis);
    double p, d, v = 0;
    long long n;
    int st = aia_header_get_double(hdr, crpix, &p);
    st = st ? st : aia_header_get_double(hdr, cdelt, &d);
    st = st ? st : aia_header_get_long(hdr, naxis, &n);
    if (st)
        return st;
    if (aia_header_get_double(hdr, crval, &v) != AIA_OK)
        v = 0; /* absent: 0, as FITS says */
    aia_clear_error();
    const double centre = v + d * ((double)(n + 1) / 2.0 - p);
    return aia_header_set_double(hdr, axis == 1 ? "XCEN" : "YCEN", centre,
                                 axis == 1 ? "[arcsec] X of the image centre" : "[arcsec] Y of the image centre");
}

static int has_comment(const aia_header *hdr, const char *text)
{
    for (size_t i = 0; i < aia_header_count(hdr); i++) {
        const char *card = aia_header_card(hdr, i);
        if (strncmp(card, "COMMENT ", 8) == 0 && strncmp(card + 8, text, strlen(text)) == 0)
            return 1;
    }
    return 0;
}

int aia_level15_header(aia_header *hdr)
{
    int st = set_centre(hdr, 1);
    st = st ? st : set_centre(hdr, 2);
    if (st)
        return st;
    char unit[72] = "";
    if (aia_header_get_string(hdr, "BUNIT", unit, sizeof unit) != AIA_OK || !unit[0])
        strcpy(unit, "DN");
    else if (strcmp(unit, "DN / s") == 0)
        strcpy(unit, "DN/s");
    aia_clear_error();
    st = aia_header_set_string(hdr, "BUNIT", unit, NULL);
    if (st)
        return st;
    aia_header_delete(hdr, "PIXLUNIT");
    static const char *const mp[] = {"X0_MP", "Y0_MP", "IMSCL_MP", "INST_ROT", "SAT_ROT"};
    int any = 0;
    for (size_t i = 0; i < sizeof mp / sizeof mp[0]; i++)
        any |= aia_header_find(hdr, mp[i]) >= 0;
    if (any && !has_comment(hdr, aia_level1_pointing_comment)) {
        char card[81];
        snprintf(card, sizeof card, "COMMENT %s", aia_level1_pointing_comment);
        st = aia_header_append_card(hdr, card);
    }
    return st;
}
