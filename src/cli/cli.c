/*
 * cli.c — option parsing, help, report destinations and messages, shared
 * by every command of the tool.
 *
 * getopt_long runs with its own messages off (opterr = 0) so every usage
 * error has the same shape: one line naming the problem, then the line
 * that says where help is. Options may follow operands
 * (`slsec scan . --format sarif`); `--` ends them.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- commands --------------------------------------------------------------------- */

static const cli_command *const command_table[] = {
    &cli_cmd_scan,    &cli_cmd_db,      &cli_cmd_audit, &cli_cmd_rules,
    &cli_cmd_explain, &cli_cmd_keygen,  &cli_cmd_sign,  &cli_cmd_verify,
    &cli_cmd_attest,  &cli_cmd_verify_attestation, &cli_cmd_logs, &cli_cmd_lambda_runtime, &cli_cmd_guard,
    &cli_cmd_report, &cli_cmd_history, &cli_cmd_inventory, &cli_cmd_version, &cli_cmd_help,
};

const cli_command *const *cli_commands(size_t *count)
{
    *count = sizeof command_table / sizeof command_table[0];
    return command_table;
}

const cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof command_table / sizeof command_table[0]; i++)
        if (strcmp(command_table[i]->name, name) == 0)
            return command_table[i];
    return NULL;
}

/* ---- options ------------------------------------------------------------------------ */

void cli_parser_init(cli_parser *p, const cli_command *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    struct option *lo = calloc(cmd->nopts + 1, sizeof *lo);
    if (!lo)
        slsec_oom();
    size_t k = 0;
    p->shortopts[k++] = ':'; /* report a missing value as ':' */
    for (size_t i = 0; i < cmd->nopts; i++) {
        const cli_opt *o = &cmd->opts[i];
        lo[i].name = o->name;
        /* An arg written "[FILE]" is optional: --opt or --opt=FILE. */
        lo[i].has_arg = !o->arg ? no_argument : o->arg[0] == '[' ? optional_argument : required_argument;
        lo[i].val = o->key;
        if (o->key < 256 && k + 3 < sizeof p->shortopts) {
            p->shortopts[k++] = (char)o->key;
            if (o->arg)
                p->shortopts[k++] = ':';
        }
    }
    p->shortopts[k] = '\0';
    p->longopts = lo;
    opterr = 0;
    optind = 0; /* 0 makes glibc start afresh */
}

void cli_parser_free(cli_parser *p)
{
    free(p->longopts);
    p->longopts = NULL;
}

static const cli_opt *opt_by_key(const cli_command *cmd, int key)
{
    for (size_t i = 0; i < cmd->nopts; i++)
        if (cmd->opts[i].key == key)
            return &cmd->opts[i];
    return NULL;
}

int cli_next(cli_parser *p, const char **arg)
{
    *arg = NULL;
    int c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, NULL);
    if (c == -1) {
        p->next = optind;
        return CLI_OPT_END;
    }
    const char *word = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";
    if (c == ':') {
        const cli_opt *o = opt_by_key(p->cmd, optopt);
        if (o)
            cli_usage(p->cmd, "option --%s needs a value (%s)", o->name, o->arg);
        else
            cli_usage(p->cmd, "option '%s' needs a value", word);
        return CLI_OPT_BAD;
    }
    if (c == '?') {
        const cli_opt *o = optopt ? opt_by_key(p->cmd, optopt) : NULL;
        if (o && strncmp(word, "--", 2) == 0 && strchr(word, '='))
            cli_usage(p->cmd, "option --%s takes no value", o->name);
        else if (optopt && strncmp(word, "--", 2) != 0)
            cli_usage(p->cmd, "unknown option '-%c'", optopt);
        else
            cli_usage(p->cmd, "unknown option '%s'", word);
        return CLI_OPT_BAD;
    }
    *arg = optarg;
    return c;
}

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "slsec%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'slsec %s%s--help'\n", cmd ? cmd->name : "", cmd ? " " : "");
    return CLI_EXIT_USAGE;
}

/* Writes text wrapped at `width` columns, continuation lines indented by
 * `indent`, the first line starting at column `col`. */
static void wrap(FILE *out, const char *text, size_t col, size_t indent, size_t width)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (col > indent && col + 1 + n > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, n, out);
        col += n;
        p += n;
    }
    fputc('\n', out);
}

void cli_help(FILE *out, const cli_command *cmd)
{
    fprintf(out, "usage: slsec %s%s%s%s\n\n", cmd->name, cmd->nopts > 1 ? " [OPTIONS]" : "",
            cmd->operands[0] ? " " : "", cmd->operands);
    wrap(out, cmd->description, 0, 0, 78);
    if (!cmd->nopts)
        return;
    fputs("\noptions:\n", out);
    for (size_t i = 0; i < cmd->nopts; i++) {
        const cli_opt *o = &cmd->opts[i];
        char left[64];
        if (o->key < 256)
            snprintf(left, sizeof left, "  -%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else if (o->arg && o->arg[0] == '[')
            snprintf(left, sizeof left, "      --%s[=%s", o->name, o->arg + 1);
        else
            snprintf(left, sizeof left, "      --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        fputs(left, out);
        size_t col = strlen(left);
        if (col >= 28) {
            fputc('\n', out);
            col = 0;
        }
        fprintf(out, "%*s", (int)(28 - col), "");
        wrap(out, o->help, 28, 28, 79);
    }
}

/* ---- output --------------------------------------------------------------------------- */

int cli_output_open(cli_output *o, const cli_command *cmd, const char *dest)
{
    memset(o, 0, sizeof *o);
    if (!dest || strcmp(dest, "-") == 0) {
        o->fp = stdout;
        o->is_stdout = true;
        return 0;
    }
    if (!*dest)
        return cli_usage(cmd, "--output needs a file name");
    struct stat st;
    if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_usage(cmd, "--output %s: is a folder; name a file", dest);
    /* A device, FIFO or socket (/dev/null, /dev/stdout, a pipe) is written
     * in place: renaming a temporary file over it would replace it. */
    if (stat(dest, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->fp = fopen(dest, "w");
        if (!o->fp) {
            fprintf(stderr, "slsec %s: cannot write %s: %s\n", cmd->name, dest, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        o->dest = strdup(dest);
        if (!o->dest)
            slsec_oom();
        return 0;
    }

    /* The temporary file sits next to the destination, so rename() is
     * atomic (same file system) and nothing is written anywhere else. */
    const char *slash = strrchr(dest, '/');
    size_t dirlen = slash ? (size_t)(slash - dest) + 1 : 0;
    const char *base = dest + dirlen;
    size_t n = dirlen + 1 + strlen(base) + 16;
    o->tmp = malloc(n);
    o->dest = strdup(dest);
    if (!o->tmp || !o->dest)
        slsec_oom();
    snprintf(o->tmp, n, "%.*s.%s.tmp-XXXXXX", (int)dirlen, dest, base);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        free(o->dest);
        o->tmp = o->dest = NULL;
        fprintf(stderr, "slsec %s: cannot write %s: %s\n", cmd->name, dest, strerror(e));
        return CLI_EXIT_USAGE;
    }
    /* mkstemp makes the file private; a report is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        /* not fatal: the report is still written, only more private */
    }
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        free(o->dest);
        o->tmp = o->dest = NULL;
        fprintf(stderr, "slsec %s: cannot write %s: out of memory\n", cmd->name, dest);
        return CLI_EXIT_INTERNAL;
    }
    return 0;
}

int cli_output_close(cli_output *o, bool commit)
{
    int rc = 0;
    if (o->is_stdout) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "slsec: cannot write the report to standard output: %s\n", strerror(errno));
            rc = CLI_EXIT_INTERNAL;
        }
        o->fp = NULL;
        return rc;
    }
    if (!o->fp)
        return 0;
    int e = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp))
        e = errno ? errno : EIO;
    else if (commit && o->tmp && fsync(fileno(o->fp)) != 0)
        e = errno;
    if (fclose(o->fp) != 0 && !e)
        e = errno ? errno : EIO;
    o->fp = NULL;
    if (o->tmp && commit && !e && rename(o->tmp, o->dest) != 0)
        e = errno;
    if (o->tmp && (e || !commit))
        unlink(o->tmp);
    if (e && commit) {
        fprintf(stderr, "slsec: cannot write %s: %s\n", o->dest, strerror(e));
        rc = CLI_EXIT_INTERNAL;
    }
    free(o->tmp);
    free(o->dest);
    o->tmp = o->dest = NULL;
    return rc;
}

bool cli_color(const cli_output *o, const char *format, bool no_color)
{
    if (no_color || !o->is_stdout || (format && strcmp(format, "text") != 0))
        return false;
    const char *env = getenv("NO_COLOR");
    if (env && *env)
        return false;
    return isatty(STDOUT_FILENO) == 1;
}

/* ---- messages ---------------------------------------------------------------------------- */

static void put_clean(const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

void cli_print_diag(const char *level, const slsec_diag *d)
{
    fprintf(stderr, "slsec: %s: ", level);
    if (d->file[0]) {
        put_clean(d->file);
        if (d->line > 0) {
            fprintf(stderr, ":%d", d->line);
            if (d->col > 0)
                fprintf(stderr, ":%d", d->col);
        }
        fputs(": ", stderr);
    }
    put_clean(d->message);
    fputc('\n', stderr);
}

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    size_t row[33];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + ((a[i - 1] | 0x20) != (b[j - 1] | 0x20));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cli_suggest_rule(const char *id)
{
    size_t count, best = 3;
    const char *near = NULL;
    const slsec_rule *const *all = slsec_rules_all(&count);
    for (size_t i = 0; id && i < count; i++) {
        size_t d = distance(id, all[i]->id);
        if (d < best) {
            best = d;
            near = all[i]->id;
        }
    }
    return near;
}

bool cli_check_rule_arg(const cli_command *cmd, const char *option, const char *id)
{
    if (!*id) {
        cli_usage(cmd, "%s needs a rule id", option);
        return false;
    }
    if (strpbrk(id, "*?") || slsec_rule_find(id))
        return true;
    const char *near = cli_suggest_rule(id);
    if (near)
        cli_usage(cmd, "%s: unknown rule %s (did you mean %s?)", option, id, near);
    else
        cli_usage(cmd, "%s: unknown rule %s ('slsec rules' lists them)", option, id);
    return false;
}
