/* exposure.c — sunpy/aiapy's exposure normalisation: DN -> DN/s. */
#include "core/core.h"

#include <string.h>

/* AIA's exposures are at most a few seconds (dark and calibration frames
 * tens); anything past this is a damaged header, and dividing by it would
 * quietly give an all-zero image. */
#define MAX_EXPTIME 1000.0

int aia_normalize_exposure(aia_view pixels, aia_header *hdr)
{
    aia_meta m;
    aia_meta_parse(hdr, &m);
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_EXPTIME));
    st = st ? st : aia_view_check(pixels, "exposure normalisation");
    if (st)
        return st;
    if (!(m.exptime > 0.0))
        return aia_fail(AIA_ERR_BAD_DATA, "EXPTIME is %g s: cannot normalise by the exposure", m.exptime);
    if (m.exptime > MAX_EXPTIME)
        return aia_fail(AIA_ERR_BAD_DATA, "EXPTIME = %g s is not a possible AIA exposure (at most %g s): the "
                                          "header is damaged",
                        m.exptime, MAX_EXPTIME);
    char unit[72];
    if (aia_header_get_string(hdr, "BUNIT", unit, sizeof unit) == AIA_OK && strstr(unit, "/"))
        return aia_fail(AIA_ERR_BAD_DATA, "already per unit time (BUNIT '%s')", unit);
    aia_clear_error();
    aia_view_scale(pixels, 1.0 / m.exptime); /* sunpy: data * (1 / EXPTIME) */
    return aia_header_set_string(hdr, "BUNIT", "DN / s", "exposure-normalised");
}
