#!/usr/bin/env python3
"""gen-sam-policy-templates.py — SAM's policy templates as slsec's own C table.

Reads SAM's policy template table (aws/serverless-application-model,
samtranslator/policy_templates_data/policy_templates.json, Apache License 2.0)
and writes src/load/sam_policy_templates.c: one slsec_sam_policy_template per
template (include/slsec/load.h), sorted by name for binary search, with the
template's Definition.Statement array as compact JSON, exactly as SAM writes it
(parameter references stay `{"Ref": "<Parameter>"}`, usually inside an
`Fn::Sub` binding; the CloudFormation loader resolves them).

Usage (from anywhere; standard library only):
    python3 scripts/gen-sam-policy-templates.py policy_templates.json
    python3 scripts/gen-sam-policy-templates.py policy_templates.json -o FILE
    python3 scripts/gen-sam-policy-templates.py policy_templates.json --check

--check writes nothing and exits 1 when the file on disk differs from what
would be generated. The output is deterministic: same input, same bytes.
Exit codes: 0 ok, 1 stale (--check), 2 bad input or usage.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile

SCRIPT = "scripts/gen-sam-policy-templates.py"
OUTPUT = os.path.join("src", "load", "sam_policy_templates.c")

# Width of one string piece's contents: with 8 columns of indent and the two
# quotes, a line of the table stays within 100 columns.
PIECE = 88
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class InputError(Exception):
    pass


def no_duplicates(pairs):
    """object_pairs_hook: a repeated key would be silently dropped by json."""
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise InputError("duplicate key %r" % key)
        obj[key] = value
    return obj


def c_escape_byte(b, prev):
    """One byte of a C string literal's contents, as C source text."""
    if b == 0x5C:
        return "\\\\"
    if b == 0x22:
        return '\\"'
    if b == 0x3F and prev == 0x3F:
        return "\\?"  # no trigraphs (they are on under -std=c11)
    if b == 0x0A:
        return "\\n"
    if b == 0x09:
        return "\\t"
    if 0x20 <= b < 0x7F:
        return chr(b)
    # Octal takes at most three digits, so a digit after it cannot extend it
    # (unlike \x, which would swallow every hex digit that follows).
    return "\\%03o" % b


def c_tokens(text):
    data = text.encode("utf-8")
    out = []
    prev = None
    for b in data:
        out.append(c_escape_byte(b, prev))
        prev = b
    return out


def c_string(text):
    """A short C string literal on one line."""
    return '"' + "".join(c_tokens(text)) + '"'


def c_string_pieces(text, width=PIECE):
    """A C string literal split into adjacent pieces of at most `width`
    columns. A piece ends after a ',' if it can (JSON values stay whole), else
    after a ':' or '/' (ARNs break at their separators), else where it must."""
    tokens = c_tokens(text)
    pieces = []
    cur = []
    cur_len = 0
    for tok in tokens:
        if cur_len + len(tok) > width and cur:
            cut = len(cur)
            for seps in ((",",), (":", "/")):
                ends = [i + 1 for i, t in enumerate(cur) if t in seps]
                if ends and ends[-1] > len(cur) // 2:
                    cut = ends[-1]
                    break
            pieces.append("".join(cur[:cut]))
            cur = cur[cut:]
            cur_len = sum(len(t) for t in cur)
        cur.append(tok)
        cur_len += len(tok)
    if cur or not pieces:
        pieces.append("".join(cur))
    return ['"' + p + '"' for p in pieces]


def c_comment(text, width=86):
    """Free text as the lines of a /* */ comment: printable ASCII only, no
    comment terminator, no trigraph."""
    text = "".join(ch if " " <= ch <= "~" else " " for ch in text)
    text = text.replace("*/", "* /").replace("??", "? ?")
    words = text.split()
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = w if not cur else cur + " " + w
    if cur:
        lines.append(cur)
    return lines


def load(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror))
    try:
        doc = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise InputError("%s: %s" % (path, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("Templates"), dict):
        raise InputError("%s: expected an object with a \"Templates\" object" % path)
    templates = []
    notes = []
    for name, tpl in doc["Templates"].items():
        where = "%s: template %s" % (path, name)
        if not name:
            raise InputError("%s: a template without a name" % path)
        if not isinstance(tpl, dict):
            raise InputError("%s: expected an object" % where)
        params = tpl.get("Parameters", {})
        if not isinstance(params, dict):
            raise InputError("%s: Parameters: expected an object" % where)
        for p in params:
            if not p:
                raise InputError("%s: a parameter without a name" % where)
        definition = tpl.get("Definition")
        if not isinstance(definition, dict) or "Statement" not in definition:
            raise InputError("%s: expected Definition.Statement" % where)
        statements = definition["Statement"]
        if isinstance(statements, dict):
            # IAM allows a lone statement; the table promises an array.
            statements = [statements]
            notes.append("%s: a single Statement object, wrapped in an array" % name)
        if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
            raise InputError("%s: Definition.Statement: expected an array of objects" % where)
        extra = sorted(set(definition) - {"Statement"})
        if extra:
            notes.append("%s: Definition keys dropped: %s" % (name, ", ".join(extra)))
        desc = tpl.get("Description", "")
        templates.append({
            "name": name,
            "parameters": list(params),
            "statements": json.dumps(statements, separators=(",", ":"), ensure_ascii=False),
            "description": desc if isinstance(desc, str) else "",
        })
    if not templates:
        raise InputError("%s: no templates" % path)
    # Byte order, the order strcmp() sees.
    templates.sort(key=lambda t: t["name"].encode("utf-8"))
    version = doc.get("Version")
    return templates, hashlib.sha256(raw).hexdigest(), version, notes


def generate(templates, digest, version):
    out = []
    w = out.append
    w("/*\n")
    w(" * sam_policy_templates.c — SAM's policy templates (DynamoDBCrudPolicy, ...).\n")
    w(" *\n")
    w(" * GENERATED FILE, DO NOT EDIT. Generated by %s from\n" % SCRIPT)
    w(" * aws/serverless-application-model's\n")
    w(" * samtranslator/policy_templates_data/policy_templates.json\n")
    w(" * (its \"Version\": %s; SHA-256 of the file read:\n" % (version if isinstance(version, str) else "none"))
    w(" * %s).\n" % digest)
    w(" * Copyright Amazon.com, Inc. or its affiliates; licensed under the Apache\n")
    w(" * License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).\n")
    w(" *\n")
    w(" * To regenerate, from the repository root:\n")
    w(" *     python3 %s path/to/policy_templates.json\n" % SCRIPT)
    w(" * (--check tells whether this file is stale without writing it).\n")
    w(" *\n")
    w(" * statements_json is the template's Definition.Statement array as SAM\n")
    w(" * writes it: parameters are referenced as {\"Ref\": \"<Parameter>\"}, almost\n")
    w(" * always as a binding of an Fn::Sub, e.g.\n")
    w(" *     {\"Fn::Sub\": [\"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}\",\n")
    w(" *                 {\"queueName\": {\"Ref\": \"QueueName\"}}]}\n")
    w(" * The loader binds each Ref to the value the user passed for that\n")
    w(" * parameter and resolves the intrinsics as it does everywhere else.\n")
    w(" */\n")
    w('#include "slsec/load.h"\n')
    w("\n")
    w("#include <stddef.h>\n")
    w("#include <string.h>\n")
    w("\n")

    # Parameter lists.
    used = set()
    idents = []
    for i, t in enumerate(templates):
        ident = "params_" + t["name"] if IDENT.match(t["name"]) else "params_%d" % i
        while ident in used:
            ident += "_"
        used.add(ident)
        idents.append(ident)
        items = [c_string(p) for p in t["parameters"]] + ["NULL"]
        line = "static const char *const %s[] = {%s};" % (ident, ", ".join(items))
        if len(line) > 100:
            line = "static const char *const %s[] = {\n    %s};" % (ident, ", ".join(items))
        w(line + "\n")
    w("\n")

    w("/* Sorted by name (strcmp order) for slsec_sam_policy_template_find(). */\n")
    w("static const slsec_sam_policy_template templates[] = {\n")
    for t, ident in zip(templates, idents):
        lines = c_comment(t["description"])
        if lines:
            if len(lines) == 1:
                w("    /* %s */\n" % lines[0])
            else:
                w("    /* %s\n" % lines[0])
                for line in lines[1:-1]:
                    w("     * %s\n" % line)
                w("     * %s */\n" % lines[-1])
        w("    {%s,\n" % c_string(t["name"]))
        w("     %s,\n" % ident)
        pieces = c_string_pieces(t["statements"])
        for j, piece in enumerate(pieces):
            w("     " + piece + ("},\n" if j == len(pieces) - 1 else "\n"))
    w("};\n")
    w("\n")
    w("""const slsec_sam_policy_template *slsec_sam_policy_template_find(const char *name)
{
    if (!name)
        return NULL;
    size_t lo = 0, hi = sizeof templates / sizeof templates[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(templates[mid].name, name);
        if (c == 0)
            return &templates[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t slsec_sam_policy_template_count(void)
{
    return sizeof templates / sizeof templates[0];
}
""")
    return "".join(out)


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description="Generate %s from SAM's policy_templates.json." % OUTPUT)
    ap.add_argument("input", help="SAM's policy_templates.json")
    ap.add_argument("-o", "--output", default=os.path.join(root, OUTPUT),
                    help="file to write (default: %s in this repository)" % OUTPUT)
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the output file is stale")
    args = ap.parse_args(argv)

    try:
        templates, digest, version, notes = load(args.input)
    except InputError as e:
        print("gen-sam-policy-templates: %s" % e, file=sys.stderr)
        return 2
    for n in notes:
        print("gen-sam-policy-templates: note: %s" % n, file=sys.stderr)
    text = generate(templates, digest, version)
    data = text.encode("utf-8")

    if args.check:
        try:
            with open(args.output, "rb") as f:
                current = f.read()
        except OSError:
            current = None
        if current != data:
            print("gen-sam-policy-templates: %s is stale" % args.output, file=sys.stderr)
            return 1
        return 0

    # Write next to the target, then rename: never a half-written file.
    outdir = os.path.dirname(os.path.abspath(args.output))
    fd, tmp = tempfile.mkstemp(prefix=".sam_policy_templates.", dir=outdir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, args.output)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    print("gen-sam-policy-templates: %d templates -> %s" % (len(templates), args.output), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
