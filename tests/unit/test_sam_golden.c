/*
 * test_sam_golden.c — the model against SAM's own golden translations.
 *
 * The SAM transform's test suite pairs each input template with the
 * CloudFormation SAM generates from it (../shared/data/sam-translator:
 * input/NAME.yaml, output/NAME.json; error_* inputs are invalid on purpose).
 * For every valid input, in sorted order, this test loads the template with
 * slsec_load_cfn and checks that the model holds what SAM creates for each
 * AWS::Serverless::Function:
 *   a) the function, with the settings rules read (Runtime, Timeout,
 *      MemorySize, ReservedConcurrentExecutions, tracing, VPC, dead-letter
 *      queue) as SAM writes them after merging Globals;
 *   b) when SAM generates "<Function>Role", that implicit role on the
 *      function, trusting the same services, with the same AWS managed
 *      policies and the same actions in its inline policies (policy
 *      templates, inline statements, and what SAM adds for event sources,
 *      dead-letter queues and destinations);
 *   c) one trigger per entry of its Events, at the event, of API kind for
 *      Api/HttpApi events; any other trigger comes from a resource.
 * Where SAM keeps an Fn::If, the model must hold one branch whole (it takes
 * the branch a decidable condition picks, both otherwise); actions and
 * managed policies SAM leaves to deploy time (intrinsics) are not compared.
 * Mismatches are listed (file: function: what differs) and counted.
 *
 * A second test loads every input, error_* included, and asserts that
 * loading returns SLSEC_OK or an error at a line, never more (run under
 * ASan+UBSan in `make test`). A third checks the same loader rules on a
 * small inline template, so a clone without the data still tests them.
 *
 * The data lives outside the repository: without ../shared the first two
 * tests skip.
 */
#include "slsec/load.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#define DATA_DIR SLSEC_SOURCE_DIR "/../shared/data/sam-translator"

/* Inputs the model does not follow, each with why. Keep this short: where
 * the model is simply wrong, fix the loader instead. An entry whose input
 * comes to match is reported, so the list cannot go stale. */
#define LIBFYAML_EMPTY_ENTRY                                                              \
    "libfyaml 0.7.12 rejects valid YAML here: an empty block-sequence entry ('- ' then " \
    "a comment line) at its parent key's indentation, followed by a sibling key; "      \
    "slsec reports the parse error at 27:19 (the second test checks it has a line)"
static const struct {
    const char *file;
    const char *reason;
} allowlist[] = {
    {"api_with_security_definition_and_components.yaml", LIBFYAML_EMPTY_ENTRY},
    {"api_with_security_definition_and_no_components.yaml", LIBFYAML_EMPTY_ENTRY},
    {"api_with_security_definition_and_none_components.yaml", LIBFYAML_EMPTY_ENTRY},
    {NULL, NULL},
};

static const char *allowed_reason(const char *file)
{
    for (size_t i = 0; allowlist[i].file; i++)
        if (!strcmp(allowlist[i].file, file))
            return allowlist[i].reason;
    return NULL;
}

/* ---- small helpers ---------------------------------------------------------- */

static bool data_present(void)
{
    struct stat st;
    return stat(DATA_DIR "/input", &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml names of input/, sorted; the caller frees each and the list. */
static char **list_inputs(size_t *count)
{
    DIR *d = opendir(DATA_DIR "/input");
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names;
}

static void free_list(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* A set of strings compared without regard to case; small, so linear. */
typedef struct strset {
    char **items;
    size_t count, cap;
} strset;

static bool set_has(const strset *s, const char *v)
{
    for (size_t i = 0; i < s->count; i++)
        if (slsec_str_eq_ci(s->items[i], v))
            return true;
    return false;
}

static void set_add(strset *s, const char *v)
{
    if (!v || set_has(s, v))
        return;
    if (s->count == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        assert_non_null(s->items);
    }
    s->items[s->count] = strdup(v);
    assert_non_null(s->items[s->count]);
    s->count++;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* What a run found wrong, one line per difference. */
typedef struct report {
    slsec_buf text;
    size_t mismatches;
} report;

static void mismatch(report *rep, const char *file, const char *fn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void mismatch(report *rep, const char *file, const char *fn, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_buf_printf(&rep->text, "  %s: %s: %s\n", file, fn ? fn : "-", msg);
    rep->mismatches++;
}

/* The one intrinsic of a JSON value ({"Fn::If": ...}), or NULL. */
static const char *json_intrinsic(json_t *v, json_t **arg)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    const char *k;
    json_t *a;
    json_object_foreach(v, k, a) {
        if (!strcmp(k, "Ref") || !strncmp(k, "Fn::", 4)) {
            *arg = a;
            return k;
        }
    }
    return NULL;
}

/* The branches of {"Fn::If": [cond, a, b]}, or false. */
static bool json_if(json_t *v, json_t **then, json_t **otherwise)
{
    json_t *arg;
    const char *fn = json_intrinsic(v, &arg);
    if (!fn || strcmp(fn, "Fn::If") != 0 || !json_is_array(arg) || json_array_size(arg) != 3)
        return false;
    *then = json_array_get(arg, 1);
    *otherwise = json_array_get(arg, 2);
    return true;
}

/* ---- what SAM generated ---------------------------------------------------------- */

/* An AWS managed policy name from an output ManagedPolicyArns entry:
 * "arn:aws:iam::aws:policy/service-role/X" or its Fn::Sub form with
 * ${AWS::Partition} → "service-role/X"; a bare name SAM passed through is
 * itself. NULL for customer policies and values known only at deploy time. */
static const char *aws_managed_name(json_t *v)
{
    json_t *arg;
    const char *fn = json_intrinsic(v, &arg);
    const char *s = NULL;
    if (json_is_string(v))
        s = json_string_value(v);
    else if (fn && !strcmp(fn, "Fn::Sub") && json_is_string(arg))
        s = json_string_value(arg);
    if (!s)
        return NULL;
    const char *p = strstr(s, ":iam::aws:policy/");
    if (p && !strncmp(s, "arn:", 4))
        return p + strlen(":iam::aws:policy/");
    if (!strchr(s, ':') && !strchr(s, '$') && !strchr(s, '{'))
        return s;
    return NULL;
}

/* SAM keeps Fn::If where the template has one: the model decides the
 * condition when the template alone does and keeps both branches when it
 * cannot, so it must hold at least one branch whole. */
typedef struct choice {
    bool managed; /* a choice of managed policies, else of actions */
    strset then, otherwise;
} choice;

typedef struct expected {
    strset managed;          /* unconditional AWS managed policies */
    size_t managed_unknown;  /* entries SAM left to deploy time (Ref, Sub) */
    strset actions;          /* unconditional actions of the inline policies */
    strset optional;         /* everything under an Fn::If, for the "extra" check */
    choice *choices;         /* one per top-level Fn::If */
    size_t nchoices;
} expected;

static void expected_free(expected *e)
{
    set_free(&e->managed);
    set_free(&e->actions);
    set_free(&e->optional);
    for (size_t i = 0; i < e->nchoices; i++) {
        set_free(&e->choices[i].then);
        set_free(&e->choices[i].otherwise);
    }
    free(e->choices);
}

/* Everything below collects into `into` (NULL under a nested Fn::If: only
 * optional) and, under any Fn::If, into e->optional too. */
typedef void (*collect_fn)(json_t *v, strset *into, expected *e, bool conditional);
static void managed_entry(json_t *v, strset *into, expected *e, bool conditional);

static void collect_if(json_t *v, json_t *a, json_t *b, strset *into, expected *e, bool conditional,
                       collect_fn again)
{
    if (conditional || !into) {
        again(a, NULL, e, true);
        again(b, NULL, e, true);
        return;
    }
    e->choices = realloc(e->choices, (e->nchoices + 1) * sizeof *e->choices);
    assert_non_null(e->choices);
    choice *ch = &e->choices[e->nchoices++];
    memset(ch, 0, sizeof *ch);
    ch->managed = again == managed_entry;
    again(a, &ch->then, e, true);
    again(b, &ch->otherwise, e, true);
}

static void add_value(const char *prefix, const char *v, strset *into, expected *e, bool conditional)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s", prefix, v);
    if (into)
        set_add(into, buf);
    if (conditional)
        set_add(&e->optional, buf);
}

static void add_actions(json_t *actions, const char *prefix, strset *into, expected *e, bool conditional)
{
    json_t *one;
    size_t i;
    if (json_is_string(actions)) {
        add_value(prefix, json_string_value(actions), into, e, conditional);
        return;
    }
    if (!json_is_array(actions))
        return; /* an intrinsic: skipped, as the model may not know it either */
    json_array_foreach(actions, i, one) {
        if (json_is_string(one))
            add_value(prefix, json_string_value(one), into, e, conditional);
    }
}

static void statement_actions(json_t *st, strset *into, expected *e, bool conditional)
{
    json_t *a, *b;
    if (json_if(st, &a, &b)) {
        collect_if(st, a, b, into, e, conditional, statement_actions);
        return;
    }
    add_actions(json_object_get(st, "Action"), "", into, e, conditional);
    add_actions(json_object_get(st, "NotAction"), "not:", into, e, conditional);
}

static void statements_actions(json_t *stmts, strset *into, expected *e, bool conditional)
{
    json_t *a, *b;
    if (json_if(stmts, &a, &b)) {
        collect_if(stmts, a, b, into, e, conditional, statements_actions);
    } else if (json_is_array(stmts)) {
        size_t i;
        json_t *st;
        json_array_foreach(stmts, i, st)
            statement_actions(st, into, e, conditional);
    } else if (json_is_object(stmts)) {
        statement_actions(stmts, into, e, conditional);
    }
}

static void document_actions(json_t *doc, strset *into, expected *e, bool conditional)
{
    json_t *a, *b;
    if (json_if(doc, &a, &b)) {
        collect_if(doc, a, b, into, e, conditional, document_actions);
        return;
    }
    statements_actions(json_object_get(doc, "Statement"), into, e, conditional);
}

static void policy_actions(json_t *pol, strset *into, expected *e, bool conditional)
{
    json_t *a, *b;
    if (json_if(pol, &a, &b)) {
        collect_if(pol, a, b, into, e, conditional, policy_actions);
        return;
    }
    document_actions(json_object_get(pol, "PolicyDocument"), into, e, conditional);
}

static void managed_entry(json_t *v, strset *into, expected *e, bool conditional)
{
    json_t *a, *b, *arg;
    if (json_if(v, &a, &b)) {
        collect_if(v, a, b, into, e, conditional, managed_entry);
        return;
    }
    const char *name = aws_managed_name(v);
    if (name)
        add_value("", name, into, e, conditional);
    else if (json_intrinsic(v, &arg) && !conditional)
        e->managed_unknown++;
}

static void expected_role(json_t *role, expected *e)
{
    json_t *props = json_object_get(role, "Properties");
    json_t *arns = json_object_get(props, "ManagedPolicyArns");
    json_t *v;
    size_t i;
    if (json_is_array(arns)) {
        json_array_foreach(arns, i, v)
            managed_entry(v, &e->managed, e, false);
    } else if (arns) {
        managed_entry(arns, &e->managed, e, false);
    }
    json_t *pols = json_object_get(props, "Policies");
    if (json_is_array(pols)) {
        json_array_foreach(pols, i, v)
            policy_actions(v, &e->actions, e, false);
    } else if (pols) {
        policy_actions(pols, &e->actions, e, false);
    }
}

/* ---- what the model holds --------------------------------------------------------- */

static slsec_function *model_function(slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->functions.count; i++) {
        slsec_function *fn = app->functions.items[i];
        if (!strcmp(fn->id, id))
            return fn;
    }
    return NULL;
}

static void model_role(const slsec_role *role, strset *managed, strset *actions)
{
    for (size_t i = 0; i < role->policies.count; i++) {
        const slsec_policy *p = role->policies.items[i];
        if (p->kind == SLSEC_POLICY_AWS_MANAGED) {
            set_add(managed, p->name);
            continue;
        }
        if (p->kind != SLSEC_POLICY_INLINE && p->kind != SLSEC_POLICY_SAM_TEMPLATE)
            continue;
        for (size_t k = 0; k < p->statements.count; k++) {
            const slsec_statement *s = p->statements.items[k];
            for (size_t j = 0; j < s->actions.count; j++) {
                const slsec_node *n = s->actions.items[j];
                if (!n || (n->flags & SLSEC_NF_UNKNOWN) || n->kind != SLSEC_NODE_SCALAR)
                    continue;
                char buf[512];
                snprintf(buf, sizeof buf, "%s%s", s->not_action ? "not:" : "", n->str);
                set_add(actions, buf);
            }
        }
    }
}

/* ---- comparing ------------------------------------------------------------------- */

/* Lists what is in `want` but in neither `have` nor `also`, joined by ", ",
 * into buf; returns how many. */
static size_t count_missing(const strset *want, const strset *have, const strset *also, char *buf, size_t size)
{
    size_t used = 0, n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < want->count; i++) {
        if (set_has(have, want->items[i]) || (also && set_has(also, want->items[i])))
            continue;
        int w = snprintf(buf + used, size - used, "%s%s", n ? ", " : "", want->items[i]);
        if (w > 0 && (size_t)w < size - used)
            used += (size_t)w;
        n++;
    }
    return n;
}

static bool missing(const strset *want, const strset *have, const strset *also, char *buf, size_t size)
{
    return count_missing(want, have, also, buf, size) > 0;
}

/* The services SAM's role trusts (Principal.Service, string or list)
 * must be principals of the model's trust statements. */
static void compare_trust(report *rep, const char *file, const char *id, const slsec_role *role, json_t *doc)
{
    json_t *stmts = json_object_get(doc, "Statement"), *st;
    size_t i;
    if (json_is_object(stmts)) {
        stmts = json_pack("[O]", stmts);
    } else {
        json_incref(stmts);
    }
    json_array_foreach(stmts, i, st) {
        json_t *svc = json_object_get(json_object_get(st, "Principal"), "Service"), *one;
        json_t *list = json_is_string(svc) ? json_pack("[O]", svc) : json_incref(svc);
        size_t k;
        json_array_foreach(list, k, one) {
            if (!json_is_string(one))
                continue;
            char want[512];
            snprintf(want, sizeof want, "Service:%s", json_string_value(one));
            bool found = false;
            for (size_t t = 0; t < role->trust.count && !found; t++) {
                const slsec_statement *s = role->trust.items[t];
                for (size_t p = 0; p < s->principals.count && !found; p++)
                    found = !strcmp(s->principals.items[p], want);
            }
            if (!found)
                mismatch(rep, file, id, "the role's trust lacks %s", want);
        }
        json_decref(list);
    }
    json_decref(stmts);
}

/* A number SAM wrote (integer or numeric string); false for an intrinsic. */
static bool json_number(json_t *v, long *out)
{
    if (json_is_integer(v)) {
        *out = (long)json_integer_value(v);
        return true;
    }
    return json_is_string(v) && slsec_parse_long(json_string_value(v), out);
}

/* The settings rules read, against the AWS::Lambda::Function SAM wrote:
 * this is where Globals show (SAM merges them into each function). */
static void compare_settings(report *rep, const char *file, const char *id, const slsec_function *fn, json_t *props)
{
    json_t *rt = json_object_get(props, "Runtime");
    if (json_is_string(rt) ? !fn->runtime || strcmp(fn->runtime, json_string_value(rt)) != 0 : !rt && fn->runtime)
        mismatch(rep, file, id, "Runtime is %s, SAM writes %s", fn->runtime ? fn->runtime : "(none)",
                 json_is_string(rt) ? json_string_value(rt) : "none");
    static const struct { const char *prop; size_t off; } nums[] = {
        {"Timeout", offsetof(slsec_function, timeout)},
        {"MemorySize", offsetof(slsec_function, memory)},
        {"ReservedConcurrentExecutions", offsetof(slsec_function, reserved_concurrency)},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        json_t *v = json_object_get(props, nums[i].prop);
        long want, have = *(const long *)((const char *)fn + nums[i].off);
        if (!v) {
            if (have != SLSEC_NUM_UNSET)
                mismatch(rep, file, id, "%s is %ld, SAM writes none", nums[i].prop, have);
        } else if (json_number(v, &want) && have != want) {
            mismatch(rep, file, id, "%s is %ld, SAM writes %ld", nums[i].prop, have, want);
        }
    }
    json_t *mode = json_object_get(json_object_get(props, "TracingConfig"), "Mode");
    if (!json_object_get(props, "TracingConfig") || json_is_string(mode)) {
        bool active = json_is_string(mode) && !strcmp(json_string_value(mode), "Active");
        if ((fn->tracing_active == SLSEC_YES) != active)
            mismatch(rep, file, id, "tracing %s, SAM writes %s",
                     fn->tracing_active == SLSEC_YES ? "active" : "not active",
                     active ? "Active" : json_is_string(mode) ? json_string_value(mode) : "none");
    }
    json_t *vpc = json_object_get(props, "VpcConfig"), *arg;
    if (!vpc || (json_is_object(vpc) && !json_intrinsic(vpc, &arg))) {
        if (fn->in_vpc != (vpc != NULL))
            mismatch(rep, file, id, "%s a VPC, SAM writes %s VpcConfig", fn->in_vpc ? "in" : "not in",
                     vpc ? "a" : "no");
    }
    json_t *dlc = json_object_get(props, "DeadLetterConfig");
    if ((fn->has_dlq == SLSEC_NO) != (dlc == NULL))
        mismatch(rep, file, id, "dead-letter queue %s, SAM writes %s DeadLetterConfig",
                 fn->has_dlq == SLSEC_NO ? "absent" : "present", dlc ? "a" : "no");
}

static void compare_function(report *rep, const char *file, slsec_app *app, const char *id,
                             const slsec_node *in_resources, const slsec_node *in_res, json_t *out_resources)
{
    json_t *out_fn = json_object_get(out_resources, id);
    const char *out_type = json_string_value(json_object_get(out_fn, "Type"));
    if (!out_type || strcmp(out_type, "AWS::Lambda::Function") != 0)
        return; /* SAM made nothing of this id (not a case the brief covers) */

    /* a) the function */
    slsec_function *fn = model_function(app, id);
    if (!fn) {
        mismatch(rep, file, id, "function missing from the model");
        return;
    }

    compare_settings(rep, file, id, fn, json_object_get(out_fn, "Properties"));

    /* b) SAM's implicit role: the function's Role is GetAtt <id>Role.Arn */
    char role_id[512];
    snprintf(role_id, sizeof role_id, "%sRole", id);
    json_t *out_role = json_object_get(out_resources, role_id);
    json_t *role_ref = json_object_get(json_object_get(out_fn, "Properties"), "Role");
    const char *role_target = json_string_value(json_array_get(json_object_get(role_ref, "Fn::GetAtt"), 0));
    bool implicit = out_role && !slsec_node_get(in_resources, role_id) && role_target && !strcmp(role_target, role_id);
    const char *target_type = slsec_node_get_str(slsec_node_get(in_resources, role_target ? role_target : ""), "Type");
    if (!implicit && target_type && !strcmp(target_type, "AWS::IAM::Role") &&
        (!fn->role || strcmp(fn->role->id, role_target) != 0))
        mismatch(rep, file, id, "role is %s; the function uses %s", fn->role ? fn->role->id : "(none)", role_target);
    if (implicit) {
        if (!fn->role) {
            mismatch(rep, file, id, "no role; SAM generates %s", role_id);
        } else if (!fn->role->implicit || strcmp(fn->role->id, role_id) != 0) {
            mismatch(rep, file, id, "role is %s%s; SAM generates %s", fn->role->id,
                     fn->role->implicit ? " (implicit)" : "", role_id);
        } else {
            if (!slsec_ptrvec_contains(&fn->role->functions, fn))
                mismatch(rep, file, id, "role %s does not list the function", role_id);
            compare_trust(rep, file, id, fn->role,
                          json_object_get(json_object_get(out_role, "Properties"), "AssumeRolePolicyDocument"));
            expected e = {0};
            expected_role(out_role, &e);
            strset managed = {0}, actions = {0};
            model_role(fn->role, &managed, &actions);
            char buf[4096];
            if (missing(&e.managed, &managed, NULL, buf, sizeof buf))
                mismatch(rep, file, id, "managed policies SAM attaches but the model lacks: %s", buf);
            /* A Ref SAM passed through may be a managed policy the model
             * resolved from a parameter's default: that many extras pass. */
            if (count_missing(&managed, &e.managed, &e.optional, buf, sizeof buf) > e.managed_unknown)
                mismatch(rep, file, id, "managed policies the model has but SAM does not attach: %s", buf);
            if (missing(&e.actions, &actions, NULL, buf, sizeof buf))
                mismatch(rep, file, id, "actions SAM grants but the model lacks: %s", buf);
            if (missing(&actions, &e.actions, &e.optional, buf, sizeof buf))
                mismatch(rep, file, id, "actions the model has but SAM does not grant: %s", buf);
            for (size_t k = 0; k < e.nchoices; k++) {
                const choice *ch = &e.choices[k];
                const strset *have = ch->managed ? &managed : &actions;
                char other[2048];
                if (missing(&ch->then, have, NULL, buf, sizeof buf) &&
                    missing(&ch->otherwise, have, NULL, other, sizeof other))
                    mismatch(rep, file, id, "neither branch of an Fn::If is in the model: [%s] / [%s]", buf, other);
            }
            set_free(&managed);
            set_free(&actions);
            expected_free(&e);
        }
    }

    /* c) one trigger per event, located at the event's name; any other
     * trigger comes from a plain CloudFormation resource of the template
     * (an EventSourceMapping, a bucket's LambdaConfigurations, ...). */
    const slsec_node *events = slsec_node_get(slsec_node_get(in_res, "Properties"), "Events");
    for (size_t i = 0; slsec_node_is_map(events) && i < events->count; i++) {
        const slsec_node *key = events->items[2 * i];
        const char *type = slsec_node_get_str(events->items[2 * i + 1], "Type");
        size_t n = 0;
        const slsec_trigger *found = NULL;
        for (size_t k = 0; k < fn->triggers.count; k++) {
            const slsec_trigger *t = fn->triggers.items[k];
            if (t->loc.line == (int)key->line && t->loc.col == (int)key->col) {
                n++;
                found = t;
            }
        }
        if (n != 1) {
            mismatch(rep, file, id, "event %s: %zu triggers, SAM wires 1", key->str, n);
            continue;
        }
        /* API events become API triggers (cfn_api_sam_event, src/load/cfn_api.c). */
        slsec_trigger_kind want = type && !strcmp(type, "Api")       ? SLSEC_TRIGGER_API_REST
                                  : type && !strcmp(type, "HttpApi") ? SLSEC_TRIGGER_API_HTTP
                                                                     : found->kind;
        if (found->kind != want)
            mismatch(rep, file, id, "event %s of type %s: a %s trigger", key->str, type,
                     slsec_trigger_kind_name(found->kind));
    }
    for (size_t k = 0; k < fn->triggers.count; k++) {
        const slsec_trigger *t = fn->triggers.items[k];
        bool at_event = false;
        for (size_t i = 0; slsec_node_is_map(events) && i < events->count; i++)
            at_event |= t->loc.line == (int)events->items[2 * i]->line && t->loc.col == (int)events->items[2 * i]->col;
        if (!at_event && (!t->name || !slsec_node_get(in_resources, t->name) || !strcmp(t->name, id)))
            mismatch(rep, file, id, "trigger %s comes from neither an event nor a resource", t->name ? t->name : "?");
    }
}

/* Compares one input with its output; false when SAM's suite keeps no
 * output for it (nothing to compare). */
static bool compare_file(report *rep, const char *name)
{
    char in_path[1024], out_path[1024];
    snprintf(in_path, sizeof in_path, "%s/input/%s", DATA_DIR, name);
    snprintf(out_path, sizeof out_path, "%s/output/%.*s.json", DATA_DIR, (int)(strlen(name) - 5), name);
    struct stat st;
    if (stat(out_path, &st) != 0)
        return false;

    char *data;
    size_t len;
    slsec_diag d;
    assert_int_equal(slsec_read_file(in_path, 64u << 20, &data, &len, &d), SLSEC_OK);
    slsec_app *app = slsec_app_new();
    slsec_doc doc;
    slsec_diags warnings = {0};
    json_error_t jerr;
    json_t *out = NULL;
    if (slsec_doc_parse(app->arena, name, data, len, &doc, &d) != SLSEC_OK) {
        mismatch(rep, name, NULL, "does not parse: %d:%d: %s", d.line, d.col, d.message);
        goto done;
    }
    if (slsec_load_cfn(app, &doc, name, &warnings, &d) != SLSEC_OK) {
        mismatch(rep, name, NULL, "does not load: %d:%d: %s", d.line, d.col, d.message);
        goto done;
    }
    out = json_load_file(out_path, 0, &jerr);
    if (!out) {
        mismatch(rep, name, NULL, "output JSON unreadable: %s", jerr.text);
        goto done;
    }
    json_t *out_resources = json_object_get(out, "Resources");
    const slsec_node *in_resources = slsec_node_get(doc.root, "Resources");
    for (size_t i = 0; slsec_node_is_map(in_resources) && i < in_resources->count; i++) {
        const slsec_node *key = in_resources->items[2 * i], *body = in_resources->items[2 * i + 1];
        const char *type = slsec_node_get_str(body, "Type");
        if (key->str && type && !strcmp(type, "AWS::Serverless::Function"))
            compare_function(rep, name, app, key->str, in_resources, body, out_resources);
    }
done:
    json_decref(out);
    slsec_diags_clear(&warnings);
    slsec_app_free(app);
    free(data);
    return true;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_model_matches_sam_output(void **state)
{
    (void)state;
    if (!data_present()) {
        print_message("skip: ../shared/data/sam-translator not present\n");
        skip();
    }
    size_t n;
    char **names = list_inputs(&n);
    report rep = {0};
    slsec_buf_init(&rep.text);
    size_t compared = 0, clean = 0, allowed = 0, no_output = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(names[i], "error_", 6))
            continue;
        size_t before = rep.mismatches;
        if (allowed_reason(names[i])) {
            /* Compared all the same, into a scratch report: an entry whose
             * input now matches must go. */
            report scratch = {0};
            slsec_buf_init(&scratch.text);
            if (compare_file(&scratch, names[i]) && !scratch.mismatches)
                mismatch(&rep, names[i], NULL, "allowlisted but matches SAM now: remove its allowlist entry");
            slsec_buf_free(&scratch.text);
            allowed++;
            continue;
        }
        if (!compare_file(&rep, names[i])) {
            no_output++;
            continue;
        }
        compared++;
        clean += rep.mismatches == before;
    }
    print_message("sam golden: %zu inputs compared, %zu match, %zu with mismatches, %zu allowlisted, "
                  "%zu without output\n",
                  compared, clean, compared - clean, allowed, no_output);
    /* Line by line: print_message() truncates long messages. */
    for (const char *line = rep.text.data; line && *line;) {
        const char *nl = strchr(line, '\n');
        int w = nl ? (int)(nl - line) : (int)strlen(line);
        print_message("%.*s\n", w, line);
        line += w + (nl != NULL);
    }
    size_t count = rep.mismatches;
    slsec_buf_free(&rep.text);
    free_list(names, n);
    if (count)
        fail_msg("%zu mismatches between the model and SAM's output", count);
}

static void test_every_input_loads_or_fails_at_a_line(void **state)
{
    (void)state;
    if (!data_present()) {
        print_message("skip: ../shared/data/sam-translator not present\n");
        skip();
    }
    size_t n;
    char **names = list_inputs(&n);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/input/%s", DATA_DIR, names[i]);
        char *data;
        size_t len;
        slsec_diag d;
        assert_int_equal(slsec_read_file(path, 64u << 20, &data, &len, &d), SLSEC_OK);
        slsec_app *app = slsec_app_new();
        slsec_doc doc;
        slsec_diags warnings = {0};
        int rc = slsec_doc_parse(app->arena, names[i], data, len, &doc, &d);
        if (rc == SLSEC_OK)
            rc = slsec_load_cfn(app, &doc, names[i], &warnings, &d);
        if (rc != SLSEC_OK && d.line <= 0) {
            print_message("  %s: error %d without a line: %s\n", names[i], rc, d.message);
            bad++;
        }
        slsec_diags_clear(&warnings);
        slsec_app_free(app);
        free(data);
    }
    free_list(names, n);
    if (bad)
        fail_msg("%zu inputs failed without a line number", bad);
}

/* ---- the same facts without the data: what SAM grants, in small ---------------- */

/* A template that needs each thing SAM adds to an implicit role, so the
 * loader's rules stay tested in a clone without ../shared. What SAM makes
 * of each was read from its translations of the matching inputs
 * (function_with_dlq, function_with_event_dest, function_with_amq_kms,
 * function_with_self_managed_kafka, sns_sqs, function_with_tracing,
 * function_managed_inline_policy, function_with_conditional_policy_template,
 * function_with_durable_config). */
static const char inline_template[] =
    "Transform: AWS::Serverless-2016-10-31\n"
    "Conditions:\n"
    "  Always: !Equals [a, a]\n"
    "Resources:\n"
    "  Topic: {Type: AWS::SNS::Topic}\n"
    "  Fn:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties:\n"
    "      Runtime: python3.12\n"
    "      Handler: app.handler\n"
    "      CodeUri: s3://b/k\n"
    "      Tracing: PassThrough\n"
    "      DeadLetterQueue: {Type: SQS, TargetArn: arn:aws:sqs:us-east-1:123456789012:dlq}\n"
    "      EventInvokeConfig:\n"
    "        DestinationConfig:\n"
    "          OnSuccess: {Type: Lambda, Destination: arn:aws:lambda:us-east-1:123456789012:function:f}\n"
    "          OnFailure: {Type: S3Bucket, Destination: arn:aws:s3:::bucket}\n"
    "      Policies:\n"
    "        - AWSLambdaRole\n"
    "        - AWSLambdaBasicExecutionRole\n"
    "        - !If [Always, {SQSPollerPolicy: {QueueName: q}}, !Ref AWS::NoValue]\n"
    "      Events:\n"
    "        Broker:\n"
    "          Type: MQ\n"
    "          Properties:\n"
    "            Broker: arn:aws:mq:us-east-1:123456789012:broker:b:b-1\n"
    "            Queues: [q1]\n"
    "            SourceAccessConfigurations:\n"
    "              - {Type: BASIC_AUTH, URI: arn:aws:secretsmanager:us-east-1:123456789012:secret:s}\n"
    "            SecretsManagerKmsKeyId: k-1\n"
    "        Kafka:\n"
    "          Type: SelfManagedKafka\n"
    "          Properties:\n"
    "            KafkaBootstrapServers: [a:9092]\n"
    "            Topics: [t]\n"
    "            SourceAccessConfigurations:\n"
    "              - {Type: SASL_SCRAM_512_AUTH, URI: arn:aws:secretsmanager:us-east-1:123456789012:secret:k}\n"
    "              - {Type: VPC_SUBNET, URI: 'subnet:subnet-1'}\n"
    "        Fanout:\n"
    "          Type: SNS\n"
    "          Properties: {Topic: !Ref Topic, SqsSubscription: true}\n"
    "  Durable:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: s3://b/k, DurableConfig: {ExecutionTimeout: 60}}\n";

static bool role_has_managed(const slsec_role *role, const char *name)
{
    for (size_t i = 0; i < role->policies.count; i++) {
        const slsec_policy *p = role->policies.items[i];
        if (p->kind == SLSEC_POLICY_AWS_MANAGED && !strcmp(p->name, name))
            return true;
    }
    return false;
}

static size_t role_managed_count(const slsec_role *role)
{
    size_t n = 0;
    for (size_t i = 0; i < role->policies.count; i++)
        n += ((const slsec_policy *)role->policies.items[i])->kind == SLSEC_POLICY_AWS_MANAGED;
    return n;
}

static bool role_grants(const slsec_role *role, const char *action)
{
    for (size_t i = 0; i < role->policies.count; i++) {
        const slsec_policy *p = role->policies.items[i];
        for (size_t k = 0; k < p->statements.count; k++)
            if (slsec_statement_grants(p->statements.items[k], action))
                return true;
    }
    return false;
}

static void test_implicit_role_holds_what_sam_adds(void **state)
{
    (void)state;
    slsec_app *app = slsec_app_new();
    slsec_doc doc;
    slsec_diag d;
    slsec_diags warnings = {0};
    assert_int_equal(slsec_doc_parse(app->arena, "t.yaml", inline_template, sizeof inline_template - 1, &doc, &d),
                     SLSEC_OK);
    assert_int_equal(slsec_load_cfn(app, &doc, "t.yaml", &warnings, &d), SLSEC_OK);

    slsec_function *fn = model_function(app, "Fn");
    assert_non_null(fn);
    assert_non_null(fn->role);
    assert_true(fn->role->implicit);
    assert_string_equal(fn->role->id, "FnRole");
    const slsec_role *role = fn->role;
    /* Bare names stand for their full names, once each. */
    assert_true(role_has_managed(role, "service-role/AWSLambdaBasicExecutionRole"));
    assert_true(role_has_managed(role, "service-role/AWSLambdaRole"));
    assert_false(role_has_managed(role, "AWSLambdaRole"));
    assert_false(role_has_managed(role, "AWSLambdaBasicExecutionRole"));
    /* X-Ray for any Tracing but Disabled; the SQS poller for SqsSubscription. */
    assert_true(role_has_managed(role, "AWSXrayWriteOnlyAccess"));
    assert_true(role_has_managed(role, "service-role/AWSLambdaSQSQueueExecutionRole"));
    assert_int_equal(role_managed_count(role), 4);
    static const char *const granted[] = {
        "sqs:SendMessage",                /* DeadLetterQueue */
        "lambda:InvokeFunction",          /* OnSuccess Lambda */
        "s3:PutObject", "s3:ListBucket",  /* OnFailure S3Bucket */
        "sqs:ReceiveMessage",             /* SQSPollerPolicy under an Fn::If that holds */
        "mq:DescribeBroker", "kms:Decrypt", "secretsmanager:GetSecretValue", /* MQ */
        "ec2:CreateNetworkInterface",     /* SelfManagedKafka in a VPC */
    };
    for (size_t i = 0; i < sizeof granted / sizeof granted[0]; i++)
        if (!role_grants(role, granted[i]))
            fail_msg("FnRole does not grant %s", granted[i]);
    assert_false(role_grants(role, "sns:Publish"));
    /* The SNS event with SqsSubscription is polled from a queue. */
    bool polled = false;
    for (size_t i = 0; i < fn->triggers.count; i++) {
        const slsec_trigger *t = fn->triggers.items[i];
        if (!strcmp(t->name, "Fanout"))
            polled = t->kind == SLSEC_TRIGGER_SQS && t->source_id && !strcmp(t->source_id, "Topic");
    }
    assert_true(polled);
    assert_int_equal(fn->triggers.count, 3);

    /* Durable functions get the durable basic policy instead of the basic one. */
    slsec_function *durable = model_function(app, "Durable");
    assert_non_null(durable);
    assert_non_null(durable->role);
    assert_true(role_has_managed(durable->role, "service-role/AWSLambdaBasicDurableExecutionRolePolicy"));
    assert_int_equal(role_managed_count(durable->role), 1);

    slsec_diags_clear(&warnings);
    slsec_app_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_matches_sam_output),
        cmocka_unit_test(test_every_input_loads_or_fails_at_a_line),
        cmocka_unit_test(test_implicit_role_holds_what_sam_adds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
