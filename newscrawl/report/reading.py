"""What a report reads: a crawl's run folders (manifests, feeds, rejects) and, when given, its
state (runs, feeds and stories tables), gathered into one :class:`Crawl`. Nothing is written.

A path given is a run folder (it holds ``manifest.json``, or at least a feed or a rejects
file: a killed run writes no manifest, and its stories still count), or a folder above run
folders (``output/related``, ``output``): every run folder under it is read. With a state, the
runs its ``runs`` table recorded are added (a run whose folder was not given, or was moved,
still shows in *runs over time*), and so are the feeds its ``feeds`` table names: each
registered feed is read, and the run folder beside it too.

A story emitted by several runs (revisions) counts once, as its last revision; the lines of
every feed are still counted (``story_lines``). Rejections and failures are read from the
rejects files (the record), or from a manifest's counts when its rejects file is gone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.runs import MANIFEST, REJECTS, STORIES_JSONL
from newscrawl.state.store import StateStore, StateStoreError, read_feed


class ReportInputError(ValueError):
    """A path to read that is neither a run folder nor a folder of them; one line."""


@dataclass
class Crawl:
    runs: list[dict[str, Any]] = field(default_factory=list)  # manifests, oldest first
    stories: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> last revision
    story_lines: int = 0
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (outcome, reason)
    feeds: list[Path] = field(default_factory=list)
    missing_feeds: list[Path] = field(default_factory=list)
    state: Path | None = None
    state_counts: dict[str, int] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)  # what was asked for


def read_crawl(paths: Iterable[str | Path], state: str | Path | None = None) -> Crawl:
    crawl = Crawl(sources=[Path(p) for p in paths], state=Path(state) if state else None)
    folders: dict[Path, None] = {}
    for path in crawl.sources:
        folders.update(dict.fromkeys(run_folders(path)))
    runs: dict[str, dict[str, Any]] = {}
    feeds: dict[Path, None] = {}
    rejects: dict[Path, dict[str, Any] | None] = {}
    for folder in folders:
        manifest = _manifest(folder)
        if manifest is not None:
            runs[str(manifest.get("run") or folder.name)] = manifest
            feeds.update(dict.fromkeys(_jsonl_feeds(manifest, folder)))
        elif (folder / STORIES_JSONL).is_file():
            feeds[(folder / STORIES_JSONL).absolute()] = None
        rejects[_rejects_of(manifest, folder)] = manifest
    if crawl.state is not None:
        _read_state(crawl.state, crawl, runs, feeds, rejects)
    crawl.runs = sorted(runs.values(), key=lambda run: (str(run.get("started_at")), run["run"]))
    for feed in feeds:
        if not feed.is_file():
            crawl.missing_feeds.append(feed)
            continue
        crawl.feeds.append(feed)
        for story in read_feed(feed):
            crawl.story_lines += 1
            kept = crawl.stories.get(story["url"])
            if kept is None or int(story.get("revision") or 1) >= int(kept.get("revision") or 1):
                crawl.stories[story["url"]] = story
    for path, manifest in rejects.items():
        _count_outcomes(crawl.outcomes, path, manifest)
    return crawl


def run_folders(path: Path) -> list[Path]:
    """The run folders at or under ``path``, in name order (start time)."""
    if not path.exists():
        raise ReportInputError(f"{path}: no such file or folder")
    if path.is_file():
        raise ReportInputError(f"{path}: give a run folder, or a folder of run folders")
    if _is_run(path):
        return [path.absolute()]
    found = sorted(
        {
            p.parent.absolute()
            for name in (MANIFEST, STORIES_JSONL, REJECTS)
            for p in path.rglob(name)
        }
    )
    if not found:
        raise ReportInputError(f"{path}: no run folder in it (none holds {MANIFEST})")
    return found


def _is_run(folder: Path) -> bool:
    return any((folder / name).is_file() for name in (MANIFEST, STORIES_JSONL, REJECTS))


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    manifest.setdefault("run", folder.name)
    manifest["folder"] = str(folder)
    return manifest


def _jsonl_feeds(manifest: dict[str, Any], folder: Path) -> list[Path]:
    named = [Path(f) for f in manifest.get("feeds") or [] if str(f).endswith(".jsonl")]
    return named or [(folder / STORIES_JSONL).absolute()]


def _rejects_of(manifest: dict[str, Any] | None, folder: Path) -> Path:
    named = (manifest or {}).get("rejects")
    return Path(named) if named else (folder / REJECTS).absolute()


def _read_state(
    path: Path,
    crawl: Crawl,
    runs: dict[str, dict[str, Any]],
    feeds: dict[Path, None],
    rejects: dict[Path, dict[str, Any] | None],
) -> None:
    try:
        store = StateStore.open_read_only(path)
    except StateStoreError as error:
        raise ReportInputError(str(error)) from error
    try:
        try:
            recorded = store.recent_runs()
        except StateStoreError:
            recorded = []  # a state from before the runs table
        for summary in recorded:
            runs.setdefault(str(summary.get("run")), summary)
            folder = Path(str(summary.get("rejects") or "")).parent
            if summary.get("rejects"):
                rejects.setdefault(Path(summary["rejects"]), summary)
            feeds.update(dict.fromkeys(_jsonl_feeds(summary, folder)))
        for feed in store.registered_feeds():
            feeds.setdefault(feed, None)
            beside = feed.parent / REJECTS
            if beside.is_file():
                rejects.setdefault(beside, _manifest(feed.parent))
        crawl.state_counts = store.story_counts()
    except StateStoreError as error:
        raise ReportInputError(str(error)) from error
    finally:
        store.close()


def _count_outcomes(
    counts: Counter[tuple[str, str]], path: Path, manifest: dict[str, Any] | None
) -> None:
    if path.is_file():
        with path.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    continue  # a killed run's cut last line
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("outcome") in ("rejected", "failed"):
                    counts[(record["outcome"], str(record.get("reason")))] += 1
        return
    for kind in ("rejected", "failed"):
        for reason, n in ((manifest or {}).get(kind) or {}).items():
            counts[(kind, reason)] += int(n)
