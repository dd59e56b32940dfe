"""``scrapy report``: see what a crawl collected, in one self-contained HTML file or markdown.

:mod:`~newscrawl.report.reading` gathers a crawl's run folders (and its state), then
:mod:`~newscrawl.report.figures` computes every number once, :mod:`~newscrawl.report.plots`
draws them (matplotlib, inline SVG) and :mod:`~newscrawl.report.render` lays them out.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from newscrawl.report.figures import Figures, figures_of
from newscrawl.report.reading import Crawl, ReportInputError, read_crawl
from newscrawl.report.render import html_report, markdown_report

__all__ = [
    "Crawl",
    "Figures",
    "ReportInputError",
    "figures_of",
    "html_report",
    "make_report",
    "markdown_report",
    "read_crawl",
]


def make_report(
    paths: list[str | Path],
    state: str | Path | None = None,
    form: str = "html",
    made_at: datetime | None = None,
) -> tuple[str, Figures]:
    """The report's text (``html`` or ``md``) and the figures it shows."""
    figures = figures_of(read_crawl(paths, state))
    if form == "md":
        return markdown_report(figures), figures
    return html_report(figures, made_at), figures
