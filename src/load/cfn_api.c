/*
 * cfn_api.c — API Gateway in CloudFormation and SAM: REST, HTTP and
 * WebSocket APIs (explicit ones and SAM's implicit ServerlessRestApi /
 * ServerlessHttpApi), their routes, stages, custom domains, usage plans
 * and WAF associations, translated into slsec_api, slsec_route,
 * slsec_stage and slsec_domain.
 *
 * Passes (see cfn_internal.h):
 *   CREATE  APIs and custom domains: they point at nothing, and everything
 *           else points at them.
 *   LINK    stages, methods, routes and authorizers attach to their API;
 *           SAM function events arrive here too, from cfn_lambda.c
 *           (cfn_api_sam_event), and create SAM's implicit APIs on first use.
 *   FINISH  what must see every stage and route first: usage plans, WAF
 *           associations (the implicit API's "Prod" stage exists only once
 *           a function event made it), and the routes an OpenAPI body
 *           declares that no SAM event already did.
 *
 * Route authorization follows SAM: an event's Auth.Authorizer wins ("NONE"
 * opens a route that a DefaultAuthorizer would protect); without one the
 * API's DefaultAuthorizer applies, then what an inline OpenAPI body says
 * (security requirements); an API defined by an external file
 * (DefinitionUri, BodyS3Location) leaves the route's auth unknown.
 *
 * References are followed through Ref, GetAtt and the ${X} / ${X.Attr}
 * names of a Sub, wherever they sit in a value (a Join of
 * "integrations/" and a Ref, an ARN built with Sub), since integration
 * URIs and WAF resource ARNs are built that way.
 *
 * Stages also record execution logging of full requests (DataTraceEnabled
 * in MethodSettings, a Deployment's StageDescription or a V2 stage's route
 * settings); APIs record CORS that allows "*" together with credentials
 * (SAM Cors / CorsConfiguration, ApiGatewayV2 CorsConfiguration).
 */
#include "cfn_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* References collected from one value: a route target or an ARN names a
 * handful at most. */
#define MAX_REFS 16
/* ApiGateway::Resource chains deeper than this are treated as cycles. */
#define MAX_PATH_DEPTH 64

/* ---- small value helpers ----------------------------------------------------- */

static bool absent(const slsec_node *n)
{
    return !n || (n->kind == SLSEC_NODE_SCALAR && (n->flags & SLSEC_NF_NULL));
}

static bool unknown_scalar(const slsec_node *n)
{
    return n && n->kind == SLSEC_NODE_SCALAR && (n->flags & SLSEC_NF_UNKNOWN);
}

/* Symbolic text (a ${...} left by the resolver) is never a real name. */
static bool symbolic(const char *s)
{
    return s && strstr(s, "${") != NULL;
}

static slsec_tri tri_or(slsec_tri a, slsec_tri b)
{
    if (a == SLSEC_YES || b == SLSEC_YES)
        return SLSEC_YES;
    if (a == SLSEC_UNKNOWN || b == SLSEC_UNKNOWN)
        return SLSEC_UNKNOWN;
    return SLSEC_NO;
}

/* Is a setting given? Absent or empty → NO. An unknowable value counts as
 * given (an ARN from GetAtt is still a destination), except an Fn::If the
 * template cannot decide, whose other branch may be AWS::NoValue. */
static slsec_tri given(const slsec_node *n)
{
    if (absent(n))
        return SLSEC_NO;
    if (n->kind == SLSEC_NODE_SCALAR) {
        if (n->flags & SLSEC_NF_UNKNOWN)
            return slsec_str_has_prefix(n->str, "${If:") ? SLSEC_UNKNOWN : SLSEC_YES;
        return n->str[0] ? SLSEC_YES : SLSEC_NO;
    }
    return n->count ? SLSEC_YES : SLSEC_NO;
}

/* A settings block (AccessLogSetting, Throttle, ...): NO when absent, UNKNOWN
 * when the whole block is left to deploy time, else the block itself. */
static slsec_tri block(const slsec_node *n, const slsec_node **map)
{
    *map = NULL;
    if (absent(n))
        return SLSEC_NO;
    if (unknown_scalar(n))
        return SLSEC_UNKNOWN;
    if (!slsec_node_is_map(n))
        return SLSEC_NO;
    *map = n;
    return SLSEC_YES;
}

/* One throttling limit: a number ≥ 0 throttles; -1 means "no limit". */
static slsec_tri limit(const slsec_node *n)
{
    if (absent(n))
        return SLSEC_NO;
    if (unknown_scalar(n))
        return SLSEC_UNKNOWN;
    const char *s = slsec_node_str(n);
    if (!s)
        return SLSEC_NO;
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end)
        return SLSEC_NO;
    return d >= 0 ? SLSEC_YES : SLSEC_NO;
}

static slsec_tri limits_in(const slsec_node *settings, const char *burst, const char *rate)
{
    const slsec_node *m;
    slsec_tri t = block(settings, &m);
    if (t != SLSEC_YES)
        return t;
    return tri_or(limit(slsec_node_get(m, burst)), limit(slsec_node_get(m, rate)));
}

/* Any entry of a list of MethodSettings / a map of RouteSettings throttled? */
static slsec_tri limits_in_any(const slsec_node *list, const char *burst, const char *rate)
{
    if (absent(list))
        return SLSEC_NO;
    if (unknown_scalar(list))
        return SLSEC_UNKNOWN;
    slsec_tri t = SLSEC_NO;
    bool map = slsec_node_is_map(list);
    if (!map && !slsec_node_is_seq(list))
        return SLSEC_NO;
    for (size_t i = 0; i < list->count; i++)
        t = tri_or(t, limits_in(map ? list->items[2 * i + 1] : list->items[i], burst, rate));
    return t;
}

/* Any MethodSettings entry with `key` true? */
static slsec_tri setting_in_any(const slsec_node *list, const char *key)
{
    if (absent(list))
        return SLSEC_NO;
    if (!slsec_node_is_seq(list))
        return unknown_scalar(list) ? SLSEC_UNKNOWN : SLSEC_NO;
    slsec_tri t = SLSEC_NO;
    for (size_t i = 0; i < list->count; i++) {
        const slsec_node *m;
        slsec_tri b = block(list->items[i], &m);
        t = tri_or(t, b == SLSEC_YES ? cfn_tri(slsec_node_get(m, key), SLSEC_NO) : b);
    }
    return t;
}

/* Execution logging of full requests and responses: DataTraceEnabled on
 * any method setting, or on a stage-wide settings map. */
static slsec_tri data_trace(const slsec_node *method_settings, const slsec_node *stage_wide)
{
    slsec_tri t = setting_in_any(method_settings, "DataTraceEnabled");
    if (slsec_node_is_map(method_settings)) /* V2 RouteSettings: route key → settings */
        for (size_t i = 0; i < method_settings->count; i++)
            t = tri_or(t, cfn_tri(slsec_node_get(method_settings->items[2 * i + 1], "DataTraceEnabled"), SLSEC_NO));
    if (slsec_node_is_map(stage_wide))
        t = tri_or(t, cfn_tri(slsec_node_get(stage_wide, "DataTraceEnabled"), SLSEC_NO));
    return t;
}

/* CORS that lets any origin send credentials. `origins` is a string
 * ("'*'", SAM quotes header values) or a list; UNKNOWN when either part is
 * left to deploy time. */
static bool any_origin_text(const char *s)
{
    if (!s)
        return false;
    while (*s == '\'' || *s == '"' || *s == ' ')
        s++;
    return s[0] == '*' && (s[1] == '\0' || s[1] == '\'' || s[1] == '"');
}

static slsec_tri cors_wildcard_credentials(const slsec_node *origins, const slsec_node *credentials)
{
    slsec_tri cred = cfn_tri(credentials, SLSEC_NO);
    if (cred == SLSEC_NO || absent(origins))
        return SLSEC_NO;
    slsec_tri any = SLSEC_NO;
    if (unknown_scalar(origins))
        any = SLSEC_UNKNOWN;
    else if (slsec_node_is_scalar(origins))
        any = any_origin_text(origins->str) ? SLSEC_YES : SLSEC_NO;
    for (size_t i = 0; slsec_node_is_seq(origins) && i < origins->count; i++)
        any = tri_or(any, unknown_scalar(origins->items[i]) ? SLSEC_UNKNOWN
                          : any_origin_text(slsec_node_str(origins->items[i])) ? SLSEC_YES
                                                                                : SLSEC_NO);
    if (any == SLSEC_YES && cred == SLSEC_YES)
        return SLSEC_YES;
    return any == SLSEC_NO ? SLSEC_NO : SLSEC_UNKNOWN;
}

static void api_cors(cfn_ctx *c, slsec_api *api, const slsec_node *conf, const char *origins_key, const slsec_node *key)
{
    if (!slsec_node_is_map(conf))
        return;
    api->cors_any_with_credentials =
        cors_wildcard_credentials(slsec_node_get(conf, origins_key), slsec_node_get(conf, "AllowCredentials"));
    api->cors_loc = key ? cfn_loc(c, key) : api->loc;
}

static slsec_tri access_log(const slsec_node *setting)
{
    const slsec_node *m;
    slsec_tri t = block(setting, &m);
    return t == SLSEC_YES ? given(slsec_node_get(m, "DestinationArn")) : t;
}

/* Upper-cased copy of an HTTP method ("any" → "ANY"). */
static const char *upper(cfn_ctx *c, const char *s)
{
    char *u = slsec_arena_strdup(c->arena, s ? s : "ANY");
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

static const char *text_or(const slsec_node *resolved, const char *fallback)
{
    return resolved && resolved->kind == SLSEC_NODE_SCALAR && resolved->str ? resolved->str : fallback;
}

/* A resource whose Condition is known false is not deployed. */
static slsec_tri deployed(cfn_ctx *c, const slsec_resource *r)
{
    return r->condition ? cfn_condition(c, r->condition) : SLSEC_YES;
}

/* ---- references anywhere in a raw value ------------------------------------- */

typedef struct refs {
    const char *name[MAX_REFS]; /* "X" or "X.Attr" */
    size_t count;
} refs;

static void refs_add(refs *out, const char *s)
{
    /* Pseudo parameters (AWS::Region) are never resources. */
    if (s && *s && !strstr(s, "::") && out->count < MAX_REFS)
        out->name[out->count++] = s;
}

static void refs_from_sub_text(cfn_ctx *c, const char *s, refs *out)
{
    for (const char *p = s ? strstr(s, "${") : NULL; p; p = strstr(p, "${")) {
        const char *e = strchr(p, '}');
        if (!e)
            return;
        if (p[2] != '!')
            refs_add(out, slsec_arena_strndup(c->arena, p + 2, (size_t)(e - p - 2)));
        p = e + 1;
    }
}

static const char *scalar_text(const slsec_node *n)
{
    return n && n->kind == SLSEC_NODE_SCALAR ? n->str : NULL;
}

static void collect_refs(cfn_ctx *c, const slsec_node *n, refs *out, int depth);

static void intrinsic_refs(cfn_ctx *c, const char *fn, const slsec_node *arg, refs *out, int depth)
{
    if (!strcmp(fn, "Ref")) {
        refs_add(out, scalar_text(arg));
    } else if (!strcmp(fn, "GetAtt")) {
        const char *s = scalar_text(arg);
        if (!s && slsec_node_is_seq(arg) && arg->count == 2 && scalar_text(arg->items[0]) &&
            scalar_text(arg->items[1]))
            s = slsec_arena_printf(c->arena, "%s.%s", arg->items[0]->str, arg->items[1]->str);
        refs_add(out, s);
    } else if (!strcmp(fn, "Sub")) {
        if (slsec_node_is_seq(arg) && arg->count >= 1) {
            refs_from_sub_text(c, scalar_text(arg->items[0]), out);
            if (arg->count > 1)
                collect_refs(c, arg->items[1], out, depth + 1);
        } else {
            refs_from_sub_text(c, scalar_text(arg), out);
        }
    } else {
        collect_refs(c, arg, out, depth + 1);
    }
}

static void collect_refs(cfn_ctx *c, const slsec_node *n, refs *out, int depth)
{
    if (!n || depth > 32 || out->count >= MAX_REFS)
        return;
    if (n->tag && n->tag[0] == '!' && n->tag[1] != '!') {
        /* The tagged node is the intrinsic's argument itself. */
        slsec_node view = *n;
        view.tag = NULL;
        intrinsic_refs(c, n->tag + 1, &view, out, depth);
        return;
    }
    if (n->kind == SLSEC_NODE_MAP && n->count == 1 && scalar_text(n->items[0])) {
        const char *k = n->items[0]->str;
        if (!strcmp(k, "Ref") || slsec_str_has_prefix(k, "Fn::")) {
            intrinsic_refs(c, !strcmp(k, "Ref") ? k : k + 4, n->items[1], out, depth);
            return;
        }
    }
    if (n->kind == SLSEC_NODE_SEQ)
        for (size_t i = 0; i < n->count; i++)
            collect_refs(c, n->items[i], out, depth + 1);
    else if (n->kind == SLSEC_NODE_MAP)
        for (size_t i = 0; i < n->count; i++)
            collect_refs(c, n->items[2 * i + 1], out, depth + 1);
}

/* "X.Attr" → "X" (arena copy when there is a dot). */
static const char *base_name(cfn_ctx *c, const char *ref)
{
    const char *dot = strchr(ref, '.');
    return dot ? slsec_arena_strndup(c->arena, ref, (size_t)(dot - ref)) : ref;
}

static const char *ref_attr(const char *ref)
{
    const char *dot = strchr(ref, '.');
    return dot ? dot + 1 : "";
}

static slsec_resource *resource_of_type(cfn_ctx *c, const char *id, const char *type)
{
    slsec_resource *r = slsec_strmap_get(c->resources, id);
    return r && !strcmp(r->type, type) ? r : NULL;
}

/* The first resource of `type` that a raw value refers to. */
static slsec_resource *referenced(cfn_ctx *c, const slsec_node *raw, const char *type)
{
    refs rs = {0};
    collect_refs(c, raw, &rs, 0);
    for (size_t i = 0; i < rs.count; i++) {
        slsec_resource *r = resource_of_type(c, base_name(c, rs.name[i]), type);
        if (r)
            return r;
    }
    return NULL;
}

static slsec_api *api_by_ref(cfn_ctx *c, const slsec_node *raw)
{
    refs rs = {0};
    collect_refs(c, raw, &rs, 0);
    for (size_t i = 0; i < rs.count; i++) {
        slsec_api *api = slsec_strmap_get(c->apis, base_name(c, rs.name[i]));
        if (api)
            return api;
    }
    return NULL;
}

/* The function an integration URI invokes: ${Fn.Arn} in a Sub, GetAtt
 * Fn.Arn, or an alias / version of one. */
static slsec_function *function_in(cfn_ctx *c, const slsec_node *raw)
{
    refs rs = {0};
    collect_refs(c, raw, &rs, 0);
    for (size_t i = 0; i < rs.count; i++) {
        const char *id = base_name(c, rs.name[i]);
        slsec_function *fn = slsec_strmap_get(c->functions, id);
        if (fn)
            return fn;
        slsec_resource *r = slsec_strmap_get(c->resources, id);
        if (r && (!strcmp(r->type, "AWS::Lambda::Alias") || !strcmp(r->type, "AWS::Lambda::Version"))) {
            fn = cfn_function_by_ref(c, cfn_prop_raw(r, "FunctionName"));
            if (fn)
                return fn;
        }
    }
    return NULL;
}

/* ---- model objects ----------------------------------------------------------- */

static slsec_api *new_api(cfn_ctx *c, const char *id, slsec_resource *r, slsec_api_kind kind, slsec_loc loc)
{
    slsec_api *api = slsec_arena_alloc(c->arena, sizeof *api);
    api->id = id;
    api->loc = loc;
    api->resource = r;
    api->kind = kind;
    api->api_key_required = SLSEC_NO;
    api->usage_plan = SLSEC_NO;
    api->endpoint_private = SLSEC_NO;
    slsec_strmap_put(c->apis, id, api);
    slsec_ptrvec_push(c->arena, &c->app->apis, api);
    return api;
}

static slsec_stage *new_stage(cfn_ctx *c, slsec_api *api, const char *name, slsec_loc loc, const char *resource_id)
{
    slsec_stage *st = slsec_arena_alloc(c->arena, sizeof *st);
    st->name = name && *name ? name : "(unnamed)";
    st->loc = loc;
    st->resource_id = resource_id;
    st->access_logging = SLSEC_NO;
    st->throttling = SLSEC_NO;
    st->tracing = SLSEC_NO;
    st->cache_encrypted = SLSEC_YES; /* nothing is cached until a cache is enabled */
    st->waf = SLSEC_NO;
    slsec_ptrvec_push(c->arena, &api->stages, st);
    return st;
}

static slsec_route *new_route(cfn_ctx *c, slsec_api *api, const char *method, const char *path, slsec_loc loc,
                              const char *resource_id)
{
    slsec_route *rt = slsec_arena_alloc(c->arena, sizeof *rt);
    rt->api = api;
    rt->method = method;
    rt->path = path;
    rt->loc = loc;
    rt->resource_id = resource_id;
    rt->auth_known = SLSEC_YES;
    rt->api_key_required = SLSEC_NO;
    rt->request_validation = SLSEC_NO;
    slsec_ptrvec_push(c->arena, &api->routes, rt);
    return rt;
}

static void add_authorizer(cfn_ctx *c, slsec_api *api, const char *name)
{
    if (!name || symbolic(name))
        return;
    for (size_t i = 0; i < api->authorizers.count; i++)
        if (!strcmp(api->authorizers.items[i], name))
            return;
    slsec_ptrvec_push(c->arena, &api->authorizers, (void *)name);
}

/* Caching: NO only for a cache that is on and not encrypted. */
static slsec_tri cache_encrypted(const slsec_node *cache_enabled, slsec_tri encrypted)
{
    slsec_tri on = cfn_tri(cache_enabled, SLSEC_NO);
    if (on == SLSEC_NO)
        return SLSEC_YES;
    if (on == SLSEC_UNKNOWN)
        return encrypted == SLSEC_YES ? SLSEC_YES : SLSEC_UNKNOWN;
    return encrypted;
}

static bool body_method(const char *m)
{
    return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") || !strcmp(m, "ANY");
}

/* ---- custom domains ------------------------------------------------------------ */

static slsec_domain *new_domain(cfn_ctx *c, const char *id, slsec_loc loc, bool http_api)
{
    slsec_domain *d = slsec_arena_alloc(c->arena, sizeof *d);
    d->id = id;
    d->loc = loc;
    d->policy_loc = loc;
    d->http_api = http_api;
    slsec_ptrvec_push(c->arena, &c->app->domains, d);
    return d;
}

/* SecurityPolicy as the model keeps it: NULL when unset (the service
 * default), the symbolic text when unknowable (never judged weak). */
static void domain_policy(cfn_ctx *c, slsec_domain *d, const slsec_node *policy)
{
    if (absent(policy))
        return;
    d->security_policy = text_or(policy, "${SecurityPolicy}");
    d->policy_loc = cfn_loc(c, policy);
}

/* ---- SAM API properties, from a resource or from Globals ------------------------ */

/* SAM's implicit APIs have no resource: their properties come from Globals
 * alone. Explicit ones read the resource with Globals merged (cfn_prop). */
typedef struct sam_src {
    cfn_ctx *c;
    const slsec_resource *r;  /* NULL for an implicit API */
    const slsec_node *globals; /* Globals.Api / Globals.HttpApi */
} sam_src;

static const slsec_node *sam_get(const sam_src *s, const char *key)
{
    if (s->r)
        return cfn_prop(s->c, s->r, key);
    return cfn_resolve(s->c, slsec_node_get(s->globals, key));
}

static const slsec_node *sam_key(const sam_src *s, const char *key)
{
    const slsec_node *k = s->r ? slsec_node_get_key(s->r->props, key) : NULL;
    return k ? k : slsec_node_get_key(s->globals, key);
}

static slsec_loc sam_loc(const sam_src *s, const char *key, slsec_loc fallback)
{
    const slsec_node *k = sam_key(s, key);
    return k ? cfn_loc(s->c, k) : fallback;
}

static void sam_default_authorizer(slsec_api *api, const slsec_node *auth)
{
    const slsec_node *def = slsec_node_get(auth, "DefaultAuthorizer");
    if (absent(def))
        return;
    /* An unknowable default keeps its symbolic text: routes that inherit
     * it are "unknown", not "open". */
    api->default_authorizer = text_or(def, "${DefaultAuthorizer}");
}

static void sam_authorizer_names(const sam_src *s, slsec_api *api, const slsec_node *auth)
{
    const slsec_node *list = slsec_node_get(auth, "Authorizers");
    if (slsec_node_is_map(list))
        for (size_t i = 0; i < list->count; i++)
            add_authorizer(s->c, api, scalar_text(list->items[2 * i]));
}

static void sam_domain(const sam_src *s, slsec_api *api, bool http)
{
    const slsec_node *dom = sam_get(s, "Domain");
    if (absent(dom))
        return;
    slsec_domain *d = new_domain(s->c, api->id, sam_loc(s, "Domain", api->loc), http);
    if (slsec_node_is_map(dom))
        domain_policy(s->c, d, slsec_node_get(dom, "SecurityPolicy"));
    else if (unknown_scalar(dom))
        d->security_policy = dom->str; /* the whole block is unknowable */
}

static void fill_sam_rest(const sam_src *s, slsec_api *api, slsec_stage *st)
{
    const slsec_node *auth = sam_get(s, "Auth");
    if (slsec_node_is_map(auth)) {
        sam_default_authorizer(api, auth);
        sam_authorizer_names(s, api, auth);
        api->api_key_required = cfn_tri(slsec_node_get(auth, "ApiKeyRequired"), SLSEC_NO);
        const slsec_node *plan = slsec_node_get(auth, "UsagePlan");
        const slsec_node *pm;
        slsec_tri t = block(plan, &pm);
        if (t == SLSEC_YES) {
            const slsec_node *create = slsec_node_get(pm, "CreateUsagePlan");
            const char *mode = slsec_node_str(create);
            if (unknown_scalar(create))
                t = SLSEC_UNKNOWN;
            else if (!mode || !strcasecmp(mode, "NONE"))
                t = SLSEC_NO;
            else
                t = limits_in(slsec_node_get(pm, "Throttle"), "BurstLimit", "RateLimit");
        }
        api->usage_plan = t;
    } else if (unknown_scalar(auth)) {
        api->api_key_required = SLSEC_UNKNOWN;
        api->usage_plan = SLSEC_UNKNOWN;
        api->default_authorizer = auth->str;
    }
    const slsec_node *ep = sam_get(s, "EndpointConfiguration");
    const slsec_node *ep_type = slsec_node_is_map(ep) ? slsec_node_get(ep, "Type") : ep;
    if (unknown_scalar(ep_type))
        api->endpoint_private = SLSEC_UNKNOWN;
    else if (slsec_node_str(ep_type))
        api->endpoint_private = strcasecmp(slsec_node_str(ep_type), "PRIVATE") ? SLSEC_NO : SLSEC_YES;

    const slsec_node *ms = sam_get(s, "MethodSettings");
    st->access_logging = access_log(sam_get(s, "AccessLogSetting"));
    st->throttling = limits_in_any(ms, "ThrottlingBurstLimit", "ThrottlingRateLimit");
    st->tracing = cfn_tri(sam_get(s, "TracingEnabled"), SLSEC_NO);
    st->cache_encrypted = cache_encrypted(sam_get(s, "CacheClusterEnabled"), setting_in_any(ms, "CacheDataEncrypted"));
    st->data_trace = data_trace(ms, NULL);
    st->data_trace_loc = sam_loc(s, "MethodSettings", st->loc);
    api_cors(s->c, api, sam_get(s, "Cors"), "AllowOrigin", sam_key(s, "Cors"));
    sam_domain(s, api, false);
}

static void fill_sam_http(const sam_src *s, slsec_api *api, slsec_stage *st)
{
    const slsec_node *auth = sam_get(s, "Auth");
    if (slsec_node_is_map(auth)) {
        sam_default_authorizer(api, auth);
        sam_authorizer_names(s, api, auth);
        if (cfn_tri(slsec_node_get(auth, "EnableIamAuthorizer"), SLSEC_NO) == SLSEC_YES)
            add_authorizer(s->c, api, "AWS_IAM");
    } else if (unknown_scalar(auth)) {
        api->default_authorizer = auth->str;
    }
    st->access_logging = access_log(sam_get(s, "AccessLogSettings"));
    st->throttling = tri_or(limits_in(sam_get(s, "DefaultRouteSettings"), "ThrottlingBurstLimit", "ThrottlingRateLimit"),
                            limits_in_any(sam_get(s, "RouteSettings"), "ThrottlingBurstLimit", "ThrottlingRateLimit"));
    /* HTTP APIs have no X-Ray tracing, no cache and no API keys. */
    st->tracing = SLSEC_NO;
    api->sam_http = true;
    api_cors(s->c, api, sam_get(s, "CorsConfiguration"), "AllowOrigins", sam_key(s, "CorsConfiguration"));
    sam_domain(s, api, true);
}

static const char *stage_name_of(const sam_src *s, const char *fallback)
{
    const slsec_node *n = sam_get(s, "StageName");
    return absent(n) ? fallback : text_or(n, "${StageName}");
}

/* ---- SAM implicit APIs and function events -------------------------------------- */

static slsec_api *implicit_api(cfn_ctx *c, slsec_api_kind kind, const slsec_node *at)
{
    bool http = kind == SLSEC_API_HTTP;
    slsec_api **slot = http ? &c->implicit_http_api : &c->implicit_rest_api;
    if (*slot)
        return *slot;
    const char *id = http ? "ServerlessHttpApi" : "ServerlessRestApi";
    /* A template that declares its own resource under SAM's name gets it. */
    slsec_api *api = slsec_strmap_get(c->apis, id);
    if (api)
        return *slot = api;
    api = new_api(c, id, NULL, kind, cfn_loc(c, at));
    api->implicit = true;
    sam_src s = {c, NULL, cfn_sam_globals(c, http ? "HttpApi" : "Api")};
    slsec_stage *st = new_stage(c, api, http ? "$default" : "Prod", api->loc, id);
    if (http)
        fill_sam_http(&s, api, st);
    else
        fill_sam_rest(&s, api, st);
    return *slot = api;
}

/* Does a raw value name SAM's implicit API of this kind? */
static bool names_implicit(cfn_ctx *c, const slsec_node *raw, slsec_api_kind kind)
{
    const char *id = kind == SLSEC_API_HTTP ? "ServerlessHttpApi" : "ServerlessRestApi";
    refs rs = {0};
    collect_refs(c, raw, &rs, 0);
    for (size_t i = 0; i < rs.count; i++)
        if (!strcmp(base_name(c, rs.name[i]), id))
            return true;
    return false;
}

/* ---- OpenAPI bodies --------------------------------------------------------------- */

/* The inline OpenAPI document of an API (raw), or NULL; *external when the
 * API is defined elsewhere (a file, S3, an AWS::Include) and unreadable. */
static const slsec_node *api_definition(cfn_ctx *c, const slsec_api *api, bool *external)
{
    *external = false;
    const slsec_resource *r = api->resource;
    const char *body_key = "Body", *uri_key = "BodyS3Location";
    const slsec_node *globals = NULL;
    if (api->implicit || (r && slsec_str_has_prefix(r->type, "AWS::Serverless::"))) {
        body_key = "DefinitionBody";
        uri_key = "DefinitionUri";
        globals = cfn_sam_globals(c, api->kind == SLSEC_API_HTTP ? "HttpApi" : "Api");
    }
    const slsec_node *uri = r ? cfn_prop_raw(r, uri_key) : NULL;
    if (!uri)
        uri = slsec_node_get(globals, uri_key);
    const slsec_node *body = r ? cfn_prop_raw(r, body_key) : NULL;
    if (!body)
        body = slsec_node_get(globals, body_key);
    if (body && slsec_node_is_map(body) && !body->tag && !slsec_node_get(body, "Fn::Transform") &&
        slsec_node_get(body, "paths"))
        return body;
    if (uri || body)
        *external = true;
    return NULL;
}

static const slsec_node *definition_operation(const slsec_node *def, const char *method, const char *path)
{
    const slsec_node *item = slsec_node_get(slsec_node_get(def, "paths"), path);
    if (!slsec_node_is_map(item))
        return NULL;
    if (!strcmp(method, "ANY"))
        return slsec_node_get(item, "x-amazon-apigateway-any-method");
    char lower[16];
    size_t n = strlen(method);
    if (n >= sizeof lower)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(method[i] >= 'A' && method[i] <= 'Z' ? method[i] - 'A' + 'a' : method[i]);
    const slsec_node *op = slsec_node_get(item, lower);
    return op ? op : slsec_node_get(item, "x-amazon-apigateway-any-method");
}

static const slsec_node *security_scheme(const slsec_node *def, const char *name)
{
    const slsec_node *s = slsec_node_get(slsec_node_get(slsec_node_get(def, "components"), "securitySchemes"), name);
    return s ? s : slsec_node_get(slsec_node_get(def, "securityDefinitions"), name);
}

/* Applies an OpenAPI security requirement list to a route. Returns false
 * when the document says nothing about this operation. */
static bool definition_auth(cfn_ctx *c, const slsec_node *def, const slsec_node *op, slsec_route *rt)
{
    const slsec_node *sec = slsec_node_get(op, "security");
    if (!sec)
        sec = slsec_node_get(def, "security");
    if (!sec)
        return false;
    sec = cfn_resolve(c, sec);
    if (!slsec_node_is_seq(sec)) {
        rt->auth_known = SLSEC_UNKNOWN;
        return true;
    }
    if (sec->count == 0) {
        rt->authorizer = "NONE";
        return true;
    }
    /* Alternatives (OR): an empty requirement {} lets anyone in; otherwise
     * every alternative asks for something, and the route is protected by
     * the first authorizer named, or by API keys alone when none is. */
    const char *authorizer = NULL;
    slsec_tri key = SLSEC_YES;
    for (size_t i = 0; i < sec->count; i++) {
        const slsec_node *req = sec->items[i];
        if (!slsec_node_is_map(req) || req->count == 0) {
            rt->authorizer = "NONE";
            rt->api_key_required = SLSEC_NO;
            return true;
        }
        bool req_key = false;
        for (size_t k = 0; k < req->count; k++) {
            const char *name = scalar_text(req->items[2 * k]);
            const slsec_node *scheme = security_scheme(def, name);
            const char *authtype = slsec_node_get_str(scheme, "x-amazon-apigateway-authtype");
            const char *type = slsec_node_get_str(scheme, "type");
            const char *header = slsec_node_get_str(scheme, "name");
            if (!name)
                continue;
            if (authtype && !strcasecmp(authtype, "awsSigv4")) {
                if (!authorizer)
                    authorizer = "AWS_IAM";
            } else if (type && !strcmp(type, "apiKey") && header && !strcasecmp(header, "x-api-key") &&
                       !slsec_node_get(scheme, "x-amazon-apigateway-authorizer")) {
                req_key = true;
            } else if (!authorizer) {
                authorizer = name;
            }
        }
        if (!req_key)
            key = SLSEC_NO; /* an alternative without the key */
    }
    rt->authorizer = authorizer;
    rt->api_key_required = key;
    return true;
}

/* Request validation an OpenAPI body declares for an operation. */
static slsec_tri definition_validation(cfn_ctx *c, const slsec_node *def, const slsec_node *op, bool body)
{
    const slsec_node *name = slsec_node_get(op, "x-amazon-apigateway-request-validator");
    if (!name)
        name = slsec_node_get(def, "x-amazon-apigateway-request-validator");
    if (!name)
        return SLSEC_NO;
    const char *vname = slsec_node_str(cfn_resolve(c, name));
    if (!vname)
        return SLSEC_UNKNOWN;
    const slsec_node *v = slsec_node_get(slsec_node_get(def, "x-amazon-apigateway-request-validators"), vname);
    if (!v)
        return SLSEC_UNKNOWN;
    slsec_tri b = cfn_tri(cfn_resolve(c, slsec_node_get(v, "validateRequestBody")), SLSEC_NO);
    if (body)
        return b;
    return tri_or(b, cfn_tri(cfn_resolve(c, slsec_node_get(v, "validateRequestParameters")), SLSEC_NO));
}

/* ---- SAM function events ---------------------------------------------------------- */

static void event_auth(cfn_ctx *c, slsec_api *api, slsec_route *rt, const slsec_node *auth)
{
    const slsec_node *a = slsec_node_get(auth, "Authorizer");
    if (unknown_scalar(auth) || unknown_scalar(a)) {
        rt->auth_known = SLSEC_UNKNOWN;
        rt->authorizer = unknown_scalar(a) ? a->str : auth->str;
    } else if (!absent(a)) {
        const char *name = slsec_node_str(a);
        if (!name) {
            rt->auth_known = SLSEC_UNKNOWN;
        } else if (!strcasecmp(name, "NONE")) {
            rt->authorizer = "NONE";
        } else if (!strcasecmp(name, "AWS_IAM")) {
            rt->authorizer = "AWS_IAM";
        } else {
            rt->authorizer = name;
        }
    } else if (api->default_authorizer) {
        rt->authorizer = api->default_authorizer;
        if (symbolic(rt->authorizer))
            rt->auth_known = SLSEC_UNKNOWN;
    } else {
        bool external;
        const slsec_node *def = api_definition(c, api, &external);
        if (external)
            rt->auth_known = SLSEC_UNKNOWN;
        else if (def)
            definition_auth(c, def, definition_operation(def, rt->method, rt->path), rt);
    }
    if (api->kind == SLSEC_API_REST) {
        const slsec_node *k = slsec_node_get(auth, "ApiKeyRequired");
        if (unknown_scalar(auth))
            rt->api_key_required = SLSEC_UNKNOWN;
        else if (!absent(k))
            rt->api_key_required = cfn_tri(k, SLSEC_NO);
        else if (api->api_key_required != SLSEC_NO)
            rt->api_key_required = api->api_key_required;
    }
}

static void event_validation(cfn_ctx *c, slsec_api *api, slsec_route *rt, const slsec_node *props)
{
    if (api->kind != SLSEC_API_REST)
        return; /* HTTP APIs cannot validate requests */
    bool body = body_method(rt->method);
    const slsec_node *m;
    slsec_tri t = block(slsec_node_get(props, "RequestModel"), &m);
    if (t == SLSEC_YES) {
        /* SAM adds a validator only when ValidateBody or ValidateParameters
         * is given; the one not given is false. */
        slsec_tri vb = cfn_tri(slsec_node_get(m, "ValidateBody"), SLSEC_NO);
        slsec_tri vp = cfn_tri(slsec_node_get(m, "ValidateParameters"), SLSEC_NO);
        t = body ? vb : tri_or(vb, vp);
    }
    if (t == SLSEC_NO) {
        bool external;
        const slsec_node *def = api_definition(c, api, &external);
        if (external)
            t = SLSEC_UNKNOWN;
        else if (def)
            t = definition_validation(c, def, definition_operation(def, rt->method, rt->path), body);
    }
    rt->request_validation = t;
}

void cfn_api_sam_event(cfn_ctx *c, slsec_function *fn, const char *event_name, const slsec_node *event_key,
                       const slsec_node *raw_props, slsec_api_kind kind)
{
    bool http = kind == SLSEC_API_HTTP;
    const slsec_node *props = cfn_resolve(c, raw_props);
    const slsec_node *api_ref = slsec_node_get(raw_props, http ? "ApiId" : "RestApiId");
    slsec_api *api = NULL;
    if (api_ref) {
        api = api_by_ref(c, api_ref);
        if (!api && names_implicit(c, api_ref, kind))
            api = implicit_api(c, kind, event_key); /* !Ref ServerlessRestApi before it exists */
        if (!api) {
            /* An API of another stack: the route cannot be judged here, but
             * the function is still API-triggered. */
            cfn_add_trigger(c, fn, http ? SLSEC_TRIGGER_API_HTTP : SLSEC_TRIGGER_API_REST, event_name, event_key, NULL);
            return;
        }
    } else {
        api = implicit_api(c, kind, event_key);
    }

    const slsec_node *method = slsec_node_get(props, "Method");
    const slsec_node *path = slsec_node_get(props, "Path");
    const char *m, *p;
    if (http && absent(method) && absent(path)) {
        /* SAM's catch-all: the $default route of the HTTP API. */
        m = "ANY";
        p = "$default";
    } else {
        if (!http && (absent(method) || absent(path)))
            cfn_warn(c, event_key, "%s: Api event %s needs both Path and Method", fn->id, event_name);
        m = upper(c, text_or(method, "ANY"));
        p = text_or(path, "/");
    }
    slsec_route *rt = new_route(c, api, m, p, cfn_loc(c, event_key), fn->id);
    rt->function = fn;
    const slsec_node *auth = slsec_node_get(props, "Auth");
    event_auth(c, api, rt, auth);
    event_validation(c, api, rt, props);
    if (http) {
        const slsec_node *settings = slsec_node_get(props, "RouteSettings");
        slsec_tri t = limits_in(settings, "ThrottlingBurstLimit", "ThrottlingRateLimit");
        for (size_t i = 0; t == SLSEC_YES && i < api->stages.count; i++) {
            slsec_stage *st = api->stages.items[i];
            st->throttling = tri_or(st->throttling, t);
        }
    }
    slsec_trigger *t = cfn_add_trigger(c, fn, http ? SLSEC_TRIGGER_API_HTTP : SLSEC_TRIGGER_API_REST, event_name,
                                       event_key, api->id);
    t->route = rt;
}

/* ---- AWS::Serverless::Api / HttpApi ----------------------------------------------- */

static void sam_api_create(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = new_api(c, r->id, r, SLSEC_API_REST, r->loc);
    sam_src s = {c, r, cfn_sam_globals(c, "Api")};
    slsec_stage *st = new_stage(c, api, stage_name_of(&s, "Prod"), sam_loc(&s, "StageName", r->loc), r->id);
    fill_sam_rest(&s, api, st);
}

static void sam_httpapi_create(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = new_api(c, r->id, r, SLSEC_API_HTTP, r->loc);
    sam_src s = {c, r, cfn_sam_globals(c, "HttpApi")};
    slsec_stage *st = new_stage(c, api, stage_name_of(&s, "$default"), sam_loc(&s, "StageName", r->loc), r->id);
    fill_sam_http(&s, api, st);
}

/* ---- AWS::ApiGateway::* (REST) ----------------------------------------------------- */

static void endpoint_types(slsec_api *api, const slsec_node *ep)
{
    const slsec_node *types = slsec_node_get(ep, "Types");
    if (unknown_scalar(ep) || unknown_scalar(types)) {
        api->endpoint_private = SLSEC_UNKNOWN;
        return;
    }
    if (slsec_node_is_scalar(types))
        api->endpoint_private = strcasecmp(types->str, "PRIVATE") ? SLSEC_NO : SLSEC_YES;
    for (size_t i = 0; slsec_node_is_seq(types) && i < types->count; i++) {
        const slsec_node *t = types->items[i];
        if (unknown_scalar(t))
            api->endpoint_private = SLSEC_UNKNOWN;
        else if (slsec_node_str(t) && !strcasecmp(t->str, "PRIVATE"))
            api->endpoint_private = SLSEC_YES;
    }
}

static void restapi_create(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = new_api(c, r->id, r, SLSEC_API_REST, r->loc);
    endpoint_types(api, cfn_prop(c, r, "EndpointConfiguration"));
    /* ApiKeySourceType AUTHORIZER still needs ApiKeyRequired per method. */
}

static void rest_stage_settings(slsec_stage *st, const slsec_node *props, bool deployment)
{
    const slsec_node *ms = slsec_node_get(props, "MethodSettings");
    st->access_logging = access_log(slsec_node_get(props, "AccessLogSetting"));
    st->throttling = limits_in_any(ms, "ThrottlingBurstLimit", "ThrottlingRateLimit");
    if (deployment) /* StageDescription also takes stage-wide limits */
        st->throttling = tri_or(st->throttling, limits_in(props, "ThrottlingBurstLimit", "ThrottlingRateLimit"));
    st->tracing = cfn_tri(slsec_node_get(props, "TracingEnabled"), SLSEC_NO);
    slsec_tri enc = setting_in_any(ms, "CacheDataEncrypted");
    if (deployment)
        enc = tri_or(enc, cfn_tri(slsec_node_get(props, "CacheDataEncrypted"), SLSEC_NO));
    st->cache_encrypted = cache_encrypted(slsec_node_get(props, "CacheClusterEnabled"), enc);
    st->data_trace = data_trace(ms, deployment ? props : NULL);
    st->data_trace_loc = st->loc;
    const slsec_node *msk = slsec_node_get_key(props, "MethodSettings");
    if (msk && msk->line) {
        st->data_trace_loc.line = (int)msk->line;
        st->data_trace_loc.col = (int)msk->col;
    }
}

static void rest_stage_link(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "RestApiId"));
    if (!api)
        return;
    const slsec_node *name = cfn_prop(c, r, "StageName");
    slsec_stage *st = new_stage(c, api, text_or(name, r->id), r->loc, r->id);
    const slsec_node *props = cfn_resolve(c, r->props);
    rest_stage_settings(st, props, false);
}

static void deployment_link(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    const slsec_node *name = cfn_prop(c, r, "StageName");
    if (absent(name))
        return; /* a deployment without StageName creates no stage */
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "RestApiId"));
    if (!api)
        return;
    slsec_stage *st = new_stage(c, api, text_or(name, r->id), r->loc, r->id);
    rest_stage_settings(st, cfn_prop(c, r, "StageDescription"), true);
}

/* The path of an ApiGateway::Resource chain ("/orders/{id}"). */
static const char *rest_path(cfn_ctx *c, const slsec_node *raw_id, int depth)
{
    refs rs = {0};
    collect_refs(c, raw_id, &rs, 0);
    if (rs.count == 0 || depth > MAX_PATH_DEPTH)
        return "/{?}";
    const char *id = base_name(c, rs.name[0]);
    if (!strcmp(ref_attr(rs.name[0]), "RootResourceId"))
        return "/";
    slsec_resource *res = resource_of_type(c, id, "AWS::ApiGateway::Resource");
    if (!res)
        return "/{?}";
    const char *parent = rest_path(c, cfn_prop_raw(res, "ParentId"), depth + 1);
    const char *part = text_or(cfn_prop(c, res, "PathPart"), "{?}");
    return slsec_arena_printf(c->arena, "%s%s%s", parent, slsec_str_has_suffix(parent, "/") ? "" : "/", part);
}

static const char *authorizer_name(cfn_ctx *c, const slsec_node *raw_id, const char *type, const char *fallback)
{
    slsec_resource *a = referenced(c, raw_id, type);
    if (!a)
        return fallback;
    const char *name = cfn_prop_str(c, a, "Name");
    return name && !symbolic(name) ? name : a->id;
}

/* AuthorizationType of a Method or a V2 Route. */
static void authorization_type(cfn_ctx *c, slsec_resource *r, slsec_route *rt, const char *authorizer_type)
{
    const slsec_node *at = cfn_prop(c, r, "AuthorizationType");
    if (absent(at))
        return; /* the default is NONE: no authorizer */
    const char *s = slsec_node_str(at);
    if (!s || unknown_scalar(at)) {
        rt->auth_known = SLSEC_UNKNOWN;
        rt->authorizer = unknown_scalar(at) ? at->str : NULL;
    } else if (!strcasecmp(s, "NONE")) {
        rt->authorizer = "NONE";
    } else if (!strcasecmp(s, "AWS_IAM")) {
        rt->authorizer = "AWS_IAM";
    } else {
        rt->authorizer = authorizer_name(c, cfn_prop_raw(r, "AuthorizerId"), authorizer_type,
                                         slsec_arena_strdup(c->arena, s));
    }
}

static slsec_tri validator(cfn_ctx *c, slsec_resource *r, bool body)
{
    const slsec_node *raw = cfn_prop_raw(r, "RequestValidatorId");
    if (!raw)
        return SLSEC_NO;
    slsec_resource *v = referenced(c, raw, "AWS::ApiGateway::RequestValidator");
    if (!v)
        return SLSEC_UNKNOWN; /* a validator of another stack */
    if (deployed(c, v) == SLSEC_NO)
        return SLSEC_NO;
    slsec_tri b = cfn_tri(cfn_prop(c, v, "ValidateRequestBody"), SLSEC_NO);
    return body ? b : tri_or(b, cfn_tri(cfn_prop(c, v, "ValidateRequestParameters"), SLSEC_NO));
}

static void method_link(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "RestApiId"));
    if (!api)
        return;
    const char *method = upper(c, text_or(cfn_prop(c, r, "HttpMethod"), "ANY"));
    const char *path = rest_path(c, cfn_prop_raw(r, "ResourceId"), 0);
    slsec_route *rt = new_route(c, api, method, path, r->loc, r->id);
    authorization_type(c, r, rt, "AWS::ApiGateway::Authorizer");
    rt->api_key_required = cfn_tri(cfn_prop(c, r, "ApiKeyRequired"), SLSEC_NO);
    rt->request_validation = validator(c, r, body_method(method));
    const slsec_node *integ = cfn_prop_raw(r, "Integration");
    rt->function = function_in(c, slsec_node_get(integ, "Uri"));
    if (rt->function) {
        slsec_trigger *t = cfn_add_trigger(c, rt->function, SLSEC_TRIGGER_API_REST, r->id, NULL, api->id);
        t->loc = r->loc; /* the resource's logical id */
        t->route = rt;
    }
}

static void rest_authorizer_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "RestApiId"));
    if (!api || deployed(c, r) == SLSEC_NO)
        return;
    const char *name = cfn_prop_str(c, r, "Name");
    add_authorizer(c, api, name && !symbolic(name) ? name : r->id);
}

static void rest_domain_create(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_domain *d = new_domain(c, r->id, r->loc, false);
    domain_policy(c, d, cfn_prop(c, r, "SecurityPolicy"));
}

/* A usage plan throttles the API stages it lists (plan-wide or per stage). */
static void usage_plan_finish(cfn_ctx *c, slsec_resource *r)
{
    slsec_tri dep = deployed(c, r);
    if (dep == SLSEC_NO)
        return;
    slsec_tri plan = limits_in(cfn_prop(c, r, "Throttle"), "BurstLimit", "RateLimit");
    const slsec_node *stages_raw = cfn_prop_raw(r, "ApiStages");
    if (!slsec_node_is_seq(stages_raw))
        return;
    for (size_t i = 0; i < stages_raw->count; i++) {
        const slsec_node *as = stages_raw->items[i];
        slsec_api *api = api_by_ref(c, slsec_node_get(as, "ApiId"));
        if (!api)
            continue;
        slsec_tri t = plan;
        const slsec_node *per = cfn_resolve(c, slsec_node_get(as, "Throttle"));
        if (slsec_node_is_map(per))
            for (size_t k = 0; k < per->count; k++)
                t = tri_or(t, limits_in(per->items[2 * k + 1], "BurstLimit", "RateLimit"));
        if (t == SLSEC_YES && dep == SLSEC_UNKNOWN)
            t = SLSEC_UNKNOWN;
        if (api->usage_plan != SLSEC_YES)
            api->usage_plan = tri_or(api->usage_plan, t);
    }
}

/* ---- AWS::ApiGatewayV2::* (HTTP and WebSocket) ---------------------------------------- */

static void v2_api_create(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    const char *proto = cfn_prop_str(c, r, "ProtocolType");
    slsec_api_kind kind = proto && !strcasecmp(proto, "WEBSOCKET") ? SLSEC_API_WEBSOCKET : SLSEC_API_HTTP;
    slsec_api *api = new_api(c, r->id, r, kind, r->loc);
    api_cors(c, api, cfn_prop(c, r, "CorsConfiguration"), "AllowOrigins", slsec_node_get_key(r->props, "CorsConfiguration"));
    if (cfn_prop_raw(r, "Target")) /* quick create: an auto-deployed $default stage */
        new_stage(c, api, "$default", cfn_loc(c, slsec_node_get_key(r->props, "Target")), r->id);
}

/* Quick create also makes a $default route to the Target: functions exist
 * only after CREATE, so the route is made here. */
static void v2_api_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_api *api = slsec_strmap_get(c->apis, r->id);
    const slsec_node *target = cfn_prop_raw(r, "Target");
    if (!api || api->resource != r || !target)
        return;
    slsec_route *rt = new_route(c, api, "ANY", "$default", cfn_loc(c, slsec_node_get_key(r->props, "Target")), r->id);
    rt->function = function_in(c, target);
    if (rt->function) {
        slsec_trigger *t = cfn_add_trigger(c, rt->function, SLSEC_TRIGGER_API_HTTP, r->id, NULL, api->id);
        t->loc = r->loc; /* the resource's logical id */
        t->route = rt;
    }
}

static void v2_route_link(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "ApiId"));
    if (!api)
        return;
    const slsec_node *key = cfn_prop(c, r, "RouteKey");
    const char *k = text_or(key, "$default");
    const char *method = k, *path = "";
    const char *sp = strchr(k, ' ');
    if (!strcmp(k, "$default")) {
        method = "ANY";
        path = "$default";
    } else if (sp && api->kind != SLSEC_API_WEBSOCKET) {
        method = upper(c, slsec_arena_strndup(c->arena, k, (size_t)(sp - k)));
        path = sp + 1;
    }
    slsec_route *rt = new_route(c, api, method, path, r->loc, r->id);
    authorization_type(c, r, rt, "AWS::ApiGatewayV2::Authorizer");
    rt->api_key_required = cfn_tri(cfn_prop(c, r, "ApiKeyRequired"), SLSEC_NO);
    slsec_resource *integ = referenced(c, cfn_prop_raw(r, "Target"), "AWS::ApiGatewayV2::Integration");
    if (integ)
        rt->function = function_in(c, cfn_prop_raw(integ, "IntegrationUri"));
    if (rt->function) {
        slsec_trigger_kind tk = api->kind == SLSEC_API_WEBSOCKET ? SLSEC_TRIGGER_WEBSOCKET : SLSEC_TRIGGER_API_HTTP;
        slsec_trigger *t = cfn_add_trigger(c, rt->function, tk, r->id, NULL, api->id);
        t->loc = r->loc; /* the resource's logical id */
        t->route = rt;
    }
}

static void v2_stage_link(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "ApiId"));
    if (!api)
        return;
    slsec_stage *st = new_stage(c, api, text_or(cfn_prop(c, r, "StageName"), r->id), r->loc, r->id);
    st->access_logging = access_log(cfn_prop(c, r, "AccessLogSettings"));
    st->throttling = tri_or(limits_in(cfn_prop(c, r, "DefaultRouteSettings"), "ThrottlingBurstLimit", "ThrottlingRateLimit"),
                            limits_in_any(cfn_prop(c, r, "RouteSettings"), "ThrottlingBurstLimit", "ThrottlingRateLimit"));
    st->data_trace = data_trace(cfn_prop(c, r, "RouteSettings"), cfn_prop(c, r, "DefaultRouteSettings"));
    st->data_trace_loc = st->loc;
}

static void v2_authorizer_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_api *api = api_by_ref(c, cfn_prop_raw(r, "ApiId"));
    if (!api || deployed(c, r) == SLSEC_NO)
        return;
    const char *name = cfn_prop_str(c, r, "Name");
    add_authorizer(c, api, name && !symbolic(name) ? name : r->id);
}

static void v2_domain_create(cfn_ctx *c, slsec_resource *r)
{
    if (deployed(c, r) == SLSEC_NO)
        return;
    slsec_domain *d = new_domain(c, r->id, r->loc, true);
    const slsec_node *confs = cfn_prop(c, r, "DomainNameConfigurations");
    if (unknown_scalar(confs)) {
        d->security_policy = confs->str;
        return;
    }
    /* The weakest configuration is the domain's. */
    for (size_t i = 0; slsec_node_is_seq(confs) && i < confs->count; i++) {
        const slsec_node *p = slsec_node_get(confs->items[i], "SecurityPolicy");
        if (absent(p))
            continue;
        const char *s = text_or(p, "${SecurityPolicy}");
        if (!d->security_policy || !strcasecmp(s, "TLS_1_0"))
            domain_policy(c, d, p);
    }
}

/* ---- routes declared by OpenAPI bodies ------------------------------------------------ */

static const char *const openapi_methods[] = {"get", "put", "post", "delete", "patch", "head", "options",
                                              "x-amazon-apigateway-any-method"};

static void definition_routes_finish(cfn_ctx *c, slsec_resource *r)
{
    slsec_api *api = slsec_strmap_get(c->apis, r->id);
    if (!api || api->resource != r)
        return;
    bool external;
    const slsec_node *def = api_definition(c, api, &external);
    const slsec_node *paths = slsec_node_get(def, "paths");
    if (!slsec_node_is_map(paths))
        return;
    /* SAM events for the same operation were added already (LINK): keep those. */
    slsec_strmap *seen = slsec_strmap_new(c->arena);
    for (size_t i = 0; i < api->routes.count; i++) {
        const slsec_route *rt = api->routes.items[i];
        slsec_strmap_put(seen, slsec_arena_printf(c->arena, "%s %s", rt->method, rt->path), (void *)1);
    }
    bool sam = slsec_str_has_prefix(r->type, "AWS::Serverless::");
    for (size_t i = 0; i < paths->count; i++) {
        const char *path = scalar_text(paths->items[2 * i]);
        const slsec_node *item = paths->items[2 * i + 1];
        if (!path || !slsec_node_is_map(item))
            continue;
        for (size_t m = 0; m < sizeof openapi_methods / sizeof openapi_methods[0]; m++) {
            const slsec_node *op = slsec_node_get(item, openapi_methods[m]);
            if (!slsec_node_is_map(op))
                continue;
            const char *method = m == 7 ? "ANY" : upper(c, openapi_methods[m]);
            const char *k = slsec_arena_printf(c->arena, "%s %s", method, path);
            if (slsec_strmap_get(seen, k))
                continue;
            slsec_strmap_put(seen, k, (void *)1);
            slsec_route *rt = new_route(c, api, method, path, cfn_loc(c, slsec_node_get_key(item, openapi_methods[m])), r->id);
            const slsec_node *integ = slsec_node_get(op, "x-amazon-apigateway-integration");
            rt->function = function_in(c, slsec_node_get(integ, "uri"));
            /* SAM applies its Auth settings to the operations of the body too. */
            if (sam && api->default_authorizer && !slsec_node_get(op, "security")) {
                rt->authorizer = api->default_authorizer;
                if (symbolic(rt->authorizer))
                    rt->auth_known = SLSEC_UNKNOWN;
            } else {
                definition_auth(c, def, op, rt);
            }
            if (sam && api->api_key_required != SLSEC_NO && rt->api_key_required == SLSEC_NO)
                rt->api_key_required = api->api_key_required;
            rt->request_validation = api->kind == SLSEC_API_REST
                                         ? definition_validation(c, def, op, body_method(method))
                                         : SLSEC_NO;
            if (rt->function) {
                slsec_trigger_kind tk = api->kind == SLSEC_API_REST ? SLSEC_TRIGGER_API_REST : SLSEC_TRIGGER_API_HTTP;
                slsec_trigger *t = cfn_add_trigger(c, rt->function, tk, r->id, slsec_node_get_key(item, openapi_methods[m]), api->id);
                t->route = rt;
            }
        }
    }
}

/* ---- WAF associations ------------------------------------------------------------------- */

static bool stage_matches(cfn_ctx *c, const slsec_api *api, const slsec_stage *st, const char *ref)
{
    const char *id = base_name(c, ref);
    if (!strcmp(ref_attr(ref), "Stage") && !strcmp(id, api->id))
        return true; /* SAM's !Ref MyApi.Stage */
    if (strcmp(id, api->id) != 0 && st->resource_id && !strcmp(id, st->resource_id))
        return true; /* an ApiGateway::Stage / Deployment resource */
    /* SAM names the stage it generates <Api><StageName>Stage. */
    const char *generated = slsec_arena_printf(c->arena, "%s%sStage", api->id, st->name);
    return !strcmp(id, generated);
}

static void waf_association_finish(cfn_ctx *c, slsec_resource *r)
{
    slsec_tri dep = deployed(c, r);
    if (dep == SLSEC_NO)
        return;
    const slsec_node *raw = cfn_prop_raw(r, "ResourceArn");
    slsec_api *api = api_by_ref(c, raw);
    if (!api)
        return; /* an ALB, AppSync or Cognito association, or an API of another stack */
    refs rs = {0};
    collect_refs(c, raw, &rs, 0);
    slsec_stage *hit = NULL;
    bool told = false;
    for (size_t i = 0; i < rs.count && !hit; i++)
        for (size_t k = 0; k < api->stages.count && !hit; k++)
            if (stage_matches(c, api, api->stages.items[k], rs.name[i]))
                hit = api->stages.items[k];
    if (!hit) {
        /* ".../stages/<name>" with a literal (or parameter-default) name. */
        const char *arn = text_or(cfn_resolve(c, raw), "");
        const char *p = strstr(arn, "/stages/");
        if (p) {
            p += strlen("/stages/");
            const char *e = strchr(p, '/');
            char *name = slsec_arena_strndup(c->arena, p, e ? (size_t)(e - p) : strlen(p));
            if (!symbolic(name)) {
                told = true;
                for (size_t k = 0; k < api->stages.count && !hit; k++)
                    if (!strcmp(((slsec_stage *)api->stages.items[k])->name, name))
                        hit = api->stages.items[k];
            }
        }
    }
    slsec_tri t = dep == SLSEC_YES ? SLSEC_YES : SLSEC_UNKNOWN;
    if (hit) {
        hit->waf = tri_or(hit->waf, t);
        return;
    }
    if (told)
        return; /* a stage this template does not declare */
    /* The stage cannot be told: any of the API's may be the one. */
    for (size_t k = 0; k < api->stages.count; k++) {
        slsec_stage *st = api->stages.items[k];
        st->waf = tri_or(st->waf, t);
    }
}

/* ---- the table ------------------------------------------------------------------------------ */

const cfn_type_handler cfn_api_handlers[] = {
    {"AWS::Serverless::Api", {sam_api_create, NULL, definition_routes_finish}},
    {"AWS::Serverless::HttpApi", {sam_httpapi_create, NULL, definition_routes_finish}},
    {"AWS::ApiGateway::RestApi", {restapi_create, NULL, definition_routes_finish}},
    {"AWS::ApiGateway::Stage", {NULL, rest_stage_link, NULL}},
    {"AWS::ApiGateway::Deployment", {NULL, deployment_link, NULL}},
    {"AWS::ApiGateway::Method", {NULL, method_link, NULL}},
    {"AWS::ApiGateway::Resource", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::Authorizer", {NULL, rest_authorizer_link, NULL}},
    {"AWS::ApiGateway::RequestValidator", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::Model", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::DomainName", {rest_domain_create, NULL, NULL}},
    {"AWS::ApiGateway::BasePathMapping", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::UsagePlan", {NULL, NULL, usage_plan_finish}},
    {"AWS::ApiGateway::UsagePlanKey", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::ApiKey", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::Account", {NULL, NULL, NULL}},
    {"AWS::ApiGateway::GatewayResponse", {NULL, NULL, NULL}},
    {"AWS::ApiGatewayV2::Api", {v2_api_create, v2_api_link, definition_routes_finish}},
    {"AWS::ApiGatewayV2::Route", {NULL, v2_route_link, NULL}},
    {"AWS::ApiGatewayV2::Integration", {NULL, NULL, NULL}},
    {"AWS::ApiGatewayV2::Stage", {NULL, v2_stage_link, NULL}},
    {"AWS::ApiGatewayV2::Deployment", {NULL, NULL, NULL}},
    {"AWS::ApiGatewayV2::Authorizer", {NULL, v2_authorizer_link, NULL}},
    {"AWS::ApiGatewayV2::DomainName", {v2_domain_create, NULL, NULL}},
    {"AWS::ApiGatewayV2::ApiMapping", {NULL, NULL, NULL}},
    {"AWS::WAFv2::WebACLAssociation", {NULL, NULL, waf_association_finish}},
    {"AWS::WAFRegional::WebACLAssociation", {NULL, NULL, waf_association_finish}},
    {"AWS::WAFv2::WebACL", {NULL, NULL, NULL}},
};
CFN_TABLE_END(api)
