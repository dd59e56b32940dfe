"""One crawl's outputs from many workers (or many runs), merged: each URL once.

Pure: reads JSON lines files, yields what to write. A story is kept once per URL (the first
file in path order: run folders are named ``<start time>-<worker>-<unique>``, so the earliest
run first); a rejection or failure is
kept once per URL, and only for a URL no feed holds as a story (a URL that a worker rejected
and another emitted can only come from a worker on another machine reaped without its files,
see README, "Past one machine"). Whole lines only: a cut last line (a SIGKILL) is no story.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REJECTS = (
    "rejects.jsonl"  # a run folder's rejects file (newscrawl.runs); FILE.rejects.jsonl with -o
)


def is_rejects(path: Path) -> bool:
    return path.name == REJECTS or path.name.endswith("." + REJECTS)


@dataclass
class Merged:
    stories: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    feeds: int = 0
    repeated_stories: int = 0  # story lines dropped as a second line of a URL
    repeated_ends: int = 0  # rejection lines dropped (a second end, or the URL is a story)


def output_files(paths: Iterable[str | Path]) -> list[Path]:
    """The JSON lines files under the given folders (or the files themselves), in path order:
    run folders are named by their start time, so the earliest run comes first."""
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found |= {p for p in path.rglob("*.jsonl") if p.is_file()}
        elif path.is_file():
            found.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found)


def whole_lines(path: Path) -> Iterator[dict[str, Any]]:
    for raw in path.read_bytes().split(b"\n")[:-1]:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("url"), str):
            yield record


def merge(files: Iterable[Path]) -> Merged:
    merged = Merged()
    files = list(files)
    stories: dict[str, dict[str, Any]] = {}
    for path in (f for f in files if not is_rejects(f)):
        merged.feeds += 1
        for story in whole_lines(path):
            if story["url"] in stories:
                merged.repeated_stories += 1
            else:
                stories[story["url"]] = story
    ends: dict[str, dict[str, Any]] = {}
    for path in (f for f in files if is_rejects(f)):
        for record in whole_lines(path):
            if record["url"] in stories or record["url"] in ends:
                merged.repeated_ends += 1
            else:
                ends[record["url"]] = record
    merged.stories = list(stories.values())
    merged.rejects = list(ends.values())
    return merged
