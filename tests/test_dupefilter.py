"""The compact duplicate filter: Scrapy's decisions and Scrapy's JOBDIR file, 8 bytes a request."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.test import get_crawler

from newscrawl.compact import KeyTable
from newscrawl.dupefilter import CompactDupeFilter


def filter_of(jobdir: Path | None = None, cls: type = CompactDupeFilter) -> RFPDupeFilter:
    settings = {"JOBDIR": str(jobdir)} if jobdir else {}
    return cls.from_crawler(get_crawler(settings_dict=settings))


def test_a_request_is_seen_once_its_url_was_requested_whatever_its_spelling(monkeypatch) -> None:
    monkeypatch.setattr(KeyTable, "MERGE_EVERY", 50)  # most keys merged ...
    monkeypatch.setattr(KeyTable, "RUN", 120)  # ... into several runs
    seen = filter_of()
    urls = [f"http://french.peopledaily.com.cn/n3/2021/1227/c31357-{n}.html" for n in range(300)]
    assert not any(seen.request_seen(Request(url)) for url in urls)
    assert all(seen.request_seen(Request(url)) for url in urls)
    assert seen.request_seen(Request(urls[0] + "#haut"))  # canonical: the fragment is not part
    assert not seen.request_seen(Request(urls[0], method="POST"))
    assert len(seen) == 301


@pytest.mark.parametrize("resumed_by", [CompactDupeFilter, RFPDupeFilter])
def test_a_jobdir_crawl_resumes_with_what_it_had_seen(tmp_path: Path, resumed_by: type) -> None:
    first = filter_of(tmp_path)
    assert not first.request_seen(Request("http://a.example/1.html"))
    first.close("shutdown")
    resumed = filter_of(tmp_path, resumed_by)
    assert resumed.request_seen(Request("http://a.example/1.html"))
    assert not resumed.request_seen(Request("http://a.example/2.html"))
    resumed.close("finished")


def test_a_crawl_uses_the_compact_filter() -> None:
    from scrapy.utils.project import get_project_settings

    assert get_project_settings()["DUPEFILTER_CLASS"] == "newscrawl.dupefilter.CompactDupeFilter"
