/*
 * config.c — reads .slsec.yml (docs/configuration.md is its reference).
 *
 * The file is read through src/doc like a template, so every value has a
 * line and column, and it is checked strictly: an unknown key, a value of
 * the wrong type, a rule id that names no rule, or a misspelt severity is
 * an error naming file:line:col, the key's path and what was expected. A
 * typo in a configuration must not silently turn a check off.
 *
 * Rule ids containing '*' or '?' are globs ("LOG-*") and are not checked
 * against the catalogue, since they may be written ahead of new rules.
 */
#include "slsec/doc.h"
#include "slsec/limits.h"
#include "slsec/scan.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct reader {
    slsec_arena *arena;
    const char *file;
    slsec_config *cfg;
    slsec_diag *d;
} reader;

void slsec_config_init(slsec_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->fail_on = SLSEC_SEV_HIGH;
    slsec_settings_default(&cfg->settings);
    cfg->dev_dependency_severity_drop = 1;
}

/* ---- messages ------------------------------------------------------------- */

/* What a node is, for "found ..." in messages; scalars are quoted and cut
 * short, with control bytes shown as '?' (the text goes to a terminal). */
static void describe(const slsec_node *n, char *out, size_t size)
{
    if (!n || (n->flags & SLSEC_NF_NULL)) {
        snprintf(out, size, "nothing");
        return;
    }
    if (n->kind == SLSEC_NODE_SEQ) {
        snprintf(out, size, "a list");
        return;
    }
    if (n->kind == SLSEC_NODE_MAP) {
        snprintf(out, size, "a mapping");
        return;
    }
    char text[48];
    size_t k = 0;
    for (size_t i = 0; i < n->len && k + 1 < sizeof text; i++)
        text[k++] = (unsigned char)n->str[i] < 0x20 || n->str[i] == 0x7f ? '?' : n->str[i];
    text[k] = '\0';
    snprintf(out, size, "'%s%s'", text, n->len > k ? "..." : "");
}

static int fail(reader *r, const slsec_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(reader *r, const slsec_node *at, const char *fmt, ...)
{
    char msg[sizeof r->d->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_diag_set(r->d, SLSEC_DIAG_ERROR, r->file, at ? (int)at->line : 0, at ? (int)at->col : 0,
                   "%s", msg);
    return SLSEC_EUSAGE;
}

static int expected(reader *r, const slsec_node *at, const char *path, const char *what)
{
    char found[64];
    describe(at, found, sizeof found);
    return fail(r, at, "%s: expected %s, found %s", path, what, found);
}

/* ---- rule ids ----------------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    size_t row[33];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static bool is_glob(const char *s) { return strpbrk(s, "*?") != NULL; }

/* A rule id or glob at `n`, checked; stored as written. */
static int rule_id(reader *r, const slsec_node *n, const char *path, const char **out)
{
    const char *s = slsec_node_str(n);
    if (!s || !*s || n->kind != SLSEC_NODE_SCALAR)
        return expected(r, n, path, "a rule id such as IAM-001 or a glob such as 'LOG-*'");
    if (!is_glob(s) && !slsec_rule_find(s)) {
        size_t count, best = 3;
        const char *near = NULL;
        const slsec_rule *const *all = slsec_rules_all(&count);
        for (size_t i = 0; i < count; i++) {
            size_t dist = edit_distance(s, all[i]->id);
            if (dist < best) {
                best = dist;
                near = all[i]->id;
            }
        }
        char found[64];
        describe(n, found, sizeof found);
        if (near)
            return fail(r, n, "%s: unknown rule %s (did you mean %s?)",
                        path, found, near);
        return fail(r, n, "%s: unknown rule %s (`slsec rules` lists them all)", path, found);
    }
    *out = s;
    return SLSEC_OK;
}

/* A list of rule ids; a single id is taken as a list of one. */
static int rule_list(reader *r, const slsec_node *n, const char *path, slsec_ptrvec *out)
{
    if (slsec_node_is_scalar(n) && !(n->flags & SLSEC_NF_NULL)) {
        const char *id;
        int rc = rule_id(r, n, path, &id);
        if (rc == SLSEC_OK)
            slsec_ptrvec_push(r->arena, out, (void *)id);
        return rc;
    }
    if (n && (n->flags & SLSEC_NF_NULL))
        return SLSEC_OK;
    if (!slsec_node_is_seq(n))
        return expected(r, n, path, "a list of rule ids");
    for (size_t i = 0; i < n->count; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        const char *id;
        int rc = rule_id(r, n->items[i], p, &id);
        if (rc != SLSEC_OK)
            return rc;
        slsec_ptrvec_push(r->arena, out, (void *)id);
    }
    return SLSEC_OK;
}

static int severity(reader *r, const slsec_node *n, const char *path, slsec_severity *out)
{
    const char *s = n && n->kind == SLSEC_NODE_SCALAR ? slsec_node_str(n) : NULL;
    if (!s || !slsec_severity_parse(s, out))
        return expected(r, n, path, "one of critical, high, medium, low, info");
    return SLSEC_OK;
}

/* ---- mappings ------------------------------------------------------------------- */

/* Checks that every key of map `n` is one of `keys` (a NULL-terminated
 * list); `path` prefixes messages ("rules"), NULL at the top. */
static int known_keys(reader *r, const slsec_node *n, const char *path, const char *const *keys)
{
    for (size_t i = 0; i < n->count; i++) {
        const slsec_node *k = n->items[2 * i];
        const char *name = slsec_node_str(k);
        bool ok = false;
        for (size_t j = 0; name && keys[j]; j++)
            ok = ok || strcmp(name, keys[j]) == 0;
        if (ok) {
            for (size_t j = 0; j < i; j++)
                if (strcmp(name, n->items[2 * j]->str) == 0)
                    return fail(r, k, "%s%s%s: duplicate key (first given at line %u)", path ? path : "",
                                path ? "." : "", name, (unsigned)n->items[2 * j]->line);
            continue;
        }
        char list[256] = "";
        for (size_t j = 0; keys[j]; j++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", j ? (keys[j + 1] ? ", " : " or ") : "",
                     keys[j]);
        }
        char found[64];
        describe(k, found, sizeof found);
        if (k->kind != SLSEC_NODE_SCALAR)
            return fail(r, k, "%s%skeys must be names, found %s", path ? path : "", path ? ": " : "",
                        found);
        return fail(r, k, "%s%s%s: unknown key (expected %s)", path ? path : "", path ? "." : "",
                    k->str, list);
    }
    return SLSEC_OK;
}

static int read_rules(reader *r, const slsec_node *n)
{
    if (n->flags & SLSEC_NF_NULL)
        return SLSEC_OK;
    if (!slsec_node_is_map(n))
        return expected(r, n, "rules", "a mapping with disable, only or severity");
    static const char *const keys[] = {"disable", "only", "severity", NULL};
    int rc = known_keys(r, n, "rules", keys);
    if (rc != SLSEC_OK)
        return rc;
    const slsec_node *v;
    if ((v = slsec_node_get(n, "disable")) && (rc = rule_list(r, v, "rules.disable", &r->cfg->disabled_rules)))
        return rc;
    if ((v = slsec_node_get(n, "only")) && (rc = rule_list(r, v, "rules.only", &r->cfg->only_rules)))
        return rc;
    v = slsec_node_get(n, "severity");
    if (!v || (v->flags & SLSEC_NF_NULL))
        return SLSEC_OK;
    if (!slsec_node_is_map(v))
        return expected(r, v, "rules.severity", "a mapping of rule ids to severities");
    for (size_t i = 0; i < v->count; i++) {
        const slsec_node *k = v->items[2 * i], *val = v->items[2 * i + 1];
        slsec_severity_override *o = slsec_arena_alloc(r->arena, sizeof *o);
        if ((rc = rule_id(r, k, "rules.severity", &o->rule_id)))
            return rc;
        char path[128];
        snprintf(path, sizeof path, "rules.severity.%s", o->rule_id);
        if ((rc = severity(r, val, path, &o->severity)))
            return rc;
        slsec_ptrvec_push(r->arena, &r->cfg->severity_overrides, o);
    }
    return SLSEC_OK;
}

static int number(reader *r, const slsec_node *n, const char *path, long lo, long hi, const char *unit,
                  long *out)
{
    long v;
    if (!n || n->kind != SLSEC_NODE_SCALAR || !slsec_parse_long(slsec_node_str(n), &v) || v < lo ||
        v > hi) {
        char what[96];
        snprintf(what, sizeof what, "a whole number of %s from %ld to %ld", unit, lo, hi);
        return expected(r, n, path, what);
    }
    *out = v;
    return SLSEC_OK;
}

static int read_thresholds(reader *r, const slsec_node *n)
{
    if (n->flags & SLSEC_NF_NULL)
        return SLSEC_OK;
    if (!slsec_node_is_map(n))
        return expected(r, n, "thresholds", "a mapping");
    static const char *const keys[] = {"api_max_timeout", "dev_dependency_severity_drop", "max_timeout",
                                       "min_log_retention_days", NULL};
    int rc = known_keys(r, n, "thresholds", keys);
    if (rc != SLSEC_OK)
        return rc;
    slsec_settings *s = &r->cfg->settings;
    const slsec_node *v;
    /* Lambda's own ceiling is 900 s; API Gateway's integration timeout
     * can be raised past 29 s, but not past what Lambda allows. */
    if ((v = slsec_node_get(n, "max_timeout")) &&
        (rc = number(r, v, "thresholds.max_timeout", 1, 900, "seconds", &s->max_timeout)))
        return rc;
    if ((v = slsec_node_get(n, "api_max_timeout")) &&
        (rc = number(r, v, "thresholds.api_max_timeout", 1, 900, "seconds", &s->api_max_timeout)))
        return rc;
    if ((v = slsec_node_get(n, "min_log_retention_days")) &&
        (rc = number(r, v, "thresholds.min_log_retention_days", 0, 3653, "days",
                     &s->min_log_retention_days)))
        return rc;
    if ((v = slsec_node_get(n, "dev_dependency_severity_drop")) &&
        (rc = number(r, v, "thresholds.dev_dependency_severity_drop", 0, 4, "severity levels",
                     &r->cfg->dev_dependency_severity_drop)))
        return rc;
    return SLSEC_OK;
}

static int text(reader *r, const slsec_node *n, const char *path, const char *what, const char **out)
{
    const char *s = n && n->kind == SLSEC_NODE_SCALAR ? slsec_node_str(n) : NULL;
    if (!s || !*s)
        return expected(r, n, path, what);
    *out = s;
    return SLSEC_OK;
}

/* A list of non-empty strings (one string alone is a list of one). */
static int read_list(reader *r, const slsec_node *n, const char *key, const char *what, const char *item_what,
                     slsec_ptrvec *out)
{
    if (n->flags & SLSEC_NF_NULL)
        return SLSEC_OK;
    if (slsec_node_is_scalar(n)) {
        const char *s = NULL;
        int rc = text(r, n, key, what, &s);
        if (rc == SLSEC_OK)
            slsec_ptrvec_push(r->arena, out, (void *)s);
        return rc;
    }
    if (!slsec_node_is_seq(n))
        return expected(r, n, key, what);
    for (size_t i = 0; i < n->count; i++) {
        char path[96];
        snprintf(path, sizeof path, "%s[%zu]", key, i);
        const char *s = NULL;
        int rc = text(r, n->items[i], path, item_what, &s);
        if (rc != SLSEC_OK)
            return rc;
        slsec_ptrvec_push(r->arena, out, (void *)s);
    }
    return SLSEC_OK;
}

static int read_ignore_paths(reader *r, const slsec_node *n)
{
    return read_list(r, n, "ignore_paths", "a list of path globs", "a path glob such as 'legacy/**'",
                     &r->cfg->ignore_paths);
}

/* `secrets:` — allow lists for the secret pass (docs/secrets.md). Regexes
 * are compiled here so a bad one is an error at its line and column. */
static int read_secrets(reader *r, const slsec_node *n)
{
    if (n->flags & SLSEC_NF_NULL)
        return SLSEC_OK;
    if (!slsec_node_is_map(n))
        return expected(r, n, "secrets", "a mapping with allow_paths, allow_regexes or allow_fingerprints");
    static const char *const keys[] = {"allow_fingerprints", "allow_paths", "allow_regexes", NULL};
    int rc;
    if ((rc = known_keys(r, n, "secrets", keys)))
        return rc;
    const slsec_node *v;
    if ((v = slsec_node_get(n, "allow_paths")) &&
        (rc = read_list(r, v, "secrets.allow_paths", "a list of path globs", "a path glob such as 'tests/**'",
                        &r->cfg->secret_allow_paths)))
        return rc;
    if ((v = slsec_node_get(n, "allow_fingerprints")) &&
        (rc = read_list(r, v, "secrets.allow_fingerprints", "a list of fingerprints",
                        "a fingerprint from a SECRET finding", &r->cfg->secret_allow_fingerprints)))
        return rc;
    if ((v = slsec_node_get(n, "allow_regexes"))) {
        size_t first = r->cfg->secret_allow_regexes.count;
        if ((rc = read_list(r, v, "secrets.allow_regexes", "a list of regular expressions",
                            "a regular expression (PCRE2)", &r->cfg->secret_allow_regexes)))
            return rc;
        for (size_t i = first; i < r->cfg->secret_allow_regexes.count; i++) {
            int e;
            PCRE2_SIZE at;
            pcre2_code *c = pcre2_compile((PCRE2_SPTR)r->cfg->secret_allow_regexes.items[i], PCRE2_ZERO_TERMINATED,
                                          0, &e, &at, NULL);
            if (c) {
                pcre2_code_free(c);
                continue;
            }
            char msg[160];
            pcre2_get_error_message(e, (PCRE2_UCHAR *)msg, sizeof msg);
            const slsec_node *item = slsec_node_is_seq(v) ? v->items[i - first] : v;
            slsec_diag_set(r->d, SLSEC_DIAG_ERROR, r->file, item->line, item->col,
                           "secrets.allow_regexes: bad regular expression (at character %zu: %s)", (size_t)at + 1,
                           msg);
            return SLSEC_EUSAGE;
        }
    }
    return SLSEC_OK;
}

static int read_ignore(reader *r, const slsec_node *n)
{
    if (n->flags & SLSEC_NF_NULL)
        return SLSEC_OK;
    if (!slsec_node_is_seq(n))
        return expected(r, n, "ignore", "a list of {id, resource, path, reason} entries");
    static const char *const keys[] = {"id", "path", "reason", "resource", NULL};
    for (size_t i = 0; i < n->count; i++) {
        const slsec_node *e = n->items[i];
        char path[64];
        snprintf(path, sizeof path, "ignore[%zu]", i);
        if (!slsec_node_is_map(e))
            return expected(r, e, path, "a mapping with id, resource, path and reason");
        int rc = known_keys(r, e, path, keys);
        if (rc != SLSEC_OK)
            return rc;
        slsec_config_ignore *ig = slsec_arena_alloc(r->arena, sizeof *ig);
        ig->loc.file = r->file;
        ig->loc.line = (int)e->line;
        ig->loc.col = (int)e->col;
        const slsec_node *v;
        char sub[96];
        if ((v = slsec_node_get(e, "id"))) {
            snprintf(sub, sizeof sub, "%s.id", path);
            if ((rc = rule_id(r, v, sub, &ig->rule_id)))
                return rc;
        }
        if ((v = slsec_node_get(e, "resource"))) {
            snprintf(sub, sizeof sub, "%s.resource", path);
            if ((rc = text(r, v, sub, "a logical id or a glob", &ig->resource)))
                return rc;
        }
        if ((v = slsec_node_get(e, "path"))) {
            snprintf(sub, sizeof sub, "%s.path", path);
            if ((rc = text(r, v, sub, "a path glob such as 'legacy/**'", &ig->path)))
                return rc;
        }
        if ((v = slsec_node_get(e, "reason")) && !(v->flags & SLSEC_NF_NULL)) {
            snprintf(sub, sizeof sub, "%s.reason", path);
            if (v->kind != SLSEC_NODE_SCALAR)
                return expected(r, v, sub, "a sentence saying why");
            const char *s = slsec_node_str(v);
            ig->reason = s && *s ? s : NULL;
        }
        if (!ig->rule_id && !ig->resource && !ig->path)
            return fail(r, e, "%s: expected at least one of id, resource or path (an entry without "
                              "them would ignore everything)", path);
        slsec_ptrvec_push(r->arena, &r->cfg->ignores, ig);
    }
    return SLSEC_OK;
}

/* ---- the file ------------------------------------------------------------------- */

int slsec_config_load(slsec_arena *a, const char *path, slsec_config *cfg, slsec_diag *d)
{
    slsec_config_init(cfg);
    const char *file = slsec_arena_strdup(a, path);
    cfg->file = file;

    struct stat st;
    if (stat(path, &st) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "cannot read the configuration: %s",
                       errno == ENOENT ? "no such file" : strerror(errno));
        return SLSEC_EIO;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SLSEC_MAX_CONFIG_BYTES) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0,
                       "the configuration is %jd bytes, over the %u-byte limit", (intmax_t)st.st_size,
                       (unsigned)SLSEC_MAX_CONFIG_BYTES);
        return SLSEC_ELIMIT;
    }
    char *data;
    size_t len;
    int rc = slsec_read_file(path, SLSEC_MAX_CONFIG_BYTES, &data, &len, d);
    if (rc != SLSEC_OK) {
        if (d)
            snprintf(d->file, sizeof d->file, "%s", file);
        return rc;
    }
    slsec_doc doc;
    rc = slsec_doc_parse(a, file, data, len, &doc, d);
    free(data);
    if (rc != SLSEC_OK)
        return rc;

    reader rd = {.arena = a, .file = file, .cfg = cfg, .d = d}, *r = &rd;
    const slsec_node *root = doc.root;
    if (!root || (root->kind == SLSEC_NODE_SCALAR && (root->flags & SLSEC_NF_NULL)))
        return SLSEC_OK; /* an empty file: every default */
    if (!slsec_node_is_map(root))
        return expected(r, root, "the configuration",
                        "a mapping with fail_on, rules, thresholds, ignore_paths, ignore or secrets");
    /* `logs` is read by slsec logs (src/logs/config.c) */
    static const char *const keys[] = {"fail_on", "ignore", "ignore_paths", "logs", "rules", "secrets", "thresholds", NULL};
    if ((rc = known_keys(r, root, NULL, keys)))
        return rc;
    const slsec_node *v;
    if ((v = slsec_node_get(root, "fail_on"))) {
        if ((rc = severity(r, v, "fail_on", &cfg->fail_on)))
            return rc;
        cfg->fail_on_set = true;
    }
    if ((v = slsec_node_get(root, "rules")) && (rc = read_rules(r, v)))
        return rc;
    if ((v = slsec_node_get(root, "thresholds")) && (rc = read_thresholds(r, v)))
        return rc;
    if ((v = slsec_node_get(root, "ignore_paths")) && (rc = read_ignore_paths(r, v)))
        return rc;
    if ((v = slsec_node_get(root, "ignore")) && (rc = read_ignore(r, v)))
        return rc;
    if ((v = slsec_node_get(root, "secrets")) && (rc = read_secrets(r, v)))
        return rc;
    return SLSEC_OK;
}
