/* cmd_psf.c — `aiaprep psf --channel N -o FILE`: the instrument PSF. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char psf_help[] =
    "Usage: aiaprep psf --channel N [--preflight] [--orders LIST] -o FILE\n"
    "                   [--cache-dir DIR | --no-cache] [output options]\n"
    "\n"
    "Compute the 4096 x 4096 point-spread function of an EUV channel as aiapy's\n"
    "calculate_psf does: diffraction spikes of the entrance and focal-plane filter\n"
    "meshes (orders -100..100, sinc^2 weights), a Gaussian core, the 0.18/0.82 mix,\n"
    "and their composite by FFT. Peak at pixel [2048][2048] (0-based), sum 1.\n"
    "Written as float64 unless --dtype says otherwise. Channels 94, 131, 171, 193,\n"
    "211, 304, 335 (1600, 1700 and 4500 have no mesh model).\n"
    "\n"
    "PSFs are kept in a cache directory so that a batch computes each channel once\n"
    "(default $AIAPREP_CACHE, else $XDG_CACHE_HOME/aiaprep, else ~/.cache/aiaprep;\n"
    "128 MiB a PSF). A damaged cache file is detected (checksum) and recomputed.\n"
    "\n"
    "Options:\n"
    "  --channel N       the channel in angstrom (required)\n"
    "  --preflight       the preflight core width (aiapy use_preflightcore=True)\n"
    "  --orders LIST     diffraction orders: A:B (a range) or comma-separated\n"
    "                    (default -100:100)\n"
    "  -o, --output FILE the file to write (required)\n"
    "  --cache-dir DIR   the cache directory\n"
    "  --no-cache        compute, neither read nor fill the cache\n"
    "  --device D        auto (default), cpu, cuda or cuda:N: where it is computed (the\n"
    "                    PSF agrees within 1e-10; auto takes the CPU, with a notice,\n"
    "                    when no CUDA device can be used)\n"
    "  -h, --help        show this help\n"
    "\n" OUTPUT_OPTIONS_HELP;

/* "A:B" or "a,b,c" -> orders; returns the count or -1. */
static int parse_orders(const char *arg, int **out)
{
    char *end;
    const char *colon = strchr(arg, ':');
    if (colon) {
        long a = strtol(arg, &end, 10);
        if (end != colon)
            return -1;
        long b = strtol(colon + 1, &end, 10);
        if (*end || b < a || b - a > 100000)
            return -1;
        *out = malloc(sizeof(int) * (size_t)(b - a + 1));
        for (long m = a; m <= b; m++)
            (*out)[m - a] = (int)m;
        return (int)(b - a + 1);
    }
    int n = 1;
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    *out = malloc(sizeof(int) * (size_t)n);
    const char *p = arg;
    for (int i = 0; i < n; i++) {
        (*out)[i] = (int)strtol(p, &end, 10);
        if (end == p || (*end && *end != ','))
            return free(*out), *out = NULL, -1;
        p = end + 1;
    }
    return n;
}

int cmd_psf(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"channel", required_argument, NULL, 'c'},   {"preflight", no_argument, NULL, 'p'},
        {"orders", required_argument, NULL, 'r'},    {"output", required_argument, NULL, 'o'},
        {"cache-dir", required_argument, NULL, 'C'}, {"no-cache", no_argument, NULL, 'N'},
        {"dtype", required_argument, NULL, 'd'},     {"compress", required_argument, NULL, 'z'},
        {"overwrite", no_argument, NULL, 'O'},       {"help", no_argument, NULL, 'h'},
        {"device", required_argument, NULL, OPT_DEVICE}, {NULL, 0, NULL, 0}};
    aia_psf_options o;
    aia_psf_options_default(&o, 0);
    aia_write_options w;
    aia_write_options_default(&w);
    w.type = AIA_OUT_FLOAT64;
    const char *output = NULL, *cache_dir = NULL, *device_arg = "auto";
    char device[32];
    int no_cache = 0, *orders = NULL, c;
    long channel = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (parse_long_option("psf", "channel", optarg, 1, 100000, &channel))
                return EXIT_USAGE;
            o.channel = (int)channel;
            break;
        case 'p': o.preflight_core = 1; break;
        case 'r':
            free(orders);
            o.norders = parse_orders(optarg, &orders);
            if (o.norders <= 0)
                return usage_error("psf", "--orders needs A:B or a,b,c, got '%s'", optarg);
            o.orders = orders;
            break;
        case 'o': output = optarg; break;
        case 'C': cache_dir = optarg; break;
        case 'N': no_cache = 1; break;
        case 'd':
            if (parse_output_type("psf", optarg, &w.type))
                return EXIT_USAGE;
            break;
        case 'z':
            if (parse_compression("psf", optarg, &w.compression))
                return EXIT_USAGE;
            break;
        case 'O': w.overwrite = 1; break;
        case OPT_DEVICE: device_arg = optarg; break;
        case 'h': fputs(psf_help, stdout); return EXIT_OK;
        default: return usage_error("psf", "invalid option");
        }
    }
    if (!o.channel)
        return usage_error("psf", "no channel: give --channel N");
    if (!output)
        return usage_error("psf", "no output file: give -o FILE");
    if (optind < argc)
        return usage_error("psf", "unexpected argument '%s'", argv[optind]);
    if (resolve_device("psf", device_arg, 0, device, sizeof device)) {
        free(orders);
        return EXIT_USAGE;
    }
    o.device = device;

    aia_image *psf = NULL;
    aia_psf_info info;
    double t0 = aia_now_seconds();
    int st = no_cache ? aia_psf(&o, &psf, &info) : aia_psf_cached(&o, cache_dir, &psf, &info);
    double t1 = aia_now_seconds();
    char history[1024];
    make_history(history, sizeof history, "psf", optind, argv);
    w.history = history;
    aia_write_result res;
    if (!st)
        st = aia_image_write(psf, output, &w, &res);
    aia_image_free(psf);
    free(orders);
    if (st) {
        fprintf(stderr, "aiaprep psf: error: %s\n", aia_last_error());
        return EXIT_SOME_FAILED;
    }
    if (info.from_cache)
        printf("PSF of %d A (%s core) read from the cache in %.2f s\n", o.channel,
               o.preflight_core ? "preflight" : "default", t1 - t0);
    else
        printf("PSF of %d A (%s core) computed in %.2f s (spikes %.2f s, FFTs %.2f s)\n", o.channel,
               o.preflight_core ? "preflight" : "default", t1 - t0, info.seconds_spikes,
               info.seconds_fft);
    print_write_result(stdout, output, &res);
    return EXIT_OK;
}
