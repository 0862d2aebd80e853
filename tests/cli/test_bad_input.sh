#!/usr/bin/env bash
#
# test_bad_input.sh — hostile and broken inputs (the issue's "Bad input").
#
# Each bad input is tried twice:
#   alone   — the only path given: exit 2 (nothing could be scanned) unless it
#             is legitimately scannable (an unknown resource type: 0 or 1),
#             with a message naming the file, and file:line:col for parse
#             errors;
#   mixed   — in a folder next to a good template: the good one is still
#             scanned (its findings are in the report, exit 1 since it has a
#             high finding) and, for inputs that look like templates but
#             cannot be used, a warning names the bad file.
# Always: no crash (signal, exit >= 128, sanitizer report) and no hang
# (every command runs under `timeout`; see lib.sh).
#
# Small inputs are committed in tests/fixtures/bad/; big ones (200 MB,
# 100k-deep nesting), links and unreadable files are made here, in a
# scratch folder, at test time.
. "$(dirname "$0")/lib.sh"

BAD=tests/fixtures/bad
GEN="$TMP/gen"
mkdir -p "$GEN"

# A good template with a known high finding (a wildcard policy), so that a
# scan that still reads it exits 1 and lists a finding in good.yaml.
write_good() {
    cat >"$1/good.yaml" <<'EOF'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OpsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
EOF
}

# ---- generated inputs ----------------------------------------------------------

# 100,000 '[' with nothing else, and the same inside a real template (so that
# a folder walk takes it for a template and parses it).
"$PY" -c 'import sys; sys.stdout.write("[" * 100000)' >"$GEN/deep.yaml"
"$PY" -c '
import sys
sys.stdout.write("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  B:\n"
                 "    Type: AWS::S3::Bucket\n    Properties:\n      Tags: " + "[" * 100000 + "\n")
' >"$GEN/deep-template.yaml"
# Every byte value, 64 times: a binary file that only its name calls a template.
mkdir -p "$GEN/binary"
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)' >"$GEN/binary/template.yaml"
# 200 MB of zeros, sparse: costs no disk, and must cost no memory either.
mkdir -p "$GEN/big"
truncate -s 200M "$GEN/big/template.yaml"
# Two links pointing at each other.
ln -s loop-b.yaml "$GEN/loop-a.yaml"
ln -s loop-a.yaml "$GEN/loop-b.yaml"

# ---- the table ---------------------------------------------------------------
#
# name | path | alone exit | what the alone message must match (ERE) | warn when mixed
# The path is copied (links kept as links) into the folder of the mixed case.

cases() {
    cat <<EOF
malformed YAML|$BAD/malformed.yaml|2|malformed\.yaml:[0-9]+:[0-9]+|yes
malformed JSON|$BAD/malformed.json|2|malformed\.json:[0-9]+:[0-9]+|yes
Resources is a list|$BAD/resources-list.yaml|2|resources-list\.yaml:[0-9]+:[0-9]+|yes
alias bomb (billion laughs)|$BAD/alias-bomb.yaml|2|alias-bomb\.yaml:[0-9]+:[0-9]+|yes
invalid UTF-8|$BAD/invalid-utf8.yaml|2|invalid-utf8\.yaml:[0-9]+:[0-9]+|yes
invalid UTF-8 in a directive (libfyaml 0.7.12 loops)|$BAD/directive-invalid-utf8.yaml|2|directive-invalid-utf8\.yaml:[0-9]+:[0-9]+|yes
100k nested '['|$GEN/deep.yaml|2|deep\.yaml:[0-9]+:[0-9]+|no
100k nested '[' in a template|$GEN/deep-template.yaml|2|deep-template\.yaml:[0-9]+:[0-9]+|yes
200 MB sparse template.yaml|$GEN/big/template.yaml|2|template\.yaml|yes
symbolic link loop|$GEN/loop-a.yaml|2|loop-a\.yaml|yes
empty file|$BAD/empty.yaml|2|empty\.yaml|no
binary file named template.yaml|$GEN/binary/template.yaml|2|template\.yaml|no
unknown resource type|$BAD/unknown-type.yaml|0|.|no
EOF
}

n=0
while IFS='|' read -r name path alone_rc pattern warn; do
    n=$((n + 1))

    case_begin "bad input alone: $name (exit $alone_rc, no crash, no hang)"
    expect_exit "$alone_rc" "$SLSEC" scan "$path" --format json
    if [ "$alone_rc" = 2 ]; then
        expect_match "$ERR" "$pattern"
    fi
    case_end

    case_begin "bad input mixed with a good template: $name"
    dir="$TMP/mixed-$n"
    mkdir -p "$dir"
    write_good "$dir"
    cp -P "$path" "$dir/"
    case "$path" in # the other half of the loop
    *loop-a.yaml) cp -P "$GEN/loop-b.yaml" "$dir/" ;;
    esac
    expect_exit 1 "$SLSEC" scan "$dir" --format json
    if [ "$RC" = 1 ]; then
        cp "$OUT" "$TMP/mixed.json"
        py_check "$TMP/mixed.json" '
if not any(f["location"]["file"] == "good.yaml" and f["rule_id"].startswith("IAM-")
           for f in d["findings"]):
    print("the good template next to the bad input was not scanned (no IAM finding in good.yaml)")
'
    fi
    if [ "$warn" = yes ]; then
        expect_match "$ERR" "$(basename "$path" | sed 's/\./\\./g')"
        if ! grep -qi 'warn' "$ERR"; then
            fail "no warning on stderr for $(basename "$path")"
            note_file "$ERR"
        fi
    fi
    case_end
done <<EOF
$(cases)
EOF

# ---- details of some of them ------------------------------------------------------

case_begin "an unknown resource type is scanned and counted"
expect_exit "0|1" "$SLSEC" scan "$BAD/unknown-type.yaml" --format json
cp "$OUT" "$TMP/unknown.json"
py_check "$TMP/unknown.json" '
s = d["summary"]
if s.get("templates") != 1:
    print("summary.templates is %r, expected 1" % s.get("templates"))
if not s.get("unknown_resources"):
    print("summary.unknown_resources is %r: the unknown types were not counted" % s.get("unknown_resources"))
'
case_end

# Valid YAML that stresses the parser's corners. A single-quoted scalar
# with many '' escapes is where libfyaml 0.7.12 leaks the scalar's text
# (found by fuzz_template; `a: ''''''''''''''` is enough): the
# ASan build must report no leak on a template that is perfectly valid.
case_begin "valid template with quoted scalars full of escapes: scanned, no leak"
cat >"$TMP/escapes.yaml" <<'EOF2'
AWSTemplateFormatVersion: "2010-09-09"
Description: 'it''s the ''orders'' service: '''''''''''''''''''' end'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: 'q''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''1'
      Tags:
        - Key: "double \"quoted\" \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\" \u00e9\x41\t"
          Value: |
            a literal block
            with two lines
        - Key: folded
          Value: >-
            a folded
            block
EOF2
expect_exit "0|1" "$SLSEC" scan "$TMP/escapes.yaml" --format json
case_end

case_begin "parse errors say what was expected, on stderr, with nothing on stdout"
expect_exit 2 "$SLSEC" scan "$BAD/malformed.yaml"
expect_empty "$OUT"
expect_match "$ERR" 'malformed\.yaml:[0-9]+:[0-9]+: .{10,}'
case_end

case_begin "the 200 MB file is refused before it is read (peak memory stays small)"
# Not a timing assertion: memory. Reading 200 MB would show in the RSS.
if [ ! -x /usr/bin/time ]; then
    fail "/usr/bin/time missing (Debian package time)"
else
    expect_exit 2 /usr/bin/time -f 'maxrss_kb=%M' -o "$TMP/rss" "$SLSEC" scan "$GEN/big/template.yaml"
    rss=$(sed -n 's/^maxrss_kb=//p' "$TMP/rss")
    if [ -z "$rss" ] || [ "$rss" -gt 100000 ]; then
        fail "peak RSS ${rss:-?} KB scanning a 200 MB file: was it read whole?"
    fi
fi
case_end

if [ "$(id -u)" -eq 0 ]; then
    case_skip "unreadable file (chmod 000)" \
        "running as root, where chmod 000 does not stop reading"
else
    case_begin "unreadable file (chmod 000) alone: exit 2 naming it"
    write_good "$GEN"
    mv "$GEN/good.yaml" "$GEN/unreadable.yaml"
    chmod 000 "$GEN/unreadable.yaml"
    expect_exit 2 "$SLSEC" scan "$GEN/unreadable.yaml"
    expect_contains "$ERR" "unreadable.yaml"
    case_end

    case_begin "unreadable file mixed with a good template: warning, good one scanned"
    dir="$TMP/mixed-unreadable"
    mkdir -p "$dir"
    write_good "$dir"
    cp "$dir/good.yaml" "$dir/secret.yaml"
    chmod 000 "$dir/secret.yaml"
    expect_exit 1 "$SLSEC" scan "$dir"
    expect_contains "$ERR" "secret.yaml"
    expect_contains "$OUT" "good.yaml"
    case_end
fi

case_begin "a link to a template outside the scanned folder is not followed"
mkdir -p "$TMP/outside" "$TMP/inside"
cat >"$TMP/outside/template.yaml" <<'EOF'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OutsideBucket:
    Type: AWS::S3::Bucket
EOF
write_good "$TMP/inside"
ln -s "$TMP/outside/template.yaml" "$TMP/inside/escape.yaml"
expect_exit 1 "$SLSEC" scan "$TMP/inside" --format json
cp "$OUT" "$TMP/inside.json"
py_check "$TMP/inside.json" '
for f in d["findings"]:
    if f["resource"] == "OutsideBucket" or f["location"]["file"] != "good.yaml":
        print("finding from outside the scanned folder: %s %s %s" % (f["rule_id"], f["resource"], f["location"]["file"]))
'
case_end

case_begin "a link loop to a folder does not make the walk cycle"
mkdir -p "$TMP/selfloop/sub"
write_good "$TMP/selfloop/sub"
ln -s .. "$TMP/selfloop/sub/up"
ln -s . "$TMP/selfloop/here"
expect_exit 1 "$SLSEC" scan "$TMP/selfloop" --format json
cp "$OUT" "$TMP/selfloop.json"
py_check "$TMP/selfloop.json" '
files = sorted({f["location"]["file"] for f in d["findings"]})
if files != ["sub/good.yaml"]:
    print("expected findings only in sub/good.yaml, got %s" % files)
'
case_end
