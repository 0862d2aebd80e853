#!/usr/bin/env bash
#
# test_sign.sh — slsec keygen/sign/verify/attest/verify-attestation from the
# built binary, and interoperability with Debian's minisign both ways: keys
# slsec makes sign files minisign verifies and minisign signs with; keys
# minisign makes (encrypted and -W) sign with slsec; signatures minisign
# makes verify with slsec. Every tampered byte must fail with a message
# naming the check; unusable input exits 2. The Sigstore bundle case runs
# the pinned @sigstore/verify with node (tests/sigstore) when present.
#
# Encrypted keys cost one scrypt of 1 GiB each (minisign's parameters), a
# few seconds: the cases that use them get a longer time bound.
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/sign
W="$TMP/w"
mkdir -p "$W"
printf 'function code\n' >"$W/app.zip"
printf 'secret\n' >"$W/pw"
printf 'wrong\n' >"$W/badpw"
have_minisign=0
command -v minisign >/dev/null 2>&1 && have_minisign=1

# flip FILE LINE COLUMN: changes one character of a text file in place
# (a base64 letter stays a base64 letter, so only the value changes).
flip() {
    "$PY" - "$1" "$2" "$3" <<'PYEOF'
import sys
path, line, col = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = open(path, 'rb').read().split(b'\n')
s = bytearray(lines[line - 1])
s[col - 1] = ord('B') if s[col - 1] != ord('B') else ord('C')
lines[line - 1] = bytes(s)
open(path, 'wb').write(b'\n'.join(lines))
PYEOF
}

case_begin "keygen -W writes a 0600 secret key and a public key"
expect_exit 0 "$SLSEC" keygen -W -p "$W/k.pub" -s "$W/k.key"
expect_eq "$(stat -c %a "$W/k.key")" 600 "secret key mode"
expect_match "$W/k.pub" '^untrusted comment: minisign public key [0-9A-F]{16}$'
expect_exit 2 "$SLSEC" keygen -W -p "$W/k.pub" -s "$W/k.key"
expect_contains "$ERR" "already exists"
case_end

case_begin "sign then verify prints the trusted comment"
expect_exit 0 "$SLSEC" sign "$W/app.zip" -s "$W/k.key" -t "build 42 main@abc123"
expect_file "$W/app.zip.minisig"
expect_exit 0 "$SLSEC" verify "$W/app.zip" -p "$W/k.pub"
expect_contains "$OUT" "Trusted comment: build 42 main@abc123"
expect_exit 0 "$SLSEC" verify "$W/app.zip" -p "$W/k.pub" --format json
expect_eq "$(json_get "$OUT" 'd["verified"]')" true "json verified"
expect_eq "$(json_get "$OUT" 'd["trusted_comment"]')" "build 42 main@abc123" "json trusted comment"
case_end

if [ "$have_minisign" = 1 ]; then
    case_begin "minisign verifies a signature made by slsec"
    expect_exit 0 minisign -V -p "$W/k.pub" -m "$W/app.zip"
    expect_contains "$OUT" "Trusted comment: build 42 main@abc123"
    case_end

    case_begin "slsec signs with a minisign -W key; both verify"
    run minisign -G -W -p "$W/m.pub" -s "$W/m.key"
    expect_exit 0 "$SLSEC" sign "$W/app.zip" -s "$W/m.key" -x "$W/m.sig"
    expect_exit 0 minisign -V -p "$W/m.pub" -m "$W/app.zip" -x "$W/m.sig"
    expect_exit 0 "$SLSEC" verify "$W/app.zip" -p "$W/m.pub" -x "$W/m.sig"
    case_end

    case_begin "slsec verifies a signature made by minisign"
    expect_exit 0 sh -c "minisign -S -s '$W/m.key' -m '$W/app.zip' -x '$W/mm.sig' -t 'made by minisign' </dev/null"
    expect_exit 0 "$SLSEC" verify "$W/app.zip" -P "$(sed -n 2p "$W/m.pub")" -x "$W/mm.sig"
    expect_contains "$OUT" "Trusted comment: made by minisign"
    case_end

    TIMEOUT=120
    case_begin "encrypted keys: slsec's work in minisign, minisign's in slsec"
    expect_exit 0 env SLSEC_PASSWORD=secret "$SLSEC" keygen -p "$W/e.pub" -s "$W/e.key"
    expect_exit 0 sh -c "echo secret | minisign -S -s '$W/e.key' -m '$W/app.zip' -x '$W/e1.sig'"
    expect_exit 0 "$SLSEC" verify "$W/app.zip" -p "$W/e.pub" -x "$W/e1.sig"
    expect_exit 0 sh -c "printf 'secret\nsecret\n' | minisign -G -p '$W/me.pub' -s '$W/me.key'"
    expect_exit 0 "$SLSEC" sign "$W/app.zip" -s "$W/me.key" --password-file "$W/pw" -x "$W/e2.sig"
    expect_exit 0 minisign -V -p "$W/me.pub" -m "$W/app.zip" -x "$W/e2.sig"
    case_end

    case_begin "a wrong password is refused with exit 2"
    expect_exit 2 "$SLSEC" sign "$W/app.zip" -s "$W/me.key" --password-file "$W/badpw" -x "$W/e3.sig"
    expect_contains "$ERR" "wrong password"
    case_end
    TIMEOUT=${SLSEC_TEST_TIMEOUT:-20}
else
    case_skip "interoperability with minisign" "minisign is not installed (scripts/deps.sh installs it)"
fi

case_begin "signatures minisign made (fixtures) verify; legacy only with --legacy"
expect_exit 0 "$SLSEC" verify $FIX/hello.txt -p $FIX/minisign.pub
expect_contains "$OUT" "Trusted comment: fixture made by minisign 0.11"
expect_exit 1 "$SLSEC" verify $FIX/legacy.txt -p $FIX/minisign.pub
expect_contains "$ERR" "--legacy"
expect_exit 0 "$SLSEC" verify $FIX/legacy.txt -p $FIX/minisign.pub --legacy
case_end

# tampered WHAT SETUP MESSAGE: a fresh signature, one change, exit 1 with MESSAGE.
tampered() {
    case_begin "a flipped byte in the $1 fails: $3"
    run "$SLSEC" sign "$W/app.zip" -s "$W/k.key" -t "build 42"
    cp "$W/app.zip" "$W/t.zip"
    cp "$W/app.zip.minisig" "$W/t.zip.minisig"
    eval "$2"
    expect_exit 1 "$SLSEC" verify "$W/t.zip" -p "$W/k.pub"
    expect_contains "$ERR" "$3"
    case_end
}
tampered "file" 'flip "$W/t.zip" 1 3' "signature verification failed"
tampered "signature" 'flip "$W/t.zip.minisig" 2 40' "signature verification failed"
tampered "key id" 'flip "$W/t.zip.minisig" 2 6' "key id mismatch"
tampered "trusted comment" 'flip "$W/t.zip.minisig" 3 20' "trusted comment signature verification failed"
tampered "comment signature" 'flip "$W/t.zip.minisig" 4 10' "trusted comment signature verification failed"

# unusable NAME CONTENT MESSAGE: a bad .minisig gives exit 2 and MESSAGE.
unusable() {
    case_begin "bad signature file ($1): exit 2"
    printf '%b' "$2" >"$W/u.minisig"
    expect_exit 2 "$SLSEC" verify "$W/app.zip" -p "$W/k.pub" -x "$W/u.minisig"
    expect_contains "$ERR" "$3"
    case_end
}
run "$SLSEC" sign "$W/app.zip" -s "$W/k.key" -t "build 42"
L1=$(sed -n 1p "$W/app.zip.minisig")
L2=$(sed -n 2p "$W/app.zip.minisig")
L3=$(sed -n 3p "$W/app.zip.minisig")
L4=$(sed -n 4p "$W/app.zip.minisig")
unusable "two lines" "$L1\n$L2\n" "truncated"
unusable "extra line" "$L1\n$L2\n$L3\n$L4\nmore\n" "extra text"
unusable "wrong base64" "$L1\n${L2%??}!=\n$L3\n$L4\n" "not valid base64"
unusable "short signature" "$L1\nRUQ=\n$L3\n$L4\n" "bytes, expected"
unusable "trusted comment over 8 KB" "$L1\n$L2\ntrusted comment: $(head -c 9000 /dev/zero | tr '\0' a)\n$L4\n" "over 8192 bytes"
unusable "empty" "" "truncated"

case_begin "a key file that is a folder, a missing signature: exit 2"
expect_exit 2 "$SLSEC" verify "$W/app.zip" -p "$W"
expect_contains "$ERR" "folder"
expect_exit 2 "$SLSEC" sign "$W/app.zip" -s "$W"
expect_exit 2 "$SLSEC" verify "$W/app.zip" -p "$W/k.pub" -x "$W/none.minisig"
expect_contains "$ERR" "cannot open"
expect_exit 2 "$SLSEC" verify "$W/app.zip" -P "RWQ-not-a-key"
case_end

case_begin "attest writes a DSSE envelope with SLSA provenance; verify-attestation checks it"
mkdir -p "$W/src"
cp tests/fixtures/sign/hello.txt "$W/src/notes.txt"
printf '{"name":"a","lockfileVersion":3,"packages":{"":{"name":"a"},"node_modules/left-pad":{"version":"1.3.0"}}}\n' >"$W/src/package-lock.json"
expect_exit 0 "$SLSEC" attest "$W/app.zip" -s "$W/k.key" --builder-id https://ci.example/builder \
    --build-type https://ci.example/type --source "$W/src" --param ref=main
expect_file "$W/app.zip.intoto.jsonl"
expect_eq "$(json_get "$W/app.zip.intoto.jsonl" 'd["payloadType"]')" "application/vnd.in-toto+json" "payloadType"
stmt=$("$PY" -c 'import base64,json,sys; d=json.load(open(sys.argv[1])); print(base64.b64decode(d["payload"]).decode())' "$W/app.zip.intoto.jsonl")
printf '%s' "$stmt" >"$W/stmt.json"
expect_eq "$(json_get "$W/stmt.json" 'd["predicateType"]')" "https://slsa.dev/provenance/v1" "predicateType"
expect_eq "$(json_get "$W/stmt.json" 'd["subject"][0]["digest"]["sha256"]')" "$(sha256sum "$W/app.zip" | cut -d' ' -f1)" "subject digest"
expect_contains "$W/stmt.json" "pkg:npm/left-pad@1.3.0"
expect_contains "$W/stmt.json" '"ref":"main"'
expect_exit 0 "$SLSEC" verify-attestation "$W/app.zip" -p "$W/k.pub" --builder-id https://ci.example/builder
expect_contains "$OUT" "Builder: https://ci.example/builder"
case_end

case_begin "verify-attestation: wrong builder, wrong type, changed file, other key each fail with exit 1"
expect_exit 1 "$SLSEC" verify-attestation "$W/app.zip" -p "$W/k.pub" --builder-id https://evil.example
expect_contains "$ERR" "builder id is"
expect_exit 1 "$SLSEC" verify-attestation "$W/app.zip" -p "$W/k.pub" --build-type x
expect_contains "$ERR" "build type is"
cp "$W/app.zip" "$W/c.zip"
printf 'x' >>"$W/c.zip"
expect_exit 1 "$SLSEC" verify-attestation "$W/c.zip" -p "$W/k.pub" -a "$W/app.zip.intoto.jsonl"
expect_contains "$ERR" "subject digest mismatch"
expect_exit 1 "$SLSEC" verify-attestation "$W/app.zip" -p $FIX/minisign.pub
expect_contains "$ERR" "no signature by key"
printf 'not json' >"$W/bad.jsonl"
expect_exit 2 "$SLSEC" verify-attestation "$W/app.zip" -p "$W/k.pub" -a "$W/bad.jsonl"
case_end

case_begin "a 4 GB artifact is streamed: signed and verified"
truncate -s 4294967297 "$W/big.zip"
TIMEOUT=180
expect_exit 0 "$SLSEC" sign "$W/big.zip" -s "$W/k.key" -q
expect_exit 0 "$SLSEC" verify "$W/big.zip" -p "$W/k.pub" -q
TIMEOUT=${SLSEC_TEST_TIMEOUT:-20}
rm -f "$W/big.zip"
case_end

# ---- Sigstore bundles, checked by the reference verifier ------------------------

openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt >"$W/p256.pem"
openssl ec -in "$W/p256.pem" -pubout -out "$W/p256.pub" 2>/dev/null
if ! command -v node >/dev/null 2>&1; then
    case_skip "Sigstore bundles verify with @sigstore/verify" "node is not installed"
elif [ ! -d tests/sigstore/node_modules/@sigstore/verify ]; then
    case_skip "Sigstore bundles verify with @sigstore/verify" "tests/sigstore has no node_modules (run scripts/deps.sh)"
else
    case_begin "sign --sigstore-bundle: @sigstore/verify accepts it, and rejects it for a changed file"
    expect_exit 0 "$SLSEC" sign --sigstore-bundle "$W/app.zip" -k "$W/p256.pem"
    expect_eq "$(json_get "$W/app.zip.sigstore.json" 'd["mediaType"]')" "application/vnd.dev.sigstore.bundle.v0.3+json" "mediaType"
    expect_exit 0 node tests/sigstore/verify.js "$W/app.zip.sigstore.json" "$W/p256.pub" "$W/app.zip"
    expect_contains "$OUT" "verified"
    cp "$W/app.zip" "$W/s.zip"
    printf 'x' >>"$W/s.zip"
    expect_exit 1 node tests/sigstore/verify.js "$W/app.zip.sigstore.json" "$W/p256.pub" "$W/s.zip"
    case_end

    case_begin "attest --sigstore-bundle: a dsseEnvelope bundle @sigstore/verify accepts"
    expect_exit 0 "$SLSEC" attest --sigstore-bundle "$W/app.zip" -k "$W/p256.pem" \
        --builder-id https://ci.example/builder --build-type https://ci.example/type
    expect_exit 0 node tests/sigstore/verify.js "$W/app.zip.intoto.sigstore.json" "$W/p256.pub" "$W/app.zip"
    expect_exit 1 node tests/sigstore/verify.js "$W/app.zip.intoto.sigstore.json" "$W/p256.pub" "$W/s.zip"
    expect_contains "$ERR" "subject"
    case_end
fi

case_begin "sign --sigstore-bundle refuses a key that is not P-256, and a missing -k"
expect_exit 2 "$SLSEC" sign --sigstore-bundle "$W/app.zip" -k "$W/k.key"
expect_contains "$ERR" "P-256"
expect_exit 2 "$SLSEC" sign --sigstore-bundle "$W/app.zip"
case_end

case_begin "every option of the signing commands is in the man page"
sed 's/\\//g' docs/slsec.1 >"$TMP/man.txt"
for cmd in keygen sign verify attest verify-attestation; do
    expect_exit 0 "$SLSEC" "$cmd" --help
    for opt in $(grep -oE -- '--[a-z][a-z-]+' "$OUT" | sort -u); do
        grep -Fq -- "$opt" "$TMP/man.txt" || fail "slsec $cmd $opt is not in docs/slsec.1"
    done
done
case_end

# ---- scan --require-signatures ---------------------------------------------------

mkdir -p "$W/app"
printf 'signed package\n' >"$W/app/fn.zip"
printf 'unsigned package\n' >"$W/app/other.zip"
printf 'tampered package\n' >"$W/app/bad.zip"
cat >"$W/app/template.yaml" <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Signed:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: fn.zip
  Unsigned:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: other.zip
  Tampered:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: bad.zip
  Remote:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/remote.zip
YAML
run "$SLSEC" sign "$W/app/fn.zip" "$W/app/bad.zip" -s "$W/k.key" -q
printf 'x' >>"$W/app/bad.zip"
printf 'artifact\n' >"$W/extra.zip"

case_begin "scan --require-signatures: PIPE-006 for unsigned and bad packages only"
expect_exit 1 "$SLSEC" scan "$W/app" --require-signatures "$W/k.pub" --artifact "$W/extra.zip" \
    --rule PIPE-006 --format json
cp "$OUT" "$TMP/req.json"
expect_eq "$(json_get "$TMP/req.json" 'sorted(f["resource"] or "-" for f in d["findings"] if f["rule_id"] == "PIPE-006")')" \
    '["-", "Tampered", "Unsigned"]' "PIPE-006 resources"
expect_contains "$TMP/req.json" "has no signature"
expect_contains "$TMP/req.json" "signature verification failed"
case_end

case_begin "scan without --require-signatures reports no PIPE-006; a bad key exits 2"
expect_exit 0 "$SLSEC" scan "$W/app" --rule PIPE-006 --format json
expect_eq "$(json_get "$OUT" 'len(d["findings"])')" 0 "findings"
expect_exit 2 "$SLSEC" scan "$W/app" --require-signatures "$W/app/template.yaml"
case_end
