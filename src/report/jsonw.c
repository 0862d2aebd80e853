/*
 * jsonw.c — a streaming JSON writer for reports with many findings.
 *
 * Building a jansson tree for 70,000 findings, dumping and freeing it cost
 * more than the scan that found them; this writes straight into a buffer,
 * in the layout jansson's JSON_INDENT(2) gives (so the bytes of a report
 * do not depend on the writer): two spaces per level, "key": value, one
 * item a line, [] and {} when empty. Strings are cleaned to valid UTF-8
 * first and escaped as jansson escapes them: quote, backslash and control
 * bytes (\b \f \n \r \t, else \u00XX); everything else is written as is.
 */
#include "report_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A line break, the separator before it when `comma`, and the
 * indentation, written in one go: reports are mostly this. */
static void new_line(slsec_jw *w, bool comma)
{
    size_t spaces = 2 * (size_t)w->depth;
    char *p = slsec_buf_extend(w->b, comma + 1 + spaces);
    if (comma)
        *p++ = ',';
    *p++ = '\n';
    memset(p, ' ', spaces);
}

/* What goes before a value or a key: a separator and the indentation,
 * except right after a key. */
static void before_item(slsec_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    bool comma = !w->first[w->depth - 1];
    w->first[w->depth - 1] = false;
    new_line(w, comma);
}

void slsec_jw_init(slsec_jw *w, slsec_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
}

void slsec_jw_open(slsec_jw *w, char bracket)
{
    before_item(w);
    slsec_buf_putc(w->b, bracket);
    if (w->depth < SLSEC_JW_MAX_DEPTH)
        w->first[w->depth] = true;
    w->depth++;
}

void slsec_jw_close(slsec_jw *w, char bracket)
{
    w->depth--;
    if (w->depth < SLSEC_JW_MAX_DEPTH && !w->first[w->depth])
        new_line(w, false);
    slsec_buf_putc(w->b, bracket);
}

/* s[0..n) as a JSON string, in one pass: printable ASCII is copied in
 * runs, valid UTF-8 passes as it is, each byte of an invalid sequence
 * becomes U+FFFD (as slsec_rpt_utf8_clean does) and control characters
 * are escaped. */
static bool plain_ascii(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* How many leading bytes of p[0..n) are plain_ascii, eight at a time
 * (the classic zero-byte test on a 64-bit word): reports are megabytes of
 * such text. */
static size_t plain_prefix(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
        uint64_t special = (x - ones * 0x20) | (quote - ones) | (backslash - ones);
        /* A byte below 0x20, equal to '"' or '\\', or with its high bit set. */
        if (((special & ~x) | x) & highs)
            break;
    }
    while (i < n && plain_ascii(p[i]))
        i++;
    return i;
}

static void quoted(slsec_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = plain_prefix(p, n);
    if (i == n) { /* nearly every string of a report: one copy */
        char *o = slsec_buf_extend(b, n + 2);
        o[0] = '"';
        memcpy(o + 1, s, n);
        o[n + 1] = '"';
        return;
    }
    slsec_buf_putc(b, '"');
    size_t run = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (plain_ascii(c)) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = slsec_utf8_decode(p + i, n - i, &cp);
            if (k > 0) {
                i += k;
                continue;
            }
        }
        slsec_buf_append(b, s + run, i - run);
        switch (c) {
        case '"': slsec_buf_append(b, "\\\"", 2); break;
        case '\\': slsec_buf_append(b, "\\\\", 2); break;
        case '\b': slsec_buf_append(b, "\\b", 2); break;
        case '\f': slsec_buf_append(b, "\\f", 2); break;
        case '\n': slsec_buf_append(b, "\\n", 2); break;
        case '\r': slsec_buf_append(b, "\\r", 2); break;
        case '\t': slsec_buf_append(b, "\\t", 2); break;
        default:
            if (c >= 0x80) {
                slsec_buf_append(b, "\xEF\xBF\xBD", 3);
            } else {
                char esc[8];
                snprintf(esc, sizeof esc, "\\u%04X", c);
                slsec_buf_append(b, esc, 6);
            }
        }
        run = ++i;
    }
    slsec_buf_append(b, s + run, n - run);
    slsec_buf_putc(b, '"');
}

void slsec_jw_key(slsec_jw *w, const char *key)
{
    before_item(w);
    quoted(w->b, key, strlen(key));
    slsec_buf_append(w->b, ": ", 2);
    w->after_key = true;
}

void slsec_jw_str(slsec_jw *w, const char *s)
{
    if (!s) {
        slsec_jw_null(w);
        return;
    }
    before_item(w);
    quoted(w->b, s, strlen(s));
}

void slsec_jw_int(slsec_jw *w, long long v)
{
    before_item(w);
    char digits[24], *end = digits + sizeof digits, *p = end;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    slsec_buf_append(w->b, p, (size_t)(end - p));
}

void slsec_jw_bool(slsec_jw *w, bool v)
{
    before_item(w);
    slsec_buf_puts(w->b, v ? "true" : "false");
}

void slsec_jw_null(slsec_jw *w)
{
    before_item(w);
    slsec_buf_puts(w->b, "null");
}

void slsec_jw_splice_begin(const slsec_jw *w, slsec_jw *scratch, slsec_buf *into)
{
    slsec_jw_init(scratch, into);
    scratch->depth = w->depth;
    for (int i = 0; i < w->depth && i < SLSEC_JW_MAX_DEPTH; i++)
        scratch->first[i] = false;
}

void slsec_jw_splice(slsec_jw *w, const slsec_buf *rendered)
{
    if (!rendered->len)
        return;
    slsec_buf_append(w->b, rendered->data, rendered->len);
    if (w->depth > 0 && w->depth <= SLSEC_JW_MAX_DEPTH)
        w->first[w->depth - 1] = false;
    w->after_key = false;
}
