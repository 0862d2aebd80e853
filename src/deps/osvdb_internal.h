/*
 * osvdb_internal.h — the advisory index handle, shared by osvdb.c (import,
 * open, status) and match.c (lookups).
 */
#ifndef SLSEC_OSVDB_INTERNAL_H
#define SLSEC_OSVDB_INTERNAL_H

#include "deps_internal.h"

#include <sqlite3.h>

struct slsec_osvdb {
    sqlite3 *db;
    sqlite3_stmt *lookup; /* (ecosystem, normalised name) → advisory rows */
};

/* The CVSS 3.x base score of a vector string, or -1 when it is not one. */
double osv_cvss3_score(const char *vector);

#endif
