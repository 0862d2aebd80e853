/*
 * fill_history.c — writes a synthetic history for bench/report/run.sh:
 * scans one app once, then records RUNS runs of it, each with its own
 * churn (a different 2% of the findings missing each run, so every run
 * has new and fixed findings and issues open and close), through the same
 * slsec_history_record a real `scan --history` uses.
 *
 *   fill_history APP HISTORY RUNS
 */
#include <stdio.h>
#include <stdlib.h>

#include "slsec/history.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fill_history APP HISTORY RUNS\n");
        return 2;
    }
    long runs = strtol(argv[3], NULL, 10);
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    const char *paths[] = {argv[1]};
    o.paths = paths;
    o.path_count = 1;
    o.no_config = true;
    o.no_secrets = true;
    slsec_scan_result *r = NULL;
    slsec_diag d = {0};
    if (slsec_scan_run(&o, &r, &d) != SLSEC_OK) {
        fprintf(stderr, "fill_history: scan failed: %s\n", d.message);
        return 1;
    }
    size_t n = r->findings.count;
    slsec_history_finding *all = calloc(n + 1, sizeof *all), *some = calloc(n + 1, sizeof *some);
    if (!all || !some)
        return 3;
    for (size_t i = 0; i < n; i++) {
        const slsec_finding *f = r->findings.items[i];
        all[i] = (slsec_history_finding){f->fingerprint, f->rule ? f->rule->id : "", f->severity, f->resource,
                                         f->loc.file, f->loc.line, f->loc.col, f->message};
    }
    slsec_history *h = NULL;
    if (slsec_history_open(argv[2], SLSEC_HISTORY_WRITE, &h, &d) != SLSEC_OK) {
        fprintf(stderr, "fill_history: %s\n", d.message);
        return 1;
    }
    for (long k = 0; k < runs; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if ((i + (size_t)k) % 50 != 0)
                some[m++] = all[i];
        slsec_history_meta meta = {.time = 1700000000 + k * 3600, .root = r->root, .commit = "0000000000000000000000000000000000000000", .branch = "main"};
        if (slsec_history_record(h, &meta, some, m, NULL, &d) != SLSEC_OK) {
            fprintf(stderr, "fill_history: %s\n", d.message);
            return 1;
        }
    }
    printf("%ld runs of %zu findings\n", runs, n);
    slsec_history_close(h);
    free(all);
    free(some);
    slsec_scan_result_free(r);
    return 0;
}
