/*
 * test_code.c — handler code analysis (src/code) through its public API:
 * languages by file name, handlers by convention and by name, taint
 * through reads, destructuring, loops, formatting and one level of
 * same-file calls, sanitisers and guards that cut it, the path each hit
 * carries, the bounds (size, depth, time), and handler resolution from
 * the model (CodeUri + Handler, TypeScript next to dist/), and the
 * outbound integrations the same walk lists (AWS SDK calls in JavaScript
 * v2/v3 and boto3, hosts of URLs the code fixes, project imports).
 *
 * Sources are written inline: each case states the rule and line it
 * expects, and that nothing else is reported.
 */
#include "slsec/code.h"
#include "slsec/limits.h"

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
    slsec_code_outbound outbound;
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
                                        &r->outbound, &r->stats, &r->warnings),
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

    /* syntax without the fields a walk reads: `new X` without arguments,
     * a lambda without parameters (both once crashed libtree-sitter) */
    r = analyze(SLSEC_CODE_JS, "exports.handler = (event) => { const s = new Set; new Function; return new URL; };\n",
                NULL, 0, NULL);
    EXPECT_NONE(r);
    done(r);
    r = analyze(SLSEC_CODE_PY, "OPS = {'ping': lambda: 'pong'}\ndef handler(event, context):\n    return OPS\n", NULL, 0,
                NULL);
    EXPECT_NONE(r);
    done(r);

    /* invalid UTF-8 and NUL bytes in the middle */
    static const char bad[] = "exports.handler = (event) => {\n  // \xff\xfe\xc3\x28\n  eval(event.body);\n};\n";
    r = analyze(SLSEC_CODE_JS, bad, NULL, 0, NULL);
    EXPECT(r, "CODE-002:3");
    done(r);
}

/* ---- outbound integrations -------------------------------------------------------- */

/* Exactly these calls, in source order (a call before the calls inside
 * it): "aws s3 PutObject 3" ("-" for no operation) or "host api.example.com 5". */
static void expect_calls(const run *r, const char *const *want, size_t n)
{
    char got[4096] = "";
    for (size_t i = 0; i < r->outbound.calls.count; i++) {
        const slsec_code_call *c = r->outbound.calls.items[i];
        size_t len = strlen(got);
        if (c->kind == SLSEC_CODE_CALL_AWS)
            snprintf(got + len, sizeof got - len, "%saws %s %s %d", i ? " | " : "", c->target,
                     c->operation ? c->operation : "-", c->line);
        else
            snprintf(got + len, sizeof got - len, "%shost %s %d", i ? " | " : "", c->target, c->line);
    }
    char exp[4096] = "";
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(exp);
        snprintf(exp + len, sizeof exp - len, "%s%s", i ? " | " : "", want[i]);
    }
    assert_string_equal(got, exp);
}
#define EXPECT_CALLS(r, ...)                                                    \
    do {                                                                        \
        static const char *const w_[] = {__VA_ARGS__};                          \
        expect_calls(r, w_, sizeof w_ / sizeof w_[0]);                          \
    } while (0)

static void test_outbound_aws_js(void **state)
{
    (void)state;
    /* v3: clients, commands (whoever sends them), lib-dynamodb, paginators */
    run *r = analyze(SLSEC_CODE_JS,
                     "import { S3Client, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';\n" /* 1 */
                     "import * as sfn from '@aws-sdk/client-sfn';\n"                                    /* 2 */
                     "import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';\n" /* 3 */
                     "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n"                     /* 4 */
                     "const s3 = new S3Client({});\n"                                                   /* 5 */
                     "const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n"               /* 6 */
                     "export const handler = async (event) => {\n"                                      /* 7 */
                     "  const cmd = new PutObjectCommand({ Bucket: 'b', Key: 'k' });\n"                 /* 8 */
                     "  await s3.send(cmd);\n"                                                          /* 9: send adds nothing */
                     "  await doc.send(new UpdateCommand({}));\n"                                       /* 10 */
                     "  await new sfn.SFNClient({}).send(new sfn.StartSyncExecutionCommand({}));\n"     /* 11 */
                     "  for await (const p of paginateListObjectsV2({ client: s3 }, {})) {}\n"          /* 12 */
                     "  throw new sfn.SFNServiceException({});\n"                                       /* 13: no client */
                     "};\n",
                     NULL, 0, NULL);
    EXPECT_CALLS(r, "aws s3 - 5", "aws dynamodb - 6", "aws dynamodb - 6", "aws s3 PutObject 8",
                 "aws dynamodb UpdateItem 10", "aws states - 11", "aws states StartSyncExecution 11",
                 "aws s3 ListObjectsV2 12");
    const slsec_code_call *c = r->outbound.calls.items[3];
    assert_string_equal(c->via, "@aws-sdk/client-s3.PutObjectCommand");
    assert_int_equal(c->col, 15);
    done(r);

    /* v2: service classes (not helpers), document client methods, presigned URLs */
    r = analyze(SLSEC_CODE_JS,
                "const AWS = require('aws-sdk');\n"                                       /* 1 */
                "const Kinesis = require('aws-sdk/clients/kinesis');\n"                   /* 2 */
                "AWS.config.update({ region: 'eu-west-1' });\n"                           /* 3 */
                "const creds = new AWS.SharedIniFileCredentials({ profile: 'x' });\n"    /* 4: not a client */
                "const s3 = new AWS.S3({ credentials: creds });\n"                        /* 5 */
                "const db = new AWS.DynamoDB.DocumentClient();\n"                         /* 6 */
                "const sf = new AWS.StepFunctions();\n"                                   /* 7 */
                "exports.handler = async (event) => {\n"                                  /* 8 */
                "  await db.query({}).promise();\n"                                       /* 9 */
                "  await db.batchWrite({}).promise();\n"                                  /* 10 */
                "  db.createSet([1]);\n"                                                  /* 11: not an operation */
                "  s3.getSignedUrl('putObject', {});\n"                                   /* 12 */
                "  await s3.upload({}).promise();\n"                                      /* 13 */
                "  await sf.startExecution({}).promise();\n"                              /* 14 */
                "  await new Kinesis().putRecord({}).promise();\n"                        /* 15 */
                "  AWS.DynamoDB.Converter.unmarshall({});\n"                              /* 16: no client */
                "};\n",
                NULL, 0, NULL);
    EXPECT_CALLS(r, "aws s3 - 5", "aws dynamodb - 6", "aws states - 7", "aws dynamodb Query 9",
                 "aws dynamodb BatchWriteItem 10", "aws s3 PutObject 12", "aws s3 PutObject 13",
                 "aws states StartExecution 14", "aws kinesis PutRecord 15", "aws kinesis - 15");
    done(r);
}

static void test_outbound_aws_python(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_PY,
                     "import boto3\n"                                                        /* 1 */
                     "from boto3 import client as make\n"                                    /* 2 */
                     "sqs = make('sqs')\n"                                                   /* 3 */
                     "table = boto3.resource('dynamodb').Table('orders')\n"                  /* 4 */
                     "s3r = boto3.resource(service_name='s3')\n"                             /* 5 */
                     "def handler(event, context):\n"                                        /* 6 */
                     "    sqs.send_message(QueueUrl='q', MessageBody='m')\n"                 /* 7 */
                     "    table.put_item(Item={})\n"                                         /* 8 */
                     "    with table.batch_writer() as batch:\n"                             /* 9 */
                     "        pass\n"                                                        /* 10 */
                     "    s3r.Object('b', 'k').put(Body=b'x')\n"                             /* 11 */
                     "    s3r.Bucket('b').download_file('k', '/tmp/k')\n"                    /* 12 */
                     "    boto3.Session().client('kms').decrypt(CiphertextBlob=b'')\n"       /* 13 */
                     "    sm = boto3.client('stepfunctions')\n"                              /* 14 */
                     "    sm.get_waiter('x')\n"                                              /* 15: not an operation */
                     "    boto3.client('s3').generate_presigned_url(ClientMethod='get_object')\n" /* 16 */
                     "    boto3.client(event['service'])\n"                                  /* 17: unknown service */
                     "    return table.meta\n",
                     NULL, 0, NULL);
    EXPECT_CALLS(r, "aws sqs - 3", "aws dynamodb - 4", "aws s3 - 5", "aws sqs SendMessage 7",
                 "aws dynamodb PutItem 8", "aws dynamodb BatchWriteItem 9", "aws s3 PutObject 11",
                 "aws s3 GetObject 12", "aws kms Decrypt 13", "aws kms - 13", "aws states - 14",
                 "aws s3 GetObject 16", "aws s3 - 16");
    done(r);
}

static void test_outbound_hosts(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_JS,
                     "// https://comment.example.com/ is not a call\n"                           /* 1 */
                     "const axios = require('axios');\n"                                        /* 2 */
                     "const got = require('got');\n"                                            /* 3 */
                     "const https = require('node:https');\n"                                   /* 4 */
                     "const API = 'https://API.Example.com';\n"                                 /* 5 */
                     "const V1 = `${API}/v1`;\n"                                                /* 6 */
                     "let moving = 'https://moving.example.com/';\n"                            /* 7 */
                     "moving = process.env.X;\n"                                                /* 8 */
                     "exports.handler = async (event, region) => {\n"                           /* 9 */
                     "  console.log('https://log.example.com/x');\n"                            /* 10 */
                     "  await fetch('https://one.example.com/a?token=secret');\n"               /* 11 */
                     "  await fetch(`${V1}/users/${event.id}`);\n"                              /* 12 */
                     "  await axios({ method: 'post', url: 'https://two.example.com:8443/x' });\n" /* 13 */
                     "  https.request({ hostname: 'three.example.com', path: '/' });\n"         /* 14 */
                     "  await got(`https://${event.host}/x`);\n"                                /* 15: input */
                     "  await got('https://api.' + region + '.example.com/');\n"                /* 16: open host */
                     "  await got(API + event.path);\n"                                         /* 17: open authority */
                     "  await got('https://user:pass@four.example.com/');\n"                    /* 18: credentials */
                     "  await got('http://localhost:3000/');\n"                                 /* 19: loopback */
                     "  await got(moving);\n"                                                   /* 20: two values */
                     "  await got(process.env.URL);\n"                                          /* 21: deployment */
                     "  await got.post('https://five.example.com');\n"                          /* 22: whole literal */
                     "  await got('https://exa<b>mple.com/');\n"                                /* 23: not a host name */
                     "  await got('https://six.example.com\\x1b[31m/');\n"                      /* 24: escapes stay text */
                     "};\n",
                     NULL, 0, NULL);
    EXPECT_CALLS(r, "host one.example.com 11", "host api.example.com 12", "host two.example.com 13",
                 "host three.example.com 14", "host five.example.com 22");
    done(r);

    r = analyze(SLSEC_CODE_PY,
                "import requests, httpx, urllib3\n"                                             /* 1 */
                "from urllib.request import urlopen\n"                                         /* 2 */
                "BASE = 'https://base.example.com'\n"                                           /* 3 */
                "pool = urllib3.PoolManager()\n"                                                /* 4 */
                "def handler(event, context):\n"                                                /* 5 */
                "    print('https://print.example.com')\n"                                      /* 6 */
                "    requests.get(url=f'{BASE}/v1/{event[\"id\"]}')\n"                          /* 7 */
                "    requests.post('https://%s/x' % event['host'])\n"                           /* 8: input */
                "    requests.put('https://pct.example.com/%s' % event['id'])\n"                /* 9 */
                "    httpx.get('https://{}.example.com/'.format(event['t']))\n"                 /* 10: open host */
                "    httpx.get('https://fmt.example.com/{}'.format(event['t']))\n"              /* 11 */
                "    urlopen('https://open.example.com/feed')\n"                                /* 12 */
                "    pool.request('GET', 'https://pool.example.com/x')\n"                       /* 13 */
                "    with httpx.AsyncClient(base_url='https://async.example.com') as c:\n"      /* 14 */
                "        c.get('/relative')\n"                                                  /* 15 */
                "    requests.request('GET', 'https://req.example.com' '/concat')\n"            /* 16 */
                "    requests.get(event['url'])\n",                                             /* 17: input */
                NULL, 0, NULL);
    EXPECT_CALLS(r, "host base.example.com 7", "host pct.example.com 9", "host fmt.example.com 11",
                 "host open.example.com 12", "host pool.example.com 13", "host async.example.com 14",
                 "host req.example.com 16");
    done(r);
}

static void test_outbound_imports_and_bounds(void **state)
{
    (void)state;
    run *r = analyze(SLSEC_CODE_JS,
                     "import { q } from './db';\n"
                     "export { x } from './shared/x.js';\n"
                     "import { y } from '../outside.js';\n" /* climbs out of the root: no file of it */
                     "const lodash = require('lodash');\n"
                     "exports.handler = async () => (await import('./lazy')).run();\n",
                     NULL, 0, NULL);
    assert_int_equal(r->outbound.imports.count, 3); /* lodash is a package, not a project file */
    assert_string_equal(((const slsec_code_import *)r->outbound.imports.items[1])->paths[0], "shared/x.js");
    const slsec_code_import *imp = r->outbound.imports.items[0];
    assert_string_equal(imp->paths[0], "db.js");
    assert_true(imp->npaths > 2);
    assert_string_equal(((const slsec_code_import *)r->outbound.imports.items[2])->paths[0], "lazy.js");
    done(r);

    r = analyze(SLSEC_CODE_PY, "from . import db\nfrom helpers.net import get\n", NULL, 0, NULL);
    char all[1024] = "";
    for (size_t i = 0; i < r->outbound.imports.count; i++) {
        const slsec_code_import *m = r->outbound.imports.items[i];
        for (size_t k = 0; k < m->npaths; k++) {
            strncat(all, m->paths[k], sizeof all - strlen(all) - 2);
            strncat(all, " ", sizeof all - strlen(all) - 1);
        }
    }
    assert_non_null(strstr(all, "db.py "));
    assert_non_null(strstr(all, "helpers/net.py "));
    assert_non_null(strstr(all, "helpers/net/__init__.py "));
    done(r);

    /* names built from names, each twice (a2 = a1 + a1) or four times over:
     * worked out once per name, not once per path through them */
    slsec_buf gen;
    slsec_buf_init(&gen);
    slsec_buf_puts(&gen, "const { S3 } = require('@aws-sdk/client-s3');\nconst a0 = 'https://chain.example.com';\n"
                         "let b0 = new S3({});\n");
    for (int i = 1; i <= 40; i++) {
        slsec_buf_printf(&gen, "const a%d = a%d + a%d;\nlet b%d = b%d;\n", i, i - 1, i - 1, i, i - 1);
        for (int k = 0; k < 3; k++)
            slsec_buf_printf(&gen, "b%d = b%d;\n", i, i - 1);
    }
    for (int i = 0; i < 200; i++) /* near names resolve; past the depth bound, nothing is guessed */
        slsec_buf_puts(&gen, "fetch(a6 + '/x');\nb4.listBuckets();\nfetch(a40);\nb40.listBuckets();\n");
    r = analyze(SLSEC_CODE_JS, gen.data, NULL, 0, NULL);
    slsec_buf_free(&gen);
    assert_int_equal(r->outbound.calls.count, 1 + 2 * 200);
    const slsec_code_call *c = r->outbound.calls.items[1];
    assert_string_equal(c->target, "chain.example.comhttps"); /* https://chain.example.comhttps://chain... */
    c = r->outbound.calls.items[2];
    assert_string_equal(c->operation, "ListBuckets");
    done(r);

    /* a file of generated calls: listed up to the bound, with one warning */
    size_t n = SLSEC_MAX_CODE_CALLS + 5;
    static const char line[] = "fetch('https://bulk.example.com/');\n";
    char *src = malloc(n * (sizeof line - 1) + 1);
    assert_non_null(src);
    for (size_t i = 0; i < n; i++)
        memcpy(src + i * (sizeof line - 1), line, sizeof line - 1);
    src[n * (sizeof line - 1)] = '\0';
    r = analyze(SLSEC_CODE_JS, src, NULL, 0, NULL);
    assert_int_equal(r->outbound.calls.count, SLSEC_MAX_CODE_CALLS);
    assert_true(r->outbound.calls_capped);
    assert_int_equal(r->warnings.count, 1);
    assert_non_null(strstr(r->warnings.items[0].message, "outbound calls"));
    done(r);
    free(src);
}

/* Hits ("RULE:line") and outbound calls ("target/operation:line") of one
 * analysis, for comparing two of them. */
static void describe(const slsec_ptrvec *hits, const slsec_code_outbound *o, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < hits->count && len < cap; i++) {
        const slsec_code_hit *h = hits->items[i];
        len += (size_t)snprintf(out + len, cap - len, "%s:%d ", h->rule_id, h->line);
    }
    for (size_t i = 0; i < o->calls.count && len < cap; i++) {
        const slsec_code_call *c = o->calls.items[i];
        len += (size_t)snprintf(out + len, cap - len, "%s/%s:%d ", c->target, c->operation ? c->operation : "",
                                c->line);
    }
}

/* One session for many files, as the scan uses it (one per thread): the
 * same hits and calls as a fresh analysis of each file, whatever came
 * before it: another language, or a file whose parse ran out of time (a
 * parser keeps its state to resume that text; the next file must start
 * afresh). */
static void test_session_reuse(void **state)
{
    (void)state;
    static const struct {
        slsec_code_lang lang;
        const char *name, *src, *want;
    } files[] = {
        {SLSEC_CODE_JS, "a.js",
         "const cp = require('child_process');\n"
         "exports.handler = async (event) => {\n"
         "  cp.exec(event.body.cmd);\n"
         "  await fetch('https://api.example.com/x');\n"
         "};\n",
         "CODE-001:3 api.example.com/:4 "},
        {SLSEC_CODE_PY, "b.py",
         "import os, boto3\n"
         "s3 = boto3.client('s3')\n"
         "def handler(event, context):\n"
         "    os.system(event['cmd'])\n"
         "    s3.put_object(Bucket='b', Key=event['k'])\n",
         "CODE-001:4 s3/:2 s3/PutObject:5 "},
        {SLSEC_CODE_TS, "c.ts", "export const handler = async (event: any) => { eval(event.body as string); };\n",
         "CODE-002:1 "},
    };
    slsec_buf slow;
    slsec_buf_init(&slow);
    for (int i = 0; i < 20000; i++)
        slsec_buf_puts(&slow, "x = [1, (2, {'k': [3]}), 4]\n");
    slsec_code_limits lim, tight;
    slsec_code_limits_default(&lim);
    tight = lim;
    tight.parse_micros = 1;

    slsec_code_session *s = slsec_code_session_new();
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            slsec_arena *a = slsec_arena_new();
            slsec_ptrvec hits = {0}, fresh_hits = {0};
            slsec_code_outbound o = {0}, fresh_o = {0};
            slsec_code_stats st = {0};
            slsec_diags w = {0};
            size_t len = strlen(files[i].src);
            assert_int_equal(slsec_code_session_analyze(s, a, files[i].name, files[i].lang, files[i].src, len, NULL,
                                                        0, &lim, NULL, &hits, &o, &st, &w),
                             SLSEC_OK);
            assert_int_equal(slsec_code_analyze(a, files[i].name, files[i].lang, files[i].src, len, NULL, 0, &lim,
                                                NULL, &fresh_hits, &fresh_o, &st, &w),
                             SLSEC_OK);
            char got[512], fresh[512];
            describe(&hits, &o, got, sizeof got);
            describe(&fresh_hits, &fresh_o, fresh, sizeof fresh);
            assert_string_equal(got, files[i].want);
            assert_string_equal(fresh, files[i].want);
            /* then a file the parser gives up on, in the same language */
            slsec_code_stats skipped = {0};
            assert_int_equal(slsec_code_session_analyze(s, a, "slow.py", SLSEC_CODE_PY, slow.data, slow.len, NULL, 0,
                                                        &tight, NULL, &hits, NULL, &skipped, &w),
                             SLSEC_EPARSE);
            assert_int_equal(skipped.skipped, 1);
            slsec_diags_clear(&w);
            slsec_arena_free(a);
        }
    }
    slsec_code_session_free(s);
    slsec_code_session_free(NULL);
    slsec_buf_free(&slow);
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
        cmocka_unit_test(test_outbound_aws_js),
        cmocka_unit_test(test_outbound_aws_python),
        cmocka_unit_test(test_outbound_hosts),
        cmocka_unit_test(test_outbound_imports_and_bounds),
        cmocka_unit_test(test_session_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
