/*
 * fuzz_config.c — libFuzzer target for .slsec.yml (slsec_config_load).
 *
 * The loader takes a path, as the CLI gives it one, so each input is
 * written to an anonymous memory file (memfd) and loaded through
 * /proc/self/fd/N: no file system is touched, and the fuzzer cannot fill
 * /tmp with thousands of inputs. The memfd is made once and rewritten each
 * round. If memfd_create is unavailable (an old kernel), the target falls
 * back to one temporary file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "slsec/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int input_fd = -1;
static char input_path[64];

static int open_input(void)
{
    input_fd = memfd_create("slsec-fuzz-config", 0);
    if (input_fd >= 0) {
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
        return 0;
    }
    char tmpl[] = "/tmp/slsec-fuzz-config.XXXXXX";
    input_fd = mkstemp(tmpl);
    if (input_fd < 0)
        return -1;
    snprintf(input_path, sizeof input_path, "%s", tmpl);
    /* The name stays reserved for the whole run; remove it at exit. */
    return 0;
}

static void remove_input(void)
{
    if (input_fd >= 0 && input_path[0] == '/' && input_path[1] == 't')
        unlink(input_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        if (open_input() != 0) {
            perror("fuzz_config: no memfd and no temporary file");
            abort();
        }
        atexit(remove_input);
    }
    if (ftruncate(input_fd, 0) != 0 || pwrite(input_fd, data, size, 0) != (ssize_t)size) {
        perror("fuzz_config: cannot write the input");
        abort();
    }

    slsec_arena *arena = slsec_arena_new();
    slsec_config cfg;
    slsec_diag err;
    (void)slsec_config_load(arena, input_path, &cfg, &err);
    slsec_arena_free(arena);
    return 0;
}
