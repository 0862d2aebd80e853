/*
 * iam.c — queries over the generated IAM action table (iam_actions.c):
 * access level of one action, expansion of wildcard patterns.
 *
 * Services and actions are sorted case-insensitively, so a literal action is
 * two binary searches; a pattern walks only the services its prefix part can
 * match (a pattern with no wildcard in the service part touches one).
 */
#include "audit_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *slsec_access_level_name(slsec_access_level level)
{
    static const char *const names[] = {"Unknown", "List", "Read", "Write", "Permissions management",
                                        "Tagging"};
    return (unsigned)level < sizeof names / sizeof names[0] ? names[level] : "Unknown";
}

static int cmp_service(const void *key, const void *elem)
{
    return strcasecmp(key, ((const slsec_iam_service *)elem)->prefix);
}

static int cmp_action(const void *key, const void *elem)
{
    return strcasecmp(key, ((const slsec_iam_action *)elem)->name);
}

static const slsec_iam_service *find_service(const char *prefix)
{
    return bsearch(prefix, slsec_iam_services, slsec_iam_service_total, sizeof slsec_iam_services[0],
                   cmp_service);
}

slsec_access_level slsec_iam_action_level(const char *action, char *canonical, size_t size)
{
    const char *colon = action ? strchr(action, ':') : NULL;
    if (!colon || colon == action || (size_t)(colon - action) >= 64)
        return SLSEC_ACCESS_UNKNOWN;
    char prefix[64];
    memcpy(prefix, action, (size_t)(colon - action));
    prefix[colon - action] = '\0';
    const slsec_iam_service *svc = find_service(prefix);
    if (!svc)
        return SLSEC_ACCESS_UNKNOWN;
    const slsec_iam_action *a =
        bsearch(colon + 1, svc->actions, svc->count, sizeof svc->actions[0], cmp_action);
    if (!a)
        return SLSEC_ACCESS_UNKNOWN;
    if (canonical && size) {
        size_t n = strlen(svc->prefix) + 1 + strlen(a->name);
        if (n < size) {
            memcpy(canonical, svc->prefix, strlen(svc->prefix));
            canonical[strlen(svc->prefix)] = ':';
            memcpy(canonical + strlen(svc->prefix) + 1, a->name, strlen(a->name) + 1);
        } else {
            canonical[0] = '\0';
        }
    }
    return (slsec_access_level)a->level;
}

size_t slsec_iam_expand(const char *pattern,
                        void (*fn)(const char *service, const char *action, slsec_access_level level,
                                   void *user),
                        void *user)
{
    if (!pattern)
        return 0;
    const char *colon = strchr(pattern, ':');
    char svc_pat[128];
    const char *act_pat;
    if (strcmp(pattern, "*") == 0) {
        svc_pat[0] = '*';
        svc_pat[1] = '\0';
        act_pat = "*";
    } else if (!colon || (size_t)(colon - pattern) >= sizeof svc_pat) {
        return 0;
    } else {
        memcpy(svc_pat, pattern, (size_t)(colon - pattern));
        svc_pat[colon - pattern] = '\0';
        act_pat = colon + 1;
    }
    size_t n = 0;
    bool literal_svc = !strpbrk(svc_pat, "*?");
    for (size_t i = 0; i < slsec_iam_service_total; i++) {
        const slsec_iam_service *svc = literal_svc ? find_service(svc_pat) : &slsec_iam_services[i];
        if (!svc)
            break;
        if (literal_svc || slsec_glob_match_ci(svc_pat, svc->prefix)) {
            bool literal_act = !strpbrk(act_pat, "*?");
            for (unsigned j = 0; j < svc->count; j++) {
                const slsec_iam_action *a = &svc->actions[j];
                if (literal_act ? strcasecmp(act_pat, a->name) == 0 : slsec_glob_match_ci(act_pat, a->name)) {
                    if (fn)
                        fn(svc->prefix, a->name, (slsec_access_level)a->level, user);
                    n++;
                }
            }
        }
        if (literal_svc)
            break;
    }
    return n;
}

void slsec_iam_table_size(size_t *services, size_t *actions, const char **version)
{
    size_t total = 0;
    for (size_t i = 0; i < slsec_iam_service_total; i++)
        total += slsec_iam_services[i].count;
    if (services)
        *services = slsec_iam_service_total;
    if (actions)
        *actions = total;
    if (version)
        *version = slsec_iam_data_version;
}
