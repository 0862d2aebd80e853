#!/usr/bin/env python3
"""bench/code/gen.py OUT [FILES] — a repository of generated Lambda handlers.

FILES (default 2000) handler files of about 200 lines each: half
JavaScript/TypeScript (alternating .js and .ts), half Python, under
OUT/js/ and OUT/py/. Each file has a handler, helper functions, imports,
loops, formatting and logging; one file in five carries a real flow from the
event to a sink (command, SQL, path, SSRF, eval in turn), the rest only safe
uses. Deterministic: the same FILES gives the same bytes. Fast: the text is
assembled from a few templates, not built line by line.
"""
import os
import sys

JS_SINKS = [
    "  cp.exec('convert ' + body.name);",
    "  await pool.query(`SELECT * FROM t WHERE id = '${body.id}'`);",
    "  fs.readFileSync(path.join('/data', body.file));",
    "  await axios.get(body.url);",
    "  eval(body.expr);",
]
PY_SINKS = [
    "    os.system('convert ' + body['name'])",
    "    cursor.execute(f\"SELECT * FROM t WHERE id = '{body['id']}'\")",
    "    open(os.path.join('/data', body['file'])).read()",
    "    requests.get(body['url'], timeout=3)",
    "    eval(body['expr'])",
]


def js_file(i, ts):
    t = ": any" if ts else ""
    out = [
        "const cp = require('child_process');",
        "const fs = require('fs');",
        "const path = require('path');",
        "const axios = require('axios');",
        "const { Pool } = require('pg');",
        "const pool = new Pool();",
        "const ALLOWED = ['a', 'b', 'c'];",
        "",
    ]
    for h in range(12):
        out += [
            f"function helper{h}(value{t}, factor{t}) {{",
            f"  const scaled = Number(value) * {h + 1} + Number(factor);",
            "  const label = `item-${scaled}`;",
            "  if (scaled > 100) {",
            "    return { label, scaled, big: true };",
            "  }",
            "  const parts = [label, String(scaled)].join(':');",
            "  return { label: parts, scaled, big: false };",
            "}",
            "",
        ]
    out += [f"exports.handler = async (event{t}) => {{",
            "  const body = JSON.parse(event.body || '{}');",
            "  const id = parseInt(event.pathParameters.id, 10);",
            "  console.log('request', event.requestContext.requestId);"]
    for k in range(18):
        out += [
            f"  const r{k} = helper{k % 12}(id, {k});",
            f"  if (ALLOWED.includes(body.mode)) {{ console.info('mode', body.mode, r{k}.label); }}",
            f"  for (const rec of event.Records || []) {{ console.debug(rec.eventID, {k}); }}",
            f"  await pool.query('SELECT * FROM t WHERE id = $1', [r{k}.scaled]);",
        ]
    if i % 5 == 0:
        out.append(JS_SINKS[(i // 5) % len(JS_SINKS)])
    out += ["  return { statusCode: 200, body: JSON.stringify({ id }) };", "};", ""]
    return "\n".join(out)


def py_file(i):
    out = [
        "import json",
        "import logging",
        "import os",
        "import requests",
        "",
        "logger = logging.getLogger()",
        "ALLOWED = ('a', 'b', 'c')",
        "",
    ]
    for h in range(12):
        out += [
            f"def helper{h}(value, factor):",
            f"    scaled = int(value) * {h + 1} + int(factor)",
            "    label = f'item-{scaled}'",
            "    if scaled > 100:",
            "        return {'label': label, 'scaled': scaled, 'big': True}",
            "    parts = ':'.join([label, str(scaled)])",
            "    return {'label': parts, 'scaled': scaled, 'big': False}",
            "",
            "",
        ]
    out += ["def lambda_handler(event, context):",
            "    body = json.loads(event.get('body') or '{}')",
            "    item_id = int(event['pathParameters']['id'])",
            "    logger.info('request %s', context.aws_request_id)"]
    for k in range(20):
        out += [
            f"    r{k} = helper{k % 12}(item_id, {k})",
            f"    if body.get('mode') in ALLOWED:",
            f"        logger.debug('mode %s %s', body.get('mode'), r{k}['label'])",
            f"    cursor.execute('SELECT * FROM t WHERE id = %s', (r{k}['scaled'],))",
        ]
    if i % 5 == 0:
        out.append(PY_SINKS[(i // 5) % len(PY_SINKS)])
    out += ["    return {'statusCode': 200, 'body': json.dumps({'id': item_id})}", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen.py OUT [FILES]")
    root = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 2000
    os.makedirs(os.path.join(root, "js"), exist_ok=True)
    os.makedirs(os.path.join(root, "py"), exist_ok=True)
    for i in range(n // 2):
        ts = i % 2 == 1
        with open(os.path.join(root, "js", f"h{i:05d}.{'ts' if ts else 'js'}"), "w") as f:
            f.write(js_file(i, ts))
        with open(os.path.join(root, "py", f"h{i:05d}.py"), "w") as f:
            f.write(py_file(i))


if __name__ == "__main__":
    main()
