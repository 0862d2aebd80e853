/*
 * test_walk.c — discovery and the scan pipeline around it (src/scan):
 * which files are found, in what order and under what names; the bad
 * inputs a tree can hold (symbolic link loops, links out of the root,
 * broken links, a 200 MB file, files that do not parse, folders nested too
 * deep); and the filtering stage (suppressions from template metadata and
 * from the configuration, severity overrides, --skip/--rule).
 *
 * Every case builds its tree in a fresh mkdtemp folder; the 200 MB file is
 * sparse (ftruncate), so it costs nothing.
 */
#include "slsec/scan.h"

#include <errno.h>
#include <fcntl.h>
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

static const char queue_template[] = "AWSTemplateFormatVersion: \"2010-09-09\"\n"
                                     "Resources:\n"
                                     "  Queue:\n"
                                     "    Type: AWS::SQS::Queue\n";

/* ---- a scratch tree ---------------------------------------------------------------- */

typedef struct tree {
    char root[64];
    char real[PATH_MAX]; /* realpath of root (/tmp may be a link) */
} tree;

static int setup(void **state)
{
    tree *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->root, sizeof t->root, "/tmp/slsec-test-walk-XXXXXX");
    assert_non_null(mkdtemp(t->root));
    assert_non_null(realpath(t->root, t->real));
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tree *t = *state;
    char cmd[256];
    /* The tree holds links and read-only folders: let rm sort it out. */
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", t->root, t->root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", t->root);
    free(t);
    return 0;
}

static const char *at(const tree *t, const char *rel)
{
    static char buf[4][PATH_MAX];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", t->root, rel);
    return buf[k];
}

/* Creates the folders of rel, then the file with text. */
static void put(const tree *t, const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", at(t, rel));
    for (char *p = path + strlen(t->root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                fail_msg("mkdir %s: %s", path, strerror(errno));
            *p = '/';
        }
    }
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void link_to(const tree *t, const char *target, const char *rel)
{
    if (symlink(target, at(t, rel)) != 0)
        fail_msg("symlink %s: %s", rel, strerror(errno));
}

static int scan(const tree *t, slsec_scan_opts *o, slsec_scan_result **r, slsec_diag *err)
{
    const char *paths[] = {t->root};
    if (!o->path_count) {
        o->paths = paths;
        o->path_count = 1;
    }
    memset(err, 0, sizeof *err);
    int rc = slsec_scan_run(o, r, err);
    assert_non_null(*r);
    return rc;
}

static int scan_default(const tree *t, slsec_scan_result **r, slsec_diag *err)
{
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    return scan(t, &o, r, err);
}

/* A warning about `file` whose message contains `text`. */
static bool has_warning(const slsec_scan_result *r, const char *file, const char *text)
{
    for (size_t i = 0; i < r->warnings.count; i++)
        if (strcmp(r->warnings.items[i].file, file) == 0 && strstr(r->warnings.items[i].message, text))
            return true;
    return false;
}

static void dump_warnings(const slsec_scan_result *r)
{
    for (size_t i = 0; i < r->warnings.count; i++)
        fprintf(stderr, "  warning: %s:%d:%d: %s\n", r->warnings.items[i].file, r->warnings.items[i].line,
                r->warnings.items[i].col, r->warnings.items[i].message);
}

static const char *template_file(const slsec_scan_result *r, size_t i)
{
    assert_true(i < r->app->templates.count);
    return ((const slsec_template *)r->app->templates.items[i])->file;
}

/* ---- discovery ------------------------------------------------------------------------- */

static void test_discovery(void **state)
{
    tree *t = *state;
    put(t, "template.yaml", queue_template);
    put(t, "nested/app.yml", queue_template);
    put(t, "nested/deeper/stack.template", queue_template);
    put(t, "cdk.out/Stack.template.json",
        "{\"Resources\": {\"Queue\": {\"Type\": \"AWS::SQS::Queue\"}}}");
    put(t, "cdk.out/manifest.json", "{\"Resources\": \"AWS::\"}");
    put(t, "cdk.out/asset.1234/copy.template.json", queue_template);
    put(t, "node_modules/pkg/template.yaml", queue_template);
    put(t, ".aws-sam/build/template.yaml", queue_template);
    put(t, ".serverless/cloudformation-template-update-stack.json", queue_template);
    put(t, ".git/template.yaml", queue_template);
    put(t, ".hidden/template.yaml", queue_template);
    put(t, "legacy/old.yaml", queue_template);
    put(t, "nested/skip-me.yaml", queue_template);
    put(t, "data.json", "{\"Resources\": [1, 2], \"note\": \"AWS::\"}");
    put(t, "package.json", "{\"name\": \"app\"}");
    put(t, "README.md", queue_template);
    put(t, ".slsec.yml", "ignore_paths: [legacy, \"nested/skip-*.yaml\"]\n");

    slsec_scan_result *r;
    slsec_diag err;
    int rc = scan_default(t, &r, &err);
    dump_warnings(r);
    assert_int_equal(rc, SLSEC_OK);
    assert_string_equal(r->root, t->real);
    assert_int_equal(r->warnings.count, 0);
    assert_int_equal(r->templates, 4);
    /* name order, bytes not locale; relative to the root */
    assert_string_equal(template_file(r, 0), "cdk.out/Stack.template.json");
    assert_string_equal(template_file(r, 1), "nested/app.yml");
    assert_string_equal(template_file(r, 2), "nested/deeper/stack.template");
    assert_string_equal(template_file(r, 3), "template.yaml");
    /* candidates: the four, data.json and package.json (.slsec.yml is none) */
    assert_int_equal(r->files_seen, 6);
    slsec_scan_result_free(r);

    /* --no-config: the ignored paths come back */
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    o.no_config = true;
    rc = scan(t, &o, &r, &err);
    assert_int_equal(rc, SLSEC_OK);
    assert_int_equal(r->templates, 6);
    slsec_scan_result_free(r);
}

static void test_findings_are_sorted_and_relative(void **state)
{
    tree *t = *state;
    put(t, "b.yaml", queue_template);
    put(t, "a/x.yaml", queue_template);
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    for (size_t i = 1; i < r->findings.count; i++) {
        const slsec_finding *p = r->findings.items[i - 1], *f = r->findings.items[i];
        int c = strcmp(p->loc.file, f->loc.file);
        assert_true(c < 0 || (c == 0 && (p->loc.line < f->loc.line ||
                                         (p->loc.line == f->loc.line &&
                                          (p->loc.col < f->loc.col ||
                                           (p->loc.col == f->loc.col && strcmp(p->rule->id, f->rule->id) <= 0))))));
    }
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        assert_true(strcmp(f->loc.file, "a/x.yaml") == 0 || strcmp(f->loc.file, "b.yaml") == 0);
    }
    size_t total = 0;
    for (int s = 0; s < 5; s++)
        total += r->counts[s];
    assert_int_equal(total, r->findings.count);
    slsec_scan_result_free(r);
}

static void test_root_of_a_file_and_of_several_paths(void **state)
{
    tree *t = *state;
    put(t, "one/template", queue_template); /* named by the user: any name will do */
    put(t, "two/t.yaml", queue_template);

    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    const char *file[] = {at(t, "one/template")};
    o.paths = file;
    o.path_count = 1;
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    assert_int_equal(r->templates, 1);
    assert_string_equal(template_file(r, 0), "template");
    char expect[PATH_MAX + 8];
    snprintf(expect, sizeof expect, "%s/one", t->real);
    assert_string_equal(r->root, expect);
    slsec_scan_result_free(r);

    /* Several paths: the current folder is the root. */
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(t->root), 0);
    const char *both[] = {"./two/", "one"};
    slsec_scan_opts_init(&o);
    o.paths = both;
    o.path_count = 2;
    int rc = slsec_scan_run(&o, &r, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, SLSEC_OK);
    assert_string_equal(r->root, t->real);
    assert_int_equal(r->templates, 1); /* one/template is no candidate name in a walk */
    assert_string_equal(template_file(r, 0), "two/t.yaml");
    slsec_scan_result_free(r);
}

/* ---- bad inputs --------------------------------------------------------------------------- */

static void test_symlinks(void **state)
{
    tree *t = *state;
    put(t, "real.yaml", queue_template);
    link_to(t, "real.yaml", "alias.yaml");           /* same file: loaded once, as real.yaml */
    link_to(t, "loop2.yaml", "loop1.yaml");          /* a loop */
    link_to(t, "loop1.yaml", "loop2.yaml");
    link_to(t, "missing.yaml", "broken.yaml");       /* a broken link */
    link_to(t, ".", "self");                         /* a folder loop: never followed */
    put(t, ".private/hidden.yaml", queue_template);
    link_to(t, ".private/hidden.yaml", "shown.yaml"); /* inside the root: followed */

    /* outside the root: a template next to it */
    char outside[PATH_MAX + 16], outdir[PATH_MAX];
    snprintf(outdir, sizeof outdir, "%s-outside", t->root);
    assert_int_equal(mkdir(outdir, 0755), 0);
    snprintf(outside, sizeof outside, "%s/t.yaml", outdir);
    FILE *fp = fopen(outside, "w");
    assert_non_null(fp);
    fputs(queue_template, fp);
    fclose(fp);
    link_to(t, outside, "outside.yaml");
    link_to(t, outdir, "outdir"); /* a link to a folder out of the root: not followed */

    slsec_scan_result *r;
    slsec_diag err;
    int rc = scan_default(t, &r, &err);
    unlink(outside);
    rmdir(outdir);
    if (r->warnings.count != 4)
        dump_warnings(r);
    assert_int_equal(rc, SLSEC_OK);
    assert_int_equal(r->templates, 2);
    assert_string_equal(template_file(r, 0), "real.yaml");
    assert_string_equal(template_file(r, 1), "shown.yaml");
    assert_true(has_warning(r, "loop1.yaml", "symbolic link loop"));
    assert_true(has_warning(r, "loop2.yaml", "symbolic link loop"));
    assert_true(has_warning(r, "broken.yaml", "broken symbolic link"));
    assert_true(has_warning(r, "outside.yaml", "outside the scanned folder"));
    assert_int_equal(r->warnings.count, 4);
    slsec_scan_result_free(r);
}

static void test_big_file_skipped_before_reading(void **state)
{
    tree *t = *state;
    int fd = open(at(t, "big.yaml"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 200L * 1024 * 1024), 0); /* sparse */
    close(fd);

    slsec_scan_result *r;
    slsec_diag err;
    int rc = scan_default(t, &r, &err);
    /* Nothing else to scan: the scan fails, naming the file. The message is
     * the walk's (from stat), not the reader's: the file was never opened. */
    assert_int_equal(rc, SLSEC_EIO);
    assert_string_equal(err.file, "big.yaml");
    assert_string_equal(err.message, "200.0 MB is over the 64.0 MB limit; skipped");
    assert_true(has_warning(r, "big.yaml", "200.0 MB is over the 64.0 MB limit; skipped"));
    slsec_scan_result_free(r);

    /* With a template beside it, a warning and the rest scanned. */
    put(t, "template.yaml", queue_template);
    rc = scan_default(t, &r, &err);
    assert_int_equal(rc, SLSEC_OK);
    assert_int_equal(r->templates, 1);
    assert_int_equal(r->warnings.count, 1);
    slsec_scan_result_free(r);

    /* The limit is the caller's to set. */
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    o.max_file_bytes = 40;
    unlink(at(t, "big.yaml"));
    rc = scan(t, &o, &r, &err);
    assert_int_equal(rc, SLSEC_EIO);
    assert_string_equal(err.message, "85 bytes is over the 40 bytes limit; skipped");
    slsec_scan_result_free(r);
}

static void test_parse_errors(void **state)
{
    tree *t = *state;
    put(t, "broken.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Q: {Type: AWS::SQS::Queue\n");
    put(t, "config.yaml", "key: [unclosed\n"); /* not a template by its bytes: silence */
    slsec_scan_result *r;
    slsec_diag err;
    int rc = scan_default(t, &r, &err);
    assert_int_equal(rc, SLSEC_EPARSE);
    assert_string_equal(err.file, "broken.yaml");
    assert_int_equal(err.line, 4);
    assert_true(err.col > 0);
    assert_int_equal(r->warnings.count, 1);
    slsec_scan_result_free(r);

    put(t, "good.yaml", queue_template);
    put(t, "list.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  - Type: AWS::SQS::Queue\n");
    rc = scan_default(t, &r, &err);
    assert_int_equal(rc, SLSEC_OK);
    assert_int_equal(r->templates, 1);
    assert_true(has_warning(r, "broken.yaml", "invalid YAML"));
    assert_true(has_warning(r, "list.yaml", "Resources must be a mapping"));
    slsec_scan_result_free(r);
}

static void test_named_file_must_be_a_template(void **state)
{
    tree *t = *state;
    put(t, "data.json", "{\"a\": 1}");
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    const char *paths[] = {at(t, "data.json")};
    o.paths = paths;
    o.path_count = 1;
    slsec_scan_result *r;
    slsec_diag err;
    int rc = scan(t, &o, &r, &err);
    assert_int_not_equal(rc, SLSEC_OK);
    assert_string_equal(err.file, "data.json");
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "not a CloudFormation or SAM template"));
    slsec_scan_result_free(r);

    const char *missing[] = {at(t, "nope")};
    o.paths = missing;
    rc = scan(t, &o, &r, &err);
    assert_int_equal(rc, SLSEC_EIO);
    assert_non_null(strstr(err.message, "does not exist"));
    slsec_scan_result_free(r);
}

static void test_no_templates_is_not_an_error(void **state)
{
    tree *t = *state;
    put(t, "package.json", "{\"name\": \"app\"}");
    put(t, "src/app.py", "def handler(event, context): pass\n");
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    assert_int_equal(r->templates, 0);
    assert_int_equal(r->findings.count, 0);
    assert_int_equal(r->warnings.count, 0);
    assert_int_equal(slsec_scan_worst(r), -1);
    slsec_scan_result_free(r);
}

static void test_depth_bound(void **state)
{
    tree *t = *state;
    char rel[PATH_MAX];
    size_t n = 0;
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(rel + n, sizeof rel - n, "d/");
    snprintf(rel + n, sizeof rel - n, "t.yaml");
    put(t, rel, queue_template);
    put(t, "top.yaml", queue_template);
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    assert_int_equal(r->templates, 1);
    assert_int_equal(r->warnings.count, 1);
    assert_non_null(strstr(r->warnings.items[0].message, "nested deeper than"));
    slsec_scan_result_free(r);
}

static void test_unreadable(void **state)
{
    tree *t = *state;
    if (geteuid() == 0)
        skip(); /* root reads everything */
    put(t, "locked/t.yaml", queue_template);
    put(t, "secret.yaml", queue_template);
    put(t, "ok.yaml", queue_template);
    assert_int_equal(chmod(at(t, "locked"), 0), 0);
    assert_int_equal(chmod(at(t, "secret.yaml"), 0), 0);
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    assert_int_equal(r->templates, 1);
    assert_true(has_warning(r, "locked", "cannot read folder"));
    assert_true(has_warning(r, "secret.yaml", "ermission denied"));
    slsec_scan_result_free(r);
}

/* ---- filtering ------------------------------------------------------------------------------ */

/* The rule of the first finding about the queue (the tests do not depend
 * on which rules a bare queue triggers, only that one does). */
static const slsec_finding *queue_finding(const slsec_scan_result *r, const char *rule)
{
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f->resource && strcmp(f->resource, "Queue") == 0 && (!rule || strcmp(f->rule->id, rule) == 0))
            return f;
    }
    return NULL;
}

static void test_suppressions(void **state)
{
    tree *t = *state;
    put(t, "template.yaml", queue_template);
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    const slsec_finding *f = queue_finding(r, NULL);
    if (!f) {
        slsec_scan_result_free(r);
        skip(); /* no rule reports a bare queue */
    }
    char rule[32];
    snprintf(rule, sizeof rule, "%s", f->rule->id);
    size_t before = r->findings.count;
    slsec_scan_result_free(r);

    /* Template metadata with a reason. */
    char text[1024];
    snprintf(text, sizeof text,
             "%s    Metadata:\n      slsec:\n        ignore:\n          - id: %s\n"
             "            reason: the queue holds no data\n",
             queue_template, rule);
    put(t, "template.yaml", text);
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    assert_null(queue_finding(r, rule));
    assert_int_equal(r->suppressed, 1);
    assert_int_equal(r->findings.count, before - 1);
    slsec_scan_result_free(r);

    o.include_suppressed = true;
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    f = queue_finding(r, rule);
    assert_non_null(f);
    assert_true(f->suppressed);
    assert_string_equal(f->suppression, "template metadata: the queue holds no data");
    slsec_scan_result_free(r);

    /* Without a reason: still suppressed, and reported as PIPE-003 where
     * the suppression is written (line 8: "- id: ..."). */
    snprintf(text, sizeof text, "%s    Metadata:\n      slsec:\n        ignore:\n          - id: %s\n",
             queue_template, rule);
    put(t, "template.yaml", text);
    slsec_scan_opts_init(&o);
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    assert_null(queue_finding(r, rule));
    if (slsec_rule_find("PIPE-003")) {
        const slsec_finding *p = queue_finding(r, "PIPE-003");
        assert_non_null(p);
        assert_int_equal(p->loc.line, 8);
        assert_false(p->suppressed);
    }
    slsec_scan_result_free(r);

    /* A reasonless "*" cannot hide its own PIPE-003 report. */
    snprintf(text, sizeof text, "%s    Metadata:\n      slsec:\n        ignore: [\"*\"]\n", queue_template);
    put(t, "template.yaml", text);
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    if (slsec_rule_find("PIPE-003"))
        assert_non_null(queue_finding(r, "PIPE-003"));
    assert_null(queue_finding(r, rule));
    slsec_scan_result_free(r);

    /* The configuration: ignore by rule glob and resource, with a reason. */
    put(t, "template.yaml", queue_template);
    snprintf(text, sizeof text, "ignore:\n  - id: \"%.*s*\"\n    resource: Que*\n    path: \"*.yaml\"\n"
                                "    reason: accepted\n",
             (int)(strchr(rule, '-') - rule + 1), rule);
    put(t, ".slsec.yml", text);
    o.include_suppressed = true;
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    f = queue_finding(r, rule);
    assert_non_null(f);
    assert_true(f->suppressed);
    assert_string_equal(f->suppression, "configuration .slsec.yml:2: accepted");
    slsec_scan_result_free(r);
    unlink(at(t, ".slsec.yml"));
}

static const char sam_function[] =
    "Transform: AWS::Serverless-2016-10-31\n"
    "Resources:\n"
    "  OrdersFunction:\n"
    "    Type: AWS::Serverless::Function\n"
    "%s"
    "    Properties:\n"
    "      Runtime: python3.12\n"
    "      Handler: app.handler\n"
    "      CodeUri: src/\n"
    "      Policies:\n"
    "        - Statement:\n"
    "            - Effect: Allow\n"
    "              Action: \"*\"\n"
    "              Resource: \"*\"\n";

/* A finding about SAM's implicit role is suppressed by its function's
 * metadata: the role has no resource of its own to carry it. */
static void test_implicit_role_suppressed_through_its_function(void **state)
{
    tree *t = *state;
    char text[1024];
    snprintf(text, sizeof text, sam_function, "");
    put(t, "template.yaml", text);
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    const slsec_finding *role_finding = NULL;
    for (size_t i = 0; i < r->findings.count && !role_finding; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (f->resource && strcmp(f->resource, "OrdersFunctionRole") == 0)
            role_finding = f;
    }
    if (!role_finding) {
        slsec_scan_result_free(r);
        skip();
    }
    char rule[32];
    snprintf(rule, sizeof rule, "%s", role_finding->rule->id);
    slsec_scan_result_free(r);

    char meta[256];
    snprintf(meta, sizeof meta, "    Metadata:\n      slsec:\n        ignore:\n          - {id: %s, reason: r}\n",
             rule);
    snprintf(text, sizeof text, sam_function, meta);
    put(t, "template.yaml", text);
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        assert_false(f->resource && strcmp(f->resource, "OrdersFunctionRole") == 0 &&
                     strcmp(f->rule->id, rule) == 0);
    }
    assert_true(r->suppressed >= 1);
    slsec_scan_result_free(r);
}

static void test_rule_selection_and_severity(void **state)
{
    tree *t = *state;
    put(t, "template.yaml", queue_template);
    slsec_scan_result *r;
    slsec_diag err;
    assert_int_equal(scan_default(t, &r, &err), SLSEC_OK);
    const slsec_finding *f = queue_finding(r, NULL);
    if (!f) {
        slsec_scan_result_free(r);
        skip();
    }
    char rule[32];
    snprintf(rule, sizeof rule, "%s", f->rule->id);
    slsec_scan_result_free(r);

    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    const char *ids[] = {rule};
    o.extra_disabled = ids;
    o.extra_disabled_count = 1;
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    assert_null(queue_finding(r, rule));
    slsec_scan_result_free(r);

    slsec_scan_opts_init(&o);
    o.extra_only = ids;
    o.extra_only_count = 1;
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    for (size_t i = 0; i < r->findings.count; i++)
        assert_string_equal(((const slsec_finding *)r->findings.items[i])->rule->id, rule);
    assert_true(r->findings.count >= 1);
    slsec_scan_result_free(r);

    const char *bad[] = {"NOPE-123"};
    slsec_scan_opts_init(&o);
    o.extra_only = bad;
    o.extra_only_count = 1;
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_EUSAGE);
    assert_non_null(strstr(err.message, "NOPE-123"));
    slsec_scan_result_free(r);

    /* Severity override, and the configuration's disable list. */
    char text[256];
    snprintf(text, sizeof text, "rules:\n  severity:\n    %s: critical\n", rule);
    put(t, ".slsec.yml", text);
    slsec_scan_opts_init(&o);
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    f = queue_finding(r, rule);
    assert_non_null(f);
    assert_int_equal(f->severity, SLSEC_SEV_CRITICAL);
    assert_int_equal(slsec_scan_worst(r), SLSEC_SEV_CRITICAL);
    assert_true(r->counts[SLSEC_SEV_CRITICAL] >= 1);
    slsec_scan_result_free(r);

    snprintf(text, sizeof text, "rules:\n  disable: [%s]\n", rule);
    put(t, ".slsec.yml", text);
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_OK);
    assert_null(queue_finding(r, rule));
    slsec_scan_result_free(r);

    /* A bad configuration is a usage error naming its place. */
    put(t, ".slsec.yml", "rules:\n  disable: [NOPE-1]\n");
    assert_int_equal(scan(t, &o, &r, &err), SLSEC_EUSAGE);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 13);
    slsec_scan_result_free(r);
    unlink(at(t, ".slsec.yml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_findings_are_sorted_and_relative, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_of_a_file_and_of_several_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_file_skipped_before_reading, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_file_must_be_a_template, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_templates_is_not_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suppressions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_role_suppressed_through_its_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rule_selection_and_severity, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
