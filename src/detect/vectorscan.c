/*
 * vectorscan.c — which of Vectorscan's code runs the detector databases,
 * and the platform they are compiled for.
 *
 * Debian's libvectorscan holds its runtime four times, built for core2,
 * corei7, AVX2 and AVX-512, and hs_scan() jumps to the widest the CPU has.
 * The AVX-512 build of 5.4.9 drops matches. Its single-byte search
 * (vermicelli: skip to the next occurrence of one byte, in front of the
 * literal matcher or in a DFA state waiting for that byte) checks the last,
 * partial 64-byte block of a region by loading the region's last 64 bytes
 * but keeping the comparison bits of their first bytes only, so the bytes
 * at the very end are never looked at: a byte in the last 32 bytes of a
 * region of 64 bytes or more is missed at some addresses of the region
 * (which ones: docs/secrets.md, "Engine notes"). Its 16- and 32-byte builds
 * check the whole vector and have no such defect.
 *
 * The library exports the entry points of its AVX2 build (avx2_hs_scan...,
 * the targets of its own dispatcher), and on slsec's databases they run as
 * fast as the AVX-512 ones (bench/RESULTS.md). So where they exist and the
 * CPU has AVX2, every database is compiled for AVX2 and run by that code,
 * on AVX-512 machines and AVX2-only ones alike: the tests exercise the
 * code that runs in production, whichever of the two it is (Lambda's
 * x86_64 hosts do not promise AVX-512), and a database compiled at build
 * time fits every such machine. Elsewhere (a library built otherwise, a CPU
 * older than AVX2), Vectorscan's own choice runs databases compiled for
 * this CPU, as before.
 */
#include "detect_internal.h"

#include <pthread.h>

/* Weak: a library without them leaves them NULL rather than failing to
 * link or load. The prototypes are those of the public functions. */
hs_error_t avx2_hs_deserialize_database(const char *bytes, size_t length, hs_database_t **db) __attribute__((weak));
hs_error_t avx2_hs_scan(const hs_database_t *db, const char *data, unsigned length, unsigned flags,
                        hs_scratch_t *scratch, match_event_handler on_event, void *context) __attribute__((weak));
hs_error_t avx2_hs_open_stream(const hs_database_t *db, unsigned flags, hs_stream_t **stream)
    __attribute__((weak));
hs_error_t avx2_hs_scan_stream(hs_stream_t *id, const char *data, unsigned length, unsigned flags,
                               hs_scratch_t *scratch, match_event_handler on_event, void *context)
    __attribute__((weak));
hs_error_t avx2_hs_close_stream(hs_stream_t *id, hs_scratch_t *scratch, match_event_handler on_event,
                                void *context) __attribute__((weak));

static const hs_platform_info_t avx2_platform = {.tune = HS_TUNE_FAMILY_GENERIC,
                                                 .cpu_features = HS_CPU_FEATURES_AVX2};

static const vs_code avx2_code = {
    .name = "AVX2 (pinned: docs/secrets.md, Engine notes)",
    .platform = &avx2_platform,
    .target = "avx2",
    .deserialize = avx2_hs_deserialize_database,
    .scan = avx2_hs_scan,
    .open_stream = avx2_hs_open_stream,
    .scan_stream = avx2_hs_scan_stream,
    .close_stream = avx2_hs_close_stream,
};

static const vs_code own_code = {
    .name = "Vectorscan's own choice for this CPU",
    .platform = NULL,
    .target = "this CPU",
    .deserialize = hs_deserialize_database,
    .scan = hs_scan,
    .open_stream = hs_open_stream,
    .scan_stream = hs_scan_stream,
    .close_stream = hs_close_stream,
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const vs_code *chosen;

static void choose(void)
{
    bool exported = avx2_code.deserialize && avx2_code.scan && avx2_code.open_stream && avx2_code.scan_stream &&
                    avx2_code.close_stream;
    hs_platform_info_t cpu;
    bool has_avx2 = hs_populate_platform(&cpu) == HS_SUCCESS && (cpu.cpu_features & HS_CPU_FEATURES_AVX2);
    chosen = exported && has_avx2 ? &avx2_code : &own_code;
}

const vs_code *vs_code_running(void)
{
    pthread_once(&once, choose);
    return chosen;
}

const vs_code *vs_code_prebuilt(void) { return &avx2_code; }
