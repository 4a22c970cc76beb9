/* fuzz_spikes.c — respike with any bytes as the spikes file: the file is
 * read as images are (checked before cfitsio), its indices checked against
 * the frame; it is applied or refused with a message naming the file,
 * never an allocation larger than a frame's spikes or a write outside the
 * frame. The frame (4096 x 4096, level 1) is made once. */
#include "fuzz.h"

#include "aiaprep.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static aia_image *frame;
    if (!frame) {
        FUZZ_REQUIRE(aia_image_create(4096, 4096, AIA_PIX_F32, &frame) == AIA_OK);
        aia_header_set_double(frame->header, "LVL_NUM", 1.0, NULL);
    }
    const char *path = fuzz_file(data, size, ".spikes.fits");
    aia_header *h = NULL;
    FUZZ_REQUIRE(aia_header_copy(frame->header, &h) == AIA_OK);
    long n = -1;
    const int st = aia_respike(aia_image_view(frame), h, path, &n);
    if (st == AIA_OK)
        FUZZ_REQUIRE(n >= 0 && n <= 4096L * 4096);
    else
        FUZZ_REQUIRE(strstr(aia_last_error(), path) || strstr(aia_last_error(), "spikes"));
    aia_header_free(h);
    return 0;
}
