/* respike.c — aiapy's respike: put back the pixels that JSOC's cosmic-ray
 * removal replaced, from the frame's `spikes` file (a 2 x N int32 array:
 * flat indices into the 4096 x 4096 frame, then the original values).
 * The result is level 0.5, as aiapy marks it. */
#include "core/core.h"

#include <fitsio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FRAME 4096

static int read_spikes(const char *spikes, long *n, int32_t **data)
{
    fitsfile *f = NULL;
    int st = 0, naxis = 0;
    long dims[2] = {0, 0};
    if (fits_open_diskfile(&f, spikes, READONLY, &st)) {
        fits_clear_errmsg();
        return aia_fail(AIA_ERR_IO, "%s: cannot open the spikes file", spikes);
    }
    fits_get_img_dim(f, &naxis, &st);
    if (!st && naxis == 0)
        fits_movabs_hdu(f, 2, NULL, &st);
    fits_get_img_dim(f, &naxis, &st);
    fits_get_img_size(f, 2, dims, &st);
    if (st || naxis != 2 || dims[1] != 2) {
        int cst = 0;
        fits_close_file(f, &cst);
        fits_clear_errmsg();
        return aia_fail(AIA_ERR_BAD_DATA, "%s: not a spikes file (expected a 2 x N integer array)", spikes);
    }
    *n = dims[0];
    *data = malloc(sizeof(int32_t) * (size_t)(2 * dims[0] + 1));
    if (*data)
        fits_read_img(f, TINT, 1, 2 * dims[0], NULL, *data, NULL, &st);
    int cst = 0;
    fits_close_file(f, &cst);
    fits_clear_errmsg();
    if (!*data || st) {
        free(*data);
        *data = NULL;
        return aia_fail(st ? AIA_ERR_TRUNCATED : AIA_ERR_NOMEM, "%s: cannot read the spikes", spikes);
    }
    return AIA_OK;
}

int aia_respike(aia_view pixels, aia_header *hdr, const char *spikes, long *count)
{
    aia_meta m;
    aia_meta_parse(hdr, &m);
    long long nspikes = -1;
    if (aia_header_get_long(hdr, "NSPIKES", &nspikes) != AIA_OK)
        nspikes = -1;
    aia_clear_error();
    int st = aia_view_check(pixels, "respike");
    if (st)
        return st;
    if (m.state[AIA_KEY_LVL_NUM] != AIA_KEYSTATE_OK || m.lvl_num != 1.0)
        return aia_fail(AIA_ERR_BAD_DATA, "respike needs level-1 data (LVL_NUM 1.0)");
    if (nspikes == 0)
        return aia_fail(AIA_ERR_BAD_DATA, "NSPIKES is 0: no pixels were removed, nothing to put back");
    if (pixels.width != FRAME || pixels.height != FRAME)
        return aia_fail(AIA_ERR_UNSUPPORTED, "respike works on full %d x %d level-1 frames, not on a %ld x %ld "
                                             "cutout",
                        FRAME, FRAME, pixels.width, pixels.height);
    long n = 0;
    int32_t *d = NULL;
    st = read_spikes(spikes, &n, &d);
    if (st)
        return st;
    if (nspikes > 0 && nspikes != n)
        st = aia_fail(AIA_ERR_BAD_DATA, "%s has %ld spikes but the header says NSPIKES = %lld: not this frame's "
                                        "spikes file",
                      spikes, n, nspikes);
    for (long i = 0; !st && i < n; i++)
        if (d[i] < 0 || (long)d[i] >= (long)FRAME * FRAME)
            st = aia_fail(AIA_ERR_BAD_DATA, "%s: spike %ld has index %d, outside the frame", spikes, i, d[i]);
    if (!st) {
        for (long i = 0; i < n; i++)
            aia_pixel_set(aia_view_row(pixels, d[i] / FRAME), pixels.type, (size_t)(d[i] % FRAME), d[n + i]);
        char card[81];
        snprintf(card, sizeof card, "COMMENT Respike applied; %ld hot pixels reinserted.", n);
        st = aia_header_set_double(hdr, "LVL_NUM", 0.5, NULL);
        st = st ? st : aia_header_set_long(hdr, "NSPIKES", 0, NULL);
        st = st ? st : aia_header_append_card(hdr, card);
    }
    free(d);
    if (!st && count)
        *count = n;
    return st;
}
