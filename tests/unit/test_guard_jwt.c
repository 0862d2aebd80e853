/*
 * test_guard_jwt.c — JWT verification (src/guard/jwt.c) against forgeries.
 *
 * Keys are generated here with OpenSSL and exported as a JWKS, tokens are
 * signed here, so each case states exactly what it forges: alg "none",
 * RS/HS confusion (an HMAC keyed with the RSA public key), an algorithm
 * the key is not pinned to, an unknown kid, a tampered payload, a DER
 * ECDSA signature where JOSE wants r||s, time claims and audiences.
 */
#include "slsec/guard.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define NOW 1800000000LL

static EVP_PKEY *rsa, *ec, *ed;
static unsigned char hs[32];
static slsec_jwks *keys;

static char *b64url(const unsigned char *d, size_t n)
{
    static const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(n * 4 / 3 + 4);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | d[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = alpha[(acc >> bits) & 63];
        }
    }
    if (bits)
        out[o++] = alpha[(acc << (6 - bits)) & 63];
    out[o] = '\0';
    return out;
}

static char *b64s(const char *s) { return b64url((const unsigned char *)s, strlen(s)); }

static char *bn_b64(EVP_PKEY *k, const char *param)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, param, &bn), 1);
    unsigned char buf[1024];
    int n = BN_bn2bin(bn, buf);
    BN_free(bn);
    return b64url(buf, (size_t)n);
}

static char *make_jwks(void)
{
    char *n = bn_b64(rsa, OSSL_PKEY_PARAM_RSA_N), *e = bn_b64(rsa, OSSL_PKEY_PARAM_RSA_E);
    unsigned char pt[65];
    size_t ptl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(ec, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &ptl), 1);
    assert_int_equal(ptl, 65);
    char *x = b64url(pt + 1, 32), *y = b64url(pt + 33, 32);
    unsigned char raw[32];
    size_t rl = sizeof raw;
    assert_int_equal(EVP_PKEY_get_raw_public_key(ed, raw, &rl), 1);
    char *ox = b64url(raw, rl), *k = b64url(hs, sizeof hs);
    char *out;
    assert_true(asprintf(&out,
                         "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa1\",\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"},"
                         "{\"kty\":\"EC\",\"kid\":\"ec1\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"},"
                         "{\"kty\":\"OKP\",\"kid\":\"ed1\",\"crv\":\"Ed25519\",\"x\":\"%s\"},"
                         "{\"kty\":\"oct\",\"kid\":\"hs1\",\"k\":\"%s\"}]}",
                         n, e, x, y, ox, k) > 0);
    free(n), free(e), free(x), free(y), free(ox), free(k);
    return out;
}

/* header.payload signed as `alg` with the matching test key. */
static char *sign_as(const char *alg, const char *header, const char *payload, bool der_ecdsa)
{
    char *h = b64s(header), *p = b64s(payload), *input;
    assert_true(asprintf(&input, "%s.%s", h, p) > 0);
    free(h), free(p);
    unsigned char sig[1024];
    size_t sl = sizeof sig;
    if (strcmp(alg, "HS256") == 0) {
        unsigned int ml = 0;
        HMAC(EVP_sha256(), hs, sizeof hs, (unsigned char *)input, strlen(input), sig, &ml);
        sl = ml;
    } else if (strcmp(alg, "none") == 0) {
        sl = 0;
    } else {
        EVP_PKEY *k = strcmp(alg, "RS256") == 0 ? rsa : strcmp(alg, "ES256") == 0 ? ec : ed;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        assert_int_equal(EVP_DigestSignInit(ctx, NULL, k == ed ? NULL : EVP_sha256(), NULL, k), 1);
        assert_int_equal(EVP_DigestSign(ctx, sig, &sl, (unsigned char *)input, strlen(input)), 1);
        EVP_MD_CTX_free(ctx);
        if (k == ec && !der_ecdsa) {
            const unsigned char *pp = sig;
            ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &pp, (long)sl);
            assert_non_null(es);
            BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32);
            BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32);
            sl = 64;
            ECDSA_SIG_free(es);
        }
    }
    char *s = b64url(sig, sl), *tok;
    assert_true(asprintf(&tok, "%s.%s", input, s) > 0);
    free(s), free(input);
    return tok;
}

static const char *const standard_payload =
    "{\"sub\":\"user-42\",\"iss\":\"https://issuer.example\",\"aud\":\"orders\",\"exp\":1800000600,\"iat\":1799999900}";

static slsec_jwt_policy policy(void)
{
    return (slsec_jwt_policy){.issuer = "https://issuer.example", .audience = "orders", .leeway_s = 30, .require_exp = true};
}

static slsec_jwt_status verify(const char *tok)
{
    slsec_jwt_policy p = policy();
    return slsec_jwt_verify(keys, &p, tok, strlen(tok), NOW, NULL);
}

static int setup(void **state)
{
    (void)state;
    rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_int_equal(RAND_bytes(hs, sizeof hs), 1);
    char *jwks = make_jwks();
    slsec_diag d = {0};
    int rc = slsec_jwks_parse("test.jwks", jwks, strlen(jwks), &keys, &d);
    if (rc)
        fprintf(stderr, "%s\n", d.message);
    free(jwks);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(rsa), EVP_PKEY_free(ec), EVP_PKEY_free(ed);
    slsec_jwks_free(keys);
    return 0;
}

static void each_algorithm_verifies(void **state)
{
    (void)state;
    static const char *const cases[][2] = {{"RS256", "rsa1"}, {"ES256", "ec1"}, {"EdDSA", "ed1"}, {"HS256", "hs1"}};
    for (size_t i = 0; i < 4; i++) {
        char header[128];
        snprintf(header, sizeof header, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", cases[i][0], cases[i][1]);
        char *tok = sign_as(cases[i][0], header, standard_payload, false);
        slsec_jwt_claims claims;
        slsec_jwt_policy p = policy();
        assert_int_equal(slsec_jwt_verify(keys, &p, tok, strlen(tok), NOW, &claims), SLSEC_JWT_OK);
        assert_string_equal(claims.sub, "user-42");
        assert_string_equal(claims.kid, cases[i][1]);
        free(tok);
    }
    assert_int_equal(slsec_jwks_count(keys), 4);
}

static void alg_none_is_refused(void **state)
{
    (void)state;
    char *tok = sign_as("none", "{\"alg\":\"none\",\"kid\":\"hs1\"}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_ALG_NONE);
    free(tok);
    tok = sign_as("none", "{\"alg\":\"NoNe\"}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_ALG_NONE);
    free(tok);
}

static void rs_hs_confusion_is_impossible(void **state)
{
    (void)state;
    /* the classic forgery: HS256 keyed with the RSA public key's bytes, naming the RSA kid */
    char *h = b64s("{\"alg\":\"HS256\",\"kid\":\"rsa1\"}"), *p = b64s(standard_payload), *input;
    assert_true(asprintf(&input, "%s.%s", h, p) > 0);
    BIGNUM *n = NULL;
    EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N, &n);
    unsigned char nb[512], mac[32];
    int nl = BN_bn2bin(n, nb);
    unsigned int ml = 0;
    HMAC(EVP_sha256(), nb, nl, (unsigned char *)input, strlen(input), mac, &ml);
    char *s = b64url(mac, ml), *tok;
    assert_true(asprintf(&tok, "%s.%s", input, s) > 0);
    assert_int_equal(verify(tok), SLSEC_JWT_ALG_MISMATCH);
    BN_free(n), free(h), free(p), free(input), free(s), free(tok);
    /* and a key's algorithm is never the token's choice */
    tok = sign_as("ES256", "{\"alg\":\"ES256\",\"kid\":\"rsa1\"}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_ALG_MISMATCH);
    free(tok);
}

static void kid_is_looked_up_exactly(void **state)
{
    (void)state;
    char *tok = sign_as("HS256", "{\"alg\":\"HS256\",\"kid\":\"HS1\"}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_UNKNOWN_KID);
    free(tok);
    tok = sign_as("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs1 \"}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_UNKNOWN_KID);
    free(tok);
    /* no kid and four keys: no guessing */
    tok = sign_as("HS256", "{\"alg\":\"HS256\"}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_UNKNOWN_KID);
    free(tok);
}

static void tampering_breaks_the_signature(void **state)
{
    (void)state;
    char *tok = sign_as("RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa1\"}", standard_payload, false);
    char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
    char *evil = b64s("{\"sub\":\"admin\",\"iss\":\"https://issuer.example\",\"aud\":\"orders\",\"exp\":1800000600}");
    char *forged;
    assert_true(asprintf(&forged, "%.*s.%s%s", (int)(dot1 - tok), tok, evil, dot2) > 0);
    assert_int_equal(verify(forged), SLSEC_JWT_BAD_SIGNATURE);
    free(forged), free(evil);
    /* a flipped signature byte */
    tok[strlen(tok) - 3] = tok[strlen(tok) - 3] == 'A' ? 'B' : 'A';
    assert_int_equal(verify(tok), SLSEC_JWT_BAD_SIGNATURE);
    free(tok);
    /* ES256 in DER form is not JOSE: refused */
    tok = sign_as("ES256", "{\"alg\":\"ES256\",\"kid\":\"ec1\"}", standard_payload, true);
    assert_int_equal(verify(tok), SLSEC_JWT_BAD_SIGNATURE);
    free(tok);
}

static slsec_jwt_status verify_payload(const char *payload, const slsec_jwt_policy *p)
{
    char *tok = sign_as("EdDSA", "{\"alg\":\"EdDSA\",\"kid\":\"ed1\"}", payload, false);
    slsec_jwt_status st = slsec_jwt_verify(keys, p, tok, strlen(tok), NOW, NULL);
    free(tok);
    return st;
}

static void time_claims_with_leeway(void **state)
{
    (void)state;
    slsec_jwt_policy p = {.leeway_s = 30, .require_exp = true};
    assert_int_equal(verify_payload("{\"exp\":1799999000}", &p), SLSEC_JWT_EXPIRED);
    assert_int_equal(verify_payload("{\"exp\":1799999980}", &p), SLSEC_JWT_OK); /* 20 s late: within leeway */
    assert_int_equal(verify_payload("{\"exp\":1799999970}", &p), SLSEC_JWT_EXPIRED); /* exactly at the edge */
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"nbf\":1800000100}", &p), SLSEC_JWT_NOT_YET_VALID);
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"nbf\":1800000020}", &p), SLSEC_JWT_OK);
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"iat\":1800000500}", &p), SLSEC_JWT_ISSUED_IN_FUTURE);
    assert_int_equal(verify_payload("{\"sub\":\"x\"}", &p), SLSEC_JWT_MISSING_EXP);
    assert_int_equal(verify_payload("{\"exp\":\"tomorrow\"}", &p), SLSEC_JWT_MALFORMED);
    p.require_exp = false;
    assert_int_equal(verify_payload("{\"sub\":\"x\"}", &p), SLSEC_JWT_OK);
}

static void issuer_and_audience(void **state)
{
    (void)state;
    slsec_jwt_policy p = policy();
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"iss\":\"https://issuer.example\",\"aud\":\"billing\"}", &p),
                     SLSEC_JWT_BAD_AUDIENCE);
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"iss\":\"https://issuer.example\",\"aud\":[\"billing\",\"orders\"]}", &p),
                     SLSEC_JWT_OK);
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"iss\":\"https://issuer.example\"}", &p), SLSEC_JWT_BAD_AUDIENCE);
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"iss\":\"https://issuer.example.evil\",\"aud\":\"orders\"}", &p),
                     SLSEC_JWT_BAD_ISSUER);
    assert_int_equal(verify_payload("{\"exp\":1800000600,\"aud\":\"orders\"}", &p), SLSEC_JWT_BAD_ISSUER);
}

static void malformed_tokens(void **state)
{
    (void)state;
    const char *bad[] = {"", "a", "a.b", "a.b.c.d", "!!!.e30.", "e30.e30.", "W10.e30.AAAA",
                         "eyJhbGciOiJIUzI1NiJ9.e30", "eyJhbGciOiJIUzI1NiJ9..", "eyJhbGciOjF9.e30.AA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        slsec_jwt_status st = verify(bad[i]);
        assert_true(st == SLSEC_JWT_MALFORMED || st == SLSEC_JWT_UNKNOWN_KID);
        assert_int_not_equal(st, SLSEC_JWT_OK);
    }
    /* crit extensions we do not understand */
    char *tok = sign_as("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs1\",\"crit\":[\"exp\"]}", standard_payload, false);
    assert_int_equal(verify(tok), SLSEC_JWT_MALFORMED);
    free(tok);
    char big[SLSEC_GUARD_MAX_TOKEN_BYTES + 10];
    memset(big, 'a', sizeof big);
    assert_int_equal(slsec_jwt_verify(keys, NULL, big, sizeof big, NOW, NULL), SLSEC_JWT_TOO_LONG);
}

static void bad_jwks_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "{}", "{\"keys\":[]}", "[1]", "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2hvcnQ\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"RS256\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
        "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"HS256\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", /* far too short */
        "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"none\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},"
        "{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"use\":\"enc\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        slsec_jwks *k = NULL;
        slsec_diag d = {0};
        assert_int_not_equal(slsec_jwks_parse("bad.jwks", bad[i], strlen(bad[i]), &k, &d), SLSEC_OK);
        assert_null(k);
        assert_true(d.message[0] != '\0');
    }
}

static void base64url_is_strict(void **state)
{
    (void)state;
    unsigned char out[16];
    size_t n;
    assert_true(slsec_base64url_decode("AQAB", 4, out, &n));
    assert_int_equal(n, 3);
    assert_false(slsec_base64url_decode("AQA=", 4, out, &n)); /* padding */
    assert_false(slsec_base64url_decode("AQ+B", 4, out, &n)); /* standard alphabet */
    assert_false(slsec_base64url_decode("A", 1, out, &n));
    assert_false(slsec_base64url_decode("AR", 2, out, &n)); /* non-zero leftover bits */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_algorithm_verifies),   cmocka_unit_test(alg_none_is_refused),
        cmocka_unit_test(rs_hs_confusion_is_impossible), cmocka_unit_test(kid_is_looked_up_exactly),
        cmocka_unit_test(tampering_breaks_the_signature), cmocka_unit_test(time_claims_with_leeway),
        cmocka_unit_test(issuer_and_audience),       cmocka_unit_test(malformed_tokens),
        cmocka_unit_test(bad_jwks_are_refused),      cmocka_unit_test(base64url_is_strict),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
