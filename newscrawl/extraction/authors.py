"""Who wrote a story: person names out of bylines and ``author`` metadata.

``Par Jean Dupont et Marie Martin, envoyée spéciale à Kiev`` gives ``["Jean Dupont", "Marie
Martin"]``. A byline is split on ``,``, ``;``, `` et ``, `` and ``, ``&`` and ``/``; the words
that introduce it (``Par``, ``Propos recueillis par``, ``Texte :``), roles (``envoyé spécial``,
``correspondante``, ``journaliste`` …) and places after them are dropped. What is no person —
an agency (AFP, Reuters, Belga …), the newsroom (``La rédaction``), the site's or a section's
name, a URL — goes to the story's ``source`` instead (:func:`read_byline` returns both).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

AGENCIES = (
    "afp",
    "agence france-presse",
    "agence france presse",
    "reuters",
    "associated press",
    "ap",
    "belga",
    "xinhua",
    "agence de presse xinhua",
    "ats",
    "keystone-ats",
    "dpa",
    "ansa",
    "efe",
    "presse canadienne",
    "la presse canadienne",
    "pc",
    "aps",
    "map",
    "apa",
    "relaxnews",
    "bloomberg",
)
NOT_PEOPLE_WORDS = re.compile(
    r"\b(?:r[ée]daction|r[ée]dactions|service|desk|agence|agences|avec|journal|quotidien"
    r"|magazine|staff|team|équipe|equipe|newsroom|presse|news|infos?|actu|actualit[ée]s?"
    r"|sports?|[ée]dition|admin|administrateur|webmaster|contributeur|invit[ée]e?)\b",
    re.IGNORECASE,
)
LEAD_IN = re.compile(
    r"^(?:(?:propos\s+recueillis|texte|textes|r[ée]alis[ée]e?|[ée]crit|un\s+article|une\s+chronique"
    r"|reportage|enqu[êe]te|interview|entretien|photos?|vid[ée]o)\s*(?:par|:)?\s*|par\s*:?\s+|by\s+"
    r"|de\s+notre\s+(?:envoy[ée]e?\s+sp[ée]ciale?|correspondante?)\s*(?:[àa]\s+[\w\s'-]+)?,?\s*)",
    re.IGNORECASE,
)
ROLE = re.compile(
    r"\b(?:envoy[ée]e?s?\s+sp[ée]ciale?s?|correspondante?s?|journaliste|chroniqueur|chroniqueuse"
    r"|r[ée]dacteur|r[ée]dactrice|r[ée]dacteur en chef|éditorialiste|editorialiste|reporter"
    r"|photographe|stagiaire|pigiste|grand\s+reporter|directeur|directrice|président|présidente"
    r"|avocat|avocate|professeur|professeure|chercheur|chercheuse|sp[ée]cialiste|auteur|autrice"
    r"|responsable|consultant|consultante)\b.*$",
    re.IGNORECASE,
)
SPLIT = re.compile(r"\s*(?:,|;|\bet\b|\band\b|&|/|\|)\s*", re.IGNORECASE)
AROUND = re.compile(r"^[\s\-–—:·•|(]+|[\s\-–—:·•|)]+$")
DATE_TAIL = re.compile(
    r"\s*(?:\ble\s+(?=\d)|\b(?:publi[ée]e?|mis\s+[àa]\s+jour|mise\s+[àa]\s+jour|mis\s+en\s+ligne|modifi[ée]e?"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b|\d{1,2}[/.]\d{1,2}|\d{1,2}\s+\w+\s+\d{4}).*$",
    re.IGNORECASE,
)
NAME_WORD = re.compile(
    r"^[A-ZÀ-ÖØ-Þ][\w'’.-]*$|^(?:de|du|des|d'|la|le|van|von|der|den|di|da|ben|el|al|bin|y|e)$"
)


@dataclass
class Byline:
    authors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def read_byline(values: Iterable[str], not_people: Iterable[str] = ()) -> Byline:
    """Person names and other credits (agencies, newsroom) out of byline texts or ``author``
    values, in order and without repeats. ``not_people``: names known to be no person (the
    site's, its sections')."""
    others = {_key(name) for name in not_people if name}
    byline = Byline()
    for value in values:
        for part in _parts(value):
            key = _key(part)
            if not key:
                continue
            if _is_source(part, others):
                if part not in byline.sources:
                    byline.sources.append(part)
            elif looks_like_person(part) and part not in byline.authors:
                byline.authors.append(part)
    return byline


def looks_like_person(name: str) -> bool:
    """Two to five words, each capitalised or a particle (de, van, ben …), no digits."""
    if any(c.isdigit() for c in name) or "@" in name or len(name) > 60:
        return False
    words = name.split()
    if not 2 <= len(words) <= 5 and not (len(words) == 1 and "." in name and len(name) > 3):
        return False
    capitals = [w for w in words if w[:1].isupper()]
    return len(capitals) >= min(2, len(words)) and all(NAME_WORD.match(w) for w in words)


def _parts(value: str) -> list[str]:
    text = re.sub(r"\s+", " ", value or "").strip()
    if not text or re.match(r"^(?:https?:)?//", text):
        return []
    text = re.sub(r"\((?:avec\s+)?([^)]*)\)", r", \1", text)  # "Jean Dupont (avec AFP)"
    text = re.sub(r"\bavec\s+", ", ", text, flags=re.IGNORECASE)
    text = DATE_TAIL.sub("", text)  # "Par X 26/09/12 - 16h34": the date, before "/" splits it
    parts: list[str] = []
    for piece in SPLIT.split(text):
        piece = LEAD_IN.sub("", piece.strip())
        piece = LEAD_IN.sub("", piece)  # "Propos recueillis par" then "par"
        piece = ROLE.sub("", piece)
        piece = DATE_TAIL.sub("", piece)
        piece = AROUND.sub("", piece).strip()
        if piece:
            parts.append(piece)
    return parts


def _is_source(part: str, others: set[str]) -> bool:
    key = _key(part)
    if key in AGENCIES or key in others:
        return True
    if any(key.startswith(o) or o.startswith(key) for o in others if len(o) > 3 and len(key) > 3):
        return True
    if NOT_PEOPLE_WORDS.search(part):
        return True
    return part.isupper() and len(part) <= 8  # AFP, ATS, BELGA


def _key(text: str) -> str:
    return re.sub(r"[\s.]+", " ", text.lower()).strip(" .")
