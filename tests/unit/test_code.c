/*
 * test_code.c — handler code analysis (src/code) through its public API:
 * languages by file name, handlers by convention and by name, taint
 * through reads, destructuring, loops, formatting and one level of
 * same-file calls, sanitisers and guards that cut it, the path each hit
 * carries, the bounds (size, depth, time), and handler resolution from
 * the model (CodeUri + Handler, TypeScript next to dist/).
 *
 * Sources are written inline: each case states the rule and line it
 * expects, and that nothing else is reported.
 */
#include "slsec/code.h"

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

typedef struct run {
    slsec_arena *a;
    slsec_ptrvec hits;
    slsec_code_stats stats;
    slsec_diags warnings;
} run;

static run *analyze(slsec_code_lang lang, const char *src, const char *const *entries, size_t n,
                    const slsec_code_limits *lim)
{
    run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->a = slsec_arena_new();
    const char *name = lang == SLSEC_CODE_PY ? "t.py" : lang == SLSEC_CODE_JS ? "t.js" : "t.ts";
    assert_int_equal(slsec_code_analyze(r->a, name, lang, src, strlen(src), entries, n, lim, NULL, &r->hits,
                                        &r->stats, &r->warnings),
                     SLSEC_OK);
    return r;
}

static void done(run *r)
{
    slsec_diags_clear(&r->warnings);
    slsec_arena_free(r->a);
    free(r);
}

/* Exactly these "RULE:line" hits, in order. */
static void expect_hits(const run *r, const char *const *want, size_t n)
{
    char got[1024] = "";
    for (size_t i = 0; i < r->hits.count; i++) {
        const slsec_code_hit *h = r->hits.items[i];
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s:%d", i ? " " : "", h->rule_id, h->line);
    }
    char exp[1024] = "";
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(exp);
        snprintf(exp + len, sizeof exp - len, "%s%s", i ? " " : "", want[i]);
    }
    assert_string_equal(got, exp);
}
#define EXPECT(r, ...)                                                          \
    do {                                                                        \
        static const char *const w_[] = {__VA_ARGS__};                          \
        expect_hits(r, w_, sizeof w_ / sizeof w_[0]);                           \
    } while (0)
#define EXPECT_NONE(r) assert_int_equal((r)->hits.count, 0)

static void test_languages(void **state)
{
    (void)state;
    assert_int_equal(slsec_code_lang_of("src/app.js"), SLSEC_CODE_JS);
    assert_int_equal(slsec_code_lang_of("a/b.mjs"), SLSEC_CODE_JS);
    assert_int_equal(slsec_code_lang_of("x.cjs"), SLSEC_CODE_JS);
    assert_int_equal(slsec_code_lang_of("x.ts"), SLSEC_CODE_TS);
    assert_int_equal(slsec_code_lang_of("x.tsx"), SLSEC_CODE_TSX);
    assert_int_equal(slsec_code_lang_of("handler.py"), SLSEC_CODE_PY);
    assert_int_equal(slsec_code_lang_of("types.d.ts"), SLSEC_CODE_NONE);
    assert_int_equal(slsec_code_lang_of("README.md"), SLSEC_CODE_NONE);
    assert_int_equal(slsec_code_lang_of(".js"), SLSEC_CODE_NONE);
    assert_int_equal(slsec_code_lang_of(NULL), SLSEC_CODE_NONE);
}

static void test_js_flow_and_path(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_JS,
                     "const cp = require('child_process');\n"           /* 1 */
                     "exports.handler = async (event) => {\n"           /* 2 */
                     "  const body = JSON.parse(event.body);\n"         /* 3 */
                     "  const { dir } = body;\n"                        /* 4 */
                     "  let cmd = 'ls ';\n"                             /* 5 */
                     "  cmd += dir;\n"                                  /* 6 */
                     "  cp.execSync(cmd);\n"                            /* 7 */
                     "  /x/.exec(event.body);\n"                        /* 8: RegExp.exec is no sink */
                     "};\n",
                     NULL, 0, NULL);
    EXPECT(r, "CODE-001:7");
    const slsec_code_hit *h = r->hits.items[0];
    assert_string_equal(h->sink, "child_process.execSync");
    assert_string_equal(h->source, "event.body");
    assert_string_equal(h->handler, "handler");
    assert_true(h->nsteps >= 3);
    assert_int_equal(h->steps[0].line, 3);                 /* the source first */
    assert_int_equal(h->steps[h->nsteps - 1].line, 7);     /* the sink last */
    assert_non_null(strstr(h->message, "OS command"));
    assert_int_equal(r->stats.handlers, 1);
    done(r);
}

static void test_python_sources_and_sanitisers(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_PY,
                     "import subprocess as sp\n"                                   /* 1 */
                     "from os import system\n"                                     /* 2 */
                     "import shlex\n"                                              /* 3 */
                     "ALLOWED = ('a', 'b')\n"                                      /* 4 */
                     "def lambda_handler(event, context):\n"                       /* 5 */
                     "    for rec in event['Records']:\n"                          /* 6 */
                     "        key = rec['s3']['object']['key']\n"                  /* 7 */
                     "        sp.call('rm %s' % key, shell=True)\n"                /* 8 */
                     "        sp.call(['rm', key])\n"                              /* 9: no shell */
                     "        system('rm ' + shlex.quote(key))\n"                  /* 10 */
                     "        system('echo {}'.format(int(key)))\n"                /* 11 */
                     "    mode = event.get('mode')\n"                              /* 12 */
                     "    if mode not in ALLOWED:\n"                               /* 13 */
                     "        return None\n"                                       /* 14 */
                     "    system(f'run {mode}')\n"                                 /* 15: guarded */
                     "    system(f\"run {event.get('other')}\")\n",                /* 16 */
                     NULL, 0, NULL);
    EXPECT(r, "CODE-001:8", "CODE-001:16");
    done(r);
}

static void test_helper_summaries(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_JS,
                     "function wrap(x) { return '<b>' + x + '</b>'; }\n"            /* 1 */
                     "function run(q) { return db.query('SELECT ' + q); }\n"        /* 2 */
                     "function safe(q) { return db.query('SELECT ?', [q]); }\n"     /* 3 */
                     "exports.handler = async (event) => {\n"                        /* 4 */
                     "  const w = wrap(event.body);\n"                               /* 5 */
                     "  run(event.body);\n"                                          /* 6 */
                     "  safe(event.body);\n"                                         /* 7 */
                     "  run(event.body);\n"                                          /* 8: same sink, once */
                     "  eval(w);\n"                                                  /* 9 */
                     "};\n",
                     NULL, 0, NULL);
    EXPECT(r, "CODE-003:2", "CODE-002:9");
    const slsec_code_hit *h = r->hits.items[0];
    assert_int_equal(h->steps[0].line, 6); /* the path starts in the handler */
    done(r);
}

static void test_handlers_by_convention_and_name(void **state)
{
    (void)state;
    static const char src[] = "export async function process(req) { eval(req.body); }\n"
                              "export const handler = async (event) => { eval(event.body); };\n"
                              "function notExported(event) { eval(event.body); }\n";
    run *r = analyze(SLSEC_CODE_TS, src, NULL, 0, NULL);
    EXPECT(r, "CODE-002:2"); /* `process(req)` is no conventional handler; the unexported one neither */
    done(r);
    static const char *const named[] = {"process"};
    r = analyze(SLSEC_CODE_TS, src, named, 1, NULL);
    EXPECT(r, "CODE-002:1");
    done(r);
}

static void test_logging(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_PY,
                     "import logging\n"                                           /* 1 */
                     "log = logging.getLogger()\n"                                /* 2 */
                     "def handler(event, context):\n"                             /* 3 */
                     "    log.info('event %s', event)\n"                          /* 4 */
                     "    headers = event['headers']\n"                           /* 5 */
                     "    print(f'headers: {headers}')\n"                         /* 6 */
                     "    print(headers.get('host'))\n"                           /* 7 */
                     "    db_password = get_secret()\n"                           /* 8 */
                     "    log.debug('pw %s', db_password)\n"                      /* 9 */
                     "    log.debug('count %s', len(event['body']))\n",           /* 10 */
                     NULL, 0, NULL);
    EXPECT(r, "LOG-101:4", "LOG-101:6", "LOG-102:9");
    done(r);
}

static void test_bounds(void **state)
{
    (void)state;
    /* nesting beyond the bound: analysed up to it, with one warning */
    slsec_code_limits lim;
    slsec_code_limits_default(&lim);
    lim.max_depth = 20;
    char *deep = malloc(20000);
    assert_non_null(deep);
    strcpy(deep, "def handler(event, context):\n    x = ");
    for (int i = 0; i < 2000; i++)
        strcat(deep, "(");
    strcat(deep, "event");
    for (int i = 0; i < 2000; i++)
        strcat(deep, ")");
    strcat(deep, "\n    eval(event['x'])\n");
    run *r = analyze(SLSEC_CODE_PY, deep, NULL, 0, &lim);
    EXPECT(r, "CODE-002:3");
    assert_int_equal(r->warnings.count, 1);
    assert_non_null(strstr(r->warnings.items[0].message, "nested deeper"));
    done(r);
    free(deep);

    /* over the size limit: skipped with a warning, nothing parsed */
    lim.max_depth = 200;
    lim.max_file_bytes = 10;
    r = analyze(SLSEC_CODE_JS, "exports.handler = (event) => eval(event.body);\n", NULL, 0, &lim);
    EXPECT_NONE(r);
    assert_int_equal(r->stats.skipped, 1);
    assert_int_equal(r->stats.files, 0);
    assert_non_null(strstr(r->warnings.items[0].message, "code analysis limit"));
    done(r);

    /* syntax errors: tolerated, analysed as far as recovered, one warning with a place */
    r = analyze(SLSEC_CODE_JS, "exports.handler = (event) => { eval(event.body); };\nfunction (((\n", NULL, 0, NULL);
    EXPECT(r, "CODE-002:1");
    assert_int_equal(r->stats.parse_errors, 1);
    assert_int_equal(r->warnings.count, 1);
    assert_int_equal(r->warnings.items[0].line, 2);
    done(r);

    /* invalid UTF-8 and NUL bytes in the middle */
    static const char bad[] = "exports.handler = (event) => {\n  // \xff\xfe\xc3\x28\n  eval(event.body);\n};\n";
    r = analyze(SLSEC_CODE_JS, bad, NULL, 0, NULL);
    EXPECT(r, "CODE-002:3");
    done(r);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_entries_from_model(void **state)
{
    (void)state;
    char dir[] = "/tmp/slsec-code-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "svc/src/orders/app.js", "exports.process = () => 1;\n");
    write_file(dir, "svc/ts/src/index.ts", "export const render = () => 1;\n");
    write_file(dir, "svc/py/pkg/mod.py", "def go(event, context): pass\n");

    slsec_app *app = slsec_app_new();
    static const struct {
        const char *id, *runtime, *handler, *uri;
    } fns[] = {
        {"Orders", "nodejs20.x", "app.process", "src/orders/"},
        {"Report", "nodejs20.x", "index.render", "ts/dist"},
        {"Py", "python3.12", "pkg.mod.go", "py"},
        {"Escape", "nodejs20.x", "app.process", "../../../etc"},
        {"Java", "java21", "com.x.Handler::handle", "src/orders"},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        slsec_function *fn = slsec_arena_alloc(app->arena, sizeof *fn);
        memset(fn, 0, sizeof *fn);
        fn->id = fns[i].id;
        fn->runtime = fns[i].runtime;
        fn->handler = fns[i].handler;
        fn->code_uri = fns[i].uri;
        fn->loc.file = "svc/template.yaml";
        slsec_ptrvec_push(app->arena, &app->functions, fn);
    }
    slsec_diags w = {0};
    slsec_strmap *m = slsec_code_entries(app->arena, app, dir, &w);
    assert_int_equal(slsec_strmap_count(m), 3);
    const slsec_ptrvec *v = slsec_strmap_get(m, "svc/src/orders/app.js");
    assert_non_null(v);
    assert_int_equal(v->count, 1);
    assert_string_equal(((const slsec_code_entry *)v->items[0])->export_name, "process");
    assert_string_equal(((const slsec_code_entry *)v->items[0])->function_id, "Orders");
    assert_non_null(slsec_strmap_get(m, "svc/ts/src/index.ts"));
    v = slsec_strmap_get(m, "svc/py/pkg/mod.py");
    assert_non_null(v);
    assert_string_equal(((const slsec_code_entry *)v->items[0])->export_name, "go");
    slsec_diags_clear(&w);
    slsec_app_free(app);

    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_js_flow_and_path),
        cmocka_unit_test(test_python_sources_and_sanitisers),
        cmocka_unit_test(test_helper_summaries),
        cmocka_unit_test(test_handlers_by_convention_and_name),
        cmocka_unit_test(test_logging),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_entries_from_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
