/*
 * test_sign.c — src/sign: BLAKE2b against RFC 7693 and reference digests
 * (also fed in pieces), strict base64, the minisign file parsers on good
 * and bad input, a sign/verify round trip with every kind of tampering,
 * the DSSE pre-authentication encoding, and an attestation round trip.
 * Interoperability with the real minisign is tests/cli/test_sign.sh.
 */
#include "slsec/sign.h"
#include "../../src/sign/sign_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include <cmocka.h>

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void test_blake2b(void **state)
{
    (void)state;
    uint8_t out[64];
    char h[129];
    blake2b_ctx c;
    blake2b_init(&c, 64);
    blake2b_update(&c, "abc", 3);
    blake2b_final(&c, out);
    hex(out, 64, h);
    /* RFC 7693, Appendix A. */
    assert_string_equal(h, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                           "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    blake2b_init(&c, 32);
    blake2b_update(&c, "abc", 3);
    blake2b_final(&c, out);
    hex(out, 32, h);
    assert_string_equal(h, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    /* 1000 bytes across block boundaries: one-shot equals byte-by-byte and
     * equals OpenSSL's BLAKE2b-512 of the same file. */
    uint8_t data[1000], a[64], b[64], o[64];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    blake2b_init(&c, 64);
    blake2b_update(&c, data, sizeof data);
    blake2b_final(&c, a);
    blake2b_init(&c, 64);
    for (size_t i = 0; i < sizeof data; i++)
        blake2b_update(&c, data + i, 1);
    blake2b_final(&c, b);
    assert_memory_equal(a, b, 64);
    char path[] = "/tmp/slsec-test-b2-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, sizeof data), (int)sizeof data);
    close(fd);
    slsec_diag d;
    assert_int_equal(slsec_blake2b512_file(path, o, &d), SLSEC_OK);
    assert_memory_equal(a, o, 64);
    unlink(path);
}

static void test_base64(void **state)
{
    (void)state;
    unsigned char *out;
    size_t n;
    char *s = slsec_base64_encode("hello", 5);
    assert_string_equal(s, "aGVsbG8=");
    assert_true(slsec_base64_decode(s, strlen(s), &out, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(out, "hello", 5);
    free(out);
    free(s);
    assert_false(slsec_base64_decode("aGVsbG8", 7, &out, &n));   /* no padding */
    assert_false(slsec_base64_decode("aGVs*G8=", 8, &out, &n));  /* bad character */
    assert_false(slsec_base64_decode("aGVsbG9=", 8, &out, &n));  /* non-zero pad bits */
    assert_false(slsec_base64_decode("aG=sbG8=", 8, &out, &n));  /* '=' inside */
}

static const char good_sig[] =
    "untrusted comment: signature from slsec secret key\n"
    "RUTYMYqAWJeWVkffW8LCR2PaN345COxv3w25cDpKvAQDv/KyYIZbhV8FPO7X3PxtVCvuexm6gbMnFuDPFWnsNrJCV14AScPnNwY=\n"
    "trusted comment: build 42\n"
    "gCJhYRsf9ZbUPRzeGKKCcbZqTK7+I8lmiSGS5cruCVWuk0HV6yGy9k59eymiT+CLv+CVsTVZ4e5KG1zDAagvAg==\n";

static int parse_sig(const char *text, slsec_diag *d)
{
    slsec_minisig *s = malloc(sizeof *s);
    int rc = slsec_minisig_parse(text, strlen(text), "t.minisig", s, d);
    free(s);
    return rc;
}

static void test_minisig_parse(void **state)
{
    (void)state;
    slsec_diag d;
    slsec_minisig *s = malloc(sizeof *s);
    assert_int_equal(slsec_minisig_parse(good_sig, strlen(good_sig), "t.minisig", s, &d), SLSEC_OK);
    assert_string_equal(s->trusted, "build 42");
    assert_false(s->legacy);
    char id[17];
    slsec_keyid_hex(s->keyid, id);
    assert_string_equal(id, "56969758808A31D8");
    free(s);

    char buf[20000];
    /* Two lines only. */
    snprintf(buf, sizeof buf, "%.*s", (int)(strchr(strchr(good_sig, '\n') + 1, '\n') - good_sig + 1), good_sig);
    assert_int_equal(parse_sig(buf, &d), SLSEC_EPARSE);
    assert_non_null(strstr(d.message, "truncated"));
    /* An extra line. */
    snprintf(buf, sizeof buf, "%sextra\n", good_sig);
    assert_int_equal(parse_sig(buf, &d), SLSEC_EPARSE);
    assert_int_equal(d.line, 5);
    /* A trailing empty line is fine; CRLF too. */
    snprintf(buf, sizeof buf, "%s\n", good_sig);
    assert_int_equal(parse_sig(buf, &d), SLSEC_OK);
    /* Wrong base64 in the signature line. */
    snprintf(buf, sizeof buf, "%s", good_sig);
    strchr(buf, '\n')[3] = '!';
    assert_int_equal(parse_sig(buf, &d), SLSEC_EPARSE);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.message, "base64"));
    /* A trusted comment over 8 KB. */
    int n = snprintf(buf, sizeof buf, "untrusted comment: x\n%.*s\ntrusted comment: ", 100, strchr(good_sig, '\n') + 1);
    memset(buf + n, 'a', 8200);
    snprintf(buf + n + 8200, sizeof buf - (size_t)n - 8200, "\n%s", strstr(good_sig, "gCJh"));
    assert_int_equal(parse_sig(buf, &d), SLSEC_ELIMIT);
    assert_int_equal(d.line, 3);
    /* A NUL byte. */
    slsec_minisig *s2 = malloc(sizeof *s2);
    assert_int_equal(slsec_minisig_parse(good_sig, sizeof good_sig, "t.minisig", s2, &d), SLSEC_EPARSE);
    free(s2);
}

static void test_pubkey_parse(void **state)
{
    (void)state;
    slsec_pubkey k;
    slsec_diag d;
    const char *file = "untrusted comment: minisign public key 56969758808A31D8\n"
                       "RWTYMYqAWJeWVt8w4AfrCyl/zeIA1IU0hqGKBXfTli5mAg9GYULZviK5\n";
    assert_int_equal(slsec_pubkey_parse(file, strlen(file), "k.pub", &k, &d), SLSEC_OK);
    const char *bare = "RWTYMYqAWJeWVt8w4AfrCyl/zeIA1IU0hqGKBXfTli5mAg9GYULZviK5";
    slsec_pubkey k2;
    assert_int_equal(slsec_pubkey_parse(bare, strlen(bare), "-P", &k2, &d), SLSEC_OK);
    assert_memory_equal(&k, &k2, sizeof k);
    const char *shortk = "RWTYMYqAWJeWVt8w4AfrCyl/zeIA1IU0hqGKBXfTli5mAg9GYULZ";
    assert_int_equal(slsec_pubkey_parse(shortk, strlen(shortk), "-P", &k2, &d), SLSEC_EPARSE);
    assert_non_null(strstr(d.message, "bytes"));
}

typedef struct files {
    char dir[64], pub[96], sec[96], art[96], sig[96], att[96];
} files;

static void make_files(files *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/slsec-test-sign-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->pub, sizeof f->pub, "%s/k.pub", f->dir);
    snprintf(f->sec, sizeof f->sec, "%s/k.key", f->dir);
    snprintf(f->art, sizeof f->art, "%s/app.zip", f->dir);
    snprintf(f->sig, sizeof f->sig, "%s/app.zip.minisig", f->dir);
    snprintf(f->att, sizeof f->att, "%s/app.zip.intoto.jsonl", f->dir);
    FILE *fp = fopen(f->art, "wb");
    for (int i = 0; i < 300000; i++)
        fputc(i * 31, fp);
    fclose(fp);
    slsec_diag d;
    assert_int_equal(slsec_keygen(f->pub, f->sec, NULL, false, NULL, &d), SLSEC_OK);
    struct stat st;
    assert_int_equal(stat(f->sec, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* An existing key is kept. */
    assert_int_equal(slsec_keygen(f->pub, f->sec, NULL, false, NULL, &d), SLSEC_EUSAGE);
}

static void remove_files(files *f)
{
    unlink(f->pub);
    unlink(f->sec);
    unlink(f->art);
    unlink(f->sig);
    unlink(f->att);
    rmdir(f->dir);
}

/* Flips one byte of a file at `off` (from the end when negative). */
static void flip(const char *path, long off)
{
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, off, off < 0 ? SEEK_END : SEEK_SET);
    long at = ftell(fp);
    int c = fgetc(fp);
    fseek(fp, at, SEEK_SET);
    fputc(c ^ 1, fp);
    fclose(fp);
}

static void test_sign_verify(void **state)
{
    (void)state;
    files f;
    make_files(&f);
    slsec_seckey sk;
    slsec_pubkey pk;
    slsec_diag d;
    char tc[SLSEC_MAX_TRUSTED_COMMENT + 1];
    assert_int_equal(slsec_seckey_load(f.sec, NULL, &sk, &d), SLSEC_OK);
    assert_int_equal(slsec_pubkey_load(f.pub, &pk, &d), SLSEC_OK);
    assert_memory_equal(sk.keyid, pk.keyid, 8);
    assert_int_equal(slsec_sign_file(&sk, f.art, f.sig, "build 42", NULL, &d), SLSEC_OK);
    assert_int_equal(slsec_verify_file(&pk, f.art, f.sig, false, tc, &d), SLSEC_OK);
    assert_string_equal(tc, "build 42");
    /* The file changed. */
    flip(f.art, 150000);
    assert_int_equal(slsec_verify_file(&pk, f.art, f.sig, false, tc, &d), SLSEC_SIGN_BAD);
    assert_non_null(strstr(d.message, "signature verification failed"));
    flip(f.art, 150000);
    /* The trusted comment changed ('build 42' -> 'build 43'). */
    assert_int_equal(slsec_sign_file(&sk, f.art, f.sig, "build 42", NULL, &d), SLSEC_OK);
    flip(f.sig, -91);
    assert_int_equal(slsec_verify_file(&pk, f.art, f.sig, false, tc, &d), SLSEC_SIGN_BAD);
    assert_non_null(strstr(d.message, "trusted comment"));
    /* Another key. */
    slsec_pubkey other = pk;
    other.keyid[0] ^= 1;
    assert_int_equal(slsec_sign_file(&sk, f.art, f.sig, NULL, NULL, &d), SLSEC_OK);
    assert_int_equal(slsec_verify_file(&other, f.art, f.sig, false, tc, &d), SLSEC_SIGN_BAD);
    assert_non_null(strstr(d.message, "key id mismatch"));
    /* A folder for a key. */
    assert_int_equal(slsec_pubkey_load(f.dir, &pk, &d), SLSEC_EIO);
    assert_non_null(strstr(d.message, "folder"));
    /* A comment of two lines is refused. */
    assert_int_equal(slsec_sign_file(&sk, f.art, f.sig, "a\nb", NULL, &d), SLSEC_EUSAGE);

    /* Provenance. */
    const char *params[] = {"ref=main"};
    slsec_attest_opts o = {.builder_id = "https://ci.example/b", .build_type = "https://ci.example/t",
                           .params = params, .nparams = 1};
    assert_int_equal(slsec_attest_file(&sk, f.art, f.att, &o, &d), SLSEC_OK);
    char b[512], t[512];
    slsec_attest_expect e = {.builder_id = "https://ci.example/b"};
    assert_int_equal(slsec_attest_verify(&pk, f.art, f.att, &e, b, t, &d), SLSEC_OK);
    assert_string_equal(t, "https://ci.example/t");
    e.build_type = "https://other/t";
    assert_int_equal(slsec_attest_verify(&pk, f.art, f.att, &e, b, t, &d), SLSEC_SIGN_BAD);
    assert_non_null(strstr(d.message, "build type"));
    flip(f.art, 7);
    assert_int_equal(slsec_attest_verify(&pk, f.art, f.att, NULL, b, t, &d), SLSEC_SIGN_BAD);
    assert_non_null(strstr(d.message, "subject digest"));
    flip(f.art, 7);
    flip(f.att, 60); /* inside the base64 payload */
    assert_int_equal(slsec_attest_verify(&pk, f.art, f.att, NULL, b, t, &d) != SLSEC_OK, 1);
    OPENSSL_cleanse(&sk, sizeof sk);
    remove_files(&f);
}

static void test_pae(void **state)
{
    (void)state;
    size_t n;
    unsigned char *p = slsec_dsse_pae("http://example.com/HelloWorld", (const unsigned char *)"hello world", 11, &n);
    const char *want = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blake2b),      cmocka_unit_test(test_base64),
        cmocka_unit_test(test_minisig_parse), cmocka_unit_test(test_pubkey_parse),
        cmocka_unit_test(test_sign_verify),  cmocka_unit_test(test_pae),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
