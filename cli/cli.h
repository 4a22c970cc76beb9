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

/* Report a usage error for a subcommand and return EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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

/* Parse --dtype / --compress values; return 0 or print an error and return -1. */
int parse_output_type(const char *cmd, const char *arg, aia_out_type *out);
int parse_compression(const char *cmd, const char *arg, aia_compression *out);

/* One-line description of what was written, for the user. */
void print_write_result(FILE *f, const char *path, const aia_write_result *res);

/* The HISTORY text naming aiaprep, its version, the subcommand and its
 * options: argv[1..nopts) after getopt has moved the operands behind them,
 * so that a batch of thousands of inputs does not end up in every header. */
void make_history(char *buf, size_t size, const char *cmd, int nopts, char **argv);

#endif
