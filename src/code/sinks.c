/*
 * sinks.c — what the taint walk knows about libraries: sinks (per rule),
 * sanitisers, propagators, validators and loggers, by canonical callee
 * name.
 *
 * A canonical name is the module a local name was imported from, followed
 * by the members read from it: `const { exec } = require('child_process')`
 * makes `exec(...)` a call to "child_process.exec"; `import subprocess as
 * sp` makes `sp.run(...)` "subprocess.run". Names that no import explains
 * stay as written ("eval", "cursor.execute"). "*.name" in a table matches
 * any receiver; language 1 is JavaScript/TypeScript, 2 is Python.
 *
 * The tables favour precision: a method name that is common outside the
 * library it belongs to (`exec` on a RegExp, `execute` on anything) is a
 * sink only with the receiver or the argument shape that makes it one
 * (SINK_* conditions, checked in taint.c).
 */
#include "code_internal.h"

#include <pthread.h>
#include <string.h>

#define JS 1u
#define PY 2u

static const code_sink sinks[] = {
    /* CODE-001 OS command execution */
    {"CODE-001", "child_process.exec", JS, 0, 0},
    {"CODE-001", "child_process.execSync", JS, 0, 0},
    {"CODE-001", "child_process.spawn", JS, -1, SINK_SHELL},
    {"CODE-001", "child_process.spawnSync", JS, -1, SINK_SHELL},
    {"CODE-001", "child_process.execFile", JS, -1, SINK_SHELL},
    {"CODE-001", "child_process.execFileSync", JS, -1, SINK_SHELL},
    {"CODE-001", "execa.execaCommand", JS, 0, 0},
    {"CODE-001", "execa.execaCommandSync", JS, 0, 0},
    {"CODE-001", "execa.command", JS, 0, 0},
    {"CODE-001", "execa.commandSync", JS, 0, 0},
    {"CODE-001", "execa", JS, -1, SINK_SHELL},
    {"CODE-001", "execa.execa", JS, -1, SINK_SHELL},
    {"CODE-001", "shelljs.exec", JS, 0, 0},
    {"CODE-001", "os.system", PY, 0, 0},
    {"CODE-001", "os.popen", PY, 0, 0},
    {"CODE-001", "os.execl", PY, -1, 0},
    {"CODE-001", "os.execlp", PY, -1, 0},
    {"CODE-001", "os.execv", PY, -1, 0},
    {"CODE-001", "os.execvp", PY, -1, 0},
    {"CODE-001", "subprocess.getoutput", PY, 0, 0},
    {"CODE-001", "subprocess.getstatusoutput", PY, 0, 0},
    {"CODE-001", "subprocess.run", PY, 0, SINK_SHELL},
    {"CODE-001", "subprocess.call", PY, 0, SINK_SHELL},
    {"CODE-001", "subprocess.check_call", PY, 0, SINK_SHELL},
    {"CODE-001", "subprocess.check_output", PY, 0, SINK_SHELL},
    {"CODE-001", "subprocess.Popen", PY, 0, SINK_SHELL},
    {"CODE-001", "commands.getoutput", PY, 0, 0},
    {"CODE-001", "asyncio.create_subprocess_shell", PY, 0, 0},
    /* CODE-002 code evaluation */
    {"CODE-002", "eval", JS | PY, 0, 0},
    {"CODE-002", "Function", JS, -1, 0},
    {"CODE-002", "vm.runInNewContext", JS, 0, 0},
    {"CODE-002", "vm.runInThisContext", JS, 0, 0},
    {"CODE-002", "vm.runInContext", JS, 0, 0},
    {"CODE-002", "vm.compileFunction", JS, 0, 0},
    {"CODE-002", "vm.Script", JS, 0, 0},
    {"CODE-002", "setTimeout", JS, 0, SINK_STRING},
    {"CODE-002", "setInterval", JS, 0, SINK_STRING},
    {"CODE-002", "exec", PY, 0, 0},
    {"CODE-002", "compile", PY, 0, 0},
    /* CODE-003 SQL built from strings */
    {"CODE-003", "*.query", JS, 0, SINK_SQL},
    {"CODE-003", "*.execute", JS | PY, 0, SINK_SQL},
    {"CODE-003", "*.executemany", PY, 0, SINK_SQL},
    {"CODE-003", "*.executescript", PY, 0, SINK_SQL},
    {"CODE-003", "*.raw", JS | PY, 0, SINK_SQL},
    {"CODE-003", "*.$queryRawUnsafe", JS, 0, 0},
    {"CODE-003", "*.$executeRawUnsafe", JS, 0, 0},
    {"CODE-003", "*.prepare", JS, 0, SINK_SQL},
    {"CODE-003", "*.all", JS, 0, SINK_SQL},
    {"CODE-003", "*.run", JS, 0, SINK_SQL},
    {"CODE-003", "*.exec", JS, 0, SINK_SQL},
    {"CODE-003", "*.read_sql", PY, 0, SINK_SQL},
    {"CODE-003", "sqlalchemy.text", PY, 0, SINK_SQL},
    /* CODE-004 NoSQL (MongoDB; DynamoDB expressions are checked on object keys) */
    {"CODE-004", "*.find", JS | PY, 0, SINK_NOSQL},
    {"CODE-004", "*.findOne", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.find_one", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.updateOne", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.updateMany", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.update_one", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.update_many", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.deleteOne", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.deleteMany", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.delete_one", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.delete_many", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.countDocuments", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.count_documents", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.findOneAndUpdate", JS, 0, SINK_NOSQL},
    {"CODE-004", "*.find_one_and_update", PY, 0, SINK_NOSQL},
    {"CODE-004", "*.$where", JS, 0, 0},
    /* CODE-005 file paths */
    {"CODE-005", "fs.readFile", JS, 0, 0},
    {"CODE-005", "fs.readFileSync", JS, 0, 0},
    {"CODE-005", "fs.writeFile", JS, 0, 0},
    {"CODE-005", "fs.writeFileSync", JS, 0, 0},
    {"CODE-005", "fs.appendFile", JS, 0, 0},
    {"CODE-005", "fs.appendFileSync", JS, 0, 0},
    {"CODE-005", "fs.createReadStream", JS, 0, 0},
    {"CODE-005", "fs.createWriteStream", JS, 0, 0},
    {"CODE-005", "fs.unlink", JS, 0, 0},
    {"CODE-005", "fs.unlinkSync", JS, 0, 0},
    {"CODE-005", "fs.rm", JS, 0, 0},
    {"CODE-005", "fs.rmSync", JS, 0, 0},
    {"CODE-005", "fs.readdir", JS, 0, 0},
    {"CODE-005", "fs.readdirSync", JS, 0, 0},
    {"CODE-005", "fs.open", JS, 0, 0},
    {"CODE-005", "fs.openSync", JS, 0, 0},
    {"CODE-005", "*.sendFile", JS, 0, SINK_RECEIVER},
    {"CODE-005", "open", PY, 0, 0},
    {"CODE-005", "io.open", PY, 0, 0},
    {"CODE-005", "os.remove", PY, 0, 0},
    {"CODE-005", "os.unlink", PY, 0, 0},
    {"CODE-005", "os.listdir", PY, 0, 0},
    {"CODE-005", "shutil.rmtree", PY, 0, 0},
    {"CODE-005", "shutil.copy", PY, -1, 0},
    {"CODE-005", "shutil.copyfile", PY, -1, 0},
    {"CODE-005", "flask.send_file", PY, 0, 0},
    /* CODE-006 outbound requests to input URLs (SSRF) */
    {"CODE-006", "http.get", JS, 0, SINK_URL},
    {"CODE-006", "http.request", JS, 0, SINK_URL},
    {"CODE-006", "https.get", JS, 0, SINK_URL},
    {"CODE-006", "https.request", JS, 0, SINK_URL},
    {"CODE-006", "axios", JS, 0, SINK_URL},
    {"CODE-006", "axios.get", JS, 0, SINK_URL},
    {"CODE-006", "axios.post", JS, 0, SINK_URL},
    {"CODE-006", "axios.put", JS, 0, SINK_URL},
    {"CODE-006", "axios.patch", JS, 0, SINK_URL},
    {"CODE-006", "axios.delete", JS, 0, SINK_URL},
    {"CODE-006", "axios.head", JS, 0, SINK_URL},
    {"CODE-006", "axios.request", JS, 0, SINK_URL},
    {"CODE-006", "fetch", JS, 0, SINK_URL},
    {"CODE-006", "got", JS, 0, SINK_URL},
    {"CODE-006", "got.get", JS, 0, SINK_URL},
    {"CODE-006", "got.post", JS, 0, SINK_URL},
    {"CODE-006", "request", JS, 0, SINK_URL},
    {"CODE-006", "request.get", JS, 0, SINK_URL},
    {"CODE-006", "request.post", JS, 0, SINK_URL},
    {"CODE-006", "needle.get", JS, 1, SINK_URL},
    {"CODE-006", "superagent.get", JS, 0, SINK_URL},
    {"CODE-006", "requests.get", PY, 0, SINK_URL},
    {"CODE-006", "requests.post", PY, 0, SINK_URL},
    {"CODE-006", "requests.put", PY, 0, SINK_URL},
    {"CODE-006", "requests.patch", PY, 0, SINK_URL},
    {"CODE-006", "requests.delete", PY, 0, SINK_URL},
    {"CODE-006", "requests.head", PY, 0, SINK_URL},
    {"CODE-006", "requests.request", PY, 1, SINK_URL},
    {"CODE-006", "urllib.request.urlopen", PY, 0, SINK_URL},
    {"CODE-006", "urllib.request.Request", PY, 0, SINK_URL},
    {"CODE-006", "urllib2.urlopen", PY, 0, SINK_URL},
    {"CODE-006", "httpx.get", PY, 0, SINK_URL},
    {"CODE-006", "httpx.post", PY, 0, SINK_URL},
    {"CODE-006", "httpx.request", PY, 1, SINK_URL},
    /* CODE-007 unsafe deserialisation */
    {"CODE-007", "node-serialize.unserialize", JS, 0, 0},
    {"CODE-007", "serialize-javascript.deserialize", JS, 0, 0},
    {"CODE-007", "js-yaml.load", JS, 0, SINK_JSYAML},
    {"CODE-007", "js-yaml.loadAll", JS, 0, SINK_JSYAML},
    {"CODE-007", "pickle.loads", PY, 0, 0},
    {"CODE-007", "pickle.load", PY, 0, 0},
    {"CODE-007", "cPickle.loads", PY, 0, 0},
    {"CODE-007", "dill.loads", PY, 0, 0},
    {"CODE-007", "marshal.loads", PY, 0, 0},
    {"CODE-007", "jsonpickle.decode", PY, 0, 0},
    {"CODE-007", "yaml.load", PY, 0, SINK_YAML},
    {"CODE-007", "yaml.load_all", PY, 0, SINK_YAML},
    {"CODE-007", "yaml.unsafe_load", PY, 0, 0},
    {"CODE-007", "yaml.full_load", PY, 0, 0},
    /* CODE-008 XML external entities */
    {"CODE-008", "libxmljs.parseXml", JS, 0, SINK_XML},
    {"CODE-008", "libxmljs.parseXmlString", JS, 0, SINK_XML},
    {"CODE-008", "libxmljs2.parseXml", JS, 0, SINK_XML},
    {"CODE-008", "lxml.etree.fromstring", PY, 0, SINK_XML},
    {"CODE-008", "lxml.etree.XML", PY, 0, SINK_XML},
    {"CODE-008", "lxml.etree.parse", PY, 0, SINK_XML},
    {"CODE-008", "xml.sax.parseString", PY, 0, SINK_XML},
    /* CODE-009 template injection */
    {"CODE-009", "ejs.render", JS, 0, 0},
    {"CODE-009", "ejs.compile", JS, 0, 0},
    {"CODE-009", "handlebars.compile", JS, 0, 0},
    {"CODE-009", "pug.render", JS, 0, 0},
    {"CODE-009", "pug.compile", JS, 0, 0},
    {"CODE-009", "nunjucks.renderString", JS, 0, 0},
    {"CODE-009", "mustache.render", JS, 0, 0},
    {"CODE-009", "lodash.template", JS, 0, 0},
    {"CODE-009", "_.template", JS, 0, 0},
    {"CODE-009", "jinja2.Template", PY, 0, 0},
    {"CODE-009", "*.from_string", PY, 0, 0},
    {"CODE-009", "flask.render_template_string", PY, 0, 0},
    {"CODE-009", "mako.template.Template", PY, 0, 0},
    /* CODE-010 regular expressions from input */
    {"CODE-010", "RegExp", JS, 0, 0},
    {"CODE-010", "re.compile", PY, 0, 0},
    {"CODE-010", "re.match", PY, 0, 0},
    {"CODE-010", "re.search", PY, 0, 0},
    {"CODE-010", "re.fullmatch", PY, 0, 0},
    {"CODE-010", "re.findall", PY, 0, 0},
    {"CODE-010", "re.finditer", PY, 0, 0},
    {"CODE-010", "re.sub", PY, 0, 0},
    {"CODE-010", "re.split", PY, 0, 0},
    /* CODE-011 redirects (returned Location headers are checked on objects) */
    {"CODE-011", "*.redirect", JS, -1, SINK_RECEIVER},
    {"CODE-011", "flask.redirect", PY, 0, 0},
    /* CODE-012 input echoed as HTML */
    {"CODE-012", "*.send", JS, 0, SINK_RECEIVER | SINK_HTML},
    {"CODE-012", "*.write", JS, 0, SINK_RECEIVER | SINK_HTML},
    {"CODE-012", "*.end", JS, 0, SINK_RECEIVER | SINK_HTML},
    {"CODE-012", "flask.make_response", PY, 0, SINK_HTML},
};

/* A name and its last member ("x.y.exec" → "exec"), split once per
 * lookup: the tables are asked about every call of a file. */
typedef struct lookup_name {
    const char *name;
    const char *method; /* after the last dot; NULL when there is none (or it leads) */
} lookup_name;

static lookup_name split_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return (lookup_name){name, dot && dot != name ? dot + 1 : NULL};
}

/* The sinks are asked about every call of a handler. Each pattern is in
 * the table once, so a name matches at most two entries: its own, and
 * "*.method" for its last member; both are found through an index made
 * on first use (entry + 1 by pattern, "*." patterns by their method). */
#define NSINKS (sizeof sinks / sizeof sinks[0])
#define SINK_SLOTS 512 /* a power of two, over twice NSINKS */
static uint8_t by_name[SINK_SLOTS], by_method[SINK_SLOTS];
static pthread_once_t sinks_once = PTHREAD_ONCE_INIT;

static size_t slot_of(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h & (SINK_SLOTS - 1);
}

static void index_sinks(void)
{
    _Static_assert(NSINKS < 255 && NSINKS * 2 <= SINK_SLOTS, "the sink index holds entry + 1 in a byte");
    for (size_t i = 0; i < NSINKS; i++) {
        bool method = sinks[i].name[0] == '*' && sinks[i].name[1] == '.';
        uint8_t *index = method ? by_method : by_name;
        size_t at = slot_of(sinks[i].name + (method ? 2 : 0));
        while (index[at])
            at = (at + 1) & (SINK_SLOTS - 1);
        index[at] = (uint8_t)(i + 1);
    }
}

/* The entry whose pattern (without "*." in by_method) is `key`, or -1. */
static int find_sink(const uint8_t *index, const char *key, size_t skip)
{
    for (size_t at = slot_of(key); index[at]; at = (at + 1) & (SINK_SLOTS - 1))
        if (strcmp(sinks[index[at] - 1].name + skip, key) == 0)
            return index[at] - 1;
    return -1;
}

const code_sink *code_sink_find(const char *name, unsigned lang, size_t *from)
{
    pthread_once(&sinks_once, index_sinks);
    lookup_name n = split_name(name);
    int exact = find_sink(by_name, name, 0);
    int method = n.method ? find_sink(by_method, n.method, 2) : -1;
    int cand[2] = {exact < method ? exact : method, exact < method ? method : exact}; /* table order */
    for (size_t i = 0; i < 2; i++) {
        if (cand[i] >= 0 && (size_t)cand[i] >= *from && (sinks[cand[i]].langs & lang)) {
            *from = (size_t)cand[i] + 1;
            return &sinks[cand[i]];
        }
    }
    *from = NSINKS;
    return NULL;
}

/* The lists below are asked about every call too, so each is indexed on
 * first use like the sinks: its patterns by name, its "*." patterns by
 * their method (entry + 1). */
typedef struct name_list {
    const char *const *names;
    size_t count;
    uint8_t by_name[128], by_method[128]; /* a power of two, over twice the longest list */
} name_list;

static void index_list(name_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        bool method = l->names[i][0] == '*' && l->names[i][1] == '.';
        uint8_t *index = method ? l->by_method : l->by_name;
        size_t at = slot_of(l->names[i] + (method ? 2 : 0)) & 127;
        while (index[at])
            at = (at + 1) & 127;
        index[at] = (uint8_t)(i + 1);
    }
}

static bool listed(const uint8_t *index, const char *const *names, const char *key, size_t skip)
{
    for (size_t at = slot_of(key) & 127; index[at]; at = (at + 1) & 127)
        if (strcmp(names[index[at] - 1] + skip, key) == 0)
            return true;
    return false;
}

/* Does `name` match a pattern of the list ("*.m": any receiver's method m)? */
static bool in_list(const name_list *l, const char *name)
{
    lookup_name n = split_name(name);
    return listed(l->by_name, l->names, name, 0) || (n.method && listed(l->by_method, l->names, n.method, 2));
}

static const char *const sanitizers_js[] = {
        "parseInt", "parseFloat", "Number", "Boolean", "Math.floor", "Math.round", "Number.parseInt",
        "Number.parseFloat", "encodeURIComponent", "escape-html", "he.encode", "he.escape",
        "lodash.escape", "_.escape", "escapeHtml", "validator.escape", "validator.isURL", "xss",
        "dompurify.sanitize", "DOMPurify.sanitize", "sanitize-html", "shell-quote.quote", "shellescape",
        "escapeRegExp", "lodash.escapeRegExp", "_.escapeRegExp", "escape-string-regexp", "mysql.escape",
        "*.escape", "*.escapeId", "uuid.validate", "*.parse", "*.safeParse", "*.parseAsync", "*.cast",
        "*.validateSync", "*.length", "*.indexOf", "*.includes", "*.startsWith", "*.endsWith", "*.test",
        "Array.isArray", "isNaN", "Number.isInteger", "*.has", "String.prototype.length",
};
static const char *const sanitizers_py[] = {
        "int", "float", "bool", "len", "shlex.quote", "pipes.quote", "html.escape",
        "markupsafe.escape", "flask.escape", "bleach.clean", "re.escape", "urllib.parse.quote",
        "urllib.parse.quote_plus", "uuid.UUID", "*.model_validate", "*.parse_obj", "*.parse_raw",
        "*.model_validate_json", "isinstance", "*.isdigit", "*.isalnum", "*.startswith", "*.endswith",
        "decimal.Decimal", "defusedxml.ElementTree.fromstring",
};
static const char *const propagators_js[] = {
        "JSON.parse", "String", "Buffer.from", "decodeURIComponent", "decodeURI", "unescape", "atob",
        "querystring.parse", "qs.parse", "url.parse", "path.join", "path.resolve", "path.normalize",
        "Object.assign", "Object.values", "Object.keys", "Object.entries", "Array.from", "JSON.stringify",
};
static const char *const propagators_py[] = {
        "json.loads", "str", "bytes", "base64.b64decode", "base64.urlsafe_b64decode", "urllib.parse.unquote",
        "urllib.parse.unquote_plus", "urllib.parse.parse_qs", "os.path.join", "os.path.abspath",
        "os.path.normpath", "dict", "list", "tuple", "json.dumps", "pathlib.Path", "Path",
};
static const char *const validators[] = {
        "*.validate", "validate", "*.assert", "*.is_valid", "*.isValid", "jsonschema.validate",
        "*.validate_input", "validate_input", "validateInput", "*.assertValid", "*.check_schema",
};
static const char *const loggers[] = {
        "console.log", "console.info", "console.warn", "console.error", "console.debug", "console.trace",
        "print", "logging.info", "logging.debug", "logging.warning", "logging.error", "logging.critical",
        "logging.exception", "logging.log",
};

#define LIST(a) {a, sizeof a / sizeof a[0], {0}, {0}}
#define FITS(a) _Static_assert(sizeof a / sizeof a[0] * 2 <= 128, #a " is too long for its index")
FITS(sanitizers_js);
FITS(sanitizers_py);
FITS(propagators_js);
FITS(propagators_py);
FITS(validators);
FITS(loggers);
static name_list lists[] = {
    LIST(sanitizers_js), LIST(sanitizers_py), LIST(propagators_js), LIST(propagators_py), LIST(validators), LIST(loggers),
};
enum { SANITIZERS_JS, SANITIZERS_PY, PROPAGATORS_JS, PROPAGATORS_PY, VALIDATORS, LOGGERS };
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void index_lists(void)
{
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        index_list(&lists[i]);
}

static bool in(int list, const char *name)
{
    pthread_once(&lists_once, index_lists);
    return in_list(&lists[list], name);
}

bool code_is_sanitizer(const char *name, unsigned lang) { return in(lang == 1 ? SANITIZERS_JS : SANITIZERS_PY, name); }

bool code_is_propagator(const char *name, unsigned lang)
{
    return in(lang == 1 ? PROPAGATORS_JS : PROPAGATORS_PY, name);
}

bool code_is_validator(const char *name)
{
    if (in(VALIDATORS, name))
        return true;
    const char *last = strrchr(name, '.');
    last = last ? last + 1 : name;
    return strncmp(last, "isValid", 7) == 0 || strncmp(last, "is_valid", 8) == 0 ||
           strncmp(last, "validate", 8) == 0;
}

bool code_is_logger(const char *name, unsigned lang)
{
    if (in(LOGGERS, name))
        return lang == 2 || strncmp(name, "console.", 8) == 0;
    static const char *const methods[] = {"info", "debug", "warn", "warning", "error", "critical",
                                          "exception", "log", "trace", "fatal"};
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return false;
    bool method = false;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        method = method || strcmp(dot + 1, methods[i]) == 0;
    if (!method)
        return false;
    /* the receiver must say it is a logger: logger, log, LOGGER, powertools' Logger */
    size_t n = (size_t)(dot - name);
    for (size_t i = 0; i + 3 <= n; i++)
        if ((name[i] | 32) == 'l' && (name[i + 1] | 32) == 'o' && (name[i + 2] | 32) == 'g')
            return true;
    return false;
}

const char *code_module_alias(const char *module)
{
    static const char *const pairs[][2] = {
        {"node:child_process", "child_process"}, {"node:fs", "fs"}, {"fs/promises", "fs"},
        {"node:fs/promises", "fs"}, {"fs-extra", "fs"}, {"graceful-fs", "fs"}, {"node:vm", "vm"},
        {"node:http", "http"}, {"node:https", "https"}, {"node:path", "path"}, {"node-fetch", "fetch"},
        {"cross-fetch", "fetch"}, {"isomorphic-fetch", "fetch"}, {"yaml", "js-yaml"}, {"lodash", "lodash"},
        {"underscore", "lodash"}, {"mysql2", "mysql"}, {"mysql2/promise", "mysql"}, {"node:url", "url"},
        {"node:querystring", "querystring"}, {"libxmljs2", "libxmljs"}, {"xml.etree", "xml.etree"},
        {"requests.api", "requests"}, {"node:util", "util"}, {"isomorphic-dompurify", "dompurify"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], module) == 0)
            return pairs[i][1];
    return module;
}

const char *code_rule_label(const char *rule_id)
{
    static const char *const labels[][2] = {
        {"CODE-001", "OS command execution"},  {"CODE-002", "code evaluation"},
        {"CODE-003", "a SQL statement"},       {"CODE-004", "a NoSQL query"},
        {"CODE-005", "a file path"},           {"CODE-006", "an outbound request URL"},
        {"CODE-007", "deserialisation"},       {"CODE-008", "an XML parser with entities"},
        {"CODE-009", "a template"},            {"CODE-010", "a regular expression"},
        {"CODE-011", "a redirect"},            {"CODE-012", "an HTML response"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i][0], rule_id) == 0)
            return labels[i][1];
    return "a sink";
}
