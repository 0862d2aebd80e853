/*
 * match.c — does an advisory affect an installed version? OSV semantics:
 *
 *   - `versions`: the version is listed (equal in the ecosystem's order,
 *     so PyPI's "1.0" matches "1.0.0");
 *   - each range of type SEMVER or ECOSYSTEM: its events are sorted in
 *     version order ("introduced: 0" first) and walked; the version is
 *     affected after an `introduced` at or below it, until a `fixed` at or
 *     below it or a `last_affected` below it. A `limit` at or below the
 *     version ends the range. GIT ranges name commits, not versions, and
 *     are left out; other types are a warning.
 *
 * Advisories about one flaw (GHSA, PYSEC, CVE naming each other as
 * aliases) are merged per package: the representative id is the smallest
 * non-CVE id of the group (CVE ids stay aliases), severities take the
 * worst known, fixed versions are the union, in version order.
 */
#include "osvdb_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct event {
    int kind; /* 0 introduced, 1 fixed, 2 last_affected, 3 limit */
    const char *v;
} event;

static int event_cmp(const event *a, const event *b, slsec_ecosystem eco)
{
    bool az = a->kind == 0 && strcmp(a->v, "0") == 0, bz = b->kind == 0 && strcmp(b->v, "0") == 0;
    if (az || bz)
        return az == bz ? 0 : az ? -1 : 1;
    int c = 0;
    if (slsec_version_cmp(eco, a->v, b->v, &c) != SLSEC_OK)
        c = strcmp(a->v, b->v);
    return c ? c : a->kind - b->kind;
}

/* Insertion sort: ranges hold a handful of events, and qsort has no
 * context argument in C11. */
static void sort_events(event *ev, size_t n, slsec_ecosystem eco)
{
    for (size_t i = 1; i < n; i++) {
        event x = ev[i];
        size_t j = i;
        while (j > 0 && event_cmp(&ev[j - 1], &x, eco) > 0) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = x;
    }
}

static void add_unique(slsec_arena *a, slsec_ptrvec *v, const char *s)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->items[i], s) == 0)
            return;
    slsec_ptrvec_push(a, v, (void *)s);
}

/* <0, 0, >0 of version against an event's version; false if unordered. */
static bool vcmp(slsec_ecosystem eco, const char *version, const char *other, int *c)
{
    return slsec_version_cmp(eco, version, other, c) == SLSEC_OK;
}

typedef struct matcher {
    const slsec_package *pkg;
    slsec_arena *a;
    slsec_diags *warnings;
    const char *adv_id;
    slsec_ptrvec *fixed; /* const char*, from the ranges that hit */
} matcher;

static void warn_adv(matcher *m, const char *what, const char *value)
{
    slsec_diags_addf(m->warnings, SLSEC_DIAG_WARNING, m->pkg->loc.file, m->pkg->loc.line, m->pkg->loc.col,
                     "advisory %s for %s: %s '%s'; that part of the advisory was not checked", m->adv_id,
                     m->pkg->name, what, value);
}

/* Is the version in this range? Adds the fixing version to m->fixed. */
static bool range_hits(matcher *m, json_t *range)
{
    const char *type = json_string_value(json_object_get(range, "type"));
    if (!type || strcmp(type, "GIT") == 0)
        return false;
    if (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0) {
        warn_adv(m, "unknown range type", type);
        return false;
    }
    json_t *events = json_object_get(range, "events");
    size_t n = json_array_size(events);
    if (!n || n > 4096)
        return false;
    event *ev = calloc(n, sizeof *ev);
    if (!ev)
        slsec_oom();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(events, i);
        static const char *const keys[] = {"introduced", "fixed", "last_affected", "limit"};
        for (int t = 0; t < 4; t++) {
            const char *v = json_string_value(json_object_get(e, keys[t]));
            if (v) {
                ev[k].kind = t;
                ev[k].v = v;
                k++;
                break;
            }
        }
    }
    slsec_ecosystem eco = m->pkg->eco;
    sort_events(ev, k, eco);
    bool hit = false, bad = false;
    for (size_t i = 0; i < k && !bad; i++) {
        int c = 0;
        bool zero = ev[i].kind == 0 && strcmp(ev[i].v, "0") == 0;
        if (!zero && !vcmp(eco, m->pkg->version, ev[i].v, &c)) {
            warn_adv(m, "unreadable version", ev[i].v);
            bad = true;
            break;
        }
        switch (ev[i].kind) {
        case 0:
            if (zero || c >= 0)
                hit = true;
            break;
        case 1:
            if (c >= 0)
                hit = false;
            break;
        case 2:
            if (c > 0)
                hit = false;
            break;
        case 3:
            if (c >= 0) {
                hit = false;
                i = k; /* nothing at or above a limit is affected */
            }
            break;
        }
    }
    /* The fixed event that ends the stretch holding the version. */
    if (hit && !bad) {
        const char *fix = NULL;
        for (size_t i = 0; i < k; i++) {
            int c = 0;
            if (ev[i].kind == 1 && vcmp(eco, m->pkg->version, ev[i].v, &c) && c < 0) {
                fix = ev[i].v;
                break;
            }
        }
        if (fix)
            add_unique(m->a, m->fixed, slsec_arena_strdup(m->a, fix));
    }
    free(ev);
    return hit && !bad;
}

static bool affected_hits(matcher *m, const char *data)
{
    json_error_t jerr;
    json_t *d = json_loads(data, 0, &jerr);
    if (!d)
        return false;
    bool hit = false;
    json_t *versions = json_object_get(d, "versions");
    for (size_t i = 0; !hit && i < json_array_size(versions); i++) {
        const char *v = json_string_value(json_array_get(versions, i));
        int c = 1;
        if (v && ((vcmp(m->pkg->eco, m->pkg->version, v, &c) && c == 0) || strcmp(v, m->pkg->version) == 0))
            hit = true;
    }
    json_t *ranges = json_object_get(d, "ranges");
    for (size_t i = 0; i < json_array_size(ranges); i++)
        hit |= range_hits(m, json_array_get(ranges, i));
    json_decref(d);
    return hit;
}

/* ---- merging aliases --------------------------------------------------------------- */

typedef struct hit {
    const char *id;
    const char *aliases; /* space-separated */
    const char *summary;
    int severity;
    slsec_ptrvec fixed;
    int group;
} hit;

static bool names_id(const char *aliases, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = aliases; (p = strstr(p, id)) != NULL; p += n)
        if ((p == aliases || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static bool related(const hit *a, const hit *b)
{
    if (names_id(a->aliases, b->id) || names_id(b->aliases, a->id))
        return true;
    /* a shared alias (both name the same CVE) */
    const char *p = a->aliases;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char id[128];
        if (n && n < sizeof id) {
            memcpy(id, p, n);
            id[n] = '\0';
            if (names_id(b->aliases, id))
                return true;
        }
        p += n + (e != NULL);
    }
    return false;
}

static bool is_cve(const char *id) { return strncmp(id, "CVE-", 4) == 0; }

/* Is a a better representative than b? */
static bool better_id(const char *a, const char *b)
{
    if (is_cve(a) != is_cve(b))
        return !is_cve(a);
    return strcmp(a, b) < 0;
}

static int by_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int by_vuln_id(const void *x, const void *y)
{
    const slsec_vuln *a = *(const slsec_vuln *const *)x, *b = *(const slsec_vuln *const *)y;
    return strcmp(a->id, b->id);
}

static void sort_versions(slsec_ptrvec *v, slsec_ecosystem eco)
{
    for (size_t i = 1; i < v->count; i++) {
        void *x = v->items[i];
        size_t j = i;
        int c = 0;
        while (j > 0 && slsec_version_cmp(eco, v->items[j - 1], x, &c) == SLSEC_OK && c > 0) {
            v->items[j] = v->items[j - 1];
            j--;
        }
        v->items[j] = x;
    }
}

static void merge(slsec_arena *a, const slsec_package *pkg, hit *hits, size_t n, slsec_ptrvec *vulns)
{
    for (size_t i = 0; i < n; i++)
        hits[i].group = (int)i;
    /* union by repeated relabelling: n is small (advisories for one package) */
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (hits[i].group != hits[j].group && related(&hits[i], &hits[j])) {
                    int from = hits[j].group, to = hits[i].group;
                    for (size_t k = 0; k < n; k++)
                        if (hits[k].group == from)
                            hits[k].group = to;
                    changed = true;
                }
    }
    for (size_t g = 0; g < n; g++) {
        slsec_vuln *v = NULL;
        for (size_t i = 0; i < n; i++) {
            if (hits[i].group != (int)g)
                continue;
            if (!v) {
                v = slsec_arena_alloc(a, sizeof *v);
                v->pkg = pkg;
                v->id = hits[i].id;
                v->summary = hits[i].summary;
            } else if (better_id(hits[i].id, v->id)) {
                v->id = hits[i].id;
                if (hits[i].summary)
                    v->summary = hits[i].summary;
            }
            if (hits[i].severity >= 0 && (!v->severity_known || hits[i].severity > (int)v->severity)) {
                v->severity = (slsec_severity)hits[i].severity;
                v->severity_known = true;
            }
            for (size_t k = 0; k < hits[i].fixed.count; k++)
                add_unique(a, &v->fixed, hits[i].fixed.items[k]);
        }
        if (!v)
            continue;
        /* every id of the group but the representative, plus their aliases */
        for (size_t i = 0; i < n; i++) {
            if (hits[i].group != (int)g)
                continue;
            if (strcmp(hits[i].id, v->id) != 0)
                add_unique(a, &v->aliases, hits[i].id);
            char *copy = slsec_arena_strdup(a, hits[i].aliases);
            char *save = NULL;
            for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (strcmp(t, v->id) != 0)
                    add_unique(a, &v->aliases, t);
        }
        if (v->aliases.count > 1)
            qsort(v->aliases.items, v->aliases.count, sizeof *v->aliases.items, by_str);
        sort_versions(&v->fixed, pkg->eco);
        slsec_ptrvec_push(a, vulns, v);
    }
}

int slsec_osvdb_match(slsec_osvdb *db, slsec_arena *a, const slsec_package *pkg, slsec_ptrvec *vulns,
                      slsec_diags *warnings)
{
    int probe = 0;
    if (slsec_version_cmp(pkg->eco, pkg->version, pkg->version, &probe) != SLSEC_OK) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, pkg->loc.file, pkg->loc.line, pkg->loc.col,
                         "%s: version '%s' cannot be read as a %s version; not checked", pkg->name, pkg->version,
                         slsec_ecosystem_name(pkg->eco));
        return SLSEC_EPARSE;
    }
    const char *name = slsec_package_name_norm(a, pkg->eco, pkg->name);
    sqlite3_stmt *q = db->lookup;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, slsec_ecosystem_name(pkg->eco), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
    hit *hits = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        const char *data = (const char *)sqlite3_column_text(q, 4);
        if (!id || !data)
            continue;
        /* one advisory may list the package in several affected entries */
        size_t at = n;
        for (size_t i = 0; i < n; i++)
            if (strcmp(hits[i].id, id) == 0)
                at = i;
        slsec_ptrvec fixed = at < n ? hits[at].fixed : (slsec_ptrvec){0};
        matcher m = {.pkg = pkg, .a = a, .warnings = warnings, .adv_id = id, .fixed = &fixed};
        if (!affected_hits(&m, data)) {
            if (at < n)
                hits[at].fixed = fixed;
            continue;
        }
        if (at == n) {
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                hit *more = realloc(hits, cap * sizeof *more);
                if (!more)
                    slsec_oom();
                hits = more;
            }
            const char *aliases = (const char *)sqlite3_column_text(q, 1);
            const char *summary = (const char *)sqlite3_column_text(q, 2);
            hits[n] = (hit){
                .id = slsec_arena_strdup(a, id),
                .aliases = slsec_arena_strdup(a, aliases ? aliases : ""),
                .summary = summary ? slsec_arena_strdup(a, summary) : NULL,
                .severity = sqlite3_column_int(q, 3),
            };
            n++;
        }
        hits[at].fixed = fixed;
    }
    sqlite3_reset(q);
    size_t before = vulns->count;
    if (n)
        merge(a, pkg, hits, n, vulns);
    free(hits);
    if (vulns->count - before > 1)
        qsort(vulns->items + before, vulns->count - before, sizeof *vulns->items, by_vuln_id);
    if (rc != SQLITE_DONE) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, pkg->loc.file, pkg->loc.line, pkg->loc.col,
                         "%s: the advisory index could not be read: %s", pkg->name, sqlite3_errmsg(db->db));
        return SLSEC_EIO;
    }
    return SLSEC_OK;
}
