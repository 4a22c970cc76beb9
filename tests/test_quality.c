/* test_quality.c — the QUALITY word: every bit's message (the SDO User
 * Guide's table, as aiapy words it), which flags make a frame unusable, the
 * cutout rule for the missing-pixel bits, and prep's decision for frames
 * with planted values (each bit alone, combinations, the real 1600 A
 * cutout's value) under --quality warn, skip and ignore: status, warning,
 * the JSON log and the summary's counts by flag. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* SDO User Guide §7.7.6, Table 2 (aiapy's _QUALITY_FLAG_MESSAGES). */
static const char *const expected[32] = {
    [0] = "Flatfield data are not available",
    [1] = "Orbit data are not available",
    [2] = "Ancillary science data are not available",
    [3] = "Master pointing data are not available",
    [4] = "Limb-fit data are not available (generally not applicable to AIA images)",
    [8] = "Value of MISSVALS keyword is nonzero",
    [9] = "Value of MISSVALS keyword is more than 1% of the value of the TOTVALS keyword",
    [10] = "Value of MISSVALS keyword is more than 5% of the value of the TOTVALS keyword",
    [11] = "Value of MISSVALS keyword is more than 25% of the value of the TOTVALS keyword",
    [12] = "Spacecraft is not in science pointing mode (coincides with ACS_MODE keyword set to a value other "
           "than SCIENCE)",
    [13] = "Spacecraft eclipse flag is set (coincides with ACS_ECLP keyword set to YES)",
    [14] = "Spacecraft sun presence flag is not set (coincides with ACS_SUNP keyword set to NO)",
    [15] = "Spacecraft safe mode flag is set (coincides with ACS_SAFE keyword set to YES)",
    [16] = "Dark image flag is set (coincides with IMG_TYPE keyword set to DARK)",
    [17] = "Image Stabilization System (ISS) loop is open (coincides with AISTATE keyword set to OPEN)",
    [18] = "Calibration image",
    [20] = "Focus is out of range",
    [21] = "Register flag is set",
    [30] = "Quicklook image",
    [31] = "Image is not available",
};

/* The flags the issue names as making a frame unusable, by bit. */
static const int unusable[] = {16, 18, 13, 14, 15, 12, 17, 31, 10, 11};

static int is_unusable(int b)
{
    for (size_t i = 0; i < sizeof unusable / sizeof unusable[0]; i++)
        if (unusable[i] == b)
            return 1;
    return 0;
}

static void test_table(void)
{
    char buf[2048];
    for (int b = 0; b < 32; b++) {
        const char *want = expected[b] ? expected[b] : "(empty)";
        CHECK_MSG(strcmp(aia_quality_message(b), want) == 0, "bit %d: '%s'", b, aia_quality_message(b));
        CHECK_OK(aia_quality_describe((uint32_t)1 << b, NULL, buf, sizeof buf));
        CHECK_MSG(strcmp(buf, want) == 0, "bit %d alone: '%s'", b, buf);
        CHECK(aia_quality_name(b)[0] != '\0');
        /* the default mask: exactly the flags that make a frame unusable */
        CHECK_MSG(!!(AIA_QUALITY_UNUSABLE >> b & 1u) == is_unusable(b), "bit %d in the default mask", b);
        /* one bit alone: on a full frame it applies as the mask says; on a
         * cutout not the missing-pixel bits */
        const uint32_t q = (uint32_t)1 << b;
        CHECK(aia_quality_flags_that_apply(q, AIA_QUALITY_UNUSABLE, 4096, 4096) == (is_unusable(b) ? q : 0));
        CHECK(aia_quality_flags_that_apply(q, AIA_QUALITY_UNUSABLE, 769, 705) ==
              (is_unusable(b) && (b < 8 || b > 11) ? q : 0));
    }
    CHECK_OK(aia_quality_describe(0, NULL, buf, sizeof buf));
    CHECK(strcmp(buf, "nominal") == 0);
    /* combinations: eclipse + dark, and the real 1600 A cutout's value
     * (missing pixels 8-11, calibration 18, register 21, quicklook 30) */
    CHECK_OK(aia_quality_describe((1u << 13) | (1u << 16), " | ", buf, sizeof buf));
    CHECK(strcmp(buf, "Spacecraft eclipse flag is set (coincides with ACS_ECLP keyword set to YES) | Dark image "
                      "flag is set (coincides with IMG_TYPE keyword set to DARK)") == 0);
    const uint32_t real = 1076104960u; /* 0x40240f00 */
    CHECK(aia_quality_flags_that_apply(real, AIA_QUALITY_UNUSABLE, 854, 480) == 1u << 18);
    CHECK(aia_quality_flags_that_apply(real, AIA_QUALITY_UNUSABLE, 4096, 4096) == ((1u << 10) | (1u << 11) | (1u << 18)));
    CHECK(aia_quality_flags_that_apply(real, 1u << 30, 854, 480) == 1u << 30); /* a mask that asks for quicklook */
    CHECK(aia_quality_flags_that_apply(0x80000000u, AIA_QUALITY_UNUSABLE, 64, 64) == 0x80000000u);
    CHECK_FAILS(aia_quality_describe(real, NULL, buf, 20), AIA_ERR_RANGE, "do not fit");
}

/* ---- prep's decision ----------------------------------------------------- */

typedef struct outcome {
    int n;
    aia_prep_status status[64];
    char warnings[64][256], message[64][256];
    uint32_t skipped_for[64];
} outcome;

static void on_item(const aia_prep_item *item, void *user)
{
    outcome *o = user;
    /* inputs are named q<NN>.fits: NN the case */
    const char *base = strrchr(aia_prep_item_input(item), '/');
    const int k = atoi(base + 2);
    o->status[k] = aia_prep_item_status(item);
    snprintf(o->warnings[k], sizeof o->warnings[k], "%s", aia_prep_item_warnings(item));
    snprintf(o->message[k], sizeof o->message[k], "%s", aia_prep_item_message(item));
    aia_prep_item_quality(item, NULL, &o->skipped_for[k]);
    o->n++;
}

/* A small full-disk frame with QUALITY = q, written as case k. */
static void write_case(aia_image *frame, int k, long long q, char paths[][512])
{
    snprintf(paths[k], 512, "%s", test_path(""));
    snprintf(paths[k] + strlen(paths[k]), 512 - strlen(paths[k]), "q%02d.fits", k);
    aia_header_set_long(frame->header, "QUALITY", q, NULL);
    aia_write_options w;
    aia_write_options_default(&w);
    w.overwrite = 1;
    CHECK_OK(aia_image_write(frame, paths[k], &w, NULL));
}

static aia_pipeline_summary run(const char *mode, const char *mask, char paths[][512], int n, outcome *o,
                                const char *log)
{
    aia_prep_options *p = aia_prep_options_new();
    char outdir[600];
    snprintf(outdir, sizeof outdir, "%s/%s-%s", test_tmpdir(), mode, mask ? mask : "default");
    mkdir(outdir, 0777);
    CHECK_OK(aia_prep_option(p, "output", outdir));
    CHECK_OK(aia_prep_option(p, "quality", mode));
    if (mask)
        CHECK_OK(aia_prep_option(p, "quality-mask", mask));
    CHECK_OK(aia_prep_option(p, "overwrite", NULL));
    aia_pipeline_options po;
    aia_pipeline_options_default(&po);
    po.threads = 2;
    po.on_item = on_item;
    po.user = o;
    FILE *f = log ? fopen(log, "w") : NULL;
    po.log = f;
    const char *inputs[64];
    for (int i = 0; i < n; i++)
        inputs[i] = paths[i];
    memset(o, 0, sizeof *o);
    aia_pipeline_summary sum;
    CHECK_OK(aia_pipeline_run(inputs, n, p, &po, &sum));
    if (f)
        fclose(f);
    aia_prep_options_free(p);
    return sum;
}

static void test_decisions(void)
{
    aia_image *frame = test_synth(171, 64, 0.0, 3);
    if (!frame)
        return;
    char paths[34][512];
    for (int b = 0; b < 32; b++) /* case b: bit b alone; written as FITS int32 */
        write_case(frame, b, b == 31 ? -2147483648LL : 1LL << b, paths);
    write_case(frame, 32, (1 << 13) | (1 << 16) | (1 << 30), paths); /* eclipse + dark + quicklook */
    write_case(frame, 33, 1076104960LL, paths);                      /* the real cutout's value */
    aia_image_free(frame);
    const int n = 34;
    outcome o;

    aia_pipeline_summary s = run("skip", NULL, paths, n, &o, test_path("skip.jsonl"));
    CHECK(o.n == n);
    long expect_skipped = 0;
    for (int b = 0; b < 32; b++) {
        /* a 64 px frame is smaller than the CCD: bits 8-11 never count */
        const int skip = is_unusable(b) && (b < 8 || b > 11);
        expect_skipped += skip;
        CHECK_MSG(o.status[b] == (skip ? AIA_PREP_SKIPPED : AIA_PREP_DONE), "bit %d: status %d", b, o.status[b]);
        CHECK_MSG(o.skipped_for[b] == (skip ? 1u << b : 0u), "bit %d: skipped for 0x%x", b, o.skipped_for[b]);
        if (skip)
            CHECK_MSG(strstr(o.message[b], expected[b]) && strstr(o.message[b], "--quality skip"), "bit %d: '%s'",
                      b, o.message[b]);
    }
    CHECK(o.status[32] == AIA_PREP_SKIPPED && o.skipped_for[32] == ((1u << 13) | (1u << 16)));
    CHECK(o.status[33] == AIA_PREP_SKIPPED && o.skipped_for[33] == 1u << 18);
    expect_skipped += 2;
    CHECK_MSG(s.skipped == expect_skipped && s.skipped_quality == expect_skipped && s.failed == 0 &&
                  s.done == n - expect_skipped,
              "%ld done, %ld skipped (%ld for quality), %ld failed", s.done, s.skipped, s.skipped_quality, s.failed);
    CHECK(s.skipped_by_flag[13] == 2 && s.skipped_by_flag[16] == 2 && s.skipped_by_flag[18] == 2 &&
          s.skipped_by_flag[30] == 0 && s.skipped_by_flag[10] == 0 && s.skipped_by_flag[31] == 1);
    /* the log: every flag decoded, and what it was skipped for */
    FILE *f = fopen(test_path("skip.jsonl"), "r");
    char line[8192];
    int lines = 0, cutout_line = 0;
    while (f && fgets(line, sizeof line, f)) {
        lines++;
        if (strstr(line, "q33.fits")) {
            cutout_line = 1;
            CHECK(strstr(line, "\"value\": 1076104960") && strstr(line, "\"Quicklook image\"") &&
                  strstr(line, "\"Register flag is set\"") && strstr(line, "\"skipped_for\": [\"calibration\"]") &&
                  strstr(line, "\"status\": \"skipped\""));
        }
    }
    if (f)
        fclose(f);
    CHECK(lines == n && cutout_line);

    /* warn: everything done; a warning for the flags of the mask */
    run("warn", NULL, paths, n, &o, NULL);
    for (int b = 0; b < 32; b++) {
        const int flagged = is_unusable(b) && (b < 8 || b > 11);
        CHECK_MSG(o.status[b] == AIA_PREP_DONE, "warn, bit %d: status %d", b, o.status[b]);
        CHECK_MSG(!!strstr(o.warnings[b], "QUALITY") == flagged && (!flagged || strstr(o.warnings[b], expected[b])),
                  "warn, bit %d: '%s'", b, o.warnings[b]);
    }
    CHECK(strstr(o.warnings[33], "Calibration image") && !strstr(o.warnings[33], "Quicklook"));
    /* ignore: done, no word */
    run("ignore", NULL, paths, n, &o, NULL);
    for (int b = 0; b < n; b++)
        CHECK_MSG(o.status[b] == AIA_PREP_DONE && !strstr(o.warnings[b], "QUALITY"), "ignore, case %d", b);
    /* another mask: quicklook only, by bit number */
    s = run("skip", "30", paths, n, &o, NULL);
    CHECK(s.skipped == 3 && o.status[30] == AIA_PREP_SKIPPED && o.status[32] == AIA_PREP_SKIPPED &&
          o.status[33] == AIA_PREP_SKIPPED && o.status[18] == AIA_PREP_DONE && s.skipped_by_flag[30] == 3);
}

/* On the full CCD the missing-pixel bits count: a 4096 x 4096 frame with
 * the real cutout's QUALITY is skipped for > 5% and > 25% missing and
 * calibration (skipped before any registration: no disk needed). */
static void test_full_frame_missing_bits(void)
{
    aia_image *img = NULL;
    CHECK_OK(aia_image_create(4096, 4096, AIA_PIX_F32, &img));
    if (!img)
        return;
    aia_header_set_long(img->header, "WAVELNTH", 171, NULL);
    char paths[1][512];
    write_case(img, 0, 1076104960LL, paths);
    aia_image_free(img);
    outcome o;
    aia_pipeline_summary s = run("skip", NULL, paths, 1, &o, NULL);
    CHECK_MSG(o.status[0] == AIA_PREP_SKIPPED && o.skipped_for[0] == ((1u << 10) | (1u << 11) | (1u << 18)),
              "status %d, skipped for 0x%x: %s", o.status[0], o.skipped_for[0], o.message[0]);
    CHECK(s.skipped_by_flag[10] == 1 && s.skipped_by_flag[11] == 1 && s.skipped_by_flag[9] == 0);
}

/* The real JSOC 1600 A cutout: calibration image, skipped by default. */
static void test_real_cutout(const char *shared)
{
    char paths[1][512];
    snprintf(paths[0], sizeof paths[0], "%s/data/real/aia_lev1_1600a_2012_06_06_cutout.fits", shared);
    aia_prep_options *p = aia_prep_options_new();
    aia_prep_option(p, "output", test_path("real"));
    aia_prep_option(p, "quality", "skip");
    aia_prep_item *it = aia_prep_item_new();
    CHECK_OK(aia_prep_item_init(it, paths[0], p));
    CHECK_OK(aia_prep_load(it, p));
    uint32_t q = 0, why = 0;
    CHECK(aia_prep_item_quality(it, &q, &why) == 1 && q == 1076104960u && why == 1u << 18);
    CHECK(aia_prep_item_status(it) == AIA_PREP_SKIPPED && strstr(aia_prep_item_message(it), "Calibration image"));
    aia_prep_item_free(it);
    aia_prep_options_free(p);
}

/* The options' words and numbers; bad ones say what they take. */
static void test_option_values(void)
{
    aia_prep_options *p = aia_prep_options_new();
    static const char *const good_masks[] = {"0x8007fc00", "0X0", "13,16,18", "18", "0,31"};
    for (size_t i = 0; i < sizeof good_masks / sizeof good_masks[0]; i++)
        CHECK_MSG(aia_prep_option(p, "quality-mask", good_masks[i]) == AIA_OK, "'%s': %s", good_masks[i],
                  aia_last_error());
    static const char *const bad_masks[] = {"", "32", "-1", "0x1ffffffff", "13,,16", "13,", "eclipse", "0x"};
    for (size_t i = 0; i < sizeof bad_masks / sizeof bad_masks[0]; i++)
        CHECK_FAILS(aia_prep_option(p, "quality-mask", bad_masks[i]), AIA_ERR_ARG, "--quality-mask needs");
    CHECK_FAILS(aia_prep_option(p, "quality", "sometimes"), AIA_ERR_ARG, "warn, skip, ignore");
    static const char *const good_missing[] = {"nan", "min", "0", "-3.5", "1e3"};
    for (size_t i = 0; i < sizeof good_missing / sizeof good_missing[0]; i++)
        CHECK_OK(aia_prep_option(p, "missing", good_missing[i]));
    static const char *const bad_missing[] = {"", "NaNa", "inf", "1x", "minimum"};
    for (size_t i = 0; i < sizeof bad_missing / sizeof bad_missing[0]; i++)
        CHECK_FAILS(aia_prep_option(p, "missing", bad_missing[i]), AIA_ERR_ARG, "a number, nan or min");
    CHECK_OK(aia_prep_option(p, "scale", "1.2"));
    static const char *const bad_scale[] = {"0", "-0.6", "x", "", "1e9"};
    for (size_t i = 0; i < sizeof bad_scale / sizeof bad_scale[0]; i++)
        CHECK_FAILS(aia_prep_option(p, "scale", bad_scale[i]), AIA_ERR_ARG, "--scale needs");
    aia_prep_options_free(p);
}

int main(void)
{
    test_table();
    test_option_values();
    test_decisions();
    test_full_frame_missing_bits();
    const char *shared = test_shared_dir();
    if (shared)
        test_real_cutout(shared);
    else
        printf("test_quality: the real cutout's case SKIPPED: no shared data folder (set AIAPREP_DATA)\n");
    return test_done("test_quality");
}
