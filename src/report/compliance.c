/*
 * compliance.c — rules mapped to controls (slsec/compliance.h).
 *
 * OWASP controls come from each rule's own `owasp` references, so the
 * catalogue stays the single source. Programme concerns are one table
 * below: explicit rule ids or globs per concern, and a default concern per
 * family for any rule the table does not name, so a new rule is never left
 * out of the view (tests/unit/test_inventory.c checks that every rule maps
 * to a concern).
 */
#include "slsec/compliance.h"

#include <string.h>

const char *slsec_control_status_name(slsec_control_status s)
{
    switch (s) {
    case SLSEC_CONTROL_PASS: return "pass";
    case SLSEC_CONTROL_FAIL: return "fail";
    default: return "not assessed";
    }
}

typedef struct control_def {
    const char *id;
    const char *title;
    const char *rules; /* space-separated ids or globs (programme concerns) */
} control_def;

/* The 2017 OWASP Serverless Top 10 interpretation's categories. */
static const control_def sas[] = {
    {"SAS-1", "Function event-data injection", NULL},
    {"SAS-2", "Broken authentication", NULL},
    {"SAS-3", "Insecure serverless deployment configuration", NULL},
    {"SAS-4", "Over-privileged function permissions and roles", NULL},
    {"SAS-5", "Inadequate function monitoring and logging", NULL},
    {"SAS-6", "Insecure third-party dependencies", NULL},
    {"SAS-7", "Insecure application secrets storage", NULL},
    {"SAS-8", "Denial of service and financial resource exhaustion", NULL},
    {"SAS-9", "Serverless business logic manipulation", NULL},
    {"SAS-10", "Improper exception handling and verbose error messages", NULL},
};

static const control_def concerns[] = {
    {"least-privilege", "Least privilege", "IAM-001 IAM-002 IAM-003 IAM-004 IAM-005 IAM-006 IAM-007 IAM-008 "
                                           "IAM-010 IAM-012 AUDIT-001 AUDIT-002 AUDIT-003 AUDIT-006"},
    {"input-validation", "Input validation", "API-006 CODE-*"},
    {"dependencies", "Dependencies", "DEP-*"},
    {"secrets", "Secrets", "SECRET-* FN-005 FN-013 DATA-007 DATA-009 DATA-016 DATA-018 IAM-011"},
    {"logging", "Logging", "LOG-* API-003 API-008 DATA-011"},
    {"timeouts", "Timeouts and concurrency", "FN-001 FN-002 FN-003 FN-014"},
    {"identity", "Identity and authentication", "IAM-009 IAM-011 IAM-013 IAM-014 IAM-015 IAM-016 API-001 "
                                                "API-009 FN-007 AUDIT-010 AUDIT-011 AUDIT-013"},
    {"code-review", "Code review", "CODE-* PIPE-003"},
    {"monitoring", "Monitoring and failure handling", "FN-006 FN-009 FN-015 FN-016 API-011 LOG-004 "
                                                      "AUDIT-004 AUDIT-005 AUDIT-012 AUDIT-014 AUDIT-015"},
    {"perimeter", "Perimeter and WAF", "API-001 API-002 API-004 API-010 FN-007 FN-008"},
    {"encryption", "Encryption", "API-005 API-007 DATA-002 DATA-006 DATA-008 DATA-010 DATA-014 DATA-015 "
                                 "FN-013 LOG-002"},
    {"pipeline", "Pipeline integrity", "PIPE-* FN-004 AUDIT-015"},
    {"network", "Network", "NET-*"},
    {"data-stores", "Data stores", "DATA-001 DATA-003 DATA-004 DATA-005 DATA-012 DATA-013 DATA-017"},
    {"third-parties", "Third parties", "DEP-* FN-010 FN-011 FN-012 IAM-012"},
    {"compliance", "Compliance evidence", "LOG-001 DATA-003 DATA-004 DATA-005 PIPE-003 AUDIT-*"},
};

/* For a rule no concern names. */
static const char *family_concern(const char *family)
{
    static const char *const map[][2] = {
        {"IAM", "least-privilege"}, {"API", "perimeter"},   {"DATA", "data-stores"},
        {"NET", "network"},         {"LOG", "logging"},     {"PIPE", "pipeline"},
        {"SECRET", "secrets"},      {"CODE", "input-validation"}, {"DEP", "dependencies"},
        {"AUDIT", "monitoring"},    {"FN", "timeouts"},
    };
    for (size_t i = 0; family && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], family) == 0)
            return map[i][1];
    return "compliance";
}

static bool listed(const char *list, const char *id)
{
    char buf[512];
    const char *items[64];
    size_t n = slsec_refs_split(list, buf, sizeof buf, items, 64);
    for (size_t i = 0; i < n; i++)
        if (slsec_glob_match_ci(items[i], id))
            return true;
    return false;
}

size_t slsec_compliance_concerns(const slsec_rule *rule, const char **ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof concerns / sizeof concerns[0]; i++)
        if (listed(concerns[i].rules, rule->id) && n < max)
            ids[n++] = concerns[i].id;
    if (n == 0 && max)
        ids[n++] = family_concern(rule->family);
    return n;
}

static bool in_globs(const slsec_ptrvec *globs, const char *id)
{
    for (size_t i = 0; i < globs->count; i++)
        if (slsec_glob_match_ci(globs->items[i], id))
            return true;
    return false;
}

bool slsec_compliance_rule_assessed(const slsec_scan_result *r, const slsec_rule *rule)
{
    if (in_globs(&r->config.disabled_rules, rule->id))
        return false;
    if (r->config.only_rules.count && !in_globs(&r->config.only_rules, rule->id))
        return false;
    const char *fam = rule->family ? rule->family : "";
    if (strcmp(fam, "AUDIT") == 0)
        return false; /* run by `slsec audit` on CloudTrail, never by a scan */
    /* Lockfiles read but no advisory index checks nothing, which is not a
     * pass; nor is a code rule when no handler code was read. */
    if (strcmp(fam, "DEP") == 0)
        return r->lockfiles > 0 && r->deps_checked;
    if (strcmp(fam, "SECRET") == 0)
        return r->text_files > 0;
    if (strcmp(fam, "CODE") == 0)
        return r->code_files > 0;
    return r->templates > 0;
}

static size_t findings_of(const slsec_scan_result *r, const slsec_rule *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f && !f->suppressed && f->rule && strcmp(f->rule->id, rule->id) == 0)
            n++;
    }
    return n;
}

static slsec_control *new_control(slsec_arena *a, const char *framework, const control_def *d)
{
    slsec_control *c = slsec_arena_alloc(a, sizeof *c);
    c->framework = framework;
    c->id = d->id;
    c->title = d->title;
    return c;
}

static void settle(slsec_control *c)
{
    if (c->findings)
        c->status = SLSEC_CONTROL_FAIL;
    else if (c->assessed)
        c->status = SLSEC_CONTROL_PASS;
    else
        c->status = SLSEC_CONTROL_NOT_ASSESSED;
}

void slsec_compliance_eval(slsec_arena *a, const slsec_scan_result *r, slsec_ptrvec *controls)
{
    size_t nrules;
    const slsec_rule *const *all = slsec_rules_all(&nrules);
    /* Findings per rule, counted once. */
    size_t *found = slsec_arena_alloc(a, (nrules + 1) * sizeof *found);
    bool *assessed = slsec_arena_alloc(a, (nrules + 1) * sizeof *assessed);
    for (size_t i = 0; i < nrules; i++) {
        found[i] = findings_of(r, all[i]);
        assessed[i] = slsec_compliance_rule_assessed(r, all[i]);
    }
    size_t first = controls->count;
    for (size_t k = 0; k < sizeof sas / sizeof sas[0]; k++)
        slsec_ptrvec_push(a, controls, new_control(a, "OWASP Serverless Top 10", &sas[k]));
    for (size_t k = 0; k < sizeof concerns / sizeof concerns[0]; k++)
        slsec_ptrvec_push(a, controls, new_control(a, "Serverless security programme", &concerns[k]));

    for (size_t i = 0; i < nrules; i++) {
        const slsec_rule *rule = all[i];
        char buf[1024];
        const char *items[16];
        size_t n = slsec_refs_split(rule->owasp, buf, sizeof buf, items, 16);
        for (size_t k = 0; k < sizeof sas / sizeof sas[0]; k++) {
            slsec_control *c = controls->items[first + k];
            for (size_t j = 0; j < n; j++)
                if (strcmp(items[j], c->id) == 0) {
                    slsec_ptrvec_push(a, &c->rules, (void *)rule);
                    c->assessed += assessed[i];
                    c->findings += assessed[i] ? found[i] : 0;
                    break;
                }
        }
        const char *ids[16];
        size_t m = slsec_compliance_concerns(rule, ids, 16);
        for (size_t k = 0; k < sizeof concerns / sizeof concerns[0]; k++) {
            slsec_control *c = controls->items[first + sizeof sas / sizeof sas[0] + k];
            for (size_t j = 0; j < m; j++)
                if (strcmp(ids[j], c->id) == 0) {
                    slsec_ptrvec_push(a, &c->rules, (void *)rule);
                    c->assessed += assessed[i];
                    c->findings += assessed[i] ? found[i] : 0;
                    break;
                }
        }
    }
    for (size_t k = first; k < controls->count; k++)
        settle(controls->items[k]);
}
