"""The User-Agent names the crawler and whom to contact, and the user can change either."""

from __future__ import annotations

from pathlib import Path

from scrapy.utils.test import get_crawler

from newscrawl.spiders.related import RelatedSpider
from tests.crawl import plain_story_urls, run_crawl


def agent(**settings: object) -> str:
    base = {"NEWSCRAWL_CONTACT_URL": "https://github.com/newscrawl/newscrawl", **settings}
    crawler = get_crawler(RelatedSpider, settings_dict=base)
    return crawler.settings["USER_AGENT"]


def test_user_agent_carries_the_contact_url() -> None:
    assert agent().startswith("newscrawl/")
    assert "+https://github.com/newscrawl/newscrawl" in agent()
    assert "+mailto:ops@example.org" in agent(NEWSCRAWL_CONTACT_URL="mailto:ops@example.org")


def test_a_user_agent_set_by_the_user_wins() -> None:
    assert agent(USER_AGENT="MyLab/1.0") == "MyLab/1.0"


def test_the_portal_sees_the_contact_url(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=30)
    seed = plain_story_urls(server.portal)[0]
    run_crawl(
        server.proxy_url,
        tmp_path,
        f"start_urls={seed}",
        "max_depth=0",
        settings={"NEWSCRAWL_CONTACT_URL": "https://lab.example.org/crawler"},
    )
    agents = {record.user_agent for record in server.requests}
    assert len(agents) == 1  # robots.txt and pages alike
    assert "+https://lab.example.org/crawler" in agents.pop()
