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

The body's paragraphs that are portal boilerplate are dropped wherever they are (see
:data:`PORTAL_BOILERPLATE`), empty paragraphs too, and ``word_count`` is recomputed.
Cleaning is idempotent: a cleaned story cleaned again is unchanged.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import ftfy
from ftfy.badness import is_bad
from scrapy.crawler import Crawler

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.text import join_paragraphs, split_paragraphs, squash

# Whole paragraphs the portal adds around every story; matched after white space is squashed.
PORTAL_BOILERPLATE: tuple[str, ...] = (
    # The WeChat box (also inside the related headlines).
    r"Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre\.?",
    # Share labels, alone or followed by the networks' names.
    r"(?:Partager|Partagez)(?: sur| cet article| l'article)? ?:?"
    r"(?: ?(?:Facebook|Twitter|X|LinkedIn|WeChat|Weibo|WhatsApp|E-?mail|Courriel|Imprimer)"
    r"[ ,|/]*)*",
    # The editors line: its names are in the story's ``editors`` field, not body text.
    r"\( ?Rédacteurs? ?[:\uff1a].*\)",
    # A paragraph that is only a photo credit; credits inside a sentence are body text.
    r"\( ?Photos? ?[:\uff1a][^()]*\)",
)
# The WeChat sentence is removed even where it is glued to a paragraph of text.
WECHAT_SENTENCE = re.compile(
    r" ?Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre\.?",
    re.IGNORECASE,
)

# ftfy's defaults, minus the fixes that undo legitimate text: curly quotes and the French
# apostrophe stay as written; HTML is unescaped before ftfy, by us, so ftfy does not guess.
FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, explain=False)
_MAX_UNESCAPE_ROUNDS = 3  # double-escaped entities (&amp;nbsp;) are common in CMS output
_SAMPLE_CHARS = 120  # of a garbled line, quoted in the rejection


class Mojibake(ValueError):
    """Text that is still garbled after repair; ``field`` says where."""

    def __init__(self, field: str, sample: str) -> None:
        super().__init__(f"{field}: {sample!r}")
        self.field = field
        self.sample = sample


@dataclass(frozen=True)
class CleanConfig:
    boilerplate: tuple[re.Pattern[str], ...]

    @classmethod
    def from_settings(cls, settings: Any) -> CleanConfig:
        patterns = settings.getlist("NEWSCRAWL_BOILERPLATE_PATTERNS") or PORTAL_BOILERPLATE
        compiled = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        return cls(boilerplate=compiled)


def unescape(text: str) -> str:
    for _ in range(_MAX_UNESCAPE_ROUNDS):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def garbled_line(text: str) -> str | None:
    """The first line that still looks like mojibake, or holds letters already lost (U+FFFD)."""
    for line in text.splitlines():
        if "\ufffd" in line or is_bad(line):
            return line
    return None


def repair(text: str) -> str:
    """Entities decoded, mojibake repaired, NFC."""
    return unicodedata.normalize("NFC", ftfy.fix_text(unescape(text), FTFY_CONFIG))


def readable(text: str, field: str) -> str:
    """The text itself, or :class:`Mojibake` if it still looks garbled.

    Checked on the final text, not before white space is squashed, so that what passes
    once passes again (ftfy's heuristic looks at neighbouring characters).
    """
    garbled = garbled_line(text)
    if garbled is not None:
        raise Mojibake(field, garbled[:_SAMPLE_CHARS])
    return text


def tidy(text: str) -> str:
    """One line, white space squashed, the WeChat sentence cut out."""
    return squash(WECHAT_SENTENCE.sub("", squash(text)))


def clean_line(text: str, field: str) -> str:
    return readable(tidy(repair(text)), field)


def clean_optional(text: str | None, field: str) -> str | None:
    return (clean_line(text, field) or None) if text is not None else None


def clean_body(body: str, config: CleanConfig) -> str:
    paragraphs = [tidy(p) for p in split_paragraphs(repair(body))]
    kept = [p for p in paragraphs if p and not any(b.fullmatch(p) for b in config.boilerplate)]
    return readable(join_paragraphs(kept), "body")


def clean_list(values: list[str], field: str) -> list[str]:
    """Each value cleaned; empty values and repeats dropped, order kept."""
    cleaned = (clean_line(v, field) for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))


def clean_images(images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**img, "caption": clean_optional(img.get("caption"), "images")} for img in images]


def clean_related(related: list[dict[str, str]]) -> list[dict[str, str]]:
    """Headlines with cleaned titles; an entry left without a title (the WeChat box) is dropped."""
    cleaned = [
        {**link, "title": clean_line(link.get("title") or "", "related")} for link in related
    ]
    return [link for link in cleaned if link["title"]]


def clean_story(story: Story, config: CleanConfig) -> Story:
    """The story with every text field cleaned; raises :class:`Mojibake` if one stays garbled."""
    body = clean_body(story.body, config)
    return dataclasses.replace(
        story,
        title=clean_line(story.title, "title"),
        section=clean_optional(story.section, "section"),
        source=clean_optional(story.source, "source"),
        summary=clean_optional(story.summary, "summary"),
        editors=clean_list(story.editors, "editors"),
        keywords=clean_list(story.keywords, "keywords"),
        body=body,
        images=clean_images(story.images),
        related=clean_related(story.related),
        word_count=len(body.split()),
    )


class CleanStoryPipeline:
    def __init__(self, config: CleanConfig) -> None:
        self.config = config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanStoryPipeline:
        return cls(CleanConfig.from_settings(crawler.settings))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        try:
            return clean_story(item, self.config)
        except Mojibake as garbled:
            raise StoryRejected(
                item.url, "mojibake", field=garbled.field, sample=garbled.sample
            ) from garbled
