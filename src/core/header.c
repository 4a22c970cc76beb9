/* header.c — FITS headers as an ordered list of raw 80-character cards.
 *
 * Cards are kept verbatim so that outputs carry every input card forward in
 * order. Values are parsed on demand and tolerantly: real AIA files contain
 * undefined values, 'nan' strings and unterminated strings (the IDL cutout in
 * the sample data has all three). cfitsio splits value from comment; the
 * conversions to numbers are ours so that malformed values can be reported
 * rather than guessed. */
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <fitsio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CARD_LEN 80
/* What cfitsio's ffpsvc may write into a value or comment: its FLEN_VALUE
 * (71) is too small for a card whose '=' stands before column 9 (it then
 * writes up to 73 bytes), so these buffers hold a whole card and more. */
#define VALUE_BUF (2 * FLEN_CARD)

typedef struct card {
    char text[CARD_LEN + 1];
} card;

struct aia_header {
    card *cards;
    size_t count, capacity;
};

aia_header *aia_header_new(void) { return calloc(1, sizeof(aia_header)); }

void aia_header_free(aia_header *hdr)
{
    if (!hdr)
        return;
    free(hdr->cards);
    free(hdr);
}

int aia_header_copy(const aia_header *src, aia_header **out)
{
    *out = NULL;
    aia_header *h = aia_header_new();
    if (!h)
        return aia_fail(AIA_ERR_NOMEM, "out of memory copying a header");
    if (src->count) {
        h->cards = malloc(src->count * sizeof(card));
        if (!h->cards) {
            free(h);
            return aia_fail(AIA_ERR_NOMEM, "out of memory copying a header");
        }
        memcpy(h->cards, src->cards, src->count * sizeof(card));
        h->count = h->capacity = src->count;
    }
    *out = h;
    return AIA_OK;
}

size_t aia_header_count(const aia_header *hdr) { return hdr->count; }

const char *aia_header_card(const aia_header *hdr, size_t i)
{
    return i < hdr->count ? hdr->cards[i].text : NULL;
}

/* The keyword of a card: its first 8 characters without trailing spaces. */
static void card_keyword(const char *text, char kw[9])
{
    memcpy(kw, text, 8);
    kw[8] = '\0';
    for (int i = 7; i >= 0 && kw[i] == ' '; i--)
        kw[i] = '\0';
}

long aia_header_find(const aia_header *hdr, const char *key)
{
    for (size_t i = 0; i < hdr->count; i++) {
        char kw[9];
        card_keyword(hdr->cards[i].text, kw);
        if (strcasecmp(kw, key) == 0)
            return (long)i;
    }
    return -1;
}

static int grow(aia_header *hdr)
{
    if (hdr->count < hdr->capacity)
        return AIA_OK;
    size_t cap = hdr->capacity ? hdr->capacity * 2 : 64;
    card *c = realloc(hdr->cards, cap * sizeof(card));
    if (!c)
        return aia_fail(AIA_ERR_NOMEM, "out of memory growing a header");
    hdr->cards = c;
    hdr->capacity = cap;
    return AIA_OK;
}

static void set_card_text(card *c, const char *text)
{
    size_t n = strnlen(text, CARD_LEN);
    memcpy(c->text, text, n);
    memset(c->text + n, ' ', CARD_LEN - n);
    c->text[CARD_LEN] = '\0';
}

int aia_header_append_card(aia_header *hdr, const char *text)
{
    int st = grow(hdr);
    if (st)
        return st;
    set_card_text(&hdr->cards[hdr->count++], text);
    return AIA_OK;
}

/* ---- value parsing ------------------------------------------------------ */

/* The raw value field of a card as cfitsio splits it ("" when undefined). */
static int raw_value(const aia_header *hdr, const char *key, char value[VALUE_BUF], char comment[VALUE_BUF])
{
    long i = aia_header_find(hdr, key);
    if (i < 0)
        return aia_fail(AIA_ERR_KEY_MISSING, "key %s is missing", key);
    char text[CARD_LEN + 1];
    memcpy(text, hdr->cards[i].text, sizeof text);
    int fst = 0;
    value[0] = comment[0] = '\0';
    if (ffpsvc(text, value, comment, &fst)) {
        fits_clear_errmsg();
        return aia_fail(AIA_ERR_KEY_MALFORMED, "key %s: card cannot be parsed", key);
    }
    return AIA_OK;
}

/* Unquote a FITS string value in place: strip quotes, undo doubled quotes,
 * trim trailing blanks. An unterminated string runs to the end. */
static void unquote(char *v)
{
    if (v[0] != '\'')
        return;
    char *src = v + 1, *dst = v;
    while (*src) {
        if (*src == '\'') {
            if (src[1] == '\'') {
                *dst++ = '\'';
                src += 2;
                continue;
            }
            break; /* closing quote */
        }
        *dst++ = *src++;
    }
    *dst = '\0';
    while (dst > v && dst[-1] == ' ')
        *--dst = '\0';
}

static void trim(char *s)
{
    char *p = s;
    while (*p == ' ')
        p++;
    memmove(s, p, strlen(p) + 1);
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
}

/* The raw value of a card that must have one (not undefined). */
static int defined_value(const aia_header *hdr, const char *key, char value[VALUE_BUF])
{
    char comment[VALUE_BUF];
    int st = raw_value(hdr, key, value, comment);
    if (!st && value[0] == '\0')
        return aia_fail(AIA_ERR_KEY_MALFORMED, "key %s has no value (undefined)", key);
    return st;
}

int aia_header_get_string(const aia_header *hdr, const char *key, char *buf, size_t bufsize)
{
    char value[VALUE_BUF];
    int st = defined_value(hdr, key, value);
    if (st)
        return st;
    unquote(value);
    trim(value);
    if (strlen(value) >= bufsize)
        return aia_fail(AIA_ERR_KEY_MALFORMED, "key %s: value longer than %zu characters",
                        key, bufsize - 1);
    memcpy(buf, value, strlen(value) + 1);
    return AIA_OK;
}

/* Parse a FITS number (D exponents allowed); the whole text must be used. */
static int parse_number(char *text, double *out)
{
    for (char *p = text; *p; p++)
        if (*p == 'D' || *p == 'd')
            *p = 'E';
    if (!text[0])
        return 0;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE)
        return 0;
    *out = v;
    return 1;
}

int aia_header_get_double(const aia_header *hdr, const char *key, double *out)
{
    char value[VALUE_BUF];
    int st = defined_value(hdr, key, value);
    if (st)
        return st;
    char text[VALUE_BUF];
    memcpy(text, value, sizeof text);
    unquote(text); /* IDL sometimes writes numbers as strings */
    trim(text);
    double v;
    if (!parse_number(text, &v))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "key %s: value %s is not a number", key, value);
    if (!isfinite(v))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "key %s: value %s is not finite", key, value);
    *out = v;
    return AIA_OK;
}

int aia_header_get_long(const aia_header *hdr, const char *key, long long *out)
{
    double v;
    int st = aia_header_get_double(hdr, key, &v);
    if (st)
        return st;
    if (v != floor(v) || fabs(v) > 9.2e18)
        return aia_fail(AIA_ERR_KEY_MALFORMED, "key %s: value %.17g is not an integer", key, v);
    *out = (long long)v;
    return AIA_OK;
}

/* ---- setting values ----------------------------------------------------- */

/* Put a formatted value into the first card with key, or a new card. */
/* A keyword a card can be made for: 1 to 8 of A-Z, 0-9, '_', '-' (FITS
 * standard §4.1.2.1; lower case is taken as upper case, as find does). */
static int valid_keyword(const char *key)
{
    const size_t n = strlen(key);
    if (n < 1 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)key[i]) && key[i] != '_' && key[i] != '-')
            return 0;
    return 1;
}

static int set_value(aia_header *hdr, const char *key, const char *value, const char *comment)
{
    if (!valid_keyword(key))
        return aia_fail(AIA_ERR_ARG, "'%.80s' is not a FITS keyword (1 to 8 of A-Z, 0-9, _ and -)", key);
    char keep[VALUE_BUF] = "";
    long i = aia_header_find(hdr, key);
    if (i >= 0 && !comment) {
        char v[VALUE_BUF];
        if (raw_value(hdr, key, v, keep) == AIA_OK)
            comment = keep;
    }
    char text[FLEN_CARD];
    int fst = 0;
    ffmkky(key, (char *)value, comment ? comment : "", text, &fst);
    if (fst) {
        fits_clear_errmsg();
        return aia_fail(AIA_ERR_ARG, "cannot make a header card for key %s", key);
    }
    if (i >= 0) {
        set_card_text(&hdr->cards[i], text);
        return AIA_OK;
    }
    return aia_header_append_card(hdr, text);
}

/* The shortest decimal that reads back as exactly v, always with a '.' or
 * exponent so that FITS readers see a float. */
static void format_double(double v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*G", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".EN")) /* NaN/INF have no place in FITS but stay visible */
        strncat(buf, ".0", size - strlen(buf) - 1);
}

int aia_header_set_double(aia_header *hdr, const char *key, double value, const char *comment)
{
    if (!isfinite(value))
        return aia_fail(AIA_ERR_ARG, "key %s: cannot store a non-finite value", key);
    char buf[40];
    format_double(value, buf, sizeof buf);
    return set_value(hdr, key, buf, comment);
}

int aia_header_set_long(aia_header *hdr, const char *key, long long value, const char *comment)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", value);
    return set_value(hdr, key, buf, comment);
}

/* A FITS string value: quoted, inner quotes doubled, at least 8 characters
 * between the quotes (the standard's advice for fixed-format readers). */
static int quote_string(const char *value, char *out, size_t size)
{
    size_t n = 0;
    out[n++] = '\'';
    for (const char *p = value; *p; p++) {
        if (n + 4 >= size)
            return 0;
        if (*p == '\'')
            out[n++] = '\'';
        out[n++] = *p;
    }
    while (n < 9 && n + 2 < size)
        out[n++] = ' ';
    out[n++] = '\'';
    out[n] = '\0';
    return 1;
}

int aia_header_set_string(aia_header *hdr, const char *key, const char *value, const char *comment)
{
    char quoted[FLEN_VALUE];
    if (!quote_string(value, quoted, 71)) /* a value fills at most 70 columns */
        return aia_fail(AIA_ERR_ARG, "key %s: string value too long for one card", key);
    return set_value(hdr, key, quoted, comment);
}

int aia_header_delete(aia_header *hdr, const char *key)
{
    size_t kept = 0;
    int removed = 0;
    for (size_t i = 0; i < hdr->count; i++) {
        char kw[9];
        card_keyword(hdr->cards[i].text, kw);
        if (strcasecmp(kw, key) == 0) {
            removed++;
            continue;
        }
        hdr->cards[kept++] = hdr->cards[i];
    }
    hdr->count = kept;
    return removed;
}

int aia_header_add_history(aia_header *hdr, const char *text)
{
    const size_t width = CARD_LEN - 8;
    size_t len = strlen(text);
    for (size_t pos = 0; pos < len || pos == 0; pos += width) {
        char line[CARD_LEN + 1];
        snprintf(line, sizeof line, "HISTORY %.*s", (int)width, text + pos);
        int st = aia_header_append_card(hdr, line);
        if (st)
            return st;
        if (len == 0)
            break;
    }
    return AIA_OK;
}
