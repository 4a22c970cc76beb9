/* cmd_fetch.c — `aiaprep fetch WHAT`: the calibration tables into the
 * cache (or the spikes files of frames into a folder), so that prep's
 * "auto" tables and --offline runs have them. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char fetch_help[] =
    "Usage: aiaprep fetch pointing --start DAY [--end DAY] [OPTIONS]\n"
    "       aiaprep fetch response [--version N | --file NAME] [OPTIONS]\n"
    "       aiaprep fetch errors [OPTIONS]\n"
    "       aiaprep fetch spikes [-o DIR] FILE... [OPTIONS]\n"
    "\n"
    "Fetch calibration tables into the cache, where `aiaprep prep --pointing auto`,\n"
    "`--degradation auto`, `--uncertainty auto` and `--respike-dir auto` find them.\n"
    "Each file is downloaded under a temporary name, checked (it must parse as what\n"
    "it is; the two SSW tables aiapy uses must have aiapy's SHA-256) and only then\n"
    "renamed into place, beside NAME.source (JSON: the URL and SHA-256 it came with).\n"
    "A file already cached whole is not fetched again (--refresh fetches it anyway).\n"
    "Each line of output names a cached file.\n"
    "\n"
    "What:\n"
    "  pointing   the master pointing table (JSOC's aia.master_pointing3h, every\n"
    "             channel, 131 A included) of each UTC day from --start to --end, from\n"
    "             JSOC's JSON interface (jsoc_info op=rs_list, as aiapy asks through\n"
    "             drms): aia.master_pointing3h_DAY.csv, the rows with T_START from the\n"
    "             day before to the day after\n"
    "  response   SSW's response table of calibration version N (default 10:\n"
    "             aia_V10_20201119_190000_response_table.txt, aiapy's), or the\n"
    "             sdo/aia/response/ file NAME\n"
    "  errors     SSW's V3 error table (aia_V3_error_table.txt) for estimate_error\n"
    "  spikes     each level-1 FILE's spikes file (JSOC's spikes segment of\n"
    "             aia.lev1_euv_12s / aia.lev1_uv_24s at its DATE-OBS and WAVELNTH, as\n"
    "             aiapy's fetch_spikes) as DIR/<FILE's name without .fits>.spikes.fits,\n"
    "             what prep --respike-dir DIR reads (default DIR: the cache's spikes/)\n"
    "\n"
    "Options:\n"
    "  --start DAY, --end DAY  UTC days YYYY-MM-DD (pointing; --end defaults to --start)\n"
    "  --version N             response table version (default 10)\n"
    "  --file NAME             another response table of sdo/aia/response/ (its checksum\n"
    "                          is recorded, not checked)\n"
    "  -o, --output DIR        where spikes files go\n"
    "  --cache DIR             the cache (default $AIAPREP_CACHE, $XDG_CACHE_HOME/aiaprep\n"
    "                          or ~/.cache/aiaprep, then tables/)\n"
    "  --jsoc-url URL          JSOC (default $AIAPREP_JSOC_URL, else http://jsoc.stanford.edu)\n"
    "  --ssw-url URL           SolarSoft (default $AIAPREP_SSW_URL, else\n"
    "                          https://soho.nascom.nasa.gov/solarsoft/)\n"
    "  --timeout S             seconds to connect, and without a byte (default 30,\n"
    "                          or $AIAPREP_FETCH_TIMEOUT)\n"
    "  --refresh               fetch again what is cached\n"
    "  --offline               never use the network: only say what is cached\n"
    "  -h, --help              show this help\n"
    "\n"
    "Errors (HTTP 404, a timeout, an answer cut short or in the wrong format) name the\n"
    "URL and leave nothing in the cache. Built without libcurl, fetch says so and only\n"
    "the cache is used. Exit status: 0 every file cached, 1 some failed, 2 usage.\n";

enum { OPT_START = 400, OPT_END, OPT_VERSION, OPT_FILE, OPT_CACHE, OPT_JSOC, OPT_SSW, OPT_TIMEOUT, OPT_REFRESH,
       OPT_OFFLINE };

/* "YYYY-MM-DD" as days since 1970 (civil), or -1. */
static long day_number(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    return (long)(timegm(&tm) / 86400);
}

static void day_text(long n, char out[40])
{
    const time_t t = (time_t)n * 86400 + 43200;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 40, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int fetch_pointing(const aia_fetch_options *o, const char *start, const char *end)
{
    const long a = day_number(start), b = day_number(end ? end : start);
    if (a < 0 || b < 0)
        return usage_error("fetch", "--start and --end need days as YYYY-MM-DD, got '%s' and '%s'",
                           start ? start : "", end ? end : "");
    if (b < a || b - a > 3660)
        return usage_error("fetch", "--end must be on or after --start, at most ten years later");
    int failed = 0;
    for (long d = a; d <= b; d++) {
        char day[40], path[4096];
        day_text(d, day);
        if (aia_fetch_pointing(o, day, path, sizeof path)) {
            report_failure("fetch", NULL);
            failed++;
        } else {
            printf("%s\n", path);
        }
    }
    return failed ? EXIT_SOME_FAILED : EXIT_OK;
}

static int fetch_table(const aia_fetch_options *o, const char *name)
{
    char path[4096];
    if (aia_fetch_ssw_table(o, name, path, sizeof path)) {
        report_failure("fetch", NULL);
        return EXIT_SOME_FAILED;
    }
    printf("%s\n", path);
    return EXIT_OK;
}

static int fetch_spikes(const aia_fetch_options *o, const char *dir, int n, char **files)
{
    char where[4096];
    if (!dir) {
        if (aia_fetch_cache_dir(o, where, sizeof where) != AIA_OK) {
            report_failure("fetch", NULL);
            return EXIT_SOME_FAILED;
        }
        size_t len = strlen(where);
        snprintf(where + len, sizeof where - len, "/spikes");
        dir = where;
    }
    int failed = 0;
    for (int i = 0; i < n; i++) {
        char dest[8192];
        aia_header *hdr = NULL;
        int st = aia_header_read(files[i], &hdr);
        int named = st; /* the reader names the file */
        st = st ? st : aia_spikes_path(files[i], dir, dest, sizeof dest);
        st = st ? st : aia_fetch_spikes(o, hdr, dest);
        aia_header_free(hdr);
        if (st) {
            report_failure("fetch", named ? NULL : files[i]);
            failed++;
        } else {
            printf("%s\n", dest);
        }
    }
    return failed ? EXIT_SOME_FAILED : EXIT_OK;
}

int cmd_fetch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"start", required_argument, NULL, OPT_START},   {"end", required_argument, NULL, OPT_END},
        {"version", required_argument, NULL, OPT_VERSION}, {"file", required_argument, NULL, OPT_FILE},
        {"output", required_argument, NULL, 'o'},        {"cache", required_argument, NULL, OPT_CACHE},
        {"jsoc-url", required_argument, NULL, OPT_JSOC}, {"ssw-url", required_argument, NULL, OPT_SSW},
        {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"refresh", no_argument, NULL, OPT_REFRESH},
        {"offline", no_argument, NULL, OPT_OFFLINE},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    aia_fetch_options o;
    aia_fetch_options_default(&o);
    const char *start = NULL, *end = NULL, *file = NULL, *outdir = NULL;
    long version = 10, timeout = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_START: start = optarg; break;
        case OPT_END: end = optarg; break;
        case OPT_VERSION:
            if (parse_long_option("fetch", "version", optarg, 1, 1000, &version))
                return EXIT_USAGE;
            break;
        case OPT_FILE: file = optarg; break;
        case 'o': outdir = optarg; break;
        case OPT_CACHE: o.cache_dir = optarg; break;
        case OPT_JSOC: o.jsoc_url = optarg; break;
        case OPT_SSW: o.ssw_url = optarg; break;
        case OPT_TIMEOUT:
            if (parse_long_option("fetch", "timeout", optarg, 1, 3600, &timeout))
                return EXIT_USAGE;
            o.timeout = (double)timeout;
            break;
        case OPT_REFRESH: o.refresh = 1; break;
        case OPT_OFFLINE: o.offline = 1; break;
        case 'h': fputs(fetch_help, stdout); return EXIT_OK;
        default: return usage_error("fetch", "invalid option");
        }
    }
    if (optind >= argc)
        return usage_error("fetch", "say what to fetch: pointing, response, errors or spikes");
    const char *what = argv[optind++];
    const int rest = argc - optind;
    if (strcmp(what, "spikes") != 0 && rest)
        return usage_error("fetch", "'%s' takes no FILE arguments", what);
    if (strcmp(what, "pointing") == 0) {
        if (!start)
            return usage_error("fetch", "pointing needs --start DAY");
        return fetch_pointing(&o, start, end);
    }
    if (strcmp(what, "response") == 0) {
        const char *name = file ? file : aia_response_table_name((int)version);
        if (!name)
            return usage_error("fetch", "no SSW response table is known for version %ld: give --file NAME", version);
        return fetch_table(&o, name);
    }
    if (strcmp(what, "errors") == 0)
        return fetch_table(&o, aia_error_table_name());
    if (strcmp(what, "spikes") == 0) {
        if (!rest)
            return usage_error("fetch", "spikes needs the level-1 FILEs whose spikes to fetch");
        return fetch_spikes(&o, outdir, rest, argv + optind);
    }
    return usage_error("fetch", "unknown table '%s' (pointing, response, errors, spikes)", what);
}
