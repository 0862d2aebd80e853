/*
 * cmd_explain.c — `slsec explain ID...`: why a rule matters, how to fix
 * what it finds, a template snippet, references. Ids are matched without
 * regard to case; an unknown id gets the closest known one as a hint.
 */
#include "cli.h"

#include <string.h>

enum { OPT_NO_COLOR = 256 };

/* Sorted by long name. */
static const cli_opt explain_opts[] = {
    {"format", 'f', "FORMAT", "text or markdown (default: text)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"no-color", OPT_NO_COLOR, NULL, "never colour the text (the NO_COLOR variable does the same)"},
    {"output", 'o', "FILE", "write to FILE (replaced atomically) instead of standard output"},
};

static int run_explain(const cli_command *cmd, int argc, char **argv)
{
    const char *format = "text", *output = NULL;
    bool no_color = false;
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
            if (strcmp(arg, "text") != 0 && strcmp(arg, "markdown") != 0)
                rc = cli_usage(cmd, "unknown format '%s' (expected text or markdown)", arg);
            break;
        case 'o': output = arg; break;
        case OPT_NO_COLOR: no_color = true; break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    if (first >= argc)
        return cli_usage(cmd, "which rule? give an id such as IAM-001 ('slsec rules' lists them)");

    /* Every id is checked before anything is written. */
    for (int i = first; i < argc; i++) {
        if (slsec_rule_find(argv[i]))
            continue;
        const char *near = cli_suggest_rule(argv[i]);
        fprintf(stderr, "slsec explain: unknown rule ");
        for (const char *s = argv[i]; *s; s++)
            fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
        if (near)
            fprintf(stderr, " (did you mean %s?)", near);
        fprintf(stderr, "\n'slsec rules' lists every rule\n");
        return CLI_EXIT_USAGE;
    }

    cli_output out;
    if ((rc = cli_output_open(&out, cmd, output)) != 0)
        return rc;
    bool color = cli_color(&out, format, no_color);
    int wrc = SLSEC_OK;
    for (int i = first; i < argc && wrc == SLSEC_OK; i++) {
        if (i > first)
            fputc('\n', out.fp);
        wrc = slsec_rule_explain(out.fp, slsec_rule_find(argv[i]), format, color);
    }
    rc = cli_output_close(&out, wrc == SLSEC_OK);
    if (rc == 0 && wrc != SLSEC_OK) {
        fprintf(stderr, "slsec: internal error: the explanation could not be written (%s)\n",
                slsec_strerror(wrc));
        rc = CLI_EXIT_INTERNAL;
    }
    return rc;
}

const cli_command cli_cmd_explain = {
    .name = "explain",
    .operands = "ID...",
    .summary = "why a rule matters and how to fix what it finds",
    .description = "Explains each rule named: what it checks and why it matters, how to fix a "
                   "finding, with a template snippet, and its references (CWE, OWASP Serverless "
                   "Top 10, equivalent Checkov, cfn-nag and cdk-nag checks). Ids are not case "
                   "sensitive.",
    .opts = explain_opts,
    .nopts = sizeof explain_opts / sizeof explain_opts[0],
    .run = run_explain,
};
