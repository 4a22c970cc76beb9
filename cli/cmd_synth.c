/* cmd_synth.c — `aiaprep synth -o FILE`: a synthetic full-disk level-1 frame. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char synth_help[] =
    "Usage: aiaprep synth -o FILE [--channel N] [--roll DEG] [--scale ARCSEC]\n"
    "                     [--center X,Y] [--size N] [--seed N] [output options]\n"
    "\n"
    "Write a realistic synthetic full-disk AIA level-1 frame: a limb-brightened disk\n"
    "with active regions and a polar coronal hole, a corona falling off above the limb,\n"
    "photon and read noise, integer DN, and a complete level-1 header with consistent\n"
    "WCS and pointing keys (CRPIX = X0_MP + 1, CDELT = IMSCL_MP, CROTA2 = INST_ROT +\n"
    "SAT_ROT, RSUN_OBS, DSUN_OBS, ...). The scene is drawn on the sky and seen through\n"
    "the frame's WCS, so a rolled frame is really rolled. By default the file has the\n"
    "JSOC layout: int16, BLANK -32768, Rice-compressed one row per tile, in HDU 1.\n"
    "Used by the tests and the demo when no real data are at hand.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE   the file to write (required)\n"
    "  --channel N         94, 131, 171 (default), 193, 211, 304, 335, 1600, 1700, 4500\n"
    "  --roll DEG          CROTA2 in degrees (default: the channel's typical roll)\n"
    "  --scale ARCSEC      plate scale CDELT1 = CDELT2 (default: the channel's, ~0.6)\n"
    "  --center X,Y        Sun centre X0_MP,Y0_MP, 0-based pixels (default: near the\n"
    "                      array centre, offset as in real frames)\n"
    "  --size N            N x N pixels (default 4096; other sizes scale the plate scale\n"
    "                      by 4096/N so the disk still fits)\n"
    "  --seed N            noise seed (default 1); the same seed gives the same frame\n"
    "  -h, --help          show this help\n"
    "\n" OUTPUT_OPTIONS_HELP;

int cmd_synth(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"channel", required_argument, NULL, 'c'},
        {"roll", required_argument, NULL, 'r'},   {"scale", required_argument, NULL, 's'},
        {"center", required_argument, NULL, 'C'}, {"size", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 'S'},   {"dtype", required_argument, NULL, 'd'},
        {"compress", required_argument, NULL, 'z'}, {"overwrite", no_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *output = NULL, *roll = NULL, *scale = NULL, *center = NULL;
    long channel = 171, size = 4096;
    unsigned long long seed = 1;
    aia_write_options wopts;
    aia_write_options_default(&wopts);
    wopts.statistics = 1; /* DATAMIN ... describe the pixels written */
    int c;
    long seed_arg = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'c':
            if (parse_long_option("synth", "channel", optarg, 1, 100000, &channel))
                return EXIT_USAGE;
            break;
        case 'r': roll = optarg; break;
        case 's': scale = optarg; break;
        case 'C': center = optarg; break;
        case 'n':
            if (parse_long_option("synth", "size", optarg, 16, 65536, &size))
                return EXIT_USAGE;
            break;
        case 'S':
            if (parse_long_option("synth", "seed", optarg, 0, LONG_MAX, &seed_arg))
                return EXIT_USAGE;
            seed = (unsigned long long)seed_arg;
            break;
        case 'd':
            if (parse_output_type("synth", optarg, &wopts.type))
                return EXIT_USAGE;
            break;
        case 'z':
            if (parse_compression("synth", optarg, &wopts.compression))
                return EXIT_USAGE;
            break;
        case 'O': wopts.overwrite = 1; break;
        case 'h': fputs(synth_help, stdout); return EXIT_OK;
        default: return usage_error("synth", "invalid option");
        }
    }
    if (!output)
        return usage_error("synth", "no output file: give -o FILE");
    if (optind < argc)
        return usage_error("synth", "unexpected argument '%s'", argv[optind]);

    aia_synth_params p;
    if (aia_synth_defaults((int)channel, size, &p))
        return usage_error("synth", "%s", aia_last_error());
    p.seed = seed;
    if (roll && parse_double_option("synth", "roll", roll, &p.roll_deg))
        return EXIT_USAGE;
    if (scale && parse_double_option("synth", "scale", scale, &p.scale_arcsec))
        return EXIT_USAGE;
    if (scale && !(p.scale_arcsec > 0))
        return usage_error("synth", "--scale needs a positive number, got '%s'", scale);
    if (center) {
        const char *comma = strchr(center, ',');
        char xs[64];
        if (!comma || (size_t)(comma - center) >= sizeof xs)
            return usage_error("synth", "--center needs X,Y, got '%s'", center);
        memcpy(xs, center, (size_t)(comma - center));
        xs[comma - center] = '\0';
        if (parse_double_option("synth", "center X", xs, &p.center_x) ||
            parse_double_option("synth", "center Y", comma + 1, &p.center_y))
            return EXIT_USAGE;
    }

    aia_image *img = NULL;
    if (aia_synth(&p, &img)) {
        fprintf(stderr, "aiaprep synth: error: %s\n", aia_last_error());
        return EXIT_SOME_FAILED;
    }
    char history[1024];
    make_history(history, sizeof history, "synth", optind, argv);
    wopts.history = history;
    aia_write_result res;
    int st = aia_image_write(img, output, &wopts, &res);
    aia_image_free(img);
    if (st) {
        fprintf(stderr, "aiaprep synth: error: %s\n", aia_last_error());
        return EXIT_SOME_FAILED;
    }
    printf("synthetic %ld Å level-1 frame, %ld x %ld, roll %.6g deg, scale %.6g arcsec/px, Sun "
           "centre (%.3f, %.3f)\n",
           channel, size, size, p.roll_deg, p.scale_arcsec, p.center_x, p.center_y);
    print_write_result(stdout, output, &res);
    return EXIT_OK;
}
