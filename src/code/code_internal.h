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
