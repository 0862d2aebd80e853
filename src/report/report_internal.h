/*
 * report_internal.h — what the report writers share: byte-level cleaning of
 * untrusted text (template values end up in messages, so every writer
 * assumes a message may hold invalid UTF-8, control bytes or markup), the
 * reference lists of a rule, severity spellings, and the per-format entry
 * points report.c dispatches to.
 *
 * Every writer returns SLSEC_OK, or SLSEC_EIO when the stream reported an
 * error; none allocates from the result's arena (the result is const).
 */
#ifndef SLSEC_REPORT_INTERNAL_H
#define SLSEC_REPORT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "slsec/report.h"

/* ---- text cleaning -------------------------------------------------------- */

/* Appends s to b as valid UTF-8, each ill-formed byte replaced by U+FFFD. */
void slsec_rpt_utf8_clean(slsec_buf *b, const char *s);

/* A JSON string of s (cleaned as above), or JSON null when s is NULL. */
json_t *slsec_rpt_jstr(const char *s);
/* Like slsec_rpt_jstr but "" for NULL. */
json_t *slsec_rpt_jstr_or_empty(const char *s);

/* Writes root with the project's JSON settings and a final newline, then
 * releases it. */
int slsec_rpt_json_dump(FILE *out, json_t *root);

/* A streaming JSON writer (jsonw.c) for reports too large for a jansson
 * tree; its layout is jansson's JSON_INDENT(2). Open and close take '{'
 * or '['; inside an object, every value follows a key. */
#define SLSEC_JW_MAX_DEPTH 32
typedef struct slsec_jw {
    slsec_buf *b;
    int depth;
    bool first[SLSEC_JW_MAX_DEPTH]; /* no item yet at this level */
    bool after_key;
} slsec_jw;

void slsec_jw_init(slsec_jw *w, slsec_buf *b);
void slsec_jw_open(slsec_jw *w, char bracket);
void slsec_jw_close(slsec_jw *w, char bracket);
void slsec_jw_key(slsec_jw *w, const char *key);
void slsec_jw_str(slsec_jw *w, const char *s); /* null when s is NULL */
void slsec_jw_int(slsec_jw *w, long long v);
void slsec_jw_bool(slsec_jw *w, bool v);
void slsec_jw_null(slsec_jw *w);

/* Members rendered before: slsec_jw_splice_begin sets up `scratch` to
 * write into `into` as if it were w at its place (same depth, not the
 * first member); what it writes is later appended to w by slsec_jw_splice.
 * The JSON report renders each rule's constant members once this way
 * instead of once per finding. */
void slsec_jw_splice_begin(const slsec_jw *w, slsec_jw *scratch, slsec_buf *into);
void slsec_jw_splice(slsec_jw *w, const slsec_buf *rendered);

/* ---- rules and findings --------------------------------------------------- */

/* The finding's rule, or a placeholder rule when a finding carries none, so
 * writers never dereference NULL. */
const slsec_rule *slsec_rpt_rule(const slsec_finding *f);

/* The five reference lists of a rule, in the order of the JSON contract. */
typedef struct slsec_rpt_reflist {
    const char *key;   /* "cwe", "owasp_serverless", ... */
    const char *label; /* "CWE", "OWASP Serverless Top 10", ... */
    const char *list;  /* the rule's space-separated ids (may be NULL) */
} slsec_rpt_reflist;

#define SLSEC_RPT_REFLISTS 5
void slsec_rpt_reflists(const slsec_rule *rule, slsec_rpt_reflist out[SLSEC_RPT_REFLISTS]);

/* Splitting one list: the pointers point into buf. */
#define SLSEC_RPT_MAX_REFS 32
#define SLSEC_RPT_REFBUF 1024
size_t slsec_rpt_refs(const char *list, char buf[SLSEC_RPT_REFBUF],
                      const char *items[SLSEC_RPT_MAX_REFS]);

/* {"cwe": [...], "owasp_serverless": [...], ...}: every list present. */
json_t *slsec_rpt_refs_json(const slsec_rule *rule);

/* A URL documenting one reference id, or NULL when there is no stable one. */
const char *slsec_rpt_ref_url(const char *key, const char *id, char *buf, size_t bufsize);

/* "Identity and access" for "IAM"; NULL for a family we do not name. */
const char *slsec_rpt_family_name(const char *family);

/* Whether a writer that hides suppressed findings shows this one. */
bool slsec_rpt_visible(const slsec_finding *f, const slsec_report_opts *opts);

/* The first line of a rule's fix, whitespace runs collapsed, into b. */
void slsec_rpt_fix_hint(slsec_buf *b, const slsec_rule *rule);

/* Total of counts[] (unsuppressed findings). */
size_t slsec_rpt_total(const slsec_scan_result *r);

/* ---- outbound integrations ------------------------------------------------ */

/* One line of the integrations listing (text, markdown): a function's
 * distinct (kind, target, operation), the first place that calls it, and
 * how many other places do. */
typedef struct slsec_rpt_integration {
    const slsec_external_call *first;
    size_t more;
} slsec_rpt_integration;

/* The lines for r->app's externals, in their order (malloc'd, *n set).
 * A service only made into a client is left out of a function that also
 * calls one of its operations: the operations say more. */
slsec_rpt_integration *slsec_rpt_integrations(const slsec_scan_result *r, size_t *n);
/* "s3:PutObject", "s3" or the host, into b. */
void slsec_rpt_integration_target(slsec_buf *b, const slsec_external_call *c);
/* Distinct functions, AWS services and hosts among the externals. */
void slsec_rpt_integration_counts(const slsec_scan_result *r, size_t *functions, size_t *services, size_t *hosts);

/* ---- markdown helpers ----------------------------------------------------- */

/* Appends s escaped for a Markdown table cell: punctuation that Markdown
 * or HTML would interpret is backslash-escaped, '|' too, newlines become
 * <br>, control bytes are dropped, invalid UTF-8 becomes U+FFFD. */
void slsec_rpt_md_cell(slsec_buf *b, const char *s);

/* A rule written as a Markdown section with a heading of `level` '#'s
 * (shared by `rules --format markdown` and `explain --format markdown`). */
void slsec_rpt_md_rule(slsec_buf *b, const slsec_rule *rule, int level);
/* The same without the heading and severity line: why, fix, snippet,
 * references (SARIF's rule help). */
void slsec_rpt_md_rule_body(slsec_buf *b, const slsec_rule *rule);

/* ---- the writers ---------------------------------------------------------- */

int slsec_rpt_text(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts);
int slsec_rpt_json(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts);
int slsec_rpt_sarif(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts);
int slsec_rpt_junit(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts);
int slsec_rpt_markdown(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts);

/* Writes b to out and frees it; SLSEC_EIO when the stream failed. */
int slsec_rpt_flush(FILE *out, slsec_buf *b);

/* Writes b to out once it holds more than a chunk, and empties it: a long
 * report then streams instead of growing one buffer of its whole size (6 MB
 * for 5,000 findings, copied at every doubling). Returns false once the
 * stream has failed; slsec_rpt_flush reports the same failure. */
bool slsec_rpt_drain(FILE *out, slsec_buf *b);

#endif
