#!/usr/bin/env bash
#
# test_secrets.sh — the secret pass of `slsec scan` end to end
# (docs/secrets.md): the accuracy fixtures through the CLI, threads,
# inline suppressions and .slsec.yml allow lists, redaction, fingerprints,
# deployment packages (a zip with ../ names, a zip bomb, a corrupt zip), git
# history, binary and large files, skipped folders.
. "$(dirname "$0")/lib.sh"

FX=tests/fixtures/secrets
GIT="git -c user.email=t@example.test -c user.name=t -c init.defaultBranch=main -c commit.gpgsign=false"

# A GitHub token with a valid checksum, made here so no test file holds one.
ghtoken() {
    "$PY" - <<'PY'
import zlib, random
B = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
R = random.Random(7)
body = "".join(R.choice(B) for _ in range(30))
crc = zlib.crc32(body.encode()); cs = ""
for _ in range(6):
    cs = B[crc % 62] + cs; crc //= 62
print("ghp_" + body + cs)
PY
}
TOKEN=$(ghtoken)
AWSKEY=AKIAQ2D3XYZABCDEFGHT

case_begin "every fixture positive is reported with its rule and line, nothing else"
mkdir -p "$TMP/fx"
for d in "$FX"/SECRET-*; do cp -r "$d" "$TMP/fx/"; done
rm -f "$TMP"/fx/*/expected
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json "$TMP/fx"
cp "$OUT" "$TMP/fx.json"
cat "$FX"/SECRET-*/expected >/dev/null
py_check "$TMP/fx.json" '
import glob, os
want = set()
for e in glob.glob(args[0] + "/SECRET-*/expected"):
    folder = os.path.basename(os.path.dirname(e))
    for line in open(e):
        f, ln, rid = line.split()
        want.add((folder + "/" + f, int(ln), rid))
got = {(x["location"]["file"], x["location"]["line"], x["rule_id"]) for x in d["findings"]}
for m in sorted(want - got): print("missing", m)
for m in sorted(got - want): print("unexpected", m)
if len(want) < 80: print("too few expected positives:", len(want))
' "$FX"
case_end

case_begin "-j 1 and -j 2 report the same findings"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json -j 1 "$TMP/fx"
cp "$OUT" "$TMP/j1.json"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json -j 2 "$TMP/fx"
py_check "$OUT" '
import json
other = json.load(open(args[0]))
key = lambda r: [(x["rule_id"], x["location"]["file"], x["location"]["line"], x["location"]["column"], x["fingerprint"]) for x in r["findings"]]
if key(d) != key(other): print("-j 2 differs from -j 1")
' "$TMP/j1.json"
expect_exit 2 "$SLSEC" scan -j 0 "$TMP/fx"
case_end

mkdir -p "$TMP/app/src" "$TMP/app/node_modules/dep" "$TMP/app/.hidden"
cat >"$TMP/app/src/a.js" <<EOF
const gh = "$TOKEN";
// slsec:ignore SECRET-001 test account, revoked
const aws = "$AWSKEY";
const again = "$TOKEN"; // slsec:ignore SECRET-* fixture
EOF
printf 'copy = "%s"\n' "$TOKEN" >"$TMP/app/src/b.py"
printf 'k = "%s"\n' "$TOKEN" >"$TMP/app/node_modules/dep/index.js"
printf 'k = "%s"\n' "$TOKEN" >"$TMP/app/.hidden/k.txt"
printf 'bin\000k = "%s"\n' "$TOKEN" >"$TMP/app/src/blob.bin"

case_begin "inline suppressions, skipped folders and binaries, one fingerprint per secret"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json --show-suppressed "$TMP/app"
py_check "$OUT" '
got = sorted((x["location"]["file"], x["location"]["line"], x["rule_id"], x["suppressed"]) for x in d["findings"])
want = [("src/a.js", 1, "SECRET-004", False), ("src/a.js", 3, "SECRET-001", True),
        ("src/a.js", 4, "SECRET-004", True), ("src/b.py", 1, "SECRET-004", False)]
if got != want: print("got", got)
fps = {x["fingerprint"] for x in d["findings"] if x["rule_id"] == "SECRET-004"}
if len(fps) != 1: print("one secret, fingerprints", fps)
reasons = [x["suppression"] for x in d["findings"] if x["suppressed"]]
if not any("test account, revoked" in (r or "") for r in reasons): print("reason not kept:", reasons)
'
case_end

case_begin "the secret is never printed whole, in any format"
for f in text json sarif junit markdown; do
    expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f "$f" "$TMP/app"
    expect_not_contains "$OUT" "$TOKEN"
    expect_not_contains "$OUT" "$AWSKEY"
    expect_contains "$OUT" "(40 chars)"
done
case_end

case_begin ".slsec.yml secrets: allow_paths, allow_regexes, allow_fingerprints"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json "$TMP/app"
fp=$(json_get "$OUT" 'd["findings"][0]["fingerprint"]')
printf 'secrets:\n  allow_fingerprints: ["%s"]\n' "$fp" >"$TMP/app/.slsec.yml"
expect_exit 0 "$SLSEC" scan --rule 'SECRET-*' -f json "$TMP/app"
printf 'secrets:\n  allow_regexes: ["^ghp_"]\n' >"$TMP/app/.slsec.yml"
expect_exit 0 "$SLSEC" scan --rule 'SECRET-*' -f json "$TMP/app"
printf 'secrets:\n  allow_paths: ["src/**"]\n' >"$TMP/app/.slsec.yml"
expect_exit 0 "$SLSEC" scan --rule 'SECRET-*' -f json "$TMP/app"
printf 'secrets:\n  allow_regexes:\n    - "ghp_("\n' >"$TMP/app/.slsec.yml"
expect_exit 2 "$SLSEC" scan --rule 'SECRET-*' "$TMP/app"
expect_match "$ERR" '\.slsec\.yml:3:8: secrets\.allow_regexes'
rm -f "$TMP/app/.slsec.yml"
case_end

case_begin "--no-secrets turns the pass off; --since needs --git-history"
expect_exit 0 "$SLSEC" scan --no-config --no-secrets -f json "$TMP/app"
expect_not_contains "$OUT" "SECRET-"
expect_exit 2 "$SLSEC" scan --since HEAD "$TMP/app"
case_end

case_begin "deployment packages: entries named pkg.zip!/path, ../ names never written, bombs and corrupt zips are warnings"
mkdir -p "$TMP/pk/out"
"$PY" - "$TMP/pk" "$TOKEN" <<'PY'
import sys, zipfile
d, tok = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(d + "/out/pkg.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("lib/conf.py", "X = 1\nTOKEN = '%s'\n" % tok)
    z.writestr("../../escape.txt", "k = '%s'\n" % tok)
with zipfile.ZipFile(d + "/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("zeros.txt", b"0" * (64 << 20))
open(d + "/corrupt.zip", "wb").write(b"PK\x03\x04" + b"\x00garbage" * 64)
PY
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json --artifact "$TMP/pk/bomb.zip" --artifact "$TMP/pk/corrupt.zip" "$TMP/pk/out"
py_check "$OUT" '
got = sorted((x["location"]["file"], x["location"]["line"]) for x in d["findings"])
if got != [("pkg.zip!/../../escape.txt", 1), ("pkg.zip!/lib/conf.py", 2)]: print("got", got)
w = " ".join(x["file"] + ": " + x["message"] for x in d["summary"]["warnings"])
if "bomb.zip" not in w or "zip bomb" not in w: print("no zip bomb warning:", w)
if "corrupt.zip" not in w: print("no corrupt zip warning:", w)
'
[ ! -e "$TMP/escape.txt" ] && [ ! -e "$TMP/pk/escape.txt" ] || fail "an archive entry was written"
case_end

if ! command -v git >/dev/null; then
    case_skip "--git-history" "git is not installed"
else
case_begin "--git-history finds a secret deleted from the tree, once, naming its commit; --since hides it"
mkdir -p "$TMP/repo"
(
    cd "$TMP/repo" && $GIT init -q . && echo "x = 1" >a.py && $GIT add -A && $GIT commit -qm one &&
        printf 'old = "%s"\n' "$AWSKEY" >old.py && $GIT add -A && $GIT commit -qm two &&
        printf '# a copy\nold = "%s"\n' "$AWSKEY" >copy.py && $GIT add -A && $GIT commit -qm three &&
        $GIT rm -q old.py copy.py && $GIT commit -qm four && echo "y = 2" >b.py && $GIT add -A && $GIT commit -qm five
) >/dev/null 2>&1 || fail "could not build the repository"
expect_exit 0 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json "$TMP/repo"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json --git-history "$TMP/repo"
two=$(cd "$TMP/repo" && git rev-parse --short=7 HEAD~3)
py_check "$OUT" '
got = sorted((x["location"]["file"], x["rule_id"]) for x in d["findings"])
if got != [("copy.py", "SECRET-001"), ("old.py", "SECRET-001")]: print("got", got)
m = [x["message"] for x in d["findings"] if x["location"]["file"] == "old.py"]
if not m or ("commit " + args[0]) not in m[0]: print("old.py not tied to commit", args[0], m)
if len({x["fingerprint"] for x in d["findings"]}) != 1: print("one secret, several fingerprints")
' "$two"
expect_exit 0 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json --git-history --since HEAD~1 "$TMP/repo"
expect_exit 0 "$SLSEC" scan --no-config --rule 'SECRET-*' --git-history --since no-such-rev "$TMP/repo"
expect_contains "$ERR" "--since names no revision"
case_end

case_begin "files git ignores are not scanned for secrets"
printf 'dist/\n' >"$TMP/repo/.gitignore"
mkdir -p "$TMP/repo/dist" && printf 'k = "%s"\n' "$TOKEN" >"$TMP/repo/dist/bundle.js"
expect_exit 0 "$SLSEC" scan --no-config --rule 'SECRET-*' "$TMP/repo"
printf 'k = "%s"\n' "$TOKEN" >"$TMP/repo/kept.js"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' "$TMP/repo"
case_end
fi

case_begin "a corrupt git repository is a warning; the files are still scanned"
mkdir -p "$TMP/broken/.git"
echo "garbage" >"$TMP/broken/.git/HEAD"
printf 'k = "%s"\n' "$TOKEN" >"$TMP/broken/k.py"
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json --git-history "$TMP/broken"
expect_contains "$OUT" "SECRET-004"
expect_contains "$ERR" "git history"
case_end

case_begin "a file over 64 MB is streamed; a secret at its end is found at the right line"
mkdir -p "$TMP/big"
"$PY" - "$TMP/big/huge.log" "$TOKEN" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    line = "INFO request handled in 12 ms path=/orders id=42 status=200 ok\n"
    f.write(line * (70 * 1024 * 1024 // len(line)))
    f.write("token=%s\n" % sys.argv[2])
PY
lines=$(wc -l <"$TMP/big/huge.log")
expect_exit 1 "$SLSEC" scan --no-config --rule 'SECRET-*' -f json "$TMP/big"
py_check "$OUT" '
got = [(x["location"]["file"], x["location"]["line"], x["location"]["column"]) for x in d["findings"]]
if got != [("huge.log", int(args[0]), 7)]: print("got", got)
' "$lines"
rm -rf "$TMP/big"
case_end
