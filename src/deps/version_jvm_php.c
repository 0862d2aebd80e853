/*
 * version_jvm_php.c — version order for Maven and Packagist.
 *
 * Maven follows the version order specification of the POM reference
 * (what ComparableVersion implements): the version is lower-cased and cut
 * into tokens at '.', at '-' and at every switch between digits and
 * letters (a switch counts as '-'); an empty token is "0". "Null" tokens
 * (0, "", final, ga, release) are trimmed from the end, and again before
 * each hyphen, from the end to the start. Tokens then compare pairwise;
 * when one version runs out, its side is a null token with the other
 * side's separator. Two tokens: ".qualifier" < "-qualifier" < "-number"
 * < ".number" (the specification puts the two qualifiers level; Maven's
 * ComparableVersion, which the test vectors come from, does not); numbers compare
 * numerically; qualifiers in the order alpha < beta < milestone < rc = cr
 * < snapshot < "" = ga = final = release < sp < any other (those among
 * themselves alphabetically); a, b and m directly followed by a digit
 * mean alpha, beta and milestone.
 *
 * Packagist follows PHP's version_compare(), as OSV's Packagist ranges
 * do: a leading 'v' goes; '-', '_' and '+' become '.', and a '.' goes
 * between a digit and a non-digit; the parts then compare pairwise,
 * numbers numerically, other parts by their leading special form — dev <
 * a(lpha) < b(eta) < RC = rc < '#' (what a number counts as) < p(l), and
 * anything else below dev. When one version has parts left, a number
 * there makes it the greater; otherwise the rest is compared with '#'.
 */
#include "deps_internal.h"

#include <ctype.h>
#include <string.h>

/* ---- Maven -------------------------------------------------------------------------- */

#define MAVEN_MAX_TOKENS 64

typedef struct maven_token {
    char sep; /* '.' or '-' */
    bool number;
    const char *s; /* lower-cased text (numbers: digits) */
    size_t n;
} maven_token;

static bool maven_null(const maven_token *t)
{
    if (t->number)
        return deps_cmp_digits(t->s, t->n, "0", 1) == 0;
    return t->n == 0 || (t->n == 5 && !memcmp(t->s, "final", 5)) || (t->n == 2 && !memcmp(t->s, "ga", 2)) ||
           (t->n == 7 && !memcmp(t->s, "release", 7));
}

/* Rank of a qualifier in the specification's order; unknown ones share
 * the last rank and then compare as text. */
static int maven_qualifier_rank(const char *s, size_t n)
{
    static const struct { const char *name; int rank; } known[] = {
        {"alpha", 0}, {"beta", 1}, {"milestone", 2}, {"rc", 3}, {"cr", 3}, {"snapshot", 4},
        {"", 5},      {"ga", 5},   {"final", 5},     {"release", 5},        {"sp", 6},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == n && !memcmp(known[i].name, s, n))
            return known[i].rank;
    return 7;
}

/* Splits v (lower-cased into buf) into tokens, trimmed as the
 * specification says; -1 when there are too many. */
static int maven_parse(const char *v, char *buf, size_t bufsize, maven_token *t)
{
    size_t len = strlen(v);
    if (len >= bufsize)
        return -1;
    for (size_t i = 0; i <= len; i++)
        buf[i] = (char)tolower((unsigned char)v[i]);
    int n = 0;
    char sep = '.';
    size_t i = 0;
    while (i <= len) {
        size_t start = i;
        bool digits = i < len && isdigit((unsigned char)buf[i]);
        while (i < len && buf[i] != '.' && buf[i] != '-' && (isdigit((unsigned char)buf[i]) != 0) == digits)
            i++;
        if (n == MAVEN_MAX_TOKENS)
            return -1;
        maven_token tok = {sep, digits, buf + start, i - start};
        if (tok.n == 0) /* an empty token is 0 */
            tok = (maven_token){sep, true, "0", 1};
        t[n++] = tok;
        if (i >= len)
            break;
        if (buf[i] == '.' || buf[i] == '-') {
            sep = buf[i];
            i++;
            if (i == len) { /* a trailing separator ends with an empty token */
                if (n == MAVEN_MAX_TOKENS)
                    return -1;
                t[n++] = (maven_token){sep, true, "0", 1};
                break;
            }
        } else {
            sep = '-'; /* a switch between digits and letters */
        }
    }
    /* a, b and m right before a number are alpha, beta and milestone */
    for (int k = 0; k + 1 < n; k++)
        if (!t[k].number && t[k].n == 1 && t[k + 1].number && t[k + 1].sep == '-' &&
            t[k + 1].s == t[k].s + 1) {
            if (t[k].s[0] == 'a')
                t[k].s = "alpha", t[k].n = 5;
            else if (t[k].s[0] == 'b')
                t[k].s = "beta", t[k].n = 4;
            else if (t[k].s[0] == 'm')
                t[k].s = "milestone", t[k].n = 9;
        }
    /* Trim null tokens from the end, then before each hyphen, end to start. */
    int out = 0;
    maven_token kept[MAVEN_MAX_TOKENS];
    int end = n;
    while (end > 0) {
        int start = end - 1;
        while (start > 0 && t[start].sep != '-')
            start--;
        int stop = end;
        while (stop > start && maven_null(&t[stop - 1]))
            stop--;
        /* the segment's tokens, kept in reverse order for now */
        for (int k = stop - 1; k >= start; k--)
            kept[out++] = t[k];
        end = start;
    }
    for (int k = 0; k < out; k++)
        t[k] = kept[out - 1 - k];
    return out;
}

/* .qualifier < -qualifier < -number < .number: the specification puts
 * the two qualifiers level, but Maven itself (and the vectors taken from
 * it) keep a qualifier inside a '.' list below one that opens a '-' list. */
static int maven_rank(const maven_token *t)
{
    if (!t->number)
        return t->sep == '-' ? 1 : 0;
    return t->sep == '-' ? 2 : 3;
}

static int maven_token_cmp(const maven_token *a, const maven_token *b)
{
    int ra = maven_rank(a), rb = maven_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (a->number)
        return deps_cmp_digits(a->s, a->n, b->s, b->n);
    int qa = maven_qualifier_rank(a->s, a->n), qb = maven_qualifier_rank(b->s, b->n);
    if (qa != qb)
        return qa < qb ? -1 : 1;
    if (qa != 7)
        return 0;
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->s, b->s, m);
    if (c)
        return c < 0 ? -1 : 1;
    return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

/* A token against the end of the other version: a null token with the
 * same separator (0 for a number, "" for a qualifier). */
static int maven_vs_null(const maven_token *t)
{
    maven_token null = *t;
    if (t->number)
        null.s = "0", null.n = 1;
    else
        null.s = "", null.n = 0;
    return maven_token_cmp(t, &null);
}

int slsec_version_cmp_maven(const char *a, const char *b, int *out)
{
    char abuf[512], bbuf[512];
    maven_token x[MAVEN_MAX_TOKENS], y[MAVEN_MAX_TOKENS];
    int xn = maven_parse(a, abuf, sizeof abuf, x), yn = maven_parse(b, bbuf, sizeof bbuf, y);
    if (xn < 0 || yn < 0)
        return SLSEC_EPARSE;
    for (int i = 0; i < xn || i < yn; i++) {
        int c = i >= xn ? -maven_vs_null(&y[i]) : i >= yn ? maven_vs_null(&x[i]) : maven_token_cmp(&x[i], &y[i]);
        if (c) {
            *out = c;
            return SLSEC_OK;
        }
    }
    *out = 0;
    return SLSEC_OK;
}

/* ---- Packagist (PHP version_compare) -------------------------------------------------- */

/* PHP's canonical form: '-', '_' and '+' become '.', and a '.' goes
 * between a digit and a non-digit that touch. */
static bool php_canonical(const char *v, char *buf, size_t bufsize)
{
    if (*v == 'v' || *v == 'V')
        v++;
    size_t q = 0;
    for (const char *p = v; *p; p++) {
        if (q + 3 >= bufsize)
            return false;
        char c = (*p == '-' || *p == '_' || *p == '+') ? '.' : *p;
        if (q > 0 && c != '.' && buf[q - 1] != '.' &&
            (isdigit((unsigned char)c) != 0) != (isdigit((unsigned char)buf[q - 1]) != 0))
            buf[q++] = '.';
        buf[q++] = c;
    }
    buf[q] = '\0';
    return true;
}

typedef struct php_part {
    const char *s;
    size_t n;
} php_part;

static bool php_number(const php_part *p) { return p->n > 0 && strspn(p->s, "0123456789") >= p->n; }

/* The special forms by weight, matched as prefixes: dev, a(lpha), b(eta),
 * RC/rc, '#' (where a number stands), p(l); anything else is lighter. */
static int php_weight(const php_part *p)
{
    static const char *const forms[] = {"dev", "a", "b", "rc", "#", "p"};
    if (p->n >= 2 && p->s[0] == 'R' && p->s[1] == 'C')
        return 3;
    for (int i = 0; i < 6; i++) {
        size_t fl = strlen(forms[i]);
        if (p->n >= fl && !memcmp(p->s, forms[i], fl))
            return i;
    }
    return -7;
}

static const php_part php_hash = {"#", 1};

static int php_compare(const php_part *a, int an, const php_part *b, int bn)
{
    int m = an < bn ? an : bn;
    for (int i = 0; i < m; i++) {
        bool na = php_number(&a[i]), nb = php_number(&b[i]);
        int c;
        if (na && nb) {
            c = deps_cmp_digits(a[i].s, a[i].n, b[i].s, b[i].n);
        } else {
            int wa = php_weight(na ? &php_hash : &a[i]), wb = php_weight(nb ? &php_hash : &b[i]);
            c = wa < wb ? -1 : wa > wb;
        }
        if (c)
            return c;
    }
    if (an > bn)
        return php_number(&a[bn]) ? 1 : php_compare(a + bn, an - bn, &php_hash, 1);
    if (an < bn)
        return php_number(&b[an]) ? -1 : php_compare(&php_hash, 1, b + an, bn - an);
    return 0;
}

#define PHP_MAX_PARTS 128

/* Splits the canonical form at every '.', keeping empty parts. */
static int php_split(const char *canon, php_part *parts)
{
    int n = 0;
    const char *p = canon;
    for (;;) {
        if (n == PHP_MAX_PARTS)
            return -1;
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        parts[n++] = (php_part){p, len};
        if (!dot)
            return n;
        p = dot + 1;
    }
}

int slsec_version_cmp_packagist(const char *a, const char *b, int *out)
{
    char ab[512], bb[512];
    php_part x[PHP_MAX_PARTS], y[PHP_MAX_PARTS];
    if (!php_canonical(a, ab, sizeof ab) || !php_canonical(b, bb, sizeof bb))
        return SLSEC_EPARSE;
    int xn = php_split(ab, x), yn = php_split(bb, y);
    if (xn < 0 || yn < 0)
        return SLSEC_EPARSE;
    *out = php_compare(x, xn, y, yn);
    return SLSEC_OK;
}
