/*
 * version.c — version order per ecosystem, and package-name normalisation.
 *
 * SemVer (npm, Go, crates.io) is read leniently, as advisory databases
 * write versions: an optional 'v'; one to three numeric components
 * (missing ones are 0); then a pre-release after '-' (or glued on, as in
 * "1.36.0rc1"), a build after '+' (ignored), and anything past a third
 * component ("1.1.3.4") is treated as build. Numbers are compared as digit
 * strings, so no length overflows. Pre-release identifiers follow SemVer
 * 2.0 §11: numeric ones numerically and below alphanumeric ones, those in
 * ASCII order, a shorter list first when it is a prefix.
 *
 * PEP 440 (PyPI) is parsed into epoch, release, pre, post, dev and local
 * parts with the spelling variants the specification normalises
 * (alpha/beta/c/pre/preview, rev/r, implicit post "1.0-1", separators,
 * case, a leading 'v'). A version PEP 440 rejects is a legacy version and
 * sorts before every valid one, by the key setuptools' LegacyVersion
 * used, because old releases on PyPI and in advisories still carry them.
 *
 * RubyGems follows Gem::Version: '-' reads as ".pre."; the version is cut
 * into runs of digits and runs of letters; the numeric head and the rest
 * each lose their trailing zeros; then segments compare pairwise (a
 * missing one is 0), a letter segment below a number, letters in ASCII
 * order — so "1.0.a2" is a pre-release of 1.0 and equals "1.0.a.2".
 */
#include "deps_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const eco_names[SLSEC_ECO_COUNT] = {"npm",      "PyPI",  "Go",       "crates.io",
                                                        "RubyGems", "Maven", "Packagist"};

const char *slsec_ecosystem_name(slsec_ecosystem e)
{
    return (unsigned)e < SLSEC_ECO_COUNT ? eco_names[e] : "unknown";
}

bool slsec_ecosystem_parse(const char *name, slsec_ecosystem *out)
{
    for (int i = 0; name && i < SLSEC_ECO_COUNT; i++)
        if (strcmp(name, eco_names[i]) == 0) {
            *out = (slsec_ecosystem)i;
            return true;
        }
    return false;
}

const char *slsec_package_name_norm(slsec_arena *a, slsec_ecosystem e, const char *name)
{
    if (e == SLSEC_ECO_PACKAGIST) {
        char *lower = slsec_arena_strdup(a, name);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        return lower;
    }
    if (e != SLSEC_ECO_PYPI)
        return name;
    size_t n = strlen(name);
    char *out = slsec_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            if (k == 0 || out[k - 1] != '-')
                out[k++] = '-';
        } else {
            out[k++] = (char)tolower((unsigned char)c);
        }
    }
    out[k] = '\0';
    return out;
}

/* ---- digit strings ------------------------------------------------------------------ */

/* Compares two runs of digits as numbers, whatever their length. */
int deps_cmp_digits(const char *a, size_t an, const char *b, size_t bn)
{
    while (an > 1 && *a == '0')
        a++, an--;
    while (bn > 1 && *b == '0')
        b++, bn--;
    if (an != bn)
        return an < bn ? -1 : 1;
    int c = memcmp(a, b, an);
    return c < 0 ? -1 : c > 0;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* ---- SemVer -------------------------------------------------------------------------- */

typedef struct semver {
    const char *num[3];
    size_t numlen[3];
    const char *pre; /* NULL: none */
    size_t prelen;
} semver;

static bool semver_parse(const char *s, semver *v)
{
    memset(v, 0, sizeof *v);
    while (*s == ' ')
        s++;
    if (*s == 'v' || *s == 'V')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    for (int i = 0; i < 3; i++) {
        v->num[i] = s;
        while (isdigit((unsigned char)*s))
            s++;
        v->numlen[i] = (size_t)(s - v->num[i]);
        if (i < 2 && s[0] == '.' && isdigit((unsigned char)s[1]))
            s++;
        else
            break;
    }
    for (int i = 0; i < 3; i++)
        if (!v->num[i] || v->numlen[i] == 0) {
            v->num[i] = "0";
            v->numlen[i] = 1;
        }
    if (*s == '\0' || *s == '+' || *s == '.' || *s == ' ')
        return true; /* a fourth component is build metadata */
    if (*s == '-')
        s++;
    v->pre = s;
    const char *end = strchr(s, '+');
    v->prelen = end ? (size_t)(end - s) : strlen(s);
    return true;
}

/* The next dot-separated identifier; *cur becomes NULL after the last. */
static bool next_ident(const char **cur, const char *end, const char **id, size_t *n)
{
    if (!*cur)
        return false;
    const char *d = memchr(*cur, '.', (size_t)(end - *cur));
    *id = *cur;
    *n = d ? (size_t)(d - *cur) : (size_t)(end - *cur);
    *cur = d ? d + 1 : NULL;
    return true;
}

static int semver_pre_cmp(const semver *a, const semver *b)
{
    if (!a->pre || !b->pre)
        return a->pre ? -1 : b->pre ? 1 : 0;
    const char *p = a->pre, *q = b->pre;
    for (;;) {
        const char *x, *y;
        size_t xn, yn;
        bool hx = next_ident(&p, a->pre + a->prelen, &x, &xn);
        bool hy = next_ident(&q, b->pre + b->prelen, &y, &yn);
        if (!hx || !hy)
            return hx ? 1 : hy ? -1 : 0;
        bool xnum = all_digits(x, xn), ynum = all_digits(y, yn);
        int c;
        if (xnum && ynum)
            c = deps_cmp_digits(x, xn, y, yn);
        else if (xnum != ynum)
            c = xnum ? -1 : 1;
        else
            c = cmp_bytes(x, xn, y, yn);
        if (c)
            return c;
    }
}

static int semver_cmp(const char *a, const char *b, int *out)
{
    semver x, y;
    if (!semver_parse(a, &x) || !semver_parse(b, &y))
        return SLSEC_EPARSE;
    for (int i = 0; i < 3; i++) {
        int c = deps_cmp_digits(x.num[i], x.numlen[i], y.num[i], y.numlen[i]);
        if (c) {
            *out = c;
            return SLSEC_OK;
        }
    }
    *out = semver_pre_cmp(&x, &y);
    return SLSEC_OK;
}

/* ---- PEP 440 ------------------------------------------------------------------------------ */

#define PEP_MAX_RELEASE 32
#define PEP_MAX_LOCAL 16

typedef struct pep440 {
    long epoch;
    const char *rel[PEP_MAX_RELEASE];
    size_t rellen[PEP_MAX_RELEASE];
    size_t nrel;
    int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
    const char *pre;
    size_t prelen;
    bool has_post;
    const char *post;
    size_t postlen;
    bool has_dev;
    const char *dev;
    size_t devlen;
    const char *local[PEP_MAX_LOCAL];
    size_t locallen[PEP_MAX_LOCAL];
    size_t nlocal;
} pep440;

static bool word_at(const char **s, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(*s, w, n) != 0)
        return false;
    *s += n;
    return true;
}

static bool is_sep(char c) { return c == '.' || c == '-' || c == '_'; }

/* Optional separator then digits (implicit 0 when absent). */
static void pep_number(const char **s, const char **num, size_t *len)
{
    const char *p = *s;
    if (is_sep(*p) && isdigit((unsigned char)p[1]))
        p++;
    if (isdigit((unsigned char)*p)) {
        *num = p;
        while (isdigit((unsigned char)*p))
            p++;
        *len = (size_t)(p - *num);
        *s = p;
    } else {
        *num = "0";
        *len = 1;
    }
}

static bool pep440_parse(const char *s, pep440 *v)
{
    memset(v, 0, sizeof *v);
    v->pre_kind = -1;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == 'v' || *s == 'V')
        s++;
    const char *p = s;
    while (isdigit((unsigned char)*p))
        p++;
    if (p > s && *p == '!') {
        long e = 0;
        for (const char *d = s; d < p; d++) {
            if (e > 100000000)
                return false;
            e = e * 10 + (*d - '0');
        }
        v->epoch = e;
        s = p + 1;
    }
    if (!isdigit((unsigned char)*s))
        return false;
    for (;;) {
        if (v->nrel == PEP_MAX_RELEASE)
            return false;
        v->rel[v->nrel] = s;
        while (isdigit((unsigned char)*s))
            s++;
        v->rellen[v->nrel] = (size_t)(s - v->rel[v->nrel]);
        v->nrel++;
        if (*s == '.' && isdigit((unsigned char)s[1]))
            s++;
        else
            break;
    }
    /* pre-release */
    {
        const char *q = s;
        if (is_sep(*q))
            q++;
        static const struct { const char *w; int kind; } pres[] = {
            {"alpha", 0}, {"beta", 1}, {"preview", 2}, {"pre", 2}, {"rc", 2}, {"a", 0}, {"b", 1}, {"c", 2},
        };
        for (size_t i = 0; i < sizeof pres / sizeof pres[0]; i++) {
            const char *r = q;
            if (word_at(&r, pres[i].w)) {
                v->pre_kind = pres[i].kind;
                pep_number(&r, &v->pre, &v->prelen);
                s = r;
                break;
            }
        }
    }
    /* post-release */
    {
        const char *q = s;
        if (*q == '-' && isdigit((unsigned char)q[1])) {
            q++;
            v->has_post = true;
            v->post = q;
            while (isdigit((unsigned char)*q))
                q++;
            v->postlen = (size_t)(q - v->post);
            s = q;
        } else {
            if (is_sep(*q))
                q++;
            static const char *const posts[] = {"post", "rev", "r"};
            for (size_t i = 0; i < 3; i++) {
                const char *r = q;
                if (word_at(&r, posts[i])) {
                    v->has_post = true;
                    pep_number(&r, &v->post, &v->postlen);
                    s = r;
                    break;
                }
            }
        }
    }
    /* dev release */
    {
        const char *q = s;
        if (is_sep(*q))
            q++;
        if (word_at(&q, "dev")) {
            v->has_dev = true;
            pep_number(&q, &v->dev, &v->devlen);
            s = q;
        }
    }
    /* local version */
    if (*s == '+') {
        s++;
        for (;;) {
            const char *b = s;
            while (isalnum((unsigned char)*s))
                s++;
            if (s == b || v->nlocal == PEP_MAX_LOCAL)
                return false;
            v->local[v->nlocal] = b;
            v->locallen[v->nlocal] = (size_t)(s - b);
            v->nlocal++;
            if (is_sep(*s) && isalnum((unsigned char)s[1]))
                s++;
            else
                break;
        }
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

static int cmp_long(long a, long b) { return a < b ? -1 : a > b; }

static int pep440_cmp_parsed(const pep440 *a, const pep440 *b)
{
    int c = cmp_long(a->epoch, b->epoch);
    if (c)
        return c;
    /* Release, trailing zeros ignored ("1.0" == "1.0.0"). */
    size_t an = a->nrel, bn = b->nrel;
    while (an > 1 && deps_cmp_digits(a->rel[an - 1], a->rellen[an - 1], "0", 1) == 0)
        an--;
    while (bn > 1 && deps_cmp_digits(b->rel[bn - 1], b->rellen[bn - 1], "0", 1) == 0)
        bn--;
    for (size_t i = 0; i < an || i < bn; i++) {
        if (i >= an || i >= bn)
            return i >= an ? -1 : 1;
        if ((c = deps_cmp_digits(a->rel[i], a->rellen[i], b->rel[i], b->rellen[i])))
            return c;
    }
    /* Pre-release: a dev release with neither pre nor post sorts before
     * every pre-release of its version; no pre-release sorts after them. */
    int ap = a->pre_kind < 0 ? (!a->has_post && a->has_dev ? -1 : 3) : a->pre_kind;
    int bp = b->pre_kind < 0 ? (!b->has_post && b->has_dev ? -1 : 3) : b->pre_kind;
    if ((c = cmp_long(ap, bp)))
        return c;
    if (a->pre_kind >= 0 && (c = deps_cmp_digits(a->pre, a->prelen, b->pre, b->prelen)))
        return c;
    if (a->has_post != b->has_post)
        return a->has_post ? 1 : -1;
    if (a->has_post && (c = deps_cmp_digits(a->post, a->postlen, b->post, b->postlen)))
        return c;
    if (a->has_dev != b->has_dev)
        return a->has_dev ? -1 : 1;
    if (a->has_dev && (c = deps_cmp_digits(a->dev, a->devlen, b->dev, b->devlen)))
        return c;
    /* Local: absent sorts first; numeric segments above alphanumeric ones. */
    for (size_t i = 0; i < a->nlocal || i < b->nlocal; i++) {
        if (i >= a->nlocal || i >= b->nlocal)
            return i >= a->nlocal ? -1 : 1;
        bool x = all_digits(a->local[i], a->locallen[i]), y = all_digits(b->local[i], b->locallen[i]);
        if (x != y)
            return x ? 1 : -1;
        if (x)
            c = deps_cmp_digits(a->local[i], a->locallen[i], b->local[i], b->locallen[i]);
        else {
            size_t n = a->locallen[i] < b->locallen[i] ? a->locallen[i] : b->locallen[i];
            c = strncasecmp(a->local[i], b->local[i], n);
            c = c ? (c < 0 ? -1 : 1) : cmp_long((long)a->locallen[i], (long)b->locallen[i]);
        }
        if (c)
            return c;
    }
    return 0;
}

/* ---- legacy (non PEP 440) Python versions --------------------------------------------------- */

#define LEGACY_MAX_PARTS 64

typedef struct legacy_key {
    char parts[LEGACY_MAX_PARTS][24];
    size_t n;
} legacy_key;

static void legacy_push(legacy_key *k, const char *part)
{
    if (*part == '*') {
        if (strcmp(part, "*final") < 0)
            while (k->n && strcmp(k->parts[k->n - 1], "*final-") == 0)
                k->n--;
        while (k->n && strcmp(k->parts[k->n - 1], "00000000") == 0)
            k->n--;
    }
    if (k->n < LEGACY_MAX_PARTS) {
        size_t len = strlen(part);
        if (len >= sizeof k->parts[0])
            len = sizeof k->parts[0] - 1;
        memcpy(k->parts[k->n], part, len);
        k->parts[k->n][len] = '\0';
        k->n++;
    }
}

/* Splits into runs of digits, runs of letters, '.', '-' and whatever lies
 * between them; maps pre/preview/rc to "c", dev to "@" and '-' to
 * "final-"; pads numbers to eight digits and marks the rest with '*'. */
static void legacy_parse(const char *s, legacy_key *k)
{
    k->n = 0;
    char part[24];
    while (*s) {
        const char *b = s;
        unsigned char c = (unsigned char)*s;
        if (isdigit(c))
            while (isdigit((unsigned char)*s))
                s++;
        else if (isalpha(c))
            while (isalpha((unsigned char)*s))
                s++;
        else if (c == '.' || c == '-')
            s++;
        else
            while (*s && !isalnum((unsigned char)*s) && *s != '.' && *s != '-')
                s++;
        size_t n = (size_t)(s - b);
        char tok[20];
        size_t tn = n < sizeof tok - 1 ? n : sizeof tok - 1;
        for (size_t i = 0; i < tn; i++)
            tok[i] = (char)tolower((unsigned char)b[i]);
        tok[tn] = '\0';
        if (strcmp(tok, ".") == 0)
            continue;
        if (isdigit((unsigned char)tok[0])) {
            size_t pad = tn < 8 ? 8 - tn : 0;
            memset(part, '0', pad);
            memcpy(part + pad, tok, tn + 1);
        } else {
            const char *m = strcmp(tok, "pre") == 0 || strcmp(tok, "preview") == 0 || strcmp(tok, "rc") == 0
                                ? "c"
                            : strcmp(tok, "dev") == 0 ? "@"
                            : strcmp(tok, "-") == 0   ? "final-"
                                                      : tok;
            part[0] = '*';
            size_t ml = strlen(m);
            memcpy(part + 1, m, ml + 1);
        }
        legacy_push(k, part);
    }
    legacy_push(k, "*final");
}

static int legacy_cmp(const char *a, const char *b)
{
    legacy_key *x = malloc(sizeof *x), *y = malloc(sizeof *y);
    if (!x || !y)
        slsec_oom();
    legacy_parse(a, x);
    legacy_parse(b, y);
    int c = 0;
    for (size_t i = 0; !c && (i < x->n || i < y->n); i++) {
        if (i >= x->n || i >= y->n)
            c = i >= x->n ? -1 : 1;
        else
            c = strcmp(x->parts[i], y->parts[i]);
    }
    free(x);
    free(y);
    return c < 0 ? -1 : c > 0;
}

static int pep440_cmp(const char *a, const char *b, int *out)
{
    pep440 x, y;
    bool xa = pep440_parse(a, &x), ya = pep440_parse(b, &y);
    if (xa && ya)
        *out = pep440_cmp_parsed(&x, &y);
    else if (xa != ya)
        *out = xa ? 1 : -1; /* legacy versions sort before every valid one */
    else
        *out = legacy_cmp(a, b);
    return SLSEC_OK;
}

/* ---- RubyGems ------------------------------------------------------------------------------ */

#define GEM_MAX_SEGMENTS 64

typedef struct gem_seg {
    const char *s;
    size_t n;
    bool num;
} gem_seg;

static bool is_zero(const gem_seg *g) { return g->num && deps_cmp_digits(g->s, g->n, "0", 1) == 0; }

/* Canonical segments: trailing zeros dropped from the numeric head and
 * from the whole. Returns the count, or -1 when not a version. */
static int gem_parse(const char *v, gem_seg *seg)
{
    int n = 0;
    while (*v == ' ')
        v++;
    if (!isdigit((unsigned char)*v))
        return -1;
    for (const char *p = v; *p;) {
        if (isalnum((unsigned char)*p)) {
            bool num = isdigit((unsigned char)*p);
            const char *b = p;
            while (*p && (num ? isdigit((unsigned char)*p) : isalpha((unsigned char)*p)))
                p++;
            if (n == GEM_MAX_SEGMENTS)
                return -1;
            seg[n++] = (gem_seg){b, (size_t)(p - b), num};
        } else if (*p == '.') {
            p++;
        } else if (*p == '-') {
            if (n == GEM_MAX_SEGMENTS)
                return -1;
            seg[n++] = (gem_seg){"pre", 3, false}; /* '-' reads ".pre." */
            p++;
        } else if (*p == ' ' && p[strspn(p, " ")] == '\0') {
            break;
        } else {
            return -1;
        }
    }
    int head = 0;
    while (head < n && seg[head].num)
        head++;
    int end = n;
    while (end > head && is_zero(&seg[end - 1]))
        end--;
    int h = head;
    while (h > 0 && is_zero(&seg[h - 1]))
        h--;
    if (h < head) {
        memmove(seg + h, seg + head, (size_t)(end - head) * sizeof *seg);
        end -= head - h;
    }
    return end;
}

static int gem_cmp(const char *a, const char *b, int *out)
{
    gem_seg x[GEM_MAX_SEGMENTS], y[GEM_MAX_SEGMENTS];
    int xn = gem_parse(a, x), yn = gem_parse(b, y);
    if (xn < 0 || yn < 0)
        return SLSEC_EPARSE;
    static const gem_seg zero = {"0", 1, true};
    for (int i = 0; i < xn || i < yn; i++) {
        const gem_seg *l = i < xn ? &x[i] : &zero, *r = i < yn ? &y[i] : &zero;
        int c;
        if (l->num != r->num)
            c = l->num ? 1 : -1;
        else if (l->num)
            c = deps_cmp_digits(l->s, l->n, r->s, r->n);
        else
            c = cmp_bytes(l->s, l->n, r->s, r->n);
        if (c) {
            *out = c;
            return SLSEC_OK;
        }
    }
    *out = 0;
    return SLSEC_OK;
}

int slsec_version_cmp(slsec_ecosystem e, const char *a, const char *b, int *out)
{
    *out = 0;
    if (!a || !b)
        return SLSEC_EPARSE;
    switch (e) {
    case SLSEC_ECO_PYPI: return pep440_cmp(a, b, out);
    case SLSEC_ECO_NPM:
    case SLSEC_ECO_GO:
    case SLSEC_ECO_CRATES: return semver_cmp(a, b, out);
    case SLSEC_ECO_RUBYGEMS: return gem_cmp(a, b, out);
    case SLSEC_ECO_MAVEN: return slsec_version_cmp_maven(a, b, out);
    case SLSEC_ECO_PACKAGIST: return slsec_version_cmp_packagist(a, b, out);
    default: return SLSEC_EPARSE;
    }
}
