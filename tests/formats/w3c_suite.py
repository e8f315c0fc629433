"""A small runner for the W3C Web Annotation test suite's assertions (JSON Schema draft-04).

Each ``.test`` file lists assertion schemas; each schema says ``assertionType`` (must/should/may) and
``expectedResult`` (valid/invalid). ``must_failures(annotation)`` evaluates every MUST assertion of
annotationMusts.test and returns the messages of those that fail.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUITE = Path(__file__).resolve().parent.parent / "data" / "standards" / "web-annotation"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("uri")(_is_uri)
FORMATS.checks("date-time")(_is_datetime)


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SUITE.rglob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(schema, dict) and "id" in schema:
            resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


@cache
def must_assertions() -> list[tuple[str, dict]]:
    test = json.loads((SUITE / "annotations" / "annotationMusts.test").read_text(encoding="utf-8"))
    out = []
    for rel in test["assertions"]:
        schema = json.loads((SUITE / rel).read_text(encoding="utf-8"))
        if schema.get("assertionType", "must") == "must":
            out.append((rel, schema))
    return out


def must_failures(annotation: dict) -> list[str]:
    failures = []
    for rel, schema in must_assertions():
        validator = jsonschema.Draft4Validator(schema, registry=registry(), format_checker=FORMATS)
        valid = validator.is_valid(annotation)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failures.append(f"{rel}: {schema.get('errorMessage', schema.get('title'))}")
    return failures
