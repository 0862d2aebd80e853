/*
 * secrets.c — the secret pass of `slsec scan`: every text file under the
 * scanned roots through the detector engine (src/detect), each hit located
 * (file:line:col), checked against inline suppressions and the
 * configuration's allow lists, and reported as a finding of the SECRET rule
 * of its detector. docs/secrets.md is the user's view.
 *
 * Files are split among threads (opts->jobs, default the number of cores):
 * each worker reads and scans whole files and keeps its hits apart; the
 * findings are made afterwards, in the walk's order, on the main thread,
 * since arenas are not shared across threads. A file up to
 * SLSEC_MAX_SECRET_BLOCK_BYTES is read whole and scanned as one block;
 * a larger one is streamed in 1 MB reads and, only when something was
 * found, read a second time to locate the hits. Binary files (a NUL in the
 * first 8000 bytes) are skipped; .zip and .jar files go to the archive
 * reader (secrets_archive.c).
 *
 * A finding's fingerprint is the keyed hash of the secret alone
 * (slsec_detect_fingerprint): the same key in two files, or in a file and
 * in git history, is one identity for baselines and allow lists.
 */
#include "secrets_internal.h"

#include "gitignore.h"

#include "slsec/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- hits ------------------------------------------------------------------------ */

bool secrets_binary(const char *data, size_t len)
{
    return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}

void secrets_hits_free(secret_hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->items[i].secret);
        free(h->items[i].ignore_reason);
    }
    free(h->items);
    memset(h, 0, sizeof *h);
}

typedef struct collector {
    const bool *enabled;
    const slsec_detector *dets;
    secret_hits *h;
} collector;

static int collect(const slsec_match *m, void *user)
{
    collector *c = user;
    if (!c->enabled[m->det - c->dets])
        return 0;
    secret_hits *h = c->h;
    if (h->n >= SLSEC_MAX_SECRETS_PER_FILE) {
        h->capped = true;
        return 1;
    }
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 8;
        secret_hit *more = realloc(h->items, h->cap * sizeof *more);
        if (!more)
            slsec_oom();
        h->items = more;
    }
    secret_hit *x = &h->items[h->n++];
    memset(x, 0, sizeof *x);
    x->det = m->det;
    x->offset = m->offset;
    x->length = m->length;
    x->secret = malloc(m->length + 1);
    if (!x->secret)
        slsec_oom();
    memcpy(x->secret, m->secret, m->length);
    x->secret[m->length] = '\0';
    return 0;
}

static int by_offset(const void *pa, const void *pb)
{
    const secret_hit *a = pa, *b = pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return strcmp(a->det->id, b->det->id);
}

/* ---- locating hits and inline suppressions ------------------------------------------- */

#define LINE_KEEP 4096 /* a suppression comment is looked for in this much of a line */

typedef struct locator {
    secret_hits *h;
    size_t next;        /* first hit not yet located */
    int line;
    uint64_t pos, line_start;
    char cur[LINE_KEEP], prev[LINE_KEEP];
    size_t cur_len, prev_len;
} locator;

/* `slsec:ignore SECRET-001 reason` in text: does it name this detector? */
static bool ignores(const char *text, size_t n, const char *id, char **reason)
{
    static const char mark[] = "slsec:ignore";
    for (size_t i = 0; i + sizeof mark - 1 <= n; i++) {
        if (memcmp(text + i, mark, sizeof mark - 1) != 0)
            continue;
        size_t k = i + sizeof mark - 1;
        while (k < n && (text[k] == ' ' || text[k] == '\t'))
            k++;
        size_t s = k;
        while (k < n && text[k] != ' ' && text[k] != '\t' && text[k] != '\r')
            k++;
        char want[64];
        snprintf(want, sizeof want, "%.*s", (int)(k - s), text + s);
        if (!slsec_glob_match_ci(want, id))
            continue;
        while (k < n && (text[k] == ' ' || text[k] == '\t'))
            k++;
        size_t e = n;
        while (e > k && text[e - 1] && strchr(" \t\r*/->#", text[e - 1])) /* comment closers */
            e--;
        *reason = strndup(text + k, e - k);
        if (!*reason)
            slsec_oom();
        return true;
    }
    return false;
}

static void end_line(locator *l, uint64_t end)
{
    secret_hits *h = l->h;
    while (l->next < h->n && h->items[l->next].offset <= end) {
        secret_hit *x = &h->items[l->next++];
        x->line = l->line;
        x->col = (int)(x->offset - l->line_start + 1);
        x->ignored = ignores(l->cur, l->cur_len, x->det->id, &x->ignore_reason) ||
                     ignores(l->prev, l->prev_len, x->det->id, &x->ignore_reason);
    }
    memcpy(l->prev, l->cur, l->cur_len);
    l->prev_len = l->cur_len;
    l->cur_len = 0;
    l->line++;
    l->line_start = end + 1;
}

static void locate_feed(locator *l, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && l->next < l->h->n) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t stop = nl ? (size_t)(nl - data) : len;
        size_t take = stop - i;
        if (l->cur_len + take > LINE_KEEP)
            take = LINE_KEEP - l->cur_len;
        memcpy(l->cur + l->cur_len, data + i, take);
        l->cur_len += take;
        l->pos += stop - i;
        i = stop;
        if (nl) {
            end_line(l, l->pos);
            l->pos++;
            i++;
        }
    }
}

static void locate_init(locator *l, secret_hits *h)
{
    memset(l, 0, sizeof *l);
    l->h = h;
    l->line = 1;
    if (h->n > 1)
        qsort(h->items, h->n, sizeof *h->items, by_offset);
}

static void locate_end(locator *l)
{
    if (l->next < l->h->n)
        end_line(l, UINT64_MAX);
}

void secrets_scan_buffer(slsec_detect_scanner *sc, const bool *enabled, const char *data, size_t len, secret_hits *h)
{
    size_t n;
    collector c = {.enabled = enabled, .dets = slsec_detectors(&n), .h = h};
    if (sc)
        slsec_detect_scanner_scan(sc, data, len, collect, &c);
    else
        slsec_detect_buffer(data, len, SLSEC_DETECT_SECRET, collect, &c);
    if (!h->n)
        return;
    locator l;
    locate_init(&l, h);
    locate_feed(&l, data, len);
    locate_end(&l);
}

/* ---- one file ------------------------------------------------------------------------- */

typedef struct file_result {
    secret_hits hits;
    uint64_t bytes;
    bool scanned, binary, archive;
    int err; /* errno when it could not be read */
} file_result;

#define READ_CHUNK (1u << 20)

/* A file too large to hold: streamed, then read again to locate what was
 * found. */
static void scan_large(const bool *enabled, int fd, file_result *out)
{
    char *buf = malloc(READ_CHUNK);
    if (!buf)
        slsec_oom();
    size_t n;
    collector c = {.enabled = enabled, .dets = slsec_detectors(&n), .h = &out->hits};
    slsec_detect_stream *st = slsec_detect_stream_new(SLSEC_DETECT_SECRET, collect, &c);
    ssize_t got = 0;
    bool first = true;
    while (st && (got = read(fd, buf, READ_CHUNK)) > 0) {
        if (first && secrets_binary(buf, (size_t)got)) {
            out->binary = true;
            break;
        }
        first = false;
        out->bytes += (uint64_t)got;
        slsec_detect_stream_feed(st, buf, (size_t)got);
    }
    if (got < 0)
        out->err = errno;
    if (st)
        slsec_detect_stream_finish(st);
    slsec_detect_stream_free(st);
    if (out->hits.n && !out->binary && lseek(fd, 0, SEEK_SET) == 0) {
        locator l;
        locate_init(&l, &out->hits);
        while ((got = read(fd, buf, READ_CHUNK)) > 0)
            locate_feed(&l, buf, (size_t)got);
        locate_end(&l);
    }
    free(buf);
}


static void scan_file(slsec_detect_scanner *sc, const bool *enabled, const char *path, file_result *out)
{
    if (slsec_path_is_package(path)) {
        out->archive = true;
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        out->err = errno;
        if (fd >= 0)
            close(fd);
        return;
    }
    out->scanned = true;
    if ((uint64_t)st.st_size > SLSEC_MAX_SECRET_BLOCK_BYTES) {
        scan_large(enabled, fd, out);
        close(fd);
        return;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *data = malloc(cap);
    if (!data)
        slsec_oom();
    ssize_t got;
    while (len < cap && (got = read(fd, data + len, cap - len)) > 0)
        len += (size_t)got;
    close(fd);
    if (secrets_binary(data, len)) {
        out->binary = true;
    } else {
        out->bytes = len;
        secrets_scan_buffer(sc, enabled, data, len, &out->hits);
    }
    free(data);
}

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct pool {
    const bool *enabled;
    scan_input **inputs;
    file_result *results;
    size_t count;
    atomic_size_t next;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    size_t i;
    slsec_detect_scanner *sc = slsec_detect_scanner_new(SLSEC_DETECT_SECRET);
    while ((i = atomic_fetch_add(&p->next, 1)) < p->count)
        scan_file(sc, p->enabled, p->inputs[i]->path, &p->results[i]);
    slsec_detect_scanner_free(sc);
    return NULL;
}

static void run_pool(pool *p, int jobs)
{
    if (jobs <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cores > 0 ? (int)cores : 1;
    }
    if ((size_t)jobs > p->count)
        jobs = p->count ? (int)p->count : 1;
    if (jobs > 64)
        jobs = 64;
    pthread_t tids[64];
    int started = 0;
    for (int t = 1; t < jobs; t++)
        if (pthread_create(&tids[started], NULL, worker, p) == 0)
            started++;
    worker(p);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
}

/* ---- findings ------------------------------------------------------------------------------ */

/* The template resource a line of a template file belongs to: the last one
 * declared at or above it. */
static const slsec_resource *resource_at(const slsec_app *app, const char *file, int line)
{
    const slsec_resource *best = NULL;
    for (size_t i = 0; app && i < app->resources.count; i++) {
        const slsec_resource *res = app->resources.items[i];
        if (res->loc.file && strcmp(res->loc.file, file) == 0 && res->loc.line <= line &&
            (!best || res->loc.line > best->loc.line))
            best = res;
    }
    return best;
}

static bool allowed(const secret_pass *p, const secret_hit *x, const char *fp)
{
    const slsec_config *cfg = &p->r->config;
    for (size_t i = 0; i < cfg->secret_allow_fingerprints.count; i++) {
        const char *a = cfg->secret_allow_fingerprints.items[i];
        size_t n = strlen(a);
        if (n >= 32 && n <= 64 && strncasecmp(a, fp, n) == 0)
            return true;
    }
    pcre2_match_data *md = p->nallow_res ? pcre2_match_data_create(1, NULL) : NULL;
    bool hit = false;
    for (size_t i = 0; i < p->nallow_res && !hit; i++)
        hit = pcre2_match(p->allow_res[i], (PCRE2_SPTR)x->secret, x->length, 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    return hit;
}

size_t secrets_report(secret_pass *p, const char *file, const secret_hits *h, const char *where)
{
    slsec_scan_result *r = p->r;
    size_t made = 0;
    for (size_t i = 0; i < h->n; i++) {
        const secret_hit *x = &h->items[i];
        char fp[65], preview[48];
        slsec_detect_fingerprint(x->secret, x->length, fp);
        if (allowed(p, x, fp))
            continue;
        /* history repeating itself (each later version of the file holds the
         * secret too) or what the working tree holds at the same path; one
         * file may hold a secret twice, and both places are reported */
        char *seen = slsec_arena_printf(r->arena, "%s\x1f%s\x1f%s", x->det->id, fp, file);
        if (where && slsec_strmap_get(p->reported, seen))
            continue;
        slsec_strmap_put(p->reported, seen, (void *)1);
        const slsec_rule *rule = slsec_rule_find(x->det->id);
        if (!rule)
            continue;
        slsec_detect_preview(x->secret, x->length, preview, sizeof preview);
        slsec_check_ctx ctx = {.app = r->app, .settings = &r->config.settings, .rule = rule,
                               .arena = r->arena, .findings = &r->findings};
        slsec_loc loc = {.file = slsec_arena_strdup(r->arena, file), .line = x->line, .col = x->col};
        const slsec_resource *res = where ? NULL : resource_at(r->app, file, x->line);
        slsec_finding *f = slsec_report(&ctx, res ? res->id : NULL, res ? res->type : NULL, loc, fp,
                                        "%s %s in %s%s%s%s", x->det->name, preview, file, where ? where : "",
                                        res ? ", resource " : "", res ? res->id : "");
        f->evidence = slsec_arena_strdup(r->arena, preview);
        memcpy(f->fingerprint, fp, 32);
        f->fingerprint[32] = '\0';
        if (x->ignored) {
            f->suppressed = true;
            f->suppression = x->ignore_reason && *x->ignore_reason
                                 ? slsec_arena_printf(r->arena, "inline slsec:ignore: %s", x->ignore_reason)
                                 : "inline slsec:ignore (no reason given)";
        }
        made++;
    }
    if (h->capped)
        slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, file, 0, 0,
                         "more than %u secrets; the rest of this input was not reported",
                         (unsigned)SLSEC_MAX_SECRETS_PER_FILE);
    return made;
}

/* ---- the pass -------------------------------------------------------------------------------- */

static bool path_allowed(const slsec_config *cfg, const char *rel)
{
    for (size_t i = 0; i < cfg->secret_allow_paths.count; i++)
        if (slsec_path_glob_match(cfg->secret_allow_paths.items[i], rel))
            return true;
    return false;
}

/* Files git ignores are not the user's code: build output, dependencies,
 * local environments. Asked of the work tree holding the root, if any
 * (gitignore.c: git's own rules, without libgit2's start-up cost). */
static void drop_gitignored(slsec_scan_result *r, scan_input **in, size_t *count)
{
    slsec_gitignore *g = slsec_gitignore_open(r->root);
    if (!g)
        return;
    const char *wd = slsec_gitignore_workdir(g);
    size_t kept = 0, wl = strlen(wd);
    for (size_t i = 0; i < *count; i++) {
        char *abs = realpath(in[i]->path, NULL);
        bool ignored = abs && strncmp(abs, wd, wl) == 0 && abs[wl] == '/' &&
                       slsec_gitignore_ignored(g, abs + wl + 1, false);
        free(abs);
        if (!ignored)
            in[kept++] = in[i];
    }
    *count = kept;
    slsec_gitignore_free(g);
}

static void compile_allow_regexes(secret_pass *p)
{
    const slsec_ptrvec *v = &p->r->config.secret_allow_regexes;
    p->allow_res = calloc(v->count ? v->count : 1, sizeof *p->allow_res);
    if (!p->allow_res)
        slsec_oom();
    for (size_t i = 0; i < v->count; i++) {
        int e;
        PCRE2_SIZE at;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)v->items[i], PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL);
        if (c)
            p->allow_res[p->nallow_res++] = c; /* config.c has already refused bad ones */
    }
}

void scan_secrets_run(slsec_scan_result *r, const slsec_scan_opts *opts, const scan_walk *w,
                      bool (*enabled)(const slsec_rule *rule, void *user), void *user)
{
    if (opts->no_secrets)
        return;
    slsec_diag d;
    if (slsec_detect_init(&d) != SLSEC_OK) {
        slsec_diags_add(&r->warnings, &d);
        return;
    }
    secret_pass p = {.r = r, .opts = opts};
    p.dets = slsec_detectors(&p.ndet);
    bool *on = calloc(p.ndet, sizeof *on);
    if (!on)
        slsec_oom();
    bool any = false;
    for (size_t i = 0; i < p.ndet; i++) {
        const slsec_rule *rule = p.dets[i].cls == SLSEC_DETECT_SECRET ? slsec_rule_find(p.dets[i].id) : NULL;
        on[i] = rule && (!enabled || enabled(rule, user));
        any |= on[i];
    }
    if (!any) {
        free(on);
        return;
    }
    p.enabled = on;
    p.reported = slsec_strmap_new(r->arena);
    compile_allow_regexes(&p);

    size_t n = 0;
    scan_input **inputs = malloc((w->texts.count ? w->texts.count : 1) * sizeof *inputs);
    if (!inputs)
        slsec_oom();
    for (size_t i = 0; i < w->texts.count; i++) {
        scan_input *in = w->texts.items[i];
        if (!path_allowed(&r->config, in->relpath))
            inputs[n++] = in;
    }
    drop_gitignored(r, inputs, &n);
    file_result *res = calloc(n ? n : 1, sizeof *res);
    if (!res)
        slsec_oom();
    pool pl = {.enabled = on, .inputs = inputs, .results = res, .count = n};
    atomic_init(&pl.next, 0);
    run_pool(&pl, opts->jobs);

    for (size_t i = 0; i < n; i++) {
        file_result *fr = &res[i];
        if (fr->err)
            slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, inputs[i]->relpath, 0, 0,
                             "cannot read for the secret scan: %s", strerror(fr->err));
        if (fr->archive)
            secrets_scan_archive(&p, inputs[i]->path, inputs[i]->relpath);
        if (fr->scanned && !fr->binary)
            r->text_files++;
        r->text_bytes += fr->bytes;
        secrets_report(&p, inputs[i]->relpath, &fr->hits, NULL);
        secrets_hits_free(&fr->hits);
    }
    for (size_t i = 0; i < opts->artifact_count; i++)
        secrets_scan_archive(&p, opts->artifacts[i], opts->artifacts[i]);
    if (opts->git_history)
        secrets_scan_git(&p);

    for (size_t i = 0; i < p.nallow_res; i++)
        pcre2_code_free(p.allow_res[i]);
    free(p.allow_res);
    free(res);
    free(inputs);
    free(on);
}
