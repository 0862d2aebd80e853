/*
 * schema.c — JSON Schema validation (drafts 4, 6, 7 and 2020-12) over
 * jansson values, for request bodies at the gateway.
 *
 * Keywords: type, enum, const, properties, patternProperties,
 * additionalProperties, required, propertyNames, min/maxProperties,
 * dependencies, dependentRequired, dependentSchemas, items (both forms),
 * prefixItems, additionalItems, contains, min/maxContains, min/maxItems,
 * uniqueItems, minimum, maximum, exclusiveMinimum/Maximum (draft 4
 * booleans and later numbers), multipleOf, min/maxLength (in code
 * points), pattern (PCRE2, UTF mode), format (date-time, date, time,
 * email, ipv4, ipv6, uri, uuid, hostname: asserted, as a gateway should),
 * allOf, anyOf, oneOf, not, if/then/else, $ref, boolean schemas.
 * Not supported: unevaluatedProperties/Items, $dynamicRef, remote $ref.
 *
 * $ref is resolved within the document: "#", JSON pointers "#/a/b", and
 * subschemas whose $id (or draft 4 "id", or $anchor) equals the reference.
 * Every reference and pattern is compiled when the schema is loaded, so a
 * schema that cannot work is refused at start-up, not at the first request.
 * Up to draft 7, $ref hides its sibling keywords; from 2020-12 they apply.
 *
 * Recursion is bounded by SLSEC_GUARD_MAX_SCHEMA_DEPTH (a $ref cycle that
 * consumes no input ends as "depth", not as a stack overflow) and the
 * instance by SLSEC_GUARD_MAX_JSON_DEPTH.
 */
#include "slsec/guard.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

typedef struct regex_entry {
    const char *source;
    pcre2_code *code;
} regex_entry;

typedef struct ref_entry {
    const char *ref;
    json_t *target;
} ref_entry;

struct slsec_schema {
    json_t *root;
    slsec_schema_draft draft;
    regex_entry *regexes;
    size_t regex_count, regex_cap;
    ref_entry *refs;
    size_t ref_count, ref_cap;
};

/* ---- compilation ------------------------------------------------------------------ */

static pcre2_code *find_regex(const slsec_schema *s, const char *src)
{
    for (size_t i = 0; i < s->regex_count; i++)
        if (strcmp(s->regexes[i].source, src) == 0)
            return s->regexes[i].code;
    return NULL;
}

static int add_regex(slsec_schema *s, const char *src, const char *where, slsec_diag *d)
{
    if (find_regex(s, src))
        return SLSEC_OK;
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    if (!code) {
        char msg[128];
        pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "schema %s: invalid pattern at offset %zu: %s", where,
                       (size_t)off, msg);
        return SLSEC_EPARSE;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* best effort: the interpreter is the fallback */
    if (s->regex_count == s->regex_cap) {
        s->regex_cap = s->regex_cap ? s->regex_cap * 2 : 8;
        regex_entry *more = realloc(s->regexes, s->regex_cap * sizeof *more);
        if (!more)
            slsec_oom();
        s->regexes = more;
    }
    s->regexes[s->regex_count++] = (regex_entry){src, code};
    return SLSEC_OK;
}

/* Follows a JSON pointer fragment (already without '#') from root. */
static json_t *pointer_get(json_t *root, const char *ptr)
{
    json_t *cur = root;
    if (*ptr == '\0')
        return cur;
    if (*ptr != '/')
        return NULL;
    char seg[256];
    while (*ptr == '/' && cur) {
        ptr++;
        size_t n = 0;
        while (*ptr && *ptr != '/') {
            char c = *ptr++;
            if (c == '~') {
                if (*ptr == '0') c = '~';
                else if (*ptr == '1') c = '/';
                else return NULL;
                ptr++;
            } else if (c == '%' && ptr[0] && ptr[1]) {
                unsigned v;
                if (sscanf(ptr, "%2x", &v) != 1)
                    return NULL;
                c = (char)v;
                ptr += 2;
            }
            if (n + 1 >= sizeof seg)
                return NULL;
            seg[n++] = c;
        }
        seg[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, seg);
        } else if (json_is_array(cur)) {
            long idx;
            if (!slsec_parse_long(seg, &idx) || idx < 0)
                return NULL;
            cur = json_array_get(cur, (size_t)idx);
        } else {
            return NULL;
        }
    }
    return *ptr ? NULL : cur;
}

/* A subschema whose $id/id/$anchor names `ref` exactly (or as "#anchor"). */
static json_t *find_by_id(json_t *node, const char *ref, unsigned depth)
{
    if (depth > SLSEC_GUARD_MAX_SCHEMA_DEPTH)
        return NULL;
    if (json_is_object(node)) {
        static const char *const ids[] = {"$id", "id", "$anchor"};
        for (int i = 0; i < 3; i++) {
            const char *id = json_string_value(json_object_get(node, ids[i]));
            if (!id)
                continue;
            if (strcmp(id, ref) == 0 || (i == 2 && ref[0] == '#' && strcmp(id, ref + 1) == 0))
                return node;
        }
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v) {
            /* enum and const hold data, not schemas */
            if (strcmp(k, "enum") == 0 || strcmp(k, "const") == 0)
                continue;
            json_t *hit = find_by_id(v, ref, depth + 1);
            if (hit)
                return hit;
        }
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++) {
            json_t *hit = find_by_id(json_array_get(node, i), ref, depth + 1);
            if (hit)
                return hit;
        }
    }
    return NULL;
}

static json_t *resolve_ref(slsec_schema *s, const char *ref)
{
    json_t *hit = find_by_id(s->root, ref, 0);
    if (hit)
        return hit;
    if (ref[0] != '#')
        return NULL;
    /* the pointer may be percent-encoded as a URI fragment */
    return pointer_get(s->root, ref + 1);
}

static int compile_node(slsec_schema *s, json_t *node, const char *where, unsigned depth, slsec_diag *d);

static int compile_map(slsec_schema *s, json_t *map, const char *kw, unsigned depth, slsec_diag *d)
{
    const char *k;
    json_t *v;
    json_object_foreach(map, k, v) {
        if (strcmp(kw, "patternProperties") == 0) {
            int rc = add_regex(s, k, kw, d);
            if (rc)
                return rc;
        }
        if (strcmp(kw, "dependencies") == 0 && json_is_array(v))
            continue;
        int rc = compile_node(s, v, kw, depth + 1, d);
        if (rc)
            return rc;
    }
    return SLSEC_OK;
}

static int compile_node(slsec_schema *s, json_t *node, const char *where, unsigned depth, slsec_diag *d)
{
    if (depth > SLSEC_GUARD_MAX_SCHEMA_DEPTH) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "schema nested deeper than %u", SLSEC_GUARD_MAX_SCHEMA_DEPTH);
        return SLSEC_ELIMIT;
    }
    if (!json_is_object(node))
        return SLSEC_OK; /* booleans are schemas too; other values are ignored */
    const char *ref = json_string_value(json_object_get(node, "$ref"));
    if (ref) {
        json_t *target = resolve_ref(s, ref);
        if (!target) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0,
                           "schema %s: $ref \"%s\" does not resolve within the document", where, ref);
            return SLSEC_EUSAGE;
        }
        if (s->ref_count == s->ref_cap) {
            s->ref_cap = s->ref_cap ? s->ref_cap * 2 : 8;
            ref_entry *more = realloc(s->refs, s->ref_cap * sizeof *more);
            if (!more)
                slsec_oom();
            s->refs = more;
        }
        s->refs[s->ref_count++] = (ref_entry){ref, target};
    }
    const char *pattern = json_string_value(json_object_get(node, "pattern"));
    if (pattern) {
        int rc = add_regex(s, pattern, "pattern", d);
        if (rc)
            return rc;
    }
    static const char *const maps[] = {"properties", "patternProperties", "definitions", "$defs",
                                       "dependencies", "dependentSchemas"};
    static const char *const single[] = {"additionalProperties", "additionalItems", "not", "if", "then",
                                         "else", "contains", "propertyNames", "items"};
    static const char *const lists[] = {"allOf", "anyOf", "oneOf", "items", "prefixItems"};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        json_t *m = json_object_get(node, maps[i]);
        if (json_is_object(m)) {
            int rc = compile_map(s, m, maps[i], depth, d);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++) {
        json_t *v = json_object_get(node, single[i]);
        if (v && !json_is_array(v)) {
            int rc = compile_node(s, v, single[i], depth + 1, d);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        json_t *v = json_object_get(node, lists[i]);
        for (size_t j = 0; json_is_array(v) && j < json_array_size(v); j++) {
            int rc = compile_node(s, json_array_get(v, j), lists[i], depth + 1, d);
            if (rc)
                return rc;
        }
    }
    return SLSEC_OK;
}

static slsec_schema_draft draft_of(json_t *root)
{
    const char *uri = json_string_value(json_object_get(root, "$schema"));
    if (!uri)
        return SLSEC_SCHEMA_2020_12;
    if (strstr(uri, "draft-04")) return SLSEC_SCHEMA_DRAFT4;
    if (strstr(uri, "draft-06")) return SLSEC_SCHEMA_DRAFT6;
    if (strstr(uri, "draft-07")) return SLSEC_SCHEMA_DRAFT7;
    return SLSEC_SCHEMA_2020_12;
}

void slsec_schema_free(slsec_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->regex_count; i++)
        pcre2_code_free(s->regexes[i].code);
    free(s->regexes);
    free(s->refs);
    json_decref(s->root);
    free(s);
}

int slsec_schema_new(json_t *schema, slsec_schema_draft draft, slsec_schema **out, slsec_diag *d)
{
    *out = NULL;
    if (!json_is_object(schema) && !json_is_boolean(schema)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "a schema is a JSON object or a boolean");
        return SLSEC_EUSAGE;
    }
    slsec_schema *s = calloc(1, sizeof *s);
    if (!s)
        slsec_oom();
    s->root = json_incref(schema);
    s->draft = draft ? draft : draft_of(schema);
    int rc = compile_node(s, schema, "root", 0, d);
    if (rc) {
        slsec_schema_free(s);
        return rc;
    }
    *out = s;
    return SLSEC_OK;
}

int slsec_schema_load(const char *path, slsec_schema **out, slsec_diag *d)
{
    *out = NULL;
    char *data;
    size_t len;
    int rc = slsec_read_file(path, SLSEC_GUARD_MAX_SCHEMA_BYTES, &data, &len, d);
    if (rc)
        return rc;
    json_error_t err;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    free(data);
    if (!root) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, err.line, err.column, "schema is not JSON: %s", err.text);
        return SLSEC_EPARSE;
    }
    rc = slsec_schema_new(root, SLSEC_SCHEMA_AUTO, out, d);
    json_decref(root);
    if (rc && d->file[0] == '\0')
        snprintf(d->file, sizeof d->file, "%s", path);
    return rc;
}

/* ---- validation --------------------------------------------------------------------- */

typedef struct vctx {
    const slsec_schema *s;
    char *why;
    size_t why_size;
    bool quiet; /* inside anyOf/oneOf/not/if: failures are not the reason */
    char path[256];
    size_t path_len;
} vctx;

static bool fail(vctx *c, const char *keyword)
{
    if (!c->quiet && c->why && c->why[0] == '\0')
        snprintf(c->why, c->why_size, "%s: %s", c->path_len ? c->path : "/", keyword);
    return false;
}

static size_t push_path(vctx *c, const char *seg)
{
    size_t old = c->path_len;
    int n = snprintf(c->path + old, sizeof c->path - old, "/%s", seg);
    if (n > 0)
        c->path_len = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

static void pop_path(vctx *c, size_t old)
{
    c->path_len = old;
    c->path[old] = '\0';
}

static bool is_number(const json_t *v) { return json_is_integer(v) || json_is_real(v); }

static double num(const json_t *v) { return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v); }

static bool is_integral(const json_t *v)
{
    if (json_is_integer(v))
        return true;
    if (!json_is_real(v))
        return false;
    double r = json_real_value(v);
    return isfinite(r) && floor(r) == r;
}

/* JSON equality as JSON Schema means it: 1 equals 1.0, objects by members. */
static bool json_same(const json_t *a, const json_t *b)
{
    if (is_number(a) && is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return num(a) == num(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_same(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) {
            json_t *w = json_object_get(b, k);
            if (!w || !json_same(v, w))
                return false;
        }
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static bool type_is(const json_t *v, const char *t)
{
    if (strcmp(t, "string") == 0) return json_is_string(v);
    if (strcmp(t, "object") == 0) return json_is_object(v);
    if (strcmp(t, "array") == 0) return json_is_array(v);
    if (strcmp(t, "boolean") == 0) return json_is_boolean(v);
    if (strcmp(t, "null") == 0) return json_is_null(v);
    if (strcmp(t, "number") == 0) return is_number(v);
    if (strcmp(t, "integer") == 0) return is_integral(v);
    return false;
}

static size_t utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* ---- formats ---- */

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool valid_date(const char *s, size_t n)
{
    if (n != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return false;
    int y = num_at(s, 4), m = num_at(s + 5, 2), dd = num_at(s + 8, 2);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || dd < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return dd <= max;
}

static bool valid_time(const char *s, size_t n)
{
    if (n < 9 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2))
        return false;
    int h = num_at(s, 2), mi = num_at(s + 3, 2), se = num_at(s + 6, 2);
    if (h > 23 || mi > 59 || se > 60)
        return false;
    size_t i = 8;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i < n && (s[i] == 'Z' || s[i] == 'z'))
        return i + 1 == n;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        return n - i == 6 && digits(s + i + 1, 2) && s[i + 3] == ':' && digits(s + i + 4, 2) &&
               num_at(s + i + 1, 2) <= 23 && num_at(s + i + 4, 2) <= 59;
    return false;
}

static bool valid_ipv4(const char *s, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        size_t start = i;
        int v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 4)
            v = v * 10 + (s[i++] - '0');
        size_t len = i - start;
        if (len == 0 || len > 3 || v > 255 || (len > 1 && s[start] == '0'))
            return false;
        parts++;
        if (parts < 4) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

static bool valid_ipv6(const char *s, size_t n)
{
    if (n < 2 || n > 45)
        return false;
    char buf[64];
    memcpy(buf, s, n);
    buf[n] = '\0';
    unsigned char out[16];
    return strchr(buf, '%') == NULL && inet_pton(AF_INET6, buf, out) == 1;
}

static bool valid_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || (label == 0 && c == '-') || ++label > 63)
            return false;
    }
    return label > 0 && s[n - 1] != '-';
}

static bool valid_email(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (!at || at == s || memchr(at + 1, '@', n - (size_t)(at + 1 - s)))
        return false;
    size_t local = (size_t)(at - s);
    if (s[0] == '.' || s[local - 1] == '.')
        return false;
    for (size_t i = 0; i + 1 < local; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            return false;
    return valid_hostname(at + 1, n - local - 1) || (at[1] == '[' && s[n - 1] == ']');
}

static bool valid_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return false;
    }
    return true;
}

static bool valid_uri(const char *s, size_t n)
{
    /* scheme ":" then no spaces, controls or characters RFC 3986 never allows */
    size_t i = 0;
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    while (i < n && s[i] != ':') {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '-' || c == '.'))
            return false;
        i++;
    }
    if (i == n)
        return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
            c == '`' || c == '{' || c == '|' || c == '}')
            return false;
    }
    return true;
}

static bool format_ok(const char *fmt, const char *s, size_t n)
{
    if (strcmp(fmt, "date") == 0) return valid_date(s, n);
    if (strcmp(fmt, "time") == 0) return valid_time(s, n);
    if (strcmp(fmt, "date-time") == 0)
        return n > 11 && (s[10] == 'T' || s[10] == 't') && valid_date(s, 10) && valid_time(s + 11, n - 11);
    if (strcmp(fmt, "email") == 0) return valid_email(s, n);
    if (strcmp(fmt, "ipv4") == 0) return valid_ipv4(s, n);
    if (strcmp(fmt, "ipv6") == 0) return valid_ipv6(s, n);
    if (strcmp(fmt, "hostname") == 0) return valid_hostname(s, n);
    if (strcmp(fmt, "uuid") == 0) return valid_uuid(s, n);
    if (strcmp(fmt, "uri") == 0) return valid_uri(s, n);
    return true; /* unknown formats are annotations */
}

/* ---- the walk ---- */

static bool validate(vctx *c, const json_t *schema, const json_t *v, unsigned depth);

static bool validate_quiet(vctx *c, const json_t *schema, const json_t *v, unsigned depth)
{
    bool was = c->quiet;
    c->quiet = true;
    bool ok = validate(c, schema, v, depth);
    c->quiet = was;
    return ok;
}

static bool regex_match(const slsec_schema *s, const char *src, const char *str, size_t len)
{
    pcre2_code *code = find_regex(s, src);
    if (!code)
        return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!md)
        slsec_oom();
    int rc = pcre2_match(code, (PCRE2_SPTR)str, len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

static bool validate_object(vctx *c, const json_t *sc, const json_t *v, unsigned depth)
{
    const slsec_schema *s = c->s;
    json_t *req = json_object_get(sc, "required");
    for (size_t i = 0; json_is_array(req) && i < json_array_size(req); i++) {
        const char *k = json_string_value(json_array_get(req, i));
        if (k && !json_object_get(v, k))
            return fail(c, "required");
    }
    json_t *mn = json_object_get(sc, "minProperties"), *mx = json_object_get(sc, "maxProperties");
    if (is_number(mn) && (double)json_object_size(v) < num(mn))
        return fail(c, "minProperties");
    if (is_number(mx) && (double)json_object_size(v) > num(mx))
        return fail(c, "maxProperties");
    json_t *props = json_object_get(sc, "properties");
    json_t *pprops = json_object_get(sc, "patternProperties");
    json_t *addl = json_object_get(sc, "additionalProperties");
    json_t *names = json_object_get(sc, "propertyNames");
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val) {
        size_t old = push_path(c, k);
        if (names) {
            json_t *kv = json_string(k);
            bool ok = validate(c, names, kv, depth + 1);
            json_decref(kv);
            if (!ok) {
                fail(c, "propertyNames");
                pop_path(c, old);
                return false;
            }
        }
        bool matched = false;
        json_t *ps = json_is_object(props) ? json_object_get(props, k) : NULL;
        if (ps) {
            matched = true;
            if (!validate(c, ps, val, depth + 1)) {
                pop_path(c, old);
                return false;
            }
        }
        const char *pk;
        json_t *psc;
        if (json_is_object(pprops))
            json_object_foreach(pprops, pk, psc) {
                if (regex_match(s, pk, k, strlen(k))) {
                    matched = true;
                    if (!validate(c, psc, val, depth + 1)) {
                        pop_path(c, old);
                        return false;
                    }
                }
            }
        if (!matched && addl && !validate(c, addl, val, depth + 1)) {
            fail(c, "additionalProperties");
            pop_path(c, old);
            return false;
        }
        pop_path(c, old);
    }
    json_t *deps = s->draft <= SLSEC_SCHEMA_DRAFT7 ? json_object_get(sc, "dependencies") : NULL;
    json_t *dreq = json_object_get(sc, "dependentRequired");
    json_t *dsch = json_object_get(sc, "dependentSchemas");
    json_t *dmaps[3] = {deps, dreq, dsch};
    for (int m = 0; m < 3; m++) {
        if (!json_is_object(dmaps[m]))
            continue;
        json_object_foreach(dmaps[m], k, val) {
            if (!json_object_get(v, k))
                continue;
            if (json_is_array(val) && m != 2) {
                for (size_t i = 0; i < json_array_size(val); i++) {
                    const char *need = json_string_value(json_array_get(val, i));
                    if (need && !json_object_get(v, need))
                        return fail(c, m == 0 ? "dependencies" : "dependentRequired");
                }
            } else if (m != 1 && !validate(c, val, v, depth + 1)) {
                return fail(c, m == 0 ? "dependencies" : "dependentSchemas");
            }
        }
    }
    return true;
}

static bool validate_array(vctx *c, const json_t *sc, const json_t *v, unsigned depth)
{
    size_t n = json_array_size(v);
    json_t *mn = json_object_get(sc, "minItems"), *mx = json_object_get(sc, "maxItems");
    if (is_number(mn) && (double)n < num(mn))
        return fail(c, "minItems");
    if (is_number(mx) && (double)n > num(mx))
        return fail(c, "maxItems");
    json_t *uniq = json_object_get(sc, "uniqueItems");
    if (json_is_true(uniq))
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (json_same(json_array_get(v, i), json_array_get(v, j)))
                    return fail(c, "uniqueItems");
    json_t *items = json_object_get(sc, "items");
    json_t *prefix = c->s->draft >= SLSEC_SCHEMA_2020_12 ? json_object_get(sc, "prefixItems") : NULL;
    json_t *tuple = json_is_array(items) ? items : json_is_array(prefix) ? prefix : NULL;
    json_t *rest = json_is_array(items) ? json_object_get(sc, "additionalItems")
                   : tuple                ? items
                                          : items;
    size_t from = 0;
    char idx[24];
    if (tuple) {
        for (size_t i = 0; i < n && i < json_array_size(tuple); i++) {
            snprintf(idx, sizeof idx, "%zu", i);
            size_t old = push_path(c, idx);
            bool ok = validate(c, json_array_get(tuple, i), json_array_get(v, i), depth + 1);
            pop_path(c, old);
            if (!ok)
                return false;
        }
        from = json_array_size(tuple);
    }
    if (rest && !json_is_array(rest))
        for (size_t i = from; i < n; i++) {
            snprintf(idx, sizeof idx, "%zu", i);
            size_t old = push_path(c, idx);
            bool ok = validate(c, rest, json_array_get(v, i), depth + 1);
            pop_path(c, old);
            if (!ok)
                return fail(c, json_is_array(items) ? "additionalItems" : "items");
        }
    json_t *contains = c->s->draft >= SLSEC_SCHEMA_DRAFT6 ? json_object_get(sc, "contains") : NULL;
    if (contains) {
        size_t hits = 0;
        for (size_t i = 0; i < n; i++)
            hits += validate_quiet(c, contains, json_array_get(v, i), depth + 1);
        json_t *minc = c->s->draft >= SLSEC_SCHEMA_2020_12 ? json_object_get(sc, "minContains") : NULL;
        json_t *maxc = c->s->draft >= SLSEC_SCHEMA_2020_12 ? json_object_get(sc, "maxContains") : NULL;
        double need = is_number(minc) ? num(minc) : 1;
        if ((double)hits < need)
            return fail(c, "contains");
        if (is_number(maxc) && (double)hits > num(maxc))
            return fail(c, "maxContains");
    }
    return true;
}

static bool validate_number(vctx *c, const json_t *sc, const json_t *v)
{
    double x = num(v);
    json_t *mn = json_object_get(sc, "minimum"), *mx = json_object_get(sc, "maximum");
    json_t *emn = json_object_get(sc, "exclusiveMinimum"), *emx = json_object_get(sc, "exclusiveMaximum");
    if (is_number(mn) && (x < num(mn) || (json_is_true(emn) && x == num(mn))))
        return fail(c, json_is_true(emn) ? "exclusiveMinimum" : "minimum");
    if (is_number(mx) && (x > num(mx) || (json_is_true(emx) && x == num(mx))))
        return fail(c, json_is_true(emx) ? "exclusiveMaximum" : "maximum");
    if (is_number(emn) && x <= num(emn))
        return fail(c, "exclusiveMinimum");
    if (is_number(emx) && x >= num(emx))
        return fail(c, "exclusiveMaximum");
    json_t *mult = json_object_get(sc, "multipleOf");
    if (is_number(mult) && num(mult) > 0) {
        if (json_is_integer(v) && json_is_integer(mult)) {
            if (json_integer_value(v) % json_integer_value(mult) != 0)
                return fail(c, "multipleOf");
        } else {
            double q = x / num(mult);
            if (!isfinite(q) || fabs(q - nearbyint(q)) > 1e-9 * fmax(1.0, fabs(q)))
                return fail(c, "multipleOf");
        }
    }
    return true;
}

static bool validate_string(vctx *c, const json_t *sc, const json_t *v)
{
    const char *str = json_string_value(v);
    size_t len = json_string_length(v);
    json_t *mn = json_object_get(sc, "minLength"), *mx = json_object_get(sc, "maxLength");
    if (mn || mx) {
        double cps = (double)utf8_length(str, len);
        if (is_number(mn) && cps < num(mn))
            return fail(c, "minLength");
        if (is_number(mx) && cps > num(mx))
            return fail(c, "maxLength");
    }
    const char *pattern = json_string_value(json_object_get(sc, "pattern"));
    if (pattern && !regex_match(c->s, pattern, str, len))
        return fail(c, "pattern");
    const char *fmt = json_string_value(json_object_get(sc, "format"));
    if (fmt && !format_ok(fmt, str, len))
        return fail(c, "format");
    return true;
}

static bool validate(vctx *c, const json_t *sc, const json_t *v, unsigned depth)
{
    if (depth > SLSEC_GUARD_MAX_SCHEMA_DEPTH)
        return fail(c, "depth");
    if (json_is_true(sc))
        return true;
    if (json_is_false(sc))
        return fail(c, "false schema");
    if (!json_is_object(sc))
        return true;
    const slsec_schema *s = c->s;
    const char *ref = json_string_value(json_object_get(sc, "$ref"));
    if (ref) {
        json_t *target = NULL;
        for (size_t i = 0; i < s->ref_count && !target; i++)
            if (s->refs[i].ref == ref || strcmp(s->refs[i].ref, ref) == 0)
                target = s->refs[i].target;
        if (!target || !validate(c, target, v, depth + 1))
            return fail(c, "$ref");
        if (s->draft <= SLSEC_SCHEMA_DRAFT7)
            return true;
    }
    json_t *type = json_object_get(sc, "type");
    if (json_is_string(type) && !type_is(v, json_string_value(type)))
        return fail(c, "type");
    if (json_is_array(type)) {
        bool any = false;
        for (size_t i = 0; i < json_array_size(type) && !any; i++) {
            const char *t = json_string_value(json_array_get(type, i));
            any = t && type_is(v, t);
        }
        if (!any)
            return fail(c, "type");
    }
    json_t *en = json_object_get(sc, "enum");
    if (json_is_array(en)) {
        bool any = false;
        for (size_t i = 0; i < json_array_size(en) && !any; i++)
            any = json_same(json_array_get(en, i), v);
        if (!any)
            return fail(c, "enum");
    }
    json_t *cn = s->draft >= SLSEC_SCHEMA_DRAFT6 ? json_object_get(sc, "const") : NULL;
    if (cn && !json_same(cn, v))
        return fail(c, "const");
    if (json_is_object(v) && !validate_object(c, sc, v, depth))
        return false;
    if (json_is_array(v) && !validate_array(c, sc, v, depth))
        return false;
    if (is_number(v) && !validate_number(c, sc, v))
        return false;
    if (json_is_string(v) && !validate_string(c, sc, v))
        return false;
    json_t *all = json_object_get(sc, "allOf");
    for (size_t i = 0; json_is_array(all) && i < json_array_size(all); i++)
        if (!validate(c, json_array_get(all, i), v, depth + 1))
            return fail(c, "allOf");
    json_t *any = json_object_get(sc, "anyOf");
    if (json_is_array(any)) {
        bool ok = false;
        for (size_t i = 0; i < json_array_size(any) && !ok; i++)
            ok = validate_quiet(c, json_array_get(any, i), v, depth + 1);
        if (!ok)
            return fail(c, "anyOf");
    }
    json_t *one = json_object_get(sc, "oneOf");
    if (json_is_array(one)) {
        size_t hits = 0;
        for (size_t i = 0; i < json_array_size(one) && hits < 2; i++)
            hits += validate_quiet(c, json_array_get(one, i), v, depth + 1);
        if (hits != 1)
            return fail(c, "oneOf");
    }
    json_t *not = json_object_get(sc, "not");
    if (not && validate_quiet(c, not, v, depth + 1))
        return fail(c, "not");
    json_t *cond = s->draft >= SLSEC_SCHEMA_DRAFT7 ? json_object_get(sc, "if") : NULL;
    if (cond) {
        json_t *branch = validate_quiet(c, cond, v, depth + 1) ? json_object_get(sc, "then")
                                                               : json_object_get(sc, "else");
        if (branch && !validate(c, branch, v, depth + 1))
            return fail(c, "if");
    }
    return true;
}

static unsigned json_depth(const json_t *v, unsigned depth)
{
    if (depth > SLSEC_GUARD_MAX_JSON_DEPTH)
        return depth;
    unsigned max = depth;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            unsigned d = json_depth(json_array_get(v, i), depth + 1);
            if (d > max)
                max = d;
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *val;
        json_object_foreach((json_t *)v, k, val) {
            unsigned d = json_depth(val, depth + 1);
            if (d > max)
                max = d;
        }
    }
    return max;
}

bool slsec_schema_validate(const slsec_schema *s, const json_t *instance, char *why, size_t why_size)
{
    vctx c = {.s = s, .why = why, .why_size = why_size};
    if (why && why_size)
        why[0] = '\0';
    if (json_depth(instance, 0) > SLSEC_GUARD_MAX_JSON_DEPTH)
        return fail(&c, "depth");
    return validate(&c, s->root, instance, 0);
}

/* ---- text parameters -------------------------------------------------------------- */

/* A schema with its $ref followed (a few hops: a chain longer than that is
 * left alone rather than walked). */
static const json_t *deref(const slsec_schema *s, const json_t *sc)
{
    for (int hops = 0; hops < 8 && json_is_object(sc); hops++) {
        const char *ref = json_string_value(json_object_get(sc, "$ref"));
        if (!ref || json_object_get(sc, "type"))
            return sc;
        const json_t *target = NULL;
        for (size_t i = 0; i < s->ref_count && !target; i++)
            if (strcmp(s->refs[i].ref, ref) == 0)
                target = s->refs[i].target;
        if (!target)
            return sc;
        sc = target;
    }
    return sc;
}

static bool type_allows(const json_t *type, const char *t)
{
    if (json_is_string(type))
        return strcmp(json_string_value(type), t) == 0;
    for (size_t i = 0; i < json_array_size(type); i++) {
        const char *x = json_string_value(json_array_get(type, i));
        if (x && strcmp(x, t) == 0)
            return true;
    }
    return false;
}

/* The value the type asks for, or NULL when the text is not exactly one. */
static json_t *coerce_text(const json_t *type, const char *text)
{
    if (!type || type_allows(type, "string"))
        return NULL;
    size_t n = strlen(text);
    /* the JSON number grammar only: no blanks, "+1", "0x10", "inf" or "1e" */
    if (n && (type_allows(type, "integer") || type_allows(type, "number")) &&
        (text[0] == '-' || (text[0] >= '0' && text[0] <= '9')) && text[n - 1] >= '0' && text[n - 1] <= '9') {
        json_t *v = json_loadb(text, n, JSON_DECODE_ANY, NULL);
        if (v && json_is_integer(v))
            return v;
        if (v && json_is_real(v) && type_allows(type, "number"))
            return v;
        json_decref(v);
    }
    if (type_allows(type, "boolean") && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0))
        return json_boolean(text[0] == 't');
    return NULL;
}

static void coerce_member(const slsec_schema *s, const json_t *sc, json_t *object, const char *key, json_t *value)
{
    sc = deref(s, sc);
    const json_t *type = json_object_get(sc, "type");
    if (!type)
        return;
    if (json_is_string(value) && type_allows(type, "array") && !type_allows(type, "string")) {
        json_t *arr = json_array();
        json_array_append(arr, value);
        json_object_set_new(object, key, arr);
        value = arr;
    }
    if (json_is_array(value)) {
        const json_t *items = deref(s, json_object_get(sc, "items"));
        const json_t *itype = json_object_get(items, "type");
        for (size_t i = 0; itype && i < json_array_size(value); i++) {
            const char *text = json_string_value(json_array_get(value, i));
            json_t *typed = text ? coerce_text(itype, text) : NULL;
            if (typed)
                json_array_set_new(value, i, typed);
        }
        return;
    }
    if (json_is_string(value)) {
        json_t *typed = coerce_text(type, json_string_value(value));
        if (typed)
            json_object_set_new(object, key, typed);
    }
}

void slsec_schema_coerce_params(const slsec_schema *s, json_t *object)
{
    if (!s || !json_is_object(object))
        return;
    const json_t *root = deref(s, s->root);
    const json_t *props = json_object_get(root, "properties");
    if (!json_is_object(props))
        return;
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(object, tmp, key, value) {
        const json_t *sc = json_object_get(props, key);
        if (sc)
            coerce_member(s, sc, object, key, value);
    }
}
