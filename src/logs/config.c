/*
 * config.c — the `logs:` section of .slsec.yml (slsec/logs.h), read through
 * src/doc so every problem names file:line:col. The rest of the file
 * belongs to `scan` (src/scan/config.c), which accepts `logs` and leaves it
 * to this reader.
 */
#include "slsec/logs.h"

#include "slsec/doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int fail(slsec_diag *d, const slsec_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(slsec_diag *d, const slsec_node *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_diag_set(d, SLSEC_DIAG_ERROR, n ? n->file : NULL, n ? (int)n->line : 0, n ? (int)n->col : 0, "%s", msg);
    return SLSEC_EUSAGE;
}

static int known(const slsec_node *map, const char *path, const char *const *keys, const char *list,
                 slsec_diag *d)
{
    if (!slsec_node_is_map(map))
        return fail(d, map, "%s: expected a mapping with %s", path, list);
    for (size_t i = 0; i < map->count; i++) {
        const slsec_node *k = map->items[2 * i];
        const char *name = slsec_node_str(k);
        bool ok = false;
        for (size_t j = 0; name && keys[j] && !ok; j++)
            ok = strcmp(keys[j], name) == 0;
        if (!ok)
            return fail(d, k, "%s: unknown key (expected %s)", path, list);
    }
    return SLSEC_OK;
}

static int number(const slsec_node *n, const char *what, double lo, double hi, double *out, slsec_diag *d)
{
    const char *s = slsec_node_str(n);
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || errno || end == s || *end || !(v >= lo && v <= hi)) {
        char range[64];
        snprintf(range, sizeof range, "%g to %g", lo, hi);
        return fail(d, n, "%s: expected a number from %s", what, range);
    }
    *out = v;
    return SLSEC_OK;
}

static int boolean(const slsec_node *n, const char *what, bool *out, slsec_diag *d)
{
    if (!slsec_node_bool(n, out))
        return fail(d, n, "%s: expected true or false", what);
    return SLSEC_OK;
}

static int read_redact(slsec_logs_config *c, const slsec_node *m, slsec_diag *d)
{
    static const char *const keys[] = {"mode", "ip", "fields", "default_fields", "max_line", "fail", NULL};
    int rc = known(m, "logs.redact", keys, "mode, ip, fields, default_fields, max_line, fail", d);
    if (rc)
        return rc;
    const slsec_node *v;
    if ((v = slsec_node_get(m, "mode"))) {
        const char *s = slsec_node_str(v);
        if (s && strcmp(s, "mask") == 0)
            c->mode = SLSEC_REDACT_MASK;
        else if (s && strcmp(s, "hash") == 0)
            c->mode = SLSEC_REDACT_HASH;
        else if (s && strcmp(s, "partial") == 0)
            c->mode = SLSEC_REDACT_PARTIAL;
        else
            return fail(d, v, "logs.redact.mode: expected mask, hash or partial");
        c->has_mode = true;
    }
    if ((v = slsec_node_get(m, "ip"))) {
        if ((rc = boolean(v, "logs.redact.ip", &c->ip, d)))
            return rc;
        c->has_ip = true;
    }
    if ((v = slsec_node_get(m, "default_fields"))) {
        if ((rc = boolean(v, "logs.redact.default_fields", &c->default_fields, d)))
            return rc;
        c->has_default_fields = true;
    }
    if ((v = slsec_node_get(m, "max_line"))) {
        double x;
        if ((rc = number(v, "logs.redact.max_line", 64, 1073741824.0, &x, d)))
            return rc;
        c->max_line = (size_t)x;
        c->has_max_line = true;
    }
    if ((v = slsec_node_get(m, "fail"))) {
        const char *s = slsec_node_str(v);
        if (!s || (strcmp(s, "open") != 0 && strcmp(s, "closed") != 0))
            return fail(d, v, "logs.redact.fail: expected open or closed");
        c->fail_closed = strcmp(s, "closed") == 0;
        c->has_fail = true;
    }
    if ((v = slsec_node_get(m, "fields"))) {
        if (!slsec_node_is_seq(v))
            return fail(d, v, "logs.redact.fields: expected a list of JSON field names");
        c->fields = slsec_arena_alloc(c->arena, (v->count + 1) * sizeof *c->fields);
        for (size_t i = 0; i < v->count; i++) {
            const char *s = slsec_node_str(v->items[i]);
            if (!s || !*s || strpbrk(s, "\"\\\n"))
                return fail(d, v->items[i], "logs.redact.fields: expected a field name");
            c->fields[c->nfields++] = slsec_arena_strdup(c->arena, s);
        }
    }
    return SLSEC_OK;
}

static int read_watch(slsec_logs_config *c, const slsec_node *m, slsec_diag *d)
{
    static const struct {
        const char *key;
        double lo, hi;
    } nums[] = {
        {"error_rate_floor", 0, 1},      {"ewma_alpha", 0.01, 1},           {"band_k", 0, 100},
        {"warmup_windows", 0, 10000},    {"spike_factor", 1, 1000},         {"spike_min", 0, 1e9},
        {"timeout_ms", 0, 900000},       {"timeout_fraction", 0.01, 1},     {"memory_fraction", 0.01, 1},
        {"cold_storm_min", 0, 1e9},      {"cold_storm_fraction", 0, 1},     {"cooldown_seconds", 0, 2592000},
        {"security_min", 0, 1e9},
    };
    const char *keys[sizeof nums / sizeof nums[0] + 1];
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        keys[i] = nums[i].key;
    keys[sizeof nums / sizeof nums[0]] = NULL;
    int rc = known(m, "logs.watch", keys,
                   "error_rate_floor, ewma_alpha, band_k, warmup_windows, spike_factor, spike_min, timeout_ms, "
                   "timeout_fraction, memory_fraction, cold_storm_min, cold_storm_fraction, cooldown_seconds, "
                   "security_min",
                   d);
    if (rc)
        return rc;
    slsec_watch_options *w = &c->watch;
    double *dst[] = {&w->error_rate_floor, &w->ewma_alpha, &w->band_k, NULL,          &w->spike_factor, NULL,
                     &w->timeout_ms,       &w->timeout_fraction, &w->memory_fraction, NULL, &w->cold_storm_fraction,
                     NULL,                 NULL};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        const slsec_node *v = slsec_node_get(m, nums[i].key);
        if (!v)
            continue;
        char what[64];
        snprintf(what, sizeof what, "logs.watch.%s", nums[i].key);
        double x;
        if ((rc = number(v, what, nums[i].lo, nums[i].hi, &x, d)))
            return rc;
        if (dst[i])
            *dst[i] = x;
        else if (strcmp(nums[i].key, "warmup_windows") == 0)
            w->warmup_windows = (unsigned)x;
        else if (strcmp(nums[i].key, "spike_min") == 0)
            w->spike_min = (unsigned)x;
        else if (strcmp(nums[i].key, "cold_storm_min") == 0)
            w->cold_storm_min = (unsigned)x;
        else if (strcmp(nums[i].key, "security_min") == 0)
            w->security_min = (unsigned)x;
        else
            w->cooldown_ms = (int64_t)(x * 1000);
    }
    return SLSEC_OK;
}

int slsec_logs_config_load(const char *path, slsec_logs_config *cfg, slsec_diag *d)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->arena = slsec_arena_new();
    cfg->default_fields = true;
    slsec_watch_defaults(&cfg->watch);
    char *data;
    size_t len;
    int rc = slsec_read_file(path, SLSEC_MAX_CONFIG_BYTES, &data, &len, d);
    if (rc)
        return rc;
    const char *file = slsec_arena_strdup(cfg->arena, path);
    slsec_doc doc;
    rc = slsec_doc_parse(cfg->arena, file, data, len, &doc, d);
    free(data);
    if (rc)
        return rc;
    const slsec_node *logs = slsec_node_get(doc.root, "logs");
    if (!logs)
        return SLSEC_OK;
    static const char *const keys[] = {"redact", "watch", NULL};
    if ((rc = known(logs, "logs", keys, "redact, watch", d)))
        return rc;
    const slsec_node *v;
    if ((v = slsec_node_get(logs, "redact")) && (rc = read_redact(cfg, v, d)))
        return rc;
    if ((v = slsec_node_get(logs, "watch")) && (rc = read_watch(cfg, v, d)))
        return rc;
    return SLSEC_OK;
}

void slsec_logs_config_free(slsec_logs_config *cfg)
{
    if (!cfg)
        return;
    slsec_arena_free(cfg->arena);
    memset(cfg, 0, sizeof *cfg);
}
