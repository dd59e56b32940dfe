"""Every ending says what it was: Ctrl-C and SIGTERM are no success, and a killed run leaves
nothing behind outside its own folder.

A slow crawl (one request at a time) of a small replica is stopped by a signal while it runs.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newscrawl.replica import ReplicaServer
from tests.crawl import FAST, crawl_invocation, read_jsonl

pytestmark = pytest.mark.e2e

SLOW = {**FAST, "CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.2"}


def stopped_by(
    sig: signal.Signals, server: ReplicaServer, workdir: Path, **settings: str
) -> tuple[subprocess.Popen, str]:
    """A crawl of the whole replica, sent ``sig`` once it has fetched a few story pages."""
    workdir.mkdir(parents=True, exist_ok=True)
    command, env = crawl_invocation(
        server.proxy_url, workdir, ("max_depth=20",), {**SLOW, **settings}
    )
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    while sum("/n3/" in r.url for r in server.requests) < 3:
        assert process.poll() is None, "the crawl ended before the signal"
        time.sleep(0.02)
    process.send_signal(sig)
    _, log = process.communicate(timeout=120)
    return process, log


def manifest_of(workdir: Path) -> dict:
    (path,) = (workdir / "output" / "related").glob("*/manifest.json")
    return json.loads(path.read_text())


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_exits_with_its_own_status_and_says_interrupted(
    replica_of, tmp_path: Path, sig: signal.Signals, status: int
) -> None:
    server = replica_of(stories=60)
    process, log = stopped_by(sig, server, tmp_path)
    assert process.returncode == status, log[-3000:]
    last = log.rstrip().splitlines()[-1]
    assert f"newscrawl: run interrupted by {sig.name} (exit status {status}):" in last
    manifest = manifest_of(tmp_path)
    assert (manifest["ending"], manifest["exit_status"]) == ("interrupted", status)
    (rejects,) = (tmp_path / "output" / "related").glob("*/rejects.jsonl")
    left = [r for r in read_jsonl(rejects) if r["reason"] == "not_fetched"]
    assert left and f"{len(left)} story URLs were not fetched" in last
    assert all(r["details"] == {"close_reason": "shutdown"} for r in left)


def test_a_killed_run_leaves_no_file_of_scrapys_remote_control(replica_of, tmp_path: Path) -> None:
    """Scrapy 2.19's remote control would write its port and token under
    ~/.local/state/scrapy/job_files/ and remove it at a clean exit only; it is off."""
    server = replica_of(stories=60)
    process, log = stopped_by(signal.SIGKILL, server, tmp_path)
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / ".local").exists()  # HOME is the crawl's folder
    assert "RemoteControl" not in log and "remote control" not in log.lower()
