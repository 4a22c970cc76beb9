/* exposure.c — sunpy/aiapy's exposure normalisation: DN -> DN/s. */
#include "core/core.h"

#include <string.h>

int aia_normalize_exposure(aia_image *img, const char *path)
{
    const char *file = path ? path : "(image)";
    aia_meta m;
    aia_meta_parse(img->header, &m);
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_EXPTIME), file);
    if (st)
        return st;
    if (!(m.exptime > 0.0))
        return aia_fail(AIA_ERR_BAD_DATA, "%s: EXPTIME is %g s: cannot normalise by the exposure", file,
                        m.exptime);
    char unit[72];
    if (aia_header_get_string(img->header, "BUNIT", unit, sizeof unit) == AIA_OK && strstr(unit, "/"))
        return aia_fail(AIA_ERR_BAD_DATA, "%s: already per unit time (BUNIT '%s')", file, unit);
    aia_clear_error();
    aia_image_scale(img, 1.0 / m.exptime); /* sunpy: data * (1 / EXPTIME) */
    return aia_header_set_string(img->header, "BUNIT", "DN / s", "exposure-normalised");
}
