/*
 * baseline.c — accepted findings, by fingerprint.
 *
 * A team adopting slsec on an existing application records today's
 * findings once (`slsec scan --write-baseline FILE`) and from then on sees,
 * and fails CI on, only what is new (`--baseline FILE`). The file is JSON:
 *
 *   {"version": 1, "tool": "slsec",
 *    "findings": [{"fingerprint": "…32 hex…", "rule_id": "IAM-001",
 *                  "file": "template.yaml", "resource": "OrdersRole"}, …]}
 *
 * Only "fingerprint" is read back; rule id, file and resource are there so
 * a reviewer can read the file. Fingerprints (src/rules/registry.c) hash the
 * rule, file, resource and the rule's key, never the line or the message,
 * so moving a resource or reformatting the template keeps it matched.
 *
 * The file is read through src/doc, so a malformed baseline is reported at
 * its line and column like any other input. Written entries are sorted by
 * file, rule, resource and fingerprint, one per fingerprint, so a baseline
 * in version control changes only where the findings change.
 */
#include "slsec/scan.h"

#include "slsec/limits.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct slsec_baseline {
    slsec_strmap *fingerprints; /* fingerprint → (void*)1 */
    size_t count;
};

static bool is_fingerprint(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static int shape_error(slsec_diag *d, const char *path, const slsec_node *at, const char *what)
{
    slsec_diag_set(d, SLSEC_DIAG_ERROR, path, at ? (int)at->line : 0, at ? (int)at->col : 0,
                   "not a slsec baseline: expected %s", what);
    return SLSEC_EPARSE;
}

int slsec_baseline_load(slsec_arena *a, const char *path, slsec_baseline **out, slsec_diag *d)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = slsec_read_file(path, SLSEC_MAX_TEMPLATE_BYTES, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    slsec_doc doc;
    const char *file = slsec_arena_strdup(a, path);
    rc = slsec_doc_parse(a, file, data, len, &doc, d);
    free(data);
    if (rc != SLSEC_OK)
        return rc;

    const slsec_node *root = doc.root;
    if (!slsec_node_is_map(root))
        return shape_error(d, path, root, "a JSON object with \"version\" and \"findings\"");
    const slsec_node *version = slsec_node_get(root, "version");
    long v = 0;
    if (!version || !slsec_node_long(version, &v) || v != 1)
        return shape_error(d, path, version ? version : root, "\"version\": 1");
    const slsec_node *list = slsec_node_get(root, "findings");
    if (!slsec_node_is_seq(list))
        return shape_error(d, path, list ? list : root, "\"findings\" to be a list");

    slsec_baseline *b = slsec_arena_alloc(a, sizeof *b);
    b->fingerprints = slsec_strmap_new(a);
    for (size_t i = 0; i < list->count; i++) {
        const slsec_node *fp = slsec_node_get(list->items[i], "fingerprint");
        const char *s = slsec_node_str(fp);
        if (!is_fingerprint(s))
            return shape_error(d, path, fp ? fp : list->items[i],
                               "each finding to have a \"fingerprint\" of 32 lower-case hex digits");
        if (!slsec_strmap_get(b->fingerprints, s)) {
            slsec_strmap_put(b->fingerprints, s, (void *)1);
            b->count++;
        }
    }
    *out = b;
    return SLSEC_OK;
}

size_t slsec_baseline_count(const slsec_baseline *b)
{
    return b ? b->count : 0;
}

size_t slsec_scan_apply_baseline(slsec_scan_result *r, const slsec_baseline *b)
{
    if (!r || !b)
        return 0;
    size_t kept = 0, moved = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        slsec_finding *f = r->findings.items[i];
        if (!f->suppressed && slsec_strmap_get(b->fingerprints, f->fingerprint)) {
            slsec_ptrvec_push(r->arena, &r->baselined, f);
            if ((unsigned)f->severity <= SLSEC_SEV_CRITICAL && r->counts[f->severity])
                r->counts[f->severity]--;
            moved++;
            continue;
        }
        r->findings.items[kept++] = f;
    }
    r->findings.count = kept;
    return moved;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int by_identity(const void *pa, const void *pb)
{
    const slsec_finding *a = *(const slsec_finding *const *)pa, *b = *(const slsec_finding *const *)pb;
    int c;
    if ((c = cmp_str(a->loc.file, b->loc.file)) || (c = strcmp(a->rule->id, b->rule->id)) ||
        (c = cmp_str(a->resource, b->resource)))
        return c;
    return strcmp(a->fingerprint, b->fingerprint);
}

int slsec_baseline_write(FILE *fp, const slsec_scan_result *r)
{
    size_t n = r->findings.count + r->baselined.count;
    const slsec_finding **all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        slsec_oom();
    size_t k = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (!f->suppressed)
            all[k++] = f;
    }
    for (size_t i = 0; i < r->baselined.count; i++)
        all[k++] = r->baselined.items[i];
    qsort(all, k, sizeof *all, by_identity);

    json_t *list = json_array();
    for (size_t i = 0; i < k; i++) {
        if (i && strcmp(all[i]->fingerprint, all[i - 1]->fingerprint) == 0)
            continue; /* one entry per fingerprint */
        json_t *o = json_object();
        json_object_set_new(o, "fingerprint", json_string(all[i]->fingerprint));
        json_object_set_new(o, "rule_id", json_string(all[i]->rule->id));
        json_object_set_new(o, "file", json_string(all[i]->loc.file ? all[i]->loc.file : ""));
        json_object_set_new(o, "resource", json_string(all[i]->resource ? all[i]->resource : ""));
        json_array_append_new(list, o);
    }
    free(all);
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "tool", json_string("slsec"));
    json_object_set_new(doc, "findings", list);
    int rc = json_dumpf(doc, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (rc != 0 || fputc('\n', fp) == EOF)
        return SLSEC_EIO;
    return SLSEC_OK;
}
