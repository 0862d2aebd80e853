#!/usr/bin/env python3
"""bench/secrets/gen_corpus.py OUT [MB] — a generated source tree for the
secret-scanning benchmark: JavaScript, Python, YAML, JSON and .env files of
realistic shape, about MB megabytes (default 24), with secrets of common
formats planted in some files and near misses (placeholders, documentation
keys, UUIDs, git SHAs, lockfile integrity hashes) in others.
OUT/../truth.tsv lists every planted secret: "path<TAB>line<TAB>kind".
Seeded: the same arguments give the same tree. The tokens are random and
are no real credentials."""
import base64, os, random, string, sys, zlib

out = sys.argv[1]
mb = float(sys.argv[2]) if len(sys.argv) > 2 else 24
R = random.Random(2024)
AN = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

def r(chars, n): return "".join(R.choice(chars) for _ in range(n))

def gh():
    body = r(AN, 30); crc = zlib.crc32(body.encode()); cs = ""
    for _ in range(6):
        cs = B62[crc % 62] + cs; crc //= 62
    return "ghp_" + body + cs

def pem():
    return ["-----BEGIN RSA PRIVATE KEY-----"] + [r(AN + "+/", 64) for _ in range(12)] + ["-----END RSA PRIVATE KEY-----"]

SECRETS = [
    ("aws", lambda: 'const accessKeyId = "AKIA%s";' % r("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
    ("github", lambda: 'GITHUB_TOKEN = "%s"' % gh()),
    ("slack", lambda: 'slack_token: xoxb-%s-%s-%s' % (r(string.digits, 12), r(string.digits, 13), r(AN, 24))),
    ("slack-webhook", lambda: 'const hook = "https://hooks.slack.com/services/T%s/B%s/%s";' % (r(string.ascii_uppercase + string.digits, 8), r(string.ascii_uppercase + string.digits, 10), r(AN, 24))),
    ("sendgrid", lambda: 'SENDGRID_API_KEY=SG.%s.%s' % (r(AN + "_-", 22), r(AN + "_-", 43))),
    ("npm", lambda: '//registry.npmjs.org/:_authToken=npm_%s' % r(AN, 36)),
    ("basic-auth", lambda: 'url = "https://deploy:%s@git.internal.example.net/app.git"' % r(AN, 16)),
    ("shopify", lambda: 'SHOPIFY_TOKEN = "shpat_%s"' % r(HEX, 32)),
    ("openai", lambda: 'OPENAI_API_KEY = "sk-proj-%sT3BlbkFJ%s"' % (r(AN + "_-", 74), r(AN + "_-", 74))),
    ("anthropic", lambda: 'ANTHROPIC_API_KEY=sk-ant-api03-%sAA' % r(AN + "_-", 93)),
    ("stripe", lambda: 'stripe.api_key = "sk_live_%s"' % r(AN, 24)),
    ("postgres", lambda: 'DATABASE_URL=postgres://app:%s@db.internal:5432/orders' % r(AN, 18)),
]
NEAR = [
    lambda: 'const accessKeyId = "AKIAIOSFODNN7EXAMPLE"; // documentation key',
    lambda: 'GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    lambda: 'token = "${GITHUB_TOKEN}"',
    lambda: 'password: process.env.DB_PASSWORD',
    lambda: 'api_key = "<your-api-key>"',
    lambda: 'request_id = "%s-%s-%s-%s-%s"' % (r(HEX, 8), r(HEX, 4), r(HEX, 4), r(HEX, 4), r(HEX, 12)),
    lambda: 'commit = "%s"' % r(HEX, 40),
    lambda: '"integrity": "sha512-%s",' % base64.b64encode(bytes(R.randrange(256) for _ in range(64))).decode(),
    lambda: 'DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/orders',
    lambda: 'slack_token: xoxb-your-token-here',
]

WORDS = "order customer invoice payment table queue event handler request response item price total user account region stage".split()

def js_block():
    fn = R.choice(WORDS) + R.choice(WORDS).title()
    return ["export async function %s(event, context) {" % fn,
            "  const %s = JSON.parse(event.body || '{}');" % R.choice(WORDS),
            "  const params = { TableName: process.env.TABLE_NAME, Key: { id: event.pathParameters.id } };",
            "  const result = await ddb.send(new GetCommand(params));",
            "  if (!result.Item) { return { statusCode: 404, body: JSON.stringify({ message: 'not found' }) }; }",
            "  console.log('%s', { id: result.Item.id, total: result.Item.total });" % fn,
            "  return { statusCode: 200, body: JSON.stringify(result.Item) };",
            "}", ""]

def py_block():
    fn = R.choice(WORDS) + "_" + R.choice(WORDS)
    return ["def %s(event, context):" % fn,
            "    body = json.loads(event.get('body') or '{}')",
            "    table = boto3.resource('dynamodb').Table(os.environ['TABLE_NAME'])",
            "    item = table.get_item(Key={'id': body.get('id')}).get('Item')",
            "    if item is None:",
            "        return {'statusCode': 404, 'body': json.dumps({'message': 'not found'})}",
            "    logger.info('%s %%s', item['id'])" % fn,
            "    return {'statusCode': 200, 'body': json.dumps(item, default=str)}", ""]

def yaml_block():
    name = R.choice(WORDS).title() + R.choice(WORDS).title()
    return ["  %sFunction:" % name, "    Type: AWS::Serverless::Function", "    Properties:",
            "      Handler: src/%s.handler" % name.lower(), "      Runtime: nodejs20.x", "      MemorySize: %d" % R.choice([128, 256, 512]),
            "      Environment:", "        Variables:", "          TABLE_NAME: !Ref %sTable" % name, ""]

def json_block():
    return ['  "%s-%d": {' % (R.choice(WORDS), R.randrange(10**6)), '    "version": "%d.%d.%d",' % (R.randrange(9), R.randrange(30), R.randrange(50)),
            '    "resolved": "https://registry.npmjs.org/pkg/-/pkg-1.0.0.tgz",', '    "dev": false', '  },']

def env_block():
    return ["%s_%s=%s" % (R.choice(WORDS).upper(), R.choice(WORDS).upper(), r(string.ascii_lowercase, 8))]

KINDS = [("js", js_block, "src/handlers"), ("py", py_block, "functions"), ("yaml", yaml_block, "infra"),
         ("json", json_block, "config"), ("env", env_block, "env")]

os.makedirs(out, exist_ok=True)
truth = []
total, target, n = 0, int(mb * 1024 * 1024), 0
while total < target:
    ext, block, folder = KINDS[n % len(KINDS)]
    lines = []
    for _ in range(R.randrange(40, 160)):
        lines += block()
        roll = R.random()
        if roll < 0.004:
            kind, make = R.choice(SECRETS)
            lines.append(make())
            path = "%s/f%05d.%s" % (folder, n, ext)
            truth.append((path, len(lines), kind))
        elif roll < 0.012:
            lines.append(R.choice(NEAR)())
    if R.random() < 0.01:
        start = len(lines) + 1
        lines += pem()
        truth.append(("%s/f%05d.%s" % (folder, n, ext), start, "private-key"))
    path = os.path.join(out, folder, "f%05d.%s" % (n, ext))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = "\n".join(lines) + "\n"
    with open(path, "w") as f:
        f.write(text)
    total += len(text)
    n += 1
with open(os.path.join(os.path.dirname(os.path.abspath(out)), "truth.tsv"), "w") as f:
    for t in truth:
        f.write("%s\t%d\t%s\n" % t)
print("%d files, %.1f MB, %d planted secrets" % (n, total / 1048576, len(truth)))
