/*
 * report.c — the entry point of the report writers and what they share.
 *
 * slsec_report_write() picks a writer by name; the helpers below exist
 * because every message may carry bytes from a hostile template (values
 * are quoted into messages), so each writer cleans text on the way out:
 * invalid UTF-8 becomes U+FFFD (jansson refuses it, XML forbids it,
 * terminals garble it), and each format escapes its own markup on top.
 */
#include "report_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef int (*writer_fn)(FILE *, const slsec_scan_result *, const slsec_report_opts *);

static const struct {
    const char *name;
    writer_fn write;
} writers[] = {
    {"text", slsec_rpt_text},   {"json", slsec_rpt_json},         {"sarif", slsec_rpt_sarif},
    {"junit", slsec_rpt_junit}, {"markdown", slsec_rpt_markdown},
};

static writer_fn find_writer(const char *format)
{
    if (!format)
        return NULL;
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        if (strcmp(writers[i].name, format) == 0)
            return writers[i].write;
    return NULL;
}

bool slsec_report_format_known(const char *format) { return find_writer(format) != NULL; }

bool slsec_report_format_lists_inventory(const char *format)
{
    return format && (strcmp(format, "text") == 0 || strcmp(format, "json") == 0 || strcmp(format, "markdown") == 0);
}

int slsec_report_write(FILE *out, const char *format, const slsec_scan_result *r,
                       const slsec_report_opts *opts)
{
    writer_fn w = find_writer(format ? format : "text");
    if (!w || !out || !r)
        return SLSEC_EUSAGE;
    slsec_report_opts none = {0};
    return w(out, r, opts ? opts : &none);
}

/* ---- UTF-8 ----------------------------------------------------------------- */

void slsec_rpt_utf8_clean(slsec_buf *b, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t i = 0;
    while (i < n) {
        /* Copy the longest valid run in one go: the common case is all of it. */
        size_t start = i;
        uint32_t cp;
        size_t k;
        while (i < n && (k = slsec_utf8_decode(p + i, n - i, &cp)) > 0)
            i += k;
        slsec_buf_append(b, s + start, i - start);
        if (i < n) {
            slsec_buf_puts(b, "\xEF\xBF\xBD");
            i++;
        }
    }
    if (!b->data)
        slsec_buf_append(b, "", 0);
}

json_t *slsec_rpt_jstr(const char *s)
{
    if (!s)
        return json_null();
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_rpt_utf8_clean(&b, s);
    json_t *j = json_stringn(b.data, b.len);
    slsec_buf_free(&b);
    if (!j)
        slsec_oom();
    return j;
}

json_t *slsec_rpt_jstr_or_empty(const char *s) { return slsec_rpt_jstr(s ? s : ""); }

static int append_to_buf(const char *text, size_t n, void *user)
{
    slsec_buf_append(user, text, n);
    return 0;
}

/* Through a buffer and one fwrite: json_dumpf writes token by token, which
 * cost a fifth of a scan with thousands of findings. */
int slsec_rpt_json_dump(FILE *out, json_t *root)
{
    slsec_buf b;
    slsec_buf_init(&b);
    int rc = json_dump_callback(root, append_to_buf, &b, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    slsec_buf_putc(&b, '\n');
    if (rc == 0)
        rc = slsec_rpt_flush(out, &b);
    else
        rc = SLSEC_EIO;
    slsec_buf_free(&b);
    return rc;
}

bool slsec_rpt_drain(FILE *out, slsec_buf *b)
{
    enum { CHUNK = 256 * 1024 };
    if (b->len < CHUNK)
        return !ferror(out);
    size_t w = fwrite(b->data, 1, b->len, out);
    bool ok = w == b->len && !ferror(out);
    b->len = 0;
    return ok;
}

int slsec_rpt_flush(FILE *out, slsec_buf *b)
{
    size_t n = b->len;
    size_t w = n ? fwrite(b->data, 1, n, out) : 0;
    slsec_buf_free(b);
    return (w != n || ferror(out)) ? SLSEC_EIO : SLSEC_OK;
}

/* ---- rules ------------------------------------------------------------------ */

static const slsec_rule placeholder_rule = {
    .id = "SLSEC-000",
    .family = "SLSEC",
    .severity = SLSEC_SEV_INFO,
    .title = "Finding without a rule",
    .why = "",
    .fix = "",
    .snippet = "",
};

const slsec_rule *slsec_rpt_rule(const slsec_finding *f)
{
    return (f && f->rule && f->rule->id) ? f->rule : &placeholder_rule;
}

void slsec_rpt_reflists(const slsec_rule *rule, slsec_rpt_reflist out[SLSEC_RPT_REFLISTS])
{
    out[0] = (slsec_rpt_reflist){"cwe", "CWE", rule->cwe};
    out[1] = (slsec_rpt_reflist){"owasp_serverless", "OWASP Serverless Top 10", rule->owasp};
    out[2] = (slsec_rpt_reflist){"checkov", "Checkov", rule->checkov};
    out[3] = (slsec_rpt_reflist){"cfn_nag", "cfn-nag", rule->cfn_nag};
    out[4] = (slsec_rpt_reflist){"cdk_nag", "cdk-nag", rule->cdk_nag};
}

size_t slsec_rpt_refs(const char *list, char buf[SLSEC_RPT_REFBUF],
                      const char *items[SLSEC_RPT_MAX_REFS])
{
    return slsec_refs_split(list, buf, SLSEC_RPT_REFBUF, items, SLSEC_RPT_MAX_REFS);
}

json_t *slsec_rpt_refs_json(const slsec_rule *rule)
{
    slsec_rpt_reflist lists[SLSEC_RPT_REFLISTS];
    slsec_rpt_reflists(rule, lists);
    json_t *o = json_object();
    for (size_t i = 0; i < SLSEC_RPT_REFLISTS; i++) {
        char buf[SLSEC_RPT_REFBUF];
        const char *items[SLSEC_RPT_MAX_REFS];
        size_t n = slsec_rpt_refs(lists[i].list, buf, items);
        json_t *a = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(a, slsec_rpt_jstr(items[k]));
        json_object_set_new(o, lists[i].key, a);
    }
    return o;
}

const char *slsec_rpt_ref_url(const char *key, const char *id, char *buf, size_t bufsize)
{
    /* Only CWE has one stable page per id; the scanners' ids are listed so
     * users can map their old suppressions, not linked. */
    if (strcmp(key, "cwe") == 0 && strncasecmp(id, "CWE-", 4) == 0) {
        const char *num = id + 4;
        if (!*num || strlen(num) > 8)
            return NULL;
        for (const char *p = num; *p; p++)
            if (!isdigit((unsigned char)*p))
                return NULL;
        snprintf(buf, bufsize, "https://cwe.mitre.org/data/definitions/%s.html", num);
        return buf;
    }
    return NULL;
}

const char *slsec_rpt_family_name(const char *family)
{
    static const struct {
        const char *id, *name;
    } names[] = {
        {"IAM", "Identity and access"}, {"FN", "Functions"},          {"API", "APIs"},
        {"DATA", "Data stores"},        {"NET", "Network"},           {"LOG", "Logging"},
        {"PIPE", "Deployment pipeline"}, {"SECRET", "Secrets"},       {"CODE", "Code"},
        {"DEP", "Dependencies"},        {"AUDIT", "Audit"},
    };
    for (size_t i = 0; family && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].id, family) == 0)
            return names[i].name;
    return NULL;
}

bool slsec_rpt_visible(const slsec_finding *f, const slsec_report_opts *opts)
{
    return !f->suppressed || opts->show_suppressed;
}

void slsec_rpt_fix_hint(slsec_buf *b, const slsec_rule *rule)
{
    const char *s = rule->fix ? rule->fix : "";
    bool space = false, any = false;
    for (; *s && *s != '\n'; s++) {
        if (isspace((unsigned char)*s)) {
            space = any;
            continue;
        }
        if (space)
            slsec_buf_putc(b, ' ');
        slsec_buf_putc(b, *s);
        space = false;
        any = true;
    }
    if (!b->data)
        slsec_buf_append(b, "", 0);
}

size_t slsec_rpt_total(const slsec_scan_result *r)
{
    size_t t = 0;
    for (int i = 0; i < 5; i++)
        t += r->counts[i];
    return t;
}

/* ---- outbound integrations -------------------------------------------------- */

static bool same_function(const slsec_external_call *a, const slsec_external_call *b)
{
    return strcmp(a->function_id, b->function_id) == 0 && a->function == b->function;
}

static bool same_line(const slsec_external_call *a, const slsec_external_call *b)
{
    return same_function(a, b) && a->kind == b->kind && strcmp(a->target, b->target) == 0 &&
           strcmp(a->operation ? a->operation : "", b->operation ? b->operation : "") == 0 &&
           (!a->operation) == (!b->operation);
}

slsec_rpt_integration *slsec_rpt_integrations(const slsec_scan_result *r, size_t *n)
{
    const slsec_ptrvec *v = r && r->app ? &r->app->externals : NULL;
    size_t count = v ? v->count : 0;
    slsec_rpt_integration *out = calloc(count ? count : 1, sizeof *out);
    if (!out)
        slsec_oom();
    *n = 0;
    for (size_t i = 0; i < count;) {
        const slsec_external_call *c = v->items[i];
        size_t k = i + 1;
        while (k < count && same_line(c, v->items[k]))
            k++;
        /* The sort puts a service's client-only calls just before its operations. */
        const slsec_external_call *next = k < count ? v->items[k] : NULL;
        bool shadowed = !c->operation && next && same_function(c, next) && next->kind == c->kind &&
                        strcmp(next->target, c->target) == 0;
        if (!shadowed)
            out[(*n)++] = (slsec_rpt_integration){c, k - i - 1};
        i = k;
    }
    return out;
}

void slsec_rpt_integration_target(slsec_buf *b, const slsec_external_call *c)
{
    slsec_buf_puts(b, c->target);
    if (c->operation)
        slsec_buf_printf(b, ":%s", c->operation);
}

void slsec_rpt_integration_counts(const slsec_scan_result *r, size_t *functions, size_t *services, size_t *hosts)
{
    *functions = *services = *hosts = 0;
    if (!r || !r->app)
        return;
    slsec_arena *a = slsec_arena_new();
    slsec_strmap *seen = slsec_strmap_new(a);
    for (size_t i = 0; i < r->app->externals.count; i++) {
        const slsec_external_call *c = r->app->externals.items[i];
        const char *fk = slsec_arena_printf(a, "f\x1f%s\x1f%p", c->function_id, (const void *)c->function);
        const char *tk = slsec_arena_printf(a, "%d\x1f%s", (int)c->kind, c->target);
        if (!slsec_strmap_get(seen, fk)) {
            slsec_strmap_put(seen, fk, (void *)1);
            ++*functions;
        }
        if (!slsec_strmap_get(seen, tk)) {
            slsec_strmap_put(seen, tk, (void *)1);
            ++*(c->kind == SLSEC_EXTERNAL_HOST ? hosts : services);
        }
    }
    slsec_arena_free(a);
}

/* ---- markdown ------------------------------------------------------------- */

/* Markdown special characters: escaped wherever text is not ours to format. */
static const char md_specials[] = "\\`*_[]<>|&~!#";

void slsec_rpt_md_cell(slsec_buf *b, const char *s)
{
    if (!s)
        return;
    slsec_buf clean;
    slsec_buf_init(&clean);
    slsec_rpt_utf8_clean(&clean, s);
    for (size_t i = 0; i < clean.len; i++) {
        char c = clean.data[i];
        if (c == '\n') {
            slsec_buf_puts(b, "<br>");
        } else if (c == '\t') {
            slsec_buf_putc(b, ' ');
        } else if ((unsigned char)c < 0x20 || c == 0x7F) {
            continue;
        } else if (strchr(md_specials, c)) {
            slsec_buf_putc(b, '\\');
            slsec_buf_putc(b, c);
        } else {
            slsec_buf_putc(b, c);
        }
    }
    slsec_buf_free(&clean);
}

static size_t longest_backtick_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; s && *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* Rule prose is plain text (rule authors write Action "*" and mean a
 * star), so it is escaped like a cell; newlines are kept, as are the
 * paragraphs they make, and trailing blank space is dropped. */
static void md_text(slsec_buf *b, const char *s)
{
    slsec_buf t;
    slsec_buf_init(&t);
    slsec_rpt_utf8_clean(&t, s ? s : "");
    while (t.len && (t.data[t.len - 1] == '\n' || t.data[t.len - 1] == ' '))
        t.data[--t.len] = '\0';
    for (size_t i = 0; i < t.len; i++) {
        char c = t.data[i];
        if (c == '\t') {
            slsec_buf_putc(b, ' ');
        } else if (c != '\n' && ((unsigned char)c < 0x20 || c == 0x7F)) {
            continue;
        } else {
            if (strchr(md_specials, c))
                slsec_buf_putc(b, '\\');
            slsec_buf_putc(b, c);
        }
    }
    slsec_buf_free(&t);
}

/* A snippet goes inside a code fence verbatim, minus trailing newlines. */
static void md_code(slsec_buf *b, const char *s)
{
    slsec_buf t;
    slsec_buf_init(&t);
    slsec_rpt_utf8_clean(&t, s ? s : "");
    while (t.len && t.data[t.len - 1] == '\n')
        t.data[--t.len] = '\0';
    slsec_buf_append(b, t.data, t.len);
    slsec_buf_free(&t);
}

void slsec_rpt_md_rule(slsec_buf *b, const slsec_rule *rule, int level)
{
    for (int i = 0; i < level; i++)
        slsec_buf_putc(b, '#');
    slsec_buf_printf(b, " %s — ", rule->id);
    md_text(b, rule->title);
    slsec_buf_puts(b, "\n\n");
    slsec_buf_printf(b, "Severity: **%s** · Family: %s", slsec_severity_name(rule->severity),
                     rule->family ? rule->family : "");
    const char *fam = slsec_rpt_family_name(rule->family);
    if (fam)
        slsec_buf_printf(b, " (%s)", fam);
    slsec_buf_puts(b, "\n\n");
    slsec_rpt_md_rule_body(b, rule);
}

void slsec_rpt_md_rule_body(slsec_buf *b, const slsec_rule *rule)
{
    if (rule->why && *rule->why) {
        slsec_buf_puts(b, "**Why.** ");
        md_text(b, rule->why);
        slsec_buf_puts(b, "\n\n");
    }
    if (rule->fix && *rule->fix) {
        slsec_buf_puts(b, "**Fix.** ");
        md_text(b, rule->fix);
        slsec_buf_puts(b, "\n\n");
    }
    if (rule->snippet && *rule->snippet) {
        size_t fence = longest_backtick_run(rule->snippet) + 1;
        if (fence < 3)
            fence = 3;
        for (size_t i = 0; i < fence; i++)
            slsec_buf_putc(b, '`');
        slsec_buf_puts(b, "yaml\n");
        md_code(b, rule->snippet);
        slsec_buf_putc(b, '\n');
        for (size_t i = 0; i < fence; i++)
            slsec_buf_putc(b, '`');
        slsec_buf_puts(b, "\n\n");
    }
    slsec_rpt_reflist lists[SLSEC_RPT_REFLISTS];
    slsec_rpt_reflists(rule, lists);
    bool any = false;
    for (size_t i = 0; i < SLSEC_RPT_REFLISTS; i++) {
        char buf[SLSEC_RPT_REFBUF];
        const char *items[SLSEC_RPT_MAX_REFS];
        size_t n = slsec_rpt_refs(lists[i].list, buf, items);
        if (!n)
            continue;
        if (!any)
            slsec_buf_puts(b, "**References:**\n\n");
        any = true;
        slsec_buf_printf(b, "- %s: ", lists[i].label);
        for (size_t k = 0; k < n; k++) {
            char url[128];
            if (k)
                slsec_buf_puts(b, ", ");
            const char *u = slsec_rpt_ref_url(lists[i].key, items[k], url, sizeof url);
            if (u) {
                slsec_buf_putc(b, '[');
                slsec_rpt_md_cell(b, items[k]);
                slsec_buf_printf(b, "](%s)", u);
            } else if (strchr(items[k], '`')) {
                slsec_rpt_md_cell(b, items[k]);
            } else {
                slsec_buf_putc(b, '`');
                slsec_rpt_utf8_clean(b, items[k]);
                slsec_buf_putc(b, '`');
            }
        }
        slsec_buf_putc(b, '\n');
    }
    if (any)
        slsec_buf_putc(b, '\n');
}
