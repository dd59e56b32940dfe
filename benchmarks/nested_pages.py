"""What a page of nested blocks costs the extraction, against a flat page of as many paragraphs.

    python benchmarks/nested_pages.py                  # 1 MB pages
    python benchmarks/nested_pages.py --size 20000     # a smoke run on 20 kB pages

Pages of ``--size`` bytes, each a story page (a headline, the portal's date line) whose body is
paragraphs of the same sentence:

- nested 2,000 deep: ``<div><p>…</p>`` stacks, each 2,000 levels deep, one after another (the
  page of issue 10, whose extraction took 7.5 s at 44 kB and 763 s at 10 MB);
- nested at the bound: the same stacks, ``MAX_DEPTH - 8`` levels deep (under the bound);
- flat: as many ``<div><p>…</p></div>`` side by side.

Each is read by the portal's profile (a story URL of the portal) and by the generic profile (a
URL of another site), parse included; CPU time, the best of ``--repeat``. Printed per page:
bytes, elements, what came of it (paragraphs, or the rejection), and the time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from newscrawl.extraction.tree import MAX_DEPTH, MAX_ELEMENTS, page_selector
from newscrawl.sites import NotAStory, get_profile
from newscrawl.sites.generic import GenericSite

SENTENCE = "Le gouvernement a annoncé mardi une réforme des retraites très attendue."
HEAD = (
    "<html><head><title>Une histoire</title></head><body><h1>Un titre de test assez long</h1>"
    "<div class='txt_time'>Dernière mise à jour à 09h08 le 27/12</div>"
    "<p>Publié le 27/12/2021 à 09h08</p>"
)
PORTAL_URL = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c90000-9000001.html"
OTHER_URL = "https://www.exemple.fr/politique/2021/12/27/une-histoire-de-test-longue"


def paragraph(i: int) -> str:
    return f"<p>{SENTENCE} {i}</p>"


def nested(size: int, depth: int) -> tuple[str, int]:
    parts, count, length = [HEAD], 0, len(HEAD)
    while length < size:
        stack = "".join(f"<div>{paragraph(count + k)}" for k in range(depth)) + "</div>" * depth
        parts.append(stack)
        count += depth
        length += len(stack)
    return "".join(parts) + "</body></html>", count


def flat(paragraphs: int) -> str:
    body = "".join(f"<div>{paragraph(i)}</div>" for i in range(paragraphs))
    return HEAD + "<div>" + body + "</div></body></html>"


def read(html: str, portal: bool, repeat: int) -> tuple[float, str, int]:
    profile = get_profile("peopledaily_fr") if portal else GenericSite.for_hosts({"www.exemple.fr"})
    url = PORTAL_URL if portal else OTHER_URL
    best, outcome, elements = float("inf"), "", 0
    for _ in range(repeat):
        started = time.process_time()
        page = page_selector(html)  # as the crawl parses a page
        result = profile.extract_story(page, url)
        best = min(best, time.process_time() - started)
        elements = sum(1 for _ in page.root.iter())
        outcome = (
            f"rejected {result.reason}"
            if isinstance(result, NotAStory)
            else f"{len(result.paragraphs)} paragraphs"
        )
    return best, outcome, elements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="bytes per page")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    deep, count = nested(args.size, 2000)
    bounded, bounded_count = nested(args.size, MAX_DEPTH - 8)
    pages = {
        "nested 2,000 deep": deep,
        f"nested {MAX_DEPTH - 8} deep": bounded,
        f"flat, {count:,} paragraphs": flat(count),
        f"flat, {bounded_count:,} paragraphs": flat(bounded_count),
    }
    print(f"# bounds: {MAX_ELEMENTS:,} elements, depth {MAX_DEPTH}")
    print("| page | profile | bytes | elements | result | CPU seconds |")
    print("| --- | --- | ---: | ---: | --- | ---: |")
    for name, html in pages.items():
        for portal in (True, False):
            seconds, outcome, elements = read(html, portal, args.repeat)
            who = "portal" if portal else "generic"
            print(f"| {name} | {who} | {len(html):,} | {elements:,} | {outcome} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
