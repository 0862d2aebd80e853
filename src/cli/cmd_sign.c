/*
 * cmd_sign.c — `slsec keygen`, `sign`, `verify`, `attest` and
 * `verify-attestation`: minisign-compatible signatures on deployment
 * packages and signed SLSA provenance for them (library: slsec/sign.h).
 *
 * The five commands share one argument struct and one option loop; each
 * has its own option table, so getopt accepts only what that command
 * documents. Passwords come from -W (none), --password-file, the
 * SLSEC_PASSWORD variable, or a prompt on /dev/tty with echo off — in that
 * order — and are wiped after use.
 *
 * Exit codes: 0 done or verified; 1 a signature or attestation was checked
 * and failed (the message says which check); 2 unusable input (unreadable
 * or malformed file, wrong password, bad usage); 3 internal error.
 */
#include "cli.h"

#include "slsec/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum {
    OPT_BUILD_TYPE = 256,
    OPT_BUILDER_ID,
    OPT_LEGACY,
    OPT_NO_COLOR,
    OPT_PARAM,
    OPT_PASSWORD_FILE,
    OPT_SIGSTORE,
    OPT_SOURCE,
};

#define O_HELP {"help", 'h', NULL, "show this help and exit"}
#define O_QUIET {"quiet", 'q', NULL, "print nothing but errors"}
#define O_PWFILE {"password-file", OPT_PASSWORD_FILE, "FILE", "read the password from the first line of FILE"}

/* Sorted by long name. */
static const cli_opt keygen_opts[] = {
    {"force", 'f', NULL, "replace existing key files"},
    O_HELP,
    {"no-password", 'W', NULL, "write an unencrypted secret key (minisign -W)"},
    O_PWFILE,
    {"public-key", 'p', "FILE", "public key file to write (default: slsec.pub)"},
    O_QUIET,
    {"secret-key", 's', "FILE", "secret key file to write, mode 0600 (default: slsec.key)"},
};

#define O_PEM {"key", 'k', "PEM", "ECDSA P-256 private key in PEM, for --sigstore-bundle"}
#define O_SIGSTORE(what) {"sigstore-bundle", OPT_SIGSTORE, NULL, "write a Sigstore bundle v0.3 signed with -k (" what ")"}

static const cli_opt sign_opts[] = {
    O_HELP,
    O_PEM,
    O_PWFILE,
    O_QUIET,
    {"secret-key", 's', "FILE", "the minisign-format secret key (required without --sigstore-bundle)"},
    {"signature", 'x', "FILE", "signature file to write (default: FILE.minisig; one FILE only)"},
    O_SIGSTORE("FILE.sigstore.json, messageSignature"),
    {"trusted-comment", 't', "TEXT", "signed comment (default: timestamp:<now>\\tfile:<name>\\thashed)"},
    {"untrusted-comment", 'c', "TEXT", "unsigned comment on the first line"},
};

static const cli_opt verify_opts[] = {
    {"format", 'f', "FORMAT", "output: text or json (default: text)"},
    O_HELP,
    {"legacy", OPT_LEGACY, NULL, "also accept legacy non-prehashed ('Ed') signatures"},
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry; verify output has no colour"},
    {"output", 'o', "FILE", "write the result to FILE (replaced atomically)"},
    {"public-key", 'p', "FILE", "the minisign public key file"},
    {"public-key-string", 'P', "KEY", "the public key as its base64 line (minisign -P)"},
    O_QUIET,
    {"signature", 'x', "FILE", "signature file (default: FILE.minisig)"},
};

static const cli_opt attest_opts[] = {
    {"build-type", OPT_BUILD_TYPE, "URI", "buildDefinition.buildType (required)"},
    {"builder-id", OPT_BUILDER_ID, "URI", "runDetails.builder.id (required)"},
    O_HELP,
    O_PEM,
    {"output", 'o', "FILE", "envelope to write (default: FILE.intoto.jsonl)"},
    {"param", OPT_PARAM, "KEY=VALUE", "an externalParameters entry (repeatable)"},
    O_PWFILE,
    O_QUIET,
    {"secret-key", 's', "FILE", "the minisign-format secret key (required without --sigstore-bundle)"},
    O_SIGSTORE("FILE.intoto.sigstore.json, dsseEnvelope"),
    {"source", OPT_SOURCE, "DIR", "folder whose lockfiles become resolvedDependencies"},
};

static const cli_opt vatt_opts[] = {
    {"attestation", 'a', "FILE", "the envelope (default: FILE.intoto.jsonl)"},
    {"build-type", OPT_BUILD_TYPE, "URI", "require this buildDefinition.buildType"},
    {"builder-id", OPT_BUILDER_ID, "URI", "require this runDetails.builder.id"},
    {"format", 'f', "FORMAT", "output: text or json (default: text)"},
    O_HELP,
    {"no-color", OPT_NO_COLOR, NULL, "accepted for symmetry; output has no colour"},
    {"output", 'o', "FILE", "write the result to FILE (replaced atomically)"},
    {"public-key", 'p', "FILE", "the minisign public key file"},
    {"public-key-string", 'P', "KEY", "the public key as its base64 line"},
    O_QUIET,
};

typedef struct sign_args {
    const char *pub, *pub_string, *sec, *pwfile, *sig, *trusted, *untrusted, *format, *output;
    const char *builder_id, *build_type, *source, *attestation, *pem;
    const char *params[64];
    size_t nparams;
    bool force, no_password, quiet, legacy, sigstore;
    int first; /* first operand */
} sign_args;

/* Parses the options every sign command may have. Returns -1 to go on, or an exit code. */
static int parse_args(const cli_command *cmd, int argc, char **argv, sign_args *a)
{
    cli_parser p;
    memset(a, 0, sizeof *a);
    a->format = "text";
    cli_parser_init(&p, cmd, argc, argv);
    int rc = -1;
    while (rc < 0) {
        const char *arg;
        int c = cli_next(&p, &arg);
        if (c == CLI_OPT_END)
            break;
        switch (c) {
        case 'h': cli_help(stdout, cmd); rc = CLI_EXIT_OK; break;
        case 'a': a->attestation = arg; break;
        case 'c': a->untrusted = arg; break;
        case 'k': a->pem = arg; break;
        case 'f':
            if (cmd->opts == keygen_opts) {
                a->force = true;
                break;
            }
            a->format = arg;
            if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0)
                rc = cli_usage(cmd, "unknown format '%s' (expected text or json)", arg);
            break;
        case 'o': a->output = arg; break;
        case 'p': a->pub = arg; break;
        case 'P': a->pub_string = arg; break;
        case 'q': a->quiet = true; break;
        case 's': a->sec = arg; break;
        case 't': a->trusted = arg; break;
        case 'W': a->no_password = true; break;
        case 'x': a->sig = arg; break;
        case OPT_BUILD_TYPE: a->build_type = arg; break;
        case OPT_BUILDER_ID: a->builder_id = arg; break;
        case OPT_LEGACY: a->legacy = true; break;
        case OPT_NO_COLOR: break;
        case OPT_PASSWORD_FILE: a->pwfile = arg; break;
        case OPT_SOURCE: a->source = arg; break;
        case OPT_SIGSTORE: a->sigstore = true; break;
        case OPT_PARAM:
            if (a->nparams == sizeof a->params / sizeof a->params[0])
                rc = cli_usage(cmd, "at most %zu --param options", a->nparams);
            else
                a->params[a->nparams++] = arg;
            break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    a->first = p.next;
    cli_parser_free(&p);
    return rc;
}

static int exit_code(int rc)
{
    return rc == SLSEC_OK ? CLI_EXIT_OK
           : rc == SLSEC_SIGN_BAD ? CLI_EXIT_FINDINGS
           : rc == SLSEC_EINTERNAL ? CLI_EXIT_INTERNAL
                                   : CLI_EXIT_USAGE;
}

static int fail(int rc, const slsec_diag *d)
{
    cli_print_diag(rc == SLSEC_SIGN_BAD ? "verification failed" : "error", d);
    return exit_code(rc);
}

/* ---- passwords ------------------------------------------------------------------------- */

enum { PW_MAX = 1024 };

static void chomp(char *s)
{
    s[strcspn(s, "\r\n")] = '\0';
}

/* Reads one line from the terminal with echo off. */
static bool prompt_tty(const char *prompt, char *out)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return false;
    struct termios old, quiet;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    ssize_t w = write(fd, prompt, strlen(prompt));
    (void)w;
    size_t n = 0;
    char c;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n')
            break;
        if (n + 1 < PW_MAX)
            out[n++] = c;
    }
    out[n] = '\0';
    chomp(out);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    w = write(fd, "\n", 1);
    close(fd);
    return true;
}

/* Fills pw (PW_MAX bytes). Returns -1 on success, or an exit code after a message. */
static int get_password(const cli_command *cmd, const sign_args *a, bool confirm, char *pw)
{
    const char *env = getenv("SLSEC_PASSWORD");
    if (a->pwfile) {
        FILE *fp = fopen(a->pwfile, "r");
        if (!fp || !fgets(pw, PW_MAX, fp)) {
            if (fp)
                fclose(fp);
            pw[0] = '\0';
            fprintf(stderr, "slsec: error: %s: cannot read a password from it\n", a->pwfile);
            return CLI_EXIT_USAGE;
        }
        fclose(fp);
        chomp(pw);
    } else if (env) {
        snprintf(pw, PW_MAX, "%s", env);
    } else {
        char again[PW_MAX];
        if (!prompt_tty("Password: ", pw))
            return cli_usage(cmd, "no terminal to ask for a password: use --password-file, SLSEC_PASSWORD%s",
                             confirm ? " or -W for none" : "");
        if (confirm) {
            prompt_tty("Password (again): ", again);
            bool same = strcmp(pw, again) == 0;
            OPENSSL_cleanse(again, sizeof again);
            if (!same) {
                fprintf(stderr, "slsec: error: the passwords differ\n");
                return CLI_EXIT_USAGE;
            }
        }
    }
    if (confirm && !pw[0]) {
        fprintf(stderr, "slsec: error: empty password: use -W for an unencrypted key\n");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

static int load_secret(const cli_command *cmd, const sign_args *a, slsec_seckey *key)
{
    slsec_diag d;
    bool enc = false;
    if (!a->sec)
        return cli_usage(cmd, "name the secret key with -s FILE");
    int rc = slsec_seckey_file_encrypted(a->sec, &enc, &d);
    if (rc != SLSEC_OK)
        return fail(rc, &d);
    char pw[PW_MAX] = "";
    if (enc && (rc = get_password(cmd, a, false, pw)) >= 0)
        return rc;
    rc = slsec_seckey_load(a->sec, enc ? pw : NULL, key, &d);
    OPENSSL_cleanse(pw, sizeof pw);
    return rc == SLSEC_OK ? -1 : fail(rc, &d);
}

static int load_public(const cli_command *cmd, const sign_args *a, slsec_pubkey *key)
{
    slsec_diag d;
    int rc;
    if (a->pub_string)
        rc = slsec_pubkey_parse(a->pub_string, strlen(a->pub_string), "--public-key-string", key, &d);
    else if (a->pub)
        rc = slsec_pubkey_load(a->pub, key, &d);
    else
        return cli_usage(cmd, "name the public key with -p FILE or -P KEY");
    return rc == SLSEC_OK ? -1 : fail(rc, &d);
}

/* `FILE` + suffix, for default signature and envelope names. */
static char *with_suffix(const char *file, const char *suffix)
{
    size_t n = strlen(file) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (!s)
        abort();
    snprintf(s, n, "%s%s", file, suffix);
    return s;
}

/* ---- keygen ------------------------------------------------------------------------------ */

static int run_keygen(const cli_command *cmd, int argc, char **argv)
{
    sign_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (a.first < argc)
        return cli_usage(cmd, "keygen takes no operand, found '%s'", argv[a.first]);
    const char *pub = a.pub ? a.pub : "slsec.pub", *sec = a.sec ? a.sec : "slsec.key";
    char pw[PW_MAX] = "";
    if (!a.no_password && (rc = get_password(cmd, &a, true, pw)) >= 0)
        return rc;
    slsec_diag d;
    slsec_pubkey pk;
    rc = slsec_keygen(pub, sec, a.no_password ? NULL : pw, a.force, &pk, &d);
    OPENSSL_cleanse(pw, sizeof pw);
    if (rc != SLSEC_OK)
        return fail(rc, &d);
    if (!a.quiet) {
        char id[17];
        slsec_keyid_hex(pk.keyid, id);
        printf("key %s: secret key %s (keep it secret), public key %s\n", id, sec, pub);
    }
    return CLI_EXIT_OK;
}

/* ---- sign ------------------------------------------------------------------------------- */

static int run_sign(const cli_command *cmd, int argc, char **argv)
{
    sign_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (a.first >= argc)
        return cli_usage(cmd, "name at least one file to sign");
    if (a.sig && argc - a.first > 1)
        return cli_usage(cmd, "--signature names one file: sign one FILE at a time with it");
    if (a.sigstore != (a.pem != NULL))
        return cli_usage(cmd, "--sigstore-bundle and -k PEM go together");
    slsec_seckey key = {0};
    if (!a.sigstore && (rc = load_secret(cmd, &a, &key)) >= 0)
        return rc;
    rc = CLI_EXIT_OK;
    for (int i = a.first; i < argc && rc == CLI_EXIT_OK; i++) {
        char *sig = a.sig ? NULL : with_suffix(argv[i], a.sigstore ? ".sigstore.json" : ".minisig");
        slsec_diag d;
        int src = a.sigstore ? slsec_sigstore_sign_file(a.pem, argv[i], a.sig ? a.sig : sig, &d)
                             : slsec_sign_file(&key, argv[i], a.sig ? a.sig : sig, a.trusted, a.untrusted, &d);
        if (src != SLSEC_OK)
            rc = fail(src, &d);
        else if (!a.quiet)
            printf("signed %s: %s\n", argv[i], a.sig ? a.sig : sig);
        free(sig);
    }
    OPENSSL_cleanse(&key, sizeof key);
    return rc;
}

/* ---- verify ------------------------------------------------------------------------------ */

/* Prints the result of a check (text or JSON) to -o or stdout. */
static int report(const cli_command *cmd, const sign_args *a, int vrc, const slsec_diag *d, json_t *extra,
                  const char *text)
{
    int code = exit_code(vrc);
    if (vrc != SLSEC_OK)
        fail(vrc, d);
    cli_output out;
    int orc = cli_output_open(&out, cmd, a->output);
    if (orc != 0) {
        json_decref(extra);
        return orc;
    }
    if (!strcmp(a->format, "json")) {
        json_object_set_new(extra, "verified", json_boolean(vrc == SLSEC_OK));
        if (vrc != SLSEC_OK)
            json_object_set_new(extra, "error", json_string(d->message));
        json_dumpf(extra, out.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', out.fp);
    } else if (vrc == SLSEC_OK && (!a->quiet || !out.is_stdout)) {
        fputs(text, out.fp);
    }
    json_decref(extra);
    /* A failed check in text has nothing to report: no empty file is left. */
    orc = cli_output_close(&out, vrc == SLSEC_OK || !strcmp(a->format, "json"));
    return orc ? orc : code;
}

static int run_verify(const cli_command *cmd, int argc, char **argv)
{
    sign_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (argc - a.first != 1)
        return cli_usage(cmd, "name exactly one file to verify");
    slsec_pubkey key;
    if ((rc = load_public(cmd, &a, &key)) >= 0)
        return rc;
    const char *file = argv[a.first];
    char *sig = a.sig ? NULL : with_suffix(file, ".minisig");
    const char *sig_path = a.sig ? a.sig : sig;
    char *trusted = malloc(SLSEC_MAX_TRUSTED_COMMENT + 1);
    if (!trusted)
        abort();
    trusted[0] = '\0';
    slsec_diag d;
    int vrc = slsec_verify_file(&key, file, sig_path, a.legacy, trusted, &d);
    char id[17];
    slsec_keyid_hex(key.keyid, id);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "file", file, "signature", sig_path, "key_id", id,
                          "trusted_comment", vrc == SLSEC_OK ? trusted : "");
    char *text = NULL;
    size_t tn = strlen(trusted) + 128;
    text = malloc(tn);
    if (!text)
        abort();
    snprintf(text, tn, "Signature and comment signature verified\nTrusted comment: %s\n", trusted);
    rc = report(cmd, &a, vrc, &d, j, text);
    free(text);
    free(trusted);
    free(sig);
    return rc;
}

/* ---- attest -------------------------------------------------------------------------------- */

static int run_attest(const cli_command *cmd, int argc, char **argv)
{
    sign_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (argc - a.first != 1)
        return cli_usage(cmd, "name exactly one file to attest");
    if (!a.builder_id || !a.build_type)
        return cli_usage(cmd, "--builder-id and --build-type are required");
    if (a.sigstore != (a.pem != NULL))
        return cli_usage(cmd, "--sigstore-bundle and -k PEM go together");
    slsec_seckey key = {0};
    if (!a.sigstore && (rc = load_secret(cmd, &a, &key)) >= 0)
        return rc;
    const char *file = argv[a.first];
    char *def = a.output ? NULL : with_suffix(file, a.sigstore ? ".intoto.sigstore.json" : ".intoto.jsonl");
    slsec_attest_opts o = {.builder_id = a.builder_id,
                           .build_type = a.build_type,
                           .source = a.source,
                           .params = a.params,
                           .nparams = a.nparams};
    slsec_diag d;
    int arc = a.sigstore ? slsec_sigstore_attest_file(a.pem, file, a.output ? a.output : def, &o, &d)
                         : slsec_attest_file(&key, file, a.output ? a.output : def, &o, &d);
    OPENSSL_cleanse(&key, sizeof key);
    if (arc != SLSEC_OK)
        rc = fail(arc, &d);
    else {
        rc = CLI_EXIT_OK;
        if (!a.quiet)
            printf("attested %s: %s\n", file, a.output ? a.output : def);
    }
    free(def);
    return rc;
}

static int run_verify_attestation(const cli_command *cmd, int argc, char **argv)
{
    sign_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (argc - a.first != 1)
        return cli_usage(cmd, "name exactly one file");
    slsec_pubkey key;
    if ((rc = load_public(cmd, &a, &key)) >= 0)
        return rc;
    const char *file = argv[a.first];
    char *def = a.attestation ? NULL : with_suffix(file, ".intoto.jsonl");
    const char *att = a.attestation ? a.attestation : def;
    slsec_attest_expect e = {.builder_id = a.builder_id, .build_type = a.build_type};
    char builder[512] = "", btype[512] = "";
    slsec_diag d;
    int vrc = slsec_attest_verify(&key, file, att, &e, builder, btype, &d);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "file", file, "attestation", att, "builder_id", builder,
                          "build_type", btype);
    char text[1200];
    snprintf(text, sizeof text, "Attestation verified\nBuilder: %s\nBuild type: %s\n", builder, btype);
    rc = report(cmd, &a, vrc, &d, j, text);
    free(def);
    return rc;
}

#define N(t) (sizeof t / sizeof t[0])

const cli_command cli_cmd_keygen = {
    "keygen", "", "make a minisign-compatible signing key pair",
    "Writes an Ed25519 key pair in minisign's format: the public key, and the secret key (mode 0600) "
    "encrypted with scrypt unless -W. The password comes from --password-file, SLSEC_PASSWORD, or a "
    "prompt on the terminal.",
    keygen_opts, N(keygen_opts), run_keygen,
};

const cli_command cli_cmd_sign = {
    "sign", "FILE...", "sign files (minisign-compatible FILE.minisig)",
    "Signs each FILE with a minisign-format secret key, writing FILE.minisig: the prehashed Ed25519 "
    "signature of the file's BLAKE2b-512 digest and a signed trusted comment. `minisign -V` verifies it.",
    sign_opts, N(sign_opts), run_sign,
};

const cli_command cli_cmd_verify = {
    "verify", "FILE", "check a file's minisign signature",
    "Checks FILE.minisig (or -x) against FILE and a minisign public key, and prints the trusted comment. "
    "Exit 1 when a check fails (key id, file signature or trusted comment signature), 2 when a file is "
    "unusable.",
    verify_opts, N(verify_opts), run_verify,
};

const cli_command cli_cmd_attest = {
    "attest", "FILE", "write signed SLSA provenance for a file (DSSE)",
    "Writes FILE.intoto.jsonl: a DSSE envelope holding an in-toto Statement v1 whose subject is FILE "
    "(name and sha256) and whose predicate is SLSA Provenance v1, signed with a minisign-format key.",
    attest_opts, N(attest_opts), run_attest,
};

const cli_command cli_cmd_verify_attestation = {
    "verify-attestation", "FILE", "check a file's signed provenance",
    "Checks the DSSE envelope's signature, that a subject's sha256 is FILE's, and the --builder-id and "
    "--build-type expectations. Exit 1 when a check fails, saying which.",
    vatt_opts, N(vatt_opts), run_verify_attestation,
};
