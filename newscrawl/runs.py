"""Where a run's files go: the one place where every path of a run is decided.

Each run makes a folder of its own under ``NEWSCRAWL_OUTPUT_DIR`` (default ``output/<spider>``,
relative to the folder the command runs in), named by the run's UTC start time and a random
part: ``2026-12-01T08-39-33Z-3fa9c1``. The folder is made exclusively (``mkdir``, never
``exist_ok``): two runs started in the same second, even on two machines writing to one shared
folder, never share one; a name already taken is drawn again. In it:

- ``stories.jsonl`` and ``stories.csv``: the stories (the default ``FEEDS``; ``-o``/``-O`` send
  them elsewhere);
- ``rejects.jsonl``: every URL met that did not become a story, with its reason;
- ``manifest.json``: what the run did and how it ended;
- ``metrics.prom``: the run's figures in Prometheus's text format (:mod:`newscrawl.metrics`).

So ``output/related/*/stories.jsonl`` is every story of every run and matches nothing else.
Names sort by start time. :func:`run_name` has room for a worker's id (several workers of one
distributed crawl start runs at once).

``FEEDS`` URIs may use ``%(run_folder)s`` (the folder's path), ``%(run)s`` (its name) and
``%(run_time)s`` (its start time, as in the name); ``%(time)s`` and ``%(batch_time)s`` are the
same start time, so every file of a run carries one time.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STORIES_JSONL = "stories.jsonl"
STORIES_CSV = "stories.csv"
REJECTS = "rejects.jsonl"
MANIFEST = "manifest.json"
METRICS = "metrics.prom"  # the run's figures for Prometheus (newscrawl.metrics)

NAME_STAMP = "%Y-%m-%dT%H-%M-%SZ"  # in a file name: no colon, no "+00:00"
ISO_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # in the manifest
UNIQUE_HEX_DIGITS = 6
WORKER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ATTEMPTS = 64
CACHE = "_newscrawl_run"


def started_at_text(moment: datetime) -> str:
    """``2026-12-01T08:39:33Z``: how the manifest says when a run started (or finished)."""
    return moment.astimezone(UTC).strftime(ISO_STAMP)


def run_name(started_at: datetime, unique: str, worker: str | None = None) -> str:
    """``2026-12-01T08-39-33Z-3fa9c1`` (``…Z-<worker>-3fa9c1`` for a worker of a distributed
    crawl): the start time as the manifest's ``started_at`` says it, ``:`` written ``-``."""
    stamp = started_at.astimezone(UTC).strftime(NAME_STAMP)
    if worker is None:
        return f"{stamp}-{unique}"
    if not WORKER_RE.match(worker):
        raise ValueError(f"a worker id must be a short file-name-safe word, not {worker!r}")
    return f"{stamp}-{worker}-{unique}"


@dataclass(frozen=True)
class RunFolder:
    """A run's own folder (made), and the name of each of its files."""

    path: Path
    started_at: datetime

    @classmethod
    def create(
        cls,
        root: str | Path,
        started_at: datetime | None = None,
        worker: str | None = None,
        unique: Any = None,
    ) -> RunFolder:
        """Make the folder exclusively under ``root`` (made if need be). ``unique``: draws the
        random part (tests give a fixed one to see a clash resolved)."""
        started_at = (started_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        draw = unique or (lambda: secrets.token_hex(UNIQUE_HEX_DIGITS // 2))
        root = Path(root).absolute()  # the crawl's folder, whatever the process does later
        root.mkdir(parents=True, exist_ok=True)
        for _ in range(ATTEMPTS):
            path = root / run_name(started_at, draw(), worker)
            try:
                path.mkdir()
            except FileExistsError:
                continue  # another run took this name: draw again
            return cls(path, started_at)
        raise FileExistsError(f"{root}: no free run folder name after {ATTEMPTS} attempts")

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def stamp(self) -> str:
        return self.started_at.strftime(NAME_STAMP)

    @property
    def stories_jsonl(self) -> Path:
        return self.path / STORIES_JSONL

    @property
    def stories_csv(self) -> Path:
        return self.path / STORIES_CSV

    @property
    def rejects(self) -> Path:
        return self.path / REJECTS

    @property
    def manifest(self) -> Path:
        return self.path / MANIFEST

    @property
    def metrics(self) -> Path:
        return self.path / METRICS

    def uri_params(self, spider_name: str) -> dict[str, Any]:
        """What a ``FEEDS`` URI's ``%(…)s`` stand for in this run."""
        return {
            "name": spider_name,
            "run": self.name,
            "run_folder": str(self.path),
            "run_time": self.stamp,
            "time": self.stamp,
            "batch_time": self.stamp,
            "batch_id": 1,
        }


def output_root(template: str, spider_name: str) -> Path:
    """``NEWSCRAWL_OUTPUT_DIR`` for this spider: ``output/%(name)s`` -> ``output/related``."""
    return Path(template.replace("%(name)s", spider_name)).expanduser()


def spider_name_of(crawler: Any) -> str:
    return str(getattr(getattr(crawler, "spider", None), "name", None) or "crawl")


def run_of(crawler: Any) -> RunFolder:
    """This crawl's run folder, made the first time it is asked for (when the spider opens:
    the feed exporter asks first). Raises ``OSError`` if it cannot be made; the caller stops
    the run (:func:`newscrawl.machinery.fail`)."""
    run: RunFolder | None = getattr(crawler, CACHE, None)
    if run is None:
        from newscrawl.config import config_of  # config imports the settings' readers
        from newscrawl.distributed import worker_of_crawler

        name = spider_name_of(crawler)
        root = output_root(config_of(crawler).output_dir, name)
        run = RunFolder.create(root, worker=worker_of_crawler(crawler))
        setattr(crawler, CACHE, run)
    return run


def run_if_made(crawler: Any) -> RunFolder | None:
    """The run folder if this crawl made one (never makes it)."""
    return getattr(crawler, CACHE, None)


def feed_uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """Scrapy's ``FEED_URI_PARAMS``: the run's folder, name and time in every feed URI."""
    params.update(run_of(spider.crawler).uri_params(spider.name))
    return params
