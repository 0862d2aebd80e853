/*
 * slsec/doc.h — YAML and JSON documents as small trees with positions.
 *
 * Every front-end reads its files through this module and never through
 * libfyaml: a document becomes a tree of slsec_node in an arena, each node
 * knowing its file, line and column (1-based). Short-form tags (`!Ref`,
 * `!GetAtt`, ...) are kept on the node as written; what they mean is the
 * CloudFormation front-end's business.
 *
 * Aliases are shared, not copied, but each expansion is counted against
 * SLSEC_MAX_DOC_NODES as if copied, so a walk over the tree is bounded and
 * an alias bomb is an error, not a hang. Depth is bounded by SLSEC_MAX_DEPTH.
 *
 * Nodes are immutable once parsed; the front-ends build new nodes (the
 * resolved values of intrinsic functions) with slsec_node_new_*.
 */
#ifndef SLSEC_DOC_H
#define SLSEC_DOC_H

#include "slsec/base.h"

typedef enum {
    SLSEC_NODE_SCALAR,
    SLSEC_NODE_SEQ,
    SLSEC_NODE_MAP,
} slsec_node_kind;

enum {
    SLSEC_NF_QUOTED = 1u << 0,  /* a quoted or block scalar: always a string */
    SLSEC_NF_UNKNOWN = 1u << 1, /* a value not knowable from the template
                                   (str holds a symbolic form like ${Param}) */
    SLSEC_NF_NULL = 1u << 2,    /* an empty or null scalar */
};

typedef struct slsec_node slsec_node;

struct slsec_node {
    uint8_t kind;  /* slsec_node_kind */
    uint8_t flags; /* SLSEC_NF_* */
    uint32_t line, col;
    const char *file;
    const char *tag; /* "!Ref", "!GetAtt", ... as written, or NULL */
    const char *str; /* scalar text, NUL-terminated (may hold NULs: see len) */
    size_t len;
    size_t count;        /* items (seq) or pairs (map) */
    slsec_node **items;  /* seq: count items; map: 2*count, key then value */
};

typedef struct slsec_doc {
    const char *file;    /* as given to slsec_doc_parse */
    slsec_node *root;    /* first document of the stream, NULL if empty */
    size_t node_count;   /* nodes including alias expansions */
} slsec_doc;

/* Parses YAML (or JSON, which is YAML) from data[0..len) into the arena.
 * On error returns SLSEC_EPARSE or SLSEC_ELIMIT with d naming file, line,
 * column and what went wrong. `file` is kept by pointer. */
int slsec_doc_parse(slsec_arena *a, const char *file, const char *data, size_t len, slsec_doc *out,
                    slsec_diag *d);

/* ---- queries (all NULL-safe) -------------------------------------------- */

bool slsec_node_is_scalar(const slsec_node *n);
bool slsec_node_is_map(const slsec_node *n);
bool slsec_node_is_seq(const slsec_node *n);
bool slsec_node_is_unknown(const slsec_node *n);
/* Map lookup by exact key; NULL when absent or n is not a map. */
slsec_node *slsec_node_get(const slsec_node *n, const char *key);
/* The key node of a map entry, for its position. */
slsec_node *slsec_node_get_key(const slsec_node *n, const char *key);
/* Scalar text, NULL when not a (known) scalar. */
const char *slsec_node_str(const slsec_node *n);
/* Scalar as a boolean (true/false/yes/no, any case); false if not one. */
bool slsec_node_bool(const slsec_node *n, bool *out);
/* Scalar as an integer; false if not one. */
bool slsec_node_long(const slsec_node *n, long *out);
/* Scalar text of n[key], or NULL. */
const char *slsec_node_get_str(const slsec_node *n, const char *key);

/* ---- construction, for resolved values --------------------------------- */

slsec_node *slsec_node_new_scalar(slsec_arena *a, const slsec_node *at, const char *s, unsigned flags);
slsec_node *slsec_node_new_seq(slsec_arena *a, const slsec_node *at, size_t count);
slsec_node *slsec_node_new_map(slsec_arena *a, const slsec_node *at, size_t count);

#endif
