/*
 * markdown.c — the scan as Markdown, for pull-request comments and job
 * summaries ($GITHUB_STEP_SUMMARY): a heading, a table of counts, then one
 * table of findings (suppressed ones in a table of their own when asked).
 *
 * Every cell goes through slsec_rpt_md_cell(): template text must not be
 * able to end a cell ('|'), a row (newline) or inject markup or HTML.
 */
#include "report_internal.h"

#include <stdlib.h>

static void loc_cell(slsec_buf *b, slsec_loc loc)
{
    slsec_buf t;
    slsec_buf_init(&t);
    slsec_buf_puts(&t, loc.file ? loc.file : "");
    if (loc.file && loc.line > 0) {
        slsec_buf_printf(&t, ":%d", loc.line);
        if (loc.col > 0)
            slsec_buf_printf(&t, ":%d", loc.col);
    }
    slsec_rpt_md_cell(b, t.data ? t.data : "");
    slsec_buf_free(&t);
}

static void findings_table(slsec_buf *b, const slsec_scan_result *r, bool suppressed)
{
    slsec_buf_puts(b, suppressed ? "| Severity | Rule | Resource | Location | Message | Suppression |\n"
                                   "|---|---|---|---|---|---|\n"
                                 : "| Severity | Rule | Resource | Location | Message |\n"
                                   "|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (!f || f->suppressed != suppressed)
            continue;
        const slsec_rule *rule = slsec_rpt_rule(f);
        slsec_buf_printf(b, "| %s | ", slsec_severity_name(f->severity));
        slsec_rpt_md_cell(b, rule->id);
        if (rule->title && *rule->title) {
            slsec_buf_puts(b, ": ");
            slsec_rpt_md_cell(b, rule->title);
        }
        slsec_buf_puts(b, " | ");
        slsec_rpt_md_cell(b, f->resource ? f->resource : "");
        slsec_buf_puts(b, " | ");
        loc_cell(b, f->loc);
        slsec_buf_puts(b, " | ");
        slsec_rpt_md_cell(b, f->message ? f->message : "");
        if (suppressed) {
            slsec_buf_puts(b, " | ");
            slsec_rpt_md_cell(b, f->suppression ? f->suppression : "(no reason given)");
        }
        slsec_buf_puts(b, " |\n");
    }
}

/* --inventory: one row per function and service operation or host. */
static void integrations_table(slsec_buf *b, const slsec_scan_result *r)
{
    slsec_buf_puts(b, "\n## Outbound integrations\n\n");
    size_t n;
    slsec_rpt_integration *lines = slsec_rpt_integrations(r, &n);
    if (!n) {
        slsec_buf_printf(b, "None found in %zu source file%s.\n", r->code_files, r->code_files == 1 ? "" : "s");
        free(lines);
        return;
    }
    slsec_buf_puts(b, "| Function | Kind | Service:operation or host | Location |\n|---|---|---|---|\n");
    slsec_buf t;
    slsec_buf_init(&t);
    for (size_t i = 0; i < n; i++) {
        const slsec_external_call *c = lines[i].first;
        slsec_buf_puts(b, "| ");
        slsec_rpt_md_cell(b, c->function_id);
        slsec_buf_printf(b, "%s | %s | ", c->function ? "" : " (no template function)",
                         slsec_external_kind_name(c->kind));
        slsec_buf_reset(&t);
        slsec_rpt_integration_target(&t, c);
        slsec_rpt_md_cell(b, t.data);
        slsec_buf_puts(b, " | ");
        loc_cell(b, c->loc);
        if (lines[i].more)
            slsec_buf_printf(b, " (+%zu more)", lines[i].more);
        slsec_buf_puts(b, " |\n");
    }
    slsec_buf_free(&t);
    free(lines);
}

int slsec_rpt_markdown(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts)
{
    slsec_buf b;
    slsec_buf_init(&b);
    size_t total = slsec_rpt_total(r);
    slsec_buf_puts(&b, "# slsec scan report\n\n");
    slsec_buf_puts(&b, "| Severity | Findings |\n|---|---:|\n");
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
        slsec_buf_printf(&b, "| %s | %zu |\n", slsec_severity_name((slsec_severity)s), r->counts[s]);
    slsec_buf_printf(&b, "| **total** | **%zu** |\n\n", total);
    slsec_buf_printf(&b, "%zu template%s scanned (%zu file%s), %zu suppressed, %zu warning%s.\n\n",
                     r->templates, r->templates == 1 ? "" : "s", r->files_seen,
                     r->files_seen == 1 ? "" : "s", r->suppressed, r->warnings.count,
                     r->warnings.count == 1 ? "" : "s");

    size_t shown = 0, hidden = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f && f->suppressed)
            hidden++;
        else if (f)
            shown++;
    }
    slsec_buf_puts(&b, "## Findings\n\n");
    if (shown)
        findings_table(&b, r, false);
    else
        slsec_buf_puts(&b, "No findings.\n");
    if (opts->show_suppressed && hidden) {
        slsec_buf_puts(&b, "\n## Suppressed findings\n\n");
        findings_table(&b, r, true);
    }
    if (opts->inventory)
        integrations_table(&b, r);
    return slsec_rpt_flush(out, &b);
}
