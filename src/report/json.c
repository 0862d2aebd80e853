/*
 * json.c — the JSON report, a stable contract (docs/json-format.md).
 *
 * Fields are added, never renamed or removed; every documented field is
 * always present (null or empty rather than missing), so consumers need no
 * existence checks. Keys keep the order they are written in and nothing
 * depends on the clock, so one scan always gives the same bytes.
 */
#include "report_internal.h"

static json_t *location(slsec_loc loc)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", slsec_rpt_jstr(loc.file));
    json_object_set_new(o, "line", json_integer(loc.line > 0 ? loc.line : 0));
    /* A column without a line places nothing: both are 0 then. */
    json_object_set_new(o, "column", json_integer(loc.line > 0 && loc.col > 0 ? loc.col : 0));
    return o;
}

static json_t *finding_json(const slsec_finding *f)
{
    const slsec_rule *rule = slsec_rpt_rule(f);
    json_t *o = json_object();
    json_object_set_new(o, "rule_id", slsec_rpt_jstr(rule->id));
    json_object_set_new(o, "severity", json_string(slsec_severity_name(f->severity)));
    json_object_set_new(o, "title", slsec_rpt_jstr_or_empty(rule->title));
    json_object_set_new(o, "family", slsec_rpt_jstr_or_empty(rule->family));
    json_object_set_new(o, "message", slsec_rpt_jstr_or_empty(f->message));
    json_object_set_new(o, "resource", slsec_rpt_jstr(f->resource));
    json_object_set_new(o, "resource_type", slsec_rpt_jstr(f->resource_type));
    json_object_set_new(o, "location", location(f->loc));

    json_t *related = json_array();
    for (size_t i = 0; i < f->related_count && i < SLSEC_MAX_RELATED; i++) {
        json_t *rl = location(f->related[i]);
        json_object_set_new(rl, "message", slsec_rpt_jstr_or_empty(f->related_msg[i]));
        json_array_append_new(related, rl);
    }
    json_object_set_new(o, "related", related);
    json_object_set_new(o, "evidence", slsec_rpt_jstr(f->evidence));
    json_object_set_new(o, "fingerprint", slsec_rpt_jstr_or_empty(f->fingerprint));
    json_object_set_new(o, "fix", slsec_rpt_jstr_or_empty(rule->fix));
    json_object_set_new(o, "references", slsec_rpt_refs_json(rule));
    json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
    json_object_set_new(o, "suppression", f->suppressed ? slsec_rpt_jstr(f->suppression) : json_null());
    return o;
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

static json_t *summary_json(const slsec_scan_result *r)
{
    json_t *s = json_object();
    json_object_set_new(s, "total", json_integer((json_int_t)slsec_rpt_total(r)));
    json_t *by = json_object();
    for (int sev = SLSEC_SEV_CRITICAL; sev >= SLSEC_SEV_INFO; sev--)
        json_object_set_new(by, slsec_severity_name((slsec_severity)sev),
                            json_integer((json_int_t)r->counts[sev]));
    json_object_set_new(s, "by_severity", by);
    json_object_set_new(s, "templates", json_integer((json_int_t)r->templates));
    json_object_set_new(s, "files", json_integer((json_int_t)r->files_seen));
    json_object_set_new(s, "suppressed", json_integer((json_int_t)r->suppressed));
    json_object_set_new(s, "unknown_resources", json_integer((json_int_t)r->unknown_resources));
    json_t *w = json_array();
    for (size_t i = 0; i < r->warnings.count; i++) {
        const slsec_diag *d = &r->warnings.items[i];
        json_t *o = json_object();
        json_object_set_new(o, "file", d->file[0] ? slsec_rpt_jstr(d->file) : json_null());
        json_object_set_new(o, "line", json_integer(d->line > 0 ? d->line : 0));
        json_object_set_new(o, "column", json_integer(d->col > 0 ? d->col : 0));
        json_object_set_new(o, "level", json_string(level_name(d->level)));
        json_object_set_new(o, "message", slsec_rpt_jstr(d->message));
        json_array_append_new(w, o);
    }
    json_object_set_new(s, "warnings", w);
    return s;
}

int slsec_rpt_json(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts)
{
    (void)opts; /* JSON carries every finding of the result, marked */
    json_t *root = json_object();
    json_object_set_new(root, "tool", json_string("slsec"));
    json_object_set_new(root, "version", json_string(SLSEC_VERSION));
    json_t *findings = json_array();
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f)
            json_array_append_new(findings, finding_json(f));
    }
    json_object_set_new(root, "findings", findings);
    json_object_set_new(root, "summary", summary_json(r));
    return slsec_rpt_json_dump(out, root);
}
