"""The portal's profile reading one story page as a crawl reads it, its parse included: for
``extraction.py``, in its own process or, run as a script, in another checkout's.

    python benchmarks/profile_reader.py     # with another checkout's code first on sys.path

:func:`read` gives the CPU seconds (``time.process_time``) of the parse and ``extract_story``
alone (not of the fields' gathering for the benchmark's check), and the fields. As a script it
reads ``(url, text)`` pairs pickled on its standard input and answers each with ``read``'s
answer, the seconds measured here.
It imports nothing of this checkout: ``newscrawl`` is whichever is first on ``sys.path`` (the
other checkout's, with ``PYTHONPATH`` and the working directory set to it), so one benchmark
compares the code of two checkouts page by page, in one run. The parse is the one that code's
crawl does (``page_selector`` where it has one, else parsel's ``Selector``).
"""

from __future__ import annotations

import pickle
import sys
import time
from typing import Any

from parsel import Selector

from newscrawl.sites import NotAStory, get_profile

try:
    from newscrawl.extraction.tree import page_selector as _parse
except ImportError:  # code from before page_selector: its crawl parsed with parsel

    def _parse(text: str, kind: str | None = None) -> Any:
        return Selector(text=text)


PROFILE = get_profile("peopledaily_fr")


def read(url: str, text: str) -> tuple[float, dict[str, Any]]:
    """(CPU seconds of the parse and the extraction, the fields the benchmark checks: {} for a
    page the profile rejects)."""
    started = time.process_time()
    story = PROFILE.extract_story(_parse(text), url)
    seconds = time.process_time() - started
    if isinstance(story, NotAStory):
        return seconds, {}
    return seconds, _fields(story)


def _fields(story: Any) -> dict[str, Any]:
    return {
        "title": story.title,
        "published_at": story.published_at,
        "related": [link["url"] for link in story.related],
        "editors": story.editors,
        "body": "\n\n".join(story.paragraphs),
    }


def serve() -> None:
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            url, text = pickle.load(source)
        except EOFError:
            return
        pickle.dump(read(url, text), sink)
        sink.flush()


if __name__ == "__main__":
    serve()
