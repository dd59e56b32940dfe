"""The replica portal: answers a (method, absolute URL) with a page, deterministically.

Same options, same bytes, except for the one story that fails once (HTTP 500 on its first
request, 200 after), which is the only state a portal keeps.
"""

from __future__ import annotations

import base64
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlsplit

from newscrawl.replica import index as idx
from newscrawl.replica import pages
from newscrawl.replica.content import StoryContent, StoryWriter, picture_path
from newscrawl.replica.faults import Fault, FaultPlan
from newscrawl.replica.index import HOST, ORIGIN, SECTIONS, StoryEntry

PER_PAGE = 20
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
# A 1x1 grey JPEG: pictures only need to be real image/jpeg responses.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA="
)
STORY_PATH = re.compile(
    r"^/(?P<section>[A-Za-z-]+)/n3/(?P<year>\d{4})/(?P<day>\d{4})/"
    r"c(?P<catalog>\d+)-(?P<cid>\d+)(?:-(?P<page>\d+))?\.html$"
)
LISTING_PATH = re.compile(r"^/(?P<section>[A-Za-z-]+)/(?:index(?P<page>\d+)\.html)?$")
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class ReplicaOptions:
    stories: int = 60
    seed: int = 2021
    edition: int = 0  # >= 1: one story edited and two added per edition
    layout: str = "current"  # "changed": every story page in a redesigned template
    # Pages that need a browser (variants script_related, script_body). Off by default: the
    # default portal is what every crawl without a browser is tested against.
    scripted: bool = False
    faults: bool = False  # serve broken and hostile answers on chosen stories (faults.py)
    # Where the fault mode's loopback redirect, meta refresh and hostile script point: a test
    # listens there (a canary) to prove nothing ever reaches it.
    loopback_port: int = 8080
    # The front page and the section listings refresh themselves every minute, as news front
    # pages do (<meta http-equiv="refresh" content="60;url=…their own URL…">).
    refreshing: bool = False
    # A share of the stories the portal took down: gone from the front page, the listings and
    # every related list, their pages 404 (a run of a state that knew them finds far fewer).
    withdrawn: float = 0.0
    # A share of the story pages answered 403 Forbidden, as a portal that starts blocking a
    # crawler does (listings are still served).
    blocked: float = 0.0

    def __post_init__(self) -> None:
        if not 10 <= self.stories <= 1_000_000:
            raise ValueError(f"stories must be between 10 and 1,000,000, not {self.stories}")
        if not 0 <= self.withdrawn < 1:
            raise ValueError(f"withdrawn must be a share from 0 to under 1, not {self.withdrawn}")
        if not 0 <= self.blocked <= 1:
            raise ValueError(f"blocked must be a share between 0 and 1, not {self.blocked}")
        if self.layout not in ("current", "changed"):
            raise ValueError(f"layout must be 'current' or 'changed', not {self.layout!r}")
        if self.edition < 0:
            raise ValueError(f"edition must be >= 0, not {self.edition}")


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False, default=b"")
    # Fault mode: an answer no well-behaved server sends, written straight to the connection.
    misbehave: Callable[[Any], None] | None = field(repr=False, default=None)


def page(status: int, body: bytes, content_type: str = HTML, **extra: str) -> Page:
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    headers.update({name.replace("_", "-"): value for name, value in extra.items()})
    return Page(status, headers, body)


class Portal:
    def __init__(self, options: ReplicaOptions | None = None):
        self.options = options or ReplicaOptions()
        seed = self.options.seed
        rng = random.Random(f"{seed}:index")
        self.entries: list[StoryEntry] = idx.build_entries(self.options.stories, rng)
        self.base = len(self.entries)
        self.specials = idx.Specials()
        idx.assign_variations(self.entries, rng, self.specials)
        titles = StoryWriter(seed, self.entries, self.base, self.specials).title
        idx.assign_special_links(self.entries, rng, self.specials, titles)
        idx.add_edition(
            self.entries,
            random.Random(f"{seed}:edition"),
            self.specials,
            self.options.edition,
            self.base,
        )
        if self.options.scripted:
            idx.assign_scripted(self.entries, random.Random(f"{seed}:scripted"), self.specials)
        rows = len(self.entries)
        self.withdrawn = frozenset(
            random.Random(f"{seed}:withdrawn").sample(
                range(rows), int(rows * self.options.withdrawn)
            )
        )
        self.blocked = frozenset(
            random.Random(f"{seed}:blocked").sample(range(rows), int(rows * self.options.blocked))
        )
        self.writer = StoryWriter(seed, self.entries, self.base, self.specials, self.withdrawn)
        self.by_section: dict[str, list[int]] = {name: [] for name in SECTIONS}
        # Oldest first by URL date (the rollover story's URL day is not its row's day).
        for entry in sorted(self.entries, key=lambda e: (e.url_day, e.index)):
            if entry.index not in self.withdrawn:
                self.by_section[entry.section].append(entry.index)
        self.old_ids = {
            self.entries[row].contentid - self.entries[row].contentid % 4 + idx.OLD_OFFSET: row
            for row in self.specials.redirect_targets
        }
        self._failed_once: set[int] = set()
        self._lock = threading.Lock()
        self.content = lru_cache(maxsize=512)(self.writer.content)
        self.fault_plan = FaultPlan(self) if self.options.faults else None

    # ----- ground truth -------------------------------------------------------------------
    @property
    def front_url(self) -> str:
        return ORIGIN + "/"

    @property
    def section_urls(self) -> list[str]:
        return [f"{ORIGIN}/{name}/" for name in SECTIONS]

    def story_urls(self) -> list[str]:
        return [entry.url for entry in self.entries]

    def expected_stories(self) -> list[dict[str, Any]]:
        return [self.content(entry.index).expected() for entry in self.entries]

    @property
    def faults(self) -> dict[str, Fault]:
        """Fault mode: fault story URL -> the fault it serves and how a crawl should end it."""
        return self.fault_plan.faults if self.fault_plan else {}

    @cached_property
    def duplicates(self) -> list[tuple[str, str, str]]:
        return [
            (self.entries[a].url, self.entries[b].url, kind) for a, b, kind in self.specials.pairs
        ]

    @cached_property
    def variants(self) -> dict[str, list[str]]:
        def urls(rows: list[int]) -> list[str]:
            return [self.entries[row].url for row in rows]

        kinds = {
            kind: [e.url for e in self.entries if e.kind == kind]
            for kind in (*idx.PAGE_KINDS, "duplicate", "near_duplicate")
        }
        dead = [self.entries[row] for row in self.specials.dead]
        return {
            **kinds,
            "dead": [
                ORIGIN + e.path(contentid=e.contentid - e.contentid % 4 + idx.DEAD_OFFSET)
                for e in dead
            ],
            "fails_once": urls(self.specials.fails_once),
            "redirect": [idx.old_url(self.entries[row]) for row in self.specials.redirect_targets],
            "redirect_target": urls(self.specials.redirect_targets),
            "year_rollover": urls(self.specials.rollover),
            "off_portal": [url for _, url in self.specials.off_portal],
            "edited": urls(self.specials.edited),
            "added": urls(self.specials.added),
            "script_related": urls(self.specials.script_related),
            "script_body": urls(self.specials.script_body),
            **(self.fault_plan.variants() if self.fault_plan else {}),
        }

    # ----- serving --------------------------------------------------------------------------
    def respond(self, method: str, url: str) -> Page:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host != HOST:
            return page(403, b"Forbidden: not the portal\n", "text/plain; charset=utf-8")
        if method not in ("GET", "HEAD"):
            return page(
                405, b"Method not allowed\n", "text/plain; charset=utf-8", Allow="GET, HEAD"
            )
        fault = self.fault_plan.respond(parts.path or "/") if self.fault_plan else None
        answer = fault or self.route(parts.path or "/")
        if method == "HEAD":
            return Page(answer.status, answer.headers, b"")
        return answer

    def route(self, path: str) -> Page:
        if path in ("/", "/index.html"):
            return page(200, self.refreshed(self.front_html(), path).encode("utf-8"))
        if path == "/robots.txt":
            return page(200, ROBOTS, "text/plain")
        if path.startswith(("/NMediaFile/", "/img/")):
            return self.asset(path)
        match = STORY_PATH.match(path)
        if match:
            return self.story(match)
        match = LISTING_PATH.match(path)
        if match and match["section"] in SECTIONS:
            return self.listing(match["section"], int(match["page"] or 1))
        if path.strip("/") in SECTIONS:
            return page(301, b"", Location=f"{ORIGIN}/{path.strip('/')}/")
        return self.not_found()

    def not_found(self) -> Page:
        return page(404, pages.not_found_page().encode("utf-8"))

    def asset(self, path: str) -> Page:
        if path.endswith((".jpg", ".png", ".gif")):
            return page(200, JPEG, "image/jpeg")
        if path.endswith(".css"):
            return page(200, b"body{margin:0}\n", "text/css")
        if path.endswith(".js"):
            return page(200, b"/* replica */\n", "application/javascript")
        return self.not_found()

    def row_of(self, match: re.Match[str]) -> StoryEntry | None:
        cid = int(match["cid"])
        row = (cid - idx.BASE_ID) // 4
        if not 0 <= row < len(self.entries):
            return None
        entry = self.entries[row]
        day = entry.url_day
        if (
            entry.section,
            f"{day.year:04d}",
            f"{day.month:02d}{day.day:02d}",
            str(entry.catalog),
        ) != (
            match["section"],
            match["year"],
            match["day"],
            match["catalog"],
        ):
            return None
        return entry

    def story(self, match: re.Match[str]) -> Page:
        entry = self.row_of(match)
        cid = int(match["cid"])
        if entry is None:
            return self.not_found()
        if cid in self.old_ids and match["page"] is None:
            return page(301, b"", Location=self.entries[self.old_ids[cid]].url)
        if cid != entry.contentid or entry.index in self.withdrawn:
            return self.not_found()
        if entry.index in self.blocked:
            return page(403, b"<html><body><h1>403 Forbidden</h1></body></html>")
        if entry.index in self.specials.fails_once and self.first_request(entry.index):
            return page(500, b"<html><body>Erreur interne</body></html>")
        story = self.content(entry.index)
        number = int(match["page"] or 1)
        if match["page"] is not None and not 2 <= number <= len(story.pages):
            return self.not_found()
        return self.story_page(story, number)

    def reset(self) -> None:
        """Forget which stories already failed once, as a freshly started portal would."""
        with self._lock:
            self._failed_once.clear()

    def first_request(self, row: int) -> bool:
        with self._lock:
            if row in self._failed_once:
                return False
            self._failed_once.add(row)
            return True

    def story_page(self, story: StoryContent, number: int) -> Page:
        kind = story.entry.kind
        if self.options.layout == "changed":
            return page(200, pages.redesigned_story_page(story, number).encode("utf-8"))
        if kind in idx.SCRIPTED_KINDS:
            return page(200, pages.story_page(story, number, scripted=kind).encode("utf-8"))
        render = pages.older_story_page if kind == "older_layout" else pages.story_page
        if kind == "latin1":
            html = render(story, number, charset="ISO-8859-1")
            return page(200, html.encode("latin-1", errors="xmlcharrefreplace"), "text/html")
        return page(200, render(story, number).encode("utf-8"))

    # ----- listings -------------------------------------------------------------------------
    def listing_row(self, row: int) -> tuple[str, str, str]:
        entry = self.entries[row]
        return entry.path(), self.writer.story_title(row), f"{entry.published:%d/%m/%Y %H:%M}"

    def listing(self, section: str, number: int) -> Page:
        rows = self.by_section[section][::-1]
        count = max(1, -(-len(rows) // PER_PAGE))
        if not 1 <= number <= count:
            return self.not_found()
        chunk = rows[(number - 1) * PER_PAGE : number * PER_PAGE]
        most_read = self.content(self.entries[rows[0]].index).most_read if rows else []
        html = pages.listing_page(
            section, [self.listing_row(r) for r in chunk], number, count, most_read
        )
        path = f"/{section}/" if number == 1 else f"/{section}/index{number}.html"
        return page(200, self.refreshed(html, path).encode("utf-8"))

    def refreshed(self, html: str, path: str) -> str:
        """With ``refreshing``, the page refreshes itself every minute."""
        if not self.options.refreshing:
            return html
        from newscrawl.replica.faults import refreshing

        return refreshing(html, ORIGIN + path, 60)

    def link(self, row: int) -> tuple[str, str]:
        return self.writer.story_title(row), self.entries[row].url

    def front_html(self) -> str:
        shown = [e for e in self.entries if e.index not in self.withdrawn]
        latest = shown[-1]
        focus = (*self.link(latest.index), picture_path(latest, 1))
        news = [self.link(e.index) for e in shown[-11:-1][::-1]]
        blocks = [
            (name, [self.link(row) for row in rows[::-1][:5]])
            for name, rows in self.by_section.items()
        ]
        return pages.front_page(focus, news, blocks)
