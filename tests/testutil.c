/* testutil.c — helpers shared by the test programs. */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_checks, test_failures;
static char tmpdir[PATH_MAX];

int test_done(const char *name)
{
    test_cleanup();
    printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
    return test_failures ? 1 : 0;
}

int test_skip(const char *name, const char *reason)
{
    test_cleanup();
    printf("%s: SKIPPED: %s\n", name, reason);
    return 77;
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        int n = snprintf(tmpdir, sizeof tmpdir, "%s/aiaprep-test-XXXXXX", base ? base : "/tmp");
        if (n < 0 || (size_t)n >= sizeof tmpdir || !mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *test_path(const char *name)
{
    static char bufs[8][PATH_MAX];
    static int next;
    char *b = bufs[next++ % 8];
    int n = snprintf(b, PATH_MAX, "%s/%s", test_tmpdir(), name);
    if (n < 0 || n >= PATH_MAX)
        abort();
    return b;
}

void test_cleanup(void)
{
    if (!tmpdir[0])
        return;
    char cmd[2 * PATH_MAX + 40];
    int n = snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' && rm -rf '%s'", tmpdir, tmpdir);
    if (n < 0 || (size_t)n >= sizeof cmd || system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    tmpdir[0] = '\0';
}

const char *test_shared_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("AIAPREP_DATA");
    snprintf(dir, sizeof dir, "%s", env && *env ? env : AIAPREP_DEFAULT_SHARED);
    struct stat sb;
    return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) ? dir : NULL;
}

aia_image *test_synth(int channel, long size, double roll, uint64_t seed)
{
    aia_synth_params p;
    aia_image *img = NULL;
    if (aia_synth_defaults(channel, size, &p) != AIA_OK)
        return NULL;
    p.roll_deg = roll;
    p.seed = seed;
    if (aia_synth(&p, &img) != AIA_OK) {
        fprintf(stderr, "synth failed: %s\n", aia_last_error());
        return NULL;
    }
    return img;
}
