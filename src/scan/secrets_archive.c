/*
 * secrets_archive.c — deployment packages and layers (.zip, .jar) scanned
 * for secrets in memory through libarchive; nothing is ever extracted, so
 * an entry named ../../etc/passwd is only a name. Entries are reported as
 * "package.zip!/path/in/zip".
 *
 * Limits (limits.h): entries per archive, bytes of one entry, bytes of all
 * entries, and the ratio of uncompressed to compressed size. Past the
 * ratio the archive is reported as a zip bomb and not read further; past
 * the others a warning says what was left out. A corrupt archive is a
 * warning naming it; the scan goes on. Archives inside archives are not
 * opened (their entries are binary to us).
 */
#include "secrets_internal.h"

#include "slsec/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void secrets_scan_archive(secret_pass *p, const char *path, const char *shown)
{
    slsec_scan_result *r = p->r;
    struct stat st;
    if (stat(path, &st) != 0) {
        slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "cannot read the archive");
        return;
    }
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK) {
        slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "not a readable zip archive: %s",
                         archive_error_string(ar) ? archive_error_string(ar) : "unknown error");
        archive_read_free(ar);
        return;
    }
    uint64_t total = 0, compressed = st.st_size > 0 ? (uint64_t)st.st_size : 1;
    size_t entries = 0, cap = 0;
    char *buf = NULL;
    struct archive_entry *e;
    int rc;
    while ((rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        if (++entries > SLSEC_MAX_ARCHIVE_ENTRIES) {
            slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                             "more than %u entries; the rest were not scanned", (unsigned)SLSEC_MAX_ARCHIVE_ENTRIES);
            break;
        }
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        const char *name = archive_entry_pathname(e);
        char *entry_name = slsec_arena_printf(r->arena, "%s!/%s", shown, name ? name : "?");
        size_t len = 0;
        bool too_big = false, bomb = false, broken = false;
        for (;;) {
            if (len == cap) {
                if (cap >= SLSEC_MAX_ARCHIVE_ENTRY_BYTES) {
                    too_big = true;
                    break;
                }
                cap = cap ? cap * 2 : 65536;
                char *more = realloc(buf, cap);
                if (!more)
                    slsec_oom();
                buf = more;
            }
            la_ssize_t got = archive_read_data(ar, buf + len, cap - len);
            if (got < 0) {
                broken = true;
                break;
            }
            if (got == 0)
                break;
            len += (size_t)got;
            total += (uint64_t)got;
            if (total > SLSEC_MAX_ARCHIVE_BYTES || (total > (1u << 20) && total / compressed > SLSEC_MAX_ARCHIVE_RATIO)) {
                bomb = true;
                break;
            }
        }
        if (bomb) {
            slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                             "expands past %u times its size (or 1 GB): a zip bomb? not read further",
                             (unsigned)SLSEC_MAX_ARCHIVE_RATIO);
            break;
        }
        if (broken) {
            slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, entry_name, 0, 0, "corrupt entry: %s",
                             archive_error_string(ar) ? archive_error_string(ar) : "unknown error");
            continue;
        }
        if (too_big) {
            slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, entry_name, 0, 0,
                             "entry larger than %u MB; not scanned", (unsigned)(SLSEC_MAX_ARCHIVE_ENTRY_BYTES >> 20));
            continue;
        }
        if (secrets_binary(buf, len))
            continue;
        secret_hits h = {0};
        secrets_scan_buffer(NULL, p->enabled, buf, len, &h);
        r->text_bytes += len;
        r->text_files++;
        secrets_report(p, entry_name, &h, NULL);
        secrets_hits_free(&h);
    }
    if (rc == ARCHIVE_FATAL)
        slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "corrupt archive: %s",
                         archive_error_string(ar) ? archive_error_string(ar) : "unknown error");
    free(buf);
    archive_read_free(ar);
}
