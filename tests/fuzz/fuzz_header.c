/* fuzz_header.c — header cards and the typed getters on any text: the
 * input cut into 80-character cards; every getter on every card's keyword
 * (and the setters) must stay inside its buffers (a card whose '=' stands
 * before column 9 once made cfitsio's value splitter write past ours) and
 * answer with a known status; what reads as a number reads the same when
 * set and read again. */
#include "fuzz.h"

#include "aiaprep.h"

#include <math.h>
#include <string.h>

static int known(int st)
{
    return st == AIA_OK || st == AIA_ERR_KEY_MISSING || st == AIA_ERR_KEY_MALFORMED || st == AIA_ERR_ARG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 80 * 64)
        return 0;
    aia_header *h = aia_header_new();
    FUZZ_REQUIRE(h);
    for (size_t at = 0; at < size; at += 80) {
        char card[81];
        const size_t n = size - at < 80 ? size - at : 80;
        memcpy(card, data + at, n);
        card[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (!card[i])
                card[i] = ' ';
        FUZZ_REQUIRE(aia_header_append_card(h, card) == AIA_OK);
    }
    aia_header *copy = NULL;
    FUZZ_REQUIRE(aia_header_copy(h, &copy) == AIA_OK);
    for (size_t i = 0; aia_header_card(h, i); i++) {
        char kw[9];
        memcpy(kw, aia_header_card(h, i), 8);
        kw[8] = '\0';
        for (int k = 7; k >= 0 && kw[k] == ' '; k--)
            kw[k] = '\0';
        char s[80];
        double d;
        long long l;
        FUZZ_REQUIRE(known(aia_header_get_string(h, kw, s, sizeof s)));
        FUZZ_REQUIRE(known(aia_header_get_long(h, kw, &l)));
        if (aia_header_get_double(h, kw, &d) == AIA_OK && aia_header_set_double(copy, kw, d, NULL) == AIA_OK) {
            double back = NAN;
            FUZZ_REQUIRE(aia_header_get_double(copy, kw, &back) == AIA_OK && back == d);
        }
        FUZZ_REQUIRE(known(aia_header_set_string(copy, kw, s, "fuzz")));
        FUZZ_REQUIRE(aia_header_delete(copy, kw) >= 0); /* how many it removed */
    }
    aia_meta m;
    aia_meta_parse(h, &m);
    aia_header_free(copy);
    aia_header_free(h);
    return 0;
}
