"""Text normalisation shared by the pipelines: white space, paragraphs, body fingerprints.

White-space policy (one rule, applied everywhere): every white-space character —
including the no-break space U+00A0, the narrow no-break space U+202F and the figure
space U+2007 that French typography puts before ``: ; ! ?`` and inside ``« »`` — becomes
a plain space, and runs of them collapse to one. The portal itself is inconsistent
(``&nbsp;`` in some stories, plain spaces in most, as in the reference page's
"Chine : l'indice" and "Qui va nourrir les Chinois ?"), so keeping no-break spaces would
make the same sentence compare unequal across stories; plain spaces it is.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

PARAGRAPH_BREAK = "\n\n"

# Invisible characters that carry no text: zero-width space, word joiner, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
# str.isspace() characters: NBSP, U+202F, U+2007, U+2009 … are white space to str.split() (and
# to \s in Python 3): a run of them becomes one space.
# A blank line (possibly holding only white space) separates paragraphs.
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
# Everything that is not a letter or digit: punctuation, symbols, white space, underscore.
_NOT_WORD = re.compile(r"[\W_]+")


def squash(text: str) -> str:
    """One line of text: invisible characters removed, white space collapsed to single spaces."""
    if _squashed(text):
        return text
    return " ".join(_visible(text).split())  # str.split() splits at what \s matches


def _squashed(text: str) -> bool:
    """Already one line of text? Printable means no white space but the plain space (every
    other white-space character is a separator or a control) and no invisible character (they
    are format characters): then only doubled or outer spaces would change."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def _visible(text: str) -> str:
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def split_paragraphs(body: str) -> list[str]:
    """The paragraphs of a body, each squashed to one line; empty ones dropped."""
    paragraphs = (squash(p) for p in _PARAGRAPH_SPLIT.split(_visible(body)))
    return [p for p in paragraphs if p]


def join_paragraphs(paragraphs: list[str]) -> str:
    return PARAGRAPH_BREAK.join(paragraphs)


def comparable_words(body: str) -> list[str]:
    """The words of a body as deduplication compares them.

    Case-folded, compatibility-normalised, punctuation and symbols dropped: the same wire
    story with curly or straight apostrophes, or another paragraph layout, gives the same words.
    A body with no letter and no digit at all (symbols only) is compared by its symbols, its
    white-space separated runs: dropped, every such body would be the same empty text, and a
    duplicate of every other one.
    """
    folded = unicodedata.normalize("NFKC", body).casefold()
    return _NOT_WORD.sub(" ", folded).split() or folded.split()


def body_fingerprint(body: str) -> str:
    """sha1 (hex) of the body's comparable words: equal for the same text under any URL."""
    return fingerprint_of_words(comparable_words(body))


def fingerprint_of_words(words: list[str]) -> str:
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
