/* table.h — the text tables calibration files come in: CSV or
 * whitespace-separated, a header line of column names (table.c). Internal. */
#ifndef AIAPREP_CORE_TABLE_H
#define AIAPREP_CORE_TABLE_H

#include "core/time.h"

typedef struct aia_table {
    int ncols;
    long nrows;
    char **names;  /* ncols column names                 */
    char **cells;  /* nrows * ncols strings ("" if empty) */
    char *text;    /* the file, owning the strings        */
} aia_table;

int aia_table_read(const char *path, aia_table **out);
void aia_table_free(aia_table *t);
/* Column index by name (case-insensitive), -1 if absent. */
int aia_table_column(const aia_table *t, const char *name);
static inline const char *aia_table_cell(const aia_table *t, long row, int col)
{
    return t->cells[row * t->ncols + col];
}
/* A numeric cell: 0 and the value, or -1 when empty/not a number/"MISSING"/NaN. */
int aia_table_number(const aia_table *t, long row, int col, double *v);
/* A calibration table as the steps use it (pointing, response, error
 * tables): the text table, the index of each column its kind must have,
 * and, when it has them, each row's validity interval. */
enum { AIA_CALIB_MAX_COLUMNS = 16 };
typedef struct aia_calib_table {
    aia_table *t;
    int col[AIA_CALIB_MAX_COLUMNS]; /* of names[0..n)                     */
    aia_time *start, *stop;         /* per row; NULL without intervals    */
    char path[1024];
} aia_calib_table;

/* Read path as `kind` ("a pointing table", for messages): the columns
 * names[0..n) must all be there ("PATH: not KIND: no NAME column");
 * interval, if not NULL, gives the indices in names of the T_START and
 * T_STOP columns, parsed as times. */
int aia_calib_table_new(const char *path, const char *kind, const char *const *names, int n, const int *interval,
                        aia_calib_table **out);
void aia_calib_table_free(aia_calib_table *c);

#endif
