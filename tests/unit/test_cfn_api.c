/*
 * test_cfn_api.c — API Gateway as the CloudFormation/SAM front-end models it
 * (src/load/cfn_api.c): SAM's implicit APIs and the Globals they take,
 * route authorization (DefaultAuthorizer inheritance, Authorizer: NONE and
 * AWS_IAM overrides, API keys, OpenAPI security), plain ApiGateway and
 * ApiGatewayV2 resources linked into routes that reach functions, stage
 * settings, usage plans, WAF associations and custom domain TLS, and values
 * left to deploy time kept unknown. Templates are small strings loaded
 * through slsec_doc_parse + slsec_load_cfn, as the scanner does.
 */
#include "slsec/load.h"
#include "slsec/rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static slsec_app *load(const char *yaml)
{
    slsec_app *app = slsec_app_new();
    slsec_doc doc;
    slsec_diag err;
    assert_int_equal(slsec_doc_parse(app->arena, "template.yaml", yaml, strlen(yaml), &doc, &err), SLSEC_OK);
    slsec_diags warnings = {0};
    assert_int_equal(slsec_load_cfn(app, &doc, "template.yaml", &warnings, &err), SLSEC_OK);
    slsec_diags_clear(&warnings);
    return app;
}

static const slsec_api *api(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->apis.count; i++) {
        const slsec_api *a = app->apis.items[i];
        if (strcmp(a->id, id) == 0)
            return a;
    }
    fail_msg("no api %s", id);
    return NULL;
}

static const slsec_route *route(const slsec_api *a, const char *method, const char *path)
{
    for (size_t i = 0; i < a->routes.count; i++) {
        const slsec_route *r = a->routes.items[i];
        if (strcmp(r->method, method) == 0 && strcmp(r->path, path) == 0)
            return r;
    }
    fail_msg("no route %s %s on %s", method, path, a->id);
    return NULL;
}

static const slsec_stage *stage(const slsec_api *a, const char *name)
{
    for (size_t i = 0; i < a->stages.count; i++) {
        const slsec_stage *s = a->stages.items[i];
        if (strcmp(s->name, name) == 0)
            return s;
    }
    fail_msg("no stage %s on %s", name, a->id);
    return NULL;
}

static const slsec_domain *domain(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->domains.count; i++) {
        const slsec_domain *d = app->domains.items[i];
        if (strcmp(d->id, id) == 0)
            return d;
    }
    fail_msg("no domain %s", id);
    return NULL;
}

static const slsec_function *function(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->functions.count; i++) {
        const slsec_function *fn = app->functions.items[i];
        if (strcmp(fn->id, id) == 0)
            return fn;
    }
    fail_msg("no function %s", id);
    return NULL;
}

/* Findings of one rule over the app. */
static size_t count_findings(const slsec_app *app, const char *rule_id)
{
    slsec_settings st;
    slsec_settings_default(&st);
    slsec_ptrvec findings = {0};
    slsec_rules_run(app, &st, app->arena, NULL, NULL, &findings);
    size_t n = 0;
    for (size_t i = 0; i < findings.count; i++) {
        const slsec_finding *f = findings.items[i];
        if (strcmp(f->rule->id, rule_id) == 0)
            n++;
    }
    return n;
}

static void test_implicit_api(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Globals:\n"
                          "  Api:\n"
                          "    TracingEnabled: true\n"
                          "    AccessLogSetting:\n"
                          "      DestinationArn: !GetAtt Logs.Arn\n"
                          "    MethodSettings:\n"
                          "      - ResourcePath: /*\n"
                          "        HttpMethod: '*'\n"
                          "        ThrottlingRateLimit: 10\n"
                          "Resources:\n"
                          "  Logs:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "  OrdersFunction:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: python3.12\n"
                          "      Handler: app.handler\n"
                          "      Events:\n"
                          "        List:\n"
                          "          Type: Api\n"
                          "          Properties: {Path: /orders, Method: get}\n"
                          "        Create:\n"
                          "          Type: Api\n"
                          "          Properties: {Path: /orders, Method: post}\n"
                          "        Hook:\n"
                          "          Type: HttpApi\n");
    assert_int_equal(app->apis.count, 2);
    const slsec_api *rest = api(app, "ServerlessRestApi");
    assert_true(rest->implicit);
    assert_null(rest->resource);
    assert_int_equal(rest->kind, SLSEC_API_REST);
    assert_int_equal(rest->loc.line, 20); /* the first event that needed it */
    assert_int_equal(rest->routes.count, 2);
    const slsec_stage *prod = stage(rest, "Prod");
    assert_int_equal(prod->access_logging, SLSEC_YES);
    assert_int_equal(prod->throttling, SLSEC_YES);
    assert_int_equal(prod->tracing, SLSEC_YES);
    assert_int_equal(prod->waf, SLSEC_NO);

    const slsec_route *list = route(rest, "GET", "/orders");
    assert_string_equal(list->function->id, "OrdersFunction");
    assert_string_equal(list->resource_id, "OrdersFunction");
    assert_null(list->authorizer);
    assert_int_equal(list->auth_known, SLSEC_YES);
    assert_int_equal(list->api_key_required, SLSEC_NO);
    assert_int_equal(list->loc.line, 20);
    assert_int_equal(route(rest, "POST", "/orders")->request_validation, SLSEC_NO);

    /* The HttpApi event with no Path/Method is SAM's catch-all $default route. */
    const slsec_api *http = api(app, "ServerlessHttpApi");
    assert_true(http->implicit);
    assert_int_equal(http->kind, SLSEC_API_HTTP);
    stage(http, "$default");
    assert_non_null(route(http, "ANY", "$default")->function);

    const slsec_function *fn = function(app, "OrdersFunction");
    assert_int_equal(fn->triggers.count, 3);
    const slsec_trigger *t = fn->triggers.items[0];
    assert_int_equal(t->kind, SLSEC_TRIGGER_API_REST);
    assert_ptr_equal(t->route, list);
    assert_string_equal(t->source_id, "ServerlessRestApi");
    assert_int_equal(((const slsec_trigger *)fn->triggers.items[2])->kind, SLSEC_TRIGGER_API_HTTP);

    assert_int_equal(count_findings(app, "API-001"), 3);
    assert_int_equal(count_findings(app, "API-002"), 1); /* the HTTP API's $default stage */
    assert_int_equal(count_findings(app, "API-003"), 1);
    assert_int_equal(count_findings(app, "API-004"), 1);
    assert_int_equal(count_findings(app, "API-006"), 1);
    slsec_app_free(app);
}

static void test_authorizer_inheritance(void **state)
{
    (void)state;
    /* The API comes after the function: events are linked after every API exists. */
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Parameters:\n"
                          "  AuthName: {Type: String}\n"
                          "Resources:\n"
                          "  Fn:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: nodejs20.x\n"
                          "      Handler: index.handler\n"
                          "      Events:\n"
                          "        Inherit:\n"
                          "          Type: Api\n"
                          "          Properties: {RestApiId: !Ref MyApi, Path: /a, Method: GET}\n"
                          "        Open:\n"
                          "          Type: Api\n"
                          "          Properties:\n"
                          "            RestApiId: !Ref MyApi\n"
                          "            Path: /b\n"
                          "            Method: get\n"
                          "            Auth: {Authorizer: NONE, ApiKeyRequired: false}\n"
                          "        Iam:\n"
                          "          Type: Api\n"
                          "          Properties:\n"
                          "            RestApiId: !Ref MyApi\n"
                          "            Path: /c\n"
                          "            Method: any\n"
                          "            Auth: {Authorizer: AWS_IAM}\n"
                          "        Other:\n"
                          "          Type: Api\n"
                          "          Properties:\n"
                          "            RestApiId: !Ref MyApi\n"
                          "            Path: /d\n"
                          "            Method: get\n"
                          "            Auth: {Authorizer: TokenAuth}\n"
                          "        Param:\n"
                          "          Type: Api\n"
                          "          Properties:\n"
                          "            RestApiId: !Ref MyApi\n"
                          "            Path: /e\n"
                          "            Method: get\n"
                          "            Auth: {Authorizer: !Ref AuthName}\n"
                          "  MyApi:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: v1\n"
                          "      Auth:\n"
                          "        DefaultAuthorizer: CognitoAuth\n"
                          "        ApiKeyRequired: true\n"
                          "        Authorizers:\n"
                          "          CognitoAuth: {UserPoolArn: arn:aws:cognito-idp:us-east-1:1:userpool/x}\n"
                          "          TokenAuth: {FunctionArn: arn:aws:lambda:us-east-1:1:function:auth}\n");
    const slsec_api *a = api(app, "MyApi");
    assert_false(a->implicit);
    assert_string_equal(a->default_authorizer, "CognitoAuth");
    assert_int_equal(a->api_key_required, SLSEC_YES);
    assert_int_equal(a->authorizers.count, 2);
    assert_int_equal(a->routes.count, 5);

    const slsec_route *r = route(a, "GET", "/a");
    assert_string_equal(r->authorizer, "CognitoAuth");
    assert_int_equal(r->auth_known, SLSEC_YES);
    assert_int_equal(r->api_key_required, SLSEC_YES);

    r = route(a, "GET", "/b");
    assert_string_equal(r->authorizer, "NONE");
    assert_int_equal(r->auth_known, SLSEC_YES);
    assert_int_equal(r->api_key_required, SLSEC_NO);

    r = route(a, "ANY", "/c");
    assert_string_equal(r->authorizer, "AWS_IAM");
    assert_int_equal(r->api_key_required, SLSEC_YES);

    assert_string_equal(route(a, "GET", "/d")->authorizer, "TokenAuth");
    assert_int_equal(route(a, "GET", "/e")->auth_known, SLSEC_UNKNOWN);

    /* Only the explicitly opened route with its API key switched off. */
    assert_int_equal(count_findings(app, "API-001"), 1);
    slsec_app_free(app);
}

static void test_http_api(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Resources:\n"
                          "  Events:\n"
                          "    Type: AWS::Serverless::HttpApi\n"
                          "    Properties:\n"
                          "      StageName: live\n"
                          "      AccessLogSettings: {DestinationArn: arn:aws:logs:us-east-1:1:log-group:x, Format: x}\n"
                          "      Auth:\n"
                          "        DefaultAuthorizer: Jwt\n"
                          "        Authorizers:\n"
                          "          Jwt: {IdentitySource: $request.header.Authorization}\n"
                          "  Fn:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: nodejs20.x\n"
                          "      Handler: index.handler\n"
                          "      Events:\n"
                          "        Get:\n"
                          "          Type: HttpApi\n"
                          "          Properties: {ApiId: !Ref Events, Path: /items, Method: get}\n"
                          "        Public:\n"
                          "          Type: HttpApi\n"
                          "          Properties:\n"
                          "            ApiId: !Ref Events\n"
                          "            Path: /health\n"
                          "            Method: get\n"
                          "            Auth: {Authorizer: NONE}\n"
                          "            RouteSettings: {ThrottlingBurstLimit: 5}\n");
    const slsec_api *a = api(app, "Events");
    assert_int_equal(a->kind, SLSEC_API_HTTP);
    const slsec_stage *st = stage(a, "live");
    assert_int_equal(st->access_logging, SLSEC_YES);
    assert_int_equal(st->throttling, SLSEC_YES); /* a route's own settings */
    assert_string_equal(route(a, "GET", "/items")->authorizer, "Jwt");
    const slsec_route *pub = route(a, "GET", "/health");
    assert_string_equal(pub->authorizer, "NONE");
    assert_int_equal(pub->api_key_required, SLSEC_NO);
    assert_int_equal(count_findings(app, "API-001"), 1);
    assert_int_equal(count_findings(app, "API-004"), 0); /* HTTP APIs cannot have WAF */
    assert_int_equal(count_findings(app, "API-006"), 0);
    slsec_app_free(app);
}

static void test_cloudformation_rest(void **state)
{
    (void)state;
    slsec_app *app = load("Resources:\n"
                          "  Api:\n"
                          "    Type: AWS::ApiGateway::RestApi\n"
                          "    Properties: {Name: orders}\n"
                          "  Orders:\n"
                          "    Type: AWS::ApiGateway::Resource\n"
                          "    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders}\n"
                          "  Order:\n"
                          "    Type: AWS::ApiGateway::Resource\n"
                          "    Properties: {RestApiId: !Ref Api, ParentId: !Ref Orders, PathPart: '{id}'}\n"
                          "  Auth:\n"
                          "    Type: AWS::ApiGateway::Authorizer\n"
                          "    Properties: {RestApiId: !Ref Api, Name: TokenAuth, Type: TOKEN}\n"
                          "  Validator:\n"
                          "    Type: AWS::ApiGateway::RequestValidator\n"
                          "    Properties: {RestApiId: !Ref Api, ValidateRequestBody: true}\n"
                          "  PutOrder:\n"
                          "    Type: AWS::ApiGateway::Method\n"
                          "    Properties:\n"
                          "      RestApiId: !Ref Api\n"
                          "      ResourceId: !Ref Order\n"
                          "      HttpMethod: put\n"
                          "      AuthorizationType: CUSTOM\n"
                          "      AuthorizerId: !Ref Auth\n"
                          "      RequestValidatorId: !Ref Validator\n"
                          "      Integration:\n"
                          "        Type: AWS_PROXY\n"
                          "        Uri: !Sub\n"
                          "          - arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Arn}/invocations\n"
                          "          - Arn: !GetAtt Handler.Arn\n"
                          "  GetOrders:\n"
                          "    Type: AWS::ApiGateway::Method\n"
                          "    Properties:\n"
                          "      RestApiId: !Ref Api\n"
                          "      ResourceId: !Ref Orders\n"
                          "      HttpMethod: GET\n"
                          "      ApiKeyRequired: true\n"
                          "      Integration:\n"
                          "        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HandlerLive}/invocations\n"
                          "  HandlerLive:\n"
                          "    Type: AWS::Lambda::Alias\n"
                          "    Properties: {FunctionName: !Ref Handler, FunctionVersion: '1', Name: live}\n"
                          "  Handler:\n"
                          "    Type: AWS::Lambda::Function\n"
                          "    Properties: {Runtime: python3.12, Handler: app.handler, Role: arn:aws:iam::1:role/r}\n"
                          "  Deployment:\n"
                          "    Type: AWS::ApiGateway::Deployment\n"
                          "    Properties:\n"
                          "      RestApiId: !Ref Api\n"
                          "      StageName: test\n"
                          "      StageDescription: {ThrottlingRateLimit: 5, TracingEnabled: true}\n"
                          "  Prod:\n"
                          "    Type: AWS::ApiGateway::Stage\n"
                          "    Properties:\n"
                          "      RestApiId: !Ref Api\n"
                          "      StageName: prod\n"
                          "      CacheClusterEnabled: true\n"
                          "      AccessLogSetting: {DestinationArn: !GetAtt Logs.Arn}\n"
                          "  Logs:\n"
                          "    Type: AWS::Logs::LogGroup\n");
    const slsec_api *a = api(app, "Api");
    assert_int_equal(a->routes.count, 2);
    const slsec_route *put = route(a, "PUT", "/orders/{id}");
    assert_string_equal(put->authorizer, "TokenAuth");
    assert_int_equal(put->request_validation, SLSEC_YES);
    assert_string_equal(put->resource_id, "PutOrder");
    assert_string_equal(put->function->id, "Handler");
    const slsec_route *get = route(a, "GET", "/orders");
    assert_null(get->authorizer);
    assert_int_equal(get->api_key_required, SLSEC_YES);
    assert_string_equal(get->function->id, "Handler"); /* through the alias */
    assert_int_equal(a->authorizers.count, 1);

    const slsec_stage *test = stage(a, "test");
    assert_string_equal(test->resource_id, "Deployment");
    assert_int_equal(test->throttling, SLSEC_YES);
    assert_int_equal(test->tracing, SLSEC_YES);
    assert_int_equal(test->access_logging, SLSEC_NO);
    const slsec_stage *prod = stage(a, "prod");
    assert_int_equal(prod->access_logging, SLSEC_YES);
    assert_int_equal(prod->cache_encrypted, SLSEC_NO);

    const slsec_function *fn = function(app, "Handler");
    assert_int_equal(fn->triggers.count, 2);
    assert_int_equal(((const slsec_trigger *)fn->triggers.items[0])->kind, SLSEC_TRIGGER_API_REST);
    assert_int_equal(count_findings(app, "API-001"), 0);
    assert_int_equal(count_findings(app, "API-006"), 0);
    slsec_app_free(app);
}

static void test_v2_resources(void **state)
{
    (void)state;
    slsec_app *app = load("Resources:\n"
                          "  Http:\n"
                          "    Type: AWS::ApiGatewayV2::Api\n"
                          "    Properties: {Name: h, ProtocolType: HTTP}\n"
                          "  Integ:\n"
                          "    Type: AWS::ApiGatewayV2::Integration\n"
                          "    Properties:\n"
                          "      ApiId: !Ref Http\n"
                          "      IntegrationType: AWS_PROXY\n"
                          "      IntegrationUri: !GetAtt Fn.Arn\n"
                          "  Jwt:\n"
                          "    Type: AWS::ApiGatewayV2::Authorizer\n"
                          "    Properties: {ApiId: !Ref Http, Name: UserPool, AuthorizerType: JWT}\n"
                          "  GetItems:\n"
                          "    Type: AWS::ApiGatewayV2::Route\n"
                          "    Properties:\n"
                          "      ApiId: !Ref Http\n"
                          "      RouteKey: GET /items\n"
                          "      AuthorizationType: JWT\n"
                          "      AuthorizerId: !Ref Jwt\n"
                          "      Target: !Join [/, [integrations, !Ref Integ]]\n"
                          "  Catch:\n"
                          "    Type: AWS::ApiGatewayV2::Route\n"
                          "    Properties:\n"
                          "      ApiId: !Ref Http\n"
                          "      RouteKey: $default\n"
                          "      Target: !Sub integrations/${Integ}\n"
                          "  Live:\n"
                          "    Type: AWS::ApiGatewayV2::Stage\n"
                          "    Properties:\n"
                          "      ApiId: !Ref Http\n"
                          "      StageName: live\n"
                          "      DefaultRouteSettings: {ThrottlingRateLimit: 100}\n"
                          "  Quick:\n"
                          "    Type: AWS::ApiGatewayV2::Api\n"
                          "    Properties: {Name: q, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}\n"
                          "  Socket:\n"
                          "    Type: AWS::ApiGatewayV2::Api\n"
                          "    Properties: {Name: s, ProtocolType: WEBSOCKET}\n"
                          "  Connect:\n"
                          "    Type: AWS::ApiGatewayV2::Route\n"
                          "    Properties: {ApiId: !Ref Socket, RouteKey: $connect}\n"
                          "  Message:\n"
                          "    Type: AWS::ApiGatewayV2::Route\n"
                          "    Properties: {ApiId: !Ref Socket, RouteKey: sendMessage}\n"
                          "  Fn:\n"
                          "    Type: AWS::Lambda::Function\n"
                          "    Properties: {Runtime: python3.12, Handler: app.handler, Role: arn:aws:iam::1:role/r}\n");
    const slsec_api *h = api(app, "Http");
    const slsec_route *get = route(h, "GET", "/items");
    assert_string_equal(get->authorizer, "UserPool");
    assert_string_equal(get->function->id, "Fn");
    const slsec_route *any = route(h, "ANY", "$default");
    assert_null(any->authorizer);
    assert_string_equal(any->function->id, "Fn");
    assert_int_equal(stage(h, "live")->throttling, SLSEC_YES);

    const slsec_api *q = api(app, "Quick");
    assert_int_equal(q->routes.count, 1);
    assert_string_equal(route(q, "ANY", "$default")->function->id, "Fn");
    assert_int_equal(stage(q, "$default")->throttling, SLSEC_NO);

    const slsec_api *s = api(app, "Socket");
    assert_int_equal(s->kind, SLSEC_API_WEBSOCKET);
    route(s, "$connect", "");
    route(s, "sendMessage", "");

    /* Http $default, Quick's $default and Socket's $connect. */
    assert_int_equal(count_findings(app, "API-001"), 3);
    assert_int_equal(count_findings(app, "API-002"), 1);
    slsec_app_free(app);
}

static void test_waf_associations(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Parameters:\n"
                          "  StageParam: {Type: String}\n"
                          "Conditions:\n"
                          "  Maybe: !Equals [!Ref StageParam, x]\n"
                          "Resources:\n"
                          "  Implicit:\n"
                          "    Type: AWS::WAFv2::WebACLAssociation\n"
                          "    Properties:\n"
                          "      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${ServerlessRestApi}/stages/Prod\n"
                          "      WebACLArn: arn:aws:wafv2:us-east-1:1:regional/webacl/x/y\n"
                          "  Fn:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: nodejs20.x\n"
                          "      Handler: index.handler\n"
                          "      Events:\n"
                          "        Get: {Type: Api, Properties: {Path: /, Method: get}}\n"
                          "  Legacy:\n"
                          "    Type: AWS::ApiGateway::RestApi\n"
                          "  V1:\n"
                          "    Type: AWS::ApiGateway::Stage\n"
                          "    Properties: {RestApiId: !Ref Legacy, StageName: v1}\n"
                          "  V2:\n"
                          "    Type: AWS::ApiGateway::Stage\n"
                          "    Properties: {RestApiId: !Ref Legacy, StageName: v2}\n"
                          "  OnV2:\n"
                          "    Type: AWS::WAFv2::WebACLAssociation\n"
                          "    Properties:\n"
                          "      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Legacy}/stages/${V2}\n"
                          "      WebACLArn: arn:aws:wafv2:us-east-1:1:regional/webacl/x/y\n"
                          "  Other:\n"
                          "    Type: AWS::ApiGateway::RestApi\n"
                          "  A:\n"
                          "    Type: AWS::ApiGateway::Stage\n"
                          "    Properties: {RestApiId: !Ref Other, StageName: a}\n"
                          "  B:\n"
                          "    Type: AWS::ApiGateway::Stage\n"
                          "    Properties: {RestApiId: !Ref Other, StageName: b}\n"
                          "  OnSomeStage:\n"
                          "    Type: AWS::WAFv2::WebACLAssociation\n"
                          "    Properties:\n"
                          "      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Other}/stages/${StageParam}\n"
                          "      WebACLArn: arn:aws:wafv2:us-east-1:1:regional/webacl/x/y\n"
                          "  Third:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties: {StageName: prod}\n"
                          "  Conditional:\n"
                          "    Type: AWS::WAFv2::WebACLAssociation\n"
                          "    Condition: Maybe\n"
                          "    Properties:\n"
                          "      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Third}/stages/prod\n"
                          "      WebACLArn: arn:aws:wafv2:us-east-1:1:regional/webacl/x/y\n");
    assert_int_equal(stage(api(app, "ServerlessRestApi"), "Prod")->waf, SLSEC_YES);
    const slsec_api *legacy = api(app, "Legacy");
    assert_int_equal(stage(legacy, "v1")->waf, SLSEC_NO);
    assert_int_equal(stage(legacy, "v2")->waf, SLSEC_YES);
    /* The stage cannot be told: every stage of the API counts as covered. */
    const slsec_api *other = api(app, "Other");
    assert_int_equal(stage(other, "a")->waf, SLSEC_YES);
    assert_int_equal(stage(other, "b")->waf, SLSEC_YES);
    assert_int_equal(stage(api(app, "Third"), "prod")->waf, SLSEC_UNKNOWN);
    assert_int_equal(count_findings(app, "API-004"), 1);
    slsec_app_free(app);
}

static void test_domains(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Parameters:\n"
                          "  Policy: {Type: String}\n"
                          "  Strong: {Type: String, Default: TLS_1_2}\n"
                          "Resources:\n"
                          "  Unset:\n"
                          "    Type: AWS::ApiGateway::DomainName\n"
                          "    Properties: {DomainName: a.example.com}\n"
                          "  Weak:\n"
                          "    Type: AWS::ApiGateway::DomainName\n"
                          "    Properties: {DomainName: b.example.com, SecurityPolicy: TLS_1_0}\n"
                          "  Param:\n"
                          "    Type: AWS::ApiGateway::DomainName\n"
                          "    Properties: {DomainName: c.example.com, SecurityPolicy: !Ref Policy}\n"
                          "  Defaulted:\n"
                          "    Type: AWS::ApiGateway::DomainName\n"
                          "    Properties: {DomainName: d.example.com, SecurityPolicy: !Ref Strong}\n"
                          "  Enhanced:\n"
                          "    Type: AWS::ApiGateway::DomainName\n"
                          "    Properties: {DomainName: e.example.com, SecurityPolicy: SecurityPolicy_TLS13_1_3_2025_09}\n"
                          "  V2:\n"
                          "    Type: AWS::ApiGatewayV2::DomainName\n"
                          "    Properties:\n"
                          "      DomainName: f.example.com\n"
                          "      DomainNameConfigurations: [{CertificateArn: x}]\n"
                          "  SamApi:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: prod\n"
                          "      Domain: {DomainName: g.example.com, CertificateArn: x, SecurityPolicy: TLS_1_0}\n");
    assert_int_equal(app->domains.count, 7);
    assert_null(domain(app, "Unset")->security_policy);
    assert_false(domain(app, "Unset")->http_api);
    const slsec_domain *weak = domain(app, "Weak");
    assert_string_equal(weak->security_policy, "TLS_1_0");
    assert_int_equal(weak->policy_loc.line, 11);
    assert_non_null(strstr(domain(app, "Param")->security_policy, "${"));
    assert_string_equal(domain(app, "Defaulted")->security_policy, "TLS_1_2");
    const slsec_domain *v2 = domain(app, "V2");
    assert_true(v2->http_api);
    assert_null(v2->security_policy);
    const slsec_domain *sam = domain(app, "SamApi");
    assert_string_equal(sam->security_policy, "TLS_1_0");
    assert_int_equal(sam->policy_loc.line, 30);
    /* Unset (REST default), Weak and SamApi. */
    assert_int_equal(count_findings(app, "API-005"), 3);
    slsec_app_free(app);
}

static void test_usage_plans(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Resources:\n"
                          "  SamPlan:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: prod\n"
                          "      Auth:\n"
                          "        UsagePlan: {CreateUsagePlan: PER_API, Throttle: {RateLimit: 5}}\n"
                          "  SamNoThrottle:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: prod\n"
                          "      Auth:\n"
                          "        UsagePlan: {CreateUsagePlan: PER_API, Quota: {Limit: 5, Period: DAY}}\n"
                          "  Rest:\n"
                          "    Type: AWS::ApiGateway::RestApi\n"
                          "  Stage:\n"
                          "    Type: AWS::ApiGateway::Stage\n"
                          "    Properties: {RestApiId: !Ref Rest, StageName: prod}\n"
                          "  Plan:\n"
                          "    Type: AWS::ApiGateway::UsagePlan\n"
                          "    Properties:\n"
                          "      ApiStages:\n"
                          "        - ApiId: !Ref Rest\n"
                          "          Stage: !Ref Stage\n"
                          "          Throttle:\n"
                          "            /orders/GET: {RateLimit: 3, BurstLimit: 6}\n");
    assert_int_equal(api(app, "SamPlan")->usage_plan, SLSEC_YES);
    assert_int_equal(api(app, "SamNoThrottle")->usage_plan, SLSEC_NO);
    assert_int_equal(api(app, "Rest")->usage_plan, SLSEC_YES);
    assert_int_equal(count_findings(app, "API-002"), 1);
    slsec_app_free(app);
}

static void test_openapi_body(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Resources:\n"
                          "  Defined:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: prod\n"
                          "      DefinitionBody:\n"
                          "        openapi: 3.0.1\n"
                          "        x-amazon-apigateway-request-validators:\n"
                          "          body: {validateRequestBody: true}\n"
                          "        components:\n"
                          "          securitySchemes:\n"
                          "            Key: {type: apiKey, name: x-api-key, in: header}\n"
                          "            Lambda: {type: apiKey, name: Authorization, in: header,\n"
                          "                     x-amazon-apigateway-authorizer: {type: token}}\n"
                          "        paths:\n"
                          "          /items:\n"
                          "            get:\n"
                          "              security: [{Lambda: []}]\n"
                          "            post:\n"
                          "              security: [{Key: []}]\n"
                          "              x-amazon-apigateway-request-validator: body\n"
                          "              x-amazon-apigateway-integration:\n"
                          "                type: aws_proxy\n"
                          "                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n"
                          "          /open:\n"
                          "            get:\n"
                          "              security: []\n"
                          "  External:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: prod\n"
                          "      DefinitionUri: s3://bucket/openapi.yaml\n"
                          "  Fn:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: nodejs20.x\n"
                          "      Handler: index.handler\n"
                          "      Events:\n"
                          "        Get: {Type: Api, Properties: {RestApiId: !Ref Defined, Path: /items, Method: get}}\n"
                          "        Ext: {Type: Api, Properties: {RestApiId: !Ref External, Path: /x, Method: post}}\n");
    const slsec_api *d = api(app, "Defined");
    assert_int_equal(d->routes.count, 3);
    const slsec_route *get = route(d, "GET", "/items");
    assert_string_equal(get->authorizer, "Lambda");
    assert_string_equal(get->resource_id, "Fn"); /* the event, not a second route */
    const slsec_route *post = route(d, "POST", "/items");
    assert_null(post->authorizer);
    assert_int_equal(post->api_key_required, SLSEC_YES);
    assert_int_equal(post->request_validation, SLSEC_YES);
    assert_string_equal(post->function->id, "Fn");
    assert_string_equal(post->resource_id, "Defined");
    assert_string_equal(route(d, "GET", "/open")->authorizer, "NONE");

    const slsec_route *ext = route(api(app, "External"), "POST", "/x");
    assert_int_equal(ext->auth_known, SLSEC_UNKNOWN);
    assert_int_equal(ext->request_validation, SLSEC_UNKNOWN);
    assert_int_equal(count_findings(app, "API-001"), 1); /* GET /open */
    assert_int_equal(count_findings(app, "API-006"), 0);
    slsec_app_free(app);
}

/* Wrong shapes and cycles: warnings or silence, never a crash. */
static void test_bad_shapes(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Globals:\n"
                          "  Api: [not, a, map]\n"
                          "Resources:\n"
                          "  Fn:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: nodejs20.x\n"
                          "      Handler: index.handler\n"
                          "      Events:\n"
                          "        NoProps: {Type: Api}\n"
                          "        Scalar: {Type: Api, Properties: 42}\n"
                          "        Elsewhere: {Type: Api, Properties: {RestApiId: abc123, Path: /, Method: get}}\n"
                          "        BadAuth: {Type: HttpApi, Properties: {Auth: [x], Path: /y, Method: [get]}}\n"
                          "  WeirdApi:\n"
                          "    Type: AWS::Serverless::Api\n"
                          "    Properties:\n"
                          "      StageName: [a]\n"
                          "      Auth: 7\n"
                          "      MethodSettings: {not: a list}\n"
                          "      AccessLogSetting: arn\n"
                          "      Domain: [x]\n"
                          "      DefinitionBody: {paths: [1, 2]}\n"
                          "  Loop:\n"
                          "    Type: AWS::ApiGateway::Resource\n"
                          "    Properties: {ParentId: !Ref Loop, PathPart: x}\n"
                          "  Rest:\n"
                          "    Type: AWS::ApiGateway::RestApi\n"
                          "    Properties: {Body: {paths: {/a: {get: 1, post: {security: 5}}}}}\n"
                          "  M:\n"
                          "    Type: AWS::ApiGateway::Method\n"
                          "    Properties: {RestApiId: !Ref Rest, ResourceId: !Ref Loop, HttpMethod: [x], Integration: 3}\n"
                          "  Plan:\n"
                          "    Type: AWS::ApiGateway::UsagePlan\n"
                          "    Properties: {ApiStages: [1, {ApiId: 2}], Throttle: x}\n"
                          "  Waf:\n"
                          "    Type: AWS::WAFv2::WebACLAssociation\n"
                          "    Properties: {ResourceArn: {Fn::Sub: [1, 2]}}\n"
                          "  V2:\n"
                          "    Type: AWS::ApiGatewayV2::DomainName\n"
                          "    Properties: {DomainNameConfigurations: {a: b}}\n");
    const slsec_api *rest = api(app, "Rest");
    assert_string_equal(route(rest, "POST", "/a")->path, "/a");
    const slsec_route *m = rest->routes.items[0];
    assert_non_null(strstr(m->path, "x")); /* the cycle ends, the path is kept */
    assert_true(count_findings(app, "API-001") >= 1);
    slsec_app_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implicit_api),
        cmocka_unit_test(test_authorizer_inheritance),
        cmocka_unit_test(test_http_api),
        cmocka_unit_test(test_cloudformation_rest),
        cmocka_unit_test(test_v2_resources),
        cmocka_unit_test(test_waf_associations),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_usage_plans),
        cmocka_unit_test(test_openapi_body),
        cmocka_unit_test(test_bad_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
