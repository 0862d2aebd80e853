/*
 * inventory_internal.h — the drawn view of an inventory, shared by the DOT
 * and Mermaid writers (inventory.c) and the HTML report's SVG (html.c).
 *
 * A view is either the inventory itself (one box per node) or, past
 * SLSEC_INVENTORY_MAX_DRAWN nodes, its groups: one box per (kind, subkind,
 * severity) for functions and roles, per (kind, subkind) for the rest, and
 * one edge per pair of groups with the number of edges it stands for.
 */
#ifndef SLSEC_INVENTORY_INTERNAL_H
#define SLSEC_INVENTORY_INTERNAL_H

#include "slsec/inventory.h"

typedef struct inv_box {
    const char *id;     /* safe identifier: n0, n1, ... */
    const char *label;  /* plain text; writers escape it */
    slsec_inv_kind kind;
    int severity;
    size_t members;     /* nodes it stands for (1 when not collapsed) */
    int column;         /* 0 triggers, 1 functions, 2 roles, 3 stores/keys/hosts */
} inv_box;

typedef struct inv_line {
    size_t from, to;    /* box indexes */
    const char *label;  /* edge kind, with actions or a count; plain text */
    size_t count;
} inv_line;

typedef struct inv_view {
    inv_box *boxes;
    size_t nboxes;
    inv_line *lines;
    size_t nlines;
    bool collapsed;
} inv_view;

/* Builds the view in arena a. */
void slsec_inv_view(slsec_arena *a, const slsec_inventory *inv, inv_view *v);

#endif
