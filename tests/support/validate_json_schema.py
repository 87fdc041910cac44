"""Validates one JSON document against a JSON Schema with python3-jsonschema (Debian package).

usage: validate_json_schema.py SCHEMA INSTANCE [--ref SCHEMA ...]

Each --ref schema is registered under its own $id (or draft-04 "id"), so a schema that refers to
others by URL (CycloneDX's bom-1.6 -> spdx.schema.json, jsf-0.82.schema.json) resolves them from
disk, never from the network. Formats are checked where jsonschema has a checker for them.
Exit status: 0 valid, 1 invalid (the errors on stdout), 2 bad arguments or unreadable files,
3 python3-jsonschema is not installed.
"""
import argparse
import json
import sys
import warnings

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed")
    sys.exit(3)


def schema_id(schema):
    return schema.get("$id") or schema.get("id") or ""


def offline(uri):
    raise ValueError(f"refusing to fetch {uri}: register it with --ref")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("instance")
    parser.add_argument("--ref", action="append", default=[])
    args = parser.parse_args()
    try:
        with open(args.schema, encoding="utf-8") as handle:
            schema = json.load(handle)
        with open(args.instance, encoding="utf-8") as handle:
            instance = json.load(handle)
        store = {}
        for path in args.ref:
            with open(path, encoding="utf-8") as handle:
                extra = json.load(handle)
            store[schema_id(extra).rstrip("#")] = extra
    except (OSError, ValueError) as error:
        print(f"cannot load: {error}")
        return 2

    try:
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
        id_of = getattr(validator_class, "ID_OF", schema_id)
        store[schema_id(schema).rstrip("#")] = schema
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            resolver = jsonschema.RefResolver.from_schema(
                schema, id_of=id_of, store=store,
                handlers={"http": offline, "https": offline})
            validator = validator_class(schema, resolver=resolver,
                                        format_checker=jsonschema.FormatChecker())
            errors = sorted(validator.iter_errors(instance),
                            key=lambda e: [str(part) for part in e.absolute_path])
    except Exception as error:  # a broken schema or an unresolvable $ref is no verdict
        print(f"validator failed: {type(error).__name__}: {error}")
        return 2
    for error in errors[:20]:
        path = "/".join(str(part) for part in error.absolute_path) or "(root)"
        print(f"{path}: {error.message[:300]}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
