/*
 * slsec/compliance.h — the report people read (`slsec report`): the latest
 * scan, its compliance view, trends from the history and the inventory map,
 * as one self-contained HTML page or as Markdown.
 *
 * Compliance: every rule of the catalogue maps to the OWASP Serverless Top
 * 10 controls its references name (SAS-1 … SAS-10), and to one or more
 * concerns of a serverless security programme (least privilege, input
 * validation, dependencies, secrets, logging, timeouts, identity, code
 * review, monitoring, perimeter/WAF, encryption, pipeline integrity,
 * network, data stores, third parties, compliance). A control is:
 *   fail          some assessed rule mapped to it has an unsuppressed finding;
 *   pass          rules mapped to it were assessed and found nothing;
 *   not assessed  no rule maps to it, or none of its rules ran on this scan
 *                 (disabled in .slsec.yml, no lockfile for DEP, no file read
 *                 for SECRET, AUDIT rules that only `slsec audit` runs).
 *
 * All text from templates, findings and commits is escaped for the output
 * it lands in (HTML or Markdown): a `<script>` in a resource name stays text.
 */
#ifndef SLSEC_COMPLIANCE_H
#define SLSEC_COMPLIANCE_H

#include <stdio.h>

#include "slsec/history.h"
#include "slsec/inventory.h"

typedef enum {
    SLSEC_CONTROL_PASS,
    SLSEC_CONTROL_FAIL,
    SLSEC_CONTROL_NOT_ASSESSED,
} slsec_control_status;

const char *slsec_control_status_name(slsec_control_status s); /* "pass", "fail", "not assessed" */

typedef struct slsec_control {
    const char *framework; /* "OWASP Serverless Top 10" or "Serverless security programme" */
    const char *id;        /* "SAS-4", "least-privilege" */
    const char *title;
    slsec_control_status status;
    slsec_ptrvec rules;    /* const slsec_rule* mapped to it */
    size_t assessed;       /* of those, rules that ran */
    size_t findings;       /* unsuppressed findings of its rules */
} slsec_control;

/* Evaluates every control of both frameworks for a scan, in a fixed order
 * (SAS-1 … SAS-10, then the programme's concerns), into controls
 * (slsec_control*, allocated from a). */
void slsec_compliance_eval(slsec_arena *a, const slsec_scan_result *r, slsec_ptrvec *controls);

/* Did this rule run in this scan (enabled, and its family had input)? */
bool slsec_compliance_rule_assessed(const slsec_scan_result *r, const slsec_rule *rule);

/* The programme concerns a rule maps to (at least one for every rule). */
size_t slsec_compliance_concerns(const slsec_rule *rule, const char **ids, size_t max);

/* One recorded run's findings per rule family (slsec_history_families). */
typedef struct slsec_report_family_run {
    int64_t run_id;
    const slsec_history_family *families;
    size_t count;
} slsec_report_family_run;

typedef struct slsec_report_doc_opts {
    const char *title;                 /* NULL: "slsec security report" */
    const slsec_history_runs *runs;    /* trend data (oldest first), or NULL */
    const slsec_history_fixes *fixes;  /* times to fix, or NULL */
    const slsec_report_family_run *family_runs; /* family counts of the latest runs, oldest first */
    size_t nfamily_runs;
    const slsec_inventory *inventory;  /* the map, or NULL */
    bool show_suppressed;
} slsec_report_doc_opts;

/* "html" or "markdown". SLSEC_EUSAGE for another, SLSEC_EIO when the
 * stream failed. */
int slsec_report_doc_write(FILE *out, const char *format, const slsec_scan_result *r,
                           const slsec_report_doc_opts *opts);

#endif
