/*
 * test_deps_lockfiles.c — every lockfile reader on its fixture
 * (tests/fixtures/deps/lockfiles), as data: each case names a lockfile
 * and the exact packages expected from it, one line each,
 *   "ecosystem name version line[ dev][ direct]",
 * in lockfile order, plus the warnings expected (by substring). Then the
 * bad inputs: a lockfile that is not what its name says, truncated files,
 * and each fixture cut at every length (no crash, no leak).
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

#define FIX SLSEC_SOURCE_DIR "/tests/fixtures/deps/lockfiles/"

static char *describe(const slsec_ptrvec *pkgs)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (size_t i = 0; i < pkgs->count; i++) {
        const slsec_package *p = pkgs->items[i];
        slsec_buf_printf(&b, "%s %s %s %d%s%s\n", slsec_ecosystem_name(p->eco), p->name, p->version, p->loc.line,
                         p->dev ? " dev" : "", p->direct ? " direct" : "");
    }
    slsec_buf_putc(&b, '\0');
    return b.data;
}

static void expect_lockfile(const char *rel, const char *expected, const char *warning)
{
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec pkgs = {0};
    slsec_diags w = {0};
    char path[1024];
    snprintf(path, sizeof path, FIX "%s", rel);
    int rc = slsec_lockfile_read(a, FIX, path, rel, &pkgs, &w);
    assert_int_equal(rc, SLSEC_OK);
    char *got = describe(&pkgs);
    if (strcmp(got, expected) != 0)
        fprintf(stderr, "%s: expected\n%sgot\n%s", rel, expected, got);
    assert_string_equal(got, expected);
    free(got);
    if (warning) {
        bool found = false;
        for (size_t i = 0; i < w.count; i++)
            found |= strstr(w.items[i].message, warning) != NULL;
        if (!found)
            fprintf(stderr, "%s: no warning containing '%s' among %zu\n", rel, warning, w.count);
        assert_true(found);
    } else {
        for (size_t i = 0; i < w.count; i++)
            fprintf(stderr, "unexpected warning: %s:%d: %s\n", w.items[i].file, w.items[i].line,
                    w.items[i].message);
        assert_int_equal(w.count, 0);
    }
    slsec_diags_clear(&w);
    slsec_arena_free(a);
}

static void npm_v3(void **s)
{
    (void)s;
    expect_lockfile("npm-v3/package-lock.json",
                    "npm lodash 4.17.20 18 direct\n"
                    "npm minimist 1.2.5 22 dev\n"
                    "npm mocha-lite 1.0.0 26 dev direct\n"
                    "npm wrapper 1.0.0 30 direct\n"
                    "npm lodash 4.17.21 33\n"
                    "npm slsec-test-pre 2.0.0-rc.1 36\n",
                    NULL);
}

static void npm_v1(void **s)
{
    (void)s;
    expect_lockfile("npm-v1/package-lock.json",
                    "npm lodash 4.17.15 7\n"
                    "npm mkdirp 0.5.1 11 dev\n"
                    "npm minimist 0.0.8 15 dev\n"
                    "npm minimist 1.2.6 21\n",
                    NULL);
}

static void yarn_v1(void **s)
{
    (void)s;
    expect_lockfile("yarn-v1/yarn.lock",
                    "npm @babel/code-frame 7.12.13 5\n"
                    "npm lodash 4.17.20 11\n"
                    "npm string-width 4.2.3 15\n",
                    NULL);
}

static void yarn_berry(void **s)
{
    (void)s;
    expect_lockfile("yarn-berry/yarn.lock", "npm minimist 1.2.5 16\n", NULL);
}

static void pnpm(void **s)
{
    (void)s;
    expect_lockfile("pnpm-v5/pnpm-lock.yaml",
                    "npm lodash 4.17.20 14 direct\n"
                    "npm minimist 1.2.5 18 dev direct\n"
                    "npm @babel/core 7.20.0 22 dev\n",
                    NULL);
    expect_lockfile("pnpm-v6/pnpm-lock.yaml",
                    "npm lodash 4.17.20 17 direct\n"
                    "npm minimist 1.2.5 21 dev direct\n"
                    "npm @types/node 20.1.0 25 dev\n",
                    NULL);
    expect_lockfile("pnpm-v9/pnpm-lock.yaml",
                    "npm lodash 4.17.20 20 direct\n"
                    "npm minimist 1.2.5 23 dev direct\n",
                    NULL);
}

static void requirements(void **s)
{
    (void)s;
    expect_lockfile("pip/requirements.txt",
                    "PyPI certifi 2022.12.7 1 direct\n"
                    "PyPI requests 2.30.0 3 direct\n"
                    "PyPI Slsec_Test.Pkg 1.0 6 direct\n"
                    "PyPI urllib3 1.26.5 8 direct\n",
                    NULL);
    expect_lockfile("pip/requirements-dev.txt", "PyPI pytest 7.4.0 1 dev direct\n", "outside the scanned folder");
}

static void toml_locks(void **s)
{
    (void)s;
    expect_lockfile("poetry/poetry.lock",
                    "PyPI requests 2.31.0 4\n"
                    "PyPI pytest 7.4.0 17 dev\n",
                    NULL);
    expect_lockfile("uv/uv.lock", "PyPI requests 2.29.0 13\n", NULL);
    expect_lockfile("cargo/Cargo.lock", "crates.io smallvec 1.6.0 13\n", NULL);
}

static void pipfile(void **s)
{
    (void)s;
    expect_lockfile("pipenv/Pipfile.lock",
                    "PyPI requests 2.28.0 7\n"
                    "PyPI pytest 7.4.0 16 dev\n",
                    NULL);
}

static void go(void **s)
{
    (void)s;
    expect_lockfile("go/go.mod",
                    "Go github.com/aws/aws-lambda-go v1.41.0 5 direct\n"
                    "Go golang.org/x/text v0.3.2 8\n"
                    "Go golang.org/x/net v0.17.0 9 direct\n",
                    NULL);
    /* go.sum beside a go.mod adds nothing; alone, its modules count once */
    expect_lockfile("go/go.sum", "", NULL);
    expect_lockfile("gosum-only/go.sum", "Go golang.org/x/text v0.3.0 1\n", NULL);
}

static void gemfile(void **s)
{
    (void)s;
    /* GIT specs are not from rubygems.org; platforms are cut off */
    expect_lockfile("ruby/Gemfile.lock",
                    "RubyGems mini_portile2 2.8.0 10\n"
                    "RubyGems nokogiri 1.13.9 11 direct\n"
                    "RubyGems racc 1.6.0 13\n"
                    "RubyGems rack 2.2.3 14 direct\n",
                    NULL);
}

static void composer(void **s)
{
    (void)s;
    /* branch checkouts (dev-main) are not releases */
    expect_lockfile("composer/composer.lock",
                    "Packagist guzzlehttp/guzzle 7.4.2 7\n"
                    "Packagist monolog/monolog v2.9.1 13\n"
                    "Packagist phpunit/phpunit 9.6.13 25 dev\n",
                    NULL);
}

static void maven(void **s)
{
    (void)s;
    /* a property resolves; ${project.version}, ranges, comments and plugin
     * dependencies do not count */
    expect_lockfile("maven/pom.xml",
                    "Maven org.apache.logging.log4j:log4j-core 2.14.1 13 direct\n"
                    "Maven com.amazonaws:aws-lambda-java-core 1.2.3 18 direct\n"
                    "Maven junit:junit 4.13.2 34 dev direct\n",
                    NULL);
}

/* ---- bad input -------------------------------------------------------------------------- */

static int parse_bytes(const char *name, const char *data, size_t *warnings, size_t *count)
{
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec pkgs = {0};
    slsec_diags w = {0};
    int rc = slsec_lockfile_parse(a, name, data, strlen(data), &pkgs, &w);
    *warnings = w.count;
    *count = pkgs.count;
    slsec_diags_clear(&w);
    slsec_arena_free(a);
    return rc;
}

static void not_what_the_name_says(void **s)
{
    (void)s;
    size_t w, n;
    assert_int_not_equal(parse_bytes("package-lock.json", "this is not json {", &w, &n), SLSEC_OK);
    assert_true(w >= 1);
    assert_int_not_equal(parse_bytes("package-lock.json", "{\"hello\": 1}", &w, &n), SLSEC_OK);
    assert_int_equal(w, 1);
    assert_int_not_equal(parse_bytes("pnpm-lock.yaml", "- a\n- b\n", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("yarn.lock", "just some words\n", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("poetry.lock", "name = \"x\"\n", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("Pipfile.lock", "[1, 2]", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("go.mod", "hello\n", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("Gemfile.lock", "    nokogiri (1.0)\n", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("composer.lock", "{\"name\": \"x\"}", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("pom.xml", "<html><body>hi</body></html>", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("pom.xml", "not xml at all", &w, &n), SLSEC_OK);
    assert_int_not_equal(parse_bytes("pom.xml", "<project><</project>", &w, &n), SLSEC_OK);
    /* empty files hold no packages and are no error */
    assert_int_equal(parse_bytes("requirements.txt", "", &w, &n), SLSEC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(parse_bytes("yarn.lock", "", &w, &n), SLSEC_OK);
    assert_false(slsec_lockfile_name("package.json"));
    assert_true(slsec_lockfile_name("requirements-prod.txt"));
    assert_true(slsec_lockfile_name("npm-shrinkwrap.json"));
}

/* Every prefix of every fixture: readers must stop cleanly anywhere. */
static void truncated(void **s)
{
    (void)s;
    static const char *const files[] = {
        "npm-v3/package-lock.json", "yarn-v1/yarn.lock",       "yarn-berry/yarn.lock", "pnpm-v6/pnpm-lock.yaml",
        "pip/requirements.txt",     "poetry/poetry.lock",      "uv/uv.lock",           "pipenv/Pipfile.lock",
        "cargo/Cargo.lock",         "go/go.mod",               "gosum-only/go.sum",    "npm-v1/package-lock.json",
        "ruby/Gemfile.lock",        "composer/composer.lock",  "maven/pom.xml",
    };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[1024];
        snprintf(path, sizeof path, FIX "%s", files[f]);
        char *data;
        size_t len;
        slsec_diag d;
        assert_int_equal(slsec_read_file(path, 1 << 20, &data, &len, &d), SLSEC_OK);
        for (size_t cut = 0; cut <= len; cut += 1 + cut / 64) {
            char *copy = malloc(cut + 1);
            assert_non_null(copy);
            memcpy(copy, data, cut);
            copy[cut] = '\0';
            slsec_arena *a = slsec_arena_new();
            slsec_ptrvec pkgs = {0};
            slsec_diags w = {0};
            slsec_lockfile_parse(a, files[f], copy, cut, &pkgs, &w);
            slsec_diags_clear(&w);
            slsec_arena_free(a);
            free(copy);
        }
        free(data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npm_v3),       cmocka_unit_test(npm_v1),    cmocka_unit_test(yarn_v1),
        cmocka_unit_test(yarn_berry),   cmocka_unit_test(pnpm),      cmocka_unit_test(requirements),
        cmocka_unit_test(toml_locks),   cmocka_unit_test(pipfile),   cmocka_unit_test(go),
        cmocka_unit_test(gemfile),      cmocka_unit_test(composer),  cmocka_unit_test(maven),
        cmocka_unit_test(not_what_the_name_says), cmocka_unit_test(truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
