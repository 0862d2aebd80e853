#!/bin/sh
# scripts/lambda-package.sh SLSEC OUT.zip — packs the slsec binary as an AWS
# Lambda custom runtime (provided.al2023, x86_64): bootstrap, bin/slsec and
# every shared library it loads, glibc and its loader included.
#
# Why the loader too: Debian bookworm's glibc (2.36) is newer than
# Amazon Linux 2023's (2.34), so the binary must not use the system's. The
# bootstrap starts bin/slsec through lib/ld-linux-x86-64.so.2 with
# --library-path lib, so nothing from the Lambda image is loaded. A fully
# static build is not possible with Debian's packages (Vectorscan, libcurl
# and OpenSSL ship no static archives for all their dependencies).
# docs/lambda.md shows how to deploy the zip.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: scripts/lambda-package.sh PATH/TO/slsec OUT.zip" >&2
    exit 2
fi
SLSEC=$1
OUT=$2
command -v zip >/dev/null 2>&1 || { echo "lambda-package: zip is not installed (apt-get install zip)" >&2; exit 2; }
[ -x "$SLSEC" ] || { echo "lambda-package: $SLSEC is not an executable" >&2; exit 2; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/slsec-lambda.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/lib"
cp "$SLSEC" "$STAGE/bin/slsec"
strip "$STAGE/bin/slsec" 2>/dev/null || true
# libcurl is opened when first used (src/base/dynlib.c), so ldd of slsec
# does not list it: the runtime posts to the Runtime API with it.
libcurl=$(/sbin/ldconfig -p | awk '$1 == "libcurl.so.4" && /x86-64/ { print $NF; exit }')
[ -n "$libcurl" ] || { echo "lambda-package: libcurl.so.4 not found (apt-get install libcurl4)" >&2; exit 2; }
# every library the dynamic loader resolves for both, and the loader itself
{ echo "$libcurl"; ldd "$SLSEC"; ldd "$libcurl"; } |
    awk '/^\// { print $1 } /=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | sort -u | while read -r lib; do
    cp -L "$lib" "$STAGE/lib/"
done
[ -f "$STAGE/lib/ld-linux-x86-64.so.2" ] || { echo "lambda-package: no ld-linux-x86-64.so.2 found (not x86_64?)" >&2; exit 2; }
cat >"$STAGE/bootstrap" <<'BOOT'
#!/bin/sh
# Lambda custom runtime entry point: slsec with its own libraries.
cd "$LAMBDA_TASK_ROOT" || exit 1
exec ./lib/ld-linux-x86-64.so.2 --library-path ./lib ./bin/slsec lambda-runtime
BOOT
chmod 755 "$STAGE/bootstrap" "$STAGE/bin/slsec"
mkdir -p "$(dirname "$OUT")"
OUT_ABS=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
rm -f "$OUT_ABS"
(cd "$STAGE" && zip -q -r -X "$OUT_ABS" bootstrap bin lib)
echo "lambda-package: $OUT ($(du -k "$OUT_ABS" | cut -f1) KB, $(ls "$STAGE/lib" | wc -l) libraries)"
