/*
 * cloudtrail.c — CloudTrail inputs to one record at a time.
 *
 * The splitter is a byte-level state machine over JSON that tracks only
 * nesting, strings and the one key that matters ("Records" in a top-level
 * object); it never builds a tree, so a 1 GB file costs the size of its
 * largest record. Bytes of a record are copied in runs (not byte by byte)
 * from each chunk, and string contents are skipped with a tight loop: the
 * splitter costs far less than parsing the records it hands out.
 *
 * Shapes accepted, in any chunking and one after the other:
 *   {"Records": [ {...}, ... ]}     S3 delivery (the key may come anywhere)
 *   {...}\n{...}\n                  JSON lines (CloudTrail Lake, Athena)
 *   [ {...}, ... ]                  a plain array of records
 * A top-level object is a record unless it holds "Records"; "Records" that
 * is not an array is a problem, reported, and the object skipped. Malformed
 * structure (a '}' closing a '[') resynchronises at the next top-level
 * object rather than giving up on the rest of the input.
 *
 * Reading: files and stdin in 1 MB reads; gzip recognised by its magic
 * bytes (not the name) and inflated with zlib as it streams, concatenated
 * members included. A truncated gzip delivers what it had, then a problem.
 */
#define _POSIX_C_SOURCE 200809L
#include "audit_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "slsec/limits.h"

#define STACK_MAX 256

struct slsec_ct_splitter {
    slsec_ct_record_fn on_record;
    slsec_ct_problem_fn on_problem;
    void *user;
    size_t max;
    size_t depth;
    unsigned char kind[STACK_MAX + 1]; /* '{' or '[' of each open container, 1-based */
    bool in_str, esc;
    /* the record being captured */
    size_t rec_depth; /* depth of its object, 0: none */
    bool overflow;
    slsec_buf buf;
    /* the top-level object */
    bool top_not_record;  /* it holds Records (or a bad Records): not itself a record */
    size_t records_depth; /* depth of the Records array (2), 0: not inside one */
    /* keys of the top-level object */
    bool key_capture;
    char key[16];
    size_t keylen;
    bool last_key_records, expect_records_value;
    size_t index, offset;
    size_t handed; /* records given to on_record */
    bool in_garbage;
};

slsec_ct_splitter *slsec_ct_splitter_new(slsec_ct_record_fn on_record, slsec_ct_problem_fn on_problem,
                                         void *user, size_t max_record)
{
    slsec_ct_splitter *s = calloc(1, sizeof *s);
    if (!s)
        slsec_oom();
    s->on_record = on_record;
    s->on_problem = on_problem;
    s->user = user;
    s->max = max_record ? max_record : SLSEC_MAX_CT_RECORD_BYTES;
    slsec_buf_init(&s->buf);
    return s;
}

void slsec_ct_splitter_free(slsec_ct_splitter *s)
{
    if (!s)
        return;
    slsec_buf_free(&s->buf);
    free(s);
}

static void problem(slsec_ct_splitter *s, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(slsec_ct_splitter *s, size_t index, const char *fmt, ...)
{
    if (!s->on_problem)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->on_problem(s->user, index, msg);
}

static void capture(slsec_ct_splitter *s, const char *from, const char *to)
{
    if (s->overflow || to <= from)
        return;
    size_t n = (size_t)(to - from);
    if (s->buf.len + n > s->max) {
        s->overflow = true;
        slsec_buf_reset(&s->buf);
        return;
    }
    slsec_buf_append(&s->buf, from, n);
}

static void start_record(slsec_ct_splitter *s)
{
    s->rec_depth = s->depth; /* after the '{' was counted */
    s->overflow = false;
    slsec_buf_reset(&s->buf);
}

static void end_record(slsec_ct_splitter *s)
{
    s->index++;
    if (s->overflow)
        problem(s, s->index, "record larger than %zu bytes; skipped", s->max);
    else {
        s->handed++;
        if (s->on_record)
            s->on_record(s->user, s->buf.data ? s->buf.data : "", s->buf.len, s->index);
    }
    s->rec_depth = 0;
    s->overflow = false;
    slsec_buf_reset(&s->buf);
}

static void resync(slsec_ct_splitter *s, const char *why, size_t at)
{
    problem(s, s->index + (s->rec_depth ? 1 : 0), "%s at byte %zu; skipping to the next record", why, at);
    s->depth = 0;
    s->in_str = s->esc = false;
    s->rec_depth = 0;
    s->records_depth = 0;
    s->expect_records_value = false;
    slsec_buf_reset(&s->buf);
    s->in_garbage = true;
}

void slsec_ct_splitter_feed(slsec_ct_splitter *s, const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    const char *seg = s->rec_depth ? data : NULL; /* start of the run to copy */
    while (p < end) {
        if (s->in_str) {
            if (!s->key_capture && !s->esc)
                while (p < end && *p != '"' && *p != '\\')
                    p++;
            if (p == end)
                break;
            char k = *p++;
            if (s->esc)
                s->esc = false;
            else if (k == '\\')
                s->esc = true;
            else if (k == '"') {
                s->in_str = false;
                if (s->key_capture) {
                    s->key_capture = false;
                    s->last_key_records = s->keylen == 7 && memcmp(s->key, "Records", 7) == 0;
                }
                continue;
            }
            if (s->key_capture && s->keylen < sizeof s->key)
                s->key[s->keylen++] = k;
            continue;
        }
        char c = *p;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            p++;
            continue;
        }
        if (s->in_garbage) {
            if (c != '{' || s->depth != 0) {
                p++;
                continue;
            }
            s->in_garbage = false;
        }
        if (s->expect_records_value && s->depth == 1) {
            s->expect_records_value = false;
            if (c == '[') {
                s->records_depth = 2;
                s->rec_depth = 0; /* the top-level object is a container, not a record */
                slsec_buf_reset(&s->buf);
                seg = NULL;
            } else {
                problem(s, s->index, "\"Records\" is not an array; the object is skipped");
            }
            s->top_not_record = true;
        }
        switch (c) {
        case '"':
            s->in_str = true;
            s->key_capture = s->depth == 1 && s->kind[1] == '{';
            s->keylen = 0;
            break;
        case ':':
            if (s->depth == 1 && s->kind[1] == '{' && s->last_key_records)
                s->expect_records_value = true;
            s->last_key_records = false;
            break;
        case '{':
        case '[': {
            bool record = c == '{' && s->rec_depth == 0 &&
                          (s->depth == 0 || (s->depth == 1 && s->kind[1] == '[') ||
                           (s->records_depth && s->depth == s->records_depth));
            if (s->depth == 0)
                s->top_not_record = false;
            if (s->depth == 0 && c == '[')
                s->top_not_record = true;
            s->depth++;
            if (s->depth <= STACK_MAX)
                s->kind[s->depth] = (unsigned char)c;
            if (record) {
                start_record(s);
                seg = p;
            }
            break;
        }
        case '}':
        case ']': {
            if (s->depth == 0) {
                resync(s, "unbalanced closing bracket", s->offset + (size_t)(p - data));
                seg = NULL;
                break;
            }
            if (s->depth <= STACK_MAX && s->kind[s->depth] != (c == '}' ? '{' : '[')) {
                resync(s, "malformed JSON", s->offset + (size_t)(p - data));
                seg = NULL;
                break;
            }
            if (s->records_depth && s->depth == s->records_depth)
                s->records_depth = 0;
            bool closes_record = s->rec_depth && s->depth == s->rec_depth;
            s->depth--;
            if (closes_record) {
                capture(s, seg, p + 1);
                seg = NULL;
                if (s->depth == 0 && s->top_not_record) {
                    s->rec_depth = 0;
                    slsec_buf_reset(&s->buf);
                } else {
                    end_record(s);
                }
            }
            break;
        }
        case ',': break;
        default:
            if (s->depth == 0) {
                problem(s, s->index, "unexpected text at byte %zu; expected a JSON object",
                        s->offset + (size_t)(p - data));
                s->in_garbage = true;
            }
            break;
        }
        p++;
    }
    if (seg && s->rec_depth)
        capture(s, seg, end);
    s->offset += len;
}

size_t slsec_ct_splitter_finish(slsec_ct_splitter *s)
{
    if (s->rec_depth)
        problem(s, s->index + 1, "input ends inside a record (truncated); the record is skipped");
    else if (s->depth)
        problem(s, s->index, "input ends inside the Records array (truncated)");
    s->depth = 0;
    s->rec_depth = 0;
    s->in_str = false;
    return s->handed;
}

/* ---- reading inputs ------------------------------------------------------------ */

#define READ_CHUNK (1u << 20)

static void read_gzip(int fd, slsec_ct_splitter *s, unsigned char *in, size_t have)
{
    unsigned char *out = malloc(READ_CHUNK);
    if (!out)
        slsec_oom();
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        free(out);
        problem(s, s->index, "zlib could not start");
        return;
    }
    bool eof = false, ended = false;
    z.next_in = in;
    z.avail_in = (uInt)have;
    for (;;) {
        if (z.avail_in == 0 && !eof) {
            ssize_t n = read(fd, in, READ_CHUNK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                eof = true;
                if (n < 0)
                    problem(s, s->index, "read error: %s", strerror(errno));
            } else {
                z.next_in = in;
                z.avail_in = (uInt)n;
            }
        }
        if (z.avail_in == 0 && eof)
            break;
        if (ended) {
            /* another gzip member follows */
            inflateReset(&z);
            ended = false;
        }
        z.next_out = out;
        z.avail_out = READ_CHUNK;
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t produced = READ_CHUNK - z.avail_out;
        if (produced)
            slsec_ct_splitter_feed(s, (const char *)out, produced);
        if (zr == Z_STREAM_END) {
            ended = true;
        } else if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            continue; /* needs more input */
        } else if (zr != Z_OK) {
            problem(s, 0, "corrupt gzip data after record %zu (%s); the rest of the file is skipped",
                    s->index, z.msg ? z.msg : "inflate failed");
            ended = true;
            break;
        }
    }
    if (!ended)
        problem(s, 0, "gzip data ends early after record %zu (truncated file)", s->index);
    inflateEnd(&z);
    free(out);
}

int slsec_ct_read_input(const char *path, slsec_ct_splitter *s, slsec_diag *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return SLSEC_EIO;
    }
    unsigned char *in = malloc(READ_CHUNK);
    if (!in)
        slsec_oom();
    size_t have = 0;
    /* enough bytes to see the gzip magic */
    while (have < 2) {
        ssize_t n = read(fd, in + have, READ_CHUNK - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    if (have >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
        read_gzip(fd, s, in, have);
    } else {
        if (have)
            slsec_ct_splitter_feed(s, (const char *)in, have);
        for (;;) {
            ssize_t n = read(fd, in, READ_CHUNK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                problem(s, s->index, "read error: %s", strerror(errno));
            if (n <= 0)
                break;
            slsec_ct_splitter_feed(s, (const char *)in, (size_t)n);
        }
    }
    free(in);
    if (!is_stdin)
        close(fd);
    return SLSEC_OK;
}

/* ---- walking folders -------------------------------------------------------------- */

static bool trail_name(const char *name)
{
    static const char *const suffixes[] = {".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".gz"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (slsec_str_has_suffix(name, suffixes[i]))
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, int depth, int (*fn)(const char *, void *), void *user, slsec_diag *err)
{
    if (depth > SLSEC_MAX_WALK_DEPTH)
        return SLSEC_OK;
    DIR *d = opendir(dir);
    if (!d) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, dir, 0, 0, "cannot open folder: %s", strerror(errno));
        return SLSEC_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "CloudTrail-Digest") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(names, cap * sizeof *more);
            if (!more)
                slsec_oom();
            names = more;
        }
        names[n] = strdup(e->d_name);
        if (!names[n])
            slsec_oom();
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = SLSEC_OK;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + 1 + strlen(names[i]) + 1;
        char *path = malloc(plen);
        if (!path)
            slsec_oom();
        snprintf(path, plen, "%s%s%s", dir, slsec_str_has_suffix(dir, "/") ? "" : "/", names[i]);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = walk(path, depth + 1, fn, user, err);
            else if (S_ISREG(st.st_mode) && trail_name(names[i]))
                rc = fn(path, user);
        }
        free(path);
        if (rc != SLSEC_OK)
            break;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int slsec_ct_each_file(const char *path, int (*fn)(const char *file, void *user), void *user, slsec_diag *err)
{
    if (strcmp(path, "-") == 0)
        return fn(path, user);
    struct stat st;
    if (stat(path, &st) != 0) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        return SLSEC_EIO;
    }
    if (S_ISDIR(st.st_mode))
        return walk(path, 0, fn, user, err);
    return fn(path, user);
}
