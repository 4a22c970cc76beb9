/* cmd_pointing.c — `aiaprep pointing TABLE FILE...`: what a pointing update
 * would change, per file; nothing is written. */
#include "cli.h"

#include <getopt.h>
#include <math.h>

static const char pointing_help[] =
    "Usage: aiaprep pointing TABLE FILE...\n"
    "\n"
    "Show what aiapy's update_pointing (0.12) would change in each file, from the\n"
    "master pointing table TABLE (aia.master_pointing3h: LM-SAL's daily CSV copy, or a\n"
    "JSOC export; times in UTC, or JSOC's _TAI stamps). The row used is the first with\n"
    "T_START <= T_OBS < T_STOP. CRPIX moves by the change of X0_MP/Y0_MP (relative, so\n"
    "cutouts work), CDELT becomes IMSCALE, CROTA2 becomes INSTROT + SAT_ROT, PCi_j are\n"
    "removed. Nothing is written: `aiaprep prep --pointing TABLE` applies it.\n"
    "\n"
    "The daily CSV has no columns for 131 A: use a JSOC export for 131 A files.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

static void show(const char *what, double old, double now)
{
    if (old == now)
        printf("    %-8s %.6f (unchanged)\n", what, now);
    else
        printf("    %-8s %.6f -> %.6f (%+.6f)\n", what, old, now, now - old);
}

int cmd_pointing(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(pointing_help, stdout);
            return EXIT_OK;
        }
        return usage_error("pointing", "invalid option");
    }
    if (argc - optind < 2)
        return usage_error("pointing", "give a TABLE and at least one FILE");
    aia_pointing_table *table = NULL;
    if (aia_pointing_table_read(argv[optind], &table)) {
        fprintf(stderr, "aiaprep pointing: error: %s\n", aia_last_error());
        return EXIT_USAGE;
    }
    int failed = 0;
    for (int i = optind + 1; i < argc; i++) {
        aia_image *img = NULL;
        aia_pointing_report r;
        int st = aia_image_read(argv[i], AIA_PIX_F32, &img);
        const int read_ok = !st;
        if (!st)
            st = aia_update_pointing(img->header, table, &r);
        aia_image_free(img);
        if (st) {
            report_failure("pointing", read_ok ? argv[i] : NULL);
            failed++;
            continue;
        }
        printf("%s\n  row %ld: %s .. %s\n", argv[i], r.row + 1, r.t_start, r.t_stop);
        show("CRPIX1", r.old_crpix[0], r.new_crpix[0]);
        show("CRPIX2", r.old_crpix[1], r.new_crpix[1]);
        show("CDELT", r.old_cdelt, r.new_cdelt);
        show("CROTA2", r.old_crota2, r.new_crota2);
        show("X0_MP", r.old_x0, r.new_x0);
        show("Y0_MP", r.old_y0, r.new_y0);
        if (r.warnings & AIA_POINTING_WARN_MISSING_VALUE)
            printf("  warning: missing value in pointing table for %s: left as it was\n", r.missing);
        if (r.warnings & AIA_POINTING_WARN_RESAMPLED)
            printf("  warning: CDELT is not 0.6 arcsec/px: a resampled map\n");
        if (r.warnings & AIA_POINTING_WARN_NO_MP)
            printf("  warning: X0_MP/Y0_MP missing: CRPIX left as it was\n");
        if (r.warnings & AIA_POINTING_WARN_DATE_OBS)
            printf("  warning: no T_OBS: DATE-OBS used\n");
        if (r.warnings & AIA_POINTING_WARN_NO_SAT_ROT)
            printf("  warning: SAT_ROT missing: CROTA2 left as it was\n");
    }
    aia_pointing_table_free(table);
    return failed ? EXIT_SOME_FAILED : EXIT_OK;
}
