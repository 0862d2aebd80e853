/*
 * serverless.c — the Serverless Framework front-end.
 *
 * The Framework turns serverless.yml into one CloudFormation template and
 * deploys that; what runs is what the template says. So this front-end
 * does what the Framework does: it resolves the variables
 * (serverless_vars.c), generates the CloudFormation the Framework would
 * generate — with the Framework's logical ids, so findings name what users
 * see in the AWS console — merges the raw CloudFormation of `resources:`
 * over it, and loads the result through the CloudFormation front-end
 * (slsec_load_cfn). Every generated node carries the position of the
 * serverless.yml node it comes from, so findings point into serverless.yml.
 *
 * What is generated, per function `createOrder` (normalised CreateOrder):
 *   CreateOrderLambdaFunction     AWS::Lambda::Function (provider settings
 *                                 merged in: runtime, memory, timeout — 6 s
 *                                 by default —, environment, vpc, tracing,
 *                                 kmsKeyArn; onError as DeadLetterConfig)
 *   CreateOrderLogGroup           /aws/lambda/<service>-<stage>-createOrder,
 *                                 RetentionInDays from logRetentionInDays
 *   CreateOrderLambdaEvConf       destinations
 *   CreateOrderLambdaFunctionUrl  url (authorizer: aws_iam, else NONE) and
 *                                 its public permission
 *   IamRoleLambdaExecution        the ONE role all functions share unless
 *                                 a function names a role, provider.iam.role
 *                                 names an existing one, or the
 *                                 serverless-iam-roles-per-function plugin
 *                                 gives it CreateOrderIamRoleLambdaExecution
 * and per event: http → ApiGatewayRestApi, ApiGatewayResource<Path>,
 * ApiGatewayMethod<Path><Method>, <Name>ApiGatewayAuthorizer,
 * ApiGatewayDeployment (the stage), ApiGatewayUsagePlan; httpApi → HttpApi,
 * HttpApiStage, HttpApiRoute<Method><Path>, HttpApiAuthorizer<Name>;
 * websocket → WebsocketsApi, <Route>WebsocketsRoute; sqs/stream →
 * <Fn>EventSourceMapping<Kind><Name> plus the read permissions on the role;
 * sns → SNSTopic<Topic> and a subscription; s3 → S3Bucket<Bucket>;
 * schedule → <Fn>EventsRuleSchedule<N>; eventBridge → <Fn>EventBridgeRule<N>.
 * The deployment is named ApiGatewayDeployment without the Framework's
 * timestamp suffix, so baselines survive redeploys.
 */
#include "serverless_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- recognition ------------------------------------------------------------ */

bool slsec_serverless_sniff(const char *data, size_t len)
{
    return memmem(data, len, "service", 7) && (memmem(data, len, "provider", 8) || memmem(data, len, "functions", 9));
}

bool slsec_serverless_is_config(const slsec_node *root)
{
    if (!slsec_node_is_map(root) || slsec_node_get(root, "AWSTemplateFormatVersion"))
        return false;
    const slsec_node *svc = slsec_node_get(root, "service");
    if (!svc || !(slsec_node_is_scalar(svc) || slsec_node_is_map(svc)))
        return false;
    return slsec_node_is_map(slsec_node_get(root, "provider")) || slsec_node_is_map(slsec_node_get(root, "functions"));
}

/* ---- building nodes ----------------------------------------------------------- */

/* A mapping being built: key node, value node, ... Its first pairs live in
 * the builder itself; only a long one spills into the arena (every
 * generated resource is a few small maps, and growing each one in the
 * arena left two dead arrays behind per map). Never copied by value. */
typedef struct mapb {
    slsec_ptrvec kv;
    void *first[16];
} mapb;

typedef struct role_gen role_gen;

typedef struct gen {
    slsec_arena *a;
    const char *relpath;
    slsec_diags *warnings;
    const slsec_node *cfg, *provider, *user_resources, *functions;
    const slsec_node *rest_api_id; /* provider.apiGateway.restApiId: an API of another stack */
    const char *service, *stage;
    mapb resources;
    slsec_strmap *ids;      /* generated logical id → (void*)1 */
    slsec_strmap *user_ids; /* logical ids of resources:, built on first use */
    role_gen *shared;       /* IamRoleLambdaExecution, once a function uses it */
    slsec_ptrvec roles;     /* role_gen*, in order */
    /* APIs, created on first use */
    const slsec_node *rest_at, *http_at, *ws_at;
    slsec_strmap *rest_paths; /* "/a/b" → logical id of its ApiGateway::Resource */
    slsec_strmap *authorizers; /* generated authorizer ids */
    slsec_ptrvec buckets;   /* s3_bucket* */
    /* Key nodes made for generated maps, by key and place: the same key at
     * the same place (Type, Properties, Ref, ... of one function's
     * resources) is one node, shared (nodes are never changed once made).
     * A cache, not a map: a miss only costs a node. */
    struct key_slot {
        const char *key;
        const slsec_node *at;
        slsec_node *node;
    } keys[1024];
    slsec_ptrvec post;      /* post_fix*: what CloudFormation cannot say */
} gen;

struct role_gen {
    const char *id;
    const slsec_node *at;
    slsec_ptrvec statements; /* statement nodes */
    slsec_ptrvec managed;    /* ARN nodes */
    const slsec_node *boundary;
    bool vpc;
    const char *log_prefix; /* /aws/lambda/<name> the logs statement covers */
};

typedef struct s3_bucket {
    const char *id, *name;
    const slsec_node *at;
    slsec_ptrvec configs;
} s3_bucket;

typedef struct post_fix {
    const char *function_id;
    long provisioned;
} post_fix;

static slsec_node *str(gen *g, const slsec_node *at, const char *s)
{
    return slsec_node_new_scalar(g->a, at, s, SLSEC_NF_QUOTED);
}

static slsec_node *num(gen *g, const slsec_node *at, long v)
{
    return slsec_node_new_scalar(g->a, at, slsec_arena_printf(g->a, "%ld", v), 0);
}

static void mb_pair(gen *g, mapb *m, const slsec_node *key, const slsec_node *val)
{
    if (!m->kv.cap) {
        m->kv.items = m->first;
        m->kv.cap = sizeof m->first / sizeof m->first[0];
    }
    slsec_ptrvec_push(g->a, &m->kv, (void *)key);
    slsec_ptrvec_push(g->a, &m->kv, (void *)val);
}

static slsec_node *key_node(gen *g, const slsec_node *at, const char *key)
{
    uintptr_t h = ((uintptr_t)key * 31u) ^ ((uintptr_t)at >> 4);
    struct key_slot *slot = &g->keys[(h ^ (h >> 11)) & (sizeof g->keys / sizeof g->keys[0] - 1)];
    if (slot->key != key || slot->at != at) {
        slot->key = key;
        slot->at = at;
        slot->node = str(g, at, key);
    }
    return slot->node;
}

static void mb_put(gen *g, mapb *m, const char *key, const slsec_node *at, const slsec_node *val)
{
    if (val)
        mb_pair(g, m, key_node(g, at, key), val);
}

static slsec_node *mb_done(gen *g, mapb *m, const slsec_node *at)
{
    slsec_node *n = slsec_node_new_map(g->a, at, m->kv.count / 2);
    for (size_t i = 0; i < m->kv.count; i++)
        n->items[i] = m->kv.items[i];
    return n;
}

static slsec_node *map1(gen *g, const slsec_node *at, const char *key, const slsec_node *val)
{
    mapb m = {0};
    mb_put(g, &m, key, at, val);
    return mb_done(g, &m, at);
}

static slsec_node *seq_of(gen *g, const slsec_node *at, const slsec_ptrvec *items)
{
    slsec_node *s = slsec_node_new_seq(g->a, at, items->count);
    for (size_t i = 0; i < items->count; i++)
        s->items[i] = items->items[i];
    return s;
}

static slsec_node *seq1(gen *g, const slsec_node *at, const slsec_node *item)
{
    slsec_node *s = slsec_node_new_seq(g->a, at, 1);
    s->items[0] = (slsec_node *)item;
    return s;
}

static slsec_node *ref(gen *g, const slsec_node *at, const char *id)
{
    return map1(g, at, "Ref", str(g, at, id));
}

static slsec_node *getatt(gen *g, const slsec_node *at, const char *id, const char *attr)
{
    slsec_node *s = slsec_node_new_seq(g->a, at, 2);
    s->items[0] = str(g, at, id);
    s->items[1] = str(g, at, attr);
    return map1(g, at, "Fn::GetAtt", s);
}

static slsec_node *sub(gen *g, const slsec_node *at, const char *text)
{
    return map1(g, at, "Fn::Sub", str(g, at, text));
}

static void add_resource(gen *g, const char *id, const slsec_node *at, const char *type, const slsec_node *props)
{
    if (slsec_strmap_get(g->ids, id))
        return; /* made already, for another function or event */
    mapb body = {0};
    mb_put(g, &body, "Type", at, str(g, at, type));
    mb_put(g, &body, "Properties", at, props);
    mb_put(g, &g->resources, id, at, mb_done(g, &body, at));
    slsec_strmap_put(g->ids, id, (void *)1);
}

/* ---- names, as the Framework makes them ------------------------------------------ */

/* Capitalised, '-' → Dash, '_' → Underscore, other non-alphanumerics dropped. */
static char *normalize(gen *g, const char *s)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (const char *p = s; p && *p; p++) {
        if (*p == '-')
            slsec_buf_puts(&b, "Dash");
        else if (*p == '_')
            slsec_buf_puts(&b, "Underscore");
        else if (isalnum((unsigned char)*p))
            slsec_buf_putc(&b, *p);
    }
    char *r = slsec_arena_strndup(g->a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    r[0] = (char)toupper((unsigned char)r[0]);
    return r;
}

/* One path segment: "orders" → Orders, "{id}" → IdVar, "{proxy+}" → ProxyVar. */
static char *normalize_segment(gen *g, const char *seg, size_t len)
{
    char *s = slsec_arena_strndup(g->a, seg, len);
    if (s[0] == '{') {
        char *e = strchr(s, '}');
        if (e)
            *e = 0;
        size_t l = strlen(s);
        if (l && s[l - 1] == '+')
            s[l - 1] = 0;
        return slsec_arena_printf(g->a, "%sVar", normalize(g, s + 1));
    }
    return normalize(g, s);
}

static char *normalize_path(gen *g, const char *path)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len)
            slsec_buf_puts(&b, normalize_segment(g, p, len));
        p += len;
    }
    char *r = slsec_arena_strndup(g->a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    return r;
}

static char *method_name(gen *g, const char *m)
{
    char *r = slsec_arena_strdup(g->a, m);
    for (char *p = r; *p; p++)
        *p = (char)(p == r ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
    return r;
}

static char *upper_str(gen *g, const char *m)
{
    char *r = slsec_arena_strdup(g->a, m);
    for (char *p = r; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return r;
}

/* The last ':'- or '/'-separated part of an ARN, or the logical id an
 * intrinsic names: what the Framework calls a queue, stream or topic. */
static const char *source_name(gen *g, const slsec_node *arn)
{
    const char *s = slsec_node_str(arn);
    if (s && !slsec_node_is_unknown(arn)) {
        const char *p = strrchr(s, ':');
        p = p ? p + 1 : s;
        const char *slash = strchr(p, '/');
        if (slash && strstr(s, ":stream/")) /* kinesis: stream/Name */
            p = slash + 1;
        else if (slash && strstr(s, ":table/")) { /* dynamodb: table/Name/stream/... */
            const char *t = strstr(s, ":table/") + 7;
            const char *e = strchr(t, '/');
            return normalize(g, e ? slsec_arena_strndup(g->a, t, (size_t)(e - t)) : t);
        }
        return normalize(g, p);
    }
    /* !GetAtt X.Arn / Ref X / {Fn::GetAtt: [X, Arn]} */
    const slsec_node *arg = arn;
    if (slsec_node_is_map(arn) && arn->count == 1)
        arg = arn->items[1];
    if (slsec_node_is_seq(arg) && arg->count)
        arg = arg->items[0];
    const char *t = slsec_node_str(arg);
    if (t) {
        const char *dot = strchr(t, '.');
        return normalize(g, dot ? slsec_arena_strndup(g->a, t, (size_t)(dot - t)) : t);
    }
    return "Source";
}

/* ---- small readers ---------------------------------------------------------------- */

static const slsec_node *get(const slsec_node *n, const char *key)
{
    const slsec_node *v = slsec_node_get(n, key);
    return v && !(v->flags & SLSEC_NF_NULL) ? v : NULL;
}

static const slsec_node *get2(const slsec_node *n, const char *a, const char *b)
{
    return get(get(n, a), b);
}

/* The position for a generated node: the key of n[key], else at. */
static const slsec_node *key_at(const slsec_node *n, const char *key, const slsec_node *at)
{
    const slsec_node *k = slsec_node_get_key(n, key);
    return k ? k : at;
}

static bool truthy(const slsec_node *n)
{
    bool b;
    return n && slsec_node_bool(n, &b) && b;
}

#define warn(g, at, ...) sls_warn((g)->warnings, (g)->relpath, (at), __VA_ARGS__)

/* Is there a resource of that logical id under resources.Resources? */
static bool user_resource(gen *g, const char *id)
{
    if (!g->user_ids) {
        g->user_ids = slsec_strmap_new(g->a);
        const slsec_node *r = g->user_resources;
        for (size_t i = 0; r && i < (slsec_node_is_seq(r) ? r->count : 1); i++) {
            const slsec_node *res = slsec_node_get(slsec_node_is_seq(r) ? r->items[i] : r, "Resources");
            for (size_t k = 0; slsec_node_is_map(res) && k < res->count; k++)
                if (slsec_node_str(res->items[2 * k]))
                    slsec_strmap_put(g->user_ids, res->items[2 * k]->str, (void *)1);
        }
    }
    return slsec_strmap_get(g->user_ids, id) != NULL;
}

/* A role or ARN value as written: a logical id of `resources:` becomes
 * !GetAtt Id.Arn, an ARN or an intrinsic stays as it is. */
static const slsec_node *arn_or_ref(gen *g, const slsec_node *v)
{
    const char *s = slsec_node_str(v);
    if (s && !slsec_node_is_unknown(v) && !strchr(s, ':') && user_resource(g, s))
        return getatt(g, v, s, "Arn");
    return v;
}

/* ---- IAM -------------------------------------------------------------------------- */

static slsec_node *statement(gen *g, const slsec_node *at, const char *const *actions, size_t n,
                             const slsec_node *resource)
{
    slsec_ptrvec acts = {0};
    for (size_t i = 0; i < n; i++)
        slsec_ptrvec_push(g->a, &acts, str(g, at, actions[i]));
    mapb m = {0};
    mb_put(g, &m, "Effect", at, str(g, at, "Allow"));
    mb_put(g, &m, "Action", at, seq_of(g, at, &acts));
    mb_put(g, &m, "Resource", at, resource);
    return mb_done(g, &m, at);
}

static void push_statements(gen *g, role_gen *r, const slsec_node *list)
{
    for (size_t i = 0; slsec_node_is_seq(list) && i < list->count; i++)
        slsec_ptrvec_push(g->a, &r->statements, list->items[i]);
    if (list && !slsec_node_is_seq(list) && !slsec_node_is_unknown(list))
        warn(g, list, "IAM statements must be a list; ignored");
}

static role_gen *new_role(gen *g, const char *id, const slsec_node *at, const char *log_prefix)
{
    role_gen *r = slsec_arena_alloc(g->a, sizeof *r);
    r->id = id;
    r->at = at;
    r->log_prefix = log_prefix;
    slsec_ptrvec_push(g->a, &g->roles, r);
    return r;
}

/* provider.iam.role (v3) or the legacy provider.iamRoleStatements /
 * iamManagedPolicies / rolePermissionsBoundary (v2). */
static void provider_iam(gen *g, role_gen *r)
{
    const slsec_node *role = get2(g->provider, "iam", "role");
    if (slsec_node_is_map(role)) {
        push_statements(g, r, get(role, "statements"));
        const slsec_node *mp = get(role, "managedPolicies");
        for (size_t i = 0; slsec_node_is_seq(mp) && i < mp->count; i++)
            slsec_ptrvec_push(g->a, &r->managed, mp->items[i]);
        r->boundary = get(role, "permissionsBoundary");
    }
    push_statements(g, r, get(g->provider, "iamRoleStatements"));
    const slsec_node *mp = get(g->provider, "iamManagedPolicies");
    for (size_t i = 0; slsec_node_is_seq(mp) && i < mp->count; i++)
        slsec_ptrvec_push(g->a, &r->managed, mp->items[i]);
    if (!r->boundary)
        r->boundary = get(g->provider, "rolePermissionsBoundary");
}

static const slsec_node *provider_role_anchor(gen *g)
{
    const slsec_node *iam = get(g->provider, "iam");
    if (iam)
        return key_at(iam, "role", key_at(g->provider, "iam", NULL));
    return key_at(g->provider, "iamRoleStatements", key_at(g->cfg, "provider", g->cfg));
}

static void emit_role(gen *g, role_gen *r)
{
    const slsec_node *at = r->at;
    mapb trust_stmt = {0};
    mb_put(g, &trust_stmt, "Effect", at, str(g, at, "Allow"));
    mb_put(g, &trust_stmt, "Principal", at, map1(g, at, "Service", seq1(g, at, str(g, at, "lambda.amazonaws.com"))));
    mb_put(g, &trust_stmt, "Action", at, seq1(g, at, str(g, at, "sts:AssumeRole")));
    mapb trust = {0};
    mb_put(g, &trust, "Version", at, str(g, at, "2012-10-17"));
    mb_put(g, &trust, "Statement", at, seq1(g, at, mb_done(g, &trust_stmt, at)));

    /* The logs permissions the Framework always grants, scoped to the
     * functions' own log groups. */
    static const char *const create[] = {"logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"};
    static const char *const put[] = {"logs:PutLogEvents"};
    const char *lg = slsec_arena_printf(g->a, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:%s", r->log_prefix);
    slsec_ptrvec stmts = {0};
    slsec_ptrvec_push(g->a, &stmts, statement(g, at, create, 3, seq1(g, at, sub(g, at, slsec_arena_printf(g->a, "%s:*", lg)))));
    slsec_ptrvec_push(g->a, &stmts, statement(g, at, put, 1, seq1(g, at, sub(g, at, slsec_arena_printf(g->a, "%s:*:*", lg)))));
    for (size_t i = 0; i < r->statements.count; i++)
        slsec_ptrvec_push(g->a, &stmts, r->statements.items[i]);

    mapb doc = {0};
    mb_put(g, &doc, "Version", at, str(g, at, "2012-10-17"));
    mb_put(g, &doc, "Statement", at, seq_of(g, at, &stmts));
    mapb pol = {0};
    mb_put(g, &pol, "PolicyName", at, str(g, at, slsec_arena_printf(g->a, "%s-%s-lambda", g->service, g->stage)));
    mb_put(g, &pol, "PolicyDocument", at, mb_done(g, &doc, at));

    if (r->vpc)
        slsec_ptrvec_push(g->a, &r->managed,
                          str(g, at, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"));
    mapb props = {0};
    mb_put(g, &props, "AssumeRolePolicyDocument", at, mb_done(g, &trust, at));
    mb_put(g, &props, "Policies", at, seq1(g, at, mb_done(g, &pol, at)));
    if (r->managed.count)
        mb_put(g, &props, "ManagedPolicyArns", at, seq_of(g, at, &r->managed));
    mb_put(g, &props, "PermissionsBoundary", at, r->boundary);
    add_resource(g, r->id, at, "AWS::IAM::Role", mb_done(g, &props, at));
}

static bool per_function_plugin(gen *g)
{
    const slsec_node *plugins = get(g->cfg, "plugins");
    if (slsec_node_is_map(plugins))
        plugins = get(plugins, "modules");
    for (size_t i = 0; slsec_node_is_seq(plugins) && i < plugins->count; i++) {
        const char *p = slsec_node_str(plugins->items[i]);
        if (p && strstr(p, "serverless-iam-roles-per-function"))
            return true;
    }
    return false;
}

/* ---- functions --------------------------------------------------------------------- */

typedef struct fn_gen {
    const char *key;      /* createOrder */
    const char *norm;     /* CreateOrder */
    const char *id;       /* CreateOrderLambdaFunction */
    const char *name;     /* orders-dev-createOrder */
    const slsec_node *at; /* the function's key */
    const slsec_node *f;  /* its body */
    role_gen *role;       /* generated role, or NULL (external role) */
    size_t n_schedule, n_bridge;
} fn_gen;

static const slsec_node *setting(gen *g, const fn_gen *fn, const char *key)
{
    const slsec_node *v = get(fn->f, key);
    return v ? v : get(g->provider, key);
}

static slsec_node *fn_arn(gen *g, const fn_gen *fn, const slsec_node *at)
{
    return getatt(g, at, fn->id, "Arn");
}

static void add_permission(gen *g, const fn_gen *fn, const char *suffix, const slsec_node *at, const char *principal,
                           const slsec_node *source_arn)
{
    mapb p = {0};
    mb_put(g, &p, "FunctionName", at, fn_arn(g, fn, at));
    mb_put(g, &p, "Action", at, str(g, at, "lambda:InvokeFunction"));
    mb_put(g, &p, "Principal", at, str(g, at, principal));
    mb_put(g, &p, "SourceArn", at, source_arn);
    add_resource(g, slsec_arena_printf(g->a, "%sLambdaPermission%s", fn->norm, suffix), at, "AWS::Lambda::Permission",
                 mb_done(g, &p, at));
}

/* provider.environment with the function's own on top. */
static const slsec_node *environment(gen *g, const fn_gen *fn)
{
    const slsec_node *pe = get(g->provider, "environment"), *fe = get(fn->f, "environment");
    if (!slsec_node_is_map(pe))
        pe = NULL;
    if (!slsec_node_is_map(fe))
        fe = NULL;
    if (!pe && !fe)
        return NULL;
    mapb m = {0};
    for (size_t i = 0; pe && i < pe->count; i++) {
        const char *k = slsec_node_str(pe->items[2 * i]);
        if (k && (!fe || !slsec_node_get(fe, k)))
            mb_pair(g, &m, pe->items[2 * i], pe->items[2 * i + 1]);
    }
    for (size_t i = 0; fe && i < fe->count; i++)
        mb_pair(g, &m, fe->items[2 * i], fe->items[2 * i + 1]);
    const slsec_node *at = fe ? fe : pe;
    return map1(g, at, "Variables", mb_done(g, &m, at));
}

/* tracing: true / Active / PassThrough on the function, else provider.tracing.lambda. */
static const char *tracing_mode(gen *g, const fn_gen *fn, const slsec_node **at)
{
    const slsec_node *t = get(fn->f, "tracing");
    if (!t)
        t = get2(g->provider, "tracing", "lambda");
    *at = t;
    if (!t)
        return NULL;
    if (slsec_node_is_unknown(t))
        return t->str;
    bool b;
    if (slsec_node_bool(t, &b))
        return b ? "Active" : "PassThrough";
    const char *s = slsec_node_str(t);
    return s && !strcasecmp(s, "active") ? "Active" : "PassThrough";
}

static const slsec_node *vpc_config(gen *g, const fn_gen *fn)
{
    const slsec_node *v = get(fn->f, "vpc");
    if (!v)
        v = get(g->provider, "vpc");
    if (!slsec_node_is_map(v))
        return NULL;
    const slsec_node *sgs = get(v, "securityGroupIds"), *subnets = get(v, "subnetIds");
    if (!sgs && !subnets)
        return NULL;
    mapb m = {0};
    mb_put(g, &m, "SecurityGroupIds", v, sgs);
    mb_put(g, &m, "SubnetIds", v, subnets);
    return mb_done(g, &m, v);
}

static bool is_function(gen *g, const char *name)
{
    const slsec_node *fns = g->functions;
    if (slsec_node_is_seq(fns)) {
        for (size_t i = 0; i < fns->count; i++)
            if (slsec_node_get(fns->items[i], name))
                return true;
        return false;
    }
    return slsec_node_get(fns, name) != NULL;
}

/* A destination: a function of this service, an ARN, or {type, arn}. */
static const slsec_node *destination(gen *g, const slsec_node *d)
{
    if (slsec_node_is_map(d) && get(d, "arn"))
        d = get(d, "arn");
    const char *s = slsec_node_str(d);
    if (s && !slsec_node_is_unknown(d) && !strchr(s, ':') && is_function(g, s))
        return getatt(g, d, slsec_arena_printf(g->a, "%sLambdaFunction", normalize(g, s)), "Arn");
    return d;
}

static void function_url(gen *g, fn_gen *fn)
{
    const slsec_node *u = get(fn->f, "url");
    if (!u || (slsec_node_is_scalar(u) && !truthy(u)))
        return;
    const slsec_node *at = key_at(fn->f, "url", fn->at);
    const slsec_node *auth = get(u, "authorizer");
    const char *as = slsec_node_str(auth);
    const char *type = as && !strcasecmp(as, "aws_iam") ? "AWS_IAM" : "NONE";
    mapb m = {0};
    mb_put(g, &m, "AuthType", auth ? auth : at, str(g, auth ? auth : at, type));
    mb_put(g, &m, "TargetFunctionArn", at, fn_arn(g, fn, at));
    if (get(u, "cors"))
        mb_put(g, &m, "Cors", at, get(u, "cors"));
    add_resource(g, slsec_arena_printf(g->a, "%sLambdaFunctionUrl", fn->norm), at, "AWS::Lambda::Url", mb_done(g, &m, at));
    mapb p = {0};
    mb_put(g, &p, "FunctionName", at, fn_arn(g, fn, at));
    mb_put(g, &p, "Action", at, str(g, at, "lambda:InvokeFunctionUrl"));
    mb_put(g, &p, "Principal", at, str(g, at, !strcmp(type, "NONE") ? "*" : "${AWS::AccountId}"));
    mb_put(g, &p, "FunctionUrlAuthType", at, str(g, at, type));
    add_resource(g, slsec_arena_printf(g->a, "%sLambdaPermissionFnUrl", fn->norm), at, "AWS::Lambda::Permission",
                 mb_done(g, &p, at));
}

static void destinations(gen *g, fn_gen *fn)
{
    const slsec_node *d = get(fn->f, "destinations");
    if (!slsec_node_is_map(d))
        return;
    const slsec_node *at = key_at(fn->f, "destinations", fn->at);
    mapb dc = {0};
    if (get(d, "onSuccess"))
        mb_put(g, &dc, "OnSuccess", at, map1(g, at, "Destination", destination(g, get(d, "onSuccess"))));
    if (get(d, "onFailure"))
        mb_put(g, &dc, "OnFailure", at, map1(g, at, "Destination", destination(g, get(d, "onFailure"))));
    mapb m = {0};
    mb_put(g, &m, "FunctionName", at, ref(g, at, fn->id));
    mb_put(g, &m, "Qualifier", at, str(g, at, "$LATEST"));
    mb_put(g, &m, "DestinationConfig", at, mb_done(g, &dc, at));
    add_resource(g, slsec_arena_printf(g->a, "%sLambdaEvConf", fn->norm), at, "AWS::Lambda::EventInvokeConfig",
                 mb_done(g, &m, at));
}

static void log_group(gen *g, fn_gen *fn)
{
    if (truthy(get(fn->f, "disableLogs")))
        return;
    mapb m = {0};
    mb_put(g, &m, "LogGroupName", fn->at, str(g, fn->at, slsec_arena_printf(g->a, "/aws/lambda/%s", fn->name)));
    const slsec_node *ret = setting(g, fn, "logRetentionInDays");
    mb_put(g, &m, "RetentionInDays", ret, ret);
    add_resource(g, slsec_arena_printf(g->a, "%sLogGroup", fn->norm), fn->at, "AWS::Logs::LogGroup", mb_done(g, &m, fn->at));
}

static void lambda_function(gen *g, fn_gen *fn, const slsec_node *role)
{
    const slsec_node *f = fn->f, *at = fn->at;
    mapb m = {0};
    const slsec_node *image = get(f, "image");
    if (image) {
        mb_put(g, &m, "Code", at, map1(g, at, "ImageUri", slsec_node_is_map(image) ? get(image, "uri") : image));
        mb_put(g, &m, "PackageType", at, str(g, at, "Image"));
    } else {
        mapb code = {0};
        mb_put(g, &code, "S3Bucket", at, ref(g, at, "ServerlessDeploymentBucket"));
        mb_put(g, &code, "S3Key", at, str(g, at, slsec_arena_printf(g->a, "serverless/%s/%s/%s.zip", g->service, g->stage, g->service)));
        mb_put(g, &m, "Code", at, mb_done(g, &code, at));
        mb_put(g, &m, "Handler", at, get(f, "handler"));
        mb_put(g, &m, "Runtime", at, setting(g, fn, "runtime"));
    }
    mb_put(g, &m, "FunctionName", at, str(g, at, fn->name));
    const slsec_node *mem = setting(g, fn, "memorySize");
    mb_put(g, &m, "MemorySize", at, mem ? mem : num(g, at, 1024));
    const slsec_node *t = setting(g, fn, "timeout");
    mb_put(g, &m, "Timeout", at, t ? t : num(g, at, 6)); /* the Framework's default */
    mb_put(g, &m, "Environment", at, environment(g, fn));
    mb_put(g, &m, "Role", at, role);
    mb_put(g, &m, "VpcConfig", at, vpc_config(g, fn));
    mb_put(g, &m, "ReservedConcurrentExecutions", at, get(f, "reservedConcurrency"));
    const slsec_node *tat;
    const char *mode = tracing_mode(g, fn, &tat);
    if (mode)
        mb_put(g, &m, "TracingConfig", tat, map1(g, tat, "Mode", str(g, tat, mode)));
    mb_put(g, &m, "KmsKeyArn", at, setting(g, fn, "kmsKeyArn"));
    const slsec_node *on_error = get(f, "onError");
    if (on_error)
        mb_put(g, &m, "DeadLetterConfig", on_error, map1(g, on_error, "TargetArn", on_error));
    mb_put(g, &m, "Layers", at, get(f, "layers") ? get(f, "layers") : get(g->provider, "layers"));
    mb_put(g, &m, "Architectures", at,
           setting(g, fn, "architecture") ? seq1(g, at, setting(g, fn, "architecture")) : NULL);
    add_resource(g, fn->id, at, "AWS::Lambda::Function", mb_done(g, &m, at));
}

/* ---- events ------------------------------------------------------------------------ */

static void role_grant(gen *g, fn_gen *fn, const slsec_node *at, const char *const *actions, size_t n,
                       const slsec_node *arn)
{
    if (fn->role && arn)
        slsec_ptrvec_push(g->a, &fn->role->statements, statement(g, at, actions, n, seq1(g, at, arn)));
}

/* The RestApiId of methods and resources: the generated API, or the one
 * provider.apiGateway.restApiId names (then routes stay unmodelled: the
 * API's other settings are not in this service). */
static const slsec_node *rest_api_ref(gen *g, const slsec_node *at)
{
    return g->rest_api_id ? g->rest_api_id : ref(g, at, "ApiGatewayRestApi");
}

static void rest_api(gen *g, const slsec_node *at)
{
    if (g->rest_at || g->rest_api_id)
        return;
    g->rest_at = at;
    const slsec_node *api_gw = get(g->provider, "apiGateway");
    mapb m = {0};
    mb_put(g, &m, "Name", at, str(g, at, slsec_arena_printf(g->a, "%s-%s", g->stage, g->service)));
    const slsec_node *ep = get(g->provider, "endpointType");
    const slsec_node *ep_at = ep ? ep : at;
    mb_put(g, &m, "EndpointConfiguration", ep_at,
           map1(g, ep_at, "Types", seq1(g, ep_at, str(g, ep_at, ep && slsec_node_str(ep) ? upper_str(g, ep->str) : "EDGE"))));
    const slsec_node *policy = get(api_gw, "resourcePolicy");
    if (!policy)
        policy = get(g->provider, "resourcePolicy");
    if (slsec_node_is_seq(policy)) {
        mapb doc = {0};
        mb_put(g, &doc, "Version", policy, str(g, policy, "2012-10-17"));
        mb_put(g, &doc, "Statement", policy, policy);
        mb_put(g, &m, "Policy", policy, mb_done(g, &doc, policy));
    }
    add_resource(g, "ApiGatewayRestApi", at, "AWS::ApiGateway::RestApi", mb_done(g, &m, at));
}

/* ApiGateway::Resource chain for a path; returns the ResourceId value. */
static const slsec_node *rest_resource(gen *g, const char *path, const slsec_node *at)
{
    const slsec_node *root_id = get2(g->provider, "apiGateway", "restApiRootResourceId");
    const slsec_node *parent = g->rest_api_id && root_id ? root_id : getatt(g, at, "ApiGatewayRestApi", "RootResourceId");
    slsec_buf sofar;
    slsec_buf_init(&sofar);
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (!len)
            break;
        slsec_buf_putc(&sofar, '/');
        slsec_buf_append(&sofar, p, len);
        const char *id = slsec_arena_printf(g->a, "ApiGatewayResource%s", normalize_path(g, sofar.data));
        mapb m = {0};
        mb_put(g, &m, "ParentId", at, parent);
        mb_put(g, &m, "PathPart", at, str(g, at, slsec_arena_strndup(g->a, p, len)));
        mb_put(g, &m, "RestApiId", at, rest_api_ref(g, at));
        add_resource(g, id, at, "AWS::ApiGateway::Resource", mb_done(g, &m, at));
        parent = ref(g, at, id);
        p += len;
    }
    slsec_buf_free(&sofar);
    return parent;
}

/* http authorizer: a function of the service, an ARN, aws_iam, or {name,
 * arn, type, ...}. Sets AuthorizationType and AuthorizerId on the method. */
static void rest_authorizer(gen *g, mapb *m, const slsec_node *auth)
{
    const slsec_node *at = auth;
    const char *name = NULL, *type = NULL;
    const slsec_node *arn = NULL;
    if (slsec_node_is_scalar(auth)) {
        name = slsec_node_str(auth);
        if (name && strchr(name, ':'))
            arn = auth;
    } else if (slsec_node_is_map(auth)) {
        name = slsec_node_get_str(auth, "name");
        type = slsec_node_get_str(auth, "type");
        arn = get(auth, "arn");
        if (get(auth, "authorizerId")) {
            mb_put(g, m, "AuthorizationType", at, str(g, at, type && !strcasecmp(type, "COGNITO_USER_POOLS") ? "COGNITO_USER_POOLS" : "CUSTOM"));
            mb_put(g, m, "AuthorizerId", at, get(auth, "authorizerId"));
            return;
        }
    }
    if (slsec_node_is_unknown(auth)) {
        mb_put(g, m, "AuthorizationType", at, auth);
        return;
    }
    if ((name && !strcasecmp(name, "aws_iam")) || (type && !strcasecmp(type, "aws_iam"))) {
        mb_put(g, m, "AuthorizationType", at, str(g, at, "AWS_IAM"));
        return;
    }
    const char *arn_s = slsec_node_str(arn);
    bool cognito = (type && !strcasecmp(type, "COGNITO_USER_POOLS")) || (arn_s && strstr(arn_s, "cognito-idp"));
    if (!name && arn_s) {
        const char *p = strrchr(arn_s, ':');
        name = p ? p + 1 : arn_s;
    }
    if (!name)
        name = "authorizer";
    const char *id = slsec_arena_printf(g->a, "%sApiGatewayAuthorizer", normalize(g, name));
    mapb a = {0};
    mb_put(g, &a, "Name", at, str(g, at, name));
    mb_put(g, &a, "RestApiId", at, rest_api_ref(g, at));
    mb_put(g, &a, "Type", at, str(g, at, cognito ? "COGNITO_USER_POOLS" : type && !strcasecmp(type, "request") ? "REQUEST" : "TOKEN"));
    add_resource(g, id, at, "AWS::ApiGateway::Authorizer", mb_done(g, &a, at));
    mb_put(g, m, "AuthorizationType", at, str(g, at, cognito ? "COGNITO_USER_POOLS" : "CUSTOM"));
    mb_put(g, m, "AuthorizerId", at, ref(g, at, id));
}

static void event_http(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const char *path = NULL, *method = NULL;
    if (slsec_node_is_scalar(ev)) { /* "GET orders" */
        const char *s = slsec_node_str(ev);
        const char *sp = s ? strchr(s, ' ') : NULL;
        if (sp) {
            method = slsec_arena_strndup(g->a, s, (size_t)(sp - s));
            path = sp + 1;
        }
    } else {
        path = slsec_node_get_str(ev, "path");
        method = slsec_node_get_str(ev, "method");
    }
    if (!path || !method) {
        warn(g, at, "http event of %s without path and method; skipped", fn->key);
        return;
    }
    while (*path == ' ')
        path++;
    rest_api(g, at);
    const char *npath = normalize_path(g, path);
    const char *m_up = upper_str(g, method);
    const char *id = slsec_arena_printf(g->a, "ApiGatewayMethod%s%s", npath, method_name(g, !strcmp(m_up, "ANY") ? "Any" : method));
    mapb m = {0};
    mb_put(g, &m, "HttpMethod", at, str(g, at, m_up));
    mb_put(g, &m, "ResourceId", at, rest_resource(g, path, at));
    mb_put(g, &m, "RestApiId", at, rest_api_ref(g, at));
    const slsec_node *priv = get(ev, "private");
    mb_put(g, &m, "ApiKeyRequired", priv ? priv : at, priv ? priv : str(g, at, "false"));
    const slsec_node *auth = get(ev, "authorizer");
    if (auth)
        rest_authorizer(g, &m, auth);
    else
        mb_put(g, &m, "AuthorizationType", at, str(g, at, "NONE"));
    const slsec_node *req = get(ev, "request");
    const slsec_node *schemas = get(req, "schemas");
    if (!schemas)
        schemas = get(req, "schema"); /* v2 */
    if (schemas) {
        const slsec_node *sat = key_at(req, get(req, "schemas") ? "schemas" : "schema", at);
        const char *vid = slsec_arena_printf(g->a, "%sValidator", id);
        mapb v = {0};
        mb_put(g, &v, "RestApiId", sat, rest_api_ref(g, sat));
        mb_put(g, &v, "ValidateRequestBody", sat, str(g, sat, "true"));
        mb_put(g, &v, "ValidateRequestParameters", sat, str(g, sat, "true"));
        add_resource(g, vid, sat, "AWS::ApiGateway::RequestValidator", mb_done(g, &v, sat));
        mb_put(g, &m, "RequestValidatorId", sat, ref(g, sat, vid));
    }
    mapb integ = {0};
    mb_put(g, &integ, "Type", at, str(g, at, "AWS_PROXY"));
    mb_put(g, &integ, "IntegrationHttpMethod", at, str(g, at, "POST"));
    mb_put(g, &integ, "Uri", at,
           sub(g, at, slsec_arena_printf(g->a, "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${%s.Arn}/invocations", fn->id)));
    mb_put(g, &m, "Integration", at, mb_done(g, &integ, at));
    add_resource(g, id, at, "AWS::ApiGateway::Method", mb_done(g, &m, at));
    add_permission(g, fn, "ApiGateway", at, "apigateway.amazonaws.com",
                   sub(g, at, "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGatewayRestApi}/*/*"));
}

/* provider.logs.restApi / httpApi: true or a mapping. The Framework then
 * makes the log group and points the stage's access logs at it; NULL when
 * logs are off. */
static const slsec_node *access_logs(gen *g, const slsec_node *logs, const char *group_id, const char *kind)
{
    if (!logs || !(truthy(logs) || slsec_node_is_map(logs)))
        return NULL;
    mapb lg = {0};
    mb_put(g, &lg, "LogGroupName", logs, str(g, logs, slsec_arena_printf(g->a, "/aws/%s/%s-%s", kind, g->service, g->stage)));
    add_resource(g, group_id, logs, "AWS::Logs::LogGroup", mb_done(g, &lg, logs));
    mapb als = {0};
    mb_put(g, &als, "DestinationArn", logs, getatt(g, logs, group_id, "Arn"));
    mb_put(g, &als, "Format", logs, str(g, logs, "$context.requestId"));
    return mb_done(g, &als, logs);
}

static void http_api(gen *g, const slsec_node *at)
{
    if (g->http_at)
        return;
    g->http_at = at;
    mapb m = {0};
    mb_put(g, &m, "Name", at, str(g, at, slsec_arena_printf(g->a, "%s-%s", g->stage, g->service)));
    mb_put(g, &m, "ProtocolType", at, str(g, at, "HTTP"));
    mb_put(g, &m, "CorsConfiguration", at, get2(g->provider, "httpApi", "cors"));
    add_resource(g, "HttpApi", at, "AWS::ApiGatewayV2::Api", mb_done(g, &m, at));
    mapb st = {0};
    mb_put(g, &st, "ApiId", at, ref(g, at, "HttpApi"));
    mb_put(g, &st, "StageName", at, str(g, at, "$default"));
    mb_put(g, &st, "AutoDeploy", at, str(g, at, "true"));
    const slsec_node *logs = get2(g->provider, "logs", "httpApi");
    mb_put(g, &st, "AccessLogSettings", logs, access_logs(g, logs, "HttpApiLogGroup", "http-api"));
    add_resource(g, "HttpApiStage", at, "AWS::ApiGatewayV2::Stage", mb_done(g, &st, at));
}

static void event_http_api(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const char *method = NULL, *path = NULL;
    const char *s = slsec_node_str(ev);
    if (s) {
        const char *sp = strchr(s, ' ');
        method = sp ? slsec_arena_strndup(g->a, s, (size_t)(sp - s)) : s;
        path = sp ? sp + 1 : NULL;
    } else {
        method = slsec_node_get_str(ev, "method");
        path = slsec_node_get_str(ev, "path");
    }
    if (!method) {
        warn(g, at, "httpApi event of %s without method; skipped", fn->key);
        return;
    }
    http_api(g, at);
    bool dflt = !strcmp(method, "*") && !path;
    const char *m_up = !strcmp(method, "*") ? "ANY" : upper_str(g, method);
    const char *key = dflt ? "$default" : slsec_arena_printf(g->a, "%s %s", m_up, path ? path : "/");
    const char *id = dflt ? "HttpApiRouteDefault"
                          : slsec_arena_printf(g->a, "HttpApiRoute%s%s", method_name(g, m_up), normalize_path(g, path ? path : ""));
    const char *integ_id = slsec_arena_printf(g->a, "HttpApiIntegration%s", fn->norm);
    mapb in = {0};
    mb_put(g, &in, "ApiId", at, ref(g, at, "HttpApi"));
    mb_put(g, &in, "IntegrationType", at, str(g, at, "AWS_PROXY"));
    mb_put(g, &in, "IntegrationUri", at, fn_arn(g, fn, at));
    mb_put(g, &in, "PayloadFormatVersion", at, str(g, at, "2.0"));
    add_resource(g, integ_id, at, "AWS::ApiGatewayV2::Integration", mb_done(g, &in, at));

    mapb m = {0};
    mb_put(g, &m, "ApiId", at, ref(g, at, "HttpApi"));
    mb_put(g, &m, "RouteKey", at, str(g, at, key));
    slsec_node *parts = slsec_node_new_seq(g->a, at, 2);
    parts->items[0] = str(g, at, "integrations");
    parts->items[1] = ref(g, at, integ_id);
    slsec_node *join = slsec_node_new_seq(g->a, at, 2);
    join->items[0] = str(g, at, "/");
    join->items[1] = parts;
    mb_put(g, &m, "Target", at, map1(g, at, "Fn::Join", join));
    const slsec_node *auth = get(ev, "authorizer");
    if (auth) {
        const char *type = slsec_node_get_str(auth, "type");
        const char *name = slsec_node_is_scalar(auth) ? slsec_node_str(auth) : slsec_node_get_str(auth, "name");
        const slsec_node *aat = key_at(ev, "authorizer", at);
        if ((type && !strcasecmp(type, "aws_iam")) || (name && !strcasecmp(name, "aws_iam"))) {
            mb_put(g, &m, "AuthorizationType", aat, str(g, aat, "AWS_IAM"));
        } else if (name) {
            const slsec_node *def = get(get2(g->provider, "httpApi", "authorizers"), name);
            if (!def)
                warn(g, aat, "httpApi authorizer %s is not defined under provider.httpApi.authorizers", name);
            const char *dtype = slsec_node_get_str(def, "type");
            bool lambda = dtype && !strcasecmp(dtype, "request");
            const char *aid = slsec_arena_printf(g->a, "HttpApiAuthorizer%s", normalize(g, name));
            const slsec_node *dat = def ? def : aat;
            mapb a = {0};
            mb_put(g, &a, "ApiId", dat, ref(g, dat, "HttpApi"));
            mb_put(g, &a, "Name", dat, str(g, dat, name));
            mb_put(g, &a, "AuthorizerType", dat, str(g, dat, lambda ? "REQUEST" : "JWT"));
            add_resource(g, aid, dat, "AWS::ApiGatewayV2::Authorizer", mb_done(g, &a, dat));
            mb_put(g, &m, "AuthorizationType", aat, str(g, aat, lambda ? "CUSTOM" : "JWT"));
            mb_put(g, &m, "AuthorizerId", aat, ref(g, aat, aid));
        }
    }
    add_resource(g, id, at, "AWS::ApiGatewayV2::Route", mb_done(g, &m, at));
    add_permission(g, fn, "HttpApi", at, "apigateway.amazonaws.com",
                   sub(g, at, "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"));
}

static void event_websocket(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const char *route = slsec_node_is_scalar(ev) ? slsec_node_str(ev) : slsec_node_get_str(ev, "route");
    if (!route) {
        warn(g, at, "websocket event of %s without route; skipped", fn->key);
        return;
    }
    if (!g->ws_at) {
        g->ws_at = at;
        mapb api = {0};
        mb_put(g, &api, "Name", at, str(g, at, slsec_arena_printf(g->a, "%s-%s-websockets", g->stage, g->service)));
        mb_put(g, &api, "ProtocolType", at, str(g, at, "WEBSOCKET"));
        mb_put(g, &api, "RouteSelectionExpression", at, str(g, at, "$request.body.action"));
        add_resource(g, "WebsocketsApi", at, "AWS::ApiGatewayV2::Api", mb_done(g, &api, at));
        mapb st = {0};
        mb_put(g, &st, "ApiId", at, ref(g, at, "WebsocketsApi"));
        mb_put(g, &st, "StageName", at, str(g, at, g->stage));
        add_resource(g, "WebsocketsDeploymentStage", at, "AWS::ApiGatewayV2::Stage", mb_done(g, &st, at));
    }
    const char *norm_route = normalize(g, route[0] == '$' ? slsec_arena_printf(g->a, "S%s", route + 1) : route);
    const char *integ_id = slsec_arena_printf(g->a, "%sWebsocketsIntegration", fn->norm);
    mapb in = {0};
    mb_put(g, &in, "ApiId", at, ref(g, at, "WebsocketsApi"));
    mb_put(g, &in, "IntegrationType", at, str(g, at, "AWS_PROXY"));
    mb_put(g, &in, "IntegrationUri", at,
           sub(g, at, slsec_arena_printf(g->a, "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${%s.Arn}/invocations", fn->id)));
    add_resource(g, integ_id, at, "AWS::ApiGatewayV2::Integration", mb_done(g, &in, at));
    mapb m = {0};
    mb_put(g, &m, "ApiId", at, ref(g, at, "WebsocketsApi"));
    mb_put(g, &m, "RouteKey", at, str(g, at, route));
    mb_put(g, &m, "Target", at, sub(g, at, slsec_arena_printf(g->a, "integrations/${%s}", integ_id)));
    const slsec_node *auth = get(ev, "authorizer");
    if (auth && !strcmp(route, "$connect")) {
        const char *name = slsec_node_is_scalar(auth) ? slsec_node_str(auth) : slsec_node_get_str(auth, "name");
        if (!name)
            name = "authorizer";
        const slsec_node *aat = key_at(ev, "authorizer", at);
        const char *aid = slsec_arena_printf(g->a, "%sWebsocketsAuthorizer", normalize(g, name));
        mapb a = {0};
        mb_put(g, &a, "ApiId", aat, ref(g, aat, "WebsocketsApi"));
        mb_put(g, &a, "Name", aat, str(g, aat, name));
        mb_put(g, &a, "AuthorizerType", aat, str(g, aat, "REQUEST"));
        add_resource(g, aid, aat, "AWS::ApiGatewayV2::Authorizer", mb_done(g, &a, aat));
        mb_put(g, &m, "AuthorizationType", aat, str(g, aat, "CUSTOM"));
        mb_put(g, &m, "AuthorizerId", aat, ref(g, aat, aid));
    }
    add_resource(g, slsec_arena_printf(g->a, "%sWebsocketsRoute", norm_route), at, "AWS::ApiGatewayV2::Route",
                 mb_done(g, &m, at));
    add_permission(g, fn, "Websockets", at, "apigateway.amazonaws.com", NULL);
}

static void event_source_mapping(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at, const char *kind,
                                 const slsec_node *arn)
{
    const char *id = slsec_arena_printf(g->a, "%sEventSourceMapping%s%s", fn->norm, kind, source_name(g, arn));
    mapb m = {0};
    mb_put(g, &m, "EventSourceArn", at, arn);
    mb_put(g, &m, "FunctionName", at, fn_arn(g, fn, at));
    mb_put(g, &m, "BatchSize", at, get(ev, "batchSize"));
    mb_put(g, &m, "StartingPosition", at, get(ev, "startingPosition"));
    mb_put(g, &m, "BisectBatchOnFunctionError", at, get(ev, "bisectBatchOnFunctionError"));
    mb_put(g, &m, "MaximumRetryAttempts", at, get(ev, "maximumRetryAttempts"));
    const slsec_node *of = get2(ev, "destinations", "onFailure");
    if (of)
        mb_put(g, &m, "DestinationConfig", at,
               map1(g, at, "OnFailure", map1(g, at, "Destination", slsec_node_is_map(of) && get(of, "arn") ? get(of, "arn") : of)));
    if (get(ev, "functionResponseType"))
        mb_put(g, &m, "FunctionResponseTypes", at, seq1(g, at, get(ev, "functionResponseType")));
    add_resource(g, id, at, "AWS::Lambda::EventSourceMapping", mb_done(g, &m, at));
}

static void event_sqs(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const slsec_node *arn = slsec_node_is_map(ev) && get(ev, "arn") ? get(ev, "arn") : ev;
    const char *k0 = slsec_node_is_map(ev) && ev->count == 1 ? slsec_node_str(ev->items[0]) : NULL;
    bool intrinsic = k0 && (!strcmp(k0, "Ref") || slsec_str_has_prefix(k0, "Fn::"));
    if (!ev || (slsec_node_is_map(ev) && !get(ev, "arn") && !ev->tag && !intrinsic) || slsec_node_is_seq(ev)) {
        warn(g, at, "sqs event of %s without arn; skipped", fn->key);
        return;
    }
    event_source_mapping(g, fn, ev, at, "SQS", arn);
    static const char *const acts[] = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"};
    role_grant(g, fn, at, acts, 3, arn);
}

static void event_stream(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const slsec_node *arn = slsec_node_is_map(ev) && get(ev, "arn") ? get(ev, "arn") : ev;
    const char *type = slsec_node_get_str(ev, "type");
    const char *s = slsec_node_str(arn);
    bool kinesis = type ? !strcasecmp(type, "kinesis") : (s && strstr(s, ":kinesis:"));
    event_source_mapping(g, fn, ev, at, kinesis ? "Kinesis" : "Dynamodb", arn);
    static const char *const ddb[] = {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream",
                                      "dynamodb:ListStreams"};
    static const char *const kin[] = {"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                                      "kinesis:ListStreams"};
    role_grant(g, fn, at, kinesis ? kin : ddb, 4, arn);
}

static void event_sns(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const slsec_node *arn = NULL;
    const char *topic = NULL;
    const char *s = slsec_node_str(ev);
    if (s && slsec_str_has_prefix(s, "arn:"))
        arn = ev;
    else if (s)
        topic = s;
    else if (slsec_node_is_map(ev) && (get(ev, "arn") || get(ev, "topicName"))) {
        arn = get(ev, "arn");
        topic = slsec_node_get_str(ev, "topicName");
    } else if (ev && ev->tag)
        arn = ev;
    if (!arn && !topic) {
        warn(g, at, "sns event of %s without topic; skipped", fn->key);
        return;
    }
    const char *norm = arn ? source_name(g, arn) : normalize(g, topic);
    if (!arn) {
        const char *tid = slsec_arena_printf(g->a, "SNSTopic%s", norm);
        add_resource(g, tid, at, "AWS::SNS::Topic", map1(g, at, "TopicName", str(g, at, topic)));
        arn = ref(g, at, tid);
    }
    mapb m = {0};
    mb_put(g, &m, "TopicArn", at, arn);
    mb_put(g, &m, "Protocol", at, str(g, at, "lambda"));
    mb_put(g, &m, "Endpoint", at, fn_arn(g, fn, at));
    mb_put(g, &m, "FilterPolicy", at, get(ev, "filterPolicy"));
    add_resource(g, slsec_arena_printf(g->a, "%sSnsSubscription%s", fn->norm, norm), at, "AWS::SNS::Subscription",
                 mb_done(g, &m, at));
    add_permission(g, fn, slsec_arena_printf(g->a, "%sSNS", norm), at, "sns.amazonaws.com", arn);
}

static void event_s3(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    const char *bucket = slsec_node_is_scalar(ev) ? slsec_node_str(ev) : slsec_node_get_str(ev, "bucket");
    if (!bucket || slsec_node_is_unknown(slsec_node_is_scalar(ev) ? ev : get(ev, "bucket"))) {
        warn(g, at, "s3 event of %s names no literal bucket; its trigger is not modelled", fn->key);
        return;
    }
    const char *norm = normalize(g, bucket);
    const char *id = slsec_arena_printf(g->a, "S3Bucket%s", norm);
    mapb conf = {0};
    const slsec_node *event = get(ev, "event");
    mb_put(g, &conf, "Event", at, event ? event : str(g, at, "s3:ObjectCreated:*"));
    mb_put(g, &conf, "Function", at, fn_arn(g, fn, at));
    s3_bucket *b = NULL;
    for (size_t i = 0; i < g->buckets.count && !b; i++)
        if (!strcmp(((s3_bucket *)g->buckets.items[i])->id, id))
            b = g->buckets.items[i];
    if (!b) {
        b = slsec_arena_alloc(g->a, sizeof *b);
        b->id = id;
        b->name = bucket;
        b->at = at;
        slsec_ptrvec_push(g->a, &g->buckets, b);
    }
    if (truthy(get(ev, "existing")))
        b->name = NULL; /* the Framework configures it through a custom resource */
    slsec_ptrvec_push(g->a, &b->configs, mb_done(g, &conf, at));
    add_permission(g, fn, slsec_arena_printf(g->a, "%sS3", norm), at, "s3.amazonaws.com",
                   str(g, at, slsec_arena_printf(g->a, "arn:aws:s3:::%s", bucket)));
}

static void emit_buckets(gen *g)
{
    for (size_t i = 0; i < g->buckets.count; i++) {
        s3_bucket *b = g->buckets.items[i];
        mapb m = {0};
        if (b->name)
            mb_put(g, &m, "BucketName", b->at, str(g, b->at, b->name));
        mb_put(g, &m, "NotificationConfiguration", b->at,
               map1(g, b->at, "LambdaConfigurations", seq_of(g, b->at, &b->configs)));
        /* An existing bucket is not created: its notifications are then
         * modelled on a resource of its own kind, outside the stores. */
        add_resource(g, b->id, b->at, b->name ? "AWS::S3::Bucket" : "Custom::S3", mb_done(g, &m, b->at));
    }
}

static void event_rule(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at, bool schedule)
{
    mapb m = {0};
    const char *id;
    if (schedule) {
        const slsec_node *rate = slsec_node_is_map(ev) ? get(ev, "rate") : ev;
        if (slsec_node_is_seq(rate) && rate->count)
            rate = rate->items[0];
        mb_put(g, &m, "ScheduleExpression", at, rate ? rate : str(g, at, "rate(1 day)"));
        const slsec_node *en = get(ev, "enabled");
        mb_put(g, &m, "State", at, str(g, at, en && !truthy(en) ? "DISABLED" : "ENABLED"));
        id = slsec_arena_printf(g->a, "%sEventsRuleSchedule%zu", fn->norm, ++fn->n_schedule);
    } else {
        mb_put(g, &m, "EventBusName", at, get(ev, "eventBus"));
        mb_put(g, &m, "EventPattern", at, get(ev, "pattern"));
        mb_put(g, &m, "ScheduleExpression", at, get(ev, "schedule"));
        id = slsec_arena_printf(g->a, "%sEventBridgeRule%zu", fn->norm, ++fn->n_bridge);
    }
    mapb t = {0};
    mb_put(g, &t, "Arn", at, fn_arn(g, fn, at));
    mb_put(g, &t, "Id", at, str(g, at, slsec_arena_printf(g->a, "%sTarget", id)));
    mb_put(g, &m, "Targets", at, seq1(g, at, mb_done(g, &t, at)));
    add_resource(g, id, at, "AWS::Events::Rule", mb_done(g, &m, at));
    add_permission(g, fn, id, at, "events.amazonaws.com", getatt(g, at, id, "Arn"));
}

typedef void (*event_fn)(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at);

static void event_schedule(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    event_rule(g, fn, ev, at, true);
}

static void event_bridge(gen *g, fn_gen *fn, const slsec_node *ev, const slsec_node *at)
{
    event_rule(g, fn, ev, at, false);
}

static const struct {
    const char *name;
    event_fn fn;
} event_types[] = {
    {"http", event_http},     {"httpApi", event_http_api}, {"websocket", event_websocket},
    {"sqs", event_sqs},       {"stream", event_stream},    {"sns", event_sns},
    {"s3", event_s3},         {"schedule", event_schedule}, {"eventBridge", event_bridge},
};

static void events(gen *g, fn_gen *fn)
{
    const slsec_node *evs = get(fn->f, "events");
    for (size_t i = 0; slsec_node_is_seq(evs) && i < evs->count; i++) {
        const slsec_node *e = evs->items[i];
        if (!slsec_node_is_map(e) || e->count != 1 || !slsec_node_str(e->items[0]))
            continue;
        const char *type = e->items[0]->str;
        size_t k = 0;
        while (k < sizeof event_types / sizeof event_types[0] && strcmp(event_types[k].name, type) != 0)
            k++;
        if (k == sizeof event_types / sizeof event_types[0]) {
            warn(g, e->items[0], "event type %s of function %s is not modelled", type, fn->key);
            continue;
        }
        event_types[k].fn(g, fn, e->items[1], e->items[0]);
    }
}

static void function(gen *g, const slsec_node *key, const slsec_node *f, bool plugin)
{
    fn_gen *fn = slsec_arena_alloc(g->a, sizeof *fn);
    fn->key = key->str;
    fn->norm = normalize(g, key->str);
    fn->id = slsec_arena_printf(g->a, "%sLambdaFunction", fn->norm);
    const char *name = slsec_node_get_str(f, "name");
    fn->name = name ? name : slsec_arena_printf(g->a, "%s-%s-%s", g->service, g->stage, key->str);
    fn->at = key;
    fn->f = f;

    const slsec_node *role = get(f, "role");
    const slsec_node *prole = get2(g->provider, "iam", "role");
    if (!role && prole && !slsec_node_is_map(prole))
        role = prole; /* iam.role names an existing role */
    if (!role && prole && slsec_node_is_map(prole) && prole->tag)
        role = prole;
    if (!role)
        role = get(g->provider, "role"); /* v2 */
    const slsec_node *role_value;
    bool in_vpc = vpc_config(g, fn) != NULL;
    const slsec_node *own = get(f, "iamRoleStatements");
    if (role) {
        role_value = arn_or_ref(g, role);
    } else if (own && plugin) {
        const char *rid = slsec_arena_printf(g->a, "%sIamRoleLambdaExecution", fn->norm);
        fn->role = new_role(g, rid, key_at(f, "iamRoleStatements", key), slsec_arena_printf(g->a, "/aws/lambda/%s", fn->name));
        push_statements(g, fn->role, own);
        if (truthy(get(f, "iamRoleStatementsInherit")) ||
            truthy(get2(get2(g->cfg, "custom", "serverless-iam-roles-per-function"), "defaultInherit", NULL)))
            provider_iam(g, fn->role);
        fn->role->vpc = in_vpc;
        role_value = getatt(g, key, rid, "Arn");
    } else {
        if (own)
            warn(g, key_at(f, "iamRoleStatements", key),
                 "function %s has iamRoleStatements but the serverless-iam-roles-per-function plugin is not listed "
                 "under plugins: the Framework ignores them",
                 fn->key);
        if (!g->shared) {
            g->shared = new_role(g, "IamRoleLambdaExecution", provider_role_anchor(g),
                                 slsec_arena_printf(g->a, "/aws/lambda/%s-%s*", g->service, g->stage));
            provider_iam(g, g->shared);
        }
        fn->role = g->shared;
        fn->role->vpc |= in_vpc;
        role_value = getatt(g, key, "IamRoleLambdaExecution", "Arn");
    }
    const slsec_node *tat;
    const char *mode = tracing_mode(g, fn, &tat);
    if (fn->role && mode && !strcmp(mode, "Active")) {
        static const char *const xray[] = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"};
        slsec_ptrvec_push(g->a, &fn->role->statements, statement(g, tat, xray, 2, seq1(g, tat, str(g, tat, "*"))));
    }
    log_group(g, fn);
    lambda_function(g, fn, role_value);
    function_url(g, fn);
    destinations(g, fn);
    events(g, fn);
    long pc;
    const slsec_node *pcn = get(f, "provisionedConcurrency");
    if (pcn && slsec_node_long(pcn, &pc)) {
        post_fix *p = slsec_arena_alloc(g->a, sizeof *p);
        p->function_id = fn->id;
        p->provisioned = pc;
        slsec_ptrvec_push(g->a, &g->post, p);
    }
}

/* ---- resources: ------------------------------------------------------------------- */

/* The Framework merges `resources:` over what it generated, key by key
 * (lodash merge): maps merge, anything else is replaced. */
/* Keys of a map → their value nodes, for the merge's lookups. */
/* A map's keys → 1 + the position of each one's first occurrence. */
static slsec_strmap *key_positions(gen *g, const slsec_node *m)
{
    slsec_strmap *idx = slsec_strmap_new(g->a);
    for (size_t i = 0; i < m->count; i++) {
        const char *k = slsec_node_str(m->items[2 * i]);
        if (k && !slsec_strmap_get(idx, k))
            slsec_strmap_put(idx, k, (void *)(uintptr_t)(i + 1));
    }
    return idx;
}

/* base with over laid on it: a key of both has its values merged (maps)
 * or over's value; over's other keys follow base's. Only over, the small
 * side (resources: over thousands of generated ones), is indexed. */
static const slsec_node *merge(gen *g, const slsec_node *base, const slsec_node *over, int depth)
{
    if (!base || depth > 64)
        return over;
    if (!slsec_node_is_map(base) || !slsec_node_is_map(over) || base->tag || over->tag)
        return over;
    slsec_strmap *in_over = key_positions(g, over);
    bool *also_in_base = slsec_arena_alloc(g->a, over->count ? over->count : 1);
    mapb m = {0};
    for (size_t i = 0; i < base->count; i++) {
        const char *k = slsec_node_str(base->items[2 * i]);
        size_t pos = k ? (size_t)(uintptr_t)slsec_strmap_get(in_over, k) : 0;
        const slsec_node *value = base->items[2 * i + 1];
        if (pos) {
            also_in_base[pos - 1] = true;
            value = merge(g, value, over->items[2 * (pos - 1) + 1], depth + 1);
        }
        mb_pair(g, &m, base->items[2 * i], value);
    }
    for (size_t i = 0; i < over->count; i++) {
        const char *k = slsec_node_str(over->items[2 * i]);
        size_t pos = k ? (size_t)(uintptr_t)slsec_strmap_get(in_over, k) : 0;
        if (pos && also_in_base[pos - 1])
            continue;
        mb_pair(g, &m, over->items[2 * i], over->items[2 * i + 1]);
    }
    return mb_done(g, &m, over);
}

static void merge_section(gen *g, const slsec_node **acc, const slsec_node *part)
{
    if (slsec_node_is_map(part))
        *acc = *acc ? merge(g, *acc, part, 0) : part;
}

/* ---- loading ------------------------------------------------------------------------ */

static const char *service_name(const slsec_node *cfg)
{
    const slsec_node *s = get(cfg, "service");
    const char *n = slsec_node_is_map(s) ? slsec_node_get_str(s, "name") : slsec_node_str(s);
    return n && *n ? n : "service";
}

static void post_load(gen *g, slsec_app *app, size_t first_resource)
{
    for (size_t i = first_resource; i < app->resources.count; i++) {
        slsec_resource *r = app->resources.items[i];
        if (slsec_strmap_get(g->ids, r->id) && !user_resource(g, r->id))
            r->generated = true;
    }
    /* Generated roles stay `implicit = false`: rules word implicit roles as
     * SAM's one-role-per-function, which the Framework's shared role is not;
     * resource->generated says the Framework made them. */
    for (size_t i = 0; i < g->post.count; i++) {
        post_fix *p = g->post.items[i];
        for (size_t k = 0; k < app->functions.count; k++) {
            slsec_function *fn = app->functions.items[k];
            if (fn->loc.file == g->relpath && !strcmp(fn->id, p->function_id))
                fn->provisioned_concurrency = p->provisioned;
        }
    }
    slsec_template *t = app->templates.count ? app->templates.items[app->templates.count - 1] : NULL;
    if (t && t->file == g->relpath)
        t->format = "serverless";
}

int slsec_load_serverless(slsec_app *app, const slsec_doc *doc, const char *relpath, const slsec_serverless_opts *opts,
                          slsec_diags *warnings, slsec_diag *err)
{
    const slsec_node *root = doc->root;
    if (!slsec_serverless_is_config(root)) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, root ? (int)root->line : 1, root ? (int)root->col : 1,
                       "not a Serverless Framework configuration (expected `service` and a `provider` or "
                       "`functions` mapping)");
        return SLSEC_ENOTTEMPLATE;
    }
    gen gg = {0}, *g = &gg;
    g->a = app->arena;
    g->relpath = relpath;
    g->warnings = warnings;
    int rc = sls_vars_resolve(g->a, root, relpath, opts, warnings, &g->cfg, err);
    if (rc != SLSEC_OK)
        return rc;
    g->provider = get(g->cfg, "provider");
    const char *pname = slsec_node_get_str(g->provider, "name");
    if (pname && strcmp(pname, "aws") != 0) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, (int)g->provider->line, (int)g->provider->col,
                       "provider %s is not supported: slsec models AWS services only", pname);
        return SLSEC_ENOTTEMPLATE;
    }
    g->service = service_name(g->cfg);
    const char *stage = slsec_node_get_str(g->provider, "stage");
    g->stage = stage && !slsec_node_is_unknown(get(g->provider, "stage")) ? stage : "dev";
    if (opts && opts->options)
        for (const char *const *o = opts->options; *o; o++)
            if (slsec_str_has_prefix(*o, "stage="))
                g->stage = *o + 6;
    g->ids = slsec_strmap_new(g->a);
    g->user_resources = get(g->cfg, "resources");
    g->rest_api_id = get2(g->provider, "apiGateway", "restApiId");

    /* functions: a mapping, or a list of mappings (often ${file()}s). */
    const slsec_node *fns = get(g->cfg, "functions");
    bool list = slsec_node_is_seq(fns);
    for (size_t i = 0; list && i < fns->count; i++)
        list = slsec_node_is_map(fns->items[i]);
    if (fns && !slsec_node_is_map(fns) && !list) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, (int)fns->line, (int)fns->col,
                       "functions must be a mapping of function names to functions (or a list of such "
                       "mappings), found %s",
                       fns->kind == SLSEC_NODE_SEQ ? "a list of other things" : "a scalar");
        return SLSEC_ESTRUCTURE;
    }
    g->functions = fns;
    bool plugin = per_function_plugin(g);
    for (size_t p = 0; fns && p < (list ? fns->count : 1); p++) {
        const slsec_node *part = list ? fns->items[p] : fns;
        for (size_t i = 0; i < part->count; i++) {
            const slsec_node *k = part->items[2 * i], *f = part->items[2 * i + 1];
            if (!slsec_node_str(k) || !k->str[0] || !slsec_node_is_map(f)) {
                warn(g, k, "function entry that is not a name with a mapping; skipped");
                continue;
            }
            function(g, k, f, plugin);
        }
    }
    for (size_t i = 0; i < g->roles.count; i++)
        emit_role(g, g->roles.items[i]);
    emit_buckets(g);
    if (g->rest_at) {
        const slsec_node *at = g->rest_at;
        mapb dep = {0};
        mb_put(g, &dep, "RestApiId", at, ref(g, at, "ApiGatewayRestApi"));
        mb_put(g, &dep, "StageName", at, str(g, at, g->stage));
        mapb desc = {0};
        const slsec_node *tr = get2(g->provider, "tracing", "apiGateway");
        mb_put(g, &desc, "TracingEnabled", tr, tr);
        const slsec_node *logs = get2(g->provider, "logs", "restApi");
        mb_put(g, &desc, "AccessLogSetting", logs, access_logs(g, logs, "ApiGatewayLogGroup", "api-gateway"));
        if (desc.kv.count)
            mb_put(g, &dep, "StageDescription", at, mb_done(g, &desc, at));
        add_resource(g, "ApiGatewayDeployment", at, "AWS::ApiGateway::Deployment", mb_done(g, &dep, at));
        const slsec_node *plan = get2(g->provider, "apiGateway", "usagePlan");
        if (!plan)
            plan = get(g->provider, "usagePlan"); /* v2 */
        if (slsec_node_is_map(plan)) {
            mapb up = {0};
            mapb stage_ref = {0};
            mb_put(g, &stage_ref, "ApiId", plan, ref(g, plan, "ApiGatewayRestApi"));
            mb_put(g, &stage_ref, "Stage", plan, str(g, plan, g->stage));
            mb_put(g, &up, "ApiStages", plan, seq1(g, plan, mb_done(g, &stage_ref, plan)));
            const slsec_node *th = get(plan, "throttle");
            if (slsec_node_is_map(th)) {
                mapb t = {0};
                mb_put(g, &t, "BurstLimit", th, get(th, "burstLimit"));
                mb_put(g, &t, "RateLimit", th, get(th, "rateLimit"));
                mb_put(g, &up, "Throttle", th, mb_done(g, &t, th));
            }
            add_resource(g, "ApiGatewayUsagePlan", plan, "AWS::ApiGateway::UsagePlan", mb_done(g, &up, plan));
        }
    }

    /* resources: a mapping, or a list of them (often ${file()}s). */
    const slsec_node *user_res = NULL, *outputs = NULL, *conditions = NULL, *extensions = NULL;
    const slsec_node *ur = g->user_resources;
    for (size_t i = 0; ur && i < (slsec_node_is_seq(ur) ? ur->count : 1); i++) {
        const slsec_node *part = slsec_node_is_seq(ur) ? ur->items[i] : ur;
        merge_section(g, &user_res, get(part, "Resources"));
        merge_section(g, &outputs, get(part, "Outputs"));
        merge_section(g, &conditions, get(part, "Conditions"));
        merge_section(g, &extensions, get(part, "extensions"));
    }
    const slsec_node *at = root;
    const slsec_node *generated = mb_done(g, &g->resources, key_at(g->cfg, "functions", at));
    const slsec_node *all = merge(g, generated, user_res ? user_res : slsec_node_new_map(g->a, at, 0), 0);
    if (extensions)
        all = merge(g, all, extensions, 0);
    mapb tmpl = {0};
    mb_put(g, &tmpl, "AWSTemplateFormatVersion", at, str(g, at, "2010-09-09"));
    mb_put(g, &tmpl, "Conditions", at, conditions);
    mb_put(g, &tmpl, "Resources", at, all);
    mb_put(g, &tmpl, "Outputs", at, outputs);
    slsec_doc tdoc = {.file = relpath, .root = mb_done(g, &tmpl, at), .node_count = doc->node_count};
    size_t first = app->resources.count;
    rc = slsec_load_cfn(app, &tdoc, relpath, warnings, err);
    if (rc != SLSEC_OK)
        return rc;
    post_load(g, app, first);
    return SLSEC_OK;
}
