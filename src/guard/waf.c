/*
 * waf.c — the guard's WAF: libmodsecurity3 (its C API) with the OWASP Core
 * Rule Set as Debian installs it (modsecurity-crs).
 *
 * The rule set is loaded once per config: our engine settings first
 * (SecRuleEngine, body access and limits, SecArgumentsLimit so a JSON body
 * with a million keys cannot make every rule walk a million arguments, the
 * JSON/XML body processors), then crs-setup.conf, then the paranoia level
 * and anomaly threshold as the SecActions CRS reads (ids 900000 and
 * 900110), then every .conf file of the rules folder in name order. A request is one
 * transaction: connection, URI, headers, body, then the intervention.
 *
 * Which rules matched comes from ModSecurity's log callback (one message
 * per logged match, with `[id "942100"]`); the caller may see each line
 * (the CRS regression replay matches its log_contains patterns against
 * them). The deciding rule of a block is the last rule id of the
 * intervention's log. Nothing of the request is kept or echoed.
 */
#include "slsec/guard.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

struct slsec_waf {
    ModSecurity *msc;
    RulesSet *rules;
    int paranoia, threshold;
};

typedef struct txn_log {
    slsec_waf_log_fn fn;
    void *user;
    int last_id;
} txn_log;

static int rule_id_of(const char *msg)
{
    /* the last [id "N"] of the message */
    int id = 0;
    for (const char *p = strstr(msg, "[id \""); p; p = strstr(p + 1, "[id \""))
        id = atoi(p + 5);
    return id;
}

static void on_log(void *data, const void *msg)
{
    txn_log *tl = data;
    if (!tl || !msg)
        return;
    int id = rule_id_of(msg);
    if (id)
        tl->last_id = id;
    if (tl->fn)
        tl->fn((const char *)msg, tl->user);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static int add_rules(slsec_waf *w, const char *text, const char *what, slsec_diag *d)
{
    const char *err = NULL;
    if (msc_rules_add(w->rules, text, &err) < 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "WAF %s: %s", what, err ? err : "refused");
        free((void *)err);
        return SLSEC_EUSAGE;
    }
    return SLSEC_OK;
}

static int add_file(slsec_waf *w, const char *path, slsec_diag *d)
{
    const char *err = NULL;
    if (msc_rules_add_file(w->rules, path, &err) < 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "WAF rules do not load: %s", err ? err : "refused");
        free((void *)err);
        return SLSEC_EUSAGE;
    }
    return SLSEC_OK;
}

void slsec_waf_free(slsec_waf *w)
{
    if (!w)
        return;
    if (w->rules)
        msc_rules_cleanup(w->rules);
    if (w->msc)
        msc_cleanup(w->msc);
    free(w);
}

int slsec_waf_new(const slsec_waf_opts *o, slsec_waf **out, slsec_diag *d)
{
    *out = NULL;
    slsec_waf *w = calloc(1, sizeof *w);
    if (!w)
        slsec_oom();
    w->msc = msc_init();
    msc_set_connector_info(w->msc, "slsec-guard/" SLSEC_VERSION);
    msc_set_log_cb(w->msc, on_log);
    w->rules = msc_create_rules_set();
    w->paranoia = o->paranoia_level;
    w->threshold = o->anomaly_threshold;
    char engine[1024];
    snprintf(engine, sizeof engine,
             "SecRuleEngine On\n"
             "SecRequestBodyAccess On\n"
             "SecRequestBodyLimit %ld\n"
             "SecRequestBodyNoFilesLimit %ld\n"
             "SecRequestBodyLimitAction Reject\n"
             "SecArgumentsLimit %ld\n"
             "SecResponseBodyAccess Off\n"
             "SecRule REQUEST_HEADERS:Content-Type \"@rx (?:application(?:/soap\\+|/)|text/)xml\" "
             "\"id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n"
             "SecRule REQUEST_HEADERS:Content-Type \"@rx ^application/(?:.+\\+)?json\" "
             "\"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n"
             "SecRule REQBODY_ERROR \"!@eq 0\" \"id:200002,phase:2,t:none,log,deny,status:400,"
             "msg:'Failed to parse request body.'\"\n",
             o->body_limit, o->body_limit, o->arguments_limit);
    int rc = add_rules(w, engine, "engine settings", d);
    if (!rc)
        rc = add_file(w, o->crs_setup, d);
    if (!rc && o->extra_rules)
        rc = add_rules(w, o->extra_rules, "extra rules", d);
    if (!rc) {
        char tx[512];
        snprintf(tx, sizeof tx,
                 "SecAction \"id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=%d\"\n"
                 "SecAction \"id:900110,phase:1,nolog,pass,t:none,setvar:tx.inbound_anomaly_score_threshold=%d,"
                 "setvar:tx.outbound_anomaly_score_threshold=4\"\n",
                 o->paranoia_level, o->anomaly_threshold);
        rc = add_rules(w, tx, "paranoia level and threshold", d);
    }
    if (!rc) {
        struct dirent **names = NULL;
        int n = scandir(o->crs_rules_dir, &names, NULL, by_name);
        if (n <= 0) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, o->crs_rules_dir, 0, 0,
                           "no CRS rules here (install modsecurity-crs)");
            rc = SLSEC_EIO;
        }
        int loaded = 0;
        for (int i = 0; i < n; i++) {
            const char *name = names[i]->d_name;
            if (!rc && slsec_str_has_suffix(name, ".conf")) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", o->crs_rules_dir, name);
                rc = add_file(w, path, d);
                loaded++;
            }
            free(names[i]);
        }
        free(names);
        if (!rc && loaded == 0) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, o->crs_rules_dir, 0, 0, "no .conf rule files here");
            rc = SLSEC_EIO;
        }
    }
    if (rc) {
        slsec_waf_free(w);
        return rc;
    }
    *out = w;
    return SLSEC_OK;
}

/* Asks for the intervention; keeps it only when it is disruptive (each
 * call may allocate a log line, which is ours to free). */
static bool intervene(Transaction *t, ModSecurityIntervention *it)
{
    if (msc_intervention(t, it) && it->disruptive)
        return true;
    free(it->log);
    free(it->url);
    it->log = it->url = NULL;
    return false;
}

int slsec_waf_check(const slsec_waf *w, const slsec_waf_request *r, slsec_waf_log_fn log, void *user,
                    slsec_waf_verdict *v)
{
    memset(v, 0, sizeof *v);
    txn_log tl = {log, user, 0};
    /* With an id of ours, ModSecurity's log lines name the request the
     * access log names, and it skips making up its own (a std::random_device
     * per transaction: 3% of a WAF-only request's CPU). */
    Transaction *t = r->id ? msc_new_transaction_with_id(w->msc, w->rules, (char *)r->id, &tl)
                           : msc_new_transaction(w->msc, w->rules, &tl);
    if (!t)
        slsec_oom();
    ModSecurityIntervention it = {.status = 200};
    msc_process_connection(t, r->client_ip ? r->client_ip : "0.0.0.0", r->client_port,
                           r->server_ip ? r->server_ip : "127.0.0.1", r->server_port);
    msc_process_uri(t, r->uri, r->method, r->http_version ? r->http_version : "1.1");
    bool decided = intervene(t, &it);
    if (!decided) {
        for (size_t i = 0; i < r->header_count; i++)
            msc_add_n_request_header(t, (const unsigned char *)r->header_names[i], strlen(r->header_names[i]),
                                     (const unsigned char *)r->header_values[i], strlen(r->header_values[i]));
        msc_process_request_headers(t);
        decided = intervene(t, &it);
    }
    if (!decided) {
        if (r->body_len)
            msc_append_request_body(t, (const unsigned char *)r->body, r->body_len);
        msc_process_request_body(t);
        decided = intervene(t, &it);
    }
    if (decided) {
        v->blocked = true;
        v->status = it.status >= 400 && it.status < 600 ? it.status : 403;
        v->rule_id = it.log ? rule_id_of(it.log) : 0;
        if (!v->rule_id)
            v->rule_id = tl.last_id;
    }
    v->last_logged_rule = tl.last_id;
    free(it.log);
    free(it.url);
    msc_process_logging(t);
    msc_transaction_cleanup(t);
    return SLSEC_OK;
}
