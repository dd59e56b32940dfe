"""The story's JSON Schema (``story.schema.json``, shipped in the package) and its validator."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import fastjsonschema
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


@cache
def story_acceptor() -> Any:
    """The schema compiled by fastjsonschema: a function that returns for a valid story and
    raises ``fastjsonschema.JsonSchemaException`` otherwise.

    It only *accepts*: a story it refuses is judged again by :func:`story_validator`, which
    words the rejection (and may accept it: fastjsonschema checks the ``date-time`` format,
    which jsonschema leaves alone). fastjsonschema knows drafts 4 to 7; the schema uses only
    keywords those drafts share with 2020-12 (a test holds it), so it is compiled as draft 7.
    One difference is on purpose: it takes a tuple for an array, as the story's JSON does.
    """
    schema = dict(story_schema(), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    return fastjsonschema.compile(schema)
