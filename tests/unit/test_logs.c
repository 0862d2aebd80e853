/*
 * test_logs.c — src/logs: the redaction stream against its byte-for-byte
 * fixtures (tests/fixtures/logs/redact), fed whole, in 1-byte and 7-byte
 * chunks and line by line; over-long lines fail-open and fail-closed; the
 * Lambda line parser on every line shape; the duration histogram's
 * accuracy; the timestamp arithmetic against timegm; the security-burst
 * phrase search at every offset; windows, detectors and the cooldown of
 * `logs watch`.
 */
#include "slsec/logs.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define FIX SLSEC_SOURCE_DIR "/tests/fixtures/logs/redact"

static int to_buf(const char *data, size_t len, void *user)
{
    slsec_buf_append(user, data, len);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    char *data;
    slsec_diag d;
    assert_int_equal(slsec_read_file(path, 1u << 24, &data, len, &d), SLSEC_OK);
    return data;
}

/* Runs the redactor over in, `chunk` bytes at a time (0 = all at once). */
static void redact(const slsec_redact_options *o, const char *in, size_t n, size_t chunk, slsec_buf *out,
                   slsec_redact_stats *stats)
{
    slsec_diag d;
    slsec_buf_reset(out);
    slsec_redactor *r = slsec_redactor_new(o, to_buf, out, &d);
    assert_non_null(r);
    if (!chunk)
        chunk = n ? n : 1;
    for (size_t at = 0; at < n; at += chunk)
        assert_int_equal(slsec_redactor_feed(r, in + at, n - at < chunk ? n - at : chunk), SLSEC_OK);
    assert_int_equal(slsec_redactor_finish(r), SLSEC_OK);
    if (stats)
        *stats = *slsec_redactor_stats(r);
    slsec_redactor_free(r);
}

static void check_fixture(const char *expected_name, slsec_redact_options o)
{
    size_t n, en;
    char *in = slurp(FIX "/lambda-node.log", &n);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIX, expected_name);
    char *want = slurp(path, &en);
    slsec_buf out;
    slsec_buf_init(&out);
    const size_t chunks[] = {0, 1, 7, 4096};
    for (int line_mode = 0; line_mode < 2; line_mode++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            o.line_at_a_time = line_mode;
            redact(&o, in, n, chunks[c], &out, NULL);
            if (out.len != en || memcmp(out.data, want, en) != 0)
                fail_msg("%s: chunk %zu, line mode %d: output differs from the expected bytes", expected_name,
                         chunks[c], line_mode);
        }
    slsec_buf_free(&out);
    free(in);
    free(want);
}

static void test_redact_fixtures(void **state)
{
    (void)state;
    check_fixture("lambda-node.expected", (slsec_redact_options){0});
    check_fixture("lambda-node.partial.expected", (slsec_redact_options){.mode = SLSEC_REDACT_PARTIAL});
    const char *pin[] = {"pin"};
    check_fixture("lambda-node.ip-pin.expected",
                  (slsec_redact_options){.mask_ip = true, .fields = pin, .nfields = 1});
    size_t kn;
    char *key = slurp(FIX "/hmac.key", &kn);
    kn--; /* the file's line end is not part of the key (as in the CLI) */
    check_fixture("lambda-node.hash.expected",
                  (slsec_redact_options){.mode = SLSEC_REDACT_HASH, .key = (unsigned char *)key, .key_len = kn});
    free(key);
}

/* Nothing masked: the output is the input, whatever the bytes. */
static void test_redact_identity(void **state)
{
    (void)state;
    char in[4096];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (char)((i * 131 + 7) % 251); /* binary, NULs, invalid UTF-8, line ends */
    slsec_buf out;
    slsec_buf_init(&out);
    slsec_redact_options none = {0};
    slsec_redact_stats st;
    redact(&none, in, sizeof in, 7, &out, &st);
    assert_int_equal(st.masked, 0);
    assert_int_equal(out.len, sizeof in);
    assert_memory_equal(out.data, in, sizeof in);
    assert_int_equal(st.bytes_in, sizeof in);
    assert_int_equal(st.bytes_out, sizeof in);
    slsec_buf_free(&out);
}

static void test_redact_long_lines(void **state)
{
    (void)state;
    char in[512];
    int n = snprintf(in, sizeof in, "short jane@mail.example\n%0200d jane@mail.example\nafter\nlast", 0);
    slsec_buf out;
    slsec_buf_init(&out);
    slsec_redact_stats st;
    char want[512];
    /* open: the long line in 64-byte pieces; the email sits whole in the last piece */
    snprintf(want, sizeof want, "short [REDACTED:email]\n%0200d [REDACTED:email]\nafter\nlast", 0);
    const size_t chunks[] = {0, 1, 7};
    for (size_t c = 0; c < 3; c++) {
        slsec_redact_options o = {.max_line = 64};
        redact(&o, in, (size_t)n, chunks[c], &out, &st);
        assert_string_equal(out.data, want);
        assert_int_equal(st.long_lines, 1);
        assert_int_equal(st.dropped_lines, 0);
        assert_int_equal(st.lines, 4);
        o.fail_closed = true;
        redact(&o, in, (size_t)n, chunks[c], &out, &st);
        assert_string_equal(out.data, "short [REDACTED:email]\nafter\nlast");
        assert_int_equal(st.long_lines, 1);
        assert_int_equal(st.dropped_lines, 1);
        assert_int_equal(st.dropped_bytes, 219);
        assert_int_equal(st.lines, 4);
    }
    /* a line of exactly max_line bytes is not long */
    char exact[66];
    memset(exact, 'x', 64);
    exact[64] = '\n';
    slsec_redact_options o = {.max_line = 64, .fail_closed = true};
    redact(&o, exact, 65, 1, &out, &st);
    assert_int_equal(out.len, 65);
    assert_int_equal(st.long_lines, 0);
    slsec_buf_free(&out);
}

static void test_redact_options(void **state)
{
    (void)state;
    slsec_diag d;
    slsec_buf out;
    slsec_buf_init(&out);
    slsec_redact_options o = {.mode = SLSEC_REDACT_HASH};
    assert_null(slsec_redactor_new(&o, to_buf, &out, &d));
    assert_non_null(strstr(d.message, "key"));
    const char *bad[] = {"pass\"word"};
    slsec_redact_options f = {.fields = bad, .nfields = 1};
    assert_null(slsec_redactor_new(&f, to_buf, &out, &d));
    /* counts per type, labels shared by several detectors summed */
    slsec_redactor *r = slsec_redactor_new(NULL, to_buf, &out, &d);
    assert_non_null(r);
    const char *text = "a@b.example c@d.example mysql://u:pw0rd-x@h/db\n";
    assert_int_equal(slsec_redact_buffer(r, text, strlen(text), &out), SLSEC_OK);
    assert_string_equal(out.data, "[REDACTED:email] [REDACTED:email] mysql://u:[REDACTED:password]@h/db\n");
    const char *type;
    uint64_t count, emails = 0, passwords = 0;
    for (size_t i = 0; slsec_redactor_type_count(r, i, &type, &count); i++) {
        if (strcmp(type, "email") == 0)
            emails += count;
        if (strcmp(type, "password") == 0)
            passwords += count;
    }
    assert_int_equal(emails, 2);
    assert_int_equal(passwords, 1);
    slsec_redactor_free(r);
    slsec_buf_free(&out);
}

/* Validators: a changed digit is not personal data any more. */
static void test_personal_validators(void **state)
{
    (void)state;
    slsec_buf out;
    slsec_buf_init(&out);
    slsec_diag d;
    slsec_redact_options ip = {.mask_ip = true};
    slsec_redactor *r = slsec_redactor_new(&ip, to_buf, &out, &d);
    assert_non_null(r);
    const struct {
        const char *in, *out;
    } cases[] = {
        {"GB82 WEST 1234 5698 7654 32\n", "[REDACTED:iban]\n"},
        {"GB82 WEST 1234 5698 7654 33\n", "GB82 WEST 1234 5698 7654 33\n"},   /* mod 97 */
        {"DE89370400440532013000\n", "[REDACTED:iban]\n"},
        {"ssn 123-45-6789\n", "ssn [REDACTED:ssn]\n"},
        {"ssn 666-45-6789 900-12-3456 123-00-6789\n", "ssn 666-45-6789 900-12-3456 123-00-6789\n"},
        {"card 5555 5555 5555 4444\n", "card [REDACTED:card]\n"},
        {"card 5555 5555 5555 4445\n", "card 5555 5555 5555 4445\n"}, /* Luhn */
        {"tel +1 415 555 2671, (415) 555-2671\n", "tel [REDACTED:phone], [REDACTED:phone]\n"},
        {"v 2024-01-15 10:15:30 1.2.3\n", "v 2024-01-15 10:15:30 1.2.3\n"},
        {"from 10.1.2.3 and fe80::1ff:fe23:4567:890a\n", "from [REDACTED:ipv4] and [REDACTED:ipv6]\n"},
        {"not 10.1.2.300 nor 1.2.3.4.5\n", "not 10.1.2.300 nor 1.2.3.4.5\n"},
        {"Authorization: Bearer 9f8e7d6c5b4a39281706\n", "Authorization: Bearer [REDACTED:bearer-token]\n"},
        {"Bearer authentication failed\n", "Bearer authentication failed\n"},
        {"Basic dXNlcjpwYXNz\n", "Basic [REDACTED:basic-auth]\n"},
        {"Basic configuration\n", "Basic configuration\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        slsec_buf_reset(&out);
        assert_int_equal(slsec_redact_buffer(r, cases[i].in, strlen(cases[i].in), &out), SLSEC_OK);
        if (strcmp(out.data, cases[i].out) != 0)
            fail_msg("%s -> %s, want %s", cases[i].in, out.data, cases[i].out);
    }
    slsec_redactor_free(r);
    slsec_buf_free(&out);
}

/* Field names of one and two letters are masked too (a one-letter name
 * never was: the quick filter looked at the byte after the name's end). */
static void test_redact_short_fields(void **state)
{
    (void)state;
    slsec_buf out;
    slsec_buf_init(&out);
    slsec_diag d;
    const char *names[] = {"p", "ID", "x-y"};
    slsec_redact_options o = {.fields = names, .nfields = 3};
    slsec_redactor *r = slsec_redactor_new(&o, to_buf, &out, &d);
    assert_non_null(r);
    const struct {
        const char *in, *out;
    } cases[] = {
        {"{\"p\":\"1\",\"id\": 7,\"X-Y\" :true,\"pp\":1,\"i\":2}\n",
         "{\"p\":\"[REDACTED:field:p]\",\"id\": [REDACTED:field:id],\"X-Y\" :[REDACTED:field:x-y],\"pp\":1,\"i\":2}\n"},
        {"\"{\\\"p\\\":1,\\\"Id\\\":\\\"ab\\\"}\"\n", "\"{\\\"p\\\":[REDACTED:field:p],\\\"Id\\\":\\\"[REDACTED:field:id]\\\"}\"\n"},
        {"{\"p\"\t:\t\"v\"} \"p\" \"p\n", "{\"p\"\t:\t\"[REDACTED:field:p]\"} \"p\" \"p\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        slsec_buf_reset(&out);
        assert_int_equal(slsec_redact_buffer(r, cases[i].in, strlen(cases[i].in), &out), SLSEC_OK);
        if (strcmp(out.data, cases[i].out) != 0)
            fail_msg("%s -> %s, want %s", cases[i].in, out.data, cases[i].out);
    }
    slsec_redactor_free(r);
    slsec_buf_free(&out);
}

/* Input of several batches (SLSEC_LOG_BATCH_BYTES each), with values and
 * a private key around the batch boundaries: whole reads take the fast
 * path, small pieces and line mode the line-by-line one; the output and
 * the line count must not depend on which. */
static void test_redact_many_batches(void **state)
{
    (void)state;
    slsec_buf in, want, out;
    slsec_buf_init(&in);
    slsec_buf_init(&want);
    slsec_buf_init(&out);
    for (unsigned i = 0; in.len < 3 * SLSEC_LOG_BATCH_BYTES + 5000; i++) {
        char line[512];
        switch (i % 97) {
        case 0:
            snprintf(line, sizeof line, "%u card 4111 1111 1111 1111 mail u%u@mail.example {\"password\":\"x%u\"}\r\n", i,
                     i, i);
            break;
        case 50:
            snprintf(line, sizeof line, "%u -----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY----- after\n", i,
                     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ");
            break;
        default:
            snprintf(line, sizeof line,
                     "2024-03-05T10:15:00.%03uZ\tbdd640fb-0667-4ad1-9c80-317fa3b1799d\tINFO\t{\"level\":\"info\",\"n\":%u}\n",
                     i % 1000, i);
        }
        slsec_buf_puts(&in, line);
    }
    slsec_redact_options o = {0};
    slsec_redact_stats st, st2;
    redact(&o, in.data, in.len, 0, &want, &st);
    assert_true(st.masked > 100);
    assert_true(st.lines > 1000);
    const size_t chunks[] = {1, 7, 4096, 65536, 131072, SLSEC_LOG_BATCH_BYTES + 1};
    for (int line_mode = 0; line_mode < 2; line_mode++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            o.line_at_a_time = line_mode;
            redact(&o, in.data, in.len, chunks[c], &out, &st2);
            if (out.len != want.len || memcmp(out.data, want.data, want.len) != 0)
                fail_msg("chunk %zu, line mode %d: output differs from the whole feed", chunks[c], line_mode);
            assert_int_equal(st2.lines, st.lines);
            assert_int_equal(st2.masked, st.masked);
        }
    /* a read longer than max_line (mapped files come 4 MiB at a time) still
     * goes a batch at a time when the batch fits in max_line */
    o.line_at_a_time = false;
    o.max_line = SLSEC_LOG_BATCH_BYTES + 4096;
    assert_true(in.len > o.max_line);
    for (size_t chunk = 0; chunk < 2; chunk++) {
        redact(&o, in.data, in.len, chunk, &out, &st2);
        if (out.len != want.len || memcmp(out.data, want.data, want.len) != 0)
            fail_msg("max_line %zu, chunk %zu: output differs from the whole feed", o.max_line, chunk);
        assert_int_equal(st2.lines, st.lines);
        assert_int_equal(st2.long_lines, 0);
        assert_int_equal(st2.bytes_in, in.len);
    }
    slsec_buf_free(&in);
    slsec_buf_free(&want);
    slsec_buf_free(&out);
}

static void test_lambda_lines(void **state)
{
    (void)state;
    slsec_lambda_record r;
    const char *rep = "REPORT RequestId: 6b2c\tMax Memory Used: 91 MB\tDuration: 182.44 ms\tInit Duration: 402.18 ms"
                      "\tBilled Duration: 183 ms\tMemory Size: 256 MB\tStatus: timeout";
    assert_int_equal(slsec_lambda_parse_line(rep, strlen(rep), &r), SLSEC_LAMBDA_REPORT);
    assert_string_equal(r.request_id, "6b2c");
    assert_true(fabs(r.duration_ms - 182.44) < 1e-9);
    assert_true(fabs(r.billed_ms - 183) < 1e-9);
    assert_true(fabs(r.init_ms - 402.18) < 1e-9);
    assert_int_equal(r.memory_mb, 256);
    assert_int_equal(r.max_memory_mb, 91);
    assert_string_equal(r.status, "timeout");
    assert_true(r.restore_ms < 0);

    const char *exp = "2024-03-05T10:15:02.500Z REPORT RequestId: a1 Duration: 2.00 ms Billed Duration: 3 ms "
                      "Memory Size: 128 MB Max Memory Used: 60 MB Restore Duration: 300.5 ms";
    assert_int_equal(slsec_lambda_parse_line(exp, strlen(exp), &r), SLSEC_LAMBDA_REPORT);
    assert_true(fabs(r.restore_ms - 300.5) < 1e-9);
    assert_true(fabs(r.duration_ms - 2) < 1e-9);
    assert_int_equal(r.time_ms, 1709633702500LL);

    const char *to = "2024-03-05T10:15:05.001Z\t3f1c7a52-9b0e-4d7a\tTask timed out after 3.00 seconds";
    assert_int_equal(slsec_lambda_parse_line(to, strlen(to), &r), SLSEC_LAMBDA_TIMEOUT);
    assert_string_equal(r.request_id, "3f1c7a52-9b0e-4d7a");
    assert_true(fabs(r.timeout_s - 3) < 1e-9);
    /* the other two places a timeout is found: an export line without
     * tabs, a JSON record's message; with a capital T before it */
    const char *to_export = "2024-03-05T10:15:05.001Z 3f1c7a52 Timer: Task timed out after 7.50 seconds";
    assert_int_equal(slsec_lambda_parse_line(to_export, strlen(to_export), &r), SLSEC_LAMBDA_TIMEOUT);
    assert_true(fabs(r.timeout_s - 7.5) < 1e-9);
    const char *to_json = "{\"level\":\"WARN\",\"message\":\"T: Task timed out after 2.00 seconds\"}";
    assert_int_equal(slsec_lambda_parse_line(to_json, strlen(to_json), &r), SLSEC_LAMBDA_TIMEOUT);
    assert_true(fabs(r.timeout_s - 2) < 1e-9);
    const char *almost = "2024-03-05T10:15:05.001Z\t3f1c7a52-9b0e-4d7a\tTask timed out afte";
    assert_int_equal(slsec_lambda_parse_line(almost, strlen(almost), &r), SLSEC_LAMBDA_OTHER);

    const char *node = "2024-03-05T10:15:02.130Z\t3f1c7a52-9b0e\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\"}";
    assert_int_equal(slsec_lambda_parse_line(node, strlen(node), &r), SLSEC_LAMBDA_ERROR);
    assert_string_equal(r.error_type, "TypeError");
    const char *py = "[ERROR]\t2024-03-05T10:15:02.130Z\tab12cd34-0000\tsomething failed";
    assert_int_equal(slsec_lambda_parse_line(py, strlen(py), &r), SLSEC_LAMBDA_ERROR);
    assert_string_equal(r.request_id, "ab12cd34-0000");
    const char *py2 = "[ERROR] KeyError: 'id'";
    assert_int_equal(slsec_lambda_parse_line(py2, strlen(py2), &r), SLSEC_LAMBDA_ERROR);
    assert_string_equal(r.error_type, "KeyError");
    const char *init = "INIT_REPORT Init Duration: 9999.71 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError";
    assert_int_equal(slsec_lambda_parse_line(init, strlen(init), &r), SLSEC_LAMBDA_INIT_REPORT);
    assert_string_equal(r.status, "error");
    assert_string_equal(r.error_type, "Runtime.ExitError");

    const char *js = "{\"record\":{\"status\":\"success\",\"metrics\":{\"maxMemoryUsedMB\":70,\"durationMs\":12.5,"
                     "\"billedDurationMs\":13,\"memorySizeMB\":128,\"initDurationMs\":99.1},\"requestId\":\"r-1\"},"
                     "\"type\":\"platform.report\",\"time\":\"2024-03-05T10:16:00.020Z\"}";
    assert_int_equal(slsec_lambda_parse_line(js, strlen(js), &r), SLSEC_LAMBDA_REPORT);
    assert_true(r.json);
    assert_string_equal(r.request_id, "r-1");
    assert_int_equal(r.max_memory_mb, 70);
    assert_true(fabs(r.init_ms - 99.1) < 1e-9);
    const char *app = "{\"level\":\"ERROR\",\"requestId\":\"r-2\",\"message\":\"boom\",\"errorType\":\"Error\"}";
    assert_int_equal(slsec_lambda_parse_line(app, strlen(app), &r), SLSEC_LAMBDA_ERROR);
    assert_string_equal(r.request_id, "r-2");
    const char *done = "{\"type\":\"platform.runtimeDone\",\"record\":{\"requestId\":\"r-3\",\"status\":\"timeout\"}}";
    assert_int_equal(slsec_lambda_parse_line(done, strlen(done), &r), SLSEC_LAMBDA_RUNTIME_DONE);
    assert_string_equal(r.status, "timeout");

    const char *junk[] = {"", "{", "{\"type\":7}", "REPORT RequestId: ", "START", "\xff\xfe", "[ERROR]",
                          "2024-13-45T99:99:99Z x", "Duration: 1e999 ms"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        slsec_lambda_parse_line(junk[i], strlen(junk[i]), &r);
    /* absurd numbers are absent, not undefined behaviour (found by fuzz_logs) */
    const char *huge = "REPORT RequestId: a\tMemory Size: 333333333333333333333333333333333333333 MB\tDuration: 1 ms";
    assert_int_equal(slsec_lambda_parse_line(huge, strlen(huge), &r), SLSEC_LAMBDA_REPORT);
    assert_int_equal(r.memory_mb, -1);
    assert_int_equal(slsec_parse_iso8601("2024-03-05T10:15:02+01:00", 25, NULL), 1709630102000LL);
    assert_int_equal(slsec_parse_iso8601("yesterday", 9, NULL), -1);

    char fn[64];
    slsec_lambda_function_from_path("export/aws/lambda/orders-prod/2024/x.gz", fn, sizeof fn);
    assert_string_equal(fn, "orders-prod");
    slsec_lambda_function_from_path("payments/000001.gz", fn, sizeof fn);
    assert_string_equal(fn, "payments");
    slsec_lambda_function_from_path("orders.log.gz", fn, sizeof fn);
    assert_string_equal(fn, "orders");
}

static void test_histogram(void **state)
{
    (void)state;
    slsec_histogram *h = calloc(1, sizeof *h);
    assert_non_null(h);
    assert_true(slsec_histogram_quantile(h, 0.5) == 0);
    for (int i = 1; i <= 1000; i++)
        slsec_histogram_add(h, i);
    assert_int_equal(h->count, 1000);
    assert_true(fabs(slsec_histogram_quantile(h, 0.50) - 500) <= 5);
    assert_true(fabs(slsec_histogram_quantile(h, 0.95) - 950) <= 9.5);
    assert_true(fabs(slsec_histogram_quantile(h, 0.99) - 990) <= 9.9);
    assert_true(slsec_histogram_quantile(h, 1) == 1000);
    slsec_histogram_add(h, -1);   /* not a duration */
    slsec_histogram_add(h, NAN);
    slsec_histogram_add(h, 1e30);
    assert_int_equal(h->count, 1000);
    slsec_histogram_add(h, 0.001);
    assert_true(slsec_histogram_quantile(h, 0) == 0.001);
    free(h);
}

typedef struct seen {
    char kinds[16][32];
    size_t n;
    uint64_t suppressed;
} seen;

static void on_alert(const slsec_alert *a, void *user)
{
    seen *s = user;
    if (s->n < 16)
        snprintf(s->kinds[s->n++], 32, "%s", a->kind);
    s->suppressed += a->suppressed;
}

static void line(slsec_lambda_stats *s, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    slsec_lambda_stats_line(s, "fn", buf, (size_t)n);
}

static bool has(const seen *s, const char *kind)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->kinds[i], kind) == 0)
            return true;
    return false;
}

/* slsec_parse_iso8601 does its own calendar arithmetic: it must agree
 * with timegm, also where timegm normalises (Feb 30, second 60). */
static void test_iso8601_calendar(void **state)
{
    (void)state;
    for (int y = 1600; y <= 2400; y += (y > 1960 && y < 2110) ? 1 : 7)
        for (int mo = 1; mo <= 12; mo++)
            for (int d = 1; d <= 31; d += (mo == 2 || d >= 28) ? 1 : 9) {
                int h = (y + d) % 24, mi = (mo * 7 + d) % 60, se = d == 31 ? 60 : (y * 3 + d) % 60;
                char text[96];
                snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.250Z", y, mo, d, h, mi, se);
                struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
                                .tm_sec = se};
                int64_t want = (int64_t)timegm(&tm) * 1000 + 250;
                int64_t got = slsec_parse_iso8601(text, strlen(text), NULL);
                if (got != want)
                    fail_msg("%s: %lld, timegm says %lld", text, (long long)got, (long long)want);
            }
}

/* The security-burst phrases are searched 16 bytes at a time: a phrase in
 * any case at any offset of lines of every length near the block sizes
 * counts once per line, one with a changed last byte does not. */
static void test_security_lines(void **state)
{
    (void)state;
    const char *marks[] = {"accessdenied", "unauthorized", "forbidden", "invalid token", "invalid signature",
                           "authentication failed", "permission denied", "union select", "<script", "../../",
                           "' or '1'='1", "; drop table", "${jndi:"};
    slsec_watch_options o;
    slsec_watch_defaults(&o);
    slsec_lambda_stats *st = slsec_lambda_stats_new(&o, NULL, NULL, NULL);
    uint64_t want = 0;
    char line[128];
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
        for (size_t pad = 0; pad < 40; pad++)
            for (size_t tail = 0; tail < 20; tail += 3)
                for (int miss = 0; miss < 2; miss++) {
                    size_t m = strlen(marks[k]), n = 0;
                    for (size_t i = 0; i < pad; i++)
                        line[n++] = "an in un pe fo au<.;$'"[i % 22]; /* the marks' first bytes, no mark */
                    for (size_t i = 0; i < m; i++) {
                        char c = marks[k][i];
                        line[n++] = (char)((i + pad) % 2 && c >= 'a' && c <= 'z' ? c - 32 : c);
                    }
                    if (miss)
                        line[n - 1] = '#';
                    for (size_t i = 0; i < tail; i++)
                        line[n++] = 'x';
                    slsec_lambda_stats_line(st, "fn", line, n);
                    want += !miss;
                }
    const slsec_fn_metrics *total;
    assert_non_null(slsec_lambda_stats_function(st, 0, &total));
    assert_int_equal(total->security_lines, want);
    slsec_lambda_stats_free(st);
}

static void test_watch(void **state)
{
    (void)state;
    slsec_watch_options o;
    slsec_watch_defaults(&o);
    o.warmup_windows = 2;
    seen s = {0};
    slsec_lambda_stats *st = slsec_lambda_stats_new(&o, on_alert, NULL, &s);
    /* three quiet minutes of 10 invocations */
    for (int m = 0; m < 3; m++)
        for (int i = 0; i < 10; i++)
            line(st, "2024-03-05T10:%02d:%02d.000Z REPORT RequestId: q-%d-%d\tDuration: 100 ms\tBilled Duration: "
                     "100 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
                 m, i, m, i);
    assert_int_equal(s.n, 0);
    /* minute 3: half fail, one times out (counted once though seen twice), memory at 95% */
    for (int i = 0; i < 10; i++) {
        if (i < 5)
            line(st, "2024-03-05T10:03:%02d.000Z\tbad0000%d\tERROR\tInvoke Error \t{}", i, i);
        line(st, "2024-03-05T10:03:%02d.500Z REPORT RequestId: bad0000%d\tDuration: 100 ms\tMemory Size: 128 MB\t"
                 "Max Memory Used: %d MB",
             i, i, i == 9 ? 122 : 60);
    }
    line(st, "2024-03-05T10:03:59.000Z\tbad00000\tTask timed out after 3.00 seconds");
    /* minute 4: the same failures again, within the cooldown */
    for (int i = 0; i < 10; i++)
        line(st, "2024-03-05T10:04:%02d.000Z\ta6a1000%d\tERROR\tInvoke Error \t{}", i, i);
    /* and someone knocking: 12 authorization failures and injection attempts */
    for (int i = 0; i < 12; i++)
        line(st, "2024-03-05T10:04:3%d.000Z\ta6a10000\tWARN\t%s", i % 10,
             i % 2 ? "AccessDenied for role x" : "query id=1 UNION SELECT password FROM users");
    slsec_lambda_stats_close(st, INT64_MAX);
    assert_true(has(&s, "error_rate"));
    assert_true(has(&s, "timeout"));
    assert_true(has(&s, "memory"));
    assert_true(has(&s, "security_burst"));
    assert_false(has(&s, "invocation_spike"));
    assert_int_equal(s.n, 4); /* minute 4's error rate is held back by the cooldown */
    assert_int_equal(slsec_lambda_stats_alerts(st), 4);
    const slsec_fn_metrics *m;
    assert_string_equal(slsec_lambda_stats_function(st, 0, &m), "fn");
    assert_int_equal(m->invocations, 40);
    assert_int_equal(m->errors, 15);
    assert_int_equal(m->timeouts, 1);
    assert_int_equal(m->max_memory_used_mb, 122);
    assert_null(slsec_lambda_stats_function(st, 1, &m));
    slsec_lambda_stats_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact_fixtures), cmocka_unit_test(test_redact_identity),
        cmocka_unit_test(test_redact_long_lines), cmocka_unit_test(test_redact_options),
        cmocka_unit_test(test_personal_validators), cmocka_unit_test(test_redact_short_fields),
        cmocka_unit_test(test_redact_many_batches), cmocka_unit_test(test_lambda_lines),
        cmocka_unit_test(test_histogram), cmocka_unit_test(test_iso8601_calendar),
        cmocka_unit_test(test_security_lines), cmocka_unit_test(test_watch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
