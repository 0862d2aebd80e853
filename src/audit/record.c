/*
 * record.c — the fields of one CloudTrail record, without building a tree.
 *
 * A recursive-descent scanner over the record's bytes that validates the
 * JSON as it goes (a malformed record is rejected, as a parser would) but
 * decodes only the strings at the paths the audit reads (the
 * SLSEC_CT_FIELDS table of audit_internal.h) and skips everything else.
 * Nothing is allocated per record: decoded strings go to one scratch
 * buffer, reused, which is never longer than the record (decoding only
 * shortens a JSON string, and its quotes pay for the NUL).
 *
 * Contexts name the objects whose keys matter: the record itself,
 * userIdentity, its sessionContext and sessionIssuer, additionalEventData,
 * responseElements, requestParameters, and the objects of resources[].
 * Keys written with escapes match nothing (CloudTrail never writes them).
 * Duplicate keys: the last one wins.
 */
#include "audit_internal.h"

#include <stdlib.h>
#include <string.h>

#include "slsec/limits.h"

enum { C_NONE = -1, C_TOP, C_UID, C_SCTX, C_ISSUER, C_AED, C_RESP, C_RP, C_RESOURCES, C_RESITEM };
enum { F_NONE = -1, F_ARN = -2 };

static const struct {
    int ctx;
    const char *key;
    int field;
} fields[] = {
#define SLSEC_CT_FIELD_ROW(id, ctx, key) {ctx, key, SLSEC_CT_##id},
    SLSEC_CT_FIELDS(SLSEC_CT_FIELD_ROW)
#undef SLSEC_CT_FIELD_ROW
};

static const struct {
    int ctx;
    const char *key;
    int child;
} children[] = {
    {C_TOP, "userIdentity", C_UID},      {C_TOP, "additionalEventData", C_AED},
    {C_TOP, "responseElements", C_RESP}, {C_TOP, "requestParameters", C_RP},
    {C_TOP, "resources", C_RESOURCES},   {C_UID, "sessionContext", C_SCTX},
    {C_SCTX, "sessionIssuer", C_ISSUER},
};

typedef struct scanner {
    const char *start, *p, *end;
    slsec_ct_record *r;
    char *out; /* next free byte of r->scratch */
    bool failed;
} scanner;

static bool fail(scanner *s)
{
    if (!s->failed) {
        s->failed = true;
        s->r->error_at = (size_t)(s->p - s->start);
    }
    return false;
}

static void ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool hex4(scanner *s, const char *at, unsigned *out)
{
    if (s->end - at < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(at[i]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

static void put_utf8(scanner *s, unsigned cp)
{
    if (cp < 0x80) {
        *s->out++ = (char)cp;
    } else if (cp < 0x800) {
        *s->out++ = (char)(0xC0 | cp >> 6);
        *s->out++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *s->out++ = (char)(0xE0 | cp >> 12);
        *s->out++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *s->out++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *s->out++ = (char)(0xF0 | cp >> 18);
        *s->out++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *s->out++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *s->out++ = (char)(0x80 | (cp & 0x3F));
    }
}

/* At '"'. With out non-NULL, the decoded string is stored there. */
static bool string(scanner *s, const char **out)
{
    s->p++;
    char *dst = out ? s->out : NULL;
    for (;;) {
        const char *q = s->p;
        while (q < s->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
            q++;
        if (out && q > s->p) {
            memcpy(s->out, s->p, (size_t)(q - s->p));
            s->out += q - s->p;
        }
        s->p = q;
        if (q == s->end || (unsigned char)*q < 0x20)
            return fail(s);
        if (*q == '"')
            break;
        /* an escape */
        if (s->end - q < 2)
            return fail(s);
        char e = q[1];
        s->p = q + 2;
        if (e == 'u') {
            unsigned cp;
            if (!hex4(s, s->p, &cp))
                return fail(s);
            s->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' && hex4(s, s->p + 2, &lo) &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    s->p += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            if (out)
                put_utf8(s, cp);
            continue;
        }
        const char *m = strchr("\"\\/bfnrt", e);
        if (!m || !e)
            return fail(s);
        if (out)
            *s->out++ = "\"\\/\b\f\n\r\t"[m - "\"\\/bfnrt"];
    }
    s->p++; /* the closing quote */
    if (out) {
        *s->out++ = '\0';
        *out = dst;
    }
    return true;
}

static bool value(scanner *s, int ctx, int field, int depth);

static void lookup(int ctx, const char *key, size_t n, int *field, int *child)
{
    *field = F_NONE;
    *child = C_NONE;
    if (ctx == C_RESITEM) {
        if (n == 3 && memcmp(key, "ARN", 3) == 0)
            *field = F_ARN;
        return;
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].ctx == ctx && strlen(fields[i].key) == n && memcmp(fields[i].key, key, n) == 0) {
            *field = fields[i].field;
            return;
        }
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++)
        if (children[i].ctx == ctx && strlen(children[i].key) == n && memcmp(children[i].key, key, n) == 0) {
            *child = children[i].child;
            return;
        }
}

static bool object(scanner *s, int ctx, int depth)
{
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return true;
    }
    for (;;) {
        ws(s);
        if (s->p >= s->end || *s->p != '"')
            return fail(s);
        const char *key = s->p + 1;
        if (!string(s, NULL))
            return false;
        size_t klen = (size_t)(s->p - 1 - key);
        int field = F_NONE, child = C_NONE;
        if (ctx != C_NONE && !memchr(key, '\\', klen))
            lookup(ctx, key, klen, &field, &child);
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return fail(s);
        s->p++;
        ws(s);
        if (ctx == C_TOP && child == C_UID && s->p < s->end && *s->p == '{')
            s->r->has_identity = true;
        if (!value(s, child, field, depth + 1))
            return false;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            return true;
        }
        return fail(s);
    }
}

static bool array(scanner *s, int ctx, int depth)
{
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return true;
    }
    for (;;) {
        ws(s);
        if (!value(s, ctx == C_RESOURCES ? C_RESITEM : C_NONE, F_NONE, depth + 1))
            return false;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == ']') {
            s->p++;
            return true;
        }
        return fail(s);
    }
}

static bool literal(scanner *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return fail(s);
    s->p += n;
    return true;
}

static bool value(scanner *s, int ctx, int field, int depth)
{
    if (depth > SLSEC_MAX_DEPTH || s->p >= s->end)
        return fail(s);
    switch (*s->p) {
    case '{': return object(s, ctx == C_RESOURCES ? C_NONE : ctx, depth);
    case '[': return array(s, ctx == C_RESOURCES ? C_RESOURCES : C_NONE, depth);
    case '"': {
        const char *v = NULL;
        if (!string(s, field == F_NONE ? NULL : &v))
            return false;
        if (field >= 0)
            s->r->f[field] = v;
        else if (field == F_ARN && s->r->narns < SLSEC_CT_MAX_ARNS)
            s->r->arns[s->r->narns++] = v;
        return true;
    }
    case 't': return literal(s, "true");
    case 'f': return literal(s, "false");
    case 'n': return literal(s, "null");
    default: {
        const char *q = s->p;
        if (q < s->end && *q == '-')
            q++;
        const char *digits = q;
        while (q < s->end &&
               ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-'))
            q++;
        if (q == digits || *digits < '0' || *digits > '9') {
            return fail(s);
        }
        s->p = q;
        return true;
    }
    }
}

bool slsec_ct_record_parse(slsec_ct_record *r, const char *json, size_t len)
{
    if (r->scratch_cap < len + 1) {
        size_t cap = len + 1 > 4096 ? len + 1 : 4096;
        char *more = realloc(r->scratch, cap);
        if (!more)
            slsec_oom();
        r->scratch = more;
        r->scratch_cap = cap;
    }
    memset(r->f, 0, sizeof r->f);
    r->narns = 0;
    r->has_identity = false;
    r->error_at = 0;
    scanner s = {.start = json, .p = json, .end = json + len, .r = r, .out = r->scratch};
    ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return fail(&s);
    if (!object(&s, C_TOP, 1))
        return false;
    ws(&s);
    if (s.p != s.end)
        return fail(&s);
    return true;
}
