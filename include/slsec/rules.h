/*
 * slsec/rules.h — the rule catalogue and the findings rules produce.
 *
 * The catalogue is one table built from the family tables in src/rules
 * (iam.c, fn.c, api.c, data.c, net.c, log.c, pipe.c); `slsec rules`,
 * `slsec explain`, SARIF's tool.driver.rules and docs/rules.md are all
 * generated from it. Adding a rule touches one place: an entry in its
 * family's table, next to its check function.
 *
 * Reference lists (cwe, owasp, checkov, cfn_nag, cdk_nag) are written as
 * space-separated ids in one string; slsec_refs_split() splits them.
 */
#ifndef SLSEC_RULES_H
#define SLSEC_RULES_H

#include "slsec/model.h"

typedef enum {
    SLSEC_SEV_INFO = 0,
    SLSEC_SEV_LOW,
    SLSEC_SEV_MEDIUM,
    SLSEC_SEV_HIGH,
    SLSEC_SEV_CRITICAL,
} slsec_severity;

const char *slsec_severity_name(slsec_severity s);
bool slsec_severity_parse(const char *name, slsec_severity *out);

typedef struct slsec_check_ctx slsec_check_ctx;

typedef struct slsec_rule {
    const char *id;      /* "IAM-001" */
    const char *family;  /* "IAM" */
    slsec_severity severity;
    const char *title;
    const char *why;     /* one paragraph */
    const char *fix;     /* one or two sentences */
    const char *snippet; /* a template snippet showing the fix (YAML) */
    const char *cwe;     /* "CWE-250 CWE-732" */
    const char *owasp;   /* OWASP Serverless Top 10: "SAS-4" */
    const char *checkov; /* "CKV_AWS_45" */
    const char *cfn_nag; /* "W11 F3" */
    const char *cdk_nag; /* "AwsSolutions-IAM5" */
    void (*check)(slsec_check_ctx *ctx);
} slsec_rule;

/* The whole catalogue, sorted by id. */
const slsec_rule *const *slsec_rules_all(size_t *count);
const slsec_rule *slsec_rule_find(const char *id);
/* Splits a space-separated reference list into at most max items (pointers
 * into buf, which must hold a copy of the list). Returns the count. */
size_t slsec_refs_split(const char *list, char *buf, size_t bufsize, const char **items, size_t max);

/* ---- findings ------------------------------------------------------------- */

#define SLSEC_MAX_RELATED 8

typedef struct slsec_finding {
    const slsec_rule *rule;
    slsec_severity severity;   /* the rule's, or the configuration's override */
    const char *message;       /* names the resource, functions, actions, values */
    const char *resource;      /* logical id */
    const char *resource_type;
    slsec_loc loc;
    slsec_loc related[SLSEC_MAX_RELATED];
    const char *related_msg[SLSEC_MAX_RELATED];
    size_t related_count;
    bool related_is_flow;      /* related[] are a data flow's steps, source first (SARIF codeFlows) */
    const char *evidence;      /* redacted where secret */
    const char *key;           /* what, within the resource, the finding is about */
    char fingerprint[33];      /* stable across line moves: hash of rule, file, resource, key */
    bool suppressed;
    const char *suppression;   /* where and why, when suppressed */
} slsec_finding;

/* Thresholds rules read; .slsec.yml `thresholds:` sets them. */
typedef struct slsec_settings {
    long max_timeout;     /* FN: any function above this (default 300 s) */
    long api_max_timeout; /* FN: API Gateway's integration limit (29 s) */
    long min_log_retention_days; /* LOG: retention below this is reported (default 0: any) */
    const char *today;    /* YYYY-MM-DD for runtime deprecation dates; NULL = now */
} slsec_settings;

void slsec_settings_default(slsec_settings *s);

struct slsec_check_ctx {
    const slsec_app *app;
    const slsec_settings *settings;
    const slsec_rule *rule;
    slsec_arena *arena;
    slsec_ptrvec *findings; /* slsec_finding* */
};

/* Reports a finding of ctx->rule. `key` distinguishes several findings of
 * one rule on one resource (an action, a variable name) and enters the
 * fingerprint; `resource` may be NULL for app-wide findings. Returns the
 * finding so a check can add related locations or evidence. */
slsec_finding *slsec_report(slsec_check_ctx *ctx, const char *resource, const char *resource_type,
                            slsec_loc loc, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void slsec_finding_relate(slsec_finding *f, slsec_loc loc, const char *msg);

/* Runs every enabled rule over the app. `enabled` may be NULL (all). */
void slsec_rules_run(const slsec_app *app, const slsec_settings *settings, slsec_arena *arena,
                     bool (*enabled)(const slsec_rule *rule, void *user), void *user,
                     slsec_ptrvec *findings);

#endif
