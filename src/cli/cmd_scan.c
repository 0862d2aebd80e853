/*
 * cmd_scan.c — `slsec scan [PATH...]`: runs the scan pipeline, writes the
 * report, and turns the worst finding into the exit code.
 *
 * Order of events, chosen so a CI job fails fast and never leaves a stale
 * or partial report: options are checked first, then the output file is
 * opened (a bad -o path is a usage error before any scanning), then the
 * scan runs, then the report is written and renamed into place. When
 * nothing could be scanned, no report is written.
 *
 * No templates at all (an empty folder, a repository with no
 * CloudFormation) is not an error: the report is written, empty, a note
 * goes to stderr, and the exit code is 0.
 */
#include "cli.h"

#include "slsec/sign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum {
    OPT_CONFIG = 256,
    OPT_FAIL_ON,
    OPT_MAX_FILE_SIZE,
    OPT_NO_COLOR,
    OPT_NO_CONFIG,
    OPT_RULE,
    OPT_SHOW_SUPPRESSED,
    OPT_SKIP,
    OPT_OFFLINE_DB,
    OPT_BASELINE,
    OPT_WRITE_BASELINE,
    OPT_ARTIFACT,
    OPT_GIT_HISTORY,
    OPT_NO_SECRETS,
    OPT_SINCE,
    OPT_REQUIRE_SIGNATURES,
    OPT_HISTORY,
    OPT_NO_CODE,
    OPT_MAX_CODE_SIZE,
    OPT_SLS_OPT,
    OPT_STAGE,
    OPT_INVENTORY,
};

/* Sorted by long name. */
static const cli_opt scan_opts[] = {
    {"artifact", OPT_ARTIFACT, "FILE",
     "also scan this deployment package (.zip or .jar) for secrets, in memory; repeatable"},
    {"baseline", OPT_BASELINE, "FILE",
     "report (and fail on) only findings not listed in FILE, a baseline written by --write-baseline"},
    {"config", OPT_CONFIG, "FILE", "read this configuration file instead of .slsec.yml in the scanned root"},
    {"fail-on", OPT_FAIL_ON, "SEVERITY",
     "exit 1 when a finding is at or above SEVERITY: critical, high, medium, low, info, or none to "
     "never fail (default: high, or fail_on from the configuration)"},
    {"format", 'f', "FORMAT", "report format: text, json, sarif, junit or markdown (default: text)"},
    {"git-history", OPT_GIT_HISTORY, NULL,
     "also scan every blob reachable from any ref of the git repository holding the root for secrets"},
    {"help", 'h', NULL, "show this help and exit"},
    {"history", OPT_HISTORY, "[FILE]",
     "also record this scan in the history FILE (default: .slsec/history.db in the scanned root); a "
     "history that cannot be used is reported and the scan goes on"},
    {"inventory", OPT_INVENTORY, NULL,
     "also list the outbound integrations the code makes, per function: AWS services with their operations "
     "and the hosts of the URLs it calls (text, json and markdown formats; docs/code.md)"},
    {"jobs", 'j', "N", "threads for the secret scan and the code analysis (default: the number of cores)"},
    {"max-code-size", OPT_MAX_CODE_SIZE, "KB",
     "do not analyse source files larger than KB kilobytes, such as minified bundles (default: 1024)"},
    {"max-file-size", OPT_MAX_FILE_SIZE, "MB",
     "skip files larger than MB megabytes, checked before reading (default: 64)"},
    {"no-code", OPT_NO_CODE, NULL, "do not analyse handler code (CODE and LOG-1xx rules, docs/code.md)"},
    {"no-color", OPT_NO_COLOR, NULL, "never colour the text report (the NO_COLOR variable does the same)"},
    {"no-config", OPT_NO_CONFIG, NULL, "do not read .slsec.yml"},
    {"no-secrets", OPT_NO_SECRETS, NULL, "do not scan files for secrets (SECRET rules)"},
    {"offline-db", OPT_OFFLINE_DB, "PATH",
     "check lockfiles against the advisory index at PATH (built by `slsec db import`) instead of "
     "$XDG_CACHE_HOME/slsec/osv.db"},
    {"opt", OPT_SLS_OPT, "NAME=VALUE",
     "a Serverless Framework option for ${opt:NAME} in serverless.yml, as `serverless deploy --NAME "
     "VALUE` would give it; repeatable (default: none, so each ${opt:} takes its fallback)"},
    {"output", 'o', "FILE",
     "write the report to FILE instead of standard output; FILE is replaced atomically, only once "
     "the report is complete"},
    {"quiet", 'q', NULL, "findings only: no warnings, notes or summary"},
    {"require-signatures", OPT_REQUIRE_SIGNATURES, "PUBKEY",
     "every .zip package a template names (CodeUri/Code) or --artifact gives must have a valid "
     "FILE.minisig by this minisign public key (PIPE-006)"},
    {"rule", OPT_RULE, "RULE",
     "run only this rule; repeatable, comma-separated lists and globs such as 'IAM-*' allowed"},
    {"show-suppressed", OPT_SHOW_SUPPRESSED, NULL, "list suppressed findings too, marked with the reason"},
    {"since", OPT_SINCE, "REV", "with --git-history: only commits after REV (a commit, tag or branch)"},
    {"skip", OPT_SKIP, "RULE", "do not run this rule; repeatable, lists and globs allowed"},
    {"stage", OPT_STAGE, "STAGE",
     "the Serverless Framework stage to model (the same as --opt stage=STAGE; default: provider.stage, "
     "then dev)"},
    {"write-baseline", OPT_WRITE_BASELINE, "FILE",
     "write every current unsuppressed finding to FILE as accepted (atomically), then report as if "
     "--baseline FILE had been given: nothing new, exit 0"},
};

typedef struct scan_args {
    const char *format;
    const char *output;
    const char *config;
    const char *offline_db;
    const char *baseline, *write_baseline;
    bool no_config, quiet, no_color, show_suppressed;
    bool git_history, no_secrets, no_code, inventory;
    size_t max_code_bytes;
    const char *since;
    const char *require_signatures;
    int jobs;
    bool history;
    const char *history_file; /* NULL: the default in the root */
    const char **artifacts;
    size_t nartifacts, capartifacts;
    const char **sls_options; /* "name=value", NULL-terminated when given to the scan */
    char *stage_option;       /* "stage=..." from --stage (allocated) */
    size_t nsls_options, capsls_options;
    int fail_on; /* a slsec_severity, -1 for none, -2 when not given */
    size_t max_bytes;
    const char **skip, **only;
    size_t nskip, nonly, capskip, caponly;
} scan_args;

static void push_id(const char ***list, size_t *n, size_t *cap, const char *id)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        const char **more = realloc(*list, *cap * sizeof *more);
        if (!more)
            slsec_oom();
        *list = more;
    }
    (*list)[(*n)++] = id;
}

/* --skip / --rule values: comma-separated ids or globs, each checked. The
 * strings live in argv (modified in place), which outlives the scan. */
static bool add_rules(const cli_command *cmd, const char *option, char *value, const char ***list,
                      size_t *n, size_t *cap)
{
    char *save = NULL;
    bool any = false;
    for (char *t = strtok_r(value, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (!*t)
            continue;
        if (!cli_check_rule_arg(cmd, option, t))
            return false;
        push_id(list, n, cap, t);
        any = true;
    }
    if (!any)
        cli_usage(cmd, "%s needs a rule id", option);
    return any;
}

static bool parse_megabytes(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    double mb = strtod(s, &end);
    /* Up to 4 GB: templates are never near that, and the product must fit. */
    if (errno || end == s || *end || !(mb > 0) || mb > 4096)
        return false;
    *out = (size_t)(mb * 1048576.0);
    return *out > 0;
}

static int parse_args(const cli_command *cmd, int argc, char **argv, scan_args *a, int *first)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    for (;;) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END) {
            *first = p.next;
            break;
        }
        switch (c) {
        case CLI_OPT_BAD:
            rc = CLI_EXIT_USAGE;
            break;
        case 'h':
            cli_help(stdout, cmd);
            rc = CLI_EXIT_OK;
            break;
        case 'f':
            if (!slsec_report_format_known(arg))
                rc = cli_usage(cmd, "unknown format '%s' (expected text, json, sarif, junit or markdown)", arg);
            a->format = arg;
            break;
        case 'o': a->output = arg; break;
        case 'q': a->quiet = true; break;
        case OPT_CONFIG:
            if (!*arg)
                rc = cli_usage(cmd, "--config needs a file name");
            a->config = arg;
            break;
        case OPT_NO_CONFIG: a->no_config = true; break;
        case OPT_OFFLINE_DB:
            if (!*arg)
                rc = cli_usage(cmd, "--offline-db needs a file name");
            a->offline_db = arg;
            break;
        case OPT_BASELINE:
            if (!*arg)
                rc = cli_usage(cmd, "--baseline needs a file name");
            a->baseline = arg;
            break;
        case OPT_WRITE_BASELINE:
            if (!*arg || strcmp(arg, "-") == 0)
                rc = cli_usage(cmd, "--write-baseline needs a file name");
            a->write_baseline = arg;
            break;
        case OPT_NO_COLOR: a->no_color = true; break;
        case OPT_GIT_HISTORY: a->git_history = true; break;
        case OPT_NO_SECRETS: a->no_secrets = true; break;
        case OPT_NO_CODE: a->no_code = true; break;
        case OPT_INVENTORY: a->inventory = true; break;
        case OPT_MAX_CODE_SIZE: {
            long kb;
            if (!slsec_parse_long(arg, &kb) || kb < 1 || kb > 1024L * 1024L)
                rc = cli_usage(cmd, "--max-code-size expects kilobytes from 1 to 1048576, found '%s'", arg);
            else
                a->max_code_bytes = (size_t)kb * 1024u;
            break;
        }
        case OPT_SINCE:
            if (!*arg)
                rc = cli_usage(cmd, "--since needs a revision");
            a->since = arg;
            break;
        case OPT_REQUIRE_SIGNATURES: {
            slsec_pubkey key;
            slsec_diag kd;
            if (slsec_pubkey_load(arg, &key, &kd) != SLSEC_OK) {
                cli_print_diag("error", &kd);
                rc = CLI_EXIT_USAGE;
            }
            a->require_signatures = arg;
            break;
        }
        case OPT_ARTIFACT:
            if (!*arg)
                rc = cli_usage(cmd, "--artifact needs a file name");
            push_id(&a->artifacts, &a->nartifacts, &a->capartifacts, arg);
            break;
        case OPT_SLS_OPT: {
            const char *eq = strchr(arg, '=');
            if (!eq || eq == arg)
                rc = cli_usage(cmd, "--opt expects NAME=VALUE, found '%s'", arg);
            else
                push_id(&a->sls_options, &a->nsls_options, &a->capsls_options, arg);
            break;
        }
        case OPT_STAGE: {
            if (!*arg || strchr(arg, '=')) {
                rc = cli_usage(cmd, "--stage expects a stage name, found '%s'", arg);
                break;
            }
            size_t n = strlen(arg) + sizeof "stage=";
            char *opt = malloc(n);
            if (!opt)
                slsec_oom();
            snprintf(opt, n, "stage=%s", arg);
            a->stage_option = opt;
            break;
        }
        case 'j': {
            long n;
            if (!slsec_parse_long(arg, &n) || n < 1 || n > 64)
                rc = cli_usage(cmd, "-j expects a number of threads from 1 to 64, found '%s'", arg);
            else
                a->jobs = (int)n;
            break;
        }
        case OPT_HISTORY:
            if (arg && !*arg)
                rc = cli_usage(cmd, "--history= needs a file name");
            a->history = true;
            a->history_file = arg;
            break;
        case OPT_SHOW_SUPPRESSED: a->show_suppressed = true; break;
        case OPT_FAIL_ON: {
            slsec_severity s;
            if (strcasecmp(arg, "none") == 0)
                a->fail_on = -1;
            else if (slsec_severity_parse(arg, &s))
                a->fail_on = (int)s;
            else
                rc = cli_usage(cmd, "unknown severity '%s' for --fail-on (expected critical, high, medium, "
                                    "low, info or none)", arg);
            break;
        }
        case OPT_MAX_FILE_SIZE:
            if (!parse_megabytes(arg, &a->max_bytes))
                rc = cli_usage(cmd, "--max-file-size expects a size in megabytes above 0 and up to 4096, "
                                    "found '%s'", arg);
            break;
        case OPT_SKIP:
            if (!add_rules(cmd, "--skip", (char *)arg, &a->skip, &a->nskip, &a->capskip))
                rc = CLI_EXIT_USAGE;
            break;
        case OPT_RULE:
            if (!add_rules(cmd, "--rule", (char *)arg, &a->only, &a->nonly, &a->caponly))
                rc = CLI_EXIT_USAGE;
            break;
        default:
            rc = cli_usage(cmd, "option not handled (a bug)");
            break;
        }
        if (rc >= 0)
            break;
    }
    cli_parser_free(&p);
    if (rc < 0 && a->since && !a->git_history)
        rc = cli_usage(cmd, "--since only applies with --git-history");
    if (rc < 0 && a->config && a->no_config)
        rc = cli_usage(cmd, "--config and --no-config cannot be used together");
    if (rc < 0 && a->inventory && !slsec_report_format_lists_inventory(a->format))
        rc = cli_usage(cmd, "--inventory lists integrations in the text, json and markdown formats, not in %s",
                       a->format);
    if (rc < 0 && a->inventory && a->no_code)
        rc = cli_usage(cmd, "--inventory reads the code: it cannot be used with --no-code");
    if (rc < 0 && a->write_baseline && a->output && strcmp(a->write_baseline, a->output) == 0)
        rc = cli_usage(cmd, "--write-baseline and --output name the same file");
    return rc;
}

static bool same_diag(const slsec_diag *a, const slsec_diag *b)
{
    return a->line == b->line && a->col == b->col && strcmp(a->file, b->file) == 0 &&
           strcmp(a->message, b->message) == 0;
}

/* --write-baseline: writes every current finding as accepted, then reads
 * the file back and applies it, so the report and the exit code are those
 * a later `--baseline FILE` run would give (and the file is proven
 * readable before the command succeeds). */
static int write_baseline(const cli_command *cmd, const scan_args *a, slsec_scan_result *r)
{
    cli_output bo;
    int rc = cli_output_open(&bo, cmd, a->write_baseline);
    if (rc != 0)
        return rc;
    int wrc = slsec_baseline_write(bo.fp, r);
    if ((rc = cli_output_close(&bo, wrc == SLSEC_OK)) != 0)
        return rc;
    if (wrc != SLSEC_OK) {
        fprintf(stderr, "slsec: error: the baseline %s could not be written\n", a->write_baseline);
        return CLI_EXIT_INTERNAL;
    }
    slsec_baseline *b = NULL;
    slsec_diag d = {0};
    if (slsec_baseline_load(r->arena, a->write_baseline, &b, &d) != SLSEC_OK) {
        cli_print_diag("internal error", &d);
        return CLI_EXIT_INTERNAL;
    }
    slsec_scan_apply_baseline(r, b);
    if (!a->quiet)
        fprintf(stderr, "slsec: note: baseline %s written with %zu finding%s\n", a->write_baseline,
                slsec_baseline_count(b), slsec_baseline_count(b) == 1 ? "" : "s");
    return 0;
}

static int run_scan(const cli_command *cmd, int argc, char **argv)
{
    scan_args a = {.format = "text", .fail_on = -2};
    int first = argc;
    int rc = parse_args(cmd, argc, argv, &a, &first);
    if (rc >= 0)
        goto out;

    /* -o (or --write-baseline) naming one of the files to scan would
     * replace a template with a report: surely a slip of the keyboard. */
    const char *written[] = {a.output, a.write_baseline};
    for (size_t w = 0; w < 2; w++) {
        struct stat dest;
        if (!written[w] || strcmp(written[w], "-") == 0 || stat(written[w], &dest) != 0)
            continue;
        for (int i = first; i < argc; i++) {
            struct stat in;
            if (stat(argv[i], &in) == 0 && in.st_dev == dest.st_dev && in.st_ino == dest.st_ino) {
                rc = cli_usage(cmd, "%s %s is also a file to scan; refusing to overwrite it",
                               w ? "--write-baseline" : "--output", written[w]);
                goto out;
            }
        }
    }

    cli_output out;
    if ((rc = cli_output_open(&out, cmd, a.output)) != 0)
        goto out;

    slsec_scan_opts opts;
    slsec_scan_opts_init(&opts);
    opts.paths = (const char *const *)(argv + first);
    opts.path_count = (size_t)(argc - first);
    opts.config_path = a.config;
    opts.no_config = a.no_config;
    opts.extra_disabled = a.skip;
    opts.extra_disabled_count = a.nskip;
    opts.extra_only = a.only;
    opts.extra_only_count = a.nonly;
    opts.include_suppressed = a.show_suppressed;
    opts.max_file_bytes = a.max_bytes;
    opts.offline_db = a.offline_db;
    opts.baseline_path = a.baseline;
    opts.no_secrets = a.no_secrets;
    opts.no_code = a.no_code;
    opts.max_code_bytes = a.max_code_bytes;
    opts.no_externals = !a.inventory; /* only --inventory shows them: the code pass need not list them */
    opts.git_history = a.git_history;
    opts.since = a.since;
    opts.artifacts = a.artifacts;
    opts.artifact_count = a.nartifacts;
    /* --stage goes last: ${opt:stage} takes the last stage= given. */
    if (a.stage_option)
        push_id(&a.sls_options, &a.nsls_options, &a.capsls_options, a.stage_option);
    if (a.nsls_options) {
        push_id(&a.sls_options, &a.nsls_options, &a.capsls_options, NULL);
        opts.serverless_options = a.sls_options;
    }
    opts.require_signatures = a.require_signatures;
    opts.jobs = a.jobs;

    slsec_scan_result *r = NULL;
    slsec_diag err = {0};
    int src = slsec_scan_run(&opts, &r, &err);

    if (src == SLSEC_EUSAGE) {
        cli_print_diag("error", &err);
        cli_output_close(&out, false);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (src == SLSEC_ENOMEM || src == SLSEC_EINTERNAL) {
        cli_print_diag("internal error", &err);
        cli_output_close(&out, false);
        rc = CLI_EXIT_INTERNAL;
        goto done;
    }
    /* Warnings in the order met; the one that ended a failed scan is
     * printed as the error it is, even with --quiet. */
    bool failed = src != SLSEC_OK;
    bool err_shown = false;
    for (size_t i = 0; r && i < r->warnings.count; i++) {
        const slsec_diag *d = &r->warnings.items[i];
        if (failed && !err_shown && same_diag(d, &err)) {
            cli_print_diag("error", d);
            err_shown = true;
        } else if (!a.quiet) {
            cli_print_diag(d->level == SLSEC_DIAG_NOTE ? "note" : "warning", d);
        }
    }
    if (failed) {
        if (!err_shown)
            cli_print_diag("error", &err);
        fprintf(stderr, "slsec: error: nothing could be scanned\n");
        cli_output_close(&out, false);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (r->templates == 0 && r->lockfiles == 0 && r->text_files == 0 && r->code_files == 0 && !a.quiet)
        fprintf(stderr, "slsec: note: no template, lockfile or text file found (%zu candidate file%s "
                        "looked at); nothing to report\n",
                r->files_seen, r->files_seen == 1 ? "" : "s");

    if (a.write_baseline && (rc = write_baseline(cmd, &a, r)) != 0) {
        cli_output_close(&out, false);
        goto done;
    }
    if (!a.quiet && r->baselined.count)
        fprintf(stderr, "slsec: note: %zu finding%s listed in the baseline %s not reported\n",
                r->baselined.count, r->baselined.count == 1 ? "" : "s", r->baselined.count == 1 ? "is" : "are");

    slsec_report_opts ropts = {
        .color = cli_color(&out, a.format, a.no_color),
        .quiet = a.quiet,
        .show_suppressed = a.show_suppressed,
        .inventory = a.inventory,
    };
    int wrc = slsec_report_write(out.fp, a.format, r, &ropts);
    if (wrc != SLSEC_OK && wrc != SLSEC_EIO) {
        fprintf(stderr, "slsec: internal error: the %s report could not be written (%s)\n", a.format,
                slsec_strerror(wrc));
        cli_output_close(&out, false);
        rc = CLI_EXIT_INTERNAL;
        goto done;
    }
    if ((rc = cli_output_close(&out, wrc == SLSEC_OK)) != 0)
        goto done;
    if (wrc != SLSEC_OK) {
        rc = CLI_EXIT_INTERNAL;
        goto done;
    }

    if (a.history)
        cli_history_record(r, a.history_file, a.quiet);

    int fail_on = a.fail_on != -2 ? a.fail_on
                  : r->config.fail_on_set ? (int)r->config.fail_on
                                          : (int)SLSEC_SEV_HIGH;
    int worst = slsec_scan_worst(r);
    rc = fail_on >= 0 && worst >= fail_on ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;

done:
    slsec_scan_result_free(r);
out:
    free(a.skip);
    free(a.only);
    free(a.artifacts);
    free(a.sls_options);
    free(a.stage_option);
    return rc;
}

const cli_command cli_cmd_scan = {
    .name = "scan",
    .operands = "[PATH...]",
    .summary = "scan templates, code, secrets and lockfiles; report findings (default: .)",
    .description =
        "Scans CloudFormation and SAM templates (YAML or JSON, recognised by content; cdk.out "
        "templates too) in the given files and folders, default the current folder, and reports "
        "what the rules find. Folders are walked in name order, skipping hidden folders, "
        "node_modules, .aws-sam, .serverless and cdk.out/asset.*; symbolic links to folders are "
        "not followed, links to files only inside the scanned folder. Locations are relative to "
        "the root: the folder given, the folder of the file given, or the current folder when "
        "several paths are given. With --baseline, findings the baseline lists are neither "
        "reported nor counted. Every text file is also scanned for secrets (SECRET rules, "
        "docs/secrets.md); --git-history adds the repository's history and --artifact deployment "
        "packages. JavaScript, TypeScript and Python handlers are followed from their event to "
        "dangerous calls and loggers (CODE and LOG-1xx rules, docs/code.md; --no-code turns it off); "
        "--inventory also lists what each function's code calls out to: AWS services and operations, and "
        "the hosts of the URLs it fixes. "
        "Exit code: 0 when no finding is at or above --fail-on, 1 when "
        "one is, 2 for bad usage or when nothing could be scanned, 3 for an internal error.",
    .opts = scan_opts,
    .nopts = sizeof scan_opts / sizeof scan_opts[0],
    .run = run_scan,
};
