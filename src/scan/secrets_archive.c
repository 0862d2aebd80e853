/*
 * secrets_archive.c — deployment packages and layers (.zip, .jar) scanned
 * for secrets in memory (slsec_archive_each, src/base/archive.c); nothing
 * is ever extracted, so an entry named ../../etc/passwd is only a name.
 * Entries are reported as "package.zip!/path/in/zip".
 *
 * The archive limits (entries, entry and total size, zip-bomb ratio) are
 * archive.c's. Archives inside archives are not opened (their entries are
 * binary to us).
 */
#include "secrets_internal.h"

static void scan_entry(const char *entry_name, const char *data, size_t len, void *user)
{
    secret_pass *p = user;
    if (secrets_binary(data, len))
        return;
    secret_hits h = {0};
    secrets_scan_buffer(NULL, p->enabled, data, len, &h);
    p->r->text_bytes += len;
    p->r->text_files++;
    secrets_report(p, slsec_arena_strdup(p->r->arena, entry_name), &h, NULL);
    secrets_hits_free(&h);
}

void secrets_scan_archive(secret_pass *p, const char *path, const char *shown)
{
    slsec_archive_each(path, shown, NULL, scan_entry, p, &p->r->warnings);
}
