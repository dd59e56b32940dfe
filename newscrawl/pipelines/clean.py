"""Cleaning: every text field of a story decoded, repaired, normalised and stripped of boilerplate.

Per text value, in this order:

1. HTML entities decoded (``&eacute;``, ``&nbsp;``, double-escaped ``&amp;eacute;`` too);
2. mojibake from a wrong charset repaired with ftfy (``Ã©tÃ©`` -> ``été``), with the
   fixes that would change legitimate French typography switched off (curly quotes and
   apostrophes stay curly); text that still looks garbled afterwards (ftfy's badness
   heuristic, or U+FFFD replacement characters: letters already lost) rejects the story
   with reason ``mojibake``, so it is never emitted garbled;
3. Unicode NFC;
4. white space: see :mod:`newscrawl.text` — NBSP, narrow NBSP and figure space become
   plain spaces, runs collapse, inside a paragraph; the body keeps its paragraph breaks.

The body's paragraphs that are boilerplate are dropped wherever they are, empty paragraphs
too, and ``word_count`` is recomputed. What is boilerplate is mostly a portal's own business:
its site profile (found by the story's ``site``) names its whole-paragraph patterns and the
sentences it glues into text (``boilerplate_paragraphs``, ``boilerplate_inline``); this module
adds only what any French newswire writes (a paragraph that is only a photo credit) and
``NEWSCRAWL_BOILERPLATE_PATTERNS``. Cleaning is idempotent: a cleaned story cleaned again is
unchanged.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE
from scrapy.crawler import Crawler

from newscrawl import setting
from newscrawl.config import config_of
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.sites import PROFILES
from newscrawl.text import join_paragraphs, split_paragraphs, squash
from newscrawl.workers import Workers

# Whole paragraphs that are never body text on any site; matched after white space is squashed.
GENERIC_BOILERPLATE: tuple[str, ...] = (
    # A paragraph that is only a photo credit; credits inside a sentence are body text.
    r"\( ?Photos? ?[:\uff1a][^()]*\)",
)

# ftfy's defaults, minus the fixes that undo legitimate text: curly quotes and the French
# apostrophe stay as written; HTML is unescaped before ftfy, by us, so ftfy does not guess.
FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, explain=False)
_MAX_UNESCAPE_ROUNDS = 3  # double-escaped entities (&amp;nbsp;) are common in CMS output
_SAMPLE_CHARS = 120  # of a garbled line, quoted in the rejection

# Every character one of ftfy's fixers other than fix_encoding would change, from ftfy's own
# tables: C1 controls, ligatures, full- and half-width forms, line breaks other than "\n",
# surrogates, the escape that starts a terminal code, the control characters it removes. A text
# without any of them, already NFC, whose every segment (ftfy fixes line by line) ftfy's own
# badness heuristic finds no mojibake in, is returned unchanged by ftfy.fix_text: the fast path
# below gives ftfy's answer without its nine passes over the text (BENCHMARKS.md, *Cleaning*).
_FTFY_TOUCHES = re.compile(
    "[\x80-\x9f\r\u2028\u2029\x1b\ud800-\udfff"
    + "".join(
        re.escape(chr(code))
        for code in sorted({*chardata.CONTROL_CHARS, *chardata.LIGATURES, *chardata.WIDTH_MAP})
    )
    + "]"
)


class Mojibake(ValueError):
    """Text that is still garbled after repair; ``field`` says where."""

    def __init__(self, field: str, sample: str) -> None:
        super().__init__(f"{field}: {sample!r}")
        self.field = field
        self.sample = sample


@dataclass(frozen=True)
class CleanConfig:
    """Whole-paragraph patterns added to every site's own (``NEWSCRAWL_BOILERPLATE_PATTERNS``)."""

    extra_boilerplate: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> CleanConfig:
        return cls(setting.patterns(settings, "NEWSCRAWL_BOILERPLATE_PATTERNS"))


@dataclass(frozen=True)
class Boilerplate:
    """What is not text for one site: whole paragraphs, and sentences cut wherever they are."""

    paragraphs: tuple[re.Pattern[str], ...]
    inline: tuple[re.Pattern[str], ...]

    def cut(self, text: str) -> str:
        for pattern in self.inline:
            text = pattern.sub("", text)
        return text

    def is_paragraph(self, paragraph: str) -> bool:
        return any(pattern.fullmatch(paragraph) for pattern in self.paragraphs)


@lru_cache(maxsize=64)
def boilerplate_of(site: str, extra: tuple[re.Pattern[str], ...] = ()) -> Boilerplate:
    """The site profile's boilerplate (none for a site no profile names), the generic
    patterns and ``extra``, compiled once per site."""
    profile = PROFILES.get(site)
    own = profile.boilerplate_paragraphs if profile else ()
    inline = profile.boilerplate_inline if profile else ()
    return Boilerplate(
        paragraphs=(*_compiled((*own, *GENERIC_BOILERPLATE)), *extra),
        inline=_compiled(inline),
    )


def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


# Where ftfy's badness heuristic (ftfy.badness.BADNESS_RE, a search for unlikely neighbours)
# can match at all: each of its patterns holds two neighbouring non-ASCII characters, a C1
# control, a ligature "œ" before a non-letter, or "Ã"/"Â" before a space. A match is at most 7
# characters long, so it lies within a few characters of one of these.
_MOJIBAKE_SEED = re.compile("[^\x00-\x7f]{2}|[\x80-\x9f]|[Œœ][^A-Za-z]|[ÃÂ] ")
_SEED_MARGIN = 10  # characters searched on each side of a seed (> the longest match)
_MAX_SEEDS = 16  # past this many, one search of the whole text is quicker


def is_bad(text: str) -> bool:
    """ftfy's ``is_bad`` (does this text look like it holds mojibake?), searched only around
    the places where its heuristic can match: the same answer, without running its long
    alternation at every character of a text that has nothing of the kind."""
    seeds = []
    for seed in _MOJIBAKE_SEED.finditer(text):
        seeds.append(seed)
        if len(seeds) > _MAX_SEEDS:
            return BADNESS_RE.search(text) is not None
    return any(
        BADNESS_RE.search(text, max(seed.start() - _SEED_MARGIN, 0), seed.end() + _SEED_MARGIN)
        for seed in seeds
    )


def unescape(text: str) -> str:
    for _ in range(_MAX_UNESCAPE_ROUNDS):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def garbled_line(text: str, known_good: frozenset[str] = frozenset()) -> str | None:
    """The first line that still looks like mojibake, or holds letters already lost (U+FFFD).

    ``known_good``: lines ftfy's heuristic already found no mojibake in (see :func:`repaired`).
    """
    for line in text.splitlines():
        if "\ufffd" in line or (line not in known_good and is_bad(line)):
            return line
    return None


def _segments(text: str) -> list[str]:
    """The pieces ftfy.fix_text fixes one by one: each line with its "\n", cut at ftfy's
    ``max_decode_length``."""
    pieces: list[str] = []
    position, size, longest = 0, len(text), FTFY_CONFIG.max_decode_length
    while position < size:
        end = text.find("\n", position) + 1 or size
        end = min(end, position + longest)
        pieces.append(text[position:end])
        position = end
    return pieces


def repaired(text: str) -> tuple[str, frozenset[str]]:
    """Entities decoded, mojibake repaired, NFC; and the lines ftfy's heuristic found clean.

    ftfy itself runs only where it would change something: on a text with a character one of
    its fixers changes, not in NFC, or a segment its badness heuristic flags (``is_bad``: the
    very test with which ftfy decides whether to repair). Otherwise the text is returned as
    ftfy would return it, with its lines, which :func:`garbled_line` need not check again: a
    line of a segment ftfy found clean is clean (the heuristic has no look-ahead).
    """
    if "&" in text:
        text = unescape(text)
    if not _FTFY_TOUCHES.search(text) and unicodedata.is_normalized("NFC", text):
        segments = _segments(text)
        if not any(is_bad(segment) for segment in segments):
            return text, frozenset(segment.rstrip("\n") for segment in segments)
    return unicodedata.normalize("NFC", ftfy.fix_text(text, FTFY_CONFIG)), frozenset()


def repair(text: str) -> str:
    """Entities decoded, mojibake repaired, NFC."""
    return repaired(text)[0]


def repair_with_ftfy(text: str) -> str:
    """:func:`repair` without its fast path: ftfy on every text (the reference the fast path
    is checked against)."""
    return unicodedata.normalize("NFC", ftfy.fix_text(unescape(text), FTFY_CONFIG))


def readable(text: str, field: str, known_good: frozenset[str] = frozenset()) -> str:
    """The text itself, or :class:`Mojibake` if it still looks garbled.

    Checked on the final text, not before white space is squashed, so that what passes
    once passes again (ftfy's heuristic looks at neighbouring characters).
    """
    garbled = garbled_line(text, known_good)
    if garbled is not None:
        raise Mojibake(field, garbled[:_SAMPLE_CHARS])
    return text


def tidy(text: str, site: Boilerplate) -> str:
    """One line, white space squashed, the site's inline boilerplate cut out."""
    return squash(site.cut(squash(text)))


def clean_line(text: str, field: str, site: Boilerplate) -> str:
    fixed, good = repaired(text)
    return readable(tidy(fixed, site), field, good)


def clean_optional(text: str | None, field: str, site: Boilerplate) -> str | None:
    return (clean_line(text, field, site) or None) if text is not None else None


def clean_body(body: str, site: Boilerplate) -> str:
    fixed, good = repaired(body)
    paragraphs = [tidy(p, site) for p in split_paragraphs(fixed)]
    kept = [p for p in paragraphs if p and not site.is_paragraph(p)]
    return readable(join_paragraphs(kept), "body", good)


def clean_list(values: list[str], field: str, site: Boilerplate) -> list[str]:
    """Each value cleaned; empty values and repeats dropped, order kept."""
    cleaned = (clean_line(v, field, site) for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))


def clean_images(images: list[dict[str, Any]], site: Boilerplate) -> list[dict[str, Any]]:
    return [
        {**img, "caption": clean_optional(img.get("caption"), "images", site)} for img in images
    ]


def clean_related(related: list[dict[str, str]], site: Boilerplate) -> list[dict[str, str]]:
    """Headlines with cleaned titles; an entry left without a title (the WeChat box) is dropped."""
    cleaned = [
        {**link, "title": clean_line(link.get("title") or "", "related", site)} for link in related
    ]
    return [link for link in cleaned if link["title"]]


def clean_story(story: Story, config: CleanConfig) -> Story:
    """The story with every text field cleaned; raises :class:`Mojibake` if one stays garbled."""
    site = boilerplate_of(story.site, config.extra_boilerplate)
    body = clean_body(story.body, site)
    return dataclasses.replace(
        story,
        title=clean_line(story.title, "title", site),
        section=clean_optional(story.section, "section", site),
        source=clean_optional(story.source, "source", site),
        summary=clean_optional(story.summary, "summary", site),
        editors=clean_list(story.editors, "editors", site),
        keywords=clean_list(story.keywords, "keywords", site),
        body=body,
        images=clean_images(story.images, site),
        related=clean_related(story.related, site),
        word_count=len(body.split()),
    )


class CleanStoryPipeline:
    def __init__(self, config: CleanConfig, crawler: Crawler | None = None) -> None:
        self.config = config
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanStoryPipeline:
        return cls(config_of(crawler).clean, crawler)

    def process_item(self, item: Any) -> Any:
        """The cleaned story; with workers, a coroutine Scrapy awaits (newscrawl.workers)."""
        if not isinstance(item, Story):
            return item
        workers = Workers.of(self.crawler) if self.crawler is not None else None
        if workers is not None:
            if workers.cleaned(item):
                return item  # cleaned by the worker that read its page
            return self._clean_in(workers, item)
        try:
            return clean_story(item, self.config)
        except Mojibake as garbled:
            raise StoryRejected(
                item.url, "mojibake", field=garbled.field, sample=garbled.sample
            ) from garbled

    async def _clean_in(self, workers: Workers, item: Story) -> Story:
        cleaned, field, sample = await workers.clean(item)
        if cleaned is None:
            raise StoryRejected(item.url, "mojibake", field=field, sample=sample)
        return cleaned  # type: ignore[no-any-return]
