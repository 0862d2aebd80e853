/*
 * cmd_db.c — `slsec db import SOURCE...` and `slsec db status`: the offline
 * OSV advisory index that `slsec scan` checks lockfiles against.
 *
 * The index lives at $XDG_CACHE_HOME/slsec/osv.db (else
 * ~/.cache/slsec/osv.db) unless --db names another. Import warnings (a
 * corrupt zip member, a file that is no advisory) go to stderr, one line
 * each, and do not change the exit code; an index that cannot be written
 * does (2), and leaves the previous index as it was.
 *
 * Exit codes: 0 done; 2 bad usage, an unreadable source, or no index for
 * `status`; 3 an internal error.
 */
#include "cli.h"

#include "slsec/deps.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_DB = 256, OPT_NO_COLOR };

/* Sorted by long name. */
static const cli_opt db_opts[] = {
    {"db", OPT_DB, "PATH", "the index file (default: $XDG_CACHE_HOME/slsec/osv.db, else ~/.cache/slsec/osv.db)"},
    {"format", 'f', "FORMAT", "status output: text or json (default: text)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry with other commands; db output has no colour"},
    {"output", 'o', "FILE", "write the status or import summary to FILE (replaced atomically)"},
    {"quiet", 'q', NULL, "no warnings and no summary, only errors"},
};

typedef struct db_args {
    const char *db, *format, *output;
    bool quiet;
} db_args;

static int write_status(FILE *fp, const char *format, const char *path, slsec_osvdb *db)
{
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec ecos = {0};
    slsec_diag err;
    int rc = slsec_osvdb_status(db, a, &ecos, &err);
    if (rc != SLSEC_OK) {
        cli_print_diag("error", &err);
        slsec_arena_free(a);
        return CLI_EXIT_INTERNAL;
    }
    struct stat st;
    long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    if (strcmp(format, "json") == 0) {
        json_t *root = json_object(), *list = json_array();
        json_object_set_new(root, "index", json_string(path));
        json_object_set_new(root, "bytes", json_integer(bytes));
        for (size_t i = 0; i < ecos.count; i++) {
            const slsec_osvdb_eco_status *s = ecos.items[i];
            json_t *e = json_object();
            json_object_set_new(e, "ecosystem", json_string(s->ecosystem));
            json_object_set_new(e, "advisories", json_integer((json_int_t)s->advisories));
            json_object_set_new(e, "withdrawn", json_integer((json_int_t)s->withdrawn));
            json_object_set_new(e, "newest_modified", json_string(s->newest));
            json_array_append_new(list, e);
        }
        json_object_set_new(root, "ecosystems", list);
        json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', fp);
        json_decref(root);
    } else {
        fprintf(fp, "index: %s (%.1f MB)\n", path, (double)bytes / 1048576.0);
        if (!ecos.count)
            fprintf(fp, "no advisories: import some with `slsec db import`\n");
        else
            fprintf(fp, "%-14s %10s %10s  %s\n", "ecosystem", "advisories", "withdrawn", "newest modification");
        for (size_t i = 0; i < ecos.count; i++) {
            const slsec_osvdb_eco_status *s = ecos.items[i];
            fprintf(fp, "%-14s %10zu %10zu  %s\n", s->ecosystem, s->advisories, s->withdrawn, s->newest);
        }
    }
    slsec_arena_free(a);
    return ferror(fp) ? CLI_EXIT_INTERNAL : CLI_EXIT_OK;
}

static int run_status(const cli_command *cmd, const db_args *a, const char *path)
{
    slsec_osvdb *db = NULL;
    slsec_diag err;
    if (slsec_osvdb_open(path, &db, &err) != SLSEC_OK) {
        cli_print_diag("error", &err);
        fprintf(stderr, "slsec: note: build the index with `slsec db import npm-all.zip PyPI-all.zip ...` "
                        "(osv.dev's per-ecosystem zips) or a folder of OSV JSON files\n");
        return CLI_EXIT_USAGE;
    }
    cli_output out;
    int rc = cli_output_open(&out, cmd, a->output);
    if (rc == 0) {
        int wrc = write_status(out.fp, a->format, path, db);
        rc = cli_output_close(&out, wrc == CLI_EXIT_OK);
        if (rc == 0)
            rc = wrc;
    }
    slsec_osvdb_close(db);
    return rc;
}

static int run_import(const cli_command *cmd, const db_args *a, const char *path, char **sources, int count)
{
    if (count == 0)
        return cli_usage(cmd, "import needs at least one zip, folder or JSON file of OSV advisories");
    cli_output out;
    int rc = cli_output_open(&out, cmd, a->output);
    if (rc != 0)
        return rc;
    slsec_osvdb_import_stats st;
    slsec_diags warnings = {0};
    slsec_diag err = {0};
    int irc = slsec_osvdb_import(path, (const char *const *)sources, (size_t)count, &st, &warnings, &err);
    for (size_t i = 0; !a->quiet && i < warnings.count; i++)
        cli_print_diag("warning", &warnings.items[i]);
    slsec_diags_clear(&warnings);
    if (irc != SLSEC_OK) {
        cli_print_diag("error", &err);
        cli_output_close(&out, false);
        return irc == SLSEC_EIO || irc == SLSEC_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
    }
    if (!a->quiet || !out.is_stdout)
        fprintf(out.fp,
                "imported %zu source%s into %s in %.2f s: %zu file%s, %zu new, %zu updated, %zu unchanged, "
                "%zu withdrawn, %zu skipped\n",
                st.sources, st.sources == 1 ? "" : "s", path, st.seconds, st.files, st.files == 1 ? "" : "s",
                st.added, st.updated, st.unchanged, st.withdrawn, st.skipped);
    return cli_output_close(&out, true);
}

static int run_db(const cli_command *cmd, int argc, char **argv)
{
    db_args a = {.format = "text"};
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        switch (c) {
        case 'h': cli_help(stdout, cmd); rc = CLI_EXIT_OK; break;
        case 'f':
            a.format = arg;
            if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0)
                rc = cli_usage(cmd, "unknown format '%s' (expected text or json)", arg);
            break;
        case 'o': a.output = arg; break;
        case 'q': a.quiet = true; break;
        case OPT_NO_COLOR: break;
        case OPT_DB:
            if (!*arg)
                rc = cli_usage(cmd, "--db needs a file name");
            a.db = arg;
            break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    if (first >= argc)
        return cli_usage(cmd, "expected a subcommand: import or status");
    char def[PATH_MAX];
    const char *path = a.db;
    if (!path) {
        if (slsec_osvdb_default_path(def, sizeof def) != SLSEC_OK)
            return cli_usage(cmd, "neither XDG_CACHE_HOME nor HOME is set: name the index with --db PATH");
        path = def;
    }
    const char *sub = argv[first];
    if (strcmp(sub, "import") == 0)
        return run_import(cmd, &a, path, argv + first + 1, argc - first - 1);
    if (strcmp(sub, "status") == 0) {
        if (first + 1 < argc)
            return cli_usage(cmd, "status takes no argument, found '%s'", argv[first + 1]);
        return run_status(cmd, &a, path);
    }
    return cli_usage(cmd, "unknown subcommand '%s' (expected import or status)", sub);
}

const cli_command cli_cmd_db = {
    .name = "db",
    .operands = "import SOURCE... | status",
    .summary = "build and inspect the offline advisory index used for dependency checks",
    .description =
        "`slsec db import SOURCE...` reads OSV advisories from the per-ecosystem all.zip files osv.dev "
        "publishes (npm, PyPI, Go, crates.io...), from folders of OSV JSON files, or from single JSON "
        "files, into an SQLite index; `slsec db status` lists its ecosystems, advisory counts and newest "
        "modification dates. Imports are incremental (an advisory is replaced only by a newer "
        "modification) and atomic (a failed import leaves the previous index usable). `slsec scan` "
        "opens the index read-only to report DEP findings. Exit code: 0 done, 2 bad usage or unreadable "
        "input, 3 internal error.",
    .opts = db_opts,
    .nopts = sizeof db_opts / sizeof db_opts[0],
    .run = run_db,
};
