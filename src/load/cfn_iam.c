/*
 * cfn_iam.c — roles, policies and users; SAM's Policies property and the
 * implicit role SAM generates for a function without one.
 *
 * Policy statements keep their actions and resources as resolved nodes, so
 * an action built with Sub stays recognisable and an unknowable one stays
 * unknown (rules skip it). SAM policy templates are expanded from the
 * project's own table with the user's arguments bound to the template's
 * parameters, then read like any other document; their statements point at
 * the template entry in the user's file.
 */
#include "cfn_internal.h"
#include "slsec/limits.h"

#include <string.h>

/* ---- policy documents -------------------------------------------------------- */

static void push_scalars(cfn_ctx *c, const slsec_node *v, slsec_ptrvec *out)
{
    if (!v)
        return;
    if (slsec_node_is_seq(v)) {
        for (size_t i = 0; i < v->count; i++)
            push_scalars(c, v->items[i], out);
        return;
    }
    if (slsec_node_is_scalar(v))
        slsec_ptrvec_push(c->arena, out, (void *)v);
}

static void read_principals(cfn_ctx *c, slsec_statement *s, const slsec_node *p)
{
    if (!p)
        return;
    if (slsec_node_is_scalar(p)) {
        const char *t = slsec_node_str(p);
        if (t && !strcmp(t, "*"))
            s->principal_any = true;
        if (t)
            slsec_ptrvec_push(c->arena, &s->principals, (void *)t);
        return;
    }
    if (!slsec_node_is_map(p))
        return;
    for (size_t i = 0; i < p->count; i++) {
        const char *kind = slsec_node_str(p->items[2 * i]);
        const slsec_node *v = p->items[2 * i + 1];
        if (!kind)
            continue; /* a complex key: no principal type we know */
        slsec_ptrvec vals = {0};
        push_scalars(c, v, &vals);
        for (size_t k = 0; k < vals.count; k++) {
            const slsec_node *n = vals.items[k];
            const char *t = slsec_node_str(n);
            if (!t)
                continue;
            if (!strcmp(kind, "AWS") && !strcmp(t, "*"))
                s->principal_any = true;
            slsec_ptrvec_push(c->arena, &s->principals, slsec_arena_printf(c->arena, "%s:%s", kind, t));
        }
    }
}

static void read_statement(cfn_ctx *c, const slsec_node *raw, slsec_ptrvec *out)
{
    const slsec_node *st = cfn_resolve(c, raw);
    if (!slsec_node_is_map(st))
        return;
    slsec_statement *s = slsec_arena_alloc(c->arena, sizeof *s);
    s->loc = cfn_loc(c, raw);
    s->sid = slsec_node_get_str(st, "Sid");
    const char *effect = slsec_node_get_str(st, "Effect");
    s->allow = !effect || strcmp(effect, "Deny") != 0;
    const slsec_node *act = slsec_node_get(st, "Action");
    if (!act && (act = slsec_node_get(st, "NotAction")))
        s->not_action = true;
    push_scalars(c, act, &s->actions);
    const slsec_node *res = slsec_node_get(st, "Resource");
    if (!res && (res = slsec_node_get(st, "NotResource")))
        s->not_resource = true;
    push_scalars(c, res, &s->resources);
    const slsec_node *pr = slsec_node_get(st, "Principal");
    if (!pr && (pr = slsec_node_get(st, "NotPrincipal")))
        s->not_principal = true;
    read_principals(c, s, pr);
    s->condition = slsec_node_get(st, "Condition");
    slsec_ptrvec_push(c->arena, out, s);
}

void cfn_policy_document(cfn_ctx *c, const slsec_node *doc, slsec_ptrvec *out)
{
    if (!doc)
        return;
    const slsec_node *resolved = cfn_resolve(c, doc);
    const slsec_node *stmts = slsec_node_get(resolved, "Statement");
    if (!stmts) {
        /* The raw form may be needed for positions; a Statement that comes
         * from an intrinsic (If) is read from the resolved document. */
        return;
    }
    const slsec_node *raw_stmts = slsec_node_get(doc, "Statement");
    if (slsec_node_is_seq(stmts)) {
        for (size_t i = 0; i < stmts->count; i++) {
            const slsec_node *raw = slsec_node_is_seq(raw_stmts) && raw_stmts->count == stmts->count
                                        ? raw_stmts->items[i]
                                        : stmts->items[i];
            read_statement(c, raw, out);
        }
    } else {
        read_statement(c, raw_stmts ? raw_stmts : stmts, out);
    }
}

/* ---- managed policies --------------------------------------------------------- */

static slsec_policy *new_policy(cfn_ctx *c, slsec_policy_kind kind, const char *name, const slsec_node *at)
{
    slsec_policy *p = slsec_arena_alloc(c->arena, sizeof *p);
    p->kind = kind;
    p->name = name;
    p->loc = cfn_loc(c, at);
    return p;
}

/* AWS managed policies that live under a path: a bare name in SAM's
 * Policies ("AWSLambdaRole") stands for the policy's full name, and SAM
 * writes arn:aws:iam::aws:policy/service-role/AWSLambdaRole. The model names
 * managed policies by what follows "policy/", so the same policy reached by
 * name or by ARN is one policy. Names from AWS's managed policy reference;
 * names not listed here live at the root path. */
static const char *const pathed_policies[] = {
    "service-role/AWSLambdaBasicExecutionRole",
    "service-role/AWSLambdaBasicDurableExecutionRolePolicy",
    "service-role/AWSLambdaDynamoDBExecutionRole",
    "service-role/AWSLambdaENIManagementAccess",
    "service-role/AWSLambdaKinesisExecutionRole",
    "service-role/AWSLambdaMSKExecutionRole",
    "service-role/AWSLambdaRole",
    "service-role/AWSLambdaSQSQueueExecutionRole",
    "service-role/AWSLambdaVPCAccessExecutionRole",
    "service-role/AWSConfigRulesExecutionRole",
    "service-role/AWSCodeDeployRole",
    "service-role/AWSCodeDeployRoleForECS",
    "service-role/AWSCodeDeployRoleForLambda",
    "service-role/AWSCodeDeployRoleForLambdaLimited",
    "service-role/AWSAppSyncPushToCloudWatchLogs",
    "service-role/AWSGlueServiceRole",
    "service-role/AWSBatchServiceRole",
    "service-role/AWSIoTLogging",
    "service-role/AWSIoTRuleActions",
    "service-role/AWSIoTThingsRegistration",
    "service-role/AWSTransferLoggingAccess",
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    "service-role/AmazonEC2ContainerServiceRole",
    "service-role/AmazonEC2ContainerServiceforEC2Role",
    "service-role/AmazonECSTaskExecutionRolePolicy",
    "service-role/AmazonEC2RoleforSSM",
    "service-role/AmazonSSMAutomationRole",
    "service-role/AmazonRDSEnhancedMonitoringRole",
    "service-role/AmazonElasticMapReduceRole",
    "service-role/AmazonElasticMapReduceforEC2Role",
    "service-role/AmazonElasticMapReduceforAutoScalingRole",
    "service-role/AWS_ConfigRole",
    "job-function/Billing",
    "job-function/DataScientist",
    "job-function/DatabaseAdministrator",
    "job-function/NetworkAdministrator",
    "job-function/SupportUser",
    "job-function/SystemAdministrator",
    "job-function/ViewOnlyAccess",
};

static const char *aws_managed_full_name(const char *bare)
{
    for (size_t i = 0; i < sizeof pathed_policies / sizeof pathed_policies[0]; i++) {
        const char *slash = strchr(pathed_policies[i], '/');
        if (!strcmp(slash + 1, bare))
            return pathed_policies[i];
    }
    return bare;
}

/* A managed policy by ARN (resolved) or by reference to an
 * AWS::IAM::ManagedPolicy of the template. A bare name (SAM's Policies)
 * is an AWS managed policy when it could be one: no ':', no intrinsic, no
 * dynamic reference; SAM passes other strings through as ARNs. */
static slsec_policy *managed_policy(cfn_ctx *c, const slsec_node *raw, bool bare_name_is_aws)
{
    const char *target = cfn_ref_target(c, raw);
    if (target) {
        slsec_policy *p = slsec_strmap_get(c->policies, target);
        if (p)
            return p;
    }
    const slsec_node *v = cfn_resolve(c, raw);
    const char *arn = v && v->kind == SLSEC_NODE_SCALAR && !(v->flags & SLSEC_NF_NULL) ? v->str : NULL;
    if (!arn || !*arn)
        return NULL;
    const char *aws_prefix = ":iam::aws:policy/";
    const char *at = strstr(arn, aws_prefix);
    if (at && slsec_str_has_prefix(arn, "arn:"))
        return at[strlen(aws_prefix)] ? new_policy(c, SLSEC_POLICY_AWS_MANAGED, at + strlen(aws_prefix), raw) : NULL;
    if (bare_name_is_aws && !strchr(arn, ':') && !strchr(arn, '{') && !(v->flags & SLSEC_NF_UNKNOWN))
        return new_policy(c, SLSEC_POLICY_AWS_MANAGED, aws_managed_full_name(arn), raw);
    const char *slash = strstr(arn, ":policy/");
    slsec_policy *p = new_policy(c, SLSEC_POLICY_CUSTOMER, slash ? slash + 8 : arn, raw);
    p->arn = arn;
    return p;
}

/* Attaches p once: an AWS managed policy named twice (by name and by ARN,
 * or by SAM and by the user) is one attachment, as in IAM. */
static void attach(cfn_ctx *c, slsec_role *role, slsec_policy *p)
{
    if (!p || slsec_ptrvec_contains(&role->policies, p))
        return;
    if (p->kind == SLSEC_POLICY_AWS_MANAGED)
        for (size_t i = 0; i < role->policies.count; i++) {
            const slsec_policy *q = role->policies.items[i];
            if (q->kind == SLSEC_POLICY_AWS_MANAGED && !strcmp(q->name, p->name))
                return;
        }
    slsec_ptrvec_push(c->arena, &role->policies, p);
}

/* ---- SAM Policies --------------------------------------------------------------- */

static void sam_template_policy(cfn_ctx *c, slsec_role *role, const slsec_node *entry, const char *name,
                                const slsec_node *args)
{
    const slsec_sam_policy_template *t = slsec_sam_policy_template_find(name);
    slsec_policy *p = new_policy(c, SLSEC_POLICY_SAM_TEMPLATE, name, entry);
    attach(c, role, p);
    if (!t) {
        cfn_warn(c, entry, "unknown SAM policy template %s: its permissions are not known", name);
        return;
    }
    slsec_doc doc;
    slsec_diag err;
    const char *json = t->statements_json;
    if (slsec_doc_parse(c->arena, c->file, json, strlen(json), &doc, &err) != SLSEC_OK)
        return; /* the table is generated and tested; this cannot happen */
    slsec_strmap *bindings = slsec_strmap_new(c->arena);
    const slsec_node *resolved_args = cfn_resolve(c, args);
    for (const char *const *param = t->parameters; *param; param++) {
        const slsec_node *v = slsec_node_get(resolved_args, *param);
        if (!v) {
            cfn_warn(c, entry, "SAM policy template %s is missing its parameter %s", name, *param);
            v = slsec_node_new_scalar(c->arena, entry, slsec_arena_printf(c->arena, "${%s}", *param), SLSEC_NF_UNKNOWN);
        }
        slsec_strmap_put(bindings, *param, (void *)v);
    }
    slsec_strmap *saved = c->bindings;
    c->bindings = bindings;
    size_t first = p->statements.count;
    if (slsec_node_is_seq(doc.root))
        for (size_t i = 0; i < doc.root->count; i++)
            read_statement(c, doc.root->items[i], &p->statements);
    c->bindings = saved;
    /* Point the expanded statements at the user's template entry. */
    for (size_t i = first; i < p->statements.count; i++) {
        slsec_statement *s = p->statements.items[i];
        s->loc = cfn_loc(c, entry);
    }
}

/* The branches of an Fn::If (either form) and its condition, or false. */
static bool fn_if(const slsec_node *n, const char **cond, const slsec_node **then, const slsec_node **otherwise)
{
    const slsec_node *arg = NULL;
    if (n && n->tag && !strcmp(n->tag, "!If"))
        arg = n;
    else if (slsec_node_is_map(n) && !n->tag && n->count == 1 && slsec_node_str(n->items[0]) &&
             !strcmp(n->items[0]->str, "Fn::If"))
        arg = n->items[1];
    if (!slsec_node_is_seq(arg) || arg->count != 3)
        return false;
    *cond = slsec_node_str(arg->items[0]);
    *then = arg->items[1];
    *otherwise = arg->items[2];
    return true;
}

static void sam_policy_item(cfn_ctx *c, slsec_role *role, const slsec_node *item, int depth)
{
    /* SAM keeps an Fn::If around whatever entry it expands; the model takes
     * the branch the condition picks, and both when the template alone
     * cannot decide it (either may be granted). AWS::NoValue adds nothing. */
    const char *cond;
    const slsec_node *then, *otherwise;
    if (depth < SLSEC_MAX_INTRINSIC_DEPTH && fn_if(item, &cond, &then, &otherwise)) {
        slsec_tri t = cond ? cfn_condition(c, cond) : SLSEC_UNKNOWN;
        if (t != SLSEC_NO)
            sam_policy_item(c, role, then, depth + 1);
        if (t != SLSEC_YES)
            sam_policy_item(c, role, otherwise, depth + 1);
        return;
    }
    if (slsec_node_is_seq(item) && !item->tag && depth < SLSEC_MAX_INTRINSIC_DEPTH) {
        for (size_t i = 0; i < item->count; i++) /* a branch holding a list */
            sam_policy_item(c, role, item->items[i], depth + 1);
        return;
    }
    if (slsec_node_is_map(item) && !item->tag && slsec_node_get(item, "Statement")) {
        slsec_policy *p = new_policy(c, SLSEC_POLICY_INLINE, slsec_arena_printf(c->arena, "%sPolicy", role->id), item);
        cfn_policy_document(c, item, &p->statements);
        attach(c, role, p);
        return;
    }
    if (slsec_node_is_map(item) && !item->tag && item->count == 1) {
        const char *name = slsec_node_str(item->items[0]);
        if (name && strcmp(name, "Ref") != 0 && !slsec_str_has_prefix(name, "Fn::")) {
            sam_template_policy(c, role, item, name, item->items[1]);
            return;
        }
    }
    slsec_policy *p = managed_policy(c, item, true);
    if (p)
        attach(c, role, p);
}

void cfn_sam_policies(cfn_ctx *c, slsec_role *role, const slsec_node *raw)
{
    if (!raw)
        return;
    if (slsec_node_is_seq(raw) && !raw->tag) {
        for (size_t i = 0; i < raw->count; i++)
            sam_policy_item(c, role, raw->items[i], 0);
        return;
    }
    sam_policy_item(c, role, raw, 0);
}

slsec_role *cfn_role_by_ref(cfn_ctx *c, const slsec_node *raw)
{
    const char *id = cfn_ref_target(c, raw);
    return id ? slsec_strmap_get(c->roles, id) : NULL;
}

/* ---- AWS::IAM::Role ------------------------------------------------------------- */

static void role_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_role *role = slsec_arena_alloc(c->arena, sizeof *role);
    role->id = r->id;
    role->loc = r->loc;
    role->resource = r;
    cfn_policy_document(c, cfn_prop_raw(r, "AssumeRolePolicyDocument"), &role->trust);
    role->boundary = cfn_prop(c, r, "PermissionsBoundary");
    const slsec_node *inl = cfn_prop_raw(r, "Policies");
    const slsec_node *inl_resolved = cfn_resolve(c, inl);
    if (slsec_node_is_seq(inl_resolved)) {
        for (size_t i = 0; i < inl_resolved->count; i++) {
            const slsec_node *raw = slsec_node_is_seq(inl) && inl->count == inl_resolved->count ? inl->items[i]
                                                                                            : inl_resolved->items[i];
            const char *name = slsec_node_get_str(inl_resolved->items[i], "PolicyName");
            slsec_policy *p = new_policy(c, SLSEC_POLICY_INLINE, name ? name : "inline", raw);
            cfn_policy_document(c, slsec_node_get(raw, "PolicyDocument"), &p->statements);
            attach(c, role, p);
        }
    }
    slsec_strmap_put(c->roles, r->id, role);
    slsec_ptrvec_push(c->arena, &c->app->roles, role);
}

static void role_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_role *role = slsec_strmap_get(c->roles, r->id);
    const slsec_node *arns = cfn_prop_raw(r, "ManagedPolicyArns");
    if (!role || !arns)
        return;
    if (!slsec_node_is_seq(arns) || arns->tag) {
        const slsec_node *v = cfn_resolve(c, arns);
        if (!slsec_node_is_seq(v))
            return;
        arns = v;
    }
    for (size_t i = 0; i < arns->count; i++)
        attach(c, role, managed_policy(c, arns->items[i], false));
}

/* ---- AWS::IAM::Policy / ManagedPolicy -------------------------------------------- */

static void attach_to_roles(cfn_ctx *c, slsec_resource *r, slsec_policy *p)
{
    const slsec_node *roles = cfn_prop_raw(r, "Roles");
    if (!slsec_node_is_seq(roles))
        return;
    for (size_t i = 0; i < roles->count; i++) {
        slsec_role *role = cfn_role_by_ref(c, roles->items[i]);
        if (!role) {
            const char *name = slsec_node_str(roles->items[i]);
            role = name ? slsec_strmap_get(c->roles, name) : NULL;
        }
        if (role)
            attach(c, role, p);
    }
}

static void policy_link(cfn_ctx *c, slsec_resource *r)
{
    const char *name = cfn_prop_str(c, r, "PolicyName");
    slsec_policy *p = new_policy(c, SLSEC_POLICY_INLINE, name ? name : r->id, NULL);
    p->loc = r->loc;
    p->resource_id = r->id;
    cfn_policy_document(c, cfn_prop_raw(r, "PolicyDocument"), &p->statements);
    slsec_ptrvec_push(c->arena, &c->app->policies, p);
    attach_to_roles(c, r, p);
}

static void managed_policy_create(cfn_ctx *c, slsec_resource *r)
{
    const char *name = cfn_prop_str(c, r, "ManagedPolicyName");
    slsec_policy *p = new_policy(c, SLSEC_POLICY_CUSTOMER, name ? name : r->id, NULL);
    p->loc = r->loc;
    p->resource_id = r->id;
    cfn_policy_document(c, cfn_prop_raw(r, "PolicyDocument"), &p->statements);
    slsec_strmap_put(c->policies, r->id, p);
    slsec_ptrvec_push(c->arena, &c->app->policies, p);
}

static void managed_policy_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_policy *p = slsec_strmap_get(c->policies, r->id);
    if (p)
        attach_to_roles(c, r, p);
}

/* ---- AWS::IAM::User --------------------------------------------------------------
 *
 * A user's permissions come from its own policies (Policies,
 * ManagedPolicyArns, standalone policies whose Users name it) and from its
 * groups' (Groups, AWS::IAM::UserToGroupAddition; each group's Policies,
 * ManagedPolicyArns and standalone policies whose Groups name it). All of
 * that is gathered in FINISH, when every resource has been read. A group
 * or a customer managed policy from outside the template cannot be read:
 * the user is marked policies_unknown, so rules about what its policies
 * say stay silent. */

static void user_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_ptrvec_push(c->arena, &c->app->users, r);
    slsec_user *u = slsec_arena_alloc(c->arena, sizeof *u);
    u->id = r->id;
    u->loc = r->loc;
    u->resource = r;
    u->direct_loc = r->loc;
    const slsec_node *lp = cfn_prop(c, r, "LoginProfile");
    if (lp && !(lp->flags & SLSEC_NF_NULL)) {
        u->console_access = true;
        u->login_loc = cfn_loc(c, slsec_node_get_key(r->props, "LoginProfile"));
    }
    slsec_ptrvec_push(c->arena, &c->app->iam_users, u);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static slsec_user *user_by_ref(cfn_ctx *c, const slsec_node *raw)
{
    const char *id = cfn_ref_target(c, raw);
    const char *name = id ? NULL : slsec_node_str(cfn_resolve(c, raw));
    for (size_t i = 0; i < c->app->iam_users.count; i++) {
        slsec_user *u = c->app->iam_users.items[i];
        if (u->loc.file != c->file && (!u->loc.file || !c->file || strcmp(u->loc.file, c->file)))
            continue;
        if (id ? !strcmp(u->id, id) : name && slsec_str_eq_ci(name, or_empty(cfn_prop_str(c, u->resource, "UserName"))))
            return u;
    }
    return NULL;
}

/* Does a list of users or groups (Ref or name) name `r`? */
static bool names_resource(cfn_ctx *c, const slsec_node *list, const slsec_resource *r, const char *name_key)
{
    const char *name = cfn_prop_str(c, r, name_key);
    for (size_t i = 0; slsec_node_is_seq(list) && i < list->count; i++) {
        const char *id = cfn_ref_target(c, list->items[i]);
        if (id ? !strcmp(id, r->id) : name && slsec_str_eq_ci(or_empty(slsec_node_str(cfn_resolve(c, list->items[i]))), name))
            return true;
    }
    return false;
}

/* Inline Policies and ManagedPolicyArns of a user or group. */
static size_t own_policies(cfn_ctx *c, slsec_user *u, const slsec_resource *r)
{
    size_t n = 0;
    const slsec_node *inl = cfn_prop_raw(r, "Policies");
    const slsec_node *inl_resolved = cfn_resolve(c, inl);
    for (size_t i = 0; slsec_node_is_seq(inl_resolved) && i < inl_resolved->count; i++) {
        const slsec_node *raw = slsec_node_is_seq(inl) && inl->count == inl_resolved->count ? inl->items[i]
                                                                                        : inl_resolved->items[i];
        const char *name = slsec_node_get_str(inl_resolved->items[i], "PolicyName");
        slsec_policy *p = new_policy(c, SLSEC_POLICY_INLINE, name ? name : "inline", raw);
        cfn_policy_document(c, slsec_node_get(raw, "PolicyDocument"), &p->statements);
        slsec_ptrvec_push(c->arena, &u->policies, p);
        n++;
    }
    const slsec_node *arns = cfn_resolve(c, cfn_prop_raw(r, "ManagedPolicyArns"));
    const slsec_node *raw_arns = cfn_prop_raw(r, "ManagedPolicyArns");
    for (size_t i = 0; slsec_node_is_seq(arns) && i < arns->count; i++) {
        const slsec_node *raw = slsec_node_is_seq(raw_arns) && raw_arns->count == arns->count ? raw_arns->items[i]
                                                                                           : arns->items[i];
        slsec_policy *p = managed_policy(c, raw, false);
        if (!p || (p->kind == SLSEC_POLICY_CUSTOMER && !p->resource_id))
            u->policies_unknown = true;
        if (p)
            slsec_ptrvec_push(c->arena, &u->policies, p);
        n++;
    }
    return n;
}

/* Standalone AWS::IAM::Policy / ManagedPolicy resources whose `key`
 * (Users or Groups) names r. */
static size_t standalone_policies(cfn_ctx *c, slsec_user *u, const slsec_resource *r, const char *key,
                                  const char *name_key)
{
    size_t n = 0;
    for (size_t i = 0; i < c->app->policies.count; i++) {
        slsec_policy *p = c->app->policies.items[i];
        slsec_resource *pr = p->resource_id ? slsec_strmap_get(c->resources, p->resource_id) : NULL;
        if (pr && names_resource(c, cfn_prop_raw(pr, key), r, name_key)) {
            slsec_ptrvec_push(c->arena, &u->policies, p);
            n++;
        }
    }
    return n;
}

static void group_policies(cfn_ctx *c, slsec_user *u, const slsec_node *raw_group)
{
    const char *id = cfn_ref_target(c, raw_group);
    slsec_resource *g = id ? slsec_strmap_get(c->resources, id) : NULL;
    if (!g || strcmp(g->type, "AWS::IAM::Group") != 0) {
        u->policies_unknown = true; /* a group made elsewhere */
        return;
    }
    own_policies(c, u, g);
    standalone_policies(c, u, g, "Groups", "GroupName");
}

static void user_finish(cfn_ctx *c, slsec_resource *r)
{
    slsec_user *u = NULL;
    for (size_t i = c->app->iam_users.count; i-- > 0 && !u;)
        if (((slsec_user *)c->app->iam_users.items[i])->resource == r)
            u = c->app->iam_users.items[i];
    if (!u)
        return;
    u->direct_policies = own_policies(c, u, r) + standalone_policies(c, u, r, "Users", "UserName");
    const slsec_node *pk = slsec_node_get_key(r->props, "Policies");
    if (!pk)
        pk = slsec_node_get_key(r->props, "ManagedPolicyArns");
    if (pk)
        u->direct_loc = cfn_loc(c, pk);
    const slsec_node *groups = cfn_prop_raw(r, "Groups");
    if (groups && !slsec_node_is_seq(groups))
        u->policies_unknown = true;
    for (size_t i = 0; slsec_node_is_seq(groups) && i < groups->count; i++)
        group_policies(c, u, groups->items[i]);
    /* AWS::IAM::UserToGroupAddition resources naming the user. */
    for (size_t i = 0; i < c->app->resources.count; i++) {
        const slsec_resource *a = c->app->resources.items[i];
        if (a->type && !strcmp(a->type, "AWS::IAM::UserToGroupAddition") && a->loc.file == r->loc.file &&
            names_resource(c, cfn_prop_raw(a, "Users"), r, "UserName"))
            group_policies(c, u, cfn_prop_raw(a, "GroupName"));
    }
}

static void access_key_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_user *u = user_by_ref(c, cfn_prop_raw(r, "UserName"));
    const char *status = cfn_prop_str(c, r, "Status");
    if (!u || (status && strcmp(status, "Inactive") == 0))
        return;
    u->access_key = r->id;
    u->access_key_loc = r->loc;
}

const cfn_type_handler cfn_iam_handlers[] = {
    {"AWS::IAM::Role", {role_create, role_link, NULL}},
    {"AWS::IAM::Policy", {NULL, policy_link, NULL}},
    {"AWS::IAM::ManagedPolicy", {managed_policy_create, managed_policy_link, NULL}},
    {"AWS::IAM::User", {user_create, NULL, user_finish}},
    {"AWS::IAM::AccessKey", {NULL, access_key_link, NULL}},
    {"AWS::IAM::UserToGroupAddition", {NULL, NULL, NULL}},
    {"AWS::IAM::Group", {NULL, NULL, NULL}},
    {"AWS::IAM::InstanceProfile", {NULL, NULL, NULL}},
};
CFN_TABLE_END(iam)
