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

/* ---- Serverless Framework (serverless.yml / .yaml / .json) ---------------- */

/* A cheap byte-level test: could this be a serverless.yml? */
bool slsec_serverless_sniff(const char *data, size_t len);

/* Is this parsed document a Serverless Framework service configuration
 * (a `service` and a `provider` or `functions` section)? */
bool slsec_serverless_is_config(const slsec_node *root);

typedef struct slsec_serverless_opts {
    /* Absolute, symlink-free folder of the scan: ${file()} may not leave
     * it. NULL: ${file()} is refused. */
    const char *root;
    /* Absolute folder of the configuration: ${file()} paths start there. */
    const char *dir;
    /* Command-line options for ${opt:name}: "name=value" strings,
     * NULL-terminated; NULL for none (${opt:stage, 'dev'} then gives dev). */
    const char *const *options;
} slsec_serverless_opts;

/* Translates a serverless.yml into app, modelling what the Framework
 * deploys: the CloudFormation it generates (logical ids as the Framework
 * names them: CreateOrderLambdaFunction, IamRoleLambdaExecution,
 * ApiGatewayRestApi, HttpApi, ...) plus the raw CloudFormation under
 * `resources:`, loaded through slsec_load_cfn, with every location in the
 * configuration. ${env:X} reads the process environment. A variable cycle
 * or a ${file()} outside opts->root is an error (SLSEC_EPARSE, err at the
 * variable). `relpath` must outlive app. */
int slsec_load_serverless(slsec_app *app, const slsec_doc *doc, const char *relpath,
                          const slsec_serverless_opts *opts, slsec_diags *warnings, slsec_diag *err);

/* Terraform plans: the JSON of `terraform show -json PLANFILE` (format_version
 * 1.x). A cheap byte test ("format_version" with "planned_values" or
 * "terraform_version"), the structural test, and the translation: every
 * resource of planned_values (root and child modules) into app, named by its
 * Terraform address, located at its object in the plan, with references
 * followed through the plan's configuration. Values Terraform knows only
 * after apply are unknown; sensitive values are unknown too (never printed).
 * Another format_version, or a plan that is not an object, is
 * SLSEC_ESTRUCTURE with err at the place. `relpath` must outlive app. */
bool slsec_tfplan_sniff(const char *data, size_t len);
bool slsec_tfplan_is_plan(const slsec_node *root);
int slsec_load_tfplan(slsec_app *app, const slsec_doc *doc, const char *relpath, slsec_diags *warnings,
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
