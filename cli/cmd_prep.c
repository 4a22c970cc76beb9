/* cmd_prep.c — `aiaprep prep INPUT... -o OUTDIR`: the main job. Options in,
 * the library's preparation stages (src/prep.c) over every input. */
#include "prep.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static const char prep_help[] =
    "Usage: aiaprep prep [OPTIONS] INPUT... -o OUTDIR\n"
    "\n"
    "Prepare AIA level-1 images for science with aiapy's numbers. Per file, in the\n"
    "order of aiapy's preparing_data guide (0.8+; each step only when asked for):\n"
    "  QUALITY check -> pointing update -> respike -> PSF deconvolution ->\n"
    "  registration -> degradation correction -> exposure normalisation -> write.\n"
    "Registration (always): check the image is full disk, rotate to solar north about\n"
    "the reference pixel, scale to 0.6 arcsec/px, put the Sun centre at the image\n"
    "centre (aiapy's register). Pixels outside the rotated frame get the image minimum\n"
    "(aiapy's fill); the result is clipped to the input's range; NaN/BLANK pixels come\n"
    "out as small NaN blobs (5x5 for order 3). Header: CRPIX, CDELT, PCi_j (CROTA2 and\n"
    "CDi_j removed), R_SUN = RSUN_OBS/CDELT1, LVL_NUM 1.5 (1.6 with --deconvolve),\n"
    "XCEN/YCEN, BUNIT ('DN' or 'DN/s'), the statistics of the output (DATAMIN, DATAMAX,\n"
    "DATAMEDN, DATAMEAN, DATARMS, DATASKEW, DATAKURT, DATAVALS, MISSVALS; DATAPnn where\n"
    "the input has them), HISTORY: one card per step (tables by name and SHA-256) and\n"
    "one 'aiaprep VERSION options: ...' with the science options. Sub-DN inputs (JSOC\n"
    "synoptic files: BSCALE 1/16) keep their step in the default integer output.\n"
    "Cutouts (a JSOC im_patch export, or any sub-array of a level-1 frame with its\n"
    "header) are registered with their full frame's transform: the output is the part\n"
    "of the full level-1.5 grid that covers the cutout (header keys GRID_X0, GRID_Y0,\n"
    "GRID_NX, GRID_NY), NaN outside its footprint; the per-file line says 'cutout'.\n"
    "\n"
    "INPUT is a FITS file, a directory (its .fits, .fit, .fts files in any case, also\n"
    "with .gz or .fz) or @LIST (a file naming one input a line). The inputs are sorted;\n"
    "each is attempted once. Outputs go to OUTDIR, named after the input with each\n"
    "'lev1' replaced by 'lev1.5' ('lev1.6' with --deconvolve; JSOC's\n"
    "aia.lev1_euv_12s.T.171.image_lev1.fits -> aia.lev1.5_euv_12s.T.171.image_lev1.5.fits),\n"
    "or with '_lev1.5' added; two inputs that would give one output name are refused\n"
    "before anything starts. An existing output is skipped when it records the same\n"
    "science options as this run (its 'options:' HISTORY card) and, with\n"
    "--uncertainty-file, its _err file exists too; made with other options it is a\n"
    "failure that says so (use --overwrite, or another -o). An input is never\n"
    "written. Inputs may be gzip-wrapped (.fits.gz). Every input's headers, tile\n"
    "parameters and compressed tiles are checked before they are decoded, and its\n"
    "DATASUM/CHECKSUM verified. A bad input (not FITS, truncated, damaged, neither\n"
    "full disk nor a cutout, missing keys...) gets a one-line error and the others\n"
    "go on; the exit status is then 1.\n"
    "\n"
    "Registration:\n"
    "  -o, --output DIR       output directory (created if missing; required)\n"
    "  --order N              B-spline order 0-5 (default 3, as aiapy/scipy)\n"
    "  --interp KIND          spline (default) or cubic-convolution (Keys, a = -0.5, the\n"
    "                         kernel of IDL aia_prep; same geometry and fill)\n"
    "  --grid KIND            4096 (default): the input's shape, 4096 x 4096 for full\n"
    "                         frames, Sun centre at CRPIX 2048.5, as JSOC/IDL level 1.5;\n"
    "                         aiapy: aiapy's own shape (e.g. 4094 x 4094 when CDELT1 < 0.6\n"
    "                         and the roll is small). Where they overlap the two grids\n"
    "                         hold the same pixels.\n"
    "  --scale ARCSEC         target plate scale (default 0.6, as aiapy; JSOC's scale_to);\n"
    "                         the grid keeps the default grid's field of view (2048 x 2048\n"
    "                         at 1.2), so the full disk stays in\n"
    "  --missing VALUE|nan|min  what fills pixels the input does not cover (aiapy's\n"
    "                         missing=; default: the image minimum, as aiapy; NaN outside\n"
    "                         a cutout). A value takes part in the clip; nan makes the\n"
    "                         frame's edge pixels NaN too, as sunpy does\n"
    "Quality (QUALITY, decoded as the SDO User Guide's table; aiaprep info shows it):\n"
    "  --quality MODE         warn (default): process the frame, warn of the flags of\n"
    "                         the mask; skip: skip such frames (not a failure: counted\n"
    "                         by flag in the summary); ignore. The log has every flag.\n"
    "  --quality-mask MASK    the flags that count: hex (0x8007fc00, the default: dark,\n"
    "                         calibration, eclipse, sun presence off, safe mode, not in\n"
    "                         science pointing, ISS loop open, image not available,\n"
    "                         > 5% missing pixels) or bit numbers ('13,16,18'). On a\n"
    "                         cutout the missing-pixel bits 8-11 never count (JSOC counts\n"
    "                         the pixels outside it)\n"
    "Calibration (a TABLE is a file, or 'auto': the cache's, fetched when missing\n"
    "(see aiaprep fetch --help): for --pointing the table of each input's day):\n"
    "  --respike SPIKES       put back the pixels JSOC's cosmic-ray removal replaced, from\n"
    "                         this spikes file (one INPUT; a cutout takes the spikes that\n"
    "                         fall in it); the result is level 0.5\n"
    "  --respike-dir DIR      ... from DIR/<input name without .fits>.spikes.fits\n"
    "                         ('auto': the cache's spikes/, each fetched from JSOC)\n"
    "  --pointing TABLE       update CRPIX, CDELT, CROTA2, X0_MP/Y0_MP from the master\n"
    "                         pointing table (aia.master_pointing3h: the daily CSV copy,\n"
    "                         or a JSOC export; auto: JSOC's, every channel, 131 A too),\n"
    "                         the row covering T_OBS (aiapy 0.12)\n"
    "  --deconvolve           PSF deconvolution first (Richardson-Lucy, aiapy's), on the\n"
    "                         level-1 grid; outputs are named lev1.6 and get LVL_NUM 1.6.\n"
    "                         One PSF and plan per channel serve every file of it.\n"
    DECONV_OPTIONS_HELP
    "  --degradation TABLE    divide by aiapy's degradation factor at DATE-OBS, from the\n"
    "                         SSW response table (aia_V10_..._response_table.txt; auto:\n"
    "                         SSW's, checked against aiapy's SHA-256)\n"
    "  --calibration-version N  the table version to use (default 10)\n"
    "  --normalize            divide by EXPTIME (DN -> DN/s, as sunpy: x * (1/EXPTIME));\n"
    "                         BUNIT becomes 'DN/s' and the default output float32\n"
    "  --uncertainty TABLE    aiapy's estimate_error from the V3 error table, from the\n"
    "                         level-1 counts, registered with the same geometry and\n"
    "                         scaled as the data; a second image HDU 'UNCERTAINTY'\n"
    "                         (float32; Rice-quantised at q = 16 when the data are\n"
    "                         compressed)\n"
    "  --uncertainty-file     ... written to a separate NAME_err.fits file instead\n"
    "  --include-preflight, --include-eve, --include-chianti, --n-sample N\n"
    "                         aiapy's estimate_error options\n"
    "Tables from the network (for auto):\n"
    "  --offline              never download: auto tables must be in the cache\n"
    "  --cache DIR            the tables' cache (default: the cache directory's tables/)\n"
    "  --jsoc-url URL         JSOC (default $AIAPREP_JSOC_URL or http://jsoc.stanford.edu)\n"
    "  --ssw-url URL          SolarSoft (default $AIAPREP_SSW_URL or\n"
    "                         https://soho.nascom.nasa.gov/solarsoft/)\n"
    "  --fetch-timeout S      seconds to connect and without data (default 30)\n"
    "Output:\n"
    "  --output-template T    output names from T, with fields: {stem} (input name\n"
    "                         without .fits), {name} (the default name), {level}, and\n"
    "                         from the header {t_obs} (2014-01-01T000012Z), {date},\n"
    "                         {time}, {year}, {month}, {day}, {hour}, {wave} (0171),\n"
    "                         {wavelnth} or any key in lower case; '/' makes\n"
    "                         subdirectories (created): '{date}/{wave}/{stem}_prep'\n"
    "Running:\n"
    "  --no-verify            do not verify the inputs' DATASUM/CHECKSUM (a damaged file\n"
    "                         is then prepared as it decodes; costs ~5 ms a compressed frame)\n"
    "  --device D             where the pixels are computed: auto (default: the first CUDA\n"
    "                         device when one can be used, else the CPU, with a notice),\n"
    "                         cpu, cuda (device 0; an error saying why when it cannot be\n"
    "                         used) or cuda:N. On a GPU, reading and writing stay on the\n"
    "                         CPU threads; registration, the PSF and the deconvolution run\n"
    "                         on the device, several files at once, and a deconvolved frame\n"
    "                         stays there for its registration\n"
    "  --device-files N       at most N files on the GPU at once (default: as its memory\n"
    "                         allows)\n"
    "  --threads N            cores to use (default: all). Files are worked on in\n"
    "                         parallel, reading, computing and writing of different\n"
    "                         files overlapping; at most N + 1 files are in memory\n"
    "                         (peak ~0.15 GiB per thread + 0.1 GiB for 4096 x 4096)\n"
    "  --shard I/N            only the I-th (0 <= I < N) of N slices of the sorted inputs\n"
    "                         (every N-th file from the I-th): for job arrays\n"
    "  --log FILE             append JSON lines: a run record (version, options, start,\n"
    "                         host), one record per file (input, output, status, error,\n"
    "                         warnings, time, seconds per stage), a summary record\n"
    "  -q, --quiet            print only errors (no progress, no per-file lines)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Reporting: a progress line (done/total, files/s, ETA, failures) when stderr is a\n"
    "terminal, else one line per file on stdout; each failure on stderr (file: reason);\n"
    "at the end every failure again and a summary (done, skipped, failed, time, median\n"
    "seconds per stage). Exit status: 0 all done or skipped, 1 some failed, 2 usage,\n"
    "130/143 stopped by SIGINT/SIGTERM. Ctrl-C (or kill) starts no new file, finishes\n"
    "the files in flight and prints the summary (done, not started); a second Ctrl-C\n"
    "quits at once (the next run removes what was in flight).\n"
    "Resuming: outputs are written under a temporary name and renamed when complete,\n"
    "so an output that exists is complete and is skipped; run the same command again\n"
    "after an interruption (even kill -9) to finish the job. Temporaries a killed run\n"
    "left in OUTDIR are removed at the start.\n"
    "With MPI (built when mpicc is found): mpirun -n P aiaprep prep ... runs one\n"
    "dealer (rank 0: the summary and the log) and P-1 workers given files one at a\n"
    "time; --threads then counts per worker (default: the cores / workers here).\n"
    "Outputs do not depend on threads, shards, MPI or resuming: the same bytes (with\n"
    "--deconvolve, up to the last bits: FFTW may plan differently for other threads).\n"
    "\n" OUTPUT_OPTIONS_HELP
    "\n"
    "Use --dtype float32 to keep every digit of the interpolated values (the\n"
    "default int16 rounds to whole DN, as JSOC level 1.5 does).\n";

/* ---- options ------------------------------------------------------------ */

typedef struct cli_options {
    aia_prep_options *prep; /* the science and output options (the library's) */
    const char *log, *device;
    int quiet, threads;
    long shard_i, shard_n;
} cli_options;

enum { OPT_PREP = 300, OPT_THREADS, OPT_SHARD, OPT_LOG };

/* The options prep handles itself; every other long option is one of the
 * library's preparation options and goes to aia_prep_option by its name. */
static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},         {"threads", required_argument, NULL, OPT_THREADS},
    {"shard", required_argument, NULL, OPT_SHARD}, {"log", required_argument, NULL, OPT_LOG},
    {"order", required_argument, NULL, OPT_PREP}, {"interp", required_argument, NULL, OPT_PREP},
    {"grid", required_argument, NULL, OPT_PREP}, {"normalize", no_argument, NULL, OPT_PREP},
    {"dtype", required_argument, NULL, OPT_PREP}, {"compress", required_argument, NULL, OPT_PREP},
    {"overwrite", no_argument, NULL, OPT_PREP}, {"deconvolve", no_argument, NULL, OPT_PREP},
    {"psf", required_argument, NULL, OPT_PREP}, {"preflight", no_argument, NULL, OPT_PREP},
    {"iterations", required_argument, NULL, OPT_PREP}, {"precision", required_argument, NULL, OPT_PREP},
    {"no-clip", no_argument, NULL, OPT_PREP}, {"pointing", required_argument, NULL, OPT_PREP},
    {"degradation", required_argument, NULL, OPT_PREP},
    {"calibration-version", required_argument, NULL, OPT_PREP},
    {"uncertainty", required_argument, NULL, OPT_PREP}, {"uncertainty-file", no_argument, NULL, OPT_PREP},
    {"include-preflight", no_argument, NULL, OPT_PREP}, {"include-eve", no_argument, NULL, OPT_PREP},
    {"include-chianti", no_argument, NULL, OPT_PREP}, {"n-sample", required_argument, NULL, OPT_PREP},
    {"respike", required_argument, NULL, OPT_PREP}, {"respike-dir", required_argument, NULL, OPT_PREP},
    {"output-template", required_argument, NULL, OPT_PREP}, {"no-verify", no_argument, NULL, OPT_PREP},
    {"scale", required_argument, NULL, OPT_PREP}, {"missing", required_argument, NULL, OPT_PREP},
    {"quality", required_argument, NULL, OPT_PREP}, {"quality-mask", required_argument, NULL, OPT_PREP},
    {"offline", no_argument, NULL, OPT_PREP}, {"jsoc-url", required_argument, NULL, OPT_PREP},
    {"ssw-url", required_argument, NULL, OPT_PREP}, {"cache", required_argument, NULL, OPT_PREP},
    {"fetch-timeout", required_argument, NULL, OPT_PREP},
    {"device", required_argument, NULL, OPT_DEVICE}, {"device-files", required_argument, NULL, OPT_PREP},
    {NULL, 0, NULL, 0}};

static int parse_options(int argc, char **argv, cli_options *o)
{
    int c, index = 0;
    long threads = 0;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, &index)) != -1) {
        const char *name = c == 'o' ? "output" : c == OPT_PREP ? longopts[index].name : NULL;
        if (name) {
            /* a bad table is a usage error too: nothing would succeed */
            if (aia_prep_option(o->prep, name, optarg))
                return usage_error("prep", "%s", aia_last_error());
            continue;
        }
        switch (c) {
        case 'q': o->quiet = 1; break;
        case OPT_THREADS:
            if (parse_long_option("prep", "threads", optarg, 1, 65536, &threads))
                return EXIT_USAGE;
            o->threads = (int)threads;
            break;
        case OPT_SHARD: {
            const char *slash = strchr(optarg, '/');
            char first[32];
            if (!slash || (size_t)(slash - optarg) >= sizeof first)
                return usage_error("prep", "--shard needs I/N with 0 <= I < N, got '%s'", optarg);
            snprintf(first, sizeof first, "%.*s", (int)(slash - optarg), optarg);
            if (parse_long_option("prep", "shard N", slash + 1, 1, LONG_MAX, &o->shard_n) ||
                parse_long_option("prep", "shard I", first, 0, o->shard_n - 1, &o->shard_i))
                return EXIT_USAGE;
            break;
        }
        case OPT_LOG: o->log = optarg; break;
        case OPT_DEVICE: o->device = optarg; break;
        case 'h': fputs(prep_help, stdout); return -1;
        default: return usage_error("prep", "invalid option");
        }
    }
    if (aia_prep_options_check(o->prep, argc - optind))
        return usage_error("prep", "%s", aia_last_error());
    if (optind >= argc)
        return usage_error("prep", "no INPUT given");
    char device[32];
    if (resolve_device("prep", o->device ? o->device : "auto", o->quiet, device, sizeof device))
        return EXIT_USAGE;
    if (aia_prep_option(o->prep, "device", device))
        return usage_error("prep", "%s", aia_last_error());
    return 0;
}

/* Everything between the options and the run; returns 0 or an exit code
 * (reported). Every MPI rank does it: output directory, its host's
 * temporaries; rank 0 alone opens the log. */
static int set_up(cli_options *o, int rank, FILE **log)
{
    const char *outdir = aia_prep_options_outdir(o->prep);
    if (make_directories(outdir) != 0 || access(outdir, W_OK | X_OK) != 0) {
        fprintf(stderr, "aiaprep prep: error: cannot write to the output directory %s: %s\n", outdir,
                strerror(errno));
        return EXIT_SOME_FAILED;
    }
    int removed = 0;
    aia_cleanup_temporaries(outdir, &removed);
    if (removed && !o->quiet)
        printf("prep: removed %d temporary files an interrupted run left in %s\n", removed, outdir);
    if (aia_prep_prefetch(o->prep)) { /* the "auto" tables every file needs */
        fprintf(stderr, "aiaprep prep: error: %s\n", aia_last_error());
        return EXIT_SOME_FAILED;
    }
    if (rank == 0 && o->log && !(*log = fopen(o->log, "a"))) {
        fprintf(stderr, "aiaprep prep: error: cannot open the log %s: %s\n", o->log, strerror(errno));
        return EXIT_USAGE;
    }
    return 0;
}

static int run_prep(cli_options *o, path_list *inputs, int rank, int ranks)
{
    /* (aia_pipeline_run checks this itself; the MPI ranks before they start) */
    if (ranks > 1 && aia_prep_check_outputs(o->prep, (const char *const *)inputs->paths, (long)inputs->count)) {
        if (rank == 0) /* every rank has the same list: one says it */
            fprintf(stderr, "aiaprep prep: error: %s\n", aia_last_error());
        return EXIT_USAGE;
    }
    FILE *log = NULL;
    int st = set_up(o, rank, &log);
#ifdef AIAPREP_WITH_MPI
    if (ranks > 1 && !mpi_all_ok(st == 0) && !st)
        st = EXIT_SOME_FAILED; /* another rank could not start: it said why */
#endif
    if (st) {
        if (log)
            fclose(log);
        return st;
    }
    reporter rep = {.quiet = o->quiet, .tty = isatty(fileno(stderr))};
    aia_pipeline_options po;
    aia_pipeline_options_default(&po);
    po.threads = o->threads;
    po.log = log;
    po.on_item = prep_on_item;
    po.on_progress = prep_on_progress;
    po.user = &rep;
    if (ranks == 1)
        po.stop = prep_catch_signals(); /* under MPI, mpirun forwards signals its own way */
    aia_pipeline_summary sum;
    if (log)
        aia_prep_log_run(log, o->prep, (long)inputs->count, o->threads);
#ifdef AIAPREP_WITH_MPI
    if (ranks > 1)
        st = mpi_pipeline_run((const char *const *)inputs->paths, (long)inputs->count, o->prep, &po, &sum);
    else
#endif
        st = aia_pipeline_run((const char *const *)inputs->paths, (long)inputs->count, o->prep, &po, &sum);
    (void)ranks;
    prep_clear_progress(&rep);
    if (log && !st)
        aia_prep_log_summary(log, &sum);
    if (log)
        fclose(log);
    if (st) {
        fprintf(stderr, "aiaprep prep: error: %s\n", aia_last_error());
        return st == AIA_ERR_ARG ? EXIT_USAGE : EXIT_SOME_FAILED;
    }
    if (rank != 0) /* an MPI worker: the dealer sums up */
        return EXIT_OK;
    return prep_summarise(&sum, aia_prep_options_outdir(o->prep), &rep);
}

int cmd_prep(int argc, char **argv)
{
    cli_options o = {.prep = aia_prep_options_new()};
    if (!o.prep) {
        fprintf(stderr, "aiaprep prep: error: out of memory\n");
        return EXIT_SOME_FAILED;
    }
    int st = parse_options(argc, argv, &o);
    if (st) {
        aia_prep_options_free(o.prep);
        return st < 0 ? EXIT_OK : st;
    }
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit: a write error, not death */
    path_list inputs = {0};
    for (int i = optind; i < argc && !st; i++) {
        int e = prep_expand_input(&inputs, argv[i]);
        if (e == -1)
            fprintf(stderr, "aiaprep prep: error: out of memory listing inputs\n");
        if (e)
            st = e == -2 ? EXIT_USAGE : EXIT_SOME_FAILED;
    }
    if (!st && inputs.count == 0) {
        fprintf(stderr, "aiaprep prep: error: no FITS files in the inputs given\n");
        st = EXIT_SOME_FAILED;
    }
    if (!st) {
        prep_sort_unique(&inputs);
        if (o.shard_n > 1)
            prep_shard(&inputs, o.shard_i, o.shard_n);
        int rank = 0, ranks = 1;
#ifdef AIAPREP_WITH_MPI
        /* every rank lists the same inputs (the same command line) before
         * this, so a usage error stops them all alike */
        const int mpi = mpi_launched();
        const int started = mpi && mpi_start(&rank, &ranks) == 0;
        st = mpi && !started ? EXIT_SOME_FAILED : run_prep(&o, &inputs, rank, ranks);
        if (started)
            mpi_stop();
#else
        st = run_prep(&o, &inputs, rank, ranks);
#endif
    }
    prep_path_list_free(&inputs);
    aia_prep_options_free(o.prep);
    return st;
}
