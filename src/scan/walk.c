/*
 * walk.c — discovery: which files under the paths the user gave are
 * candidates for loading.
 *
 * A folder is walked depth-first with its entries sorted by name (bytes,
 * not locale), so two runs on the same tree see the same files in the same
 * order. Folders that hold copies or dependencies rather than the user's
 * own templates are skipped: hidden ones (.git, .aws-sam — SAM's build
 * output duplicates the template —, .serverless), node_modules, and the
 * asset.* staging folders of cdk.out. Inside cdk.out only *.template.json
 * files are candidates; its manifests and tree.json are large and never
 * templates. Elsewhere a candidate is a file ending .yaml, .yml, .json or
 * .template; what it holds is decided later, by content.
 *
 * Links: a symbolic link to a folder is never followed, so a link loop
 * cannot make the walk cycle. A link to a file is followed only when its
 * target lies inside the folder being scanned (slsec never reads outside
 * what it was pointed at), and only after the walk, so that a file reached
 * both directly and through a link is loaded once, under its real name.
 * Files are identified by device and inode for that purpose.
 *
 * Sizes are checked with stat() before anything is read: a 200 MB file
 * costs one system call.
 *
 * When w->want_texts is set, every regular file met (whatever its name or
 * size; links excepted) also goes to w->texts for the secret pass
 * (secrets.c); template discovery is the same either way.
 *
 * Lockfiles (slsec_lockfile_name: package-lock.json, yarn.lock,
 * requirements*.txt, go.mod, ...) found on the way, or named by the user,
 * are collected apart for the dependency pass (src/deps), which applies
 * its own size limit; template discovery is the same with or without them.
 *
 * When w->want_code is set, JavaScript, TypeScript and Python sources
 * (slsec_code_lang_of) go to w->code for the code pass (code.c), which
 * applies its own size limit.
 */
#include "scan_internal.h"

#include "slsec/code.h"
#include "slsec/deps.h"
#include "slsec/limits.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct deferred_link {
    const char *path;     /* the link */
    const char *relpath;
    const char *boundary; /* the real path of the folder walked */
} deferred_link;

/* ---- failures ------------------------------------------------------------- */

static void record_failure(scan_walk *w, int code, const slsec_diag *d)
{
    if (w->failures++ == 0) {
        w->first_failure = *d;
        w->first_failure.level = SLSEC_DIAG_ERROR;
        w->first_code = code;
    }
}

void scan_fail_diag(scan_walk *w, int code, const slsec_diag *d)
{
    slsec_diag copy = *d;
    copy.level = SLSEC_DIAG_WARNING;
    slsec_diags_add(w->warnings, &copy);
    record_failure(w, code, &copy);
}

void scan_fail(scan_walk *w, int code, const char *file, int line, int col, const char *fmt, ...)
{
    slsec_diag d;
    char msg[sizeof d.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_diag_set(&d, SLSEC_DIAG_WARNING, file, line, col, "%s", msg);
    scan_fail_diag(w, code, &d);
}

/* Short lower-case reasons for the errors a walk meets. */
static const char *why(int e)
{
    switch (e) {
    case ENOENT: return "does not exist";
    case EACCES: return "permission denied";
    case ELOOP: return "symbolic link loop";
    case ENAMETOOLONG: return "path too long";
    case ENOTDIR: return "a part of the path is not a folder";
    default: return strerror(e);
    }
}

/* ---- paths ------------------------------------------------------------------ */

/* realpath() into the arena; NULL with errno set when it fails. */
static const char *real_path(slsec_arena *a, const char *p)
{
    char *r = realpath(p, NULL);
    if (!r)
        return NULL;
    const char *copy = slsec_arena_strdup(a, r);
    free(r);
    return copy;
}

/* The folder part of a path ("." when there is none), trailing '/' ignored. */
static const char *dir_part(slsec_arena *a, const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    while (n > 0 && p[n - 1] != '/')
        n--;
    if (n == 0)
        return ".";
    while (n > 1 && p[n - 1] == '/')
        n--;
    return slsec_arena_strndup(a, p, n);
}

/* The last component of a path, trailing '/' ignored. */
static const char *base_part(slsec_arena *a, const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && p[start - 1] != '/')
        start--;
    return slsec_arena_strndup(a, p + start, n - start);
}

/* A path as the user typed it, without "./" in front or '/' behind. */
static const char *tidy(slsec_arena *a, const char *p)
{
    while (p[0] == '.' && p[1] == '/') {
        p += 2;
        while (*p == '/')
            p++;
    }
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    return n ? slsec_arena_strndup(a, p, n) : ".";
}

static bool inside(const char *path, const char *folder)
{
    size_t n = strlen(folder);
    if (n == 1 && folder[0] == '/')
        return path[0] == '/';
    return strncmp(path, folder, n) == 0 && path[n] == '/';
}

const char *scan_relative(slsec_arena *a, const char *root, const char *abs, const char *given)
{
    if (abs && strcmp(abs, root) == 0)
        return "";
    if (abs && inside(abs, root))
        return slsec_arena_strdup(a, abs + strlen(root) + (strcmp(root, "/") != 0));
    return tidy(a, given);
}

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = !(dl > 0 && dir[dl - 1] == '/');
    char *p = malloc(dl + slash + nl + 1);
    if (!p)
        slsec_oom();
    memcpy(p, dir, dl);
    if (slash)
        p[dl] = '/';
    memcpy(p + dl + slash, name, nl + 1);
    return p;
}

int scan_find_root(slsec_arena *a, const char *const *paths, size_t count, const char **root_abs,
                   const char **root_shown, slsec_diag *d)
{
    const char *folder = ".";
    if (count == 1 && paths[0] && *paths[0]) {
        struct stat st;
        folder = stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode) ? paths[0] : dir_part(a, paths[0]);
    }
    const char *abs = real_path(a, folder);
    if (!abs && count == 1) {
        /* A path that does not exist: the walk reports it; the root is
         * only needed to name things, so the current folder will do. */
        folder = ".";
        abs = real_path(a, folder);
    }
    if (!abs) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, folder, 0, 0, "cannot resolve the folder to scan: %s",
                       why(errno));
        return SLSEC_EIO;
    }
    *root_abs = abs;
    *root_shown = tidy(a, folder);
    return SLSEC_OK;
}

/* ---- classification --------------------------------------------------------- */

static bool candidate_name(const char *parent, const char *name)
{
    size_t n = strlen(name);
    if (strcmp(name, ".slsec.yml") == 0)
        return false; /* the configuration, never a template */
    if (strcmp(parent, "cdk.out") == 0)
        return n > 14 && strcasecmp(name + n - 14, ".template.json") == 0;
    static const char *const exts[] = {".yaml", ".yml", ".json", ".template"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t m = strlen(exts[i]);
        if (n > m && strcasecmp(name + n - m, exts[i]) == 0)
            return true;
    }
    return false;
}

static bool skipped_folder(const char *parent, const char *name)
{
    return name[0] == '.' || strcmp(name, "node_modules") == 0 ||
           (strcmp(parent, "cdk.out") == 0 && strncmp(name, "asset.", 6) == 0);
}

static bool ignored(const scan_walk *w, const char *rel)
{
    for (size_t i = 0; w->ignore_paths && i < w->ignore_paths->count; i++)
        if (slsec_path_glob_match(w->ignore_paths->items[i], rel))
            return true;
    return false;
}

/* ---- taking files ----------------------------------------------------------- */

/* "200.0 MB", "12.0 KB", "900 bytes": sizes as a person reads them. */
static const char *human_size(uint64_t n, char *buf, size_t size)
{
    if (n >= 1048576)
        snprintf(buf, size, "%.1f MB", (double)n / 1048576.0);
    else if (n >= 1024)
        snprintf(buf, size, "%.1f KB", (double)n / 1024.0);
    else
        snprintf(buf, size, "%u bytes", (unsigned)n);
    return buf;
}

static void take_file(scan_walk *w, const char *path, const char *relpath, bool explicit_file,
                      const struct stat *st)
{
    if (w->files_capped)
        return;
    char key[64];
    snprintf(key, sizeof key, "%" PRIuMAX ":%" PRIuMAX, (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
    if (slsec_strmap_get(w->seen, key))
        return;
    slsec_strmap_put(w->seen, slsec_arena_strdup(w->arena, key), (void *)1);

    if (st->st_size >= 0 && (uint64_t)st->st_size > w->max_file_bytes) {
        char size[32], limit[32];
        scan_fail(w, SLSEC_EIO, relpath, 0, 0, "%s is over the %s limit; skipped",
                  human_size((uint64_t)st->st_size, size, sizeof size),
                  human_size(w->max_file_bytes, limit, sizeof limit));
        return;
    }
    if (w->files >= SLSEC_MAX_FILES) {
        w->files_capped = true;
        slsec_diags_addf(w->warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "more than %u candidate files; this one and the rest were not scanned",
                         (unsigned)SLSEC_MAX_FILES);
        return;
    }
    w->files++;
    scan_input *in = slsec_arena_alloc(w->arena, sizeof *in);
    in->path = slsec_arena_strdup(w->arena, path);
    in->relpath = slsec_arena_strdup(w->arena, relpath);
    in->explicit_file = explicit_file;
    slsec_ptrvec_push(w->arena, &w->inputs, in);
}

/* Every regular file goes to the secret pass too, whatever its name: the
 * pass sniffs content and skips binaries itself. */
static void take_text(scan_walk *w, const char *path, const char *relpath, const struct stat *st)
{
    char key[72];
    snprintf(key, sizeof key, "t:%" PRIuMAX ":%" PRIuMAX, (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
    if (!w->want_texts || slsec_strmap_get(w->seen, key) || strcmp(base_part(w->arena, relpath), ".slsec.yml") == 0)
        return;
    slsec_strmap_put(w->seen, slsec_arena_strdup(w->arena, key), (void *)1);
    scan_input *in = slsec_arena_alloc(w->arena, sizeof *in);
    in->path = slsec_arena_strdup(w->arena, path);
    in->relpath = slsec_arena_strdup(w->arena, relpath);
    slsec_ptrvec_push(w->arena, &w->texts, in);
}

/* Lockfiles go to the dependency pass (src/deps), which reads them itself
 * and says when one is too large; they may also be template candidates
 * (package-lock.json ends in .json), which content sniffing then drops. */
static void take_lockfile(scan_walk *w, const char *path, const char *relpath)
{
    scan_input *in = slsec_arena_alloc(w->arena, sizeof *in);
    in->path = slsec_arena_strdup(w->arena, path);
    in->relpath = slsec_arena_strdup(w->arena, relpath);
    slsec_ptrvec_push(w->arena, &w->lockfiles, in);
}

/* Sources go to the code pass (code.c); files found twice (a link) once. */
static void take_code(scan_walk *w, const char *path, const char *relpath, const struct stat *st)
{
    char key[72];
    snprintf(key, sizeof key, "c:%" PRIuMAX ":%" PRIuMAX, (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
    if (!w->want_code || !slsec_code_lang_of(relpath) || slsec_strmap_get(w->seen, key))
        return;
    slsec_strmap_put(w->seen, slsec_arena_strdup(w->arena, key), (void *)1);
    scan_input *in = slsec_arena_alloc(w->arena, sizeof *in);
    in->path = slsec_arena_strdup(w->arena, path);
    in->relpath = slsec_arena_strdup(w->arena, relpath);
    slsec_ptrvec_push(w->arena, &w->code, in);
}

/* A link that cannot be followed: errno tells why. */
static void bad_link(scan_walk *w, const char *relpath, int e)
{
    if (e == ENOENT)
        scan_fail(w, SLSEC_EIO, relpath, 0, 0, "broken symbolic link (its target does not exist); skipped");
    else if (e == ELOOP)
        scan_fail(w, SLSEC_EIO, relpath, 0, 0, "symbolic link loop; skipped");
    else
        scan_fail(w, SLSEC_EIO, relpath, 0, 0, "cannot follow symbolic link: %s; skipped", why(e));
}

/* ---- walking ------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in a folder (heap; free with free_names), or NULL with
 * errno set. */
static char **list_folder(const char *path, size_t *count)
{
    DIR *dir = opendir(path);
    if (!dir)
        return NULL;
    size_t n = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    if (!names)
        slsec_oom();
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            char **more = realloc(names, cap * sizeof *names);
            if (!more)
                slsec_oom();
            names = more;
        }
        names[n] = strdup(de->d_name);
        if (!names[n])
            slsec_oom();
        n++;
    }
    int e = errno;
    closedir(dir);
    if (e) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        errno = e;
        return NULL;
    }
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

static void walk_folder(scan_walk *w, const char *path, const char *relpath, const char *shown,
                        const char *base, const char *boundary, int depth)
{
    if (w->files_capped)
        return;
    if (depth > SLSEC_MAX_WALK_DEPTH) {
        slsec_diags_addf(w->warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                         "folders nested deeper than %d levels; not scanned", SLSEC_MAX_WALK_DEPTH);
        return;
    }
    size_t n = 0;
    char **names = list_folder(path, &n);
    if (!names) {
        scan_fail(w, SLSEC_EIO, shown, 0, 0, "cannot read folder: %s", why(errno));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        char *child = join(path, name);
        char *rel = relpath[0] ? join(relpath, name) : strdup(name);
        if (!rel)
            slsec_oom();
        struct stat st;
        if (ignored(w, rel)) {
            /* the user asked not to look here */
        } else if (lstat(child, &st) != 0) {
            scan_fail(w, SLSEC_EIO, rel, 0, 0, "cannot read: %s", why(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (!skipped_folder(base, name))
                walk_folder(w, child, rel, rel, name, boundary, depth + 1);
        } else if (S_ISLNK(st.st_mode)) {
            struct stat target;
            if (stat(child, &target) != 0) {
                bad_link(w, rel, errno);
            } else if (S_ISREG(target.st_mode) && candidate_name(base, name)) {
                deferred_link *l = slsec_arena_alloc(w->arena, sizeof *l);
                l->path = slsec_arena_strdup(w->arena, child);
                l->relpath = slsec_arena_strdup(w->arena, rel);
                l->boundary = boundary;
                slsec_ptrvec_push(w->arena, &w->deferred, l);
            }
            /* links to folders are never followed */
        } else if (S_ISREG(st.st_mode)) {
            take_text(w, child, rel, &st);
            take_code(w, child, rel, &st);
            if (slsec_lockfile_name(name))
                take_lockfile(w, child, rel);
            if (candidate_name(base, name))
                take_file(w, child, rel, false, &st);
        } else if (candidate_name(base, name)) {
            scan_fail(w, SLSEC_EIO, rel, 0, 0, "not a regular file; skipped");
        }
        free(child);
        free(rel);
        free(names[i]);
        if (w->files_capped) {
            for (size_t k = i + 1; k < n; k++)
                free(names[k]);
            break;
        }
    }
    free(names);
}

void scan_walk_path(scan_walk *w, const char *given)
{
    if (!w->seen)
        w->seen = slsec_strmap_new(w->arena);
    struct stat st;
    if (stat(given, &st) != 0) {
        int e = errno;
        struct stat lst;
        if (lstat(given, &lst) == 0 && S_ISLNK(lst.st_mode))
            bad_link(w, tidy(w->arena, given), e);
        else
            scan_fail(w, SLSEC_EIO, tidy(w->arena, given), 0, 0, "%s", why(e));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        const char *abs = real_path(w->arena, given);
        if (!abs) {
            scan_fail(w, SLSEC_EIO, tidy(w->arena, given), 0, 0, "cannot resolve: %s", why(errno));
            return;
        }
        const char *rel = scan_relative(w->arena, w->root, abs, given);
        walk_folder(w, abs, rel, rel[0] ? rel : tidy(w->arena, given), base_part(w->arena, abs), abs, 0);
        return;
    }
    /* A file the user named: taken whatever its name, and through a link
     * if it is one (the user pointed at it). */
    const char *dir = real_path(w->arena, dir_part(w->arena, given));
    const char *abs = NULL;
    if (dir) {
        char *j = join(dir, base_part(w->arena, given));
        abs = slsec_arena_strdup(w->arena, j);
        free(j);
    }
    if (S_ISREG(st.st_mode))
        take_text(w, given, scan_relative(w->arena, w->root, abs, given), &st);
    if (S_ISREG(st.st_mode) && w->want_code && slsec_code_lang_of(given)) {
        take_code(w, given, scan_relative(w->arena, w->root, abs, given), &st);
        return; /* a source file, not a template to load */
    }
    if (slsec_lockfile_name(base_part(w->arena, given))) {
        take_lockfile(w, given, scan_relative(w->arena, w->root, abs, given));
        return;
    }
    take_file(w, given, scan_relative(w->arena, w->root, abs, given), true, &st);
}

void scan_walk_finish(scan_walk *w)
{
    for (size_t i = 0; i < w->deferred.count; i++) {
        const deferred_link *l = w->deferred.items[i];
        const char *target = real_path(w->arena, l->path);
        struct stat st;
        if (!target) {
            bad_link(w, l->relpath, errno);
        } else if (!inside(target, l->boundary)) {
            scan_fail(w, SLSEC_EIO, l->relpath, 0, 0,
                      "symbolic link to a file outside the scanned folder; not followed");
        } else if (stat(target, &st) != 0) {
            bad_link(w, l->relpath, errno);
        } else if (S_ISREG(st.st_mode)) {
            take_file(w, target, l->relpath, false, &st);
        }
    }
    w->deferred.count = 0;
}
