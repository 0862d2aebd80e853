/*
 * outbound.c — what the walk needs to know to list a file's outbound
 * integrations (docs/code.md, "Outbound integrations"): the AWS SDKs'
 * module, class and method names, the HTTP clients and where each takes
 * its URL, and how a host is read from the constant start of a URL.
 *
 * Names are canonical callee names, as for the sinks (sinks.c): the
 * module a local name was imported from, then the members read from it.
 * Services are named by their IAM prefix ("states", not "sfn" or
 * "stepfunctions"), so what the code calls lines up with what a role
 * grants; operations by their API name ("PutObject", "ListObjectsV2").
 *
 * Hosts are taken only when the code fixes them: the scheme and the whole
 * authority (up to '/', '?' or '#', or the end of a fully constant URL)
 * must be literal text. A URL whose host is still open when the constant
 * part ends ("https://" + body.host, `https://${tenant}.example.com`) names
 * no host: input may choose it (CODE-006's business, not the inventory's).
 * Credentials in the authority ("user:pass@host") make it no host either,
 * so nothing secret is ever copied out, and paths and query strings are
 * never kept.
 */
#include "code_internal.h"

#include <pthread.h>
#include <string.h>

#define JS 1u
#define PY 2u
#define IN(list, s) in_list(list, sizeof list / sizeof list[0], s)

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* ---- AWS services ------------------------------------------------------------ */

const char *code_aws_service(slsec_arena *a, const char *spelling)
{
    if (!spelling || !*spelling)
        return NULL;
    char *low = slsec_arena_strdup(a, spelling);
    for (char *p = low; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return NULL; /* not a service name: a path, a template expression */
    }
    /* The spellings of the SDKs (v3 package suffixes, v2 class names,
     * boto3 service names) whose IAM prefix is another word. */
    static const char *const renames[][2] = {
        {"sfn", "states"},
        {"stepfunctions", "states"},
        {"cloudwatch-logs", "logs"},
        {"cloudwatchlogs", "logs"},
        {"eventbridge", "events"},
        {"cloudwatchevents", "events"},
        {"cloudwatch-events", "events"},
        {"cognito-identity-provider", "cognito-idp"},
        {"cognitoidentityserviceprovider", "cognito-idp"},
        {"cognitoidentity", "cognito-identity"},
        {"secrets-manager", "secretsmanager"},
        {"sesv2", "ses"},
        {"apigatewaymanagementapi", "execute-api"},
        {"iot-data-plane", "iot"},
        {"iotdata", "iot"},
        {"iot-data", "iot"},
        {"dynamodb-streams", "dynamodb"},
        {"dynamodbstreams", "dynamodb"},
        {"api-gateway", "apigateway"},
        {"apigatewayv2", "apigateway"},
        {"elastic-load-balancing-v2", "elasticloadbalancing"},
        {"elbv2", "elasticloadbalancing"},
        {"s3-control", "s3"},
        {"s3control", "s3"},
        {"bedrock-runtime", "bedrock"},
        {"bedrock-agent-runtime", "bedrock"},
        {"sagemaker-runtime", "sagemaker"},
        {"timestream-write", "timestream"},
        {"timestream-query", "timestream"},
        {"lex-runtime-v2", "lex"},
    };
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
        if (strcmp(renames[i][0], low) == 0)
            return renames[i][1];
    return low;
}

bool code_aws_v2_class(const char *name)
{
    if (!name || !(name[0] >= 'A' && name[0] <= 'Z') || strchr(name, '.'))
        return false;
    /* Members of the v2 AWS namespace that are not service clients. */
    static const char *const helpers[] = {
        "Config", "Endpoint", "EventListeners", "HttpClient", "HttpRequest", "HttpResponse", "MetadataService",
        "Request", "Response", "ResourceWaiter", "SequentialExecutor", "Service", "Signers", "Token",
        "ParamValidator", "Paginator", "NodeHttpClient", "XHRClient", "JSON", "XML",
    };
    return !IN(helpers, name) && !slsec_str_has_suffix(name, "Credentials") &&
           !slsec_str_has_suffix(name, "CredentialsProvider");
}

char *code_aws_pascal(slsec_arena *a, const char *method)
{
    size_t n = strlen(method);
    char *out = slsec_arena_alloc(a, n + 1);
    size_t k = 0;
    bool up = true;
    for (size_t i = 0; i < n; i++) {
        char c = method[i];
        if (c == '_') {
            up = true;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return NULL; /* not an operation name */
        out[k++] = up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        up = false;
    }
    out[k] = '\0';
    return k ? out : NULL;
}

const char *code_dynamodb_document_operation(const char *method)
{
    /* The DocumentClient's methods (v2, v3's DynamoDBDocument) and the
     * lib-dynamodb commands (PutCommand → "Put") name the table API
     * without its "Item" suffix: the first letter's case is ignored. */
    static const char *const ops[][2] = {
        {"put", "PutItem"},
        {"get", "GetItem"},
        {"update", "UpdateItem"},
        {"delete", "DeleteItem"},
        {"query", "Query"},
        {"scan", "Scan"},
        {"batchGet", "BatchGetItem"},
        {"batchWrite", "BatchWriteItem"},
        {"transactGet", "TransactGetItems"},
        {"transactWrite", "TransactWriteItems"},
        {"executeStatement", "ExecuteStatement"},
        {"batchExecuteStatement", "BatchExecuteStatement"},
        {"executeTransaction", "ExecuteTransaction"},
    };
    if (!method || !*method)
        return NULL;
    char first = method[0] >= 'A' && method[0] <= 'Z' ? (char)(method[0] - 'A' + 'a') : method[0];
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i][0][0] == first && strcmp(ops[i][0] + 1, method + 1) == 0)
            return ops[i][1];
    return NULL;
}

bool code_aws_js_operation_method(const char *method)
{
    /* Methods of v2 clients and v3 aggregated clients that are not API
     * operations (request plumbing, events, waiters). */
    static const char *const plumbing[] = {
        "promise", "on", "send", "destroy", "config", "makeRequest", "makeUnauthenticatedRequest", "waitFor",
        "setupRequestListeners", "middlewareStack", "customizeRequests", "defineService", "endpoint", "api",
        "constructor", "createSet", "then", "catch", "bind", "call", "apply", "toString",
    };
    return method && *method && !IN(plumbing, method);
}

code_aws_method code_boto3_client_method(const char *method, const char **fixed)
{
    static const char *const plumbing[] = {"close", "can_paginate", "get_waiter", "exceptions", "meta",
                                           "get_available_subresources"};
    static const char *const fixed_ops[][2] = {
        {"upload_file", "PutObject"},      {"upload_fileobj", "PutObject"},
        {"download_file", "GetObject"},    {"download_fileobj", "GetObject"},
        {"copy", "CopyObject"},            {"generate_presigned_post", "PutObject"},
    };
    *fixed = NULL;
    if (!method || !*method || IN(plumbing, method) || method[0] == '_')
        return CODE_AWS_NOT_AN_OPERATION;
    if (strcmp(method, "get_paginator") == 0 || strcmp(method, "generate_presigned_url") == 0)
        return CODE_AWS_OPERATION_IN_ARGUMENT;
    for (size_t i = 0; i < sizeof fixed_ops / sizeof fixed_ops[0]; i++)
        if (strcmp(fixed_ops[i][0], method) == 0) {
            *fixed = fixed_ops[i][1];
            return CODE_AWS_OPERATION_FIXED;
        }
    return CODE_AWS_OPERATION_IS_METHOD;
}

const char *code_boto3_subresource_operation(slsec_arena *a, const char *sub, const char *method)
{
    static const char *const plumbing[] = {"load", "reload", "meta", "get_available_subresources", "wait_until_exists",
                                           "wait_until_not_exists"};
    if (!method || !*method || IN(plumbing, method) || method[0] == '_' ||
        (method[0] >= 'A' && method[0] <= 'Z'))
        return NULL;
    /* Object.get → GetObject, Bucket.delete → DeleteBucket: the verb
     * applies to the sub-resource itself. */
    if (strcmp(method, "get") == 0 || strcmp(method, "put") == 0 || strcmp(method, "delete") == 0) {
        const char *verb = method[0] == 'g' ? "Get" : method[0] == 'p' ? "Put" : "Delete";
        return sub && *sub ? slsec_arena_printf(a, "%s%s", verb, sub) : NULL;
    }
    static const char *const fixed_ops[][2] = {
        {"batch_writer", "BatchWriteItem"}, {"upload_file", "PutObject"},
        {"upload_fileobj", "PutObject"},    {"download_file", "GetObject"},
        {"download_fileobj", "GetObject"},  {"copy_from", "CopyObject"},
        {"send_messages", "SendMessageBatch"}, {"receive_messages", "ReceiveMessage"},
        {"delete_messages", "DeleteMessageBatch"},
    };
    for (size_t i = 0; i < sizeof fixed_ops / sizeof fixed_ops[0]; i++)
        if (strcmp(fixed_ops[i][0], method) == 0)
            return fixed_ops[i][1];
    return code_aws_pascal(a, method);
}

/* ---- HTTP clients --------------------------------------------------------------- */

static const code_http_call http_calls[] = {
    /* JavaScript: the URL first, or an options object with url/uri/baseURL/hostname */
    {"fetch", JS, 0, NULL, 0, NULL},
    {"undici.fetch", JS, 0, NULL, 0, NULL},
    {"undici.request", JS, 0, NULL, 0, NULL},
    {"ky", JS, 0, NULL, 0, NULL},
    {"ky.get", JS, 0, NULL, 0, NULL},
    {"ky.post", JS, 0, NULL, 0, NULL},
    {"ky.put", JS, 0, NULL, 0, NULL},
    {"ky.patch", JS, 0, NULL, 0, NULL},
    {"ky.delete", JS, 0, NULL, 0, NULL},
    {"ky.head", JS, 0, NULL, 0, NULL},
    {"axios", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"axios.get", JS, 0, NULL, 0, NULL},
    {"axios.post", JS, 0, NULL, 0, NULL},
    {"axios.put", JS, 0, NULL, 0, NULL},
    {"axios.patch", JS, 0, NULL, 0, NULL},
    {"axios.delete", JS, 0, NULL, 0, NULL},
    {"axios.head", JS, 0, NULL, 0, NULL},
    {"axios.options", JS, 0, NULL, 0, NULL},
    {"axios.request", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"axios.create", JS, 0, NULL, HTTP_OPTIONS, "axios"},
    {"got", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"got.get", JS, 0, NULL, 0, NULL},
    {"got.post", JS, 0, NULL, 0, NULL},
    {"got.put", JS, 0, NULL, 0, NULL},
    {"got.patch", JS, 0, NULL, 0, NULL},
    {"got.delete", JS, 0, NULL, 0, NULL},
    {"got.head", JS, 0, NULL, 0, NULL},
    {"got.stream", JS, 0, NULL, 0, NULL},
    {"got.extend", JS, 0, NULL, HTTP_OPTIONS, "got"},
    {"request", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.get", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.post", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.put", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.patch", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.del", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.delete", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request.head", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request-promise", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"request-promise-native", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"superagent.get", JS, 0, NULL, 0, NULL},
    {"superagent.post", JS, 0, NULL, 0, NULL},
    {"superagent.put", JS, 0, NULL, 0, NULL},
    {"superagent.patch", JS, 0, NULL, 0, NULL},
    {"superagent.delete", JS, 0, NULL, 0, NULL},
    {"superagent.del", JS, 0, NULL, 0, NULL},
    {"superagent.head", JS, 0, NULL, 0, NULL},
    {"needle", JS, 1, NULL, 0, NULL},
    {"needle.get", JS, 0, NULL, 0, NULL},
    {"needle.head", JS, 0, NULL, 0, NULL},
    {"needle.post", JS, 0, NULL, 0, NULL},
    {"needle.put", JS, 0, NULL, 0, NULL},
    {"needle.patch", JS, 0, NULL, 0, NULL},
    {"needle.delete", JS, 0, NULL, 0, NULL},
    {"http.get", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"http.request", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"https.get", JS, 0, NULL, HTTP_OPTIONS, NULL},
    {"https.request", JS, 0, NULL, HTTP_OPTIONS, NULL},
    /* Python: a positional URL or url= */
    {"requests.get", PY, 0, "url", 0, NULL},
    {"requests.post", PY, 0, "url", 0, NULL},
    {"requests.put", PY, 0, "url", 0, NULL},
    {"requests.patch", PY, 0, "url", 0, NULL},
    {"requests.delete", PY, 0, "url", 0, NULL},
    {"requests.head", PY, 0, "url", 0, NULL},
    {"requests.options", PY, 0, "url", 0, NULL},
    {"requests.request", PY, 1, "url", 0, NULL},
    {"requests.Session", PY, -1, NULL, 0, "requests"},
    {"requests.session", PY, -1, NULL, 0, "requests"},
    {"requests.sessions.Session", PY, -1, NULL, 0, "requests"},
    {"httpx.get", PY, 0, "url", 0, NULL},
    {"httpx.post", PY, 0, "url", 0, NULL},
    {"httpx.put", PY, 0, "url", 0, NULL},
    {"httpx.patch", PY, 0, "url", 0, NULL},
    {"httpx.delete", PY, 0, "url", 0, NULL},
    {"httpx.head", PY, 0, "url", 0, NULL},
    {"httpx.options", PY, 0, "url", 0, NULL},
    {"httpx.stream", PY, 1, "url", 0, NULL},
    {"httpx.request", PY, 1, "url", 0, NULL},
    {"httpx.Client", PY, -1, "base_url", 0, "httpx"},
    {"httpx.AsyncClient", PY, -1, "base_url", 0, "httpx"},
    {"urllib.request.urlopen", PY, 0, "url", 0, NULL},
    {"urllib.request.Request", PY, 0, "url", 0, NULL},
    {"urllib2.urlopen", PY, 0, "url", 0, NULL},
    {"urllib2.Request", PY, 0, "url", 0, NULL},
    {"urllib3.request", PY, 1, "url", 0, NULL},
    {"urllib3.urlopen", PY, 1, "url", 0, NULL},
    {"urllib3.PoolManager", PY, -1, NULL, 0, "urllib3"},
    {"aiohttp.ClientSession", PY, 0, "base_url", 0, "aiohttp"},
    {"aiohttp.request", PY, 1, "url", 0, NULL},
    {"aiohttp.get", PY, 0, "url", 0, NULL},
    {"aiohttp.post", PY, 0, "url", 0, NULL},
    {"aiohttp.put", PY, 0, "url", 0, NULL},
    {"aiohttp.patch", PY, 0, "url", 0, NULL},
    {"aiohttp.delete", PY, 0, "url", 0, NULL},
    {"aiohttp.head", PY, 0, "url", 0, NULL},
    {"aiohttp.options", PY, 0, "url", 0, NULL},
    {"http.client.HTTPSConnection", PY, 0, "host", HTTP_HOST_ONLY, NULL},
    {"http.client.HTTPConnection", PY, 0, "host", HTTP_HOST_ONLY, NULL},
};

/* Asked for every call of a file, so the names (each in the table once)
 * are hashed into an index on first use. */
#define HTTP_SLOTS 256 /* a power of two, over twice the entries */
static uint8_t http_index[HTTP_SLOTS]; /* entry + 1; 0: free */
static pthread_once_t http_once = PTHREAD_ONCE_INIT;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void index_http_calls(void)
{
    _Static_assert(sizeof http_calls / sizeof http_calls[0] * 2 <= HTTP_SLOTS, "HTTP_SLOTS too small");
    for (size_t i = 0; i < sizeof http_calls / sizeof http_calls[0]; i++) {
        size_t at = name_hash(http_calls[i].name) & (HTTP_SLOTS - 1);
        while (http_index[at])
            at = (at + 1) & (HTTP_SLOTS - 1);
        http_index[at] = (uint8_t)(i + 1);
    }
}

const code_http_call *code_http_call_find(const char *name, unsigned lang)
{
    if (!name)
        return NULL;
    pthread_once(&http_once, index_http_calls);
    for (size_t at = name_hash(name) & (HTTP_SLOTS - 1); http_index[at]; at = (at + 1) & (HTTP_SLOTS - 1)) {
        const code_http_call *h = &http_calls[http_index[at] - 1];
        if (strcmp(h->name, name) == 0)
            return h->langs & lang ? h : NULL; /* a name is in the table once */
    }
    return NULL;
}

/* ---- hosts ----------------------------------------------------------------------- */

static bool loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || slsec_str_has_suffix(host, ".localhost") ||
           strncmp(host, "127.", 4) == 0 || strcmp(host, "0.0.0.0") == 0;
}

const char *code_host_name(slsec_arena *a, const char *s, size_t n)
{
    /* A port is not part of the host. */
    const char *colon = memchr(s, ':', n);
    if (colon) {
        for (const char *p = colon + 1; p < s + n; p++)
            if (*p < '0' || *p > '9')
                return NULL;
        n = (size_t)(colon - s);
    }
    if (n && s[n - 1] == '.')
        n--; /* the root label: "api.example.com." is api.example.com */
    if (n == 0 || n > 253)
        return NULL;
    /* Host names only (letters, digits, dots, hyphens): anything else is
     * a template expression or not a host at all. */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return NULL;
    }
    if (s[0] == '.' || s[0] == '-')
        return NULL;
    char *h = slsec_arena_strndup(a, s, n);
    for (char *c = h; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return loopback(h) ? NULL : h;
}

/* Does s start with lower_prefix, ignoring the case of ASCII letters in s? */
static bool starts_with_ci(const char *s, const char *lower_prefix)
{
    for (size_t i = 0; lower_prefix[i]; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lower_prefix[i])
            return false;
    }
    return true;
}

const char *code_url_host(slsec_arena *a, const char *prefix, bool complete)
{
    if (!prefix)
        return NULL;
    const char *p;
    if (starts_with_ci(prefix, "https://"))
        p = prefix + 8;
    else if (starts_with_ci(prefix, "http://"))
        p = prefix + 7;
    else
        return NULL;
    size_t n = strcspn(p, "/?#");
    /* The authority must end inside the constant text, or the whole URL
     * must be constant: otherwise what follows may still extend or
     * replace the host ("https://api." + region, base + "@evil.example"). */
    if (!p[n] && !complete)
        return NULL;
    if (memchr(p, '@', n))
        return NULL; /* user:password@host: never copy credentials, and no guessing */
    return code_host_name(a, p, n);
}
