/*
 * test_gitignore.c — src/scan/gitignore.c against git's own answers.
 *
 * One work tree with a .gitignore at its top and one below, an
 * info/exclude and a global excludes file (HOME and XDG_CONFIG_HOME point
 * into the scratch folder, so the user's own configuration stays out);
 * each path has its expected verdict written here, and where `git` is
 * installed every verdict is also checked against `git check-ignore
 * --no-index` on the same tree (skipped, saying so, without git).
 */
#include "scan/gitignore.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char root[64];

static void write_file(const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char top_ignore[] = "# a comment, then patterns\n"
                                 "*.log\n"
                                 "!keep.log\n"
                                 "/build\n"
                                 "dist/\n"
                                 "docs/**/*.tmp\n"
                                 "**/cache\n"
                                 "a/**/b\n"
                                 "foo?.txt\n"
                                 "[abc]x.md\n"
                                 "[!abc]y.md\n"
                                 "\\#hash\n"
                                 "secret/\n"
                                 "!secret/ok.txt\n"
                                 "deep/**\n"
                                 "*.py[cod]\n"
                                 "spaced   \n"
                                 "r[0-9][[:alpha:]]\n";

static const char sub_ignore[] = "*.txt\n"
                                 "!important.txt\n"
                                 "/local\n";

static const struct {
    const char *path;
    bool ignored;
} cases[] = {
    {"app.log", true},
    {"keep.log", false},
    {"sub/app.log", true},
    {"sub/keep.log", false},
    {"build/x.js", true},
    {"sub/build/x.js", false}, /* /build is anchored to the top */
    {"dist/x.js", true},
    {"sub/dist/y.js", true},
    {"docs/a.tmp", true},
    {"docs/x/y/z.tmp", true},
    {"other/a.tmp", false},
    {"cache/x", true},
    {"sub/cache/y", true},
    {"cachex", false},
    {"a/b", true},
    {"a/x/b", true},
    {"a/x/y/b", true},
    {"ab", false},
    {"foo1.txt", true},
    {"foo12.txt", false},
    {"ax.md", true},
    {"dx.md", false},
    {"ay.md", false},
    {"dy.md", true},
    {"#hash", true},
    {"secret/ok.txt", true}, /* inside an ignored directory: no way back */
    {"deep/x/y", true},
    {"x.pyc", true},
    {"x.pyx", false},
    {"spaced", true},
    {"r1a", true},
    {"r12", false},
    {"sub/readme.txt", true},
    {"sub/deeper/notes.txt", true},
    {"sub/important.txt", false},
    {"sub/local", true},
    {"sub/x/local", false},
    {"readme.txt", false},
    {"excluded_by_info", true},
    {"sub/excluded_by_info", true},
    {"x.swp", true},
    {"normal.js", false},
};

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/slsec-test-gitignore-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    write_file(".git/info/exclude", "excluded_by_info\n");
    write_file(".git/HEAD", "ref: refs/heads/main\n");
    write_file(".gitignore", top_ignore);
    write_file("sub/.gitignore", sub_ignore);
    write_file("home/xdg/git/ignore", "*.swp\n");
    char home[PATH_MAX], xdg[PATH_MAX];
    snprintf(home, sizeof home, "%s/home", root);
    snprintf(xdg, sizeof xdg, "%s/home/xdg", root);
    setenv("HOME", home, 1);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_expected_verdicts(void **state)
{
    (void)state;
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/sub", root);
    mkdir(sub, 0755);
    slsec_gitignore *g = slsec_gitignore_open(sub); /* found from below the top */
    assert_non_null(g);
    char real[PATH_MAX];
    assert_non_null(realpath(root, real));
    assert_string_equal(slsec_gitignore_workdir(g), real);
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = slsec_gitignore_ignored(g, cases[i].path, false);
        if (got != cases[i].ignored) {
            fprintf(stderr, "%s: expected %s, got %s\n", cases[i].path, cases[i].ignored ? "ignored" : "kept",
                    got ? "ignored" : "kept");
            wrong++;
        }
    }
    assert_true(slsec_gitignore_ignored(g, ".git/config", false));
    assert_true(slsec_gitignore_ignored(g, "dist", true));
    assert_false(slsec_gitignore_ignored(g, "secret", false)); /* secret/ names directories only */
    slsec_gitignore_free(g);
    assert_int_equal(wrong, 0);
}

static void test_same_as_git(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "cd '%s' && git init -q . >/dev/null 2>&1", root);
    if (system("git --version >/dev/null 2>&1") != 0 || system(cmd) != 0) {
        fprintf(stderr, "skip: git is not installed; verdicts checked against the table only\n");
        skip();
    }
    write_file(".git/info/exclude", "excluded_by_info\n"); /* git init rewrote it */
    slsec_gitignore *g = slsec_gitignore_open(root);
    assert_non_null(g);
    int differ = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cmd, sizeof cmd, "cd '%s' && git check-ignore -q --no-index -- '%s'", root, cases[i].path);
        bool git_says = system(cmd) == 0;
        if (git_says != slsec_gitignore_ignored(g, cases[i].path, false)) {
            fprintf(stderr, "%s: git says %s\n", cases[i].path, git_says ? "ignored" : "kept");
            differ++;
        }
    }
    slsec_gitignore_free(g);
    assert_int_equal(differ, 0);
}

static void test_no_work_tree(void **state)
{
    (void)state;
    assert_null(slsec_gitignore_open("/proc/self"));
    assert_null(slsec_gitignore_open("/no/such/folder"));
}

/* A pattern built to backtrack: answered (as not matching) within the
 * step budget instead of after minutes. */
static void test_hostile_pattern_is_bounded(void **state)
{
    (void)state;
    char pattern[200] = "", path[300] = "";
    for (int i = 0; i < 30; i++)
        strcat(pattern, "*a");
    strcat(pattern, "b\n");
    for (int i = 0; i < 250; i++)
        strcat(path, "a");
    write_file("hostile/.gitignore", pattern);
    slsec_gitignore *g = slsec_gitignore_open(root);
    assert_non_null(g);
    char rel[400];
    snprintf(rel, sizeof rel, "hostile/%s", path);
    assert_false(slsec_gitignore_ignored(g, rel, false));
    slsec_gitignore_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_verdicts),
        cmocka_unit_test(test_same_as_git),
        cmocka_unit_test(test_no_work_tree),
        cmocka_unit_test(test_hostile_pattern_is_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
