"""Running the real ``scrapy crawl`` against a replica, and reading what it wrote."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.runs import MANIFEST, REJECTS

ROOT = Path(__file__).resolve().parent.parent

# The only departures from production settings in the end-to-end tests: the replica is
# local, so politeness delays would only make the suite slow.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSCRAWL_RETRY_BACKOFF_BASE": "0.05",
    "NEWSCRAWL_RETRY_BACKOFF_MAX": "0.2",
}


@dataclass
class CrawlRun:
    returncode: int
    log: str
    stories: list[dict[str, Any]] = field(default_factory=list)
    csv_rows: list[dict[str, str]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    manifests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def manifest(self) -> dict[str, Any]:
        """The run's manifest (one run wrote it)."""
        (manifest,) = self.manifests
        return manifest

    @property
    def folder(self) -> Path:
        """The run's own folder (where its manifest is)."""
        (folder,) = {p.parent for p in self.files if p.name == MANIFEST}
        return folder

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {story["url"]: story for story in self.stories}

    def outcomes(self) -> dict[str, str]:
        ended = {story["url"]: "story" for story in self.stories}
        for record in self.rejects:
            ended.setdefault(record["url"], f"{record['outcome']}:{record['reason']}")
        return ended


def crawl_invocation(
    proxy_url: str,
    workdir: Path,
    spider_args: tuple[str, ...] | list[str],
    settings: dict[str, str],
    spider: str = "related",
    options: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a crawl of the replica: production settings but
    ``settings``, the project found through SCRAPY_SETTINGS_MODULE, the replica as proxy."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *options]
    for argument in spider_args:
        command += ["-a", argument]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "PYTHONPATH": str(ROOT),
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        "http_proxy": proxy_url,
        "https_proxy": proxy_url,
    }
    return command, env


def run_crawl(
    proxy_url: str,
    workdir: Path,
    *spider_args: str,
    settings: dict[str, str] | None = None,
    fast: bool = True,
    timeout: float = 300,
    spider: str = "related",
    options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> CrawlRun:
    """``scrapy crawl related`` in a subprocess whose only link to the replica is http_proxy
    (``env``: more of its environment, e.g. TMPDIR)."""
    command, base = crawl_invocation(
        proxy_url,
        workdir,
        spider_args,
        {**(FAST if fast else {}), **(settings or {})},
        spider=spider,
        options=options,
    )
    env = {**base, **(env or {})}
    workdir.mkdir(parents=True, exist_ok=True)
    before = set(workdir.rglob("*"))
    result = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    written = sorted(p for p in set(workdir.rglob("*")) - before if p.is_file())
    run = CrawlRun(result.returncode, result.stderr + result.stdout, files=written)
    for path in written:
        if path.name == REJECTS:
            run.rejects += read_jsonl(path)
        elif path.name == MANIFEST:
            run.manifests.append(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".jsonl":
            run.stories += read_jsonl(path)
        elif path.suffix == ".csv":
            # errors="replace": a run stopped by a full disk may cut its CSV inside a character
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                run.csv_rows += list(csv.DictReader(handle))
    return run


def story_feeds(folder: Path) -> list[Path]:
    """Every JSON lines feed of stories under ``folder``, oldest run first (run folders are
    named by their start time); never a rejects file."""
    return sorted(p for p in folder.rglob("*.jsonl") if p.name != REJECTS)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The whole lines of a JSON lines file: a run killed or stopped by a full disk may leave
    its last line cut, which no reader counts (every whole line ends with a newline)."""
    lines = path.read_bytes().split(b"\n")[:-1]
    return [json.loads(line) for line in lines if line.strip()]


def plain_story_urls(portal: Any) -> list[str]:
    """Story URLs that carry no variation (no duplicate, no fault, no old layout …)."""
    special = {url for urls in portal.variants.values() for url in urls}
    special |= {url for pair in portal.duplicates for url in pair[:2]}
    return [url for url in portal.story_urls() if url not in special]
