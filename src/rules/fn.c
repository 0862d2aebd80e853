/*
 * fn.c — the FN rule family: how each function is configured (timeouts,
 * concurrency, runtime, environment, failure handling, exposure, tracing)
 * and who may invoke it (function URLs, Lambda permissions for any
 * principal, other accounts and services without a source) or use its
 * layers; and what happens to events it fails on (stream mappings without
 * an on-failure destination, queues without a dead-letter queue).
 *
 * Numbers use the model's conventions: SLSEC_NUM_UNSET is a fact ("not
 * set", so Lambda's default applies), SLSEC_NUM_UNKNOWN is silence.
 * Tri-states report only on SLSEC_NO.
 *
 * FN-005 never puts a secret in a message: the evidence keeps at most the
 * first four characters (fewer for short values) and the length.
 */
#include "rules_internal.h"
#include "slsec/detect.h"
#include "runtimes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Lambda's timeout when the template sets none. */
#define LAMBDA_DEFAULT_TIMEOUT 3L
/* FN-004 warns this many days before a deprecation date. */
#define RUNTIME_WARN_DAYS 180L

static const char *fn_type(const slsec_function *fn)
{
    return fn->resource && fn->resource->type ? fn->resource->type : "AWS::Lambda::Function";
}

static slsec_loc loc_or(slsec_loc l, slsec_loc fallback)
{
    return l.line > 0 ? l : fallback;
}

/* Where a property is written on the function, for pointing at it; the
 * function itself when it is absent (or comes from SAM Globals). */
static slsec_loc prop_loc(const slsec_function *fn, const char *key)
{
    const slsec_node *k = fn->resource ? slsec_node_get_key(fn->resource->props, key) : NULL;
    return k ? loc_or(slsec_loc_of(k), fn->loc) : fn->loc;
}

static const char *trigger_desc(slsec_arena *a, const slsec_trigger *t)
{
    const char *kind = slsec_trigger_kind_name(t->kind);
    if (t->route && t->route->method && t->route->path)
        return slsec_arena_printf(a, "%s %s %s", kind, t->route->method, t->route->path);
    if (t->source_id)
        return slsec_arena_printf(a, "%s %s", kind, t->source_id);
    return slsec_arena_printf(a, "%s event %s", kind, t->name ? t->name : "?");
}

/* Timeout in seconds, or -1 when unknowable. */
static long effective_timeout(const slsec_function *fn)
{
    if (fn->timeout == SLSEC_NUM_UNSET)
        return LAMBDA_DEFAULT_TIMEOUT;
    return fn->timeout >= 0 ? fn->timeout : -1;
}

static bool is_api_trigger(slsec_trigger_kind k)
{
    return k == SLSEC_TRIGGER_API_REST || k == SLSEC_TRIGGER_API_HTTP || k == SLSEC_TRIGGER_WEBSOCKET;
}

/* ---- FN-001: API-triggered function with a timeout the API cannot wait for -- */

static void check_api_timeout(slsec_check_ctx *ctx)
{
    long limit = ctx->settings->api_max_timeout;
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        long t = effective_timeout(fn);
        if (t < 0 || limit <= 0 || t <= limit)
            continue;
        slsec_finding *f = NULL;
        for (size_t k = 0; k < fn->triggers.count; k++) {
            const slsec_trigger *tr = fn->triggers.items[k];
            if (!is_api_trigger(tr->kind))
                continue;
            const char *desc = trigger_desc(ctx->arena, tr);
            if (!f)
                f = slsec_report(ctx, fn->id, fn_type(fn), loc_or(fn->timeout_loc, fn->loc), "api-timeout",
                                 "function %s has Timeout %ld s but is invoked through %s, which gives up after "
                                 "%ld s: callers get a 504 while the function keeps running, and billing, for up "
                                 "to %ld s",
                                 fn->id, t, desc, limit, t);
            slsec_finding_relate(f, loc_or(tr->loc, fn->loc),
                                 slsec_arena_printf(ctx->arena, "invoked through %s", desc));
        }
    }
}

/* ---- FN-002: timeout above the configured ceiling ---------------------------- */

static void check_max_timeout(slsec_check_ctx *ctx)
{
    long limit = ctx->settings->max_timeout;
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        long t = effective_timeout(fn);
        if (t < 0 || limit <= 0 || t <= limit)
            continue;
        slsec_report(ctx, fn->id, fn_type(fn), loc_or(fn->timeout_loc, fn->loc), "max-timeout",
                     "function %s has Timeout %ld s, above the %ld s ceiling: one hung call (a slow dependency, "
                     "a loop an attacker can trigger) holds a concurrent execution and is billed for up to %ld s",
                     fn->id, t, limit, t);
    }
}

/* ---- FN-003: no reserved concurrency ------------------------------------------ */

static void check_concurrency(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->reserved_concurrency != SLSEC_NUM_UNSET)
            continue;
        slsec_report(ctx, fn->id, fn_type(fn), fn->loc, "reserved-concurrency",
                     "function %s sets no ReservedConcurrentExecutions: a flood of events can scale it up to the "
                     "account's whole concurrency, starving every other function and running up the bill "
                     "(denial of wallet)",
                     fn->id);
    }
}

/* ---- FN-004: deprecated runtime ------------------------------------------------ */

static void format_day(long days, char out[11])
{
    /* civil_from_days (Howard Hinnant), the inverse of runtimes.c's. */
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = 0;
    /* Each field is range-checked above, so 10 characters always suffice. */
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static void check_runtime(slsec_check_ctx *ctx)
{
    long today;
    if (!slsec_date_days(ctx->settings->today, &today))
        today = slsec_date_today();
    char today_s[11];
    format_day(today, today_s);
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        const slsec_runtime_info *rt = slsec_runtime_find(fn->runtime);
        long dep;
        if (!rt || !slsec_date_days(rt->deprecated, &dep))
            continue;
        const slsec_runtime_info *next = slsec_runtime_latest(rt->family);
        const char *move = next && next != rt
                               ? slsec_arena_printf(ctx->arena, "; move to %s", next->id)
                               : "";
        slsec_loc loc = prop_loc(fn, "Runtime");
        if (today >= dep) {
            slsec_report(ctx, fn->id, fn_type(fn), loc, rt->id,
                         "function %s uses runtime %s, deprecated since %s: it no longer receives security "
                         "patches and Lambda blocks creating, then updating, functions that use it%s",
                         fn->id, rt->id, rt->deprecated, move);
        } else if (dep - today <= RUNTIME_WARN_DAYS) {
            slsec_finding *f = slsec_report(ctx, fn->id, fn_type(fn), loc, rt->id,
                                            "function %s uses runtime %s, which Lambda deprecates on %s, in %ld "
                                            "days (as of %s)%s",
                                            fn->id, rt->id, rt->deprecated, dep - today, today_s, move);
            f->severity = SLSEC_SEV_MEDIUM;
        }
    }
}

/* ---- FN-005: secrets in environment variables ------------------------------- */

/* Upper-case substrings that name a secret wherever they appear. */
static const char *const secret_words[] = {
    "PASSWORD", "PASSWD",      "PASSPHRASE", "SECRET",      "TOKEN",       "APIKEY",     "API_KEY",
    "PRIVATE_KEY", "PRIVATEKEY", "ACCESS_KEY", "ACCESSKEY", "CREDENTIAL", "SIGNING_KEY", "ENCRYPTION_KEY",
    "MASTER_KEY",
};

/* Short words that name a secret only as a whole word (DB_PASS, DB_PWD,
 * BASIC_AUTH), never inside another (PASSENGER, AUTHOR). */
static const char *const secret_tokens[] = {"PASS", "PWD", "AUTH"};

/* A last word that makes the variable about a secret rather than the secret
 * itself: SECRET_ARN, TOKEN_TTL, AUTH_URL, PASSWORD_MIN_LENGTH. */
static const char *const not_secret_suffixes[] = {
    "ARN",     "NAME",    "ID",       "IDS",      "PATH",    "PARAM",    "PARAMETER", "TABLE",   "QUEUE",
    "TOPIC",   "BUCKET",  "URL",      "URI",      "ENDPOINT", "HEADER",  "TTL",       "EXPIRY",  "EXPIRATION",
    "EXPIRES", "LENGTH",  "LEN",      "TYPE",     "FILE",    "REGION",   "ENABLED",   "DISABLED", "VERSION",
    "KEYID",   "ALGORITHM", "ALG",    "ISSUER",   "AUDIENCE", "SCOPE",   "SCOPES",    "STAGE",   "MODE",
    "PROVIDER", "METHOD", "LIFETIME", "DURATION", "SECONDS", "MINUTES",  "HOURS",     "DAYS",    "AGE",
    "FIELD",   "PREFIX",  "DOMAIN",   "HOST",     "PORT",    "SERVER",   "ROLE",      "POOL",    "LOCATION",
    "KEY_ID",  "STORE",   "SERVICE",  "LIMIT",    "COUNT",   "SIZE",     "POLICY",
};

static const char *const not_secret_values[] = {
    "true", "false", "yes", "no", "on", "off", "none", "null", "enabled", "disabled",
};

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

/* Splits a variable name into upper-case words at '_', '-', '.' and
 * camelCase boundaries ("dbPassword" → DB PASSWORD); returns the count. */
static size_t name_words(const char *name, char *buf, size_t bufsize, const char **words, size_t max)
{
    size_t n = 0, o = 0;
    bool in_word = false;
    for (size_t i = 0; name[i] && o + 2 < bufsize; i++) {
        char c = name[i];
        bool boundary = !is_alnum(c) || (i > 0 && is_lower(name[i - 1]) && is_upper(c));
        if (boundary && in_word) {
            buf[o++] = '\0';
            in_word = false;
        }
        if (!is_alnum(c))
            continue;
        if (!in_word) {
            if (n == max)
                break;
            words[n++] = buf + o;
            in_word = true;
        }
        buf[o++] = is_lower(c) ? (char)(c - 'a' + 'A') : c;
    }
    buf[o] = '\0';
    return n;
}

bool slsec_rules_secret_name(const char *name)
{
    char up[256];
    size_t j = 0;
    for (size_t i = 0; name[i] && j + 1 < sizeof up; i++)
        up[j++] = is_lower(name[i]) ? (char)(name[i] - 'a' + 'A') : name[i] == '-' ? '_' : name[i];
    up[j] = '\0';

    char buf[512];
    const char *words[32];
    size_t nw = name_words(name, buf, sizeof buf, words, 32);
    if (nw == 0)
        return false;
    const char *last = words[nw - 1];
    for (size_t i = 0; i < sizeof not_secret_suffixes / sizeof not_secret_suffixes[0]; i++) {
        const char *suf = not_secret_suffixes[i];
        if (strcmp(last, suf) == 0)
            return false;
        /* Two-word suffixes (KEY_ID). */
        if (strchr(suf, '_')) {
            size_t sl = strlen(suf);
            if (j > sl && strcmp(up + j - sl, suf) == 0 && up[j - sl - 1] == '_')
                return false;
        }
    }
    for (size_t i = 0; i < sizeof secret_words / sizeof secret_words[0]; i++)
        if (strstr(up, secret_words[i]))
            return true;
    /* Camel-case joins: "apiKey", "privateKey". */
    for (size_t w = 0; w + 1 < nw; w++)
        if (strcmp(words[w + 1], "KEY") == 0 &&
            (strcmp(words[w], "API") == 0 || strcmp(words[w], "PRIVATE") == 0 || strcmp(words[w], "ACCESS") == 0 ||
             strcmp(words[w], "SIGNING") == 0 || strcmp(words[w], "ENCRYPTION") == 0 ||
             strcmp(words[w], "MASTER") == 0))
            return true;
    for (size_t w = 0; w < nw; w++)
        for (size_t t = 0; t < sizeof secret_tokens / sizeof secret_tokens[0]; t++)
            if (strcmp(words[w], secret_tokens[t]) == 0)
                return true;
    return false;
}

/* Values that point at a secret instead of holding one. */
static bool reference_value(const char *v)
{
    if (strstr(v, "{{resolve:") || slsec_str_has_prefix(v, "arn:") || slsec_str_has_prefix(v, "ssm:") ||
        slsec_str_has_prefix(v, "secretsmanager:"))
        return true;
    /* A Parameter Store name: /app/prod/db-password. */
    if (v[0] == '/' && strchr(v + 1, '/')) {
        for (const char *p = v; *p; p++)
            if (!is_alnum(*p) && !strchr("/_.-", *p))
                return false;
        return true;
    }
    return false;
}

/* Finds a credential by its shape anywhere in the value, with the
 * detector table of src/detect (slsec_detect_shape: the shape, not the
 * checks, since a documentation key in a template is the habit FN-005 is
 * about); returns what it looks like and where it starts and ends. */
static const char *key_shape(slsec_arena *a, const char *v, size_t *start, size_t *len)
{
    const slsec_detector *d = slsec_detect_shape(v, strlen(v), start, len);
    return d ? slsec_arena_printf(a, "a secret (%s)", d->name) : NULL;
}

/* At most four leading characters (fewer for short values) and the length:
 * enough to recognise a value, never enough to use it. */
static const char *redact(slsec_arena *a, const char *s, size_t n)
{
    size_t show = n >= 16 ? 4 : n >= 8 ? 2 : 0;
    char head[5];
    for (size_t i = 0; i < show; i++) {
        unsigned char c = (unsigned char)s[i];
        head[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    head[show] = '\0';
    return slsec_arena_printf(a, "%s... (%zu characters)", head, n);
}

/* key_shape's answer for one value. Provider-wide environment variables
 * repeat the same values in every function of a service, so each distinct
 * value is looked at once. */
typedef struct shape_seen {
    const char *shape;
    size_t start, len;
} shape_seen;

static const shape_seen *value_shape(slsec_arena *a, slsec_strmap *seen, const char *val)
{
    shape_seen *s = slsec_strmap_get(seen, val);
    if (!s) {
        s = slsec_arena_alloc(a, sizeof *s);
        s->shape = key_shape(a, val, &s->start, &s->len);
        slsec_strmap_put(seen, val, s);
    }
    return s;
}

static void check_env_secrets(slsec_check_ctx *ctx)
{
    slsec_strmap *seen = slsec_strmap_new(ctx->arena);
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        for (size_t k = 0; k < fn->env.count; k++) {
            const slsec_env_var *var = fn->env.items[k];
            const slsec_node *v = var->value;
            if (!var->name || !v || v->kind != SLSEC_NODE_SCALAR || (v->flags & (SLSEC_NF_UNKNOWN | SLSEC_NF_NULL)))
                continue;
            const char *val = slsec_node_str(v);
            if (!val || !*val || strlen(val) != v->len)
                continue;
            const shape_seen *seen_as = value_shape(ctx->arena, seen, val);
            size_t start = seen_as->start, len = seen_as->len;
            const char *shape = seen_as->shape;
            const char *what = NULL;
            if (shape) {
                what = slsec_arena_printf(ctx->arena, "value that looks like %s", shape);
            } else if (slsec_rules_secret_name(var->name) && !reference_value(val)) {
                bool flag = false;
                for (size_t b = 0; b < sizeof not_secret_values / sizeof not_secret_values[0]; b++)
                    flag = flag || strcasecmp(val, not_secret_values[b]) == 0;
                if (flag)
                    continue;
                what = "secret";
                start = 0;
                len = strlen(val);
            } else {
                continue;
            }
            slsec_finding *f =
                slsec_report(ctx, fn->id, fn_type(fn), loc_or(var->loc, loc_or(fn->env_loc, fn->loc)), var->name,
                             "function %s sets environment variable %s to a hard-coded %s (%zu characters): "
                             "anyone who can read the template, the repository or the function's configuration "
                             "has it; keep it in Secrets Manager or SSM Parameter Store and pass its name",
                             fn->id, var->name, what, len);
            f->evidence = redact(ctx->arena, val + start, len);
        }
    }
}

/* ---- FN-006: asynchronous triggers without DLQ or on-failure destination ------ */

static void check_async_failure(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->has_dlq != SLSEC_NO || fn->has_on_failure != SLSEC_NO)
            continue;
        slsec_buf b;
        slsec_buf_init(&b);
        size_t n = 0;
        for (size_t k = 0; k < fn->triggers.count; k++) {
            const slsec_trigger *tr = fn->triggers.items[k];
            if (!slsec_trigger_is_async(tr->kind))
                continue;
            if (n < 3)
                slsec_buf_printf(&b, "%s%s", n ? ", " : "", trigger_desc(ctx->arena, tr));
            n++;
        }
        if (!n) {
            slsec_buf_free(&b);
            continue;
        }
        if (n > 3)
            slsec_buf_printf(&b, " and %zu more", n - 3);
        slsec_finding *f = slsec_report(ctx, fn->id, fn_type(fn), fn->loc, "async-failure",
                                        "function %s is invoked asynchronously by %s but has neither a dead-letter "
                                        "queue nor an on-failure destination: an event that still fails after "
                                        "Lambda's retries is dropped without a trace",
                                        fn->id, b.data);
        slsec_buf_free(&b);
        for (size_t k = 0; k < fn->triggers.count; k++) {
            const slsec_trigger *tr = fn->triggers.items[k];
            if (slsec_trigger_is_async(tr->kind))
                slsec_finding_relate(f, loc_or(tr->loc, fn->loc),
                                     slsec_arena_printf(ctx->arena, "asynchronous trigger: %s",
                                                        trigger_desc(ctx->arena, tr)));
        }
    }
}

/* ---- FN-007: function URL without authentication -------------------------------- */

static void check_url_auth(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (!fn->url.present || !fn->url.auth_type || strcasecmp(fn->url.auth_type, "NONE") != 0)
            continue;
        slsec_report(ctx, fn->id, fn_type(fn), loc_or(fn->url.loc, fn->loc), "url-auth",
                     "function %s has a function URL with AuthType NONE: anyone who finds the URL can invoke it, "
                     "with no signature, no API key, no throttling and no WAF in front",
                     fn->id);
    }
}

/* ---- FN-008: Lambda permission open to "*" ---------------------------------------- */

static void check_public_permission(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->permissions.count; i++) {
        const slsec_permission *p = ctx->app->permissions.items[i];
        if (!p->principal || strcmp(p->principal, "*") != 0)
            continue;
        if (p->has_source_arn || p->has_source_account || p->has_principal_org)
            continue;
        /* A public function URL is FN-007's finding, on the function. */
        if (p->action && strcasecmp(p->action, "lambda:InvokeFunctionUrl") == 0 && p->function_url_auth_type &&
            strcasecmp(p->function_url_auth_type, "NONE") == 0)
            continue;
        const char *target = p->function ? slsec_arena_printf(ctx->arena, "function %s", p->function->id)
                                         : "a function outside this template";
        slsec_finding *f = slsec_report(
            ctx, p->id, "AWS::Lambda::Permission", p->loc, "public",
            "permission %s lets any principal (Principal \"*\") call %s on %s with no SourceArn, SourceAccount or "
            "PrincipalOrgID condition: any AWS account can invoke it",
            p->id, p->action ? p->action : "its action", target);
        if (p->function)
            slsec_finding_relate(f, p->function->loc,
                                 slsec_arena_printf(ctx->arena, "function %s", p->function->id));
    }
}

/* ---- FN-009: X-Ray tracing off ------------------------------------------------------ */

static void check_tracing(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->tracing_active != SLSEC_NO)
            continue;
        slsec_loc loc = prop_loc(fn, fn->sam ? "Tracing" : "TracingConfig");
        slsec_report(ctx, fn->id, fn_type(fn), loc, "tracing",
                     "function %s does not have active X-Ray tracing: an incident cannot be followed across the "
                     "services it calls",
                     fn->id);
    }
}

/* ---- FN-010 / FN-011: permissions for other accounts and for services ------------ */

/* An account principal: "123456789012" or "arn:aws:iam::123456789012:root". */
static bool account_principal(const char *p)
{
    if (slsec_str_has_prefix(p, "arn:aws:iam::") || slsec_str_has_prefix(p, "arn:aws-us-gov:iam::") ||
        slsec_str_has_prefix(p, "arn:aws-cn:iam::"))
        return true;
    size_t n = strlen(p);
    if (n != 12)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static const char *permission_target(slsec_check_ctx *ctx, const slsec_permission *p)
{
    return p->function ? slsec_arena_printf(ctx->arena, "function %s", p->function->id)
                       : "a function outside this template";
}

static void check_cross_account_permission(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->permissions.count; i++) {
        const slsec_permission *p = ctx->app->permissions.items[i];
        if (!p->principal || !account_principal(p->principal) || p->has_principal_org)
            continue;
        slsec_finding *f = slsec_report(
            ctx, p->id, "AWS::Lambda::Permission", p->loc, "cross-account",
            "permission %s lets account principal %s call %s on %s with no PrincipalOrgID condition: every "
            "identity that account's administrators allow can invoke it, and you cannot see or limit which",
            p->id, p->principal, p->action ? p->action : "its action", permission_target(ctx, p));
        if (p->function)
            slsec_finding_relate(f, p->function->loc, slsec_arena_printf(ctx->arena, "function %s", p->function->id));
    }
}

static void check_service_permission(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->permissions.count; i++) {
        const slsec_permission *p = ctx->app->permissions.items[i];
        if (!p->principal || !slsec_str_has_suffix(p->principal, ".amazonaws.com"))
            continue;
        if (p->has_source_arn || p->has_source_account || p->has_principal_org)
            continue;
        slsec_finding *f = slsec_report(
            ctx, p->id, "AWS::Lambda::Permission", p->loc, "confused-deputy",
            "permission %s lets the service %s call %s on %s with neither SourceArn nor SourceAccount: a "
            "bucket, topic, rule or API in any AWS account can make that service invoke it",
            p->id, p->principal, p->action ? p->action : "its action", permission_target(ctx, p));
        if (p->function)
            slsec_finding_relate(f, p->function->loc, slsec_arena_printf(ctx->arena, "function %s", p->function->id));
    }
}

/* ---- FN-012: layer shared with everyone ------------------------------------------ */

static void check_public_layer(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->layer_permissions.count; i++) {
        const slsec_layer_permission *lp = ctx->app->layer_permissions.items[i];
        if (!lp->principal || strcmp(lp->principal, "*") != 0 || lp->has_org)
            continue;
        slsec_report(ctx, lp->id, "AWS::Lambda::LayerVersionPermission", lp->loc, "public",
                     "layer permission %s shares %s with Principal \"*\" and no OrganizationId: any AWS account can "
                     "download the layer's code (lambda:GetLayerVersion), with whatever it bundles",
                     lp->id, lp->layer ? slsec_arena_printf(ctx->arena, "layer %s", lp->layer) : "its layer");
    }
}

/* ---- FN-013: sensitive environment variables without a customer key --------------- */

static void check_env_kms(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->env_managed_key != SLSEC_YES)
            continue;
        slsec_buf b;
        slsec_buf_init(&b);
        size_t n = 0;
        slsec_loc first = fn->env_loc;
        for (size_t k = 0; k < fn->env.count; k++) {
            const slsec_env_var *var = fn->env.items[k];
            if (!var->name || !slsec_rules_secret_name(var->name))
                continue;
            if (n < 4)
                slsec_buf_printf(&b, "%s%s", n ? ", " : "", var->name);
            if (!n)
                first = var->loc;
            n++;
        }
        if (n > 4)
            slsec_buf_printf(&b, " and %zu more", n - 4);
        if (n)
            slsec_report(ctx, fn->id, fn_type(fn), loc_or(first, fn->loc), "env-kms",
                         "function %s keeps sensitive environment variable%s %s encrypted only with the AWS managed "
                         "key (no KmsKeyArn): anyone allowed lambda:GetFunctionConfiguration reads them in clear, "
                         "and no key policy or CloudTrail decrypt event stands in between",
                         fn->id, n == 1 ? "" : "s", b.data);
        slsec_buf_free(&b);
    }
}

/* ---- FN-014: provisioned concurrency ------------------------------------------------- */

static void check_provisioned(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->provisioned_concurrency > 0)
            slsec_report(ctx, fn->id, fn_type(fn), prop_loc(fn, "ProvisionedConcurrencyConfig"), "provisioned",
                         "function %s keeps %ld execution environment%s warm (provisioned concurrency): they live "
                         "for hours, so secrets, tokens and request data left in memory or /tmp outlast the "
                         "request, and they bill whether used or not",
                         fn->id, fn->provisioned_concurrency, fn->provisioned_concurrency == 1 ? "" : "s");
        if (fn->keep_warm_loc.line > 0)
            slsec_report(ctx, fn->id, fn_type(fn), fn->keep_warm_loc, "keep-warm",
                         "function %s is kept warm by a schedule: its execution environments are reused for "
                         "longer, so state left in memory or /tmp outlasts the request, and every ping is an "
                         "invocation billed and logged",
                         fn->id);
    }
}

/* ---- FN-015: stream event source mapping without an on-failure destination ------------ */

static void check_stream_failure(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        for (size_t k = 0; k < fn->triggers.count; k++) {
            const slsec_trigger *t = fn->triggers.items[k];
            if (!t->esm || (t->kind != SLSEC_TRIGGER_KINESIS && t->kind != SLSEC_TRIGGER_DYNAMODB) ||
                t->esm_on_failure != SLSEC_NO)
                continue;
            /* A plain mapping is its own resource: the finding names it. */
            const slsec_resource *m = t->name ? slsec_app_resource(ctx->app, t->loc.file, t->name) : NULL;
            bool plain = m && m->type && !strcmp(m->type, "AWS::Lambda::EventSourceMapping");
            slsec_report(ctx, plain ? m->id : fn->id, plain ? m->type : fn_type(fn), loc_or(t->loc, fn->loc),
                         t->name ? t->name : "stream",
                         "function %s reads %s with no on-failure destination%s: a record it cannot process is "
                         "retried until it expires, blocking its shard, and is then dropped without a trace",
                         fn->id, trigger_desc(ctx->arena, t),
                         t->esm_bisect == SLSEC_NO ? " and without BisectBatchOnFunctionError" : "");
        }
    }
}

/* ---- FN-016: queue feeding a function without a dead-letter queue ----------------------- */

typedef struct queue_consumers {
    const slsec_function *first, *last;
    size_t count; /* distinct functions */
} queue_consumers;

/* "file\x1fqueue id" → the functions polling that queue, built once. */
static slsec_strmap *consumers_by_queue(slsec_check_ctx *ctx)
{
    slsec_strmap *m = slsec_strmap_new(ctx->arena);
    for (size_t f = 0; f < ctx->app->functions.count; f++) {
        const slsec_function *fn = ctx->app->functions.items[f];
        for (size_t k = 0; k < fn->triggers.count; k++) {
            const slsec_trigger *t = fn->triggers.items[k];
            if (t->kind != SLSEC_TRIGGER_SQS || !t->source_id)
                continue;
            const char *key = slsec_arena_printf(ctx->arena, "%s\x1f%s", fn->loc.file ? fn->loc.file : "", t->source_id);
            queue_consumers *qc = slsec_strmap_get(m, key);
            if (!qc) {
                qc = slsec_arena_alloc(ctx->arena, sizeof *qc);
                qc->first = fn;
                slsec_strmap_put(m, key, qc);
            }
            if (qc->last != fn) {
                qc->last = fn;
                qc->count++;
            }
        }
    }
    return m;
}

static void check_queue_redrive(slsec_check_ctx *ctx)
{
    slsec_strmap *consumers = NULL;
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_QUEUE || s->redrive != SLSEC_NO)
            continue;
        if (!consumers)
            consumers = consumers_by_queue(ctx);
        char key[600];
        snprintf(key, sizeof key, "%s\x1f%s", s->loc.file ? s->loc.file : "", s->id);
        const queue_consumers *qc = slsec_strmap_get(consumers, key);
        if (!qc)
            continue;
        slsec_finding *f = slsec_report(
            ctx, s->id, s->resource ? s->resource->type : "AWS::SQS::Queue", s->loc, "redrive",
            "queue %s feeds function %s%s but has no RedrivePolicy: a message the function keeps failing on is "
            "retried until the retention period ends, and is then deleted without a trace",
            s->id, qc->first->id,
            qc->count > 1 ? slsec_arena_printf(ctx->arena, " (and %zu more)", qc->count - 1) : "");
        slsec_finding_relate(f, qc->first->loc, slsec_arena_printf(ctx->arena, "function %s", qc->first->id));
    }
}

/* ---- the table ----------------------------------------------------------------- */

const slsec_rule slsec_rules_fn[] = {
    {
        .id = "FN-001",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "API-triggered function with a timeout above the API's integration limit",
        .why = "API Gateway stops waiting for a Lambda integration after 29 seconds (30 for HTTP APIs) and "
               "answers 504, but the function keeps running to its own Timeout. Callers retry while earlier "
               "invocations still hold concurrency and bill, so one slow dependency, or one request an attacker "
               "crafts to be slow, multiplies load and cost.",
        .fix = "Set the function's Timeout at or below the API's integration timeout (29 s by default), and move "
               "longer work to an asynchronous path (a queue or a Step Functions workflow).",
        .snippet = "Globals:\n"
                   "  Function:\n"
                   "    Timeout: 10\n",
        .cwe = "CWE-400",
        .owasp = "SAS-8",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_api_timeout,
    },
    {
        .id = "FN-002",
        .family = "FN",
        .severity = SLSEC_SEV_LOW,
        .title = "Function timeout above the configured ceiling",
        .why = "A long Timeout lets every stuck or abused invocation hold a concurrent execution and bill for "
               "minutes. Most functions finish in seconds; a timeout far above what the work needs only helps "
               "denial-of-service and denial-of-wallet.",
        .fix = "Lower Timeout to a little above the function's real worst case; the ceiling (300 s by default) "
               "is set with thresholds.max_timeout in .slsec.yml.",
        .snippet = "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    Timeout: 30\n",
        .cwe = "CWE-400",
        .owasp = "SAS-8",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_max_timeout,
    },
    {
        .id = "FN-003",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "No reserved concurrency (denial of wallet)",
        .why = "Without ReservedConcurrentExecutions a function scales with its traffic up to the account's "
               "concurrency limit. A flood of requests or events then runs up the bill and throttles every other "
               "function of the account, including the ones that would handle the incident.",
        .fix = "Set ReservedConcurrentExecutions to the concurrency the function needs at peak; it both caps the "
               "function and guarantees it that capacity.",
        .snippet = "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    ReservedConcurrentExecutions: 20\n",
        .cwe = "CWE-770 CWE-400",
        .owasp = "SAS-8",
        .checkov = "CKV_AWS_115",
        .cfn_nag = "W92",
        .cdk_nag = "",
        .check = check_concurrency,
    },
    {
        .id = "FN-004",
        .family = "FN",
        .severity = SLSEC_SEV_HIGH,
        .title = "Deprecated or soon-deprecated Lambda runtime",
        .why = "Once Lambda deprecates a runtime it stops applying security patches to it, and soon after "
               "blocks creating and then updating functions that use it: the function keeps running on an "
               "unpatched language runtime and can no longer be fixed in place. Findings are high for runtimes "
               "already deprecated and medium for those deprecated within 180 days.",
        .fix = "Move the function to the newest runtime of its language and test it; the finding names the one "
               "to move to.",
        .snippet = "Globals:\n"
                   "  Function:\n"
                   "    Runtime: python3.13\n",
        .cwe = "CWE-1104",
        .owasp = "SAS-3 SAS-6",
        .checkov = "CKV_AWS_363",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-L1 Serverless-LambdaLatestVersion",
        .check = check_runtime,
    },
    {
        .id = "FN-005",
        .family = "FN",
        .severity = SLSEC_SEV_HIGH,
        .title = "Secret hard-coded in a function's environment variables",
        .why = "Environment variables are part of the template, the repository and the function's "
               "configuration: anyone with lambda:GetFunctionConfiguration, read access to the source or the "
               "deployment artifacts sees them in clear. A password, token or key written there cannot be "
               "rotated without a deployment and is usually copied into every environment.",
        .fix = "Store the secret in Secrets Manager or SSM Parameter Store (SecureString), pass its name or ARN in "
               "the variable, and read it at run time (or use a {{resolve:secretsmanager:...}} reference).",
        .snippet = "Environment:\n"
                   "  Variables:\n"
                   "    DB_SECRET_ARN: !Ref DbSecret\n"
                   "Policies:\n"
                   "  - AWSSecretsManagerGetSecretValuePolicy:\n"
                   "      SecretArn: !Ref DbSecret\n",
        .cwe = "CWE-798 CWE-526",
        .owasp = "SAS-7",
        .checkov = "CKV_AWS_45",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_env_secrets,
    },
    {
        .id = "FN-006",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Asynchronous trigger with no dead-letter queue or on-failure destination",
        .why = "S3, SNS, EventBridge and scheduled events invoke Lambda asynchronously: when the function keeps "
               "failing, Lambda retries twice and then discards the event. Without a dead-letter queue or an "
               "on-failure destination, lost orders, uploads or alerts leave no trace to investigate or replay.",
        .fix = "Add a DeadLetterQueue, or an EventInvokeConfig with an OnFailure destination (SQS, SNS, "
               "EventBridge or another function).",
        .snippet = "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    EventInvokeConfig:\n"
                   "      MaximumRetryAttempts: 2\n"
                   "      DestinationConfig:\n"
                   "        OnFailure:\n"
                   "          Type: SQS\n"
                   "          Destination: !GetAtt FailedEventsQueue.Arn\n",
        .cwe = "CWE-755 CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_116",
        .cfn_nag = "",
        .cdk_nag = "Serverless-LambdaDLQ Serverless-LambdaAsyncFailureDestination",
        .check = check_async_failure,
    },
    {
        .id = "FN-007",
        .family = "FN",
        .severity = SLSEC_SEV_HIGH,
        .title = "Function URL with AuthType NONE",
        .why = "A function URL with AuthType NONE is a public HTTPS endpoint: anyone who learns the URL can "
               "invoke the function, with no IAM signature, API key, throttling or WAF in front of it. Unless "
               "the function authenticates every request itself, its data and its bill are open to the "
               "internet.",
        .fix = "Use AuthType AWS_IAM and sign requests (or put the function behind API Gateway or CloudFront "
               "with an authorizer).",
        .snippet = "FunctionUrlConfig:\n"
                   "  AuthType: AWS_IAM\n",
        .cwe = "CWE-306",
        .owasp = "SAS-2",
        .checkov = "CKV_AWS_258",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_url_auth,
    },
    {
        .id = "FN-008",
        .family = "FN",
        .severity = SLSEC_SEV_HIGH,
        .title = "Lambda permission open to any principal",
        .why = "An AWS::Lambda::Permission with Principal \"*\" and no SourceArn, SourceAccount or "
               "PrincipalOrgID lets any AWS account invoke the function, bypassing whatever API, authorizer or "
               "event source was meant to be its only way in.",
        .fix = "Name the service or account in Principal and tie it to its source with SourceArn (and "
               "SourceAccount), or to your organisation with PrincipalOrgID.",
        .snippet = "InvokePermission:\n"
                   "  Type: AWS::Lambda::Permission\n"
                   "  Properties:\n"
                   "    Action: lambda:InvokeFunction\n"
                   "    FunctionName: !Ref MyFunction\n"
                   "    Principal: s3.amazonaws.com\n"
                   "    SourceArn: !GetAtt UploadsBucket.Arn\n"
                   "    SourceAccount: !Ref AWS::AccountId\n",
        .cwe = "CWE-284",
        .owasp = "SAS-2 SAS-3",
        .checkov = "CKV_AWS_301",
        .cfn_nag = "F13",
        .cdk_nag = "",
        .check = check_public_permission,
    },
    {
        .id = "FN-009",
        .family = "FN",
        .severity = SLSEC_SEV_INFO,
        .title = "X-Ray tracing not active",
        .why = "Without active tracing, a request cannot be followed from the API through the function to the "
               "services it calls, which slows down both debugging and incident response (what did this "
               "invocation touch?).",
        .fix = "Set Tracing: Active (SAM) or TracingConfig Mode Active; SAM adds the X-Ray write permissions to "
               "the function's role.",
        .snippet = "Globals:\n"
                   "  Function:\n"
                   "    Tracing: Active\n",
        .cwe = "CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_50",
        .cfn_nag = "",
        .cdk_nag = "Serverless-LambdaTracing",
        .check = check_tracing,
    },
    {
        .id = "FN-010",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Lambda permission lets another account invoke the function without a condition",
        .why = "A Lambda permission whose principal is an AWS account (an account id or its root ARN) delegates "
               "the decision to that account: any user, role or compromised workload there that its own "
               "administrators allow lambda:InvokeFunction can call the function, and nothing in your account "
               "records or narrows which. Cross-account access is sometimes intended, but it should be tied to "
               "the organisation (PrincipalOrgID) or to one role, through a role the function trusts.",
        .fix = "Grant invoke to your organisation with PrincipalOrgID, or have the other account assume a role "
               "in yours that may invoke the function, instead of granting the whole account.",
        .snippet = "PartnerInvokePermission:\n"
                   "  Type: AWS::Lambda::Permission\n"
                   "  Properties:\n"
                   "    FunctionName: !GetAtt OrdersFunction.Arn\n"
                   "    Action: lambda:InvokeFunction\n"
                   "    Principal: \"111122223333\"\n"
                   "    PrincipalOrgID: o-exampleorgid\n",
        .cwe = "CWE-284",
        .owasp = "SAS-2 SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_cross_account_permission,
    },
    {
        .id = "FN-011",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Lambda permission for an AWS service without SourceArn or SourceAccount",
        .why = "A permission that lets a service principal (s3.amazonaws.com, sns.amazonaws.com, "
               "events.amazonaws.com, apigateway.amazonaws.com, ...) invoke a function without SourceArn or "
               "SourceAccount lets that service invoke it on behalf of any resource in any AWS account: someone "
               "else's bucket notification or EventBridge rule can send your function events it will trust. "
               "This is the confused deputy problem, and the two conditions are its documented fix.",
        .fix = "Add SourceArn (the bucket, topic, rule or API that should invoke the function) and, for S3, "
               "SourceAccount as well, since bucket ARNs carry no account id.",
        .snippet = "UploadsInvokePermission:\n"
                   "  Type: AWS::Lambda::Permission\n"
                   "  Properties:\n"
                   "    FunctionName: !GetAtt ResizeFunction.Arn\n"
                   "    Action: lambda:InvokeFunction\n"
                   "    Principal: s3.amazonaws.com\n"
                   "    SourceArn: !GetAtt UploadsBucket.Arn\n"
                   "    SourceAccount: !Ref AWS::AccountId\n",
        .cwe = "CWE-441",
        .owasp = "SAS-2 SAS-3",
        .checkov = "CKV_AWS_364",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_service_permission,
    },
    {
        .id = "FN-012",
        .family = "FN",
        .severity = SLSEC_SEV_HIGH,
        .title = "Lambda layer shared with every AWS account",
        .why = "An AWS::Lambda::LayerVersionPermission with Principal \"*\" and no OrganizationId grants "
               "lambda:GetLayerVersion to every AWS account, and that action returns a download link for the "
               "layer's code. Layers bundle libraries, internal modules, configuration and sometimes "
               "credentials; a public layer publishes all of it and tells attackers exactly which versions of "
               "which dependencies your functions run.",
        .fix = "Share the layer with named accounts, or with your organisation through OrganizationId; publish a "
               "layer to everyone only when it is meant to be open source.",
        .snippet = "SharedLibsLayerPermission:\n"
                   "  Type: AWS::Lambda::LayerVersionPermission\n"
                   "  Properties:\n"
                   "    LayerVersionArn: !Ref SharedLibsLayer\n"
                   "    Action: lambda:GetLayerVersion\n"
                   "    Principal: \"*\"\n"
                   "    OrganizationId: o-exampleorgid\n",
        .cwe = "CWE-200 CWE-732",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_public_layer,
    },
    {
        .id = "FN-013",
        .family = "FN",
        .severity = SLSEC_SEV_LOW,
        .title = "Sensitive environment variables without a customer KMS key",
        .why = "Lambda encrypts environment variables at rest with an AWS managed key that every principal of "
               "the account with lambda:GetFunctionConfiguration can use implicitly: the values come back in "
               "clear to anyone who may read the function's configuration, and no decrypt shows up in "
               "CloudTrail. When variables hold passwords, tokens or keys (even references to them that help "
               "an attacker), a customer managed key (KmsKeyArn) puts a key policy in front of them and logs "
               "every use. Better still, keep secrets out of the environment (FN-005).",
        .fix = "Set KmsKeyArn to a customer managed key whose policy allows only the function's role (and "
               "deployers) to decrypt, or move the values to Secrets Manager and fetch them at run time.",
        .snippet = "PaymentsFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    KmsKeyArn: !GetAtt EnvKey.Arn\n"
                   "    Environment:\n"
                   "      Variables:\n"
                   "        API_TOKEN_PARAM: /payments/prod/api-token\n",
        .cwe = "CWE-311",
        .owasp = "SAS-7",
        .checkov = "CKV_AWS_173",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_env_kms,
    },
    {
        .id = "FN-014",
        .family = "FN",
        .severity = SLSEC_SEV_INFO,
        .title = "Provisioned concurrency or a keep-warm schedule keeps execution environments warm",
        .why = "Provisioned concurrency (and keep-warm schedules, recognised by an Input that mentions warming, "
               "as warm-up plugins send) trades cold starts for long-lived execution "
               "environments: each one stays up for hours and serves many requests, so anything a handler "
               "leaves behind — secrets fetched at start-up, tokens, request data in globals or /tmp — lives "
               "that long and can leak from one request to the next. It also bills for idle capacity, which "
               "is a budget decision. This is information to review, not a defect.",
        .fix = "Keep it where latency needs it, and make handlers stateless: no request data in globals or "
               "/tmp, secrets cached with an expiry. Use it on an alias, sized by measured traffic.",
        .snippet = "OrdersFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    AutoPublishAlias: live\n"
                   "    ProvisionedConcurrencyConfig:\n"
                   "      ProvisionedConcurrentExecutions: 2   # sized from measured traffic\n",
        .cwe = "CWE-226",
        .owasp = "",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_provisioned,
    },
    {
        .id = "FN-015",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Stream event source mapping without an on-failure destination",
        .why = "When a function fails on a batch from a Kinesis or DynamoDB stream, Lambda retries the batch "
               "until the records expire (by default, with no retry limit), and the shard makes no progress "
               "meanwhile: one malformed or malicious record stalls processing, and then is silently lost. An "
               "on-failure destination keeps the failed records' metadata for replay and investigation; "
               "BisectBatchOnFunctionError and MaximumRetryAttempts isolate the bad record instead of "
               "retrying the whole batch forever.",
        .fix = "Set DestinationConfig.OnFailure to an SQS queue or SNS topic, and set "
               "BisectBatchOnFunctionError: true and a MaximumRetryAttempts.",
        .snippet = "OrdersStreamMapping:\n"
                   "  Type: AWS::Lambda::EventSourceMapping\n"
                   "  Properties:\n"
                   "    FunctionName: !Ref OrdersFunction\n"
                   "    EventSourceArn: !GetAtt OrdersStream.Arn\n"
                   "    StartingPosition: LATEST\n"
                   "    BisectBatchOnFunctionError: true\n"
                   "    MaximumRetryAttempts: 3\n"
                   "    DestinationConfig:\n"
                   "      OnFailure:\n"
                   "        Destination: !GetAtt OrdersStreamFailures.Arn\n",
        .cwe = "CWE-755",
        .owasp = "SAS-5",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_stream_failure,
    },
    {
        .id = "FN-016",
        .family = "FN",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "SQS queue feeding a function has no dead-letter queue",
        .why = "A message that a function keeps failing on (a poison message, or one crafted to crash the "
               "handler) goes back to the queue after each visibility timeout and is retried until the "
               "queue's retention period ends, consuming invocations the whole time, and is then deleted: the "
               "evidence and the data are gone. A RedrivePolicy moves it to a dead-letter queue after a few "
               "attempts, where it can be inspected and replayed.",
        .fix = "Give the queue a RedrivePolicy with a deadLetterTargetArn and a small maxReceiveCount, and alarm "
               "on the dead-letter queue's depth.",
        .snippet = "OrdersQueue:\n"
                   "  Type: AWS::SQS::Queue\n"
                   "  Properties:\n"
                   "    RedrivePolicy:\n"
                   "      deadLetterTargetArn: !GetAtt OrdersDeadLetterQueue.Arn\n"
                   "      maxReceiveCount: 5\n",
        .cwe = "CWE-755",
        .owasp = "SAS-5",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-SQS3",
        .check = check_queue_redrive,
    },
};
SLSEC_FAMILY_END(fn)
