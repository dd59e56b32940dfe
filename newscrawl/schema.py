"""The story's JSON Schema (``story.schema.json``, shipped in the package) and its validator."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_FILE = "story.schema.json"


@cache
def story_schema() -> dict[str, Any]:
    """The schema as a dict (cached: read once per process)."""
    schema: dict[str, Any] = json.loads(
        files("newscrawl").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    )
    return schema


@cache
def story_validator() -> Draft202012Validator:
    """A Draft 2020-12 validator with format checking.

    ``published_at``'s offset is enforced by a ``pattern``, since jsonschema checks the
    ``date-time`` format only when an optional package is installed.
    """
    schema = story_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
