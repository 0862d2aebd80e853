/*
 * cmd_logs.c — `slsec logs SUBCOMMAND`: the dispatcher, the inputs every
 * subcommand reads, and `slsec logs redact` (library: slsec/logs.h).
 *
 * redact writes standard output, -o FILE, or with --out a file or folder
 * mirroring the inputs (names kept; an output whose name ends in .gz is
 * written gzip-compressed, whatever the input was). Output goes through a
 * temporary file renamed into place, so a failed run leaves no half file.
 * Output is flushed per line when standard output is a terminal or with
 * --line-buffered (for `tail -f app.log | slsec logs redact | ...`).
 *
 * The summary (lines, masks per type, long lines) goes to standard error,
 * never a masked value. Exit codes: 0 done; 2 bad usage or an input that
 * could not be read whole (the rest of the inputs are still processed);
 * 3 output could not be written.
 */
#include "cmd_logs.h"

#include "slsec/logs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- inputs ------------------------------------------------------------------------------- */

static void push_input(logs_inputs *in, const char *path, const char *rel, const char *root)
{
    if (in->count == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 16;
        logs_input *more = realloc(in->items, in->cap * sizeof *more);
        if (!more)
            slsec_oom();
        in->items = more;
    }
    logs_input *it = &in->items[in->count++];
    it->path = strdup(path);
    it->rel = strdup(rel);
    it->root = strdup(root);
    if (!it->path || !it->rel || !it->root)
        slsec_oom();
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int walk(logs_inputs *in, const cli_command *cmd, const char *dir, const char *rel, const char *root,
                int depth)
{
    if (depth > SLSEC_MAX_WALK_DEPTH) {
        fprintf(stderr, "slsec %s: %s: folders nested deeper than %d; not read further\n", cmd->name, dir,
                SLSEC_MAX_WALK_DEPTH);
        return CLI_EXIT_USAGE;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "slsec %s: cannot read folder %s: %s\n", cmd->name, dir, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **more = realloc(names, cap * sizeof *more);
            if (!more)
                slsec_oom();
            names = more;
        }
        if (!(names[n++] = strdup(de->d_name)))
            slsec_oom();
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t lp = strlen(dir) + strlen(names[i]) + 2, lr = strlen(rel) + strlen(names[i]) + 2;
        char *path = malloc(lp), *r = malloc(lr);
        if (!path || !r)
            slsec_oom();
        snprintf(path, lp, "%s/%s", dir, names[i]);
        snprintf(r, lr, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                int w = walk(in, cmd, path, r, root, depth + 1);
                if (w)
                    rc = w;
            } else if (S_ISREG(st.st_mode)) {
                push_input(in, path, r, root);
            } /* links and devices are not followed: nothing is read from outside the folder */
        }
        free(path);
        free(r);
        free(names[i]);
    }
    free(names);
    return rc;
}

int logs_inputs_add(logs_inputs *in, const cli_command *cmd, const char *path)
{
    if (strcmp(path, "-") == 0) {
        push_input(in, "-", "stdin", "");
        return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "slsec %s: cannot read %s: %s\n", cmd->name, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        char *dir = strdup(path);
        if (!dir)
            slsec_oom();
        while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
        char *real = realpath(dir, NULL);
        const char *base = real ? strrchr(real, '/') : NULL;
        int rc = walk(in, cmd, dir, "", base && base[1] ? base + 1 : "", 0);
        free(real);
        free(dir);
        return rc;
    }
    const char *slash = strrchr(path, '/');
    push_input(in, path, slash ? slash + 1 : path, "");
    return 0;
}

void logs_inputs_free(logs_inputs *in)
{
    for (size_t i = 0; i < in->count; i++) {
        free(in->items[i].path);
        free(in->items[i].rel);
        free(in->items[i].root);
    }
    free(in->items);
    memset(in, 0, sizeof *in);
}

/* Opens fd (owned from here) for zlib; NULL after a message. */
static gzFile zlib_open(const cli_command *cmd, const char *path, int fd)
{
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        close(fd);
        fprintf(stderr, "slsec %s: cannot read %s: out of memory\n", cmd->name, path);
        return NULL;
    }
    /* zlib reads straight into the caller's buffer when a read asks for
     * at least twice its own buffer (else it reads into that and copies) */
    gzbuffer(f, LOGS_READ_BYTES / 2);
    return f;
}

static const char *shown(const char *path) { return strcmp(path, "-") == 0 ? "standard input" : path; }

/* Up to cap bytes: >0 bytes, 0 at the end, -1 on an error that was
 * reported (a gzip that ends early, a read error). */
static long zlib_read(const cli_command *cmd, gzFile f, const char *path, char *buf, size_t cap)
{
    int n = gzread(f, buf, (unsigned)cap);
    int zerr = Z_OK;
    const char *msg = gzerror(f, &zerr);
    /* zlib reports a stream that stops mid-way as the end plus Z_BUF_ERROR */
    if (n > 0 || (n == 0 && zerr == Z_OK))
        return n;
    if (zerr == Z_ERRNO)
        msg = strerror(errno);
    fprintf(stderr, "slsec %s: %s: %s%s\n", cmd->name, shown(path),
            zerr == Z_BUF_ERROR ? "the gzip data ends early: " : "", msg);
    return -1;
}

static int read_zlib(const cli_command *cmd, const char *path, int fd, logs_chunk_fn fn, void *user)
{
    gzFile f = zlib_open(cmd, path, fd);
    if (!f)
        return -1;
    char *buf = malloc(LOGS_READ_BYTES);
    if (!buf)
        slsec_oom();
    long n;
    int rc = 0;
    while (rc == 0 && (n = zlib_read(cmd, f, path, buf, LOGS_READ_BYTES)) != 0)
        rc = n < 0 ? -1 : fn(buf, (size_t)n, user) ? 1 : 0;
    free(buf);
    gzclose(f);
    return rc;
}

int logs_read_input(const cli_command *cmd, const char *path, logs_chunk_fn fn, void *user)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "slsec %s: cannot read %s: %s\n", cmd->name, path, strerror(errno));
        return -1;
    }
    return read_zlib(cmd, path, fd, fn, user);
}

/* ---- redact --------------------------------------------------------------------------------- */

enum {
    OPT_CONFIG = 256,
    OPT_FAIL_CLOSED,
    OPT_FAIL_OPEN,
    OPT_FIELD,
    OPT_IN,
    OPT_IP,
    OPT_KEY_FILE,
    OPT_LINE_BUFFERED,
    OPT_MAX_LINE,
    OPT_MODE,
    OPT_NO_COLOR,
    OPT_NO_CONFIG,
    OPT_NO_DEFAULT_FIELDS,
    OPT_OUT,
};

/* Sorted by long name. */
static const cli_opt redact_opts[] = {
    {"config", OPT_CONFIG, "FILE", "settings from FILE's logs.redact section (default: ./.slsec.yml if present)"},
    {"fail-closed", OPT_FAIL_CLOSED, NULL, "drop a line longer than --max-line (counted in the summary)"},
    {"fail-open", OPT_FAIL_OPEN, NULL, "pass a longer line through, masked piece by piece as far as scanned (default)"},
    {"field", OPT_FIELD, "NAME", "also mask the value of JSON field NAME, whatever it holds (repeatable)"},
    {"format", 'f', "FORMAT", "summary on stderr: text (default) or json"},
    {"help", 'h', NULL, "show this help and exit"},
    {"in", OPT_IN, "PATH", "input file or folder (repeatable; same as an operand)"},
    {"ip", OPT_IP, NULL, "also mask IPv4 and IPv6 addresses"},
    {"key-file", OPT_KEY_FILE, "FILE", "the HMAC key for --mode hash (at least 16 bytes)"},
    {"line-buffered", OPT_LINE_BUFFERED, NULL, "flush after every line (default when stdout is a terminal)"},
    {"max-line", OPT_MAX_LINE, "BYTES", "longest line scanned whole (default 1048576)"},
    {"mode", OPT_MODE, "MODE", "mask (default): [REDACTED:type]; hash: keyed token; partial: last 4 characters"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry: redact output has no colour"},
    {"no-config", OPT_NO_CONFIG, NULL, "read no configuration file"},
    {"no-default-fields", OPT_NO_DEFAULT_FIELDS, NULL, "mask only the fields named with --field"},
    {"out", OPT_OUT, "PATH", "output file, or folder mirroring the inputs (.gz names are compressed)"},
    {"output", 'o', "FILE", "write everything to FILE (replaced atomically)"},
    {"quiet", 'q', NULL, "no summary"},
};

typedef struct redact_args {
    slsec_redact_options ro;
    const char *format, *key_file, *out, *output;
    const char **fields;
    size_t nfields;
    const char *config;
    bool no_defaults, quiet, line_buffered, no_config;
    bool mode_set, fail_set, max_line_set; /* given on the command line: the configuration does not override */
    logs_inputs in;
} redact_args;

/* A destination: a stdio stream or a gzip stream, written through a
 * temporary file next to the final name. */
typedef struct sink {
    FILE *fp;
    gzFile gz;
    char *tmp, *dest;
    bool flush_lines, failed;
} sink;

static int sink_write(const char *data, size_t len, void *user)
{
    sink *s = user;
    if (s->gz) {
        while (len > 0) {
            unsigned n = len > (1u << 30) ? 1u << 30 : (unsigned)len;
            if (gzwrite(s->gz, data, n) != (int)n)
                return s->failed = true, -1;
            data += n;
            len -= n;
        }
        return 0;
    }
    if (fwrite(data, 1, len, s->fp) != len)
        return s->failed = true, -1;
    if (s->flush_lines && fflush(s->fp) != 0)
        return s->failed = true, -1;
    return 0;
}

/* The redactor hands over a whole batch (256 KiB and more) or, line-
 * buffered, a whole line at a time: each is best one write(). A stdio
 * buffer would split every batch into a write of whole buffer blocks and
 * one of the rest. */
static void unbuffered(FILE *fp) { setvbuf(fp, NULL, _IONBF, 0); }

static bool has_gz_suffix(const char *p) { return slsec_str_has_suffix(p, ".gz"); }

static int make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p)
        slsec_oom();
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    free(p);
    return 0;
}

static int sink_open(sink *s, const cli_command *cmd, const char *dest, bool flush_lines)
{
    memset(s, 0, sizeof *s);
    s->flush_lines = flush_lines;
    if (!dest || strcmp(dest, "-") == 0) {
        s->fp = stdout;
        unbuffered(s->fp);
        return 0;
    }
    if (make_parents(dest) != 0) {
        fprintf(stderr, "slsec %s: cannot create the folder of %s: %s\n", cmd->name, dest, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    size_t n = strlen(dest) + 16;
    s->tmp = malloc(n);
    s->dest = strdup(dest);
    if (!s->tmp || !s->dest)
        slsec_oom();
    snprintf(s->tmp, n, "%s.tmp-XXXXXX", dest);
    int fd = mkstemp(s->tmp);
    if (fd < 0) {
        fprintf(stderr, "slsec %s: cannot write %s: %s\n", cmd->name, dest, strerror(errno));
        free(s->tmp);
        free(s->dest);
        s->tmp = s->dest = NULL;
        return CLI_EXIT_USAGE;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        /* only more private than asked */
    }
    if (has_gz_suffix(dest))
        s->gz = gzdopen(fd, "wb6");
    else
        s->fp = fdopen(fd, "w");
    if (!s->gz && !s->fp) {
        close(fd);
        unlink(s->tmp);
        fprintf(stderr, "slsec %s: cannot write %s: out of memory\n", cmd->name, dest);
        return CLI_EXIT_INTERNAL;
    }
    if (s->gz)
        gzbuffer(s->gz, LOGS_READ_BYTES); /* compressed output written 128 KiB at a time, not 8 KiB */
    else
        unbuffered(s->fp);
    return 0;
}

static int sink_close(sink *s, const cli_command *cmd)
{
    int rc = 0;
    if (s->fp == stdout) {
        if (fflush(stdout) != 0 || s->failed) {
            fprintf(stderr, "slsec %s: cannot write standard output: %s\n", cmd->name, strerror(errno));
            rc = CLI_EXIT_INTERNAL;
        }
        return rc;
    }
    bool bad = s->failed;
    if (s->gz)
        bad |= gzclose(s->gz) != Z_OK;
    else if (s->fp)
        bad |= fclose(s->fp) != 0;
    if (!bad && rename(s->tmp, s->dest) != 0)
        bad = true;
    if (bad) {
        unlink(s->tmp);
        fprintf(stderr, "slsec %s: cannot write %s: %s\n", cmd->name, s->dest, strerror(errno ? errno : EIO));
        rc = CLI_EXIT_INTERNAL;
    }
    free(s->tmp);
    free(s->dest);
    memset(s, 0, sizeof *s);
    return rc;
}

static int parse_redact(const cli_command *cmd, int argc, char **argv, redact_args *a)
{
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        long v;
        switch (c) {
        case 'h': cli_help(stdout, cmd); rc = CLI_EXIT_OK; break;
        case 'f': a->format = arg; break;
        case 'o': a->output = arg; break;
        case 'q': a->quiet = true; break;
        case OPT_CONFIG: a->config = arg; break;
        case OPT_NO_CONFIG: a->no_config = true; break;
        case OPT_FAIL_CLOSED: a->ro.fail_closed = true; a->fail_set = true; break;
        case OPT_FAIL_OPEN: a->ro.fail_closed = false; a->fail_set = true; break;
        case OPT_FIELD:
            if (a->nfields == 256) {
                rc = cli_usage(cmd, "--field: at most 256 names");
                break;
            }
            a->fields[a->nfields++] = arg;
            break;
        case OPT_IN: rc = logs_inputs_add(&a->in, cmd, arg) ? CLI_EXIT_USAGE : -1; break;
        case OPT_IP: a->ro.mask_ip = true; break;
        case OPT_KEY_FILE: a->key_file = arg; break;
        case OPT_LINE_BUFFERED: a->line_buffered = true; break;
        case OPT_MAX_LINE:
            if (!slsec_parse_long(arg, &v) || v < 64 || v > (1L << 30))
                rc = cli_usage(cmd, "--max-line: expected a number of bytes from 64 to 1073741824, got '%s'", arg);
            else
                a->ro.max_line = (size_t)v, a->max_line_set = true;
            break;
        case OPT_MODE:
            a->mode_set = true;
            if (strcmp(arg, "mask") == 0)
                a->ro.mode = SLSEC_REDACT_MASK;
            else if (strcmp(arg, "hash") == 0)
                a->ro.mode = SLSEC_REDACT_HASH;
            else if (strcmp(arg, "partial") == 0)
                a->ro.mode = SLSEC_REDACT_PARTIAL;
            else
                rc = cli_usage(cmd, "--mode: expected mask, hash or partial, got '%s'", arg);
            break;
        case OPT_NO_COLOR: break;
        case OPT_NO_DEFAULT_FIELDS: a->no_defaults = true; break;
        case OPT_OUT: a->out = arg; break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    int first = p.next;
    cli_parser_free(&p);
    if (rc >= 0)
        return rc;
    for (int i = first; i < argc; i++)
        if (logs_inputs_add(&a->in, cmd, argv[i]))
            return CLI_EXIT_USAGE;
    if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0)
        return cli_usage(cmd, "--format: expected text or json, got '%s'", a->format);
    if (a->out && a->output)
        return cli_usage(cmd, "--out and --output exclude each other");
    if (a->config && a->no_config)
        return cli_usage(cmd, "--config and --no-config exclude each other");
    return -1;
}

int logs_load_config(const cli_command *cmd, const char *path, bool none, slsec_logs_config *cfg)
{
    struct stat st;
    if (none || (!path && stat(".slsec.yml", &st) != 0)) {
        memset(cfg, 0, sizeof *cfg);
        cfg->default_fields = true;
        slsec_watch_defaults(&cfg->watch);
        return 0;
    }
    slsec_diag d;
    if (slsec_logs_config_load(path ? path : ".slsec.yml", cfg, &d) != SLSEC_OK) {
        cli_print_diag("error", &d);
        slsec_logs_config_free(cfg);
        (void)cmd;
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* The configuration's redact settings under the command line's. */
static int apply_config(const cli_command *cmd, redact_args *a, const slsec_logs_config *cfg)
{
    if (cfg->has_mode && !a->mode_set)
        a->ro.mode = cfg->mode;
    if (cfg->has_ip && cfg->ip)
        a->ro.mask_ip = true;
    if (cfg->has_fail && !a->fail_set)
        a->ro.fail_closed = cfg->fail_closed;
    if (cfg->has_max_line && !a->max_line_set)
        a->ro.max_line = cfg->max_line;
    if (cfg->has_default_fields && !cfg->default_fields)
        a->no_defaults = true;
    for (size_t i = 0; i < cfg->nfields; i++) {
        if (a->nfields == 256)
            return cli_usage(cmd, "more than 256 field names");
        a->fields[a->nfields++] = cfg->fields[i];
    }
    if (a->ro.mode == SLSEC_REDACT_HASH && !a->key_file)
        return cli_usage(cmd, "--mode hash needs --key-file (a secret key of at least 16 bytes)");
    if (a->key_file && a->ro.mode != SLSEC_REDACT_HASH)
        return cli_usage(cmd, "--key-file is only for --mode hash");
    return -1;
}

/* The field list: the defaults (unless --no-default-fields) and --field names. */
static void build_fields(redact_args *a, const char ***out, size_t *n)
{
    size_t nd = 0;
    const char *const *defs = a->no_defaults ? NULL : slsec_redact_default_fields(&nd);
    const char **all = calloc(nd + a->nfields + 1, sizeof *all);
    if (!all)
        slsec_oom();
    for (size_t i = 0; i < nd; i++)
        all[i] = defs[i];
    for (size_t i = 0; i < a->nfields; i++)
        all[nd + i] = a->fields[i];
    *out = all;
    *n = nd + a->nfields;
}

static void print_summary(const cli_command *cmd, const slsec_redactor *r, const char *format, unsigned problems)
{
    const slsec_redact_stats *st = slsec_redactor_stats(r);
    const char *type;
    uint64_t n;
    if (strcmp(format, "json") == 0) {
        fprintf(stderr,
                "{\"lines\":%llu,\"bytes_in\":%llu,\"bytes_out\":%llu,\"masked\":%llu,\"long_lines\":%llu,"
                "\"dropped_lines\":%llu,\"input_problems\":%u,\"by_type\":{",
                (unsigned long long)st->lines, (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
                (unsigned long long)st->masked, (unsigned long long)st->long_lines,
                (unsigned long long)st->dropped_lines, problems);
        bool first = true;
        for (size_t i = 0; slsec_redactor_type_count(r, i, &type, &n); i++)
            if (n) {
                fprintf(stderr, "%s\"%s\":%llu", first ? "" : ",", type, (unsigned long long)n);
                first = false;
            }
        fputs("}}\n", stderr);
        return;
    }
    fprintf(stderr, "slsec %s: %llu lines, %llu values masked", cmd->name, (unsigned long long)st->lines,
            (unsigned long long)st->masked);
    const char *sep = " (";
    for (size_t i = 0; slsec_redactor_type_count(r, i, &type, &n); i++)
        if (n) {
            fprintf(stderr, "%s%s %llu", sep, type, (unsigned long long)n);
            sep = ", ";
        }
    fputs(*sep == ',' ? ")" : "", stderr);
    if (st->long_lines)
        fprintf(stderr, "; %llu lines longer than the limit%s", (unsigned long long)st->long_lines,
                st->dropped_lines ? " dropped (--fail-closed)" : " masked as far as scanned (--fail-open)");
    if (problems)
        fprintf(stderr, "; %u input%s could not be read whole", problems, problems == 1 ? "" : "s");
    fputc('\n', stderr);
}

typedef struct redact_feed {
    slsec_redactor *r;
    bool write_failed;
} redact_feed;

static int feed_redactor(const char *data, size_t n, void *user)
{
    redact_feed *f = user;
    if (slsec_redactor_feed(f->r, data, n) != SLSEC_OK)
        f->write_failed = true;
    return f->write_failed;
}

/* Feeds one input into the redactor; false when it could not be read whole. */
static bool redact_one(const cli_command *cmd, slsec_redactor *r, const logs_input *in, bool *write_failed)
{
    redact_feed f = {.r = r};
    int rc = logs_read_input(cmd, in->path, feed_redactor, &f);
    if (slsec_redactor_finish(r) != SLSEC_OK || f.write_failed)
        *write_failed = true;
    return rc >= 0;
}

static int run_redact(const cli_command *cmd, int argc, char **argv)
{
    redact_args a = {.format = "text"};
    const char *field_names[256];
    a.fields = field_names;
    int rc = parse_redact(cmd, argc, argv, &a);
    if (rc >= 0) {
        logs_inputs_free(&a.in);
        return rc;
    }
    slsec_logs_config cfg;
    if ((rc = logs_load_config(cmd, a.config, a.no_config, &cfg))) {
        logs_inputs_free(&a.in);
        return rc;
    }
    rc = apply_config(cmd, &a, &cfg);
    if (rc >= 0) {
        slsec_logs_config_free(&cfg);
        logs_inputs_free(&a.in);
        return rc;
    }
    if (a.in.count == 0)
        logs_inputs_add(&a.in, cmd, "-");
    struct stat st;
    bool out_dir = a.out && ((stat(a.out, &st) == 0 && S_ISDIR(st.st_mode)) || slsec_str_has_suffix(a.out, "/") ||
                             a.in.count > 1);
    if (a.out && !out_dir && a.in.count > 1) {
        slsec_logs_config_free(&cfg);
        logs_inputs_free(&a.in);
        return cli_usage(cmd, "--out %s: several inputs need an output folder", a.out);
    }
    char *key = NULL;
    size_t key_len = 0;
    slsec_diag d;
    if (a.key_file && slsec_read_file(a.key_file, 4096, &key, &key_len, &d) != SLSEC_OK) {
        cli_print_diag("error", &d);
        slsec_logs_config_free(&cfg);
        logs_inputs_free(&a.in);
        return CLI_EXIT_USAGE;
    }
    while (key_len > 0 && (key[key_len - 1] == '\n' || key[key_len - 1] == '\r'))
        key_len--;
    a.ro.key = (const unsigned char *)key;
    a.ro.key_len = key_len;
    const char **fields;
    build_fields(&a, &fields, &a.ro.nfields);
    a.ro.fields = fields;
    bool interactive = a.line_buffered || (!a.out && !a.output && isatty(STDOUT_FILENO));
    a.ro.line_at_a_time = interactive;

    sink s;
    slsec_redactor *r = slsec_redactor_new(&a.ro, sink_write, &s, &d);
    if (key) {
        memset(key, 0, key_len);
        free(key);
    }
    free(fields);
    if (!r) {
        cli_print_diag("error", &d);
        slsec_logs_config_free(&cfg);
        logs_inputs_free(&a.in);
        return CLI_EXIT_USAGE;
    }
    unsigned problems = 0;
    bool write_failed = false;
    rc = 0;
    if (!out_dir) {
        const char *dest = a.output ? a.output : a.out;
        rc = sink_open(&s, cmd, dest, interactive);
        for (size_t i = 0; !rc && i < a.in.count && !write_failed; i++)
            problems += !redact_one(cmd, r, &a.in.items[i], &write_failed);
        if (!rc) {
            int c = sink_close(&s, cmd);
            if (write_failed || c)
                rc = CLI_EXIT_INTERNAL;
        }
    } else {
        for (size_t i = 0; !rc && i < a.in.count; i++) {
            size_t n = strlen(a.out) + strlen(a.in.items[i].rel) + 2;
            char *dest = malloc(n);
            if (!dest)
                slsec_oom();
            snprintf(dest, n, "%s%s%s", a.out, slsec_str_has_suffix(a.out, "/") ? "" : "/", a.in.items[i].rel);
            rc = sink_open(&s, cmd, dest, false);
            if (!rc) {
                problems += !redact_one(cmd, r, &a.in.items[i], &write_failed);
                if (sink_close(&s, cmd) || write_failed)
                    rc = CLI_EXIT_INTERNAL;
            }
            free(dest);
        }
    }
    if (!a.quiet)
        print_summary(cmd, r, a.format, problems);
    slsec_redactor_free(r);
    slsec_logs_config_free(&cfg);
    logs_inputs_free(&a.in);
    if (rc)
        return rc;
    return problems ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

const cli_command cli_cmd_logs_redact = {
    .name = "logs redact",
    .operands = "[FILE|FOLDER|-]...",
    .summary = "mask secrets and personal data in logs, byte for byte otherwise",
    .description =
        "Copies the inputs (default: standard input) to the output with every secret and piece of personal "
        "data the detector table recognises replaced by [REDACTED:type]: cloud keys and tokens, passwords in "
        "URLs and assignments, JWTs, bearer and basic Authorization values, emails, card numbers (Luhn), "
        "IBANs (mod 97), US SSNs, phone numbers, IP addresses with --ip, and the values of JSON fields named "
        "password, secret, token, authorization, cookie, set-cookie, ssn, card and others (--field adds "
        "names). Nothing else changes: no line is added, dropped, joined or reordered, invalid UTF-8 passes "
        "through. gzip inputs are recognised by content. A summary of what was masked (never the values) "
        "goes to standard error. Exit: 0 done, 2 bad usage or an unreadable input, 3 output not written.",
    .opts = redact_opts,
    .nopts = sizeof redact_opts / sizeof redact_opts[0],
    .run = run_redact,
};

/* ---- the dispatcher ------------------------------------------------------------------------ */

static const cli_command *const subcommands[] = {&cli_cmd_logs_redact, &cli_cmd_logs_stats, &cli_cmd_logs_watch};

static const cli_opt logs_opts[] = {
    {"help", 'h', NULL, "show this help and exit"},
};

static void logs_help(FILE *out)
{
    fputs("usage: slsec logs SUBCOMMAND [OPTIONS] [FILE|FOLDER|-]...\n\n"
          "Log streams: redaction of secrets and personal data, Lambda metrics and alerts.\n\n"
          "subcommands:\n",
          out);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-8s %s\n", subcommands[i]->name + 5, subcommands[i]->summary);
    fputs("\n'slsec logs SUBCOMMAND --help' lists a subcommand's options.\n", out);
}

static int run_logs(const cli_command *cmd, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc < 2) {
            logs_help(stderr);
            return CLI_EXIT_USAGE;
        }
        logs_help(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(subcommands[i]->name + 5, argv[1]) == 0)
            return subcommands[i]->run(subcommands[i], argc - 1, argv + 1);
    return cli_usage(cmd, "unknown subcommand '%s' (redact, stats, watch)", argv[1]);
}

const cli_command cli_cmd_logs = {
    .name = "logs",
    .operands = "SUBCOMMAND ...",
    .summary = "redact secrets and personal data from logs; Lambda metrics and alerts (redact, stats, watch)",
    .description = "Runs a logs subcommand: redact, stats or watch. 'slsec logs SUBCOMMAND --help' for each.",
    .opts = logs_opts,
    .nopts = sizeof logs_opts / sizeof logs_opts[0],
    .run = run_logs,
};
