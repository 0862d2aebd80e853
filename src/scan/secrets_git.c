/*
 * secrets_git.c — `--git-history`: every blob reachable from any ref of
 * the repository holding the scanned root, read through libgit2 (no git
 * process), each blob scanned once however many commits hold it.
 *
 * Commits are walked oldest first, so a finding names the first commit
 * that introduced the blob, with its author date and path. Within a commit
 * a subtree already met (same object id) is skipped whole: a 5,000-commit
 * history costs what its changes cost, not 5,000 full trees. `--since REV`
 * hides REV and its ancestors. A secret that is still in the working tree
 * at the same path is reported once, from there (same fingerprint).
 *
 * A root outside any repository, a bad --since or a corrupt object is a
 * warning; the rest of the scan goes on.
 */
#include "secrets_internal.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct history {
    secret_pass *p;
    git_repository *repo;
    slsec_strmap *seen; /* hex object ids of trees and blobs already scanned */
    char where[96];     /* " in commit abc1234 of 2024-05-01" */
    bool broken;
} history;

static bool first_time(history *h, const git_oid *id)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, id);
    if (slsec_strmap_get(h->seen, hex))
        return false;
    slsec_strmap_put(h->seen, slsec_arena_strdup(h->p->r->arena, hex), (void *)1);
    return true;
}

static int on_entry(const char *root, const git_tree_entry *entry, void *payload)
{
    history *h = payload;
    const git_oid *id = git_tree_entry_id(entry);
    git_object_t type = git_tree_entry_type(entry);
    if (type == GIT_OBJECT_TREE)
        return first_time(h, id) ? 0 : 1; /* 1: do not descend */
    if (type != GIT_OBJECT_BLOB || !first_time(h, id))
        return 0;
    git_blob *blob = NULL;
    char *path = slsec_arena_printf(h->p->r->arena, "%s%s", root, git_tree_entry_name(entry));
    if (git_blob_lookup(&blob, h->repo, id) != 0) {
        h->broken = true;
        slsec_diags_addf(&h->p->r->warnings, SLSEC_DIAG_WARNING, path, 0, 0,
                         "git history: cannot read blob: %s", git_error_last() ? git_error_last()->message : "?");
        return 0;
    }
    const char *data = git_blob_rawcontent(blob);
    size_t len = (size_t)git_blob_rawsize(blob);
    h->p->r->git_blobs++;
    if (!git_blob_is_binary(blob) && !secrets_binary(data, len)) {
        secret_hits hits = {0};
        secrets_scan_buffer(NULL, h->p->enabled, data, len, &hits);
        h->p->r->text_bytes += len;
        secrets_report(h->p, path, &hits, h->where);
        secrets_hits_free(&hits);
    }
    git_blob_free(blob);
    return 0;
}

static void warn(slsec_scan_result *r, const char *what)
{
    const git_error *e = git_error_last();
    slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, r->root, 0, 0, "git history: %s%s%s", what,
                     e ? ": " : "", e ? e->message : "");
}

void secrets_scan_git(secret_pass *p)
{
    slsec_scan_result *r = p->r;
    git_libgit2_init();
    history h = {.p = p, .seen = slsec_strmap_new(r->arena)};
    git_revwalk *walk = NULL;
    if (git_repository_open_ext(&h.repo, r->root, 0, NULL) != 0) {
        warn(r, "the scanned folder is not in a git repository");
        goto out;
    }
    if (git_revwalk_new(&walk, h.repo) != 0) {
        warn(r, "cannot walk the history");
        goto out;
    }
    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
    git_revwalk_push_glob(walk, "*");
    git_revwalk_push_head(walk); /* a detached HEAD is on no ref */
    if (p->opts->since) {
        git_object *obj = NULL;
        if (git_revparse_single(&obj, h.repo, p->opts->since) != 0) {
            warn(r, "--since names no revision");
            goto out;
        }
        git_object *commit = NULL;
        if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0)
            git_revwalk_hide(walk, git_object_id(commit));
        git_object_free(commit);
        git_object_free(obj);
    }
    git_oid id;
    int rc;
    while ((rc = git_revwalk_next(&id, walk)) == 0) {
        git_commit *c = NULL;
        git_tree *tree = NULL;
        if (git_commit_lookup(&c, h.repo, &id) != 0 || git_commit_tree(&tree, c) != 0) {
            warn(r, "cannot read a commit");
            git_commit_free(c);
            continue;
        }
        char hex[8];
        git_oid_tostr(hex, sizeof hex, &id);
        time_t when = (time_t)git_commit_author(c)->when.time;
        struct tm tm;
        char date[16] = "?";
        if (gmtime_r(&when, &tm))
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
        snprintf(h.where, sizeof h.where, " (git history: commit %s of %s)", hex, date);
        if (first_time(&h, git_tree_id(tree)))
            git_tree_walk(tree, GIT_TREEWALK_PRE, on_entry, &h);
        git_tree_free(tree);
        git_commit_free(c);
    }
    if (rc != GIT_ITEROVER)
        warn(r, "the history could not be walked to its end");
out:
    git_revwalk_free(walk);
    git_repository_free(h.repo);
    git_libgit2_shutdown();
}
