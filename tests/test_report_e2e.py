"""`scrapy report` on real crawls of the replica: the HTML opens offline in Chromium, every plot
is drawn, and the numbers it shows (and the markdown's) are the feed's."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newscrawl.coverage import has_time
from tests.crawl import ROOT, CrawlRun, read_jsonl, run_crawl
from tests.test_render_e2e import CHROMIUM, require_chromium

pytestmark = pytest.mark.e2e

START = "start_urls=http://french.peopledaily.com.cn/Chine/"
PLOTS = (
    "per_day",
    "per_section",
    "rejected",
    "failed",
    "coverage",
    "found_by",
    "per_hop",
    "components",
    "graph",
    "runs",
)


def scrapy(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=workdir,
        env={**env, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CrawlRun]]:
    """Two runs of one state on the replica, from one section (so stories sit at several
    hops); the second fetches every story again (a refresh window covering the portal)."""
    from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer

    workdir = tmp_path_factory.mktemp("report")
    settings = {"NEWSCRAWL_STATE": str(workdir / "state.sqlite")}
    with ReplicaServer(Portal(ReplicaOptions(stories=60))) as server:
        first = run_crawl(server.proxy_url, workdir, START, settings=settings)
        server.portal.reset()
        again = {**settings, "NEWSCRAWL_REFRESH_HOURS": "10000000"}
        second = run_crawl(server.proxy_url, workdir, START, settings=again)
    for run in (first, second):
        assert run.returncode == 0, run.log[-3000:]
    return workdir, [first, second]


def feed_truth(workdir: Path) -> dict[str, Any]:
    """The numbers, counted here straight from the files the crawls wrote."""
    stories: dict[str, dict[str, Any]] = {}
    for path in sorted((workdir / "output" / "related").glob("*/stories.jsonl")):
        for story in read_jsonl(path):
            stories[story["url"]] = story
    outcomes = Counter(
        (r["outcome"], r["reason"])
        for path in (workdir / "output" / "related").glob("*/rejects.jsonl")
        for r in read_jsonl(path)
    )
    edges = {
        (url, rel["url"])
        for url, story in stories.items()
        for rel in story["related"]
        if rel["url"] in stories and rel["url"] != url
    }
    links_in = Counter(target for _, target in edges)
    return {
        "stories": len(stories),
        "per_section": Counter(s["section"] for s in stories.values()),
        "per_day": Counter(s["published_at"][:10] for s in stories.values()),
        "rejected": Counter({r: n for (k, r), n in outcomes.items() if k == "rejected"}),
        "failed": Counter({r: n for (k, r), n in outcomes.items() if k == "failed"}),
        "date_with_time": sum(has_time(s["published_at"]) for s in stories.values()),
        "related": sum(bool(s["related"]) for s in stories.values()),
        "title": sum(bool(s["title"]) for s in stories.values()),
        "edges": len(edges),
        "most_linked": max(links_in.values()),
    }


def table(rows: list[list[str]]) -> dict[str, int]:
    return {row[0]: int(row[1]) for row in rows}


async def open_report(path: Path, shot: Path) -> dict[str, Any]:
    """The report in Chromium, with every request but the file itself refused and recorded."""
    from playwright.async_api import async_playwright

    asked: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page(viewport={"width": 800, "height": 1000})

            async def refuse(route: Any) -> None:
                if route.request.url != path.as_uri():
                    asked.append(route.request.url)
                    await route.abort()
                else:
                    await route.continue_()

            await page.route("**/*", refuse)
            await page.goto(path.as_uri())
            await page.screenshot(path=str(shot), full_page=True)
            seen = await page.evaluate(
                """(plots) => {
                  const out = {};
                  for (const name of plots) {
                    const svg = document.querySelector(`svg[data-plot="${name}"]`);
                    if (!svg) { out[name] = null; continue; }
                    const marks = [...svg.querySelectorAll(`[id^="mark-${name}-"]`)];
                    const sizes = marks.map(m => m.getBBox()).map(b => b.width * b.height);
                    const labels = [...svg.querySelectorAll(`[id^="label-${name}-"] text`)]
                      .map(t => t.textContent.trim());
                    const shown = svg.getBoundingClientRect();
                    out[name] = {marks: marks.length, drawn: sizes.filter(s => s > 0).length,
                                 labels, width: shown.width, height: shown.height,
                                 titled: marks.filter(m => m.querySelector('title')).length};
                  }
                  const tables = {};
                  for (const t of document.querySelectorAll('table[data-table]')) {
                    tables[t.dataset.table] = [...t.querySelectorAll('tbody tr')].map(
                      r => [...r.children].map(c => c.dataset.value ?? c.textContent.trim()));
                  }
                  return {plots: out, tables,
                          scripts: document.querySelectorAll('script').length};
                }""",
                list(PLOTS),
            )
        finally:
            await browser.close()
    return {**seen, "asked": asked}


@pytest.mark.browser
def test_the_report_opens_offline_with_every_plot_drawn_and_the_feeds_numbers(
    crawled: tuple[Path, list[CrawlRun]],
) -> None:
    require_chromium()
    workdir, runs = crawled
    made = scrapy(workdir, "report", "output/related", "--state", "state.sqlite", "-o", "r.html")
    assert made.returncode == 0, made.stderr
    assert "report of" in made.stderr and "from 2 runs" in made.stderr
    shot = workdir / "report.png"
    seen = asyncio.run(open_report(workdir / "r.html", shot))
    assert seen["asked"] == []  # nothing fetched: no CDN, no font, no picture
    assert seen["scripts"] == 0
    assert shot.stat().st_size > 20_000  # a screenshot of a drawn page, not a blank one
    for name in PLOTS:
        plot = seen["plots"][name]
        assert plot is not None, f"{name} is not drawn"
        assert plot["marks"] > 0 and plot["drawn"] == plot["marks"], (name, plot)
        assert plot["titled"] == plot["marks"]  # every mark says what it is on hover
        assert plot["width"] > 300 and plot["height"] > 100
    truth = feed_truth(workdir)
    tables = seen["tables"]
    assert table(tables["per_section"]) == truth["per_section"]
    assert table(tables["per_day"]) == truth["per_day"]
    assert table(tables["rejected"]) == truth["rejected"]
    assert table(tables["failed"]) == truth["failed"]
    coverage = {row[0]: int(row[1]) for row in tables["coverage"]}
    assert coverage["date with time"] == truth["date_with_time"]
    assert coverage["related headlines"] == truth["related"]
    assert coverage["title"] == truth["title"] == truth["stories"]
    graph = table(tables["graph"])
    assert graph["stories (nodes)"] == truth["stories"]
    assert graph["related headlines between them (edges)"] == truth["edges"]
    assert int(tables["most_linked"][0][2]) == truth["most_linked"]
    # what the bars say is what the tables say, in the same order
    for name in ("per_section", "rejected", "failed"):
        labels = [int(text) for text in seen["plots"][name]["labels"]]
        assert labels == [int(row[1]) for row in tables[name]], name
    assert seen["plots"]["per_section"]["marks"] == len(truth["per_section"])
    # the runs, as their manifests say them
    manifests = [run.manifest for run in runs]
    assert [int(row[1]) for row in tables["runs"]] == [m["stories_new"] for m in manifests]
    assert [int(row[9]) for row in tables["runs"]] == [0, 0]  # exit statuses
    assert int(tables["runs"][1][3]) == truth["stories"]  # the second: all fetched again,
    assert truth["stories"] == manifests[0]["stories_new"]  # nothing new, all unchanged
    assert manifests[1]["rejected"]["unchanged"] == truth["stories"]
    hops = table(tables["per_hop"])
    assert sum(hops.values()) == truth["stories"] and len(hops) >= 2  # several hops


def markdown_table(text: str, heading: str) -> dict[str, int]:
    part = text.split(f"### {heading}\n", 1)[1].lstrip("\n").split("\n\n", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("|")][2:]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return {c[0]: int(c[1]) for c in cells}


def test_the_markdown_report_says_the_same_numbers(crawled: tuple[Path, list[CrawlRun]]) -> None:
    workdir, _ = crawled
    made = scrapy(workdir, "report", "output/related", "--format", "md")
    assert made.returncode == 0, made.stderr
    text = made.stdout
    truth = feed_truth(workdir)
    assert markdown_table(text, "Stories per section") == truth["per_section"]
    assert markdown_table(text, "Stories per day (by date line)") == truth["per_day"]
    assert markdown_table(text, "Rejected by reason") == truth["rejected"]
    assert markdown_table(text, "Failed by reason") == truth["failed"]
    carried = markdown_table(text, "What the stories carry")
    assert carried["date with time"] == truth["date_with_time"]
    assert carried["related headlines"] == truth["related"]
    assert re.search(rf"\| related headlines between them \(edges\) \| {truth['edges']} \|", text)
    assert "2 runs, from " in text


def test_a_path_with_no_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for args, says in (
        (["report", "empty"], "no run folder in it"),
        (["report", "missing"], "no such file or folder"),
        (["report", "empty", "--state", "nowhere.sqlite"], "no run folder in it"),
    ):
        made = scrapy(tmp_path, *args)
        assert made.returncode == 2, made.stderr
        lines = made.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], made.stderr
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "manifest.json").write_text(json.dumps({"run": "x"}))
    (tmp_path / "bad.sqlite").write_text("not a database at all, just text")
    made = scrapy(tmp_path, "report", "run", "--state", "bad.sqlite")
    assert made.returncode == 2 and "not a newscrawl state" in made.stderr, made.stderr
