/*
 * code.c — the scan's code pass: handler sources found by the walk are
 * parsed and followed from their event (src/code, docs/code.md), and
 * what reaches a sink becomes a CODE or LOG-1xx finding at the sink, with
 * the path from the source as its related locations (SARIF codeFlows).
 *
 * Handlers named by the templates are analysed under that name and
 * their findings carry the function's logical id as resource; every other
 * source file is analysed with conventional handler names. Each file is
 * analysed in an arena of its own, freed once its findings are copied
 * out, so memory stays flat over thousands of files. Files are analysed
 * on -j threads (default: one per core) in batches of CODE_BATCH and
 * merged in walk order, so the report never depends on the threads.
 *
 * `slsec:ignore CODE-001 reason` on the sink's line or the line above
 * suppresses a finding (without a reason it still suppresses, and says
 * so, as for secrets).
 *
 * Files a handler imports (`require('./db')`) are read through a loader
 * that stays inside the scanned root: the path is normalised by the
 * library, and its real path (links resolved) must still lie under the
 * root's, so a link never takes the analysis out of what it was given.
 *
 * The same walk lists each file's outbound calls (AWS SDK calls, HTTP
 * hosts) and the project files it imports. Once every file is analysed,
 * link_externals() turns them into the model's function → external
 * edges: a function gets the calls of its handler file and of the files
 * that file imports, directly or not (analysed files only, read no
 * second time); code that no function reaches is kept under its file's
 * path, test files excepted. A caller that will not show them
 * (opts->no_externals: `slsec scan` without --inventory) skips that part
 * of the walk, about a sixth of its cost.
 */
#include "scan_internal.h"

#include "slsec/code.h"
#include "slsec/limits.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The text of line `line` (1-based) of src, or NULL. */
static const char *line_at(const char *src, size_t len, int line, size_t *n)
{
    const char *p = src, *end = src + len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    if (p >= end)
        return NULL;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    return p;
}

/* `slsec:ignore ID reason` in one line: does it name rule `id`? */
static bool line_ignores(slsec_arena *a, const char *text, size_t n, const char *id, const char **reason)
{
    static const char mark[] = "slsec:ignore";
    for (size_t i = 0; text && i + sizeof mark - 1 <= n; i++) {
        if (memcmp(text + i, mark, sizeof mark - 1) != 0)
            continue;
        size_t k = i + sizeof mark - 1;
        while (k < n && (text[k] == ' ' || text[k] == '\t'))
            k++;
        size_t s = k;
        while (k < n && text[k] != ' ' && text[k] != '\t' && text[k] != '\r')
            k++;
        char *want = slsec_arena_strndup(a, text + s, k - s);
        if (!slsec_glob_match_ci(want, id))
            continue;
        while (k < n && (text[k] == ' ' || text[k] == '\t'))
            k++;
        size_t e = n;
        while (e > k && strchr(" \t\r*/->#", text[e - 1]))
            e--;
        *reason = e > k ? slsec_arena_strndup(a, text + k, e - k) : NULL;
        return true;
    }
    return false;
}

typedef struct loader_ctx {
    const char *root; /* real path of the scanned root */
    /* Project files found missing: every analysed file asks for the
     * modules it imports and the receivers of its calls (`json`, `logger`
     * are json.py, logger/__init__.py ... of the project?), mostly the
     * same names from the same folders, and the answer does not change
     * during a scan. Shared by the threads, under the lock. */
    pthread_mutex_t lock;
    slsec_arena *arena;
    slsec_strmap *missing;
} loader_ctx;

static char *load_project_file(void *user, const char *relpath, size_t max_bytes, size_t *len)
{
    loader_ctx *l = user;
    char full[PATH_MAX], real[PATH_MAX];
    struct stat st;
    if (snprintf(full, sizeof full, "%s/%s", l->root, relpath) >= (int)sizeof full)
        return NULL;
    pthread_mutex_lock(&l->lock);
    bool known_missing = slsec_strmap_get(l->missing, relpath) != NULL;
    pthread_mutex_unlock(&l->lock);
    if (known_missing)
        return NULL;
    /* Most candidates do not exist (`json` is not json.py of the project):
     * one stat says so, where realpath() would look up each folder first. */
    if (stat(full, &st) != 0) {
        pthread_mutex_lock(&l->lock);
        slsec_strmap_put(l->missing, slsec_arena_strdup(l->arena, relpath), (void *)1);
        pthread_mutex_unlock(&l->lock);
        return NULL;
    }
    if (!realpath(full, real))
        return NULL;
    size_t rl = strlen(l->root);
    if (strncmp(real, l->root, rl) != 0 || (real[rl] != '/' && strcmp(l->root, "/") != 0))
        return NULL;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max_bytes)
        return NULL;
    char *data;
    slsec_diag d;
    if (slsec_read_file(real, max_bytes, &data, len, &d) != SLSEC_OK)
        return NULL;
    return data;
}

/* The source text a hit's sink line is in: the analysed file's, or an
 * imported file's read again (rare: a sink inside an imported helper). */
static void to_finding(slsec_scan_result *r, const char *relpath, const char *src, size_t len,
                       const slsec_code_hit *h, const slsec_ptrvec *entries, const slsec_rule *rule,
                       loader_ctx *lc, size_t max_bytes)
{
    const char *resource = NULL;
    for (size_t i = 0; entries && i < entries->count && !resource; i++) {
        const slsec_code_entry *e = entries->items[i];
        if (h->handler && strcmp(e->export_name, h->handler) == 0)
            resource = e->function_id; /* functions sharing the handler: the first one names the finding */
    }
    slsec_check_ctx ctx = {.app = r->app, .settings = &r->config.settings, .rule = rule, .arena = r->arena,
                           .findings = &r->findings};
    const char *file = h->file ? slsec_arena_strdup(r->arena, h->file) : relpath;
    slsec_loc loc = {.file = file, .line = h->line, .col = h->col};
    slsec_finding *f = slsec_report(&ctx, resource ? slsec_arena_strdup(r->arena, resource) : NULL,
                                    resource ? "AWS::Lambda::Function" : NULL, loc, h->key, "%s",
                                    h->message ? h->message : rule->title);
    /* the steps before the sink (the sink is the finding's own location) */
    for (size_t i = 0; i + 1 < h->nsteps; i++) {
        slsec_loc at = {.file = h->steps[i].file ? slsec_arena_strdup(r->arena, h->steps[i].file) : relpath,
                        .line = h->steps[i].line, .col = h->steps[i].col};
        slsec_finding_relate(f, at, slsec_arena_strdup(r->arena, h->steps[i].what));
    }
    f->related_is_flow = f->related_count > 0;
    f->evidence = slsec_arena_strdup(r->arena, h->sink);
    size_t n = 0;
    const char *reason = NULL;
    char *other = NULL;
    if (h->file) { /* the sink is in an imported file: its own lines hold the suppression */
        other = load_project_file(lc, h->file, max_bytes, &len);
        src = other;
        if (!other)
            len = 0;
    }
    const char *cur = line_at(src, len, h->line, &n);
    bool ignored = line_ignores(r->arena, cur, cur ? n : 0, rule->id, &reason);
    if (!ignored && h->line > 1) {
        const char *prev = line_at(src, len, h->line - 1, &n);
        ignored = line_ignores(r->arena, prev, prev ? n : 0, rule->id, &reason);
    }
    if (ignored) {
        f->suppressed = true;
        f->suppression = reason ? slsec_arena_printf(r->arena, "inline slsec:ignore: %s", reason)
                                : "inline slsec:ignore (no reason given)";
    }
    free(other);
}

/* One file's analysis, done on any thread; everything it produces stays
 * in the job until the files before it have been merged, so findings and
 * warnings come out in walk order whatever the thread count. */
typedef struct code_job {
    const scan_input *in;
    const slsec_ptrvec *mine; /* the entries the templates resolve to this file */
    char *data;
    size_t len;
    slsec_arena *scratch;
    slsec_ptrvec hits;
    slsec_code_outbound outbound;
    slsec_code_stats stats;
    slsec_diags warnings;
} code_job;

typedef struct code_batch {
    code_job *jobs;
    size_t count;
    atomic_size_t next;
    const slsec_code_limits *lim;
    const slsec_code_loader *loader;
    bool externals; /* list each file's outbound calls (not when nobody shows them: opts->no_externals) */
} code_batch;

/* One thread's share of a batch, with the session (parsers, memo
 * tables) it keeps from batch to batch: made once per thread slot for
 * the whole pass, not for each batch. */
typedef struct code_worker_arg {
    code_batch *batch;
    slsec_code_session *session;
} code_worker_arg;

/* Reads a job's file into j->data; NULL, with the warning that says why,
 * when it cannot be analysed. */
static void read_one(const code_batch *b, code_job *j)
{
    const scan_input *in = j->in;
    slsec_diag d;
    if (slsec_read_file(in->path, b->lim->max_file_bytes, &j->data, &j->len, &d) != SLSEC_OK) {
        /* Why not, in the order it was always told: the file vanished (the
         * walk reported unreadable files already), is over the limit, or
         * could not be read. Asked only now: a stat per file costs a path
         * look-up, and the read checks the size anyway. */
        j->data = NULL;
        struct stat st;
        if (stat(in->path, &st) != 0)
            return;
        if ((size_t)st.st_size > b->lim->max_file_bytes) {
            j->stats.skipped++;
            slsec_diags_addf(&j->warnings, SLSEC_DIAG_WARNING, in->relpath, 0, 0,
                             "source file of %lld bytes is over the %zu-byte code analysis limit "
                             "(--max-code-size); not analysed",
                             (long long)st.st_size, b->lim->max_file_bytes);
            return;
        }
        slsec_diags_addf(&j->warnings, SLSEC_DIAG_WARNING, in->relpath, 0, 0, "%s", d.message);
    }
}

static void analyse_one(const code_batch *b, code_job *j, slsec_code_session *session)
{
    const scan_input *in = j->in;
    slsec_code_lang lang = slsec_code_lang_of(in->relpath);
    if (!j->data)
        return;
    const char **names = NULL;
    size_t nnames = j->mine ? j->mine->count : 0;
    if (nnames) {
        names = malloc(nnames * sizeof *names);
        if (!names)
            slsec_oom();
        for (size_t k = 0; k < nnames; k++)
            names[k] = ((const slsec_code_entry *)j->mine->items[k])->export_name;
    }
    j->scratch = slsec_arena_new();
    slsec_code_session_analyze(session, j->scratch, in->relpath, lang, j->data, j->len, names, nnames, b->lim,
                               b->loader, &j->hits, b->externals ? &j->outbound : NULL, &j->stats, &j->warnings);
    free(names);
}

/* Files a thread takes at once: it reads them, then analyses them. Reads
 * between parses cost about twice as much as reads in a row (measured on
 * the generated bench repository: the parse leaves the kernel's copy
 * path cold), and a few files keep the threads evenly loaded. */
#define CODE_CHUNK 8

static void *code_worker(void *arg)
{
    code_worker_arg *w = arg;
    code_batch *b = w->batch;
    size_t first;
    while ((first = atomic_fetch_add(&b->next, CODE_CHUNK)) < b->count) {
        size_t end = b->count - first < CODE_CHUNK ? b->count : first + CODE_CHUNK;
        for (size_t i = first; i < end; i++)
            read_one(b, &b->jobs[i]);
        for (size_t i = first; i < end; i++)
            analyse_one(b, &b->jobs[i], w->session);
    }
    return NULL;
}

/* Files analysed at once: enough to keep the threads busy, few enough
 * that the syntax trees' arenas held until the merge stay small. */
#define CODE_BATCH 32

/* ---- outbound integrations ------------------------------------------------------- */

/* One analysed file's outbound calls and imports, copied out of its job
 * so they outlive the batch, until link_externals() has used them. */
typedef struct source_file {
    const char *relpath;
    const slsec_ptrvec *mine; /* the entries the templates resolve to it, or NULL */
    bool has_handlers;        /* handlers found by convention were analysed in it */
    slsec_ptrvec calls;       /* slsec_code_call* */
    slsec_ptrvec imports;     /* slsec_code_import* */
    slsec_ptrvec imported;    /* source_file* of the analysed files it imports */
    size_t reached_by;        /* the last owner (1-based) whose imports reached it */
    bool covered;             /* the imports of some owner reach it */
} source_file;

static const char *keep(slsec_arena *a, const char *s) { return s ? slsec_arena_strdup(a, s) : NULL; }

static source_file *keep_source_file(slsec_arena *a, const code_job *j)
{
    source_file *f = slsec_arena_alloc(a, sizeof *f);
    f->relpath = j->in->relpath; /* the walk's arena: lives as long as the scan */
    f->mine = j->mine;
    f->has_handlers = j->stats.handlers > 0;
    for (size_t i = 0; i < j->outbound.calls.count; i++) {
        const slsec_code_call *c = j->outbound.calls.items[i];
        slsec_code_call *k = slsec_arena_alloc(a, sizeof *k);
        *k = *c;
        k->target = keep(a, c->target);
        k->operation = keep(a, c->operation);
        k->via = keep(a, c->via);
        slsec_ptrvec_push(a, &f->calls, k);
    }
    for (size_t i = 0; i < j->outbound.imports.count; i++) {
        const slsec_code_import *m = j->outbound.imports.items[i];
        slsec_code_import *k = slsec_arena_alloc(a, sizeof *k);
        for (size_t p = 0; p < m->npaths; p++)
            k->paths[p] = keep(a, m->paths[p]);
        k->npaths = m->npaths;
        slsec_ptrvec_push(a, &f->imports, k);
    }
    return f;
}

/* Tests are not functions: their calls (mocks, local servers) and the
 * handlers they import stay out of the inventory, unless a template names
 * them. */
static bool is_test_file(const char *relpath)
{
    static const char *const folders[] = {"test", "tests", "__tests__", "__mocks__", "spec"};
    const char *p = relpath;
    for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1)
        for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++)
            if ((size_t)(slash - p) == strlen(folders[i]) && strncmp(p, folders[i], (size_t)(slash - p)) == 0)
                return true;
    return strstr(p, ".test.") || strstr(p, ".spec.") || strncmp(p, "test_", 5) == 0 ||
           slsec_str_has_suffix(p, "_test.py") || strcmp(p, "conftest.py") == 0;
}

/* The calls of `from` are calls of `owner`'s functions (of its file's
 * path when no template function runs it). */
static void attribute_calls(slsec_app *app, const source_file *owner, const source_file *from)
{
    size_t nfn = owner->mine ? owner->mine->count : 1;
    for (size_t k = 0; k < nfn; k++) {
        const slsec_code_entry *e = owner->mine ? owner->mine->items[k] : NULL;
        for (size_t i = 0; i < from->calls.count; i++) {
            const slsec_code_call *c = from->calls.items[i];
            slsec_external_call x = {
                .function_id = e ? e->function_id : owner->relpath,
                .function = e ? e->function : NULL,
                .kind = c->kind == SLSEC_CODE_CALL_HOST ? SLSEC_EXTERNAL_HOST : SLSEC_EXTERNAL_AWS,
                .target = c->target,
                .operation = c->operation,
                .via = c->via,
                .loc = {.file = from->relpath, .line = c->line, .col = c->col},
            };
            slsec_app_add_external(app, &x);
        }
    }
}

/* Function → external edges from the analysed files (see the top). An
 * owner is a file the templates name as a handler, or one with handlers
 * by convention; its functions get the calls of every analysed file its
 * imports reach, breadth first, up to SLSEC_MAX_IMPORTED_FILES. */
static void link_externals(slsec_scan_result *r, slsec_arena *a, const slsec_ptrvec *files, const slsec_strmap *by_path)
{
    for (size_t i = 0; i < files->count; i++) {
        source_file *f = files->items[i];
        for (size_t m = 0; m < f->imports.count; m++) {
            const slsec_code_import *imp = f->imports.items[m];
            for (size_t p = 0; p < imp->npaths; p++) {
                source_file *t = slsec_strmap_get(by_path, imp->paths[p]);
                if (t) {
                    if (t != f)
                        slsec_ptrvec_push(a, &f->imported, t);
                    break;
                }
            }
        }
    }
    slsec_ptrvec queue = {0};
    size_t owner_no = 0;
    for (size_t i = 0; i < files->count; i++) {
        source_file *owner = files->items[i];
        if (!owner->mine && (!owner->has_handlers || is_test_file(owner->relpath)))
            continue;
        owner->reached_by = ++owner_no;
        queue.count = 0;
        slsec_ptrvec_push(a, &queue, owner);
        bool capped = false;
        for (size_t q = 0; q < queue.count; q++) {
            source_file *s = queue.items[q];
            if (s != owner)
                s->covered = true;
            attribute_calls(r->app, owner, s);
            for (size_t m = 0; m < s->imported.count; m++) {
                source_file *t = s->imported.items[m];
                if (t->reached_by == owner_no)
                    continue;
                if (queue.count > SLSEC_MAX_IMPORTED_FILES) {
                    capped = true;
                    break;
                }
                t->reached_by = owner_no;
                slsec_ptrvec_push(a, &queue, t);
            }
        }
        if (capped)
            slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, owner->relpath, 0, 0,
                             "its imports reach more than %u project files; the outbound calls of the rest are "
                             "not listed for its functions",
                             (unsigned)SLSEC_MAX_IMPORTED_FILES);
    }
    for (size_t i = 0; i < files->count; i++) {
        source_file *f = files->items[i];
        if (!f->mine && !f->has_handlers && !f->covered && f->calls.count && !is_test_file(f->relpath))
            attribute_calls(r->app, f, f);
    }
    slsec_app_sort_externals(r->app);
}

void scan_code_run(slsec_scan_result *r, const slsec_scan_opts *opts, const scan_walk *w,
                   bool (*enabled)(const slsec_rule *rule, void *user), void *user)
{
    if (opts->no_code || w->code.count == 0)
        return;
    slsec_code_limits lim;
    slsec_code_limits_default(&lim);
    if (opts->max_code_bytes)
        lim.max_file_bytes = opts->max_code_bytes;
    slsec_strmap *entries = slsec_code_entries(r->arena, r->app, r->root, &r->warnings);
    slsec_code_stats stats = {0};
    char root_real[PATH_MAX];
    loader_ctx lc = {.root = realpath(r->root, root_real) ? root_real : r->root, .arena = slsec_arena_new()};
    lc.missing = slsec_strmap_new(lc.arena);
    pthread_mutex_init(&lc.lock, NULL);
    slsec_code_loader loader = {.read = load_project_file, .user = &lc};

    int threads = opts->jobs;
    if (threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (int)cores : 1;
    }
    if (threads > 16)
        threads = 16;
    /* outbound calls of every file, until they are linked to functions */
    slsec_arena *link_arena = slsec_arena_new();
    slsec_ptrvec sources = {0};
    slsec_strmap *source_by_path = slsec_strmap_new(link_arena);
    slsec_code_session *sessions[16] = {0};
    for (int t = 0; t < threads; t++)
        sessions[t] = slsec_code_session_new();
    code_job jobs[CODE_BATCH];
    for (size_t first = 0; first < w->code.count; first += CODE_BATCH) {
        size_t n = w->code.count - first < CODE_BATCH ? w->code.count - first : CODE_BATCH;
        memset(jobs, 0, sizeof jobs);
        for (size_t k = 0; k < n; k++) {
            jobs[k].in = w->code.items[first + k];
            jobs[k].mine = slsec_strmap_get(entries, jobs[k].in->relpath);
        }
        code_batch b = {.jobs = jobs, .count = n, .lim = &lim, .loader = &loader, .externals = !opts->no_externals};
        atomic_init(&b.next, 0);
        pthread_t tids[16];
        code_worker_arg args[16];
        int started = 0;
        for (int t = 1; t < threads && (size_t)t < n; t++) {
            args[started] = (code_worker_arg){.batch = &b, .session = sessions[t]};
            if (pthread_create(&tids[started], NULL, code_worker, &args[started]) == 0)
                started++;
        }
        code_worker_arg mine = {.batch = &b, .session = sessions[0]};
        code_worker(&mine);
        for (int t = 0; t < started; t++)
            pthread_join(tids[t], NULL);

        for (size_t k = 0; k < n; k++) {
            code_job *j = &jobs[k];
            for (size_t i = 0; i < j->warnings.count; i++)
                slsec_diags_add(&r->warnings, &j->warnings.items[i]);
            slsec_diags_clear(&j->warnings);
            stats.files += j->stats.files;
            stats.skipped += j->stats.skipped;
            stats.handlers += j->stats.handlers;
            stats.parse_errors += j->stats.parse_errors;
            stats.bytes += j->stats.bytes;
            for (size_t i = 0; i < j->hits.count; i++) {
                const slsec_code_hit *h = j->hits.items[i];
                const slsec_rule *rule = slsec_rule_find(h->rule_id);
                if (rule && (!enabled || enabled(rule, user)))
                    to_finding(r, j->in->relpath, j->data, j->len, h, j->mine, rule, &lc, lim.max_file_bytes);
            }
            if (j->scratch && b.externals && !slsec_strmap_get(source_by_path, j->in->relpath)) {
                source_file *sf = keep_source_file(link_arena, j);
                slsec_ptrvec_push(link_arena, &sources, sf);
                slsec_strmap_put(source_by_path, sf->relpath, sf);
            }
            slsec_arena_free(j->scratch);
            free(j->data);
        }
    }
    for (int t = 0; t < threads; t++)
        slsec_code_session_free(sessions[t]);
    if (!opts->no_externals)
        link_externals(r, link_arena, &sources, source_by_path);
    slsec_arena_free(link_arena);
    pthread_mutex_destroy(&lc.lock);
    slsec_arena_free(lc.arena);
    r->code_files = stats.files;
    r->code_handlers = stats.handlers;
}
