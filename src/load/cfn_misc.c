/*
 * cfn_misc.c — identity and event plumbing around the functions: Cognito
 * user pools and identity pools, and EventBridge bus policies.
 *
 * User pools record what AWS applies: MfaConfiguration defaults to OFF,
 * AdvancedSecurityMode to OFF, and a pool without PasswordPolicy gets
 * Cognito's default policy (8 characters, upper, lower, numbers and
 * symbols required), so only what the template weakens is reported.
 *
 * Bus policies come in three shapes: an EventBus's Policy (a whole
 * document), an EventBusPolicy's Statement (one statement), and the legacy
 * EventBusPolicy properties (Principal, Action, Condition {Type, Key,
 * Value}), which become one Allow statement. A legacy Condition always
 * narrows the principal (to an organisation), so it counts as restricting.
 */
#include "cfn_internal.h"

#include <string.h>

/* ---- Cognito ---------------------------------------------------------------------- */

/* A scalar property with a default when absent; NULL when unknowable. */
static const char *text_or_default(cfn_ctx *c, const slsec_resource *r, const slsec_node *conf, const char *key,
                                   const char *dflt)
{
    const slsec_node *v = conf ? slsec_node_get(conf, key) : cfn_prop(c, r, key);
    if (!v || (v->flags & SLSEC_NF_NULL))
        return dflt;
    return slsec_node_str(v);
}

static void user_pool_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_user_pool *p = slsec_arena_alloc(c->arena, sizeof *p);
    p->id = r->id;
    p->loc = r->loc;
    p->resource = r;
    p->mfa = text_or_default(c, r, NULL, "MfaConfiguration", "OFF");
    const slsec_node *mk = slsec_node_get_key(r->props, "MfaConfiguration");
    p->mfa_loc = mk ? cfn_loc(c, mk) : r->loc;

    p->min_length = SLSEC_NUM_UNSET;
    p->require_upper = p->require_lower = p->require_numbers = p->require_symbols = SLSEC_YES;
    p->password_loc = r->loc;
    const slsec_node *pol = slsec_node_get(cfn_prop(c, r, "Policies"), "PasswordPolicy");
    if (pol && !slsec_node_is_map(pol)) {
        p->min_length = SLSEC_NUM_UNKNOWN;
        p->require_upper = p->require_lower = p->require_numbers = p->require_symbols = SLSEC_UNKNOWN;
    } else if (pol) {
        /* Inside a PasswordPolicy, an omitted requirement is false. */
        p->min_length = cfn_num(slsec_node_get(pol, "MinimumLength"));
        p->require_upper = cfn_tri(slsec_node_get(pol, "RequireUppercase"), SLSEC_NO);
        p->require_lower = cfn_tri(slsec_node_get(pol, "RequireLowercase"), SLSEC_NO);
        p->require_numbers = cfn_tri(slsec_node_get(pol, "RequireNumbers"), SLSEC_NO);
        p->require_symbols = cfn_tri(slsec_node_get(pol, "RequireSymbols"), SLSEC_NO);
        const slsec_node *pk = slsec_node_get_key(cfn_prop_raw(r, "Policies"), "PasswordPolicy");
        if (pk)
            p->password_loc = cfn_loc(c, pk);
    }
    const slsec_node *addons = cfn_prop(c, r, "UserPoolAddOns");
    if (!addons)
        p->advanced_security = "OFF";
    else if (slsec_node_is_map(addons))
        p->advanced_security = text_or_default(c, r, addons, "AdvancedSecurityMode", "OFF");
    slsec_ptrvec_push(c->arena, &c->app->user_pools, p);
}

static void identity_pool_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_identity_pool *p = slsec_arena_alloc(c->arena, sizeof *p);
    p->id = r->id;
    p->loc = r->loc;
    p->unauthenticated = cfn_tri(cfn_prop(c, r, "AllowUnauthenticatedIdentities"), SLSEC_NO);
    const slsec_node *k = slsec_node_get_key(r->props, "AllowUnauthenticatedIdentities");
    p->unauth_loc = k ? cfn_loc(c, k) : r->loc;
    slsec_ptrvec_push(c->arena, &c->app->identity_pools, p);
}

/* ---- EventBridge ---------------------------------------------------------------------- */

static slsec_event_bus *new_bus_policy(cfn_ctx *c, slsec_resource *r, const char *bus)
{
    slsec_event_bus *b = slsec_arena_alloc(c->arena, sizeof *b);
    b->id = r->id;
    b->type = r->type;
    b->loc = r->loc;
    b->bus = bus;
    slsec_ptrvec_push(c->arena, &c->app->event_buses, b);
    return b;
}

static void event_bus_create(cfn_ctx *c, slsec_resource *r)
{
    const slsec_node *pol = cfn_prop_raw(r, "Policy");
    if (!pol)
        return;
    slsec_event_bus *b = new_bus_policy(c, r, r->id);
    cfn_policy_document(c, pol, &b->policy);
}

/* The legacy form: Principal (an account id or "*"), Action, Condition. */
static void legacy_statement(cfn_ctx *c, slsec_resource *r, slsec_event_bus *b)
{
    const slsec_node *principal = cfn_prop(c, r, "Principal");
    if (!principal)
        return;
    slsec_statement *st = slsec_arena_alloc(c->arena, sizeof *st);
    st->loc = cfn_loc(c, cfn_prop_raw(r, "Principal"));
    st->allow = true;
    st->sid = cfn_prop_str(c, r, "StatementId");
    const char *p = slsec_node_str(principal);
    if (p) {
        st->principal_any = strcmp(p, "*") == 0;
        slsec_ptrvec_push(c->arena, &st->principals, (void *)slsec_arena_printf(c->arena, "AWS:%s", p));
    }
    const slsec_node *action = cfn_prop(c, r, "Action");
    if (action)
        slsec_ptrvec_push(c->arena, &st->actions, (void *)action);
    st->condition = cfn_prop(c, r, "Condition");
    slsec_ptrvec_push(c->arena, &b->policy, st);
}

static void event_bus_policy_link(cfn_ctx *c, slsec_resource *r)
{
    const char *bus = cfn_ref_target(c, cfn_prop_raw(r, "EventBusName"));
    if (!bus)
        bus = cfn_prop_str(c, r, "EventBusName");
    if (!bus && !cfn_prop_raw(r, "EventBusName"))
        bus = "default";
    slsec_event_bus *b = new_bus_policy(c, r, bus ? bus : "(unknown)");
    if (cfn_prop_raw(r, "Statement"))
        cfn_policy_document(c, r->props, &b->policy); /* props.Statement: one statement */
    else
        legacy_statement(c, r, b);
}

const cfn_type_handler cfn_misc_handlers[] = {
    {"AWS::Cognito::UserPool", {user_pool_create, NULL, NULL}},
    {"AWS::Cognito::IdentityPool", {identity_pool_create, NULL, NULL}},
    {"AWS::Events::EventBus", {event_bus_create, NULL, NULL}},
    {"AWS::Events::EventBusPolicy", {NULL, event_bus_policy_link, NULL}},
};
CFN_TABLE_END(misc)
