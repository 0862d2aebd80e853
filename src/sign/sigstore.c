/*
 * sigstore.c — Sigstore bundles (v0.3, JSON) signed with an ECDSA P-256
 * key from a PEM file, for offline verification with sigstore tooling
 * (`cosign verify-blob --key KEY.pub --bundle B --insecure-ignore-tlog`,
 * or @sigstore/verify with no tlog or timestamp threshold).
 *
 * A bundle carries no transparency-log entry and no timestamp: the key
 * alone vouches for the signature. The verification material is a public
 * key hint — the hex SHA-256 of the key's DER SubjectPublicKeyInfo — so a
 * verifier holding several keys can find the right one. Artifacts are
 * signed as ECDSA-SHA256 over the whole file (streamed); attestations as a
 * DSSE envelope whose signature is ECDSA-SHA256 over the PAE.
 */
#include "sign_internal.h"

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define BUNDLE_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* A P-256 private key from PEM (PKCS#8 or SEC1); anything else is refused. */
static EVP_PKEY *load_p256(const char *path, slsec_diag *d)
{
    char *data;
    size_t len;
    if (sign_read_small(path, &data, &len, d) != SLSEC_OK)
        return NULL;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(data, len);
    free(data);
    char curve[64] = "";
    size_t cn = 0;
    if (!k || !EVP_PKEY_is_a(k, "EC") ||
        EVP_PKEY_get_utf8_string_param(k, "group", curve, sizeof curve, &cn) != 1 || strcmp(curve, "prime256v1") != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0,
                       "not an unencrypted ECDSA P-256 private key in PEM (make one with "
                       "`openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt`)");
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

/* Hex SHA-256 of the DER public key: the bundle's key hint. */
static void key_hint(EVP_PKEY *k, char out[65])
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    slsec_sha256_hex(der, n > 0 ? (size_t)n : 0, out);
    OPENSSL_free(der);
}

static json_t *bundle_new(EVP_PKEY *k, const char *content_key, json_t *content)
{
    char hint[65];
    key_hint(k, hint);
    return json_pack("{s:s, s:{s:{s:s}, s:[], s:{s:[]}}, s:o}", "mediaType", BUNDLE_MEDIA_TYPE,
                     "verificationMaterial", "publicKey", "hint", hint, "tlogEntries", "timestampVerificationData",
                     "rfc3161Timestamps", content_key, content);
}

int slsec_sigstore_sign_file(const char *pem_path, const char *file, const char *out_path, slsec_diag *d)
{
    EVP_PKEY *k = load_p256(pem_path, d);
    if (!k)
        return SLSEC_EUSAGE;
    FILE *fp = sign_open_artifact(file, d);
    if (!fp) {
        EVP_PKEY_free(k);
        return SLSEC_EIO;
    }
    /* One pass: ECDSA-SHA256 signs the stream while a second context keeps
     * the plain digest the bundle states. */
    EVP_MD_CTX *sc = EVP_MD_CTX_new(), *hc = EVP_MD_CTX_new();
    unsigned char *buf = malloc(1 << 20);
    if (!buf)
        slsec_oom();
    int rc = sc && hc && EVP_DigestSignInit(sc, NULL, EVP_sha256(), NULL, k) == 1 &&
                     EVP_DigestInit_ex(hc, EVP_sha256(), NULL) == 1
                 ? SLSEC_OK
                 : SLSEC_EINTERNAL;
    size_t n;
    while (rc == SLSEC_OK && (n = fread(buf, 1, 1 << 20, fp)) > 0)
        if (EVP_DigestSignUpdate(sc, buf, n) != 1 || EVP_DigestUpdate(hc, buf, n) != 1)
            rc = SLSEC_EINTERNAL;
    if (rc == SLSEC_OK && ferror(fp)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "read error");
        rc = SLSEC_EIO;
    }
    fclose(fp);
    free(buf);
    unsigned char digest[32], sig[128];
    size_t siglen = sizeof sig;
    if (rc == SLSEC_OK &&
        (EVP_DigestFinal_ex(hc, digest, NULL) != 1 || EVP_DigestSignFinal(sc, sig, &siglen) != 1))
        rc = SLSEC_EINTERNAL;
    EVP_MD_CTX_free(sc);
    EVP_MD_CTX_free(hc);
    if (rc == SLSEC_EINTERNAL)
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "ECDSA signing failed");
    if (rc == SLSEC_OK) {
        char *d64 = slsec_base64_encode(digest, sizeof digest), *s64 = slsec_base64_encode(sig, siglen);
        json_t *content = json_pack("{s:{s:s, s:s}, s:s}", "messageDigest", "algorithm", "SHA2_256", "digest", d64,
                                    "signature", s64);
        free(d64);
        free(s64);
        rc = sign_write_json(bundle_new(k, "messageSignature", content), BUNDLE_JSON_FLAGS, out_path, d);
    }
    EVP_PKEY_free(k);
    return rc;
}

int slsec_sigstore_attest_file(const char *pem_path, const char *file, const char *out_path,
                               const slsec_attest_opts *o, slsec_diag *d)
{
    EVP_PKEY *k = load_p256(pem_path, d);
    if (!k)
        return SLSEC_EUSAGE;
    char *payload = NULL;
    int rc = sign_attest_statement(file, o, &payload, d);
    if (rc != SLSEC_OK) {
        EVP_PKEY_free(k);
        return rc;
    }
    size_t plen = strlen(payload), paelen;
    unsigned char *pae = slsec_dsse_pae(SIGN_DSSE_TYPE, (const unsigned char *)payload, plen, &paelen);
    unsigned char sig[128];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) != 1 ||
        EVP_DigestSign(c, sig, &siglen, pae, paelen) != 1) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "ECDSA signing failed");
        rc = SLSEC_EINTERNAL;
    }
    EVP_MD_CTX_free(c);
    free(pae);
    if (rc == SLSEC_OK) {
        char *p64 = slsec_base64_encode(payload, plen), *s64 = slsec_base64_encode(sig, siglen);
        json_t *env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payload", p64, "payloadType", SIGN_DSSE_TYPE,
                                "signatures", "sig", s64, "keyid", "");
        free(p64);
        free(s64);
        rc = sign_write_json(bundle_new(k, "dsseEnvelope", env), BUNDLE_JSON_FLAGS, out_path, d);
    }
    free(payload);
    EVP_PKEY_free(k);
    return rc;
}
