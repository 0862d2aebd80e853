/*
 * fuzz_archive.c — libFuzzer target for the deployment-package reader of
 * the secret scan (src/base/archive.c via src/scan/secrets_archive.c), reached as the CLI reaches
 * it: `scan --artifact FILE` over an empty folder. Each input is written to
 * an anonymous memory file (memfd) and named through /proc/self/fd/N, so
 * nothing is extracted or written anywhere, whatever the entry names say.
 */
#include "slsec/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];
static char empty[] = "/tmp/slsec-fuzz-archive.XXXXXX";
static const char *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = memfd_create("slsec-fuzz-archive", 0);
        root = mkdtemp(empty);
        if (fd < 0 || !root)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    const char *paths[] = {root};
    const char *artifacts[] = {path};
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    o.paths = paths;
    o.path_count = 1;
    o.no_config = true;
    o.artifacts = artifacts;
    o.artifact_count = 1;
    o.jobs = 1;
    slsec_scan_result *r = NULL;
    slsec_diag err;
    slsec_scan_run(&o, &r, &err);
    slsec_scan_result_free(r);
    return 0;
}
