/*
 * runtimes.c — AWS Lambda's managed runtimes and the date each one is (or
 * was) deprecated, for FN-004.
 *
 * Dates are Lambda's "deprecation date" (the day security patches stop; the
 * blocks on creating and then updating functions follow weeks later), as
 * the AWS Lambda runtimes page lists them ("Lambda runtimes", supported and
 * deprecated tables, checked November 2026). When AWS moves a date or adds
 * a runtime, change this table and the FN-004 tests in
 * tests/unit/test_rules_iam.c together. Runtimes missing from the table are
 * unknown to the rule, which then says nothing: silence is safer than a
 * guessed date.
 *
 * Container images have no Runtime, and the *.al2 "provided" runtimes carry
 * the date of Amazon Linux 2's end of support.
 */
#include "runtimes.h"

#include <string.h>
#include <time.h>

static const slsec_runtime_info runtimes[] = {
    /* Node.js */
    {"nodejs", "2016-10-31", "nodejs"},
    {"nodejs4.3", "2020-03-05", "nodejs"},
    {"nodejs4.3-edge", "2020-03-05", "nodejs"},
    {"nodejs6.10", "2019-08-12", "nodejs"},
    {"nodejs8.10", "2020-03-06", "nodejs"},
    {"nodejs10.x", "2021-07-30", "nodejs"},
    {"nodejs12.x", "2023-03-31", "nodejs"},
    {"nodejs14.x", "2023-12-04", "nodejs"},
    {"nodejs16.x", "2024-06-12", "nodejs"},
    {"nodejs18.x", "2025-09-01", "nodejs"},
    {"nodejs20.x", "2026-04-30", "nodejs"},
    {"nodejs22.x", "2027-04-30", "nodejs"},
    {"nodejs24.x", "2028-04-30", "nodejs"},
    /* Python */
    {"python2.7", "2021-07-15", "python"},
    {"python3.6", "2022-07-18", "python"},
    {"python3.7", "2023-12-04", "python"},
    {"python3.8", "2024-10-14", "python"},
    {"python3.9", "2025-12-15", "python"},
    {"python3.10", "2026-06-30", "python"},
    {"python3.11", "2026-06-30", "python"},
    {"python3.12", "2028-10-31", "python"},
    {"python3.13", "2029-06-30", "python"},
    {"python3.14", "2029-06-30", "python"},
    /* Java */
    {"java8", "2024-01-08", "java"},
    {"java8.al2", "2026-06-30", "java"},
    {"java11", "2026-06-30", "java"},
    {"java17", "2026-06-30", "java"},
    {"java21", "2029-06-30", "java"},
    {"java25", "2029-06-30", "java"},
    /* .NET */
    {"dotnetcore1.0", "2019-07-27", "dotnet"},
    {"dotnetcore2.0", "2019-05-30", "dotnet"},
    {"dotnetcore2.1", "2022-01-05", "dotnet"},
    {"dotnetcore3.1", "2023-04-03", "dotnet"},
    {"dotnet5.0", "2022-05-10", "dotnet"},
    {"dotnet6", "2024-11-12", "dotnet"},
    {"dotnet7", "2024-05-14", "dotnet"},
    {"dotnet8", "2026-11-10", "dotnet"},
    {"dotnet10", "2028-11-14", "dotnet"},
    /* Ruby */
    {"ruby2.5", "2021-07-30", "ruby"},
    {"ruby2.7", "2023-11-27", "ruby"},
    {"ruby3.2", "2026-03-31", "ruby"},
    {"ruby3.3", "2027-03-31", "ruby"},
    {"ruby3.4", "2028-03-31", "ruby"},
    /* Go moved to the OS-only runtimes. */
    {"go1.x", "2024-01-08", "custom"},
    {"provided", "2024-01-08", "custom"},
    {"provided.al2", "2026-06-30", "custom"},
    {"provided.al2023", "2029-06-30", "custom"},
};

const slsec_runtime_info *slsec_runtime_find(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < sizeof runtimes / sizeof runtimes[0]; i++)
        if (strcmp(runtimes[i].id, id) == 0)
            return &runtimes[i];
    return NULL;
}

const slsec_runtime_info *slsec_runtime_latest(const char *family)
{
    const slsec_runtime_info *best = NULL;
    for (size_t i = 0; family && i < sizeof runtimes / sizeof runtimes[0]; i++) {
        if (strcmp(runtimes[i].family, family) != 0)
            continue;
        /* ISO dates compare as strings; on a tie the later row (the newer
         * language version) wins. */
        if (!best || strcmp(runtimes[i].deprecated, best->deprecated) >= 0)
            best = &runtimes[i];
    }
    return best;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), exact for every year the table can hold. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, size_t n, long *out)
{
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool slsec_date_days(const char *s, long *days)
{
    long y, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

long slsec_date_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return 0;
    return days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1L, tm.tm_mday);
}
