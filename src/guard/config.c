/*
 * config.c — guard.yml: the gateway's policy, read through src/doc so every
 * error names file:line:col (docs/guard.md has the full reference).
 *
 * The loader is strict on purpose: a key it does not know is an error (a
 * misspelt `auht: jwt` must not silently leave a route open), every route
 * names an upstream that exists and says how it authenticates — `auth:
 * none` is the only way to have no authentication — and every file it
 * points to (JWKS, schemas) is loaded now, so a config that passes
 * `--check` is one the proxy can run. Everything lives in one arena owned
 * by the config; the proxy swaps whole configs on reload.
 */
#include "slsec/guard.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

#include "slsec/doc.h"
#include "slsec/limits.h"

typedef struct loader {
    slsec_guard_config *c;
    const char *base_dir;
    slsec_diag *d;
    unsigned flags; /* SLSEC_GUARD_LOAD_* */
} loader;

static int err_at(loader *l, const slsec_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int err_at(loader *l, const slsec_node *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_diag_set(l->d, SLSEC_DIAG_ERROR, n ? n->file : l->c->file, n ? (int)n->line : 0,
                   n ? (int)n->col : 0, "%s", msg);
    return SLSEC_EUSAGE;
}

/* Refuses any key of map n not in allowed (NULL-terminated). */
static int check_keys(loader *l, const slsec_node *n, const char *what, const char *const *allowed)
{
    for (size_t i = 0; i < n->count; i++) {
        const slsec_node *k = n->items[2 * i];
        const char *key = slsec_node_str(k);
        bool ok = false;
        for (size_t j = 0; key && allowed[j] && !ok; j++)
            ok = strcmp(key, allowed[j]) == 0;
        if (!ok) {
            slsec_buf b;
            slsec_buf_init(&b);
            for (size_t j = 0; allowed[j]; j++)
                slsec_buf_printf(&b, "%s%s", j ? ", " : "", allowed[j]);
            int rc = err_at(l, k, "unknown key \"%s\" in %s (expected one of: %s)", key ? key : "?", what,
                            b.data);
            slsec_buf_free(&b);
            return rc;
        }
    }
    return SLSEC_OK;
}

static int want_map(loader *l, const slsec_node *n, const char *what)
{
    return slsec_node_is_map(n) ? SLSEC_OK : err_at(l, n, "%s must be a mapping", what);
}

static int get_string(loader *l, const slsec_node *map, const char *key, const char **out)
{
    const slsec_node *n = slsec_node_get(map, key);
    if (!n)
        return SLSEC_OK;
    const char *s = slsec_node_str(n);
    if (!s || !*s)
        return err_at(l, n, "\"%s\" must be a non-empty string", key);
    *out = s;
    return SLSEC_OK;
}

static int get_long(loader *l, const slsec_node *map, const char *key, long min, long max, long *out)
{
    const slsec_node *n = slsec_node_get(map, key);
    if (!n)
        return SLSEC_OK;
    long v;
    if (!slsec_node_long(n, &v) || v < min || v > max)
        return err_at(l, n, "\"%s\" must be a whole number from %ld to %ld", key, min, max);
    *out = v;
    return SLSEC_OK;
}

static int get_bool(loader *l, const slsec_node *map, const char *key, bool *out)
{
    const slsec_node *n = slsec_node_get(map, key);
    if (n && !slsec_node_bool(n, out))
        return err_at(l, n, "\"%s\" must be true or false", key);
    return SLSEC_OK;
}

static const char *resolve_path(loader *l, const char *p)
{
    if (p[0] == '/' || !l->base_dir || !*l->base_dir)
        return p;
    return slsec_arena_printf(l->c->arena, "%s/%s", l->base_dir, p);
}

/* "host:port" or "[v6]:port". */
static bool split_host_port(slsec_arena *a, const char *s, const char **host, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return false;
    long p;
    if (!slsec_parse_long(colon + 1, &p) || p < 0 || p > 65535)
        return false;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (h[0] == '[') {
        if (hl < 3 || h[hl - 1] != ']')
            return false;
        h++;
        hl -= 2;
    }
    *host = slsec_arena_strndup(a, h, hl);
    *port = (int)p;
    return true;
}

static int load_limits(loader *l, const slsec_node *n, slsec_guard_limits *lim)
{
    static const char *const keys[] = {"max_header_bytes", "max_body_bytes", "header_timeout_ms",
                                       "upstream_connect_timeout_ms", "upstream_timeout_ms",
                                       "max_concurrent", "min_bytes_per_second", NULL};
    int rc;
    if ((rc = want_map(l, n, "limits")) || (rc = check_keys(l, n, "limits", keys)))
        return rc;
    if ((rc = get_long(l, n, "max_header_bytes", 256, 1024 * 1024, &lim->max_header_bytes)) ||
        (rc = get_long(l, n, "max_body_bytes", 0, 1024L * 1024 * 1024, &lim->max_body_bytes)) ||
        (rc = get_long(l, n, "header_timeout_ms", 10, 3600000, &lim->header_timeout_ms)) ||
        (rc = get_long(l, n, "upstream_connect_timeout_ms", 10, 600000, &lim->upstream_connect_timeout_ms)) ||
        (rc = get_long(l, n, "upstream_timeout_ms", 10, 3600000, &lim->upstream_timeout_ms)) ||
        (rc = get_long(l, n, "max_concurrent", 1, 1000000, &lim->max_concurrent)) ||
        (rc = get_long(l, n, "min_bytes_per_second", 1, 1000000000, &lim->min_bytes_per_second)))
        return rc;
    return SLSEC_OK;
}

static int parse_cidr(const char *text, slsec_guard_cidr *out)
{
    char buf[80];
    snprintf(buf, sizeof buf, "%s", text);
    char *slash = strchr(buf, '/');
    long prefix = -1;
    if (slash) {
        *slash = '\0';
        if (!slsec_parse_long(slash + 1, &prefix))
            return -1;
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = prefix < 0 ? 32 : (int)prefix;
        return prefix > 32 ? -1 : 0;
    }
    if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        out->prefix = prefix < 0 ? 128 : (int)prefix;
        return prefix > 128 ? -1 : 0;
    }
    return -1;
}

static const slsec_guard_upstream *find_upstream(const slsec_guard_config *c, const char *name)
{
    for (size_t i = 0; i < c->upstream_count; i++)
        if (strcmp(c->upstreams[i].name, name) == 0)
            return &c->upstreams[i];
    return NULL;
}

static int load_upstreams(loader *l, const slsec_node *n)
{
    int rc = want_map(l, n, "upstreams");
    if (rc)
        return rc;
    slsec_guard_config *c = l->c;
    c->upstreams = slsec_arena_alloc(c->arena, (n->count ? n->count : 1) * sizeof *c->upstreams);
    for (size_t i = 0; i < n->count; i++) {
        const slsec_node *key = n->items[2 * i], *val = n->items[2 * i + 1];
        static const char *const keys[] = {"url", "pool", NULL};
        if ((rc = want_map(l, val, "an upstream")) || (rc = check_keys(l, val, "an upstream", keys)))
            return rc;
        slsec_guard_upstream *u = &c->upstreams[c->upstream_count];
        u->name = slsec_node_str(key);
        if (!u->name || !*u->name)
            return err_at(l, key, "an upstream needs a name");
        if (find_upstream(c, u->name))
            return err_at(l, key, "upstream \"%s\" is defined twice", u->name);
        u->line = (int)key->line;
        u->col = (int)key->col;
        u->pool = 8;
        const char *url = NULL;
        if ((rc = get_string(l, val, "url", &url)))
            return rc;
        if (!url)
            return err_at(l, val, "upstream \"%s\" has no \"url\"", u->name);
        long pool = u->pool;
        if ((rc = get_long(l, val, "pool", 1, 1024, &pool)))
            return rc;
        u->pool = (int)pool;
        const char *rest = slsec_str_has_prefix(url, "http://") ? url + 7 : NULL;
        size_t rl = rest ? strcspn(rest, "/") : 0;
        char hp[300];
        if (!rest || rl == 0 || rl >= sizeof hp || (rest[rl] && strcmp(rest + rl, "/") != 0))
            return err_at(l, slsec_node_get(val, "url"),
                          "upstream url must be http://host:port (TLS to upstreams is not supported yet)");
        memcpy(hp, rest, rl);
        hp[rl] = '\0';
        if (!split_host_port(c->arena, hp, &u->host, &u->port) || u->port == 0)
            return err_at(l, slsec_node_get(val, "url"), "upstream url must name a host and a port: %s", url);
        c->upstream_count++;
    }
    return SLSEC_OK;
}


/* A "{name}" segment is a named "*": the whole segment, a name of
 * [A-Za-z0-9_] starting with a letter or "_", each name once. Braces
 * anywhere else are refused, so a typo never becomes a literal. */
static bool valid_path_pattern(const char *p, size_t *named)
{
    *named = 0;
    if (p[0] != '/')
        return false;
    for (const char *s = p; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == '?' || *s == '#')
            return false;
    for (const char *seg = p + 1;; ) {
        size_t n = strcspn(seg, "/");
        const char *brace = memchr(seg, '{', n), *close = memchr(seg, '}', n);
        if (brace || close) {
            if (n < 3 || seg[0] != '{' || seg[n - 1] != '}' || memchr(seg + 1, '{', n - 1) ||
                memchr(seg, '}', n - 1))
                return false;
            if (!((seg[1] >= 'a' && seg[1] <= 'z') || (seg[1] >= 'A' && seg[1] <= 'Z') || seg[1] == '_'))
                return false;
            for (size_t i = 1; i + 1 < n; i++) {
                char c = seg[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
                    return false;
            }
            if (n - 2 >= 100)
                return false;
            /* the same name twice would make one value overwrite the other */
            for (const char *o = p + 1; o < seg;) {
                size_t on = strcspn(o, "/");
                if (on == n && memcmp(o, seg, n) == 0)
                    return false;
                o += on + (o[on] == '/');
            }
            (*named)++;
        }
        if (!seg[n])
            break;
        seg += n + 1;
    }
    return true;
}

/* Loads a route's schema file into *out; err names the key's node. */
static int load_route_schema(loader *l, const slsec_node *n, const char *key, const char **path_out,
                             slsec_schema **out)
{
    const char *file = NULL;
    int rc = get_string(l, n, key, &file);
    if (rc || !file)
        return rc;
    *path_out = resolve_path(l, file);
    slsec_diag sd = {0};
    if (slsec_schema_load(*path_out, out, &sd) == SLSEC_OK)
        return SLSEC_OK;
    return sd.line ? err_at(l, slsec_node_get(n, key), "schema %s:%d:%d: %s", *path_out, sd.line, sd.col, sd.message)
                   : err_at(l, slsec_node_get(n, key), "schema %s: %s", *path_out, sd.message);
}

static int load_rate_limit(loader *l, const slsec_node *n, slsec_guard_route *r)
{
    static const char *const keys[] = {"burst", "key", "per_second", "shadow", NULL};
    int rc;
    if ((rc = want_map(l, n, "rate_limit")) || (rc = check_keys(l, n, "rate_limit", keys)))
        return rc;
    const slsec_node *ps = slsec_node_get(n, "per_second");
    const char *pss = slsec_node_str(ps);
    char *end = NULL;
    double rate = pss ? strtod(pss, &end) : 0;
    if (!ps || !pss || !end || *end || !(rate > 0) || rate > 1e6)
        return err_at(l, ps ? ps : n, "rate_limit needs \"per_second\": a number above 0 (0.5 is one request every 2 s)");
    long burst = (long)(rate < 1 ? 1 : rate);
    if ((rc = get_long(l, n, "burst", 1, 1000000, &burst)))
        return rc;
    r->rate.per_second = rate;
    r->rate.burst = (double)burst;
    r->rl_key = SLSEC_RL_KEY_IP;
    const char *key = NULL;
    if ((rc = get_string(l, n, "key", &key)))
        return rc;
    if (key) {
        if (strcmp(key, "ip") == 0) r->rl_key = SLSEC_RL_KEY_IP;
        else if (strcmp(key, "api_key") == 0) r->rl_key = SLSEC_RL_KEY_API_KEY;
        else if (strcmp(key, "sub") == 0) r->rl_key = SLSEC_RL_KEY_SUB;
        else if (slsec_str_has_prefix(key, "header:") && key[7]) {
            r->rl_key = SLSEC_RL_KEY_HEADER;
            r->rl_header = key + 7;
        } else
            return err_at(l, slsec_node_get(n, "key"), "rate_limit key must be ip, api_key, sub or header:NAME");
    }
    if ((r->rl_key == SLSEC_RL_KEY_SUB && r->auth != SLSEC_AUTH_JWT) ||
        (r->rl_key == SLSEC_RL_KEY_API_KEY && r->auth != SLSEC_AUTH_API_KEY))
        return err_at(l, slsec_node_get(n, "key"), "rate_limit key \"%s\" needs the route's auth to provide it", key);
    if ((rc = get_bool(l, n, "shadow", &r->rl_shadow)))
        return rc;
    r->rate_limited = true;
    return SLSEC_OK;
}

static int load_route(loader *l, const slsec_node *n, slsec_guard_route *r)
{
    static const char *const keys[] = {"auth", "limits", "method", "name", "path", "path_schema", "query_schema",
                                       "rate_limit", "schema", "upstream", "waf", NULL};
    int rc;
    if ((rc = want_map(l, n, "a route")) || (rc = check_keys(l, n, "a route", keys)))
        return rc;
    r->line = (int)n->line;
    r->col = (int)n->col;
    r->limits = l->c->limits;
    if ((rc = get_string(l, n, "name", &r->name)) || (rc = get_string(l, n, "method", &r->method)) ||
        (rc = get_string(l, n, "path", &r->path)))
        return rc;
    if (!r->path)
        return err_at(l, n, "a route needs a \"path\" (/orders, /orders/*, /orders/{id}, /orders/**)");
    size_t named = 0;
    if (!valid_path_pattern(r->path, &named))
        return err_at(l, slsec_node_get(n, "path"),
                      "a route path starts with / and has no spaces, ? or #; a {name} is a whole segment, "
                      "named once, with letters, digits and _");
    if (!r->name)
        r->name = r->path;
    if (r->method) {
        for (const char *s = r->method; *s; s++)
            if (*s < 'A' || *s > 'Z')
                return err_at(l, slsec_node_get(n, "method"), "method must be upper case (GET, POST, ...)");
    }
    const char *up = NULL;
    if ((rc = get_string(l, n, "upstream", &up)))
        return rc;
    if (!up && !l->c->lambda)
        return err_at(l, n, "route \"%s\" has no \"upstream\"", r->name);
    r->upstream = up ? find_upstream(l->c, up) : NULL;
    if (up && !r->upstream)
        return err_at(l, slsec_node_get(n, "upstream"), "route \"%s\": no upstream named \"%s\" in upstreams",
                      r->name, up);
    const char *auth = NULL;
    if ((rc = get_string(l, n, "auth", &auth)))
        return rc;
    if (!auth)
        return err_at(l, n, "route \"%s\" does not say how it authenticates: add auth: jwt, api_key or none",
                      r->name);
    if (strcmp(auth, "none") == 0) r->auth = SLSEC_AUTH_NONE;
    else if (strcmp(auth, "jwt") == 0) r->auth = SLSEC_AUTH_JWT;
    else if (strcmp(auth, "api_key") == 0) r->auth = SLSEC_AUTH_API_KEY;
    else
        return err_at(l, slsec_node_get(n, "auth"), "auth must be jwt, api_key or none");
    if (r->auth == SLSEC_AUTH_JWT && !l->c->jwks && !l->c->jwks_url)
        return err_at(l, slsec_node_get(n, "auth"), "auth: jwt needs a top-level jwt: {jwks: FILE}");
    if (r->auth == SLSEC_AUTH_API_KEY && l->c->api_key_count == 0)
        return err_at(l, slsec_node_get(n, "auth"), "auth: api_key needs api_keys with at least one key");
    const slsec_node *rl = slsec_node_get(n, "rate_limit");
    if (rl && (rc = load_rate_limit(l, rl, r)))
        return rc;
    const slsec_node *lim = slsec_node_get(n, "limits");
    if (lim && (rc = load_limits(l, lim, &r->limits)))
        return rc;
    const char *waf = NULL;
    if ((rc = get_string(l, n, "waf", &waf)))
        return rc;
    if (waf) {
        if (strcmp(waf, "off") == 0) r->waf = SLSEC_WAF_OFF;
        else if (strcmp(waf, "detect") == 0) r->waf = SLSEC_WAF_DETECT;
        else if (strcmp(waf, "block") == 0) r->waf = SLSEC_WAF_BLOCK;
        else
            return err_at(l, slsec_node_get(n, "waf"), "waf must be off, detect or block");
    }
    if (slsec_node_get(n, "path_schema") && named == 0)
        return err_at(l, slsec_node_get(n, "path_schema"),
                      "path_schema needs named segments in the path (/orders/{id})");
    /* the schemas are a route's last step: a route that fails holds none */
    if ((rc = load_route_schema(l, n, "schema", &r->schema_path, &r->schema)) ||
        (rc = load_route_schema(l, n, "query_schema", &r->query_schema_path, &r->query_schema)) ||
        (rc = load_route_schema(l, n, "path_schema", &r->path_schema_path, &r->path_schema))) {
        slsec_schema_free(r->schema);
        slsec_schema_free(r->query_schema);
        slsec_schema_free(r->path_schema);
        r->schema = r->query_schema = r->path_schema = NULL;
        return rc;
    }
    return SLSEC_OK;
}

static int load_jwt(loader *l, const slsec_node *n)
{
    static const char *const keys[] = {"audience", "issuer", "jwks", "jwks_ttl_s", "jwks_url", "leeway_s",
                                       "require_exp", NULL};
    int rc;
    if ((rc = want_map(l, n, "jwt")) || (rc = check_keys(l, n, "jwt", keys)))
        return rc;
    slsec_guard_config *c = l->c;
    const char *jwks = NULL;
    c->jwt.require_exp = true;
    c->jwt.leeway_s = 30;
    if ((rc = get_string(l, n, "jwks", &jwks)) || (rc = get_string(l, n, "issuer", &c->jwt.issuer)) ||
        (rc = get_string(l, n, "audience", &c->jwt.audience)) ||
        (rc = get_long(l, n, "leeway_s", 0, 3600, &c->jwt.leeway_s)) ||
        (rc = get_bool(l, n, "require_exp", &c->jwt.require_exp)))
        return rc;
    c->jwks_ttl_s = 300;
    if ((rc = get_string(l, n, "jwks_url", &c->jwks_url)) ||
        (rc = get_long(l, n, "jwks_ttl_s", 60, 86400, &c->jwks_ttl_s)))
        return rc;
    if (!jwks == !c->jwks_url)
        return err_at(l, n, "jwt needs one of \"jwks\" (a JWKS file) or \"jwks_url\"");
    slsec_diag jd = {0};
    if (c->jwks_url && (l->flags & SLSEC_GUARD_LOAD_DEFER_JWKS))
        return SLSEC_OK; /* the caller's slsec_guard_jwks_start fetches them */
    if (c->jwks_url) {
        /* the keys must be there at start: a gateway without them refuses everything */
        rc = slsec_jwks_fetch(c->jwks_url, 5000, &c->jwks, &jd);
        if (rc)
            return err_at(l, slsec_node_get(n, "jwks_url"), "%s", jd.message);
        return SLSEC_OK;
    }
    c->jwks_path = resolve_path(l, jwks);
    rc = slsec_jwks_load(c->jwks_path, &c->jwks, &jd);
    if (rc)
        return err_at(l, slsec_node_get(n, "jwks"), "JWKS %s: %s", c->jwks_path, jd.message);
    return SLSEC_OK;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int load_api_keys(loader *l, const slsec_node *n)
{
    static const char *const keys[] = {"header", "keys", NULL};
    int rc;
    if ((rc = want_map(l, n, "api_keys")) || (rc = check_keys(l, n, "api_keys", keys)))
        return rc;
    slsec_guard_config *c = l->c;
    if ((rc = get_string(l, n, "header", &c->api_key_header)))
        return rc;
    const slsec_node *list = slsec_node_get(n, "keys");
    if (!slsec_node_is_seq(list) || list->count == 0)
        return err_at(l, list ? list : n, "api_keys needs \"keys\": a list of {name, sha256}");
    c->api_keys = slsec_arena_alloc(c->arena, list->count * sizeof *c->api_keys);
    for (size_t i = 0; i < list->count; i++) {
        const slsec_node *k = list->items[i];
        static const char *const kk[] = {"name", "sha256", NULL};
        if ((rc = want_map(l, k, "an API key")) || (rc = check_keys(l, k, "an API key", kk)))
            return rc;
        slsec_guard_api_key *ak = &c->api_keys[c->api_key_count];
        const char *hex = NULL;
        if ((rc = get_string(l, k, "name", &ak->name)) || (rc = get_string(l, k, "sha256", &hex)))
            return rc;
        if (!ak->name || !hex)
            return err_at(l, k, "an API key needs \"name\" and \"sha256\" (the hex SHA-256 of the key; the key itself is never stored)");
        if (strlen(hex) != 64)
            return err_at(l, slsec_node_get(k, "sha256"), "sha256 must be 64 hex digits");
        for (int j = 0; j < 32; j++) {
            int hi = hexval(hex[2 * j]), lo = hexval(hex[2 * j + 1]);
            if (hi < 0 || lo < 0)
                return err_at(l, slsec_node_get(k, "sha256"), "sha256 must be 64 hex digits");
            ak->sha256[j] = (unsigned char)(hi << 4 | lo);
        }
        c->api_key_count++;
    }
    return SLSEC_OK;
}

static int load_waf_section(loader *l, const slsec_node *n)
{
    static const char *const keys[] = {"anomaly_threshold", "arguments_limit", "crs_rules", "crs_setup",
                                       "paranoia_level", NULL};
    int rc;
    if ((rc = want_map(l, n, "waf")) || (rc = check_keys(l, n, "waf", keys)))
        return rc;
    slsec_waf_opts *o = &l->c->waf_opts;
    const char *rules = NULL, *setup = NULL;
    long pl = o->paranoia_level, th = o->anomaly_threshold, al = o->arguments_limit;
    if ((rc = get_string(l, n, "crs_rules", &rules)) || (rc = get_string(l, n, "crs_setup", &setup)) ||
        (rc = get_long(l, n, "paranoia_level", 1, 4, &pl)) ||
        (rc = get_long(l, n, "anomaly_threshold", 1, 10000, &th)) ||
        (rc = get_long(l, n, "arguments_limit", 1, 1000000, &al)))
        return rc;
    if (rules)
        o->crs_rules_dir = resolve_path(l, rules);
    if (setup)
        o->crs_setup = resolve_path(l, setup);
    o->paranoia_level = (int)pl;
    o->anomaly_threshold = (int)th;
    o->arguments_limit = al;
    return SLSEC_OK;
}

static int load_schema_key(loader *l, const slsec_node *n, const char *key, const char **path, slsec_schema **out)
{
    const char *file = NULL;
    int rc = get_string(l, n, key, &file);
    if (rc || !file)
        return rc;
    *path = resolve_path(l, file);
    slsec_diag sd = {0};
    if (slsec_schema_load(*path, out, &sd))
        return err_at(l, slsec_node_get(n, key), "schema %s: %s", *path, sd.message);
    return SLSEC_OK;
}

/* `keys` differ by trigger: partial_batch is for the triggers whose event
 * source mapping reads batchItemFailures (SQS, Kinesis, DynamoDB Streams),
 * S3 records carry no attributes. */
static int load_trigger(loader *l, const slsec_node *n, const char *what, const char *const *keys,
                        slsec_guard_trigger *t)
{
    int rc;
    if ((rc = want_map(l, n, what)) || (rc = check_keys(l, n, what, keys)))
        return rc;
    t->configured = true;
    const char *waf = NULL;
    if ((rc = get_string(l, n, "waf", &waf)) || (rc = get_bool(l, n, "partial_batch", &t->partial_batch)))
        return rc;
    if (waf) {
        if (strcmp(waf, "off") == 0) t->waf = SLSEC_WAF_OFF;
        else if (strcmp(waf, "detect") == 0) t->waf = SLSEC_WAF_DETECT;
        else if (strcmp(waf, "block") == 0) t->waf = SLSEC_WAF_BLOCK;
        else
            return err_at(l, slsec_node_get(n, "waf"), "waf must be off, detect or block");
    }
    if ((rc = load_schema_key(l, n, "schema", &t->schema_path, &t->schema)) ||
        (rc = load_schema_key(l, n, "attributes_schema", &t->attributes_schema_path, &t->attributes_schema)))
        return rc;
    return SLSEC_OK;
}

static int load_lambda(loader *l, const slsec_node *n)
{
    static const char *const keys[] = {"dynamodb", "eventbridge", "kinesis", "s3", "sns", "sqs", NULL};
    static const char *const batch_keys[] = {"attributes_schema", "partial_batch", "schema", "waf", NULL};
    static const char *const msg_keys[] = {"attributes_schema", "schema", "waf", NULL};
    static const char *const s3_keys[] = {"schema", "waf", NULL};
    int rc;
    if ((rc = want_map(l, n, "lambda")) || (rc = check_keys(l, n, "lambda", keys)))
        return rc;
    slsec_guard_config *c = l->c;
    c->lambda = true;
    const slsec_node *t;
    if ((t = slsec_node_get(n, "sqs")) && (rc = load_trigger(l, t, "lambda.sqs", batch_keys, &c->sqs)))
        return rc;
    if ((t = slsec_node_get(n, "kinesis")) && (rc = load_trigger(l, t, "lambda.kinesis", batch_keys, &c->kinesis)))
        return rc;
    if ((t = slsec_node_get(n, "dynamodb")) &&
        (rc = load_trigger(l, t, "lambda.dynamodb", batch_keys, &c->dynamodb)))
        return rc;
    if ((t = slsec_node_get(n, "sns")) && (rc = load_trigger(l, t, "lambda.sns", msg_keys, &c->sns)))
        return rc;
    if ((t = slsec_node_get(n, "eventbridge")) &&
        (rc = load_trigger(l, t, "lambda.eventbridge", msg_keys, &c->eventbridge)))
        return rc;
    if ((t = slsec_node_get(n, "s3")) && (rc = load_trigger(l, t, "lambda.s3", s3_keys, &c->s3)))
        return rc;
    return SLSEC_OK;
}

/* The certificate and key are checked now (readable, PEM, matching), so a
 * config that loads is one whose listener can complete a handshake. */
static int load_tls(loader *l, const slsec_node *n)
{
    static const char *const keys[] = {"cert", "key", NULL};
    int rc;
    if ((rc = want_map(l, n, "listen_tls")) || (rc = check_keys(l, n, "listen_tls", keys)))
        return rc;
    slsec_guard_config *c = l->c;
    const char *cert = NULL, *key = NULL;
    if ((rc = get_string(l, n, "cert", &cert)) || (rc = get_string(l, n, "key", &key)))
        return rc;
    if (!cert || !key)
        return err_at(l, n, "listen_tls needs \"cert\" (PEM, the chain) and \"key\" (PEM)");
    c->tls_cert = resolve_path(l, cert);
    c->tls_key = resolve_path(l, key);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        slsec_oom();
    c->tls_ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    const slsec_node *at = slsec_node_get(n, "cert");
    ERR_clear_error();
    bool ok = SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) == 1;
    if (ok) {
        at = slsec_node_get(n, "key");
        ok = SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    }
    if (!ok) {
        char err[256];
        ERR_error_string_n(ERR_get_error(), err, sizeof err);
        ERR_clear_error();
        return err_at(l, at, "listen_tls: %s: %s", at == slsec_node_get(n, "cert") ? c->tls_cert : c->tls_key, err);
    }
    return SLSEC_OK;
}

static int load_root(loader *l, const slsec_node *root)
{
    static const char *const keys[] = {"api_keys", "jwt", "lambda", "limits", "listen", "listen_tls",
                                       "rate_limit_table", "routes", "trusted_proxies", "upstreams", "version",
                                       "waf", NULL};
    int rc;
    if (!root)
        return err_at(l, NULL, "the configuration is empty");
    if ((rc = want_map(l, root, "the configuration")) || (rc = check_keys(l, root, "the configuration", keys)))
        return rc;
    slsec_guard_config *c = l->c;
    const slsec_node *version = slsec_node_get(root, "version");
    long v;
    if (version && (!slsec_node_long(version, &v) || v != 1))
        return err_at(l, version, "version must be 1");
    const char *listen = "127.0.0.1:8080";
    if ((rc = get_string(l, root, "listen", &listen)))
        return rc;
    if (!split_host_port(c->arena, listen, &c->listen_host, &c->listen_port))
        return err_at(l, slsec_node_get(root, "listen"), "listen must be host:port");
    const slsec_node *tls = slsec_node_get(root, "listen_tls");
    if (tls && (rc = load_tls(l, tls)))
        return rc;
    long cap = 65536;
    if ((rc = get_long(l, root, "rate_limit_table", 128, 100000000, &cap)))
        return rc;
    c->ratelimit_capacity = (size_t)cap;
    const slsec_node *tp = slsec_node_get(root, "trusted_proxies");
    if (tp) {
        if (!slsec_node_is_seq(tp))
            return err_at(l, tp, "trusted_proxies must be a list of addresses or CIDR blocks");
        c->trusted_proxies = slsec_arena_alloc(c->arena, (tp->count ? tp->count : 1) * sizeof *c->trusted_proxies);
        for (size_t i = 0; i < tp->count; i++) {
            const char *s = slsec_node_str(tp->items[i]);
            if (!s || parse_cidr(s, &c->trusted_proxies[i]))
                return err_at(l, tp->items[i], "not an address or CIDR block: %s", s ? s : "(not a string)");
            c->trusted_proxies[i].text = s;
            c->trusted_proxy_count++;
        }
    }
    const slsec_node *lim = slsec_node_get(root, "limits");
    if (lim && (rc = load_limits(l, lim, &c->limits)))
        return rc;
    const slsec_node *waf = slsec_node_get(root, "waf");
    if (waf && (rc = load_waf_section(l, waf)))
        return rc;
    const slsec_node *jwt = slsec_node_get(root, "jwt");
    if (jwt && (rc = load_jwt(l, jwt)))
        return rc;
    c->api_key_header = "x-api-key";
    const slsec_node *ak = slsec_node_get(root, "api_keys");
    if (ak && (rc = load_api_keys(l, ak)))
        return rc;
    const slsec_node *lam = slsec_node_get(root, "lambda");
    if (lam && (rc = load_lambda(l, lam)))
        return rc;
    const slsec_node *ups = slsec_node_get(root, "upstreams");
    if (!ups && !c->lambda)
        return err_at(l, root, "the configuration needs \"upstreams\"");
    if (ups && (rc = load_upstreams(l, ups)))
        return rc;
    const slsec_node *routes = slsec_node_get(root, "routes");
    if (!slsec_node_is_seq(routes) || routes->count == 0)
        return err_at(l, routes ? routes : root, "the configuration needs \"routes\": a non-empty list");
    c->routes = slsec_arena_alloc(c->arena, routes->count * sizeof *c->routes);
    bool want_waf = false;
    for (size_t i = 0; i < routes->count; i++) {
        if ((rc = load_route(l, routes->items[i], &c->routes[i])))
            return rc;
        want_waf |= c->routes[i].waf != SLSEC_WAF_OFF;
        c->route_count++;
    }
    want_waf |= c->sqs.waf || c->sns.waf || c->eventbridge.waf || c->s3.waf || c->kinesis.waf || c->dynamodb.waf;
    /* the rule set costs a second and tens of MB: loaded only when used */
    if (want_waf) {
        long max_body = 1;
        for (size_t i = 0; i < c->route_count; i++)
            if (c->routes[i].limits.max_body_bytes > max_body)
                max_body = c->routes[i].limits.max_body_bytes;
        c->waf_opts.body_limit = max_body;
        slsec_diag wd = {0};
        rc = slsec_waf_new(&c->waf_opts, &c->waf, &wd);
        if (rc)
            return err_at(l, waf ? waf : routes, "%s%s%s", wd.file[0] ? wd.file : "", wd.file[0] ? ": " : "",
                          wd.message);
    }
    return SLSEC_OK;
}

void slsec_guard_config_free(slsec_guard_config *c)
{
    if (!c)
        return;
    /* first: its thread stops before anything it could call back into goes */
    slsec_jwks_refresher_free(c->jwks_refresher);
    for (size_t i = 0; i < c->route_count; i++) {
        slsec_schema_free(c->routes[i].schema);
        slsec_schema_free(c->routes[i].query_schema);
        slsec_schema_free(c->routes[i].path_schema);
    }
    slsec_jwks_free(c->jwks);
    slsec_waf_free(c->waf);
    slsec_guard_trigger *triggers[] = {&c->sqs, &c->sns, &c->eventbridge, &c->s3, &c->kinesis, &c->dynamodb};
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
        slsec_schema_free(triggers[i]->schema);
        slsec_schema_free(triggers[i]->attributes_schema);
    }
    SSL_CTX_free(c->tls_ctx);
    slsec_arena_free(c->arena);
    free(c);
}

static int parse_config(const char *file, const char *text, size_t len, const char *base_dir, unsigned flags,
                        slsec_guard_config **out, slsec_diag *d)
{
    *out = NULL;
    slsec_guard_config *c = calloc(1, sizeof *c);
    if (!c)
        slsec_oom();
    c->arena = slsec_arena_new();
    c->file = slsec_arena_strdup(c->arena, file);
    c->limits = (slsec_guard_limits){
        .max_header_bytes = 16 * 1024,
        .max_body_bytes = 1024 * 1024,
        .header_timeout_ms = 10000,
        .upstream_connect_timeout_ms = 1000,
        .upstream_timeout_ms = 10000,
        .max_concurrent = 1024,
        .min_bytes_per_second = 1024,
    };
    c->waf_opts = (slsec_waf_opts){
        .crs_setup = "/etc/modsecurity/crs/crs-setup.conf",
        .crs_rules_dir = "/usr/share/modsecurity-crs/rules",
        .paranoia_level = 1,
        .anomaly_threshold = 5,
        .arguments_limit = 1000,
    };
    slsec_doc doc;
    int rc = slsec_doc_parse(c->arena, c->file, text, len, &doc, d);
    if (rc == SLSEC_OK) {
        loader l = {c, base_dir, d, flags};
        rc = load_root(&l, doc.root);
    }
    if (rc) {
        slsec_guard_config_free(c);
        return rc;
    }
    *out = c;
    return SLSEC_OK;
}

int slsec_guard_config_parse(const char *file, const char *text, size_t len, const char *base_dir,
                             slsec_guard_config **out, slsec_diag *d)
{
    return parse_config(file, text, len, base_dir, 0, out, d);
}

int slsec_guard_config_load(const char *path, slsec_guard_config **out, slsec_diag *d)
{
    return slsec_guard_config_load_flags(path, 0, out, d);
}

int slsec_guard_config_load_flags(const char *path, unsigned flags, slsec_guard_config **out, slsec_diag *d)
{
    *out = NULL;
    char *data;
    size_t len;
    int rc = slsec_read_file(path, SLSEC_MAX_CONFIG_BYTES, &data, &len, d);
    if (rc)
        return rc;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    rc = parse_config(path, data, len, dir, flags, out, d);
    free(data);
    return rc;
}

/* ---- queries ------------------------------------------------------------------------ */

/* Segment match: '*' and '{name}' are one non-empty segment, a final '**' any rest. */
static bool path_match(const char *pat, const char *path)
{
    while (*pat && *path) {
        if (pat[0] == '*' && pat[1] == '*' && pat[2] == '\0')
            return true;
        bool any = *pat == '*' && (pat[1] == '/' || pat[1] == '\0');
        bool named = *pat == '{'; /* the loader lets braces be whole segments only */
        if (any || named) {
            size_t seg = strcspn(path, "/");
            if (seg == 0)
                return false;
            path += seg;
            pat += any ? 1 : strcspn(pat, "/");
            continue;
        }
        if (*pat != *path)
            return false;
        pat++;
        path++;
    }
    if (pat[0] == '/' && pat[1] == '*' && pat[2] == '*' && pat[3] == '\0')
        return *path == '\0';
    return *pat == '\0' && *path == '\0';
}

const slsec_guard_route *slsec_guard_route_match(const slsec_guard_config *c, const char *method,
                                                 const char *path)
{
    for (size_t i = 0; i < c->route_count; i++) {
        const slsec_guard_route *r = &c->routes[i];
        if (r->method && strcmp(r->method, method) != 0)
            continue;
        if (path_match(r->path, path))
            return r;
    }
    return NULL;
}

bool slsec_guard_api_key_check(const slsec_guard_config *c, const char *key, const char **name)
{
    unsigned char digest[32];
    SHA256((const unsigned char *)key, strlen(key), digest);
    const char *found = NULL;
    /* every key is compared, whatever matched, so timing says nothing */
    for (size_t i = 0; i < c->api_key_count; i++)
        if (CRYPTO_memcmp(digest, c->api_keys[i].sha256, 32) == 0)
            found = c->api_keys[i].name;
    if (name)
        *name = found;
    return found != NULL;
}

bool slsec_guard_trusted_proxy(const slsec_guard_config *c, const char *addr)
{
    unsigned char a[16];
    int family = AF_INET;
    if (inet_pton(AF_INET, addr, a) != 1) {
        family = AF_INET6;
        if (inet_pton(AF_INET6, addr, a) != 1)
            return false;
    }
    for (size_t i = 0; i < c->trusted_proxy_count; i++) {
        const slsec_guard_cidr *p = &c->trusted_proxies[i];
        if (p->family != family)
            continue;
        int bits = p->prefix, byte = 0;
        bool same = true;
        for (; bits >= 8 && same; bits -= 8, byte++)
            same = a[byte] == p->addr[byte];
        if (same && bits > 0) {
            unsigned char mask = (unsigned char)(0xff << (8 - bits));
            same = (a[byte] & mask) == (p->addr[byte] & mask);
        }
        if (same)
            return true;
    }
    return false;
}

static void print_limits(slsec_buf *b, const char *indent, const slsec_guard_limits *l)
{
    slsec_buf_printf(b,
                     "%smax_header_bytes: %ld\n%smax_body_bytes: %ld\n%sheader_timeout_ms: %ld\n"
                     "%supstream_connect_timeout_ms: %ld\n%supstream_timeout_ms: %ld\n%smax_concurrent: %ld\n"
                     "%smin_bytes_per_second: %ld\n",
                     indent, l->max_header_bytes, indent, l->max_body_bytes, indent, l->header_timeout_ms, indent,
                     l->upstream_connect_timeout_ms, indent, l->upstream_timeout_ms, indent, l->max_concurrent,
                     indent, l->min_bytes_per_second);
}

void slsec_guard_config_print(const slsec_guard_config *c, slsec_buf *b)
{
    slsec_buf_printf(b, "# effective policy of %s\nversion: 1\nlisten: %s%s%s:%d\n", c->file,
                     strchr(c->listen_host, ':') ? "[" : "", c->listen_host, strchr(c->listen_host, ':') ? "]" : "",
                     c->listen_port);
    if (c->tls_ctx)
        slsec_buf_printf(b, "listen_tls:\n  cert: \"%s\"\n  key: \"%s\"\n", c->tls_cert, c->tls_key);
    slsec_buf_printf(b, "rate_limit_table: %zu\ntrusted_proxies: [", c->ratelimit_capacity);
    for (size_t i = 0; i < c->trusted_proxy_count; i++)
        slsec_buf_printf(b, "%s\"%s\"", i ? ", " : "", c->trusted_proxies[i].text);
    slsec_buf_puts(b, "]\nlimits:\n");
    print_limits(b, "  ", &c->limits);
    if (c->jwks || c->jwks_url) {
        size_t nkeys = slsec_jwks_count(c->jwks);
        if (c->jwks_refresher)
            slsec_jwks_refresher_stats(c->jwks_refresher, NULL, NULL, &nkeys);
        if (c->jwks_url)
            slsec_buf_printf(b, "jwt:\n  jwks_url: \"%s\"  # %zu keys\n  jwks_ttl_s: %ld\n", c->jwks_url, nkeys,
                             c->jwks_ttl_s);
        else
            slsec_buf_printf(b, "jwt:\n  jwks: \"%s\"  # %zu keys\n", c->jwks_path, slsec_jwks_count(c->jwks));
        slsec_buf_printf(b, "  leeway_s: %ld\n  require_exp: %s\n", c->jwt.leeway_s, c->jwt.require_exp ? "true" : "false");
        if (c->jwt.issuer)
            slsec_buf_printf(b, "  issuer: \"%s\"\n", c->jwt.issuer);
        if (c->jwt.audience)
            slsec_buf_printf(b, "  audience: \"%s\"\n", c->jwt.audience);
    }
    if (c->api_key_count) {
        slsec_buf_printf(b, "api_keys:\n  header: \"%s\"\n  keys:\n", c->api_key_header);
        for (size_t i = 0; i < c->api_key_count; i++)
            slsec_buf_printf(b, "    - name: \"%s\"\n", c->api_keys[i].name);
    }
    if (c->waf)
        slsec_buf_printf(b, "waf:\n  crs_rules: \"%s\"\n  crs_setup: \"%s\"\n  paranoia_level: %d\n  anomaly_threshold: %d\n  arguments_limit: %ld\n",
                         c->waf_opts.crs_rules_dir, c->waf_opts.crs_setup, c->waf_opts.paranoia_level,
                         c->waf_opts.anomaly_threshold, c->waf_opts.arguments_limit);
    const struct {
        const char *name;
        const slsec_guard_trigger *t;
    } triggers[] = {{"sqs", &c->sqs}, {"sns", &c->sns}, {"eventbridge", &c->eventbridge},
                    {"s3", &c->s3}, {"kinesis", &c->kinesis}, {"dynamodb", &c->dynamodb}};
    static const char *const waf_modes[] = {"off", "detect", "block"};
    if (c->lambda) {
        slsec_buf_puts(b, "lambda:\n");
        for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
            const slsec_guard_trigger *t = triggers[i].t;
            if (!t->configured)
                continue;
            slsec_buf_printf(b, "  %s:\n", triggers[i].name);
            if (t->schema_path)
                slsec_buf_printf(b, "    schema: \"%s\"\n", t->schema_path);
            if (t->attributes_schema_path)
                slsec_buf_printf(b, "    attributes_schema: \"%s\"\n", t->attributes_schema_path);
            slsec_buf_printf(b, "    waf: %s\n", waf_modes[t->waf]);
            if (t == &c->sqs || t == &c->kinesis || t == &c->dynamodb)
                slsec_buf_printf(b, "    partial_batch: %s\n", t->partial_batch ? "true" : "false");
        }
    }
    slsec_buf_puts(b, "upstreams:\n");
    for (size_t i = 0; i < c->upstream_count; i++)
        slsec_buf_printf(b, "  %s:\n    url: \"http://%s%s%s:%d\"\n    pool: %d\n", c->upstreams[i].name,
                         strchr(c->upstreams[i].host, ':') ? "[" : "", c->upstreams[i].host,
                         strchr(c->upstreams[i].host, ':') ? "]" : "", c->upstreams[i].port, c->upstreams[i].pool);
    slsec_buf_puts(b, "routes:\n");
    static const char *const auth_names[] = {"?", "none", "jwt", "api_key"};
    static const char *const key_names[] = {"?", "ip", "api_key", "sub", "header"};
    for (size_t i = 0; i < c->route_count; i++) {
        const slsec_guard_route *r = &c->routes[i];
        slsec_buf_printf(b, "  - name: \"%s\"\n    method: %s\n    path: \"%s\"\n    upstream: %s\n    auth: %s\n",
                         r->name, r->method ? r->method : "\"*\"", r->path, r->upstream ? r->upstream->name : "~",
                         auth_names[r->auth]);
        if (r->rate_limited) {
            slsec_buf_printf(b, "    rate_limit:\n      per_second: %g\n      burst: %g\n      key: %s%s%s\n      shadow: %s\n",
                             r->rate.per_second, r->rate.burst, key_names[r->rl_key], r->rl_header ? ":" : "",
                             r->rl_header ? r->rl_header : "", r->rl_shadow ? "true" : "false");
        }
        if (r->schema_path)
            slsec_buf_printf(b, "    schema: \"%s\"\n", r->schema_path);
        if (r->query_schema_path)
            slsec_buf_printf(b, "    query_schema: \"%s\"\n", r->query_schema_path);
        if (r->path_schema_path)
            slsec_buf_printf(b, "    path_schema: \"%s\"\n", r->path_schema_path);
        static const char *const waf_names[] = {"off", "detect", "block"};
        slsec_buf_printf(b, "    waf: %s\n", waf_names[r->waf]);
        slsec_buf_puts(b, "    limits:\n");
        print_limits(b, "      ", &r->limits);
    }
}
