/*
 * fuzz_history.c — libFuzzer target for the history reader
 * (slsec_history_open in read mode, then every query `slsec history` and
 * `slsec report` make).
 *
 * A history file is untrusted input: it sits in the scanned repository
 * (.slsec/history.db) where anyone with commit access can replace it. Each
 * input is the whole database file, written to an anonymous memory file
 * and opened through /proc/self/fd/N; SQLite parses the pages, our code
 * copes with what the tables hold (wrong types, NULLs, negative counts,
 * dangling ids) and with older schemas migrated in memory. The seeds in
 * tests/fuzz/corpus/history are a version 2 history and a version 1 one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "slsec/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int input_fd = -1;
static char input_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        input_fd = memfd_create("slsec-fuzz-history", 0);
        if (input_fd < 0) {
            perror("fuzz_history: memfd_create");
            abort();
        }
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }
    if (ftruncate(input_fd, 0) != 0 || pwrite(input_fd, data, size, 0) != (ssize_t)size) {
        perror("fuzz_history: cannot write the input");
        abort();
    }
    slsec_history *h = NULL;
    slsec_diag d;
    if (slsec_history_open(input_path, SLSEC_HISTORY_READ, &h, &d) != SLSEC_OK)
        return 0;
    slsec_history_runs runs;
    if (slsec_history_list(h, NULL, 0, &runs, &d) == SLSEC_OK) {
        for (size_t i = 0; i < runs.count && i < 4; i++) {
            slsec_history_family *fam = NULL;
            size_t nf = 0;
            if (slsec_history_families(h, runs.items[i].id, &fam, &nf, &d) == SLSEC_OK)
                free(fam);
            slsec_history_change *c = NULL;
            size_t nc = 0;
            if (slsec_history_changes(h, runs.items[i].id, &c, &nc, &d) == SLSEC_OK)
                slsec_history_changes_free(c, nc);
        }
        if (runs.count) {
            slsec_history_fixes fx;
            (void)slsec_history_fix_times(h, runs.items[0].root, &fx, &d);
        }
        slsec_history_runs_free(&runs);
    }
    slsec_history_close(h);
    return 0;
}
