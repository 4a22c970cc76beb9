/* cli.h — what the subcommands of the aiaprep program share. */
#ifndef AIAPREP_CLI_H
#define AIAPREP_CLI_H

#include "aiaprep.h"

#include <stdio.h>

/* Exit codes (documented in `aiaprep --help`). */
enum { EXIT_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

int cmd_info(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_prep(int argc, char **argv);
int cmd_psf(int argc, char **argv);
int cmd_deconvolve(int argc, char **argv);
int cmd_pointing(int argc, char **argv);
int cmd_fetch(int argc, char **argv);

/* Report a usage error for a subcommand and return EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The deconvolution choices `deconvolve` and `prep --deconvolve` share. */
typedef struct deconv_choice {
    const char *psf_file;    /* NULL: aiapy's PSF of the channel (cached) */
    int preflight;           /* with the preflight core                   */
    aia_pixtype precision;   /* AIA_PIX_F32 (single) or AIA_PIX_F64       */
    aia_deconv_options opts;
    const char *device;      /* resolved: "cpu" or "cuda:N" (the PSF too) */
} deconv_choice;

#define DECONV_OPTIONS_HELP                                                                        \
    "  --psf FILE          the PSF to use (4096 x 4096); default: aiapy's PSF of the image's\n"    \
    "                      channel, computed once and cached (see aiaprep psf --help)\n"          \
    "  --preflight         aiapy's PSF with the preflight core width\n"                          \
    "  --iterations N      Richardson-Lucy iterations (default 25, as aiapy)\n"                 \
    "  --precision P       single (default: float32 FFTs, ~3e-7 from double) or double\n"       \
    "  --no-clip           keep negative pixels (aiapy's clip_negative=False)\n"

/* getopt_long codes of those options, and their table entries. */
enum { OPT_PSF = 256, OPT_PREFLIGHT, OPT_ITERATIONS, OPT_PRECISION, OPT_NO_CLIP };
#define DECONV_LONGOPTS                                                                            \
    {"psf", required_argument, NULL, OPT_PSF}, {"preflight", no_argument, NULL, OPT_PREFLIGHT},   \
        {"iterations", required_argument, NULL, OPT_ITERATIONS},                                  \
        {"precision", required_argument, NULL, OPT_PRECISION},                                    \
        {"no-clip", no_argument, NULL, OPT_NO_CLIP}

void deconv_choice_default(deconv_choice *c);
/* Handle one of those options: 1 handled, 0 not one of them, -1 usage
 * error (already reported). */
int deconv_option(const char *cmd, int code, const char *arg, deconv_choice *c);

int load_psf(const deconv_choice *c, int channel, aia_image **psf);
int image_channel(const aia_image *img, int *channel);
void report_deconvolution(FILE *f, const char *cmd, const char *path, const aia_deconv_info *info,
                          int clip);

/* Output options shared by every command that writes FITS. */
typedef struct output_options {
    aia_write_options write;
    const char *dtype_arg, *compress_arg;
} output_options;

#define OUTPUT_OPTIONS_HELP                                                                        \
    "Output (FITS):\n"                                                                             \
    "  --dtype TYPE      auto (default), int16, int32, float32 or float64.\n"                     \
    "                    auto: int16 for images in DN (int32, with a notice, when a value\n"       \
    "                    does not fit int16), float32 for images in other units (DN/s).\n"         \
    "                    Integers are rounded half away from zero; NaN becomes BLANK.\n"           \
    "  --compress KIND   auto (default), none, rice or gzip2.\n"                                   \
    "                    auto: Rice tile compression (one row per tile, as JSOC level 1.5)\n"      \
    "                    for integer types, none for float types. rice on float32/float64\n"       \
    "                    QUANTISES the values (cfitsio, q = 4): LOSSY, smaller files.\n"           \
    "                    gzip2 is lossless for every type but slow and saves little on floats.\n" \
    "  --overwrite       replace an existing output file (never an input file).\n"

/* --device, which every subcommand that computes takes. */
#define DEVICE_OPTION_HELP                                                                         \
    "  --device D          where the pixels are computed: auto (default: the first CUDA\n"          \
    "                      device when one can be used, else the CPU, with a notice), cpu,\n"      \
    "                      cuda (device 0; an error saying why when it cannot be used) or\n"      \
    "                      cuda:N. The results agree within the tests' tolerances (README).\n"

enum { OPT_DEVICE = 280 };

/* The device a --device value stands for ("cpu" or "cuda:N") into
 * resolved; for auto going to the CPU a one-line notice on stderr unless
 * quiet. Returns 0, or EXIT_USAGE with the reason printed. */
int resolve_device(const char *cmd, const char *arg, int quiet, char *resolved, size_t size);

/* A whole number in [lo, hi] / a finite number for option --name; 0, or
 * -1 with the usage error printed. No silent truncation. */
int parse_long_option(const char *cmd, const char *name, const char *arg, long lo, long hi, long *out);
int parse_double_option(const char *cmd, const char *name, const char *arg, double *out);

/* "aiaprep CMD: error: MESSAGE" on stderr, with "PATH: " before the message
 * when path is given: for failures of the science steps, which do not know
 * the file (reading names it itself: give NULL). */
void report_failure(const char *cmd, const char *path);

/* Parse --dtype / --compress values; return 0 or print an error and return -1. */
int parse_output_type(const char *cmd, const char *arg, aia_out_type *out);
int parse_compression(const char *cmd, const char *arg, aia_compression *out);

/* One-line description of what was written, for the user. */
void print_write_result(FILE *f, const char *path, const aia_write_result *res);

/* mkdir -p: 0, or -1 with errno set. */
int make_directories(const char *path);

/* The HISTORY text naming aiaprep, its version, the subcommand and its
 * options: argv[1..nopts) after getopt has moved the operands behind them,
 * so that a batch of thousands of inputs does not end up in every header. */
void make_history(char *buf, size_t size, const char *cmd, int nopts, char **argv);

#endif
