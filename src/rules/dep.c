/*
 * dep.c — the DEP rule family: dependencies with known vulnerabilities.
 *
 * DEP-001 has no check function: its findings come from the scan's
 * dependency pass (src/deps, slsec_deps_run), which reads lockfiles rather
 * than the model. The entry is here for its place in the catalogue
 * (`slsec rules`, `slsec explain DEP-001`, SARIF rule metadata). Each
 * finding carries the advisory's own severity; the rule's severity is the
 * one used when the advisory gives none.
 */
#include "rules_internal.h"

const slsec_rule slsec_rules_dep[] = {
    {
        .id = "DEP-001",
        .family = "DEP",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Dependency with a known vulnerability",
        .why = "A function ships every package its lockfile pins. When a published advisory (OSV, GitHub, "
               "PyPA, Go) says the installed version of one of them is vulnerable, the exploit is often public "
               "too: it is the cheapest way into the function, and from there into whatever its role may "
               "touch. Transitive dependencies count as much as direct ones, since they run in the same "
               "process.",
        .fix = "Upgrade the package to a fixed version (named in the finding) and regenerate the lockfile; for "
               "a transitive dependency, upgrade the direct dependency that pulls it in, or pin the fixed "
               "version with npm `overrides`, yarn `resolutions` or a pip constraint.",
        .snippet = "# package.json: force the fixed version of a transitive dependency\n"
                   "\"overrides\": {\n"
                   "  \"lodash\": \"4.17.21\"\n"
                   "}\n",
        .cwe = "CWE-1395",
        .owasp = "SAS-6",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = NULL,
    },
};
SLSEC_FAMILY_END(dep)
