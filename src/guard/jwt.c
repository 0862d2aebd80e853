/*
 * jwt.c — JSON Web Keys and compact JWS verification on OpenSSL EVP.
 *
 * The key decides the algorithm: a JWKS key is pinned to one algorithm at
 * load time and a token is verified only when its header names exactly
 * that one. So an RSA public key can never be used as an HMAC secret
 * (the RS/HS confusion) — an oct key is the only HS256 key — and "none"
 * matches no key at all. A token's "kid" selects a key by exact
 * comparison; a token without kid is accepted only when there is a single
 * key. ES256 signatures are JOSE r||s (64 bytes), converted to DER for
 * OpenSSL; HMAC tags are compared with CRYPTO_memcmp.
 */
#include "slsec/guard.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

typedef struct jwk {
    char kid[128];
    bool has_kid;
    slsec_jwt_alg alg;
    EVP_PKEY *pkey;          /* RS256, ES256, EdDSA */
    unsigned char *secret;   /* HS256 */
    size_t secret_len;
    EVP_MAC_CTX *hmac;       /* HS256: keyed once, duplicated per token */
} jwk;

struct slsec_jwks {
    jwk keys[SLSEC_GUARD_MAX_JWKS_KEYS];
    size_t count;
};

const char *slsec_jwt_alg_name(slsec_jwt_alg a)
{
    switch (a) {
    case SLSEC_JWT_RS256: return "RS256";
    case SLSEC_JWT_ES256: return "ES256";
    case SLSEC_JWT_EDDSA: return "EdDSA";
    case SLSEC_JWT_HS256: return "HS256";
    }
    return "?";
}

const char *slsec_jwt_status_name(slsec_jwt_status s)
{
    static const char *const names[] = {
        "ok", "malformed", "too_long", "alg_none", "alg_mismatch", "unknown_kid", "bad_signature",
        "expired", "not_yet_valid", "issued_in_future", "missing_exp", "bad_issuer", "bad_audience",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static int alg_from_name(const char *s)
{
    if (!s)
        return 0;
    if (strcmp(s, "RS256") == 0) return SLSEC_JWT_RS256;
    if (strcmp(s, "ES256") == 0) return SLSEC_JWT_ES256;
    if (strcmp(s, "EdDSA") == 0) return SLSEC_JWT_EDDSA;
    if (strcmp(s, "HS256") == 0) return SLSEC_JWT_HS256;
    return 0;
}

bool slsec_base64url_decode(const char *s, size_t n, unsigned char *out, size_t *out_len)
{
    static signed char map[256];
    static bool ready;
    if (!ready) {
        memset(map, -1, sizeof map);
        const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < 64; i++)
            map[(unsigned char)alpha[i]] = (signed char)i;
        ready = true;
    }
    if (n % 4 == 1)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = map[(unsigned char)s[i]];
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* leftover bits must be zero: one encoding per value */
    if (bits && (acc & ((1u << bits) - 1)))
        return false;
    *out_len = o;
    return true;
}

/* Decodes a base64url member of a JWK into a fresh buffer. */
static unsigned char *member_bytes(json_t *obj, const char *name, size_t *len)
{
    const char *s = json_string_value(json_object_get(obj, name));
    if (!s)
        return NULL;
    size_t n = strlen(s);
    unsigned char *buf = malloc(n * 3 / 4 + 4);
    if (!buf)
        slsec_oom();
    if (!slsec_base64url_decode(s, n, buf, len) || *len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pkey = NULL;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *rsa_key(json_t *o)
{
    size_t nl = 0, el = 0;
    unsigned char *n = member_bytes(o, "n", &nl), *e = member_bytes(o, "e", &el);
    EVP_PKEY *pkey = NULL;
    /* 2048 bits at least: shorter RSA keys are forgeable in practice */
    if (n && e && nl >= 256 && nl <= 1024) {
        BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *be = BN_bin2bn(e, (int)el, NULL);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        if (bn && be && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
            pkey = pkey_from_params("RSA", bld);
        OSSL_PARAM_BLD_free(bld);
        BN_free(bn);
        BN_free(be);
    }
    free(n);
    free(e);
    return pkey;
}

static EVP_PKEY *ec_key(json_t *o)
{
    const char *crv = json_string_value(json_object_get(o, "crv"));
    if (!crv || strcmp(crv, "P-256") != 0)
        return NULL;
    size_t xl = 0, yl = 0;
    unsigned char *x = member_bytes(o, "x", &xl), *y = member_bytes(o, "y", &yl);
    EVP_PKEY *pkey = NULL;
    if (x && y && xl == 32 && yl == 32) {
        unsigned char point[65];
        point[0] = 0x04;
        memcpy(point + 1, x, 32);
        memcpy(point + 33, y, 32);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
            pkey = pkey_from_params("EC", bld);
        OSSL_PARAM_BLD_free(bld);
    }
    free(x);
    free(y);
    return pkey;
}

static EVP_PKEY *okp_key(json_t *o)
{
    const char *crv = json_string_value(json_object_get(o, "crv"));
    if (!crv || strcmp(crv, "Ed25519") != 0)
        return NULL;
    size_t xl = 0;
    unsigned char *x = member_bytes(o, "x", &xl);
    EVP_PKEY *pkey = NULL;
    if (x && xl == 32)
        pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xl);
    free(x);
    return pkey;
}

static void jwk_clear(jwk *k)
{
    EVP_PKEY_free(k->pkey);
    EVP_MAC_CTX_free(k->hmac);
    if (k->secret)
        OPENSSL_cleanse(k->secret, k->secret_len);
    free(k->secret);
    memset(k, 0, sizeof *k);
}

/* Fills k from one JWK; returns NULL or what is wrong with it. */
static const char *jwk_load(json_t *o, jwk *k)
{
    if (!json_is_object(o))
        return "a key is not a JSON object";
    const char *kty = json_string_value(json_object_get(o, "kty"));
    json_t *alg_v = json_object_get(o, "alg");
    const char *use = json_string_value(json_object_get(o, "use"));
    const char *kid = json_string_value(json_object_get(o, "kid"));
    if (!kty)
        return "a key has no \"kty\"";
    if (use && strcmp(use, "sig") != 0)
        return "a key's \"use\" is not \"sig\"";
    if (alg_v && !json_is_string(alg_v))
        return "a key's \"alg\" is not a string";
    if (kid) {
        if (strlen(kid) >= sizeof k->kid)
            return "a key's \"kid\" is too long";
        snprintf(k->kid, sizeof k->kid, "%s", kid);
        k->has_kid = true;
    }
    int implied;
    if (strcmp(kty, "RSA") == 0) implied = SLSEC_JWT_RS256;
    else if (strcmp(kty, "EC") == 0) implied = SLSEC_JWT_ES256;
    else if (strcmp(kty, "OKP") == 0) implied = SLSEC_JWT_EDDSA;
    else if (strcmp(kty, "oct") == 0) implied = SLSEC_JWT_HS256;
    else
        return "a key's \"kty\" is not RSA, EC, OKP or oct";
    if (alg_v) {
        int alg = alg_from_name(json_string_value(alg_v));
        if (!alg)
            return "a key's \"alg\" is not RS256, ES256, EdDSA or HS256";
        if (alg != implied)
            return "a key's \"alg\" does not fit its \"kty\"";
    }
    k->alg = (slsec_jwt_alg)implied;
    switch (k->alg) {
    case SLSEC_JWT_RS256: k->pkey = rsa_key(o); break;
    case SLSEC_JWT_ES256: k->pkey = ec_key(o); break;
    case SLSEC_JWT_EDDSA: k->pkey = okp_key(o); break;
    case SLSEC_JWT_HS256:
        k->secret = member_bytes(o, "k", &k->secret_len);
        /* RFC 7518 3.2: a key at least as long as the hash output */
        if (k->secret && k->secret_len < 32) {
            jwk_clear(k);
            return "an oct key is shorter than 256 bits";
        }
        if (!k->secret)
            return "an oct key has no valid \"k\"";
        /* fetching and keying HMAC costs more than the MAC of a token: done once */
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        k->hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac);
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                               OSSL_PARAM_construct_end()};
        if (!k->hmac || EVP_MAC_init(k->hmac, k->secret, k->secret_len, params) != 1)
            return "HMAC-SHA256 is not available in this OpenSSL";
        return NULL;
    }
    return k->pkey ? NULL : "a key's parameters are missing or invalid (RSA n/e of 2048+ bits, EC P-256 x/y, OKP Ed25519 x)";
}

void slsec_jwks_free(slsec_jwks *ks)
{
    if (!ks)
        return;
    for (size_t i = 0; i < ks->count; i++)
        jwk_clear(&ks->keys[i]);
    free(ks);
}

size_t slsec_jwks_count(const slsec_jwks *k) { return k ? k->count : 0; }

int slsec_jwks_parse(const char *file, const char *json, size_t len, slsec_jwks **out, slsec_diag *d)
{
    *out = NULL;
    json_error_t err;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, err.line, err.column, "JWKS is not JSON: %s", err.text);
        return SLSEC_EPARSE;
    }
    json_t *keys = json_object_get(root, "keys");
    if (!json_is_array(keys) || json_array_size(keys) == 0) {
        json_decref(root);
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "expected a JWKS: an object with a non-empty \"keys\" array");
        return SLSEC_EPARSE;
    }
    if (json_array_size(keys) > SLSEC_GUARD_MAX_JWKS_KEYS) {
        json_decref(root);
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "JWKS has more than %u keys", SLSEC_GUARD_MAX_JWKS_KEYS);
        return SLSEC_ELIMIT;
    }
    slsec_jwks *ks = calloc(1, sizeof *ks);
    if (!ks)
        slsec_oom();
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const char *why = jwk_load(json_array_get(keys, i), &ks->keys[ks->count]);
        if (why) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "key %zu: %s", i, why);
            slsec_jwks_free(ks);
            json_decref(root);
            return SLSEC_EPARSE;
        }
        for (size_t j = 0; j < ks->count; j++)
            if (ks->keys[j].has_kid && ks->keys[ks->count].has_kid &&
                strcmp(ks->keys[j].kid, ks->keys[ks->count].kid) == 0) {
                slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "key %zu: kid \"%s\" is used twice", i,
                               ks->keys[j].kid);
                ks->count++;
                slsec_jwks_free(ks);
                json_decref(root);
                return SLSEC_EPARSE;
            }
        ks->count++;
    }
    json_decref(root);
    *out = ks;
    return SLSEC_OK;
}

int slsec_jwks_load(const char *path, slsec_jwks **out, slsec_diag *d)
{
    char *data;
    size_t len;
    *out = NULL;
    int rc = slsec_read_file(path, 1024 * 1024, &data, &len, d);
    if (rc)
        return rc;
    rc = slsec_jwks_parse(path, data, len, out, d);
    free(data);
    return rc;
}

/* ---- verification ---------------------------------------------------------------- */

static json_t *decode_json_part(const char *s, size_t n)
{
    unsigned char *buf = malloc(n * 3 / 4 + 4);
    if (!buf)
        slsec_oom();
    size_t len;
    json_t *v = NULL;
    if (slsec_base64url_decode(s, n, buf, &len))
        v = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    free(buf);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

static bool verify_hs256(const jwk *k, const char *input, size_t n, const unsigned char *sig, size_t sl)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t ml = 0;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(k->hmac);
    bool ok = ctx && EVP_MAC_update(ctx, (const unsigned char *)input, n) == 1 &&
              EVP_MAC_final(ctx, mac, &ml, sizeof mac) == 1;
    EVP_MAC_CTX_free(ctx);
    return ok && sl == ml && CRYPTO_memcmp(mac, sig, ml) == 0;
}

/* JOSE r||s (RFC 7518 3.4) to the DER form OpenSSL verifies. */
static unsigned char *es256_der(const unsigned char *sig, size_t sl, size_t *der_len)
{
    if (sl != 64)
        return NULL;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    unsigned char *der = NULL;
    if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL; /* owned by es now */
        int len = i2d_ECDSA_SIG(es, &der);
        if (len <= 0)
            der = NULL;
        else
            *der_len = (size_t)len;
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return der;
}

static bool verify_pkey(const jwk *k, const char *input, size_t n, const unsigned char *sig, size_t sl)
{
    unsigned char *der = NULL;
    if (k->alg == SLSEC_JWT_ES256) {
        der = es256_der(sig, sl, &sl);
        if (!der)
            return false;
        sig = der;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = k->alg == SLSEC_JWT_EDDSA ? NULL : EVP_sha256();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
              EVP_DigestVerify(ctx, sig, sl, (const unsigned char *)input, n) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
}

/* A NumericDate (RFC 7519 2): a JSON number; fractions are truncated. */
static bool numeric_date(json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double r = json_real_value(v);
        if (r != r || r > 9e15 || r < -9e15)
            return false;
        *out = (long long)r;
        return true;
    }
    return false;
}

static slsec_jwt_status check_claims(const slsec_jwt_policy *p, json_t *claims, long long now,
                                     slsec_jwt_claims *out)
{
    long leeway = p ? p->leeway_s : 0;
    long long t;
    json_t *exp = json_object_get(claims, "exp");
    if (exp) {
        if (!numeric_date(exp, &t))
            return SLSEC_JWT_MALFORMED;
        if (now >= t + leeway)
            return SLSEC_JWT_EXPIRED;
        if (out)
            out->exp = t;
    } else if (!p || p->require_exp) {
        return SLSEC_JWT_MISSING_EXP;
    }
    json_t *nbf = json_object_get(claims, "nbf");
    if (nbf) {
        if (!numeric_date(nbf, &t))
            return SLSEC_JWT_MALFORMED;
        if (now + leeway < t)
            return SLSEC_JWT_NOT_YET_VALID;
    }
    json_t *iat = json_object_get(claims, "iat");
    if (iat) {
        if (!numeric_date(iat, &t))
            return SLSEC_JWT_MALFORMED;
        if (now + leeway < t)
            return SLSEC_JWT_ISSUED_IN_FUTURE;
    }
    if (p && p->issuer) {
        const char *iss = json_string_value(json_object_get(claims, "iss"));
        if (!iss || strcmp(iss, p->issuer) != 0)
            return SLSEC_JWT_BAD_ISSUER;
    }
    if (p && p->audience) {
        json_t *aud = json_object_get(claims, "aud");
        bool found = false;
        if (json_is_string(aud))
            found = strcmp(json_string_value(aud), p->audience) == 0;
        else if (json_is_array(aud))
            for (size_t i = 0; i < json_array_size(aud) && !found; i++) {
                const char *a = json_string_value(json_array_get(aud, i));
                found = a && strcmp(a, p->audience) == 0;
            }
        if (!found)
            return SLSEC_JWT_BAD_AUDIENCE;
    }
    json_t *sub = json_object_get(claims, "sub");
    if (sub && !json_is_string(sub))
        return SLSEC_JWT_MALFORMED;
    if (out && sub)
        snprintf(out->sub, sizeof out->sub, "%s", json_string_value(sub));
    return SLSEC_JWT_OK;
}

slsec_jwt_status slsec_jwt_verify(const slsec_jwks *keys, const slsec_jwt_policy *policy,
                                  const char *token, size_t len, long long now,
                                  slsec_jwt_claims *claims)
{
    if (claims)
        memset(claims, 0, sizeof *claims);
    if (len > SLSEC_GUARD_MAX_TOKEN_BYTES)
        return SLSEC_JWT_TOO_LONG;
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
        return SLSEC_JWT_MALFORMED;
    json_t *header = decode_json_part(token, (size_t)(dot1 - token));
    if (!header)
        return SLSEC_JWT_MALFORMED;
    slsec_jwt_status st = SLSEC_JWT_OK;
    json_t *payload = NULL;
    unsigned char *sig = NULL;
    const char *alg_s = json_string_value(json_object_get(header, "alg"));
    json_t *kid_v = json_object_get(header, "kid");
    /* "crit" names extensions we would have to understand (RFC 7515 4.1.11) */
    if (!alg_s || (kid_v && !json_is_string(kid_v)) || json_object_get(header, "crit")) {
        st = SLSEC_JWT_MALFORMED;
        goto out;
    }
    if (slsec_str_eq_ci(alg_s, "none")) {
        st = SLSEC_JWT_ALG_NONE;
        goto out;
    }
    const jwk *key = NULL;
    const char *kid = json_string_value(kid_v);
    if (kid) {
        for (size_t i = 0; keys && i < keys->count && !key; i++)
            if (keys->keys[i].has_kid && strcmp(keys->keys[i].kid, kid) == 0)
                key = &keys->keys[i];
    } else if (keys && keys->count == 1) {
        key = &keys->keys[0];
    }
    if (!key) {
        st = SLSEC_JWT_UNKNOWN_KID;
        goto out;
    }
    if (alg_from_name(alg_s) != (int)key->alg) {
        st = SLSEC_JWT_ALG_MISMATCH;
        goto out;
    }
    size_t sig_b64 = len - (size_t)(dot2 + 1 - token);
    sig = malloc(sig_b64 * 3 / 4 + 4);
    if (!sig)
        slsec_oom();
    size_t sig_len;
    if (!slsec_base64url_decode(dot2 + 1, sig_b64, sig, &sig_len)) {
        st = SLSEC_JWT_MALFORMED;
        goto out;
    }
    size_t signed_len = (size_t)(dot2 - token);
    bool good = key->alg == SLSEC_JWT_HS256 ? verify_hs256(key, token, signed_len, sig, sig_len)
                                            : verify_pkey(key, token, signed_len, sig, sig_len);
    if (!good) {
        st = SLSEC_JWT_BAD_SIGNATURE;
        goto out;
    }
    /* the payload is only read once the signature vouches for it */
    payload = decode_json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!payload) {
        st = SLSEC_JWT_MALFORMED;
        goto out;
    }
    st = check_claims(policy, payload, now, claims);
    if (st == SLSEC_JWT_OK && claims) {
        claims->alg = key->alg;
        snprintf(claims->kid, sizeof claims->kid, "%s", key->kid);
    }
out:
    free(sig);
    json_decref(payload);
    json_decref(header);
    return st;
}
