/* json.c — recursive descent over RFC 8259 JSON, with a depth limit so
 * that a hostile answer cannot exhaust the stack, and \u escapes turned
 * into UTF-8 (surrogate pairs joined). Numbers keep their text: JSOC's
 * values are strings anyway, and a table wants them as written. */
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

typedef struct parser {
    const char *s;
    size_t len, pos;
    int depth;
} parser;

static int fail_at(const parser *p, const char *what)
{
    return aia_fail(AIA_ERR_BAD_DATA, "not JSON: %s at byte %zu", what, p->pos);
}

static void skip_space(parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                               p->s[p->pos] == '\r'))
        p->pos++;
}

static int parse_value(parser *p, aia_json *v);

static int hex4(parser *p, unsigned *out)
{
    if (p->pos + 4 > p->len)
        return fail_at(p, "a cut \\u escape");
    unsigned u = 0;
    for (int i = 0; i < 4; i++) {
        const char c = p->s[p->pos++];
        u <<= 4;
        if (c >= '0' && c <= '9')
            u |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            u |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            u |= (unsigned)(c - 'A' + 10);
        else
            return fail_at(p, "a bad \\u escape");
    }
    *out = u;
    return AIA_OK;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string at p->pos (its opening quote) into a new buffer. */
static int parse_string(parser *p, char **out)
{
    p->pos++; /* the quote */
    size_t start = p->pos;
    /* the decoded text is never longer than the escaped one */
    size_t end = start;
    while (end < p->len && p->s[end] != '"')
        end += p->s[end] == '\\' ? 2 : 1;
    if (end >= p->len)
        return fail_at(p, "an unterminated string");
    char *buf = malloc(end - start + 1), *o = buf;
    if (!buf)
        return aia_fail(AIA_ERR_NOMEM, "out of memory reading JSON");
    while (p->pos < end) {
        const unsigned char c = (unsigned char)p->s[p->pos++];
        if (c < 0x20) {
            free(buf);
            return fail_at(p, "a control character in a string");
        }
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        const char e = p->s[p->pos++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            *o++ = map[simple - "\"\\/bfnrt"];
        } else if (e == 'u') {
            unsigned cp;
            int st = hex4(p, &cp);
            if (!st && cp >= 0xD800 && cp < 0xDC00) { /* a surrogate pair */
                unsigned lo = 0;
                if (p->pos + 6 <= p->len && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
                    p->pos += 2;
                    st = hex4(p, &lo);
                }
                if (!st && (lo < 0xDC00 || lo >= 0xE000))
                    st = fail_at(p, "a lone surrogate");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (st) {
                free(buf);
                return st;
            }
            o += put_utf8(o, cp);
        } else {
            free(buf);
            return fail_at(p, "a bad escape");
        }
    }
    *o = '\0';
    p->pos = end + 1;
    *out = buf;
    return AIA_OK;
}

static int parse_number(parser *p, aia_json *v)
{
    const size_t start = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '-')
        p->pos++;
    size_t digits = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        p->pos++, digits++;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    if (!digits)
        return fail_at(p, "an unexpected character");
    v->type = AIA_JSON_NUMBER;
    v->text = strndup(p->s + start, p->pos - start);
    return v->text ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory reading JSON");
}

static int literal(parser *p, const char *word, aia_json_type type, aia_json *v)
{
    const size_t n = strlen(word);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n) != 0)
        return fail_at(p, "an unexpected word");
    p->pos += n;
    v->type = type;
    if (type == AIA_JSON_BOOL && !(v->text = strdup(word)))
        return aia_fail(AIA_ERR_NOMEM, "out of memory reading JSON");
    return AIA_OK;
}

/* Items of an array or object, until `close`. */
static int parse_items(parser *p, aia_json *v, char close)
{
    const int object = close == '}';
    size_t cap = 0;
    p->pos++;
    skip_space(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return AIA_OK;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? 2 * cap : 8;
            aia_json *items = realloc(v->items, cap * sizeof *items);
            char **keys = object ? realloc(v->keys, cap * sizeof *keys) : NULL;
            if (items)
                v->items = items;
            if (keys)
                v->keys = keys;
            if (!items || (object && !keys))
                return aia_fail(AIA_ERR_NOMEM, "out of memory reading JSON");
        }
        memset(&v->items[v->n], 0, sizeof v->items[0]);
        if (object) {
            skip_space(p);
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return fail_at(p, "an object key that is not a string");
            int st = parse_string(p, &v->keys[v->n]);
            if (st)
                return st;
            skip_space(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                free(v->keys[v->n]);
                return fail_at(p, "no ':' after an object key");
            }
            p->pos++;
        }
        int st = parse_value(p, &v->items[v->n]);
        v->n++; /* counted even on failure: freed with the rest */
        if (st)
            return st;
        skip_space(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            return AIA_OK;
        }
        return fail_at(p, object ? "no ',' or '}' in an object" : "no ',' or ']' in an array");
    }
}

static int parse_value(parser *p, aia_json *v)
{
    skip_space(p);
    if (p->pos >= p->len)
        return fail_at(p, "the end of the text where a value belongs");
    if (++p->depth > MAX_DEPTH)
        return fail_at(p, "nesting deeper than 64");
    int st;
    switch (p->s[p->pos]) {
    case '{':
        v->type = AIA_JSON_OBJECT;
        st = parse_items(p, v, '}');
        break;
    case '[':
        v->type = AIA_JSON_ARRAY;
        st = parse_items(p, v, ']');
        break;
    case '"':
        v->type = AIA_JSON_STRING;
        st = parse_string(p, &v->text);
        break;
    case 't': st = literal(p, "true", AIA_JSON_BOOL, v); break;
    case 'f': st = literal(p, "false", AIA_JSON_BOOL, v); break;
    case 'n': st = literal(p, "null", AIA_JSON_NULL, v); break;
    default: st = parse_number(p, v); break;
    }
    p->depth--;
    return st;
}

static void free_contents(aia_json *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free_contents(&v->items[i]);
        if (v->type == AIA_JSON_OBJECT)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->text);
}

void aia_json_free(aia_json *v)
{
    if (!v)
        return;
    free_contents(v);
    free(v);
}

int aia_json_parse(const char *text, size_t len, aia_json **out)
{
    *out = NULL;
    aia_json *v = calloc(1, sizeof *v);
    if (!v)
        return aia_fail(AIA_ERR_NOMEM, "out of memory reading JSON");
    parser p = {text, len, 0, 0};
    int st = parse_value(&p, v);
    if (!st) {
        skip_space(&p);
        if (p.pos != len)
            st = fail_at(&p, "text after the value");
    }
    if (st) {
        aia_json_free(v);
        return st;
    }
    *out = v;
    return AIA_OK;
}

const aia_json *aia_json_member(const aia_json *obj, const char *key)
{
    if (!obj || obj->type != AIA_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

void aia_json_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
