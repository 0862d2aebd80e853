/*
 * slsec/report.h — findings as text, JSON, SARIF 2.1.0, JUnit XML, Markdown.
 *
 * The JSON output is a stable contract, documented in docs/json-format.md:
 * fields are added, never renamed or removed. Every writer is
 * deterministic: the same scan gives the same bytes (no timestamps unless
 * asked for), so outputs can be diffed and cached.
 */
#ifndef SLSEC_REPORT_H
#define SLSEC_REPORT_H

#include <stdio.h>

#include "slsec/scan.h"

typedef struct slsec_report_opts {
    bool color;         /* ANSI colours in text output */
    bool quiet;         /* text: findings only, no summary */
    bool show_suppressed;
    bool inventory;     /* also list the outbound integrations (the app's externals): text, json, markdown */
} slsec_report_opts;

/* Formats that can list the outbound integrations (opts.inventory). */
bool slsec_report_format_lists_inventory(const char *format);

/* Known formats: "text", "json", "sarif", "junit", "markdown". */
bool slsec_report_format_known(const char *format);
int slsec_report_write(FILE *out, const char *format, const slsec_scan_result *r,
                       const slsec_report_opts *opts);

/* The catalogue: "text" (a table), "json" (the documented contract), "markdown"
 * (docs/rules.md). */
int slsec_rules_write(FILE *out, const char *format);
/* One rule's explanation, as text or markdown. */
int slsec_rule_explain(FILE *out, const slsec_rule *rule, const char *format, bool color);

#endif
