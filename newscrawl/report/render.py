"""The report's two forms, from one :class:`~newscrawl.report.figures.Figures`: a self-contained
HTML file (styles and plots inline, no script, nothing fetched) and markdown for a terminal.

Each plot of the HTML form has its numbers beside it in a table (``data-table`` names the
plot, ``data-value`` holds each number), which is also what the markdown form prints: the two
forms cannot disagree.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from newscrawl import coverage
from newscrawl.report import plots
from newscrawl.report.figures import Figures

Row = Sequence[Any]

CSS = """
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: #1f2933; margin: 0;
  background: #f5f7f9; }
main { max-width: 760px; margin: 0 auto; padding: 24px 20px 60px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 34px 0 8px; border-bottom: 1px solid #dde3e8; padding-bottom: 4px; }
p.lead { color: #52606d; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }
.card { flex: 1 1 120px; background: #eef2f6; border-radius: 6px; padding: 8px 12px; }
.card b { display: block; font-size: 20px; }
.card span { color: #52606d; font-size: 12px; }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0 10px; }
th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #eef1f4;
  vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: #3b6ea8; font-size: 12.5px; }
.bad { color: #c8443c; } .good { color: #3f9b5b; }
.note { color: #52606d; font-size: 12.5px; }
code { font-size: 12px; }
table[data-table="runs"] { font-size: 11.5px; }
table[data-table="runs"] th { white-space: nowrap; font-weight: normal; }
"""


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


# --- the tables both forms show -------------------------------------------------------------


def tables(figures: Figures) -> dict[str, tuple[list[str], list[Row]]]:
    """plot name -> (column names, rows): the numbers of every plot."""
    stories = figures.stories
    found_methods = list(
        dict.fromkeys(m for how in figures.found_by.values() for m in how if m != "profile")
    )
    return {
        "per_day": (["day", "stories"], list(figures.per_day.items())),
        "per_section": (["section", "stories"], list(figures.per_section.items())),
        "rejected": (["reason", "URLs"], list(figures.rejected.items())),
        "failed": (["reason", "URLs"], list(figures.failed.items())),
        "coverage": (
            ["field", "stories", "share"],
            [
                (coverage.FIELDS[name], n, _share(n, stories))
                for name, n in figures.coverage.items()
            ],
        ),
        "found_by": (
            ["field", "profile", *found_methods],
            [
                (name, how.get("profile", 0), *(how.get(m, 0) for m in found_methods))
                for name, how in figures.found_by.items()
            ],
        ),
        "most_linked": (
            ["story", "section", "linked from"],
            [(s.title, s.section or "", s.links_in) for s in figures.most_linked],
        ),
        "per_hop": (["hop", "stories"], list(figures.per_hop.items())),
        "components": (
            ["component", "stories"],
            [(i + 1, size) for i, size in enumerate(figures.components[: plots.MAX_LABELLED])],
        ),
        "runs": (
            [
                "run",
                "new",
                "revised",
                "unchanged",
                "known",
                "found",
                "requests",
                "seconds",
                "ending",
                "exit",
                "reasons",
            ],
            [
                (
                    r.run,
                    r.new,
                    r.revised,
                    r.unchanged,
                    r.known,
                    r.found,
                    r.requests,
                    "" if r.duration is None else round(r.duration),
                    r.ending,
                    "" if r.exit_status is None else r.exit_status,
                    "; ".join(r.reasons),
                )
                for r in figures.runs
            ],
        ),
    }


def headline_numbers(figures: Figures) -> list[tuple[str, Any]]:
    numbers: list[tuple[str, Any]] = [
        ("stories", figures.stories),
        ("story lines in the feeds (revisions included)", figures.story_lines),
        ("runs", len(figures.runs)),
        ("rejected", figures.rejected_total),
        ("failed", figures.failed_total),
        ("feeds read", figures.feeds),
    ]
    if figures.missing_feeds:
        numbers.append(("feeds named but missing", figures.missing_feeds))
    if figures.state_counts:
        numbers.append(("stories the state holds", figures.state_counts.get("stories", 0)))
        numbers.append(("of them revised", figures.state_counts.get("revised", 0)))
    return numbers


def graph_numbers(figures: Figures) -> list[tuple[str, Any]]:
    largest = figures.components[0] if figures.components else 0
    return [
        ("stories (nodes)", figures.stories),
        ("related headlines between them (edges)", figures.graph_edges),
        ("related headlines to pages that are no story here", figures.headlines_elsewhere),
        ("components", len(figures.components)),
        ("stories in the largest component", largest),
        ("stories that stand alone", sum(1 for size in figures.components if size == 1)),
    ]


def _period(figures: Figures) -> str:
    if not figures.runs:
        return "no run manifest was found"
    if figures.first_run == figures.last_run:
        return f"one run, started {figures.first_run}"
    return f"{len(figures.runs)} runs, from {figures.first_run} to {figures.last_run}"


# --- HTML -------------------------------------------------------------------------------------


def _html_table(name: str, columns: list[str], rows: Sequence[Row], open_: bool = False) -> str:
    if not rows:
        return f'<p class="note" data-table="{name}">Nothing to count.</p>'

    def cell(value: Any, header: bool = False) -> str:
        tag = "th" if header else "td"
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'<{tag} class="n" data-value="{value}">{html.escape(_number(value))}</{tag}>'
        return f"<{tag}>{html.escape(str(value))}</{tag}>"

    head = "".join(
        f'<th class="n">{html.escape(c)}</th>' if i else f"<th>{html.escape(c)}</th>"
        for i, c in enumerate(columns)
    )
    body = "".join(
        "<tr>" + cell(row[0], header=True) + "".join(cell(v) for v in row[1:]) + "</tr>"
        for row in rows
    )
    return (
        f"<details{' open' if open_ else ''}><summary>the numbers</summary>"
        f'<table data-table="{name}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</details>"
    )


def _figure(svg: str | None, what: str) -> str:
    if svg is None:
        return f'<p class="note">No {html.escape(what)} to draw.</p>'
    return f"<figure>{svg}</figure>"


def _pairs(name: str, pairs: list[tuple[str, Any]]) -> str:
    rows = "".join(
        f'<tr><th>{html.escape(k)}</th><td class="n" data-value="{v}">{v}</td></tr>'
        for k, v in pairs
    )
    return f'<table data-table="{name}"><tbody>{rows}</tbody></table>'


def html_report(figures: Figures, made_at: datetime | None = None) -> str:
    made = (made_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    table = tables(figures)
    drawn: dict[str, Callable[[], str | None]] = {
        "per_day": lambda: plots.per_day(figures),
        "per_section": lambda: plots.per_section(figures),
        "rejected": lambda: plots.outcomes(figures, "rejected"),
        "failed": lambda: plots.outcomes(figures, "failed"),
        "coverage": lambda: plots.field_coverage(figures),
        "found_by": lambda: plots.found_by(figures),
        "per_hop": lambda: plots.per_hop(figures),
        "components": lambda: plots.component_sizes(figures),
        "graph": lambda: plots.graph(figures),
        "runs": lambda: plots.runs_over_time(figures.runs),
    }

    def block(name: str, what: str, open_: bool = False) -> str:
        svg = drawn[name]()
        numbers = _html_table(name, *table[name], open_=open_) if name in table else ""
        return _figure(svg, what) + numbers

    cards = "".join(
        f'<div class="card"><b data-card="{html.escape(label)}">{value}</b>'
        f"<span>{html.escape(label)}</span></div>"
        for label, value in headline_numbers(figures)[:5]
    )
    source = html.escape(figures.state or "")
    unhealthy = [r for r in figures.runs if r.healthy is False]
    health = (
        f'<p class="bad">Unhealthy or failed: {len(unhealthy)} of {len(figures.runs)} runs; '
        f"the last, {html.escape(unhealthy[-1].run)}: "
        f"{html.escape('; '.join(unhealthy[-1].reasons))}.</p>"
        if unhealthy
        else ('<p class="good">Every run was healthy.</p>' if figures.runs else "")
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>newscrawl report: {figures.stories} stories</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>What the crawl collected</h1>",
        f'<p class="lead">{html.escape(_period(figures))}'
        + (f"; state <code>{source}</code>" if source else "")
        + f". Made {made} by <code>scrapy report</code>.</p>",
        f'<div class="cards">{cards}</div>',
        health,
        _pairs("headline", headline_numbers(figures)),
        "<h2>Stories</h2>",
        block("per_day", "dated stories"),
        block("per_section", "stories"),
        "<h2>Rejections and failures</h2>",
        '<p class="note">Every URL the crawl met ends as a story, a rejection or a failure; '
        "<code>known</code> and <code>unchanged</code> are stories a state already held.</p>",
        block("rejected", "rejections"),
        block("failed", "failures"),
        "<h2>Fields</h2>",
        block("coverage", "stories", open_=True),
        block("found_by", "stories"),
        f'<p class="note" data-rendered="{figures.rendered}">{figures.rendered} of '
        f"{figures.stories} stories went through the browser (<code>+rendered</code>).</p>",
        "<h2>The related-headline graph</h2>",
        '<p class="note">Stories are nodes; a related headline from one story to another is '
        "an edge.</p>",
        _pairs("graph", graph_numbers(figures)),
        "<h3>Most linked stories</h3>",
        _html_table("most_linked", *table["most_linked"], open_=True),
        block("per_hop", "hops (no manifest counted them)"),
        block("components", "components"),
        block("graph", "headline between two stories"),
        "<h2>Runs over time</h2>",
        block("runs", "run", open_=True),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


# --- markdown ---------------------------------------------------------------------------------


def _md_table(columns: list[str], rows: Sequence[Row]) -> str:
    if not rows:
        return "_nothing to count_\n"

    def cell(value: Any) -> str:
        return _number(value).replace("|", "\\|")

    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---:" if i else "---" for i in range(len(columns))) + " |",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown_report(figures: Figures) -> str:
    table = tables(figures)

    def section(title: str, name: str) -> str:
        return f"### {title}\n\n{_md_table(*table[name])}"

    out = [
        "# What the crawl collected\n",
        _period(figures) + (f"; state `{figures.state}`" if figures.state else "") + ".\n",
        _md_table(["", "count"], headline_numbers(figures)),
        "## Stories\n",
        section("Stories per day (by date line)", "per_day"),
        section("Stories per section", "per_section"),
        "## Rejections and failures\n",
        section("Rejected by reason", "rejected"),
        section("Failed by reason", "failed"),
        "## Fields\n",
        section("What the stories carry", "coverage"),
        section("How each field was found", "found_by"),
        f"{figures.rendered} of {figures.stories} stories went through the browser.\n",
        "## The related-headline graph\n",
        _md_table(["", "count"], graph_numbers(figures)),
        section("Most linked stories", "most_linked"),
        section("Stories by hop", "per_hop"),
        section("Components, largest first", "components"),
        "## Runs over time\n",
        _md_table(*table["runs"]),
    ]
    return "\n".join(out)
