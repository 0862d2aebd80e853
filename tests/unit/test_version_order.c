/*
 * test_version_order.c — slsec_version_cmp (SemVer, PEP 440, RubyGems,
 * Maven, Packagist)
 * against the comparator vectors
 * of google/osv-scanner (tests/fixtures/version-order, copied with their
 * origin noted): every "a < b", "a = b", "a > b" line is checked in both
 * directions, so an order that is not antisymmetric fails too. Plus the
 * cases the OSV matching relies on that the vectors leave out.
 */
#include "slsec/deps.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int sign(int c) { return c < 0 ? -1 : c > 0; }

/* Runs every comparison of one vector file; returns how many were checked. */
static size_t run_vectors(slsec_ecosystem eco, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/version-order/%s", SLSEC_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    size_t checked = 0, failed = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || strncmp(line, "//", 2) == 0 || line[0] == '#')
            continue;
        char a[512], op[4], b[512];
        if (sscanf(line, "%511s %3s %511s", a, op, b) != 3)
            continue;
        int want = op[0] == '<' ? -1 : op[0] == '>' ? 1 : 0;
        int got = 2, back = 2;
        int rc1 = slsec_version_cmp(eco, a, b, &got);
        int rc2 = slsec_version_cmp(eco, b, a, &back);
        if (rc1 != SLSEC_OK || rc2 != SLSEC_OK || sign(got) != want || sign(back) != -want) {
            fprintf(stderr, "%s:%zu: %s (got %d, reversed %d, rc %d/%d)\n", name, lineno, line, got, back,
                    rc1, rc2);
            failed++;
        }
        checked++;
    }
    fclose(f);
    assert_int_equal(failed, 0);
    return checked;
}

static void semver_vectors(void **state)
{
    (void)state;
    assert_true(run_vectors(SLSEC_ECO_NPM, "semver-versions.txt") > 80);
}

static void pypi_vectors(void **state)
{
    (void)state;
    assert_true(run_vectors(SLSEC_ECO_PYPI, "pypi-versions.txt") >= 37);
}

static void pypi_generated_vectors(void **state)
{
    (void)state;
    assert_true(run_vectors(SLSEC_ECO_PYPI, "pypi-versions-generated.txt") > 12000);
}

static void rubygems_vectors(void **state)
{
    (void)state;
    assert_true(run_vectors(SLSEC_ECO_RUBYGEMS, "rubygems-versions.txt") >= 25);
    assert_true(run_vectors(SLSEC_ECO_RUBYGEMS, "rubygems-versions-generated.txt") > 4000);
}

static void maven_vectors(void **state)
{
    (void)state;
    assert_true(run_vectors(SLSEC_ECO_MAVEN, "maven-versions.txt") >= 80);
    assert_true(run_vectors(SLSEC_ECO_MAVEN, "maven-versions-generated.txt") > 14000);
}

static void packagist_vectors(void **state)
{
    (void)state;
    assert_true(run_vectors(SLSEC_ECO_PACKAGIST, "packagist-versions.txt") >= 80);
}

/* Found by fuzz_lockfile: 63 separators and a trailing one overflowed
 * the token array. Too many tokens is an unreadable version. */
static void maven_token_limit(void **state)
{
    (void)state;
    char many[200];
    memset(many, '-', sizeof many - 1);
    many[0] = '1';
    many[sizeof many - 1] = '\0';
    int c;
    assert_int_equal(slsec_version_cmp(SLSEC_ECO_MAVEN, many, "1", &c), SLSEC_EPARSE);
    char dots[129]; /* "1." 64 times: 64 tokens, then a trailing separator */
    for (size_t i = 0; i < sizeof dots - 1; i++)
        dots[i] = i % 2 ? '.' : '1';
    dots[sizeof dots - 1] = '\0';
    assert_int_equal(slsec_version_cmp(SLSEC_ECO_MAVEN, dots, "1", &c), SLSEC_EPARSE);
}

static int cmp(slsec_ecosystem e, const char *a, const char *b)
{
    int c = 99;
    assert_int_equal(slsec_version_cmp(e, a, b, &c), SLSEC_OK);
    return sign(c);
}

static void extra_cases(void **state)
{
    (void)state;
    /* Go: pseudo-versions are pre-releases of the next patch. */
    assert_int_equal(cmp(SLSEC_ECO_GO, "v0.0.0-20191109021931-daa7c04131f5", "0.0.0"), -1);
    assert_int_equal(cmp(SLSEC_ECO_GO, "v1.2.4-0.20191109021931-daa7c04131f5", "1.2.3"), 1);
    assert_int_equal(cmp(SLSEC_ECO_GO, "v1.2.4-0.20191109021931-daa7c04131f5", "1.2.4"), -1);
    /* crates.io and npm: pre-releases before their release. */
    assert_int_equal(cmp(SLSEC_ECO_CRATES, "1.0.0-rc.1", "1.0.0"), -1);
    assert_int_equal(cmp(SLSEC_ECO_NPM, "4.17.21", "4.17.21"), 0);
    assert_int_equal(cmp(SLSEC_ECO_NPM, "4.17.20", "4.17.21"), -1);
    /* PEP 440 epochs, spellings, implicit numbers. */
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "1!0.1", "2.0"), 1);
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "1.0alpha1", "1.0a1"), 0);
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "1.0-rc", "1.0rc0"), 0);
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "1.0.post", "1.0.post0"), 0);
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "V1.0", "1.0.0"), 0);
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "1.0.dev1", "1.0a1"), -1);
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "1.0a1.post1", "1.0a2"), -1);
    /* Unreadable SemVer is an error, not an order. */
    int c;
    assert_int_equal(slsec_version_cmp(SLSEC_ECO_NPM, "latest", "1.0.0", &c), SLSEC_EPARSE);
    assert_int_equal(slsec_version_cmp(SLSEC_ECO_NPM, "", "1.0.0", &c), SLSEC_EPARSE);
    /* Huge numbers compare as numbers, without overflow. */
    assert_int_equal(cmp(SLSEC_ECO_PYPI, "99999999999999999999999.1", "99999999999999999999998.9"), 1);
}

static void names(void **state)
{
    (void)state;
    slsec_arena *a = slsec_arena_new();
    assert_string_equal(slsec_package_name_norm(a, SLSEC_ECO_PYPI, "Django_REST.framework"),
                        "django-rest-framework");
    assert_string_equal(slsec_package_name_norm(a, SLSEC_ECO_PYPI, "a--_b"), "a-b");
    assert_string_equal(slsec_package_name_norm(a, SLSEC_ECO_NPM, "@Scope/Pkg"), "@Scope/Pkg");
    slsec_ecosystem e;
    assert_true(slsec_ecosystem_parse("PyPI", &e));
    assert_int_equal(e, SLSEC_ECO_PYPI);
    assert_false(slsec_ecosystem_parse("pypi", &e));
    assert_true(slsec_ecosystem_parse("Maven", &e));
    assert_int_equal(e, SLSEC_ECO_MAVEN);
    assert_true(slsec_ecosystem_parse("Packagist", &e));
    assert_string_equal(slsec_package_name_norm(a, SLSEC_ECO_PACKAGIST, "Symfony/HTTP-Kernel"),
                        "symfony/http-kernel");
    assert_string_equal(slsec_package_name_norm(a, SLSEC_ECO_MAVEN, "org.apache.logging.log4j:log4j-core"),
                        "org.apache.logging.log4j:log4j-core");
    slsec_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(semver_vectors), cmocka_unit_test(pypi_vectors),
        cmocka_unit_test(pypi_generated_vectors), cmocka_unit_test(rubygems_vectors), cmocka_unit_test(maven_vectors),
        cmocka_unit_test(packagist_vectors), cmocka_unit_test(maven_token_limit), cmocka_unit_test(extra_cases), cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
