/*
 * slsec/inventory.h — the map of an application: what runs, what starts
 * it, what it may touch, and where the risk sits.
 *
 * Built from the model (slsec/model.h) and a scan's findings:
 *
 *   nodes  function  runtime, memory, timeout, role
 *          trigger   API routes (method, path, authorizer), function URLs
 *                    (auth type), queues, topics, buckets, schedules,
 *                    streams, event rules
 *          role      effective allowed actions, managed policies
 *          store     buckets, tables, queues, topics, streams, secrets,
 *                    parameters, log groups, state machines
 *          key       KMS keys
 *          host      external hosts: named by http(s) URLs in environment
 *                    values, or called by the code (app->externals)
 *          service   AWS services the code calls through an SDK
 *          function  also a source file no template function runs, when
 *                    its code calls out (type "source file")
 *   edges  trigger → function   "triggers"
 *          store → trigger      "feeds"     (the bucket/queue/... a trigger reads)
 *          function → role      "assumes"
 *          function → store/key "accesses"  (with the actions the role allows on it)
 *          function → function  "invokes"   (lambda:InvokeFunction allowed on it)
 *          function → host      "calls"
 *          function → service   "calls"     (with the operations the code calls: "s3:PutObject")
 *
 * A role's statement reaches a store when its action's service is the
 * store's (s3 for buckets, dynamodb for tables, ...) or "*", and its
 * resource is "*" or names the store (Ref/GetAtt/Sub of its logical id).
 * Each node carries its worst unsuppressed finding severity: the worst
 * finding whose resource is the node's logical id (API triggers: their
 * API's id).
 *
 * Node ids are "KIND:NAME" ("function:OrdersApiFunction",
 * "trigger:OrdersApiFunction/GetOrder", "host:api.example.com"); nodes are
 * sorted by kind (in the order above) then id, edges by from, to, kind: the output is
 * deterministic. The JSON shape is documented in docs/report.md.
 *
 * Drawn forms (DOT, Mermaid, the report's SVG) show every node up to
 * SLSEC_INVENTORY_MAX_DRAWN nodes; a larger app collapses into groups
 * (functions by worst severity, triggers and stores by kind) with edge
 * counts between groups, instead of an unreadable hairball. JSON always
 * holds every node.
 *
 * Everything lives in the arena given to slsec_inventory_build.
 */
#ifndef SLSEC_INVENTORY_H
#define SLSEC_INVENTORY_H

#include <stdio.h>

#include "slsec/scan.h"

#ifndef SLSEC_INVENTORY_MAX_DRAWN
#define SLSEC_INVENTORY_MAX_DRAWN 150
#endif
/* Edges kept at most (a "*" role shared by thousands of functions would
 * otherwise make functions × stores edges); past it the inventory says it
 * is truncated. */
#ifndef SLSEC_INVENTORY_MAX_EDGES
#define SLSEC_INVENTORY_MAX_EDGES 1000000u
#endif

typedef enum {
    SLSEC_INV_TRIGGER,
    SLSEC_INV_FUNCTION,
    SLSEC_INV_ROLE,
    SLSEC_INV_STORE,
    SLSEC_INV_KEY,
    SLSEC_INV_HOST,
    SLSEC_INV_SERVICE,
} slsec_inv_kind;

const char *slsec_inv_kind_name(slsec_inv_kind k);

typedef struct slsec_inv_attr {
    const char *key;
    const char *value;
} slsec_inv_attr;

typedef struct slsec_inv_node {
    const char *id;         /* "function:OrdersApiFunction" */
    slsec_inv_kind kind;
    const char *name;       /* logical id, "Function/Event", host name */
    const char *subkind;    /* trigger kind ("api_rest"), store kind ("table"), NULL */
    slsec_loc loc;
    int severity;           /* worst slsec_severity, -1 when none */
    slsec_ptrvec attrs;     /* slsec_inv_attr*, in a fixed order per kind */
    slsec_ptrvec actions;   /* roles: const char* allowed actions, sorted, unique */
    size_t index;           /* position in slsec_inventory.nodes */
} slsec_inv_node;

typedef struct slsec_inv_edge {
    slsec_inv_node *from, *to;
    const char *kind;       /* "triggers", "feeds", "assumes", "accesses", "invokes", "calls" */
    slsec_ptrvec actions;   /* "accesses"/"invokes", "calls" to a service: const char*, sorted, unique */
} slsec_inv_edge;

typedef struct slsec_inventory {
    slsec_ptrvec nodes;     /* slsec_inv_node*, sorted */
    slsec_ptrvec edges;     /* slsec_inv_edge*, sorted */
    bool truncated;         /* SLSEC_INVENTORY_MAX_EDGES was reached */
} slsec_inventory;

/* Builds the inventory of app; findings (slsec_finding*, may be NULL) give
 * the severities. Never fails on input; allocates from a. */
slsec_inventory *slsec_inventory_build(slsec_arena *a, const slsec_app *app, const slsec_ptrvec *findings);

/* The node with this id, or NULL. */
const slsec_inv_node *slsec_inventory_find(const slsec_inventory *inv, const char *id);

/* Writes the inventory as "json", "dot" or "mermaid". SLSEC_EUSAGE for
 * another format, SLSEC_EIO when the stream failed. */
bool slsec_inventory_format_known(const char *format);
int slsec_inventory_write(FILE *out, const char *format, const slsec_inventory *inv);

/* Would the drawn forms collapse this inventory into groups? */
bool slsec_inventory_collapsed(const slsec_inventory *inv);

#endif
