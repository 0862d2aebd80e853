/*
 * rules_internal.h — what the family files share with the registry.
 *
 * Each family file (iam.c, fn.c, ...) defines one table of rules and its
 * length; SLSEC_RULE_FAMILIES lists the families once, so the registry is
 * built by expanding that list. A new family is one line here and a file.
 */
#ifndef SLSEC_RULES_INTERNAL_H
#define SLSEC_RULES_INTERNAL_H

#include "slsec/rules.h"

#define SLSEC_RULE_FAMILIES(X) X(iam) X(fn) X(api) X(data) X(net) X(log) X(pipe) X(dep) X(audit) X(secret) X(code)

#define SLSEC_DECLARE_FAMILY(name)                    \
    extern const slsec_rule slsec_rules_##name[];     \
    extern const size_t slsec_rules_##name##_count;
SLSEC_RULE_FAMILIES(SLSEC_DECLARE_FAMILY)
#undef SLSEC_DECLARE_FAMILY

/* Defines a family's length next to its table: SLSEC_FAMILY_END(iam). */
#define SLSEC_FAMILY_END(name) \
    const size_t slsec_rules_##name##_count = sizeof slsec_rules_##name / sizeof slsec_rules_##name[0];

/* Does a variable or parameter name say it holds a secret (PASSWORD,
 * API_KEY, db-token, ...)? fn.c. */
bool slsec_rules_secret_name(const char *name);

/* The location of a function, role, ... for findings about it as a whole. */
#define SLSEC_RES_LOC(obj) ((obj)->loc)

#endif
