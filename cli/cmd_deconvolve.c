/* cmd_deconvolve.c — `aiaprep deconvolve INPUT -o OUTPUT`. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char deconvolve_help[] =
    "Usage: aiaprep deconvolve INPUT -o OUTPUT [--psf FILE] [--iterations N]\n"
    "                          [--precision single|double] [output options]\n"
    "\n"
    "Deconvolve a level-1 image with the instrument PSF by Richardson-Lucy, with\n"
    "aiapy's update rule (aiapy.psf.deconvolve): 25 iterations, negative pixels set to\n"
    "0 first. Deconvolve the full 4096 x 4096 level-1 frame, before registration: the\n"
    "PSF applies to the level-1 grid (aiaprep prep --deconvolve does both, in order).\n"
    "\n"
    "Unlike aiapy, NaN/BLANK pixels do not turn the whole image into NaN: each is\n"
    "filled for the iterations with the mean of the finite pixels in the smallest\n"
    "box around it that has any (3x3, 5x5, 9x9, ... 129x129), and is NaN again in the\n"
    "output; their count is reported.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE   the file to write (required)\n" DECONV_OPTIONS_HELP DEVICE_OPTION_HELP
    "  -h, --help          show this help\n"
    "\n" OUTPUT_OPTIONS_HELP
    "\n"
    "With --precision double the output is float64 unless --dtype says otherwise.\n"
    "Memory: about 500 MiB (single) or 900 MiB (double) for a 4096 x 4096 frame.\n";

int cmd_deconvolve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"dtype", required_argument, NULL, 'd'},
        {"compress", required_argument, NULL, 'z'}, {"overwrite", no_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},         {"device", required_argument, NULL, OPT_DEVICE},
        DECONV_LONGOPTS,
        {NULL, 0, NULL, 0}};
    deconv_choice dc;
    deconv_choice_default(&dc);
    aia_write_options w;
    aia_write_options_default(&w);
    w.statistics = 1; /* DATAMIN ... describe the pixels written */
    const char *output = NULL, *device_arg = "auto";
    char device[32];
    int dtype_given = 0, c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        int handled = deconv_option("deconvolve", c, optarg, &dc);
        if (handled < 0)
            return EXIT_USAGE;
        if (handled)
            continue;
        switch (c) {
        case 'o': output = optarg; break;
        case 'd':
            if (parse_output_type("deconvolve", optarg, &w.type))
                return EXIT_USAGE;
            dtype_given = 1;
            break;
        case 'z':
            if (parse_compression("deconvolve", optarg, &w.compression))
                return EXIT_USAGE;
            break;
        case 'O': w.overwrite = 1; break;
        case OPT_DEVICE: device_arg = optarg; break;
        case 'h': fputs(deconvolve_help, stdout); return EXIT_OK;
        default: return usage_error("deconvolve", "invalid option");
        }
    }
    if (!output)
        return usage_error("deconvolve", "no output file: give -o OUTPUT");
    if (optind != argc - 1)
        return usage_error("deconvolve", "give exactly one INPUT");
    if (resolve_device("deconvolve", device_arg, 0, device, sizeof device))
        return EXIT_USAGE;
    dc.device = device;
    if (dc.precision == AIA_PIX_F64 && !dtype_given)
        w.type = AIA_OUT_FLOAT64;
    const char *input = argv[optind];

    aia_image *in = NULL, *psf = NULL, *out = NULL;
    aia_deconv_plan *plan = NULL;
    aia_deconv_info info;
    int channel = 0;
    int st = aia_image_read(input, dc.precision, &in);
    const char *step_file = NULL; /* set once reading worked: the steps' errors need the name */
    if (!st)
        step_file = input;
    if (!st && !dc.psf_file)
        st = image_channel(in, &channel);
    if (!st && !dc.psf_file && (in->width != 4096 || in->height != 4096)) {
        fprintf(stderr, "aiaprep deconvolve: error: %s: the image is %ld x %ld; aiapy's PSF is 4096 x "
                        "4096: deconvolve the full level-1 frame, before registration (or give --psf)\n",
                input, in->width, in->height);
        aia_image_free(in);
        return EXIT_SOME_FAILED;
    }
    if (!st) {
        aia_meta m;
        aia_meta_parse(in->header, &m);
        if (m.state[AIA_KEY_LVL_NUM] == AIA_KEYSTATE_OK && m.lvl_num > 1.0)
            fprintf(stderr, "aiaprep deconvolve: warning: %s: LVL_NUM is %g: the PSF describes the "
                            "level-1 grid; deconvolve before registration\n",
                    input, m.lvl_num);
    }
    if (!st)
        st = load_psf(&dc, channel, &psf);
    if (!st)
        st = aia_deconv_plan_new_on(psf, dc.precision, 0, dc.device, &plan);
    if (!st)
        st = aia_deconvolve(plan, in, &dc.opts, &out, &info);
    char history[1024];
    make_history(history, sizeof history, "deconvolve", optind, argv);
    w.history = history;
    w.input_path = input;
    aia_write_result res;
    if (!st) {
        step_file = NULL; /* the writer names its file */
        st = aia_image_write(out, output, &w, &res);
    }
    if (st)
        report_failure("deconvolve", step_file);
    else {
        report_deconvolution(stderr, "deconvolve", input, &info, dc.opts.clip_negative);
        printf("%s: %d iterations (%s) in %.1f s\n", input, dc.opts.iterations,
               dc.precision == AIA_PIX_F64 ? "double" : "single", info.seconds);
        print_write_result(stdout, output, &res);
    }
    aia_image_free(in);
    aia_image_free(psf);
    aia_image_free(out);
    aia_deconv_plan_free(plan);
    return st ? EXIT_SOME_FAILED : EXIT_OK;
}
