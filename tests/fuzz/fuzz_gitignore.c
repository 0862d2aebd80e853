/*
 * fuzz_gitignore.c — .gitignore patterns and paths (src/scan/gitignore.c).
 *
 * The input is patterns, a NUL, then paths one per line; each path is
 * asked as a file and as a directory. Nothing may crash, and no pattern
 * may take longer than its step budget.
 */
#include "scan/gitignore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t plen = nul ? (size_t)(nul - text) : size;
    slsec_gitignore *g = slsec_gitignore_from_text(text, plen);
    if (nul) {
        char *paths = strndup(nul + 1, size - plen - 1);
        if (paths) {
            for (char *save = NULL, *p = strtok_r(paths, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
                slsec_gitignore_ignored(g, p, false);
                slsec_gitignore_ignored(g, p, true);
            }
            free(paths);
        }
    }
    slsec_gitignore_free(g);
    return 0;
}
