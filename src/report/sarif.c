/*
 * sarif.c — SARIF 2.1.0, as GitHub code scanning and IDE viewers read it.
 *
 * One run; tool.driver.rules is the whole catalogue (plus any rule a
 * finding carries that the catalogue lacks, so every ruleIndex is valid),
 * each with help text and a "security-severity" GitHub turns into
 * critical/high/medium/low. Paths are relative URIs against %SRCROOT%,
 * which originalUriBaseIds maps to the scanned root when it is absolute.
 * Regions are omitted for line 0: SARIF requires startLine >= 1.
 * Suppressed findings present in the result are written with a
 * `suppressions` entry rather than dropped, which is how viewers hide them.
 */
#include "report_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA_URI \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *sarif_level(slsec_severity s)
{
    if (s >= SLSEC_SEV_HIGH)
        return "error";
    if (s == SLSEC_SEV_MEDIUM)
        return "warning";
    return "note";
}

/* GitHub reads "over 9.0" as critical, 7.0-8.9 high, 4.0-6.9 medium, the
 * rest low; critical sits clear of the 9.0 boundary. */
static const char *security_severity(slsec_severity s)
{
    switch (s) {
    case SLSEC_SEV_CRITICAL:
        return "9.5";
    case SLSEC_SEV_HIGH:
        return "7.5";
    case SLSEC_SEV_MEDIUM:
        return "5.0";
    case SLSEC_SEV_LOW:
        return "3.0";
    default:
        return "0.0";
    }
}

/* RFC 3986 percent-encoding of a path: unreserved characters and '/' stay. */
static void uri_path(slsec_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            slsec_buf_putc(b, (char)c);
        } else {
            slsec_buf_putc(b, '%');
            slsec_buf_putc(b, hex[c >> 4]);
            slsec_buf_putc(b, hex[c & 15]);
        }
    }
    if (!b->data)
        slsec_buf_append(b, "", 0);
}

static json_t *artifact_location(const char *file)
{
    json_t *o = json_object();
    slsec_buf b;
    slsec_buf_init(&b);
    if (file[0] == '/') {
        /* An absolute path (outside any root): a full file URI, no base. */
        slsec_buf_puts(&b, "file://");
        uri_path(&b, file);
        json_object_set_new(o, "uri", json_stringn(b.data, b.len));
    } else {
        while (file[0] == '.' && file[1] == '/')
            file += 2;
        uri_path(&b, file);
        json_object_set_new(o, "uri", json_stringn(b.data, b.len));
        json_object_set_new(o, "uriBaseId", json_string("%SRCROOT%"));
    }
    slsec_buf_free(&b);
    return o;
}

/* A physicalLocation, or NULL when the location names no file. */
static json_t *physical_location(slsec_loc loc)
{
    if (!loc.file || !loc.file[0])
        return NULL;
    json_t *pl = json_object();
    json_object_set_new(pl, "artifactLocation", artifact_location(loc.file));
    if (loc.line >= 1) {
        json_t *region = json_object();
        json_object_set_new(region, "startLine", json_integer(loc.line));
        if (loc.col >= 1)
            json_object_set_new(region, "startColumn", json_integer(loc.col));
        json_object_set_new(pl, "region", region);
    }
    return pl;
}

static json_t *text_message(const char *s)
{
    json_t *m = json_object();
    json_object_set_new(m, "text", slsec_rpt_jstr_or_empty(s));
    return m;
}

/* "Wildcard actions in IAM policies" -> "WildcardActionsInIAMPolicies". */
static json_t *rule_name(const slsec_rule *rule)
{
    slsec_buf b;
    slsec_buf_init(&b);
    bool start = true;
    for (const char *p = rule->title ? rule->title : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'')
            continue; /* "API's" is one word */
        if (!isalnum(c)) {
            start = true;
            continue;
        }
        slsec_buf_putc(&b, (char)(start ? toupper(c) : c));
        start = false;
    }
    json_t *j = b.len ? json_stringn(b.data, b.len) : slsec_rpt_jstr(rule->id);
    slsec_buf_free(&b);
    return j;
}

/* The schema wants tags unique. */
static void add_tag(json_t *tags, const char *tag)
{
    json_t *t = slsec_rpt_jstr(tag);
    for (size_t k = 0; k < json_array_size(tags); k++)
        if (json_equal(json_array_get(tags, k), t)) {
            json_decref(t);
            return;
        }
    json_array_append_new(tags, t);
}

static json_t *rule_json(const slsec_rule *rule)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", slsec_rpt_jstr(rule->id));
    json_object_set_new(o, "name", rule_name(rule));
    json_object_set_new(o, "shortDescription", text_message(rule->title));
    json_object_set_new(o, "fullDescription",
                        text_message(rule->why && *rule->why ? rule->why : rule->title));

    json_t *cfg = json_object();
    json_object_set_new(cfg, "level", json_string(sarif_level(rule->severity)));
    json_object_set_new(o, "defaultConfiguration", cfg);

    slsec_buf text, md;
    slsec_buf_init(&text);
    slsec_buf_init(&md);
    slsec_buf_puts(&text, rule->fix ? rule->fix : "");
    if (rule->snippet && *rule->snippet) {
        slsec_buf_puts(&text, "\n\n");
        slsec_buf_puts(&text, rule->snippet);
    }
    slsec_rpt_md_rule_body(&md, rule);
    while (md.len && md.data[md.len - 1] == '\n')
        md.data[--md.len] = '\0';
    json_t *help = json_object();
    json_object_set_new(help, "text", slsec_rpt_jstr(text.data ? text.data : ""));
    json_object_set_new(help, "markdown", slsec_rpt_jstr(md.data ? md.data : ""));
    json_object_set_new(o, "help", help);
    slsec_buf_free(&text);
    slsec_buf_free(&md);

    /* Tags: family, then each CWE both as written and in the
     * external/cwe/cwe-N form GitHub links. */
    json_t *tags = json_array();
    add_tag(tags, "security");
    if (rule->family && *rule->family)
        add_tag(tags, rule->family);
    char buf[SLSEC_RPT_REFBUF];
    const char *items[SLSEC_RPT_MAX_REFS];
    size_t n = slsec_rpt_refs(rule->cwe, buf, items);
    for (size_t i = 0; i < n; i++) {
        add_tag(tags, items[i]);
        if (strncmp(items[i], "CWE-", 4) == 0 && items[i][4]) {
            char ext[64];
            snprintf(ext, sizeof ext, "external/cwe/cwe-%s", items[i] + 4);
            add_tag(tags, ext);
        }
    }
    json_t *props = json_object();
    json_object_set_new(props, "tags", tags);
    json_object_set_new(props, "security-severity", json_string(security_severity(rule->severity)));
    json_object_set_new(props, "references", slsec_rpt_refs_json(rule));
    json_object_set_new(o, "properties", props);
    return o;
}

/* The rules of the run: the catalogue, then rules findings carry that it
 * lacks, in order of first appearance. */
typedef struct rule_table {
    const slsec_rule *const *all;
    size_t all_count;
    const slsec_rule **extra;
    size_t extra_count, extra_cap;
} rule_table;

static long catalogue_index(const rule_table *t, const slsec_rule *rule)
{
    size_t lo = 0, hi = t->all_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->all[mid]->id, rule->id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* The catalogue is sorted by id; a linear pass covers a caller that is not. */
    for (size_t i = 0; i < t->all_count; i++)
        if (t->all[i] == rule || strcmp(t->all[i]->id, rule->id) == 0)
            return (long)i;
    return -1;
}

static long rule_index(rule_table *t, const slsec_rule *rule, bool add)
{
    long i = catalogue_index(t, rule);
    if (i >= 0)
        return i;
    for (size_t k = 0; k < t->extra_count; k++)
        if (t->extra[k] == rule || strcmp(t->extra[k]->id, rule->id) == 0)
            return (long)(t->all_count + k);
    if (!add)
        return -1;
    if (t->extra_count == t->extra_cap) {
        size_t ncap = t->extra_cap ? 2 * t->extra_cap : 8;
        const slsec_rule **n = realloc(t->extra, ncap * sizeof *n);
        if (!n)
            slsec_oom();
        t->extra = n;
        t->extra_cap = ncap;
    }
    t->extra[t->extra_count++] = rule;
    return (long)(t->all_count + t->extra_count - 1);
}

static json_t *result_json(const slsec_finding *f, long index)
{
    const slsec_rule *rule = slsec_rpt_rule(f);
    json_t *o = json_object();
    json_object_set_new(o, "ruleId", slsec_rpt_jstr(rule->id));
    json_object_set_new(o, "ruleIndex", json_integer(index));
    json_object_set_new(o, "level", json_string(sarif_level(f->severity)));
    json_object_set_new(o, "message", text_message(f->message));

    json_t *pl = physical_location(f->loc);
    if (pl) {
        json_t *loc = json_object();
        json_object_set_new(loc, "physicalLocation", pl);
        json_t *locs = json_array();
        json_array_append_new(locs, loc);
        json_object_set_new(o, "locations", locs);
    }

    json_t *related = json_array();
    for (size_t i = 0; i < f->related_count && i < SLSEC_MAX_RELATED; i++) {
        json_t *rpl = physical_location(f->related[i]);
        if (!rpl)
            continue;
        json_t *rl = json_object();
        json_object_set_new(rl, "id", json_integer((json_int_t)i + 1));
        json_object_set_new(rl, "physicalLocation", rpl);
        if (f->related_msg[i])
            json_object_set_new(rl, "message", text_message(f->related_msg[i]));
        json_array_append_new(related, rl);
    }
    if (json_array_size(related))
        json_object_set_new(o, "relatedLocations", related);
    else
        json_decref(related);

    /* A data flow (code findings): one thread flow, source first, the
     * finding's own location (the sink) last. */
    if (f->related_is_flow && f->related_count) {
        json_t *steps = json_array();
        for (size_t i = 0; i <= f->related_count && i <= SLSEC_MAX_RELATED; i++) {
            bool sink = i == f->related_count || i == SLSEC_MAX_RELATED;
            json_t *spl = physical_location(sink ? f->loc : f->related[i]);
            if (!spl)
                continue;
            json_t *l = json_object();
            json_object_set_new(l, "physicalLocation", spl);
            const char *msg = sink ? f->evidence : f->related_msg[i];
            if (msg)
                json_object_set_new(l, "message", text_message(msg));
            json_t *tfl = json_object();
            json_object_set_new(tfl, "location", l);
            json_array_append_new(steps, tfl);
            if (sink)
                break;
        }
        json_t *tf = json_object();
        json_object_set_new(tf, "locations", steps);
        json_t *tfs = json_array();
        json_array_append_new(tfs, tf);
        json_t *cf = json_object();
        json_object_set_new(cf, "threadFlows", tfs);
        json_t *cfs = json_array();
        json_array_append_new(cfs, cf);
        json_object_set_new(o, "codeFlows", cfs);
    }

    json_t *fp = json_object();
    json_object_set_new(fp, "slsecFingerprint/v1", slsec_rpt_jstr(f->fingerprint));
    json_object_set_new(o, "partialFingerprints", fp);

    if (f->suppressed) {
        json_t *s = json_object();
        json_object_set_new(s, "kind", json_string("inSource"));
        json_object_set_new(s, "status", json_string("accepted"));
        if (f->suppression)
            json_object_set_new(s, "justification", slsec_rpt_jstr(f->suppression));
        json_t *arr = json_array();
        json_array_append_new(arr, s);
        json_object_set_new(o, "suppressions", arr);
    }

    json_t *props = json_object();
    json_object_set_new(props, "severity", json_string(slsec_severity_name(f->severity)));
    if (f->resource)
        json_object_set_new(props, "resource", slsec_rpt_jstr(f->resource));
    if (f->resource_type)
        json_object_set_new(props, "resourceType", slsec_rpt_jstr(f->resource_type));
    json_object_set_new(o, "properties", props);
    return o;
}

int slsec_rpt_sarif(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts)
{
    (void)opts;
    rule_table t = {0};
    t.all = slsec_rules_all(&t.all_count);

    json_t *results = json_array();
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (!f)
            continue;
        long idx = rule_index(&t, slsec_rpt_rule(f), true);
        json_array_append_new(results, result_json(f, idx));
    }

    json_t *rules = json_array();
    for (size_t i = 0; i < t.all_count; i++)
        json_array_append_new(rules, rule_json(t.all[i]));
    for (size_t i = 0; i < t.extra_count; i++)
        json_array_append_new(rules, rule_json(t.extra[i]));
    free(t.extra);

    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("slsec"));
    json_object_set_new(driver, "version", json_string(SLSEC_VERSION));
    json_object_set_new(driver, "semanticVersion", json_string(SLSEC_VERSION));
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);

    json_t *run = json_object();
    json_object_set_new(run, "tool", tool);
    if (r->root && r->root[0] == '/') {
        slsec_buf b;
        slsec_buf_init(&b);
        slsec_buf_puts(&b, "file://");
        uri_path(&b, r->root);
        if (b.data[b.len - 1] != '/')
            slsec_buf_putc(&b, '/');
        json_t *base = json_object();
        json_object_set_new(base, "uri", json_stringn(b.data, b.len));
        slsec_buf_free(&b);
        json_t *bases = json_object();
        json_object_set_new(bases, "%SRCROOT%", base);
        json_object_set_new(run, "originalUriBaseIds", bases);
    }
    json_object_set_new(run, "results", results);
    /* libfyaml counts columns in characters, not UTF-16 units. */
    json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));

    json_t *runs = json_array();
    json_array_append_new(runs, run);
    json_t *root = json_object();
    json_object_set_new(root, "$schema", json_string(SARIF_SCHEMA_URI));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(root, "runs", runs);
    return slsec_rpt_json_dump(out, root);
}
