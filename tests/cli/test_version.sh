#!/usr/bin/env bash
#
# test_version.sh — `slsec version` and what --verbose reports: the
# catalogue, the detector table, where its Vectorscan database came from
# and which of Vectorscan's code runs it. The binaries the build makes
# carry the database compiled at build time for Vectorscan's AVX2 code
# (tools/detect-db); where that code runs (any CPU with AVX2), a scan must
# not compile it again.
. "$(dirname "$0")/lib.sh"

case_begin "version prints one line; --verbose adds the catalogue and libraries"
expect_exit 0 "$SLSEC" version
expect_match "$OUT" '^slsec [0-9]+\.[0-9]+\.[0-9]+$'
expect_exit 0 "$SLSEC" version --verbose
expect_match "$OUT" '^rules: [0-9]+$'
expect_match "$OUT" '^IAM action table: [0-9]+ services, [0-9]+ actions'
expect_match "$OUT" '^Vectorscan: [0-9]'
expect_match "$OUT" '^Vectorscan code: (AVX2 \(pinned|Vectorscan.s own choice for this CPU$)'
expect_exit 2 "$SLSEC" version extra
case_end

case_begin "the detector database is the one prebuilt at build time where the AVX2 code runs"
expect_exit 0 "$SLSEC" version --verbose
if grep -q '^Vectorscan code: AVX2' "$OUT"; then
    expect_match "$OUT" '^detectors: [0-9]+ \(Vectorscan database prebuilt at build time\)$'
else
    expect_match "$OUT" '^detectors: [0-9]+ \(Vectorscan database compiled at start-up\)$'
fi
case_end
