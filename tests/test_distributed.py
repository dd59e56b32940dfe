"""The switch to a shared crawl: without NEWSCRAWL_REDIS_URL nothing changes, nothing of Redis
is imported; with it, its settings are checked like any other."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scrapy.settings import Settings

from newscrawl import settings as project_settings
from newscrawl.addons import Distributed
from newscrawl.distributed import SharedConfig
from newscrawl.setting import SettingError
from tests.crawl import ROOT


def project(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


def test_without_a_redis_url_no_component_changes_and_redis_is_not_imported() -> None:
    settings = project()
    before = {n: settings.get(n) for n in ("SCHEDULER", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES")}
    Distributed(None).update_settings(settings)  # type: ignore[arg-type]
    assert {n: settings.get(n) for n in before} == before
    # Redis made unimportable (as without the [distributed] extra: datasketch then does without
    # it too): every component of a one-process run still loads, and nothing shared is loaded.
    code = (
        "import sys; sys.modules['redis'] = None; import newscrawl.addons,"
        " newscrawl.extensions.ledger, newscrawl.extensions.feeds, newscrawl.commands.crawl,"
        " newscrawl.spidermiddlewares.frontier, newscrawl.pipelines.dedup;"
        " print(sorted(m for m in sys.modules"
        " if m.startswith(('newscrawl.shared', 'scrapy_redis'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_with_a_redis_url_the_shared_components_replace_the_process_own() -> None:
    settings = project(NEWSCRAWL_REDIS_URL="redis://127.0.0.1:1/0")
    Distributed(None).update_settings(settings)  # type: ignore[arg-type]
    assert settings.get("SCHEDULER") == "newscrawl.shared.scheduler.SharedScheduler"
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    assert "newscrawl.shared.middleware.SharedFrontierMiddleware" in middlewares
    assert "newscrawl.spidermiddlewares.frontier.FrontierMiddleware" not in middlewares
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert "newscrawl.shared.dedup.SharedDeduplicatePipeline" in pipelines
    assert "newscrawl.pipelines.dedup.DeduplicatePipeline" not in pipelines


def test_components_given_on_the_command_line_are_swapped_all_the_same() -> None:
    """-s ITEM_PIPELINES=… / SPIDER_MIDDLEWARES=… / EXTENSIONS=… outrank the add-on's "spider"
    priority: the shared components still replace the process's own (else each worker would
    deduplicate and keep its frontier on its own)."""
    settings = project(
        NEWSCRAWL_REDIS_URL="redis://127.0.0.1:1/0",
        ITEM_PIPELINES={
            **project_settings.ITEM_PIPELINES,
            "tests.faulty_pipeline.FaultyPipeline": 350,
        },
        SPIDER_MIDDLEWARES=dict(project_settings.SPIDER_MIDDLEWARES),
        EXTENSIONS=dict(project_settings.EXTENSIONS),
    )
    Distributed(None).update_settings(settings)  # type: ignore[arg-type]
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert "newscrawl.shared.dedup.SharedDeduplicatePipeline" in pipelines
    assert "newscrawl.pipelines.dedup.DeduplicatePipeline" not in pipelines
    assert "tests.faulty_pipeline.FaultyPipeline" in pipelines
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    assert "newscrawl.shared.middleware.SharedFrontierMiddleware" in middlewares
    assert "newscrawl.spidermiddlewares.frontier.FrontierMiddleware" not in middlewares
    assert "newscrawl.shared.worker.Worker" in settings.getdict("EXTENSIONS")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"NEWSCRAWL_REDIS_URL": "http://x"}, "not a redis:// URL"),
        ({"NEWSCRAWL_REDIS_URL": "redis://h/0", "NEWSCRAWL_WORKER_ID": "a b"}, "letters, digits"),
        (
            {"NEWSCRAWL_REDIS_URL": "redis://h/0", "NEWSCRAWL_STATE": "/tmp/s.sqlite"},
            "keeps its state in Redis",
        ),
        ({"NEWSCRAWL_REDIS_IDLE_SECONDS": "0"}, "NEWSCRAWL_REDIS_IDLE_SECONDS"),
    ],
)
def test_wrong_shared_settings_are_one_line(overrides: dict, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        SharedConfig.from_settings(project(**overrides))


def test_a_worker_is_named_by_host_and_pid_unless_told() -> None:
    config = SharedConfig.from_settings(project(NEWSCRAWL_REDIS_URL="redis://h/0"))
    assert config.worker.endswith(f"-{__import__('os').getpid()}")
    named = SharedConfig.from_settings(project(NEWSCRAWL_WORKER_ID="w1"))
    assert named.worker == "w1" and not named.enabled
