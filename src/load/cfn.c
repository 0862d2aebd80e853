/*
 * cfn.c — the CloudFormation/SAM front-end's core: recognising templates,
 * reading their sections, evaluating intrinsic functions and conditions,
 * and running the resource handlers (see cfn_internal.h) in three passes.
 *
 * Intrinsics are evaluated where the template alone decides the value:
 * parameters with defaults, the pseudo parameters that do not depend on the
 * account (AWS::Partition, AWS::URLSuffix, AWS::NoValue), Sub/Join/Select/
 * Split/FindInMap over literals, If on decidable conditions. Everything
 * else becomes a scalar flagged SLSEC_NF_UNKNOWN whose text is the symbolic
 * form (`${OrdersTable}`, `${AWS::Region}`), so messages stay readable and
 * rules can tell "unknown" from "absent".
 */
#include "cfn_internal.h"
#include "slsec/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- recognition ----------------------------------------------------------- */

static const void *find_bytes(const char *h, size_t hl, const char *n)
{
    return memmem(h, hl, n, strlen(n));
}

bool slsec_cfn_sniff(const char *data, size_t len)
{
    return find_bytes(data, len, "AWSTemplateFormatVersion") ||
           find_bytes(data, len, "AWS::Serverless-2016-10-31") ||
           (find_bytes(data, len, "Resources") && find_bytes(data, len, "AWS::"));
}

static bool is_sam_transform(const slsec_node *t)
{
    if (slsec_node_is_scalar(t))
        return t->str && strcmp(t->str, "AWS::Serverless-2016-10-31") == 0;
    if (slsec_node_is_seq(t))
        for (size_t i = 0; i < t->count; i++)
            if (is_sam_transform(t->items[i]))
                return true;
    return false;
}

bool slsec_cfn_is_template(const slsec_node *root)
{
    if (!slsec_node_is_map(root))
        return false;
    if (slsec_node_get(root, "AWSTemplateFormatVersion") || is_sam_transform(slsec_node_get(root, "Transform")))
        return true;
    const slsec_node *res = slsec_node_get(root, "Resources");
    if (!slsec_node_is_map(res))
        return false;
    for (size_t i = 0; i < res->count; i++) {
        const char *type = slsec_node_get_str(res->items[2 * i + 1], "Type");
        if (type && (slsec_str_has_prefix(type, "AWS::") || slsec_str_has_prefix(type, "Custom::")))
            return true;
    }
    return false;
}

/* ---- small helpers ------------------------------------------------------------ */

slsec_loc cfn_loc(cfn_ctx *c, const slsec_node *n)
{
    slsec_loc l = {c->file, 0, 0};
    if (n) {
        l.line = (int)n->line;
        l.col = (int)n->col;
    }
    return l;
}

void cfn_warn(cfn_ctx *c, const slsec_node *at, const char *fmt, ...)
{
    if (!c->warnings)
        return;
    slsec_diag d;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_diag_set(&d, SLSEC_DIAG_WARNING, c->file, at ? (int)at->line : 0, at ? (int)at->col : 0,
                   "%s", msg);
    slsec_diags_add(c->warnings, &d);
}

static slsec_node *unknown(cfn_ctx *c, const slsec_node *at, const char *text)
{
    return slsec_node_new_scalar(c->arena, at, slsec_arena_strdup(c->arena, text), SLSEC_NF_UNKNOWN);
}

static slsec_node *known(cfn_ctx *c, const slsec_node *at, const char *text)
{
    return slsec_node_new_scalar(c->arena, at, slsec_arena_strdup(c->arena, text), SLSEC_NF_QUOTED);
}

/* An untagged view of a tagged node: the argument of a short-form intrinsic. */
static const slsec_node *untagged(cfn_ctx *c, const slsec_node *n)
{
    if (!n->tag)
        return n;
    slsec_node *copy = slsec_arena_alloc(c->arena, sizeof *copy);
    *copy = *n;
    copy->tag = NULL;
    return copy;
}

/* Recognises an intrinsic in either form: {"Fn::Sub": x} or !Sub x. */
static bool intrinsic(cfn_ctx *c, const slsec_node *n, const char **fn, const slsec_node **arg)
{
    if (!n)
        return false;
    if (n->tag && n->tag[0] == '!' && n->tag[1] != '!') {
        const char *t = n->tag + 1;
        if (!strcmp(t, "Ref") || !strcmp(t, "Condition"))
            *fn = t;
        else
            *fn = slsec_arena_printf(c->arena, "Fn::%s", t);
        *arg = untagged(c, n);
        return true;
    }
    if (n->kind == SLSEC_NODE_MAP && n->count == 1) {
        const slsec_node *k = n->items[0];
        if (k->kind == SLSEC_NODE_SCALAR && (!strcmp(k->str, "Ref") || slsec_str_has_prefix(k->str, "Fn::"))) {
            *fn = k->str;
            *arg = n->items[1];
            return true;
        }
    }
    return false;
}

/* ---- intrinsic evaluation ----------------------------------------------------- */

static const slsec_node *resolve(cfn_ctx *c, const slsec_node *n);

static const slsec_node *param_default(cfn_ctx *c, const char *name)
{
    const slsec_node *p = slsec_node_get(c->parameters, name);
    if (!p)
        return NULL;
    const slsec_node *def = slsec_node_get(p, "Default");
    if (!def)
        return NULL;
    const char *type = slsec_node_get_str(p, "Type");
    if (type && slsec_node_is_scalar(def) &&
        (!strcmp(type, "CommaDelimitedList") || slsec_str_has_prefix(type, "List<"))) {
        /* List parameters take "a,b,c" and are lists wherever they are used. */
        size_t n = 1;
        for (const char *s = def->str; *s; s++)
            n += *s == ',';
        slsec_node *seq = slsec_node_new_seq(c->arena, def, n);
        const char *s = def->str;
        for (size_t i = 0; i < n; i++) {
            const char *e = strchr(s, ',');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            seq->items[i] = slsec_node_new_scalar(c->arena, def, slsec_arena_strndup(c->arena, s, len), SLSEC_NF_QUOTED);
            s = e ? e + 1 : s + len;
        }
        return seq;
    }
    return def;
}

/* The value of a name in Ref/Sub position; NULL when it is AWS::NoValue. */
static const slsec_node *ref_value(cfn_ctx *c, const slsec_node *at, const char *name)
{
    if (c->bindings) {
        const slsec_node *b = slsec_strmap_get(c->bindings, name);
        if (b)
            return b;
    }
    if (!strcmp(name, "AWS::NoValue"))
        return NULL;
    if (!strcmp(name, "AWS::Partition"))
        return known(c, at, "aws");
    if (!strcmp(name, "AWS::URLSuffix"))
        return known(c, at, "amazonaws.com");
    const slsec_node *def = param_default(c, name);
    if (def)
        return resolve(c, def);
    return unknown(c, at, slsec_arena_printf(c->arena, "${%s}", name));
}

static const char *scalar_text(const slsec_node *n)
{
    return n && n->kind == SLSEC_NODE_SCALAR ? n->str : NULL;
}

static const slsec_node *eval_sub(cfn_ctx *c, const slsec_node *at, const slsec_node *arg)
{
    const slsec_node *tmpl = arg, *vars = NULL;
    if (slsec_node_is_seq(arg) && arg->count >= 1) {
        tmpl = arg->items[0];
        vars = arg->count > 1 ? arg->items[1] : NULL;
    }
    const char *s = scalar_text(tmpl);
    if (!s)
        return unknown(c, at, "${Fn::Sub}");
    slsec_buf out;
    slsec_buf_init(&out);
    bool unk = false;
    while (*s) {
        const char *open = strstr(s, "${");
        if (!open) {
            slsec_buf_puts(&out, s);
            break;
        }
        slsec_buf_append(&out, s, (size_t)(open - s));
        const char *close = strchr(open, '}');
        if (!close) {
            slsec_buf_puts(&out, open);
            break;
        }
        if (open[2] == '!') { /* ${!Literal} is the literal text ${Literal} */
            slsec_buf_puts(&out, "${");
            slsec_buf_append(&out, open + 3, (size_t)(close - open - 3));
            slsec_buf_putc(&out, '}');
            s = close + 1;
            continue;
        }
        char *name = slsec_arena_strndup(c->arena, open + 2, (size_t)(close - open - 2));
        const slsec_node *v = NULL;
        const slsec_node *var = vars ? slsec_node_get(vars, name) : NULL;
        if (var)
            v = resolve(c, var);
        else if (!strchr(name, '.'))
            v = ref_value(c, at, name);
        const char *text = v && v->kind == SLSEC_NODE_SCALAR ? v->str : NULL;
        if (!text) {
            unk = true;
            slsec_buf_printf(&out, "${%s}", name);
        } else {
            /* An unknown value keeps its symbolic text: ${OrdersTable}. */
            unk |= (v->flags & SLSEC_NF_UNKNOWN) != 0;
            slsec_buf_puts(&out, text);
        }
        s = close + 1;
    }
    slsec_node *r = slsec_node_new_scalar(c->arena, at, slsec_arena_strndup(c->arena, out.data ? out.data : "", out.len),
                                          unk ? SLSEC_NF_UNKNOWN : SLSEC_NF_QUOTED);
    slsec_buf_free(&out);
    return r;
}

static const slsec_node *eval_join(cfn_ctx *c, const slsec_node *at, const slsec_node *arg)
{
    if (!slsec_node_is_seq(arg) || arg->count != 2)
        return unknown(c, at, "${Fn::Join}");
    const slsec_node *delim = resolve(c, arg->items[0]);
    const slsec_node *list = resolve(c, arg->items[1]);
    const char *d = scalar_text(delim);
    if (!d || !slsec_node_is_seq(list))
        return unknown(c, at, "${Fn::Join}");
    slsec_buf out;
    slsec_buf_init(&out);
    bool unk = (delim->flags & SLSEC_NF_UNKNOWN) != 0;
    for (size_t i = 0; i < list->count; i++) {
        const slsec_node *it = list->items[i];
        if (i)
            slsec_buf_puts(&out, d);
        if (it->kind != SLSEC_NODE_SCALAR) {
            unk = true;
            slsec_buf_puts(&out, "${?}");
            continue;
        }
        unk |= (it->flags & SLSEC_NF_UNKNOWN) != 0;
        slsec_buf_puts(&out, it->str);
    }
    slsec_node *r = slsec_node_new_scalar(c->arena, at, slsec_arena_strndup(c->arena, out.data ? out.data : "", out.len),
                                          unk ? SLSEC_NF_UNKNOWN : SLSEC_NF_QUOTED);
    slsec_buf_free(&out);
    return r;
}

static const slsec_node *eval_select(cfn_ctx *c, const slsec_node *at, const slsec_node *arg)
{
    if (!slsec_node_is_seq(arg) || arg->count != 2)
        return unknown(c, at, "${Fn::Select}");
    long idx;
    const slsec_node *list = resolve(c, arg->items[1]);
    if (!slsec_node_long(resolve(c, arg->items[0]), &idx) || !slsec_node_is_seq(list) || idx < 0 ||
        (size_t)idx >= list->count)
        return unknown(c, at, "${Fn::Select}");
    return list->items[idx];
}

static const slsec_node *eval_split(cfn_ctx *c, const slsec_node *at, const slsec_node *arg)
{
    if (!slsec_node_is_seq(arg) || arg->count != 2)
        return unknown(c, at, "${Fn::Split}");
    const char *d = slsec_node_str(resolve(c, arg->items[0]));
    const char *s = slsec_node_str(resolve(c, arg->items[1]));
    if (!d || !*d || !s)
        return unknown(c, at, "${Fn::Split}");
    size_t n = 1, dl = strlen(d);
    for (const char *p = strstr(s, d); p; p = strstr(p + dl, d))
        n++;
    slsec_node *seq = slsec_node_new_seq(c->arena, at, n);
    for (size_t i = 0; i < n; i++) {
        const char *e = strstr(s, d);
        size_t len = e ? (size_t)(e - s) : strlen(s);
        seq->items[i] = known(c, at, slsec_arena_strndup(c->arena, s, len));
        s = e ? e + dl : s + len;
    }
    return seq;
}

static const slsec_node *eval_find_in_map(cfn_ctx *c, const slsec_node *at, const slsec_node *arg)
{
    if (!slsec_node_is_seq(arg) || arg->count < 3)
        return unknown(c, at, "${Fn::FindInMap}");
    const char *keys[3];
    for (int i = 0; i < 3; i++) {
        keys[i] = slsec_node_str(resolve(c, arg->items[i]));
        if (!keys[i])
            return unknown(c, at, "${Fn::FindInMap}");
    }
    const slsec_node *v = slsec_node_get(slsec_node_get(slsec_node_get(c->mappings, keys[0]), keys[1]), keys[2]);
    if (v)
        return resolve(c, v);
    if (arg->count == 4) { /* DefaultValue, the language extension's fourth argument */
        const slsec_node *opt = arg->items[3];
        const slsec_node *def = slsec_node_get(opt, "DefaultValue");
        if (def)
            return resolve(c, def);
    }
    return unknown(c, at, slsec_arena_printf(c->arena, "${%s.%s.%s}", keys[0], keys[1], keys[2]));
}

static slsec_tri eval_condition_expr(cfn_ctx *c, const slsec_node *n);

static const slsec_node *eval_if(cfn_ctx *c, const slsec_node *at, const slsec_node *arg)
{
    if (!slsec_node_is_seq(arg) || arg->count != 3)
        return unknown(c, at, "${Fn::If}");
    const char *cond = scalar_text(arg->items[0]);
    slsec_tri t = cond ? cfn_condition(c, cond) : SLSEC_UNKNOWN;
    if (t == SLSEC_YES)
        return resolve(c, arg->items[1]);
    if (t == SLSEC_NO)
        return resolve(c, arg->items[2]);
    return unknown(c, at, slsec_arena_printf(c->arena, "${If:%s}", cond ? cond : "?"));
}

static const slsec_node *eval_intrinsic(cfn_ctx *c, const slsec_node *at, const char *fn, const slsec_node *arg)
{
    if (!strcmp(fn, "Ref")) {
        const char *name = scalar_text(arg);
        return name ? ref_value(c, at, name) : unknown(c, at, "${Ref}");
    }
    if (!strcmp(fn, "Fn::GetAtt")) {
        const char *s = scalar_text(arg);
        if (!s && slsec_node_is_seq(arg) && arg->count == 2 && scalar_text(arg->items[0]) && scalar_text(arg->items[1]))
            s = slsec_arena_printf(c->arena, "%s.%s", arg->items[0]->str, arg->items[1]->str);
        return unknown(c, at, slsec_arena_printf(c->arena, "${%s}", s ? s : "Fn::GetAtt"));
    }
    if (!strcmp(fn, "Fn::Sub"))
        return eval_sub(c, at, arg);
    if (!strcmp(fn, "Fn::Join"))
        return eval_join(c, at, arg);
    if (!strcmp(fn, "Fn::Select"))
        return eval_select(c, at, arg);
    if (!strcmp(fn, "Fn::Split"))
        return eval_split(c, at, arg);
    if (!strcmp(fn, "Fn::FindInMap"))
        return eval_find_in_map(c, at, arg);
    if (!strcmp(fn, "Fn::If"))
        return eval_if(c, at, arg);
    if (!strcmp(fn, "Fn::Base64"))
        return resolve(c, arg);
    if (!strcmp(fn, "Fn::Equals") || !strcmp(fn, "Fn::Not") || !strcmp(fn, "Fn::And") || !strcmp(fn, "Fn::Or")) {
        slsec_node tmp = *at;
        (void)tmp;
        const char *f = fn;
        slsec_node *wrapped = slsec_node_new_map(c->arena, at, 1);
        wrapped->items[0] = known(c, at, f);
        wrapped->items[1] = (slsec_node *)arg;
        slsec_tri t = eval_condition_expr(c, wrapped);
        return t == SLSEC_UNKNOWN ? unknown(c, at, "${Condition}") : known(c, at, t == SLSEC_YES ? "true" : "false");
    }
    if (!strcmp(fn, "Fn::ImportValue")) {
        const char *s = slsec_node_str(resolve(c, arg));
        return unknown(c, at, slsec_arena_printf(c->arena, "${ImportValue:%s}", s ? s : "?"));
    }
    /* GetAZs, Cidr, Transform, Length, ToJsonString, ...: deploy-time values. */
    return unknown(c, at, slsec_arena_printf(c->arena, "${%s}", fn));
}

static const slsec_node *resolve(cfn_ctx *c, const slsec_node *n)
{
    if (!n)
        return NULL;
    const char *fn;
    const slsec_node *arg;
    if (intrinsic(c, n, &fn, &arg)) {
        if (!strcmp(fn, "Condition"))
            return n; /* only meaningful inside Conditions and Fn::If */
        if (c->depth >= SLSEC_MAX_INTRINSIC_DEPTH)
            return unknown(c, n, "${too deep}");
        c->depth++;
        const slsec_node *r = eval_intrinsic(c, n, fn, arg);
        c->depth--;
        return r;
    }
    if (n->kind == SLSEC_NODE_SCALAR)
        return n;
    if (c->depth >= SLSEC_MAX_DEPTH + SLSEC_MAX_INTRINSIC_DEPTH)
        return unknown(c, n, "${too deep}");
    c->depth++;
    bool map = n->kind == SLSEC_NODE_MAP;
    size_t slots = map ? 2 * n->count : n->count;
    const slsec_node **out = NULL;
    size_t kept = 0;
    bool changed = false;
    for (size_t i = 0; i < slots; i += map ? 2 : 1) {
        const slsec_node *v = map ? n->items[i + 1] : n->items[i];
        const slsec_node *r = resolve(c, v);
        if (r != v || !r) {
            if (!changed) {
                out = slsec_arena_alloc(c->arena, (slots ? slots : 1) * sizeof *out);
                for (size_t j = 0; j < i; j++)
                    out[j] = n->items[j];
                kept = i;
                changed = true;
            }
        }
        if (changed && r) {
            if (map)
                out[kept++] = n->items[i];
            out[kept++] = r;
        }
    }
    c->depth--;
    if (!changed)
        return n;
    slsec_node *copy = map ? slsec_node_new_map(c->arena, n, kept / 2) : slsec_node_new_seq(c->arena, n, kept);
    memcpy(copy->items, out, kept * sizeof *out);
    copy->tag = n->tag;
    return copy;
}

const slsec_node *cfn_resolve(cfn_ctx *c, const slsec_node *n) { return resolve(c, n); }

/* ---- conditions ------------------------------------------------------------- */

static slsec_tri tri_not(slsec_tri t) { return t == SLSEC_UNKNOWN ? t : (t == SLSEC_YES ? SLSEC_NO : SLSEC_YES); }

static slsec_tri eval_condition_expr(cfn_ctx *c, const slsec_node *n)
{
    const char *fn;
    const slsec_node *arg;
    if (!intrinsic(c, n, &fn, &arg)) {
        if (slsec_node_is_map(n) && n->count == 1 && !strcmp(n->items[0]->str, "Condition"))
            return scalar_text(n->items[1]) ? cfn_condition(c, n->items[1]->str) : SLSEC_UNKNOWN;
        bool b;
        return slsec_node_bool(n, &b) ? (b ? SLSEC_YES : SLSEC_NO) : SLSEC_UNKNOWN;
    }
    if (c->depth >= SLSEC_MAX_INTRINSIC_DEPTH)
        return SLSEC_UNKNOWN;
    c->depth++;
    slsec_tri r = SLSEC_UNKNOWN;
    if (!strcmp(fn, "Condition")) {
        r = scalar_text(arg) ? cfn_condition(c, arg->str) : SLSEC_UNKNOWN;
    } else if (!strcmp(fn, "Fn::Equals") && slsec_node_is_seq(arg) && arg->count == 2) {
        const slsec_node *a = resolve(c, arg->items[0]), *b = resolve(c, arg->items[1]);
        if (slsec_node_is_scalar(a) && slsec_node_is_scalar(b) && !((a->flags | b->flags) & SLSEC_NF_UNKNOWN))
            r = strcmp(a->str, b->str) == 0 ? SLSEC_YES : SLSEC_NO;
    } else if (!strcmp(fn, "Fn::Not") && slsec_node_is_seq(arg) && arg->count == 1) {
        r = tri_not(eval_condition_expr(c, arg->items[0]));
    } else if ((!strcmp(fn, "Fn::And") || !strcmp(fn, "Fn::Or")) && slsec_node_is_seq(arg)) {
        bool is_and = fn[4] == 'A';
        r = is_and ? SLSEC_YES : SLSEC_NO;
        for (size_t i = 0; i < arg->count; i++) {
            slsec_tri t = eval_condition_expr(c, arg->items[i]);
            if (is_and && t == SLSEC_NO)
                r = SLSEC_NO;
            else if (!is_and && t == SLSEC_YES)
                r = SLSEC_YES;
            else if (t == SLSEC_UNKNOWN && r != (is_and ? SLSEC_NO : SLSEC_YES))
                r = SLSEC_UNKNOWN;
        }
    }
    c->depth--;
    return r;
}

slsec_tri cfn_condition(cfn_ctx *c, const char *name)
{
    void *cached = slsec_strmap_get(c->condition_cache, name);
    if (cached)
        return (slsec_tri)((uintptr_t)cached - 1);
    if (slsec_strmap_get(c->condition_busy, name))
        return SLSEC_UNKNOWN; /* a cycle: CloudFormation rejects these */
    const slsec_node *expr = slsec_node_get(c->conditions, name);
    if (!expr)
        return SLSEC_UNKNOWN;
    slsec_strmap_put(c->condition_busy, name, (void *)1);
    slsec_tri t = eval_condition_expr(c, expr);
    slsec_strmap_put(c->condition_busy, name, NULL);
    slsec_strmap_put(c->condition_cache, name, (void *)(uintptr_t)(t + 1));
    return t;
}

/* ---- properties ------------------------------------------------------------- */

static const char *sam_globals_kind(const char *type)
{
    static const struct { const char *type, *kind; } kinds[] = {
        {"AWS::Serverless::Function", "Function"}, {"AWS::Serverless::Api", "Api"},
        {"AWS::Serverless::HttpApi", "HttpApi"},   {"AWS::Serverless::SimpleTable", "SimpleTable"},
        {"AWS::Serverless::LayerVersion", "LayerVersion"}, {"AWS::Serverless::StateMachine", "StateMachine"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(type, kinds[i].type))
            return kinds[i].kind;
    return NULL;
}

const slsec_node *cfn_sam_globals(cfn_ctx *c, const char *kind)
{
    return slsec_node_get(c->globals, kind);
}

/* SAM's merge of Globals into a resource: maps merge key by key (the
 * resource wins), lists add up (globals first), scalars are replaced. */
static const slsec_node *sam_merge(cfn_ctx *c, const slsec_node *global, const slsec_node *local)
{
    if (!global)
        return local;
    if (!local)
        return global;
    if (slsec_node_is_map(global) && slsec_node_is_map(local) && !global->tag && !local->tag) {
        const char *fn;
        const slsec_node *arg;
        if (intrinsic(c, global, &fn, &arg) || intrinsic(c, local, &fn, &arg))
            return local;
        size_t n = local->count;
        for (size_t i = 0; i < global->count; i++)
            if (!slsec_node_get(local, global->items[2 * i]->str))
                n++;
        slsec_node *m = slsec_node_new_map(c->arena, local, n);
        size_t k = 0;
        for (size_t i = 0; i < global->count; i++) {
            const slsec_node *key = global->items[2 * i];
            const slsec_node *lv = slsec_node_get(local, key->str);
            m->items[k++] = (slsec_node *)key;
            m->items[k++] = (slsec_node *)sam_merge(c, global->items[2 * i + 1], lv);
        }
        for (size_t i = 0; i < local->count; i++) {
            const slsec_node *key = local->items[2 * i];
            if (slsec_node_get(global, key->str))
                continue;
            m->items[k++] = (slsec_node *)key;
            m->items[k++] = local->items[2 * i + 1];
        }
        return m;
    }
    if (slsec_node_is_seq(global) && slsec_node_is_seq(local) && !global->tag && !local->tag) {
        slsec_node *s = slsec_node_new_seq(c->arena, local, global->count + local->count);
        memcpy(s->items, global->items, global->count * sizeof *s->items);
        memcpy(s->items + global->count, local->items, local->count * sizeof *s->items);
        return s;
    }
    return local;
}

const slsec_node *cfn_prop_raw(const slsec_resource *r, const char *key)
{
    return slsec_node_get(r->props, key);
}

/* IgnoreGlobals: '*' or a list of property names kept out of the merge. */
static bool ignores_global(const slsec_resource *r, const char *key)
{
    const slsec_node *ig = slsec_node_get(r->body, "IgnoreGlobals");
    if (!ig)
        return false;
    if (slsec_node_is_scalar(ig))
        return strcmp(ig->str, "*") == 0 || strcmp(ig->str, key) == 0;
    for (size_t i = 0; slsec_node_is_seq(ig) && i < ig->count; i++)
        if (slsec_node_is_scalar(ig->items[i]) && strcmp(ig->items[i]->str, key) == 0)
            return true;
    return false;
}

static const slsec_node *prop_merged(cfn_ctx *c, const slsec_resource *r, const char *key)
{
    const slsec_node *local = slsec_node_get(r->props, key);
    const char *kind = c->sam ? sam_globals_kind(r->type) : NULL;
    if (!kind || ignores_global(r, key))
        return local;
    return sam_merge(c, slsec_node_get(cfn_sam_globals(c, kind), key), local);
}

const slsec_node *cfn_prop(cfn_ctx *c, const slsec_resource *r, const char *key)
{
    return resolve(c, prop_merged(c, r, key));
}

const char *cfn_prop_str(cfn_ctx *c, const slsec_resource *r, const char *key)
{
    return slsec_node_str(cfn_prop(c, r, key));
}

slsec_tri cfn_tri(const slsec_node *n, slsec_tri absent)
{
    if (!n || (n->flags & SLSEC_NF_NULL))
        return absent;
    if (n->flags & SLSEC_NF_UNKNOWN)
        return SLSEC_UNKNOWN;
    bool b;
    if (slsec_node_bool(n, &b))
        return b ? SLSEC_YES : SLSEC_NO;
    return SLSEC_UNKNOWN;
}

long cfn_num(const slsec_node *n)
{
    if (!n || (n->flags & SLSEC_NF_NULL))
        return SLSEC_NUM_UNSET;
    long v;
    if (!(n->flags & SLSEC_NF_UNKNOWN) && slsec_node_long(n, &v))
        return v;
    return SLSEC_NUM_UNKNOWN;
}

const char *cfn_ref_target(cfn_ctx *c, const slsec_node *raw)
{
    const char *fn;
    const slsec_node *arg;
    if (!intrinsic(c, raw, &fn, &arg))
        return NULL;
    char *name = NULL;
    if (!strcmp(fn, "Ref")) {
        name = (char *)scalar_text(arg);
    } else if (!strcmp(fn, "Fn::GetAtt")) {
        const char *s = scalar_text(arg);
        if (s) {
            const char *dot = strchr(s, '.');
            name = dot ? slsec_arena_strndup(c->arena, s, (size_t)(dot - s)) : (char *)s;
        } else if (slsec_node_is_seq(arg) && arg->count >= 1) {
            name = (char *)scalar_text(arg->items[0]);
        }
    } else if (!strcmp(fn, "Fn::Sub")) {
        /* "${X}" or "${X.Arn}" alone, or an ARN built around one resource:
         * the first ${...} naming a resource of this template. */
        const char *s = scalar_text(slsec_node_is_seq(arg) && arg->count ? arg->items[0] : arg);
        for (const char *p = s ? strstr(s, "${") : NULL; p; p = strstr(p + 2, "${")) {
            const char *e = strchr(p, '}');
            if (!e)
                break;
            size_t len = (size_t)(e - p - 2);
            const char *dot = memchr(p + 2, '.', len);
            if (dot)
                len = (size_t)(dot - p - 2);
            char *cand = slsec_arena_strndup(c->arena, p + 2, len);
            if (slsec_strmap_get(c->resources, cand))
                return cand;
        }
        return NULL;
    }
    if (name && slsec_strmap_get(c->resources, name))
        return name;
    return NULL;
}

/* ---- lookups and triggers ---------------------------------------------------- */

slsec_function *cfn_function_by_ref(cfn_ctx *c, const slsec_node *raw)
{
    const char *id = cfn_ref_target(c, raw);
    if (!id) {
        /* FunctionName: plain logical id in some hand-written templates. */
        const char *s = slsec_node_str(raw);
        if (s)
            return slsec_strmap_get(c->functions, s);
        return NULL;
    }
    return slsec_strmap_get(c->functions, id);
}

slsec_store *cfn_store_by_ref(cfn_ctx *c, const slsec_node *raw)
{
    const char *id = cfn_ref_target(c, raw);
    return id ? slsec_strmap_get(c->stores, id) : NULL;
}

slsec_trigger *cfn_add_trigger(cfn_ctx *c, slsec_function *fn, slsec_trigger_kind kind, const char *name,
                               const slsec_node *at, const char *source_id)
{
    slsec_trigger *t = slsec_arena_alloc(c->arena, sizeof *t);
    t->kind = kind;
    t->name = name;
    t->loc = cfn_loc(c, at);
    t->function = fn;
    t->source_id = source_id;
    slsec_ptrvec_push(c->arena, &fn->triggers, t);
    return t;
}

/* ---- loading ------------------------------------------------------------------ */

static void read_ignores(cfn_ctx *c, slsec_resource *r)
{
    const slsec_node *list = slsec_node_get(slsec_node_get(r->metadata, "slsec"), "ignore");
    if (!list)
        return;
    if (!slsec_node_is_seq(list)) {
        cfn_warn(c, list, "%s: Metadata.slsec.ignore must be a list of {id, reason}", r->id);
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        const slsec_node *e = list->items[i];
        slsec_ignore *ig = slsec_arena_alloc(c->arena, sizeof *ig);
        ig->loc = cfn_loc(c, e);
        if (slsec_node_is_scalar(e)) {
            ig->rule_id = slsec_node_str(e);
        } else {
            ig->rule_id = slsec_node_get_str(e, "id");
            const char *reason = slsec_node_get_str(e, "reason");
            ig->reason = reason && *reason ? reason : NULL;
        }
        if (!ig->rule_id) {
            cfn_warn(c, e, "%s: Metadata.slsec.ignore entry without an id", r->id);
            continue;
        }
        slsec_ptrvec_push(c->arena, &r->ignores, ig);
    }
}

typedef struct handler_list {
    const cfn_type_handler *items[8];
    size_t count;
} handler_list;

static slsec_strmap *handler_index(slsec_arena *a)
{
    slsec_strmap *m = slsec_strmap_new(a);
#define INDEX(name)                                                             \
    for (size_t i = 0; i < cfn_##name##_handlers_count; i++) {                  \
        const cfn_type_handler *h = &cfn_##name##_handlers[i];                  \
        handler_list *l = slsec_strmap_get(m, h->type);                         \
        if (!l) {                                                               \
            l = slsec_arena_alloc(a, sizeof *l);                                \
            slsec_strmap_put(m, h->type, l);                                    \
        }                                                                       \
        if (l->count < sizeof l->items / sizeof l->items[0])                    \
            l->items[l->count++] = h;                                           \
    }
    CFN_HANDLER_TABLES(INDEX)
#undef INDEX
    return m;
}

int slsec_load_cfn(slsec_app *app, const slsec_doc *doc, const char *relpath, slsec_diags *warnings,
                   slsec_diag *err)
{
    const slsec_node *root = doc->root;
    if (!slsec_cfn_is_template(root)) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, root ? (int)root->line : 1, root ? (int)root->col : 1,
                       "not a CloudFormation or SAM template (no AWSTemplateFormatVersion, SAM "
                       "Transform or Resources with AWS:: types)");
        return SLSEC_ENOTTEMPLATE;
    }
    const slsec_node *resources = slsec_node_get(root, "Resources");
    if (!slsec_node_is_map(resources)) {
        const slsec_node *at = resources ? resources : root;
        const char *found = !resources ? "nothing" : resources->kind == SLSEC_NODE_SEQ ? "a list" : "a scalar";
        slsec_diag_set(err, SLSEC_DIAG_ERROR, relpath, (int)at->line, (int)at->col,
                       "Resources must be a mapping of logical ids to resources, found %s", found);
        return SLSEC_ESTRUCTURE;
    }

    slsec_arena *a = app->arena;
    cfn_ctx ctx = {0}, *c = &ctx;
    c->app = app;
    c->arena = a;
    c->file = relpath;
    c->root = root;
    c->parameters = slsec_node_get(root, "Parameters");
    c->mappings = slsec_node_get(root, "Mappings");
    c->conditions = slsec_node_get(root, "Conditions");
    c->globals = slsec_node_get(root, "Globals");
    c->sam = is_sam_transform(slsec_node_get(root, "Transform"));
    c->warnings = warnings;
    c->resources = slsec_strmap_new(a);
    c->functions = slsec_strmap_new(a);
    c->roles = slsec_strmap_new(a);
    c->apis = slsec_strmap_new(a);
    c->stores = slsec_strmap_new(a);
    c->security_groups = slsec_strmap_new(a);
    c->policies = slsec_strmap_new(a);
    c->condition_cache = slsec_strmap_new(a);
    c->condition_busy = slsec_strmap_new(a);

    slsec_template *t = slsec_arena_alloc(a, sizeof *t);
    t->file = relpath;
    t->format = c->sam ? "sam" : "cloudformation";
    slsec_ptrvec_push(a, &app->templates, t);

    slsec_strmap *handlers = handler_index(a);
    slsec_ptrvec mine = {0}, mine_handlers = {0};
    for (size_t i = 0; i < resources->count; i++) {
        const slsec_node *key = resources->items[2 * i], *body = resources->items[2 * i + 1];
        if (key->kind != SLSEC_NODE_SCALAR || !key->str[0]) {
            cfn_warn(c, key, "resource with an empty or non-scalar logical id skipped");
            continue;
        }
        const char *type = slsec_node_get_str(body, "Type");
        if (!slsec_node_is_map(body) || !type) {
            cfn_warn(c, key, "resource %s has no Type; skipped", key->str);
            continue;
        }
        slsec_resource *r = slsec_arena_alloc(a, sizeof *r);
        r->id = key->str;
        r->type = type;
        r->loc = cfn_loc(c, key);
        r->props = slsec_node_get(body, "Properties");
        r->metadata = slsec_node_get(body, "Metadata");
        r->body = body;
        if (slsec_str_has_prefix(type, "AWS::Serverless::"))
            c->sam = true; /* SAM's own tests omit the Transform line; SAM still applies */
        r->condition = slsec_node_get_str(body, "Condition");
        handler_list *l = slsec_strmap_get(handlers, type);
        r->known_type = l != NULL;
        if (r->props && !slsec_node_is_map(r->props)) {
            cfn_warn(c, r->props, "%s: Properties must be a mapping; ignored", r->id);
            r->props = NULL;
        }
        read_ignores(c, r);
        if (slsec_strmap_get(c->resources, r->id))
            cfn_warn(c, key, "duplicate logical id %s", r->id);
        slsec_strmap_put(c->resources, r->id, r);
        slsec_strmap_put(app->by_id, slsec_arena_printf(a, "%s\x1f%s", relpath, r->id), r);
        slsec_ptrvec_push(a, &app->resources, r);
        slsec_ptrvec_push(a, &mine, r);
        slsec_ptrvec_push(a, &mine_handlers, l); /* looked up once, used by every pass */
        t->resources++;
        if (!r->known_type) {
            t->unknown_resources++;
            app->unknown_resources++;
        }
    }

    for (int pass = 0; pass < CFN_PASS_COUNT; pass++) {
        for (size_t i = 0; i < mine.count; i++) {
            slsec_resource *r = mine.items[i];
            const handler_list *l = mine_handlers.items[i];
            for (size_t k = 0; l && k < l->count; k++)
                if (l->items[k]->pass[pass])
                    l->items[k]->pass[pass](c, r);
        }
    }
    return SLSEC_OK;
}
