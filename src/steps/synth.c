/* synth.c — realistic synthetic AIA level-1 frames for tests and demos.
 *
 * The scene is defined on the sky in solar radii (u west, v north) and each
 * pixel is mapped to the sky through the frame's own WCS (CRPIX, CDELT,
 * CROTA2), so the header and the pixels agree: registering a rolled frame
 * must bring it back north-up. Noise comes from a counter-based generator
 * keyed by (seed, pixel index), so a frame does not depend on thread count. */
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define RSUN_REF_M 696000000.0
#define DSUN_OBS_M 147096679538.03 /* 2014-01-01 00:00 UTC, as the sample frames */
#define ARCSEC_PER_RAD 206264.80624709636
#define SAT_ROT_DEG (-0.000013)

typedef struct channel_info {
    int wavelength;
    const char *wave_str;
    int camera;
    double imscl_mp;   /* arcsec/px */
    double inst_rot;   /* deg */
    double exptime;    /* s */
    double brightness; /* quiet-Sun disk-centre DN per exposure */
    double dn_per_photon;
    double read_noise; /* DN */
    int euv;           /* optically thin corona: limb brightening + off-limb emission */
} channel_info;

static const channel_info channels[] = {
    {94, "94_THIN", 4, 0.600109, 0.0034, 2.901, 2.0, 1.975, 1.14, 1},
    {131, "131_THIN", 1, 0.600698, -0.0136, 2.901, 9.0, 1.473, 1.18, 1},
    {171, "171_THIN", 3, 0.599489, 0.019327, 1.999, 300.0, 1.122, 1.15, 1},
    {193, "193_THIN", 2, 0.600758, -0.0289, 1.999, 420.0, 0.962, 1.20, 1},
    {211, "211_THIN", 2, 0.600758, -0.0294, 2.901, 160.0, 0.880, 1.20, 1},
    {304, "304_THIN", 4, 0.600165, -0.0569, 2.901, 60.0, 0.611, 1.14, 1},
    {335, "335_THIN", 1, 0.600737, -0.0264, 2.901, 7.0, 0.576, 1.18, 1},
    {1600, "1600", 3, 0.609373, -0.1343, 2.901, 90.0, 0.120, 1.15, 0},
    {1700, "1700", 3, 0.609373, -0.1343, 1.000, 700.0, 0.113, 1.15, 0},
    {4500, "4500", 3, 0.609373, -0.1343, 1.000, 3000.0, 0.056, 1.15, 0},
};

static const channel_info *find_channel(int wavelength)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (channels[i].wavelength == wavelength)
            return &channels[i];
    return NULL;
}

int aia_synth_defaults(int channel, long size, aia_synth_params *p)
{
    const channel_info *ch = find_channel(channel);
    if (!ch)
        return aia_fail(AIA_ERR_ARG, "no AIA channel %d Å (expected 94, 131, 171, 193, 211, 304, "
                                     "335, 1600, 1700 or 4500)",
                        channel);
    if (size < 16)
        return aia_fail(AIA_ERR_ARG, "frame size %ld is too small (at least 16)", size);
    const double k = 4096.0 / (double)size;
    memset(p, 0, sizeof *p);
    p->channel = channel;
    p->size = size;
    p->roll_deg = ch->inst_rot + SAT_ROT_DEG;
    p->scale_arcsec = ch->imscl_mp * k;
    /* Off the array centre by the amount typical of real frames. */
    p->center_x = (size - 1) / 2.0 + 8.38 / k;
    p->center_y = (size - 1) / 2.0 - 2.99 / k;
    p->seed = 1;
    return AIA_OK;
}

/* ---- the scene ---------------------------------------------------------- */

typedef struct blob {
    double u, v, su, sv, amp; /* centre and widths in solar radii, amplitude */
} blob;

/* Deliberately asymmetric so that orientation errors are visible. */
static const blob active_regions[] = {
    {-0.42, 0.31, 0.07, 0.03, 7.0},  /* NE, elongated east-west */
    {0.28, -0.22, 0.03, 0.06, 4.0},  /* SW, elongated north-south */
    {0.55, 0.12, 0.02, 0.02, 10.0},  /* small bright kernel W */
    {-0.15, -0.55, 0.05, 0.05, 2.5}, /* diffuse S */
};

static double gauss2(const blob *b, double u, double v)
{
    double du = (u - b->u) / b->su, dv = (v - b->v) / b->sv;
    return b->amp * exp(-0.5 * (du * du + dv * dv));
}

/* Intensity in units of the quiet-Sun disk-centre brightness at (u, v). */
static double scene(const channel_info *ch, double u, double v)
{
    const double r2 = u * u + v * v, r = sqrt(r2);
    double base;
    if (ch->euv) {
        const double limb = 0.7 + 0.2 / 0.1; /* the disk law below at mu = 0 */
        if (r < 1.0) {
            double mu = sqrt(1.0 - r2);
            base = 0.7 + 0.2 / sqrt(mu * mu + 0.01);
        } else {
            base = limb * (0.8 * exp(-(r - 1.0) / 0.06) + 0.2 * pow(r, -8.0));
        }
        /* Polar coronal hole in the north. */
        double dv = v - 0.9;
        base *= 1.0 - 0.75 * exp(-(u * u) / 0.09 - (dv * dv) / 0.02);
    } else {
        if (r >= 1.0)
            return 0.002 * exp(-(r - 1.0) / 0.01);
        base = 0.4 + 0.6 * sqrt(1.0 - r2); /* limb darkening */
    }
    /* Fine structure, so interpolation has something to do. */
    double texture = 1.0 + 0.12 * sin(53.0 * u + 1.3) * sin(47.0 * v + 0.4) +
                     0.06 * sin(211.0 * u - 157.0 * v);
    double ar = 0.0;
    for (size_t i = 0; i < sizeof active_regions / sizeof active_regions[0]; i++)
        ar += gauss2(&active_regions[i], u, v);
    double fall = r < 1.0 ? 1.0 : exp(-(r - 1.0) / 0.08); /* loops above the limb */
    return base * texture + ar * fall;
}

/* ---- noise -------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

/* A standard normal deviate from (seed, index), by Box–Muller. */
static double normal(uint64_t seed, uint64_t index)
{
    uint64_t bits = splitmix64(seed * UINT64_C(0xD1B54A32D192ED03) ^ splitmix64(index));
    double u1 = ((double)(bits >> 40) + 0.5) / 16777216.0;
    double u2 = (double)(bits & 0xFFFFFF) / 16777216.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- header ------------------------------------------------------------- */

static int put_header(aia_header *h, const aia_synth_params *p, const channel_info *ch,
                      const aia_stats *stats)
{
    const double rsun_obs = asin(RSUN_REF_M / DSUN_OBS_M) * ARCSEC_PER_RAD;
    const double n = (double)p->size * (double)p->size;
    /* Earth-like observer: heliocentric ecliptic longitude ~100.5° on Jan 1. */
    const double lon = 100.5 * M_PI / 180.0;
    char camera[16], date[32];
    snprintf(camera, sizeof camera, "AIA_%d", ch->camera);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    int st = 0;
#define STR(k, v, c) st = st ? st : aia_header_set_string(h, k, v, c)
#define NUM(k, v, c) st = st ? st : aia_header_set_double(h, k, v, c)
#define INT(k, v, c) st = st ? st : aia_header_set_long(h, k, v, c)
    STR("ORIGIN", "SDO/JSOC-SDP", NULL);
    STR("DATE", date, "file creation date (UTC)");
    STR("TELESCOP", "SDO/AIA", NULL);
    STR("INSTRUME", camera, NULL);
    STR("DATE-OBS", "2014-01-01T00:00:11.34", "start of exposure (UTC)");
    STR("T_OBS", "2014-01-01T00:00:12.34Z", "mid-exposure time (UTC)");
    STR("T_REC", "2014-01-01T00:00:12Z", NULL);
    INT("CAMERA", ch->camera, NULL);
    STR("IMG_TYPE", "LIGHT", NULL);
    NUM("EXPTIME", ch->exptime, "[s] exposure time");
    INT("WAVELNTH", ch->wavelength, "[angstrom] channel");
    STR("WAVEUNIT", "angstrom", NULL);
    STR("WAVE_STR", ch->wave_str, NULL);
    INT("FSN", 80982796, NULL);
    NUM("LVL_NUM", 1.0, "data level");
    INT("QUALITY", 0, NULL);
    INT("TOTVALS", (long long)n, NULL);
    INT("DATAVALS", stats->finite, NULL);
    INT("MISSVALS", stats->nan, NULL);
    NUM("DATAMIN", stats->min, NULL);
    NUM("DATAMAX", stats->max, NULL);
    NUM("DATAMEAN", stats->mean, NULL);
    STR("CTYPE1", "HPLN-TAN", NULL);
    STR("CUNIT1", "arcsec", NULL);
    NUM("CRVAL1", 0.0, NULL);
    NUM("CDELT1", p->scale_arcsec, "[arcsec/pixel]");
    NUM("CRPIX1", p->center_x + 1.0, "Sun centre, 1-based");
    STR("CTYPE2", "HPLT-TAN", NULL);
    STR("CUNIT2", "arcsec", NULL);
    NUM("CRVAL2", 0.0, NULL);
    NUM("CDELT2", p->scale_arcsec, "[arcsec/pixel]");
    NUM("CRPIX2", p->center_y + 1.0, "Sun centre, 1-based");
    NUM("CROTA2", p->roll_deg, "[deg] INST_ROT + SAT_ROT");
    NUM("R_SUN", rsun_obs / p->scale_arcsec, "[pixel] solar radius");
    STR("MPO_REC", "synthetic", NULL);
    NUM("INST_ROT", p->roll_deg - SAT_ROT_DEG, "[deg]");
    NUM("IMSCL_MP", p->scale_arcsec, "[arcsec/pixel]");
    NUM("X0_MP", p->center_x, "[pixel] Sun centre, 0-based");
    NUM("Y0_MP", p->center_y, "[pixel] Sun centre, 0-based");
    NUM("SAT_ROT", SAT_ROT_DEG, "[deg]");
    STR("ACS_MODE", "SCIENCE", NULL);
    NUM("DSUN_REF", 149597870691.0, "[m]");
    NUM("DSUN_OBS", DSUN_OBS_M, "[m]");
    NUM("RSUN_REF", RSUN_REF_M, "[m]");
    NUM("RSUN_OBS", rsun_obs, "[arcsec]");
    NUM("HAEX_OBS", DSUN_OBS_M * cos(lon), "[m]");
    NUM("HAEY_OBS", DSUN_OBS_M * sin(lon), "[m]");
    NUM("HAEZ_OBS", 0.0, "[m]");
    NUM("CRLN_OBS", 189.476105, "[deg]");
    NUM("CRLT_OBS", -3.004567, "[deg]");
    INT("NSPIKES", 0, NULL);
#undef STR
#undef NUM
#undef INT
    if (!st) {
        char text[160];
        snprintf(text, sizeof text,
                 "Synthetic level-1 frame made by aiaprep %s synth (channel %d, roll %.6g deg, "
                 "scale %.8g arcsec/px, seed %llu); not a JSOC product.",
                 aia_version(), p->channel, p->roll_deg, p->scale_arcsec,
                 (unsigned long long)p->seed);
        st = aia_header_add_history(h, text);
    }
    return st;
}

/* ---- the frame ---------------------------------------------------------- */

int aia_synth(const aia_synth_params *p, aia_image **out)
{
    *out = NULL;
    aia_clear_error();
    const channel_info *ch = find_channel(p->channel);
    if (!ch)
        return aia_fail(AIA_ERR_ARG, "no AIA channel %d Å", p->channel);
    if (p->size < 16 || p->size > 65536 || !(p->scale_arcsec > 0) || !isfinite(p->roll_deg) ||
        !isfinite(p->center_x) || !isfinite(p->center_y))
        return aia_fail(AIA_ERR_ARG, "synth: invalid size, scale, roll or centre");
    aia_image *img = NULL;
    int st = aia_image_create(p->size, p->size, AIA_PIX_F32, &img);
    if (st)
        return st;

    const double rsun_px = asin(RSUN_REF_M / DSUN_OBS_M) * ARCSEC_PER_RAD / p->scale_arcsec;
    const double rho = p->roll_deg * (M_PI / 180.0), c = cos(rho), s = sin(rho);
    const double i0 = ch->brightness, g = ch->dn_per_photon, rn = ch->read_noise;
    const long n = p->size;
    float *data = img->data;
#pragma omp parallel for schedule(static)
    for (long y = 0; y < n; y++) {
        for (long x = 0; x < n; x++) {
            /* pixel -> sky through the linear WCS (PC from CROTA2) */
            double dx = (double)x - p->center_x, dy = (double)y - p->center_y;
            double u = (c * dx - s * dy) / rsun_px, v = (s * dx + c * dy) / rsun_px;
            double mean = i0 * scene(ch, u, v);
            uint64_t idx = (uint64_t)y * (uint64_t)n + (uint64_t)x;
            double sigma = sqrt(g * mean + rn * rn);
            double dn = nearbyint(mean + sigma * normal(p->seed, idx)) + 0.0; /* no -0 */
            data[idx] = (float)fmin(fmax(dn, -32767.0), 16383.0); /* 14-bit camera */
        }
    }
    aia_stats stats;
    aia_image_stats(img, &stats);
    st = put_header(img->header, p, ch, &stats);
    if (st) {
        aia_image_free(img);
        return st;
    }
    *out = img;
    return AIA_OK;
}
