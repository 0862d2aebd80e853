/*
 * cmd_lambda_runtime.c — `slsec lambda-runtime`: slsec as an AWS Lambda
 * custom runtime (the `bootstrap` of a provided.al2023 function), speaking
 * the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API (library:
 * slsec_lambda_event in slsec/logs.h).
 *
 * Loop: GET /2018-06-01/runtime/invocation/next (blocks until an event),
 * read the request id, deadline and trace headers, handle the event
 * (CloudWatch Logs subscription or Firehose transformation), POST the
 * response — or POST /invocation/ID/error for a malformed event, an expired
 * deadline or a response over 6 MB — and go on. A configuration problem
 * at start is POSTed to /runtime/init/error and ends the process (exit 2).
 *
 * Redacted CloudWatch log events and alerts go to standard output as JSON
 * lines, which Lambda stores in the function's own log group (the
 * "forward" sink; --sink none turns it off). Metrics and the watch
 * detectors live as long as the execution environment; after each event,
 * minutes two minutes older than the clock are closed (as `logs watch
 * --follow` does), so an alert comes with the invocation that completes
 * its minute, not with a later one.
 *
 * With --alert-webhook, alerts are also POSTed (slsec_webhook: JSON with a
 * Slack-style "text", retries with back-off, from a thread of its own).
 * Lambda freezes the whole process once the response is posted, that
 * thread included, for as long as no event comes, and may then end the
 * environment without a word to a runtime that registered no extension.
 * Alerts left queued would be delivered late (an alert about a minute an
 * hour old) or lost uncounted. So the queue is flushed before the response
 * (or error) is posted: at most SLSEC_LAMBDA_ALERT_FLUSH_MS, and never
 * later than SLSEC_LAMBDA_DEADLINE_MARGIN_MS before the invocation's
 * deadline; what is left then is given up and counted undelivered. A line
 * on standard error gives each invocation's delivered, undelivered and
 * dropped alerts (when it had any), and the totals when the loop ends.
 * The cost is paid only by invocations that raise alerts, which the
 * cooldown keeps rare: a few milliseconds with a working endpoint.
 *
 * Settings come from options or, as Lambda functions are configured, from
 * environment variables: SLSEC_LOGS_MODE (mask|hash|partial),
 * SLSEC_LOGS_KEY_FILE, SLSEC_LOGS_IP=1, SLSEC_LOGS_SINK (stdout|none),
 * SLSEC_LOGS_ALERT_WEBHOOK (a URL; empty is none).
 */
#include "cli.h"

#include "slsec/logs.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { OPT_ALERT_WEBHOOK = 256, OPT_IP, OPT_KEY_FILE, OPT_MAX_INVOCATIONS, OPT_MODE, OPT_SINK };

static const cli_opt runtime_opts[] = {
    {"alert-webhook", OPT_ALERT_WEBHOOK, "URL",
     "also POST every alert as JSON with a Slack-style \"text\", delivered before each response (or "
     "SLSEC_LOGS_ALERT_WEBHOOK)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"ip", OPT_IP, NULL, "also mask IP addresses (or SLSEC_LOGS_IP=1)"},
    {"key-file", OPT_KEY_FILE, "FILE", "HMAC key for --mode hash (or SLSEC_LOGS_KEY_FILE)"},
    {"max-invocations", OPT_MAX_INVOCATIONS, "N", "exit after N invocations (for tests; default: never)"},
    {"mode", OPT_MODE, "MODE", "mask (default), hash or partial (or SLSEC_LOGS_MODE)"},
    {"sink", OPT_SINK, "SINK", "where redacted events go: stdout (default) or none (or SLSEC_LOGS_SINK)"},
};

typedef struct http_reply {
    slsec_buf body;
    char request_id[128], trace_id[512];
    int64_t deadline_ms;
    bool too_big;
} http_reply;

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
    http_reply *r = user;
    if (r->body.len + size * n > SLSEC_LAMBDA_RESPONSE_MAX + 1024) {
        r->too_big = true; /* an event larger than Lambda allows: stop reading */
        return 0;
    }
    slsec_buf_append(&r->body, p, size * n);
    return size * n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t size)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0)
        return;
    const char *v = line + k;
    size_t vn = n - k;
    while (vn > 0 && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
        vn--;
    if (vn >= size)
        vn = size - 1;
    memcpy(out, v, vn);
    out[vn] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *user)
{
    http_reply *r = user;
    size_t len = size * n;
    char deadline[32] = "";
    header_value(p, len, "Lambda-Runtime-Aws-Request-Id:", r->request_id, sizeof r->request_id);
    header_value(p, len, "Lambda-Runtime-Trace-Id:", r->trace_id, sizeof r->trace_id);
    header_value(p, len, "Lambda-Runtime-Deadline-Ms:", deadline, sizeof deadline);
    if (*deadline) {
        long v;
        r->deadline_ms = slsec_parse_long(deadline, &v) ? (int64_t)v : 0;
    }
    return len;
}

/* One request; the HTTP status, or -1 when the API could not be reached. */
static long call(CURL *c, const char *method, const char *url, const char *body, size_t n, http_reply *reply)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, reply);
    struct curl_slist *h = NULL;
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    }
    long code = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    return code;
}

static void post_error(CURL *c, const char *url, const char *type, const char *message)
{
    json_t *o = json_pack("{s:s, s:s, s:[]}", "errorMessage", message, "errorType", type, "stackTrace");
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        slsec_oom();
    http_reply reply = {0};
    slsec_buf_init(&reply.body);
    call(c, "POST", url, s, strlen(s), &reply);
    slsec_buf_free(&reply.body);
    free(s);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct runtime_ctx {
    bool forward;
    slsec_webhook *hook;
    slsec_webhook_counts reported; /* the webhook's counts at the last report */
} runtime_ctx;

static void on_alert(const slsec_alert *a, void *user)
{
    runtime_ctx *rt = user;
    if (rt->forward) {
        char *line = slsec_alert_json(a, false);
        printf("%s\n", line);
        free(line);
    }
    if (rt->hook) {
        char *body = slsec_alert_json(a, true);
        slsec_webhook_post(rt->hook, body);
        free(body);
    }
}

static void report_webhook(const char *name, const char *what, const slsec_webhook_counts *c)
{
    fprintf(stderr, "slsec %s: webhook, %s: %llu delivered, %llu undelivered, %llu dropped (queue full)\n", name,
            what, (unsigned long long)c->delivered, (unsigned long long)c->failed, (unsigned long long)c->dropped);
}

/* Delivers the invocation's alerts before its response lets Lambda freeze
 * the process (see the header), and says how that went. */
static void flush_alerts(const cli_command *cmd, runtime_ctx *rt, const char *request_id, int64_t deadline_ms)
{
    if (!rt->hook)
        return;
    long wait = SLSEC_LAMBDA_ALERT_FLUSH_MS;
    if (deadline_ms > 0) {
        int64_t left = deadline_ms - SLSEC_LAMBDA_DEADLINE_MARGIN_MS - now_ms();
        if (left < wait)
            wait = left > 0 ? (long)left : 0;
    }
    slsec_webhook_counts now;
    slsec_webhook_flush(rt->hook, wait, &now);
    slsec_webhook_counts in_this = {now.delivered - rt->reported.delivered, now.failed - rt->reported.failed,
                                    now.dropped - rt->reported.dropped};
    rt->reported = now;
    if (in_this.delivered || in_this.failed || in_this.dropped) {
        char what[200];
        snprintf(what, sizeof what, "invocation %.128s", request_id);
        report_webhook(cmd->name, what, &in_this);
    }
}

static int run_runtime(const cli_command *cmd, int argc, char **argv)
{
    const char *mode = getenv("SLSEC_LOGS_MODE"), *key_file = getenv("SLSEC_LOGS_KEY_FILE");
    const char *sink = getenv("SLSEC_LOGS_SINK"), *ip = getenv("SLSEC_LOGS_IP");
    const char *webhook = getenv("SLSEC_LOGS_ALERT_WEBHOOK");
    long max_invocations = -1;
    slsec_redact_options ro = {.mask_ip = ip && strcmp(ip, "1") == 0};
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        switch (c) {
        case 'h': cli_help(stdout, cmd); rc = CLI_EXIT_OK; break;
        case OPT_ALERT_WEBHOOK: webhook = arg; break;
        case OPT_IP: ro.mask_ip = true; break;
        case OPT_KEY_FILE: key_file = arg; break;
        case OPT_MAX_INVOCATIONS:
            if (!slsec_parse_long(arg, &max_invocations) || max_invocations < 1)
                rc = cli_usage(cmd, "--max-invocations: expected a positive number, got '%s'", arg);
            break;
        case OPT_MODE: mode = arg; break;
        case OPT_SINK: sink = arg; break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    if (rc < 0 && p.next < argc)
        rc = cli_usage(cmd, "unexpected argument '%s'", argv[p.next]);
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api)
        return cli_usage(cmd, "AWS_LAMBDA_RUNTIME_API is not set: this command runs inside AWS Lambda (or a test harness)");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    if (!curl)
        slsec_oom();
    char next_url[512], init_error_url[512];
    snprintf(next_url, sizeof next_url, "http://%s/2018-06-01/runtime/invocation/next", api);
    snprintf(init_error_url, sizeof init_error_url, "http://%s/2018-06-01/runtime/init/error", api);

    /* configuration: a problem here is an init error Lambda shows the user */
    char problem[600] = "";
    if (mode && strcmp(mode, "mask") == 0)
        ro.mode = SLSEC_REDACT_MASK;
    else if (mode && strcmp(mode, "hash") == 0)
        ro.mode = SLSEC_REDACT_HASH;
    else if (mode && strcmp(mode, "partial") == 0)
        ro.mode = SLSEC_REDACT_PARTIAL;
    else if (mode)
        snprintf(problem, sizeof problem, "mode '%.100s': expected mask, hash or partial", mode);
    if (sink && strcmp(sink, "stdout") != 0 && strcmp(sink, "none") != 0)
        snprintf(problem, sizeof problem, "sink '%.100s': expected stdout or none", sink);
    char *key = NULL;
    size_t key_len = 0;
    slsec_diag d;
    if (!*problem && key_file) {
        if (slsec_read_file(key_file, 4096, &key, &key_len, &d) != SLSEC_OK)
            snprintf(problem, sizeof problem, "key file: %.500s", d.message);
        while (key_len > 0 && (key[key_len - 1] == '\n' || key[key_len - 1] == '\r'))
            key_len--;
        ro.key = (const unsigned char *)key;
        ro.key_len = key_len;
    }
    slsec_redactor *r = NULL;
    if (!*problem && !(r = slsec_redactor_new(&ro, NULL, NULL, &d)))
        snprintf(problem, sizeof problem, "%.500s", d.message);
    if (key) {
        memset(key, 0, key_len);
        free(key);
    }
    runtime_ctx rt = {.forward = !sink || strcmp(sink, "stdout") == 0};
    if (!*problem && webhook && *webhook &&
        !(rt.hook = slsec_webhook_new(webhook, SLSEC_WEBHOOK_QUEUE, SLSEC_WEBHOOK_RETRIES, SLSEC_WEBHOOK_ATTEMPT_MS,
                                      &d)))
        snprintf(problem, sizeof problem, "alert webhook: %.500s", d.message);
    if (*problem) {
        fprintf(stderr, "slsec %s: %s\n", cmd->name, problem);
        post_error(curl, init_error_url, "Runtime.InvalidConfiguration", problem);
        slsec_redactor_free(r);
        curl_easy_cleanup(curl);
        curl_global_cleanup();
        return CLI_EXIT_USAGE;
    }
    slsec_watch_options wo;
    slsec_watch_defaults(&wo);
    slsec_lambda_stats *stats = slsec_lambda_stats_new(&wo, on_alert, NULL, &rt);

    rc = CLI_EXIT_OK;
    slsec_buf response, forward;
    slsec_buf_init(&response);
    slsec_buf_init(&forward);
    for (long done = 0; max_invocations < 0 || done < max_invocations; done++) {
        http_reply next = {0};
        slsec_buf_init(&next.body);
        long code = call(curl, "GET", next_url, NULL, 0, &next);
        if (next.too_big && *next.request_id) {
            char url[768];
            snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/error", api, next.request_id);
            post_error(curl, url, "Runtime.EventTooLarge", "the event is larger than 6 MB");
            slsec_buf_free(&next.body);
            continue;
        }
        if (code != 200 || !*next.request_id) {
            fprintf(stderr, "slsec %s: the Runtime API at %s answered %ld to invocation/next\n", cmd->name, api,
                    code);
            slsec_buf_free(&next.body);
            rc = CLI_EXIT_INTERNAL;
            break;
        }
        if (*next.trace_id)
            setenv("_X_AMZN_TRACE_ID", next.trace_id, 1);
        slsec_buf_reset(&response);
        slsec_buf_reset(&forward);
        slsec_event_counts counts;
        const char *error_type = NULL;
        char error_message[700];
        if (next.deadline_ms > 0 && now_ms() >= next.deadline_ms) {
            error_type = "Runtime.DeadlineExceeded";
            snprintf(error_message, sizeof error_message, "the invocation's deadline passed before it started");
        } else if (slsec_lambda_event(r, stats, next.body.data ? next.body.data : "", next.body.len,
                                      next.deadline_ms, &response, &forward, &counts, &d) != SLSEC_OK) {
            error_type = "Runtime.InvalidEvent";
            snprintf(error_message, sizeof error_message, "malformed event: %.600s", d.message);
        } else if (response.len > SLSEC_LAMBDA_RESPONSE_MAX) {
            error_type = "Runtime.ResponseTooLarge";
            snprintf(error_message, sizeof error_message, "the response is larger than 6 MB");
        }
        if (!error_type && rt.forward && forward.len)
            fwrite(forward.data, 1, forward.len, stdout);
        slsec_lambda_stats_close(stats, now_ms() - 2 * wo.window_ms);
        fflush(stdout);
        flush_alerts(cmd, &rt, next.request_id, next.deadline_ms);
        char url[768];
        if (error_type) {
            snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/error", api, next.request_id);
            post_error(curl, url, error_type, error_message);
        } else {
            snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/response", api, next.request_id);
            http_reply ack = {0};
            slsec_buf_init(&ack.body);
            long ac = call(curl, "POST", url, response.data ? response.data : "{}", response.len ? response.len : 2,
                           &ack);
            if (ac < 200 || ac >= 300)
                fprintf(stderr, "slsec %s: the Runtime API answered %ld to the response of %s\n", cmd->name, ac,
                        next.request_id);
            slsec_buf_free(&ack.body);
        }
        slsec_buf_free(&next.body);
    }
    slsec_lambda_stats_close(stats, INT64_MAX);
    fflush(stdout);
    if (rt.hook) {
        slsec_webhook_counts total;
        slsec_webhook_finish(rt.hook, SLSEC_WEBHOOK_DRAIN_MS, &total);
        report_webhook(cmd->name, "since the start", &total);
        slsec_webhook_free(rt.hook);
    }
    slsec_buf_free(&response);
    slsec_buf_free(&forward);
    slsec_lambda_stats_free(stats);
    slsec_redactor_free(r);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return rc;
}

const cli_command cli_cmd_lambda_runtime = {
    .name = "lambda-runtime",
    .operands = "",
    .summary = "run as an AWS Lambda custom runtime: redact CloudWatch Logs subscriptions and Firehose records",
    .description =
        "The bootstrap of a provided.al2023 Lambda function: speaks the Lambda Runtime API at "
        "$AWS_LAMBDA_RUNTIME_API and handles CloudWatch Logs subscription events (decoded, redacted, forwarded "
        "to standard output as JSON lines, fed to metrics and alerts; CONTROL_MESSAGE dropped) and Kinesis Data "
        "Firehose transformation events (every record returned Ok, Dropped or ProcessingFailed, data redacted "
        "and re-encoded, the response kept under 6 MB). Alerts go to standard output as JSON lines and, with "
        "--alert-webhook, to a webhook: delivered before each response is posted (Lambda may freeze the process "
        "after it), never later than 1 s before the deadline, undelivered ones counted on standard error. A "
        "malformed event, an expired deadline or an oversize response is reported to the Runtime API as an "
        "invocation error; bad configuration as an init error. See docs/lambda.md.",
    .opts = runtime_opts,
    .nopts = sizeof runtime_opts / sizeof runtime_opts[0],
    .run = run_runtime,
};
