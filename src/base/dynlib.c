/*
 * dynlib.c — libraries opened on first use instead of linked.
 *
 * libcurl (webhooks, the Lambda runtime, JWKS URLs), libmodsecurity (the
 * WAF), libgit2 (git history, the commit a recorded scan was made at) and
 * libarchive (deployment packages) are each needed by few commands, yet
 * linking them made every command pay for them at start-up: the dynamic
 * loader mapped and relocated about forty more libraries (GnuTLS,
 * Kerberos, LDAP, Lua, libxml2, ICU, mbedTLS, ...): 6.5 ms of the 9 ms
 * `slsec --version` took, and a tenth of a 1,000-function scan.
 *
 * So slsec is not linked against them. This file defines the functions
 * of theirs that slsec calls, with their own names and signatures (the
 * compiler checks each against the library's header; callers include those
 * headers and are unchanged); the first call opens the library (dlopen,
 * RTLD_LOCAL: its symbols never mix with anything else's) and each
 * function forwards to the real one. A library that cannot be loaded stops
 * slsec with a message naming it and its Debian package and exit code 3,
 * as the dynamic loader would have stopped it at start-up had it been
 * linked (scripts/deps.sh installs them all).
 *
 * Each library's functions are listed once, in an X-macro:
 * X(return type, name, (parameters), (arguments)), or V(...) without the
 * return type for the void ones.
 */
#define CURL_DISABLE_TYPECHECK 1 /* curl.h would turn curl_easy_setopt into a macro */

#include "slsec/base.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <git2.h>
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
    atomic_bool ready;
} dynlib;

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

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

static void *dynlib_fn(dynlib *lib, int which)
{
    if (!atomic_load_explicit(&lib->ready, memory_order_acquire)) {
        pthread_mutex_lock(&open_lock);
        if (!atomic_load_explicit(&lib->ready, memory_order_relaxed)) {
            dynlib_open(lib);
            atomic_store_explicit(&lib->ready, true, memory_order_release);
        }
        pthread_mutex_unlock(&open_lock);
    }
    return lib->fns[which];
}

/* The index, the name and the forwarding definition of each function. */
#define DYN_INDEX_X(ret, name, params, args) DYN_##name,
#define DYN_INDEX_V(name, params, args) DYN_##name,
#define DYN_NAME_X(ret, name, params, args) #name,
#define DYN_NAME_V(name, params, args) #name,
#define DYN_WRAP_X(ret, name, params, args)                                                                         \
    ret name params { return ((ret(*) params)dynlib_fn(&DYN_LIB, DYN_##name)) args; }
#define DYN_WRAP_V(name, params, args)                                                                              \
    void name params { ((void(*) params)dynlib_fn(&DYN_LIB, DYN_##name)) args; }

#define DYN_INDEX_N(name) DYN_##name,
#define DYN_NAME_N(name) #name,
#define DYN_NO_MORE(N)

/* LIST: the functions defined here; MORE: names only (written by hand). */
#define DYN_LIBRARY(var, soname, package, LIST, MORE)                                                               \
    enum { LIST(DYN_INDEX_X, DYN_INDEX_V) MORE(DYN_INDEX_N) var##_count };                                          \
    static const char *const var##_names[] = {LIST(DYN_NAME_X, DYN_NAME_V) MORE(DYN_NAME_N)};                       \
    static void *var##_fns[var##_count];                                                                            \
    static dynlib var = {soname, package, var##_names, var##_fns, var##_count, false};

/* ---- libcurl ---------------------------------------------------------------------- */

#define CURL_FUNCTIONS(X, V)                                                                                         \
    X(CURLcode, curl_global_init, (long flags), (flags))                                                           \
    V(curl_global_cleanup, (void), ())                                                                              \
    X(CURL *, curl_easy_init, (void), ())                                                                          \
    X(CURLcode, curl_easy_perform, (CURL * curl), (curl))                                                          \
    V(curl_easy_cleanup, (CURL * curl), (curl))                                                                    \
    X(const char *, curl_easy_strerror, (CURLcode code), (code))                                                   \
    V(curl_easy_reset, (CURL * curl), (curl))                                                                      \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist * list, const char *s), (list, s))                \
    V(curl_slist_free_all, (struct curl_slist * list), (list))                                                     \
    X(CURLM *, curl_multi_init, (void), ())                                                                        \
    X(CURLMcode, curl_multi_cleanup, (CURLM * multi), (multi))                                                     \
    X(CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL * curl), (multi, curl))                               \
    X(CURLMcode, curl_multi_remove_handle, (CURLM * multi, CURL * curl), (multi, curl))                            \
    X(CURLMcode, curl_multi_perform, (CURLM * multi, int *running), (multi, running))                              \
    X(CURLMcode, curl_multi_poll,                                                                                  \
      (CURLM * multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int *ret),            \
      (multi, extra_fds, extra_nfds, timeout_ms, ret))                                                              \
    X(CURLMcode, curl_multi_wakeup, (CURLM * multi), (multi))                                                      \
    X(CURLMsg *, curl_multi_info_read, (CURLM * multi, int *msgs_in_queue), (multi, msgs_in_queue))                \
    X(const char *, curl_multi_strerror, (CURLMcode code), (code))
/* variadic: looked up like the others, forwarded by hand below */
#define CURL_VARIADIC(N) N(curl_easy_setopt) N(curl_easy_getinfo)

DYN_LIBRARY(curl_lib, "libcurl.so.4", "libcurl4", CURL_FUNCTIONS, CURL_VARIADIC)
#define DYN_LIB curl_lib
CURL_FUNCTIONS(DYN_WRAP_X, DYN_WRAP_V)
#undef DYN_LIB

typedef CURLcode (*curl_variadic)(CURL *, int, ...);

/* The one variadic argument's type follows from the option's number
 * (curl.h's CURLOPTTYPE_* ranges); it is read as that type and passed on
 * as that type. */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    curl_variadic real = (curl_variadic)dynlib_fn(&curl_lib, DYN_curl_easy_setopt);
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        long v = va_arg(ap, long);
        rc = real(curl, (int)option, v);
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        void *v = va_arg(ap, void *);
        rc = real(curl, (int)option, v);
    } else if (option < CURLOPTTYPE_OFF_T) {
        void (*v)(void) = va_arg(ap, void (*)(void));
        rc = real(curl, (int)option, v);
    } else if (option < CURLOPTTYPE_BLOB) {
        curl_off_t v = va_arg(ap, curl_off_t);
        rc = real(curl, (int)option, v);
    } else {
        void *v = va_arg(ap, void *);
        rc = real(curl, (int)option, v);
    }
    va_end(ap);
    return rc;
}

/* Every CURLINFO_* takes one pointer. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    curl_variadic real = (curl_variadic)dynlib_fn(&curl_lib, DYN_curl_easy_getinfo);
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return real(curl, (int)info, out);
}

/* ---- libmodsecurity ---------------------------------------------------------------- */

#define MSC_FUNCTIONS(X, V)                                                                                          \
    X(ModSecurity *, msc_init, (void), ())                                                                         \
    V(msc_cleanup, (ModSecurity * msc), (msc))                                                                     \
    V(msc_set_connector_info, (ModSecurity * msc, const char *connector), (msc, connector))                        \
    V(msc_set_log_cb, (ModSecurity * msc, ModSecLogCb cb), (msc, cb))                                              \
    X(RulesSet *, msc_create_rules_set, (void), ())                                                                \
    X(int, msc_rules_add, (RulesSet * rules, const char *plain_rules, const char **error),                          \
      (rules, plain_rules, error))                                                                                  \
    X(int, msc_rules_add_file, (RulesSet * rules, const char *file, const char **error), (rules, file, error))    \
    X(int, msc_rules_cleanup, (RulesSet * rules), (rules))                                                         \
    X(Transaction *, msc_new_transaction, (ModSecurity * ms, RulesSet * rules, void *log_cb_data),                  \
      (ms, rules, log_cb_data))                                                                                     \
    X(Transaction *, msc_new_transaction_with_id, (ModSecurity * ms, RulesSet * rules, char *id, void *log_cb_data), \
      (ms, rules, id, log_cb_data))                                                                                 \
    V(msc_transaction_cleanup, (Transaction * transaction), (transaction))                                         \
    X(int, msc_process_connection,                                                                                 \
      (Transaction * transaction, const char *client, int c_port, const char *server, int s_port),                 \
      (transaction, client, c_port, server, s_port))                                                                \
    X(int, msc_process_uri,                                                                                        \
      (Transaction * transaction, const char *uri, const char *protocol, const char *http_version),                 \
      (transaction, uri, protocol, http_version))                                                                   \
    X(int, msc_add_n_request_header,                                                                               \
      (Transaction * transaction, const unsigned char *key, size_t len_key, const unsigned char *value,            \
       size_t len_value),                                                                                           \
      (transaction, key, len_key, value, len_value))                                                                \
    X(int, msc_process_request_headers, (Transaction * transaction), (transaction))                                \
    X(int, msc_append_request_body, (Transaction * transaction, const unsigned char *body, size_t size),           \
      (transaction, body, size))                                                                                    \
    X(int, msc_process_request_body, (Transaction * transaction), (transaction))                                   \
    X(int, msc_intervention, (Transaction * transaction, ModSecurityIntervention * it), (transaction, it))         \
    X(int, msc_process_logging, (Transaction * transaction), (transaction))

DYN_LIBRARY(msc_lib, "libmodsecurity.so.3", "libmodsecurity3", MSC_FUNCTIONS, DYN_NO_MORE)
#define DYN_LIB msc_lib
MSC_FUNCTIONS(DYN_WRAP_X, DYN_WRAP_V)
#undef DYN_LIB

/* ---- libarchive --------------------------------------------------------------------- */

#define ARCHIVE_FUNCTIONS(X, V)                                                                                      \
    X(struct archive *, archive_read_new, (void), ())                                                              \
    X(int, archive_read_support_format_zip, (struct archive * a), (a))                                             \
    X(int, archive_read_open_filename, (struct archive * a, const char *file, size_t block), (a, file, block))    \
    X(int, archive_read_next_header, (struct archive * a, struct archive_entry * *entry), (a, entry))              \
    X(la_ssize_t, archive_read_data, (struct archive * a, void *buf, size_t size), (a, buf, size))                \
    X(int, archive_read_free, (struct archive * a), (a))                                                           \
    X(const char *, archive_error_string, (struct archive * a), (a))                                               \
    X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))                                        \
    X(const char *, archive_entry_pathname, (struct archive_entry * e), (e))                                       \
    X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                                             \
    X(int, archive_entry_size_is_set, (struct archive_entry * e), (e))

DYN_LIBRARY(archive_lib, "libarchive.so.13", "libarchive13", ARCHIVE_FUNCTIONS, DYN_NO_MORE)
#define DYN_LIB archive_lib
ARCHIVE_FUNCTIONS(DYN_WRAP_X, DYN_WRAP_V)
#undef DYN_LIB

/* ---- libgit2 ------------------------------------------------------------------------ */

#define GIT2_FUNCTIONS(X, V) \
    V(git_blob_free, (git_blob *blob), (blob)) \
    X(int, git_blob_is_binary, (const git_blob *blob), (blob)) \
    X(int, git_blob_lookup, (git_blob **blob, git_repository *repo, const git_oid *id), (blob, repo, id)) \
    X(const void *, git_blob_rawcontent, (const git_blob *blob), (blob)) \
    X(git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob)) \
    X(const git_signature *, git_commit_author, (const git_commit *commit), (commit)) \
    V(git_commit_free, (git_commit *commit), (commit)) \
    X(int, git_commit_lookup, (git_commit **commit, git_repository *repo, const git_oid *id), (commit, repo, id)) \
    X(const char *, git_commit_summary, (git_commit *commit), (commit)) \
    X(int, git_commit_tree, (git_tree **tree_out, const git_commit *commit), (tree_out, commit)) \
    X(const git_error *, git_error_last, (void), ()) \
    X(int, git_libgit2_init, (void), ()) \
    X(int, git_libgit2_shutdown, (void), ()) \
    V(git_object_free, (git_object *object), (object)) \
    X(const git_oid *, git_object_id, (const git_object *obj), (obj)) \
    X(int, git_object_peel, (git_object **peeled, const git_object *object, git_object_t target_type), (peeled, object, target_type)) \
    X(char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id)) \
    V(git_reference_free, (git_reference *ref), (ref)) \
    X(int, git_reference_is_branch, (const git_reference *ref), (ref)) \
    X(int, git_reference_resolve, (git_reference **out, const git_reference *ref), (out, ref)) \
    X(const char *, git_reference_shorthand, (const git_reference *ref), (ref)) \
    X(const git_oid *, git_reference_target, (const git_reference *ref), (ref)) \
    V(git_repository_free, (git_repository *repo), (repo)) \
    X(int, git_repository_head, (git_reference **out, git_repository *repo), (out, repo)) \
    X(int, git_repository_open_ext, (git_repository **out, const char *path, unsigned int flags, const char *ceiling_dirs), (out, path, flags, ceiling_dirs)) \
    X(int, git_revparse_single, (git_object **out, git_repository *repo, const char *spec), (out, repo, spec)) \
    V(git_revwalk_free, (git_revwalk *walk), (walk)) \
    X(int, git_revwalk_hide, (git_revwalk *walk, const git_oid *commit_id), (walk, commit_id)) \
    X(int, git_revwalk_new, (git_revwalk **out, git_repository *repo), (out, repo)) \
    X(int, git_revwalk_next, (git_oid *out, git_revwalk *walk), (out, walk)) \
    X(int, git_revwalk_push_glob, (git_revwalk *walk, const char *glob), (walk, glob)) \
    X(int, git_revwalk_push_head, (git_revwalk *walk), (walk)) \
    X(int, git_revwalk_sorting, (git_revwalk *walk, unsigned int sort_mode), (walk, sort_mode)) \
    X(const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry)) \
    X(const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry)) \
    X(git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry)) \
    V(git_tree_free, (git_tree *tree), (tree)) \
    X(const git_oid *, git_tree_id, (const git_tree *tree), (tree)) \
    X(int, git_tree_walk, (const git_tree *tree, git_treewalk_mode mode, git_treewalk_cb callback, void *payload), (tree, mode, callback, payload))

DYN_LIBRARY(git2_lib, "libgit2.so.1.5", "libgit2-1.5", GIT2_FUNCTIONS, DYN_NO_MORE)
#define DYN_LIB git2_lib
GIT2_FUNCTIONS(DYN_WRAP_X, DYN_WRAP_V)
#undef DYN_LIB
