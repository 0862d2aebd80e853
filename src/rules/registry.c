/*
 * registry.c — the rule catalogue, findings and the rule runner.
 *
 * Fingerprints hash the rule id, the file, the resource and the rule's key
 * (never the line), so a finding keeps its identity when code moves: the
 * property baselines and suppressions rely on.
 */
#include "rules_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const slsec_rule **catalogue;
static size_t catalogue_count;

static int by_id(const void *a, const void *b)
{
    const slsec_rule *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

static void build_catalogue(void)
{
    size_t n = 0;
#define COUNT(name) n += slsec_rules_##name##_count;
    SLSEC_RULE_FAMILIES(COUNT)
#undef COUNT
    /* A static array sized at first use: the catalogue lives as long as the
     * process, like the tables it points into. */
    static const slsec_rule *storage[512];
    if (n > sizeof storage / sizeof storage[0])
        n = sizeof storage / sizeof storage[0];
    size_t k = 0;
#define FILL(name)                                                     \
    for (size_t i = 0; i < slsec_rules_##name##_count && k < n; i++) \
        storage[k++] = &slsec_rules_##name[i];
    SLSEC_RULE_FAMILIES(FILL)
#undef FILL
    qsort(storage, k, sizeof storage[0], by_id);
    catalogue = storage;
    catalogue_count = k;
}

const slsec_rule *const *slsec_rules_all(size_t *count)
{
    if (!catalogue)
        build_catalogue();
    *count = catalogue_count;
    return catalogue;
}

const slsec_rule *slsec_rule_find(const char *id)
{
    size_t n;
    const slsec_rule *const *all = slsec_rules_all(&n);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(all[mid]->id, id);
        if (c == 0)
            return all[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t slsec_refs_split(const char *list, char *buf, size_t bufsize, const char **items, size_t max)
{
    size_t n = 0;
    if (!list || !bufsize)
        return 0;
    snprintf(buf, bufsize, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
        items[n++] = t;
    return n;
}

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};

const char *slsec_severity_name(slsec_severity s)
{
    return (unsigned)s < 5 ? severity_names[s] : "unknown";
}

bool slsec_severity_parse(const char *name, slsec_severity *out)
{
    for (int i = 0; i < 5; i++)
        if (name && strcasecmp(name, severity_names[i]) == 0) {
            *out = (slsec_severity)i;
            return true;
        }
    return false;
}

void slsec_settings_default(slsec_settings *s)
{
    memset(s, 0, sizeof *s);
    s->max_timeout = 300;
    s->api_max_timeout = 29;
    s->min_log_retention_days = 0;
    s->today = NULL;
}

slsec_finding *slsec_report(slsec_check_ctx *ctx, const char *resource, const char *resource_type,
                            slsec_loc loc, const char *key, const char *fmt, ...)
{
    slsec_finding *f = slsec_arena_alloc(ctx->arena, sizeof *f);
    f->rule = ctx->rule;
    f->severity = ctx->rule->severity;
    f->resource = resource;
    f->resource_type = resource_type;
    f->loc = loc;
    f->key = key ? slsec_arena_strdup(ctx->arena, key) : "";
    va_list ap;
    va_start(ap, fmt);
    f->message = slsec_arena_vprintf(ctx->arena, fmt, ap);
    va_end(ap);

    char *material = slsec_arena_printf(ctx->arena, "%s\x1f%s\x1f%s\x1f%s", ctx->rule->id,
                                        loc.file ? loc.file : "", resource ? resource : "", f->key);
    char hex[65];
    slsec_sha256_hex(material, strlen(material), hex);
    memcpy(f->fingerprint, hex, 32);
    f->fingerprint[32] = '\0';
    slsec_ptrvec_push(ctx->arena, ctx->findings, f);
    return f;
}

void slsec_finding_relate(slsec_finding *f, slsec_loc loc, const char *msg)
{
    if (f->related_count < SLSEC_MAX_RELATED) {
        f->related[f->related_count] = loc;
        f->related_msg[f->related_count] = msg;
        f->related_count++;
    }
}

void slsec_rules_run(const slsec_app *app, const slsec_settings *settings, slsec_arena *arena,
                     bool (*enabled)(const slsec_rule *rule, void *user), void *user,
                     slsec_ptrvec *findings)
{
    size_t n;
    const slsec_rule *const *all = slsec_rules_all(&n);
    slsec_check_ctx ctx = {.app = app, .settings = settings, .arena = arena, .findings = findings};
    for (size_t i = 0; i < n; i++) {
        if (!all[i]->check || (enabled && !enabled(all[i], user)))
            continue;
        ctx.rule = all[i];
        all[i]->check(&ctx);
    }
}
