/*
 * slsec/limits.h — every hard limit in one place. Each can be overridden at
 * build time (-DSLSEC_MAX_...=N); each has its own message when hit, naming
 * the input and the limit, so a user knows which knob to turn.
 */
#ifndef SLSEC_LIMITS_H
#define SLSEC_LIMITS_H

/* A template larger than this is skipped with a warning (real ones are a few MB). */
#ifndef SLSEC_MAX_TEMPLATE_BYTES
#define SLSEC_MAX_TEMPLATE_BYTES (64u * 1024u * 1024u)
#endif

/* Nesting depth of YAML/JSON collections. */
#ifndef SLSEC_MAX_DEPTH
#define SLSEC_MAX_DEPTH 256
#endif

/* Nodes one document may expand to, counting every alias expansion in full:
 * the bound that turns a billion-laughs alias bomb into an error. */
#ifndef SLSEC_MAX_DOC_NODES
#define SLSEC_MAX_DOC_NODES (8u * 1000u * 1000u)
#endif

/* Length of one scalar. */
#ifndef SLSEC_MAX_SCALAR_BYTES
#define SLSEC_MAX_SCALAR_BYTES (16u * 1024u * 1024u)
#endif

/* Depth of nested intrinsic functions (Fn::If inside Fn::Join inside ...). */
#ifndef SLSEC_MAX_INTRINSIC_DEPTH
#define SLSEC_MAX_INTRINSIC_DEPTH 64
#endif

/* Directory depth when walking the scanned roots. */
#ifndef SLSEC_MAX_WALK_DEPTH
#define SLSEC_MAX_WALK_DEPTH 64
#endif

/* Files looked at in one scan. */
#ifndef SLSEC_MAX_FILES
#define SLSEC_MAX_FILES 1000000u
#endif

/* Configuration file size. */
#ifndef SLSEC_MAX_CONFIG_BYTES
#define SLSEC_MAX_CONFIG_BYTES (1024u * 1024u)
#endif

/* A lockfile larger than this is skipped with a warning (the largest real
 * ones are tens of MB). */
#ifndef SLSEC_MAX_LOCKFILE_BYTES
#define SLSEC_MAX_LOCKFILE_BYTES (128u * 1024u * 1024u)
#endif

/* The secret pass (src/scan/secrets.c, docs/secrets.md). Files up to
 * SLSEC_MAX_SECRET_BLOCK_BYTES are read whole; larger ones are streamed. */
#ifndef SLSEC_MAX_SECRET_BLOCK_BYTES
#define SLSEC_MAX_SECRET_BLOCK_BYTES (64u * 1024u * 1024u)
#endif
/* Secrets reported per file at most (a dump of keys is one problem). */
#ifndef SLSEC_MAX_SECRETS_PER_FILE
#define SLSEC_MAX_SECRETS_PER_FILE 1000u
#endif
/* Archives (.zip/.jar deployment packages) are read in memory, never
 * extracted: entries at most, bytes of all entries uncompressed, bytes of
 * one entry, and the uncompressed/compressed ratio past which it is a
 * zip bomb (reported, not expanded). */
#ifndef SLSEC_MAX_ARCHIVE_ENTRIES
#define SLSEC_MAX_ARCHIVE_ENTRIES 100000u
#endif
#ifndef SLSEC_MAX_ARCHIVE_BYTES
#define SLSEC_MAX_ARCHIVE_BYTES (1024ull * 1024u * 1024u)
#endif
#ifndef SLSEC_MAX_ARCHIVE_ENTRY_BYTES
#define SLSEC_MAX_ARCHIVE_ENTRY_BYTES (64u * 1024u * 1024u)
#endif
#ifndef SLSEC_MAX_ARCHIVE_RATIO
#define SLSEC_MAX_ARCHIVE_RATIO 200u
#endif

/* Logs (src/logs, docs/logs.md): the longest line `logs redact` scans
 * whole (longer ones are fail-open or fail-closed), the size past which a
 * batch of whole lines is scanned, and the largest CloudWatch Logs or
 * Firehose payload decoded (the Runtime API's own limit is 6 MB). */
#ifndef SLSEC_MAX_LOG_LINE_BYTES
#define SLSEC_MAX_LOG_LINE_BYTES (1024u * 1024u)
#endif
#ifndef SLSEC_LOG_BATCH_BYTES
#define SLSEC_LOG_BATCH_BYTES (256u * 1024u)
#endif
#ifndef SLSEC_MAX_LOG_PAYLOAD_BYTES
#define SLSEC_MAX_LOG_PAYLOAD_BYTES (64u * 1024u * 1024u)
#endif

/* Alert webhooks (src/logs/webhook.c): alerts queued at most (past it one
 * is dropped and counted), further attempts after a failed one, the time
 * one attempt may take, and how long `logs watch` still delivers at exit.
 * The Lambda runtime flushes the queue before each response for at most
 * SLSEC_LAMBDA_ALERT_FLUSH_MS (one alert's every attempt and back-off fit
 * in it), and never later than SLSEC_LAMBDA_DEADLINE_MARGIN_MS before the
 * invocation's deadline (docs/lambda.md); what is left is counted
 * undelivered. */
#ifndef SLSEC_WEBHOOK_QUEUE
#define SLSEC_WEBHOOK_QUEUE 256u
#endif
#ifndef SLSEC_WEBHOOK_RETRIES
#define SLSEC_WEBHOOK_RETRIES 3u
#endif
#ifndef SLSEC_WEBHOOK_ATTEMPT_MS
#define SLSEC_WEBHOOK_ATTEMPT_MS 2000L
#endif
#ifndef SLSEC_WEBHOOK_DRAIN_MS
#define SLSEC_WEBHOOK_DRAIN_MS 5000L
#endif
#ifndef SLSEC_LAMBDA_ALERT_FLUSH_MS
#define SLSEC_LAMBDA_ALERT_FLUSH_MS 10000L
#endif
#ifndef SLSEC_LAMBDA_DEADLINE_MARGIN_MS
#define SLSEC_LAMBDA_DEADLINE_MARGIN_MS 1000L
#endif

/* Handler code analysis (src/code, docs/code.md): source files larger than
 * this are skipped with a warning (minified bundles; `slsec scan
 * --max-code-size`), tree-sitter gets this many microseconds per file, and
 * the taint walk descends this deep into nested syntax. */
#ifndef SLSEC_MAX_CODE_BYTES
#define SLSEC_MAX_CODE_BYTES (1024u * 1024u)
#endif
#ifndef SLSEC_CODE_PARSE_MICROS
#define SLSEC_CODE_PARSE_MICROS 2000000u
#endif
#ifndef SLSEC_MAX_CODE_DEPTH
#define SLSEC_MAX_CODE_DEPTH 200u
#endif
/* Outbound calls (AWS SDK calls, HTTP hosts) listed per source file (a
 * generated SDK wrapper can hold thousands; past this, one warning), and
 * project files followed through imports from one handler file to find
 * the calls its helpers make (docs/code.md, "Outbound integrations"). */
#ifndef SLSEC_MAX_CODE_CALLS
#define SLSEC_MAX_CODE_CALLS 10000u
#endif
#ifndef SLSEC_MAX_IMPORTED_FILES
#define SLSEC_MAX_IMPORTED_FILES 1000u
#endif

#endif
