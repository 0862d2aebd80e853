/*
 * cfn_internal.h — what the CloudFormation/SAM front-end's files share.
 *
 * cfn.c reads the template's sections, resolves intrinsic functions and
 * runs the resource handlers in three passes over the Resources:
 *   CREATE  each resource becomes its model object (function, role, api,
 *           store, security group, ...), registered by logical id;
 *   LINK    resources that point at others attach to them (policies to
 *           roles, permissions and event sources to functions, stages and
 *           methods to APIs, SAM events to triggers and routes, ...);
 *   FINISH  defaults that need the whole picture (SAM's implicit API stage,
 *           roles' function lists).
 * Handlers live by area: cfn_lambda.c, cfn_iam.c, cfn_api.c, cfn_store.c,
 * cfn_net.c; each exports one table, listed once in CFN_HANDLER_TABLES.
 *
 * Values: cfn_prop() returns a property resolved (intrinsics evaluated where
 * the template makes them knowable, SLSEC_NF_UNKNOWN scalars elsewhere,
 * NULL where absent or AWS::NoValue). cfn_prop_raw() returns it as written,
 * for following references (cfn_ref_target).
 */
#ifndef SLSEC_CFN_INTERNAL_H
#define SLSEC_CFN_INTERNAL_H

#include "slsec/load.h"
#include "slsec/model.h"

typedef struct cfn_ctx {
    slsec_app *app;
    slsec_arena *arena;
    const char *file;
    const slsec_node *root;
    const slsec_node *parameters;
    const slsec_node *mappings;
    const slsec_node *conditions;
    const slsec_node *globals;
    bool sam;
    slsec_diags *warnings;
    slsec_strmap *resources;       /* id → slsec_resource* (this template) */
    slsec_strmap *functions;       /* id → slsec_function* */
    slsec_strmap *roles;           /* id → slsec_role* */
    slsec_strmap *apis;            /* id → slsec_api* */
    slsec_strmap *stores;          /* id → slsec_store* */
    slsec_strmap *security_groups; /* id → slsec_security_group* */
    slsec_strmap *policies;        /* id → slsec_policy* (IAM::ManagedPolicy) */
    slsec_strmap *condition_cache; /* name → (void*)1 true / (void*)2 false / (void*)3 unknown */
    slsec_strmap *condition_busy;  /* cycle guard */
    int depth;                     /* intrinsic nesting, bounded */
    /* Names bound while expanding a SAM policy template: its parameters. */
    slsec_strmap *bindings;
    /* SAM's implicit APIs, created on first use. */
    slsec_api *implicit_rest_api;
    slsec_api *implicit_http_api;
    /* Physical names → stores and functions of this template, built on
     * first use after CREATE (cfn_store.c): "<kind>\x1f<name>". */
    slsec_strmap *physical_names;
} cfn_ctx;

typedef enum { CFN_PASS_CREATE, CFN_PASS_LINK, CFN_PASS_FINISH, CFN_PASS_COUNT } cfn_pass;

typedef void (*cfn_handler_fn)(cfn_ctx *c, slsec_resource *r);

typedef struct cfn_type_handler {
    const char *type;                     /* exact resource type */
    cfn_handler_fn pass[CFN_PASS_COUNT];  /* NULL where nothing to do */
} cfn_type_handler;

#define CFN_HANDLER_TABLES(X) X(lambda) X(iam) X(api) X(store) X(net) X(misc)

#define CFN_DECLARE_TABLE(name)                                \
    extern const cfn_type_handler cfn_##name##_handlers[];     \
    extern const size_t cfn_##name##_handlers_count;
CFN_HANDLER_TABLES(CFN_DECLARE_TABLE)
#undef CFN_DECLARE_TABLE

#define CFN_TABLE_END(name) \
    const size_t cfn_##name##_handlers_count = sizeof cfn_##name##_handlers / sizeof cfn_##name##_handlers[0];

/* ---- values ---------------------------------------------------------------- */

/* Resolves intrinsic functions in a value (deep). NULL for AWS::NoValue. */
const slsec_node *cfn_resolve(cfn_ctx *c, const slsec_node *n);
/* A resource property, resolved / as written. For SAM resources the
 * Globals section is already merged in (see cfn_sam_props). */
const slsec_node *cfn_prop(cfn_ctx *c, const slsec_resource *r, const char *key);
const slsec_node *cfn_prop_raw(const slsec_resource *r, const char *key);
/* Resolved scalar text of a property; NULL when absent or unknown. */
const char *cfn_prop_str(cfn_ctx *c, const slsec_resource *r, const char *key);
/* A resolved node as a tri-state: absent → `absent`, unknowable → UNKNOWN. */
slsec_tri cfn_tri(const slsec_node *resolved, slsec_tri absent);
/* A resolved node as a number: absent → SLSEC_NUM_UNSET, unknowable → SLSEC_NUM_UNKNOWN. */
long cfn_num(const slsec_node *resolved);
/* The logical id of a resource of this template that a raw value refers to
 * (Ref X, GetAtt X.Attr, Sub "${X}" or "${X.Arn}" alone), or NULL. */
const char *cfn_ref_target(cfn_ctx *c, const slsec_node *raw);
/* Evaluates a named condition: YES, NO or UNKNOWN. */
slsec_tri cfn_condition(cfn_ctx *c, const char *name);

slsec_loc cfn_loc(cfn_ctx *c, const slsec_node *n);
void cfn_warn(cfn_ctx *c, const slsec_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- SAM ------------------------------------------------------------------- */

/* The Globals section's entry for a SAM resource kind ("Function", "Api",
 * "HttpApi", "SimpleTable"), or NULL. cfn_prop() already merges it for
 * AWS::Serverless::* resources. */
const slsec_node *cfn_sam_globals(cfn_ctx *c, const char *kind);

/* ---- IAM (cfn_iam.c) --------------------------------------------------------- */

/* Reads a policy document (resolved or raw) into statements appended to out. */
void cfn_policy_document(cfn_ctx *c, const slsec_node *doc, slsec_ptrvec *out);
/* Reads a SAM `Policies:` value (a name, a list of names, templates and
 * documents) into policies appended to role. */
void cfn_sam_policies(cfn_ctx *c, slsec_role *role, const slsec_node *raw_policies);
/* The role a function's Role property points at in this template, or NULL. */
slsec_role *cfn_role_by_ref(cfn_ctx *c, const slsec_node *raw_role);

/* ---- APIs (cfn_api.c) ---------------------------------------------------------- */

/* SAM function events of type Api / HttpApi / (WebSocket not in SAM):
 * adds a route (and its trigger) to the API the event names, or to SAM's
 * implicit API, created on first use. */
void cfn_api_sam_event(cfn_ctx *c, slsec_function *fn, const char *event_name,
                       const slsec_node *event_key, const slsec_node *raw_props, slsec_api_kind kind);

/* ---- lookups ------------------------------------------------------------------- */

slsec_function *cfn_function_by_ref(cfn_ctx *c, const slsec_node *raw);
slsec_store *cfn_store_by_ref(cfn_ctx *c, const slsec_node *raw);
/* Adds a trigger to fn (arena-allocated, registered on fn->triggers). */
slsec_trigger *cfn_add_trigger(cfn_ctx *c, slsec_function *fn, slsec_trigger_kind kind,
                               const char *name, const slsec_node *at, const char *source_id);

#endif
