/*
 * gitignore.c — which files git ignores, as `git check-ignore` decides.
 *
 * The secret pass leaves out what git ignores (build output, dependencies,
 * local environments). libgit2 answered that before, but initialising it
 * loads and parses the system's CA certificates for its HTTPS transport:
 * 5 ms before the first answer, a twentieth of a 1,000-function scan and
 * half of a small one, for a question that needs no network.
 *
 * The rules, from git's gitignore(5):
 *   - sources, lowest precedence first: core.excludesFile (from the
 *     system, global and repository configuration; default
 *     $XDG_CONFIG_HOME/git/ignore), .git/info/exclude, then the .gitignore
 *     of each directory from the top of the work tree down to the path's
 *     own; the last pattern that matches decides, `!` re-including;
 *   - a pattern with a slash before its end is anchored to its file's
 *     directory, one without is matched against the last component at any
 *     depth; a trailing slash matches directories only;
 *   - `*` and `?` never match a slash, `[...]` is a class, a backslash
 *     quotes, `**` between slashes (or at either end) spans directories;
 *   - a path inside an ignored directory is ignored, whatever says
 *     otherwise deeper down (git never looks inside).
 * Matching is case-sensitive (core.ignoreCase is not consulted), and a
 * pattern costing more than a fixed number of steps on one path counts as
 * not matching: a hostile .gitignore cannot make the scan backtrack for
 * ever.
 */
#include "gitignore.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_IGNORE_FILE_BYTES (4u << 20)
#define MATCH_STEP_BUDGET 100000

typedef struct pattern {
    const char *glob; /* without the !, the leading / and the trailing / */
    bool negated, dir_only, anchored;
} pattern;

/* The patterns of one source, and the directory (relative to the work
 * tree, "" for its top) that anchored patterns start from. */
typedef struct pattern_list {
    const char *base;
    pattern *items;
    size_t count;
} pattern_list;

struct slsec_gitignore {
    slsec_arena *arena;
    char *workdir; /* absolute, symlink-free, without a trailing slash */
    pattern_list global, info;
    slsec_strmap *dir_lists;   /* relative dir → pattern_list* of its .gitignore */
    slsec_strmap *dir_ignored; /* relative dir → (void*)1 ignored, (void*)2 not */
    bool no_files;             /* made from text: read no .gitignore */
};

/* ---- wildmatch -------------------------------------------------------------------------- */

typedef struct wild {
    const char *pattern_start;
    long steps;
} wild;

/* A bracket expression at p (just after '['): does it take c? *end is set
 * past the closing ']'; false with *end NULL when there is none (the '['
 * is then an ordinary character). */
static bool class_match(const char *p, unsigned char c, const char **end)
{
    bool negate = *p == '!' || *p == '^';
    if (negate)
        p++;
    bool hit = false;
    bool first = true;
    for (; *p && (*p != ']' || first); first = false) {
        if (*p == '[' && p[1] == ':') {
            const char *close = strstr(p + 2, ":]");
            if (close) {
                size_t n = (size_t)(close - (p + 2));
                static const struct {
                    const char *name;
                    int (*fn)(int);
                } classes[] = {{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
                               {"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
                               {"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit}};
                for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
                    if (strlen(classes[i].name) == n && strncmp(classes[i].name, p + 2, n) == 0 && classes[i].fn(c))
                        hit = true;
                p = close + 2;
                continue;
            }
        }
        unsigned char lo = (unsigned char)*p;
        if (lo == '\\' && p[1])
            lo = (unsigned char)*++p;
        p++;
        unsigned char hi = lo;
        if (*p == '-' && p[1] && p[1] != ']') {
            p++;
            if (*p == '\\' && p[1])
                p++;
            hi = (unsigned char)*p++;
        }
        if (c >= lo && c <= hi)
            hit = true;
    }
    if (*p != ']') {
        *end = NULL;
        return false;
    }
    *end = p + 1;
    return hit != negate;
}

static bool wild_match(wild *w, const char *p, const char *t)
{
    while (*p) {
        if (++w->steps > MATCH_STEP_BUDGET)
            return false;
        switch (*p) {
        case '?':
            if (!*t || *t == '/')
                return false;
            p++, t++;
            break;
        case '*': {
            const char *stars = p;
            while (*p == '*')
                p++;
            bool spans = p - stars >= 2 && (stars == w->pattern_start || stars[-1] == '/') && (!*p || *p == '/');
            if (spans) {
                if (!*p)
                    return true; /* a trailing ** takes everything below */
                /* "**" + "/": no directory at all, or any number of them */
                if (wild_match(w, p + 1, t))
                    return true;
                for (const char *s = t; *s; s++)
                    if (*s == '/' && wild_match(w, p + 1, s + 1))
                        return true;
                return false;
            }
            if (!*p)
                return !strchr(t, '/');
            for (const char *s = t;; s++) {
                if (wild_match(w, p, s))
                    return true;
                if (!*s || *s == '/' || w->steps > MATCH_STEP_BUDGET)
                    return false;
            }
            return false; /* not reached */
        }
        case '[': {
            const char *end;
            if (!*t || *t == '/')
                return false;
            bool hit = class_match(p + 1, (unsigned char)*t, &end);
            if (end) {
                if (!hit)
                    return false;
                p = end, t++;
                break;
            }
            if (*t != '[')
                return false;
            p++, t++;
            break;
        }
        default:
            if (*p == '\\' && p[1])
                p++; /* the quoted character is literal */
            if (*p != *t)
                return false;
            p++, t++;
        }
    }
    return !*t;
}

/* ---- loading patterns ------------------------------------------------------------------- */

/* A configuration or ignore file, NUL-terminated; NULL when it cannot be
 * read or is larger than any real one (it is then left out). */
static char *read_small_file(const char *path, size_t *len)
{
    char *data = NULL;
    slsec_diag d;
    return slsec_read_file(path, MAX_IGNORE_FILE_BYTES, &data, len, &d) == SLSEC_OK ? data : NULL;
}

static void parse_patterns(slsec_gitignore *g, const char *text, size_t len, const char *base, pattern_list *out)
{
    out->base = base;
    slsec_ptrvec items = {0};
    const char *line = text, *end = text + len;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
        const char *next = nl ? nl + 1 : end;
        if (n && line[n - 1] == '\r')
            n--;
        /* trailing spaces go, unless quoted by a backslash */
        while (n && line[n - 1] == ' ' && !(n >= 2 && line[n - 2] == '\\'))
            n--;
        if (n == 0 || line[0] == '#') {
            line = next;
            continue;
        }
        pattern *pt = slsec_arena_alloc(g->arena, sizeof *pt);
        const char *s = line;
        if (*s == '!') {
            pt->negated = true;
            s++, n--;
        }
        if (n && s[n - 1] == '/') {
            pt->dir_only = true;
            n--;
        }
        /* a slash anywhere but at the end anchors the pattern */
        pt->anchored = memchr(s, '/', n) != NULL;
        if (n && *s == '/')
            s++, n--;
        if (n == 0) {
            line = next;
            continue;
        }
        pt->glob = slsec_arena_strndup(g->arena, s, n);
        slsec_ptrvec_push(g->arena, &items, pt);
        line = next;
    }
    out->count = items.count;
    out->items = slsec_arena_alloc(g->arena, (items.count ? items.count : 1) * sizeof *out->items);
    for (size_t i = 0; i < items.count; i++)
        out->items[i] = *(pattern *)items.items[i];
}

static void load_patterns(slsec_gitignore *g, const char *path, const char *base, pattern_list *out)
{
    size_t len = 0;
    char *text = read_small_file(path, &len);
    out->base = base;
    if (!text)
        return;
    parse_patterns(g, text, len, base, out);
    free(text);
}

static const pattern_list *dir_patterns(slsec_gitignore *g, const char *rel_dir)
{
    pattern_list *l = slsec_strmap_get(g->dir_lists, rel_dir);
    if (l)
        return l;
    l = slsec_arena_alloc(g->arena, sizeof *l);
    const char *key = slsec_arena_strdup(g->arena, rel_dir);
    if (g->no_files) {
        l->base = key;
    } else {
        char *path = slsec_arena_printf(g->arena, "%s%s%s/.gitignore", g->workdir, *rel_dir ? "/" : "", rel_dir);
        load_patterns(g, path, key, l);
    }
    slsec_strmap_put(g->dir_lists, key, l);
    return l;
}

/* ---- core.excludesFile ---------------------------------------------------------------- */

/* The value of core.excludesFile in one git configuration file, if set
 * there (a small reader: sections, keys and quoted values, which is all
 * this key needs; includes are not followed). */
static char *config_excludes_file(const char *config_path)
{
    size_t len;
    char *text = read_small_file(config_path, &len);
    if (!text)
        return NULL;
    char *value = NULL;
    bool in_core = false;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (isspace((unsigned char)*line))
            line++;
        if (*line == '[') {
            char *close = strchr(line, ']');
            if (close)
                *close = '\0';
            char *name = line + 1;
            while (isspace((unsigned char)*name))
                name++;
            size_t nl = strcspn(name, " \t\"");
            in_core = nl == 4 && strncasecmp(name, "core", 4) == 0 && !strchr(name, '"');
            continue;
        }
        if (!in_core || strncasecmp(line, "excludesfile", 12) != 0)
            continue;
        char *eq = line + 12;
        while (*eq == ' ' || *eq == '\t')
            eq++;
        if (*eq != '=')
            continue;
        eq++;
        while (*eq == ' ' || *eq == '\t')
            eq++;
        size_t n = strcspn(eq, "#;\r");
        while (n && isspace((unsigned char)eq[n - 1]))
            n--;
        if (n >= 2 && eq[0] == '"' && eq[n - 1] == '"')
            eq++, n -= 2;
        free(value);
        value = strndup(eq, n);
    }
    free(text);
    return value;
}

static void load_global_excludes(slsec_gitignore *g, const char *git_dir)
{
    const char *home = getenv("HOME");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *xdg_base = xdg && *xdg ? xdg : slsec_arena_printf(g->arena, "%s/.config", home ? home : "");
    const char *configs[4] = {
        "/etc/gitconfig",
        slsec_arena_printf(g->arena, "%s/git/config", xdg_base),
        home ? slsec_arena_printf(g->arena, "%s/.gitconfig", home) : NULL,
        slsec_arena_printf(g->arena, "%s/config", git_dir),
    };
    char *file = NULL;
    for (int i = 0; i < 4; i++) { /* the later ones override */
        char *v = configs[i] ? config_excludes_file(configs[i]) : NULL;
        if (v) {
            free(file);
            file = v;
        }
    }
    const char *path;
    if (!file)
        path = slsec_arena_printf(g->arena, "%s/git/ignore", xdg_base);
    else if (file[0] == '~' && file[1] == '/')
        path = slsec_arena_printf(g->arena, "%s%s", home ? home : "", file + 1);
    else
        path = slsec_arena_strdup(g->arena, file);
    free(file);
    load_patterns(g, path, "", &g->global);
}

/* ---- the repository -------------------------------------------------------------------- */

/* The git directory of the work tree `top`: top/.git, or where a .git
 * file ("gitdir: PATH", worktrees and submodules) points; NULL if none. */
static const char *git_dir_of(slsec_arena *a, const char *top)
{
    const char *dotgit = slsec_arena_printf(a, "%s/.git", top);
    struct stat st;
    if (stat(dotgit, &st) != 0)
        return NULL;
    if (S_ISDIR(st.st_mode))
        return dotgit;
    size_t len;
    char *text = read_small_file(dotgit, &len);
    if (!text)
        return NULL;
    const char *dir = NULL;
    if (strncmp(text, "gitdir:", 7) == 0) {
        char *v = text + 7;
        while (*v == ' ')
            v++;
        v[strcspn(v, "\r\n")] = '\0';
        dir = v[0] == '/' ? slsec_arena_strdup(a, v) : slsec_arena_printf(a, "%s/%s", top, v);
    }
    free(text);
    return dir;
}

slsec_gitignore *slsec_gitignore_open(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return NULL;
    struct stat st;
    if (stat(real, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(real, '/');
        if (slash && slash != real)
            *slash = '\0';
    }
    slsec_arena *a = slsec_arena_new();
    const char *git_dir;
    for (;;) {
        if ((git_dir = git_dir_of(a, real)))
            break;
        char *slash = strrchr(real, '/');
        if (!slash || slash == real) { /* no work tree up to / (one at / is not looked for) */
            free(real);
            slsec_arena_free(a);
            return NULL;
        }
        *slash = '\0';
    }
    slsec_gitignore *g = calloc(1, sizeof *g);
    if (!g)
        slsec_oom();
    g->arena = a;
    g->workdir = slsec_arena_strdup(a, real);
    free(real);
    g->dir_lists = slsec_strmap_new(a);
    g->dir_ignored = slsec_strmap_new(a);
    load_global_excludes(g, git_dir);
    load_patterns(g, slsec_arena_printf(a, "%s/info/exclude", git_dir), "", &g->info);
    return g;
}

slsec_gitignore *slsec_gitignore_from_text(const char *patterns, size_t len)
{
    slsec_gitignore *g = calloc(1, sizeof *g);
    if (!g)
        slsec_oom();
    g->arena = slsec_arena_new();
    g->workdir = "";
    g->no_files = true;
    g->global.base = g->info.base = "";
    g->dir_lists = slsec_strmap_new(g->arena);
    g->dir_ignored = slsec_strmap_new(g->arena);
    pattern_list *top = slsec_arena_alloc(g->arena, sizeof *top);
    parse_patterns(g, patterns, len, "", top);
    slsec_strmap_put(g->dir_lists, "", top);
    return g;
}

void slsec_gitignore_free(slsec_gitignore *g)
{
    if (!g)
        return;
    slsec_arena_free(g->arena);
    free(g);
}

const char *slsec_gitignore_workdir(const slsec_gitignore *g) { return g ? g->workdir : NULL; }

/* -1 excluded, 1 re-included, 0 no pattern of l matched rel. */
static int list_verdict(const pattern_list *l, const char *rel, bool is_dir)
{
    size_t bl = strlen(l->base);
    const char *below = rel; /* rel as seen from the list's directory */
    if (bl) {
        if (strncmp(rel, l->base, bl) != 0 || rel[bl] != '/')
            return 0;
        below = rel + bl + 1;
    }
    const char *name = strrchr(below, '/');
    name = name ? name + 1 : below;
    for (size_t i = l->count; i-- > 0;) {
        const pattern *pt = &l->items[i];
        if (pt->dir_only && !is_dir)
            continue;
        wild w = {.pattern_start = pt->glob};
        if (wild_match(&w, pt->glob, pt->anchored ? below : name))
            return pt->negated ? 1 : -1;
    }
    return 0;
}

/* rel's own verdict from every source that applies to it (its parent
 * directories' .gitignore files, the deepest deciding first). */
static bool path_excluded(slsec_gitignore *g, const char *rel, bool is_dir)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", rel);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            dir[0] = '\0';
        int v = list_verdict(dir_patterns(g, dir), rel, is_dir);
        if (v)
            return v < 0;
        if (!dir[0])
            break;
    }
    int v = list_verdict(&g->info, rel, is_dir);
    if (!v)
        v = list_verdict(&g->global, rel, is_dir);
    return v < 0;
}

static bool dir_excluded(slsec_gitignore *g, const char *rel_dir)
{
    void *known = slsec_strmap_get(g->dir_ignored, rel_dir);
    if (known)
        return known == (void *)1;
    bool ex = false;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", rel_dir);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        ex = dir_excluded(g, parent);
    }
    if (!ex)
        ex = path_excluded(g, rel_dir, true);
    slsec_strmap_put(g->dir_ignored, slsec_arena_strdup(g->arena, rel_dir), ex ? (void *)1 : (void *)2);
    return ex;
}

bool slsec_gitignore_ignored(slsec_gitignore *g, const char *rel, bool is_dir)
{
    if (!g || !rel || !*rel)
        return false;
    if (strcmp(rel, ".git") == 0 || strncmp(rel, ".git/", 5) == 0)
        return true; /* git's own directory is never part of the work tree */
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", rel);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        if (dir_excluded(g, parent))
            return true;
    }
    return path_excluded(g, rel, is_dir);
}
