/* cmd_info.c — `aiaprep info FILE...`: one block per file. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char info_help[] =
    "Usage: aiaprep info [--no-stats] FILE...\n"
    "\n"
    "Describe AIA FITS files, one block per file: image shape, stored type and\n"
    "compression, HDU, data level, channel, observation time, exposure, the\n"
    "pointing keys (CRPIX, CDELT, CROTA2, PC/CD, X0_MP, Y0_MP, IMSCL_MP, INST_ROT,\n"
    "SAT_ROT), the solar radius and distance, and statistics of the pixels.\n"
    "QUALITY is decoded bit by bit (the SDO User Guide's table, aiapy's messages);\n"
    "'*' marks the flags that make a frame unusable for science (prep --quality).\n"
    "\n"
    "A file that cannot be read, or lacks a key every AIA image has (WAVELNTH,\n"
    "CRPIX1/2, CDELT1/2), gets a one-line error on stderr; the other files are\n"
    "still described and the exit status is 1.\n"
    "\n"
    "Options:\n"
    "  --no-stats   skip the pixel statistics (faster on big files)\n"
    "  -h, --help   show this help\n";

/* "value" or "missing"/"malformed", for one numeric key. */
static void put_num(const aia_meta *m, aia_key k, double v, const char *fmt)
{
    if (m->state[k] == AIA_KEYSTATE_OK)
        printf(fmt, v);
    else
        printf("%s", m->state[k] == AIA_KEYSTATE_MISSING ? "missing" : "malformed");
}

static void put_str(const aia_meta *m, aia_key k, const char *v)
{
    if (m->state[k] == AIA_KEYSTATE_OK)
        printf("%s", v);
    else
        printf("%s", m->state[k] == AIA_KEYSTATE_MISSING ? "missing" : "malformed");
}

static const char *stored_type(int bitpix)
{
    switch (bitpix) {
    case 8: return "uint8";
    case 16: return "int16";
    case 32: return "int32";
    case 64: return "int64";
    case -32: return "float32";
    case -64: return "float64";
    default: return "unknown";
    }
}

/* QUALITY decoded bit by bit; '*' marks what prep --quality skip skips. */
static void print_quality(const aia_meta *m, long width, long height)
{
    if (m->state[AIA_KEY_QUALITY] != AIA_KEYSTATE_OK)
        return;
    const uint32_t q = (uint32_t)m->quality;
    printf(" (0x%08x)\n  flags       ", (unsigned)q);
    if (q == 0) {
        printf("nominal");
        return;
    }
    const uint32_t skip = aia_quality_flags_that_apply(q, AIA_QUALITY_UNUSABLE, width, height);
    int first = 1;
    for (int b = 0; b < 32; b++) {
        if (!(q >> b & 1u))
            continue;
        printf("%sbit %2d%s %s", first ? "" : "\n              ", b, skip >> b & 1u ? "*" : ":",
               aia_quality_message(b));
        if ((AIA_QUALITY_MISSVALS >> b & 1u) && (width < 4096 || height < 4096))
            printf(" (on a cutout: the pixels outside it)");
        first = 0;
    }
    if (skip)
        printf("\n              * unusable for science: prep --quality skip skips this frame");
}

static void print_block(const char *path, const aia_image *img, const aia_meta *m, int stats)
{
    const aia_source_info *s = &img->source;
    printf("%s\n", path);
    printf("  image       %ld x %ld, %s (BITPIX %d)", img->width, img->height, stored_type(s->bitpix),
           s->bitpix);
    if (s->bscale != 1.0 || s->bzero != 0.0)
        printf(", BSCALE %.9g BZERO %.9g", s->bscale, s->bzero);
    if (s->has_blank)
        printf(", BLANK %lld", s->blank);
    printf("\n  storage     HDU %d, %s, %lld bytes\n", s->hdu,
           s->compressed ? s->compression : "uncompressed", s->file_bytes);
    printf("  level       ");
    put_num(m, AIA_KEY_LVL_NUM, m->lvl_num, "%.2g");
    printf("    channel ");
    put_num(m, AIA_KEY_WAVELNTH, m->wavelnth, "%.0f A");
    printf("    quality ");
    put_num(m, AIA_KEY_QUALITY, (double)m->quality, "%.0f");
    print_quality(m, img->width, img->height);
    printf("\n  time        T_OBS ");
    put_str(m, AIA_KEY_T_OBS, m->t_obs);
    printf("   DATE-OBS ");
    put_str(m, AIA_KEY_DATE_OBS, m->date_obs);
    printf("\n  exposure    ");
    put_num(m, AIA_KEY_EXPTIME, m->exptime, "%.6g s");
    printf("\n  pointing    CRPIX ");
    put_num(m, AIA_KEY_CRPIX1, m->crpix1, "%.6f");
    printf(", ");
    put_num(m, AIA_KEY_CRPIX2, m->crpix2, "%.6f");
    printf("   CDELT ");
    put_num(m, AIA_KEY_CDELT1, m->cdelt1, "%.6f");
    printf(", ");
    put_num(m, AIA_KEY_CDELT2, m->cdelt2, "%.6f");
    printf(" arcsec/px   CRVAL %.6g, %.6g\n", m->crval1, m->crval2);
    printf("              CROTA2 ");
    put_num(m, AIA_KEY_CROTA2, m->crota2, "%.6f deg");
    if (m->state[AIA_KEY_PC] == AIA_KEYSTATE_OK)
        printf("   PC [[%.9g, %.9g], [%.9g, %.9g]]", m->pc[0][0], m->pc[0][1], m->pc[1][0],
               m->pc[1][1]);
    if (m->state[AIA_KEY_CD] == AIA_KEYSTATE_OK)
        printf("   CD [[%.9g, %.9g], [%.9g, %.9g]]", m->cd[0][0], m->cd[0][1], m->cd[1][0],
               m->cd[1][1]);
    printf("   CTYPE ");
    put_str(m, AIA_KEY_CTYPE1, m->ctype1);
    printf(", ");
    put_str(m, AIA_KEY_CTYPE2, m->ctype2);
    printf("\n              X0_MP ");
    put_num(m, AIA_KEY_X0_MP, m->x0_mp, "%.6f");
    printf("   Y0_MP ");
    put_num(m, AIA_KEY_Y0_MP, m->y0_mp, "%.6f");
    printf("   IMSCL_MP ");
    put_num(m, AIA_KEY_IMSCL_MP, m->imscl_mp, "%.6f");
    printf("   INST_ROT ");
    put_num(m, AIA_KEY_INST_ROT, m->inst_rot, "%.6f");
    printf("   SAT_ROT ");
    put_num(m, AIA_KEY_SAT_ROT, m->sat_rot, "%.6g");
    printf("\n  sun         RSUN_OBS ");
    put_num(m, AIA_KEY_RSUN_OBS, m->rsun_obs, "%.4f arcsec");
    printf("   R_SUN ");
    put_num(m, AIA_KEY_R_SUN, m->r_sun, "%.3f px");
    printf("   DSUN_OBS ");
    put_num(m, AIA_KEY_DSUN_OBS, m->dsun_obs, "%.6e m");
    printf("\n");
    if (stats) {
        aia_stats st;
        aia_image_stats(img, &st);
        const double n = (double)img->width * (double)img->height;
        printf("  data        min %.6g   max %.6g   mean %.6g   median %.6g   stddev %.6g\n",
               st.min, st.max, st.mean, st.median, st.stddev);
        printf("              NaN/BLANK %lld (%.4f%%)\n", st.nan, 100.0 * (double)st.nan / n);
    }
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-stats", no_argument, NULL, 'S'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int stats = 1, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': stats = 0; break;
        case 'h': fputs(info_help, stdout); return EXIT_OK;
        default: return usage_error("info", "invalid option");
        }
    }
    if (optind >= argc)
        return usage_error("info", "no FILE given");
    int failed = 0, first = 1;
    for (int i = optind; i < argc; i++) {
        const char *path = argv[i];
        aia_image *img = NULL;
        aia_meta meta;
        int st = aia_image_read(path, AIA_PIX_F32, &img);
        const int read_ok = !st;
        if (!st) {
            aia_meta_parse(img->header, &meta);
            st = aia_meta_require(&meta, AIA_KEYS_BASIC);
        }
        if (st) {
            report_failure("info", read_ok ? path : NULL);
            failed++;
        } else {
            if (!first)
                printf("\n");
            first = 0;
            print_block(path, img, &meta, stats);
        }
        aia_image_free(img);
    }
    return failed ? EXIT_SOME_FAILED : EXIT_OK;
}
