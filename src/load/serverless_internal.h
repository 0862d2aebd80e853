/*
 * serverless_internal.h — what the Serverless Framework front-end's files
 * share: the variable resolver (serverless_vars.c) hands the generator
 * (serverless.c) a copy of serverless.yml with every knowable ${...}
 * replaced by its value.
 */
#ifndef SLSEC_SERVERLESS_INTERNAL_H
#define SLSEC_SERVERLESS_INTERNAL_H

#include "slsec/load.h"

/* Resolves the Framework's variables in the whole configuration `root`.
 * Unchanged subtrees are shared with the input, changed ones are new nodes
 * in `a`. Values that only deploy time knows (${ssm:}, ${cf:}, ${aws:},
 * unknown sources, a missing ${opt:} or ${env:} without default) become
 * scalars flagged SLSEC_NF_UNKNOWN holding the variable as written.
 * Returns SLSEC_OK, or SLSEC_EPARSE (a cycle, a ${file()} outside the
 * root or unreadable) / SLSEC_ELIMIT with err naming file:line:col. */
int sls_vars_resolve(slsec_arena *a, const slsec_node *root, const char *relpath,
                     const slsec_serverless_opts *opts, slsec_diags *warnings, const slsec_node **out,
                     slsec_diag *err);

/* Adds a warning at a node (of serverless.yml or of a file it includes;
 * `relpath` names serverless.yml for generated nodes). NULL list: no-op. */
void sls_warn(slsec_diags *list, const char *relpath, const slsec_node *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
