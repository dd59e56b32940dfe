"""The replica's light index: one small row per story, built eagerly; pages are built lazily.

A 100,000-story portal costs one ``StoryEntry`` per story here and nothing else until a page is
requested. Content ids encode the row: ``BASE_ID + 4 * index + jitter`` (jitter 0 or 1), so a URL
maps back to its row by arithmetic; ``+ 2`` ids are dead links, ``+ 3`` ids are old URLs that
redirect.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newscrawl.replica.textbank import OFF_PORTAL_TITLES

HOST = "french.peopledaily.com.cn"
ORIGIN = f"http://{HOST}"
BASE_ID = 9_500_000
DEAD_OFFSET = 2
OLD_OFFSET = 3

# Section path -> (catalog id, label shown in navigation).
SECTIONS: dict[str, tuple[int, str]] = {
    "Chine": (31357, "Chine"),
    "Economie": (31355, "Économie"),
    "International": (31356, "International"),
    "Afrique": (96852, "Afrique"),
    "Culture": (31359, "Culture"),
    "Sports": (31361, "Sports"),
    "Sci-Edu": (31358, "Science"),
    "VieSociale": (31360, "Vie sociale"),
}
SECTION_NAMES = tuple(SECTIONS)

START = datetime(2021, 1, 4, 6, 0)
END = datetime(2022, 12, 30, 22, 0)
ROLLOVER_DAY = datetime(2021, 12, 31)

# Story kinds that change how a page is built (a story has at most one).
PAGE_KINDS = ("older_layout", "multipage", "photo", "latin1")


@dataclass(slots=True)
class StoryEntry:
    index: int
    section: str
    published: datetime  # Beijing time shown in the date line
    url_day: datetime  # the day in the URL (differs from published only for year rollover)
    contentid: int
    kind: str = "plain"  # plain, one of PAGE_KINDS, duplicate, near_duplicate
    text_of: int = -1  # row whose text this story carries (duplicates); -1 = its own

    @property
    def catalog(self) -> int:
        return SECTIONS[self.section][0]

    @property
    def text_source(self) -> int:
        return self.index if self.text_of < 0 else self.text_of

    def path(self, page: int = 1, contentid: int | None = None) -> str:
        suffix = "" if page == 1 else f"-{page}"
        cid = self.contentid if contentid is None else contentid
        day = self.url_day  # integer formatting: strftime was a sixth of the replica's CPU
        return (
            f"/{self.section}/n3/{day.year:04d}/{day.month:02d}{day.day:02d}/"
            f"c{self.catalog}-{cid}{suffix}.html"
        )

    @property
    def url(self) -> str:
        return ORIGIN + self.path()


@dataclass
class Specials:
    """Stories and links that exercise the crawler's error handling, chosen once per portal."""

    fails_once: list[int] = field(default_factory=list)
    redirect_targets: list[int] = field(default_factory=list)  # rows whose old id 301s to them
    rollover: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)  # rows whose id + DEAD_OFFSET is a dead link
    off_portal: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    # host row -> extra related headlines (title, href, canonical url) placed on its page
    extra_related: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    pairs: list[tuple[int, int, str]] = field(default_factory=list)  # (first, copy, kind)
    edited: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    script_related: list[int] = field(default_factory=list)  # related list written by a script
    script_body: list[int] = field(default_factory=list)  # paragraphs written by a script


def variation_count(stories: int) -> int:
    """A handful of each variation even in a small portal, about 5% of a large one."""
    return max(1, round(stories * 0.05))


def build_dates(stories: int, rng: random.Random) -> list[datetime]:
    step = (END - START) / stories
    return [START + step * (i + rng.random() * 0.5) for i in range(stories)]


def build_sections(stories: int, rng: random.Random) -> list[str]:
    """Balanced: each run of eight stories covers all eight sections in a shuffled order."""
    names: list[str] = []
    while len(names) < stories:
        block = list(SECTION_NAMES)
        rng.shuffle(block)
        names.extend(block)
    return names[:stories]


def build_entries(stories: int, rng: random.Random) -> list[StoryEntry]:
    dates = build_dates(stories, rng)
    sections = build_sections(stories, rng)
    entries = []
    for i in range(stories):
        when = dates[i].replace(second=0, microsecond=0)
        day = when.replace(hour=0, minute=0)
        cid = BASE_ID + 4 * i + rng.randrange(2)
        entries.append(StoryEntry(i, sections[i], when, day, cid))
    return entries


def other_section(section: str, rng: random.Random) -> str:
    return rng.choice([name for name in SECTION_NAMES if name != section])


class RowPool:
    """Rows not yet given a variation, taken at random or near a given row."""

    def __init__(self, rows: int, rng: random.Random):
        self.order = list(range(rows))
        rng.shuffle(self.order)
        self.free = set(self.order)

    def take(self) -> int | None:
        while self.order:
            row = self.order.pop()
            if row in self.free:
                self.free.discard(row)
                return row
        return None

    def take_after(self, row: int, window: int = 40) -> int | None:
        """The nearest free row after ``row``: a copy is published soon after its original."""
        for near in range(row + 1, row + window):
            if near in self.free:
                self.free.discard(near)
                return near
        return self.take()

    def take_nearest(self, entries: list[StoryEntry], day: datetime) -> int | None:
        if not self.free:
            return None
        row = min(self.free, key=lambda r: (abs(entries[r].url_day - day), r))
        self.free.discard(row)
        return row


def assign_variations(entries: list[StoryEntry], rng: random.Random, specials: Specials) -> None:
    """Give page kinds and duplicate pairs to disjoint random rows; the rest stay plain."""
    pool = RowPool(len(entries), rng)
    count = variation_count(len(entries))
    for kind in PAGE_KINDS:
        for _ in range(count):
            row = pool.take()
            if row is not None:
                entries[row].kind = kind
    for kind in ("duplicate", "near_duplicate"):
        for _ in range(count):
            first = pool.take()
            copy = None if first is None else pool.take_after(first)
            if first is None or copy is None:
                break
            first, copy = sorted((first, copy))
            entries[copy].kind = kind
            entries[copy].text_of = first
            entries[copy].section = other_section(entries[first].section, rng)
            specials.pairs.append((first, copy, kind))
    specials.pairs.sort()
    for name in ("fails_once", "redirect_targets"):
        row = pool.take()
        if row is not None:
            getattr(specials, name).append(row)
    row = pool.take_nearest(entries, ROLLOVER_DAY)
    if row is not None:
        specials.rollover.append(row)
        make_rollover(entries[row], rng)


def make_rollover(entry: StoryEntry, rng: random.Random) -> None:
    """URL dated 31/12, date line 02/01: the story was updated in the next year."""
    entry.url_day = ROLLOVER_DAY
    entry.published = datetime(2022, 1, 2, rng.randrange(7, 20), rng.randrange(60))


def plain_rows(entries: list[StoryEntry], specials: Specials) -> list[int]:
    busy = set(specials.fails_once + specials.redirect_targets + specials.rollover)
    return [e.index for e in entries if e.kind == "plain" and e.index not in busy]


OFF_PORTAL_URLS = (
    "http://en.people.cn/n3/{y}/{md}/c90000-{cid}.html",
    "http://www.xinhuanet.com/french/{y}-{m}/{d}/c_{cid}.htm",
    "http://french.cri.cn/{y}/{md}/article_{cid}.html",
)


def assign_special_links(
    entries: list[StoryEntry], rng: random.Random, specials: Specials, titles: Callable[[int], str]
) -> None:
    """Put dead, redirecting and off-portal links into the related lists of plain stories."""
    hosts = plain_rows(entries, specials) or [e.index for e in entries]
    count = max(2, len(entries) // 40)
    specials.dead = sorted(rng.sample(range(len(entries)), min(count, len(entries))))
    for row in specials.dead:
        entry = entries[row]
        url = ORIGIN + entry.path(contentid=entry.contentid - entry.contentid % 4 + DEAD_OFFSET)
        title = titles(rng.randrange(len(entries)) + len(entries) * 7)  # a headline never served
        add_extra(specials, rng.choice(hosts), (title, url, url))
    for row in specials.redirect_targets:
        entry = entries[row]
        url = old_url(entry)
        add_extra(specials, rng.choice(hosts), (titles(row), url, url))
    for number in range(max(3, len(entries) // 20)):
        entry = entries[rng.randrange(len(entries))]
        shape = OFF_PORTAL_URLS[number % len(OFF_PORTAL_URLS)]
        day = entry.url_day
        url = shape.format(
            y=day.year, md=f"{day:%m%d}", m=f"{day:%m}", d=f"{day:%d}", cid=entry.contentid + 7
        )
        title = OFF_PORTAL_TITLES[number % len(OFF_PORTAL_TITLES)]
        specials.off_portal.append((title, url))
        add_extra(specials, rng.choice(hosts), (title, url, url))


def old_url(entry: StoryEntry) -> str:
    return ORIGIN + entry.path(contentid=entry.contentid - entry.contentid % 4 + OLD_OFFSET)


def add_extra(specials: Specials, host: int, link: tuple[str, str, str]) -> None:
    specials.extra_related.setdefault(host, []).append(link)


def add_edition(
    entries: list[StoryEntry], rng: random.Random, specials: Specials, edition: int, base: int
) -> None:
    """Edition e edits one plain story (later date line) and adds two stories on top."""
    candidates = [
        row for row in plain_rows(entries[:base], specials) if entries[row].published.hour < 20
    ]
    rng.shuffle(candidates)
    last = entries[base - 1].published
    for number in range(1, edition + 1):
        if candidates:
            row = candidates.pop()
            specials.edited.append(row)
            entries[row].published += timedelta(minutes=37 * number)
        for offset in range(2):
            index = len(entries)
            when = last + timedelta(hours=2 * number, minutes=11 * offset)
            section = SECTION_NAMES[(index + offset) % len(SECTION_NAMES)]
            cid = BASE_ID + 4 * index
            day = when.replace(hour=0, minute=0)
            entries.append(StoryEntry(index, section, when, day, cid))
            specials.added.append(index)


# Stories whose page needs a browser: the related list, or the body, is written by a script.
SCRIPTED_KINDS = ("script_related", "script_body")


def scripted_count(stories: int) -> int:
    """Both kinds together about 5% of a large portal, two of each in a small one."""
    return max(1, round(stories * 0.025))


def assign_scripted(entries: list[StoryEntry], rng: random.Random, specials: Specials) -> None:
    """Make a few plain one-page stories script-written, after every other variation is chosen.

    Drawn last and from their own random stream, so a portal with script pages differs from
    one without only on those pages. Rows that carry a special link or a duplicate's text are
    left alone: they keep those links reachable and those texts comparable without a browser.
    """
    taken = set(specials.edited + specials.added)
    taken |= {row for pair in specials.pairs for row in pair[:2]}
    taken |= set(specials.extra_related)
    rows = [row for row in plain_rows(entries, specials) if row not in taken]
    count = scripted_count(len(entries))
    picked = rng.sample(rows, min(len(rows), 2 * count))
    for number, row in enumerate(sorted(picked)):
        kind = SCRIPTED_KINDS[number % 2]
        entries[row].kind = kind
        getattr(specials, kind).append(row)
