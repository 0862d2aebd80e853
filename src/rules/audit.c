/*
 * audit.c — the AUDIT family: findings of `slsec audit`, which compares
 * what CloudTrail shows each role doing with what the templates grant.
 *
 * These rules have no check function: the model alone cannot tell what a
 * role used, so the audit pass (src/audit) emits their findings after
 * reading the trail. They live in the catalogue like every other rule so
 * that `slsec rules`, `slsec explain`, SARIF rule metadata and
 * docs/rules.md describe them.
 */
#include "rules_internal.h"

#define AUDIT_RULE(ID, SEV, TITLE, WHY, FIX, SNIPPET, CWE, OWASP) \
    {.id = ID, .family = "AUDIT", .severity = SEV, .title = TITLE, .why = WHY, .fix = FIX,  \
     .snippet = SNIPPET, .cwe = CWE, .owasp = OWASP, .checkov = "", .cfn_nag = "", .cdk_nag = "", \
     .check = NULL}

static const char least_privilege_snippet[] =
    "# slsec audit --cloudtrail AWSLogs/ --write-policies policies/ .\n"
    "OrdersFunctionRole:\n"
    "  Type: AWS::IAM::Role\n"
    "  Properties:\n"
    "    Policies:\n"
    "      - PolicyName: used\n"
    "        PolicyDocument:   # from policies/OrdersFunctionRole.json\n"
    "          Version: \"2012-10-17\"\n"
    "          Statement:\n"
    "            - Effect: Allow\n"
    "              Action: [dynamodb:DescribeTable]\n"
    "              Resource: !GetAtt OrdersTable.Arn\n";

const slsec_rule slsec_rules_audit[] = {
    AUDIT_RULE("AUDIT-001", SLSEC_SEV_MEDIUM, "Role granted actions it never used",
               "The role's sessions used some actions of this service in the audited window, but the "
               "templates grant more of them. Grants accumulate as code changes and are rarely taken back; "
               "every unused action is power an attacker who runs code in the function gets for free.",
               "Replace the grant with the used actions: `slsec audit --write-policies DIR` writes the "
               "least-privilege policy per role. Keep the window long enough to include rare code paths.",
               least_privilege_snippet, "CWE-250 CWE-269", "SAS-4"),
    AUDIT_RULE("AUDIT-002", SLSEC_SEV_MEDIUM, "Role granted a service it never touched",
               "No session of the role called this service in the audited window, yet its templates "
               "grant actions on it. A whole service granted and unused is the clearest case of excess "
               "privilege, often left over from removed code or a copied policy.",
               "Remove the service's statements from the role, or narrow them to what the function does.",
               least_privilege_snippet, "CWE-250 CWE-269", "SAS-4"),
    AUDIT_RULE("AUDIT-003", SLSEC_SEV_LOW, "Role granted on any resource but used only named ones",
               "The role's statements for this service have Resource \"*\", while every event its "
               "sessions made names specific resources. Scoping the grant to those ARNs keeps a "
               "compromised function away from the account's other tables, buckets or functions.",
               "Replace Resource \"*\" with the ARNs listed (the proposed policy of --write-policies has them).",
               "Resource: !GetAtt OrdersTable.Arn\n", "CWE-732", "SAS-4"),
    AUDIT_RULE("AUDIT-004", SLSEC_SEV_INFO, "Grants that CloudTrail cannot show without data events",
               "S3 object, DynamoDB item, Lambda Invoke, SQS, SNS and Kinesis data calls appear in "
               "CloudTrail only when the trail records data events (and CloudWatch Logs and X-Ray data "
               "calls never do). Their use cannot be judged from this trail, so they are neither reported "
               "as unused nor removed from the proposed policy.",
               "Enable data events on the trail for the resources the functions use (advanced event "
               "selectors keep the cost down), then audit again.",
               "", "", ""),
    AUDIT_RULE("AUDIT-005", SLSEC_SEV_INFO, "Role in the trail matched no template role",
               "Sessions of this role made calls in the window, but the role could not be matched to a "
               "role of the templates by ARN, RoleName or the name CloudFormation generates "
               "(stack-LogicalId-SUFFIX). Its use is not compared with any grant.",
               "Map it explicitly with --role-map LOGICAL_ID=ARN, or audit the template that declares it.",
               "", "", ""),
    AUDIT_RULE("AUDIT-006", SLSEC_SEV_LOW, "Template role not seen in the trail",
               "No event in the window was made by this role's sessions. Either its functions did not run "
               "(the window is too short, or the code is dead), or the role's deployed name could not be "
               "matched; either way nothing shows that its grants are needed.",
               "Check that the trail covers the account and region, map the role with --role-map, or "
               "remove the role and its functions if they are unused.",
               "", "CWE-250", "SAS-4"),
    AUDIT_RULE("AUDIT-010", SLSEC_SEV_HIGH, "Console sign-in without MFA",
               "A ConsoleLogin event records MFAUsed = No: a password alone opened the console. Passwords "
               "are phished and reused; MFA is the control CIS AWS Foundations requires for every console "
               "user.",
               "Require MFA for the user (an IAM policy denying actions without aws:MultiFactorAuthPresent) "
               "or move console access to IAM Identity Center with MFA enforced.",
               "", "CWE-308", "SAS-3"),
    AUDIT_RULE("AUDIT-011", SLSEC_SEV_HIGH, "Root account activity",
               "The account's root user made calls. Root cannot be restricted by IAM policies and should "
               "be used only for the few tasks that require it; routine use, or any use not planned, is an "
               "incident to look into (CIS AWS Foundations 1.7).",
               "Do the work with an IAM role instead, enable MFA on root, remove root access keys, and "
               "alert on root sign-ins.",
               "", "CWE-250", "SAS-3"),
    AUDIT_RULE("AUDIT-012", SLSEC_SEV_MEDIUM, "Burst of denied calls from one principal",
               "Many AccessDenied or UnauthorizedOperation errors from one principal within ten minutes "
               "is what probing looks like: stolen credentials being tried against services to see what "
               "they open. It is also what a broken deployment looks like; either deserves a look.",
               "Identify the principal's sessions and source addresses; rotate its credentials if the "
               "calls were not yours.",
               "", "CWE-284", "SAS-3"),
    AUDIT_RULE("AUDIT-013", SLSEC_SEV_HIGH, "Access key used from several addresses in one hour",
               "A long-term access key (AKIA...) made calls from several IP addresses within one hour. "
               "Keys used from one build agent or laptop have few addresses; many is a sign that the key "
               "leaked and is used from elsewhere.",
               "Rotate the key, check what it did from the unexpected addresses, and prefer roles with "
               "short-lived credentials over access keys.",
               "", "CWE-522", "SAS-3"),
    AUDIT_RULE("AUDIT-014", SLSEC_SEV_HIGH, "Function role changed outside the deployment",
               "An IAM change (PutRolePolicy, AttachRolePolicy, UpdateAssumeRolePolicy, CreatePolicyVersion "
               "and the like) hit a role of the application, made by a principal other than CloudFormation "
               "or the declared deployment role. Changing a function's role by hand is a classic way to "
               "escalate privileges, and it drifts from the template.",
               "Find who made the change; revert it by redeploying the template, and restrict iam:Put*/"
               "Attach* on application roles to the deployment role.",
               "", "CWE-269", "SAS-4"),
    AUDIT_RULE("AUDIT-015", SLSEC_SEV_HIGH, "Lambda function changed outside the deployment",
               "UpdateFunctionCode, UpdateFunctionConfiguration or AddPermission with Principal \"*\" was "
               "made by a principal other than CloudFormation or the declared deployment role. Replacing "
               "a function's code or opening it to everyone is how a foothold becomes persistent.",
               "Find who made the change and redeploy from the pipeline; allow lambda:Update* and "
               "lambda:AddPermission only to the deployment role, and sign code (CodeSigningConfig).",
               "", "CWE-284", "SAS-6"),
};
SLSEC_FAMILY_END(audit)
