/*
 * runtimes.h — the dated table of AWS Lambda managed runtimes (runtimes.c)
 * and the calendar arithmetic FN-004 needs to judge it.
 *
 * Private to src/rules: the table is data for one rule, not an API.
 */
#ifndef SLSEC_RULES_RUNTIMES_H
#define SLSEC_RULES_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct slsec_runtime_info {
    const char *id;         /* "python3.9", as written in Runtime: */
    const char *deprecated; /* YYYY-MM-DD: Lambda's deprecation (end of support) date */
    const char *family;     /* "python", "nodejs", "java", "dotnet", "ruby", "custom" */
} slsec_runtime_info;

/* The runtime with this identifier (exact, as Lambda spells them), or NULL
 * for one the table does not know (a newer runtime, a typo, unknown). */
const slsec_runtime_info *slsec_runtime_find(const char *id);

/* The runtime of the same family with the latest deprecation date: what to
 * move to. NULL when the family has none. */
const slsec_runtime_info *slsec_runtime_latest(const char *family);

/* Days since 1970-01-01 of a strict "YYYY-MM-DD" date; false if s is not
 * one (wrong shape, month 13, February 30, ...). */
bool slsec_date_days(const char *s, long *days);

/* Today (UTC) as days since 1970-01-01. */
long slsec_date_today(void);

#endif
