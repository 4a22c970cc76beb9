/* json.h — a small JSON reader (json.c) for the answers of JSOC's
 * jsoc_info interface: objects, arrays, strings, numbers (kept as their
 * text), true/false/null; and the string writer of the log and the cache's
 * sidecars. Internal. */
#ifndef AIAPREP_CORE_JSON_H
#define AIAPREP_CORE_JSON_H

#include "core/core.h"

#include <stdio.h>

typedef enum aia_json_type {
    AIA_JSON_NULL,
    AIA_JSON_BOOL,
    AIA_JSON_NUMBER,
    AIA_JSON_STRING,
    AIA_JSON_ARRAY,
    AIA_JSON_OBJECT
} aia_json_type;

typedef struct aia_json {
    aia_json_type type;
    char *text;             /* STRING: the value (UTF-8); NUMBER: as written; BOOL: "true"/"false" */
    size_t n;               /* ARRAY/OBJECT: number of items                                       */
    struct aia_json *items; /* ARRAY/OBJECT: the values                                            */
    char **keys;            /* OBJECT: the names of items                                          */
} aia_json;

/* Parse len bytes. Fails (AIA_ERR_BAD_DATA, "not JSON: ... at byte N")
 * on anything that is not one JSON value with only white space around. */
int aia_json_parse(const char *text, size_t len, aia_json **out);
void aia_json_free(aia_json *v);

/* The member of an object by name, or NULL. */
const aia_json *aia_json_member(const aia_json *obj, const char *key);

/* s as a JSON string, quotes included (", \ and control characters
 * escaped; other bytes as they are). */
void aia_json_write_string(FILE *f, const char *s);

#endif
