/*
 * slsec/guard.h — the request gateway's engine: policy (guard.yml), JWT
 * and API-key authentication, per-key rate limiting, JSON Schema
 * validation, and the HTTP proxy that applies them (docs/guard.md).
 *
 * The pieces are independent so each can be tested and fuzzed alone:
 *
 *   slsec_guard_config   guard.yml read through src/doc (file:line:col on
 *                        every error), immutable once loaded; the proxy
 *                        swaps whole configs on SIGHUP.
 *   slsec_jwks           verification keys, each pinned to one algorithm:
 *                        the token's "alg" must equal the key's, it never
 *                        chooses the verification. "none" is never a key's.
 *   slsec_jwks_refresher jwks_url keys kept fresh by a thread of their own
 *                        (TTL, unknown kid), so no request waits on a fetch.
 *   slsec_ratelimit      token buckets in a sharded, bounded table; time is
 *                        always passed in (nanoseconds), so tests use a
 *                        fake clock.
 *   slsec_schema         a compiled JSON Schema (draft 4/6/7/2020-12 core
 *                        keywords), validated against jansson values.
 *
 * Ownership: every _new/_load has a _free, and _free(NULL) is a no-op.
 * Nothing here prints; errors come back as SLSEC_E* with a slsec_diag.
 */
#ifndef SLSEC_GUARD_H
#define SLSEC_GUARD_H

#include "slsec/base.h"

#include <jansson.h>

/* ---- limits (overridable like limits.h) ----------------------------------- */

#ifndef SLSEC_GUARD_MAX_TOKEN_BYTES
#define SLSEC_GUARD_MAX_TOKEN_BYTES 8192u /* a JWT longer than this is refused */
#endif
#ifndef SLSEC_GUARD_MAX_JWKS_KEYS
#define SLSEC_GUARD_MAX_JWKS_KEYS 64u
#endif
#ifndef SLSEC_GUARD_MAX_JSON_DEPTH
#define SLSEC_GUARD_MAX_JSON_DEPTH 64u /* nesting of a validated body */
#endif
#ifndef SLSEC_GUARD_MAX_SCHEMA_DEPTH
#define SLSEC_GUARD_MAX_SCHEMA_DEPTH 128u /* schema recursion, $ref included */
#endif
#ifndef SLSEC_GUARD_MAX_SCHEMA_BYTES
#define SLSEC_GUARD_MAX_SCHEMA_BYTES (1024u * 1024u)
#endif
#ifndef SLSEC_GUARD_MAX_QUERY_PARAMS
#define SLSEC_GUARD_MAX_QUERY_PARAMS 256u /* a query string with more is refused (invalid_query) */
#endif
#ifndef SLSEC_GUARD_MAX_PARAM_BYTES
#define SLSEC_GUARD_MAX_PARAM_BYTES 8192u /* a query string or path validated by a schema */
#endif
#ifndef SLSEC_GUARD_STREAM_WATERMARK
#define SLSEC_GUARD_STREAM_WATERMARK (512u * 1024u) /* response bytes waiting for a slow client past which
                                                       the upstream is not read */
#endif
#ifndef SLSEC_GUARD_MAX_UPSTREAM_BUFFER
#define SLSEC_GUARD_MAX_UPSTREAM_BUFFER (8u * 1024u * 1024u) /* upstream bytes held before they can be relayed:
                                                                one chunk of a chunked answer */
#endif
#ifndef SLSEC_GUARD_MAX_UPSTREAM_HEADER_BYTES
#define SLSEC_GUARD_MAX_UPSTREAM_HEADER_BYTES (64u * 1024u) /* an upstream's status line and headers */
#endif
#ifndef SLSEC_GUARD_MAX_PENDING_BATCHES
#define SLSEC_GUARD_MAX_PENDING_BATCHES 64u /* Lambda partial batches awaiting the runtime's response */
#endif

/* ---- JWT --------------------------------------------------------------------- */

typedef enum {
    SLSEC_JWT_RS256 = 1,
    SLSEC_JWT_ES256,
    SLSEC_JWT_EDDSA,
    SLSEC_JWT_HS256,
} slsec_jwt_alg;

/* Why a token was refused; also the access log's reason. Never renumbered. */
typedef enum {
    SLSEC_JWT_OK = 0,
    SLSEC_JWT_MALFORMED,     /* not three base64url parts of JSON objects */
    SLSEC_JWT_TOO_LONG,
    SLSEC_JWT_ALG_NONE,      /* "alg": "none" (always refused) */
    SLSEC_JWT_ALG_MISMATCH,  /* the token's alg is not the key's pinned alg */
    SLSEC_JWT_UNKNOWN_KID,   /* no key with exactly that kid (or no kid and several keys) */
    SLSEC_JWT_BAD_SIGNATURE,
    SLSEC_JWT_EXPIRED,
    SLSEC_JWT_NOT_YET_VALID, /* nbf in the future */
    SLSEC_JWT_ISSUED_IN_FUTURE,
    SLSEC_JWT_MISSING_EXP,
    SLSEC_JWT_BAD_ISSUER,
    SLSEC_JWT_BAD_AUDIENCE,
} slsec_jwt_status;

const char *slsec_jwt_status_name(slsec_jwt_status s);
const char *slsec_jwt_alg_name(slsec_jwt_alg a);

typedef struct slsec_jwks slsec_jwks;

/* Parses a JWKS document ({"keys": [...]}). Each key's algorithm is its
 * "alg" member, or, when absent, the one its type implies (RSA → RS256,
 * EC P-256 → ES256, OKP Ed25519 → EdDSA, oct → HS256); a key whose "alg"
 * contradicts its type, or with an algorithm not listed above, is an error.
 * `file` names the source in diagnostics. */
int slsec_jwks_parse(const char *file, const char *json, size_t len, slsec_jwks **out, slsec_diag *d);
int slsec_jwks_load(const char *path, slsec_jwks **out, slsec_diag *d);
/* Fetches a JWKS over http(s) with libcurl (bounded: timeout_ms, 1 MiB,
 * HTTPS certificates verified, no redirects). */
int slsec_jwks_fetch(const char *url, long timeout_ms, slsec_jwks **out, slsec_diag *d);
size_t slsec_jwks_count(const slsec_jwks *k);
void slsec_jwks_free(slsec_jwks *k);

typedef struct slsec_jwt_policy {
    const char *issuer;   /* required and compared exactly when set */
    const char *audience; /* one of "aud" (string or array) when set */
    long leeway_s;        /* clock skew allowed on exp/nbf/iat */
    bool require_exp;
} slsec_jwt_policy;

typedef struct slsec_jwt_claims {
    char sub[256]; /* the subject, "" when absent */
    char kid[128];
    slsec_jwt_alg alg;
    long long exp;
} slsec_jwt_claims;

/* Verifies a compact JWS at `now` (seconds since the epoch). On
 * SLSEC_JWT_OK, claims (if given) holds what the access log and the rate
 * limiter need. */
slsec_jwt_status slsec_jwt_verify(const slsec_jwks *keys, const slsec_jwt_policy *policy,
                                  const char *token, size_t len, long long now,
                                  slsec_jwt_claims *claims);

/* ---- JWKS from a URL, kept fresh off the request path ------------------------------ */

/* A thread of its own refetches the keys when they are ttl_ms old, and
 * soon after a token names a kid they lack (at most once per
 * kid_interval_ms); verification swaps nothing and fetches nothing, so no
 * request ever waits on the network. A failed fetch keeps the keys there
 * are and is retried after retry_ms (or ttl_ms, when shorter). */
typedef struct slsec_jwks_refresher slsec_jwks_refresher;

typedef struct slsec_jwks_refresh_opts {
    const char *url;
    long ttl_ms;          /* keys this old are refetched */
    long kid_interval_ms; /* an unknown kid asks for a refetch at most this often */
    long retry_ms;        /* the next attempt after a failed one */
    long timeout_ms;      /* one fetch, connect included */
    /* After each attempt, on the refresher's thread (so it must be
     * thread-safe): ok with the new key count, or the error. May be NULL. */
    void (*on_fetch)(void *user, bool ok, size_t keys, const char *error);
    void *user;
} slsec_jwks_refresh_opts;

/* Starts the thread. `keys` (the ones fetched when the config loaded) is
 * taken over on success; on failure it stays the caller's. With no keys
 * (NULL) the first fetch starts at once; until it succeeds every token is
 * refused (SLSEC_JWT_UNKNOWN_KID). */
int slsec_jwks_refresher_new(const slsec_jwks_refresh_opts *o, slsec_jwks *keys, slsec_jwks_refresher **out,
                             slsec_diag *d);
/* Stops the thread (a fetch in progress is abandoned at once) and frees
 * the keys. */
void slsec_jwks_refresher_free(slsec_jwks_refresher *r);
/* slsec_jwt_verify with the current keys. SLSEC_JWT_UNKNOWN_KID also asks
 * the thread for a refetch, at most once per kid_interval_ms; the caller
 * gets the answer of the keys there are now. */
slsec_jwt_status slsec_jwks_refresher_verify(slsec_jwks_refresher *r, const slsec_jwt_policy *policy,
                                             const char *token, size_t len, long long now, slsec_jwt_claims *claims);
/* Attempts so far (each counted once its fetch ended) and the current key count. */
void slsec_jwks_refresher_stats(slsec_jwks_refresher *r, uint64_t *fetched, uint64_t *failed, size_t *keys);

/* base64url without padding; false on any other character. out gets at
 * most (n*3)/4 bytes. */
bool slsec_base64url_decode(const char *s, size_t n, unsigned char *out, size_t *out_len);

/* ---- rate limiting ------------------------------------------------------------- */

typedef struct slsec_ratelimit slsec_ratelimit;

/* capacity: buckets kept at most (rounded up to whole shards); the least
 * recently used bucket of a full set is evicted, which at worst forgives
 * a client its debt — never blocks an unrelated one. */
slsec_ratelimit *slsec_ratelimit_new(size_t capacity);
void slsec_ratelimit_free(slsec_ratelimit *rl);

typedef struct slsec_rate {
    double per_second; /* refill rate, > 0 */
    double burst;      /* bucket size, >= 1 */
} slsec_rate;

/* Takes one token from the bucket of (scope, key) at now_ns. Returns true
 * when allowed; otherwise *retry_after_s (if given) is the whole number of
 * seconds after which one token will be there (at least 1). `scope`
 * separates routes sharing a key. */
bool slsec_ratelimit_take(slsec_ratelimit *rl, const char *scope, const char *key,
                          const slsec_rate *rate, uint64_t now_ns, unsigned *retry_after_s);
size_t slsec_ratelimit_size(const slsec_ratelimit *rl);
uint64_t slsec_ratelimit_evictions(const slsec_ratelimit *rl);

/* ---- JSON Schema --------------------------------------------------------------- */

typedef enum {
    SLSEC_SCHEMA_AUTO = 0, /* from "$schema", else draft 2020-12 */
    SLSEC_SCHEMA_DRAFT4,
    SLSEC_SCHEMA_DRAFT6,
    SLSEC_SCHEMA_DRAFT7,
    SLSEC_SCHEMA_2020_12,
} slsec_schema_draft;

typedef struct slsec_schema slsec_schema;

/* Compiles a schema given as a jansson value (borrowed, with its own
 * reference taken). Fails on an invalid "pattern" or a "$ref" that leaves
 * the document, naming the JSON pointer of the offending keyword. */
int slsec_schema_new(json_t *schema, slsec_schema_draft draft, slsec_schema **out, slsec_diag *d);
int slsec_schema_load(const char *path, slsec_schema **out, slsec_diag *d);
void slsec_schema_free(slsec_schema *s);

/* Validates; on failure `why` (if given) gets the instance location and
 * the failed keyword, e.g. "/items/2/qty: minimum". Returns true when
 * valid. Instances nested deeper than SLSEC_GUARD_MAX_JSON_DEPTH are
 * invalid ("depth"). */
bool slsec_schema_validate(const slsec_schema *s, const json_t *instance, char *why, size_t why_size);

/* Query-string and path parameters arrive as text; a schema saying
 * {"type": "integer"} for one of them means "text that is an integer".
 * For each member of `object` named in the schema's top-level
 * "properties" (through a $ref), a string becomes the integer, number or
 * boolean the property's "type" asks for when the text is exactly one
 * (JSON grammar), and a lone string becomes a one-element array where the
 * type is "array" (its items coerced the same way). A property whose type
 * allows "string", or text that is not such a value, is left alone (and
 * then fails "type" as it should). */
void slsec_schema_coerce_params(const slsec_schema *s, json_t *object);

/* ---- WAF: libmodsecurity3 + OWASP CRS ---------------------------------------------- */

typedef struct slsec_waf slsec_waf;

typedef struct slsec_waf_opts {
    const char *crs_setup;     /* crs-setup.conf */
    const char *crs_rules_dir; /* the folder of REQUEST-*.conf */
    int paranoia_level;        /* 1..4 */
    int anomaly_threshold;     /* inbound anomaly score that blocks */
    long arguments_limit;      /* SecArgumentsLimit */
    long body_limit;           /* SecRequestBodyLimit */
    const char *extra_rules;   /* more directives after crs-setup (tests), or NULL */
} slsec_waf_opts;

typedef struct slsec_waf_request {
    const char *id; /* the request id, for ModSecurity's logs; NULL: it makes one up */
    const char *client_ip, *server_ip;
    int client_port, server_port;
    const char *method, *uri, *http_version; /* "1.1" */
    const char *const *header_names;
    const char *const *header_values;
    size_t header_count;
    const char *body;
    size_t body_len;
} slsec_waf_request;

typedef struct slsec_waf_verdict {
    bool blocked;
    int status;           /* when blocked */
    int rule_id;          /* the rule that decided (949110 for an anomaly score) */
    int last_logged_rule; /* in detect mode: the last rule that matched, 0 = none */
} slsec_waf_verdict;

/* Each ModSecurity log line of a transaction, as it is written. */
typedef void (*slsec_waf_log_fn)(const char *line, void *user);

int slsec_waf_new(const slsec_waf_opts *o, slsec_waf **out, slsec_diag *d);
void slsec_waf_free(slsec_waf *w);
int slsec_waf_check(const slsec_waf *w, const slsec_waf_request *r, slsec_waf_log_fn log, void *user,
                    slsec_waf_verdict *v);

/* ---- policy: guard.yml ---------------------------------------------------------- */

typedef enum { SLSEC_AUTH_NONE = 1, SLSEC_AUTH_JWT, SLSEC_AUTH_API_KEY } slsec_guard_auth;
typedef enum { SLSEC_WAF_OFF = 0, SLSEC_WAF_DETECT, SLSEC_WAF_BLOCK } slsec_guard_waf_mode;
typedef enum {
    SLSEC_RL_KEY_IP = 1,
    SLSEC_RL_KEY_API_KEY,
    SLSEC_RL_KEY_SUB,
    SLSEC_RL_KEY_HEADER,
} slsec_guard_rl_key;

typedef struct slsec_guard_limits {
    long max_header_bytes;
    long max_body_bytes;
    long header_timeout_ms; /* the whole request, headers and body, must arrive within */
    long upstream_connect_timeout_ms;
    long upstream_timeout_ms;
    long max_concurrent;
    long min_bytes_per_second; /* past header_timeout_ms, each byte received earns 1/rate s more */
} slsec_guard_limits;

typedef struct slsec_guard_upstream {
    const char *name;
    const char *host;
    int port;
    int pool; /* connections kept alive */
    int line, col;
} slsec_guard_upstream;

typedef struct slsec_guard_api_key {
    const char *name;
    unsigned char sha256[32];
} slsec_guard_api_key;

typedef struct slsec_guard_route {
    const char *name;
    const char *method;  /* NULL: any */
    const char *path;    /* exact; a "*" or "{name}" segment is any one segment, a final "**" any rest */
    const slsec_guard_upstream *upstream;
    slsec_guard_auth auth;
    bool rate_limited;
    slsec_rate rate;
    slsec_guard_rl_key rl_key;
    const char *rl_header; /* for SLSEC_RL_KEY_HEADER */
    bool rl_shadow;        /* log what would be refused, refuse nothing */
    const char *schema_path;
    slsec_schema *schema; /* for JSON bodies; NULL when none */
    const char *query_schema_path;
    slsec_schema *query_schema; /* the query string as an object; NULL when none */
    const char *path_schema_path;
    slsec_schema *path_schema; /* the {named} path segments as an object; NULL when none */
    slsec_guard_limits limits;
    slsec_guard_waf_mode waf;
    int line, col;
} slsec_guard_route;

typedef struct slsec_guard_cidr {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix;
    const char *text;
} slsec_guard_cidr;

/* Lambda Runtime API proxy mode: the policy for non-HTTP triggers. */
typedef struct slsec_guard_trigger {
    bool configured;      /* the lambda: section names this trigger */
    const char *schema_path;
    slsec_schema *schema; /* each record's message (SQS body, SNS Message, EventBridge detail,
                             Kinesis data base64-decoded, the DynamoDB item unmarshalled: NewImage,
                             else Keys), or for S3 the object (slsec_guard_s3_object) */
    const char *attributes_schema_path;
    slsec_schema *attributes_schema; /* SQS/SNS message attributes as {name: value}; EventBridge:
                                        the envelope without "detail"; Kinesis: "kinesis" without
                                        "data"; DynamoDB: eventName and "dynamodb" without the images
                                        and Keys */
    slsec_guard_waf_mode waf;
    bool partial_batch;   /* SQS, Kinesis, DynamoDB Streams with ReportBatchItemFailures: refuse
                             records, not the batch */
} slsec_guard_trigger;

typedef struct slsec_guard_config {
    slsec_arena *arena;
    const char *file;
    const char *listen_host;
    int listen_port;
    const char *tls_cert, *tls_key; /* listen_tls: PEM files; NULL: plain HTTP */
    struct ssl_ctx_st *tls_ctx;     /* the OpenSSL SSL_CTX made from them when the config loads */
    slsec_guard_cidr *trusted_proxies; /* X-Forwarded-For is believed only from these */
    size_t trusted_proxy_count;
    slsec_guard_upstream *upstreams;
    size_t upstream_count;
    slsec_guard_route *routes;
    size_t route_count;
    slsec_jwks *jwks;           /* the keys; moved into jwks_refresher when it starts */
    const char *jwks_path;
    const char *jwks_url;       /* keys fetched from here instead of a file */
    long jwks_ttl_s;            /* refetched when older than this */
    slsec_jwks_refresher *jwks_refresher; /* jwks_url keys once slsec_guard_jwks_start ran */
    slsec_jwt_policy jwt;
    slsec_guard_api_key *api_keys;
    size_t api_key_count;
    const char *api_key_header; /* default "x-api-key" */
    slsec_guard_limits limits;  /* defaults for every route */
    size_t ratelimit_capacity;
    slsec_waf_opts waf_opts;    /* the waf: section with its defaults */
    slsec_waf *waf;             /* loaded when some route has waf: detect or block */
    bool lambda;                /* a lambda: section: routes need no upstream */
    slsec_guard_trigger sqs, sns, eventbridge, s3, kinesis, dynamodb;
} slsec_guard_config;

/* Loads guard.yml. Unknown keys, wrong types, a route without an upstream
 * or without an explicit auth, an upstream that is not http://host:port,
 * a JWKS or schema that does not load: SLSEC_EUSAGE/EPARSE/EIO with d at
 * the offending node. Relative file paths are taken from the config's folder. */
int slsec_guard_config_load(const char *path, slsec_guard_config **out, slsec_diag *d);
/* slsec_guard_config_load with SLSEC_GUARD_LOAD_* flags. */
#define SLSEC_GUARD_LOAD_DEFER_JWKS 1u /* a jwks_url is not fetched: the config comes back without keys
                                          (jwks NULL) for slsec_guard_jwks_start to fetch on its own thread,
                                          so a reload never waits on the network */
int slsec_guard_config_load_flags(const char *path, unsigned flags, slsec_guard_config **out, slsec_diag *d);
int slsec_guard_config_parse(const char *file, const char *text, size_t len, const char *base_dir,
                             slsec_guard_config **out, slsec_diag *d);
void slsec_guard_config_free(slsec_guard_config *c);
/* The effective policy (defaults filled in) as YAML, for --check. */
void slsec_guard_config_print(const slsec_guard_config *c, slsec_buf *out);

/* For a jwks_url config: hands its keys to a slsec_jwks_refresher (TTL
 * jwks_ttl_s, an unknown kid at most once a minute, a failure retried
 * after a minute, 5 s per fetch) that keeps them fresh until the config is
 * freed. A config loaded with SLSEC_GUARD_LOAD_DEFER_JWKS has no keys yet:
 * its first fetch starts at once, and its on_fetch says when it ended.
 * Nothing to do for a JWKS file. on_fetch as in slsec_jwks_refresh_opts.
 * On failure the keys stay the config's, unrefreshed. */
int slsec_guard_jwks_start(slsec_guard_config *c, void (*on_fetch)(void *user, bool ok, size_t keys, const char *error),
                           void *user, slsec_diag *d);
/* Verifies a token with the config's keys: the refresher's once started. */
slsec_jwt_status slsec_guard_jwt_verify(const slsec_guard_config *c, const char *token, size_t len, long long now,
                                        slsec_jwt_claims *claims);

/* The first route matching method and path (no query), or NULL. */
const slsec_guard_route *slsec_guard_route_match(const slsec_guard_config *c, const char *method,
                                                 const char *path);
/* Is the API key one of the configured ones? Compared by SHA-256 in
 * constant time over every configured key; *name gets its name. */
bool slsec_guard_api_key_check(const slsec_guard_config *c, const char *key, const char **name);
/* Query-string and path parameters (route keys query_schema, path_schema). */
typedef enum {
    SLSEC_PARAMS_OK = 0,
    SLSEC_PARAMS_INVALID_PATH,  /* a {named} segment that does not decode to UTF-8 text */
    SLSEC_PARAMS_PATH_SCHEMA,   /* the path parameters fail path_schema */
    SLSEC_PARAMS_INVALID_QUERY, /* bad percent-encoding, not UTF-8, too many parameters, too long */
    SLSEC_PARAMS_QUERY_SCHEMA,  /* the query parameters fail query_schema */
} slsec_guard_params_status;

/* s[0..n) percent-decoded (and "+" as a space when plus_is_space) into a
 * JSON string; NULL when a "%" is not followed by two hex digits, for %00,
 * or when the result is not UTF-8. */
json_t *slsec_guard_decode_text(const char *s, size_t n, bool plus_is_space);
/* The query string (without "?", NULL for none) as an object: each name
 * maps to its value, or to an array of values when it is repeated; "+" is
 * a space and %XX a byte. NULL (why set) when it does not decode. */
json_t *slsec_guard_query_object(const char *query, char *why, size_t why_size);
/* The route's {named} segments of path (the route matched it) as an
 * object of percent-decoded strings. NULL (why set) when one does not decode. */
json_t *slsec_guard_path_params(const slsec_guard_route *r, const char *path, char *why, size_t why_size);
/* Applies the route's path_schema and query_schema (each only when set;
 * values coerced by slsec_schema_coerce_params). `why` gets where and
 * which keyword failed, never a value. */
slsec_guard_params_status slsec_guard_params_check(const slsec_guard_route *r, const char *path, const char *query,
                                                   char *why, size_t why_size);

/* Is addr (text form) inside one of the trusted proxies? */
bool slsec_guard_trusted_proxy(const slsec_guard_config *c, const char *addr);

/* ---- Lambda events ---------------------------------------------------------------------- */

typedef enum {
    SLSEC_EVENT_UNKNOWN = 0,
    SLSEC_EVENT_HTTP,        /* API Gateway REST/HTTP, ALB, function URL */
    SLSEC_EVENT_SQS,
    SLSEC_EVENT_SNS,
    SLSEC_EVENT_S3,
    SLSEC_EVENT_EVENTBRIDGE,
    SLSEC_EVENT_KINESIS,     /* Kinesis Data Streams */
    SLSEC_EVENT_DYNAMODB,    /* DynamoDB Streams */
} slsec_event_kind;

const char *slsec_event_kind_name(slsec_event_kind k);
slsec_event_kind slsec_guard_event_kind(const json_t *event);

/* What becomes of one event. */
typedef enum {
    SLSEC_EVENT_PASS = 0,   /* handed to the handler as it came */
    SLSEC_EVENT_REFUSE,     /* answered with an invocation error; the handler never sees it */
    SLSEC_EVENT_PARTIAL,    /* partial batch: the handler gets `event` (the good records only); the
                               refused ones are added to its response's batchItemFailures */
    SLSEC_EVENT_ALL_FAILED, /* partial batch, every record refused (or held back): answered with all of
                               them as batchItemFailures, without the handler */
} slsec_event_action;

typedef struct slsec_event_decision {
    slsec_event_action action;
    slsec_event_kind kind;
    char reason[300]; /* "allowed", or why (for a batch, the first refused record's reason); never the event */
    char *event;      /* PARTIAL: the event holding only the records handed over (malloc) */
    size_t event_len;
    json_t *failed;   /* PARTIAL, ALL_FAILED: the refused (and held back) records' item identifiers
                         (SQS messageId, Kinesis/DynamoDB sequence number), in batch order */
    json_t *handed;   /* PARTIAL: the item identifiers of the records handed to the handler */
} slsec_event_decision;

/* Decides one Lambda event (the JSON the Runtime API hands out) under the
 * config: HTTP events go through the routes' policy (route, auth, rate
 * limit, schema, WAF); SQS/SNS/EventBridge/Kinesis/DynamoDB records
 * through the trigger's schemas and WAF, S3 records through lambda.s3's.
 * One refused record refuses the event, except with partial_batch (SQS,
 * Kinesis, DynamoDB: PARTIAL, ALL_FAILED). A refused record also fails the
 * records after it that must not overtake it: in an SQS FIFO batch those
 * of its message group; in a stream batch (one shard, which Lambda resumes
 * from its lowest failed record) all of them. Unparsable events are
 * refused. Free with slsec_event_decision_free. */
void slsec_guard_event_decide(const slsec_guard_config *c, slsec_ratelimit *rl, const char *event, size_t len,
                              long long now_s, uint64_t now_ns, slsec_event_decision *out);
void slsec_event_decision_free(slsec_event_decision *d); /* its members; d itself is the caller's */
/* slsec_guard_event_decide, true when the action is PASS. */
bool slsec_guard_event_allowed(const slsec_guard_config *c, slsec_ratelimit *rl, const char *event, size_t len,
                               long long now_s, uint64_t now_ns, char *reason, size_t reason_size);

/* The response to send for a PARTIAL event, given the handler's own
 * response to the records it got (`failed`, `handed` from the decision).
 * A response Lambda reads as "these failed" (null, empty, an object whose
 * batchItemFailures is absent, null or a list of {"itemIdentifier": one of
 * `handed`}) gets the refused records added, its other members kept. Any
 * other response would fail the whole batch in Lambda; the answer then
 * says so explicitly, listing every record. Returns a malloc'd JSON text. */
char *slsec_guard_batch_response(const char *response, size_t len, const json_t *failed, const json_t *handed,
                                 size_t *out_len);
/* The fields lambda.s3's schema validates, from one S3 event record:
 * {"eventName", "bucket", "key" (percent-decoded, "+" a space, as S3
 * sends it), "size", "versionId", "sourceIPAddress"}, each when present.
 * NULL (why set) when the key does not decode or is longer than
 * SLSEC_GUARD_MAX_PARAM_BYTES. */
json_t *slsec_guard_s3_object(const json_t *record, char *why, size_t why_size);

/* ---- the HTTP proxy ------------------------------------------------------------------ */

typedef struct slsec_guard_run_opts {
    const char *config_path;
    FILE *access_log;  /* JSON lines; NULL: none */
    FILE *errors;      /* operational messages (reloads, upstream errors) */
    const char *listen_override; /* "host:port" instead of the config's */
    const char *ready_file;      /* written with the bound port once listening */
    const char *runtime_api;     /* lambda mode: the real Runtime API host:port */
    const char *extension_name;  /* lambda mode: register as this external extension (its file name
                                    under /opt/extensions) and stop at the SHUTDOWN event; NULL: don't */
} slsec_guard_run_opts;

/* Runs until SIGINT/SIGTERM; SIGHUP reloads. Returns SLSEC_OK after a
 * clean stop, or an error (d set) when the config or the listener fails. */
int slsec_guard_run(const slsec_guard_run_opts *o, slsec_diag *d);

/* The Lambda Runtime API proxy: listens where the runtime is pointed
 * (AWS_LAMBDA_RUNTIME_API), relays to o->runtime_api, and answers a blocked
 * event's invocation with an error instead of handing it to the runtime.
 * With o->extension_name, once listening it registers with the Extensions
 * API for SHUTDOWN, waits for it, and returns SLSEC_OK when it comes;
 * SLSEC_EIO when registration or the event loop with the API fails. */
int slsec_guard_lambda_run(const slsec_guard_run_opts *o, slsec_diag *d);

#endif
