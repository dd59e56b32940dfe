"""Every number a report shows, computed once from a :class:`~newscrawl.report.reading.Crawl`.

Pure: the HTML and the markdown forms, and the plots, only lay these out, so both forms show
the same numbers.

The related-headline graph: each story is a node; each related headline from one story to
another story of the crawl is an edge (a headline to a page that is not among the stories:
off the portal, not fetched, beyond ``max_depth``, is counted apart). Most linked: the stories
the most other stories point to. Components: groups of stories joined by headlines, whichever
way they point. Hops: how far from a listed or given story each story was found, from the
runs' manifests (``stories_by_hop``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newscrawl import coverage
from newscrawl.history import found
from newscrawl.metrics import epoch
from newscrawl.report.reading import Crawl

TOP_LINKED = 10


@dataclass(frozen=True)
class Linked:
    url: str
    title: str
    section: str | None
    links_in: int


@dataclass(frozen=True)
class RunRow:
    run: str
    started_at: str
    new: int
    revised: int
    unchanged: int
    known: int
    found: int
    requests: int
    duration: float | None  # seconds
    ending: str
    exit_status: int | None
    healthy: bool | None
    reasons: tuple[str, ...]


@dataclass
class Figures:
    stories: int = 0
    story_lines: int = 0
    runs: list[RunRow] = field(default_factory=list)
    per_day: dict[str, int] = field(default_factory=dict)  # YYYY-MM-DD, oldest first
    per_section: dict[str, int] = field(default_factory=dict)  # most first
    rejected: dict[str, int] = field(default_factory=dict)  # most first
    failed: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, int] = field(default_factory=dict)  # field -> stories carrying it
    found_by: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> method -> n
    rendered: int = 0
    graph_edges: int = 0
    headlines_elsewhere: int = 0  # related headlines to a page that is no story here
    most_linked: list[Linked] = field(default_factory=list)
    components: list[int] = field(default_factory=list)  # sizes, largest first
    per_hop: dict[int, int] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    sections_of: dict[str, str] = field(default_factory=dict)  # url -> section, for the plot
    feeds: int = 0
    missing_feeds: int = 0
    state: str | None = None
    state_counts: dict[str, int] = field(default_factory=dict)
    first_run: str | None = None
    last_run: str | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


def figures_of(crawl: Crawl) -> Figures:
    stories = list(crawl.stories.values())
    figures = Figures(
        stories=len(stories),
        story_lines=crawl.story_lines,
        feeds=len(crawl.feeds),
        missing_feeds=len(crawl.missing_feeds),
        state=str(crawl.state) if crawl.state else None,
        state_counts=dict(crawl.state_counts),
    )
    figures.runs = [_run_row(run) for run in crawl.runs]
    if figures.runs:
        figures.first_run, figures.last_run = (
            figures.runs[0].started_at,
            figures.runs[-1].started_at,
        )
    days = Counter(_day(s.get("published_at")) for s in stories)
    figures.per_day = {day: days[day] for day in sorted(d for d in days if d)}
    if days.get(""):
        figures.per_day["no date"] = days[""]
    figures.per_section = _most_first(Counter(s.get("section") or "(none)" for s in stories))
    figures.rejected = _most_first(
        Counter({r: n for (kind, r), n in crawl.outcomes.items() if kind == "rejected"})
    )
    figures.failed = _most_first(
        Counter({r: n for (kind, r), n in crawl.outcomes.items() if kind == "failed"})
    )
    carried: Counter[str] = Counter()
    ways = [coverage.found_by(story.get("extraction")) for story in stories]
    named = list(dict.fromkeys(name for way in ways for name in way))
    how: dict[str, Counter[str]] = {name: Counter() for name in named}
    for story, way in zip(stories, ways, strict=True):
        carried.update(name for name, ok in coverage.covered(story).items() if ok)
        for name in named:  # a field its extraction does not name: found the story's way
            how[name][way.get(name) or _kind(story.get("extraction"))] += 1
        figures.rendered += coverage.rendered(story.get("extraction"))
    figures.coverage = {name: carried[name] for name in coverage.FIELDS}
    figures.found_by = {
        name: dict(sorted(methods.items(), key=lambda kv: (kv[0] != coverage.PROFILE, -kv[1])))
        for name, methods in how.items()
    }
    _graph(figures, crawl.stories)
    hops: Counter[int] = Counter()
    for run in crawl.runs:
        for hop, n in (run.get("stories_by_hop") or {}).items():
            hops[int(hop)] += int(n)
    figures.per_hop = dict(sorted(hops.items()))
    return figures


def _graph(figures: Figures, stories: dict[str, dict[str, Any]]) -> None:
    links_in: Counter[str] = Counter()
    edges: set[tuple[str, str]] = set()
    for url, story in stories.items():
        for headline in story.get("related") or []:
            target = headline.get("url") if isinstance(headline, dict) else None
            if target in stories and target != url:
                edges.add((url, target))
            else:
                figures.headlines_elsewhere += 1
    for _, target in edges:
        links_in[target] += 1
    figures.edges = sorted(edges)
    figures.graph_edges = len(edges)
    figures.sections_of = {url: str(s.get("section") or "") for url, s in stories.items()}
    figures.most_linked = [
        Linked(url, str(stories[url].get("title") or url), stories[url].get("section"), n)
        for url, n in sorted(links_in.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_LINKED]
    ]
    figures.components = [len(group) for group in components_of(list(stories), sorted(edges))]


def components_of(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """The components themselves (largest first), for drawing one."""
    parent = {node: node for node in nodes}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, list[str]] = {}
    for node in nodes:
        groups.setdefault(root(node), []).append(node)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _run_row(run: dict[str, Any]) -> RunRow:
    started, finished = run.get("started_at"), run.get("finished_at")
    duration = epoch(finished) - epoch(started) if started and finished else None
    status = run.get("exit_status")
    return RunRow(
        run=str(run.get("run")),
        started_at=str(started or ""),
        new=int(run.get("stories_new") or 0),
        revised=int(run.get("stories_revised") or 0),
        unchanged=int((run.get("rejected") or {}).get("unchanged", 0) or 0),
        known=int((run.get("rejected") or {}).get("known", 0) or 0),
        found=found(run),
        requests=int(run.get("requests") or 0),
        duration=duration,
        ending=str(run.get("ending") or "killed: no manifest"),
        exit_status=int(status) if status is not None else None,
        healthy=run.get("healthy"),
        reasons=tuple(run.get("reasons") or ()),
    )


def _kind(extraction: Any) -> str:
    """A story's usual way: the site profile's (``profile``), or the generic one's."""
    kind = str(extraction or coverage.PROFILE).split("(")[0].split("+")[0].strip()
    return coverage.PROFILE if kind in ("", "fallback") else kind


def _day(published_at: Any) -> str:
    """The day of the date line as the portal says it (its own offset, not UTC)."""
    try:
        return datetime.fromisoformat(str(published_at)).date().isoformat()
    except ValueError:
        return ""


def _most_first(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
