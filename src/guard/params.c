/*
 * params.c — query-string and path parameters as JSON, for a route's
 * query_schema and path_schema (docs/guard.md, "Parameters").
 *
 * Both arrive percent-encoded and untyped. They are decoded strictly (a
 * "%" not followed by two hex digits, a NUL byte or text that is not
 * UTF-8 is refused rather than guessed at: the upstream would decode it
 * its own way, and the two readings could differ), turned into an object
 * of strings, then typed by the schema (slsec_schema_coerce_params) so a
 * schema can say {"type": "integer", "maximum": 100} for ?limit=.
 */
#include "slsec/guard.h"

#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Also the S3 object key's decoder (lambda.c): S3 notifications carry
 * keys form-encoded. */
json_t *slsec_guard_decode_text(const char *s, size_t n, bool plus_is_space)
{
    char *out = malloc(n + 1);
    if (!out)
        slsec_oom();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[k++] = ' ';
        } else {
            out[k++] = c;
        }
    }
    json_t *v = json_stringn(out, k); /* NULL for text that is not UTF-8 */
    free(out);
    return v;
}

json_t *slsec_guard_query_object(const char *query, char *why, size_t why_size)
{
    json_t *o = json_object();
    if (!query)
        return o;
    size_t len = strlen(query);
    if (len > SLSEC_GUARD_MAX_PARAM_BYTES) {
        snprintf(why, why_size, "the query string is longer than %u bytes", SLSEC_GUARD_MAX_PARAM_BYTES);
        json_decref(o);
        return NULL;
    }
    size_t count = 0;
    for (const char *p = query; *p;) {
        size_t n = strcspn(p, "&");
        if (n) {
            if (++count > SLSEC_GUARD_MAX_QUERY_PARAMS) {
                snprintf(why, why_size, "more than %u query parameters", SLSEC_GUARD_MAX_QUERY_PARAMS);
                json_decref(o);
                return NULL;
            }
            const char *eq = memchr(p, '=', n);
            size_t kn = eq ? (size_t)(eq - p) : n;
            json_t *key = slsec_guard_decode_text(p, kn, true);
            json_t *val = eq ? slsec_guard_decode_text(eq + 1, n - kn - 1, true) : json_string("");
            if (!key || !val) {
                snprintf(why, why_size, "parameter %zu is not percent-encoded UTF-8 text", count);
                json_decref(key);
                json_decref(val);
                json_decref(o);
                return NULL;
            }
            const char *name = json_string_value(key);
            json_t *prev = json_object_get(o, name);
            if (json_is_array(prev)) {
                json_array_append_new(prev, val);
            } else if (prev) {
                json_t *arr = json_array();
                json_array_append(arr, prev);
                json_array_append_new(arr, val);
                json_object_set_new(o, name, arr);
            } else {
                json_object_set_new(o, name, val);
            }
            json_decref(key);
        }
        p += n;
        if (*p == '&')
            p++;
    }
    return o;
}

json_t *slsec_guard_path_params(const slsec_guard_route *r, const char *path, char *why, size_t why_size)
{
    json_t *o = json_object();
    const char *pat = r->path;
    /* the route matched: pattern and path have the same segments up to a final "**" */
    while (*pat == '/' && *path == '/') {
        pat++;
        path++;
        size_t pn = strcspn(pat, "/"), sn = strcspn(path, "/");
        if (pn >= 2 && pat[0] == '{' && pat[pn - 1] == '}') {
            json_t *v = sn <= SLSEC_GUARD_MAX_PARAM_BYTES ? slsec_guard_decode_text(path, sn, false) : NULL;
            if (!v) {
                snprintf(why, why_size, "path parameter %.*s is not percent-encoded UTF-8 text", (int)(pn - 2),
                         pat + 1);
                json_decref(o);
                return NULL;
            }
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(pn - 2), pat + 1);
            json_object_set_new(o, name, v);
        } else if (pn == 2 && pat[0] == '*' && pat[1] == '*') {
            break;
        }
        pat += pn;
        path += sn;
    }
    return o;
}

slsec_guard_params_status slsec_guard_params_check(const slsec_guard_route *r, const char *path, const char *query,
                                                   char *why, size_t why_size)
{
    char inner[300] = "";
    if (r->path_schema) {
        json_t *params = slsec_guard_path_params(r, path, inner, sizeof inner);
        if (!params) {
            snprintf(why, why_size, "%s", inner);
            return SLSEC_PARAMS_INVALID_PATH;
        }
        slsec_schema_coerce_params(r->path_schema, params);
        bool ok = slsec_schema_validate(r->path_schema, params, inner, sizeof inner);
        json_decref(params);
        if (!ok) {
            snprintf(why, why_size, "path: %s", inner);
            return SLSEC_PARAMS_PATH_SCHEMA;
        }
    }
    if (r->query_schema) {
        json_t *params = slsec_guard_query_object(query, inner, sizeof inner);
        if (!params) {
            snprintf(why, why_size, "%s", inner);
            return SLSEC_PARAMS_INVALID_QUERY;
        }
        slsec_schema_coerce_params(r->query_schema, params);
        bool ok = slsec_schema_validate(r->query_schema, params, inner, sizeof inner);
        json_decref(params);
        if (!ok) {
            snprintf(why, why_size, "query: %s", inner);
            return SLSEC_PARAMS_QUERY_SCHEMA;
        }
    }
    return SLSEC_PARAMS_OK;
}
