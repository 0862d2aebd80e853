/*
 * cmd_logs.h — what the `slsec logs` subcommands share: the dispatcher's
 * table and the list of inputs (files, folders walked in name order, "-"
 * for standard input), each read by logs_read_input: gzip is recognised
 * by its bytes, not its name.
 */
#ifndef SLSEC_CMD_LOGS_H
#define SLSEC_CMD_LOGS_H

#include "cli.h"

#include "slsec/logs.h"

extern const cli_command cli_cmd_logs_redact, cli_cmd_logs_stats, cli_cmd_logs_watch;

typedef struct logs_input {
    char *path; /* as given or found; "-" is standard input */
    char *rel;  /* relative to the folder it was found in (its base name for a file operand) */
    char *root; /* that folder's own name ("" for a file operand): the function of a flat folder */
} logs_input;

typedef struct logs_inputs {
    logs_input *items;
    size_t count, cap;
} logs_inputs;

/* Adds a file, or a folder's regular files (recursively, sorted, hidden
 * entries and symbolic links skipped). Returns 0, or CLI_EXIT_USAGE after
 * a message naming the path. */
int logs_inputs_add(logs_inputs *in, const cli_command *cmd, const char *path);
void logs_inputs_free(logs_inputs *in);

/* What the logs commands read at a time: small enough that the buffer
 * stays in the CPU cache between reads (the kernel's copy into a cold
 * 1 MiB buffer took a quarter of `logs redact`'s CPU time in perf),
 * large enough that system calls do not count. zlib reads straight into
 * a buffer this size, without a copy of its own. */
#define LOGS_READ_BYTES (128u * 1024u)

/* Receives an input's bytes in order; non-zero stops the reading. */
typedef int (*logs_chunk_fn)(const char *data, size_t n, void *user);

/* Reads one input ("-": standard input, from its current offset) whole
 * into fn, LOGS_READ_BYTES at a time through zlib, so gzip is recognised by
 * its bytes and anything else passes as it is. Returns 0 when read whole,
 * 1 when fn stopped it, -1 after a message naming the input (unreadable, a
 * gzip that ends early). */
int logs_read_input(const cli_command *cmd, const char *path, logs_chunk_fn fn, void *user);

/* Loads --config FILE, else ./.slsec.yml when there is one, unless
 * --no-config (then every default). Returns 0, or CLI_EXIT_USAGE after a
 * message naming file:line:col. cfg is freed with slsec_logs_config_free. */
int logs_load_config(const cli_command *cmd, const char *path, bool none, slsec_logs_config *cfg);

#endif
