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

/* The analysis of one parsed file (taint.c). */
typedef struct code_file {
    slsec_arena *a;
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
