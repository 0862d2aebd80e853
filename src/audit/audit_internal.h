/*
 * audit_internal.h — what the files of src/audit share: the shape of the
 * generated IAM action table (iam_actions.c) and the reading of trail
 * inputs (cloudtrail.c) that the analysis (audit.c) drives.
 */
#ifndef SLSEC_AUDIT_INTERNAL_H
#define SLSEC_AUDIT_INTERNAL_H

#include "slsec/audit.h"

typedef struct slsec_iam_action {
    const char *name;
    unsigned char level; /* slsec_access_level */
} slsec_iam_action;

typedef struct slsec_iam_service {
    const char *prefix;
    const slsec_iam_action *actions; /* sorted case-insensitively */
    unsigned count;
} slsec_iam_service;

extern const slsec_iam_service slsec_iam_services[]; /* sorted by prefix */
extern const size_t slsec_iam_service_total;
extern const char slsec_iam_data_version[];

/* Streams one trail input (a file, or "-" for stdin; gzip recognised by its
 * magic bytes) through the splitter. Problems go to the splitter's problem
 * callback; returns SLSEC_EIO when the input could not be opened at all. */
int slsec_ct_read_input(const char *path, slsec_ct_splitter *s, slsec_diag *err);

/* Calls fn for every trail file under path (a folder walked in name order,
 * without following symbolic links; CloudTrail-Digest folders skipped), or
 * for path itself when it is a file or "-". */
int slsec_ct_each_file(const char *path, int (*fn)(const char *file, void *user), void *user,
                       slsec_diag *err);

/* ---- one record's fields ------------------------------------------------------ */

/* The fields of a CloudTrail record the audit reads. Extracting them with a
 * purpose-built scanner instead of building a jansson tree is what makes
 * the audit several times faster than jq: nothing is allocated per record,
 * values outside these paths are skipped without being decoded. */
#define SLSEC_CT_FIELDS(X)                                                                   \
    X(SOURCE, 0, "eventSource") X(NAME, 0, "eventName") X(TIME, 0, "eventTime")              \
    X(ID, 0, "eventID") X(IP, 0, "sourceIPAddress") X(ERROR, 0, "errorCode")                  \
    X(CATEGORY, 0, "eventCategory") X(REGION, 0, "awsRegion") X(ACCOUNT, 0, "recipientAccountId") \
    X(U_TYPE, 1, "type") X(U_ARN, 1, "arn") X(U_PRINCIPAL, 1, "principalId")                 \
    X(U_ACCOUNT, 1, "accountId") X(U_KEY, 1, "accessKeyId") X(U_INVOKED_BY, 1, "invokedBy")  \
    X(ISSUER_ARN, 3, "arn") X(MFA_USED, 4, "MFAUsed") X(CONSOLE_LOGIN, 5, "ConsoleLogin")     \
    X(P_BUCKET, 6, "bucketName") X(P_KEY, 6, "key") X(P_TABLE, 6, "tableName")               \
    X(P_FUNCTION, 6, "functionName") X(P_QUEUE_URL, 6, "queueUrl") X(P_NAME, 6, "name")      \
    X(P_TOPIC, 6, "topicArn") X(P_SECRET, 6, "secretId") X(P_STATE_MACHINE, 6, "stateMachineArn") \
    X(P_KEY_ID, 6, "keyId") X(P_ROLE_ARN, 6, "roleArn") X(P_LOG_GROUP_ARN, 6, "logGroupArn")  \
    X(P_ROLE_NAME, 6, "roleName") X(P_POLICY_ARN, 6, "policyArn") X(P_PRINCIPAL, 6, "principal")

#define SLSEC_CT_FIELD_ENUM(id, ctx, key) SLSEC_CT_##id,
enum { SLSEC_CT_FIELDS(SLSEC_CT_FIELD_ENUM) SLSEC_CT_NFIELDS };
#undef SLSEC_CT_FIELD_ENUM

#define SLSEC_CT_MAX_ARNS 8

typedef struct slsec_ct_record {
    const char *f[SLSEC_CT_NFIELDS]; /* NUL-terminated, decoded; NULL when absent or not a string */
    bool has_identity;               /* userIdentity is an object */
    const char *arns[SLSEC_CT_MAX_ARNS]; /* resources[].ARN */
    size_t narns;
    char *scratch; /* heap, reused from record to record */
    size_t scratch_cap;
    size_t error_at; /* byte offset of a syntax error */
} slsec_ct_record;

/* Fills r from one record's bytes; false (r->error_at set) when they are
 * not one well-formed JSON object. r->scratch is reused: free it with
 * free() when done with the last record. */
bool slsec_ct_record_parse(slsec_ct_record *r, const char *json, size_t len);

#endif
