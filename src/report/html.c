/*
 * html.c — `slsec report`: the latest scan, trends, compliance and the
 * inventory map as one self-contained HTML page, or the same content as
 * Markdown (slsec/compliance.h).
 *
 * Self-contained means no request leaves the page: CSS and SVG are
 * inline, there are no images, fonts or links to fetch, and a
 * Content-Security-Policy forbids everything else (default-src 'none');
 * the one small script (a text filter for the findings tables) is allowed
 * by its SHA-256 hash only, so even text that escaped escaping could not
 * run. Every section reads fine with scripts disabled, and a print
 * stylesheet drops the filter box and keeps tables whole.
 *
 * Escaping: every string that is not a literal of this file goes through
 * esc() (HTML text and attribute values) or slsec_rpt_md_cell() (Markdown).
 */
#include "inventory_internal.h"
#include "report_internal.h"
#include "slsec/compliance.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const sev_colors[] = {"#607d8b", "#1565c0", "#f9a825", "#e65100", "#b71c1c"};

/* ---- escaping ---------------------------------------------------------------- */

static void esc(slsec_buf *b, const char *s)
{
    if (!s)
        return;
    slsec_buf t;
    slsec_buf_init(&t);
    slsec_rpt_utf8_clean(&t, s);
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.data[i];
        switch (c) {
        case '&': slsec_buf_puts(b, "&amp;"); break;
        case '<': slsec_buf_puts(b, "&lt;"); break;
        case '>': slsec_buf_puts(b, "&gt;"); break;
        case '"': slsec_buf_puts(b, "&quot;"); break;
        case '\'': slsec_buf_puts(b, "&#39;"); break;
        default:
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                slsec_buf_putc(b, ' ');
            else
                slsec_buf_putc(b, (char)c);
        }
    }
    slsec_buf_free(&t);
}

static void loc_text(slsec_buf *b, slsec_loc l)
{
    if (!l.file || !*l.file) {
        slsec_buf_puts(b, "(no location)");
        return;
    }
    esc(b, l.file);
    if (l.line > 0) {
        slsec_buf_printf(b, ":%d", l.line);
        if (l.col > 0)
            slsec_buf_printf(b, ":%d", l.col);
    }
}

static void date_text(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(out, n, "%lld", (long long)t);
}

/* ---- the findings, arranged ------------------------------------------------------ */

typedef struct arranged {
    const slsec_finding **items; /* visible findings, sorted by severity (worst first), rule, resource */
    size_t count;
} arranged;

static int cmp_finding(const void *x, const void *y)
{
    const slsec_finding *a = *(const slsec_finding *const *)x, *b = *(const slsec_finding *const *)y;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    int c = strcmp(slsec_rpt_rule(a)->id, slsec_rpt_rule(b)->id);
    if (c)
        return c;
    c = strcmp(a->resource ? a->resource : "", b->resource ? b->resource : "");
    if (c)
        return c;
    c = strcmp(a->loc.file ? a->loc.file : "", b->loc.file ? b->loc.file : "");
    return c ? c : (a->loc.line > b->loc.line) - (a->loc.line < b->loc.line);
}

static void arrange(const slsec_scan_result *r, bool show_suppressed, arranged *out)
{
    out->items = calloc(r->findings.count + 1, sizeof *out->items);
    if (!out->items)
        slsec_oom();
    out->count = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f && (!f->suppressed || show_suppressed))
            out->items[out->count++] = f;
    }
    qsort(out->items, out->count, sizeof *out->items, cmp_finding);
}

/* Findings by resource (then as cmp_finding), for "by function". */
static int cmp_by_resource(const void *x, const void *y)
{
    const slsec_finding *a = *(const slsec_finding *const *)x, *b = *(const slsec_finding *const *)y;
    int c = strcmp(a->resource ? a->resource : "", b->resource ? b->resource : "");
    return c ? c : cmp_finding(x, y);
}

static bool is_function(slsec_strmap *fns, const char *id)
{
    return id && slsec_strmap_get(fns, id) != NULL;
}

/* ---- HTML pieces ---------------------------------------------------------------- */

static const char css[] =
    ":root{--fg:#1b1f23;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa}"
    "*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);"
    "background:var(--bg);margin:0 auto;max-width:1180px;padding:24px}"
    "h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:36px 0 10px;border-bottom:1px solid var(--line);"
    "padding-bottom:4px}h3{font-size:17px;margin:22px 0 6px}p.meta{color:var(--muted);margin:0}"
    "nav a{margin-right:14px}table{border-collapse:collapse;width:100%;margin:8px 0 16px}"
    "th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:var(--soft)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".sev{display:inline-block;min-width:64px;padding:0 6px;border-radius:4px;color:#fff;font-size:12px;"
    "text-align:center;font-weight:600}"
    ".sev-critical{background:#b71c1c}.sev-high{background:#e65100}.sev-medium{background:#f9a825;color:#000}"
    ".sev-low{background:#1565c0}.sev-info{background:#607d8b}.sev-none{background:#2e7d32}"
    ".cards{display:flex;gap:10px;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:8px;"
    "padding:10px 16px;min-width:120px}.card .n{font-size:26px;font-weight:700}"
    ".pass{color:#2e7d32;font-weight:600}.fail{color:#b71c1c;font-weight:600}.na{color:var(--muted)}"
    "pre{background:var(--soft);padding:8px;overflow:auto;font-size:13px}code{font-size:13px}"
    ".rule{border:1px solid var(--line);border-radius:8px;padding:4px 14px;margin:12px 0}"
    "svg text{font:12px system-ui,sans-serif}.chart{max-width:100%;height:auto}"
    ".map{overflow:auto;border:1px solid var(--line);border-radius:8px}"
    "#filter{padding:4px 8px;width:320px;margin:6px 0}.hidden{display:none}"
    "@media print{nav,#filter{display:none}body{max-width:none;padding:0;font-size:11pt}"
    "h2{break-before:auto;break-after:avoid}tr,.rule,.card{break-inside:avoid}"
    ".map{overflow:visible;border:0}a{color:inherit;text-decoration:none}}";

/* Hides rows of tables marked data-filter whose text lacks the query. */
static const char script[] =
    "(function(){var i=document.getElementById('filter');if(!i)return;i.classList.remove('hidden');"
    "i.addEventListener('input',function(){var q=i.value.toLowerCase();"
    "document.querySelectorAll('table[data-filter] tbody tr').forEach(function(r){"
    "r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});})();";

static void script_hash(char *out, size_t n)
{
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_Digest(script, sizeof script - 1, digest, &len, EVP_sha256(), NULL);
    unsigned char b64[64];
    int m = EVP_EncodeBlock(b64, digest, (int)len);
    snprintf(out, n, "%.*s", m > 0 ? m : 0, (const char *)b64);
}

static void sev_badge(slsec_buf *b, int sev)
{
    if (sev < 0 || sev > 4)
        slsec_buf_puts(b, "<span class=\"sev sev-none\">none</span>");
    else
        slsec_buf_printf(b, "<span class=\"sev sev-%s\">%s</span>", sev_names[sev], sev_names[sev]);
}

static void html_summary(slsec_buf *b, const slsec_scan_result *r, const arranged *f,
                         const slsec_report_doc_opts *o)
{
    size_t total = slsec_rpt_total(r);
    slsec_buf_puts(b, "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">");
    slsec_buf_printf(b, "<div class=\"card\"><div class=\"n\" id=\"count-total\" data-count=\"%zu\">%zu</div>"
                        "findings</div>", total, total);
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
        slsec_buf_printf(b, "<div class=\"card\"><div class=\"n\" id=\"count-%s\" data-count=\"%zu\">%zu</div>%s</div>",
                         sev_names[s], r->counts[s], r->counts[s], sev_names[s]);
    slsec_buf_puts(b, "</div>");
    slsec_buf_printf(b, "<p>%zu template%s and %zu lockfile%s scanned, %zu file%s read for secrets; "
                        "%zu finding%s suppressed, %zu accepted by a baseline.</p>",
                     r->templates, r->templates == 1 ? "" : "s", r->lockfiles, r->lockfiles == 1 ? "" : "s",
                     r->text_files, r->text_files == 1 ? "" : "s", r->suppressed, r->suppressed == 1 ? "" : "s",
                     r->baselined.count);

    /* By family, from the findings themselves. */
    slsec_buf_puts(b, "<h3>By family</h3><table><thead><tr><th>Family</th>");
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
        slsec_buf_printf(b, "<th class=\"n\">%s</th>", sev_names[s]);
    slsec_buf_puts(b, "<th class=\"n\">total</th></tr></thead><tbody>");
    size_t nrules;
    const slsec_rule *const *all = slsec_rules_all(&nrules);
    const char *families[32];
    size_t nf = 0;
    for (size_t i = 0; i < nrules; i++) {
        bool seen = false;
        for (size_t k = 0; k < nf; k++)
            seen |= strcmp(families[k], all[i]->family) == 0;
        if (!seen && nf < 32)
            families[nf++] = all[i]->family;
    }
    for (size_t k = 0; k < nf; k++) {
        size_t c[5] = {0}, t = 0;
        for (size_t i = 0; i < f->count; i++)
            if (!f->items[i]->suppressed && strcmp(slsec_rpt_rule(f->items[i])->family, families[k]) == 0) {
                c[f->items[i]->severity]++;
                t++;
            }
        if (!t)
            continue;
        const char *name = slsec_rpt_family_name(families[k]);
        slsec_buf_puts(b, "<tr><td>");
        esc(b, families[k]);
        if (name) {
            slsec_buf_puts(b, " — ");
            esc(b, name);
        }
        slsec_buf_puts(b, "</td>");
        for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
            slsec_buf_printf(b, "<td class=\"n\">%zu</td>", c[s]);
        slsec_buf_printf(b, "<td class=\"n\">%zu</td></tr>", t);
    }
    slsec_buf_puts(b, "</tbody></table>");

    slsec_buf_puts(b, "<h3>Top risks</h3>");
    if (!total) {
        slsec_buf_puts(b, "<p>No findings: nothing stands out.</p>");
    } else {
        slsec_buf_puts(b, "<ol>");
        size_t shown = 0;
        for (size_t i = 0; i < f->count && shown < 5; i++) {
            const slsec_finding *x = f->items[i];
            if (x->suppressed || x->severity < SLSEC_SEV_MEDIUM)
                continue;
            const slsec_rule *rule = slsec_rpt_rule(x);
            slsec_buf_puts(b, "<li>");
            sev_badge(b, (int)x->severity);
            slsec_buf_puts(b, " <strong>");
            esc(b, rule->title);
            slsec_buf_puts(b, "</strong>: ");
            esc(b, x->message);
            slsec_buf_puts(b, ". <em>Fix:</em> ");
            slsec_buf fix;
            slsec_buf_init(&fix);
            slsec_rpt_fix_hint(&fix, rule);
            esc(b, fix.data);
            slsec_buf_free(&fix);
            slsec_buf_puts(b, "</li>");
            shown++;
        }
        if (!shown)
            slsec_buf_puts(b, "<li>Only low and informational findings remain.</li>");
        slsec_buf_puts(b, "</ol>");
    }
    if (o->fixes) {
        slsec_buf_puts(b, "<h3>Time to fix</h3><table><thead><tr><th>Severity</th><th class=\"n\">fixed</th>"
                          "<th class=\"n\">mean time to fix</th><th class=\"n\">still open</th></tr></thead><tbody>");
        for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--) {
            slsec_buf_printf(b, "<tr><td>%s</td><td class=\"n\">%zu</td><td class=\"n\">", sev_names[s],
                             o->fixes->fixed[s]);
            if (o->fixes->fixed[s])
                slsec_buf_printf(b, "%.1f days", o->fixes->mean_seconds[s] / 86400.0);
            else
                slsec_buf_puts(b, "—");
            slsec_buf_printf(b, "</td><td class=\"n\">%zu</td></tr>", o->fixes->open[s]);
        }
        slsec_buf_puts(b, "</tbody></table>");
    }
    slsec_buf_puts(b, "</section>");
}

static void finding_row(slsec_buf *b, const slsec_finding *x, bool with_resource)
{
    const slsec_rule *rule = slsec_rpt_rule(x);
    slsec_buf_puts(b, "<tr><td>");
    sev_badge(b, (int)x->severity);
    slsec_buf_puts(b, "</td><td><a href=\"#rule-");
    esc(b, rule->id);
    slsec_buf_puts(b, "\">");
    esc(b, rule->id);
    slsec_buf_puts(b, "</a></td>");
    if (with_resource) {
        slsec_buf_puts(b, "<td>");
        esc(b, x->resource ? x->resource : "");
        slsec_buf_puts(b, "</td>");
    }
    slsec_buf_puts(b, "<td>");
    esc(b, x->message);
    if (x->suppressed) {
        slsec_buf_puts(b, " <em>(suppressed: ");
        esc(b, x->suppression ? x->suppression : "no reason given");
        slsec_buf_puts(b, ")</em>");
    }
    slsec_buf_puts(b, "</td><td><code>");
    loc_text(b, x->loc);
    slsec_buf_puts(b, "</code></td></tr>");
}

static void html_by_function(slsec_buf *b, const slsec_scan_result *r, const arranged *f)
{
    slsec_buf_puts(b, "<section id=\"by-function\"><h2>Findings by function</h2>");
    if (!f->count) {
        slsec_buf_puts(b, "<p>No findings.</p></section>");
        return;
    }
    slsec_buf_puts(b, "<input id=\"filter\" class=\"hidden\" type=\"search\" placeholder=\"Filter findings\" "
                      "aria-label=\"Filter findings\">");
    slsec_arena *a = slsec_arena_new();
    slsec_strmap *fns = slsec_strmap_new(a);
    for (size_t i = 0; r->app && i < r->app->functions.count; i++) {
        const slsec_function *fn = r->app->functions.items[i];
        slsec_strmap_put(fns, fn->id, (void *)fn);
    }
    const slsec_finding **sorted = malloc((f->count + 1) * sizeof *sorted);
    if (!sorted)
        slsec_oom();
    memcpy(sorted, f->items, f->count * sizeof *sorted);
    qsort(sorted, f->count, sizeof *sorted, cmp_by_resource);
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: functions; pass 1: one table of every other resource */
        if (pass == 1)
            slsec_buf_puts(b, "<h3>Other resources</h3><table data-filter><thead><tr><th>Severity</th><th>Rule</th>"
                              "<th>Resource</th><th>Finding</th><th>Location</th></tr></thead><tbody>");
        bool any = false;
        for (size_t i = 0; i < f->count;) {
            const char *res = sorted[i]->resource;
            size_t j = i;
            while (j < f->count && strcmp(sorted[j]->resource ? sorted[j]->resource : "", res ? res : "") == 0)
                j++;
            bool fn = is_function(fns, res);
            if (pass == 0 && fn) {
                const slsec_function *func = slsec_strmap_get(fns, res);
                slsec_buf_puts(b, "<h3>");
                esc(b, res);
                slsec_buf_puts(b, "</h3><p class=\"meta\">");
                esc(b, func->runtime ? func->runtime : "runtime unknown");
                slsec_buf_puts(b, " · ");
                loc_text(b, func->loc);
                slsec_buf_puts(b, "</p><table data-filter><thead><tr><th>Severity</th><th>Rule</th><th>Finding</th>"
                                  "<th>Location</th></tr></thead><tbody>");
                for (size_t k = i; k < j; k++)
                    finding_row(b, sorted[k], false);
                slsec_buf_puts(b, "</tbody></table>");
            } else if (pass == 1 && !fn) {
                for (size_t k = i; k < j; k++)
                    finding_row(b, sorted[k], true);
                any = true;
            }
            i = j;
        }
        if (pass == 1) {
            if (!any)
                slsec_buf_puts(b, "<tr><td colspan=\"5\">None.</td></tr>");
            slsec_buf_puts(b, "</tbody></table>");
        }
    }
    free(sorted);
    slsec_arena_free(a);
    slsec_buf_puts(b, "</section>");
}

static void html_by_rule(slsec_buf *b, const arranged *f)
{
    slsec_buf_puts(b, "<section id=\"by-rule\"><h2>Findings by rule</h2>");
    if (!f->count)
        slsec_buf_puts(b, "<p>No findings.</p>");
    for (size_t i = 0; i < f->count;) {
        const slsec_rule *rule = slsec_rpt_rule(f->items[i]);
        size_t j = i;
        while (j < f->count && slsec_rpt_rule(f->items[j]) == rule && f->items[j]->severity == f->items[i]->severity)
            j++;
        slsec_buf_puts(b, "<div class=\"rule\" id=\"rule-");
        esc(b, rule->id);
        slsec_buf_puts(b, "\"><h3>");
        sev_badge(b, (int)f->items[i]->severity);
        slsec_buf_puts(b, " ");
        esc(b, rule->id);
        slsec_buf_puts(b, " — ");
        esc(b, rule->title);
        slsec_buf_printf(b, " <small>(%zu)</small></h3>", j - i);
        if (rule->why && *rule->why) {
            slsec_buf_puts(b, "<p><strong>Why.</strong> ");
            esc(b, rule->why);
            slsec_buf_puts(b, "</p>");
        }
        if (rule->fix && *rule->fix) {
            slsec_buf_puts(b, "<p><strong>Fix.</strong> ");
            esc(b, rule->fix);
            slsec_buf_puts(b, "</p>");
        }
        if (rule->snippet && *rule->snippet) {
            slsec_buf_puts(b, "<pre>");
            esc(b, rule->snippet);
            slsec_buf_puts(b, "</pre>");
        }
        if (rule->owasp && *rule->owasp) {
            slsec_buf_puts(b, "<p class=\"meta\">OWASP Serverless Top 10: ");
            esc(b, rule->owasp);
            if (rule->cwe && *rule->cwe) {
                slsec_buf_puts(b, " · ");
                esc(b, rule->cwe);
            }
            slsec_buf_puts(b, "</p>");
        }
        slsec_buf_puts(b, "<table data-filter><thead><tr><th>Resource</th><th>Finding</th><th>Location</th></tr>"
                          "</thead><tbody>");
        for (size_t k = i; k < j; k++) {
            const slsec_finding *x = f->items[k];
            slsec_buf_puts(b, "<tr><td>");
            esc(b, x->resource ? x->resource : "");
            slsec_buf_puts(b, "</td><td>");
            esc(b, x->message);
            slsec_buf_puts(b, "</td><td><code>");
            loc_text(b, x->loc);
            slsec_buf_puts(b, "</code></td></tr>");
        }
        slsec_buf_puts(b, "</tbody></table></div>");
        i = j;
    }
    slsec_buf_puts(b, "</section>");
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Findings per family (rows) in the latest runs (columns, oldest first). */
static void family_table(slsec_buf *b, const slsec_report_family_run *runs, size_t n)
{
    const char *names[64];
    size_t nn = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < runs[i].count; k++) {
            bool seen = false;
            for (size_t m = 0; m < nn && !seen; m++)
                seen = strcmp(names[m], runs[i].families[k].family) == 0;
            if (!seen && nn < 64)
                names[nn++] = runs[i].families[k].family;
        }
    qsort(names, nn, sizeof *names, cmp_cstr);
    slsec_buf_puts(b, "<h3>Findings by family, per run</h3><table id=\"families\"><thead><tr><th>Family</th>");
    for (size_t i = 0; i < n; i++)
        slsec_buf_printf(b, "<th class=\"n\">run %lld</th>", (long long)runs[i].run_id);
    slsec_buf_puts(b, "</tr></thead><tbody>");
    for (size_t m = 0; m < nn; m++) {
        slsec_buf_puts(b, "<tr><td>");
        esc(b, names[m]);
        slsec_buf_puts(b, "</td>");
        for (size_t i = 0; i < n; i++) {
            size_t c = 0;
            for (size_t k = 0; k < runs[i].count; k++)
                if (strcmp(runs[i].families[k].family, names[m]) == 0)
                    c = runs[i].families[k].count;
            slsec_buf_printf(b, "<td class=\"n\">%zu</td>", c);
        }
        slsec_buf_puts(b, "</tr>");
    }
    slsec_buf_puts(b, "</tbody></table>");
}

static void html_trends(slsec_buf *b, const slsec_report_doc_opts *o)
{
    slsec_buf_puts(b, "<section id=\"trends\"><h2>Trends</h2>");
    const slsec_history_runs *runs = o->runs;
    if (!runs || !runs->count) {
        slsec_buf_puts(b, "<p>No history recorded for this root yet: record scans with "
                          "<code>slsec scan --history</code>.</p></section>");
        return;
    }
    size_t first = 0; /* the caller chose how many runs (report --runs) */
    size_t n = runs->count - first;
    size_t maxv = 1, maxd = 1;
    for (size_t i = first; i < runs->count; i++) {
        for (int s = 0; s < 5; s++)
            if (runs->items[i].counts[s] > maxv)
                maxv = runs->items[i].counts[s];
        size_t nw = runs->items[i].first ? 0 : runs->items[i].new_count;
        if (nw > maxd)
            maxd = nw;
        if (runs->items[i].fixed_count > maxd)
            maxd = runs->items[i].fixed_count;
    }
    const double W = 760, H = 220, L = 50, R = 20, T = 20, B = 30;
    double step = n > 1 ? (W - L - R) / (double)(n - 1) : 0;
    slsec_buf_printf(b, "<h3>Open findings by severity, per run</h3><svg class=\"chart\" id=\"trend-chart\" "
                        "role=\"img\" aria-label=\"open findings by severity over %zu runs\" viewBox=\"0 0 %.0f %.0f\" "
                        "width=\"%.0f\" height=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\">",
                     n, W, H, W, H);
    slsec_buf_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>", L, H - B, W - R, H - B);
    slsec_buf_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>", L, T, L, H - B);
    slsec_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%zu</text>", L - 6, T + 4, maxv);
    slsec_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>", L - 6, H - B + 4);
    slsec_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\">run %lld</text>", L, H - 8, (long long)runs->items[first].id);
    slsec_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">run %lld</text>", W - R, H - 8,
                     (long long)runs->items[runs->count - 1].id);
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--) {
        slsec_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", sev_colors[s]);
        for (size_t i = 0; i < n; i++) {
            const slsec_history_run *x = &runs->items[first + i];
            double px = n > 1 ? L + step * (double)i : (L + W - R) / 2;
            double py = H - B - (H - T - B) * (double)x->counts[s] / (double)maxv;
            slsec_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", px, py);
        }
        slsec_buf_printf(b, "\"><title>%s</title></polyline>", sev_names[s]);
    }
    double lx = L + 10;
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--) {
        slsec_buf_printf(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                            "<text x=\"%.0f\" y=\"%.0f\">%s</text>",
                         lx, T - 14, sev_colors[s], lx + 14, T - 5, sev_names[s]);
        lx += 90;
    }
    slsec_buf_puts(b, "</svg>");

    /* New (up) and fixed (down) per run. */
    const double H2 = 160, mid = H2 / 2;
    double bw = n ? (W - L - R) / (double)n : 0;
    slsec_buf_printf(b, "<h3>New and fixed findings, per run</h3><svg class=\"chart\" id=\"newfixed-chart\" "
                        "role=\"img\" aria-label=\"new and fixed findings per run\" viewBox=\"0 0 %.0f %.0f\" "
                        "width=\"%.0f\" height=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\">",
                     W, H2, W, H2);
    slsec_buf_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>", L, mid, W - R, mid);
    slsec_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">new</text>", L - 6, T);
    slsec_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">fixed</text>", L - 6, H2 - 10);
    for (size_t i = 0; i < n; i++) {
        const slsec_history_run *x = &runs->items[first + i];
        size_t nw = x->first ? 0 : x->new_count;
        double hn = (mid - 10) * (double)nw / (double)maxd, hf = (mid - 10) * (double)x->fixed_count / (double)maxd;
        double px = L + bw * (double)i + bw * 0.15;
        if (nw)
            slsec_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c62828\">"
                                "<title>run %lld: %zu new</title></rect>",
                             px, mid - hn, bw * 0.7, hn, (long long)x->id, nw);
        if (x->fixed_count)
            slsec_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2e7d32\">"
                                "<title>run %lld: %zu fixed</title></rect>",
                             px, mid, bw * 0.7, hf, (long long)x->id, x->fixed_count);
    }
    slsec_buf_puts(b, "</svg>");

    /* The same numbers as text, latest first (readable without the chart). */
    slsec_buf_puts(b, "<h3>Latest runs</h3><table id=\"runs\"><thead><tr><th>Run</th><th>Date</th><th>Commit</th>"
                      "<th>Branch</th><th>Commit message</th><th class=\"n\">critical</th><th class=\"n\">high</th><th class=\"n\">medium</th>"
                      "<th class=\"n\">low</th><th class=\"n\">info</th><th class=\"n\">new</th>"
                      "<th class=\"n\">fixed</th><th class=\"n\">still open</th></tr></thead><tbody>");
    for (size_t k = 0; k < runs->count && k < 20; k++) {
        const slsec_history_run *x = &runs->items[runs->count - 1 - k];
        char date[64];
        date_text(date, sizeof date, x->time);
        slsec_buf_printf(b, "<tr><td class=\"n\">%lld</td><td>%s</td><td><code>", (long long)x->id, date);
        char commit[13];
        snprintf(commit, sizeof commit, "%s", x->commit ? x->commit : "—");
        esc(b, commit);
        slsec_buf_puts(b, "</code></td><td>");
        esc(b, x->branch ? x->branch : "—");
        slsec_buf_puts(b, "</td><td>");
        esc(b, x->subject ? x->subject : "");
        slsec_buf_puts(b, "</td>");
        for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
            slsec_buf_printf(b, "<td class=\"n\">%zu</td>", x->counts[s]);
        slsec_buf_printf(b, "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>",
                         x->new_count, x->fixed_count, x->open_count);
    }
    slsec_buf_puts(b, "</tbody></table>");
    if (o->family_runs && o->nfamily_runs)
        family_table(b, o->family_runs, o->nfamily_runs);
    slsec_buf_puts(b, "</section>");
}

/* found: rule id → non-NULL for rules with an unsuppressed finding. */
static bool rule_found(slsec_strmap *found, const slsec_rule *rule)
{
    return slsec_strmap_get(found, rule->id) != NULL;
}

/* A control's rules: ids of rules with findings in bold; a run of more
 * than five rules of one family (the secret detectors) shortened to
 * "FIRST … LAST (n)" followed by those of them that found something. */
static void rule_list(slsec_buf *b, slsec_strmap *r, const slsec_ptrvec *rules)
{
    for (size_t k = 0; k < rules->count;) {
        const slsec_rule *first = rules->items[k];
        size_t j = k;
        while (j < rules->count && strcmp(((const slsec_rule *)rules->items[j])->family, first->family) == 0)
            j++;
        if (k)
            slsec_buf_puts(b, " ");
        if (j - k > 5) {
            esc(b, first->id);
            slsec_buf_puts(b, " … ");
            esc(b, ((const slsec_rule *)rules->items[j - 1])->id);
            slsec_buf_printf(b, " (%zu)", j - k);
            for (size_t m = k; m < j; m++)
                if (rule_found(r, rules->items[m])) {
                    slsec_buf_puts(b, " <strong>");
                    esc(b, ((const slsec_rule *)rules->items[m])->id);
                    slsec_buf_puts(b, "</strong>");
                }
        } else {
            for (size_t m = k; m < j; m++) {
                bool found = rule_found(r, rules->items[m]);
                slsec_buf_puts(b, m > k ? (found ? " <strong>" : " ") : (found ? "<strong>" : ""));
                esc(b, ((const slsec_rule *)rules->items[m])->id);
                if (found)
                    slsec_buf_puts(b, "</strong>");
            }
        }
        k = j;
    }
}

static void html_compliance(slsec_buf *b, const slsec_scan_result *r)
{
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec controls = {0};
    slsec_compliance_eval(a, r, &controls);
    slsec_strmap *found = slsec_strmap_new(a);
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f && !f->suppressed && f->rule)
            slsec_strmap_put(found, f->rule->id, (void *)f);
    }
    slsec_buf_puts(b, "<section id=\"compliance\"><h2>Compliance</h2><p>Each control is <span class=\"pass\">pass"
                      "</span> when the rules mapped to it ran and found nothing, <span class=\"fail\">fail</span> "
                      "when one of them found something, and <span class=\"na\">not assessed</span> when none of "
                      "its rules ran on this scan (or no rule covers it). Rules in bold found something.</p>");
    const char *framework = NULL;
    for (size_t i = 0; i < controls.count; i++) {
        const slsec_control *c = controls.items[i];
        if (!framework || strcmp(framework, c->framework) != 0) {
            if (framework)
                slsec_buf_puts(b, "</tbody></table>");
            framework = c->framework;
            slsec_buf_puts(b, "<h3>");
            esc(b, framework);
            slsec_buf_puts(b, "</h3><table class=\"controls\"><thead><tr><th>Control</th><th>Status</th>"
                              "<th class=\"n\">findings</th><th class=\"n\">rules run</th><th>Rules</th></tr></thead><tbody>");
        }
        const char *cls = c->status == SLSEC_CONTROL_PASS ? "pass" : c->status == SLSEC_CONTROL_FAIL ? "fail" : "na";
        slsec_buf_puts(b, "<tr data-control=\"");
        esc(b, c->id);
        slsec_buf_printf(b, "\" data-status=\"%s\"><td>", slsec_control_status_name(c->status));
        if (strncmp(c->id, "SAS-", 4) == 0) {
            esc(b, c->id);
            slsec_buf_puts(b, " ");
        }
        esc(b, c->title);
        slsec_buf_printf(b, "</td><td class=\"%s\">%s</td><td class=\"n\">%zu</td><td class=\"n\">%zu of %zu</td><td>",
                         cls, slsec_control_status_name(c->status), c->findings, c->assessed, c->rules.count);
        rule_list(b, found, &c->rules);
        slsec_buf_puts(b, "</td></tr>");
    }
    if (framework)
        slsec_buf_puts(b, "</tbody></table>");
    slsec_buf_puts(b, "</section>");
    slsec_arena_free(a);
}

static const char *kind_fill(slsec_inv_kind k)
{
    switch (k) {
    case SLSEC_INV_TRIGGER: return "#e3f2fd";
    case SLSEC_INV_FUNCTION: return "#fff8e1";
    case SLSEC_INV_ROLE: return "#f3e5f5";
    case SLSEC_INV_HOST: return "#eceff1";
    case SLSEC_INV_SERVICE: return "#fff3e0";
    default: return "#e8f5e9";
    }
}

static void html_inventory(slsec_buf *b, const slsec_inventory *inv)
{
    slsec_buf_puts(b, "<section id=\"inventory\"><h2>Inventory</h2>");
    if (!inv) {
        slsec_buf_puts(b, "<p>No inventory.</p></section>");
        return;
    }
    size_t per[SLSEC_INV_SERVICE + 1] = {0};
    for (size_t i = 0; i < inv->nodes.count; i++)
        per[((const slsec_inv_node *)inv->nodes.items[i])->kind]++;
    slsec_buf_printf(b, "<p id=\"inventory-counts\">%zu functions, %zu triggers, %zu roles, %zu stores, %zu keys, "
                        "%zu external hosts, %zu AWS services called by the code; %zu connections.%s</p>",
                     per[SLSEC_INV_FUNCTION], per[SLSEC_INV_TRIGGER], per[SLSEC_INV_ROLE], per[SLSEC_INV_STORE],
                     per[SLSEC_INV_KEY], per[SLSEC_INV_HOST], per[SLSEC_INV_SERVICE], inv->edges.count,
                     inv->truncated ? " (connections truncated)" : "");
    slsec_arena *a = slsec_arena_new();
    inv_view v;
    slsec_inv_view(a, inv, &v);
    if (v.collapsed)
        slsec_buf_printf(b, "<p>%zu nodes are too many to draw one by one: the map shows groups (functions and "
                            "roles by worst severity, the rest by kind); <code>slsec inventory --format json</code> "
                            "lists every node.</p>",
                         inv->nodes.count);
    const double BW = 230, BH = 30, GAP = 40, COLW = 285, TOP = 40;
    size_t rows[4] = {0};
    double *ys = slsec_arena_alloc(a, (v.nboxes + 1) * sizeof *ys);
    for (size_t i = 0; i < v.nboxes; i++)
        ys[i] = TOP + GAP * (double)rows[v.boxes[i].column]++;
    size_t maxrows = 1;
    for (int c = 0; c < 4; c++)
        if (rows[c] > maxrows)
            maxrows = rows[c];
    double W = 20 + COLW * 4, H = TOP + GAP * (double)maxrows + 10;
    slsec_buf_printf(b, "<div class=\"map\"><svg id=\"inventory-map\" font-size=\"12\" role=\"img\" aria-label=\"inventory map\" "
                        "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\">",
                     W, H, W, H);
    static const char *const heads[] = {"Triggers", "Functions", "Roles", "Stores, keys, hosts, services"};
    for (int c = 0; c < 4; c++)
        slsec_buf_printf(b, "<text x=\"%.0f\" y=\"20\" font-weight=\"bold\">%s</text>", 20 + COLW * c, heads[c]);
    for (size_t i = 0; i < v.nlines; i++) {
        const inv_line *l = &v.lines[i];
        const inv_box *f = &v.boxes[l->from], *t = &v.boxes[l->to];
        double x1 = 20 + COLW * f->column + BW, y1 = ys[l->from] + BH / 2;
        double x2 = 20 + COLW * t->column, y2 = ys[l->to] + BH / 2;
        if (t->column < f->column) { /* drawn backwards: from the left side to the right side */
            x1 = 20 + COLW * f->column;
            x2 = 20 + COLW * t->column + BW;
        } else if (t->column == f->column) {
            x2 = x1;
        }
        double cx = t->column == f->column ? x1 + 50 : (x1 + x2) / 2;
        slsec_buf_printf(b, "<path d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"#90a4ae\" "
                            "stroke-width=\"1.2\"><title>",
                         x1, y1, cx, y1, cx, y2, x2, y2);
        esc(b, f->label);
        slsec_buf_puts(b, " → ");
        esc(b, t->label);
        slsec_buf_puts(b, ": ");
        esc(b, l->label);
        slsec_buf_puts(b, "</title></path>");
    }
    for (size_t i = 0; i < v.nboxes; i++) {
        const inv_box *x = &v.boxes[i];
        int s = x->severity;
        slsec_buf_printf(b, "<g class=\"node\" data-kind=\"%s\" data-severity=\"%s\"><rect x=\"%.0f\" y=\"%.0f\" "
                            "width=\"%.0f\" height=\"%.0f\" rx=\"5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%d\"/>"
                            "<text x=\"%.0f\" y=\"%.0f\">",
                         slsec_inv_kind_name(x->kind), s >= 0 ? sev_names[s] : "none", 20 + COLW * x->column, ys[i],
                         BW, BH, kind_fill(x->kind), s >= 0 ? sev_colors[s] : "#2e7d32", s >= SLSEC_SEV_HIGH ? 3 : 1,
                         28 + COLW * x->column, ys[i] + 19);
        /* Long names are cut for the box; the full name is in the title. */
        char shortname[40];
        size_t len = strlen(x->label);
        if (len > 30) {
            size_t cut = 28;
            while (cut > 0 && ((unsigned char)x->label[cut] & 0xC0) == 0x80)
                cut--;
            snprintf(shortname, sizeof shortname, "%.*s…", (int)cut, x->label);
        } else {
            snprintf(shortname, sizeof shortname, "%s", x->label);
        }
        esc(b, shortname);
        slsec_buf_puts(b, "</text><title>");
        esc(b, x->label);
        slsec_buf_printf(b, " (%s)</title></g>", s >= 0 ? sev_names[s] : "no findings");
    }
    slsec_buf_puts(b, "</svg></div></section>");
    slsec_arena_free(a);
}

static int write_html(FILE *out, const slsec_scan_result *r, const slsec_report_doc_opts *o)
{
    slsec_buf b;
    slsec_buf_init(&b);
    arranged f;
    arrange(r, o->show_suppressed, &f);
    char hash[64];
    script_hash(hash, sizeof hash);
    const char *title = o->title ? o->title : "slsec security report";
    slsec_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                         "style-src 'unsafe-inline'; script-src 'sha256-%s'\">"
                         "<meta name=\"generator\" content=\"slsec %s\"><title>",
                     hash, SLSEC_VERSION);
    esc(&b, title);
    slsec_buf_printf(&b, "</title><style>%s</style></head><body><header><h1>", css);
    esc(&b, title);
    slsec_buf_puts(&b, "</h1><p class=\"meta\">Root <code>");
    esc(&b, r->root ? r->root : ".");
    slsec_buf_printf(&b, "</code> · slsec %s", SLSEC_VERSION);
    if (o->runs && o->runs->count) {
        const slsec_history_run *last = &o->runs->items[o->runs->count - 1];
        char date[64];
        date_text(date, sizeof date, last->time);
        slsec_buf_printf(&b, " · last recorded run %lld on %s", (long long)last->id, date);
        if (last->commit) {
            slsec_buf_puts(&b, " at commit <code>");
            esc(&b, last->commit);
            slsec_buf_puts(&b, "</code>");
        }
        if (last->subject) {
            slsec_buf_puts(&b, " (“");
            esc(&b, last->subject);
            slsec_buf_puts(&b, "”)");
        }
    }
    slsec_buf_puts(&b, "</p><nav><a href=\"#summary\">Summary</a><a href=\"#by-function\">By function</a>"
                       "<a href=\"#by-rule\">By rule</a><a href=\"#trends\">Trends</a><a href=\"#compliance\">"
                       "Compliance</a><a href=\"#inventory\">Inventory</a></nav></header><main>");
    html_summary(&b, r, &f, o);
    html_by_function(&b, r, &f);
    html_by_rule(&b, &f);
    html_trends(&b, o);
    html_compliance(&b, r);
    html_inventory(&b, o->inventory);
    slsec_buf_printf(&b, "</main><script>%s</script></body></html>\n", script);
    free(f.items);
    return slsec_rpt_flush(out, &b);
}

/* ---- Markdown ----------------------------------------------------------------------- */

static void md_loc(slsec_buf *b, slsec_loc l)
{
    slsec_buf t;
    slsec_buf_init(&t);
    if (l.file && *l.file) {
        slsec_buf_puts(&t, l.file);
        if (l.line > 0)
            slsec_buf_printf(&t, ":%d", l.line);
        if (l.line > 0 && l.col > 0)
            slsec_buf_printf(&t, ":%d", l.col);
    }
    slsec_rpt_md_cell(b, t.data ? t.data : "");
    slsec_buf_free(&t);
}

static int write_markdown(FILE *out, const slsec_scan_result *r, const slsec_report_doc_opts *o)
{
    slsec_buf b;
    slsec_buf_init(&b);
    arranged f;
    arrange(r, o->show_suppressed, &f);
    slsec_buf_puts(&b, "# ");
    slsec_rpt_md_cell(&b, o->title ? o->title : "slsec security report");
    slsec_buf_puts(&b, "\n\n## Summary\n\n| Severity | Findings |\n|---|---:|\n");
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
        slsec_buf_printf(&b, "| %s | %zu |\n", sev_names[s], r->counts[s]);
    slsec_buf_printf(&b, "| **total** | **%zu** |\n\n", slsec_rpt_total(r));
    size_t shown = 0;
    for (size_t i = 0; i < f.count && shown < 5; i++) {
        const slsec_finding *x = f.items[i];
        if (x->suppressed || x->severity < SLSEC_SEV_MEDIUM)
            continue;
        if (!shown)
            slsec_buf_puts(&b, "**Top risks**\n\n");
        slsec_buf_printf(&b, "%zu. **%s** ", ++shown, sev_names[x->severity]);
        slsec_rpt_md_cell(&b, slsec_rpt_rule(x)->title);
        slsec_buf_puts(&b, ": ");
        slsec_rpt_md_cell(&b, x->message);
        slsec_buf_puts(&b, "\n");
    }
    if (shown)
        slsec_buf_puts(&b, "\n");

    slsec_buf_puts(&b, "## Findings by rule\n\n");
    if (!f.count)
        slsec_buf_puts(&b, "No findings.\n\n");
    for (size_t i = 0; i < f.count;) {
        const slsec_rule *rule = slsec_rpt_rule(f.items[i]);
        size_t j = i;
        while (j < f.count && slsec_rpt_rule(f.items[j]) == rule && f.items[j]->severity == f.items[i]->severity)
            j++;
        slsec_buf_puts(&b, "### ");
        slsec_rpt_md_cell(&b, rule->id);
        slsec_buf_puts(&b, " ");
        slsec_rpt_md_cell(&b, rule->title);
        slsec_buf_printf(&b, " (%s, %zu)\n\n", sev_names[f.items[i]->severity], j - i);
        slsec_buf fix;
        slsec_buf_init(&fix);
        slsec_rpt_fix_hint(&fix, rule);
        slsec_buf_puts(&b, "**Why.** ");
        slsec_rpt_md_cell(&b, rule->why ? rule->why : "");
        slsec_buf_puts(&b, "\n\n**Fix.** ");
        slsec_rpt_md_cell(&b, fix.data ? fix.data : "");
        slsec_buf_free(&fix);
        slsec_buf_puts(&b, "\n\n| Resource | Finding | Location |\n|---|---|---|\n");
        for (size_t k = i; k < j; k++) {
            slsec_buf_puts(&b, "| ");
            slsec_rpt_md_cell(&b, f.items[k]->resource ? f.items[k]->resource : "");
            slsec_buf_puts(&b, " | ");
            slsec_rpt_md_cell(&b, f.items[k]->message);
            slsec_buf_puts(&b, " | ");
            md_loc(&b, f.items[k]->loc);
            slsec_buf_puts(&b, " |\n");
        }
        slsec_buf_puts(&b, "\n");
        i = j;
    }

    slsec_buf_puts(&b, "## Findings by function\n\n| Function | critical | high | medium | low | info |\n"
                       "|---|---:|---:|---:|---:|---:|\n");
    /* Counts per resource, gathered once: apps have thousands of functions. */
    slsec_arena *ca = slsec_arena_new();
    slsec_strmap *per = slsec_strmap_new(ca);
    for (size_t k = 0; k < f.count; k++) {
        const slsec_finding *x = f.items[k];
        if (x->suppressed || !x->resource)
            continue;
        size_t *c = slsec_strmap_get(per, x->resource);
        if (!c) {
            c = slsec_arena_alloc(ca, 5 * sizeof *c);
            slsec_strmap_put(per, x->resource, c);
        }
        c[x->severity]++;
    }
    static const size_t none[5] = {0};
    for (size_t i = 0; r->app && i < r->app->functions.count; i++) {
        const slsec_function *fn = r->app->functions.items[i];
        const size_t *c = slsec_strmap_get(per, fn->id);
        if (!c)
            c = none;
        slsec_buf_puts(&b, "| ");
        slsec_rpt_md_cell(&b, fn->id);
        slsec_buf_printf(&b, " | %zu | %zu | %zu | %zu | %zu |\n", c[4], c[3], c[2], c[1], c[0]);
    }
    slsec_arena_free(ca);

    slsec_buf_puts(&b, "\n## Trends\n\n");
    if (!o->runs || !o->runs->count) {
        slsec_buf_puts(&b, "No history recorded for this root yet (`slsec scan --history`).\n");
    } else {
        slsec_buf_puts(&b, "| Run | Date | Commit | critical | high | medium | low | info | new | fixed | still open |\n"
                           "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (size_t k = 0; k < o->runs->count && k < 20; k++) {
            const slsec_history_run *x = &o->runs->items[o->runs->count - 1 - k];
            char date[64], commit[13];
            date_text(date, sizeof date, x->time);
            snprintf(commit, sizeof commit, "%s", x->commit ? x->commit : "");
            slsec_buf_printf(&b, "| %lld | %s | ", (long long)x->id, date);
            slsec_rpt_md_cell(&b, commit);
            if (x->subject) {
                slsec_buf_puts(&b, " ");
                slsec_rpt_md_cell(&b, x->subject);
            }
            slsec_buf_printf(&b, " | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n", x->counts[4], x->counts[3],
                             x->counts[2], x->counts[1], x->counts[0], x->new_count, x->fixed_count, x->open_count);
        }
    }

    slsec_buf_puts(&b, "\n## Compliance\n\n| Framework | Control | Status | Findings | Rules run |\n"
                       "|---|---|---|---:|---:|\n");
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec controls = {0};
    slsec_compliance_eval(a, r, &controls);
    for (size_t i = 0; i < controls.count; i++) {
        const slsec_control *c = controls.items[i];
        slsec_buf_printf(&b, "| %s | ", c->framework);
        if (strncmp(c->id, "SAS-", 4) == 0)
            slsec_buf_printf(&b, "%s ", c->id);
        slsec_rpt_md_cell(&b, c->title);
        slsec_buf_printf(&b, " | %s | %zu | %zu of %zu |\n", slsec_control_status_name(c->status), c->findings,
                         c->assessed, c->rules.count);
    }
    slsec_arena_free(a);

    if (o->inventory) {
        slsec_buf_puts(&b, "\n## Inventory\n\n```mermaid\n");
        free(f.items);
        /* The Mermaid writer escapes its labels itself. */
        int rc = slsec_rpt_flush(out, &b);
        if (rc != SLSEC_OK)
            return rc;
        rc = slsec_inventory_write(out, "mermaid", o->inventory);
        if (rc != SLSEC_OK)
            return rc;
        return fputs("```\n", out) < 0 ? SLSEC_EIO : SLSEC_OK;
    }
    free(f.items);
    return slsec_rpt_flush(out, &b);
}

int slsec_report_doc_write(FILE *out, const char *format, const slsec_scan_result *r,
                           const slsec_report_doc_opts *opts)
{
    slsec_report_doc_opts none = {0};
    if (!out || !r || !format)
        return SLSEC_EUSAGE;
    if (!opts)
        opts = &none;
    if (strcmp(format, "html") == 0)
        return write_html(out, r, opts);
    if (strcmp(format, "markdown") == 0)
        return write_markdown(out, r, opts);
    return SLSEC_EUSAGE;
}
