/*
 * lockfile_pom.c — Maven's pom.xml, for the dependencies it pins.
 *
 * A pom is not a lockfile: what Maven resolves transitively is only known
 * after a build. What the file itself fixes is read: each
 * <dependency> of the project's <dependencies> (also inside
 * <dependencyManagement> and <profiles>), as groupId:artifactId at its
 * <version>, when that version is literal or a ${property} the pom's own
 * <properties> define as a literal. Version ranges ("[1.0,2.0)"), other
 * property references and missing versions (inherited from a parent)
 * are skipped; plugin dependencies are the build's, not the function's,
 * and are skipped too. Scope "test" marks a dev dependency; every
 * dependency listed is direct.
 *
 * The XML is read by a small scanner that knows elements, text, comments,
 * CDATA, processing instructions and DOCTYPE, and nothing else (no
 * entities beyond the five predefined, no namespaces): enough for a pom,
 * and a hostile file can at worst yield odd names. Depth is bounded.
 */
#include "deps_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define POM_MAX_DEPTH 64
#define POM_MAX_NAME 64

typedef struct pom_dep {
    const char *group, *artifact, *version, *scope;
    int line, col;
    bool in_plugin;
} pom_dep;

typedef struct pom_reader {
    lockctx *c;
    const char *p, *end;
    int line;
    const char *line_start;
    char stack[POM_MAX_DEPTH][POM_MAX_NAME];
    int depth;
    int plugin_depth; /* > 0 while inside a <plugin> */
    pom_dep cur;
    bool in_dep;
    slsec_ptrvec deps;   /* pom_dep* */
    slsec_strmap *props; /* name -> literal value */
    bool saw_project;
} pom_reader;

static void advance(pom_reader *r, size_t n)
{
    for (size_t i = 0; i < n && r->p < r->end; i++, r->p++)
        if (*r->p == '\n')
            r->line++, r->line_start = r->p + 1;
}

/* Skips past the first occurrence of terminator; false (with a warning)
 * when the file ends first. */
static bool skip_past(pom_reader *r, const char *terminator)
{
    int line = r->line, col = (int)(r->p - r->line_start) + 1;
    size_t tl = strlen(terminator);
    while (r->p + tl <= r->end) {
        if (!memcmp(r->p, terminator, tl)) {
            advance(r, tl);
            return true;
        }
        advance(r, 1);
    }
    r->p = r->end;
    lock_warn(r->c, line, col, "pom.xml ends inside a comment or declaration opened here (no '%s')", terminator);
    return false;
}

/* The text up to the next '<', trimmed and with the predefined entities
 * decoded, in the arena. */
static const char *read_text(pom_reader *r)
{
    const char *s = r->p;
    const char *lt = memchr(s, '<', (size_t)(r->end - s));
    const char *e = lt ? lt : r->end;
    advance(r, (size_t)(e - s));
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    char *out = slsec_arena_alloc(r->c->arena, (size_t)(e - s) + 1);
    size_t k = 0;
    static const struct { const char *entity, ch; } ents[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''},
    };
    while (s < e) {
        bool done = false;
        for (size_t i = 0; *s == '&' && i < 5 && !done; i++) {
            size_t el = strlen(ents[i].entity);
            if ((size_t)(e - s) >= el && !memcmp(s, ents[i].entity, el)) {
                out[k++] = ents[i].ch;
                s += el;
                done = true;
            }
        }
        if (!done)
            out[k++] = *s++;
    }
    out[k] = '\0';
    return out;
}

static bool top_is(const pom_reader *r, int from_top, const char *name)
{
    int i = r->depth - 1 - from_top;
    return i >= 0 && strcmp(r->stack[i], name) == 0;
}

static void on_open(pom_reader *r, const char *name, int line, int col)
{
    if (!strcmp(name, "project") && r->depth == 1)
        r->saw_project = true;
    if (!strcmp(name, "plugin"))
        r->plugin_depth++;
    if (!strcmp(name, "dependency") && top_is(r, 1, "dependencies")) {
        memset(&r->cur, 0, sizeof r->cur);
        r->cur.line = line;
        r->cur.col = col;
        r->cur.in_plugin = r->plugin_depth > 0;
        r->in_dep = true;
    }
}

static void on_close(pom_reader *r, const char *name)
{
    if (!strcmp(name, "plugin") && r->plugin_depth > 0)
        r->plugin_depth--;
    if (!strcmp(name, "dependency") && r->in_dep) {
        r->in_dep = false;
        if (!r->cur.in_plugin && r->cur.group && r->cur.artifact) {
            pom_dep *d = slsec_arena_alloc(r->c->arena, sizeof *d);
            *d = r->cur;
            slsec_ptrvec_push(r->c->arena, &r->deps, d);
        }
    }
}

/* Text inside the element on top of the stack. */
static void on_text(pom_reader *r, const char *text)
{
    if (r->in_dep && top_is(r, 1, "dependency")) {
        if (top_is(r, 0, "groupId"))
            r->cur.group = text;
        else if (top_is(r, 0, "artifactId"))
            r->cur.artifact = text;
        else if (top_is(r, 0, "version"))
            r->cur.version = text;
        else if (top_is(r, 0, "scope"))
            r->cur.scope = text;
    } else if (r->depth == 3 && top_is(r, 1, "properties") && top_is(r, 2, "project")) {
        slsec_strmap_put(r->props, slsec_arena_strdup(r->c->arena, r->stack[r->depth - 1]), (void *)text);
    }
}

/* A tag: <name attrs>, </name>, <name/>. False when the file is not XML
 * as far as this reader goes (a warning says where). */
static bool read_tag(pom_reader *r)
{
    int line = r->line, col = (int)(r->p - r->line_start) + 1;
    advance(r, 1); /* '<' */
    bool closing = r->p < r->end && *r->p == '/';
    if (closing)
        advance(r, 1);
    char name[POM_MAX_NAME];
    size_t n = 0;
    while (r->p < r->end && (isalnum((unsigned char)*r->p) || (*r->p && strchr("_:.-", *r->p)))) {
        if (n + 1 < sizeof name)
            name[n++] = *r->p;
        advance(r, 1);
    }
    name[n] = '\0';
    if (n == 0) {
        lock_warn(r->c, line, col, "not a pom.xml this reader understands: a tag without a name");
        return false;
    }
    /* attributes: skip to '>', minding quoted values */
    char quote = 0;
    bool self_closing = false;
    while (r->p < r->end) {
        char ch = *r->p;
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '>') {
            self_closing = r->p[-1] == '/';
            advance(r, 1);
            break;
        }
        advance(r, 1);
    }
    /* a namespace prefix is not part of the name (<m:project>) */
    const char *local = strchr(name, ':') ? strchr(name, ':') + 1 : name;
    if (closing) {
        if (r->depth > 0 && !strcmp(r->stack[r->depth - 1], local)) {
            on_close(r, local);
            r->depth--;
        }
        return true;
    }
    if (r->depth == POM_MAX_DEPTH) {
        lock_warn(r->c, line, col, "pom.xml nested deeper than %d elements; the rest is not read", POM_MAX_DEPTH);
        return false;
    }
    snprintf(r->stack[r->depth++], POM_MAX_NAME, "%s", local);
    on_open(r, local, line, col);
    if (self_closing) {
        on_close(r, local);
        r->depth--;
    }
    return true;
}

/* The version a dependency pins, or NULL when the pom does not say. */
static const char *pinned_version(pom_reader *r, const char *v)
{
    if (!v || !*v)
        return NULL;
    if (v[0] == '$' && v[1] == '{') {
        size_t n = strlen(v);
        if (v[n - 1] != '}')
            return NULL;
        char key[POM_MAX_NAME];
        if (n - 3 >= sizeof key)
            return NULL;
        memcpy(key, v + 2, n - 3);
        key[n - 3] = '\0';
        v = slsec_strmap_get(r->props, key);
        if (!v || strstr(v, "${"))
            return NULL;
    }
    if (strpbrk(v, "[]()," ) || strstr(v, "${"))
        return NULL; /* a range, or still a reference */
    return v;
}

int lock_pom_xml(lockctx *c, const char *data, size_t len)
{
    pom_reader r = {.c = c, .p = data, .end = data + len, .line = 1, .line_start = data};
    r.props = slsec_strmap_new(c->arena);
    bool ok = true;
    while (ok && r.p < r.end) {
        if (*r.p != '<') {
            const char *text = read_text(&r);
            if (*text)
                on_text(&r, text);
            continue;
        }
        size_t left = (size_t)(r.end - r.p);
        if (left >= 4 && !memcmp(r.p, "<!--", 4))
            ok = skip_past(&r, "-->");
        else if (left >= 9 && !memcmp(r.p, "<![CDATA[", 9))
            ok = skip_past(&r, "]]>");
        else if (left >= 2 && (r.p[1] == '?' || r.p[1] == '!'))
            ok = skip_past(&r, ">");
        else
            ok = read_tag(&r);
    }
    if (!r.saw_project) {
        lock_warn(c, 0, 0, "not a pom.xml: no <project> element");
        return SLSEC_EPARSE;
    }
    for (size_t i = 0; i < r.deps.count; i++) {
        pom_dep *d = r.deps.items[i];
        const char *v = pinned_version(&r, d->version);
        if (!v)
            continue;
        const char *name = slsec_arena_printf(c->arena, "%s:%s", d->group, d->artifact);
        bool dev = d->scope && !strcmp(d->scope, "test");
        lock_add(c, SLSEC_ECO_MAVEN, name, strlen(name), v, strlen(v), d->line, d->col, dev, true);
    }
    return ok ? SLSEC_OK : SLSEC_EPARSE; /* what came before the problem still counts */
}
