"""The report's plots, drawn with matplotlib as inline SVG.

Why matplotlib, and SVG: the report must open offline, from one file, with nothing fetched.
Plotly, Bokeh and Altair/Vega draw in the browser with a JavaScript runtime of 1 to 4 MB,
which is then either fetched from a CDN or pasted into every report; pygal writes SVG but
loads its tooltips script from a CDN by default. matplotlib draws on the machine that makes
the report and writes plain SVG (no script at all), which is put straight into the HTML: a
report of a few hundred kB that any browser shows as is, scales without blur and prints. With
``svg.fonttype: none`` its text stays text (a number on a bar can be searched, copied and read
by a test), and with a fixed hash salt and no date in the metadata the same figures give the
same bytes. It is also the plotting library researchers already have, with real date axes.

Every mark (a bar, a segment, a node) gets an id ``mark-<plot>-<n>`` and a ``<title>`` (the
browser shows it on hover, no script needed); the number written on a bar gets
``label-<plot>-<n>``. Each function returns the SVG text, or ``None`` when there is nothing to
draw.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from newscrawl import coverage
from newscrawl.report.figures import Figures, RunRow, components_of

BLUE, ORANGE, GREY, GREEN, RED = "#3b6ea8", "#e08a2c", "#9aa3ad", "#3f9b5b", "#c8443c"
PALETTE = (BLUE, ORANGE, GREEN, RED, "#8560a8", "#8c6d4f", "#d16fa8", "#6f7f8f", "#b5a82c")
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays <text>
    "text.parse_math": False,  # a "$" in a section name is text, not TeX
    "svg.hashsalt": "newscrawl",  # the same figures, the same bytes
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
}
WIDTH = 7.2  # inches: about 700 px at 96 dpi
MAX_LABELLED = 40  # bars beyond this are not each written on; the table beside has them
GRAPH_NODES = 150


class Canvas:
    """One figure being drawn, with the tooltips of its marks."""

    def __init__(self, name: str, height: float, rows: int = 1) -> None:
        from matplotlib.figure import Figure

        self.name = name
        self.figure = Figure(figsize=(WIDTH, height), layout="constrained")
        self.axes = self.figure.subplots(rows, 1, squeeze=False)[:, 0]
        self.tips: dict[str, str] = {}
        self.marks = 0
        self.labels = 0

    def mark(self, artist: Any, tip: str) -> None:
        gid = f"mark-{self.name}-{self.marks}"
        self.marks += 1
        artist.set_gid(gid)
        self.tips[gid] = tip

    def label(self, artist: Any) -> None:
        artist.set_gid(f"label-{self.name}-{self.labels}")
        self.labels += 1

    def svg(self) -> str:
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        text = buffer.getvalue()
        text = text[text.index("<svg") :]  # no XML declaration nor doctype inside HTML
        text = text.replace("<svg ", f'<svg role="img" data-plot="{self.name}" ', 1)

        def titled(match: re.Match[str]) -> str:
            tip = self.tips.get(match.group(2))
            return match.group(0) + (f"<title>{html.escape(tip)}</title>" if tip else "")

        return re.sub(r'(<g id="(mark-[^"]+)"[^>]*>)', titled, text)


def _style() -> Any:
    import matplotlib

    return matplotlib.rc_context(STYLE)  # type: ignore[arg-type]


def hbars(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    texts: Sequence[str] | None = None,
    color: str = BLUE,
    xlabel: str = "",
) -> str | None:
    """Horizontal bars, largest first, each with its number written at its end."""
    if not labels:
        return None
    with _style():
        canvas = Canvas(name, height=0.9 + 0.28 * len(labels))
        ax = canvas.axes[0]
        positions = list(range(len(labels)))[::-1]
        bars = ax.barh(positions, values, color=color, height=0.7)
        ax.set_yticks(positions, [_short(label) for label in labels])
        ax.set_title(title, loc="left")
        ax.set_xlabel(xlabel)
        ax.margins(x=0.15)
        texts = texts or [f"{v:g}" for v in values]
        for bar, label, value, text in zip(bars, labels, values, texts, strict=True):
            if value:  # a bar of nothing draws nothing: no mark
                canvas.mark(bar, f"{label}: {text}")
        for artist in ax.bar_label(bars, labels=list(texts), padding=3, fontsize=8):
            canvas.label(artist)
        return canvas.svg()


def per_day(figures: Figures) -> str | None:
    days = {d: n for d, n in figures.per_day.items() if d != "no date"}
    if not days:
        return None
    with _style():
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        canvas = Canvas("per_day", height=2.6)
        ax = canvas.axes[0]
        when = [date.fromisoformat(d) for d in days]
        bars = ax.bar(when, list(days.values()), width=0.8, color=BLUE)  # type: ignore[arg-type]
        locator = AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_title("Stories per day (by date line)", loc="left")
        ax.set_ylabel("stories")
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        for bar, (day, n) in zip(bars, days.items(), strict=True):
            canvas.mark(bar, f"{day}: {n} stories")
        if len(days) <= MAX_LABELLED:
            for artist in ax.bar_label(bars, padding=2, fontsize=7):
                canvas.label(artist)
        return canvas.svg()


def per_section(figures: Figures) -> str | None:
    return hbars(
        "per_section",
        "Stories per section",
        list(figures.per_section),
        list(figures.per_section.values()),
    )


def outcomes(figures: Figures, kind: str) -> str | None:
    counts = figures.rejected if kind == "rejected" else figures.failed
    return hbars(
        kind,
        f"{kind.capitalize()} by reason",
        list(counts),
        list(counts.values()),
        color=GREY if kind == "rejected" else RED,
        xlabel="URLs",
    )


def field_coverage(figures: Figures) -> str | None:
    if not figures.stories:
        return None
    labels = [coverage.FIELDS[name] for name in figures.coverage]
    shares = [100 * n / figures.stories for n in figures.coverage.values()]
    texts = [
        f"{n} ({share:.0f}%)" for n, share in zip(figures.coverage.values(), shares, strict=True)
    ]
    return hbars("coverage", "What the stories carry", labels, shares, texts, GREEN, "% of stories")


def found_by(figures: Figures) -> str | None:
    if not figures.stories:
        return None
    methods = list(
        dict.fromkeys(m for how in figures.found_by.values() for m in how if m != "profile")
    )
    with _style():
        fields = list(figures.found_by)
        canvas = Canvas("found_by", height=0.9 + 0.32 * len(fields))
        ax = canvas.axes[0]
        positions = list(range(len(fields)))[::-1]
        left = [0.0] * len(fields)
        for index, method in enumerate([coverage.PROFILE, *methods]):
            values = [figures.found_by[f].get(method, 0) for f in fields]
            color = BLUE if method == coverage.PROFILE else PALETTE[1 + index % (len(PALETTE) - 1)]
            bars = ax.barh(positions, values, left=left, color=color, height=0.7, label=method)
            for bar, field, value in zip(bars, fields, values, strict=True):
                if value:
                    canvas.mark(bar, f"{field}: {value} by {method}")
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(positions, fields)
        ax.set_xlabel("stories")
        ax.set_title("How each field was found (site profile, or a fallback)", loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize=7, frameon=False)
        return canvas.svg()


def per_hop(figures: Figures) -> str | None:
    if not figures.per_hop:
        return None
    with _style():
        canvas = Canvas("per_hop", height=2.2)
        ax = canvas.axes[0]
        hops = list(figures.per_hop)
        bars = ax.bar([str(h) for h in hops], list(figures.per_hop.values()), color=BLUE)
        _room(ax, len(hops))
        ax.set_xlabel("hop (0: listed or given; n: n related headlines away)")
        ax.set_ylabel("stories")
        ax.set_title("Stories by hop", loc="left")
        for bar, hop in zip(bars, hops, strict=True):
            canvas.mark(bar, f"hop {hop}: {figures.per_hop[hop]} stories")
        for artist in ax.bar_label(bars, padding=2, fontsize=8):
            canvas.label(artist)
        return canvas.svg()


def component_sizes(figures: Figures) -> str | None:
    sizes = figures.components[:MAX_LABELLED]
    if not sizes:
        return None
    with _style():
        canvas = Canvas("components", height=2.2)
        ax = canvas.axes[0]
        bars = ax.bar([str(i + 1) for i in range(len(sizes))], sizes, color=ORANGE)
        _room(ax, len(sizes))
        ax.set_xlabel("component, largest first")
        ax.set_ylabel("stories")
        ax.set_title(
            f"Components of the graph ({len(figures.components)}; "
            f"{sum(1 for s in figures.components if s == 1)} stories stand alone)",
            loc="left",
        )
        ax.tick_params(axis="x", labelsize=7)
        for index, (bar, size) in enumerate(zip(bars, sizes, strict=True)):
            canvas.mark(bar, f"component {index + 1}: {size} stories")
        for artist in ax.bar_label(bars, padding=2, fontsize=7):
            canvas.label(artist)
        return canvas.svg()


def graph(figures: Figures) -> str | None:
    """The largest component (its best-linked stories, up to :data:`GRAPH_NODES`), laid out
    by force; a node's size says how many stories link to it, its colour its section."""
    if not figures.edges:
        return None
    groups = components_of(list(figures.sections_of), figures.edges)
    largest = groups[0]
    degree: dict[str, int] = dict.fromkeys(largest, 0)
    for a, b in figures.edges:
        if a in degree:
            degree[a] += 1
            degree[b] += 1
    shown = sorted(largest, key=lambda u: (-degree[u], u))[:GRAPH_NODES]
    index = {url: i for i, url in enumerate(shown)}
    edges = [(index[a], index[b]) for a, b in figures.edges if a in index and b in index]
    links_in = dict.fromkeys(shown, 0)
    for _, b in figures.edges:
        if b in links_in:
            links_in[b] += 1
    positions = spring_layout(len(shown), edges)
    sections = sorted({figures.sections_of[u] for u in shown})
    colors = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sections)}
    with _style():
        from matplotlib.collections import LineCollection

        canvas = Canvas("graph", height=5.2)
        ax = canvas.axes[0]
        ax.add_collection(
            LineCollection(
                [(positions[a], positions[b]) for a, b in edges],
                colors="#b8c0c8",
                linewidths=0.5,
                zorder=1,
            )
        )
        for url in shown:
            x, y = positions[index[url]]
            dot = ax.scatter(
                [x],
                [y],
                s=14 + 10 * links_in[url],
                color=colors[figures.sections_of[url]],
                edgecolors="white",
                linewidths=0.5,
                zorder=2,
            )
            canvas.mark(
                dot,
                f"{url} ({figures.sections_of[url] or 'no section'}): linked from {links_in[url]}",
            )
        for section in sections:
            ax.scatter([], [], s=25, color=colors[section], label=section or "no section")
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize=7, frameon=False)
        ax.set_axis_off()
        ax.set_title(
            f"The largest component: {len(shown)} of its {len(largest)} stories, "
            f"{len(edges)} headlines between them",
            loc="left",
        )
        return canvas.svg()


def spring_layout(count: int, edges: list[tuple[int, int]], iterations: int = 120) -> list[Any]:
    """Fruchterman-Reingold: linked nodes pull together, all nodes push apart; deterministic
    (the start is a fixed spiral, not random)."""
    import numpy as np

    if count == 1:
        return [(0.0, 0.0)]
    angle = np.arange(count) * 2.39996  # the golden angle: an even spiral
    radius = np.sqrt(np.arange(count) + 0.5) / math.sqrt(count)
    pos = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    k = 1 / math.sqrt(count)
    heat = 0.1
    pairs = np.array(edges, dtype=int).reshape(-1, 2)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        push = (k * k / distance**2)[:, :, None] * delta
        move = push.sum(axis=1)
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            length = np.maximum(np.linalg.norm(d, axis=1), 1e-3)[:, None]
            pull = d * length / k
            np.add.at(move, pairs[:, 0], -pull)
            np.add.at(move, pairs[:, 1], pull)
        move -= pos * 0.05  # a little gravity: loose stories stay in view
        size = np.maximum(np.linalg.norm(move, axis=1), 1e-9)[:, None]
        pos += move / size * np.minimum(size, heat)
        heat *= 0.97
    return [tuple(p) for p in pos]


def runs_over_time(rows: list[RunRow]) -> str | None:
    if not rows:
        return None
    with _style():
        canvas = Canvas("runs", height=4.2, rows=2)
        top, bottom = canvas.axes
        x = list(range(len(rows)))
        layers = (
            ([r.new for r in rows], BLUE, "new"),
            ([r.revised for r in rows], ORANGE, "revised"),
            ([r.unchanged for r in rows], "#7fa7d1", "unchanged"),
            ([r.known for r in rows], GREY, "known"),
        )
        below = [0] * len(rows)
        for values, color, what in layers:
            bars = top.bar(x, values, bottom=below, color=color, width=0.8, label=what)
            for bar, row, value in zip(bars, rows, values, strict=True):
                if value:
                    canvas.mark(bar, f"{row.run}: {value} {what}")
            below = [a + b for a, b in zip(below, values, strict=True)]
        top.set_ylabel("stories")
        top.set_title("Runs over time: stories found (new, revised, unchanged, known)", loc="left")
        top.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        durations = [r.duration or 0 for r in rows]
        colors = [GREY if r.healthy is None else GREEN if r.healthy else RED for r in rows]
        bars = bottom.bar(x, durations, color=colors, width=0.8)
        for bar, row in zip(bars, rows, strict=True):
            status = "?" if row.exit_status is None else row.exit_status
            canvas.mark(
                bar,
                f"{row.run}: {row.duration or 0:.0f} s, {row.requests} requests, exit {status}",
            )
        bottom.set_ylabel("seconds")
        bottom.set_title("Duration (green: healthy; red: unhealthy or failed)", loc="left")
        step = max(1, math.ceil(len(rows) / 12))
        for ax in (top, bottom):
            _room(ax, len(rows))
            ax.set_xticks(x[::step], [_when(rows[i].started_at) for i in x[::step]])
            ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        return canvas.svg()


def _when(started_at: str) -> str:
    """``12-01 09:50:29``: a run's start, short (runs are hours apart, or seconds)."""
    return started_at[5:19].replace("T", " ")


def _room(ax: Any, bars: int, least: int = 8) -> None:
    """Bars of a fixed width however few there are (one bar does not fill the plot)."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlim(-0.6, max(bars, least) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _short(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
