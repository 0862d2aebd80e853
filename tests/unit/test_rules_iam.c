/*
 * test_rules_iam.c — the IAM, FN and PIPE rule families, one rule at a
 * time, on small applications built by hand in the model (no template, no
 * loader): what fires, what stays silent, what the message names, and
 * that unknown values never produce findings. Also the runtime table's
 * date arithmetic and the catalogue entries of the three families.
 */
#include "slsec/rules.h"
#include "rules/runtimes.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* ---- building an app --------------------------------------------------------- */

static const char *const FILE_NAME = "template.yaml";
static uint32_t next_line;

static slsec_loc here(void)
{
    slsec_loc l = {FILE_NAME, (int)++next_line, 3};
    return l;
}

static slsec_node *scalar(slsec_app *app, const char *s)
{
    slsec_node at = {0};
    at.file = FILE_NAME;
    at.line = ++next_line;
    at.col = 5;
    return slsec_node_new_scalar(app->arena, &at, s, SLSEC_NF_QUOTED);
}

static slsec_node *unknown(slsec_app *app, const char *symbol)
{
    slsec_node at = {0};
    at.file = FILE_NAME;
    at.line = ++next_line;
    return slsec_node_new_scalar(app->arena, &at, symbol, SLSEC_NF_UNKNOWN);
}

static slsec_resource *resource(slsec_app *app, const char *id, const char *type)
{
    slsec_resource *r = slsec_arena_alloc(app->arena, sizeof *r);
    r->id = id;
    r->type = type;
    r->loc = here();
    slsec_ptrvec_push(app->arena, &app->resources, r);
    return r;
}

static slsec_function *function(slsec_app *app, const char *id)
{
    slsec_function *fn = slsec_arena_alloc(app->arena, sizeof *fn);
    fn->id = id;
    fn->resource = resource(app, id, "AWS::Serverless::Function");
    fn->loc = fn->resource->loc;
    fn->sam = true;
    fn->runtime = "python3.13";
    fn->timeout = SLSEC_NUM_UNSET;
    fn->timeout_loc = fn->loc;
    fn->memory = SLSEC_NUM_UNSET;
    fn->reserved_concurrency = 10;
    fn->provisioned_concurrency = SLSEC_NUM_UNSET;
    fn->tracing_active = SLSEC_YES;
    fn->has_dlq = SLSEC_NO;
    fn->has_on_failure = SLSEC_NO;
    fn->code_signing = SLSEC_YES;
    slsec_ptrvec_push(app->arena, &app->functions, fn);
    return fn;
}

static slsec_role *role(slsec_app *app, const char *id)
{
    slsec_role *r = slsec_arena_alloc(app->arena, sizeof *r);
    r->id = id;
    r->resource = resource(app, id, "AWS::IAM::Role");
    r->loc = r->resource->loc;
    slsec_ptrvec_push(app->arena, &app->roles, r);
    return r;
}

static void use_role(slsec_app *app, slsec_function *fn, slsec_role *r)
{
    fn->role = r;
    slsec_ptrvec_push(app->arena, &r->functions, fn);
}

static slsec_policy *policy(slsec_app *app, slsec_role *r, slsec_policy_kind kind, const char *name)
{
    slsec_policy *p = slsec_arena_alloc(app->arena, sizeof *p);
    p->kind = kind;
    p->name = name;
    p->loc = here();
    if (r)
        slsec_ptrvec_push(app->arena, &r->policies, p);
    return p;
}

/* A statement; actions and resources as NULL-terminated lists, "?x" for an
 * unknown value. */
static slsec_statement *statement(slsec_app *app, slsec_policy *p, bool allow, const char *const *actions,
                                  const char *const *resources)
{
    slsec_statement *s = slsec_arena_alloc(app->arena, sizeof *s);
    s->loc = here();
    s->allow = allow;
    for (const char *const *a = actions; a && *a; a++)
        slsec_ptrvec_push(app->arena, &s->actions, (*a)[0] == '?' ? unknown(app, *a + 1) : scalar(app, *a));
    for (const char *const *r = resources; r && *r; r++)
        slsec_ptrvec_push(app->arena, &s->resources, (*r)[0] == '?' ? unknown(app, *r + 1) : scalar(app, *r));
    if (p)
        slsec_ptrvec_push(app->arena, &p->statements, s);
    return s;
}

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define STAR LIST("*")

static slsec_trigger *trigger(slsec_app *app, slsec_function *fn, slsec_trigger_kind kind, const char *name)
{
    slsec_trigger *t = slsec_arena_alloc(app->arena, sizeof *t);
    t->kind = kind;
    t->name = name;
    t->loc = here();
    t->function = fn;
    slsec_ptrvec_push(app->arena, &fn->triggers, t);
    return t;
}

static void env(slsec_app *app, slsec_function *fn, const char *name, slsec_node *value)
{
    slsec_env_var *v = slsec_arena_alloc(app->arena, sizeof *v);
    v->name = name;
    v->value = value;
    v->loc = here();
    slsec_ptrvec_push(app->arena, &fn->env, v);
}

/* ---- running one rule -------------------------------------------------------- */

typedef struct run {
    slsec_arena *arena;
    slsec_ptrvec findings;
} run;

static bool only_rule(const slsec_rule *rule, void *user)
{
    return strcmp(rule->id, (const char *)user) == 0;
}

static size_t run_rule_with(run *r, const slsec_app *app, const char *id, const slsec_settings *settings)
{
    if (!r->arena)
        r->arena = slsec_arena_new();
    r->findings.count = 0;
    slsec_rules_run(app, settings, r->arena, only_rule, (void *)id, &r->findings);
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        assert_string_equal(f->rule->id, id);
        assert_non_null(f->message);
        assert_int_equal(strlen(f->fingerprint), 32);
    }
    return r->findings.count;
}

static size_t run_rule(run *r, const slsec_app *app, const char *id)
{
    slsec_settings s;
    slsec_settings_default(&s);
    s.today = "2026-11-29";
    return run_rule_with(r, app, id, &s);
}

static const slsec_finding *nth(const run *r, size_t i)
{
    assert_true(i < r->findings.count);
    return r->findings.items[i];
}

static void run_done(run *r)
{
    slsec_arena_free(r->arena);
    r->arena = NULL;
}

#define assert_contains(hay, needle)                                                                          \
    do {                                                                                                      \
        if (!strstr((hay), (needle)))                                                                         \
            fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));                                      \
    } while (0)

/* ---- IAM-001 --------------------------------------------------------------------- */

static void test_iam001_wildcard_actions(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *orders = role(app, "OrdersRole");
    use_role(app, function(app, "CreateOrder"), orders);
    use_role(app, function(app, "GetOrder"), orders);
    use_role(app, function(app, "Worker"), orders);
    slsec_policy *p = policy(app, orders, SLSEC_POLICY_INLINE, "Orders");
    statement(app, p, true, LIST("dynamodb:*"), STAR);
    statement(app, p, true, LIST("s3:GetObject", "?Param"), STAR); /* scoped, unknown: silent */
    statement(app, p, false, LIST("*"), STAR);                      /* Deny */
    statement(app, p, true, LIST("DynamoDB:*"), LIST("arn:aws:dynamodb:::table/x")); /* same action again */

    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-001"), 1);
    const slsec_finding *f = nth(&r, 0);
    assert_string_equal(f->resource, "OrdersRole");
    assert_string_equal(f->resource_type, "AWS::IAM::Role");
    assert_contains(f->message, "role OrdersRole grants dynamodb:*");
    assert_contains(f->message, "on *");
    assert_contains(f->message, "to 3 functions (CreateOrder, GetOrder, Worker)");
    assert_contains(f->message, "inline policy Orders");
    assert_int_equal(f->related_count, 1);
    assert_int_equal(f->loc.line, ((slsec_statement *)p->statements.items[0])->loc.line);

    /* "*" alone is reported too; NotAction is IAM-006's. */
    slsec_policy *q = policy(app, orders, SLSEC_POLICY_INLINE, "Admin");
    statement(app, q, true, LIST("*"), STAR);
    slsec_statement *na = statement(app, q, true, LIST("s3:*"), STAR);
    na->not_action = true;
    assert_int_equal(run_rule(&r, app, "IAM-001"), 2);
    assert_contains(nth(&r, 1)->message, "every action of every AWS service");
    run_done(&r);
    slsec_app_free(app);
}

static void test_iam001_fingerprint_ignores_lines(void **state)
{
    (void)state;
    char fp[2][33];
    for (int k = 0; k < 2; k++) {
        next_line = k ? 500 : 0;
        slsec_app *app = slsec_app_new();
        slsec_role *rl = role(app, "R");
        statement(app, policy(app, rl, SLSEC_POLICY_INLINE, "P"), true, LIST("s3:*"), STAR);
        run r = {0};
        assert_int_equal(run_rule(&r, app, "IAM-001"), 1);
        memcpy(fp[k], nth(&r, 0)->fingerprint, 33);
        run_done(&r);
        slsec_app_free(app);
    }
    assert_string_equal(fp[0], fp[1]);
}

static void test_iam001_implicit_role_names_function(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *fn = function(app, "Thumbnail");
    slsec_role *rl = role(app, "ThumbnailRole");
    rl->implicit = true;
    use_role(app, fn, rl);
    slsec_policy *p = policy(app, rl, SLSEC_POLICY_INLINE, "ThumbnailRolePolicy");
    slsec_statement *s = statement(app, p, true, LIST("s3:*"), STAR);
    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-001"), 1);
    assert_string_equal(nth(&r, 0)->resource, "ThumbnailRole");
    assert_contains(nth(&r, 0)->message, "function Thumbnail");
    assert_int_equal(nth(&r, 0)->loc.line, s->loc.line);
    run_done(&r);
    slsec_app_free(app);
}

static void test_iam001_standalone_policy(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *rl = role(app, "R");
    slsec_policy *held = policy(app, rl, SLSEC_POLICY_INLINE, "Held");
    held->resource_id = "HeldPolicy";
    statement(app, held, true, LIST("sqs:*"), STAR);
    slsec_ptrvec_push(app->arena, &app->policies, held);
    slsec_policy *loose = policy(app, NULL, SLSEC_POLICY_CUSTOMER, "Loose");
    loose->resource_id = "LoosePolicy";
    statement(app, loose, true, LIST("*"), STAR);
    slsec_ptrvec_push(app->arena, &app->policies, loose);
    run r = {0};
    /* The held one once, through its role; the loose one on its own. */
    assert_int_equal(run_rule(&r, app, "IAM-001"), 2);
    assert_string_equal(nth(&r, 0)->resource, "R");
    assert_string_equal(nth(&r, 1)->resource, "LoosePolicy");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- IAM-002 --------------------------------------------------------------------- */

static size_t write_on_star(const char *action, const char *resource)
{
    slsec_app *app = slsec_app_new();
    slsec_role *rl = role(app, "R");
    statement(app, policy(app, rl, SLSEC_POLICY_INLINE, "P"), true, LIST(action), LIST(resource));
    run r = {0};
    size_t n = run_rule(&r, app, "IAM-002");
    run_done(&r);
    slsec_app_free(app);
    return n;
}

static void test_iam002_write_actions(void **state)
{
    (void)state;
    assert_int_equal(write_on_star("s3:PutObject", "*"), 1);
    assert_int_equal(write_on_star("dynamodb:DeleteItem", "*"), 1);
    assert_int_equal(write_on_star("dynamodb:BatchWriteItem", "*"), 1);
    assert_int_equal(write_on_star("dynamodb:TransactWriteItems", "*"), 1);
    assert_int_equal(write_on_star("iam:AttachRolePolicy", "*"), 1);
    assert_int_equal(write_on_star("sns:Publish", "*"), 1);
    assert_int_equal(write_on_star("lambda:InvokeFunction", "*"), 1);
    assert_int_equal(write_on_star("s3:Put*", "*"), 1);
    assert_int_equal(write_on_star("s3:P*", "*"), 1);
    assert_int_equal(write_on_star("s3:*Object", "*"), 1);
    assert_int_equal(write_on_star("s3:*", "*"), 1);
    assert_int_equal(write_on_star("*", "*"), 1);

    assert_int_equal(write_on_star("s3:GetObject", "*"), 0);
    assert_int_equal(write_on_star("s3:Get*", "*"), 0);
    assert_int_equal(write_on_star("s3:ListBucket", "*"), 0);
    assert_int_equal(write_on_star("dynamodb:BatchGetItem", "*"), 0);
    assert_int_equal(write_on_star("dynamodb:Query", "*"), 0);
    assert_int_equal(write_on_star("ec2:DescribeInstances", "*"), 0);
    assert_int_equal(write_on_star("ssm:GetParametersByPath", "*"), 0);
    /* "Set" must start a word: GetSettings-like names are not SetX. */
    assert_int_equal(write_on_star("foo:Settings", "*"), 0);
    /* Lambda's basic execution shape. */
    assert_int_equal(write_on_star("iam:PassRole", "*"), 0); /* IAM-004 reports it */
    assert_int_equal(write_on_star("logs:CreateLogStream", "*"), 0);
    assert_int_equal(write_on_star("logs:PutLogEvents", "*"), 0);
    assert_int_equal(write_on_star("xray:PutTraceSegments", "*"), 0);
    assert_int_equal(write_on_star("ec2:CreateNetworkInterface", "*"), 0);
    /* Scoped or unknown. */
    assert_int_equal(write_on_star("s3:PutObject", "arn:aws:s3:::bucket/*"), 0);
    assert_int_equal(write_on_star("s3:PutObject", "?Bucket"), 0);
    assert_int_equal(write_on_star("?Action", "*"), 0);
}

static void test_iam002_one_finding_per_statement(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *rl = role(app, "R");
    use_role(app, function(app, "F"), rl);
    slsec_policy *p = policy(app, rl, SLSEC_POLICY_INLINE, "P");
    statement(app, p, true, LIST("s3:PutObject", "s3:GetObject", "s3:DeleteObject", "logs:PutLogEvents"), STAR);
    slsec_statement *nr = statement(app, p, true, LIST("sqs:SendMessage"), LIST("arn:aws:sqs:::q"));
    nr->not_resource = true; /* every resource but one */
    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-002"), 2);
    assert_contains(nth(&r, 0)->message, "write access (s3:PutObject, s3:DeleteObject) on *");
    assert_contains(nth(&r, 0)->message, "to function F");
    assert_true(strstr(nth(&r, 0)->message, "GetObject") == NULL);
    assert_true(strstr(nth(&r, 0)->message, "PutLogEvents") == NULL);
    assert_string_not_equal(nth(&r, 0)->fingerprint, nth(&r, 1)->fingerprint);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- IAM-003 --------------------------------------------------------------------- */

static void test_iam003_admin_policies(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *rl = role(app, "R");
    use_role(app, function(app, "F"), rl);
    policy(app, rl, SLSEC_POLICY_AWS_MANAGED, "service-role/AWSLambdaBasicExecutionRole");
    policy(app, rl, SLSEC_POLICY_AWS_MANAGED, "AmazonS3ReadOnlyAccess");
    slsec_policy *admin = policy(app, rl, SLSEC_POLICY_AWS_MANAGED, "AdministratorAccess");
    policy(app, rl, SLSEC_POLICY_AWS_MANAGED, "AmazonDynamoDBFullAccess");
    policy(app, rl, SLSEC_POLICY_AWS_MANAGED, "AWSLambda_FullAccess");
    policy(app, rl, SLSEC_POLICY_AWS_MANAGED, "SecretsManagerReadWrite");
    policy(app, rl, SLSEC_POLICY_CUSTOMER, "AdministratorAccess"); /* a customer policy of that name */
    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-003"), 4);
    assert_int_equal(nth(&r, 0)->loc.line, admin->loc.line);
    assert_contains(nth(&r, 0)->message, "role R has the AWS managed policy AdministratorAccess attached");
    assert_contains(nth(&r, 0)->message, "given to function F");
    assert_string_equal(nth(&r, 0)->key, "AdministratorAccess");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- IAM-004 --------------------------------------------------------------------- */

static size_t passrole(const char *const *actions, const char *const *resources, bool not_action)
{
    slsec_app *app = slsec_app_new();
    slsec_role *rl = role(app, "R");
    slsec_statement *s = statement(app, policy(app, rl, SLSEC_POLICY_INLINE, "P"), true, actions, resources);
    s->not_action = not_action;
    run r = {0};
    size_t n = run_rule(&r, app, "IAM-004");
    run_done(&r);
    slsec_app_free(app);
    return n;
}

static void test_iam004_passrole(void **state)
{
    (void)state;
    assert_int_equal(passrole(LIST("iam:PassRole"), STAR, false), 1);
    assert_int_equal(passrole(LIST("iam:passrole"), STAR, false), 1);
    assert_int_equal(passrole(LIST("iam:*"), STAR, false), 1);
    assert_int_equal(passrole(LIST("*"), STAR, false), 1);
    assert_int_equal(passrole(LIST("iam:Pass*"), STAR, false), 1);
    assert_int_equal(passrole(LIST("s3:*"), STAR, true), 1); /* NotAction s3:* */
    assert_int_equal(passrole(LIST("iam:PassRole"), LIST("arn:aws:iam::1:role/x"), false), 0);
    assert_int_equal(passrole(LIST("iam:GetRole"), STAR, false), 0);
    assert_int_equal(passrole(LIST("iam:PassRole"), LIST("?Role"), false), 0);
    assert_int_equal(passrole(LIST("?Excluded"), STAR, true), 0); /* NotAction unknown */
    assert_int_equal(passrole(LIST("iam:*"), STAR, true), 0);     /* NotAction iam:* */
}

/* ---- IAM-005 --------------------------------------------------------------------- */

static void test_iam005_escalation(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *a = role(app, "A");
    slsec_policy *p = policy(app, a, SLSEC_POLICY_INLINE, "P");
    statement(app, p, true, LIST("iam:PutRolePolicy"), LIST("arn:aws:iam::1:role/me"));
    statement(app, p, true, LIST("iam:AttachRolePolicy", "iam:CreateAccessKey"), STAR);
    slsec_role *b = role(app, "B");
    slsec_policy *q = policy(app, b, SLSEC_POLICY_INLINE, "Q");
    statement(app, q, true, LIST("lambda:CreateFunction"), STAR);
    statement(app, q, true, LIST("iam:PassRole"), LIST("arn:aws:iam::1:role/worker"));
    slsec_role *c = role(app, "C");
    statement(app, policy(app, c, SLSEC_POLICY_INLINE, "R"), true, LIST("lambda:UpdateFunctionCode"), STAR);
    slsec_role *d = role(app, "D");
    statement(app, policy(app, d, SLSEC_POLICY_INLINE, "S"), true, LIST("sts:AssumeRole"), LIST("arn:x"));
    slsec_role *e = role(app, "E");
    statement(app, policy(app, e, SLSEC_POLICY_INLINE, "T"), true, LIST("sts:AssumeRole"), STAR);
    slsec_role *f = role(app, "F");
    statement(app, policy(app, f, SLSEC_POLICY_INLINE, "U"), true, LIST("iam:*"), STAR);

    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-005"), 4);
    assert_string_equal(nth(&r, 0)->resource, "A");
    assert_contains(nth(&r, 0)->message, "iam:AttachRolePolicy, iam:PutRolePolicy, iam:CreateAccessKey");
    assert_int_equal(nth(&r, 0)->related_count, 1);
    assert_string_equal(nth(&r, 1)->resource, "B");
    assert_contains(nth(&r, 1)->message, "lambda:CreateFunction with iam:PassRole");
    assert_string_equal(nth(&r, 2)->resource, "E");
    assert_contains(nth(&r, 2)->message, "sts:AssumeRole on *");
    assert_string_equal(nth(&r, 3)->resource, "F");
    assert_contains(nth(&r, 3)->message, "and ");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- IAM-006 --------------------------------------------------------------------- */

static void test_iam006_not_action(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *rl = role(app, "R");
    slsec_policy *p = policy(app, rl, SLSEC_POLICY_INLINE, "P");
    slsec_statement *a = statement(app, p, true, LIST("iam:*"), STAR);
    a->not_action = true;
    slsec_statement *b = statement(app, p, true, LIST("s3:GetObject"), LIST("arn:aws:s3:::secret/*"));
    b->not_resource = true;
    slsec_statement *c = statement(app, p, false, LIST("iam:*"), STAR);
    c->not_action = true; /* Deny + NotAction is a fine pattern */
    statement(app, p, true, LIST("s3:GetObject"), STAR);
    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-006"), 2);
    assert_contains(nth(&r, 0)->message, "every action except iam:*");
    assert_contains(nth(&r, 0)->message, "NotAction");
    assert_contains(nth(&r, 1)->message, "every resource except arn:aws:s3:::secret/*");
    assert_string_not_equal(nth(&r, 0)->fingerprint, nth(&r, 1)->fingerprint);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- IAM-007 --------------------------------------------------------------------- */

static void test_iam007_shared_role(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *shared = role(app, "Shared");
    slsec_role *own = role(app, "Own");
    slsec_function *a = function(app, "A"), *b = function(app, "B");
    use_role(app, a, shared);
    use_role(app, b, shared);
    use_role(app, function(app, "C"), own);
    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-007"), 1);
    assert_string_equal(nth(&r, 0)->resource, "Shared");
    assert_contains(nth(&r, 0)->message, "shared by 2 functions (A, B)");
    assert_int_equal(nth(&r, 0)->related_count, 2);
    assert_int_equal(nth(&r, 0)->related[0].line, a->loc.line);
    assert_int_equal(nth(&r, 0)->related[1].line, b->loc.line);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- IAM-008 --------------------------------------------------------------------- */

static slsec_node *condition(slsec_app *app, const char *op, const char *key, const char *value)
{
    slsec_node *inner = slsec_node_new_map(app->arena, NULL, 1);
    inner->items[0] = scalar(app, key);
    inner->items[1] = scalar(app, value);
    slsec_node *outer = slsec_node_new_map(app->arena, NULL, 1);
    outer->items[0] = scalar(app, op);
    outer->items[1] = inner;
    return outer;
}

static void test_iam008_open_trust(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_role *open = role(app, "Open");
    slsec_statement *t = statement(app, NULL, true, LIST("sts:AssumeRole"), NULL);
    t->principal_any = true;
    slsec_ptrvec_push(app->arena, &open->trust, t);

    slsec_role *ext = role(app, "External");
    t = statement(app, NULL, true, LIST("sts:AssumeRole"), NULL);
    t->principal_any = true;
    t->condition = condition(app, "StringEquals", "sts:ExternalId", "x-123");
    slsec_ptrvec_push(app->arena, &ext->trust, t);

    slsec_role *weak = role(app, "Weak");
    t = statement(app, NULL, true, LIST("sts:AssumeRole"), NULL);
    t->principal_any = true;
    t->condition = condition(app, "Bool", "aws:MultiFactorAuthPresent", "true");
    slsec_ptrvec_push(app->arena, &weak->trust, t);

    slsec_role *svc = role(app, "Service");
    t = statement(app, NULL, true, LIST("sts:AssumeRole"), NULL);
    slsec_ptrvec_push(app->arena, &t->principals, "Service:lambda.amazonaws.com");
    slsec_ptrvec_push(app->arena, &svc->trust, t);

    slsec_role *deny = role(app, "Deny");
    t = statement(app, NULL, false, LIST("sts:AssumeRole"), NULL);
    t->principal_any = true;
    slsec_ptrvec_push(app->arena, &deny->trust, t);

    slsec_role *unk = role(app, "UnknownCondition");
    t = statement(app, NULL, true, LIST("sts:AssumeRole"), NULL);
    t->principal_any = true;
    t->condition = unknown(app, "${Cond}");
    slsec_ptrvec_push(app->arena, &unk->trust, t);

    run r = {0};
    assert_int_equal(run_rule(&r, app, "IAM-008"), 2);
    assert_string_equal(nth(&r, 0)->resource, "Open");
    assert_contains(nth(&r, 0)->message, "Principal \"*\"");
    assert_string_equal(nth(&r, 1)->resource, "Weak");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- FN-001 / FN-002 ------------------------------------------------------------- */

static void test_fn001_api_timeout(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *slow = function(app, "Slow");
    slow->timeout = 60;
    trigger(app, slow, SLSEC_TRIGGER_SQS, "Jobs");
    trigger(app, slow, SLSEC_TRIGGER_API_REST, "Get");
    slsec_function *fast = function(app, "Fast");
    fast->timeout = 29;
    trigger(app, fast, SLSEC_TRIGGER_API_HTTP, "Get");
    slsec_function *dflt = function(app, "Default");
    trigger(app, dflt, SLSEC_TRIGGER_API_HTTP, "Get");
    slsec_function *unk = function(app, "Unknown");
    unk->timeout = SLSEC_NUM_UNKNOWN;
    trigger(app, unk, SLSEC_TRIGGER_WEBSOCKET, "Connect");
    slsec_function *queue = function(app, "Queue");
    queue->timeout = 600;
    trigger(app, queue, SLSEC_TRIGGER_SQS, "Jobs");

    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-001"), 1);
    assert_string_equal(nth(&r, 0)->resource, "Slow");
    assert_contains(nth(&r, 0)->message, "Timeout 60 s");
    assert_contains(nth(&r, 0)->message, "REST API event Get");
    assert_contains(nth(&r, 0)->message, "after 29 s");
    assert_int_equal(nth(&r, 0)->related_count, 1);

    slsec_settings s;
    slsec_settings_default(&s);
    s.api_max_timeout = 90;
    assert_int_equal(run_rule_with(&r, app, "FN-001", &s), 0);
    run_done(&r);
    slsec_app_free(app);
}

static void test_fn002_max_timeout(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    function(app, "Long")->timeout = 900;
    function(app, "Ceiling")->timeout = 300;
    function(app, "Default");
    function(app, "Unknown")->timeout = SLSEC_NUM_UNKNOWN;
    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-002"), 1);
    assert_contains(nth(&r, 0)->message, "Timeout 900 s, above the 300 s ceiling");
    slsec_settings s;
    slsec_settings_default(&s);
    s.max_timeout = 60;
    assert_int_equal(run_rule_with(&r, app, "FN-002", &s), 2);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- FN-003 --------------------------------------------------------------------- */

static void test_fn003_concurrency(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    function(app, "None")->reserved_concurrency = SLSEC_NUM_UNSET;
    function(app, "Zero")->reserved_concurrency = 0;
    function(app, "Some");
    function(app, "Unknown")->reserved_concurrency = SLSEC_NUM_UNKNOWN;
    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-003"), 1);
    assert_string_equal(nth(&r, 0)->resource, "None");
    assert_contains(nth(&r, 0)->message, "ReservedConcurrentExecutions");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- FN-004 --------------------------------------------------------------------- */

static void test_runtime_dates(void **state)
{
    (void)state;
    long d;
    assert_true(slsec_date_days("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_true(slsec_date_days("2000-03-01", &d));
    assert_int_equal(d, 11017);
    assert_true(slsec_date_days("2024-02-29", &d));
    assert_false(slsec_date_days("2023-02-29", &d));
    assert_false(slsec_date_days("1900-02-29", &d));
    assert_true(slsec_date_days("2000-02-29", &d));
    assert_false(slsec_date_days("2024-13-01", &d));
    assert_false(slsec_date_days("2024-04-31", &d));
    assert_false(slsec_date_days("2024-4-30", &d));
    assert_false(slsec_date_days("2024-04-30x", &d));
    assert_false(slsec_date_days("", &d));
    assert_false(slsec_date_days(NULL, &d));
    assert_true(slsec_date_today() > 19000);

    assert_non_null(slsec_runtime_find("python3.9"));
    assert_null(slsec_runtime_find("python9.9"));
    assert_null(slsec_runtime_find(NULL));
    assert_string_equal(slsec_runtime_latest("python")->id, "python3.14");
    assert_string_equal(slsec_runtime_latest("custom")->id, "provided.al2023");
    assert_null(slsec_runtime_latest("cobol"));
    /* Every date of the table is a real date. */
    const char *const ids[] = {"nodejs", "nodejs24.x", "python2.7", "java8.al2", "dotnet10", "ruby3.4", "go1.x"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_true(slsec_date_days(slsec_runtime_find(ids[i])->deprecated, &d));
}

static void test_fn004_runtime(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    function(app, "Old")->runtime = "python2.7";
    function(app, "Soon")->runtime = "nodejs22.x"; /* 2027-04-30: 152 days after 2026-11-29 */
    function(app, "Fine")->runtime = "python3.13";
    function(app, "Future")->runtime = "python9.9";
    slsec_function *img = function(app, "Image");
    img->runtime = NULL;
    img->package_type = "Image";
    function(app, "Go")->runtime = "go1.x";

    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-004"), 3);
    assert_string_equal(nth(&r, 0)->resource, "Old");
    assert_int_equal(nth(&r, 0)->severity, SLSEC_SEV_HIGH);
    assert_contains(nth(&r, 0)->message, "python2.7, deprecated since 2021-07-15");
    assert_contains(nth(&r, 0)->message, "move to python3.14");
    assert_string_equal(nth(&r, 1)->resource, "Soon");
    assert_int_equal(nth(&r, 1)->severity, SLSEC_SEV_MEDIUM);
    assert_contains(nth(&r, 1)->message, "deprecates on 2027-04-30, in 152 days (as of 2026-11-29)");
    assert_contains(nth(&r, 1)->message, "move to nodejs24.x");
    assert_string_equal(nth(&r, 2)->resource, "Go");
    assert_contains(nth(&r, 2)->message, "move to provided.al2023");

    /* Before the warning window nothing; after the date, high. */
    slsec_settings s;
    slsec_settings_default(&s);
    s.today = "2026-10-31"; /* 181 days before nodejs22.x */
    assert_int_equal(run_rule_with(&r, app, "FN-004", &s), 2);
    s.today = "2027-04-30";
    assert_int_equal(run_rule_with(&r, app, "FN-004", &s), 3);
    assert_int_equal(nth(&r, 1)->severity, SLSEC_SEV_HIGH);
    s.today = "not a date"; /* falls back to the clock: the old one stays old */
    assert_true(run_rule_with(&r, app, "FN-004", &s) >= 2);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- FN-005 --------------------------------------------------------------------- */

static size_t env_secret(const char *name, const char *value, const slsec_finding **out, run *r)
{
    slsec_app *app = slsec_app_new();
    slsec_function *fn = function(app, "Api");
    env(app, fn, name, value && value[0] == '?' ? unknown(app, value + 1) : scalar(app, value));
    size_t n = run_rule(r, app, "FN-005");
    if (out)
        *out = n ? nth(r, 0) : NULL;
    /* The findings live in r's arena; names and values in the app's. */
    if (n) {
        const slsec_finding *f = nth(r, 0);
        if (strlen(value) >= 4)
            assert_null(strstr(f->message, value));
        assert_non_null(f->evidence);
        if (strlen(value) >= 8)
            assert_null(strstr(f->evidence, value));
    }
    slsec_app_free(app);
    return n;
}

static void test_fn005_secret_names(void **state)
{
    (void)state;
    run r = {0};
    const slsec_finding *f;
    assert_int_equal(env_secret("DB_PASSWORD", "hunter2", &f, &r), 1);
    assert_string_equal(f->evidence, "... (7 characters)");
    assert_string_equal(f->key, "DB_PASSWORD");
    assert_string_equal(f->resource, "Api");
    assert_int_equal(env_secret("DB_PASSWORD", "changeme", &f, &r), 1); /* a placeholder is still hard-coded */
    assert_string_equal(f->evidence, "ch... (8 characters)");
    assert_int_equal(env_secret("STRIPE_SECRET", "a-long-literal-value-1234", &f, &r), 1);
    assert_string_equal(f->evidence, "a-lo... (25 characters)");
    assert_int_equal(env_secret("dbPassword", "x", NULL, &r), 1);
    assert_int_equal(env_secret("GITHUB_TOKEN", "abc", NULL, &r), 1);
    assert_int_equal(env_secret("API_KEY", "k", NULL, &r), 1);
    assert_int_equal(env_secret("apiKey", "k", NULL, &r), 1);
    assert_int_equal(env_secret("DB_PASS", "k", NULL, &r), 1);
    assert_int_equal(env_secret("BASIC_AUTH", "user:pw", NULL, &r), 1);
    assert_int_equal(env_secret("CLIENT_CREDENTIALS", "k", NULL, &r), 1);

    assert_int_equal(env_secret("DB_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:db", NULL, &r), 0);
    assert_int_equal(env_secret("SECRET_NAME", "prod/db", NULL, &r), 0);
    assert_int_equal(env_secret("DB_PASSWORD", "{{resolve:secretsmanager:db:SecretString:password}}", NULL, &r), 0);
    assert_int_equal(env_secret("DB_PASSWORD", "/prod/db/password", NULL, &r), 0);
    assert_int_equal(env_secret("DB_PASSWORD", "?${DbPassword}", NULL, &r), 0);
    assert_int_equal(env_secret("DB_PASSWORD", "", NULL, &r), 0);
    assert_int_equal(env_secret("TOKEN_TTL", "3600", NULL, &r), 0);
    assert_int_equal(env_secret("AUTH_ENABLED", "true", NULL, &r), 0);
    assert_int_equal(env_secret("USE_AUTH", "true", NULL, &r), 0);
    assert_int_equal(env_secret("AUTH_URL", "https://auth.example.com", NULL, &r), 0);
    assert_int_equal(env_secret("PASSENGER_COUNT", "4", NULL, &r), 0);
    assert_int_equal(env_secret("AUTHOR", "me", NULL, &r), 0);
    assert_int_equal(env_secret("TABLE_NAME", "orders", NULL, &r), 0);
    assert_int_equal(env_secret("AWS_ACCESS_KEY_ID", "?${Key}", NULL, &r), 0);
    run_done(&r);
}

static void test_fn005_key_shapes(void **state)
{
    (void)state;
    run r = {0};
    const slsec_finding *f;
    assert_int_equal(env_secret("REGION_CONFIG", "AKIAIOSFODNN7EXAMPLE", &f, &r), 1);
    assert_contains(f->message, "AWS access key id");
    assert_string_equal(f->evidence, "AKIA... (20 characters)");
    assert_int_equal(env_secret("X", "prefix ASIAIOSFODNN7EXAMPLE suffix", &f, &r), 1);
    assert_string_equal(f->evidence, "ASIA... (20 characters)");
    assert_int_equal(env_secret("X", "ghp_0123456789abcdefghijABCDEFGHIJ012345", &f, &r), 1);
    assert_contains(f->message, "GitHub token");
    assert_int_equal(env_secret("X", "xoxb-1234567890-abcdefghij", &f, &r), 1);
    assert_contains(f->message, "Slack token");
    assert_int_equal(env_secret("X", "sk_live_0123456789abcdefABCD", &f, &r), 1);
    assert_contains(f->message, "Stripe live key");
    assert_int_equal(env_secret("X", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", &f, &r), 1);
    assert_contains(f->message, "private key");
    assert_int_equal(env_secret("DATABASE_URL", "postgres://admin:s3cr3t-pw@db.example.com/orders", &f, &r), 1);
    assert_contains(f->message, "password in a URL");
    assert_string_equal(f->evidence, "s3... (9 characters)");

    assert_int_equal(env_secret("X", "AKIA-not-a-key", NULL, &r), 0);
    assert_int_equal(env_secret("X", "XAKIAIOSFODNN7EXAMPLE", NULL, &r), 0);
    assert_int_equal(env_secret("DATABASE_URL", "postgres://db.example.com/orders", NULL, &r), 0);
    assert_int_equal(env_secret("DATABASE_URL", "postgres://admin:${DB_PW}@db/orders", NULL, &r), 0);
    assert_int_equal(env_secret("DATABASE_URL", "?${DbUrl}", NULL, &r), 0);
    run_done(&r);
}

/* Values built to make a naive matcher quadratic: a megabyte of repeated
 * prefixes must be scanned in one pass (a hang here is the failure). */
static void test_fn005_hostile_values(void **state)
{
    (void)state;
    const char *const units[] = {"-----BEGIN ", "github_pat_", "://a:b", "AKIA", "xoxb-", "sk_live_"};
    run r = {0};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u]), n = (1u << 20) / ul;
        char *big = test_malloc(n * ul + 1);
        for (size_t i = 0; i < n; i++)
            memcpy(big + i * ul, units[u], ul);
        big[n * ul] = '\0';
        slsec_app *app = slsec_app_new();
        env(app, function(app, "F"), "BLOB", scalar(app, big));
        (void)run_rule(&r, app, "FN-005");
        slsec_app_free(app);
        test_free(big);
    }
    run_done(&r);
}

/* ---- FN-006 --------------------------------------------------------------------- */

static void test_fn006_async_failure(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *a = function(app, "OnUpload");
    slsec_trigger *t = trigger(app, a, SLSEC_TRIGGER_S3, "Upload");
    t->source_id = "UploadsBucket";
    trigger(app, a, SLSEC_TRIGGER_SCHEDULE, "Nightly");
    slsec_function *b = function(app, "WithDlq");
    trigger(app, b, SLSEC_TRIGGER_SNS, "Topic");
    b->has_dlq = SLSEC_YES;
    slsec_function *c = function(app, "WithDestination");
    trigger(app, c, SLSEC_TRIGGER_EVENTBRIDGE, "Rule");
    c->has_on_failure = SLSEC_YES;
    slsec_function *d = function(app, "Unknown");
    trigger(app, d, SLSEC_TRIGGER_SNS, "Topic");
    d->has_dlq = SLSEC_UNKNOWN;
    slsec_function *e = function(app, "Queue");
    trigger(app, e, SLSEC_TRIGGER_SQS, "Jobs");
    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-006"), 1);
    assert_string_equal(nth(&r, 0)->resource, "OnUpload");
    assert_contains(nth(&r, 0)->message, "S3 UploadsBucket, schedule event Nightly");
    assert_int_equal(nth(&r, 0)->related_count, 2);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- FN-007 / FN-008 ------------------------------------------------------------- */

static void test_fn007_url_auth(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *a = function(app, "Open");
    a->url.present = true;
    a->url.auth_type = "NONE";
    a->url.loc = here();
    slsec_function *b = function(app, "Iam");
    b->url.present = true;
    b->url.auth_type = "AWS_IAM";
    slsec_function *c = function(app, "Unknown");
    c->url.present = true;
    function(app, "NoUrl");
    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-007"), 1);
    assert_string_equal(nth(&r, 0)->resource, "Open");
    assert_int_equal(nth(&r, 0)->loc.line, a->url.loc.line);
    run_done(&r);
    slsec_app_free(app);
}

static slsec_permission *permission(slsec_app *app, const char *id, slsec_function *fn, const char *principal,
                                    const char *action)
{
    slsec_permission *p = slsec_arena_alloc(app->arena, sizeof *p);
    p->id = id;
    p->loc = here();
    p->function = fn;
    p->principal = principal;
    p->action = action;
    slsec_ptrvec_push(app->arena, &app->permissions, p);
    return p;
}

static void test_fn008_public_permission(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *fn = function(app, "Api");
    permission(app, "Public", fn, "*", "lambda:InvokeFunction");
    permission(app, "Scoped", fn, "*", "lambda:InvokeFunction")->has_source_arn = true;
    permission(app, "Org", fn, "*", "lambda:InvokeFunction")->has_principal_org = true;
    permission(app, "Service", fn, "s3.amazonaws.com", "lambda:InvokeFunction");
    permission(app, "Unknown", fn, NULL, "lambda:InvokeFunction");
    permission(app, "UrlNone", fn, "*", "lambda:InvokeFunctionUrl")->function_url_auth_type = "NONE";
    permission(app, "UrlIam", fn, "*", "lambda:InvokeFunctionUrl")->function_url_auth_type = "AWS_IAM";
    permission(app, "Outside", NULL, "*", "lambda:InvokeFunction");
    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-008"), 3);
    assert_string_equal(nth(&r, 0)->resource, "Public");
    assert_string_equal(nth(&r, 0)->resource_type, "AWS::Lambda::Permission");
    assert_contains(nth(&r, 0)->message, "lambda:InvokeFunction on function Api");
    assert_string_equal(nth(&r, 1)->resource, "UrlIam");
    assert_string_equal(nth(&r, 2)->resource, "Outside");
    assert_contains(nth(&r, 2)->message, "a function outside this template");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- FN-009 --------------------------------------------------------------------- */

static void test_fn009_tracing(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    function(app, "Off")->tracing_active = SLSEC_NO;
    function(app, "On");
    function(app, "Unknown")->tracing_active = SLSEC_UNKNOWN;
    run r = {0};
    assert_int_equal(run_rule(&r, app, "FN-009"), 1);
    assert_string_equal(nth(&r, 0)->resource, "Off");
    assert_int_equal(nth(&r, 0)->severity, SLSEC_SEV_INFO);
    run_done(&r);
    slsec_app_free(app);
}

/* ---- PIPE ------------------------------------------------------------------------ */

static void test_pipe001_code_signing(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    function(app, "Unsigned")->code_signing = SLSEC_NO;
    function(app, "Signed");
    slsec_function *img = function(app, "Image");
    img->code_signing = SLSEC_NO;
    img->package_type = "Image";
    slsec_function *inl = function(app, "Inline");
    inl->code_signing = SLSEC_NO;
    inl->inline_code = scalar(app, "def handler(e, c): pass");
    function(app, "Unknown")->code_signing = SLSEC_UNKNOWN;
    run r = {0};
    assert_int_equal(run_rule(&r, app, "PIPE-001"), 1);
    assert_string_equal(nth(&r, 0)->resource, "Unsigned");
    run_done(&r);
    slsec_app_free(app);
}

static void test_pipe002_rollback(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    function(app, "NoPreference")->auto_publish_alias = "live";
    slsec_function *noalarm = function(app, "NoAlarms");
    noalarm->auto_publish_alias = "live";
    noalarm->deployment_preference = true;
    noalarm->deployment_loc = here();
    slsec_function *ok = function(app, "Guarded");
    ok->auto_publish_alias = "live";
    ok->deployment_preference = true;
    ok->deployment_alarms = 2;
    function(app, "Version")->has_version = true;
    function(app, "Unpublished");
    run r = {0};
    assert_int_equal(run_rule(&r, app, "PIPE-002"), 3);
    assert_string_equal(nth(&r, 0)->resource, "NoPreference");
    assert_contains(nth(&r, 0)->message, "alias live but has no DeploymentPreference");
    assert_string_equal(nth(&r, 1)->resource, "NoAlarms");
    assert_int_equal(nth(&r, 1)->loc.line, noalarm->deployment_loc.line);
    assert_string_equal(nth(&r, 2)->resource, "Version");
    run_done(&r);
    slsec_app_free(app);
}

/* ---- the catalogue ----------------------------------------------------------------- */

static void test_catalogue_entries(void **state)
{
    (void)state;
    const char *const ids[] = {"IAM-001", "IAM-002", "IAM-003", "IAM-004", "IAM-005", "IAM-006",
                               "IAM-007", "IAM-008", "FN-001",  "FN-002",  "FN-003",  "FN-004",
                               "FN-005",  "FN-006",  "FN-007",  "FN-008",  "FN-009",  "PIPE-001",
                               "PIPE-002", "PIPE-003"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const slsec_rule *r = slsec_rule_find(ids[i]);
        if (!r)
            fail_msg("%s is not in the catalogue", ids[i]);
        assert_true(slsec_str_has_prefix(ids[i], r->family));
        assert_true(r->title && *r->title && r->why && strlen(r->why) > 80);
        assert_true(r->fix && *r->fix && r->snippet && *r->snippet);
        assert_non_null(r->cwe);
        assert_non_null(r->owasp);
        assert_non_null(r->checkov);
        assert_non_null(r->cfn_nag);
        assert_non_null(r->cdk_nag);
        if (strcmp(ids[i], "PIPE-003") == 0)
            assert_null(r->check);
        else
            assert_non_null(r->check);
        /* Reference ids have their scanner's shape. */
        char buf[256];
        const char *items[16];
        size_t n = slsec_refs_split(r->checkov, buf, sizeof buf, items, 16);
        for (size_t k = 0; k < n; k++)
            assert_true(slsec_str_has_prefix(items[k], "CKV_AWS_"));
        n = slsec_refs_split(r->owasp, buf, sizeof buf, items, 16);
        for (size_t k = 0; k < n; k++)
            assert_true(slsec_str_has_prefix(items[k], "SAS-"));
        n = slsec_refs_split(r->cwe, buf, sizeof buf, items, 16);
        for (size_t k = 0; k < n; k++)
            assert_true(slsec_str_has_prefix(items[k], "CWE-"));
    }
}

/* An empty app and an app of unknowns: no rule of the three families says
 * anything, and nothing crashes. */
static void test_unknowns_are_silent(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *fn = function(app, "F");
    fn->runtime = NULL;
    fn->timeout = SLSEC_NUM_UNKNOWN;
    fn->reserved_concurrency = SLSEC_NUM_UNKNOWN;
    fn->tracing_active = SLSEC_UNKNOWN;
    fn->has_dlq = SLSEC_UNKNOWN;
    fn->code_signing = SLSEC_UNKNOWN;
    trigger(app, fn, SLSEC_TRIGGER_S3, "Upload");
    env(app, fn, "DB_PASSWORD", unknown(app, "${Pw}"));
    slsec_role *rl = role(app, "R");
    use_role(app, fn, rl);
    statement(app, policy(app, rl, SLSEC_POLICY_INLINE, "P"), true, LIST("?A", "?B"), LIST("?C"));
    statement(app, policy(app, rl, SLSEC_POLICY_INLINE, "Q"), true, LIST("iam:PassRole"), LIST("?C"));

    slsec_app *empty = slsec_app_new();
    size_t n;
    const slsec_rule *const *all = slsec_rules_all(&n);
    run r = {0};
    for (size_t i = 0; i < n; i++) {
        const char *id = all[i]->id;
        if (!slsec_str_has_prefix(id, "IAM-") && !slsec_str_has_prefix(id, "FN-") &&
            !slsec_str_has_prefix(id, "PIPE-"))
            continue;
        if (run_rule(&r, app, id) != 0)
            fail_msg("%s reported on unknowns: %s", id, nth(&r, 0)->message);
        assert_int_equal(run_rule(&r, empty, id), 0);
    }
    run_done(&r);
    slsec_app_free(empty);
    slsec_app_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iam001_wildcard_actions),
        cmocka_unit_test(test_iam001_fingerprint_ignores_lines),
        cmocka_unit_test(test_iam001_implicit_role_names_function),
        cmocka_unit_test(test_iam001_standalone_policy),
        cmocka_unit_test(test_iam002_write_actions),
        cmocka_unit_test(test_iam002_one_finding_per_statement),
        cmocka_unit_test(test_iam003_admin_policies),
        cmocka_unit_test(test_iam004_passrole),
        cmocka_unit_test(test_iam005_escalation),
        cmocka_unit_test(test_iam006_not_action),
        cmocka_unit_test(test_iam007_shared_role),
        cmocka_unit_test(test_iam008_open_trust),
        cmocka_unit_test(test_fn001_api_timeout),
        cmocka_unit_test(test_fn002_max_timeout),
        cmocka_unit_test(test_fn003_concurrency),
        cmocka_unit_test(test_runtime_dates),
        cmocka_unit_test(test_fn004_runtime),
        cmocka_unit_test(test_fn005_secret_names),
        cmocka_unit_test(test_fn005_key_shapes),
        cmocka_unit_test(test_fn005_hostile_values),
        cmocka_unit_test(test_fn006_async_failure),
        cmocka_unit_test(test_fn007_url_auth),
        cmocka_unit_test(test_fn008_public_permission),
        cmocka_unit_test(test_fn009_tracing),
        cmocka_unit_test(test_pipe001_code_signing),
        cmocka_unit_test(test_pipe002_rollback),
        cmocka_unit_test(test_catalogue_entries),
        cmocka_unit_test(test_unknowns_are_silent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
