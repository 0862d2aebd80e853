/*
 * secret.c — the SECRET rule family: credentials written into files,
 * template values, git history and deployment packages.
 *
 * One rule per detector of src/detect/table.c, same id, same severity.
 * The rules have no check function: their findings come from the scan's
 * byte pass (src/scan/secrets.c) over every text file, template value,
 * git blob and archive entry. They are here for the catalogue (`slsec
 * rules`, `slsec explain SECRET-001`, SARIF rule metadata). A test
 * (tests/unit/test_detect.c) keeps the two tables in step.
 */
#include "rules_internal.h"

#define SECRET_WHY                                                                                           \
    "A credential written into source, configuration or a deployment package is readable by everyone "     \
    "who can read the repository, its history, its build logs or the package: contractors, CI systems, "   \
    "forks, and whoever steals any of them. Secrets in git history survive deletion from the working tree, " \
    "and scanners of public repositories find leaked keys within minutes."
#define SECRET_FIX                                                                                           \
    "Revoke and rotate the credential first (removing it does not un-leak it), then load it at run time "  \
    "from AWS Secrets Manager or SSM Parameter Store and grant the function read access to that one "       \
    "secret. If the value is not a secret, add `slsec:ignore <ID> reason` on its line or list its "         \
    "fingerprint under `secrets: allow_fingerprints:` in .slsec.yml."
#define SECRET_SNIPPET                                                                                       \
    "Environment:\n"                                                                                         \
    "  Variables:\n"                                                                                         \
    "    API_KEY_ARN: !Ref ApiKeySecret   # read with secretsmanager:GetSecretValue at run time\n"
#define SECRET_RULE(rid, sev, name)                                                                          \
    {.id = rid, .family = "SECRET", .severity = sev, .title = name " in a file or value", .why = SECRET_WHY, \
     .fix = SECRET_FIX, .snippet = SECRET_SNIPPET, .cwe = "CWE-798", .owasp = "SAS-3", .checkov = "",       \
     .cfn_nag = "", .cdk_nag = "", .check = NULL}

const slsec_rule slsec_rules_secret[] = {
    SECRET_RULE("SECRET-001", SLSEC_SEV_CRITICAL, "AWS access key id"),
    SECRET_RULE("SECRET-002", SLSEC_SEV_CRITICAL, "AWS secret access key"),
    SECRET_RULE("SECRET-003", SLSEC_SEV_HIGH, "AWS session token"),
    SECRET_RULE("SECRET-004", SLSEC_SEV_CRITICAL, "GitHub token (classic personal access token)"),
    SECRET_RULE("SECRET-005", SLSEC_SEV_CRITICAL, "GitHub token (OAuth access)"),
    SECRET_RULE("SECRET-006", SLSEC_SEV_CRITICAL, "GitHub token (user-to-server)"),
    SECRET_RULE("SECRET-007", SLSEC_SEV_HIGH, "GitHub token (server-to-server)"),
    SECRET_RULE("SECRET-008", SLSEC_SEV_CRITICAL, "GitHub token (refresh)"),
    SECRET_RULE("SECRET-009", SLSEC_SEV_CRITICAL, "GitHub token (fine-grained personal access token)"),
    SECRET_RULE("SECRET-010", SLSEC_SEV_CRITICAL, "GitLab personal access token"),
    SECRET_RULE("SECRET-011", SLSEC_SEV_HIGH, "Slack token"),
    SECRET_RULE("SECRET-012", SLSEC_SEV_HIGH, "Slack incoming webhook"),
    SECRET_RULE("SECRET-013", SLSEC_SEV_CRITICAL, "Stripe live key (secret)"),
    SECRET_RULE("SECRET-014", SLSEC_SEV_HIGH, "Stripe live key (restricted)"),
    SECRET_RULE("SECRET-015", SLSEC_SEV_HIGH, "Twilio API key"),
    SECRET_RULE("SECRET-016", SLSEC_SEV_HIGH, "SendGrid API key"),
    SECRET_RULE("SECRET-017", SLSEC_SEV_HIGH, "Mailgun API key"),
    SECRET_RULE("SECRET-018", SLSEC_SEV_CRITICAL, "npm access token"),
    SECRET_RULE("SECRET-019", SLSEC_SEV_CRITICAL, "PyPI upload token"),
    SECRET_RULE("SECRET-020", SLSEC_SEV_HIGH, "Google API key"),
    SECRET_RULE("SECRET-021", SLSEC_SEV_CRITICAL, "GCP service-account key file"),
    SECRET_RULE("SECRET-022", SLSEC_SEV_CRITICAL, "Azure storage account key"),
    SECRET_RULE("SECRET-023", SLSEC_SEV_HIGH, "Azure shared access signature"),
    SECRET_RULE("SECRET-024", SLSEC_SEV_HIGH, "Heroku API key"),
    SECRET_RULE("SECRET-025", SLSEC_SEV_HIGH, "Shopify access token"),
    SECRET_RULE("SECRET-026", SLSEC_SEV_HIGH, "Square access token"),
    SECRET_RULE("SECRET-027", SLSEC_SEV_CRITICAL, "OpenAI API key"),
    SECRET_RULE("SECRET-028", SLSEC_SEV_CRITICAL, "Anthropic API key"),
    SECRET_RULE("SECRET-029", SLSEC_SEV_HIGH, "Datadog API key"),
    SECRET_RULE("SECRET-030", SLSEC_SEV_HIGH, "New Relic user API key"),
    SECRET_RULE("SECRET-031", SLSEC_SEV_MEDIUM, "Sentry DSN"),
    SECRET_RULE("SECRET-032", SLSEC_SEV_HIGH, "Discord bot token"),
    SECRET_RULE("SECRET-033", SLSEC_SEV_MEDIUM, "Discord webhook"),
    SECRET_RULE("SECRET-034", SLSEC_SEV_HIGH, "Telegram bot token"),
    SECRET_RULE("SECRET-035", SLSEC_SEV_MEDIUM, "JSON Web Token"),
    SECRET_RULE("SECRET-036", SLSEC_SEV_CRITICAL, "PEM private key"),
    SECRET_RULE("SECRET-037", SLSEC_SEV_CRITICAL, "PGP private key block"),
    SECRET_RULE("SECRET-038", SLSEC_SEV_HIGH, "Basic-auth password in a URL"),
    SECRET_RULE("SECRET-039", SLSEC_SEV_CRITICAL, "Database connection string with a password"),
    SECRET_RULE("SECRET-040", SLSEC_SEV_HIGH, "Password in a connection string"),
    SECRET_RULE("SECRET-041", SLSEC_SEV_MEDIUM, "Secret assigned to a variable"),
    SECRET_RULE("SECRET-042", SLSEC_SEV_HIGH, "Slack app-level token"),
    SECRET_RULE("SECRET-043", SLSEC_SEV_HIGH, "Stripe webhook signing secret"),
    SECRET_RULE("SECRET-044", SLSEC_SEV_HIGH, "Google OAuth client secret"),
    SECRET_RULE("SECRET-045", SLSEC_SEV_HIGH, "DigitalOcean token"),
    SECRET_RULE("SECRET-046", SLSEC_SEV_HIGH, "Hugging Face access token"),
    SECRET_RULE("SECRET-047", SLSEC_SEV_HIGH, "Databricks access token"),
    SECRET_RULE("SECRET-048", SLSEC_SEV_HIGH, "Postman API key"),
    SECRET_RULE("SECRET-049", SLSEC_SEV_CRITICAL, "age secret key"),
    SECRET_RULE("SECRET-050", SLSEC_SEV_HIGH, "Doppler token"),
};
SLSEC_FAMILY_END(secret)
