/*
 * slsec/load.h — front-ends: files in, model out.
 *
 * A front-end recognises its documents by content (never by file name),
 * translates them into the slsec_app and reports what it could not
 * understand as warnings, not errors: an unknown resource type is kept and
 * counted. Only a document it cannot use at all (a Resources section that is
 * a list, say) makes it return an error, with the place in `err`.
 */
#ifndef SLSEC_LOAD_H
#define SLSEC_LOAD_H

#include "slsec/doc.h"
#include "slsec/model.h"

/* A cheap byte-level test run before parsing: could this be a CloudFormation
 * or SAM template (JSON or YAML)? False positives are fine, misses are not. */
bool slsec_cfn_sniff(const char *data, size_t len);

/* Is this parsed document a CloudFormation/SAM template? */
bool slsec_cfn_is_template(const slsec_node *root);

/* Translates a CloudFormation/SAM template into app. `relpath` names the
 * file in locations (relative to the scanned root) and must outlive app. */
int slsec_load_cfn(slsec_app *app, const slsec_doc *doc, const char *relpath, slsec_diags *warnings,
                   slsec_diag *err);

/* SAM policy templates (DynamoDBCrudPolicy, S3ReadPolicy, ...), the project's
 * own copy of SAM's table: statements as JSON, with SAM's own intrinsics
 * ({"Ref": "TableName"} inside Fn::Sub bindings) that the loader resolves
 * with the template's parameters bound to the values the user passed. */
typedef struct slsec_sam_policy_template {
    const char *name;
    const char *const *parameters; /* NULL-terminated */
    const char *statements_json;   /* a JSON array of IAM statements */
} slsec_sam_policy_template;

const slsec_sam_policy_template *slsec_sam_policy_template_find(const char *name);
size_t slsec_sam_policy_template_count(void);

#endif
