/*
 * cli.h — what the command files of the `slsec` tool share.
 *
 * The tool is a thin layer over the library: it uses only the public headers (include/slsec).
 * Each command is a cli_command with one option table, sorted by long
 * name; the same table drives getopt_long and the command's --help, so an
 * option cannot exist without being documented.
 *
 * Exit codes (DESIGN.md): 0 nothing at or above --fail-on, 1 findings at or
 * above it, 2 bad usage or nothing scannable, 3 internal error.
 */
#ifndef SLSEC_CLI_H
#define SLSEC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "slsec/report.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FINDINGS = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INTERNAL = 3 };

typedef struct cli_opt {
    const char *name; /* long name; tables are sorted by it */
    int key;          /* the short option's letter, or a code >= 256 for long-only options */
    const char *arg;  /* the value's placeholder ("FILE"), NULL for a flag */
    const char *help;
} cli_opt;

typedef struct cli_command cli_command;
struct cli_command {
    const char *name;
    const char *operands;    /* "[PATH...]", "" when none */
    const char *summary;     /* one line for `slsec --help` */
    const char *description; /* a paragraph for `slsec COMMAND --help` */
    const cli_opt *opts;
    size_t nopts;
    int (*run)(const cli_command *cmd, int argc, char **argv);
};

extern const cli_command cli_cmd_scan, cli_cmd_rules, cli_cmd_explain, cli_cmd_version, cli_cmd_help;
extern const cli_command cli_cmd_db;
extern const cli_command cli_cmd_audit;
extern const cli_command cli_cmd_logs, cli_cmd_lambda_runtime;
extern const cli_command cli_cmd_guard;
extern const cli_command cli_cmd_report, cli_cmd_history, cli_cmd_inventory;
extern const cli_command cli_cmd_keygen, cli_cmd_sign, cli_cmd_verify, cli_cmd_attest, cli_cmd_verify_attestation;

/* The command table, in the order `slsec --help` lists them. */
const cli_command *const *cli_commands(size_t *count);
const cli_command *cli_command_find(const char *name);

/* ---- options ------------------------------------------------------------------ */

enum {
    CLI_OPT_END = 0,   /* options are over; operands start at cli_parser.next */
    CLI_OPT_BAD = -1,  /* an error was printed: exit 2 */
};

typedef struct cli_parser {
    const cli_command *cmd;
    int argc;
    char **argv;
    int next; /* index of the first operand, once CLI_OPT_END was returned */
    char shortopts[64];
    void *longopts; /* struct option[], heap */
} cli_parser;

void cli_parser_init(cli_parser *p, const cli_command *cmd, int argc, char **argv);
void cli_parser_free(cli_parser *p);
/* The next option's key, with *arg set for options taking a value;
 * CLI_OPT_END or CLI_OPT_BAD. --help/-h come back as 'h'. */
int cli_next(cli_parser *p, const char **arg);

/* Prints `slsec CMD: message` and `try 'slsec CMD --help'` to stderr;
 * returns CLI_EXIT_USAGE. */
int cli_usage(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void cli_help(FILE *out, const cli_command *cmd);

/* ---- output --------------------------------------------------------------------- */

/* A report's destination: stdout, or a file written atomically (a
 * temporary file in the same folder, renamed over FILE when complete), so
 * a failed run never leaves a half-written report behind. */
typedef struct cli_output {
    FILE *fp;
    bool is_stdout;
    char *tmp;
    char *dest;
} cli_output;

/* dest NULL or "-" is stdout. Returns 0, or CLI_EXIT_USAGE after a message. */
int cli_output_open(cli_output *o, const cli_command *cmd, const char *dest);
/* Finishes (commit) or abandons the output. Returns 0, or CLI_EXIT_INTERNAL
 * after a message when the report could not be written. */
int cli_output_close(cli_output *o, bool commit);

/* Colour is for people: only on a terminal, in text, without --no-color
 * and without NO_COLOR (https://no-color.org) set to a non-empty value. */
bool cli_color(const cli_output *o, const char *format, bool no_color);

/* ---- messages --------------------------------------------------------------------- */

/* `slsec: LEVEL: file:line:col: message`, the position parts that are
 * unknown (0 or empty) left out, control bytes shown as '?'. */
void cli_print_diag(const char *level, const slsec_diag *d);

/* The rule id closest to `id` (a likely typo), or NULL. */
const char *cli_suggest_rule(const char *id);

/* Is `id` a rule id or a glob (with '*' or '?')? Prints a usage error
 * naming `option` otherwise. */
bool cli_check_rule_arg(const cli_command *cmd, const char *option, const char *id);

/* `scan --history[=FILE]` (cmd_report.c): records r in FILE, default
 * ROOT/.slsec/history.db. A history that cannot be used is reported as a
 * warning and the scan goes on. Returns SLSEC_OK or the history's error. */
int cli_history_record(const slsec_scan_result *r, const char *file, bool quiet);

#endif
