"""``scrapy crawl`` exits with what the run's health and the run lock say.

A tiny spider in a throw-away project (the project's settings, its ``crawl`` command via
``COMMANDS_MODULE``, the health check enabled) crawls a server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from newscrawl.health import EXIT_UNHEALTHY
from newscrawl.state.lock import EXIT_LOCKED, RunLock

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = """
from newscrawl.settings import *  # noqa: F403

SPIDER_MODULES = ["probeproject.spiders"]
EXTENSIONS = {
    **EXTENSIONS,  # noqa: F405
    "newscrawl.extensions.state.RunState": 50,
    "newscrawl.extensions.health.HealthCheck": 500,
    "newscrawl.extensions.manifest.RunManifest": 600,
}
ROBOTSTXT_OBEY = False
RETRY_ENABLED = False
AUTOTHROTTLE_ENABLED = False
DOWNLOAD_DELAY = 0
FEEDS = {}
"""

SPIDER = """
import scrapy


class Probe(scrapy.Spider):
    name = "probe"

    async def start(self):
        yield scrapy.Request(self.url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        self.crawler.stats.inc_value("newscrawl/start_pages/ok")

    def failed(self, failure):
        self.crawler.stats.inc_value("newscrawl/start_pages/failed")
"""


class Portal(BaseHTTPRequestHandler):
    requested: ClassVar[list[str]] = []  # every path asked for, across the module's tests

    def do_GET(self) -> None:
        Portal.requested.append(self.path)
        status = 500 if self.path.startswith("/broken") else 200
        body = b"<html><body><p>Bonjour</p></body></html>"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = probeproject.settings\n")
    package = tmp_path / "probeproject"
    (package / "spiders").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "spiders" / "__init__.py").write_text(SPIDER)
    return tmp_path


def crawl(project: Path, url: str, *settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "probe", "-a", f"url={url}"]
    for setting in settings:
        command += ["-s", setting]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(project)]),
    }
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def last_line(log: str) -> str:
    return log.rstrip().splitlines()[-1]


def manifests(project: Path) -> list[dict]:
    """The manifests of the runs made in ``project``, oldest first."""
    paths = sorted((project / "output" / "probe").glob("*/manifest.json"))
    return [json.loads(path.read_text()) for path in paths]


def test_a_run_whose_start_page_fails_exits_unhealthy_and_says_why(
    project: Path, portal: str
) -> None:
    run = crawl(project, f"{portal}/broken/")
    assert run.returncode == EXIT_UNHEALTHY, run.stderr[-3000:]
    assert "newscrawl: run unhealthy: all 1 start pages failed" in last_line(run.stderr)
    assert "errors dominate: 1 of 1 downloads" in last_line(run.stderr)
    (manifest,) = manifests(project)
    assert (manifest["exit_status"], manifest["healthy"]) == (EXIT_UNHEALTHY, False)
    assert manifest["reasons"][0] == "all 1 start pages failed"
    assert manifest["requests"] == 1


def test_a_healthy_run_exits_0(project: Path, portal: str) -> None:
    run = crawl(project, f"{portal}/ok/")
    assert run.returncode == 0, run.stderr[-3000:]
    assert last_line(run.stderr).endswith("newscrawl: run healthy")


def test_a_run_against_a_locked_state_stops_at_once(
    project: Path, portal: str, tmp_path: Path
) -> None:
    state = tmp_path / "state" / "state.sqlite"
    Portal.requested.clear()
    with RunLock.for_state(state):
        run = crawl(project, f"{portal}/ok/locked", f"NEWSCRAWL_STATE={state}")
    assert run.returncode == EXIT_LOCKED, run.stderr[-3000:]
    assert f"another run holds the state lock {state}.lock (pid {os.getpid()}" in last_line(
        run.stderr
    )
    assert Portal.requested == []  # not one request was made
    assert manifests(project) == []
    # Once the lock is free, the same run goes ahead, and keeps its state.
    run = crawl(project, f"{portal}/ok/", f"NEWSCRAWL_STATE={state}")
    assert run.returncode == 0, run.stderr[-3000:]
    assert state.is_file()
    (manifest,) = manifests(project)
    assert (manifest["exit_status"], manifest["healthy"], manifest["state"]) == (
        0,
        True,
        str(state),
    )
