/*
 * text.c — the human-readable report: findings grouped by file, then by
 * resource, each with its severity, rule, title, message, place and a
 * one-line fix hint, and a summary line at the end.
 *
 * Messages quote template values, and a template can hold escape
 * sequences: everything printed goes through term_text(), which shows
 * control characters (C0, DEL and C1) as \xNN instead of passing them to
 * the terminal, and replaces invalid UTF-8. Colour codes are only ever
 * ours, and only when opts->color is set.
 */
#include "report_internal.h"

#include <stdlib.h>
#include <string.h>

#define RESET "\x1b[0m"
#define BOLD "\x1b[1m"
#define DIM "\x1b[2m"

static const char *sev_color(slsec_severity s)
{
    switch (s) {
    case SLSEC_SEV_CRITICAL:
        return "\x1b[1;35m";
    case SLSEC_SEV_HIGH:
        return "\x1b[1;31m";
    case SLSEC_SEV_MEDIUM:
        return "\x1b[33m";
    case SLSEC_SEV_LOW:
        return "\x1b[36m";
    default:
        return "\x1b[2m";
    }
}

typedef struct writer {
    slsec_buf *b;
    bool color;
} writer;

static void on(writer *w, const char *code)
{
    if (w->color)
        slsec_buf_puts(w->b, code);
}

static void off(writer *w)
{
    if (w->color)
        slsec_buf_puts(w->b, RESET);
}

/* Appends s for a terminal; each newline is followed by `indent` spaces so
 * a multi-line message stays in its column. */
static void term_text(writer *w, const char *s, int indent)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = slsec_utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            slsec_buf_puts(w->b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (cp == '\n') {
            slsec_buf_putc(w->b, '\n');
            for (int j = 0; j < indent; j++)
                slsec_buf_putc(w->b, ' ');
        } else if (cp == '\t') {
            slsec_buf_putc(w->b, ' ');
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            slsec_buf_printf(w->b, "\\x%02x", (unsigned)cp);
        } else {
            slsec_buf_append(w->b, s + i, k);
        }
        i += k;
    }
}

static void put_loc(writer *w, slsec_loc loc)
{
    term_text(w, loc.file ? loc.file : "(no file)", 0);
    if (loc.line > 0) {
        slsec_buf_printf(w->b, ":%d", loc.line);
        if (loc.col > 0)
            slsec_buf_printf(w->b, ":%d", loc.col);
    }
}

/* ---- grouping ------------------------------------------------------------ */

typedef struct entry {
    const slsec_finding *f;
    size_t file_rank, res_rank, index;
} entry;

static int by_group(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->res_rank != y->res_rank)
        return x->res_rank < y->res_rank ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The visible findings, ordered by file (in order of first appearance in
 * the sorted result), then resource, keeping the result's order within. */
static entry *group(const slsec_scan_result *r, const slsec_report_opts *opts, size_t *count)
{
    entry *e = calloc(r->findings.count ? r->findings.count : 1, sizeof *e);
    if (!e)
        slsec_oom();
    slsec_arena *a = slsec_arena_new();
    slsec_strmap *files = slsec_strmap_new(a), *resources = slsec_strmap_new(a);
    size_t n = 0, nfiles = 0, nres = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (!f || !slsec_rpt_visible(f, opts))
            continue;
        /* A leading byte keeps "no file" and "no resource" apart from any name. */
        char *fk = slsec_arena_printf(a, "%c%s", f->loc.file ? 'f' : '-', f->loc.file ? f->loc.file : "");
        char *rk = slsec_arena_printf(a, "%s\x1f%c%s", fk, f->resource ? 'r' : '-',
                                      f->resource ? f->resource : "");
        size_t *fr = slsec_strmap_get(files, fk);
        if (!fr) {
            fr = slsec_arena_alloc(a, sizeof *fr);
            *fr = nfiles++;
            slsec_strmap_put(files, fk, fr);
        }
        size_t *rr = slsec_strmap_get(resources, rk);
        if (!rr) {
            rr = slsec_arena_alloc(a, sizeof *rr);
            *rr = nres++;
            slsec_strmap_put(resources, rk, rr);
        }
        e[n++] = (entry){f, *fr, *rr, i};
    }
    slsec_arena_free(a);
    qsort(e, n, sizeof *e, by_group);
    *count = n;
    return e;
}

/* ---- findings ------------------------------------------------------------ */

#define COL 13 /* where a finding's details start: past "    CRITICAL " */

static void indent_to(writer *w, int n)
{
    for (int i = 0; i < n; i++)
        slsec_buf_putc(w->b, ' ');
}

static void put_finding(writer *w, const slsec_finding *f)
{
    const slsec_rule *rule = slsec_rpt_rule(f);
    char badge[16];
    snprintf(badge, sizeof badge, "%s", slsec_severity_name(f->severity));
    for (char *p = badge; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');

    slsec_buf_puts(w->b, "    ");
    on(w, sev_color(f->severity));
    slsec_buf_printf(w->b, "%-8s", badge);
    off(w);
    slsec_buf_putc(w->b, ' ');
    on(w, BOLD);
    term_text(w, rule->id, 0);
    off(w);
    slsec_buf_puts(w->b, "  ");
    term_text(w, rule->title, COL);
    if (f->suppressed) {
        slsec_buf_putc(w->b, ' ');
        on(w, DIM);
        slsec_buf_puts(w->b, "(suppressed)");
        off(w);
    }
    slsec_buf_putc(w->b, '\n');

    indent_to(w, COL);
    term_text(w, f->message, COL);
    slsec_buf_putc(w->b, '\n');

    indent_to(w, COL);
    on(w, DIM);
    slsec_buf_puts(w->b, "at ");
    off(w);
    put_loc(w, f->loc);
    slsec_buf_putc(w->b, '\n');

    for (size_t i = 0; i < f->related_count && i < SLSEC_MAX_RELATED; i++) {
        indent_to(w, COL);
        on(w, DIM);
        slsec_buf_puts(w->b, "see ");
        off(w);
        put_loc(w, f->related[i]);
        if (f->related_msg[i] && *f->related_msg[i]) {
            slsec_buf_puts(w->b, "  ");
            term_text(w, f->related_msg[i], COL);
        }
        slsec_buf_putc(w->b, '\n');
    }
    if (f->evidence && *f->evidence) {
        indent_to(w, COL);
        on(w, DIM);
        slsec_buf_puts(w->b, "evidence: ");
        off(w);
        term_text(w, f->evidence, COL);
        slsec_buf_putc(w->b, '\n');
    }
    slsec_buf hint;
    slsec_buf_init(&hint);
    slsec_rpt_fix_hint(&hint, rule);
    if (hint.len) {
        indent_to(w, COL);
        on(w, "\x1b[32m");
        slsec_buf_puts(w->b, "fix: ");
        off(w);
        term_text(w, hint.data, COL);
        slsec_buf_putc(w->b, '\n');
    }
    slsec_buf_free(&hint);
    if (f->suppressed) {
        indent_to(w, COL);
        on(w, DIM);
        slsec_buf_puts(w->b, "suppressed: ");
        term_text(w, f->suppression ? f->suppression : "(no reason given)", COL);
        off(w);
        slsec_buf_putc(w->b, '\n');
    }
}

static void plural(writer *w, size_t n, const char *one, const char *many)
{
    slsec_buf_printf(w->b, "%zu %s", n, n == 1 ? one : many);
}

static void put_summary(writer *w, const slsec_scan_result *r)
{
    size_t total = slsec_rpt_total(r);
    /* What each pass read, so "no findings" is never mistaken for "looked
     * at nothing": templates always, lockfiles and secrets when they ran. */
    slsec_buf_puts(w->b, "Scanned ");
    plural(w, r->templates, "template", "templates");
    slsec_buf_puts(w->b, " (");
    plural(w, r->files_seen, "file", "files");
    slsec_buf_puts(w->b, ")");
    if (r->lockfiles) {
        slsec_buf_puts(w->b, ", ");
        plural(w, r->lockfiles, "lockfile", "lockfiles");
        slsec_buf_puts(w->b, " (");
        plural(w, r->packages, "package", "packages");
        slsec_buf_puts(w->b, ")");
    }
    if (r->text_files) {
        slsec_buf_puts(w->b, ", ");
        plural(w, r->text_files, "file", "files");
        if (r->text_bytes >= 1000000)
            slsec_buf_printf(w->b, " (%.1f MB) for secrets", (double)r->text_bytes / 1e6);
        else
            slsec_buf_printf(w->b, " (%.1f kB) for secrets", (double)r->text_bytes / 1e3);
    }
    if (r->code_files) {
        slsec_buf_puts(w->b, ", ");
        plural(w, r->code_files, "source file", "source files");
        slsec_buf_puts(w->b, " (");
        plural(w, r->code_handlers, "handler", "handlers");
        slsec_buf_puts(w->b, ")");
    }
    slsec_buf_puts(w->b, ": ");
    if (total == 0) {
        on(w, "\x1b[32m");
        slsec_buf_puts(w->b, "no findings");
        off(w);
    } else {
        on(w, BOLD);
        plural(w, total, "finding", "findings");
        off(w);
        slsec_buf_puts(w->b, " (");
        bool first = true;
        for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--) {
            if (!first)
                slsec_buf_puts(w->b, ", ");
            first = false;
            if (r->counts[s])
                on(w, sev_color((slsec_severity)s));
            slsec_buf_printf(w->b, "%zu %s", r->counts[s], slsec_severity_name((slsec_severity)s));
            if (r->counts[s])
                off(w);
        }
        slsec_buf_putc(w->b, ')');
    }
    slsec_buf_puts(w->b, ", ");
    slsec_buf_printf(w->b, "%zu suppressed", r->suppressed);
    if (r->baselined.count)
        slsec_buf_printf(w->b, ", %zu in the baseline", r->baselined.count);
    slsec_buf_puts(w->b, ", ");
    plural(w, r->warnings.count, "warning", "warnings");
    slsec_buf_puts(w->b, "\n");
}

/* ---- outbound integrations (--inventory) ------------------------------------ */

static void put_integrations(writer *w, const slsec_scan_result *r)
{
    size_t nfn, nsvc, nhost;
    slsec_rpt_integration_counts(r, &nfn, &nsvc, &nhost);
    on(w, BOLD);
    slsec_buf_puts(w->b, "Outbound integrations");
    off(w);
    if (!nfn) {
        slsec_buf_printf(w->b, ": none found in %zu source file%s%s\n", r->code_files, r->code_files == 1 ? "" : "s",
                         r->code_files ? "" : " (no JavaScript, TypeScript or Python code analysed)");
        return;
    }
    slsec_buf_puts(w->b, ": ");
    plural(w, nfn, "function calls ", "functions call ");
    plural(w, nsvc, "AWS service", "AWS services");
    slsec_buf_puts(w->b, " and ");
    plural(w, nhost, "host", "hosts");
    slsec_buf_putc(w->b, '\n');
    size_t n;
    slsec_rpt_integration *lines = slsec_rpt_integrations(r, &n);
    /* targets in one column: as wide as the widest, within reason */
    int width = 0;
    slsec_buf t;
    slsec_buf_init(&t);
    for (size_t i = 0; i < n; i++) {
        slsec_buf_reset(&t);
        slsec_rpt_integration_target(&t, lines[i].first);
        if ((int)t.len > width)
            width = t.len > 40 ? 40 : (int)t.len;
    }
    for (size_t i = 0; i < n; i++) {
        const slsec_external_call *c = lines[i].first;
        const slsec_external_call *prev = i ? lines[i - 1].first : NULL;
        if (!prev || strcmp(prev->function_id, c->function_id) != 0 || prev->function != c->function) {
            slsec_buf_puts(w->b, "  ");
            on(w, BOLD);
            term_text(w, c->function_id, 2);
            off(w);
            if (!c->function) {
                on(w, DIM);
                slsec_buf_puts(w->b, "  (no template function)");
                off(w);
            }
            slsec_buf_putc(w->b, '\n');
        }
        slsec_buf_reset(&t);
        slsec_rpt_integration_target(&t, c);
        slsec_buf_printf(w->b, "    %-5s ", slsec_external_kind_name(c->kind));
        term_text(w, t.data, 0);
        for (int pad = (int)t.len; pad < width; pad++)
            slsec_buf_putc(w->b, ' ');
        slsec_buf_puts(w->b, "  ");
        put_loc(w, c->loc);
        if (lines[i].more) {
            on(w, DIM);
            slsec_buf_printf(w->b, " (+%zu more)", lines[i].more);
            off(w);
        }
        slsec_buf_putc(w->b, '\n');
    }
    slsec_buf_free(&t);
    free(lines);
}

int slsec_rpt_text(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts)
{
    slsec_buf b;
    slsec_buf_init(&b);
    writer w = {&b, opts->color};
    size_t n;
    entry *e = group(r, opts, &n);
    for (size_t i = 0; i < n; i++) {
        const slsec_finding *f = e[i].f;
        bool new_file = i == 0 || e[i].file_rank != e[i - 1].file_rank;
        bool new_res = new_file || e[i].res_rank != e[i - 1].res_rank;
        if (new_file) {
            if (i)
                slsec_buf_putc(&b, '\n');
            on(&w, BOLD);
            term_text(&w, f->loc.file ? f->loc.file : "(no file)", 0);
            off(&w);
            slsec_buf_putc(&b, '\n');
        }
        if (new_res) {
            slsec_buf_puts(&b, "  ");
            on(&w, BOLD);
            term_text(&w, f->resource ? f->resource : "(application)", 2);
            off(&w);
            if (f->resource_type && *f->resource_type) {
                slsec_buf_puts(&b, "  ");
                on(&w, DIM);
                term_text(&w, f->resource_type, 2);
                off(&w);
            }
            slsec_buf_putc(&b, '\n');
        }
        put_finding(&w, f);
    }
    free(e);
    if (opts->inventory) { /* asked for by name: shown even with --quiet */
        if (n)
            slsec_buf_putc(&b, '\n');
        put_integrations(&w, r);
    }
    if (!opts->quiet) {
        if (n || opts->inventory)
            slsec_buf_putc(&b, '\n');
        put_summary(&w, r);
    }
    return slsec_rpt_flush(out, &b);
}
