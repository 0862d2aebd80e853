/*
 * tfplan.c — the Terraform plan front-end: `terraform show -json PLANFILE`
 * output (format_version 1.x) into the application model.
 *
 * A plan is lowered to the CloudFormation template the same application
 * would be, and that template is loaded by slsec_load_cfn (see
 * tfplan_internal.h for why). This file reads the plan:
 *   - planned_values.root_module and its child_modules, recursively: every
 *     managed resource and data source with its address, values and
 *     sensitive_values mask (`values` for a state, same shape);
 *   - resource_changes[].change.after_unknown: what is known only after
 *     apply. An unknown attribute the configuration sets stays unknown in
 *     the model; one it does not set is left absent, since the provider
 *     fills it with the service default, which is what an absent
 *     CloudFormation property means too;
 *   - configuration: `expressions.X.references` name what an attribute
 *     points at ("aws_iam_role.exec.arn") even when its value is unknown;
 *     references to `var.x` follow the module call's argument into the
 *     parent, `module.m.out` the module's output into the child;
 *   - prior_state: data sources read while planning.
 * Sensitive values become unknown "(sensitive)" scalars before any rule
 * sees them, so no finding, message or evidence can carry one.
 *
 * Locations: a resource is at its object in planned_values; a property at
 * its attribute's key where the plan has one.
 */
#include "tfplan_internal.h"
#include "slsec/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* References followed through module variables and outputs at most this deep. */
#define TF_MAX_REF_DEPTH 16

/* A module of the configuration: its object and how its parent calls it. */
typedef struct tf_cmod {
    const slsec_node *module;  /* {resources, module_calls, outputs, variables} */
    const slsec_node *call;    /* the parent's module_calls entry, NULL at the root */
    slsec_strmap *resources;   /* relative address → configuration resource object */
} tf_cmod;

/* ---- recognition ----------------------------------------------------------------- */

bool slsec_tfplan_sniff(const char *data, size_t len)
{
    return memmem(data, len, "\"format_version\"", 16) &&
           (memmem(data, len, "\"planned_values\"", 16) || memmem(data, len, "\"terraform_version\"", 19));
}

bool slsec_tfplan_is_plan(const slsec_node *root)
{
    if (!slsec_node_is_map(root) || !slsec_node_get(root, "format_version"))
        return false;
    return slsec_node_get(root, "planned_values") || slsec_node_get(root, "terraform_version") ||
           slsec_node_get(root, "resource_changes") || slsec_node_get(root, "configuration");
}

/* ---- small helpers ------------------------------------------------------------------ */

static bool is_true(const slsec_node *n)
{
    bool b;
    return slsec_node_bool(n, &b) && b;
}

static bool is_null(const slsec_node *n)
{
    return !n || (n->kind == SLSEC_NODE_SCALAR && (n->flags & SLSEC_NF_NULL));
}

/* A child of a map (by key) or a list (by decimal index). */
static const slsec_node *child(const slsec_node *n, const char *seg)
{
    if (slsec_node_is_map(n))
        return slsec_node_get(n, seg);
    long i;
    if (slsec_node_is_seq(n) && slsec_parse_long(seg, &i) && i >= 0 && (size_t)i < n->count)
        return n->items[i];
    return NULL;
}

/* The key node of a map entry, for positions. */
static const slsec_node *child_key(const slsec_node *n, const char *seg)
{
    return slsec_node_is_map(n) ? slsec_node_get_key(n, seg) : NULL;
}

/* Does a mask (after_unknown, sensitive_values) hold any true below? */
static bool mask_any(const slsec_node *m, int depth)
{
    if (!m || depth > SLSEC_MAX_DEPTH)
        return false;
    if (m->kind == SLSEC_NODE_SCALAR)
        return is_true(m);
    for (size_t i = 0; i < m->count; i++)
        if (mask_any(m->kind == SLSEC_NODE_MAP ? m->items[2 * i + 1] : m->items[i], depth + 1))
            return true;
    return false;
}

static slsec_node *unknown_at(tf_ctx *t, const slsec_node *at, const char *text)
{
    return slsec_node_new_scalar(t->arena, at, text, SLSEC_NF_UNKNOWN);
}

/* A value with its unknown and sensitive parts replaced; shares every
 * subtree the masks do not touch. */
static const slsec_node *merge(tf_ctx *t, const slsec_node *v, const slsec_node *unk, const slsec_node *sens,
                               const slsec_node *at, const char *label, int depth)
{
    if (v)
        at = v;
    if (sens && sens->kind == SLSEC_NODE_SCALAR && is_true(sens))
        return unknown_at(t, at, "(sensitive)");
    if (unk && unk->kind == SLSEC_NODE_SCALAR && is_true(unk) && is_null(v))
        return unknown_at(t, at, slsec_arena_printf(t->arena, "${%s}", label));
    if (is_null(v))
        return NULL;
    if (depth > SLSEC_MAX_DEPTH || v->kind == SLSEC_NODE_SCALAR || (!mask_any(unk, 0) && !mask_any(sens, 0)))
        return v;
    if (v->kind == SLSEC_NODE_SEQ) {
        slsec_node *s = slsec_node_new_seq(t->arena, v, v->count);
        size_t k = 0;
        for (size_t i = 0; i < v->count; i++) {
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            const slsec_node *m = merge(t, v->items[i], child(unk, idx), child(sens, idx), v->items[i],
                                        slsec_arena_printf(t->arena, "%s[%zu]", label, i), depth + 1);
            if (m)
                s->items[k++] = (slsec_node *)m;
        }
        s->count = k;
        return s;
    }
    /* A map: its own keys, plus keys only the unknown mask names. */
    size_t extra = 0;
    for (size_t i = 0; slsec_node_is_map(unk) && i < unk->count; i++)
        if (is_true(unk->items[2 * i + 1]) && slsec_node_str(unk->items[2 * i]) &&
            !slsec_node_get(v, unk->items[2 * i]->str))
            extra++;
    slsec_node *m = slsec_node_new_map(t->arena, v, v->count + extra);
    size_t k = 0;
    for (size_t i = 0; i < v->count; i++) {
        const slsec_node *key = v->items[2 * i];
        const char *ks = slsec_node_str(key);
        const slsec_node *val = merge(t, v->items[2 * i + 1], ks ? child(unk, ks) : NULL, ks ? child(sens, ks) : NULL,
                                      key, slsec_arena_printf(t->arena, "%s.%s", label, ks ? ks : "?"), depth + 1);
        if (!val)
            val = slsec_node_new_scalar(t->arena, key, "", SLSEC_NF_NULL);
        m->items[2 * k] = (slsec_node *)key;
        m->items[2 * k + 1] = (slsec_node *)val;
        k++;
    }
    for (size_t i = 0; slsec_node_is_map(unk) && i < unk->count; i++) {
        const slsec_node *key = unk->items[2 * i];
        if (!is_true(unk->items[2 * i + 1]) || !slsec_node_str(key) || slsec_node_get(v, key->str))
            continue;
        m->items[2 * k] = (slsec_node *)key;
        m->items[2 * k + 1] = unknown_at(t, v, slsec_arena_printf(t->arena, "${%s.%s}", label, key->str));
        k++;
    }
    m->count = k;
    return m;
}

/* Splits "a/0/b" into segments (at most 8). */
static size_t split_path(char *buf, size_t cap, const char *path, const char **segs)
{
    snprintf(buf, cap, "%s", path);
    size_t n = 0;
    for (char *p = buf; p && *p && n < 8;) {
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

static const slsec_node *walk(const slsec_node *n, const char *const *segs, size_t count)
{
    for (size_t i = 0; n && i < count; i++)
        n = child(n, segs[i]);
    return n;
}

/* A mask along a path: `true` on an ancestor (a whole block unknown or
 * sensitive) covers everything below it. */
static const slsec_node *walk_mask(const slsec_node *m, const char *const *segs, size_t count)
{
    for (size_t i = 0; m && i < count; i++) {
        if (m->kind == SLSEC_NODE_SCALAR)
            return is_true(m) ? m : NULL;
        m = child(m, segs[i]);
    }
    return m;
}

static const slsec_node *expressions(const tf_res *r)
{
    return slsec_node_get(r->config, "expressions");
}

/* Does the configuration set this attribute (any expression at the path)? */
static bool configured(const tf_res *r, const char *const *segs, size_t count)
{
    if (!r->config)
        return true; /* no configuration to ask: keep the unknown */
    const slsec_node *e = expressions(r);
    for (size_t i = 0; e && i < count; i++) {
        if (slsec_node_is_seq(e) && !child(e, segs[i]))
            e = e->count ? e->items[0] : NULL; /* blocks: one expression object per block */
        else
            e = child(e, segs[i]);
    }
    return e != NULL;
}

const slsec_node *tf_val(tf_ctx *t, const tf_res *r, const char *path)
{
    char buf[256];
    const char *segs[8];
    size_t n = split_path(buf, sizeof buf, path, segs);
    const slsec_node *v = walk(r->values, segs, n);
    const slsec_node *unk = walk_mask(r->unknown, segs, n);
    const slsec_node *sens = walk_mask(r->sensitive, segs, n);
    const slsec_node *at = tf_at(t, r, path);
    const char *label = slsec_arena_printf(t->arena, "%s.%s", r->addr, path);
    for (char *p = (char *)label; *p; p++)
        if (*p == '/')
            *p = '.';
    const slsec_node *m = merge(t, v, unk, sens, at, label, 0);
    if (m && (m->flags & SLSEC_NF_UNKNOWN) && is_null(v) && !configured(r, segs, n))
        return NULL; /* computed by the provider: the service default */
    return m;
}

const char *tf_str(tf_ctx *t, const tf_res *r, const char *path)
{
    const slsec_node *v = tf_val(t, r, path);
    return v && v->kind == SLSEC_NODE_SCALAR ? slsec_node_str(v) : NULL;
}

const slsec_node *tf_at(tf_ctx *t, const tf_res *r, const char *path)
{
    (void)t;
    char buf[256];
    const char *segs[8];
    size_t n = split_path(buf, sizeof buf, path, segs);
    const slsec_node *at = r->node, *v = r->values;
    for (size_t i = 0; v && i < n; i++) {
        const slsec_node *k = child_key(v, segs[i]);
        if (k)
            at = k;
        v = child(v, segs[i]);
    }
    return at;
}

/* ---- building nodes ------------------------------------------------------------------- */

slsec_node *tf_scalar(tf_ctx *t, const slsec_node *at, const char *s)
{
    return slsec_node_new_scalar(t->arena, at, s, SLSEC_NF_QUOTED);
}

slsec_node *tf_ref(tf_ctx *t, const slsec_node *at, const tf_res *target)
{
    slsec_node *m = slsec_node_new_map(t->arena, at, 1);
    m->items[0] = tf_scalar(t, at, "Ref");
    m->items[1] = tf_scalar(t, at, target->iid);
    return m;
}

slsec_node *tf_getatt(tf_ctx *t, const slsec_node *at, const tf_res *target, const char *attr)
{
    slsec_node *args = slsec_node_new_seq(t->arena, at, 2);
    args->items[0] = tf_scalar(t, at, target->iid);
    args->items[1] = tf_scalar(t, at, attr);
    slsec_node *m = slsec_node_new_map(t->arena, at, 1);
    m->items[0] = tf_scalar(t, at, "Fn::GetAtt");
    m->items[1] = args;
    return m;
}

slsec_node *tf_map(tf_ctx *t, const slsec_node *at, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, at);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *))
        n += va_arg(ap, const slsec_node *) != NULL;
    va_end(ap);
    if (!n)
        return NULL;
    slsec_node *m = slsec_node_new_map(t->arena, at, n);
    size_t i = 0;
    va_start(ap, at);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        const slsec_node *v = va_arg(ap, const slsec_node *);
        if (!v)
            continue;
        m->items[2 * i] = tf_scalar(t, v, k);
        m->items[2 * i + 1] = (slsec_node *)v;
        i++;
    }
    va_end(ap);
    return m;
}

slsec_node *tf_list(tf_ctx *t, const slsec_node *at, const slsec_ptrvec *items)
{
    slsec_node *s = slsec_node_new_seq(t->arena, at, items->count);
    for (size_t i = 0; i < items->count; i++)
        s->items[i] = items->items[i];
    return s;
}

static tf_prop *prop(tf_ctx *t, tf_res *r, const char *key, const slsec_node *at)
{
    for (size_t i = 0; i < r->props.count; i++) {
        tf_prop *p = r->props.items[i];
        if (!strcmp(p->key, key))
            return p;
    }
    tf_prop *p = slsec_arena_alloc(t->arena, sizeof *p);
    p->key = key;
    p->at = at ? at : r->node;
    slsec_ptrvec_push(t->arena, &r->props, p);
    return p;
}

void tf_set(tf_ctx *t, tf_res *r, const char *key, const slsec_node *at, const slsec_node *value)
{
    if (!value)
        return;
    tf_prop *p = prop(t, r, key, at);
    p->value = value;
    p->list = false;
}

void tf_push(tf_ctx *t, tf_res *r, const char *key, const slsec_node *at, const slsec_node *item)
{
    if (!item)
        return;
    tf_prop *p = prop(t, r, key, at);
    p->list = true;
    slsec_ptrvec_push(t->arena, &p->items, (void *)item);
}

const slsec_node *tf_get(const tf_res *r, const char *key)
{
    for (size_t i = 0; i < r->props.count; i++) {
        const tf_prop *p = r->props.items[i];
        if (!strcmp(p->key, key))
            return p->list ? NULL : p->value;
    }
    return NULL;
}

/* ---- configuration and references -------------------------------------------------------- */

/* An address with every [index] removed: "module.a[0].aws_x.y[\"k\"]" → "module.a.aws_x.y". */
static char *strip_indices(tf_ctx *t, const char *addr)
{
    char *out = slsec_arena_strdup(t->arena, addr);
    char *w = out;
    int depth = 0;
    bool quoted = false;
    for (const char *p = addr; *p; p++) {
        if (depth && *p == '"' && p[-1] != '\\')
            quoted = !quoted;
        if (!quoted && *p == '[')
            depth++;
        else if (!quoted && *p == ']' && depth)
            depth--;
        else if (!depth)
            *w++ = *p;
    }
    *w = '\0';
    return out;
}

static void index_config_module(tf_ctx *t, const char *path, const slsec_node *module, const slsec_node *call,
                                int depth)
{
    if (!slsec_node_is_map(module) || depth > TF_MAX_REF_DEPTH)
        return;
    tf_cmod *m = slsec_arena_alloc(t->arena, sizeof *m);
    m->module = module;
    m->call = call;
    m->resources = slsec_strmap_new(t->arena);
    const slsec_node *rs = slsec_node_get(module, "resources");
    for (size_t i = 0; slsec_node_is_seq(rs) && i < rs->count; i++) {
        const char *a = slsec_node_get_str(rs->items[i], "address");
        if (a)
            slsec_strmap_put(m->resources, a, rs->items[i]);
    }
    slsec_strmap_put(t->modules, path, m);
    const slsec_node *calls = slsec_node_get(module, "module_calls");
    for (size_t i = 0; slsec_node_is_map(calls) && i < calls->count; i++) {
        const char *name = slsec_node_str(calls->items[2 * i]);
        const slsec_node *c = calls->items[2 * i + 1];
        if (!name)
            continue;
        const char *sub = *path ? slsec_arena_printf(t->arena, "%s.module.%s", path, name)
                                : slsec_arena_printf(t->arena, "module.%s", name);
        index_config_module(t, sub, slsec_node_get(c, "module"), c, depth + 1);
    }
}

static tf_cmod *config_module(tf_ctx *t, const char *module_addr)
{
    return slsec_strmap_get(t->modules, strip_indices(t, module_addr));
}

/* Picks the instance a reference to a resource with several means: the
 * one with the referrer's own index (for_each over the same keys), or the
 * only one. */
static tf_res *pick_instance(tf_ctx *t, const char *full, const char *from_index)
{
    tf_res *r = slsec_strmap_get(t->by_addr, full);
    if (r)
        return r;
    slsec_ptrvec *list = slsec_strmap_get(t->by_base, strip_indices(t, full));
    if (!list || !list->count)
        return NULL;
    if (list->count == 1)
        return list->items[0];
    for (size_t i = 0; from_index && i < list->count; i++) {
        tf_res *x = list->items[i];
        if (x->index && !strcmp(x->index, from_index))
            return x;
    }
    return NULL;
}

/* Length of a reference's resource part: "aws_x.y[0].arn" → "aws_x.y[0]". */
static size_t resource_part(const char *ref, size_t skip_dots)
{
    const char *p = ref;
    for (size_t dots = 0; *p; p++) {
        if (*p == '[') {
            const char *e = strchr(p, ']');
            if (!e)
                return strlen(ref);
            p = e;
            continue;
        }
        if (*p == '.' && ++dots > skip_dots)
            break;
    }
    return (size_t)(p - ref);
}

static tf_res *resolve_ref(tf_ctx *t, const char *module_addr, const char *ref, const char *from_index, int depth);

static tf_res *resolve_refs(tf_ctx *t, const char *module_addr, const slsec_node *expr, const char *from_index,
                            int depth)
{
    const slsec_node *refs = slsec_node_get(expr, "references");
    for (size_t i = 0; slsec_node_is_seq(refs) && i < refs->count; i++) {
        const char *s = slsec_node_str(refs->items[i]);
        tf_res *r = s ? resolve_ref(t, module_addr, s, from_index, depth + 1) : NULL;
        if (r)
            return r;
    }
    return NULL;
}

/* The parent module's address of "…module.NAME[idx]" and NAME. */
static const char *parent_module(tf_ctx *t, const char *module_addr, const char **name)
{
    const char *last = NULL;
    for (const char *p = strstr(module_addr, "module."); p; p = strstr(p + 1, "module."))
        if (p == module_addr || p[-1] == '.')
            last = p;
    if (!last)
        return NULL;
    const char *n = last + 7;
    size_t len = strcspn(n, ".[");
    *name = slsec_arena_strndup(t->arena, n, len);
    return last == module_addr ? "" : slsec_arena_strndup(t->arena, module_addr, (size_t)(last - module_addr - 1));
}

static tf_res *resolve_ref(tf_ctx *t, const char *module_addr, const char *ref, const char *from_index, int depth)
{
    if (depth > TF_MAX_REF_DEPTH)
        return NULL;
    if (slsec_str_has_prefix(ref, "var.")) {
        const char *call_name;
        const char *parent = parent_module(t, module_addr, &call_name);
        tf_cmod *m = config_module(t, module_addr);
        if (!parent || !m || !m->call)
            return NULL;
        const char *var = slsec_arena_strndup(t->arena, ref + 4, strcspn(ref + 4, ".["));
        return resolve_refs(t, parent, slsec_node_get(slsec_node_get(m->call, "expressions"), var), from_index,
                            depth);
    }
    if (slsec_str_has_prefix(ref, "module.")) {
        size_t mlen = resource_part(ref, 1); /* "module.NAME[idx]" */
        const char *out = ref[mlen] == '.' ? ref + mlen + 1 : NULL;
        if (!out)
            return NULL;
        const char *child_addr = *module_addr ? slsec_arena_printf(t->arena, "%s.%.*s", module_addr, (int)mlen, ref)
                                              : slsec_arena_strndup(t->arena, ref, mlen);
        tf_cmod *m = config_module(t, child_addr);
        const char *oname = slsec_arena_strndup(t->arena, out, strcspn(out, ".["));
        const slsec_node *o = m ? slsec_node_get(slsec_node_get(m->module, "outputs"), oname) : NULL;
        return o ? resolve_refs(t, child_addr, slsec_node_get(o, "expression"), from_index, depth) : NULL;
    }
    static const char *const not_resources[] = {"count.", "each.", "local.", "path.", "terraform.", "self."};
    for (size_t i = 0; i < sizeof not_resources / sizeof not_resources[0]; i++)
        if (slsec_str_has_prefix(ref, not_resources[i]))
            return NULL;
    size_t len = resource_part(ref, slsec_str_has_prefix(ref, "data.") ? 2 : 1);
    const char *full = *module_addr ? slsec_arena_printf(t->arena, "%s.%.*s", module_addr, (int)len, ref)
                                    : slsec_arena_strndup(t->arena, ref, len);
    return pick_instance(t, full, from_index);
}

static bool type_in(const tf_res *r, const char *const *types)
{
    for (size_t i = 0; types && types[i]; i++)
        if (!strcmp(r->type, types[i]))
            return true;
    return !types;
}

/* The expression object at a path of the configuration, blocks included. */
static const slsec_node *expression_at(const tf_res *r, const char *path)
{
    char buf[256];
    const char *segs[8];
    size_t n = split_path(buf, sizeof buf, path, segs);
    const slsec_node *e = expressions(r);
    for (size_t i = 0; e && i < n; i++) {
        if (slsec_node_is_seq(e) && !child(e, segs[i]))
            e = e->count ? e->items[0] : NULL;
        else
            e = child(e, segs[i]);
    }
    if (slsec_node_is_seq(e) && e->count == 1)
        e = e->items[0]; /* a block given as an expression list */
    return e;
}

static tf_res *by_literal(tf_ctx *t, const char *s, const char *const *types)
{
    for (size_t i = 0; s && types && types[i]; i++) {
        char key[700];
        snprintf(key, sizeof key, "%s\x1f%s", types[i], s);
        tf_res *r = slsec_strmap_get(t->by_value, key);
        if (r)
            return r;
    }
    return NULL;
}

void tf_links(tf_ctx *t, const tf_res *r, const char *path, const char *const *types, slsec_ptrvec *out)
{
    const slsec_node *refs = slsec_node_get(expression_at(r, path), "references");
    for (size_t i = 0; slsec_node_is_seq(refs) && i < refs->count; i++) {
        const char *s = slsec_node_str(refs->items[i]);
        tf_res *x = s ? resolve_ref(t, r->module, s, r->index, 0) : NULL;
        if (x && type_in(x, types) && !slsec_ptrvec_contains(out, x))
            slsec_ptrvec_push(t->arena, out, x);
    }
    const slsec_node *v = tf_val(t, r, path);
    if (slsec_node_is_scalar(v)) {
        tf_res *x = by_literal(t, slsec_node_str(v), types);
        if (x && !slsec_ptrvec_contains(out, x))
            slsec_ptrvec_push(t->arena, out, x);
    }
    for (size_t i = 0; slsec_node_is_seq(v) && i < v->count; i++) {
        tf_res *x = by_literal(t, slsec_node_str(v->items[i]), types);
        if (x && !slsec_ptrvec_contains(out, x))
            slsec_ptrvec_push(t->arena, out, x);
    }
}

tf_res *tf_link(tf_ctx *t, const tf_res *r, const char *path, const char *const *types)
{
    slsec_ptrvec all = {0};
    tf_links(t, r, path, types, &all);
    return all.count ? all.items[0] : NULL;
}

/* ---- JSON string attributes ---------------------------------------------------------------- */

/* The file name JSON strings are parsed under until relocate() places
 * their nodes in the plan. */
static const char json_string_file[] = "(JSON string)";

static void relocate(slsec_node *n, const slsec_node *at, int depth)
{
    /* A node already placed was reached through a YAML alias (the string
     * is parsed as YAML): its subtree is done, and walking it again would
     * make an alias bomb cost what its expansion costs. */
    if (!n || depth > SLSEC_MAX_DEPTH || n->file != json_string_file)
        return;
    n->file = at->file;
    n->line = at->line;
    n->col = at->col;
    size_t slots = n->kind == SLSEC_NODE_MAP ? 2 * n->count : n->kind == SLSEC_NODE_SEQ ? n->count : 0;
    for (size_t i = 0; i < slots; i++)
        relocate(n->items[i], at, depth + 1);
}

/* Parses a JSON string value; every node is placed at the attribute, since
 * positions inside the string mean nothing in the plan file. */
static const slsec_node *parse_json_value(tf_ctx *t, const tf_res *r, const slsec_node *v, const slsec_node *at,
                                          const char *what)
{
    const char *s = slsec_node_str(v);
    if (!s || v->kind != SLSEC_NODE_SCALAR)
        return v;
    if (!*s)
        return NULL;
    slsec_doc doc;
    slsec_diag d;
    if (slsec_doc_parse(t->arena, json_string_file, s, v->len, &doc, &d) != SLSEC_OK || !doc.root) {
        tf_warn(t, at, "%s: %s is not valid JSON (%s); read as unknown", r->addr, what, d.message);
        return unknown_at(t, at, slsec_arena_printf(t->arena, "${%s.%s}", r->addr, what));
    }
    /* One budget for all the strings of a plan, as for one document: a
     * plan of many alias-bomb policies costs no more than one template. */
    t->json_nodes += doc.node_count;
    if (t->json_nodes > SLSEC_MAX_DOC_NODES) {
        tf_warn(t, at, "%s: %s is beyond the %u nodes all JSON strings of a plan may hold together; read as unknown",
                r->addr, what, (unsigned)SLSEC_MAX_DOC_NODES);
        return unknown_at(t, at, slsec_arena_printf(t->arena, "${%s.%s}", r->addr, what));
    }
    relocate(doc.root, at, 0);
    return doc.root;
}

const slsec_node *tf_json(tf_ctx *t, const tf_res *r, const char *path)
{
    const slsec_node *v = tf_val(t, r, path);
    if (!v || (v->flags & SLSEC_NF_UNKNOWN))
        return v;
    return parse_json_value(t, r, v, tf_at(t, r, path), path);
}

/* ---- aws_iam_policy_document, rendered from its blocks ---------------------------------------- */

static const slsec_node *principals_of(tf_ctx *t, const slsec_node *blocks, const slsec_node *at)
{
    if (!slsec_node_is_seq(blocks) || !blocks->count)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < blocks->count; i++)
        n += slsec_node_get_str(blocks->items[i], "type") != NULL;
    if (n == 1) {
        const slsec_node *b = blocks->items[0];
        const char *type = slsec_node_get_str(b, "type");
        if (type && !strcmp(type, "*"))
            return tf_scalar(t, at, "*"); /* type "*" renders "Principal": "*" */
    }
    slsec_node *m = slsec_node_new_map(t->arena, at, n);
    size_t k = 0;
    for (size_t i = 0; i < blocks->count; i++) {
        const char *type = slsec_node_get_str(blocks->items[i], "type");
        if (!type)
            continue;
        m->items[2 * k] = tf_scalar(t, at, type);
        const slsec_node *ids = slsec_node_get(blocks->items[i], "identifiers");
        m->items[2 * k + 1] = (slsec_node *)(ids ? ids : unknown_at(t, at, "${identifiers}"));
        k++;
    }
    m->count = k;
    return m;
}

static const slsec_node *conditions_of(tf_ctx *t, const slsec_node *blocks, const slsec_node *at)
{
    if (!slsec_node_is_seq(blocks) || !blocks->count)
        return NULL;
    slsec_node *m = slsec_node_new_map(t->arena, at, blocks->count);
    size_t k = 0;
    for (size_t i = 0; i < blocks->count; i++) {
        const slsec_node *b = blocks->items[i];
        const char *test = slsec_node_get_str(b, "test");
        const char *var = slsec_node_get_str(b, "variable");
        if (!test || !var)
            continue;
        const slsec_node *vals = slsec_node_get(b, "values");
        m->items[2 * k] = tf_scalar(t, b, test);
        m->items[2 * k + 1] = tf_map(t, b, var, vals ? vals : unknown_at(t, b, "${values}"), NULL);
        k++;
    }
    m->count = k;
    return k ? m : NULL;
}

static const slsec_node *rendered_document(tf_ctx *t, const tf_res *doc, const slsec_node *at)
{
    const slsec_node *stmts = tf_val(t, doc, "statement");
    if (!slsec_node_is_seq(stmts))
        return unknown_at(t, at, slsec_arena_printf(t->arena, "${%s.json}", doc->addr));
    slsec_node *list = slsec_node_new_seq(t->arena, at, stmts->count);
    for (size_t i = 0; i < stmts->count; i++) {
        const slsec_node *s = stmts->items[i];
        const slsec_node *sat = s;
        const char *effect = slsec_node_get_str(s, "effect");
        list->items[i] = tf_map(
            t, sat, "Sid", slsec_node_get(s, "sid"), "Effect", tf_scalar(t, sat, effect ? effect : "Allow"), "Action",
            slsec_node_get(s, "actions"), "NotAction", slsec_node_get(s, "not_actions"), "Resource",
            slsec_node_get(s, "resources"), "NotResource", slsec_node_get(s, "not_resources"), "Principal",
            principals_of(t, slsec_node_get(s, "principals"), sat), "NotPrincipal",
            principals_of(t, slsec_node_get(s, "not_principals"), sat), "Condition",
            conditions_of(t, slsec_node_get(s, "condition"), sat), NULL);
    }
    return tf_map(t, at, "Version", tf_scalar(t, at, "2012-10-17"), "Statement", list, NULL);
}

static const char *const policy_doc_types[] = {"aws_iam_policy_document", NULL};

static const slsec_node *policy_from_data(tf_ctx *t, const tf_res *doc, const slsec_node *at)
{
    const slsec_node *json = tf_val(t, doc, "json");
    if (json && !(json->flags & SLSEC_NF_UNKNOWN))
        return parse_json_value(t, doc, json, at, "json");
    return rendered_document(t, doc, at);
}

const slsec_node *tf_policy(tf_ctx *t, const tf_res *r, const char *path)
{
    const slsec_node *v = tf_val(t, r, path);
    const slsec_node *at = tf_at(t, r, path);
    if (v && !(v->flags & SLSEC_NF_UNKNOWN))
        return parse_json_value(t, r, v, at, path);
    tf_res *doc = NULL;
    const slsec_node *refs = slsec_node_get(expression_at(r, path), "references");
    for (size_t i = 0; !doc && slsec_node_is_seq(refs) && i < refs->count; i++) {
        const char *s = slsec_node_str(refs->items[i]);
        tf_res *x = s ? resolve_ref(t, r->module, s, r->index, 0) : NULL;
        if (x && type_in(x, policy_doc_types))
            doc = x;
    }
    if (doc)
        return policy_from_data(t, doc, at);
    return v;
}

/* ---- reading the plan ------------------------------------------------------------------------- */

static const char *index_text(tf_ctx *t, const slsec_node *idx)
{
    if (!idx || is_null(idx))
        return NULL;
    if (idx->flags & SLSEC_NF_QUOTED)
        return slsec_arena_printf(t->arena, "\"%s\"", idx->str);
    return idx->str;
}

static void add_resource(tf_ctx *t, const slsec_node *rn, const char *module_addr, bool from_state)
{
    const char *addr = slsec_node_get_str(rn, "address");
    const char *type = slsec_node_get_str(rn, "type");
    const char *mode = slsec_node_get_str(rn, "mode");
    if (!addr || !type || !slsec_node_is_map(rn)) {
        tf_warn(t, rn, "a planned resource without address or type; skipped");
        return;
    }
    bool data = mode && !strcmp(mode, "data");
    if (from_state && !data)
        return; /* prior_state contributes the data sources read while planning */
    if (slsec_strmap_get(t->by_addr, addr))
        return; /* planned values win over prior state */
    tf_res *r = slsec_arena_alloc(t->arena, sizeof *r);
    r->addr = addr;
    r->iid = slsec_arena_strdup(t->arena, addr);
    for (char *p = r->iid; *p; p++)
        if (*p == '.')
            *p = TF_DOT;
    r->type = type;
    r->module = module_addr;
    r->index = index_text(t, slsec_node_get(rn, "index"));
    r->data = data;
    r->node = rn;
    r->values = slsec_node_get(rn, "values");
    r->sensitive = slsec_node_get(rn, "sensitive_values");
    const slsec_node *change = slsec_strmap_get(t->changes, addr);
    if (change) {
        r->unknown = slsec_node_get(change, "after_unknown");
        if (!r->sensitive)
            r->sensitive = slsec_node_get(change, "after_sensitive");
    }
    /* The configuration knows the resource by its address inside its
     * module; a module address that is not a prefix of it finds nothing. */
    tf_cmod *m = config_module(t, module_addr);
    size_t ml = strlen(module_addr);
    if (m && (!ml || (strncmp(addr, module_addr, ml) == 0 && addr[ml] == '.')))
        r->config = slsec_strmap_get(m->resources, strip_indices(t, addr + (ml ? ml + 1 : 0)));
    slsec_strmap_put(t->by_addr, addr, r);
    const char *base = strip_indices(t, addr);
    slsec_ptrvec *list = slsec_strmap_get(t->by_base, base);
    if (!list) {
        list = slsec_arena_alloc(t->arena, sizeof *list);
        slsec_strmap_put(t->by_base, base, list);
    }
    slsec_ptrvec_push(t->arena, list, r);
    slsec_ptrvec_push(t->arena, &t->res, r);
    /* Literal names, ARNs and ids, for attributes that give them as text. */
    static const char *const names[] = {"function_name", "name",       "bucket",          "arn",
                                        "id",            "invoke_arn", "root_resource_id", "url"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = slsec_node_get_str(r->values, names[i]);
        if (v && *v) {
            const char *key = slsec_arena_printf(t->arena, "%s\x1f%s", type, v);
            if (!slsec_strmap_get(t->by_value, key))
                slsec_strmap_put(t->by_value, key, r);
        }
    }
}

static void read_module(tf_ctx *t, const slsec_node *module, bool from_state, int depth)
{
    if (!slsec_node_is_map(module))
        return;
    if (depth > TF_MAX_REF_DEPTH * 4) {
        tf_warn(t, module, "modules nested deeper than %d levels; the rest is skipped", TF_MAX_REF_DEPTH * 4);
        return;
    }
    const char *addr = slsec_node_get_str(module, "address");
    if (!addr)
        addr = "";
    const slsec_node *rs = slsec_node_get(module, "resources");
    for (size_t i = 0; slsec_node_is_seq(rs) && i < rs->count; i++)
        add_resource(t, rs->items[i], addr, from_state);
    const slsec_node *kids = slsec_node_get(module, "child_modules");
    for (size_t i = 0; slsec_node_is_seq(kids) && i < kids->count; i++)
        read_module(t, kids->items[i], from_state, depth + 1);
}

/* format_version "1.x" only: 0.x plans (Terraform 0.12–0.15) differ, and a
 * 2.x would be a new shape by Terraform's own versioning promise. */
static int check_version(const slsec_node *root, const char *relpath, slsec_diag *err)
{
    const slsec_node *fv = slsec_node_get(root, "format_version");
    const char *v = slsec_node_str(fv);
    if (v && v[0] == '1' && (v[1] == '\0' || v[1] == '.'))
        return SLSEC_OK;
    slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, fv ? (int)fv->line : (int)root->line,
                   fv ? (int)fv->col : (int)root->col,
                   "Terraform plan format_version %s is not supported: slsec reads format_version 1.x "
                   "(the output of `terraform show -json` from Terraform 1.0 on)",
                   v ? v : "(not a string)");
    return SLSEC_ESTRUCTURE;
}

/* ---- the synthetic template ----------------------------------------------------------------- */

static slsec_node *props_node(tf_ctx *t, const tf_res *r)
{
    slsec_node *m = slsec_node_new_map(t->arena, r->node, r->props.count);
    for (size_t i = 0; i < r->props.count; i++) {
        const tf_prop *p = r->props.items[i];
        m->items[2 * i] = tf_scalar(t, p->at, p->key);
        m->items[2 * i + 1] = p->list ? tf_list(t, p->at, &p->items) : (slsec_node *)p->value;
    }
    return m;
}

/* Is a resource a CloudFormation resource of its own (not a data source,
 * not merged into another)? */
static bool emitted_alone(const tf_res *r)
{
    const tf_type_lowering *l = r->data ? NULL : tf_lowering_find(r->type);
    return !r->data && (!l || l->cfn_type);
}

static const slsec_node *build_template(tf_ctx *t, slsec_ptrvec *emitted)
{
    for (size_t i = 0; i < t->res.count; i++) {
        tf_res *r = t->res.items[i];
        if (!emitted_alone(r))
            continue;
        /* Types nothing in slsec understands keep their Terraform type:
         * counted as unknown resources, like unknown CloudFormation types. */
        const tf_type_lowering *l = tf_lowering_find(r->type);
        if (!r->cfn_type)
            r->cfn_type = l ? l->cfn_type : r->type;
        slsec_ptrvec_push(t->arena, emitted, r);
    }
    slsec_node *resources = slsec_node_new_map(t->arena, t->root, emitted->count);
    for (size_t i = 0; i < emitted->count; i++) {
        tf_res *r = emitted->items[i];
        resources->items[2 * i] = slsec_node_new_scalar(t->arena, r->node, r->iid, SLSEC_NF_QUOTED);
        resources->items[2 * i + 1] =
            tf_map(t, r->node, "Type", tf_scalar(t, r->node, r->cfn_type), "Properties", props_node(t, r), NULL);
    }
    return tf_map(t, t->root, "AWSTemplateFormatVersion", tf_scalar(t, t->root, "2010-09-09"), "Resources",
                  resources, NULL);
}

static void restore_dots(char *s)
{
    for (; s && *s; s++)
        if (*s == TF_DOT)
            *s = '.';
}

/* After loading: real addresses and Terraform types on every object made
 * from the plan, the plan's format on its template entry. */
static void finish_model(tf_ctx *t, slsec_app *app, const slsec_ptrvec *emitted, size_t first_resource,
                         size_t first_template, size_t first_warning)
{
    for (size_t i = 0; i < emitted->count; i++)
        restore_dots(((tf_res *)emitted->items[i])->iid);
    for (size_t i = first_resource; i < app->resources.count; i++) {
        slsec_resource *r = app->resources.items[i];
        tf_res *x = slsec_strmap_get(t->by_addr, r->id);
        if (!x)
            continue;
        r->type = x->type;
        slsec_strmap_put(app->by_id, slsec_arena_printf(app->arena, "%s\x1f%s", t->file, r->id), r);
    }
    for (size_t i = first_template; i < app->templates.count; i++)
        ((slsec_template *)app->templates.items[i])->format = "terraform-plan";
    /* Terraform's aws_security_group removes the allow-all egress rule AWS
     * adds to a new group: egress is exactly what the plan declares. */
    for (size_t i = 0; i < app->security_groups.count; i++) {
        slsec_security_group *sg = app->security_groups.items[i];
        if (sg->resource && sg->loc.file == t->file && !strcmp(sg->resource->type, "aws_security_group"))
            sg->egress_declared = true;
    }
    for (size_t i = first_warning; t->warnings && i < t->warnings->count; i++)
        restore_dots(t->warnings->items[i].message);
    /* Provisioned concurrency is configured on a version or alias, which
     * CloudFormation's function resource has no property for. */
    static const char *const fn_types[] = {"aws_lambda_function", NULL};
    for (size_t i = 0; i < t->res.count; i++) {
        tf_res *r = t->res.items[i];
        if (strcmp(r->type, "aws_lambda_provisioned_concurrency_config") != 0)
            continue;
        tf_res *target = tf_link(t, r, "function_name", fn_types);
        const slsec_node *n = tf_val(t, r, "provisioned_concurrent_executions");
        long count;
        for (size_t k = 0; target && k < app->functions.count; k++) {
            slsec_function *fn = app->functions.items[k];
            if (fn->resource && !strcmp(fn->id, target->addr))
                fn->provisioned_concurrency =
                    slsec_node_long(n, &count) ? count : n ? SLSEC_NUM_UNKNOWN : fn->provisioned_concurrency;
        }
    }
}

int slsec_load_tfplan(slsec_app *app, const slsec_doc *doc, const char *relpath, slsec_diags *warnings,
                      slsec_diag *err)
{
    const slsec_node *root = doc->root;
    if (!slsec_node_is_map(root)) {
        const char *found = !root ? "an empty document" : root->kind == SLSEC_NODE_SEQ ? "a list" : "a scalar";
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, root ? (int)root->line : 1, root ? (int)root->col : 1,
                       "a Terraform plan (terraform show -json) must be a JSON object, found %s", found);
        return SLSEC_ESTRUCTURE;
    }
    if (!slsec_tfplan_is_plan(root)) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, (int)root->line, (int)root->col,
                       "not a Terraform plan: expected format_version and planned_values "
                       "(the output of `terraform show -json PLANFILE`)");
        return SLSEC_ENOTTEMPLATE;
    }
    int rc = check_version(root, relpath, err);
    if (rc != SLSEC_OK)
        return rc;
    const slsec_node *planned = slsec_node_get(root, "planned_values");
    if (!planned)
        planned = slsec_node_get(root, "values"); /* `terraform show -json` of a state */
    const slsec_node *rootmod = slsec_node_get(planned, "root_module");
    if (rootmod && !slsec_node_is_map(rootmod)) { /* absent: a plan with nothing in it */
        const slsec_node *at = rootmod;
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, (int)at->line, (int)at->col,
                       "planned_values.root_module must be an object of resources and child_modules");
        return SLSEC_ESTRUCTURE;
    }

    tf_ctx ctx = {0}, *t = &ctx;
    t->arena = app->arena;
    t->file = relpath;
    t->warnings = warnings;
    t->root = root;
    t->by_addr = slsec_strmap_new(t->arena);
    t->by_base = slsec_strmap_new(t->arena);
    t->by_value = slsec_strmap_new(t->arena);
    t->changes = slsec_strmap_new(t->arena);
    t->modules = slsec_strmap_new(t->arena);

    const slsec_node *changes = slsec_node_get(root, "resource_changes");
    for (size_t i = 0; slsec_node_is_seq(changes) && i < changes->count; i++) {
        const char *a = slsec_node_get_str(changes->items[i], "address");
        if (a)
            slsec_strmap_put(t->changes, a, (void *)slsec_node_get(changes->items[i], "change"));
    }
    index_config_module(t, "", slsec_node_get(slsec_node_get(root, "configuration"), "root_module"), NULL, 0);
    read_module(t, rootmod, false, 0);
    read_module(t, slsec_node_get(slsec_node_get(slsec_node_get(root, "prior_state"), "values"), "root_module"),
                true, 0);

    for (size_t i = 0; i < t->res.count; i++) {
        tf_res *r = t->res.items[i];
        const tf_type_lowering *l = r->data ? NULL : tf_lowering_find(r->type);
        if (l && l->lower)
            l->lower(t, r);
    }
    slsec_ptrvec emitted = {0};
    slsec_doc tmpl = {relpath, (slsec_node *)build_template(t, &emitted), 0};
    size_t first_resource = app->resources.count, first_template = app->templates.count;
    size_t first_warning = warnings ? warnings->count : 0;
    rc = slsec_load_cfn(app, &tmpl, relpath, warnings, err);
    finish_model(t, app, &emitted, first_resource, first_template, first_warning);
    return rc;
}
