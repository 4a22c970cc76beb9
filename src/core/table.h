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
/* The columns names[0..n) into cols[], or fail naming the first missing one:
 * "PATH: not KIND: no NAME column". */
int aia_table_require(const aia_table *t, const char *const *names, int n, int *cols, const char *path,
                      const char *kind);
/* Each row's validity interval, columns c_start and c_stop parsed as times,
 * into two new arrays of nrows (the caller frees them, also on failure). */
int aia_table_intervals(const aia_table *t, int c_start, int c_stop, const char *path, aia_time **start,
                        aia_time **stop);

#endif
