/*
 * test_serverless.c — the Serverless Framework front-end (src/load/
 * serverless.c, serverless_vars.c): recognition, the Framework's logical
 * ids, the shared role versus per-function and existing roles, provider
 * settings merged into functions, events turned into triggers and routes,
 * resources: merged, and the variables (self, opt with defaults, sls,
 * unknown sources, nesting, cycles, ${file()} refused without a root).
 * Configurations are small strings loaded as the scanner loads them.
 */
#include "slsec/load.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int load_opts(const char *yaml, const char *const *options, slsec_app **out, slsec_diag *err)
{
    slsec_app *app = slsec_app_new();
    slsec_doc doc;
    assert_int_equal(slsec_doc_parse(app->arena, "serverless.yml", yaml, strlen(yaml), &doc, err), SLSEC_OK);
    assert_true(slsec_serverless_sniff(yaml, strlen(yaml)));
    assert_true(slsec_serverless_is_config(doc.root));
    slsec_diags warnings = {0};
    slsec_serverless_opts o = {.options = options};
    int rc = slsec_load_serverless(app, &doc, "serverless.yml", &o, &warnings, err);
    slsec_diags_clear(&warnings);
    *out = app;
    return rc;
}

static slsec_app *load(const char *yaml)
{
    slsec_app *app;
    slsec_diag err;
    assert_int_equal(load_opts(yaml, NULL, &app, &err), SLSEC_OK);
    return app;
}

static const slsec_function *function(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->functions.count; i++) {
        const slsec_function *f = app->functions.items[i];
        if (strcmp(f->id, id) == 0)
            return f;
    }
    fail_msg("no function %s", id);
    return NULL;
}

static const slsec_store *store(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->stores.count; i++) {
        const slsec_store *s = app->stores.items[i];
        if (strcmp(s->id, id) == 0)
            return s;
    }
    return NULL;
}

static const char *env(const slsec_function *f, const char *name)
{
    for (size_t i = 0; i < f->env.count; i++) {
        const slsec_env_var *v = f->env.items[i];
        if (!strcmp(v->name, name))
            return v->value->str;
    }
    return NULL;
}

static void test_recognition(void **state)
{
    (void)state;
    slsec_arena *a = slsec_arena_new();
    slsec_doc doc;
    slsec_diag err;
    const char *cfn = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
    assert_int_equal(slsec_doc_parse(a, "t.yaml", cfn, strlen(cfn), &doc, &err), SLSEC_OK);
    assert_false(slsec_serverless_is_config(doc.root));
    const char *data = "name: x\nitems: [1, 2]\n";
    assert_int_equal(slsec_doc_parse(a, "d.yaml", data, strlen(data), &doc, &err), SLSEC_OK);
    assert_false(slsec_serverless_is_config(doc.root));
    const char *sls = "{\"service\": \"s\", \"provider\": {\"name\": \"aws\"}}";
    assert_int_equal(slsec_doc_parse(a, "serverless.json", sls, strlen(sls), &doc, &err), SLSEC_OK);
    assert_true(slsec_serverless_is_config(doc.root));
    assert_false(slsec_serverless_sniff("Resources: {}", 13));
    slsec_arena_free(a);
}

static void test_shared_role_and_names(void **state)
{
    (void)state;
    slsec_app *app = load("service: shop\n"
                          "provider:\n"
                          "  name: aws\n"
                          "  runtime: python3.12\n"
                          "  timeout: 20\n"
                          "  environment: {STAGE: dev, SHARED: p}\n"
                          "  iam:\n"
                          "    role:\n"
                          "      statements:\n"
                          "        - {Effect: Allow, Action: 's3:*', Resource: '*'}\n"
                          "functions:\n"
                          "  create-order:\n"
                          "    handler: a.h\n"
                          "    environment: {SHARED: f}\n"
                          "  get_order:\n"
                          "    handler: b.h\n"
                          "    timeout: 5\n"
                          "    reservedConcurrency: 3\n"
                          "    provisionedConcurrency: 2\n");
    const slsec_function *a = function(app, "CreateDashorderLambdaFunction");
    const slsec_function *b = function(app, "GetUnderscoreorderLambdaFunction");
    assert_string_equal(a->runtime, "python3.12");
    assert_int_equal(a->timeout, 20);
    assert_int_equal(b->timeout, 5);
    assert_int_equal(a->loc.line, 12);
    assert_string_equal(env(a, "SHARED"), "f");
    assert_string_equal(env(a, "STAGE"), "dev");
    assert_int_equal(b->reserved_concurrency, 3);
    assert_int_equal(b->provisioned_concurrency, 2);
    assert_non_null(a->role);
    assert_ptr_equal(a->role, b->role);
    assert_string_equal(a->role->id, "IamRoleLambdaExecution");
    assert_int_equal(a->role->functions.count, 2);
    assert_true(a->role->resource->generated);
    /* the Framework's logs statements plus the provider's */
    assert_int_equal(a->role->policies.count, 1);
    const slsec_policy *p = a->role->policies.items[0];
    assert_int_equal(p->statements.count, 3);
    const slsec_statement *s = p->statements.items[2];
    assert_int_equal(s->loc.line, 10);
    assert_true(slsec_statement_any_resource(s));
    const slsec_store *lg = store(app, "CreateDashorderLogGroup");
    assert_non_null(lg);
    assert_string_equal(lg->name, "/aws/lambda/shop-dev-create-order");
    assert_ptr_equal(a->log_group, lg);
    assert_string_equal(((slsec_template *)app->templates.items[0])->format, "serverless");
    slsec_app_free(app);
}

static void test_default_timeout_and_roles(void **state)
{
    (void)state;
    slsec_app *app = load("service: shop\n"
                          "plugins: [serverless-iam-roles-per-function]\n"
                          "provider: {name: aws, runtime: nodejs22.x}\n"
                          "functions:\n"
                          "  own:\n"
                          "    handler: a.h\n"
                          "    iamRoleStatements:\n"
                          "      - {Effect: Allow, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:1:q'}\n"
                          "  external:\n"
                          "    handler: b.h\n"
                          "    role: arn:aws:iam::123456789012:role/x\n");
    const slsec_function *own = function(app, "OwnLambdaFunction");
    assert_int_equal(own->timeout, 6); /* the Framework's default */
    assert_string_equal(own->role->id, "OwnIamRoleLambdaExecution");
    assert_int_equal(own->role->functions.count, 1);
    assert_null(function(app, "ExternalLambdaFunction")->role);
    for (size_t i = 0; i < app->roles.count; i++)
        assert_string_not_equal(((slsec_role *)app->roles.items[i])->id, "IamRoleLambdaExecution");
    slsec_app_free(app);
}

static void test_events(void **state)
{
    (void)state;
    slsec_app *app = load("service: shop\n"
                          "provider: {name: aws, runtime: nodejs22.x}\n"
                          "functions:\n"
                          "  api:\n"
                          "    handler: a.h\n"
                          "    url: true\n"
                          "    events:\n"
                          "      - http: {path: 'orders/{id}', method: get, authorizer: {name: pool, arn: 'arn:aws:cognito-idp:eu-west-1:1:userpool/x'}}\n"
                          "      - http: 'POST orders'\n"
                          "      - httpApi: 'GET /h'\n"
                          "  worker:\n"
                          "    handler: w.h\n"
                          "    events:\n"
                          "      - sqs: {arn: !GetAtt Jobs.Arn}\n"
                          "      - schedule: rate(1 hour)\n"
                          "resources:\n"
                          "  Resources:\n"
                          "    Jobs: {Type: 'AWS::SQS::Queue'}\n");
    const slsec_function *api = function(app, "ApiLambdaFunction");
    assert_true(api->url.present);
    assert_string_equal(api->url.auth_type, "NONE");
    assert_int_equal(api->triggers.count, 3);
    const slsec_trigger *t0 = api->triggers.items[0];
    assert_int_equal(t0->kind, SLSEC_TRIGGER_API_REST);
    assert_string_equal(t0->route->path, "/orders/{id}");
    assert_string_equal(t0->route->authorizer, "pool");
    assert_string_equal(t0->route->resource_id, "ApiGatewayMethodOrdersIdVarGet");
    const slsec_trigger *t1 = api->triggers.items[1];
    assert_string_equal(t1->route->authorizer, "NONE"); /* the Framework writes it out */
    assert_int_equal(t1->loc.line, 9);
    const slsec_trigger *t2 = api->triggers.items[2];
    assert_int_equal(t2->kind, SLSEC_TRIGGER_API_HTTP);
    assert_string_equal(t2->route->resource_id, "HttpApiRouteGetH");
    const slsec_function *w = function(app, "WorkerLambdaFunction");
    assert_int_equal(w->triggers.count, 2);
    const slsec_trigger *q = w->triggers.items[0];
    assert_int_equal(q->kind, SLSEC_TRIGGER_SQS);
    assert_string_equal(q->source_id, "Jobs");
    assert_int_equal(((slsec_trigger *)w->triggers.items[1])->kind, SLSEC_TRIGGER_SCHEDULE);
    /* the queue read permissions went to the shared role */
    const slsec_policy *p = w->role->policies.items[0];
    assert_int_equal(p->statements.count, 3);
    slsec_app_free(app);
}

static void test_variables(void **state)
{
    (void)state;
    const char *yaml = "service: ${self:custom.base}-svc\n"
                       "custom:\n"
                       "  base: shop\n"
                       "  sizes: {dev: 256, prod: 2048}\n"
                       "provider:\n"
                       "  name: aws\n"
                       "  stage: ${opt:stage, 'dev'}\n"
                       "  memorySize: ${self:custom.sizes.${sls:stage}}\n"
                       "  environment:\n"
                       "    KEY: ${ssm:/shop/key}\n"
                       "    REGION: ${aws:region}\n"
                       "    SUB: '${AWS::Region}-${Name}'\n"
                       "    MISSING: ${opt:nothing, ${self:custom.base}}\n"
                       "    TABLE: !Ref ${opt:table, 'Orders'}\n"
                       "functions:\n"
                       "  f:\n"
                       "    handler: f.h\n";
    slsec_app *app = load(yaml);
    const slsec_function *f = function(app, "FLambdaFunction");
    assert_int_equal(f->memory, 256);
    assert_string_equal(env(f, "SUB"), "${AWS::Region}-${Name}");
    assert_string_equal(env(f, "MISSING"), "shop");
    /* the tag survives: a Ref to a resource absent here is unknown */
    for (size_t i = 0; i < f->env.count; i++) {
        const slsec_env_var *v = f->env.items[i];
        if (!strcmp(v->name, "TABLE")) {
            assert_true(slsec_node_is_unknown(v->value));
            assert_string_equal(v->value->str, "${Orders}");
        }
    }
    for (size_t i = 0; i < f->env.count; i++) {
        const slsec_env_var *v = f->env.items[i];
        if (!strcmp(v->name, "KEY")) {
            assert_true(slsec_node_is_unknown(v->value));
            assert_string_equal(v->value->str, "${ssm:/shop/key}");
        }
    }
    assert_string_equal(f->log_group->name, "/aws/lambda/shop-svc-dev-f");
    slsec_app_free(app);

    const char *const opts[] = {"stage=prod", NULL};
    slsec_diag err;
    assert_int_equal(load_opts(yaml, opts, &app, &err), SLSEC_OK);
    f = function(app, "FLambdaFunction");
    assert_int_equal(f->memory, 2048);
    assert_string_equal(f->log_group->name, "/aws/lambda/shop-svc-prod-f");
    slsec_app_free(app);
}

static void test_function_list_and_external_api(void **state)
{
    (void)state;
    slsec_app *app = load("service: s\n"
                          "provider:\n"
                          "  name: aws\n"
                          "  apiGateway: {restApiId: abc123, restApiRootResourceId: root1}\n"
                          "functions:\n"
                          "  - a: {handler: a.h, events: [{http: 'GET x'}]}\n"
                          "  - b: {handler: b.h, destinations: {onFailure: a}}\n");
    const slsec_function *a = function(app, "ALambdaFunction");
    assert_int_equal(function(app, "BLambdaFunction")->has_on_failure, SLSEC_YES);
    /* the API lives in another stack: no API of ours, no route to judge */
    assert_int_equal(app->apis.count, 0);
    assert_int_equal(a->triggers.count, 0);
    slsec_app_free(app);
}

static void test_bad_input(void **state)
{
    (void)state;
    slsec_app *app;
    slsec_diag err;
    assert_int_equal(load_opts("service: s\n"
                               "provider: {name: aws}\n"
                               "custom:\n"
                               "  a: ${self:custom.b}\n"
                               "  b: x-${self:custom.a}\n"
                               "functions: {}\n",
                               NULL, &app, &err),
                     SLSEC_EPARSE);
    assert_non_null(strstr(err.message, "variable cycle"));
    assert_int_equal(err.line, 4);
    slsec_app_free(app);

    /* ${file()} without a known root is refused, never read */
    assert_int_equal(load_opts("service: s\nprovider: {name: aws}\ncustom: ${file(/etc/passwd)}\n", NULL, &app, &err),
                     SLSEC_EPARSE);
    assert_int_equal(err.line, 3);
    slsec_app_free(app);

    /* self-reference of a whole section */
    assert_int_equal(load_opts("service: s\nprovider: {name: aws}\ncustom: {x: '${self:custom}'}\n", NULL, &app, &err),
                     SLSEC_EPARSE);
    slsec_app_free(app);

    assert_int_equal(load_opts("service: s\nprovider: {name: aws}\nfunctions: [a, b]\n", NULL, &app, &err),
                     SLSEC_ESTRUCTURE);
    slsec_app_free(app);

    assert_int_equal(load_opts("service: s\nprovider: {name: google}\n", NULL, &app, &err), SLSEC_ENOTTEMPLATE);
    slsec_app_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recognition),
        cmocka_unit_test(test_shared_role_and_names),
        cmocka_unit_test(test_default_timeout_and_roles),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_function_list_and_external_api),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
