/*
 * lambda.c — reads one line of a Lambda function's log (slsec/logs.h).
 *
 * Text format: the platform lines (START, END, REPORT, INIT_REPORT) are
 * "Label: value" fields separated by tabs (spaces in some exports) in no
 * promised order, so fields are found by label wherever they are; a label
 * counts only at the start of a field, so "Duration:" is never read out of
 * "Billed Duration:". Runtime lines are "TIME\tREQUEST_ID\tLEVEL\tmessage"
 * (Node.js) or "[LEVEL]\tTIME\tREQUEST_ID\tmessage" (Python).
 *
 * JSON format (advanced logging controls): one object per line, "type"
 * platform.* with a "record", or an application record with "level" and
 * "requestId"; parsed with jansson, field order irrelevant.
 *
 * Every line is hostile: lengths are bounded by the caller, numbers are
 * parsed with strtod over a copied, NUL-terminated field, strings are cut
 * to their buffers.
 */
#include "slsec/logs.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void copy_field(char *dst, size_t size, const char *s, size_t n)
{
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    dst[n] = '\0';
}

static int digits(const char *s, size_t n, size_t at, size_t count)
{
    int v = 0;
    if (at + count > n)
        return -1;
    for (size_t i = at; i < at + count; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Days from 1970-01-01 to y-mo-d (proleptic Gregorian, as timegm; a day
 * past the month's end counts on into the next, as timegm normalises it).
 * timegm itself went through glibc's time zone code on every line: a
 * tenth of `logs watch`. */
static int64_t days_since_epoch(int y, int mo, int d)
{
    static const int before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    /* leap days before a year, counted from 400 years earlier so that the
     * divisions never see a negative number (a 400-year cycle has the same
     * leap days whichever year it starts) */
    int64_t before = (int64_t)y - 1 + 400, before_1970 = 1969 + 400;
    int64_t leaps =
        (before / 4 - before / 100 + before / 400) - (before_1970 / 4 - before_1970 / 100 + before_1970 / 400);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return 365 * ((int64_t)y - 1970) + leaps + before_month[mo - 1] + (mo > 2 && leap) + d - 1;
}

int64_t slsec_parse_iso8601(const char *s, size_t n, size_t *used)
{
    int y = digits(s, n, 0, 4), mo = digits(s, n, 5, 2), d = digits(s, n, 8, 2);
    int h = digits(s, n, 11, 2), mi = digits(s, n, 14, 2), se = digits(s, n, 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
        se > 60 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return -1;
    size_t i = 19;
    int ms = 0;
    if (i < n && s[i] == '.') {
        i++;
        int scale = 100;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            ms += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
    }
    int64_t offset = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i + 5 < n + 0 && (s[i] == '+' || s[i] == '-')) {
        int oh = digits(s, n, i + 1, 2), om = digits(s, n, i + 4, 2);
        if (oh < 0 || om < 0 || s[i + 3] != ':')
            return -1;
        offset = (int64_t)(oh * 60 + om) * 60000 * (s[i] == '+' ? 1 : -1);
        i += 6;
    }
    int64_t t = days_since_epoch(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    if (used)
        *used = i;
    return t * 1000 + ms - offset;
}

/* ---- text format ----------------------------------------------------------------------------- */

static bool starts(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && memcmp(s, lit, m) == 0;
}

static const char *find(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return m <= n ? memmem(s, n, lit, m) : NULL;
}

/* Where "Task timed out after " starts in s, and *after where it ends;
 * NULL when s has none. Its first byte is rare in a log line, so memchr
 * on it and a comparison beat memmem, which searched most lines of
 * `logs watch` whole (a tenth of its time). */
#define TIMEOUT_TEXT "Task timed out after "
static const char *find_timeout(const char *s, size_t n, const char **after)
{
    const size_t m = sizeof TIMEOUT_TEXT - 1;
    for (const char *p = s, *end = s + n; (size_t)(end - p) >= m; p++) {
        if (!(p = memchr(p, 'T', (size_t)(end - p) - m + 1)))
            return NULL;
        if (memcmp(p, TIMEOUT_TEXT, m) == 0) {
            *after = p + m;
            return p;
        }
    }
    return NULL;
}

/* The number after a label: strtod over a bounded copy. */
static double number_at(const char *s, size_t n, size_t *used)
{
    char tmp[40];
    size_t k = 0;
    while (k < n && k < sizeof tmp - 1 && ((s[k] >= '0' && s[k] <= '9') || s[k] == '.'))
        k++;
    memcpy(tmp, s, k);
    tmp[k] = '\0';
    *used = k;
    return k ? strtod(tmp, NULL) : -1;
}

static size_t word_len(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && s[k] != '\t' && s[k] != ' ' && s[k] != '\r')
        k++;
    return k;
}

/* A memory size in MB, -1 when absent or absurd (Lambda's largest is 10240). */
static int megabytes(double v) { return v >= 0 && v < 1e7 ? (int)v : -1; }

enum { F_REQ, F_BILLED_RESTORE, F_BILLED, F_RESTORE, F_INIT, F_MAXMEM, F_MEMSIZE, F_DURATION, F_STATUS, F_ERRTYPE };

/* Longest first, so a label is matched whole at a field's start. */
#define LABEL(lit, field) {lit, sizeof lit - 1, field}
static const struct {
    const char *label;
    size_t len;
    int field;
} labels[] = {
    LABEL("Billed Restore Duration: ", F_BILLED_RESTORE),
    LABEL("Billed Duration: ", F_BILLED),
    LABEL("Restore Duration: ", F_RESTORE),
    LABEL("Init Duration: ", F_INIT),
    LABEL("Max Memory Used: ", F_MAXMEM),
    LABEL("Memory Size: ", F_MEMSIZE),
    LABEL("Duration: ", F_DURATION),
    LABEL("RequestId: ", F_REQ),
    LABEL("Status: ", F_STATUS),
    LABEL("Error Type: ", F_ERRTYPE),
};
#undef LABEL

static void platform_fields(const char *s, size_t n, slsec_lambda_record *r)
{
    for (size_t i = 0; i < n;) {
        if (i > 0 && s[i - 1] != '\t' && s[i - 1] != ' ') {
            i++;
            continue;
        }
        size_t k = 0, used = 0;
        for (; k < sizeof labels / sizeof labels[0]; k++)
            if (s[i] == labels[k].label[0] && n - i >= labels[k].len &&
                memcmp(s + i, labels[k].label, labels[k].len) == 0)
                break;
        if (k == sizeof labels / sizeof labels[0]) {
            i++;
            continue;
        }
        i += labels[k].len;
        const char *v = s + i;
        size_t rest = n - i;
        switch (labels[k].field) {
        case F_REQ: copy_field(r->request_id, sizeof r->request_id, v, used = word_len(v, rest)); break;
        case F_BILLED: r->billed_ms = number_at(v, rest, &used); break;
        case F_RESTORE: r->restore_ms = number_at(v, rest, &used); break;
        case F_INIT: r->init_ms = number_at(v, rest, &used); break;
        case F_DURATION: r->duration_ms = number_at(v, rest, &used); break;
        case F_MAXMEM: r->max_memory_mb = megabytes(number_at(v, rest, &used)); break;
        case F_MEMSIZE: r->memory_mb = megabytes(number_at(v, rest, &used)); break;
        case F_STATUS: copy_field(r->status, sizeof r->status, v, used = word_len(v, rest)); break;
        case F_ERRTYPE: copy_field(r->error_type, sizeof r->error_type, v, used = word_len(v, rest)); break;
        default: number_at(v, rest, &used); break; /* billed restore time: not a metric we keep */
        }
        i += used ? used : 1;
    }
}

/* The fields of a tab-separated runtime line, at most 4. */
static size_t tab_fields(const char *s, size_t n, const char **f, size_t *fl)
{
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= n && count < 4; i++)
        if (i == n || s[i] == '\t') {
            f[count] = s + start;
            fl[count] = (count == 3 ? n : i) - start;
            count++;
            start = i + 1;
            if (count == 3) {
                f[3] = s + start;
                fl[3] = start <= n ? n - start : 0;
                return start <= n ? 4 : 3;
            }
        }
    return count;
}

static bool is_uuidish(const char *s, size_t n)
{
    if (n < 8 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F') ||
              s[i] == '-'))
            return false;
    return true;
}

/* "errorType":"X" inside a Node.js error line's JSON tail. */
static void node_error_type(const char *s, size_t n, slsec_lambda_record *r)
{
    const char *t = find(s, n, "\"errorType\":\"");
    if (!t)
        return;
    t += 13;
    const char *e = memchr(t, '"', (size_t)(s + n - t));
    if (e)
        copy_field(r->error_type, sizeof r->error_type, t, (size_t)(e - t));
}

static slsec_lambda_kind parse_text(const char *s, size_t n, slsec_lambda_record *r)
{
    if (starts(s, n, "START RequestId: ")) {
        platform_fields(s, n, r);
        return r->kind = SLSEC_LAMBDA_START;
    }
    if (starts(s, n, "END RequestId: ")) {
        platform_fields(s, n, r);
        return r->kind = SLSEC_LAMBDA_END;
    }
    if (starts(s, n, "REPORT RequestId: ")) {
        platform_fields(s, n, r);
        return r->kind = SLSEC_LAMBDA_REPORT;
    }
    if (starts(s, n, "INIT_REPORT ")) {
        platform_fields(s, n, r);
        return r->kind = SLSEC_LAMBDA_INIT_REPORT;
    }
    const char *f[4];
    size_t fl[4];
    /* Python: [ERROR]\tTIME\tREQUEST_ID\tmessage, or "[ERROR] Type: message" */
    if (starts(s, n, "[ERROR]") || starts(s, n, "[CRITICAL]")) {
        size_t nf = tab_fields(s, n, f, fl);
        if (nf >= 3 && is_uuidish(f[2], fl[2])) {
            copy_field(r->request_id, sizeof r->request_id, f[2], fl[2]);
            if (r->time_ms < 0)
                r->time_ms = slsec_parse_iso8601(f[1], fl[1], NULL);
        } else {
            const char *t = s + (s[1] == 'E' ? 7 : 10);
            while (t < s + n && *t == ' ')
                t++;
            const char *colon = memchr(t, ':', (size_t)(s + n - t));
            if (colon && colon - t < 64 && !memchr(t, ' ', (size_t)(colon - t)))
                copy_field(r->error_type, sizeof r->error_type, t, (size_t)(colon - t));
        }
        return r->kind = SLSEC_LAMBDA_ERROR;
    }
    size_t nf = tab_fields(s, n, f, fl);
    if (nf >= 3) {
        int64_t t = slsec_parse_iso8601(f[0], fl[0], NULL);
        if (t >= 0 && is_uuidish(f[1], fl[1])) {
            if (r->time_ms < 0)
                r->time_ms = t;
            copy_field(r->request_id, sizeof r->request_id, f[1], fl[1]);
            const char *rest = f[2];
            size_t rn = (size_t)(s + n - f[2]);
            const char *a;
            if (find_timeout(rest, rn, &a)) {
                size_t used;
                r->timeout_s = number_at(a, (size_t)(s + n - a), &used);
                return r->kind = SLSEC_LAMBDA_TIMEOUT;
            }
            if ((fl[2] == 5 && memcmp(f[2], "ERROR", 5) == 0) || (fl[2] == 5 && memcmp(f[2], "FATAL", 5) == 0)) {
                if (nf == 4)
                    node_error_type(f[3], fl[3], r);
                return r->kind = SLSEC_LAMBDA_ERROR;
            }
            return r->kind = SLSEC_LAMBDA_OTHER;
        }
    }
    /* an export's "TIME <id> Task timed out after" without tabs */
    const char *to;
    if (find_timeout(s, n, &to)) {
        size_t used;
        r->timeout_s = number_at(to, (size_t)(s + n - to), &used);
        return r->kind = SLSEC_LAMBDA_TIMEOUT;
    }
    return r->kind = SLSEC_LAMBDA_OTHER;
}

/* ---- JSON format -------------------------------------------------------------------------------- */

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static void str(json_t *o, const char *key, char *dst, size_t size)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        copy_field(dst, size, json_string_value(v), json_string_length(v));
}

static slsec_lambda_kind parse_json(json_t *root, slsec_lambda_record *r)
{
    r->json = true;
    json_t *t = json_object_get(root, "time");
    if (!json_is_string(t))
        t = json_object_get(root, "timestamp");
    if (json_is_string(t))
        r->time_ms = slsec_parse_iso8601(json_string_value(t), json_string_length(t), NULL);
    json_t *type = json_object_get(root, "type");
    json_t *rec = json_object_get(root, "record");
    if (json_is_string(type) && json_is_object(rec)) {
        const char *ty = json_string_value(type);
        str(rec, "requestId", r->request_id, sizeof r->request_id);
        str(rec, "status", r->status, sizeof r->status);
        str(rec, "errorType", r->error_type, sizeof r->error_type);
        json_t *m = json_object_get(rec, "metrics");
        if (json_is_object(m)) {
            r->duration_ms = num(m, "durationMs");
            r->billed_ms = num(m, "billedDurationMs");
            r->init_ms = num(m, "initDurationMs");
            r->restore_ms = num(m, "restoreDurationMs");
            double ms = num(m, "memorySizeMB"), mm = num(m, "maxMemoryUsedMB");
            r->memory_mb = ms >= 0 && ms < 1e7 ? (int)ms : -1;
            r->max_memory_mb = mm >= 0 && mm < 1e7 ? (int)mm : -1;
        }
        if (strcmp(ty, "platform.start") == 0)
            return r->kind = SLSEC_LAMBDA_START;
        if (strcmp(ty, "platform.report") == 0)
            return r->kind = SLSEC_LAMBDA_REPORT;
        if (strcmp(ty, "platform.runtimeDone") == 0) {
            r->duration_ms = -1; /* the runtime's own time; the invocation's is in platform.report */
            return r->kind = SLSEC_LAMBDA_RUNTIME_DONE;
        }
        if (strcmp(ty, "platform.initReport") == 0) {
            r->init_ms = r->duration_ms;
            r->duration_ms = -1;
            return r->kind = SLSEC_LAMBDA_INIT_REPORT;
        }
        return r->kind = SLSEC_LAMBDA_OTHER;
    }
    str(root, "requestId", r->request_id, sizeof r->request_id);
    json_t *level = json_object_get(root, "level");
    if (json_is_string(level) &&
        (strcmp(json_string_value(level), "ERROR") == 0 || strcmp(json_string_value(level), "FATAL") == 0)) {
        str(root, "errorType", r->error_type, sizeof r->error_type);
        return r->kind = SLSEC_LAMBDA_ERROR;
    }
    json_t *msg = json_object_get(root, "message");
    const char *a;
    if (json_is_string(msg) && find_timeout(json_string_value(msg), json_string_length(msg), &a)) {
        size_t used;
        r->timeout_s = number_at(a, strlen(a), &used);
        return r->kind = SLSEC_LAMBDA_TIMEOUT;
    }
    return r->kind = SLSEC_LAMBDA_OTHER;
}

slsec_lambda_kind slsec_lambda_parse_line(const char *line, size_t len, slsec_lambda_record *r)
{
    memset(r, 0, sizeof *r);
    r->time_ms = -1;
    r->duration_ms = r->billed_ms = r->init_ms = r->restore_ms = r->timeout_s = -1;
    r->memory_mb = r->max_memory_mb = -1;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    size_t skip = 0;
    while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
        skip++;
    if (skip < len && line[skip] == '{') {
        json_error_t err;
        json_t *root = json_loadb(line + skip, len - skip, JSON_REJECT_DUPLICATES, &err);
        if (json_is_object(root)) {
            slsec_lambda_kind k = parse_json(root, r);
            json_decref(root);
            return k;
        }
        json_decref(root);
        return r->kind = SLSEC_LAMBDA_OTHER;
    }
    /* an export's leading timestamp: "2024-01-15T10:00:00.000Z START RequestId: ..." */
    size_t used = 0;
    int64_t t = slsec_parse_iso8601(line + skip, len - skip, &used);
    if (t >= 0 && skip + used < len && (line[skip + used] == ' ' ||
                                        (line[skip + used] == '\t' && !is_uuidish(line + skip + used + 1,
                                                                                   word_len(line + skip + used + 1, len - skip - used - 1))))) {
        r->time_ms = t;
        skip += used + 1;
        if (skip < len && line[skip] == '{') {
            slsec_lambda_kind k = slsec_lambda_parse_line(line + skip, len - skip, r);
            if (r->time_ms < 0)
                r->time_ms = t;
            return k;
        }
    }
    return parse_text(line + skip, len - skip, r);
}

void slsec_lambda_function_from_path(const char *path, char *out, size_t size)
{
    const char *p = strstr(path, "aws/lambda/");
    if (p) {
        p += 11;
        size_t n = strcspn(p, "/");
        if (n > 0) {
            copy_field(out, size, p, n);
            return;
        }
    }
    /* export/orders/000001.gz: the first folder; orders.log.gz: the name */
    const char *slash = strchr(path, '/');
    if (slash && slash > path) {
        copy_field(out, size, path, (size_t)(slash - path));
        return;
    }
    const char *base = slash ? slash + 1 : path;
    size_t n = strcspn(base, ".");
    if (n == 0)
        n = strlen(base);
    copy_field(out, size, base, n);
}
