"""How the hold-out set was gathered (run once; kept so the derivation can be checked).

    python tests/holdout/gather.py /work/.mirror      # the fetched repositories' git dirs

Reads each source repository's own test pages and ground truth at one commit (``git show``,
nothing from a work tree), keeps the French-language news and magazine pages, writes each page
gzipped (lossless: ``gzip -d`` gives the source's bytes) to ``pages/<id>.html.gz`` and its truth
to ``truth/<id>.json`` with only the fields the source's truth gives (README.md beside this
file says how each field was derived). Not part of the test suite: the repositories are not on
a CI machine.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

FUNDUS = ("flairNLP/fundus", "18da6e53592f99cf0ac5770dc63d6ba99ba63ae8", "MIT")
READABILITY = ("mozilla/readability", "ab4027a8b37669745016869a37a504727992b2ba", "Apache-2.0")
POSTLIGHT = ("postlight/parser", "e8ba7ece291efa4d915d50dd4deeec17d54359f2", "MIT OR Apache-2.0")
TRAFILATURA = ("adbar/trafilatura", "e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5", "Apache-2.0")
HTMLDATE = ("adbar/htmldate", "b8952828329abaeeb3be21387b526f2be614ce67", "Apache-2.0")

# Fundus: every page of its French test data.
FUNDUS_PAGES = {
    "fundus-euronews-merlu": ("EuronewsFR_2024_04_30.html.gz", "EuronewsFR", "V1"),
    "fundus-euronews-maduro": ("EuronewsFR_2026_01_06.html.gz", "EuronewsFR", "V1_1"),
    "fundus-lefigaro-ukraine": ("LeFigaro_2024_11_22.html.gz", "LeFigaro", "V1"),
    "fundus-lemonde-binet": ("LeMonde_2023_09_01.html.gz", "LeMonde", "V1"),
    "fundus-lesechos-fil": ("LesEchos_2024_07_18.html.gz", "LesEchos", "V1"),
}
# Readability: its French test pages; byline split into people, naive times given Paris's offset.
READABILITY_PAGES = {
    "readability-lemonde-renseignement": (
        "lemonde-1",
        "http://www.lemonde.fr/pixels/article/2015/05/04/que-contient-la-loi-sur-le-renseignement_4627068_4408996.html",
        ["Martin Untersinger", "Damien Leloup", "Morgane Tual"],
        "+02:00",
    ),
    "readability-liberation-nepal": (
        "liberation-1",
        "http://www.liberation.fr/monde/2015/04/30/un-troisieme-francais-mort-dans-le-seisme-au-nepal_1278483",
        ["Sébastien Farcis"],
        "+02:00",
    ),
    "readability-liberation-screenshot": (
        "videos-2",
        "",  # read from the page's og:url
        ["Alexandre Hervaud", "Jérémy Piette"],
        "+01:00",
    ),
}
# Trafilatura's evaluation data: French-language articles (not a petition, a privacy policy, a
# donation page), by the file names its evaldata.json gives.
TRAFILATURA_FILES = [
    "bondyblog.fr.paris-8.html",
    "lapresse.tn.parite.html",
    "ledevoir.com.trottinettes.html",
    "aoc.media.archaisme.html",
    "regards.fr.enquetes.html",
    "tdg.ch.chlorothalonil.html",
    "gala.fr.surnom.html",
    "soundofscience.fr.1927.html",
    "laviedesidees.fr.evaluation.html",
    "legrandcontinent.eu.heran.html",
    "blog.mondediplo.net.turpitude.html",
    "dalloz-actualite.fr.raoult.html",
    "lopinion.fr.glyphosate.html",
    "sciencesetavenir.fr.rumeur.html",
    "sports.fr.lorient.html",
    "dw.com-elephants.html",
    "france.attc.org-privatisations.html",
    "arteradio.com-nuls.html",
    "francais.radio.cz-ministre.html",
    "archive.org-travaillent.html",
    "madame.lefigaro.fr.dintestin.html",
]
# Htmldate's evaluation data (a date only): French-language pages not already taken above.
HTMLDATE_SETS = {
    "tests/eval_default.json": ("tests/eval", "tests/cache"),
    "tests/eval_mediacloud_2020.json": ("tests/test_set",),
}
HTMLDATE_FILES = [
    "paris-luttes.info.html",
    "mediapart.fr.violences.html",
    "cric-grenoble.info.radio.html",
    "la-bas.org.porte.html",
    "revolutionpermanente.fr.antonin.html",
    "wara-enforcement.org.guinee.html",
    "medium.com.recherche.html",
    "leparisien.fr-Ciaran.html",
    "20minutes.fr-Ciaran.html",
    "lepoint.fr-terrorisme.html",
    "courrierinternational.com-Hamas.html",
    "ouest-france.fr-gaza.html",
    "lesechos.fr-Macron.html",
    "liberation.fr-Gaza.html",
    "1808011241.html",
    "1691900941.html",
    "1556056486.html",
    "1759902081.html",
    "1560424903.html",
]


def show(mirror: Path, source: tuple[str, str, str], path: str) -> bytes:
    repo, commit, _ = source
    git_dir = mirror / repo.replace("/", "+") / "repo"
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        capture_output=True,
        check=True,
    ).stdout


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, one line per block."""
    fragment = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", fragment)
    fragment = re.sub(
        r"(?i)<br\s*/?>|</(p|h[1-6]|li|div|blockquote|figcaption|tr)>", "\n", fragment
    )
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def slug(name: str) -> str:
    stem = re.sub(r"\.html$", "", name)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")


def write(case_id: str, page: bytes, truth: dict[str, Any], seen: set[str]) -> None:
    digest = hashlib.sha256(page).hexdigest()
    if digest in seen:  # the same page from two repositories: kept once
        return
    seen.add(digest)
    (HERE / "pages").mkdir(exist_ok=True)
    (HERE / "truth").mkdir(exist_ok=True)
    (HERE / "pages" / f"{case_id}.html.gz").write_bytes(gzip.compress(page, mtime=0))
    truth = {"id": case_id, **truth, "sha256": digest}
    text = json.dumps(truth, ensure_ascii=False, indent=2) + "\n"
    (HERE / "truth" / f"{case_id}.json").write_text(text, encoding="utf-8")


def source_of(source: tuple[str, str, str], path: str) -> dict[str, str]:
    return {"repository": source[0], "commit": source[1], "path": path, "licence": source[2]}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def gather(mirror: Path) -> None:
    seen: set[str] = set()
    base = "tests/resources/parser/test_data/fr/"
    meta = json.loads(show(mirror, FUNDUS, base + "meta.info"))
    for case_id, (page_file, publisher, version) in FUNDUS_PAGES.items():
        truths = json.loads(show(mirror, FUNDUS, f"{base}{publisher}.json"))
        got = truths[version]
        body = got["body"]
        parts = list(body.get("summary", []))
        for section in body.get("sections", []):
            parts += section.get("headline", []) + section.get("paragraphs", [])
        truth = {
            "url": meta[page_file]["url"],
            "source": source_of(FUNDUS, base + page_file),
            "title": got["title"],
            "published_at": iso(datetime.fromisoformat(got["publishing_date"])),
            "authors": got["authors"],
            "body": "\n\n".join(parts),
        }
        write(case_id, gzip.decompress(show(mirror, FUNDUS, base + page_file)), truth, seen)

    for case_id, (name, url, authors, offset) in READABILITY_PAGES.items():
        folder = f"test/test-pages/{name}/"
        page = show(mirror, READABILITY, folder + "source.html")
        expected = json.loads(show(mirror, READABILITY, folder + "expected-metadata.json"))
        if not url:
            found = re.search(rb'og:url" content="([^"]+)"', page)
            assert found, name
            url = found.group(1).decode()
        truth = {
            "url": url,
            "source": source_of(READABILITY, folder + "source.html"),
            "title": expected["title"],
            "authors": authors,
            "body": text_of(show(mirror, READABILITY, folder + "expected.html").decode()),
        }
        if expected.get("publishedTime"):
            moment = datetime.fromisoformat(expected["publishedTime"] + offset)
            truth["published_at"] = iso(moment)
        write(case_id, page, truth, seen)

    page = show(mirror, POSTLIGHT, "fixtures/www.lemonde.fr.html")
    truth = {
        "url": "https://www.lemonde.fr/economie/article/2019/05/07/dans-ses-previsions-economiques-bruxelles-confirme-la-montee-des-perils_5459325_3234.html",
        "source": source_of(POSTLIGHT, "fixtures/www.lemonde.fr.html"),
        "title": "Les sombres perspectives économiques de la Commission européenne",
        "published_at": iso(datetime.fromisoformat("2019-05-07T11:59:43+00:00")),
        "authors": ["Cécile Ducourtieux"],
    }
    write("postlight-lemonde-perils", page, truth, seen)

    evaldata = json.loads(show(mirror, TRAFILATURA, "tests/evaldata.json"))
    by_file = {item["file"]: (url, item) for url, item in evaldata.items() if "file" in item}
    for name in TRAFILATURA_FILES:
        url, item = by_file[name]
        path = next(
            p for p in (f"tests/eval/{name}", f"tests/cache/{name}") if _has(mirror, TRAFILATURA, p)
        )
        truth = {"url": url, "source": source_of(TRAFILATURA, path)}
        if item.get("title"):
            truth["title"] = item["title"]
        if item.get("date"):
            truth["published_at"] = item["date"]
        if item.get("author"):
            names = item["author"]
            names = names if isinstance(names, list) else names.split("; ")
            truth["authors"] = [n.strip() for n in names if n.strip()]
        write(f"trafilatura-{slug(name)}", show(mirror, TRAFILATURA, path), truth, seen)

    for set_path, folders in HTMLDATE_SETS.items():
        dates = json.loads(show(mirror, HTMLDATE, set_path))
        for url, item in dates.items():
            if item["file"] not in HTMLDATE_FILES:
                continue
            path = next(
                p for p in (f"{f}/{item['file']}" for f in folders) if _has(mirror, HTMLDATE, p)
            )
            truth = {
                "url": url,
                "source": source_of(HTMLDATE, path) | {"truth": set_path},
                "published_at": item["date"],
            }
            host = re.sub(r"^www\.", "", url.split("/")[2])
            write(f"htmldate-{slug(host)}", show(mirror, HTMLDATE, path), truth, seen)


def _has(mirror: Path, source: tuple[str, str, str], path: str) -> bool:
    try:
        show(mirror, source, path)
    except subprocess.CalledProcessError:
        return False
    return True


if __name__ == "__main__":
    gather(Path(sys.argv[1]))
