/*
 * test_inventory.c — the application map (src/report/inventory.c) and the
 * compliance view (src/report/compliance.c).
 *
 * The vulnerable example's graph is asserted exactly: every node id and
 * every edge, the actions on the edges that show how far its roles
 * reach, and the AWS operations its handlers' code calls. A synthetic app of 200 functions must collapse into a handful of
 * groups. Every rule of the catalogue must map to a programme concern, and
 * the example's controls must come out as its findings say.
 */
#include "slsec/compliance.h"
#include "report/inventory_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static slsec_scan_result *scan(const char *path)
{
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    const char *paths[] = {path};
    o.paths = paths;
    o.path_count = 1;
    o.no_config = true;
    o.offline_db = "/nonexistent/osv.db";
    slsec_scan_result *r = NULL;
    slsec_diag d = {0};
    if (slsec_scan_run(&o, &r, &d) != SLSEC_OK)
        fail_msg("scan failed: %s:%d:%d: %s", d.file, d.line, d.col, d.message);
    return r;
}

static const char *const want_nodes[] = {
    "trigger:CleanupFunction/Nightly",
    "trigger:OrderWorkerFunction/OrderQueued",
    "trigger:OrdersApiFunction/CreateOrder",
    "trigger:OrdersApiFunction/DeleteOrder",
    "trigger:OrdersApiFunction/FunctionUrl",
    "trigger:OrdersApiFunction/GetOrder",
    "trigger:ReceiptFunction/InvoiceUploaded",
    "function:CleanupFunction",
    "function:OrderWorkerFunction",
    "function:OrdersApiFunction",
    "function:ReceiptFunction",
    "role:OrdersApiFunctionRole",
    "role:OrdersBackendRole",
    "role:ReceiptFunctionRole",
    "role:SupportAccessRole",
    "store:CleanupFunctionLogGroup",
    "store:DbCredentialsSecret",
    "store:InvoicesBucket",
    "store:OrderEventsTopic",
    "store:OrdersQueue",
    "store:OrdersTable",
    "key:AppKey",
    "host:api.payments.example.com",
    /* what the handlers call through the AWS SDKs (v2 in JavaScript, boto3) */
    "service:dynamodb",
    "service:s3",
    "service:sns",
    "service:sqs",
};

static const char *const want_edges[][3] = {
    {"function:CleanupFunction", "role:OrdersBackendRole", "assumes"},
    {"function:CleanupFunction", "service:dynamodb", "calls"},
    {"function:CleanupFunction", "service:s3", "calls"},
    {"function:CleanupFunction", "store:OrderEventsTopic", "accesses"},
    {"function:CleanupFunction", "store:OrdersQueue", "accesses"},
    {"function:CleanupFunction", "store:OrdersTable", "accesses"},
    {"function:OrderWorkerFunction", "host:api.payments.example.com", "calls"},
    {"function:OrderWorkerFunction", "role:OrdersBackendRole", "assumes"},
    {"function:OrderWorkerFunction", "service:dynamodb", "calls"},
    {"function:OrderWorkerFunction", "service:sns", "calls"},
    {"function:OrderWorkerFunction", "store:OrderEventsTopic", "accesses"},
    {"function:OrderWorkerFunction", "store:OrdersQueue", "accesses"},
    {"function:OrderWorkerFunction", "store:OrdersTable", "accesses"},
    {"function:OrdersApiFunction", "role:OrdersApiFunctionRole", "assumes"},
    {"function:OrdersApiFunction", "service:dynamodb", "calls"},
    {"function:OrdersApiFunction", "service:s3", "calls"},
    {"function:OrdersApiFunction", "service:sqs", "calls"},
    {"function:OrdersApiFunction", "store:InvoicesBucket", "accesses"},
    {"function:OrdersApiFunction", "store:OrdersQueue", "accesses"},
    {"function:OrdersApiFunction", "store:OrdersTable", "accesses"},
    {"function:ReceiptFunction", "role:ReceiptFunctionRole", "assumes"},
    {"function:ReceiptFunction", "service:s3", "calls"},
    {"function:ReceiptFunction", "service:sns", "calls"},
    {"function:ReceiptFunction", "store:OrderEventsTopic", "accesses"},
    {"function:ReceiptFunction", "store:OrdersTable", "accesses"},
    {"store:InvoicesBucket", "trigger:ReceiptFunction/InvoiceUploaded", "feeds"},
    {"store:OrdersQueue", "trigger:OrderWorkerFunction/OrderQueued", "feeds"},
    {"trigger:CleanupFunction/Nightly", "function:CleanupFunction", "triggers"},
    {"trigger:OrderWorkerFunction/OrderQueued", "function:OrderWorkerFunction", "triggers"},
    {"trigger:OrdersApiFunction/CreateOrder", "function:OrdersApiFunction", "triggers"},
    {"trigger:OrdersApiFunction/DeleteOrder", "function:OrdersApiFunction", "triggers"},
    {"trigger:OrdersApiFunction/FunctionUrl", "function:OrdersApiFunction", "triggers"},
    {"trigger:OrdersApiFunction/GetOrder", "function:OrdersApiFunction", "triggers"},
    {"trigger:ReceiptFunction/InvoiceUploaded", "function:ReceiptFunction", "triggers"},
};

static const slsec_inv_edge *edge(const slsec_inventory *inv, const char *from, const char *to)
{
    for (size_t i = 0; i < inv->edges.count; i++) {
        const slsec_inv_edge *e = inv->edges.items[i];
        if (strcmp(e->from->id, from) == 0 && strcmp(e->to->id, to) == 0)
            return e;
    }
    return NULL;
}

static bool has_action(const slsec_inv_edge *e, const char *action)
{
    for (size_t i = 0; e && i < e->actions.count; i++)
        if (strcmp(e->actions.items[i], action) == 0)
            return true;
    return false;
}

static const char *attr(const slsec_inv_node *n, const char *key)
{
    for (size_t i = 0; n && i < n->attrs.count; i++) {
        const slsec_inv_attr *a = n->attrs.items[i];
        if (strcmp(a->key, key) == 0)
            return a->value;
    }
    return NULL;
}

static void test_vulnerable_app_graph(void **state)
{
    (void)state;
    slsec_scan_result *r = scan(SLSEC_SOURCE_DIR "/examples/vulnerable-app");
    slsec_arena *a = slsec_arena_new();
    slsec_inventory *inv = slsec_inventory_build(a, r->app, &r->findings);

    size_t nn = sizeof want_nodes / sizeof want_nodes[0];
    assert_int_equal(inv->nodes.count, nn);
    for (size_t i = 0; i < nn; i++)
        assert_string_equal(((slsec_inv_node *)inv->nodes.items[i])->id, want_nodes[i]);
    size_t ne = sizeof want_edges / sizeof want_edges[0];
    assert_int_equal(inv->edges.count, ne);
    for (size_t i = 0; i < ne; i++) {
        const slsec_inv_edge *e = inv->edges.items[i];
        assert_string_equal(e->from->id, want_edges[i][0]);
        assert_string_equal(e->to->id, want_edges[i][1]);
        assert_string_equal(e->kind, want_edges[i][2]);
    }
    assert_false(inv->truncated);

    /* The inline dynamodb:* on * reaches the table; the SAM templates'
     * actions are expanded; the worker's role can publish to the topic. */
    const slsec_inv_edge *e = edge(inv, "function:OrdersApiFunction", "store:OrdersTable");
    assert_true(has_action(e, "dynamodb:*"));
    assert_true(has_action(e, "dynamodb:PutItem"));
    assert_true(has_action(edge(inv, "function:OrdersApiFunction", "store:OrdersQueue"), "sqs:SendMessage*"));
    assert_true(has_action(edge(inv, "function:OrderWorkerFunction", "store:OrderEventsTopic"), "sns:Publish"));
    assert_false(has_action(edge(inv, "function:OrdersApiFunction", "store:InvoicesBucket"), "s3:PutObject"));

    /* The code's calls carry their operations: the DocumentClient's put
     * and delete, PartiQL, a presigned getObject URL. */
    e = edge(inv, "function:OrdersApiFunction", "service:dynamodb");
    assert_non_null(e);
    assert_string_equal(e->kind, "calls");
    assert_int_equal(e->actions.count, 3);
    assert_string_equal(e->actions.items[0], "dynamodb:DeleteItem");
    assert_string_equal(e->actions.items[1], "dynamodb:ExecuteStatement");
    assert_string_equal(e->actions.items[2], "dynamodb:PutItem");
    assert_true(has_action(edge(inv, "function:OrdersApiFunction", "service:s3"), "s3:GetObject"));
    assert_true(has_action(edge(inv, "function:OrderWorkerFunction", "service:dynamodb"), "dynamodb:UpdateItem"));
    e = edge(inv, "function:ReceiptFunction", "service:s3");
    assert_true(has_action(e, "s3:GetObject") && has_action(e, "s3:PutObject"));

    const slsec_inv_node *api = slsec_inventory_find(inv, "trigger:OrdersApiFunction/GetOrder");
    assert_non_null(api);
    assert_string_equal(attr(api, "method"), "GET");
    assert_string_equal(attr(api, "path"), "/orders/{id}");
    assert_string_equal(attr(api, "authorizer"), "NONE");
    assert_string_equal(attr(slsec_inventory_find(inv, "trigger:OrdersApiFunction/FunctionUrl"), "authorizer"),
                        "NONE");
    const slsec_inv_node *fn = slsec_inventory_find(inv, "function:OrderWorkerFunction");
    assert_string_equal(attr(fn, "role"), "OrdersBackendRole");
    assert_string_equal(attr(fn, "timeout"), "30");
    /* An open trust policy (IAM-008) makes the support role critical. */
    assert_int_equal(slsec_inventory_find(inv, "role:SupportAccessRole")->severity, SLSEC_SEV_CRITICAL);
    assert_int_equal(slsec_inventory_find(inv, "host:api.payments.example.com")->severity, -1);
    const slsec_inv_node *role = slsec_inventory_find(inv, "role:OrdersBackendRole");
    bool passrole = false;
    for (size_t i = 0; i < role->actions.count; i++)
        passrole |= strcmp(role->actions.items[i], "iam:PassRole") == 0;
    assert_true(passrole);

    /* Small enough to draw node by node. */
    inv_view v;
    slsec_inv_view(a, inv, &v);
    assert_false(v.collapsed);
    assert_int_equal(v.nboxes, nn);
    assert_int_equal(v.nlines, ne);

    slsec_arena_free(a);
    slsec_scan_result_free(r);
}

/* The model's function → external edges (slsec_app_add_external): kept
 * once per place, sorted client-first, and drawn as service and host
 * nodes, with a source file standing in for a function no template names. */
static void test_external_calls(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_function *fn = slsec_arena_alloc(app->arena, sizeof *fn);
    fn->id = "OrdersFunction";
    fn->loc = (slsec_loc){"template.yaml", 5, 3};
    slsec_ptrvec_push(app->arena, &app->functions, fn);
    char target[] = "s3"; /* copied by the model: changed below */
    const slsec_external_call calls[] = {
        {"OrdersFunction", fn, SLSEC_EXTERNAL_AWS, target, "PutObject", "s3.putObject", {"src/app.js", 9, 3}},
        {"OrdersFunction", fn, SLSEC_EXTERNAL_HOST, "api.stripe.com", NULL, "fetch", {"src/pay.js", 4, 1}},
        {"OrdersFunction", fn, SLSEC_EXTERNAL_AWS, "s3", NULL, "aws-sdk.S3", {"src/app.js", 2, 12}},
        {"OrdersFunction", fn, SLSEC_EXTERNAL_AWS, "s3", "GetObject", "s3.getObject", {"src/app.js", 12, 3}},
        {"OrdersFunction", fn, SLSEC_EXTERNAL_AWS, "s3", "PutObject", "s3.putObject", {"src/app.js", 9, 3}},
        {"tools/sync.py", NULL, SLSEC_EXTERNAL_AWS, "ssm", "GetParameter", "ssm.get_parameter", {"tools/sync.py", 9, 13}},
    };
    const slsec_external_call *first = NULL;
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const slsec_external_call *kept = slsec_app_add_external(app, &calls[i]);
        assert_non_null(kept);
        if (i == 0)
            first = kept;
        if (i == 4)
            assert_ptr_equal(kept, first); /* the same call at the same place: kept once */
    }
    target[0] = 'x';
    assert_string_equal(first->target, "s3");
    assert_null(slsec_app_add_external(app, &(slsec_external_call){.kind = SLSEC_EXTERNAL_HOST}));
    assert_int_equal(app->externals.count, 5);
    slsec_app_sort_externals(app);
    static const char *const order[] = {"aws s3 - 2", "aws s3 GetObject 12", "aws s3 PutObject 9",
                                        "host api.stripe.com - 4", "aws ssm GetParameter 9"};
    for (size_t i = 0; i < 5; i++) {
        const slsec_external_call *c = app->externals.items[i];
        char got[128];
        snprintf(got, sizeof got, "%s %s %s %d", slsec_external_kind_name(c->kind), c->target,
                 c->operation ? c->operation : "-", c->loc.line);
        assert_string_equal(got, order[i]);
    }

    slsec_arena *a = slsec_arena_new();
    slsec_inventory *inv = slsec_inventory_build(a, app, NULL);
    const slsec_inv_edge *e = edge(inv, "function:OrdersFunction", "service:s3");
    assert_non_null(e);
    assert_string_equal(e->kind, "calls");
    assert_int_equal(e->actions.count, 2);
    assert_string_equal(e->actions.items[0], "s3:GetObject");
    assert_string_equal(e->actions.items[1], "s3:PutObject");
    e = edge(inv, "function:OrdersFunction", "host:api.stripe.com");
    assert_non_null(e);
    assert_int_equal(e->actions.count, 0);
    const slsec_inv_node *file_fn = slsec_inventory_find(inv, "function:tools/sync.py");
    assert_non_null(file_fn);
    assert_string_equal(file_fn->subkind, "source file");
    assert_string_equal(file_fn->loc.file, "tools/sync.py");
    assert_non_null(edge(inv, "function:tools/sync.py", "service:ssm"));
    assert_int_equal(slsec_inventory_find(inv, "service:s3")->kind, SLSEC_INV_SERVICE);
    assert_string_equal(slsec_inv_kind_name(SLSEC_INV_SERVICE), "service");
    slsec_arena_free(a);
    slsec_app_free(app);
}

static void test_large_app_collapses(void **state)
{
    (void)state;
    char dir[] = "/tmp/slsec-test-inventory-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/template.yaml", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n", fp);
    for (int i = 0; i < 200; i++)
        fprintf(fp,
                "  Fn%d:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
                "      Handler: app.handler\n      CodeUri: src/\n      Timeout: %d\n      Events:\n        Get:\n"
                "          Type: Api\n          Properties:\n            Path: /fn%d\n            Method: get\n",
                i, i % 2 ? 10 : 900, i);
    fclose(fp);

    slsec_scan_result *r = scan(dir);
    slsec_arena *a = slsec_arena_new();
    slsec_inventory *inv = slsec_inventory_build(a, r->app, &r->findings);
    assert_true(inv->nodes.count > SLSEC_INVENTORY_MAX_DRAWN);
    assert_true(slsec_inventory_collapsed(inv));
    inv_view v;
    slsec_inv_view(a, inv, &v);
    assert_true(v.collapsed);
    assert_true(v.nboxes <= 16);
    size_t members = 0, functions = 0;
    for (size_t i = 0; i < v.nboxes; i++) {
        members += v.boxes[i].members;
        if (v.boxes[i].kind == SLSEC_INV_FUNCTION)
            functions += v.boxes[i].members;
    }
    assert_int_equal(members, inv->nodes.count);
    assert_int_equal(functions, 200);
    size_t lines = 0;
    for (size_t i = 0; i < v.nlines; i++)
        lines += v.lines[i].count;
    assert_int_equal(lines, inv->edges.count);
    slsec_arena_free(a);
    slsec_scan_result_free(r);
    unlink(path);
    rmdir(dir);
}

static void test_every_rule_has_a_concern(void **state)
{
    (void)state;
    size_t n;
    const slsec_rule *const *all = slsec_rules_all(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        const char *ids[16];
        assert_true(slsec_compliance_concerns(all[i], ids, 16) >= 1);
    }
}

static const slsec_control *control(const slsec_ptrvec *v, const char *id)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(((const slsec_control *)v->items[i])->id, id) == 0)
            return v->items[i];
    fail_msg("no control %s", id);
    return NULL;
}

static void test_compliance_of_examples(void **state)
{
    (void)state;
    slsec_scan_result *r = scan(SLSEC_SOURCE_DIR "/examples/vulnerable-app");
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec controls = {0};
    slsec_compliance_eval(a, r, &controls);
    assert_int_equal(controls.count, 10 + 16);
    assert_int_equal(control(&controls, "SAS-4")->status, SLSEC_CONTROL_FAIL);
    assert_int_equal(control(&controls, "SAS-9")->status, SLSEC_CONTROL_NOT_ASSESSED);
    assert_int_equal(control(&controls, "least-privilege")->status, SLSEC_CONTROL_FAIL);
    assert_int_equal(control(&controls, "network")->status, SLSEC_CONTROL_FAIL);
    /* a lockfile, but no advisory index: checked nothing, so not a pass */
    assert_int_equal(control(&controls, "dependencies")->status, SLSEC_CONTROL_NOT_ASSESSED);
    slsec_arena_free(a);
    slsec_scan_result_free(r);

    r = scan(SLSEC_SOURCE_DIR "/examples/hardened-app");
    a = slsec_arena_new();
    controls = (slsec_ptrvec){0};
    slsec_compliance_eval(a, r, &controls);
    assert_int_equal(control(&controls, "network")->status, SLSEC_CONTROL_PASS);
    assert_int_equal(control(&controls, "SAS-7")->status, SLSEC_CONTROL_PASS);
    slsec_arena_free(a);
    slsec_scan_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vulnerable_app_graph),
        cmocka_unit_test(test_external_calls),
        cmocka_unit_test(test_large_app_collapses),
        cmocka_unit_test(test_every_rule_has_a_concern),
        cmocka_unit_test(test_compliance_of_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
