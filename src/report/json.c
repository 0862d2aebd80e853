/*
 * json.c — the JSON report, a stable contract (docs/json-format.md).
 *
 * Fields are added, never renamed or removed; every documented field is
 * always present (null or empty rather than missing), so consumers need no
 * existence checks. Keys keep the order they are written in and nothing
 * depends on the clock, so one scan always gives the same bytes. Written
 * with the streaming writer of jsonw.c: a report of 70,000 findings is
 * never a tree in memory.
 */
#include "report_internal.h"

static void location(slsec_jw *w, slsec_loc loc, const char *message)
{
    slsec_jw_open(w, '{');
    slsec_jw_key(w, "file");
    slsec_jw_str(w, loc.file);
    slsec_jw_key(w, "line");
    slsec_jw_int(w, loc.line > 0 ? loc.line : 0);
    /* A column without a line places nothing: both are 0 then. */
    slsec_jw_key(w, "column");
    slsec_jw_int(w, loc.line > 0 && loc.col > 0 ? loc.col : 0);
    if (message) {
        slsec_jw_key(w, "message");
        slsec_jw_str(w, message);
    }
    slsec_jw_close(w, '}');
}

static void references(slsec_jw *w, const slsec_rule *rule)
{
    slsec_rpt_reflist lists[SLSEC_RPT_REFLISTS];
    slsec_rpt_reflists(rule, lists);
    slsec_jw_open(w, '{');
    for (size_t i = 0; i < SLSEC_RPT_REFLISTS; i++) {
        char buf[SLSEC_RPT_REFBUF];
        const char *items[SLSEC_RPT_MAX_REFS];
        size_t n = slsec_rpt_refs(lists[i].list, buf, items);
        slsec_jw_key(w, lists[i].key);
        slsec_jw_open(w, '[');
        for (size_t k = 0; k < n; k++)
            slsec_jw_str(w, items[k]);
        slsec_jw_close(w, ']');
    }
    slsec_jw_close(w, '}');
}

static void field(slsec_jw *w, const char *key, const char *value)
{
    slsec_jw_key(w, key);
    slsec_jw_str(w, value);
}

/* "fix" and "references" depend on the rule alone: rendered once per
 * rule (and depth), spliced into each of its findings. */
typedef struct rule_members {
    const slsec_rule *rule;
    int depth;
    slsec_buf rendered;
} rule_members;

typedef struct members_cache {
    rule_members *items;
    size_t count, cap;
} members_cache;

static const slsec_buf *rule_constants(members_cache *mc, slsec_jw *w, const slsec_rule *rule)
{
    for (size_t i = 0; i < mc->count; i++) /* a report names few rules */
        if (mc->items[i].rule == rule && mc->items[i].depth == w->depth)
            return &mc->items[i].rendered;
    if (mc->count == mc->cap) {
        mc->cap = mc->cap ? 2 * mc->cap : 32;
        rule_members *more = realloc(mc->items, mc->cap * sizeof *more);
        if (!more)
            slsec_oom();
        mc->items = more;
    }
    rule_members *m = &mc->items[mc->count++];
    m->rule = rule;
    m->depth = w->depth;
    slsec_buf_init(&m->rendered);
    slsec_jw scratch;
    slsec_jw_splice_begin(w, &scratch, &m->rendered);
    field(&scratch, "fix", rule->fix ? rule->fix : "");
    slsec_jw_key(&scratch, "references");
    references(&scratch, rule);
    return &m->rendered;
}

static void members_cache_free(members_cache *mc)
{
    for (size_t i = 0; i < mc->count; i++)
        slsec_buf_free(&mc->items[i].rendered);
    free(mc->items);
}

static void finding_json(slsec_jw *w, members_cache *mc, const slsec_finding *f)
{
    const slsec_rule *rule = slsec_rpt_rule(f);
    slsec_jw_open(w, '{');
    field(w, "rule_id", rule->id);
    field(w, "severity", slsec_severity_name(f->severity));
    field(w, "title", rule->title ? rule->title : "");
    field(w, "family", rule->family ? rule->family : "");
    field(w, "message", f->message ? f->message : "");
    field(w, "resource", f->resource);
    field(w, "resource_type", f->resource_type);
    slsec_jw_key(w, "location");
    location(w, f->loc, NULL);
    slsec_jw_key(w, "related");
    slsec_jw_open(w, '[');
    for (size_t i = 0; i < f->related_count && i < SLSEC_MAX_RELATED; i++)
        location(w, f->related[i], f->related_msg[i] ? f->related_msg[i] : "");
    slsec_jw_close(w, ']');
    field(w, "evidence", f->evidence);
    field(w, "fingerprint", f->fingerprint);
    slsec_jw_splice(w, rule_constants(mc, w, rule));
    slsec_jw_key(w, "suppressed");
    slsec_jw_bool(w, f->suppressed);
    field(w, "suppression", f->suppressed ? f->suppression : NULL);
    slsec_jw_close(w, '}');
}

static const char *level_name(slsec_diag_level l)
{
    switch (l) {
    case SLSEC_DIAG_ERROR:
        return "error";
    case SLSEC_DIAG_NOTE:
        return "note";
    default:
        return "warning";
    }
}

static void count(slsec_jw *w, const char *key, size_t n)
{
    slsec_jw_key(w, key);
    slsec_jw_int(w, (long long)n);
}

static void summary_json(slsec_jw *w, const slsec_scan_result *r)
{
    slsec_jw_open(w, '{');
    count(w, "total", slsec_rpt_total(r));
    slsec_jw_key(w, "by_severity");
    slsec_jw_open(w, '{');
    for (int sev = SLSEC_SEV_CRITICAL; sev >= SLSEC_SEV_INFO; sev--)
        count(w, slsec_severity_name((slsec_severity)sev), r->counts[sev]);
    slsec_jw_close(w, '}');
    count(w, "templates", r->templates);
    count(w, "files", r->files_seen);
    count(w, "source_files", r->code_files);
    count(w, "handlers", r->code_handlers);
    count(w, "suppressed", r->suppressed);
    count(w, "unknown_resources", r->unknown_resources);
    slsec_jw_key(w, "warnings");
    slsec_jw_open(w, '[');
    for (size_t i = 0; i < r->warnings.count; i++) {
        const slsec_diag *d = &r->warnings.items[i];
        slsec_jw_open(w, '{');
        field(w, "file", d->file[0] ? d->file : NULL);
        count(w, "line", d->line > 0 ? (size_t)d->line : 0);
        count(w, "column", d->col > 0 ? (size_t)d->col : 0);
        field(w, "level", level_name(d->level));
        field(w, "message", d->message);
        slsec_jw_close(w, '}');
    }
    slsec_jw_close(w, ']');
    slsec_jw_close(w, '}');
}

/* Every outbound call of every function, in the model's order. */
static void integrations_json(slsec_jw *w, const slsec_scan_result *r)
{
    slsec_jw_open(w, '[');
    for (size_t i = 0; r->app && i < r->app->externals.count; i++) {
        const slsec_external_call *c = r->app->externals.items[i];
        bool host = c->kind == SLSEC_EXTERNAL_HOST;
        slsec_jw_open(w, '{');
        field(w, "function", c->function_id);
        slsec_jw_key(w, "template_function");
        slsec_jw_bool(w, c->function != NULL);
        field(w, "kind", slsec_external_kind_name(c->kind));
        field(w, "service", host ? NULL : c->target);
        field(w, "operation", c->operation);
        field(w, "host", host ? c->target : NULL);
        field(w, "via", c->via);
        slsec_jw_key(w, "location");
        location(w, c->loc, NULL);
        slsec_jw_close(w, '}');
    }
    slsec_jw_close(w, ']');
}

int slsec_rpt_json(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts)
{
    /* JSON carries every finding of the result, marked; integrations when asked */
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_jw w;
    slsec_jw_init(&w, &b);
    slsec_jw_open(&w, '{');
    field(&w, "tool", "slsec");
    field(&w, "version", SLSEC_VERSION);
    slsec_jw_key(&w, "findings");
    slsec_jw_open(&w, '[');
    members_cache mc = {0};
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f)
            finding_json(&w, &mc, f);
        if (!slsec_rpt_drain(out, &b))
            break;
    }
    members_cache_free(&mc);
    slsec_jw_close(&w, ']');
    slsec_jw_key(&w, "summary");
    summary_json(&w, r);
    slsec_jw_key(&w, "integrations");
    if (opts->inventory)
        integrations_json(&w, r);
    else
        slsec_jw_null(&w); /* not asked for (--inventory): null, not an empty list */
    slsec_jw_close(&w, '}');
    slsec_buf_putc(&b, '\n');
    return slsec_rpt_flush(out, &b);
}
