/*
 * dynlib.c — libcurl and libmodsecurity, loaded on first use.
 *
 * Only `logs watch` webhooks, the Lambda runtime, guard's JWKS fetch and
 * guard's WAF need them, yet linking them made every command pay for them
 * at start-up: the dynamic loader mapped and relocated about thirty more
 * libraries (GnuTLS, Kerberos, LDAP, Lua, libxml2, ICU, ...), 4.7 ms of
 * the 9 ms `slsec --version` took, and a third of a small `slsec scan`.
 *
 * So slsec is not linked against them. This file defines the functions
 * of theirs that slsec calls, with their own names and signatures (the
 * callers include the libraries' headers and are unchanged); the first
 * call opens the library (dlopen, RTLD_LOCAL: its symbols never mix with
 * anything else's) and each function forwards to the real one. A library
 * that cannot be loaded stops slsec with a message naming it and its Debian
 * package and exit code 3, as the dynamic loader would have stopped it at
 * start-up had it been linked (scripts/deps.sh installs both).
 */
#define CURL_DISABLE_TYPECHECK 1 /* curl.h would turn curl_easy_setopt into a macro */

#include "slsec/base.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

typedef struct dynlib {
    const char *soname;
    const char *package; /* the Debian package that ships it, for the message */
    const char *const *names;
    void **fns;
    size_t count;
} dynlib;

static void dynlib_open(dynlib *lib)
{
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "slsec: error: cannot load %s (Debian package %s): %s\n", lib->soname, lib->package,
                dlerror());
        exit(3);
    }
    for (size_t i = 0; i < lib->count; i++)
        if (!(lib->fns[i] = dlsym(h, lib->names[i]))) {
            fprintf(stderr, "slsec: error: %s has no %s: not the version slsec was built for\n", lib->soname,
                    lib->names[i]);
            exit(3);
        }
}

/* ---- libcurl ---------------------------------------------------------------------- */

enum {
    CURL_GLOBAL_INIT,
    CURL_GLOBAL_CLEANUP,
    CURL_EASY_INIT,
    CURL_EASY_SETOPT,
    CURL_EASY_PERFORM,
    CURL_EASY_CLEANUP,
    CURL_EASY_GETINFO,
    CURL_EASY_STRERROR,
    CURL_EASY_RESET,
    CURL_SLIST_APPEND,
    CURL_SLIST_FREE_ALL,
    CURL_FN_COUNT
};

static const char *const curl_names[CURL_FN_COUNT] = {
    "curl_global_init",   "curl_global_cleanup", "curl_easy_init",  "curl_easy_setopt",
    "curl_easy_perform",  "curl_easy_cleanup",   "curl_easy_getinfo", "curl_easy_strerror",
    "curl_easy_reset",    "curl_slist_append",   "curl_slist_free_all",
};
static void *curl_fns[CURL_FN_COUNT];
static dynlib curl_lib = {"libcurl.so.4", "libcurl4", curl_names, curl_fns, CURL_FN_COUNT};
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_open(void) { dynlib_open(&curl_lib); }

static void *curl_fn(int which)
{
    pthread_once(&curl_once, curl_open);
    return curl_fns[which];
}

CURLcode curl_global_init(long flags)
{
    return ((CURLcode(*)(long))curl_fn(CURL_GLOBAL_INIT))(flags);
}

void curl_global_cleanup(void)
{
    ((void (*)(void))curl_fn(CURL_GLOBAL_CLEANUP))();
}

CURL *curl_easy_init(void)
{
    return ((CURL * (*)(void)) curl_fn(CURL_EASY_INIT))();
}

/* The one variadic argument's type follows from the option's number
 * (curl.h's CURLOPTTYPE_* ranges); it is read as that type and passed on
 * as that type. */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        long v = va_arg(ap, long);
        rc = ((CURLcode(*)(CURL *, CURLoption, ...))curl_fn(CURL_EASY_SETOPT))(curl, option, v);
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        void *v = va_arg(ap, void *);
        rc = ((CURLcode(*)(CURL *, CURLoption, ...))curl_fn(CURL_EASY_SETOPT))(curl, option, v);
    } else if (option < CURLOPTTYPE_OFF_T) {
        void (*v)(void) = va_arg(ap, void (*)(void));
        rc = ((CURLcode(*)(CURL *, CURLoption, ...))curl_fn(CURL_EASY_SETOPT))(curl, option, v);
    } else if (option < CURLOPTTYPE_BLOB) {
        curl_off_t v = va_arg(ap, curl_off_t);
        rc = ((CURLcode(*)(CURL *, CURLoption, ...))curl_fn(CURL_EASY_SETOPT))(curl, option, v);
    } else {
        void *v = va_arg(ap, void *);
        rc = ((CURLcode(*)(CURL *, CURLoption, ...))curl_fn(CURL_EASY_SETOPT))(curl, option, v);
    }
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *curl)
{
    return ((CURLcode(*)(CURL *))curl_fn(CURL_EASY_PERFORM))(curl);
}

void curl_easy_cleanup(CURL *curl)
{
    ((void (*)(CURL *))curl_fn(CURL_EASY_CLEANUP))(curl);
}

/* Every CURLINFO_* takes one pointer. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return ((CURLcode(*)(CURL *, CURLINFO, ...))curl_fn(CURL_EASY_GETINFO))(curl, info, out);
}

const char *curl_easy_strerror(CURLcode code)
{
    return ((const char *(*)(CURLcode))curl_fn(CURL_EASY_STRERROR))(code);
}

void curl_easy_reset(CURL *curl)
{
    ((void (*)(CURL *))curl_fn(CURL_EASY_RESET))(curl);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
    return ((struct curl_slist * (*)(struct curl_slist *, const char *)) curl_fn(CURL_SLIST_APPEND))(list, s);
}

void curl_slist_free_all(struct curl_slist *list)
{
    ((void (*)(struct curl_slist *))curl_fn(CURL_SLIST_FREE_ALL))(list);
}

/* ---- libmodsecurity ------------------------------------------------------------------ */

enum {
    MSC_INIT,
    MSC_CLEANUP,
    MSC_SET_CONNECTOR_INFO,
    MSC_SET_LOG_CB,
    MSC_CREATE_RULES_SET,
    MSC_RULES_ADD,
    MSC_RULES_ADD_FILE,
    MSC_RULES_CLEANUP,
    MSC_NEW_TRANSACTION,
    MSC_TRANSACTION_CLEANUP,
    MSC_PROCESS_CONNECTION,
    MSC_PROCESS_URI,
    MSC_ADD_N_REQUEST_HEADER,
    MSC_PROCESS_REQUEST_HEADERS,
    MSC_APPEND_REQUEST_BODY,
    MSC_PROCESS_REQUEST_BODY,
    MSC_INTERVENTION,
    MSC_PROCESS_LOGGING,
    MSC_FN_COUNT
};

static const char *const msc_names[MSC_FN_COUNT] = {
    "msc_init",
    "msc_cleanup",
    "msc_set_connector_info",
    "msc_set_log_cb",
    "msc_create_rules_set",
    "msc_rules_add",
    "msc_rules_add_file",
    "msc_rules_cleanup",
    "msc_new_transaction",
    "msc_transaction_cleanup",
    "msc_process_connection",
    "msc_process_uri",
    "msc_add_n_request_header",
    "msc_process_request_headers",
    "msc_append_request_body",
    "msc_process_request_body",
    "msc_intervention",
    "msc_process_logging",
};
static void *msc_fns[MSC_FN_COUNT];
static dynlib msc_lib = {"libmodsecurity.so.3", "libmodsecurity3", msc_names, msc_fns, MSC_FN_COUNT};
static pthread_once_t msc_once = PTHREAD_ONCE_INIT;
static void msc_open(void) { dynlib_open(&msc_lib); }

static void *msc_fn(int which)
{
    pthread_once(&msc_once, msc_open);
    return msc_fns[which];
}

ModSecurity *msc_init(void)
{
    return ((ModSecurity * (*)(void)) msc_fn(MSC_INIT))();
}

void msc_cleanup(ModSecurity *msc)
{
    ((void (*)(ModSecurity *))msc_fn(MSC_CLEANUP))(msc);
}

void msc_set_connector_info(ModSecurity *msc, const char *connector)
{
    ((void (*)(ModSecurity *, const char *))msc_fn(MSC_SET_CONNECTOR_INFO))(msc, connector);
}

void msc_set_log_cb(ModSecurity *msc, ModSecLogCb cb)
{
    ((void (*)(ModSecurity *, ModSecLogCb))msc_fn(MSC_SET_LOG_CB))(msc, cb);
}

RulesSet *msc_create_rules_set(void)
{
    return ((RulesSet * (*)(void)) msc_fn(MSC_CREATE_RULES_SET))();
}

int msc_rules_add(RulesSet *rules, const char *plain_rules, const char **error)
{
    return ((int (*)(RulesSet *, const char *, const char **))msc_fn(MSC_RULES_ADD))(rules, plain_rules, error);
}

int msc_rules_add_file(RulesSet *rules, const char *file, const char **error)
{
    return ((int (*)(RulesSet *, const char *, const char **))msc_fn(MSC_RULES_ADD_FILE))(rules, file, error);
}

int msc_rules_cleanup(RulesSet *rules)
{
    return ((int (*)(RulesSet *))msc_fn(MSC_RULES_CLEANUP))(rules);
}

Transaction *msc_new_transaction(ModSecurity *ms, RulesSet *rules, void *log_cb_data)
{
    return ((Transaction * (*)(ModSecurity *, RulesSet *, void *)) msc_fn(MSC_NEW_TRANSACTION))(ms, rules,
                                                                                                 log_cb_data);
}

void msc_transaction_cleanup(Transaction *transaction)
{
    ((void (*)(Transaction *))msc_fn(MSC_TRANSACTION_CLEANUP))(transaction);
}

int msc_process_connection(Transaction *transaction, const char *client, int c_port, const char *server, int s_port)
{
    return ((int (*)(Transaction *, const char *, int, const char *, int))msc_fn(MSC_PROCESS_CONNECTION))(
        transaction, client, c_port, server, s_port);
}

int msc_process_uri(Transaction *transaction, const char *uri, const char *protocol, const char *http_version)
{
    return ((int (*)(Transaction *, const char *, const char *, const char *))msc_fn(MSC_PROCESS_URI))(
        transaction, uri, protocol, http_version);
}

int msc_add_n_request_header(Transaction *transaction, const unsigned char *key, size_t len_key,
                             const unsigned char *value, size_t len_value)
{
    return ((int (*)(Transaction *, const unsigned char *, size_t, const unsigned char *,
                     size_t))msc_fn(MSC_ADD_N_REQUEST_HEADER))(transaction, key, len_key, value, len_value);
}

int msc_process_request_headers(Transaction *transaction)
{
    return ((int (*)(Transaction *))msc_fn(MSC_PROCESS_REQUEST_HEADERS))(transaction);
}

int msc_append_request_body(Transaction *transaction, const unsigned char *body, size_t size)
{
    return ((int (*)(Transaction *, const unsigned char *, size_t))msc_fn(MSC_APPEND_REQUEST_BODY))(transaction,
                                                                                                     body, size);
}

int msc_process_request_body(Transaction *transaction)
{
    return ((int (*)(Transaction *))msc_fn(MSC_PROCESS_REQUEST_BODY))(transaction);
}

int msc_intervention(Transaction *transaction, ModSecurityIntervention *it)
{
    return ((int (*)(Transaction *, ModSecurityIntervention *))msc_fn(MSC_INTERVENTION))(transaction, it);
}

int msc_process_logging(Transaction *transaction)
{
    return ((int (*)(Transaction *))msc_fn(MSC_PROCESS_LOGGING))(transaction);
}
