/*
 * api.c — the API rule family: who can call an application's API routes,
 * how fast, whether anyone sees it happen (and whether the logs see too
 * much), what browsers may do with it (CORS), and what reaches the
 * functions behind them.
 *
 * Rules read slsec_api / slsec_route / slsec_stage / slsec_domain, filled
 * by the CloudFormation/SAM front-end (src/load/cfn_api.c). Unknown stays
 * silent: a route whose authorizer or API-key requirement the template
 * leaves to deploy time, a stage whose settings are an undecidable Fn::If,
 * a security policy from a parameter without default are not reported.
 *
 * Findings name what the author edits: a SAM event's route is reported on
 * its function (the event is written there), a Method or Route resource on
 * itself, a stage on the resource that declares it (the API for SAM, whose
 * stages are generated), and SAM's implicit APIs under SAM's own logical
 * ids (ServerlessRestApi, ServerlessHttpApi) at the first event that made
 * them.
 */
#include "rules_internal.h"

#include <string.h>
#include <strings.h>

/* ---- helpers ------------------------------------------------------------------- */

static const char *api_type(const slsec_api *api)
{
    if (api->resource)
        return api->resource->type;
    return api->kind == SLSEC_API_HTTP ? "AWS::Serverless::HttpApi" : "AWS::Serverless::Api";
}

/* The type of the resource a finding names, or a fallback. */
static const char *type_of(const slsec_check_ctx *ctx, slsec_loc loc, const char *id, const char *fallback)
{
    const slsec_resource *r = slsec_app_resource(ctx->app, loc.file, id);
    return r ? r->type : fallback;
}

static const char *kind_name(const slsec_api *api)
{
    switch (api->kind) {
    case SLSEC_API_HTTP:
        return "HTTP API";
    case SLSEC_API_WEBSOCKET:
        return "WebSocket API";
    default:
        return "REST API";
    }
}

static const char *route_name(slsec_arena *a, const slsec_route *rt)
{
    if (rt->api->kind == SLSEC_API_WEBSOCKET || !rt->path || !*rt->path)
        return slsec_arena_printf(a, "route %s", rt->method);
    return slsec_arena_printf(a, "%s %s", rt->method, rt->path);
}

static const char *backend(slsec_arena *a, const slsec_route *rt)
{
    if (rt->function)
        return slsec_arena_printf(a, "function %s", rt->function->id);
    return "its integration";
}

/* ---- API-001: routes anyone can call ---------------------------------------------- */

static bool route_open(const slsec_route *rt)
{
    if (rt->auth_known != SLSEC_YES || rt->api_key_required != SLSEC_NO)
        return false;
    if (rt->authorizer && strcmp(rt->authorizer, "NONE") != 0)
        return false; /* AWS_IAM or a named authorizer */
    /* CORS preflight requests carry no credentials by design. */
    if (!strcasecmp(rt->method, "OPTIONS"))
        return false;
    /* A WebSocket API authorizes once, on $connect; other routes ride that connection. */
    if (rt->api->kind == SLSEC_API_WEBSOCKET && strcmp(rt->method, "$connect") != 0)
        return false;
    return true;
}

static void check_open_routes(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        for (size_t k = 0; k < api->routes.count; k++) {
            const slsec_route *rt = api->routes.items[k];
            if (!route_open(rt))
                continue;
            const char *id = rt->resource_id ? rt->resource_id : api->id;
            const char *name = route_name(ctx->arena, rt);
            const char *how = rt->authorizer ? "is explicitly open (authorization NONE)" : "has no authorizer";
            const char *key = api->kind == SLSEC_API_REST ? " and requires no API key" : "";
            slsec_finding *f = slsec_report(
                ctx, id, type_of(ctx, rt->loc, id, api_type(api)), rt->loc,
                slsec_arena_printf(ctx->arena, "%s %s", api->id, name),
                "%s of %s %s (%s) %s%s: anyone who can reach the API can invoke it", name, kind_name(api),
                api->id, backend(ctx->arena, rt), how, key);
            /* SAM's implicit API is located at the first event: often this one. */
            if (api->loc.line != rt->loc.line || api->loc.col != rt->loc.col)
                slsec_finding_relate(f, api->loc, slsec_arena_printf(ctx->arena, "API %s", api->id));
        }
    }
}

/* ---- API-002: no throttling, no usage plan ------------------------------------------- */

static void check_throttling(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        if (api->usage_plan != SLSEC_NO)
            continue;
        for (size_t k = 0; k < api->stages.count; k++) {
            const slsec_stage *st = api->stages.items[k];
            if (st->throttling != SLSEC_NO)
                continue;
            const char *id = st->resource_id ? st->resource_id : api->id;
            const char *plan = api->kind == SLSEC_API_REST ? " and no usage plan with a throttle covers it" : "";
            slsec_report(ctx, id, type_of(ctx, st->loc, id, api_type(api)), st->loc, st->name,
                         "stage %s of %s %s sets no throttling limits%s: a flood of requests is served "
                         "(and billed) up to the account-wide limit, and can starve every other API of the "
                         "account",
                         st->name, kind_name(api), api->id, plan);
        }
    }
}

/* ---- API-003: no access logs --------------------------------------------------------- */

static void check_access_logging(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        for (size_t k = 0; k < api->stages.count; k++) {
            const slsec_stage *st = api->stages.items[k];
            if (st->access_logging != SLSEC_NO)
                continue;
            const char *id = st->resource_id ? st->resource_id : api->id;
            const char *prop = api->kind == SLSEC_API_REST ? "AccessLogSetting" : "AccessLogSettings";
            slsec_report(ctx, id, type_of(ctx, st->loc, id, api_type(api)), st->loc, st->name,
                         "stage %s of %s %s has no access logging (%s with a DestinationArn): who called "
                         "the API, from where and with what result is not recorded",
                         st->name, kind_name(api), api->id, prop);
        }
    }
}

/* ---- API-004: REST stage without WAF ------------------------------------------------- */

static void check_waf(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        /* HTTP and WebSocket APIs cannot be associated with WAF; a private
         * endpoint is reachable only from inside the VPC. */
        if (api->kind != SLSEC_API_REST || api->endpoint_private != SLSEC_NO)
            continue;
        for (size_t k = 0; k < api->stages.count; k++) {
            const slsec_stage *st = api->stages.items[k];
            if (st->waf != SLSEC_NO)
                continue;
            const char *id = st->resource_id ? st->resource_id : api->id;
            slsec_report(ctx, id, type_of(ctx, st->loc, id, api_type(api)), st->loc, st->name,
                         "stage %s of REST API %s is not associated with a WAF web ACL: injection payloads, "
                         "bad bots and request floods reach the functions unfiltered",
                         st->name, api->id);
        }
    }
}

/* ---- API-005: custom domain accepting TLS below 1.2 ----------------------------------- */

/* Legacy TLS_1_0, and enhanced policies named SecurityPolicy_TLS1x_1_0_... or
 * _1_1_ (minimum version in the second and third numbers). */
static bool weak_policy(const char *p)
{
    if (!strcasecmp(p, "TLS_1_0") || !strcasecmp(p, "TLS_1_1"))
        return true;
    if (!slsec_str_has_prefix(p, "SecurityPolicy_TLS"))
        return false;
    const char *u = strchr(p + strlen("SecurityPolicy_TLS"), '_');
    return u && (slsec_str_has_prefix(u, "_1_0") || slsec_str_has_prefix(u, "_1_1"));
}

static void check_domain_tls(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->domains.count; i++) {
        const slsec_domain *d = ctx->app->domains.items[i];
        const char *why;
        if (!d->security_policy) {
            /* REST domains default to TLS_1_0; HTTP/WebSocket ones only speak 1.2. */
            if (d->http_api)
                continue;
            why = "sets no SecurityPolicy, so API Gateway uses TLS_1_0";
        } else if (strstr(d->security_policy, "${") || !weak_policy(d->security_policy)) {
            continue;
        } else {
            why = slsec_arena_printf(ctx->arena, "uses SecurityPolicy %s", d->security_policy);
        }
        const char *fallback = d->http_api ? "AWS::ApiGatewayV2::DomainName" : "AWS::ApiGateway::DomainName";
        const char *type = type_of(ctx, d->loc, d->id, fallback);
        /* SAM declares the domain inside the API (its Domain property). */
        const char *what = slsec_str_has_prefix(type, "AWS::Serverless::")
                               ? slsec_arena_printf(ctx->arena, "the custom domain of API %s", d->id)
                               : slsec_arena_printf(ctx->arena, "custom domain %s", d->id);
        slsec_report(ctx, d->id, type, d->policy_loc, "SecurityPolicy",
                     "%s %s: clients may connect with TLS 1.0 or 1.1, whose weaknesses let an attacker on the "
                     "network downgrade or decrypt traffic",
                     what, why);
    }
}

/* ---- API-006: body-accepting routes without request validation ------------------------ */

static void check_validation(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        if (api->kind != SLSEC_API_REST) /* only REST APIs can validate requests */
            continue;
        for (size_t k = 0; k < api->routes.count; k++) {
            const slsec_route *rt = api->routes.items[k];
            if (strcmp(rt->method, "POST") && strcmp(rt->method, "PUT") && strcmp(rt->method, "PATCH"))
                continue;
            if (rt->request_validation != SLSEC_NO)
                continue;
            const char *id = rt->resource_id ? rt->resource_id : api->id;
            const char *name = route_name(ctx->arena, rt);
            slsec_report(ctx, id, type_of(ctx, rt->loc, id, api_type(api)), rt->loc,
                         slsec_arena_printf(ctx->arena, "%s %s", api->id, name),
                         "%s of REST API %s passes request bodies to %s without validation: malformed or "
                         "hostile payloads reach the code unchecked",
                         name, api->id, backend(ctx->arena, rt));
        }
    }
}

/* ---- API-007 / API-008 / API-011: stage settings --------------------------------------- */

/* Reports "stage S of KIND API <what>" for each stage `bad` picks; `bad`
 * may move the location to the setting at fault. */
static void report_stages(slsec_check_ctx *ctx, bool (*bad)(const slsec_api *, const slsec_stage *, slsec_loc *),
                          const char *what)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        for (size_t k = 0; k < api->stages.count; k++) {
            const slsec_stage *st = api->stages.items[k];
            slsec_loc at = st->loc;
            if (!bad(api, st, &at))
                continue;
            const char *id = st->resource_id ? st->resource_id : api->id;
            slsec_report(ctx, id, type_of(ctx, st->loc, id, api_type(api)), at, st->name, "stage %s of %s %s %s",
                         st->name, kind_name(api), api->id, what);
        }
    }
}

static bool cache_unencrypted(const slsec_api *api, const slsec_stage *st, slsec_loc *at)
{
    (void)at;
    return api->kind == SLSEC_API_REST && st->cache_encrypted == SLSEC_NO;
}

static void check_cache_encryption(slsec_check_ctx *ctx)
{
    report_stages(ctx, cache_unencrypted,
                  "caches responses without CacheDataEncrypted: whatever the functions return (personal data, "
                  "tokens) sits unencrypted in the cache cluster");
}

static bool traces_data(const slsec_api *api, const slsec_stage *st, slsec_loc *at)
{
    (void)api;
    if (st->data_trace_loc.line)
        *at = st->data_trace_loc;
    return st->data_trace == SLSEC_YES;
}

static void check_data_trace(slsec_check_ctx *ctx)
{
    report_stages(ctx, traces_data,
                  "sets DataTraceEnabled: full request and response bodies and headers (passwords, tokens, "
                  "personal data) are written to CloudWatch Logs");
}

static bool untraced(const slsec_api *api, const slsec_stage *st, slsec_loc *at)
{
    (void)at;
    return api->kind == SLSEC_API_REST && st->tracing == SLSEC_NO;
}

static void check_stage_tracing(slsec_check_ctx *ctx)
{
    report_stages(ctx, untraced,
                  "does not enable X-Ray tracing (TracingEnabled): a request cannot be followed from the API into "
                  "the functions and services behind it");
}

/* ---- API-009: HTTP API without a default authorizer --------------------------------- */

static void check_http_default_auth(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        if (!api->sam_http || api->kind != SLSEC_API_HTTP || api->default_authorizer)
            continue;
        slsec_report(ctx, api->id, api_type(api), api->loc, "default-authorizer",
                     "HTTP API %s has no Auth.DefaultAuthorizer: every route is open unless it names an "
                     "authorizer itself, so the next route someone adds is public by default",
                     api->id);
    }
}

/* ---- API-010: CORS any origin with credentials ------------------------------------------ */

static void check_cors_credentials(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->apis.count; i++) {
        const slsec_api *api = ctx->app->apis.items[i];
        if (api->cors_any_with_credentials != SLSEC_YES)
            continue;
        slsec_report(ctx, api->id, api_type(api), api->cors_loc.line ? api->cors_loc : api->loc, "cors",
                     "%s %s allows CORS from any origin (\"*\") together with credentials: browsers refuse "
                     "the combination, and the usual \"fix\" of echoing the caller's Origin lets any web site "
                     "make authenticated requests with your users' cookies",
                     kind_name(api), api->id);
    }
}

/* ---- the table ----------------------------------------------------------------------- */

const slsec_rule slsec_rules_api[] = {
    {
        .id = "API-001",
        .family = "API",
        .severity = SLSEC_SEV_HIGH,
        .title = "API route with no authorizer and no API key",
        .why = "A route with no authorizer (or Authorizer: NONE) and no API key requirement can be called by "
               "anyone on the internet who finds the URL, and execute-api URLs are easy to find in client "
               "code, logs and certificate transparency records. Every request runs the function behind the "
               "route with whatever the function's role allows, so an unauthenticated route turns any flaw in "
               "that function into a remote one and lets anyone read or change the data it serves. CORS "
               "preflight (OPTIONS) routes are not reported.",
        .fix = "Protect the route with an authorizer (Cognito user pool, JWT, Lambda authorizer or AWS_IAM), "
               "for instance as the API's DefaultAuthorizer, and keep Authorizer: NONE for routes that are "
               "public on purpose.",
        .snippet = "OrdersApi:\n"
                   "  Type: AWS::Serverless::Api\n"
                   "  Properties:\n"
                   "    StageName: prod\n"
                   "    Auth:\n"
                   "      DefaultAuthorizer: CognitoAuth\n"
                   "      Authorizers:\n"
                   "        CognitoAuth:\n"
                   "          UserPoolArn: !GetAtt UserPool.Arn\n",
        .cwe = "CWE-306",
        .owasp = "SAS-2",
        .checkov = "CKV_AWS_59 CKV_AWS_309",
        .cfn_nag = "W59",
        .cdk_nag = "AwsSolutions-APIG4",
        .check = check_open_routes,
    },
    {
        .id = "API-002",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "API stage with no throttling and no usage plan",
        .why = "Without stage or route throttling (or, for REST APIs, a usage plan with a throttle), an API "
               "accepts requests up to the account-wide API Gateway limit, shared by every API of the account "
               "and region. Each request invokes a function that is billed per call and per millisecond and "
               "may in turn call paid services, so a scripted flood becomes a denial of wallet, and can "
               "exhaust the account's Lambda concurrency so that unrelated functions are throttled too.",
        .fix = "Set a rate and burst limit on the stage (MethodSettings for REST APIs, DefaultRouteSettings for "
               "HTTP APIs) sized to the traffic you expect, or attach a usage plan with a Throttle.",
        .snippet = "OrdersApi:\n"
                   "  Type: AWS::Serverless::Api\n"
                   "  Properties:\n"
                   "    StageName: prod\n"
                   "    MethodSettings:\n"
                   "      - ResourcePath: \"/*\"\n"
                   "        HttpMethod: \"*\"\n"
                   "        ThrottlingRateLimit: 50\n"
                   "        ThrottlingBurstLimit: 100\n",
        .cwe = "CWE-770",
        .owasp = "SAS-8",
        .checkov = "",
        .cfn_nag = "W63 W64 W68",
        .cdk_nag = "Serverless-APIGWDefaultThrottling",
        .check = check_throttling,
    },
    {
        .id = "API-003",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "API stage with no access logging",
        .why = "Access logs are the only record of who called the API: source IP, caller identity, route, "
               "status and latency of every request. Without them an attack on the API (credential stuffing, "
               "enumeration, injection attempts, a flood) leaves no trace to detect, investigate or prove, "
               "and function logs alone show neither the rejected requests nor who sent the accepted ones.",
        .fix = "Send the stage's access logs to a CloudWatch log group with a structured (JSON) format: "
               "AccessLogSetting on REST APIs, AccessLogSettings on HTTP APIs.",
        .snippet = "OrdersApi:\n"
                   "  Type: AWS::Serverless::Api\n"
                   "  Properties:\n"
                   "    StageName: prod\n"
                   "    AccessLogSetting:\n"
                   "      DestinationArn: !GetAtt ApiAccessLogs.Arn\n"
                   "      Format: '{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\","
                   "\"route\":\"$context.resourcePath\",\"status\":\"$context.status\"}'\n",
        .cwe = "CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_76 CKV_AWS_95",
        .cfn_nag = "W45 W46 W69",
        .cdk_nag = "AwsSolutions-APIG1 Serverless-APIGWAccessLogging",
        .check = check_access_logging,
    },
    {
        .id = "API-004",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "REST API stage with no WAF web ACL",
        .why = "A public REST API stage without an AWS WAF web ACL passes every request to the functions: "
               "SQL and NoSQL injection, cross-site scripting and known-exploit payloads, bad bots and "
               "request floods from single addresses all reach the code, which then has to defend alone. "
               "WAF's managed rule groups and rate-based rules stop most of that traffic before it is billed. "
               "HTTP APIs cannot be associated with WAF and private endpoints are not reported.",
        .fix = "Associate a WAFv2 web ACL (with AWS managed rule groups and a rate-based rule) with the stage "
               "through an AWS::WAFv2::WebACLAssociation.",
        .snippet = "ApiWafAssociation:\n"
                   "  Type: AWS::WAFv2::WebACLAssociation\n"
                   "  DependsOn: OrdersApiprodStage   # the stage SAM generates for OrdersApi\n"
                   "  Properties:\n"
                   "    ResourceArn: !Sub \"arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
                   "${OrdersApi}/stages/prod\"\n"
                   "    WebACLArn: !GetAtt ApiWebAcl.Arn\n",
        .cwe = "CWE-693",
        .owasp = "SAS-1",
        .checkov = "CKV2_AWS_29",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-APIG3",
        .check = check_waf,
    },
    {
        .id = "API-005",
        .family = "API",
        .severity = SLSEC_SEV_HIGH,
        .title = "API custom domain allows TLS below 1.2",
        .why = "TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and CBC constructions with known "
               "attacks, and standards such as PCI DSS forbid them. A custom domain with the TLS_1_0 security "
               "policy (the default for REST API domains when SecurityPolicy is not set) still negotiates them "
               "with any client that offers them, so an attacker on the network path can force a downgrade "
               "and expose tokens and personal data in transit.",
        .fix = "Set SecurityPolicy: TLS_1_2 (or a newer enhanced policy) on the domain.",
        .snippet = "ApiDomain:\n"
                   "  Type: AWS::ApiGateway::DomainName\n"
                   "  Properties:\n"
                   "    DomainName: api.example.com\n"
                   "    RegionalCertificateArn: !Ref Certificate\n"
                   "    EndpointConfiguration:\n"
                   "      Types: [REGIONAL]\n"
                   "    SecurityPolicy: TLS_1_2\n",
        .cwe = "CWE-326 CWE-327",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_206",
        .cfn_nag = "W62",
        .cdk_nag = "",
        .check = check_domain_tls,
    },
    {
        .id = "API-006",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Body-accepting REST route with no request validation",
        .why = "A POST, PUT or PATCH route without a request validator passes any body to the function: "
               "wrong types, missing fields, oversized strings and injection payloads all reach the code, "
               "which must reject them itself and is billed for every malformed call. API Gateway can check "
               "the body against a JSON schema model and answer 400 before the function runs, a first line "
               "of input validation that is declared once and cannot be forgotten in one handler.",
        .fix = "Attach a model and a request validator that validates the body: RequestModel with "
               "ValidateBody: true on the SAM event, or RequestValidatorId with ValidateRequestBody: true "
               "and RequestModels on the method.",
        .snippet = "Events:\n"
                   "  CreateOrder:\n"
                   "    Type: Api\n"
                   "    Properties:\n"
                   "      RestApiId: !Ref OrdersApi\n"
                   "      Path: /orders\n"
                   "      Method: post\n"
                   "      RequestModel:\n"
                   "        Model: Order\n"
                   "        Required: true\n"
                   "        ValidateBody: true\n",
        .cwe = "CWE-20",
        .owasp = "SAS-1",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-APIG2",
        .check = check_validation,
    },
    {
        .id = "API-007",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "API cache enabled without encryption",
        .why = "A REST API stage with a cache cluster keeps copies of the integration's responses — often "
               "personal data, account details or tokens — for their time to live. Unless CacheDataEncrypted is "
               "set on the method settings, that cache is stored unencrypted, outside the protections of the "
               "tables and buckets the data came from.",
        .fix = "Set CacheDataEncrypted: true in the stage's MethodSettings (for every cached method, or with "
               "ResourcePath \"/*\" and HttpMethod \"*\"), or turn the cache off.",
        .snippet = "OrdersApi:\n"
                   "  Type: AWS::Serverless::Api\n"
                   "  Properties:\n"
                   "    StageName: prod\n"
                   "    CacheClusterEnabled: true\n"
                   "    CacheClusterSize: \"0.5\"\n"
                   "    MethodSettings:\n"
                   "      - ResourcePath: \"/*\"\n"
                   "        HttpMethod: \"*\"\n"
                   "        CachingEnabled: true\n"
                   "        CacheDataEncrypted: true\n",
        .cwe = "CWE-311",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_308",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_cache_encryption,
    },
    {
        .id = "API-008",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "API execution logging records full requests and responses",
        .why = "DataTraceEnabled makes API Gateway write the full request and response — headers, bodies, "
               "authorization tokens, passwords, personal data — to CloudWatch Logs for every call. AWS "
               "recommends it only for troubleshooting. Left on, it copies the most sensitive data the API "
               "handles into logs with broader access and longer retention than the data itself, where a "
               "log reader or a leaked log export exposes it.",
        .fix = "Remove DataTraceEnabled (or set it to false) and keep LoggingLevel at ERROR or INFO; use access "
               "logs with a chosen format for request metadata.",
        .snippet = "OrdersApi:\n"
                   "  Type: AWS::Serverless::Api\n"
                   "  Properties:\n"
                   "    StageName: prod\n"
                   "    MethodSettings:\n"
                   "      - ResourcePath: \"/*\"\n"
                   "        HttpMethod: \"*\"\n"
                   "        LoggingLevel: ERROR\n"
                   "        DataTraceEnabled: false\n",
        .cwe = "CWE-532",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_276",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_data_trace,
    },
    {
        .id = "API-009",
        .family = "API",
        .severity = SLSEC_SEV_LOW,
        .title = "HTTP API without a default authorizer",
        .why = "An AWS::Serverless::HttpApi without Auth.DefaultAuthorizer leaves authorization to each route: "
               "a route that does not name an authorizer is public. Even when today's routes are protected "
               "(API-001 reports those that are not), the next route added by a function event inherits "
               "nothing and is open. A default authorizer makes protection the default and openness the "
               "explicit exception (Authorizer: NONE).",
        .fix = "Set Auth.DefaultAuthorizer (a JWT authorizer, a Lambda authorizer, or AWS_IAM with "
               "EnableIamAuthorizer) and mark public routes explicitly.",
        .snippet = "PublicHttpApi:\n"
                   "  Type: AWS::Serverless::HttpApi\n"
                   "  Properties:\n"
                   "    Auth:\n"
                   "      DefaultAuthorizer: CognitoJwt\n"
                   "      Authorizers:\n"
                   "        CognitoJwt:\n"
                   "          IdentitySource: $request.header.Authorization\n"
                   "          JwtConfiguration:\n"
                   "            issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}\n"
                   "            audience: [!Ref UserPoolClient]\n",
        .cwe = "CWE-306",
        .owasp = "SAS-2",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_http_default_auth,
    },
    {
        .id = "API-010",
        .family = "API",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "CORS allows any origin together with credentials",
        .why = "Access-Control-Allow-Credentials: true tells browsers to send cookies and HTTP authentication "
               "with cross-origin requests and to let the calling page read the answers. Combined with "
               "Access-Control-Allow-Origin \"*\" the browser refuses it, so the configuration either breaks "
               "or gets \"fixed\" in code by reflecting whatever Origin the request carries — which lets any "
               "web site a user visits call the API as that user and read the results.",
        .fix = "List the exact origins that may call the API; allow credentials only for them, never with \"*\".",
        .snippet = "PublicHttpApi:\n"
                   "  Type: AWS::Serverless::HttpApi\n"
                   "  Properties:\n"
                   "    CorsConfiguration:\n"
                   "      AllowOrigins:\n"
                   "        - https://app.example.com\n"
                   "      AllowCredentials: true\n"
                   "      AllowMethods: [GET, POST]\n",
        .cwe = "CWE-942",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_cors_credentials,
    },
    {
        .id = "API-011",
        .family = "API",
        .severity = SLSEC_SEV_LOW,
        .title = "REST API stage without X-Ray tracing",
        .why = "Without X-Ray tracing on the stage, a request cannot be followed from API Gateway into the "
               "functions, tables and services behind it. During an incident (a credential-stuffing wave, a "
               "slow-request attack, an injection probe) the trace is what shows which calls reached which "
               "back-end and how long each step took.",
        .fix = "Set TracingEnabled: true on the stage (and Tracing: Active on the functions, FN-009).",
        .snippet = "OrdersApi:\n"
                   "  Type: AWS::Serverless::Api\n"
                   "  Properties:\n"
                   "    StageName: prod\n"
                   "    TracingEnabled: true\n",
        .cwe = "CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_73",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_stage_tracing,
    },
};
SLSEC_FAMILY_END(api)
