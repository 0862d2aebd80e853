/*
 * cmd_audit.c — `slsec audit --cloudtrail PATH [PATH...]`: what each role
 * used, from CloudTrail, against what the templates grant.
 *
 * The templates are loaded by the scan pipeline (same paths, same
 * configuration) with no scan rule enabled; the audit then replaces the
 * findings with AUDIT ones, so every report format of `scan` works here.
 * Order of events as in scan: options, then the output file, then the
 * work, then the report renamed into place; --write-policies files are
 * each written to a temporary name and renamed when complete.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slsec/audit.h"

enum {
    OPT_CLOUDTRAIL = 256,
    OPT_CONFIG,
    OPT_DENIED_BURST,
    OPT_DEPLOY_ROLE,
    OPT_FAIL_ON,
    OPT_KEY_IPS,
    OPT_NO_COLOR,
    OPT_NO_CONFIG,
    OPT_ROLE_MAP,
    OPT_SINCE,
    OPT_TEMPLATE,
    OPT_UNTIL,
    OPT_WRITE_POLICIES,
};

/* Sorted by long name. */
static const cli_opt audit_opts[] = {
    {"cloudtrail", OPT_CLOUDTRAIL, "PATH",
     "CloudTrail input: a .json.gz or .json file as S3 delivers it, JSON lines (CloudTrail Lake, "
     "Athena), a folder of those (walked), or - for standard input; repeatable, at least one"},
    {"config", OPT_CONFIG, "FILE", "read this configuration file instead of .slsec.yml in the template root"},
    {"denied-burst", OPT_DENIED_BURST, "N",
     "report a principal denied N times within 10 minutes (default: 10)"},
    {"deploy-role", OPT_DEPLOY_ROLE, "ROLE",
     "a principal allowed to change roles and functions (role ARN or name); repeatable; "
     "CloudFormation always is"},
    {"fail-on", OPT_FAIL_ON, "SEVERITY",
     "exit 1 when a finding is at or above SEVERITY: critical, high, medium, low, info, or none "
     "(default: high)"},
    {"format", 'f', "FORMAT", "report format: text, json, sarif, junit or markdown (default: text)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"key-ips", OPT_KEY_IPS, "N",
     "report an access key used from N or more addresses within one hour (default: 3)"},
    {"no-color", OPT_NO_COLOR, NULL, "never colour the text report (the NO_COLOR variable does the same)"},
    {"no-config", OPT_NO_CONFIG, NULL, "do not read .slsec.yml"},
    {"output", 'o', "FILE", "write the report to FILE (replaced atomically once complete)"},
    {"quiet", 'q', NULL, "findings only: no warnings, notes or summary"},
    {"role-map", OPT_ROLE_MAP, "LOGICAL=ARN",
     "match the role with this logical id to this role ARN (or role name); repeatable"},
    {"since", OPT_SINCE, "TIME", "only events at or after TIME (2026-10-01 or 2026-10-01T12:00:00Z)"},
    {"template", 'T', "PATH", "a template or project folder, as scan takes; repeatable (same as operands)"},
    {"until", OPT_UNTIL, "TIME", "only events up to TIME, inclusive (2026-10-31 keeps that whole day)"},
    {"write-policies", OPT_WRITE_POLICIES, "DIR",
     "write one least-privilege policy per role seen in the trail to DIR/<LogicalId>.json"},
};

typedef struct strlist {
    const char **items;
    size_t n, cap;
} strlist;

static void push(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        const char **more = realloc(l->items, l->cap * sizeof *more);
        if (!more)
            slsec_oom();
        l->items = more;
    }
    l->items[l->n++] = s;
}

typedef struct audit_args {
    const char *format, *output, *config, *policies;
    bool no_config, quiet, no_color;
    int fail_on;
    strlist trails, templates, role_map, deployers;
    slsec_audit_opts ao;
} audit_args;

static bool time_arg(const char *s)
{
    /* YYYY-MM-DD, optionally followed by a time as CloudTrail writes it */
    if (strlen(s) < 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    return s[10] == '\0' || s[10] == 'T';
}

static bool count_arg(const char *s, unsigned *out)
{
    long v;
    if (!slsec_parse_long(s, &v) || v < 1 || v > 1000000)
        return false;
    *out = (unsigned)v;
    return true;
}

static int parse_args(const cli_command *cmd, int argc, char **argv, audit_args *a)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    for (;;) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END) {
            for (int i = p.next; i < argc; i++)
                push(&a->templates, argv[i]);
            break;
        }
        switch (c) {
        case CLI_OPT_BAD: rc = CLI_EXIT_USAGE; break;
        case 'h':
            cli_help(stdout, cmd);
            rc = CLI_EXIT_OK;
            break;
        case 'f':
            if (!slsec_report_format_known(arg))
                rc = cli_usage(cmd, "unknown format '%s' (expected text, json, sarif, junit or markdown)",
                               arg);
            a->format = arg;
            break;
        case 'o': a->output = arg; break;
        case 'q': a->quiet = true; break;
        case 'T': push(&a->templates, arg); break;
        case OPT_CLOUDTRAIL:
            if (!*arg)
                rc = cli_usage(cmd, "--cloudtrail needs a file, folder or -");
            push(&a->trails, arg);
            break;
        case OPT_CONFIG: a->config = arg; break;
        case OPT_NO_CONFIG: a->no_config = true; break;
        case OPT_NO_COLOR: a->no_color = true; break;
        case OPT_ROLE_MAP:
            if (!strchr(arg, '=') || arg[0] == '=')
                rc = cli_usage(cmd, "--role-map expects LOGICAL_ID=ARN, found '%s'", arg);
            push(&a->role_map, arg);
            break;
        case OPT_DEPLOY_ROLE: push(&a->deployers, arg); break;
        case OPT_SINCE:
        case OPT_UNTIL:
            if (!time_arg(arg))
                rc = cli_usage(cmd, "--%s expects a date like 2026-10-01 or 2026-10-01T12:00:00Z, found '%s'",
                               c == OPT_SINCE ? "since" : "until", arg);
            if (c == OPT_SINCE)
                a->ao.since = arg;
            else
                a->ao.until = arg;
            break;
        case OPT_DENIED_BURST:
            if (!count_arg(arg, &a->ao.denied_burst))
                rc = cli_usage(cmd, "--denied-burst expects a count from 1, found '%s'", arg);
            break;
        case OPT_KEY_IPS:
            if (!count_arg(arg, &a->ao.key_ips) || a->ao.key_ips < 2 || a->ao.key_ips > 16)
                rc = cli_usage(cmd, "--key-ips expects a count from 2 to 16, found '%s'", arg);
            break;
        case OPT_WRITE_POLICIES:
            if (!*arg)
                rc = cli_usage(cmd, "--write-policies needs a folder");
            a->policies = arg;
            break;
        case OPT_FAIL_ON: {
            slsec_severity s;
            if (strcasecmp(arg, "none") == 0)
                a->fail_on = -1;
            else if (slsec_severity_parse(arg, &s))
                a->fail_on = (int)s;
            else
                rc = cli_usage(cmd,
                               "unknown severity '%s' for --fail-on (expected critical, high, medium, "
                               "low, info or none)",
                               arg);
            break;
        }
        default: rc = cli_usage(cmd, "option not handled (a bug)"); break;
        }
        if (rc >= 0)
            break;
    }
    cli_parser_free(&p);
    if (rc < 0 && a->trails.n == 0)
        rc = cli_usage(cmd, "--cloudtrail is required (a file, a folder, or - for standard input)");
    if (rc < 0 && a->config && a->no_config)
        rc = cli_usage(cmd, "--config and --no-config cannot be used together");
    if (rc < 0 && a->ao.since && a->ao.until && strncmp(a->ao.since, a->ao.until, 10) > 0)
        rc = cli_usage(cmd, "--since %s is after --until %s", a->ao.since, a->ao.until);
    return rc;
}

/* One policy file, written to a temporary name and renamed into place. */
static bool write_policy(const char *dir, const char *id, const char *json)
{
    char path[4096], tmp[4200];
    size_t k = 0;
    char safe[256];
    for (const char *p = id; *p && k + 1 < sizeof safe; p++)
        safe[k++] = (*p == '/' || *p == '\\' || *p == '.' || (unsigned char)*p < 0x20) ? '_' : *p;
    safe[k] = '\0';
    snprintf(path, sizeof path, "%s/%s.json", dir, safe);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "slsec: error: %s: cannot write: %s\n", tmp, strerror(errno));
        return false;
    }
    bool ok = fputs(json, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "slsec: error: %s: cannot write: %s\n", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

static int write_policies(const char *dir, slsec_scan_result *r, const slsec_audit *au, bool quiet)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "slsec: error: %s: cannot create the folder: %s\n", dir, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    size_t written = 0;
    for (size_t i = 0; i < au->roles.count; i++) {
        const slsec_audit_role *ar = au->roles.items[i];
        if (ar->events == 0)
            continue; /* nothing in the trail to base a policy on */
        if (!write_policy(dir, ar->role->id, slsec_audit_policy_json(r, ar)))
            return CLI_EXIT_USAGE;
        written++;
    }
    if (!quiet)
        fprintf(stderr, "slsec: note: wrote %zu least-privilege polic%s to %s\n", written,
                written == 1 ? "y" : "ies", dir);
    return CLI_EXIT_OK;
}

static int run_audit(const cli_command *cmd, int argc, char **argv)
{
    audit_args a = {.format = "text", .fail_on = -2};
    slsec_audit_opts_init(&a.ao);
    slsec_scan_result *r = NULL;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        goto out;
    if (a.policies) {
        struct stat st;
        if (stat(a.policies, &st) == 0 && !S_ISDIR(st.st_mode)) {
            rc = cli_usage(cmd, "--write-policies %s exists and is not a folder", a.policies);
            goto out;
        }
    }
    cli_output out;
    if ((rc = cli_output_open(&out, cmd, a.output)) != 0)
        goto out;

    static const char *const only[] = {"AUDIT-*"};
    slsec_scan_opts so;
    slsec_scan_opts_init(&so);
    so.paths = a.templates.items;
    so.path_count = a.templates.n;
    so.config_path = a.config;
    so.no_config = a.no_config;
    so.extra_only = only;
    so.extra_only_count = 1;
    slsec_diag err = {0};
    int src = slsec_scan_run(&so, &r, &err);
    if (src != SLSEC_OK) {
        cli_print_diag("error", &err);
        fprintf(stderr, "slsec: error: the templates could not be read\n");
        cli_output_close(&out, false);
        rc = src == SLSEC_ENOMEM || src == SLSEC_EINTERNAL ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
        goto out;
    }
    a.ao.trails = a.trails.items;
    a.ao.trail_count = a.trails.n;
    a.ao.role_map = a.role_map.items;
    a.ao.role_map_count = a.role_map.n;
    a.ao.deployers = a.deployers.items;
    a.ao.deployer_count = a.deployers.n;
    slsec_audit *au = NULL;
    int arc = slsec_audit_run(r, &a.ao, &au, &err);
    for (size_t i = 0; !a.quiet && i < r->warnings.count; i++) {
        const slsec_diag *d = &r->warnings.items[i];
        cli_print_diag(d->level == SLSEC_DIAG_NOTE ? "note" : "warning", d);
    }
    if (arc != SLSEC_OK) {
        cli_print_diag("error", &err);
        if (arc != SLSEC_EUSAGE)
            fprintf(stderr, "slsec: error: nothing could be read from the CloudTrail input\n");
        cli_output_close(&out, false);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (r->templates == 0 && !a.quiet)
        fprintf(stderr, "slsec: note: no CloudFormation or SAM template found; only account-wide events "
                        "are reported\n");
    if (!a.quiet)
        fprintf(stderr,
                "slsec: note: %zu record%s from %zu file%s (%s to %s), %zu outside the window, "
                "%zu unreadable\n",
                au->stats.records, au->stats.records == 1 ? "" : "s", au->stats.files,
                au->stats.files == 1 ? "" : "s", au->stats.first_time ? au->stats.first_time : "-",
                au->stats.last_time ? au->stats.last_time : "-", au->stats.out_of_window,
                au->stats.bad_records);
    if (a.policies && (rc = write_policies(a.policies, r, au, a.quiet)) != 0) {
        cli_output_close(&out, false);
        goto out;
    }
    slsec_report_opts ropts = {.color = cli_color(&out, a.format, a.no_color), .quiet = a.quiet};
    int wrc = slsec_report_write(out.fp, a.format, r, &ropts);
    if ((rc = cli_output_close(&out, wrc == SLSEC_OK)) != 0)
        goto out;
    if (wrc != SLSEC_OK) {
        rc = CLI_EXIT_INTERNAL;
        goto out;
    }
    int fail_on = a.fail_on != -2         ? a.fail_on
                  : r->config.fail_on_set ? (int)r->config.fail_on
                                          : (int)SLSEC_SEV_HIGH;
    int worst = slsec_scan_worst(r);
    rc = fail_on >= 0 && worst >= fail_on ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
out:
    slsec_scan_result_free(r);
    free(a.trails.items);
    free(a.templates.items);
    free(a.role_map.items);
    free(a.deployers.items);
    return rc;
}

const cli_command cli_cmd_audit = {
    .name = "audit",
    .operands = "[PATH...]",
    .summary = "compare what roles used in CloudTrail with what the templates grant",
    .description =
        "Reads CloudTrail logs (gzip or plain JSON as S3 delivers them, JSON lines, folders of those, or "
        "standard input), streaming them with flat memory, and compares the actions each role's sessions "
        "used with what the templates grant: actions and services never used, resources used against "
        "resources granted, grants CloudTrail cannot show without data events. Roles are matched by "
        "RoleName, by the name CloudFormation generates (stack-LogicalId-SUFFIX) or by --role-map. Also "
        "reports console sign-ins without MFA, root activity, bursts of denied calls, access keys used "
        "from several addresses, and IAM and Lambda changes made outside the deployment. Findings come in "
        "the formats of scan; --write-policies writes a least-privilege policy per role. Exit code: 0 when "
        "no finding is at or above --fail-on, 1 when one is, 2 for bad usage or when nothing could be read, "
        "3 for an internal error.",
    .opts = audit_opts,
    .nopts = sizeof audit_opts / sizeof audit_opts[0],
    .run = run_audit,
};
