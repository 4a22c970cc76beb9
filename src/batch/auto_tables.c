/* auto_tables.c — the tables behind `--pointing auto`, `--degradation
 * auto` and `--uncertainty auto`: taken from the cache (aia_fetch_*, which
 * fetches what is missing unless offline), read once per run and shared by
 * its threads. The pointing table is the one of each input's day. */
#include "batch/batch.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct day_table {
    char day[11];
    aia_pointing_table *table;
    aia_table_ref ref;
} day_table;

struct aia_auto_tables {
    pthread_mutex_t lock;
    day_table **days;
    int ndays, cap;
    aia_response_table *response;
    aia_uncertainty_table *errors;
    aia_table_ref response_ref, errors_ref;
};

aia_auto_tables *aia_auto_tables_new(void)
{
    aia_auto_tables *a = calloc(1, sizeof *a);
    if (a)
        pthread_mutex_init(&a->lock, NULL);
    return a;
}

void aia_auto_tables_free(aia_auto_tables *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->ndays; i++) {
        aia_pointing_table_free(a->days[i]->table);
        free(a->days[i]);
    }
    free(a->days);
    aia_response_table_free(a->response);
    aia_uncertainty_table_free(a->errors);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* The UTC day of a frame: T_OBS (what the pointing step looks up), else
 * DATE-OBS. */
static int frame_day(const aia_header *hdr, char day[11])
{
    aia_meta m;
    aia_meta_parse(hdr, &m);
    const char *t = m.state[AIA_KEY_T_OBS] == AIA_KEYSTATE_OK        ? m.t_obs
                    : m.state[AIA_KEY_DATE_OBS] == AIA_KEYSTATE_OK ? m.date_obs
                                                                   : NULL;
    int y, mo, d;
    if (!t || sscanf(t, "%4d-%2d-%2d", &y, &mo, &d) != 3)
        return aia_fail(AIA_ERR_KEY_MISSING, "no T_OBS or DATE-OBS to choose the day's pointing table by");
    snprintf(day, 11, "%04d-%02d-%02d", y, mo, d);
    return AIA_OK;
}

int aia_auto_pointing(aia_auto_tables *a, const aia_prep_options *o, const aia_header *hdr,
                      const aia_pointing_table **table, const aia_table_ref **ref)
{
    char day[11];
    int st = frame_day(hdr, day);
    if (st)
        return st;
    pthread_mutex_lock(&a->lock); /* one fetch per day, whichever thread asks first */
    for (int i = 0; i < a->ndays; i++)
        if (strcmp(a->days[i]->day, day) == 0) {
            *table = a->days[i]->table;
            *ref = &a->days[i]->ref;
            pthread_mutex_unlock(&a->lock);
            return AIA_OK;
        }
    char path[PATH_MAX];
    day_table *e = calloc(1, sizeof *e);
    st = e ? aia_fetch_pointing(&o->fetch, day, path, sizeof path) : aia_fail(AIA_ERR_NOMEM, "out of memory");
    st = st ? st : aia_pointing_table_read(path, &e->table);
    st = st ? st : aia_table_ref_of(path, &e->ref);
    if (!st && a->ndays == a->cap) {
        const int cap = a->cap ? 2 * a->cap : 8;
        day_table **grown = realloc(a->days, (size_t)cap * sizeof *grown);
        if (grown) {
            a->days = grown;
            a->cap = cap;
        } else {
            st = aia_fail(AIA_ERR_NOMEM, "out of memory");
        }
    }
    if (st) {
        if (e)
            aia_pointing_table_free(e->table);
        free(e);
    } else {
        snprintf(e->day, sizeof e->day, "%s", day);
        a->days[a->ndays++] = e;
        *table = e->table;
        *ref = &e->ref;
    }
    pthread_mutex_unlock(&a->lock);
    return st;
}

/* A table that does not depend on the input, read on first use. */
#define AUTO_TABLE(fn, field, ref_field, type, reader, name_expr)                                  \
    int fn(aia_auto_tables *a, const aia_prep_options *o, const type **table, const aia_table_ref **ref) \
    {                                                                                              \
        pthread_mutex_lock(&a->lock);                                                              \
        int st = AIA_OK;                                                                           \
        if (!a->field) {                                                                           \
            const char *name = (name_expr);                                                        \
            char path[PATH_MAX];                                                                   \
            st = name ? aia_fetch_ssw_table(&o->fetch, name, path, sizeof path)                    \
                      : aia_fail(AIA_ERR_UNSUPPORTED, "no SSW response table is known for calibration " \
                                                      "version %d: give --degradation TABLE",         \
                                 o->degradation_version);                                          \
            st = st ? st : reader(path, &a->field);                                                \
            st = st ? st : aia_table_ref_of(path, &a->ref_field);                                  \
        }                                                                                          \
        *table = a->field;                                                                         \
        *ref = &a->ref_field;                                                                      \
        pthread_mutex_unlock(&a->lock);                                                            \
        return st;                                                                                 \
    }
AUTO_TABLE(aia_auto_response, response, response_ref, aia_response_table, aia_response_table_read,
           aia_response_table_name(o->degradation_version))
AUTO_TABLE(aia_auto_errors, errors, errors_ref, aia_uncertainty_table, aia_uncertainty_table_read,
           aia_error_table_name())
#undef AUTO_TABLE

int aia_prep_prefetch(const aia_prep_options *o)
{
    aia_clear_error();
    int st = AIA_OK;
    if (o->degradation_auto) {
        const char *name = aia_response_table_name(o->degradation_version);
        st = name ? aia_fetch_ssw_table(&o->fetch, name, NULL, 0)
                  : aia_fail(AIA_ERR_UNSUPPORTED, "no SSW response table is known for calibration version %d: "
                                                  "give --degradation TABLE",
                             o->degradation_version);
    }
    if (!st && o->uncertainty_auto)
        st = aia_fetch_ssw_table(&o->fetch, aia_error_table_name(), NULL, 0);
    return st;
}
