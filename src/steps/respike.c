/* respike.c — aiapy's respike: put back the pixels that JSOC's cosmic-ray
 * removal replaced, from the frame's `spikes` file (a 2 x N int32 array:
 * flat indices into the 4096 x 4096 frame, then the original values).
 * The result is level 0.5, as aiapy marks it. */
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FRAME 4096

/* The spikes file, read as any image is (aia_image_read_with: a regular
 * file, FITS, every header and tile checked, gzip bounded), and no larger
 * than a frame can have spikes: a 2 x N array of integers, N <= 4096². */
static int read_spikes(const char *spikes, long *n, int32_t **data)
{
    *data = NULL;
    aia_read_options ro;
    aia_read_options_default(&ro);
    ro.max_pixels = 2LL * FRAME * FRAME;
    aia_image *img = NULL;
    int st = aia_image_read_with(spikes, AIA_PIX_F64, &ro, &img);
    if (st == AIA_ERR_UNSUPPORTED && strstr(aia_last_error(), "more than"))
        return aia_fail(AIA_ERR_BAD_DATA, "%s: not a spikes file: larger than a 4096 x 4096 frame's spikes "
                                          "can be (%s)",
                        spikes, aia_last_error());
    if (st)
        return st; /* the reader names the file */
    if (img->height != 2) {
        st = aia_fail(AIA_ERR_BAD_DATA, "%s: not a spikes file: a %ld x %ld image, expected 2 rows (indices, "
                                        "values) of N",
                      spikes, img->width, img->height);
        aia_image_free(img);
        return st;
    }
    *n = img->width;
    *data = malloc(sizeof(int32_t) * (size_t)(2 * img->width));
    const double *v = img->data;
    for (long i = 0; *data && i < 2 * img->width && !st; i++) {
        if (!(v[i] >= -2147483648.0 && v[i] <= 2147483647.0 && v[i] == floor(v[i]))) /* NaN too */
            st = aia_fail(AIA_ERR_BAD_DATA, "%s: not a spikes file: element %ld is %g, not an integer", spikes, i,
                          v[i]);
        else
            (*data)[i] = (int32_t)v[i];
    }
    aia_image_free(img);
    if (!*data)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory for the spikes", spikes);
    if (st) {
        free(*data);
        *data = NULL;
    }
    return st;
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
