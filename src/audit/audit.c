/*
 * audit.c — CloudTrail events against the app's roles: what each role was
 * granted, what its sessions used, what it never used, a least-privilege
 * policy per role, and the security events worth a look.
 *
 * Memory stays flat whatever the size of the trail: each record is parsed
 * alone (jansson, freed at once) and only aggregates are kept, keyed by
 * principal, action or time bucket, with strings interned in the result's
 * arena the first time a key is seen. Nothing per record is kept.
 *
 * Principals are matched to template roles once per distinct role ARN, in
 * order of confidence: --role-map, the literal RoleName, a RoleName built
 * with Fn::Sub (its ${...} parts as wildcards), then the name CloudFormation
 * generates (stack-LogicalId-SUFFIX, the logical id possibly truncated to fit
 * 64 characters). Unmatched principals become AUDIT-005 findings.
 *
 * Grants are the Allow statements of the role's policies, each pattern
 * expanded against the IAM action table; Deny statements are not
 * subtracted (a grant denied elsewhere is still reported as granted). AWS
 * managed policies are expanded from a short built-in list of the Lambda
 * execution policies; others are reported as opaque, never guessed.
 */
#include "audit_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_WARNINGS 200
#define BURST_SECONDS 600
#define KEY_WINDOW_SECONDS 3600
#define KEY_MAX_IPS 16

void slsec_audit_opts_init(slsec_audit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->denied_burst = 10;
    o->key_ips = 3;
}

/* ---- state --------------------------------------------------------------------- */

typedef struct grant {
    const char *action;
    slsec_ptrvec resources; /* const char*, distinct */
} grant;

typedef struct use {
    const char *action;
    size_t count;
    bool any_without_resource, capped;
    slsec_ptrvec resources; /* const char*, distinct, at most SLSEC_MAX_CT_RESOURCES */
} use;

typedef struct role_state {
    slsec_audit_role pub; /* first, so the public pointer is the state's */
    const char *name_literal, *name_glob;
    slsec_ptrvec map_names; /* from --role-map: ARNs or names */
    slsec_strmap *grants;   /* action → grant* */
    slsec_ptrvec grant_list;
    slsec_strmap *uses; /* action → use* */
    slsec_ptrvec use_list;
} role_state;

/* One aggregate of security events (per principal, or principal + target). */
typedef struct agg {
    const char *principal, *detail, *file;
    size_t count;
    char first[32], last[32];
    long long bucket; /* the time bucket being counted (bursts, keys) */
    char sample[80];  /* fixed buffers: a bucket change allocates nothing */
    size_t n_vals;    /* distinct addresses (keys) or event names (root) */
    char vals[KEY_MAX_IPS][48];
} agg;

typedef struct agg_set {
    slsec_strmap *map;
    slsec_ptrvec list;
} agg_set;

typedef struct principal {
    const char *key;
    role_state *role;
    size_t count;
    const char *sample, *file;
    char first[32], last[32];
} principal;

typedef struct auditor {
    slsec_scan_result *r;
    const slsec_audit_opts *opts;
    slsec_arena *a;
    slsec_audit *out;
    slsec_ptrvec roles; /* role_state* */
    slsec_strmap *interned;
    slsec_strmap *principals; /* key → principal* */
    slsec_ptrvec principal_list;
    slsec_strmap *data_services; /* prefixes whose data events the trail holds */
    slsec_strmap *unmapped;      /* "source\x1fname" seen */
    agg_set no_mfa, root, denied, keys, iam_changes, fn_changes;
    slsec_strmap *denied_worst, *keys_worst; /* per principal: its worst finished bucket */
    const char *file; /* the trail file being read */
    size_t file_problems, file_records;
    size_t warnings, problems;
    slsec_ct_record rec; /* the record being read (its scratch reused) */
    char first[32], last[32]; /* event times seen */
} auditor;

static const char *intern(auditor *au, const char *s)
{
    if (!s)
        return NULL;
    const char *have = slsec_strmap_get(au->interned, s);
    if (have)
        return have;
    char *copy = slsec_arena_strdup(au->a, s);
    slsec_strmap_put(au->interned, copy, copy);
    return copy;
}

static void warn(auditor *au, size_t index, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(auditor *au, size_t index, const char *fmt, ...)
{
    au->problems++;
    if (++au->warnings > MAX_WARNINGS)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (index)
        slsec_diags_addf(&au->r->warnings, SLSEC_DIAG_WARNING, au->file, 0, 0, "record %zu: %s", index, msg);
    else
        slsec_diags_addf(&au->r->warnings, SLSEC_DIAG_WARNING, au->file, 0, 0, "%s", msg);
}

static void push_distinct(slsec_arena *a, slsec_ptrvec *v, const char *s)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->items[i], s) == 0)
            return;
    slsec_ptrvec_push(a, v, (void *)s);
}

/* ---- grants --------------------------------------------------------------------- */

/* What the Lambda execution policies AWS manages grant (their published
 * documents), so the most common implicit roles are not opaque. */
static const struct {
    const char *name;
    const char *actions;
} managed[] = {
    {"AWSLambdaBasicExecutionRole", "logs:CreateLogGroup logs:CreateLogStream logs:PutLogEvents"},
    {"AWSLambdaDynamoDBExecutionRole",
     "dynamodb:DescribeStream dynamodb:GetRecords dynamodb:GetShardIterator dynamodb:ListStreams "
     "logs:CreateLogGroup logs:CreateLogStream logs:PutLogEvents"},
    {"AWSLambdaKinesisExecutionRole",
     "kinesis:DescribeStream kinesis:DescribeStreamSummary kinesis:GetRecords kinesis:GetShardIterator "
     "kinesis:ListShards kinesis:ListStreams kinesis:SubscribeToShard logs:CreateLogGroup "
     "logs:CreateLogStream logs:PutLogEvents"},
    {"AWSLambdaSQSQueueExecutionRole",
     "sqs:ReceiveMessage sqs:DeleteMessage sqs:GetQueueAttributes logs:CreateLogGroup "
     "logs:CreateLogStream logs:PutLogEvents"},
    {"AWSLambdaVPCAccessExecutionRole",
     "logs:CreateLogGroup logs:CreateLogStream logs:PutLogEvents ec2:CreateNetworkInterface "
     "ec2:DescribeNetworkInterfaces ec2:DescribeSubnets ec2:DeleteNetworkInterface "
     "ec2:AssignPrivateIpAddresses ec2:UnassignPrivateIpAddresses"},
    {"AWSXRayDaemonWriteAccess",
     "xray:PutTraceSegments xray:PutTelemetryRecords xray:GetSamplingRules xray:GetSamplingTargets "
     "xray:GetSamplingStatisticSummaries"},
};

typedef struct grant_ctx {
    auditor *au;
    role_state *rs;
    const slsec_statement *st;     /* NULL: managed, resource "*" */
    const slsec_statement *not_of; /* NotAction: skip what it lists */
} grant_ctx;

static void add_grant(grant_ctx *g, const char *action)
{
    auditor *au = g->au;
    grant *gr = slsec_strmap_get(g->rs->grants, action);
    if (!gr) {
        gr = slsec_arena_alloc(au->a, sizeof *gr);
        gr->action = intern(au, action);
        slsec_strmap_put(g->rs->grants, gr->action, gr);
        slsec_ptrvec_push(au->a, &g->rs->grant_list, gr);
    }
    if (!g->st) {
        push_distinct(au->a, &gr->resources, "*");
        return;
    }
    if (g->st->not_resource || g->st->resources.count == 0)
        push_distinct(au->a, &gr->resources, "*");
    for (size_t i = 0; !g->st->not_resource && i < g->st->resources.count; i++) {
        const slsec_node *n = g->st->resources.items[i];
        const char *s = n && n->kind == SLSEC_NODE_SCALAR && n->str ? n->str : "*";
        push_distinct(au->a, &gr->resources, intern(au, s));
    }
}

static void expand_cb(const char *service, const char *action, slsec_access_level level, void *user)
{
    (void)level;
    grant_ctx *g = user;
    char full[256];
    snprintf(full, sizeof full, "%s:%s", service, action);
    if (g->not_of) {
        for (size_t i = 0; i < g->not_of->actions.count; i++) {
            const char *p = slsec_statement_action(g->not_of, i);
            if (p && slsec_action_matches(p, full))
                return;
        }
    }
    add_grant(g, full);
}

static void grant_pattern(grant_ctx *g, const char *pattern)
{
    if (slsec_iam_expand(pattern, expand_cb, g) == 0 && !strpbrk(pattern, "*?") && strchr(pattern, ':'))
        add_grant(g, pattern); /* an action the table does not know: kept as written */
}

static void collect_grants(auditor *au, role_state *rs)
{
    const slsec_role *role = rs->pub.role;
    for (size_t i = 0; i < role->policies.count; i++) {
        const slsec_policy *p = role->policies.items[i];
        if (p->kind == SLSEC_POLICY_AWS_MANAGED) {
            const char *name = p->name ? p->name : "";
            const char *slash = strrchr(name, '/');
            const char *bare = slash ? slash + 1 : name;
            size_t k = 0;
            while (k < sizeof managed / sizeof managed[0] && strcmp(managed[k].name, bare) != 0)
                k++;
            if (k == sizeof managed / sizeof managed[0]) {
                push_distinct(au->a, &rs->pub.opaque,
                              slsec_arena_printf(au->a, "AWS managed policy %s", name));
                continue;
            }
            grant_ctx g = {.au = au, .rs = rs};
            char buf[512];
            snprintf(buf, sizeof buf, "%s", managed[k].actions);
            char *save = NULL;
            for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
                grant_pattern(&g, t);
            continue;
        }
        for (size_t j = 0; j < p->statements.count; j++) {
            const slsec_statement *st = p->statements.items[j];
            if (!st->allow)
                continue;
            grant_ctx g = {.au = au, .rs = rs, .st = st};
            if (st->not_action) {
                g.not_of = st;
                grant_pattern(&g, "*");
                continue;
            }
            for (size_t k = 0; k < st->actions.count; k++) {
                const char *pat = slsec_statement_action(st, k);
                if (!pat || slsec_node_is_unknown(st->actions.items[k])) {
                    const slsec_node *n = st->actions.items[k];
                    push_distinct(au->a, &rs->pub.opaque,
                                  slsec_arena_printf(au->a, "action not known from the template (%s)",
                                                     n && n->str ? n->str : "?"));
                    continue;
                }
                grant_pattern(&g, pat);
            }
        }
    }
}

/* ---- roles and principals ---------------------------------------------------- */

/* Fn::Sub "${AWS::StackName}-orders" → glob "*-orders". */
static const char *sub_glob(slsec_arena *a, const char *s)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (const char *p = s; *p; p++) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                slsec_buf_putc(&b, '*');
                p = close;
                continue;
            }
        }
        slsec_buf_putc(&b, *p);
    }
    char *out = slsec_arena_strndup(a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    return out;
}

static void role_names(auditor *au, role_state *rs)
{
    const slsec_resource *res = rs->pub.role->resource;
    const slsec_node *n = res ? slsec_node_get(res->props, "RoleName") : NULL;
    if (!n)
        return;
    if (slsec_node_is_map(n) && n->count == 1) {
        const slsec_node *sub = slsec_node_get(n, "Fn::Sub");
        if (slsec_node_is_seq(sub) && sub->count > 0)
            sub = sub->items[0];
        const char *s = slsec_node_str(sub);
        if (s)
            rs->name_glob = sub_glob(au->a, s);
        return;
    }
    const char *s = slsec_node_str(n);
    if (!s || slsec_node_is_unknown(n))
        return;
    if (n->tag && strcmp(n->tag, "!Sub") == 0)
        rs->name_glob = sub_glob(au->a, s);
    else if (!n->tag)
        rs->name_literal = s;
}

static bool alnum_run(const char *s, size_t n)
{
    if (n < 6)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

/* stack-LogicalId-SUFFIX, the logical id cut short when the name hit 64. */
static bool generated_name_matches(const char *name, const char *logical)
{
    const char *dash = strrchr(name, '-');
    if (!dash || !alnum_run(dash + 1, strlen(dash + 1)))
        return false;
    size_t plen = (size_t)(dash - name), llen = strlen(logical);
    if (plen > llen && name[plen - llen - 1] == '-' && strncmp(name + plen - llen, logical, llen) == 0)
        return true;
    if (strlen(name) < 64)
        return false;
    const char *seg = name + plen;
    while (seg > name && seg[-1] != '-')
        seg--;
    size_t slen = (size_t)(name + plen - seg);
    return seg > name && slen >= 3 && slen < llen && strncmp(seg, logical, slen) == 0;
}

static role_state *match_role(auditor *au, const char *arn)
{
    const char *slash = strrchr(arn, '/');
    const char *name = slash ? slash + 1 : arn;
    for (int pass = 0; pass < 4; pass++) {
        for (size_t i = 0; i < au->roles.count; i++) {
            role_state *rs = au->roles.items[i];
            switch (pass) {
            case 0:
                for (size_t k = 0; k < rs->map_names.count; k++)
                    if (strcmp(rs->map_names.items[k], arn) == 0 || strcmp(rs->map_names.items[k], name) == 0)
                        return rs;
                break;
            case 1:
                if (rs->name_literal && strcasecmp(rs->name_literal, name) == 0)
                    return rs;
                break;
            case 2:
                if (rs->name_glob && slsec_glob_match_ci(rs->name_glob, name))
                    return rs;
                break;
            default:
                if (!rs->name_literal && !rs->name_glob && generated_name_matches(name, rs->pub.role->id))
                    return rs;
                break;
            }
        }
    }
    return NULL;
}

/* ---- reading records ------------------------------------------------------------ */

#define FIELD(r, id) ((r)->f[SLSEC_CT_##id])

/* Seconds since 1970 of "YYYY-MM-DDTHH:MM:SS..."; -1 if not one. */
static long long event_seconds(const char *t)
{
    int y, mo, d, h, mi, s;
    if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
        return -1;
    /* days from civil (proleptic Gregorian) */
    y -= mo <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

static void set_time(char dst[32], const char *t)
{
    snprintf(dst, 32, "%s", t ? t : "");
}

static void widen(char first[32], char last[32], const char *t)
{
    if (!t)
        return;
    if (!first[0] || strcmp(t, first) < 0)
        set_time(first, t);
    if (!last[0] || strcmp(t, last) > 0)
        set_time(last, t);
}

static agg *agg_hit(auditor *au, agg_set *set, const char *key, const char *who, const char *detail,
                    const char *time, const char *id)
{
    agg *g = slsec_strmap_get(set->map, key);
    if (!g) {
        g = slsec_arena_alloc(au->a, sizeof *g);
        slsec_strmap_put(set->map, intern(au, key), g);
        g->principal = intern(au, who);
        g->detail = intern(au, detail);
        snprintf(g->sample, sizeof g->sample, "%s", id ? id : "");
        g->file = intern(au, au->file);
        slsec_ptrvec_push(au->a, &set->list, g);
    }
    g->count++;
    widen(g->first, g->last, time);
    return g;
}

static void add_val(agg *g, const char *v)
{
    for (size_t i = 0; i < g->n_vals; i++)
        if (strncmp(g->vals[i], v, sizeof g->vals[i] - 1) == 0)
            return;
    if (g->n_vals < KEY_MAX_IPS)
        snprintf(g->vals[g->n_vals++], sizeof g->vals[0], "%s", v);
}

/* How bad a finished bucket is; 0 when it is no finding. */
static long long burst_score(const auditor *au, const agg *g)
{
    return g->count >= au->opts->denied_burst ? (long long)g->count : 0;
}

static long long key_score(const auditor *au, const agg *g)
{
    return g->n_vals >= au->opts->key_ips ? (long long)g->n_vals * 1000000000LL + (long long)g->count : 0;
}

/* One aggregate per principal (or key) for the current time bucket. When
 * the bucket changes, the old one is kept only if it is the worst finding
 * of its principal so far (one slot per principal), so memory grows with
 * principals, not with the length of the trail. Events out of order across
 * buckets start a new bucket: a burst split by them may be missed, never
 * invented. */
static agg *bucket_hit(auditor *au, agg_set *set, slsec_strmap *worst, const char *key, const char *detail,
                       long long bucket, const char *time, const char *id,
                       long long (*score)(const auditor *, const agg *))
{
    agg *g = slsec_strmap_get(set->map, key);
    if (g && g->bucket != bucket) {
        long long sc = score(au, g);
        agg *w = sc ? slsec_strmap_get(worst, g->principal) : NULL;
        if (sc && !w) {
            w = slsec_arena_alloc(au->a, sizeof *w);
            *w = *g;
            slsec_strmap_put(worst, g->principal, w);
        } else if (sc && sc > score(au, w)) {
            *w = *g;
        }
        g->count = 0;
        g->n_vals = 0;
        g->first[0] = g->last[0] = '\0';
        snprintf(g->sample, sizeof g->sample, "%s", id ? id : "");
        g->file = intern(au, au->file);
    }
    g = agg_hit(au, set, key, key, detail, time, id);
    g->bucket = bucket;
    return g;
}

/* The principal of an event as one string: a role's ARN for its sessions. */
static void principal_key(const slsec_ct_record *r, char *out, size_t size)
{
    const char *type = FIELD(r, U_TYPE);
    const char *arn = FIELD(r, U_ARN);
    if (type && strcmp(type, "AssumedRole") == 0) {
        const char *iarn = FIELD(r, ISSUER_ARN);
        if (iarn) {
            snprintf(out, size, "%s", iarn);
            return;
        }
        /* arn:aws:sts::1:assumed-role/Name/session → arn:aws:iam::1:role/Name */
        const char *ar = arn ? strstr(arn, ":assumed-role/") : NULL;
        if (ar && strncmp(arn, "arn:aws:sts::", 13) == 0) {
            const char *nm = ar + 14;
            const char *end = strchr(nm, '/');
            snprintf(out, size, "arn:aws:iam::%.*s:role/%.*s", (int)(ar - arn - 13), arn + 13,
                     (int)(end ? (size_t)(end - nm) : strlen(nm)), nm);
            return;
        }
    }
    if (type && strcmp(type, "Root") == 0) {
        snprintf(out, size, "root (account %s)", FIELD(r, U_ACCOUNT) ? FIELD(r, U_ACCOUNT) : "?");
        return;
    }
    if (type && strcmp(type, "AWSService") == 0) {
        snprintf(out, size, "service %s", FIELD(r, U_INVOKED_BY) ? FIELD(r, U_INVOKED_BY) : "?");
        return;
    }
    snprintf(out, size, "%s",
             arn                     ? arn
             : FIELD(r, U_PRINCIPAL) ? FIELD(r, U_PRINCIPAL)
             : type                  ? type
                                     : "unknown principal");
}

static principal *find_principal(auditor *au, const char *key)
{
    principal *p = slsec_strmap_get(au->principals, key);
    if (p)
        return p;
    p = slsec_arena_alloc(au->a, sizeof *p);
    p->key = intern(au, key);
    if (strncmp(key, "arn:", 4) == 0 && strstr(key, ":role/"))
        p->role = match_role(au, key);
    slsec_strmap_put(au->principals, p->key, p);
    slsec_ptrvec_push(au->a, &au->principal_list, p);
    return p;
}

static bool is_deployer(auditor *au, const slsec_ct_record *r, const char *key)
{
    const char *by = FIELD(r, U_INVOKED_BY);
    const char *ip = FIELD(r, IP);
    if ((by && strcmp(by, "cloudformation.amazonaws.com") == 0) ||
        (ip && strcmp(ip, "cloudformation.amazonaws.com") == 0))
        return true;
    const char *slash = strrchr(key, '/');
    for (size_t i = 0; i < au->opts->deployer_count; i++) {
        const char *d = au->opts->deployers[i];
        if (strcmp(d, key) == 0 || (slash && strcmp(d, slash + 1) == 0))
            return true;
    }
    return false;
}

/* ARNs an event names: its resources list, else what its parameters say. */
static void event_resources(const slsec_ct_record *r, const char *prefix, char arns[][512], size_t *n,
                            size_t max)
{
    *n = 0;
    for (size_t i = 0; i < r->narns && *n < max; i++)
        if (strncmp(r->arns[i], "arn:", 4) == 0)
            snprintf(arns[(*n)++], 512, "%s", r->arns[i]);
    if (*n)
        return;
    const char *region = FIELD(r, REGION) ? FIELD(r, REGION) : "*";
    const char *acct = FIELD(r, ACCOUNT) ? FIELD(r, ACCOUNT) : "*";
    const char *v;
    if (strcmp(prefix, "s3") == 0 && (v = FIELD(r, P_BUCKET))) {
        const char *key = FIELD(r, P_KEY);
        if (key)
            snprintf(arns[(*n)++], 512, "arn:aws:s3:::%s/%s", v, key);
        else
            snprintf(arns[(*n)++], 512, "arn:aws:s3:::%s", v);
    } else if (strcmp(prefix, "dynamodb") == 0 && (v = FIELD(r, P_TABLE))) {
        if (strncmp(v, "arn:", 4) == 0)
            snprintf(arns[(*n)++], 512, "%s", v);
        else
            snprintf(arns[(*n)++], 512, "arn:aws:dynamodb:%s:%s:table/%s", region, acct, v);
    } else if (strcmp(prefix, "lambda") == 0 && (v = FIELD(r, P_FUNCTION))) {
        if (strncmp(v, "arn:", 4) == 0)
            snprintf(arns[(*n)++], 512, "%s", v);
        else
            snprintf(arns[(*n)++], 512, "arn:aws:lambda:%s:%s:function:%s", region, acct, v);
    } else if (strcmp(prefix, "sqs") == 0 && (v = FIELD(r, P_QUEUE_URL))) {
        const char *nm = strrchr(v, '/');
        if (nm && nm[1])
            snprintf(arns[(*n)++], 512, "arn:aws:sqs:%s:%s:%s", region, acct, nm + 1);
    } else if (strcmp(prefix, "ssm") == 0 && (v = FIELD(r, P_NAME))) {
        snprintf(arns[(*n)++], 512, "arn:aws:ssm:%s:%s:parameter/%s", region, acct, v[0] == '/' ? v + 1 : v);
    } else {
        const char *const cand[] = {FIELD(r, P_TOPIC),  FIELD(r, P_SECRET),   FIELD(r, P_STATE_MACHINE),
                                    FIELD(r, P_KEY_ID), FIELD(r, P_ROLE_ARN), FIELD(r, P_LOG_GROUP_ARN)};
        for (size_t k = 0; k < sizeof cand / sizeof cand[0]; k++)
            if (cand[k] && strncmp(cand[k], "arn:", 4) == 0) {
                snprintf(arns[(*n)++], 512, "%s", cand[k]);
                break;
            }
    }
}

static void record_use(auditor *au, role_state *rs, const char *action, const slsec_ct_record *rec,
                       const char *prefix)
{
    use *u = slsec_strmap_get(rs->uses, action);
    if (!u) {
        u = slsec_arena_alloc(au->a, sizeof *u);
        u->action = intern(au, action);
        slsec_strmap_put(rs->uses, u->action, u);
        slsec_ptrvec_push(au->a, &rs->use_list, u);
    }
    u->count++;
    char arns[4][512];
    size_t n;
    event_resources(rec, prefix, arns, &n, 4);
    if (n == 0)
        u->any_without_resource = true;
    for (size_t i = 0; i < n && !u->capped; i++) {
        bool have = false;
        for (size_t k = 0; k < u->resources.count && !have; k++)
            have = strcmp(u->resources.items[k], arns[i]) == 0;
        if (have)
            continue;
        if (u->resources.count >= SLSEC_MAX_CT_RESOURCES) {
            u->capped = true;
            break;
        }
        slsec_ptrvec_push(au->a, &u->resources, (void *)intern(au, arns[i]));
    }
}

static bool denied(const char *code)
{
    return code && (strstr(code, "AccessDenied") || strstr(code, "UnauthorizedOperation") ||
                    strcmp(code, "UnauthorizedAccess") == 0);
}

static bool ip_literal(const char *ip)
{
    if (!ip || !*ip)
        return false;
    for (const char *p = ip; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == ':' || (*p >= 'a' && *p <= 'f') ||
              (*p >= 'A' && *p <= 'F')))
            return false;
    return true;
}

static void security_events(auditor *au, const slsec_ct_record *rec, const char *key, const char *source,
                            const char *name, const char *time, const char *id)
{
    const char *type = FIELD(rec, U_TYPE);
    const char *code = FIELD(rec, ERROR);
    char k[1024];
    if (strcmp(name, "ConsoleLogin") == 0) {
        const char *mfa = FIELD(rec, MFA_USED);
        if (mfa && strcmp(mfa, "No") == 0) {
            const char *outcome = FIELD(rec, CONSOLE_LOGIN);
            snprintf(k, sizeof k, "%s\x1f%s", key, outcome ? outcome : "");
            agg_hit(au, &au->no_mfa, k, key, outcome ? outcome : "unknown outcome", time, id);
        }
    }
    if (type && strcmp(type, "Root") == 0 && !FIELD(rec, U_INVOKED_BY)) {
        agg *g = agg_hit(au, &au->root, key, key, NULL, time, id);
        add_val(g, name); /* for root: the distinct event names */
    }
    long long secs = event_seconds(time);
    if (denied(code) && secs >= 0) {
        bucket_hit(au, &au->denied, au->denied_worst, key, NULL, secs / BURST_SECONDS, time, id, burst_score);
    }
    const char *akid = FIELD(rec, U_KEY);
    const char *ip = FIELD(rec, IP);
    if (akid && strncmp(akid, "AKIA", 4) == 0 && ip_literal(ip) && secs >= 0) {
        agg *g = bucket_hit(au, &au->keys, au->keys_worst, akid, key, secs / KEY_WINDOW_SECONDS, time, id,
                            key_score);
        add_val(g, ip);
    }
    if (code || is_deployer(au, rec, key))
        return;
    if (strcmp(source, "iam.amazonaws.com") == 0) {
        static const char *const changes[] = {
            "PutRolePolicy",    "AttachRolePolicy",           "UpdateAssumeRolePolicy", "DetachRolePolicy",
            "DeleteRolePolicy", "PutRolePermissionsBoundary", "CreatePolicyVersion"};
        bool listed = false;
        for (size_t i = 0; i < sizeof changes / sizeof changes[0] && !listed; i++)
            listed = strcmp(changes[i], name) == 0;
        if (!listed)
            return;
        const char *target = FIELD(rec, P_ROLE_NAME);
        bool ours = false;
        if (target) {
            char arn[600];
            snprintf(arn, sizeof arn, "arn:aws:iam::*:role/%s", target);
            ours = match_role(au, arn) != NULL;
        } else if ((target = FIELD(rec, P_POLICY_ARN))) {
            /* a customer managed policy attached to one of the app's roles */
            const char *pn = strrchr(target, '/');
            pn = pn ? pn + 1 : target;
            for (size_t i = 0; i < au->roles.count && !ours; i++) {
                const slsec_role *role = ((role_state *)au->roles.items[i])->pub.role;
                for (size_t j = 0; j < role->policies.count && !ours; j++) {
                    const slsec_policy *p = role->policies.items[j];
                    ours = p->kind == SLSEC_POLICY_CUSTOMER &&
                           ((p->name && strcmp(p->name, pn) == 0) ||
                            (p->resource_id && generated_name_matches(pn, p->resource_id)));
                }
            }
        }
        if (!ours)
            return;
        snprintf(k, sizeof k, "%s\x1f%s\x1f%s", key, name, target);
        agg_hit(au, &au->iam_changes, k, key, k + strlen(key) + 1, time, id);
        return;
    }
    if (strcmp(source, "lambda.amazonaws.com") == 0) {
        char action[128];
        if (!slsec_event_action(source, name, action, sizeof action))
            return;
        const char *what = NULL;
        if (strcmp(action, "lambda:UpdateFunctionCode") == 0 ||
            strcmp(action, "lambda:UpdateFunctionConfiguration") == 0)
            what = action + 7;
        else if (strcmp(action, "lambda:AddPermission") == 0) {
            const char *pr = FIELD(rec, P_PRINCIPAL);
            if (pr && strcmp(pr, "*") == 0)
                what = "AddPermission with Principal *";
        }
        if (!what)
            return;
        const char *fn = FIELD(rec, P_FUNCTION);
        snprintf(k, sizeof k, "%s\x1f%s\x1f%s", key, what, fn ? fn : "?");
        agg_hit(au, &au->fn_changes, k, key, k + strlen(key) + 1, time, id);
    }
}

static bool in_window(const auditor *au, const char *t)
{
    if (au->opts->since && (!t || strcmp(t, au->opts->since) < 0))
        return false;
    if (au->opts->until && t && strncmp(t, au->opts->until, strlen(au->opts->until)) > 0)
        return false;
    return true;
}

static void on_record(void *user, const char *json, size_t len, size_t index)
{
    auditor *au = user;
    slsec_ct_record *rec = &au->rec;
    au->file_records++;
    if (!slsec_ct_record_parse(rec, json, len)) {
        au->out->stats.bad_records++;
        warn(au, index, "not valid JSON (at byte %zu of the record); skipped", rec->error_at);
        return;
    }
    const char *source = FIELD(rec, SOURCE);
    const char *name = FIELD(rec, NAME);
    const char *time = FIELD(rec, TIME);
    if (!source || !name || !rec->has_identity) {
        au->out->stats.bad_records++;
        warn(au, index, "no %s; skipped", !source ? "eventSource" : !name ? "eventName" : "userIdentity");
        return;
    }
    if (!in_window(au, time)) {
        au->out->stats.out_of_window++;
        return;
    }
    slsec_audit_stats *st = &au->out->stats;
    st->records++;
    widen(au->first, au->last, time); /* fixed buffers: sorted input must not grow memory */
    const char *id = FIELD(rec, ID);
    char key[600];
    principal_key(rec, key, sizeof key);
    principal *p = find_principal(au, key);
    p->count++;
    widen(p->first, p->last, time);
    if (!p->sample) {
        p->sample = intern(au, id ? id : "");
        p->file = intern(au, au->file);
    }

    char action[256];
    bool mapped = slsec_event_action(source, name, action, sizeof action);
    if (mapped) {
        const char *colon = strchr(action, ':');
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(colon - action), action);
        const char *cat = FIELD(rec, CATEGORY);
        if (!slsec_strmap_get(au->data_services, prefix) &&
            ((cat && strcmp(cat, "Data") == 0) || slsec_action_is_data_event(action))) {
            const char *ip = intern(au, prefix);
            slsec_strmap_put(au->data_services, ip, (void *)ip);
        }
        if (p->role) {
            p->role->pub.events++;
            if (!p->role->pub.arn)
                p->role->pub.arn = p->key;
            if (!denied(FIELD(rec, ERROR)))
                record_use(au, p->role, action, rec, prefix);
        }
    } else if (strcmp(source, "signin.amazonaws.com") != 0 &&
               strcmp(source, "apigateway.amazonaws.com") != 0) {
        st->unmapped++;
        char uk[400];
        snprintf(uk, sizeof uk, "%s\x1f%s", source, name);
        if (!slsec_strmap_get(au->unmapped, uk)) {
            const char *ik = intern(au, uk);
            slsec_strmap_put(au->unmapped, ik, (void *)ik);
            warn(au, index, "event %s from %s maps to no IAM action the table knows; not counted", name,
                 source);
        }
    }
    security_events(au, rec, key, source, name, time, id);
}

static void on_problem(void *user, size_t index, const char *message)
{
    auditor *au = user;
    au->file_problems++;
    warn(au, index, "%s", message);
}

static int read_one(const char *file, void *user)
{
    auditor *au = user;
    au->file = intern(au, file);
    au->file_problems = au->file_records = 0;
    au->out->stats.files++;
    slsec_ct_splitter *s = slsec_ct_splitter_new(on_record, on_problem, au, au->opts->max_record);
    slsec_diag d = {0};
    int rc = slsec_ct_read_input(file, s, &d);
    if (rc == SLSEC_OK)
        slsec_ct_splitter_finish(s);
    else
        warn(au, 0, "%s", d.message);
    slsec_ct_splitter_free(s);
    return SLSEC_OK; /* one bad file never stops the others */
}

/* ---- results ---------------------------------------------------------------------- */

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_strs(slsec_ptrvec *v)
{
    if (v->count > 1)
        qsort(v->items, v->count, sizeof v->items[0], cmp_cstr);
}

static size_t prefix_len(const char *action)
{
    const char *c = strchr(action, ':');
    return c ? (size_t)(c - action) : strlen(action);
}

static void compute_sets(auditor *au, role_state *rs)
{
    slsec_audit_role *ar = &rs->pub;
    for (size_t i = 0; i < rs->grant_list.count; i++)
        slsec_ptrvec_push(au->a, &ar->granted, (void *)((grant *)rs->grant_list.items[i])->action);
    for (size_t i = 0; i < rs->use_list.count; i++) {
        use *u = rs->use_list.items[i];
        slsec_ptrvec_push(au->a, &ar->used, (void *)u->action);
        if (!slsec_strmap_get(rs->grants, u->action))
            slsec_ptrvec_push(au->a, &ar->used_not_granted, (void *)u->action);
    }
    sort_strs(&ar->granted);
    sort_strs(&ar->used);
    sort_strs(&ar->used_not_granted);
    sort_strs(&ar->opaque);
    slsec_strmap *touched = slsec_strmap_new(au->a);
    for (size_t i = 0; i < ar->used.count; i++) {
        const char *u = ar->used.items[i];
        slsec_strmap_put(touched, slsec_arena_strndup(au->a, u, prefix_len(u)), (void *)u);
    }
    for (size_t i = 0; i < ar->granted.count; i++) {
        const char *g = ar->granted.items[i];
        if (slsec_strmap_get(rs->uses, g))
            continue;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%.*s", (int)prefix_len(g), g);
        if (slsec_action_is_data_event(g) && !slsec_strmap_get(au->data_services, prefix)) {
            slsec_ptrvec_push(au->a, &ar->unobservable, (void *)g);
            continue;
        }
        slsec_ptrvec_push(au->a, &ar->unused, (void *)g);
        if (!slsec_strmap_get(touched, prefix)) {
            bool have = ar->services_unused.count &&
                        strcmp(ar->services_unused.items[ar->services_unused.count - 1], prefix) == 0;
            if (!have)
                slsec_ptrvec_push(au->a, &ar->services_unused, (void *)intern(au, prefix));
        }
    }
    sort_strs(&ar->services_unused);
}

/* "a, b, c and 12 more" */
static const char *list_text(slsec_arena *a, const slsec_ptrvec *v, size_t from, size_t to, size_t max)
{
    slsec_buf b;
    slsec_buf_init(&b);
    size_t shown = 0;
    for (size_t i = from; i < to; i++) {
        if (shown == max) {
            slsec_buf_printf(&b, " and %zu more", to - from - shown);
            break;
        }
        slsec_buf_printf(&b, "%s%s", shown ? ", " : "", (const char *)v->items[i]);
        shown++;
    }
    const char *out = slsec_arena_strndup(a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    return out;
}

static const char *all_text(slsec_arena *a, const slsec_ptrvec *v, size_t from, size_t to)
{
    return list_text(a, v, from, to, (size_t)-1);
}

typedef struct emitter {
    auditor *au;
    slsec_check_ctx ctx;
} emitter;

static slsec_finding *emit(emitter *e, const char *rule, const char *resource, const char *rtype,
                           slsec_loc loc, const char *key, const char *message)
{
    e->ctx.rule = slsec_rule_find(rule);
    if (!e->ctx.rule)
        return NULL;
    return slsec_report(&e->ctx, resource, rtype, loc, key, "%s", message);
}

static void role_findings(emitter *e, role_state *rs)
{
    auditor *au = e->au;
    slsec_audit_role *ar = &rs->pub;
    const char *id = ar->role->id;
    slsec_loc loc = ar->role->loc;
    const char *rt = "AWS::IAM::Role";
    if (ar->events == 0) {
        emit(e, "AUDIT-006", id, rt, loc, "not-seen",
             slsec_arena_printf(au->a,
                                "role %s was not seen in the trail in the window (%zu granted action%s); "
                                "nothing shows it is needed, or its ARN is not matched (--role-map)",
                                id, ar->granted.count, ar->granted.count == 1 ? "" : "s"));
        return;
    }
    /* per touched service: unused actions; per untouched service: the service */
    for (size_t i = 0; i < ar->unused.count;) {
        const char *first = ar->unused.items[i];
        size_t pl = prefix_len(first), j = i;
        while (j < ar->unused.count && prefix_len(ar->unused.items[j]) == pl &&
               strncmp(ar->unused.items[j], first, pl) == 0)
            j++;
        char svc[64];
        snprintf(svc, sizeof svc, "%.*s", (int)pl, first);
        bool untouched = false;
        for (size_t k = 0; k < ar->services_unused.count && !untouched; k++)
            untouched = strcmp(ar->services_unused.items[k], svc) == 0;
        slsec_finding *f;
        if (untouched)
            f = emit(e, "AUDIT-002", id, rt, loc, svc,
                     slsec_arena_printf(
                         au->a, "role %s grants %zu %s action%s and never used %s in the window: %s", id,
                         j - i, svc, j - i == 1 ? "" : "s", svc, list_text(au->a, &ar->unused, i, j, 8)));
        else
            f = emit(e, "AUDIT-001", id, rt, loc, svc,
                     slsec_arena_printf(
                         au->a, "role %s was granted %zu %s action%s never used in the window: %s", id, j - i,
                         svc, j - i == 1 ? "" : "s", list_text(au->a, &ar->unused, i, j, 8)));
        if (f)
            f->evidence = all_text(au->a, &ar->unused, i, j);
        i = j;
    }
    /* resources: used on named ARNs, granted on "*" */
    slsec_ptrvec svc_res = {0};
    const char *cur = NULL;
    size_t cur_len = 0;
    bool cur_wild = false, cur_ok = true;
    for (size_t i = 0; i <= ar->used.count; i++) {
        const char *u = i < ar->used.count ? ar->used.items[i] : NULL;
        if (cur && (!u || prefix_len(u) != cur_len || strncmp(u, cur, cur_len) != 0)) {
            if (cur_wild && cur_ok && svc_res.count) {
                sort_strs(&svc_res);
                char svc[64];
                snprintf(svc, sizeof svc, "%.*s", (int)cur_len, cur);
                slsec_finding *f = emit(
                    e, "AUDIT-003", id, rt, loc, slsec_arena_printf(au->a, "%s-resources", svc),
                    slsec_arena_printf(
                        au->a, "role %s grants %s actions on any resource (*) but its events name only: %s",
                        id, svc, list_text(au->a, &svc_res, 0, svc_res.count, 5)));
                if (f)
                    f->evidence = all_text(au->a, &svc_res, 0, svc_res.count);
            }
            svc_res = (slsec_ptrvec){0};
            cur_wild = false;
            cur_ok = true;
        }
        if (!u)
            break;
        if (!cur || prefix_len(u) != cur_len || strncmp(u, cur, cur_len) != 0) {
            cur = u;
            cur_len = prefix_len(u);
        }
        const use *us = slsec_strmap_get(rs->uses, u);
        const grant *g = slsec_strmap_get(rs->grants, u);
        if (!g)
            continue;
        if (us->any_without_resource || us->capped || us->resources.count == 0)
            cur_ok = false;
        for (size_t k = 0; k < g->resources.count; k++)
            if (strcmp(g->resources.items[k], "*") == 0)
                cur_wild = true;
        for (size_t k = 0; k < us->resources.count; k++)
            push_distinct(au->a, &svc_res, us->resources.items[k]);
    }
    if (ar->unobservable.count) {
        slsec_finding *f =
            emit(e, "AUDIT-004", id, rt, loc, "unobservable",
                 slsec_arena_printf(au->a,
                                    "role %s: %zu granted action%s cannot be seen without data events in the "
                                    "trail (kept in the proposed policy): %s",
                                    id, ar->unobservable.count, ar->unobservable.count == 1 ? "" : "s",
                                    list_text(au->a, &ar->unobservable, 0, ar->unobservable.count, 8)));
        if (f)
            f->evidence = all_text(au->a, &ar->unobservable, 0, ar->unobservable.count);
    }
}

static const char *window_text(slsec_arena *a, const agg *g)
{
    return strcmp(g->first, g->last) == 0 ? slsec_arena_printf(a, "at %s", g->first)
                                          : slsec_arena_printf(a, "between %s and %s", g->first, g->last);
}

static slsec_loc trail_loc(const agg *g)
{
    return (slsec_loc){.file = g->file, .line = 0, .col = 0};
}

/* AUDIT-014/015: changes outside the deployment, one finding per
 * (principal, change, target); detail is "change\x1ftarget". */
static void change_findings(emitter *e, const agg_set *set, const char *rule, const char *verb)
{
    slsec_arena *a = e->au->a;
    for (size_t i = 0; i < set->list.count; i++) {
        const agg *g = set->list.items[i];
        char what[512];
        snprintf(what, sizeof what, "%s", g->detail);
        char *sep = strchr(what, '\x1f');
        if (sep)
            *sep = ' ';
        emit(e, rule, g->principal, "CloudTrail", trail_loc(g), g->detail,
             slsec_arena_printf(a, "%s %s outside the deployment: %s, %zu time%s %s (sample event %s)",
                                g->principal, verb, what, g->count, g->count == 1 ? "" : "s",
                                window_text(a, g), g->sample));
    }
}

/* The worst window of a principal: its current bucket or the worst one
 * finished; NULL when neither is a finding. */
static agg *worst_of(const auditor *au, agg *current, slsec_strmap *worst,
                     long long (*score)(const auditor *, const agg *))
{
    agg *w = slsec_strmap_get(worst, current->principal);
    long long sc = score(au, current), sw = w ? score(au, w) : 0;
    if (!sc && !sw)
        return NULL;
    return sc >= sw ? current : w;
}

static void event_findings(emitter *e)
{
    auditor *au = e->au;
    slsec_arena *a = au->a;
    for (size_t i = 0; i < au->no_mfa.list.count; i++) {
        agg *g = au->no_mfa.list.items[i];
        emit(e, "AUDIT-010", g->principal, "CloudTrail", trail_loc(g), g->detail,
             slsec_arena_printf(
                 a, "%s signed in to the console without MFA %zu time%s %s (%s; sample event %s)",
                 g->principal, g->count, g->count == 1 ? "" : "s", window_text(a, g), g->detail, g->sample));
    }
    for (size_t i = 0; i < au->root.list.count; i++) {
        agg *g = au->root.list.items[i];
        slsec_ptrvec names = {0};
        for (size_t k = 0; k < g->n_vals; k++)
            slsec_ptrvec_push(a, &names, g->vals[k]);
        sort_strs(&names);
        emit(e, "AUDIT-011", g->principal, "CloudTrail", trail_loc(g), "root",
             slsec_arena_printf(a, "the %s user made %zu call%s %s (%s; sample event %s)", g->principal,
                                g->count, g->count == 1 ? "" : "s", window_text(a, g),
                                list_text(a, &names, 0, names.count, 6), g->sample));
    }
    /* bursts and keys: one finding per principal, naming its worst window */
    for (size_t i = 0; i < au->denied.list.count; i++) {
        agg *g = worst_of(au, au->denied.list.items[i], au->denied_worst, burst_score);
        if (!g)
            continue;
        emit(e, "AUDIT-012", g->principal, "CloudTrail", trail_loc(g), "denied",
             slsec_arena_printf(a, "%s was denied %zu times within 10 minutes %s (probing; sample event %s)",
                                g->principal, g->count, window_text(a, g), g->sample));
    }
    for (size_t i = 0; i < au->keys.list.count; i++) {
        agg *g = worst_of(au, au->keys.list.items[i], au->keys_worst, key_score);
        if (!g)
            continue;
        slsec_ptrvec ips = {0};
        for (size_t k = 0; k < g->n_vals; k++)
            slsec_ptrvec_push(a, &ips, g->vals[k]);
        sort_strs(&ips);
        emit(e, "AUDIT-013", g->principal, "CloudTrail", trail_loc(g), "addresses",
             slsec_arena_printf(a,
                                "access key %s (%s) was used from %zu addresses within one hour %s: %s "
                                "(%zu calls; sample event %s)",
                                g->principal, g->detail, g->n_vals, window_text(a, g),
                                list_text(a, &ips, 0, ips.count, 6), g->count, g->sample));
    }
    change_findings(e, &au->iam_changes, "AUDIT-014", "changed an application role");
    change_findings(e, &au->fn_changes, "AUDIT-015", "made a Lambda change");
    for (size_t i = 0; i < au->principal_list.count; i++) {
        principal *p = au->principal_list.items[i];
        if (p->role || strncmp(p->key, "arn:", 4) != 0 || !strstr(p->key, ":role/"))
            continue;
        emit(e, "AUDIT-005", p->key, "CloudTrail", (slsec_loc){.file = p->file}, p->key,
             slsec_arena_printf(a,
                                "%zu event%s by role %s matched no role of the templates %s%s%s "
                                "(sample event %s); map it with --role-map LOGICAL_ID=ARN",
                                p->count, p->count == 1 ? "" : "s", p->key,
                                strcmp(p->first, p->last) ? "between " : "at ", p->first,
                                strcmp(p->first, p->last) ? slsec_arena_printf(a, " and %s", p->last) : "",
                                p->sample));
    }
}

static int cmp_finding(const void *pa, const void *pb)
{
    const slsec_finding *a = *(slsec_finding *const *)pa, *b = *(slsec_finding *const *)pb;
    int c = strcmp(a->loc.file ? a->loc.file : "", b->loc.file ? b->loc.file : "");
    if (c)
        return c;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if ((c = strcmp(a->rule->id, b->rule->id)))
        return c;
    if ((c = strcmp(a->resource ? a->resource : "", b->resource ? b->resource : "")))
        return c;
    return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

static bool parse_role_map(auditor *au, slsec_diag *err)
{
    for (size_t i = 0; i < au->opts->role_map_count; i++) {
        const char *m = au->opts->role_map[i];
        const char *eq = m ? strchr(m, '=') : NULL;
        if (!eq || eq == m || !eq[1]) {
            slsec_diag_set(err, SLSEC_DIAG_ERROR, "", 0, 0,
                           "--role-map expects LOGICAL_ID=ARN (or =RoleName), found '%s'", m ? m : "");
            return false;
        }
        role_state *found = NULL;
        for (size_t k = 0; k < au->roles.count && !found; k++) {
            role_state *rs = au->roles.items[k];
            if (strlen(rs->pub.role->id) == (size_t)(eq - m) &&
                strncmp(rs->pub.role->id, m, (size_t)(eq - m)) == 0)
                found = rs;
        }
        if (!found) {
            slsec_diag_set(err, SLSEC_DIAG_ERROR, "", 0, 0,
                           "--role-map: no role with logical id '%.*s' in the templates", (int)(eq - m), m);
            return false;
        }
        slsec_ptrvec_push(au->a, &found->map_names, (void *)(eq + 1));
    }
    return true;
}

int slsec_audit_run(slsec_scan_result *r, const slsec_audit_opts *opts, slsec_audit **out, slsec_diag *err)
{
    slsec_diag scratch;
    if (!err)
        err = &scratch;
    if (!r || !opts || !out || opts->trail_count == 0) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, "", 0, 0, "no CloudTrail input given (--cloudtrail)");
        return SLSEC_EUSAGE;
    }
    auditor au = {.r = r, .opts = opts, .a = r->arena};
    au.out = slsec_arena_alloc(au.a, sizeof *au.out);
    au.interned = slsec_strmap_new(au.a);
    au.principals = slsec_strmap_new(au.a);
    au.data_services = slsec_strmap_new(au.a);
    au.unmapped = slsec_strmap_new(au.a);
    agg_set *sets[] = {&au.no_mfa, &au.root, &au.denied, &au.keys, &au.iam_changes, &au.fn_changes};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        sets[i]->map = slsec_strmap_new(au.a);
    au.denied_worst = slsec_strmap_new(au.a);
    au.keys_worst = slsec_strmap_new(au.a);
    for (size_t i = 0; r->app && i < r->app->roles.count; i++) {
        role_state *rs = slsec_arena_alloc(au.a, sizeof *rs);
        rs->pub.role = r->app->roles.items[i];
        rs->grants = slsec_strmap_new(au.a);
        rs->uses = slsec_strmap_new(au.a);
        role_names(&au, rs);
        slsec_ptrvec_push(au.a, &au.roles, rs);
        slsec_ptrvec_push(au.a, &au.out->roles, rs);
    }
    if (!parse_role_map(&au, err))
        return SLSEC_EUSAGE;
    for (size_t i = 0; i < au.roles.count; i++)
        collect_grants(&au, au.roles.items[i]);

    size_t opened = 0;
    for (size_t i = 0; i < opts->trail_count; i++) {
        slsec_diag d = {0};
        size_t before = au.out->stats.files;
        if (slsec_ct_each_file(opts->trails[i], read_one, &au, &d) != SLSEC_OK) {
            au.file = opts->trails[i];
            warn(&au, 0, "%s", d.message);
        }
        opened += au.out->stats.files - before;
    }
    free(au.rec.scratch);
    au.rec.scratch = NULL;
    if (au.first[0]) {
        au.out->stats.first_time = slsec_arena_strdup(au.a, au.first);
        au.out->stats.last_time = slsec_arena_strdup(au.a, au.last);
    }
    if (au.warnings > MAX_WARNINGS)
        slsec_diags_addf(&r->warnings, SLSEC_DIAG_NOTE, "", 0, 0, "%zu more input problems not shown",
                         au.warnings - MAX_WARNINGS);
    slsec_audit_stats *st = &au.out->stats;
    if (st->records + st->out_of_window == 0 && (opened == 0 || au.problems > 0)) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, opts->trails[0], 0, 0,
                       opened == 0 ? "no CloudTrail file found" : "no CloudTrail record could be read");
        return opened == 0 ? SLSEC_EIO : SLSEC_EPARSE;
    }
    slsec_diags_addf(
        &r->warnings, SLSEC_DIAG_NOTE, "", 0, 0,
        "CloudTrail shows S3 object, DynamoDB item, Lambda Invoke, SQS, SNS and Kinesis data calls only "
        "when the trail records data events; such grants are reported as unobservable, not unused");

    for (size_t i = 0; i < au.roles.count; i++)
        compute_sets(&au, au.roles.items[i]);

    /* the audit's findings replace the scan's */
    r->findings = (slsec_ptrvec){0};
    memset(r->counts, 0, sizeof r->counts);
    r->suppressed = 0;
    emitter e = {.au = &au};
    e.ctx.app = r->app;
    e.ctx.settings = &r->config.settings;
    e.ctx.arena = au.a;
    e.ctx.findings = &r->findings;
    for (size_t i = 0; i < au.roles.count; i++)
        role_findings(&e, au.roles.items[i]);
    event_findings(&e);
    if (r->findings.count > 1)
        qsort(r->findings.items, r->findings.count, sizeof r->findings.items[0], cmp_finding);
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if ((unsigned)f->severity < 5)
            r->counts[f->severity]++;
    }
    *out = au.out;
    return SLSEC_OK;
}

/* ---- least-privilege policies ------------------------------------------------------ */

static const char *sid_of(slsec_arena *a, const char *svc, const char *what)
{
    slsec_buf b;
    slsec_buf_init(&b);
    bool up = true;
    for (const char *p = svc; *p; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            slsec_buf_putc(&b, up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
            up = false;
        } else {
            up = true;
        }
    }
    slsec_buf_puts(&b, what);
    const char *out = slsec_arena_strndup(a, b.data, b.len);
    slsec_buf_free(&b);
    return out;
}

static json_t *str_array(slsec_ptrvec *v)
{
    sort_strs(v);
    json_t *arr = json_array();
    for (size_t i = 0; i < v->count; i++)
        json_array_append_new(arr, json_string(v->items[i]));
    return arr;
}

static void add_statement(json_t *stmts, const char *sid, slsec_ptrvec *actions, slsec_ptrvec *resources)
{
    if (!actions->count)
        return;
    json_t *s = json_object();
    json_object_set_new(s, "Sid", json_string(sid));
    json_object_set_new(s, "Effect", json_string("Allow"));
    json_object_set_new(s, "Action", str_array(actions));
    json_object_set_new(s, "Resource", str_array(resources));
    json_array_append_new(stmts, s);
}

const char *slsec_audit_policy_json(slsec_scan_result *r, const slsec_audit_role *ar)
{
    const role_state *rs = (const role_state *)ar;
    slsec_arena *a = r->arena;
    json_t *stmts = json_array();
    /* every used or unobservable action, grouped by service */
    slsec_ptrvec all = {0};
    for (size_t i = 0; i < ar->used.count; i++)
        slsec_ptrvec_push(a, &all, ar->used.items[i]);
    for (size_t i = 0; i < ar->unobservable.count; i++)
        slsec_ptrvec_push(a, &all, ar->unobservable.items[i]);
    sort_strs(&all);
    for (size_t i = 0; i < all.count;) {
        const char *first = all.items[i];
        size_t pl = prefix_len(first), j = i;
        while (j < all.count && prefix_len(all.items[j]) == pl && strncmp(all.items[j], first, pl) == 0)
            j++;
        char svc[64];
        snprintf(svc, sizeof svc, "%.*s", (int)pl, first);
        slsec_ptrvec named = {0}, named_res = {0}, any = {0}, kept = {0}, kept_res = {0}, star = {0};
        slsec_ptrvec_push(a, &star, "*");
        for (size_t k = i; k < j; k++) {
            const char *act = all.items[k];
            const use *u = slsec_strmap_get(rs->uses, act);
            if (u) {
                if (u->any_without_resource || u->capped || u->resources.count == 0) {
                    slsec_ptrvec_push(a, &any, (void *)act);
                } else {
                    slsec_ptrvec_push(a, &named, (void *)act);
                    for (size_t m = 0; m < u->resources.count; m++)
                        push_distinct(a, &named_res, u->resources.items[m]);
                }
            } else {
                const grant *g = slsec_strmap_get(rs->grants, act);
                slsec_ptrvec_push(a, &kept, (void *)act);
                for (size_t m = 0; g && m < g->resources.count; m++)
                    push_distinct(a, &kept_res, g->resources.items[m]);
            }
        }
        add_statement(stmts, sid_of(a, svc, "Used"), &named, &named_res);
        add_statement(stmts, sid_of(a, svc, "UsedAnyResource"), &any, &star);
        add_statement(stmts, sid_of(a, svc, "Unobservable"), &kept, kept_res.count ? &kept_res : &star);
        i = j;
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "Version", json_string("2012-10-17"));
    json_object_set_new(doc, "Statement", stmts);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    const char *out = slsec_arena_printf(a, "%s\n", text ? text : "{}");
    free(text);
    return out;
}
