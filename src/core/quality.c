/* quality.c — the QUALITY word of AIA level-1 headers, bit by bit, after
 * the SDO User Guide's table (§7.7.6, Table 2; aiapy's check_quality_flag
 * gives the same messages), and which flags apply to a frame. */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

typedef struct quality_bit {
    const char *name;    /* short, for counts in a summary */
    const char *message; /* the User Guide's meaning        */
} quality_bit;

static const quality_bit bits[32] = {
    [0] = {"no flatfield", "Flatfield data are not available"},
    [1] = {"no orbit data", "Orbit data are not available"},
    [2] = {"no ancillary data", "Ancillary science data are not available"},
    [3] = {"no master pointing", "Master pointing data are not available"},
    [4] = {"no limb fit", "Limb-fit data are not available (generally not applicable to AIA images)"},
    [8] = {"missing pixels", "Value of MISSVALS keyword is nonzero"},
    [9] = {"missing > 1%", "Value of MISSVALS keyword is more than 1% of the value of the TOTVALS keyword"},
    [10] = {"missing > 5%", "Value of MISSVALS keyword is more than 5% of the value of the TOTVALS keyword"},
    [11] = {"missing > 25%", "Value of MISSVALS keyword is more than 25% of the value of the TOTVALS keyword"},
    [12] = {"not science pointing", "Spacecraft is not in science pointing mode (coincides with ACS_MODE "
                                    "keyword set to a value other than SCIENCE)"},
    [13] = {"eclipse", "Spacecraft eclipse flag is set (coincides with ACS_ECLP keyword set to YES)"},
    [14] = {"sun presence off", "Spacecraft sun presence flag is not set (coincides with ACS_SUNP keyword set "
                                "to NO)"},
    [15] = {"safe mode", "Spacecraft safe mode flag is set (coincides with ACS_SAFE keyword set to YES)"},
    [16] = {"dark", "Dark image flag is set (coincides with IMG_TYPE keyword set to DARK)"},
    [17] = {"ISS loop open", "Image Stabilization System (ISS) loop is open (coincides with AISTATE keyword "
                             "set to OPEN)"},
    [18] = {"calibration", "Calibration image"},
    [20] = {"focus out of range", "Focus is out of range"},
    [21] = {"register flag", "Register flag is set"},
    [30] = {"quicklook", "Quicklook image"},
    [31] = {"not available", "Image is not available"},
};

const char *aia_quality_message(int bit)
{
    if (bit < 0 || bit > 31)
        return "(no such bit)";
    return bits[bit].message ? bits[bit].message : "(empty)";
}

const char *aia_quality_name(int bit)
{
    static const char *const unnamed[32] = {
        "bit 0",  "bit 1",  "bit 2",  "bit 3",  "bit 4",  "bit 5",  "bit 6",  "bit 7",
        "bit 8",  "bit 9",  "bit 10", "bit 11", "bit 12", "bit 13", "bit 14", "bit 15",
        "bit 16", "bit 17", "bit 18", "bit 19", "bit 20", "bit 21", "bit 22", "bit 23",
        "bit 24", "bit 25", "bit 26", "bit 27", "bit 28", "bit 29", "bit 30", "bit 31"};
    if (bit < 0 || bit > 31)
        return "(no such bit)";
    return bits[bit].name ? bits[bit].name : unnamed[bit];
}

uint32_t aia_quality_flags_that_apply(uint32_t quality, uint32_t mask, long width, long height)
{
    uint32_t flags = quality & mask;
    /* JSOC counts MISSVALS against the full CCD's TOTVALS, so on a cutout
     * bits 8-11 count the pixels outside it, not missing data */
    if (width < 4096 || height < 4096)
        flags &= ~(uint32_t)AIA_QUALITY_MISSVALS;
    return flags;
}

int aia_quality_describe(uint32_t quality, const char *separator, char *buf, size_t size)
{
    if (!buf || size == 0)
        return aia_fail(AIA_ERR_ARG, "aia_quality_describe: no buffer");
    if (!separator)
        separator = "; ";
    buf[0] = '\0';
    if (quality == 0) {
        snprintf(buf, size, "nominal");
        return AIA_OK;
    }
    size_t n = 0;
    for (int b = 0; b < 32; b++) {
        if (!(quality >> b & 1u))
            continue;
        const int w = snprintf(buf + n, size - n, "%s%s", n ? separator : "", aia_quality_message(b));
        if (w < 0 || (size_t)w >= size - n)
            return aia_fail(AIA_ERR_RANGE, "the quality messages do not fit %zu bytes", size);
        n += (size_t)w;
    }
    return AIA_OK;
}
