"""Every ``NEWSCRAWL_*`` setting, read once per crawl into one frozen, validated config.

Components ask :func:`config_of` (``config_of(crawler).dedup``, ``.state`` …) and never read a
setting themselves; each part is built by its component's own ``from_settings`` (next to the
code that uses it), through :mod:`newscrawl.setting`, so a default is said once, in
:mod:`newscrawl.settings`. :meth:`NewscrawlConfig.from_settings` reads them all: the ``crawl``
and ``demo`` commands call it before anything else, so a wrong value or a misspelt name stops
the run with one line and exit status 2 before a file is created or a request made.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawl import setting
from newscrawl.setting import DEFAULTS, SettingError

if TYPE_CHECKING:
    from newscrawl.distributed import SharedConfig
    from newscrawl.downloadermiddlewares.backoff import BackoffConfig
    from newscrawl.health import HealthThresholds
    from newscrawl.pipelines.clean import CleanConfig
    from newscrawl.pipelines.dedup import DedupConfig
    from newscrawl.pipelines.validate import ValidateConfig
    from newscrawl.rendering import RenderConfig

CACHE = "_newscrawl_config"


@dataclass(frozen=True)
class CrawlLimits:
    max_story_pages: int  # pages of one multi-page story, the first included
    max_related: int  # related headlines followed per story
    since_url_margin_days: int

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlLimits:
        return cls(
            max_story_pages=setting.integer(settings, "NEWSCRAWL_MAX_STORY_PAGES", minimum=1),
            max_related=setting.integer(settings, "NEWSCRAWL_MAX_RELATED_PER_STORY", minimum=0),
            since_url_margin_days=setting.integer(
                settings, "NEWSCRAWL_SINCE_URL_MARGIN_DAYS", minimum=0
            ),
        )


@dataclass(frozen=True)
class StateSettings:
    path: Path | None
    refresh_hours: float
    dedup_window_days: float

    @classmethod
    def from_settings(cls, settings: Any) -> StateSettings:
        return cls(
            path=setting.optional_path(settings, "NEWSCRAWL_STATE"),
            refresh_hours=setting.number(settings, "NEWSCRAWL_REFRESH_HOURS", minimum=0),
            dedup_window_days=setting.number(settings, "NEWSCRAWL_DEDUP_WINDOW_DAYS", minimum=0),
        )


@dataclass(frozen=True)
class WatchSettings:
    """How a run is watched: its progress line, and its metrics file (newscrawl.metrics)."""

    progress_interval: float  # seconds between progress lines; 0: none
    metrics_file: Path | None  # node_exporter's textfile collector reads it

    @classmethod
    def from_settings(cls, settings: Any) -> WatchSettings:
        metrics = setting.optional_path(settings, "NEWSCRAWL_METRICS_FILE")
        if metrics is not None and metrics.suffix != ".prom":
            raise SettingError(
                "NEWSCRAWL_METRICS_FILE",
                metrics,
                "must end in .prom (node_exporter's textfile collector reads no other file)",
            )
        return cls(
            progress_interval=setting.number(settings, "NEWSCRAWL_PROGRESS_INTERVAL", minimum=0),
            metrics_file=metrics,
        )


@dataclass(frozen=True)
class NewscrawlConfig:
    contact_url: str
    output_dir: str  # where each run makes its own folder (newscrawl.runs)
    watch: WatchSettings
    limits: CrawlLimits
    backoff: BackoffConfig
    clean: CleanConfig
    validate: ValidateConfig
    dedup: DedupConfig
    state: StateSettings
    health: HealthThresholds
    render: RenderConfig
    shared: SharedConfig
    workers: int = 0  # processes for extraction and cleaning beside the engine's (workers.py)
    gc_threshold: int = 20000  # allocations between collections (extensions/garbage.py)

    @classmethod
    def from_settings(cls, settings: Any) -> NewscrawlConfig:
        """All of it, checked; raises :class:`SettingError` (one line) on the first fault."""
        # Each part's reader lives beside the code that uses it, and that code asks this
        # module for its config: so the parts are imported here, not at the top.
        from newscrawl.distributed import SharedConfig
        from newscrawl.downloadermiddlewares.backoff import BackoffConfig
        from newscrawl.health import HealthThresholds
        from newscrawl.pipelines.clean import CleanConfig
        from newscrawl.pipelines.dedup import DedupConfig
        from newscrawl.pipelines.validate import ValidateConfig
        from newscrawl.rendering import RenderConfig

        check_names(settings)
        return cls(
            contact_url=setting.text(settings, "NEWSCRAWL_CONTACT_URL"),
            output_dir=setting.text(settings, "NEWSCRAWL_OUTPUT_DIR", allow_empty=False),
            watch=WatchSettings.from_settings(settings),
            limits=CrawlLimits.from_settings(settings),
            backoff=BackoffConfig.from_settings(settings),
            clean=CleanConfig.from_settings(settings),
            validate=ValidateConfig.from_settings(settings),
            dedup=DedupConfig.from_settings(settings),
            state=StateSettings.from_settings(settings),
            health=HealthThresholds.from_settings(settings),
            render=RenderConfig.from_settings(settings),
            shared=SharedConfig.from_settings(settings),
            workers=setting.integer(settings, "NEWSCRAWL_WORKERS", minimum=0, maximum=64),
            # 0 would turn collection off: a crawl's cyclic garbage would never be freed.
            gc_threshold=setting.integer(
                settings, "NEWSCRAWL_GC_THRESHOLD", minimum=1, maximum=10_000_000
            ),
        )


def config_of(crawler: Any) -> NewscrawlConfig:
    """The crawl's config, read from its settings the first time it is asked for."""
    config = getattr(crawler, CACHE, None)
    if config is None:
        config = NewscrawlConfig.from_settings(crawler.settings)
        setattr(crawler, CACHE, config)
    return config


def check_names(settings: Any) -> None:
    """A ``NEWSCRAWL_*`` name no component reads is a typo: refused, with the nearest name."""
    for name in sorted(settings.keys() if hasattr(settings, "keys") else settings):
        if str(name).startswith("NEWSCRAWL_") and name not in DEFAULTS:
            near = difflib.get_close_matches(name, DEFAULTS, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise SettingError(name, settings.get(name), f"no such setting{hint}")
