/*
 * slsec/base.h — the ground every module stands on: error codes,
 * diagnostics, arenas, growable vectors, string buffers, a string hash map.
 *
 * Ownership: everything allocated from an arena lives until
 * slsec_arena_free(); nothing allocated from one is freed on its own.
 * Heap-owned objects come in _new/_free pairs, and _free(NULL) is a no-op.
 *
 * Errors: library functions return SLSEC_OK (0) or a negative SLSEC_E*
 * code and, where they take one, fill a slsec_diag with file, line, column
 * and a sentence saying what was expected. The library never prints and
 * never exits on input; running out of memory is the one thing it treats
 * as fatal (slsec_oom), since every input is bounded by limits.h first.
 */
#ifndef SLSEC_BASE_H
#define SLSEC_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLSEC_VERSION "0.1.0"

/* Error codes are never renumbered: scripts may depend on them. */
enum {
    SLSEC_OK = 0,
    SLSEC_EIO = -1,          /* a file could not be read */
    SLSEC_EPARSE = -2,       /* malformed YAML or JSON */
    SLSEC_ELIMIT = -3,       /* a limit of limits.h was hit */
    SLSEC_EUSAGE = -4,       /* bad arguments or configuration */
    SLSEC_ENOMEM = -5,       /* allocation failed */
    SLSEC_ENOTTEMPLATE = -6, /* the document is not a template we know */
    SLSEC_ESTRUCTURE = -7,   /* a template with the wrong shape */
    SLSEC_EINTERNAL = -8,
};

const char *slsec_strerror(int code);

__attribute__((noreturn)) void slsec_oom(void);

/* ---- diagnostics ------------------------------------------------------ */

typedef enum { SLSEC_DIAG_ERROR, SLSEC_DIAG_WARNING, SLSEC_DIAG_NOTE } slsec_diag_level;

typedef struct slsec_diag {
    slsec_diag_level level;
    char file[512]; /* relative to the scanned root where one is known */
    int line;       /* 1-based; 0 when the problem is not at a place */
    int col;        /* 1-based; 0 likewise */
    char message[512];
} slsec_diag;

void slsec_diag_set(slsec_diag *d, slsec_diag_level level, const char *file, int line, int col,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A growable list of diagnostics (warnings gathered during a scan). */
typedef struct slsec_diags {
    slsec_diag *items;
    size_t count, cap;
} slsec_diags;

void slsec_diags_add(slsec_diags *list, const slsec_diag *d);
void slsec_diags_addf(slsec_diags *list, slsec_diag_level level, const char *file, int line,
                      int col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void slsec_diags_clear(slsec_diags *list);

/* ---- arena ------------------------------------------------------------- */

typedef struct slsec_arena slsec_arena;

slsec_arena *slsec_arena_new(void);
void slsec_arena_free(slsec_arena *a);
/* Zeroed memory, aligned for any type. */
void *slsec_arena_alloc(slsec_arena *a, size_t size);
char *slsec_arena_strndup(slsec_arena *a, const char *s, size_t n);
char *slsec_arena_strdup(slsec_arena *a, const char *s);
char *slsec_arena_printf(slsec_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *slsec_arena_vprintf(slsec_arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
size_t slsec_arena_used(const slsec_arena *a);

/* ---- vectors of pointers, arena-backed --------------------------------- */

typedef struct slsec_ptrvec {
    void **items;
    size_t count, cap;
} slsec_ptrvec;

void slsec_ptrvec_push(slsec_arena *a, slsec_ptrvec *v, void *item);
bool slsec_ptrvec_contains(const slsec_ptrvec *v, const void *item);

/* ---- string buffer, heap-backed, bounded ------------------------------- */

typedef struct slsec_buf {
    char *data;
    size_t len, cap;
} slsec_buf;

void slsec_buf_init(slsec_buf *b);
void slsec_buf_free(slsec_buf *b);
void slsec_buf_append(slsec_buf *b, const char *s, size_t n);
void slsec_buf_puts(slsec_buf *b, const char *s);
void slsec_buf_putc(slsec_buf *b, char c);
/* Room for exactly n more bytes at the end, returned for the caller to
 * fill (the buffer's length already counts them; the terminator is set). */
char *slsec_buf_extend(slsec_buf *b, size_t n);
void slsec_buf_printf(slsec_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void slsec_buf_reset(slsec_buf *b);

/* ---- string → pointer hash map, arena-backed --------------------------- */

typedef struct slsec_strmap slsec_strmap;

slsec_strmap *slsec_strmap_new(slsec_arena *a);
/* Keys are not copied: they must live as long as the map. */
void slsec_strmap_put(slsec_strmap *m, const char *key, void *value);
void *slsec_strmap_get(const slsec_strmap *m, const char *key);
size_t slsec_strmap_count(const slsec_strmap *m);

/* ---- small string helpers ---------------------------------------------- */

bool slsec_str_eq_ci(const char *a, const char *b);
bool slsec_str_has_prefix(const char *s, const char *prefix);
bool slsec_str_has_suffix(const char *s, const char *suffix);
/* Case-insensitive substring test. */
bool slsec_str_contains_ci(const char *haystack, const char *needle);
/* IAM-style glob: '*' any run, '?' one character, case-insensitive. */
bool slsec_glob_match_ci(const char *pattern, const char *text);
/* Path glob for ignore lists: '*' within a segment, '**' across segments. */
bool slsec_path_glob_match(const char *pattern, const char *path);
/* A deployment package or layer by its name: .zip or .jar, any case. */
bool slsec_path_is_package(const char *path);
/* Strict decimal parse of a whole string into a long; false if not one. */
bool slsec_parse_long(const char *s, long *out);

/* ---- UTF-8 ------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), storing
 * its code point; 0 when the bytes there are not one (overlong forms,
 * surrogates and values past U+10FFFF are not). */
size_t slsec_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Offset of the first ill-formed byte of s, or n when all of it is UTF-8. */
size_t slsec_utf8_invalid_offset(const char *s, size_t n);

/* ---- files ------------------------------------------------------------- */

/* Reads a whole regular file, refusing more than max_bytes. The buffer is
 * NUL-terminated and owned by the caller (free()). */
int slsec_read_file(const char *path, size_t max_bytes, char **data, size_t *len, slsec_diag *d);

/* ---- archives (src/base/archive.c) -------------------------------------- */

/* Whether to read an entry (its path inside the archive); NULL: all. */
typedef bool (*slsec_archive_want_fn)(const char *name, void *user);
/* One regular file: "archive.zip!/path" and its bytes (NUL-terminated),
 * valid during the call only. */
typedef void (*slsec_archive_entry_fn)(const char *entry_name, const char *data, size_t len, void *user);

/* Reads the regular files of the zip/jar at path in memory (nothing is
 * extracted) within the archive limits of limits.h; a zip bomb, a corrupt
 * archive or entry, an entry too large are warnings naming shown or the
 * entry, and the rest goes on. */
void slsec_archive_each(const char *path, const char *shown, slsec_archive_want_fn want,
                        slsec_archive_entry_fn on_entry, void *user, slsec_diags *warnings);

/* ---- hashing ----------------------------------------------------------- */

/* Lower-case hex SHA-256 of data, written to out (65 bytes). */
void slsec_sha256_hex(const void *data, size_t len, char out[65]);

#endif
