"""The RunState extension: the state a crawler sees, reconciled before the first request."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.config import NewscrawlConfig
from newscrawl.extensions.state import RunState
from newscrawl.runs import run_of
from newscrawl.setting import SettingError
from newscrawl.state.lock import lock_path_for
from newscrawl.state.sketch import story_fingerprint
from newscrawl.state.store import StateStore

URL = "http://french.peopledaily.com.cn/International/n3/2026/1127/c31356-"


def crawler_with(**settings: Any):
    return get_crawler(settings_dict=settings)


def test_without_a_state_the_extension_is_off() -> None:
    with pytest.raises(NotConfigured):
        RunState.from_crawler(crawler_with())


def test_a_negative_refresh_window_is_refused(tmp_path: Path) -> None:
    settings = crawler_with(NEWSCRAWL_STATE=str(tmp_path / "s"), NEWSCRAWL_REFRESH_HOURS=-1)
    with pytest.raises(SettingError, match="NEWSCRAWL_REFRESH_HOURS=-1: must be at least 0"):
        NewscrawlConfig.from_settings(settings.settings)


def test_the_state_is_reconciled_with_earlier_feeds_when_the_crawler_is_built(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite"
    feed = tmp_path / "output" / "run1.jsonl"
    feed.parent.mkdir()
    # Run 1 registered its feed, wrote two stories, and was killed before recording them.
    with StateStore.open(path) as store:
        store.register_feed(feed, datetime(2026, 11, 27, tzinfo=UTC))
    feed.write_text(
        "".join(
            json.dumps({"url": f"{URL}{n}.html", "body": f"texte {n}", "revision": 1}) + "\n"
            for n in (1, 2)
        )
    )
    state = RunState.from_crawler(
        crawler_with(NEWSCRAWL_STATE=str(path), NEWSCRAWL_REFRESH_HOURS="0")
    )
    try:
        assert state.reconciled == 2
        fingerprint = story_fingerprint({"body": "texte 1"})
        assert state.store.classify(f"{URL}1.html", fingerprint)[0] == "unchanged"
        assert not state.should_fetch(f"{URL}2.html")  # stored, and no refresh window
        assert state.should_fetch(f"{URL}3.html")
        assert f'"pid": {os.getpid()}' in lock_path_for(path).read_text()
    finally:
        state.engine_stopped()
    assert lock_path_for(path).read_text() == ""  # released: the holder's line is gone


def test_this_runs_feed_is_registered_when_the_spider_opens_and_read_back_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "state.sqlite"
    feeds = {
        "out/%(name)s/%(run)s.jsonl": {"format": "jsonlines"},
        "out/%(name)s/%(run)s.csv": {"format": "csv"},
        "s3://bucket/%(name)s.jsonl": {"format": "jsonlines"},
    }
    crawler = crawler_with(NEWSCRAWL_STATE=str(path), FEEDS=feeds)
    state = RunState.from_crawler(crawler)
    spider = type("Spider", (), {"name": "related"})()
    crawler.spider = spider
    state.spider_opened(spider)
    run = run_of(crawler)
    feed = tmp_path / "out" / "related" / f"{run.name}.jsonl"
    assert state.store.registered_feeds() == [feed]  # before its first story: local JSONL only
    assert run.path.parent == tmp_path / "output" / "related"  # its folder, made when it opened
    feed.parent.mkdir(parents=True)
    feed.write_text(json.dumps({"url": f"{URL}1.html", "body": "texte"}) + "\n")
    state.engine_stopped()
    with StateStore.open(path) as store:
        stored = store.lookup(f"{URL}1.html")
    assert stored is not None and stored.minhash  # with its signature, for near-duplicates
