"""Hints: what the run's summary suggests when another setting would likely have got more.

Under ``-a render=never`` the spider counts the story pages ``-a render=auto`` would have sent
through the browser (:func:`newscrawl.rendering.needs_browser`: no body, or an empty related
block where the template has one, on a page that carries scripts); the summary line and the
manifest's ``hints`` then say so, with the counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_BODY_WITH_SCRIPTS = "newscrawl/hints/render/no_body_with_scripts"
EMPTY_RELATED_WITH_SCRIPTS = "newscrawl/hints/render/empty_related_with_scripts"


def render_hint_stat(no_body: bool) -> str:
    return NO_BODY_WITH_SCRIPTS if no_body else EMPTY_RELATED_WITH_SCRIPTS


def hints_of(stats: Mapping[str, Any]) -> list[str]:
    """The run's hints, each one sentence (none for most runs)."""
    no_body = int(stats.get(NO_BODY_WITH_SCRIPTS, 0) or 0)
    empty = int(stats.get(EMPTY_RELATED_WITH_SCRIPTS, 0) or 0)
    if not (no_body or empty):
        return []
    parts = []
    if no_body:
        parts.append(f"{no_body} story pages rejected no_body carry scripts")
    if empty:
        parts.append(
            f"{empty} stories have an empty related block where the template has one, "
            "on a page with scripts"
        )
    return ["-a render=auto would likely get more: " + " and ".join(parts)]
