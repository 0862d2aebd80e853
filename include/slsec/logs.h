/*
 * slsec/logs.h — logs: redaction of secrets and personal data from log
 * streams, Lambda log parsing, per-function metrics and anomaly alerts.
 *
 * Redaction (src/logs/redact.c) is a stream filter over the detector table
 * (slsec/detect.h, every class): the output is the input byte for byte
 * except the masked spans. No line is added, dropped (unless the caller
 * asked for fail-closed on over-long lines), joined or reordered; invalid
 * UTF-8 and binary bytes pass through untouched.
 *
 *   slsec_redactor *r = slsec_redactor_new(&opts, write_fn, user, &diag);
 *   while (...) slsec_redactor_feed(r, chunk, n);   // any chunking: same output
 *   slsec_redactor_finish(r);                       // a last line without '\n'
 *   slsec_redactor_free(r);
 *
 * Input is cut into batches of whole lines (a batch closes at the first line
 * end at or past SLSEC_LOG_BATCH_BYTES, or at every line with
 * line_at_a_time), and each batch is scanned at once: where batches fall
 * depends only on the bytes, never on how they were fed, so the output is
 * the same for any chunking. A match that spans lines (a PEM key) is masked
 * on each of its lines and the line ends are kept.
 *
 * Ownership: options, field names and keys are copied by _new; the writer
 * callback is called with bytes valid during the call only.
 */
#ifndef SLSEC_LOGS_H
#define SLSEC_LOGS_H

#include "slsec/base.h"
#include "slsec/limits.h"

/* ---- redaction ------------------------------------------------------------------- */

typedef enum {
    SLSEC_REDACT_MASK,    /* [REDACTED:email] */
    SLSEC_REDACT_HASH,    /* [REDACTED:email:5f0c2e7a91d4b3c8], keyed HMAC-SHA256: one value, one token */
    SLSEC_REDACT_PARTIAL, /* [REDACTED:card:...1111], the last 4 when the value has 12 or more bytes */
} slsec_redact_mode;

typedef struct slsec_redact_options {
    slsec_redact_mode mode;
    const unsigned char *key; /* SLSEC_REDACT_HASH: the HMAC key, at least 16 bytes */
    size_t key_len;
    bool mask_ip;              /* IPv4/IPv6 addresses (off by default: they are rarely personal in Lambda logs) */
    const char *const *fields; /* JSON field names masked whatever their value; NULL = the defaults */
    size_t nfields;
    size_t max_line;           /* 0 = SLSEC_MAX_LOG_LINE_BYTES */
    bool fail_closed;          /* an over-long line is dropped (and counted) instead of masked as far as scanned */
    bool line_at_a_time;       /* one batch per line: for interactive streams, flushed per line */
} slsec_redact_options;

/* Receives output; returns non-zero when it cannot write (the feed then
 * returns SLSEC_EIO). */
typedef int (*slsec_write_fn)(const char *data, size_t len, void *user);

typedef struct slsec_redact_stats {
    uint64_t bytes_in, bytes_out;
    uint64_t lines;         /* line ends seen (a last line without one counts too) */
    uint64_t masked;        /* spans replaced */
    uint64_t long_lines;    /* lines longer than max_line */
    uint64_t dropped_lines; /* of those, dropped (fail-closed) */
    uint64_t dropped_bytes;
} slsec_redact_stats;

typedef struct slsec_redactor slsec_redactor;

/* NULL with d set when the options are unusable (hash mode without a key,
 * an empty field name) or the detector table does not compile. */
slsec_redactor *slsec_redactor_new(const slsec_redact_options *opts, slsec_write_fn write, void *user,
                                   slsec_diag *d);
/* Any chunking of the input gives the same output: lines are cut where
 * they end, whichever feed brings the end. */
int slsec_redactor_feed(slsec_redactor *r, const char *data, size_t len);
/* Writes what is pending (a last line without '\n'); the redactor is then
 * ready for a new stream (statistics keep adding up). */
int slsec_redactor_finish(slsec_redactor *r);
const slsec_redact_stats *slsec_redactor_stats(const slsec_redactor *r);
/* The i-th mask type and how many spans of it were masked; false past the
 * last. Types are the labels of the masks ("email", "aws-access-key-id",
 * "field:password"). */
bool slsec_redactor_type_count(const slsec_redactor *r, size_t i, const char **type, uint64_t *count);
void slsec_redactor_free(slsec_redactor *r);

/* The JSON field names masked by default. */
const char *const *slsec_redact_default_fields(size_t *count);

/* The detectors a redactor runs, as a flag per entry of slsec_detectors()
 * into enabled: every one but the private-key blocks (followed line by
 * line instead), and the IP addresses only with mask_ip. The build embeds
 * a Vectorscan database for each of the two sets (tools/detect-db), so a
 * redactor starts without compiling one. */
void slsec_redact_detector_set(bool mask_ip, bool *enabled);

/* Redacts a whole buffer (one CloudWatch event, one Firehose record) into
 * out (appended). Same rules as the stream. */
int slsec_redact_buffer(slsec_redactor *r, const char *data, size_t len, slsec_buf *out);

/* ---- Lambda log lines ----------------------------------------------------------------------- */

/* One line of a Lambda function's log, in the text format (START, END,
 * REPORT with any of its fields in any order, "Task timed out after",
 * Node.js "Invoke Error", Python "[ERROR]", INIT_REPORT) or the JSON format
 * of advanced logging controls (platform.start, platform.report,
 * platform.runtimeDone, platform.initReport, application records with
 * level and requestId). A leading ISO 8601 timestamp (CloudWatch exports
 * add one) is read as the line's time. */
typedef enum {
    SLSEC_LAMBDA_OTHER,       /* nothing Lambda-specific (an ordinary application line) */
    SLSEC_LAMBDA_START,
    SLSEC_LAMBDA_END,
    SLSEC_LAMBDA_REPORT,      /* one invocation's metrics */
    SLSEC_LAMBDA_TIMEOUT,     /* "Task timed out after N seconds" */
    SLSEC_LAMBDA_ERROR,       /* an invocation error or an application record at level ERROR/FATAL */
    SLSEC_LAMBDA_RUNTIME_DONE,/* platform.runtimeDone: status says how the invocation ended */
    SLSEC_LAMBDA_INIT_REPORT, /* INIT_REPORT / platform.initReport */
} slsec_lambda_kind;

typedef struct slsec_lambda_record {
    slsec_lambda_kind kind;
    bool json;
    int64_t time_ms;      /* Unix time in ms, -1 when the line has none */
    char request_id[64];  /* "" when none */
    double duration_ms, billed_ms, init_ms, restore_ms; /* -1 when absent */
    double timeout_s;     /* from "Task timed out after", -1 otherwise */
    int memory_mb, max_memory_mb;                       /* -1 when absent */
    char status[32];      /* REPORT/platform status ("timeout", "error", ...), "" when absent */
    char error_type[64];  /* "Runtime.ExitError", "ValueError", ... "" when unknown */
} slsec_lambda_record;

/* Parses one line (without its line end; any bytes). Never fails: a line
 * it does not recognise is SLSEC_LAMBDA_OTHER (with its time if any). */
slsec_lambda_kind slsec_lambda_parse_line(const char *line, size_t len, slsec_lambda_record *rec);

/* "2024-01-15T10:00:00.123Z" (also +hh:mm offsets, no fraction) at s:
 * Unix ms, and the bytes used in *used; -1 when s does not start with one. */
int64_t slsec_parse_iso8601(const char *s, size_t n, size_t *used);

/* The function a log file belongs to, from its path relative to the
 * folder given: the folder after aws/lambda/ (a CloudWatch export), else
 * the first folder ("orders/000001.gz" -> "orders"), else the name
 * without its extensions ("orders.log.gz" -> "orders"). */
void slsec_lambda_function_from_path(const char *path, char *out, size_t size);

/* ---- duration histogram ------------------------------------------------------------------- */

/* Log-scale buckets 2% wide from 0.01 ms to about 10^7 ms: quantiles within
 * 1% of the exact value (clamped to the observed min and max), a fixed 4 KB
 * whatever the number of invocations. */
#define SLSEC_HIST_BUCKETS 1048
typedef struct slsec_histogram {
    uint64_t count;
    double min, max, sum;
    uint32_t buckets[SLSEC_HIST_BUCKETS];
} slsec_histogram;

void slsec_histogram_add(slsec_histogram *h, double value);
/* q in [0, 1]; 0 when empty. */
double slsec_histogram_quantile(const slsec_histogram *h, double q);
void slsec_histogram_merge(slsec_histogram *into, const slsec_histogram *from);

/* ---- per-function metrics and anomaly detection ------------------------------------------------ */

typedef struct slsec_fn_metrics {
    uint64_t invocations, errors, timeouts, cold_starts, init_errors, lines;
    uint64_t security_lines; /* authorization failures, injection-looking payloads (watch only) */
    double billed_ms, init_ms_sum;
    int memory_mb, max_memory_used_mb; /* -1 unknown */
    slsec_histogram duration;
} slsec_fn_metrics;

/* Detector thresholds (docs/logs.md gives the reasoning for each default). */
typedef struct slsec_watch_options {
    double error_rate_floor;     /* 0.05: never alert below 5% errors in a window */
    double ewma_alpha;           /* 0.3: weight of the newest window in the baselines */
    double band_k;               /* 3: how many mean absolute deviations above the baseline is unusual */
    unsigned warmup_windows;     /* 5: windows seen before baselines are trusted */
    double spike_factor;         /* 3: invocations above 3x the baseline */
    unsigned spike_min;          /* 20: and at least this many */
    double timeout_fraction;     /* 0.8: p99 above 80% of the timeout */
    double timeout_ms;           /* the configured timeout; 0 = learned from "Task timed out after" */
    double memory_fraction;      /* 0.9: max memory used above 90% of the size */
    unsigned cold_storm_min;     /* 10 cold starts in a window ... */
    double cold_storm_fraction;  /* ... that are at least 50% of its invocations */
    int64_t cooldown_ms;         /* 900000: one alert per function and kind per 15 minutes */
    unsigned security_min;       /* 10 security-relevant lines in a window, and 3x their baseline */
    int64_t window_ms;           /* 60000: one window per minute */
} slsec_watch_options;

void slsec_watch_defaults(slsec_watch_options *o);

typedef struct slsec_alert {
    const char *kind;     /* "error_rate", "invocation_spike", "p99_near_timeout", "timeout", "memory",
                             "cold_start_storm", "security_burst" */
    const char *severity; /* "high", "medium" */
    const char *function;
    int64_t window_ms;    /* start of the window, Unix ms (0 when the log had no times) */
    double value, threshold, baseline; /* baseline -1 when the detector has none */
    const char *message;  /* one sentence with the numbers */
    const char *request_ids[5];
    size_t nrequest_ids;
    uint64_t suppressed;  /* alerts of this kind and function held back by the cooldown since the last one */
} slsec_alert;

typedef void (*slsec_alert_fn)(const slsec_alert *a, void *user);
/* A closed window: its function, start, and metrics. */
typedef void (*slsec_window_fn)(const char *function, int64_t window_ms, const slsec_fn_metrics *m, void *user);

typedef struct slsec_lambda_stats slsec_lambda_stats;

/* opts NULL: metrics only, no detectors. Callbacks may be NULL. */
slsec_lambda_stats *slsec_lambda_stats_new(const slsec_watch_options *opts, slsec_alert_fn on_alert,
                                           slsec_window_fn on_window, void *user);
/* One line of `function`'s log (without its line end). */
void slsec_lambda_stats_line(slsec_lambda_stats *s, const char *function, const char *line, size_t len);
/* Closes every window that started before `before_ms` (INT64_MAX: all, at
 * the end of the input), running the detectors on each. */
void slsec_lambda_stats_close(slsec_lambda_stats *s, int64_t before_ms);
/* Functions in name order; NULL past the last. */
const char *slsec_lambda_stats_function(const slsec_lambda_stats *s, size_t i, const slsec_fn_metrics **total);
uint64_t slsec_lambda_stats_alerts(const slsec_lambda_stats *s);
void slsec_lambda_stats_free(slsec_lambda_stats *s);

/* ---- alert sinks ---------------------------------------------------------------------------- */

/* The alert as one compact JSON object, as `logs watch --format json`
 * writes it ({"type":"alert","kind","severity","function","window",
 * "value","threshold","baseline","message","request_ids",
 * "suppressed_since_last"}), with a Slack-compatible "text" when
 * slack_text. The caller frees it. */
char *slsec_alert_json(const slsec_alert *a, bool slack_text);

/* Unix ms as "2024-01-15T10:00:00Z" (UTC, whole seconds) into out. */
void slsec_format_iso8601(int64_t ms, char *out, size_t size);

/* POSTs JSON bodies from a thread of its own (libcurl): a bounded queue
 * (full: the alert is dropped and counted), `retries` further attempts
 * with doubling back-off from 250 ms, `timeout_ms` per attempt. */
typedef struct slsec_webhook slsec_webhook;

typedef struct slsec_webhook_counts {
    uint64_t delivered; /* answered 2xx */
    uint64_t failed;    /* undelivered: every attempt failed, or given up by a flush */
    uint64_t dropped;   /* never queued: the queue was full */
} slsec_webhook_counts;

slsec_webhook *slsec_webhook_new(const char *url, unsigned queue, unsigned retries, long timeout_ms, slsec_diag *d);
/* Queues a copy of body; false when the queue was full or the webhook
 * finished (counted as dropped). */
bool slsec_webhook_post(slsec_webhook *w, const char *body);
/* Waits at most wait_ms until every alert posted so far is delivered or
 * has failed; what is still queued or being delivered then is given up
 * and counted as failed at once, and the thread goes on with later
 * alerts. The counts (since the start) are final for every alert posted
 * before the call, so a process may be frozen right after it (Lambda).
 * true when nothing was given up. counts may be NULL. */
bool slsec_webhook_flush(slsec_webhook *w, long wait_ms, slsec_webhook_counts *counts);
/* Flushes for at most drain_ms, ends the thread (alerts posted later are
 * dropped) and reports the counts (counts may be NULL). */
void slsec_webhook_finish(slsec_webhook *w, long drain_ms, slsec_webhook_counts *counts);
void slsec_webhook_free(slsec_webhook *w);

/* ---- Lambda events: CloudWatch Logs subscriptions, Firehose transformations ---------------- */

/* (base64 is slsec_base64_encode/_decode of slsec/sign.h.) gzip: appended to out; at most max bytes decompressed (SLSEC_ELIMIT
 * past it), SLSEC_EPARSE (d set) for data that is not gzip or ends early. */
int slsec_gunzip(const void *data, size_t n, size_t max, slsec_buf *out, slsec_diag *d);
void slsec_gzip(const void *data, size_t n, slsec_buf *out);

/* The Lambda Runtime API's response limit. */
#define SLSEC_LAMBDA_RESPONSE_MAX (6u * 1024u * 1024u)

typedef struct slsec_event_counts {
    uint64_t log_events, masked;  /* CloudWatch log events read, values masked */
    uint64_t control_messages;    /* CONTROL_MESSAGE payloads, dropped */
    uint64_t records_ok, records_dropped, records_failed; /* Firehose */
} slsec_event_counts;

/* Handles one invocation's event:
 *  - a CloudWatch Logs subscription event {"awslogs":{"data": base64 of
 *    gzip of JSON}}: each log event's message is redacted and written to
 *    `forward` as a JSON line {"logGroup","logStream","id","timestamp",
 *    "message"}, and fed to `stats` (function from /aws/lambda/NAME);
 *    CONTROL_MESSAGE payloads are dropped; the response is a summary;
 *  - a Firehose transformation event {"records":[{"recordId","data"}]}:
 *    every recordId comes back, "Ok" with its data redacted and re-encoded
 *    (a gzip CloudWatch Logs payload stays one, its messages redacted),
 *    "Dropped" for CONTROL_MESSAGE payloads, "ProcessingFailed" for data
 *    that does not decode, and for records past the deadline (deadline_ms,
 *    Unix ms, 0 = none, minus a 500 ms margin) or past the 6 MB response
 *    limit.
 * stats may be NULL. Returns SLSEC_OK, or SLSEC_EPARSE (d set) for an event
 * of neither shape or whose payload does not decode. */
int slsec_lambda_event(slsec_redactor *r, slsec_lambda_stats *stats, const char *event, size_t n,
                       int64_t deadline_ms, slsec_buf *response, slsec_buf *forward, slsec_event_counts *counts,
                       slsec_diag *d);

/* ---- configuration (.slsec.yml, section logs) ------------------------------------------------ */

/* The `logs:` section of .slsec.yml (docs/logs.md):
 *
 *   logs:
 *     redact: {mode: hash, ip: true, fields: [pin], default_fields: true, max_line: 65536, fail: closed}
 *     watch:  {error_rate_floor: 0.1, warmup_windows: 3, timeout_ms: 3000, cooldown_seconds: 600, ...}
 *
 * Checked strictly: an unknown key or a value of the wrong type is an error
 * naming file:line:col. Strings point into cfg->arena. */
typedef struct slsec_logs_config {
    slsec_arena *arena;
    bool has_mode, has_ip, has_default_fields, has_max_line, has_fail;
    slsec_redact_mode mode;
    bool ip, default_fields, fail_closed;
    size_t max_line;
    const char **fields;
    size_t nfields;
    slsec_watch_options watch; /* the defaults, with the file's values over them */
} slsec_logs_config;

/* Reads path into cfg (initialised by the call; free with _free). A file
 * without a logs section leaves every default. SLSEC_EIO, SLSEC_EPARSE or
 * SLSEC_EUSAGE (d set) otherwise. */
int slsec_logs_config_load(const char *path, slsec_logs_config *cfg, slsec_diag *d);
void slsec_logs_config_free(slsec_logs_config *cfg);

#endif
