/* fuzz_tables.c — the calibration table readers (master pointing, response
 * for degradation, error table for the uncertainty) on any text as a file:
 * each is read or refused with a message naming the file; a table that
 * reads answers a lookup without reading out of bounds. */
#include "fuzz.h"

#include "aiaprep.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".txt");
    aia_pointing_table *p = NULL;
    if (aia_pointing_table_read(path, &p) == AIA_OK) {
        FUZZ_REQUIRE(p);
        aia_pointing_table_free(p);
    } else {
        FUZZ_REQUIRE(strstr(aia_last_error(), path));
    }
    aia_response_table *r = NULL;
    if (aia_response_table_read(path, &r) == AIA_OK) {
        double d = 0;
        (void)aia_degradation(r, 171, "2014-01-01T00:00:00", 10, &d);
        aia_response_table_free(r);
    } else {
        FUZZ_REQUIRE(strstr(aia_last_error(), path));
    }
    aia_uncertainty_table *u = NULL;
    if (aia_uncertainty_table_read(path, &u) == AIA_OK)
        aia_uncertainty_table_free(u);
    else
        FUZZ_REQUIRE(strstr(aia_last_error(), path));
    return 0;
}
