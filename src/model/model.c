/*
 * model.c — the application model's constructors and queries.
 *
 * IAM matching follows IAM's own rules: action names are case-insensitive
 * and '*' / '?' are wildcards; a statement with NotAction grants every
 * action its patterns do not match.
 */
#include "slsec/model.h"

#include <stdio.h>
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
