/*
 * cmd_logs_watch.c — `slsec logs stats` (one table of invocation metrics
 * per function) and `slsec logs watch` (per-minute metrics and anomaly
 * alerts, optionally following files like `tail -F`), over Lambda logs in
 * the text or JSON format (library: slsec/logs.h).
 *
 * Each input's function comes from its path (aws/lambda/NAME/..., the first
 * folder under an --in folder, or the file name), or from --function.
 * Lines longer than SLSEC_MAX_LOG_LINE_BYTES are cut there (counted).
 *
 * watch writes alerts (and with --metrics every closed window) to stdout
 * or -o FILE, as text lines or JSON lines, appends JSON lines to
 * --alert-file, and POSTs them to --alert-webhook from a separate thread.
 * Exit codes: 0 no alert, 1 alerts were raised, 2 bad usage or an input
 * that could not be read whole, 3 output not written.
 */
#include "cmd_logs.h"

#include "slsec/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_ALERT_FILE = 256,
    OPT_CONFIG,
    OPT_COOLDOWN,
    OPT_ERROR_RATE,
    OPT_FOLLOW,
    OPT_FUNCTION,
    OPT_IN,
    OPT_METRICS,
    OPT_NO_COLOR,
    OPT_NO_CONFIG,
    OPT_TIMEOUT_MS,
    OPT_WARMUP,
    OPT_WEBHOOK,
};

static const cli_opt stats_opts[] = {
    {"config", OPT_CONFIG, "FILE", "check FILE's logs section (default: ./.slsec.yml if present)"},
    {"format", 'f', "FORMAT", "text (default) or json"},
    {"function", OPT_FUNCTION, "NAME", "the function every input belongs to (default: from each path)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"in", OPT_IN, "PATH", "input file or folder (repeatable; same as an operand)"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry: the table has no colour"},
    {"no-config", OPT_NO_CONFIG, NULL, "read no configuration file"},
    {"output", 'o', "FILE", "write the table to FILE (replaced atomically)"},
    {"quiet", 'q', NULL, "no notes on stderr"},
};

static const cli_opt watch_opts[] = {
    {"alert-file", OPT_ALERT_FILE, "FILE", "append every alert to FILE as a JSON line"},
    {"alert-webhook", OPT_WEBHOOK, "URL", "POST every alert as JSON (with a Slack-style \"text\") to URL"},
    {"config", OPT_CONFIG, "FILE", "detector settings from FILE's logs.watch section (default: ./.slsec.yml if present)"},
    {"cooldown", OPT_COOLDOWN, "SECONDS", "one alert per function and kind per this long (default 900)"},
    {"error-rate", OPT_ERROR_RATE, "FRACTION", "never alert on an error rate below this (default 0.05)"},
    {"follow", OPT_FOLLOW, NULL, "keep reading the files as they grow, across rotation and truncation (tail -F)"},
    {"format", 'f', "FORMAT", "text (default) or json (JSON lines)"},
    {"function", OPT_FUNCTION, "NAME", "the function every input belongs to (default: from each path)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"in", OPT_IN, "PATH", "input file or folder (repeatable; same as an operand)"},
    {"metrics", OPT_METRICS, NULL, "also write each function's metrics for every closed minute"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry: output has no colour"},
    {"no-config", OPT_NO_CONFIG, NULL, "read no configuration file"},
    {"output", 'o', "FILE", "write alerts and metrics to FILE instead of standard output"},
    {"quiet", 'q', NULL, "no summary on stderr"},
    {"timeout-ms", OPT_TIMEOUT_MS, "MS", "the functions' configured timeout (default: learned from 'Task timed out')"},
    {"warmup", OPT_WARMUP, "WINDOWS", "windows seen before baselines are trusted (default 5)"},
};

typedef struct watch_args {
    const char *format, *output, *function, *alert_file, *webhook, *config;
    bool follow, metrics, quiet, no_config;
    slsec_watch_options wo; /* the command line's values ... */
    bool cooldown_set, error_rate_set, timeout_set, warmup_set; /* ... where given */
    logs_inputs in;
} watch_args;

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static int parse_watch(const cli_command *cmd, int argc, char **argv, watch_args *a, bool watch)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        double v;
        switch (c) {
        case 'h': cli_help(stdout, cmd); rc = CLI_EXIT_OK; break;
        case 'f': a->format = arg; break;
        case 'o': a->output = arg; break;
        case 'q': a->quiet = true; break;
        case OPT_ALERT_FILE: a->alert_file = arg; break;
        case OPT_WEBHOOK: a->webhook = arg; break;
        case OPT_COOLDOWN:
            if (!parse_double(arg, 0, 86400 * 30, &v))
                rc = cli_usage(cmd, "--cooldown: expected seconds from 0 to 2592000, got '%s'", arg);
            a->wo.cooldown_ms = (int64_t)(v * 1000), a->cooldown_set = true;
            break;
        case OPT_ERROR_RATE:
            if (!parse_double(arg, 0, 1, &v))
                rc = cli_usage(cmd, "--error-rate: expected a fraction from 0 to 1, got '%s'", arg);
            a->wo.error_rate_floor = v, a->error_rate_set = true;
            break;
        case OPT_CONFIG: a->config = arg; break;
        case OPT_NO_CONFIG: a->no_config = true; break;
        case OPT_FOLLOW: a->follow = true; break;
        case OPT_FUNCTION: a->function = arg; break;
        case OPT_IN: rc = logs_inputs_add(&a->in, cmd, arg) ? CLI_EXIT_USAGE : -1; break;
        case OPT_METRICS: a->metrics = true; break;
        case OPT_NO_COLOR: break;
        case OPT_TIMEOUT_MS:
            if (!parse_double(arg, 1, 900000, &v))
                rc = cli_usage(cmd, "--timeout-ms: expected milliseconds from 1 to 900000, got '%s'", arg);
            a->wo.timeout_ms = v, a->timeout_set = true;
            break;
        case OPT_WARMUP:
            if (!parse_double(arg, 0, 10000, &v) || v != floor(v))
                rc = cli_usage(cmd, "--warmup: expected a whole number of windows, got '%s'", arg);
            a->wo.warmup_windows = (unsigned)v, a->warmup_set = true;
            break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    for (int i = first; i < argc; i++)
        if (logs_inputs_add(&a->in, cmd, argv[i]))
            return CLI_EXIT_USAGE;
    if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0)
        return cli_usage(cmd, "--format: expected text or json, got '%s'", a->format);
    if (a->follow) {
        if (a->in.count == 0)
            return cli_usage(cmd, "--follow needs files to follow");
        for (size_t i = 0; i < a->in.count; i++)
            if (strcmp(a->in.items[i].path, "-") == 0)
                return cli_usage(cmd, "--follow cannot follow standard input");
    }
    if (a->config && a->no_config)
        return cli_usage(cmd, "--config and --no-config exclude each other");
    slsec_logs_config cfg;
    if (logs_load_config(cmd, a->config, a->no_config, &cfg))
        return CLI_EXIT_USAGE;
    if (watch) {
        /* defaults, then the file, then the command line */
        slsec_watch_options cli = a->wo;
        a->wo = cfg.watch;
        if (a->cooldown_set)
            a->wo.cooldown_ms = cli.cooldown_ms;
        if (a->error_rate_set)
            a->wo.error_rate_floor = cli.error_rate_floor;
        if (a->timeout_set)
            a->wo.timeout_ms = cli.timeout_ms;
        if (a->warmup_set)
            a->wo.warmup_windows = cli.warmup_windows;
    }
    slsec_logs_config_free(&cfg);
    return -1;
}

/* ---- reading lines ------------------------------------------------------------------------------ */

typedef struct line_reader {
    char *buf;
    size_t len, cap;
    bool cutting; /* inside a line past the limit: skip to its end */
    uint64_t cut_lines;
} line_reader;

typedef void (*line_fn)(const char *line, size_t n, void *user);

/* Splits data into lines for fn; keeps a partial line for the next call.
 * Reads data only to find line ends and to copy lines out, each read
 * before the state it changes (logs_chunk_fn): fn gets the copy. */
static void lines_feed(line_reader *r, const char *data, size_t n, line_fn fn, void *user)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (!r->cutting) {
            size_t room = SLSEC_MAX_LOG_LINE_BYTES - r->len;
            size_t keep = take < room ? take : room;
            if (r->len + keep > r->cap) {
                size_t cap = r->cap ? r->cap : 4096;
                while (cap < r->len + keep)
                    cap *= 2;
                char *more = realloc(r->buf, cap);
                if (!more)
                    slsec_oom();
                r->buf = more;
                r->cap = cap;
            }
            if (keep) {
                memcpy(r->buf + r->len, data, keep);
                r->len += keep;
            }
            if (take > room) {
                r->cutting = true;
                r->cut_lines++;
            }
        }
        if (!nl)
            return;
        fn(r->buf ? r->buf : "", r->len, user);
        r->len = 0;
        r->cutting = false;
        data += take + 1;
        n -= take + 1;
    }
}

static void lines_end(line_reader *r, line_fn fn, void *user)
{
    if (r->len)
        fn(r->buf, r->len, user);
    r->len = 0;
    r->cutting = false;
}

typedef struct feed_ctx {
    slsec_lambda_stats *stats;
    char function[256];
    line_reader *lines;
} feed_ctx;

static void to_stats(const char *line, size_t n, void *user)
{
    feed_ctx *f = user;
    slsec_lambda_stats_line(f->stats, f->function, line, n);
}

static int feed_lines(const char *data, size_t n, void *user)
{
    feed_ctx *f = user;
    lines_feed(f->lines, data, n, to_stats, f);
    return 0;
}

static void function_for(const watch_args *a, const logs_input *in, char *out, size_t size)
{
    if (a->function)
        snprintf(out, size, "%s", a->function);
    else if (strcmp(in->path, "-") == 0)
        snprintf(out, size, "-");
    else if (*in->root && !strchr(in->rel, '/') && in->rel[0] >= '0' && in->rel[0] <= '9' &&
             !strstr(in->path, "aws/lambda/"))
        snprintf(out, size, "%s", in->root); /* orders/2024-03-05.log, orders/000001.gz: the folder's */
    else
        slsec_lambda_function_from_path(strstr(in->path, "aws/lambda/") ? in->path : in->rel, out, size);
}

/* Reads whole inputs into stats; returns how many could not be read whole. */
static unsigned read_all(const cli_command *cmd, const watch_args *a, slsec_lambda_stats *stats, line_reader *lr)
{
    unsigned problems = 0;
    feed_ctx ctx = {.stats = stats, .lines = lr};
    for (size_t i = 0; i < a->in.count; i++) {
        function_for(a, &a->in.items[i], ctx.function, sizeof ctx.function);
        problems += logs_read_input(cmd, a->in.items[i].path, feed_lines, &ctx) < 0;
        lines_end(lr, to_stats, &ctx);
    }
    return problems;
}

/* ---- stats ---------------------------------------------------------------------------------------- */

static void json_metrics(json_t *o, const slsec_fn_metrics *m)
{
    json_object_set_new(o, "invocations", json_integer((json_int_t)m->invocations));
    json_object_set_new(o, "errors", json_integer((json_int_t)m->errors));
    json_object_set_new(o, "timeouts", json_integer((json_int_t)m->timeouts));
    json_object_set_new(o, "cold_starts", json_integer((json_int_t)m->cold_starts));
    json_object_set_new(o, "init_errors", json_integer((json_int_t)m->init_errors));
    json_object_set_new(o, "security_lines", json_integer((json_int_t)m->security_lines));
    json_object_set_new(o, "error_rate",
                        json_real(m->invocations ? (double)m->errors / (double)m->invocations : 0));
    json_t *d = json_object();
    json_object_set_new(d, "count", json_integer((json_int_t)m->duration.count));
    json_object_set_new(d, "p50", json_real(slsec_histogram_quantile(&m->duration, 0.50)));
    json_object_set_new(d, "p95", json_real(slsec_histogram_quantile(&m->duration, 0.95)));
    json_object_set_new(d, "p99", json_real(slsec_histogram_quantile(&m->duration, 0.99)));
    json_object_set_new(d, "max", json_real(m->duration.count ? m->duration.max : 0));
    json_object_set_new(d, "mean", json_real(m->duration.count ? m->duration.sum / (double)m->duration.count : 0));
    json_object_set_new(o, "duration_ms", d);
    json_object_set_new(o, "billed_ms", json_real(m->billed_ms));
    json_object_set_new(o, "memory_mb", m->memory_mb > 0 ? json_integer(m->memory_mb) : json_null());
    json_object_set_new(o, "max_memory_used_mb",
                        m->max_memory_used_mb >= 0 ? json_integer(m->max_memory_used_mb) : json_null());
    json_object_set_new(o, "memory_headroom",
                        m->memory_mb > 0 && m->max_memory_used_mb >= 0
                            ? json_real(1.0 - (double)m->max_memory_used_mb / m->memory_mb)
                            : json_null());
}

static void print_table(FILE *out, const slsec_lambda_stats *stats)
{
    const slsec_fn_metrics *m;
    size_t width = 8;
    for (size_t i = 0; slsec_lambda_stats_function(stats, i, &m); i++) {
        size_t n = strlen(slsec_lambda_stats_function(stats, i, &m));
        if (n > width)
            width = n < 48 ? n : 48;
    }
    fprintf(out, "%-*s %11s %7s %8s %5s %9s %9s %9s %9s %7s %7s %8s %10s\n", (int)width, "function", "invocations",
            "errors", "timeouts", "cold", "p50 ms", "p95 ms", "p99 ms", "max ms", "mem MB", "used MB", "headroom",
            "billed s");
    for (size_t i = 0;; i++) {
        const char *name = slsec_lambda_stats_function(stats, i, &m);
        if (!name)
            break;
        char mem[16] = "-", used[16] = "-", head[16] = "-";
        if (m->memory_mb > 0)
            snprintf(mem, sizeof mem, "%d", m->memory_mb);
        if (m->max_memory_used_mb >= 0)
            snprintf(used, sizeof used, "%d", m->max_memory_used_mb);
        if (m->memory_mb > 0 && m->max_memory_used_mb >= 0)
            snprintf(head, sizeof head, "%.0f%%", 100.0 * (1.0 - (double)m->max_memory_used_mb / m->memory_mb));
        fprintf(out, "%-*.*s %11llu %7llu %8llu %5llu %9.1f %9.1f %9.1f %9.1f %7s %7s %8s %10.1f\n", (int)width,
                (int)width, name, (unsigned long long)m->invocations, (unsigned long long)m->errors,
                (unsigned long long)m->timeouts, (unsigned long long)m->cold_starts,
                slsec_histogram_quantile(&m->duration, 0.50), slsec_histogram_quantile(&m->duration, 0.95),
                slsec_histogram_quantile(&m->duration, 0.99), m->duration.count ? m->duration.max : 0.0, mem, used,
                head, m->billed_ms / 1000);
    }
}

static int run_stats(const cli_command *cmd, int argc, char **argv)
{
    watch_args a = {.format = "text"};
    slsec_watch_defaults(&a.wo);
    int rc = parse_watch(cmd, argc, argv, &a, false);
    if (rc >= 0) {
        logs_inputs_free(&a.in);
        return rc;
    }
    if (a.in.count == 0)
        logs_inputs_add(&a.in, cmd, "-");
    cli_output out;
    if ((rc = cli_output_open(&out, cmd, a.output))) {
        logs_inputs_free(&a.in);
        return rc;
    }
    slsec_lambda_stats *stats = slsec_lambda_stats_new(NULL, NULL, NULL, NULL);
    line_reader lr = {0};
    unsigned problems = read_all(cmd, &a, stats, &lr);
    if (strcmp(a.format, "json") == 0) {
        json_t *root = json_object(), *arr = json_array();
        const slsec_fn_metrics *m;
        for (size_t i = 0;; i++) {
            const char *name = slsec_lambda_stats_function(stats, i, &m);
            if (!name)
                break;
            json_t *o = json_object();
            json_object_set_new(o, "function", json_string(name));
            json_metrics(o, m);
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "functions", arr);
        json_object_set_new(root, "lines_cut", json_integer((json_int_t)lr.cut_lines));
        json_object_set_new(root, "input_problems", json_integer(problems));
        json_dumpf(root, out.fp, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        fputc('\n', out.fp);
        json_decref(root);
    } else {
        print_table(out.fp, stats);
    }
    if (!a.quiet && lr.cut_lines)
        fprintf(stderr, "slsec %s: %llu lines longer than %u bytes were read up to that length\n", cmd->name,
                (unsigned long long)lr.cut_lines, SLSEC_MAX_LOG_LINE_BYTES);
    rc = cli_output_close(&out, true);
    free(lr.buf);
    slsec_lambda_stats_free(stats);
    logs_inputs_free(&a.in);
    if (rc)
        return rc;
    return problems ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

const cli_command cli_cmd_logs_stats = {
    .name = "logs stats",
    .operands = "[FILE|FOLDER|-]...",
    .summary = "invocations, errors, timeouts, cold starts, p50/p95/p99 and memory per function",
    .description =
        "Reads Lambda logs (text or JSON format, plain or gzip; default standard input) and prints one row per "
        "function: invocations, errors (timeouts included, counted once per invocation), timeouts, cold starts, "
        "duration p50/p95/p99 and max (from a histogram, within 1%), memory size, most memory used, headroom and "
        "billed time. Exit: 0 done, 2 bad usage or an unreadable input, 3 output not written.",
    .opts = stats_opts,
    .nopts = sizeof stats_opts / sizeof stats_opts[0],
    .run = run_stats,
};

/* ---- watch ------------------------------------------------------------------------------------------- */

typedef struct watch_ctx {
    const watch_args *a;
    FILE *out;
    FILE *alert_file;
    slsec_webhook *hook;
    bool json;
    bool write_failed;
} watch_ctx;

static void on_alert(const slsec_alert *al, void *user)
{
    watch_ctx *w = user;
    char *line = slsec_alert_json(al, false);
    if (w->json) {
        if (fprintf(w->out, "%s\n", line) < 0)
            w->write_failed = true;
    } else {
        char when[32];
        slsec_format_iso8601(al->window_ms, when, sizeof when);
        if (fprintf(w->out, "%s ALERT %-6s %-17s %s", when, al->severity, al->kind, al->message) < 0)
            w->write_failed = true;
        if (al->nrequest_ids)
            fprintf(w->out, " (e.g. request %s)", al->request_ids[0]);
        fputc('\n', w->out);
    }
    fflush(w->out);
    if (w->alert_file) {
        fprintf(w->alert_file, "%s\n", line);
        fflush(w->alert_file);
    }
    if (w->hook) {
        char *body = slsec_alert_json(al, true);
        slsec_webhook_post(w->hook, body);
        free(body);
    }
    free(line);
}

static void on_window(const char *function, int64_t window_ms, const slsec_fn_metrics *m, void *user)
{
    watch_ctx *w = user;
    if (!w->a->metrics)
        return;
    char when[32];
    slsec_format_iso8601(window_ms, when, sizeof when);
    if (w->json) {
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string("metrics"));
        json_object_set_new(o, "function", json_string(function));
        json_object_set_new(o, "window", json_string(when));
        json_metrics(o, m);
        char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
        json_decref(o);
        if (!s)
            slsec_oom();
        fprintf(w->out, "%s\n", s);
        free(s);
    } else {
        fprintf(w->out, "%s %s invocations=%llu errors=%llu timeouts=%llu cold=%llu p99=%.1fms\n", when, function,
                (unsigned long long)m->invocations, (unsigned long long)m->errors, (unsigned long long)m->timeouts,
                (unsigned long long)m->cold_starts, slsec_histogram_quantile(&m->duration, 0.99));
    }
}

/* ---- follow (tail -F) ----------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct followed {
    int fd;
    dev_t dev;
    ino_t ino;
    off_t pos;
    line_reader lr;
    feed_ctx ctx;
} followed;

static void follow_open(followed *f, const char *path, bool at_start)
{
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0)
        return;
    struct stat info;
    memset(&info, 0, sizeof info);
    if (fstat(f->fd, &info) == 0) {
        f->dev = info.st_dev;
        f->ino = info.st_ino;
        f->pos = at_start ? 0 : info.st_size;
    }
    lseek(f->fd, f->pos, SEEK_SET);
}

static void follow_drain(followed *f, char *buf, size_t cap)
{
    ssize_t n;
    while (f->fd >= 0 && (n = read(f->fd, buf, cap)) > 0) {
        f->pos += n;
        lines_feed(&f->lr, buf, (size_t)n, to_stats, &f->ctx);
    }
}

static void follow_loop(const cli_command *cmd, const watch_args *a, slsec_lambda_stats *stats)
{
    size_t n = a->in.count, cap = 1u << 20;
    followed *fs = calloc(n, sizeof *fs);
    char *buf = malloc(cap);
    if (!fs || !buf)
        slsec_oom();
    for (size_t i = 0; i < n; i++) {
        fs[i].ctx.stats = stats;
        function_for(a, &a->in.items[i], fs[i].ctx.function, sizeof fs[i].ctx.function);
        follow_open(&fs[i], a->in.items[i].path, true);
        if (fs[i].fd < 0 && !a->quiet)
            fprintf(stderr, "slsec %s: %s: %s; waiting for it to appear\n", cmd->name, a->in.items[i].path,
                    strerror(errno));
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!stop_requested) {
        for (size_t i = 0; i < n; i++) {
            followed *f = &fs[i];
            follow_drain(f, buf, cap);
            struct stat st;
            if (stat(a->in.items[i].path, &st) != 0)
                continue; /* rotated away; the new file is not there yet */
            if (f->fd < 0 || st.st_ino != f->ino || st.st_dev != f->dev) {
                /* rotation: the rest of the old file was read above; the new one from its start */
                if (f->fd >= 0)
                    close(f->fd);
                lines_end(&f->lr, to_stats, &f->ctx);
                follow_open(f, a->in.items[i].path, true);
                follow_drain(f, buf, cap);
            } else if (st.st_size < f->pos) {
                /* truncation: start again from the top */
                lines_end(&f->lr, to_stats, &f->ctx);
                f->pos = 0;
                lseek(f->fd, 0, SEEK_SET);
                follow_drain(f, buf, cap);
            }
        }
        /* live logs: a window two windows old will get no more lines */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        slsec_lambda_stats_close(stats, (int64_t)now.tv_sec * 1000 - 2 * 60000);
        struct timespec nap = {0, 200 * 1000000L};
        nanosleep(&nap, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        lines_end(&fs[i].lr, to_stats, &fs[i].ctx);
        if (fs[i].fd >= 0)
            close(fs[i].fd);
        free(fs[i].lr.buf);
    }
    free(fs);
    free(buf);
}

static int run_watch(const cli_command *cmd, int argc, char **argv)
{
    watch_args a = {.format = "text"};
    slsec_watch_defaults(&a.wo);
    int rc = parse_watch(cmd, argc, argv, &a, true);
    if (rc >= 0) {
        logs_inputs_free(&a.in);
        return rc;
    }
    if (a.in.count == 0)
        logs_inputs_add(&a.in, cmd, "-");
    watch_ctx w = {.a = &a, .json = strcmp(a.format, "json") == 0};
    slsec_diag d;
    if (a.webhook && !(w.hook = slsec_webhook_new(a.webhook, SLSEC_WEBHOOK_QUEUE, SLSEC_WEBHOOK_RETRIES,
                                                   SLSEC_WEBHOOK_ATTEMPT_MS, &d))) {
        logs_inputs_free(&a.in);
        return cli_usage(cmd, "--alert-webhook: %s", d.message);
    }
    if (a.alert_file && !(w.alert_file = fopen(a.alert_file, "a"))) {
        fprintf(stderr, "slsec %s: cannot write %s: %s\n", cmd->name, a.alert_file, strerror(errno));
        slsec_webhook_free(w.hook);
        logs_inputs_free(&a.in);
        return CLI_EXIT_USAGE;
    }
    w.out = stdout;
    if (a.output && strcmp(a.output, "-") != 0 && !(w.out = fopen(a.output, "w"))) {
        fprintf(stderr, "slsec %s: cannot write %s: %s\n", cmd->name, a.output, strerror(errno));
        if (w.alert_file)
            fclose(w.alert_file);
        slsec_webhook_free(w.hook);
        logs_inputs_free(&a.in);
        return CLI_EXIT_USAGE;
    }
    slsec_lambda_stats *stats = slsec_lambda_stats_new(&a.wo, on_alert, on_window, &w);
    unsigned problems = 0;
    line_reader lr = {0};
    if (a.follow)
        follow_loop(cmd, &a, stats);
    else
        problems = read_all(cmd, &a, stats, &lr);
    slsec_lambda_stats_close(stats, INT64_MAX);
    uint64_t alerts = slsec_lambda_stats_alerts(stats);
    slsec_webhook_counts sent = {0};
    if (w.hook)
        slsec_webhook_finish(w.hook, SLSEC_WEBHOOK_DRAIN_MS, &sent);
    if (!a.quiet) {
        fprintf(stderr, "slsec %s: %llu alert%s", cmd->name, (unsigned long long)alerts, alerts == 1 ? "" : "s");
        if (w.hook)
            fprintf(stderr, "; webhook: %llu delivered, %llu undelivered, %llu dropped (queue full)",
                    (unsigned long long)sent.delivered, (unsigned long long)sent.failed,
                    (unsigned long long)sent.dropped);
        if (lr.cut_lines)
            fprintf(stderr, "; %llu over-long lines cut", (unsigned long long)lr.cut_lines);
        fputc('\n', stderr);
    }
    if (fflush(w.out) != 0 || ferror(w.out))
        w.write_failed = true;
    if (w.out != stdout)
        w.write_failed |= fclose(w.out) != 0;
    if (w.alert_file)
        w.write_failed |= fclose(w.alert_file) != 0;
    slsec_webhook_free(w.hook);
    free(lr.buf);
    slsec_lambda_stats_free(stats);
    logs_inputs_free(&a.in);
    if (w.write_failed) {
        fprintf(stderr, "slsec %s: could not write the alerts\n", cmd->name);
        return CLI_EXIT_INTERNAL;
    }
    if (problems)
        return CLI_EXIT_USAGE;
    return alerts ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

const cli_command cli_cmd_logs_watch = {
    .name = "logs watch",
    .operands = "[FILE|FOLDER|-]...",
    .summary = "per-minute Lambda metrics and anomaly alerts (stdout, file, webhook)",
    .description =
        "Reads Lambda logs (text or JSON format; default standard input), keeps per-function metrics per minute "
        "of log time and raises alerts: any timeout, an error rate above --error-rate and above its own "
        "baseline, invocation spikes, p99 duration above 80% of the timeout, memory above 90%, cold-start "
        "storms, bursts of authorization failures or injection-shaped input. Thresholds come from the logs.watch "
        "section of .slsec.yml. Each alert kind fires once per function per --cooldown and carries the values, the baseline "
        "and sample request ids. --follow keeps reading like tail -F until interrupted. Exit: 0 no alert, 1 "
        "alerts, 2 bad usage or an unreadable input, 3 output not written.",
    .opts = watch_opts,
    .nopts = sizeof watch_opts / sizeof watch_opts[0],
    .run = run_watch,
};
