"""What a story says: text, pictures, related headlines. Built on demand from (seed, row).

Each piece draws from its own random stream keyed by the seed and the row, so building one story
never depends on which stories were built before it, and an edition leaves the others untouched.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass
from typing import Any

from newscrawl.replica import textbank
from newscrawl.replica.index import HOST, ORIGIN, SECTIONS, Specials, StoryEntry

# How a related headline's href is spelled; absolute is the portal's usual spelling.
SPELLINGS = ("absolute", "absolute", "absolute", "root", "protocol", "https", "query", "fragment")


@dataclass(frozen=True)
class Block:
    """One body paragraph: text, an empty ``&nbsp;`` paragraph, or a picture with its caption."""

    kind: str  # "p", "empty", "img"
    text: str = ""
    src: str = ""


@dataclass(frozen=True)
class RelatedHeadline:
    title: str
    href: str  # as written on the page
    url: str  # absolute canonical


@dataclass
class StoryContent:
    entry: StoryEntry
    title: str
    source: str
    editors: list[str]
    keywords: list[str]
    summary: str
    pages: list[list[Block]]
    related: list[RelatedHeadline]
    most_read: list[tuple[str, str]]  # (title, url)
    teaser: tuple[str, str, str]  # (title, url, picture path)
    shows_related: bool = True  # False: an older layout without a related block

    def expected(self) -> dict[str, Any]:
        """The story a correct crawler emits for this page (article.expected.json's shape)."""
        blocks = [block for page in self.pages for block in page]
        body = "\n\n".join(block.text for block in blocks if block.kind == "p")
        published, modified = self.entry.published, None
        if published.date() != self.entry.url_day.date():  # updated on a later day
            published, modified = self.entry.url_day.replace(hour=0, minute=0), published
        return {
            "url": self.entry.url,
            "title": self.title,
            # The date line is the last update; the URL's day the publication (see the
            # portal's site profile).
            "published_at": published.strftime("%Y-%m-%dT%H:%M:00+08:00"),
            "modified_at": modified.strftime("%Y-%m-%dT%H:%M:00+08:00") if modified else None,
            "section": self.entry.section,
            "section_name": SECTIONS[self.entry.section][1],  # as the navigation shows it
            "source": self.source,
            "authors": [self.editors[0]],  # meta[name=author]
            "editors": list(self.editors),
            "keywords": list(self.keywords),
            "summary": self.summary,
            "body": body,
            "related": [{"title": rel.title, "url": rel.url} for rel in self.related]
            if self.shows_related
            else [],
            "images": [
                {"url": ORIGIN + block.src, "caption": block.text}
                for block in blocks
                if block.kind == "img"
            ],
            "language": "fr",
            "site": "peopledaily_fr",
            "word_count": len(body.split()),
        }


def spell(path: str, rng: random.Random) -> str:
    spelling = rng.choice(SPELLINGS)
    return {
        "absolute": ORIGIN + path,
        "root": path,
        "protocol": f"//{HOST}{path}",
        "https": f"https://{HOST}{path}",
        "query": f"{ORIGIN}{path}?from=rel",
        "fragment": f"{ORIGIN}{path}#rel",
    }[spelling]


class StoryWriter:
    """Builds a story's content from the index; cheap enough to call once per request."""

    def __init__(
        self,
        seed: int,
        entries: list[StoryEntry],
        base: int,
        specials: Specials,
        withdrawn: frozenset[int] = frozenset(),
    ):
        self.seed = seed
        self.entries = entries
        self.base = base
        self.specials = specials
        self.withdrawn = withdrawn  # rows the portal took down: no related headline to them
        self.edited = set(specials.edited)
        self.photo_rows = [e.index for e in entries[:base] if e.kind == "photo"]
        # Every other older-layout story has no related block at all.
        older = [e.index for e in entries if e.kind == "older_layout"]
        self.without_related = set(older[1::2])
        # A story's title is written on every page that links to it (related headlines,
        # listings, most read): drawn once, not on each of those pages.
        self.title = functools.lru_cache(maxsize=65536)(self.title)  # type: ignore[method-assign]

    def rng(self, purpose: str, row: int) -> random.Random:
        return random.Random(f"{self.seed}:{purpose}:{row}")

    def title(self, row: int) -> str:
        return textbank.headline(self.rng("title", row))

    def story_title(self, row: int) -> str:
        return self.title(self.entries[row].text_source)

    def content(self, row: int) -> StoryContent:
        entry = self.entries[row]
        rng = self.rng("text", entry.text_source)
        source = rng.choice(textbank.SOURCES)
        editors = textbank.editors(rng)
        keywords = textbank.keywords(rng)
        low = 6 if entry.kind == "multipage" else 4
        paragraphs = [textbank.paragraph(rng) for _ in range(rng.randint(low, 10))]
        if entry.kind == "near_duplicate":
            touch_up_one_sentence(paragraphs, self.rng("near", row))
            paragraphs[-1][-1] += " (Xinhua)"
        if row in self.edited:
            edit_one_sentence(paragraphs, self.rng("edit", row))
        blocks = self.blocks(entry, [" ".join(p) for p in paragraphs])
        related = self.related(row)
        return StoryContent(
            entry=entry,
            title=self.story_title(row),
            source=source,
            editors=editors,
            keywords=keywords,
            summary=paragraphs[0][0],
            pages=split_pages(blocks, self.rng("pages", row))
            if entry.kind == "multipage"
            else [blocks],
            related=related,
            most_read=self.most_read(row, related),
            teaser=self.teaser(row, related),
            shows_related=row not in self.without_related,
        )

    def blocks(self, entry: StoryEntry, texts: list[str]) -> list[Block]:
        blocks = [Block("p", text) for text in texts]
        if len(blocks) >= 4:
            blocks.insert(3, Block("empty"))
        if entry.kind == "photo":
            rng = self.rng("photo", entry.index)
            for number in range(rng.randint(2, 3), 0, -1):
                at = 0 if number == 1 else rng.randrange(1, len(blocks))
                blocks.insert(
                    at, Block("img", rng.choice(textbank.CAPTIONS), picture_path(entry, number))
                )
        return blocks

    def related(self, row: int) -> list[RelatedHeadline]:
        rng = self.rng("rel", row)
        extras = self.specials.extra_related.get(row, [])
        count = max(1, min(rng.randint(4, 12), 12 - len(extras), self.base - 1))
        targets = [t for t in rng.sample(range(self.base), min(count + 1, self.base)) if t != row]
        links = []
        for target in targets[:count]:
            if target in self.withdrawn:
                continue
            path = self.entries[target].path()
            links.append(RelatedHeadline(self.story_title(target), spell(path, rng), ORIGIN + path))
        for title, href, url in extras:
            links.insert(rng.randrange(len(links) + 1), RelatedHeadline(title, href, url))
        return links

    def most_read(self, row: int, related: list[RelatedHeadline]) -> list[tuple[str, str]]:
        """Three other stories that are not among the related headlines."""
        rng = self.rng("most", row)
        taken = {self.entries[row].url} | {rel.url for rel in related}
        picks: list[tuple[str, str]] = []
        for _ in range(30):
            if len(picks) == 3:
                break
            entry = self.entries[rng.randrange(self.base)]
            if entry.url not in taken:
                taken.add(entry.url)
                picks.append((self.story_title(entry.index), entry.url))
        return picks

    def teaser(self, row: int, related: list[RelatedHeadline]) -> tuple[str, str, str]:
        """A photo story for the right column, never one of the related headlines."""
        rng = self.rng("teaser", row)
        taken = {self.entries[row].url} | {rel.url for rel in related}
        pick = row
        for _ in range(20):  # a few random tries: scanning all photo stories is O(portal)
            if not self.photo_rows:
                break
            candidate = rng.choice(self.photo_rows)
            if self.entries[candidate].url not in taken:
                pick = candidate
                break
        entry = self.entries[pick]
        return self.story_title(pick), entry.url, picture_path(entry, 1)


def picture_path(entry: StoryEntry, number: int) -> str:
    day = entry.url_day
    stamp = entry.published.strftime("%Y%m%d%H%M")
    return f"/NMediaFile/{day:%Y}/{day:%m%d}/FOREIGN{stamp}{entry.contentid}{number:02d}.jpg"


def edit_one_sentence(paragraphs: list[list[str]], rng: random.Random) -> None:
    where = rng.randrange(len(paragraphs))
    sentences = paragraphs[where]
    which = rng.randrange(len(sentences))
    replacement = textbank.sentence(rng)
    while replacement == sentences[which]:
        replacement = textbank.sentence(rng)
    sentences[which] = replacement


# Words an editor slips into a wire story it republishes.
TOUCH_UP_WORDS = ("également", "notamment", "toutefois", "ainsi", "aussi", "déjà", "encore")


def touch_up_one_sentence(paragraphs: list[list[str]], rng: random.Random) -> None:
    """A near copy's edit: one word slipped into one sentence.

    Small on purpose: a rewritten sentence in a short story can bring the copy's 5-shingle
    Jaccard similarity under the dedup threshold (0.8), which would make the replica's
    ground truth ("near duplicate") contradict the pipeline's definition. One inserted word
    replaces at most 4 shingles by 5, so every near copy stays clearly near (>= 0.85; the
    replica tests check it on 2,000 stories).
    """
    where = rng.randrange(len(paragraphs))
    sentences = paragraphs[where]
    which = rng.randrange(len(sentences))
    words = sentences[which].split(" ")
    # After a word of letters only (not the first, the last, nor one inside a quotation).
    gaps = [i for i in range(1, len(words) - 1) if words[i].isalpha()]
    at = rng.choice(gaps) if gaps else len(words) - 1
    words.insert(at + 1, rng.choice(TOUCH_UP_WORDS))
    sentences[which] = " ".join(words)


def split_pages(blocks: list[Block], rng: random.Random) -> list[list[Block]]:
    """Two or three pages, each starting with a text paragraph."""
    starts = [i for i, block in enumerate(blocks) if block.kind == "p" and i > 0]
    count = min(rng.randint(2, 3), len(starts) + 1)
    step = len(starts) / count
    cuts = [0] + [starts[int(step * k)] for k in range(1, count)] + [len(blocks)]
    return [blocks[a:b] for a, b in itertools.pairwise(cuts) if a < b]
