/*
 * slsec/sign.h — signed deployment packages: minisign-compatible keys and
 * signatures, and DSSE provenance attestations signed with the same keys.
 *
 * Files are byte-compatible with minisign (https://jedisct1.github.io/minisign/):
 * a public key is base64("Ed" || key id[8] || Ed25519 public key[32]); a
 * secret key is base64("Ed" || kdf "Sc" or 0,0 || "B2" || salt[32] ||
 * opslimit[8] || memlimit[8] || (key id[8] || secret[64] || BLAKE2b-256
 * checksum[32]) XOR scrypt(password)); a signature file holds an untrusted
 * comment, base64("ED" || key id || Ed25519(BLAKE2b-512(file))), the trusted
 * comment and base64(Ed25519(signature || trusted comment)).
 *
 * Results: SLSEC_OK; SLSEC_SIGN_BAD (positive) when a signature was checked
 * and is wrong — the diag says which check failed; a negative SLSEC_E*
 * code when the input is unusable (unreadable, malformed, wrong password).
 * Secrets are wiped (OPENSSL_cleanse) before their memory is released.
 * Artifacts are streamed, never loaded whole.
 */
#ifndef SLSEC_SIGN_H
#define SLSEC_SIGN_H

#include "slsec/base.h"

#include <stdbool.h>
#include <stdint.h>

enum { SLSEC_SIGN_BAD = 1 };

/* A trusted comment longer than this is refused (minisign's own bound). */
#ifndef SLSEC_MAX_TRUSTED_COMMENT
#define SLSEC_MAX_TRUSTED_COMMENT 8192u
#endif
/* Key, signature and attestation files are small; anything bigger is not one. */
#ifndef SLSEC_MAX_SIGFILE_BYTES
#define SLSEC_MAX_SIGFILE_BYTES (1024u * 1024u)
#endif
/* scrypt memory a secret key may ask for (minisign uses 1 GiB). */
#ifndef SLSEC_MAX_SCRYPT_MEMLIMIT
#define SLSEC_MAX_SCRYPT_MEMLIMIT (2ull * 1024u * 1024u * 1024u)
#endif

typedef struct slsec_pubkey {
    uint8_t keyid[8];
    uint8_t pk[32];
} slsec_pubkey;

typedef struct slsec_seckey {
    uint8_t keyid[8];
    uint8_t sk[64]; /* Ed25519 seed || public key, as libsodium keeps it */
    bool encrypted; /* the file was scrypt-encrypted */
} slsec_seckey;

typedef struct slsec_minisig {
    char untrusted[1025];
    bool legacy; /* "Ed": the signature is over the file itself, not its hash */
    uint8_t keyid[8];
    uint8_t sig[64];
    char trusted[SLSEC_MAX_TRUSTED_COMMENT + 1];
    uint8_t global_sig[64];
} slsec_minisig;

/* The key id as minisign prints it: 16 upper-case hex digits of the
 * little-endian number. */
void slsec_keyid_hex(const uint8_t keyid[8], char out[17]);

/* ---- parsing (pure, on memory; `name` is used in messages) ---------------------- */

/* A public key file, or the bare base64 line (minisign -P). */
int slsec_pubkey_parse(const char *data, size_t len, const char *name, slsec_pubkey *out, slsec_diag *d);
/* A secret key file. An encrypted key needs `password` (NULL fails with a
 * message); a wrong one fails the checksum: SLSEC_EUSAGE. */
int slsec_seckey_parse(const char *data, size_t len, const char *name, const char *password,
                       slsec_seckey *out, slsec_diag *d);
int slsec_minisig_parse(const char *data, size_t len, const char *name, slsec_minisig *out, slsec_diag *d);

/* ---- files ---------------------------------------------------------------------- */

int slsec_pubkey_load(const char *path, slsec_pubkey *out, slsec_diag *d);
int slsec_seckey_load(const char *path, const char *password, slsec_seckey *out, slsec_diag *d);
/* Does the secret key file need a password? (Asks for one only then.) */
int slsec_seckey_file_encrypted(const char *path, bool *encrypted, slsec_diag *d);

/* A new key pair, both files written 0600 then the public one 0644; an
 * existing file is kept unless `force`. password NULL writes an
 * unencrypted secret key (minisign -W). */
int slsec_keygen(const char *pub_path, const char *sec_path, const char *password, bool force,
                 slsec_pubkey *pub_out, slsec_diag *d);

/* Signs `file` into `sig_path` (prehashed "ED" form). trusted NULL means
 * "timestamp:<now>\tfile:<basename>\thashed"; untrusted NULL means
 * "signature from slsec secret key". */
int slsec_sign_file(const slsec_seckey *key, const char *file, const char *sig_path, const char *trusted,
                    const char *untrusted, slsec_diag *d);

/* Checks `sig_path` for `file`. The legacy "Ed" form is accepted only with
 * allow_legacy. On success, trusted_out (if not NULL) receives the trusted
 * comment (at least SLSEC_MAX_TRUSTED_COMMENT + 1 bytes). */
int slsec_verify_file(const slsec_pubkey *key, const char *file, const char *sig_path, bool allow_legacy,
                      char *trusted_out, slsec_diag *d);

/* Writes the BLAKE2b-512 digest of a file (streamed). */
int slsec_blake2b512_file(const char *file, uint8_t out[64], slsec_diag *d);
/* Lower-case hex SHA-256 of a file (streamed), and its size. */
int slsec_sha256_file_hex(const char *file, char out[65], uint64_t *size, slsec_diag *d);

/* ---- provenance (DSSE + in-toto Statement v1 + SLSA Provenance v1) -------------- */

typedef struct slsec_attest_opts {
    const char *builder_id;  /* runDetails.builder.id (required) */
    const char *build_type;  /* buildDefinition.buildType (required) */
    const char *source;      /* folder whose lockfiles become resolvedDependencies, or NULL */
    const char *const *params; /* externalParameters as KEY=VALUE strings */
    size_t nparams;
    long long started_on;    /* Unix seconds, or 0 for "now" */
} slsec_attest_opts;

/* Writes a one-line DSSE envelope (JSON Lines) for `file` to out_path. */
int slsec_attest_file(const slsec_seckey *key, const char *file, const char *out_path,
                      const slsec_attest_opts *o, slsec_diag *d);

typedef struct slsec_attest_expect {
    const char *builder_id; /* NULL: any */
    const char *build_type; /* NULL: any */
} slsec_attest_expect;

/* Checks the envelope signature (by key id), that a subject's sha256 is the
 * file's, and the expectations. builder_out/type_out (may be NULL, 512
 * bytes) receive what the statement says. */
int slsec_attest_verify(const slsec_pubkey *key, const char *file, const char *att_path,
                        const slsec_attest_expect *e, char *builder_out, char *type_out, slsec_diag *d);

/* DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <body>".
 * Returns a heap buffer (free()) and its length. */
unsigned char *slsec_dsse_pae(const char *type, const unsigned char *body, size_t body_len, size_t *out_len);

/* ---- Sigstore bundles (v0.3 JSON, ECDSA P-256 key in PEM, no tlog) ----------- */

/* A messageSignature bundle: ECDSA-SHA256 over the file, streamed. */
int slsec_sigstore_sign_file(const char *pem_path, const char *file, const char *out_path, slsec_diag *d);
/* A dsseEnvelope bundle holding the same provenance statement as attest. */
int slsec_sigstore_attest_file(const char *pem_path, const char *file, const char *out_path,
                               const slsec_attest_opts *o, slsec_diag *d);

/* ---- base64 (standard alphabet, padded, strict) ------------------------------- */

/* Returns a heap NUL-terminated string (free()). */
char *slsec_base64_encode(const void *data, size_t len);
/* Strict decode; false on any character outside the alphabet or bad padding.
 * *out is heap (free()). */
bool slsec_base64_decode(const char *s, size_t slen, unsigned char **out, size_t *out_len);

#endif
