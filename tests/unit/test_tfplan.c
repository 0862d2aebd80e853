/*
 * test_tfplan.c — the Terraform plan front-end (src/load/tfplan*.c):
 * recognition, version and shape errors, addresses as ids and locations at
 * the resource objects, references followed through the configuration
 * (instances, module variables), unknown values (configured vs. computed
 * by the provider), sensitive values, the split S3 resources merged into
 * their bucket, policy documents from aws_iam_policy_document data
 * sources, and Terraform's security group egress.
 *
 * Plans are written with ' for " (and \' for \") to keep them readable;
 * load() turns them back into JSON.
 */
#include "slsec/load.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *json_of(const char *q)
{
    char *s = strdup(q);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

static int try_load(slsec_app *app, const char *q, slsec_diags *warnings, slsec_diag *err)
{
    char *js = json_of(q);
    slsec_doc doc;
    assert_int_equal(slsec_doc_parse(app->arena, "plan.json", js, strlen(js), &doc, err), SLSEC_OK);
    int rc = slsec_load_tfplan(app, &doc, "plan.json", warnings, err);
    free(js); /* the document lives in the arena */
    return rc;
}

static slsec_app *load(const char *q)
{
    slsec_app *app = slsec_app_new();
    slsec_diags warnings = {0};
    slsec_diag err;
    assert_int_equal(try_load(app, q, &warnings, &err), SLSEC_OK);
    slsec_diags_clear(&warnings);
    return app;
}

/* A plan of one root module: resources, changes, configuration resources. */
#define PLAN(resources, changes, config)                                                                       \
    "{'format_version':'1.2','terraform_version':'1.9.8',\n"                                                   \
    "'planned_values':{'root_module':{'resources':[" resources "]}},\n"                                         \
    "'resource_changes':[" changes "],\n"                                                                      \
    "'configuration':{'root_module':{'resources':[" config "]}}}"

static const slsec_function *function(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->functions.count; i++) {
        const slsec_function *fn = app->functions.items[i];
        if (!strcmp(fn->id, id))
            return fn;
    }
    fail_msg("no function %s", id);
    return NULL;
}

static const slsec_store *store(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->stores.count; i++) {
        const slsec_store *s = app->stores.items[i];
        if (!strcmp(s->id, id))
            return s;
    }
    fail_msg("no store %s", id);
    return NULL;
}

static const slsec_env_var *env(const slsec_function *fn, const char *name)
{
    for (size_t i = 0; i < fn->env.count; i++) {
        const slsec_env_var *v = fn->env.items[i];
        if (!strcmp(v->name, name))
            return v;
    }
    fail_msg("no variable %s", name);
    return NULL;
}

/* ---- recognition and errors ------------------------------------------------------ */

static void test_recognition(void **state)
{
    (void)state;
    const char *plan = "{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.8\",\"planned_values\":{}}";
    assert_true(slsec_tfplan_sniff(plan, strlen(plan)));
    const char *tmpl = "{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Resources\":{}}";
    assert_false(slsec_tfplan_sniff(tmpl, strlen(tmpl)));
    const char *schemas = "{\"format_version\":\"1.0\",\"provider_schemas\":{}}";
    assert_false(slsec_tfplan_sniff(schemas, strlen(schemas)));

    slsec_arena *a = slsec_arena_new();
    slsec_doc doc;
    slsec_diag err;
    assert_int_equal(slsec_doc_parse(a, "p.json", plan, strlen(plan), &doc, &err), SLSEC_OK);
    assert_true(slsec_tfplan_is_plan(doc.root));
    assert_int_equal(slsec_doc_parse(a, "s.json", schemas, strlen(schemas), &doc, &err), SLSEC_OK);
    assert_false(slsec_tfplan_is_plan(doc.root));
    assert_int_equal(slsec_doc_parse(a, "t.json", tmpl, strlen(tmpl), &doc, &err), SLSEC_OK);
    assert_false(slsec_tfplan_is_plan(doc.root));
    slsec_arena_free(a);
}

static void expect_error(const char *q, int code, int line, const char *text)
{
    slsec_app *app = slsec_app_new();
    slsec_diags warnings = {0};
    slsec_diag err;
    memset(&err, 0, sizeof err);
    assert_int_equal(try_load(app, q, &warnings, &err), code);
    assert_string_equal(err.file, "plan.json");
    assert_int_equal(err.line, line);
    assert_true(err.col > 0);
    if (!strstr(err.message, text))
        fail_msg("message \"%s\" does not say \"%s\"", err.message, text);
    assert_int_equal(app->resources.count, 0);
    slsec_diags_clear(&warnings);
    slsec_app_free(app);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{'terraform_version':'1.9.8',\n'format_version':'2.0','planned_values':{}}", SLSEC_ESTRUCTURE, 2,
                 "format_version 2.0 is not supported");
    expect_error("{'format_version':'0.1','planned_values':{}}", SLSEC_ESTRUCTURE, 1, "format_version 0.1");
    expect_error("{'format_version':{'major':1},'planned_values':{}}", SLSEC_ESTRUCTURE, 1, "(not a string)");
    expect_error("[{'format_version':'1.2'}]", SLSEC_ESTRUCTURE, 1, "must be a JSON object, found a list");
    expect_error("{'format_version':'1.2',\n'planned_values':{'root_module':[]}}", SLSEC_ESTRUCTURE, 2,
                 "root_module must be an object");
    expect_error("{'hello':'world'}", SLSEC_ENOTTEMPLATE, 1, "not a Terraform plan");
}

/* ---- functions, references and unknowns ------------------------------------------------ */

static const char *const fn_plan = PLAN(
    "{'address':'aws_iam_role.exec','mode':'managed','type':'aws_iam_role','name':'exec',\n"
    " 'values':{'name':'exec','assume_role_policy':'{\\'Statement\\':[{\\'Effect\\':\\'Allow\\',"
    "\\'Principal\\':{\\'Service\\':\\'lambda.amazonaws.com\\'},\\'Action\\':\\'sts:AssumeRole\\'}]}'}},\n"
    "{'address':'aws_lambda_function.api','mode':'managed','type':'aws_lambda_function','name':'api',\n"
    " 'values':{'function_name':'api','runtime':'python3.12','timeout':20,'reserved_concurrent_executions':-1,\n"
    "  'environment':[{'variables':{'PLAIN':'x','SECRET':'hunter2hunter2'}}]},\n"
    " 'sensitive_values':{'environment':[{'variables':{'SECRET':true}}]}},\n"
    "{'address':'aws_sqs_queue.q','mode':'managed','type':'aws_sqs_queue','name':'q','values':{'name':'q'}},\n"
    "{'address':'aws_sqs_queue.plain','mode':'managed','type':'aws_sqs_queue','name':'plain','values':{'name':'p'}}",
    "{'address':'aws_lambda_function.api','change':{'actions':['create'],\n"
    "  'after_unknown':{'role':true,'tracing_config':true,'arn':true}}},\n"
    "{'address':'aws_sqs_queue.q','change':{'after_unknown':{'kms_master_key_id':true,'sqs_managed_sse_enabled':true}}},\n"
    "{'address':'aws_sqs_queue.plain','change':{'after_unknown':{'sqs_managed_sse_enabled':true}}}",
    "{'address':'aws_lambda_function.api','mode':'managed','type':'aws_lambda_function','name':'api',\n"
    " 'expressions':{'role':{'references':['aws_iam_role.exec.arn','aws_iam_role.exec']},"
    "'timeout':{'constant_value':20}}},\n"
    "{'address':'aws_sqs_queue.q','mode':'managed','type':'aws_sqs_queue','name':'q',\n"
    " 'expressions':{'kms_master_key_id':{'references':['aws_kms_key.k.arn']}}},\n"
    "{'address':'aws_sqs_queue.plain','mode':'managed','type':'aws_sqs_queue','name':'plain','expressions':{}}");

static void test_function(void **state)
{
    (void)state;
    slsec_app *app = load(fn_plan);
    const slsec_function *fn = function(app, "aws_lambda_function.api");
    assert_string_equal(fn->resource->type, "aws_lambda_function");
    assert_string_equal(fn->loc.file, "plan.json");
    assert_int_equal(fn->loc.line, 4); /* the resource object */
    assert_string_equal(fn->runtime, "python3.12");
    assert_int_equal(fn->timeout, 20);
    assert_int_equal(fn->reserved_concurrency, SLSEC_NUM_UNSET); /* -1: unreserved */
    /* The role is unknown until apply, but the configuration names it. */
    assert_non_null(fn->role);
    assert_string_equal(fn->role->id, "aws_iam_role.exec");
    assert_int_equal(fn->role->trust.count, 1);
    assert_true(slsec_ptrvec_contains(&fn->role->functions, fn));
    /* tracing_config is computed and not configured: Lambda's default. */
    assert_int_equal(fn->tracing_active, SLSEC_NO);
    assert_string_equal(slsec_node_str(env(fn, "PLAIN")->value), "x");
    const slsec_node *secret = env(fn, "SECRET")->value;
    assert_true(slsec_node_is_unknown(secret));
    assert_null(strstr(secret->str, "hunter2"));
    assert_non_null(slsec_app_resource(app, "plan.json", "aws_lambda_function.api"));
    assert_string_equal(((slsec_template *)app->templates.items[0])->format, "terraform-plan");

    /* A configured key known after apply is a key; a computed default is not set. */
    assert_int_equal(store(app, "aws_sqs_queue.q")->encrypted, SLSEC_YES);
    assert_int_equal(store(app, "aws_sqs_queue.plain")->encrypted, SLSEC_NO);
    slsec_app_free(app);
}

/* for_each: each permission reaches the function with its own key. */
static void test_instances(void **state)
{
    (void)state;
    slsec_app *app = load(PLAN(
        "{'address':'aws_lambda_function.f[\\'a\\']','mode':'managed','type':'aws_lambda_function','name':'f',"
        "'index':'a','values':{'function_name':'fa'}},\n"
        "{'address':'aws_lambda_function.f[\\'b\\']','mode':'managed','type':'aws_lambda_function','name':'f',"
        "'index':'b','values':{'function_name':'fb'}},\n"
        "{'address':'aws_lambda_permission.p[\\'b\\']','mode':'managed','type':'aws_lambda_permission','name':'p',"
        "'index':'b','values':{'principal':'*','action':'lambda:InvokeFunction'}}",
        "{'address':'aws_lambda_permission.p[\\'b\\']','change':{'after_unknown':{'function_name':true}}}",
        "{'address':'aws_lambda_permission.p','mode':'managed','type':'aws_lambda_permission','name':'p',"
        "'expressions':{'function_name':{'references':['aws_lambda_function.f','each.key']}}}"));
    const slsec_function *fb = function(app, "aws_lambda_function.f[\"b\"]");
    assert_int_equal(fb->permissions.count, 1);
    assert_int_equal(function(app, "aws_lambda_function.f[\"a\"]")->permissions.count, 0);
    const slsec_permission *p = fb->permissions.items[0];
    assert_string_equal(p->id, "aws_lambda_permission.p[\"b\"]");
    assert_string_equal(p->principal, "*");
    slsec_app_free(app);
}

/* Module variables lead back to the caller's resources. */
static void test_module_variable(void **state)
{
    (void)state;
    slsec_app *app = load(
        "{'format_version':'1.2','planned_values':{'root_module':{"
        "'resources':[{'address':'aws_iam_role.r','mode':'managed','type':'aws_iam_role','name':'r','values':{}}],"
        "'child_modules':[{'address':'module.m','resources':[{'address':'module.m.aws_lambda_function.f',"
        "'mode':'managed','type':'aws_lambda_function','name':'f','values':{'function_name':'f'}}]}]}},"
        "'resource_changes':[{'address':'module.m.aws_lambda_function.f','change':{'after_unknown':{'role':true}}}],"
        "'configuration':{'root_module':{'resources':[],'module_calls':{'m':{"
        "'expressions':{'role_arn':{'references':['aws_iam_role.r.arn','aws_iam_role.r']}},"
        "'module':{'resources':[{'address':'aws_lambda_function.f','mode':'managed','type':'aws_lambda_function',"
        "'name':'f','expressions':{'role':{'references':['var.role_arn']}}}]}}}}}}");
    const slsec_function *fn = function(app, "module.m.aws_lambda_function.f");
    assert_non_null(fn->role);
    assert_string_equal(fn->role->id, "aws_iam_role.r");
    slsec_app_free(app);
}

/* ---- stores, policies, groups ------------------------------------------------------------- */

static void test_bucket_split_resources(void **state)
{
    (void)state;
    slsec_app *app = load(PLAN(
        "{'address':'aws_s3_bucket.b','mode':'managed','type':'aws_s3_bucket','name':'b','values':{'bucket':'bk'}},\n"
        "{'address':'aws_s3_bucket_versioning.b','mode':'managed','type':'aws_s3_bucket_versioning','name':'b',"
        "'values':{'bucket':'bk','versioning_configuration':[{'status':'Enabled'}]}},\n"
        "{'address':'aws_s3_bucket_public_access_block.b','mode':'managed','type':'aws_s3_bucket_public_access_block',"
        "'name':'b','values':{'block_public_acls':true,'ignore_public_acls':true,'block_public_policy':false,"
        "'restrict_public_buckets':true}},\n"
        "{'address':'aws_s3_bucket_acl.b','mode':'managed','type':'aws_s3_bucket_acl','name':'b',"
        "'values':{'bucket':'bk','acl':'public-read'}}",
        "{'address':'aws_s3_bucket_public_access_block.b','change':{'after_unknown':{'bucket':true}}}",
        "{'address':'aws_s3_bucket_public_access_block.b','mode':'managed',"
        "'type':'aws_s3_bucket_public_access_block','name':'b',"
        "'expressions':{'bucket':{'references':['aws_s3_bucket.b.id','aws_s3_bucket.b']}}}"));
    const slsec_store *s = store(app, "aws_s3_bucket.b");
    assert_int_equal(s->versioning, SLSEC_YES);
    assert_true(s->pab.present);
    assert_int_equal(s->pab.block_public_acls, SLSEC_YES);
    assert_int_equal(s->pab.block_public_policy, SLSEC_NO);
    assert_int_equal(s->pab.loc.line, 4); /* the public access block's own object */
    assert_string_equal(s->acl, "PublicRead");
    /* Split resources are settings of the bucket, not resources of their own. */
    assert_null(slsec_app_resource(app, "plan.json", "aws_s3_bucket_versioning.b"));
    slsec_app_free(app);
}

/* A role policy from a data source read at apply: statements rebuilt from
 * its blocks, the unknown ARN kept unknown. */
static void test_policy_document(void **state)
{
    (void)state;
    slsec_app *app = load(PLAN(
        "{'address':'aws_iam_role.r','mode':'managed','type':'aws_iam_role','name':'r','values':{'name':'r'}},\n"
        "{'address':'aws_iam_role_policy.p','mode':'managed','type':'aws_iam_role_policy','name':'p',"
        "'values':{'name':'p','role':'r'}},\n"
        "{'address':'data.aws_iam_policy_document.d','mode':'data','type':'aws_iam_policy_document','name':'d',"
        "'values':{'statement':[{'effect':'Allow','actions':['sqs:*'],"
        "'principals':[{'type':'AWS','identifiers':['*']}],'condition':[]}]}}",
        "{'address':'aws_iam_role_policy.p','change':{'after_unknown':{'policy':true}}},\n"
        "{'address':'data.aws_iam_policy_document.d','change':{'after_unknown':{'json':true,"
        "'statement':[{'resources':true}]}}}",
        "{'address':'aws_iam_role_policy.p','mode':'managed','type':'aws_iam_role_policy','name':'p',"
        "'expressions':{'policy':{'references':['data.aws_iam_policy_document.d.json',"
        "'data.aws_iam_policy_document.d']}}}"));
    const slsec_role *role = app->roles.items[0];
    assert_string_equal(role->id, "aws_iam_role.r"); /* linked by its literal name */
    assert_int_equal(role->policies.count, 1);
    const slsec_policy *p = role->policies.items[0];
    assert_int_equal(p->statements.count, 1);
    const slsec_statement *s = p->statements.items[0];
    assert_true(s->allow);
    assert_string_equal(slsec_statement_action(s, 0), "sqs:*");
    assert_int_equal(s->resources.count, 1);
    assert_true(slsec_node_is_unknown(s->resources.items[0]));
    assert_true(s->principal_any);
    slsec_app_free(app);
}

static void test_bad_policy_json(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_diags warnings = {0};
    slsec_diag err;
    assert_int_equal(try_load(app, PLAN("{'address':'aws_iam_policy.p','mode':'managed','type':'aws_iam_policy',"
                                        "'name':'p','values':{'policy':'{not json'}}",
                                        "", ""),
                              &warnings, &err),
                     SLSEC_OK);
    assert_int_equal(warnings.count, 1);
    assert_non_null(strstr(warnings.items[0].message, "aws_iam_policy.p: policy is not valid JSON"));
    assert_int_equal(app->policies.count, 1);
    assert_int_equal(((slsec_policy *)app->policies.items[0])->statements.count, 0);
    slsec_diags_clear(&warnings);
    slsec_app_free(app);
}

static void test_security_groups(void **state)
{
    (void)state;
    slsec_app *app = load(PLAN(
        "{'address':'aws_security_group.g','mode':'managed','type':'aws_security_group','name':'g',"
        "'values':{'ingress':[{'protocol':'tcp','from_port':22,'to_port':22,'cidr_blocks':['0.0.0.0/0','10.0.0.0/8'],"
        "'ipv6_cidr_blocks':[]}]}},\n"
        "{'address':'aws_security_group_rule.out','mode':'managed','type':'aws_security_group_rule','name':'out',"
        "'values':{'type':'egress','protocol':'-1','from_port':0,'to_port':0,'cidr_blocks':['0.0.0.0/0']}}",
        "{'address':'aws_security_group.g','change':{'after_unknown':{'egress':true,'id':true}}},\n"
        "{'address':'aws_security_group_rule.out','change':{'after_unknown':{'security_group_id':true}}}",
        "{'address':'aws_security_group.g','mode':'managed','type':'aws_security_group','name':'g',"
        "'expressions':{'ingress':{'constant_value':[]}}},\n"
        "{'address':'aws_security_group_rule.out','mode':'managed','type':'aws_security_group_rule','name':'out',"
        "'expressions':{'security_group_id':{'references':['aws_security_group.g.id','aws_security_group.g']}}}"));
    assert_int_equal(app->security_groups.count, 1);
    const slsec_security_group *sg = app->security_groups.items[0];
    assert_string_equal(sg->id, "aws_security_group.g");
    assert_true(sg->egress_declared); /* Terraform removes AWS's default egress */
    assert_int_equal(sg->rules.count, 3);
    const slsec_sg_rule *r0 = sg->rules.items[0], *r2 = sg->rules.items[2];
    assert_true(r0->ingress);
    assert_string_equal(r0->cidr, "0.0.0.0/0");
    assert_int_equal(r0->from_port, 22);
    assert_false(r2->ingress);
    assert_string_equal(r2->resource_id, "aws_security_group_rule.out");
    slsec_app_free(app);
}

/* Types slsec does not model are kept and counted, like unknown
 * CloudFormation types; a state (`values`) reads like a plan. */
static void test_unknown_types_and_state(void **state)
{
    (void)state;
    slsec_app *app = load("{'format_version':'1.0','terraform_version':'1.9.8','values':{'root_module':{"
                          "'resources':[{'address':'aws_instance.web','mode':'managed','type':'aws_instance',"
                          "'name':'web','values':{}},{'address':'aws_kms_key.k','mode':'managed','type':'aws_kms_key',"
                          "'name':'k','values':{'enable_key_rotation':true}}]}}}");
    assert_int_equal(app->unknown_resources, 1);
    assert_int_equal(store(app, "aws_kms_key.k")->rotation, SLSEC_YES);
    slsec_app_free(app);
}

/* A state (or a plan of already-created resources) has values and no
 * references: integrations find their method, and methods their path, by
 * the literal ids they share. */
static void test_state_literals(void **state)
{
    (void)state;
    slsec_app *app = load(
        "{'format_version':'1.0','terraform_version':'1.9.8','values':{'root_module':{'resources':[\n"
        "{'address':'aws_lambda_function.f','mode':'managed','type':'aws_lambda_function','name':'f','values':{"
        "'function_name':'f','invoke_arn':'arn:aws:apigateway:eu-west-1:lambda:path/fn/f/invocations'}},\n"
        "{'address':'aws_api_gateway_rest_api.a','mode':'managed','type':'aws_api_gateway_rest_api','name':'a',"
        "'values':{'id':'abc','root_resource_id':'root1'}},\n"
        "{'address':'aws_api_gateway_resource.orders','mode':'managed','type':'aws_api_gateway_resource',"
        "'name':'orders','values':{'id':'r1','rest_api_id':'abc','parent_id':'root1','path_part':'orders'}},\n"
        "{'address':'aws_api_gateway_method.post','mode':'managed','type':'aws_api_gateway_method','name':'post',"
        "'values':{'rest_api_id':'abc','resource_id':'r1','http_method':'POST','authorization':'NONE'}},\n"
        "{'address':'aws_api_gateway_integration.post','mode':'managed','type':'aws_api_gateway_integration',"
        "'name':'post','values':{'rest_api_id':'abc','resource_id':'r1','http_method':'POST',"
        "'uri':'arn:aws:apigateway:eu-west-1:lambda:path/fn/f/invocations'}}]}}}");
    assert_int_equal(app->apis.count, 1);
    const slsec_api *api = app->apis.items[0];
    assert_int_equal(api->routes.count, 1);
    const slsec_route *rt = api->routes.items[0];
    assert_string_equal(rt->method, "POST");
    assert_string_equal(rt->path, "/orders");
    assert_string_equal(rt->authorizer, "NONE");
    assert_ptr_equal(rt->function, function(app, "aws_lambda_function.f"));
    slsec_app_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recognition),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_function),
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_module_variable),
        cmocka_unit_test(test_bucket_split_resources),
        cmocka_unit_test(test_policy_document),
        cmocka_unit_test(test_bad_policy_json),
        cmocka_unit_test(test_security_groups),
        cmocka_unit_test(test_unknown_types_and_state),
        cmocka_unit_test(test_state_literals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
