/*
 * tfplan_internal.h — what the Terraform plan front-end's files share.
 *
 * The front-end lowers a plan to the CloudFormation the same application
 * would be written in, then loads that through slsec_load_cfn: one model
 * filler, so the three front-ends cannot drift apart. tfplan.c reads the
 * plan (planned values, unknown and sensitive masks, configuration
 * references across modules) and builds the synthetic template;
 * tfplan_lower.c holds the per-type table saying which Terraform resource
 * becomes which CloudFormation resource and properties.
 *
 * Logical ids are the Terraform addresses with every '.' replaced by
 * TF_DOT while loading (the CloudFormation reference code splits "X.Attr"
 * at the first dot); tfplan.c restores the dots in place afterwards, so
 * every model object that shares the id string names the real address.
 */
#ifndef SLSEC_TFPLAN_INTERNAL_H
#define SLSEC_TFPLAN_INTERNAL_H

#include "slsec/load.h"

#define TF_DOT '\x01'

/* One property of a lowered resource; list properties collect items
 * contributed by several Terraform resources (attachments, rules, ...). */
typedef struct tf_prop {
    const char *key;
    const slsec_node *at; /* position of the key */
    const slsec_node *value;
    slsec_ptrvec items;   /* list properties */
    bool list;
} tf_prop;

typedef struct tf_res {
    const char *addr;   /* "module.api.aws_iam_role.exec", "aws_lambda_function.fn[\"a\"]" */
    char *iid;          /* addr with TF_DOT for '.', the logical id while loading */
    const char *type;   /* "aws_lambda_function" */
    const char *module; /* "module.api", "" at the root (indices kept) */
    const char *index;  /* instance key as text, or NULL */
    bool data;          /* a data source */
    const slsec_node *node;      /* the resource object in planned_values */
    const slsec_node *values;    /* its values */
    const slsec_node *unknown;   /* after_unknown mask, or NULL */
    const slsec_node *sensitive; /* sensitive_values mask, or NULL */
    const slsec_node *config;    /* the configuration's resource object, or NULL */
    const char *cfn_type;        /* what it is lowered to; NULL: merged into others */
    slsec_ptrvec props;          /* tf_prop* */
} tf_res;

typedef struct tf_ctx {
    slsec_arena *arena;
    const char *file;
    slsec_diags *warnings;
    const slsec_node *root;
    slsec_ptrvec res;        /* tf_res*, plan order (managed, then data) */
    slsec_strmap *by_addr;   /* address → tf_res* */
    slsec_strmap *by_base;   /* address without any [index] → slsec_ptrvec* of tf_res* */
    slsec_strmap *by_value;  /* "type\x1fliteral name/arn/id" → tf_res* */
    slsec_strmap *changes;   /* address → resource_changes[].change */
    slsec_strmap *modules;   /* config module path (no indices) → tf_cmod* */
    size_t json_nodes;       /* nodes of every JSON string parsed so far, expansions counted */
} tf_ctx;

/* ---- values (tfplan.c) -------------------------------------------------------- */

/* An attribute by path ("vpc_config/0/security_group_ids"): the planned
 * value with unknown parts as SLSEC_NF_UNKNOWN scalars ("${addr.attr}") and
 * sensitive parts as unknown "(sensitive)" scalars. NULL when absent or
 * null, or unknown only because the provider computes it and the
 * configuration does not set it (the service default applies, as for an
 * absent CloudFormation property). */
const slsec_node *tf_val(tf_ctx *t, const tf_res *r, const char *path);
/* Known scalar text of an attribute, or NULL. */
const char *tf_str(tf_ctx *t, const tf_res *r, const char *path);
/* The resource an attribute refers to (configuration references, followed
 * through module variables and outputs; else a literal name, ARN or id of
 * one), restricted to the given types ("aws_iam_role", NULL-terminated). */
tf_res *tf_link(tf_ctx *t, const tf_res *r, const char *path, const char *const *types);
/* Every resource of the given types an attribute refers to (lists of ids). */
void tf_links(tf_ctx *t, const tf_res *r, const char *path, const char *const *types, slsec_ptrvec *out);
/* An IAM policy document attribute (a JSON string, or a reference to an
 * aws_iam_policy_document data source), as a parsed node tree positioned at
 * the attribute; an unknown scalar when it cannot be known; NULL if absent. */
const slsec_node *tf_policy(tf_ctx *t, const tf_res *r, const char *path);
/* A JSON string attribute parsed (redrive policies, OpenAPI bodies). */
const slsec_node *tf_json(tf_ctx *t, const tf_res *r, const char *path);
/* The position of an attribute's key in the plan, or the resource's. */
const slsec_node *tf_at(tf_ctx *t, const tf_res *r, const char *path);

/* ---- building the synthetic template ------------------------------------------ */

slsec_node *tf_scalar(tf_ctx *t, const slsec_node *at, const char *s);
slsec_node *tf_ref(tf_ctx *t, const slsec_node *at, const tf_res *target);
slsec_node *tf_getatt(tf_ctx *t, const slsec_node *at, const tf_res *target, const char *attr);
/* A map from (key, value) pairs, NULL-key terminated; NULL values skipped.
 * Returns NULL when every value was NULL. */
slsec_node *tf_map(tf_ctx *t, const slsec_node *at, ...);
/* A list node of the given items. */
slsec_node *tf_list(tf_ctx *t, const slsec_node *at, const slsec_ptrvec *items);

/* Sets a property of a lowered resource (NULL value: nothing). */
void tf_set(tf_ctx *t, tf_res *r, const char *key, const slsec_node *at, const slsec_node *value);
/* Appends to a list property. */
void tf_push(tf_ctx *t, tf_res *r, const char *key, const slsec_node *at, const slsec_node *item);
/* The property's current value (non-list), or NULL. */
const slsec_node *tf_get(const tf_res *r, const char *key);
/* A warning at a node of the plan. */
#define tf_warn(t, at, ...)                                                                                   \
    do {                                                                                                      \
        if ((t)->warnings)                                                                                    \
            slsec_diags_addf((t)->warnings, SLSEC_DIAG_WARNING, (t)->file, (at) ? (int)(at)->line : 0,         \
                             (at) ? (int)(at)->col : 0, __VA_ARGS__);                                         \
    } while (0)

/* ---- the lowering table (tfplan_lower.c) ----------------------------------------- */

typedef void (*tf_lower_fn)(tf_ctx *t, tf_res *r);

typedef struct tf_type_lowering {
    const char *type;     /* Terraform resource type */
    const char *cfn_type; /* the CloudFormation type it becomes, NULL when merged into another */
    tf_lower_fn lower;    /* NULL: only the type is lowered */
} tf_type_lowering;

const tf_type_lowering *tf_lowering_find(const char *type);

#endif
