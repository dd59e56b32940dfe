"""Cleaning: what a story's cleaning costs, against its extraction, and that its fast path is
exact.

    python benchmarks/cleaning.py                  # 2,000 replica stories, the corpus, repeats 3
    python benchmarks/cleaning.py --stories 100 --repeat 1

Stories: the replica's story pages and the real-pages corpus, each extracted by its profile as
a crawl does (the story before the cleaning pipeline), and for each of them two hostile copies:
one whose title and first paragraph are mojibake (UTF-8 read as windows-1252), one whose text
is double-escaped entities. Each story is cleaned twice, interleaved: as the pipeline does
(``clean_story``: ftfy only where it would change something, see
:func:`newscrawl.pipelines.clean.repaired`) and with ftfy run on every text
(:func:`~newscrawl.pipelines.clean.repair_with_ftfy`, and every line checked again), which is
what the pipeline did before. Printed: how many stories each way gave a different story or a
different rejection (must be 0), how many texts took the fast path, and the median CPU time per
story of each way and of the page's extraction (parse included) for comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import time
from typing import Any

from pages import corpus_pages, replica_pages

from newscrawl.extraction.story import assemble_story
from newscrawl.extraction.tree import page_selector
from newscrawl.items import Story
from newscrawl.pipelines import clean
from newscrawl.sites import NotAStory, crawl_sites


def raw_stories(stories: int) -> list[tuple[Story, float]]:
    """Each page's story before cleaning, with the CPU seconds its extraction took."""
    found = []
    for page in [*replica_pages(stories), *corpus_pages()]:
        sites = crawl_sites((page.url,), None)
        started = time.process_time()
        extracted = sites.extract_story(page_selector(page.text), page.url)  # parse included
        seconds = time.process_time() - started
        if isinstance(extracted, NotAStory):
            continue
        profile = sites.profile_for(page.url) or sites
        found.append((assemble_story([extracted], profile.name, profile.language), seconds))
    return found


def garbled(story: Story) -> Story:
    """Title and first paragraph as UTF-8 read as windows-1252 (the commonest mojibake)."""
    head, _, rest = story.body.partition("\n\n")

    def broken(text: str) -> str:
        return text.encode("utf-8").decode("windows-1252", errors="replace")

    return dataclasses.replace(
        story, title=broken(story.title), body=broken(head) + ("\n\n" + rest if rest else "")
    )


def lost(story: Story) -> Story:
    """Letters already lost to a wrong decoding (U+FFFD): no repair can bring them back."""
    return dataclasses.replace(story, body=story.body.replace("é", "\ufffd", 1))


def escaped(story: Story) -> Story:
    def entities(text: str) -> str:
        return text.replace("é", "&amp;eacute;").replace(" ", "&nbsp;", 3)

    return dataclasses.replace(story, title=entities(story.title), body=entities(story.body))


def outcome(story: Story) -> Any:
    try:
        return clean.clean_story(story, clean.CleanConfig())
    except clean.Mojibake as error:
        return ("mojibake", error.field, error.sample)


def reference_outcome(story: Story) -> Any:
    """The pipeline as it was: ftfy on every text, every line checked."""
    fast = clean.repaired
    clean.repaired = lambda text: (clean.repair_with_ftfy(text), frozenset())  # type: ignore[assignment]
    try:
        return outcome(story)
    finally:
        clean.repaired = fast  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    found = raw_stories(args.stories)
    stories = [
        s for story, _ in found for s in (story, garbled(story), escaped(story), lost(story))
    ]
    extraction = statistics.median(seconds for _, seconds in found)
    differ = sum(outcome(s) != reference_outcome(s) for s in stories)
    rejected = sum(isinstance(outcome(s), tuple) for s in stories)
    counted = {"fast": 0, "ftfy": 0}
    original = clean.repaired

    def counting(text: str) -> tuple[str, frozenset[str]]:
        result = original(text)
        counted["fast" if result[1] else "ftfy"] += 1
        return result

    clean.repaired = counting  # type: ignore[assignment]
    for story in stories:
        outcome(story)
    clean.repaired = original  # type: ignore[assignment]
    times: dict[str, list[float]] = {"pipeline": [], "ftfy on every text": []}
    plain = [story for story, _ in found]
    for story in plain:
        per: dict[str, list[float]] = {name: [] for name in times}
        for _ in range(args.repeat):
            for name, call in (("pipeline", outcome), ("ftfy on every text", reference_outcome)):
                started = time.process_time()
                call(story)
                per[name].append(time.process_time() - started)
        for name in times:
            times[name].append(statistics.median(per[name]))
    print(f"# {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(
        f"stories cleaned: {len(stories)} ({len(found)} pages, each also garbled, escaped and "
        f"with a lost letter); rejected mojibake: {rejected}"
    )
    print(f"different outcome, fast path against ftfy on every text: {differ}")
    print(f"texts: {counted['fast']} on the fast path, {counted['ftfy']} through ftfy")
    print("| per story (median CPU) | ms |\n| --- | ---: |")
    print(f"| extraction (parse included) | {extraction * 1e3:.3f} |")
    for name, values in times.items():
        print(f"| cleaning, {name} | {statistics.median(values) * 1e3:.3f} |")


if __name__ == "__main__":
    main()
