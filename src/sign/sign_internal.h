/*
 * sign_internal.h — what the files of src/sign share and nothing else sees:
 * a small BLAKE2b (OpenSSL 3.0 only offers the fixed 512-bit digest, and
 * minisign's secret-key checksum is BLAKE2b-256), Ed25519 helpers over
 * OpenSSL EVP, and file-writing helpers.
 */
#ifndef SLSEC_SIGN_INTERNAL_H
#define SLSEC_SIGN_INTERNAL_H

#include "slsec/sign.h"

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

typedef struct blake2b_ctx {
    uint64_t h[8];
    uint64_t t[2];
    uint8_t buf[128];
    size_t buflen;
    size_t outlen;
} blake2b_ctx;

/* Unkeyed BLAKE2b with a 1..64-byte digest (RFC 7693). */
void blake2b_init(blake2b_ctx *c, size_t outlen);
void blake2b_update(blake2b_ctx *c, const void *data, size_t len);
void blake2b_final(blake2b_ctx *c, uint8_t *out);

/* Ed25519 over OpenSSL: sk is seed||pk (64 bytes). Return false on failure. */
bool sign_ed25519(const uint8_t sk[64], const void *msg, size_t len, uint8_t sig[64]);
bool sign_ed25519_verify(const uint8_t pk[32], const void *msg, size_t len, const uint8_t sig[64]);

/* Writes data to path through a temporary file renamed over it, mode `mode`;
 * an existing file is refused unless overwrite. */
int sign_write_file(const char *path, const void *data, size_t len, unsigned mode, bool overwrite,
                    slsec_diag *d);

/* Reads a small text file (key, signature, envelope), refusing folders and
 * anything over SLSEC_MAX_SIGFILE_BYTES. */
int sign_read_small(const char *path, char **data, size_t *len, slsec_diag *d);

/* Writes a JSON document (consumed) and a newline to path, 0644, atomically. */
typedef struct json_t json_t;
int sign_write_json(json_t *j, size_t flags, const char *out_path, slsec_diag *d);

/* Opens a regular file for streaming; folders and devices get a message. */
FILE *sign_open_artifact(const char *file, slsec_diag *d);

/* The in-toto Statement for `file` as compact JSON (heap, free()). */
#define SIGN_DSSE_TYPE "application/vnd.in-toto+json"
int sign_attest_statement(const char *file, const slsec_attest_opts *o, char **payload, slsec_diag *d);

#endif
