/* fuzz_fits.c — the FITS image reader (aia_image_read_with, and the
 * header-only reader) on any bytes as a file: never a crash, a hang, a
 * leak or a read outside a buffer (the sanitizers watch), even inside
 * cfitsio; a file either reads, with a sane image, or is refused with a
 * message that names it. Both Rice codecs take turns (the first byte's
 * low bit), checksums on or off (the next bit), the pixel type (the next). */
#include "fuzz.h"

#include "aiaprep.h"
#include "io/io.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, size > 2 && data[0] == 0x1f && data[1] == 0x8b ? ".fits.gz" : ".fits");
    aia_read_options o;
    aia_read_options_default(&o);
    o.verify_checksums = size > 0 && data[size - 1] & 1;
    o.max_pixels = 1 << 22; /* a fuzzer's memory, not a frame's */
    aia_image *img = NULL;
    const aia_pixtype type = size > 0 && data[size - 1] & 2 ? AIA_PIX_F64 : AIA_PIX_F32;
    const int st = aia_image_read_with(path, type, &o, &img);
    if (st == AIA_OK) {
        FUZZ_REQUIRE(img && img->width > 0 && img->height > 0 && img->header);
        FUZZ_REQUIRE((long long)img->width * img->height <= o.max_pixels);
        aia_stats s;
        aia_image_stats(img, &s); /* every pixel is readable */
        if (img->source.range_known) { /* what the reader states is what it placed */
            FUZZ_REQUIRE(img->pixtype == AIA_PIX_F32);
            FUZZ_REQUIRE((s.nan > 0) == (img->source.has_nulls != 0));
            FUZZ_REQUIRE(s.finite == 0 || (s.min == img->source.data_min && s.max == img->source.data_max));
        }
    } else {
        FUZZ_REQUIRE(!img);
        FUZZ_REQUIRE(strstr(aia_last_error(), path) != NULL);
    }
    aia_image_free(img);
    aia_header *hdr = NULL;
    if (aia_header_read(path, &hdr) == AIA_OK)
        FUZZ_REQUIRE(hdr != NULL);
    aia_header_free(hdr);
    return 0;
}
