/*
 * redact.c — the `logs redact` stream filter (slsec/logs.h).
 *
 * Bytes are gathered into batches of whole lines; each batch gets one pass
 * of the detector engine (every class) plus a hand-written search for JSON
 * fields masked by name, the spans are sorted and merged, and the batch is
 * written out with each span replaced. Everything between spans is copied
 * unchanged, so the output differs from the input only where something was
 * masked.
 *
 * Line length is bounded: once a line has max_line bytes and the next byte
 * is not its end, the line is "long". Fail-open scans and writes each
 * max_line piece on its own (a value cut by a piece boundary may escape
 * masking: "masked as far as scanned"); fail-closed drops the whole line
 * with its end and counts it. The rule looks at bytes only, so it too is
 * independent of how the input was fed.
 */
#include "slsec/logs.h"

#include "slsec/detect.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char *const default_fields[] = {
    "password", "passwd",  "secret",        "client_secret", "token",   "access_token", "refresh_token",
    "id_token", "api_key", "apikey",        "x-api-key",     "authorization", "cookie",  "set-cookie",
    "ssn",      "card",    "card_number",   "cardnumber",    "cvv",     "private_key",
};

const char *const *slsec_redact_default_fields(size_t *count)
{
    *count = sizeof default_fields / sizeof default_fields[0];
    return default_fields;
}

typedef struct span {
    size_t a, b;   /* [a, b) in the batch */
    unsigned type; /* index into labels */
    bool weak;     /* personal data: gives way to an overlapping secret or field */
} span;

struct slsec_redactor {
    slsec_redact_mode mode;
    unsigned char *key;
    size_t key_len;
    size_t max_line;
    bool fail_closed, line_at_a_time;
    char **fields;
    size_t *field_len;
    size_t nfields;
    uint8_t field_heads[8192]; /* bit set of head() of the field names: most quotes are skipped at once */
    unsigned char *field_first; /* per field: fold() of its first byte */
    bool fields_letters;        /* every field name starts with a letter */

    const slsec_detector *dets;
    size_t ndet;
    bool *enabled;
    slsec_detect_scanner *scanner;
    char **labels; /* ndet detector labels, one per field, then the private-key label */
    uint64_t *counts;

    slsec_write_fn write;
    void *user;
    slsec_buf pending; /* whole lines of the open batch, then the line being read */
    size_t line_start; /* where the line being read starts in pending */
    bool dropping;     /* fail-closed: skipping a long line up to its end */
    bool in_long;      /* fail-open: the line being read is already counted long */
    unsigned in_pem;   /* lines since a private key's BEGIN line without its END yet; 0 = none */
    span *spans;
    size_t nspans, cap_spans;
    slsec_buf out;
    int err;
    slsec_redact_stats stats;
};

/* ---- labels ---------------------------------------------------------------------------- */

/* Short labels for the masks people see most; the rest come from the
 * detector's name ("AWS access key id" -> "aws-access-key-id"). */
static const struct {
    const char *id, *label;
} short_labels[] = {
    {"PII-001", "card"},        {"PII-002", "email"},        {"PII-003", "iban"},
    {"PII-004", "ssn"},         {"PII-005", "phone"},        {"PII-006", "ipv4"},
    {"PII-007", "ipv6"},        {"PII-008", "bearer-token"}, {"PII-009", "basic-auth"},
    {"SECRET-035", "jwt"},      {"SECRET-038", "password"},  {"SECRET-039", "password"},
    {"SECRET-040", "password"}, {"SECRET-041", "secret"},
};

static char *label_of(const slsec_detector *d)
{
    for (size_t i = 0; i < sizeof short_labels / sizeof short_labels[0]; i++)
        if (strcmp(short_labels[i].id, d->id) == 0)
            return strdup(short_labels[i].label);
    size_t n = strlen(d->name);
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n && d->name[i] != '('; i++) {
        char c = d->name[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            s[k++] = c;
        else if (c >= 'A' && c <= 'Z')
            s[k++] = (char)(c - 'A' + 'a');
        else if (k > 0 && s[k - 1] != '-')
            s[k++] = '-';
    }
    while (k > 0 && s[k - 1] == '-')
        k--;
    s[k] = '\0';
    return s;
}

/* A byte with bit 5 set: letters lower-cased, and two bytes that are equal
 * ignoring case (strncasecmp) always equal after it. It folds other bytes
 * together too ('_' and DEL), which only lets a few more quotes through
 * the filter to the exact comparison. */
static unsigned fold(unsigned char c) { return c | 0x20u; }

/* The three bytes after a quote, folded and hashed to 16 bits: the filter
 * key of a field name (a JSON key has at least 3 bytes after its opening
 * quote: the name, the closing quote, the colon). */
static unsigned head(unsigned char a, unsigned char b, unsigned char c)
{
    return ((fold(a) | fold(b) << 8 | fold(c) << 16) * 0x9E3779B1u) >> 16;
}

static void add_head(slsec_redactor *r, unsigned char a, unsigned char b, unsigned char c)
{
    unsigned h = head(a, b, c);
    r->field_heads[h >> 3] |= (uint8_t)(1u << (h & 7));
}

/* The heads a field name can have: its first three bytes, or for a
 * shorter name what follows it in a key — the closing quote (or \" when
 * escaped) and, after a one-letter name's quote, a space, tab or colon. */
static void add_field_heads(slsec_redactor *r, const char *name)
{
    unsigned char a = (unsigned char)name[0];
    if (name[1] && name[2]) {
        add_head(r, a, (unsigned char)name[1], (unsigned char)name[2]);
    } else if (name[1]) {
        add_head(r, a, (unsigned char)name[1], '"');
        add_head(r, a, (unsigned char)name[1], '\\');
    } else {
        add_head(r, a, '"', ' ');
        add_head(r, a, '"', '\t');
        add_head(r, a, '"', ':');
        add_head(r, a, '\\', '"');
    }
}

/* ---- life cycle ---------------------------------------------------------------------------- */

static bool is_block_detector(const slsec_detector *d)
{
    return strcmp(d->id, "SECRET-036") == 0 || strcmp(d->id, "SECRET-037") == 0;
}

static bool is_ip_detector(const slsec_detector *d)
{
    return strcmp(d->id, "PII-006") == 0 || strcmp(d->id, "PII-007") == 0;
}

void slsec_redact_detector_set(bool mask_ip, bool *enabled)
{
    size_t n;
    const slsec_detector *dets = slsec_detectors(&n);
    /* private key blocks are followed line by line (pem_spans), not by the
     * block detectors, so a key is masked the same whatever the batch */
    for (size_t i = 0; i < n; i++)
        enabled[i] = (mask_ip || !is_ip_detector(&dets[i])) && !is_block_detector(&dets[i]);
}

slsec_redactor *slsec_redactor_new(const slsec_redact_options *opts, slsec_write_fn write, void *user,
                                   slsec_diag *d)
{
    slsec_redact_options none = {0};
    if (!opts)
        opts = &none;
    if (opts->mode == SLSEC_REDACT_HASH && (!opts->key || opts->key_len < 16)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0,
                       "hash mode needs a key of at least 16 bytes (--key-file)");
        return NULL;
    }
    const char *const *fields = opts->fields;
    size_t nfields = opts->nfields;
    if (!fields)
        fields = slsec_redact_default_fields(&nfields);
    for (size_t i = 0; i < nfields; i++)
        if (!fields[i] || !*fields[i] || strpbrk(fields[i], "\"\\\n")) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0,
                           "field name %zu is empty or holds a quote, backslash or line end", i + 1);
            return NULL;
        }
    if (slsec_detect_init(d) != SLSEC_OK)
        return NULL;

    slsec_redactor *r = calloc(1, sizeof *r);
    if (!r)
        slsec_oom();
    r->mode = opts->mode;
    r->max_line = opts->max_line ? opts->max_line : SLSEC_MAX_LOG_LINE_BYTES;
    r->fail_closed = opts->fail_closed;
    r->line_at_a_time = opts->line_at_a_time;
    r->write = write;
    r->user = user;
    if (opts->mode == SLSEC_REDACT_HASH) {
        r->key = malloc(opts->key_len);
        if (!r->key)
            slsec_oom();
        memcpy(r->key, opts->key, opts->key_len);
        r->key_len = opts->key_len;
    }
    r->dets = slsec_detectors(&r->ndet);
    r->nfields = nfields;
    r->fields = calloc(nfields + 1, sizeof *r->fields);
    r->field_len = calloc(nfields + 1, sizeof *r->field_len);
    r->field_first = calloc(nfields + 1, sizeof *r->field_first);
    r->enabled = calloc(r->ndet, sizeof *r->enabled);
    r->labels = calloc(r->ndet + nfields + 1, sizeof *r->labels);
    r->counts = calloc(r->ndet + nfields + 1, sizeof *r->counts);
    if (!r->fields || !r->field_len || !r->field_first || !r->enabled || !r->labels || !r->counts)
        slsec_oom();
    for (size_t i = 0; i < nfields; i++) {
        r->fields[i] = strdup(fields[i]);
        r->field_len[i] = strlen(fields[i]);
        r->field_first[i] = (unsigned char)fold((unsigned char)fields[i][0]);
        r->fields_letters = (i == 0 || r->fields_letters) && (unsigned)(r->field_first[i] - 'a') < 26u;
        add_field_heads(r, fields[i]);
        size_t n = strlen(fields[i]) + 7;
        r->labels[r->ndet + i] = malloc(n);
        if (!r->fields[i] || !r->labels[r->ndet + i])
            slsec_oom();
        snprintf(r->labels[r->ndet + i], n, "field:%s", fields[i]);
        for (char *c = r->labels[r->ndet + i]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    }
    if (!(r->labels[r->ndet + nfields] = strdup("private-key")))
        slsec_oom();
    slsec_redact_detector_set(opts->mask_ip, r->enabled);
    for (size_t i = 0; i < r->ndet; i++)
        if (!(r->labels[i] = label_of(&r->dets[i])))
            slsec_oom();
    r->scanner = slsec_detect_scanner_new_subset(r->enabled);
    if (!r->scanner) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "the detector engine could not start");
        slsec_redactor_free(r);
        return NULL;
    }
    slsec_buf_init(&r->pending);
    slsec_buf_init(&r->out);
    return r;
}

void slsec_redactor_free(slsec_redactor *r)
{
    if (!r)
        return;
    slsec_detect_scanner_free(r->scanner);
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    for (size_t i = 0; r->labels && i < r->ndet + r->nfields + 1; i++)
        free(r->labels[i]);
    if (r->key)
        OPENSSL_cleanse(r->key, r->key_len);
    free(r->key);
    free(r->fields);
    free(r->field_len);
    free(r->field_first);
    free(r->enabled);
    free(r->labels);
    free(r->counts);
    free(r->spans);
    slsec_buf_free(&r->pending);
    slsec_buf_free(&r->out);
    free(r);
}

const slsec_redact_stats *slsec_redactor_stats(const slsec_redactor *r) { return &r->stats; }

bool slsec_redactor_type_count(const slsec_redactor *r, size_t i, const char **type, uint64_t *count)
{
    /* Types sharing a label ("password") are reported once, summed. */
    size_t total = r->ndet + r->nfields + 1, seen = 0;
    for (size_t k = 0; k < total; k++) {
        bool first = true;
        for (size_t j = 0; j < k && first; j++)
            first = strcmp(r->labels[j], r->labels[k]) != 0;
        if (!first)
            continue;
        if (seen++ == i) {
            uint64_t sum = 0;
            for (size_t j = k; j < total; j++)
                if (strcmp(r->labels[j], r->labels[k]) == 0)
                    sum += r->counts[j];
            *type = r->labels[k];
            *count = sum;
            return true;
        }
    }
    return false;
}

/* ---- finding spans ----------------------------------------------------------------------------- */

static void add_span(slsec_redactor *r, size_t a, size_t b, unsigned type, bool weak)
{
    if (r->nspans == r->cap_spans) {
        r->cap_spans = r->cap_spans ? r->cap_spans * 2 : 64;
        span *more = realloc(r->spans, r->cap_spans * sizeof *more);
        if (!more)
            slsec_oom();
        r->spans = more;
    }
    r->spans[r->nspans++] = (span){a, b, type, weak};
}

static int on_match(const slsec_match *m, void *user)
{
    slsec_redactor *r = user;
    add_span(r, (size_t)m->offset, (size_t)m->offset + m->length, (unsigned)(m->det - r->dets),
             m->det->cls == SLSEC_DETECT_PERSONAL);
    return 0;
}

/* Where the string value starting at s (just past its opening quote) ends:
 * the closing quote, which is `"` after an even run of backslashes, or in a
 * JSON document embedded in a string (escaped) `\"` after an odd run. NULL
 * when the line ends first. */
static const char *string_end(const char *s, const char *end, bool escaped)
{
    size_t slashes = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == '\n')
            return NULL;
        if (*p == '\\') {
            slashes++;
            continue;
        }
        if (*p == '"') {
            if (!escaped && slashes % 2 == 0)
                return p;
            if (escaped && slashes == 1)
                return p - 1;
        }
        slashes = 0;
    }
    return NULL;
}

/* Bit j set: data[at + j] is a double quote and, when `letter` is set,
 * the byte after it is a letter (either case); for the 64 bytes from at
 * (fewer at the end of the data: missing bytes are neither). */
static uint64_t quotes_at(const char *data, size_t n, size_t at, bool letter)
{
    const char *p = data + at;
    unsigned char tail[80];
    if (n - at < 65) {
        memset(tail, 0, sizeof tail);
        memcpy(tail, p, n - at);
        p = (const char *)tail;
    }
    uint64_t m = 0;
#if defined(__SSE2__)
    for (unsigned i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i hit = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
        if (letter) {
            /* (c | 0x20) - 'a' < 26, as a signed comparison shifted to -128 */
            __m128i next = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i + 1));
            __m128i y = _mm_add_epi8(_mm_or_si128(next, _mm_set1_epi8(0x20)), _mm_set1_epi8((char)(0x80 - 'a')));
            hit = _mm_and_si128(hit, _mm_cmplt_epi8(y, _mm_set1_epi8((char)(0x80 + 26))));
        }
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(hit) << (16 * i);
    }
#else
    for (unsigned j = 0; j < 64; j++)
        m |= (uint64_t)(p[j] == '"' && (!letter || (unsigned)((p[j + 1] | 0x20) - 'a') < 26u)) << j;
#endif
    return m;
}

/* "name": value and, inside a logged JSON string, \"name\": value — for
 * each configured name, case-insensitively. A string value is masked
 * inside its quotes (the document stays JSON); a number, true or false
 * is masked whole, null left alone; an object or array is left to the detectors.
 *
 * Log lines of JSON have a quote every few bytes, so the quotes are found
 * 64 bytes at a time as a bit mask (only those before a letter when every
 * name starts with one: that drops the closing quotes), and one look-up of
 * the three bytes after a quote rules out nearly every other before any
 * name is compared. */
static void find_fields(slsec_redactor *r, const char *data, size_t n)
{
    const char *end = data + n;
    size_t at = 0, block = SIZE_MAX;
    uint64_t in_block = 0;
    while (at < n) {
        size_t b = at & ~(size_t)63;
        if (b != block) {
            block = b;
            in_block = quotes_at(data, n, b, r->fields_letters);
        }
        uint64_t left = in_block & (~(uint64_t)0 << (at - b));
        if (!left) {
            at = b + 64;
            continue;
        }
        const char *p = data + b + (unsigned)__builtin_ctzll(left);
        const char *name = p + 1;
        at = (size_t)(name - data);
        if (end - name < 3)
            continue;
        unsigned h = head((unsigned char)name[0], (unsigned char)name[1], (unsigned char)name[2]);
        if (!(r->field_heads[h >> 3] & (1u << (h & 7))))
            continue;
        bool escaped = p > data && p[-1] == '\\';
        const char *next = p + 1;
        for (size_t f = 0; f < r->nfields; f++) {
            size_t fl = r->field_len[f];
            if (fold((unsigned char)name[0]) != r->field_first[f] || (size_t)(end - name) <= fl ||
                strncasecmp(name, r->fields[f], fl) != 0)
                continue;
            const char *q = name + fl;
            if (escaped) {
                if (end - q < 2 || q[0] != '\\' || q[1] != '"')
                    continue;
                q += 2;
            } else {
                if (*q != '"')
                    continue;
                q++;
            }
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if (q == end || *q != ':')
                continue;
            q++;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if (q == end)
                break;
            unsigned type = (unsigned)(r->ndet + f);
            if (escaped ? (end - q >= 2 && q[0] == '\\' && q[1] == '"') : *q == '"') {
                const char *v = q + (escaped ? 2 : 1);
                const char *close = string_end(v, end, escaped);
                if (close && close > v)
                    add_span(r, (size_t)(v - data), (size_t)(close - data), type, false);
                next = close ? close + 1 : v;
            } else if (*q != '{' && *q != '[') {
                const char *v = q;
                while (q < end && !strchr(",}] \t\r\n\\", *q))
                    q++;
                if (q > v && !((size_t)(q - v) == 4 && memcmp(v, "null", 4) == 0)) /* null holds nothing */
                    add_span(r, (size_t)(v - data), (size_t)(q - data), type, false);
                next = q;
            }
            break;
        }
        at = (size_t)(next - data);
    }
}

/* A private key (PEM or PGP) is masked from its BEGIN line to its END
 * line, each line whole (a key inside one logged string, with \n escapes,
 * from BEGIN to END on that line). The state carries across batches, so a
 * key is masked the same whether it arrives in one batch or line by line.
 * A BEGIN without an END stops masking after SLSEC_MAX_PEM_LINES lines. */
#define SLSEC_MAX_PEM_LINES 400

static const char *end_marker(const char *s, const char *e)
{
    const char *m = memmem(s, (size_t)(e - s), "-----END ", 9);
    if (!m)
        return NULL;
    const char *close = memmem(m + 9, (size_t)(e - m - 9), "-----", 5);
    return close ? close + 5 : e;
}

static void pem_spans(slsec_redactor *r, const char *data, size_t n)
{
    if (!r->in_pem && !memmem(data, n, "-----BEGIN ", 11))
        return;
    unsigned type = (unsigned)(r->ndet + r->nfields);
    for (const char *line = data; line < data + n;) {
        const char *nl = memchr(line, '\n', (size_t)(data + n - line));
        const char *e = nl ? nl : data + n;
        const char *content_end = e > line && e[-1] == '\r' ? e - 1 : e;
        if (r->in_pem) {
            const char *stop = end_marker(line, content_end);
            const char *to = stop ? stop : content_end;
            if (to > line)
                add_span(r, (size_t)(line - data), (size_t)(to - data), type, false);
            r->in_pem = stop || r->in_pem >= SLSEC_MAX_PEM_LINES ? 0 : r->in_pem + 1;
        } else {
            const char *b = memmem(line, (size_t)(content_end - line), "-----BEGIN ", 11);
            const char *kind_end = b ? memmem(b + 11, (size_t)(content_end - b - 11), "-----", 5) : NULL;
            if (b && kind_end && memmem(b, (size_t)(kind_end - b), "PRIVATE KEY", 11)) {
                const char *stop = end_marker(kind_end + 5, content_end);
                add_span(r, (size_t)(b - data), (size_t)((stop ? stop : content_end) - data), type, false);
                if (!stop)
                    r->in_pem = 1;
            }
        }
        line = nl ? nl + 1 : data + n;
    }
}

static int by_start(const void *x, const void *y)
{
    const span *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b > b->b ? -1 : 1; /* the longer first: it gives the label */
    return a->type < b->type ? -1 : a->type > b->type;
}

/* A secret found inside what also looks like personal data labels the
 * mask by what it is: "postgres://app:pw@db.internal" is a password, not
 * the email "pw@db.internal". Spans are sorted by start. */
static void drop_weak(slsec_redactor *r)
{
    size_t strong_end = 0, k = 0;
    for (size_t i = 0; i < r->nspans; i++) {
        span *sp = &r->spans[i];
        bool drop = false;
        if (sp->weak) {
            drop = sp->a < strong_end;
            for (size_t j = i + 1; !drop && j < r->nspans && r->spans[j].a < sp->b; j++)
                drop = !r->spans[j].weak;
        } else if (sp->b > strong_end) {
            strong_end = sp->b;
        }
        if (!drop)
            r->spans[k++] = *sp;
    }
    r->nspans = k;
}

/* ---- writing --------------------------------------------------------------------------------- */

static void put_token(slsec_redactor *r, const char *secret, size_t n, unsigned type)
{
    slsec_buf *o = &r->out;
    slsec_buf_puts(o, "[REDACTED:");
    slsec_buf_puts(o, r->labels[type]);
    if (r->mode == SLSEC_REDACT_HASH) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        HMAC(EVP_sha256(), r->key, (int)r->key_len, (const unsigned char *)secret, n, mac, &len);
        char hex[17];
        for (unsigned i = 0; i < 8 && i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", mac[i]);
        slsec_buf_putc(o, ':');
        slsec_buf_append(o, hex, 16);
    } else if (r->mode == SLSEC_REDACT_PARTIAL && n >= 12 && !memchr(secret, '\n', n)) {
        /* the last 4 letters or digits: "4111 1111 1111 1111" -> ...1111 */
        char tail[4];
        size_t k = 0;
        for (size_t i = n; i-- > 0 && k < 4;)
            if ((secret[i] >= '0' && secret[i] <= '9') || ((secret[i] | 0x20) >= 'a' && (secret[i] | 0x20) <= 'z'))
                tail[3 - k++] = secret[i];
        if (k == 4) {
            slsec_buf_puts(o, ":...");
            slsec_buf_append(o, tail, 4);
        }
    }
    slsec_buf_putc(o, ']');
}

/* Replaces [a, b), one token per line the span touches; line ends (and a
 * '\r' before one) stay. */
static void put_span(slsec_redactor *r, const char *data, size_t a, size_t b, unsigned type)
{
    size_t s = a;
    while (s < b) {
        const char *nl = memchr(data + s, '\n', b - s);
        size_t e = nl ? (size_t)(nl - data) : b;
        size_t keep_cr = nl && e > s && data[e - 1] == '\r';
        if (e - keep_cr > s)
            put_token(r, data + a, b - a, type);
        if (!nl)
            break;
        slsec_buf_append(&r->out, data + e - keep_cr, 1 + keep_cr);
        s = e + 1;
    }
}

static void emit(slsec_redactor *r, const char *data, size_t n)
{
    if (r->err || n == 0)
        return;
    r->stats.bytes_out += n;
    if (r->write && r->write(data, n, r->user) != 0)
        r->err = SLSEC_EIO;
}

/* Scans and writes pending[0, n) and drops it from pending. */
static void process(slsec_redactor *r, size_t n)
{
    const char *data = r->pending.data;
    r->nspans = 0;
    if (n) {
        slsec_detect_scanner_scan(r->scanner, data, n, on_match, r);
        if (r->nfields)
            find_fields(r, data, n);
        pem_spans(r, data, n);
    }
    if (r->nspans == 0) {
        emit(r, data, n);
    } else {
        qsort(r->spans, r->nspans, sizeof *r->spans, by_start);
        drop_weak(r);
        slsec_buf_reset(&r->out);
        size_t pos = 0;
        for (size_t i = 0; i < r->nspans;) {
            span cur = r->spans[i++];
            while (i < r->nspans && r->spans[i].a < cur.b) {
                if (r->spans[i].b > cur.b)
                    cur.b = r->spans[i].b;
                i++;
            }
            slsec_buf_append(&r->out, data + pos, cur.a - pos);
            put_span(r, data, cur.a, cur.b, cur.type);
            r->counts[cur.type]++;
            r->stats.masked++;
            pos = cur.b;
        }
        slsec_buf_append(&r->out, data + pos, n - pos);
        emit(r, r->out.data, r->out.len);
    }
    size_t rest = r->pending.len - n;
    if (rest)
        memmove(r->pending.data, r->pending.data + n, rest);
    r->pending.len = rest;
    r->line_start -= n;
}

/* How many line ends data[0, n) holds. */
static size_t count_lines(const char *data, size_t n)
{
    size_t count = 0, i = 0;
#if defined(__SSE2__)
    /* per-byte counters (a match compares as -1), summed before they can
     * wrap: no popcount instruction is assumed */
    while (i + 16 <= n) {
        __m128i acc = _mm_setzero_si128();
        for (unsigned k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
        }
        __m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    }
#endif
    for (; i < n; i++)
        count += data[i] == '\n';
    return count;
}

/* The common case of a feed step, whole reads at a time instead of line
 * by line: when no line in what it takes can reach max_line (the line
 * being read and all of it are shorter together), only where the batch
 * closes and how many lines there are matter. Takes what it can and
 * returns how much; 0 when the line-by-line path has to decide. The
 * batches are the same as line by line: they close at the first line end
 * at or past SLSEC_LOG_BATCH_BYTES. */
static size_t feed_whole(slsec_redactor *r, const char *data, size_t len)
{
    if (r->dropping || r->line_at_a_time)
        return 0;
    size_t cur = r->pending.len - r->line_start;
    size_t have = r->pending.len;
    /* a line end at data[i] closes the batch when have + i + 1 >= the batch size */
    size_t from = have + 1 >= SLSEC_LOG_BATCH_BYTES ? 0 : SLSEC_LOG_BATCH_BYTES - have - 1;
    const char *close = from < len ? memchr(data + from, '\n', len - from) : NULL;
    size_t take = close ? (size_t)(close - data) + 1 : len;
    if (cur + take > r->max_line)
        return 0;
    size_t lines = count_lines(data, take);
    slsec_buf_append(&r->pending, data, take);
    const char *copy = r->pending.data + have; /* just copied: still in the cache */
    r->stats.lines += lines;
    if (close) {
        r->in_long = false;
        r->line_start = r->pending.len;
        process(r, r->line_start);
    } else if (lines) {
        const char *last = memrchr(copy, '\n', take);
        r->in_long = false;
        r->line_start = have + (size_t)(last - copy) + 1;
    }
    return take;
}

/* One step of a feed: takes what it can of data (a batch's worth, the rest
 * of a line, or a --max-line piece) and returns how much. */
static size_t feed_step(slsec_redactor *r, const char *data, size_t len)
{
    size_t took = feed_whole(r, data, len);
    if (took)
        return took;
    if (r->dropping) {
        const char *nl = memchr(data, '\n', len);
        size_t skip = nl ? (size_t)(nl - data) + 1 : len;
        r->stats.dropped_bytes += skip;
        if (nl) {
            r->dropping = false;
            r->stats.lines++;
        }
        return skip;
    }
    size_t cur = r->pending.len - r->line_start, room = r->max_line - cur;
    size_t look = len < room + 1 ? len : room + 1;
    const char *nl = memchr(data, '\n', look);
    if (nl) {
        size_t take = (size_t)(nl - data) + 1;
        slsec_buf_append(&r->pending, data, take);
        r->stats.lines++;
        r->in_long = false;
        r->line_start = r->pending.len;
        if (r->line_at_a_time || r->line_start >= SLSEC_LOG_BATCH_BYTES)
            process(r, r->line_start);
        return take;
    }
    if (len <= room) {
        slsec_buf_append(&r->pending, data, len);
        return len;
    }
    /* max_line bytes and more to come: the line is long */
    slsec_buf_append(&r->pending, data, room);
    if (!r->in_long)
        r->stats.long_lines++;
    r->in_long = true;
    size_t piece = r->pending.len - r->line_start;
    process(r, r->line_start);
    if (r->fail_closed) {
        r->stats.dropped_lines++;
        r->stats.dropped_bytes += piece;
        r->pending.len = 0;
        r->line_start = 0;
        r->in_long = false;
        r->dropping = true;
    } else {
        r->line_start = r->pending.len;
        process(r, r->pending.len);
    }
    return room;
}

int slsec_redactor_feed(slsec_redactor *r, const char *data, size_t len)
{
    while (len > 0 && !r->err) {
        size_t took = feed_step(r, data, len);
        r->stats.bytes_in += took;
        data += took;
        len -= took;
    }
    return r->err;
}

int slsec_redactor_finish(slsec_redactor *r)
{
    if (r->pending.len > r->line_start)
        r->stats.lines++;
    else if (r->dropping)
        r->stats.lines++;
    r->line_start = r->pending.len;
    process(r, r->pending.len);
    r->dropping = false;
    r->in_long = false;
    r->in_pem = 0;
    r->line_start = 0;
    int err = r->err;
    r->err = 0;
    return err;
}

static int append_out(const char *data, size_t len, void *user)
{
    slsec_buf_append(user, data, len);
    return 0;
}

int slsec_redact_buffer(slsec_redactor *r, const char *data, size_t len, slsec_buf *out)
{
    slsec_write_fn w = r->write;
    void *u = r->user;
    r->write = append_out;
    r->user = out;
    int rc = slsec_redactor_feed(r, data, len);
    int rc2 = slsec_redactor_finish(r);
    r->write = w;
    r->user = u;
    return rc ? rc : rc2;
}
