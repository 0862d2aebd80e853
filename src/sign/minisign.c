/*
 * minisign.c — minisign-compatible keys and signatures (see slsec/sign.h
 * for the byte layouts).
 *
 * Every cryptographic primitive is OpenSSL 3 EVP: Ed25519 (raw keys, no
 * digest), BLAKE2b-512 streamed over the artifact, scrypt for encrypted
 * secret keys. minisign stores scrypt's cost as libsodium's opslimit and
 * memlimit; scrypt_params() turns them into N, r, p the way libsodium's
 * crypto_pwhash_scryptsalsa208sha256 does, so both tools derive the same
 * key stream from the same file. Secret material is wiped before release.
 */
#include "sign_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    PK_BYTES = 2 + 8 + 32,
    SIG_BYTES = 2 + 8 + 64,
    KEYNUM_SK_BYTES = 8 + 64 + 32,
    SK_BYTES = 2 + 2 + 2 + 32 + 8 + 8 + KEYNUM_SK_BYTES,
    SK_OFF_SALT = 6,
    SK_OFF_OPS = 38,
    SK_OFF_MEM = 46,
    SK_OFF_KEYNUM = 54,
    STREAM_CHUNK = 1 << 20,
};

/* libsodium's "sensitive" limits, minisign's choice for new keys. */
#define KEYGEN_OPSLIMIT 33554432ull
#define KEYGEN_MEMLIMIT 1073741824ull

/* ---- small helpers ----------------------------------------------------------------- */

void slsec_keyid_hex(const uint8_t keyid[8], char out[17])
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[keyid[7 - i] >> 4];
        out[2 * i + 1] = hex[keyid[7 - i] & 15];
    }
    out[16] = '\0';
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *slsec_base64_encode(const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t n = 4 * ((len + 2) / 3);
    char *s = malloc(n + 1);
    if (!s)
        slsec_oom();
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        s[o++] = b64chars[(v >> 18) & 63];
        s[o++] = b64chars[(v >> 12) & 63];
        s[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
        s[o++] = i + 2 < len ? b64chars[v & 63] : '=';
    }
    s[o] = '\0';
    return s;
}

static int b64val(unsigned char c)
{
    const char *p = c ? strchr(b64chars, c) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

bool slsec_base64_decode(const char *s, size_t slen, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (slen % 4 != 0)
        return false;
    size_t pad = 0;
    if (slen >= 1 && s[slen - 1] == '=')
        pad++;
    if (slen >= 2 && s[slen - 2] == '=')
        pad++;
    unsigned char *buf = malloc(slen / 4 * 3 + 1);
    if (!buf)
        slsec_oom();
    size_t o = 0;
    for (size_t i = 0; i < slen; i += 4) {
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            int x;
            if (i + j >= slen - pad)
                x = 0;
            else if ((x = b64val((unsigned char)s[i + j])) < 0) {
                free(buf);
                return false;
            }
            v = (v << 6) | (uint32_t)x;
        }
        buf[o++] = (unsigned char)(v >> 16);
        buf[o++] = (unsigned char)(v >> 8);
        buf[o++] = (unsigned char)v;
    }
    o -= pad;
    /* Bits a canonical encoder leaves zero must be zero: one text, one value. */
    if ((pad == 1 && (b64val((unsigned char)s[slen - 2]) & 3)) ||
        (pad == 2 && (b64val((unsigned char)s[slen - 3]) & 15))) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = o;
    return true;
}

bool sign_ed25519(const uint8_t sk[64], const void *msg, size_t len, uint8_t sig[64])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t siglen = 64;
    bool ok = k && c && EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
              EVP_DigestSign(c, sig, &siglen, msg, len) == 1 && siglen == 64;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

bool sign_ed25519_verify(const uint8_t pk[32], const void *msg, size_t len, const uint8_t sig[64])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = k && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
              EVP_DigestVerify(c, sig, 64, msg, len) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

/* The public half of an Ed25519 seed. */
static bool ed25519_public(const uint8_t seed[32], uint8_t pk[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t n = 32;
    bool ok = k && EVP_PKEY_get_raw_public_key(k, pk, &n) == 1 && n == 32;
    EVP_PKEY_free(k);
    return ok;
}

/* ---- text lines --------------------------------------------------------------------- */

typedef struct lines {
    const char *start[6];
    size_t len[6];
    size_t count;
    bool too_many;
} lines;

/* Splits data into at most 5 lines ("\n" or "\r\n"); a final newline does
 * not start a line. A NUL byte makes the text unreadable. */
static bool split_lines(const char *data, size_t len, lines *l)
{
    memset(l, 0, sizeof *l);
    if (memchr(data, '\0', len))
        return false;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        if (l->count == 5) {
            l->too_many = true;
            break;
        }
        size_t n = end - i;
        if (n && data[i + n - 1] == '\r')
            n--;
        l->start[l->count] = data + i;
        l->len[l->count++] = n;
        i = end + 1;
    }
    return true;
}

static bool line_prefix(const lines *l, size_t i, const char *prefix)
{
    size_t n = strlen(prefix);
    return i < l->count && l->len[i] >= n && memcmp(l->start[i], prefix, n) == 0;
}

/* Decodes line i to exactly `want` bytes. */
static int decode_line(const lines *l, size_t i, size_t want, const char *name, const char *what,
                       unsigned char **out, slsec_diag *d)
{
    size_t n = 0;
    if (!slsec_base64_decode(l->start[i], l->len[i], out, &n)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)i + 1, 1, "the %s is not valid base64", what);
        return SLSEC_EPARSE;
    }
    if (n != want) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)i + 1, 1, "the %s is %zu bytes, expected %zu", what, n,
                       want);
        OPENSSL_cleanse(*out, n);
        free(*out);
        *out = NULL;
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

/* ---- public keys ---------------------------------------------------------------------- */

int slsec_pubkey_parse(const char *data, size_t len, const char *name, slsec_pubkey *out, slsec_diag *d)
{
    lines l;
    memset(out, 0, sizeof *out);
    if (!split_lines(data, len, &l)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 0, 0, "a public key is text, this holds a NUL byte");
        return SLSEC_EPARSE;
    }
    size_t i = line_prefix(&l, 0, "untrusted comment:") ? 1 : 0;
    if (i >= l.count) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)i + 1, 0, "the public key line is missing");
        return SLSEC_EPARSE;
    }
    for (size_t j = i + 1; j < l.count || l.too_many; j++) {
        if (l.too_many || l.len[j]) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)j + 1, 1, "extra text after the public key");
            return SLSEC_EPARSE;
        }
    }
    unsigned char *raw;
    int rc = decode_line(&l, i, PK_BYTES, name, "public key", &raw, d);
    if (rc != SLSEC_OK)
        return rc;
    if (raw[0] != 'E' || raw[1] != 'd') {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)i + 1, 1,
                       "not an Ed25519 minisign public key (algorithm '%c%c')", raw[0] >= 32 && raw[0] < 127 ? raw[0] : '?',
                       raw[1] >= 32 && raw[1] < 127 ? raw[1] : '?');
        free(raw);
        return SLSEC_EPARSE;
    }
    memcpy(out->keyid, raw + 2, 8);
    memcpy(out->pk, raw + 10, 32);
    free(raw);
    return SLSEC_OK;
}

int sign_read_small(const char *path, char **data, size_t *len, slsec_diag *d)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return SLSEC_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "is a folder, not a file");
        return SLSEC_EIO;
    }
    return slsec_read_file(path, SLSEC_MAX_SIGFILE_BYTES, data, len, d);
}

int slsec_pubkey_load(const char *path, slsec_pubkey *out, slsec_diag *d)
{
    char *data;
    size_t len;
    int rc = sign_read_small(path, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    rc = slsec_pubkey_parse(data, len, path, out, d);
    free(data);
    return rc;
}

/* ---- secret keys ---------------------------------------------------------------------- */

/* libsodium's crypto_pwhash_scryptsalsa208sha256 parameter choice: r is 8;
 * when the operations budget is the tighter bound, p is 1 and N as large as
 * opslimit allows; otherwise N fills memlimit and p takes what opslimit
 * has left. */
static void scrypt_params(uint64_t opslimit, uint64_t memlimit, uint64_t *N, uint32_t *r, uint32_t *p)
{
    unsigned n_log2;
    uint64_t max_n;
    if (opslimit < 32768)
        opslimit = 32768;
    *r = 8;
    if (opslimit < memlimit / 32) {
        *p = 1;
        max_n = opslimit / (*r * 4);
    } else {
        max_n = memlimit / ((uint64_t)*r * 128);
    }
    for (n_log2 = 1; n_log2 < 63; n_log2++)
        if ((uint64_t)1 << n_log2 > max_n / 2)
            break;
    *N = (uint64_t)1 << n_log2;
    if (!(opslimit < memlimit / 32)) {
        uint64_t maxrp = (opslimit / 4) / *N;
        if (maxrp > 0x3fffffff)
            maxrp = 0x3fffffff;
        *p = (uint32_t)maxrp / *r;
    }
}

static bool scrypt_stream(const char *password, const uint8_t salt[32], uint64_t opslimit, uint64_t memlimit,
                          uint8_t *out, size_t outlen)
{
    uint64_t N;
    uint32_t r, p;
    scrypt_params(opslimit, memlimit, &N, &r, &p);
    if (p == 0)
        p = 1;
    uint64_t maxmem = 128ull * r * N + 128ull * r * p + 256ull * r + (1u << 20);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password, strlen(password)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, 32),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &N),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    bool ok = c && EVP_KDF_derive(c, out, outlen, params) == 1;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(kdf);
    return ok;
}

static void seckey_checksum(const uint8_t *keynum_sk, uint8_t chk[32])
{
    blake2b_ctx c;
    blake2b_init(&c, 32);
    blake2b_update(&c, "Ed", 2);
    blake2b_update(&c, keynum_sk, 8 + 64);
    blake2b_final(&c, chk);
}

static int seckey_decode(const char *data, size_t len, const char *name, unsigned char **raw, slsec_diag *d)
{
    lines l;
    if (!split_lines(data, len, &l)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 0, 0, "a secret key is text, this holds a NUL byte");
        return SLSEC_EPARSE;
    }
    if (!line_prefix(&l, 0, "untrusted comment:")) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 1, 1, "expected 'untrusted comment:' on the first line");
        return SLSEC_EPARSE;
    }
    if (l.count < 2) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 2, 0, "the secret key line is missing");
        return SLSEC_EPARSE;
    }
    for (size_t j = 2; j < l.count || l.too_many; j++)
        if (l.too_many || l.len[j]) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)j + 1, 1, "extra text after the secret key");
            return SLSEC_EPARSE;
        }
    int rc = decode_line(&l, 1, SK_BYTES, name, "secret key", raw, d);
    if (rc != SLSEC_OK)
        return rc;
    const unsigned char *r = *raw;
    const char *why = NULL;
    if (r[0] != 'E' || r[1] != 'd')
        why = "not an Ed25519 minisign secret key";
    else if (!((r[2] == 'S' && r[3] == 'c') || (r[2] == 0 && r[3] == 0)))
        why = "unknown key derivation (expected scrypt 'Sc' or none)";
    else if (r[4] != 'B' || r[5] != '2')
        why = "unknown checksum algorithm (expected BLAKE2b 'B2')";
    if (why) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 2, 1, "%s", why);
        OPENSSL_cleanse(*raw, SK_BYTES);
        free(*raw);
        *raw = NULL;
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

int slsec_seckey_parse(const char *data, size_t len, const char *name, const char *password, slsec_seckey *out,
                       slsec_diag *d)
{
    unsigned char *raw;
    memset(out, 0, sizeof *out);
    int rc = seckey_decode(data, len, name, &raw, d);
    if (rc != SLSEC_OK)
        return rc;
    uint8_t *keynum_sk = raw + SK_OFF_KEYNUM;
    out->encrypted = raw[2] == 'S';
    if (out->encrypted) {
        uint64_t ops = le64(raw + SK_OFF_OPS), mem = le64(raw + SK_OFF_MEM);
        uint8_t stream[KEYNUM_SK_BYTES], chk[32];
        if (!password) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 0, 0, "the secret key is encrypted: a password is needed");
            rc = SLSEC_EUSAGE;
        } else if (mem > SLSEC_MAX_SCRYPT_MEMLIMIT || ops > (1ull << 40)) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 2, 1,
                           "the key asks for scrypt limits over what slsec allows (memlimit %llu, opslimit %llu)",
                           (unsigned long long)mem, (unsigned long long)ops);
            rc = SLSEC_ELIMIT;
        } else if (!scrypt_stream(password, raw + SK_OFF_SALT, ops, mem, stream, sizeof stream)) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 0, 0, "scrypt failed (out of memory?)");
            rc = SLSEC_EINTERNAL;
        } else {
            for (size_t i = 0; i < sizeof stream; i++)
                keynum_sk[i] ^= stream[i];
            seckey_checksum(keynum_sk, chk);
            if (CRYPTO_memcmp(chk, keynum_sk + 72, 32) != 0) {
                slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 0, 0, "wrong password for this secret key");
                rc = SLSEC_EUSAGE;
            }
        }
        OPENSSL_cleanse(stream, sizeof stream);
        OPENSSL_cleanse(chk, sizeof chk);
    }
    if (rc == SLSEC_OK) {
        /* Unencrypted keys carry no checksum (minisign -W writes zeros):
         * that the public half follows from the seed is the one check left. */
        uint8_t pk[32];
        if (!ed25519_public(keynum_sk + 8, pk) || CRYPTO_memcmp(pk, keynum_sk + 8 + 32, 32) != 0) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 2, 1, "the secret key is corrupt (its public half does not match)");
            rc = SLSEC_EPARSE;
        } else {
            memcpy(out->keyid, keynum_sk, 8);
            memcpy(out->sk, keynum_sk + 8, 64);
        }
    }
    OPENSSL_cleanse(raw, SK_BYTES);
    free(raw);
    if (rc != SLSEC_OK)
        OPENSSL_cleanse(out, sizeof *out);
    return rc;
}

int slsec_seckey_file_encrypted(const char *path, bool *encrypted, slsec_diag *d)
{
    char *data;
    size_t len;
    unsigned char *raw = NULL;
    int rc = sign_read_small(path, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    rc = seckey_decode(data, len, path, &raw, d);
    if (rc == SLSEC_OK)
        *encrypted = raw[2] == 'S';
    if (raw) {
        OPENSSL_cleanse(raw, SK_BYTES);
        free(raw);
    }
    OPENSSL_cleanse(data, len);
    free(data);
    return rc;
}

int slsec_seckey_load(const char *path, const char *password, slsec_seckey *out, slsec_diag *d)
{
    char *data;
    size_t len;
    int rc = sign_read_small(path, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    rc = slsec_seckey_parse(data, len, path, password, out, d);
    OPENSSL_cleanse(data, len);
    free(data);
    return rc;
}

/* ---- writing files --------------------------------------------------------------------- */

int sign_write_file(const char *path, const void *data, size_t len, unsigned mode, bool overwrite, slsec_diag *d)
{
    struct stat st;
    if (!overwrite && lstat(path, &st) == 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "already exists (use --force to replace it)");
        return SLSEC_EUSAGE;
    }
    size_t tn = strlen(path) + 16;
    char *tmp = malloc(tn);
    if (!tmp)
        slsec_oom();
    snprintf(tmp, tn, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "cannot create: %s", strerror(errno));
        free(tmp);
        return SLSEC_EIO;
    }
    /* mkstemp makes the file 0600 already; a public file is opened up after. */
    bool ok = fchmod(fd, (mode_t)mode) == 0;
    const char *p = data;
    size_t left = len;
    while (ok && left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            ok = false;
        else {
            p += n;
            left -= (size_t)n;
        }
    }
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "cannot write: %s", strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? SLSEC_OK : SLSEC_EIO;
}

/* ---- keygen ---------------------------------------------------------------------------- */

int slsec_keygen(const char *pub_path, const char *sec_path, const char *password, bool force,
                 slsec_pubkey *pub_out, slsec_diag *d)
{
    uint8_t raw[SK_BYTES] = {0}, pk[PK_BYTES], stream[KEYNUM_SK_BYTES];
    uint8_t *keynum_sk = raw + SK_OFF_KEYNUM;
    int rc = SLSEC_OK;
    if (!force) {
        struct stat st;
        const char *exists = lstat(sec_path, &st) == 0 ? sec_path : lstat(pub_path, &st) == 0 ? pub_path : NULL;
        if (exists) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, exists, 0, 0, "already exists (use --force to replace it)");
            return SLSEC_EUSAGE;
        }
    }
    memcpy(raw, "Ed", 2);
    memcpy(raw + 4, "B2", 2);
    if (RAND_bytes(keynum_sk, 8 + 32) != 1 || !ed25519_public(keynum_sk + 8, keynum_sk + 8 + 32)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, sec_path, 0, 0, "cannot generate a key (no randomness?)");
        rc = SLSEC_EINTERNAL;
        goto out;
    }
    memcpy(pk, "Ed", 2);
    memcpy(pk + 2, keynum_sk, 8);
    memcpy(pk + 10, keynum_sk + 40, 32);
    if (password) {
        memcpy(raw + 2, "Sc", 2);
        put_le64(raw + SK_OFF_OPS, KEYGEN_OPSLIMIT);
        put_le64(raw + SK_OFF_MEM, KEYGEN_MEMLIMIT);
        seckey_checksum(keynum_sk, keynum_sk + 72);
        if (RAND_bytes(raw + SK_OFF_SALT, 32) != 1 ||
            !scrypt_stream(password, raw + SK_OFF_SALT, KEYGEN_OPSLIMIT, KEYGEN_MEMLIMIT, stream, sizeof stream)) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, sec_path, 0, 0, "scrypt failed (out of memory?)");
            rc = SLSEC_EINTERNAL;
            goto out;
        }
        for (size_t i = 0; i < sizeof stream; i++)
            keynum_sk[i] ^= stream[i];
    }
    char *b64 = slsec_base64_encode(raw, sizeof raw);
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_printf(&b, "untrusted comment: minisign encrypted secret key\n%s\n", b64);
    rc = sign_write_file(sec_path, b.data, b.len, 0600, force, d);
    OPENSSL_cleanse(b64, strlen(b64));
    OPENSSL_cleanse(b.data, b.len);
    free(b64);
    slsec_buf_reset(&b);
    if (rc == SLSEC_OK) {
        char id[17];
        slsec_keyid_hex(pk + 2, id);
        b64 = slsec_base64_encode(pk, sizeof pk);
        slsec_buf_printf(&b, "untrusted comment: minisign public key %s\n%s\n", id, b64);
        free(b64);
        rc = sign_write_file(pub_path, b.data, b.len, 0644, force, d);
    }
    slsec_buf_free(&b);
    if (rc == SLSEC_OK && pub_out) {
        memcpy(pub_out->keyid, pk + 2, 8);
        memcpy(pub_out->pk, pk + 10, 32);
    }
out:
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(stream, sizeof stream);
    return rc;
}

/* ---- hashing files ------------------------------------------------------------------------ */

/* Opens a regular file for streaming, with a message for folders and the like. */
FILE *sign_open_artifact(const char *file, slsec_diag *d)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, S_ISDIR(st.st_mode) ? "is a folder, not a file" : "not a regular file");
        close(fd);
        return NULL;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp)
        close(fd);
    return fp;
}

/* Streams a file through an OpenSSL digest. */
static int digest_file(const char *file, const char *md_name, uint8_t *out, uint64_t *size, slsec_diag *d)
{
    FILE *fp = sign_open_artifact(file, d);
    if (!fp)
        return SLSEC_EIO;
    EVP_MD *md = EVP_MD_fetch(NULL, md_name, NULL);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char *buf = malloc(STREAM_CHUNK);
    if (!buf)
        slsec_oom();
    int rc = md && c && EVP_DigestInit_ex2(c, md, NULL) == 1 ? SLSEC_OK : SLSEC_EINTERNAL;
    uint64_t total = 0;
    size_t n;
    while (rc == SLSEC_OK && (n = fread(buf, 1, STREAM_CHUNK, fp)) > 0) {
        total += n;
        if (EVP_DigestUpdate(c, buf, n) != 1)
            rc = SLSEC_EINTERNAL;
    }
    if (rc == SLSEC_OK && ferror(fp)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "read error: %s", strerror(errno));
        rc = SLSEC_EIO;
    }
    if (rc == SLSEC_OK && EVP_DigestFinal_ex(c, out, NULL) != 1)
        rc = SLSEC_EINTERNAL;
    if (rc == SLSEC_EINTERNAL)
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "OpenSSL has no %s digest", md_name);
    if (size)
        *size = total;
    free(buf);
    EVP_MD_CTX_free(c);
    EVP_MD_free(md);
    fclose(fp);
    return rc;
}

int slsec_blake2b512_file(const char *file, uint8_t out[64], slsec_diag *d)
{
    return digest_file(file, "BLAKE2B-512", out, NULL, d);
}

int slsec_sha256_file_hex(const char *file, char out[65], uint64_t *size, slsec_diag *d)
{
    uint8_t h[32];
    int rc = digest_file(file, "SHA2-256", h, size, d);
    if (rc == SLSEC_OK)
        for (int i = 0; i < 32; i++)
            snprintf(out + 2 * i, 3, "%02x", h[i]);
    return rc;
}

/* ---- signatures --------------------------------------------------------------------------- */

int slsec_minisig_parse(const char *data, size_t len, const char *name, slsec_minisig *out, slsec_diag *d)
{
    static const char ut[] = "untrusted comment: ", tc[] = "trusted comment: ";
    lines l;
    memset(out, 0, sizeof *out);
    if (!split_lines(data, len, &l)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 0, 0, "a signature file is text, this holds a NUL byte");
        return SLSEC_EPARSE;
    }
    if (l.count < 4) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)l.count + 1, 0,
                       "truncated: a signature has 4 lines (untrusted comment, signature, trusted comment, "
                       "comment signature), found %zu",
                       l.count);
        return SLSEC_EPARSE;
    }
    for (size_t j = 4; j < l.count || l.too_many; j++)
        if (l.too_many || l.len[j]) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, name, (int)j + 1, 1, "extra text after the comment signature");
            return SLSEC_EPARSE;
        }
    if (!line_prefix(&l, 0, "untrusted comment:")) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 1, 1, "expected 'untrusted comment:'");
        return SLSEC_EPARSE;
    }
    if (!line_prefix(&l, 2, tc)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 3, 1, "expected 'trusted comment: '");
        return SLSEC_EPARSE;
    }
    size_t un = l.len[0] - (line_prefix(&l, 0, ut) ? sizeof ut - 1 : sizeof ut - 2);
    if (un >= sizeof out->untrusted) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 1, 1, "the untrusted comment is over %zu bytes",
                       sizeof out->untrusted - 1);
        return SLSEC_ELIMIT;
    }
    memcpy(out->untrusted, l.start[0] + l.len[0] - un, un);
    size_t tn = l.len[2] - (sizeof tc - 1);
    if (tn > SLSEC_MAX_TRUSTED_COMMENT) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 3, 1, "the trusted comment is over %u bytes",
                       SLSEC_MAX_TRUSTED_COMMENT);
        return SLSEC_ELIMIT;
    }
    memcpy(out->trusted, l.start[2] + sizeof tc - 1, tn);
    unsigned char *raw;
    int rc = decode_line(&l, 1, SIG_BYTES, name, "signature", &raw, d);
    if (rc != SLSEC_OK)
        return rc;
    if (raw[0] != 'E' || (raw[1] != 'D' && raw[1] != 'd')) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, name, 2, 1, "unknown signature algorithm (expected 'ED' or 'Ed')");
        free(raw);
        return SLSEC_EPARSE;
    }
    out->legacy = raw[1] == 'd';
    memcpy(out->keyid, raw + 2, 8);
    memcpy(out->sig, raw + 10, 64);
    free(raw);
    rc = decode_line(&l, 3, 64, name, "trusted comment signature", &raw, d);
    if (rc != SLSEC_OK)
        return rc;
    memcpy(out->global_sig, raw, 64);
    free(raw);
    return SLSEC_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool comment_ok(const char *s, size_t max)
{
    return strlen(s) <= max && !strpbrk(s, "\r\n");
}

int slsec_sign_file(const slsec_seckey *key, const char *file, const char *sig_path, const char *trusted,
                    const char *untrusted, slsec_diag *d)
{
    char deftc[600];
    if (!trusted) {
        snprintf(deftc, sizeof deftc, "timestamp:%lld\tfile:%s\thashed", (long long)time(NULL), base_name(file));
        trusted = deftc;
    }
    if (!untrusted)
        untrusted = "signature from slsec secret key";
    if (!comment_ok(trusted, SLSEC_MAX_TRUSTED_COMMENT) || !comment_ok(untrusted, 1024 - 19)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, sig_path, 0, 0,
                       "a comment must be one line, the trusted one at most %u bytes", SLSEC_MAX_TRUSTED_COMMENT);
        return SLSEC_EUSAGE;
    }
    uint8_t hash[64], sig[SIG_BYTES], global[64];
    int rc = slsec_blake2b512_file(file, hash, d);
    if (rc != SLSEC_OK)
        return rc;
    memcpy(sig, "ED", 2);
    memcpy(sig + 2, key->keyid, 8);
    size_t tl = strlen(trusted);
    unsigned char *gmsg = malloc(64 + tl);
    if (!gmsg)
        slsec_oom();
    bool ok = sign_ed25519(key->sk, hash, sizeof hash, sig + 10);
    memcpy(gmsg, sig + 10, 64);
    memcpy(gmsg + 64, trusted, tl);
    ok = ok && sign_ed25519(key->sk, gmsg, 64 + tl, global);
    free(gmsg);
    if (!ok) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "Ed25519 signing failed");
        return SLSEC_EINTERNAL;
    }
    char *s1 = slsec_base64_encode(sig, sizeof sig), *s2 = slsec_base64_encode(global, sizeof global);
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_printf(&b, "untrusted comment: %s\n%s\ntrusted comment: %s\n%s\n", untrusted, s1, trusted, s2);
    free(s1);
    free(s2);
    rc = sign_write_file(sig_path, b.data, b.len, 0644, true, d);
    slsec_buf_free(&b);
    return rc;
}

/* The legacy form signs the file itself, so it has to be in memory. */
static int legacy_verify(const slsec_pubkey *key, const char *file, const slsec_minisig *s, bool *ok, slsec_diag *d)
{
    char *data;
    size_t len;
    int rc = slsec_read_file(file, 256u * 1024u * 1024u, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    *ok = sign_ed25519_verify(key->pk, data, len, s->sig);
    free(data);
    return SLSEC_OK;
}

int slsec_verify_file(const slsec_pubkey *key, const char *file, const char *sig_path, bool allow_legacy,
                      char *trusted_out, slsec_diag *d)
{
    char *data;
    size_t len;
    int rc = sign_read_small(sig_path, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    slsec_minisig *s = malloc(sizeof *s);
    if (!s)
        slsec_oom();
    rc = slsec_minisig_parse(data, len, sig_path, s, d);
    free(data);
    char want[17], got[17];
    bool ok = false;
    if (rc != SLSEC_OK)
        goto out;
    slsec_keyid_hex(key->keyid, want);
    slsec_keyid_hex(s->keyid, got);
    if (memcmp(key->keyid, s->keyid, 8) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, sig_path, 2, 1,
                       "key id mismatch: the signature was made by key %s, the public key is %s", got, want);
        rc = SLSEC_SIGN_BAD;
        goto out;
    }
    if (s->legacy && !allow_legacy) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, sig_path, 2, 1,
                       "a legacy (non-prehashed 'Ed') signature: accepted only with --legacy");
        rc = SLSEC_SIGN_BAD;
        goto out;
    }
    if (s->legacy) {
        rc = legacy_verify(key, file, s, &ok, d);
    } else {
        uint8_t hash[64];
        rc = slsec_blake2b512_file(file, hash, d);
        ok = rc == SLSEC_OK && sign_ed25519_verify(key->pk, hash, sizeof hash, s->sig);
    }
    if (rc != SLSEC_OK)
        goto out;
    if (!ok) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, sig_path, 2, 1,
                       "signature verification failed: the file is not the one key %s signed", want);
        rc = SLSEC_SIGN_BAD;
        goto out;
    }
    size_t tl = strlen(s->trusted);
    unsigned char *gmsg = malloc(64 + tl);
    if (!gmsg)
        slsec_oom();
    memcpy(gmsg, s->sig, 64);
    memcpy(gmsg + 64, s->trusted, tl);
    ok = sign_ed25519_verify(key->pk, gmsg, 64 + tl, s->global_sig);
    free(gmsg);
    if (!ok) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, sig_path, 3, 1,
                       "trusted comment signature verification failed: the trusted comment was altered");
        rc = SLSEC_SIGN_BAD;
        goto out;
    }
    if (trusted_out)
        memcpy(trusted_out, s->trusted, tl + 1);
out:
    free(s);
    return rc;
}
