/* cmd_prep.c — `aiaprep prep INPUT... -o OUTDIR`: level 1 -> level 1.5. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char prep_help[] =
    "Usage: aiaprep prep [OPTIONS] INPUT... -o OUTDIR\n"
    "\n"
    "Register AIA level-1 images to level 1.5, with aiapy's numbers\n"
    "(aiapy.calibrate.register): check the image is full disk, rotate to solar north\n"
    "about the reference pixel, scale to 0.6 arcsec/px, put the Sun centre at the\n"
    "image centre. Pixels outside the rotated frame get the image minimum (aiapy's\n"
    "fill); the result is clipped to the input's range; NaN/BLANK pixels come out as\n"
    "small NaN blobs (5x5 for order 3), as in aiapy. The header gets CRPIX, CDELT,\n"
    "PCi_j (CROTA2 and CDi_j removed), R_SUN = RSUN_OBS/CDELT1 and LVL_NUM = 1.5.\n"
    "\n"
    "INPUT is a FITS file or a directory (its *.fits files). Outputs go to OUTDIR,\n"
    "named after the input with 'lev1' replaced by 'lev1.5' (or '_lev1.5' added).\n"
    "An existing output is skipped unless --overwrite; an input is never written.\n"
    "A bad input (not FITS, truncated, a cutout, missing keys...) gets a one-line\n"
    "error and the others go on; the exit status is then 1.\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR     output directory (created if missing; required)\n"
    "  --order N            B-spline order 0-5 (default 3, as aiapy/scipy)\n"
    "  --interp KIND        spline (default) or cubic-convolution (Keys, a = -0.5,\n"
    "                       the kernel of IDL aia_prep; same geometry and fill)\n"
    "  --grid KIND          4096 (default): the input's shape, 4096 x 4096 for full\n"
    "                       frames, Sun centre at CRPIX 2048.5, as JSOC/IDL level 1.5;\n"
    "                       aiapy: aiapy's own shape (e.g. 4094 x 4094 when CDELT1 < 0.6\n"
    "                       and the roll is small). Where they overlap the two grids\n"
    "                       hold the same pixels.\n"
    "  --deconvolve         PSF deconvolution first (Richardson-Lucy, aiapy's), on the\n"
    "                       level-1 grid; outputs are named lev1.6 and get LVL_NUM 1.6.\n"
    "                       One PSF and plan per channel serve every file of it.\n"
    DECONV_OPTIONS_HELP
    "  --normalize          divide by EXPTIME (DN -> DN/s, as sunpy: x * (1/EXPTIME));\n"
    "                       BUNIT becomes 'DN / s' and the default output float32\n"
    "  -q, --quiet          print only errors\n"
    "  -h, --help           show this help\n"
    "\n" OUTPUT_OPTIONS_HELP
    "\n"
    "Use --dtype float32 to keep every digit of the interpolated values (the\n"
    "default int16 rounds to whole DN, as JSOC level 1.5 does).\n";

typedef struct prep_options {
    aia_register_options reg;
    aia_write_options write;
    deconv_choice deconv;
    int deconvolve, normalize, quiet;
    const char *outdir;
} prep_options;

/* ---- inputs ------------------------------------------------------------- */

typedef struct path_list {
    char **paths;
    size_t count, capacity;
} path_list;

static int push(path_list *l, const char *path)
{
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 64;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p)
            return -1;
        l->paths = p;
        l->capacity = cap;
    }
    l->paths[l->count] = strdup(path);
    return l->paths[l->count++] ? 0 : -1;
}

static int has_fits_extension(const char *name)
{
    static const char *const exts[] = {".fits", ".fit", ".fts", ".fits.fz", ".fits.gz"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && strcmp(name + n - k, exts[i]) == 0)
            return 1;
    }
    return 0;
}

/* A directory contributes its FITS files (sorted); anything else is taken as
 * a file, and an unreadable one fails later with its own message. */
static int expand_input(path_list *l, const char *arg)
{
    struct stat sb;
    if (stat(arg, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return push(l, arg);
    struct dirent **names;
    int n = scandir(arg, &names, NULL, alphasort);
    if (n < 0)
        return push(l, arg); /* reported as unreadable when processed */
    int st = 0;
    for (int i = 0; i < n; i++) {
        if (!st && names[i]->d_name[0] != '.' && has_fits_extension(names[i]->d_name)) {
            char path[4096];
            size_t len = strlen(arg);
            snprintf(path, sizeof path, "%s%s%s", arg, len && arg[len - 1] == '/' ? "" : "/",
                     names[i]->d_name);
            st = push(l, path);
        }
        free(names[i]);
    }
    free(names);
    return st;
}

/* ---- one file ----------------------------------------------------------- */

typedef enum { DONE, SKIPPED, FAILED } outcome;

/* Memory kept from file to file (fresh 64 MiB buffers cost page faults),
 * and one deconvolution plan per channel. */
#define MAX_CHANNELS 16
typedef struct buffers {
    aia_image *in, *out;
    aia_workspace *ws;
    int channels[MAX_CHANNELS];
    aia_deconv_plan *plans[MAX_CHANNELS];
    int nplans;
} buffers;

static void free_buffers(buffers *b)
{
    aia_image_free(b->in);
    aia_image_free(b->out);
    aia_workspace_free(b->ws);
    for (int i = 0; i < b->nplans; i++)
        aia_deconv_plan_free(b->plans[i]);
}

/* The deconvolution plan of the image's channel, built on first use. */
static int channel_plan(const prep_options *o, buffers *b, const char *path, aia_deconv_plan **plan)
{
    int channel = 0;
    int st = o->deconv.psf_file ? AIA_OK : image_channel(b->in, path, &channel);
    for (int i = 0; !st && i < b->nplans; i++)
        if (b->channels[i] == channel) {
            *plan = b->plans[i];
            return AIA_OK;
        }
    if (st)
        return st;
    if (b->nplans == MAX_CHANNELS) /* only 7 channels have a PSF model: never */
        aia_deconv_plan_free(b->plans[--b->nplans]);
    aia_image *psf = NULL;
    st = load_psf(&o->deconv, channel, &psf);
    if (!st)
        st = aia_deconv_plan_new(psf, o->deconv.precision, &b->plans[b->nplans]);
    aia_image_free(psf);
    if (st)
        return st;
    b->channels[b->nplans] = channel;
    *plan = b->plans[b->nplans++];
    return AIA_OK;
}

/* Deconvolve b->in in place (it becomes the deconvolved float32 image). */
static int deconvolve_input(const prep_options *o, buffers *b, const char *path)
{
    aia_deconv_plan *plan = NULL;
    int st = channel_plan(o, b, path, &plan);
    aia_image *dec = NULL;
    aia_deconv_info info;
    if (!st && o->deconv.precision == AIA_PRECISION_DOUBLE)
        st = aia_image_convert(b->in, AIA_PIX_F64); /* exact for level-1 DN */
    if (!st)
        st = aia_deconvolve(plan, b->in, &o->deconv.opts, path, &dec, &info);
    if (!st)
        st = aia_image_convert(dec, AIA_PIX_F32); /* registration is float32 */
    if (st) {
        aia_image_free(dec);
        return st;
    }
    report_deconvolution(stderr, "prep", path, &info, o->deconv.opts.clip_negative);
    aia_image_free(b->in);
    b->in = dec;
    return AIA_OK;
}

static outcome prep_file(const char *path, const prep_options *o, buffers *b)
{
    char out_path[4096];
    if (aia_output_name(path, o->outdir, o->deconvolve ? "lev1.6" : "lev1.5", out_path, sizeof out_path))
        goto fail;
    struct stat sb;
    if (!o->write.overwrite && stat(out_path, &sb) == 0) {
        if (!o->quiet)
            printf("skipped %s: %s exists (use --overwrite to redo)\n", path, out_path);
        return SKIPPED;
    }
    aia_register_info info;
    if (aia_image_read_into(path, AIA_PIX_F32, &b->in))
        goto fail;
    if (o->deconvolve && deconvolve_input(o, b, path))
        goto fail;
    if (aia_register_ws(b->in, &o->reg, path, b->ws, &b->out, &info))
        goto fail;
    if (o->deconvolve && aia_header_set_double(b->out->header, "LVL_NUM", 1.6, "deconvolved, registered"))
        goto fail;
    if (info.level_warning)
        fprintf(stderr, "aiaprep prep: warning: %s: LVL_NUM is not 1: registration should only be "
                        "applied to level 1 data (done anyway, as aiapy does)\n", path);
    if (o->normalize && aia_normalize_exposure(b->out, path))
        goto fail;
    aia_write_options w = o->write;
    w.input_path = path;
    aia_write_result res;
    if (aia_image_write(b->out, out_path, &w, &res))
        goto fail;
    if (!o->quiet) {
        printf("%s -> ", path);
        print_write_result(stdout, out_path, &res);
        if (info.nan_input)
            printf("  %lld NaN/BLANK input pixels -> %lld NaN output pixels\n", info.nan_input,
                   info.nan_output);
    }
    return DONE;
fail:
    fflush(stdout);
    fprintf(stderr, "aiaprep prep: error: %s\n", aia_last_error());
    return FAILED;
}

/* ---- the command -------------------------------------------------------- */

static int parse_options(int argc, char **argv, prep_options *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"order", required_argument, NULL, 'n'},
        {"interp", required_argument, NULL, 'i'}, {"grid", required_argument, NULL, 'g'},
        {"normalize", no_argument, NULL, 'N'},    {"quiet", no_argument, NULL, 'q'},
        {"dtype", required_argument, NULL, 'd'},  {"compress", required_argument, NULL, 'z'},
        {"overwrite", no_argument, NULL, 'O'},    {"help", no_argument, NULL, 'h'},
        {"deconvolve", no_argument, NULL, 'D'},   DECONV_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        int handled = deconv_option("prep", c, optarg, &o->deconv);
        if (handled < 0)
            return EXIT_USAGE;
        if (handled)
            continue;
        switch (c) {
        case 'D': o->deconvolve = 1; break;
        case 'o': o->outdir = optarg; break;
        case 'n':
            o->reg.order = (int)strtol(optarg, &end, 10);
            if (*end || end == optarg || o->reg.order < 0 || o->reg.order > 5)
                return usage_error("prep", "--order must be 0 to 5, got '%s'", optarg);
            break;
        case 'i':
            if (strcmp(optarg, "spline") == 0)
                o->reg.interp = AIA_INTERP_SPLINE;
            else if (strcmp(optarg, "cubic-convolution") == 0)
                o->reg.interp = AIA_INTERP_CUBIC_CONVOLUTION;
            else
                return usage_error("prep", "--interp must be spline or cubic-convolution, got '%s'",
                                   optarg);
            break;
        case 'g':
            if (strcmp(optarg, "4096") == 0 || strcmp(optarg, "full") == 0)
                o->reg.grid = AIA_GRID_FULL;
            else if (strcmp(optarg, "aiapy") == 0)
                o->reg.grid = AIA_GRID_AIAPY;
            else
                return usage_error("prep", "--grid must be 4096 or aiapy, got '%s'", optarg);
            break;
        case 'N': o->normalize = 1; break;
        case 'q': o->quiet = 1; break;
        case 'd':
            if (parse_output_type("prep", optarg, &o->write.type))
                return EXIT_USAGE;
            break;
        case 'z':
            if (parse_compression("prep", optarg, &o->write.compression))
                return EXIT_USAGE;
            break;
        case 'O': o->write.overwrite = 1; break;
        case 'h': fputs(prep_help, stdout); return -1;
        default: return usage_error("prep", "invalid option");
        }
    }
    if (!o->outdir)
        return usage_error("prep", "no output directory: give -o OUTDIR");
    if (optind >= argc)
        return usage_error("prep", "no INPUT given");
    return 0;
}

int cmd_prep(int argc, char **argv)
{
    prep_options o = {0};
    deconv_choice_default(&o.deconv);
    aia_register_options_default(&o.reg);
    aia_write_options_default(&o.write);
    int st = parse_options(argc, argv, &o);
    if (st)
        return st < 0 ? EXIT_OK : st;
    if (mkdir(o.outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "aiaprep prep: error: cannot create output directory %s: %s\n", o.outdir,
                strerror(errno));
        return EXIT_SOME_FAILED;
    }
    char history[1024];
    make_history(history, sizeof history, "prep", optind, argv);
    o.write.history = history;

    path_list inputs = {0};
    for (int i = optind; i < argc; i++)
        if (expand_input(&inputs, argv[i])) {
            fprintf(stderr, "aiaprep prep: error: out of memory listing inputs\n");
            return EXIT_SOME_FAILED;
        }
    size_t counts[3] = {0, 0, 0};
    buffers b = {.ws = aia_workspace_new()};
    for (size_t i = 0; i < inputs.count; i++) {
        counts[b.ws ? prep_file(inputs.paths[i], &o, &b) : FAILED]++;
        free(inputs.paths[i]);
    }
    free(inputs.paths);
    free_buffers(&b);
    if (!o.quiet || counts[FAILED])
        printf("prep: %zu done, %zu skipped, %zu failed; outputs in %s\n", counts[DONE],
               counts[SKIPPED], counts[FAILED], o.outdir);
    return counts[FAILED] ? EXIT_SOME_FAILED : EXIT_OK;
}
