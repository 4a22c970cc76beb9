/* table.c — the calibration tables as text: a header line of column names,
 * then rows, separated by commas (the daily pointing CSV) or by blanks (the
 * SSW response and error tables, JSOC text exports). Empty CSV fields stay
 * empty: the pointing table has them. */
#include "core/table.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void aia_table_free(aia_table *t)
{
    if (!t)
        return;
    free(t->names);
    free(t->cells);
    free(t->text);
    free(t);
}

/* A text table of at most this size: the largest real one (the master
 * pointing table of the whole mission) is a few MB. */
#define MAX_TABLE_BYTES (256L << 20)

/* The whole file as a string (*text), or a status with the reason. */
static int read_file(const char *path, char **text, long *size)
{
    *text = NULL;
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        const int e = errno;
        if (fd >= 0)
            close(fd);
        return aia_fail(AIA_ERR_IO, "%s: cannot read the table: %s", path, strerror(e));
    }
    int st = AIA_OK;
    char *buf = NULL;
    if (S_ISDIR(sb.st_mode))
        st = aia_fail(AIA_ERR_NOT_REGULAR, "%s: is a directory, not a table", path);
    else if (!S_ISREG(sb.st_mode))
        st = aia_fail(AIA_ERR_NOT_REGULAR, "%s: not a regular file, not a table", path);
    else if (sb.st_size > MAX_TABLE_BYTES)
        st = aia_fail(AIA_ERR_BAD_DATA, "%s: %lld bytes, more than any calibration table (at most %ld MiB)", path,
                      (long long)sb.st_size, MAX_TABLE_BYTES >> 20);
    else if (!(buf = malloc((size_t)sb.st_size + 1)))
        st = aia_fail(AIA_ERR_NOMEM, "%s: out of memory for the table", path);
    const long n = (long)sb.st_size;
    long got = 0;
    while (!st && got < n) {
        const ssize_t r = read(fd, buf + got, (size_t)(n - got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            st = aia_fail(AIA_ERR_IO, "%s: cannot read the table: %s", path, r < 0 ? strerror(errno) : "it ended early");
        else
            got += r;
    }
    close(fd);
    if (!st && memchr(buf, '\0', (size_t)n))
        st = aia_fail(AIA_ERR_BAD_DATA, "%s: holds NUL bytes: a binary file, not a text table", path);
    if (st) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *size = n;
    return AIA_OK;
}

/* Split one line in place into fields; returns the count, or max + 1 when
 * there are more than max. */
static int split(char *line, int csv, char **fields, int max)
{
    int n = 0;
    if (csv) {
        char *p = line;
        for (;;) {
            if (n == max)
                return max + 1; /* more fields than max */
            fields[n++] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
    } else {
        char *save = NULL;
        for (char *p = strtok_r(line, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
            if (n == max)
                return max + 1;
            fields[n++] = p;
        }
    }
    for (int i = 0; i < n; i++) { /* trim blanks and quotes */
        char *f = fields[i];
        while (*f == ' ' || *f == '"')
            f++;
        size_t len = strlen(f);
        while (len && (f[len - 1] == ' ' || f[len - 1] == '"' || f[len - 1] == '\r'))
            f[--len] = '\0';
        fields[i] = f;
    }
    return n;
}

int aia_table_read(const char *path, aia_table **out)
{
    *out = NULL;
    long size = 0;
    char *text = NULL;
    const int rst = read_file(path, &text, &size);
    if (rst)
        return rst;
    aia_table *t = calloc(1, sizeof *t);
    if (!t) {
        free(text);
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    }
    t->text = text;
    /* lines; '#' comments and blank lines skipped */
    long nlines = 0;
    for (char *p = text; *p; p++)
        nlines += *p == '\n';
    char **lines = calloc((size_t)nlines + 2, sizeof *lines);
    long count = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && lines; line = strtok_r(NULL, "\n", &save)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#' && *p != '\r')
            lines[count++] = line;
    }
    int st = AIA_OK;
    if (!lines)
        st = aia_fail(AIA_ERR_NOMEM, "out of memory");
    else if (count < 1)
        st = aia_fail(AIA_ERR_BAD_DATA, "%s: the table is empty", path);
    if (!st) {
        const int csv = strchr(lines[0], ',') != NULL;
        enum { MAXCOLS = 256 };
        char *fields[MAXCOLS];
        t->ncols = split(lines[0], csv, fields, MAXCOLS);
        if (t->ncols > MAXCOLS)
            st = aia_fail(AIA_ERR_BAD_DATA, "%s: more than %d columns: not a calibration table", path, MAXCOLS);
        if (!st) {
            t->names = malloc(sizeof(char *) * (size_t)t->ncols);
            t->cells = calloc((size_t)(count - 1) * (size_t)t->ncols + 1, sizeof(char *));
        }
        if (!st && (!t->names || !t->cells))
            st = aia_fail(AIA_ERR_NOMEM, "out of memory");
        for (int i = 0; !st && i < t->ncols; i++)
            t->names[i] = fields[i];
        for (long r = 1; !st && r < count; r++) {
            int n = split(lines[r], csv, fields, MAXCOLS);
            if (n != t->ncols)
                st = aia_fail(AIA_ERR_BAD_DATA, "%s: row %ld has %d fields, the header %d", path, r, n,
                              t->ncols);
            for (int i = 0; !st && i < n; i++)
                t->cells[(r - 1) * t->ncols + i] = fields[i];
        }
        t->nrows = count - 1;
    }
    free(lines);
    if (st) {
        aia_table_free(t);
        return st;
    }
    *out = t;
    return AIA_OK;
}

int aia_table_column(const aia_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcasecmp(t->names[i], name) == 0)
            return i;
    return -1;
}

void aia_calib_table_free(aia_calib_table *c)
{
    if (!c)
        return;
    aia_table_free(c->t);
    free(c->start);
    free(c->stop);
    free(c);
}

static int read_intervals(aia_calib_table *c, int c_start, int c_stop)
{
    const aia_table *t = c->t;
    c->start = malloc(sizeof(aia_time) * (size_t)(t->nrows + 1));
    c->stop = malloc(sizeof(aia_time) * (size_t)(t->nrows + 1));
    if (!c->start || !c->stop)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    int st = AIA_OK;
    for (long r = 0; !st && r < t->nrows; r++) {
        st = aia_time_parse(aia_table_cell(t, r, c_start), &c->start[r]);
        if (!st)
            st = aia_time_parse(aia_table_cell(t, r, c_stop), &c->stop[r]);
        if (st)
            aia_error_prefix(c->path);
    }
    return st;
}

int aia_calib_table_new(const char *path, const char *kind, const char *const *names, int n, const int *interval,
                        aia_calib_table **out)
{
    *out = NULL;
    if (n > AIA_CALIB_MAX_COLUMNS)
        return aia_fail(AIA_ERR_ARG, "%s: %d columns asked for", kind, n);
    aia_calib_table *c = calloc(1, sizeof *c);
    if (!c)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    snprintf(c->path, sizeof c->path, "%s", path);
    int st = aia_table_read(path, &c->t);
    for (int k = 0; !st && k < n; k++)
        if ((c->col[k] = aia_table_column(c->t, names[k])) < 0)
            st = aia_fail(AIA_ERR_BAD_DATA, "%s: not %s: no %s column", path, kind, names[k]);
    if (!st && interval)
        st = read_intervals(c, c->col[interval[0]], c->col[interval[1]]);
    if (st) {
        aia_calib_table_free(c);
        return st;
    }
    *out = c;
    return AIA_OK;
}

int aia_table_number(const aia_table *t, long row, int col, double *v)
{
    const char *s = aia_table_cell(t, row, col);
    if (!s || !*s || strcasecmp(s, "MISSING") == 0)
        return -1;
    char *end;
    errno = 0;
    const double x = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}
