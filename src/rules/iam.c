/*
 * iam.c — the IAM rule family: what the roles (and the policies written in
 * the template) let a function do, and who may become them; and the people
 * side of identity: IAM users (console passwords without MFA, policies
 * attached one by one, access keys minted by the stack) and the Cognito
 * pools that sign the application's users in (MFA, password policy, threat
 * protection, guest credentials).
 *
 * Checks walk "holders": every role of the app, plus every standalone
 * policy (AWS::IAM::Policy / ManagedPolicy) that no role of the app holds,
 * so a wide-open policy attached to a user or to a role outside the
 * template is still seen, and a policy attached to three roles is judged
 * once per role (each role is a separate fix).
 *
 * Unknown stays silent: actions and resources that the template leaves to
 * deploy time are skipped, a NotAction list with an unknown entry grants
 * nothing we can name, and an unknowable Condition counts as a restriction.
 * AWS managed policies carry no statements in the model; IAM-003 judges
 * them by name.
 *
 * Locations: statement findings point at the statement (for SAM's implicit
 * role that is the entry in the function's Policies), role-wide ones at
 * the first offending statement, with the others as related locations.
 */
#include "rules_internal.h"

#include "slsec/audit.h" /* the IAM action table: access levels */

#include <string.h>
#include <strings.h>

/* Names shown in a message before "and N more". */
#define LIST_MAX 5

/* ---- holders --------------------------------------------------------------- */

typedef struct holder {
    const char *id;   /* resource of the finding */
    const char *type;
    const slsec_role *role;     /* NULL for a standalone policy */
    const slsec_policy *policy; /* the standalone policy */
    const char *desc; /* "role OrdersRole", "the role SAM generates for function X (XRole)" */
    const char *to;   /* " to 3 functions (A, B, C)", or "" */
    const char *by;   /* ", used by 3 functions (A, B, C)," or "" */
    slsec_loc loc;
} holder;

static const char *names_list(slsec_arena *a, const slsec_ptrvec *fns)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (size_t i = 0; i < fns->count && i < LIST_MAX; i++) {
        const slsec_function *fn = fns->items[i];
        slsec_buf_printf(&b, "%s%s", i ? ", " : "", fn->id);
    }
    if (fns->count > LIST_MAX)
        slsec_buf_printf(&b, " and %zu more", fns->count - LIST_MAX);
    char *s = slsec_arena_strndup(a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    return s;
}

static const char *implicit_function_id(slsec_arena *a, const slsec_role *role)
{
    if (role->functions.count)
        return ((const slsec_function *)role->functions.items[0])->id;
    size_t n = strlen(role->id);
    if (n > 4 && strcmp(role->id + n - 4, "Role") == 0)
        return slsec_arena_strndup(a, role->id, n - 4);
    return role->id;
}

static void role_holder(slsec_arena *a, const slsec_role *role, holder *h)
{
    memset(h, 0, sizeof *h);
    h->id = role->id;
    h->type = "AWS::IAM::Role";
    h->role = role;
    h->loc = role->loc;
    if (role->implicit) {
        h->desc = slsec_arena_printf(a, "the role SAM generates for function %s (%s)",
                                     implicit_function_id(a, role), role->id);
        h->to = h->by = "";
        return;
    }
    h->desc = slsec_arena_printf(a, "role %s", role->id);
    if (role->functions.count == 1)
        h->to = slsec_arena_printf(a, " to function %s",
                                   ((const slsec_function *)role->functions.items[0])->id);
    else if (role->functions.count > 1)
        h->to = slsec_arena_printf(a, " to %zu functions (%s)", role->functions.count,
                                   names_list(a, &role->functions));
    else
        h->to = "";
    h->by = *h->to ? slsec_arena_printf(a, ", used by%s,", h->to + 3) : ""; /* h->to is " to ..." */
}

static const char *ptr_key(slsec_arena *a, const void *p)
{
    return slsec_arena_printf(a, "%p", p);
}

/* Every role, then every standalone policy no role holds. */
static holder *holders_of(slsec_check_ctx *ctx, size_t *count)
{
    const slsec_app *app = ctx->app;
    size_t n = app->roles.count + app->policies.count;
    holder *hs = slsec_arena_alloc(ctx->arena, (n ? n : 1) * sizeof *hs);
    size_t k = 0;
    for (size_t i = 0; i < app->roles.count; i++)
        role_holder(ctx->arena, app->roles.items[i], &hs[k++]);
    /* Policies some role holds, by address: one pass, so a template with
     * thousands of roles and policies stays linear. */
    slsec_strmap *held = NULL;
    if (app->policies.count) {
        held = slsec_strmap_new(ctx->arena);
        for (size_t i = 0; i < app->roles.count; i++) {
            const slsec_role *role = app->roles.items[i];
            for (size_t j = 0; j < role->policies.count; j++)
                slsec_strmap_put(held, ptr_key(ctx->arena, role->policies.items[j]), (void *)1);
        }
    }
    for (size_t i = 0; i < app->policies.count; i++) {
        const slsec_policy *p = app->policies.items[i];
        if (!p->resource_id || slsec_strmap_get(held, ptr_key(ctx->arena, p)))
            continue;
        holder *h = &hs[k++];
        memset(h, 0, sizeof *h);
        h->id = p->resource_id;
        slsec_resource *r = slsec_app_resource(app, p->loc.file, p->resource_id);
        h->type = r ? r->type : "AWS::IAM::Policy";
        h->policy = p;
        h->desc = slsec_arena_printf(ctx->arena, "%s %s", p->kind == SLSEC_POLICY_CUSTOMER ? "managed policy" : "policy",
                                     p->resource_id);
        h->to = " (attached to no role of this template)";
        h->by = ", attached to no role of this template,";
        h->loc = p->loc;
    }
    *count = k;
    return hs;
}

static size_t holder_policy_count(const holder *h)
{
    return h->role ? h->role->policies.count : 1;
}

static const slsec_policy *holder_policy(const holder *h, size_t i)
{
    return h->role ? h->role->policies.items[i] : h->policy;
}

/* ---- describing things --------------------------------------------------------- */

static const char *policy_desc(slsec_arena *a, const holder *h, const slsec_policy *p)
{
    const char *name = p->name ? p->name : "?";
    switch (p->kind) {
    case SLSEC_POLICY_AWS_MANAGED:
        return slsec_arena_printf(a, "AWS managed policy %s", name);
    case SLSEC_POLICY_SAM_TEMPLATE:
        return slsec_arena_printf(a, "SAM policy template %s", name);
    case SLSEC_POLICY_CUSTOMER:
        return slsec_arena_printf(a, "managed policy %s", p->resource_id ? p->resource_id : name);
    case SLSEC_POLICY_INLINE:
    default:
        if (p->resource_id)
            return slsec_arena_printf(a, "policy %s", p->resource_id);
        if (h->role && h->role->implicit)
            return "a statement of its Policies";
        return slsec_arena_printf(a, "inline policy %s", name);
    }
}

/* ", through inline policy X" — empty for a standalone policy, which the
 * message already names. */
static const char *through(slsec_arena *a, const holder *h, const slsec_policy *p)
{
    if (!h->role)
        return "";
    return slsec_arena_printf(a, ", through %s", policy_desc(a, h, p));
}

/* Text of a node for a message: known scalars as they are, unknown ones by
 * their symbolic form (${Param}), anything else as "?". */
static const char *node_text(const slsec_node *n)
{
    if (n && n->kind == SLSEC_NODE_SCALAR && n->str)
        return n->str;
    return "?";
}

static const char *resources_desc(slsec_arena *a, const slsec_statement *s)
{
    if (s->resources.count == 0)
        return s->not_resource ? "every resource" : "no resource";
    if (s->not_resource)
        return slsec_arena_printf(a, "every resource except %s%s", node_text(s->resources.items[0]),
                                  s->resources.count > 1 ? " and others" : "");
    for (size_t i = 0; i < s->resources.count; i++) {
        const char *r = slsec_node_str(s->resources.items[i]);
        if (r && strcmp(r, "*") == 0)
            return "*";
    }
    if (s->resources.count == 1)
        return node_text(s->resources.items[0]);
    return slsec_arena_printf(a, "%s and %zu more", node_text(s->resources.items[0]), s->resources.count - 1);
}

static char *lower_dup(slsec_arena *a, const char *s)
{
    char *d = slsec_arena_strdup(a, s);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

static slsec_loc loc_or(slsec_loc l, slsec_loc fallback)
{
    return l.line > 0 ? l : fallback;
}

/* A statement grants `action`, counting only what is known: a NotAction
 * list with an unknowable entry might exclude it, so it grants nothing. */
static bool grants_known(const slsec_statement *s, const char *action)
{
    if (!s->allow)
        return false;
    if (s->not_action)
        for (size_t i = 0; i < s->actions.count; i++)
            if (!slsec_node_str(s->actions.items[i]))
                return false;
    return slsec_statement_grants(s, action);
}

/* The pattern of a statement that grants `action`, for messages. */
static const char *granting_pattern(slsec_arena *a, const slsec_statement *s, const char *action)
{
    if (s->not_action)
        return slsec_arena_printf(a, "NotAction %s", node_text(s->actions.count ? s->actions.items[0] : NULL));
    for (size_t i = 0; i < s->actions.count; i++) {
        const char *p = slsec_statement_action(s, i);
        if (p && slsec_action_matches(p, action))
            return p;
    }
    return action;
}

/* A stable key for one statement of a policy: its Sid, else its actions. */
static const char *statement_key(slsec_arena *a, const slsec_policy *p, const slsec_statement *s, const char *what)
{
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_printf(&b, "%s/%s/", what, p->name ? p->name : "");
    if (s->sid && *s->sid) {
        slsec_buf_printf(&b, "sid:%s", s->sid);
    } else {
        for (size_t i = 0; i < s->actions.count; i++)
            slsec_buf_printf(&b, "%s%s", i ? "," : "", node_text(s->actions.items[i]));
        slsec_buf_puts(&b, "|");
        for (size_t i = 0; i < s->resources.count; i++)
            slsec_buf_printf(&b, "%s%s", i ? "," : "", node_text(s->resources.items[i]));
    }
    char *k = lower_dup(a, b.data ? b.data : "");
    slsec_buf_free(&b);
    return k;
}

/* ---- IAM-001: wildcard actions ------------------------------------------------- */

static bool wildcard_action(const char *a)
{
    if (strcmp(a, "*") == 0)
        return true;
    size_t n = strlen(a);
    const char *colon = strchr(a, ':');
    return n >= 3 && colon == a + n - 2 && a[n - 1] == '*';
}

static void check_wildcard_actions(slsec_check_ctx *ctx)
{
    size_t nh;
    holder *hs = holders_of(ctx, &nh);
    for (size_t h = 0; h < nh; h++) {
        slsec_strmap *seen = NULL;
        for (size_t p = 0; p < holder_policy_count(&hs[h]); p++) {
            const slsec_policy *pol = holder_policy(&hs[h], p);
            for (size_t si = 0; si < pol->statements.count; si++) {
                const slsec_statement *s = pol->statements.items[si];
                if (!s->allow || s->not_action)
                    continue; /* NotAction is IAM-006's */
                for (size_t ai = 0; ai < s->actions.count; ai++) {
                    const char *act = slsec_statement_action(s, ai);
                    if (!act || !wildcard_action(act))
                        continue;
                    char *key = lower_dup(ctx->arena, act);
                    if (!seen)
                        seen = slsec_strmap_new(ctx->arena);
                    slsec_finding *prev = slsec_strmap_get(seen, key);
                    slsec_loc loc = loc_or(s->loc, hs[h].loc);
                    if (prev) {
                        slsec_finding_relate(prev, loc,
                                             slsec_arena_printf(ctx->arena, "%s also granted by %s", act,
                                                                policy_desc(ctx->arena, &hs[h], pol)));
                        continue;
                    }
                    const char *what = strcmp(act, "*") == 0
                                           ? "* (every action of every AWS service)"
                                           : slsec_arena_printf(ctx->arena, "%s (every %.*s action)", act,
                                                                (int)(strlen(act) - 2), act);
                    slsec_finding *f = slsec_report(ctx, hs[h].id, hs[h].type, loc, key,
                                                    "%s grants %s on %s%s%s", hs[h].desc, what,
                                                    resources_desc(ctx->arena, s), hs[h].to,
                                                    through(ctx->arena, &hs[h], pol));
                    slsec_strmap_put(seen, key, f);
                }
            }
        }
    }
}

/* ---- IAM-002: write actions on Resource "*" ------------------------------------ */

/* Verbs that begin the name of an action that changes something. An action
 * whose name starts with none of them (Get, List, Describe, BatchGet, Query,
 * Scan, Head, Select, Decrypt, ...) is left alone by this rule. */
static const char *const write_verbs[] = {
    "Abort",      "Accept",    "Activate", "Add",        "Apply",     "Associate", "Attach",   "Authorize",
    "Cancel",     "Change",    "Complete", "Copy",       "Create",    "Deactivate", "Delete",  "Deregister",
    "Detach",     "Disable",   "Disassociate", "Enable", "Execute",   "Import",    "Initiate", "Invoke",
    "Modify",     "Pass",      "Promote",  "Publish",    "Purge",     "Put",       "Reboot",   "Register",
    "Reject",     "Remove",    "Replace",  "Reset",      "Restore",   "Revoke",    "Rotate",   "Run",
    "Schedule",   "Send",      "Set",      "Start",      "Stop",      "Submit",    "Subscribe", "Tag",
    "Terminate",  "Unsubscribe", "Untag",  "Update",     "Upload",    "Write",
};

/* The usual shape of AWSLambdaBasicExecutionRole, the X-Ray write policy
 * and the VPC execution role: these actions accept no resource narrower
 * than "*" (or are always written that way), so "*" is the norm. */
static const char *const star_is_normal[] = {
    "logs:CreateLogGroup",          "logs:CreateLogStream",       "logs:PutLogEvents",
    "xray:PutTraceSegments",        "xray:PutTelemetryRecords",   "cloudwatch:PutMetricData",
    "ec2:CreateNetworkInterface",   "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
};

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_write_action(const char *action)
{
    if (strcmp(action, "*") == 0)
        return true;
    const char *colon = strchr(action, ':');
    if (!colon || colon == action || !colon[1])
        return false;
    const char *name = colon + 1;
    /* BatchWriteItem / TransactWriteItems: judge the verb after the prefix. */
    if (strncasecmp(name, "Batch", 5) == 0 && (is_upper(name[5]) || name[5] == '*'))
        name += 5;
    else if (strncasecmp(name, "Transact", 8) == 0 && (is_upper(name[8]) || name[8] == '*'))
        name += 8;
    size_t lit = strcspn(name, "*?");
    bool wild = name[lit] != '\0';
    if (lit == 0)
        return wild; /* "*", "*Object": may be anything */
    for (size_t i = 0; i < sizeof write_verbs / sizeof write_verbs[0]; i++) {
        const char *v = write_verbs[i];
        size_t vl = strlen(v);
        /* "PutObject", "Put*", "Put": the verb, then a new word or the end. */
        if (lit >= vl && strncasecmp(name, v, vl) == 0 &&
            (name[vl] == '\0' || is_upper(name[vl]) || name[vl] == '*' || name[vl] == '?'))
            return true;
        /* "P*", "Upd*": a wildcard that reaches a write verb. */
        if (wild && lit < vl && strncasecmp(name, v, lit) == 0)
            return true;
    }
    return false;
}

typedef struct level_count {
    size_t changing, all;
} level_count;

static void count_level(const char *service, const char *action, slsec_access_level level, void *user)
{
    (void)service, (void)action;
    level_count *c = user;
    c->all++;
    if (level >= SLSEC_ACCESS_WRITE)
        c->changing++;
}

/* Whether an action (or pattern) grants anything that changes state:
 * Write, Permissions management or Tagging in the IAM action table
 * (src/audit/iam_actions.c, every action AWS documents). The verbs above
 * decide only for actions the table does not know (new or misspelt ones):
 * so kms:Decrypt and sqs:DeleteMessage count, sqs:ReceiveMessage and
 * dynamodb:Query do not, as AWS classifies them. */
static bool changes_state(const char *action)
{
    if (strpbrk(action, "*?")) {
        level_count c = {0};
        slsec_iam_expand(action, count_level, &c);
        return c.all ? c.changing > 0 : is_write_action(action);
    }
    slsec_access_level level = slsec_iam_action_level(action, NULL, 0);
    return level == SLSEC_ACCESS_UNKNOWN ? is_write_action(action) : level >= SLSEC_ACCESS_WRITE;
}

static bool normal_on_star(const char *action)
{
    for (size_t i = 0; i < sizeof star_is_normal / sizeof star_is_normal[0]; i++)
        if (strcasecmp(action, star_is_normal[i]) == 0)
            return true;
    return false;
}

static const char *actions_list(slsec_arena *a, const char *const *items, size_t n)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (size_t i = 0; i < n && i < LIST_MAX; i++)
        slsec_buf_printf(&b, "%s%s", i ? ", " : "", items[i]);
    if (n > LIST_MAX)
        slsec_buf_printf(&b, " and %zu more", n - LIST_MAX);
    char *s = slsec_arena_strndup(a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    return s;
}

static void check_wildcard_resources(slsec_check_ctx *ctx)
{
    size_t nh;
    holder *hs = holders_of(ctx, &nh);
    for (size_t h = 0; h < nh; h++) {
        for (size_t p = 0; p < holder_policy_count(&hs[h]); p++) {
            const slsec_policy *pol = holder_policy(&hs[h], p);
            for (size_t si = 0; si < pol->statements.count; si++) {
                const slsec_statement *s = pol->statements.items[si];
                if (!s->allow || s->not_action || !slsec_statement_any_resource(s))
                    continue;
                const char **writes = slsec_arena_alloc(ctx->arena, (s->actions.count + 1) * sizeof *writes);
                size_t nw = 0;
                for (size_t ai = 0; ai < s->actions.count; ai++) {
                    const char *act = slsec_statement_action(s, ai);
                    /* iam:PassRole on "*" is IAM-004's (critical) finding. */
                    if (act && changes_state(act) && !normal_on_star(act) && strcasecmp(act, "iam:PassRole") != 0)
                        writes[nw++] = act;
                }
                if (!nw)
                    continue;
                slsec_report(ctx, hs[h].id, hs[h].type, loc_or(s->loc, hs[h].loc),
                             statement_key(ctx->arena, pol, s, "write-on-star"),
                             "%s allows write access (%s) on %s%s%s: every matching resource of the account, "
                             "not just the ones the code needs",
                             hs[h].desc, actions_list(ctx->arena, writes, nw), resources_desc(ctx->arena, s), hs[h].to,
                             through(ctx->arena, &hs[h], pol));
            }
        }
    }
}

/* ---- IAM-003: AWS managed admin-like policies ----------------------------------- */

static const char *admin_like(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    if (strcmp(base, "AdministratorAccess") == 0 || slsec_str_has_prefix(base, "AdministratorAccess-"))
        return "every action on every resource of the account";
    if (strcmp(base, "PowerUserAccess") == 0)
        return "every action outside IAM and Organizations, on every resource";
    if (strcmp(base, "IAMFullAccess") == 0)
        return "full control of IAM, so whoever holds it can grant itself anything";
    if (strcmp(base, "SecretsManagerReadWrite") == 0)
        return "read and write access to every secret of the account";
    if (strcmp(base, "AmazonAPIGatewayAdministrator") == 0)
        return "full control of every API Gateway API";
    if (strcmp(base, "AWSKeyManagementServicePowerUser") == 0)
        return "control of every KMS key";
    if (slsec_str_has_suffix(base, "FullAccess"))
        return "every action of its service on every resource of the account";
    return NULL;
}

static void check_admin_policies(slsec_check_ctx *ctx)
{
    const slsec_app *app = ctx->app;
    for (size_t i = 0; i < app->roles.count; i++) {
        const slsec_role *role = app->roles.items[i];
        holder h;
        role_holder(ctx->arena, role, &h);
        for (size_t p = 0; p < role->policies.count; p++) {
            const slsec_policy *pol = role->policies.items[p];
            if (pol->kind != SLSEC_POLICY_AWS_MANAGED || !pol->name)
                continue;
            const char *what = admin_like(pol->name);
            if (!what)
                continue;
            slsec_report(ctx, h.id, h.type, loc_or(pol->loc, h.loc), pol->name,
                         "%s has the AWS managed policy %s attached: %s%s%s", h.desc, pol->name, what,
                         *h.to ? ", given" : "", h.to);
        }
    }
}

/* ---- IAM-004: iam:PassRole on "*" ------------------------------------------------ */

static void check_passrole(slsec_check_ctx *ctx)
{
    size_t nh;
    holder *hs = holders_of(ctx, &nh);
    for (size_t h = 0; h < nh; h++) {
        slsec_finding *f = NULL;
        for (size_t p = 0; p < holder_policy_count(&hs[h]); p++) {
            const slsec_policy *pol = holder_policy(&hs[h], p);
            for (size_t si = 0; si < pol->statements.count; si++) {
                const slsec_statement *s = pol->statements.items[si];
                if (!slsec_statement_any_resource(s) || !grants_known(s, "iam:PassRole"))
                    continue;
                slsec_loc loc = loc_or(s->loc, hs[h].loc);
                const char *via = granting_pattern(ctx->arena, s, "iam:PassRole");
                if (f) {
                    slsec_finding_relate(f, loc,
                                         slsec_arena_printf(ctx->arena, "iam:PassRole on * also granted by %s",
                                                            policy_desc(ctx->arena, &hs[h], pol)));
                    continue;
                }
                f = slsec_report(ctx, hs[h].id, hs[h].type, loc, "iam:passrole",
                                 "%s may pass any role of the account (%s on %s)%s%s: code running with it can "
                                 "hand a more powerful role to a new function, instance or stack",
                                 hs[h].desc,
                                 strcasecmp(via, "iam:PassRole") == 0
                                     ? "iam:PassRole"
                                     : slsec_arena_printf(ctx->arena, "iam:PassRole through %s", via),
                                 resources_desc(ctx->arena, s), hs[h].to, through(ctx->arena, &hs[h], pol));
            }
        }
    }
}

/* ---- IAM-005: privilege escalation -------------------------------------------- */

/* Each of these lets a principal raise its own permissions (or mint
 * credentials for another identity) on its own. */
static const char *const escalation_actions[] = {
    "iam:CreatePolicyVersion",  "iam:SetDefaultPolicyVersion", "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",     "iam:AttachGroupPolicy",       "iam:PutRolePolicy",
    "iam:PutUserPolicy",        "iam:PutGroupPolicy",          "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",      "iam:CreateLoginProfile",      "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
};

typedef struct grant_hit {
    const slsec_statement *s;
    const slsec_policy *pol;
} grant_hit;

/* The first statement of the holder granting `action` (on any resource
 * when star_only is false, on "*" otherwise). */
static bool holder_grants(const holder *h, const char *action, bool star_only, grant_hit *hit)
{
    for (size_t p = 0; p < holder_policy_count(h); p++) {
        const slsec_policy *pol = holder_policy(h, p);
        for (size_t si = 0; si < pol->statements.count; si++) {
            const slsec_statement *s = pol->statements.items[si];
            if (star_only && !slsec_statement_any_resource(s))
                continue;
            if (grants_known(s, action)) {
                if (hit) {
                    hit->s = s;
                    hit->pol = pol;
                }
                return true;
            }
        }
    }
    return false;
}

static void relate_once(slsec_finding *f, slsec_loc loc, const char *msg)
{
    if (f->loc.file == loc.file && f->loc.line == loc.line && f->loc.col == loc.col)
        return;
    for (size_t i = 0; i < f->related_count; i++)
        if (f->related[i].file == loc.file && f->related[i].line == loc.line && f->related[i].col == loc.col)
            return;
    slsec_finding_relate(f, loc, msg);
}

static void check_escalation(slsec_check_ctx *ctx)
{
    size_t nh;
    holder *hs = holders_of(ctx, &nh);
    size_t nesc = sizeof escalation_actions / sizeof escalation_actions[0];
    for (size_t h = 0; h < nh; h++) {
        const char **found = slsec_arena_alloc(ctx->arena, (nesc + 2) * sizeof *found);
        grant_hit *hits = slsec_arena_alloc(ctx->arena, (nesc + 2) * sizeof *hits);
        size_t n = 0;
        for (size_t i = 0; i < nesc; i++)
            if (holder_grants(&hs[h], escalation_actions[i], false, &hits[n]))
                found[n++] = escalation_actions[i];
        /* A new or rewritten function runs with whatever role is passed to it. */
        grant_hit code_hit, pass_hit;
        const char *code_action = NULL;
        if (holder_grants(&hs[h], "lambda:CreateFunction", false, &code_hit))
            code_action = "lambda:CreateFunction";
        else if (holder_grants(&hs[h], "lambda:UpdateFunctionCode", false, &code_hit))
            code_action = "lambda:UpdateFunctionCode";
        if (code_action && holder_grants(&hs[h], "iam:PassRole", false, &pass_hit)) {
            hits[n] = code_hit;
            found[n++] = slsec_arena_printf(ctx->arena, "%s with iam:PassRole", code_action);
        }
        if (holder_grants(&hs[h], "sts:AssumeRole", true, &hits[n]))
            found[n++] = "sts:AssumeRole on *";
        if (!n)
            continue;
        slsec_finding *f = slsec_report(ctx, hs[h].id, hs[h].type, loc_or(hits[0].s->loc, hs[h].loc),
                                        "privilege-escalation",
                                        "%s%s can escalate its own privileges: it is granted %s",
                                        hs[h].desc, hs[h].by, actions_list(ctx->arena, found, n));
        for (size_t i = 1; i < n; i++)
            relate_once(f, loc_or(hits[i].s->loc, hs[h].loc),
                        slsec_arena_printf(ctx->arena, "%s granted by %s", found[i],
                                           policy_desc(ctx->arena, &hs[h], hits[i].pol)));
    }
}

/* ---- IAM-006: Allow with NotAction / NotResource ----------------------------- */

static void check_not_action(slsec_check_ctx *ctx)
{
    size_t nh;
    holder *hs = holders_of(ctx, &nh);
    for (size_t h = 0; h < nh; h++) {
        for (size_t p = 0; p < holder_policy_count(&hs[h]); p++) {
            const slsec_policy *pol = holder_policy(&hs[h], p);
            for (size_t si = 0; si < pol->statements.count; si++) {
                const slsec_statement *s = pol->statements.items[si];
                if (!s->allow || (!s->not_action && !s->not_resource))
                    continue;
                const char *acts;
                if (s->not_action) {
                    const char **items = slsec_arena_alloc(ctx->arena, (s->actions.count + 1) * sizeof *items);
                    for (size_t i = 0; i < s->actions.count; i++)
                        items[i] = node_text(s->actions.items[i]);
                    acts = slsec_arena_printf(ctx->arena, "every action except %s",
                                              s->actions.count ? actions_list(ctx->arena, items, s->actions.count)
                                                               : "none");
                } else {
                    const char **items = slsec_arena_alloc(ctx->arena, (s->actions.count + 1) * sizeof *items);
                    for (size_t i = 0; i < s->actions.count; i++)
                        items[i] = node_text(s->actions.items[i]);
                    acts = actions_list(ctx->arena, items, s->actions.count);
                }
                slsec_report(ctx, hs[h].id, hs[h].type, loc_or(s->loc, hs[h].loc),
                             statement_key(ctx->arena, pol, s, s->not_action ? "notaction" : "notresource"),
                             "%s allows %s on %s%s%s (Allow with %s): whatever AWS adds later is granted too",
                             hs[h].desc, acts, resources_desc(ctx->arena, s), hs[h].to,
                             through(ctx->arena, &hs[h], pol),
                             s->not_action && s->not_resource ? "NotAction and NotResource"
                             : s->not_action                  ? "NotAction"
                                                              : "NotResource");
            }
        }
    }
}

/* ---- IAM-007: one role for several functions ------------------------------------ */

static void check_shared_role(slsec_check_ctx *ctx)
{
    const slsec_app *app = ctx->app;
    for (size_t i = 0; i < app->roles.count; i++) {
        const slsec_role *role = app->roles.items[i];
        if (role->functions.count < 2)
            continue;
        slsec_finding *f = slsec_report(
            ctx, role->id, "AWS::IAM::Role", role->loc, "shared",
            "role %s is shared by %zu functions (%s): a flaw in any of them hands all of its permissions to the "
            "attacker, and none can be narrowed to what it alone needs",
            role->id, role->functions.count, names_list(ctx->arena, &role->functions));
        for (size_t k = 0; k < role->functions.count; k++) {
            const slsec_function *fn = role->functions.items[k];
            slsec_finding_relate(f, fn->loc, slsec_arena_printf(ctx->arena, "function %s uses %s", fn->id, role->id));
        }
    }
}

/* ---- IAM-008: trust policy open to anyone ---------------------------------------- */

/* Condition keys that tie an "anyone" trust to a known account, organisation,
 * source or shared secret. */
static const char *const trust_keys[] = {
    "sts:ExternalId",       "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount",
    "aws:PrincipalArn",     "aws:SourceAccount",  "aws:SourceArn",         "aws:SourceOrgID",
    "aws:SourceOrgPaths",
};

static bool trust_restricted(const slsec_node *cond)
{
    if (!cond)
        return false;
    if (!slsec_node_is_map(cond))
        return true; /* unknowable: not ours to judge */
    for (size_t i = 0; i < cond->count; i++) {
        const slsec_node *ops = cond->items[2 * i + 1];
        if (!slsec_node_is_map(ops))
            return true;
        for (size_t k = 0; k < ops->count; k++) {
            const char *key = ops->items[2 * k]->str;
            for (size_t t = 0; key && t < sizeof trust_keys / sizeof trust_keys[0]; t++)
                if (strcasecmp(key, trust_keys[t]) == 0)
                    return true;
        }
    }
    return false;
}

static void check_open_trust(slsec_check_ctx *ctx)
{
    const slsec_app *app = ctx->app;
    for (size_t i = 0; i < app->roles.count; i++) {
        const slsec_role *role = app->roles.items[i];
        holder h;
        role_holder(ctx->arena, role, &h);
        slsec_finding *f = NULL;
        for (size_t si = 0; si < role->trust.count; si++) {
            const slsec_statement *s = role->trust.items[si];
            if (!s->allow || !(s->principal_any || s->not_principal) || trust_restricted(s->condition))
                continue;
            slsec_loc loc = loc_or(s->loc, role->loc);
            if (f) {
                slsec_finding_relate(f, loc, "another trust statement open to any principal");
                continue;
            }
            f = slsec_report(ctx, role->id, "AWS::IAM::Role", loc, "trust",
                             "%s can be assumed by %s, with no sts:ExternalId, aws:PrincipalOrgID, "
                             "aws:SourceAccount or aws:SourceArn condition: anyone with an AWS account gets the "
                             "permissions it gives%s",
                             h.desc,
                             s->not_principal ? "every principal but the ones NotPrincipal lists"
                                              : "any AWS principal (Principal \"*\")",
                             *h.to ? h.to : "");
        }
    }
}

/* ---- IAM-009 / IAM-010 / IAM-011: IAM users ------------------------------------------ */

/* Does a Condition block test MFA (aws:MultiFactorAuthPresent / Age)? */
static bool condition_tests_mfa(const slsec_node *cond)
{
    for (size_t i = 0; slsec_node_is_map(cond) && i < cond->count; i++) {
        const slsec_node *ops = cond->items[2 * i + 1];
        for (size_t k = 0; slsec_node_is_map(ops) && k < ops->count; k++) {
            const char *key = ops->items[2 * k]->str;
            if (key && (!strcasecmp(key, "aws:MultiFactorAuthPresent") || !strcasecmp(key, "aws:MultiFactorAuthAge")))
                return true;
        }
    }
    return false;
}

static bool user_requires_mfa(const slsec_user *u)
{
    for (size_t i = 0; i < u->policies.count; i++) {
        const slsec_policy *p = u->policies.items[i];
        for (size_t k = 0; k < p->statements.count; k++)
            if (condition_tests_mfa(((const slsec_statement *)p->statements.items[k])->condition))
                return true;
    }
    return false;
}

static void check_console_mfa(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->iam_users.count; i++) {
        const slsec_user *u = ctx->app->iam_users.items[i];
        if (!u->console_access || u->policies_unknown || user_requires_mfa(u))
            continue;
        slsec_report(ctx, u->id, "AWS::IAM::User", loc_or(u->login_loc, u->loc), "console-mfa",
                     "IAM user %s has a console password (LoginProfile) and none of its policies or its groups' "
                     "requires MFA (aws:MultiFactorAuthPresent): a phished or reused password is enough to sign "
                     "in with everything the user may do",
                     u->id);
    }
}

static void check_user_policies(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->iam_users.count; i++) {
        const slsec_user *u = ctx->app->iam_users.items[i];
        if (!u->direct_policies)
            continue;
        slsec_report(ctx, u->id, "AWS::IAM::User", loc_or(u->direct_loc, u->loc), "direct-policies",
                     "IAM user %s has %zu polic%s attached directly: permissions granted person by person drift "
                     "apart and are missed in reviews; grant them through a group or a role",
                     u->id, u->direct_policies, u->direct_policies == 1 ? "y" : "ies");
    }
}

static void check_access_keys(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->iam_users.count; i++) {
        const slsec_user *u = ctx->app->iam_users.items[i];
        if (!u->access_key)
            continue;
        slsec_finding *f = slsec_report(
            ctx, u->access_key, "AWS::IAM::AccessKey", loc_or(u->access_key_loc, u->loc), "access-key",
            "access key %s gives IAM user %s long-lived credentials created by the stack: the secret key passes "
            "through CloudFormation (outputs, other resources) and stays valid until someone rotates it by hand",
            u->access_key, u->id);
        slsec_finding_relate(f, u->loc, slsec_arena_printf(ctx->arena, "user %s", u->id));
    }
}

/* ---- IAM-012: role trusted by another account without a condition ------------------- */

/* "AWS:123456789012" or "AWS:arn:aws:iam::123456789012:root": a whole
 * account with a literal id (a symbolic ${AWS::AccountId} is not judged). */
static bool whole_account(const char *p)
{
    if (!slsec_str_has_prefix(p, "AWS:"))
        return false;
    p += 4;
    const char *id = p;
    if (slsec_str_has_prefix(p, "arn:")) {
        const char *c = strstr(p, ":iam::");
        if (!c || !slsec_str_has_suffix(p, ":root"))
            return false;
        id = c + 6;
    }
    size_t n = 0;
    while (id[n] >= '0' && id[n] <= '9')
        n++;
    return n == 12 && (id[n] == '\0' || id[n] == ':');
}

static void check_cross_account_trust(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->roles.count; i++) {
        const slsec_role *role = ctx->app->roles.items[i];
        for (size_t si = 0; si < role->trust.count; si++) {
            const slsec_statement *s = role->trust.items[si];
            if (!s->allow || s->principal_any || s->not_principal || trust_restricted(s->condition))
                continue;
            for (size_t k = 0; k < s->principals.count; k++) {
                const char *p = s->principals.items[k];
                if (!whole_account(p))
                    continue;
                slsec_report(ctx, role->id, "AWS::IAM::Role", loc_or(s->loc, role->loc), p,
                             "role %s can be assumed by any identity of account %s that its administrators allow, "
                             "with no sts:ExternalId or aws:PrincipalOrgID condition: a third party's other "
                             "customers, or anyone who compromises that account, can use it",
                             role->id, p + 4);
            }
        }
    }
}

/* ---- IAM-013 / IAM-014 / IAM-015 / IAM-016: Cognito ------------------------------------ */

static void check_pool_mfa(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->user_pools.count; i++) {
        const slsec_user_pool *p = ctx->app->user_pools.items[i];
        if (!p->mfa || strcasecmp(p->mfa, "OFF") != 0)
            continue;
        slsec_report(ctx, p->id, "AWS::Cognito::UserPool", loc_or(p->mfa_loc, p->loc), "mfa",
                     "user pool %s has MfaConfiguration OFF%s: users cannot add a second factor, so a stolen or "
                     "guessed password is a taken account",
                     p->id, p->mfa_loc.line == p->loc.line ? " (the default)" : "");
    }
}

/* Weak: shorter than 8, or shorter than 12 with fewer than three of the four
 * character classes required. Unknown parts stay silent. */
static void check_pool_password(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->user_pools.count; i++) {
        const slsec_user_pool *p = ctx->app->user_pools.items[i];
        if (p->min_length == SLSEC_NUM_UNKNOWN)
            continue;
        long len = p->min_length == SLSEC_NUM_UNSET ? 8 : p->min_length;
        slsec_tri cls[4] = {p->require_upper, p->require_lower, p->require_numbers, p->require_symbols};
        int required = 0;
        bool unknown = false;
        for (int k = 0; k < 4; k++) {
            required += cls[k] == SLSEC_YES;
            unknown = unknown || cls[k] == SLSEC_UNKNOWN;
        }
        bool weak = len < 8 || (len < 12 && required < 3 && !unknown);
        if (!weak)
            continue;
        slsec_report(ctx, p->id, "AWS::Cognito::UserPool", loc_or(p->password_loc, p->loc), "password-policy",
                     "user pool %s accepts weak passwords (minimum length %ld, %d of upper case, lower case, "
                     "numbers and symbols required): they fall to guessing and credential stuffing",
                     p->id, len, required);
    }
}

static void check_pool_advanced_security(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->user_pools.count; i++) {
        const slsec_user_pool *p = ctx->app->user_pools.items[i];
        if (!p->advanced_security || strcasecmp(p->advanced_security, "OFF") != 0)
            continue;
        slsec_report(ctx, p->id, "AWS::Cognito::UserPool", p->loc, "advanced-security",
                     "user pool %s does not enable threat protection (UserPoolAddOns.AdvancedSecurityMode is "
                     "OFF): sign-ins with leaked credentials or from unusual places are neither detected nor "
                     "challenged",
                     p->id);
    }
}

static void check_identity_pool_guests(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->identity_pools.count; i++) {
        const slsec_identity_pool *p = ctx->app->identity_pools.items[i];
        if (p->unauthenticated != SLSEC_YES)
            continue;
        slsec_report(ctx, p->id, "AWS::Cognito::IdentityPool", loc_or(p->unauth_loc, p->loc), "guests",
                     "identity pool %s allows unauthenticated identities: anyone can obtain AWS credentials for "
                     "its unauthenticated role, without signing in",
                     p->id);
    }
}

/* ---- the table ----------------------------------------------------------------- */

const slsec_rule slsec_rules_iam[] = {
    {
        .id = "IAM-001",
        .family = "IAM",
        .severity = SLSEC_SEV_HIGH,
        .title = "IAM policy grants wildcard actions",
        .why = "An Allow statement with Action \"*\" or \"service:*\" grants every action of every service (or "
               "of one service), including the ones that delete data, change permissions or disable logging, "
               "and every action AWS adds later. A function holding such a role turns any code-execution or "
               "injection flaw into control of those services, and no reviewer can tell from the policy what "
               "the function actually needs.",
        .fix = "List the exact actions the function calls (dynamodb:GetItem, dynamodb:PutItem, ...) instead of a "
               "wildcard; SAM policy templates such as DynamoDBCrudPolicy give a scoped set in one line.",
        .snippet = "Policies:\n"
                   "  - Statement:\n"
                   "      - Effect: Allow\n"
                   "        Action:\n"
                   "          - dynamodb:GetItem\n"
                   "          - dynamodb:PutItem\n"
                   "        Resource: !GetAtt OrdersTable.Arn\n",
        .cwe = "CWE-250 CWE-269",
        .owasp = "SAS-4",
        .checkov = "CKV_AWS_62 CKV_AWS_63",
        .cfn_nag = "F3 F4 F5",
        .cdk_nag = "AwsSolutions-IAM5",
        .check = check_wildcard_actions,
    },
    {
        .id = "IAM-002",
        .family = "IAM",
        .severity = SLSEC_SEV_HIGH,
        .title = "Write or permissions-management actions on Resource \"*\"",
        .why = "Write actions (Put, Create, Delete, Update, Send, Publish, Invoke, Attach, ...) granted on "
               "Resource \"*\" apply to every bucket, table, queue, function or role of the account, not only "
               "the ones the function was written for. A compromised function can then overwrite or delete "
               "other applications' data, publish to their topics or change their permissions. What counts "
               "as writing is AWS's own access level of each action (Write, Permissions management, Tagging: "
               "kms:Decrypt and apigateway:POST are writes, sqs:ReceiveMessage is not), from the IAM action "
               "table slsec carries; wildcards are expanded against it. The log and trace actions of Lambda's "
               "basic execution role, which accept no narrower resource, are not reported.",
        .fix = "Name the resources in the statement (an ARN, !GetAtt Table.Arn, !Sub \"${Bucket.Arn}/*\"); keep "
               "\"*\" only for actions that cannot be scoped.",
        .snippet = "Policies:\n"
                   "  - Statement:\n"
                   "      - Effect: Allow\n"
                   "        Action: s3:PutObject\n"
                   "        Resource: !Sub \"${UploadsBucket.Arn}/incoming/*\"\n",
        .cwe = "CWE-732 CWE-250",
        .owasp = "SAS-4",
        .checkov = "CKV_AWS_111 CKV_AWS_109 CKV_AWS_290 CKV_AWS_289",
        .cfn_nag = "W11 W12 W13",
        .cdk_nag = "AwsSolutions-IAM5",
        .check = check_wildcard_resources,
    },
    {
        .id = "IAM-003",
        .family = "IAM",
        .severity = SLSEC_SEV_HIGH,
        .title = "AWS managed admin-like policy attached",
        .why = "AWS managed policies such as AdministratorAccess, PowerUserAccess, IAMFullAccess or the "
               "*FullAccess policies of data services (AmazonS3FullAccess, AmazonDynamoDBFullAccess, "
               "SecretsManagerReadWrite, ...) grant every action of a service on every resource of the "
               "account. Attached to a function's role they give anyone who can run code in the function the "
               "same reach, and AWS may widen them at any time.",
        .fix = "Replace the managed policy with statements (or SAM policy templates) naming only the actions and "
               "resources the function uses.",
        .snippet = "Policies:\n"
                   "  # instead of AmazonDynamoDBFullAccess\n"
                   "  - DynamoDBCrudPolicy:\n"
                   "      TableName: !Ref OrdersTable\n",
        .cwe = "CWE-250 CWE-269",
        .owasp = "SAS-4",
        .checkov = "CKV_AWS_274",
        .cfn_nag = "W43",
        .cdk_nag = "AwsSolutions-IAM4",
        .check = check_admin_policies,
    },
    {
        .id = "IAM-004",
        .family = "IAM",
        .severity = SLSEC_SEV_CRITICAL,
        .title = "iam:PassRole on Resource \"*\"",
        .why = "iam:PassRole lets a principal hand a role to a service: a new Lambda function, an EC2 instance, "
               "a CloudFormation stack. Granted on \"*\" (directly, through iam:* or *), it lets code running "
               "in the function create a resource that runs with the most powerful role of the account, a "
               "classic privilege escalation path.",
        .fix = "Grant iam:PassRole only on the ARNs of the roles the function must pass, and restrict the "
               "receiving service with the iam:PassedToService condition.",
        .snippet = "- Effect: Allow\n"
                   "  Action: iam:PassRole\n"
                   "  Resource: !GetAtt WorkerRole.Arn\n"
                   "  Condition:\n"
                   "    StringEquals:\n"
                   "      iam:PassedToService: lambda.amazonaws.com\n",
        .cwe = "CWE-269 CWE-250",
        .owasp = "SAS-4",
        .checkov = "",
        .cfn_nag = "F38 F39 F40",
        .cdk_nag = "AwsSolutions-IAM5",
        .check = check_passrole,
    },
    {
        .id = "IAM-005",
        .family = "IAM",
        .severity = SLSEC_SEV_CRITICAL,
        .title = "Role can escalate its own privileges",
        .why = "Some IAM actions let their holder give itself more permissions: writing or attaching policies "
               "(iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion, ...), rewriting a trust "
               "policy, minting access keys or console passwords for users, or creating and rewriting Lambda "
               "functions while being able to pass them a role. Whoever runs code in a function holding any of "
               "them can become an administrator of the account.",
        .fix = "Remove the IAM-writing actions from function roles; deployments, not functions, should change "
               "IAM. If a function must manage IAM, scope it to named resources and a permissions boundary.",
        .snippet = "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    PermissionsBoundary: !Sub arn:aws:iam::${AWS::AccountId}:policy/FunctionBoundary\n"
                   "    Policies:\n"
                   "      - DynamoDBReadPolicy:\n"
                   "          TableName: !Ref OrdersTable\n",
        .cwe = "CWE-269",
        .owasp = "SAS-4",
        .checkov = "CKV_AWS_110 CKV_AWS_286",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_escalation,
    },
    {
        .id = "IAM-006",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Allow statement with NotAction or NotResource",
        .why = "Allow with NotAction grants every action except the listed ones, and Allow with NotResource "
               "grants on every resource except the listed ones. Both are usually far wider than intended, and "
               "every action or resource AWS adds later is granted automatically.",
        .fix = "Rewrite the statement as an Allow that lists the actions and resources; use an explicit Deny "
               "statement if some must be excluded.",
        .snippet = "- Effect: Allow\n"
                   "  Action:\n"
                   "    - sqs:SendMessage\n"
                   "  Resource: !GetAtt JobsQueue.Arn\n",
        .cwe = "CWE-732 CWE-250",
        .owasp = "SAS-4",
        .checkov = "",
        .cfn_nag = "W15 W16 W17 W21 W22 W23",
        .cdk_nag = "",
        .check = check_not_action,
    },
    {
        .id = "IAM-007",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "One role shared by several functions",
        .why = "When functions share a role, each holds the union of what all of them need: a flaw in the "
               "smallest function exposes the permissions of the most powerful one, and the role can never be "
               "reduced to one function's needs. Each function should have its own identity.",
        .fix = "Give every function its own role (in SAM, drop Role: and list each function's Policies; SAM "
               "then generates one role per function).",
        .snippet = "CreateOrder:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    Policies:\n"
                   "      - DynamoDBWritePolicy:\n"
                   "          TableName: !Ref OrdersTable\n"
                   "GetOrder:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    Policies:\n"
                   "      - DynamoDBReadPolicy:\n"
                   "          TableName: !Ref OrdersTable\n",
        .cwe = "CWE-250",
        .owasp = "SAS-4",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_shared_role,
    },
    {
        .id = "IAM-008",
        .family = "IAM",
        .severity = SLSEC_SEV_CRITICAL,
        .title = "Role trust policy open to any principal",
        .why = "A trust policy with Principal \"*\" (or {\"AWS\": \"*\"}) lets any AWS identity of any account "
               "call sts:AssumeRole and receive the role's credentials, unless a condition ties it to an "
               "external id, an organisation, an account or a source. Whatever the role can do, the whole "
               "internet can do.",
        .fix = "Name the service or account that may assume the role in Principal, or add a condition on "
               "sts:ExternalId, aws:PrincipalOrgID or aws:SourceAccount.",
        .snippet = "AssumeRolePolicyDocument:\n"
                   "  Version: \"2012-10-17\"\n"
                   "  Statement:\n"
                   "    - Effect: Allow\n"
                   "      Principal:\n"
                   "        Service: lambda.amazonaws.com\n"
                   "      Action: sts:AssumeRole\n",
        .cwe = "CWE-284 CWE-732",
        .owasp = "SAS-4",
        .checkov = "CKV_AWS_60",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_open_trust,
    },
    {
        .id = "IAM-009",
        .family = "IAM",
        .severity = SLSEC_SEV_HIGH,
        .title = "IAM user with console access and no MFA requirement",
        .why = "An IAM user with a LoginProfile signs in to the console with a password alone unless a policy "
               "makes its permissions depend on MFA. Passwords are phished, reused and guessed; without a "
               "condition on aws:MultiFactorAuthPresent nothing forces the user to enrol an MFA device, and "
               "nothing stops a password-only session. CIS AWS Foundations asks for MFA on every console user.",
        .fix = "Prefer IAM Identity Center (SSO) to IAM users. Otherwise attach, through the user's group, a "
               "policy that denies everything except MFA self-service when aws:MultiFactorAuthPresent is false.",
        .snippet = "ConsoleUsers:\n"
                   "  Type: AWS::IAM::Group\n"
                   "  Properties:\n"
                   "    Policies:\n"
                   "      - PolicyName: require-mfa\n"
                   "        PolicyDocument:\n"
                   "          Statement:\n"
                   "            - Effect: Deny\n"
                   "              NotAction: [iam:ChangePassword, iam:CreateVirtualMFADevice, iam:EnableMFADevice,\n"
                   "                          iam:ListMFADevices, iam:ResyncMFADevice, sts:GetSessionToken]\n"
                   "              Resource: \"*\"\n"
                   "              Condition:\n"
                   "                BoolIfExists:\n"
                   "                  aws:MultiFactorAuthPresent: false\n",
        .cwe = "CWE-308",
        .owasp = "SAS-2",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_console_mfa,
    },
    {
        .id = "IAM-010",
        .family = "IAM",
        .severity = SLSEC_SEV_LOW,
        .title = "IAM user with policies attached directly",
        .why = "Policies attached to individual users (inline Policies, ManagedPolicyArns, or AWS::IAM::Policy "
               "resources naming the user) make every person's permissions a special case: they drift apart, "
               "survive role changes and are easy to miss in access reviews. Groups and roles keep permissions "
               "defined once and granted by membership.",
        .fix = "Move the policies to a group (or a role the user assumes) and add the user to it.",
        .snippet = "Developers:\n"
                   "  Type: AWS::IAM::Group\n"
                   "  Properties:\n"
                   "    ManagedPolicyArns:\n"
                   "      - !Ref DeveloperPolicy\n"
                   "Alice:\n"
                   "  Type: AWS::IAM::User\n"
                   "  Properties:\n"
                   "    Groups: [!Ref Developers]\n",
        .cwe = "CWE-269",
        .owasp = "SAS-4",
        .checkov = "CKV_AWS_40",
        .cfn_nag = "F10",
        .cdk_nag = "",
        .check = check_user_policies,
    },
    {
        .id = "IAM-011",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Long-lived access key created by the template",
        .why = "An AWS::IAM::AccessKey creates a permanent credential whose secret passes through the stack "
               "(an output, a parameter, a secret or an environment variable that receives "
               "GetAtt SecretAccessKey) and stays valid until someone rotates it by hand. Serverless "
               "applications do not need them: functions get temporary credentials from their role, and "
               "outside callers can assume a role.",
        .fix = "Remove the access key; give the workload a role to assume (IAM Roles Anywhere, OIDC federation "
               "for CI, a cross-account role) instead.",
        .snippet = "CiDeployRole:\n"
                   "  Type: AWS::IAM::Role\n"
                   "  Properties:\n"
                   "    AssumeRolePolicyDocument:\n"
                   "      Statement:\n"
                   "        - Effect: Allow\n"
                   "          Principal:\n"
                   "            Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com\n"
                   "          Action: sts:AssumeRoleWithWebIdentity\n",
        .cwe = "CWE-798 CWE-324",
        .owasp = "SAS-7",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_access_keys,
    },
    {
        .id = "IAM-012",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Role trusts another whole account without an external id or organisation condition",
        .why = "A trust policy naming an account (its id or its root ARN) lets every identity of that account "
               "that its administrators allow assume the role. When the account is a vendor's, any of the "
               "vendor's other customers who learn the role ARN can ask the vendor to use it (the confused "
               "deputy problem, which sts:ExternalId solves); when it is your own organisation's, "
               "aws:PrincipalOrgID keeps the trust from outliving an account's move out of it.",
        .fix = "Add a condition on sts:ExternalId (for third parties) or aws:PrincipalOrgID, or trust a specific "
               "role ARN of the other account rather than the whole account.",
        .snippet = "VendorAuditRole:\n"
                   "  Type: AWS::IAM::Role\n"
                   "  Properties:\n"
                   "    AssumeRolePolicyDocument:\n"
                   "      Statement:\n"
                   "        - Effect: Allow\n"
                   "          Principal:\n"
                   "            AWS: arn:aws:iam::111122223333:root\n"
                   "          Action: sts:AssumeRole\n"
                   "          Condition:\n"
                   "            StringEquals:\n"
                   "              sts:ExternalId: !Ref VendorExternalId\n",
        .cwe = "CWE-441 CWE-284",
        .owasp = "SAS-4",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_cross_account_trust,
    },
    {
        .id = "IAM-013",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Cognito user pool without MFA",
        .why = "A user pool with MfaConfiguration OFF (the default) cannot ask for a second factor at all: the "
               "application's users are protected by their passwords only, which are phished, reused across "
               "sites and sprayed. OPTIONAL lets users protect themselves; ON requires it.",
        .fix = "Set MfaConfiguration to ON (or OPTIONAL) and enable software token MFA (and SMS if needed).",
        .snippet = "UserPool:\n"
                   "  Type: AWS::Cognito::UserPool\n"
                   "  Properties:\n"
                   "    MfaConfiguration: \"ON\"\n"
                   "    EnabledMfas:\n"
                   "      - SOFTWARE_TOKEN_MFA\n",
        .cwe = "CWE-308",
        .owasp = "SAS-2",
        .checkov = "",
        .cfn_nag = "F78",
        .cdk_nag = "AwsSolutions-COG2",
        .check = check_pool_mfa,
    },
    {
        .id = "IAM-014",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Cognito user pool with a weak password policy",
        .why = "Short passwords, or passwords under 12 characters with little variety, fall quickly to online "
               "guessing and credential stuffing, and Cognito's per-user lockout slows attackers only "
               "partially. A pool without PasswordPolicy gets Cognito's default (8 characters, all four "
               "character classes), which is not reported; a policy that lowers it is. slsec calls a policy "
               "weak below 8 characters, or below 12 with fewer than three character classes required.",
        .fix = "Require at least 12 characters (or 8 with upper case, lower case, numbers and symbols), and "
               "add MFA (IAM-013).",
        .snippet = "UserPool:\n"
                   "  Type: AWS::Cognito::UserPool\n"
                   "  Properties:\n"
                   "    Policies:\n"
                   "      PasswordPolicy:\n"
                   "        MinimumLength: 12\n"
                   "        RequireLowercase: true\n"
                   "        RequireUppercase: true\n"
                   "        RequireNumbers: true\n"
                   "        RequireSymbols: true\n",
        .cwe = "CWE-521",
        .owasp = "SAS-2",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-COG1",
        .check = check_pool_password,
    },
    {
        .id = "IAM-015",
        .family = "IAM",
        .severity = SLSEC_SEV_LOW,
        .title = "Cognito user pool without threat protection",
        .why = "Cognito's threat protection (advanced security) checks sign-ins against leaked-credential "
               "lists and scores each one for risk (new device, location, impossible travel), then blocks or "
               "challenges it. Without it, a correct stolen password is indistinguishable from the real user. "
               "It is billed per active user, which is why it is reported as low.",
        .fix = "Set UserPoolAddOns.AdvancedSecurityMode to ENFORCED (or AUDIT to start by observing).",
        .snippet = "UserPool:\n"
                   "  Type: AWS::Cognito::UserPool\n"
                   "  Properties:\n"
                   "    UserPoolAddOns:\n"
                   "      AdvancedSecurityMode: ENFORCED\n",
        .cwe = "CWE-307",
        .owasp = "SAS-2",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-COG3",
        .check = check_pool_advanced_security,
    },
    {
        .id = "IAM-016",
        .family = "IAM",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Cognito identity pool allows unauthenticated identities",
        .why = "With AllowUnauthenticatedIdentities, anyone on the internet can call GetId and "
               "GetCredentialsForIdentity and receive temporary AWS credentials for the pool's unauthenticated "
               "role, no sign-in needed. Whatever that role may do — read a bucket, invoke a function, put "
               "records on a stream — is public, and is often broader than intended.",
        .fix = "Turn unauthenticated identities off, or keep the unauthenticated role to the few actions that "
               "truly must be public, on named resources.",
        .snippet = "IdentityPool:\n"
                   "  Type: AWS::Cognito::IdentityPool\n"
                   "  Properties:\n"
                   "    AllowUnauthenticatedIdentities: false\n"
                   "    CognitoIdentityProviders:\n"
                   "      - ClientId: !Ref UserPoolClient\n"
                   "        ProviderName: !GetAtt UserPool.ProviderName\n",
        .cwe = "CWE-306",
        .owasp = "SAS-2",
        .checkov = "CKV_AWS_366",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-COG7",
        .check = check_identity_pool_guests,
    },
};
SLSEC_FAMILY_END(iam)
