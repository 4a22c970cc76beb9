/* float_key.h — a float's bits as an unsigned key that sorts as the
 * floats do (NaN excluded), and back: the radix selections of the median
 * (select.c) and of the output statistics (io/pixel_stats.c). Internal. */
#ifndef AIAPREP_CORE_FLOAT_KEY_H
#define AIAPREP_CORE_FLOAT_KEY_H

#include <stdint.h>
#include <string.h>

static inline uint32_t aia_float_key(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : u ^ 0x80000000u;
}

static inline float aia_float_of_key(uint32_t k)
{
    uint32_t u = (k & 0x80000000u) ? k ^ 0x80000000u : ~k;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#endif
