/*
 * code_internal.h — what the files of src/code share: the parsed file
 * (parse.c), the sink and sanitiser tables (sinks.c) and the taint walk
 * (taint.c).
 */
#ifndef SLSEC_CODE_INTERNAL_H
#define SLSEC_CODE_INTERNAL_H

#include "slsec/code.h"

#include <tree_sitter/api.h>

/* The grammars compiled from third_party/grammars (CMakeLists.txt). */
const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);
const TSLanguage *tree_sitter_tsx(void);
const TSLanguage *tree_sitter_python(void);

/* Conditions a sink puts on its call before it counts (sinks.c). */
enum {
    SINK_SHELL = 1u << 0,     /* only with shell: true / shell=True */
    SINK_SQL = 1u << 1,       /* a string built from input, or a database receiver */
    SINK_URL = 1u << 2,       /* not when the scheme and host are fixed literals */
    SINK_STRING = 1u << 3,    /* the argument is data, not a function (setTimeout) */
    SINK_NOSQL = 1u << 4,     /* a query object taken whole, or operators from parsed JSON */
    SINK_YAML = 1u << 5,      /* yaml.load without a safe loader */
    SINK_XML = 1u << 6,       /* entity expansion on (libxmljs noent, lxml default parser) */
    SINK_RECEIVER = 1u << 7,  /* a response/request-like receiver (res.redirect, res.send) */
    SINK_HTML = 1u << 8,      /* the argument carries markup */
    SINK_JSYAML = 1u << 9,    /* js-yaml load with an unsafe schema */
};

typedef struct code_sink {
    const char *rule_id;
    const char *name;  /* canonical callee: "child_process.exec"; "*.query" = any receiver */
    unsigned langs;    /* 1: JS/TS, 2: Python, 3: both */
    int arg;           /* the argument that must not be tainted; -1: any */
    unsigned cond;     /* SINK_* */
} code_sink;

/* The first sink entry matching canonical callee `name` for the language
 * (1 or 2), or NULL; *from is where to continue (0 to start). */
const code_sink *code_sink_find(const char *name, unsigned lang, size_t *from);
/* Does a call to `name` return a value the event no longer controls? */
bool code_is_sanitizer(const char *name, unsigned lang);
/* Does a call to `name` return its (first) argument's data, transformed? */
bool code_is_propagator(const char *name, unsigned lang);
/* Does a call to `name` (in a condition or as a statement) validate its
 * arguments, so that they are clean afterwards? */
bool code_is_validator(const char *name);
/* Is `name` a logging call? */
bool code_is_logger(const char *name, unsigned lang);
/* Module names that mean the same library: "fs/promises" -> "fs". */
const char *code_module_alias(const char *module);
/* A short description of a rule's sink family ("OS command execution"). */
const char *code_rule_label(const char *rule_id);

/* ---- outbound integrations (outbound.c) ------------------------------------ */

/* The IAM prefix of a service as an SDK spells it ("client-" package
 * suffix, v2 class name, boto3 name): "sfn" and "StepFunctions" are
 * "states", "S3" is "s3". NULL for what cannot be a service name. */
const char *code_aws_service(slsec_arena *a, const char *spelling);
/* Is `name`, read from the v2 AWS namespace (AWS.S3), a service client
 * class rather than a helper (AWS.Config, AWS.SharedIniFileCredentials)? */
bool code_aws_v2_class(const char *name);
/* "putObject", "put_object" -> "PutObject"; NULL when not a name. */
char *code_aws_pascal(slsec_arena *a, const char *method);
/* The table operation of a DynamoDB document client method or
 * lib-dynamodb command stem ("put", "Put" -> "PutItem"), or NULL. */
const char *code_dynamodb_document_operation(const char *method);
/* Is a method of a v2 (or v3 aggregated) client an API operation? */
bool code_aws_js_operation_method(const char *method);

typedef enum {
    CODE_AWS_NOT_AN_OPERATION,     /* close(), meta, get_waiter() */
    CODE_AWS_OPERATION_IS_METHOD,  /* put_object() -> PutObject */
    CODE_AWS_OPERATION_IN_ARGUMENT,/* get_paginator('list_objects_v2') */
    CODE_AWS_OPERATION_FIXED,      /* upload_file() -> PutObject */
} code_aws_method;

/* What a method of a boto3 client is; *fixed is the operation for
 * CODE_AWS_OPERATION_FIXED. */
code_aws_method code_boto3_client_method(const char *method, const char **fixed);
/* The operation a method of a boto3 sub-resource (`Table`, `Object`,
 * `Queue`) calls, or NULL (load(), meta, further sub-resources). */
const char *code_boto3_subresource_operation(slsec_arena *a, const char *sub, const char *method);

enum {
    HTTP_OPTIONS = 1u << 0,   /* JS: the argument may be an options object (url, uri, baseURL, hostname, host) */
    HTTP_HOST_ONLY = 1u << 1, /* the argument is a host name, not a URL (http.client.HTTPSConnection) */
};

/* An HTTP client call and where it takes its URL. */
typedef struct code_http_call {
    const char *name;    /* canonical callee: "axios.get", "requests.post" */
    unsigned langs;      /* 1: JS/TS, 2: Python */
    int url_arg;         /* the positional argument holding the URL; -1: none */
    const char *url_kw;  /* Python: the keyword that may hold it instead */
    unsigned how;        /* HTTP_* */
    const char *session; /* constructors of client objects: the library whose
                          * calls their methods are ("requests": s.get is requests.get) */
} code_http_call;

const code_http_call *code_http_call_find(const char *name, unsigned lang);

/* The host of a URL's constant start (see outbound.c: the authority must
 * end in it, or `complete` says the URL is constant all through), lower
 * case, without port; NULL when the host is not fixed, carries
 * credentials, or is a loopback address. */
const char *code_url_host(slsec_arena *a, const char *prefix, bool complete);
/* A host name as written (a port allowed), checked and lower-cased; NULL
 * when it is not one or is a loopback address. */
const char *code_host_name(slsec_arena *a, const char *s, size_t n);

/* ---- syntax trees by id (syntax.c) ----------------------------------------------
 *
 * The walk asks every node what it is, and many nodes for a field. By
 * name, each question is a string compare (the node's type) or a linear
 * scan of the grammar's field names; by id it is an array index. The
 * kinds and fields the analysis knows are listed once here, and each
 * grammar's ids for them are looked up once per process. */

#define CODE_NODE_KINDS(X)                                                                                      \
    X(aliased_import) X(argument_list) X(arguments) X(array) X(array_pattern) X(arrow_function)                \
    X(as_expression) X(as_pattern) X(assignment) X(assignment_expression) X(assignment_pattern) X(attribute)   \
    X(augmented_assignment) X(augmented_assignment_expression) X(await) X(await_expression)                    \
    X(binary_expression) X(binary_operator) X(block) X(boolean_operator) X(call) X(call_expression)            \
    X(class_declaration) X(class_definition) X(comment) X(comparison_operator) X(concatenated_string)          \
    X(conditional_expression) X(default_parameter) X(dictionary) X(dictionary_splat)                           \
    X(dictionary_splat_pattern) X(dotted_name) X(export_clause) X(export_statement) X(expression_list)         \
    X(field_definition) X(for_in_statement) X(for_statement) X(frozenset) X(function)                          \
    X(function_declaration) X(function_definition) X(function_expression) X(generator_function_declaration)    \
    X(identifier) X(if_statement) X(import) X(import_clause) X(import_from_statement) X(import_statement)      \
    X(integer) X(interpolation) X(keyword_argument) X(lambda) X(lexical_declaration) X(list) X(list_pattern)   \
    X(list_splat) X(list_splat_pattern) X(member_expression) X(method_definition) X(named_imports)             \
    X(namespace_import) X(new_expression) X(non_null_expression) X(not_operator) X(number) X(object)           \
    X(object_assignment_pattern) X(object_pattern) X(optional_parameter) X(pair) X(pair_pattern)               \
    X(parenthesized_expression) X(pattern_list) X(property_identifier) X(public_field_definition)              \
    X(required_parameter) X(rest_pattern) X(return_statement) X(satisfies_expression) X(set)                   \
    X(shorthand_property_identifier) X(shorthand_property_identifier_pattern) X(spread_element)                \
    X(statement_block) X(string) X(string_content) X(string_end) X(string_fragment) X(string_start)            \
    X(subscript) X(subscript_expression) X(template_string) X(template_substitution) X(ternary_expression)     \
    X(this) X(tuple) X(tuple_pattern) X(type_assertion) X(typed_default_parameter) X(typed_parameter)          \
    X(unary_expression) X(variable_declaration) X(variable_declarator) X(while_statement)                      \
    X(unary_operator) X(list_comprehension) X(dictionary_comprehension) X(set_comprehension)                   \
    X(generator_expression) X(named_expression) X(slice)

#define CODE_FIELDS(X)                                                                                          \
    X(alias) X(arguments) X(attribute) X(body) X(condition) X(constructor) X(declaration) X(expression)        \
    X(function) X(index) X(key) X(left) X(module_name) X(name) X(object) X(operator) X(parameter)              \
    X(parameters) X(pattern) X(property) X(right) X(source) X(subscript) X(value)

#define CODE_KIND_ENUM(name) K_##name,
#define CODE_FIELD_ENUM(name) F_##name,
/* K_NONE: a node of any other type (or of no type the grammar has) */
typedef enum { K_NONE = 0, CODE_NODE_KINDS(CODE_KIND_ENUM) K_COUNT } code_kind;
typedef enum { F_NONE = 0, CODE_FIELDS(CODE_FIELD_ENUM) F_COUNT } code_field;
#undef CODE_KIND_ENUM
#undef CODE_FIELD_ENUM

/* Symbol ids up to this bound are looked up in a table; the pinned
 * grammars have under 410 (SYMBOL_COUNT + ALIAS_COUNT), the others go by name. */
#define CODE_MAX_SYMBOLS 1024

/* One grammar's ids for the kinds and fields above. */
typedef struct code_ids {
    const TSLanguage *lang;
    uint8_t kind_by_symbol[CODE_MAX_SYMBOLS];  /* the kind each symbol's name spells (named or not) */
    uint8_t named_by_symbol[CODE_MAX_SYMBOLS]; /* the kind whose named[] is this symbol, else K_NONE */
    TSSymbol named[K_COUNT];                   /* the named node type of each kind; 0: not in this grammar */
    TSFieldId fields[F_COUNT];                 /* 0: not in this grammar */
} code_ids;

/* The ids of one of the grammars code_grammar() returns (looked up on
 * first use, thread-safe), or NULL for another language. */
const code_ids *code_ids_of(const TSLanguage *lang);
/* The kind a node type name spells (the slow path, for symbols past the table). */
code_kind code_kind_by_name(const char *type);

/* What the analysis of one file remembers per node, found again by the
 * node's id (unique among the live trees of a file and the files it
 * imports), and forgotten when the next file starts:
 *  - its named children: child i by index walks from the first child
 *    (index loops are quadratic), and the walk asks for the children of
 *    the same nodes again and again (a call's arguments for each sink,
 *    keyword and option it checks);
 *  - what the walk works out from it (taint.c: the canonical name of an
 *    expression, the callee of a call and the function of the project it
 *    reaches), built with text copies, alias and module look-ups, asked
 *    again by every sink, summary and outbound check of a call. */
typedef struct code_node_memo {
    const void *id;
    size_t off;         /* its children: items[off .. off + n) once listed */
    uint32_t gen;       /* the file it was made for: older slots are free */
    uint32_t n;
    bool listed;
    bool summary_known; /* taint.c's: summary is worked out (NULL: the call reaches no function of the project) */
    const char *canon;  /* taint.c's, NULL until worked out */
    const char *callee;
    void *summary;
} code_node_memo;

typedef struct code_nodes {
    TSNode *items; /* every list of children, one after the other */
    size_t count, cap;
    code_node_memo *slots; /* open addressing, a power of two */
    size_t nslots, used;
    uint32_t gen;
    TSTreeCursor cursor;
    bool has_cursor;
} code_nodes;

/* Forgets every node (the trees they are in are about to go). */
void code_nodes_reset(code_nodes *k);
/* The memo of a node, made on first use; valid until the next call. */
code_node_memo *code_nodes_memo(code_nodes *k, TSNode n);
/* The list of n's named children: *off into k->items, *count of them. */
void code_nodes_kids(code_nodes *k, TSNode n, size_t *off, uint32_t *count);
void code_nodes_free(code_nodes *k);

/* ---- parsing (parse.c) ---------------------------------------------------------- */

/* Parses src with the session's parser for the language (made on first
 * use and kept). NULL when the parse ran out of its time budget (the
 * parser is reset for the next file), or when the grammar does not fit
 * this libtree-sitter (*bad_abi set). */
TSTree *code_parse(slsec_code_session *s, slsec_code_lang lang, const char *src, uint32_t len, unsigned micros,
                   bool *bad_abi);
/* The session's memo of the nodes of the file being analysed. */
code_nodes *code_session_nodes(slsec_code_session *s);

/* The analysis of one parsed file (taint.c). */
typedef struct code_file {
    slsec_arena *a;
    slsec_code_session *session;     /* parsers for imported files, the lists of children */
    const slsec_code_loader *loader; /* NULL: imports are not followed */
    size_t max_file_bytes;
    unsigned parse_micros;
    const char *relpath;
    const char *src;
    size_t len;
    unsigned lang;         /* 1: JS/TS, 2: Python */
    TSNode root;
    TSTree *tree;          /* set for imported files, which taint.c parses and frees itself */
    unsigned max_depth;
    bool truncated;        /* nesting beyond max_depth was not analysed */
    slsec_code_outbound *outbound; /* where the file's outbound calls and imports go; NULL: not wanted */
} code_file;

/* The grammar of a language (parse.c), NULL for none. */
const TSLanguage *code_grammar(slsec_code_lang lang);
/* "a/./b/../c" -> "a/c"; NULL when the path is absolute or climbs above
 * its start (handlers.c). */
char *code_path_normalise(slsec_arena *a, const char *path);

/* Finds the handlers of f (entries, or the conventional ones) and appends
 * their hits. Returns the number of handlers analysed. */
size_t code_taint_file(code_file *f, const char *const *entries, size_t nentries, slsec_ptrvec *hits);

#endif
