/* fuzz_time.c — the time parser on any text: a time it accepts has real
 * fields (it prints back as the same instant), anything else is refused
 * with a message; never a read past the string. */
#include "fuzz.h"

#include "aiaprep.h"
#include "core/time.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 200)
        return 0;
    char text[201];
    memcpy(text, data, size);
    text[size] = '\0';
    aia_time t;
    if (aia_time_parse(text, &t) != AIA_OK) {
        FUZZ_REQUIRE(aia_last_error()[0]);
        return 0;
    }
    /* printed as UTC and parsed again: the same instant (an instant inside
     * a leap second prints as 23:59:60.x) */
    char back[64];
    aia_time_format_utc(&t, back, sizeof back);
    aia_time u;
    FUZZ_REQUIRE(aia_time_parse(back, &u) == AIA_OK);
    const double d = aia_time_days_between(&t, &u) * 86400.0;
    FUZZ_REQUIRE(d > -1e-6 && d < 1e-6);
    return 0;
}
