#!/usr/bin/python3
"""Validate a SARIF log against the SARIF 2.1.0 JSON schema.

    /usr/bin/python3 tests/cli/sarif_validate.py SCHEMA FILE

Exit status: 0 valid; 1 invalid (each error printed with its JSON path);
2 bad usage or unreadable input; 77 when python3-jsonschema is not
installed (the automake convention for "skipped", which the test runners
of this project honour).

Uses the Debian package python3-jsonschema and picks the validator class
the schema's own "$schema" names (the SARIF 2.1.0 schema is draft-04).
"""
import json
import sys

try:
    import jsonschema
    from jsonschema import validators
except ImportError:
    print("sarif_validate: python3-jsonschema is not installed; skipping", file=sys.stderr)
    sys.exit(77)


def load(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"sarif_validate: cannot read {what} {path}: {e}", file=sys.stderr)
        sys.exit(2)


def where(error):
    path = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return "$" + path


def main(argv):
    if len(argv) != 3:
        print("usage: sarif_validate.py SCHEMA FILE", file=sys.stderr)
        return 2
    schema = load(argv[1], "schema")
    doc = load(argv[2], "SARIF file")

    # validator_for reads the schema's "$schema" (draft-04 for SARIF 2.1.0)
    # and falls back to Draft 4 when the schema names none.
    cls = validators.validator_for(schema, default=jsonschema.Draft4Validator)
    cls.check_schema(schema)
    # Formats ("uri", "date-time") are checked where jsonschema has the
    # optional checkers installed, and ignored otherwise.
    validator = cls(schema, format_checker=getattr(cls, "FORMAT_CHECKER", None))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errors:
        return 0
    for e in errors:
        print(f"{argv[2]}: {where(e)}: {e.message}", file=sys.stderr)
    print(f"{argv[2]}: {len(errors)} schema error(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
