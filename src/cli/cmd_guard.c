/*
 * cmd_guard.c — `slsec guard --config guard.yml`: the HTTP gateway in
 * front of function endpoints (docs/guard.md).
 *
 *   slsec guard --config guard.yml            run until SIGINT/SIGTERM; SIGHUP reloads
 *   slsec guard --config guard.yml --check    validate, print the effective policy, exit
 *   slsec guard --hash-api-key < key.txt      the sha256 to put in api_keys
 *
 * Exit codes: 0 clean stop or valid config, 2 bad usage or a config that
 * does not load (file:line:col on stderr), 3 the listener could not start.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "slsec/doc.h"
#include "slsec/guard.h"

enum {
    OPT_ACCESS_LOG = 256,
    OPT_CHECK,
    OPT_CONFIG,
    OPT_EXTENSION,
    OPT_HASH_API_KEY,
    OPT_LAMBDA_PROXY,
    OPT_LISTEN,
    OPT_NO_COLOR,
    OPT_READY_FILE,
    OPT_RUNTIME_API,
};

/* Sorted by long name. */
static const cli_opt guard_opts[] = {
    {"access-log", OPT_ACCESS_LOG, "FILE", "append one JSON line per request to FILE (- for standard output)"},
    {"check", OPT_CHECK, NULL, "validate the configuration, print the effective policy and exit"},
    {"config", OPT_CONFIG, "FILE", "the gateway's policy (guard.yml); required"},
    {"extension", OPT_EXTENSION, "NAME",
     "with --lambda-proxy: register as the external Lambda extension NAME (its file name under "
     "/opt/extensions) and stop at the SHUTDOWN event"},
    {"format", 'f', "FORMAT", "output format of --check: text (YAML, default) or json"},
    {"hash-api-key", OPT_HASH_API_KEY, NULL,
     "read an API key from standard input and print the sha256 to list under api_keys"},
    {"help", 'h', NULL, "show this help and exit"},
    {"lambda-proxy", OPT_LAMBDA_PROXY, NULL,
     "run as a Lambda Runtime API proxy: relay the runtime's calls to the real Runtime API and refuse "
     "blocked events (docs/guard.md)"},
    {"listen", OPT_LISTEN, "HOST:PORT", "listen here instead of the configuration's listen (port 0: any free port)"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for consistency; guard never colours its output"},
    {"output", 'o', "FILE", "write the --check policy to FILE (replaced atomically once complete)"},
    {"quiet", 'q', NULL, "no operational messages on standard error (errors are still printed)"},
    {"ready-file", OPT_READY_FILE, "FILE", "once listening, write the bound port to FILE (for scripts and tests)"},
    {"runtime-api", OPT_RUNTIME_API, "HOST:PORT",
     "with --lambda-proxy: the real Runtime API (default: $AWS_LAMBDA_RUNTIME_API)"},
};

typedef struct guard_args {
    const char *config, *access_log, *listen, *ready_file, *output, *runtime_api, *extension;
    bool check, quiet, hash_key, lambda, json;
} guard_args;

static int parse_args(const cli_command *cmd, int argc, char **argv, guard_args *a)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    for (;;) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END) {
            if (p.next < argc)
                rc = cli_usage(cmd, "unexpected operand '%s'", argv[p.next]);
            break;
        }
        switch (c) {
        case CLI_OPT_BAD: rc = CLI_EXIT_USAGE; break;
        case 'h':
            cli_help(stdout, cmd);
            rc = CLI_EXIT_OK;
            break;
        case 'f':
            if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0)
                rc = cli_usage(cmd, "unknown format '%s' (expected text or json)", arg);
            a->json = strcmp(arg, "json") == 0;
            break;
        case 'o': a->output = arg; break;
        case 'q': a->quiet = true; break;
        case OPT_ACCESS_LOG: a->access_log = arg; break;
        case OPT_CHECK: a->check = true; break;
        case OPT_CONFIG: a->config = arg; break;
        case OPT_EXTENSION: a->extension = arg; break;
        case OPT_HASH_API_KEY: a->hash_key = true; break;
        case OPT_LAMBDA_PROXY: a->lambda = true; break;
        case OPT_LISTEN: a->listen = arg; break;
        case OPT_NO_COLOR: break;
        case OPT_READY_FILE: a->ready_file = arg; break;
        case OPT_RUNTIME_API: a->runtime_api = arg; break;
        default: rc = cli_usage(cmd, "option not handled (a bug)"); break;
        }
        if (rc >= 0)
            break;
    }
    cli_parser_free(&p);
    if (rc < 0 && a->runtime_api && !a->lambda)
        rc = cli_usage(cmd, "--runtime-api only makes sense with --lambda-proxy");
    if (rc < 0 && a->extension && !a->lambda)
        rc = cli_usage(cmd, "--extension only makes sense with --lambda-proxy");
    if (rc < 0 && a->extension && (!*a->extension || strchr(a->extension, '/')))
        rc = cli_usage(cmd, "--extension takes the extension's file name, without a folder");
    if (rc < 0 && !a->config && !a->hash_key)
        rc = cli_usage(cmd, "--config is required (the gateway's guard.yml)");
    return rc;
}

static int hash_api_key(void)
{
    char line[4096];
    if (!fgets(line, sizeof line, stdin)) {
        fprintf(stderr, "slsec guard: no API key on standard input\n");
        return CLI_EXIT_USAGE;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (strlen(line) < 16) {
        fprintf(stderr, "slsec guard: an API key shorter than 16 characters is too easy to guess\n");
        return CLI_EXIT_USAGE;
    }
    char hex[65];
    slsec_sha256_hex(line, strlen(line), hex);
    printf("%s\n", hex);
    return CLI_EXIT_OK;
}

/* The effective policy's YAML as JSON: numbers and booleans typed, "~" null. */
static json_t *node_json(const slsec_node *n)
{
    if (slsec_node_is_map(n)) {
        json_t *o = json_object();
        for (size_t i = 0; i < n->count; i++)
            json_object_set_new(o, slsec_node_str(n->items[2 * i]) ? slsec_node_str(n->items[2 * i]) : "",
                                node_json(n->items[2 * i + 1]));
        return o;
    }
    if (slsec_node_is_seq(n)) {
        json_t *a = json_array();
        for (size_t i = 0; i < n->count; i++)
            json_array_append_new(a, node_json(n->items[i]));
        return a;
    }
    const char *s = slsec_node_str(n);
    long l;
    bool b;
    if (!s || (n->flags & SLSEC_NF_NULL) || (!(n->flags & SLSEC_NF_QUOTED) && strcmp(s, "~") == 0))
        return json_null();
    if (!(n->flags & SLSEC_NF_QUOTED)) {
        if (slsec_node_long(n, &l))
            return json_integer(l);
        if (slsec_node_bool(n, &b))
            return json_boolean(b);
        char *end;
        double d = strtod(s, &end);
        if (*s && !*end)
            return json_real(d);
    }
    return json_string(s);
}

static bool print_json_policy(FILE *out, const slsec_buf *yaml)
{
    slsec_arena *a = slsec_arena_new();
    slsec_doc doc;
    slsec_diag d = {0};
    bool ok = slsec_doc_parse(a, "policy", yaml->data, yaml->len, &doc, &d) == SLSEC_OK;
    if (ok) {
        json_t *j = node_json(doc.root);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        ok = text != NULL;
        if (text)
            fprintf(out, "%s\n", text);
        free(text);
        json_decref(j);
    }
    slsec_arena_free(a);
    return ok;
}

static int run_guard(const cli_command *cmd, int argc, char **argv)
{
    guard_args a = {0};
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (a.hash_key)
        return hash_api_key();
    if (a.check) {
        slsec_guard_config *cfg = NULL;
        slsec_diag d = {0};
        if (slsec_guard_config_load(a.config, &cfg, &d) != SLSEC_OK) {
            cli_print_diag("error", &d);
            return CLI_EXIT_USAGE;
        }
        cli_output out;
        if ((rc = cli_output_open(&out, cmd, a.output)) != 0) {
            slsec_guard_config_free(cfg);
            return rc;
        }
        slsec_buf b;
        slsec_buf_init(&b);
        slsec_guard_config_print(cfg, &b);
        bool written = true;
        if (a.json)
            written = print_json_policy(out.fp, &b);
        else
            fwrite(b.data, 1, b.len, out.fp);
        slsec_buf_free(&b);
        slsec_guard_config_free(cfg);
        if (!written)
            fprintf(stderr, "slsec guard: the effective policy could not be rendered as JSON (a bug)\n");
        return written ? cli_output_close(&out, true) : (cli_output_close(&out, false), CLI_EXIT_INTERNAL);
    }
    FILE *log = NULL;
    if (a.access_log) {
        log = strcmp(a.access_log, "-") == 0 ? stdout : fopen(a.access_log, "a");
        if (!log) {
            fprintf(stderr, "slsec guard: cannot open the access log %s\n", a.access_log);
            return CLI_EXIT_USAGE;
        }
    }
    slsec_guard_run_opts o = {
        .config_path = a.config,
        .access_log = log,
        .errors = a.quiet ? NULL : stderr,
        .listen_override = a.listen,
        .ready_file = a.ready_file,
        .extension_name = a.extension,
    };
    o.runtime_api = a.runtime_api ? a.runtime_api : getenv("AWS_LAMBDA_RUNTIME_API");
    slsec_diag d = {0};
    int err = a.lambda ? slsec_guard_lambda_run(&o, &d) : slsec_guard_run(&o, &d);
    if (log && log != stdout)
        fclose(log);
    if (err == SLSEC_OK)
        return CLI_EXIT_OK;
    cli_print_diag("error", &d);
    return err == SLSEC_EIO ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
}

const cli_command cli_cmd_guard = {
    .name = "guard",
    .operands = "",
    .summary = "gateway in front of functions (HTTP or Lambda Runtime API): auth, rate limits, schema, WAF",
    .description =
        "Runs an HTTP/1.1 gateway (libevent) that routes requests by method and path to upstreams and, per "
        "route, checks authentication (JWT with keys pinned to one algorithm, or hashed API keys, or an "
        "explicit 'auth: none'), a token-bucket rate limit (per client address, API key, JWT subject or "
        "header; 429 with Retry-After; shadow mode), header, body, concurrency and slow-client (minimum "
        "transfer rate) limits, JSON Schemas for bodies, query strings and {named} path segments, and a WAF (libmodsecurity3 with the OWASP Core Rule Set). Every request is one JSON access-log line with secrets and personal data masked. "
        "GET /healthz and GET /metrics (Prometheus) are served by the gateway itself; the listener may "
        "speak TLS (listen_tls). Answers are streamed to the client as they arrive, paced by the client. "
        "SIGHUP reloads the configuration (jwks_url keys are fetched in the background meanwhile); a "
        "configuration that does not load, or whose keys cannot be fetched, is refused and the running one "
        "stays. "
        "With --lambda-proxy it runs inside a Lambda function between the runtime and the Runtime API and "
        "refuses blocked events (API Gateway/ALB/function URL events by the routes, SQS/SNS/EventBridge "
        "messages, Kinesis and DynamoDB Streams records by the lambda section) on the invocation's error "
        "endpoint, or, with partial_batch, reports the refused records as batchItemFailures; with --extension it is also "
        "an external Lambda extension that stops at SHUTDOWN. "
        "Exit codes: 0 stopped cleanly or --check passed, 2 bad usage or configuration (file:line:col), "
        "3 the listener could not start.",
    .opts = guard_opts,
    .nopts = sizeof guard_opts / sizeof guard_opts[0],
    .run = run_guard,
};
