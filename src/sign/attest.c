/*
 * attest.c — provenance: a DSSE envelope holding an in-toto Statement v1
 * about one artifact, with an SLSA Provenance v1 predicate, signed with a
 * minisign-format Ed25519 key over the DSSE pre-authentication encoding.
 *
 * The envelope is written as one JSON line (the .intoto.jsonl convention);
 * the signature's keyid is the minisign key id in hex, so a verifier can
 * tell at once whether the key it holds is the one that signed.
 */
#include "sign_internal.h"

#include "slsec/deps.h"

#include <dirent.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DSSE_TYPE SIGN_DSSE_TYPE
#define STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PROVENANCE_TYPE "https://slsa.dev/provenance/v1"

unsigned char *slsec_dsse_pae(const char *type, const unsigned char *body, size_t body_len, size_t *out_len)
{
    char head[128];
    size_t tl = strlen(type);
    int hn = snprintf(head, sizeof head, "DSSEv1 %zu ", tl);
    char mid[32];
    int mn = snprintf(mid, sizeof mid, " %zu ", body_len);
    size_t n = (size_t)hn + tl + (size_t)mn + body_len;
    unsigned char *p = malloc(n + 1);
    if (!p)
        slsec_oom();
    memcpy(p, head, (size_t)hn);
    memcpy(p + hn, type, tl);
    memcpy(p + hn + tl, mid, (size_t)mn);
    if (body_len)
        memcpy(p + hn + tl + mn, body, body_len);
    *out_len = n;
    return p;
}

static void rfc3339(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Package URL type for an ecosystem name, or NULL when there is none we know. */
static const char *purl_type(slsec_ecosystem e)
{
    const char *n = slsec_ecosystem_name(e);
    if (!n)
        return NULL;
    if (!strcmp(n, "npm"))
        return "npm";
    if (!strcmp(n, "PyPI"))
        return "pypi";
    if (!strcmp(n, "crates.io"))
        return "cargo";
    if (!strcmp(n, "Go"))
        return "golang";
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Each lockfile in `dir` (not below it) with its digest, then each package
 * it pins as a package URL: what the build resolved its inputs to. */
static int resolved_deps(const char *dir, json_t *out, slsec_diag *d)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, dir, 0, 0, "cannot open the source folder");
        return SLSEC_EIO;
    }
    char *names[64];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(dp)) && count < sizeof names / sizeof names[0])
        if (slsec_lockfile_name(e->d_name))
            names[count++] = strdup(e->d_name);
    closedir(dp);
    qsort(names, count, sizeof names[0], cmp_str);
    int rc = SLSEC_OK;
    for (size_t i = 0; i < count; i++) {
        size_t pn = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(pn);
        if (!path || !names[i])
            slsec_oom();
        snprintf(path, pn, "%s/%s", dir, names[i]);
        char hex[65];
        if (rc == SLSEC_OK && (rc = slsec_sha256_file_hex(path, hex, NULL, d)) == SLSEC_OK) {
            json_array_append_new(out, json_pack("{s:s, s:s, s:{s:s}}", "name", names[i], "uri", names[i],
                                                 "digest", "sha256", hex));
            slsec_arena *a = slsec_arena_new();
            slsec_ptrvec pkgs = {0};
            slsec_diags warn = {0};
            slsec_lockfile_read(a, dir, path, names[i], &pkgs, &warn);
            for (size_t k = 0; k < pkgs.count; k++) {
                const slsec_package *p = pkgs.items[k];
                const char *t = purl_type(p->eco);
                if (t && p->name && p->version) {
                    char *uri = slsec_arena_printf(a, "pkg:%s/%s@%s", t, p->name, p->version);
                    json_array_append_new(out, json_pack("{s:s, s:s}", "name", p->name, "uri", uri));
                }
            }
            slsec_diags_clear(&warn);
            slsec_arena_free(a);
        }
        free(path);
        free(names[i]);
    }
    return rc;
}

static json_t *statement_new(const char *file, const char *hex, const slsec_attest_opts *o, slsec_diag *d)
{
    json_t *params = json_object();
    for (size_t i = 0; i < o->nparams; i++) {
        const char *eq = strchr(o->params[i], '=');
        if (!eq || eq == o->params[i]) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "parameter '%s' is not KEY=VALUE", o->params[i]);
            json_decref(params);
            return NULL;
        }
        char *k = strndup(o->params[i], (size_t)(eq - o->params[i]));
        if (!k)
            slsec_oom();
        json_object_set_new(params, k, json_string(eq + 1));
        free(k);
    }
    json_t *deps = json_array();
    if (o->source && resolved_deps(o->source, deps, d) != SLSEC_OK) {
        json_decref(params);
        json_decref(deps);
        return NULL;
    }
    char started[32], finished[32];
    long long now = (long long)time(NULL);
    rfc3339(o->started_on ? o->started_on : now, started);
    rfc3339(now, finished);
    return json_pack("{s:s, s:[{s:s, s:{s:s}}], s:s, s:{s:{s:s, s:o, s:{}, s:o}, s:{s:{s:s}, s:{s:s, s:s}}}}",
                     "_type", STATEMENT_TYPE, "subject", "name", base_name(file), "digest", "sha256", hex,
                     "predicateType", PROVENANCE_TYPE, "predicate", "buildDefinition", "buildType", o->build_type,
                     "externalParameters", params, "internalParameters", "resolvedDependencies", deps,
                     "runDetails", "builder", "id", o->builder_id, "metadata", "startedOn", started, "finishedOn",
                     finished);
}

int sign_attest_statement(const char *file, const slsec_attest_opts *o, char **payload, slsec_diag *d)
{
    *payload = NULL;
    if (!o->builder_id || !*o->builder_id || !o->build_type || !*o->build_type) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "an attestation needs a builder id and a build type");
        return SLSEC_EUSAGE;
    }
    char hex[65];
    int rc = slsec_sha256_file_hex(file, hex, NULL, d);
    if (rc != SLSEC_OK)
        return rc;
    json_t *st = statement_new(file, hex, o, d);
    if (!st)
        return SLSEC_EUSAGE;
    *payload = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(st);
    if (!*payload)
        slsec_oom();
    return SLSEC_OK;
}

int slsec_attest_file(const slsec_seckey *key, const char *file, const char *out_path, const slsec_attest_opts *o,
                      slsec_diag *d)
{
    char *payload;
    int rc = sign_attest_statement(file, o, &payload, d);
    if (rc != SLSEC_OK)
        return rc;
    size_t plen = strlen(payload), paelen;
    unsigned char *pae = slsec_dsse_pae(DSSE_TYPE, (const unsigned char *)payload, plen, &paelen);
    uint8_t sig[64];
    bool ok = sign_ed25519(key->sk, pae, paelen, sig);
    free(pae);
    if (!ok) {
        free(payload);
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "Ed25519 signing failed");
        return SLSEC_EINTERNAL;
    }
    char id[17];
    slsec_keyid_hex(key->keyid, id);
    char *p64 = slsec_base64_encode(payload, plen), *s64 = slsec_base64_encode(sig, sizeof sig);
    free(payload);
    json_t *env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", DSSE_TYPE, "payload", p64, "signatures",
                            "keyid", id, "sig", s64);
    free(p64);
    free(s64);
    return sign_write_json(env, JSON_COMPACT | JSON_PRESERVE_ORDER, out_path, d);
}

int sign_write_json(json_t *j, size_t flags, const char *out_path, slsec_diag *d)
{
    char *text = json_dumps(j, flags);
    json_decref(j);
    if (!text)
        slsec_oom();
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_printf(&b, "%s\n", text);
    free(text);
    int rc = sign_write_file(out_path, b.data, b.len, 0644, true, d);
    slsec_buf_free(&b);
    return rc;
}

static bool b64_field(json_t *obj, const char *key, unsigned char **out, size_t *len)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && slsec_base64_decode(s, strlen(s), out, len);
}

static void copy_out(char *dst, const char *src)
{
    if (dst)
        snprintf(dst, 512, "%s", src ? src : "");
}

int slsec_attest_verify(const slsec_pubkey *key, const char *file, const char *att_path, const slsec_attest_expect *e,
                        char *builder_out, char *type_out, slsec_diag *d)
{
    char *data;
    size_t len;
    int rc = sign_read_small(att_path, &data, &len, d);
    if (rc != SLSEC_OK)
        return rc;
    json_error_t je;
    json_t *env = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    json_t *st = NULL;
    unsigned char *payload = NULL, *sig = NULL;
    size_t plen = 0, slen = 0;
    char want[17];
    slsec_keyid_hex(key->keyid, want);
    if (!env) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, je.line, je.column, "not a JSON envelope: %s", je.text);
        return SLSEC_EPARSE;
    }
    const char *ptype = json_string_value(json_object_get(env, "payloadType"));
    json_t *sigs = json_object_get(env, "signatures");
    if (!ptype || !json_is_array(sigs) || !b64_field(env, "payload", &payload, &plen)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1,
                       "not a DSSE envelope (needs payloadType, base64 payload and signatures)");
        rc = SLSEC_EPARSE;
        goto out;
    }
    if (strcmp(ptype, DSSE_TYPE) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1, "payloadType is '%s', expected '%s'", ptype, DSSE_TYPE);
        rc = SLSEC_EPARSE;
        goto out;
    }
    /* The signature by our key id; without a keyid, any that verifies. */
    size_t i;
    json_t *s;
    bool verified = false, ours = false;
    size_t paelen;
    unsigned char *pae = slsec_dsse_pae(ptype, payload, plen, &paelen);
    json_array_foreach(sigs, i, s)
    {
        const char *kid = json_string_value(json_object_get(s, "keyid"));
        if (kid && *kid && strcmp(kid, want) != 0)
            continue;
        ours = true;
        free(sig);
        sig = NULL;
        if (b64_field(s, "sig", &sig, &slen) && slen == 64 && sign_ed25519_verify(key->pk, pae, paelen, sig)) {
            verified = true;
            break;
        }
    }
    free(pae);
    if (!verified) {
        if (ours)
            slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1,
                           "envelope signature verification failed: the statement was altered or not signed by key %s",
                           want);
        else
            slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1, "no signature by key %s in the envelope", want);
        rc = SLSEC_SIGN_BAD;
        goto out;
    }
    st = json_loadb((const char *)payload, plen, JSON_REJECT_DUPLICATES, &je);
    const char *stype = json_string_value(json_object_get(st, "_type"));
    const char *pred = json_string_value(json_object_get(st, "predicateType"));
    if (!st || !stype || strcmp(stype, STATEMENT_TYPE) != 0 || !pred || strcmp(pred, PROVENANCE_TYPE) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1, "the payload is not an in-toto Statement v1 with SLSA Provenance v1");
        rc = SLSEC_EPARSE;
        goto out;
    }
    char hex[65];
    if ((rc = slsec_sha256_file_hex(file, hex, NULL, d)) != SLSEC_OK)
        goto out;
    json_t *subj;
    bool match = false;
    json_array_foreach(json_object_get(st, "subject"), i, subj)
    {
        const char *h = json_string_value(json_object_get(json_object_get(subj, "digest"), "sha256"));
        if (h && strcmp(h, hex) == 0)
            match = true;
    }
    json_t *p = json_object_get(st, "predicate");
    const char *builder = json_string_value(json_object_get(json_object_get(json_object_get(p, "runDetails"), "builder"), "id"));
    const char *btype = json_string_value(json_object_get(json_object_get(p, "buildDefinition"), "buildType"));
    copy_out(builder_out, builder);
    copy_out(type_out, btype);
    if (!match) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0,
                       "subject digest mismatch: no subject of %s has sha256 %s (the file changed)", att_path, hex);
        rc = SLSEC_SIGN_BAD;
    } else if (e && e->builder_id && (!builder || strcmp(builder, e->builder_id) != 0)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1, "builder id is '%s', expected '%s'", builder ? builder : "",
                       e->builder_id);
        rc = SLSEC_SIGN_BAD;
    } else if (e && e->build_type && (!btype || strcmp(btype, e->build_type) != 0)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, att_path, 1, 1, "build type is '%s', expected '%s'", btype ? btype : "",
                       e->build_type);
        rc = SLSEC_SIGN_BAD;
    }
out:
    free(payload);
    free(sig);
    json_decref(st);
    json_decref(env);
    return rc;
}
