/*
 * fuzz_lockfile.c — libFuzzer target for the lockfile readers and the
 * version comparators (src/deps).
 *
 * The first byte of an input picks what it is: one of the lockfile names
 * slsec reads (the reader is chosen by name), or, past them, a pair of
 * versions for slsec_version_cmp in each ecosystem (split at the first
 * newline), where the order must also be antisymmetric. The rest of the
 * input is the file's bytes. The seed corpus (corpus/lockfile/) holds the
 * test fixtures with their selector byte in front.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slsec/deps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "package-lock.json", "yarn.lock",    "pnpm-lock.yaml", "requirements.txt", "poetry.lock",
    "uv.lock",           "Pipfile.lock", "Cargo.lock",     "go.mod",           "go.sum",
    "Gemfile.lock",      "composer.lock", "pom.xml",
};
#define NNAMES (sizeof names / sizeof names[0])

static void versions(const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    if (!nl)
        return;
    char *a = strndup(s, (size_t)(nl - s));
    char *b = strndup(nl + 1, n - (size_t)(nl - s) - 1);
    if (!a || !b)
        abort();
    for (int e = 0; e < SLSEC_ECO_COUNT; e++) {
        int x = 0, y = 0;
        int r1 = slsec_version_cmp((slsec_ecosystem)e, a, b, &x);
        int r2 = slsec_version_cmp((slsec_ecosystem)e, b, a, &y);
        if (r1 == SLSEC_OK && r2 == SLSEC_OK && ((x < 0) != (y > 0) || (x == 0) != (y == 0)))
            abort(); /* an order that is not antisymmetric */
    }
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t pick = data[0];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    /* The readers take NUL-terminated bytes, as slsec_read_file gives. */
    char *copy = malloc(len + 1);
    if (!copy)
        return 0;
    memcpy(copy, body, len);
    copy[len] = '\0';
    if (pick % (NNAMES + 1) == NNAMES) {
        versions(copy, len);
    } else {
        slsec_arena *a = slsec_arena_new();
        slsec_ptrvec pkgs = {0};
        slsec_diags w = {0};
        slsec_lockfile_parse(a, names[pick % (NNAMES + 1)], copy, len, &pkgs, &w);
        slsec_diags_clear(&w);
        slsec_arena_free(a);
    }
    free(copy);
    return 0;
}
