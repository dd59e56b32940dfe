"""``scrapy extract``: a saved page's story or rejection, one JSON line each, in one process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newscrawl.extraction.offline import extract_saved
from tests.crawl import ROOT

REFERENCE = ROOT / "tests" / "fixtures" / "peopledaily_fr" / "story.html"
REFERENCE_URL = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937465.html"
GENERIC = ROOT / "tests" / "fixtures" / "generic" / "jsonld-newsarticle.html"
GENERIC_URL = "https://www.courrier-ouest.fr/economie/2023/03/09/greve-a-la-sncf-le-trafic-reprend-progressivement"


def scrapy_extract(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "HOME": str(cwd),
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        },
    )


def test_the_reference_page_gives_its_expected_story() -> None:
    story = extract_saved(REFERENCE.read_bytes(), REFERENCE_URL)
    expected = json.loads(REFERENCE.with_name("story.expected.json").read_text("utf-8"))
    assert {name: story[name] for name in expected} == expected
    assert story["story_id"] and story["extraction"] == "profile"


def test_a_page_that_is_no_story_gives_its_rejection() -> None:
    assert extract_saved(b"", REFERENCE_URL)["reason"] == "empty_body"
    assert extract_saved(b"\x89PNG\r\n\x1a\n....", REFERENCE_URL)["reason"] == "not_html"
    rejection = extract_saved(b"<html><body><p>Rien.</p></body></html>", REFERENCE_URL)
    assert (rejection["outcome"], rejection["reason"]) == ("rejected", "no_title")
    short = REFERENCE.read_text("utf-8").split('<div class="txt_con"')[0] + "</html>"
    assert extract_saved(short.encode(), REFERENCE_URL)["reason"] == "no_body"


def test_site_forces_a_profile() -> None:
    story = extract_saved(REFERENCE.read_bytes(), REFERENCE_URL, site="generic")
    assert story["site"] == "generic" and story["extraction"].startswith("generic(")


def test_batch_gives_one_line_per_line_in_order_and_says_what_it_could_not_read(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes(REFERENCE.read_bytes())
    (pages / "b.html").write_bytes(GENERIC.read_bytes())
    batch = tmp_path / "pages.tsv"
    batch.write_text(
        "# saved pages\n"
        f"{REFERENCE_URL}\tpages/a.html\n\n"
        f"{GENERIC_URL}\t{pages / 'b.html'}\n"
        "https://www.exemple.fr/x\tpages/missing.html\n"
        "no tab on this line\n",
        encoding="utf-8",
    )
    result = scrapy_extract("--batch", str(batch), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["url"] for line in lines[:3]] == [
        REFERENCE_URL,
        GENERIC_URL,
        "https://www.exemple.fr/x",
    ]
    assert lines[0]["site"] == "peopledaily_fr" and lines[1]["site"] == "generic"
    assert (lines[2]["outcome"], lines[2]["reason"]) == ("failed", "unreadable")
    assert lines[3]["reason"] == "unreadable" and lines[3]["details"]["line"] == 6
    assert len(lines) == 4


def test_wrong_options_are_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = scrapy_extract("--url", REFERENCE_URL, str(tmp_path / "nope.html"), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("newscrawl: ") and "nope.html" in missing.stderr
    unknown = scrapy_extract(
        "--site", "lemonde", "--url", REFERENCE_URL, str(REFERENCE), cwd=tmp_path
    )
    assert unknown.returncode == 2 and "unknown site" in unknown.stderr
    stdin = scrapy_extract("--batch", "-", cwd=tmp_path, stdin=f"{REFERENCE_URL}\t{REFERENCE}\n")
    assert stdin.returncode == 0 and json.loads(stdin.stdout)["title"].startswith("L'Irak")
