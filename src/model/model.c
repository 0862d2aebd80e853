/*
 * model.c — the application model's constructors and queries.
 *
 * IAM matching follows IAM's own rules: action names are case-insensitive
 * and '*' / '?' are wildcards; a statement with NotAction grants every
 * action its patterns do not match.
 */
#include "slsec/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

slsec_loc slsec_loc_of(const slsec_node *n)
{
    slsec_loc l = {0};
    if (n) {
        l.file = n->file;
        l.line = (int)n->line;
        l.col = (int)n->col;
    }
    return l;
}

slsec_app *slsec_app_new(void)
{
    slsec_arena *a = slsec_arena_new();
    slsec_app *app = slsec_arena_alloc(a, sizeof *app);
    app->arena = a;
    app->by_id = slsec_strmap_new(a);
    return app;
}

void slsec_app_free(slsec_app *app)
{
    if (app)
        slsec_arena_free(app->arena);
}

slsec_resource *slsec_app_resource(const slsec_app *app, const char *file, const char *id)
{
    if (!app || !id)
        return NULL;
    char key[1024];
    snprintf(key, sizeof key, "%s\x1f%s", file ? file : "", id);
    return slsec_strmap_get(app->by_id, key);
}

/* ---- outbound integrations ------------------------------------------------ */

const char *slsec_external_kind_name(slsec_external_kind k)
{
    return k == SLSEC_EXTERNAL_HOST ? "host" : "aws";
}

static const char *or_empty(const char *s) { return s ? s : ""; }

const slsec_external_call *slsec_app_add_external(slsec_app *app, const slsec_external_call *call)
{
    if (!app || !call || !call->function_id || !call->target)
        return NULL;
    slsec_arena *a = app->arena;
    if (!app->external_keys)
        app->external_keys = slsec_strmap_new(a);
    /* Two functions may share a logical id in different templates: the
     * template file keeps them apart. */
    const char *key = slsec_arena_printf(
        a, "%s\x1f%s\x1f%d\x1f%s\x1f%s\x1f%s\x1f%d\x1f%d", call->function_id,
        call->function ? or_empty(call->function->loc.file) : "", (int)call->kind, call->target,
        or_empty(call->operation), or_empty(call->loc.file), call->loc.line, call->loc.col);
    slsec_external_call *known = slsec_strmap_get(app->external_keys, key);
    if (known)
        return known;
    slsec_external_call *c = slsec_arena_alloc(a, sizeof *c);
    *c = *call;
    c->function_id = slsec_arena_strdup(a, call->function_id);
    c->target = slsec_arena_strdup(a, call->target);
    c->operation = call->operation ? slsec_arena_strdup(a, call->operation) : NULL;
    c->via = call->via ? slsec_arena_strdup(a, call->via) : NULL;
    c->loc.file = call->loc.file ? slsec_arena_strdup(a, call->loc.file) : NULL;
    slsec_strmap_put(app->external_keys, key, c);
    slsec_ptrvec_push(a, &app->externals, c);
    return c;
}

static int cmp_text(const char *a, const char *b) { return strcmp(or_empty(a), or_empty(b)); }

static int by_function_and_target(const void *pa, const void *pb)
{
    const slsec_external_call *a = *(const slsec_external_call *const *)pa;
    const slsec_external_call *b = *(const slsec_external_call *const *)pb;
    int c = strcmp(a->function_id, b->function_id);
    if (!c)
        c = cmp_text(a->function ? a->function->loc.file : NULL, b->function ? b->function->loc.file : NULL);
    if (!c && a->kind != b->kind)
        c = a->kind < b->kind ? -1 : 1;
    if (!c)
        c = strcmp(a->target, b->target);
    if (!c && (!a->operation) != (!b->operation))
        c = a->operation ? 1 : -1; /* the client first, then what is called on it */
    if (!c)
        c = cmp_text(a->operation, b->operation);
    if (!c)
        c = cmp_text(a->loc.file, b->loc.file);
    if (!c && a->loc.line != b->loc.line)
        c = a->loc.line < b->loc.line ? -1 : 1;
    if (!c && a->loc.col != b->loc.col)
        c = a->loc.col < b->loc.col ? -1 : 1;
    return c ? c : cmp_text(a->via, b->via);
}

void slsec_app_sort_externals(slsec_app *app)
{
    if (app && app->externals.count > 1)
        qsort(app->externals.items, app->externals.count, sizeof *app->externals.items, by_function_and_target);
}

const char *slsec_function_code_path(slsec_arena *a, const char *root, const slsec_function *fn)
{
    const char *uri = fn ? fn->code_uri : NULL;
    if (!uri || !*uri || !fn->loc.file || strstr(uri, "://"))
        return NULL;
    if (uri[0] == '/')
        return slsec_arena_strdup(a, uri);
    while (uri[0] == '.' && uri[1] == '/')
        uri += 2;
    const char *tpl = fn->loc.file;
    const char *slash = strrchr(tpl, '/');
    const char *dir = tpl[0] == '/' ? "" : root ? root : ".";
    return slsec_arena_printf(a, "%s%s%.*s%s%s", dir, *dir ? "/" : "", slash ? (int)(slash - tpl) : 0, tpl,
                              slash ? "/" : "", uri);
}

static const char *const trigger_names[] = {
    [SLSEC_TRIGGER_API_REST] = "REST API",     [SLSEC_TRIGGER_API_HTTP] = "HTTP API",
    [SLSEC_TRIGGER_WEBSOCKET] = "WebSocket API", [SLSEC_TRIGGER_S3] = "S3",
    [SLSEC_TRIGGER_SQS] = "SQS",               [SLSEC_TRIGGER_SNS] = "SNS",
    [SLSEC_TRIGGER_SCHEDULE] = "schedule",     [SLSEC_TRIGGER_EVENTBRIDGE] = "EventBridge",
    [SLSEC_TRIGGER_DYNAMODB] = "DynamoDB stream", [SLSEC_TRIGGER_KINESIS] = "Kinesis stream",
    [SLSEC_TRIGGER_OTHER] = "other",
};

const char *slsec_trigger_kind_name(slsec_trigger_kind k)
{
    return (unsigned)k <= SLSEC_TRIGGER_OTHER ? trigger_names[k] : "other";
}

bool slsec_trigger_is_async(slsec_trigger_kind k)
{
    return k == SLSEC_TRIGGER_S3 || k == SLSEC_TRIGGER_SNS || k == SLSEC_TRIGGER_SCHEDULE ||
           k == SLSEC_TRIGGER_EVENTBRIDGE;
}

static const char *const store_names[] = {
    [SLSEC_STORE_BUCKET] = "bucket",       [SLSEC_STORE_TABLE] = "table",
    [SLSEC_STORE_QUEUE] = "queue",         [SLSEC_STORE_TOPIC] = "topic",
    [SLSEC_STORE_STREAM] = "stream",       [SLSEC_STORE_SECRET] = "secret",
    [SLSEC_STORE_PARAMETER] = "parameter", [SLSEC_STORE_KEY] = "key",
    [SLSEC_STORE_LOG_GROUP] = "log group", [SLSEC_STORE_STATE_MACHINE] = "state machine",
};

const char *slsec_store_kind_name(slsec_store_kind k)
{
    return (unsigned)k <= SLSEC_STORE_STATE_MACHINE ? store_names[k] : "store";
}

const char *slsec_statement_action(const slsec_statement *s, size_t i)
{
    if (i >= s->actions.count)
        return NULL;
    return slsec_node_str(s->actions.items[i]);
}

bool slsec_action_matches(const char *pattern, const char *action)
{
    return pattern && action && slsec_glob_match_ci(pattern, action);
}

bool slsec_statement_grants(const slsec_statement *s, const char *action)
{
    if (!s->allow)
        return false;
    bool matched = false;
    for (size_t i = 0; i < s->actions.count; i++) {
        const char *p = slsec_node_str(s->actions.items[i]);
        if (p && slsec_action_matches(p, action)) {
            matched = true;
            break;
        }
    }
    return s->not_action ? !matched : matched;
}

bool slsec_statement_any_resource(const slsec_statement *s)
{
    if (s->not_resource)
        return true;
    for (size_t i = 0; i < s->resources.count; i++) {
        const char *r = slsec_node_str(s->resources.items[i]);
        if (r && strcmp(r, "*") == 0)
            return true;
    }
    return false;
}
