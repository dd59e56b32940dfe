"""CleanStoryPipeline: entities, mojibake, white space, boilerplate; idempotent."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from ftfy import badness as ftfy_badness
from hypothesis import example, given
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines import clean as clean_module
from newscrawl.pipelines.clean import CleanStoryPipeline

REFERENCE = Path(__file__).parent / "fixtures" / "peopledaily_fr" / "story.expected.json"
URL = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"
WECHAT = "Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre."


def pipeline(settings: dict | None = None) -> CleanStoryPipeline:
    return CleanStoryPipeline.from_crawler(get_crawler(settings_dict=settings or {}))


def story(body: str = "Un paragraphe.", title: str = "Titre", **fields) -> Story:
    fields.setdefault("site", "peopledaily_fr")  # the portal's boilerplate is its profile's
    return Story(URL, title, "2021-12-27T09:08:00+08:00", body=body, **fields)


def clean(item: Story, settings: dict | None = None) -> Story:
    return pipeline(settings).process_item(item)


def test_reference_story_is_left_byte_identical():
    raw = REFERENCE.read_text(encoding="utf-8")
    expected = json.loads(raw)
    cleaned = clean(Story(**expected))
    as_written = {name: getattr(cleaned, name) for name in expected}
    assert json.dumps(as_written, indent=2, ensure_ascii=False) == raw


def test_html_entities_are_decoded_everywhere():
    cleaned = clean(
        story(
            body="L&#39;Irak &amp; l&rsquo;OTAN &eacute;changent.",
            title="L&#39;Irak et l&#39;OTAN",
            section="Soci&eacute;t&eacute;",
            source="Agence de presse Xinhua &amp; Cie",
            summary="R&eacute;sum&eacute;",
            editors=["Xiao&nbsp;Lu"],
            keywords=["s&eacute;curit&eacute;"],
            images=[{"url": "http://x/a.jpg", "caption": "L&#39;image"}],
            related=[{"title": "Qui va nourrir les Chinois&nbsp;?", "url": "http://x/b.html"}],
        )
    )
    assert cleaned.body == "L'Irak & l\u2019OTAN échangent."
    assert cleaned.summary == "Résumé"
    assert cleaned.title == "L'Irak et l'OTAN"
    assert cleaned.section == "Société"
    assert cleaned.source == "Agence de presse Xinhua & Cie"
    assert cleaned.editors == ["Xiao Lu"]
    assert cleaned.keywords == ["sécurité"]
    assert cleaned.images[0]["caption"] == "L'image"
    assert cleaned.related[0]["title"] == "Qui va nourrir les Chinois ?"


def test_double_escaped_entities_are_decoded():
    assert clean(story(body="caf&amp;eacute; cr&amp;amp;egrave;me")).body == "café crème"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2007", "&nbsp;", "\t", "  \u00a0 "])
def test_every_kind_of_space_before_french_punctuation_becomes_one_plain_space(space):
    cleaned = clean(story(body=f"Chine{space}: l'indice{space}? «{space}oui{space}»{space}!"))
    assert cleaned.body == "Chine : l'indice ? « oui » !"


def test_runs_of_white_space_collapse_inside_a_paragraph_and_breaks_stay():
    cleaned = clean(story(body="\tPremier   paragraphe\nsur deux lignes.\n\n  Second.  "))
    assert cleaned.body == "Premier paragraphe sur deux lignes.\n\nSecond."


def test_empty_paragraphs_are_dropped():
    cleaned = clean(story(body="Un.\n\n&nbsp;\n\n\u00a0\u202f\n\n\n\n\nDeux."))
    assert cleaned.body == "Un.\n\nDeux."
    assert cleaned.word_count == 2


@pytest.mark.parametrize(
    "boilerplate",
    [
        WECHAT,
        "Partager :",
        "Partager sur : Facebook Twitter WeChat",
        "(Rédacteurs :Xiao Lu, Wang Lin)",
        "(Rédacteur : Xiao Lu)",
        "(Rédacteurs\uff1aXiao Lu)",
        "(Photo : Xinhua)",
        "(Photo: Xinhua/Li Ming)",
    ],
)
def test_boilerplate_paragraphs_are_removed_wherever_they_are(boilerplate):
    body = f"{boilerplate}\n\nDébut.\n\n{boilerplate}\n\nFin.\n\n{boilerplate}"
    cleaned = clean(story(body=body))
    assert cleaned.body == "Début.\n\nFin."
    assert cleaned.word_count == 2


def test_wechat_sentence_glued_to_text_is_cut_out():
    cleaned = clean(story(body=f"Fin de l'article. {WECHAT}"))
    assert cleaned.body == "Fin de l'article."


def test_photo_credit_inside_a_sentence_is_body_text():
    body = "Le pont, inauguré hier (Photo : Xinhua), relie les deux rives."
    assert clean(story(body=body)).body == body


def test_wechat_box_is_not_a_related_headline():
    related = [{"title": WECHAT, "url": URL}, {"title": "Vrai titre", "url": URL}]
    assert clean(story(related=related)).related == [{"title": "Vrai titre", "url": URL}]


def test_word_count_is_recomputed_from_the_clean_body():
    cleaned = clean(story(body="Un deux trois.\n\n(Photo : Xinhua)", word_count=99))
    assert cleaned.word_count == 3


def test_mojibake_is_repaired():
    cleaned = clean(story(body="L'Ã©tÃ© Ã  PÃ©kin", title="Les Ã©lÃ¨ves"))
    assert cleaned.body == "L'été à Pékin"
    assert cleaned.title == "Les élèves"


@pytest.mark.parametrize(
    ("field", "garbled"),
    [
        ("body", "L'ã©tã© ã  pã©kin, dans le cafã©"),  # mojibake whose case was lost
        ("body", "Le pr\ufffdsident a d\ufffdclar\ufffd"),  # letters already replaced
        # mojibake of mojibake, cut short
        ("title", "Le prÃ©sident Ã¢â\u201a¬Å\u201cciteÃ¢â\u201a¬Â"),
    ],
)
def test_garbled_text_is_rejected_not_emitted(field, garbled):
    with pytest.raises(StoryRejected) as rejection:
        clean(story(**{field: garbled}))
    assert rejection.value.outcome.reason == "mojibake"
    assert rejection.value.outcome.details["field"] == field


def test_mojibake_rejection_quotes_the_garbled_paragraph():
    body = "Un paragraphe propre.\n\nLe cafã© de l'ã©tã©."
    with pytest.raises(StoryRejected) as rejection:
        clean(story(body=body))
    assert rejection.value.outcome.details["sample"] == "Le cafã© de l'ã©tã©."


def test_legit_french_typography_is_kept():
    body = "L\u2019OTAN « discute » \u2013 n° 3, 1er, 20 €, cœur, Œuvre, À bientôt…"
    assert clean(story(body=body)).body == body


def test_text_is_nfc():
    assert clean(story(body="e\u0301te\u0301")).body == "été"


def test_items_other_than_stories_pass_unchanged():
    other = {"url": URL, "body": "Ã©tÃ©"}
    assert pipeline().process_item(other) is other


def test_boilerplate_patterns_setting_adds_to_the_site_profiles_own():
    item = story(body="Publicité\n\nTexte.\n\nPartager :")
    cleaned = clean(item, {"NEWSCRAWL_BOILERPLATE_PATTERNS": [r"Publicit[ée]"]})
    assert cleaned.body == "Texte."


def test_a_portals_boilerplate_is_its_own_not_every_sites():
    body = f"Partager :\n\nTexte. {WECHAT}\n\n(Photo : Xinhua)"
    assert clean(story(body=body)).body == "Texte."
    # Another site's story keeps what only the portal writes as boilerplate; a paragraph
    # that is only a photo credit is boilerplate anywhere.
    assert clean(story(body=body, site="other")).body == f"Partager :\n\nTexte. {WECHAT}"


def test_cleaning_is_idempotent_on_a_dirty_story():
    dirty = story(
        body=f"  Ã©tÃ©&nbsp;:\u202fchaud\n\n\n(Photo : X)\n\nSuite &amp;amp; fin. {WECHAT}",
        title="Qui va nourrir les Chinois&nbsp;?",
        editors=["", "Xiao Lu", "Xiao Lu"],
    )
    once = clean(dirty)
    assert clean(once) == once
    assert once.editors == ["Xiao Lu"]


french_text = st.lists(
    st.sampled_from(
        [*"abcdeéèêàçôùœ ABCÉÀ'«»:;!?.,-\n\t", "\u2019", "\xa0", "\u202f", "&nbsp;", "&amp;", "Ã©"]
    ),
    max_size=120,
).map("".join)


@given(body=french_text, title=french_text)
@example(body="", title="œ\na")  # garbled only once squashed: must be judged on the final text
def test_cleaning_is_idempotent(body, title):
    try:
        once = clean(story(body=body, title=title))
    except StoryRejected:
        return
    assert clean(once) == once
    assert dataclasses.replace(once) == once


# --- the fast path gives ftfy's answer -----------------------------------------------------

MOJIBAKE_ALPHABET = sorted(
    {c for c in ftfy_badness.BADNESS_RE.pattern if ord(c) > 127}
    | set("abcxyzAZ .,?!\n\t1\xa0é\u2019«»œŒÃÂ\x85\x9d")
)


@given(st.text(alphabet=st.sampled_from(MOJIBAKE_ALPHABET) | st.characters(), max_size=40))
@example("éé»")
@example("œ.")
@example("1.\nÃ x")
def test_the_badness_test_searched_around_its_seeds_is_ftfys(text: str) -> None:
    assert clean_module.is_bad(text) == ftfy_badness.is_bad(text)


@pytest.mark.parametrize(
    "encoding", ["windows-1252", "latin-1", "macroman", "cp437", "windows-1251", "iso-8859-2"]
)
def test_every_wrong_decoding_of_french_is_judged_as_ftfy_judges_it(encoding: str) -> None:
    text = "L\u2019été à Noël, « déjà » — où ça ? Très cœur, œuvre naïve, façon ÉTÉ 2021 : 30 °C."
    garbled = text.encode("utf-8").decode(encoding, errors="replace")
    assert clean_module.is_bad(garbled) == ftfy_badness.is_bad(garbled)
    assert clean_module.repair(garbled) == clean_module.repair_with_ftfy(garbled)


def test_every_text_of_the_fixtures_and_the_corpus_is_repaired_as_ftfy_repairs_it() -> None:
    from parsel import Selector

    from newscrawl.extraction.decode import decode_page
    from newscrawl.sites import NotAStory, crawl_sites
    from tests.corpus.score import cases

    pages = [(case.url, case.html) for case in cases()]
    fixtures = Path(__file__).parent / "fixtures" / "peopledaily_fr"
    pages += [(URL, path.read_bytes()) for path in sorted(fixtures.glob("replica-*.html"))]
    texts = []
    for url, html in pages:
        extracted = crawl_sites((url,), None).extract_story(
            Selector(text=decode_page(html, "text/html").text), url
        )
        if isinstance(extracted, NotAStory):
            continue
        texts += [extracted.title, "\n\n".join(extracted.paragraphs), *extracted.paragraphs]
        texts += [link["title"] for link in extracted.related]
    texts += [t.encode("utf-8").decode("windows-1252", errors="replace") for t in texts[:40]]
    assert len(texts) > 150
    for text in texts:
        assert clean_module.repair(text) == clean_module.repair_with_ftfy(text)
        assert (clean_module.garbled_line(clean_module.repair(text)) is None) == all(
            "\ufffd" not in line and not ftfy_badness.is_bad(line)
            for line in clean_module.repair_with_ftfy(text).splitlines()
        )
