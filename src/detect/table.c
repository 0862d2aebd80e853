/*
 * table.c — the detectors: one entry per secret or personal-data format,
 * with the validators that confirm a candidate.
 *
 * Each entry gives a Vectorscan trigger (cheap, ideally fixed length, found
 * by match end only), a PCRE2 pattern that delimits the whole match in a
 * window of `span` bytes either side of that end (lookarounds keep a token
 * from matching inside a longer word), and the checks a real secret passes.
 * Adding a detector is one entry here, one catalogue entry in
 * src/rules/secret.c, and a fixture folder in tests/fixtures/secrets/.
 *
 * Shapes are the vendors' published formats; where a vendor documents a
 * checksum (GitHub's CRC32 in base62) it is verified, so a token with one
 * character changed is not reported.
 */
#include "slsec/detect.h"

#include <arpa/inet.h>
#include <string.h>
#include <zlib.h>

/* ---- validators --------------------------------------------------------------- */

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* GitHub tokens end in the CRC32 of the random part, base62, 6 digits. */
static bool github_checksum(const char *s, size_t n)
{
    if (n != 40)
        return false;
    uLong crc = crc32(0L, (const Bytef *)s + 4, 30);
    char want[7];
    for (int i = 5; i >= 0; i--) {
        want[i] = b62[crc % 62];
        crc /= 62;
    }
    return memcmp(want, s + 34, 6) == 0;
}

static int b64val(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Decodes base64 (or base64url) into out; returns the length or -1. */
static long b64decode(const char *s, size_t n, bool url, unsigned char *out, size_t cap)
{
    while (n > 0 && s[n - 1] == '=')
        n--;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i], url);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

/* A JWT's header decodes to a JSON object naming its algorithm. */
static bool jwt_valid(const char *s, size_t n)
{
    const char *dot = memchr(s, '.', n);
    if (!dot)
        return false;
    unsigned char head[512];
    long hl = b64decode(s, (size_t)(dot - s), true, head, sizeof head - 1);
    if (hl < 2 || head[0] != '{')
        return false;
    head[hl] = '\0';
    return strstr((const char *)head, "\"alg\"") != NULL;
}

/* Azure storage account keys are 64 random bytes; the emulator's
 * documented well-known key is not a secret. */
static bool azure_key_valid(const char *s, size_t n)
{
    unsigned char raw[80];
    if (n >= 12 && memcmp(s, "Eby8vdM02xNO", 12) == 0)
        return false;
    return b64decode(s, n, false, raw, sizeof raw) == 64;
}

/* Discord bot tokens start with the bot's user id in base64: digits. */
static bool discord_valid(const char *s, size_t n)
{
    const char *dot = memchr(s, '.', n);
    if (!dot)
        return false;
    unsigned char id[64];
    long il = b64decode(s, (size_t)(dot - s), true, id, sizeof id);
    if (il < 15)
        return false;
    for (long i = 0; i < il; i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    return true;
}

/* A PEM body has real base64 in it, not "..." or "<key>". */
static bool pem_valid(const char *s, size_t n)
{
    size_t run = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        if (b64val((unsigned char)s[i], false) >= 0) {
            if (++run > best)
                best = run;
        } else if (s[i] != '\n' && s[i] != '\r' && s[i] != '\\' && s[i] != '=') {
            run = 0;
        }
    }
    return best >= 60;
}

static bool luhn(const char *s, size_t n)
{
    int sum = 0, digits = 0;
    bool twice = false;
    for (size_t i = n; i-- > 0;) {
        if (s[i] < '0' || s[i] > '9')
            continue;
        int d = s[i] - '0';
        if (twice && (d *= 2) > 9)
            d -= 9;
        sum += d;
        twice = !twice;
        digits++;
    }
    return digits >= 13 && digits <= 19 && sum % 10 == 0;
}

/* A password in a URL or a connection string: something more than a word
 * that stands for one. */
static bool password_valid(const char *s, size_t n)
{
    static const char *const words[] = {"password", "passwd", "pass", "pwd", "secret", "user", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
            return false;
    if (s[0] == '$' || s[0] == '%' || s[0] == ':')
        return false;
    return true;
}

/* ---- personal-data validators (used by `logs redact`) ------------------------- */

/* IBAN lengths per country (ISO 13616 registry); a country not listed
 * only has to fit the general 15..34. */
static int iban_length(const char *cc)
{
    static const struct { char cc[3]; int len; } lens[] = {
        {"AD", 24}, {"AE", 23}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BR", 29}, {"CH", 21},
        {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FR", 27},
        {"GB", 22}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IS", 26}, {"IT", 27},
        {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18}, {"NO", 15},
        {"PL", 28}, {"PT", 25}, {"RO", 24}, {"SA", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"TR", 26},
    };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        if (cc[0] == lens[i].cc[0] && cc[1] == lens[i].cc[1])
            return lens[i].len;
    return 0;
}

/* ISO 13616: the country code and check digits moved to the end, letters
 * as 10..35, the number mod 97 is 1. */
static bool iban_valid(const char *s, size_t n)
{
    char c[40];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ') {
            if (m == sizeof c)
                return false;
            c[m++] = s[i];
        }
    int want = m >= 2 ? iban_length(c) : 0;
    if (m < 15 || m > 34 || (want && (size_t)want != m))
        return false;
    unsigned rem = 0;
    for (size_t k = 0; k < m; k++) {
        char ch = c[(k + 4) % m];
        if (ch >= '0' && ch <= '9')
            rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
        else if (ch >= 'A' && ch <= 'Z')
            rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
        else
            return false;
    }
    return rem == 1;
}

/* US SSN AAA-GG-SSSS: no area 000, 666 or 9xx, no group 00, no serial
 * 0000 (SSA's rules; 9xx are ITINs and advertising numbers). */
static bool ssn_valid(const char *s, size_t n)
{
    if (n != 11)
        return false;
    int area = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    if (area == 0 || area == 666 || area >= 900)
        return false;
    if (s[4] == '0' && s[5] == '0')
        return false;
    return memcmp(s + 7, "0000", 4) != 0;
}

/* E.164 allows 8..15 digits after '+'; a national (NANP) number has 10,
 * area code and exchange not starting with 0 or 1, parentheses balanced. */
static bool phone_valid(const char *s, size_t n)
{
    size_t digits = 0, open = 0, close = 0;
    for (size_t i = 0; i < n; i++) {
        digits += s[i] >= '0' && s[i] <= '9';
        open += s[i] == '(';
        close += s[i] == ')';
    }
    if (open != close || open > 1)
        return false;
    if (s[0] == '+')
        return digits >= 8 && digits <= 15;
    return digits == 10;
}

/* An IPv6 address with at least two groups (inet_pton decides, so
 * "10:15:30" from a timestamp is not one). */
static bool ipv6_valid(const char *s, size_t n)
{
    char tmp[64];
    unsigned char addr[16];
    if (n >= sizeof tmp)
        return false;
    size_t colons = 0, hex = 0;
    for (size_t i = 0; i < n; i++) {
        colons += s[i] == ':';
        hex += s[i] != ':';
    }
    if (colons < 2 || hex == 0)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *pct = strchr(tmp, '%'); /* a zone id (fe80::1%eth0) is not part of the address */
    if (pct)
        *pct = '\0';
    return inet_pton(AF_INET6, tmp, addr) == 1;
}

/* A bearer token is more than a word: "Bearer authentication" is prose. */
static bool bearer_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= '0' && s[i] <= '9') || strchr("._~+/-=", s[i]))
            return true;
    return false;
}

/* Basic credentials decode to printable "user:password". */
static bool basic_valid(const char *s, size_t n)
{
    unsigned char raw[768];
    long len = b64decode(s, n, false, raw, sizeof raw);
    if (len < 3 || !memchr(raw, ':', (size_t)len))
        return false;
    for (long i = 0; i < len; i++)
        if (raw[i] < 0x20 || raw[i] == 0x7f)
            return false;
    return true;
}

/* ---- the table ------------------------------------------------------------------ */

#define NB "(?<![A-Za-z0-9_-])" /* not in the middle of a longer token */
#define NA "(?![A-Za-z0-9_-])"
#define ASSIGN "[\"']?\\s*(?:=|:|:=|=>)\\s*[\"']?"

static const slsec_detector table[] = {
    {"SECRET-001", "AWS access key id", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}", false,
     NB "((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})" NA, 64, 3.0, NULL, "AKIA ASIA ABIA ACCA"},
    {"SECRET-002", "AWS secret access key", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "secret_?(?:access_?)?key", true,
     "(?i)aws_?secret_?(?:access_?)?key" ASSIGN "([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", 160, 4.0, NULL,
     "aws_secret_access_key"},
    {"SECRET-003", "AWS session token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "session_?token", true,
     "(?i)aws_?session_?token" ASSIGN "([A-Za-z0-9/+=]{100,1200})(?![A-Za-z0-9/+=])", 1300, 4.5, NULL,
     "aws_session_token"},
    {"SECRET-004", "GitHub token (classic personal access token)", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "ghp_[A-Za-z0-9]{36}", false, NB "(ghp_[A-Za-z0-9]{36})" NA, 64, 3.0, github_checksum, "ghp_"},
    {"SECRET-005", "GitHub token (OAuth access)", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "gho_[A-Za-z0-9]{36}", false, NB "(gho_[A-Za-z0-9]{36})" NA, 64, 3.0, github_checksum, "gho_"},
    {"SECRET-006", "GitHub token (user-to-server)", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "ghu_[A-Za-z0-9]{36}", false, NB "(ghu_[A-Za-z0-9]{36})" NA, 64, 3.0, github_checksum, "ghu_"},
    {"SECRET-007", "GitHub token (server-to-server)", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "ghs_[A-Za-z0-9]{36}", false, NB "(ghs_[A-Za-z0-9]{36})" NA, 64, 3.0, github_checksum, "ghs_"},
    {"SECRET-008", "GitHub token (refresh)", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "ghr_[A-Za-z0-9]{36}", false, NB "(ghr_[A-Za-z0-9]{36})" NA, 64, 3.0, github_checksum, "ghr_"},
    {"SECRET-009", "GitHub token (fine-grained personal access token)", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "github_pat_[A-Za-z0-9]{22}_", false, NB "(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" NA, 128, 3.5, NULL,
     "github_pat_"},
    {"SECRET-010", "GitLab personal access token", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "glpat-[A-Za-z0-9_-]{20}", false, NB "(glpat-[A-Za-z0-9_-]{20})" NA, 64, 3.0, NULL, "glpat-"},
    {"SECRET-011", "Slack token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "xox[baprs]-[0-9]{8}", false,
     NB "(xox[baprs]-[0-9]{8,14}-[0-9A-Za-z-]{8,200})" NA, 256, 3.0, NULL, "xoxb- xoxp- xoxa- xoxr- xoxs-"},
    {"SECRET-012", "Slack incoming webhook", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "hooks\\.slack\\.com/(?:services|workflows)/T", false,
     "(https://hooks\\.slack\\.com/(?:services|workflows)/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})" NA,
     128, 3.0, NULL, "hooks.slack.com"},
    {"SECRET-013", "Stripe live key (secret)", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "sk_live_[A-Za-z0-9]{16}", false, NB "(sk_live_[A-Za-z0-9]{16,99})" NA, 128, 3.0, NULL, "sk_live_"},
    {"SECRET-014", "Stripe live key (restricted)", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "rk_live_[A-Za-z0-9]{16}", false, NB "(rk_live_[A-Za-z0-9]{16,99})" NA, 128, 3.0, NULL, "rk_live_"},
    {"SECRET-015", "Twilio API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "SK[0-9a-f]{32}", false,
     NB "(SK[0-9a-f]{32})" NA, 64, 3.2, NULL, "SK"},
    {"SECRET-016", "SendGrid API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "SG\\.[A-Za-z0-9_-]{22}\\.", false, NB "(SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})" NA, 96, 3.5, NULL,
     "SG."},
    {"SECRET-017", "Mailgun API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "key-[0-9a-f]{32}", false,
     NB "(key-[0-9a-f]{32})" NA, 64, 3.2, NULL, "key-"},
    {"SECRET-018", "npm access token", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false, "npm_[A-Za-z0-9]{36}",
     false, NB "(npm_[A-Za-z0-9]{36})" NA, 64, 3.5, NULL, "npm_"},
    {"SECRET-019", "PyPI upload token", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false, "pypi-AgEIcHlwaS5vcmc",
     false, NB "(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,400})" NA, 512, 4.0, NULL, "pypi-AgEIcHlwaS5vcmc"},
    {"SECRET-020", "Google API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "AIza[0-9A-Za-z_-]{35}", false,
     NB "(AIza[0-9A-Za-z_-]{35})" NA, 64, 3.5, NULL, "AIza"},
    {"SECRET-021", "GCP service-account key file", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "\"service_account\"", false,
     "\"type\"\\s*:\\s*\"service_account\"[\\s\\S]{0,400}?\"private_key_id\"\\s*:\\s*\"([0-9a-f]{40})\"", 600,
     3.0, NULL, "service_account private_key_id"},
    {"SECRET-022", "Azure storage account key", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false, "AccountKey=",
     true, "(?i)AccountKey=([A-Za-z0-9+/]{86}==)", 128, 4.0, azure_key_valid, "AccountKey="},
    {"SECRET-023", "Azure shared access signature", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "sig=[A-Za-z0-9%+/]{30}", false,
     "sv=20[0-9]{2}-[0-9]{2}-[0-9]{2}&[^\\s\"'<>]{0,400}?sig=([A-Za-z0-9%+/]{40,100})", 600, 4.0, NULL,
     "sv= sig="},
    {"SECRET-024", "Heroku API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "heroku|HRKU-", true,
     "(?i)(?:heroku[a-z0-9_]{0,20}" ASSIGN
     "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f-])|" NB
     "(HRKU-[A-Za-z0-9_-]{60})" NA ")",
     160, 3.0, NULL, "heroku HRKU-"},
    {"SECRET-025", "Shopify access token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", false, NB "(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})" NA, 64, 3.2, NULL,
     "shpat_ shpca_ shppa_ shpss_"},
    {"SECRET-026", "Square access token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "sq0(?:atp|csp)-", false,
     NB "(sq0atp-[0-9A-Za-z_-]{22}|sq0csp-[0-9A-Za-z_-]{43})" NA, 64, 3.5, NULL, "sq0atp- sq0csp-"},
    {"SECRET-027", "OpenAI API key", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false, "T3BlbkFJ", false,
     NB "(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})" NA, 420, 4.0, NULL,
     "sk- T3BlbkFJ"},
    {"SECRET-028", "Anthropic API key", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false, "sk-ant-", false,
     NB "(sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA)" NA, 160, 4.0, NULL, "sk-ant-"},
    {"SECRET-029", "Datadog API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "(?:dd|datadog)_?api_?key",
     true, "(?i)(?:dd|datadog)_?api_?key" ASSIGN "([0-9a-f]{32})(?![0-9a-f])", 96, 3.2, NULL,
     "DD_API_KEY datadog_api_key"},
    {"SECRET-030", "New Relic user API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "NRAK-[A-Z0-9]{27}",
     false, NB "(NRAK-[A-Z0-9]{27})" NA, 64, 3.5, NULL, "NRAK-"},
    {"SECRET-031", "Sentry DSN", SLSEC_SEV_MEDIUM, SLSEC_DETECT_SECRET, false, "sentry\\.io/[0-9]", false,
     "https?://([0-9a-f]{32})(?::[0-9a-f]{32})?@[a-z0-9.-]*sentry\\.io/[0-9]+", 160, 3.2, NULL, "sentry.io"},
    {"SECRET-032", "Discord bot token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "[MNO][A-Za-z0-9_-]{23}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27}", false,
     NB "([MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})" NA, 96, 3.5, discord_valid,
     "M N O"},
    {"SECRET-033", "Discord webhook", SLSEC_SEV_MEDIUM, SLSEC_DETECT_SECRET, false, "/api/webhooks/[0-9]{17}",
     false, "(https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68})" NA,
     160, 3.5, NULL, "discord.com/api/webhooks"},
    {"SECRET-034", "Telegram bot token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "[0-9]{8}:AA[A-Za-z0-9_-]{33}", false, "(?<![0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})" NA, 64, 3.5, NULL,
     ":AA"},
    {"SECRET-035", "JSON Web Token", SLSEC_SEV_MEDIUM, SLSEC_DETECT_SECRET, false, "\\.eyJ[A-Za-z0-9_-]{10}",
     false, NB "(eyJ[A-Za-z0-9_-]{10,4000}\\.eyJ[A-Za-z0-9_-]{10,8000}\\.[A-Za-z0-9_-]{16,1000})" NA, 8192, 4.0,
     jwt_valid, "eyJ"},
    {"SECRET-036", "PEM private key", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----", false,
     "(-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY)-----(?:[\\s\\S]{20,7000}?-----END \\2-----)?)",
     7200, 3.0, pem_valid, "BEGIN PRIVATE KEY"},
    {"SECRET-037", "PGP private key block", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "-----BEGIN PGP PRIVATE KEY BLOCK-----", false,
     "(-----BEGIN PGP PRIVATE KEY BLOCK-----[\\s\\S]{20,12000}?-----END PGP PRIVATE KEY BLOCK-----)", 12200, 3.0,
     pem_valid, "BEGIN PGP PRIVATE KEY BLOCK"},
    {"SECRET-038", "Basic-auth password in a URL", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, true,
     "://[^\\s/:@'\"]{1,64}:[^\\s/@'\"]{3}", false,
     "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\\s/:@'\"`<>]{1,64}:([^\\s/:@'\"`<>]{3,128})@[A-Za-z0-9]",
     256, 2.5, password_valid, "://user:password@"},
    {"SECRET-039", "Database connection string with a password", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false,
     "(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\\+srv|redis|rediss|mssql|sqlserver|amqp|amqps)://[^\\s/:@'\"]{1,64}:",
     true,
     "(?i)(?<![a-z0-9+.-])(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\\+srv|redis|rediss|mssql|sqlserver|amqps?)"
     "://[^\\s/:@'\"`<>]{0,64}:([^\\s/:@'\"`<>]{3,128})@[A-Za-z0-9]",
     256, 2.5, password_valid, "postgres:// mysql:// mongodb:// redis://"},
    {"SECRET-040", "Password in a connection string", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, true,
     "(?:Password|Pwd)=", true,
     "(?i)(?:Server|Data Source|Host|Address)=[^;\"'\\n]{1,200};(?:[^;\"'\\n]{0,200};){0,6}?\\s*(?:Password|Pwd)=([^;\"'\\s]{4,128})",
     700, 2.5, password_valid, "Server= Password="},
    {"SECRET-041", "Secret assigned to a variable", SLSEC_SEV_MEDIUM, SLSEC_DETECT_SECRET, true,
     "pass(?:wor)?d|pwd|secret|token|api_?key|apikey|access_?key|auth_?key|private_?key", true,
     "(?i)(?:pass(?:wor)?d|pwd|secret|token|api_?key|apikey|access_?key|auth_?key|private_?key)[a-z0-9_.-]{0,20}(?<![_.-]id)"
     "(?:[\"']?\\s*(?:=|:|:=|=>)\\s*[\"']([^\"'\\s]{8,200})[\"']|[\"']?\\s*=[ \\t]*([^\"'\\s#;,)]{8,200})(?=[\\s#]|$))",
     300, 3.5, NULL, "password secret token api_key"},
    {"SECRET-042", "Slack app-level token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "xapp-[0-9]-[A-Z0-9]{9}",
     false, NB "(xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64})" NA, 128, 3.5, NULL, "xapp-"},
    {"SECRET-043", "Stripe webhook signing secret", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "whsec_[A-Za-z0-9]{32}", false, NB "(whsec_[A-Za-z0-9]{32,64})" NA, 96, 3.5, NULL, "whsec_"},
    {"SECRET-044", "Google OAuth client secret", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false,
     "GOCSPX-[A-Za-z0-9_-]{28}", false, NB "(GOCSPX-[A-Za-z0-9_-]{28})" NA, 64, 3.5, NULL, "GOCSPX-"},
    {"SECRET-045", "DigitalOcean token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "do[por]_v1_[a-f0-9]{64}",
     false, NB "(do[por]_v1_[a-f0-9]{64})" NA, 96, 3.5, NULL, "dop_v1_ doo_v1_ dor_v1_"},
    {"SECRET-046", "Hugging Face access token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "hf_[A-Za-z]{34}",
     false, NB "(hf_[A-Za-z]{34})" NA, 64, 3.5, NULL, "hf_"},
    {"SECRET-047", "Databricks access token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "dapi[a-f0-9]{32}",
     false, NB "(dapi[a-f0-9]{32}(?:-[0-9])?)" NA, 64, 3.2, NULL, "dapi"},
    {"SECRET-048", "Postman API key", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "PMAK-[a-f0-9]{24}-", false,
     NB "(PMAK-[a-f0-9]{24}-[a-f0-9]{34})" NA, 96, 3.2, NULL, "PMAK-"},
    {"SECRET-049", "age secret key", SLSEC_SEV_CRITICAL, SLSEC_DETECT_SECRET, false, "AGE-SECRET-KEY-1", false,
     NB "(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})" NA, 96, 3.5, NULL, "AGE-SECRET-KEY-1"},
    {"SECRET-050", "Doppler token", SLSEC_SEV_HIGH, SLSEC_DETECT_SECRET, false, "dp\\.(?:pt|st|sa|ct)\\.", false,
     NB "(dp\\.(?:pt|st|sa|ct)\\.[A-Za-z0-9]{40,44})" NA, 96, 3.5, NULL, "dp.pt. dp.st."},
    {"PII-001", "Payment card number", SLSEC_SEV_HIGH, SLSEC_DETECT_PERSONAL, false,
     "[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}", false,
     "(?<![0-9])((?:4[0-9]{3}|5[1-5][0-9]{2}|2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)|3[47][0-9]{2}|"
     "35(?:2[89]|[3-8][0-9])|6011)(?:[ -]?[0-9]{4}){2}[ -]?[0-9]{3,4})(?![0-9])", 64,
     0, luhn, "card number"},
    {"PII-002", "Email address", SLSEC_SEV_LOW, SLSEC_DETECT_PERSONAL, false, "@[A-Za-z0-9-]{1,63}\\.", false,
     "(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24})(?![A-Za-z0-9-])",
     200, 0, NULL, "@"},
    {"PII-003", "IBAN", SLSEC_SEV_HIGH, SLSEC_DETECT_PERSONAL, false, "[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}",
     false, "(?<![A-Za-z0-9])([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?![A-Za-z0-9])", 96, 0,
     iban_valid, "IBAN"},
    {"PII-004", "US social security number", SLSEC_SEV_HIGH, SLSEC_DETECT_PERSONAL, false,
     "[0-9]{3}-[0-9]{2}-[0-9]{4}", false, "(?<![0-9A-Za-z-])([0-9]{3}-[0-9]{2}-[0-9]{4})(?![0-9A-Za-z-])", 32, 0,
     ssn_valid, "SSN"},
    {"PII-005", "Phone number", SLSEC_SEV_MEDIUM, SLSEC_DETECT_PERSONAL, false,
     "\\+[1-9][0-9 ().-]{7}|[0-9]{3}\\)?[ .-]?[0-9]{3}[ .-][0-9]{4}", false,
     "(?<![0-9A-Za-z+_.-])(\\+[1-9][0-9]{0,3}(?:[ .-]?\\([0-9]{1,4}\\))?(?:[ .-]?[0-9]{1,5}){1,4}"
     "|\\(?[2-9][0-9]{2}\\)?[ .-]?[2-9][0-9]{2}[ .-][0-9]{4})(?![0-9A-Za-z_])",
     64, 0, phone_valid, "+1 (555)"},
    {"PII-006", "IPv4 address", SLSEC_SEV_LOW, SLSEC_DETECT_PERSONAL, false,
     "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", false,
     "(?<![0-9A-Za-z.])((?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})"
     "(?!\\.?[0-9A-Za-z])",
     32, 0, NULL, "a.b.c.d"},
    {"PII-007", "IPv6 address", SLSEC_SEV_LOW, SLSEC_DETECT_PERSONAL, false,
     "[0-9A-Fa-f]{1,4}::|::[0-9A-Fa-f]{1,4}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){4}", false,
     "(?<![0-9A-Za-z:.])((?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:[0-9]{1,3}\\.){3}[0-9]{1,3})?(?:%[0-9A-Za-z]{1,16})?)"
     "(?![0-9A-Za-z:.])",
     128, 0, ipv6_valid, "::"},
    {"PII-008", "Bearer token", SLSEC_SEV_HIGH, SLSEC_DETECT_PERSONAL, false, "bearer[ \\t]+[A-Za-z0-9._~+/-]{8}",
     true, "(?i)(?<![A-Za-z0-9_-])bearer[ \\t]+([A-Za-z0-9._~+/-]{8,4096}=*)(?![A-Za-z0-9._~+/=-])", 8400, 0,
     bearer_valid, "Bearer"},
    {"PII-009", "Basic-auth credentials", SLSEC_SEV_HIGH, SLSEC_DETECT_PERSONAL, false,
     "basic[ \\t]+[A-Za-z0-9+/]{4}", true,
     "(?i)(?<![A-Za-z0-9_-])basic[ \\t]+([A-Za-z0-9+/]{4,1000}={0,2})(?![A-Za-z0-9+/=])", 2100, 0, basic_valid,
     "Basic"},
};

const slsec_detector *slsec_detectors(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

const slsec_detector *slsec_detector_find(const char *id)
{
    for (size_t i = 0; id && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].id, id) == 0)
            return &table[i];
    return NULL;
}
