"""Scrapy add-ons of the project (``ADDONS`` in settings).

:class:`Distributed` makes the run a worker of a crawl shared through Redis, and only when
``NEWSCRAWL_REDIS_URL`` is set (nothing of Redis is imported otherwise): the shared scheduler,
frontier middleware and story set replace the process's own, and the worker extension joins.

:class:`Rendering` installs scrapy-playwright for a crawl that renders (``-a render=auto`` or
``always``), and only then: installed, its download handler starts Playwright's driver (a
Node.js process, ~120 MB) when the engine starts, even if no request is ever rendered. An
add-on runs once the spider exists (so its ``-a render`` is known) and before the settings are
frozen, which is exactly when this must be decided; the spider itself edits no settings.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.distributed import SharedConfig
from newscrawl.rendering import RenderConfig, browser_problem, enable_rendering


class Rendering:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Rendering:
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        spider = self.crawler.spider
        render = getattr(getattr(spider, "args", None), "render", "never")
        if render == "never":
            return
        problem = browser_problem(render, settings)
        if problem:  # the crawl command says so before Scrapy starts (exit 69)
            raise RuntimeError(problem)
        enable_rendering(
            settings,
            RenderConfig.from_settings(settings),
            spider.profile_schemes(),  # type: ignore[union-attr]
            spider.scope.hosts,  # type: ignore[union-attr]
        )


SHARED = "newscrawl.shared"


class Distributed:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Distributed:
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        if not SharedConfig.from_settings(settings).enabled:
            return
        settings.set("SCHEDULER", f"{SHARED}.scheduler.SharedScheduler", priority="spider")
        _replace(
            settings,
            "SPIDER_MIDDLEWARES",
            "newscrawl.spidermiddlewares.frontier.FrontierMiddleware",
            f"{SHARED}.middleware.SharedFrontierMiddleware",
        )
        _replace(
            settings,
            "ITEM_PIPELINES",
            "newscrawl.pipelines.dedup.DeduplicatePipeline",
            f"{SHARED}.dedup.SharedDeduplicatePipeline",
        )
        extensions = dict(settings.getdict("EXTENSIONS"))
        extensions[f"{SHARED}.worker.Worker"] = 60  # before the ledger (100) asks for it
        _set(settings, "EXTENSIONS", extensions)


def _replace(settings: Any, name: str, old: str, new: str) -> None:
    components = dict(settings.getdict(name))
    order = components.pop(old, None)
    if order is not None:
        components[new] = order
    _set(settings, name, components)


def _set(settings: Any, name: str, value: Any) -> None:
    """At the setting's own priority: with a -s ITEM_PIPELINES=… (the command line's, above
    "spider") the one-process component would else stay, and each worker dedup on its own."""
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
    settings.set(name, value, priority=priority)
