/*
 * cmd_report.c — `slsec report`, `slsec history` and `slsec inventory`, and
 * the `--history` step of `slsec scan` (cli_history_record).
 *
 * report and inventory scan their PATH like `slsec scan` does (same
 * configuration, same findings), then write their own view of the result;
 * their exit code says whether the output was written (0), not whether
 * findings were found: gating a pipeline is `slsec scan`'s job.
 *
 * The history lives in ROOT/.slsec/history.db unless --history names
 * another file. Recording is a side effect a scan must survive: a corrupt
 * or newer history is reported on stderr and the scan's exit code is
 * unchanged. Reading commands (history, report --history FILE) fail with
 * exit 2 on the same files, since the history is what they were asked for.
 */
#include "cli.h"

#include "slsec/compliance.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_HISTORY ".slsec/history.db"

static char *history_path_for(const char *root, const char *given)
{
    if (given && *given) {
        char *p = strdup(given);
        if (!p)
            slsec_oom();
        return p;
    }
    size_t n = strlen(root ? root : ".") + sizeof DEFAULT_HISTORY + 2;
    char *p = malloc(n);
    if (!p)
        slsec_oom();
    snprintf(p, n, "%s/%s", root ? root : ".", DEFAULT_HISTORY);
    return p;
}

int cli_history_record(const slsec_scan_result *r, const char *given, bool quiet)
{
    char *path = history_path_for(r->root, given);
    slsec_history *h = NULL;
    slsec_diag d = {0};
    int64_t id = 0;
    int rc = slsec_history_open(path, SLSEC_HISTORY_WRITE, &h, &d);
    if (rc == SLSEC_OK)
        rc = slsec_history_record_scan(h, r, 0, &id, &d);
    if (rc != SLSEC_OK) {
        cli_print_diag("warning", &d);
        fprintf(stderr, "slsec: warning: this scan was not recorded in the history\n");
    } else if (!quiet) {
        slsec_history_runs runs;
        slsec_diag ld;
        if (slsec_history_list(h, NULL, 1, &runs, &ld) == SLSEC_OK && runs.count) {
            const slsec_history_run *x = &runs.items[0];
            if (x->first)
                fprintf(stderr, "slsec: note: recorded as run %lld in %s (the first of this root)\n",
                        (long long)id, path);
            else
                fprintf(stderr, "slsec: note: recorded as run %lld in %s: %zu new, %zu fixed, %zu still open\n",
                        (long long)id, path, x->new_count, x->fixed_count, x->open_count);
        }
        slsec_history_runs_free(&runs);
    }
    slsec_history_close(h);
    free(path);
    return rc;
}

/* ---- shared: run the scan ---------------------------------------------------------- */

typedef struct common_args {
    const char *format, *output, *config, *history;
    bool no_config, quiet, no_color, no_history;
    const char *title;
    long runs;   /* report: runs in the trend (0: all) */
    long run_id; /* history: changes of this run */
    long limit;  /* history: latest N */
} common_args;

static int scan_paths(const cli_command *cmd, const common_args *a, char **paths, int npaths,
                      slsec_scan_result **out)
{
    slsec_scan_opts opts;
    slsec_scan_opts_init(&opts);
    opts.paths = (const char *const *)paths;
    opts.path_count = (size_t)npaths;
    opts.config_path = a->config;
    opts.no_config = a->no_config;
    slsec_diag err = {0};
    int src = slsec_scan_run(&opts, out, &err);
    slsec_scan_result *r = *out;
    for (size_t i = 0; r && i < r->warnings.count && !a->quiet; i++) {
        const slsec_diag *d = &r->warnings.items[i];
        cli_print_diag(d->level == SLSEC_DIAG_NOTE ? "note" : "warning", d);
    }
    if (src == SLSEC_ENOMEM || src == SLSEC_EINTERNAL) {
        cli_print_diag("internal error", &err);
        return CLI_EXIT_INTERNAL;
    }
    if (src != SLSEC_OK) {
        cli_print_diag("error", &err);
        fprintf(stderr, "slsec %s: nothing could be scanned\n", cmd->name);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static bool parse_count(const char *s, long max, long *out)
{
    long v;
    if (!slsec_parse_long(s, &v) || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

/* ---- slsec history ------------------------------------------------------------------ */

enum { OPT_HISTORY = 256, OPT_NO_COLOR, OPT_RUN, OPT_LIMIT, OPT_CONFIG, OPT_NO_CONFIG, OPT_NO_HISTORY, OPT_RUNS, OPT_TITLE };

static const cli_opt history_opts[] = {
    {"format", 'f', "FORMAT", "text (one line per run) or json (default: text)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"history", OPT_HISTORY, "FILE", "read this history instead of PATH/.slsec/history.db"},
    {"limit", OPT_LIMIT, "N", "only the latest N runs (default: all)"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry; the output has no colour"},
    {"output", 'o', "FILE", "write to FILE (replaced atomically) instead of standard output"},
    {"quiet", 'q', NULL, "no notes on standard error"},
    {"run", OPT_RUN, "ID", "list the findings new, fixed and still open in run ID instead of the runs"},
};

/* A JSON string (or null): control characters escaped, ill-formed UTF-8
 * replaced by U+FFFD, so any path or branch name gives valid JSON. */
static void json_string(FILE *fp, const char *s)
{
    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\')
                fprintf(fp, "\\%c", c);
            else if (c < 0x20 || c == 0x7f)
                fprintf(fp, "\\u%04x", c);
            else
                fputc(c, fp);
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = slsec_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (len) {
            fwrite(s + i, 1, len, fp);
            i += len;
        } else {
            fputs("\\ufffd", fp);
            i++;
        }
    }
    fputc('"', fp);
}

static int write_runs_json(FILE *fp, slsec_history *h, const char *path, const slsec_history_runs *runs)
{
    /* The shape is flat: printed here with json_string's escaping, so the
     * CLI keeps to the public headers. */
    fprintf(fp, "{\n  \"version\": 1,\n  \"history\": ");
    json_string(fp, path);
    fprintf(fp, ",\n  \"runs\": [");
    for (size_t i = 0; i < runs->count; i++) {
        const slsec_history_run *x = &runs->items[i];
        char date[32];
        time_t t = (time_t)x->time;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || !strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm))
            snprintf(date, sizeof date, "unknown");
        fprintf(fp, "%s\n    {\"id\": %lld, \"time\": %lld, \"date\": \"%s\", \"root\": ", i ? "," : "",
                (long long)x->id, (long long)x->time, date);
        json_string(fp, x->root);
        fprintf(fp, ", \"commit\": ");
        json_string(fp, x->commit);
        fprintf(fp, ", \"branch\": ");
        json_string(fp, x->branch);
        fprintf(fp, ", \"subject\": ");
        json_string(fp, x->subject);
        fprintf(fp, ", \"tool_version\": ");
        json_string(fp, x->tool_version);
        fprintf(fp, ", \"catalogue\": ");
        json_string(fp, x->catalogue);
        fprintf(fp,
                ", \"counts\": {\"critical\": %zu, \"high\": %zu, \"medium\": %zu, \"low\": %zu, \"info\": %zu}, "
                "\"total\": %zu, \"new\": %zu, \"fixed\": %zu, \"still_open\": %zu, \"first_of_root\": %s",
                x->counts[4], x->counts[3], x->counts[2], x->counts[1], x->counts[0], x->total, x->new_count,
                x->fixed_count, x->open_count, x->first ? "true" : "false");
        /* Counts per rule family: the trend of each family over the runs. */
        slsec_history_family *fam = NULL;
        size_t nf = 0;
        slsec_diag d;
        if (slsec_history_families(h, x->id, &fam, &nf, &d) != SLSEC_OK)
            nf = 0;
        fprintf(fp, ", \"families\": {");
        for (size_t k = 0; k < nf; k++) {
            fprintf(fp, "%s", k ? ", " : "");
            json_string(fp, fam[k].family);
            fprintf(fp, ": %zu", fam[k].count);
        }
        fprintf(fp, "}}");
        free(fam);
    }
    fprintf(fp, "%s]\n}\n", runs->count ? "\n  " : "");
    return ferror(fp) ? SLSEC_EIO : SLSEC_OK;
}

static void clean_field(FILE *fp, const char *s, int width)
{
    int n = 0;
    for (; s && *s && (width <= 0 || n < width); s++, n++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
    for (; width > 0 && n < width; n++)
        fputc(' ', fp);
}

static int write_runs_text(FILE *fp, const slsec_history_runs *runs)
{
    if (!runs->count) {
        fprintf(fp, "no runs recorded\n");
        return ferror(fp) ? SLSEC_EIO : SLSEC_OK;
    }
    /* The root is shown only when the file holds several (a history shared
     * by monorepo folders): each run is compared within its own root. */
    bool roots = false;
    for (size_t i = 1; i < runs->count && !roots; i++)
        roots = strcmp(runs->items[i].root ? runs->items[i].root : "", runs->items[0].root ? runs->items[0].root : "") != 0;
    fprintf(fp, "%-6s %-17s %-12s %-16s %5s %5s %5s %5s %5s  %5s %5s %5s%s\n", "RUN", "DATE (UTC)", "COMMIT", "BRANCH",
            "CRIT", "HIGH", "MED", "LOW", "INFO", "NEW", "FIXED", "OPEN", roots ? "  ROOT" : "");
    for (size_t i = 0; i < runs->count; i++) {
        const slsec_history_run *x = &runs->items[i];
        char date[32];
        time_t t = (time_t)x->time;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || !strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm))
            snprintf(date, sizeof date, "?");
        fprintf(fp, "%-6lld %-17s ", (long long)x->id, date);
        clean_field(fp, x->commit ? x->commit : "-", 12);
        fputc(' ', fp);
        clean_field(fp, x->branch ? x->branch : "-", 16);
        fprintf(fp, " %5zu %5zu %5zu %5zu %5zu  %5zu %5zu %5zu", x->counts[4], x->counts[3], x->counts[2],
                x->counts[1], x->counts[0], x->new_count, x->fixed_count, x->open_count);
        if (roots) {
            fputs("  ", fp);
            clean_field(fp, x->root, 0);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? SLSEC_EIO : SLSEC_OK;
}

static int write_changes(FILE *fp, const char *format, int64_t run, const slsec_history_change *c, size_t n)
{
    static const char *const states[] = {"new", "fixed", "open"};
    bool json = strcmp(format, "json") == 0;
    if (json)
        fprintf(fp, "{\n  \"version\": 1,\n  \"run\": %lld,\n  \"changes\": [", (long long)run);
    for (size_t i = 0; i < n; i++) {
        const slsec_history_change *x = &c[i];
        if (json) {
            fprintf(fp, "%s\n    {\"state\": \"%s\", \"fingerprint\": ", i ? "," : "", states[x->state]);
            json_string(fp, x->fingerprint);
            fprintf(fp, ", \"rule_id\": ");
            json_string(fp, x->rule_id);
            fprintf(fp, ", \"severity\": \"%s\", \"resource\": ", slsec_severity_name(x->severity));
            json_string(fp, x->resource);
            fprintf(fp, ", \"file\": ");
            json_string(fp, x->file);
            fprintf(fp, ", \"first_seen\": %lld", (long long)x->first_time);
            if (x->state == SLSEC_HISTORY_FIXED)
                fprintf(fp, ", \"fixed\": %lld, \"time_to_fix\": %lld", (long long)x->fixed_time,
                        (long long)(x->fixed_time - x->first_time));
            fputc('}', fp);
        } else {
            fprintf(fp, "%-6s %-9s ", states[x->state], slsec_severity_name(x->severity));
            clean_field(fp, x->rule_id, 11);
            fputc(' ', fp);
            clean_field(fp, x->resource ? x->resource : "-", 0);
            fputc(' ', fp);
            clean_field(fp, x->file ? x->file : "-", 0);
            fputc('\n', fp);
        }
    }
    if (json)
        fprintf(fp, "%s]\n}\n", n ? "\n  " : "");
    else if (!n)
        fprintf(fp, "no findings in run %lld or the run before it\n", (long long)run);
    return ferror(fp) ? SLSEC_EIO : SLSEC_OK;
}

static int run_history(const cli_command *cmd, int argc, char **argv)
{
    common_args a = {.format = "text", .run_id = -1};
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
        case OPT_NO_COLOR: a.no_color = true; break;
        case OPT_HISTORY:
            if (!*arg)
                rc = cli_usage(cmd, "--history needs a file name");
            a.history = arg;
            break;
        case OPT_LIMIT:
            if (!parse_count(arg, 1000000000L, &a.limit))
                rc = cli_usage(cmd, "--limit expects a number of runs, found '%s'", arg);
            break;
        case OPT_RUN:
            if (!parse_count(arg, LONG_MAX, &a.run_id) || a.run_id < 1)
                rc = cli_usage(cmd, "--run expects a run id (a number from 1), found '%s'", arg);
            break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    if (argc - first > 1)
        return cli_usage(cmd, "one PATH at most (the scanned root whose history to show)");
    const char *root = first < argc ? argv[first] : ".";
    char *path = history_path_for(root, a.history);
    slsec_history *h = NULL;
    slsec_diag d = {0};
    int hrc = slsec_history_open(path, SLSEC_HISTORY_READ, &h, &d);
    if (hrc != SLSEC_OK) {
        cli_print_diag("error", &d);
        free(path);
        return hrc == SLSEC_ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
    }
    cli_output out;
    if ((rc = cli_output_open(&out, cmd, a.output)) != 0) {
        slsec_history_close(h);
        free(path);
        return rc;
    }
    int wrc;
    if (a.run_id > 0) {
        slsec_history_change *changes = NULL;
        size_t n = 0;
        hrc = slsec_history_changes(h, a.run_id, &changes, &n, &d);
        wrc = hrc == SLSEC_OK ? write_changes(out.fp, a.format, a.run_id, changes, n) : SLSEC_OK;
        slsec_history_changes_free(changes, n);
    } else {
        slsec_history_runs runs;
        hrc = slsec_history_list(h, NULL, (size_t)a.limit, &runs, &d);
        wrc = hrc != SLSEC_OK                  ? SLSEC_OK
              : strcmp(a.format, "json") == 0 ? write_runs_json(out.fp, h, path, &runs)
                                               : write_runs_text(out.fp, &runs);
        slsec_history_runs_free(&runs);
    }
    slsec_history_close(h);
    free(path);
    if (hrc != SLSEC_OK) {
        cli_print_diag("error", &d);
        cli_output_close(&out, false);
        return CLI_EXIT_USAGE;
    }
    rc = cli_output_close(&out, wrc == SLSEC_OK);
    return rc ? rc : wrc == SLSEC_OK ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
}

const cli_command cli_cmd_history = {
    .name = "history",
    .operands = "[PATH]",
    .summary = "list the scans recorded with `scan --history`: counts, new, fixed, still open",
    .description =
        "Lists the scans recorded in the history of PATH (default: the current folder), that is "
        "PATH/.slsec/history.db or the file --history names, oldest first: one line per run with "
        "its date, git commit and branch, its findings by severity, and how many findings were new, "
        "fixed and still open compared with the previous run of the same root (by fingerprint). "
        "--run ID lists those findings for one run. The file is only read: a history written by an "
        "older slsec is upgraded in memory, one written by a newer slsec is refused. Exit code: 0, "
        "2 when the history is missing, corrupt or newer, 3 for an internal error.",
    .opts = history_opts,
    .nopts = sizeof history_opts / sizeof history_opts[0],
    .run = run_history,
};

/* ---- slsec inventory ----------------------------------------------------------------- */

static const cli_opt inventory_opts[] = {
    {"config", OPT_CONFIG, "FILE", "read this configuration file instead of .slsec.yml in the scanned root"},
    {"format", 'f', "FORMAT", "json (every node and edge), dot (Graphviz) or mermaid (default: json)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry; the output has no colour"},
    {"no-config", OPT_NO_CONFIG, NULL, "do not read .slsec.yml"},
    {"output", 'o', "FILE", "write to FILE (replaced atomically) instead of standard output"},
    {"quiet", 'q', NULL, "no warnings or notes on standard error"},
};

static int parse_common(const cli_command *cmd, int argc, char **argv, common_args *a, int *first,
                        bool (*format_ok)(const char *), const char *formats)
{
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
            a->format = arg;
            if (!format_ok(arg))
                rc = cli_usage(cmd, "unknown format '%s' (expected %s)", arg, formats);
            break;
        case 'o': a->output = arg; break;
        case 'q': a->quiet = true; break;
        case OPT_NO_COLOR: a->no_color = true; break;
        case OPT_CONFIG:
            if (!*arg)
                rc = cli_usage(cmd, "--config needs a file name");
            a->config = arg;
            break;
        case OPT_NO_CONFIG: a->no_config = true; break;
        case OPT_HISTORY:
            if (!*arg)
                rc = cli_usage(cmd, "--history needs a file name");
            a->history = arg;
            break;
        case OPT_NO_HISTORY: a->no_history = true; break;
        case OPT_TITLE: a->title = arg; break;
        case OPT_RUNS:
            if (!parse_count(arg, 1000000000L, &a->runs))
                rc = cli_usage(cmd, "--runs expects a number of runs, found '%s'", arg);
            break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    *first = p.next;
    cli_parser_free(&p);
    if (rc < 0 && a->config && a->no_config)
        rc = cli_usage(cmd, "--config and --no-config cannot be used together");
    if (rc < 0 && a->history && a->no_history)
        rc = cli_usage(cmd, "--history and --no-history cannot be used together");
    return rc;
}

static int run_inventory(const cli_command *cmd, int argc, char **argv)
{
    common_args a = {.format = "json"};
    int first = argc;
    int rc = parse_common(cmd, argc, argv, &a, &first, slsec_inventory_format_known, "json, dot or mermaid");
    if (rc >= 0)
        return rc;
    cli_output out;
    if ((rc = cli_output_open(&out, cmd, a.output)) != 0)
        return rc;
    slsec_scan_result *r = NULL;
    if ((rc = scan_paths(cmd, &a, argv + first, argc - first, &r)) != 0) {
        cli_output_close(&out, false);
        slsec_scan_result_free(r);
        return rc;
    }
    slsec_arena *arena = slsec_arena_new();
    slsec_inventory *inv = slsec_inventory_build(arena, r->app, &r->findings);
    if (!a.quiet && slsec_inventory_collapsed(inv) && strcmp(a.format, "json") != 0)
        fprintf(stderr, "slsec: note: %zu nodes: the map is drawn as groups (--format json lists every node)\n",
                inv->nodes.count);
    int wrc = slsec_inventory_write(out.fp, a.format, inv);
    slsec_arena_free(arena);
    slsec_scan_result_free(r);
    rc = cli_output_close(&out, wrc == SLSEC_OK);
    return rc ? rc : wrc == SLSEC_OK ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
}

const cli_command cli_cmd_inventory = {
    .name = "inventory",
    .operands = "[PATH...]",
    .summary = "map functions, triggers, roles, stores, keys and hosts, and what connects them",
    .description =
        "Scans PATH (default: the current folder) like `slsec scan` and writes the application's map: "
        "functions (runtime, memory, timeout, role), triggers (API routes with their authorizer, "
        "function URLs, queues, topics, buckets, schedules, streams), roles with the actions they "
        "allow, data stores, KMS keys and external hosts named in environment values, with the edges "
        "trigger → function, function → role, function → store (with the actions its role allows), "
        "function → function (invoke) and function → host. Each node carries its worst finding "
        "severity. JSON (documented in docs/report.md) holds every node; DOT and Mermaid collapse an "
        "app of more than 150 nodes into groups. Exit code: 0, 2 for bad usage or nothing scannable, "
        "3 for an internal error.",
    .opts = inventory_opts,
    .nopts = sizeof inventory_opts / sizeof inventory_opts[0],
    .run = run_inventory,
};

/* ---- slsec report ------------------------------------------------------------------- */

static const cli_opt report_opts[] = {
    {"config", OPT_CONFIG, "FILE", "read this configuration file instead of .slsec.yml in the scanned root"},
    {"format", 'f', "FORMAT",
     "html (one self-contained page), markdown, or pdf (printed by headless Chromium when installed) "
     "(default: html)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"history", OPT_HISTORY, "FILE", "take trends from this history instead of ROOT/.slsec/history.db"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry; the output has no terminal colour"},
    {"no-config", OPT_NO_CONFIG, NULL, "do not read .slsec.yml"},
    {"no-history", OPT_NO_HISTORY, NULL, "leave trends out even when a history exists"},
    {"output", 'o', "FILE", "write to FILE (replaced atomically) instead of standard output"},
    {"quiet", 'q', NULL, "no warnings or notes on standard error"},
    {"runs", OPT_RUNS, "N", "trends from the latest N recorded runs, 0 for all (default: 200)"},
    {"title", OPT_TITLE, "TEXT", "the report's title (default: slsec security report)"},
};

static bool report_format_known(const char *f)
{
    return strcmp(f, "html") == 0 || strcmp(f, "markdown") == 0 || strcmp(f, "pdf") == 0;
}

/* The Chromium binary: $SLSEC_CHROMIUM, or the first of the usual names on
 * PATH. Returns a heap string or NULL. */
static char *find_chromium(void)
{
    const char *env = getenv("SLSEC_CHROMIUM");
    if (env && *env)
        return access(env, X_OK) == 0 ? strdup(env) : NULL;
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"};
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *p = path;
        while (*p) {
            size_t n = strcspn(p, ":");
            char cand[PATH_MAX];
            if (n && n + strlen(names[i]) + 2 < sizeof cand) {
                snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, names[i]);
                if (access(cand, X_OK) == 0) {
                    char *s = strdup(cand);
                    if (!s)
                        slsec_oom();
                    return s;
                }
            }
            p += n + (p[n] == ':');
        }
    }
    return NULL;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes the temporary folder (Chromium's profile is many files deep);
 * links are removed, never followed. */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Prints html_path to pdf_path with headless Chromium, bounded in time. */
static int print_pdf(const char *chromium, const char *dir, const char *html_path, const char *pdf_path)
{
    char profile[PATH_MAX], print_arg[PATH_MAX + 32], profile_arg[PATH_MAX + 32], url[PATH_MAX + 16];
    snprintf(profile, sizeof profile, "%s/profile", dir);
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s", profile);
    snprintf(print_arg, sizeof print_arg, "--print-to-pdf=%s", pdf_path);
    snprintf(url, sizeof url, "file://%s", html_path);
    char *args[] = {(char *)chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run", "--no-pdf-header-footer",
                    profile_arg, print_arg, url, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int e = posix_spawn(&pid, chromium, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        fprintf(stderr, "slsec report: cannot start %s: %s\n", chromium, strerror(e));
        return CLI_EXIT_INTERNAL;
    }
    int status = 0;
    for (int waited = 0;; waited += 100) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (waited >= 120000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "slsec report: Chromium did not finish printing within 120 s\n");
            return CLI_EXIT_INTERNAL;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    struct stat st;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(pdf_path, &st) != 0 || st.st_size == 0) {
        fprintf(stderr, "slsec report: Chromium could not print the report to PDF (exit status %d)\n",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return CLI_EXIT_INTERNAL;
    }
    return 0;
}

static int copy_file(const char *from, FILE *to)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return SLSEC_EIO;
    char buf[65536];
    size_t n;
    int rc = SLSEC_OK;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, to) != n) {
            rc = SLSEC_EIO;
            break;
        }
    if (ferror(in))
        rc = SLSEC_EIO;
    fclose(in);
    return rc;
}

static int write_pdf(const slsec_scan_result *r, const slsec_report_doc_opts *o, FILE *dest)
{
    char *chromium = find_chromium();
    if (!chromium)
        return CLI_EXIT_USAGE; /* checked before the scan; kept for safety */
    char dir[] = "/tmp/slsec-report.XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "slsec report: cannot make a temporary folder: %s\n", strerror(errno));
        free(chromium);
        return CLI_EXIT_INTERNAL;
    }
    char html[PATH_MAX], pdf[PATH_MAX];
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    int rc = CLI_EXIT_INTERNAL;
    FILE *fp = fopen(html, "w");
    if (fp) {
        int wrc = slsec_report_doc_write(fp, "html", r, o);
        if (fclose(fp) == 0 && wrc == SLSEC_OK)
            rc = print_pdf(chromium, dir, html, pdf);
        if (rc == 0 && copy_file(pdf, dest) != SLSEC_OK) {
            fprintf(stderr, "slsec report: cannot copy the PDF\n");
            rc = CLI_EXIT_INTERNAL;
        }
    }
    remove_tree(dir);
    free(chromium);
    return rc;
}

static int run_report(const cli_command *cmd, int argc, char **argv)
{
    common_args a = {.format = "html", .runs = 200};
    int first = argc;
    int rc = parse_common(cmd, argc, argv, &a, &first, report_format_known, "html, markdown or pdf");
    if (rc >= 0)
        return rc;
    bool pdf = strcmp(a.format, "pdf") == 0;
    if (pdf) {
        char *chromium = find_chromium();
        if (!chromium) {
            fprintf(stderr, "slsec report: --format pdf prints the HTML report with headless Chromium, which "
                            "was not found (install the Debian package chromium, or set SLSEC_CHROMIUM); "
                            "write --format html and print it from a browser instead\n");
            return CLI_EXIT_USAGE;
        }
        free(chromium);
        if (!a.output || strcmp(a.output, "-") == 0)
            return cli_usage(cmd, "--format pdf needs -o FILE");
    }
    cli_output out;
    if ((rc = cli_output_open(&out, cmd, a.output)) != 0)
        return rc;
    slsec_scan_result *r = NULL;
    if ((rc = scan_paths(cmd, &a, argv + first, argc - first, &r)) != 0) {
        cli_output_close(&out, false);
        slsec_scan_result_free(r);
        return rc;
    }

    slsec_report_doc_opts o = {.title = a.title};
    slsec_history *h = NULL;
    slsec_history_runs runs = {0};
    slsec_history_fixes fixes;
    slsec_report_family_run fam_runs[10];
    size_t nfam_runs = 0;
    char *hpath = a.no_history ? NULL : history_path_for(r->root, a.history);
    struct stat st;
    if (hpath && (a.history || stat(hpath, &st) == 0)) {
        slsec_diag d = {0};
        char root[PATH_MAX];
        if (!realpath(r->root ? r->root : ".", root))
            snprintf(root, sizeof root, "%s", r->root ? r->root : ".");
        int hrc = slsec_history_open(hpath, SLSEC_HISTORY_READ, &h, &d);
        if (hrc == SLSEC_OK)
            hrc = slsec_history_list(h, root, (size_t)a.runs, &runs, &d);
        if (hrc == SLSEC_OK)
            hrc = slsec_history_fix_times(h, root, &fixes, &d);
        /* Family counts of the latest 10 runs: the trend of each family. */
        size_t from = runs.count > 10 ? runs.count - 10 : 0;
        for (size_t i = from; hrc == SLSEC_OK && i < runs.count; i++) {
            slsec_history_family *fam = NULL;
            size_t nf = 0;
            hrc = slsec_history_families(h, runs.items[i].id, &fam, &nf, &d);
            if (hrc == SLSEC_OK)
                fam_runs[nfam_runs++] = (slsec_report_family_run){runs.items[i].id, fam, nf};
        }
        if (hrc != SLSEC_OK) {
            cli_print_diag("error", &d);
            rc = CLI_EXIT_USAGE;
        } else {
            o.runs = &runs;
            o.fixes = &fixes;
            o.family_runs = fam_runs;
            o.nfamily_runs = nfam_runs;
        }
    }
    slsec_arena *arena = slsec_arena_new();
    if (rc == 0) {
        o.inventory = slsec_inventory_build(arena, r->app, &r->findings);
        int wrc = pdf ? write_pdf(r, &o, out.fp) : slsec_report_doc_write(out.fp, a.format, r, &o);
        if (pdf && wrc != 0) {
            rc = wrc;
            cli_output_close(&out, false);
        } else {
            rc = cli_output_close(&out, wrc == SLSEC_OK);
            if (!rc && wrc != SLSEC_OK)
                rc = CLI_EXIT_INTERNAL;
        }
    } else {
        cli_output_close(&out, false);
    }
    slsec_arena_free(arena);
    for (size_t i = 0; i < nfam_runs; i++)
        free((void *)fam_runs[i].families);
    slsec_history_runs_free(&runs);
    slsec_history_close(h);
    free(hpath);
    slsec_scan_result_free(r);
    return rc;
}

const cli_command cli_cmd_report = {
    .name = "report",
    .operands = "[PATH...]",
    .summary = "write the security report: summary, findings, trends, compliance, inventory",
    .description =
        "Scans PATH (default: the current folder) like `slsec scan` and writes one report for people: "
        "a summary (counts by severity and family, the top risks, times to fix), the findings grouped "
        "by function and by rule with why, fix and location, trends from the history "
        "(ROOT/.slsec/history.db when it exists, or --history FILE), a compliance view mapping every "
        "rule to the OWASP Serverless Top 10 and to the concerns of a serverless security programme "
        "(pass, fail or not assessed per control), and the inventory map. HTML is one self-contained "
        "file (inline CSS and SVG, no network, printable); Markdown suits a pull-request comment; PDF "
        "is the HTML printed by headless Chromium when it is installed. Exit code: 0 when the report "
        "was written, 2 for bad usage, nothing scannable, an unreadable --history or no Chromium for "
        "--format pdf, 3 for an internal error.",
    .opts = report_opts,
    .nopts = sizeof report_opts / sizeof report_opts[0],
    .run = run_report,
};
