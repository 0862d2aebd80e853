#!/bin/sh
# Installs the Debian packages slsec needs to build and test. Idempotent and
# quiet when everything is already there; needs root (or sudo) otherwise.
set -eu

# Why each is here: README.md, "Dependencies".
packages="build-essential cmake ninja-build pkg-config git time
libfyaml-dev libfyaml-utils libjansson-dev libssl-dev libcmocka-dev
libvectorscan-dev libpcre2-dev libgit2-dev libarchive-dev zlib1g-dev libsqlite3-dev
libcurl4-openssl-dev zip
minisign python3 python3-jsonschema clang libtree-sitter-dev
libevent-dev json-schema-test-suite wrk curl openssl libmodsecurity-dev modsecurity-crs
chromium"

# Node.js and npm run the pinned npm packages (grammars, test peers). A
# machine that already has node (from any source) keeps it.
if ! command -v node >/dev/null 2>&1; then packages="$packages nodejs"; fi
if ! command -v npm >/dev/null 2>&1; then packages="$packages npm"; fi

# Pinned npm packages: each folder listed here holds a package.json and a
# package-lock.json (with integrity hashes); `npm ci` installs exactly those,
# once, into that folder's node_modules. third_party/grammars holds the
# tree-sitter grammars whose C sources the build compiles; its .npmrc says
# ignore-scripts, so no node-gyp build runs there.
npm_folders="tests/sigstore third_party/grammars"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
install_npm_folders() {
    here=$(cd "$(dirname "$0")/.." && pwd)
    for d in $npm_folders; do
        dir="$here/$d"
        [ -f "$dir/package-lock.json" ] || continue
        stamp="$dir/node_modules/.package-lock.json"
        if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
            echo "deps.sh: npm ci in $d" >&2
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        fi
    done
}

if [ -z "$missing" ]; then
    install_npm_folders
    exit 0
fi

echo "deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps.sh: these packages are missing and I am not root:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
install_npm_folders
