/*
 * inventory.c — the application map (slsec/inventory.h): built from the
 * model, written as JSON, Graphviz DOT or Mermaid, and reduced to a drawn
 * view (inventory_internal.h) for the formats people look at.
 *
 * Reach is computed once per role, not per function: a role shared by
 * thousands of functions is matched against the stores once, and each
 * function copies the result. Statements' resources name stores through
 * the symbolic text the front-ends keep for unknowable values
 * ("${OrdersTable}", "${OrdersTable.Arn}", "arn:...:${InvoicesBucket}/..." and so on).
 */
#include "inventory_internal.h"
#include "report_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *slsec_inv_kind_name(slsec_inv_kind k)
{
    static const char *const names[] = {"trigger", "function", "role", "store", "key", "host", "service"};
    return (unsigned)k <= SLSEC_INV_SERVICE ? names[k] : "node";
}

typedef struct builder {
    slsec_arena *a;
    slsec_inventory *inv;
    slsec_strmap *nodes;     /* node id → slsec_inv_node* */
    slsec_strmap *severity;  /* logical id → (void*)(severity + 1) */
    slsec_strmap *stores;    /* logical id → slsec_inv_node* (stores and keys) */
    slsec_strmap *functions; /* logical id → slsec_inv_node* */
    slsec_strmap *edges;     /* "from\x1fto\x1fkind" → slsec_inv_edge* */
    slsec_ptrvec by_service[16]; /* store nodes per service index */
    slsec_strmap *store_service; /* store node id → (void*)(service index + 1) */
} builder;

static const char *const services[] = {"s3", "dynamodb", "sqs", "sns", "kinesis", "secretsmanager",
                                       "ssm", "kms", "logs", "states"};
#define NSERVICES (sizeof services / sizeof services[0])

static int store_service(slsec_store_kind k)
{
    switch (k) {
    case SLSEC_STORE_BUCKET: return 0;
    case SLSEC_STORE_TABLE: return 1;
    case SLSEC_STORE_QUEUE: return 2;
    case SLSEC_STORE_TOPIC: return 3;
    case SLSEC_STORE_STREAM: return 4;
    case SLSEC_STORE_SECRET: return 5;
    case SLSEC_STORE_PARAMETER: return 6;
    case SLSEC_STORE_KEY: return 7;
    case SLSEC_STORE_LOG_GROUP: return 8;
    case SLSEC_STORE_STATE_MACHINE: return 9;
    }
    return -1;
}

/* The service index of an action ("dynamodb:PutItem" → 1), -2 for "*"
 * (every service), -1 for another service. */
static int action_service(const char *action)
{
    if (strcmp(action, "*") == 0)
        return -2;
    const char *colon = strchr(action, ':');
    if (!colon)
        return -1;
    size_t n = (size_t)(colon - action);
    for (size_t i = 0; i < NSERVICES; i++)
        if (strlen(services[i]) == n && strncasecmp(services[i], action, n) == 0)
            return (int)i;
    return -1;
}

static void attr(builder *b, slsec_inv_node *n, const char *key, const char *value)
{
    if (!value)
        return;
    slsec_inv_attr *x = slsec_arena_alloc(b->a, sizeof *x);
    x->key = key;
    x->value = value;
    slsec_ptrvec_push(b->a, &n->attrs, x);
}

static void attr_long(builder *b, slsec_inv_node *n, const char *key, long v)
{
    if (v == SLSEC_NUM_UNKNOWN)
        attr(b, n, key, "unknown");
    else if (v >= 0)
        attr(b, n, key, slsec_arena_printf(b->a, "%ld", v));
}

static slsec_inv_node *add_node(builder *b, slsec_inv_kind kind, const char *name, const char *subkind,
                                slsec_loc loc, const char *finding_id)
{
    const char *id = slsec_arena_printf(b->a, "%s:%s", slsec_inv_kind_name(kind), name);
    slsec_inv_node *n = slsec_strmap_get(b->nodes, id);
    if (n)
        return n;
    n = slsec_arena_alloc(b->a, sizeof *n);
    n->id = id;
    n->kind = kind;
    n->name = name;
    n->subkind = subkind;
    n->loc = loc;
    n->severity = -1;
    if (finding_id) {
        void *v = slsec_strmap_get(b->severity, finding_id);
        if (v)
            n->severity = (int)(intptr_t)v - 1;
    }
    slsec_strmap_put(b->nodes, id, n);
    slsec_ptrvec_push(b->a, &b->inv->nodes, n);
    return n;
}

static slsec_inv_edge *add_edge(builder *b, slsec_inv_node *from, slsec_inv_node *to, const char *kind)
{
    const char *key = slsec_arena_printf(b->a, "%s\x1f%s\x1f%s", from->id, to->id, kind);
    slsec_inv_edge *e = slsec_strmap_get(b->edges, key);
    if (e)
        return e;
    if (b->inv->edges.count >= SLSEC_INVENTORY_MAX_EDGES) {
        b->inv->truncated = true;
        return NULL;
    }
    e = slsec_arena_alloc(b->a, sizeof *e);
    e->from = from;
    e->to = to;
    e->kind = kind;
    slsec_strmap_put(b->edges, key, e);
    slsec_ptrvec_push(b->a, &b->inv->edges, e);
    return e;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorts a list of strings and drops duplicates. */
static void sort_unique(slsec_ptrvec *v)
{
    if (v->count < 2)
        return;
    qsort(v->items, v->count, sizeof *v->items, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < v->count; i++)
        if (strcmp(v->items[i], v->items[k - 1]) != 0)
            v->items[k++] = v->items[i];
    v->count = k;
}

/* ---- roles: what each can reach ---------------------------------------------------- */

typedef struct reach {
    slsec_inv_node *target;
    slsec_ptrvec actions;
} reach;

typedef struct role_reach {
    slsec_ptrvec targets; /* reach* */
    slsec_strmap *by_target;
} role_reach;

static void reach_add(builder *b, role_reach *rr, slsec_inv_node *target, const char *action)
{
    reach *r = slsec_strmap_get(rr->by_target, target->id);
    if (!r) {
        r = slsec_arena_alloc(b->a, sizeof *r);
        r->target = target;
        slsec_strmap_put(rr->by_target, target->id, r);
        slsec_ptrvec_push(b->a, &rr->targets, r);
    }
    slsec_ptrvec_push(b->a, &r->actions, (void *)action);
}

/* Logical ids a resource string names: each "${Id}" or "${Id.Attr}". */
static void named_ids(slsec_arena *a, const char *s, slsec_ptrvec *out)
{
    for (const char *p = s ? strstr(s, "${") : NULL; p; p = strstr(p, "${")) {
        p += 2;
        size_t n = strcspn(p, ".}");
        if (n && n < 256 && *p != '!')
            slsec_ptrvec_push(a, out, slsec_arena_strndup(a, p, n));
        p += n;
    }
}

static void statement_reach(builder *b, role_reach *rr, const slsec_statement *s)
{
    if (!s->allow || s->not_action)
        return;
    for (size_t i = 0; i < s->actions.count; i++) {
        const char *action = slsec_statement_action(s, i);
        if (!action)
            continue;
        int svc = action_service(action);
        bool invoke = slsec_action_matches(action, "lambda:InvokeFunction");
        if (svc == -1 && !invoke)
            continue;
        for (size_t r = 0; r < s->resources.count; r++) {
            const slsec_node *res = s->resources.items[r];
            const char *text = res ? res->str : NULL;
            if (!text)
                continue;
            if (strcmp(text, "*") == 0 || s->not_resource) {
                for (size_t k = 0; k < NSERVICES; k++)
                    if (svc == -2 || svc == (int)k)
                        for (size_t j = 0; j < b->by_service[k].count; j++)
                            reach_add(b, rr, b->by_service[k].items[j], action);
                if (invoke)
                    for (size_t j = 0; j < b->inv->nodes.count; j++) {
                        slsec_inv_node *fn = b->inv->nodes.items[j];
                        if (fn->kind == SLSEC_INV_FUNCTION)
                            reach_add(b, rr, fn, action);
                    }
                continue;
            }
            slsec_ptrvec ids = {0};
            named_ids(b->a, text, &ids);
            for (size_t j = 0; j < ids.count; j++) {
                slsec_inv_node *st = slsec_strmap_get(b->stores, ids.items[j]);
                if (st && (svc == -2 || svc == (int)(intptr_t)slsec_strmap_get(b->store_service, st->id) - 1))
                    reach_add(b, rr, st, action);
                slsec_inv_node *fn = invoke ? slsec_strmap_get(b->functions, ids.items[j]) : NULL;
                if (fn)
                    reach_add(b, rr, fn, action);
            }
        }
    }
}

static role_reach *role_reach_of(builder *b, slsec_strmap *cache, const slsec_role *role)
{
    role_reach *rr = slsec_strmap_get(cache, role->id);
    if (rr)
        return rr;
    rr = slsec_arena_alloc(b->a, sizeof *rr);
    rr->by_target = slsec_strmap_new(b->a);
    for (size_t p = 0; p < role->policies.count; p++) {
        const slsec_policy *pol = role->policies.items[p];
        for (size_t s = 0; s < pol->statements.count; s++)
            statement_reach(b, rr, pol->statements.items[s]);
    }
    for (size_t i = 0; i < rr->targets.count; i++)
        sort_unique(&((reach *)rr->targets.items[i])->actions);
    slsec_strmap_put(cache, role->id, rr);
    return rr;
}

static void role_node(builder *b, const slsec_role *role)
{
    slsec_inv_node *n = add_node(b, SLSEC_INV_ROLE, role->id, role->implicit ? "implicit" : NULL, role->loc,
                                 role->id);
    slsec_ptrvec managed = {0};
    bool not_action = false;
    for (size_t p = 0; p < role->policies.count; p++) {
        const slsec_policy *pol = role->policies.items[p];
        if (pol->kind == SLSEC_POLICY_AWS_MANAGED || (pol->kind == SLSEC_POLICY_CUSTOMER && !pol->statements.count))
            slsec_ptrvec_push(b->a, &managed, (void *)(pol->arn ? pol->arn : pol->name ? pol->name : "?"));
        for (size_t s = 0; s < pol->statements.count; s++) {
            const slsec_statement *st = pol->statements.items[s];
            if (!st->allow)
                continue;
            if (st->not_action) {
                not_action = true;
                continue;
            }
            for (size_t i = 0; i < st->actions.count; i++) {
                const char *action = slsec_statement_action(st, i);
                if (action)
                    slsec_ptrvec_push(b->a, &n->actions, (void *)action);
            }
        }
    }
    sort_unique(&n->actions);
    sort_unique(&managed);
    if (managed.count) {
        slsec_buf t;
        slsec_buf_init(&t);
        for (size_t i = 0; i < managed.count; i++)
            slsec_buf_printf(&t, "%s%s", i ? " " : "", (const char *)managed.items[i]);
        attr(b, n, "managed_policies", slsec_arena_strdup(b->a, t.data));
        slsec_buf_free(&t);
    }
    if (not_action)
        attr(b, n, "not_action", "true");
    attr_long(b, n, "functions", (long)role->functions.count);
}

/* ---- building ---------------------------------------------------------------------- */

static const char *host_of(slsec_arena *a, const char *url)
{
    const char *p = NULL;
    if (slsec_str_has_prefix(url, "https://"))
        p = url + 8;
    else if (slsec_str_has_prefix(url, "http://"))
        p = url + 7;
    if (!p)
        return NULL;
    size_t n = strcspn(p, "/:?#@ \t\r\n");
    if (p[n] == '@') /* user:password@host: the credentials are not the host */
        return NULL;
    if (n == 0 || n > 253)
        return NULL;
    /* Host names only (letters, digits, dots, hyphens): a symbolic part
     * ("${Param}") is unknowable, and anything else is not a host. */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return NULL;
    }
    char *h = slsec_arena_strndup(a, p, n);
    for (char *c = h; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return h;
}

static const char *auth_text(const slsec_route *r)
{
    if (r->auth_known == SLSEC_UNKNOWN)
        return "unknown";
    return r->authorizer && *r->authorizer ? r->authorizer : "NONE";
}

static void function_node(builder *b, const slsec_function *f)
{
    slsec_inv_node *n = add_node(b, SLSEC_INV_FUNCTION, f->id, NULL, f->loc, f->id);
    attr(b, n, "runtime", f->runtime ? f->runtime : f->package_type && strcmp(f->package_type, "Image") == 0 ? "image" : "unknown");
    attr_long(b, n, "memory", f->memory);
    attr(b, n, "timeout", f->timeout == SLSEC_NUM_UNSET ? "3"
                          : f->timeout == SLSEC_NUM_UNKNOWN ? "unknown"
                                                            : slsec_arena_printf(b->a, "%ld", f->timeout));
    attr(b, n, "role", f->role ? f->role->id : "external or unknown");
    if (f->in_vpc)
        attr(b, n, "vpc", "true");
}

static int cmp_node(const void *x, const void *y)
{
    const slsec_inv_node *a = *(slsec_inv_node *const *)x, *b = *(slsec_inv_node *const *)y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int cmp_edge(const void *x, const void *y)
{
    const slsec_inv_edge *a = *(slsec_inv_edge *const *)x, *b = *(slsec_inv_edge *const *)y;
    int c = strcmp(a->from->id, b->from->id);
    if (!c)
        c = strcmp(a->to->id, b->to->id);
    return c ? c : strcmp(a->kind, b->kind);
}

static void triggers_of(builder *b, const slsec_function *f, slsec_inv_node *fn)
{
    for (size_t t = 0; t < f->triggers.count; t++) {
        const slsec_trigger *tr = f->triggers.items[t];
        const char *name = slsec_arena_printf(b->a, "%s/%s", f->id, tr->name ? tr->name : "trigger");
        const char *sev_id = tr->route && tr->route->api ? tr->route->api->id : NULL;
        slsec_inv_node *n = add_node(b, SLSEC_INV_TRIGGER, name, slsec_trigger_kind_name(tr->kind), tr->loc, sev_id);
        if (tr->route) {
            attr(b, n, "method", tr->route->method);
            attr(b, n, "path", tr->route->path);
            attr(b, n, "authorizer", auth_text(tr->route));
            if (tr->route->api)
                attr(b, n, "api", tr->route->api->id);
        }
        attr(b, n, "source", tr->source_id);
        add_edge(b, n, fn, "triggers");
        slsec_inv_node *src = tr->source_id ? slsec_strmap_get(b->stores, tr->source_id) : NULL;
        if (src)
            add_edge(b, src, n, "feeds");
    }
    if (f->url.present) {
        slsec_inv_node *n = add_node(b, SLSEC_INV_TRIGGER, slsec_arena_printf(b->a, "%s/FunctionUrl", f->id),
                                     "function_url", f->url.loc, NULL);
        attr(b, n, "authorizer", f->url.auth_type ? f->url.auth_type : "unknown");
        add_edge(b, n, fn, "triggers");
    }
}

/* What the code calls (the code pass records it on the model as
 * app->externals): hosts join those environment values name, AWS services
 * get nodes of their own with the operations called on the edge, and a
 * source file no template function runs stands for a function. */
static void code_calls(builder *b, const slsec_app *app)
{
    for (size_t i = 0; i < app->externals.count; i++) {
        const slsec_external_call *c = app->externals.items[i];
        slsec_inv_node *fn = c->function ? slsec_strmap_get(b->functions, c->function->id) : NULL;
        if (!fn && c->function)
            continue;
        if (!fn)
            fn = add_node(b, SLSEC_INV_FUNCTION, c->function_id, "source file",
                          (slsec_loc){.file = c->function_id}, NULL);
        bool host = c->kind == SLSEC_EXTERNAL_HOST;
        slsec_inv_node *to = add_node(b, host ? SLSEC_INV_HOST : SLSEC_INV_SERVICE, c->target, NULL, c->loc, NULL);
        slsec_inv_edge *e = add_edge(b, fn, to, "calls");
        if (e && c->operation)
            slsec_ptrvec_push(b->a, &e->actions, slsec_arena_printf(b->a, "%s:%s", c->target, c->operation));
    }
    for (size_t i = 0; i < b->inv->edges.count; i++) {
        slsec_inv_edge *e = b->inv->edges.items[i];
        if (e->to->kind == SLSEC_INV_SERVICE)
            sort_unique(&e->actions);
    }
}

slsec_inventory *slsec_inventory_build(slsec_arena *a, const slsec_app *app, const slsec_ptrvec *findings)
{
    builder b = {.a = a};
    b.inv = slsec_arena_alloc(a, sizeof *b.inv);
    b.nodes = slsec_strmap_new(a);
    b.severity = slsec_strmap_new(a);
    b.stores = slsec_strmap_new(a);
    b.functions = slsec_strmap_new(a);
    b.edges = slsec_strmap_new(a);
    b.store_service = slsec_strmap_new(a);

    for (size_t i = 0; findings && i < findings->count; i++) {
        const slsec_finding *f = findings->items[i];
        if (!f || f->suppressed || !f->resource)
            continue;
        intptr_t old = (intptr_t)slsec_strmap_get(b.severity, f->resource);
        if ((intptr_t)f->severity + 1 > old)
            slsec_strmap_put(b.severity, f->resource, (void *)((intptr_t)f->severity + 1));
    }
    if (!app)
        return b.inv;

    for (size_t i = 0; i < app->stores.count; i++) {
        const slsec_store *s = app->stores.items[i];
        bool key = s->kind == SLSEC_STORE_KEY;
        slsec_inv_node *n = add_node(&b, key ? SLSEC_INV_KEY : SLSEC_INV_STORE, s->id,
                                     slsec_store_kind_name(s->kind), s->loc, s->id);
        if (s->encrypted != SLSEC_UNKNOWN && !key)
            attr(&b, n, "encrypted", s->encrypted == SLSEC_YES ? "true" : "false");
        slsec_strmap_put(b.stores, s->id, n);
        int svc = store_service(s->kind);
        if (svc >= 0) {
            slsec_ptrvec_push(a, &b.by_service[svc], n);
            slsec_strmap_put(b.store_service, n->id, (void *)(intptr_t)(svc + 1));
        }
    }
    for (size_t i = 0; i < app->roles.count; i++)
        role_node(&b, app->roles.items[i]);
    for (size_t i = 0; i < app->functions.count; i++) {
        const slsec_function *f = app->functions.items[i];
        slsec_inv_node *fn = add_node(&b, SLSEC_INV_FUNCTION, f->id, NULL, f->loc, f->id);
        slsec_strmap_put(b.functions, f->id, fn);
    }

    slsec_strmap *cache = slsec_strmap_new(a);
    for (size_t i = 0; i < app->functions.count; i++) {
        const slsec_function *f = app->functions.items[i];
        slsec_inv_node *fn = slsec_strmap_get(b.functions, f->id);
        function_node(&b, f);
        triggers_of(&b, f, fn);
        if (f->role) {
            slsec_inv_node *rn = slsec_strmap_get(b.nodes, slsec_arena_printf(a, "role:%s", f->role->id));
            if (rn)
                add_edge(&b, fn, rn, "assumes");
            role_reach *rr = role_reach_of(&b, cache, f->role);
            for (size_t k = 0; k < rr->targets.count; k++) {
                reach *r = rr->targets.items[k];
                if (r->target == fn)
                    continue;
                bool invoke = r->target->kind == SLSEC_INV_FUNCTION;
                slsec_inv_edge *e = add_edge(&b, fn, r->target, invoke ? "invokes" : "accesses");
                if (e)
                    e->actions = r->actions;
            }
        }
        for (size_t v = 0; v < f->env.count; v++) {
            const slsec_env_var *ev = f->env.items[v];
            const char *val = ev ? slsec_node_str(ev->value) : NULL;
            const char *host = val ? host_of(a, val) : NULL;
            if (!host)
                continue;
            slsec_inv_node *hn = add_node(&b, SLSEC_INV_HOST, host, NULL, ev->loc, NULL);
            add_edge(&b, fn, hn, "calls");
        }
    }

    code_calls(&b, app);

    qsort(b.inv->nodes.items, b.inv->nodes.count, sizeof(void *), cmp_node);
    for (size_t i = 0; i < b.inv->nodes.count; i++)
        ((slsec_inv_node *)b.inv->nodes.items[i])->index = i;
    qsort(b.inv->edges.items, b.inv->edges.count, sizeof(void *), cmp_edge);
    return b.inv;
}

const slsec_inv_node *slsec_inventory_find(const slsec_inventory *inv, const char *id)
{
    for (size_t i = 0; inv && id && i < inv->nodes.count; i++) {
        const slsec_inv_node *n = inv->nodes.items[i];
        if (strcmp(n->id, id) == 0)
            return n;
    }
    return NULL;
}

bool slsec_inventory_collapsed(const slsec_inventory *inv)
{
    return inv && inv->nodes.count > SLSEC_INVENTORY_MAX_DRAWN;
}

/* ---- the drawn view --------------------------------------------------------------- */

static int column_of(slsec_inv_kind k)
{
    switch (k) {
    case SLSEC_INV_TRIGGER: return 0;
    case SLSEC_INV_FUNCTION: return 1;
    case SLSEC_INV_ROLE: return 2;
    default: return 3;
    }
}

static const char *sev_word(int s)
{
    return s < 0 ? "no findings" : slsec_severity_name((slsec_severity)s);
}

static const char *kind_plural(slsec_inv_kind k)
{
    static const char *const names[] = {"triggers", "functions", "roles", "stores", "keys", "external hosts",
                                        "aws services"};
    return (unsigned)k <= SLSEC_INV_SERVICE ? names[k] : "nodes";
}

static const char *edge_label(slsec_arena *a, const slsec_inv_edge *e)
{
    if (!e->actions.count)
        return e->kind;
    slsec_buf t;
    slsec_buf_init(&t);
    slsec_buf_puts(&t, e->kind);
    slsec_buf_puts(&t, ": ");
    size_t shown = e->actions.count > 4 ? 3 : e->actions.count;
    for (size_t i = 0; i < shown; i++)
        slsec_buf_printf(&t, "%s%s", i ? ", " : "", (const char *)e->actions.items[i]);
    if (shown < e->actions.count)
        slsec_buf_printf(&t, " +%zu more", e->actions.count - shown);
    const char *s = slsec_arena_strdup(a, t.data);
    slsec_buf_free(&t);
    return s;
}

void slsec_inv_view(slsec_arena *a, const slsec_inventory *inv, inv_view *v)
{
    memset(v, 0, sizeof *v);
    size_t n = inv->nodes.count;
    v->collapsed = slsec_inventory_collapsed(inv);
    size_t *box_of = slsec_arena_alloc(a, (n + 1) * sizeof *box_of);
    v->boxes = slsec_arena_alloc(a, (n + 1) * sizeof *v->boxes);
    slsec_strmap *groups = slsec_strmap_new(a);
    for (size_t i = 0; i < n; i++) {
        const slsec_inv_node *x = inv->nodes.items[i];
        if (!v->collapsed) {
            inv_box *bx = &v->boxes[v->nboxes];
            bx->id = slsec_arena_printf(a, "n%zu", v->nboxes);
            bx->label = x->subkind && x->kind != SLSEC_INV_ROLE
                            ? slsec_arena_printf(a, "%s (%s)", x->name, x->subkind)
                            : x->name;
            bx->kind = x->kind;
            bx->severity = x->severity;
            bx->members = 1;
            bx->column = column_of(x->kind);
            box_of[i] = v->nboxes++;
            continue;
        }
        /* Groups: functions and roles by severity (where the risk sits),
         * the rest by kind and subkind. */
        bool by_sev = x->kind == SLSEC_INV_FUNCTION || x->kind == SLSEC_INV_ROLE;
        const char *key = slsec_arena_printf(a, "%d\x1f%s\x1f%d", (int)x->kind,
                                             by_sev || !x->subkind ? "" : x->subkind, by_sev ? x->severity : -9);
        void *g = slsec_strmap_get(groups, key);
        size_t bi;
        if (g) {
            bi = (size_t)(intptr_t)g - 1;
            if (x->severity > v->boxes[bi].severity)
                v->boxes[bi].severity = x->severity;
        } else {
            bi = v->nboxes++;
            inv_box *bx = &v->boxes[bi];
            bx->id = slsec_arena_printf(a, "n%zu", bi);
            bx->kind = x->kind;
            bx->severity = x->severity;
            bx->column = column_of(x->kind);
            if (by_sev)
                bx->label = slsec_arena_printf(a, "%s (%s)", kind_plural(x->kind), sev_word(x->severity));
            else
                bx->label = x->subkind ? x->subkind : kind_plural(x->kind);
            slsec_strmap_put(groups, key, (void *)(intptr_t)(bi + 1));
        }
        v->boxes[bi].members++;
        box_of[i] = bi;
    }
    if (v->collapsed)
        for (size_t i = 0; i < v->nboxes; i++)
            v->boxes[i].label = slsec_arena_printf(a, "%zu × %s", v->boxes[i].members, v->boxes[i].label);

    v->lines = slsec_arena_alloc(a, (inv->edges.count + 1) * sizeof *v->lines);
    slsec_strmap *pairs = slsec_strmap_new(a);
    for (size_t i = 0; i < inv->edges.count; i++) {
        const slsec_inv_edge *e = inv->edges.items[i];
        size_t from = box_of[e->from->index], to = box_of[e->to->index];
        if (!v->collapsed) {
            v->lines[v->nlines++] = (inv_line){from, to, edge_label(a, e), 1};
            continue;
        }
        const char *key = slsec_arena_printf(a, "%zu\x1f%zu\x1f%s", from, to, e->kind);
        void *g = slsec_strmap_get(pairs, key);
        if (g) {
            v->lines[(size_t)(intptr_t)g - 1].count++;
            continue;
        }
        v->lines[v->nlines] = (inv_line){from, to, e->kind, 1};
        slsec_strmap_put(pairs, key, (void *)(intptr_t)(++v->nlines));
    }
    if (v->collapsed)
        for (size_t i = 0; i < v->nlines; i++)
            v->lines[i].label = slsec_arena_printf(a, "%s ×%zu", v->lines[i].label, v->lines[i].count);
}

/* ---- writers ---------------------------------------------------------------------- */

bool slsec_inventory_format_known(const char *format)
{
    return format && (strcmp(format, "json") == 0 || strcmp(format, "dot") == 0 || strcmp(format, "mermaid") == 0);
}

static json_t *loc_json(slsec_loc l)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", slsec_rpt_jstr(l.file));
    json_object_set_new(o, "line", json_integer(l.line));
    json_object_set_new(o, "column", json_integer(l.col));
    return o;
}

static json_t *strings_json(const slsec_ptrvec *v)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < v->count; i++)
        json_array_append_new(arr, slsec_rpt_jstr(v->items[i]));
    return arr;
}

static int write_json(FILE *out, const slsec_inventory *inv)
{
    json_t *root = json_object();
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "tool", json_string("slsec"));
    json_object_set_new(root, "tool_version", json_string(SLSEC_VERSION));
    json_t *counts = json_object();
    size_t per[SLSEC_INV_SERVICE + 1] = {0};
    for (size_t i = 0; i < inv->nodes.count; i++)
        per[((slsec_inv_node *)inv->nodes.items[i])->kind]++;
    for (int k = 0; k <= SLSEC_INV_SERVICE; k++)
        json_object_set_new(counts, kind_plural((slsec_inv_kind)k), json_integer((json_int_t)per[k]));
    json_object_set_new(counts, "edges", json_integer((json_int_t)inv->edges.count));
    json_object_set_new(root, "counts", counts);
    json_object_set_new(root, "truncated", json_boolean(inv->truncated));
    json_t *nodes = json_array();
    for (size_t i = 0; i < inv->nodes.count; i++) {
        const slsec_inv_node *n = inv->nodes.items[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", slsec_rpt_jstr(n->id));
        json_object_set_new(o, "kind", json_string(slsec_inv_kind_name(n->kind)));
        json_object_set_new(o, "name", slsec_rpt_jstr(n->name));
        json_object_set_new(o, "type", slsec_rpt_jstr(n->subkind));
        json_object_set_new(o, "severity", n->severity >= 0 ? json_string(slsec_severity_name((slsec_severity)n->severity)) : json_null());
        json_object_set_new(o, "location", loc_json(n->loc));
        json_t *attrs = json_object();
        for (size_t k = 0; k < n->attrs.count; k++) {
            const slsec_inv_attr *x = n->attrs.items[k];
            json_object_set_new(attrs, x->key, slsec_rpt_jstr(x->value));
        }
        json_object_set_new(o, "attributes", attrs);
        if (n->kind == SLSEC_INV_ROLE)
            json_object_set_new(o, "actions", strings_json(&n->actions));
        json_array_append_new(nodes, o);
    }
    json_object_set_new(root, "nodes", nodes);
    json_t *edges = json_array();
    for (size_t i = 0; i < inv->edges.count; i++) {
        const slsec_inv_edge *e = inv->edges.items[i];
        json_t *o = json_object();
        json_object_set_new(o, "from", slsec_rpt_jstr(e->from->id));
        json_object_set_new(o, "to", slsec_rpt_jstr(e->to->id));
        json_object_set_new(o, "kind", json_string(e->kind));
        json_object_set_new(o, "actions", strings_json(&e->actions));
        json_array_append_new(edges, o);
    }
    json_object_set_new(root, "edges", edges);
    return slsec_rpt_json_dump(out, root);
}

/* DOT and Mermaid labels: cleaned to UTF-8, control bytes blanked. In DOT
 * a quoted string only ends at '"' and only escapes with '\\' (markup in it
 * is plain text: HTML-like labels are written <...>, never quoted); Mermaid
 * turns markup into HTML, so '<', '>', '#', '&' become entity codes. */
static void label_text(slsec_buf *b, const char *s, bool mermaid)
{
    slsec_buf t;
    slsec_buf_init(&t);
    slsec_rpt_utf8_clean(&t, s ? s : "");
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.data[i];
        if (c < 0x20 || c == 0x7f)
            slsec_buf_putc(b, ' ');
        else if (c == '"')
            slsec_buf_puts(b, mermaid ? "#quot;" : "\\\"");
        else if (c == '\\')
            slsec_buf_puts(b, mermaid ? "#92;" : "\\\\");
        else if (mermaid && (c == '<' || c == '>' || c == '#' || c == '&'))
            slsec_buf_printf(b, "#%d;", c);
        else
            slsec_buf_putc(b, (char)c);
    }
    slsec_buf_free(&t);
}

static const char *sev_color(int s)
{
    switch (s) {
    case SLSEC_SEV_CRITICAL: return "#b71c1c";
    case SLSEC_SEV_HIGH: return "#e65100";
    case SLSEC_SEV_MEDIUM: return "#f9a825";
    case SLSEC_SEV_LOW: return "#1565c0";
    case SLSEC_SEV_INFO: return "#607d8b";
    default: return "#2e7d32";
    }
}

static const char *dot_shape(slsec_inv_kind k)
{
    switch (k) {
    case SLSEC_INV_TRIGGER: return "cds";
    case SLSEC_INV_FUNCTION: return "box";
    case SLSEC_INV_ROLE: return "hexagon";
    case SLSEC_INV_STORE: return "cylinder";
    case SLSEC_INV_KEY: return "octagon";
    case SLSEC_INV_SERVICE: return "component";
    default: return "ellipse";
    }
}

static int write_dot(FILE *out, slsec_arena *a, const slsec_inventory *inv)
{
    inv_view v;
    slsec_inv_view(a, inv, &v);
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_puts(&b, "digraph inventory {\n  rankdir=LR;\n  node [fontname=\"sans-serif\", style=filled, fillcolor=white];\n");
    if (v.collapsed)
        slsec_buf_printf(&b, "  label=\"%zu nodes collapsed into %zu groups\";\n", inv->nodes.count, v.nboxes);
    for (size_t i = 0; i < v.nboxes; i++) {
        const inv_box *x = &v.boxes[i];
        slsec_buf_printf(&b, "  %s [shape=%s, color=\"%s\", penwidth=%d, label=\"", x->id, dot_shape(x->kind),
                         sev_color(x->severity), x->severity >= SLSEC_SEV_HIGH ? 3 : 1);
        label_text(&b, x->label, false);
        slsec_buf_printf(&b, "\\n%s\"];\n", sev_word(x->severity));
    }
    for (size_t i = 0; i < v.nlines; i++) {
        const inv_line *l = &v.lines[i];
        slsec_buf_printf(&b, "  %s -> %s [label=\"", v.boxes[l->from].id, v.boxes[l->to].id);
        label_text(&b, l->label, false);
        slsec_buf_puts(&b, "\"];\n");
    }
    slsec_buf_puts(&b, "}\n");
    return slsec_rpt_flush(out, &b);
}

static int write_mermaid(FILE *out, slsec_arena *a, const slsec_inventory *inv)
{
    inv_view v;
    slsec_inv_view(a, inv, &v);
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_puts(&b, "flowchart LR\n");
    static const char *const open[] = {"[/", "[", "{{", "[(", "((", "([", "[["};
    static const char *const close[] = {"/]", "]", "}}", ")]", "))", "])", "]]"};
    for (size_t i = 0; i < v.nboxes; i++) {
        const inv_box *x = &v.boxes[i];
        slsec_buf_printf(&b, "  %s%s\"", x->id, open[x->kind]);
        label_text(&b, x->label, true);
        slsec_buf_printf(&b, " · %s\"%s\n", sev_word(x->severity), close[x->kind]);
    }
    for (size_t i = 0; i < v.nlines; i++) {
        const inv_line *l = &v.lines[i];
        slsec_buf_printf(&b, "  %s -->|\"", v.boxes[l->from].id);
        label_text(&b, l->label, true);
        slsec_buf_printf(&b, "\"| %s\n", v.boxes[l->to].id);
    }
    static const char *const sevs[] = {"info", "low", "medium", "high", "critical"};
    for (int s = 0; s < 5; s++)
        slsec_buf_printf(&b, "  classDef %s stroke:%s,stroke-width:%dpx\n", sevs[s], sev_color(s), s >= 3 ? 3 : 1);
    for (size_t i = 0; i < v.nboxes; i++)
        if (v.boxes[i].severity >= 0)
            slsec_buf_printf(&b, "  class %s %s\n", v.boxes[i].id, sevs[v.boxes[i].severity]);
    return slsec_rpt_flush(out, &b);
}

int slsec_inventory_write(FILE *out, const char *format, const slsec_inventory *inv)
{
    if (!out || !inv || !slsec_inventory_format_known(format))
        return SLSEC_EUSAGE;
    if (strcmp(format, "json") == 0)
        return write_json(out, inv);
    slsec_arena *a = slsec_arena_new();
    int rc = strcmp(format, "dot") == 0 ? write_dot(out, a, inv) : write_mermaid(out, a, inv);
    slsec_arena_free(a);
    return rc;
}
