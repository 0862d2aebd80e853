/*
 * base.c — arena, vectors, buffers, diagnostics and string helpers.
 *
 * The arena hands out memory from large blocks and frees them all at once:
 * a scan allocates its documents, model and findings from one arena, so no
 * part of the pipeline needs to track what it allocated.
 */
#include "slsec/base.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>

const char *slsec_strerror(int code)
{
    switch (code) {
    case SLSEC_OK: return "ok";
    case SLSEC_EIO: return "input/output error";
    case SLSEC_EPARSE: return "parse error";
    case SLSEC_ELIMIT: return "limit exceeded";
    case SLSEC_EUSAGE: return "bad usage";
    case SLSEC_ENOMEM: return "out of memory";
    case SLSEC_ENOTTEMPLATE: return "not a template";
    case SLSEC_ESTRUCTURE: return "malformed template";
    case SLSEC_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

void slsec_oom(void)
{
    static const char msg[] = "slsec: out of memory\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
    abort();
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        slsec_oom();
    return q;
}

/* ---- diagnostics ------------------------------------------------------ */

static __attribute__((format(printf, 6, 0))) void diag_vset(slsec_diag *d, slsec_diag_level level, const char *file, int line, int col,
                      const char *fmt, va_list ap)
{
    d->level = level;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    d->col = col;
    vsnprintf(d->message, sizeof d->message, fmt, ap);
}

void slsec_diag_set(slsec_diag *d, slsec_diag_level level, const char *file, int line, int col,
                    const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_vset(d, level, file, line, col, fmt, ap);
    va_end(ap);
}

void slsec_diags_add(slsec_diags *list, const slsec_diag *d)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    list->items[list->count++] = *d;
}

void slsec_diags_addf(slsec_diags *list, slsec_diag_level level, const char *file, int line,
                      int col, const char *fmt, ...)
{
    slsec_diag d;
    va_list ap;
    va_start(ap, fmt);
    diag_vset(&d, level, file, line, col, fmt, ap);
    va_end(ap);
    slsec_diags_add(list, &d);
}

void slsec_diags_clear(slsec_diags *list)
{
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}

/* ---- arena ------------------------------------------------------------- */

#define ARENA_BLOCK (64u * 1024u)
#define ARENA_ALIGN 16u
/* Past this much memory an arena is a big one (a scan's model of thousands
 * of functions): its further blocks are mapped in huge-page-sized chunks.
 * Fresh mappings are already zero, so they skip the memset, and one huge
 * page fault replaces 512 small ones: on a 1,000-function serverless.yml
 * page faults were a fifth of the scan. */
#define ARENA_BIG_AFTER (1u << 20)
#define ARENA_MAPPED_BLOCK (2u << 20)

typedef struct arena_block {
    struct arena_block *next;
    size_t size, used;
    size_t mapped; /* bytes mmap()ed for the block, 0 when malloc()ed */
    _Alignas(16) unsigned char data[];
} arena_block;

struct slsec_arena {
    arena_block *head;
    size_t total;
};

slsec_arena *slsec_arena_new(void)
{
    slsec_arena *a = calloc(1, sizeof *a);
    if (!a)
        slsec_oom();
    return a;
}

static void arena_block_free(arena_block *b)
{
    if (b->mapped)
        munmap(b, b->mapped);
    else
        free(b);
}

void slsec_arena_free(slsec_arena *a)
{
    if (!a)
        return;
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        arena_block_free(b);
        b = next;
    }
    free(a);
}

/* A zero-filled block of at least `bsize` bytes mapped on a 2 MiB boundary
 * (transparent huge pages need the alignment), or NULL. */
static arena_block *arena_map_block(size_t bsize)
{
/* Not under AddressSanitizer: its leak checker does not look inside
 * mappings, so a malloc()ed buffer referenced only from the arena would be
 * reported as leaked. */
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE) && !defined(__SANITIZE_ADDRESS__)
    size_t want = (sizeof(arena_block) + bsize + ARENA_MAPPED_BLOCK - 1) & ~(size_t)(ARENA_MAPPED_BLOCK - 1);
    size_t span = want + ARENA_MAPPED_BLOCK;
    unsigned char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + ARENA_MAPPED_BLOCK - 1) & ~(uintptr_t)(ARENA_MAPPED_BLOCK - 1);
    size_t head = start - (uintptr_t)raw, tail = span - head - want;
    if (head)
        munmap(raw, head);
    if (tail)
        munmap((unsigned char *)start + want, tail);
    madvise((void *)start, want, MADV_HUGEPAGE); /* advice only: failure is harmless */
    arena_block *b = (arena_block *)start;
    b->mapped = want;
    b->size = want - sizeof *b;
    return b;
#else
    (void)bsize;
    return NULL;
#endif
}

/* Memory from the arena, zeroed unless the caller writes all of it
 * (strings: the copy and its terminator). */
static void *arena_take(slsec_arena *a, size_t size, bool zero)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        /* Large requests get a block of their own, placed behind the
         * current one so the current block's free space is not lost. */
        bool own = size > ARENA_BLOCK / 4;
        size_t bsize = own ? size : ARENA_BLOCK;
        arena_block *nb = NULL;
        if (a->total >= ARENA_BIG_AFTER || bsize >= ARENA_MAPPED_BLOCK)
            nb = arena_map_block(own ? bsize : ARENA_MAPPED_BLOCK - sizeof *nb);
        if (nb) {
            own = own && nb->size - size < ARENA_BLOCK; /* a roomy mapping becomes the current block */
        } else {
            nb = malloc(sizeof *nb + bsize);
            if (!nb)
                slsec_oom();
            nb->size = bsize;
            nb->mapped = 0;
        }
        nb->used = 0;
        if (b && own) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        a->total += nb->size;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    if (zero && !b->mapped) /* a mapping is zero-filled and never handed out twice */
        memset(p, 0, size);
    return p;
}

void *slsec_arena_alloc(slsec_arena *a, size_t size) { return arena_take(a, size, true); }

size_t slsec_arena_used(const slsec_arena *a) { return a->total; }

char *slsec_arena_strndup(slsec_arena *a, const char *s, size_t n)
{
    char *p = arena_take(a, n + 1, false); /* every byte is written below */
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *slsec_arena_strdup(slsec_arena *a, const char *s)
{
    return s ? slsec_arena_strndup(a, s, strlen(s)) : NULL;
}

char *slsec_arena_vprintf(slsec_arena *a, const char *fmt, va_list ap)
{
    /* Most results are short: format once into the stack, copy the bytes;
     * only a longer one costs a second pass. */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof small)
        return slsec_arena_strndup(a, small, (size_t)n);
    char *p = slsec_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *slsec_arena_printf(slsec_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = slsec_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- pointer vectors --------------------------------------------------- */

void slsec_ptrvec_push(slsec_arena *a, slsec_ptrvec *v, void *item)
{
    if (v->count == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4;
        void **n = slsec_arena_alloc(a, ncap * sizeof *n);
        if (v->count)
            memcpy(n, v->items, v->count * sizeof *n);
        v->items = n;
        v->cap = ncap;
    }
    v->items[v->count++] = item;
}

bool slsec_ptrvec_contains(const slsec_ptrvec *v, const void *item)
{
    for (size_t i = 0; i < v->count; i++)
        if (v->items[i] == item)
            return true;
    return false;
}

/* ---- buffers ----------------------------------------------------------- */

void slsec_buf_init(slsec_buf *b) { memset(b, 0, sizeof *b); }

void slsec_buf_free(slsec_buf *b)
{
    free(b->data);
    slsec_buf_init(b);
}

void slsec_buf_reset(slsec_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void buf_reserve(slsec_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + extra + 1)
        ncap *= 2;
    b->data = xrealloc(b->data, ncap);
    b->cap = ncap;
}

void slsec_buf_append(slsec_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void slsec_buf_puts(slsec_buf *b, const char *s) { slsec_buf_append(b, s, strlen(s)); }

char *slsec_buf_extend(slsec_buf *b, size_t n)
{
    buf_reserve(b, n);
    char *p = b->data + b->len;
    b->len += n;
    b->data[b->len] = '\0';
    return p;
}

void slsec_buf_putc(slsec_buf *b, char c)
{
    if (b->len + 2 > b->cap)
        buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void slsec_buf_printf(slsec_buf *b, const char *fmt, ...)
{
    /* Formatted straight into the free space when it fits, which is
     * almost always; otherwise grown and formatted again. */
    buf_reserve(b, 64);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap2);
    va_end(ap2);
    if (n > 0 && (size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    if (n > 0)
        b->len += (size_t)n;
    b->data[b->len] = '\0';
    va_end(ap);
}

/* ---- hash map ---------------------------------------------------------- */

typedef struct strmap_slot {
    const char *key;
    void *value;
    uint64_t hash;
} strmap_slot;

struct slsec_strmap {
    slsec_arena *arena;
    strmap_slot *slots;
    size_t cap, count;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

slsec_strmap *slsec_strmap_new(slsec_arena *a)
{
    slsec_strmap *m = slsec_arena_alloc(a, sizeof *m);
    m->arena = a;
    m->cap = 16;
    m->slots = slsec_arena_alloc(a, m->cap * sizeof *m->slots);
    return m;
}

static void strmap_grow(slsec_strmap *m)
{
    size_t ncap = m->cap * 2;
    strmap_slot *ns = slsec_arena_alloc(m->arena, ncap * sizeof *ns);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        size_t j = m->slots[i].hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    m->slots = ns;
    m->cap = ncap;
}

void slsec_strmap_put(slsec_strmap *m, const char *key, void *value)
{
    if ((m->count + 1) * 4 > m->cap * 3)
        strmap_grow(m);
    uint64_t h = fnv1a(key);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0) {
            m->slots[j].value = value;
            return;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].key = key;
    m->slots[j].value = value;
    m->slots[j].hash = h;
    m->count++;
}

void *slsec_strmap_get(const slsec_strmap *m, const char *key)
{
    if (!m || !key)
        return NULL;
    uint64_t h = fnv1a(key);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0)
            return m->slots[j].value;
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

size_t slsec_strmap_count(const slsec_strmap *m) { return m ? m->count : 0; }

/* ---- strings ----------------------------------------------------------- */

bool slsec_str_eq_ci(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    return strcasecmp(a, b) == 0;
}

bool slsec_str_has_prefix(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool slsec_str_has_suffix(const char *s, const char *suffix)
{
    if (!s)
        return false;
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool slsec_str_contains_ci(const char *h, const char *n)
{
    if (!h || !n)
        return false;
    size_t nl = strlen(n);
    for (; *h; h++)
        if (strncasecmp(h, n, nl) == 0)
            return true;
    return nl == 0;
}

bool slsec_glob_match_ci(const char *p, const char *t)
{
    /* Iterative matcher with one backtrack point: linear in practice and
     * never recursive, so hostile patterns cannot exhaust the stack. */
    const char *star = NULL, *mark = NULL;
    while (*t) {
        if (*p == '*') {
            star = p++;
            mark = t;
        } else if (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*t)) {
            p++;
            t++;
        } else if (star) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static bool path_glob(const char *p, const char *t, int depth)
{
    if (depth > 32)
        return false;
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/')
                p++;
            for (const char *s = t;; s++) {
                if (path_glob(p, s, depth + 1))
                    return true;
                if (!*s)
                    return false;
            }
        }
        if (*p == '*') {
            p++;
            for (const char *s = t;; s++) {
                if (path_glob(p, s, depth + 1))
                    return true;
                if (!*s || *s == '/')
                    return false;
            }
        }
        if (*p == '?' ? (*t && *t != '/') : *p == *t) {
            p++;
            t++;
            continue;
        }
        return false;
    }
    return *t == '\0' || *t == '/'; /* a folder pattern covers what is below it */
}

bool slsec_path_glob_match(const char *pattern, const char *path)
{
    if (slsec_str_has_prefix(pattern, "./"))
        pattern += 2;
    if (slsec_str_has_prefix(path, "./"))
        path += 2;
    return path_glob(pattern, path, 0);
}

bool slsec_parse_long(const char *s, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s)
        return false;
    *out = v;
    return true;
}

/* ---- files ------------------------------------------------------------- */

int slsec_read_file(const char *path, size_t max_bytes, char **data, size_t *len, slsec_diag *d)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return SLSEC_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "not a regular file");
        close(fd);
        return SLSEC_EIO;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0,
                       "file is %.1f MB, over the %.1f MB limit for templates; skipped",
                       (double)st.st_size / 1048576.0, (double)max_bytes / 1048576.0);
        close(fd);
        return SLSEC_ELIMIT;
    }
    /* Room for the whole file and one byte more, so the read that finds
     * the end needs no bigger buffer. */
    size_t cap = (size_t)st.st_size + 2, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        slsec_oom();
    for (;;) {
        if (n + 1 >= cap) {
            /* The file grew while we read it: still honour the limit. */
            if (cap > max_bytes) {
                free(buf);
                close(fd);
                slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "file grew past the size limit");
                return SLSEC_ELIMIT;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "read failed: %s", strerror(errno));
            free(buf);
            close(fd);
            return SLSEC_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return SLSEC_OK;
}

/* ---- hashing ----------------------------------------------------------- */

/* Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again
 * on every digest, ten times the cost of hashing a short fingerprint
 * (a scan hashes one per finding). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void) { sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); }

void slsec_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";
    pthread_once(&sha256_once, sha256_fetch);
    if (!EVP_Digest(data, len, md, &mdlen, sha256_md ? sha256_md : EVP_sha256(), NULL))
        slsec_oom();
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* ---- UTF-8 ----------------------------------------------------------------- */

size_t slsec_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* bounds of the second byte (RFC 3629 table) */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        unsigned b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return len;
}

size_t slsec_utf8_invalid_offset(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        if (p[i] < 0x80) {
            /* ASCII, which templates nearly are: eight bytes at a time. */
            uint64_t word;
            while (i + 8 <= n && (memcpy(&word, p + i, 8), !(word & 0x8080808080808080u)))
                i += 8;
            while (i < n && p[i] < 0x80)
                i++;
            continue;
        }
        size_t k = slsec_utf8_decode(p + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

bool slsec_path_is_package(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 4 && (strcasecmp(path + n - 4, ".zip") == 0 || strcasecmp(path + n - 4, ".jar") == 0);
}
