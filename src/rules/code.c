/*
 * code.c — the CODE rule family (event data reaching dangerous sinks in
 * handler code) and the LOG-1xx rules for sensitive logging in code.
 *
 * Like the SECRET family these rules have no check function over the
 * model: their findings come from the scan's code pass (src/scan/code.c,
 * src/code), which parses the handlers and follows the event. They are
 * here for the catalogue (`slsec rules`, `slsec explain CODE-001`, SARIF
 * rule metadata). src/code/sinks.c maps library calls to these ids.
 */
#include "rules_internal.h"

#define CODE_RULE(rid, fam, sev, name, why_text, fix_text, snip, cwe_ids, owasp_ids)                      \
    {.id = rid, .family = fam, .severity = sev, .title = name, .why = why_text, .fix = fix_text,           \
     .snippet = snip, .cwe = cwe_ids, .owasp = owasp_ids, .checkov = "", .cfn_nag = "", .cdk_nag = "",    \
     .check = NULL}

#define EVENT_WHY                                                                                          \
    " A function's event is attacker-controlled whatever delivers it: API requests, but also queue "        \
    "messages, S3 object keys and stream records that someone upstream could write."

const slsec_rule slsec_rules_code[] = {
    CODE_RULE("CODE-001", "CODE", SLSEC_SEV_CRITICAL, "Event data reaches OS command execution",
              "Data from the event is part of a command line run by a shell (child_process exec, spawn with "
              "shell: true, os.system, subprocess with shell=True). Shell metacharacters in the input (; | $() "
              "`) run any command with the function's role." EVENT_WHY,
              "Do not build command lines from input: call the program directly with an argument array and no "
              "shell (execFile / subprocess.run([...])), validate the value against an allow-list, or quote it "
              "with shlex.quote.",
              "execFile('convert', [inputPath, '-resize', '200x200', outputPath]);\n"
              "subprocess.run(['convert', path, '-resize', '200x200', out], check=True)\n",
              "CWE-78", "SAS-1"),
    CODE_RULE("CODE-002", "CODE", SLSEC_SEV_CRITICAL, "Event data is evaluated as code",
              "Data from the event reaches eval, new Function, vm.run*, setTimeout with a string, or Python "
              "eval/exec/compile: whoever sends the event runs code inside the function, with its credentials." EVENT_WHY,
              "Never evaluate input. Parse data with JSON.parse / json.loads or ast.literal_eval, and map "
              "operation names to functions through a fixed table.",
              "const ops = { add: (a, b) => a + b };\nconst fn = ops[body.op]; if (!fn) return { statusCode: 400 };\n",
              "CWE-95", "SAS-1"),
    CODE_RULE("CODE-003", "CODE", SLSEC_SEV_CRITICAL, "SQL statement built from event data",
              "A SQL statement is built by concatenation, a template literal, an f-string, % or format() from "
              "event data and run (query, execute, raw). Quotes in the input change the statement: data is read, "
              "changed or deleted beyond what the function should reach." EVENT_WHY,
              "Use placeholders and pass values separately: db.query('SELECT * FROM t WHERE id = ?', [id]); "
              "cursor.execute('SELECT * FROM t WHERE id = %s', (id,)).",
              "const [rows] = await pool.query('SELECT * FROM orders WHERE id = ?', [orderId]);\n",
              "CWE-89", "SAS-1"),
    CODE_RULE("CODE-004", "CODE", SLSEC_SEV_HIGH, "NoSQL query shaped by event data",
              "A MongoDB query object is taken whole from the event, uses $where, or takes values from parsed "
              "JSON that may be operator objects ({\"$ne\": null}); or a DynamoDB FilterExpression / "
              "KeyConditionExpression is a string built from input. Either way the caller chooses the query's "
              "logic, not just its values." EVENT_WHY,
              "Build query objects field by field from validated, typed values (String(x)); keep DynamoDB "
              "expressions constant and pass input through ExpressionAttributeValues.",
              "FilterExpression: 'customerId = :c',\nExpressionAttributeValues: { ':c': String(customerId) },\n",
              "CWE-943", "SAS-1"),
    CODE_RULE("CODE-005", "CODE", SLSEC_SEV_HIGH, "File path from event data (path traversal)",
              "A file path given to fs.* or open() comes from the event. ../ sequences or absolute paths read or "
              "write any file the function can reach: /proc/self/environ holds the function's AWS credentials." EVENT_WHY,
              "Take only the base name (path.basename / os.path.basename) and join it under a fixed folder, or "
              "map identifiers to paths through a table.",
              "const file = path.join('/tmp/uploads', path.basename(name));\n",
              "CWE-22", "SAS-1"),
    CODE_RULE("CODE-006", "CODE", SLSEC_SEV_HIGH, "Outbound request to a URL from event data (SSRF)",
              "The function fetches a URL the event chose (http/https, axios, fetch, got, requests, urllib, "
              "httpx). Inside AWS that reaches internal services, VPC-only endpoints and, on some runtimes, "
              "metadata endpoints that hand out credentials." EVENT_WHY,
              "Keep the scheme and host fixed in code and put input only into the path or query, encoded "
              "(encodeURIComponent / urllib.parse.quote), or check the host against an allow-list.",
              "const res = await fetch(`https://api.example.com/users/${encodeURIComponent(id)}`);\n",
              "CWE-918", "SAS-1"),
    CODE_RULE("CODE-007", "CODE", SLSEC_SEV_CRITICAL, "Unsafe deserialisation of event data",
              "Event data is deserialised with a format that can construct arbitrary objects or run code: "
              "node-serialize, js-yaml with the full schema, pickle, marshal, jsonpickle, yaml.load without "
              "SafeLoader." EVENT_WHY,
              "Use data-only formats: JSON.parse / json.loads, yaml.safe_load, js-yaml's default (safe) schema.",
              "data = yaml.safe_load(body)\n", "CWE-502", "SAS-1"),
    CODE_RULE("CODE-008", "CODE", SLSEC_SEV_HIGH, "XML from event data parsed with external entities",
              "XML from the event is parsed with entity expansion on (libxmljs noent: true, lxml's default "
              "parser). A DOCTYPE in the input reads local files such as /proc/self/environ or makes requests "
              "from inside the network." EVENT_WHY,
              "Use defusedxml in Python, or a parser with entity resolution off "
              "(etree.XMLParser(resolve_entities=False, no_network=True); libxmljs without noent).",
              "from defusedxml import ElementTree\ndoc = ElementTree.fromstring(body)\n", "CWE-611", "SAS-1"),
    CODE_RULE("CODE-009", "CODE", SLSEC_SEV_HIGH, "Event data used as a template (template injection)",
              "Event data is compiled as a template (ejs, handlebars, pug, nunjucks, lodash.template, jinja2 "
              "Template / from_string, render_template_string). Template languages reach the runtime: input "
              "becomes code." EVENT_WHY,
              "Keep templates constant (files or literals) and pass input only as the render context.",
              "template = env.get_template('greeting.html')\nhtml = template.render(name=name)\n",
              "CWE-1336", "SAS-1"),
    CODE_RULE("CODE-010", "CODE", SLSEC_SEV_MEDIUM, "Regular expression built from event data (ReDoS)",
              "A regular expression is compiled from event data (new RegExp, re.compile, re.match...). A "
              "pattern with nested quantifiers makes the engine backtrack for minutes: the function times out "
              "and every retry costs money." EVENT_WHY,
              "Escape input before putting it in a pattern (escape-string-regexp, re.escape), or use plain "
              "string search (includes / in).",
              "const re = new RegExp(escapeStringRegexp(term), 'i');\n", "CWE-1333", "SAS-8"),
    CODE_RULE("CODE-011", "CODE", SLSEC_SEV_MEDIUM, "Redirect to a URL from event data (open redirect)",
              "The function redirects (a Location header, res.redirect, flask.redirect) to a URL taken from the "
              "event. Phishing links then carry your domain and send users anywhere." EVENT_WHY,
              "Redirect only to relative paths or to hosts on an allow-list.",
              "const target = ALLOWED_RETURN_PATHS.includes(next) ? next : '/';\n", "CWE-601", "SAS-1"),
    CODE_RULE("CODE-012", "CODE", SLSEC_SEV_MEDIUM, "Event data echoed into an HTML response (reflected XSS)",
              "A response with HTML content carries event data without escaping. A crafted link runs script in "
              "the user's browser, on your origin." EVENT_WHY,
              "Escape input for HTML (escape-html, he.encode, html.escape, markupsafe) or return JSON with "
              "Content-Type application/json.",
              "body: `<h1>Hello ${escapeHtml(name)}</h1>`,\n", "CWE-79", "SAS-1"),
    CODE_RULE("LOG-101", "LOG", SLSEC_SEV_MEDIUM, "Handler logs the whole event, its headers, body or cookies",
              "A handler writes the whole event, or its headers, body or cookies, to the logs (console.*, "
              "logger libraries, print, logging.*). Authorization headers, session cookies, passwords and "
              "personal data then sit in CloudWatch Logs for everyone with logs:GetLogEvents, for as long as "
              "the retention says.",
              "Log the fields you need (request id, route, status), never whole events or headers; mask what "
              "must appear (`slsec logs redact` does it in a log pipeline).",
              "console.log({ requestId: context.awsRequestId, route: event.routeKey });\n", "CWE-532", "SAS-5"),
    CODE_RULE("LOG-102", "LOG", SLSEC_SEV_HIGH, "Handler logs a value named like a secret",
              "A handler logs a variable or field named like a password, token, secret or key. Whatever it "
              "holds is then readable by everyone who can read the logs, and survives rotation of the secret "
              "itself in log archives.",
              "Do not log secrets; log that one was present, or a short fingerprint of it.",
              "logger.info('token present: %s', bool(token))\n", "CWE-532", "SAS-7"),
};
SLSEC_FAMILY_END(code)
