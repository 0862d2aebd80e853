/*
 * cmd_rules.c — `slsec rules`: the rule catalogue as a table, as JSON (a
 * documented contract: {"rules": [...]}) or as Markdown (docs/rules.md is
 * generated this way). The report module writes all three; this file only
 * checks the options and picks the destination.
 */
#include "cli.h"

#include <string.h>

/* Sorted by long name. */
static const cli_opt rules_opts[] = {
    {"format", 'f', "FORMAT", "text (a table), json or markdown (default: text)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"output", 'o', "FILE", "write to FILE (replaced atomically) instead of standard output"},
};

static bool rules_format_known(const char *f)
{
    return strcmp(f, "text") == 0 || strcmp(f, "json") == 0 || strcmp(f, "markdown") == 0;
}

static int run_rules(const cli_command *cmd, int argc, char **argv)
{
    const char *format = "text", *output = NULL;
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
            format = arg;
            if (!rules_format_known(arg))
                rc = cli_usage(cmd, "unknown format '%s' (expected text, json or markdown)", arg);
            break;
        case 'o': output = arg; break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage(cmd, "unexpected argument '%s' (to explain one rule: slsec explain %s)",
                         argv[first], argv[first]);

    cli_output out;
    if ((rc = cli_output_open(&out, cmd, output)) != 0)
        return rc;
    int wrc = slsec_rules_write(out.fp, format);
    rc = cli_output_close(&out, wrc == SLSEC_OK);
    if (rc == 0 && wrc != SLSEC_OK) {
        fprintf(stderr, "slsec: internal error: the rule catalogue could not be written (%s)\n",
                slsec_strerror(wrc));
        rc = CLI_EXIT_INTERNAL;
    }
    return rc;
}

const cli_command cli_cmd_rules = {
    .name = "rules",
    .operands = "",
    .summary = "list the rules: id, severity, title",
    .description = "Lists every rule slsec applies, sorted by id, with its severity and title. "
                   "'--format json' gives each rule's references too (CWE, OWASP Serverless Top 10, "
                   "and the equivalent Checkov, cfn-nag and cdk-nag checks). "
                   "'slsec explain ID' tells one rule's story.",
    .opts = rules_opts,
    .nopts = sizeof rules_opts / sizeof rules_opts[0],
    .run = run_rules,
};
