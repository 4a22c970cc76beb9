/* main.c — the aiaprep program: dispatch to subcommands. */
#include "cli.h"

#include <string.h>

static const char main_help[] =
    "Usage: aiaprep COMMAND [OPTIONS] [ARGS]\n"
    "       aiaprep --version | --help\n"
    "\n"
    "Prepare SDO/AIA level-1 images for science with aiapy's numbers.\n"
    "\n"
    "Commands:\n"
    "  prep INPUT... -o DIR  register level-1 images to level 1.5 (aiapy's register)\n"
    "  psf --channel N -o F  the 4096x4096 PSF of a channel (aiapy's calculate_psf)\n"
    "  deconvolve IN -o OUT  Richardson-Lucy deconvolution with the PSF (aiapy's)\n"
    "  pointing TABLE FILE...  what a pointing-table update would change\n"
    "  fetch WHAT            calibration tables into the cache: pointing, response,\n"
    "                        errors, spikes (JSOC, SSW)\n"
    "  info FILE...          describe AIA FITS files: shape, type, compression, level,\n"
    "                        channel, time, exposure, pointing keys, data statistics\n"
    "  synth -o FILE         write a realistic synthetic full-disk level-1 frame\n"
    "\n"
    "Run 'aiaprep COMMAND --help' for the options of a command.\n"
    "\n"
    "Exit status:\n"
    "  0  everything succeeded\n"
    "  1  some inputs failed (each gets a one-line error on stderr; the others\n"
    "     are still processed)\n"
    "  2  usage error (unknown command or option, missing argument)\n";

static void print_version(void)
{
    printf("aiaprep %s\n", aia_version());
    char device[32] = "", note[1024] = "";
    aia_device_resolve("auto", device, sizeof device, note, sizeof note);
    printf("backends: %s (--device auto takes: %s)\n", aia_backends(), device);
    printf("CPU kernels: %s (built: %s; AIAPREP_KERNELS=generic|avx2|avx512 chooses)\n", aia_kernels(),
           aia_kernels_built());
    printf("Rice codec: %s (AIAPREP_RICE=cfitsio selects cfitsio's)\n", aia_rice_codec());
    printf("downloads: %s\n", aia_fetch_available() ? "yes (libcurl: aiaprep fetch, prep ... auto)"
                                                    : "no (built without libcurl: the cache only)");
    if (aia_kernels_note()[0])
        printf("note: %s\n", aia_kernels_note());
    printf("%s\n", aia_cuda_info());
    if (note[0] && strstr(aia_backends(), "cuda"))
        printf("note: no CUDA device used: %s\n", note);
#ifdef AIAPREP_WITH_MPI
    printf("MPI: yes (mpirun -n P aiaprep prep ...)\n");
#else
    printf("MPI: no (built without an MPI)\n");
#endif
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "aiaprep: missing command\nTry 'aiaprep --help'.\n");
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(main_help, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        print_version();
        return EXIT_OK;
    }
    /* Each subcommand sees argv[0] = its own name. */
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "synth") == 0)
        return cmd_synth(argc - 1, argv + 1);
    if (strcmp(cmd, "prep") == 0)
        return cmd_prep(argc - 1, argv + 1);
    if (strcmp(cmd, "psf") == 0)
        return cmd_psf(argc - 1, argv + 1);
    if (strcmp(cmd, "deconvolve") == 0)
        return cmd_deconvolve(argc - 1, argv + 1);
    if (strcmp(cmd, "pointing") == 0)
        return cmd_pointing(argc - 1, argv + 1);
    if (strcmp(cmd, "fetch") == 0)
        return cmd_fetch(argc - 1, argv + 1);
    fprintf(stderr, "aiaprep: unknown command '%s'\nTry 'aiaprep --help'.\n", cmd);
    return EXIT_USAGE;
}
