/*
 * archive.c — reading the regular files of a .zip/.jar in memory, within
 * the archive limits of limits.h, for every pass that looks inside
 * deployment packages (secrets, lockfiles). Nothing is ever extracted, so
 * an entry named ../../etc/passwd is only a name.
 *
 * Limits: entries per archive, bytes of one entry, bytes of all entries
 * read, and the ratio of bytes read to the archive's size. Past the ratio
 * (or the total) the archive is reported as a zip bomb and not read
 * further; an entry past its limit, or corrupt, is a warning naming
 * "archive.zip!/entry" and the others are still read.
 */
#include "slsec/base.h"
#include "slsec/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *why(struct archive *ar) { return archive_error_string(ar) ? archive_error_string(ar) : "unknown error"; }

void slsec_archive_each(const char *path, const char *shown, slsec_archive_want_fn want,
                        slsec_archive_entry_fn on_entry, void *user, slsec_diags *warnings)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "cannot read the archive");
        return;
    }
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "not a readable zip archive: %s", why(ar));
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
            slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "more than %u entries; the rest were not read",
                             (unsigned)SLSEC_MAX_ARCHIVE_ENTRIES);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (archive_entry_filetype(e) != AE_IFREG || (want && (!name || !want(name, user))))
            continue;
        char entry_name[1024];
        snprintf(entry_name, sizeof entry_name, "%s!/%s", shown, name ? name : "?");
        size_t len = 0;
        bool too_big = false, bomb = false, broken = false;
        for (;;) {
            if (len == cap) {
                if (cap >= SLSEC_MAX_ARCHIVE_ENTRY_BYTES) {
                    too_big = true;
                    break;
                }
                cap = cap ? cap * 2 : 65536;
                char *more = realloc(buf, cap + 1);
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
            slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                             "expands past %u times its size (or 1 GB): a zip bomb? not read further",
                             (unsigned)SLSEC_MAX_ARCHIVE_RATIO);
            break;
        }
        if (broken) {
            slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, entry_name, 0, 0, "corrupt entry: %s", why(ar));
            continue;
        }
        if (too_big) {
            slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, entry_name, 0, 0, "entry larger than %u MB; not read",
                             (unsigned)(SLSEC_MAX_ARCHIVE_ENTRY_BYTES >> 20));
            continue;
        }
        buf[len] = '\0'; /* the +1 of every allocation: readers get a C string */
        on_entry(entry_name, buf, len, user);
    }
    if (rc == ARCHIVE_FATAL)
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "corrupt archive: %s", why(ar));
    free(buf);
    archive_read_free(ar);
}
